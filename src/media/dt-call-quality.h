/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-quality.h
 *
 * An estimated MOS from what RTCP tells about a call (ITU-T G.107 E-model).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

double dt_call_quality_r_factor (const char *encoding,
                                 gboolean    fec,
                                 double      loss_percent,
                                 double      one_way_delay_ms);
double dt_call_quality_mos      (double      r_factor);
double dt_call_quality_estimate (const char *encoding,
                                 gboolean    fec,
                                 double      loss_percent,
                                 double      rtt_ms,
                                 double      jitter_ms,
                                 guint       jitter_buffer_ms);

G_END_DECLS
