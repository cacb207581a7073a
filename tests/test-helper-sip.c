/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-sip.c
 *
 * `dialtone-helper serve --sip 0` as a separate process, driven over
 * loopback by clients built on Dialtone's own SIP stack and by raw
 * sockets. Each test starts its own helper, reads its ready line, checks
 * the status codes on the wire, the event lines it prints and the RTP it
 * echoes, and ends it with SIGTERM, which must give exit status 0.
 */

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "dt-sdp.h"
#include "dt-sip-auth.h"
#include "dt-sip-dialog.h"
#include "dt-sip-transport.h"
#include "dt-test-helper.h"

/* --- a SIP client on Dialtone's stack ------------------------------------ */

typedef struct
{
  DtSipTransport     *transport;
  DtSipUserAgent     *ua;
  DtSipAuthClient    *auth;
  DtSipPeer          *server;
  DtSipTransportKind  kind;
  char               *user;
  char               *aor;
  char               *contact;
  char               *call_id;    /* for REGISTER, kept across refreshes */
  char               *tag;
  guint32             cseq;
  GPtrArray          *incoming;   /* of DtSipDialog */
  GPtrArray          *notifies;   /* of DtSipMessage */
  guint               n_challenges;
} Client;

static gboolean
client_send (DtSipUserAgent *ua,
             DtSipMessage   *message,
             gpointer        peer,
             gpointer        user_data)
{
  Client *client = user_data;

  return dt_sip_transport_send (client->transport, peer ? peer : client->server, message);
}

static void
on_client_message (DtSipTransport *transport,
                   DtSipMessage   *message,
                   DtSipPeer      *peer,
                   gpointer        user_data)
{
  Client *client = user_data;

  dt_sip_user_agent_receive (client->ua, message, dt_sip_peer_ref (peer),
                             dt_sip_peer_is_reliable (peer));
}

static void
on_client_incoming (DtSipUserAgent *ua,
                    DtSipDialog    *dialog,
                    GBytes         *sdp,
                    gpointer        user_data)
{
  Client *client = user_data;

  g_ptr_array_add (client->incoming, g_object_ref (dialog));
}

static gboolean
on_client_request (DtSipUserAgent   *ua,
                   DtSipTransaction *tx,
                   DtSipMessage     *request,
                   gpointer          user_data)
{
  Client *client = user_data;
  g_autoptr(DtSipMessage) ok = NULL;

  if (!g_str_equal (dt_sip_message_get_method (request), "NOTIFY"))
    return FALSE;
  g_ptr_array_add (client->notifies, dt_sip_message_ref (request));
  ok = dt_sip_message_new_response_for (request, 200, "OK", NULL);
  dt_sip_transaction_respond (tx, ok, NULL);
  return TRUE;
}

static Client *
client_new (DtTestHelper             *helper,
            DtSipTransportKind  kind,
            const char         *user,
            const char         *password)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) server = g_inet_socket_address_new (loopback,
                                                                kind == DT_SIP_TRANSPORT_TLS
                                                                ? helper->tls_port
                                                                : helper->port);
  g_autoptr(GError) error = NULL;
  g_autofree char *sent_by = NULL;
  g_autoptr(DtClock) clock = dt_clock_new_system ();
  Client *client = g_new0 (Client, 1);
  guint16 port = 0;

  client->kind = kind;
  client->user = g_strdup (user);
  client->aor = g_strdup_printf ("sip:%s@127.0.0.1", user);
  client->transport = dt_sip_transport_new ();
  /* A TLS client connects out only; the helper answers on that flow. */
  if (kind != DT_SIP_TRANSPORT_TLS)
    {
      dt_sip_transport_listen (client->transport, kind, G_INET_SOCKET_ADDRESS (any), &port,
                               &error);
      g_assert_no_error (error);
    }
  else
    {
      port = 5061;
    }
  client->server = dt_sip_peer_new (kind, G_INET_SOCKET_ADDRESS (server), NULL);
  client->contact = g_strdup_printf ("sip:%s@127.0.0.1:%u%s", user, port,
                                     kind == DT_SIP_TRANSPORT_TCP ? ";transport=tcp"
                                     : kind == DT_SIP_TRANSPORT_TLS ? ";transport=tls" : "");
  client->call_id = g_uuid_string_random ();
  client->tag = g_uuid_string_random ();
  client->cseq = 1;
  client->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  client->notifies = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  if (password != NULL)
    client->auth = dt_sip_auth_client_new (user, password);

  client->ua = dt_sip_user_agent_new (clock, NULL, client_send,
                                      (GDestroyNotify) dt_sip_peer_unref, client);
  sent_by = g_strdup_printf ("127.0.0.1:%u", port);
  dt_sip_user_agent_set_local (client->ua, dt_sip_transport_kind_to_string (kind), sent_by,
                               client->contact, kind != DT_SIP_TRANSPORT_UDP);
  if (client->auth != NULL)
    dt_sip_user_agent_set_auth_client (client->ua, client->auth);
  g_signal_connect (client->transport, "message-received", G_CALLBACK (on_client_message),
                    client);
  g_signal_connect (client->ua, "incoming", G_CALLBACK (on_client_incoming), client);
  g_signal_connect (client->ua, "request", G_CALLBACK (on_client_request), client);
  return client;
}

