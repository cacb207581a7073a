/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-stats.h
 *
 * Live call-quality figures of one call, written by the media engine.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define DT_TYPE_CALL_STATS (dt_call_stats_get_type ())
G_DECLARE_FINAL_TYPE (DtCallStats, dt_call_stats, DT, CALL_STATS, GObject)

DtCallStats *dt_call_stats_new                  (void);

const char  *dt_call_stats_get_codec            (DtCallStats *self);
guint64      dt_call_stats_get_packets_sent     (DtCallStats *self);
guint64      dt_call_stats_get_packets_received (DtCallStats *self);
guint64      dt_call_stats_get_packets_lost     (DtCallStats *self);
double       dt_call_stats_get_loss_percent     (DtCallStats *self);
double       dt_call_stats_get_jitter_ms        (DtCallStats *self);
double       dt_call_stats_get_rtt_ms           (DtCallStats *self);
double       dt_call_stats_get_mos              (DtCallStats *self);

void         dt_call_stats_set_codec            (DtCallStats *self,
                                                 const char  *codec);
void         dt_call_stats_update               (DtCallStats *self,
                                                 guint64      packets_sent,
                                                 guint64      packets_received,
                                                 guint64      packets_lost,
                                                 double       jitter_ms,
                                                 double       rtt_ms,
                                                 double       mos);

G_END_DECLS
