/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ringer.h
 *
 * The ring of an incoming call, on the ringer device.
 */
#pragma once

#include "dt-audio-config.h"

G_BEGIN_DECLS

#define DT_TYPE_RINGER (dt_ringer_get_type ())
G_DECLARE_FINAL_TYPE (DtRinger, dt_ringer, DT, RINGER, GObject)

DtRinger   *dt_ringer_new          (DtAudioConfig  *audio);
void        dt_ringer_set_ringtone (DtRinger       *self,
                                    const char     *path);
const char *dt_ringer_get_ringtone (DtRinger       *self);
gboolean    dt_ringer_start        (DtRinger       *self,
                                    GError        **error);
void        dt_ringer_stop         (DtRinger       *self);
gboolean    dt_ringer_is_ringing   (DtRinger       *self);

G_END_DECLS
