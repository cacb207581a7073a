/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-runner.h
 *
 * Runs the Diagnostics test: for every STUN/TURN URI and address family,
 * Dialtone's own client resolves, reaches, authenticates, allocates a relay
 * of that family, opens it to a peer and exchanges a greeting through it,
 * and a STUN Binding on plain UDP finds the mapped address. Then a libnice
 * agent checks ICE through each relay that worked, with the diagnostics
 * peer, as a call would. Every stage is recorded in a DtDiagReport, timed,
 * and timed out.
 */
#pragma once

#include <gio/gio.h>

#include "dt-diag-report.h"
#include "dt-ice-server.h"

G_BEGIN_DECLS

/* Per stage, long enough for a slow TURN server, short enough that a dead
 * one does not hold up the report */
#define DT_DIAG_RUNNER_DEFAULT_STAGE_TIMEOUT_MS 5000

#define DT_TYPE_DIAG_RUNNER (dt_diag_runner_get_type ())
G_DECLARE_FINAL_TYPE (DtDiagRunner, dt_diag_runner, DT, DIAG_RUNNER, GObject)

DtDiagRunner *dt_diag_runner_new             (void);
void          dt_diag_runner_add_server      (DtDiagRunner        *self,
                                              DtIceServer         *server);
void          dt_diag_runner_add_uri         (DtDiagRunner        *self,
                                              const char          *uri,
                                              const char          *username,
                                              const char          *password);
void          dt_diag_runner_set_peer        (DtDiagRunner        *self,
                                              GInetSocketAddress  *peer);
GInetSocketAddress *dt_diag_runner_get_peer  (DtDiagRunner        *self,
                                              GSocketFamily        family);
void          dt_diag_runner_set_peer_url    (DtDiagRunner        *self,
                                              const char          *url,
                                              const char          *token);
gboolean      dt_diag_runner_set_ca_file     (DtDiagRunner        *self,
                                              const char          *path,
                                              GError             **error);

void          dt_diag_runner_run_async       (DtDiagRunner        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
DtDiagReport *dt_diag_runner_run_finish      (DtDiagRunner        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
