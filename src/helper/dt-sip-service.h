/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-service.h
 *
 * The SIP side of `dialtone-helper serve`: a registrar with digest
 * authentication, a back-to-back user agent between registered users, the
 * echo, 9196 and answer extensions, and message-waiting notifications.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* RFC 3261 §10.2.1.1: what a REGISTER without an expiry gets. */
#define DT_SIP_SERVICE_DEFAULT_EXPIRES 3600
#define DT_SIP_SERVICE_MAX_EXPIRES 86400
#define DT_SIP_SERVICE_DEFAULT_MIN_EXPIRES 60

#define DT_TYPE_SIP_SERVICE (dt_sip_service_get_type ())
G_DECLARE_FINAL_TYPE (DtSipService, dt_sip_service, DT, SIP_SERVICE, GObject)

DtSipService *dt_sip_service_new             (const char       *realm);
const char   *dt_sip_service_get_realm       (DtSipService     *self);
guint         dt_sip_service_get_min_expires (DtSipService     *self);
void          dt_sip_service_set_min_expires (DtSipService     *self,
                                              guint             seconds);
void          dt_sip_service_add_user        (DtSipService     *self,
                                              const char       *name,
                                              const char       *password);
gboolean      dt_sip_service_set_mailbox     (DtSipService     *self,
                                              const char       *user,
                                              guint             n_new,
                                              guint             n_old,
                                              GError          **error);
gboolean      dt_sip_service_start           (DtSipService     *self,
                                              GInetAddress     *address,
                                              guint16           port,
                                              GTlsCertificate  *certificate,
                                              GError          **error);
void          dt_sip_service_stop            (DtSipService     *self);
guint16       dt_sip_service_get_port        (DtSipService     *self,
                                              gboolean          tls);
JsonNode     *dt_sip_service_describe        (DtSipService     *self);

G_END_DECLS
