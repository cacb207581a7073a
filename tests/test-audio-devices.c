/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-audio-devices.c
 *
 * The device list against a device provider registered by the test: it
 * lists the headset's microphone and speaker but not the camera, finds them
 * by name, reports hot-plugging in the main context, and the audio
 * configuration opens a device it names.
 */

#include "config.h"

#include <gio/gio.h>

#include "dt-audio-config.h"
#include "dt-audio-devices.h"

#define TEST_TYPE_DEVICE (test_device_get_type ())
G_DECLARE_FINAL_TYPE (TestDevice, test_device, TEST, DEVICE, GstDevice)

struct _TestDevice
{
  GstDevice parent_instance;
};

G_DEFINE_FINAL_TYPE (TestDevice, test_device, GST_TYPE_DEVICE)

static GstElement *
test_device_create_element (GstDevice  *device,
                            const char *name)
{
  gboolean source = gst_device_has_classes (device, "Source");

  return gst_element_factory_make (source ? "audiotestsrc" : "fakesink", name);
}

static void
test_device_class_init (TestDeviceClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = test_device_create_element;
}

static void
test_device_init (TestDevice *self)
{
}

static GstDevice *
test_device_new (const char *name,
                 const char *device_class)
{
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple (g_str_has_prefix (device_class, "Audio")
                                                       ? "audio/x-raw" : "video/x-raw");

  return g_object_new (TEST_TYPE_DEVICE, "display-name", name, "device-class", device_class,
                       "caps", caps, NULL);
}

#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GstDeviceProvider)

struct _TestProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (TestProvider, test_provider, GST_TYPE_DEVICE_PROVIDER)

static TestProvider *started_provider;

static gboolean
test_provider_start (GstDeviceProvider *provider)
{
  gst_device_provider_device_add (provider, test_device_new ("Test Headset Microphone",
                                                             "Audio/Source"));
  gst_device_provider_device_add (provider, test_device_new ("Test Headset Speaker",
                                                             "Audio/Sink"));
  gst_device_provider_device_add (provider, test_device_new ("Test Camera", "Video/Source"));
  started_provider = TEST_PROVIDER (provider);
  return TRUE;
}

static void
test_provider_stop (GstDeviceProvider *provider)
{
  started_provider = NULL;
}

static void
test_provider_class_init (TestProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->start = test_provider_start;
  provider_class->stop = test_provider_stop;
  gst_device_provider_class_set_static_metadata (provider_class, "Dialtone test devices",
                                                 "Audio/Video/Source/Sink",
                                                 "Devices that only the tests see",
                                                 "Dialtone");
}

static void
test_provider_init (TestProvider *self)
{
}

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
  g_autoptr(GstDevice) headset = test_device_new ("Test USB Headset", "Audio/Source");
  g_autoptr(GPtrArray) sources = NULL;
  gint64 deadline;

  g_signal_connect (devices, "device-added", G_CALLBACK (on_device_changed), added);
  g_signal_connect (devices, "device-removed", G_CALLBACK (on_device_changed), removed);
  g_assert_true (dt_audio_devices_start (devices, NULL));
  g_assert_nonnull (started_provider);
  /* The devices there at start are listed, not announced. */
  while (g_main_context_iteration (NULL, FALSE));
  g_ptr_array_set_size (added, 0);

  gst_device_provider_device_add (GST_DEVICE_PROVIDER (started_provider),
                                  g_object_ref (headset));
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (added->len == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (added->len, ==, 1);
  g_assert_cmpstr (added->pdata[0], ==, "Test USB Headset");
  sources = dt_audio_devices_list_sources (devices);
  g_assert_true (has_name (sources, "Test USB Headset"));

  gst_device_provider_device_remove (GST_DEVICE_PROVIDER (started_provider), headset);
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

  dt_audio_config_set_source_device (config, "Unplugged Headset");
  g_assert_null (dt_audio_config_create_source (config, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  gst_device_provider_register (NULL, "dialtonetestdevices", GST_RANK_PRIMARY,
                                TEST_TYPE_PROVIDER);

  g_test_add_func ("/audio-devices/list", test_list);
  g_test_add_func ("/audio-devices/hotplug", test_hotplug);
  g_test_add_func ("/audio-devices/config-device", test_config_device);

  return g_test_run ();
}
