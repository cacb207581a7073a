/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-transport.c
 *
 * SIP over UDP, TCP and TLS with GIO; see dt-sip-transport.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <string.h>

#include "dt-sip-transport.h"

#define READ_CHUNK_SIZE 16384
#define CONNECT_TIMEOUT_S 10
#define LISTEN_BACKLOG 128
#define UDP_READS_PER_WAKEUP 64
#define SIP_PORT 5060
#define SIPS_PORT 5061

enum {
  PROP_0,
  PROP_SERVER_CERTIFICATE,
  PROP_TLS_DATABASE,
  PROP_PINNED_CERTIFICATE,
  PROP_KEEPALIVE_INTERVAL,
  PROP_KEEPALIVE_TIMEOUT,
  PROP_MAX_CONNECTIONS,
  PROP_N_CONNECTIONS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  MESSAGE_RECEIVED,
  PEER_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct _Connection Connection;

struct _DtSipPeer
{
  gint                ref_count;
  DtSipTransportKind  kind;
  GInetSocketAddress *address;
  char               *server_name;
  Connection         *connection;
};

/* One TCP or TLS stream. The transport holds a reference while it is
 * open; peers and pending operations hold more, so a closed connection
 * lingers until the last of them lets go. */
struct _Connection
{
  gint                ref_count;
  DtSipTransport     *transport;      /* unowned; NULL once closed */
  DtSipTransportKind  kind;
  GInetSocketAddress *remote;
  char               *server_name;
  char               *key;
  gboolean            outgoing;
  gboolean            ready;          /* connected and, for TLS, handshaken */
  gboolean            got_message;
  gboolean            close_when_sent;
  GSocketConnection  *socket_connection;
  GIOStream          *stream;
  GCancellable       *cancellable;
  GQueue              out_queue;      /* of GBytes, in send order */
  GBytes             *writing;
  GByteArray         *in_buf;
  guint8              read_chunk[READ_CHUNK_SIZE];
  GSource            *idle_source;
  GSource            *keepalive_source;
  GSource            *pong_source;
  GTlsCertificateFlags cert_errors;
};

struct _DtSipTransport
{
  GObject             parent_instance;

  GMainContext       *context;
  GCancellable       *cancellable;
  GSocket            *udp[2];         /* IPv4, IPv6 */
  GSource            *udp_source[2];
  guint8             *udp_buffer;
  GPtrArray          *listeners;      /* of GSocketListener */
  GInetSocketAddress *bound[3][2];    /* by kind and family */
  GQueue              connections;    /* oldest first, each holding a ref */
  GHashTable         *by_key;         /* key → Connection, unowned */

  GTlsCertificate    *server_certificate;
  GTlsDatabase       *tls_database;
  GTlsCertificate    *pinned_certificate;
  guint               keepalive_interval;
  guint               keepalive_timeout;
  guint               max_connections;
};

G_DEFINE_TYPE (DtSipTransport, dt_sip_transport, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-sip-transport-error-quark, dt_sip_transport_error)

G_DEFINE_BOXED_TYPE (DtSipPeer, dt_sip_peer, dt_sip_peer_ref, dt_sip_peer_unref)

static void connection_close   (Connection   *conn,
                                const GError *error);
static void connection_process (Connection   *conn);

static guint
family_index (GInetSocketAddress *address)
{
  GInetAddress *ip = g_inet_socket_address_get_address (address);

  return g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6 ? 1 : 0;
}

static char *
format_host_port (GInetAddress *ip,
                  guint16       port)
{
  g_autofree char *text = g_inet_address_to_string (ip);
  gboolean v6 = g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6;

  if (port == 0)
    return v6 ? g_strdup_printf ("[%s]", text) : g_steal_pointer (&text);
  return g_strdup_printf (v6 ? "[%s]:%u" : "%s:%u", text, port);
}

static GSource *
add_timeout (DtSipTransport *self,
             guint           ms,
             GSourceFunc     func,
             gpointer        data)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, "[dialtone] sip transport timer");
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static char *
connection_key (DtSipTransportKind  kind,
                GInetSocketAddress *remote,
                const char         *server_name)
{
  g_autofree char *host_port =
    format_host_port (g_inet_socket_address_get_address (remote),
                      g_inet_socket_address_get_port (remote));

  return g_strdup_printf ("%s %s%s%s", dt_sip_transport_kind_to_string (kind), host_port,
                          server_name != NULL ? " " : "", server_name != NULL ? server_name : "");
}

static Connection *
connection_ref (Connection *conn)
{
  conn->ref_count++;
  return conn;
}

static void
connection_unref (Connection *conn)
{
  g_assert (conn->ref_count > 0);

  if (--conn->ref_count > 0)
    return;

  g_assert (conn->transport == NULL);
  g_queue_clear_full (&conn->out_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&conn->writing, g_bytes_unref);
  g_clear_pointer (&conn->in_buf, g_byte_array_unref);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->socket_connection);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->remote);
  g_free (conn->server_name);
  g_free (conn->key);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, connection_unref)

static DtSipPeer *
peer_new_for_connection (Connection *conn)
{
  DtSipPeer *peer = dt_sip_peer_new (conn->kind, conn->remote, conn->server_name);

  peer->connection = connection_ref (conn);
  return peer;
}

static void
update_idle_timer (Connection *conn);

static gboolean
on_idle_timeout (gpointer user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&conn->idle_source, g_source_unref);
  if (!conn->ready)
    error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_UNREACHABLE,
                         "Server not reachable (no answer to the TLS handshake in %d s)",
                         DT_SIP_TRANSPORT_IDLE_TIMEOUT_S);
  else
    error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                         "Server sent an incomplete message");
  connection_close (conn, error);
  return G_SOURCE_REMOVE;
}

/* A connection must finish its TLS handshake, an accepted one must deliver
 * a first message, and any partial message must complete, within the idle
 * timeout. The timer is not reset by each byte, so a trickle cannot hold a
 * connection forever. */
static void
update_idle_timer (Connection *conn)
{
  gboolean needed;

  if (conn->transport == NULL)
    return;

  needed = (!conn->outgoing && !conn->got_message) || conn->in_buf->len > 0 ||
           (!conn->ready && conn->stream != NULL);
  if (!needed)
    clear_source (&conn->idle_source);
  else if (conn->idle_source == NULL)
    conn->idle_source = add_timeout (conn->transport, DT_SIP_TRANSPORT_IDLE_TIMEOUT_S * 1000,
                                     on_idle_timeout, conn);
}

