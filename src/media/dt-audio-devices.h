/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-audio-devices.h
 *
 * The audio sources and sinks GStreamer can see, kept up to date.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define DT_TYPE_AUDIO_DEVICES (dt_audio_devices_get_type ())
G_DECLARE_FINAL_TYPE (DtAudioDevices, dt_audio_devices, DT, AUDIO_DEVICES, GObject)

DtAudioDevices *dt_audio_devices_new            (void);
gboolean        dt_audio_devices_start          (DtAudioDevices *self,
                                                 GError        **error);
void            dt_audio_devices_stop           (DtAudioDevices *self);
GPtrArray      *dt_audio_devices_list_sources   (DtAudioDevices *self);
GPtrArray      *dt_audio_devices_list_sinks     (DtAudioDevices *self);
GstDevice      *dt_audio_devices_find           (DtAudioDevices *self,
                                                 const char     *display_name,
                                                 gboolean        source);
DtAudioDevices *dt_audio_devices_get_shared     (GError        **error);
GstDevice      *dt_audio_devices_find_default   (DtAudioDevices *self,
                                                 gboolean        source);
gboolean        dt_audio_devices_is_source      (GstDevice      *device);
gboolean        dt_audio_devices_is_sink        (GstDevice      *device);

G_END_DECLS
