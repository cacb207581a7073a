/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-interop-baresip.c
 *
 * baresip 1.0.0 (Debian's baresip-core), a SIP client nobody here wrote,
 * against dialtone-helper and Dialtone's SIP backend, on loopback: baresip
 * registers with the helper's registrar (digest), Dialtone calls baresip
 * through the helper and baresip answers by itself, and baresip calls
 * Dialtone, which answers.
 *
 * With audio, each way, with Opus and with PCMU forced on both sides:
 * Dialtone sends a 1000 Hz tone that must be in what baresip decoded (its
 * sndfile dump), at the level Dialtone sent, and baresip's 440 Hz ausine
 * must be in what Dialtone recorded, at the level of baresip's own dump of
 * what it encoded (frequency ±2 Hz, level ±1 dB). With SDES-SRTP
 * (RFC 4568) on both sides, the same tones, baresip reports SRTP on with
 * Dialtone's suite, and its SIP trace holds both of Dialtone's negotiated
 * keys. And RFC 4733 digits from Dialtone arrive at baresip in order.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "dt-sip-backend.h"
#include "dt-sip-call.h"
#include "dt-test-audio.h"
#include "dt-test-helper.h"

#define DEADLINE_S 20
#define DIALTONE_TONE_HZ 1000.0
/* audiotestsrc volume=0.3: −10.46 dBFS. */
#define DIALTONE_TONE_AMPLITUDE 0.3
#define BARESIP_TONE_HZ 440.0
/* 20 ms packets: 4 s of call before the measured window is over. */
#define CALL_PACKETS 200
/* The jitter buffers fill and the encoders settle in the first half
 * second; three seconds after that are measured. */
#define MEASURE_START_S 0.5
#define MEASURE_END_S 3.5

/* One call's media, the same on both sides: the codec as Dialtone's
 * dt_sip_backend_set_codec() names it, as baresip's `audio_codecs` names
 * it, and as the negotiated stats show it. */
typedef struct
{
  const char *codec;
  const char *baresip_codec;
  const char *negotiated;
  gboolean    srtp;
} Media;

static const Media opus_media = { "opus", "opus/48000/2", "opus/48000", FALSE };
static const Media pcmu_media = { "PCMU", "PCMU", "PCMU/8000", FALSE };
static const Media srtp_media = { "opus", "opus/48000/2", "opus/48000", TRUE };

typedef struct
{
  char         *dir;
  char         *snd_dir;
  char         *heard;
  const Media  *media;
  DtTestHelper *helper;
  DtSipBackend *backend;
  DtAccount    *alice;
  GSubprocess  *baresip;
  GPtrArray    *incoming;
} Fixture;

/* baresip listens on its SIP port for UDP and for TCP: a port that both
 * are free on, for now. */
static guint16
free_sip_port (void)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  for (guint attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr(GSocket) udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GSocket) tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocket) tls = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GSocketAddress) same = NULL;
      g_autoptr(GSocketAddress) next = NULL;
      guint16 port;

      g_assert_true (g_socket_bind (udp, any, FALSE, NULL));
      bound = g_socket_get_local_address (udp, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      if (port == G_MAXUINT16)
        continue;
      same = g_inet_socket_address_new (lo, port);
      next = g_inet_socket_address_new (lo, port + 1);
      /* baresip listens for SIP over TLS on the port after sip_listen's. */
      if (g_socket_bind (tcp, same, FALSE, NULL) && g_socket_bind (tls, next, FALSE, NULL))
        return port;
    }
  g_error ("no loopback port free for UDP and TCP, with the next one free for TLS");
}

/* A headless baresip: ausine as the microphone (it insists on 48 kHz
 * stereo), no player, auto-answer, registering as carol. sndfile dumps
 * what it encodes and what it decodes into snd_dir; with SRTP, `-s`
 * traces the SIP messages. */
