/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-params.h
 *
 * What offer/answer agreed for one RTP audio stream, in the media engine's
 * own terms: the protocol folders fill it in from their SDP.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * DtRtpParams:
 * @encoding: the codec as SDP names it: "opus", "G722", "PCMU" or "PCMA"
 *   (case does not matter)
 * @pt: the RTP payload type of @encoding
 * @clock_rate: the RTP clock rate from the rtpmap (48000 for Opus, 8000 for the
 *   others, G.722 included: RFC 3551 §4.5.2)
 * @channels: channels from the rtpmap (Opus is always 2 there, RFC 7587 §7)
 * @fmtp: the peer's a=fmtp parameters for @pt, or %NULL
 * @telephone_event_pt: the RFC 4733 telephone-event payload type, or -1
 * @telephone_event_clock_rate: its clock rate; it should match @clock_rate
 * @rtcp_mux: RTCP shares the RTP port (RFC 5761)
 * @srtp_suite: "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", or %NULL
 *   for plain RTP
 * @local_key: our SRTP master key and salt (30 bytes), what we encrypt with
 * @remote_key: the peer's master key and salt (30 bytes), what we decrypt with
 *
 * A plain struct the caller owns. dt_rtp_session_start() copies it.
 */
typedef struct
{
  char   *encoding;
  int     pt;
  guint   clock_rate;
  guint   channels;
  char   *fmtp;
  int     telephone_event_pt;
  guint   telephone_event_clock_rate;
  gboolean rtcp_mux;
  char   *srtp_suite;
  GBytes *local_key;
  GBytes *remote_key;
} DtRtpParams;

#define DT_TYPE_RTP_PARAMS (dt_rtp_params_get_type ())

/* RFC 3711 §8.2 and RFC 4568 §6.2: a 128-bit master key and 112-bit salt. */
#define DT_RTP_SRTP_KEY_LENGTH 30

GType        dt_rtp_params_get_type  (void) G_GNUC_CONST;
DtRtpParams *dt_rtp_params_new       (const char        *encoding,
                                      int                pt,
                                      guint              clock_rate);
DtRtpParams *dt_rtp_params_copy      (const DtRtpParams *params);
void         dt_rtp_params_free      (DtRtpParams       *params);
gboolean     dt_rtp_params_validate  (const DtRtpParams *params,
                                      GError           **error);
gboolean     dt_rtp_params_equal     (const DtRtpParams *a,
                                      const DtRtpParams *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRtpParams, dt_rtp_params_free)

G_END_DECLS
