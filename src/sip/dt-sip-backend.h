/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-backend.h
 *
 * The SIP backend: #DtBackend for `sip:`, `sips:` and `tel:` addresses,
 * with one #DtSipEndpoint per connected account.
 */
#pragma once

#include "dt-backend.h"
#include "dt-sip-endpoint.h"

G_BEGIN_DECLS

#define DT_SIP_TYPE_BACKEND (dt_sip_backend_get_type ())
G_DECLARE_FINAL_TYPE (DtSipBackend, dt_sip_backend, DT_SIP, BACKEND, GObject)

DtSipBackend   *dt_sip_backend_new                 (void);
void            dt_sip_backend_set_password        (DtSipBackend *self,
                                                    const char   *account_id,
                                                    const char   *password);
void            dt_sip_backend_set_tls_database    (DtSipBackend *self,
                                                    GTlsDatabase *database);
void            dt_sip_backend_set_network_monitor (DtSipBackend    *self,
                                                    GNetworkMonitor *monitor);
void            dt_sip_backend_set_audio_config    (DtSipBackend    *self,
                                                    DtAudioConfig   *audio);
void            dt_sip_backend_set_codec           (DtSipBackend    *self,
                                                    const char      *codec);
gboolean        dt_sip_backend_codec_is_known      (const char      *codec);
void            dt_sip_backend_set_srtp_policy     (DtSipBackend    *self,
                                                    DtSdpSrtpPolicy  policy);
void            dt_sip_backend_set_srtp_suites     (DtSipBackend       *self,
                                                    const char * const *suites);
void            dt_sip_backend_set_media_timeout   (DtSipBackend *self,
                                                    guint         seconds);
void            dt_sip_backend_set_registration_enabled (DtSipBackend *self,
                                                         gboolean      enabled);
void            dt_sip_backend_set_registration_expires (DtSipBackend *self,
                                                         guint         expires);
void            dt_sip_backend_set_retry_base      (DtSipBackend *self,
                                                    guint         seconds);
DtSipEndpoint  *dt_sip_backend_get_endpoint        (DtSipBackend *self,
                                                    const char   *account_id);

G_END_DECLS
