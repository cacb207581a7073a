/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-backend.c
 *
 * Dialtone's SIP backend against `dialtone-helper serve`, both ours, over
 * loopback: accounts register (UDP, TCP, TLS), a wrong password is
 * reported, a call between two accounts goes through the helper and is
 * torn down by either side, the echo extension answers, and the helper's
 * voicemail counts reach the account, at start and when they change.
 * Early media (183 with SDP) plays while the call rings. Each account's
 * media encryption: optional SRTP with peers that can and cannot encrypt,
 * required SRTP refused either way with a reason, and a 488 with a
 * Warning on the wire. The echo's SRTP on the wire: what comes back is
 * from another SSRC and under the echo's own key.
 */

#include "config.h"

#include <string.h>

#include <gst/check/gstharness.h>

#include "dt-sdp.h"
#include "dt-sip-backend.h"
#include "dt-test-helper.h"

#define DEADLINE_S 20

static char *cert_dir;

typedef struct
{
  DtTestHelper *helper;
  DtSipBackend *backend;
  GPtrArray    *incoming;    /* of DtCall */
} Fixture;

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
  g_autofree char *cert = g_build_filename (cert_dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (cert_dir, "server.key", NULL);

  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass",
                                    "--mailbox", "alice:2/5", "--min-expires", "5",
                                    "--tls-cert", cert, "--tls-key", key, NULL);
  f->backend = dt_sip_backend_new ();
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->backend, "incoming-call", G_CALLBACK (on_incoming_call), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_ptr_array_unref (f->incoming);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->backend);
  dt_test_helper_stop (f->helper);
}

static DtAccount *
make_account (Fixture     *f,
              const char  *user,
              const char  *password,
              DtTransport  transport)
{
  DtAccount *account = dt_account_new (user, "sip");
  g_autofree char *identity = g_strdup_printf ("sip:%s@127.0.0.1", user);
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u",
                                             transport == DT_TRANSPORT_TLS ? f->helper->tls_port
                                                                           : f->helper->port);

  dt_account_set_identity (account, identity);
  dt_account_set_server (account, server);
  dt_account_set_transport (account, transport);
  dt_sip_backend_set_password (f->backend, user, password);
  return account;
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
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

  r->ok = dt_backend_connect_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_disconnected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dt_backend_disconnect_finish (DT_BACKEND (source), result, &r->error);
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
on_call_done (GObject      *source,
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

static void
connect_account (Fixture   *f,
                 DtAccount *account)
{
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_no_error (r.error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
}

static void
disconnect_account (Fixture   *f,
                    DtAccount *account)
{
  Result r = { 0 };

  dt_backend_disconnect_async (DT_BACKEND (f->backend), account, NULL, on_disconnected, &r);
  wait_done (&r);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_OFFLINE);
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

static gboolean
new_messages_are_3 (gpointer data)
{
  return dt_account_get_new_messages (data) == 3;
}

/* --- tests -------------------------------------------------------------- */

/* Each transport registers; the helper says so in its events. */
static void
test_register_each_transport (Fixture       *f,
                              gconstpointer  data)
{
  static const DtTransport transports[] = { DT_TRANSPORT_UDP, DT_TRANSPORT_TCP };

  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    {
      g_autoptr(DtAccount) account = make_account (f, "alice", "secret", transports[i]);
      JsonObject *event;

      connect_account (f, account);
      event = dt_test_helper_wait_event (f->helper, "registered");
      g_assert_cmpstr (json_object_get_string_member (event, "user"), ==, "alice");
      json_object_unref (event);
      disconnect_account (f, account);
      event = dt_test_helper_wait_event (f->helper, "unregistered");
      json_object_unref (event);
    }
}

/* The helper's certificate comes from the test CA: untrusted by default,
 * trusted once the account's CA is given. */
static void
test_tls (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(DtAccount) untrusted = make_account (f, "alice", "secret", DT_TRANSPORT_TLS);
  g_autoptr(DtAccount) trusted = NULL;
  g_autofree char *ca = g_build_filename (cert_dir, "ca.pem", NULL);
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca, NULL);
  Result r = { 0 };
  JsonObject *event;

  dt_backend_connect_async (DT_BACKEND (f->backend), untrusted, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_false (r.ok);
  g_clear_error (&r.error);
  g_assert_true (g_str_has_prefix (dt_account_get_failure_reason (untrusted),
                                   "TLS certificate not trusted: "));
  disconnect_account (f, untrusted);

  dt_sip_backend_set_tls_database (f->backend, database);
  trusted = make_account (f, "bob", "bobpass", DT_TRANSPORT_TLS);
  connect_account (f, trusted);
  event = dt_test_helper_wait_event (f->helper, "registered");
  g_assert_cmpstr (json_object_get_string_member (event, "user"), ==, "bob");
  json_object_unref (event);
  disconnect_account (f, trusted);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtAccount) account = make_account (f, "bob", "not bob's", DT_TRANSPORT_UDP);
  Result r = { 0 };
  JsonObject *event;

  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&r.error);
  g_assert_true (g_str_has_prefix (dt_account_get_failure_reason (account),
                                   "Authentication failed"));
  event = dt_test_helper_wait_event (f->helper, "auth-failed");
  json_object_unref (event);
  disconnect_account (f, account);
}

/* alice calls bob through the helper, which bridges the two legs; bob
 * hangs up. Then alice calls again and hangs up herself. */
