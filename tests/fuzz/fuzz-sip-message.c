/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-sip-message.c
 *
 * Feeds arbitrary bytes to the SIP message parser, as a datagram and
 * through the stream framer. Besides crashes and sanitizer reports, it
 * aborts when a parsed message written back and parsed again differs, when
 * the framer and the parser disagree, or when an error lacks its reason.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-sip-message.h"

#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-sip-message: %s failed\n", #cond); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_error (const GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == DT_SIP_PARSE_ERROR);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  FUZZ_CHECK (strcmp (dt_sip_parse_error_get_reason (error), error->message) == 0);
  FUZZ_CHECK (strpbrk (error->message, "\r\n") == NULL);
}

static void
read_everything (DtSipMessage *message)
{
  static const char * const names[] = {
    "Via", "v", "From", "To", "Contact", "Route", "Record-Route", "Authorization",
    "WWW-Authenticate", "Subject", "x-unknown",
  };
  guint32 number;
  const char *method;

  (void) dt_sip_message_get_call_id (message);
  (void) dt_sip_message_get_cseq (message, &number, &method);
  (void) dt_sip_message_get_from_tag (message);
  (void) dt_sip_message_get_to_tag (message);
  (void) dt_sip_message_get_top_via_branch (message);
  (void) dt_sip_message_get_max_forwards (message);
  (void) dt_sip_message_get_expires (message);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto(GStrv) values = dt_sip_message_get_header_values (message, names[i]);

      FUZZ_CHECK (g_strv_length (values) == dt_sip_message_count_header (message, names[i]));
      for (guint j = 0; values[j] != NULL; j++)
        {
          dt_sip_via_free (dt_sip_via_parse (values[j]));
          dt_sip_name_addr_free (dt_sip_name_addr_parse (values[j]));
        }
    }
}

static void
check_round_trip (DtSipMessage *message)
{
  g_autoptr(GBytes) bytes = dt_sip_message_to_bytes (message);
  g_autoptr(DtSipMessage) again = NULL;
  g_autoptr(DtSipMessage) streamed = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = g_bytes_get_size (bytes);
  gsize frame_length = 0;
  DtSipFrame frame;

  /* expanding compact names and adding CRs may push a message near the
   * limit over it */
  if (size > DT_SIP_MAX_MESSAGE_SIZE)
    return;

  again = dt_sip_message_parse (g_bytes_get_data (bytes, NULL), size,
                                DT_SIP_FRAMING_DATAGRAM, &error);
  if (again == NULL)
    g_printerr ("fuzz-sip-message: written message refused: %s\n", error->message);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (dt_sip_message_equal (message, again));

  frame = dt_sip_frame_stream (g_bytes_get_data (bytes, NULL), size, &frame_length, &error);
  FUZZ_CHECK (frame == DT_SIP_FRAME_MESSAGE);
  FUZZ_CHECK (frame_length == size);
  streamed = dt_sip_message_parse (g_bytes_get_data (bytes, NULL), size,
                                   DT_SIP_FRAMING_STREAM, &error);
  FUZZ_CHECK (streamed != NULL);
  FUZZ_CHECK (dt_sip_message_equal (message, streamed));
}

static void
parse_datagram (const uint8_t *data,
                size_t         size)
{
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(GError) error = NULL;

  message = dt_sip_message_parse_full (data, size, DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  if (message == NULL)
    {
      check_error (error);
      if (answerable != NULL)
        {
          g_autoptr(DtSipMessage) reply = NULL;
          g_autoptr(GBytes) bytes = NULL;

          FUZZ_CHECK (dt_sip_message_is_request (answerable));
          reply = dt_sip_message_new_response_for (answerable, 400,
                                                   dt_sip_parse_error_get_reason (error),
                                                   "fuzz");
          bytes = dt_sip_message_to_bytes (reply);
          FUZZ_CHECK (g_bytes_get_size (bytes) > 0);
        }
      return;
    }

  FUZZ_CHECK (answerable == NULL);
  read_everything (message);
  check_round_trip (message);
}

static void
parse_stream (const uint8_t *data,
              size_t         size)
{
  gsize offset = 0;

  while (offset < size)
    {
      g_autoptr(GError) error = NULL;
      gsize frame_length = 0;
      DtSipFrame frame;

      frame = dt_sip_frame_stream (data + offset, size - offset, &frame_length, &error);
      switch (frame)
        {
        case DT_SIP_FRAME_NEED_MORE:
          FUZZ_CHECK (error == NULL);
          FUZZ_CHECK (frame_length == 0 ||
                      (frame_length > size - offset && frame_length <= DT_SIP_MAX_MESSAGE_SIZE));
          return;

        case DT_SIP_FRAME_ERROR:
          check_error (error);
          return;

        case DT_SIP_FRAME_PING:
        case DT_SIP_FRAME_PONG:
          FUZZ_CHECK (error == NULL);
          FUZZ_CHECK (frame_length > 0 && frame_length <= size - offset);
          break;

        case DT_SIP_FRAME_MESSAGE:
          {
            g_autoptr(DtSipMessage) message = NULL;

            FUZZ_CHECK (error == NULL);
            FUZZ_CHECK (frame_length > 0 && frame_length <= size - offset);
            FUZZ_CHECK (frame_length <= DT_SIP_MAX_MESSAGE_SIZE);
            message = dt_sip_message_parse (data + offset, frame_length,
                                            DT_SIP_FRAMING_STREAM, &error);
            if (message == NULL)
              {
                check_error (error);
                /* the framer already checked these */
                FUZZ_CHECK (error->code != DT_SIP_PARSE_ERROR_CONTENT_LENGTH &&
                            error->code != DT_SIP_PARSE_ERROR_BODY_LENGTH &&
                            error->code != DT_SIP_PARSE_ERROR_TOO_LARGE);
              }
            else
              {
                check_round_trip (message);
              }
          }
          break;

        default:
          FUZZ_CHECK (FALSE);
        }
      offset += frame_length;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  parse_datagram (data, size);
  parse_stream (data, size);
  return 0;
}
