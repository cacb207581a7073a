/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diagnostics-pane.c
 *
 * The Diagnostics window under Xvfb against a real coturn started here on
 * loopback and the real diagnostics peer, which the window starts itself
 * from dialtone-helper (DIALTONE_HELPER): a good TURN URI and one with a
 * wrong password are typed in and run; their stage rows are watched as
 * they change, before the run ends; the good one ends Excellent and usable
 * by calls, the bad one failed on authentication with its advice; the
 * saved HTML report names both with their grades; a second run is
 * cancelled while a silent server keeps it waiting, and then nothing moves
 * any more and Run is back; a URI that does not parse shows the parser's
 * message and turns Run off; a window closed in the middle of a run goes
 * cleanly. Screenshots at 560 and 360 px wide, during
 * and after a run, go to the artefacts folder.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "coturn.h"
#include "dt-diagnostics-window.h"
#include "dt-diagnostics-window-private.h"
#include "dt-secrets.h"
#include "dt-test-keyring.h"

#define WIDTH  560
#define NARROW 360
#define HEIGHT 790

static char *tmpdir;
static char *certdir;
static Coturn *server;

/* --- helpers ------------------------------------------------------------ */

static void
spin_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* Lets GTK lay out and draw; no check depends on it */
static void
settle (void)
{
  for (int i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (4000);
    }
}

static gboolean
window_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
run_is_over (gpointer data)
{
  return !dt_diagnostics_window_get_running (data);
}

static GtkScrolledWindow *
find_scroller (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found;

      if (GTK_IS_SCROLLED_WINDOW (child))
        return GTK_SCROLLED_WINDOW (child);
      found = find_scroller (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Shows the end of the page, where the results grow */
static void
scroll_to_end (DtDiagnosticsWindow *window)
{
  GtkAdjustment *adjustment;

  settle ();
  adjustment = gtk_scrolled_window_get_vadjustment (find_scroller (GTK_WIDGET (window)));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
}

typedef struct {
  DtDiagnosticsWindow *window;
  int                  width;
} Resize;

static gboolean
has_width (gpointer data)
{
  Resize *resize = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (resize->window));

  return gdk_surface_get_width (surface) == resize->width;
}

static void
resize_window (DtDiagnosticsWindow *window,
               int                  width)
{
  Resize resize = { window, width };

  gtk_window_set_default_size (GTK_WINDOW (window), width, HEIGHT);
  spin_until (has_width, &resize);
}

/* The screen, cut to the window at the top left where Xvfb, with no window
 * manager, puts it */
static void
screenshot (DtDiagnosticsWindow *window,
            const char          *name)
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
                             gdk_surface_get_width (surface), gdk_surface_get_height (surface),
                             path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error))
    {
      g_test_message ("No screenshot: %s", error->message);
      return;
    }
  g_test_message ("screenshot: %s", path);
}

static DtDiagnosticsWindow *
open_window (DtSettings *settings)
{
  DtDiagnosticsWindow *window = dt_diagnostics_window_new (NULL, settings, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (window_is_mapped, window);
  return window;
}

static void
type_server (DtDiagnosticsWindow *window,
             guint                index,
             const char          *uri,
             const char          *username,
             const char          *password)
{
  AdwEntryRow *uri_row, *username_row, *password_row;

  while (_dt_diagnostics_window_get_n_servers (window) <= index)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "diagnostics.add-server",
                                               NULL));
  _dt_diagnostics_window_get_server_rows (window, index, &uri_row, &username_row,
                                          &password_row);
  gtk_editable_set_text (GTK_EDITABLE (uri_row), uri);
  gtk_editable_set_text (GTK_EDITABLE (username_row), username);
  gtk_editable_set_text (GTK_EDITABLE (password_row), password);
  /* Passwords go into a password entry, which hides them */
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (password_row));
}

static const char *
family_subtitle (DtDiagnosticsWindow *window,
                 const char          *uri,
                 GSocketFamily        family)
{
  AdwExpanderRow *row = _dt_diagnostics_window_get_family_row (window, uri, family);

  g_assert_nonnull (row);
  return adw_expander_row_get_subtitle (row);
}

/* Which states each stage row of @uri in IPv4 was seen in while the run
 * was still going: bit 1 << state per stage */
