/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-manager.c
 *
 * Every account's calls; see dt-call-manager.h.
 */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-call-manager.h"

struct _DtCallManager
{
  GObject            parent_instance;

  DtBackendRegistry *registry;
  GListModel        *accounts;
  DtHistory         *history;
  GPtrArray         *unrecorded;    /* DtCall that came before the history */
  DtAccount         *default_account;
  GListStore        *calls;
  GHashTable        *connected;     /* account id → DtAccount we connected */
  GPtrArray         *backends;      /* whose signals we listen to */
  gboolean           started;
};

G_DEFINE_FINAL_TYPE (DtCallManager, dt_call_manager, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-call-manager-error-quark, dt_call_manager_error)

/* --- calls -------------------------------------------------------------- */

/* One call has the line at a time: the person hears one far end, and
 * every other call that is up waits on hold.
 *
 * - A call the person took up (an incoming call answered, a held call
 *   resumed) gets the line, and the call that had it is put on hold:
 *   call waiting as every phone does it.
 * - An outgoing call answered by the far end while another call has the
 *   line, or while an outgoing call placed before it is still being set
 *   up, waits on hold. So two links opened in quick succession give two
 *   calls, the first talking and the second waiting, whichever far end
 *   answers first. */
static gboolean
has_or_awaits_line (DtCall *call)
{
  DtCallState state = dt_call_get_state (call);

  if (state == DT_CALL_STATE_ACTIVE)
    return TRUE;
  return dt_call_get_direction (call) == DT_CALL_DIRECTION_OUTGOING
         && (state == DT_CALL_STATE_DIALING || state == DT_CALL_STATE_RINGING);
}

static void
on_put_on_hold (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The call stays up, only not on hold; the person still hears one far
   * end louder than the other, and can hang up either. */
  if (!dt_call_hold_finish (DT_CALL (source), result, &error))
    g_debug ("Call %s not put on hold: %s", dt_call_get_id (DT_CALL (source)),
             error->message);
}

static void
put_on_hold (DtCall *call)
{
  g_debug ("Call %s waits on hold", dt_call_get_id (call));
  dt_call_hold_async (call, TRUE, NULL, on_put_on_hold, NULL);
}

static void
give_line (DtCallManager *self,
           DtCall        *call,
           DtCallState    previous)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->calls));
  gboolean taken_up = previous == DT_CALL_STATE_HELD
                      || dt_call_get_direction (call) == DT_CALL_DIRECTION_INCOMING;
  gboolean earlier = TRUE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtCall) other = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

      if (other == call)
        {
          earlier = FALSE;
          continue;
        }
      if (taken_up)
        {
          if (dt_call_get_state (other) == DT_CALL_STATE_ACTIVE)
            put_on_hold (other);
        }
      else if (dt_call_get_state (other) == DT_CALL_STATE_ACTIVE
               || (earlier && has_or_awaits_line (other)))
        {
          put_on_hold (call);
          return;
        }
    }
}

#define LAST_STATE_KEY "dt-call-manager-last-state"

/* Calls kept for a history that is still opening; one that never opens
 * must not make the manager grow without end. */
#define MAX_UNRECORDED 64

static void
on_call_state (DtCall     *call,
               GParamSpec *pspec,
               gpointer    user_data)
{
  DtCallManager *self = user_data;
  DtCallState state = dt_call_get_state (call);
  DtCallState previous = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (call), LAST_STATE_KEY));
  guint position;

  if (state == previous)
    return;
  g_object_set_data (G_OBJECT (call), LAST_STATE_KEY, GINT_TO_POINTER (state));
  if (state == DT_CALL_STATE_ACTIVE)
    {
      give_line (self, call, previous);
      return;
    }
  if (state != DT_CALL_STATE_ENDED)
    return;
  g_signal_handlers_disconnect_by_func (call, on_call_state, self);
  if (g_list_store_find (self->calls, call, &position))
    g_list_store_remove (self->calls, position);
}