static void
test_call_between_accounts (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bobpass", DT_TRANSPORT_TCP);

  connect_account (f, alice);
  connect_account (f, bob);

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(DtCall) outgoing = NULL;
      g_autoptr(DtCall) incoming = NULL;
      Result dial = { 0 };
      Result answer = { 0 };
      Result hangup = { 0 };
      JsonObject *started;
      JsonObject *ended;

      dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial);
      wait_done (&dial);
      g_assert_no_error (dial.error);
      outgoing = dial.call;
      g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
      incoming = g_object_ref (g_ptr_array_index (f->incoming, 0));
      g_ptr_array_set_size (f->incoming, 0);
      g_assert_cmpstr (dt_call_get_account_id (incoming), ==, "bob");
      g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_RINGING);
      wait_call_state (outgoing, DT_CALL_STATE_RINGING);
      /* A 180 without SDP: ringing, and no audio yet. */
      g_assert_null (dt_sip_call_get_media (DT_SIP_CALL (outgoing)));

      started = dt_test_helper_wait_event (f->helper, "call-started");
      g_assert_cmpstr (json_object_get_string_member (started, "to"), ==, "sip:bob@127.0.0.1");
      json_object_unref (started);

      dt_call_answer_async (incoming, NULL, on_call_done, &answer);
      wait_done (&answer);
      wait_call_state (outgoing, DT_CALL_STATE_ACTIVE);
      g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (outgoing)), ==, "opus/48000");

      /* First bob hangs up, then alice. */
      dt_call_hangup_async (round == 0 ? incoming : outgoing, NULL, on_call_done, &hangup);
      wait_done (&hangup);
      wait_call_state (round == 0 ? outgoing : incoming, DT_CALL_STATE_ENDED);
      g_assert_cmpint (dt_call_get_end_reason (outgoing), ==,
                       round == 0 ? DT_CALL_END_REASON_REMOTE_HANGUP
                                  : DT_CALL_END_REASON_LOCAL_HANGUP);
      g_assert_cmpint (dt_call_get_end_reason (incoming), ==,
                       round == 0 ? DT_CALL_END_REASON_LOCAL_HANGUP
                                  : DT_CALL_END_REASON_REMOTE_HANGUP);
      ended = dt_test_helper_wait_event (f->helper, "call-ended");
      json_object_unref (ended);
    }

  disconnect_account (f, alice);
  disconnect_account (f, bob);
}

/* The echo extension answers at once, with no credentials asked. */
static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };

  connect_account (f, alice);
  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "echo", NULL, on_dialled, &dial);
  wait_done (&dial);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  g_assert_nonnull (dt_call_stats_get_codec (dt_call_get_stats (call)));
  /* RFC 3550 §11: RTP on an even port, with RTCP's port beside it. */
  g_assert_cmpuint (dt_sip_call_get_rtp_port (DT_SIP_CALL (call)) % 2, ==, 0);
  g_assert_cmpuint (dt_sip_call_get_rtp_port (DT_SIP_CALL (call)), >, 0);
  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  disconnect_account (f, alice);
}

static gboolean
levels_heard (gpointer data)
{
  return dt_call_get_input_level (data) > -20.0 && dt_call_get_output_level (data) > -30.0;
}

static gboolean
echo_silent (gpointer data)
{
  return dt_call_get_output_level (data) < -60.0;
}

/* The session's level meters reach the call: the tone is measured at the
 * microphone and again as the echo brings it back; muted, the microphone
 * still measures (the meter is before the mute) and the echo goes quiet. */
static void
test_echo_levels (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAudioConfig) audio = dt_audio_config_new ();
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };

  dt_audio_config_set_source_description (audio, "audiotestsrc is-live=true freq=440 volume=0.3");
  dt_audio_config_set_sink_description (audio, "fakesink sync=false");
  dt_audio_config_set_echo_cancel (audio, FALSE);
  dt_audio_config_set_noise_suppression (audio, FALSE);
  dt_audio_config_set_gain_control (audio, FALSE);
  dt_sip_backend_set_audio_config (f->backend, audio);
  connect_account (f, alice);
  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "echo", NULL, on_dialled, &dial);
  wait_done (&dial);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);

  g_assert_true (dt_test_iterate_until (levels_heard, call, DEADLINE_S * 1000));
  dt_call_set_muted (call, TRUE);
  g_assert_true (dt_test_iterate_until (echo_silent, call, DEADLINE_S * 1000));
  g_assert_cmpfloat (dt_call_get_input_level (call), >, -20.0);

  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  g_assert_cmpfloat (dt_call_get_input_level (call), ==, DT_CALL_LEVEL_SILENT);
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, DT_CALL_LEVEL_SILENT);
  disconnect_account (f, alice);
}

/* What the echo received, in the helper's events: each DTMF digit once
 * (RFC 4733 repeats the end of an event three times), and the hold and the
 * resume of re-INVITEs, while a session refresh says nothing. */
