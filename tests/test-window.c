/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-window.c
 *
 * The main window under Xvfb: the Recent list shows what the history file
 * holds, newest first, follows new calls, and searches. Each state is
 * saved as a screenshot in the artefacts folder.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "dt-call-row.h"
#include "dt-window.h"
#include "dt-test-ui.h"

typedef struct
{
  char       *dir;
  DtHistory  *history;
  DtSettings *settings;
  DtWindow   *window;
} Fixture;

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
add_call (Fixture         *fixture,
          const char      *uri,
          const char      *name,
          DtCallDirection  direction,
          DtCallEndReason  reason,
          int              minutes_ago,
          int              seconds_long)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) start = g_date_time_add_minutes (now, -minutes_ago);
  g_autoptr(GDateTime) answer = g_date_time_add_seconds (start, 5);
  g_autoptr(GDateTime) end = g_date_time_add_seconds (answer, seconds_long);
  g_autoptr(DtCallRecord) record = NULL;
  guint n_added = 0;

  record = g_object_new (DT_TYPE_CALL_RECORD,
                         "protocol", "sip",
                         "direction", direction,
                         "peer-uri", uri,
                         "peer-name", name,
                         "start-time", start,
                         "answer-time", seconds_long > 0 ? answer : NULL,
                         "end-time", end,
                         "end-reason", reason,
                         NULL);
  dt_history_add_async (fixture->history, record, NULL, on_added, &n_added);
  while (n_added == 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("dialtone-window-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "history.db", NULL);
  fixture->history = dt_history_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  fixture->settings = dt_settings_new ();
  fixture->window = dt_window_new (NULL, fixture->settings);
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 420, 560);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "history.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_assert_finalize_object (fixture->history);
  g_clear_object (&fixture->settings);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Saves what the window shows now as artifacts/NAME.png in the build tree. */
static void
save_screenshot (DtWindow   *window,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  GskRenderer *renderer;
  int width, height;

  /* Let a frame be laid out and drawn first. */
  for (int i = 0; i < 20; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_build_filename (g_getenv ("DT_TEST_ARTIFACTS") ? g_getenv ("DT_TEST_ARTIFACTS")
                                                         : g_get_tmp_dir (), NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
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

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (DT_IS_CALL_ROW (child))
        g_ptr_array_add (rows, child);
      else
        collect_rows (child, rows);
    }
}

static const char *
visible_page (DtWindow *window)
{
  GtkWidget *stack = dt_test_find_by_id (GTK_WIDGET (window), "content_stack");

  g_assert_nonnull (stack);
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
test_window_empty (Fixture       *fixture,
                   gconstpointer  data)
{
  dt_window_set_history (fixture->window, fixture->history);
  gtk_window_present (GTK_WINDOW (fixture->window));
  spin_until (window_is_mapped, fixture->window);
  wait_for_recent (fixture->window, 0);

  /* First run: no call and no account, so the window welcomes. */
  g_assert_cmpstr (visible_page (fixture->window), ==, "welcome");
  save_screenshot (fixture->window, "welcome.png");

  /* With an account, an empty Recent list is just empty. */
  {
    DtAccount *account = dt_settings_add_account (fixture->settings, "sip");

    g_assert_nonnull (account);
    g_assert_cmpstr (visible_page (fixture->window), ==, "empty");
    save_screenshot (fixture->window, "recent-empty.png");
    dt_settings_remove_account (fixture->settings, account);
    g_assert_cmpstr (visible_page (fixture->window), ==, "welcome");
  }
}

static void
test_window_recent (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *list;
  GtkWidget *search_entry;
  DtCallRecord *record;

  add_call (fixture, "sip:alice@example.com", "Alice Example", DT_CALL_DIRECTION_OUTGOING,
            DT_CALL_END_REASON_LOCAL_HANGUP, 180, 312);
  add_call (fixture, "tel:+15551234567", NULL, DT_CALL_DIRECTION_INCOMING,
            DT_CALL_END_REASON_MISSED, 60, 0);
  add_call (fixture, "sip:carol@example.org", "Carol", DT_CALL_DIRECTION_INCOMING,
            DT_CALL_END_REASON_REMOTE_HANGUP, 5, 75);

  dt_window_set_history (fixture->window, fixture->history);
  gtk_window_present (GTK_WINDOW (fixture->window));
  spin_until (window_is_mapped, fixture->window);
  wait_for_recent (fixture->window, 3);
  g_assert_cmpstr (visible_page (fixture->window), ==, "list");

  /* Rows are in the list box, newest first, and say what happened. */
  list = dt_test_find_by_id (GTK_WIDGET (fixture->window), "recent_list");
  collect_rows (list, rows);
  g_assert_cmpuint (rows->len, ==, 3);
  record = dt_call_row_get_record (g_ptr_array_index (rows, 0));
  g_assert_cmpstr (dt_call_record_get_peer_name (record), ==, "Carol");
  record = dt_call_row_get_record (g_ptr_array_index (rows, 1));
  g_assert_true (dt_call_record_get_missed (record));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dt_test_find_by_id (g_ptr_array_index (rows, 1),
                                                                    "title_label"))),
                   ==, "tel:+15551234567");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dt_test_find_by_id (g_ptr_array_index (rows, 2),
                                                                    "subtitle_label"))),
                   ==, "5:12");
  save_screenshot (fixture->window, "recent-list.png");

  /* A call written to the history shows up without a restart. */
  add_call (fixture, "sip:dave@example.net", "Dave", DT_CALL_DIRECTION_OUTGOING,
            DT_CALL_END_REASON_BUSY, 1, 0);
  wait_for_recent (fixture->window, 4);

  /* Search narrows the list by name or address. */
  search_entry = dt_test_find_by_id (GTK_WIDGET (fixture->window), "search_entry");
  gtk_editable_set_text (GTK_EDITABLE (search_entry), "example.org");
  wait_for_recent (fixture->window, 1);
  record = g_list_model_get_item (dt_window_get_recent (fixture->window), 0);
  g_assert_cmpstr (dt_call_record_get_peer_uri (record), ==, "sip:carol@example.org");
  g_object_unref (record);
  save_screenshot (fixture->window, "recent-search.png");

  gtk_editable_set_text (GTK_EDITABLE (search_entry), "nobody-here");
  wait_for_recent (fixture->window, 0);
  g_assert_cmpstr (visible_page (fixture->window), ==, "no-results");
  save_screenshot (fixture->window, "recent-no-results.png");
}

/* The window keeps its size in the settings. */
static void
test_window_size_saved (Fixture       *fixture,
                        gconstpointer  data)
{
  int width;

  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 500, 600);
  g_object_get (fixture->settings, "window-width", &width, NULL);
  g_assert_cmpint (width, ==, 500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/window/empty", Fixture, NULL, fixture_set_up, test_window_empty,
              fixture_tear_down);
  g_test_add ("/window/recent", Fixture, NULL, fixture_set_up, test_window_recent,
              fixture_tear_down);
  g_test_add ("/window/size-saved", Fixture, NULL, fixture_set_up, test_window_size_saved,
              fixture_tear_down);

  return g_test_run ();
}
