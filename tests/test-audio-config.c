/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-audio-config.c
 *
 * The ends of the headset chain: DIALTONE_AUDIO_SRC, DIALTONE_AUDIO_SINK and
 * DIALTONE_RINGER_SINK set the defaults, a description becomes a bin, a bad one is an error,
 * and with nothing set the system's default devices are used.
 */

#include "config.h"

#include <gio/gio.h>

#include "dt-audio-config.h"
#include "dt-audio-devices.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
bin_has_factory (GstElement *bin,
                 const char *factory)
{
  g_autoptr(GstIterator) iter = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next (iter, &item) == GST_ITERATOR_OK)
    {
      GstElement *element = g_value_get_object (&item);

      found = g_str_equal (GST_OBJECT_NAME (gst_element_get_factory (element)), factory);
      g_value_reset (&item);
    }
  g_value_unset (&item);
  return found;
}

static void
test_environment (void)
{
  g_autoptr(DtAudioConfig) config = NULL;
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstElement) ringer = NULL;
  g_autoptr(GstElement) ringer_element = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("DIALTONE_AUDIO_SRC", "audiotestsrc is-live=true freq=440", TRUE);
  g_setenv ("DIALTONE_AUDIO_SINK", "wavenc ! fakesink", TRUE);
  g_setenv ("DIALTONE_RINGER_SINK", "fakesink name=ringer", TRUE);
  config = dt_audio_config_new ();
  g_unsetenv ("DIALTONE_AUDIO_SRC");
  g_unsetenv ("DIALTONE_AUDIO_SINK");
  g_unsetenv ("DIALTONE_RINGER_SINK");

  g_assert_cmpstr (dt_audio_config_get_source_description (config), ==,
                   "audiotestsrc is-live=true freq=440");
  g_assert_cmpstr (dt_audio_config_get_sink_description (config), ==, "wavenc ! fakesink");
  source = gst_object_ref_sink (dt_audio_config_create_source (config, &error));
  g_assert_no_error (error);
  g_assert_true (GST_IS_BIN (source));
  g_assert_true (bin_has_factory (source, "audiotestsrc"));
  sink = gst_object_ref_sink (dt_audio_config_create_sink (config, &error));
  g_assert_no_error (error);
  g_assert_true (bin_has_factory (sink, "wavenc"));
  g_assert_true (bin_has_factory (sink, "fakesink"));
  g_assert_cmpstr (dt_audio_config_get_ringer_description (config), ==, "fakesink name=ringer");
  ringer = gst_object_ref_sink (dt_audio_config_create_ringer (config, &error));
  g_assert_no_error (error);
  ringer_element = gst_bin_get_by_name (GST_BIN (ringer), "ringer");
  g_assert_nonnull (ringer_element);
}

static void
test_defaults (void)
{
  g_autoptr(DtAudioConfig) config = dt_audio_config_new ();
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(DtAudioDevices) devices = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (dt_audio_config_get_source_description (config));
  g_assert_true (dt_audio_config_get_echo_cancel (config));
  g_assert_true (dt_audio_config_get_noise_suppression (config));
  g_assert_true (dt_audio_config_get_gain_control (config));
  g_assert_true (dt_audio_config_get_dsp_enabled (config));

  /* Made, not opened: the test needs no sound hardware. What is made
   * depends on what the machine has: a device, autoaudiosrc/-sink among
   * devices none of which is the default, or with no device at all a
   * silent live source and a fakesink (a CI machine). */
  devices = dt_audio_devices_get_shared (NULL);
  source = gst_object_ref_sink (dt_audio_config_create_source (config, &error));
  g_assert_no_error (error);
  sink = gst_object_ref_sink (dt_audio_config_create_sink (config, &error));
  g_assert_no_error (error);
  if (devices != NULL)
    {
      g_autoptr(GPtrArray) sources = dt_audio_devices_list_sources (devices);
      g_autoptr(GPtrArray) sinks = dt_audio_devices_list_sinks (devices);

      if (sources->len == 0)
        {
          int wave = -1;

          g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (source)), ==,
                           "audiotestsrc");
          g_object_get (source, "wave", &wave, NULL);
          g_assert_cmpint (wave, ==, 4 /* silence */);
        }
      if (sinks->len == 0)
        g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (sink)), ==, "fakesink");
    }
  else
    {
      g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (source)), ==, "autoaudiosrc");
      g_assert_cmpstr (GST_OBJECT_NAME (gst_element_get_factory (sink)), ==, "autoaudiosink");
    }
  g_assert_null (dt_audio_config_get_ringer_description (config));
}

static void
test_bad_description (void)
{
  g_autoptr(DtAudioConfig) config = dt_audio_config_new ();
  g_autoptr(GError) error = NULL;

  dt_audio_config_set_source_description (config, "audiotestsrc ! ! nonsense");
  g_assert_null (dt_audio_config_create_source (config, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_properties (void)
{
  g_autoptr(DtAudioConfig) config = dt_audio_config_new ();
  guint notified = 0;
  gboolean enabled;

  g_signal_connect (config, "notify", G_CALLBACK (count_notify), &notified);
  dt_audio_config_set_echo_cancel (config, FALSE);
  dt_audio_config_set_echo_cancel (config, FALSE);
  g_assert_cmpuint (notified, ==, 1);
  g_object_set (config, "noise-suppression", FALSE, "gain-control", FALSE, NULL);
  g_assert_cmpuint (notified, ==, 3);
  g_assert_false (dt_audio_config_get_dsp_enabled (config));
  dt_audio_config_set_sink_device (config, "Headset");
  dt_audio_config_set_sink_device (config, "Headset");
  g_assert_cmpuint (notified, ==, 4);
  g_object_get (config, "echo-cancel", &enabled, NULL);
  g_assert_false (enabled);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audio-config/environment", test_environment);
  g_test_add_func ("/audio-config/defaults", test_defaults);
  g_test_add_func ("/audio-config/bad-description", test_bad_description);
  g_test_add_func ("/audio-config/properties", test_properties);

  return g_test_run ();
}