typedef struct {
  const char *uri;
  guint       seen[DT_DIAG_N_STAGES];
} Watch;

static void
watch_sample (DtDiagnosticsWindow *window,
              Watch               *watch)
{
  for (guint s = 0; s < DT_DIAG_N_STAGES; s++)
    {
      DtDiagStageState state =
        _dt_diagnostics_window_get_stage_state (window, watch->uri, G_SOCKET_FAMILY_IPV4, s);

      if (_dt_diagnostics_window_get_family_row (window, watch->uri, G_SOCKET_FAMILY_IPV4) !=
          NULL)
        watch->seen[s] |= 1u << state;
    }
}

static gboolean
seen (const Watch      *watch,
      DtDiagStage       stage,
      DtDiagStageState  state)
{
  return (watch->seen[stage] & (1u << state)) != 0;
}

/* --- tests -------------------------------------------------------------- */

typedef struct {
  GFile   *file;
  gboolean done;
} Save;

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Save *save = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (_dt_diagnostics_window_save_finish (DT_DIAGNOSTICS_WINDOW (source), result,
                                                     &error));
  g_assert_no_error (error);
  save->done = TRUE;
}

static gboolean
save_done (gpointer data)
{
  return ((Save *) data)->done;
}

typedef struct {
  DtDiagnosticsWindow *window;
  const char          *uri;
  DtDiagStage          stage;
} StageWait;

static gboolean
stage_is_running (gpointer data)
{
  StageWait *wait = data;

  return _dt_diagnostics_window_get_stage_state (wait->window, wait->uri, G_SOCKET_FAMILY_IPV4,
                                                 wait->stage) == DT_DIAG_STAGE_RUNNING;
}

