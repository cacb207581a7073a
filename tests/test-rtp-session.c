/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-session.c
 *
 * Controlling a running session: a re-INVITE moves the media to another
 * peer or another codec, mute sends silence without stopping RTP, and bad
 * parameters are refused with an error rather than a broken pipeline.
 */

#include "config.h"

#include "dt-test-rtp.h"

static void
test_update (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtTestEndpoint) c = dt_test_endpoint_new (dir, "c", 0, FALSE);
  g_autoptr(GInetSocketAddress) a_rtp = dt_test_socket_address (a->rtp);
  g_autoptr(GInetSocketAddress) a_rtcp = dt_test_socket_address (a->rtcp);
  g_autoptr(GInetSocketAddress) c_rtp = dt_test_socket_address (c->rtp);
  g_autoptr(GInetSocketAddress) c_rtcp = dt_test_socket_address (c->rtcp);
  g_autoptr(DtRtpParams) pcmu = dt_test_params_new ("PCMU");
  g_autoptr(DtRtpParams) g722 = dt_test_params_new ("G722");
  g_autoptr(GError) error = NULL;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  double heard;
  DtTestWav heard_by_b, heard_by_c;

  dt_test_endpoints_connect (a, b, pcmu);
  dt_test_endpoint_start (c, g722, a_rtp, a_rtcp, &error);
  g_assert_no_error (error);
  dt_test_run_for (2500);

  /* Same stream, new address: applied in place. */
  g_assert_true (dt_rtp_session_update (a->session, pcmu, c_rtp, c_rtcp, &error));
  g_assert_no_error (error);
  g_assert_true (dt_rtp_session_is_running (a->session));
  dt_test_run_for (1000);
  dt_test_endpoint_load_wav (b, &heard_by_b);
  /* B's file ends when the test stops it, a second after the move; its
   * start depends on how soon B's pipeline ran, so the windows are counted
   * back from the end: tone before the move, once the jitter buffer has
   * settled, and silence for the last half second. */
  heard = heard_by_b.n_samples / 48000.0;
  g_assert_cmpfloat (heard, >, 2.8);
  dt_test_assert_tone (&heard_by_b, heard - 2.1, heard - 1.2, 440, sent, 1.0);
  dt_test_assert_silence (&heard_by_b, heard - 0.5, heard - 0.05);

  /* A new codec: the pipeline restarts on the same sockets. C runs G.722,
   * so it hears A only after this. */
  g_assert_true (dt_rtp_session_update (a->session, g722, c_rtp, c_rtcp, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dt_call_stats_get_codec (dt_rtp_session_get_stats (a->session)), ==, "G722");
  dt_test_run_for (2500);
  dt_test_endpoint_load_wav (c, &heard_by_c);
  dt_test_assert_tone (&heard_by_c, heard_by_c.n_samples / 48000.0 - 1.0,
                       heard_by_c.n_samples / 48000.0 - 0.2, 440, sent, 1.0);

  dt_test_wav_clear (&heard_by_b);
  dt_test_wav_clear (&heard_by_c);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  g_clear_pointer (&c, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static void
test_mute (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMA");
  DtCallStats *b_stats = dt_rtp_session_get_stats (b->session);
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);
  guint64 received_before;
  double heard;
  DtTestWav heard_by_b;

  dt_test_endpoints_connect (b, a, params);
  dt_test_run_for (1500);
  /* The meter reads the microphone: a −10.46 dBFS sine has an RMS of
   * −13.47 dB re full scale, which is what level reports. */
  g_assert_cmpfloat_with_epsilon (dt_rtp_session_get_input_level (a->session), sent - 3.01, 0.5);
  g_assert_cmpfloat_with_epsilon (dt_rtp_session_get_output_level (b->session), sent - 3.01,
                                  0.5);
  received_before = dt_call_stats_get_packets_received (b_stats);
  dt_rtp_session_set_muted (a->session, TRUE);
  g_assert_true (dt_rtp_session_get_muted (a->session));
  dt_test_run_for (1500);
  /* Muted is silence on the wire, not no RTP. */
  g_assert_cmpuint (dt_call_stats_get_packets_received (b_stats), >, received_before + 50);

  dt_test_endpoint_load_wav (b, &heard_by_b);
  /* Counted back from the end of B's file, as in test_update: the mute
   * came 1.5 s before it. */
  heard = heard_by_b.n_samples / 48000.0;
  g_assert_cmpfloat (heard, >, 2.6);
  dt_test_assert_tone (&heard_by_b, heard - 2.4, heard - 1.6, 440, sent, 1.0);
  dt_test_assert_silence (&heard_by_b, heard - 1.0, heard - 0.05);

  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static void
test_refused (void)
{
  g_autoptr(GSocket) rtp = dt_test_udp_socket_new ();
  g_autoptr(GSocket) peer = dt_test_udp_socket_new ();
  g_autoptr(GInetSocketAddress) peer_address = dt_test_socket_address (peer);
  g_autoptr(DtAudioConfig) audio = dt_audio_config_new ();
  g_autoptr(DtRtpSession) session = NULL;
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMU");
  g_autoptr(GError) error = NULL;

  dt_audio_config_set_source_description (audio, "audiotestsrc is-live=true wave=silence");
  dt_audio_config_set_sink_description (audio, "fakesink");
  session = dt_rtp_session_new (rtp, NULL, audio);

  /* Without mux, RTCP needs its own socket. */
  g_assert_false (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_free (params->encoding);
  params->encoding = g_strdup ("GSM");
  g_assert_false (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_free (params->encoding);
  params->encoding = g_strdup ("pcmu");     /* SDP names are case-insensitive */
  params->rtcp_mux = TRUE;
  params->srtp_suite = g_strdup ("AES_CM_128_HMAC_SHA1_80");
  params->local_key = g_bytes_new_static ("short", 5);
  g_assert_false (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_pointer (&params->srtp_suite, g_free);

  dt_audio_config_set_sink_description (audio, "no-such-element");
  g_assert_false (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (dt_rtp_session_is_running (session));

  dt_audio_config_set_sink_description (audio, "fakesink");
  g_assert_true (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (dt_rtp_session_start (session, params, peer_address, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  dt_rtp_session_stop (session);
  g_assert_false (dt_rtp_session_is_running (session));

  g_assert_finalize_object (g_steal_pointer (&session));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtp-session/update", test_update);
  g_test_add_func ("/rtp-session/mute", test_mute);
  g_test_add_func ("/rtp-session/refused", test_refused);

  return g_test_run ();
}
