/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-turn-interop.c
 *
 * DtTurnClient against a real coturn (Debian's turnserver) started here on
 * loopback with free ports: Binding, Allocate over UDP, TCP, TLS and DTLS,
 * relaying to a UDP peer socket through Send/Data indications and through
 * ChannelData, wrong credentials, an untrusted certificate, a TLS-only
 * server that proves the TLS is real, and IPv6 over ::1.
 */

#include "config.h"

#include <string.h>

#include "coturn.h"
#include "dt-turn-client.h"

#define USERNAME COTURN_USERNAME
#define PASSWORD COTURN_PASSWORD

static char *tmpdir;
static char *certdir;
static GTlsDatabase *ca_database;
static Coturn *server;
static Coturn *tls_only_server;
static gboolean have_ipv6;
static char *ipv6_skip_reason;

/* --- Helpers ------------------------------------------------------------ */

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static DtTurnClient *
make_client (const char      *host,
             guint16          port,
             DtTurnTransport  transport,
             const char      *password)
{
  DtTurnClient *client = dt_turn_client_new (host, port, transport);

  g_autoptr(GError) error = NULL;
  g_autofree char *ca_path = g_build_filename (certdir, "ca.pem", NULL);

  dt_turn_client_set_credentials (client, USERNAME, password);
  g_assert_true (dt_turn_client_set_ca_file (client, ca_path, &error));
  g_assert_no_error (error);
  g_object_set (client, "rto", 200, "stage-timeout", 5000, "reliable-timeout", 5000, NULL);
  return client;
}

static gboolean
client_connect (DtTurnClient  *client,
                GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_turn_client_connect_async (client, NULL, on_result, &result);
  return dt_turn_client_connect_finish (client, wait_for (&result), error);
}

static gboolean
client_allocate (DtTurnClient  *client,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_turn_client_allocate_async (client, NULL, on_result, &result);
  return dt_turn_client_allocate_finish (client, wait_for (&result), error);
}

static void
client_release (DtTurnClient *client)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dt_turn_client_refresh_async (client, 0, NULL, on_result, &result);
  g_assert_true (dt_turn_client_refresh_finish (client, wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_null (dt_turn_client_get_relayed_address (client));
  g_assert_cmpuint (dt_turn_client_get_lifetime (client), ==, 0);
}

static GSocket *
make_peer (GSocketFamily family)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSocket *peer = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (peer, address, FALSE, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (peer, FALSE);
  return peer;
}

static GInetSocketAddress *
peer_address (GSocket *peer)
{
  return G_INET_SOCKET_ADDRESS (g_socket_get_local_address (peer, NULL));
}

/* Runs the main loop until @peer has a datagram, then returns it. */
static GBytes *
peer_receive (GSocket         *peer,
              GSocketAddress **from)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  guint8 buffer[2048];
  gssize n;

  while (!(g_socket_condition_check (peer, G_IO_IN) & G_IO_IN))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
  n = g_socket_receive_from (peer, from, (char *) buffer, sizeof buffer, NULL, NULL);
  g_assert_cmpint (n, >=, 0);
  return g_bytes_new (buffer, n);
}

typedef struct {
  GInetSocketAddress *peer;
  GBytes             *data;
  guint               channel;
} Received;

static void
on_data_received (DtTurnClient       *client,
                  GInetSocketAddress *peer,
                  GBytes             *data,
                  guint               channel,
                  gpointer            user_data)
{
  Received *received = user_data;

  g_assert_null (received->data);
  received->peer = g_object_ref (peer);
  received->data = g_bytes_ref (data);
  received->channel = channel;
}

static void
received_wait (Received *received)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (received->data == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
received_clear (Received *received)
{
  g_clear_object (&received->peer);
  g_clear_pointer (&received->data, g_bytes_unref);
  received->channel = 0;
}

static gboolean
same_address (GInetSocketAddress *a,
              GInetSocketAddress *b)
{
  return g_inet_address_equal (g_inet_socket_address_get_address (a),
                               g_inet_socket_address_get_address (b)) &&
         g_inet_socket_address_get_port (a) == g_inet_socket_address_get_port (b);
}

static void
assert_bytes (GBytes     *bytes,
              const char *text)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpmem (data, length, text, strlen (text));
}

/* Allocate, then relay both ways through indications and a channel. */
static void
relay_round_trip (DtTurnClient  *client,
                  GSocketFamily  family,
                  const char    *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) peer = make_peer (family);
  g_autoptr(GInetSocketAddress) peer_addr = peer_address (peer);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) bind_result = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GSocketAddress) from = NULL;
  g_autofree char *greeting = g_strdup_printf ("hello from dialtone over %s", label);
  g_autofree char *reply = g_strdup_printf ("reply to %s", label);
  g_autoptr(GBytes) greeting_bytes = g_bytes_new (greeting, strlen (greeting));
  g_autoptr(GBytes) channel_bytes = g_bytes_new_static ("over the channel", 16);
  Received received = { NULL, };
  GInetSocketAddress *relayed;
  guint16 channel;
  gulong handler;

  handler = g_signal_connect (client, "data-received", G_CALLBACK (on_data_received),
                              &received);
  relayed = dt_turn_client_get_relayed_address (client);

  /* RFC 8656 §9: without a permission the server drops the data */
  dt_turn_client_create_permission_async (client, peer_addr, NULL, on_result, &result);
  g_assert_true (dt_turn_client_create_permission_finish (client, wait_for (&result), &error));
  g_assert_no_error (error);

  g_assert_true (dt_turn_client_send_indication (client, peer_addr, greeting_bytes, &error));
  g_assert_no_error (error);
  got = peer_receive (peer, &from);
  assert_bytes (got, greeting);
  g_assert_true (same_address (G_INET_SOCKET_ADDRESS (from), relayed));

  g_socket_send_to (peer, G_SOCKET_ADDRESS (relayed), reply, strlen (reply), NULL, &error);
  g_assert_no_error (error);
  received_wait (&received);
  assert_bytes (received.data, reply);
  g_assert_true (same_address (received.peer, peer_addr));
  g_assert_cmpuint (received.channel, ==, 0);
  received_clear (&received);

  /* RFC 8656 §12 */
  dt_turn_client_channel_bind_async (client, peer_addr, NULL, on_result, &bind_result);
  channel = dt_turn_client_channel_bind_finish (client, wait_for (&bind_result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (channel, >=, 0x4000);
  g_assert_cmpuint (channel, <=, 0x4FFF);

  g_assert_true (dt_turn_client_send_channel_data (client, channel, channel_bytes, &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, g_bytes_unref);
  g_clear_object (&from);
  got = peer_receive (peer, &from);
  assert_bytes (got, "over the channel");
  g_assert_true (same_address (G_INET_SOCKET_ADDRESS (from), relayed));

  g_socket_send_to (peer, G_SOCKET_ADDRESS (relayed), "channel reply!", 14, NULL, &error);
  g_assert_no_error (error);
  received_wait (&received);
  assert_bytes (received.data, "channel reply!");
  g_assert_true (same_address (received.peer, peer_addr));
  g_assert_cmpuint (received.channel, ==, channel);
  received_clear (&received);

  g_signal_handler_disconnect (client, handler);
}

static void
assert_stages (DtTurnClient *client,
               gboolean      secure)
{
  gint64 started = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_STARTED);
  gint64 resolved = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_RESOLVED);
  gint64 connected = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_CONNECTED);
  gint64 handshaken = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_HANDSHAKEN);
  gint64 allocated = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_ALLOCATED);

  g_assert_cmpint (started, >, 0);
  g_assert_cmpint (resolved, >=, started);
  g_assert_cmpint (connected, >=, resolved);
  if (secure)
    {
      g_assert_cmpint (handshaken, >=, connected);
      g_assert_cmpint (allocated, >=, handshaken);
    }
  else
    {
      g_assert_cmpint (handshaken, ==, 0);
      g_assert_cmpint (allocated, >=, connected);
    }
  g_test_message ("connected after %" G_GINT64_FORMAT " µs, allocated after %" G_GINT64_FORMAT
                  " µs", connected - started, allocated - started);
}

