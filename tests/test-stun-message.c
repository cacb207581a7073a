/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stun-message.c
 *
 * The STUN/TURN codec against the RFC 5769 test vectors and the RFC 8489
 * Appendix B.1 sample, round trips of every TURN message Diagnostics sends
 * or reads, and hostile input: truncation at every length, lengths past the
 * end, damaged integrity and fingerprints.
 */

#include "config.h"

#include <string.h>

#include "dt-stun-message.h"

/* RFC 5769 §2.1–§2.3 */
static const char vector_password[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 §2.1: sample request */
static const guint8 vector_request[] = {
  0x00, 0x01, 0x00, 0x58,   /* Request type and message length */
  0x21, 0x12, 0xa4, 0x42,   /* Magic cookie */
  0xb7, 0xe7, 0xa7, 0x01,   /* Transaction ID */
  0xbc, 0x34, 0xd6, 0x86,
  0xfa, 0x87, 0xdf, 0xae,
  0x80, 0x22, 0x00, 0x10,   /* SOFTWARE attribute header */
  0x53, 0x54, 0x55, 0x4e,   /* "STUN test client" */
  0x20, 0x74, 0x65, 0x73,
  0x74, 0x20, 0x63, 0x6c,
  0x69, 0x65, 0x6e, 0x74,
  0x00, 0x24, 0x00, 0x04,   /* PRIORITY attribute header */
  0x6e, 0x00, 0x01, 0xff,
  0x80, 0x29, 0x00, 0x08,   /* ICE-CONTROLLED attribute header */
  0x93, 0x2f, 0xf9, 0xb1,
  0x51, 0x26, 0x3b, 0x36,
  0x00, 0x06, 0x00, 0x09,   /* USERNAME attribute header */
  0x65, 0x76, 0x74, 0x6a,   /* "evtj:h6vY" and 3 bytes of padding */
  0x3a, 0x68, 0x36, 0x76,
  0x59, 0x20, 0x20, 0x20,
  0x00, 0x08, 0x00, 0x14,   /* MESSAGE-INTEGRITY attribute header */
  0x9a, 0xea, 0xa7, 0x0c,
  0xbf, 0xd8, 0xcb, 0x56,
  0x78, 0x1e, 0xf2, 0xb5,
  0xb2, 0xd3, 0xf2, 0x49,
  0xc1, 0xb5, 0x71, 0xa2,
  0x80, 0x28, 0x00, 0x04,   /* FINGERPRINT attribute header */
  0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 §2.2: sample IPv4 response */
static const guint8 vector_ipv4_response[] = {
  0x01, 0x01, 0x00, 0x3c,   /* Response type and message length */
  0x21, 0x12, 0xa4, 0x42,   /* Magic cookie */
  0xb7, 0xe7, 0xa7, 0x01,   /* Transaction ID */
  0xbc, 0x34, 0xd6, 0x86,
  0xfa, 0x87, 0xdf, 0xae,
  0x80, 0x22, 0x00, 0x0b,   /* SOFTWARE attribute header */
  0x74, 0x65, 0x73, 0x74,   /* "test vector" and 1 byte of padding */
  0x20, 0x76, 0x65, 0x63,
  0x74, 0x6f, 0x72, 0x20,
  0x00, 0x20, 0x00, 0x08,   /* XOR-MAPPED-ADDRESS attribute header */
  0x00, 0x01, 0xa1, 0x47,   /* IPv4, xor'd port */
  0xe1, 0x12, 0xa6, 0x43,   /* xor'd address */
  0x00, 0x08, 0x00, 0x14,   /* MESSAGE-INTEGRITY attribute header */
  0x2b, 0x91, 0xf5, 0x99,
  0xfd, 0x9e, 0x90, 0xc3,
  0x8c, 0x74, 0x89, 0xf9,
  0x2a, 0xf9, 0xba, 0x53,
  0xf0, 0x6b, 0xe7, 0xd7,
  0x80, 0x28, 0x00, 0x04,   /* FINGERPRINT attribute header */
  0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 §2.3: sample IPv6 response */
static const guint8 vector_ipv6_response[] = {
  0x01, 0x01, 0x00, 0x48,   /* Response type and message length */
  0x21, 0x12, 0xa4, 0x42,   /* Magic cookie */
  0xb7, 0xe7, 0xa7, 0x01,   /* Transaction ID */
  0xbc, 0x34, 0xd6, 0x86,
  0xfa, 0x87, 0xdf, 0xae,
  0x80, 0x22, 0x00, 0x0b,   /* SOFTWARE attribute header */
  0x74, 0x65, 0x73, 0x74,
  0x20, 0x76, 0x65, 0x63,
  0x74, 0x6f, 0x72, 0x20,
  0x00, 0x20, 0x00, 0x14,   /* XOR-MAPPED-ADDRESS attribute header */
  0x00, 0x02, 0xa1, 0x47,   /* IPv6, xor'd port */
  0x01, 0x13, 0xa9, 0xfa,   /* xor'd address */
  0xa5, 0xd3, 0xf1, 0x79,
  0xbc, 0x25, 0xf4, 0xb5,
  0xbe, 0xd2, 0xb9, 0xd9,
  0x00, 0x08, 0x00, 0x14,   /* MESSAGE-INTEGRITY attribute header */
  0xa3, 0x82, 0x95, 0x4e,
  0x4b, 0xe6, 0x7b, 0xf1,
  0x17, 0x84, 0xc9, 0x7c,
  0x82, 0x92, 0xc2, 0x75,
  0xbf, 0xe3, 0xed, 0x41,
  0x80, 0x28, 0x00, 0x04,   /* FINGERPRINT attribute header */
  0xc8, 0xfb, 0x0b, 0x4c,
};

/* RFC 5769 §2.4: sample request with long-term authentication */
static const guint8 vector_long_term[] = {
  0x00, 0x01, 0x00, 0x60,   /* Request type and message length */
  0x21, 0x12, 0xa4, 0x42,   /* Magic cookie */
  0x78, 0xad, 0x34, 0x33,   /* Transaction ID */
  0xc6, 0xad, 0x72, 0xc0,
  0x29, 0xda, 0x41, 0x2e,
  0x00, 0x06, 0x00, 0x12,   /* USERNAME attribute header */
  0xe3, 0x83, 0x9e, 0xe3,   /* 18 bytes and 2 bytes of padding */
  0x83, 0x88, 0xe3, 0x83,
  0xaa, 0xe3, 0x83, 0x83,
  0xe3, 0x82, 0xaf, 0xe3,
  0x82, 0xb9, 0x00, 0x00,
  0x00, 0x15, 0x00, 0x1c,   /* NONCE attribute header */
  0x66, 0x2f, 0x2f, 0x34,
  0x39, 0x39, 0x6b, 0x39,
  0x35, 0x34, 0x64, 0x36,
  0x4f, 0x4c, 0x33, 0x34,
  0x6f, 0x4c, 0x39, 0x46,
  0x53, 0x54, 0x76, 0x79,
  0x36, 0x34, 0x73, 0x41,
  0x00, 0x14, 0x00, 0x0b,   /* REALM attribute header */
  0x65, 0x78, 0x61, 0x6d,   /* "example.org" and 1 byte of padding */
  0x70, 0x6c, 0x65, 0x2e,
  0x6f, 0x72, 0x67, 0x00,
  0x00, 0x08, 0x00, 0x14,   /* MESSAGE-INTEGRITY attribute header */
  0xf6, 0x70, 0x24, 0x65,
  0x6d, 0xd6, 0x4a, 0x3e,
  0x02, 0xb8, 0xe0, 0x71,
  0x2e, 0x85, 0xc9, 0xa2,
  0x8c, 0xa8, 0x96, 0x66,
};

/* RFC 8489 Appendix B.1, as published. Its length field (0x9c) counts the
 * 20-byte header, so the body is 0x88 bytes, and the published HMAC was
 * computed over that header as it stands. The published sample also has no
 * PASSWORD-ALGORITHM attribute. */
static const guint8 vector_sha256[] = {
  0x00, 0x01, 0x00, 0x9c,   /* Request type and message length */
  0x21, 0x12, 0xa4, 0x42,   /* Magic cookie */
  0x78, 0xad, 0x34, 0x33,   /* Transaction ID */
  0xc6, 0xad, 0x72, 0xc0,
  0x29, 0xda, 0x41, 0x2e,
  0x00, 0x1e, 0x00, 0x20,   /* USERHASH attribute header */
  0x4a, 0x3c, 0xf3, 0x8f,
  0xef, 0x69, 0x92, 0xbd,
  0xa9, 0x52, 0xc6, 0x78,
  0x04, 0x17, 0xda, 0x0f,
  0x24, 0x81, 0x94, 0x15,
  0x56, 0x9e, 0x60, 0xb2,
  0x05, 0xc4, 0x6e, 0x41,
  0x40, 0x7f, 0x17, 0x04,
  0x00, 0x15, 0x00, 0x29,   /* NONCE attribute header */
  0x6f, 0x62, 0x4d, 0x61,   /* "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA" */
  0x74, 0x4a, 0x6f, 0x73,
  0x32, 0x41, 0x41, 0x41,
  0x43, 0x66, 0x2f, 0x2f,
  0x34, 0x39, 0x39, 0x6b,
  0x39, 0x35, 0x34, 0x64,
  0x36, 0x4f, 0x4c, 0x33,
  0x34, 0x6f, 0x4c, 0x39,
  0x46, 0x53, 0x54, 0x76,
  0x79, 0x36, 0x34, 0x73,
  0x41, 0x00, 0x00, 0x00,
  0x00, 0x14, 0x00, 0x0b,   /* REALM attribute header */
  0x65, 0x78, 0x61, 0x6d,
  0x70, 0x6c, 0x65, 0x2e,
  0x6f, 0x72, 0x67, 0x00,
  0x00, 0x1c, 0x00, 0x20,   /* MESSAGE-INTEGRITY-SHA256 attribute header */
  0xe4, 0x68, 0x6c, 0x8f,
  0x0e, 0xde, 0xb5, 0x90,
  0x13, 0xe0, 0x70, 0x90,
  0x01, 0x0a, 0x93, 0xef,
  0xcc, 0xbc, 0xcc, 0x54,
  0x4c, 0x0a, 0x45, 0xd9,
  0xf8, 0x30, 0xaa, 0x6d,
  0x6f, 0x73, 0x5a, 0x01,
};

/* U+30DE U+30C8 U+30EA U+30C3 U+30AF U+30B9 */
static const char vector_username[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83"
                                      "\xe3\x82\xaf\xe3\x82\xb9";
/* "The<U+00AD>M<U+00AA>tr<U+2168>", "TheMatrIX" once prepared */
static const char vector_unprepared_password[] = "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8";
static const char vector_nonce[] = "f//499k954d6OL34oL9FSTvy64sA";

static const guint8 test_transaction_id[DT_STUN_TRANSACTION_ID_LENGTH] = {
  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
};

static DtStunMessage *
decode_exact (const guint8  *data,
              gsize          length,
              GError       **error)
{
  /* an exact-size copy, so reading one byte past the end is caught by
   * valgrind and ASan */
  g_autofree guint8 *copy = g_memdup2 (data, length);

  return dt_stun_message_decode (copy, length, error);
}

static void
assert_bytes_equal (GBytes       *bytes,
                    const guint8 *expected,
                    gsize         expected_length)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpmem (data, length, expected, expected_length);
}

static GBytes *
vector_short_term_key (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *key = dt_stun_short_term_key (vector_password, &error);

  g_assert_no_error (error);
  return key;
}

static void
test_vector_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(GBytes) key = vector_short_term_key ();
  g_autoptr(GBytes) encoded = NULL;
  g_autofree char *software = NULL;
  g_autofree char *username = NULL;
  const guint8 *controlled;
  gsize length;
  guint32 priority;
  guint n_unknown;

  message = decode_exact (vector_request, sizeof vector_request, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);

  g_assert_cmpuint (dt_stun_message_get_method (message), ==, DT_STUN_METHOD_BINDING);
  g_assert_cmpint (dt_stun_message_get_class (message), ==, DT_STUN_CLASS_REQUEST);
  g_assert_cmpmem (dt_stun_message_get_transaction_id (message), DT_STUN_TRANSACTION_ID_LENGTH,
                   vector_request + 8, DT_STUN_TRANSACTION_ID_LENGTH);
  g_assert_true (dt_stun_message_has_fingerprint (message));
  g_assert_true (dt_stun_message_has_integrity (message));
  g_assert_cmpuint (dt_stun_message_get_n_attributes (message), ==, 6);
  g_assert_null (dt_stun_message_get_unknown_required (message, &n_unknown));
  g_assert_cmpuint (n_unknown, ==, 0);

  software = dt_stun_message_get_string (message, DT_STUN_ATTR_SOFTWARE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (software, ==, "STUN test client");
  username = dt_stun_message_get_string (message, DT_STUN_ATTR_USERNAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (username, ==, "evtj:h6vY");
  g_assert_true (dt_stun_message_get_uint32 (message, DT_STUN_ATTR_PRIORITY, &priority, &error));
  g_assert_cmphex (priority, ==, 0x6e0001ff);
  controlled = dt_stun_message_get_attribute (message, DT_STUN_ATTR_ICE_CONTROLLED, &length);
  g_assert_cmpmem (controlled, length, vector_request + 52, 8);

  g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_no_error (error);

  /* the vector pads with spaces */
  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST, vector_request + 8);
  dt_stun_builder_set_padding (builder, ' ');
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_SOFTWARE, software, &error));
  g_assert_true (dt_stun_builder_add_uint32 (builder, DT_STUN_ATTR_PRIORITY, priority, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_ICE_CONTROLLED,
                                                controlled, length, &error));
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_USERNAME, username, &error));
  g_assert_true (dt_stun_builder_add_message_integrity (builder, key, &error));
  g_assert_true (dt_stun_builder_add_fingerprint (builder, &error));
  g_assert_no_error (error);
  encoded = dt_stun_builder_end (builder);
  assert_bytes_equal (encoded, vector_request, sizeof vector_request);
}

