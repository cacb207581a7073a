/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-transaction.c */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include "dt-sip-transaction.h"

/*
 * The four transaction state machines of RFC 3261 §17, with the "Accepted"
 * state RFC 6026 adds to both INVITE machines: a 2xx leaves the transaction
 * alive for 64·T1 so that retransmitted INVITEs are absorbed and further
 * 2xx (forking) still reach the dialog layer.
 *
 * The layer owns every live transaction through a table keyed as §17.1.3
 * and §17.2.3 match messages; a transaction leaves the table when it
 * terminates. Timers come from a DtClock, so the tests can wind them.
 */

/* RFC 3261 §8.1.1.7 */
#define MAGIC_COOKIE "z9hG4bK"

struct _DtSipTransactionLayer
{
  DtClock                     *clock;
  DtSipTimers                     timers;
  DtSipTransactionLayerCallbacks  callbacks;
  GDestroyNotify                  peer_free;
  gpointer                        user_data;
  GHashTable                     *transactions;  /* key → DtSipTransaction (owned) */
};

struct _DtSipTransaction
{
  gatomicrefcount         ref_count;
  DtSipTransactionLayer  *layer;       /* NULL once terminated */
  DtSipTransactionKind    kind;
  DtSipTransactionState   state;
  DtSipTransactionEnd     end;
  char                   *key;
  gboolean                reliable;

  DtSipMessage           *request;
  DtSipMessage           *last_response;
  DtSipMessage           *ack;         /* client INVITE, for a non-2xx final */
  gpointer                peer;
  GDestroyNotify          peer_free;

  guint                   retransmit_timer;   /* A, E or G */
  guint                   interval_ms;
  guint                   timeout_timer;      /* B, F or H */
  guint                   linger_timer;       /* D, I, J, K, L or M */

  DtSipResponseFunc       on_response;
  gpointer                user_data;
  GFunc                   terminated_func;
  gpointer                terminated_data;
  GDestroyNotify          user_data_free;
};

G_DEFINE_BOXED_TYPE (DtSipTransaction, dt_sip_transaction,
                     dt_sip_transaction_ref, dt_sip_transaction_unref)

static void terminate (DtSipTransaction    *tx,
                       DtSipTransactionEnd  end);

static guint
t1 (DtSipTransaction *tx)
{
  return tx->layer->timers.t1_ms;
}

static guint
t2 (DtSipTransaction *tx)
{
  return tx->layer->timers.t2_ms;
}

static guint
t4 (DtSipTransaction *tx)
{
  return tx->layer->timers.t4_ms;
}

static void
stop_timer (DtSipTransaction *tx,
            guint            *timer)
{
  if (*timer != 0 && tx->layer != NULL)
    dt_clock_remove (tx->layer->clock, *timer);
  *timer = 0;
}

static void
stop_all_timers (DtSipTransaction *tx)
{
  stop_timer (tx, &tx->retransmit_timer);
  stop_timer (tx, &tx->timeout_timer);
  stop_timer (tx, &tx->linger_timer);
}

/* The sent-by of a Via, as §17.2.3 compares it. */
static char *
via_sent_by (const DtSipVia *via)
{
  return g_strdup_printf ("%s:%u", via->host, via->port ? via->port : 5060);
}

static char *
client_key (DtSipMessage *message)
{
  const char *branch = dt_sip_message_get_top_via_branch (message);
  const char *method = NULL;
  guint32 number;

  if (branch == NULL || !dt_sip_message_get_cseq (message, &number, &method))
    return NULL;

  /* §17.1.3: the branch and the CSeq method; a CANCEL shares its INVITE's
   * branch but is a transaction of its own. */
  return g_strdup_printf ("c|%s|%s", branch, method);
}

