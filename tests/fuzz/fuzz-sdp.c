/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-sdp.c
 *
 * Feeds arbitrary bytes to the SDP parser. Besides crashes and sanitizer
 * reports, it aborts when a parsed description does not survive
 * dt_sdp_to_string() and back, and it answers every description it can
 * parse, checking the answer against the offer the way the offerer would.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-sdp.h"

#define FUZZ_CHECK(cond, text) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-sdp: %s failed for:\n%s\n", #cond, (text)); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_error (const GError *error,
             const char   *text)
{
  FUZZ_CHECK (error != NULL, text);
  FUZZ_CHECK (error->domain == DT_SDP_ERROR, text);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0', text);
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), text);
}

static void
fixed_key (const char *suite,
           guint8     *key_salt,
           gsize       length,
           gpointer    user_data)
{
  memset (key_salt, 0x5a, length);
}

static void
read_everything (const DtSdp *sdp)
{
  (void) dt_sdp_is_hold (sdp);

  for (guint i = 0; i < sdp->media->len; i++)
    {
      const DtSdpMedia *media = g_ptr_array_index (sdp->media, i);

      (void) dt_sdp_media_get_direction (sdp, media);
      (void) dt_sdp_media_get_connection (sdp, media);
      (void) dt_sdp_media_is_hold (sdp, media);
      (void) dt_sdp_media_get_attribute (media, "ice-ufrag");

      for (guint j = 0; j < media->fmtps->len; j++)
        {
          const DtSdpFmtp *fmtp = g_ptr_array_index (media->fmtps, j);
          g_autoptr(GHashTable) params = dt_sdp_fmtp_parse_params (fmtp->params);

          (void) params;
        }

      for (guint pt = 0; pt < 128; pt++)
        (void) dt_sdp_lookup_rtpmap (media, pt, NULL, NULL, NULL);
    }
}

/* Answers @offer as Dialtone would, and checks that the answer is one the
 * offerer accepts and that both sides agree. */
static void
check_answer (const DtSdp *offer,
              const char  *text)
{
  static const DtSdpCodec codecs[] = {
    { "opus", 48000, 2, "useinbandfec=1", -1 },
    { "G722", 8000, 1, NULL, -1 },
    { "PCMU", 8000, 1, NULL, -1 },
    { "PCMA", 8000, 1, NULL, -1 },
  };
  DtSdpCaps caps = {
    .codecs = codecs,
    .n_codecs = G_N_ELEMENTS (codecs),
    .dtmf = TRUE,
    .srtp = DT_SDP_SRTP_OPTIONAL,
    .key_func = fixed_key,
    .rtcp_mux = TRUE,
    .address = "192.0.2.1",
    .port = 4000,
    .ptime = 20,
    .session_id = 1,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdpNegotiated) checked = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdp) reparsed = NULL;
  g_autoptr(DtSdp) hold = NULL;
  g_autofree char *answer_text = NULL;

  answer = dt_sdp_create_answer (&caps, offer, &result, &error);
  if (answer == NULL)
    {
      check_error (error, text);
      return;
    }

  FUZZ_CHECK (result != NULL, text);
  FUZZ_CHECK (answer->media->len == offer->media->len, text);

  answer_text = dt_sdp_to_string (answer);
  reparsed = dt_sdp_parse (answer_text, -1, &error);
  FUZZ_CHECK (reparsed != NULL, answer_text);
  FUZZ_CHECK (dt_sdp_equal (answer, reparsed), answer_text);

  /* The offerer accepts every answer Dialtone writes, and both sides agree */
  checked = dt_sdp_negotiate (offer, answer, &error);
  if (checked == NULL)
    g_printerr ("fuzz-sdp: %s\n", error->message);
  FUZZ_CHECK (checked != NULL, answer_text);

  FUZZ_CHECK (checked->pt == result->pt, answer_text);
  FUZZ_CHECK (checked->media_index == result->media_index, answer_text);
  FUZZ_CHECK (checked->rtcp_mux == result->rtcp_mux, answer_text);
  FUZZ_CHECK (g_strcmp0 (checked->srtp_suite, result->srtp_suite) == 0, answer_text);
  FUZZ_CHECK (checked->telephone_event_pt == result->telephone_event_pt, answer_text);
  FUZZ_CHECK (g_strcmp0 (checked->encoding, result->encoding) == 0, answer_text);
  if (result->srtp_suite != NULL)
    {
      FUZZ_CHECK (g_bytes_equal (checked->local_key, result->remote_key), answer_text);
      FUZZ_CHECK (g_bytes_equal (checked->remote_key, result->local_key), answer_text);
    }
  /* what one side sends, the other receives */
  FUZZ_CHECK ((checked->direction == DT_SDP_DIRECTION_SENDONLY) ==
              (result->direction == DT_SDP_DIRECTION_RECVONLY), answer_text);
  FUZZ_CHECK ((checked->direction == DT_SDP_DIRECTION_RECVONLY) ==
              (result->direction == DT_SDP_DIRECTION_SENDONLY), answer_text);
  FUZZ_CHECK ((checked->direction == DT_SDP_DIRECTION_INACTIVE) ==
              (result->direction == DT_SDP_DIRECTION_INACTIVE), answer_text);

  hold = dt_sdp_create_hold_offer (answer);
  FUZZ_CHECK (hold->origin_sess_version == answer->origin_sess_version + 1, answer_text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) sdp = NULL;
  g_autoptr(DtSdp) again = NULL;
  g_autoptr(DtSdp) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *written = NULL;
  g_autofree char *written_again = NULL;

  /* The writer may lengthen a text a little (CRLF for LF, base64 padding);
   * half the limit keeps every written text under it */
  if (size > DT_SDP_MAX_SIZE / 2)
    return 0;

  text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';

  sdp = dt_sdp_parse ((const char *) data, size, &error);
  if (sdp == NULL)
    {
      check_error (error, text);
      return 0;
    }

  read_everything (sdp);

  written = dt_sdp_to_string (sdp);
  again = dt_sdp_parse (written, -1, &error);
  if (again == NULL)
    {
      g_printerr ("fuzz-sdp: %s\n", error->message);
      FUZZ_CHECK (again != NULL, written);
    }
  FUZZ_CHECK (dt_sdp_equal (sdp, again), written);
  FUZZ_CHECK (dt_sdp_equal (again, sdp), written);

  written_again = dt_sdp_to_string (again);
  FUZZ_CHECK (g_str_equal (written, written_again), written);

  copy = dt_sdp_copy (sdp);
  FUZZ_CHECK (dt_sdp_equal (sdp, copy), written);

  check_answer (sdp, written);

  return 0;
}
