/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-helper-call.c
 *
 * `dialtone-helper call`: a headless caller or answerer built on the same
 * SIP backend and media engine as the app. It plays a tone or a WAV file,
 * records what it hears, sends DTMF, and prints one JSON summary; see
 * dialtone-helper(1) for the contract.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "dt-audio-config.h"
#include "dt-helper-call.h"
#include "dt-rtp-session.h"
#include "dt-sip-backend.h"
#include "dt-sip-call.h"

#define DEFAULT_DURATION_S 5
/* RFC 4733 §2.5.1.5 leaves the length to the sender; 100 ms tones with
 * gaps are what keypads send. */
#define DTMF_TONE_MS 100
#define DTMF_GAP_MS 150

typedef struct
{
  GMainLoop     *loop;
  DtSipBackend  *backend;
  DtAccount     *account;
  DtCall        *call;
  char          *target;
  gboolean       answer;
  guint          duration_s;
  char          *dtmf;
  guint          dtmf_next;
  gint64         dial_time;
  gint64         established_time;
  gint64         early_packets;    /* received while ringing (early media), or -1 */
  guint          duration_timer;
  guint          dtmf_timer;
  char          *error;
  int            status;
} CallRun;

static void
finish (CallRun    *run,
        const char *error)
{
  if (error != NULL && run->error == NULL)
    run->error = g_strdup (error);
  g_main_loop_quit (run->loop);
}

/* The SDES suite the call's media was encrypted with, or NULL for RTP. */
static const char *
srtp_suite_of (DtCall *call)
{
  const DtSdpNegotiated *negotiated;

  if (call == NULL || !DT_SIP_IS_CALL (call))
    return NULL;
  negotiated = dt_sip_call_get_negotiated (DT_SIP_CALL (call));
  return negotiated ? negotiated->srtp_suite : NULL;
}

static void
print_summary (CallRun *run)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  DtCallStats *stats = run->call ? dt_call_get_stats (run->call) : NULL;
  gboolean ok = run->call != NULL && run->established_time != 0 && run->error == NULL;
  DtCallEndReason reason = run->call ? dt_call_get_end_reason (run->call)
                                     : DT_CALL_END_REASON_NONE;

  ok = ok && (reason == DT_CALL_END_REASON_LOCAL_HANGUP
              || reason == DT_CALL_END_REASON_REMOTE_HANGUP);
  run->status = ok ? 0 : 1;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "result");
  json_builder_add_string_value (builder, ok ? "ok" : "failed");
  json_builder_set_member_name (builder, "end_reason");
  json_builder_add_string_value (builder, reason != DT_CALL_END_REASON_NONE
                                          ? dt_call_end_reason_to_string (reason) : NULL);
  if (run->error != NULL || (run->call && dt_call_get_end_message (run->call)))
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, run->error ? run->error
                                                         : dt_call_get_end_message (run->call));
    }
  json_builder_set_member_name (builder, "setup_ms");
  if (run->established_time != 0)
    json_builder_add_int_value (builder, (run->established_time - run->dial_time) / 1000);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "codec");
  json_builder_add_string_value (builder, stats ? dt_call_stats_get_codec (stats) : NULL);
  json_builder_set_member_name (builder, "srtp");
  json_builder_add_string_value (builder, srtp_suite_of (run->call));
  json_builder_set_member_name (builder, "early_media_packets");
  json_builder_add_int_value (builder, MAX (run->early_packets, 0));
  json_builder_set_member_name (builder, "packets_sent");
  json_builder_add_int_value (builder, stats ? (gint64) dt_call_stats_get_packets_sent (stats) : 0);
  json_builder_set_member_name (builder, "packets_received");
  json_builder_add_int_value (builder,
                              stats ? (gint64) dt_call_stats_get_packets_received (stats) : 0);
  json_builder_set_member_name (builder, "packets_lost");
  json_builder_add_int_value (builder, stats ? (gint64) dt_call_stats_get_packets_lost (stats) : 0);
  json_builder_set_member_name (builder, "jitter_ms");
  json_builder_add_double_value (builder, stats ? dt_call_stats_get_jitter_ms (stats) : 0);
  json_builder_set_member_name (builder, "rtt_ms");
  json_builder_add_double_value (builder, stats ? dt_call_stats_get_rtt_ms (stats) : 0);
  json_builder_set_member_name (builder, "mos");
  json_builder_add_double_value (builder, stats ? dt_call_stats_get_mos (stats) : 0);
  json_builder_set_member_name (builder, "dtmf_received");
  json_builder_add_string_value (builder, run->call && dt_call_get_dtmf_received (run->call)
                                          ? dt_call_get_dtmf_received (run->call) : "");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  g_print ("%s\n", text);
}