static char *
server_key (DtSipMessage *request)
{
  DtSipVia *via = dt_sip_message_get_top_via (request);
  const char *method = dt_sip_message_get_method (request);
  g_autofree char *sent_by = NULL;
  const char *cseq_method = NULL;
  guint32 number;

  if (via == NULL || method == NULL || !dt_sip_message_get_cseq (request, &number, &cseq_method))
    return NULL;

  /* §17.2.3: an ACK belongs to the INVITE transaction it acknowledges. */
  if (g_str_equal (method, "ACK"))
    method = "INVITE";

  sent_by = via_sent_by (via);

  if (via->branch != NULL && g_str_has_prefix (via->branch, MAGIC_COOKIE))
    return g_strdup_printf ("s|%s|%s|%s", via->branch, sent_by, method);

  /* An RFC 2543 peer without the cookie: §17.2.3 falls back on the dialog
   * identifiers and the CSeq number. The To tag is left out because the
   * ACK to a non-2xx carries the tag our response added. */
  return g_strdup_printf ("s2543|%s|%s|%s|%u|%s|%s",
                          dt_sip_message_get_call_id (request),
                          dt_sip_message_get_from_tag (request)
                          ? dt_sip_message_get_from_tag (request) : "",
                          dt_sip_message_get_request_uri (request), number, method, sent_by);
}

static gboolean
send_message (DtSipTransaction *tx,
              DtSipMessage     *message)
{
  DtSipTransactionLayer *layer = tx->layer;

  if (layer->callbacks.send (layer, message, tx->peer, layer->user_data))
    return TRUE;

  /* §17.1.4, §17.2.4: a transport error ends the transaction and the
   * transaction user hears of it. */
  terminate (tx, DT_SIP_TRANSACTION_END_TRANSPORT_ERROR);
  return FALSE;
}

static void
deliver_response (DtSipTransaction *tx,
                  DtSipMessage     *response)
{
  if (tx->on_response)
    tx->on_response (tx, response, tx->user_data);
}

static void
terminate (DtSipTransaction    *tx,
           DtSipTransactionEnd  end)
{
  DtSipTransactionLayer *layer = tx->layer;
  gboolean client_unanswered;

  if (layer == NULL)
    return;

  client_unanswered = (tx->kind == DT_SIP_TRANSACTION_CLIENT_INVITE
                       || tx->kind == DT_SIP_TRANSACTION_CLIENT_NON_INVITE)
                      && end != DT_SIP_TRANSACTION_END_NORMAL
                      && end != DT_SIP_TRANSACTION_END_CANCELLED
                      && (tx->state == DT_SIP_TRANSACTION_CALLING
                          || tx->state == DT_SIP_TRANSACTION_TRYING
                          || tx->state == DT_SIP_TRANSACTION_PROCEEDING);

  stop_all_timers (tx);
  tx->state = DT_SIP_TRANSACTION_TERMINATED;
  tx->end = end;

  dt_sip_transaction_ref (tx);
  tx->layer = NULL;
  g_hash_table_remove (layer->transactions, tx->key);

  if (client_unanswered)
    deliver_response (tx, NULL);
  if (tx->terminated_func && end != DT_SIP_TRANSACTION_END_CANCELLED)
    tx->terminated_func (tx, tx->terminated_data);

  dt_sip_transaction_unref (tx);
}

static void
on_linger_done (gpointer user_data)
{
  DtSipTransaction *tx = user_data;

  tx->linger_timer = 0;
  terminate (tx, DT_SIP_TRANSACTION_END_NORMAL);
}

/* Timers D, I, J, K, L and M: wait, then terminate. Zero on a reliable
 * transport terminates at once. */
static void
linger (DtSipTransaction *tx,
        guint             ms)
{
  stop_timer (tx, &tx->linger_timer);

  if (ms == 0)
    terminate (tx, DT_SIP_TRANSACTION_END_NORMAL);
  else
    tx->linger_timer = dt_clock_add (tx->layer->clock, ms, on_linger_done, tx);
}

static void
on_timeout (gpointer user_data)
{
  DtSipTransaction *tx = user_data;

  tx->timeout_timer = 0;
  terminate (tx, DT_SIP_TRANSACTION_END_TIMEOUT);
}

static void on_retransmit (gpointer user_data);

static void
arm_retransmit (DtSipTransaction *tx)
{
  tx->retransmit_timer = dt_clock_add (tx->layer->clock, tx->interval_ms, on_retransmit, tx);
}

