/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-transport.c
 *
 * SIP over UDP, TCP and TLS between two real transports on loopback (IPv4
 * and IPv6): request and response, connection reuse, rport/received,
 * certificate checks, keep-alives, and what hostile or broken peers send.
 * Raw peers run in a worker thread with blocking sockets, so that the
 * transports under test keep the main context to themselves.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "dt-sip-transaction.h"
#include "dt-sip-transport.h"

#define DEADLINE_MS 10000
#define RAW_TIMEOUT_S 5

static char *cert_dir;
static gboolean have_ipv6;

typedef struct
{
  DtSipTransport *server;
  DtSipTransport *client;
  GPtrArray      *requests;          /* received by the server */
  GPtrArray      *responses;         /* received by the client */
  GError         *failure;           /* from the client's peer-failed */
  gboolean        timed_out;
  gboolean        stop_after_wait;
  gint            thread_done;
  gboolean        v6;
  guint16         port[3];           /* the server's, by kind */
  gint            raw_port;          /* a raw server's */
  GByteArray     *raw_received;      /* what a raw server read */
} Fixture;

typedef struct
{
  DtSipTransportKind kind;
  gboolean           v6;
} ExchangeCase;

static const ExchangeCase udp4 = { DT_SIP_TRANSPORT_UDP, FALSE };
static const ExchangeCase tcp4 = { DT_SIP_TRANSPORT_TCP, FALSE };
static const ExchangeCase tls4 = { DT_SIP_TRANSPORT_TLS, FALSE };
static const ExchangeCase udp6 = { DT_SIP_TRANSPORT_UDP, TRUE };
static const ExchangeCase tcp6 = { DT_SIP_TRANSPORT_TCP, TRUE };
static const ExchangeCase tls6 = { DT_SIP_TRANSPORT_TLS, TRUE };

static char *
cert_path (const char *name)
{
  return g_build_filename (cert_dir, name, NULL);
}

static GInetSocketAddress *
loopback (gboolean v6,
          guint16  port)
{
  g_autoptr(GInetAddress) ip =
    g_inet_address_new_loopback (v6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);

  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (ip, port));
}

static void
on_server_message (DtSipTransport *transport,
                   DtSipMessage   *message,
                   DtSipPeer      *peer,
                   gpointer        user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(DtSipMessage) response = NULL;

  if (!dt_sip_message_is_request (message))
    return;

  g_ptr_array_add (fixture->requests, dt_sip_message_ref (message));
  response = dt_sip_message_new_response_for (message, 200, "OK", "server-tag");
  g_assert_true (dt_sip_transport_send (transport, peer, response));
}

static void
on_client_message (DtSipTransport *transport,
                   DtSipMessage   *message,
                   DtSipPeer      *peer,
                   gpointer        user_data)
{
  Fixture *fixture = user_data;

  if (dt_sip_message_is_request (message))
    return;
  g_ptr_array_add (fixture->responses, dt_sip_message_ref (message));
}

static void
on_peer_failed (DtSipTransport *transport,
                DtSipPeer      *peer,
                GError         *error,
                gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_clear_error (&fixture->failure);
  fixture->failure = g_error_copy (error);
}

static gboolean
on_deadline (gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*DoneFunc) (Fixture *fixture, gconstpointer data);

