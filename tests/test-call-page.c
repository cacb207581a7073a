/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call-page.c
 *
 * The in-call page under Xvfb, in the main window, against
 * dialtone-helper's echo extension over loopback. The microphone is a
 * 440 Hz tone and what the speaker plays goes to a WAV file. Driving the
 * page's buttons as a person would, the test sees:
 *
 * - the Call page come forward with the peer and "Active", its clock
 *   advance, its meters move and its Call Quality rows name the codec;
 * - the keypad's digits arrive at the echo (the helper's dtmf events);
 * - Hold reach the echo as a hold (call-held), and Hold again resume it;
 * - the tone come back at 440 Hz and the level it was sent at, and Mute
 *   make the echo silent;
 * - Hang Up end the call, and the page go, leaving Recent;
 * - with two calls, the other one listed with Switch, and Switch take it
 *   up while the first waits on hold at the echo.
 *
 * Screenshots at the normal width and at 360 px go to the artefacts.
 */

#include "config.h"

#include <math.h>
#include <stdio.h>

#include <adwaita.h>

#include "dt-call-page.h"
#include "dt-sip-backend.h"
#include "dt-test-backend.h"
#include "dt-test-helper.h"
#include "dt-test-rtp.h"
#include "dt-window.h"
#include "dt-test-ui.h"

#define WAIT_MS (DT_TEST_BACKEND_WAIT_S * 1000)
#define TONE_HZ 440

static struct
{
  char              *dir;
  char              *wav;
  DtTestHelper      *helper;
  DtAudioConfig     *audio;
  DtSipBackend      *backend;
  DtBackendRegistry *registry;
  GListStore        *accounts;
  DtAccount         *alice;
  DtCallManager     *manager;
  DtSettings        *settings;
  DtWindow          *window;
  DtWindow          *narrow;      /* a second main window, 360 px wide */
  DtCallPage        *page;        /* the page the test drives */
} t;

/* --- looking at the widgets --------------------------------------------- */

static GtkWidget *
page_child (const char *name)
{
  GtkWidget *child = dt_test_find_by_id (GTK_WIDGET (t.page), name);

  g_assert_nonnull (child);
  return child;
}

static const char *
page_text (const char *label)
{
  return gtk_label_get_text (GTK_LABEL (page_child (label)));
}

/* A keypad key, by the widget name the page gives it: its digit. */
static GtkWidget *
keypad_key (const char *digit)
{
  GtkWidget *grid = page_child ("keypad_grid");

  for (GtkWidget *key = gtk_widget_get_first_child (grid); key;
       key = gtk_widget_get_next_sibling (key))
    if (g_strcmp0 (gtk_widget_get_name (key), digit) == 0)
      return key;
  g_error ("No key %s on the keypad", digit);
  return NULL;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

static const char *
visible_page (void)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (t.page)));

  return adw_view_stack_get_visible_child_name (
    ADW_VIEW_STACK (dt_test_find_by_id (window, "view_stack")));
}

/* Whether the view switcher offers the Call page. */
static gboolean
call_page_listed (void)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (t.page)));
  AdwViewStack *stack = ADW_VIEW_STACK (dt_test_find_by_id (window, "view_stack"));

  return adw_view_stack_page_get_visible (adw_view_stack_get_page (stack, GTK_WIDGET (t.page)));
}

static double
meter (const char *name)
{
  return gtk_level_bar_get_value (GTK_LEVEL_BAR (page_child (name)));
}

static guint
duration_seconds (void)
{
  const char *text = page_text ("duration_label");
  guint minutes = 0, seconds = 0;

  g_assert_cmpint (sscanf (text, "%u:%u", &minutes, &seconds), ==, 2);
  return minutes * 60 + seconds;
}

/* What the screen shows now, the window's part of it, as NAME.png in the
 * artefacts folder. */
static void
screenshot (const char *name)
{
  const char *artifacts = g_getenv ("DT_TEST_ARTIFACTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (t.page)));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  /* The surface, with the shadow the window draws around itself. */
  int width = gdk_surface_get_width (surface);
  int height = gdk_surface_get_height (surface);
  g_autoptr(GError) error = NULL;
  int status = 0;

  /* Let a frame be laid out and drawn, transitions over. */
  dt_test_run_for (600);
  if (artifacts == NULL)
    return;
  g_assert_cmpint (g_mkdir_with_parents (artifacts, 0755), ==, 0);
  path = g_build_filename (artifacts, name, NULL);
  command = g_strdup_printf ("import -window root -crop %dx%d+0+0 '%s'", width, height, path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error))
    g_test_message ("No screenshot: %s", error->message);
  else
    g_test_message ("screenshot: %s (%dx%d)", path, width, height);
}