static void
client_free (Client *client)
{
  g_signal_handlers_disconnect_by_data (client->transport, client);
  g_signal_handlers_disconnect_by_data (client->ua, client);
  g_ptr_array_unref (client->incoming);
  g_ptr_array_unref (client->notifies);
  g_clear_object (&client->ua);
  g_clear_object (&client->transport);
  g_clear_object (&client->auth);
  dt_sip_peer_unref (client->server);
  g_free (client->user);
  g_free (client->aor);
  g_free (client->contact);
  g_free (client->call_id);
  g_free (client->tag);
  g_free (client);
  /* Let closed sockets' sources go. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct
{
  DtSipMessage *final;
} ResponseWait;

static void
on_client_response (DtSipTransaction *tx,
                    DtSipMessage     *response,
                    gpointer          user_data)
{
  ResponseWait *wait = user_data;

  if (response == NULL)
    g_error ("Transaction ended without a response");
  if (dt_sip_message_get_status_code (response) >= 200 && wait->final == NULL)
    wait->final = dt_sip_message_ref (response);
}

static gboolean
response_arrived (gpointer data)
{
  return ((ResponseWait *) data)->final != NULL;
}

/* Sends a request outside dialogs and waits for its final response. */
static DtSipMessage *
client_transact (Client       *client,
                 DtSipMessage *request)
{
  g_autoptr(GError) error = NULL;
  DtSipTransactionLayer *layer = dt_sip_user_agent_get_transaction_layer (client->ua);
  ResponseWait wait = { NULL };
  DtSipTransaction *tx;

  tx = dt_sip_transaction_layer_send_request (layer, request, dt_sip_peer_ref (client->server),
                                              client->kind != DT_SIP_TRANSPORT_UDP,
                                              on_client_response, &wait, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tx);
  if (!dt_test_iterate_until (response_arrived, &wait, DT_TEST_WAIT_S * 1000))
    g_error ("No final response to %s", dt_sip_message_get_method (request));
  return wait.final;
}

static DtSipMessage *
client_build (Client     *client,
              const char *method,
              const char *request_uri,
              const char *to,
              const char *call_id)
{
  DtSipMessage *request = dt_sip_message_new_request (method, request_uri);
  g_autofree char *branch = dt_sip_branch_new ();
  g_autofree char *via = dt_sip_transport_format_via (client->transport, client->server, branch);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=%s", client->aor, client->tag);
  g_autofree char *cseq = g_strdup_printf ("%u %s", client->cseq++, method);
  g_autofree char *contact = g_strdup_printf ("<%s>", client->contact);

  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", from);
  dt_sip_message_append_header (request, "To", to);
  dt_sip_message_append_header (request, "Call-ID", call_id);
  dt_sip_message_append_header (request, "CSeq", cseq);
  dt_sip_message_append_header (request, "Contact", contact);
  return request;
}

typedef DtSipMessage *(*BuildFunc) (Client *client, gpointer data);

/* Sends what @build makes, answering 401 challenges as a client does
 * (RFC 3261 §22.2), and returns the last final response. */
static DtSipMessage *
client_transact_auth (Client    *client,
                      BuildFunc  build,
                      gpointer   data)
{
  client->n_challenges = 0;
  for (;;)
    {
      g_autoptr(DtSipMessage) request = build (client, data);
      g_autoptr(DtSipMessage) response = NULL;
      g_auto(GStrv) challenges = NULL;
      g_auto(GStrv) credentials = NULL;

      credentials = dt_sip_auth_client_authorize (client->auth, DT_SIP_AUTH_HEADER_WWW,
                                                  dt_sip_message_get_method (request),
                                                  dt_sip_message_get_request_uri (request));
      for (guint i = 0; credentials[i] != NULL; i++)
        dt_sip_message_append_header (request, "Authorization", credentials[i]);

      response = client_transact (client, request);
      if (dt_sip_message_get_status_code (response) != 401 || client->n_challenges == 3)
        {
          if (dt_sip_message_get_status_code (response) < 300)
            dt_sip_auth_client_accepted (client->auth);
          return g_steal_pointer (&response);
        }
      client->n_challenges++;
      challenges = dt_sip_message_get_header_values (response, "WWW-Authenticate");
      if (dt_sip_auth_client_handle_challenges (client->auth, DT_SIP_AUTH_HEADER_WWW,
                                                (const char * const *) challenges, NULL)
          != DT_SIP_AUTH_CLIENT_RETRY)
        return g_steal_pointer (&response);
    }
}

typedef struct
{
  const char *expires;          /* Expires header, or NULL */
  const char *contact;          /* Contact value instead of ours, or NULL */
} RegisterArgs;

static DtSipMessage *
build_register (Client   *client,
                gpointer  data)
{
  RegisterArgs *args = data;
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%u",
                                          g_inet_socket_address_get_port (
                                            dt_sip_peer_get_address (client->server)));
  g_autofree char *to = g_strdup_printf ("<%s>", client->aor);
  DtSipMessage *request = client_build (client, "REGISTER", uri, to, client->call_id);

  if (args->contact != NULL)
    dt_sip_message_set_header (request, "Contact", args->contact);
  if (args->expires != NULL)
    dt_sip_message_append_header (request, "Expires", args->expires);
  return request;
}

static DtSipMessage *
client_register (Client     *client,
                 const char *expires)
{
  RegisterArgs args = { expires, NULL };

  return client_transact_auth (client, build_register, &args);
}

static void
assert_event_string (JsonObject *event,
                     const char *member,
                     const char *expected)
{
  g_assert_cmpstr (json_object_get_string_member_with_default (event, member, NULL), ==,
                   expected);
}

/* --- registrar ------------------------------------------------------------ */

static void
check_register (DtSipTransportKind kind)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  Client *client = client_new (helper, kind, "alice", "wonderland");
  g_autoptr(DtSipMessage) response = client_register (client, "300");
  g_autoptr(DtSipNameAddr) contact = NULL;
  JsonObject *event;

  /* 401 first, then 200 with our binding and the expiry granted. */
  g_assert_cmpuint (client->n_challenges, ==, 1);
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (response, "Contact"));
  g_assert_nonnull (contact);
  g_assert_cmpstr (contact->uri, ==, client->contact);
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "expires", NULL), ==, "300");

  event = dt_test_helper_wait_event (helper, "registered");
  assert_event_string (event, "user", "alice");
  assert_event_string (event, "contact", client->contact);
  g_assert_cmpint (json_object_get_int_member_with_default (event, "expires", 0), ==, 300);
  json_object_unref (event);

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_register_udp (void)
{
  check_register (DT_SIP_TRANSPORT_UDP);
}

static void
test_register_tcp (void)
{
  check_register (DT_SIP_TRANSPORT_TCP);
}

