/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-message.c
 *
 * Decoded messages keep a private copy of their bytes and an index of their
 * attributes, so lookups never reach past the buffer and integrity can be
 * checked later, once the caller knows which key applies. Every length read
 * from the wire is checked against what remains before it is used.
 *
 * Per-packet code: plain structs, no GObject (see STYLE.md).
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include "dt-stun-message.h"

/* RFC 8489 §14.8–§14.10, §14.14: "fewer than 128 characters", which UTF-8
 * may spend up to 763 bytes on; §14.3: USERNAME under 513 bytes. */
#define MAX_TEXT_BYTES     763
#define MAX_USERNAME_BYTES 512
/* RFC 8489 §14.8: the reason phrase follows a 4-byte header */
#define ERROR_CODE_HEADER  4
#define MAX_BODY_LENGTH    0xFFFC

typedef struct {
  guint16 type;
  guint16 length;
  guint32 offset;   /* of the value, from the start of the message */
} Attribute;

struct _DtStunMessage {
  guint8  *data;
  gsize    length;
  guint16  message_type;
  GArray  *attributes;         /* Attribute, only those a receiver may act on */
  GArray  *unknown_required;   /* guint16 */
  gssize   integrity_offset;   /* of the attribute header, or -1 */
  gssize   integrity_sha256_offset;
  guint16  integrity_sha256_length;
  gboolean has_fingerprint;
};

struct _DtStunBuilder {
  GByteArray *buffer;
  guint8      padding;
  gboolean    has_integrity;
  gboolean    has_integrity_sha256;
  gboolean    has_fingerprint;
};

typedef struct {
  guint16  type;
  guint16  min_length;
  guint16  max_length;
  gboolean multiple_of_4;
} LengthRule;

/* Lengths fixed or bounded by RFC 8489 §14, RFC 8656 §18 and RFC 8445 §16.1.
 * A known attribute that breaks them makes the message malformed (a 400). */
static const LengthRule length_rules[] = {
  { DT_STUN_ATTR_MAPPED_ADDRESS, 8, 20, TRUE },
  { DT_STUN_ATTR_XOR_MAPPED_ADDRESS, 8, 20, TRUE },
  { DT_STUN_ATTR_XOR_PEER_ADDRESS, 8, 20, TRUE },
  { DT_STUN_ATTR_XOR_RELAYED_ADDRESS, 8, 20, TRUE },
  { DT_STUN_ATTR_ALTERNATE_SERVER, 8, 20, TRUE },
  { DT_STUN_ATTR_USERNAME, 0, MAX_USERNAME_BYTES, FALSE },
  { DT_STUN_ATTR_USERHASH, 32, 32, FALSE },
  { DT_STUN_ATTR_MESSAGE_INTEGRITY, DT_STUN_HMAC_SHA1_LENGTH, DT_STUN_HMAC_SHA1_LENGTH, FALSE },
  { DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, DT_STUN_HMAC_SHA256_MIN_LENGTH,
    DT_STUN_HMAC_SHA256_LENGTH, TRUE },
  { DT_STUN_ATTR_FINGERPRINT, 4, 4, FALSE },
  { DT_STUN_ATTR_ERROR_CODE, ERROR_CODE_HEADER, ERROR_CODE_HEADER + MAX_TEXT_BYTES, FALSE },
  { DT_STUN_ATTR_ADDRESS_ERROR_CODE, ERROR_CODE_HEADER, ERROR_CODE_HEADER + MAX_TEXT_BYTES,
    FALSE },
  { DT_STUN_ATTR_REALM, 0, MAX_TEXT_BYTES, FALSE },
  { DT_STUN_ATTR_NONCE, 0, MAX_TEXT_BYTES, FALSE },
  { DT_STUN_ATTR_SOFTWARE, 0, MAX_TEXT_BYTES, FALSE },
  { DT_STUN_ATTR_ALTERNATE_DOMAIN, 0, 255, FALSE },
  { DT_STUN_ATTR_PASSWORD_ALGORITHM, 4, G_MAXUINT16, FALSE },
  { DT_STUN_ATTR_CHANNEL_NUMBER, 4, 4, FALSE },
  { DT_STUN_ATTR_LIFETIME, 4, 4, FALSE },
  { DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 4, 4, FALSE },
  { DT_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, 4, 4, FALSE },
  { DT_STUN_ATTR_EVEN_PORT, 1, 1, FALSE },
  { DT_STUN_ATTR_REQUESTED_TRANSPORT, 4, 4, FALSE },
  { DT_STUN_ATTR_DONT_FRAGMENT, 0, 0, FALSE },
  { DT_STUN_ATTR_RESERVATION_TOKEN, 8, 8, FALSE },
  { DT_STUN_ATTR_ICMP, 8, 8, FALSE },
  { DT_STUN_ATTR_PRIORITY, 4, 4, FALSE },
  { DT_STUN_ATTR_USE_CANDIDATE, 0, 0, FALSE },
  { DT_STUN_ATTR_ICE_CONTROLLED, 8, 8, FALSE },
  { DT_STUN_ATTR_ICE_CONTROLLING, 8, 8, FALSE },
  { DT_STUN_ATTR_UNKNOWN_ATTRIBUTES, 0, G_MAXUINT16, FALSE },
  { DT_STUN_ATTR_PASSWORD_ALGORITHMS, 0, G_MAXUINT16, TRUE },
  { DT_STUN_ATTR_DATA, 0, G_MAXUINT16, FALSE },
};

G_DEFINE_QUARK (dt-stun-error-quark, dt_stun_error)

static inline guint16
read_u16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
read_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline void
write_u16 (guint8  *p,
           guint16  value)
{
  p[0] = value >> 8;
  p[1] = value & 0xFF;
}

static inline void
write_u32 (guint8  *p,
           guint32  value)
{
  p[0] = value >> 24;
  p[1] = (value >> 16) & 0xFF;
  p[2] = (value >> 8) & 0xFF;
  p[3] = value & 0xFF;
}

static inline gsize
padded (gsize length)
{
  return (length + 3) & ~(gsize) 3;
}

static const char *
attribute_name (guint16 type)
{
  switch (type)
    {
    case DT_STUN_ATTR_MAPPED_ADDRESS: return "MAPPED-ADDRESS";
    case DT_STUN_ATTR_USERNAME: return "USERNAME";
    case DT_STUN_ATTR_MESSAGE_INTEGRITY: return "MESSAGE-INTEGRITY";
    case DT_STUN_ATTR_ERROR_CODE: return "ERROR-CODE";
    case DT_STUN_ATTR_UNKNOWN_ATTRIBUTES: return "UNKNOWN-ATTRIBUTES";
    case DT_STUN_ATTR_CHANNEL_NUMBER: return "CHANNEL-NUMBER";
    case DT_STUN_ATTR_LIFETIME: return "LIFETIME";
    case DT_STUN_ATTR_XOR_PEER_ADDRESS: return "XOR-PEER-ADDRESS";
    case DT_STUN_ATTR_DATA: return "DATA";
    case DT_STUN_ATTR_REALM: return "REALM";
    case DT_STUN_ATTR_NONCE: return "NONCE";
    case DT_STUN_ATTR_XOR_RELAYED_ADDRESS: return "XOR-RELAYED-ADDRESS";
    case DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY: return "REQUESTED-ADDRESS-FAMILY";
    case DT_STUN_ATTR_EVEN_PORT: return "EVEN-PORT";
    case DT_STUN_ATTR_REQUESTED_TRANSPORT: return "REQUESTED-TRANSPORT";
    case DT_STUN_ATTR_DONT_FRAGMENT: return "DONT-FRAGMENT";
    case DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256: return "MESSAGE-INTEGRITY-SHA256";
    case DT_STUN_ATTR_PASSWORD_ALGORITHM: return "PASSWORD-ALGORITHM";
    case DT_STUN_ATTR_USERHASH: return "USERHASH";
    case DT_STUN_ATTR_XOR_MAPPED_ADDRESS: return "XOR-MAPPED-ADDRESS";
    case DT_STUN_ATTR_RESERVATION_TOKEN: return "RESERVATION-TOKEN";
    case DT_STUN_ATTR_PRIORITY: return "PRIORITY";
    case DT_STUN_ATTR_USE_CANDIDATE: return "USE-CANDIDATE";
    case DT_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY: return "ADDITIONAL-ADDRESS-FAMILY";
    case DT_STUN_ATTR_ADDRESS_ERROR_CODE: return "ADDRESS-ERROR-CODE";
    case DT_STUN_ATTR_PASSWORD_ALGORITHMS: return "PASSWORD-ALGORITHMS";
    case DT_STUN_ATTR_ALTERNATE_DOMAIN: return "ALTERNATE-DOMAIN";
    case DT_STUN_ATTR_ICMP: return "ICMP";
    case DT_STUN_ATTR_SOFTWARE: return "SOFTWARE";
    case DT_STUN_ATTR_ALTERNATE_SERVER: return "ALTERNATE-SERVER";
    case DT_STUN_ATTR_FINGERPRINT: return "FINGERPRINT";
    case DT_STUN_ATTR_ICE_CONTROLLED: return "ICE-CONTROLLED";
    case DT_STUN_ATTR_ICE_CONTROLLING: return "ICE-CONTROLLING";
    default: return NULL;
    }
}

