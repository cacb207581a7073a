/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-turn-client.c
 *
 * The transport is a GDatagramBased for UDP and DTLS (the connected GSocket
 * itself, or the GDtlsClientConnection over it: GSocket implements
 * GDatagramBased, so GLib's DTLS needs no wrapper), or a GIOStream for TCP
 * and TLS, framed with dt_stun_stream_frame_length(). Requests go through a
 * DtStunClient, which retransmits and matches; this file turns responses
 * into TURN state and errors. Pending I/O holds only a weak reference, so
 * dropping the last reference closes the client.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <string.h>

#include "dt-stun-client.h"
#include "dt-turn-client.h"

#define DEFAULT_STAGE_TIMEOUT_MS 10000
#define READ_CHUNK               4096
#define MAX_DATAGRAM             65536
/* RFC 8489 §9.2.5 leaves the number of stale-nonce retries to us */
#define MAX_STALE_RETRIES        3

enum {
  PROP_0,
  PROP_HOST,
  PROP_PORT,
  PROP_TRANSPORT,
  PROP_FAMILY,
  PROP_REQUESTED_FAMILY,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_TLS_DATABASE,
  PROP_CLOCK,
  PROP_STAGE_TIMEOUT,
  PROP_RTO,
  PROP_MAX_TRANSMISSIONS,
  PROP_RELIABLE_TIMEOUT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  DATA_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _DtTurnClient
{
  GObject              parent_instance;

  char                *host;
  guint16              port;
  DtTurnTransport      transport;
  GSocketFamily        family;
  guint                requested_family;
  char                *username;
  char                *password;
  GTlsDatabase        *tls_database;
  DtClock         *clock;
  guint                stage_timeout_ms;
  guint                rto_ms;
  guint                max_transmissions;
  guint                reliable_timeout_ms;

  /* Connection */
  gboolean             connecting;
  gboolean             connected;
  GInetSocketAddress  *server_address;
  GSocket             *socket;         /* UDP and DTLS */
  GDatagramBased      *datagram;       /* the socket, or the DTLS connection */
  GIOStream           *stream;         /* TCP connection, or TLS over it */
  GSource             *read_source;
  GCancellable        *io_cancellable;
  GByteArray          *stream_buffer;
  GQueue               write_queue;    /* GBytes */
  gboolean             writing;
  DtStunClient        *stun;

  /* Connect in progress */
  GTask               *connect_task;
  GCancellable        *connect_cancellable;
  gulong               connect_cancelled_id;
  guint                stage_timer;
  gboolean             stage_timed_out;

  /* RFC 8489 §9.2: long-term credentials */
  char                *realm;
  char                *nonce;
  GBytes              *key;

  /* Allocation */
  GInetSocketAddress  *relayed_address;
  GInetSocketAddress  *mapped_address;
  guint32              lifetime;
  GHashTable          *channels;       /* channel number → DtStunAddress */
  guint16              next_channel;

  gint64               stage_times[DT_TURN_N_STAGES];
  guint                last_error_code;
  char                *last_error_reason;
};

/* One TURN request as the application sees it; it may take several STUN
 * transactions (401 challenge, 438 stale nonce). */
typedef struct {
  guint16       method;
  gboolean      sent_credentials;
  guint         stale_retries;
  gboolean      has_lifetime;
  guint32       lifetime;
  DtStunAddress peer;
  guint16       channel;
} Operation;

/* I/O that may outlive the client */
typedef struct {
  GWeakRef  self;
  guint8    buffer[READ_CHUNK];
} ReadOp;

G_DEFINE_TYPE (DtTurnClient, dt_turn_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-turn-error-quark, dt_turn_error)

G_DEFINE_ENUM_TYPE (DtTurnTransport, dt_turn_transport,
                    G_DEFINE_ENUM_VALUE (DT_TURN_TRANSPORT_UDP, "udp"),
                    G_DEFINE_ENUM_VALUE (DT_TURN_TRANSPORT_TCP, "tcp"),
                    G_DEFINE_ENUM_VALUE (DT_TURN_TRANSPORT_TLS, "tls"),
                    G_DEFINE_ENUM_VALUE (DT_TURN_TRANSPORT_DTLS, "dtls"))

static void transport_close (DtTurnClient *self,
                             const GError *reason);
static void stream_read_next (DtTurnClient *self);
static void operation_send (GTask *task);

static gboolean
transport_is_datagram (DtTurnClient *self)
{
  return self->transport == DT_TURN_TRANSPORT_UDP || self->transport == DT_TURN_TRANSPORT_DTLS;
}

static char *
describe_server (DtTurnClient *self)
{
  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u over %s", self->host, self->port,
                            dt_turn_transport_to_string (self->transport));
  return g_strdup_printf ("%s:%u over %s", self->host, self->port,
                          dt_turn_transport_to_string (self->transport));
}

static void
mark_stage (DtTurnClient *self,
            DtTurnStage   stage)
{
  self->stage_times[stage] = g_get_monotonic_time ();
}

static GInetSocketAddress *
socket_address_from_stun (const DtStunAddress *address)
{
  return G_INET_SOCKET_ADDRESS (dt_stun_address_to_socket_address (address));
}

/* --- Errors ------------------------------------------------------------- */

static const char *
describe_certificate_errors (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return "signed by an unknown certificate authority";
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return "issued for another host name";
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return "not valid yet";
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return "expired";
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return "revoked";
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return "using an insecure algorithm";
  return "invalid";
}

/* RFC 8489 §14.8, RFC 8656 §19: what each ERROR-CODE means for the user */
static GError *
error_from_response (DtTurnClient *self,
                     guint         code,
                     const char   *reason,
                     guint16       method)
{
  g_autofree char *server = describe_server (self);
  const char *what;
  DtTurnError error_code;

  switch (code)
    {
    case 401:
      error_code = DT_TURN_ERROR_AUTH_FAILED;
      what = self->username != NULL
        ? "rejected the user name or password: check the TURN credentials"
        : "requires a user name and password";
      break;
    case 441:
      error_code = DT_TURN_ERROR_AUTH_FAILED;
      what = "rejected the credentials (they do not match the allocation): check the TURN "
             "user name and password";
      break;
    case 403:
      error_code = DT_TURN_ERROR_FORBIDDEN;
      what = "forbids this request (the peer address may be denied by its policy)";
      break;
    case 437:
      error_code = DT_TURN_ERROR_ALLOCATION_MISMATCH;
      what = method == DT_STUN_METHOD_ALLOCATE
        ? "already has an allocation for this connection"
        : "has no allocation for this connection (it may have expired)";
      break;
    case 440:
    case 443:
      error_code = DT_TURN_ERROR_FAMILY_NOT_SUPPORTED;
      what = "does not support the requested address family";
      break;
    case 442:
      error_code = DT_TURN_ERROR_UNSUPPORTED_TRANSPORT;
      what = "does not relay UDP";
      break;
    case 486:
      error_code = DT_TURN_ERROR_QUOTA;
      what = "refused the allocation: this user has reached its allocation quota";
      break;
    case 508:
      error_code = DT_TURN_ERROR_CAPACITY;
      what = "refused the allocation: it is out of relay capacity; try again later";
      break;
    default:
      error_code = DT_TURN_ERROR_SERVER;
      what = "answered with an error";
      break;
    }

  return g_error_new (DT_TURN_ERROR, error_code, "The TURN server %s %s (STUN error %u%s%s)",
                      server, what, code, reason && *reason ? " " : "", reason ? reason : "");
}

static GError *
error_from_stun_client (DtTurnClient *self,
                        const GError *error)
{
  g_autofree char *server = describe_server (self);

  if (g_error_matches (error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT))
    {
      guint tenths = (dt_stun_client_get_total_timeout (self->stun) + 50) / 100;

      return g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_TIMEOUT,
                          "The TURN server %s did not answer in %u.%u s. Check the address, "
                          "the port and the firewall", server, tenths / 10, tenths % 10);
    }
  if (error->domain == DT_TURN_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_CONNECT,
                        "The TURN server %s refused the connection: nothing listens on that "
                        "port", server);
  return g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_CLOSED,
                      "The connection to the TURN server %s failed: %s", server, error->message);
}

