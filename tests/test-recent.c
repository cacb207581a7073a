/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-recent.c
 *
 * The Recent page and the dial pad under Xvfb, on a real history file in
 * a temporary folder written through DtHistory: sections by day, the
 * missed call's marking, Call Back and Delete Call, search, Clear
 * History, a restart; the dial pad's offers of recent peers, and Call From
 * with two accounts. The window's "app" actions are stand-ins that record
 * each call. Screenshots go to the artefacts folder.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dt-call-row.h"
#include "dt-dial-pad.h"
#include "dt-window.h"
#include "dt-test-ui.h"

typedef struct
{
  char               *dir;
  char               *path;
  DtHistory          *history;
  DtSettings         *settings;
  DtWindow           *window;
  GSimpleActionGroup *app;
  /* What the stand-in actions were asked: "uri" for app.dial,
   * "uri account-id" for app.dial-from. */
  GPtrArray          *dialled;
} Fixture;

/* The calls written at set-up, newest first, by how many days ago. */
typedef struct
{
  const char      *uri;
  const char      *name;
  DtCallDirection  direction;
  DtCallEndReason  reason;
  int              days_ago;
  int              seconds_long;
} Call;

static void history_idle (DtHistory *history);

static void
on_dial (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->dialled, g_variant_dup_string (parameter, NULL));
}

static void
on_dial_from (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  Fixture *fixture = user_data;
  const char *uri, *account_id;

  g_variant_get (parameter, "(&s&s)", &uri, &account_id);
  g_ptr_array_add (fixture->dialled, g_strdup_printf ("%s %s", uri, account_id));
}

static void
spin_until (gboolean (*done) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Lets GTK lay out and draw; the test's checks do not depend on it. */
static void
settle (void)
{
  for (int i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (4000);
    }
}

static GDateTime *
local_midnight (int days_ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      0, 0, 0);

  return g_date_time_add_days (today, -days_ago);
}

/* Today's calls are a few minutes old, but never from before midnight;
 * other days' at noon, then a minute earlier for each call already on
 * that day, so the order is known. */
static GDateTime *
call_start (int days_ago,
            int nth_of_day)
{
  g_autoptr(GDateTime) midnight = local_midnight (days_ago);

  if (days_ago == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) start = g_date_time_add_seconds (now, -30.0 * (nth_of_day + 1));

      return g_date_time_compare (start, midnight) > 0 ? g_steal_pointer (&start)
                                                       : g_date_time_add_seconds (midnight,
                                                                                  nth_of_day);
    }

  {
    g_autoptr(GDateTime) noon = g_date_time_add_hours (midnight, 12);

    return g_date_time_add_minutes (noon, -nth_of_day);
  }
}

static void
on_added (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (dt_history_add_finish (DT_HISTORY (object), result, &error), >, 0);
  g_assert_no_error (error);
  (*(guint *) user_data)++;
}