static const LengthRule *
find_length_rule (guint16 type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (length_rules); i++)
    {
      if (length_rules[i].type == type)
        return &length_rules[i];
    }

  return NULL;
}

static gboolean
is_xor_address (guint16 type)
{
  return type == DT_STUN_ATTR_XOR_MAPPED_ADDRESS ||
         type == DT_STUN_ATTR_XOR_PEER_ADDRESS ||
         type == DT_STUN_ATTR_XOR_RELAYED_ADDRESS;
}

/* RFC 8489 §14.7: the CRC-32 of ISO/IEC 13239 (reflected 0x04C11DB7, as in
 * zlib and Ethernet). Messages are small, so bitwise is fast enough. */
static guint32
crc32_update (guint32       crc,
              const guint8 *data,
              gsize         length)
{
  crc = ~crc;
  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }

  return ~crc;
}

/* MAC comparison that takes the same time wherever the first difference is */
static gboolean
equal_in_constant_time (const guint8 *a,
                        const guint8 *b,
                        gsize         length)
{
  guint8 diff = 0;

  for (gsize i = 0; i < length; i++)
    diff |= a[i] ^ b[i];

  return diff == 0;
}

/* RFC 8489 §14.5, §14.6: the HMAC covers the message up to the attribute
 * before the integrity attribute, with the header length changed to end at
 * the integrity attribute. */
static void
compute_hmac (const guint8  *data,
              gsize          attribute_offset,
              gsize          attribute_length,
              GChecksumType  checksum_type,
              GBytes        *key,
              guint8        *digest,
              gsize         *digest_length)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 header[DT_STUN_HEADER_LENGTH];
  gsize key_length;
  const guint8 *key_data = g_bytes_get_data (key, &key_length);

  g_assert (attribute_offset >= DT_STUN_HEADER_LENGTH);

  memcpy (header, data, DT_STUN_HEADER_LENGTH);
  write_u16 (header + 2, attribute_offset + 4 + attribute_length - DT_STUN_HEADER_LENGTH);

  hmac = g_hmac_new (checksum_type, key_data, key_length);
  g_hmac_update (hmac, header, DT_STUN_HEADER_LENGTH);
  g_hmac_update (hmac, data + DT_STUN_HEADER_LENGTH, attribute_offset - DT_STUN_HEADER_LENGTH);
  g_hmac_get_digest (hmac, digest, digest_length);
}

static guint32
compute_fingerprint (const guint8 *data,
                     gsize         fingerprint_offset)
{
  guint8 header[DT_STUN_HEADER_LENGTH];
  guint32 crc;

  memcpy (header, data, DT_STUN_HEADER_LENGTH);
  write_u16 (header + 2, fingerprint_offset + 8 - DT_STUN_HEADER_LENGTH);
  crc = crc32_update (0, header, DT_STUN_HEADER_LENGTH);
  crc = crc32_update (crc, data + DT_STUN_HEADER_LENGTH,
                      fingerprint_offset - DT_STUN_HEADER_LENGTH);

  return crc ^ DT_STUN_FINGERPRINT_XOR;
}

static char *
describe_type (guint16 type)
{
  const char *name = attribute_name (type);

  if (name != NULL)
    return g_strdup (name);

  return g_strdup_printf ("attribute 0x%04X", type);
}

/* ---- addresses ---- */

/**
 * dt_stun_address_from_socket_address:
 * @address: (out caller-allocates): the address to fill
 * @socket_address: an IPv4 or IPv6 socket address
 *
 * Returns: %TRUE, or %FALSE if the family is neither IPv4 nor IPv6
 */
gboolean
dt_stun_address_from_socket_address (DtStunAddress      *address,
                                     GInetSocketAddress *socket_address)
{
  GInetAddress *inet;
  gsize size;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (socket_address), FALSE);

  inet = g_inet_socket_address_get_address (socket_address);
  size = g_inet_address_get_native_size (inet);
  memset (address, 0, sizeof *address);

  if (size == 4)
    address->family = DT_STUN_FAMILY_IPV4;
  else if (size == 16)
    address->family = DT_STUN_FAMILY_IPV6;
  else
    return FALSE;

  address->port = g_inet_socket_address_get_port (socket_address);
  memcpy (address->address, g_inet_address_to_bytes (inet), size);

  return TRUE;
}

/**
 * dt_stun_address_to_socket_address:
 * @address: an address
 *
 * Returns: (transfer full): a #GInetSocketAddress
 */
GSocketAddress *
dt_stun_address_to_socket_address (const DtStunAddress *address)
{
  g_autoptr(GInetAddress) inet = NULL;

  g_return_val_if_fail (address != NULL, NULL);

  inet = g_inet_address_new_from_bytes (address->address,
                                        address->family == DT_STUN_FAMILY_IPV6
                                        ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);

  return g_inet_socket_address_new (inet, address->port);
}

/**
 * dt_stun_address_to_string:
 * @address: an address
 *
 * Returns: (transfer full): `192.0.2.1:32853` or `[2001:db8::1]:32853`
 */
char *
dt_stun_address_to_string (const DtStunAddress *address)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autofree char *text = NULL;
  gboolean v6;

  g_return_val_if_fail (address != NULL, NULL);

  v6 = address->family == DT_STUN_FAMILY_IPV6;
  inet = g_inet_address_new_from_bytes (address->address,
                                        v6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
  text = g_inet_address_to_string (inet);

  if (v6)
    return g_strdup_printf ("[%s]:%u", text, address->port);

  return g_strdup_printf ("%s:%u", text, address->port);
}

/* RFC 8489 §14.2: the port is XORed with the cookie's top half, an IPv4
 * address with the cookie, an IPv6 address with cookie ‖ transaction ID. */
static void
xor_address (DtStunAddress *address,
             const guint8  *transaction_id)
{
  guint8 mask[16];
  gsize size = address->family == DT_STUN_FAMILY_IPV6 ? 16 : 4;

  write_u32 (mask, DT_STUN_MAGIC_COOKIE);
  memcpy (mask + 4, transaction_id, DT_STUN_TRANSACTION_ID_LENGTH);

  address->port ^= DT_STUN_MAGIC_COOKIE >> 16;
  for (gsize i = 0; i < size; i++)
    address->address[i] ^= mask[i];
}

/* ---- demultiplexing and framing ---- */

/**
 * dt_stun_classify_packet:
 * @data: the first bytes of a datagram or stream frame
 * @length: how many bytes @data holds
 *
 * Tells STUN from TURN ChannelData from anything else on a socket shared
 * with a TURN server, by the first two bits (RFC 8656 §12): 00 is STUN, 01
 * is ChannelData. First bytes 0x50–0x7F would be the reserved channels
 * 0x5000–0x7FFF, so they count as neither. Diagnostics never shares that
 * socket with DTLS or RTP, which would need RFC 7983's finer ranges.
 *
 * Returns: what the bytes most likely are
 */
DtStunPacketKind
dt_stun_classify_packet (const guint8 *data,
                         gsize         length)
{
  g_return_val_if_fail (data != NULL || length == 0, DT_STUN_PACKET_OTHER);

  if (length == 0)
    return DT_STUN_PACKET_OTHER;

  if ((data[0] & 0xC0) == 0x00)
    return DT_STUN_PACKET_STUN;

  if ((data[0] & 0xF0) == 0x40)
    return DT_STUN_PACKET_CHANNEL_DATA;

  return DT_STUN_PACKET_OTHER;
}

/**
 * dt_stun_stream_frame_length:
 * @data: the bytes received so far on a TCP or TLS connection to a STUN or
 *   TURN server
 * @length: how many bytes @data holds
 * @error: return location for a #GError
 *
 * Over a stream, STUN messages and ChannelData are sent back to back
 * (RFC 8489 §6.2.2, RFC 8656 §12.5); this says where the next one ends.
 * ChannelData over a stream is padded to a multiple of 4 (RFC 8656 §12.4).
 *
 * Returns: the number of bytes the next frame occupies, counting from
 *   @data; 4 when fewer than 4 bytes have arrived, since that much is
 *   needed to know; 0 with @error set when the bytes are neither STUN nor
 *   ChannelData and the stream cannot be resynchronised
 */
gsize
dt_stun_stream_frame_length (const guint8  *data,
                             gsize          length,
                             GError       **error)
{
  guint16 value_length;

  g_return_val_if_fail (data != NULL || length == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (length < 4)
    return 4;

  value_length = read_u16 (data + 2);

  if ((data[0] & 0xC0) == 0)
    {
      if (value_length % 4 != 0)
        {
          g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                       "STUN message length %u is not a multiple of 4", value_length);
          return 0;
        }
      return DT_STUN_HEADER_LENGTH + value_length;
    }

  if ((data[0] & 0xC0) == 0x40)
    {
      guint16 channel = read_u16 (data);

      if (channel > DT_STUN_CHANNEL_MAX)
        {
          g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL,
                       "ChannelData on channel 0x%04X, outside 0x4000–0x4FFF", channel);
          return 0;
        }
      return DT_STUN_CHANNEL_HEADER_LENGTH + padded (value_length);
    }

  g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_STUN,
               "The server sent bytes that are neither STUN nor ChannelData (first byte 0x%02X)",
               data[0]);
  return 0;
}