/* --- Sending ------------------------------------------------------------ */

static void
on_stream_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(DtTurnClient) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  g_weak_ref_clear (weak);
  g_free (weak);

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      self->stream == NULL || g_io_stream_get_output_stream (self->stream) != (gpointer) source)
    return;

  self->writing = FALSE;
  if (!ok)
    {
      transport_close (self, error);
      return;
    }
  g_bytes_unref (g_queue_pop_head (&self->write_queue));

  if (!g_queue_is_empty (&self->write_queue))
    {
      GBytes *next = g_queue_peek_head (&self->write_queue);
      GWeakRef *next_weak = g_new0 (GWeakRef, 1);
      gsize length;
      const guint8 *data = g_bytes_get_data (next, &length);

      g_weak_ref_init (next_weak, self);
      self->writing = TRUE;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, length,
                                       G_PRIORITY_DEFAULT, self->io_cancellable,
                                       on_stream_written, next_weak);
    }
}

static gboolean
transport_send (DtTurnClient  *self,
                GBytes        *packet,
                GError       **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (packet, &length);

  if (!self->connected)
    {
      g_set_error_literal (error, DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY,
                           "Not connected to the TURN server");
      return FALSE;
    }

  if (self->datagram != NULL)
    {
      GOutputVector vector = { data, length };
      GOutputMessage message = { NULL, &vector, 1, 0, NULL, 0 };
      g_autoptr(GError) local_error = NULL;

      /* Timeout 0: never block. A datagram that does not fit the socket
       * buffer now is lost like any other; retransmission covers it. */
      if (g_datagram_based_send_messages (self->datagram, &message, 1, 0, 0, NULL,
                                          &local_error) < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      return TRUE;
    }

  g_queue_push_tail (&self->write_queue, g_bytes_ref (packet));
  if (!self->writing)
    {
      GWeakRef *weak = g_new0 (GWeakRef, 1);

      g_weak_ref_init (weak, self);
      self->writing = TRUE;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, length,
                                       G_PRIORITY_DEFAULT, self->io_cancellable,
                                       on_stream_written, weak);
    }
  return TRUE;
}

static gboolean
stun_send_func (DtStunClient  *client,
                GBytes        *packet,
                gpointer       user_data,
                GError       **error)
{
  return transport_send (DT_TURN_CLIENT (user_data), packet, error);
}

/* --- Receiving ---------------------------------------------------------- */

static void
emit_data (DtTurnClient        *self,
           const DtStunAddress *peer,
           const guint8        *data,
           gsize                length,
           guint16              channel)
{
  g_autoptr(GInetSocketAddress) address = socket_address_from_stun (peer);
  g_autoptr(GBytes) bytes = g_bytes_new (data, length);

  g_signal_emit (self, signals[DATA_RECEIVED], 0, address, bytes, (guint) channel);
}

static void
handle_stun (DtTurnClient *self,
             const guint8 *data,
             gsize         length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = dt_stun_message_decode (data, length, &error);
  DtStunAddress peer;
  const guint8 *payload;
  gsize payload_length;

  if (message == NULL)
    {
      g_debug ("Dropping a STUN message from the server: %s", error->message);
      return;
    }

  if (dt_stun_client_handle_message (self->stun, message))
    return;

  /* RFC 8656 §11.6: a Data indication carries XOR-PEER-ADDRESS and DATA */
  if (dt_stun_message_get_class (message) == DT_STUN_CLASS_INDICATION &&
      dt_stun_message_get_method (message) == DT_STUN_METHOD_DATA)
    {
      payload = dt_stun_message_get_attribute (message, DT_STUN_ATTR_DATA, &payload_length);
      if (payload == NULL ||
          !dt_stun_message_get_address (message, DT_STUN_ATTR_XOR_PEER_ADDRESS, &peer, NULL))
        {
          g_debug ("Dropping a Data indication without DATA or XOR-PEER-ADDRESS");
          return;
        }
      emit_data (self, &peer, payload, payload_length, 0);
      return;
    }

  g_debug ("Dropping an unexpected STUN message (type 0x%04x)",
           dt_stun_message_get_message_type (message));
}

static void
handle_channel_data (DtTurnClient *self,
                     const guint8 *data,
                     gsize         length)
{
  g_autoptr(GError) error = NULL;
  guint16 channel;
  const guint8 *payload;
  gsize payload_length;
  gsize consumed;
  const DtStunAddress *peer;

  if (!dt_stun_channel_data_parse (data, length, !transport_is_datagram (self), &channel,
                                   &payload, &payload_length, &consumed, &error))
    {
      g_debug ("Dropping ChannelData: %s", error->message);
      return;
    }

  /* RFC 8656 §12.6: data on a channel that is not bound is discarded */
  peer = g_hash_table_lookup (self->channels, GUINT_TO_POINTER (channel));
  if (peer == NULL)
    {
      g_debug ("Dropping ChannelData on unbound channel 0x%04x", channel);
      return;
    }
  emit_data (self, peer, payload, payload_length, channel);
}

static void
handle_packet (DtTurnClient *self,
               const guint8 *data,
               gsize         length)
{
  switch (dt_stun_classify_packet (data, length))
    {
    case DT_STUN_PACKET_STUN:
      handle_stun (self, data, length);
      break;
    case DT_STUN_PACKET_CHANNEL_DATA:
      handle_channel_data (self, data, length);
      break;
    case DT_STUN_PACKET_OTHER:
    default:
      g_debug ("Dropping %" G_GSIZE_FORMAT " bytes that are neither STUN nor ChannelData",
               length);
      break;
    }
}

static gboolean
on_datagram_readable (GDatagramBased *datagram,
                      GIOCondition    condition,
                      gpointer        user_data)
{
  /* A callback may drop the last other reference on the way. */
  g_autoptr(DtTurnClient) self = g_object_ref (user_data);
  g_autofree guint8 *buffer = g_malloc (MAX_DATAGRAM);

  /* Drain what is queued; a callback may close the client on the way. */
  while (self->datagram == datagram)
    {
      GInputVector vector = { buffer, MAX_DATAGRAM };
      GInputMessage message = { NULL, &vector, 1, 0, 0, NULL, NULL };
      g_autoptr(GError) error = NULL;
      gint n;

      n = g_datagram_based_receive_messages (datagram, &message, 1, 0, 0, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      if (n <= 0)
        {
          /* No message and no error means the end of the connection; don't spin */
          if (error == NULL)
            error = g_error_new_literal (DT_TURN_ERROR, DT_TURN_ERROR_CLOSED,
                                         "The TURN server closed the connection");
          transport_close (self, error);
          return G_SOURCE_REMOVE;
        }
      handle_packet (self, buffer, message.bytes_received);
    }

  return G_SOURCE_REMOVE;
}

static void
stream_consume (DtTurnClient *self)
{
  while (self->stream_buffer != NULL && self->stream_buffer->len >= 4)
    {
      g_autoptr(GError) error = NULL;
      gsize frame = dt_stun_stream_frame_length (self->stream_buffer->data,
                                                 self->stream_buffer->len, &error);
      g_autofree guint8 *copy = NULL;

      if (frame == 0)
        {
          transport_close (self, error);
          return;
        }
      if (frame > self->stream_buffer->len)
        return;

      copy = g_memdup2 (self->stream_buffer->data, frame);
      g_byte_array_remove_range (self->stream_buffer, 0, frame);
      handle_packet (self, copy, frame);
    }
}

static void
on_stream_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ReadOp *op = user_data;
  g_autoptr(DtTurnClient) self = g_weak_ref_get (&op->self);
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  /* Only the current connection's reads count: a reconnect starts afresh */
  if (self != NULL &&
      (self->stream == NULL || g_io_stream_get_input_stream (self->stream) != (gpointer) source))
    g_clear_object (&self);

  if (self != NULL && n > 0)
    {
      g_byte_array_append (self->stream_buffer, op->buffer, n);
      stream_consume (self);
      if (self->stream != NULL)
        stream_read_next (self);
    }
  else if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autoptr(GError) closed = NULL;

      if (error == NULL)
        closed = g_error_new_literal (DT_TURN_ERROR, DT_TURN_ERROR_CLOSED,
                                      "The TURN server closed the connection");
      transport_close (self, error != NULL ? error : closed);
    }

  g_weak_ref_clear (&op->self);
  g_free (op);
}