/* --- the call ----------------------------------------------------------- */

static void
on_hung_up (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  dt_call_hangup_finish (DT_CALL (source), result, NULL);
}

static gboolean
on_duration_over (gpointer user_data)
{
  CallRun *run = user_data;

  run->duration_timer = 0;
  dt_call_hangup_async (run->call, NULL, on_hung_up, run);
  return G_SOURCE_REMOVE;
}

static gboolean
on_dtmf_tick (gpointer user_data)
{
  CallRun *run = user_data;
  g_autoptr(GError) error = NULL;
  char digit[2] = { 0, 0 };

  if (run->dtmf[run->dtmf_next] == '\0')
    {
      run->dtmf_timer = 0;
      return G_SOURCE_REMOVE;
    }
  digit[0] = run->dtmf[run->dtmf_next++];
  if (!dt_call_send_dtmf (run->call, digit, &error))
    {
      g_printerr ("dialtone-helper: DTMF %s not sent: %s\n", digit, error->message);
      run->dtmf_timer = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_call_state (DtCall     *call,
               GParamSpec *pspec,
               gpointer    user_data)
{
  CallRun *run = user_data;

  switch (dt_call_get_state (call))
    {
    case DT_CALL_STATE_ACTIVE:
      if (run->established_time == 0)
        {
          /* RFC 3261 §13.2.1: what came with a 180/183 before the answer. */
          if (DT_SIP_IS_CALL (call) && dt_sip_call_get_media (DT_SIP_CALL (call)) != NULL)
            run->early_packets =
              (gint64) dt_call_stats_get_packets_received (dt_call_get_stats (call));
          run->established_time = g_get_monotonic_time ();
          run->duration_timer = g_timeout_add_seconds (run->duration_s, on_duration_over, run);
          if (run->dtmf != NULL && run->dtmf[0] != '\0')
            run->dtmf_timer = g_timeout_add (DTMF_TONE_MS + DTMF_GAP_MS, on_dtmf_tick, run);
        }
      break;
    case DT_CALL_STATE_ENDED:
      finish (run, NULL);
      break;
    case DT_CALL_STATE_DIALING:
    case DT_CALL_STATE_RINGING:
    case DT_CALL_STATE_HELD:
    default:
      break;
    }
}

static void
take_call (CallRun *run,
           DtCall  *call)
{
  run->call = g_object_ref (call);
  g_signal_connect (call, "notify::state", G_CALLBACK (on_call_state), run);
  on_call_state (call, NULL, run);
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CallRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;

  call = dt_backend_dial_finish (DT_BACKEND (source), result, &error);
  if (call == NULL)
    {
      finish (run, error->message);
      return;
    }
  take_call (run, call);
}

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CallRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_call_answer_finish (DT_CALL (source), result, &error))
    finish (run, error->message);
}

static void
on_incoming_call (DtBackend *backend,
                  DtAccount *account,
                  DtCall    *call,
                  gpointer   user_data)
{
  CallRun *run = user_data;

  if (run->call != NULL)
    {
      /* One call is what this command is for. */
      dt_call_decline_async (call, NULL, NULL, NULL);
      return;
    }
  run->dial_time = g_get_monotonic_time ();
  take_call (run, call);
  dt_call_answer_async (call, NULL, on_answered, run);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CallRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_backend_connect_finish (DT_BACKEND (source), result, &error))
    {
      finish (run, error->message);
      return;
    }
  if (run->answer)
    return;
  run->dial_time = g_get_monotonic_time ();
  dt_backend_dial_async (DT_BACKEND (run->backend), run->account, run->target, NULL,
                         on_dialled, run);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  CallRun *run = user_data;

  if (run->call != NULL && dt_call_state_is_live (dt_call_get_state (run->call)))
    dt_call_hangup_async (run->call, NULL, on_hung_up, run);
  else
    finish (run, "Interrupted");
  return G_SOURCE_CONTINUE;
}

/* --- options ------------------------------------------------------------ */

static int
usage_error (GOptionContext *context,
             const char     *format,
             ...) G_GNUC_PRINTF (2, 3);

static int
usage_error (GOptionContext *context,
             const char     *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("dialtone-helper call: %s\nTry “dialtone-helper call --help”.\n", message);
  g_option_context_free (context);
  return 2;
}

/* A value for gst_parse_launch(): in double quotes, with \ and " escaped. */
static char *
gst_quote (const char *text)
{
  GString *quoted = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *p);
    }
  g_string_append_c (quoted, '"');
  return g_string_free (quoted, FALSE);
}