/**
 * dt_stun_channel_data_parse:
 * @data: a datagram, or the bytes received so far on a stream
 * @length: how many bytes @data holds
 * @stream: whether the bytes came over TCP or TLS, where padding is required
 * @channel: (out) (optional): the channel number
 * @payload: (out) (optional) (transfer none): the application data, in @data
 * @payload_length: (out) (optional): its length
 * @consumed: (out) (optional): bytes the frame used, padding included
 * @error: return location for a #GError
 *
 * Reads a ChannelData message (RFC 8656 §12.4). Over UDP the datagram may
 * hold padding past the data, which is ignored.
 *
 * Returns: %TRUE if a whole frame was read
 */
gboolean
dt_stun_channel_data_parse (const guint8  *data,
                            gsize          length,
                            gboolean       stream,
                            guint16       *channel,
                            const guint8 **payload,
                            gsize         *payload_length,
                            gsize         *consumed,
                            GError       **error)
{
  guint16 number;
  guint16 data_length;
  gsize frame_length;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < DT_STUN_CHANNEL_HEADER_LENGTH)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED,
                   "ChannelData of %" G_GSIZE_FORMAT " bytes is shorter than its header",
                   length);
      return FALSE;
    }

  number = read_u16 (data);
  data_length = read_u16 (data + 2);

  if (number < DT_STUN_CHANNEL_MIN || number > DT_STUN_CHANNEL_MAX)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL,
                   "ChannelData on channel 0x%04X, outside 0x4000–0x4FFF", number);
      return FALSE;
    }

  frame_length = DT_STUN_CHANNEL_HEADER_LENGTH +
                 (stream ? padded (data_length) : data_length);
  if (length < frame_length)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED,
                   "ChannelData claims %u bytes of data but only %" G_GSIZE_FORMAT
                   " bytes arrived", data_length, length - DT_STUN_CHANNEL_HEADER_LENGTH);
      return FALSE;
    }

  if (channel != NULL)
    *channel = number;
  if (payload != NULL)
    *payload = data + DT_STUN_CHANNEL_HEADER_LENGTH;
  if (payload_length != NULL)
    *payload_length = data_length;
  if (consumed != NULL)
    *consumed = stream ? frame_length : length;

  return TRUE;
}

/**
 * dt_stun_channel_data_build:
 * @channel: a channel number, 0x4000–0x4FFF
 * @payload: (array length=payload_length): the application data
 * @payload_length: its length, at most 65535
 * @stream: pad to a multiple of 4, as TCP and TLS require
 *
 * Returns: (transfer full): the ChannelData message (RFC 8656 §12.4)
 */
GBytes *
dt_stun_channel_data_build (guint16       channel,
                            const guint8 *payload,
                            gsize         payload_length,
                            gboolean      stream)
{
  guint8 *frame;
  gsize frame_length;

  g_return_val_if_fail (channel >= DT_STUN_CHANNEL_MIN && channel <= DT_STUN_CHANNEL_MAX, NULL);
  g_return_val_if_fail (payload != NULL || payload_length == 0, NULL);
  g_return_val_if_fail (payload_length <= G_MAXUINT16, NULL);

  frame_length = DT_STUN_CHANNEL_HEADER_LENGTH +
                 (stream ? padded (payload_length) : payload_length);
  frame = g_malloc0 (frame_length);
  write_u16 (frame, channel);
  write_u16 (frame + 2, payload_length);
  if (payload_length > 0)
    memcpy (frame + DT_STUN_CHANNEL_HEADER_LENGTH, payload, payload_length);

  return g_bytes_new_take (frame, frame_length);
}

/* ---- keys ---- */

/* RFC 3454 table B.1: code points SASLprep maps to nothing */
static gboolean
is_mapped_to_nothing (gunichar c)
{
  return c == 0x00AD || c == 0x034F || c == 0x1806 ||
         (c >= 0x180B && c <= 0x180D) ||
         (c >= 0x200B && c <= 0x200D) ||
         c == 0x2060 ||
         (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF;
}

/**
 * dt_stun_prepare_credential:
 * @text: a realm or password, in UTF-8
 * @error: return location for a #GError
 *
 * Prepares a realm or password for a key (RFC 8489 §9.2.2, which names the
 * OpaqueString profile of RFC 8265; RFC 5769 used SASLprep).
 *
 * Dialtone's credentials come from account settings and TURN REST APIs, and
 * are nearly always printable ASCII, which every profile leaves unchanged:
 * such text is returned as it is. For anything else Dialtone applies a
 * minimal SASLprep (RFC 4013): it drops the code points of RFC 3454 table
 * B.1, turns other spaces into U+0020, normalises with NFKC, and rejects
 * control, format, private-use, unassigned and surrogate code points. Bidi
 * rules are not checked. This reproduces the RFC 5769 §2.4 password.
 *
 * Returns: (transfer full): the prepared text, or %NULL with @error set
 */
char *
dt_stun_prepare_credential (const char  *text,
                            GError     **error)
{
  g_autoptr(GString) mapped = NULL;
  g_autofree char *normalized = NULL;
  gboolean ascii = TRUE;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                           "The credential is not valid UTF-8");
      return NULL;
    }

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7F)
        {
          g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                               "The credential contains a control character");
          return NULL;
        }
      if (c >= 0x80)
        ascii = FALSE;
    }

  if (ascii)
    return g_strdup (text);

  mapped = g_string_new (NULL);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeType type = g_unichar_type (c);

      if (is_mapped_to_nothing (c))
        continue;

      if (type == G_UNICODE_SPACE_SEPARATOR)
        {
          g_string_append_c (mapped, ' ');
          continue;
        }

      if (type == G_UNICODE_CONTROL || type == G_UNICODE_FORMAT ||
          type == G_UNICODE_PRIVATE_USE || type == G_UNICODE_UNASSIGNED ||
          type == G_UNICODE_SURROGATE)
        {
          g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                       "The credential contains U+%04X, which STUN does not allow", c);
          return NULL;
        }

      g_string_append_unichar (mapped, c);
    }

  normalized = g_utf8_normalize (mapped->str, mapped->len, G_NORMALIZE_NFKC);
  if (normalized == NULL || normalized[0] == '\0')
    {
      g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                           "The credential is empty once prepared");
      return NULL;
    }

  return g_steal_pointer (&normalized);
}

/**
 * dt_stun_short_term_key:
 * @password: the ICE or short-term password
 * @error: return location for a #GError
 *
 * RFC 8489 §9.1.1: the key is the prepared password itself.
 *
 * Returns: (transfer full): the key, or %NULL with @error set
 */
GBytes *
dt_stun_short_term_key (const char  *password,
                        GError     **error)
{
  g_autofree char *prepared = NULL;
  gsize length;

  g_return_val_if_fail (password != NULL, NULL);

  prepared = dt_stun_prepare_credential (password, error);
  if (prepared == NULL)
    return NULL;

  length = strlen (prepared);
  return g_bytes_new_take (g_steal_pointer (&prepared), length);
}

static GBytes *
hash_credentials (GChecksumType  checksum_type,
                  const char    *first,
                  const char    *second,
                  const char    *third)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (checksum_type);
  gsize length = g_checksum_type_get_length (checksum_type);
  guint8 *digest = g_malloc (length);

  g_checksum_update (checksum, (const guchar *) first, strlen (first));
  g_checksum_update (checksum, (const guchar *) ":", 1);
  g_checksum_update (checksum, (const guchar *) second, strlen (second));
  if (third != NULL)
    {
      g_checksum_update (checksum, (const guchar *) ":", 1);
      g_checksum_update (checksum, (const guchar *) third, strlen (third));
    }
  g_checksum_get_digest (checksum, digest, &length);

  return g_bytes_new_take (digest, length);
}

/**
 * dt_stun_long_term_key:
 * @username: the username, as sent in USERNAME
 * @realm: the REALM the server sent
 * @password: the password
 * @algorithm: the PASSWORD-ALGORITHM in use; MD5 when the server sent none
 * @error: return location for a #GError
 *
 * RFC 8489 §9.2.2: key = MD5 or SHA-256 of username ":" realm ":" password,
 * with realm and password prepared by dt_stun_prepare_credential().
 *
 * Returns: (transfer full): a 16- or 32-byte key, or %NULL with @error set
 */
