/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-reflector.c
 *
 * Echo by reflection: whatever arrives on the RTP or RTCP port goes back
 * to its source. Reflecting RTCP too keeps the caller's round-trip time
 * estimate meaningful (its own sender reports come back), and sending to
 * the source rather than to the SDP address makes echo work through NAT
 * (symmetric RTP, RFC 4961).
 *
 * Each packet goes back with its SSRC changed (a fixed XOR), the rest as
 * it came: an RTP stack that gets its own SSRC from another address takes
 * it for its packets looping back, or for a collision, and drops them
 * (RFC 3550 §8.2). Changing it makes the echo a source of its own.
 *
 * SRTP calls (SDES keys, RFC 4568): the echo decrypts each packet with the
 * caller's key, changes the SSRC, and encrypts it again with its own key,
 * so the caller hears a second, properly keyed source. The crypto is
 * GStreamer's srtpdec and srtpenc, already what Dialtone's media engine
 * uses, driven synchronously: the reflector pushes each packet into them
 * through pads of its own and takes the result from pads of its own, on
 * the main context, with no streaming thread and no extra library.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <gst/gst.h>

#include "dt-rtp-reflector.h"

/* Larger than any RTP packet a softphone sends; longer datagrams are cut
 * by the kernel and reflected as received. */
#define REFLECTOR_BUFFER_SIZE 2048
#define SSRC_XOR 0x45434b4fu   /* "ECKO" */
/* srtpdec keeps a crypto context for every SSRC it is shown, so a stranger
 * sending from made-up SSRCs would make it grow: a caller has one source,
 * and a few more are let through (a restart, a re-INVITE). */
#define SRTP_MAX_SSRCS 8

typedef struct
{
  DtRtpReflector *reflector;
  GSocket        *socket;
  GSource        *source;
  guint16         port;
} ReflectorSocket;

/* srtpdec and srtpenc in a pipeline without threads, between pads of
 * ours: index 0 carries RTP, index 1 RTCP. */
typedef struct
{
  GstElement *pipeline;
  GstElement *srtpdec;
  GstElement *srtpenc;
  GstPad     *to_dec[2];
  GstPad     *from_dec[2];
  GstPad     *to_enc[2];
  GstPad     *from_enc[2];
  GstBuffer  *out;          /* what the last push brought out, or NULL */
  guint32     ssrcs[SRTP_MAX_SSRCS];
  guint       n_ssrcs;
  char       *suite;
  GBytes     *decrypt_key;
  GBytes     *encrypt_key;
} SrtpRelay;

struct _DtRtpReflector
{
  ReflectorSocket rtp;
  ReflectorSocket rtcp;
  gboolean        reflect;
  guint32         ssrc_xor;
  guint64         n_reflected;
  SrtpRelay      *srtp;
  guint64         n_srtp_dropped;

  /* RFC 4733 events seen in what is reflected, for the helper's events */
  int             dtmf_pt;           /* -1: not watched */
  DtRtpReflectorDtmfFunc dtmf_func;
  gpointer        dtmf_data;
  gboolean        dtmf_seen;
  guint32         dtmf_timestamp;    /* of the last event reported */
};

/* --- SRTP ----------------------------------------------------------------- */

static gboolean
suite_has_short_tag (const char *suite)
{
  return g_strcmp0 (suite, "AES_CM_128_HMAC_SHA1_32") == 0;
}

static GstFlowReturn
on_relay_chain (GstPad    *pad,
                GstObject *parent,
                GstBuffer *buffer)
{
  SrtpRelay *relay = gst_pad_get_element_private (pad);

  gst_clear_buffer (&relay->out);
  relay->out = buffer;
  return GST_FLOW_OK;
}

static gboolean
on_relay_event (GstPad    *pad,
                GstObject *parent,
                GstEvent  *event)
{
  gst_event_unref (event);
  return TRUE;
}

static gboolean
on_relay_query (GstPad    *pad,
                GstObject *parent,
                GstQuery  *query)
{
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS)
    {
      GstCaps *filter = NULL;

      gst_query_parse_caps (query, &filter);
      gst_query_set_caps_result (query, filter ? filter : GST_CAPS_ANY);
      return TRUE;
    }
  if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS)
    {
      gst_query_set_accept_caps_result (query, TRUE);
      return TRUE;
    }
  return FALSE;
}