static Connection *
connection_new (DtSipTransport     *self,
                DtSipTransportKind  kind,
                GInetSocketAddress *remote,
                const char         *server_name,
                gboolean            outgoing)
{
  Connection *conn = g_new0 (Connection, 1);

  conn->ref_count = 1;
  conn->transport = self;
  conn->kind = kind;
  conn->remote = g_object_ref (remote);
  conn->server_name = g_strdup (server_name);
  conn->key = connection_key (kind, remote, server_name);
  conn->outgoing = outgoing;
  conn->cancellable = g_cancellable_new ();
  conn->in_buf = g_byte_array_new ();
  g_queue_init (&conn->out_queue);

  g_queue_push_tail (&self->connections, conn);
  g_hash_table_replace (self->by_key, conn->key, conn);
  update_idle_timer (conn);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_CONNECTIONS]);
  return conn;
}

static void
connection_write_next (Connection *conn);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Connection) conn = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&conn->writing, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_autoptr(GError) report = NULL;

      if (conn->transport == NULL)
        return;
      report = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                            "Connection to the server lost (%s)", error->message);
      connection_close (conn, report);
      return;
    }
  connection_write_next (conn);
}

static void
connection_write_next (Connection *conn)
{
  GOutputStream *output;

  if (conn->transport == NULL || !conn->ready || conn->writing != NULL)
    return;
  if (g_queue_is_empty (&conn->out_queue))
    {
      if (conn->close_when_sent)
        connection_close (conn, NULL);
      return;
    }

  conn->writing = g_queue_pop_head (&conn->out_queue);
  output = g_io_stream_get_output_stream (conn->stream);
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (conn->writing, NULL),
                                   g_bytes_get_size (conn->writing),
                                   G_PRIORITY_DEFAULT, conn->cancellable,
                                   on_written, connection_ref (conn));
}

static void
connection_enqueue (Connection *conn,
                    GBytes     *bytes)
{
  g_queue_push_tail (&conn->out_queue, g_bytes_ref (bytes));
  connection_write_next (conn);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data);

static void
connection_read (Connection *conn)
{
  GInputStream *input = g_io_stream_get_input_stream (conn->stream);

  g_input_stream_read_async (input, conn->read_chunk, sizeof conn->read_chunk,
                             G_PRIORITY_DEFAULT, conn->cancellable,
                             on_read, connection_ref (conn));
}

static gboolean
on_pong_timeout (gpointer user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&conn->pong_source, g_source_unref);
  error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_NOT_RESPONDING,
                       "Server not responding to keep-alives");
  connection_close (conn, error);
  return G_SOURCE_REMOVE;
}

static void
schedule_keepalive (Connection *conn);

static gboolean
on_keepalive (gpointer user_data)
{
  Connection *conn = user_data;
  g_autoptr(GBytes) ping = g_bytes_new_static ("\r\n\r\n", 4);

  g_clear_pointer (&conn->keepalive_source, g_source_unref);
  connection_enqueue (conn, ping);
  if (conn->pong_source == NULL)
    conn->pong_source = add_timeout (conn->transport, conn->transport->keepalive_timeout * 1000,
                                     on_pong_timeout, conn);
  schedule_keepalive (conn);
  return G_SOURCE_REMOVE;
}

/* RFC 5626 §4.4.1: each interval is drawn from 80–100 % of the nominal one,
 * so that clients behind one server do not ping in lockstep. */
static void
schedule_keepalive (Connection *conn)
{
  DtSipTransport *self = conn->transport;
  guint ms;

  if (self == NULL || !conn->outgoing || self->keepalive_interval == 0 ||
      conn->keepalive_source != NULL)
    return;

  ms = (guint) (self->keepalive_interval * 1000 * g_random_double_range (0.8, 1.0));
  conn->keepalive_source = add_timeout (self, ms, on_keepalive, conn);
}

static void
connection_set_ready (Connection *conn)
{
  conn->ready = TRUE;
  update_idle_timer (conn);
  connection_read (conn);
  connection_write_next (conn);
  schedule_keepalive (conn);
}

static void
connection_close (Connection   *conn,
                  const GError *error)
{
  g_autoptr(DtSipTransport) self = NULL;

  if (conn->transport == NULL)
    return;

  self = g_object_ref (conn->transport);
  g_debug ("Closing %s%s%s", conn->key, error != NULL ? ": " : "",
           error != NULL ? error->message : "");

  conn->transport = NULL;
  conn->ready = FALSE;
  g_cancellable_cancel (conn->cancellable);
  clear_source (&conn->idle_source);
  clear_source (&conn->keepalive_source);
  clear_source (&conn->pong_source);
  g_queue_clear_full (&conn->out_queue, (GDestroyNotify) g_bytes_unref);
  if (conn->stream != NULL)
    g_signal_handlers_disconnect_by_data (conn->stream, conn);
  /* Shut down rather than close: a TLS handshake may still be using the
   * descriptor in a worker thread, and it must not be reused under it. */
  if (conn->socket_connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (conn->socket_connection),
                       TRUE, TRUE, NULL);

  if (g_hash_table_lookup (self->by_key, conn->key) == conn)
    g_hash_table_remove (self->by_key, conn->key);
  g_queue_remove (&self->connections, conn);

  if (error != NULL && conn->outgoing)
    {
      g_autoptr(DtSipPeer) peer = peer_new_for_connection (conn);

      g_signal_emit (self, signals[PEER_FAILED], 0, peer, error);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_CONNECTIONS]);
  connection_unref (conn);
}

static gboolean
is_same_host (const char   *host,
              GInetAddress *ip)
{
  g_autoptr(GInetAddress) parsed = g_inet_address_new_from_string (host);

  return parsed != NULL && g_inet_address_equal (parsed, ip);
}

/* RFC 3261 §18.2.1 and RFC 3581 §4: tell the sender where its request
 * really came from, so that the response finds its way back through NAT. */
static void
stamp_top_via (DtSipMessage       *request,
               GInetSocketAddress *source)
{
  DtSipVia *via = dt_sip_message_get_top_via (request);
  GInetAddress *ip = g_inet_socket_address_get_address (source);
  g_autoptr(GString) value = NULL;
  g_autofree char *source_ip = NULL;
  gboolean add_received;
  gboolean fill_rport;

  if (via == NULL)
    return;

  add_received = !is_same_host (via->host, ip);
  fill_rport = via->rport == 0;
  if (!add_received && !fill_rport)
    return;

  source_ip = g_inet_address_to_string (ip);
  value = g_string_new (NULL);
  g_string_append_printf (value, "%s/%s ", via->protocol, via->transport);
  g_string_append_printf (value, via->host_is_ipv6 ? "[%s]" : "%s", via->host);
  if (via->port != 0)
    g_string_append_printf (value, ":%u", via->port);

  for (guint i = 0; i < via->params->len; i++)
    {
      DtSipParam *param = g_ptr_array_index (via->params, i);

      if ((add_received && g_ascii_strcasecmp (param->name, "received") == 0) ||
          (fill_rport && g_ascii_strcasecmp (param->name, "rport") == 0))
        continue;
      g_string_append_printf (value, ";%s", param->name);
      if (param->value != NULL)
        g_string_append_printf (value, "=%s", param->value);
    }
  if (add_received)
    g_string_append_printf (value, ";received=%s", source_ip);
  if (fill_rport)
    g_string_append_printf (value, ";rport=%u", g_inet_socket_address_get_port (source));

  dt_sip_message_remove_first_value (request, "Via");
  dt_sip_message_prepend_header (request, "Via", value->str);
}

