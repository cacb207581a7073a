/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-client.c
 *
 * Each pending request is a Transaction that owns its GTask. Timers come
 * from a DtClock, so tests wind the RFC 8489 §6.2.1 schedule by hand.
 * The transport stays with the owner: it sends through the send function
 * and feeds every decoded STUN message back through
 * dt_stun_client_handle_message(), which says whether one was ours.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <string.h>

#include "dt-stun-client.h"

enum {
  PROP_0,
  PROP_RELIABLE,
  PROP_CLOCK,
  PROP_RTO,
  PROP_MAX_TRANSMISSIONS,
  PROP_LAST_WAIT_FACTOR,
  PROP_RELIABLE_TIMEOUT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtStunClient
{
  GObject               parent_instance;

  gboolean              reliable;
  DtClock          *clock;
  guint                 rto_ms;
  guint                 max_transmissions;
  guint                 last_wait_factor;
  guint                 reliable_timeout_ms;

  DtStunClientSendFunc  send_func;
  gpointer              send_data;
  GDestroyNotify        send_destroy;

  GList                *transactions;   /* Transaction */
};

typedef struct {
  DtStunClient *client;        /* unowned; the task holds a reference */
  GTask        *task;
  GBytes       *request;
  GBytes       *key;
  guint8        transaction_id[DT_STUN_TRANSACTION_ID_LENGTH];
  guint16       method;
  guint         transmissions;
  guint         rto_ms;
  guint         timer_id;
  GCancellable *cancellable;
  gulong        cancelled_id;
  gboolean      cancelled;
} Transaction;

G_DEFINE_TYPE (DtStunClient, dt_stun_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-stun-client-error-quark, dt_stun_client_error)

static void
transaction_free (Transaction *transaction)
{
  g_bytes_unref (transaction->request);
  g_clear_pointer (&transaction->key, g_bytes_unref);
  g_free (transaction);
}

/* Detaches the transaction from its client and timers, then completes its
 * task with @message (taken) or @error (taken). */
static void
transaction_complete (Transaction   *transaction,
                      DtStunMessage *message,
                      GError        *error)
{
  DtStunClient *self = transaction->client;
  g_autoptr(GTask) task = g_steal_pointer (&transaction->task);

  self->transactions = g_list_remove (self->transactions, transaction);
  if (transaction->timer_id != 0)
    dt_clock_remove (self->clock, transaction->timer_id);
  if (transaction->cancelled_id != 0)
    g_signal_handler_disconnect (transaction->cancellable, transaction->cancelled_id);
  transaction_free (transaction);

  if (message != NULL)
    g_task_return_pointer (task, message, (GDestroyNotify) dt_stun_message_free);
  else
    g_task_return_error (task, error);
}

static void on_retransmit_timer (gpointer user_data);

static gboolean
transaction_send (Transaction  *transaction,
                  GError      **error)
{
  DtStunClient *self = transaction->client;

  if (self->send_func == NULL)
    {
      g_set_error_literal (error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_SEND_FAILED,
                           "Not connected to the server");
      return FALSE;
    }

  transaction->transmissions++;
  return self->send_func (self, transaction->request, self->send_data, error);
}

static void
on_timeout_timer (gpointer user_data)
{
  Transaction *transaction = user_data;
  DtStunClient *self = transaction->client;
  guint tenths = (dt_stun_client_get_total_timeout (self) + 50) / 100;

  transaction->timer_id = 0;
  transaction_complete (transaction, NULL,
                        g_error_new (DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT,
                                     "No answer from the server in %u.%u s",
                                     tenths / 10, tenths % 10));
}

/* RFC 8489 §6.2.1: resend at RTO, 3×RTO, 7×RTO… until Rc requests have gone
 * out, then wait Rm×RTO for the last one. */
static void
on_retransmit_timer (gpointer user_data)
{
  Transaction *transaction = user_data;
  DtStunClient *self = transaction->client;
  g_autoptr(GError) error = NULL;

  transaction->timer_id = 0;

  if (!transaction_send (transaction, &error))
    {
      transaction_complete (transaction, NULL, g_steal_pointer (&error));
      return;
    }

  transaction->rto_ms *= 2;
  if (transaction->transmissions < self->max_transmissions)
    transaction->timer_id = dt_clock_add (self->clock, transaction->rto_ms,
                                               on_retransmit_timer, transaction);
  else
    transaction->timer_id = dt_clock_add (self->clock,
                                               self->rto_ms * self->last_wait_factor,
                                               on_timeout_timer, transaction);
}

static gboolean
complete_cancelled_in_idle (gpointer user_data)
{
  Transaction *transaction = user_data;

  transaction_complete (transaction, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Transaction *transaction = user_data;
  g_autoptr(GSource) source = g_idle_source_new ();

  /* The signal may fire from g_cancellable_cancel() deep inside a caller;
   * finish from the main context so no caller sees its own callback run
   * re-entrantly. The timers stay off meanwhile. */
  g_signal_handler_disconnect (cancellable, transaction->cancelled_id);
  transaction->cancelled_id = 0;
  transaction->cancelled = TRUE;
  if (transaction->timer_id != 0)
    dt_clock_remove (transaction->client->clock, transaction->timer_id);
  transaction->timer_id = 0;

  g_source_set_callback (source, complete_cancelled_in_idle, transaction, NULL);
  g_source_set_static_name (source, "[dialtone] stun cancel");
  g_source_attach (source, g_task_get_context (transaction->task));
}

/* RFC 8489 §6.3.1, §9.1.4, §9.2.5: a response that carries integrity must
 * verify with the request's key, or it is discarded as if never received. A
 * success without integrity to an authenticated request is discarded too.
 * An error may come without it, since the server may not know the key
 * (401, 438, 441). */
static gboolean
response_is_acceptable (Transaction         *transaction,
                        const DtStunMessage *message)
{
  g_autoptr(GError) error = NULL;

  if (transaction->key == NULL)
    return TRUE;

  if (!dt_stun_message_has_integrity (message))
    {
      if (dt_stun_message_get_class (message) == DT_STUN_CLASS_ERROR)
        return TRUE;
      g_debug ("Ignoring a success response without MESSAGE-INTEGRITY");
      return FALSE;
    }

  if (!dt_stun_message_verify_integrity (message, transaction->key, &error))
    {
      g_debug ("Ignoring a response: %s", error->message);
      return FALSE;
    }

  return TRUE;
}

static void
dt_stun_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtStunClient *self = DT_STUN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_RELIABLE:
      g_value_set_boolean (value, self->reliable);
      break;
    case PROP_CLOCK:
      g_value_set_boxed (value, self->clock);
      break;
    case PROP_RTO:
      g_value_set_uint (value, self->rto_ms);
      break;
    case PROP_MAX_TRANSMISSIONS:
      g_value_set_uint (value, self->max_transmissions);
      break;
    case PROP_LAST_WAIT_FACTOR:
      g_value_set_uint (value, self->last_wait_factor);
      break;
    case PROP_RELIABLE_TIMEOUT:
      g_value_set_uint (value, self->reliable_timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_stun_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtStunClient *self = DT_STUN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_RELIABLE:
      self->reliable = g_value_get_boolean (value);
      break;
    case PROP_CLOCK:
      g_clear_pointer (&self->clock, dt_clock_unref);
      self->clock = g_value_dup_boxed (value);
      break;
    case PROP_RTO:
      dt_stun_client_set_rto (self, g_value_get_uint (value));
      break;
    case PROP_MAX_TRANSMISSIONS:
      dt_stun_client_set_max_transmissions (self, g_value_get_uint (value));
      break;
    case PROP_LAST_WAIT_FACTOR:
      dt_stun_client_set_last_wait_factor (self, g_value_get_uint (value));
      break;
    case PROP_RELIABLE_TIMEOUT:
      dt_stun_client_set_reliable_timeout (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_stun_client_constructed (GObject *object)
{
  DtStunClient *self = DT_STUN_CLIENT (object);

  G_OBJECT_CLASS (dt_stun_client_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = dt_clock_new_system ();
}

static void
dt_stun_client_finalize (GObject *object)
{
  DtStunClient *self = DT_STUN_CLIENT (object);

  /* Every pending task holds a reference, so nothing is pending here. */
  g_assert (self->transactions == NULL);

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  g_clear_pointer (&self->clock, dt_clock_unref);

  G_OBJECT_CLASS (dt_stun_client_parent_class)->finalize (object);
}

static void
dt_stun_client_class_init (DtStunClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_stun_client_get_property;
  object_class->set_property = dt_stun_client_set_property;
  object_class->constructed = dt_stun_client_constructed;
  object_class->finalize = dt_stun_client_finalize;

  /**
   * DtStunClient:reliable:
   *
   * Whether the transport is a stream (TCP, TLS): then each request is sent
   * once and times out after #DtStunClient:reliable-timeout.
   */
  props[PROP_RELIABLE] =
    g_param_spec_boolean ("reliable", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtStunClient:clock:
   *
   * Where the timers run; the system clock when not given.
   */
  props[PROP_CLOCK] =
    g_param_spec_boxed ("clock", NULL, NULL, DT_TYPE_CLOCK,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtStunClient:rto:
   *
   * The initial retransmission timeout in milliseconds (RFC 8489 §6.2.1).
   */
  props[PROP_RTO] =
    g_param_spec_uint ("rto", NULL, NULL, 1, 60000, DT_STUN_CLIENT_DEFAULT_RTO_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtStunClient:max-transmissions:
   *
   * Rc, how many times a request goes out over UDP (RFC 8489 §6.2.1).
   */
  props[PROP_MAX_TRANSMISSIONS] =
    g_param_spec_uint ("max-transmissions", NULL, NULL, 1, 20,
                       DT_STUN_CLIENT_DEFAULT_MAX_TRANSMISSIONS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtStunClient:last-wait-factor:
   *
   * Rm: after the last transmission, wait this many initial RTOs.
   */
  props[PROP_LAST_WAIT_FACTOR] =
    g_param_spec_uint ("last-wait-factor", NULL, NULL, 1, 1000,
                       DT_STUN_CLIENT_DEFAULT_LAST_WAIT_FACTOR,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtStunClient:reliable-timeout:
   *
   * Over TCP and TLS, how long to wait for the response, in milliseconds.
   */
  props[PROP_RELIABLE_TIMEOUT] =
    g_param_spec_uint ("reliable-timeout", NULL, NULL, 1, 600000,
                       DT_STUN_CLIENT_DEFAULT_RELIABLE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_stun_client_init (DtStunClient *self)
{
  self->rto_ms = DT_STUN_CLIENT_DEFAULT_RTO_MS;
  self->max_transmissions = DT_STUN_CLIENT_DEFAULT_MAX_TRANSMISSIONS;
  self->last_wait_factor = DT_STUN_CLIENT_DEFAULT_LAST_WAIT_FACTOR;
  self->reliable_timeout_ms = DT_STUN_CLIENT_DEFAULT_RELIABLE_TIMEOUT_MS;
}

/**
 * dt_stun_client_new:
 * @reliable: %TRUE over TCP or TLS, %FALSE over UDP or DTLS
 * @clock: (nullable): the clock for timers, or %NULL for the system's
 *
 * Returns: (transfer full): a client with no transport yet; give it one
 *   with dt_stun_client_set_send_func()
 */
DtStunClient *
dt_stun_client_new (gboolean     reliable,
                    DtClock *clock)
{
  return g_object_new (DT_TYPE_STUN_CLIENT, "reliable", reliable, "clock", clock, NULL);
}

/**
 * dt_stun_client_set_send_func:
 * @self: a client
 * @func: (nullable): how requests reach the server
 * @user_data: its data
 * @destroy: (nullable): frees @user_data when replaced or finalized
 *
 * Sets the transport. Pending requests use the new one for their next
 * retransmission.
 */
void
dt_stun_client_set_send_func (DtStunClient         *self,
                              DtStunClientSendFunc  func,
                              gpointer              user_data,
                              GDestroyNotify        destroy)
{
  g_return_if_fail (DT_IS_STUN_CLIENT (self));

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  self->send_func = func;
  self->send_data = user_data;
  self->send_destroy = destroy;
}

/**
 * dt_stun_client_get_reliable:
 * @self: a client
 *
 * Returns: whether requests go over a stream
 */
gboolean
dt_stun_client_get_reliable (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), FALSE);

  return self->reliable;
}

/**
 * dt_stun_client_get_clock:
 * @self: a client
 *
 * Returns: (transfer none): the clock its timers run on
 */
DtClock *
dt_stun_client_get_clock (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), NULL);

  return self->clock;
}

/**
 * dt_stun_client_get_rto:
 * @self: a client
 *
 * Returns: the initial retransmission timeout, in milliseconds
 */
guint
dt_stun_client_get_rto (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  return self->rto_ms;
}

/**
 * dt_stun_client_set_rto:
 * @self: a client
 * @rto_ms: the initial retransmission timeout, in milliseconds
 *
 * Applies to requests started afterwards.
 */
void
dt_stun_client_set_rto (DtStunClient *self,
                        guint         rto_ms)
{
  g_return_if_fail (DT_IS_STUN_CLIENT (self));
  g_return_if_fail (rto_ms > 0);

  if (self->rto_ms == rto_ms)
    return;
  self->rto_ms = rto_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RTO]);
}

/**
 * dt_stun_client_get_max_transmissions:
 * @self: a client
 *
 * Returns: Rc, the number of transmissions over UDP
 */
guint
dt_stun_client_get_max_transmissions (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  return self->max_transmissions;
}

/**
 * dt_stun_client_set_max_transmissions:
 * @self: a client
 * @count: Rc, at least 1
 *
 * Applies to requests started afterwards.
 */
void
dt_stun_client_set_max_transmissions (DtStunClient *self,
                                      guint         count)
{
  g_return_if_fail (DT_IS_STUN_CLIENT (self));
  g_return_if_fail (count > 0);

  if (self->max_transmissions == count)
    return;
  self->max_transmissions = count;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_TRANSMISSIONS]);
}

/**
 * dt_stun_client_get_last_wait_factor:
 * @self: a client
 *
 * Returns: Rm
 */
guint
dt_stun_client_get_last_wait_factor (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  return self->last_wait_factor;
}

/**
 * dt_stun_client_set_last_wait_factor:
 * @self: a client
 * @factor: Rm, at least 1
 *
 * Applies to requests started afterwards.
 */
void
dt_stun_client_set_last_wait_factor (DtStunClient *self,
                                     guint         factor)
{
  g_return_if_fail (DT_IS_STUN_CLIENT (self));
  g_return_if_fail (factor > 0);

  if (self->last_wait_factor == factor)
    return;
  self->last_wait_factor = factor;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LAST_WAIT_FACTOR]);
}

/**
 * dt_stun_client_get_reliable_timeout:
 * @self: a client
 *
 * Returns: the TCP/TLS transaction timeout, in milliseconds
 */
guint
dt_stun_client_get_reliable_timeout (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  return self->reliable_timeout_ms;
}

/**
 * dt_stun_client_set_reliable_timeout:
 * @self: a client
 * @timeout_ms: the TCP/TLS transaction timeout, in milliseconds
 *
 * Applies to requests started afterwards.
 */
void
dt_stun_client_set_reliable_timeout (DtStunClient *self,
                                     guint         timeout_ms)
{
  g_return_if_fail (DT_IS_STUN_CLIENT (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->reliable_timeout_ms == timeout_ms)
    return;
  self->reliable_timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RELIABLE_TIMEOUT]);
}

/**
 * dt_stun_client_get_total_timeout:
 * @self: a client
 *
 * Returns: how long a request waits, from its first transmission, before it
 *   fails: over UDP RTO × (2^Rc − 1 + Rm − 2^(Rc−1)), 39.5 s with the
 *   defaults; over a stream #DtStunClient:reliable-timeout
 */
guint
dt_stun_client_get_total_timeout (DtStunClient *self)
{
  guint64 total = 0;
  guint64 rto;

  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  if (self->reliable)
    return self->reliable_timeout_ms;

  rto = self->rto_ms;
  for (guint i = 1; i < self->max_transmissions; i++, rto *= 2)
    total += rto;
  total += (guint64) self->rto_ms * self->last_wait_factor;

  return (guint) MIN (total, G_MAXUINT);
}

/**
 * dt_stun_client_request_async:
 * @self: a client
 * @request: a complete STUN request, as dt_stun_builder_end() gives it
 * @key: (nullable): the key the request was signed with; responses must
 *   then verify with it
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the response
 * @user_data: its data
 *
 * Sends @request and waits for the response with its transaction ID,
 * retransmitting over UDP (RFC 8489 §6.2.1). Error responses are responses:
 * the caller reads their ERROR-CODE.
 */
void
dt_stun_client_request_async (DtStunClient        *self,
                              GBytes              *request,
                              GBytes              *key,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  Transaction *transaction;
  const guint8 *data;
  gsize length;

  g_return_if_fail (DT_IS_STUN_CLIENT (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_stun_client_request_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  data = g_bytes_get_data (request, &length);
  message = dt_stun_message_decode (data, length, &error);
  if (message == NULL || dt_stun_message_get_class (message) != DT_STUN_CLASS_REQUEST)
    {
      g_task_return_new_error (task, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_INVALID_REQUEST,
                               "Not a STUN request%s%s", error ? ": " : "",
                               error ? error->message : "");
      return;
    }

  transaction = g_new0 (Transaction, 1);
  transaction->client = self;
  transaction->task = g_steal_pointer (&task);
  transaction->request = g_bytes_ref (request);
  transaction->key = key != NULL ? g_bytes_ref (key) : NULL;
  memcpy (transaction->transaction_id, dt_stun_message_get_transaction_id (message),
          DT_STUN_TRANSACTION_ID_LENGTH);
  transaction->method = dt_stun_message_get_method (message);
  transaction->rto_ms = self->rto_ms;
  transaction->cancellable = cancellable;
  self->transactions = g_list_prepend (self->transactions, transaction);

  if (cancellable != NULL)
    transaction->cancelled_id = g_signal_connect (cancellable, "cancelled",
                                                  G_CALLBACK (on_cancelled), transaction);

  if (!transaction_send (transaction, &error))
    {
      transaction_complete (transaction, NULL, g_steal_pointer (&error));
      return;
    }

  if (self->reliable)
    transaction->timer_id = dt_clock_add (self->clock, self->reliable_timeout_ms,
                                               on_timeout_timer, transaction);
  else if (self->max_transmissions > 1)
    transaction->timer_id = dt_clock_add (self->clock, transaction->rto_ms,
                                               on_retransmit_timer, transaction);
  else
    transaction->timer_id = dt_clock_add (self->clock,
                                               self->rto_ms * self->last_wait_factor,
                                               on_timeout_timer, transaction);
}

/**
 * dt_stun_client_request_finish:
 * @self: a client
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the response, success or error class, or %NULL
 *   with @error set (#DT_STUN_CLIENT_ERROR, or %G_IO_ERROR_CANCELLED)
 */
DtStunMessage *
dt_stun_client_request_finish (DtStunClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_stun_client_request_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_stun_client_handle_message:
 * @self: a client
 * @message: a message that arrived from the server
 *
 * Completes the pending request @message answers: same transaction ID, same
 * method, a response class, and integrity that verifies when the request
 * was signed. Anything else is left alone.
 *
 * Returns: whether @message completed a request
 */
gboolean
dt_stun_client_handle_message (DtStunClient        *self,
                               const DtStunMessage *message)
{
  DtStunClass klass;

  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  klass = dt_stun_message_get_class (message);
  if (klass != DT_STUN_CLASS_SUCCESS && klass != DT_STUN_CLASS_ERROR)
    return FALSE;

  for (GList *l = self->transactions; l != NULL; l = l->next)
    {
      Transaction *transaction = l->data;
      const guint8 *bytes;
      gsize length;

      if (memcmp (transaction->transaction_id, dt_stun_message_get_transaction_id (message),
                  DT_STUN_TRANSACTION_ID_LENGTH) != 0)
        continue;

      /* Cancelled, waiting for its idle completion */
      if (transaction->cancelled)
        return FALSE;

      if (dt_stun_message_get_method (message) != transaction->method)
        {
          g_debug ("Ignoring a response whose method does not match its request");
          return FALSE;
        }

      if (!response_is_acceptable (transaction, message))
        return FALSE;

      bytes = dt_stun_message_get_bytes (message, &length);
      transaction_complete (transaction, dt_stun_message_decode (bytes, length, NULL), NULL);
      return TRUE;
    }

  return FALSE;
}

/**
 * dt_stun_client_get_n_pending:
 * @self: a client
 *
 * Returns: how many requests wait for a response
 */
guint
dt_stun_client_get_n_pending (DtStunClient *self)
{
  g_return_val_if_fail (DT_IS_STUN_CLIENT (self), 0);

  return g_list_length (self->transactions);
}

/**
 * dt_stun_client_close:
 * @self: a client
 * @reason: (nullable): why, for example the transport's error
 *
 * Fails every pending request with @reason, or with
 * %DT_STUN_CLIENT_ERROR_CLOSED, and drops the transport.
 */
void
dt_stun_client_close (DtStunClient *self,
                      const GError *reason)
{
  g_autoptr(DtStunClient) keep = NULL;
  GList *pending = NULL;

  g_return_if_fail (DT_IS_STUN_CLIENT (self));

  keep = g_object_ref (self);
  dt_stun_client_set_send_func (self, NULL, NULL, NULL);

  /* A cancelled transaction finishes from its idle source. */
  for (GList *l = self->transactions; l != NULL; l = l->next)
    if (!((Transaction *) l->data)->cancelled)
      pending = g_list_prepend (pending, l->data);

  for (GList *l = pending; l != NULL; l = l->next)
    transaction_complete (l->data, NULL,
                          reason != NULL ? g_error_copy (reason)
                          : g_error_new_literal (DT_STUN_CLIENT_ERROR,
                                                 DT_STUN_CLIENT_ERROR_CLOSED,
                                                 "The connection to the server closed"));
  g_list_free (pending);
}