static void
add_call (DtCallManager *self,
          DtCall        *call)
{
  if (g_list_store_find (self->calls, call, NULL))
    return;
  if (self->history != NULL)
    dt_history_track_call (self->history, call);
  else if (self->unrecorded->len < MAX_UNRECORDED)
    g_ptr_array_add (self->unrecorded, g_object_ref (call));
  if (dt_call_get_state (call) == DT_CALL_STATE_ENDED)
    return;
  g_object_set_data (G_OBJECT (call), LAST_STATE_KEY,
                     GINT_TO_POINTER (dt_call_get_state (call)));
  g_signal_connect_object (call, "notify::state", G_CALLBACK (on_call_state), self, 0);
  g_list_store_append (self->calls, call);
  /* A far end on the same machine can answer before the dial's result
   * reaches us. */
  if (dt_call_get_state (call) == DT_CALL_STATE_ACTIVE)
    give_line (self, call, DT_CALL_STATE_DIALING);
}

static void
on_backend_call (DtBackend *backend,
                 DtAccount *account,
                 DtCall    *call,
                 gpointer   user_data)
{
  add_call (user_data, call);
}

/* --- accounts ----------------------------------------------------------- */

static DtBackend *
backend_for (DtCallManager *self,
             DtAccount     *account)
{
  return dt_backend_registry_lookup_protocol (self->registry, dt_account_get_protocol (account),
                                              NULL);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DtAccount) account = user_data;
  g_autoptr(GError) error = NULL;

  /* The account's state and failure reason already say what went wrong. */
  if (!dt_backend_connect_finish (DT_BACKEND (source), result, &error))
    g_debug ("Account %s: %s", dt_account_get_id (account), error->message);
}

static void
maybe_connect (DtCallManager *self,
               DtAccount     *account)
{
  DtBackend *backend = backend_for (self, account);
  const char *id = dt_account_get_id (account);

  if (backend == NULL)
    {
      dt_account_set_state (account, DT_ACCOUNT_STATE_FAILED,
                            _("This version of Dialtone cannot use this kind of account"));
      return;
    }
  if (!dt_account_get_enabled (account))
    {
      if (g_hash_table_remove (self->connected, id))
        dt_backend_disconnect_async (backend, account, NULL, NULL, NULL);
      return;
    }
  if (g_hash_table_contains (self->connected, id))
    return;
  g_hash_table_insert (self->connected, g_strdup (id), g_object_ref (account));
  dt_backend_connect_async (backend, account, NULL, on_connected, g_object_ref (account));
}

static void
on_account_enabled (DtAccount  *account,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  maybe_connect (user_data, account);
}

static void
watch_account (DtCallManager *self,
               DtAccount     *account)
{
  g_signal_handlers_disconnect_by_func (account, on_account_enabled, self);
  g_signal_connect_object (account, "notify::enabled", G_CALLBACK (on_account_enabled), self, 0);
  maybe_connect (self, account);
}

