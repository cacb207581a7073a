/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-turn-client.c
 *
 * DtTurnClient against a small fake TURN server on 127.0.0.1, written here
 * with the codec, for what a real server will not do on demand: the 401
 * challenge and 438 stale nonce, 441, 486 and 508, silence, responses with
 * a forged MESSAGE-INTEGRITY or another transaction ID, cancellation, and a
 * TLS handshake that never completes.
 */

#include "config.h"

#include <string.h>

#include "dt-turn-client.h"

#define REALM "fake.invalid"

typedef enum {
  SCENARIO_SUCCESS,
  SCENARIO_STALE_NONCE,
  SCENARIO_WRONG_CREDENTIALS,
  SCENARIO_QUOTA,
  SCENARIO_CAPACITY,
  SCENARIO_SILENT,
  SCENARIO_FORGED_FIRST,
  SCENARIO_OTHER_ID_FIRST,
  SCENARIO_BAD_FINGERPRINT_FIRST,
} Scenario;

typedef struct {
  Scenario  scenario;
  GSocket  *socket;
  GSource  *source;
  guint16   port;
  GBytes   *key;
  char     *nonce;
  guint     n_requests;
  guint     n_signed;
  guint     n_stale_sent;
} FakeServer;

/* The relay the real answer carries, and the one forged answers carry */
static const DtStunAddress good_relay = { DT_STUN_FAMILY_IPV4, 50000, { 192, 0, 2, 1 } };
static const DtStunAddress bad_relay = { DT_STUN_FAMILY_IPV4, 1, { 198, 51, 100, 66 } };

static gboolean damage_next_fingerprint;

static void
server_send (FakeServer     *server,
             DtStunBuilder  *builder,
             GSocketAddress *to,
             GBytes         *key)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize length;

  if (key != NULL)
    g_assert_true (dt_stun_builder_add_message_integrity (builder, key, NULL));
  g_assert_true (dt_stun_builder_add_fingerprint (builder, NULL));
  bytes = dt_stun_builder_end (builder);
  data = g_memdup2 (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));
  if (damage_next_fingerprint)
    {
      /* The CRC is the last 4 bytes */
      data[length - 1] ^= 0x01;
      damage_next_fingerprint = FALSE;
    }
  g_socket_send_to (server->socket, to, (const char *) data, length, NULL, &error);
  g_assert_no_error (error);
}

static void
server_send_error (FakeServer          *server,
                   const DtStunMessage *request,
                   GSocketAddress      *to,
                   guint                code,
                   const char          *reason,
                   gboolean             challenge,
                   GBytes              *key)
{
  g_autoptr(DtStunBuilder) builder =
    dt_stun_builder_new (dt_stun_message_get_method (request), DT_STUN_CLASS_ERROR,
                         dt_stun_message_get_transaction_id (request));

  g_assert_true (dt_stun_builder_add_error_code (builder, code, reason, NULL));
  if (challenge)
    {
      g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_REALM, REALM, NULL));
      g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_NONCE, server->nonce,
                                                 NULL));
    }
  server_send (server, builder, to, key);
}

static void
server_send_success (FakeServer          *server,
                     const DtStunMessage *request,
                     const guint8        *transaction_id,
                     GSocketAddress      *to,
                     const DtStunAddress *relay,
                     GBytes              *key)
{
  g_autoptr(DtStunBuilder) builder =
    dt_stun_builder_new (dt_stun_message_get_method (request), DT_STUN_CLASS_SUCCESS,
                         transaction_id);
  DtStunAddress mapped;

  g_assert_true (dt_stun_address_from_socket_address (&mapped, G_INET_SOCKET_ADDRESS (to)));
  if (dt_stun_message_get_method (request) == DT_STUN_METHOD_ALLOCATE)
    {
      g_assert_true (dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                                  relay, NULL));
      g_assert_true (dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_LIFETIME, 600, NULL));
    }
  g_assert_true (dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped,
                                              NULL));
  server_send (server, builder, to, key);
}