static void
on_retransmit (gpointer user_data)
{
  DtSipTransaction *tx = user_data;
  DtSipMessage *message;

  tx->retransmit_timer = 0;

  switch (tx->kind)
    {
    case DT_SIP_TRANSACTION_CLIENT_INVITE:
      /* §17.1.1.2: timer A doubles without a cap. */
      message = tx->request;
      tx->interval_ms *= 2;
      break;
    case DT_SIP_TRANSACTION_CLIENT_NON_INVITE:
      /* §17.1.2.2: timer E doubles up to T2 while Trying, and is T2 once a
       * provisional response has come. */
      message = tx->request;
      tx->interval_ms = tx->state == DT_SIP_TRANSACTION_PROCEEDING
                        ? t2 (tx) : MIN (tx->interval_ms * 2, t2 (tx));
      break;
    case DT_SIP_TRANSACTION_SERVER_INVITE:
      /* §17.2.1: timer G doubles up to T2. */
      message = tx->last_response;
      tx->interval_ms = MIN (tx->interval_ms * 2, t2 (tx));
      break;
    case DT_SIP_TRANSACTION_SERVER_NON_INVITE:
    default:
      g_assert_not_reached ();
    }

  dt_sip_message_ref (message);
  if (send_message (tx, message))
    arm_retransmit (tx);
  dt_sip_message_unref (message);
}

static void
start_retransmit (DtSipTransaction *tx)
{
  if (tx->reliable)
    return;

  tx->interval_ms = t1 (tx);
  arm_retransmit (tx);
}

/* §17.1.1.3: the ACK for a non-2xx final response belongs to the
 * transaction: same Request-URI, Call-ID, From, top Via (so the same
 * branch) and Route as the INVITE, the To of the response, CSeq method
 * ACK. */
static DtSipMessage *
build_ack (DtSipMessage *invite,
           DtSipMessage *response)
{
  DtSipMessage *ack = dt_sip_message_new_request ("ACK", dt_sip_message_get_request_uri (invite));
  g_auto(GStrv) vias = dt_sip_message_get_header_values (invite, "Via");
  g_auto(GStrv) routes = dt_sip_message_get_header_values (invite, "Route");
  g_autofree char *cseq = NULL;
  guint32 number = 0;
  const char *method;

  dt_sip_message_get_cseq (invite, &number, &method);
  cseq = g_strdup_printf ("%u ACK", number);

  if (vias && vias[0])
    dt_sip_message_append_header (ack, "Via", vias[0]);
  dt_sip_message_append_header (ack, "Max-Forwards", "70");
  dt_sip_message_append_header (ack, "From", dt_sip_message_get_header (invite, "From"));
  dt_sip_message_append_header (ack, "To", dt_sip_message_get_header (response, "To"));
  dt_sip_message_append_header (ack, "Call-ID", dt_sip_message_get_call_id (invite));
  dt_sip_message_append_header (ack, "CSeq", cseq);
  for (guint i = 0; routes && routes[i]; i++)
    dt_sip_message_append_header (ack, "Route", routes[i]);

  return ack;
}

static void
set_last_response (DtSipTransaction *tx,
                   DtSipMessage     *response)
{
  dt_sip_message_ref (response);
  g_clear_pointer (&tx->last_response, dt_sip_message_unref);
  tx->last_response = response;
}

