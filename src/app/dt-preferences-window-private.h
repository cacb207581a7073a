/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-preferences-window-private.h
 *
 * The rows of the preferences window, for its tests.
 */
#pragma once

#include "dt-preferences-window.h"

G_BEGIN_DECLS

typedef enum {
  _DT_PREFERENCES_MICROPHONE,
  _DT_PREFERENCES_SPEAKER,
  _DT_PREFERENCES_RINGER,
} DtPreferencesDevice;

AdwComboRow *_dt_preferences_window_get_device_row (DtPreferencesWindow *self,
                                                    DtPreferencesDevice  which);
GtkSwitch   *_dt_preferences_window_get_echo_switch (DtPreferencesWindow *self);
AdwActionRow *_dt_preferences_window_get_ringtone_row (DtPreferencesWindow *self);

G_END_DECLS