static void
test_run (void)
{
  g_autoptr(DtSettings) settings = dt_settings_new ();
  DtDiagnosticsWindow *window = open_window (settings);
  g_autofree char *good = g_strdup_printf ("turn:127.0.0.1:%u", server->port);
  g_autofree char *bad = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", server->port);
  g_autofree char *silent_uri = NULL;
  g_autofree char *report_path = g_build_filename (tmpdir, "report.html", NULL);
  g_autofree char *html = NULL;
  g_autoptr(GFile) report_file = g_file_new_for_path (report_path);
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *run_button = _dt_diagnostics_window_get_run_button (window);
  GtkWidget *cancel_button = _dt_diagnostics_window_get_cancel_button (window);
  GtkWidget *save_button = _dt_diagnostics_window_get_save_button (window);
  Watch watch_good = { good, { 0 } };
  Watch watch_bad = { bad, { 0 } };
  guint updates_during = 0;
  Save save = { report_file, FALSE };
  StageWait binding = { window, NULL, DT_DIAG_STAGE_BINDING };
  gint64 cancelled_at;
  guint updates;

  /* Nothing typed yet: nothing to run */
  g_assert_false (gtk_widget_get_sensitive (run_button));
  type_server (window, 0, good, COTURN_USERNAME, COTURN_PASSWORD);
  type_server (window, 1, bad, COTURN_USERNAME, "not-the-password");
  g_assert_true (gtk_widget_get_sensitive (run_button));
  g_assert_false (gtk_widget_get_visible (cancel_button));

  /* Run, and watch the rows as they go */
  g_signal_emit_by_name (run_button, "clicked");
  g_assert_true (dt_diagnostics_window_get_running (window));
  g_assert_false (gtk_widget_get_sensitive (run_button));
  g_assert_true (gtk_widget_get_visible (cancel_button));
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;

    while (dt_diagnostics_window_get_running (window))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        if (!dt_diagnostics_window_get_running (window))
          break;
        watch_sample (window, &watch_good);
        watch_sample (window, &watch_bad);
        updates_during = _dt_diagnostics_window_get_n_updates (window);
      }
  }

  /* Seen live: the good URI's relay stages passed while the run went on,
   * and its ICE check spun before it did. A stage on loopback can start
   * and end within one main loop iteration (a reply read in the same
   * dispatch as the request was sent), so only the ICE check, which
   * always waits on libnice's timers, must have been seen spinning. The
   * bad one's allocation showed, running or failed, before the end. */
  for (DtDiagStage s = DT_DIAG_STAGE_PARSE; s <= DT_DIAG_STAGE_ICE; s++)
    g_test_message ("seen live, %s: good %#x, bad %#x", dt_diag_stage_to_string (s),
                    watch_good.seen[s], watch_bad.seen[s]);
  for (DtDiagStage s = DT_DIAG_STAGE_RESOLVE; s <= DT_DIAG_STAGE_GREETING; s++)
    if (s != DT_DIAG_STAGE_HANDSHAKE)
      g_assert_true (seen (&watch_good, s, DT_DIAG_STAGE_PASSED));
  g_assert_true (seen (&watch_good, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_RUNNING));
  g_assert_true (seen (&watch_bad, DT_DIAG_STAGE_ALLOCATE, DT_DIAG_STAGE_RUNNING) ||
                 seen (&watch_bad, DT_DIAG_STAGE_ALLOCATE, DT_DIAG_STAGE_FAILED));
  g_assert_cmpuint (updates_during, >, 10);

  /* And the end */
  g_assert_true (g_str_has_prefix (_dt_diagnostics_window_get_status (window), "Finished in"));
  g_assert_cmpint (_dt_diagnostics_window_get_stage_state (window, good, G_SOCKET_FAMILY_IPV4,
                                                           DT_DIAG_STAGE_ICE), ==,
                   DT_DIAG_STAGE_PASSED);
  g_assert_cmpstr (_dt_diagnostics_window_get_grade (window, good, G_SOCKET_FAMILY_IPV4), ==,
                   "Excellent");
  g_assert_nonnull (strstr (family_subtitle (window, good, G_SOCKET_FAMILY_IPV4),
                            "Usable by calls"));
  g_assert_null (_dt_diagnostics_window_get_advice (window, good, G_SOCKET_FAMILY_IPV4));

  g_assert_cmpstr (_dt_diagnostics_window_get_grade (window, bad, G_SOCKET_FAMILY_IPV4), ==,
                   "Fail");
  g_assert_cmpint (_dt_diagnostics_window_get_stage_state (window, bad, G_SOCKET_FAMILY_IPV4,
                                                           DT_DIAG_STAGE_ALLOCATE), ==,
                   DT_DIAG_STAGE_FAILED);
  g_assert_nonnull (strstr (family_subtitle (window, bad, G_SOCKET_FAMILY_IPV4),
                            "authentication failed"));
  g_assert_nonnull (strstr (_dt_diagnostics_window_get_advice (window, bad,
                                                               G_SOCKET_FAMILY_IPV4),
                            "rejected the user name or password"));
  /* An IPv4 literal has nothing to try in IPv6 */
  if (_dt_diagnostics_window_get_family_row (window, good, G_SOCKET_FAMILY_IPV6) != NULL)
    g_assert_cmpstr (_dt_diagnostics_window_get_grade (window, good, G_SOCKET_FAMILY_IPV6), ==,
                     "Not tested");
  g_assert_true (gtk_widget_get_sensitive (run_button));
  g_assert_false (gtk_widget_get_visible (cancel_button));

  /* The window brought the result into view */
  screenshot (window, "diagnostics-after.png");
  scroll_to_end (window);
  screenshot (window, "diagnostics-after-end.png");
  resize_window (window, NARROW);
  scroll_to_end (window);
  screenshot (window, "diagnostics-after-360.png");
  resize_window (window, WIDTH);

  /* Save Report… to a file of the test's choosing */
  _dt_diagnostics_window_save_async (window, report_file, NULL, on_saved, &save);
  spin_until (save_done, &save);
  g_assert_true (g_file_get_contents (report_path, &html, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (html, good));
  g_assert_nonnull (strstr (html, bad));
  g_assert_nonnull (strstr (html, "Excellent"));
  g_assert_nonnull (strstr (html, "Fail"));
  g_assert_nonnull (strstr (html, "authentication failed"));
  g_assert_null (strstr (html, COTURN_PASSWORD));
  g_assert_null (strstr (html, "not-the-password"));

  /* A second run, held up by a server that never answers, cancelled */
  silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_true (g_socket_bind (silent, any, FALSE, &error));
    bound = g_socket_get_local_address (silent, &error);
    silent_uri = g_strdup_printf ("turn:127.0.0.1:%u",
                                  g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  }
  type_server (window, 2, silent_uri, COTURN_USERNAME, COTURN_PASSWORD);
  g_assert_true (gtk_widget_get_sensitive (save_button));
  g_signal_emit_by_name (run_button, "clicked");
  /* The report shown is gone with the run that made it */
  g_assert_false (gtk_widget_get_sensitive (save_button));
  binding.uri = silent_uri;
  spin_until (stage_is_running, &binding);
  screenshot (window, "diagnostics-during.png");
  resize_window (window, NARROW);
  scroll_to_end (window);
  screenshot (window, "diagnostics-during-360.png");
  g_assert_true (dt_diagnostics_window_get_running (window));

  g_signal_emit_by_name (cancel_button, "clicked");
  cancelled_at = g_get_monotonic_time ();
  spin_until (run_is_over, window);
  /* Stopped at once, not after the stage's own 5 s timeout */
  g_test_message ("the run stopped %.1f ms after Cancel",
                  (g_get_monotonic_time () - cancelled_at) / 1000.0);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 2 * G_TIME_SPAN_SECOND);
  g_assert_cmpstr (_dt_diagnostics_window_get_status (window), ==, "Cancelled");
  g_assert_true (gtk_widget_get_sensitive (run_button));
  g_assert_false (gtk_widget_get_visible (cancel_button));
  g_assert_null (_dt_diagnostics_window_get_grade (window, silent_uri, G_SOCKET_FAMILY_IPV4));
  /* A cancelled run has no report to save */
  g_assert_false (gtk_widget_get_sensitive (save_button));

  /* Nothing moves after the cancel: well past what the runner's stages
   * would have taken on loopback, no row changes */
  updates = _dt_diagnostics_window_get_n_updates (window);
  {
    gint64 until = g_get_monotonic_time () + G_TIME_SPAN_SECOND;

    while (g_get_monotonic_time () < until)
      {
        g_main_context_iteration (NULL, FALSE);
        g_usleep (2000);
      }
  }
  g_assert_cmpuint (_dt_diagnostics_window_get_n_updates (window), ==, updates);
  g_assert_cmpint (_dt_diagnostics_window_get_stage_state (window, silent_uri,
                                                           G_SOCKET_FAMILY_IPV4,
                                                           DT_DIAG_STAGE_BINDING), ==,
                   DT_DIAG_STAGE_RUNNING);
  screenshot (window, "diagnostics-cancelled-360.png");

  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (report_path);
}