/* Does what a key press on the page does: the page's own shortcut for
 * @keyval (the class bindings GTK installs on every page) is triggered.
 * Xvfb has no XTEST here, and GTK has no public way to inject a key. */
static void
press_key (guint keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (t.page));
  gboolean pressed = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !pressed; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)) && !pressed; j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (!GTK_IS_KEYVAL_TRIGGER (trigger)
              || gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) != keyval
              || gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) != 0)
            continue;
          pressed = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                  GTK_WIDGET (t.page),
                                                  gtk_shortcut_get_arguments (shortcut));
        }
    }
  if (!pressed)
    g_error ("The page has no shortcut for %s", gdk_keyval_name (keyval));
}

/* --- waiting ------------------------------------------------------------ */

static void
wait_until (DtTestDoneFunc  done,
            gpointer        data,
            const char     *what)
{
  if (!dt_test_iterate_until (done, data, WAIT_MS))
    g_error ("Timed out waiting for %s", what);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
window_is_narrow (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (t.narrow))
         && gtk_widget_get_width (GTK_WIDGET (t.narrow)) > 0
         && gtk_widget_get_width (GTK_WIDGET (t.narrow)) <= 380;
}

static gboolean
account_online (gpointer data)
{
  return dt_account_get_state (data) == DT_ACCOUNT_STATE_ONLINE;
}

static gboolean
page_shows (gpointer data)
{
  return dt_call_page_get_call (t.page) == data && g_strcmp0 (visible_page (), "call") == 0
         && gtk_widget_get_mapped (GTK_WIDGET (t.page));
}

static gboolean
page_gone (gpointer data)
{
  return dt_call_page_get_call (t.page) == NULL && g_strcmp0 (visible_page (), "recent") == 0;
}

static gboolean
state_label_is (gpointer data)
{
  return g_strcmp0 (page_text ("state_label"), data) == 0;
}

static gboolean
duration_shown (gpointer data)
{
  return gtk_widget_get_visible (page_child ("duration_label"));
}

static gboolean
duration_passes (gpointer data)
{
  return duration_seconds () > GPOINTER_TO_UINT (data);
}

static gboolean
meters_move (gpointer data)
{
  /* −30 dBFS on the page's 60 dB scale, at both ends */
  return meter ("input_level") > 0.5 && meter ("output_level") > 0.5;
}

static gboolean
far_end_quiet (gpointer data)
{
  return meter ("output_level") < 0.05;
}

static gboolean
codec_named (gpointer data)
{
  return g_str_has_prefix (page_text ("codec_label"), data);
}

static gboolean
others_listed (gpointer data)
{
  GtkListBox *list = GTK_LIST_BOX (page_child ("others_list"));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);

  return gtk_widget_get_visible (page_child ("others_group")) && row != NULL
         && g_object_get_data (G_OBJECT (row), "dt-call") == data
         && gtk_list_box_get_row_at_index (list, 1) == NULL;
}

static DtCall *
dial_echo (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync dial = { NULL };
  DtCall *call;

  dt_call_manager_dial_async (t.manager, "sip:echo@127.0.0.1", NULL, NULL,
                              dt_test_async_ready, &dial);
  result = dt_test_async_wait (&dial, "Dialling echo");
  call = dt_call_manager_dial_finish (t.manager, result, &error);
  g_assert_no_error (error);
  return call;
}

static GtkWidget *
switch_button (void)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (page_child ("others_list")),
                                                      0);
  GtkWidget *found = NULL;

  g_assert_nonnull (row);
  for (GtkWidget *w = GTK_WIDGET (row); w != NULL && found == NULL; )
    {
      if (GTK_IS_BUTTON (w) && gtk_actionable_get_action_name (GTK_ACTIONABLE (w)) != NULL)
        found = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != GTK_WIDGET (row) && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w != NULL && w != GTK_WIDGET (row) ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_assert_nonnull (found);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (found)), ==, "call.switch");
  return found;
}

/* --- the tests ------------------------------------------------------------ */