static void
check_vector_response (const guint8 *vector,
                       gsize         vector_length,
                       const char   *expected_address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(GBytes) key = vector_short_term_key ();
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autofree char *software = NULL;
  g_autofree char *text = NULL;
  DtStunAddress address;
  DtStunAddress converted;

  message = decode_exact (vector, vector_length, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (dt_stun_message_get_message_type (message), ==, 0x0101);
  g_assert_cmpuint (dt_stun_message_get_method (message), ==, DT_STUN_METHOD_BINDING);
  g_assert_cmpint (dt_stun_message_get_class (message), ==, DT_STUN_CLASS_SUCCESS);

  software = dt_stun_message_get_string (message, DT_STUN_ATTR_SOFTWARE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (software, ==, "test vector");

  g_assert_true (dt_stun_message_get_address (message, DT_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                              &address, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (address.port, ==, 32853);
  text = dt_stun_address_to_string (&address);
  g_assert_cmpstr (text, ==, expected_address);

  socket_address = dt_stun_address_to_socket_address (&address);
  g_assert_true (dt_stun_address_from_socket_address (&converted,
                                                      G_INET_SOCKET_ADDRESS (socket_address)));
  g_assert_cmpmem (&converted, sizeof converted, &address, sizeof address);

  g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_no_error (error);

  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, vector + 8);
  dt_stun_builder_set_padding (builder, ' ');
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_SOFTWARE, software, &error));
  g_assert_true (dt_stun_builder_add_address (builder, DT_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                              &address, &error));
  g_assert_true (dt_stun_builder_add_message_integrity (builder, key, &error));
  g_assert_true (dt_stun_builder_add_fingerprint (builder, &error));
  g_assert_no_error (error);
  encoded = dt_stun_builder_end (builder);
  assert_bytes_equal (encoded, vector, vector_length);
}

static void
test_vector_ipv4_response (void)
{
  check_vector_response (vector_ipv4_response, sizeof vector_ipv4_response,
                         "192.0.2.1:32853");
}

static void
test_vector_ipv6_response (void)
{
  check_vector_response (vector_ipv6_response, sizeof vector_ipv6_response,
                         "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
}

static void
test_vector_long_term (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) prepared_key = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autofree char *username = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *realm = NULL;

  message = decode_exact (vector_long_term, sizeof vector_long_term, &error);
  g_assert_no_error (error);
  g_assert_false (dt_stun_message_has_fingerprint (message));

  username = dt_stun_message_get_string (message, DT_STUN_ATTR_USERNAME, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (username, ==, vector_username);
  nonce = dt_stun_message_get_string (message, DT_STUN_ATTR_NONCE, &error);
  g_assert_cmpstr (nonce, ==, vector_nonce);
  realm = dt_stun_message_get_string (message, DT_STUN_ATTR_REALM, &error);
  g_assert_cmpstr (realm, ==, "example.org");
  g_assert_no_error (error);

  key = dt_stun_long_term_key (vector_username, "example.org", vector_unprepared_password,
                               DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (key), ==, 16);
  prepared_key = dt_stun_long_term_key (vector_username, "example.org", "TheMatrIX",
                                        DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (key, prepared_key));

  g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_no_error (error);

  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST,
                                 vector_long_term + 8);
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_USERNAME, username, &error));
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_NONCE, nonce, &error));
  g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_REALM, realm, &error));
  g_assert_true (dt_stun_builder_add_message_integrity (builder, key, &error));
  g_assert_no_error (error);
  encoded = dt_stun_builder_end (builder);
  assert_bytes_equal (encoded, vector_long_term, sizeof vector_long_term);
}