GBytes *
dt_stun_long_term_key (const char               *username,
                       const char               *realm,
                       const char               *password,
                       DtStunPasswordAlgorithm   algorithm,
                       GError                  **error)
{
  g_autofree char *prepared_realm = NULL;
  g_autofree char *prepared_password = NULL;

  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (realm != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (algorithm == DT_STUN_PASSWORD_ALGORITHM_MD5 ||
                        algorithm == DT_STUN_PASSWORD_ALGORITHM_SHA256, NULL);

  if (!g_utf8_validate (username, -1, NULL))
    {
      g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                           "The username is not valid UTF-8");
      return NULL;
    }

  prepared_realm = dt_stun_prepare_credential (realm, error);
  if (prepared_realm == NULL)
    return NULL;
  prepared_password = dt_stun_prepare_credential (password, error);
  if (prepared_password == NULL)
    return NULL;

  return hash_credentials (algorithm == DT_STUN_PASSWORD_ALGORITHM_SHA256
                           ? G_CHECKSUM_SHA256 : G_CHECKSUM_MD5,
                           username, prepared_realm, prepared_password);
}

/**
 * dt_stun_userhash:
 * @username: the username
 * @realm: the REALM the server sent
 * @error: return location for a #GError
 *
 * RFC 8489 §14.4: USERHASH = SHA-256 (username ":" realm).
 *
 * Returns: (transfer full): the 32-byte hash, or %NULL with @error set
 */
GBytes *
dt_stun_userhash (const char  *username,
                  const char  *realm,
                  GError     **error)
{
  g_autofree char *prepared_realm = NULL;

  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (realm != NULL, NULL);

  if (!g_utf8_validate (username, -1, NULL))
    {
      g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS,
                           "The username is not valid UTF-8");
      return NULL;
    }

  prepared_realm = dt_stun_prepare_credential (realm, error);
  if (prepared_realm == NULL)
    return NULL;

  return hash_credentials (G_CHECKSUM_SHA256, username, prepared_realm, NULL);
}

/* ---- decoding ---- */

static gboolean
check_attribute_length (guint16   type,
                        guint16   length,
                        GError  **error)
{
  const LengthRule *rule = find_length_rule (type);
  g_autofree char *name = NULL;

  if (rule == NULL)
    return TRUE;

  if (length >= rule->min_length && length <= rule->max_length &&
      (!rule->multiple_of_4 || length % 4 == 0))
    return TRUE;

  name = describe_type (type);
  g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
               "%s has a length of %u bytes, which RFC 8489 and RFC 8656 do not allow",
               name, length);
  return FALSE;
}

static void
add_unknown (GArray  *unknown,
             guint16  type)
{
  for (guint i = 0; i < unknown->len; i++)
    {
      if (g_array_index (unknown, guint16, i) == type)
        return;
    }

  g_array_append_val (unknown, type);
}

/**
 * dt_stun_message_decode:
 * @data: (array length=length): one whole STUN message: a datagram, or a
 *   frame cut with dt_stun_stream_frame_length()
 * @length: its length
 * @error: return location for a #GError
 *
 * Checks the header (RFC 8489 §5, §6.3), the length of every attribute, and
 * FINGERPRINT when present (§14.7: it must be last and must match). Attributes
 * after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT,
 * and after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT, are dropped
 * (§14.5, §14.6). Unknown comprehension-required attributes do not fail the
 * decode: dt_stun_message_get_unknown_required() lists them for a 420.
 * Integrity is checked separately, with dt_stun_message_verify_integrity().
 *
 * Returns: (transfer full): the message, or %NULL with @error set
 */
DtStunMessage *
dt_stun_message_decode (const guint8  *data,
                        gsize          length,
                        GError       **error)
{
  g_autoptr(DtStunMessage) message = NULL;
  guint16 body_length;
  gsize position;
  gboolean after_integrity = FALSE;
  gboolean after_integrity_sha256 = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < DT_STUN_HEADER_LENGTH)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED,
                   "A STUN message of %" G_GSIZE_FORMAT " bytes is shorter than its "
                   "20-byte header", length);
      return NULL;
    }

  if ((data[0] & 0xC0) != 0)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_STUN,
                   "Not a STUN message: the first two bits are not zero (byte 0x%02X)",
                   data[0]);
      return NULL;
    }

  if (read_u32 (data + 4) != DT_STUN_MAGIC_COOKIE)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_STUN,
                   "Not a STUN message: the magic cookie is 0x%08X, not 0x2112A442 "
                   "(an RFC 3489 server?)", read_u32 (data + 4));
      return NULL;
    }

  body_length = read_u16 (data + 2);
  if (body_length % 4 != 0)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                   "STUN message length %u is not a multiple of 4", body_length);
      return NULL;
    }

  if (length - DT_STUN_HEADER_LENGTH < body_length)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED,
                   "The STUN header announces %u bytes of attributes but only %"
                   G_GSIZE_FORMAT " arrived", body_length, length - DT_STUN_HEADER_LENGTH);
      return NULL;
    }

  if (length - DT_STUN_HEADER_LENGTH > body_length)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                   "The STUN header announces %u bytes of attributes but %" G_GSIZE_FORMAT
                   " follow it", body_length, length - DT_STUN_HEADER_LENGTH);
      return NULL;
    }

  message = g_new0 (DtStunMessage, 1);
  message->data = g_memdup2 (data, length);
  message->length = length;
  message->message_type = read_u16 (data);
  message->attributes = g_array_new (FALSE, FALSE, sizeof (Attribute));
  message->unknown_required = g_array_new (FALSE, FALSE, sizeof (guint16));
  message->integrity_offset = -1;
  message->integrity_sha256_offset = -1;

  position = DT_STUN_HEADER_LENGTH;
  while (position < length)
    {
      Attribute attribute;
      gboolean ignored;

      /* the body length is a multiple of 4, so a whole TLV header is here */
      g_assert (length - position >= 4);

      attribute.type = read_u16 (data + position);
      attribute.length = read_u16 (data + position + 2);
      attribute.offset = position + 4;

      if (padded (attribute.length) > length - position - 4)
        {
          g_autofree char *name = describe_type (attribute.type);

          g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED,
                       "%s claims %u bytes but only %" G_GSIZE_FORMAT " remain in the message",
                       name, attribute.length, length - position - 4);
          return NULL;
        }

      if (attribute.type == DT_STUN_ATTR_FINGERPRINT)
        {
          guint32 expected;

          if (!check_attribute_length (attribute.type, attribute.length, error))
            return NULL;

          /* so nothing can follow it */
          if (position + 8 != length)
            {
              g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_FINGERPRINT,
                                   "FINGERPRINT is not the last attribute");
              return NULL;
            }

          expected = compute_fingerprint (data, position);
          if (read_u32 (data + attribute.offset) != expected)
            {
              g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_FINGERPRINT,
                           "FINGERPRINT is 0x%08X, the message gives 0x%08X: it was damaged "
                           "or is not STUN", read_u32 (data + attribute.offset), expected);
              return NULL;
            }

          message->has_fingerprint = TRUE;
          g_array_append_val (message->attributes, attribute);
          position += 8;
          continue;
        }

      ignored = after_integrity_sha256 ||
                (after_integrity && attribute.type != DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256);

      if (!ignored)
        {
          if (!check_attribute_length (attribute.type, attribute.length, error))
            return NULL;

          if (attribute.type == DT_STUN_ATTR_MESSAGE_INTEGRITY)
            {
              message->integrity_offset = position;
              after_integrity = TRUE;
            }
          else if (attribute.type == DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256)
            {
              message->integrity_sha256_offset = position;
              message->integrity_sha256_length = attribute.length;
              after_integrity_sha256 = TRUE;
            }
          else if (attribute.type < 0x8000 && attribute_name (attribute.type) == NULL)
            {
              add_unknown (message->unknown_required, attribute.type);
            }

          g_array_append_val (message->attributes, attribute);
        }

      position += 4 + padded (attribute.length);
    }

  return g_steal_pointer (&message);
}

/**
 * dt_stun_message_free:
 * @message: (nullable): a message
 */
void
dt_stun_message_free (DtStunMessage *message)
{
  if (message == NULL)
    return;

  g_clear_pointer (&message->attributes, g_array_unref);
  g_clear_pointer (&message->unknown_required, g_array_unref);
  g_free (message->data);
  g_free (message);
}

/**
 * dt_stun_message_get_method:
 * @message: a message
 *
 * Returns: the 12-bit method (RFC 8489 §5), compare with #DtStunMethod
 */
guint16
dt_stun_message_get_method (const DtStunMessage *message)
{
  guint16 type;

  g_return_val_if_fail (message != NULL, 0);

  type = message->message_type;
  return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
}

/**
 * dt_stun_message_get_class:
 * @message: a message
 *
 * Returns: the class, from bits C0 (0x0010) and C1 (0x0100)
 */
DtStunClass
dt_stun_message_get_class (const DtStunMessage *message)
{
  guint16 type;

  g_return_val_if_fail (message != NULL, DT_STUN_CLASS_REQUEST);

  type = message->message_type;
  return (DtStunClass) (((type & 0x0010) >> 4) | ((type & 0x0100) >> 7));
}

/**
 * dt_stun_message_get_message_type:
 * @message: a message
 *
 * Returns: the raw 14-bit message type, such as 0x0101 for a Binding success
 */
guint16
dt_stun_message_get_message_type (const DtStunMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->message_type;
}