static void
client_receive (DtSipTransaction *tx,
                DtSipMessage     *response)
{
  guint code = dt_sip_message_get_status_code (response);

  dt_sip_transaction_ref (tx);

  if (tx->kind == DT_SIP_TRANSACTION_CLIENT_INVITE)
    {
      switch (tx->state)
        {
        case DT_SIP_TRANSACTION_CALLING:
        case DT_SIP_TRANSACTION_PROCEEDING:
          set_last_response (tx, response);
          if (code < 200)
            {
              /* §17.1.1.2: no more retransmissions once the far end has
               * answered, and no timeout while it is proceeding. */
              stop_timer (tx, &tx->retransmit_timer);
              stop_timer (tx, &tx->timeout_timer);
              tx->state = DT_SIP_TRANSACTION_PROCEEDING;
              deliver_response (tx, response);
            }
          else if (code < 300)
            {
              /* RFC 6026 §7.2: Accepted, for 64·T1 (timer M). */
              stop_all_timers (tx);
              tx->state = DT_SIP_TRANSACTION_ACCEPTED;
              linger (tx, 64 * t1 (tx));
              deliver_response (tx, response);
            }
          else
            {
              stop_all_timers (tx);
              tx->state = DT_SIP_TRANSACTION_COMPLETED;
              tx->ack = build_ack (tx->request, response);
              if (send_message (tx, tx->ack))
                {
                  deliver_response (tx, response);
                  /* Timer D: at least 32 s on UDP to answer retransmitted
                   * finals with the ACK; 64·T1 is 32 s at the default T1. */
                  if (tx->layer != NULL)
                    linger (tx, tx->reliable ? 0 : 64 * t1 (tx));
                }
            }
          break;
        case DT_SIP_TRANSACTION_ACCEPTED:
          /* RFC 6026 §7.2: further 2xx (from forks) go to the TU. */
          if (code >= 200 && code < 300)
            deliver_response (tx, response);
          break;
        case DT_SIP_TRANSACTION_COMPLETED:
          /* §17.1.1.2: a retransmitted final gets the ACK again. */
          if (code >= 300)
            send_message (tx, tx->ack);
          break;
        case DT_SIP_TRANSACTION_TRYING:
        case DT_SIP_TRANSACTION_CONFIRMED:
        case DT_SIP_TRANSACTION_TERMINATED:
        default:
          break;
        }
    }
  else
    {
      switch (tx->state)
        {
        case DT_SIP_TRANSACTION_TRYING:
        case DT_SIP_TRANSACTION_PROCEEDING:
          set_last_response (tx, response);
          if (code < 200)
            {
              tx->state = DT_SIP_TRANSACTION_PROCEEDING;
              deliver_response (tx, response);
            }
          else
            {
              stop_all_timers (tx);
              tx->state = DT_SIP_TRANSACTION_COMPLETED;
              deliver_response (tx, response);
              /* Timer K absorbs retransmitted responses. */
              if (tx->layer != NULL)
                linger (tx, tx->reliable ? 0 : t4 (tx));
            }
          break;
        case DT_SIP_TRANSACTION_CALLING:
        case DT_SIP_TRANSACTION_COMPLETED:
        case DT_SIP_TRANSACTION_CONFIRMED:
        case DT_SIP_TRANSACTION_ACCEPTED:
        case DT_SIP_TRANSACTION_TERMINATED:
        default:
          break;
        }
    }

  dt_sip_transaction_unref (tx);
}

static void
server_receive (DtSipTransaction *tx,
                DtSipMessage     *request,
                gpointer          peer)
{
  DtSipTransactionLayer *layer = tx->layer;
  gboolean is_ack = g_strcmp0 (dt_sip_message_get_method (request), "ACK") == 0;

  dt_sip_transaction_ref (tx);

  if (tx->kind == DT_SIP_TRANSACTION_SERVER_INVITE)
    {
      switch (tx->state)
        {
        case DT_SIP_TRANSACTION_PROCEEDING:
          /* §17.2.1: a retransmitted INVITE gets the last provisional. */
          if (!is_ack && tx->last_response)
            send_message (tx, tx->last_response);
          break;
        case DT_SIP_TRANSACTION_COMPLETED:
          if (is_ack)
            {
              stop_all_timers (tx);
              tx->state = DT_SIP_TRANSACTION_CONFIRMED;
              /* Timer I absorbs retransmitted ACKs. */
              linger (tx, tx->reliable ? 0 : t4 (tx));
            }
          else
            {
              send_message (tx, tx->last_response);
            }
          break;
        case DT_SIP_TRANSACTION_ACCEPTED:
          /* RFC 6026 §8.5, §8.7: INVITE retransmissions are absorbed; the
           * ACK to the 2xx goes to the dialog. */
          if (is_ack)
            layer->callbacks.request (layer, NULL, request, peer, layer->user_data);
          break;
        case DT_SIP_TRANSACTION_CALLING:
        case DT_SIP_TRANSACTION_TRYING:
        case DT_SIP_TRANSACTION_CONFIRMED:
        case DT_SIP_TRANSACTION_TERMINATED:
        default:
          break;
        }
    }
  else
    {
      /* §17.2.2: Trying discards retransmissions; Proceeding and Completed
       * repeat the last response. */
      if ((tx->state == DT_SIP_TRANSACTION_PROCEEDING
           || tx->state == DT_SIP_TRANSACTION_COMPLETED)
          && tx->last_response)
        send_message (tx, tx->last_response);
    }

  dt_sip_transaction_unref (tx);
}