/* --- Tests -------------------------------------------------------------- */

static void
test_binding_udp (void)
{
  g_autoptr(DtTurnClient) client = make_client ("127.0.0.1", server->port,
                                                DT_TURN_TRANSPORT_UDP, PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInetSocketAddress) mapped = NULL;
  g_autoptr(GInetSocketAddress) local = NULL;
  g_autofree char *mapped_ip = NULL;

  g_assert_true (client_connect (client, &error));
  g_assert_no_error (error);
  local = dt_turn_client_get_local_address (client);
  g_assert_nonnull (local);

  dt_turn_client_binding_async (client, NULL, on_result, &result);
  mapped = dt_turn_client_binding_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (mapped);

  mapped_ip = g_inet_address_to_string (g_inet_socket_address_get_address (mapped));
  g_assert_cmpstr (mapped_ip, ==, "127.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (mapped), ==,
                    g_inet_socket_address_get_port (local));
  g_assert_cmpuint (g_inet_socket_address_get_port (mapped), !=, 0);

  g_clear_object (&result);
  dt_turn_client_close (client);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_allocate (gconstpointer data)
{
  DtTurnTransport transport = GPOINTER_TO_INT (data);
  gboolean secure = transport == DT_TURN_TRANSPORT_TLS || transport == DT_TURN_TRANSPORT_DTLS;
  guint16 port = secure ? server->tls_port : server->port;
  g_autoptr(DtTurnClient) client = make_client ("127.0.0.1", port, transport, PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autofree char *relay_ip = NULL;
  GInetSocketAddress *relayed;

  g_assert_true (client_connect (client, &error));
  g_assert_no_error (error);
  g_assert_true (client_allocate (client, &error));
  g_assert_no_error (error);

  relayed = dt_turn_client_get_relayed_address (client);
  g_assert_nonnull (relayed);
  relay_ip = g_inet_address_to_string (g_inet_socket_address_get_address (relayed));
  g_assert_cmpstr (relay_ip, ==, "127.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (relayed), !=, 0);
  g_assert_cmpuint (dt_turn_client_get_lifetime (client), >, 0);
  g_assert_nonnull (dt_turn_client_get_mapped_address (client));
  g_assert_cmpuint (dt_turn_client_get_last_error_code (client, NULL), ==, 0);
  assert_stages (client, secure);

  relay_round_trip (client, G_SOCKET_FAMILY_IPV4, dt_turn_transport_to_string (transport));
  client_release (client);

  dt_turn_client_close (client);
  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_wrong_password (void)
{
  g_autoptr(DtTurnClient) client = make_client ("127.0.0.1", server->port,
                                                DT_TURN_TRANSPORT_UDP, "not-the-password");
  g_autoptr(GError) error = NULL;
  guint code;

  g_assert_true (client_connect (client, &error));
  g_assert_false (client_allocate (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_AUTH_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "password"));
  code = dt_turn_client_get_last_error_code (client, NULL);
  g_assert_true (code == 401 || code == 441);
  g_assert_null (dt_turn_client_get_relayed_address (client));
}

static void
test_untrusted (gconstpointer data)
{
  DtTurnTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(DtTurnClient) client = dt_turn_client_new ("127.0.0.1", server->tls_port, transport);
  g_autoptr(GError) error = NULL;

  /* The system's trust store does not know the test CA */
  g_object_set (client, "stage-timeout", 5000, NULL);
  g_assert_false (client_connect (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_TLS_UNTRUSTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "certificate not trusted"));
  g_assert_false (dt_turn_client_is_connected (client));
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_HANDSHAKEN), ==, 0);
}

static void
test_tls_only (void)
{
  g_autoptr(DtTurnClient) tls = make_client ("127.0.0.1", tls_only_server->tls_port,
                                             DT_TURN_TRANSPORT_TLS, PASSWORD);
  g_autoptr(DtTurnClient) plain = make_client ("127.0.0.1", tls_only_server->tls_port,
                                               DT_TURN_TRANSPORT_TCP, PASSWORD);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) plain_error = NULL;

  /* Trust given as a database this time */
  g_object_set (tls, "tls-database", ca_database, NULL);
  g_assert_true (client_connect (tls, &error));
  g_assert_no_error (error);
  g_assert_true (client_allocate (tls, &error));
  g_assert_no_error (error);
  g_assert_nonnull (dt_turn_client_get_relayed_address (tls));
  client_release (tls);

  /* DTLS works there too. coturn 4.6.1 still answers plain STUN over UDP
   * on that port despite --no-udp, so this proves nothing about DTLS
   * itself; /turn-interop/untrusted/dtls does, since only a real handshake
   * can reject the certificate. */
  {
    g_autoptr(DtTurnClient) dtls = make_client ("127.0.0.1", tls_only_server->tls_port,
                                                DT_TURN_TRANSPORT_DTLS, PASSWORD);

    g_assert_true (client_connect (dtls, &error));
    g_assert_no_error (error);
    g_assert_cmpint (dt_turn_client_get_stage_time (dtls, DT_TURN_STAGE_HANDSHAKEN), >, 0);
    g_assert_true (client_allocate (dtls, &error));
    g_assert_no_error (error);
    client_release (dtls);
  }

  /* Plain STUN to the TLS-only port gets no allocation */
  g_object_set (plain, "reliable-timeout", 3000, NULL);
  if (client_connect (plain, &plain_error))
    g_assert_false (client_allocate (plain, &plain_error));
  g_assert_nonnull (plain_error);
  g_assert_true (plain_error->domain == DT_TURN_ERROR);
  g_test_message ("plain TCP: %s", plain_error->message);
  g_assert_null (dt_turn_client_get_relayed_address (plain));
}

#define IPV6_REQUEST 1
#define IPV6_TCP     2

static void
test_ipv6 (gconstpointer data)
{
  gboolean request_ipv6 = (GPOINTER_TO_INT (data) & IPV6_REQUEST) != 0;
  DtTurnTransport transport = (GPOINTER_TO_INT (data) & IPV6_TCP) ? DT_TURN_TRANSPORT_TCP
                                                                  : DT_TURN_TRANSPORT_UDP;
  g_autoptr(DtTurnClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GInetSocketAddress *relayed;

  if (!have_ipv6)
    {
      g_test_skip (ipv6_skip_reason);
      return;
    }

  client = make_client ("::1", server->port, transport, PASSWORD);
  if (request_ipv6)
    g_object_set (client, "requested-family", DT_STUN_FAMILY_IPV6, NULL);
  g_assert_true (client_connect (client, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_inet_address_get_family (g_inet_socket_address_get_address (
                     dt_turn_client_get_server_address (client))), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_true (client_allocate (client, &error));
  g_assert_no_error (error);

  relayed = dt_turn_client_get_relayed_address (client);
  g_assert_nonnull (relayed);
  if (request_ipv6)
    {
      g_assert_cmpint (g_inet_address_get_family (g_inet_socket_address_get_address (relayed)),
                       ==, G_SOCKET_FAMILY_IPV6);
      relay_round_trip (client, G_SOCKET_FAMILY_IPV6,
                        transport == DT_TURN_TRANSPORT_TCP ? "TCP/IPv6" : "UDP/IPv6");
    }
  else
    {
      /* RFC 8656 §7.2 (RFC 6156 §4.2): no REQUESTED-ADDRESS-FAMILY, IPv4 relay */
      g_assert_cmpint (g_inet_address_get_family (g_inet_socket_address_get_address (relayed)),
                       ==, G_SOCKET_FAMILY_IPV4);
    }
  client_release (client);
}

/* --- Setup -------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_path = NULL;
  const char *ips_v4[] = { "127.0.0.1", NULL };
  const char *ips_dual[] = { "127.0.0.1", "::1", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("dialtone-turn-XXXXXX", &error);
  g_assert_no_error (error);
  certdir = coturn_make_certs (tmpdir);
  ca_path = g_build_filename (certdir, "ca.pem", NULL);
  ca_database = g_tls_file_database_new (ca_path, &error);
  g_assert_no_error (error);

  have_ipv6 = coturn_have_ipv6 (&ipv6_skip_reason);
  server = coturn_start (tmpdir, certdir, have_ipv6 ? ips_dual : ips_v4, FALSE);
  tls_only_server = coturn_start (tmpdir, certdir, ips_v4, TRUE);

  g_test_add_func ("/turn-interop/binding/udp", test_binding_udp);
  g_test_add_data_func ("/turn-interop/allocate/udp", GINT_TO_POINTER (DT_TURN_TRANSPORT_UDP),
                        test_allocate);
  g_test_add_data_func ("/turn-interop/allocate/tcp", GINT_TO_POINTER (DT_TURN_TRANSPORT_TCP),
                        test_allocate);
  g_test_add_data_func ("/turn-interop/allocate/tls", GINT_TO_POINTER (DT_TURN_TRANSPORT_TLS),
                        test_allocate);
  g_test_add_data_func ("/turn-interop/allocate/dtls", GINT_TO_POINTER (DT_TURN_TRANSPORT_DTLS),
                        test_allocate);
  g_test_add_func ("/turn-interop/wrong-password", test_wrong_password);
  g_test_add_data_func ("/turn-interop/untrusted/tls", GINT_TO_POINTER (DT_TURN_TRANSPORT_TLS),
                        test_untrusted);
  g_test_add_data_func ("/turn-interop/untrusted/dtls",
                        GINT_TO_POINTER (DT_TURN_TRANSPORT_DTLS), test_untrusted);
  g_test_add_func ("/turn-interop/tls-only-server", test_tls_only);
  g_test_add_data_func ("/turn-interop/ipv6/udp", GINT_TO_POINTER (IPV6_REQUEST), test_ipv6);
  g_test_add_data_func ("/turn-interop/ipv6/tcp", GINT_TO_POINTER (IPV6_REQUEST | IPV6_TCP),
                        test_ipv6);
  g_test_add_data_func ("/turn-interop/ipv6/default-family", GINT_TO_POINTER (0), test_ipv6);

  ret = g_test_run ();

  if (ret != 0)
    {
      coturn_dump_log (server);
      coturn_dump_log (tls_only_server);
    }
  coturn_stop (server);
  coturn_stop (tls_only_server);
  g_clear_object (&ca_database);
  {
    const char *cmd[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (certdir);
  g_free (tmpdir);
  g_free (ipv6_skip_reason);
  return ret;
}
