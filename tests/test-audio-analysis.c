/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-audio-analysis.c
 *
 * The tone measurement the media tests rely on, checked on signals made
 * here: it finds a tone's frequency to well within 2 Hz and its level to
 * well within 1 dB, picks the louder of two tones, and reads back WAV files.
 */

#include "config.h"

#include <math.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "dt-test-audio.h"

static float *
make_tone (guint  rate,
           double seconds,
           double frequency,
           double amplitude)
{
  gsize n = (gsize) (rate * seconds);
  float *samples = g_new (float, n);

  for (gsize i = 0; i < n; i++)
    samples[i] = amplitude * sin (2.0 * G_PI * frequency * i / rate + 0.3);
  return samples;
}

static void
test_tone (void)
{
  static const double frequencies[] = { 300.0, 437.3, 1000.0, 3200.7 };

  for (guint r = 0; r < 2; r++)
    for (guint i = 0; i < G_N_ELEMENTS (frequencies); i++)
      {
        guint rate = r == 0 ? 48000 : 8000;
        g_autofree float *samples = make_tone (rate, 1.0, frequencies[i], 0.5);
        double found = dt_test_audio_dominant_frequency (samples, rate, rate);

        g_assert_cmpfloat_with_epsilon (found, frequencies[i], 0.1);
        /* A sine of amplitude 0.5 is −6.02 dBFS, by tone and by RMS. */
        g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs (samples, rate, rate, found),
                                        -6.0206, 0.05);
        g_assert_cmpfloat_with_epsilon (dt_test_audio_rms_dbfs (samples, rate), -6.0206, 0.05);
      }
}

/* A gap of concealment in one block of ten leaves the median level where
 * the tone is; a level wrong in most blocks moves it. */
static void
test_median_level (void)
{
  const guint rate = 48000;
  g_autofree float *samples = g_new0 (float, rate);

  for (guint i = 0; i < rate; i++)
    samples[i] = (float) (0.3 * sin (2 * G_PI * 440.0 * i / rate));
  for (guint i = rate / 10; i < 2 * rate / 10; i++)
    samples[i] = 0.0f;
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs_median (samples, rate, rate, 440.0),
                                  dt_test_audio_sine_dbfs (0.3), 0.1);
  /* The whole-window level does drop with the gap. */
  g_assert_cmpfloat (dt_test_audio_tone_dbfs (samples, rate, rate, 440.0), <,
                     dt_test_audio_sine_dbfs (0.3) - 0.3);

  for (guint i = 0; i < 6 * rate / 10; i++)
    samples[i] *= 0.5f;
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs_median (samples, rate, rate, 440.0),
                                  dt_test_audio_sine_dbfs (0.15), 0.1);
}

static void
test_two_tones (void)
{
  guint rate = 48000;
  g_autofree float *low = make_tone (rate, 1.0, 440.0, 0.1);
  g_autofree float *high = make_tone (rate, 1.0, 1000.0, 0.3);

  for (guint i = 0; i < rate; i++)
    low[i] += high[i];
  g_assert_cmpfloat_with_epsilon (dt_test_audio_dominant_frequency (low, rate, rate), 1000.0,
                                  0.1);
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs (low, rate, rate, 440.0), -20.0,
                                  0.1);
}

static void
test_silence (void)
{
  g_autofree float *zeros = g_new0 (float, 4800);

  g_assert_cmpfloat (dt_test_audio_rms_dbfs (zeros, 4800), <, -150.0);
  g_assert_cmpfloat (dt_test_audio_sine_dbfs (1.0), ==, 0.0);
}

static void
put_le (GByteArray *bytes,
        guint32     value,
        guint       size)
{
  for (guint i = 0; i < size; i++)
    {
      guint8 byte = (value >> (8 * i)) & 0xff;

      g_byte_array_append (bytes, &byte, 1);
    }
}

static void
test_wav (void)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autofree char *dir = g_dir_make_tmp ("dialtone-wav-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tone.wav", NULL);
  g_autoptr(GError) error = NULL;
  DtTestWav wav;
  guint frames = 16000;
  const float *slice;
  gsize n;

  /* Stereo 16 kHz: 440 Hz on the left, 1000 Hz on the right, with a LIST
   * chunk before the data, as some writers put there. */
  g_byte_array_append (bytes, (const guint8 *) "RIFF", 4);
  put_le (bytes, 4 + 24 + 12 + 8 + frames * 4, 4);
  g_byte_array_append (bytes, (const guint8 *) "WAVEfmt ", 8);
  put_le (bytes, 16, 4);
  put_le (bytes, 1, 2);
  put_le (bytes, 2, 2);
  put_le (bytes, 16000, 4);
  put_le (bytes, 64000, 4);
  put_le (bytes, 4, 2);
  put_le (bytes, 16, 2);
  g_byte_array_append (bytes, (const guint8 *) "LIST", 4);
  put_le (bytes, 4, 4);
  g_byte_array_append (bytes, (const guint8 *) "INFO", 4);
  g_byte_array_append (bytes, (const guint8 *) "data", 4);
  put_le (bytes, frames * 4, 4);
  for (guint i = 0; i < frames; i++)
    {
      put_le (bytes, (guint16) (gint16) (16384 * sin (2 * G_PI * 440.0 * i / 16000)), 2);
      put_le (bytes, (guint16) (gint16) (16384 * sin (2 * G_PI * 1000.0 * i / 16000)), 2);
    }
  g_file_set_contents (path, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);

  dt_test_wav_load (path, &wav, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wav.rate, ==, 16000);
  g_assert_cmpuint (wav.n_samples, ==, frames);
  g_assert_true (dt_test_wav_slice (&wav, 0.25, 0.75, &slice, &n));
  g_assert_cmpuint (n, ==, 8000);
  g_assert_false (dt_test_wav_slice (&wav, 0.5, 1.5, &slice, &n));
  g_assert_cmpfloat_with_epsilon (dt_test_audio_dominant_frequency (slice, n, 16000), 440.0,
                                  0.1);
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs (slice, n, 16000, 440.0), -6.0206,
                                  0.05);
  dt_test_wav_clear (&wav);

  g_file_set_contents (path, "RIFF\0\0\0\0AVI ", 12, &error);
  g_assert_no_error (error);
  g_assert_false (dt_test_wav_load (path, &wav, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/audio-analysis/tone", test_tone);
  g_test_add_func ("/audio-analysis/two-tones", test_two_tones);
  g_test_add_func ("/audio-analysis/median-level", test_median_level);
  g_test_add_func ("/audio-analysis/silence", test_silence);
  g_test_add_func ("/audio-analysis/wav", test_wav);

  return g_test_run ();
}