static DtSipTransaction *
transaction_new (DtSipTransactionLayer *layer,
                 DtSipTransactionKind   kind,
                 DtSipMessage          *request,
                 char                  *key,
                 gpointer               peer,
                 gboolean               reliable)
{
  DtSipTransaction *tx = g_new0 (DtSipTransaction, 1);

  g_atomic_ref_count_init (&tx->ref_count);
  tx->layer = layer;
  tx->kind = kind;
  tx->request = dt_sip_message_ref (request);
  tx->key = key;
  tx->peer = peer;
  tx->peer_free = layer->peer_free;
  tx->reliable = reliable;

  /* The table's reference; dropped when the transaction terminates. */
  g_hash_table_insert (layer->transactions, tx->key, tx);
  return tx;
}

static void
free_peer (DtSipTransactionLayer *self,
           gpointer               peer)
{
  if (peer != NULL && self->peer_free != NULL)
    self->peer_free (peer);
}

/**
 * dt_sip_transaction_layer_new:
 * @clock: where timers run
 * @timers: (nullable): T1, T2 and T4; %NULL for RFC 3261's defaults
 * @callbacks: how messages leave and arrive
 * @peer_free: (nullable): frees the transport's peer handles
 *
 * Returns: (transfer full): a new transaction layer
 */
DtSipTransactionLayer *
dt_sip_transaction_layer_new (DtClock                           *clock,
                              const DtSipTimers                    *timers,
                              const DtSipTransactionLayerCallbacks *callbacks,
                              GDestroyNotify                        peer_free,
                              gpointer                              user_data)
{
  DtSipTransactionLayer *self;

  g_return_val_if_fail (clock != NULL, NULL);
  g_return_val_if_fail (callbacks != NULL && callbacks->send != NULL
                        && callbacks->request != NULL, NULL);

  self = g_new0 (DtSipTransactionLayer, 1);
  self->clock = dt_clock_ref (clock);
  if (timers)
    self->timers = *timers;
  else
    self->timers = (DtSipTimers) { DT_SIP_T1_MS, DT_SIP_T2_MS, DT_SIP_T4_MS };
  self->callbacks = *callbacks;
  self->peer_free = peer_free;
  self->user_data = user_data;
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) dt_sip_transaction_unref);
  return self;
}

/**
 * dt_sip_transaction_layer_free:
 *
 * Ends every transaction without telling its user, stops their timers and
 * frees the layer.
 */
void
dt_sip_transaction_layer_free (DtSipTransactionLayer *self)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) live = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_transaction_unref);

  g_return_if_fail (self != NULL);

  g_hash_table_iter_init (&iter, self->transactions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (live, dt_sip_transaction_ref (value));

  for (guint i = 0; i < live->len; i++)
    terminate (g_ptr_array_index (live, i), DT_SIP_TRANSACTION_END_CANCELLED);

  g_hash_table_unref (self->transactions);
  dt_clock_unref (self->clock);
  g_free (self);
}

/**
 * dt_sip_transaction_layer_get_clock:
 *
 * Returns: (transfer none): the layer's clock
 */
DtClock *
dt_sip_transaction_layer_get_clock (DtSipTransactionLayer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->clock;
}

guint
dt_sip_transaction_layer_get_n_transactions (DtSipTransactionLayer *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_hash_table_size (self->transactions);
}

/**
 * dt_sip_transaction_layer_send_request:
 * @request: a request with a top Via carrying a fresh branch; not ACK
 * @peer: (transfer full): where to send it; freed with the transaction
 * @reliable: whether the transport is TCP or TLS (no retransmissions)
 * @on_response: called with each response, and with %NULL if the
 *   transaction ends without a final one
 *
 * Starts a client transaction and sends the request.
 *
 * Returns: (transfer none): the transaction, owned by the layer while it
 *   lives; %NULL with @error set if the request cannot start one
 */