/* Runs the main context until @done holds, failing after the deadline. */
static void
run_until (Fixture       *fixture,
           DoneFunc       done,
           gconstpointer  data,
           guint          deadline_ms)
{
  GSource *deadline = g_timeout_source_new (deadline_ms);

  fixture->timed_out = FALSE;
  g_source_set_callback (deadline, on_deadline, fixture, NULL);
  g_source_attach (deadline, NULL);
  while (!done (fixture, data) && !fixture->timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
}

static gboolean
n_responses (Fixture       *fixture,
             gconstpointer  data)
{
  return fixture->responses->len >= GPOINTER_TO_UINT (data) || fixture->failure != NULL;
}

static gboolean
failed (Fixture       *fixture,
        gconstpointer  data)
{
  return fixture->failure != NULL;
}

static gboolean
never (Fixture       *fixture,
       gconstpointer  data)
{
  return FALSE;
}

static gboolean
thread_finished (Fixture       *fixture,
                 gconstpointer  data)
{
  return g_atomic_int_get (&fixture->thread_done);
}

static void
wait_responses (Fixture *fixture,
                guint    n)
{
  run_until (fixture, n_responses, GUINT_TO_POINTER (n), DEADLINE_MS);
  g_assert_false (fixture->timed_out);
  g_assert_no_error (fixture->failure);
  g_assert_cmpuint (fixture->responses->len, ==, n);
}

static void
wait_failure (Fixture *fixture)
{
  run_until (fixture, failed, NULL, DEADLINE_MS);
  g_assert_false (fixture->timed_out);
  g_assert_nonnull (fixture->failure);
}

static void
spin (Fixture *fixture,
      guint    ms)
{
  run_until (fixture, never, NULL, ms);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server.key");
  const ExchangeCase *c = data;

  fixture->v6 = c != NULL && c->v6;
  fixture->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  fixture->responses = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  fixture->raw_received = g_byte_array_new ();

  fixture->server = dt_sip_transport_new ();
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);
  dt_sip_transport_set_server_certificate (fixture->server, certificate);

  for (DtSipTransportKind kind = DT_SIP_TRANSPORT_UDP; kind <= DT_SIP_TRANSPORT_TLS; kind++)
    {
      g_autoptr(GInetSocketAddress) address = NULL;

      if (fixture->v6 && !have_ipv6)
        break;
      address = loopback (fixture->v6, 0);
      dt_sip_transport_listen (fixture->server, kind, address, &fixture->port[kind], &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fixture->port[kind], !=, 0);
    }
  g_signal_connect (fixture->server, "message-received", G_CALLBACK (on_server_message), fixture);

  fixture->client = dt_sip_transport_new ();
  g_signal_connect (fixture->client, "message-received", G_CALLBACK (on_client_message), fixture);
  g_signal_connect (fixture->client, "peer-failed", G_CALLBACK (on_peer_failed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->client);
  g_assert_finalize_object (fixture->server);
  /* Let cancelled operations finish, so that nothing outlives the test. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_unref (fixture->requests);
  g_ptr_array_unref (fixture->responses);
  g_byte_array_unref (fixture->raw_received);
  g_clear_error (&fixture->failure);
}

static DtSipPeer *
server_peer (Fixture            *fixture,
             DtSipTransportKind  kind,
             const char         *server_name)
{
  g_autoptr(GInetSocketAddress) address = loopback (fixture->v6, fixture->port[kind]);

  return dt_sip_peer_new (kind, address, server_name);
}

static DtSipMessage *
make_request (DtSipTransport *transport,
              DtSipPeer      *peer,
              const char     *call_id,
              const char     *via)
{
  g_autofree char *branch = dt_sip_branch_new ();
  g_autofree char *own_via = NULL;
  DtSipMessage *request = dt_sip_message_new_request ("OPTIONS", "sip:echo@example.com");

  if (via == NULL)
    via = own_via = dt_sip_transport_format_via (transport, peer, branch);
  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", "<sip:alice@example.com>;tag=a1");
  dt_sip_message_append_header (request, "To", "<sip:echo@example.com>");
  dt_sip_message_append_header (request, "Call-ID", call_id);
  dt_sip_message_append_header (request, "CSeq", "1 OPTIONS");
  return request;
}

static void
trust_test_ca (Fixture    *fixture,
               const char *name)
{
  g_autofree char *path = cert_path (name);
  g_autoptr(GError) error = NULL;

  dt_sip_transport_trust_ca_file (fixture->client, path, &error);
  g_assert_no_error (error);
}

static void
test_exchange (Fixture       *fixture,
               gconstpointer  data)
{
  const ExchangeCase *c = data;
  g_autoptr(DtSipPeer) peer = NULL;
  g_autoptr(DtSipMessage) request = NULL;
  DtSipMessage *response;
  DtSipVia *via;

  if (c->v6 && !have_ipv6)
    {
      g_test_skip ("::1 cannot be bound on this machine");
      return;
    }

  if (c->kind == DT_SIP_TRANSPORT_TLS)
    trust_test_ca (fixture, "ca.pem");

  peer = server_peer (fixture, c->kind, NULL);
  request = make_request (fixture->client, peer, "exchange-1", NULL);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_responses (fixture, 1);

  response = g_ptr_array_index (fixture->responses, 0);
  g_assert_cmpuint (dt_sip_message_get_status_code (response), ==, 200);
  g_assert_cmpstr (dt_sip_message_get_call_id (response), ==, "exchange-1");
  g_assert_cmpstr (dt_sip_message_get_to_tag (response), ==, "server-tag");

  /* The server saw a Via naming our transport, with rport filled in. */
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  via = dt_sip_message_get_top_via (g_ptr_array_index (fixture->requests, 0));
  g_assert_nonnull (via);
  g_assert_cmpstr (via->transport, ==, dt_sip_transport_kind_to_string (c->kind));
  g_assert_cmpstr (via->host, ==, c->v6 ? "::1" : "127.0.0.1");
  g_assert_null (via->received);
  g_assert_cmpint (via->rport, >, 0);

  if (c->kind != DT_SIP_TRANSPORT_UDP)
    {
      g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->client), ==, 1);
      g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->server), ==, 1);
    }
}

