/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-transport.h
 *
 * The SIP transport layer (RFC 3261 §18, RFC 3581, RFC 5626 §4.4.1,
 * RFC 5923 style connection reuse): UDP, TCP and TLS sockets of one SIP
 * endpoint over GIO, driven from the thread-default GMainContext.
 *
 * Incoming messages come out of the #DtSipTransport::message-received
 * signal with a #DtSipPeer that names where they came from; hand both to
 * dt_sip_transaction_layer_receive(), and the peer back to
 * dt_sip_transport_send() for the answer.
 *
 * - UDP: one socket per address family; a datagram is one message.
 * - TCP and TLS: a connection per remote address, port and kind (and, for
 *   TLS, server name). A response goes back on the connection its request
 *   came on (§18.2.2); a request to a remote that already has an open
 *   connection reuses it, in either direction. Connects are asynchronous:
 *   messages wait in the connection's ordered output queue, and a failure
 *   that comes later is reported by #DtSipTransport::peer-failed.
 * - Robustness: a stream that sends garbage, or more than
 *   %DT_SIP_MAX_MESSAGE_SIZE bytes without a complete message, is closed;
 *   so is one that leaves a message incomplete (or, when accepted, sends
 *   nothing) for %DT_SIP_TRANSPORT_IDLE_TIMEOUT_S seconds. When
 *   #DtSipTransport:max-connections are open, a new accepted connection
 *   evicts the oldest one that never sent a complete message, or is refused.
 * - A malformed request that can still be answered gets a `400` (or `505`)
 *   straight from the transport; anything else malformed is dropped. On a
 *   stream whose framing broke, the reply (if any) is followed by a close.
 * - Keep-alives (RFC 5626 §4.4.1): with #DtSipTransport:keepalive-interval
 *   set, outgoing streams send a double CRLF every interval (drawn from
 *   80–100 % of it) and fail when no CRLF comes back within
 *   #DtSipTransport:keepalive-timeout. Pings received are always answered.
 * - #DtSipTransport:peer-failed reports only outgoing connections: refused
 *   or timed out, untrusted certificate, failed handshake, unanswered
 *   keep-alive, or a broken stream. A clean close by the server is not a
 *   failure: the next message opens a new connection.
 * - TLS clients verify the server against the system trust store, or
 *   #DtSipTransport:tls-database, for the peer's server name (or its IP
 *   address); only #DtSipTransport:pinned-certificate can override a
 *   failed check.
 * - Via (§18.2.1, RFC 3581 §4): an incoming request's top Via gets
 *   `received=` when its sent-by host is not the source address, and a bare
 *   `rport` gets the source port.
 * - Responses over UDP (§18.2.2): with `rport` they go to the request's
 *   source address and port; without it to the source address and the
 *   sent-by port (5060 when absent). `maddr` is not honoured. A response
 *   whose connection has closed goes on a new connection to the source
 *   address and the sent-by port.
 */
#pragma once

#include <gio/gio.h>

#include "dt-sip-message.h"

G_BEGIN_DECLS

/* How long a stream may sit on a TLS handshake, an incomplete message, or
 * (when accepted) no message at all; RFC 3261 §18.3 leaves it open. */
#define DT_SIP_TRANSPORT_IDLE_TIMEOUT_S 32
#define DT_SIP_TRANSPORT_DEFAULT_MAX_CONNECTIONS 512
/* RFC 5626 §4.4.1: a pong that is not back in 10 s means the flow is dead. */
#define DT_SIP_TRANSPORT_PONG_TIMEOUT_S 10

/**
 * DtSipTransportKind:
 * @DT_SIP_TRANSPORT_UDP: datagrams
 * @DT_SIP_TRANSPORT_TCP: a plain stream
 * @DT_SIP_TRANSPORT_TLS: a TLS stream
 */
typedef enum {
  DT_SIP_TRANSPORT_UDP,
  DT_SIP_TRANSPORT_TCP,
  DT_SIP_TRANSPORT_TLS,
} DtSipTransportKind;