static void
server_handle (FakeServer          *server,
               const DtStunMessage *request,
               GSocketAddress      *from)
{
  static const guint8 other_id[DT_STUN_TRANSACTION_ID_LENGTH] = { 0xde, 0xad, 0xbe, 0xef };
  g_autofree char *nonce = NULL;

  server->n_requests++;
  if (server->scenario == SCENARIO_SILENT)
    return;

  if (dt_stun_message_get_method (request) == DT_STUN_METHOD_BINDING)
    {
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           NULL, NULL);
      return;
    }

  /* RFC 8489 §9.2.4: challenge anything unsigned or signed wrongly */
  if (!dt_stun_message_has_integrity (request) ||
      !dt_stun_message_verify_integrity (request, server->key, NULL))
    {
      server_send_error (server, request, from, 401, "Unauthorized", TRUE, NULL);
      return;
    }
  server->n_signed++;

  nonce = dt_stun_message_get_string (request, DT_STUN_ATTR_NONCE, NULL);
  g_assert_nonnull (nonce);
  if (g_strcmp0 (nonce, server->nonce) != 0)
    {
      server_send_error (server, request, from, 438, "Stale Nonce", TRUE, NULL);
      return;
    }

  switch (server->scenario)
    {
    case SCENARIO_STALE_NONCE:
      if (server->n_stale_sent == 0)
        {
          server->n_stale_sent++;
          g_free (server->nonce);
          server->nonce = g_strdup ("second-nonce");
          server_send_error (server, request, from, 438, "Stale Nonce", TRUE, NULL);
          return;
        }
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           &good_relay, server->key);
      break;
    case SCENARIO_WRONG_CREDENTIALS:
      server_send_error (server, request, from, 441, "Wrong Credentials", FALSE, NULL);
      break;
    case SCENARIO_QUOTA:
      server_send_error (server, request, from, 486, "Allocation Quota Reached", FALSE,
                         server->key);
      break;
    case SCENARIO_CAPACITY:
      server_send_error (server, request, from, 508, "Insufficient Capacity", FALSE,
                         server->key);
      break;
    case SCENARIO_FORGED_FIRST:
      {
        g_autoptr(GBytes) forged_key =
          dt_stun_long_term_key ("alice", REALM, "forger", DT_STUN_PASSWORD_ALGORITHM_MD5, NULL);

        server_send_success (server, request, dt_stun_message_get_transaction_id (request),
                             from, &bad_relay, forged_key);
        server_send_success (server, request, dt_stun_message_get_transaction_id (request),
                             from, &good_relay, server->key);
      }
      break;
    case SCENARIO_OTHER_ID_FIRST:
      server_send_success (server, request, other_id, from, &bad_relay, server->key);
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           &good_relay, server->key);
      break;
    case SCENARIO_BAD_FINGERPRINT_FIRST:
      damage_next_fingerprint = TRUE;
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           &bad_relay, server->key);
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           &good_relay, server->key);
      break;
    case SCENARIO_SUCCESS:
    case SCENARIO_SILENT:
    default:
      server_send_success (server, request, dt_stun_message_get_transaction_id (request), from,
                           &good_relay, server->key);
      break;
    }
}

static gboolean
on_server_readable (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  FakeServer *server = user_data;
  guint8 buffer[2048];
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(DtStunMessage) request = NULL;
  gssize n;

  n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, NULL);
  if (n <= 0)
    return G_SOURCE_CONTINUE;

  request = dt_stun_message_decode (buffer, n, NULL);
  g_assert_nonnull (request);
  g_assert_true (dt_stun_message_has_fingerprint (request));
  g_assert_cmpint (dt_stun_message_get_class (request), ==, DT_STUN_CLASS_REQUEST);
  server_handle (server, request, from);
  return G_SOURCE_CONTINUE;
}

static FakeServer *
fake_server_new (Scenario scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  FakeServer *server = g_new0 (FakeServer, 1);

  server->scenario = scenario;
  server->nonce = g_strdup ("first-nonce");
  server->key = dt_stun_long_term_key ("alice", REALM, "secret", DT_STUN_PASSWORD_ALGORITHM_MD5,
                                       NULL);
  server->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                 G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (server->socket, address, FALSE, &error));
  g_socket_set_blocking (server->socket, FALSE);
  bound = g_socket_get_local_address (server->socket, &error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  server->source = g_socket_create_source (server->socket, G_IO_IN, NULL);
  g_source_set_callback (server->source, (GSourceFunc) (void (*) (void)) on_server_readable,
                         server, NULL);
  g_source_attach (server->source, NULL);
  return server;
}

