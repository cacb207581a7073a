/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-backend.c
 *
 * The SIP backend against a server the test plays by hand over real
 * sockets on loopback: TLS with a certificate that is and is not trusted,
 * a refused TCP connection, OPTIONS answered on the registered flow,
 * voicemail counts reaching the account, and how dialled text becomes a
 * Request-URI.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dt-sip-backend.h"

#define DEADLINE_S 20

static char *cert_dir;

/* --- a network the test switches ---------------------------------------- */

#define TEST_TYPE_NETWORK (test_network_get_type ())
G_DECLARE_FINAL_TYPE (TestNetwork, test_network, TEST, NETWORK, GObject)

struct _TestNetwork
{
  GObject parent_instance;
};

enum {
  PROP_0,
  PROP_NETWORK_AVAILABLE,
  PROP_NETWORK_METERED,
  PROP_CONNECTIVITY,
};

static void test_network_iface_init (GNetworkMonitorInterface *iface);
static void test_network_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestNetwork, test_network, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      test_network_initable_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR,
                                                      test_network_iface_init))

static gboolean
test_network_initable_init_func (GInitable     *initable,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  return TRUE;
}

static void
test_network_initable_init (GInitableIface *iface)
{
  iface->init = test_network_initable_init_func;
}

static void
test_network_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_NETWORK_AVAILABLE:
      g_value_set_boolean (value, TRUE);
      break;
    case PROP_NETWORK_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case PROP_CONNECTIVITY:
      g_value_set_enum (value, G_NETWORK_CONNECTIVITY_FULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_network_class_init (TestNetworkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_network_get_property;
  g_object_class_override_property (object_class, PROP_NETWORK_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, PROP_NETWORK_METERED, "network-metered");
  g_object_class_override_property (object_class, PROP_CONNECTIVITY, "connectivity");
}

static void
test_network_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
test_network_init (TestNetwork *self)
{
}

typedef struct
{
  DtSipBackend   *backend;
  DtSipTransport *server;
  guint16         port;
  GPtrArray      *requests;   /* of DtSipMessage, as the server got them */
  GPtrArray      *responses;
  GPtrArray      *peers;      /* of DtSipPeer, beside each request */
  DtAccount      *account;
} Fixture;

static char *
cert_path (const char *name)
{
  return g_build_filename (cert_dir, name, NULL);
}

static void
on_server_message (DtSipTransport *transport,
                   DtSipMessage   *message,
                   DtSipPeer      *peer,
                   gpointer        user_data)
{
  Fixture *f = user_data;

  if (dt_sip_message_is_request (message))
    {
      g_ptr_array_add (f->requests, dt_sip_message_ref (message));
      g_ptr_array_add (f->peers, dt_sip_peer_ref (peer));
    }
  else
    {
      g_ptr_array_add (f->responses, dt_sip_message_ref (message));
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  DtSipTransportKind kind = GPOINTER_TO_INT (data);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GError) error = NULL;

  f->backend = dt_sip_backend_new ();
  f->server = dt_sip_transport_new ();
  f->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  f->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  f->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_peer_unref);
  if (kind == DT_SIP_TRANSPORT_TLS)
    {
      g_autofree char *cert = cert_path ("server.pem");
      g_autofree char *key = cert_path ("server.key");
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert, key,
                                                                                 &error);

      g_assert_no_error (error);
      dt_sip_transport_set_server_certificate (f->server, certificate);
    }
  g_assert_true (dt_sip_transport_listen (f->server, kind, G_INET_SOCKET_ADDRESS (any), &f->port,
                                          &error));
  g_assert_no_error (error);
  g_signal_connect (f->server, "message-received", G_CALLBACK (on_server_message), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->account);
  g_ptr_array_unref (f->requests);
  g_ptr_array_unref (f->responses);
  g_ptr_array_unref (f->peers);
  g_assert_finalize_object (f->backend);
  g_assert_finalize_object (f->server);
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_until (gboolean (*done) (Fixture *f),
               Fixture   *f)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, on_tick, NULL);

  while (!done (f))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static const char *wanted_method;

static gint
find_request (Fixture    *f,
              const char *method)
{
  for (guint i = 0; i < f->requests->len; i++)
    if (g_str_equal (dt_sip_message_get_method (g_ptr_array_index (f->requests, i)), method))
      return (gint) i;
  return -1;
}

static gboolean
have_request (Fixture *f)
{
  return find_request (f, wanted_method) >= 0;
}