static gboolean
family_row_shown (gpointer data)
{
  StageWait *wait = data;

  return _dt_diagnostics_window_get_family_row (wait->window, wait->uri,
                                                G_SOCKET_FAMILY_IPV4) != NULL;
}

static gboolean
is_finalized (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Closed in the middle of a run: the run stops, nothing touches the gone
 * widgets, and the window is freed once the last callback has come */
static void
test_close_while_running (void)
{
  g_autoptr(DtSettings) settings = dt_settings_new ();
  DtDiagnosticsWindow *window = open_window (settings);
  g_autofree char *good = g_strdup_printf ("turn:127.0.0.1:%u", server->port);
  StageWait wait = { window, good, DT_DIAG_STAGE_PARSE };
  gpointer weak = window;

  type_server (window, 0, good, COTURN_USERNAME, COTURN_PASSWORD);
  g_signal_emit_by_name (_dt_diagnostics_window_get_run_button (window), "clicked");
  spin_until (family_row_shown, &wait);
  g_assert_true (dt_diagnostics_window_get_running (window));

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  spin_until (is_finalized, &weak);
}

/* The parser's own message, under the row, and no Run */
static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
is_stored (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static gboolean
has_two_servers (gpointer data)
{
  return _dt_diagnostics_window_get_n_servers (data) == 2;
}

/* Servers of Account: the account's STUN and TURN servers and TURN user
 * name from its settings, its TURN password from the Secret Service. */
static void
test_account_servers (void)
{
  g_autoptr(DtSettings) settings = dt_settings_new ();
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GError) error = NULL;
  const char *stun[] = { "stun:127.0.0.1:3478", NULL };
  const char *turn[] = { "turn:127.0.0.1:3478?transport=tcp", NULL };
  DtDiagnosticsWindow *window;
  AdwEntryRow *uri_row, *username_row, *password_row;
  DtAccount *account;

  account = dt_settings_add_account (settings, "sip");
  dt_account_set_identity (account, "sip:carol@127.0.0.1");
  dt_account_set_stun_servers (account, stun);
  dt_account_set_turn_servers (account, turn);
  dt_account_set_turn_username (account, "carol");
  dt_secret_store_async (dt_account_get_id (account), DT_SECRET_TURN_PASSWORD,
                         "Dialtone test TURN password", "relay-pass", NULL, on_stored, &stored);
  spin_until (is_stored, &stored);
  g_assert_true (dt_secret_store_finish (stored, &error));
  g_assert_no_error (error);

  window = open_window (settings);
  g_assert_cmpuint (_dt_diagnostics_window_get_n_servers (window), ==, 1);
  adw_combo_row_set_selected (_dt_diagnostics_window_get_account_row (window), 1);
  spin_until (has_two_servers, window);

  _dt_diagnostics_window_get_server_rows (window, 0, &uri_row, &username_row, &password_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (uri_row)), ==,
                   dt_account_get_stun_servers (account)[0]);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (password_row)));
  _dt_diagnostics_window_get_server_rows (window, 1, &uri_row, &username_row, &password_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (uri_row)), ==,
                   dt_account_get_turn_servers (account)[0]);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (username_row)), ==, "carol");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password_row)), ==, "relay-pass");
  g_assert_true (gtk_widget_get_sensitive (_dt_diagnostics_window_get_run_button (window)));
  screenshot (window, "diagnostics-account.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_invalid_uri (void)
{
  g_autoptr(DtSettings) settings = dt_settings_new ();
  DtDiagnosticsWindow *window = open_window (settings);
  GtkWidget *run_button = _dt_diagnostics_window_get_run_button (window);
  AdwEntryRow *uri_row, *username_row, *password_row;
  GtkLabel *error_label;

  _dt_diagnostics_window_get_server_rows (window, 0, &uri_row, &username_row, &password_row);
  error_label = _dt_diagnostics_window_get_server_error (window, 0);

  gtk_editable_set_text (GTK_EDITABLE (uri_row), "turn:127.0.0.1:99999");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label),
                            "“99999” is not a number from 1 to 65535"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (uri_row), "error"));
  g_assert_false (gtk_widget_get_sensitive (run_button));
  /* Nor from the keyboard (Ctrl+Return runs) */
  gtk_widget_activate_action (GTK_WIDGET (window), "diagnostics.run", NULL);
  g_assert_false (dt_diagnostics_window_get_running (window));
  screenshot (window, "diagnostics-invalid.png");

  /* A second, good server does not make the bad one runnable */
  type_server (window, 1, "turn:127.0.0.1:3478", COTURN_USERNAME, COTURN_PASSWORD);
  g_assert_false (gtk_widget_get_sensitive (run_button));

  gtk_editable_set_text (GTK_EDITABLE (uri_row), "turns://example.org");
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "“//”"));
  g_assert_false (gtk_widget_get_sensitive (run_button));

  /* STUN takes no credentials: their rows go */
  gtk_editable_set_text (GTK_EDITABLE (uri_row), "stun:127.0.0.1");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (uri_row), "error"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (username_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (password_row)));
  g_assert_true (gtk_widget_get_sensitive (run_button));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *ips[] = { "127.0.0.1", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  adw_init ();

  tmpdir = g_dir_make_tmp ("dialtone-diagnostics-pane-XXXXXX", &error);
  g_assert_no_error (error);
  certdir = coturn_make_certs (tmpdir);
  server = coturn_start (tmpdir, certdir, ips, FALSE);

  g_test_add_func ("/diagnostics-pane/invalid-uri", test_invalid_uri);
  g_test_add_func ("/diagnostics-pane/run", test_run);
  g_test_add_func ("/diagnostics-pane/close-while-running", test_close_while_running);
  g_test_add_func ("/diagnostics-pane/account-servers", test_account_servers);

  dt_test_keyring_start (KEYRING_DAEMON);
  ret = g_test_run ();
  dt_test_keyring_stop ();

  if (ret != 0)
    coturn_dump_log (server);
  coturn_stop (server);
  {
    const char *cmd[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (certdir);
  g_free (tmpdir);
  return ret;
}
