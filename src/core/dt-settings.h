/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-settings.h
 *
 * The one place that reads and writes Dialtone's GSettings.
 */
#pragma once

#include <gio/gio.h>

#include "dt-account.h"

G_BEGIN_DECLS

#define DT_TYPE_SETTINGS (dt_settings_get_type ())
G_DECLARE_FINAL_TYPE (DtSettings, dt_settings, DT, SETTINGS, GObject)

DtSettings  *dt_settings_new                     (void);

GListModel  *dt_settings_get_accounts            (DtSettings  *self);
DtAccount   *dt_settings_add_account             (DtSettings  *self,
                                                  const char  *protocol);
void         dt_settings_remove_account          (DtSettings  *self,
                                                  DtAccount   *account);
DtAccount   *dt_settings_find_account            (DtSettings  *self,
                                                  const char  *id);
DtAccount   *dt_settings_get_default_account     (DtSettings  *self);
void         dt_settings_set_default_account     (DtSettings  *self,
                                                  DtAccount   *account);

gboolean     dt_settings_get_run_in_background   (DtSettings  *self);
gboolean     dt_settings_get_confirm_dial_links  (DtSettings  *self);
gboolean     dt_settings_get_echo_cancellation   (DtSettings  *self);
gboolean     dt_settings_get_noise_suppression   (DtSettings  *self);
gboolean     dt_settings_get_gain_control        (DtSettings  *self);
const char  *dt_settings_get_microphone          (DtSettings  *self);
const char  *dt_settings_get_speaker             (DtSettings  *self);
const char  *dt_settings_get_ringer              (DtSettings  *self);
const char  *dt_settings_get_ringtone            (DtSettings  *self);
guint        dt_settings_get_media_timeout       (DtSettings  *self);

G_END_DECLS