static void
test_echo_dtmf_and_hold_events (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) call = NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) held = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  Result dial = { 0 };
  Result hold = { 0 };
  Result resume = { 0 };
  Result hangup = { 0 };

  connect_account (f, alice);
  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "echo", NULL, on_dialled, &dial);
  wait_done (&dial);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  started = dt_test_helper_wait_event (f->helper, "call-started");

  g_assert_true (dt_call_send_dtmf (call, "1#9D", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(JsonObject) event = dt_test_helper_wait_event (f->helper, "dtmf");

      g_assert_cmpstr (json_object_get_string_member (event, "call-id"), ==,
                       json_object_get_string_member (started, "call-id"));
      g_string_append (digits, json_object_get_string_member (event, "digit"));
    }
  g_assert_cmpstr (digits->str, ==, "1#9D");

  dt_call_hold_async (call, TRUE, NULL, on_call_done, &hold);
  wait_done (&hold);
  held = dt_test_helper_wait_event (f->helper, "call-held");
  g_assert_cmpstr (json_object_get_string_member (held, "call-id"), ==,
                   json_object_get_string_member (started, "call-id"));
  dt_call_hold_async (call, FALSE, NULL, on_call_done, &resume);
  wait_done (&resume);
  resumed = dt_test_helper_wait_event (f->helper, "call-resumed");
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_ACTIVE);

  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  g_clear_pointer (&started, json_object_unref);
  started = dt_test_helper_wait_event (f->helper, "call-ended");
  g_assert_false (dt_test_helper_has_event (f->helper, "dtmf"));
  g_assert_false (dt_test_helper_has_event (f->helper, "call-held"));
  disconnect_account (f, alice);
}

/* Without registering (a caller only, as `dialtone-helper call` can be),
 * the echo extension still answers, and no REGISTER was sent. */
static void
test_unregistered_caller (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(DtAccount) guest = make_account (f, "guest", "", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };

  dt_sip_backend_set_registration_enabled (f->backend, FALSE);
  connect_account (f, guest);
  g_assert_cmpint (dt_sip_registration_get_state (dt_sip_endpoint_get_registration (
                     dt_sip_backend_get_endpoint (f->backend, "guest"))), ==,
                   DT_SIP_REGISTRATION_IDLE);
  dt_backend_dial_async (DT_BACKEND (f->backend), guest, "echo", NULL, on_dialled, &dial);
  wait_done (&dial);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  disconnect_account (f, guest);
  g_assert_false (dt_test_helper_has_event (f->helper, "registered"));
}

/* RFC 3842: the helper's mailbox counts reach the account, and a change
 * the test makes at run time arrives as a NOTIFY. */
static void
test_voicemail (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);

  connect_account (f, alice);
  while (dt_account_get_new_messages (alice) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_account_get_messages_waiting (alice));
  g_assert_cmpuint (dt_account_get_new_messages (alice), ==, 2);
  g_assert_cmpuint (dt_account_get_old_messages (alice), ==, 5);

  dt_test_helper_send_command (f->helper,
                               "{\"command\":\"set-mailbox\",\"user\":\"alice\","
                               "\"new\":3,\"old\":5}");
  g_assert_true (dt_test_iterate_until (new_messages_are_3, alice, DEADLINE_S * 1000));
  g_assert_cmpuint (dt_account_get_old_messages (alice), ==, 5);
  disconnect_account (f, alice);
}

static gboolean
media_started (gpointer data)
{
  return dt_sip_call_get_media (data) != NULL;
}

/* RFC 3261 §13.2.1: `early` sends 183 with SDP. The audio starts while
 * the call rings and packets arrive; the 200 keeps the same session. */
static void
test_early_media (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };
  DtRtpSession *early;
  guint64 received;

  connect_account (f, alice);
  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "early", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  call = dial.call;
  g_assert_true (dt_test_iterate_until (media_started, call, DEADLINE_S * 1000));
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_RINGING);
  g_assert_cmpuint (dt_sip_call_get_status_code (DT_SIP_CALL (call)), ==, 183);
  early = dt_sip_call_get_media (DT_SIP_CALL (call));

  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  /* What the echo sent back during the two seconds of early media had
   * arrived by the answer (the figures lag by up to a second). */
  received = dt_call_stats_get_packets_received (dt_call_get_stats (call));
  g_test_message ("%" G_GUINT64_FORMAT " packets received while ringing", received);
  g_assert_cmpuint (received, >, 20);
  g_assert_true (dt_sip_call_get_media (DT_SIP_CALL (call)) == early);
  g_assert_cmpuint (dt_sip_call_get_status_code (DT_SIP_CALL (call)), ==, 200);

  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  disconnect_account (f, alice);
}

static DtCall *
dial_extension (Fixture    *f,
                DtAccount  *account,
                const char *extension)
{
  Result dial = { 0 };

  dt_backend_dial_async (DT_BACKEND (f->backend), account, extension, NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  return dial.call;
}

static const char *
srtp_suite_of (DtCall *call)
{
  const DtSdpNegotiated *negotiated = dt_sip_call_get_negotiated (DT_SIP_CALL (call));

  g_assert_nonnull (negotiated);
  return negotiated->srtp_suite;
}

static void
hang_up (DtCall *call)
{
  Result hangup = { 0 };

  dt_call_hangup_async (call, NULL, on_call_done, &hangup);
  wait_done (&hangup);
}

/* Optional SRTP as the caller: the echo takes the key and answers with
 * its own; `plain` answers without one, and the call goes on as RTP. */
static void
test_srtp_optional_caller (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) secure = NULL;
  g_autoptr(DtCall) plain = NULL;

  dt_account_set_media_encryption (alice, DT_MEDIA_ENCRYPTION_OPTIONAL);
  connect_account (f, alice);

  secure = dial_extension (f, alice, "echo");
  wait_call_state (secure, DT_CALL_STATE_ACTIVE);
  g_assert_cmpstr (srtp_suite_of (secure), ==, "AES_CM_128_HMAC_SHA1_80");
  hang_up (secure);

  plain = dial_extension (f, alice, "plain");
  wait_call_state (plain, DT_CALL_STATE_ACTIVE);
  g_assert_null (srtp_suite_of (plain));
  hang_up (plain);
  disconnect_account (f, alice);
}

