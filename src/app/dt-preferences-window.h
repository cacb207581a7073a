/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-preferences-window.h
 *
 * Preferences: the audio devices, the DSP stages, the ring tone, and how
 * Dialtone behaves in the background and with links.
 */
#pragma once

#include <adwaita.h>

#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_PREFERENCES_WINDOW (dt_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (DtPreferencesWindow, dt_preferences_window, DT, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

DtPreferencesWindow *dt_preferences_window_new (GtkWindow  *parent,
                                                DtSettings *settings);

G_END_DECLS
