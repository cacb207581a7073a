/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-session.c
 *
 * The pipeline of one RTP call leg:
 *
 *   capture: source → audioconvert → audioresample → [webrtcdsp] → level →
 *            volume (mute) → valve (hold) → codec rate → encoder → payloader →
 *            rtpdtmfmux (← rtpdtmfsrc) → rtpbin → [srtpenc] → udpsink
 *   receive: udpsrc → [srtpdec] → rtpbin → depayloader → decoder → audiomixer
 *   playback: audiomixer (← silence) → [webrtcechoprobe] → level →
 *            volume (receive off) → sink
 *
 * The mixer always has a live silent input, so the sink hears silence rather
 * than nothing while the far end is on hold, and a new SSRC after a
 * re-INVITE simply mixes in.
 *
 * udpsrc and udpsink share the caller's sockets: RTP leaves from the port it
 * arrives on (symmetric RTP). GStreamer's threads never call out: bus
 * messages and timers run in the main context the session was made in.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include <gst/rtp/rtp.h>
#include <stdio.h>
#include <string.h>

#include "dt-audio-devices.h"
#include "dt-call-quality.h"
#include "dt-rtcp-mux-demux.h"
#include "dt-rtp-session.h"
#include "dt-rtp-session-private.h"

/* Every chain works at this format between the device and the codec:
 * webrtcdsp takes S16LE interleaved at 8/16/32/48 kHz. */
#define CHAIN_RATE 48000
#define CHAIN_CAPS "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=1"

#define DEFAULT_MEDIA_TIMEOUT 30
#define DEFAULT_RTCP_INTERVAL 5000      /* RFC 3550 §6.2: 5 s minimum */
#define DEFAULT_JITTER_BUFFER 60
#define TICK_MS 250
#define DTMF_GAP_MS 60                  /* between digits, so each has its own event */
#define DTMF_MIN_DURATION_MS 40
#define DTMF_MAX_DURATION_MS 8000
#define DTMF_VOLUME 10                  /* RFC 4733 §2.3.4: −10 dBm0 */
#define OPUS_DEFAULT_BITRATE 32000
#define OPUS_CONGESTION_LOSS 15

enum {
  PROP_0,
  PROP_RTP_SOCKET,
  PROP_RTCP_SOCKET,
  PROP_AUDIO_CONFIG,
  PROP_STATS,
  PROP_MEDIA_TIMEOUT,
  PROP_RTCP_INTERVAL,
  PROP_JITTER_BUFFER,
  PROP_SENDING,
  PROP_RECEIVING,
  PROP_MUTED,
  PROP_INPUT_LEVEL,
  PROP_OUTPUT_LEVEL,
  PROP_SOURCE_DEVICE,
  PROP_SINK_DEVICE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_DTMF_RECEIVED,
  SIGNAL_MEDIA_TIMEOUT,
  SIGNAL_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  const char *encoding;         /* as SDP names it */
  const char *caps_name;        /* as GStreamer's RTP caps name it */
  guint       audio_rate;       /* what the codec samples at */
  const char *encoder;
  const char *payloader;
  const char *depayloader;
  const char *decoder;
} CodecInfo;

static const CodecInfo codecs[] = {
  { "opus", "OPUS", 48000, "opusenc", "rtpopuspay", "rtpopusdepay", "opusdec" },
  /* RFC 3551 §4.5.2: 16 kHz audio on an 8000 Hz RTP clock. */
  { "G722", "G722", 16000, "avenc_g722", "rtpg722pay", "rtpg722depay", "avdec_g722" },
  { "PCMU", "PCMU", 8000, "mulawenc", "rtppcmupay", "rtppcmudepay", "mulawdec" },
  { "PCMA", "PCMA", 8000, "alawenc", "rtppcmapay", "rtppcmadepay", "alawdec" },
};

typedef struct
{
  int   event;
  guint duration_ms;
} DtmfDigit;

struct _DtRtpSession
{
  GObject             parent_instance;

  GMainContext       *context;
  GSocket            *rtp_socket;
  GSocket            *rtcp_socket;
  DtAudioConfig      *audio;
  DtCallStats        *stats;
  guint               media_timeout;
  guint               rtcp_interval;
  guint               jitter_buffer;
  gboolean            sending;
  gboolean            receiving;
  gboolean            muted;
  double              input_level;
  double              output_level;

  /* Fixed while the pipeline runs; the streaming threads read them. */
  DtRtpParams        *params;
  const CodecInfo    *codec;
  GInetSocketAddress *remote_rtp;
  GInetSocketAddress *remote_rtcp;
  char               *echo_probe_name;

  GstElement         *pipeline;
  GstElement         *rtpbin;
  GstElement         *encoder;
  GstElement         *in_level;
  GstElement         *mute;
  GstElement         *send_valve;
  GstElement         *dtmf_src;
  GstElement         *mixer;
  GstElement         *out_level;
  GstElement         *out_volume;
  GstElement         *sink;
  GstElement         *source;
  GstElement         *source_peer;      /* what the capture end feeds */
  GstElement         *sink_peer;        /* what feeds the playback end */
  char               *source_device;    /* the named devices open, or NULL */
  char               *sink_device;
  DtAudioDevices     *devices;          /* watched while a named device is open */
  GMutex              sink_lock;        /* sink, next_sink: swapped on a streaming thread */
  GstElement         *next_sink;        /* waits for the playback chain to block */
  gulong              sink_probe;
  GstElement         *rtp_udpsink;
  GstElement         *rtcp_udpsink;
  GSource            *bus_watch;
  GSource            *tick;

  gint                rtp_packets_in;   /* atomic: counted on the streaming thread */
  gint                seen_packets_in;
  gint64              last_rtp_time;
  gboolean            timed_out;
  int                 opus_loss_percent;

  GQueue              dtmf_queue;
  GSource            *dtmf_timer;
  gboolean            dtmf_active;
};

G_DEFINE_FINAL_TYPE (DtRtpSession, dt_rtp_session, G_TYPE_OBJECT)

static gboolean on_dtmf_timer (gpointer user_data);

/* --- helpers ----------------------------------------------------------- */

static const CodecInfo *
find_codec (const char *encoding)
{
  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_ascii_strcasecmp (codecs[i].encoding, encoding) == 0)
      return &codecs[i];
  return NULL;
}

static GstElement *
make_named (GstBin      *bin,
            const char  *factory,
            const char  *name,
            GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The GStreamer element “%s” is missing; install gstreamer1.0-plugins-base, "
                   "-good, -bad and gstreamer1.0-libav", factory);
      return NULL;
    }
  gst_bin_add (bin, element);
  return element;
}

static GstElement *
make (GstBin      *bin,
      const char  *factory,
      GError     **error)
{
  return make_named (bin, factory, NULL, error);
}

static GstElement *
make_capsfilter (GstBin     *bin,
                 const char *caps_string)
{
  GstElement *filter = gst_element_factory_make ("capsfilter", NULL);
  g_autoptr(GstCaps) caps = gst_caps_from_string (caps_string);

  g_object_set (filter, "caps", caps, NULL);
  gst_bin_add (bin, filter);
  return filter;
}

static gboolean
link_pads (GstElement  *src,
           const char  *src_pad_name,
           GstElement  *sink,
           const char  *sink_pad_name,
           GError     **error)
{
  g_autoptr(GstPad) src_pad = NULL;
  g_autoptr(GstPad) sink_pad = NULL;

  src_pad = gst_element_get_static_pad (src, src_pad_name);
  if (src_pad == NULL)
    src_pad = gst_element_request_pad_simple (src, src_pad_name);
  sink_pad = gst_element_get_static_pad (sink, sink_pad_name);
  if (sink_pad == NULL)
    sink_pad = gst_element_request_pad_simple (sink, sink_pad_name);
  if (src_pad == NULL || sink_pad == NULL
      || gst_pad_link (src_pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot link %s:%s to %s:%s", GST_ELEMENT_NAME (src), src_pad_name,
                   GST_ELEMENT_NAME (sink), sink_pad_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
link_chain (GError     **error,
            GstElement  *first,
            ...)
{
  va_list args;
  GstElement *prev = first;
  GstElement *next;
  gboolean ok = TRUE;

  va_start (args, first);
  while (ok && (next = va_arg (args, GstElement *)) != NULL)
    {
      if (!gst_element_link (prev, next))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot link %s to %s",
                       GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (next));
          ok = FALSE;
        }
      prev = next;
    }
  va_end (args);
  return ok;
}

static int
fmtp_int (const char *fmtp,
          const char *name,
          int         fallback)
{
  g_auto(GStrv) pairs = NULL;

  if (fmtp == NULL)
    return fallback;
  /* RFC 7587 §6.1: "name=value" pairs separated by semicolons. */
  pairs = g_strsplit (fmtp, ";", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *pair = g_strstrip (g_strdup (pairs[i]));
      const char *eq = strchr (pair, '=');

      if (eq != NULL && (gsize) (eq - pair) == strlen (name)
          && g_ascii_strncasecmp (pair, name, eq - pair) == 0)
        return (int) g_ascii_strtoll (eq + 1, NULL, 10);
    }
  return fallback;
}

static int
dtmf_event_for_digit (char digit)
{
  /* RFC 4733 §3.2: 0–9, then * and #, then A–D. */
  if (digit >= '0' && digit <= '9')
    return digit - '0';
  if (digit == '*')
    return 10;
  if (digit == '#')
    return 11;
  if (digit >= 'A' && digit <= 'D')
    return 12 + digit - 'A';
  if (digit >= 'a' && digit <= 'd')
    return 12 + digit - 'a';
  return -1;
}

static char
dtmf_digit_for_event (int event)
{
  static const char digits[] = "0123456789*#ABCD";

  return event >= 0 && event < 16 ? digits[event] : '\0';
}

static void
set_udpsink_destination (GstElement         *udpsink,
                         GInetSocketAddress *address)
{
  g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (address));

  g_object_set (udpsink, "host", host, "port", (int) g_inet_socket_address_get_port (address),
                NULL);
}