/* Required SRTP as the caller: an answer without a key is ACKed, then the
 * call ends with BYE and a reason a person can act on. */
static void
test_srtp_required_caller (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) secure = NULL;
  g_autoptr(DtCall) refused = NULL;
  JsonObject *ended;

  dt_account_set_media_encryption (alice, DT_MEDIA_ENCRYPTION_REQUIRED);
  connect_account (f, alice);

  secure = dial_extension (f, alice, "echo");
  wait_call_state (secure, DT_CALL_STATE_ACTIVE);
  g_assert_cmpstr (srtp_suite_of (secure), ==, "AES_CM_128_HMAC_SHA1_80");
  hang_up (secure);
  json_object_unref (dt_test_helper_wait_event (f->helper, "call-ended"));

  refused = dial_extension (f, alice, "plain");
  wait_call_state (refused, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (refused), ==, DT_CALL_END_REASON_MEDIA_FAILED);
  g_assert_cmpstr (dt_call_get_end_message (refused), ==,
                   "The other side cannot encrypt the call (SRTP), which this account requires");
  g_assert_cmpuint (dt_sip_call_get_status_code (DT_SIP_CALL (refused)), ==, 200);
  /* The helper answered (200), saw the ACK, and then the BYE. */
  ended = dt_test_helper_wait_event (f->helper, "call-ended");
  g_assert_cmpint (json_object_get_int_member (ended, "status"), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "caller hung up");
  json_object_unref (ended);
  disconnect_account (f, alice);
}

typedef struct
{
  DtCall *outgoing;
  DtCall *incoming;
} CallPair;

/* alice calls bob through the helper; bob answers if his call rings. */
static CallPair
call_bob (Fixture   *f,
          DtAccount *alice)
{
  CallPair pair = { 0 };
  Result dial = { 0 };

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  pair.outgoing = dial.call;
  g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
  pair.incoming = g_object_ref (g_ptr_array_index (f->incoming, 0));
  g_ptr_array_set_size (f->incoming, 0);
  if (dt_call_get_state (pair.incoming) == DT_CALL_STATE_RINGING)
    {
      Result answer = { 0 };

      dt_call_answer_async (pair.incoming, NULL, on_call_done, &answer);
      wait_done (&answer);
    }
  return pair;
}

/* Between two accounts: optional meets optional (SRTP), optional meets
 * off (RTP), and off meets required (refused before it rings, 488). */