DtSipTransaction *
dt_sip_transaction_layer_send_request (DtSipTransactionLayer  *self,
                                       DtSipMessage           *request,
                                       gpointer                peer,
                                       gboolean                reliable,
                                       DtSipResponseFunc       on_response,
                                       gpointer                user_data,
                                       GError                **error)
{
  DtSipTransaction *tx;
  const char *method;
  char *key;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (request != NULL && dt_sip_message_is_request (request), NULL);

  method = dt_sip_message_get_method (request);
  key = client_key (request);

  if (g_str_equal (method, "ACK") || key == NULL
      || !g_str_has_prefix (dt_sip_message_get_top_via_branch (request), MAGIC_COOKIE))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A %s request cannot start a client transaction: it needs a top Via with a "
                   "z9hG4bK branch and a CSeq, and must not be an ACK", method);
      g_free (key);
      free_peer (self, peer);
      return NULL;
    }

  if (g_hash_table_contains (self->transactions, key))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "A transaction with branch %s is running already",
                   dt_sip_message_get_top_via_branch (request));
      g_free (key);
      free_peer (self, peer);
      return NULL;
    }

  tx = transaction_new (self,
                        g_str_equal (method, "INVITE") ? DT_SIP_TRANSACTION_CLIENT_INVITE
                                                       : DT_SIP_TRANSACTION_CLIENT_NON_INVITE,
                        request, key, peer, reliable);
  tx->state = tx->kind == DT_SIP_TRANSACTION_CLIENT_INVITE ? DT_SIP_TRANSACTION_CALLING
                                                           : DT_SIP_TRANSACTION_TRYING;

  /* A first send that fails is reported here, not through on_response. */
  if (!send_message (tx, tx->request))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The request could not be sent");
      return NULL;
    }

  tx->on_response = on_response;
  tx->user_data = user_data;

  /* §17.1.1.2 timers A and B; §17.1.2.2 timers E and F. */
  start_retransmit (tx);
  tx->timeout_timer = dt_clock_add (self->clock, 64 * self->timers.t1_ms, on_timeout, tx);

  return tx;
}

/**
 * dt_sip_transaction_layer_receive:
 * @message: a request or response from the transport
 * @peer: (transfer full): where it came from
 * @reliable: whether it came over TCP or TLS
 *
 * Hands a message to the transaction it belongs to (§17.1.3, §17.2.3), or
 * starts a server transaction for a new request, or passes it on through
 * the layer's callbacks.
 */
void
dt_sip_transaction_layer_receive (DtSipTransactionLayer *self,
                                  DtSipMessage          *message,
                                  gpointer               peer,
                                  gboolean               reliable)
{
  g_autofree char *key = NULL;
  DtSipTransaction *tx;

  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL);

  if (!dt_sip_message_is_request (message))
    {
      key = client_key (message);
      tx = key ? g_hash_table_lookup (self->transactions, key) : NULL;
      if (tx != NULL)
        client_receive (tx, message);
      else if (self->callbacks.stray_response)
        self->callbacks.stray_response (self, message, peer, self->user_data);
      free_peer (self, peer);
      return;
    }

  key = server_key (message);
  if (key == NULL)
    {
      free_peer (self, peer);
      return;
    }

  tx = g_hash_table_lookup (self->transactions, key);
  if (tx != NULL)
    {
      server_receive (tx, message, peer);
      free_peer (self, peer);
      return;
    }

  if (g_str_equal (dt_sip_message_get_method (message), "ACK"))
    {
      /* An ACK matching no transaction acknowledges a 2xx: the dialog's. */
      self->callbacks.request (self, NULL, message, peer, self->user_data);
      free_peer (self, peer);
      return;
    }

  tx = transaction_new (self,
                        g_str_equal (dt_sip_message_get_method (message), "INVITE")
                        ? DT_SIP_TRANSACTION_SERVER_INVITE
                        : DT_SIP_TRANSACTION_SERVER_NON_INVITE,
                        message, g_steal_pointer (&key), peer, reliable);

  dt_sip_transaction_ref (tx);
  if (tx->kind == DT_SIP_TRANSACTION_SERVER_INVITE)
    {
      g_autoptr(DtSipMessage) trying = dt_sip_message_new_response_for (message, 100, "Trying",
                                                                        NULL);

      /* §17.2.1: 100 Trying at once rather than guessing whether the TU
       * answers within 200 ms. */
      tx->state = DT_SIP_TRANSACTION_PROCEEDING;
      set_last_response (tx, trying);
      send_message (tx, trying);
    }
  else
    {
      tx->state = DT_SIP_TRANSACTION_TRYING;
    }

  if (tx->layer != NULL)
    self->callbacks.request (self, tx, message, tx->peer, self->user_data);
  dt_sip_transaction_unref (tx);
}

