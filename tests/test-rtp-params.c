/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-params.c
 *
 * What the media engine accepts from offer/answer, and copying it.
 */

#include "config.h"

#include <string.h>

#include "dt-rtp-params.h"

static GBytes *
key (guint8 fill,
     gsize  size)
{
  g_autofree guint8 *bytes = g_malloc (size);

  memset (bytes, fill, size);
  return g_bytes_new (bytes, size);
}

static void
test_defaults (void)
{
  g_autoptr(DtRtpParams) opus = dt_rtp_params_new ("opus", 111, 48000);
  g_autoptr(DtRtpParams) pcmu = dt_rtp_params_new ("PCMU", 0, 8000);

  /* RFC 7587 §7: opus/48000/2 whatever is sent. */
  g_assert_cmpuint (opus->channels, ==, 2);
  g_assert_cmpuint (pcmu->channels, ==, 1);
  g_assert_cmpint (pcmu->telephone_event_pt, ==, -1);
  g_assert_null (pcmu->srtp_suite);
  g_assert_true (dt_rtp_params_validate (opus, NULL));
  g_assert_true (dt_rtp_params_validate (pcmu, NULL));
}

static void
test_validate (void)
{
  g_autoptr(DtRtpParams) params = dt_rtp_params_new ("g722", 9, 8000);
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_rtp_params_validate (params, &error));
  g_assert_no_error (error);

  params->telephone_event_pt = 9;
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  params->telephone_event_pt = 128;
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_clear_error (&error);
  params->telephone_event_pt = 101;
  params->telephone_event_clock_rate = 0;
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_clear_error (&error);
  params->telephone_event_clock_rate = 8000;

  params->srtp_suite = g_strdup ("F8_128_HMAC_SHA1_80");
  params->local_key = key (1, 30);
  params->remote_key = key (2, 30);
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_free (params->srtp_suite);
  params->srtp_suite = g_strdup ("AES_CM_128_HMAC_SHA1_32");
  g_assert_true (dt_rtp_params_validate (params, NULL));
  g_bytes_unref (params->remote_key);
  params->remote_key = key (2, 46);
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_free (params->encoding);
  params->encoding = g_strdup ("iLBC");
  g_assert_false (dt_rtp_params_validate (params, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_copy_equal (void)
{
  g_autoptr(DtRtpParams) params = dt_rtp_params_new ("opus", 111, 48000);
  g_autoptr(DtRtpParams) copy = NULL;
  gpointer boxed;

  params->fmtp = g_strdup ("useinbandfec=1");
  params->srtp_suite = g_strdup ("AES_CM_128_HMAC_SHA1_80");
  params->local_key = key (1, 30);
  params->remote_key = key (2, 30);
  copy = dt_rtp_params_copy (params);
  g_assert_true (copy->fmtp != params->fmtp);
  g_assert_true (dt_rtp_params_equal (params, copy));

  g_bytes_unref (copy->remote_key);
  copy->remote_key = key (3, 30);
  g_assert_false (dt_rtp_params_equal (params, copy));
  g_bytes_unref (copy->remote_key);
  copy->remote_key = key (2, 30);
  g_assert_true (dt_rtp_params_equal (params, copy));
  copy->rtcp_mux = TRUE;
  g_assert_false (dt_rtp_params_equal (params, copy));
  copy->rtcp_mux = FALSE;
  g_free (copy->encoding);
  copy->encoding = g_strdup ("OPUS");    /* SDP names are case-insensitive */
  g_assert_true (dt_rtp_params_equal (params, copy));

  boxed = g_boxed_copy (DT_TYPE_RTP_PARAMS, params);
  g_assert_true (dt_rtp_params_equal (params, boxed));
  g_boxed_free (DT_TYPE_RTP_PARAMS, boxed);
  dt_rtp_params_free (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtp-params/defaults", test_defaults);
  g_test_add_func ("/rtp-params/validate", test_validate);
  g_test_add_func ("/rtp-params/copy-equal", test_copy_equal);

  return g_test_run ();
}