static void
add_call (DtHistory  *history,
          const Call *call,
          const char *account_id,
          int         nth_of_day)
{
  g_autoptr(GDateTime) start = call_start (call->days_ago, nth_of_day);
  g_autoptr(GDateTime) answer = g_date_time_add_seconds (start, 5);
  g_autoptr(GDateTime) end = g_date_time_add_seconds (answer, call->seconds_long);
  g_autoptr(DtCallRecord) record = NULL;
  guint n_added = 0;

  record = g_object_new (DT_TYPE_CALL_RECORD,
                         "protocol", "sip",
                         "account-id", account_id,
                         "direction", call->direction,
                         "peer-uri", call->uri,
                         "peer-name", call->name,
                         "start-time", start,
                         "answer-time", call->seconds_long > 0 ? answer : NULL,
                         "end-time", end,
                         "end-reason", call->reason,
                         NULL);
  dt_history_add_async (history, record, NULL, on_added, &n_added);
  while (n_added == 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Newest first. Two calls today, one of them missed; one yesterday; two
 * in the last week; one months ago and one in another year. */
static const Call calls[] = {
  { "tel:+15551234567", NULL, DT_CALL_DIRECTION_INCOMING, DT_CALL_END_REASON_MISSED, 0, 0 },
  { "sip:alice@example.com", "Alice Example", DT_CALL_DIRECTION_OUTGOING,
    DT_CALL_END_REASON_LOCAL_HANGUP, 0, 312 },
  { "sip:bob@example.org", "Bob", DT_CALL_DIRECTION_INCOMING,
    DT_CALL_END_REASON_REMOTE_HANGUP, 1, 75 },
  { "sip:alicia@example.net", "Alicia Keys", DT_CALL_DIRECTION_OUTGOING,
    DT_CALL_END_REASON_LOCAL_HANGUP, 3, 40 },
  { "sip:alice@example.com", "Alice Example", DT_CALL_DIRECTION_INCOMING,
    DT_CALL_END_REASON_REMOTE_HANGUP, 5, 20 },
  { "sip:carol@example.org", "Carol", DT_CALL_DIRECTION_OUTGOING,
    DT_CALL_END_REASON_BUSY, 90, 0 },
  { "tel:+4930123456", NULL, DT_CALL_DIRECTION_OUTGOING,
    DT_CALL_END_REASON_REMOTE_HANGUP, 400, 600 },
};

/* The header the Recent list must show above a call from @days_ago. */
static char *
expected_header (int days_ago)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = local_midnight (days_ago);
  g_autoptr(GDateTime) day = g_date_time_add_hours (midnight, 12);

  if (days_ago == 0)
    return g_strdup ("Today");
  if (days_ago == 1)
    return g_strdup ("Yesterday");
  if (days_ago < 7)
    return g_date_time_format (day, "%A");
  if (g_date_time_get_year (day) == g_date_time_get_year (now))
    return g_date_time_format (day, "%B %-d");
  return g_date_time_format (day, "%B %-d, %Y");
}

static void
open_window (Fixture *fixture,
             int      width)
{
  fixture->window = dt_window_new (NULL, fixture->settings);
  gtk_widget_insert_action_group (GTK_WIDGET (fixture->window), "app",
                                  G_ACTION_GROUP (fixture->app));
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), width, 640);
  dt_window_set_history (fixture->window, fixture->history);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const GActionEntry app_actions[] = {
    { "dial", on_dial, "s", NULL, NULL, { 0 } },
    { "dial-from", on_dial_from, "(ss)", NULL, NULL, { 0 } },
  };
  g_autoptr(GError) error = NULL;
  DtAccount *work;
  DtAccount *home;
  int nth_of_day = 0;

  fixture->dir = g_dir_make_tmp ("dialtone-recent-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_no_error (error);

  fixture->settings = dt_settings_new ();
  work = dt_settings_add_account (fixture->settings, "sip");
  dt_account_set_display_name (work, "Work");
  home = dt_settings_add_account (fixture->settings, "sip");
  dt_account_set_display_name (home, "Home");
  /* "Work" is the default: it was added first. */
  g_assert_true (dt_settings_get_default_account (fixture->settings) == work);

  /* Calls alternate between Home and an account removed since. */
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      nth_of_day = i > 0 && calls[i].days_ago == calls[i - 1].days_ago ? nth_of_day + 1 : 0;
      add_call (fixture->history, &calls[i],
                i % 2 == 0 ? dt_account_get_id (home) : "removed-account", nth_of_day);
    }

  fixture->dialled = g_ptr_array_new_with_free_func (g_free);
  fixture->app = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (fixture->app), app_actions,
                                   G_N_ELEMENTS (app_actions), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);

  GListModel *accounts = dt_settings_get_accounts (fixture->settings);

  /* What the window last asked the history is answered before both go. */
  history_idle (fixture->history);
  if (fixture->window)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (fixture->history);
  /* The memory settings backend outlives the test: the next one starts
   * with no account again. */
  while (g_list_model_get_n_items (accounts) > 0)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (accounts, 0);

      dt_settings_remove_account (fixture->settings, account);
    }
  g_clear_object (&fixture->app);
  g_clear_object (&fixture->settings);
  g_clear_pointer (&fixture->dialled, g_ptr_array_unref);

  g_unlink (fixture->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

typedef struct
{
  DtWindow *window;
  guint     n_items;
} WaitItems;

static gboolean
recent_has_items (gpointer data)
{
  WaitItems *wait = data;
  GListModel *recent = dt_window_get_recent (wait->window);

  return recent && g_list_model_get_n_items (recent) == wait->n_items;
}

static void
wait_for_recent (DtWindow *window,
                 guint     n_items)
{
  WaitItems wait = { window, n_items };

  spin_until (recent_has_items, &wait);
}

static GtkWidget *
find_by_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list box rows of the Recent list, in order. */
static GPtrArray *
recent_rows (DtWindow *window)
{
  GtkWidget *list = dt_test_find_by_id (GTK_WIDGET (window), "recent_list");
  GPtrArray *rows = g_ptr_array_new ();

  g_assert_nonnull (list);
  for (int i = 0; gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i) != NULL; i++)
    g_ptr_array_add (rows, gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i));
  return rows;
}

