/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-codecs.c
 *
 * Two RTP sessions on loopback, a tone each way at once: what each side
 * records has the other side's frequency (±2 Hz) at the level it was sent
 * (±1 dB), for Opus, G.722, PCMU and PCMA; and the chain with webrtcdsp on
 * still carries the audio.
 */

#include "config.h"

#include "dt-test-rtp.h"

#define CALL_MS 3000

static void
test_codec (gconstpointer data)
{
  const char *encoding = data;
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 1000, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new (encoding);
  DtTestWav heard_by_a, heard_by_b;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);

  /* Opus over both RTCP mux and separate ports; the others on separate ports. */
  params->rtcp_mux = g_str_equal (encoding, "opus");
  dt_test_endpoints_connect (a, b, params);
  dt_test_run_for (CALL_MS);

  dt_test_endpoint_load_wav (a, &heard_by_a);
  dt_test_endpoint_load_wav (b, &heard_by_b);
  /* The start of each file holds the far end's pipeline starting, the
   * jitter buffer filling and the encoder settling, and how long that takes
   * depends on the machine's load; so the windows count back from the end,
   * written while both ends ran. G.711 and G.722 are level-transparent at
   * this amplitude; Opus is a perceptual codec but keeps a steady tone's
   * level well within 1 dB at 40 kbit/s. */
  dt_test_assert_tone_tail (&heard_by_b, 440, sent);
  dt_test_assert_tone_tail (&heard_by_a, 1000, sent);

  g_assert_cmpuint (dt_call_stats_get_packets_sent (dt_rtp_session_get_stats (a->session)),
                    >, 100);
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_rtp_session_get_stats (b->session)),
                    >, 100);
  g_assert_cmpstr (dt_call_stats_get_codec (dt_rtp_session_get_stats (a->session)), ==,
                   encoding);
  /* RTCP made it both ways, muxed (RFC 5761) or on its own port. */
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (a->session)), >, 0.0);
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (b->session)), >, 0.0);

  dt_test_wav_clear (&heard_by_a);
  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

/* Echo cancellation, noise suppression and gain control all on: a steady
 * tone is what noise suppression is built to attenuate and AGC moves its
 * level, so only the frequency and a clearly audible level are asserted. */
static void
test_dsp_chain (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, TRUE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 1000, TRUE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("opus");
  DtTestWav heard_by_b;
  const float *samples;
  gsize n;

  g_assert_true (dt_audio_config_get_dsp_enabled (a->audio));
  dt_test_endpoints_connect (a, b, params);
  dt_test_run_for (CALL_MS);
  g_assert_cmpfloat (dt_rtp_session_get_input_level (a->session), >, -30.0);
  g_assert_cmpfloat (dt_rtp_session_get_output_level (b->session), >, -40.0);

  dt_test_endpoint_load_wav (b, &heard_by_b);
  g_assert_cmpfloat (heard_by_b.n_samples / 48000.0, >, 2.3);
  g_assert_true (dt_test_wav_slice (&heard_by_b, heard_by_b.n_samples / 48000.0 - 1.8,
                                    heard_by_b.n_samples / 48000.0 - 0.3, &samples, &n));
  g_test_message ("with DSP: %.2f Hz at %.2f dBFS RMS",
                  dt_test_audio_dominant_frequency (samples, n, 48000),
                  dt_test_audio_rms_dbfs (samples, n));
  g_assert_cmpfloat_with_epsilon (dt_test_audio_dominant_frequency (samples, n, 48000),
                                  440.0, 2.0);
  g_assert_cmpfloat (dt_test_audio_rms_dbfs (samples, n), >, -40.0);

  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/rtp/codec/opus", "opus", test_codec);
  g_test_add_data_func ("/rtp/codec/G722", "G722", test_codec);
  g_test_add_data_func ("/rtp/codec/PCMU", "PCMU", test_codec);
  g_test_add_data_func ("/rtp/codec/PCMA", "PCMA", test_codec);
  g_test_add_func ("/rtp/dsp-chain", test_dsp_chain);

  return g_test_run ();
}