static void
test_call_page_echo (void)
{
  g_autoptr(DtCall) call = NULL;
  g_autoptr(JsonObject) started = NULL;
  g_autoptr(JsonObject) held = NULL;
  g_autoptr(JsonObject) resumed = NULL;
  g_autoptr(JsonObject) ended = NULL;
  g_autoptr(GString) far_digits = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const char *digits[] = { "1", "5", "#", "9", "*", "0" };
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  const float *samples;
  gsize n_samples;
  double frequency, level, silence, length;
  gint64 active_at, muted_at;
  guint first_seconds;
  DtTestWav heard;

  /* Placed through the call manager, as the dial pad's app.dial does. */
  call = dial_echo ();
  wait_until (page_shows, call, "the Call page to show the call");
  dt_test_call_wait_state (call, DT_CALL_STATE_ACTIVE);
  active_at = g_get_monotonic_time ();
  started = dt_test_helper_wait_event (t.helper, "call-started");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (started, "to"), "sip:echo@"));

  wait_until (state_label_is, (gpointer) "Active", "the page to say Active");
  g_assert_cmpstr (page_text ("name_label"), ==, "echo");
  g_assert_cmpstr (page_text ("uri_label"), ==, "sip:echo@127.0.0.1");
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (page_child ("avatar"))), ==, "echo");
  g_assert_true (call_page_listed ());
  g_assert_true (gtk_widget_get_sensitive (page_child ("hangup_button")));
  g_assert_false (gtk_widget_get_visible (page_child ("answer_button")));
  /* The helper's echo cannot be transferred; the button says so. */
  g_assert_cmpint (gtk_widget_get_sensitive (page_child ("transfer_button")), ==,
                   dt_call_get_can_transfer (call));

  /* The clock runs. */
  wait_until (duration_shown, NULL, "the duration");
  first_seconds = duration_seconds ();
  wait_until (duration_passes, GUINT_TO_POINTER (first_seconds), "the duration to advance");
  g_test_message ("duration: %u s, then %s", first_seconds, page_text ("duration_label"));

  /* The meters and the figures. */
  wait_until (meters_move, NULL, "the level meters to move");
  g_test_message ("meters: microphone %.2f, far end %.2f", meter ("input_level"),
                  meter ("output_level"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (page_child ("stats_row")), TRUE);
  wait_until (codec_named, (gpointer) "PCMU", "the codec in Call Quality");
  g_test_message ("codec: %s, jitter %s, loss %s, MOS %s", page_text ("codec_label"),
                  page_text ("jitter_label"), page_text ("loss_label"),
                  page_text ("mos_label"));
  screenshot ("call-page.png");

  /* Four seconds of the tone and its echo before anything else happens;
   * the heard file is measured over the middle of them. */
  dt_test_run_for ((guint) MAX (0, 4000 - (g_get_monotonic_time () - active_at) / 1000));

  /* The keypad, as a person taps it. */
  click (page_child ("keypad_button"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (page_child ("keypad_revealer"))));
  dt_test_run_for (300);
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    click (keypad_key (digits[i]));
  g_assert_cmpstr (page_text ("dtmf_label"), ==, "15#9*0");
  screenshot ("call-page-keypad.png");
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    {
      g_autoptr(JsonObject) event = dt_test_helper_wait_event (t.helper, "dtmf");

      g_assert_cmpstr (json_object_get_string_member (event, "call-id"), ==,
                       json_object_get_string_member (started, "call-id"));
      g_string_append (far_digits, json_object_get_string_member (event, "digit"));
    }
  g_test_message ("DTMF at the echo: %s", far_digits->str);
  g_assert_cmpstr (far_digits->str, ==, "15#9*0");

  /* The keyboard's digits, and A-D, go the same way. */
  press_key (GDK_KEY_7);
  press_key (GDK_KEY_KP_3);
  press_key (GDK_KEY_d);
  g_assert_cmpstr (page_text ("dtmf_label"), ==, "15#9*073D");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonObject) event = dt_test_helper_wait_event (t.helper, "dtmf");

      g_string_append (far_digits, json_object_get_string_member (event, "digit"));
    }
  g_test_message ("DTMF at the echo with the keyboard's: %s", far_digits->str);
  g_assert_cmpstr (far_digits->str, ==, "15#9*073D");

  /* Transfer checks the address as the dial pad does: what is not one
   * says why, and the call stays. */
  if (dt_call_get_can_transfer (call))
    {
      GtkWidget *entry = page_child ("transfer_entry");

      gtk_menu_button_popup (GTK_MENU_BUTTON (page_child ("transfer_button")));
      wait_until (is_mapped, entry, "the transfer popover");
      gtk_editable_set_text (GTK_EDITABLE (entry), "sip:");
      g_signal_emit_by_name (entry, "activate");
      g_assert_true (gtk_widget_get_visible (page_child ("transfer_error")));
      g_test_message ("transfer refused: %s", page_text ("transfer_error"));
      gtk_editable_set_text (GTK_EDITABLE (entry), "");
      g_assert_false (gtk_widget_get_visible (page_child ("transfer_error")));
      gtk_menu_button_popdown (GTK_MENU_BUTTON (page_child ("transfer_button")));
      g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_ACTIVE);
    }

  /* Hold, and Hold again to resume. */
  click (page_child ("hold_button"));
  dt_test_call_wait_state (call, DT_CALL_STATE_HELD);
  held = dt_test_helper_wait_event (t.helper, "call-held");
  g_assert_cmpstr (json_object_get_string_member (held, "call-id"), ==,
                   json_object_get_string_member (started, "call-id"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child ("hold_button"))));
  wait_until (state_label_is, (gpointer) "On Hold", "the page to say On Hold");
  /* No tones on hold: the keypad folds away. */
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (page_child ("keypad_revealer"))));
  click (page_child ("hold_button"));
  dt_test_call_wait_state (call, DT_CALL_STATE_ACTIVE);
  resumed = dt_test_helper_wait_event (t.helper, "call-resumed");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child ("hold_button"))));
  wait_until (meters_move, NULL, "the echo to come back after the hold");

  /* Mute: the echo has nothing to send back. */
  click (page_child ("mute_button"));
  muted_at = g_get_monotonic_time ();
  g_assert_true (dt_call_get_muted (call));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child ("mute_button"))));
  wait_until (far_end_quiet, NULL, "the far-end meter to fall");
  g_assert_cmpfloat (meter ("input_level"), ==, 0.0);
  dt_test_run_for ((guint) MAX (0, 3000 - (g_get_monotonic_time () - muted_at) / 1000));

  /* Hang up: the call ends and the page goes. */
  click (page_child ("hangup_button"));
  dt_test_call_wait_state (call, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  wait_until (page_gone, NULL, "the Call page to go");
  g_assert_false (call_page_listed ());
  ended = dt_test_helper_wait_event (t.helper, "call-ended");
  g_assert_cmpstr (json_object_get_string_member (ended, "call-id"), ==,
                   json_object_get_string_member (started, "call-id"));

  /* What the speaker played. */
  g_assert_true (dt_test_wav_load (t.wav, &heard, &error));
  g_assert_no_error (error);
  length = heard.n_samples / (double) heard.rate;
  g_assert_cmpfloat (length, >, 7.0);
  g_assert_true (dt_test_wav_slice (&heard, 1.5, 3.5, &samples, &n_samples));
  frequency = dt_test_audio_dominant_frequency (samples, n_samples, heard.rate);
  /* The median of 100 ms blocks, as the media tests measure: a block a
   * busy machine turned into concealment does not move it. */
  level = dt_test_audio_tone_dbfs_median (samples, n_samples, heard.rate, TONE_HZ);
  g_assert_true (dt_test_wav_slice (&heard, length - 2.0, length - 0.3, &samples, &n_samples));
  silence = dt_test_audio_rms_dbfs (samples, n_samples);
  g_test_message ("heard %.1f s: %.1f Hz at %.2f dBFS (sent %.2f dBFS); "
                  "after Mute %.1f dBFS over the last 2.0-0.3 s",
                  length, frequency, level, sent, silence);
  g_assert_cmpfloat (fabs (frequency - TONE_HZ), <=, 2.0);
  g_assert_cmpfloat (fabs (level - sent), <=, 1.0);
  g_assert_cmpfloat (silence, <, -60.0);
  dt_test_wav_clear (&heard);
}