static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  DtCallManager *self = user_data;
  GHashTableIter iter;
  gpointer key, value;

  /* Accounts that left the list are disconnected. */
  g_hash_table_iter_init (&iter, self->connected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean present = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (accounts) && !present; i++)
        {
          g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);

          present = account == value;
        }
      if (!present)
        {
          DtBackend *backend = backend_for (self, value);

          g_signal_handlers_disconnect_by_func (value, on_account_enabled, self);
          if (backend != NULL)
            dt_backend_disconnect_async (backend, value, NULL, NULL, NULL);
          g_hash_table_iter_remove (&iter);
        }
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);

      watch_account (self, account);
    }
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_call_manager_dispose (GObject *object)
{
  DtCallManager *self = DT_CALL_MANAGER (object);

  if (self->backends != NULL)
    {
      for (guint i = 0; i < self->backends->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->backends, i), self);
      g_clear_pointer (&self->backends, g_ptr_array_unref);
    }
  if (self->accounts != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->accounts, self);
      for (guint i = 0; i < g_list_model_get_n_items (self->accounts); i++)
        {
          g_autoptr(DtAccount) account = g_list_model_get_item (self->accounts, i);

          g_signal_handlers_disconnect_by_data (account, self);
        }
    }
  if (self->calls != NULL)
    {
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->calls)); i++)
        {
          g_autoptr(DtCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

          g_signal_handlers_disconnect_by_data (call, self);
        }
    }
  g_clear_object (&self->calls);
  g_clear_object (&self->accounts);
  g_clear_object (&self->registry);
  g_clear_object (&self->history);
  g_clear_object (&self->default_account);
  g_clear_pointer (&self->connected, g_hash_table_unref);
  g_clear_pointer (&self->unrecorded, g_ptr_array_unref);

  G_OBJECT_CLASS (dt_call_manager_parent_class)->dispose (object);
}

static void
dt_call_manager_class_init (DtCallManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_call_manager_dispose;
}

static void
dt_call_manager_init (DtCallManager *self)
{
  self->calls = g_list_store_new (DT_TYPE_CALL);
  self->connected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->unrecorded = g_ptr_array_new_with_free_func (g_object_unref);
  self->backends = g_ptr_array_new_with_free_func (g_object_unref);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_call_manager_new:
 * @registry: the backends
 * @accounts: (element-type DtAccount): the accounts, as the settings keep them
 *
 * Returns: (transfer full): a call manager; dt_call_manager_start() connects
 *   the accounts
 */
DtCallManager *
dt_call_manager_new (DtBackendRegistry *registry,
                     GListModel        *accounts)
{
  DtCallManager *self;

  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (registry), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);

  self = g_object_new (DT_TYPE_CALL_MANAGER, NULL);
  self->registry = g_object_ref (registry);
  self->accounts = g_object_ref (accounts);
  return self;
}

/**
 * dt_call_manager_set_history:
 * @history: (nullable): where each call gets its row, from its start on
 */
void
dt_call_manager_set_history (DtCallManager *self,
                             DtHistory     *history)
{
  g_return_if_fail (DT_IS_CALL_MANAGER (self));

  if (!g_set_object (&self->history, history) || history == NULL)
    return;
  /* A link that starts Dialtone places its call while the history is
   * still opening: that call, ended or not, gets its row now. */
  for (guint i = 0; i < self->unrecorded->len; i++)
    dt_history_track_call (history, g_ptr_array_index (self->unrecorded, i));
  g_ptr_array_set_size (self->unrecorded, 0);
}

/**
 * dt_call_manager_set_default_account:
 * @account: (nullable): the account to prefer for addresses several could call
 */
void
dt_call_manager_set_default_account (DtCallManager *self,
                                     DtAccount     *account)
{
  g_return_if_fail (DT_IS_CALL_MANAGER (self));

  g_set_object (&self->default_account, account);
}

/**
 * dt_call_manager_get_calls:
 *
 * Returns: (transfer none): the live calls, in the order they came; a call
 *   leaves the list when it ends
 */
GListModel *
dt_call_manager_get_calls (DtCallManager *self)
{
  g_return_val_if_fail (DT_IS_CALL_MANAGER (self), NULL);

  return G_LIST_MODEL (self->calls);
}

/**
 * dt_call_manager_find_call:
 * @id: a call's #DtCall:id
 *
 * Returns: (transfer none) (nullable): the live call with that id
 */
DtCall *
dt_call_manager_find_call (DtCallManager *self,
                           const char    *id)
{
  g_return_val_if_fail (DT_IS_CALL_MANAGER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->calls)); i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i);

      if (g_strcmp0 (dt_call_get_id (call), id) == 0)
        return call;
    }
  return NULL;
}

