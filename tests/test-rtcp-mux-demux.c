/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtcp-mux-demux.c
 *
 * RFC 5761 §4 demultiplexing: RTCP packet types 200–204 (second byte
 * 192–223) go to rtcp_src, everything else to rtp_src, each with its own
 * caps.
 */

#include "config.h"

#include <gst/check/gstharness.h>

#include "dt-rtcp-mux-demux.h"

static GstBuffer *
packet (guint8 second_byte)
{
  guint8 bytes[12] = { 0x80, second_byte, 0, 1, 0, 0, 0, 160, 0x11, 0x22, 0x33, 0x44 };

  return gst_buffer_new_memdup (bytes, sizeof bytes);
}

static guint8
second_byte (GstBuffer *buffer)
{
  guint8 header[2] = { 0, 0 };

  gst_buffer_extract (buffer, 0, header, 2);
  return header[1];
}

static void
test_split (void)
{
  GstElement *demux = gst_object_ref_sink (dt_rtcp_mux_demux_new ());
  GstHarness *rtp = gst_harness_new_with_element (demux, "sink", "rtp_src");
  GstHarness *rtcp = gst_harness_new_with_element (demux, NULL, "rtcp_src");
  /* PCMU, PCMU with the marker, Opus 111, telephone-event 101 with the
   * marker; then SR 200, RR 201, SDES 202, BYE 203, APP 204. */
  static const guint8 rtp_bytes[] = { 0, 0x80, 111, 0x80 | 101 };
  static const guint8 rtcp_bytes[] = { 200, 201, 202, 203, 204 };
  g_autoptr(GstCaps) rtp_caps = NULL;
  g_autoptr(GstCaps) rtcp_caps = NULL;

  gst_harness_set_src_caps_str (rtp, "application/x-rtp");
  for (guint i = 0; i < G_N_ELEMENTS (rtp_bytes); i++)
    {
      g_assert_cmpint (gst_harness_push (rtp, packet (rtp_bytes[i])), ==, GST_FLOW_OK);
      g_assert_cmpint (gst_harness_push (rtp, packet (rtcp_bytes[i])), ==, GST_FLOW_OK);
    }
  g_assert_cmpint (gst_harness_push (rtp, packet (rtcp_bytes[4])), ==, GST_FLOW_OK);

  g_assert_cmpuint (gst_harness_buffers_received (rtp), ==, G_N_ELEMENTS (rtp_bytes));
  g_assert_cmpuint (gst_harness_buffers_received (rtcp), ==, G_N_ELEMENTS (rtcp_bytes));
  for (guint i = 0; i < G_N_ELEMENTS (rtp_bytes); i++)
    {
      g_autoptr(GstBuffer) buffer = gst_harness_pull (rtp);

      g_assert_cmpuint (second_byte (buffer), ==, rtp_bytes[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rtcp_bytes); i++)
    {
      g_autoptr(GstBuffer) buffer = gst_harness_pull (rtcp);

      g_assert_cmpuint (second_byte (buffer), ==, rtcp_bytes[i]);
    }

  rtp_caps = gst_pad_get_current_caps (rtp->sinkpad);
  rtcp_caps = gst_pad_get_current_caps (rtcp->sinkpad);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (rtp_caps, 0),
                                         "application/x-rtp"));
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (rtcp_caps, 0),
                                         "application/x-rtcp"));

  gst_harness_teardown (rtcp);
  gst_harness_teardown (rtp);
  g_assert_finalize_object (demux);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add_func ("/rtcp-mux-demux/split", test_split);

  return g_test_run ();
}
