/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-window.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-call-page.h"
#include "dt-call-row.h"
#include "dt-dial-pad.h"
#include "dt-window.h"

/**
 * DtWindow:
 *
 * The main window: the Recent list, searchable, read from the call history
 * without blocking the main loop, in sections by day ("Today",
 * "Yesterday", the weekday for the last week, then the date); each call can
 * be called back or deleted. Beside it, the dial pad. While a call is live
 * the Call page is there too, and it comes to the front whenever the call
 * it shows changes (placed, answered, switched to); when the last call
 * ends it goes, and the window shows Recent again.
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
  guint                 midnight_id;

  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *content_stack;
  GtkListBox           *recent_list;
  DtDialPad            *dial_pad;
  GtkPopover           *call_menu;
  DtCallRow            *call_menu_row;
  AdwViewStack         *view_stack;
  AdwViewStackPage     *call_stack_page;
  DtCallPage           *call_page;
};

G_DEFINE_FINAL_TYPE (DtWindow, dt_window, ADW_TYPE_APPLICATION_WINDOW)

static GtkWidget *
create_call_row (gpointer item,
                 gpointer user_data)
{
  return g_object_new (DT_TYPE_CALL_ROW, "record", item, NULL);
}

static GDateTime *
row_start_time (GtkListBoxRow *row)
{
  GtkWidget *child = gtk_list_box_row_get_child (row);
  DtCallRecord *record = DT_IS_CALL_ROW (child) ? dt_call_row_get_record (DT_CALL_ROW (child))
                                                 : NULL;

  return record ? dt_call_record_get_start_time (record) : NULL;
}

/* A header above the first call of each day. */
static void
update_day_header (GtkListBoxRow *row,
                   GtkListBoxRow *before,
                   gpointer       user_data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDateTime *start = row_start_time (row);
  GDateTime *previous = before ? row_start_time (before) : NULL;
  g_autofree char *title = NULL;
  GtkWidget *header;

  if (start != NULL)
    title = dt_call_row_format_day (start, now);
  if (previous != NULL && title != NULL)
    {
      g_autofree char *previous_title = dt_call_row_format_day (previous, now);

      if (g_str_equal (title, previous_title))
        g_clear_pointer (&title, g_free);
    }

  if (title == NULL)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  header = gtk_list_box_row_get_header (row);
  if (GTK_IS_LABEL (header))
    {
      gtk_label_set_label (GTK_LABEL (header), title);
      return;
    }

  header = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (header), 0);
  gtk_label_set_ellipsize (GTK_LABEL (header), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_bottom (header, 6);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  gtk_list_box_row_set_header (row, header);
}

static void schedule_midnight (DtWindow *self);
static void reload (DtWindow *self);

/* "Today" becomes "Yesterday" at midnight even if nothing is called: the
 * rows, whose accessible labels name the day too, are made again. */
static gboolean
on_midnight (gpointer user_data)
{
  DtWindow *self = user_data;

  self->midnight_id = 0;
  reload (self);
  schedule_midnight (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_midnight (DtWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      0, 0, 0);
  g_autoptr(GDateTime) tomorrow = g_date_time_add_days (today, 1);
  GTimeSpan wait = g_date_time_difference (tomorrow, now);

  g_clear_handle_id (&self->midnight_id, g_source_remove);
  self->midnight_id = g_timeout_add_seconds_full (G_PRIORITY_LOW,
                                                  (guint) (wait / G_TIME_SPAN_SECOND) + 1,
                                                  on_midnight, self, NULL);
}

/* The call with history id @id in the list shown, if it is still there. */
static DtCallRecord *
find_record (DtWindow *self,
             gint64    id)
{
  guint n_items = self->recent ? g_list_model_get_n_items (self->recent) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(DtCallRecord) record = g_list_model_get_item (self->recent, i);

      if (dt_call_record_get_id (record) == id)
        return g_steal_pointer (&record);
    }

  return NULL;
}

/* win.call-back: the account the call used, if it is still there and on;
 * else "" for the one Dialtone would choose, the default account first. */