/**
 * dt_sip_transaction_layer_find_invite:
 * @cancel: a CANCEL request
 *
 * Finds the INVITE server transaction a CANCEL is for (§9.2).
 *
 * Returns: (transfer none) (nullable): the transaction
 */
DtSipTransaction *
dt_sip_transaction_layer_find_invite (DtSipTransactionLayer *self,
                                      DtSipMessage          *cancel)
{
  DtSipVia *via;
  g_autofree char *sent_by = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (cancel != NULL, NULL);

  via = dt_sip_message_get_top_via (cancel);
  if (via == NULL || via->branch == NULL || !g_str_has_prefix (via->branch, MAGIC_COOKIE))
    return NULL;

  sent_by = via_sent_by (via);
  key = g_strdup_printf ("s|%s|%s|INVITE", via->branch, sent_by);
  return g_hash_table_lookup (self->transactions, key);
}

DtSipTransaction *
dt_sip_transaction_ref (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_sip_transaction_unref (DtSipTransaction *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_pointer (&self->request, dt_sip_message_unref);
  g_clear_pointer (&self->last_response, dt_sip_message_unref);
  g_clear_pointer (&self->ack, dt_sip_message_unref);
  if (self->peer && self->peer_free)
    self->peer_free (self->peer);
  if (self->user_data_free)
    self->user_data_free (self->user_data);
  g_free (self->key);
  g_free (self);
}

DtSipTransactionKind
dt_sip_transaction_get_kind (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, DT_SIP_TRANSACTION_CLIENT_NON_INVITE);

  return self->kind;
}

DtSipTransactionState
dt_sip_transaction_get_state (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, DT_SIP_TRANSACTION_TERMINATED);

  return self->state;
}

/**
 * dt_sip_transaction_get_end:
 *
 * Returns: how the transaction ended, or %DT_SIP_TRANSACTION_END_NONE
 */
DtSipTransactionEnd
dt_sip_transaction_get_end (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, DT_SIP_TRANSACTION_END_NONE);

  return self->end;
}

/**
 * dt_sip_transaction_get_request:
 *
 * Returns: (transfer none): the request that started the transaction
 */
DtSipMessage *
dt_sip_transaction_get_request (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->request;
}

/**
 * dt_sip_transaction_get_last_response:
 *
 * Returns: (transfer none) (nullable): the last response sent or received
 */
DtSipMessage *
dt_sip_transaction_get_last_response (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->last_response;
}

/**
 * dt_sip_transaction_get_peer:
 *
 * Returns: (transfer none): the transport's handle for the far end
 */
gpointer
dt_sip_transaction_get_peer (DtSipTransaction *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->peer;
}

/**
 * dt_sip_transaction_respond:
 * @response: a response to the transaction's request
 *
 * Sends a response through a server transaction. A final response moves it
 * on: a 2xx to an INVITE to Accepted (the TU then retransmits the 2xx
 * itself, §13.3.1.4, through this function), any other final response to
 * Completed, where the transaction retransmits it.
 *
 * Returns: %TRUE if the response was sent
 */