static GstElement *
make_udpsink (DtRtpSession       *self,
              GSocket            *socket,
              GInetSocketAddress *address,
              GError            **error)
{
  GstElement *udpsink = make (GST_BIN (self->pipeline), "udpsink", error);

  if (udpsink == NULL)
    return NULL;
  g_object_set (udpsink,
                g_socket_get_family (socket) == G_SOCKET_FAMILY_IPV6 ? "socket-v6" : "socket",
                socket,
                "close-socket", FALSE,
                "auto-multicast", FALSE,
                "sync", FALSE,
                "async", FALSE,
                NULL);
  set_udpsink_destination (udpsink, address);
  return udpsink;
}

static GstElement *
make_udpsrc (DtRtpSession *self,
             GSocket      *socket,
             const char   *caps_string,
             GError      **error)
{
  GstElement *udpsrc = make (GST_BIN (self->pipeline), "udpsrc", error);
  g_autoptr(GstCaps) caps = NULL;

  if (udpsrc == NULL)
    return NULL;
  caps = gst_caps_from_string (caps_string);
  g_object_set (udpsrc, "socket", socket, "close-socket", FALSE, "caps", caps, NULL);
  return udpsrc;
}

static void
apply_srtp_suite (GObject    *srtpenc,
                  const char *suite)
{
  gboolean short_tag = g_strcmp0 (suite, "AES_CM_128_HMAC_SHA1_32") == 0;

  gst_util_set_object_arg (srtpenc, "rtp-cipher", "aes-128-icm");
  gst_util_set_object_arg (srtpenc, "rtp-auth", short_tag ? "hmac-sha1-32" : "hmac-sha1-80");
  /* RFC 4568 §6.2.2 and RFC 3711 §5.2: SRTCP keeps the 80-bit tag even for
   * the _32 suite. */
  gst_util_set_object_arg (srtpenc, "rtcp-cipher", "aes-128-icm");
  gst_util_set_object_arg (srtpenc, "rtcp-auth", "hmac-sha1-80");
}

static GstBuffer *
key_buffer (GBytes *key)
{
  gsize size;
  gconstpointer data = g_bytes_get_data (key, &size);

  return gst_buffer_new_memdup (data, size);
}

/* srtpdec, streaming thread: the keys are fixed while the pipeline runs. */
static GstCaps *
on_request_key (GstElement *srtpdec,
                guint       ssrc,
                gpointer    user_data)
{
  DtRtpSession *self = user_data;
  gboolean short_tag = g_strcmp0 (self->params->srtp_suite, "AES_CM_128_HMAC_SHA1_32") == 0;
  g_autoptr(GstBuffer) key = key_buffer (self->params->remote_key);

  return gst_caps_new_simple ("application/x-srtp",
                              "srtp-key", GST_TYPE_BUFFER, key,
                              "srtp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtp-auth", G_TYPE_STRING,
                              short_tag ? "hmac-sha1-32" : "hmac-sha1-80",
                              "srtcp-cipher", G_TYPE_STRING, "aes-128-icm",
                              "srtcp-auth", G_TYPE_STRING, "hmac-sha1-80",
                              NULL);
}

/* rtpbin, streaming thread. */
static GstCaps *
on_request_pt_map (GstElement *rtpbin,
                   guint       session,
                   guint       pt,
                   gpointer    user_data)
{
  DtRtpSession *self = user_data;

  if ((int) pt == self->params->pt)
    return gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "audio",
                                "clock-rate", G_TYPE_INT, (int) self->params->clock_rate,
                                "encoding-name", G_TYPE_STRING, self->codec->caps_name,
                                "payload", G_TYPE_INT, (int) pt,
                                NULL);
  if ((int) pt == self->params->telephone_event_pt)
    return gst_caps_new_simple ("application/x-rtp",
                                "media", G_TYPE_STRING, "audio",
                                "clock-rate", G_TYPE_INT,
                                (int) self->params->telephone_event_clock_rate,
                                "encoding-name", G_TYPE_STRING, "TELEPHONE-EVENT",
                                "payload", G_TYPE_INT, (int) pt,
                                NULL);
  return NULL;
}

