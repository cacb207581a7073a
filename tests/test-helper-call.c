/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-call.c
 *
 * Whole calls that carry sound, between real processes on loopback:
 * `dialtone-helper call` (the SIP backend and the media engine) against
 * `dialtone-helper serve`. What the caller records is read back and the
 * tone in it measured: the frequency within 2 Hz and the level within 1 dB
 * of what was sent, for every codec. Two callers through the helper's
 * registrar: the tone both ways and DTMF digits in order, and then for
 * every codec with and without SRTP, a different tone each way. The echo
 * with each SDES suite (it decrypts and encrypts again with its own key),
 * and early media: a tone heard while the call still rings (183), then
 * the answer. And the JSON summary's contract.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dt-test-audio.h"
#include "dt-test-helper.h"

#define TONE_HZ 440.0
/* What the callee sends back in calls between two callers: a tone the
 * caller cannot mistake for its own. */
#define CALLEE_TONE_HZ 660.0
/* audiotestsrc volume=0.3, as `--tone` sends it. */
#define TONE_AMPLITUDE 0.3

typedef struct
{
  char         *dir;
  DtTestHelper *helper;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("dialtone-call-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass",
                                    "--user", "carol:carolpass", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  dt_test_helper_stop (f->helper);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->dir);
}

typedef struct
{
  GSubprocess *process;
  char        *out;
  gboolean     done;
} Run;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, NULL, &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static Run *
start_call (const char *first_arg,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("DIALTONE_HELPER"));
  g_ptr_array_add (argv, (char *) "call");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  run->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (run->process, NULL, NULL, on_communicated, run);
  return run;
}

static gboolean
run_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Waits for the call to end and returns its summary; the exit status must
 * be 0, since the call was set up and ended normally. */
static JsonObject *
finish_call (Run *run)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *summary;

  g_assert_true (dt_test_iterate_until (run_done, run, 60 * 1000));
  g_assert_true (g_subprocess_get_if_exited (run->process));
  g_test_message ("summary: %s", run->out);
  g_assert_cmpint (g_subprocess_get_exit_status (run->process), ==, 0);
  node = json_from_string (run->out, &error);
  g_assert_no_error (error);
  summary = json_object_ref (json_node_get_object (node));
  g_object_unref (run->process);
  g_free (run->out);
  g_free (run);
  return summary;
}

static void
assert_tone_at (const char *path,
                double      tone_hz,
                double      start_s,
                double      end_s)
{
  g_autoptr(GError) error = NULL;
  DtTestWav wav = { 0 };
  const float *samples;
  gsize n;
  double frequency, level;

  g_assert_true (dt_test_wav_load (path, &wav, &error));
  g_assert_no_error (error);
  /* Negative times count from the end of the recording. */
  if (start_s < 0)
    start_s += (double) wav.n_samples / wav.rate;
  if (end_s < 0)
    end_s += (double) wav.n_samples / wav.rate;
  g_assert_true (dt_test_wav_slice (&wav, start_s, end_s, &samples, &n));
  frequency = dt_test_audio_dominant_frequency (samples, n, wav.rate);
  level = dt_test_audio_tone_dbfs_median (samples, n, wav.rate, tone_hz);
  g_test_message ("%s [%.1f s, %.1f s]: %.2f Hz at %.2f dBFS", path, start_s, end_s, frequency,
                  level);
  g_assert_cmpfloat_with_epsilon (frequency, tone_hz, 2.0);
  g_assert_cmpfloat_with_epsilon (level, dt_test_audio_sine_dbfs (TONE_AMPLITUDE), 1.0);
  dt_test_wav_clear (&wav);
}

static void
assert_tone (const char *path,
             double      start_s,
             double      end_s)
{
  assert_tone_at (path, TONE_HZ, start_s, end_s);
}

/* --- tests -------------------------------------------------------------- */