static DtCallRow *
call_row (GtkListBoxRow *row)
{
  GtkWidget *child = gtk_list_box_row_get_child (row);

  g_assert_true (DT_IS_CALL_ROW (child));
  return DT_CALL_ROW (child);
}

static const char *
header_text (GtkListBoxRow *row)
{
  GtkWidget *header = gtk_list_box_row_get_header (row);

  if (header == NULL)
    return NULL;
  g_assert_true (GTK_IS_LABEL (header));
  return gtk_label_get_label (GTK_LABEL (header));
}

static const char *
visible_page (DtWindow *window)
{
  GtkWidget *stack = dt_test_find_by_id (GTK_WIDGET (window), "content_stack");

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

/* The whole screen, cut to the window at the top left where Xvfb, with no
 * window manager, puts it; popovers included. */
static void
screenshot_with_margin (DtWindow   *window,
                        const char *name,
                        int         margin);

static void
screenshot (DtWindow   *window,
            const char *name)
{
  screenshot_with_margin (window, name, 0);
}

/* @margin more on the right, for a popover that reaches past the window. */
static void
screenshot_with_margin (DtWindow   *window,
                        const char *name,
                        int         margin)
{
  const char *artifacts = g_getenv ("DT_TEST_ARTIFACTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  GdkSurface *surface;
  int status = 0;

  settle ();
  if (artifacts == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (artifacts, 0755), ==, 0);
  path = g_build_filename (artifacts, name, NULL);
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  command = g_strdup_printf ("import -window root -crop %dx%d+0+0 +repage '%s'",
                             gdk_surface_get_width (surface) + margin,
                             gdk_surface_get_height (surface),
                             path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error))
    {
      g_test_message ("No screenshot: %s", error->message);
      return;
    }
  g_test_message ("screenshot: %s", path);
}

static void
show_window (Fixture *fixture,
             int      width)
{
  open_window (fixture, width);
  spin_until (window_is_mapped, fixture->window);
  wait_for_recent (fixture->window, G_N_ELEMENTS (calls));
  g_assert_cmpstr (visible_page (fixture->window), ==, "list");
}

/* Every row under the right day, a header above the first of each day
 * only; the missed call is marked three ways. */
static void
test_recent_sections (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  GtkWidget *missed;

  show_window (fixture, 480);
  rows = recent_rows (fixture->window);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (calls));

  for (guint i = 0; i < rows->len; i++)
    {
      GtkListBoxRow *row = g_ptr_array_index (rows, i);
      DtCallRecord *record = dt_call_row_get_record (call_row (row));
      gboolean first_of_day = i == 0 || calls[i].days_ago != calls[i - 1].days_ago;

      g_assert_cmpstr (dt_call_record_get_peer_uri (record), ==, calls[i].uri);
      if (first_of_day)
        {
          g_autofree char *expected = expected_header (calls[i].days_ago);

          g_test_message ("header %u: %s", i, expected);
          g_assert_cmpstr (header_text (row), ==, expected);
        }
      else
        g_assert_null (header_text (row));
    }
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 0)), ==, "Today");
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 2)), ==, "Yesterday");

  /* The missed call: its icon, the error colour, and what a screen reader
   * says. The answered call after it has none of these. */
  missed = GTK_WIDGET (call_row (g_ptr_array_index (rows, 0)));
  g_assert_true (dt_call_record_get_missed (dt_call_row_get_record (DT_CALL_ROW (missed))));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (dt_test_find_by_id (missed,
                                                                        "direction_icon"))),
                   ==, "call-missed-symbolic");
  g_assert_true (gtk_widget_has_css_class (dt_test_find_by_id (missed, "title_label"), "error"));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (missed),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, "Missed call");
  /* Moving from row to row, a screen reader hears the day too. */
  {
    g_autoptr(GDateTime) start = g_date_time_to_local (dt_call_record_get_start_time (
                                   dt_call_row_get_record (DT_CALL_ROW (missed))));
    g_autofree char *time = g_date_time_format (start, "%H:%M");
    g_autofree char *label = g_strdup_printf ("Missed call, %s, Missed call, Today %s",
                                              calls[0].uri, time);

    gtk_test_accessible_assert_property (GTK_ACCESSIBLE (missed),
                                         GTK_ACCESSIBLE_PROPERTY_LABEL, label);
  }
  {
    GtkWidget *answered = GTK_WIDGET (call_row (g_ptr_array_index (rows, 1)));

    g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (dt_test_find_by_id (answered,
                                                                          "direction_icon"))),
                     ==, "call-outgoing-symbolic");
    g_assert_false (gtk_widget_has_css_class (dt_test_find_by_id (answered, "title_label"),
                                              "error"));
    g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (answered),
                                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  }
  screenshot (fixture->window, "recent-sections.png");

  /* At the narrowest the window allows, the same sections. */
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  show_window (fixture, 360);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = recent_rows (fixture->window);
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 0)), ==, "Today");
  screenshot (fixture->window, "recent-sections-360.png");
  /* Nothing is cut off: the list fits the window. */
  g_assert_cmpint (gtk_widget_get_width (dt_test_find_by_id (GTK_WIDGET (fixture->window),
                                                          "recent_list")),
                   <, gtk_widget_get_width (GTK_WIDGET (fixture->window)));
}

