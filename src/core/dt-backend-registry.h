/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-backend-registry.h
 *
 * Finds the backend for a protocol name or a URI scheme.
 */
#pragma once

#include "dt-backend.h"

G_BEGIN_DECLS

typedef enum {
  DT_BACKEND_REGISTRY_ERROR_DUPLICATE,
  DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME,
  DT_BACKEND_REGISTRY_ERROR_UNKNOWN_PROTOCOL,
} DtBackendRegistryError;

#define DT_BACKEND_REGISTRY_ERROR (dt_backend_registry_error_quark ())
GQuark dt_backend_registry_error_quark (void);

#define DT_TYPE_BACKEND_REGISTRY (dt_backend_registry_get_type ())
G_DECLARE_FINAL_TYPE (DtBackendRegistry, dt_backend_registry, DT, BACKEND_REGISTRY, GObject)

DtBackendRegistry *dt_backend_registry_new               (void);
gboolean           dt_backend_registry_add               (DtBackendRegistry  *self,
                                                          DtBackend          *backend,
                                                          GError            **error);
DtBackend         *dt_backend_registry_lookup_protocol   (DtBackendRegistry  *self,
                                                          const char         *protocol,
                                                          GError            **error);
DtBackend         *dt_backend_registry_lookup_scheme     (DtBackendRegistry  *self,
                                                          const char         *scheme,
                                                          GError            **error);
DtBackend         *dt_backend_registry_lookup_uri        (DtBackendRegistry  *self,
                                                          const char         *uri,
                                                          GError            **error);
GListModel        *dt_backend_registry_get_backends      (DtBackendRegistry  *self);

G_END_DECLS