static void
send_bad_request (DtSipTransport *self,
                  DtSipMessage   *request,
                  const GError   *error,
                  DtSipPeer      *peer)
{
  g_autoptr(DtSipMessage) response = NULL;
  guint code = g_error_matches (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_VERSION) ? 505 : 400;

  response = dt_sip_message_new_response_for (request, code,
                                              dt_sip_parse_error_get_reason (error), NULL);
  dt_sip_transport_send (self, peer, response);
}

/* Returns FALSE when the bytes are garbage that no reply can be built for. */
static gboolean
handle_bytes (DtSipTransport *self,
              const guint8   *data,
              gsize           length,
              DtSipFraming    framing,
              DtSipPeer      *peer)
{
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(GError) error = NULL;

  message = dt_sip_message_parse_full (data, length, framing, &answerable, &error);
  if (message == NULL)
    {
      g_autofree char *where = dt_sip_peer_to_string (peer);

      g_debug ("Malformed message from %s: %s", where, error->message);
      if (answerable == NULL)
        return g_error_matches (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_EMPTY);
      stamp_top_via (answerable, peer->address);
      send_bad_request (self, answerable, error, peer);
      return TRUE;
    }

  if (dt_sip_message_is_request (message))
    stamp_top_via (message, peer->address);
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message, peer);
  return TRUE;
}

/* RFC 3261 §18.3: a stream whose framing is lost cannot go on, but when
 * the header block is whole the sender may still learn why with a 400. */
static void
answer_unframed (Connection   *conn,
                 const GError *frame_error)
{
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipPeer) peer = NULL;
  gsize window = MIN (conn->in_buf->len, (gsize) DT_SIP_MAX_MESSAGE_SIZE);
  const guint8 *end;

  end = (const guint8 *) g_strstr_len ((const char *) conn->in_buf->data, (gssize) window,
                                       "\r\n\r\n");
  if (end == NULL)
    return;

  message = dt_sip_message_parse_full (conn->in_buf->data, (gsize) (end - conn->in_buf->data) + 4,
                                       DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  /* A header block that reads well as a datagram broke only the stream's
   * framing (no Content-Length, say): the framing error is the reason. */
  if (message != NULL && dt_sip_message_is_request (message))
    answerable = g_steal_pointer (&message);
  else if (error == NULL || answerable == NULL)
    return;
  peer = peer_new_for_connection (conn);
  stamp_top_via (answerable, conn->remote);
  send_bad_request (conn->transport, answerable, error ? error : frame_error, peer);
}

static void
connection_process (Connection *conn)
{
  while (conn->transport != NULL && conn->in_buf->len > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) pong = NULL;
      g_autoptr(DtSipPeer) peer = NULL;
      gsize frame_length = 0;

      switch (dt_sip_frame_stream (conn->in_buf->data, conn->in_buf->len, &frame_length, &error))
        {
        case DT_SIP_FRAME_NEED_MORE:
          if (conn->in_buf->len > DT_SIP_MAX_MESSAGE_SIZE ||
              frame_length > DT_SIP_MAX_MESSAGE_SIZE)
            {
              error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                                   "Server sent a message that is too large");
              connection_close (conn, error);
            }
          update_idle_timer (conn);
          return;

        case DT_SIP_FRAME_PING:
          /* RFC 5626 §4.4.1: a double CRLF ping gets a single CRLF pong. */
          pong = g_bytes_new_static ("\r\n", 2);
          connection_enqueue (conn, pong);
          break;

        case DT_SIP_FRAME_PONG:
          clear_source (&conn->pong_source);
          break;

        case DT_SIP_FRAME_MESSAGE:
          peer = peer_new_for_connection (conn);
          conn->got_message = TRUE;
          if (!handle_bytes (conn->transport, conn->in_buf->data, frame_length,
                             DT_SIP_FRAMING_STREAM, peer))
            {
              error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                                   "Server sent a malformed message");
              connection_close (conn, error);
              return;
            }
          break;

        case DT_SIP_FRAME_ERROR:
          g_debug ("Garbage on %s: %s", conn->key, error->message);
          answer_unframed (conn, error);
          g_byte_array_set_size (conn->in_buf, 0);
          if (conn->writing != NULL || !g_queue_is_empty (&conn->out_queue))
            {
              conn->close_when_sent = TRUE;
              return;
            }
          g_clear_error (&error);
          error = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                               "Server sent data that is not SIP");
          connection_close (conn, error);
          return;

        default:
          g_assert_not_reached ();
        }

      g_byte_array_remove_range (conn->in_buf, 0, frame_length);
    }
  update_idle_timer (conn);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Connection) conn = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (conn->transport == NULL)
    return;

  if (n < 0)
    {
      g_autoptr(GError) report =
        g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_CLOSED,
                     "Connection to the server lost (%s)", error->message);

      connection_close (conn, report);
      return;
    }
  if (n == 0)
    {
      /* A server may close an idle connection at will; the next message
       * opens a new one, so this alone is no failure. */
      connection_close (conn, NULL);
      return;
    }

  if (conn->close_when_sent)
    return;
  g_byte_array_append (conn->in_buf, conn->read_chunk, (guint) n);
  connection_process (conn);
  if (conn->transport != NULL && !conn->close_when_sent)
    connection_read (conn);
}

static char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "unknown certificate authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "name does not match the server (bad identity)" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not yet valid" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "insecure algorithm" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "invalid certificate" },
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      if ((flags & reasons[i].flag) == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, reasons[i].text);
    }
  if (text->len == 0)
    g_string_append (text, "rejected");
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Emitted only when verification failed: the flags say why, and only a
 * pinned certificate can still be accepted. */
static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Connection *conn = user_data;

  conn->cert_errors = errors;
  if (conn->transport == NULL || conn->transport->pinned_certificate == NULL)
    return FALSE;
  return g_tls_certificate_is_same (certificate, conn->transport->pinned_certificate);
}