/* Call Back: the account the call used while it exists, else "" for the
 * call manager's choice. */
static void
test_recent_call_back (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  DtAccount *home = g_list_model_get_item (dt_settings_get_accounts (fixture->settings), 1);
  g_autofree char *expected = NULL;
  GtkWidget *button;

  g_object_unref (home);
  show_window (fixture, 480);
  rows = recent_rows (fixture->window);

  button = dt_test_find_by_id (GTK_WIDGET (call_row (g_ptr_array_index (rows, 0))),
                            "call_back_button");
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->dialled->len, ==, 1);
  expected = g_strdup_printf ("%s %s", calls[0].uri, dt_account_get_id (home));
  g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 0), ==, expected);

  button = dt_test_find_by_id (GTK_WIDGET (call_row (g_ptr_array_index (rows, 1))),
                            "call_back_button");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->dialled->len, ==, 2);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s ", calls[1].uri);
  g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 1), ==, expected);

  /* An account switched off counts as gone. */
  dt_account_set_enabled (home, FALSE);
  button = dt_test_find_by_id (GTK_WIDGET (call_row (g_ptr_array_index (rows, 2))),
                            "call_back_button");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (fixture->dialled->len, ==, 3);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("%s ", calls[2].uri);
  g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 2), ==, expected);
}