static void
start_baresip (Fixture    *f,
               const char *command)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *accounts = g_build_filename (f->dir, "accounts", NULL);
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *config_text = NULL;
  g_autofree char *account_text = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  config_text = g_strdup_printf ("poll_method epoll\n"
                                 "sip_listen 127.0.0.1:%u\n"
                                 "module_path /usr/lib/baresip/modules\n"
                                 "module g711.so\n"
                                 "module opus.so\n"
                                 "module ausine.so\n"
                                 "module sndfile.so\n"
                                 "module srtp.so\n"
                                 "module_tmp account.so\n"
                                 "module_app menu.so\n"
                                 "audio_source ausine,%g\n"
                                 "ausrc_srate 48000\n"
                                 "ausrc_channels 2\n"
                                 "snd_path %s\n",
                                 free_sip_port (), BARESIP_TONE_HZ, f->snd_dir);
  /* baresip names a codec with its rate and channels when it has them. */
  account_text = g_strdup_printf ("<sip:carol@127.0.0.1:%u>;auth_pass=carolpass;"
                                  "answermode=auto;regint=60%s%s%s\n", f->helper->port,
                                  f->media ? ";audio_codecs=" : "",
                                  f->media ? f->media->baresip_codec : "",
                                  f->media && f->media->srtp ? ";mediaenc=srtp" : "");
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  g_assert_true (g_file_set_contents (accounts, account_text, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_ptr_array_add (argv, (char *) "baresip");
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, f->dir);
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, (char *) "30");
  if (f->media != NULL && f->media->srtp)
    g_ptr_array_add (argv, (char *) "-s");
  if (command != NULL)
    {
      g_ptr_array_add (argv, (char *) "-e");
      g_ptr_array_add (argv, (char *) command);
    }
  g_ptr_array_add (argv, NULL);
  f->baresip = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                             &error);
  g_assert_no_error (error);
}

static void
on_incoming_call (DtBackend *backend,
                  DtAccount *account,
                  DtCall    *call,
                  gpointer   user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->incoming, g_object_ref (call));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *server = NULL;
  g_autofree char *sink = NULL;
  g_autofree char *source = NULL;
  g_autoptr(DtAudioConfig) audio = dt_audio_config_new ();

  f->media = data;
  f->dir = g_dir_make_tmp ("dialtone-baresip-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->snd_dir = g_build_filename (f->dir, "snd", NULL);
  g_assert_cmpint (g_mkdir (f->snd_dir, 0700), ==, 0);
  f->heard = g_build_filename (f->dir, "dialtone-heard.wav", NULL);
  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "carol:carolpass",
                                    NULL);
  f->backend = dt_sip_backend_new ();
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->backend, "incoming-call", G_CALLBACK (on_incoming_call), f);

  /* Dialtone's ends: a tone out, a WAV file in, and no DSP reshaping the
   * tone. The directory is ours, so the path needs no quoting. */
  source = g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=%g volume=%g",
                            DIALTONE_TONE_HZ, DIALTONE_TONE_AMPLITUDE);
  sink = g_strdup_printf ("wavenc ! filesink location=%s", f->heard);
  dt_audio_config_set_source_description (audio, source);
  dt_audio_config_set_sink_description (audio, sink);
  dt_audio_config_set_echo_cancel (audio, FALSE);
  dt_audio_config_set_noise_suppression (audio, FALSE);
  dt_audio_config_set_gain_control (audio, FALSE);
  dt_sip_backend_set_audio_config (f->backend, audio);
  if (f->media != NULL)
    dt_sip_backend_set_codec (f->backend, f->media->codec);
  if (f->media != NULL && f->media->srtp)
    dt_sip_backend_set_srtp_policy (f->backend, DT_SDP_SRTP_REQUIRED);

  server = g_strdup_printf ("sip:127.0.0.1:%u", f->helper->port);
  f->alice = dt_account_new ("alice", "sip");
  dt_account_set_identity (f->alice, "sip:alice@127.0.0.1");
  dt_account_set_server (f->alice, server);
  dt_account_set_transport (f->alice, DT_TRANSPORT_UDP);
  dt_sip_backend_set_password (f->backend, "alice", "secret");
}

static void
on_baresip_waited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM, and SIGKILL for a baresip that does not heed it: one whose
 * transports failed may not. Returns once it is gone. */
