/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-preferences.c
 *
 * The preferences window under Xvfb, against a device provider of the
 * test's own: the device rows list what is plugged in, follow hot-plugging
 * and write the choice to the settings; a chosen device that is unplugged
 * stays chosen, marked; the switches and the ring tone row follow the
 * settings both ways. A screenshot goes to the artefacts folder.
 */

#include "config.h"

#include <adwaita.h>

#include "dt-preferences-window.h"
#include "dt-preferences-window-private.h"
#include "dt-test-devices.h"

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
spin_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* The row's items, "|"-joined. */
static char *
row_items (AdwComboRow *row)
{
  GListModel *model = adw_combo_row_get_model (row);
  g_autoptr(GString) items = g_string_new (NULL);

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    g_string_append_printf (items, "%s%s", i > 0 ? "|" : "",
                            gtk_string_list_get_string (GTK_STRING_LIST (model), i));
  return g_string_free (g_steal_pointer (&items), FALSE);
}

static guint
item_position (AdwComboRow *row,
               const char  *label)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label))
      return i;
  return GTK_INVALID_LIST_POSITION;
}

typedef struct
{
  AdwComboRow *row;
  const char  *label;
  gboolean     present;
} ItemWait;

static gboolean
item_is_there (gpointer data)
{
  ItemWait *wait = data;

  return (item_position (wait->row, wait->label) != GTK_INVALID_LIST_POSITION) == wait->present;
}

static void
screenshot (const char *name)
{
  const char *artifacts = g_getenv ("DT_TEST_ARTIFACTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (artifacts == NULL)
    return;
  g_mkdir_with_parents (artifacts, 0755);
  path = g_build_filename (artifacts, name, NULL);
  command = g_strdup_printf ("import -window root '%s'", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL))
    g_test_message ("No screenshot: import is missing");
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static void
test_preferences (void)
{
  g_autoptr(DtSettings) settings = dt_settings_new ();
  g_autoptr(GstDevice) usb = dt_test_device_new ("Test USB Headset", "Audio/Source", 0, NULL,
                                                  FALSE);
  DtPreferencesWindow *window;
  AdwComboRow *microphone, *speaker;
  g_autofree char *microphones = NULL;
  g_autofree char *speakers = NULL;
  g_autofree char *chosen = NULL;
  ItemWait wait;

  window = dt_preferences_window_new (NULL, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 760);
  gtk_window_present (GTK_WINDOW (window));
  spin_until (is_mapped, window);

  /* Default first, then what is plugged in, sources and sinks apart. */
  microphone = _dt_preferences_window_get_device_row (window, _DT_PREFERENCES_MICROPHONE);
  speaker = _dt_preferences_window_get_device_row (window, _DT_PREFERENCES_SPEAKER);
  microphones = row_items (microphone);
  speakers = row_items (speaker);
  g_test_message ("microphones: %s; speakers: %s", microphones, speakers);
  g_assert_true (g_str_has_prefix (microphones, "Default|"));
  g_assert_nonnull (strstr (microphones, "Test Headset Microphone"));
  g_assert_null (strstr (microphones, "Speaker"));
  g_assert_nonnull (strstr (speakers, "Test Headset Speaker"));
  g_assert_null (strstr (speakers, "Microphone"));
  g_assert_cmpuint (adw_combo_row_get_selected (microphone), ==, 0);

  adw_combo_row_set_selected (microphone, item_position (microphone, "Test Headset Microphone"));
  g_assert_cmpstr (dt_settings_get_microphone (settings), ==, "Test Headset Microphone");
  adw_combo_row_set_selected (speaker, 0);
  g_assert_cmpstr (dt_settings_get_speaker (settings), ==, "");

  /* Hot-plug: a USB headset comes, is chosen, and goes. */
  gst_device_provider_device_add (dt_test_devices_get_provider (), g_object_ref (usb));
  wait = (ItemWait) { microphone, "Test USB Headset", TRUE };
  spin_until (item_is_there, &wait);
  adw_combo_row_set_selected (microphone, item_position (microphone, "Test USB Headset"));
  g_assert_cmpstr (dt_settings_get_microphone (settings), ==, "Test USB Headset");
  gst_device_provider_device_remove (dt_test_devices_get_provider (), usb);
  wait = (ItemWait) { microphone, "Test USB Headset (not connected)", TRUE };
  spin_until (item_is_there, &wait);
  /* The person's choice stays; calls use the default meanwhile. */
  g_assert_cmpstr (dt_settings_get_microphone (settings), ==, "Test USB Headset");
  g_assert_cmpuint (adw_combo_row_get_selected (microphone), ==,
                    item_position (microphone, "Test USB Headset (not connected)"));
  /* Plugged in again, it is simply there, still chosen. */
  gst_device_provider_device_add (dt_test_devices_get_provider (), g_object_ref (usb));
  wait = (ItemWait) { microphone, "Test USB Headset", TRUE };
  spin_until (item_is_there, &wait);
  g_assert_cmpuint (adw_combo_row_get_selected (microphone), ==,
                    item_position (microphone, "Test USB Headset"));
  g_object_get (settings, "microphone", &chosen, NULL);
  g_assert_cmpstr (chosen, ==, "Test USB Headset");

  /* Switches both ways. */
  g_assert_true (gtk_switch_get_active (_dt_preferences_window_get_echo_switch (window)));
  gtk_switch_set_active (_dt_preferences_window_get_echo_switch (window), FALSE);
  g_assert_false (dt_settings_get_echo_cancellation (settings));
  g_object_set (settings, "echo-cancellation", TRUE, NULL);
  g_assert_true (gtk_switch_get_active (_dt_preferences_window_get_echo_switch (window)));

  /* The ring tone row names the file, or the built-in ring. */
  g_assert_cmpstr (adw_action_row_get_subtitle (_dt_preferences_window_get_ringtone_row (window)),
                   ==, "Built-in ring");
  g_object_set (settings, "ringtone", "/usr/share/sounds/ring.oga", NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (_dt_preferences_window_get_ringtone_row (window)),
                   ==, "ring.oga");

  spin_for (300);
  screenshot ("preferences.png");

  g_object_set (settings, "ringtone", "", NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gst_init (&argc, &argv);
  dt_test_devices_register (dt_test_device_new ("Test Headset Microphone", "Audio/Source", 0,
                                                NULL, FALSE),
                            dt_test_device_new ("Test Built-in Microphone", "Audio/Source", 0,
                                                NULL, TRUE),
                            dt_test_device_new ("Test Headset Speaker", "Audio/Sink", 0, NULL,
                                                FALSE),
                            NULL);

  g_test_add_func ("/preferences/devices-switches-ringtone", test_preferences);

  return g_test_run ();
}