static gboolean
add_receive_chain (DtRtpSession *self,
                   GstPad       *pad,
                   guint         pt,
                   GError      **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  g_autoptr(GstPad) sink_pad = NULL;
  GstElement *first;

  if ((int) pt == self->params->pt)
    {
      GstElement *depay, *decoder, *convert, *resample, *filter;

      if ((depay = make (bin, self->codec->depayloader, error)) == NULL
          || (decoder = make (bin, self->codec->decoder, error)) == NULL
          || (convert = make (bin, "audioconvert", error)) == NULL
          || (resample = make (bin, "audioresample", error)) == NULL)
        return FALSE;
      filter = make_capsfilter (bin, CHAIN_CAPS);
      if (g_str_equal (self->codec->decoder, "opusdec"))
        g_object_set (decoder, "use-inband-fec", TRUE, "plc", TRUE, NULL);
      if (!link_chain (error, depay, decoder, convert, resample, filter, NULL)
          || !link_pads (filter, "src", self->mixer, "sink_%u", error))
        return FALSE;
      g_ptr_array_add (added, filter);
      g_ptr_array_add (added, resample);
      g_ptr_array_add (added, convert);
      g_ptr_array_add (added, decoder);
      g_ptr_array_add (added, depay);
      first = depay;
    }
  else if ((int) pt == self->params->telephone_event_pt)
    {
      GstElement *depay, *fakesink;

      /* Its tones are not played; its "dtmf-event" bus messages are what we
       * want: it reports each event once, deduplicated by timestamp. */
      if ((depay = make (bin, "rtpdtmfdepay", error)) == NULL
          || (fakesink = make (bin, "fakesink", error)) == NULL)
        return FALSE;
      g_object_set (fakesink, "sync", FALSE, "async", FALSE, NULL);
      if (!link_chain (error, depay, fakesink, NULL))
        return FALSE;
      g_ptr_array_add (added, fakesink);
      g_ptr_array_add (added, depay);
      first = depay;
    }
  else
    {
      GstElement *fakesink = make (bin, "fakesink", error);

      if (fakesink == NULL)
        return FALSE;
      g_object_set (fakesink, "sync", FALSE, "async", FALSE, NULL);
      g_ptr_array_add (added, fakesink);
      first = fakesink;
    }

  sink_pad = gst_element_get_static_pad (first, "sink");
  if (gst_pad_link (pad, sink_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot link the stream of PT %u", pt);
      return FALSE;
    }
  for (guint i = 0; i < added->len; i++)
    gst_element_sync_state_with_parent (g_ptr_array_index (added, i));
  return TRUE;
}

/* rtpbin, streaming thread: a new SSRC or payload type arrived. */
static void
on_rtpbin_pad_added (GstElement *rtpbin,
                     GstPad     *pad,
                     gpointer    user_data)
{
  DtRtpSession *self = user_data;
  g_autofree char *name = gst_pad_get_name (pad);
  g_autoptr(GError) error = NULL;
  guint session, ssrc, pt;

  if (sscanf (name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
    return;
  if (!add_receive_chain (self, pad, pt, &error))
    GST_ELEMENT_ERROR (rtpbin, CORE, NEGOTIATION, ("%s", error->message), (NULL));
}

/* udpsrc, streaming thread: counts RTP (not RTCP, RFC 5761 §4) for the
 * media timeout. */
static GstPadProbeReturn
on_rtp_arrived (GstPad          *pad,
                GstPadProbeInfo *info,
                gpointer         user_data)
{
  DtRtpSession *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  guint8 header[2];

  if (buffer != NULL && gst_buffer_extract (buffer, 0, header, 2) == 2
      && (header[1] < 192 || header[1] > 223))
    g_atomic_int_inc (&self->rtp_packets_in);
  return GST_PAD_PROBE_OK;
}

static gboolean
build_capture (DtRtpSession  *self,
               GError       **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *source, *convert, *resample, *filter, *dsp = NULL;
  GstElement *convert2, *resample2, *codec_filter, *payloader, *dtmf_mux;
  g_autofree char *codec_caps = NULL;

  g_clear_pointer (&self->source_device, g_free);
  source = dt_audio_config_create_source_full (self->audio, TRUE, &self->source_device, error);
  if (source == NULL)
    return FALSE;
  gst_bin_add (bin, source);
  self->source = source;

  if ((convert = make (bin, "audioconvert", error)) == NULL
      || (resample = make (bin, "audioresample", error)) == NULL
      || (self->in_level = make (bin, "level", error)) == NULL
      || (self->mute = make (bin, "volume", error)) == NULL
      || (self->send_valve = make (bin, "valve", error)) == NULL
      || (convert2 = make (bin, "audioconvert", error)) == NULL
      || (resample2 = make (bin, "audioresample", error)) == NULL
      || (self->encoder = make (bin, self->codec->encoder, error)) == NULL
      || (payloader = make (bin, self->codec->payloader, error)) == NULL
      || (dtmf_mux = make (bin, "rtpdtmfmux", error)) == NULL)
    return FALSE;
  filter = make_capsfilter (bin, CHAIN_CAPS);
  codec_caps = g_strdup_printf ("audio/x-raw,rate=%u,channels=1", self->codec->audio_rate);
  codec_filter = make_capsfilter (bin, codec_caps);

  if (dt_audio_config_get_dsp_enabled (self->audio))
    {
      if ((dsp = make (bin, "webrtcdsp", error)) == NULL)
        return FALSE;
      /* webrtcdsp finds its probe by name across the whole process, so each
       * session needs its own name. */
      g_object_set (dsp,
                    "probe", self->echo_probe_name,
                    "echo-cancel", dt_audio_config_get_echo_cancel (self->audio),
                    "noise-suppression", dt_audio_config_get_noise_suppression (self->audio),
                    "gain-control", dt_audio_config_get_gain_control (self->audio),
                    NULL);
    }

  g_object_set (self->in_level, "post-messages", TRUE, "interval", 100 * GST_MSECOND, NULL);
  g_object_set (self->mute, "mute", self->muted, NULL);
  g_object_set (self->send_valve, "drop", !self->sending, NULL);
  g_object_set (payloader, "pt", (guint) self->params->pt, NULL);

  if (g_str_equal (self->codec->encoder, "opusenc"))
    {
      /* RFC 7587 §6.1: maxaveragebitrate is what the receiver can take. */
      int bitrate = fmtp_int (self->params->fmtp, "maxaveragebitrate", OPUS_DEFAULT_BITRATE);

      self->opus_loss_percent = 5;
      g_object_set (self->encoder,
                    "bitrate", CLAMP (bitrate, 6000, 510000),
                    "inband-fec", TRUE,
                    "dtx", TRUE,
                    "packet-loss-percentage", self->opus_loss_percent,
                    "frame-size", 20,
                    NULL);
      gst_util_set_object_arg (G_OBJECT (self->encoder), "audio-type", "voice");
    }
  else
    {
      /* RFC 3551 §4.5: 20 ms frames. */
      g_object_set (payloader, "min-ptime", (gint64) 20 * GST_MSECOND,
                    "max-ptime", (gint64) 20 * GST_MSECOND, NULL);
    }

  self->source_peer = convert;
  if (!link_chain (error, source, convert, resample, filter, NULL))
    return FALSE;
  if (dsp != NULL ? !link_chain (error, filter, dsp, self->in_level, NULL)
                  : !link_chain (error, filter, self->in_level, NULL))
    return FALSE;
  if (!link_chain (error, self->in_level, self->mute, self->send_valve, convert2, resample2,
                   codec_filter, self->encoder, payloader, NULL)
      || !link_pads (payloader, "src", dtmf_mux, "sink_%u", error))
    return FALSE;

  if (self->params->telephone_event_pt >= 0)
    {
      if ((self->dtmf_src = make (bin, "rtpdtmfsrc", error)) == NULL)
        return FALSE;
      /* RFC 4733 §2.5.1.4: the end packet goes out three times. */
      g_object_set (self->dtmf_src,
                    "pt", (guint) self->params->telephone_event_pt,
                    "clock-rate", self->params->telephone_event_clock_rate,
                    "packet-redundancy", 3,
                    NULL);
      if (!link_pads (self->dtmf_src, "src", dtmf_mux, "priority_sink_%u", error))
        return FALSE;
    }

  return link_pads (dtmf_mux, "src", self->rtpbin, "send_rtp_sink_0", error);
}

static gboolean
build_playback (DtRtpSession  *self,
                GError       **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  GstElement *silence, *silence_filter, *mix_filter, *probe = NULL, *convert, *resample;

  if ((silence = make (bin, "audiotestsrc", error)) == NULL
      || (self->mixer = make (bin, "audiomixer", error)) == NULL
      || (self->out_level = make (bin, "level", error)) == NULL
      || (self->out_volume = make (bin, "volume", error)) == NULL
      || (convert = make (bin, "audioconvert", error)) == NULL
      || (resample = make (bin, "audioresample", error)) == NULL)
    return FALSE;
  g_clear_pointer (&self->sink_device, g_free);
  self->sink = dt_audio_config_create_sink_full (self->audio, TRUE, &self->sink_device, error);
  if (self->sink == NULL)
    return FALSE;
  self->sink_peer = resample;
  gst_bin_add (bin, self->sink);
  silence_filter = make_capsfilter (bin, CHAIN_CAPS);
  mix_filter = make_capsfilter (bin, CHAIN_CAPS);

  /* 10 ms buffers keep the mixer's own latency small. */
  g_object_set (silence, "is-live", TRUE, "wave", 4 /* silence */,
                "samplesperbuffer", CHAIN_RATE / 100, NULL);
  /* Decoded audio reaches the mixer a jitter buffer late; without this
   * headroom a live mixer drops it as too late. */
  g_object_set (self->mixer, "latency", (guint64) (self->jitter_buffer + 100) * GST_MSECOND,
                NULL);
  g_object_set (self->out_level, "post-messages", TRUE, "interval", 100 * GST_MSECOND, NULL);
  g_object_set (self->out_volume, "mute", !self->receiving, NULL);

  if (!link_chain (error, silence, silence_filter, self->mixer, mix_filter, NULL))
    return FALSE;
  if (dt_audio_config_get_dsp_enabled (self->audio))
    {
      if ((probe = make_named (bin, "webrtcechoprobe", self->echo_probe_name, error)) == NULL)
        return FALSE;
      if (!link_chain (error, mix_filter, probe, self->out_level, NULL))
        return FALSE;
    }
  else if (!link_chain (error, mix_filter, self->out_level, NULL))
    return FALSE;
  return link_chain (error, self->out_level, self->out_volume, convert, resample, self->sink,
                     NULL);
}

static gboolean
build_transport (DtRtpSession  *self,
                 GError       **error)
{
  GstBin *bin = GST_BIN (self->pipeline);
  gboolean srtp = self->params->srtp_suite != NULL;
  gboolean mux = self->params->rtcp_mux;
  GSocket *rtcp_socket = mux ? self->rtp_socket : self->rtcp_socket;
  GInetSocketAddress *rtcp_remote = mux ? self->remote_rtp : self->remote_rtcp;
  GstElement *rtp_udpsrc, *rtcp_udpsrc = NULL, *srtpenc = NULL, *srtpdec = NULL, *demux;
  g_autoptr(GstPad) udpsrc_pad = NULL;

  if ((self->rtp_udpsink = make_udpsink (self, self->rtp_socket, self->remote_rtp, error))
      == NULL
      || (self->rtcp_udpsink = make_udpsink (self, rtcp_socket, rtcp_remote, error)) == NULL)
    return FALSE;
  rtp_udpsrc = make_udpsrc (self, self->rtp_socket,
                            srtp ? "application/x-srtp" : "application/x-rtp", error);
  if (rtp_udpsrc == NULL)
    return FALSE;
  if (!mux)
    {
      rtcp_udpsrc = make_udpsrc (self, self->rtcp_socket,
                                 srtp ? "application/x-srtcp" : "application/x-rtcp", error);
      if (rtcp_udpsrc == NULL)
        return FALSE;
    }
  udpsrc_pad = gst_element_get_static_pad (rtp_udpsrc, "src");
  gst_pad_add_probe (udpsrc_pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtp_arrived, self, NULL);

  if (srtp)
    {
      g_autoptr(GstBuffer) key = key_buffer (self->params->local_key);

      if ((srtpenc = make (bin, "srtpenc", error)) == NULL
          || (srtpdec = make (bin, "srtpdec", error)) == NULL)
        return FALSE;
      g_object_set (srtpenc, "key", key, NULL);
      apply_srtp_suite (G_OBJECT (srtpenc), self->params->srtp_suite);
      g_signal_connect (srtpdec, "request-key", G_CALLBACK (on_request_key), self);

      if (!link_pads (self->rtpbin, "send_rtp_src_0", srtpenc, "rtp_sink_0", error)
          || !link_pads (srtpenc, "rtp_src_0", self->rtp_udpsink, "sink", error)
          || !link_pads (self->rtpbin, "send_rtcp_src_0", srtpenc, "rtcp_sink_0", error)
          || !link_pads (srtpenc, "rtcp_src_0", self->rtcp_udpsink, "sink", error)
          || !link_pads (rtp_udpsrc, "src", srtpdec, "rtp_sink", error)
          || !link_pads (srtpdec, "rtp_src", self->rtpbin, "recv_rtp_sink_0", error)
          || !link_pads (srtpdec, "rtcp_src", self->rtpbin, "recv_rtcp_sink_0", error))
        return FALSE;
      if (rtcp_udpsrc != NULL && !link_pads (rtcp_udpsrc, "src", srtpdec, "rtcp_sink", error))
        return FALSE;
      return TRUE;
    }

  if (!link_pads (self->rtpbin, "send_rtp_src_0", self->rtp_udpsink, "sink", error)
      || !link_pads (self->rtpbin, "send_rtcp_src_0", self->rtcp_udpsink, "sink", error))
    return FALSE;
  if (rtcp_udpsrc != NULL)
    return link_pads (rtp_udpsrc, "src", self->rtpbin, "recv_rtp_sink_0", error)
           && link_pads (rtcp_udpsrc, "src", self->rtpbin, "recv_rtcp_sink_0", error);

  /* RFC 5761: srtpdec splits a muxed stream itself; plain RTP needs this. */
  demux = dt_rtcp_mux_demux_new ();
  gst_bin_add (bin, demux);
  return link_pads (rtp_udpsrc, "src", demux, "sink", error)
         && link_pads (demux, "rtp_src", self->rtpbin, "recv_rtp_sink_0", error)
         && link_pads (demux, "rtcp_src", self->rtpbin, "recv_rtcp_sink_0", error);
}

static void
configure_rtp_session (DtRtpSession *self)
{
  g_autoptr(GObject) session = NULL;

  g_signal_emit_by_name (self->rtpbin, "get-internal-session", 0, &session);
  if (session != NULL)
    g_object_set (session, "rtcp-min-interval", (guint64) self->rtcp_interval * GST_MSECOND,
                  NULL);
}

static void
set_input_level (DtRtpSession *self,
                 double        level)
{
  if (self->input_level == level)
    return;
  self->input_level = level;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_INPUT_LEVEL]);
}

static void
set_output_level (DtRtpSession *self,
                  double        level)
{
  if (self->output_level == level)
    return;
  self->output_level = level;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OUTPUT_LEVEL]);
}

