/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diagnostics-window.h
 *
 * Diagnostics: the person's STUN and TURN servers, typed or taken from an
 * account, tested stage by stage against a diagnostics peer, with the
 * grades, the advice and an HTML report to save.
 */
#pragma once

#include <adwaita.h>

#include "dt-backend-registry.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_DIAGNOSTICS_WINDOW (dt_diagnostics_window_get_type ())
G_DECLARE_FINAL_TYPE (DtDiagnosticsWindow, dt_diagnostics_window, DT, DIAGNOSTICS_WINDOW,
                      AdwWindow)

DtDiagnosticsWindow *dt_diagnostics_window_new         (GtkWindow           *parent,
                                                        DtSettings          *settings,
                                                        DtBackendRegistry   *registry);
gboolean             dt_diagnostics_window_get_running (DtDiagnosticsWindow *self);

G_END_DECLS