/* RFC 5923 style reuse, and §18.2.2: the response comes back on the
 * request's connection, since the client listens on no TCP port at all. */
static void
test_tcp_reuse (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_TCP, NULL);
  g_autoptr(DtSipPeer) again = server_peer (fixture, DT_SIP_TRANSPORT_TCP, NULL);
  g_autoptr(DtSipPeer) later = server_peer (fixture, DT_SIP_TRANSPORT_TCP, NULL);
  g_autoptr(DtSipMessage) first = make_request (fixture->client, peer, "reuse-1", NULL);
  g_autoptr(DtSipMessage) second = make_request (fixture->client, again, "reuse-2", NULL);
  g_autoptr(DtSipMessage) third = make_request (fixture->client, later, "reuse-3", NULL);

  /* Both before the connect completes: they queue in order. */
  g_assert_true (dt_sip_transport_send (fixture->client, peer, first));
  g_assert_true (dt_sip_transport_send (fixture->client, again, second));
  wait_responses (fixture, 2);
  g_assert_cmpstr (dt_sip_message_get_call_id (g_ptr_array_index (fixture->responses, 0)),
                   ==, "reuse-1");
  g_assert_cmpstr (dt_sip_message_get_call_id (g_ptr_array_index (fixture->responses, 1)),
                   ==, "reuse-2");

  /* And after it is up. */
  g_assert_true (dt_sip_transport_send (fixture->client, later, third));
  wait_responses (fixture, 3);

  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->client), ==, 1);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->server), ==, 1);
}

static void
test_rport_received (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_UDP, NULL);
  g_autoptr(DtSipMessage) request = NULL;
  g_autofree char *client_via = NULL;
  g_autofree char *port_text = NULL;
  DtSipVia *via;

  /* A sent-by behind a NAT: nothing listens at 192.0.2.1:5999. */
  request = make_request (fixture->client, peer, "rport-1",
                          "SIP/2.0/UDP 192.0.2.1:5999;branch=z9hG4bKnat1;rport");
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_responses (fixture, 1);

  via = dt_sip_message_get_top_via (g_ptr_array_index (fixture->requests, 0));
  g_assert_cmpstr (via->host, ==, "192.0.2.1");
  g_assert_cmpuint (via->port, ==, 5999);
  g_assert_cmpstr (via->received, ==, "127.0.0.1");
  g_assert_cmpstr (via->branch, ==, "z9hG4bKnat1");

  client_via = dt_sip_transport_get_via_host_port (fixture->client, peer);
  port_text = g_strdup_printf (":%d", via->rport);
  g_assert_true (g_str_has_suffix (client_via, port_text));

  /* The response carries the stamped Via back. */
  via = dt_sip_message_get_top_via (g_ptr_array_index (fixture->responses, 0));
  g_assert_cmpstr (via->received, ==, "127.0.0.1");
  g_assert_cmpint (via->rport, >, 0);
}

/* §18.2.2 without rport: the response goes to the sent-by port (at the
 * source address), not to the port the request came from. */