/* The first request of @method; requests of different methods may come in
 * any order (the SUBSCRIBE follows the REGISTER's 200 at once). */
static DtSipMessage *
wait_request (Fixture    *f,
              const char *method)
{
  wanted_method = method;
  iterate_until (have_request, f);
  return g_ptr_array_index (f->requests, find_request (f, method));
}

/* Every request here came on the one connection the client opened. */
static DtSipPeer *
last_peer (Fixture *f)
{
  return g_ptr_array_index (f->peers, f->peers->len - 1);
}

static void
respond (Fixture      *f,
         DtSipMessage *request,
         guint         code,
         const char   *reason,
         const char   *contact)
{
  g_autoptr(DtSipMessage) response = dt_sip_message_new_response_for (request, code, reason,
                                                                      "server1");

  if (contact != NULL)
    dt_sip_message_append_header (response, "Contact", contact);
  g_assert_true (dt_sip_transport_send (f->server, last_peer (f), response));
}

static DtAccountState wanted_state;

static gboolean
account_in_state (Fixture *f)
{
  return dt_account_get_state (f->account) == wanted_state;
}

static void
wait_account (Fixture        *f,
              DtAccountState  state)
{
  wanted_state = state;
  iterate_until (account_in_state, f);
}

static void
start_account (Fixture     *f,
               DtTransport  transport,
               guint16      port)
{
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", port);

  f->account = dt_account_new ("alice", "sip");
  dt_account_set_identity (f->account, "sip:alice@127.0.0.1");
  dt_account_set_server (f->account, server);
  dt_account_set_transport (f->account, transport);
  dt_sip_backend_set_password (f->backend, "alice", "secret");
  dt_backend_connect_async (DT_BACKEND (f->backend), f->account, NULL, NULL, NULL);
}

/* --- tests -------------------------------------------------------------- */

/* The system's store does not know the test CA: the account says why it
 * cannot connect, in words a person can act on. */
static void
test_tls_untrusted (Fixture       *f,
                    gconstpointer  data)
{
  start_account (f, DT_TRANSPORT_TLS, f->port);
  wait_account (f, DT_ACCOUNT_STATE_FAILED);
  g_assert_true (g_str_has_prefix (dt_account_get_failure_reason (f->account),
                                   "TLS certificate not trusted: "));
  g_assert_cmpuint (f->requests->len, ==, 0);
}

static void
test_tcp_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocket) closed = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  /* A port that was just ours and now nobody listens on. */
  g_assert_true (g_socket_bind (closed, any, FALSE, NULL));
  bound = g_socket_get_local_address (closed, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (closed, NULL);

  start_account (f, DT_TRANSPORT_TCP, port);
  wait_account (f, DT_ACCOUNT_STATE_FAILED);
  g_assert_true (g_str_has_prefix (dt_account_get_failure_reason (f->account),
                                   "Server not reachable"));
}

/* With the test CA trusted the REGISTER arrives over TLS; the server then
 * uses the flow the client opened (RFC 5923) to qualify it with OPTIONS
 * and to send the voicemail NOTIFY, whose counts reach the account. */