/* RFC 4568 §6.2: the caller's key, for every SSRC it sends from. */
static GstCaps *
on_request_key (GstElement *srtpdec,
                guint       ssrc,
                gpointer    user_data)
{
  SrtpRelay *relay = user_data;
  gsize size;
  gconstpointer data = g_bytes_get_data (relay->decrypt_key, &size);
  g_autoptr(GstBuffer) key = gst_buffer_new_memdup (data, size);

  /* RFC 3711 §5.2: SRTCP keeps the 80-bit tag for the _32 suite. */
  return gst_caps_new_simple ("application/x-srtp",
                              "srtp-key", GST_TYPE_BUFFER, key,
                              "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtp-auth", G_TYPE_STRING,
                              suite_has_short_tag (relay->suite) ? "hmac-sha1-32"
                                                                 : "hmac-sha1-80",
                              "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              NULL);
}

static GstPad *
relay_pad (SrtpRelay    *relay,
           const char   *name,
           GstPadDirection direction)
{
  GstPad *pad = gst_pad_new (name, direction);

  gst_object_ref_sink (pad);
  gst_pad_set_element_private (pad, relay);
  if (direction == GST_PAD_SINK)
    {
      gst_pad_set_chain_function (pad, on_relay_chain);
      gst_pad_set_event_function (pad, on_relay_event);
      gst_pad_set_query_function (pad, on_relay_query);
    }
  return pad;
}

static gboolean
relay_link (GstPad   *src,
            GstPad   *sink,
            GError  **error)
{
  GstPadLinkReturn ret = gst_pad_link (src, sink);

  if (ret != GST_PAD_LINK_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot link %s:%s to %s:%s (%s)",
                   GST_DEBUG_PAD_NAME (src), GST_DEBUG_PAD_NAME (sink),
                   gst_pad_link_get_name (ret));
      return FALSE;
    }
  return TRUE;
}

/* A stream starts with stream-start, caps and segment, in that order. */
static void
relay_start_stream (GstPad     *pad,
                    const char *caps_name)
{
  g_autofree char *id = g_strdup_printf ("dialtone-echo-%p", (void *) pad);
  GstSegment segment;

  gst_pad_set_active (pad, TRUE);
  gst_pad_push_event (pad, gst_event_new_stream_start (id));
  gst_pad_push_event (pad, gst_event_new_caps (gst_caps_new_empty_simple (caps_name)));
  gst_segment_init (&segment, GST_FORMAT_TIME);
  gst_pad_push_event (pad, gst_event_new_segment (&segment));
}

static void
srtp_relay_free (SrtpRelay *relay)
{
  if (relay == NULL)
    return;
  if (relay->pipeline != NULL)
    gst_element_set_state (relay->pipeline, GST_STATE_NULL);
  for (guint i = 0; i < 2; i++)
    {
      if (relay->srtpenc != NULL && relay->to_enc[i] != NULL)
        {
          g_autoptr(GstPad) requested = gst_pad_get_peer (relay->to_enc[i]);

          if (requested != NULL)
            gst_element_release_request_pad (relay->srtpenc, requested);
        }
      gst_clear_object (&relay->to_dec[i]);
      gst_clear_object (&relay->from_dec[i]);
      gst_clear_object (&relay->to_enc[i]);
      gst_clear_object (&relay->from_enc[i]);
    }
  gst_clear_object (&relay->pipeline);
  gst_clear_buffer (&relay->out);
  g_free (relay->suite);
  g_clear_pointer (&relay->decrypt_key, g_bytes_unref);
  g_clear_pointer (&relay->encrypt_key, g_bytes_unref);
  g_free (relay);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrtpRelay, srtp_relay_free)