/* The tone goes to the echo and comes back, with every codec. */
static void
test_echo_each_codec (Fixture       *f,
                      gconstpointer  data)
{
  static const struct { const char *codec; const char *name; } codecs[] = {
    { "opus", "opus/48000" }, { "G722", "G722/8000" },
    { "PCMU", "PCMU/8000" }, { "PCMA", "PCMA/8000" },
  };
  g_autofree char *uri = g_strdup_printf ("sip:echo@127.0.0.1:%u", f->helper->port);

  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    {
      g_autofree char *wav = g_strdup_printf ("%s/echo-%s.wav", f->dir, codecs[i].codec);
      g_autoptr(JsonObject) summary = NULL;
      JsonObject *started;
      gint64 sent, received;

      summary = finish_call (start_call (uri, "--tone", "440", "--record", wav,
                                         "--duration", "3", "--codec", codecs[i].codec, NULL));
      g_assert_cmpstr (json_object_get_string_member (summary, "result"), ==, "ok");
      g_assert_cmpstr (json_object_get_string_member (summary, "end_reason"), ==,
                       "local-hangup");
      g_assert_cmpstr (json_object_get_string_member (summary, "codec"), ==, codecs[i].name);
      g_assert_cmpint (json_object_get_int_member (summary, "setup_ms"), >=, 0);
      sent = json_object_get_int_member (summary, "packets_sent");
      received = json_object_get_int_member (summary, "packets_received");
      /* 20 ms packets for 3 s; the echo returns every one of them. */
      g_assert_cmpint (sent, >, 100);
      g_assert_cmpint (received, >, sent - 10);
      g_assert_cmpint (json_object_get_int_member (summary, "packets_lost"), ==, 0);
      g_assert_cmpfloat (json_object_get_double_member (summary, "mos"), >, 4.0);
      /* A second in the middle, clear of the call's start and end. */
      assert_tone (wav, 1.0, 2.0);

      started = dt_test_helper_wait_event (f->helper, "call-started");
      json_object_unref (started);
    }
}

/* bob answers as a registered user; alice calls him through the helper.
 * Each hears the other's tone, and bob receives alice's digits in order. */
static void
test_two_callers_with_dtmf (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->helper->port);
  g_autofree char *bob_uri = g_strdup_printf ("sip:bob@127.0.0.1:%u", f->helper->port);
  g_autofree char *alice_wav = g_build_filename (f->dir, "alice-heard.wav", NULL);
  g_autofree char *bob_wav = g_build_filename (f->dir, "bob-heard.wav", NULL);
  g_autoptr(JsonObject) alice = NULL;
  g_autoptr(JsonObject) bob = NULL;
  JsonObject *registered;
  Run *bob_run, *alice_run;

  bob_run = start_call ("--answer", "--account", "sip:bob@127.0.0.1", "--password", "bobpass",
                        "--server", server, "--tone", "440", "--record", bob_wav,
                        "--duration", "6", NULL);
  registered = dt_test_helper_wait_event (f->helper, "registered");
  g_assert_cmpstr (json_object_get_string_member (registered, "user"), ==, "bob");
  json_object_unref (registered);

  alice_run = start_call (bob_uri, "--account", "sip:alice@127.0.0.1", "--password", "secret",
                          "--server", server, "--tone", "440", "--record", alice_wav,
                          "--duration", "4", "--dtmf", "159#", NULL);
  alice = finish_call (alice_run);
  bob = finish_call (bob_run);

  g_assert_cmpstr (json_object_get_string_member (alice, "end_reason"), ==, "local-hangup");
  g_assert_cmpstr (json_object_get_string_member (bob, "end_reason"), ==, "remote-hangup");
  g_assert_cmpstr (json_object_get_string_member (bob, "dtmf_received"), ==, "159#");
  assert_tone (alice_wav, 1.0, 2.0);
  /* While the digits go (RFC 4733 events stand in for the audio, about
   * 1.6 s here) bob hears no tone; after them he does, until alice leaves
   * at 4 s. */
  assert_tone (bob_wav, 2.5, 3.3);
}

/* SRTP with each SDES suite Dialtone offers (RFC 4568 §6.2): the echo
 * answers with its own key, decrypts what it hears and sends it back
 * encrypted again, from an SSRC of its own. The tone comes back whole. */