static void
on_handshaken (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Connection) conn = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) report = NULL;
  g_autofree char *reasons = NULL;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (conn->transport != NULL)
        connection_set_ready (conn);
      return;
    }
  if (conn->transport == NULL)
    return;

  if (!conn->outgoing)
    {
      g_debug ("TLS handshake with %s failed: %s", conn->key, error->message);
      connection_close (conn, NULL);
      return;
    }

  if (conn->cert_errors == 0)
    conn->cert_errors = g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (source));
  if (conn->cert_errors != 0)
    {
      reasons = describe_certificate_errors (conn->cert_errors);
      report = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_TLS_UNTRUSTED,
                            "TLS certificate not trusted: %s", reasons);
    }
  else
    {
      report = g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_TLS_FAILED,
                            "TLS handshake failed (%s)", error->message);
    }
  connection_close (conn, report);
}

static void
connection_start_tls (Connection *conn)
{
  DtSipTransport *self = conn->transport;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (conn->outgoing)
    {
      if (conn->server_name != NULL && !g_hostname_is_ip_address (conn->server_name))
        identity = g_network_address_new (conn->server_name,
                                          g_inet_socket_address_get_port (conn->remote));
      else
        identity = G_SOCKET_CONNECTABLE (g_object_ref (conn->remote));
      tls = g_tls_client_connection_new (G_IO_STREAM (conn->socket_connection), identity, &error);
    }
  else
    {
      tls = g_tls_server_connection_new (G_IO_STREAM (conn->socket_connection),
                                         self->server_certificate, &error);
    }

  if (tls == NULL)
    {
      g_autoptr(GError) report =
        g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_TLS_FAILED,
                     "TLS is not available (%s)", error->message);

      connection_close (conn, report);
      return;
    }

  if (conn->outgoing)
    {
      if (self->tls_database != NULL)
        g_tls_connection_set_database (G_TLS_CONNECTION (tls), self->tls_database);
      g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), conn);
    }

  /* SIP frames by Content-Length, so a truncated stream is caught anyway;
   * and many servers just drop the TCP connection. */
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  conn->stream = g_steal_pointer (&tls);
  update_idle_timer (conn);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->stream), G_PRIORITY_DEFAULT,
                                    conn->cancellable, on_handshaken, connection_ref (conn));
}

static void
connection_attach (Connection        *conn,
                   GSocketConnection *socket_connection)
{
  conn->socket_connection = g_object_ref (socket_connection);
  if (conn->kind == DT_SIP_TRANSPORT_TLS)
    {
      connection_start_tls (conn);
      return;
    }
  conn->stream = G_IO_STREAM (g_object_ref (socket_connection));
  connection_set_ready (conn);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Connection) conn = user_data;
  g_autoptr(GSocketConnection) socket_connection = NULL;
  g_autoptr(GError) error = NULL;

  socket_connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (conn->transport == NULL)
    return;

  if (socket_connection == NULL)
    {
      g_autoptr(GError) report =
        g_error_new (DT_SIP_TRANSPORT_ERROR, DT_SIP_TRANSPORT_ERROR_UNREACHABLE,
                     "Server not reachable (%s)", error->message);

      connection_close (conn, report);
      return;
    }

  /* The client's timeout bounds the connect only; SIP connections idle. */
  g_socket_set_timeout (g_socket_connection_get_socket (socket_connection), 0);
  connection_attach (conn, socket_connection);
}

static Connection *
connection_open (DtSipTransport     *self,
                 DtSipTransportKind  kind,
                 GInetSocketAddress *remote,
                 const char         *server_name)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  Connection *conn = connection_new (self, kind, remote, server_name, TRUE);

  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
  /* The address is already resolved, and SIP does not go through HTTP or
   * SOCKS proxies; this also keeps the desktop's proxy settings out. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (remote), conn->cancellable,
                                 on_connected, connection_ref (conn));
  return conn;
}

/* Evicts the oldest accepted connection that has not yet sent a complete
 * message, so that half-open connections cannot crowd out real ones. */