static void
test_no_rport (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(DtSipTransport) other = dt_sip_transport_new ();
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_UDP, NULL);
  g_autoptr(DtSipMessage) request = NULL;
  g_autoptr(GInetSocketAddress) any_port = loopback (FALSE, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *via = NULL;
  guint16 other_port = 0;
  DtSipVia *top;

  dt_sip_transport_listen (other, DT_SIP_TRANSPORT_UDP, any_port, &other_port, &error);
  g_assert_no_error (error);
  g_signal_connect (other, "message-received", G_CALLBACK (on_client_message), fixture);
  /* Only the transport at the sent-by port may see the response. */
  g_signal_handlers_disconnect_by_func (fixture->client, on_client_message, fixture);

  via = g_strdup_printf ("SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnorport", other_port);
  request = make_request (fixture->client, peer, "no-rport", via);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_responses (fixture, 1);

  top = dt_sip_message_get_top_via (g_ptr_array_index (fixture->requests, 0));
  g_assert_cmpint (top->rport, ==, -1);
  g_assert_null (top->received);

  g_signal_handlers_disconnect_by_data (other, fixture);
  g_assert_finalize_object (g_steal_pointer (&other));
}

static void
assert_failure (Fixture    *fixture,
                gint        code,
                const char *prefix,
                const char *reason)
{
  g_test_message ("peer-failed: %s", fixture->failure->message);
  g_assert_error (fixture->failure, DT_SIP_TRANSPORT_ERROR, code);
  g_assert_true (g_str_has_prefix (fixture->failure->message, prefix));
  if (reason != NULL)
    g_assert_nonnull (strstr (fixture->failure->message, reason));
  g_assert_cmpuint (fixture->responses->len, ==, 0);
}

static void
test_tls_untrusted_ca (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_TLS, NULL);
  g_autoptr(DtSipMessage) request = make_request (fixture->client, peer, "tls-ca", NULL);

  trust_test_ca (fixture, "other-ca.pem");
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_failure (fixture);
  assert_failure (fixture, DT_SIP_TRANSPORT_ERROR_TLS_UNTRUSTED,
                  "TLS certificate not trusted: ", "unknown certificate authority");
  g_assert_cmpuint (fixture->requests->len, ==, 0);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->client), ==, 0);
}

static void
test_tls_bad_identity (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_TLS, "wrong.example");
  g_autoptr(DtSipMessage) request = make_request (fixture->client, peer, "tls-name", NULL);

  trust_test_ca (fixture, "ca.pem");
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_failure (fixture);
  assert_failure (fixture, DT_SIP_TRANSPORT_ERROR_TLS_UNTRUSTED,
                  "TLS certificate not trusted: ", "bad identity");
  g_assert_null (strstr (fixture->failure->message, "unknown certificate authority"));
}

/* A pinned certificate is the one exception to verification. */
static void
test_tls_pinned (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_TLS, "wrong.example");
  g_autoptr(DtSipMessage) request = make_request (fixture->client, peer, "tls-pin", NULL);
  g_autofree char *cert = cert_path ("server.pem");
  g_autoptr(GTlsCertificate) pinned = NULL;
  g_autoptr(GError) error = NULL;

  trust_test_ca (fixture, "other-ca.pem");
  pinned = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);
  dt_sip_transport_set_pinned_certificate (fixture->client, pinned);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_responses (fixture, 1);
}

static void
test_tcp_unreachable (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetSocketAddress) any_port = loopback (FALSE, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(DtSipPeer) peer = NULL;
  g_autoptr(DtSipMessage) request = NULL;
  g_autoptr(GError) error = NULL;

  /* A port that was free a moment ago, and is closed again. */
  g_socket_listener_add_address (listener, G_SOCKET_ADDRESS (any_port), G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  peer = dt_sip_peer_new (DT_SIP_TRANSPORT_TCP, G_INET_SOCKET_ADDRESS (effective), NULL);
  request = make_request (fixture->client, peer, "closed", NULL);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_failure (fixture);
  assert_failure (fixture, DT_SIP_TRANSPORT_ERROR_UNREACHABLE, "Server not reachable", NULL);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->client), ==, 0);
}

