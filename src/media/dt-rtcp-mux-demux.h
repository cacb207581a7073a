/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtcp-mux-demux.h
 *
 * Splits RTP and RTCP that share one port (RFC 5761).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define DT_TYPE_RTCP_MUX_DEMUX (dt_rtcp_mux_demux_get_type ())
G_DECLARE_FINAL_TYPE (DtRtcpMuxDemux, dt_rtcp_mux_demux, DT, RTCP_MUX_DEMUX, GstElement)

GstElement *dt_rtcp_mux_demux_new (void);

G_END_DECLS