gboolean
dt_sip_transaction_respond (DtSipTransaction  *self,
                            DtSipMessage      *response,
                            GError           **error)
{
  guint code;
  gboolean final;
  gboolean sent;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (response != NULL && !dt_sip_message_is_request (response), FALSE);

  code = dt_sip_message_get_status_code (response);
  final = code >= 200;

  if (self->kind != DT_SIP_TRANSACTION_SERVER_INVITE
      && self->kind != DT_SIP_TRANSACTION_SERVER_NON_INVITE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Only a server transaction sends responses");
      return FALSE;
    }

  switch (self->state)
    {
    case DT_SIP_TRANSACTION_TRYING:
    case DT_SIP_TRANSACTION_PROCEEDING:
      break;
    case DT_SIP_TRANSACTION_ACCEPTED:
      /* RFC 6026 §8.7: the TU's 2xx retransmissions pass through. */
      if (code >= 200 && code < 300)
        break;
      G_GNUC_FALLTHROUGH;
    case DT_SIP_TRANSACTION_CALLING:
    case DT_SIP_TRANSACTION_COMPLETED:
    case DT_SIP_TRANSACTION_CONFIRMED:
    case DT_SIP_TRANSACTION_TERMINATED:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The transaction has sent its final response already (%s)",
                   dt_sip_transaction_state_to_string (self->state));
      return FALSE;
    }

  dt_sip_transaction_ref (self);
  set_last_response (self, response);

  if (!final)
    {
      self->state = DT_SIP_TRANSACTION_PROCEEDING;
    }
  else if (self->kind == DT_SIP_TRANSACTION_SERVER_INVITE && code < 300)
    {
      if (self->state != DT_SIP_TRANSACTION_ACCEPTED)
        {
          /* RFC 6026 §8.4: timer L. */
          self->state = DT_SIP_TRANSACTION_ACCEPTED;
          linger (self, 64 * t1 (self));
        }
    }
  else if (self->kind == DT_SIP_TRANSACTION_SERVER_INVITE)
    {
      /* §17.2.1: timers G and H. */
      self->state = DT_SIP_TRANSACTION_COMPLETED;
      start_retransmit (self);
      self->timeout_timer = dt_clock_add (self->layer->clock, 64 * t1 (self),
                                              on_timeout, self);
    }
  else
    {
      /* §17.2.2: timer J. */
      self->state = DT_SIP_TRANSACTION_COMPLETED;
    }

  sent = send_message (self, response);
  if (sent && final && self->layer != NULL
      && self->kind == DT_SIP_TRANSACTION_SERVER_NON_INVITE)
    linger (self, self->reliable ? 0 : 64 * t1 (self));

  dt_sip_transaction_unref (self);

  if (!sent)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The response could not be sent");

  return sent;
}

/**
 * dt_sip_transaction_set_user_data_free:
 * @free_func: (nullable): frees the user data given to
 *   dt_sip_transaction_layer_send_request()
 *
 * Frees the response function's data with the transaction itself, whether
 * it terminated or the layer was freed first.
 */
void
dt_sip_transaction_set_user_data_free (DtSipTransaction *self,
                                       GDestroyNotify    free_func)
{
  g_return_if_fail (self != NULL);

  self->user_data_free = free_func;
}

/**
 * dt_sip_transaction_set_terminated_func:
 *
 * Calls @func once the transaction terminates on its own (not when the
 * layer is freed).
 */
void
dt_sip_transaction_set_terminated_func (DtSipTransaction *self,
                                        GFunc             func,
                                        gpointer          user_data)
{
  g_return_if_fail (self != NULL);

  self->terminated_func = func;
  self->terminated_data = user_data;
}

const char *
dt_sip_transaction_state_to_string (DtSipTransactionState state)
{
  switch (state)
    {
    case DT_SIP_TRANSACTION_CALLING:
      return "calling";
    case DT_SIP_TRANSACTION_TRYING:
      return "trying";
    case DT_SIP_TRANSACTION_PROCEEDING:
      return "proceeding";
    case DT_SIP_TRANSACTION_COMPLETED:
      return "completed";
    case DT_SIP_TRANSACTION_CONFIRMED:
      return "confirmed";
    case DT_SIP_TRANSACTION_ACCEPTED:
      return "accepted";
    case DT_SIP_TRANSACTION_TERMINATED:
      return "terminated";
    default:
      return "unknown";
    }
}

/**
 * dt_sip_branch_new:
 *
 * Returns: (transfer full): a new Via branch with the RFC 3261 §8.1.1.7
 *   magic cookie, unique in space and time
 */
char *
dt_sip_branch_new (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *branch = g_string_new (MAGIC_COOKIE);

  for (const char *p = uuid; *p; p++)
    {
      if (*p != '-')
        g_string_append_c (branch, *p);
    }

  return g_string_free (branch, FALSE);
}