static void
test_srtp_between_accounts (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bobpass", DT_TRANSPORT_UDP);
  CallPair pair;

  dt_account_set_media_encryption (alice, DT_MEDIA_ENCRYPTION_OPTIONAL);
  dt_account_set_media_encryption (bob, DT_MEDIA_ENCRYPTION_OPTIONAL);
  connect_account (f, alice);
  connect_account (f, bob);

  /* Each side encrypts with the key it declared (RFC 4568 §6.1). */
  pair = call_bob (f, alice);
  wait_call_state (pair.outgoing, DT_CALL_STATE_ACTIVE);
  g_assert_cmpstr (srtp_suite_of (pair.outgoing), ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_cmpstr (srtp_suite_of (pair.incoming), ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_true (g_bytes_equal (
    dt_sip_call_get_negotiated (DT_SIP_CALL (pair.outgoing))->local_key,
    dt_sip_call_get_negotiated (DT_SIP_CALL (pair.incoming))->remote_key));
  hang_up (pair.outgoing);
  wait_call_state (pair.incoming, DT_CALL_STATE_ENDED);
  g_clear_object (&pair.outgoing);
  g_clear_object (&pair.incoming);

  /* The policy is read at each call. */
  dt_account_set_media_encryption (bob, DT_MEDIA_ENCRYPTION_OFF);
  pair = call_bob (f, alice);
  wait_call_state (pair.outgoing, DT_CALL_STATE_ACTIVE);
  g_assert_null (srtp_suite_of (pair.outgoing));
  g_assert_null (srtp_suite_of (pair.incoming));
  hang_up (pair.outgoing);
  wait_call_state (pair.incoming, DT_CALL_STATE_ENDED);
  g_clear_object (&pair.outgoing);
  g_clear_object (&pair.incoming);

  /* Required at the callee, off at the caller: 488, each side told why. */
  dt_account_set_media_encryption (alice, DT_MEDIA_ENCRYPTION_OFF);
  dt_account_set_media_encryption (bob, DT_MEDIA_ENCRYPTION_REQUIRED);
  pair = call_bob (f, alice);
  g_assert_cmpint (dt_call_get_state (pair.incoming), ==, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (pair.incoming), ==, DT_CALL_END_REASON_MEDIA_FAILED);
  g_assert_cmpstr (dt_call_get_end_message (pair.incoming), ==,
                   "The caller cannot encrypt the call (SRTP), which this account requires");
  wait_call_state (pair.outgoing, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (pair.outgoing), ==, DT_CALL_END_REASON_MEDIA_FAILED);
  g_assert_cmpuint (dt_sip_call_get_status_code (DT_SIP_CALL (pair.outgoing)), ==, 488);
  g_clear_object (&pair.outgoing);
  g_clear_object (&pair.incoming);

  /* Required at the caller, off at the callee: RTP/SAVP is refused. */
  dt_account_set_media_encryption (alice, DT_MEDIA_ENCRYPTION_REQUIRED);
  dt_account_set_media_encryption (bob, DT_MEDIA_ENCRYPTION_OFF);
  pair = call_bob (f, alice);
  g_assert_cmpint (dt_call_get_end_reason (pair.incoming), ==, DT_CALL_END_REASON_MEDIA_FAILED);
  wait_call_state (pair.outgoing, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (pair.outgoing), ==, DT_CALL_END_REASON_MEDIA_FAILED);
  g_assert_true (g_str_has_prefix (dt_call_get_end_message (pair.outgoing),
                                   "The other side cannot encrypt the call (SRTP)"));
  g_clear_object (&pair.outgoing);
  g_clear_object (&pair.incoming);

  disconnect_account (f, alice);
  disconnect_account (f, bob);
}

/* What a callee that requires SRTP puts on the wire for an offer without
 * a key: 488 with a Warning (RFC 3261 §20.43). The test sends the INVITE
 * itself, straight to bob's registered contact. */
static void
test_srtp_required_callee_wire (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bobpass", DT_TRANSPORT_UDP);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) bob_address = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *offer = NULL;
  g_autoptr(GString) responses = g_string_new (NULL);
  JsonObject *registered;
  const char *contact;
  guint port = 0;
  guint16 our_port;
  gint64 deadline;

  dt_account_set_media_encryption (bob, DT_MEDIA_ENCRYPTION_REQUIRED);
  connect_account (f, bob);
  registered = dt_test_helper_wait_event (f->helper, "registered");
  contact = json_object_get_string_member (registered, "contact");
  g_assert_nonnull (strrchr (contact, ':'));
  port = (guint) g_ascii_strtoull (strrchr (contact, ':') + 1, NULL, 10);
  json_object_unref (registered);
  g_assert_cmpuint (port, >, 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

    g_socket_bind (socket, any, FALSE, &error);
    g_assert_no_error (error);
    bob_address = g_inet_socket_address_new (loopback, (guint16) port);
  }
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  our_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  offer = g_strdup ("v=0\r\n"
                    "o=- 1 1 IN IP4 127.0.0.1\r\n"
                    "s=-\r\n"
                    "c=IN IP4 127.0.0.1\r\n"
                    "t=0 0\r\n"
                    "m=audio 40000 RTP/AVP 0\r\n"
                    "a=rtpmap:0 PCMU/8000\r\n");
  invite = g_strdup_printf ("INVITE sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKwire488\r\n"
                            "Max-Forwards: 70\r\n"
                            "From: <sip:tester@127.0.0.1>;tag=wire\r\n"
                            "To: <sip:bob@127.0.0.1>\r\n"
                            "Call-ID: wire-488@127.0.0.1\r\n"
                            "CSeq: 1 INVITE\r\n"
                            "Contact: <sip:tester@127.0.0.1:%u>\r\n"
                            "Content-Type: application/sdp\r\n"
                            "Content-Length: %zu\r\n"
                            "\r\n%s",
                            port, our_port, our_port, strlen (offer), offer);
  g_socket_send_to (socket, bob_address, invite, strlen (invite), NULL, &error);
  g_assert_no_error (error);

  /* Read until the final response; the backend runs on this context. */
  g_socket_set_blocking (socket, FALSE);
  deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  while (strstr (responses->str, "SIP/2.0 488") == NULL && g_get_monotonic_time () < deadline)
    {
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, NULL);

      if (n > 0)
        g_string_append_len (responses, buffer, n);
      else
        g_main_context_iteration (NULL, FALSE);
    }
  g_test_message ("%s", responses->str);
  g_assert_nonnull (strstr (responses->str, "SIP/2.0 488 Not Acceptable Here\r\n"));
  g_assert_nonnull (strstr (responses->str, "\r\nWarning: 399 "));
  g_assert_nonnull (strstr (responses->str, "SRTP is required"));
  /* Refused before it rang. */
  g_assert_null (strstr (responses->str, "SIP/2.0 180"));
  g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
  g_assert_cmpint (dt_call_get_end_reason (g_ptr_array_index (f->incoming, 0)), ==,
                   DT_CALL_END_REASON_MEDIA_FAILED);
  disconnect_account (f, bob);
}

static GSocket *
loopback_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  return socket;
}

static guint16
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

static void
send_text (GSocket    *socket,
           guint16     port,
           const char *text)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;

  g_socket_send_to (socket, to, text, strlen (text), NULL, &error);
  g_assert_no_error (error);
}

/* The next datagram on @socket, within the deadline (the helper is
 * another process: nothing here needs the main loop). */
static GBytes *
receive_datagram (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  g_assert_true (g_socket_condition_timed_wait (socket, G_IO_IN,
                                                DEADLINE_S * G_USEC_PER_SEC, NULL, &error));
  g_assert_no_error (error);
  n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  return g_bytes_new (buffer, (gsize) n);
}

/* The value of header @name in @message, up to the end of its line. */
static char *
header_value (const char *message,
              const char *name)
{
  g_autofree char *needle = g_strdup_printf ("\r\n%s: ", name);
  const char *start = strstr (message, needle);

  g_assert_nonnull (start);
  start += strlen (needle);
  return g_strndup (start, strcspn (start, "\r\n"));
}