static void
test_register_wrong_password (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "alice", "looking-glass");
  g_autoptr(DtSipMessage) response = client_register (client, "300");
  JsonObject *event;

  /* Documented choice: wrong credentials get 403, not another 401. */
  g_assert_cmpuint (client->n_challenges, ==, 1);
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 403);
  event = dt_test_helper_wait_event (helper, "auth-failed");
  assert_event_string (event, "user", "alice");
  assert_event_string (event, "method", "REGISTER");
  json_object_unref (event);
  g_assert_false (dt_test_helper_has_event (helper, "registered"));

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_register_other_user (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", "--user", "bob:builder", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "bob", "wonderland");
  g_autoptr(DtSipMessage) response = NULL;

  /* alice's credentials for bob's address of record. */
  g_clear_object (&client->auth);
  client->auth = dt_sip_auth_client_new ("alice", "wonderland");
  response = client_register (client, "300");
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 403);

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_register_lifecycle (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--users", g_test_get_filename (G_TEST_DIST, "helper-users",
                                                                NULL),
                                 "--min-expires", "1", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "alice", "wonderland");
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) refresh = NULL;
  g_autoptr(DtSipMessage) removal = NULL;
  g_autoptr(DtSipMessage) brief = NULL;
  g_autoptr(DtSipMessage) wildcard = NULL;
  g_autoptr(DtSipNameAddr) contact = NULL;
  RegisterArgs star = { "0", "*" };
  JsonObject *event;
  gint64 start;

  first = client_register (client, "60");
  g_assert_cmpuint (dt_sip_message_get_status_code (first), ==, 200);
  json_object_unref (dt_test_helper_wait_event (helper, "registered"));

  /* A refresh on the same Call-ID with a higher CSeq, and a new expiry. */
  refresh = client_register (client, "120");
  g_assert_cmpuint (dt_sip_message_get_status_code (refresh), ==, 200);
  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (refresh, "Contact"));
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "expires", NULL), ==, "120");
  event = dt_test_helper_wait_event (helper, "registered");
  g_assert_cmpint (json_object_get_int_member_with_default (event, "expires", 0), ==, 120);
  json_object_unref (event);

  /* Expires: 0 removes the binding. */
  removal = client_register (client, "0");
  g_assert_cmpuint (dt_sip_message_get_status_code (removal), ==, 200);
  g_assert_null (dt_sip_message_get_header (removal, "Contact"));
  event = dt_test_helper_wait_event (helper, "unregistered");
  assert_event_string (event, "reason", "removed");
  json_object_unref (event);

  /* `Contact: *` with Expires: 0 removes every binding. */
  g_assert_cmpuint (dt_sip_message_get_status_code (
                      brief = client_register (client, "300")), ==, 200);
  json_object_unref (dt_test_helper_wait_event (helper, "registered"));
  wildcard = client_transact_auth (client, build_register, &star);
  g_assert_cmpuint (dt_sip_message_get_status_code (wildcard), ==, 200);
  event = dt_test_helper_wait_event (helper, "unregistered");
  assert_event_string (event, "contact", client->contact);
  assert_event_string (event, "reason", "removed");
  json_object_unref (event);

  /* A binding lapses when its expiry passes. */
  g_clear_pointer (&brief, dt_sip_message_unref);
  brief = client_register (client, "1");
  g_assert_cmpuint (dt_sip_message_get_status_code (brief), ==, 200);
  json_object_unref (dt_test_helper_wait_event (helper, "registered"));
  start = g_get_monotonic_time ();
  event = dt_test_helper_wait_event (helper, "unregistered");
  assert_event_string (event, "reason", "expired");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  json_object_unref (event);

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_register_interval_too_brief (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "alice", "wonderland");
  g_autoptr(DtSipMessage) response = client_register (client, "10");
  g_autoptr(DtSipMessage) star = NULL;
  RegisterArgs bad_star = { "300", "*" };

  /* RFC 3261 §10.3 step 6: 423 with the Min-Expires (60 by default). */
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 423);
  g_assert_cmpstr (dt_sip_message_get_header (response, "Min-Expires"), ==, "60");

  /* `*` is only allowed with Expires: 0. */
  star = client_transact_auth (client, build_register, &bad_star);
  g_assert_cmpuint (dt_sip_message_get_status_code (star), ==, 400);
  g_assert_false (dt_test_helper_has_event (helper, "registered"));

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_options (void)
{
  DtTestHelper *helper = dt_test_helper_start (NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "anyone", NULL);
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%u", helper->port);
  g_autoptr(DtSipMessage) request = client_build (client, "OPTIONS", uri, "<sip:127.0.0.1>",
                                                  client->call_id);
  g_autoptr(DtSipMessage) response = client_transact (client, request);

  /* RFC 3261 §11.2, even with no user in the Request-URI. */
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  g_assert_nonnull (strstr (dt_sip_message_get_header (response, "Allow"), "REGISTER"));
  g_assert_cmpstr (dt_sip_message_get_header (response, "Accept"), ==, "application/sdp");

  client_free (client);
  dt_test_helper_stop (helper);
}

/* --- calls ------------------------------------------------------------------ */

typedef struct
{
  GPtrArray *log;               /* of char *: "answered", "failed 487"… */
  GBytes    *sdp;
} CallLog;

static void
on_call_answered (DtSipDialog *dialog,
                  GBytes      *sdp,
                  gpointer     user_data)
{
  CallLog *log = user_data;

  g_ptr_array_add (log->log, g_strdup ("answered"));
  g_clear_pointer (&log->sdp, g_bytes_unref);
  log->sdp = sdp ? g_bytes_ref (sdp) : NULL;
}

static void
on_call_ringing (DtSipDialog *dialog,
                 guint        code,
                 const char  *reason,
                 GBytes      *sdp,
                 gpointer     user_data)
{
  CallLog *log = user_data;

  g_ptr_array_add (log->log, g_strdup_printf ("ringing %u", code));
}

static void
on_call_failed (DtSipDialog *dialog,
                guint        code,
                const char  *reason,
                gpointer     user_data)
{
  CallLog *log = user_data;

  g_ptr_array_add (log->log, g_strdup_printf ("failed %u", code));
}

static void
on_call_bye (DtSipDialog *dialog,
             gpointer     user_data)
{
  CallLog *log = user_data;

  g_ptr_array_add (log->log, g_strdup ("bye"));
}

static void
call_log_init (CallLog     *log,
               DtSipDialog *dialog)
{
  log->log = g_ptr_array_new_with_free_func (g_free);
  log->sdp = NULL;
  g_signal_connect (dialog, "answered", G_CALLBACK (on_call_answered), log);
  g_signal_connect (dialog, "ringing", G_CALLBACK (on_call_ringing), log);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_call_failed), log);
  g_signal_connect (dialog, "bye", G_CALLBACK (on_call_bye), log);
}

static void
call_log_clear (CallLog     *log,
                DtSipDialog *dialog)
{
  g_signal_handlers_disconnect_by_data (dialog, log);
  g_ptr_array_unref (log->log);
  g_clear_pointer (&log->sdp, g_bytes_unref);
}

typedef struct
{
  CallLog    *log;
  const char *entry;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *wait = data;

  for (guint i = 0; i < wait->log->log->len; i++)
    if (g_str_equal (g_ptr_array_index (wait->log->log, i), wait->entry))
      return TRUE;
  return FALSE;
}

static void
wait_log (CallLog    *log,
          const char *entry)
{
  LogWait wait = { log, entry };

  if (!dt_test_iterate_until (log_has, &wait, DT_TEST_WAIT_S * 1000))
    {
      g_autofree char *seen = NULL;

      g_ptr_array_add (log->log, NULL);
      seen = g_strjoinv (", ", (char **) log->log->pdata);
      g_error ("Call never got “%s” (saw: %s)", entry, seen);
    }
}

static gboolean
has_incoming (gpointer data)
{
  return ((Client *) data)->incoming->len > 0;
}

static GBytes *
make_offer (guint16 port)
{
  static const DtSdpCodec codecs[] = {
    { "PCMA", 8000, 1, NULL, 8 },
    { "PCMU", 8000, 1, NULL, 0 },
  };
  DtSdpCaps caps = { 0 };
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(GError) error = NULL;
  char *text;

  caps.codecs = codecs;
  caps.n_codecs = G_N_ELEMENTS (codecs);
  caps.dtmf = TRUE;
  caps.address = "127.0.0.1";
  caps.port = port;
  offer = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  text = dt_sdp_to_string (offer);
  return g_bytes_new_take (text, strlen (text));
}

