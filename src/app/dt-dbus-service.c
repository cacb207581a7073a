/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-dbus-service.c
 *
 * Dialtone's D-Bus interface; see dt-dbus-service.h.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-dbus-generated.h"
#include "dt-dbus-service.h"

struct _DtDBusService
{
  GObject        parent_instance;

  DtCallManager *manager;
  GListModel    *accounts;
  DtDBusCalls   *skeleton;
  GPtrArray     *watched;     /* of DtCall whose state we report */
};

G_DEFINE_FINAL_TYPE (DtDBusService, dt_dbus_service, G_TYPE_OBJECT)

/* --- calls to signals --------------------------------------------------- */

static void
on_call_state (DtCall     *call,
               GParamSpec *pspec,
               gpointer    user_data)
{
  DtDBusService *self = user_data;
  DtCallState state = dt_call_get_state (call);
  const char *reason = "";

  if (state == DT_CALL_STATE_ENDED)
    reason = dt_call_end_reason_to_string (dt_call_get_end_reason (call));
  dt_dbus_calls_emit_call_state_changed (self->skeleton, dt_call_get_id (call),
                                         dt_call_state_to_string (state), reason);
  if (state == DT_CALL_STATE_ENDED)
    {
      g_signal_handlers_disconnect_by_func (call, on_call_state, self);
      g_ptr_array_remove (self->watched, call);
    }
}

static void
watch_call (DtDBusService *self,
            DtCall        *call)
{
  g_ptr_array_add (self->watched, g_object_ref (call));
  g_signal_connect (call, "notify::state", G_CALLBACK (on_call_state), self);
  dt_dbus_calls_emit_call_added (self->skeleton, dt_dbus_service_describe_call (call));
}

static void
on_calls_changed (GListModel *calls,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  DtDBusService *self = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      if (!g_ptr_array_find (self->watched, call, NULL))
        watch_call (self, call);
    }
}

/* --- methods ------------------------------------------------------------ */

static DtAccount *
find_account (DtDBusService *self,
              const char    *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (self->accounts); i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (self->accounts, i);

      if (g_strcmp0 (dt_account_get_id (account), id) == 0)
        return account;
    }
  return NULL;
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;

  call = dt_call_manager_dial_finish (DT_CALL_MANAGER (source), result, &error);
  if (call == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR,
                                                     G_DBUS_ERROR_FAILED, error->message);
      return;
    }
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(s)", dt_call_get_id (call)));
}

static gboolean
on_handle_dial (DtDBusCalls           *skeleton,
                GDBusMethodInvocation *invocation,
                const char            *uri,
                const char            *account_id,
                gpointer               user_data)
{
  DtDBusService *self = user_data;
  DtAccount *account = NULL;

  if (account_id[0] != '\0')
    {
      account = find_account (self, account_id);
      if (account == NULL)
        {
          g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR,
                                                 G_DBUS_ERROR_INVALID_ARGS,
                                                 _("There is no account “%s”"), account_id);
          return G_DBUS_METHOD_INVOCATION_HANDLED;
        }
    }
  dt_call_manager_dial_async (self->manager, uri, account, NULL, on_dialled,
                              g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_list_calls (DtDBusCalls           *skeleton,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  DtDBusService *self = user_data;
  GListModel *calls = dt_call_manager_get_calls (self->manager);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssss)"));
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      g_variant_builder_add_value (&builder, dt_dbus_service_describe_call (call));
    }
  dt_dbus_calls_complete_list_calls (skeleton, invocation, g_variant_builder_end (&builder));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == dt_call_answer_async)
    ok = dt_call_answer_finish (DT_CALL (source), result, &error);
  else if (g_task_get_source_tag (G_TASK (result)) == dt_call_hold_async)
    ok = dt_call_hold_finish (DT_CALL (source), result, &error);
  else
    ok = dt_call_hangup_finish (DT_CALL (source), result, &error);
  if (!ok)
    g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                                   error->message);
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static DtCall *
call_or_error (DtDBusService         *self,
               GDBusMethodInvocation *invocation,
               const char            *id)
{
  DtCall *call = dt_call_manager_find_call (self->manager, id);

  if (call == NULL)
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                           _("There is no call “%s”"), id);
  return call;
}