static double
level_rms (const GstStructure *structure)
{
  const GValue *value = gst_structure_get_value (structure, "rms");
  double loudest = -G_MAXDOUBLE;
  /* level hands its per-channel values out as a GValueArray. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *array = value != NULL ? g_value_get_boxed (value) : NULL;

  for (guint i = 0; array != NULL && i < array->n_values; i++)
    loudest = MAX (loudest, g_value_get_double (g_value_array_get_nth (array, i)));
  G_GNUC_END_IGNORE_DEPRECATIONS
  return array != NULL && array->n_values > 0 ? loudest : -G_MAXDOUBLE;
}

/* Runs on the playback streaming thread, with the chain before the sink
 * blocked: nothing flows into a sink while it is swapped. */
static GstPadProbeReturn
on_playback_blocked (GstPad          *pad,
                     GstPadProbeInfo *info,
                     gpointer         user_data)
{
  DtRtpSession *self = user_data;
  GstBin *bin;
  GstElement *old;

  g_mutex_lock (&self->sink_lock);
  if (self->next_sink == NULL || self->pipeline == NULL)
    {
      g_mutex_unlock (&self->sink_lock);
      return GST_PAD_PROBE_REMOVE;
    }
  bin = GST_BIN (self->pipeline);
  old = self->sink;
  gst_element_set_locked_state (old, TRUE);
  gst_element_set_state (old, GST_STATE_NULL);
  gst_element_unlink (self->sink_peer, old);
  gst_bin_remove (bin, old);
  gst_bin_add (bin, self->next_sink);
  if (!gst_element_link (self->sink_peer, self->next_sink))
    g_message ("The default audio device cannot take over the call's playback");
  gst_element_sync_state_with_parent (self->next_sink);
  self->sink = self->next_sink;
  gst_object_unref (g_steal_pointer (&self->next_sink));
  self->sink_probe = 0;
  g_mutex_unlock (&self->sink_lock);
  return GST_PAD_PROBE_REMOVE;
}

/* Replaces the capture or playback end in the running pipeline, so the
 * call goes on: with the default device when its device went away
 * (@chosen FALSE), or with the device the person just chose. */
static gboolean
replace_end (DtRtpSession *self,
             gboolean      source,
             gboolean      chosen)
{
  GstBin *bin = GST_BIN (self->pipeline);
  g_autofree char *old_name = g_strdup (source ? self->source_device : self->sink_device);
  g_autofree char *new_name = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *fresh;

  if (!source && self->next_sink != NULL)
    return TRUE;
  fresh = source ? dt_audio_config_create_source_full (self->audio, chosen, &new_name, &error)
                 : dt_audio_config_create_sink_full (self->audio, chosen, &new_name, &error);
  if (fresh == NULL)
    {
      if (chosen)
        g_message ("The chosen audio device cannot be opened; the call stays on “%s”: %s",
                   old_name != NULL ? old_name : "the default device", error->message);
      else
        g_message ("The audio device “%s” went away, and no other can take over: %s",
                   old_name, error->message);
      return FALSE;
    }
  if (chosen)
    g_message ("The call moves to the chosen audio device “%s”",
               new_name != NULL ? new_name : "the default device");
  else
    g_message ("The audio device “%s” went away; the call moves to “%s”", old_name,
               new_name != NULL ? new_name : "the default device");

  if (source)
    {
      /* A source has its own thread: stopped, it simply sends no more. */
      GstElement *old = self->source;

      gst_element_set_locked_state (old, TRUE);
      gst_element_set_state (old, GST_STATE_NULL);
      gst_element_unlink (old, self->source_peer);
      gst_bin_remove (bin, old);
      gst_bin_add (bin, fresh);
      if (!gst_element_link (fresh, self->source_peer))
        {
          g_message ("The default audio device cannot take over the call's capture");
          gst_bin_remove (bin, fresh);
          self->source = NULL;
          return FALSE;
        }
      gst_element_sync_state_with_parent (fresh);
      self->source = fresh;
      g_free (self->source_device);
      self->source_device = g_steal_pointer (&new_name);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SOURCE_DEVICE]);
    }
  else
    {
      g_autoptr(GstPad) pad = gst_element_get_static_pad (self->sink_peer, "src");

      g_mutex_lock (&self->sink_lock);
      self->next_sink = gst_object_ref_sink (fresh);
      self->sink_probe = gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BLOCK_DOWNSTREAM,
                                            on_playback_blocked, self, NULL);
      g_mutex_unlock (&self->sink_lock);
      g_free (self->sink_device);
      self->sink_device = g_steal_pointer (&new_name);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SINK_DEVICE]);
    }
  return TRUE;
}

static void
on_device_removed (DtAudioDevices *devices,
                   GstDevice      *device,
                   gpointer        user_data)
{
  DtRtpSession *self = user_data;
  g_autofree char *name = gst_device_get_display_name (device);

  if (self->pipeline == NULL)
    return;
  if (dt_audio_devices_is_source (device) && g_strcmp0 (name, self->source_device) == 0)
    replace_end (self, TRUE, FALSE);
  else if (dt_audio_devices_is_sink (device) && g_strcmp0 (name, self->sink_device) == 0)
    replace_end (self, FALSE, FALSE);
}

static gboolean
has_device_name (const char *name)
{
  return name != NULL && *name != '\0';
}

/* Held from before the ends are made (which then find it running) for as
 * long as a named device is open. */
static void
watch_devices (DtRtpSession *self)
{
  g_autoptr(GError) error = NULL;

  /* Without a monitor a vanished device still fails its element, which
   * the bus watch sees. */
  self->devices = dt_audio_devices_get_shared (&error);
  if (self->devices == NULL)
    {
      g_debug ("Not watching the audio devices: %s", error->message);
      return;
    }
  g_signal_connect (self->devices, "device-removed", G_CALLBACK (on_device_removed), self);
}

/* The person picked another microphone or speaker during the call (the
 * in-call page or Preferences): the end moves at once. A GStreamer
 * description (tests, the helper) stands in for every device, so there is
 * nothing to move then. */
static void
on_chosen_device_changed (DtAudioConfig *audio,
                          GParamSpec    *pspec,
                          gpointer       user_data)
{
  DtRtpSession *self = user_data;
  gboolean source = g_str_equal (pspec->name, "source-device");
  const char *description = source ? dt_audio_config_get_source_description (audio)
                                   : dt_audio_config_get_sink_description (audio);
  const char *chosen = source ? dt_audio_config_get_source_device (audio)
                              : dt_audio_config_get_sink_device (audio);
  const char *open = source ? self->source_device : self->sink_device;

  if (self->pipeline == NULL || (description != NULL && *description != '\0')
      || (source ? self->source == NULL : self->sink == NULL))
    return;
  if (has_device_name (chosen) ? g_strcmp0 (chosen, open) == 0 : open == NULL)
    return;
  if (has_device_name (chosen) && self->devices == NULL)
    watch_devices (self);
  replace_end (self, source, TRUE);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  DtRtpSession *self = user_data;
  const GstStructure *structure;

  /* GstMessageType is a bit field: compare, do not switch. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ELEMENT)
    {
      structure = gst_message_get_structure (message);
      if (gst_structure_has_name (structure, "level"))
        {
          if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->in_level))
            set_input_level (self, level_rms (structure));
          else if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->out_level))
            set_output_level (self, level_rms (structure));
        }
      else if (gst_structure_has_name (structure, "dtmf-event"))
        {
          int event = -1;
          char digit;

          gst_structure_get_int (structure, "number", &event);
          digit = dtmf_digit_for_event (event);
          if (digit != '\0')
            g_signal_emit (self, signals[SIGNAL_DTMF_RECEIVED], 0, digit);
        }
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;
      GstObject *origin = GST_MESSAGE_SRC (message);

      gst_message_parse_error (message, &error, &debug);
      g_debug ("Pipeline error: %s (%s)", error->message, debug);
      /* An end already swapped out may have said more before it went. */
      if (self->pipeline == NULL
          || !gst_object_has_as_ancestor (origin, GST_OBJECT (self->pipeline)))
        return G_SOURCE_CONTINUE;
      /* A device unplugged under a running call fails its element. */
      if (self->source_device != NULL && self->source != NULL
          && (origin == GST_OBJECT (self->source)
              || gst_object_has_as_ancestor (origin, GST_OBJECT (self->source)))
          && replace_end (self, TRUE, FALSE))
        return G_SOURCE_CONTINUE;
      if (self->sink_device != NULL && self->sink != NULL
          && (origin == GST_OBJECT (self->sink)
              || gst_object_has_as_ancestor (origin, GST_OBJECT (self->sink)))
          && replace_end (self, FALSE, FALSE))
        return G_SOURCE_CONTINUE;
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_CLOCK_LOST && self->pipeline != NULL)
    {
      /* The device that gave the pipeline its clock went away; PAUSED and
       * back to PLAYING picks a new one. */
      gst_element_set_state (self->pipeline, GST_STATE_PAUSED);
      gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_WARNING)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_warning (message, &error, &debug);
      g_debug ("Pipeline warning: %s (%s)", error->message, debug);
    }
  return G_SOURCE_CONTINUE;
}

