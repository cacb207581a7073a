/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-window.h */
#pragma once

#include <adwaita.h>

#include "dt-call-manager.h"
#include "dt-call-page.h"
#include "dt-history.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_WINDOW (dt_window_get_type ())
G_DECLARE_FINAL_TYPE (DtWindow, dt_window, DT, WINDOW, AdwApplicationWindow)

DtWindow   *dt_window_new          (GtkApplication *application,
                                    DtSettings     *settings);
DtHistory  *dt_window_get_history  (DtWindow  *self);
void        dt_window_set_history  (DtWindow  *self,
                                    DtHistory *history);
GListModel *dt_window_get_recent   (DtWindow  *self);
void        dt_window_set_call_manager (DtWindow      *self,
                                        DtCallManager *manager);
DtCallPage *dt_window_get_call_page    (DtWindow      *self);

G_END_DECLS
