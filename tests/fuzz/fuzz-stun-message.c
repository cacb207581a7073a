/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-stun-message.c
 *
 * Feeds arbitrary bytes to the STUN/TURN decoder, the ChannelData parser and
 * the stream framer, and reads every attribute through every accessor.
 * Besides crashes and sanitizer reports, it aborts when an error is not in
 * DT_STUN_ERROR, when a decoded message does not survive being rebuilt
 * attribute by attribute, signed and fingerprinted, or when the framer and
 * the parsers disagree.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-stun-message.h"

#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-stun-message: %s failed\n", #cond); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_error (GError *error)
{
  FUZZ_CHECK (error != NULL);
  FUZZ_CHECK (error->domain == DT_STUN_ERROR);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0');
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
}

static void
read_everything (const DtStunMessage *message)
{
  static const guint16 address_types[] = {
    DT_STUN_ATTR_MAPPED_ADDRESS, DT_STUN_ATTR_XOR_MAPPED_ADDRESS, DT_STUN_ATTR_XOR_PEER_ADDRESS,
    DT_STUN_ATTR_XOR_RELAYED_ADDRESS, DT_STUN_ATTR_ALTERNATE_SERVER,
  };
  static const guint16 string_types[] = {
    DT_STUN_ATTR_USERNAME, DT_STUN_ATTR_REALM, DT_STUN_ATTR_NONCE, DT_STUN_ATTR_SOFTWARE,
  };
  static const guint8 key_bytes[] = { 'k', 'e', 'y' };
  g_autoptr(GBytes) key = g_bytes_new_static (key_bytes, sizeof key_bytes);
  const guint16 *unknown;
  guint n_unknown;
  guint code;
  guint16 channel;
  guint8 byte;
  guint8 other_byte;
  guint32 value;
  gboolean flag;
  DtStunFamily family;
  DtStunPasswordAlgorithm algorithm;

  for (gsize i = 0; i < G_N_ELEMENTS (address_types); i++)
    {
      g_autoptr(GError) error = NULL;
      DtStunAddress address;

      if (dt_stun_message_get_address (message, address_types[i], &address, &error))
        {
          g_autofree char *text = dt_stun_address_to_string (&address);

          FUZZ_CHECK (text != NULL);
        }
      else
        {
          check_error (error);
        }
    }

  for (gsize i = 0; i < G_N_ELEMENTS (string_types); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = dt_stun_message_get_string (message, string_types[i], &error);

      if (text == NULL)
        check_error (error);
      else
        FUZZ_CHECK (g_utf8_validate (text, -1, NULL));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *reason = NULL;

    if (dt_stun_message_get_error_code (message, &code, &reason, &error))
      FUZZ_CHECK (code >= 300 && code <= 699 && g_utf8_validate (reason, -1, NULL));
    else
      check_error (error);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *reason = NULL;

    if (dt_stun_message_get_address_error_code (message, &family, &code, &reason, &error))
      FUZZ_CHECK (code >= 300 && code <= 699 && g_utf8_validate (reason, -1, NULL));
    else
      check_error (error);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) list = NULL;

    list = dt_stun_message_get_attribute_list (message, DT_STUN_ATTR_UNKNOWN_ATTRIBUTES, &error);
    if (list == NULL)
      check_error (error);
    g_clear_error (&error);
    g_clear_pointer (&list, g_array_unref);
    list = dt_stun_message_get_attribute_list (message, DT_STUN_ATTR_PASSWORD_ALGORITHMS,
                                               &error);
    if (list == NULL)
      check_error (error);
  }
  {
    g_autoptr(GError) error = NULL;

    if (!dt_stun_message_get_uint32 (message, DT_STUN_ATTR_LIFETIME, &value, &error))
      check_error (error);
    g_clear_error (&error);
    if (dt_stun_message_get_channel_number (message, &channel, &error))
      FUZZ_CHECK (channel >= DT_STUN_CHANNEL_MIN && channel <= DT_STUN_CHANNEL_MAX);
    else
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_get_family (message, DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, &family,
                                     &error))
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_get_requested_transport (message, &byte, &error))
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_get_even_port (message, &flag, &error))
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_get_password_algorithm (message, &algorithm, &error))
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_get_icmp (message, &byte, &other_byte, &value, &error))
      check_error (error);
    g_clear_error (&error);
    if (!dt_stun_message_verify_integrity (message, key, &error))
      check_error (error);
  }

  unknown = dt_stun_message_get_unknown_required (message, &n_unknown);
  for (guint i = 0; i < n_unknown; i++)
    FUZZ_CHECK (unknown[i] < 0x8000);
}