static gboolean
make_room (DtSipTransport *self)
{
  if (g_queue_get_length (&self->connections) < self->max_connections)
    return TRUE;

  for (GList *l = self->connections.head; l != NULL; l = l->next)
    {
      Connection *conn = l->data;

      if (!conn->outgoing && !conn->got_message)
        {
          g_debug ("Too many connections: dropping %s", conn->key);
          connection_close (conn, NULL);
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GSocketListener *listener = G_SOCKET_LISTENER (source);
  DtSipTransport *self = user_data;
  g_autoptr(GSocketConnection) socket_connection = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;
  DtSipTransportKind kind;

  socket_connection = g_socket_listener_accept_finish (listener, result, NULL, &error);
  /* On cancellation the transport may be gone: touch nothing. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (listener), "dt-sip-kind"));
  if (socket_connection != NULL)
    remote = g_socket_connection_get_remote_address (socket_connection, NULL);

  if (socket_connection == NULL)
    {
      g_debug ("Accepting a connection failed: %s", error->message);
    }
  else if (!G_IS_INET_SOCKET_ADDRESS (remote) || !make_room (self))
    {
      g_debug ("Refusing a connection: too many open");
      g_io_stream_close (G_IO_STREAM (socket_connection), NULL, NULL);
    }
  else
    {
      Connection *conn = connection_new (self, kind, G_INET_SOCKET_ADDRESS (remote), NULL, FALSE);

      connection_attach (conn, socket_connection);
    }

  g_socket_listener_accept_async (listener, self->cancellable, on_accepted, self);
}

static void
handle_datagram (DtSipTransport *self,
                 GSocket        *socket,
                 gboolean       *again)
{
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipPeer) peer = NULL;
  gssize n;

  *again = FALSE;
  n = g_socket_receive_from (socket, &from, (char *) self->udp_buffer,
                             DT_SIP_MAX_MESSAGE_SIZE, NULL, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_debug ("UDP receive failed: %s", error->message);
      return;
    }
  *again = TRUE;
  if (!G_IS_INET_SOCKET_ADDRESS (from) || n == 0)
    return;

  peer = dt_sip_peer_new (DT_SIP_TRANSPORT_UDP, G_INET_SOCKET_ADDRESS (from), NULL);
  handle_bytes (self, self->udp_buffer, (gsize) n, DT_SIP_FRAMING_DATAGRAM, peer);
}

static gboolean
on_udp_readable (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  g_autoptr(DtSipTransport) self = g_object_ref (user_data);
  gboolean again = TRUE;

  for (guint i = 0; again && i < UDP_READS_PER_WAKEUP &&
                    !g_cancellable_is_cancelled (self->cancellable); i++)
    handle_datagram (self, socket, &again);
  return G_SOURCE_CONTINUE;
}

static GSocket *
udp_bind (DtSipTransport      *self,
          GInetSocketAddress  *address,
          GError             **error)
{
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (address));
  guint fi = family_index (address);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSource *source;

  if (self->udp[fi] != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "Already listening on UDP for this address family");
      return NULL;
    }

  socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  /* No address reuse: for UDP GLib would also allow a second socket on
   * the same port, which could take our datagrams. */
  if (!g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, error))
    return NULL;
  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return NULL;

  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (source, G_SOURCE_FUNC (on_udp_readable), self, NULL);
  g_source_set_static_name (source, "[dialtone] sip udp");
  g_source_attach (source, self->context);

  self->udp_source[fi] = source;
  self->udp[fi] = g_steal_pointer (&socket);
  g_set_object (&self->bound[DT_SIP_TRANSPORT_UDP][fi], G_INET_SOCKET_ADDRESS (local));
  return self->udp[fi];
}

static GSocket *
udp_socket_for (DtSipTransport      *self,
                GInetSocketAddress  *remote,
                GError             **error)
{
  guint fi = family_index (remote);
  g_autoptr(GInetAddress) any = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  if (self->udp[fi] != NULL)
    return self->udp[fi];

  any = g_inet_address_new_any (g_socket_address_get_family (G_SOCKET_ADDRESS (remote)));
  address = g_inet_socket_address_new (any, 0);
  return udp_bind (self, G_INET_SOCKET_ADDRESS (address), error);
}

static gboolean
send_udp (DtSipTransport *self,
          DtSipPeer      *peer,
          DtSipMessage   *message,
          GBytes         *bytes)
{
  g_autoptr(GSocketAddress) destination = NULL;
  g_autoptr(GError) error = NULL;
  GSocket *socket;
  gssize n;

  destination = G_SOCKET_ADDRESS (g_object_ref (peer->address));
  if (!dt_sip_message_is_request (message))
    {
      DtSipVia *via = dt_sip_message_get_top_via (message);

      /* §18.2.2 without rport: the source address (which received= names
       * whenever sent-by differs) and the sent-by port. */
      if (via != NULL && via->rport < 0)
        {
          g_object_unref (destination);
          destination = g_inet_socket_address_new (g_inet_socket_address_get_address (peer->address),
                                                   via->port != 0 ? via->port : SIP_PORT);
        }
    }

  socket = udp_socket_for (self, peer->address, &error);
  if (socket == NULL)
    {
      g_debug ("No UDP socket to send with: %s", error->message);
      return FALSE;
    }

  n = g_socket_send_to (socket, destination, g_bytes_get_data (bytes, NULL),
                        g_bytes_get_size (bytes), NULL, &error);
  if (n < 0)
    {
      /* A full socket buffer is loss like any other on UDP: the
       * transaction layer retransmits. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      g_debug ("UDP send failed: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_stream (DtSipTransport *self,
             DtSipPeer      *peer,
             DtSipMessage   *message,
             GBytes         *bytes)
{
  Connection *conn = peer->connection;

  if (conn == NULL || conn->transport != self)
    {
      g_autofree char *key = connection_key (peer->kind, peer->address, peer->server_name);

      conn = g_hash_table_lookup (self->by_key, key);
    }

  if (conn == NULL)
    {
      g_autoptr(GSocketAddress) remote = G_SOCKET_ADDRESS (g_object_ref (peer->address));

      /* §18.2.2: the request's connection is gone; open one to the source
       * address and the sent-by port. */
      if (peer->connection != NULL && !dt_sip_message_is_request (message))
        {
          DtSipVia *via = dt_sip_message_get_top_via (message);
          guint16 port = peer->kind == DT_SIP_TRANSPORT_TLS ? SIPS_PORT : SIP_PORT;

          if (via != NULL && via->port != 0)
            port = via->port;
          g_object_unref (remote);
          remote = g_inet_socket_address_new (g_inet_socket_address_get_address (peer->address),
                                              port);
        }
      conn = connection_open (self, peer->kind, G_INET_SOCKET_ADDRESS (remote),
                              peer->server_name);
    }

  if (peer->connection != conn)
    {
      g_clear_pointer (&peer->connection, connection_unref);
      peer->connection = connection_ref (conn);
    }
  connection_enqueue (conn, bytes);
  return TRUE;
}

/* The local address a datagram or connection to @remote leaves from:
 * connecting a UDP socket only asks the kernel for a route. */
static GInetAddress *
route_source_address (GInetSocketAddress *remote)
{
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (remote));
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  probe = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  if (probe == NULL || !g_socket_connect (probe, G_SOCKET_ADDRESS (remote), NULL, NULL))
    return NULL;
  local = g_socket_get_local_address (probe, NULL);
  if (local == NULL)
    return NULL;
  return g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

static void
dt_sip_transport_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DtSipTransport *self = DT_SIP_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SERVER_CERTIFICATE:
      g_value_set_object (value, self->server_certificate);
      break;

    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;

    case PROP_PINNED_CERTIFICATE:
      g_value_set_object (value, self->pinned_certificate);
      break;

    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;

    case PROP_KEEPALIVE_TIMEOUT:
      g_value_set_uint (value, self->keepalive_timeout);
      break;

    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;

    case PROP_N_CONNECTIONS:
      g_value_set_uint (value, dt_sip_transport_get_n_connections (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_transport_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  DtSipTransport *self = DT_SIP_TRANSPORT (object);

  switch (prop_id)
    {
    case PROP_SERVER_CERTIFICATE:
      dt_sip_transport_set_server_certificate (self, g_value_get_object (value));
      break;

    case PROP_TLS_DATABASE:
      dt_sip_transport_set_tls_database (self, g_value_get_object (value));
      break;

    case PROP_PINNED_CERTIFICATE:
      dt_sip_transport_set_pinned_certificate (self, g_value_get_object (value));
      break;

    case PROP_KEEPALIVE_INTERVAL:
      dt_sip_transport_set_keepalive_interval (self, g_value_get_uint (value));
      break;

    case PROP_KEEPALIVE_TIMEOUT:
      if (self->keepalive_timeout != g_value_get_uint (value))
        {
          self->keepalive_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_MAX_CONNECTIONS:
      dt_sip_transport_set_max_connections (self, g_value_get_uint (value));
      break;

    case PROP_N_CONNECTIONS:
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_transport_dispose (GObject *object)
{
  DtSipTransport *self = DT_SIP_TRANSPORT (object);

  g_cancellable_cancel (self->cancellable);
  while (!g_queue_is_empty (&self->connections))
    connection_close (g_queue_peek_head (&self->connections), NULL);

  if (self->listeners != NULL)
    {
      for (guint i = 0; i < self->listeners->len; i++)
        g_socket_listener_close (g_ptr_array_index (self->listeners, i));
      g_clear_pointer (&self->listeners, g_ptr_array_unref);
    }

  for (guint fi = 0; fi < 2; fi++)
    {
      clear_source (&self->udp_source[fi]);
      if (self->udp[fi] != NULL)
        g_socket_close (self->udp[fi], NULL);
      g_clear_object (&self->udp[fi]);
      for (guint kind = 0; kind < 3; kind++)
        g_clear_object (&self->bound[kind][fi]);
    }

  g_clear_object (&self->server_certificate);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->pinned_certificate);

  G_OBJECT_CLASS (dt_sip_transport_parent_class)->dispose (object);
}

static void
dt_sip_transport_finalize (GObject *object)
{
  DtSipTransport *self = DT_SIP_TRANSPORT (object);

  g_clear_pointer (&self->by_key, g_hash_table_unref);
  g_clear_pointer (&self->udp_buffer, g_free);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (dt_sip_transport_parent_class)->finalize (object);
}

static void
dt_sip_transport_class_init (DtSipTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_transport_get_property;
  object_class->set_property = dt_sip_transport_set_property;
  object_class->dispose = dt_sip_transport_dispose;
  object_class->finalize = dt_sip_transport_finalize;

  /**
   * DtSipTransport:server-certificate:
   *
   * The certificate, with its private key, that TLS listeners present.
   */
  props[PROP_SERVER_CERTIFICATE] =
    g_param_spec_object ("server-certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:tls-database:
   *
   * The trust anchors for outgoing TLS connections; %NULL for the system's.
   */
  props[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL,
                         G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:pinned-certificate:
   *
   * A server certificate the user chose to trust even though verification
   * fails (a self-signed PBX, say). Only this exact certificate is accepted.
   */
  props[PROP_PINNED_CERTIFICATE] =
    g_param_spec_object ("pinned-certificate", NULL, NULL,
                         G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:keepalive-interval:
   *
   * Seconds between CRLF pings on outgoing TCP and TLS connections
   * (RFC 5626 §4.4.1); 0 for none.
   */
  props[PROP_KEEPALIVE_INTERVAL] =
    g_param_spec_uint ("keepalive-interval", NULL, NULL,
                       0, 3600, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:keepalive-timeout:
   *
   * Seconds to wait for a pong before the connection counts as failed.
   */
  props[PROP_KEEPALIVE_TIMEOUT] =
    g_param_spec_uint ("keepalive-timeout", NULL, NULL,
                       1, 600, DT_SIP_TRANSPORT_PONG_TIMEOUT_S,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:max-connections:
   *
   * How many TCP and TLS connections may be open at once.
   */
  props[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL,
                       1, G_MAXUINT, DT_SIP_TRANSPORT_DEFAULT_MAX_CONNECTIONS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipTransport:n-connections:
   *
   * How many TCP and TLS connections are open or opening.
   */
  props[PROP_N_CONNECTIONS] =
    g_param_spec_uint ("n-connections", NULL, NULL,
                       0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtSipTransport::message-received:
   * @self: the transport
   * @message: a well-formed request or response; a request's top Via
   *   already carries received and rport
   * @peer: where it came from, and where its answer goes
   */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DT_TYPE_SIP_MESSAGE, DT_TYPE_SIP_PEER);

  /**
   * DtSipTransport::peer-failed:
   * @self: the transport
   * @peer: the connection's far end
   * @error: a #DtSipTransportError with a message for the user
   *
   * An outgoing TCP or TLS connection could not be opened or broke; the
   * messages queued on it are dropped.
   */
  signals[PEER_FAILED] =
    g_signal_new ("peer-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DT_TYPE_SIP_PEER, G_TYPE_ERROR);
}

static void
dt_sip_transport_init (DtSipTransport *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->udp_buffer = g_malloc (DT_SIP_MAX_MESSAGE_SIZE);
  self->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->connections);
  self->keepalive_timeout = DT_SIP_TRANSPORT_PONG_TIMEOUT_S;
  self->max_connections = DT_SIP_TRANSPORT_DEFAULT_MAX_CONNECTIONS;
}

/**
 * dt_sip_peer_new:
 * @kind: the transport to use
 * @address: the remote IP address and port
 * @server_name: (nullable): for TLS, the name the server's certificate must
 *   carry (the SIP domain); %NULL to check against @address
 *
 * Names a destination for dt_sip_transport_send(). Sending to it reuses an
 * open connection to the same place, or opens one.
 *
 * Returns: (transfer full): a new peer
 */
DtSipPeer *
dt_sip_peer_new (DtSipTransportKind  kind,
                 GInetSocketAddress *address,
                 const char         *server_name)
{
  DtSipPeer *self;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);

  self = g_new0 (DtSipPeer, 1);
  self->ref_count = 1;
  self->kind = kind;
  self->address = g_object_ref (address);
  self->server_name = g_strdup (server_name);
  return self;
}

/**
 * dt_sip_peer_ref:
 * @self: a #DtSipPeer
 *
 * Returns: (transfer full): @self
 */
DtSipPeer *
dt_sip_peer_ref (DtSipPeer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  self->ref_count++;
  return self;
}

/**
 * dt_sip_peer_unref:
 * @self: (transfer full): a #DtSipPeer
 *
 * Drops a reference; suits the transaction layer's peer_free.
 */
void
dt_sip_peer_unref (DtSipPeer *self)
{
  g_return_if_fail (self != NULL);

  if (--self->ref_count > 0)
    return;

  g_clear_pointer (&self->connection, connection_unref);
  g_clear_object (&self->address);
  g_free (self->server_name);
  g_free (self);
}

/**
 * dt_sip_peer_get_kind:
 * @self: a #DtSipPeer
 *
 * Returns: the transport the peer is reached over
 */
DtSipTransportKind
dt_sip_peer_get_kind (DtSipPeer *self)
{
  g_return_val_if_fail (self != NULL, DT_SIP_TRANSPORT_UDP);

  return self->kind;
}

/**
 * dt_sip_peer_get_address:
 * @self: a #DtSipPeer
 *
 * Returns: (transfer none): the remote IP address and port
 */
GInetSocketAddress *
dt_sip_peer_get_address (DtSipPeer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->address;
}

/**
 * dt_sip_peer_get_server_name:
 * @self: a #DtSipPeer
 *
 * Returns: (nullable): the name a TLS server's certificate is checked against
 */
const char *
dt_sip_peer_get_server_name (DtSipPeer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->server_name;
}

/**
 * dt_sip_peer_is_reliable:
 * @self: a #DtSipPeer
 *
 * Returns: whether the transport is a stream, for the transaction layer's
 *   @reliable (RFC 3261 §17.1.1.2: no retransmissions over TCP or TLS)
 */
gboolean
dt_sip_peer_is_reliable (DtSipPeer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->kind != DT_SIP_TRANSPORT_UDP;
}

/**
 * dt_sip_peer_to_string:
 * @self: a #DtSipPeer
 *
 * Returns: (transfer full): e.g. `TLS [::1]:5061`, for logs
 */
char *
dt_sip_peer_to_string (DtSipPeer *self)
{
  g_autofree char *host_port = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  host_port = format_host_port (g_inet_socket_address_get_address (self->address),
                                g_inet_socket_address_get_port (self->address));
  return g_strdup_printf ("%s %s", dt_sip_transport_kind_to_string (self->kind), host_port);
}

/**
 * dt_sip_transport_new:
 *
 * Creates a transport whose sockets and timers run on the thread-default
 * main context of the caller.
 *
 * Returns: (transfer full): a new #DtSipTransport
 */
DtSipTransport *
dt_sip_transport_new (void)
{
  return g_object_new (DT_TYPE_SIP_TRANSPORT, NULL);
}

/**
 * dt_sip_transport_listen:
 * @self: a #DtSipTransport
 * @kind: the transport to listen on
 * @address: the local address and port; port 0 picks a free one
 * @bound_port: (out) (optional): the port bound
 * @error: return location for a #GIOErrorEnum error
 *
 * Binds a socket and starts receiving on it. One UDP socket per address
 * family; TCP and TLS may listen on several addresses. TLS needs
 * #DtSipTransport:server-certificate first.
 *
 * Returns: whether the socket is listening
 */
gboolean
dt_sip_transport_listen (DtSipTransport      *self,
                         DtSipTransportKind   kind,
                         GInetSocketAddress  *address,
                         guint16             *bound_port,
                         GError             **error)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  guint fi;

  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fi = family_index (address);
  switch (kind)
    {
    case DT_SIP_TRANSPORT_UDP:
      if (udp_bind (self, address, error) == NULL)
        return FALSE;
      if (bound_port != NULL)
        *bound_port = g_inet_socket_address_get_port (self->bound[kind][fi]);
      return TRUE;

    case DT_SIP_TRANSPORT_TLS:
      if (self->server_certificate == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "A TLS listener needs a server certificate");
          return FALSE;
        }
      G_GNUC_FALLTHROUGH;

    case DT_SIP_TRANSPORT_TCP:
      listener = g_socket_listener_new ();
      g_socket_listener_set_backlog (listener, LISTEN_BACKLOG);
      if (!g_socket_listener_add_address (listener, G_SOCKET_ADDRESS (address),
                                          G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                          NULL, &effective, error))
        return FALSE;
      g_object_set_data (G_OBJECT (listener), "dt-sip-kind", GINT_TO_POINTER (kind));
      g_set_object (&self->bound[kind][fi], G_INET_SOCKET_ADDRESS (effective));
      g_ptr_array_add (self->listeners, g_object_ref (listener));
      g_socket_listener_accept_async (listener, self->cancellable, on_accepted, self);
      if (bound_port != NULL)
        *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
      return TRUE;

    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * dt_sip_transport_set_server_certificate:
 * @self: a #DtSipTransport
 * @certificate: (nullable): a certificate with its private key, e.g. from
 *   g_tls_certificate_new_from_files()
 *
 * Sets what TLS listeners present to clients.
 */
void
dt_sip_transport_set_server_certificate (DtSipTransport  *self,
                                         GTlsCertificate *certificate)
{
  g_return_if_fail (DT_IS_SIP_TRANSPORT (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&self->server_certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVER_CERTIFICATE]);
}

/**
 * dt_sip_transport_get_server_certificate:
 * @self: a #DtSipTransport
 *
 * Returns: (transfer none) (nullable): the TLS listeners' certificate
 */
GTlsCertificate *
dt_sip_transport_get_server_certificate (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), NULL);

  return self->server_certificate;
}

/**
 * dt_sip_transport_set_tls_database:
 * @self: a #DtSipTransport
 * @database: (nullable): the trust anchors; %NULL for the system's
 *
 * Sets what outgoing TLS connections verify servers against, from the
 * next connection on.
 */
void
dt_sip_transport_set_tls_database (DtSipTransport *self,
                                   GTlsDatabase   *database)
{
  g_return_if_fail (DT_IS_SIP_TRANSPORT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));

  if (g_set_object (&self->tls_database, database))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TLS_DATABASE]);
}

/**
 * dt_sip_transport_get_tls_database:
 * @self: a #DtSipTransport
 *
 * Returns: (transfer none) (nullable): the trust anchors, or %NULL for the
 *   system's
 */
GTlsDatabase *
dt_sip_transport_get_tls_database (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), NULL);

  return self->tls_database;
}

/**
 * dt_sip_transport_trust_ca_file:
 * @self: a #DtSipTransport
 * @path: a PEM file of CA certificates
 * @error: return location for a #GError
 *
 * Verifies servers against the certificates in @path only, instead of the
 * system's trust store.
 *
 * Returns: whether @path could be loaded
 */
gboolean
dt_sip_transport_trust_ca_file (DtSipTransport  *self,
                                const char      *path,
                                GError         **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  database = g_tls_file_database_new (path, error);
  if (database == NULL)
    return FALSE;
  dt_sip_transport_set_tls_database (self, database);
  return TRUE;
}

/**
 * dt_sip_transport_set_pinned_certificate:
 * @self: a #DtSipTransport
 * @certificate: (nullable): the one server certificate to accept even when
 *   verification fails
 *
 * See #DtSipTransport:pinned-certificate.
 */
void
dt_sip_transport_set_pinned_certificate (DtSipTransport  *self,
                                         GTlsCertificate *certificate)
{
  g_return_if_fail (DT_IS_SIP_TRANSPORT (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  if (g_set_object (&self->pinned_certificate, certificate))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PINNED_CERTIFICATE]);
}

/**
 * dt_sip_transport_get_pinned_certificate:
 * @self: a #DtSipTransport
 *
 * Returns: (transfer none) (nullable): the pinned server certificate
 */
GTlsCertificate *
dt_sip_transport_get_pinned_certificate (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), NULL);

  return self->pinned_certificate;
}