static void
on_counted (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  GListModel **rows = user_data;
  g_autoptr(GError) error = NULL;

  *rows = dt_history_query_finish (DT_HISTORY (object), result, &error);
  g_assert_no_error (error);
}

/* Every call in the file at @path, read by a history of its own. */
static GListModel *
read_back (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = dt_history_new_sync (path, NULL, &error);
  GListModel *rows = NULL;

  g_assert_no_error (error);
  dt_history_query_async (history, NULL, 0, 0, NULL, on_counted, &rows);
  while (rows == NULL)
    g_main_context_iteration (NULL, TRUE);
  return rows;
}

static gboolean
record_gone (GListModel *rows,
             gint64      id)
{
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(DtCallRecord) record = g_list_model_get_item (rows, i);

      if (dt_call_record_get_id (record) == id)
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  DtWindow   *window;
  GListModel *shown;
} RecentReplaced;

/* The window has read the history again since @shown; holding @shown
 * keeps its address from being reused by the new list. */
static gboolean
recent_replaced (gpointer data)
{
  RecentReplaced *wait = data;

  return dt_window_get_recent (wait->window) != wait->shown;
}

/* Delete Call, from the row's menu: gone from the list, and from the
 * file. */
static void
test_recent_delete (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GListModel) stored = NULL;
  g_autoptr(GVariant) target = NULL;
  g_autoptr(GListModel) shown = NULL;
  g_autofree char *action = NULL;
  g_autofree char *label = NULL;
  GtkWidget *row;
  GtkWidget *popover;
  GMenuModel *menu;
  gint64 id;

  show_window (fixture, 480);
  rows = recent_rows (fixture->window);
  row = GTK_WIDGET (call_row (g_ptr_array_index (rows, 2)));
  id = dt_call_record_get_id (dt_call_row_get_record (DT_CALL_ROW (row)));

  /* More opens the window's call menu, at this row, naming this call. */
  g_signal_emit_by_name (dt_test_find_by_id (row, "menu_button"), "clicked");
  popover = NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (fixture->window));
       child != NULL && popover == NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child))
      popover = child;
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  menu = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover));
  g_assert_nonnull (menu);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_LABEL, "s",
                                                  &label));
  g_assert_cmpstr (label, ==, "_Delete Call");
  g_assert_true (g_menu_model_get_item_attribute (menu, 0, G_MENU_ATTRIBUTE_ACTION, "s",
                                                  &action));
  g_assert_cmpstr (action, ==, "win.delete-call");
  target = g_menu_model_get_item_attribute_value (menu, 0, G_MENU_ATTRIBUTE_TARGET,
                                                  G_VARIANT_TYPE_INT64);
  g_assert_nonnull (target);
  g_assert_cmpint (g_variant_get_int64 (target), ==, id);
  screenshot_with_margin (fixture->window, "recent-row-menu.png", 120);

  /* What the menu item does when chosen; the menu closes. */
  g_assert_true (gtk_widget_activate_action_variant (popover, action, target));
  g_assert_false (gtk_widget_get_visible (popover));
  /* The row goes at once… */
  g_assert_cmpuint (g_list_model_get_n_items (dt_window_get_recent (fixture->window)), ==,
                    G_N_ELEMENTS (calls) - 1);
  /* …and after the history says it changed, the list read again agrees. */
  shown = g_object_ref (dt_window_get_recent (fixture->window));
  spin_until (recent_replaced, &(RecentReplaced) { fixture->window, shown });
  g_assert_cmpuint (g_list_model_get_n_items (dt_window_get_recent (fixture->window)), ==,
                    G_N_ELEMENTS (calls) - 1);
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = recent_rows (fixture->window);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (calls) - 1);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpint (dt_call_record_get_id (dt_call_row_get_record (call_row (
                       g_ptr_array_index (rows, i)))), !=, id);
  /* Yesterday's only call is gone, and its header with it. */
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (header_text (g_ptr_array_index (rows, i)), !=, "Yesterday");

  stored = read_back (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (stored), ==, G_N_ELEMENTS (calls) - 1);
  g_assert_true (record_gone (stored, id));
}