static GstCaps *
on_harness_request_key (GstElement *srtpdec,
                        guint       ssrc,
                        gpointer    user_data)
{
  GBytes *key = user_data;
  g_autoptr(GstBuffer) buffer = gst_buffer_new_memdup (g_bytes_get_data (key, NULL),
                                                       g_bytes_get_size (key));

  return gst_caps_new_simple ("application/x-srtp",
                              "srtp-key", GST_TYPE_BUFFER, buffer,
                              "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              NULL);
}

/* srtpenc wants its key before it starts, srtpdec asks for keys itself:
 * @key is one or the other. */
static GstHarness *
srtp_harness (const char *factory,
              GBytes     *key)
{
  gboolean encoder = g_str_equal (factory, "srtpenc");
  GstElement *element = gst_element_factory_make (factory, NULL);
  GstHarness *harness;

  g_assert_nonnull (element);
  if (encoder)
    {
      g_autoptr(GstBuffer) buffer = gst_buffer_new_memdup (g_bytes_get_data (key, NULL),
                                                           g_bytes_get_size (key));

      g_object_set (element, "key", buffer, NULL);
    }
  else
    {
      g_signal_connect (element, "request-key", G_CALLBACK (on_harness_request_key), key);
    }
  harness = gst_harness_new_with_element (element, encoder ? "rtp_sink_0" : "rtp_sink",
                                          encoder ? "rtp_src_0" : "rtp_src");
  gst_object_unref (element);
  gst_harness_set_src_caps_str (harness, encoder ? "application/x-rtp" : "application/x-srtp");
  return harness;
}

/* The echo with SRTP, seen on the wire (RFC 3711, RFC 4568). The test is
 * the caller: its INVITE offers a key, its packets are encrypted with it
 * by GStreamer's srtpenc, and what comes back must be from another SSRC
 * (the caller's, changed), unreadable with the caller's key, and decrypt
 * with the key in the echo's answer to exactly what was sent. */
static void
test_srtp_echo_wire (Fixture       *f,
                     gconstpointer  data)
{
  static const DtSdpCodec pcmu = { "PCMU", 8000, 1, NULL, 0 };
  static const char *const suites[] = { "AES_CM_128_HMAC_SHA1_80", NULL };
  enum { N_PACKETS = 5, PAYLOAD = 160 };
  const guint32 ssrc = 0x11223344;
  g_autoptr(GSocket) sip = loopback_socket ();
  g_autoptr(GSocket) rtp = loopback_socket ();
  g_autoptr(GSocket) rtcp = loopback_socket ();
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdpNegotiated) negotiated = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GInetAddress) echo_ip = NULL;
  g_autoptr(GSocketAddress) echo_rtp = NULL;
  g_autofree char *sdp = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *to = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *target = NULL;
  g_autofree char *ack = NULL;
  g_autofree char *bye = NULL;
  g_autofree char *response = NULL;
  GstHarness *encrypt;
  GstHarness *decrypt;
  GstHarness *wrong;
  DtSdpCaps caps = { 0 };
  const char *body;
  JsonObject *ended;
  guint16 sip_port = socket_port (sip);

  caps.codecs = &pcmu;
  caps.n_codecs = 1;
  caps.srtp = DT_SDP_SRTP_REQUIRED;
  caps.srtp_suites = suites;
  caps.address = "127.0.0.1";
  caps.port = socket_port (rtp);
  caps.rtcp_port = socket_port (rtcp);
  caps.direction = DT_SDP_DIRECTION_SENDRECV;
  offer = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  sdp = dt_sdp_to_string (offer);
  invite = g_strdup_printf ("INVITE sip:echo@127.0.0.1:%u SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKsrtpwire1\r\n"
                            "Max-Forwards: 70\r\n"
                            "From: <sip:tester@127.0.0.1>;tag=srtpwire\r\n"
                            "To: <sip:echo@127.0.0.1>\r\n"
                            "Call-ID: srtp-wire@127.0.0.1\r\n"
                            "CSeq: 1 INVITE\r\n"
                            "Contact: <sip:tester@127.0.0.1:%u>\r\n"
                            "Content-Type: application/sdp\r\n"
                            "Content-Length: %zu\r\n"
                            "\r\n%s",
                            f->helper->port, sip_port, sip_port, strlen (sdp), sdp);
  send_text (sip, f->helper->port, invite);
  do
    {
      g_clear_pointer (&final, g_bytes_unref);
      g_clear_pointer (&response, g_free);
      final = receive_datagram (sip);
      response = g_strndup (g_bytes_get_data (final, NULL), g_bytes_get_size (final));
    }
  while (g_str_has_prefix (response, "SIP/2.0 1"));
  g_assert_true (g_str_has_prefix (response, "SIP/2.0 200 "));

  /* RFC 3261 §13.2.2.4: the 2xx's ACK goes to its Contact. */
  to = header_value (response, "To");
  contact = header_value (response, "Contact");
  target = g_strndup (strchr (contact, '<') + 1, strcspn (strchr (contact, '<') + 1, ">"));
  ack = g_strdup_printf ("ACK %s SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKsrtpwire2\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:tester@127.0.0.1>;tag=srtpwire\r\n"
                         "To: %s\r\n"
                         "Call-ID: srtp-wire@127.0.0.1\r\n"
                         "CSeq: 1 ACK\r\n"
                         "Content-Length: 0\r\n\r\n",
                         target, sip_port, to);
  send_text (sip, f->helper->port, ack);

  body = strstr (response, "\r\n\r\n");
  g_assert_nonnull (body);
  answer = dt_sdp_parse (body + 4, -1, &error);
  g_assert_no_error (error);
  negotiated = dt_sdp_negotiate (offer, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (negotiated->srtp_suite, ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_false (g_bytes_equal (negotiated->local_key, negotiated->remote_key));
  echo_ip = g_inet_address_new_from_string (negotiated->remote_address);
  echo_rtp = g_inet_socket_address_new (echo_ip, (guint16) negotiated->remote_port);

  encrypt = srtp_harness ("srtpenc", negotiated->local_key);
  decrypt = srtp_harness ("srtpdec", negotiated->remote_key);
  wrong = srtp_harness ("srtpdec", negotiated->local_key);

  for (guint i = 0; i < N_PACKETS; i++)
    {
      guint8 plain[12 + PAYLOAD];
      g_autoptr(GstBuffer) sent = NULL;
      g_autoptr(GstBuffer) opened = NULL;
      g_autoptr(GstBuffer) refused = NULL;
      g_autoptr(GBytes) back = NULL;
      const guint8 *wire;
      gsize wire_length, sent_length;
      guint8 out[12 + PAYLOAD];
      guint32 back_ssrc;

      /* RFC 3550 §5.1: V=2, PCMU, then sequence, timestamp and SSRC. */
      plain[0] = 0x80;
      plain[1] = 0;
      plain[2] = (guint8) ((1000 + i) >> 8);
      plain[3] = (guint8) ((1000 + i) & 0xff);
      plain[4] = 0;
      plain[5] = 0;
      plain[6] = (guint8) ((160 * i) >> 8);
      plain[7] = (guint8) ((160 * i) & 0xff);
      plain[8] = ssrc >> 24;
      plain[9] = (ssrc >> 16) & 0xff;
      plain[10] = (ssrc >> 8) & 0xff;
      plain[11] = ssrc & 0xff;
      for (guint k = 0; k < PAYLOAD; k++)
        plain[12 + k] = (guint8) (k * 7 + i);

      g_assert_cmpint (gst_harness_push (encrypt, gst_buffer_new_memdup (plain, sizeof plain)),
                       ==, GST_FLOW_OK);
      sent = gst_harness_try_pull (encrypt);
      g_assert_nonnull (sent);
      sent_length = gst_buffer_get_size (sent);
      /* RFC 3711 §3.1: the 80-bit tag follows the payload. */
      g_assert_cmpuint (sent_length, ==, sizeof plain + 10);
      {
        GstMapInfo map;

        g_assert_true (gst_buffer_map (sent, &map, GST_MAP_READ));
        g_socket_send_to (rtp, echo_rtp, (const char *) map.data, map.size, NULL, &error);
        g_assert_no_error (error);
        gst_buffer_unmap (sent, &map);
      }

      back = receive_datagram (rtp);
      wire = g_bytes_get_data (back, &wire_length);
      g_assert_cmpuint (wire_length, ==, sent_length);
      back_ssrc = ((guint32) wire[8] << 24) | ((guint32) wire[9] << 16)
                  | ((guint32) wire[10] << 8) | wire[11];
      g_assert_cmphex (back_ssrc, !=, ssrc);
      g_assert_cmphex (back_ssrc, ==, ssrc ^ 0x45434b4fu);
      /* Not the caller's own ciphertext, nor plain text. */
      g_assert_cmpint (gst_buffer_memcmp (sent, 12, wire + 12, PAYLOAD), !=, 0);
      g_assert_cmpint (memcmp (plain + 12, wire + 12, PAYLOAD), !=, 0);

      g_assert_cmpint (gst_harness_push (wrong, gst_buffer_new_memdup (wire, wire_length)), ==,
                       GST_FLOW_OK);
      refused = gst_harness_try_pull (wrong);
      g_assert_null (refused);

      g_assert_cmpint (gst_harness_push (decrypt, gst_buffer_new_memdup (wire, wire_length)), ==,
                       GST_FLOW_OK);
      opened = gst_harness_try_pull (decrypt);
      g_assert_nonnull (opened);
      g_assert_cmpuint (gst_buffer_get_size (opened), ==, sizeof plain);
      gst_buffer_extract (opened, 0, out, sizeof out);
      /* What was sent, from the echo's SSRC. */
      g_assert_cmpmem (out, 8, plain, 8);
      g_assert_cmpmem (out + 12, PAYLOAD, plain + 12, PAYLOAD);
    }

  gst_harness_teardown (encrypt);
  gst_harness_teardown (decrypt);
  gst_harness_teardown (wrong);

  bye = g_strdup_printf ("BYE %s SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKsrtpwire3\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:tester@127.0.0.1>;tag=srtpwire\r\n"
                         "To: %s\r\n"
                         "Call-ID: srtp-wire@127.0.0.1\r\n"
                         "CSeq: 2 BYE\r\n"
                         "Content-Length: 0\r\n\r\n",
                         target, sip_port, to);
  send_text (sip, f->helper->port, bye);
  ended = dt_test_helper_wait_event (f->helper, "call-ended");
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "caller hung up");
  g_assert_cmpint (json_object_get_int_member (ended, "reflected"), ==, N_PACKETS);
  g_assert_cmpint (json_object_get_int_member (ended, "srtp-dropped"), ==, 0);
  json_object_unref (ended);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

static void
run_for (guint ms)
{
  dt_test_iterate_until (never, NULL, ms);
}

/* The far end answered and then sent nothing: after the media timeout
 * (2 s here, as a person could set it) the call is hung up with a BYE and
 * says why. `answer` takes a call and drops its media. */
static void
test_media_timeout (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) call = NULL;
  JsonObject *ended;
  gint64 active_at;
  double silent_s;

  dt_sip_backend_set_media_timeout (f->backend, 2);
  connect_account (f, alice);
  call = dial_extension (f, alice, "answer");
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  active_at = g_get_monotonic_time ();
  wait_call_state (call, DT_CALL_STATE_ENDED);
  silent_s = (g_get_monotonic_time () - active_at) / (double) G_USEC_PER_SEC;
  g_test_message ("hung up after %.2f s without audio", silent_s);
  g_assert_cmpfloat (silent_s, >=, 1.9);
  g_assert_cmpfloat (silent_s, <, 6.0);
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_MEDIA_TIMEOUT);
  ended = dt_test_helper_wait_event (f->helper, "call-ended");
  g_assert_cmpstr (json_object_get_string_member (ended, "reason"), ==, "caller hung up");
  json_object_unref (ended);
  disconnect_account (f, alice);
}