/* RFC 3550 §6.4.1 figures, from rtpsession's per-source stats. */
static void
update_stats (DtRtpSession *self)
{
  g_autoptr(GObject) session = NULL;
  g_autoptr(GstStructure) stats = NULL;
  const GValue *sources;
  guint64 sent = 0, received = 0;
  gint64 lost = 0;
  double jitter_ms = -1.0, rtt_ms = -1.0, mos = -1.0, loss_percent;
  int remote_loss_percent = -1;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GValueArray *array;
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (self->rtpbin == NULL)
    return;
  g_signal_emit_by_name (self->rtpbin, "get-internal-session", 0, &session);
  if (session == NULL)
    return;
  g_object_get (session, "stats", &stats, NULL);
  sources = stats != NULL ? gst_structure_get_value (stats, "source-stats") : NULL;
  if (sources == NULL)
    return;

  /* rtpsession hands its per-source stats out as a GValueArray. */
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  array = g_value_get_boxed (sources);

  for (guint i = 0; array != NULL && i < array->n_values; i++)
    {
      const GstStructure *source = g_value_get_boxed (g_value_array_get_nth (array, i));
      gboolean internal = FALSE, is_sender = FALSE, have_rb = FALSE;
      guint64 packets = 0;
      int packets_lost = 0, clock_rate = 0;
      guint jitter = 0, round_trip = 0, fraction_lost = 0;

      gst_structure_get_boolean (source, "internal", &internal);
      gst_structure_get_boolean (source, "is-sender", &is_sender);
      if (internal)
        {
          if (gst_structure_get_uint64 (source, "packets-sent", &packets))
            sent += packets;
          continue;
        }
      if (is_sender && gst_structure_get_uint64 (source, "packets-received", &packets))
        {
          received += packets;
          if (gst_structure_get_int (source, "packets-lost", &packets_lost))
            lost += MAX (packets_lost, 0);
          if (!gst_structure_get_int (source, "clock-rate", &clock_rate) || clock_rate <= 0)
            clock_rate = (int) self->params->clock_rate;
          if (gst_structure_get_uint (source, "jitter", &jitter))
            jitter_ms = MAX (jitter_ms, jitter * 1000.0 / clock_rate);
        }
      /* The report blocks this source sent about our stream. */
      gst_structure_get_boolean (source, "have-rb", &have_rb);
      if (have_rb)
        {
          /* RFC 3550 §6.4.1: RTT = A − LSR − DLSR, in 1/65536 s. */
          if (gst_structure_get_uint (source, "rb-round-trip", &round_trip) && round_trip > 0)
            rtt_ms = round_trip * 1000.0 / 65536.0;
          if (gst_structure_get_uint (source, "rb-fractionlost", &fraction_lost))
            remote_loss_percent = (int) ((fraction_lost * 100 + 255) / 256);
        }
    }
  G_GNUC_END_IGNORE_DEPRECATIONS

  if (received > 0)
    {
      loss_percent = 100.0 * lost / (double) (received + lost);
      mos = dt_call_quality_estimate (self->codec->encoding,
                                      g_str_equal (self->codec->encoder, "opusenc"),
                                      loss_percent, rtt_ms, jitter_ms, self->jitter_buffer);
    }
  dt_call_stats_update (self->stats, sent, received, (guint64) lost, jitter_ms, rtt_ms, mos);

  /* Opus adapts to the loss the far end reports: libopus sizes its in-band
   * FEC from packet-loss-percentage (RFC 6716 §2.1.7). Each report covers
   * one interval, so it is smoothed first. Loss of 15 % and more is taken
   * as congestion rather than noise, and we send a quarter less. */
  if (remote_loss_percent >= 0 && g_str_equal (self->codec->encoder, "opusenc"))
    {
      int base = fmtp_int (self->params->fmtp, "maxaveragebitrate", OPUS_DEFAULT_BITRATE);
      int smoothed = (self->opus_loss_percent + remote_loss_percent + 1) / 2;

      if (smoothed != self->opus_loss_percent)
        {
          int bitrate = smoothed >= OPUS_CONGESTION_LOSS ? base * 3 / 4 : base;

          self->opus_loss_percent = smoothed;
          g_object_set (self->encoder,
                        "packet-loss-percentage", CLAMP (smoothed, 1, 100),
                        "bitrate", CLAMP (bitrate, 6000, 510000),
                        NULL);
        }
    }
}

static void
check_media_timeout (DtRtpSession *self)
{
  gint packets = g_atomic_int_get (&self->rtp_packets_in);
  gint64 now = g_get_monotonic_time ();

  if (packets != self->seen_packets_in || !self->receiving)
    {
      self->seen_packets_in = packets;
      self->last_rtp_time = now;
      self->timed_out = FALSE;
      return;
    }
  if (self->media_timeout == 0 || self->timed_out)
    return;
  if (now - self->last_rtp_time >= (gint64) self->media_timeout * G_USEC_PER_SEC)
    {
      self->timed_out = TRUE;
      g_signal_emit (self, signals[SIGNAL_MEDIA_TIMEOUT], 0);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  DtRtpSession *self = user_data;

  update_stats (self);
  check_media_timeout (self);
  return G_SOURCE_CONTINUE;
}

static GSource *
attach_timeout (DtRtpSession *self,
                guint         ms,
                GSourceFunc   func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
send_dtmf_event (DtRtpSession *self,
                 int           event,
                 gboolean      start)
{
  g_autoptr(GstPad) pad = gst_element_get_static_pad (self->dtmf_src, "src");
  GstStructure *structure;

  structure = gst_structure_new ("dtmf-event",
                                 "type", G_TYPE_INT, 1,    /* RTP, not in-band tones */
                                 "start", G_TYPE_BOOLEAN, start,
                                 NULL);
  if (start)
    gst_structure_set (structure,
                       "number", G_TYPE_INT, event,
                       "volume", G_TYPE_INT, DTMF_VOLUME,
                       NULL);
  gst_pad_send_event (pad, gst_event_new_custom (GST_EVENT_CUSTOM_UPSTREAM, structure));
}

static void
start_next_dtmf (DtRtpSession *self)
{
  g_autofree DtmfDigit *digit = g_queue_pop_head (&self->dtmf_queue);

  if (digit == NULL)
    return;
  send_dtmf_event (self, digit->event, TRUE);
  self->dtmf_active = TRUE;
  self->dtmf_timer = attach_timeout (self, digit->duration_ms, on_dtmf_timer);
}

static gboolean
on_dtmf_timer (gpointer user_data)
{
  DtRtpSession *self = user_data;

  g_clear_pointer (&self->dtmf_timer, g_source_unref);
  if (self->dtmf_active)
    {
      send_dtmf_event (self, 0, FALSE);
      self->dtmf_active = FALSE;
      self->dtmf_timer = attach_timeout (self, DTMF_GAP_MS, on_dtmf_timer);
    }
  else
    start_next_dtmf (self);
  return G_SOURCE_REMOVE;
}

/* Keeps the packet at the probe: a blocking probe holds it by default. */
static GstPadProbeReturn
on_send_held (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         user_data)
{
  return GST_PAD_PROBE_OK;
}

/* Stops RTP at the door of rtpbin and waits for the packet inside, if any,
 * to reach the socket, so the packets-sent figure read next counts exactly
 * the packets that went out. The wait is bounded: a sink that blocks (a
 * paused pipeline) must not hang the hang-up. */
static void
hold_back_sending (DtRtpSession *self)
{
  g_autoptr(GstPad) sink_pad = gst_element_get_static_pad (self->rtpbin, "send_rtp_sink_0");
  g_autoptr(GstPad) src_pad = sink_pad != NULL ? gst_pad_get_peer (sink_pad) : NULL;
  gint64 deadline = g_get_monotonic_time () + 250 * G_TIME_SPAN_MILLISECOND;

  if (src_pad == NULL)
    return;
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_DATA_DOWNSTREAM,
                     on_send_held, NULL, NULL);
  /* A pad's chain function runs under its stream lock. */
  while (!GST_PAD_STREAM_TRYLOCK (sink_pad))
    {
      if (g_get_monotonic_time () >= deadline)
        return;
      g_usleep (G_TIME_SPAN_MILLISECOND);
    }
  GST_PAD_STREAM_UNLOCK (sink_pad);
}

static void
teardown (DtRtpSession *self)
{
  if (self->audio != NULL)
    g_signal_handlers_disconnect_by_func (self->audio, on_chosen_device_changed, self);
  clear_source (&self->tick);
  clear_source (&self->dtmf_timer);
  g_queue_clear_full (&self->dtmf_queue, g_free);
  self->dtmf_active = FALSE;

  if (self->pipeline != NULL)
    {
      g_autoptr(GstPad) sink_pad = NULL;
      g_autoptr(GstEvent) caps = NULL;

      g_mutex_lock (&self->sink_lock);
      if (self->sink_probe != 0 && self->sink_peer != NULL)
        {
          g_autoptr(GstPad) peer_pad = gst_element_get_static_pad (self->sink_peer, "src");

          gst_pad_remove_probe (peer_pad, self->sink_probe);
          self->sink_probe = 0;
        }
      g_clear_object (&self->next_sink);
      if (self->sink != NULL)
        sink_pad = gst_element_get_static_pad (self->sink, "sink");
      g_mutex_unlock (&self->sink_lock);
      if (sink_pad != NULL)
        caps = gst_pad_get_sticky_event (sink_pad, GST_EVENT_CAPS, 0);

      if (self->rtpbin != NULL)
        hold_back_sending (self);
      update_stats (self);
      /* A file sink (wavenc) writes its header on EOS; send it straight to
       * the sink so it does not wait for every live source to end. A sink
       * that never got caps has written nothing and must not see EOS
       * before its stream has started. */
      if (caps != NULL)
        gst_pad_send_event (sink_pad, gst_event_new_eos ());
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
    }
  clear_source (&self->bus_watch);
  if (self->devices != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->devices, self);
      g_clear_object (&self->devices);
    }
  g_clear_object (&self->pipeline);
  self->source = self->source_peer = self->sink_peer = NULL;
  self->rtpbin = self->encoder = self->in_level = self->mute = self->send_valve = NULL;
  self->dtmf_src = self->mixer = self->out_level = self->out_volume = self->sink = NULL;
  self->rtp_udpsink = self->rtcp_udpsink = NULL;
  g_clear_pointer (&self->params, dt_rtp_params_free);
  self->codec = NULL;
  g_clear_object (&self->remote_rtp);
  g_clear_object (&self->remote_rtcp);
}