/* Search narrows the list and the headers follow; Clear History empties
 * it, the file too. */
static void
test_recent_search_and_clear (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GListModel) stored = NULL;
  g_autofree char *header = NULL;
  GtkWidget *search_entry;
  AdwMessageDialog *dialog = NULL;
  GListModel *toplevels;

  show_window (fixture, 480);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.search", NULL));
  search_entry = dt_test_find_by_id (GTK_WIDGET (fixture->window), "search_entry");
  gtk_editable_set_text (GTK_EDITABLE (search_entry), "alice");
  /* Alice today and five days ago. */
  wait_for_recent (fixture->window, 2);
  rows = recent_rows (fixture->window);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 0)), ==, "Today");
  header = expected_header (5);
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 1)), ==, header);
  screenshot (fixture->window, "recent-search-sections.png");

  gtk_editable_set_text (GTK_EDITABLE (search_entry), "");
  wait_for_recent (fixture->window, G_N_ELEMENTS (calls));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.clear-history",
                                             NULL));
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        dialog = ADW_MESSAGE_DIALOG (window);
    }
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "clear");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for_recent (fixture->window, 0);
  g_assert_cmpstr (visible_page (fixture->window), ==, "empty");

  stored = read_back (fixture->path);
  g_assert_cmpuint (g_list_model_get_n_items (stored), ==, 0);
}

/* Closed and opened again on the same file, the history shows the same
 * calls. */
static void
test_recent_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  show_window (fixture, 480);
  rows = recent_rows (fixture->window);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (before, g_strdup (dt_call_record_get_peer_uri (dt_call_row_get_record (
                                         call_row (g_ptr_array_index (rows, i))))));
  g_clear_pointer (&rows, g_ptr_array_unref);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  g_assert_finalize_object (fixture->history);

  fixture->history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_no_error (error);
  show_window (fixture, 480);
  rows = recent_rows (fixture->window);
  g_assert_cmpuint (rows->len, ==, before->len);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (dt_call_record_get_peer_uri (dt_call_row_get_record (
                       call_row (g_ptr_array_index (rows, i)))), ==,
                     g_ptr_array_index (before, i));
  g_assert_cmpstr (header_text (g_ptr_array_index (rows, 0)), ==, "Today");
}

static DtDialPad *
show_dial_pad (Fixture *fixture)
{
  GtkWidget *stack;
  GtkWidget *pad;

  show_window (fixture, 420);
  stack = dt_test_find_by_id (GTK_WIDGET (fixture->window), "view_stack");
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "dial");
  pad = find_by_type (GTK_WIDGET (fixture->window), DT_TYPE_DIAL_PAD);
  g_assert_nonnull (pad);
  settle ();
  return DT_DIAL_PAD (pad);
}

static GtkWidget *
suggestions_popover (DtDialPad *pad)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (pad)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      return child;
  return NULL;
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Waits for what the history was asked before to be answered: its worker
 * answers in order. */
static void
history_idle (DtHistory *history)
{
  GListModel *rows = NULL;

  dt_history_query_async (history, NULL, 0, 1, NULL, on_counted, &rows);
  while (rows == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (rows);
  settle ();
}

static GPtrArray *
suggestion_titles (GtkWidget *popover)
{
  GtkWidget *list = find_by_type (popover, GTK_TYPE_LIST_BOX);
  GPtrArray *titles = g_ptr_array_new ();

  g_assert_nonnull (list);
  for (int i = 0; gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i);

      g_ptr_array_add (titles,
                       (gpointer) adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
    }
  return titles;
}

static void
on_popover_mapped (GtkWidget  *popover,
                   GPtrArray **titles)
{
  if (*titles == NULL)
    *titles = suggestion_titles (popover);
}

static gboolean
press_key (GtkWidget *entry,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (entry);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, 0, &handled);
    }
  return handled;
}

