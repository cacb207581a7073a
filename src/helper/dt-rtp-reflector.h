/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-reflector.h
 *
 * The media end of the helper's echo extension: a pair of UDP sockets (RTP
 * and RTCP) that send every datagram back to the address it came from,
 * with its SSRC changed, on the thread-default GMainContext; for SRTP calls
 * decrypted with the caller's key and encrypted again with the echo's. A
 * per-packet path, so a plain struct rather than a GObject.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _DtRtpReflector DtRtpReflector;

/* @digit: one of 0-9, *, #, A-D */
typedef void (*DtRtpReflectorDtmfFunc) (char     digit,
                                        gpointer user_data);

DtRtpReflector *dt_rtp_reflector_new            (GInetAddress    *address,
                                                 gboolean         reflect,
                                                 GError         **error);
void            dt_rtp_reflector_free           (DtRtpReflector  *self);
guint16         dt_rtp_reflector_get_rtp_port   (DtRtpReflector  *self);
guint16         dt_rtp_reflector_get_rtcp_port  (DtRtpReflector  *self);
guint64         dt_rtp_reflector_get_n_reflected (DtRtpReflector *self);
gboolean        dt_rtp_reflector_set_srtp       (DtRtpReflector  *self,
                                                 const char      *suite,
                                                 GBytes          *decrypt_key,
                                                 GBytes          *encrypt_key,
                                                 GError         **error);
guint64         dt_rtp_reflector_get_n_srtp_dropped (DtRtpReflector *self);
void            dt_rtp_reflector_set_ssrc_xor   (DtRtpReflector  *self,
                                                 guint32          ssrc_xor);
void            dt_rtp_reflector_watch_dtmf     (DtRtpReflector         *self,
                                                 int                     payload_type,
                                                 DtRtpReflectorDtmfFunc  func,
                                                 gpointer                user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRtpReflector, dt_rtp_reflector_free)

G_END_DECLS
