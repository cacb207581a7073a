/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-dbus-service.h
 *
 * io.github.dialtone.Dialtone.Calls (data/dbus/io.github.dialtone.Dialtone.Calls.xml)
 * on the application's bus connection, served by the call manager.
 */
#pragma once

#include <gio/gio.h>

#include "dt-call-manager.h"

G_BEGIN_DECLS

#define DT_TYPE_DBUS_SERVICE (dt_dbus_service_get_type ())
G_DECLARE_FINAL_TYPE (DtDBusService, dt_dbus_service, DT, DBUS_SERVICE, GObject)

DtDBusService *dt_dbus_service_new      (DtCallManager    *manager,
                                         GListModel       *accounts);
gboolean       dt_dbus_service_export   (DtDBusService    *self,
                                         GDBusConnection  *connection,
                                         const char       *object_path,
                                         GError          **error);
void           dt_dbus_service_unexport (DtDBusService    *self);
void           dt_dbus_service_link_refused (DtDBusService *self,
                                             const char    *uri,
                                             const char    *reason);
GVariant      *dt_dbus_service_describe_call (DtCall      *call);

G_END_DECLS
