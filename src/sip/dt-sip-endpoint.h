/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-endpoint.h
 *
 * One SIP account at work: its transport, user agent, registration,
 * voicemail subscription and calls. The SIP backend keeps one per
 * connected account.
 *
 * Every request goes to the account's server, found by RFC 3263 from the
 * server setting (or the identity's domain): the server acts as the
 * outbound proxy (RFC 3261 §8.1.2), which is how accounts at Kamailio,
 * Asterisk and FreeSWITCH are used.
 */
#pragma once

#include <gio/gio.h>

#include "dt-account.h"
#include "dt-sip-call.h"
#include "dt-sip-mwi.h"
#include "dt-sip-registration.h"
#include "dt-sip-transport.h"

G_BEGIN_DECLS

#define DT_SIP_TYPE_ENDPOINT (dt_sip_endpoint_get_type ())
G_DECLARE_FINAL_TYPE (DtSipEndpoint, dt_sip_endpoint, DT_SIP, ENDPOINT, GObject)

DtSipEndpoint     *dt_sip_endpoint_new               (DtAccount            *account,
                                                      const char           *password,
                                                      GTlsDatabase         *tls_database);
DtAccount         *dt_sip_endpoint_get_account       (DtSipEndpoint        *self);
DtSipRegistration *dt_sip_endpoint_get_registration  (DtSipEndpoint        *self);
DtSipMwi          *dt_sip_endpoint_get_mwi           (DtSipEndpoint        *self);
DtSipUserAgent    *dt_sip_endpoint_get_user_agent    (DtSipEndpoint        *self);
DtSipTransport    *dt_sip_endpoint_get_transport     (DtSipEndpoint        *self);
void               dt_sip_endpoint_set_registration_expires (DtSipEndpoint *self,
                                                             guint          expires);
void               dt_sip_endpoint_set_media_timeout (DtSipEndpoint        *self,
                                                      guint                 seconds);
void               dt_sip_endpoint_set_retry_base    (DtSipEndpoint        *self,
                                                      guint                 seconds);
void               dt_sip_endpoint_set_registration_enabled (DtSipEndpoint *self,
                                                             gboolean       enabled);
void               dt_sip_endpoint_set_media         (DtSipEndpoint        *self,
                                                      DtAudioConfig        *audio,
                                                      const char           *codec,
                                                      DtSdpSrtpPolicy       srtp);
void               dt_sip_endpoint_set_srtp_suites   (DtSipEndpoint        *self,
                                                      const char * const   *suites);
gboolean           dt_sip_endpoint_codec_is_known    (const char           *codec);
void               dt_sip_endpoint_set_network_monitor (DtSipEndpoint     *self,
                                                        GNetworkMonitor   *monitor);

void               dt_sip_endpoint_start_async       (DtSipEndpoint        *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           dt_sip_endpoint_start_finish      (DtSipEndpoint        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
void               dt_sip_endpoint_stop_async        (DtSipEndpoint        *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean           dt_sip_endpoint_stop_finish       (DtSipEndpoint        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

DtSipCall         *dt_sip_endpoint_dial              (DtSipEndpoint        *self,
                                                      const char           *uri,
                                                      GError              **error);
char              *dt_sip_endpoint_target_for        (DtSipEndpoint        *self,
                                                      const char           *text,
                                                      GError              **error);

G_END_DECLS
