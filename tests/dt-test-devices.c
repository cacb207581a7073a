/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-devices.c
 *
 * The tests' own audio devices, behind a registered GstDeviceProvider.
 */

#include "config.h"

#include "dt-test-devices.h"
#include "dt-test-rtp.h"

#define TEST_TYPE_DEVICE (test_device_get_type ())
G_DECLARE_FINAL_TYPE (TestDevice, test_device, TEST, DEVICE, GstDevice)

struct _TestDevice
{
  GstDevice   parent_instance;
  guint       tone_hz;
  char       *wav_path;
  GstElement *element;      /* the last one made, weak */
};

G_DEFINE_FINAL_TYPE (TestDevice, test_device, GST_TYPE_DEVICE)

static GstElement *
test_device_create_element (GstDevice  *device,
                            const char *name)
{
  TestDevice *self = TEST_DEVICE (device);
  GstElement *element;

  if (gst_device_has_classes (device, "Source"))
    {
      element = gst_element_factory_make ("audiotestsrc", name);
      if (self->tone_hz > 0)
        g_object_set (element, "is-live", TRUE, "freq", (double) self->tone_hz,
                      "volume", DT_TEST_TONE_AMPLITUDE, NULL);
    }
  else if (self->wav_path != NULL)
    {
      g_autofree char *description = g_strdup_printf ("wavenc ! filesink location=%s",
                                                      self->wav_path);

      element = gst_parse_bin_from_description (description, TRUE, NULL);
    }
  else
    element = gst_element_factory_make ("fakesink", name);

  g_clear_weak_pointer (&self->element);
  g_set_weak_pointer (&self->element, element);
  return element;
}

static void
test_device_finalize (GObject *object)
{
  TestDevice *self = TEST_DEVICE (object);

  g_clear_weak_pointer (&self->element);
  g_free (self->wav_path);
  G_OBJECT_CLASS (test_device_parent_class)->finalize (object);
}

static void
test_device_class_init (TestDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_device_finalize;
  GST_DEVICE_CLASS (klass)->create_element = test_device_create_element;
}

static void
test_device_init (TestDevice *self)
{
}

/**
 * dt_test_device_new:
 * @device_class: "Audio/Source", "Audio/Sink", or another class to ignore
 * @tone_hz: what a source plays (0: audiotestsrc as it comes)
 * @wav_path: (nullable): where a sink writes (NULL: fakesink)
 * @is_default: whether the device is the sound server's default
 */
GstDevice *
dt_test_device_new (const char *name,
                    const char *device_class,
                    guint       tone_hz,
                    const char *wav_path,
                    gboolean    is_default)
{
  g_autoptr(GstCaps) caps = gst_caps_new_empty_simple (g_str_has_prefix (device_class, "Audio")
                                                       ? "audio/x-raw" : "video/x-raw");
  g_autoptr(GstStructure) properties = gst_structure_new ("dialtone-test-device",
                                                          "is-default", G_TYPE_BOOLEAN,
                                                          is_default, NULL);
  TestDevice *device = g_object_new (TEST_TYPE_DEVICE, "display-name", name,
                                     "device-class", device_class, "caps", caps,
                                     "properties", properties, NULL);

  device->tone_hz = tone_hz;
  device->wav_path = g_strdup (wav_path);
  return GST_DEVICE (device);
}

/* The element the device made last, or NULL once it is gone. */
GstElement *
dt_test_device_get_element (GstDevice *device)
{
  return TEST_DEVICE (device)->element;
}

#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GstDeviceProvider)

struct _TestProvider
{
  GstDeviceProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (TestProvider, test_provider, GST_TYPE_DEVICE_PROVIDER)

static GPtrArray *initial_devices;
static GstDeviceProvider *started_provider;

static gboolean
test_provider_start (GstDeviceProvider *provider)
{
  for (guint i = 0; i < initial_devices->len; i++)
    gst_device_provider_device_add (provider, g_object_ref (initial_devices->pdata[i]));
  started_provider = provider;
  return TRUE;
}

/* GStreamer drops the devices after this; the next start adds them again. */
static void
test_provider_stop (GstDeviceProvider *provider)
{
  if (started_provider == provider)
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

void
dt_test_devices_register (GstDevice *first_device,
                          ...)
{
  va_list args;

  initial_devices = g_ptr_array_new_with_free_func (gst_object_unref);
  va_start (args, first_device);
  for (GstDevice *device = first_device; device != NULL; device = va_arg (args, GstDevice *))
    g_ptr_array_add (initial_devices, gst_object_ref_sink (device));
  va_end (args);
  gst_device_provider_register (NULL, "dialtonetestdevices", GST_RANK_PRIMARY,
                                TEST_TYPE_PROVIDER);
}

/* The provider while a monitor has it started, else NULL. */
GstDeviceProvider *
dt_test_devices_get_provider (void)
{
  return started_provider;
}