static char *
host_port_of (const char *uri)
{
  const char *at = strchr (uri, '@');
  const char *start = at ? at + 1 : strchr (uri, ':') ? strchr (uri, ':') + 1 : uri;
  gsize length = strcspn (start, ";?>");

  return g_strndup (start, length);
}

/**
 * dt_helper_call_main:
 *
 * Runs `dialtone-helper call`.
 *
 * Returns: the exit status: 0 when the call was established and ended
 *   normally, 1 when it was not, 2 for bad options
 */
int
dt_helper_call_main (int    argc,
                     char **argv)
{
  g_autofree char *account_uri = NULL;
  g_autofree char *password = NULL;
  g_autofree char *server = NULL;
  g_autofree char *transport = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *play = NULL;
  g_autofree char *record = NULL;
  g_autofree char *codec = NULL;
  g_autofree char *dtmf = NULL;
  g_autofree char *srtp_suite = NULL;
  double tone = 0;
  int duration = DEFAULT_DURATION_S;
  gboolean answer = FALSE;
  gboolean srtp = FALSE;
  GOptionEntry entries[] = {
    { "account", 0, 0, G_OPTION_ARG_STRING, &account_uri,
      "Our address (default sip:dialtone-helper@ the target's host)", "URI" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password,
      "Register the account with this password first", "P" },
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      "The SIP server (default the account's domain)", "HOST[:PORT]" },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &transport, "udp, tcp or tls", "T" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Trust this CA for TLS", "FILE" },
    { "answer", 0, 0, G_OPTION_ARG_NONE, &answer, "Wait for one incoming call and answer it",
      NULL },
    { "tone", 0, 0, G_OPTION_ARG_DOUBLE, &tone, "Send a sine tone of this frequency", "HZ" },
    { "play", 0, 0, G_OPTION_ARG_FILENAME, &play, "Send this WAV file", "FILE.wav" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record, "Record what is heard", "FILE.wav" },
    { "duration", 0, 0, G_OPTION_ARG_INT, &duration,
      "Hang up this long after the call is up (default 5)", "SECONDS" },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &dtmf, "Send these digits once the call is up",
      "DIGITS" },
    { "codec", 0, 0, G_OPTION_ARG_STRING, &codec, "Offer only opus, G722, PCMU or PCMA", "NAME" },
    { "srtp", 0, 0, G_OPTION_ARG_NONE, &srtp, "Require SRTP (SDES keys)", NULL },
    { "srtp-suite", 0, 0, G_OPTION_ARG_STRING, &srtp_suite,
      "Offer only this SDES suite: AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32", "NAME" },
    { NULL }
  };
  GOptionContext *context;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtAudioConfig) audio = dt_audio_config_new ();
  CallRun run = { 0 };
  DtTransport account_transport = DT_TRANSPORT_AUTO;
  guint sigint, sigterm;

  context = g_option_context_new ("[URI] - place or answer one call");
  g_option_context_set_summary (context, "dialtone-helper call [OPTION…] URI\n"
                                         "dialtone-helper call --answer --account URI "
                                         "--password P [OPTION…]");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, "%s", error->message);

  if (!answer && argc != 2)
    return usage_error (context, "give the one URI to call");
  if (answer && argc != 1)
    return usage_error (context, "--answer takes no URI");
  if (answer && (account_uri == NULL || password == NULL))
    return usage_error (context, "--answer needs --account and --password, to register");
  if (duration <= 0)
    return usage_error (context, "--duration must be a positive number of seconds");
  if (tone != 0 && play != NULL)
    return usage_error (context, "--tone and --play are two sources; give one");
  if (tone < 0 || tone > 20000)
    return usage_error (context, "--tone %g: give a frequency between 1 and 20000 Hz", tone);
  if (transport != NULL)
    {
      if (g_ascii_strcasecmp (transport, "udp") == 0)
        account_transport = DT_TRANSPORT_UDP;
      else if (g_ascii_strcasecmp (transport, "tcp") == 0)
        account_transport = DT_TRANSPORT_TCP;
      else if (g_ascii_strcasecmp (transport, "tls") == 0)
        account_transport = DT_TRANSPORT_TLS;
      else
        return usage_error (context, "--transport %s: udp, tcp or tls", transport);
    }
  if (codec != NULL && !dt_sip_backend_codec_is_known (codec))
    return usage_error (context, "--codec %s: opus, G722, PCMU or PCMA", codec);
  if (srtp_suite != NULL && g_strcmp0 (srtp_suite, "AES_CM_128_HMAC_SHA1_80") != 0
      && g_strcmp0 (srtp_suite, "AES_CM_128_HMAC_SHA1_32") != 0)
    return usage_error (context,
                        "--srtp-suite %s: AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32",
                        srtp_suite);
  if (srtp_suite != NULL && !srtp)
    return usage_error (context, "--srtp-suite goes with --srtp");
  g_option_context_free (context);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.early_packets = -1;
  run.answer = answer;
  run.duration_s = (guint) duration;
  run.dtmf = g_strdup (dtmf);
  run.target = answer ? NULL : g_strdup (argv[1]);

  if (account_uri == NULL)
    {
      g_autofree char *host = host_port_of (run.target);

      account_uri = g_strdup_printf ("sip:dialtone-helper@%s", host);
      if (server == NULL)
        server = g_strdup (host);
    }

  /* The audio ends: a tone or a file in, a file (or nothing) out. */
  if (tone > 0)
    {
      g_autofree char *source = g_strdup_printf ("audiotestsrc is-live=true wave=sine "
                                                 "freq=%g volume=0.3", tone);

      dt_audio_config_set_source_description (audio, source);
    }
  else if (play != NULL)
    {
      g_autofree char *quoted = gst_quote (play);
      g_autofree char *source = g_strdup_printf ("filesrc location=%s ! wavparse ! "
                                                 "audioconvert ! audioresample ! "
                                                 "identity sync=true", quoted);

      dt_audio_config_set_source_description (audio, source);
    }
  else if (dt_audio_config_get_source_description (audio) == NULL)
    {
      dt_audio_config_set_source_description (audio, "audiotestsrc is-live=true wave=silence");
    }
  if (record != NULL)
    {
      g_autofree char *quoted = gst_quote (record);
      g_autofree char *sink = g_strdup_printf ("wavenc ! filesink location=%s", quoted);

      dt_audio_config_set_sink_description (audio, sink);
    }
  else if (dt_audio_config_get_sink_description (audio) == NULL)
    {
      dt_audio_config_set_sink_description (audio, "fakesink sync=false");
    }
  /* A test tool sends what it is given: no echo cancellation or noise
   * suppression reshaping the tone. */
  dt_audio_config_set_echo_cancel (audio, FALSE);
  dt_audio_config_set_noise_suppression (audio, FALSE);
  dt_audio_config_set_gain_control (audio, FALSE);

  run.backend = dt_sip_backend_new ();
  dt_sip_backend_set_audio_config (run.backend, audio);
  dt_sip_backend_set_registration_enabled (run.backend, password != NULL);
  if (codec != NULL)
    dt_sip_backend_set_codec (run.backend, codec);
  if (srtp_suite != NULL)
    {
      const char *suites[] = { srtp_suite, NULL };

      dt_sip_backend_set_srtp_suites (run.backend, suites);
    }
  if (ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

      if (database == NULL)
        {
          g_printerr ("dialtone-helper call: --ca-file %s: %s\n", ca_file, error->message);
          return 2;
        }
      dt_sip_backend_set_tls_database (run.backend, database);
    }
  g_signal_connect (run.backend, "incoming-call", G_CALLBACK (on_incoming_call), &run);

  run.account = dt_account_new ("helper", "sip");
  dt_account_set_identity (run.account, account_uri);
  if (server != NULL)
    dt_account_set_server (run.account, server);
  dt_account_set_transport (run.account, account_transport);
  if (srtp)
    dt_account_set_media_encryption (run.account, DT_MEDIA_ENCRYPTION_REQUIRED);
  dt_sip_backend_set_password (run.backend, "helper", password ? password : "");

  /* One call is all this program does: its plugins are loaded before it
   * dials, as a softphone that runs all day has them by its first call,
   * and as baresip loads its modules when it starts. */
  dt_rtp_session_preload (codec, audio, srtp, TRUE);

  sigint = g_unix_signal_add (SIGINT, on_quit_signal, &run);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, &run);
  dt_backend_connect_async (DT_BACKEND (run.backend), run.account, NULL, on_connected, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  print_summary (&run);

  if (run.duration_timer != 0)
    g_source_remove (run.duration_timer);
  if (run.dtmf_timer != 0)
    g_source_remove (run.dtmf_timer);
  if (run.call != NULL)
    g_signal_handlers_disconnect_by_data (run.call, &run);
  g_clear_object (&run.call);
  g_clear_object (&run.account);
  g_clear_object (&run.backend);
  g_main_loop_unref (run.loop);
  g_free (run.target);
  g_free (run.dtmf);
  g_free (run.error);
  return run.status;
}