static SrtpRelay *
srtp_relay_new (const char  *suite,
                GBytes      *decrypt_key,
                GBytes      *encrypt_key,
                GError     **error)
{
  static const char *const kinds[2] = { "rtp", "rtcp" };
  g_autoptr(SrtpRelay) relay = g_new0 (SrtpRelay, 1);
  g_autoptr(GstBuffer) key = NULL;
  gsize size;
  gconstpointer data;

  if (!gst_init_check (NULL, NULL, error))
    return NULL;

  relay->suite = g_strdup (suite);
  relay->decrypt_key = g_bytes_ref (decrypt_key);
  relay->encrypt_key = g_bytes_ref (encrypt_key);
  relay->pipeline = gst_object_ref_sink (gst_pipeline_new ("dialtone-echo-srtp"));
  relay->srtpdec = gst_element_factory_make ("srtpdec", NULL);
  relay->srtpenc = gst_element_factory_make ("srtpenc", NULL);
  if (relay->srtpdec == NULL || relay->srtpenc == NULL)
    {
      g_clear_pointer (&relay->srtpdec, gst_object_unref);
      g_clear_pointer (&relay->srtpenc, gst_object_unref);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "GStreamer's srtpdec or srtpenc is missing "
                           "(gstreamer1.0-plugins-bad)");
      return NULL;
    }
  gst_bin_add_many (GST_BIN (relay->pipeline), relay->srtpdec, relay->srtpenc, NULL);

  data = g_bytes_get_data (encrypt_key, &size);
  key = gst_buffer_new_memdup (data, size);
  g_object_set (relay->srtpenc, "key", key, NULL);
  gst_util_set_object_arg (G_OBJECT (relay->srtpenc), "rtp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (relay->srtpenc), "rtp-auth",
                           suite_has_short_tag (suite) ? "hmac-sha1-32" : "hmac-sha1-80");
  gst_util_set_object_arg (G_OBJECT (relay->srtpenc), "rtcp-cipher", "aes-128-icm");
  gst_util_set_object_arg (G_OBJECT (relay->srtpenc), "rtcp-auth", "hmac-sha1-80");
  g_signal_connect (relay->srtpdec, "request-key", G_CALLBACK (on_request_key), relay);

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *dec_sink = g_strdup_printf ("%s_sink", kinds[i]);
      g_autofree char *dec_src = g_strdup_printf ("%s_src", kinds[i]);
      g_autofree char *enc_sink = g_strdup_printf ("%s_sink_%%u", kinds[i]);
      g_autofree char *enc_src = g_strdup_printf ("%s_src_0", kinds[i]);
      g_autoptr(GstPad) dec_sink_pad = gst_element_get_static_pad (relay->srtpdec, dec_sink);
      g_autoptr(GstPad) dec_src_pad = gst_element_get_static_pad (relay->srtpdec, dec_src);
      g_autoptr(GstPad) enc_sink_pad = gst_element_request_pad_simple (relay->srtpenc, enc_sink);
      g_autoptr(GstPad) enc_src_pad = gst_element_get_static_pad (relay->srtpenc, enc_src);

      if (dec_sink_pad == NULL || dec_src_pad == NULL || enc_sink_pad == NULL
          || enc_src_pad == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "srtpdec or srtpenc lacks %s pads",
                       kinds[i]);
          return NULL;
        }
      relay->to_dec[i] = relay_pad (relay, "to-dec", GST_PAD_SRC);
      relay->from_dec[i] = relay_pad (relay, "from-dec", GST_PAD_SINK);
      relay->to_enc[i] = relay_pad (relay, "to-enc", GST_PAD_SRC);
      relay->from_enc[i] = relay_pad (relay, "from-enc", GST_PAD_SINK);
      if (!relay_link (relay->to_dec[i], dec_sink_pad, error)
          || !relay_link (dec_src_pad, relay->from_dec[i], error)
          || !relay_link (relay->to_enc[i], enc_sink_pad, error)
          || !relay_link (enc_src_pad, relay->from_enc[i], error))
        return NULL;
      gst_pad_set_active (relay->from_dec[i], TRUE);
      gst_pad_set_active (relay->from_enc[i], TRUE);
    }

  if (gst_element_set_state (relay->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "srtpdec and srtpenc do not start");
      return NULL;
    }
  for (guint i = 0; i < 2; i++)
    {
      relay_start_stream (relay->to_dec[i], i == 0 ? "application/x-srtp" : "application/x-srtcp");
      relay_start_stream (relay->to_enc[i], i == 0 ? "application/x-rtp" : "application/x-rtcp");
    }
  return g_steal_pointer (&relay);
}

/* Whether the SSRC at @at (RTP byte 8, RTCP byte 4, both in the clear
 * with SRTP) is one of the few sources let through; a new one is taken
 * while there is room. */
static gboolean
srtp_relay_knows_source (SrtpRelay    *relay,
                         const guint8 *at)
{
  guint32 ssrc = ((guint32) at[0] << 24) | ((guint32) at[1] << 16) | ((guint32) at[2] << 8) | at[3];

  for (guint i = 0; i < relay->n_ssrcs; i++)
    if (relay->ssrcs[i] == ssrc)
      return TRUE;
  if (relay->n_ssrcs == SRTP_MAX_SSRCS)
    return FALSE;
  relay->ssrcs[relay->n_ssrcs++] = ssrc;
  return TRUE;
}

