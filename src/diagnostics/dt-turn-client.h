/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-turn-client.h
 *
 * Dialtone's own TURN client (RFC 8656) for Diagnostics: one connection to
 * one STUN or TURN server over UDP, TCP, TLS or DTLS, with the long-term
 * credential mechanism, Allocate, Refresh, CreatePermission, ChannelBind,
 * Send/Data indications and ChannelData, plus plain STUN Binding. Every
 * stage is timestamped and timed out, so a report can say how far a server
 * got and how long each step took.
 */
#pragma once

#include <gio/gio.h>

#include "dt-clock.h"
#include "dt-ice-uri.h"
#include "dt-stun-message.h"

G_BEGIN_DECLS

/**
 * DtTurnTransport:
 * @DT_TURN_TRANSPORT_UDP: STUN over UDP (`turn:…?transport=udp`)
 * @DT_TURN_TRANSPORT_TCP: STUN over TCP (`turn:…?transport=tcp`)
 * @DT_TURN_TRANSPORT_TLS: STUN over TLS over TCP (`turns:`)
 * @DT_TURN_TRANSPORT_DTLS: STUN over DTLS over UDP (`turns:…?transport=udp`, RFC 7350)
 *
 * How the client reaches the server (RFC 8656 §3.1). The relayed side is
 * always UDP.
 */
typedef enum {
  DT_TURN_TRANSPORT_UDP,
  DT_TURN_TRANSPORT_TCP,
  DT_TURN_TRANSPORT_TLS,
  DT_TURN_TRANSPORT_DTLS,
} DtTurnTransport;

#define DT_TYPE_TURN_TRANSPORT (dt_turn_transport_get_type ())
GType dt_turn_transport_get_type (void) G_GNUC_CONST;

const char *dt_turn_transport_to_string (DtTurnTransport transport);

/**
 * DtTurnStage:
 * @DT_TURN_STAGE_STARTED: dt_turn_client_connect_async() was called
 * @DT_TURN_STAGE_RESOLVED: the server's name resolved to an address
 * @DT_TURN_STAGE_CONNECTED: the socket is connected (TCP handshake done)
 * @DT_TURN_STAGE_HANDSHAKEN: the TLS or DTLS handshake completed
 * @DT_TURN_STAGE_ALLOCATED: an Allocate succeeded
 * @DT_TURN_N_STAGES: the number of stages
 *
 * The milestones dt_turn_client_get_stage_time() reports.
 */
typedef enum {
  DT_TURN_STAGE_STARTED,
  DT_TURN_STAGE_RESOLVED,
  DT_TURN_STAGE_CONNECTED,
  DT_TURN_STAGE_HANDSHAKEN,
  DT_TURN_STAGE_ALLOCATED,
  DT_TURN_N_STAGES
} DtTurnStage;

/**
 * DtTurnError:
 * @DT_TURN_ERROR_RESOLVE: the server's host name did not resolve
 * @DT_TURN_ERROR_CONNECT: the server could not be reached or refused
 * @DT_TURN_ERROR_TIMEOUT: a stage or a request got no answer in time
 * @DT_TURN_ERROR_TLS_UNTRUSTED: the server's certificate is not trusted
 * @DT_TURN_ERROR_TLS_FAILED: the TLS or DTLS handshake failed otherwise
 * @DT_TURN_ERROR_AUTH_FAILED: wrong or missing credentials (401 with
 *   credentials, 441)
 * @DT_TURN_ERROR_FORBIDDEN: 403, e.g. a peer address the server denies
 * @DT_TURN_ERROR_ALLOCATION_MISMATCH: 437, no allocation or one already there
 * @DT_TURN_ERROR_FAMILY_NOT_SUPPORTED: 440 or 443
 * @DT_TURN_ERROR_UNSUPPORTED_TRANSPORT: 442
 * @DT_TURN_ERROR_QUOTA: 486 Allocation Quota Reached
 * @DT_TURN_ERROR_CAPACITY: 508 Insufficient Capacity
 * @DT_TURN_ERROR_SERVER: any other error response
 * @DT_TURN_ERROR_PROTOCOL: a response Dialtone cannot use
 * @DT_TURN_ERROR_CLOSED: the connection closed
 * @DT_TURN_ERROR_NOT_READY: the call needs a connection or an allocation first
 *
 * Failures, each with a message a user can act on. Errors that come from
 * an ERROR-CODE also leave it in dt_turn_client_get_last_error_code().
 */