/**
 * dt_stun_message_get_transaction_id:
 * @message: a message
 *
 * Returns: (array fixed-size=12) (transfer none): the transaction ID
 */
const guint8 *
dt_stun_message_get_transaction_id (const DtStunMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->data + 8;
}

/**
 * dt_stun_message_get_bytes:
 * @message: a message
 * @length: (out): its length
 *
 * Returns: (transfer none): the message as it was decoded
 */
const guint8 *
dt_stun_message_get_bytes (const DtStunMessage *message,
                           gsize               *length)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  *length = message->length;
  return message->data;
}

/**
 * dt_stun_message_has_fingerprint:
 * @message: a message
 *
 * Returns: whether the message ended with a FINGERPRINT, which the decoder
 *   has already checked
 */
gboolean
dt_stun_message_has_fingerprint (const DtStunMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return message->has_fingerprint;
}

/**
 * dt_stun_message_has_integrity:
 * @message: a message
 *
 * Returns: whether the message carries MESSAGE-INTEGRITY or
 *   MESSAGE-INTEGRITY-SHA256
 */
gboolean
dt_stun_message_has_integrity (const DtStunMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return message->integrity_offset >= 0 || message->integrity_sha256_offset >= 0;
}

/**
 * dt_stun_message_verify_integrity:
 * @message: a message
 * @key: the key from dt_stun_short_term_key() or dt_stun_long_term_key()
 * @error: return location for a #GError
 *
 * Checks MESSAGE-INTEGRITY-SHA256 when present, which RFC 8489 §9.1.3 and
 * §9.2.5 prefer, and MESSAGE-INTEGRITY otherwise. A truncated
 * MESSAGE-INTEGRITY-SHA256 (§14.6) is compared over its own length.
 *
 * Returns: %TRUE if the message was sent with @key
 */
gboolean
dt_stun_message_verify_integrity (const DtStunMessage  *message,
                                  GBytes               *key,
                                  GError              **error)
{
  guint8 digest[DT_STUN_HMAC_SHA256_LENGTH];
  gsize digest_length = sizeof digest;
  gsize offset;
  gsize mac_length;
  const char *name;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (message->integrity_sha256_offset >= 0)
    {
      offset = message->integrity_sha256_offset;
      mac_length = message->integrity_sha256_length;
      name = "MESSAGE-INTEGRITY-SHA256";
      compute_hmac (message->data, offset, mac_length, G_CHECKSUM_SHA256, key,
                    digest, &digest_length);
    }
  else if (message->integrity_offset >= 0)
    {
      offset = message->integrity_offset;
      mac_length = DT_STUN_HMAC_SHA1_LENGTH;
      name = "MESSAGE-INTEGRITY";
      compute_hmac (message->data, offset, mac_length, G_CHECKSUM_SHA1, key,
                    digest, &digest_length);
    }
  else
    {
      g_set_error_literal (error, DT_STUN_ERROR, DT_STUN_ERROR_NO_INTEGRITY,
                           "The message carries no MESSAGE-INTEGRITY");
      return FALSE;
    }

  g_assert (mac_length <= digest_length);

  if (!equal_in_constant_time (digest, message->data + offset + 4, mac_length))
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_INTEGRITY,
                   "%s does not match: wrong credentials, or the message was altered", name);
      return FALSE;
    }

  return TRUE;
}

/**
 * dt_stun_message_get_n_attributes:
 * @message: a message
 *
 * Returns: how many attributes the message holds, not counting those
 *   ignored after an integrity attribute
 */
guint
dt_stun_message_get_n_attributes (const DtStunMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->attributes->len;
}

/**
 * dt_stun_message_get_attribute_at:
 * @message: a message
 * @index: which attribute, in message order
 * @type: (out) (optional): its type
 * @length: (out) (optional): its value's length, without padding
 *
 * Returns: (transfer none): its value
 */
const guint8 *
dt_stun_message_get_attribute_at (const DtStunMessage *message,
                                  guint                index,
                                  guint16             *type,
                                  gsize               *length)
{
  const Attribute *attribute;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (index < message->attributes->len, NULL);

  attribute = &g_array_index (message->attributes, Attribute, index);
  if (type != NULL)
    *type = attribute->type;
  if (length != NULL)
    *length = attribute->length;

  return message->data + attribute->offset;
}

/**
 * dt_stun_message_get_attribute:
 * @message: a message
 * @type: an attribute type
 * @length: (out) (optional): the value's length, without padding
 *
 * Returns: (transfer none) (nullable): the value of the first attribute of
 *   @type, or %NULL if there is none
 */
const guint8 *
dt_stun_message_get_attribute (const DtStunMessage *message,
                               guint16              type,
                               gsize               *length)
{
  g_return_val_if_fail (message != NULL, NULL);

  for (guint i = 0; i < message->attributes->len; i++)
    {
      const Attribute *attribute = &g_array_index (message->attributes, Attribute, i);

      if (attribute->type == type)
        {
          if (length != NULL)
            *length = attribute->length;
          return message->data + attribute->offset;
        }
    }

  if (length != NULL)
    *length = 0;

  return NULL;
}

/**
 * dt_stun_message_has_attribute:
 * @message: a message
 * @type: an attribute type
 *
 * Returns: whether the message holds an attribute of @type
 */
gboolean
dt_stun_message_has_attribute (const DtStunMessage *message,
                               guint16              type)
{
  g_return_val_if_fail (message != NULL, FALSE);

  return dt_stun_message_get_attribute (message, type, NULL) != NULL;
}

/**
 * dt_stun_message_get_unknown_required:
 * @message: a message
 * @n_types: (out): how many
 *
 * Comprehension-required attributes (0x0000–0x7FFF) Dialtone does not know:
 * a request carrying any must be answered with 420 and UNKNOWN-ATTRIBUTES,
 * and a response carrying any must be dropped (RFC 8489 §6.3.1, §6.3.3).
 *
 * Returns: (array length=n_types) (transfer none) (nullable): their types
 */
const guint16 *
dt_stun_message_get_unknown_required (const DtStunMessage *message,
                                      guint               *n_types)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (n_types != NULL, NULL);

  *n_types = message->unknown_required->len;
  if (*n_types == 0)
    return NULL;

  return (const guint16 *) (gpointer) message->unknown_required->data;
}

static const guint8 *
require_attribute (const DtStunMessage  *message,
                   guint16               type,
                   gsize                *length,
                   GError              **error)
{
  const guint8 *value = dt_stun_message_get_attribute (message, type, length);

  if (value == NULL)
    {
      g_autofree char *name = describe_type (type);

      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_FOUND,
                   "The message has no %s", name);
    }

  return value;
}

static gboolean
malformed (guint16   type,
           GError  **error)
{
  g_autofree char *name = describe_type (type);

  g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
               "%s is malformed", name);
  return FALSE;
}

/**
 * dt_stun_message_get_address:
 * @message: a message
 * @type: MAPPED-ADDRESS, ALTERNATE-SERVER or one of the XOR- address types
 * @address: (out caller-allocates): the address, un-XORed
 * @error: return location for a #GError
 *
 * Reads the address format of RFC 8489 §14.1 and §14.2.
 *
 * Returns: %TRUE if the attribute is present and well formed
 */
gboolean
dt_stun_message_get_address (const DtStunMessage  *message,
                             guint16               type,
                             DtStunAddress        *address,
                             GError              **error)
{
  const guint8 *value;
  gsize length;
  gsize size;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  value = require_attribute (message, type, &length, error);
  if (value == NULL)
    return FALSE;

  if (length < 4)
    return malformed (type, error);

  memset (address, 0, sizeof *address);
  if (value[1] == DT_STUN_FAMILY_IPV4)
    size = 4;
  else if (value[1] == DT_STUN_FAMILY_IPV6)
    size = 16;
  else
    {
      g_autofree char *name = describe_type (type);

      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                   "%s has unknown address family 0x%02X", name, value[1]);
      return FALSE;
    }

  if (length != 4 + size)
    return malformed (type, error);

  address->family = value[1];
  address->port = read_u16 (value + 2);
  memcpy (address->address, value + 4, size);

  if (is_xor_address (type))
    xor_address (address, dt_stun_message_get_transaction_id (message));

  return TRUE;
}

/**
 * dt_stun_message_get_string:
 * @message: a message
 * @type: USERNAME, REALM, NONCE, SOFTWARE or another text attribute
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the value, which is valid UTF-8 without NULs,
 *   or %NULL with @error set
 */
char *
dt_stun_message_get_string (const DtStunMessage  *message,
                            guint16               type,
                            GError              **error)
{
  const guint8 *value;
  gsize length;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = require_attribute (message, type, &length, error);
  if (value == NULL)
    return NULL;

  if (!g_utf8_validate_len ((const char *) value, length, NULL))
    {
      g_autofree char *name = describe_type (type);

      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                   "%s is not valid UTF-8", name);
      return NULL;
    }

  return g_strndup ((const char *) value, length);
}

/**
 * dt_stun_message_get_uint32:
 * @message: a message
 * @type: LIFETIME, PRIORITY or another 32-bit attribute
 * @value: (out): the value
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the attribute is present and 4 bytes long
 */