/* Pushes @buffer through @pad and returns what came out at the far end,
 * synchronously, or NULL when the element dropped it (a packet that fails
 * authentication, RFC 3711 §3.3 step 5). */
static GstBuffer *
srtp_relay_push (SrtpRelay *relay,
                 GstPad    *pad,
                 GstBuffer *buffer)
{
  gst_clear_buffer (&relay->out);
  if (gst_pad_push (pad, buffer) != GST_FLOW_OK)
    gst_clear_buffer (&relay->out);
  return g_steal_pointer (&relay->out);
}

static void
restamp_ssrc (guint8  *at,
              guint32  ssrc_xor)
{
  guint32 ssrc = ((guint32) at[0] << 24) | ((guint32) at[1] << 16) | ((guint32) at[2] << 8) | at[3];

  ssrc ^= ssrc_xor;
  at[0] = ssrc >> 24;
  at[1] = (ssrc >> 16) & 0xff;
  at[2] = (ssrc >> 8) & 0xff;
  at[3] = ssrc & 0xff;
}

/* RFC 3550 §5.1 (RTP: SSRC at byte 8) and §6.4 (RTCP: a compound of
 * packets, each with its sender's SSRC at byte 4); RFC 5761 §4 tells
 * them apart on a shared port by the payload type. Anything that is not
 * version 2 is reflected untouched. */
static void
restamp (guint8  *packet,
         gsize    length,
         guint32  ssrc_xor)
{
  if (length < 8 || (packet[0] & 0xc0) != 0x80)
    return;
  if (packet[1] >= 200 && packet[1] <= 206)
    {
      for (gsize offset = 0; offset + 8 <= length; )
        {
          gsize size = (((gsize) packet[offset + 2] << 8 | packet[offset + 3]) + 1) * 4;

          if ((packet[offset] & 0xc0) != 0x80 || offset + size > length)
            return;
          restamp_ssrc (packet + offset + 4, ssrc_xor);
          offset += size;
        }
      return;
    }
  if (length >= 12)
    restamp_ssrc (packet + 8, ssrc_xor);
}

/* RFC 4733 §2.3: one event is a run of packets with the same timestamp
 * (its end retransmitted three times); the first packet of a run names
 * the digit. RFC 3550 §5.1: the payload follows the CSRCs and the header
 * extension. Packets that do not parse are left to be reflected. */
static void
notice_dtmf (DtRtpReflector *self,
             const guint8   *packet,
             gsize           length)
{
  static const char digits[] = "0123456789*#ABCD";
  gsize offset;
  guint32 timestamp;

  if (self->dtmf_func == NULL || length < 12 || (packet[0] & 0xc0) != 0x80
      || (packet[1] & 0x7f) != self->dtmf_pt)
    return;
  offset = 12 + (gsize) (packet[0] & 0x0f) * 4;
  if ((packet[0] & 0x10) != 0)
    {
      if (offset + 4 > length)
        return;
      offset += 4 + ((gsize) packet[offset + 2] << 8 | packet[offset + 3]) * 4;
    }
  if (offset + 4 > length || packet[offset] >= sizeof digits - 1)
    return;
  timestamp = (guint32) packet[4] << 24 | (guint32) packet[5] << 16
              | (guint32) packet[6] << 8 | packet[7];
  if (self->dtmf_seen && timestamp == self->dtmf_timestamp)
    return;
  self->dtmf_seen = TRUE;
  self->dtmf_timestamp = timestamp;
  self->dtmf_func (digits[packet[offset]], self->dtmf_data);
}

/* SRTP in, SRTP out: decrypted with the caller's key, restamped, and
 * encrypted with ours, in place in @packet (at most REFLECTOR_BUFFER_SIZE).
 * RTCP on the RTP port (RFC 5761 §4: payload types 200–206 in the second
 * byte, which SRTP leaves in the clear) goes the SRTCP way.
 *
 * Returns: the new length, or 0 for a packet dropped */