static GSocket *
udp_socket (guint16 *port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, DT_TEST_WAIT_S);
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  if (port != NULL)
    *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return socket;
}

/* Sends @payload to @port and asserts the same bytes come back, but for
 * the SSRC at @ssrc_offset, which the echo changes so as to be a source of
 * its own (RFC 3550 §8.2). */
static void
assert_reflected (GSocket      *socket,
                  guint16       port,
                  const guint8 *payload,
                  gsize         length,
                  gsize         ssrc_offset)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(GError) error = NULL;
  guint8 buffer[2048];
  gssize n;

  g_assert_cmpint (g_socket_send_to (socket, to, (const char *) payload, length, NULL, &error),
                   ==, (gssize) length);
  g_assert_no_error (error);
  n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, (gssize) length);
  g_assert_cmpmem (buffer, ssrc_offset, payload, ssrc_offset);
  g_assert_cmpmem (buffer + ssrc_offset + 4, length - ssrc_offset - 4,
                   payload + ssrc_offset + 4, length - ssrc_offset - 4);
  g_assert_true (memcmp (buffer + ssrc_offset, payload + ssrc_offset, 4) != 0);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)), ==, port);
}

static void
test_echo (void)
{
  DtTestHelper *helper = dt_test_helper_start (NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "anyone", NULL);
  g_autoptr(GSocket) rtp = NULL;
  g_autoptr(GBytes) offer = NULL;
  g_autoptr(DtSipDialog) call = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("sip:echo@127.0.0.1:%u", helper->port);
  const char *rtcp_attribute;
  DtSdpMedia *audio;
  const char *encoding = NULL;
  guint rate = 0;
  guint channels = 0;
  guint64 rtcp_port;
  guint16 local_port;
  CallLog log;
  JsonObject *event;
  /* An RTP header (version 2, PT 8, seq 1, ts 160, SSRC) and a payload. */
  static const guint8 packet[] = {
    0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0x12, 0x34, 0x56, 0x78,
    0xd5, 0xd5, 0x55, 0x55, 0x00, 0xff, 0x7f, 0x80,
  };
  /* An empty RTCP receiver report. */
  static const guint8 report[] = { 0x80, 0xc9, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78 };

  rtp = udp_socket (&local_port);
  offer = make_offer (local_port);
  call = dt_sip_user_agent_invite (client->ua, "<sip:anyone@127.0.0.1>", uri, offer, &error);
  g_assert_no_error (error);
  call_log_init (&log, call);
  wait_log (&log, "answered");

  event = dt_test_helper_wait_event (helper, "call-started");
  assert_event_string (event, "call-id", dt_sip_dialog_get_call_id (call));
  assert_event_string (event, "to", uri);
  json_object_unref (event);

  /* The caller's first codec, PCMA, and a media port of the echo's own. */
  answer = dt_sdp_parse (g_bytes_get_data (log.sdp, NULL), g_bytes_get_size (log.sdp), &error);
  g_assert_no_error (error);
  audio = g_ptr_array_index (answer->media, 0);
  g_assert_cmpuint (audio->port, >, 0);
  g_assert_cmpstr (g_ptr_array_index (audio->formats, 0), ==, "8");
  g_assert_true (dt_sdp_lookup_rtpmap (audio, 8, &encoding, &rate, &channels));
  g_assert_cmpstr (encoding, ==, "PCMA");
  g_assert_cmpstr (dt_sdp_media_get_connection (answer, audio)->address, ==, "127.0.0.1");

  for (guint i = 0; i < 3; i++)
    assert_reflected (rtp, audio->port, packet, sizeof packet, 8);

  /* RTCP too, on the port a=rtcp names (RFC 3605). */
  rtcp_port = audio->rtcp_port;
  if (rtcp_port == 0)
    {
      rtcp_attribute = dt_sdp_media_get_attribute (audio, "rtcp");
      g_assert_nonnull (rtcp_attribute);
      g_assert_true (g_ascii_string_to_unsigned (rtcp_attribute, 10, 1, 65535, &rtcp_port, NULL));
    }
  assert_reflected (rtp, (guint16) rtcp_port, report, sizeof report, 4);

  dt_sip_dialog_bye (call, &error);
  g_assert_no_error (error);
  event = dt_test_helper_wait_event (helper, "call-ended");
  assert_event_string (event, "call-id", dt_sip_dialog_get_call_id (call));
  g_assert_cmpint (json_object_get_int_member_with_default (event, "reflected", 0), ==, 4);
  json_object_unref (event);

  call_log_clear (&log, call);
  client_free (client);
  dt_test_helper_stop (helper);
}

typedef struct
{
  GPtrArray *calls;             /* of DtSipDialog */
  guint      n_answered;
} EchoCalls;

static void
on_echo_answered (DtSipDialog *dialog,
                  GBytes      *sdp,
                  gpointer     user_data)
{
  ((EchoCalls *) user_data)->n_answered++;
}

static gboolean
all_echo_answered (gpointer data)
{
  EchoCalls *echo = data;

  return echo->n_answered == echo->calls->len;
}

/* Echo calls are bounded: the one over the limit gets 503. */
static void
test_echo_limit (void)
{
  DtTestHelper *helper = dt_test_helper_start (NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "anyone", NULL);
  g_autofree char *uri = g_strdup_printf ("sip:echo@127.0.0.1:%u", helper->port);
  g_autoptr(GBytes) offer = make_offer (43000);
  g_autoptr(DtSipDialog) extra = NULL;
  g_autoptr(GError) error = NULL;
  EchoCalls echo = { g_ptr_array_new_with_free_func (g_object_unref), 0 };
  CallLog log;

  for (guint i = 0; i < 256; i++)
    {
      DtSipDialog *call = dt_sip_user_agent_invite (client->ua, "<sip:anyone@127.0.0.1>", uri,
                                                    offer, &error);

      g_assert_no_error (error);
      g_signal_connect (call, "answered", G_CALLBACK (on_echo_answered), &echo);
      g_ptr_array_add (echo.calls, call);
    }
  g_assert_true (dt_test_iterate_until (all_echo_answered, &echo, DT_TEST_WAIT_S * 1000));

  extra = dt_sip_user_agent_invite (client->ua, "<sip:anyone@127.0.0.1>", uri, offer, &error);
  g_assert_no_error (error);
  call_log_init (&log, extra);
  wait_log (&log, "failed 503");

  /* Hanging up one makes room again. */
  dt_sip_dialog_bye (g_ptr_array_index (echo.calls, 0), &error);
  g_assert_no_error (error);
  json_object_unref (dt_test_helper_wait_event (helper, "call-ended"));
  call_log_clear (&log, extra);
  g_clear_object (&extra);
  extra = dt_sip_user_agent_invite (client->ua, "<sip:anyone@127.0.0.1>", uri, offer, &error);
  g_assert_no_error (error);
  call_log_init (&log, extra);
  wait_log (&log, "answered");

  call_log_clear (&log, extra);
  for (guint i = 0; i < echo.calls->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (echo.calls, i), &echo);
  g_ptr_array_unref (echo.calls);
  client_free (client);
  dt_test_helper_stop (helper);
}