/**
 * dt_sip_transport_set_keepalive_interval:
 * @self: a #DtSipTransport
 * @seconds: the interval between CRLF pings, or 0 for none
 *
 * Applies to outgoing TCP and TLS connections opened from now on.
 */
void
dt_sip_transport_set_keepalive_interval (DtSipTransport *self,
                                         guint           seconds)
{
  g_return_if_fail (DT_IS_SIP_TRANSPORT (self));

  if (self->keepalive_interval == seconds)
    return;
  self->keepalive_interval = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_KEEPALIVE_INTERVAL]);
}

/**
 * dt_sip_transport_get_keepalive_interval:
 * @self: a #DtSipTransport
 *
 * Returns: seconds between CRLF pings, or 0
 */
guint
dt_sip_transport_get_keepalive_interval (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), 0);

  return self->keepalive_interval;
}

/**
 * dt_sip_transport_set_max_connections:
 * @self: a #DtSipTransport
 * @max_connections: the most TCP and TLS connections open at once
 *
 * See #DtSipTransport:max-connections.
 */
void
dt_sip_transport_set_max_connections (DtSipTransport *self,
                                      guint           max_connections)
{
  g_return_if_fail (DT_IS_SIP_TRANSPORT (self));
  g_return_if_fail (max_connections > 0);

  if (self->max_connections == max_connections)
    return;
  self->max_connections = max_connections;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_CONNECTIONS]);
}