/* RFC 3264 §8.4: bob holds the call and sends nothing (no music on hold);
 * alice's side, which hears nothing, must not take the silence for a far
 * end that went away, however short the media timeout. Resumed, the call
 * goes on both ways. */
static void
test_held_call_outlasts_media_timeout (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bobpass", DT_TRANSPORT_UDP);
  Result hold = { 0 };
  Result resume = { 0 };
  CallPair pair;
  guint64 received;

  dt_sip_backend_set_media_timeout (f->backend, 2);
  connect_account (f, alice);
  connect_account (f, bob);
  pair = call_bob (f, alice);

  /* Bob holds as soon as he has answered, before alice's ACK is back: the
   * re-INVITE waits for it (RFC 3261 §14.1) rather than failing. */
  dt_call_hold_async (pair.incoming, TRUE, NULL, on_call_done, &hold);
  wait_done (&hold);
  g_assert_cmpint (dt_call_get_state (pair.incoming), ==, DT_CALL_STATE_HELD);
  wait_call_state (pair.outgoing, DT_CALL_STATE_ACTIVE);
  run_for (500);
  received = dt_call_stats_get_packets_received (dt_call_get_stats (pair.outgoing));
  run_for (4000);
  /* Bob, holding, sent nothing, and alice's call is still up. */
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_call_get_stats (pair.outgoing)), <=,
                    received + 2);
  g_assert_true (dt_call_state_is_live (dt_call_get_state (pair.outgoing)));

  dt_call_hold_async (pair.incoming, FALSE, NULL, on_call_done, &resume);
  wait_done (&resume);
  g_assert_cmpint (dt_call_get_state (pair.incoming), ==, DT_CALL_STATE_ACTIVE);
  run_for (1000);
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_call_get_stats (pair.outgoing)), >,
                    received + 20);

  hang_up (pair.outgoing);
  wait_call_state (pair.incoming, DT_CALL_STATE_ENDED);
  g_object_unref (pair.outgoing);
  g_object_unref (pair.incoming);
  disconnect_account (f, alice);
  disconnect_account (f, bob);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  char *spawn_argv[] = { (char *) "sh", NULL, NULL, NULL };
  int status = 0;
  int result;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  script = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "make-test-certs.sh", NULL);
  cert_dir = g_dir_make_tmp ("dialtone-certs-XXXXXX", &error);
  g_assert_no_error (error);
  spawn_argv[1] = script;
  spawn_argv[2] = cert_dir;
  g_spawn_sync (NULL, spawn_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/helper-backend/register-each-transport", test_register_each_transport);
  ADD ("/helper-backend/tls", test_tls);
  ADD ("/helper-backend/wrong-password", test_wrong_password);
  ADD ("/helper-backend/call-between-accounts", test_call_between_accounts);
  ADD ("/helper-backend/echo", test_echo);
  ADD ("/helper-backend/echo-levels", test_echo_levels);
  ADD ("/helper-backend/echo-dtmf-and-hold-events", test_echo_dtmf_and_hold_events);
  ADD ("/helper-backend/voicemail", test_voicemail);
  ADD ("/helper-backend/unregistered-caller", test_unregistered_caller);
  ADD ("/helper-backend/early-media", test_early_media);
  ADD ("/helper-backend/srtp-optional-caller", test_srtp_optional_caller);
  ADD ("/helper-backend/srtp-required-caller", test_srtp_required_caller);
  ADD ("/helper-backend/srtp-between-accounts", test_srtp_between_accounts);
  ADD ("/helper-backend/srtp-required-callee-wire", test_srtp_required_callee_wire);
  ADD ("/helper-backend/srtp-echo-wire", test_srtp_echo_wire);
  ADD ("/helper-backend/media-timeout", test_media_timeout);
  ADD ("/helper-backend/held-call-outlasts-media-timeout", test_held_call_outlasts_media_timeout);
#undef ADD

  result = g_test_run ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", cert_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (cert_dir);
  return result;
}