static void
test_echo_srtp_each_suite (Fixture       *f,
                           gconstpointer  data)
{
  static const char *const suites[] = { "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32" };
  g_autofree char *uri = g_strdup_printf ("sip:echo@127.0.0.1:%u", f->helper->port);

  for (guint i = 0; i < G_N_ELEMENTS (suites); i++)
    {
      g_autofree char *wav = g_strdup_printf ("%s/echo-%s.wav", f->dir, suites[i]);
      g_autoptr(JsonObject) summary = NULL;
      JsonObject *ended;
      gint64 sent, received;

      summary = finish_call (start_call (uri, "--tone", "440", "--record", wav, "--duration", "3",
                                         "--srtp", "--srtp-suite", suites[i], NULL));
      g_assert_cmpstr (json_object_get_string_member (summary, "result"), ==, "ok");
      g_assert_cmpstr (json_object_get_string_member (summary, "srtp"), ==, suites[i]);
      sent = json_object_get_int_member (summary, "packets_sent");
      received = json_object_get_int_member (summary, "packets_received");
      g_assert_cmpint (sent, >, 100);
      g_assert_cmpint (received, >, sent - 10);
      g_assert_cmpint (json_object_get_int_member (summary, "packets_lost"), ==, 0);
      assert_tone (wav, 1.0, 2.0);

      /* Every packet decrypted at the echo, and every one sent back. */
      ended = dt_test_helper_wait_event (f->helper, "call-ended");
      g_assert_cmpint (json_object_get_int_member (ended, "srtp-dropped"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (ended, "reflected"), >=, received);
      json_object_unref (ended);
    }
}

/* RFC 3261 §13.2.1 and RFC 3960 §3.1: `early` answers 183 with SDP,
 * echoes for two seconds from ports of its early media, then sends 200
 * with an answer on other ports (and, for SRTP, another key). The caller
 * hears its tone back while the call still rings, and after the answer
 * from where the 200 says. Two calls at once: RTP and SRTP. */
static void
test_early_media (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("sip:early@127.0.0.1:%u", f->helper->port);
  Run *runs[2];
  char *wavs[2];

  for (guint i = 0; i < 2; i++)
    {
      wavs[i] = g_strdup_printf ("%s/early-%s.wav", f->dir, i == 1 ? "srtp" : "rtp");
      runs[i] = start_call (uri, "--tone", "440", "--record", wavs[i], "--duration", "3",
                            i == 1 ? "--srtp" : NULL, NULL);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonObject) summary = finish_call (runs[i]);
      g_autoptr(GError) error = NULL;
      DtTestWav recording = { 0 };
      double answered_at;

      g_assert_cmpstr (json_object_get_string_member (summary, "result"), ==, "ok");
      if (i == 1)
        g_assert_cmpstr (json_object_get_string_member (summary, "srtp"), ==,
                         "AES_CM_128_HMAC_SHA1_80");
      /* Answered after the early media, which carried audio both ways. */
      g_assert_cmpint (json_object_get_int_member (summary, "setup_ms"), >=, 1900);
      g_assert_cmpint (json_object_get_int_member (summary, "early_media_packets"), >, 20);

      /* The recording starts with the early media and ends when the
       * caller hangs up, 3 s after the answer: what comes before the last
       * 3 s was heard while the call rang. */
      g_assert_true (dt_test_wav_load (wavs[i], &recording, &error));
      g_assert_no_error (error);
      answered_at = (double) recording.n_samples / recording.rate - 3.0;
      dt_test_wav_clear (&recording);
      g_test_message ("answered %.2f s into the recording", answered_at);
      /* Less the hang-up's own delay at the end, a few tenths of a
       * second. */
      g_assert_cmpfloat (answered_at, >=, 1.3);
      assert_tone (wavs[i], 0.2, answered_at - 0.5);
      assert_tone (wavs[i], answered_at + 0.5, answered_at + 2.5);
      g_free (wavs[i]);
    }
}

/* Waits until the helper reports each of @users registered; events of
 * other users (callers register too) are passed over. */
static void
wait_registered (Fixture           *f,
                 const char *const *users)
{
  guint n_users = g_strv_length ((GStrv) users);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while (g_hash_table_size (seen) < n_users)
    {
      JsonObject *registered = dt_test_helper_wait_event (f->helper, "registered");
      const char *user = json_object_get_string_member (registered, "user");

      if (g_strv_contains (users, user))
        g_hash_table_add (seen, g_strdup (user));
      json_object_unref (registered);
    }
}

/* alice calls bob and carol through the registrar with each codec, bob
 * with plain RTP and carol with SRTP (SDES keys end to end: the helper
 * passes the SDP through), both calls at once. alice sends 440 Hz and the
 * callees 660 Hz, and each side hears the other's tone. */
