/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-srtp.c
 *
 * SRTP with SDES-style keys (RFC 4568): each side encrypts with its own key
 * and decrypts with the other's. Both suites carry the tone both ways; a
 * receiver holding the wrong key hears silence and counts no RTP, while the
 * sender did send.
 */

#include "config.h"

#include "dt-test-rtp.h"

#define CALL_MS 3000

typedef struct
{
  const char *suite;
  gboolean    rtcp_mux;
} SuiteCase;

static void
set_keys (DtRtpParams *params,
          const char  *suite,
          guint8       local,
          guint8       remote)
{
  g_free (params->srtp_suite);
  params->srtp_suite = g_strdup (suite);
  g_clear_pointer (&params->local_key, g_bytes_unref);
  g_clear_pointer (&params->remote_key, g_bytes_unref);
  params->local_key = dt_test_srtp_key (local);
  params->remote_key = dt_test_srtp_key (remote);
}

static void
start (DtTestEndpoint    *endpoint,
       DtTestEndpoint    *peer,
       const DtRtpParams *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) rtp = dt_test_socket_address (peer->rtp);
  g_autoptr(GInetSocketAddress) rtcp = dt_test_socket_address (peer->rtcp);

  dt_test_endpoint_start (endpoint, params, rtp, rtcp, &error);
  g_assert_no_error (error);
}

static void
test_suite (gconstpointer data)
{
  const SuiteCase *test = data;
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 1000, FALSE);
  g_autoptr(DtRtpParams) a_params = dt_test_params_new ("PCMU");
  g_autoptr(DtRtpParams) b_params = NULL;
  DtTestWav heard_by_a, heard_by_b;
  double sent = dt_test_audio_sine_dbfs (DT_TEST_TONE_AMPLITUDE);

  a_params->rtcp_mux = test->rtcp_mux;
  b_params = dt_rtp_params_copy (a_params);
  set_keys (a_params, test->suite, 1, 2);
  set_keys (b_params, test->suite, 2, 1);
  start (a, b, a_params);
  start (b, a, b_params);
  dt_test_run_for (CALL_MS);

  dt_test_endpoint_load_wav (a, &heard_by_a);
  dt_test_endpoint_load_wav (b, &heard_by_b);
  dt_test_assert_tone_tail (&heard_by_b, 440, sent);
  dt_test_assert_tone_tail (&heard_by_a, 1000, sent);
  /* SRTCP works too: each side got the other's reports. */
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (a->session)), >, 0.0);
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (dt_rtp_session_get_stats (b->session)), >, 0.0);

  dt_test_wav_clear (&heard_by_a);
  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

/* G.711 §2: μ-law back to linear, full scale ±1. */
static double
ulaw_to_linear (guint8 code)
{
  guint8 u = ~code;
  int magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84;

  return ((u & 0x80) ? -magnitude : magnitude) / 32768.0;
}

/* How much of a payload's energy is the 440 Hz tone: near 1 for the tone
 * in the clear, near 0 for ciphertext, which decodes to noise. */
static double
tone_fraction (const guint8 *payload,
               gsize         size)
{
  g_autofree float *samples = g_new (float, size);
  double energy = 0.0, amplitude;

  for (gsize i = 0; i < size; i++)
    {
      samples[i] = ulaw_to_linear (payload[i]);
      energy += (double) samples[i] * samples[i];
    }
  amplitude = dt_test_audio_tone_amplitude (samples, size, 8000, 440.0);
  return energy > 0.0 ? amplitude * amplitude / 2.0 / (energy / size) : 0.0;
}

/* What A puts on the wire, caught by a plain socket: with a suite, each RTP
 * packet carries the suite's tag (RFC 3711 §3.1) and a payload that is no
 * longer the tone; without one, the same check sees the tone. */
static void
test_wire (gconstpointer data)
{
  const char *suite = data;
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(GSocket) tap_rtcp = dt_test_udp_socket_new ();
  g_autoptr(DtTestRelay) tap = dt_test_relay_new (NULL, 0.0, 1);
  g_autoptr(GInetSocketAddress) tap_address = dt_test_relay_get_address (tap);
  g_autoptr(GInetSocketAddress) tap_rtcp_address = dt_test_socket_address (tap_rtcp);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMU");
  g_autoptr(GError) error = NULL;
  GPtrArray *packets;
  guint rtp_packets = 0;
  gsize tag = 0;

  if (*suite != '\0')
    {
      set_keys (params, suite, 1, 2);
      tag = g_str_equal (suite, "AES_CM_128_HMAC_SHA1_32") ? 4 : 10;
    }
  dt_test_endpoint_start (a, params, tap_address, tap_rtcp_address, &error);
  g_assert_no_error (error);
  dt_test_run_for (1500);

  packets = dt_test_relay_get_packets (tap);
  for (guint i = 0; i < packets->len; i++)
    {
      gsize size;
      const guint8 *bytes = g_bytes_get_data (g_ptr_array_index (packets, i), &size);
      double fraction;

      /* PT 0 only, and past the first half second of start-up. */
      if ((bytes[1] & 0x7f) != 0 || i < 25)
        continue;
      rtp_packets++;
      /* 20 ms of G.711 is 160 bytes after the 12-byte header. */
      g_assert_cmpuint (size, ==, 12 + 160 + tag);
      fraction = tone_fraction (bytes + 12, 160);
      if (tag == 0)
        g_assert_cmpfloat (fraction, >, 0.8);
      else
        g_assert_cmpfloat (fraction, <, 0.2);
    }
  g_assert_cmpuint (rtp_packets, >, 20);

  g_clear_pointer (&a, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static void
test_wrong_key (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) a_params = dt_test_params_new ("PCMU");
  g_autoptr(DtRtpParams) b_params = dt_rtp_params_copy (a_params);
  DtTestWav heard_by_b;

  set_keys (a_params, "AES_CM_128_HMAC_SHA1_80", 1, 2);
  /* B expects A's key to be 3, but A encrypts with 1. */
  set_keys (b_params, "AES_CM_128_HMAC_SHA1_80", 2, 3);
  start (a, b, a_params);
  start (b, a, b_params);
  dt_test_run_for (CALL_MS);

  dt_test_endpoint_load_wav (b, &heard_by_b);
  dt_test_assert_silence (&heard_by_b, 0.5, 2.5);
  g_assert_cmpuint (dt_call_stats_get_packets_sent (dt_rtp_session_get_stats (a->session)),
                    >, 100);
  g_assert_cmpuint (dt_call_stats_get_packets_received (dt_rtp_session_get_stats (b->session)),
                    ==, 0);

  dt_test_wav_clear (&heard_by_b);
  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  static const SuiteCase sha1_80 = { "AES_CM_128_HMAC_SHA1_80", TRUE };
  static const SuiteCase sha1_32 = { "AES_CM_128_HMAC_SHA1_32", FALSE };

  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/srtp/AES_CM_128_HMAC_SHA1_80/rtcp-mux", &sha1_80, test_suite);
  g_test_add_data_func ("/srtp/AES_CM_128_HMAC_SHA1_32/rtcp-ports", &sha1_32, test_suite);
  g_test_add_data_func ("/srtp/plain/wire", "", test_wire);
  g_test_add_data_func ("/srtp/AES_CM_128_HMAC_SHA1_80/wire", sha1_80.suite, test_wire);
  g_test_add_data_func ("/srtp/AES_CM_128_HMAC_SHA1_32/wire", sha1_32.suite, test_wire);
  g_test_add_func ("/srtp/wrong-key", test_wrong_key);

  return g_test_run ();
}