static GInetSocketAddress *
default_rtcp_address (GInetSocketAddress *rtp)
{
  /* RFC 3550 §11: RTCP on the next port up. */
  return G_INET_SOCKET_ADDRESS (
    g_inet_socket_address_new (g_inet_socket_address_get_address (rtp),
                               g_inet_socket_address_get_port (rtp) + 1));
}

/* --- GObject ----------------------------------------------------------- */

static void
dt_rtp_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtRtpSession *self = DT_RTP_SESSION (object);

  switch (prop_id)
    {
    case PROP_RTP_SOCKET:
      g_value_set_object (value, self->rtp_socket);
      break;
    case PROP_RTCP_SOCKET:
      g_value_set_object (value, self->rtcp_socket);
      break;
    case PROP_AUDIO_CONFIG:
      g_value_set_object (value, self->audio);
      break;
    case PROP_STATS:
      g_value_set_object (value, self->stats);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_value_set_uint (value, self->media_timeout);
      break;
    case PROP_RTCP_INTERVAL:
      g_value_set_uint (value, self->rtcp_interval);
      break;
    case PROP_JITTER_BUFFER:
      g_value_set_uint (value, self->jitter_buffer);
      break;
    case PROP_SENDING:
      g_value_set_boolean (value, self->sending);
      break;
    case PROP_RECEIVING:
      g_value_set_boolean (value, self->receiving);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_INPUT_LEVEL:
      g_value_set_double (value, self->input_level);
      break;
    case PROP_OUTPUT_LEVEL:
      g_value_set_double (value, self->output_level);
      break;
    case PROP_SOURCE_DEVICE:
      g_value_set_string (value, self->source_device);
      break;
    case PROP_SINK_DEVICE:
      g_value_set_string (value, self->sink_device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_rtp_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtRtpSession *self = DT_RTP_SESSION (object);

  switch (prop_id)
    {
    case PROP_RTP_SOCKET:
      self->rtp_socket = g_value_dup_object (value);
      break;
    case PROP_RTCP_SOCKET:
      self->rtcp_socket = g_value_dup_object (value);
      break;
    case PROP_AUDIO_CONFIG:
      self->audio = g_value_dup_object (value);
      break;
    case PROP_MEDIA_TIMEOUT:
      dt_rtp_session_set_media_timeout (self, g_value_get_uint (value));
      break;
    case PROP_RTCP_INTERVAL:
      if (self->rtcp_interval != g_value_get_uint (value))
        {
          self->rtcp_interval = g_value_get_uint (value);
          if (self->rtpbin != NULL)
            configure_rtp_session (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_JITTER_BUFFER:
      if (self->jitter_buffer != g_value_get_uint (value))
        {
          self->jitter_buffer = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MUTED:
      dt_rtp_session_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_rtp_session_constructed (GObject *object)
{
  DtRtpSession *self = DT_RTP_SESSION (object);

  G_OBJECT_CLASS (dt_rtp_session_parent_class)->constructed (object);

  if (self->audio == NULL)
    self->audio = dt_audio_config_new ();
}

static void
dt_rtp_session_dispose (GObject *object)
{
  DtRtpSession *self = DT_RTP_SESSION (object);

  teardown (self);
  g_clear_object (&self->rtp_socket);
  g_clear_object (&self->rtcp_socket);
  g_clear_object (&self->audio);
  g_clear_object (&self->stats);

  G_OBJECT_CLASS (dt_rtp_session_parent_class)->dispose (object);
}

static void
dt_rtp_session_finalize (GObject *object)
{
  DtRtpSession *self = DT_RTP_SESSION (object);

  g_free (self->echo_probe_name);
  g_free (self->source_device);
  g_free (self->sink_device);
  g_mutex_clear (&self->sink_lock);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dt_rtp_session_parent_class)->finalize (object);
}

static void
dt_rtp_session_class_init (DtRtpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = dt_rtp_session_get_property;
  object_class->set_property = dt_rtp_session_set_property;
  object_class->constructed = dt_rtp_session_constructed;
  object_class->dispose = dt_rtp_session_dispose;
  object_class->finalize = dt_rtp_session_finalize;

  /**
   * DtRtpSession:rtp-socket:
   *
   * The bound UDP socket RTP arrives on and leaves from.
   */
  props[PROP_RTP_SOCKET] =
    g_param_spec_object ("rtp-socket", NULL, NULL, G_TYPE_SOCKET, construct);

  /**
   * DtRtpSession:rtcp-socket:
   *
   * The bound UDP socket for RTCP, or %NULL when RTCP is muxed (RFC 5761).
   */
  props[PROP_RTCP_SOCKET] =
    g_param_spec_object ("rtcp-socket", NULL, NULL, G_TYPE_SOCKET, construct);

  /**
   * DtRtpSession:audio-config:
   *
   * The devices and DSP stages of the headset chain.
   */
  props[PROP_AUDIO_CONFIG] =
    g_param_spec_object ("audio-config", NULL, NULL, DT_TYPE_AUDIO_CONFIG, construct);

  /**
   * DtRtpSession:stats:
   *
   * The call-quality figures, updated a few times a second while running.
   */
  props[PROP_STATS] =
    g_param_spec_object ("stats", NULL, NULL, DT_TYPE_CALL_STATS,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * DtRtpSession:media-timeout:
   *
   * Seconds without RTP before #DtRtpSession::media-timeout; 0 turns it off.
   */
  props[PROP_MEDIA_TIMEOUT] =
    g_param_spec_uint ("media-timeout", NULL, NULL, 0, 3600, DEFAULT_MEDIA_TIMEOUT, rw);

  /**
   * DtRtpSession:rtcp-interval:
   *
   * The minimum RTCP report interval in ms (RFC 3550 §6.2: 5000 for a
   * call; RFC 4585 and tests may go lower).
   */
  props[PROP_RTCP_INTERVAL] =
    g_param_spec_uint ("rtcp-interval", NULL, NULL, 100, 60000, DEFAULT_RTCP_INTERVAL, rw);

  /**
   * DtRtpSession:jitter-buffer:
   *
   * The receive jitter buffer in ms; read when a session starts.
   */
  props[PROP_JITTER_BUFFER] =
    g_param_spec_uint ("jitter-buffer", NULL, NULL, 10, 2000, DEFAULT_JITTER_BUFFER, rw);

  /**
   * DtRtpSession:sending:
   *
   * Whether our audio goes out (off while we hold the call).
   */
  props[PROP_SENDING] = g_param_spec_boolean ("sending", NULL, NULL, TRUE, ro);

  /**
   * DtRtpSession:receiving:
   *
   * Whether the far end's audio is played (off while it holds the call).
   */
  props[PROP_RECEIVING] = g_param_spec_boolean ("receiving", NULL, NULL, TRUE, ro);

  /**
   * DtRtpSession:muted:
   *
   * Whether the microphone is muted: RTP keeps flowing, with silence.
   */
  props[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);

  /**
   * DtRtpSession:input-level:
   *
   * The captured audio's RMS in dBFS, for a level meter.
   */
  props[PROP_INPUT_LEVEL] =
    g_param_spec_double ("input-level", NULL, NULL, -G_MAXDOUBLE, 0.0, -G_MAXDOUBLE, ro);

  /**
   * DtRtpSession:output-level:
   *
   * The played audio's RMS in dBFS, for a level meter.
   */
  props[PROP_OUTPUT_LEVEL] =
    g_param_spec_double ("output-level", NULL, NULL, -G_MAXDOUBLE, 0.0, -G_MAXDOUBLE, ro);

  /**
   * DtRtpSession:source-device:
   *
   * The display name of the microphone the call captures from, or %NULL
   * when a GStreamer description or the automatic choice made that end.
   * It changes when the device goes away and the call moves to the default
   * one.
   */
  props[PROP_SOURCE_DEVICE] =
    g_param_spec_string ("source-device", NULL, NULL, NULL, ro);

  /**
   * DtRtpSession:sink-device:
   *
   * The display name of the speaker or headset the call plays into, as
   * #DtRtpSession:source-device.
   */
  props[PROP_SINK_DEVICE] =
    g_param_spec_string ("sink-device", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtRtpSession::dtmf-received:
   * @self: the session
   * @digit: '0'–'9', '*', '#' or 'A'–'D'
   *
   * An RFC 4733 telephone-event began (reported once per event).
   */
  signals[SIGNAL_DTMF_RECEIVED] =
    g_signal_new ("dtmf-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_CHAR);

  /**
   * DtRtpSession::media-timeout:
   * @self: the session
   *
   * No RTP arrived for #DtRtpSession:media-timeout seconds while receiving.
   * Emitted once until RTP arrives again.
   */
  signals[SIGNAL_MEDIA_TIMEOUT] =
    g_signal_new ("media-timeout", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * DtRtpSession::error:
   * @self: the session
   * @error: what failed
   *
   * The pipeline failed (a device went away, a codec broke). The session
   * stays as it is; the caller decides whether to stop it.
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
dt_rtp_session_init (DtRtpSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->sink_lock);
  self->stats = dt_call_stats_new ();
  self->media_timeout = DEFAULT_MEDIA_TIMEOUT;
  self->rtcp_interval = DEFAULT_RTCP_INTERVAL;
  self->jitter_buffer = DEFAULT_JITTER_BUFFER;
  self->sending = TRUE;
  self->receiving = TRUE;
  self->input_level = -G_MAXDOUBLE;
  self->output_level = -G_MAXDOUBLE;
  self->echo_probe_name = g_strdup_printf ("dialtone-echo-probe-%p", (void *) self);
  g_queue_init (&self->dtmf_queue);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_rtp_session_new:
 * @rtp_socket: a bound UDP socket for RTP
 * @rtcp_socket: (nullable): a bound UDP socket for RTCP; %NULL when only
 *   RTCP mux will be used
 * @audio: (nullable): the headset chain's configuration, or %NULL for the
 *   defaults (dt_audio_config_new())
 *
 * Signals and property notifications come in the thread-default main
 * context of the caller.
 *
 * Returns: (transfer full): a session, not started
 */
DtRtpSession *
dt_rtp_session_new (GSocket       *rtp_socket,
                    GSocket       *rtcp_socket,
                    DtAudioConfig *audio)
{
  g_return_val_if_fail (G_IS_SOCKET (rtp_socket), NULL);
  g_return_val_if_fail (rtcp_socket == NULL || G_IS_SOCKET (rtcp_socket), NULL);
  g_return_val_if_fail (audio == NULL || DT_IS_AUDIO_CONFIG (audio), NULL);

  /* Not in class_init, where GType's class lock is held: a gst_init on
   * the preload thread takes that lock too. */
  gst_init (NULL, NULL);
  return g_object_new (DT_TYPE_RTP_SESSION,
                       "rtp-socket", rtp_socket,
                       "rtcp-socket", rtcp_socket,
                       "audio-config", audio,
                       NULL);
}

/**
 * dt_rtp_session_start:
 * @self: the session
 * @params: the negotiated stream; copied
 * @remote_rtp: where the far end receives RTP
 * @remote_rtcp: (nullable): where it receives RTCP; %NULL for the RTP port
 *   plus one, or the RTP port itself with @params' rtcp_mux
 * @error: where to say why the media cannot start
 *
 * Builds the pipeline and sets it playing. It does not wait for audio.
 *
 * Returns: %TRUE if the session runs
 */
gboolean
dt_rtp_session_start (DtRtpSession        *self,
                      const DtRtpParams   *params,
                      GInetSocketAddress  *remote_rtp,
                      GInetSocketAddress  *remote_rtcp,
                      GError             **error)
{
  g_autoptr(GstBus) bus = NULL;

  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (remote_rtp), FALSE);
  g_return_val_if_fail (remote_rtcp == NULL || G_IS_INET_SOCKET_ADDRESS (remote_rtcp), FALSE);

  if (self->pipeline != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "The RTP session already runs");
      return FALSE;
    }
  if (!dt_rtp_params_validate (params, error))
    return FALSE;
  if (!params->rtcp_mux && self->rtcp_socket == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "RTCP without mux needs its own socket");
      return FALSE;
    }

  self->params = dt_rtp_params_copy (params);
  self->codec = find_codec (params->encoding);
  self->remote_rtp = g_object_ref (remote_rtp);
  self->remote_rtcp = remote_rtcp != NULL ? g_object_ref (remote_rtcp)
                                          : default_rtcp_address (remote_rtp);
  dt_call_stats_set_codec (self->stats, self->codec->encoding);

  self->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  self->rtpbin = make (GST_BIN (self->pipeline), "rtpbin", error);
  if (self->rtpbin == NULL)
    goto failed;
  g_object_set (self->rtpbin,
                "latency", self->jitter_buffer,
                "do-lost", TRUE,              /* opusdec conceals and uses FEC on gaps */
                "autoremove", FALSE,
                NULL);
  gst_util_set_object_arg (G_OBJECT (self->rtpbin), "rtp-profile",
                           params->srtp_suite != NULL ? "savp" : "avp");
  g_signal_connect (self->rtpbin, "request-pt-map", G_CALLBACK (on_request_pt_map), self);
  g_signal_connect (self->rtpbin, "pad-added", G_CALLBACK (on_rtpbin_pad_added), self);

  if (has_device_name (dt_audio_config_get_source_device (self->audio))
      || has_device_name (dt_audio_config_get_sink_device (self->audio)))
    watch_devices (self);
  if (!build_playback (self, error) || !build_capture (self, error)
      || !build_transport (self, error))
    goto failed;
  configure_rtp_session (self);

  if (self->source_device == NULL && self->sink_device == NULL && self->devices != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->devices, self);
      g_clear_object (&self->devices);
    }

  g_signal_connect (self->audio, "notify::source-device",
                    G_CALLBACK (on_chosen_device_changed), self);
  g_signal_connect (self->audio, "notify::sink-device",
                    G_CALLBACK (on_chosen_device_changed), self);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_watch, G_SOURCE_FUNC (on_bus_message), self, NULL);
  g_source_attach (self->bus_watch, self->context);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The audio pipeline cannot start; is the audio device in use?");
      goto failed;
    }

  self->seen_packets_in = g_atomic_int_get (&self->rtp_packets_in);
  self->last_rtp_time = g_get_monotonic_time ();
  self->timed_out = FALSE;
  self->tick = attach_timeout (self, TICK_MS, on_tick);
  return TRUE;

failed:
  teardown (self);
  return FALSE;
}

/**
 * dt_rtp_session_update:
 * @self: a running session
 * @params: the stream after a re-INVITE; copied
 * @remote_rtp: where the far end now receives RTP
 * @remote_rtcp: (nullable): and RTCP, as in dt_rtp_session_start()
 * @error: where to say why the media cannot go on
 *
 * A new address alone is applied in place. A changed codec, payload type or
 * key restarts the pipeline on the same sockets.
 *
 * Returns: %TRUE if the session runs with the new parameters
 */
gboolean
dt_rtp_session_update (DtRtpSession        *self,
                       const DtRtpParams   *params,
                       GInetSocketAddress  *remote_rtp,
                       GInetSocketAddress  *remote_rtcp,
                       GError             **error)
{
  g_autoptr(GInetSocketAddress) rtcp = NULL;

  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (remote_rtp), FALSE);

  if (self->pipeline == NULL)
    return dt_rtp_session_start (self, params, remote_rtp, remote_rtcp, error);
  if (!dt_rtp_params_equal (self->params, params))
    {
      teardown (self);
      return dt_rtp_session_start (self, params, remote_rtp, remote_rtcp, error);
    }

  rtcp = remote_rtcp != NULL ? g_object_ref (remote_rtcp) : default_rtcp_address (remote_rtp);
  g_set_object (&self->remote_rtp, remote_rtp);
  g_set_object (&self->remote_rtcp, rtcp);
  set_udpsink_destination (self->rtp_udpsink, remote_rtp);
  set_udpsink_destination (self->rtcp_udpsink, params->rtcp_mux ? remote_rtp : rtcp);
  return TRUE;
}

/**
 * dt_rtp_session_stop:
 * @self: the session
 *
 * Stops the media and frees the pipeline; the sockets stay open and the
 * last statistics stay readable. A stopped session can start again.
 */
void
dt_rtp_session_stop (DtRtpSession *self)
{
  g_return_if_fail (DT_IS_RTP_SESSION (self));
  teardown (self);
}

/**
 * dt_rtp_session_is_running:
 * @self: the session
 *
 * Returns: %TRUE between a successful start and stop
 */
gboolean
dt_rtp_session_is_running (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  return self->pipeline != NULL;
}

/**
 * dt_rtp_session_set_direction:
 * @self: the session
 * @send: whether our audio goes out (FALSE while we hold)
 * @receive: whether the far end's audio is played (FALSE while it holds)
 *
 * The SDP direction (RFC 3264 §5.1) in media terms. RTCP keeps flowing
 * either way.
 */
void
dt_rtp_session_set_direction (DtRtpSession *self,
                              gboolean      send,
                              gboolean      receive)
{
  g_return_if_fail (DT_IS_RTP_SESSION (self));

  send = !!send;
  receive = !!receive;
  if (self->sending != send)
    {
      self->sending = send;
      if (self->send_valve != NULL)
        g_object_set (self->send_valve, "drop", !send, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SENDING]);
    }
  if (self->receiving != receive)
    {
      self->receiving = receive;
      if (self->out_volume != NULL)
        g_object_set (self->out_volume, "mute", !receive, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECEIVING]);
    }
}

/**
 * dt_rtp_session_get_sending:
 * @self: the session
 *
 * Returns: whether our audio goes out
 */
gboolean
dt_rtp_session_get_sending (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  return self->sending;
}

/**
 * dt_rtp_session_get_receiving:
 * @self: the session
 *
 * Returns: whether the far end's audio is played
 */
gboolean
dt_rtp_session_get_receiving (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  return self->receiving;
}

/**
 * dt_rtp_session_set_muted:
 * @self: the session
 * @muted: whether the microphone is muted
 *
 * Muting sends silence (Opus DTX makes it nearly free) rather than
 * stopping RTP, so the far end does not time the call out.
 */
void
dt_rtp_session_set_muted (DtRtpSession *self,
                          gboolean      muted)
{
  g_return_if_fail (DT_IS_RTP_SESSION (self));

  if (!self->muted == !muted)
    return;
  self->muted = !!muted;
  if (self->mute != NULL)
    g_object_set (self->mute, "mute", self->muted, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

/**
 * dt_rtp_session_get_muted:
 * @self: the session
 *
 * Returns: whether the microphone is muted
 */
gboolean
dt_rtp_session_get_muted (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);
  return self->muted;
}

/**
 * dt_rtp_session_send_dtmf:
 * @self: a running session with a telephone-event payload type
 * @digit: '0'–'9', '*', '#' or 'A'–'D'
 * @duration_ms: how long the key is held, 40–8000
 * @error: where to say why the digit cannot be sent
 *
 * Queues an RFC 4733 event: the first packet carries the marker bit, every
 * packet of the event has its start timestamp, and the end packet goes out
 * three times (§2.5.1). Digits queued together go out one after another.
 * rtpdtmfsrc has a minimum event length of its own, so short presses last
 * longer on the wire (1.22 sent 320 ms for 120 ms). Refused while on hold.
 *
 * Returns: %TRUE if the digit was queued
 */
gboolean
dt_rtp_session_send_dtmf (DtRtpSession  *self,
                          char           digit,
                          guint          duration_ms,
                          GError       **error)
{
  DtmfDigit *queued;
  int event;

  g_return_val_if_fail (DT_IS_RTP_SESSION (self), FALSE);

  if (self->dtmf_src == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The far end did not accept telephone-event (RFC 4733)");
      return FALSE;
    }
  if (!self->sending)
    {
      /* RFC 3264 §5.1: while we hold, no RTP goes out, events included. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           "The call is on hold; DTMF cannot be sent");
      return FALSE;
    }
  event = dtmf_event_for_digit (digit);
  if (event < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%c” is not a DTMF key", g_ascii_isprint (digit) ? digit : '?');
      return FALSE;
    }
  if (duration_ms < DTMF_MIN_DURATION_MS || duration_ms > DTMF_MAX_DURATION_MS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A DTMF key is held between %d and %d ms", DTMF_MIN_DURATION_MS,
                   DTMF_MAX_DURATION_MS);
      return FALSE;
    }

  queued = g_new0 (DtmfDigit, 1);
  queued->event = event;
  queued->duration_ms = duration_ms;
  g_queue_push_tail (&self->dtmf_queue, queued);
  if (self->dtmf_timer == NULL)
    start_next_dtmf (self);
  return TRUE;
}

/**
 * dt_rtp_session_get_stats:
 * @self: the session
 *
 * Returns: (transfer none): the call-quality figures
 */
DtCallStats *
dt_rtp_session_get_stats (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), NULL);
  return self->stats;
}

/**
 * dt_rtp_session_get_input_level:
 * @self: the session
 *
 * Returns: the captured audio's RMS in dBFS (-G_MAXDOUBLE before any)
 */
double
dt_rtp_session_get_input_level (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), -G_MAXDOUBLE);
  return self->input_level;
}