static void
call_back_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DtWindow *self = DT_WINDOW (widget);
  g_autoptr(DtCallRecord) record = find_record (self, g_variant_get_int64 (parameter));
  const char *account_id;
  DtAccount *account = NULL;

  if (record == NULL || dt_call_record_get_peer_uri (record) == NULL)
    return;

  account_id = dt_call_record_get_account_id (record);
  if (self->settings != NULL && account_id != NULL)
    account = dt_settings_find_account (self->settings, account_id);
  if (account == NULL || !dt_account_get_enabled (account))
    account_id = "";

  gtk_widget_activate_action (widget, "app.dial-from", "(ss)",
                              dt_call_record_get_peer_uri (record), account_id);
}

static DtCallRow *
find_row (DtWindow *self,
          gint64    id)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->recent_list, i)) != NULL; i++)
    {
      GtkWidget *child = gtk_list_box_row_get_child (row);
      DtCallRecord *record = DT_IS_CALL_ROW (child) ? dt_call_row_get_record (DT_CALL_ROW (child))
                                                     : NULL;

      if (record != NULL && dt_call_record_get_id (record) == id)
        return DT_CALL_ROW (child);
    }

  return NULL;
}

/* The one call menu points at the More button of the row it is for. */
static void
place_call_menu (DtWindow *self)
{
  DtCallRow *row = self->call_menu_row;
  graphene_rect_t bounds;

  if (row == NULL
      || !gtk_widget_compute_bounds (dt_call_row_get_menu_button (row), GTK_WIDGET (self),
                                     &bounds))
    return;

  gtk_popover_set_pointing_to (self->call_menu,
                               &(GdkRectangle) {
                                 (int) bounds.origin.x, (int) bounds.origin.y,
                                 (int) bounds.size.width, (int) bounds.size.height,
                               });
}

static void
on_call_menu_closed (DtWindow *self)
{
  g_clear_weak_pointer (&self->call_menu_row);
}

/* win.call-menu: the menu of one call, from its More button, a right
 * click or a long press. */
static void
call_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  DtWindow *self = DT_WINDOW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  DtCallRow *row = find_row (self, id);
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenuItem) delete_item = NULL;

  if (row == NULL)
    return;

  menu = g_menu_new ();
  delete_item = g_menu_item_new (_("_Delete Call"), NULL);
  g_menu_item_set_action_and_target_value (delete_item, "win.delete-call",
                                           g_variant_new_int64 (id));
  g_menu_append_item (menu, delete_item);
  gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->call_menu), G_MENU_MODEL (menu));

  /* Not held: reading the list again closes the menu, and a row that goes
   * all the same leaves the menu where it was. */
  g_set_weak_pointer (&self->call_menu_row, row);
  place_call_menu (self);
  gtk_popover_popup (self->call_menu);
}

/* Shift+F10 or the Menu key on a focused row opens its menu, as a right
 * click does. */
static gboolean
focused_call_menu (GtkWidget *widget,
                   GVariant  *args,
                   gpointer   user_data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (widget));
  GtkWidget *row = NULL;
  DtCallRecord *record;

  if (GTK_IS_LIST_BOX_ROW (focus))
    row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (focus));
  else if (focus != NULL)
    row = gtk_widget_get_ancestor (focus, DT_TYPE_CALL_ROW);
  if (!DT_IS_CALL_ROW (row) || (record = dt_call_row_get_record (DT_CALL_ROW (row))) == NULL)
    return FALSE;

  return gtk_widget_activate_action (widget, "win.call-menu", "x",
                                     dt_call_record_get_id (record));
}

static void
on_delete_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(DtWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* On success the history's "changed" reloads the list; on failure the
   * row taken away at once comes back. */
  if (!dt_history_delete_finish (DT_HISTORY (object), result, &error))
    {
      g_warning ("Could not delete the call from the history: %s", error->message);
      reload (self);
    }
}

/* win.delete-call: the row goes at once, the database row in the
 * background. */