/* Pings answered by the server keep the connection alive. */
static void
test_keepalive_pong (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = server_peer (fixture, DT_SIP_TRANSPORT_TCP, NULL);
  g_autoptr(DtSipMessage) request = make_request (fixture->client, peer, "ka-1", NULL);

  dt_sip_transport_set_keepalive_interval (fixture->client, 1);
  g_object_set (fixture->client, "keepalive-timeout", 1, NULL);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_responses (fixture, 1);

  spin (fixture, 3500);
  g_assert_no_error (fixture->failure);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->client), ==, 1);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->server), ==, 1);
}

/* Raw peers, in a worker thread. */

static GSocket *
raw_socket (gboolean       v6,
            GSocketType    type,
            GSocketProtocol protocol)
{
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (v6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4,
                                  type, protocol, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, RAW_TIMEOUT_S);
  return socket;
}

static GSocket *
raw_connect (guint16 port)
{
  g_autoptr(GInetSocketAddress) address = loopback (FALSE, port);
  g_autoptr(GError) error = NULL;
  GSocket *socket = raw_socket (FALSE, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP);

  g_socket_connect (socket, G_SOCKET_ADDRESS (address), NULL, &error);
  g_assert_no_error (error);
  return socket;
}

static void
raw_send (GSocket    *socket,
          const char *data,
          gsize       length)
{
  while (length > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, data, length, NULL, &error);

      /* The far end may close before it has read everything. */
      if (n < 0)
        return;
      data += n;
      length -= (gsize) n;
    }
}

/* Reads one header block (the replies here have no body). */
static char *
raw_read_reply (GSocket *socket)
{
  g_autoptr(GString) text = g_string_new (NULL);

  while (strstr (text->str, "\r\n\r\n") == NULL)
    {
      g_autoptr(GError) error = NULL;
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n <= 0)
        return NULL;
      g_string_append_len (text, buffer, n);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* TRUE when the far end closed (EOF or reset) before the timeout. */
static gboolean
raw_closed (GSocket *socket)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n == 0)
        return TRUE;
      if (n < 0)
        return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
    }
}

static void
run_in_thread (Fixture     *fixture,
               GThreadFunc  func)
{
  GThread *thread;

  g_atomic_int_set (&fixture->thread_done, FALSE);
  thread = g_thread_new ("raw-peer", func, fixture);
  run_until (fixture, thread_finished, NULL, 4 * DEADLINE_MS);
  g_thread_join (thread);
  g_assert_false (fixture->timed_out);
}

static void
thread_finish (Fixture *fixture)
{
  g_atomic_int_set (&fixture->thread_done, TRUE);
  g_main_context_wakeup (NULL);
}

#define CRLF "\r\n"
#define MALFORMED_OPTIONS \
  "OPTIONS sip:echo@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/%s 127.0.0.1:5999;branch=z9hG4bKbad;rport" CRLF \
  "From: <sip:a@example.com>;tag=1" CRLF \
  "To: <sip:echo@example.com>" CRLF \
  "Call-ID: bad-1" CRLF \
  "CSeq: 1 OPTIONS" CRLF \
  "NoColonHere" CRLF \
  "Content-Length: 0" CRLF CRLF

/* Well formed as a datagram, but a stream needs Content-Length. */
#define UNFRAMED_OPTIONS \
  "OPTIONS sip:echo@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKnolen;rport" CRLF \
  "Max-Forwards: 70" CRLF \
  "From: <sip:a@example.com>;tag=1" CRLF \
  "To: <sip:echo@example.com>" CRLF \
  "Call-ID: bad-3" CRLF \
  "CSeq: 1 OPTIONS" CRLF CRLF

/* Framed well, so answered and the connection carries on. */
#define WRONG_CSEQ_OPTIONS \
  "OPTIONS sip:echo@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKcseq;rport" CRLF \
  "Max-Forwards: 70" CRLF \
  "From: <sip:a@example.com>;tag=1" CRLF \
  "To: <sip:echo@example.com>" CRLF \
  "Call-ID: bad-2" CRLF \
  "CSeq: 1 INVITE" CRLF \
  "Content-Length: 0" CRLF CRLF