typedef struct
{
  DtTestHelper *helper;
  Client *alice;
  Client *bob;
} TwoUsers;

static void
two_users_start (TwoUsers           *users,
                 DtSipTransportKind  bob_kind)
{
  g_autoptr(DtSipMessage) response = NULL;

  users->helper = dt_test_helper_start ("--user", "alice:wonderland", "--user", "bob:builder",
                                "--user", "carol:singer", NULL);
  users->alice = client_new (users->helper, DT_SIP_TRANSPORT_UDP, "alice", "wonderland");
  users->bob = client_new (users->helper, bob_kind, "bob", "builder");
  response = client_register (users->bob, "300");
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  json_object_unref (dt_test_helper_wait_event (users->helper, "registered"));
}

static void
two_users_stop (TwoUsers *users)
{
  client_free (users->alice);
  client_free (users->bob);
  dt_test_helper_stop (users->helper);
}

static DtSipDialog *
alice_calls (TwoUsers   *users,
             const char *callee)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) offer = make_offer (40000);
  g_autofree char *uri = g_strdup_printf ("sip:%s@127.0.0.1:%u", callee, users->helper->port);
  DtSipDialog *call;

  call = dt_sip_user_agent_invite (users->alice->ua, "<sip:alice@127.0.0.1>", uri, offer,
                                   &error);
  g_assert_no_error (error);
  return call;
}

static void
check_call_between_users (DtSipTransportKind bob_kind)
{
  TwoUsers users;
  g_autoptr(DtSipDialog) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bob_answer = make_offer (41000);
  DtSipDialog *incoming;
  CallLog log;
  CallLog bob_log;
  JsonObject *event;

  two_users_start (&users, bob_kind);
  call = alice_calls (&users, "bob");
  call_log_init (&log, call);

  /* The helper challenges (407), alice answers, and bob's phone rings. */
  g_assert_true (dt_test_iterate_until (has_incoming, users.bob, DT_TEST_WAIT_S * 1000));
  incoming = g_ptr_array_index (users.bob->incoming, 0);
  g_assert_nonnull (strstr (g_bytes_get_data (dt_sip_message_get_body (
                                                dt_sip_dialog_get_invite (incoming)), NULL),
                            "m=audio 40000"));
  call_log_init (&bob_log, incoming);
  dt_sip_dialog_ring (incoming, NULL, &error);
  g_assert_no_error (error);
  wait_log (&log, "ringing 180");

  dt_sip_dialog_accept (incoming, bob_answer, &error);
  g_assert_no_error (error);
  wait_log (&log, "answered");
  /* Bob's SDP reached alice unchanged. */
  g_assert_true (g_bytes_equal (log.sdp, bob_answer));

  event = dt_test_helper_wait_event (users.helper, "call-started");
  assert_event_string (event, "from", "sip:alice@127.0.0.1");
  assert_event_string (event, "call-id", dt_sip_dialog_get_call_id (call));
  json_object_unref (event);

  /* Alice hangs up; the BYE reaches bob. */
  dt_sip_dialog_bye (call, &error);
  g_assert_no_error (error);
  wait_log (&bob_log, "bye");
  event = dt_test_helper_wait_event (users.helper, "call-ended");
  assert_event_string (event, "call-id", dt_sip_dialog_get_call_id (call));
  g_assert_cmpint (json_object_get_int_member_with_default (event, "status", 0), ==, 200);
  json_object_unref (event);

  call_log_clear (&bob_log, incoming);
  call_log_clear (&log, call);
  two_users_stop (&users);
}

static void
test_call_between_users_udp (void)
{
  check_call_between_users (DT_SIP_TRANSPORT_UDP);
}

static void
test_call_between_users_tcp (void)
{
  check_call_between_users (DT_SIP_TRANSPORT_TCP);
}

static void
check_call_refused (const char *callee,
                    const char *expected)
{
  TwoUsers users;
  g_autoptr(DtSipDialog) call = NULL;
  CallLog log;

  two_users_start (&users, DT_SIP_TRANSPORT_UDP);
  call = alice_calls (&users, callee);
  call_log_init (&log, call);
  wait_log (&log, expected);
  g_assert_false (dt_test_helper_has_event (users.helper, "call-started"));

  call_log_clear (&log, call);
  two_users_stop (&users);
}

static void
test_call_unknown_user (void)
{
  check_call_refused ("nobody", "failed 404");
}

static void
test_call_not_registered (void)
{
  /* carol is a user, but has no binding. */
  check_call_refused ("carol", "failed 480");
}

static void
test_call_busy (void)
{
  TwoUsers users;
  g_autoptr(DtSipDialog) call = NULL;
  g_autoptr(GError) error = NULL;
  DtSipDialog *incoming;
  CallLog log;
  JsonObject *event;

  two_users_start (&users, DT_SIP_TRANSPORT_UDP);
  call = alice_calls (&users, "bob");
  call_log_init (&log, call);
  g_assert_true (dt_test_iterate_until (has_incoming, users.bob, DT_TEST_WAIT_S * 1000));
  incoming = g_ptr_array_index (users.bob->incoming, 0);
  dt_sip_dialog_reject (incoming, 486, "Busy Here", &error);
  g_assert_no_error (error);

  /* The callee's 486 passes through to the caller. */
  wait_log (&log, "failed 486");
  event = dt_test_helper_wait_event (users.helper, "call-ended");
  g_assert_cmpint (json_object_get_int_member_with_default (event, "status", 0), ==, 486);
  json_object_unref (event);

  call_log_clear (&log, call);
  two_users_stop (&users);
}