gboolean
dt_stun_message_get_uint32 (const DtStunMessage  *message,
                            guint16               type,
                            guint32              *value,
                            GError              **error)
{
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  data = require_attribute (message, type, &length, error);
  if (data == NULL)
    return FALSE;
  if (length != 4)
    return malformed (type, error);

  *value = read_u32 (data);
  return TRUE;
}

static char *
read_reason (const guint8 *data,
             gsize         length)
{
  return g_utf8_make_valid ((const char *) data, length);
}

static gboolean
read_code (guint16        type,
           const guint8  *value,
           guint         *code,
           GError       **error)
{
  guint klass = value[2] & 0x07;
  guint number = value[3];

  /* RFC 8489 §14.8: class 3–6, number 0–99 */
  if (klass < 3 || klass > 6 || number > 99)
    return malformed (type, error);

  *code = klass * 100 + number;
  return TRUE;
}

/**
 * dt_stun_message_get_error_code:
 * @message: a message
 * @code: (out): the code, 300–699
 * @reason: (out) (optional) (transfer full): the reason phrase, made valid
 *   UTF-8
 * @error: return location for a #GError
 *
 * Reads ERROR-CODE (RFC 8489 §14.8).
 *
 * Returns: %TRUE if the attribute is present and well formed
 */
gboolean
dt_stun_message_get_error_code (const DtStunMessage  *message,
                                guint                *code,
                                char                **reason,
                                GError              **error)
{
  const guint8 *value;
  gsize length;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_ERROR_CODE, &length, error);
  if (value == NULL)
    return FALSE;
  g_assert (length >= ERROR_CODE_HEADER);

  if (!read_code (DT_STUN_ATTR_ERROR_CODE, value, code, error))
    return FALSE;

  if (reason != NULL)
    *reason = read_reason (value + ERROR_CODE_HEADER, length - ERROR_CODE_HEADER);

  return TRUE;
}

/**
 * dt_stun_message_get_address_error_code:
 * @message: a message
 * @family: (out): the address family the error is about
 * @code: (out): the code, 300–699
 * @reason: (out) (optional) (transfer full): the reason phrase
 * @error: return location for a #GError
 *
 * Reads ADDRESS-ERROR-CODE (RFC 8656 §18.12).
 *
 * Returns: %TRUE if the attribute is present and well formed
 */
gboolean
dt_stun_message_get_address_error_code (const DtStunMessage  *message,
                                        DtStunFamily         *family,
                                        guint                *code,
                                        char                **reason,
                                        GError              **error)
{
  const guint8 *value;
  gsize length;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (family != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_ADDRESS_ERROR_CODE, &length, error);
  if (value == NULL)
    return FALSE;
  g_assert (length >= ERROR_CODE_HEADER);

  if (value[0] != DT_STUN_FAMILY_IPV4 && value[0] != DT_STUN_FAMILY_IPV6)
    return malformed (DT_STUN_ATTR_ADDRESS_ERROR_CODE, error);
  if (!read_code (DT_STUN_ATTR_ADDRESS_ERROR_CODE, value, code, error))
    return FALSE;

  *family = value[0];
  if (reason != NULL)
    *reason = read_reason (value + ERROR_CODE_HEADER, length - ERROR_CODE_HEADER);

  return TRUE;
}

/**
 * dt_stun_message_get_attribute_list:
 * @message: a message
 * @type: UNKNOWN-ATTRIBUTES or PASSWORD-ALGORITHMS
 * @error: return location for a #GError
 *
 * Reads the attribute types of UNKNOWN-ATTRIBUTES (RFC 8489 §14.13) or the
 * algorithms of PASSWORD-ALGORITHMS (§14.11), skipping their parameters.
 *
 * Returns: (transfer full) (element-type guint16): the values, or %NULL
 *   with @error set
 */
GArray *
dt_stun_message_get_attribute_list (const DtStunMessage  *message,
                                    guint16               type,
                                    GError              **error)
{
  g_autoptr(GArray) values = NULL;
  const guint8 *data;
  gsize length;
  gsize position = 0;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (type == DT_STUN_ATTR_UNKNOWN_ATTRIBUTES ||
                        type == DT_STUN_ATTR_PASSWORD_ALGORITHMS, NULL);

  data = require_attribute (message, type, &length, error);
  if (data == NULL)
    return NULL;

  values = g_array_new (FALSE, FALSE, sizeof (guint16));

  if (type == DT_STUN_ATTR_UNKNOWN_ATTRIBUTES)
    {
      if (length % 2 != 0)
        {
          malformed (type, error);
          return NULL;
        }
      for (position = 0; position < length; position += 2)
        {
          guint16 value = read_u16 (data + position);

          g_array_append_val (values, value);
        }
      return g_steal_pointer (&values);
    }

  while (position < length)
    {
      guint16 algorithm;
      guint16 parameters;

      if (length - position < 4)
        {
          malformed (type, error);
          return NULL;
        }
      algorithm = read_u16 (data + position);
      parameters = read_u16 (data + position + 2);
      if (padded (parameters) > length - position - 4)
        {
          malformed (type, error);
          return NULL;
        }
      g_array_append_val (values, algorithm);
      position += 4 + padded (parameters);
    }

  return g_steal_pointer (&values);
}

/**
 * dt_stun_message_get_channel_number:
 * @message: a message
 * @channel: (out): the channel, 0x4000–0x4FFF
 * @error: return location for a #GError
 *
 * Returns: %TRUE if CHANNEL-NUMBER (RFC 8656 §18.1) is present and valid
 */
gboolean
dt_stun_message_get_channel_number (const DtStunMessage  *message,
                                    guint16              *channel,
                                    GError              **error)
{
  const guint8 *value;
  guint16 number;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (channel != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_CHANNEL_NUMBER, NULL, error);
  if (value == NULL)
    return FALSE;

  number = read_u16 (value);
  if (number < DT_STUN_CHANNEL_MIN || number > DT_STUN_CHANNEL_MAX)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL,
                   "CHANNEL-NUMBER 0x%04X is outside 0x4000–0x4FFF", number);
      return FALSE;
    }

  *channel = number;
  return TRUE;
}

/**
 * dt_stun_message_get_family:
 * @message: a message
 * @type: REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY
 * @family: (out): the family
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the attribute (RFC 8656 §18.6, §18.11) is present and
 *   names IPv4 or IPv6
 */
gboolean
dt_stun_message_get_family (const DtStunMessage  *message,
                            guint16               type,
                            DtStunFamily         *family,
                            GError              **error)
{
  const guint8 *value;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (family != NULL, FALSE);

  value = require_attribute (message, type, NULL, error);
  if (value == NULL)
    return FALSE;

  if (value[0] != DT_STUN_FAMILY_IPV4 && value[0] != DT_STUN_FAMILY_IPV6)
    return malformed (type, error);

  *family = value[0];
  return TRUE;
}

/**
 * dt_stun_message_get_requested_transport:
 * @message: a message
 * @protocol: (out): the IP protocol number, 17 for UDP
 * @error: return location for a #GError
 *
 * Returns: %TRUE if REQUESTED-TRANSPORT (RFC 8656 §18.8) is present
 */
gboolean
dt_stun_message_get_requested_transport (const DtStunMessage  *message,
                                         guint8               *protocol,
                                         GError              **error)
{
  const guint8 *value;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (protocol != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_REQUESTED_TRANSPORT, NULL, error);
  if (value == NULL)
    return FALSE;

  *protocol = value[0];
  return TRUE;
}

/**
 * dt_stun_message_get_even_port:
 * @message: a message
 * @reserve: (out): the R bit: reserve the next port too
 * @error: return location for a #GError
 *
 * Returns: %TRUE if EVEN-PORT (RFC 8656 §18.7) is present
 */
gboolean
dt_stun_message_get_even_port (const DtStunMessage  *message,
                               gboolean             *reserve,
                               GError              **error)
{
  const guint8 *value;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (reserve != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_EVEN_PORT, NULL, error);
  if (value == NULL)
    return FALSE;

  *reserve = (value[0] & 0x80) != 0;
  return TRUE;
}

/**
 * dt_stun_message_get_password_algorithm:
 * @message: a message
 * @algorithm: (out): the algorithm
 * @error: return location for a #GError
 *
 * Returns: %TRUE if PASSWORD-ALGORITHM (RFC 8489 §14.12) is present and
 *   names MD5 or SHA-256
 */
gboolean
dt_stun_message_get_password_algorithm (const DtStunMessage      *message,
                                        DtStunPasswordAlgorithm  *algorithm,
                                        GError                  **error)
{
  const guint8 *value;
  gsize length;
  guint16 number;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (algorithm != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_PASSWORD_ALGORITHM, &length, error);
  if (value == NULL)
    return FALSE;

  if (padded (read_u16 (value + 2)) > length - 4)
    return malformed (DT_STUN_ATTR_PASSWORD_ALGORITHM, error);

  number = read_u16 (value);
  if (number != DT_STUN_PASSWORD_ALGORITHM_MD5 && number != DT_STUN_PASSWORD_ALGORITHM_SHA256)
    {
      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED,
                   "PASSWORD-ALGORITHM 0x%04X is not one Dialtone knows", number);
      return FALSE;
    }

  *algorithm = number;
  return TRUE;
}