/**
 * dt_call_manager_start:
 *
 * Connects every enabled account whose protocol has a backend, and from
 * then on follows the account list and each account's enabled switch.
 */
void
dt_call_manager_start (DtCallManager *self)
{
  GListModel *backends;

  g_return_if_fail (DT_IS_CALL_MANAGER (self));

  if (self->started)
    return;
  self->started = TRUE;

  backends = dt_backend_registry_get_backends (self->registry);
  for (guint i = 0; i < g_list_model_get_n_items (backends); i++)
    {
      g_autoptr(DtBackend) backend = g_list_model_get_item (backends, i);

      g_signal_connect_object (backend, "incoming-call", G_CALLBACK (on_backend_call), self, 0);
      g_signal_connect_object (backend, "call-added", G_CALLBACK (on_backend_call), self, 0);
      g_ptr_array_add (self->backends, g_object_ref (backend));
    }

  g_signal_connect_object (self->accounts, "items-changed", G_CALLBACK (on_accounts_changed),
                           self, 0);
  for (guint i = 0; i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (self->accounts, i);

      watch_account (self, account);
    }
}

typedef struct
{
  guint pending;
} StopData;

static void
on_stop_step (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StopData *data = g_task_get_task_data (task);

  if (DT_IS_BACKEND (source))
    dt_backend_disconnect_finish (DT_BACKEND (source), result, NULL);
  if (--data->pending == 0)
    g_task_return_boolean (task, TRUE);
}

/**
 * dt_call_manager_stop_async:
 *
 * Hangs up every live call and disconnects every account the manager
 * connected (unregistering, for SIP). Finishes when the backends have.
 */
void
dt_call_manager_stop_async (DtCallManager       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GHashTableIter iter;
  gpointer value;
  StopData *data;

  g_return_if_fail (DT_IS_CALL_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_call_manager_stop_async);
  data = g_new0 (StopData, 1);
  data->pending = 1;
  g_task_set_task_data (task, data, g_free);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->calls)); i > 0; i--)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (G_LIST_MODEL (self->calls), i - 1);

      dt_call_hangup_async (call, NULL, NULL, NULL);
    }

  g_hash_table_iter_init (&iter, self->connected);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DtBackend *backend = backend_for (self, value);

      if (backend == NULL)
        continue;
      data->pending++;
      dt_backend_disconnect_async (backend, value, NULL, on_stop_step, g_object_ref (task));
    }
  g_hash_table_remove_all (self->connected);

  /* The one step that stands for the loop above. */
  on_stop_step (G_OBJECT (self), NULL, g_steal_pointer (&task));
}

