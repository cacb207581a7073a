/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-call.c
 *
 * Whole calls that carry sound, between real processes on loopback:
 * `dialtone-helper call` (the SIP backend and the media engine) against
 * `dialtone-helper serve`. What the caller records is read back and the
 * tone in it measured: the frequency within 2 Hz and the level within 1 dB
 * of what was sent, for every codec. Two callers through the helper's
 * registrar: the tone both ways and DTMF digits in order. And the JSON
 * summary's contract.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dt-test-audio.h"
#include "dt-test-helper.h"

#define TONE_HZ 440.0
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
  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass", NULL);
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
assert_tone (const char *path,
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
  level = dt_test_audio_tone_dbfs_median (samples, n, wav.rate, TONE_HZ);
  g_test_message ("%s: %.2f Hz at %.2f dBFS", path, frequency, level);
  g_assert_cmpfloat_with_epsilon (frequency, TONE_HZ, 2.0);
  g_assert_cmpfloat_with_epsilon (level, dt_test_audio_sine_dbfs (TONE_AMPLITUDE), 1.0);
  dt_test_wav_clear (&wav);
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
  ADD ("/helper-call/failures", test_failures);
#undef ADD

  return g_test_run ();
}