#define GOOD_OPTIONS \
  "OPTIONS sip:echo@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKgood%u;rport" CRLF \
  "Max-Forwards: 70" CRLF \
  "From: <sip:a@example.com>;tag=1" CRLF \
  "To: <sip:echo@example.com>" CRLF \
  "Call-ID: good-%u" CRLF \
  "CSeq: 1 OPTIONS" CRLF \
  "Content-Length: 0" CRLF CRLF

static void
assert_good_reply (GSocket *socket,
                   guint    n)
{
  g_autofree char *request = g_strdup_printf (GOOD_OPTIONS, n, n);
  g_autofree char *reply = NULL;
  g_autofree char *call_id = g_strdup_printf ("Call-ID: good-%u\r\n", n);

  raw_send (socket, request, strlen (request));
  reply = raw_read_reply (socket);
  g_assert_nonnull (reply);
  g_assert_true (g_str_has_prefix (reply, "SIP/2.0 200 OK\r\n"));
  g_assert_nonnull (strstr (reply, call_id));
}

static gpointer
bad_udp_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocket) socket = raw_socket (FALSE, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP);
  g_autoptr(GInetSocketAddress) server = loopback (FALSE, fixture->port[DT_SIP_TRANSPORT_UDP]);
  g_autoptr(GInetSocketAddress) local = loopback (FALSE, 0);
  g_autofree char *request = g_strdup_printf (MALFORMED_OPTIONS, "UDP");
  g_autoptr(GError) error = NULL;
  char reply[4096];
  gssize n;

  g_socket_bind (socket, G_SOCKET_ADDRESS (local), FALSE, &error);
  g_assert_no_error (error);
  /* Garbage first: dropped without a word. */
  g_socket_send_to (socket, G_SOCKET_ADDRESS (server), "\x01\x02garbage", 9, NULL, &error);
  g_assert_no_error (error);
  g_socket_send_to (socket, G_SOCKET_ADDRESS (server), request, strlen (request), NULL, &error);
  g_assert_no_error (error);

  n = g_socket_receive (socket, reply, sizeof reply - 1, NULL, &error);
  g_assert_no_error (error);
  reply[n] = '\0';
  g_assert_true (g_str_has_prefix (reply, "SIP/2.0 400 Malformed header line\r\n"));
  g_assert_nonnull (strstr (reply, "Call-ID: bad-1\r\n"));

  thread_finish (fixture);
  return NULL;
}

static void
test_bad_udp (Fixture       *fixture,
              gconstpointer  data)
{
  run_in_thread (fixture, bad_udp_thread);
  g_assert_cmpuint (fixture->requests->len, ==, 0);
}

static gpointer
bad_tcp_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocket) socket = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autoptr(GSocket) unframed = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autoptr(GSocket) no_length = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autofree char *request = g_strdup_printf (MALFORMED_OPTIONS, "TCP");
  g_autofree char *reply = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  raw_send (socket, WRONG_CSEQ_OPTIONS, strlen (WRONG_CSEQ_OPTIONS));
  reply = raw_read_reply (socket);
  g_assert_nonnull (reply);
  g_test_message ("%s", reply);
  g_assert_true (g_str_has_prefix (reply, "SIP/2.0 400 "));
  g_assert_nonnull (strstr (reply, "CSeq"));
  g_assert_nonnull (strstr (reply, "Call-ID: bad-2\r\n"));
  assert_good_reply (socket, 1);

  /* A broken header line loses the framing: answered, then closed. */
  raw_send (unframed, request, strlen (request));
  second = raw_read_reply (unframed);
  g_assert_nonnull (second);
  g_assert_true (g_str_has_prefix (second, "SIP/2.0 400 Malformed header line\r\n"));
  g_assert_true (raw_closed (unframed));

  /* So does a missing Content-Length, and the reply says so. */
  raw_send (no_length, UNFRAMED_OPTIONS, strlen (UNFRAMED_OPTIONS));
  third = raw_read_reply (no_length);
  g_assert_nonnull (third);
  g_assert_true (g_str_has_prefix (third, "SIP/2.0 400 Missing Content-Length\r\n"));
  g_assert_nonnull (strstr (third, "Call-ID: bad-3\r\n"));
  g_assert_true (raw_closed (no_length));

  thread_finish (fixture);
  return NULL;
}

