/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-client.h
 *
 * STUN client transactions (RFC 8489 §6.2, §6.3): requests sent through a
 * function the owner supplies, retransmitted over UDP, timed out over TCP
 * and TLS, and matched with the responses the owner hands back.
 */
#pragma once

#include <gio/gio.h>

#include "dt-clock.h"
#include "dt-stun-message.h"

G_BEGIN_DECLS

/* RFC 8489 §6.2.1 defaults */
#define DT_STUN_CLIENT_DEFAULT_RTO_MS             500
#define DT_STUN_CLIENT_DEFAULT_MAX_TRANSMISSIONS  7
#define DT_STUN_CLIENT_DEFAULT_LAST_WAIT_FACTOR   16
/* RFC 8489 §6.2.2: "39.5 seconds", the same as the UDP total */
#define DT_STUN_CLIENT_DEFAULT_RELIABLE_TIMEOUT_MS 39500

/**
 * DtStunClientError:
 * @DT_STUN_CLIENT_ERROR_TIMEOUT: no valid response arrived in time
 * @DT_STUN_CLIENT_ERROR_SEND_FAILED: the request could not be sent
 * @DT_STUN_CLIENT_ERROR_CLOSED: the client was closed while the request was
 *   pending
 * @DT_STUN_CLIENT_ERROR_INVALID_REQUEST: the bytes given are not a STUN request
 */
typedef enum {
  DT_STUN_CLIENT_ERROR_TIMEOUT,
  DT_STUN_CLIENT_ERROR_SEND_FAILED,
  DT_STUN_CLIENT_ERROR_CLOSED,
  DT_STUN_CLIENT_ERROR_INVALID_REQUEST,
} DtStunClientError;

#define DT_STUN_CLIENT_ERROR (dt_stun_client_error_quark ())
GQuark dt_stun_client_error_quark (void);

#define DT_TYPE_STUN_CLIENT (dt_stun_client_get_type ())
G_DECLARE_FINAL_TYPE (DtStunClient, dt_stun_client, DT, STUN_CLIENT, GObject)

/**
 * DtStunClientSendFunc:
 * @client: the client
 * @packet: the request bytes, to send as they are
 * @user_data: the data given with the function
 * @error: return location for a #GError
 *
 * Hands one (re)transmission to the transport. Over a stream the function
 * may queue the bytes and return at once.
 *
 * Returns: %FALSE with @error set when the bytes cannot be sent
 */
typedef gboolean (*DtStunClientSendFunc) (DtStunClient  *client,
                                          GBytes        *packet,
                                          gpointer       user_data,
                                          GError       **error);

DtStunClient  *dt_stun_client_new             (gboolean               reliable,
                                               DtClock           *clock);
void           dt_stun_client_set_send_func   (DtStunClient          *self,
                                               DtStunClientSendFunc   func,
                                               gpointer               user_data,
                                               GDestroyNotify         destroy);
gboolean       dt_stun_client_get_reliable    (DtStunClient          *self);
DtClock   *dt_stun_client_get_clock       (DtStunClient          *self);
guint          dt_stun_client_get_rto         (DtStunClient          *self);
void           dt_stun_client_set_rto         (DtStunClient          *self,
                                               guint                  rto_ms);
guint          dt_stun_client_get_max_transmissions (DtStunClient    *self);
void           dt_stun_client_set_max_transmissions (DtStunClient    *self,
                                                     guint            count);
guint          dt_stun_client_get_last_wait_factor (DtStunClient     *self);
void           dt_stun_client_set_last_wait_factor (DtStunClient     *self,
                                                    guint             factor);
guint          dt_stun_client_get_reliable_timeout (DtStunClient     *self);
void           dt_stun_client_set_reliable_timeout (DtStunClient     *self,
                                                    guint             timeout_ms);
guint          dt_stun_client_get_total_timeout (DtStunClient        *self);

void           dt_stun_client_request_async   (DtStunClient          *self,
                                               GBytes                *request,
                                               GBytes                *key,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
DtStunMessage *dt_stun_client_request_finish  (DtStunClient          *self,
                                               GAsyncResult          *result,
                                               GError               **error);

gboolean       dt_stun_client_handle_message  (DtStunClient          *self,
                                               const DtStunMessage   *message);
guint          dt_stun_client_get_n_pending   (DtStunClient          *self);
void           dt_stun_client_close           (DtStunClient          *self,
                                               const GError          *reason);

G_END_DECLS