/**
 * dt_rtp_session_get_output_level:
 * @self: the session
 *
 * Returns: the played audio's RMS in dBFS (-G_MAXDOUBLE before any)
 */
double
dt_rtp_session_get_output_level (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), -G_MAXDOUBLE);
  return self->output_level;
}

/**
 * dt_rtp_session_get_media_timeout:
 * @self: the session
 *
 * Returns: seconds without RTP before #DtRtpSession::media-timeout, or 0
 */
guint
dt_rtp_session_get_media_timeout (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), 0);
  return self->media_timeout;
}

/**
 * dt_rtp_session_set_media_timeout:
 * @self: the session
 * @seconds: seconds without RTP before #DtRtpSession::media-timeout; 0 for never
 *
 * Sets how long the far end may stay silent on the wire.
 */
void
dt_rtp_session_set_media_timeout (DtRtpSession *self,
                                  guint         seconds)
{
  g_return_if_fail (DT_IS_RTP_SESSION (self));

  if (self->media_timeout == seconds)
    return;
  self->media_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MEDIA_TIMEOUT]);
}

/**
 * _dt_rtp_session_get_encoder:
 * @self: the session
 *
 * Returns: (transfer none) (nullable): the running encoder, or %NULL when
 *   stopped
 */
GstElement *
_dt_rtp_session_get_encoder (DtRtpSession *self)
{
  g_return_val_if_fail (DT_IS_RTP_SESSION (self), NULL);
  return self->encoder;
}

