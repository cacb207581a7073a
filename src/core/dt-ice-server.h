/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-server.h
 *
 * One STUN or TURN server as WebRTC describes it (RTCIceServer): one or
 * more URIs that share one set of credentials.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define DT_TYPE_ICE_SERVER (dt_ice_server_get_type ())
G_DECLARE_FINAL_TYPE (DtIceServer, dt_ice_server, DT, ICE_SERVER, GObject)

DtIceServer        *dt_ice_server_new            (const char * const *uris,
                                                  const char         *username,
                                                  const char         *credential);
const char * const *dt_ice_server_get_uris       (DtIceServer        *self);
const char         *dt_ice_server_get_username   (DtIceServer        *self);
const char         *dt_ice_server_get_credential (DtIceServer        *self);

G_END_DECLS