static void
test_call_cancel (void)
{
  TwoUsers users;
  g_autoptr(DtSipDialog) call = NULL;
  g_autoptr(GError) error = NULL;
  DtSipDialog *incoming;
  CallLog log;
  CallLog bob_log;
  JsonObject *event;

  two_users_start (&users, DT_SIP_TRANSPORT_UDP);
  call = alice_calls (&users, "bob");
  call_log_init (&log, call);
  g_assert_true (dt_test_iterate_until (has_incoming, users.bob, DT_TEST_WAIT_S * 1000));
  incoming = g_ptr_array_index (users.bob->incoming, 0);
  call_log_init (&bob_log, incoming);
  dt_sip_dialog_ring (incoming, NULL, &error);
  g_assert_no_error (error);
  wait_log (&log, "ringing 180");

  /* Alice gives up: 487 for her, and the CANCEL reaches bob. */
  dt_sip_dialog_cancel (call, &error);
  g_assert_no_error (error);
  wait_log (&log, "failed 487");
  wait_log (&bob_log, "failed 487");
  event = dt_test_helper_wait_event (users.helper, "call-ended");
  g_assert_cmpint (json_object_get_int_member_with_default (event, "status", 0), ==, 487);
  json_object_unref (event);

  call_log_clear (&bob_log, incoming);
  call_log_clear (&log, call);
  two_users_stop (&users);
}

static void
test_call_wrong_password (void)
{
  TwoUsers users;
  g_autoptr(DtSipDialog) call = NULL;
  CallLog log;
  JsonObject *event;

  two_users_start (&users, DT_SIP_TRANSPORT_UDP);
  g_clear_object (&users.alice->auth);
  users.alice->auth = dt_sip_auth_client_new ("alice", "not-her-password");
  dt_sip_user_agent_set_auth_client (users.alice->ua, users.alice->auth);
  call = alice_calls (&users, "bob");
  call_log_init (&log, call);

  /* Calls to users are authenticated: 407, then 403 for bad credentials. */
  wait_log (&log, "failed 403");
  event = dt_test_helper_wait_event (users.helper, "auth-failed");
  assert_event_string (event, "method", "INVITE");
  json_object_unref (event);
  g_assert_cmpuint (users.bob->incoming->len, ==, 0);

  call_log_clear (&log, call);
  two_users_stop (&users);
}

/* --- MWI ------------------------------------------------------------------ */

static DtSipMessage *
build_subscribe (Client   *client,
                 gpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("sip:%s@127.0.0.1:%u", client->user,
                                          g_inet_socket_address_get_port (
                                            dt_sip_peer_get_address (client->server)));
  g_autofree char *to = g_strdup_printf ("<%s>", client->aor);
  DtSipMessage *request = client_build (client, "SUBSCRIBE", uri, to, data);

  dt_sip_message_append_header (request, "Event", "message-summary");
  dt_sip_message_append_header (request, "Accept", "application/simple-message-summary");
  dt_sip_message_append_header (request, "Expires", "3600");
  return request;
}

static gboolean
has_notifies (gpointer data)
{
  Client *client = data;

  return client->notifies->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (client->ua),
                                                                        "wanted"));
}

static DtSipMessage *
wait_notify (Client *client,
             guint   n)
{
  g_object_set_data (G_OBJECT (client->ua), "wanted", GUINT_TO_POINTER (n));
  if (!dt_test_iterate_until (has_notifies, client, DT_TEST_WAIT_S * 1000))
    g_error ("NOTIFY %u never came", n);
  return g_ptr_array_index (client->notifies, n - 1);
}

static char *
body_text (DtSipMessage *message)
{
  GBytes *body = dt_sip_message_get_body (message);

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
test_mwi (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", "--mailbox", "alice:2/5", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "alice", "wonderland");
  g_autofree char *call_id = g_uuid_string_random ();
  g_autoptr(DtSipMessage) response = client_transact_auth (client, build_subscribe, call_id);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  DtSipMessage *notify;
  JsonObject *event;

  g_assert_cmpuint (client->n_challenges, ==, 1);
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  g_assert_cmpstr (dt_sip_message_get_header (response, "Expires"), ==, "3600");

  /* RFC 3842: the first NOTIFY carries the counts given on the command line. */
  notify = wait_notify (client, 1);
  g_assert_cmpstr (dt_sip_message_get_header (notify, "Event"), ==, "message-summary");
  g_assert_true (g_str_has_prefix (dt_sip_message_get_header (notify, "Subscription-State"),
                                   "active;expires="));
  g_assert_cmpstr (dt_sip_message_get_call_id (notify), ==, call_id);
  g_assert_cmpstr (dt_sip_message_get_to_tag (notify), ==, client->tag);
  g_assert_cmpstr (dt_sip_message_get_from_tag (notify), ==,
                   dt_sip_message_get_to_tag (response));
  g_assert_cmpstr (dt_sip_message_get_header (notify, "Content-Type"), ==,
                   "application/simple-message-summary");
  first = body_text (notify);
  g_assert_nonnull (strstr (first, "Messages-Waiting: yes\r\n"));
  g_assert_nonnull (strstr (first, "Voice-Message: 2/5 (0/0)\r\n"));

  /* A change through stdin reaches the subscriber. */
  dt_test_helper_send_command (helper, "{\"command\":\"set-mailbox\",\"user\":\"alice\",\"new\":0,"
                               "\"old\":7}");
  event = dt_test_helper_wait_event (helper, "mailbox");
  g_assert_cmpint (json_object_get_int_member_with_default (event, "old", -1), ==, 7);
  json_object_unref (event);
  notify = wait_notify (client, 2);
  second = body_text (notify);
  g_assert_nonnull (strstr (second, "Messages-Waiting: no\r\n"));
  g_assert_nonnull (strstr (second, "Voice-Message: 0/7 (0/0)\r\n"));

  /* A bad command is reported, and the helper goes on. */
  dt_test_helper_send_command (helper, "{\"command\":\"set-mailbox\",\"user\":\"nobody\",\"new\":1,"
                               "\"old\":1}");
  json_object_unref (dt_test_helper_wait_event (helper, "command-failed"));
  dt_test_helper_send_command (helper, "not json");
  json_object_unref (dt_test_helper_wait_event (helper, "command-failed"));

  client_free (client);
  dt_test_helper_stop (helper);
}

static void
test_subscribe_bad_event (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "alice", "wonderland");
  g_autofree char *call_id = g_uuid_string_random ();
  g_autoptr(DtSipMessage) request = build_subscribe (client, call_id);
  g_autoptr(DtSipMessage) response = NULL;

  /* RFC 6665 §4.2.1: an unknown event package gets 489. */
  dt_sip_message_set_header (request, "Event", "presence");
  response = client_transact (client, request);
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 489);
  g_assert_cmpstr (dt_sip_message_get_header (response, "Allow-Events"), ==, "message-summary");

  client_free (client);
  dt_test_helper_stop (helper);
}

/* --- bad input ---------------------------------------------------------- */

