/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-params.c */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include "dt-rtp-params.h"

G_DEFINE_BOXED_TYPE (DtRtpParams, dt_rtp_params, dt_rtp_params_copy, dt_rtp_params_free)

static gboolean
bytes_equal (GBytes *a,
             GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_bytes_equal (a, b);
}

/**
 * dt_rtp_params_new:
 * @encoding: "opus", "G722", "PCMU" or "PCMA"
 * @pt: its payload type
 * @clock_rate: its RTP clock rate
 *
 * Returns: (transfer full): parameters for one mono stream, without
 *   telephone-event, RTCP mux or SRTP
 */
DtRtpParams *
dt_rtp_params_new (const char *encoding,
                   int         pt,
                   guint       clock_rate)
{
  DtRtpParams *params;

  g_return_val_if_fail (encoding != NULL, NULL);

  params = g_new0 (DtRtpParams, 1);
  params->encoding = g_strdup (encoding);
  params->pt = pt;
  params->clock_rate = clock_rate;
  params->channels = g_ascii_strcasecmp (encoding, "opus") == 0 ? 2 : 1;
  params->telephone_event_pt = -1;
  params->telephone_event_clock_rate = clock_rate;
  return params;
}

/**
 * dt_rtp_params_copy:
 * @params: parameters
 *
 * Returns: (transfer full): a deep copy
 */
DtRtpParams *
dt_rtp_params_copy (const DtRtpParams *params)
{
  DtRtpParams *copy;

  g_return_val_if_fail (params != NULL, NULL);

  copy = g_memdup2 (params, sizeof *params);
  copy->encoding = g_strdup (params->encoding);
  copy->fmtp = g_strdup (params->fmtp);
  copy->srtp_suite = g_strdup (params->srtp_suite);
  copy->local_key = params->local_key ? g_bytes_ref (params->local_key) : NULL;
  copy->remote_key = params->remote_key ? g_bytes_ref (params->remote_key) : NULL;
  return copy;
}

/**
 * dt_rtp_params_free:
 * @params: (nullable): parameters
 *
 * Frees @params and what it holds.
 */
void
dt_rtp_params_free (DtRtpParams *params)
{
  if (params == NULL)
    return;
  g_free (params->encoding);
  g_free (params->fmtp);
  g_free (params->srtp_suite);
  g_clear_pointer (&params->local_key, g_bytes_unref);
  g_clear_pointer (&params->remote_key, g_bytes_unref);
  g_free (params);
}

/**
 * dt_rtp_params_validate:
 * @params: parameters
 * @error: where to say what is wrong
 *
 * Checks that the media engine can carry @params: a codec it has, payload
 * types in range, and SRTP keys of the right size for a suite it knows.
 *
 * Returns: %TRUE if dt_rtp_session_start() can use @params
 */
gboolean
dt_rtp_params_validate (const DtRtpParams  *params,
                        GError            **error)
{
  static const char * const codecs[] = { "opus", "G722", "PCMU", "PCMA" };
  gboolean known = FALSE;

  g_return_val_if_fail (params != NULL, FALSE);

  for (guint i = 0; params->encoding != NULL && i < G_N_ELEMENTS (codecs); i++)
    known |= g_ascii_strcasecmp (params->encoding, codecs[i]) == 0;
  if (!known)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The codec “%s” is not supported", params->encoding);
      return FALSE;
    }
  /* RFC 3550 §5.1: seven bits; RFC 5761 §4 keeps 64–95 clear of RTCP. */
  if (params->pt < 0 || params->pt > 127
      || params->telephone_event_pt < -1 || params->telephone_event_pt > 127
      || params->pt == params->telephone_event_pt)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid RTP payload types %d and %d",
                   params->pt, params->telephone_event_pt);
      return FALSE;
    }
  if (params->clock_rate == 0
      || (params->telephone_event_pt >= 0 && params->telephone_event_clock_rate == 0))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "An RTP clock rate of zero");
      return FALSE;
    }
  if (params->srtp_suite != NULL)
    {
      if (g_strcmp0 (params->srtp_suite, "AES_CM_128_HMAC_SHA1_80") != 0
          && g_strcmp0 (params->srtp_suite, "AES_CM_128_HMAC_SHA1_32") != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "The SRTP suite “%s” is not supported", params->srtp_suite);
          return FALSE;
        }
      if (params->local_key == NULL || params->remote_key == NULL
          || g_bytes_get_size (params->local_key) != DT_RTP_SRTP_KEY_LENGTH
          || g_bytes_get_size (params->remote_key) != DT_RTP_SRTP_KEY_LENGTH)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "SRTP needs a %d-byte master key and salt for each side",
                       DT_RTP_SRTP_KEY_LENGTH);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * dt_rtp_params_equal:
 * @a: parameters
 * @b: parameters
 *
 * Returns: %TRUE if @a and @b describe the same stream
 */
gboolean
dt_rtp_params_equal (const DtRtpParams *a,
                     const DtRtpParams *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_ascii_strcasecmp (a->encoding, b->encoding) == 0
         && a->pt == b->pt
         && a->clock_rate == b->clock_rate
         && a->channels == b->channels
         && g_strcmp0 (a->fmtp, b->fmtp) == 0
         && a->telephone_event_pt == b->telephone_event_pt
         && a->telephone_event_clock_rate == b->telephone_event_clock_rate
         && !a->rtcp_mux == !b->rtcp_mux
         && g_strcmp0 (a->srtp_suite, b->srtp_suite) == 0
         && bytes_equal (a->local_key, b->local_key)
         && bytes_equal (a->remote_key, b->remote_key);
}
