/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-rtp.c */

#include "config.h"

#include <glib/gstdio.h>

#include "dt-test-rtp.h"

struct _DtTestRelay
{
  GSocket            *socket;
  GSource            *source;
  GInetSocketAddress *destination;
  GRand              *rand;
  double              loss;
  GPtrArray          *packets;   /* GBytes: everything that arrived, dropped or not */
  guint               dropped;
};

GSocket *
dt_test_udp_socket_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  return socket;
}

GInetSocketAddress *
dt_test_socket_address (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  GSocketAddress *address = g_socket_get_local_address (socket, &error);

  g_assert_no_error (error);
  return G_INET_SOCKET_ADDRESS (address);
}

static void
on_session_error (DtRtpSession *session,
                  GError       *error,
                  gpointer      user_data)
{
  g_error ("%s: the media pipeline failed: %s", (const char *) user_data, error->message);
}

DtTestEndpoint *
dt_test_endpoint_new (const char *dir,
                      const char *name,
                      guint       tone_hz,
                      gboolean    dsp)
{
  DtTestEndpoint *endpoint = g_new0 (DtTestEndpoint, 1);
  g_autofree char *source = NULL;
  g_autofree char *sink = NULL;

  endpoint->rtp = dt_test_udp_socket_new ();
  endpoint->rtcp = dt_test_udp_socket_new ();
  endpoint->wav_path = g_strdup_printf ("%s/%s.wav", dir, name);
  if (tone_hz > 0)
    source = g_strdup_printf ("audiotestsrc is-live=true wave=sine freq=%u volume=%g",
                              tone_hz, DT_TEST_TONE_AMPLITUDE);
  else
    source = g_strdup ("audiotestsrc is-live=true wave=silence");
  sink = g_strdup_printf ("wavenc ! filesink location=%s", endpoint->wav_path);

  endpoint->audio = dt_audio_config_new ();
  dt_audio_config_set_source_description (endpoint->audio, source);
  dt_audio_config_set_sink_description (endpoint->audio, sink);
  dt_audio_config_set_echo_cancel (endpoint->audio, dsp);
  dt_audio_config_set_noise_suppression (endpoint->audio, dsp);
  dt_audio_config_set_gain_control (endpoint->audio, dsp);

  endpoint->session = dt_rtp_session_new (endpoint->rtp, endpoint->rtcp, endpoint->audio);
  g_signal_connect (endpoint->session, "error", G_CALLBACK (on_session_error),
                    endpoint->wav_path);
  /* Reports twice a second, so RTT and loss show within a short test. */
  g_object_set (endpoint->session, "rtcp-interval", 500, NULL);
  return endpoint;
}

void
dt_test_endpoint_free (DtTestEndpoint *endpoint)
{
  dt_rtp_session_stop (endpoint->session);
  g_assert_finalize_object (endpoint->session);
  g_assert_finalize_object (endpoint->audio);
  g_assert_finalize_object (endpoint->rtp);
  g_assert_finalize_object (endpoint->rtcp);
  g_free (endpoint->wav_path);
  g_free (endpoint);
}

gboolean
dt_test_endpoint_start (DtTestEndpoint     *endpoint,
                        const DtRtpParams  *params,
                        GInetSocketAddress *remote_rtp,
                        GInetSocketAddress *remote_rtcp,
                        GError            **error)
{
  return dt_rtp_session_start (endpoint->session, params, remote_rtp, remote_rtcp, error);
}

/* Both ways at once, straight to each other's sockets. */
void
dt_test_endpoints_connect (DtTestEndpoint    *a,
                           DtTestEndpoint    *b,
                           const DtRtpParams *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) a_rtp = dt_test_socket_address (a->rtp);
  g_autoptr(GInetSocketAddress) a_rtcp = dt_test_socket_address (a->rtcp);
  g_autoptr(GInetSocketAddress) b_rtp = dt_test_socket_address (b->rtp);
  g_autoptr(GInetSocketAddress) b_rtcp = dt_test_socket_address (b->rtcp);

  dt_test_endpoint_start (a, params, b_rtp, b_rtcp, &error);
  g_assert_no_error (error);
  dt_test_endpoint_start (b, params, a_rtp, a_rtcp, &error);
  g_assert_no_error (error);
}

void
dt_test_endpoint_load_wav (DtTestEndpoint *endpoint,
                           DtTestWav      *wav)
{
  g_autoptr(GError) error = NULL;

  dt_rtp_session_stop (endpoint->session);
  dt_test_wav_load (endpoint->wav_path, wav, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wav->rate, ==, 48000);
}

void
dt_test_assert_tone (const DtTestWav *wav,
                     double           start_s,
                     double           end_s,
                     double           frequency,
                     double           dbfs,
                     double           dbfs_tolerance)
{
  const float *samples;
  gsize n;
  double found, level;

  g_assert_true (dt_test_wav_slice (wav, start_s, end_s, &samples, &n));
  found = dt_test_audio_dominant_frequency (samples, n, wav->rate);
  level = dt_test_audio_tone_dbfs_median (samples, n, wav->rate, found);
  g_test_message ("%.1f-%.1f s: %.2f Hz at %.2f dBFS (want %.0f Hz, %.2f dBFS)",
                  start_s, end_s, found, level, frequency, dbfs);
  g_assert_cmpfloat_with_epsilon (found, frequency, 2.0);
  g_assert_cmpfloat_with_epsilon (level, dbfs, dbfs_tolerance);
}

