/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-audio.c
 *
 * Tone measurement by Goertzel's algorithm over a Hann window: a coarse scan
 * of 0.1 s finds the loudest 5 Hz step between 50 Hz and 4 kHz, then scans
 * of the whole slice in 0.5 Hz and 0.05 Hz steps around it find the peak.
 * Levels are dBFS relative to a full-scale sine (AES17), so a sine of
 * amplitude 0.3 is −10.46 dBFS.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "dt-test-audio.h"

#define COARSE_WINDOW_S 0.1
#define COARSE_STEP_HZ 5.0
#define MEDIUM_STEP_HZ 0.5
#define FINE_STEP_HZ 0.05
#define LOWEST_HZ 50.0
#define HIGHEST_HZ 4000.0

static guint32
read_le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

static guint16
read_le16 (const guint8 *p)
{
  return p[0] | (p[1] << 8);
}

/* RIFF/WAVE with 16-bit PCM, as wavenc writes it. */
gboolean
dt_test_wav_load (const char  *path,
                  DtTestWav   *wav,
                  GError     **error)
{
  g_autofree guint8 *data = NULL;
  gsize size, offset = 12;
  guint channels = 0, bits = 0;

  memset (wav, 0, sizeof *wav);
  if (!g_file_get_contents (path, (char **) &data, &size, error))
    return FALSE;
  if (size < 12 || memcmp (data, "RIFF", 4) != 0 || memcmp (data + 8, "WAVE", 4) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a WAV file", path);
      return FALSE;
    }
  while (offset + 8 <= size)
    {
      guint32 chunk = read_le32 (data + offset + 4);
      const guint8 *body = data + offset + 8;
      gsize available = MIN ((gsize) chunk, size - offset - 8);

      if (memcmp (data + offset, "fmt ", 4) == 0 && available >= 16)
        {
          channels = read_le16 (body + 2);
          wav->rate = read_le32 (body + 4);
          bits = read_le16 (body + 14);
        }
      else if (memcmp (data + offset, "data", 4) == 0)
        {
          gsize frame;

          if (channels == 0 || bits != 16)
            break;
          frame = 2 * channels;
          wav->n_samples = available / frame;
          wav->samples = g_new (float, MAX (wav->n_samples, 1));
          for (gsize i = 0; i < wav->n_samples; i++)
            wav->samples[i] = (gint16) read_le16 (body + i * frame) / 32768.0f;
          return TRUE;
        }
      offset += 8 + chunk + (chunk & 1);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s has no 16-bit PCM data chunk", path);
  return FALSE;
}

void
dt_test_wav_clear (DtTestWav *wav)
{
  g_clear_pointer (&wav->samples, g_free);
  wav->n_samples = 0;
}

gboolean
dt_test_wav_slice (const DtTestWav  *wav,
                   double            start_s,
                   double            end_s,
                   const float     **samples,
                   gsize            *n_samples)
{
  gsize start = (gsize) (start_s * wav->rate);
  gsize end = (gsize) (end_s * wav->rate);

  if (end > wav->n_samples || start >= end)
    return FALSE;
  *samples = wav->samples + start;
  *n_samples = end - start;
  return TRUE;
}

/* A Hann-windowed copy, so that a scan windows once, not once per bin. */
static double *
window (const float *samples,
        gsize        n_samples,
        double      *window_sum)
{
  double *windowed = g_new (double, MAX (n_samples, 1));

  *window_sum = 0.0;
  for (gsize i = 0; i < n_samples; i++)
    {
      double w = n_samples > 1 ? 0.5 - 0.5 * cos (2.0 * G_PI * i / (n_samples - 1)) : 1.0;

      windowed[i] = w * samples[i];
      *window_sum += w;
    }
  return windowed;
}

/* Goertzel: the peak amplitude of the component at @frequency. */
static double
goertzel (const double *windowed,
          gsize         n_samples,
          double        window_sum,
          guint         rate,
          double        frequency)
{
  double omega = 2.0 * G_PI * frequency / rate;
  double coeff = 2.0 * cos (omega);
  double s1 = 0.0, s2 = 0.0, real, imag;

  for (gsize i = 0; i < n_samples; i++)
    {
      double s0 = windowed[i] + coeff * s1 - s2;

      s2 = s1;
      s1 = s0;
    }
  real = s1 - s2 * cos (omega);
  imag = s2 * sin (omega);
  return 2.0 * sqrt (real * real + imag * imag) / window_sum;
}

double
dt_test_audio_tone_amplitude (const float *samples,
                              gsize        n_samples,
                              guint        rate,
                              double       frequency)
{
  double window_sum;
  g_autofree double *windowed = window (samples, n_samples, &window_sum);

  return goertzel (windowed, n_samples, window_sum, rate, frequency);
}

static double
scan (const float *samples,
      gsize        n_samples,
      guint        rate,
      double       from,
      double       to,
      double       step)
{
  double window_sum, best = from, best_amplitude = -1.0;
  g_autofree double *windowed = window (samples, n_samples, &window_sum);

  for (double f = from; f <= to; f += step)
    {
      double amplitude = goertzel (windowed, n_samples, window_sum, rate, f);

      if (amplitude > best_amplitude)
        {
          best_amplitude = amplitude;
          best = f;
        }
    }
  return best;
}

double
dt_test_audio_dominant_frequency (const float *samples,
                                  gsize        n_samples,
                                  guint        rate)
{
  gsize coarse_n = MIN (n_samples, (gsize) (COARSE_WINDOW_S * rate));
  double highest = MIN (HIGHEST_HZ, rate / 2.0 - COARSE_STEP_HZ);
  double coarse = scan (samples, coarse_n, rate, LOWEST_HZ, highest, COARSE_STEP_HZ);
  double medium = scan (samples, n_samples, rate, coarse - 2 * COARSE_STEP_HZ,
                        coarse + 2 * COARSE_STEP_HZ, MEDIUM_STEP_HZ);

  return scan (samples, n_samples, rate, medium - MEDIUM_STEP_HZ, medium + MEDIUM_STEP_HZ,
               FINE_STEP_HZ);
}

double
dt_test_audio_tone_dbfs (const float *samples,
                         gsize        n_samples,
                         guint        rate,
                         double       frequency)
{
  return dt_test_audio_sine_dbfs (dt_test_audio_tone_amplitude (samples, n_samples, rate,
                                                                frequency));
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The level of @frequency in 100 ms blocks, and their median: one block
 * that a busy machine turned into concealment does not move it, while a
 * level that is wrong for most of the window does. */
double
dt_test_audio_tone_dbfs_median (const float *samples,
                                gsize        n_samples,
                                guint        rate,
                                double       frequency)
{
  gsize block = rate / 10;
  g_autoptr(GArray) levels = g_array_new (FALSE, FALSE, sizeof (double));
  double median;

  for (gsize start = 0; block > 0 && start + block <= n_samples; start += block)
    {
      double level = dt_test_audio_tone_dbfs (samples + start, block, rate, frequency);

      g_array_append_val (levels, level);
    }
  if (levels->len == 0)
    return dt_test_audio_tone_dbfs (samples, n_samples, rate, frequency);
  g_array_sort (levels, compare_doubles);
  median = g_array_index (levels, double, levels->len / 2);
  return median;
}

double
dt_test_audio_rms_dbfs (const float *samples,
                        gsize        n_samples)
{
  double sum = 0.0;

  for (gsize i = 0; i < n_samples; i++)
    sum += (double) samples[i] * samples[i];
  if (n_samples == 0 || sum == 0.0)
    return -200.0;
  /* Relative to a full-scale sine, whose RMS is 1/√2. */
  return 20.0 * log10 (sqrt (sum / n_samples) * G_SQRT2);
}

double
dt_test_audio_sine_dbfs (double amplitude)
{
  return amplitude > 0.0 ? 20.0 * log10 (amplitude) : -200.0;
}