static char *
raw_request (guint16     helper_port,
             guint16     local_port,
             const char *transport,
             const char *extra_headers,
             const char *content_length)
{
  static guint counter;

  counter++;
  return g_strdup_printf ("OPTIONS sip:127.0.0.1:%u SIP/2.0\r\n"
                          "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-raw-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:raw@127.0.0.1>;tag=raw%u\r\n"
                          "To: <sip:127.0.0.1>\r\n"
                          "Call-ID: raw-%u@127.0.0.1\r\n"
                          "CSeq: 1 OPTIONS\r\n"
                          "%s"
                          "Content-Length: %s\r\n"
                          "\r\n",
                          helper_port, transport, local_port, counter, counter, counter,
                          extra_headers ? extra_headers : "", content_length);
}

/* Sends @text in one datagram; returns the status line of the answer, or
 * NULL when none comes within @wait_ms. */
static char *
udp_exchange (GSocket    *socket,
              guint16     helper_port,
              const char *text,
              gsize       length,
              guint       wait_ms)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, helper_port);
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  g_socket_send_to (socket, to, text, length, NULL, &error);
  g_assert_no_error (error);
  if (!g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) wait_ms * 1000, NULL, NULL))
    return NULL;
  n = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  buffer[n] = '\0';
  return g_strndup (buffer, strcspn (buffer, "\r\n"));
}

static void
assert_udp_answer (GSocket    *socket,
                   guint16     helper_port,
                   const char *text,
                   const char *expected_status_line)
{
  g_autofree char *status = udp_exchange (socket, helper_port, text, strlen (text), 3000);

  g_assert_cmpstr (status, ==, expected_status_line);
}

static void
assert_helper_answers_options (DtTestHelper *helper)
{
  Client *client = client_new (helper, DT_SIP_TRANSPORT_UDP, "anyone", NULL);
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%u", helper->port);
  g_autoptr(DtSipMessage) request = client_build (client, "OPTIONS", uri, "<sip:127.0.0.1>",
                                                  client->call_id);
  g_autoptr(DtSipMessage) response = client_transact (client, request);

  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  client_free (client);
}

static void
test_bad_udp (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  guint16 port;
  g_autoptr(GSocket) socket = udp_socket (&port);
  g_autofree char *valid = raw_request (helper->port, port, "UDP", NULL, "0");
  g_autofree char *truncated = g_strndup (valid, strstr (valid, "Call-ID") - valid);
  g_autofree char *cut_body = raw_request (helper->port, port, "UDP", NULL, "20");
  g_autofree char *cut_body_text = g_strconcat (cut_body, "hello", NULL);
  g_autofree char *long_length = raw_request (helper->port, port, "UDP", NULL, "200");
  g_autofree char *bad_length = raw_request (helper->port, port, "UDP", NULL, "abc");
  g_autofree char *two_call_ids = raw_request (helper->port, port, "UDP",
                                               "Call-ID: second@127.0.0.1\r\n", "0");
  g_autofree char *two_froms = raw_request (helper->port, port, "UDP",
                                            "From: <sip:other@127.0.0.1>;tag=x\r\n", "0");
  g_autofree char *filler = g_strnfill (9000, 'a');
  g_autofree char *huge_header = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *junk_status = NULL;
  g_autofree char *truncated_status = NULL;
  guint8 junk[512];

  /* A well-formed one first: 200. */
  assert_udp_answer (socket, helper->port, valid, "SIP/2.0 200 OK");

  /* Answerable faults get 400 with a reason that names them. */
  assert_udp_answer (socket, helper->port, cut_body_text,
                     "SIP/2.0 400 Body shorter than Content-Length");
  assert_udp_answer (socket, helper->port, long_length,
                     "SIP/2.0 400 Body shorter than Content-Length");
  assert_udp_answer (socket, helper->port, bad_length, "SIP/2.0 400 Bad Content-Length");
  assert_udp_answer (socket, helper->port, two_call_ids, "SIP/2.0 400 Duplicate Call-ID header");
  assert_udp_answer (socket, helper->port, two_froms, "SIP/2.0 400 Duplicate From header");
  huge_header = g_strdup_printf ("Subject: %s\r\n", filler);
  huge = raw_request (helper->port, port, "UDP", huge_header, "0");
  assert_udp_answer (socket, helper->port, huge, "SIP/2.0 400 Header too long");

  /* Cut before its Call-ID, a request cannot be answered (§8.2.6.2 needs
   * the Call-ID and CSeq): dropped. */
  truncated_status = udp_exchange (socket, helper->port, truncated, strlen (truncated), 500);
  g_assert_null (truncated_status);

  /* Binary junk cannot be answered: dropped. */
  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_test_rand_int_range (0, 256);
  junk_status = udp_exchange (socket, helper->port, (const char *) junk, sizeof junk, 500);
  g_assert_null (junk_status);

  /* The helper is still there for everyone else. */
  assert_helper_answers_options (helper);
  dt_test_helper_stop (helper);
}

static GSocketConnection *
tcp_connect (guint16 port)
{
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (connector, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), DT_TEST_WAIT_S);
  return connection;
}

/* Reads until the helper closes the connection; returns what came. */
static char *
tcp_read_to_close (GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, &error)) > 0)
    g_string_append_len (text, buffer, n);
  /* A reset counts as closed too; a timeout does not. */
  if (error != NULL)
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  return g_strdup (text->str);
}

static void
tcp_write (GSocketConnection *connection,
           const char        *data,
           gsize              length)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, data, length, NULL, NULL, &error);
  /* The helper may close before everything is written. */
  if (error != NULL)
    g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
                   || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
}

static void
test_bad_tcp (void)
{
  DtTestHelper *helper = dt_test_helper_start (NULL);
  g_autoptr(GSocketConnection) garbage = tcp_connect (helper->port);
  g_autoptr(GSocketConnection) oversized = tcp_connect (helper->port);
  g_autoptr(GSocketConnection) no_length = tcp_connect (helper->port);
  g_autoptr(GSocketConnection) bystander = tcp_connect (helper->port);
  g_autofree char *valid = raw_request (helper->port, 5060, "TCP", NULL, "0");
  g_autofree char *answer = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *overflow = NULL;
  g_autofree char *bystander_answer = NULL;
  g_autofree char *filler = g_strnfill (70 * 1024, 'x');
  g_autofree char *line = NULL;
  char buffer[4096];
  gssize n;

  /* Garbage closes that connection, and only that one. */
  tcp_write (garbage, "\x01\x02\x03 not SIP at all\r\n\r\n", 22);
  closed = tcp_read_to_close (garbage);
  g_assert_cmpstr (closed, ==, "");

  /* Over 64 KiB with no end of headers: the connection is closed. */
  line = g_strdup_printf ("OPTIONS sip:127.0.0.1 SIP/2.0\r\nSubject: %s", filler);
  tcp_write (oversized, line, strlen (line));
  overflow = tcp_read_to_close (oversized);
  g_assert_false (g_str_has_prefix (overflow, "SIP/2.0 200"));

  /* A stream message without Content-Length gets 400 and a close. */
  {
    g_autofree char *cut = g_strndup (valid, strstr (valid, "Content-Length") - valid);
    g_autofree char *unframed = g_strconcat (cut, "\r\n", NULL);

    tcp_write (no_length, unframed, strlen (unframed));
    answer = tcp_read_to_close (no_length);
    g_assert_true (g_str_has_prefix (answer, "SIP/2.0 400 Missing Content-Length\r\n"));
  }

  /* The connection opened before all of it still works. */
  tcp_write (bystander, valid, strlen (valid));
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (bystander)), buffer,
                           sizeof buffer - 1, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  bystander_answer = g_strndup (buffer, strcspn (buffer, "\r\n"));
  g_assert_cmpstr (bystander_answer, ==, "SIP/2.0 200 OK");

  assert_helper_answers_options (helper);
  dt_test_helper_stop (helper);
}