static void
test_vector_sha256 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(GBytes) userhash = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GHmac) hmac = NULL;
  guint8 fixed[sizeof vector_sha256];
  guint8 digest[32];
  gsize digest_length = sizeof digest;
  const guint8 *key_data;
  gsize key_length;
  gsize length;
  const guint8 *value;

  /* as published, the length field disagrees with the datagram */
  message = decode_exact (vector_sha256, sizeof vector_sha256, &error);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED);
  g_assert_null (message);
  g_clear_error (&error);

  /* with the length corrected it decodes; its MAC cannot verify, since it
   * was computed over the uncorrected header */
  memcpy (fixed, vector_sha256, sizeof fixed);
  fixed[3] = sizeof fixed - DT_STUN_HEADER_LENGTH;
  message = decode_exact (fixed, sizeof fixed, &error);
  g_assert_no_error (error);

  userhash = dt_stun_userhash (vector_username, "example.org", &error);
  g_assert_no_error (error);
  value = dt_stun_message_get_attribute (message, DT_STUN_ATTR_USERHASH, &length);
  g_assert_cmpmem (value, length, g_bytes_get_data (userhash, NULL), 32);

  key = dt_stun_long_term_key (vector_username, "example.org", vector_unprepared_password,
                               DT_STUN_PASSWORD_ALGORITHM_SHA256, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (key), ==, 32);

  g_assert_false (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_INTEGRITY);
  g_clear_error (&error);

  /* the published MAC is HMAC-SHA256 with the SHA-256 long-term key over
   * the header as published, which proves the key derivation */
  key_data = g_bytes_get_data (key, &key_length);
  hmac = g_hmac_new (G_CHECKSUM_SHA256, key_data, key_length);
  g_hmac_update (hmac, vector_sha256, sizeof vector_sha256 - 36);
  g_hmac_get_digest (hmac, digest, &digest_length);
  g_assert_cmpmem (digest, digest_length, vector_sha256 + sizeof vector_sha256 - 32, 32);
}

static void
test_message_types (void)
{
  static const struct {
    guint16     method;
    DtStunClass klass;
    guint16     type;
  } cases[] = {
    { DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST, 0x0001 },
    { DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, 0x0101 },
    { DT_STUN_METHOD_BINDING, DT_STUN_CLASS_ERROR, 0x0111 },
    { DT_STUN_METHOD_BINDING, DT_STUN_CLASS_INDICATION, 0x0011 },
    { DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_REQUEST, 0x0003 },
    { DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS, 0x0103 },
    { DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_ERROR, 0x0113 },
    { DT_STUN_METHOD_REFRESH, DT_STUN_CLASS_REQUEST, 0x0004 },
    { DT_STUN_METHOD_SEND, DT_STUN_CLASS_INDICATION, 0x0016 },
    { DT_STUN_METHOD_DATA, DT_STUN_CLASS_INDICATION, 0x0017 },
    { DT_STUN_METHOD_CREATE_PERMISSION, DT_STUN_CLASS_SUCCESS, 0x0108 },
    { DT_STUN_METHOD_CHANNEL_BIND, DT_STUN_CLASS_ERROR, 0x0119 },
    { 0xFFF, DT_STUN_CLASS_ERROR, 0x3FFF },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtStunBuilder) builder = dt_stun_builder_new (cases[i].method, cases[i].klass,
                                                              NULL);
      g_autoptr(GBytes) bytes = dt_stun_builder_end (builder);
      const guint8 *data = g_bytes_get_data (bytes, NULL);

      g_assert_cmphex ((data[0] << 8) | data[1], ==, cases[i].type);
    }

  /* every method and class survives the bit interleaving */
  for (guint method = 0; method <= 0xFFF; method++)
    {
      for (guint klass = 0; klass < 4; klass++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(DtStunBuilder) builder = dt_stun_builder_new (method, klass, NULL);
          g_autoptr(GBytes) bytes = dt_stun_builder_end (builder);
          gsize length;
          const guint8 *data = g_bytes_get_data (bytes, &length);
          g_autoptr(DtStunMessage) message = dt_stun_message_decode (data, length, &error);

          g_assert_no_error (error);
          g_assert_cmpuint (dt_stun_message_get_method (message), ==, method);
          g_assert_cmpuint (dt_stun_message_get_class (message), ==, klass);
        }
    }
}

static DtStunMessage *
finish_and_decode (DtStunBuilder *builder,
                   GBytes        *key,
                   gboolean       fingerprint)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  DtStunMessage *message;
  gsize length;
  const guint8 *data;

  if (key != NULL)
    g_assert_true (dt_stun_builder_add_message_integrity (builder, key, &error));
  if (fingerprint)
    g_assert_true (dt_stun_builder_add_fingerprint (builder, &error));
  g_assert_no_error (error);

  bytes = dt_stun_builder_end (builder);
  data = g_bytes_get_data (bytes, &length);
  g_assert_cmpuint (length % 4, ==, 0);
  g_assert_cmpuint ((data[2] << 8) | data[3], ==, length - DT_STUN_HEADER_LENGTH);

  message = decode_exact (data, length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpint (dt_stun_message_has_fingerprint (message), ==, fingerprint);
  if (key != NULL)
    {
      g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
      g_assert_no_error (error);
    }

  /* no prefix of a valid message decodes */
  for (gsize cut = 0; cut < length; cut++)
    {
      g_autoptr(GError) cut_error = NULL;
      g_autoptr(DtStunMessage) cut_message = decode_exact (data, cut, &cut_error);

      g_assert_null (cut_message);
      g_assert_nonnull (cut_error);
      g_assert_true (cut_error->domain == DT_STUN_ERROR);
    }

  return message;
}

static GBytes *
turn_key (void)
{
  g_autoptr(GError) error = NULL;
  GBytes *key = dt_stun_long_term_key ("1700000000:@alice:example.org", "example.org",
                                       "s3cret", DT_STUN_PASSWORD_ALGORITHM_MD5, &error);

  g_assert_no_error (error);
  return key;
}