/**
 * dt_stun_message_get_icmp:
 * @message: a message
 * @icmp_type: (out): the ICMP type
 * @icmp_code: (out): the ICMP code
 * @error_data: (out): the error data
 * @error: return location for a #GError
 *
 * Returns: %TRUE if ICMP (RFC 8656 §18.13) is present
 */
gboolean
dt_stun_message_get_icmp (const DtStunMessage  *message,
                          guint8               *icmp_type,
                          guint8               *icmp_code,
                          guint32              *error_data,
                          GError              **error)
{
  const guint8 *value;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (icmp_type != NULL && icmp_code != NULL && error_data != NULL, FALSE);

  value = require_attribute (message, DT_STUN_ATTR_ICMP, NULL, error);
  if (value == NULL)
    return FALSE;

  *icmp_type = value[2];
  *icmp_code = value[3];
  *error_data = read_u32 (value + 4);
  return TRUE;
}

/* ---- building ---- */

static guint16
encode_message_type (guint16     method,
                     DtStunClass klass)
{
  return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
         ((klass & 1) << 4) | ((klass & 2) << 7);
}

static void
update_length (DtStunBuilder *builder)
{
  write_u16 (builder->buffer->data + 2, builder->buffer->len - DT_STUN_HEADER_LENGTH);
}

/**
 * dt_stun_builder_new:
 * @method: the method, 0x000–0xFFF
 * @klass: the class
 * @transaction_id: (array fixed-size=12) (nullable): the transaction ID, or
 *   %NULL for a random one
 *
 * Returns: (transfer full): a builder holding the 20-byte header
 */
DtStunBuilder *
dt_stun_builder_new (guint16        method,
                     DtStunClass    klass,
                     const guint8  *transaction_id)
{
  DtStunBuilder *builder;
  guint8 header[DT_STUN_HEADER_LENGTH] = { 0 };

  g_return_val_if_fail (method <= 0xFFF, NULL);

  write_u16 (header, encode_message_type (method, klass));
  write_u32 (header + 4, DT_STUN_MAGIC_COOKIE);

  if (transaction_id != NULL)
    {
      memcpy (header + 8, transaction_id, DT_STUN_TRANSACTION_ID_LENGTH);
    }
  else if (getrandom (header + 8, DT_STUN_TRANSACTION_ID_LENGTH, 0) !=
           DT_STUN_TRANSACTION_ID_LENGTH)
    {
      /* RFC 8489 §6 wants unpredictable IDs; getrandom() only fails before
       * the kernel pool is ready, where GRand is the best left */
      for (guint i = 0; i < DT_STUN_TRANSACTION_ID_LENGTH; i += 4)
        write_u32 (header + 8 + i, g_random_int ());
    }

  builder = g_new0 (DtStunBuilder, 1);
  builder->buffer = g_byte_array_sized_new (128);
  g_byte_array_append (builder->buffer, header, sizeof header);

  return builder;
}

/**
 * dt_stun_builder_free:
 * @builder: (nullable): a builder
 */
void
dt_stun_builder_free (DtStunBuilder *builder)
{
  if (builder == NULL)
    return;

  g_clear_pointer (&builder->buffer, g_byte_array_unref);
  g_free (builder);
}

/**
 * dt_stun_builder_set_padding:
 * @builder: a builder
 * @padding: the byte to pad attribute values with
 *
 * RFC 8489 §14 lets padding hold any value and receivers ignore it. Dialtone
 * pads with zeros; the RFC 5769 vectors pad with spaces, which this allows
 * to reproduce.
 */
void
dt_stun_builder_set_padding (DtStunBuilder *builder,
                             guint8         padding)
{
  g_return_if_fail (builder != NULL);

  builder->padding = padding;
}

/**
 * dt_stun_builder_get_transaction_id:
 * @builder: a builder
 *
 * Returns: (array fixed-size=12) (transfer none): the transaction ID
 */
const guint8 *
dt_stun_builder_get_transaction_id (const DtStunBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, NULL);

  return builder->buffer->data + 8;
}

static guint8 *
append_attribute (DtStunBuilder  *builder,
                  guint16         type,
                  gsize           length,
                  GError        **error)
{
  guint8 header[4];
  gsize start;
  gsize total = 4 + padded (length);

  if (length > G_MAXUINT16 ||
      builder->buffer->len - DT_STUN_HEADER_LENGTH + total > MAX_BODY_LENGTH)
    {
      g_autofree char *name = describe_type (type);

      g_set_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TOO_LONG,
                   "Adding %s would make the STUN message longer than 65535 bytes", name);
      return NULL;
    }

  write_u16 (header, type);
  write_u16 (header + 2, length);
  g_byte_array_append (builder->buffer, header, sizeof header);

  start = builder->buffer->len;
  g_byte_array_set_size (builder->buffer, start + padded (length));
  memset (builder->buffer->data + start, 0, length);
  memset (builder->buffer->data + start + length, builder->padding,
          padded (length) - length);
  update_length (builder);

  return builder->buffer->data + start;
}

/**
 * dt_stun_builder_add_attribute:
 * @builder: a builder
 * @type: the attribute type
 * @value: (array length=length) (nullable): its value
 * @length: its length, without padding
 * @error: return location for a #GError
 *
 * Appends an attribute as it is, padded to 4 bytes. Integrity and
 * fingerprint attributes have their own functions.
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_attribute (DtStunBuilder  *builder,
                               guint16         type,
                               const void     *value,
                               gsize           length,
                               GError        **error)
{
  guint8 *slot;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (value != NULL || length == 0, FALSE);
  /* RFC 8489 §14.5–§14.7: nothing follows the integrity attributes but
   * FINGERPRINT, and nothing follows FINGERPRINT */
  g_return_val_if_fail (!builder->has_integrity && !builder->has_integrity_sha256, FALSE);
  g_return_val_if_fail (!builder->has_fingerprint, FALSE);

  slot = append_attribute (builder, type, length, error);
  if (slot == NULL)
    return FALSE;

  if (length > 0)
    memcpy (slot, value, length);

  return TRUE;
}

/**
 * dt_stun_builder_add_string:
 * @builder: a builder
 * @type: USERNAME, REALM, NONCE, SOFTWARE or another text attribute
 * @value: UTF-8 text
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_string (DtStunBuilder  *builder,
                            guint16         type,
                            const char     *value,
                            GError        **error)
{
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (g_utf8_validate (value, -1, NULL), FALSE);

  return dt_stun_builder_add_attribute (builder, type, value, strlen (value), error);
}

/**
 * dt_stun_builder_add_uint32:
 * @builder: a builder
 * @type: LIFETIME, PRIORITY or another 32-bit attribute
 * @value: the value
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_uint32 (DtStunBuilder  *builder,
                            guint16         type,
                            guint32         value,
                            GError        **error)
{
  guint8 data[4];

  write_u32 (data, value);
  return dt_stun_builder_add_attribute (builder, type, data, sizeof data, error);
}

/**
 * dt_stun_builder_add_address:
 * @builder: a builder
 * @type: MAPPED-ADDRESS, ALTERNATE-SERVER or one of the XOR- address types
 * @address: the address, which XOR- types get XORed (RFC 8489 §14.2)
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_address (DtStunBuilder        *builder,
                             guint16               type,
                             const DtStunAddress  *address,
                             GError              **error)
{
  DtStunAddress wire;
  guint8 data[20] = { 0 };
  gsize size;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (address->family == DT_STUN_FAMILY_IPV4 ||
                        address->family == DT_STUN_FAMILY_IPV6, FALSE);

  wire = *address;
  size = wire.family == DT_STUN_FAMILY_IPV6 ? 16 : 4;
  if (is_xor_address (type))
    xor_address (&wire, dt_stun_builder_get_transaction_id (builder));

  data[1] = wire.family;
  write_u16 (data + 2, wire.port);
  memcpy (data + 4, wire.address, size);

  return dt_stun_builder_add_attribute (builder, type, data, 4 + size, error);
}

static gboolean
add_code (DtStunBuilder  *builder,
          guint16         type,
          guint8          family,
          guint           code,
          const char     *reason,
          GError        **error)
{
  g_autofree guint8 *data = NULL;
  gsize reason_length;

  g_return_val_if_fail (code >= 300 && code <= 699, FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);
  g_return_val_if_fail (g_utf8_validate (reason, -1, NULL), FALSE);

  /* RFC 8489 §14.8: fewer than 128 characters */
  reason_length = g_utf8_offset_to_pointer (reason, MIN (g_utf8_strlen (reason, -1), 127)) -
                  reason;

  data = g_malloc0 (ERROR_CODE_HEADER + reason_length);
  data[0] = family;
  data[2] = code / 100;
  data[3] = code % 100;
  memcpy (data + ERROR_CODE_HEADER, reason, reason_length);

  return dt_stun_builder_add_attribute (builder, type, data,
                                        ERROR_CODE_HEADER + reason_length, error);
}