static void
test_call_page_switch (void)
{
  g_autoptr(DtCall) first = NULL;
  g_autoptr(DtCall) second = NULL;
  g_autoptr(JsonObject) first_started = NULL;
  g_autoptr(JsonObject) second_started = NULL;
  g_autoptr(JsonObject) held = NULL;
  g_autoptr(JsonObject) switched = NULL;
  g_autoptr(JsonObject) resumed = NULL;

  /* This part listens to nothing: the heard file is the first test's. */
  dt_audio_config_set_sink_description (t.audio, "fakesink sync=false");

  /* Xvfb has no window manager to resize with: a second main window, at
   * the narrowest width GNOME supports, takes the first one's place. */
  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
  t.narrow = dt_window_new (NULL, t.settings);
  dt_window_set_call_manager (t.narrow, t.manager);
  t.page = dt_window_get_call_page (t.narrow);
  gtk_window_set_default_size (GTK_WINDOW (t.narrow), 360, 760);
  gtk_window_present (GTK_WINDOW (t.narrow));
  wait_until (window_is_narrow, NULL, "the window at 360 px");

  first = dial_echo ();
  dt_test_call_wait_state (first, DT_CALL_STATE_ACTIVE);
  wait_until (page_shows, first, "the Call page to show the first call");
  first_started = dt_test_helper_wait_event (t.helper, "call-started");

  /* The second call is answered while the first talks: it waits on hold,
   * listed under the first with Switch. */
  second = dial_echo ();
  dt_test_call_wait_state (second, DT_CALL_STATE_HELD);
  second_started = dt_test_helper_wait_event (t.helper, "call-started");
  held = dt_test_helper_wait_event (t.helper, "call-held");
  g_assert_cmpstr (json_object_get_string_member (held, "call-id"), ==,
                   json_object_get_string_member (second_started, "call-id"));
  wait_until (page_shows, first, "the page to stay with the first call");
  wait_until (others_listed, second, "the second call under the first");

  screenshot ("call-page-360.png");

  /* Switch: the second call talks, the first waits on hold at the echo. */
  click (switch_button ());
  dt_test_call_wait_state (second, DT_CALL_STATE_ACTIVE);
  dt_test_call_wait_state (first, DT_CALL_STATE_HELD);
  resumed = dt_test_helper_wait_event (t.helper, "call-resumed");
  g_assert_cmpstr (json_object_get_string_member (resumed, "call-id"), ==,
                   json_object_get_string_member (second_started, "call-id"));
  switched = dt_test_helper_wait_event (t.helper, "call-held");
  g_assert_cmpstr (json_object_get_string_member (switched, "call-id"), ==,
                   json_object_get_string_member (first_started, "call-id"));
  wait_until (page_shows, second, "the page to show the second call");
  wait_until (others_listed, first, "the first call under the second");
  screenshot ("call-page-360-switched.png");

  click (page_child ("hangup_button"));
  dt_test_call_wait_state (second, DT_CALL_STATE_ENDED);
  wait_until (page_shows, first, "the page to come back to the first call");
  click (page_child ("hangup_button"));
  dt_test_call_wait_state (first, DT_CALL_STATE_ENDED);
  wait_until (page_gone, NULL, "the Call page to go");
}