static void
set_address (DtStunAddress *address,
             const char    *text,
             guint16        port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (text);
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new (inet, port);

  g_assert_true (dt_stun_address_from_socket_address (address,
                                                      G_INET_SOCKET_ADDRESS (socket_address)));
}

static void
assert_address (const DtStunMessage *message,
                guint16              type,
                const char          *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  DtStunAddress address;

  g_assert_true (dt_stun_message_get_address (message, type, &address, &error));
  g_assert_no_error (error);
  text = dt_stun_address_to_string (&address);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_turn_allocate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = turn_key ();
  g_autoptr(DtStunBuilder) request = NULL;
  g_autoptr(DtStunBuilder) challenge = NULL;
  g_autoptr(DtStunBuilder) success = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(GArray) algorithms = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *text = NULL;
  static const guint16 offered[] = {
    DT_STUN_PASSWORD_ALGORITHM_MD5, DT_STUN_PASSWORD_ALGORITHM_SHA256,
  };
  static const guint8 token[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  DtStunAddress relayed;
  DtStunAddress mapped;
  DtStunFamily family;
  guint8 protocol;
  gboolean reserve;
  guint32 lifetime;
  guint code;

  request = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_REQUEST,
                                 test_transaction_id);
  g_assert_true (dt_stun_builder_add_requested_transport (request, DT_STUN_TRANSPORT_UDP,
                                                          &error));
  g_assert_true (dt_stun_builder_add_family (request, DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
                                             DT_STUN_FAMILY_IPV6, &error));
  g_assert_true (dt_stun_builder_add_even_port (request, TRUE, &error));
  g_assert_true (dt_stun_builder_add_attribute (request, DT_STUN_ATTR_DONT_FRAGMENT, NULL, 0,
                                                &error));
  g_assert_true (dt_stun_builder_add_uint32 (request, DT_STUN_ATTR_LIFETIME, 600, &error));
  g_assert_true (dt_stun_builder_add_string (request, DT_STUN_ATTR_SOFTWARE, "Dialtone",
                                             &error));
  g_assert_no_error (error);
  message = finish_and_decode (request, NULL, TRUE);
  g_assert_cmpuint (dt_stun_message_get_method (message), ==, DT_STUN_METHOD_ALLOCATE);
  g_assert_cmpint (dt_stun_message_get_class (message), ==, DT_STUN_CLASS_REQUEST);
  g_assert_true (dt_stun_message_get_requested_transport (message, &protocol, &error));
  g_assert_cmpuint (protocol, ==, 17);
  g_assert_true (dt_stun_message_get_family (message, DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
                                             &family, &error));
  g_assert_cmpint (family, ==, DT_STUN_FAMILY_IPV6);
  g_assert_true (dt_stun_message_get_even_port (message, &reserve, &error));
  g_assert_true (reserve);
  g_assert_true (dt_stun_message_has_attribute (message, DT_STUN_ATTR_DONT_FRAGMENT));
  g_assert_true (dt_stun_message_get_uint32 (message, DT_STUN_ATTR_LIFETIME, &lifetime, &error));
  g_assert_cmpuint (lifetime, ==, 600);
  g_assert_false (dt_stun_message_has_integrity (message));
  g_assert_false (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NO_INTEGRITY);
  g_clear_error (&error);
  g_clear_pointer (&message, dt_stun_message_free);

  /* 401 with REALM, NONCE and PASSWORD-ALGORITHMS (RFC 8489 §9.2.4) */
  challenge = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_ERROR,
                                   test_transaction_id);
  g_assert_true (dt_stun_builder_add_error_code (challenge, 401, "Unauthorized", &error));
  g_assert_true (dt_stun_builder_add_string (challenge, DT_STUN_ATTR_REALM, "example.org",
                                             &error));
  g_assert_true (dt_stun_builder_add_string (challenge, DT_STUN_ATTR_NONCE,
                                             "obMatJos2AAACadl7W7PeDU4hKE72jda", &error));
  g_assert_true (dt_stun_builder_add_attribute_list (challenge,
                                                     DT_STUN_ATTR_PASSWORD_ALGORITHMS,
                                                     offered, G_N_ELEMENTS (offered), &error));
  g_assert_no_error (error);
  message = finish_and_decode (challenge, NULL, TRUE);
  g_assert_cmphex (dt_stun_message_get_message_type (message), ==, 0x0113);
  g_assert_true (dt_stun_message_get_error_code (message, &code, &reason, &error));
  g_assert_cmpuint (code, ==, 401);
  g_assert_cmpstr (reason, ==, "Unauthorized");
  text = dt_stun_message_get_string (message, DT_STUN_ATTR_NONCE, &error);
  g_assert_cmpstr (text, ==, "obMatJos2AAACadl7W7PeDU4hKE72jda");
  algorithms = dt_stun_message_get_attribute_list (message, DT_STUN_ATTR_PASSWORD_ALGORITHMS,
                                                   &error);
  g_assert_no_error (error);
  g_assert_cmpmem (algorithms->data, algorithms->len * sizeof (guint16), offered,
                   sizeof offered);
  g_clear_pointer (&message, dt_stun_message_free);

  success = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS,
                                 test_transaction_id);
  set_address (&relayed, "2001:db8::5", 49152);
  set_address (&mapped, "198.51.100.7", 61000);
  g_assert_true (dt_stun_builder_add_address (success, DT_STUN_ATTR_XOR_RELAYED_ADDRESS,
                                              &relayed, &error));
  g_assert_true (dt_stun_builder_add_address (success, DT_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                              &mapped, &error));
  g_assert_true (dt_stun_builder_add_uint32 (success, DT_STUN_ATTR_LIFETIME, 600, &error));
  g_assert_true (dt_stun_builder_add_attribute (success, DT_STUN_ATTR_RESERVATION_TOKEN,
                                                token, sizeof token, &error));
  g_assert_no_error (error);
  message = finish_and_decode (success, key, TRUE);
  assert_address (message, DT_STUN_ATTR_XOR_RELAYED_ADDRESS, "[2001:db8::5]:49152");
  assert_address (message, DT_STUN_ATTR_XOR_MAPPED_ADDRESS, "198.51.100.7:61000");
}

