/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-dial-pad.h
 *
 * The dial pad: an entry for a number or an address, the twelve keys,
 * and the call button.
 */
#pragma once

#include <adwaita.h>

#include "dt-history.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_DIAL_PAD (dt_dial_pad_get_type ())
G_DECLARE_FINAL_TYPE (DtDialPad, dt_dial_pad, DT, DIAL_PAD, AdwBin)

GtkWidget  *dt_dial_pad_new      (void);
const char *dt_dial_pad_get_text (DtDialPad  *self);
void        dt_dial_pad_set_text (DtDialPad  *self,
                                  const char *text);
DtHistory  *dt_dial_pad_get_history  (DtDialPad  *self);
void        dt_dial_pad_set_history  (DtDialPad  *self,
                                      DtHistory  *history);
DtSettings *dt_dial_pad_get_settings (DtDialPad  *self);
void        dt_dial_pad_set_settings (DtDialPad  *self,
                                      DtSettings *settings);

G_END_DECLS
