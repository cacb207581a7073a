/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-audio.h
 *
 * What a test heard: WAV files read back, and the tone in them measured.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  float *samples;     /* the first channel, full scale ±1.0 */
  gsize  n_samples;
  guint  rate;
} DtTestWav;

gboolean dt_test_wav_load                 (const char      *path,
                                           DtTestWav       *wav,
                                           GError         **error);
void     dt_test_wav_clear                (DtTestWav       *wav);
gboolean dt_test_wav_slice                (const DtTestWav *wav,
                                           double           start_s,
                                           double           end_s,
                                           const float    **samples,
                                           gsize           *n_samples);

double   dt_test_audio_tone_amplitude     (const float     *samples,
                                           gsize            n_samples,
                                           guint            rate,
                                           double           frequency);
double   dt_test_audio_dominant_frequency (const float     *samples,
                                           gsize            n_samples,
                                           guint            rate);
double   dt_test_audio_tone_dbfs          (const float     *samples,
                                           gsize            n_samples,
                                           guint            rate,
                                           double           frequency);
double   dt_test_audio_tone_dbfs_median   (const float     *samples,
                                           gsize            n_samples,
                                           guint            rate,
                                           double           frequency);
double   dt_test_audio_rms_dbfs           (const float     *samples,
                                           gsize            n_samples);
double   dt_test_audio_sine_dbfs          (double           amplitude);

G_END_DECLS