static void
stream_read_next (DtTurnClient *self)
{
  ReadOp *op = g_new0 (ReadOp, 1);

  g_weak_ref_init (&op->self, self);
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), op->buffer,
                             sizeof op->buffer, G_PRIORITY_DEFAULT, self->io_cancellable,
                             on_stream_read, op);
}

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

static void
on_dtls_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GSocket *socket = user_data;

  g_dtls_connection_close_finish (G_DTLS_CONNECTION (source), result, NULL);
  g_socket_close (socket, NULL);
  g_object_unref (socket);
}

/* Stops all I/O and fails pending requests with @reason. */
static void
transport_close (DtTurnClient *self,
                 const GError *reason)
{
  g_autoptr(GError) turn_error = NULL;
  gboolean was_connected = self->connected;

  self->connected = FALSE;
  g_cancellable_cancel (self->io_cancellable);
  g_clear_object (&self->io_cancellable);
  self->io_cancellable = g_cancellable_new ();

  if (self->read_source != NULL)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }

  if (G_IS_DTLS_CONNECTION (self->datagram))
    {
      /* The close_notify goes out without waiting for an answer. */
      g_dtls_connection_close_async (G_DTLS_CONNECTION (self->datagram), G_PRIORITY_DEFAULT,
                                     NULL, on_dtls_closed, g_object_ref (self->socket));
    }
  else if (self->socket != NULL)
    {
      g_socket_close (self->socket, NULL);
    }
  g_clear_object (&self->datagram);
  g_clear_object (&self->socket);

  if (self->stream != NULL)
    g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, on_stream_closed, NULL);
  g_clear_object (&self->stream);
  g_clear_pointer (&self->stream_buffer, g_byte_array_unref);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
  self->writing = FALSE;

  if (reason != NULL && was_connected)
    {
      g_autofree char *server = describe_server (self);

      g_debug ("Connection to %s closed: %s", server, reason->message);
      turn_error = error_from_stun_client (self, reason);
    }
  if (self->stun != NULL)
    dt_stun_client_close (self->stun, turn_error);
}

static void
transport_start (DtTurnClient *self)
{
  self->connected = TRUE;
  dt_stun_client_set_send_func (self->stun, stun_send_func, self, NULL);

  if (self->datagram != NULL)
    {
      self->read_source = g_datagram_based_create_source (self->datagram, G_IO_IN,
                                                          self->io_cancellable);
      g_source_set_callback (self->read_source,
                             (GSourceFunc) (void (*) (void)) on_datagram_readable, self, NULL);
      g_source_set_static_name (self->read_source, "[dialtone] turn read");
      g_source_attach (self->read_source, g_main_context_get_thread_default ());
    }
  else
    {
      self->stream_buffer = g_byte_array_new ();
      stream_read_next (self);
    }
}

/* --- Connecting --------------------------------------------------------- */

static void
connect_stop_timer (DtTurnClient *self)
{
  if (self->stage_timer != 0)
    dt_clock_remove (self->clock, self->stage_timer);
  self->stage_timer = 0;
}

static void
on_stage_timeout (gpointer user_data)
{
  DtTurnClient *self = user_data;

  self->stage_timer = 0;
  self->stage_timed_out = TRUE;
  g_cancellable_cancel (self->connect_cancellable);
}

/* Every stage gets its own budget, so a slow resolver does not eat the
 * handshake's. */
static void
connect_wait_for (DtTurnClient *self,
                  DtTurnStage   stage)
{
  connect_stop_timer (self);
  self->stage_timer = dt_clock_add (self->clock, self->stage_timeout_ms, on_stage_timeout,
                                         self);
}

static void
connect_complete (DtTurnClient *self,
                  GError       *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  connect_stop_timer (self);
  if (self->connect_cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), self->connect_cancelled_id);
  self->connect_cancelled_id = 0;
  g_clear_object (&self->connect_cancellable);
  self->connecting = FALSE;

  if (error != NULL)
    {
      transport_close (self, NULL);
      g_task_return_error (task, error);
      return;
    }

  transport_start (self);
  g_task_return_boolean (task, TRUE);
}

/* Turns the error of a stage into what the user should read. */
static GError *
connect_error (DtTurnClient *self,
               GError       *error,
               const char   *doing)
{
  g_autofree char *server = describe_server (self);
  g_autoptr(GError) owned = error;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->stage_timed_out)
    return g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_TIMEOUT,
                        "The TURN server %s did not answer within %u s while %s. Check the "
                        "address, the port and the firewall", server,
                        (self->stage_timeout_ms + 999) / 1000, doing);
  if (error->domain == DT_TURN_ERROR || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_steal_pointer (&owned);
  return g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_CONNECT,
                      "Could not connect to the TURN server %s: %s", server, error->message);
}

static void
on_handshake_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  DtTurnClient *self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (G_IS_DTLS_CONNECTION (source))
    ok = g_dtls_connection_handshake_finish (G_DTLS_CONNECTION (source), result, &error);
  else
    ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (!ok)
    {
      GTlsCertificateFlags flags = 0;
      g_autofree char *server = describe_server (self);

      g_object_get (source, "peer-certificate-errors", &flags, NULL);
      if (flags != 0 || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        connect_complete (self,
                          g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_TLS_UNTRUSTED,
                                       "TLS certificate not trusted: the TURN server %s "
                                       "presented one %s. Check the server's certificate "
                                       "chain, or give Dialtone the CA that signed it", server,
                                       describe_certificate_errors (flags)));
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_complete (self, connect_error (self, g_steal_pointer (&error),
                                               "negotiating TLS"));
      else
        connect_complete (self,
                          g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_TLS_FAILED,
                                       "The %s handshake with the TURN server %s failed: %s",
                                       self->transport == DT_TURN_TRANSPORT_DTLS ? "DTLS" : "TLS",
                                       server, error->message));
      return;
    }

  mark_stage (self, DT_TURN_STAGE_HANDSHAKEN);
  connect_complete (self, NULL);
}

static GSocketConnectable *
server_identity (DtTurnClient *self)
{
  /* RFC 7350 §4 / RFC 6125: the identity is the host name the user gave. */
  return g_network_address_new (self->host, self->port);
}

static void
start_tls (DtTurnClient *self)
{
  g_autoptr(GSocketConnectable) identity = server_identity (self);
  g_autoptr(GError) error = NULL;
  GObject *tls;

  if (self->transport == DT_TURN_TRANSPORT_DTLS)
    tls = G_OBJECT (g_dtls_client_connection_new (self->datagram, identity, &error));
  else
    tls = G_OBJECT (g_tls_client_connection_new (self->stream, identity, &error));

  if (tls == NULL)
    {
      connect_complete (self, g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_TLS_FAILED,
                                           "TLS is not available (%s); install "
                                           "glib-networking", error->message));
      return;
    }

  if (self->tls_database != NULL)
    g_object_set (tls, "database", self->tls_database, NULL);

  connect_wait_for (self, DT_TURN_STAGE_HANDSHAKEN);
  if (self->transport == DT_TURN_TRANSPORT_DTLS)
    {
      g_set_object (&self->datagram, G_DATAGRAM_BASED (tls));
      g_dtls_connection_handshake_async (G_DTLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                         self->connect_cancellable, on_handshake_done, self);
    }
  else
    {
      g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
      g_set_object (&self->stream, G_IO_STREAM (tls));
      g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                        self->connect_cancellable, on_handshake_done, self);
    }
  g_object_unref (tls);
}

static void
on_tcp_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DtTurnClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      connect_complete (self, connect_error (self, g_steal_pointer (&error), "connecting"));
      return;
    }

  mark_stage (self, DT_TURN_STAGE_CONNECTED);
  self->stream = G_IO_STREAM (g_steal_pointer (&connection));

  if (self->transport == DT_TURN_TRANSPORT_TLS)
    start_tls (self);
  else
    connect_complete (self, NULL);
}

