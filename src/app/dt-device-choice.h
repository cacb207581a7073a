/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-device-choice.h
 *
 * An AdwComboRow that picks an audio device for one setting.
 */
#pragma once

#include <adwaita.h>

#include "dt-audio-devices.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_DEVICE_CHOICE (dt_device_choice_get_type ())
G_DECLARE_FINAL_TYPE (DtDeviceChoice, dt_device_choice, DT, DEVICE_CHOICE, GObject)

DtDeviceChoice *dt_device_choice_new     (AdwComboRow    *row,
                                          DtSettings     *settings,
                                          const char     *setting,
                                          gboolean        source,
                                          DtAudioDevices *devices);
AdwComboRow    *dt_device_choice_get_row (DtDeviceChoice *self);
void            dt_device_choice_refill  (DtDeviceChoice *self);

G_END_DECLS