/* Rebuilding from the attribute list gives the same bytes, except the
 * padding, which the builder zeroes, and anything ignored after integrity. */
static void
check_rebuild (const DtStunMessage *message)
{
  static const guint8 key_bytes[] = { 's', 'e', 'c', 'r', 'e', 't' };
  g_autoptr(GBytes) key = g_bytes_new_static (key_bytes, sizeof key_bytes);
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(GBytes) rebuilt = NULL;
  g_autoptr(DtStunMessage) again = NULL;
  g_autoptr(GError) error = NULL;
  guint n = dt_stun_message_get_n_attributes (message);
  gsize length;
  const guint8 *data;

  if (dt_stun_message_has_integrity (message) || dt_stun_message_has_fingerprint (message))
    return;

  builder = dt_stun_builder_new (dt_stun_message_get_method (message),
                                 dt_stun_message_get_class (message),
                                 dt_stun_message_get_transaction_id (message));
  for (guint i = 0; i < n; i++)
    {
      guint16 type;
      gsize value_length;
      const guint8 *value = dt_stun_message_get_attribute_at (message, i, &type, &value_length);

      FUZZ_CHECK (dt_stun_builder_add_attribute (builder, type, value, value_length, &error));
    }

  rebuilt = dt_stun_builder_end (builder);
  data = g_bytes_get_data (rebuilt, &length);
  again = dt_stun_message_decode (data, length, &error);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (dt_stun_message_get_n_attributes (again) == n);
  FUZZ_CHECK (dt_stun_message_get_message_type (again) ==
              dt_stun_message_get_message_type (message));

  for (guint i = 0; i < n; i++)
    {
      guint16 type_a;
      guint16 type_b;
      gsize length_a;
      gsize length_b;
      const guint8 *a = dt_stun_message_get_attribute_at (message, i, &type_a, &length_a);
      const guint8 *b = dt_stun_message_get_attribute_at (again, i, &type_b, &length_b);

      FUZZ_CHECK (type_a == type_b && length_a == length_b);
      FUZZ_CHECK (length_a == 0 || memcmp (a, b, length_a) == 0);
    }

  /* signed and fingerprinted, it must verify */
  if (dt_stun_builder_add_message_integrity (builder, key, &error) &&
      dt_stun_builder_add_fingerprint (builder, &error))
    {
      g_autoptr(GBytes) signed_bytes = dt_stun_builder_end (builder);
      g_autoptr(DtStunMessage) signed_message = NULL;

      data = g_bytes_get_data (signed_bytes, &length);
      signed_message = dt_stun_message_decode (data, length, &error);
      FUZZ_CHECK (signed_message != NULL);
      FUZZ_CHECK (dt_stun_message_has_fingerprint (signed_message));
      FUZZ_CHECK (dt_stun_message_verify_integrity (signed_message, key, &error));
      FUZZ_CHECK (dt_stun_message_get_n_attributes (signed_message) == n + 2);
    }
  else
    {
      FUZZ_CHECK (g_error_matches (error, DT_STUN_ERROR, DT_STUN_ERROR_TOO_LONG));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) frame_error = NULL;
  g_autoptr(GError) channel_error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  DtStunPacketKind kind;
  gsize frame;
  gsize consumed;
  gsize payload_length;
  const guint8 *payload;

  if (size > 70000)
    return 0;

  kind = dt_stun_classify_packet (data, size);

  message = dt_stun_message_decode (data, size, &error);
  if (message == NULL)
    {
      check_error (error);
    }
  else
    {
      gsize length;

      FUZZ_CHECK (kind == DT_STUN_PACKET_STUN);
      FUZZ_CHECK (dt_stun_message_get_bytes (message, &length) != NULL && length == size);
      read_everything (message);
      check_rebuild (message);
    }

  if (dt_stun_channel_data_parse (data, size, FALSE, NULL, &payload, &payload_length,
                                  &consumed, &channel_error))
    {
      FUZZ_CHECK (kind == DT_STUN_PACKET_CHANNEL_DATA);
      FUZZ_CHECK (payload == data + 4 && payload_length + 4 <= size && consumed == size);
    }
  else
    {
      check_error (channel_error);
    }

  frame = dt_stun_stream_frame_length (data, size, &frame_error);
  if (frame == 0)
    {
      check_error (frame_error);
      FUZZ_CHECK (message == NULL);
    }
  else if (message != NULL)
    {
      FUZZ_CHECK (frame == size);
    }

  return 0;
}
