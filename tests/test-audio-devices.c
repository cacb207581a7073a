/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-audio-devices.c
 *
 * The device list against a device provider registered by the test: it
 * lists the headset's microphone and speaker but not the camera, finds them
 * by name, reports hot-plugging in the main context, and the audio
 * configuration opens a device it names, or the default one when that one
 * is not there.
 */

#include "config.h"

#include <gio/gio.h>

#include "dt-audio-config.h"
#include "dt-audio-devices.h"
#include "dt-test-devices.h"

static gboolean
has_name (GPtrArray  *devices,
          const char *name)
{
  for (guint i = 0; i < devices->len; i++)
    {
      g_autofree char *display_name = gst_device_get_display_name (devices->pdata[i]);

      if (g_str_equal (display_name, name))
        return TRUE;
    }
  return FALSE;
}

static void
on_device_changed (DtAudioDevices *devices,
                   GstDevice      *device,
                   gpointer        user_data)
{
  g_autofree char *name = gst_device_get_display_name (device);
  GPtrArray *seen = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_ptr_array_add (seen, g_steal_pointer (&name));
}

static void
test_list (void)
{
  g_autoptr(DtAudioDevices) devices = dt_audio_devices_new ();
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) sinks = NULL;
  g_autoptr(GstDevice) microphone = NULL;
  g_autoptr(GstDevice) missing = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_audio_devices_start (devices, &error));
  g_assert_no_error (error);
  sources = dt_audio_devices_list_sources (devices);
  sinks = dt_audio_devices_list_sinks (devices);

  g_assert_true (has_name (sources, "Test Headset Microphone"));
  g_assert_false (has_name (sources, "Test Headset Speaker"));
  g_assert_false (has_name (sources, "Test Camera"));
  g_assert_true (has_name (sinks, "Test Headset Speaker"));
  g_assert_false (has_name (sinks, "Test Headset Microphone"));
  for (guint i = 0; i < sources->len; i++)
    g_assert_true (dt_audio_devices_is_source (sources->pdata[i]));
  for (guint i = 0; i < sinks->len; i++)
    g_assert_true (dt_audio_devices_is_sink (sinks->pdata[i]));

  microphone = dt_audio_devices_find (devices, "Test Headset Microphone", TRUE);
  g_assert_nonnull (microphone);
  missing = dt_audio_devices_find (devices, "Test Headset Microphone", FALSE);
  g_assert_null (missing);
  dt_audio_devices_stop (devices);
}

static void
test_hotplug (void)
{
  g_autoptr(DtAudioDevices) devices = dt_audio_devices_new ();
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GstDevice) headset = dt_test_device_new ("Test USB Headset", "Audio/Source", 0, NULL, FALSE);
  g_autoptr(GPtrArray) sources = NULL;
  gint64 deadline;

  g_signal_connect (devices, "device-added", G_CALLBACK (on_device_changed), added);
  g_signal_connect (devices, "device-removed", G_CALLBACK (on_device_changed), removed);
  g_assert_true (dt_audio_devices_start (devices, NULL));
  g_assert_nonnull (dt_test_devices_get_provider ());
  /* The devices there at start are listed, not announced. */
  while (g_main_context_iteration (NULL, FALSE));
  g_ptr_array_set_size (added, 0);

  gst_device_provider_device_add (dt_test_devices_get_provider (),
                                  g_object_ref (headset));
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (added->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (added->len, ==, 1);
  g_assert_cmpstr (added->pdata[0], ==, "Test USB Headset");
  sources = dt_audio_devices_list_sources (devices);
  g_assert_true (has_name (sources, "Test USB Headset"));

  gst_device_provider_device_remove (dt_test_devices_get_provider (), headset);
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (removed->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (removed->len, ==, 1);
  g_assert_cmpstr (removed->pdata[0], ==, "Test USB Headset");
  dt_audio_devices_stop (devices);
}

static void
test_config_device (void)
{
  g_autoptr(DtAudioConfig) config = dt_audio_config_new ();
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *used = NULL;

  dt_audio_config_set_source_description (config, NULL);
  dt_audio_config_set_sink_description (config, NULL);
  dt_audio_config_set_source_device (config, "Test Headset Microphone");
  dt_audio_config_set_sink_device (config, "Test Headset Speaker");
  source = gst_object_ref_sink (dt_audio_config_create_source (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (source)), ==, "audiotestsrc");
  sink = gst_object_ref_sink (dt_audio_config_create_sink (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (sink)), ==, "fakesink");

  /* A device that is not there gives way to the default one. */
  g_clear_object (&source);
  dt_audio_config_set_source_device (config, "Unplugged Headset");
  source = gst_object_ref_sink (dt_audio_config_create_source_full (config, TRUE, &used,
                                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpstr (used, ==, "Test Built-in Microphone");
  g_clear_pointer (&used, g_free);
  /* Skipping the chosen device gives the default one too. */
  g_clear_object (&source);
  dt_audio_config_set_source_device (config, "Test Headset Microphone");
  source = gst_object_ref_sink (dt_audio_config_create_source_full (config, FALSE, &used,
                                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpstr (used, ==, "Test Built-in Microphone");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  dt_test_devices_register (dt_test_device_new ("Test Headset Microphone", "Audio/Source", 0,
                                                NULL, FALSE),
                            dt_test_device_new ("Test Built-in Microphone", "Audio/Source", 0,
                                                NULL, TRUE),
                            dt_test_device_new ("Test Headset Speaker", "Audio/Sink", 0, NULL,
                                                FALSE),
                            dt_test_device_new ("Test Camera", "Video/Source", 0, NULL, FALSE),
                            NULL);

  g_test_add_func ("/audio-devices/list", test_list);
  g_test_add_func ("/audio-devices/hotplug", test_hotplug);
  g_test_add_func ("/audio-devices/config-device", test_config_device);

  return g_test_run ();
}
