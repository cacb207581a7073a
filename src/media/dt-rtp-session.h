/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-session.h
 *
 * One RTP audio stream of a call: the headset chain, a codec, rtpbin with
 * RTCP, SRTP (SDES keys), RFC 4733 DTMF and call-quality statistics.
 */
#pragma once

#include <gio/gio.h>

#include "dt-audio-config.h"
#include "dt-call-stats.h"
#include "dt-rtp-params.h"

G_BEGIN_DECLS

#define DT_TYPE_RTP_SESSION (dt_rtp_session_get_type ())
G_DECLARE_FINAL_TYPE (DtRtpSession, dt_rtp_session, DT, RTP_SESSION, GObject)

DtRtpSession  *dt_rtp_session_new               (GSocket            *rtp_socket,
                                                 GSocket            *rtcp_socket,
                                                 DtAudioConfig      *audio);
gboolean       dt_rtp_session_start             (DtRtpSession       *self,
                                                 const DtRtpParams  *params,
                                                 GInetSocketAddress *remote_rtp,
                                                 GInetSocketAddress *remote_rtcp,
                                                 GError            **error);
gboolean       dt_rtp_session_update            (DtRtpSession       *self,
                                                 const DtRtpParams  *params,
                                                 GInetSocketAddress *remote_rtp,
                                                 GInetSocketAddress *remote_rtcp,
                                                 GError            **error);
void           dt_rtp_session_stop              (DtRtpSession       *self);
gboolean       dt_rtp_session_is_running        (DtRtpSession       *self);

void           dt_rtp_session_set_direction     (DtRtpSession       *self,
                                                 gboolean            send,
                                                 gboolean            receive);
gboolean       dt_rtp_session_get_sending       (DtRtpSession       *self);
gboolean       dt_rtp_session_get_receiving     (DtRtpSession       *self);
void           dt_rtp_session_set_muted         (DtRtpSession       *self,
                                                 gboolean            muted);
gboolean       dt_rtp_session_get_muted         (DtRtpSession       *self);

gboolean       dt_rtp_session_send_dtmf         (DtRtpSession       *self,
                                                 char                digit,
                                                 guint               duration_ms,
                                                 GError            **error);

DtCallStats   *dt_rtp_session_get_stats         (DtRtpSession       *self);
double         dt_rtp_session_get_input_level   (DtRtpSession       *self);
double         dt_rtp_session_get_output_level  (DtRtpSession       *self);
guint          dt_rtp_session_get_media_timeout (DtRtpSession       *self);
void           dt_rtp_session_set_media_timeout (DtRtpSession       *self,
                                                 guint               seconds);

void           dt_rtp_session_preload           (const char         *encoding,
                                                 DtAudioConfig      *audio,
                                                 gboolean            srtp,
                                                 gboolean            wait);
void           dt_rtp_session_start_gstreamer   (void);

G_END_DECLS