static void
end_baresip (Fixture *f)
{
  gboolean gone = FALSE;

  g_subprocess_wait_async (f->baresip, NULL, on_baresip_waited, &gone);
  g_subprocess_send_signal (f->baresip, SIGTERM);
  if (!dt_test_iterate_until (dt_test_flag_set, &gone, DEADLINE_S * 1000))
    g_subprocess_force_exit (f->baresip);
  while (!gone)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);
  g_autofree char *contents = NULL;

  if (f->baresip != NULL)
    {
      end_baresip (f);
      g_clear_object (&f->baresip);
    }
  if (g_test_failed () && g_file_get_contents (log, &contents, NULL, NULL))
    g_test_message ("baresip said:\n%s", contents);
  g_ptr_array_unref (f->incoming);
  g_clear_object (&f->alice);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->backend);
  dt_test_helper_stop (f->helper);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->heard);
  g_free (f->snd_dir);
  g_free (f->dir);
}

typedef struct
{
  gboolean  done;
  GError   *error;
  DtCall   *call;
} Result;

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  dt_backend_connect_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;

  r->call = dt_backend_dial_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Result *) user_data)->done = TRUE;
}

static void
wait_done (Result *r)
{
  g_assert_true (dt_test_iterate_until (result_done, r, DEADLINE_S * 1000));
}

typedef struct
{
  DtCall      *call;
  DtCallState  state;
} StateWait;

static gboolean
call_in_state (gpointer data)
{
  StateWait *wait = data;

  return dt_call_get_state (wait->call) == wait->state;
}

static void
wait_call_state (DtCall      *call,
                 DtCallState  state)
{
  StateWait wait = { call, state };

  g_assert_true (dt_test_iterate_until (call_in_state, &wait, DEADLINE_S * 1000));
}

static gboolean
have_incoming (gpointer data)
{
  return ((Fixture *) data)->incoming->len > 0;
}

static void
connect_alice (Fixture *f)
{
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), f->alice, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_no_error (r.error);
}

/* GSubprocess reaps its child on GLib's worker thread and forgets the pid. */
static gboolean
baresip_gone (Fixture *f)
{
  return g_subprocess_get_identifier (f->baresip) == NULL;
}

/* Gone, or alive without a user agent: baresip 1.0.0 keeps running when
 * its SIP transport could not bind. */
static gboolean
baresip_unusable (Fixture *f)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *contents = NULL;

  if (baresip_gone (f))
    return TRUE;
  return g_file_get_contents (log, &contents, NULL, NULL)
         && strstr (contents, "ua: init failed") != NULL;
}

static gboolean
carol_registered_or_unusable (gpointer data)
{
  Fixture *f = data;

  for (GList *l = f->helper->events.head; l != NULL; l = l->next)
    {
      JsonObject *event = l->data;

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL),
                     "registered") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (event, "user", NULL),
                        "carol") == 0)
        return TRUE;
    }
  return baresip_unusable (f);
}

static void
dump_baresip_log (Fixture *f)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *contents = NULL;

  if (g_file_get_contents (log, &contents, NULL, NULL))
    g_printerr ("baresip said:\n%s\n", contents);
}

/* baresip listens on a port picked just before it starts; should another
 * process take that port first, baresip fails, and one more start with a
 * fresh port tells that race from a real failure. @command runs once
 * baresip is up (a dial goes out whether or not the registration is
 * through yet). */
static void
wait_carol_registered (Fixture    *f,
                       const char *command)
{
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      gboolean in_time;

      start_baresip (f, command);
      in_time = dt_test_iterate_until (carol_registered_or_unusable, f, DEADLINE_S * 1000);
      if (in_time && !baresip_unusable (f))
        return;
      dump_baresip_log (f);
      if (!in_time)
        break;
      g_test_message ("baresip failed before it registered; starting it again");
      end_baresip (f);
      g_clear_object (&f->baresip);
    }
  g_error ("baresip did not register with the helper within %d s", DEADLINE_S);
}

/* RFC 3261 §22: baresip answers the helper's challenge and is registered. */
static void
test_baresip_registers (Fixture       *f,
                        gconstpointer  data)
{
  wait_carol_registered (f, NULL);
}

/* Dialtone calls carol; the helper finds baresip's binding, baresip
 * answers by itself; Dialtone hangs up. */
static void
test_dialtone_calls_baresip (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };
  JsonObject *ended;

  wait_carol_registered (f, NULL);
  connect_alice (f);

  dt_backend_dial_async (DT_BACKEND (f->backend), f->alice, "carol", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  /* baresip has opus, PCMU and PCMA; Dialtone offers Opus first. */
  g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (call)), ==, "opus/48000");

  dt_call_hangup_async (call, NULL, on_done, &hangup);
  wait_done (&hangup);
  ended = dt_test_helper_wait_event (f->helper, "call-ended");
  json_object_unref (ended);
}