static gboolean
on_handle_answer (DtDBusCalls           *skeleton,
                  GDBusMethodInvocation *invocation,
                  const char            *id,
                  gpointer               user_data)
{
  DtCall *call = call_or_error (user_data, invocation, id);

  if (call != NULL)
    dt_call_answer_async (call, NULL, on_call_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_hangup (DtDBusCalls           *skeleton,
                  GDBusMethodInvocation *invocation,
                  const char            *id,
                  gpointer               user_data)
{
  DtCall *call = call_or_error (user_data, invocation, id);

  if (call != NULL)
    dt_call_hangup_async (call, NULL, on_call_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_handle_hold (DtDBusCalls           *skeleton,
                GDBusMethodInvocation *invocation,
                const char            *id,
                gpointer               user_data)
{
  DtCall *call = call_or_error (user_data, invocation, id);

  if (call != NULL)
    dt_call_hold_async (call, TRUE, NULL, on_call_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The call manager puts the talking call on hold as this one resumes. */
static gboolean
on_handle_resume (DtDBusCalls           *skeleton,
                  GDBusMethodInvocation *invocation,
                  const char            *id,
                  gpointer               user_data)
{
  DtCall *call = call_or_error (user_data, invocation, id);

  if (call != NULL)
    dt_call_hold_async (call, FALSE, NULL, on_call_done, g_object_ref (invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_dbus_service_dispose (GObject *object)
{
  DtDBusService *self = DT_DBUS_SERVICE (object);

  dt_dbus_service_unexport (self);
  if (self->watched != NULL)
    {
      for (guint i = 0; i < self->watched->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->watched, i), self);
      g_clear_pointer (&self->watched, g_ptr_array_unref);
    }
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (dt_call_manager_get_calls (self->manager), self);
  g_clear_object (&self->skeleton);
  g_clear_object (&self->manager);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (dt_dbus_service_parent_class)->dispose (object);
}

static void
dt_dbus_service_class_init (DtDBusServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = dt_dbus_service_dispose;
}

static void
dt_dbus_service_init (DtDBusService *self)
{
  self->watched = g_ptr_array_new_with_free_func (g_object_unref);
  self->skeleton = dt_dbus_calls_skeleton_new ();
  g_signal_connect (self->skeleton, "handle-dial", G_CALLBACK (on_handle_dial), self);
  g_signal_connect (self->skeleton, "handle-list-calls", G_CALLBACK (on_handle_list_calls), self);
  g_signal_connect (self->skeleton, "handle-answer", G_CALLBACK (on_handle_answer), self);
  g_signal_connect (self->skeleton, "handle-hangup", G_CALLBACK (on_handle_hangup), self);
  g_signal_connect (self->skeleton, "handle-hold", G_CALLBACK (on_handle_hold), self);
  g_signal_connect (self->skeleton, "handle-resume", G_CALLBACK (on_handle_resume), self);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_dbus_service_new:
 * @manager: the calls to serve
 * @accounts: (element-type DtAccount): the accounts a Dial may name
 *
 * Returns: (transfer full): the service, not yet on a bus
 */
DtDBusService *
dt_dbus_service_new (DtCallManager *manager,
                     GListModel    *accounts)
{
  DtDBusService *self;
  GListModel *calls;

  g_return_val_if_fail (DT_IS_CALL_MANAGER (manager), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (accounts), NULL);

  self = g_object_new (DT_TYPE_DBUS_SERVICE, NULL);
  self->manager = g_object_ref (manager);
  self->accounts = g_object_ref (accounts);
  calls = dt_call_manager_get_calls (manager);
  g_signal_connect (calls, "items-changed", G_CALLBACK (on_calls_changed), self);
  on_calls_changed (calls, 0, 0, g_list_model_get_n_items (calls), self);
  return self;
}

/**
 * dt_dbus_service_export:
 *
 * Puts the interface on @connection at @object_path.
 *
 * Returns: %FALSE with @error set on failure
 */
gboolean
dt_dbus_service_export (DtDBusService    *self,
                        GDBusConnection  *connection,
                        const char       *object_path,
                        GError          **error)
{
  g_return_val_if_fail (DT_IS_DBUS_SERVICE (self), FALSE);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton),
                                           connection, object_path, error);
}

/**
 * dt_dbus_service_unexport:
 *
 * Takes the interface off the bus.
 */
void
dt_dbus_service_unexport (DtDBusService *self)
{
  g_return_if_fail (DT_IS_DBUS_SERVICE (self));

  if (self->skeleton != NULL
      && g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}

/**
 * dt_dbus_service_link_refused:
 * @uri: the link as it came
 * @reason: why it was not called
 *
 * Tells listeners that a link was refused.
 */
void
dt_dbus_service_link_refused (DtDBusService *self,
                              const char    *uri,
                              const char    *reason)
{
  g_return_if_fail (DT_IS_DBUS_SERVICE (self));

  dt_dbus_calls_emit_link_refused (self->skeleton, uri, reason);
}

/**
 * dt_dbus_service_describe_call:
 *
 * Returns: (transfer floating): the `(ssssss)` description of @call
 */
GVariant *
dt_dbus_service_describe_call (DtCall *call)
{
  g_return_val_if_fail (DT_IS_CALL (call), NULL);

  return g_variant_new ("(ssssss)", dt_call_get_id (call),
                        dt_call_get_protocol (call) ? dt_call_get_protocol (call) : "",
                        dt_call_get_account_id (call) ? dt_call_get_account_id (call) : "",
                        dt_call_get_direction (call) == DT_CALL_DIRECTION_INCOMING
                        ? "incoming" : "outgoing",
                        dt_call_get_peer_uri (call) ? dt_call_get_peer_uri (call) : "",
                        dt_call_state_to_string (dt_call_get_state (call)));
}