static gssize
resecure (DtRtpReflector *self,
          gboolean        on_rtcp_port,
          guint8         *packet,
          gsize           length)
{
  SrtpRelay *relay = self->srtp;
  g_autoptr(GstBuffer) plain = NULL;
  g_autoptr(GstBuffer) secured = NULL;
  guint kind;
  gsize size;

  if (length < 12 || (packet[0] & 0xc0) != 0x80)
    return 0;
  kind = on_rtcp_port || (packet[1] >= 200 && packet[1] <= 206) ? 1 : 0;
  if (!srtp_relay_knows_source (relay, packet + (kind == 0 ? 8 : 4)))
    {
      self->n_srtp_dropped++;
      return 0;
    }
  plain = srtp_relay_push (relay, relay->to_dec[kind], gst_buffer_new_memdup (packet, length));
  if (plain == NULL)
    {
      self->n_srtp_dropped++;
      return 0;
    }
  size = gst_buffer_get_size (plain);
  if (size == 0 || size > REFLECTOR_BUFFER_SIZE - 64)
    return 0;
  gst_buffer_extract (plain, 0, packet, size);
  if (kind == 0)
    notice_dtmf (self, packet, size);
  restamp (packet, size, self->ssrc_xor);
  secured = srtp_relay_push (relay, relay->to_enc[kind], gst_buffer_new_memdup (packet, size));
  if (secured == NULL)
    return 0;
  size = gst_buffer_get_size (secured);
  if (size > REFLECTOR_BUFFER_SIZE)
    return 0;
  gst_buffer_extract (secured, 0, packet, size);
  return (gssize) size;
}

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  ReflectorSocket *rs = user_data;
  guint8 buffer[REFLECTOR_BUFFER_SIZE];

  /* Drain what is queued, so one wake-up serves a burst. */
  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          /* WOULD_BLOCK ends the burst; ICMP errors (CONNECTION_REFUSED
           * from a caller that went away) are not ours to act on. */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("RTP reflector receive: %s", error->message);
          break;
        }
      if (!rs->reflector->reflect || from == NULL)
        continue;
      if (rs->reflector->srtp != NULL)
        {
          n = resecure (rs->reflector, rs == &rs->reflector->rtcp, buffer, (gsize) n);
          if (n <= 0)
            continue;
        }
      else
        {
          if (rs == &rs->reflector->rtp)
            notice_dtmf (rs->reflector, buffer, (gsize) n);
          restamp (buffer, (gsize) n, rs->reflector->ssrc_xor);
        }
      if (g_socket_send_to (socket, from, (const char *) buffer, n, NULL, &error) == n)
        rs->reflector->n_reflected++;
      else if (error != NULL)
        g_debug ("RTP reflector send: %s", error->message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
reflector_socket_open (DtRtpReflector   *self,
                       ReflectorSocket  *rs,
                       GInetAddress     *address,
                       GError          **error)
{
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  rs->reflector = self;
  rs->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                             G_SOCKET_PROTOCOL_UDP, error);
  if (rs->socket == NULL)
    return FALSE;
  g_socket_set_blocking (rs->socket, FALSE);

  bind_address = g_inet_socket_address_new (address, 0);
  if (!g_socket_bind (rs->socket, bind_address, FALSE, error))
    return FALSE;
  local = g_socket_get_local_address (rs->socket, error);
  if (local == NULL)
    return FALSE;
  rs->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  rs->source = g_socket_create_source (rs->socket, G_IO_IN, NULL);
  g_source_set_callback (rs->source, G_SOURCE_FUNC (on_readable), rs, NULL);
  g_source_attach (rs->source, g_main_context_get_thread_default ());
  return TRUE;
}

static void
reflector_socket_close (ReflectorSocket *rs)
{
  if (rs->source != NULL)
    g_source_destroy (rs->source);
  g_clear_pointer (&rs->source, g_source_unref);
  if (rs->socket != NULL)
    g_socket_close (rs->socket, NULL);
  g_clear_object (&rs->socket);
}

/**
 * dt_rtp_reflector_new:
 * @address: the local address to bind, normally the helper's listen address
 * @reflect: %TRUE to send packets back, %FALSE to read and drop them (a
 *   media sink for load tests)
 * @error: return location for a #GError
 *
 * Binds an RTP and an RTCP socket on free ports of @address. The RTCP port
 * is generally not RTP + 1, so the SDP must name it with `a=rtcp`
 * (RFC 3605).
 *
 * Returns: (transfer full) (nullable): the reflector, or %NULL with @error set
 */