static void
delete_call_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  DtWindow *self = DT_WINDOW (widget);
  gint64 id = g_variant_get_int64 (parameter);
  guint n_items = self->recent ? g_list_model_get_n_items (self->recent) : 0;

  if (self->history == NULL)
    return;

  gtk_popover_popdown (self->call_menu);
  for (guint i = 0; G_IS_LIST_STORE (self->recent) && i < n_items; i++)
    {
      g_autoptr(DtCallRecord) record = g_list_model_get_item (self->recent, i);

      if (dt_call_record_get_id (record) == id)
        {
          g_list_store_remove (G_LIST_STORE (self->recent), i);
          break;
        }
    }

  dt_history_delete_async (self->history, id, NULL, on_delete_done, g_object_ref (self));
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

  /* Its row is about to go. */
  if (self->call_menu != NULL)
    gtk_popover_popdown (self->call_menu);
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
on_shown_call_changed (DtWindow *self)
{
  gboolean live = dt_call_page_get_call (self->call_page) != NULL;
  const char *visible = adw_view_stack_get_visible_child_name (self->view_stack);

  adw_view_stack_page_set_visible (self->call_stack_page, live);
  if (live)
    adw_view_stack_set_visible_child_name (self->view_stack, "call");
  else if (g_strcmp0 (visible, "call") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, "recent");
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

  dt_call_page_set_settings (self->call_page, self->settings);
  if (self->settings)
    {
      dt_dial_pad_set_settings (self->dial_pad, self->settings);
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
  g_clear_handle_id (&self->midnight_id, g_source_remove);
  g_clear_weak_pointer (&self->call_menu_row);
  g_clear_pointer ((GtkWidget **) &self->call_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_WINDOW);
  g_clear_object (&self->recent);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dt_window_parent_class)->dispose (object);
}

/* The call menu follows its row when the window is laid out again. */
static void
dt_window_size_allocate (GtkWidget *widget,
                         int        width,
                         int        height,
                         int        baseline)
{
  DtWindow *self = DT_WINDOW (widget);

  GTK_WIDGET_CLASS (dt_window_parent_class)->size_allocate (widget, width, height, baseline);

  if (self->call_menu != NULL && gtk_widget_get_visible (GTK_WIDGET (self->call_menu)))
    {
      place_call_menu (self);
      gtk_popover_present (self->call_menu);
    }
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
  widget_class->size_allocate = dt_window_size_allocate;

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
  g_type_ensure (DT_TYPE_CALL_PAGE);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, call_stack_page);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, call_page);
  gtk_widget_class_bind_template_callback (widget_class, on_shown_call_changed);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, DtWindow, dial_pad);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_install_action (widget_class, "win.clear-history", NULL,
                                   clear_history_action);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.call-back", "x", call_back_action);
  gtk_widget_class_install_action (widget_class, "win.call-menu", "x", call_menu_action);
  gtk_widget_class_install_action (widget_class, "win.delete-call", "x", delete_call_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                focused_call_menu, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, focused_call_menu, NULL);
}

static void
dt_window_init (DtWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));

  gtk_stack_set_visible_child_name (self->content_stack, "empty");
  gtk_list_box_set_header_func (self->recent_list, update_day_header, NULL, NULL);

  self->call_menu = GTK_POPOVER (gtk_popover_menu_new_from_model (NULL));
  gtk_widget_set_parent (GTK_WIDGET (self->call_menu), GTK_WIDGET (self));
  g_signal_connect_swapped (self->call_menu, "closed", G_CALLBACK (on_call_menu_closed), self);
  schedule_midnight (self);
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
  dt_dial_pad_set_history (self->dial_pad, history);

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

/**
 * dt_window_set_call_manager:
 * @manager: (nullable): whose calls the Call page shows
 */
void
dt_window_set_call_manager (DtWindow      *self,
                            DtCallManager *manager)
{
  g_return_if_fail (DT_IS_WINDOW (self));
  g_return_if_fail (!manager || DT_IS_CALL_MANAGER (manager));

  dt_call_page_set_manager (self->call_page, manager);
}

/**
 * dt_window_get_call_page:
 *
 * Returns: (transfer none): the page shown while a call is live
 */
DtCallPage *
dt_window_get_call_page (DtWindow *self)
{
  g_return_val_if_fail (DT_IS_WINDOW (self), NULL);

  return self->call_page;
}
