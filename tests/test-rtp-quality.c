/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-quality.c
 *
 * What a call does over time: hold silences the far end and resuming
 * brings the tone back; 10 % random loss leaves an Opus call with FEC
 * recognisable and shows in the statistics and the MOS; RTCP gives packet
 * counts and a round-trip time; a far end that stops sending times out.
 */

#include "config.h"

#include "dt-call-quality.h"
#include "dt-rtp-session-private.h"
#include "dt-test-rtp.h"

static void
test_hold (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("opus");
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  DtTestWav heard_by_b;

  /* B starts first, so its recording's clock leads what A does. */
  dt_test_endpoints_connect (b, a, params);
  dt_test_run_for (2000);
  dt_rtp_session_set_direction (a->session, FALSE, TRUE);      /* A holds */
  g_assert_false (dt_rtp_session_get_sending (a->session));
  dt_test_run_for (2000);
  dt_rtp_session_set_direction (a->session, TRUE, TRUE);       /* A resumes */
  dt_test_run_for (2000);
  dt_rtp_session_set_direction (b->session, TRUE, FALSE);      /* B hears nothing */
  g_assert_false (dt_rtp_session_get_receiving (b->session));
  dt_test_run_for (1500);

  dt_test_endpoint_load_wav (b, &heard_by_b);
  dt_test_assert_tone (&heard_by_b, 0.8, 1.8, 440, sent, 1.0);
  dt_test_assert_silence (&heard_by_b, 2.6, 3.8);
  /* About a second after the RTP timestamps jump on resume, rtpjitterbuffer's
   * skew estimate (slave mode) resynchronises and moves playout by under a
   * millisecond: one phase step, which would blur a window across it. */
  dt_test_assert_tone (&heard_by_b, 5.3, 5.9, 440, sent, 1.0);
  dt_test_assert_silence (&heard_by_b, 6.5, 7.3);

  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static gboolean
loss_reported (gpointer data)
{
  DtCallStats *stats = data;

  return dt_call_stats_get_packets_received (stats) > 200
         && dt_call_stats_get_packets_lost (stats) > 0
         && dt_call_stats_get_rtt_ms (stats) > 0.0;
}

static void
test_loss (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 1000, FALSE);
  g_autoptr(GInetSocketAddress) a_rtp = dt_test_socket_address (a->rtp);
  g_autoptr(GInetSocketAddress) a_rtcp = dt_test_socket_address (a->rtcp);
  g_autoptr(GInetSocketAddress) b_rtp = dt_test_socket_address (b->rtp);
  g_autoptr(GInetSocketAddress) b_rtcp = dt_test_socket_address (b->rtcp);
  /* Only A's RTP crosses the lossy relay; RTCP goes straight. */
  g_autoptr(DtTestRelay) relay = dt_test_relay_new (b_rtp, 0.10, 20261201);
  g_autoptr(GInetSocketAddress) relay_address = dt_test_relay_get_address (relay);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("opus");
  g_autoptr(GError) error = NULL;
  DtCallStats *stats = dt_rtp_session_get_stats (b->session);
  double loss, mos, lossless_mos, relay_loss;
  int encoder_loss = 0, encoder_bitrate = 0;
  DtTestWav heard_by_b;
  const float *samples;
  gsize n;

  dt_test_endpoint_start (b, params, a_rtp, a_rtcp, &error);
  g_assert_no_error (error);
  dt_test_endpoint_start (a, params, relay_address, b_rtcp, &error);
  g_assert_no_error (error);
  dt_test_run_for (4000);
  g_assert_true (dt_test_run_until (loss_reported, stats, 3000));

  relay_loss = 100.0 * dt_test_relay_get_dropped (relay)
               / dt_test_relay_get_packets (relay)->len;
  loss = dt_call_stats_get_loss_percent (stats);
  mos = dt_call_stats_get_mos (stats);
  lossless_mos = dt_call_quality_estimate ("opus", TRUE, 0.0, dt_call_stats_get_rtt_ms (stats),
                                           dt_call_stats_get_jitter_ms (stats), 60);
  g_test_message ("relay dropped %.1f %%, B counted %" G_GUINT64_FORMAT " lost of %"
                  G_GUINT64_FORMAT " (%.1f %%), RTT %.2f ms, jitter %.2f ms, MOS %.2f "
                  "(%.2f without loss)",
                  relay_loss, dt_call_stats_get_packets_lost (stats),
                  dt_call_stats_get_packets_received (stats), loss,
                  dt_call_stats_get_rtt_ms (stats), dt_call_stats_get_jitter_ms (stats),
                  mos, lossless_mos);
  g_assert_cmpfloat (relay_loss, >, 7.0);
  g_assert_cmpfloat (relay_loss, <, 13.0);
  /* What RTCP says matches what the relay did, to a few packets still in
   * flight or in the jitter buffer. */
  g_assert_cmpfloat_with_epsilon (loss, relay_loss, 2.0);
  /* The E-model with Opus FEC: a frame is lost only with its successor, so
   * 10 % becomes about 1 % residual loss, Ie,eff ≈ 3.6 and R ≈ 87: MOS
   * about 4.25, against 4.35 without loss. 4.0 is what 15 % loss would
   * still give; below that, the estimate or FEC is broken. */
  g_assert_cmpfloat (mos, <, lossless_mos);
  g_assert_cmpfloat (mos, >, 4.0);

  /* A's Opus encoder took the loss B reported in its receiver reports:
   * FEC sized for it, and the offer's 40 kbit/s cut by a quarter only if
   * the smoothed loss reached the congestion mark of 15 %. */
  g_object_get (_dt_rtp_session_get_encoder (a->session),
                "packet-loss-percentage", &encoder_loss, "bitrate", &encoder_bitrate, NULL);
  g_test_message ("A's encoder: packet-loss-percentage %d, bitrate %d", encoder_loss,
                  encoder_bitrate);
  g_assert_cmpint (encoder_loss, >=, 3);
  g_assert_cmpint (encoder_loss, <=, 25);
  g_assert_cmpint (encoder_bitrate, ==, encoder_loss >= 15 ? 30000 : 40000);

  dt_test_endpoint_load_wav (b, &heard_by_b);
  g_assert_true (dt_test_wav_slice (&heard_by_b, 1.0, 4.0, &samples, &n));
  g_test_message ("B heard %.2f Hz at %.2f dBFS",
                  dt_test_audio_dominant_frequency (samples, n, 48000),
                  dt_test_audio_tone_dbfs (samples, n, 48000, 440.0));
  g_assert_cmpfloat_with_epsilon (dt_test_audio_dominant_frequency (samples, n, 48000),
                                  440.0, 2.0);
  /* Concealed and FEC-recovered frames keep the level within 3 dB. */
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs (samples, n, 48000, 440.0),
                                  dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE), 3.0);

  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static gboolean