static void
test_bad_tcp (Fixture       *fixture,
              gconstpointer  data)
{
  run_in_thread (fixture, bad_tcp_thread);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
}

static gpointer
garbage_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocket) bad = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autoptr(GSocket) good = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  static const char garbage[] = "\x16\x03\x01 this is no SIP at all" CRLF CRLF;

  assert_good_reply (good, 1);
  raw_send (bad, garbage, sizeof garbage - 1);
  g_assert_true (raw_closed (bad));
  assert_good_reply (good, 2);

  thread_finish (fixture);
  return NULL;
}

static void
test_garbage_closes_one (Fixture       *fixture,
                         gconstpointer  data)
{
  run_in_thread (fixture, garbage_thread);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
}

static gpointer
oversized_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocket) big = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autoptr(GSocket) good = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  g_autoptr(GString) text = g_string_new ("OPTIONS sip:echo@example.com SIP/2.0" CRLF);

  while (text->len <= DT_SIP_MAX_MESSAGE_SIZE + 4096)
    g_string_append (text, "X-Padding: 0123456789012345678901234567890123456789" CRLF);
  raw_send (big, text->str, text->len);
  g_assert_true (raw_closed (big));
  assert_good_reply (good, 1);

  thread_finish (fixture);
  return NULL;
}

static void
test_oversized (Fixture       *fixture,
                gconstpointer  data)
{
  run_in_thread (fixture, oversized_thread);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
}

#define FLOOD 100
#define FLOOD_CAP 40

static gpointer
flood_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GPtrArray) half_open = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GSocket) good = NULL;

  for (guint i = 0; i < FLOOD; i++)
    {
      GSocket *socket = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);

      /* Half a request line, never finished. */
      raw_send (socket, "OPTIONS sip:", 12);
      g_ptr_array_add (half_open, socket);
    }

  good = raw_connect (fixture->port[DT_SIP_TRANSPORT_TCP]);
  assert_good_reply (good, 1);

  thread_finish (fixture);
  return NULL;
}

static void
test_half_open_flood (Fixture       *fixture,
                      gconstpointer  data)
{
  dt_sip_transport_set_max_connections (fixture->server, FLOOD_CAP);
  run_in_thread (fixture, flood_thread);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpuint (dt_sip_transport_get_n_connections (fixture->server), <=, FLOOD_CAP);
}

/* A server that reads but never answers the pings. */
static gpointer
silent_server_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GSocket) listener = raw_socket (FALSE, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP);
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GInetSocketAddress) local = loopback (FALSE, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (listener, G_SOCKET_ADDRESS (local), TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  g_atomic_int_set (&fixture->raw_port,
                    g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_main_context_wakeup (NULL);

  accepted = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (accepted, RAW_TIMEOUT_S);
  for (;;)
    {
      char buffer[4096];
      gssize n = g_socket_receive (accepted, buffer, sizeof buffer, NULL, NULL);

      if (n <= 0)
        break;
      g_byte_array_append (fixture->raw_received, (guint8 *) buffer, (guint) n);
    }

  thread_finish (fixture);
  return NULL;
}

static gboolean
port_known (Fixture       *fixture,
            gconstpointer  data)
{
  return g_atomic_int_get (&fixture->raw_port) != 0;
}

static void
test_keepalive_no_pong (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(DtSipPeer) peer = NULL;
  g_autoptr(DtSipMessage) request = NULL;
  GThread *thread;
  const char *received;

  dt_sip_transport_set_keepalive_interval (fixture->client, 1);
  g_object_set (fixture->client, "keepalive-timeout", 1, NULL);

  thread = g_thread_new ("silent-server", silent_server_thread, fixture);
  run_until (fixture, port_known, NULL, DEADLINE_MS);
  g_assert_false (fixture->timed_out);

  fixture->port[DT_SIP_TRANSPORT_TCP] = (guint16) g_atomic_int_get (&fixture->raw_port);
  peer = server_peer (fixture, DT_SIP_TRANSPORT_TCP, NULL);
  request = make_request (fixture->client, peer, "silent", NULL);
  g_assert_true (dt_sip_transport_send (fixture->client, peer, request));
  wait_failure (fixture);
  assert_failure (fixture, DT_SIP_TRANSPORT_ERROR_NOT_RESPONDING,
                  "Server not responding", NULL);

  run_until (fixture, thread_finished, NULL, DEADLINE_MS);
  g_thread_join (thread);
  g_assert_false (fixture->timed_out);

  /* The request, then a double CRLF ping. */
  g_byte_array_append (fixture->raw_received, (const guint8 *) "", 1);
  received = (const char *) fixture->raw_received->data;
  g_assert_true (g_str_has_prefix (received, "OPTIONS sip:echo@example.com SIP/2.0\r\n"));
  g_assert_true (g_str_has_suffix (received, "\r\n\r\n\r\n\r\n"));
}

static gboolean
can_bind_ipv6 (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, NULL);
  if (socket == NULL)
    return FALSE;
  address = loopback (TRUE, 0);
  return g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, NULL);
}