/**
 * dt_sip_transport_get_max_connections:
 * @self: a #DtSipTransport
 *
 * Returns: the most TCP and TLS connections open at once
 */
guint
dt_sip_transport_get_max_connections (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), 0);

  return self->max_connections;
}

/**
 * dt_sip_transport_get_n_connections:
 * @self: a #DtSipTransport
 *
 * Returns: how many TCP and TLS connections are open or opening
 */
guint
dt_sip_transport_get_n_connections (DtSipTransport *self)
{
  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), 0);

  return g_queue_get_length (&self->connections);
}

/**
 * dt_sip_transport_send:
 * @self: a #DtSipTransport
 * @peer: where to send; from dt_sip_peer_new(), or the peer a request came
 *   with for its responses
 * @message: the request or response
 *
 * Sends @message without blocking. Over TCP and TLS it joins the
 * connection's ordered queue, opening the connection if needed; a failure
 * to connect comes later through #DtSipTransport::peer-failed.
 *
 * Returns: %FALSE when the message could not be sent at all (a transport
 *   error, RFC 3261 §17.1.4)
 */
gboolean
dt_sip_transport_send (DtSipTransport *self,
                       DtSipPeer      *peer,
                       DtSipMessage   *message)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), FALSE);
  g_return_val_if_fail (peer != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  bytes = dt_sip_message_to_bytes (message);
  switch (peer->kind)
    {
    case DT_SIP_TRANSPORT_UDP:
      return send_udp (self, peer, message, bytes);

    case DT_SIP_TRANSPORT_TCP:
    case DT_SIP_TRANSPORT_TLS:
      return send_stream (self, peer, message, bytes);

    default:
      g_return_val_if_reached (FALSE);
    }
}