typedef enum {
  DT_TURN_ERROR_RESOLVE,
  DT_TURN_ERROR_CONNECT,
  DT_TURN_ERROR_TIMEOUT,
  DT_TURN_ERROR_TLS_UNTRUSTED,
  DT_TURN_ERROR_TLS_FAILED,
  DT_TURN_ERROR_AUTH_FAILED,
  DT_TURN_ERROR_FORBIDDEN,
  DT_TURN_ERROR_ALLOCATION_MISMATCH,
  DT_TURN_ERROR_FAMILY_NOT_SUPPORTED,
  DT_TURN_ERROR_UNSUPPORTED_TRANSPORT,
  DT_TURN_ERROR_QUOTA,
  DT_TURN_ERROR_CAPACITY,
  DT_TURN_ERROR_SERVER,
  DT_TURN_ERROR_PROTOCOL,
  DT_TURN_ERROR_CLOSED,
  DT_TURN_ERROR_NOT_READY,
} DtTurnError;

#define DT_TURN_ERROR (dt_turn_error_quark ())
GQuark dt_turn_error_quark (void);

#define DT_TYPE_TURN_CLIENT (dt_turn_client_get_type ())
G_DECLARE_FINAL_TYPE (DtTurnClient, dt_turn_client, DT, TURN_CLIENT, GObject)

DtTurnClient       *dt_turn_client_new                 (const char          *host,
                                                        guint16              port,
                                                        DtTurnTransport      transport);
void                dt_turn_client_set_credentials     (DtTurnClient        *self,
                                                        const char          *username,
                                                        const char          *password);
gboolean            dt_turn_client_set_ca_file         (DtTurnClient        *self,
                                                        const char          *path,
                                                        GError             **error);

void                dt_turn_client_connect_async       (DtTurnClient        *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            dt_turn_client_connect_finish      (DtTurnClient        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                dt_turn_client_binding_async       (DtTurnClient        *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GInetSocketAddress *dt_turn_client_binding_finish      (DtTurnClient        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                dt_turn_client_allocate_async      (DtTurnClient        *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            dt_turn_client_allocate_finish     (DtTurnClient        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                dt_turn_client_refresh_async       (DtTurnClient        *self,
                                                        guint32              lifetime,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean            dt_turn_client_refresh_finish      (DtTurnClient        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

void                dt_turn_client_create_permission_async  (DtTurnClient        *self,
                                                             GInetSocketAddress  *peer,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
gboolean            dt_turn_client_create_permission_finish (DtTurnClient        *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

void                dt_turn_client_channel_bind_async  (DtTurnClient        *self,
                                                        GInetSocketAddress  *peer,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
guint16             dt_turn_client_channel_bind_finish (DtTurnClient        *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

gboolean            dt_turn_client_send_indication     (DtTurnClient        *self,
                                                        GInetSocketAddress  *peer,
                                                        GBytes              *data,
                                                        GError             **error);
gboolean            dt_turn_client_send_channel_data   (DtTurnClient        *self,
                                                        guint16              channel,
                                                        GBytes              *data,
                                                        GError             **error);
void                dt_turn_client_close               (DtTurnClient        *self);

DtTurnTransport     dt_turn_client_get_transport       (DtTurnClient        *self);
const char         *dt_turn_client_get_host            (DtTurnClient        *self);
guint16             dt_turn_client_get_port            (DtTurnClient        *self);
gboolean            dt_turn_client_is_connected        (DtTurnClient        *self);
GInetSocketAddress *dt_turn_client_get_server_address  (DtTurnClient        *self);
GInetSocketAddress *dt_turn_client_get_local_address   (DtTurnClient        *self);
GInetSocketAddress *dt_turn_client_get_relayed_address (DtTurnClient        *self);
GInetSocketAddress *dt_turn_client_get_mapped_address  (DtTurnClient        *self);
guint32             dt_turn_client_get_lifetime        (DtTurnClient        *self);
gint64              dt_turn_client_get_stage_time      (DtTurnClient        *self,
                                                        DtTurnStage          stage);
guint               dt_turn_client_get_last_error_code (DtTurnClient        *self,
                                                        const char         **reason);

DtTurnTransport     dt_ice_uri_get_turn_transport      (const DtIceUri      *uri);

G_END_DECLS
