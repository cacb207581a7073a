/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ringer.c
 *
 * The ring of an incoming call, recorded at the ringer end: the built-in
 * ring's two tones and its cadence, a ring tone file that loops for as
 * long as it rings, and a missing file that still rings.
 */

#include "config.h"

#include <gio/gio.h>

#include "dt-ringer.h"
#include "dt-test-rtp.h"

typedef struct
{
  char          *dir;
  char          *wav;
  DtAudioConfig *audio;
  DtRinger      *ringer;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *sink = NULL;

  f->dir = dt_test_make_dir ();
  f->wav = g_build_filename (f->dir, "ring.wav", NULL);
  sink = g_strdup_printf ("audioconvert ! audioresample ! "
                          "audio/x-raw,format=S16LE,rate=48000,channels=1 ! "
                          "wavenc ! filesink location=%s", f->wav);
  f->audio = dt_audio_config_new ();
  dt_audio_config_set_ringer_description (f->audio, sink);
  f->ringer = dt_ringer_new (f->audio);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->ringer);
  g_assert_finalize_object (f->audio);
  dt_test_remove_dir (g_steal_pointer (&f->dir));
  g_free (f->wav);
}

static void
ring_for (Fixture *f,
          guint    ms,
          DtTestWav *heard)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_ringer_start (f->ringer, &error));
  g_assert_no_error (error);
  g_assert_true (dt_ringer_is_ringing (f->ringer));
  /* Ringing twice is ringing. */
  g_assert_true (dt_ringer_start (f->ringer, NULL));
  dt_test_run_for (ms);
  dt_ringer_stop (f->ringer);
  g_assert_false (dt_ringer_is_ringing (f->ringer));
  g_assert_true (dt_test_wav_load (f->wav, heard, &error));
  g_assert_no_error (error);
}

static void
assert_ring_tones (const DtTestWav *heard,
                   double           start_s,
                   double           end_s)
{
  const float *samples;
  gsize n;
  double expected = dt_test_audio_sine_dbfs (0.25);

  g_assert_true (dt_test_wav_slice (heard, start_s, end_s, &samples, &n));
  for (guint i = 0; i < 2; i++)
    {
      double frequency = i == 0 ? 440 : 480;
      double level = dt_test_audio_tone_dbfs_median (samples, n, heard->rate, frequency);

      g_test_message ("%.1f-%.1f s: %.0f Hz at %.2f dBFS (want %.2f)", start_s, end_s,
                      frequency, level, expected);
      g_assert_cmpfloat_with_epsilon (level, expected, 1.0);
    }
  /* And nothing between them: two tones, not a sweep. */
  g_assert_cmpfloat (dt_test_audio_tone_dbfs_median (samples, n, heard->rate, 460),
                     <, expected - 20);
}

/* 440 Hz and 480 Hz together for two seconds, then four of silence. */
static void
test_builtin_ring (Fixture       *f,
                   gconstpointer  data)
{
  DtTestWav heard;

  ring_for (f, 2800, &heard);
  g_assert_cmpfloat (heard.n_samples / (double) heard.rate, >, 2.5);
  assert_ring_tones (&heard, 0.2, 1.8);
  dt_test_assert_silence (&heard, 2.2, 2.5);
  dt_test_wav_clear (&heard);
}

/* A sound file made here, half a second of 1000 Hz. */
static char *
make_ringtone (Fixture *f)
{
  char *path = g_build_filename (f->dir, "tone.wav", NULL);
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  /* 24 buffers of 1000 samples at 48 kHz: 0.5 s. */
  description = g_strdup_printf ("audiotestsrc freq=1000 volume=%g num-buffers=24 "
                                 "samplesperbuffer=1000 ! "
                                 "audio/x-raw,format=S16LE,rate=48000,channels=1 ! "
                                 "wavenc ! filesink location=%s",
                                 DT_TEST_TONE_AMPLITUDE, path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return path;
}

/* The file plays again and again, in real time, for as long as it rings. */
static void
test_ringtone_loops (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *ringtone = make_ringtone (f);
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  double length;
  DtTestWav heard;

  dt_ringer_set_ringtone (f->ringer, ringtone);
  g_assert_cmpstr (dt_ringer_get_ringtone (f->ringer), ==, ringtone);
  ring_for (f, 2200, &heard);
  length = heard.n_samples / (double) heard.rate;
  g_test_message ("%.2f s of ring in 2.2 s", length);
  /* Looped, not played once (0.5 s), and not faster than real time. */
  g_assert_cmpfloat (length, >, 1.8);
  g_assert_cmpfloat (length, <, 3.0);
  dt_test_assert_tone (&heard, 1.0, 1.7, 1000, sent, 1.0);
  dt_test_wav_clear (&heard);
}

/* A ring tone that is not there: the built-in ring, never silence. */
static void
test_missing_ringtone (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->dir, "no-such-ring.ogg", NULL);
  DtTestWav heard;

  dt_ringer_set_ringtone (f->ringer, missing);
  ring_for (f, 1500, &heard);
  assert_ring_tones (&heard, 0.2, 1.3);
  dt_test_wav_clear (&heard);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ringer/builtin", test_builtin_ring);
  ADD ("/ringer/ringtone-loops", test_ringtone_loops);
  ADD ("/ringer/missing-ringtone", test_missing_ringtone);
#undef ADD

  return g_test_run ();
}
