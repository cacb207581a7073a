/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-device-fallback.c
 *
 * A headset pulled out in the middle of a call: the call moves to the
 * default microphone and speaker and goes on, and the far end hears the
 * new microphone. The devices come from a provider that only this test
 * sees; each source device plays its own tone, so the WAV files tell which
 * device was heard when.
 */

#include "config.h"

#include "dt-test-devices.h"
#include "dt-test-rtp.h"

#define HEADSET_MIC      "Test Headset Microphone"
#define BUILTIN_MIC      "Test Built-in Microphone"
#define HEADSET_SPEAKER  "Test Headset Speaker"
#define BUILTIN_SPEAKER  "Test Built-in Speaker"
#define HEADSET_HZ       1000
#define BUILTIN_HZ       600

static char *device_dir;

static GstDevice *
find_device (const char *name)
{
  GList *devices = gst_device_provider_get_devices (dt_test_devices_get_provider ());
  GstDevice *found = NULL;

  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autofree char *display_name = gst_device_get_display_name (l->data);

      if (g_str_equal (display_name, name))
        found = gst_object_ref (l->data);
    }
  g_list_free_full (devices, gst_object_unref);
  g_assert_nonnull (found);
  return found;
}

typedef struct
{
  DtRtpSession *session;
  const char   *property;
  const char   *value;
} DeviceWait;

static gboolean
device_is (gpointer data)
{
  DeviceWait *wait = data;
  g_autofree char *device = NULL;

  g_object_get (wait->session, wait->property, &device, NULL);
  return g_strcmp0 (device, wait->value) == 0;
}