static void
test_tls_trusted (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *ca = cert_path ("ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca, &error);
  g_autoptr(DtSipMessage) options = NULL;
  g_autoptr(DtSipMessage) notify = NULL;
  g_autoptr(GBytes) summary = NULL;
  g_autofree char *contact = NULL;
  DtSipMessage *registration;
  DtSipMessage *subscribe;
  DtSipMessage *answer;
  g_autoptr(DtSipNameAddr) contact_addr = NULL;
  g_autofree char *to = NULL;
  static const char body[] = "Messages-Waiting: yes\r\nVoice-Message: 2/5 (1/0)\r\n";

  g_assert_no_error (error);
  dt_sip_backend_set_tls_database (f->backend, database);
  start_account (f, DT_TRANSPORT_TLS, f->port);

  registration = wait_request (f, "REGISTER");
  g_assert_cmpstr (dt_sip_message_get_request_uri (registration), ==, "sip:127.0.0.1");
  g_assert_true (g_str_has_prefix (dt_sip_message_get_header (registration, "Via"),
                                   "SIP/2.0/TLS "));
  contact_addr = dt_sip_name_addr_parse (dt_sip_message_get_header (registration, "Contact"));
  g_assert_nonnull (strstr (contact_addr->uri, ";transport=tls"));
  contact = g_strdup_printf ("<%s>;expires=600", contact_addr->uri);
  respond (f, registration, 200, "OK", contact);
  wait_account (f, DT_ACCOUNT_STATE_ONLINE);

  /* RFC 3261 §11: a qualify on the same connection gets 200 with Allow. */
  options = dt_sip_message_new_request ("OPTIONS", contact_addr->uri);
  dt_sip_message_append_header (options, "Via", "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-qualify1");
  dt_sip_message_append_header (options, "Max-Forwards", "70");
  dt_sip_message_append_header (options, "From", "<sip:127.0.0.1>;tag=q1");
  dt_sip_message_append_header (options, "To", "<sip:alice@127.0.0.1>");
  dt_sip_message_append_header (options, "Call-ID", "qualify-1");
  dt_sip_message_append_header (options, "CSeq", "1 OPTIONS");
  g_assert_true (dt_sip_transport_send (f->server, last_peer (f), options));
  while (f->responses->len == 0)
    g_main_context_iteration (NULL, TRUE);
  answer = g_ptr_array_index (f->responses, 0);
  g_assert_cmpuint (dt_sip_message_get_status_code (answer), ==, 200);
  g_assert_nonnull (strstr (dt_sip_message_get_header (answer, "Allow"), "INVITE"));
  g_assert_nonnull (strstr (dt_sip_message_get_header (answer, "Allow"), "REFER"));

  /* The voicemail subscription follows the registration. */
  subscribe = wait_request (f, "SUBSCRIBE");
  g_assert_cmpstr (dt_sip_message_get_header (subscribe, "Event"), ==, "message-summary");
  respond (f, subscribe, 200, "OK", NULL);

  to = g_strdup_printf ("<sip:alice@127.0.0.1>;tag=%s", dt_sip_message_get_from_tag (subscribe));
  notify = dt_sip_message_new_request ("NOTIFY", contact_addr->uri);
  dt_sip_message_append_header (notify, "Via", "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-mwi1");
  dt_sip_message_append_header (notify, "Max-Forwards", "70");
  dt_sip_message_append_header (notify, "From", "<sip:alice@127.0.0.1>;tag=server1");
  dt_sip_message_append_header (notify, "To", to);
  dt_sip_message_append_header (notify, "Call-ID", dt_sip_message_get_call_id (subscribe));
  dt_sip_message_append_header (notify, "CSeq", "1 NOTIFY");
  dt_sip_message_append_header (notify, "Event", "message-summary");
  dt_sip_message_append_header (notify, "Subscription-State", "active;expires=3600");
  summary = g_bytes_new_static (body, sizeof body - 1);
  dt_sip_message_set_body (notify, "application/simple-message-summary", summary);
  g_assert_true (dt_sip_transport_send (f->server, last_peer (f), notify));
  while (dt_account_get_new_messages (f->account) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_account_get_messages_waiting (f->account));
  g_assert_cmpuint (dt_account_get_new_messages (f->account), ==, 2);
  g_assert_cmpuint (dt_account_get_old_messages (f->account), ==, 5);
  /* The NOTIFY gets its 200 on the same connection. */
  while (f->responses->len < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (dt_sip_message_get_status_code (g_ptr_array_index (f->responses, 1)), ==, 200);
}

/* After the network changes (a new Wi-Fi, a VPN, waking up), the binding
 * may point nowhere: the account registers again, in the same binding. */
static void
test_network_change (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TestNetwork) network = g_object_new (TEST_TYPE_NETWORK, NULL);
  g_autofree char *first_call_id = NULL;
  DtSipMessage *registration;
  g_autoptr(DtSipNameAddr) contact = NULL;
  g_autofree char *granted = NULL;
  guint32 first_cseq = 0, second_cseq = 0;

  dt_sip_backend_set_network_monitor (f->backend, G_NETWORK_MONITOR (network));
  start_account (f, DT_TRANSPORT_TCP, f->port);
  registration = wait_request (f, "REGISTER");
  first_call_id = g_strdup (dt_sip_message_get_call_id (registration));
  g_assert_true (dt_sip_message_get_cseq (registration, &first_cseq, NULL));
  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (registration, "Contact"));
  granted = g_strdup_printf ("<%s>;expires=3600", contact->uri);
  respond (f, registration, 200, "OK", granted);
  wait_account (f, DT_ACCOUNT_STATE_ONLINE);
  g_ptr_array_set_size (f->requests, 0);
  g_ptr_array_set_size (f->peers, 0);

  /* Nothing is due for an hour; the change alone brings a REGISTER. */
  g_signal_emit_by_name (network, "network-changed", TRUE);
  registration = wait_request (f, "REGISTER");
  g_assert_cmpstr (dt_sip_message_get_call_id (registration), ==, first_call_id);
  g_assert_true (dt_sip_message_get_cseq (registration, &second_cseq, NULL));
  g_assert_cmpuint (second_cseq, >, first_cseq);
  respond (f, registration, 200, "OK", granted);

  g_ptr_array_set_size (f->requests, 0);
  g_ptr_array_set_size (f->peers, 0);
  dt_backend_disconnect_async (DT_BACKEND (f->backend), f->account, NULL, NULL, NULL);
  registration = wait_request (f, "REGISTER");
  respond (f, registration, 200, "OK", NULL);
  wait_account (f, DT_ACCOUNT_STATE_OFFLINE);
}