static void
test_turn_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunBuilder) stale = NULL;
  g_autoptr(DtStunBuilder) family_error = NULL;
  g_autoptr(DtStunBuilder) unknown = NULL;
  g_autoptr(DtStunBuilder) alternate = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  g_autoptr(GArray) types = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *long_reason = NULL;
  static const guint16 unknown_types[] = { 0x7777, 0x0031, 0x0002 };
  DtStunAddress server;
  DtStunFamily family;
  guint code;

  stale = dt_stun_builder_new (DT_STUN_METHOD_REFRESH, DT_STUN_CLASS_ERROR, NULL);
  g_assert_true (dt_stun_builder_add_error_code (stale, 438, "Stale Nonce", &error));
  g_assert_true (dt_stun_builder_add_string (stale, DT_STUN_ATTR_REALM, "example.org", &error));
  g_assert_true (dt_stun_builder_add_string (stale, DT_STUN_ATTR_NONCE, "fresh-nonce", &error));
  message = finish_and_decode (stale, NULL, TRUE);
  g_assert_true (dt_stun_message_get_error_code (message, &code, &reason, &error));
  g_assert_cmpuint (code, ==, 438);
  g_assert_cmpstr (reason, ==, "Stale Nonce");
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&message, dt_stun_message_free);

  /* RFC 8656 §7.1: 440 for one family of a dual allocation */
  family_error = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS, NULL);
  g_assert_true (dt_stun_builder_add_address_error_code (family_error, DT_STUN_FAMILY_IPV6, 440,
                                                         "Address Family not Supported",
                                                         &error));
  message = finish_and_decode (family_error, NULL, FALSE);
  g_assert_true (dt_stun_message_get_address_error_code (message, &family, &code, &reason,
                                                         &error));
  g_assert_cmpint (family, ==, DT_STUN_FAMILY_IPV6);
  g_assert_cmpuint (code, ==, 440);
  g_assert_cmpstr (reason, ==, "Address Family not Supported");
  g_clear_pointer (&reason, g_free);
  g_clear_pointer (&message, dt_stun_message_free);

  unknown = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_ERROR, NULL);
  long_reason = g_strnfill (200, 'x');
  g_assert_true (dt_stun_builder_add_error_code (unknown, 420, long_reason, &error));
  g_assert_true (dt_stun_builder_add_attribute_list (unknown, DT_STUN_ATTR_UNKNOWN_ATTRIBUTES,
                                                     unknown_types,
                                                     G_N_ELEMENTS (unknown_types), &error));
  message = finish_and_decode (unknown, NULL, TRUE);
  g_assert_true (dt_stun_message_get_error_code (message, &code, &reason, &error));
  g_assert_cmpuint (code, ==, 420);
  g_assert_cmpuint (strlen (reason), ==, 127);
  types = dt_stun_message_get_attribute_list (message, DT_STUN_ATTR_UNKNOWN_ATTRIBUTES, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (types->data, types->len * sizeof (guint16), unknown_types,
                   sizeof unknown_types);
  g_clear_pointer (&message, dt_stun_message_free);

  alternate = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_ERROR, NULL);
  set_address (&server, "192.0.2.200", 3478);
  g_assert_true (dt_stun_builder_add_error_code (alternate, 300, "Try Alternate", &error));
  g_assert_true (dt_stun_builder_add_address (alternate, DT_STUN_ATTR_ALTERNATE_SERVER,
                                              &server, &error));
  g_assert_true (dt_stun_builder_add_address (alternate, DT_STUN_ATTR_MAPPED_ADDRESS,
                                              &server, &error));
  message = finish_and_decode (alternate, NULL, FALSE);
  assert_address (message, DT_STUN_ATTR_ALTERNATE_SERVER, "192.0.2.200:3478");
  assert_address (message, DT_STUN_ATTR_MAPPED_ADDRESS, "192.0.2.200:3478");
  /* plain address attributes are not XORed */
  g_assert_cmpuint (dt_stun_message_get_attribute (message, DT_STUN_ATTR_MAPPED_ADDRESS,
                                                   NULL)[3], ==, 3478 & 0xFF);
}

static void
test_turn_permission_channel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = turn_key ();
  g_autoptr(DtStunBuilder) refresh = NULL;
  g_autoptr(DtStunBuilder) permission = NULL;
  g_autoptr(DtStunBuilder) bind = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  DtStunAddress peer;
  DtStunAddress second_peer;
  guint16 channel;
  guint32 lifetime;

  refresh = dt_stun_builder_new (DT_STUN_METHOD_REFRESH, DT_STUN_CLASS_REQUEST, NULL);
  g_assert_true (dt_stun_builder_add_uint32 (refresh, DT_STUN_ATTR_LIFETIME, 0, &error));
  g_assert_true (dt_stun_builder_add_string (refresh, DT_STUN_ATTR_USERNAME, "alice", &error));
  message = finish_and_decode (refresh, key, TRUE);
  g_assert_cmpuint (dt_stun_message_get_method (message), ==, DT_STUN_METHOD_REFRESH);
  g_assert_true (dt_stun_message_get_uint32 (message, DT_STUN_ATTR_LIFETIME, &lifetime, &error));
  g_assert_cmpuint (lifetime, ==, 0);
  g_clear_pointer (&message, dt_stun_message_free);

  permission = dt_stun_builder_new (DT_STUN_METHOD_CREATE_PERMISSION, DT_STUN_CLASS_REQUEST,
                                    NULL);
  set_address (&peer, "203.0.113.9", 5000);
  set_address (&second_peer, "2001:db8:ffff::1", 5002);
  g_assert_true (dt_stun_builder_add_address (permission, DT_STUN_ATTR_XOR_PEER_ADDRESS, &peer,
                                              &error));
  g_assert_true (dt_stun_builder_add_address (permission, DT_STUN_ATTR_XOR_PEER_ADDRESS,
                                              &second_peer, &error));
  message = finish_and_decode (permission, key, TRUE);
  g_assert_cmpuint (dt_stun_message_get_n_attributes (message), ==, 4);
  assert_address (message, DT_STUN_ATTR_XOR_PEER_ADDRESS, "203.0.113.9:5000");
  g_clear_pointer (&message, dt_stun_message_free);

  bind = dt_stun_builder_new (DT_STUN_METHOD_CHANNEL_BIND, DT_STUN_CLASS_REQUEST, NULL);
  g_assert_true (dt_stun_builder_add_channel_number (bind, 0x4001, &error));
  g_assert_true (dt_stun_builder_add_address (bind, DT_STUN_ATTR_XOR_PEER_ADDRESS, &peer,
                                              &error));
  message = finish_and_decode (bind, key, FALSE);
  g_assert_true (dt_stun_message_get_channel_number (message, &channel, &error));
  g_assert_no_error (error);
  g_assert_cmphex (channel, ==, 0x4001);
  assert_address (message, DT_STUN_ATTR_XOR_PEER_ADDRESS, "203.0.113.9:5000");
}

static void
test_turn_indications (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunBuilder) send = NULL;
  g_autoptr(DtStunBuilder) data = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  static const guint8 payload[] = { 0x80, 0x00, 0x12, 0x34, 0x56 };
  DtStunAddress peer;
  const guint8 *value;
  gsize length;
  guint8 icmp_type;
  guint8 icmp_code;
  guint32 error_data;

  set_address (&peer, "203.0.113.9", 5000);

  send = dt_stun_builder_new (DT_STUN_METHOD_SEND, DT_STUN_CLASS_INDICATION, NULL);
  g_assert_true (dt_stun_builder_add_address (send, DT_STUN_ATTR_XOR_PEER_ADDRESS, &peer,
                                              &error));
  g_assert_true (dt_stun_builder_add_attribute (send, DT_STUN_ATTR_DATA, payload,
                                                sizeof payload, &error));
  g_assert_true (dt_stun_builder_add_attribute (send, DT_STUN_ATTR_DONT_FRAGMENT, NULL, 0,
                                                &error));
  message = finish_and_decode (send, NULL, FALSE);
  g_assert_cmphex (dt_stun_message_get_message_type (message), ==, 0x0016);
  value = dt_stun_message_get_attribute (message, DT_STUN_ATTR_DATA, &length);
  g_assert_cmpmem (value, length, payload, sizeof payload);
  g_clear_pointer (&message, dt_stun_message_free);

  data = dt_stun_builder_new (DT_STUN_METHOD_DATA, DT_STUN_CLASS_INDICATION, NULL);
  g_assert_true (dt_stun_builder_add_address (data, DT_STUN_ATTR_XOR_PEER_ADDRESS, &peer,
                                              &error));
  g_assert_true (dt_stun_builder_add_icmp (data, 3, 4, 1400, &error));
  g_assert_true (dt_stun_builder_add_attribute (data, DT_STUN_ATTR_DATA, payload,
                                                sizeof payload, &error));
  message = finish_and_decode (data, NULL, FALSE);
  g_assert_cmphex (dt_stun_message_get_message_type (message), ==, 0x0017);
  g_assert_true (dt_stun_message_get_icmp (message, &icmp_type, &icmp_code, &error_data,
                                           &error));
  g_assert_cmpuint (icmp_type, ==, 3);
  g_assert_cmpuint (icmp_code, ==, 4);
  g_assert_cmpuint (error_data, ==, 1400);
  value = dt_stun_message_get_attribute (message, DT_STUN_ATTR_DATA, &length);
  g_assert_cmpmem (value, length, payload, sizeof payload);
}

