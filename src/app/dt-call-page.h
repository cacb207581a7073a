/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-page.h
 *
 * The page shown while a call is live: who, how long, the controls, the
 * devices and the figures.
 */
#pragma once

#include <adwaita.h>

#include "dt-call-manager.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_CALL_PAGE (dt_call_page_get_type ())
G_DECLARE_FINAL_TYPE (DtCallPage, dt_call_page, DT, CALL_PAGE, AdwBin)

GtkWidget     *dt_call_page_new          (void);
DtCallManager *dt_call_page_get_manager  (DtCallPage    *self);
void           dt_call_page_set_manager  (DtCallPage    *self,
                                          DtCallManager *manager);
DtSettings    *dt_call_page_get_settings (DtCallPage    *self);
void           dt_call_page_set_settings (DtCallPage    *self,
                                          DtSettings    *settings);
DtCall        *dt_call_page_get_call     (DtCallPage    *self);

G_END_DECLS
