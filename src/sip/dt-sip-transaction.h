/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-transaction.h
 *
 * RFC 3261 §17 transactions, with the RFC 6026 "Accepted" states: the four
 * state machines, their timers, and matching of incoming messages.
 */
#pragma once

#include <gio/gio.h>

#include "dt-clock.h"
#include "dt-sip-message.h"

G_BEGIN_DECLS

/* RFC 3261 §17.1.1.1 and Table 4 */
#define DT_SIP_T1_MS 500
#define DT_SIP_T2_MS 4000
#define DT_SIP_T4_MS 5000

typedef enum {
  DT_SIP_TRANSACTION_CLIENT_INVITE,
  DT_SIP_TRANSACTION_CLIENT_NON_INVITE,
  DT_SIP_TRANSACTION_SERVER_INVITE,
  DT_SIP_TRANSACTION_SERVER_NON_INVITE,
} DtSipTransactionKind;

typedef enum {
  DT_SIP_TRANSACTION_CALLING,
  DT_SIP_TRANSACTION_TRYING,
  DT_SIP_TRANSACTION_PROCEEDING,
  DT_SIP_TRANSACTION_COMPLETED,
  DT_SIP_TRANSACTION_CONFIRMED,
  DT_SIP_TRANSACTION_ACCEPTED,
  DT_SIP_TRANSACTION_TERMINATED,
} DtSipTransactionState;

/**
 * DtSipTransactionEnd:
 * @DT_SIP_TRANSACTION_END_NONE: still running
 * @DT_SIP_TRANSACTION_END_NORMAL: finished as the state machine intends
 * @DT_SIP_TRANSACTION_END_TIMEOUT: timer B or F (no final response), or H (no ACK)
 * @DT_SIP_TRANSACTION_END_TRANSPORT_ERROR: the message could not be sent (§17.1.4)
 * @DT_SIP_TRANSACTION_END_CANCELLED: the layer was shut down
 */
typedef enum {
  DT_SIP_TRANSACTION_END_NONE,
  DT_SIP_TRANSACTION_END_NORMAL,
  DT_SIP_TRANSACTION_END_TIMEOUT,
  DT_SIP_TRANSACTION_END_TRANSPORT_ERROR,
  DT_SIP_TRANSACTION_END_CANCELLED,
} DtSipTransactionEnd;

typedef struct
{
  guint t1_ms;
  guint t2_ms;
  guint t4_ms;
} DtSipTimers;

typedef struct _DtSipTransaction DtSipTransaction;
typedef struct _DtSipTransactionLayer DtSipTransactionLayer;

/**
 * DtSipTransactionLayerCallbacks:
 * @send: puts @message on the wire towards @peer; %FALSE on a transport error
 * @request: a request no transaction matched: a new server transaction @tx
 *   (call dt_sip_transaction_respond() on it), or, for an ACK to a 2xx,
 *   @tx is %NULL and the ACK is the dialog's (§17.2.3, RFC 6026)
 * @stray_response: a response no client transaction matched, such as a
 *   retransmitted 2xx to an INVITE whose transaction has ended; the dialog
 *   answers it with its ACK (§13.2.2.4)
 *
 * @peer is the transport's opaque name for where a message came from or
 * goes to (an address and a connection); the layer only stores it.
 */
typedef struct
{
  gboolean (*send)           (DtSipTransactionLayer *layer,
                              DtSipMessage          *message,
                              gpointer               peer,
                              gpointer               user_data);
  void     (*request)        (DtSipTransactionLayer *layer,
                              DtSipTransaction      *tx,
                              DtSipMessage          *request,
                              gpointer               peer,
                              gpointer               user_data);
  void     (*stray_response) (DtSipTransactionLayer *layer,
                              DtSipMessage          *response,
                              gpointer               peer,
                              gpointer               user_data);
} DtSipTransactionLayerCallbacks;

/**
 * DtSipResponseFunc:
 * @response: (nullable): a provisional or final response, or %NULL when the
 *   transaction ended without one; see dt_sip_transaction_get_end()
 *
 * How a client transaction hands responses to its user. Retransmitted
 * responses are absorbed; each 2xx to an INVITE is handed over (forking,
 * RFC 6026).
 */
typedef void (*DtSipResponseFunc) (DtSipTransaction *tx,
                                   DtSipMessage     *response,
                                   gpointer          user_data);

DtSipTransactionLayer *dt_sip_transaction_layer_new      (DtClock                           *clock,
                                                          const DtSipTimers                    *timers,
                                                          const DtSipTransactionLayerCallbacks *callbacks,
                                                          GDestroyNotify                        peer_free,
                                                          gpointer                              user_data);
void                   dt_sip_transaction_layer_free     (DtSipTransactionLayer *self);
DtClock            *dt_sip_transaction_layer_get_clock (DtSipTransactionLayer *self);
guint                  dt_sip_transaction_layer_get_n_transactions (DtSipTransactionLayer *self);

DtSipTransaction      *dt_sip_transaction_layer_send_request (DtSipTransactionLayer *self,
                                                              DtSipMessage          *request,
                                                              gpointer               peer,
                                                              gboolean               reliable,
                                                              DtSipResponseFunc      on_response,
                                                              gpointer               user_data,
                                                              GError               **error);
void                   dt_sip_transaction_layer_receive  (DtSipTransactionLayer *self,
                                                          DtSipMessage          *message,
                                                          gpointer               peer,
                                                          gboolean               reliable);
DtSipTransaction      *dt_sip_transaction_layer_find_invite (DtSipTransactionLayer *self,
                                                             DtSipMessage          *cancel);

#define DT_TYPE_SIP_TRANSACTION (dt_sip_transaction_get_type ())
GType                  dt_sip_transaction_get_type       (void) G_GNUC_CONST;
DtSipTransaction      *dt_sip_transaction_ref            (DtSipTransaction *self);
void                   dt_sip_transaction_unref          (DtSipTransaction *self);
DtSipTransactionKind   dt_sip_transaction_get_kind       (DtSipTransaction *self);
DtSipTransactionState  dt_sip_transaction_get_state      (DtSipTransaction *self);
DtSipTransactionEnd    dt_sip_transaction_get_end        (DtSipTransaction *self);
DtSipMessage          *dt_sip_transaction_get_request    (DtSipTransaction *self);
DtSipMessage          *dt_sip_transaction_get_last_response (DtSipTransaction *self);
gpointer               dt_sip_transaction_get_peer       (DtSipTransaction *self);
gboolean               dt_sip_transaction_respond        (DtSipTransaction *self,
                                                          DtSipMessage     *response,
                                                          GError          **error);
void                   dt_sip_transaction_set_user_data_free (DtSipTransaction *self,
                                                              GDestroyNotify    free_func);
void                   dt_sip_transaction_set_terminated_func (DtSipTransaction *self,
                                                               GFunc             func,
                                                               gpointer          user_data);
const char            *dt_sip_transaction_state_to_string (DtSipTransactionState state);
char                  *dt_sip_branch_new                 (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipTransaction, dt_sip_transaction_unref)

G_END_DECLS