/* baresip dials alice at start-up; Dialtone rings and answers; baresip
 * is stopped, which hangs up. */
static void
test_baresip_calls_dialtone (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *dial = NULL;
  g_autofree char *carol = NULL;
  DtCall *incoming;
  Result answer = { 0 };

  connect_alice (f);
  dial = g_strdup_printf ("/dial sip:alice@127.0.0.1:%u", f->helper->port);
  wait_carol_registered (f, dial);

  g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
  incoming = g_ptr_array_index (f->incoming, 0);
  g_assert_cmpint (dt_call_get_direction (incoming), ==, DT_CALL_DIRECTION_INCOMING);
  /* baresip's address of record, as its account line names it. */
  carol = g_strdup_printf ("sip:carol@127.0.0.1:%u", f->helper->port);
  g_assert_cmpstr (dt_call_get_peer_uri (incoming), ==, carol);
  dt_call_answer_async (incoming, NULL, on_done, &answer);
  wait_done (&answer);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);

  g_subprocess_send_signal (f->baresip, SIGTERM);
  wait_call_state (incoming, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (incoming), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
}

/* --- calls with audio --------------------------------------------------- */

typedef struct
{
  DtCall  *call;
  guint64  packets;
} PacketWait;

/* Both ways, as a slow machine may hold up one direction only. */
static gboolean
enough_packets (gpointer data)
{
  PacketWait *wait = data;
  DtCallStats *stats = dt_call_get_stats (wait->call);

  return dt_call_stats_get_packets_received (stats) >= wait->packets
         && dt_call_stats_get_packets_sent (stats) >= wait->packets;
}

/* The call carries audio both ways until Dialtone has sent CALL_PACKETS
 * and had as many of baresip's; then Dialtone hangs up. */
static void
run_call_and_hang_up (Fixture *f,
                      DtCall  *call)
{
  PacketWait wait = { call, CALL_PACKETS };
  Result hangup = { 0 };

  g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (call)), ==,
                   f->media->negotiated);
  g_assert_true (dt_test_iterate_until (enough_packets, &wait, DEADLINE_S * 1000));
  dt_call_hangup_async (call, NULL, on_done, &hangup);
  wait_done (&hangup);
  wait_call_state (call, DT_CALL_STATE_ENDED);
}

/* baresip is stopped once its call is over: sndfile writes its WAV
 * headers as the call closes, so every dump is whole once it has exited.
 * The log is read back after that. */
static char *
stop_baresip (Fixture *f)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  char *contents = NULL;

  end_baresip (f);
  g_assert_true (g_subprocess_get_if_exited (f->baresip));
  g_clear_object (&f->baresip);
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  return contents;
}

/* sndfile's dump of one direction: dump-<time>-enc.wav (what baresip sent,
 * before encoding) or dump-<time>-dec.wav (what it heard, decoded). One
 * call, so one of each. */
static char *
find_dump (Fixture    *f,
           const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (f->snd_dir, 0, NULL);
  char *found = NULL;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "dump-") && g_str_has_suffix (name, suffix))
      {
        g_assert_null (found);
        found = g_build_filename (f->snd_dir, name, NULL);
      }
  if (found == NULL)
    g_error ("baresip wrote no *%s in %s", suffix, f->snd_dir);
  return found;
}

/* The tone in the measured window of @path: its frequency and the median
 * level of its 100 ms blocks. */
static void
measure_tone (const char *path,
              double      frequency,
              double     *found_frequency,
              double     *level)
{
  g_autoptr(GError) error = NULL;
  DtTestWav wav = { 0 };
  const float *samples;
  gsize n;

  g_assert_true (dt_test_wav_load (path, &wav, &error));
  g_assert_no_error (error);
  if (!dt_test_wav_slice (&wav, MEASURE_START_S, MEASURE_END_S, &samples, &n))
    g_error ("%s holds %.2f s at %u Hz, less than the %.1f s measured", path,
             (double) wav.n_samples / wav.rate, wav.rate, MEASURE_END_S);
  *found_frequency = dt_test_audio_dominant_frequency (samples, n, wav.rate);
  *level = dt_test_audio_tone_dbfs_median (samples, n, wav.rate, frequency);
  g_test_message ("%s: %u Hz, %.2f Hz at %.2f dBFS", path, wav.rate, *found_frequency, *level);
  dt_test_wav_clear (&wav);
}