/* Typing offers the recent peers that match, newest first, each once;
 * Down, Down, Up and Enter take the first; a click takes one too. */
static void
test_dial_pad_suggestions (Fixture       *fixture,
                           gconstpointer  data)
{
  DtDialPad *pad = show_dial_pad (fixture);
  GtkWidget *entry = find_by_type (GTK_WIDGET (pad), GTK_TYPE_ENTRY);
  GtkWidget *popover = suggestions_popover (pad);
  GtkWidget *list;
  g_autoptr(GPtrArray) titles = NULL;
  GPtrArray *first_titles = NULL;
  gulong first_shown;
  GtkWidget *account_row = dt_test_find_by_id (GTK_WIDGET (pad), "account_row");
  DtAccount *home = g_list_model_get_item (dt_settings_get_accounts (fixture->settings), 1);

  g_object_unref (home);
  g_assert_nonnull (entry);
  g_assert_nonnull (popover);
  gtk_widget_grab_focus (entry);

  /* Each keystroke asks again and drops the question before: the offers
   * first shown are those for the last text, and so are the ones left
   * once the history has answered everything. */
  first_shown = g_signal_connect (popover, "map", G_CALLBACK (on_popover_mapped), &first_titles);
  gtk_editable_set_text (GTK_EDITABLE (entry), "b");
  gtk_editable_set_text (GTK_EDITABLE (entry), "al");
  gtk_editable_set_text (GTK_EDITABLE (entry), "ali");
  spin_until (popover_shown, popover);
  history_idle (fixture->history);
  g_clear_signal_handler (&first_shown, popover);
  g_assert_nonnull (first_titles);
  g_assert_cmpuint (first_titles->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (first_titles, 0), ==, "Alice Example");
  g_clear_pointer (&first_titles, g_ptr_array_unref);
  titles = suggestion_titles (popover);
  /* Alice twice in the history, offered once; Alicia by her name. */
  g_assert_cmpuint (titles->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (titles, 0), ==, "Alice Example");
  g_assert_cmpstr (g_ptr_array_index (titles, 1), ==, "Alicia Keys");

  list = find_by_type (popover, GTK_TYPE_LIST_BOX);
  g_assert_true (press_key (entry, GDK_KEY_Down));
  screenshot (fixture->window, "dial-pad-suggestions.png");
  g_assert_true (press_key (entry, GDK_KEY_Down));
  g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (GTK_LIST_BOX (list))),
                   ==, 1);
  g_assert_true (press_key (entry, GDK_KEY_Up));
  g_assert_cmpint (gtk_list_box_row_get_index (gtk_list_box_get_selected_row (GTK_LIST_BOX (list))),
                   ==, 0);
  g_signal_emit_by_name (entry, "activate");
  /* Enter took the offer; it did not call. */
  g_assert_cmpuint (fixture->dialled->len, ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "sip:alice@example.com");
  g_assert_false (gtk_widget_get_visible (popover));
  /* Alice was last called from an account removed since: Call From stays
   * on the default. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (account_row)), ==, 0);
  history_idle (fixture->history);
  g_assert_false (gtk_widget_get_visible (popover));

  /* A number by its digits, picked with a click; it brings its account. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "555");
  spin_until (popover_shown, popover);
  g_clear_pointer (&titles, g_ptr_array_unref);
  titles = suggestion_titles (popover);
  g_assert_cmpuint (titles->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (titles, 0), ==, "+15551234567");
  g_signal_emit_by_name (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0), "activate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "+15551234567");
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == home);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pad), "dial-pad.call", NULL));
  g_assert_cmpuint (fixture->dialled->len, ==, 1);
  {
    g_autofree char *expected = g_strdup_printf ("tel:+15551234567 %s",
                                                 dt_account_get_id (home));

    g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 0), ==, expected);
  }

  /* Escape closes the offers; nothing matching shows none. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "carol");
  spin_until (popover_shown, popover);
  g_assert_true (press_key (entry, GDK_KEY_Escape));
  g_assert_false (gtk_widget_get_visible (popover));
  gtk_editable_set_text (GTK_EDITABLE (entry), "nobody-here");
  history_idle (fixture->history);
  g_assert_false (gtk_widget_get_visible (popover));
}

/* Call From: shown with two accounts on, starting on the default; the
 * choice goes with the call. Hidden with one; then app.dial. */
