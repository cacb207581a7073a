/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-service.h
 *
 * The diagnostics peer of `dialtone-helper serve --diagnostics`: the far
 * end of the Diagnostics test (src/diagnostics/PEER.md). A UDP echo for
 * the greetings Dialtone's own TURN client sends through each relay, and
 * an HTTP signalling endpoint that answers an ICE offer with a libnice
 * agent of its own and echoes the greeting over the ICE path.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How long a signalling session lives, in seconds */
#define DT_DIAG_SERVICE_SESSION_LIFETIME 60
/* Sessions alive at once: one per URI and family is plenty */
#define DT_DIAG_SERVICE_MAX_SESSIONS 32

#define DT_TYPE_DIAG_SERVICE (dt_diag_service_get_type ())
G_DECLARE_FINAL_TYPE (DtDiagService, dt_diag_service, DT, DIAG_SERVICE, GObject)

DtDiagService      *dt_diag_service_new               (const char     *token);
gboolean            dt_diag_service_start             (DtDiagService  *self,
                                                       GInetAddress   *address,
                                                       guint16         port,
                                                       GError        **error);
void                dt_diag_service_stop              (DtDiagService  *self);
const char         *dt_diag_service_get_url           (DtDiagService  *self);
GInetSocketAddress *dt_diag_service_get_echo_address  (DtDiagService  *self,
                                                       GSocketFamily   family);
guint               dt_diag_service_get_n_sessions    (DtDiagService  *self);
JsonNode           *dt_diag_service_describe          (DtDiagService  *self);

G_END_DECLS