static void
make_certificates (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "make-test-certs.sh", NULL);
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) "sh", script, NULL, NULL };
  int status = 0;

  cert_dir = g_dir_make_tmp ("dialtone-certs-XXXXXX", &error);
  g_assert_no_error (error);
  argv[2] = cert_dir;
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static void
remove_certificates (void)
{
  static const char *names[] = {
    "ca.pem", "ca.key", "server.pem", "server.key", "other-ca.pem", "other-ca.key",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = cert_path (names[i]);

      g_remove (path);
    }
  g_rmdir (cert_dir);
  g_clear_pointer (&cert_dir, g_free);
}

#define ADD(name, data, func) \
  g_test_add (name, Fixture, data, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  make_certificates ();
  have_ipv6 = can_bind_ipv6 ();
  if (!have_ipv6)
    g_test_message ("::1 cannot be bound: the IPv6 cases are skipped");

  ADD ("/sip/transport/udp/ipv4", &udp4, test_exchange);
  ADD ("/sip/transport/tcp/ipv4", &tcp4, test_exchange);
  ADD ("/sip/transport/tls/ipv4", &tls4, test_exchange);
  ADD ("/sip/transport/udp/ipv6", &udp6, test_exchange);
  ADD ("/sip/transport/tcp/ipv6", &tcp6, test_exchange);
  ADD ("/sip/transport/tls/ipv6", &tls6, test_exchange);
  ADD ("/sip/transport/tcp/reuse", NULL, test_tcp_reuse);
  ADD ("/sip/transport/udp/rport-received", NULL, test_rport_received);
  ADD ("/sip/transport/udp/no-rport", NULL, test_no_rport);
  ADD ("/sip/transport/tls/untrusted-ca", NULL, test_tls_untrusted_ca);
  ADD ("/sip/transport/tls/bad-identity", NULL, test_tls_bad_identity);
  ADD ("/sip/transport/tls/pinned", NULL, test_tls_pinned);
  ADD ("/sip/transport/tcp/unreachable", NULL, test_tcp_unreachable);
  ADD ("/sip/transport/tcp/keepalive", NULL, test_keepalive_pong);
  ADD ("/sip/transport/tcp/keepalive-no-pong", NULL, test_keepalive_no_pong);
  ADD ("/sip/transport/udp/bad-request", NULL, test_bad_udp);
  ADD ("/sip/transport/tcp/bad-request", NULL, test_bad_tcp);
  ADD ("/sip/transport/tcp/garbage", NULL, test_garbage_closes_one);
  ADD ("/sip/transport/tcp/oversized", NULL, test_oversized);
  ADD ("/sip/transport/tcp/half-open-flood", NULL, test_half_open_flood);

  result = g_test_run ();
  remove_certificates ();
  /* TLS handshakes run in GLib's shared worker threads, which linger idle
   * for a while. clang 14's LeakSanitizer crashes reading such a thread's
   * dynamic TLS (the dlopen()ed GnuTLS module's) at exit, so let them end
   * first: a non-exclusive pool gives its idle threads up after 0.5 s. */
  g_usleep (G_USEC_PER_SEC);
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  g_usleep (G_USEC_PER_SEC / 10);
  return result;
}