/* Each side heard the other's tone: baresip what Dialtone sent, Dialtone
 * what baresip's own dump says it sent. */
static void
assert_tones_both_ways (Fixture *f)
{
  g_autofree char *baresip_sent = find_dump (f, "-enc.wav");
  g_autofree char *baresip_heard = find_dump (f, "-dec.wav");
  double frequency, level, sent_frequency, sent_level;

  measure_tone (baresip_heard, DIALTONE_TONE_HZ, &frequency, &level);
  g_assert_cmpfloat_with_epsilon (frequency, DIALTONE_TONE_HZ, 2.0);
  g_assert_cmpfloat_with_epsilon (level, dt_test_audio_sine_dbfs (DIALTONE_TONE_AMPLITUDE), 1.0);

  measure_tone (baresip_sent, BARESIP_TONE_HZ, &sent_frequency, &sent_level);
  g_assert_cmpfloat_with_epsilon (sent_frequency, BARESIP_TONE_HZ, 2.0);
  measure_tone (f->heard, BARESIP_TONE_HZ, &frequency, &level);
  g_assert_cmpfloat_with_epsilon (frequency, BARESIP_TONE_HZ, 2.0);
  g_assert_cmpfloat_with_epsilon (level, sent_level, 1.0);
}

static DtCall *
dialtone_dials_carol (Fixture *f)
{
  Result dial = { 0 };

  wait_carol_registered (f, NULL);
  connect_alice (f);
  dt_backend_dial_async (DT_BACKEND (f->backend), f->alice, "carol", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  wait_call_state (dial.call, DT_CALL_STATE_ACTIVE);
  return dial.call;
}

static DtCall *
carol_dials_dialtone (Fixture *f)
{
  g_autofree char *dial = NULL;
  Result answer = { 0 };
  DtCall *incoming;

  connect_alice (f);
  dial = g_strdup_printf ("/dial sip:alice@127.0.0.1:%u", f->helper->port);
  wait_carol_registered (f, dial);
  g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
  incoming = g_ptr_array_index (f->incoming, 0);
  dt_call_answer_async (incoming, NULL, on_done, &answer);
  wait_done (&answer);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);
  return g_object_ref (incoming);
}

/* Dialtone calls baresip, with the fixture's codec on both sides. */
static void
test_audio_dialtone_calls_baresip (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(DtCall) call = dialtone_dials_carol (f);

  run_call_and_hang_up (f, call);
  g_free (stop_baresip (f));
  assert_tones_both_ways (f);
}

/* baresip calls Dialtone, with the fixture's codec on both sides. */
static void
test_audio_baresip_calls_dialtone (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(DtCall) call = carol_dials_dialtone (f);

  run_call_and_hang_up (f, call);
  g_free (stop_baresip (f));
  assert_tones_both_ways (f);
}

/* The `a=crypto` key parameter for @key_salt (RFC 4568 §6.1). */
static char *
inline_key (GBytes *key_salt)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (key_salt, &length);
  g_autofree char *base64 = g_base64_encode (data, length);

  return g_strdup_printf ("inline:%s", base64);
}

/* RFC 4568 SDES: baresip with `mediaenc=srtp` calls Dialtone, which
 * requires SRTP. baresip's SIP trace holds the key Dialtone took from its
 * offer and the key Dialtone encrypts with, which only Dialtone's answer
 * could have brought; baresip reports SRTP on with Dialtone's suite. The
 * tones then prove that each side decrypted the other: SRTP packets are
 * no RTP a plain receiver could decode, and plain RTP fails SRTP
 * authentication (RFC 3711 §3.3). */