static void
fake_server_free (FakeServer *server)
{
  g_source_destroy (server->source);
  g_source_unref (server->source);
  g_socket_close (server->socket, NULL);
  g_object_unref (server->socket);
  g_bytes_unref (server->key);
  g_free (server->nonce);
  g_free (server);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

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
client_for (FakeServer *server,
            const char *username,
            const char *password)
{
  DtTurnClient *client = dt_turn_client_new ("127.0.0.1", server->port, DT_TURN_TRANSPORT_UDP);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dt_turn_client_set_credentials (client, username, password);
  /* The fake server answers at once: a retransmission would only mean a
   * slow machine (valgrind), and would upset the request counts. */
  g_object_set (client, "rto", 2000, "max-transmissions", 3, NULL);
  dt_turn_client_connect_async (client, NULL, on_result, &result);
  g_assert_true (dt_turn_client_connect_finish (client, wait_for (&result), &error));
  g_assert_no_error (error);
  return client;
}

static gboolean
allocate (DtTurnClient  *client,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_turn_client_allocate_async (client, NULL, on_result, &result);
  return dt_turn_client_allocate_finish (client, wait_for (&result), error);
}

static void
assert_relay_is (DtTurnClient        *client,
                 const DtStunAddress *expected)
{
  DtStunAddress relay;
  GInetSocketAddress *relayed = dt_turn_client_get_relayed_address (client);

  g_assert_nonnull (relayed);
  g_assert_true (dt_stun_address_from_socket_address (&relay, relayed));
  g_assert_cmpint (relay.family, ==, expected->family);
  g_assert_cmpuint (relay.port, ==, expected->port);
  g_assert_cmpmem (relay.address, 4, expected->address, 4);
}

static void
finish_client (DtTurnClient *client)
{
  dt_turn_client_close (client);
  g_assert_finalize_object (client);
}

static void
test_challenge_then_success (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SUCCESS);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) local = NULL;
  GInetSocketAddress *mapped;

  g_assert_true (allocate (client, &error));
  g_assert_no_error (error);
  /* RFC 8489 §9.2: one unsigned request, challenged, then one signed */
  g_assert_cmpuint (server->n_requests, ==, 2);
  g_assert_cmpuint (server->n_signed, ==, 1);
  assert_relay_is (client, &good_relay);
  g_assert_cmpuint (dt_turn_client_get_lifetime (client), ==, 600);
  g_assert_cmpuint (dt_turn_client_get_last_error_code (client, NULL), ==, 0);
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_ALLOCATED), >=,
                   dt_turn_client_get_stage_time (client, DT_TURN_STAGE_CONNECTED));

  mapped = dt_turn_client_get_mapped_address (client);
  local = dt_turn_client_get_local_address (client);
  g_assert_cmpuint (g_inet_socket_address_get_port (mapped), ==,
                    g_inet_socket_address_get_port (local));

  finish_client (client);
}

static void
test_stale_nonce (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_STALE_NONCE);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;

  g_assert_true (allocate (client, &error));
  g_assert_no_error (error);
  /* Unsigned, signed with the first nonce (438), signed with the second */
  g_assert_cmpuint (server->n_requests, ==, 3);
  g_assert_cmpuint (server->n_signed, ==, 2);
  assert_relay_is (client, &good_relay);
  finish_client (client);
}