/**
 * dt_sip_transport_get_via_host_port:
 * @self: a #DtSipTransport
 * @peer: where the request goes
 *
 * Finds the sent-by for a request to @peer (RFC 3261 §18.1.1): the address
 * the request leaves from, and the port this transport listens on for the
 * peer's kind and address family. With no such listener, a stream's own
 * local port is used once it is connected, else the port is left out.
 *
 * Returns: (transfer full): `host:port`, with IPv6 in brackets
 */
char *
dt_sip_transport_get_via_host_port (DtSipTransport *self,
                                    DtSipPeer      *peer)
{
  g_autoptr(GSocketAddress) connected = NULL;
  g_autoptr(GInetAddress) routed = NULL;
  GInetSocketAddress *local = NULL;
  GInetAddress *ip = NULL;
  guint fi;

  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), NULL);
  g_return_val_if_fail (peer != NULL, NULL);

  fi = family_index (peer->address);
  if (peer->kind == DT_SIP_TRANSPORT_UDP)
    udp_socket_for (self, peer->address, NULL);
  local = self->bound[peer->kind][fi];

  if (local == NULL && peer->connection != NULL &&
      peer->connection->socket_connection != NULL)
    {
      connected = g_socket_connection_get_local_address (peer->connection->socket_connection,
                                                         NULL);
      if (G_IS_INET_SOCKET_ADDRESS (connected))
        local = G_INET_SOCKET_ADDRESS (connected);
    }

  if (local != NULL)
    ip = g_inet_socket_address_get_address (local);
  if (ip == NULL || g_inet_address_get_is_any (ip))
    {
      routed = route_source_address (peer->address);
      if (routed != NULL)
        ip = routed;
    }
  if (ip == NULL)
    {
      routed = g_inet_address_new_loopback (g_socket_address_get_family (G_SOCKET_ADDRESS (peer->address)));
      ip = routed;
    }

  return format_host_port (ip, local != NULL ? g_inet_socket_address_get_port (local) : 0);
}

/**
 * dt_sip_transport_format_via:
 * @self: a #DtSipTransport
 * @peer: where the request goes
 * @branch: the branch, starting with `z9hG4bK`
 *
 * Builds the Via value a request to @peer carries (RFC 3261 §8.1.1.7),
 * with an empty `rport` (RFC 3581 §3).
 *
 * Returns: (transfer full): e.g. `SIP/2.0/TCP 192.0.2.4:5060;branch=z9hG4bK…;rport`
 */
char *
dt_sip_transport_format_via (DtSipTransport *self,
                             DtSipPeer      *peer,
                             const char     *branch)
{
  g_autofree char *sent_by = NULL;

  g_return_val_if_fail (DT_IS_SIP_TRANSPORT (self), NULL);
  g_return_val_if_fail (peer != NULL, NULL);
  g_return_val_if_fail (branch != NULL, NULL);

  sent_by = dt_sip_transport_get_via_host_port (self, peer);
  return g_strdup_printf ("SIP/2.0/%s %s;branch=%s;rport",
                          dt_sip_transport_kind_to_string (peer->kind), sent_by, branch);
}

/**
 * dt_sip_transport_kind_to_string:
 * @kind: a #DtSipTransportKind
 *
 * Returns: the transport's name in a Via: `UDP`, `TCP` or `TLS`
 */
const char *
dt_sip_transport_kind_to_string (DtSipTransportKind kind)
{
  switch (kind)
    {
    case DT_SIP_TRANSPORT_UDP:
      return "UDP";

    case DT_SIP_TRANSPORT_TCP:
      return "TCP";

    case DT_SIP_TRANSPORT_TLS:
      return "TLS";

    default:
      g_return_val_if_reached ("UDP");
    }
}