static void
test_srtp (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(DtCall) call = carol_dials_dialtone (f);
  const DtSdpNegotiated *negotiated;
  g_autofree char *log = NULL;
  g_autofree char *enabled = NULL;
  g_autofree char *dialtone_key = NULL;
  g_autofree char *baresip_key = NULL;

  negotiated = dt_sip_call_get_negotiated (DT_SIP_CALL (call));
  g_assert_nonnull (negotiated);
  g_assert_nonnull (negotiated->srtp_suite);
  g_assert_nonnull (negotiated->local_key);
  g_assert_nonnull (negotiated->remote_key);
  dialtone_key = inline_key (negotiated->local_key);
  baresip_key = inline_key (negotiated->remote_key);
  g_assert_cmpstr (dialtone_key, !=, baresip_key);
  run_call_and_hang_up (f, call);
  log = stop_baresip (f);

  enabled = g_strdup_printf ("SRTP is Enabled (cryptosuite=%s)", negotiated->srtp_suite);
  if (strstr (log, enabled) == NULL || strstr (log, dialtone_key) == NULL
      || strstr (log, baresip_key) == NULL)
    g_error ("baresip's log lacks “%s”, Dialtone's %s or baresip's %s:\n%s", enabled,
             dialtone_key, baresip_key, log);
  assert_tones_both_ways (f);
}

/* baresip's log has "received event: 'D' (end=0)" when an RFC 4733 event
 * for digit D starts, then one with end=1; the digits in order. */
static char *
digits_received (const char *log)
{
  GString *digits = g_string_new (NULL);
  const char *marker = "received event: '";

  for (const char *p = strstr (log, marker); p != NULL; p = strstr (p + 1, marker))
    {
      const char *digit = p + strlen (marker);

      if (digit[0] != '\0' && g_str_has_prefix (digit + 1, "' (end=0)"))
        g_string_append_c (digits, digit[0]);
    }
  return g_string_free (digits, FALSE);
}

typedef struct
{
  Fixture    *f;
  const char *expected;
} DigitWait;

static gboolean
baresip_has_digits (gpointer data)
{
  DigitWait *wait = data;
  g_autofree char *path = g_build_filename (wait->f->dir, "baresip.log", NULL);
  g_autofree char *log = NULL;
  g_autofree char *digits = NULL;

  if (!g_file_get_contents (path, &log, NULL, NULL))
    return FALSE;
  digits = digits_received (log);
  return strlen (digits) >= strlen (wait->expected);
}

/* Dialtone sends "1234#" into a call baresip answered; baresip reports
 * each digit once, in order. */
static void
test_dtmf_to_baresip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DtCall) call = dialtone_dials_carol (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  g_autofree char *digits = NULL;
  DigitWait wait = { f, "1234#" };
  Result hangup = { 0 };

  g_assert_true (dt_call_send_dtmf (call, wait.expected, &error));
  g_assert_no_error (error);
  g_assert_true (dt_test_iterate_until (baresip_has_digits, &wait, DEADLINE_S * 1000));
  dt_call_hangup_async (call, NULL, on_done, &hangup);
  wait_done (&hangup);
  wait_call_state (call, DT_CALL_STATE_ENDED);
  log = stop_baresip (f);
  digits = digits_received (log);
  g_assert_cmpstr (digits, ==, wait.expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/interop/baresip/registers", test_baresip_registers);
  ADD ("/interop/baresip/dialtone-calls-baresip", test_dialtone_calls_baresip);
  ADD ("/interop/baresip/baresip-calls-dialtone", test_baresip_calls_dialtone);
#undef ADD
#define ADD_MEDIA(path, media, func) \
  g_test_add (path, Fixture, media, fixture_setup, func, fixture_teardown)
  ADD_MEDIA ("/interop/baresip/audio/dialtone-calls-baresip/opus", &opus_media,
             test_audio_dialtone_calls_baresip);
  ADD_MEDIA ("/interop/baresip/audio/dialtone-calls-baresip/PCMU", &pcmu_media,
             test_audio_dialtone_calls_baresip);
  ADD_MEDIA ("/interop/baresip/audio/baresip-calls-dialtone/opus", &opus_media,
             test_audio_baresip_calls_dialtone);
  ADD_MEDIA ("/interop/baresip/audio/baresip-calls-dialtone/PCMU", &pcmu_media,
             test_audio_baresip_calls_dialtone);
  ADD_MEDIA ("/interop/baresip/srtp", &srtp_media, test_srtp);
  ADD_MEDIA ("/interop/baresip/dtmf-to-baresip", &pcmu_media, test_dtmf_to_baresip);
#undef ADD_MEDIA

  return g_test_run ();
}
