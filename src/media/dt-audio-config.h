/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-audio-config.h
 *
 * Which ends the headset chain uses and which DSP stages it runs.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define DT_TYPE_AUDIO_CONFIG (dt_audio_config_get_type ())
G_DECLARE_FINAL_TYPE (DtAudioConfig, dt_audio_config, DT, AUDIO_CONFIG, GObject)

DtAudioConfig *dt_audio_config_new                   (void);

const char    *dt_audio_config_get_source_description (DtAudioConfig *self);
void           dt_audio_config_set_source_description (DtAudioConfig *self,
                                                       const char    *description);
const char    *dt_audio_config_get_sink_description   (DtAudioConfig *self);
void           dt_audio_config_set_sink_description   (DtAudioConfig *self,
                                                       const char    *description);
const char    *dt_audio_config_get_source_device      (DtAudioConfig *self);
void           dt_audio_config_set_source_device      (DtAudioConfig *self,
                                                       const char    *display_name);
const char    *dt_audio_config_get_sink_device        (DtAudioConfig *self);
void           dt_audio_config_set_sink_device        (DtAudioConfig *self,
                                                       const char    *display_name);
const char    *dt_audio_config_get_ringer_description (DtAudioConfig *self);
void           dt_audio_config_set_ringer_description (DtAudioConfig *self,
                                                       const char    *description);
const char    *dt_audio_config_get_ringer_device      (DtAudioConfig *self);
void           dt_audio_config_set_ringer_device      (DtAudioConfig *self,
                                                       const char    *display_name);
gboolean       dt_audio_config_get_echo_cancel        (DtAudioConfig *self);
void           dt_audio_config_set_echo_cancel        (DtAudioConfig *self,
                                                       gboolean       enabled);
gboolean       dt_audio_config_get_noise_suppression  (DtAudioConfig *self);
void           dt_audio_config_set_noise_suppression  (DtAudioConfig *self,
                                                       gboolean       enabled);
gboolean       dt_audio_config_get_gain_control       (DtAudioConfig *self);
void           dt_audio_config_set_gain_control       (DtAudioConfig *self,
                                                       gboolean       enabled);
gboolean       dt_audio_config_get_dsp_enabled        (DtAudioConfig *self);

GstElement    *dt_audio_config_create_source          (DtAudioConfig *self,
                                                       GError       **error);
GstElement    *dt_audio_config_create_sink            (DtAudioConfig *self,
                                                       GError       **error);
GstElement    *dt_audio_config_create_source_full     (DtAudioConfig *self,
                                                       gboolean       chosen_device,
                                                       char         **device_name,
                                                       GError       **error);
GstElement    *dt_audio_config_create_sink_full       (DtAudioConfig *self,
                                                       gboolean       chosen_device,
                                                       char         **device_name,
                                                       GError       **error);
GstElement    *dt_audio_config_create_ringer          (DtAudioConfig *self,
                                                       GError       **error);

G_END_DECLS