static void
test_two_callers_each_codec_and_srtp (Fixture       *f,
                                      gconstpointer  data)
{
  static const struct { const char *codec; const char *name; } codecs[] = {
    { "opus", "opus/48000" }, { "G722", "G722/8000" },
    { "PCMU", "PCMU/8000" }, { "PCMA", "PCMA/8000" },
  };
  static const char *const callees[] = { "bob", "carol", NULL };
  static const char *const passwords[] = { "bobpass", "carolpass" };
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", f->helper->port);

  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    {
      Run *callee_runs[2], *caller_runs[2];
      char *caller_wavs[2], *callee_wavs[2];

      for (guint k = 0; k < 2; k++)
        {
          g_autofree char *account = g_strdup_printf ("sip:%s@127.0.0.1", callees[k]);

          callee_wavs[k] = g_strdup_printf ("%s/%s-%s.wav", f->dir, callees[k], codecs[i].codec);
          callee_runs[k] = start_call ("--answer", "--account", account,
                                       "--password", passwords[k], "--server", server,
                                       "--tone", "660", "--record", callee_wavs[k],
                                       "--duration", "10", k == 1 ? "--srtp" : NULL, NULL);
        }
      wait_registered (f, callees);

      for (guint k = 0; k < 2; k++)
        {
          g_autofree char *target = g_strdup_printf ("sip:%s@127.0.0.1:%u", callees[k],
                                                     f->helper->port);

          caller_wavs[k] = g_strdup_printf ("%s/alice-to-%s-%s.wav", f->dir, callees[k],
                                            codecs[i].codec);
          caller_runs[k] = start_call (target, "--account", "sip:alice@127.0.0.1",
                                       "--password", "secret", "--server", server,
                                       "--tone", "440", "--record", caller_wavs[k],
                                       "--duration", "3", "--codec", codecs[i].codec,
                                       k == 1 ? "--srtp" : NULL, NULL);
        }

      for (guint k = 0; k < 2; k++)
        {
          g_autoptr(JsonObject) caller = finish_call (caller_runs[k]);
          g_autoptr(JsonObject) callee = finish_call (callee_runs[k]);

          g_test_message ("%s, %s", codecs[i].codec, k == 1 ? "SRTP" : "RTP");
          g_assert_cmpstr (json_object_get_string_member (caller, "end_reason"), ==,
                           "local-hangup");
          g_assert_cmpstr (json_object_get_string_member (callee, "end_reason"), ==,
                           "remote-hangup");
          g_assert_cmpstr (json_object_get_string_member (caller, "codec"), ==, codecs[i].name);
          g_assert_cmpstr (json_object_get_string_member (callee, "codec"), ==, codecs[i].name);
          if (k == 1)
            {
              g_assert_cmpstr (json_object_get_string_member (caller, "srtp"), ==,
                               "AES_CM_128_HMAC_SHA1_80");
              g_assert_cmpstr (json_object_get_string_member (callee, "srtp"), ==,
                               "AES_CM_128_HMAC_SHA1_80");
            }
          else
            {
              g_assert_null (json_object_get_string_member (caller, "srtp"));
              g_assert_null (json_object_get_string_member (callee, "srtp"));
            }
          assert_tone_at (caller_wavs[k], CALLEE_TONE_HZ, 0.5, 1.5);
          assert_tone_at (callee_wavs[k], TONE_HZ, 0.5, 1.5);
          g_free (caller_wavs[k]);
          g_free (callee_wavs[k]);
        }
    }
}

/* Bad options and unreachable targets: a summary that says so, or exit 2. */
static void
test_failures (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) bad = NULL;
  g_autofree char *nobody = g_strdup_printf ("sip:nobody@127.0.0.1:%u", f->helper->port);
  g_autoptr(JsonNode) node = NULL;
  Run *run;

  bad = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, g_getenv ("DIALTONE_HELPER"),
                          "call", "--tone", "-5", "sip:echo@127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (bad, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (bad), ==, 2);

  /* An unknown user: 404, and exit status 1. */
  run = start_call (nobody, "--duration", "1", NULL);
  g_assert_true (dt_test_iterate_until (run_done, run, 30 * 1000));
  g_assert_cmpint (g_subprocess_get_exit_status (run->process), ==, 1);
  node = json_from_string (run->out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "result"), ==,
                   "failed");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "end_reason"),
                   ==, "not-found");
  g_object_unref (run->process);
  g_free (run->out);
  g_free (run);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/helper-call/echo-each-codec", test_echo_each_codec);
  ADD ("/helper-call/two-callers-with-dtmf", test_two_callers_with_dtmf);
  ADD ("/helper-call/two-callers-each-codec-and-srtp", test_two_callers_each_codec_and_srtp);
  ADD ("/helper-call/echo-srtp-each-suite", test_echo_srtp_each_suite);
  ADD ("/helper-call/early-media", test_early_media);
  ADD ("/helper-call/failures", test_failures);
#undef ADD

  return g_test_run ();
}
