/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-call.h
 *
 * A #DtCall carried by one SIP dialog: INVITE, answer, CANCEL, decline,
 * BYE, and hold and resume by re-INVITE (RFC 3264 §8.4). The SDP comes from
 * the offer/answer of dt-sdp.h with the account's capabilities.
 */
#pragma once

#include "dt-audio-config.h"
#include "dt-call.h"
#include "dt-rtp-session.h"
#include "dt-sdp.h"
#include "dt-sip-dialog.h"

G_BEGIN_DECLS

#define DT_SIP_TYPE_CALL (dt_sip_call_get_type ())
G_DECLARE_FINAL_TYPE (DtSipCall, dt_sip_call, DT_SIP, CALL, DtCall)

DtSipCall       *dt_sip_call_new_outgoing   (DtSipUserAgent   *ua,
                                             const char       *account_id,
                                             const char       *from,
                                             const char       *to,
                                             const DtSdpCaps  *caps,
                                             DtAudioConfig    *audio,
                                             GError          **error);
DtSipCall       *dt_sip_call_new_incoming   (DtSipDialog      *dialog,
                                             GBytes           *offer,
                                             const char       *account_id,
                                             const DtSdpCaps  *caps,
                                             DtAudioConfig    *audio);
DtSipDialog     *dt_sip_call_get_dialog     (DtSipCall        *self);
const DtSdpNegotiated *dt_sip_call_get_negotiated (DtSipCall  *self);
guint            dt_sip_call_get_status_code (DtSipCall       *self);
guint16          dt_sip_call_get_rtp_port   (DtSipCall        *self);
void             dt_sip_call_set_media_timeout (DtSipCall     *self,
                                                guint          seconds);
DtRtpSession    *dt_sip_call_get_media      (DtSipCall        *self);

G_END_DECLS