static void
connect_to (DtTurnClient *self,
            GInetAddress *address)
{
  g_autoptr(GError) error = NULL;

  self->server_address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, self->port));

  if (transport_is_datagram (self))
    {
      g_autoptr(GInetAddress) any = g_inet_address_new_any (g_inet_address_get_family (address));
      g_autoptr(GSocketAddress) local = g_inet_socket_address_new (any, 0);

      self->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                                   G_SOCKET_PROTOCOL_UDP, &error);
      if (self->socket == NULL ||
          !g_socket_bind (self->socket, local, FALSE, &error) ||
          !g_socket_connect (self->socket, G_SOCKET_ADDRESS (self->server_address), NULL, &error))
        {
          connect_complete (self, connect_error (self, g_steal_pointer (&error), "connecting"));
          return;
        }
      g_socket_set_blocking (self->socket, FALSE);
      mark_stage (self, DT_TURN_STAGE_CONNECTED);
      self->datagram = G_DATAGRAM_BASED (g_object_ref (self->socket));

      if (self->transport == DT_TURN_TRANSPORT_DTLS)
        start_tls (self);
      else
        connect_complete (self, NULL);
      return;
    }

  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();

    /* A TURN server is reached directly: an HTTP or SOCKS proxy in the
     * desktop's settings would test the proxy, not the server. */
    g_socket_client_set_enable_proxy (client, FALSE);
    connect_wait_for (self, DT_TURN_STAGE_CONNECTED);
    g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (self->server_address),
                                   self->connect_cancellable, on_tcp_connected, self);
  }
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  DtTurnClient *self = user_data;
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          connect_complete (self, connect_error (self, g_steal_pointer (&error),
                                                 "resolving its name"));
        }
      else
        {
          g_autofree char *server = describe_server (self);

          connect_complete (self, g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_RESOLVE,
                                               "Could not find the TURN server %s: %s", server,
                                               error->message));
        }
      return;
    }

  mark_stage (self, DT_TURN_STAGE_RESOLVED);
  connect_stop_timer (self);
  connect_to (self, addresses->data);
  g_resolver_free_addresses (addresses);
}

static void
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  GCancellable *inner = user_data;

  g_cancellable_cancel (inner);
}

/* --- Requests ----------------------------------------------------------- */

static GBytes *
operation_build (DtTurnClient  *self,
                 Operation     *op,
                 GBytes       **key,
                 GError       **error)
{
  g_autoptr(DtStunBuilder) builder = dt_stun_builder_new (op->method, DT_STUN_CLASS_REQUEST,
                                                          NULL);

  *key = NULL;

  switch (op->method)
    {
    case DT_STUN_METHOD_ALLOCATE:
      /* RFC 8656 §7.1: UDP relay; RFC 8656 §7.1 / RFC 6156: the family */
      if (!dt_stun_builder_add_requested_transport (builder, DT_STUN_TRANSPORT_UDP, error))
        return NULL;
      if (self->requested_family != 0 &&
          !dt_stun_builder_add_family (builder, DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
                                       self->requested_family, error))
        return NULL;
      break;
    case DT_STUN_METHOD_CREATE_PERMISSION:
      if (!dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_PEER_ADDRESS, &op->peer, error))
        return NULL;
      break;
    case DT_STUN_METHOD_CHANNEL_BIND:
      if (!dt_stun_builder_add_channel_number (builder, op->channel, error) ||
          !dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_PEER_ADDRESS, &op->peer, error))
        return NULL;
      break;
    case DT_STUN_METHOD_REFRESH:
    case DT_STUN_METHOD_BINDING:
    default:
      break;
    }

  if (op->has_lifetime &&
      !dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_LIFETIME, op->lifetime, error))
    return NULL;

  /* RFC 8489 §9.2.4: once challenged, every request carries the
   * credentials. Binding stays anonymous: STUN servers answer it freely. */
  if (self->key != NULL && op->method != DT_STUN_METHOD_BINDING)
    {
      if (!dt_stun_builder_add_string (builder, DT_STUN_ATTR_USERNAME, self->username, error) ||
          !dt_stun_builder_add_string (builder, DT_STUN_ATTR_REALM, self->realm, error) ||
          !dt_stun_builder_add_string (builder, DT_STUN_ATTR_NONCE, self->nonce, error) ||
          !dt_stun_builder_add_message_integrity (builder, self->key, error))
        return NULL;
      *key = g_bytes_ref (self->key);
      op->sent_credentials = TRUE;
    }
  else
    {
      op->sent_credentials = FALSE;
    }

  if (!dt_stun_builder_add_fingerprint (builder, error))
    {
      g_clear_pointer (key, g_bytes_unref);
      return NULL;
    }

  return dt_stun_builder_end (builder);
}

/* RFC 8489 §9.2.3: the key is MD5(username ":" realm ":" password). */
static gboolean
take_challenge (DtTurnClient         *self,
                const DtStunMessage  *response,
                GError              **error)
{
  g_autofree char *realm = dt_stun_message_get_string (response, DT_STUN_ATTR_REALM, NULL);
  g_autofree char *nonce = dt_stun_message_get_string (response, DT_STUN_ATTR_NONCE, NULL);
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) local_error = NULL;

  if (nonce == NULL)
    {
      g_set_error_literal (error, DT_TURN_ERROR, DT_TURN_ERROR_PROTOCOL,
                           "The TURN server's challenge carries no NONCE");
      return FALSE;
    }
  if (realm == NULL && self->realm == NULL)
    {
      g_set_error_literal (error, DT_TURN_ERROR, DT_TURN_ERROR_PROTOCOL,
                           "The TURN server's challenge carries no REALM");
      return FALSE;
    }
  if (realm == NULL)
    realm = g_strdup (self->realm);

  key = dt_stun_long_term_key (self->username, realm, self->password,
                               DT_STUN_PASSWORD_ALGORITHM_MD5, &local_error);
  if (key == NULL)
    {
      g_set_error (error, DT_TURN_ERROR, DT_TURN_ERROR_AUTH_FAILED,
                   "The TURN user name or password cannot be used: %s", local_error->message);
      return FALSE;
    }

  g_free (self->realm);
  self->realm = g_steal_pointer (&realm);
  g_free (self->nonce);
  self->nonce = g_steal_pointer (&nonce);
  g_clear_pointer (&self->key, g_bytes_unref);
  self->key = g_steal_pointer (&key);
  return TRUE;
}

static void
set_last_error (DtTurnClient *self,
                guint         code,
                const char   *reason)
{
  self->last_error_code = code;
  g_free (self->last_error_reason);
  self->last_error_reason = g_strdup (reason);
}

static gboolean
apply_success (DtTurnClient         *self,
               Operation            *op,
               const DtStunMessage  *response,
               GError              **error)
{
  DtStunAddress address;
  guint32 lifetime;

  switch (op->method)
    {
    case DT_STUN_METHOD_BINDING:
      if (!dt_stun_message_get_address (response, DT_STUN_ATTR_XOR_MAPPED_ADDRESS, &address,
                                        NULL) &&
          !dt_stun_message_get_address (response, DT_STUN_ATTR_MAPPED_ADDRESS, &address, NULL))
        {
          g_set_error_literal (error, DT_TURN_ERROR, DT_TURN_ERROR_PROTOCOL,
                               "The STUN server's Binding response has no mapped address");
          return FALSE;
        }
      g_clear_object (&self->mapped_address);
      self->mapped_address = socket_address_from_stun (&address);
      return TRUE;

    case DT_STUN_METHOD_ALLOCATE:
      /* RFC 8656 §7.3 */
      if (!dt_stun_message_get_address (response, DT_STUN_ATTR_XOR_RELAYED_ADDRESS, &address,
                                        NULL))
        {
          g_set_error_literal (error, DT_TURN_ERROR, DT_TURN_ERROR_PROTOCOL,
                               "The TURN server's Allocate response has no XOR-RELAYED-ADDRESS");
          return FALSE;
        }
      g_clear_object (&self->relayed_address);
      self->relayed_address = socket_address_from_stun (&address);
      if (dt_stun_message_get_address (response, DT_STUN_ATTR_XOR_MAPPED_ADDRESS, &address, NULL))
        {
          g_clear_object (&self->mapped_address);
          self->mapped_address = socket_address_from_stun (&address);
        }
      if (dt_stun_message_get_uint32 (response, DT_STUN_ATTR_LIFETIME, &lifetime, NULL))
        self->lifetime = lifetime;
      mark_stage (self, DT_TURN_STAGE_ALLOCATED);
      return TRUE;

    case DT_STUN_METHOD_REFRESH:
      if (dt_stun_message_get_uint32 (response, DT_STUN_ATTR_LIFETIME, &lifetime, NULL))
        self->lifetime = lifetime;
      else if (op->has_lifetime)
        self->lifetime = op->lifetime;
      if (self->lifetime == 0)
        {
          /* RFC 8656 §8: the allocation is gone, and its channels with it */
          g_clear_object (&self->relayed_address);
          g_hash_table_remove_all (self->channels);
        }
      return TRUE;

    case DT_STUN_METHOD_CHANNEL_BIND:
      g_hash_table_insert (self->channels, GUINT_TO_POINTER (op->channel),
                           g_memdup2 (&op->peer, sizeof op->peer));
      return TRUE;

    case DT_STUN_METHOD_CREATE_PERMISSION:
    default:
      return TRUE;
    }
}