/* What a person types, or a link carries, becomes a Request-URI. */
static void
test_targets (Fixture       *f,
              gconstpointer  data)
{
  static const struct {
    const char *text;
    const char *uri;
  } cases[] = {
    { "echo", "sip:echo@127.0.0.1" },
    { "  alice  ", "sip:alice@127.0.0.1" },
    { "bob@example.org", "sip:bob@example.org" },
    { "sip:carol@example.com:5080;transport=tcp", "sip:carol@example.com:5080;transport=tcp" },
    { "tel:+15551234567", "sip:+15551234567@127.0.0.1;user=phone" },
    { "+1 (555) 123-4567", "sip:+15551234567@127.0.0.1;user=phone" },
    /* RFC 3261 §19.1.5: headers that would steer the request are dropped. */
    { "sip:dave@example.com?Route=%3Csip:evil.example%3E", "sip:dave@example.com" },
  };
  DtSipEndpoint *endpoint;
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;

  start_account (f, DT_TRANSPORT_TCP, f->port);
  endpoint = dt_sip_backend_get_endpoint (f->backend, "alice");
  g_assert_nonnull (endpoint);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = dt_sip_endpoint_target_for (endpoint, cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (uri, ==, cases[i].uri);
    }

  bad = dt_sip_endpoint_target_for (endpoint, "sip:<>", &error);
  g_assert_null (bad);
  g_assert_nonnull (error);

  /* Let the account come up and go down cleanly, answering as a registrar. */
  {
    DtSipMessage *registration = wait_request (f, "REGISTER");
    g_autoptr(DtSipNameAddr) contact = dt_sip_name_addr_parse (
      dt_sip_message_get_header (registration, "Contact"));
    g_autofree char *granted = g_strdup_printf ("<%s>;expires=600", contact->uri);

    respond (f, registration, 200, "OK", granted);
    wait_account (f, DT_ACCOUNT_STATE_ONLINE);
    g_ptr_array_set_size (f->requests, 0);
    g_ptr_array_set_size (f->peers, 0);
    dt_backend_disconnect_async (DT_BACKEND (f->backend), f->account, NULL, NULL, NULL);
    registration = wait_request (f, "REGISTER");
    g_assert_cmpint (dt_sip_message_get_expires (registration), ==, 0);
    respond (f, registration, 200, "OK", NULL);
    wait_account (f, DT_ACCOUNT_STATE_OFFLINE);
  }
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

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  script = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "make-test-certs.sh", NULL);
  cert_dir = g_dir_make_tmp ("dialtone-certs-XXXXXX", &error);
  g_assert_no_error (error);
  spawn_argv[1] = script;
  spawn_argv[2] = cert_dir;
  g_spawn_sync (NULL, spawn_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_test_add ("/sip/backend/tls-untrusted", Fixture, GINT_TO_POINTER (DT_SIP_TRANSPORT_TLS),
              fixture_setup, test_tls_untrusted, fixture_teardown);
  g_test_add ("/sip/backend/tls-trusted", Fixture, GINT_TO_POINTER (DT_SIP_TRANSPORT_TLS),
              fixture_setup, test_tls_trusted, fixture_teardown);
  g_test_add ("/sip/backend/tcp-refused", Fixture, GINT_TO_POINTER (DT_SIP_TRANSPORT_TCP),
              fixture_setup, test_tcp_refused, fixture_teardown);
  g_test_add ("/sip/backend/targets", Fixture, GINT_TO_POINTER (DT_SIP_TRANSPORT_TCP),
              fixture_setup, test_targets, fixture_teardown);
  g_test_add ("/sip/backend/network-change", Fixture, GINT_TO_POINTER (DT_SIP_TRANSPORT_TCP),
              fixture_setup, test_network_change, fixture_teardown);

  result = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", cert_dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (cert_dir);
  return result;
}