gboolean
dt_call_manager_stop_finish (DtCallManager  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static int
account_rank (DtCallManager *self,
              DtAccount     *account)
{
  int rank = 0;

  if (dt_account_get_state (account) == DT_ACCOUNT_STATE_ONLINE)
    rank += 2;
  if (account == self->default_account)
    rank += 1;
  return rank;
}

/**
 * dt_call_manager_choose_account:
 * @uri: the address to call
 *
 * Picks the enabled account that should call @uri: one whose backend
 * handles the URI's scheme, online ones first, the default account first
 * among equals, then the order of the account list.
 *
 * Returns: (transfer none): the account, or %NULL with @error set
 */
DtAccount *
dt_call_manager_choose_account (DtCallManager  *self,
                                const char     *uri,
                                GError        **error)
{
  DtBackend *backend;
  DtAccount *best = NULL;
  int best_rank = -1;

  g_return_val_if_fail (DT_IS_CALL_MANAGER (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  backend = dt_backend_registry_lookup_uri (self->registry, uri, error);
  if (backend == NULL)
    return NULL;

  for (guint i = 0; i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (self->accounts, i);
      int rank;

      if (!dt_account_get_enabled (account)
          || g_strcmp0 (dt_account_get_protocol (account), dt_backend_get_protocol (backend)) != 0)
        continue;
      rank = account_rank (self, account);
      if (rank > best_rank)
        {
          best = account;
          best_rank = rank;
        }
    }

  if (best == NULL)
    g_set_error (error, DT_CALL_MANAGER_ERROR, DT_CALL_MANAGER_ERROR_NO_ACCOUNT,
                 _("No enabled account can call “%s”"), uri);
  return best;
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DtCallManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  DtCall *call;

  call = dt_backend_dial_finish (DT_BACKEND (source), result, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  add_call (self, call);
  g_task_return_pointer (task, call, g_object_unref);
}

typedef struct
{
  char      *uri;
  DtAccount *account;
  gulong     handler;
  guint      timeout;
} DialData;

/* An account still connecting may take this long before a call waits no
 * more: a link opened as Dialtone starts finds it so. */
#define CONNECT_WAIT_S 30

static void
dial_data_free (DialData *data)
{
  if (data->handler != 0)
    g_signal_handler_disconnect (data->account, data->handler);
  if (data->timeout != 0)
    g_source_remove (data->timeout);
  g_free (data->uri);
  g_object_unref (data->account);
  g_free (data);
}

static void
dial_now (GTask *task)
{
  DtCallManager *self = g_task_get_source_object (task);
  DialData *data = g_task_get_task_data (task);
  DtBackend *backend = backend_for (self, data->account);

  if (data->handler != 0)
    g_signal_handler_disconnect (data->account, data->handler);
  data->handler = 0;
  if (data->timeout != 0)
    g_source_remove (data->timeout);
  data->timeout = 0;

  if (backend == NULL)
    {
      g_task_return_new_error (task, DT_CALL_MANAGER_ERROR, DT_CALL_MANAGER_ERROR_NO_ACCOUNT,
                               _("This version of Dialtone cannot use this kind of account"));
      g_object_unref (task);
      return;
    }
  dt_backend_dial_async (backend, data->account, data->uri, g_task_get_cancellable (task),
                         on_dialled, task);
}

static void
on_waited_state (DtAccount  *account,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  if (dt_account_get_state (account) != DT_ACCOUNT_STATE_CONNECTING)
    dial_now (user_data);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  DialData *data = g_task_get_task_data (user_data);

  data->timeout = 0;
  dial_now (user_data);
  return G_SOURCE_REMOVE;
}

/**
 * dt_call_manager_dial_async:
 * @uri: the address to call
 * @account: (nullable): the account to call from, or %NULL to let
 *   dt_call_manager_choose_account() pick
 *
 * Places a call; it joins the live calls and the history at once.
 */
void
dt_call_manager_dial_async (DtCallManager       *self,
                            const char          *uri,
                            DtAccount           *account,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DialData *data;

  g_return_if_fail (DT_IS_CALL_MANAGER (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (account == NULL || DT_IS_ACCOUNT (account));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_call_manager_dial_async);

  if (account == NULL)
    account = dt_call_manager_choose_account (self, uri, &error);
  if (account == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (DialData, 1);
  data->uri = g_strdup (uri);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify) dial_data_free);

  /* Wait for an account that is still connecting; the backend reports any
   * other state itself. */
  if (dt_account_get_state (account) == DT_ACCOUNT_STATE_CONNECTING
      || (dt_account_get_state (account) == DT_ACCOUNT_STATE_OFFLINE
          && g_hash_table_contains (self->connected, dt_account_get_id (account))))
    {
      data->handler = g_signal_connect (account, "notify::state", G_CALLBACK (on_waited_state),
                                        task);
      data->timeout = g_timeout_add_seconds (CONNECT_WAIT_S, on_wait_timeout, task);
      g_steal_pointer (&task);
      return;
    }
  dial_now (g_steal_pointer (&task));
}

/**
 * dt_call_manager_dial_finish:
 *
 * Returns: (transfer full): the new call, or %NULL with @error set
 */
DtCall *
dt_call_manager_dial_finish (DtCallManager  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