static void
test_integrity_sha256 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) other_key = turn_key ();
  DtStunPasswordAlgorithm algorithm;

  key = dt_stun_long_term_key ("alice", "example.org", "s3cret",
                               DT_STUN_PASSWORD_ALGORITHM_SHA256, &error);
  g_assert_no_error (error);

  for (gsize mac = 16; mac <= 32; mac += 4)
    {
      g_autoptr(DtStunBuilder) builder = NULL;
      g_autoptr(DtStunMessage) message = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree guint8 *damaged = NULL;
      gsize length;

      builder = dt_stun_builder_new (DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_REQUEST, NULL);
      g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_USERNAME, "alice",
                                                 &error));
      g_assert_true (dt_stun_builder_add_password_algorithm (builder,
                                                             DT_STUN_PASSWORD_ALGORITHM_SHA256,
                                                             &error));
      /* both integrity attributes: receivers prefer SHA-256 */
      g_assert_true (dt_stun_builder_add_message_integrity (builder, key, &error));
      g_assert_true (dt_stun_builder_add_message_integrity_sha256 (builder, key, mac, &error));
      g_assert_no_error (error);
      message = finish_and_decode (builder, NULL, TRUE);
      g_assert_true (dt_stun_message_get_password_algorithm (message, &algorithm, &error));
      g_assert_cmpint (algorithm, ==, DT_STUN_PASSWORD_ALGORITHM_SHA256);
      g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
      g_assert_no_error (error);
      g_assert_false (dt_stun_message_verify_integrity (message, other_key, &error));
      g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_INTEGRITY);
      g_clear_error (&error);

      /* damage the SHA-256 MAC only: SHA-1 still matches, yet it fails */
      bytes = dt_stun_builder_end (builder);
      damaged = g_memdup2 (g_bytes_get_data (bytes, &length), g_bytes_get_size (bytes));
      damaged[length - 8 - mac] ^= 0x01;
      g_clear_pointer (&message, dt_stun_message_free);
      /* the fingerprint covers the damage too; decode without it */
      damaged[3] -= 8;
      message = decode_exact (damaged, length - 8, &error);
      g_assert_no_error (error);
      g_assert_false (dt_stun_message_verify_integrity (message, key, &error));
      g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_INTEGRITY);
      g_clear_error (&error);
    }
}

static void
test_integrity_failure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) wrong = NULL;
  g_autoptr(DtStunMessage) message = NULL;

  key = dt_stun_long_term_key (vector_username, "example.org", "TheMatrIX",
                               DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  wrong = dt_stun_long_term_key (vector_username, "example.org", "TheMatrix",
                                 DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  g_assert_no_error (error);

  message = decode_exact (vector_long_term, sizeof vector_long_term, &error);
  g_assert_false (dt_stun_message_verify_integrity (message, wrong, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_INTEGRITY);
  g_clear_error (&error);

  /* any flipped bit either breaks the framing or the MAC */
  for (gsize i = 0; i < sizeof vector_long_term; i++)
    {
      for (guint bit = 0; bit < 8; bit++)
        {
          g_autoptr(GError) flip_error = NULL;
          g_autoptr(DtStunMessage) flipped = NULL;
          guint8 copy[sizeof vector_long_term];

          memcpy (copy, vector_long_term, sizeof copy);
          copy[i] ^= 1 << bit;
          flipped = decode_exact (copy, sizeof copy, &flip_error);
          /* the MAC covers the padding too */
          if (flipped != NULL)
            g_assert_false (dt_stun_message_verify_integrity (flipped, key, &flip_error));
          g_assert_nonnull (flip_error);
          g_assert_true (flip_error->domain == DT_STUN_ERROR);
        }
    }
}

static void
test_fingerprint_failure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  guint8 copy[sizeof vector_ipv4_response + 8];

  memcpy (copy, vector_ipv4_response, sizeof vector_ipv4_response);
  copy[sizeof vector_ipv4_response - 1] ^= 0x80;
  message = decode_exact (copy, sizeof vector_ipv4_response, &error);
  g_assert_null (message);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_FINGERPRINT);
  g_clear_error (&error);

  /* a flipped byte in the SOFTWARE text */
  memcpy (copy, vector_ipv4_response, sizeof vector_ipv4_response);
  copy[25] ^= 0x20;
  message = decode_exact (copy, sizeof vector_ipv4_response, &error);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_FINGERPRINT);
  g_clear_error (&error);

  /* FINGERPRINT followed by another attribute */
  memcpy (copy, vector_ipv4_response, sizeof vector_ipv4_response);
  memcpy (copy + sizeof vector_ipv4_response, "\x80\x22\x00\x04" "abcd", 8);
  copy[3] += 8;
  message = decode_exact (copy, sizeof copy, &error);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_FINGERPRINT);
}

static void
test_after_integrity_ignored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  guint8 copy[sizeof vector_long_term + 16];
  guint n_unknown;

  key = dt_stun_long_term_key (vector_username, "example.org", "TheMatrIX",
                               DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  g_assert_no_error (error);

  /* RFC 8489 §14.5: a SOFTWARE and an unknown comprehension-required
   * attribute after MESSAGE-INTEGRITY are ignored */
  memcpy (copy, vector_long_term, sizeof vector_long_term);
  memcpy (copy + sizeof vector_long_term, "\x80\x22\x00\x04" "abcd" "\x7f\x00\x00\x03" "xyz", 16);
  copy[3] += 16;
  message = decode_exact (copy, sizeof copy, &error);
  g_assert_no_error (error);
  g_assert_true (dt_stun_message_verify_integrity (message, key, &error));
  g_assert_no_error (error);
  g_assert_false (dt_stun_message_has_attribute (message, DT_STUN_ATTR_SOFTWARE));
  g_assert_cmpuint (dt_stun_message_get_n_attributes (message), ==, 4);
  g_assert_null (dt_stun_message_get_unknown_required (message, &n_unknown));
}

static void
test_unknown_required (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  const guint16 *unknown;
  guint n_unknown;

  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST, NULL);
  g_assert_true (dt_stun_builder_add_attribute (builder, 0x7777, "abc", 3, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, 0xC001, "optional", 8, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, 0x0031, NULL, 0, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, 0x7777, "again", 5, &error));
  g_assert_no_error (error);
  message = finish_and_decode (builder, NULL, TRUE);

  unknown = dt_stun_message_get_unknown_required (message, &n_unknown);
  g_assert_cmpuint (n_unknown, ==, 2);
  g_assert_cmphex (unknown[0], ==, 0x7777);
  g_assert_cmphex (unknown[1], ==, 0x0031);
  g_assert_true (dt_stun_message_has_attribute (message, 0xC001));
}

static void
expect_decode_error (const guint8 *data,
                     gsize         length,
                     gint          code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunMessage) message = decode_exact (data, length, &error);

  g_assert_null (message);
  g_assert_error (error, DT_STUN_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_malformed (void)
{
  guint8 copy[sizeof vector_request];

  memcpy (copy, vector_request, sizeof copy);
  copy[4] = 0x21; copy[5] = 0x12; copy[6] = 0xa4; copy[7] = 0x43;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_NOT_STUN);

  memcpy (copy, vector_request, sizeof copy);
  copy[0] |= 0x40;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_NOT_STUN);

  memcpy (copy, vector_request, sizeof copy);
  copy[3] = 0x57;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_MALFORMED);

  /* a length shorter than the datagram */
  memcpy (copy, vector_request, sizeof copy);
  copy[3] = 0x54;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_MALFORMED);

  /* SOFTWARE claiming more than remains */
  memcpy (copy, vector_request, sizeof copy);
  copy[22] = 0x00; copy[23] = 0xF0;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_TRUNCATED);
  copy[22] = 0xFF; copy[23] = 0xFF;
  expect_decode_error (copy, sizeof copy, DT_STUN_ERROR_TRUNCATED);

  /* the last attribute's padding running past the end */
  {
    static const guint8 past_end[] = {
      0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0x80, 0x22, 0x00, 0x05, 'a', 'b', 'c', 'd',
    };
    static const guint8 bad_lengths[][28] = {
      /* MESSAGE-INTEGRITY of 4 bytes */
      { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x08, 0x00, 0x04, 0, 0, 0, 0 },
      /* MESSAGE-INTEGRITY-SHA256 of 4 bytes */
      { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x1c, 0x00, 0x04, 0, 0, 0, 0 },
      /* LIFETIME of 2 bytes */
      { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x0d, 0x00, 0x02, 0, 0, 0, 0 },
      /* XOR-MAPPED-ADDRESS of 4 bytes */
      { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x00, 0x20, 0x00, 0x04, 0, 1, 0, 0 },
    };

    expect_decode_error (past_end, sizeof past_end, DT_STUN_ERROR_TRUNCATED);
    for (gsize i = 0; i < G_N_ELEMENTS (bad_lengths); i++)
      expect_decode_error (bad_lengths[i], sizeof bad_lengths[i], DT_STUN_ERROR_MALFORMED);
  }

  expect_decode_error (vector_request, 0, DT_STUN_ERROR_TRUNCATED);
  expect_decode_error (vector_request, 19, DT_STUN_ERROR_TRUNCATED);
}

