/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtcp-mux-demux.c
 *
 * rtpbin in GStreamer 1.22 does not take RTCP on its RTP pad (a muxed call
 * had no round-trip time without this), and only srtpdec splits a muxed
 * stream itself. This element does it for
 * plain RTP: one sink pad, an "rtp_src" and an "rtcp_src" pad. RFC 5761 §4:
 * a packet whose second byte (RTP marker and payload type) is 192–223 is
 * RTCP, which is why RTP payload types 64–95 are not used with mux.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include "dt-rtcp-mux-demux.h"

struct _DtRtcpMuxDemux
{
  GstElement  parent_instance;

  GstPad     *sink_pad;
  GstPad     *rtp_pad;
  GstPad     *rtcp_pad;
};

G_DEFINE_FINAL_TYPE (DtRtcpMuxDemux, dt_rtcp_mux_demux, GST_TYPE_ELEMENT)

static GstStaticPadTemplate sink_template =
  GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS,
                           GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtp_template =
  GST_STATIC_PAD_TEMPLATE ("rtp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
                           GST_STATIC_CAPS ("application/x-rtp"));
static GstStaticPadTemplate rtcp_template =
  GST_STATIC_PAD_TEMPLATE ("rtcp_src", GST_PAD_SRC, GST_PAD_ALWAYS,
                           GST_STATIC_CAPS ("application/x-rtcp"));

static gboolean
is_rtcp (GstBuffer *buffer)
{
  guint8 header[2];

  return gst_buffer_extract (buffer, 0, header, 2) == 2 && header[1] >= 192 && header[1] <= 223;
}

static GstFlowReturn
on_chain (GstPad    *pad,
          GstObject *parent,
          GstBuffer *buffer)
{
  DtRtcpMuxDemux *self = DT_RTCP_MUX_DEMUX (parent);
  gboolean rtcp = is_rtcp (buffer);
  GstFlowReturn ret = gst_pad_push (rtcp ? self->rtcp_pad : self->rtp_pad, buffer);

  /* Either half unlinked must not stop the other. */
  return ret == GST_FLOW_NOT_LINKED ? GST_FLOW_OK : ret;
}

static gboolean
push_both (DtRtcpMuxDemux *self,
           GstEvent       *rtp_event,
           GstEvent       *rtcp_event)
{
  gboolean rtp_ok = gst_pad_push_event (self->rtp_pad, rtp_event);
  gboolean rtcp_ok = gst_pad_push_event (self->rtcp_pad, rtcp_event);

  return rtp_ok || rtcp_ok;
}

static gboolean
on_sink_event (GstPad    *pad,
               GstObject *parent,
               GstEvent  *event)
{
  DtRtcpMuxDemux *self = DT_RTCP_MUX_DEMUX (parent);
  gboolean ok;

  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START)
    {
      /* Two streams now, each with its own id. */
      g_autofree char *rtp_id = gst_pad_create_stream_id (self->rtp_pad, GST_ELEMENT (self),
                                                          "rtp");
      g_autofree char *rtcp_id = gst_pad_create_stream_id (self->rtcp_pad, GST_ELEMENT (self),
                                                           "rtcp");

      gst_event_unref (event);
      return push_both (self, gst_event_new_stream_start (rtp_id),
                        gst_event_new_stream_start (rtcp_id));
    }
  if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
    {
      GstCaps *caps;

      gst_event_parse_caps (event, &caps);
      caps = gst_caps_copy (caps);
      ok = push_both (self, gst_event_new_caps (caps),
                      gst_event_new_caps (gst_static_caps_get (&rtcp_template.static_caps)));
      gst_caps_unref (caps);
      gst_event_unref (event);
      return ok;
    }
  return gst_pad_event_default (pad, parent, event);
}

static gboolean
on_sink_query (GstPad    *pad,
               GstObject *parent,
               GstQuery  *query)
{
  /* What each half takes differs, so do not ask downstream: RTP is what
   * arrives, whatever its payload caps. */
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS)
    {
      GstCaps *filter, *caps = gst_pad_get_pad_template_caps (pad);

      gst_query_parse_caps (query, &filter);
      if (filter != NULL)
        {
          GstCaps *both = gst_caps_intersect (filter, caps);

          gst_caps_unref (caps);
          caps = both;
        }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS)
    {
      GstCaps *caps, *template = gst_pad_get_pad_template_caps (pad);

      gst_query_parse_accept_caps (query, &caps);
      gst_query_set_accept_caps_result (query, gst_caps_can_intersect (caps, template));
      gst_caps_unref (template);
      return TRUE;
    }
  return gst_pad_query_default (pad, parent, query);
}

static void
dt_rtcp_mux_demux_class_init (DtRtcpMuxDemuxClass *klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &rtp_template);
  gst_element_class_add_static_pad_template (element_class, &rtcp_template);
  gst_element_class_set_static_metadata (element_class, "RTCP mux demuxer",
                                         "Codec/Demuxer/Network/RTP",
                                         "Splits RTP and RTCP sharing one port (RFC 5761)",
                                         "Dialtone");
}

static void
dt_rtcp_mux_demux_init (DtRtcpMuxDemux *self)
{
  self->sink_pad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sink_pad, on_chain);
  gst_pad_set_event_function (self->sink_pad, on_sink_event);
  gst_pad_set_query_function (self->sink_pad, on_sink_query);
  gst_element_add_pad (GST_ELEMENT (self), self->sink_pad);

  self->rtp_pad = gst_pad_new_from_static_template (&rtp_template, "rtp_src");
  gst_pad_use_fixed_caps (self->rtp_pad);
  gst_element_add_pad (GST_ELEMENT (self), self->rtp_pad);

  self->rtcp_pad = gst_pad_new_from_static_template (&rtcp_template, "rtcp_src");
  gst_pad_use_fixed_caps (self->rtcp_pad);
  gst_element_add_pad (GST_ELEMENT (self), self->rtcp_pad);
}

/**
 * dt_rtcp_mux_demux_new:
 *
 * Returns: (transfer floating): an element splitting muxed RTP and RTCP
 */
GstElement *
dt_rtcp_mux_demux_new (void)
{
  return g_object_new (DT_TYPE_RTCP_MUX_DEMUX, NULL);
}
