/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-window.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-call-row.h"
#include "dt-dial-pad.h"
#include "dt-window.h"

/**
 * DtWindow:
 *
 * The main window: the Recent list, searchable, read from the call history
 * without blocking the main loop.
 */

/* The Recent list shows this many calls; older ones are found by search. */
#define RECENT_PAGE_SIZE 200

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtWindow
{
  AdwApplicationWindow  parent_instance;

  DtSettings           *settings;
  DtHistory            *history;
  GListModel           *recent;
  GCancellable         *query_cancellable;

  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *content_stack;
  GtkListBox           *recent_list;
};

G_DEFINE_FINAL_TYPE (DtWindow, dt_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_call_row (gpointer item,
                 gpointer user_data)
{
  return g_object_new (DT_TYPE_CALL_ROW, "record", item, NULL);
}

/* First run: nothing called yet and no account, so the window offers a
 * test call or an account rather than an empty list. */
static gboolean
no_accounts (DtWindow *self)
{
  return self->settings != NULL
         && g_list_model_get_n_items (dt_settings_get_accounts (self->settings)) == 0;
}

static void
show_recent (DtWindow   *self,
             GListModel *recent)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n_items = recent ? g_list_model_get_n_items (recent) : 0;

  g_set_object (&self->recent, recent);
  gtk_list_box_bind_model (self->recent_list, recent, create_call_row, NULL, NULL);

  if (n_items > 0)
    gtk_stack_set_visible_child_name (self->content_stack, "list");
  else if (search && *search)
    gtk_stack_set_visible_child_name (self->content_stack, "no-results");
  else if (no_accounts (self))
    gtk_stack_set_visible_child_name (self->content_stack, "welcome");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  DtWindow *self = user_data;

  show_recent (self, self->recent);
}

static void
on_query_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DtWindow) self = user_data;
  g_autoptr(GListModel) recent = NULL;
  g_autoptr(GError) error = NULL;

  recent = dt_history_query_finish (DT_HISTORY (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      g_warning ("Could not read the call history: %s", error->message);
      return;
    }

  show_recent (self, recent);
}

static void
reload (DtWindow *self)
{
  const char *search;

  g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);

  if (self->history == NULL)
    {
      show_recent (self, NULL);
      return;
    }

  self->query_cancellable = g_cancellable_new ();
  search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  dt_history_query_async (self->history,
                          search && *search ? search : NULL,
                          0, RECENT_PAGE_SIZE,
                          self->query_cancellable,
                          on_query_done, g_object_ref (self));
}

static void
on_search_changed (DtWindow *self)
{
  reload (self);
}

static void
on_clear_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DtWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_history_clear_finish (DT_HISTORY (object), result, &error))
    g_warning ("Could not clear the call history: %s", error->message);

  reload (self);
}

static void
on_clear_response (AdwMessageDialog *dialog,
                   const char       *response,
                   DtWindow         *self)
{
  if (g_strcmp0 (response, "clear") != 0 || self->history == NULL)
    return;

  dt_history_clear_async (self->history, NULL, on_clear_done, g_object_ref (self));
}

static void
clear_history_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  DtWindow *self = DT_WINDOW (widget);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Clear Call History?"),
                                                       _("Every call in the Recent list "
                                                         "will be deleted.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "clear", _("C_lear"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "clear", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_clear_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtWindow *self = DT_WINDOW (widget);

  gtk_search_bar_set_search_mode (self->search_bar,
                                  !gtk_search_bar_get_search_mode (self->search_bar));
}

static void
bind_window_state (DtWindow *self)
{
  g_object_bind_property (self->settings, "window-width", self, "default-width",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->settings, "window-height", self, "default-height",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  g_object_bind_property (self->settings, "window-maximized", self, "maximized",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
}

static void
dt_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  DtWindow *self = DT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  DtWindow *self = DT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_HISTORY:
      dt_window_set_history (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_window_constructed (GObject *object)
{
  DtWindow *self = DT_WINDOW (object);

  G_OBJECT_CLASS (dt_window_parent_class)->constructed (object);

  if (self->settings)
    {
      bind_window_state (self);
      g_signal_connect_object (dt_settings_get_accounts (self->settings), "items-changed",
                               G_CALLBACK (on_accounts_changed), self, 0);
    }
  show_recent (self, self->recent);
}

static void
dt_window_dispose (GObject *object)
{
  DtWindow *self = DT_WINDOW (object);

  g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_WINDOW);
  g_clear_object (&self->recent);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dt_window_parent_class)->dispose (object);
}

static void
dt_window_class_init (DtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_window_get_property;
  object_class->set_property = dt_window_set_property;
  object_class->constructed = dt_window_constructed;
  object_class->dispose = dt_window_dispose;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL,
                         DT_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DtWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, search_entry);
  g_type_ensure (DT_TYPE_DIAL_PAD);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, recent_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "win.clear-history", NULL,
                                   clear_history_action);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
dt_window_init (DtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

/**
 * dt_window_new:
 * @settings: where the window keeps its size
 *
 * Returns: (transfer full): a new main window
 */
DtWindow *
dt_window_new (GtkApplication *application,
               DtSettings     *settings)
{
  g_return_val_if_fail (!application || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (DT_IS_SETTINGS (settings), NULL);

  return g_object_new (DT_TYPE_WINDOW,
                       "application", application,
                       "settings", settings,
                       NULL);
}

/**
 * dt_window_get_history:
 *
 * Returns: (transfer none) (nullable): the history shown
 */
DtHistory *
dt_window_get_history (DtWindow *self)
{
  g_return_val_if_fail (DT_IS_WINDOW (self), NULL);

  return self->history;
}

/**
 * dt_window_set_history:
 *
 * Shows @history in the Recent list. The application opens the history in
 * the background and hands it over when it is ready.
 */
void
dt_window_set_history (DtWindow  *self,
                       DtHistory *history)
{
  g_return_if_fail (DT_IS_WINDOW (self));
  g_return_if_fail (!history || DT_IS_HISTORY (history));

  if (self->history)
    g_signal_handlers_disconnect_by_data (self->history, self);

  if (!g_set_object (&self->history, history))
    return;

  if (history)
    g_signal_connect_object (history, "changed", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);

  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HISTORY]);
}

/**
 * dt_window_get_recent:
 *
 * Returns: (transfer none) (nullable): the #DtCallRecord items the Recent
 *   list shows now
 */
GListModel *
dt_window_get_recent (DtWindow *self)
{
  g_return_val_if_fail (DT_IS_WINDOW (self), NULL);

  return self->recent;
}