static void
wait_device (DtRtpSession *session,
             const char   *property,
             const char   *value)
{
  DeviceWait wait = { session, property, value };

  if (!dt_test_run_until (device_is, &wait, 10000))
    {
      g_autofree char *device = NULL;

      g_object_get (session, property, &device, NULL);
      g_error ("%s is “%s”, not “%s”", property, device, value);
    }
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* The headset's microphone and speaker are unplugged: the device monitor
 * says so, and both ends move to the defaults. */
static void
test_unplugged (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 0, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 440, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("opus");
  g_autoptr(GstDevice) headset_mic = NULL;
  g_autoptr(GstDevice) headset_speaker = NULL;
  g_autofree char *builtin_wav = g_build_filename (device_dir, "builtin.wav", NULL);
  g_autoptr(GError) error = NULL;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  double length;
  DtTestWav heard;

  dt_audio_config_set_source_description (a->audio, NULL);
  dt_audio_config_set_source_device (a->audio, HEADSET_MIC);
  dt_audio_config_set_sink_description (b->audio, NULL);
  dt_audio_config_set_sink_device (b->audio, HEADSET_SPEAKER);
  dt_test_endpoints_connect (a, b, params);
  wait_device (a->session, "source-device", HEADSET_MIC);
  wait_device (b->session, "sink-device", HEADSET_SPEAKER);
  dt_test_run_for (1500);

  headset_mic = find_device (HEADSET_MIC);
  headset_speaker = find_device (HEADSET_SPEAKER);
  gst_device_provider_device_remove (dt_test_devices_get_provider (), headset_mic);
  gst_device_provider_device_remove (dt_test_devices_get_provider (), headset_speaker);
  wait_device (a->session, "source-device", BUILTIN_MIC);
  wait_device (b->session, "sink-device", BUILTIN_SPEAKER);
  dt_test_run_for (3000);

  /* The call went on. */
  g_assert_true (dt_rtp_session_is_running (a->session));
  g_assert_true (dt_rtp_session_is_running (b->session));

  /* What B's built-in speaker played: A's built-in microphone. */
  dt_rtp_session_stop (b->session);
  g_assert_true (dt_test_wav_load (builtin_wav, &heard, &error));
  g_assert_no_error (error);
  length = heard.n_samples / (double) heard.rate;
  g_assert_cmpfloat (length, >, 2.0);
  dt_test_assert_tone (&heard, 1.0, length - 0.2, BUILTIN_HZ, sent, 1.0);
  dt_test_wav_clear (&heard);

  gst_device_provider_device_add (dt_test_devices_get_provider (),
                                  g_object_ref (headset_mic));
  gst_device_provider_device_add (dt_test_devices_get_provider (),
                                  g_object_ref (headset_speaker));
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

/* The microphone fails while it records (a USB headset's read error, as
 * the sound server reports it): the capture end moves to the default
 * microphone, and the far end hears first the one, then the other. */
static void
test_device_error (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 0, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMA");
  g_autoptr(GstDevice) headset_mic = NULL;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  GstElement *element;
  gint64 start;
  double failed_at, length;
  DtTestWav heard;

  dt_audio_config_set_source_description (a->audio, NULL);
  dt_audio_config_set_source_device (a->audio, HEADSET_MIC);
  start = g_get_monotonic_time ();
  dt_test_endpoints_connect (a, b, params);
  wait_device (a->session, "source-device", HEADSET_MIC);
  dt_test_run_for (2500);

  /* The provider runs while a call watches its devices. */
  headset_mic = find_device (HEADSET_MIC);
  element = dt_test_device_get_element (headset_mic);
  g_assert_nonnull (element);
  failed_at = seconds_since (start);
  gst_element_post_message (element,
                            gst_message_new_error (GST_OBJECT (element),
                                                   g_error_new_literal (GST_RESOURCE_ERROR,
                                                                        GST_RESOURCE_ERROR_READ,
                                                                        "Device unplugged"),
                                                   "posted by the test"));
  wait_device (a->session, "source-device", BUILTIN_MIC);
  dt_test_run_for (2500);
  g_assert_true (dt_rtp_session_is_running (a->session));

  dt_test_endpoint_load_wav (b, &heard);
  length = heard.n_samples / (double) heard.rate;
  dt_test_assert_tone (&heard, 1.0, failed_at - 0.5, HEADSET_HZ, sent, 1.0);
  dt_test_assert_tone (&heard, failed_at + 1.0, length - 0.2, BUILTIN_HZ, sent, 1.0);
  dt_test_wav_clear (&heard);

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

/* The person picks the headset during a call (the in-call page's device
 * rows write the setting the audio configuration follows): capture and
 * playback move to it at once, and the far end hears the new microphone. */
static void
test_chosen_mid_call (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 0, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 440, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMA");
  g_autofree char *headset_wav = g_build_filename (device_dir, "headset.wav", NULL);
  g_autoptr(GError) error = NULL;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  gint64 start;
  double chosen_at, length;
  DtTestWav heard;

  dt_audio_config_set_source_description (a->audio, NULL);
  dt_audio_config_set_source_device (a->audio, BUILTIN_MIC);
  dt_audio_config_set_sink_description (a->audio, NULL);
  start = g_get_monotonic_time ();
  dt_test_endpoints_connect (a, b, params);
  wait_device (a->session, "source-device", BUILTIN_MIC);
  dt_test_run_for (2000);

  chosen_at = seconds_since (start);
  dt_audio_config_set_source_device (a->audio, HEADSET_MIC);
  dt_audio_config_set_sink_device (a->audio, HEADSET_SPEAKER);
  wait_device (a->session, "source-device", HEADSET_MIC);
  wait_device (a->session, "sink-device", HEADSET_SPEAKER);
  dt_test_run_for (2500);
  g_assert_true (dt_rtp_session_is_running (a->session));

  dt_test_endpoint_load_wav (b, &heard);
  length = heard.n_samples / (double) heard.rate;
  dt_test_assert_tone (&heard, 1.0, chosen_at - 0.5, BUILTIN_HZ, sent, 1.0);
  dt_test_assert_tone (&heard, chosen_at + 1.0, length - 0.2, HEADSET_HZ, sent, 1.0);
  dt_test_wav_clear (&heard);

  /* What the headset's speaker played: B's tone. */
  dt_rtp_session_stop (a->session);
  g_assert_true (dt_test_wav_load (headset_wav, &heard, &error));
  g_assert_no_error (error);
  length = heard.n_samples / (double) heard.rate;
  g_assert_cmpfloat (length, >, 1.5);
  dt_test_assert_tone (&heard, 0.5, length - 0.2, 440, sent, 1.0);
  dt_test_wav_clear (&heard);

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *headset_wav = NULL;
  g_autofree char *builtin_wav = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  device_dir = dt_test_make_dir ();
  headset_wav = g_build_filename (device_dir, "headset.wav", NULL);
  builtin_wav = g_build_filename (device_dir, "builtin.wav", NULL);
  dt_test_devices_register (dt_test_device_new (HEADSET_MIC, "Audio/Source", HEADSET_HZ, NULL,
                                                FALSE),
                            dt_test_device_new (BUILTIN_MIC, "Audio/Source", BUILTIN_HZ, NULL,
                                                TRUE),
                            dt_test_device_new (HEADSET_SPEAKER, "Audio/Sink", 0, headset_wav,
                                                FALSE),
                            dt_test_device_new (BUILTIN_SPEAKER, "Audio/Sink", 0, builtin_wav,
                                                TRUE),
                            NULL);

  g_test_add_func ("/device-fallback/unplugged", test_unplugged);
  g_test_add_func ("/device-fallback/device-error", test_device_error);
  g_test_add_func ("/device-fallback/chosen-mid-call", test_chosen_mid_call);

  status = g_test_run ();
  dt_test_remove_dir (g_steal_pointer (&device_dir));
  return status;
}
