/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-backend.h
 *
 * The interface every protocol implements.
 */
#pragma once

#include <gio/gio.h>

#include "dt-account.h"
#include "dt-call.h"
#include "dt-ice-server.h"

G_BEGIN_DECLS

#define DT_TYPE_BACKEND (dt_backend_get_type ())
G_DECLARE_INTERFACE (DtBackend, dt_backend, DT, BACKEND, GObject)

struct _DtBackendInterface
{
  GTypeInterface parent_iface;

  const char         *(*get_protocol)      (DtBackend *self);
  const char * const *(*get_uri_schemes)   (DtBackend *self);

  void      (*connect_async)     (DtBackend           *self,
                                  DtAccount           *account,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean  (*connect_finish)    (DtBackend     *self,
                                  GAsyncResult  *result,
                                  GError       **error);
  void      (*disconnect_async)  (DtBackend           *self,
                                  DtAccount           *account,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  gboolean  (*disconnect_finish) (DtBackend     *self,
                                  GAsyncResult  *result,
                                  GError       **error);
  void      (*dial_async)        (DtBackend           *self,
                                  DtAccount           *account,
                                  const char          *uri,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
  DtCall   *(*dial_finish)       (DtBackend     *self,
                                  GAsyncResult  *result,
                                  GError       **error);

  /* Optional: the STUN/TURN servers learnt from the account's server */
  GPtrArray *(*get_ice_servers)  (DtBackend     *self,
                                  DtAccount     *account);
};

const char         *dt_backend_get_protocol     (DtBackend *self);
const char * const *dt_backend_get_uri_schemes  (DtBackend *self);
gboolean            dt_backend_handles_scheme   (DtBackend  *self,
                                                 const char *scheme);

void      dt_backend_connect_async     (DtBackend           *self,
                                        DtAccount           *account,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  dt_backend_connect_finish    (DtBackend     *self,
                                        GAsyncResult  *result,
                                        GError       **error);
void      dt_backend_disconnect_async  (DtBackend           *self,
                                        DtAccount           *account,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean  dt_backend_disconnect_finish (DtBackend     *self,
                                        GAsyncResult  *result,
                                        GError       **error);
void      dt_backend_dial_async        (DtBackend           *self,
                                        DtAccount           *account,
                                        const char          *uri,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
DtCall   *dt_backend_dial_finish       (DtBackend     *self,
                                        GAsyncResult  *result,
                                        GError       **error);

GPtrArray *dt_backend_get_ice_servers  (DtBackend           *self,
                                        DtAccount           *account);

void      dt_backend_emit_incoming_call (DtBackend *self,
                                         DtAccount *account,
                                         DtCall    *call);
void      dt_backend_emit_call_added    (DtBackend *self,
                                         DtAccount *account,
                                         DtCall    *call);

G_END_DECLS