/**
 * DtSipTransportError:
 * @DT_SIP_TRANSPORT_ERROR_UNREACHABLE: the connection was refused or timed out
 * @DT_SIP_TRANSPORT_ERROR_TLS_UNTRUSTED: the server's certificate failed the checks
 * @DT_SIP_TRANSPORT_ERROR_TLS_FAILED: the TLS handshake failed otherwise
 * @DT_SIP_TRANSPORT_ERROR_NOT_RESPONDING: a keep-alive went unanswered
 * @DT_SIP_TRANSPORT_ERROR_CLOSED: the connection broke or the far end closed it
 * @DT_SIP_TRANSPORT_ERROR_FAILED: a local failure (no socket, no TLS support)
 */
typedef enum {
  DT_SIP_TRANSPORT_ERROR_UNREACHABLE,
  DT_SIP_TRANSPORT_ERROR_TLS_UNTRUSTED,
  DT_SIP_TRANSPORT_ERROR_TLS_FAILED,
  DT_SIP_TRANSPORT_ERROR_NOT_RESPONDING,
  DT_SIP_TRANSPORT_ERROR_CLOSED,
  DT_SIP_TRANSPORT_ERROR_FAILED,
} DtSipTransportError;

#define DT_SIP_TRANSPORT_ERROR (dt_sip_transport_error_quark ())
GQuark dt_sip_transport_error_quark (void);

typedef struct _DtSipPeer DtSipPeer;

#define DT_TYPE_SIP_PEER (dt_sip_peer_get_type ())
GType               dt_sip_peer_get_type      (void) G_GNUC_CONST;
DtSipPeer          *dt_sip_peer_new           (DtSipTransportKind  kind,
                                               GInetSocketAddress *address,
                                               const char         *server_name);
DtSipPeer          *dt_sip_peer_ref           (DtSipPeer          *self);
void                dt_sip_peer_unref         (DtSipPeer          *self);
DtSipTransportKind  dt_sip_peer_get_kind      (DtSipPeer          *self);
GInetSocketAddress *dt_sip_peer_get_address   (DtSipPeer          *self);
const char         *dt_sip_peer_get_server_name (DtSipPeer        *self);
gboolean            dt_sip_peer_is_reliable   (DtSipPeer          *self);
char               *dt_sip_peer_to_string     (DtSipPeer          *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipPeer, dt_sip_peer_unref)

#define DT_TYPE_SIP_TRANSPORT (dt_sip_transport_get_type ())
G_DECLARE_FINAL_TYPE (DtSipTransport, dt_sip_transport, DT, SIP_TRANSPORT, GObject)

DtSipTransport     *dt_sip_transport_new      (void);
gboolean            dt_sip_transport_listen   (DtSipTransport      *self,
                                               DtSipTransportKind   kind,
                                               GInetSocketAddress  *address,
                                               guint16             *bound_port,
                                               GError             **error);
void                dt_sip_transport_set_server_certificate (DtSipTransport  *self,
                                                             GTlsCertificate *certificate);
GTlsCertificate    *dt_sip_transport_get_server_certificate (DtSipTransport  *self);
void                dt_sip_transport_set_tls_database (DtSipTransport *self,
                                                       GTlsDatabase   *database);
GTlsDatabase       *dt_sip_transport_get_tls_database (DtSipTransport *self);
gboolean            dt_sip_transport_trust_ca_file (DtSipTransport  *self,
                                                    const char      *path,
                                                    GError         **error);
void                dt_sip_transport_set_pinned_certificate (DtSipTransport  *self,
                                                             GTlsCertificate *certificate);
GTlsCertificate    *dt_sip_transport_get_pinned_certificate (DtSipTransport  *self);
void                dt_sip_transport_set_keepalive_interval (DtSipTransport *self,
                                                             guint           seconds);
guint               dt_sip_transport_get_keepalive_interval (DtSipTransport *self);
void                dt_sip_transport_set_max_connections (DtSipTransport *self,
                                                          guint           max_connections);
guint               dt_sip_transport_get_max_connections (DtSipTransport *self);
guint               dt_sip_transport_get_n_connections (DtSipTransport *self);

gboolean            dt_sip_transport_send     (DtSipTransport      *self,
                                               DtSipPeer           *peer,
                                               DtSipMessage        *message);
char               *dt_sip_transport_get_via_host_port (DtSipTransport *self,
                                                        DtSipPeer      *peer);
char               *dt_sip_transport_format_via (DtSipTransport *self,
                                                 DtSipPeer      *peer,
                                                 const char     *branch);
const char         *dt_sip_transport_kind_to_string (DtSipTransportKind kind);

G_END_DECLS