static void
test_malformed_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autoptr(DtStunMessage) message = NULL;
  static const guint8 bad_family[8] = { 0, 0x03, 0, 0, 1, 2, 3, 4 };
  static const guint8 short_ipv6[8] = { 0, 0x02, 0, 0, 1, 2, 3, 4 };
  static const guint8 bad_code[4] = { 0, 0, 7, 0 };
  static const guint8 bad_utf8[3] = { 0xff, 0xfe, 'a' };
  static const guint8 bad_channel[4] = { 0x50, 0x00, 0, 0 };
  DtStunAddress address;
  guint code;
  guint16 channel;
  char *text;

  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, NULL);
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                                bad_family, sizeof bad_family, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_MAPPED_ADDRESS,
                                                short_ipv6, sizeof short_ipv6, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_ERROR_CODE,
                                                bad_code, sizeof bad_code, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_SOFTWARE,
                                                bad_utf8, sizeof bad_utf8, &error));
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_CHANNEL_NUMBER,
                                                bad_channel, sizeof bad_channel, &error));
  g_assert_no_error (error);
  message = finish_and_decode (builder, NULL, FALSE);

  g_assert_false (dt_stun_message_get_address (message, DT_STUN_ATTR_XOR_MAPPED_ADDRESS,
                                               &address, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (dt_stun_message_get_address (message, DT_STUN_ATTR_MAPPED_ADDRESS,
                                               &address, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (dt_stun_message_get_address (message, DT_STUN_ATTR_XOR_PEER_ADDRESS,
                                               &address, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (dt_stun_message_get_error_code (message, &code, NULL, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED);
  g_clear_error (&error);
  text = dt_stun_message_get_string (message, DT_STUN_ATTR_SOFTWARE, &error);
  g_assert_null (text);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (dt_stun_message_get_channel_number (message, &channel, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL);
}

static void
test_truncation_everywhere (void)
{
  const struct {
    const guint8 *data;
    gsize         length;
  } vectors[] = {
    { vector_request, sizeof vector_request },
    { vector_ipv4_response, sizeof vector_ipv4_response },
    { vector_ipv6_response, sizeof vector_ipv6_response },
    { vector_long_term, sizeof vector_long_term },
    { vector_sha256, sizeof vector_sha256 },
  };

  for (gsize v = 0; v < G_N_ELEMENTS (vectors); v++)
    {
      for (gsize cut = 0; cut < vectors[v].length; cut++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(DtStunMessage) message = NULL;
          g_autofree guint8 *copy = g_memdup2 (vectors[v].data, MAX (cut, 1));

          message = dt_stun_message_decode (copy, cut, &error);
          g_assert_null (message);
          g_assert_nonnull (error);
          g_assert_true (error->domain == DT_STUN_ERROR);
          g_clear_error (&error);

          /* with the header length agreeing, the walk meets the cut
           * attribute itself */
          if (cut >= DT_STUN_HEADER_LENGTH && cut % 4 == 0)
            {
              copy[2] = (cut - DT_STUN_HEADER_LENGTH) >> 8;
              copy[3] = (cut - DT_STUN_HEADER_LENGTH) & 0xFF;
              message = dt_stun_message_decode (copy, cut, &error);
              g_assert_true ((message == NULL) != (error == NULL));
              if (error != NULL)
                g_assert_true (error->domain == DT_STUN_ERROR);
            }
        }
    }
}

static void
test_channel_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) udp = NULL;
  g_autoptr(GBytes) tcp = NULL;
  static const guint8 payload[] = { 0x80, 0x00, 0x00, 0x01, 0xAA };
  static const guint8 low[] = { 0x3F, 0xFF, 0x00, 0x00 };
  static const guint8 high[] = { 0x50, 0x00, 0x00, 0x00 };
  const guint8 *data;
  const guint8 *read_payload;
  gsize length;
  gsize read_length;
  gsize consumed;
  guint16 channel;

  udp = dt_stun_channel_data_build (0x4000, payload, sizeof payload, FALSE);
  data = g_bytes_get_data (udp, &length);
  g_assert_cmpuint (length, ==, 4 + sizeof payload);
  g_assert_cmphex (data[0], ==, 0x40);
  g_assert_cmphex (data[3], ==, sizeof payload);
  g_assert_true (dt_stun_channel_data_parse (data, length, FALSE, &channel, &read_payload,
                                             &read_length, &consumed, &error));
  g_assert_no_error (error);
  g_assert_cmphex (channel, ==, 0x4000);
  g_assert_cmpmem (read_payload, read_length, payload, sizeof payload);
  g_assert_cmpuint (consumed, ==, length);
  g_assert_cmpint (dt_stun_classify_packet (data, length), ==, DT_STUN_PACKET_CHANNEL_DATA);

  /* over a stream the frame is padded and the padding is consumed */
  tcp = dt_stun_channel_data_build (0x4FFF, payload, sizeof payload, TRUE);
  data = g_bytes_get_data (tcp, &length);
  g_assert_cmpuint (length, ==, 12);
  g_assert_cmphex (data[3], ==, sizeof payload);
  g_assert_true (dt_stun_channel_data_parse (data, length, TRUE, &channel, &read_payload,
                                             &read_length, &consumed, &error));
  g_assert_cmphex (channel, ==, 0x4FFF);
  g_assert_cmpuint (read_length, ==, sizeof payload);
  g_assert_cmpuint (consumed, ==, 12);
  /* a stream frame without its padding is not complete yet */
  g_assert_false (dt_stun_channel_data_parse (data, 9, TRUE, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED);
  g_clear_error (&error);
  /* a datagram may carry the padding, which is ignored */
  g_assert_true (dt_stun_channel_data_parse (data, length, FALSE, NULL, NULL, &read_length,
                                             NULL, &error));
  g_assert_cmpuint (read_length, ==, sizeof payload);

  for (gsize cut = 0; cut < 4 + sizeof payload; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, MAX (cut, 1));

      g_assert_false (dt_stun_channel_data_parse (copy, cut, FALSE, NULL, NULL, NULL, NULL,
                                                  &error));
      g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TRUNCATED);
      g_clear_error (&error);
    }

  g_assert_false (dt_stun_channel_data_parse (low, sizeof low, FALSE, NULL, NULL, NULL, NULL,
                                              &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL);
  g_clear_error (&error);
  g_assert_false (dt_stun_channel_data_parse (high, sizeof high, FALSE, NULL, NULL, NULL, NULL,
                                              &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CHANNEL);
}

static void
test_classify (void)
{
  static const guint8 rtp[] = { 0x80, 0x00 };
  static const guint8 high_bits[] = { 0xC0, 0x00 };
  static const guint8 reserved_channel[] = { 0x50, 0x00 };
  static const guint8 channel[] = { 0x4F, 0xFF };

  g_assert_cmpint (dt_stun_classify_packet (vector_request, sizeof vector_request), ==,
                   DT_STUN_PACKET_STUN);
  g_assert_cmpint (dt_stun_classify_packet (vector_ipv4_response,
                                            sizeof vector_ipv4_response), ==,
                   DT_STUN_PACKET_STUN);
  g_assert_cmpint (dt_stun_classify_packet (channel, sizeof channel), ==,
                   DT_STUN_PACKET_CHANNEL_DATA);
  g_assert_cmpint (dt_stun_classify_packet (reserved_channel, sizeof reserved_channel), ==,
                   DT_STUN_PACKET_OTHER);
  g_assert_cmpint (dt_stun_classify_packet (rtp, sizeof rtp), ==, DT_STUN_PACKET_OTHER);
  g_assert_cmpint (dt_stun_classify_packet (high_bits, sizeof high_bits), ==,
                   DT_STUN_PACKET_OTHER);
  g_assert_cmpint (dt_stun_classify_packet (NULL, 0), ==, DT_STUN_PACKET_OTHER);
}

static void
test_stream_framing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  g_autoptr(GBytes) channel = NULL;
  static const guint8 payload[] = { 1, 2, 3, 4, 5, 6, 7 };
  static const guint8 garbage[] = { 0x80, 0x00, 0x00, 0x00 };
  static const guint8 odd_length[] = { 0x01, 0x01, 0x00, 0x03 };
  gsize expected[3];
  gsize start = 0;
  guint n_frames = 0;

  channel = dt_stun_channel_data_build (0x4123, payload, sizeof payload, TRUE);
  g_byte_array_append (stream, vector_request, sizeof vector_request);
  g_byte_array_append (stream, g_bytes_get_data (channel, NULL), g_bytes_get_size (channel));
  g_byte_array_append (stream, vector_ipv6_response, sizeof vector_ipv6_response);
  expected[0] = sizeof vector_request;
  expected[1] = g_bytes_get_size (channel);
  expected[2] = sizeof vector_ipv6_response;

  /* bytes arrive one at a time; a frame is cut once it is complete */
  for (gsize received = 1; received <= stream->len; received++)
    {
      gsize need = dt_stun_stream_frame_length (stream->data + start, received - start, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (need, >=, 4);
      if (received - start < 4)
        {
          g_assert_cmpuint (need, ==, 4);
          continue;
        }
      g_assert_cmpuint (need, ==, expected[n_frames]);
      if (received - start == need)
        {
          if (n_frames == 1)
            {
              g_assert_true (dt_stun_channel_data_parse (stream->data + start, need, TRUE, NULL,
                                                         NULL, NULL, NULL, &error));
            }
          else
            {
              g_autoptr(DtStunMessage) message = NULL;

              message = dt_stun_message_decode (stream->data + start, need, &error);
              g_assert_nonnull (message);
            }
          g_assert_no_error (error);
          start = received;
          n_frames++;
        }
    }
  g_assert_cmpuint (n_frames, ==, 3);

  g_assert_cmpuint (dt_stun_stream_frame_length (garbage, sizeof garbage, &error), ==, 0);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_NOT_STUN);
  g_clear_error (&error);
  g_assert_cmpuint (dt_stun_stream_frame_length (odd_length, sizeof odd_length, &error), ==, 0);
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_MALFORMED);
}

static void
test_credentials (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GBytes) md5 = NULL;
  g_autoptr(GBytes) sha256 = NULL;
  char *prepared;

  prepared = dt_stun_prepare_credential (vector_unprepared_password, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (prepared, ==, "TheMatrIX");
  g_free (prepared);

  /* printable ASCII is left alone, whatever it holds */
  prepared = dt_stun_prepare_credential ("1700000000:@alice:example.org", &error);
  g_assert_cmpstr (prepared, ==, "1700000000:@alice:example.org");
  g_free (prepared);

  /* a non-ASCII space becomes U+0020 */
  prepared = dt_stun_prepare_credential ("a\xc2\xa0" "b", &error);
  g_assert_cmpstr (prepared, ==, "a b");
  g_free (prepared);
  g_assert_no_error (error);

  g_assert_null (dt_stun_prepare_credential ("tab\there", &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (dt_stun_prepare_credential ("\xff\xfe", &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (dt_stun_prepare_credential ("\xc2\xad", &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (dt_stun_prepare_credential ("rtl\xe2\x80\x8f", &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_BAD_CREDENTIALS);
  g_clear_error (&error);

  key = dt_stun_short_term_key (vector_password, &error);
  g_assert_cmpmem (g_bytes_get_data (key, NULL), g_bytes_get_size (key), vector_password,
                   strlen (vector_password));

  md5 = dt_stun_long_term_key ("user", "realm", "pass", DT_STUN_PASSWORD_ALGORITHM_MD5, &error);
  sha256 = dt_stun_long_term_key ("user", "realm", "pass", DT_STUN_PASSWORD_ALGORITHM_SHA256,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (md5), ==, 16);
  g_assert_cmpuint (g_bytes_get_size (sha256), ==, 32);
  /* MD5("user:realm:pass") */
  g_assert_cmpmem (g_bytes_get_data (md5, NULL), 4, "\x84\x93\xfb\xc5", 4);
}

static void
test_builder_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtStunBuilder) builder = NULL;
  g_autofree guint8 *big = g_malloc0 (G_MAXUINT16);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;

  builder = dt_stun_builder_new (DT_STUN_METHOD_SEND, DT_STUN_CLASS_INDICATION, NULL);
  g_assert_true (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_DATA, big, 60000,
                                                &error));
  g_assert_no_error (error);
  g_assert_false (dt_stun_builder_add_attribute (builder, DT_STUN_ATTR_DATA, big, 6000,
                                                 &error));
  g_assert_error (error, DT_STUN_ERROR, DT_STUN_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* random transaction IDs differ */
  g_clear_pointer (&builder, dt_stun_builder_free);
  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST, NULL);
  first = dt_stun_builder_end (builder);
  g_clear_pointer (&builder, dt_stun_builder_free);
  builder = dt_stun_builder_new (DT_STUN_METHOD_BINDING, DT_STUN_CLASS_REQUEST, NULL);
  second = dt_stun_builder_end (builder);
  g_assert_false (g_bytes_equal (first, second));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/stun-message/rfc5769/request", test_vector_request);
  g_test_add_func ("/stun-message/rfc5769/ipv4-response", test_vector_ipv4_response);
  g_test_add_func ("/stun-message/rfc5769/ipv6-response", test_vector_ipv6_response);
  g_test_add_func ("/stun-message/rfc5769/long-term", test_vector_long_term);
  g_test_add_func ("/stun-message/rfc8489/sha256", test_vector_sha256);
  g_test_add_func ("/stun-message/message-types", test_message_types);
  g_test_add_func ("/stun-message/turn/allocate", test_turn_allocate);
  g_test_add_func ("/stun-message/turn/errors", test_turn_errors);
  g_test_add_func ("/stun-message/turn/permission-channel", test_turn_permission_channel);
  g_test_add_func ("/stun-message/turn/indications", test_turn_indications);
  g_test_add_func ("/stun-message/integrity/sha256", test_integrity_sha256);
  g_test_add_func ("/stun-message/integrity/failure", test_integrity_failure);
  g_test_add_func ("/stun-message/integrity/after-ignored", test_after_integrity_ignored);
  g_test_add_func ("/stun-message/fingerprint/failure", test_fingerprint_failure);
  g_test_add_func ("/stun-message/unknown-required", test_unknown_required);
  g_test_add_func ("/stun-message/malformed", test_malformed);
  g_test_add_func ("/stun-message/malformed-values", test_malformed_values);
  g_test_add_func ("/stun-message/truncation", test_truncation_everywhere);
  g_test_add_func ("/stun-message/channel-data", test_channel_data);
  g_test_add_func ("/stun-message/classify", test_classify);
  g_test_add_func ("/stun-message/stream-framing", test_stream_framing);
  g_test_add_func ("/stun-message/credentials", test_credentials);
  g_test_add_func ("/stun-message/builder-limits", test_builder_limits);

  return g_test_run ();
}