void
dt_test_assert_silence (const DtTestWav *wav,
                        double           start_s,
                        double           end_s)
{
  const float *samples;
  gsize n;
  double level;

  g_assert_true (dt_test_wav_slice (wav, start_s, end_s, &samples, &n));
  level = dt_test_audio_rms_dbfs (samples, n);
  g_test_message ("%.1f-%.1f s: %.1f dBFS RMS (want silence)", start_s, end_s, level);
  g_assert_cmpfloat (level, <, -60.0);
}

/* 1.5 s of @frequency at @dbfs (±1 dB), ending 0.3 s before the end of
 * @wav. The end of a file was written while both ends ran; its start holds
 * the far end's pipeline starting and the jitter buffer filling, which
 * take longer on a loaded machine. The last 0.3 s may hold the far end's
 * stop. */
void
dt_test_assert_tone_tail (const DtTestWav *wav,
                          double           frequency,
                          double           dbfs)
{
  double heard = wav->n_samples / (double) wav->rate;

  g_assert_cmpfloat (heard, >, 2.3);
  dt_test_assert_tone (wav, heard - 1.8, heard - 0.3, frequency, dbfs, 1.0);
}

DtRtpParams *
dt_test_params_new (const char *encoding)
{
  DtRtpParams *params;

  /* RFC 3551 static types; Opus and telephone-event as in the reference
   * offer of PROTOCOLS §2.7. */
  if (g_ascii_strcasecmp (encoding, "opus") == 0)
    {
      params = dt_rtp_params_new ("opus", 111, 48000);
      params->fmtp = g_strdup ("useinbandfec=1;usedtx=1;maxaveragebitrate=40000");
      params->telephone_event_pt = 110;
      params->telephone_event_clock_rate = 48000;
    }
  else
    {
      int pt = g_str_equal (encoding, "PCMU") ? 0 : g_str_equal (encoding, "PCMA") ? 8 : 9;

      params = dt_rtp_params_new (encoding, pt, 8000);
      params->telephone_event_pt = 101;
      params->telephone_event_clock_rate = 8000;
    }
  return params;
}

GBytes *
dt_test_srtp_key (guint8 seed)
{
  guint8 key[DT_RTP_SRTP_KEY_LENGTH];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (seed * 31 + i * 7);
  return g_bytes_new (key, sizeof key);
}

void
dt_test_run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
}

gboolean
dt_test_run_until (gboolean (*done) (gpointer),
                   gpointer   data,
                   guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      if (g_get_monotonic_time () >= end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }
  return TRUE;
}

char *
dt_test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("dialtone-media-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
dt_test_remove_dir (char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  /* DT_TEST_KEEP_AUDIO=1 keeps the recordings for a look after a failure. */
  if (g_getenv ("DT_TEST_KEEP_AUDIO") != NULL)
    {
      g_test_message ("recordings kept in %s", dir);
      g_free (dir);
      return;
    }
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

static gboolean
on_relay_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  DtTestRelay *relay = user_data;
  guint8 buffer[2048];
  gssize n;

  while ((n = g_socket_receive_from (socket, NULL, (char *) buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      g_ptr_array_add (relay->packets, g_bytes_new (buffer, n));
      if (relay->destination == NULL)
        continue;
      if (g_rand_double (relay->rand) < relay->loss)
        {
          relay->dropped++;
          continue;
        }
      g_socket_send_to (socket, G_SOCKET_ADDRESS (relay->destination), (char *) buffer, n,
                        NULL, NULL);
    }
  return G_SOURCE_CONTINUE;
}

DtTestRelay *
dt_test_relay_new (GInetSocketAddress *destination,
                   double              loss,
                   guint32             seed)
{
  DtTestRelay *relay = g_new0 (DtTestRelay, 1);

  relay->socket = dt_test_udp_socket_new ();
  g_socket_set_blocking (relay->socket, FALSE);
  relay->destination = destination != NULL ? g_object_ref (destination) : NULL;
  relay->rand = g_rand_new_with_seed (seed);
  relay->loss = loss;
  relay->packets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  relay->source = g_socket_create_source (relay->socket, G_IO_IN, NULL);
  g_source_set_callback (relay->source, G_SOURCE_FUNC (on_relay_readable), relay, NULL);
  g_source_attach (relay->source, NULL);
  return relay;
}

GInetSocketAddress *
dt_test_relay_get_address (DtTestRelay *relay)
{
  return dt_test_socket_address (relay->socket);
}

GPtrArray *
dt_test_relay_get_packets (DtTestRelay *relay)
{
  return relay->packets;
}

guint
dt_test_relay_get_dropped (DtTestRelay *relay)
{
  return relay->dropped;
}

void
dt_test_relay_free (DtTestRelay *relay)
{
  g_source_destroy (relay->source);
  g_source_unref (relay->source);
  g_object_unref (relay->socket);
  g_clear_object (&relay->destination);
  g_rand_free (relay->rand);
  g_ptr_array_unref (relay->packets);
  g_free (relay);
}