typedef struct
{
  const CodecInfo *codec;
  gboolean         dsp;
  gboolean         srtp;
} Preload;

/* Making one element of each runs its plugin's loading and its class
 * set-up: the part of a first call's start that takes time. Only what the
 * call will use: G.722's libav alone maps tens of megabytes. */
static gpointer
preload_plugins (gpointer data)
{
  g_autofree Preload *preload = data;
  static const char * const common[] = {
    "rtpbin", "udpsrc", "udpsink", "audioconvert", "audioresample", "capsfilter", "level",
    "volume", "valve", "audiomixer", "audiotestsrc", "rtpdtmfsrc", "rtpdtmfmux",
    "rtpdtmfdepay",
  };
  const char *more[] = {
    preload->codec->encoder, preload->codec->payloader, preload->codec->depayloader,
    preload->codec->decoder,
    preload->dsp ? "webrtcdsp" : NULL, preload->dsp ? "webrtcechoprobe" : NULL,
    preload->srtp ? "srtpenc" : NULL, preload->srtp ? "srtpdec" : NULL,
  };

  /* The first gst_init of a process reads, or on a first run builds, the
   * plugin registry: hundreds of milliseconds that belong on this thread. */
  gst_init (NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (common) + G_N_ELEMENTS (more); i++)
    {
      const char *name = i < G_N_ELEMENTS (common) ? common[i] : more[i - G_N_ELEMENTS (common)];
      GstElement *element = name != NULL ? gst_element_factory_make (name, NULL) : NULL;

      if (element != NULL)
        gst_object_unref (gst_object_ref_sink (element));
    }
  return NULL;
}

static Preload *
preload_new (const char    *encoding,
             DtAudioConfig *audio,
             gboolean       srtp)
{
  Preload *preload = g_new0 (Preload, 1);

  preload->codec = encoding != NULL ? find_codec (encoding) : NULL;
  if (preload->codec == NULL)
    preload->codec = &codecs[0];
  preload->dsp = audio == NULL || dt_audio_config_get_dsp_enabled (audio);
  preload->srtp = srtp;
  return preload;
}

/**
 * dt_rtp_session_preload:
 * @encoding: (nullable): the codec calls will most likely use, as SDP
 *   names it; %NULL for Opus
 * @audio: (nullable): the audio configuration, which says whether the DSP
 *   stages run
 * @srtp: whether calls will likely be encrypted
 * @wait: %TRUE to load in the calling thread and return when done (a
 *   program that is about to place its one call), %FALSE to load on a
 *   thread of its own and return at once
 *
 * Loads the GStreamer plugins that a call uses, so that the first call of
 * the process does not wait for them (tens of milliseconds, more on a
 * cold disk). Backends call it when an account connects.
 */
void
dt_rtp_session_preload (const char    *encoding,
                        DtAudioConfig *audio,
                        gboolean       srtp,
                        gboolean       wait)
{
  Preload *preload;

  g_return_if_fail (audio == NULL || DT_IS_AUDIO_CONFIG (audio));

  preload = preload_new (encoding, audio, srtp);
  if (wait)
    preload_plugins (preload);
  else
    g_thread_unref (g_thread_new ("dialtone-preload", preload_plugins, preload));
}

static gpointer
start_gstreamer (gpointer data)
{
  gst_init (NULL, NULL);
  return NULL;
}

/**
 * dt_rtp_session_start_gstreamer:
 *
 * Starts GStreamer on a thread of its own and returns at once: the first
 * start of a process reads, and on a first run builds, the plugin
 * registry, which should not hold up a window. Unlike
 * dt_rtp_session_preload() it loads no plugin, so memory stays as it is
 * until a call needs them.
 */
void
dt_rtp_session_start_gstreamer (void)
{
  g_thread_unref (g_thread_new ("dialtone-gst-init", start_gstreamer, NULL));
}