static void
test_error_responses (void)
{
  static const struct {
    Scenario    scenario;
    DtTurnError error;
    guint       code;
    const char *reason;
  } cases[] = {
    { SCENARIO_WRONG_CREDENTIALS, DT_TURN_ERROR_AUTH_FAILED, 441, "Wrong Credentials" },
    { SCENARIO_QUOTA, DT_TURN_ERROR_QUOTA, 486, "Allocation Quota Reached" },
    { SCENARIO_CAPACITY, DT_TURN_ERROR_CAPACITY, 508, "Insufficient Capacity" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FakeServer) server = fake_server_new (cases[i].scenario);
      DtTurnClient *client = client_for (server, "alice", "secret");
      g_autoptr(GError) error = NULL;
      g_autofree char *code_text = g_strdup_printf ("%u %s", cases[i].code, cases[i].reason);
      const char *reason = NULL;

      g_assert_false (allocate (client, &error));
      g_assert_error (error, DT_TURN_ERROR, (gint) cases[i].error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, code_text));
      g_assert_cmpuint (dt_turn_client_get_last_error_code (client, &reason), ==, cases[i].code);
      g_assert_cmpstr (reason, ==, cases[i].reason);
      g_assert_null (dt_turn_client_get_relayed_address (client));
      g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_ALLOCATED), ==, 0);
      finish_client (client);
    }
}

static void
test_wrong_password (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SUCCESS);
  DtTurnClient *client = client_for (server, "alice", "guess");
  g_autoptr(GError) error = NULL;

  /* The signed retry is challenged again: that is a verdict, not a loop */
  g_assert_false (allocate (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "password"));
  g_assert_cmpuint (server->n_requests, ==, 2);
  g_assert_cmpuint (dt_turn_client_get_last_error_code (client, NULL), ==, 401);
  finish_client (client);
}

static void
test_no_credentials (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SUCCESS);
  DtTurnClient *client = client_for (server, NULL, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (allocate (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "requires a user name and password"));
  g_assert_cmpuint (server->n_requests, ==, 1);
  finish_client (client);
}

static void
test_no_response (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SILENT);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* The whole schedule: sends at 0, 10 and 30 ms, then Rm × RTO = 160 ms */
  g_object_set (client, "rto", 10, NULL);

  g_assert_false (allocate (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "did not answer in 0.2 s"));
  /* Rc = 3 transmissions, then the Rm wait */
  g_assert_cmpuint (server->n_requests, ==, 3);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 190 * 1000);
  finish_client (client);
}

static void
test_forged_integrity_ignored (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_FORGED_FIRST);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;

  g_assert_true (allocate (client, &error));
  g_assert_no_error (error);
  /* The forged success came first; only the genuine one counts */
  assert_relay_is (client, &good_relay);
  finish_client (client);
}

static void
test_other_transaction_ignored (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_OTHER_ID_FIRST);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;

  g_assert_true (allocate (client, &error));
  g_assert_no_error (error);
  assert_relay_is (client, &good_relay);
  finish_client (client);
}

static void
test_bad_fingerprint_ignored (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_BAD_FINGERPRINT_FIRST);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GError) error = NULL;

  g_assert_true (allocate (client, &error));
  g_assert_no_error (error);
  assert_relay_is (client, &good_relay);
  finish_client (client);
}

/* A host name, resolved in the family asked for */
static void
test_resolve (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SUCCESS);
  DtTurnClient *client = dt_turn_client_new ("localhost", server->port, DT_TURN_TRANSPORT_UDP);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ip = NULL;

  g_object_set (client, "family", G_SOCKET_FAMILY_IPV4, NULL);
  dt_turn_client_connect_async (client, NULL, on_result, &result);
  g_assert_true (dt_turn_client_connect_finish (client, wait_for (&result), &error));
  g_assert_no_error (error);
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (
         dt_turn_client_get_server_address (client)));
  g_assert_cmpstr (ip, ==, "127.0.0.1");
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_RESOLVED), >=,
                   dt_turn_client_get_stage_time (client, DT_TURN_STAGE_STARTED));
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_STARTED), >, 0);
  g_clear_object (&result);
  finish_client (client);
}

static void
test_binding (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SUCCESS);
  DtTurnClient *client = client_for (server, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GInetSocketAddress) mapped = NULL;
  g_autoptr(GInetSocketAddress) local = NULL;

  dt_turn_client_binding_async (client, NULL, on_result, &result);
  mapped = dt_turn_client_binding_finish (client, wait_for (&result), &error);
  g_assert_no_error (error);
  local = dt_turn_client_get_local_address (client);
  g_assert_cmpuint (g_inet_socket_address_get_port (mapped), ==,
                    g_inet_socket_address_get_port (local));
  g_clear_object (&result);
  finish_client (client);
}

