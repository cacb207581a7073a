/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-quality.c
 *
 * The E-model of ITU-T G.107 in the simplified form of Cole and Rosenbluth
 * ("Voice over IP performance monitoring", ACM CCR 31(2), 2001):
 *
 *   R = R0 − Id(d) − Ie,eff
 *
 * with the G.107 default R0 = 93.2 (Is and A taken as 0 and the default
 * noise and loudness terms folded into R0), the delay impairment
 *
 *   Id = 0.024 d + 0.11 (d − 177.3) H(d − 177.3)
 *
 * for a one-way mouth-to-ear delay d in ms, and the G.107 §7.3 equipment
 * impairment for random loss (BurstR = 1)
 *
 *   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl + Bpl).
 *
 * Everything is scored on the narrowband scale (G.107, not the wideband
 * G.107.1), so wideband codecs cap at the same MOS as G.711; that
 * understates them but keeps one scale for every call.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include <math.h>

#include "dt-call-quality.h"

#define R0 93.2

typedef struct
{
  const char *encoding;
  double      ie;          /* G.113 Appendix I, or as noted */
  double      bpl;
  double      delay_ms;    /* frame plus look-ahead */
} CodecImpairment;

/* G.711 with packet-loss concealment: G.113 Appendix I, Ie 0 and Bpl 25.1.
 * G.722 and Opus have no narrowband entry there; on this scale we give them
 * G.711's values (Ie 0 at the bitrates we send, Bpl 25.1 for their PLC). */
static const CodecImpairment codecs[] = {
  { "PCMU", 0.0, 25.1, 20.0 },
  { "PCMA", 0.0, 25.1, 20.0 },
  { "G722", 0.0, 25.1, 21.5 },
  { "opus", 0.0, 25.1, 26.5 },
};

static const CodecImpairment *
find_codec (const char *encoding)
{
  for (guint i = 0; encoding != NULL && i < G_N_ELEMENTS (codecs); i++)
    if (g_ascii_strcasecmp (codecs[i].encoding, encoding) == 0)
      return &codecs[i];
  return &codecs[0];
}

/**
 * dt_call_quality_r_factor:
 * @encoding: the codec, as in #DtRtpParams
 * @fec: whether the sender adds in-band FEC (Opus)
 * @loss_percent: random packet loss, 0–100
 * @one_way_delay_ms: mouth-to-ear delay
 *
 * Returns: the transmission rating R, 0–93.2
 */
double
dt_call_quality_r_factor (const char *encoding,
                          gboolean    fec,
                          double      loss_percent,
                          double      one_way_delay_ms)
{
  const CodecImpairment *codec = find_codec (encoding);
  double ppl = CLAMP (loss_percent, 0.0, 100.0);
  double d = MAX (one_way_delay_ms, 0.0);
  double id, ie_eff, r;

  /* Opus in-band FEC carries each frame again, at a lower rate, in the next
   * packet: under random loss a frame is gone only if its successor is lost
   * too, so the loss the listener meets is p², not p. */
  if (fec)
    ppl = ppl * ppl / 100.0;

  id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0.0);
  ie_eff = codec->ie + (95.0 - codec->ie) * ppl / (ppl + codec->bpl);
  r = R0 - id - ie_eff;
  return CLAMP (r, 0.0, R0);
}

/**
 * dt_call_quality_mos:
 * @r_factor: an E-model rating
 *
 * Returns: the estimated MOS-CQE for @r_factor, 1–4.5 (G.107 Annex B)
 */
double
dt_call_quality_mos (double r_factor)
{
  double r = r_factor;

  if (r <= 0.0)
    return 1.0;
  if (r >= 100.0)
    return 4.5;
  return 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
}

/**
 * dt_call_quality_estimate:
 * @encoding: the codec
 * @fec: whether the sender adds in-band FEC
 * @loss_percent: packet loss seen, 0–100
 * @rtt_ms: RTCP round-trip time, or below zero when not known yet
 * @jitter_ms: interarrival jitter (RFC 3550 §6.4.1)
 * @jitter_buffer_ms: the receiver's jitter buffer
 *
 * The one-way delay is half the round trip, plus the jitter buffer, the
 * codec's framing and twice the jitter (what the buffer adapts to).
 *
 * Returns: the estimated MOS
 */
double
dt_call_quality_estimate (const char *encoding,
                          gboolean    fec,
                          double      loss_percent,
                          double      rtt_ms,
                          double      jitter_ms,
                          guint       jitter_buffer_ms)
{
  const CodecImpairment *codec = find_codec (encoding);
  double d = MAX (rtt_ms, 0.0) / 2.0 + jitter_buffer_ms + codec->delay_ms
             + 2.0 * MAX (jitter_ms, 0.0);

  return dt_call_quality_mos (dt_call_quality_r_factor (encoding, fec, loss_percent, d));
}
