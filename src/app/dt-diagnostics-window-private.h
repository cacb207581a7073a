/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diagnostics-window-private.h
 *
 * What the Diagnostics window's test reaches: the rows a person types
 * into, what each stage row shows, and saving to a file of the test's
 * choosing, since a file chooser cannot be driven.
 */
#pragma once

#include "dt-diag-report.h"
#include "dt-diagnostics-window.h"

G_BEGIN_DECLS

guint             _dt_diagnostics_window_get_n_servers     (DtDiagnosticsWindow  *self);
void              _dt_diagnostics_window_get_server_rows   (DtDiagnosticsWindow  *self,
                                                            guint                 index,
                                                            AdwEntryRow         **uri,
                                                            AdwEntryRow         **username,
                                                            AdwEntryRow         **password);
GtkLabel         *_dt_diagnostics_window_get_server_error  (DtDiagnosticsWindow  *self,
                                                            guint                 index);
AdwComboRow      *_dt_diagnostics_window_get_account_row   (DtDiagnosticsWindow  *self);
GtkWidget        *_dt_diagnostics_window_get_run_button    (DtDiagnosticsWindow  *self);
GtkWidget        *_dt_diagnostics_window_get_cancel_button (DtDiagnosticsWindow  *self);
GtkWidget        *_dt_diagnostics_window_get_save_button   (DtDiagnosticsWindow  *self);
guint             _dt_diagnostics_window_get_n_updates     (DtDiagnosticsWindow  *self);
DtDiagStageState  _dt_diagnostics_window_get_stage_state   (DtDiagnosticsWindow  *self,
                                                            const char           *uri,
                                                            GSocketFamily         family,
                                                            DtDiagStage           stage);
AdwExpanderRow   *_dt_diagnostics_window_get_family_row    (DtDiagnosticsWindow  *self,
                                                            const char           *uri,
                                                            GSocketFamily         family);
const char       *_dt_diagnostics_window_get_grade         (DtDiagnosticsWindow  *self,
                                                            const char           *uri,
                                                            GSocketFamily         family);
const char       *_dt_diagnostics_window_get_advice        (DtDiagnosticsWindow  *self,
                                                            const char           *uri,
                                                            GSocketFamily         family);
const char       *_dt_diagnostics_window_get_status        (DtDiagnosticsWindow  *self);
void              _dt_diagnostics_window_save_async        (DtDiagnosticsWindow  *self,
                                                            GFile                *file,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean          _dt_diagnostics_window_save_finish       (DtDiagnosticsWindow  *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