static void
test_cancel (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SILENT);
  DtTurnClient *client = client_for (server, "alice", "secret");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (client, "rto", 500, "max-transmissions", 7, NULL);
  dt_turn_client_allocate_async (client, cancellable, on_result, &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (dt_turn_client_allocate_finish (client, wait_for (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);
  finish_client (client);
}

static void
test_not_ready (void)
{
  DtTurnClient *client = dt_turn_client_new ("127.0.0.1", 9, DT_TURN_TRANSPORT_UDP);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dt_turn_client_allocate_async (client, NULL, on_result, &result);
  g_assert_false (dt_turn_client_allocate_finish (client, wait_for (&result), &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY);
  g_clear_object (&result);
  g_assert_finalize_object (client);
}

/* Linux reports the ICMP port unreachable on the connected socket */
static void
test_udp_refused (void)
{
  g_autoptr(FakeServer) server = fake_server_new (SCENARIO_SILENT);
  guint16 port = server->port;
  DtTurnClient *client;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing listens on the port any more */
  g_clear_pointer (&server, fake_server_free);
  client = dt_turn_client_new ("127.0.0.1", port, DT_TURN_TRANSPORT_UDP);
  g_object_set (client, "rto", 100, NULL);
  dt_turn_client_connect_async (client, NULL, on_result, &result);
  g_assert_true (dt_turn_client_connect_finish (client, wait_for (&result), &error));
  g_clear_object (&result);

  g_assert_false (allocate (client, &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_CONNECT);
  g_test_message ("%s", error->message);
  g_assert_false (dt_turn_client_is_connected (client));
  g_assert_finalize_object (client);
}

/* A TCP listener that never answers the ClientHello */
static void
test_tls_handshake_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GAsyncResult) result = NULL;
  DtTurnClient *client;

  g_assert_true (g_socket_bind (listener, address, FALSE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  bound = g_socket_get_local_address (listener, &error);

  client = dt_turn_client_new ("127.0.0.1",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)),
                               DT_TURN_TRANSPORT_TLS);
  /* Long enough for valgrind to connect, short enough to keep the test quick */
  g_object_set (client, "stage-timeout", g_getenv ("DT_UNDER_VALGRIND") ? 3000 : 300, NULL);
  dt_turn_client_connect_async (client, NULL, on_result, &result);
  g_assert_false (dt_turn_client_connect_finish (client, wait_for (&result), &error));
  g_assert_error (error, DT_TURN_ERROR, DT_TURN_ERROR_TIMEOUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "negotiating TLS"));
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_CONNECTED), >, 0);
  g_assert_cmpint (dt_turn_client_get_stage_time (client, DT_TURN_STAGE_HANDSHAKEN), ==, 0);
  g_clear_object (&result);
  g_assert_finalize_object (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/turn-client/challenge-then-success", test_challenge_then_success);
  g_test_add_func ("/turn-client/stale-nonce", test_stale_nonce);
  g_test_add_func ("/turn-client/error-responses", test_error_responses);
  g_test_add_func ("/turn-client/wrong-password", test_wrong_password);
  g_test_add_func ("/turn-client/no-credentials", test_no_credentials);
  g_test_add_func ("/turn-client/no-response", test_no_response);
  g_test_add_func ("/turn-client/forged-integrity-ignored", test_forged_integrity_ignored);
  g_test_add_func ("/turn-client/other-transaction-ignored", test_other_transaction_ignored);
  g_test_add_func ("/turn-client/bad-fingerprint-ignored", test_bad_fingerprint_ignored);
  g_test_add_func ("/turn-client/binding", test_binding);
  g_test_add_func ("/turn-client/resolve", test_resolve);
  g_test_add_func ("/turn-client/cancel", test_cancel);
  g_test_add_func ("/turn-client/not-ready", test_not_ready);
  g_test_add_func ("/turn-client/udp-refused", test_udp_refused);
  g_test_add_func ("/turn-client/tls-handshake-timeout", test_tls_handshake_timeout);

  return g_test_run ();
}