static void
test_dial_pad_accounts (Fixture       *fixture,
                        gconstpointer  data)
{
  DtDialPad *pad = show_dial_pad (fixture);
  GtkWidget *account_list = dt_test_find_by_id (GTK_WIDGET (pad), "account_list");
  GtkWidget *account_row = dt_test_find_by_id (GTK_WIDGET (pad), "account_row");
  GListModel *accounts = dt_settings_get_accounts (fixture->settings);
  g_autoptr(DtAccount) work = g_list_model_get_item (accounts, 0);
  g_autoptr(DtAccount) home = g_list_model_get_item (accounts, 1);
  g_autofree char *expected = NULL;
  g_autofree char *label = NULL;

  g_assert_true (gtk_widget_get_visible (account_list));
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == work);
  /* Until the person chooses, Call From follows the default. */
  dt_settings_set_default_account (fixture->settings, home);
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == home);
  dt_settings_set_default_account (fixture->settings, work);
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == work);
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (ADW_COMBO_ROW (account_row))),
                    ==, 2);
  label = dt_account_dup_label (home);
  g_assert_cmpstr (label, ==, "Home");

  dt_dial_pad_set_text (pad, "+1 555 0100");
  adw_combo_row_set_selected (ADW_COMBO_ROW (account_row), 1);
  screenshot (fixture->window, "dial-pad-call-from.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pad), "dial-pad.call", NULL));
  g_assert_cmpuint (fixture->dialled->len, ==, 1);
  expected = g_strdup_printf ("tel:+15550100 %s", dt_account_get_id (home));
  g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 0), ==, expected);

  /* The default changes: a choice made stays. */
  dt_settings_set_default_account (fixture->settings, work);
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == home);

  /* Home switched off: one account left, no choice, app.dial. */
  dt_account_set_enabled (home, FALSE);
  g_assert_false (gtk_widget_get_visible (account_list));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pad), "dial-pad.call", NULL));
  g_assert_cmpuint (fixture->dialled->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->dialled, 1), ==, "tel:+15550100");
  screenshot (fixture->window, "dial-pad-one-account.png");

  /* On again: the choice is back, and so is the person's account. */
  dt_account_set_enabled (home, TRUE);
  g_assert_true (gtk_widget_get_visible (account_list));
  g_assert_true (adw_combo_row_get_selected_item (ADW_COMBO_ROW (account_row)) == home);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/recent/sections", Fixture, NULL, fixture_set_up, test_recent_sections,
              fixture_tear_down);
  g_test_add ("/recent/call-back", Fixture, NULL, fixture_set_up, test_recent_call_back,
              fixture_tear_down);
  g_test_add ("/recent/delete", Fixture, NULL, fixture_set_up, test_recent_delete,
              fixture_tear_down);
  g_test_add ("/recent/search-and-clear", Fixture, NULL, fixture_set_up,
              test_recent_search_and_clear, fixture_tear_down);
  g_test_add ("/recent/restart", Fixture, NULL, fixture_set_up, test_recent_restart,
              fixture_tear_down);
  g_test_add ("/recent/dial-pad-suggestions", Fixture, NULL, fixture_set_up,
              test_dial_pad_suggestions, fixture_tear_down);
  g_test_add ("/recent/dial-pad-accounts", Fixture, NULL, fixture_set_up,
              test_dial_pad_accounts, fixture_tear_down);

  return g_test_run ();
}