static gboolean
page_rings (gpointer data)
{
  DtCall *call = dt_call_page_get_call (t.page);

  return call != NULL && dt_call_get_state (call) == DT_CALL_STATE_RINGING
         && g_strcmp0 (visible_page (), "call") == 0
         && gtk_widget_get_mapped (GTK_WIDGET (t.page));
}

/* bob calls alice with `dialtone-helper call`: the page comes forward with
 * the ringing call and an Answer button, Answer takes the call up, and
 * the page goes when bob hangs up after his two seconds. */
static void
test_call_page_answer (void)
{
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", t.helper->port);
  g_autoptr(GSubprocess) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;
  DtTestAsync bob_done = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  bob = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                          g_getenv ("DIALTONE_HELPER"), "call", "--account",
                          "sip:bob@127.0.0.1", "--password", "bobpass", "--server", server,
                          "--duration", "2", "sip:alice@127.0.0.1", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (bob, NULL, dt_test_async_ready, &bob_done);

  wait_until (page_rings, NULL, "the Call page to show bob's call ringing");
  call = g_object_ref (dt_call_page_get_call (t.page));
  g_assert_cmpint (dt_call_get_direction (call), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_cmpstr (dt_call_get_peer_uri (call), ==, "sip:bob@127.0.0.1");
  g_assert_true (gtk_widget_get_visible (page_child ("answer_button")));
  g_assert_true (gtk_widget_get_visible (page_child ("hangup_button")));
  screenshot ("call-page-incoming.png");

  click (page_child ("answer_button"));
  dt_test_call_wait_state (call, DT_CALL_STATE_ACTIVE);
  wait_until (page_shows, call, "the page to show the answered call");
  g_assert_false (gtk_widget_get_visible (page_child ("answer_button")));

  /* bob's call succeeds only if it was answered; then he hangs up. */
  result = dt_test_async_wait (&bob_done, "bob's call to end");
  g_assert_true (g_subprocess_wait_check_finish (bob, result, &error));
  g_assert_no_error (error);
  dt_test_call_wait_state (call, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
  wait_until (page_gone, NULL, "the Call page to go");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *source = NULL;
  g_autofree char *sink = NULL;
  DtTestAsync stop = { NULL };
  GAsyncResult *stopped;
  int status;

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  t.dir = dt_test_make_dir ();
  t.wav = g_build_filename (t.dir, "heard.wav", NULL);
  t.helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass", NULL);

  /* The microphone is a tone and the speaker a WAV file; no DSP, so the
   * echo comes back as it was sent. */
  t.audio = dt_audio_config_new ();
  source = g_strdup_printf ("audiotestsrc is-live=true freq=%u volume=%g", TONE_HZ,
                            DT_TEST_TONE_AMPLITUDE);
  sink = g_strdup_printf ("wavenc ! filesink location=%s", t.wav);
  dt_audio_config_set_source_description (t.audio, source);
  dt_audio_config_set_sink_description (t.audio, sink);
  dt_audio_config_set_echo_cancel (t.audio, FALSE);
  dt_audio_config_set_noise_suppression (t.audio, FALSE);
  dt_audio_config_set_gain_control (t.audio, FALSE);
  t.backend = dt_sip_backend_new ();
  dt_sip_backend_set_audio_config (t.backend, t.audio);
  dt_sip_backend_set_codec (t.backend, "PCMU");
  dt_sip_backend_set_password (t.backend, "alice", "secret");

  t.alice = dt_account_new ("alice", "sip");
  dt_account_set_identity (t.alice, "sip:alice@127.0.0.1");
  {
    g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", t.helper->port);

    dt_account_set_server (t.alice, server);
  }
  dt_account_set_transport (t.alice, DT_TRANSPORT_UDP);
  t.registry = dt_backend_registry_new ();
  g_assert_true (dt_backend_registry_add (t.registry, DT_BACKEND (t.backend), NULL));
  t.accounts = g_list_store_new (DT_TYPE_ACCOUNT);
  g_list_store_append (t.accounts, t.alice);
  t.manager = dt_call_manager_new (t.registry, G_LIST_MODEL (t.accounts));
  dt_call_manager_start (t.manager);
  wait_until (account_online, t.alice, "alice to register");

  t.settings = dt_settings_new ();
  t.window = dt_window_new (NULL, t.settings);
  dt_window_set_call_manager (t.window, t.manager);
  t.page = dt_window_get_call_page (t.window);
  g_assert_true (DT_IS_CALL_PAGE (t.page));
  gtk_window_set_default_size (GTK_WINDOW (t.window), 720, 1000);
  gtk_window_present (GTK_WINDOW (t.window));

  g_test_add_func ("/call-page/echo", test_call_page_echo);
  g_test_add_func ("/call-page/switch", test_call_page_switch);
  g_test_add_func ("/call-page/answer", test_call_page_answer);
  status = g_test_run ();

  /* The windows go with their pages; the calls and the backend after. */
  g_object_ref (t.window);
  gtk_window_destroy (GTK_WINDOW (t.window));
  if (t.narrow != NULL)
    {
      g_object_ref (t.narrow);
      gtk_window_destroy (GTK_WINDOW (t.narrow));
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (t.window);
  if (t.narrow != NULL)
    g_assert_finalize_object (t.narrow);
  dt_call_manager_stop_async (t.manager, NULL, dt_test_async_ready, &stop);
  stopped = dt_test_async_wait (&stop, "Stopping the call manager");
  g_assert_true (dt_call_manager_stop_finish (t.manager, stopped, NULL));
  g_object_unref (stopped);
  g_assert_finalize_object (t.manager);
  g_clear_object (&t.accounts);
  g_clear_object (&t.registry);
  g_clear_object (&t.alice);
  g_clear_object (&t.settings);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (t.backend);
  g_clear_object (&t.audio);
  dt_test_helper_stop (t.helper);
  dt_test_remove_dir (g_steal_pointer (&t.dir));
  g_free (t.wav);
  return status;
}