rtt_known (gpointer data)
{
  DtTestEndpoint **pair = data;

  return dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (pair[0]->session)) > 0.0
         && dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (pair[1]->session)) > 0.0;
}

static void
test_stats (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 1000, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMA");
  DtTestEndpoint *pair[] = { a, b };
  DtCallStats *a_stats = dt_rtp_session_get_stats (a->session);
  DtCallStats *b_stats = dt_rtp_session_get_stats (b->session);
  guint64 a_sent, b_received;

  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (a_stats), <, 0.0);
  dt_test_endpoints_connect (a, b, params);
  g_assert_true (dt_test_run_until (rtt_known, pair, 5000));
  dt_test_run_for (1000);
  dt_rtp_session_stop (a->session);
  dt_test_run_for (300);
  dt_rtp_session_stop (b->session);

  a_sent = dt_call_stats_get_packets_sent (a_stats);
  b_received = dt_call_stats_get_packets_received (b_stats);
  g_test_message ("A sent %" G_GUINT64_FORMAT ", B received %" G_GUINT64_FORMAT
                  ", RTT %.2f ms, jitter %.2f ms, MOS %.2f", a_sent, b_received,
                  dt_call_stats_get_rtt_ms (a_stats), dt_call_stats_get_jitter_ms (b_stats),
                  dt_call_stats_get_mos (b_stats));
  /* 20 ms packets: 50 a second, every one of them arrives on loopback. */
  g_assert_cmpuint (a_sent, >, 50);
  g_assert_cmpuint (b_received, ==, a_sent);
  g_assert_cmpuint (dt_call_stats_get_packets_lost (b_stats), ==, 0);
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (a_stats), <, 50.0);
  g_assert_cmpfloat (dt_call_stats_get_jitter_ms (b_stats), >=, 0.0);
  g_assert_cmpfloat (dt_call_stats_get_jitter_ms (b_stats), <, 20.0);
  /* G.711 without loss on loopback: R ≈ 91, MOS ≈ 4.4 (G.107's ceiling). */
  g_assert_cmpfloat (dt_call_stats_get_mos (b_stats), >, 4.3);

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static void
on_media_timeout (DtRtpSession *session,
                  gpointer      user_data)
{
  gint64 *when = user_data;

  *when = g_get_monotonic_time ();
}

static gboolean
timed_out (gpointer data)
{
  return *(gint64 *) data != 0;
}

static void
test_media_timeout (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("G722");
  gint64 fired = 0, stopped;

  g_assert_cmpuint (dt_rtp_session_get_media_timeout (b->session), ==, 30);
  dt_rtp_session_set_media_timeout (b->session, 1);
  g_signal_connect (b->session, "media-timeout", G_CALLBACK (on_media_timeout), &fired);
  dt_test_endpoints_connect (a, b, params);
  /* Twice the timeout with RTP flowing: no signal. */
  dt_test_run_for (2000);
  g_assert_cmpint (fired, ==, 0);

  dt_rtp_session_stop (a->session);
  stopped = g_get_monotonic_time ();
  g_assert_true (dt_test_run_until (timed_out, &fired, 3000));
  g_test_message ("media-timeout %.2f s after the far end stopped",
                  (fired - stopped) / (double) G_USEC_PER_SEC);
  g_assert_cmpint (fired - stopped, >=, G_USEC_PER_SEC - 300 * 1000);

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quality/hold", test_hold);
  g_test_add_func ("/quality/loss", test_loss);
  g_test_add_func ("/quality/stats", test_stats);
  g_test_add_func ("/quality/media-timeout", test_media_timeout);

  return g_test_run ();
}