DtRtpReflector *
dt_rtp_reflector_new (GInetAddress  *address,
                      gboolean       reflect,
                      GError       **error)
{
  g_autoptr(DtRtpReflector) self = NULL;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  self = g_new0 (DtRtpReflector, 1);
  self->reflect = reflect;
  self->ssrc_xor = SSRC_XOR;
  self->dtmf_pt = -1;
  if (!reflector_socket_open (self, &self->rtp, address, error)
      || !reflector_socket_open (self, &self->rtcp, address, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * dt_rtp_reflector_free:
 *
 * Closes both sockets.
 */
void
dt_rtp_reflector_free (DtRtpReflector *self)
{
  if (self == NULL)
    return;
  reflector_socket_close (&self->rtp);
  reflector_socket_close (&self->rtcp);
  g_clear_pointer (&self->srtp, srtp_relay_free);
  g_free (self);
}

guint16
dt_rtp_reflector_get_rtp_port (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rtp.port;
}

guint16
dt_rtp_reflector_get_rtcp_port (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rtcp.port;
}

/**
 * dt_rtp_reflector_get_n_reflected:
 *
 * Returns: how many datagrams went back, RTP and RTCP together
 */
guint64
dt_rtp_reflector_get_n_reflected (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_reflected;
}

/**
 * dt_rtp_reflector_set_srtp:
 * @suite: (nullable): the SDES crypto suite (`AES_CM_128_HMAC_SHA1_80` or
 *   `AES_CM_128_HMAC_SHA1_32`), or %NULL for plain RTP
 * @decrypt_key: (nullable): the caller's master key and salt (RFC 4568 §6.1)
 * @encrypt_key: (nullable): ours, as the SDP answer gave it
 * @error: return location for a #GError
 *
 * Reflects SRTP from now on: what comes in is decrypted with @decrypt_key,
 * and what goes back is encrypted with @encrypt_key. New keys (a re-INVITE
 * that rekeys) start fresh crypto contexts; the same keys again change
 * nothing.
 *
 * Returns: %TRUE, or %FALSE with @error set when GStreamer's SRTP elements
 *   cannot be used; the reflector then drops SRTP packets
 */
gboolean
dt_rtp_reflector_set_srtp (DtRtpReflector  *self,
                           const char      *suite,
                           GBytes          *decrypt_key,
                           GBytes          *encrypt_key,
                           GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (suite == NULL || (decrypt_key != NULL && encrypt_key != NULL), FALSE);

  if (suite == NULL)
    {
      g_clear_pointer (&self->srtp, srtp_relay_free);
      return TRUE;
    }
  if (self->srtp != NULL && g_str_equal (self->srtp->suite, suite)
      && g_bytes_equal (self->srtp->decrypt_key, decrypt_key)
      && g_bytes_equal (self->srtp->encrypt_key, encrypt_key))
    return TRUE;
  g_clear_pointer (&self->srtp, srtp_relay_free);
  self->srtp = srtp_relay_new (suite, decrypt_key, encrypt_key, error);
  return self->srtp != NULL;
}

/**
 * dt_rtp_reflector_get_n_srtp_dropped:
 *
 * Returns: how many SRTP or SRTCP packets failed to decrypt (wrong key,
 *   failed authentication, a replay) and were dropped
 */
guint64
dt_rtp_reflector_get_n_srtp_dropped (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_srtp_dropped;
}

/**
 * dt_rtp_reflector_set_ssrc_xor:
 * @ssrc_xor: what each SSRC is XORed with on the way back; not 0
 *
 * Two reflectors in one call (early media, then the answer's) give the
 * caller two sources this way, as a gateway's announcement and the callee
 * would be: one SSRC seen from a second address is a collision to an RTP
 * stack (RFC 3550 §8.2).
 */
void
dt_rtp_reflector_set_ssrc_xor (DtRtpReflector *self,
                               guint32         ssrc_xor)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (ssrc_xor != 0);

  self->ssrc_xor = ssrc_xor;
}

/**
 * dt_rtp_reflector_watch_dtmf:
 * @payload_type: the telephone-event payload type the SDP agreed, or -1
 *   to stop watching
 * @func: (nullable): called once per RFC 4733 event in what is reflected
 * @user_data: for @func
 *
 * Reports the DTMF digits the caller sends (which are reflected all the
 * same), so that the helper's events say what the far end received.
 */
void
dt_rtp_reflector_watch_dtmf (DtRtpReflector         *self,
                             int                     payload_type,
                             DtRtpReflectorDtmfFunc  func,
                             gpointer                user_data)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (payload_type >= -1 && payload_type <= 127);

  if (payload_type != self->dtmf_pt)
    self->dtmf_seen = FALSE;
  self->dtmf_pt = func != NULL ? payload_type : -1;
  self->dtmf_func = payload_type >= 0 ? func : NULL;
  self->dtmf_data = user_data;
}