static void
on_operation_response (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DtTurnClient *self = g_task_get_source_object (task);
  Operation *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) response = NULL;
  g_autofree char *reason = NULL;
  guint code = 0;

  response = dt_stun_client_request_finish (DT_STUN_CLIENT (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error_from_stun_client (self, error));
      return;
    }

  if (dt_stun_message_get_class (response) == DT_STUN_CLASS_SUCCESS)
    {
      set_last_error (self, 0, NULL);
      if (!apply_success (self, op, response, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  if (!dt_stun_message_get_error_code (response, &code, &reason, &error))
    {
      g_task_return_new_error (task, DT_TURN_ERROR, DT_TURN_ERROR_PROTOCOL,
                               "The TURN server sent an error response without a valid "
                               "ERROR-CODE: %s", error->message);
      return;
    }
  set_last_error (self, code, reason);

  /* RFC 8489 §9.2.5: a first 401 is the challenge; answer it once. */
  if (code == 401 && !op->sent_credentials && self->username != NULL &&
      self->password != NULL && op->method != DT_STUN_METHOD_BINDING)
    {
      if (!take_challenge (self, response, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      operation_send (g_steal_pointer (&task));
      return;
    }

  /* RFC 8489 §9.2.5: 438 Stale Nonce: retry with the new NONCE */
  if (code == 438 && self->username != NULL && self->password != NULL &&
      op->stale_retries < MAX_STALE_RETRIES)
    {
      op->stale_retries++;
      if (!take_challenge (self, response, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      operation_send (g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, error_from_response (self, code, reason, op->method));
}

static void
operation_send (GTask *task)
{
  DtTurnClient *self = g_task_get_source_object (task);
  Operation *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) request = NULL;

  request = operation_build (self, op, &key, &error);
  if (request == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  dt_stun_client_request_async (self->stun, request, key, g_task_get_cancellable (task),
                                on_operation_response, task);
}

static void
operation_start (DtTurnClient        *self,
                 Operation           *op,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, g_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!self->connected)
    {
      g_task_return_new_error (task, DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY,
                               "Not connected to the TURN server");
      return;
    }

  if (op->method != DT_STUN_METHOD_BINDING && op->method != DT_STUN_METHOD_ALLOCATE &&
      self->relayed_address == NULL)
    {
      g_task_return_new_error (task, DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY,
                               "There is no TURN allocation yet");
      return;
    }

  operation_send (g_steal_pointer (&task));
}

static gboolean
operation_finish (DtTurnClient  *self,
                  GAsyncResult  *result,
                  gpointer       source_tag,
                  GError       **error)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
peer_from_socket_address (DtStunAddress       *peer,
                          GInetSocketAddress  *address,
                          GError             **error)
{
  if (!dt_stun_address_from_socket_address (peer, address))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "The peer address is neither IPv4 nor IPv6");
      return FALSE;
    }
  return TRUE;
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_turn_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtTurnClient *self = DT_TURN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_FAMILY:
      g_value_set_enum (value, self->family);
      break;
    case PROP_REQUESTED_FAMILY:
      g_value_set_uint (value, self->requested_family);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_CLOCK:
      g_value_set_boxed (value, self->clock);
      break;
    case PROP_STAGE_TIMEOUT:
      g_value_set_uint (value, self->stage_timeout_ms);
      break;
    case PROP_RTO:
      g_value_set_uint (value, self->rto_ms);
      break;
    case PROP_MAX_TRANSMISSIONS:
      g_value_set_uint (value, self->max_transmissions);
      break;
    case PROP_RELIABLE_TIMEOUT:
      g_value_set_uint (value, self->reliable_timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (DtTurnClient *self,
               guint        *field,
               guint         value,
               guint         prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
dt_turn_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtTurnClient *self = DT_TURN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_HOST:
      g_free (self->host);
      self->host = g_value_dup_string (value);
      break;
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;
    case PROP_TRANSPORT:
      self->transport = g_value_get_enum (value);
      break;
    case PROP_FAMILY:
      if (self->family != (GSocketFamily) g_value_get_enum (value))
        {
          self->family = g_value_get_enum (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_REQUESTED_FAMILY:
      set_uint_prop (self, &self->requested_family, g_value_get_uint (value), prop_id);
      break;
    case PROP_USERNAME:
      if (g_strcmp0 (self->username, g_value_get_string (value)) != 0)
        {
          g_free (self->username);
          self->username = g_value_dup_string (value);
          g_clear_pointer (&self->key, g_bytes_unref);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_PASSWORD:
      if (g_strcmp0 (self->password, g_value_get_string (value)) != 0)
        {
          g_free (self->password);
          self->password = g_value_dup_string (value);
          g_clear_pointer (&self->key, g_bytes_unref);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TLS_DATABASE:
      if (g_set_object (&self->tls_database, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_CLOCK:
      g_clear_pointer (&self->clock, dt_clock_unref);
      self->clock = g_value_dup_boxed (value);
      break;
    case PROP_STAGE_TIMEOUT:
      set_uint_prop (self, &self->stage_timeout_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_RTO:
      set_uint_prop (self, &self->rto_ms, g_value_get_uint (value), prop_id);
      dt_stun_client_set_rto (self->stun, self->rto_ms);
      break;
    case PROP_MAX_TRANSMISSIONS:
      set_uint_prop (self, &self->max_transmissions, g_value_get_uint (value), prop_id);
      dt_stun_client_set_max_transmissions (self->stun, self->max_transmissions);
      break;
    case PROP_RELIABLE_TIMEOUT:
      set_uint_prop (self, &self->reliable_timeout_ms, g_value_get_uint (value), prop_id);
      dt_stun_client_set_reliable_timeout (self->stun, self->reliable_timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_turn_client_constructed (GObject *object)
{
  DtTurnClient *self = DT_TURN_CLIENT (object);

  G_OBJECT_CLASS (dt_turn_client_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = dt_clock_new_system ();
  /* DTLS records keep UDP's loss, so DTLS retransmits like UDP. */
  self->stun = dt_stun_client_new (!transport_is_datagram (self), self->clock);
  dt_stun_client_set_rto (self->stun, self->rto_ms);
  dt_stun_client_set_max_transmissions (self->stun, self->max_transmissions);
  dt_stun_client_set_reliable_timeout (self->stun, self->reliable_timeout_ms);
}

static void
dt_turn_client_dispose (GObject *object)
{
  DtTurnClient *self = DT_TURN_CLIENT (object);

  transport_close (self, NULL);
  g_clear_object (&self->stun);

  G_OBJECT_CLASS (dt_turn_client_parent_class)->dispose (object);
}

static void
dt_turn_client_finalize (GObject *object)
{
  DtTurnClient *self = DT_TURN_CLIENT (object);

  g_free (self->host);
  g_free (self->username);
  g_free (self->password);
  g_clear_object (&self->tls_database);
  g_clear_pointer (&self->clock, dt_clock_unref);
  g_clear_object (&self->server_address);
  g_clear_object (&self->io_cancellable);
  g_free (self->realm);
  g_free (self->nonce);
  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_object (&self->relayed_address);
  g_clear_object (&self->mapped_address);
  g_hash_table_unref (self->channels);
  g_free (self->last_error_reason);

  G_OBJECT_CLASS (dt_turn_client_parent_class)->finalize (object);
}

static void
dt_turn_client_class_init (DtTurnClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_turn_client_get_property;
  object_class->set_property = dt_turn_client_set_property;
  object_class->constructed = dt_turn_client_constructed;
  object_class->dispose = dt_turn_client_dispose;
  object_class->finalize = dt_turn_client_finalize;

  /**
   * DtTurnClient:host:
   *
   * The server's host name or IP literal; also the TLS server identity.
   */
  props[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:port:
   *
   * The server's port.
   */
  props[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 1, G_MAXUINT16, 3478,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:transport:
   *
   * How the client reaches the server.
   */
  props[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, DT_TYPE_TURN_TRANSPORT, DT_TURN_TRANSPORT_UDP,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                       G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:family:
   *
   * Which address family to reach the server over; %G_SOCKET_FAMILY_INVALID
   * takes the resolver's first answer.
   */
  props[PROP_FAMILY] =
    g_param_spec_enum ("family", NULL, NULL, G_TYPE_SOCKET_FAMILY, G_SOCKET_FAMILY_INVALID,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:requested-family:
   *
   * The REQUESTED-ADDRESS-FAMILY to put in Allocate (RFC 8656 §18.6):
   * %DT_STUN_FAMILY_IPV4, %DT_STUN_FAMILY_IPV6, or 0 to leave it out, which
   * servers take as IPv4.
   */
  props[PROP_REQUESTED_FAMILY] =
    g_param_spec_uint ("requested-family", NULL, NULL, 0, DT_STUN_FAMILY_IPV6, 0,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:username:
   *
   * The long-term credential user name.
   */
  props[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:password:
   *
   * The long-term credential password.
   */
  props[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:tls-database:
   *
   * Trust anchors for TLS and DTLS; %NULL for the system's.
   */
  props[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:clock:
   *
   * Where timers run; the system clock when not given.
   */
  props[PROP_CLOCK] =
    g_param_spec_boxed ("clock", NULL, NULL, DT_TYPE_CLOCK,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:stage-timeout:
   *
   * How long resolving, connecting and the TLS handshake may each take, in
   * milliseconds.
   */
  props[PROP_STAGE_TIMEOUT] =
    g_param_spec_uint ("stage-timeout", NULL, NULL, 1, 600000, DEFAULT_STAGE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:rto:
   *
   * The initial STUN retransmission timeout over UDP and DTLS, in ms.
   */
  props[PROP_RTO] =
    g_param_spec_uint ("rto", NULL, NULL, 1, 60000, DT_STUN_CLIENT_DEFAULT_RTO_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:max-transmissions:
   *
   * Rc, how many times a request goes out over UDP and DTLS.
   */
  props[PROP_MAX_TRANSMISSIONS] =
    g_param_spec_uint ("max-transmissions", NULL, NULL, 1, 20,
                       DT_STUN_CLIENT_DEFAULT_MAX_TRANSMISSIONS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtTurnClient:reliable-timeout:
   *
   * Over TCP and TLS, how long a request waits for its response, in ms.
   */
  props[PROP_RELIABLE_TIMEOUT] =
    g_param_spec_uint ("reliable-timeout", NULL, NULL, 1, 600000,
                       DT_STUN_CLIENT_DEFAULT_RELIABLE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtTurnClient::data-received:
   * @self: the client
   * @peer: the peer the server relayed from
   * @data: the bytes
   * @channel: the channel they came on, or 0 for a Data indication
   *
   * The server relayed data from a peer (RFC 8656 §11.6, §12.6).
   */
  signals[DATA_RECEIVED] =
    g_signal_new ("data-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_INET_SOCKET_ADDRESS, G_TYPE_BYTES, G_TYPE_UINT);
}

static void
dt_turn_client_init (DtTurnClient *self)
{
  self->port = 3478;
  self->family = G_SOCKET_FAMILY_INVALID;
  self->stage_timeout_ms = DEFAULT_STAGE_TIMEOUT_MS;
  self->rto_ms = DT_STUN_CLIENT_DEFAULT_RTO_MS;
  self->max_transmissions = DT_STUN_CLIENT_DEFAULT_MAX_TRANSMISSIONS;
  self->reliable_timeout_ms = DT_STUN_CLIENT_DEFAULT_RELIABLE_TIMEOUT_MS;
  self->io_cancellable = g_cancellable_new ();
  self->channels = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->next_channel = DT_STUN_CHANNEL_MIN;
  g_queue_init (&self->write_queue);
}

/* --- Public API --------------------------------------------------------- */

/**
 * dt_turn_transport_to_string:
 * @transport: a transport
 *
 * Returns: "UDP", "TCP", "TLS" or "DTLS"
 */
const char *
dt_turn_transport_to_string (DtTurnTransport transport)
{
  switch (transport)
    {
    case DT_TURN_TRANSPORT_UDP:
      return "UDP";
    case DT_TURN_TRANSPORT_TCP:
      return "TCP";
    case DT_TURN_TRANSPORT_TLS:
      return "TLS";
    case DT_TURN_TRANSPORT_DTLS:
      return "DTLS";
    default:
      return "unknown";
    }
}

/**
 * dt_turn_client_new:
 * @host: the server's host name or IP literal (no brackets)
 * @port: its port
 * @transport: how to reach it
 *
 * Returns: (transfer full): a client, not connected yet
 */
DtTurnClient *
dt_turn_client_new (const char      *host,
                    guint16          port,
                    DtTurnTransport  transport)
{
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (port > 0, NULL);

  return g_object_new (DT_TYPE_TURN_CLIENT, "host", host, "port", (guint) port,
                       "transport", transport, NULL);
}

/**
 * dt_turn_client_set_credentials:
 * @self: a client
 * @username: (nullable): the long-term user name
 * @password: (nullable): its password
 *
 * Sets the credentials used to answer the server's 401 challenge.
 */
void
dt_turn_client_set_credentials (DtTurnClient *self,
                                const char   *username,
                                const char   *password)
{
  g_return_if_fail (DT_IS_TURN_CLIENT (self));

  g_object_set (self, "username", username, "password", password, NULL);
}

/**
 * dt_turn_client_set_ca_file:
 * @self: a client
 * @path: a PEM file of trusted certificate authorities
 * @error: return location for a #GError
 *
 * Trusts the authorities in @path, instead of the system's, for TLS and
 * DTLS; the same as setting #DtTurnClient:tls-database.
 *
 * Returns: whether @path could be loaded
 */
gboolean
dt_turn_client_set_ca_file (DtTurnClient  *self,
                            const char    *path,
                            GError       **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  database = g_tls_file_database_new (path, error);
  if (database == NULL)
    return FALSE;
  g_object_set (self, "tls-database", database, NULL);
  return TRUE;
}

/**
 * dt_turn_client_connect_async:
 * @self: a client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when connected, or on failure
 * @user_data: its data
 *
 * Resolves the server (in #DtTurnClient:family), connects, and for TLS and
 * DTLS completes a verified handshake. Each stage is timestamped and gets
 * #DtTurnClient:stage-timeout.
 */
void
dt_turn_client_connect_async (DtTurnClient        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GInetAddress) literal = NULL;

  g_return_if_fail (DT_IS_TURN_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_turn_client_connect_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->connecting || self->connected)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The TURN client is already connected or connecting");
      return;
    }

  transport_close (self, NULL);
  g_clear_object (&self->server_address);
  g_clear_object (&self->relayed_address);
  g_clear_object (&self->mapped_address);
  g_hash_table_remove_all (self->channels);
  for (guint i = 0; i < DT_TURN_N_STAGES; i++)
    self->stage_times[i] = 0;

  self->connecting = TRUE;
  self->stage_timed_out = FALSE;
  self->connect_task = g_steal_pointer (&task);
  self->connect_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    self->connect_cancelled_id = g_cancellable_connect (cancellable,
                                                        G_CALLBACK (on_connect_cancelled),
                                                        g_object_ref (self->connect_cancellable),
                                                        g_object_unref);
  mark_stage (self, DT_TURN_STAGE_STARTED);

  literal = g_inet_address_new_from_string (self->host);
  if (literal != NULL)
    {
      if (self->family != G_SOCKET_FAMILY_INVALID &&
          g_inet_address_get_family (literal) != self->family)
        {
          g_autofree char *server = describe_server (self);

          connect_complete (self, g_error_new (DT_TURN_ERROR, DT_TURN_ERROR_RESOLVE,
                                               "The TURN server %s has no address of the "
                                               "requested family", server));
          return;
        }
      mark_stage (self, DT_TURN_STAGE_RESOLVED);
      connect_to (self, literal);
      return;
    }

  {
    g_autoptr(GResolver) resolver = g_resolver_get_default ();
    GResolverNameLookupFlags flags = G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT;

    if (self->family == G_SOCKET_FAMILY_IPV4)
      flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY;
    else if (self->family == G_SOCKET_FAMILY_IPV6)
      flags = G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY;

    connect_wait_for (self, DT_TURN_STAGE_RESOLVED);
    g_resolver_lookup_by_name_with_flags_async (resolver, self->host, flags,
                                                self->connect_cancellable, on_resolved, self);
  }
}

/**
 * dt_turn_client_connect_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError in #DT_TURN_ERROR
 *
 * Returns: whether the client is connected
 */
gboolean
dt_turn_client_connect_finish (DtTurnClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return operation_finish (self, result, dt_turn_client_connect_async, error);
}

/**
 * dt_turn_client_binding_async:
 * @self: a connected client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: its data
 *
 * Sends a STUN Binding request (RFC 8489 §3) to learn the address the
 * server sees this client at.
 */
void
dt_turn_client_binding_async (DtTurnClient        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Operation *op = g_new0 (Operation, 1);

  g_return_if_fail (DT_IS_TURN_CLIENT (self));

  op->method = DT_STUN_METHOD_BINDING;
  operation_start (self, op, dt_turn_client_binding_async, cancellable, callback, user_data);
}

/**
 * dt_turn_client_binding_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the XOR-MAPPED-ADDRESS, or %NULL with @error set
 */
GInetSocketAddress *
dt_turn_client_binding_finish (DtTurnClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  if (!operation_finish (self, result, dt_turn_client_binding_async, error))
    return NULL;
  return g_object_ref (self->mapped_address);
}

/**
 * dt_turn_client_allocate_async:
 * @self: a connected client
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: its data
 *
 * Allocates a UDP relay (RFC 8656 §7), answering the 401 challenge with the
 * credentials and a 438 with the fresh nonce.
 */
void
dt_turn_client_allocate_async (DtTurnClient        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Operation *op = g_new0 (Operation, 1);

  g_return_if_fail (DT_IS_TURN_CLIENT (self));

  op->method = DT_STUN_METHOD_ALLOCATE;
  operation_start (self, op, dt_turn_client_allocate_async, cancellable, callback, user_data);
}

/**
 * dt_turn_client_allocate_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError in #DT_TURN_ERROR
 *
 * Returns: whether the relay exists; see
 *   dt_turn_client_get_relayed_address()
 */
gboolean
dt_turn_client_allocate_finish (DtTurnClient  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return operation_finish (self, result, dt_turn_client_allocate_async, error);
}

/**
 * dt_turn_client_refresh_async:
 * @self: a client with an allocation
 * @lifetime: the lifetime to ask for, in seconds; 0 releases the allocation
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: its data
 *
 * Refreshes the allocation (RFC 8656 §8).
 */
void
dt_turn_client_refresh_async (DtTurnClient        *self,
                              guint32              lifetime,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Operation *op = g_new0 (Operation, 1);

  g_return_if_fail (DT_IS_TURN_CLIENT (self));

  op->method = DT_STUN_METHOD_REFRESH;
  op->has_lifetime = TRUE;
  op->lifetime = lifetime;
  operation_start (self, op, dt_turn_client_refresh_async, cancellable, callback, user_data);
}

/**
 * dt_turn_client_refresh_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError in #DT_TURN_ERROR
 *
 * Returns: whether the server accepted the refresh
 */
gboolean
dt_turn_client_refresh_finish (DtTurnClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return operation_finish (self, result, dt_turn_client_refresh_async, error);
}

/**
 * dt_turn_client_create_permission_async:
 * @self: a client with an allocation
 * @peer: the peer to let through (only its IP counts, RFC 8656 §9)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: its data
 *
 * Installs a permission for @peer, which lasts 300 s.
 */
void
dt_turn_client_create_permission_async (DtTurnClient        *self,
                                        GInetSocketAddress  *peer,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree Operation *op = g_new0 (Operation, 1);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_TURN_CLIENT (self));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (peer));

  if (!peer_from_socket_address (&op->peer, peer, &error))
    {
      g_task_report_error (self, callback, user_data, dt_turn_client_create_permission_async,
                           g_steal_pointer (&error));
      return;
    }
  op->method = DT_STUN_METHOD_CREATE_PERMISSION;
  operation_start (self, g_steal_pointer (&op), dt_turn_client_create_permission_async,
                   cancellable, callback, user_data);
}

/**
 * dt_turn_client_create_permission_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError in #DT_TURN_ERROR
 *
 * Returns: whether the permission is installed
 */
gboolean
dt_turn_client_create_permission_finish (DtTurnClient  *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  return operation_finish (self, result, dt_turn_client_create_permission_async, error);
}

/**
 * dt_turn_client_channel_bind_async:
 * @self: a client with an allocation
 * @peer: the peer to bind a channel to
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: its data
 *
 * Binds the next free channel number to @peer (RFC 8656 §12.1), which also
 * installs a permission for it.
 */
void
dt_turn_client_channel_bind_async (DtTurnClient        *self,
                                   GInetSocketAddress  *peer,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree Operation *op = g_new0 (Operation, 1);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_TURN_CLIENT (self));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (peer));

  if (!peer_from_socket_address (&op->peer, peer, &error))
    {
      g_task_report_error (self, callback, user_data, dt_turn_client_channel_bind_async,
                           g_steal_pointer (&error));
      return;
    }

  /* Re-binding the same peer refreshes its channel (RFC 8656 §12.2) */
  {
    GHashTableIter iter;
    gpointer key, value;

    op->channel = 0;
    g_hash_table_iter_init (&iter, self->channels);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (memcmp (value, &op->peer, sizeof op->peer) == 0)
        op->channel = GPOINTER_TO_UINT (key);
  }
  if (op->channel == 0)
    {
      if (self->next_channel > DT_STUN_CHANNEL_MAX)
        {
          g_task_report_new_error (self, callback, user_data, dt_turn_client_channel_bind_async,
                                   DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY,
                                   "Every TURN channel number is in use");
          return;
        }
      op->channel = self->next_channel++;
    }

  op->method = DT_STUN_METHOD_CHANNEL_BIND;
  operation_start (self, g_steal_pointer (&op), dt_turn_client_channel_bind_async, cancellable,
                   callback, user_data);
}

/**
 * dt_turn_client_channel_bind_finish:
 * @self: a client
 * @result: the result
 * @error: return location for a #GError in #DT_TURN_ERROR
 *
 * Returns: the bound channel number, or 0 with @error set
 */
guint16
dt_turn_client_channel_bind_finish (DtTurnClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  Operation *op;

  if (!operation_finish (self, result, dt_turn_client_channel_bind_async, error))
    return 0;
  op = g_task_get_task_data (G_TASK (result));
  return op->channel;
}

/**
 * dt_turn_client_send_indication:
 * @self: a client with an allocation
 * @peer: where the server should relay @data
 * @data: the bytes
 * @error: return location for a #GError
 *
 * Sends @data to @peer in a Send indication (RFC 8656 §11.1). The server
 * drops it unless @peer has a permission.
 *
 * Returns: whether the indication went out
 */
gboolean
dt_turn_client_send_indication (DtTurnClient        *self,
                                GInetSocketAddress  *peer,
                                GBytes              *data,
                                GError             **error)
{
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(GBytes) packet = NULL;
  DtStunAddress address;
  gsize length;
  const guint8 *bytes;

  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (peer), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (!peer_from_socket_address (&address, peer, error))
    return FALSE;

  bytes = g_bytes_get_data (data, &length);
  builder = dt_stun_builder_new (DT_STUN_METHOD_SEND, DT_STUN_CLASS_INDICATION, NULL);
  if (!dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_PEER_ADDRESS, &address, error) ||
      !dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_DATA, bytes, length, error) ||
      !dt_stun_builder_add_fingerprint (builder, error))
    return FALSE;
  packet = dt_stun_builder_end (builder);

  return transport_send (self, packet, error);
}

/**
 * dt_turn_client_send_channel_data:
 * @self: a client with an allocation
 * @channel: a channel bound with dt_turn_client_channel_bind_async()
 * @data: the bytes
 * @error: return location for a #GError
 *
 * Sends @data to the channel's peer as ChannelData (RFC 8656 §12.4),
 * padded over TCP and TLS.
 *
 * Returns: whether the message went out
 */
gboolean
dt_turn_client_send_channel_data (DtTurnClient  *self,
                                  guint16        channel,
                                  GBytes        *data,
                                  GError       **error)
{
  g_autoptr(GBytes) packet = NULL;
  gsize length;
  const guint8 *bytes;

  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);

  if (!g_hash_table_contains (self->channels, GUINT_TO_POINTER (channel)))
    {
      g_set_error (error, DT_TURN_ERROR, DT_TURN_ERROR_NOT_READY,
                   "TURN channel 0x%04x is not bound", channel);
      return FALSE;
    }

  bytes = g_bytes_get_data (data, &length);
  packet = dt_stun_channel_data_build (channel, bytes, length, !transport_is_datagram (self));
  if (packet == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           "The data does not fit in one ChannelData message");
      return FALSE;
    }

  return transport_send (self, packet, error);
}

/**
 * dt_turn_client_close:
 * @self: a client
 *
 * Closes the connection and fails pending requests. It does not release
 * the allocation: call dt_turn_client_refresh_async() with lifetime 0
 * first for that.
 */
void
dt_turn_client_close (DtTurnClient *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_TURN_CLIENT (self));

  error = g_error_new_literal (DT_TURN_ERROR, DT_TURN_ERROR_CLOSED,
                               "The TURN client was closed");
  if (self->connect_cancellable != NULL)
    g_cancellable_cancel (self->connect_cancellable);
  transport_close (self, error);
}

/**
 * dt_turn_client_get_transport:
 * @self: a client
 *
 * Returns: how it reaches the server
 */
DtTurnTransport
dt_turn_client_get_transport (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), DT_TURN_TRANSPORT_UDP);

  return self->transport;
}

/**
 * dt_turn_client_get_host:
 * @self: a client
 *
 * Returns: the server's host name or literal
 */
const char *
dt_turn_client_get_host (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), NULL);

  return self->host;
}

/**
 * dt_turn_client_get_port:
 * @self: a client
 *
 * Returns: the server's port
 */
guint16
dt_turn_client_get_port (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), 0);

  return self->port;
}

/**
 * dt_turn_client_is_connected:
 * @self: a client
 *
 * Returns: whether the connection is up
 */
gboolean
dt_turn_client_is_connected (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), FALSE);

  return self->connected;
}

/**
 * dt_turn_client_get_server_address:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the address the server resolved to
 */
GInetSocketAddress *
dt_turn_client_get_server_address (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), NULL);

  return self->server_address;
}

/**
 * dt_turn_client_get_local_address:
 * @self: a connected client
 *
 * Returns: (transfer full) (nullable): this end's address of the connection
 */
GInetSocketAddress *
dt_turn_client_get_local_address (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), NULL);

  if (self->socket != NULL)
    return G_INET_SOCKET_ADDRESS (g_socket_get_local_address (self->socket, NULL));
  if (self->stream != NULL)
    {
      GIOStream *base = self->stream;

      if (G_IS_TLS_CONNECTION (base))
        g_object_get (base, "base-io-stream", &base, NULL);
      else
        g_object_ref (base);
      {
        g_autoptr(GIOStream) owned = base;

        if (G_IS_SOCKET_CONNECTION (owned))
          return G_INET_SOCKET_ADDRESS (
            g_socket_connection_get_local_address (G_SOCKET_CONNECTION (owned), NULL));
      }
    }
  return NULL;
}

/**
 * dt_turn_client_get_relayed_address:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the XOR-RELAYED-ADDRESS of the
 *   allocation
 */
GInetSocketAddress *
dt_turn_client_get_relayed_address (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), NULL);

  return self->relayed_address;
}

/**
 * dt_turn_client_get_mapped_address:
 * @self: a client
 *
 * Returns: (transfer none) (nullable): the last XOR-MAPPED-ADDRESS the
 *   server reported, from Binding or Allocate
 */
GInetSocketAddress *
dt_turn_client_get_mapped_address (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), NULL);

  return self->mapped_address;
}

/**
 * dt_turn_client_get_lifetime:
 * @self: a client
 *
 * Returns: the allocation's lifetime in seconds, as the server last said
 */
guint32
dt_turn_client_get_lifetime (DtTurnClient *self)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), 0);

  return self->lifetime;
}