static void
test_half_open_flood (void)
{
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", NULL);
  g_autoptr(GPtrArray) flood = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  Client *client;
  g_autoptr(DtSipMessage) response = NULL;

  /* 600 connections that never send a byte, over the helper's limit. */
  for (guint i = 0; i < 600; i++)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *connection;

      connection = g_socket_client_connect_to_host (connector, "127.0.0.1", helper->port, NULL,
                                                    &error);
      g_assert_no_error (error);
      g_ptr_array_add (flood, connection);
    }

  /* A real client over TCP still registers. */
  client = client_new (helper, DT_SIP_TRANSPORT_TCP, "alice", "wonderland");
  response = client_register (client, "300");
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  client_free (client);

  g_ptr_array_set_size (flood, 0);
  assert_helper_answers_options (helper);
  dt_test_helper_stop (helper);
}

/* --- TLS -------------------------------------------------------------------- */

static char *
make_certificates (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "make-test-certs.sh", NULL);
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) "sh", script, NULL, NULL };
  char *dir;
  int status = 0;

  dir = g_dir_make_tmp ("dialtone-helper-certs-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = dir;
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_certificates (char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

static void
test_tls (void)
{
  char *dir = make_certificates ();
  g_autofree char *cert = g_build_filename (dir, "server.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "server.key", NULL);
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  g_autofree char *uri = NULL;
  g_autoptr(DtSipMessage) response = NULL;
  g_autoptr(DtSipDialog) call = NULL;
  g_autoptr(GBytes) offer = make_offer (42000);
  g_autoptr(GError) error = NULL;
  DtTestHelper *helper = dt_test_helper_start ("--user", "alice:wonderland", "--tls-cert", cert, "--tls-key",
                                 key, NULL);
  Client *client;
  JsonObject *event;
  CallLog log;

  /* TLS listens on the next port. */
  g_assert_cmpuint (helper->tls_port, ==, helper->port + 1);

  client = client_new (helper, DT_SIP_TRANSPORT_TLS, "alice", "wonderland");
  dt_sip_transport_trust_ca_file (client->transport, ca, &error);
  g_assert_no_error (error);
  response = client_register (client, "300");
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  event = dt_test_helper_wait_event (helper, "registered");
  g_assert_true (g_str_has_prefix (json_object_get_string_member_with_default (event, "source",
                                                                                ""), "TLS "));
  json_object_unref (event);

  /* A call over the same TLS flow. */
  uri = g_strdup_printf ("sip:echo@127.0.0.1:%u;transport=tls", helper->tls_port);
  call = dt_sip_user_agent_invite (client->ua, "<sip:alice@127.0.0.1>", uri, offer, &error);
  g_assert_no_error (error);
  call_log_init (&log, call);
  wait_log (&log, "answered");
  dt_sip_dialog_bye (call, &error);
  g_assert_no_error (error);
  json_object_unref (dt_test_helper_wait_event (helper, "call-ended"));

  call_log_clear (&log, call);
  client_free (client);
  dt_test_helper_stop (helper);
  remove_certificates (dir);
}

/* --- command line ------------------------------------------------------- */

static void
check_refused (const char * const *argv,
               const char         *expected_error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                     | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, expected_error));
}

static void
test_listen_needs_token (void)
{
  const char *helper = g_getenv ("DIALTONE_HELPER");
  const char *no_token[] = { helper, "serve", "--sip", "0", "--listen", "192.0.2.1", NULL };
  const char *wildcard[] = { helper, "serve", "--sip", "0", "--listen", "0.0.0.0", "--token",
                             "t0ken", NULL };
  const char *bad_user[] = { helper, "serve", "--sip", "0", "--user", "nopassword", NULL };
  const char *no_service[] = { helper, "serve", NULL };
  const char *unknown[] = { helper, "frobnicate", NULL };

  check_refused (no_token, "needs --token");
  check_refused (wildcard, "not a wildcard");
  check_refused (bad_user, "NAME:PASSWORD");
  check_refused (no_service, "--sip");
  check_refused (unknown, "Usage");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/helper/sip/register/udp", test_register_udp);
  g_test_add_func ("/helper/sip/register/tcp", test_register_tcp);
  g_test_add_func ("/helper/sip/register/wrong-password", test_register_wrong_password);
  g_test_add_func ("/helper/sip/register/other-user", test_register_other_user);
  g_test_add_func ("/helper/sip/register/lifecycle", test_register_lifecycle);
  g_test_add_func ("/helper/sip/register/interval-too-brief", test_register_interval_too_brief);
  g_test_add_func ("/helper/sip/options", test_options);
  g_test_add_func ("/helper/sip/echo", test_echo);
  g_test_add_func ("/helper/sip/echo/limit", test_echo_limit);
  g_test_add_func ("/helper/sip/call/udp", test_call_between_users_udp);
  g_test_add_func ("/helper/sip/call/tcp", test_call_between_users_tcp);
  g_test_add_func ("/helper/sip/call/unknown-user", test_call_unknown_user);
  g_test_add_func ("/helper/sip/call/not-registered", test_call_not_registered);
  g_test_add_func ("/helper/sip/call/busy", test_call_busy);
  g_test_add_func ("/helper/sip/call/cancel", test_call_cancel);
  g_test_add_func ("/helper/sip/call/wrong-password", test_call_wrong_password);
  g_test_add_func ("/helper/sip/mwi", test_mwi);
  g_test_add_func ("/helper/sip/mwi/bad-event", test_subscribe_bad_event);
  g_test_add_func ("/helper/sip/bad-input/udp", test_bad_udp);
  g_test_add_func ("/helper/sip/bad-input/tcp", test_bad_tcp);
  g_test_add_func ("/helper/sip/bad-input/half-open-flood", test_half_open_flood);
  g_test_add_func ("/helper/sip/tls", test_tls);
  g_test_add_func ("/helper/sip/command-line", test_listen_needs_token);

  return g_test_run ();
}