/**
 * dt_stun_builder_add_error_code:
 * @builder: a builder
 * @code: 300–699
 * @reason: a UTF-8 reason phrase, cut to 127 characters
 * @error: return location for a #GError
 *
 * Appends ERROR-CODE (RFC 8489 §14.8).
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_error_code (DtStunBuilder  *builder,
                                guint           code,
                                const char     *reason,
                                GError        **error)
{
  return add_code (builder, DT_STUN_ATTR_ERROR_CODE, 0, code, reason, error);
}

/**
 * dt_stun_builder_add_address_error_code:
 * @builder: a builder
 * @family: the family the error is about
 * @code: 300–699, such as 440
 * @reason: a UTF-8 reason phrase
 * @error: return location for a #GError
 *
 * Appends ADDRESS-ERROR-CODE (RFC 8656 §18.12).
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_address_error_code (DtStunBuilder  *builder,
                                        DtStunFamily    family,
                                        guint           code,
                                        const char     *reason,
                                        GError        **error)
{
  return add_code (builder, DT_STUN_ATTR_ADDRESS_ERROR_CODE, family, code, reason, error);
}

/**
 * dt_stun_builder_add_attribute_list:
 * @builder: a builder
 * @type: UNKNOWN-ATTRIBUTES or PASSWORD-ALGORITHMS
 * @values: (array length=n_values): attribute types or algorithms
 * @n_values: how many
 * @error: return location for a #GError
 *
 * Algorithms are written without parameters, as MD5 and SHA-256 have none
 * (RFC 8489 §18.5.1).
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_attribute_list (DtStunBuilder  *builder,
                                    guint16         type,
                                    const guint16  *values,
                                    guint           n_values,
                                    GError        **error)
{
  g_autofree guint8 *data = NULL;
  gsize stride;

  g_return_val_if_fail (type == DT_STUN_ATTR_UNKNOWN_ATTRIBUTES ||
                        type == DT_STUN_ATTR_PASSWORD_ALGORITHMS, FALSE);
  g_return_val_if_fail (values != NULL || n_values == 0, FALSE);
  g_return_val_if_fail (n_values <= G_MAXUINT16 / 4, FALSE);

  stride = type == DT_STUN_ATTR_UNKNOWN_ATTRIBUTES ? 2 : 4;
  data = g_malloc0 (MAX (1, stride * n_values));
  for (guint i = 0; i < n_values; i++)
    write_u16 (data + i * stride, values[i]);

  return dt_stun_builder_add_attribute (builder, type, data, stride * n_values, error);
}

/**
 * dt_stun_builder_add_channel_number:
 * @builder: a builder
 * @channel: 0x4000–0x4FFF
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_channel_number (DtStunBuilder  *builder,
                                    guint16         channel,
                                    GError        **error)
{
  g_return_val_if_fail (channel >= DT_STUN_CHANNEL_MIN && channel <= DT_STUN_CHANNEL_MAX, FALSE);

  return dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_CHANNEL_NUMBER,
                                     (guint32) channel << 16, error);
}

/**
 * dt_stun_builder_add_family:
 * @builder: a builder
 * @type: REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY
 * @family: the family
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_family (DtStunBuilder  *builder,
                            guint16         type,
                            DtStunFamily    family,
                            GError        **error)
{
  g_return_val_if_fail (family == DT_STUN_FAMILY_IPV4 || family == DT_STUN_FAMILY_IPV6, FALSE);

  return dt_stun_builder_add_uint32 (builder, type, (guint32) family << 24, error);
}

/**
 * dt_stun_builder_add_requested_transport:
 * @builder: a builder
 * @protocol: an IP protocol number, %DT_STUN_TRANSPORT_UDP for Dialtone
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_requested_transport (DtStunBuilder  *builder,
                                         guint8          protocol,
                                         GError        **error)
{
  return dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_REQUESTED_TRANSPORT,
                                     (guint32) protocol << 24, error);
}

/**
 * dt_stun_builder_add_even_port:
 * @builder: a builder
 * @reserve: set the R bit, asking the server to keep the next port
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_even_port (DtStunBuilder  *builder,
                               gboolean        reserve,
                               GError        **error)
{
  guint8 value = reserve ? 0x80 : 0x00;

  return dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_EVEN_PORT, &value, 1, error);
}

/**
 * dt_stun_builder_add_password_algorithm:
 * @builder: a builder
 * @algorithm: the algorithm the key was made with
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_password_algorithm (DtStunBuilder            *builder,
                                        DtStunPasswordAlgorithm   algorithm,
                                        GError                  **error)
{
  return dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_PASSWORD_ALGORITHM,
                                     (guint32) algorithm << 16, error);
}

/**
 * dt_stun_builder_add_icmp:
 * @builder: a builder
 * @icmp_type: the ICMP type
 * @icmp_code: the ICMP code
 * @error_data: the error data
 * @error: return location for a #GError
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_icmp (DtStunBuilder  *builder,
                          guint8          icmp_type,
                          guint8          icmp_code,
                          guint32         error_data,
                          GError        **error)
{
  guint8 data[8] = { 0 };

  data[2] = icmp_type;
  data[3] = icmp_code;
  write_u32 (data + 4, error_data);

  return dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_ICMP, data, sizeof data, error);
}

/**
 * dt_stun_builder_add_message_integrity:
 * @builder: a builder
 * @key: the key from dt_stun_short_term_key() or dt_stun_long_term_key()
 * @error: return location for a #GError
 *
 * Appends MESSAGE-INTEGRITY (RFC 8489 §14.5). After it only
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may be added.
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_message_integrity (DtStunBuilder  *builder,
                                       GBytes         *key,
                                       GError        **error)
{
  guint8 digest[DT_STUN_HMAC_SHA1_LENGTH];
  gsize digest_length = sizeof digest;
  gsize offset;
  guint8 *slot;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (!builder->has_integrity && !builder->has_integrity_sha256, FALSE);
  g_return_val_if_fail (!builder->has_fingerprint, FALSE);

  offset = builder->buffer->len;
  slot = append_attribute (builder, DT_STUN_ATTR_MESSAGE_INTEGRITY, sizeof digest, error);
  if (slot == NULL)
    return FALSE;

  /* the header length already ends at this attribute */
  compute_hmac (builder->buffer->data, offset, sizeof digest, G_CHECKSUM_SHA1, key,
                digest, &digest_length);
  memcpy (builder->buffer->data + offset + 4, digest, sizeof digest);
  builder->has_integrity = TRUE;

  return TRUE;
}

/**
 * dt_stun_builder_add_message_integrity_sha256:
 * @builder: a builder
 * @key: the key
 * @length: 32, or a truncation to 16–28 bytes in steps of 4 (RFC 8489 §14.6)
 * @error: return location for a #GError
 *
 * Appends MESSAGE-INTEGRITY-SHA256. After it only FINGERPRINT may be added.
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_message_integrity_sha256 (DtStunBuilder  *builder,
                                              GBytes         *key,
                                              gsize           length,
                                              GError        **error)
{
  guint8 digest[DT_STUN_HMAC_SHA256_LENGTH];
  gsize digest_length = sizeof digest;
  gsize offset;
  guint8 *slot;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (length >= DT_STUN_HMAC_SHA256_MIN_LENGTH &&
                        length <= DT_STUN_HMAC_SHA256_LENGTH && length % 4 == 0, FALSE);
  g_return_val_if_fail (!builder->has_integrity_sha256, FALSE);
  g_return_val_if_fail (!builder->has_fingerprint, FALSE);

  offset = builder->buffer->len;
  slot = append_attribute (builder, DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, length, error);
  if (slot == NULL)
    return FALSE;

  compute_hmac (builder->buffer->data, offset, length, G_CHECKSUM_SHA256, key,
                digest, &digest_length);
  memcpy (builder->buffer->data + offset + 4, digest, length);
  builder->has_integrity_sha256 = TRUE;

  return TRUE;
}

/**
 * dt_stun_builder_add_fingerprint:
 * @builder: a builder
 * @error: return location for a #GError
 *
 * Appends FINGERPRINT (RFC 8489 §14.7), which must be the last attribute.
 *
 * Returns: %FALSE with @error set if the message would grow too long
 */
gboolean
dt_stun_builder_add_fingerprint (DtStunBuilder  *builder,
                                 GError        **error)
{
  gsize offset;
  guint8 *slot;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (!builder->has_fingerprint, FALSE);

  offset = builder->buffer->len;
  slot = append_attribute (builder, DT_STUN_ATTR_FINGERPRINT, 4, error);
  if (slot == NULL)
    return FALSE;

  write_u32 (slot, compute_fingerprint (builder->buffer->data, offset));
  builder->has_fingerprint = TRUE;

  return TRUE;
}

/**
 * dt_stun_builder_end:
 * @builder: a builder
 *
 * Returns: (transfer full): the message so far; the builder stays usable
 */
GBytes *
dt_stun_builder_end (DtStunBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, NULL);

  return g_bytes_new (builder->buffer->data, builder->buffer->len);
}