/**
 * dt_turn_client_get_stage_time:
 * @self: a client
 * @stage: a stage
 *
 * Returns: when @stage was reached, in g_get_monotonic_time() microseconds,
 *   or 0 if it was not (yet); %DT_TURN_STAGE_HANDSHAKEN stays 0 over UDP
 *   and TCP
 */
gint64
dt_turn_client_get_stage_time (DtTurnClient *self,
                               DtTurnStage   stage)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), 0);
  g_return_val_if_fail (stage < DT_TURN_N_STAGES, 0);

  return self->stage_times[stage];
}

/**
 * dt_turn_client_get_last_error_code:
 * @self: a client
 * @reason: (out) (optional) (transfer none): the reason phrase
 *
 * Returns: the ERROR-CODE (class × 100 + number) of the last error response,
 *   or 0 if the last response was a success
 */
guint
dt_turn_client_get_last_error_code (DtTurnClient  *self,
                                    const char   **reason)
{
  g_return_val_if_fail (DT_IS_TURN_CLIENT (self), 0);

  if (reason != NULL)
    *reason = self->last_error_reason;
  return self->last_error_code;
}

/**
 * dt_ice_uri_get_turn_transport:
 * @self: a #DtIceUri
 *
 * How DtTurnClient reaches the server: `turn:` over UDP or TCP, `turns:`
 * over TLS, or over DTLS with `?transport=udp` (RFC 7350 §3); `stun:` over
 * UDP and `stuns:` over TLS.
 *
 * Returns: the #DtTurnTransport for @self
 */
DtTurnTransport
dt_ice_uri_get_turn_transport (const DtIceUri *self)
{
  g_return_val_if_fail (self != NULL, DT_TURN_TRANSPORT_UDP);

  switch (self->scheme)
    {
    case DT_ICE_URI_SCHEME_STUN:
      return DT_TURN_TRANSPORT_UDP;
    case DT_ICE_URI_SCHEME_STUNS:
      return DT_TURN_TRANSPORT_TLS;
    case DT_ICE_URI_SCHEME_TURN:
      return self->transport == DT_ICE_URI_TRANSPORT_TCP ? DT_TURN_TRANSPORT_TCP
                                                         : DT_TURN_TRANSPORT_UDP;
    case DT_ICE_URI_SCHEME_TURNS:
      return self->transport == DT_ICE_URI_TRANSPORT_UDP ? DT_TURN_TRANSPORT_DTLS
                                                         : DT_TURN_TRANSPORT_TLS;
    default:
      g_return_val_if_reached (DT_TURN_TRANSPORT_UDP);
    }
}
