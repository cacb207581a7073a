/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sdp.c
 *
 * Session descriptions as baresip, Linphone, Asterisk and RFC 8866 write
 * them, every refusal of the parser, and the offer/answer rules of
 * RFC 3264 with SDES-SRTP (RFC 4568).
 */

#include "config.h"

#include <string.h>

#include "dt-sdp.h"

#define KEY_A "WVNfX19GVU5EQU1FTlRBTF9fX0JBUkVTSVBfX19L"
#define KEY_B "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVoxMjM0"

static const char baresip_offer[] =
  "v=0\r\n"
  "o=- 1894316411 1894316411 IN IP4 192.168.1.20\r\n"
  "s=-\r\n"
  "c=IN IP4 192.168.1.20\r\n"
  "t=0 0\r\n"
  "m=audio 10230 RTP/AVP 96 9 0 8 101\r\n"
  "b=AS:101\r\n"
  "a=rtpmap:96 opus/48000/2\r\n"
  "a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
  "a=rtpmap:9 G722/8000\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "a=rtpmap:8 PCMA/8000\r\n"
  "a=rtpmap:101 telephone-event/8000\r\n"
  "a=fmtp:101 0-15\r\n"
  "a=sendrecv\r\n"
  "a=label:1\r\n"
  "a=rtcp-rsize\r\n"
  "a=ssrc:3712538716 cname:4a4f1c2b\r\n"
  "a=ptime:20\r\n";

static const char linphone_offer[] =
  "v=0\r\n"
  "o=alice 3172 1486 IN IP4 192.168.0.42\r\n"
  "s=Talk\r\n"
  "c=IN IP4 192.168.0.42\r\n"
  "t=0 0\r\n"
  "a=ice-pwd:8d8c9e8b7a6f5e4d3c2b1a09\r\n"
  "a=ice-ufrag:a1b2c3d4\r\n"
  "a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
  "m=audio 7078 RTP/AVP 96 97 98 0 8 18 101 99 100\r\n"
  "c=IN IP4 192.168.0.42\r\n"
  "a=rtpmap:96 opus/48000/2\r\n"
  "a=fmtp:96 useinbandfec=1\r\n"
  "a=rtpmap:97 speex/16000\r\n"
  "a=fmtp:97 vbr=on\r\n"
  "a=rtpmap:98 speex/8000\r\n"
  "a=fmtp:98 vbr=on\r\n"
  "a=fmtp:18 annexb=yes\r\n"
  "a=rtpmap:101 telephone-event/48000\r\n"
  "a=rtpmap:99 telephone-event/16000\r\n"
  "a=rtpmap:100 telephone-event/8000\r\n"
  "a=rtcp:7079\r\n"
  "a=candidate:1 1 UDP 2130706431 192.168.0.42 7078 typ host\r\n"
  "a=rtcp-fb:* trr-int 1000\r\n";

static const char linphone_video_offer[] =
  "v=0\r\n"
  "o=bob 2110 3401 IN IP4 192.168.0.50\r\n"
  "s=Talk\r\n"
  "c=IN IP4 192.168.0.50\r\n"
  "t=0 0\r\n"
  "m=video 9078 RTP/AVP 96 97\r\n"
  "a=rtpmap:96 VP8/90000\r\n"
  "a=rtpmap:97 H264/90000\r\n"
  "m=audio 7078 RTP/AVP 96 0 8 101\r\n"
  "a=rtpmap:96 opus/48000/2\r\n"
  "a=fmtp:96 useinbandfec=1\r\n"
  "a=rtpmap:101 telephone-event/8000\r\n"
  "m=application 5000 UDP/BFCP *\r\n"
  "a=floorctrl:c-s\r\n";

static const char asterisk_answer[] =
  "v=0\r\n"
  "o=- 1700000000 1700000002 IN IP4 203.0.113.7\r\n"
  "s=Asterisk\r\n"
  "c=IN IP4 203.0.113.7\r\n"
  "t=0 0\r\n"
  "m=audio 14562 RTP/AVP 0 101\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "a=rtpmap:101 telephone-event/8000\r\n"
  "a=fmtp:101 0-16\r\n"
  "a=ptime:20\r\n"
  "a=maxptime:150\r\n"
  "a=sendrecv\r\n";

static const char srtp_offer[] =
  "v=0\r\n"
  "o=- 2024339161 2077151066 IN IP4 10.0.0.5\r\n"
  "s=-\r\n"
  "c=IN IP4 10.0.0.5\r\n"
  "t=0 0\r\n"
  "m=audio 34122 RTP/SAVP 0 8 101\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "a=rtpmap:8 PCMA/8000\r\n"
  "a=rtpmap:101 telephone-event/8000\r\n"
  "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" KEY_A "\r\n"
  "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B "|2^31\r\n"
  "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|2^20|1:4\r\n"
  "a=crypto:4 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A " UNENCRYPTED_SRTCP  KDR=0\r\n"
  "a=crypto:5 F8_128_HMAC_SHA1_80 inline:" KEY_B "\r\n"
  "a=rtcp-mux\r\n"
  "a=sendrecv\r\n";

static const char ipv6_offer[] =
  "v=0\n"
  "o=- 99 2 IN IP6 2001:db8::10\n"
  "s=-\n"
  "c=IN IP6 2001:db8::10\n"
  "t=0 0\n"
  "m=audio 50000 RTP/AVP 111 9 0 101\n"
  "a=rtpmap:111 opus/48000/2\n"
  "a=fmtp:111 useinbandfec=1;usedtx=1\n"
  "a=rtpmap:101 telephone-event/8000\n"
  "a=rtcp:50001 IN IP6 2001:db8::11\n";

static const char rfc2543_hold[] =
  "v=0\r\n"
  "o=UserA 2890844526 2890844527 IN IP4 client.atlanta.example.com\r\n"
  "s=Session SDP\r\n"
  "c=IN IP4 0.0.0.0\r\n"
  "t=0 0\r\n"
  "m=audio 49172 RTP/AVP 0\r\n"
  "a=rtpmap:0 PCMU/8000\r\n";

static const char sloppy[] =
  "v=0  \n"
  "o=- 1 1 IN IP4 10.1.1.1 \n"
  "s= \n"
  "c=IN IP4 10.1.1.1\t\n"
  "t=0 0\n"
  "\n"
  "m=audio 6000 RTP/AVP 0 101\n"
  "a=rtpmap:0 PCMU/8000   \r\n"
  "a=rtpmap:101 telephone-event/8000\n"
  "y=unknown line type\n"
  "a=x-custom:hello  world\n"
  "a=inactive\n\n";

static const DtSdpCodec local_codecs[] = {
  { "opus", 48000, 2, "useinbandfec=1;usedtx=1", -1 },
  { "G722", 8000, 1, NULL, -1 },
  { "PCMU", 8000, 1, NULL, -1 },
  { "PCMA", 8000, 1, NULL, -1 },
};

/* Keys are a repeated byte, so each side's is easy to recognise. */
static void
fill_key (const char *suite,
          guint8     *key_salt,
          gsize       length,
          gpointer    user_data)
{
  memset (key_salt, GPOINTER_TO_INT (user_data), length);
}

static DtSdpCaps
make_caps (DtSdpSrtpPolicy srtp)
{
  DtSdpCaps caps = {
    .codecs = local_codecs,
    .n_codecs = G_N_ELEMENTS (local_codecs),
    .dtmf = TRUE,
    .srtp = srtp,
    .key_func = fill_key,
    .key_func_data = GINT_TO_POINTER (0x11),
    .rtcp_mux = TRUE,
    .address = "192.0.2.10",
    .port = 40000,
    .ptime = 20,
    .session_id = 4862384739,
  };

  return caps;
}

static DtSdp *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  DtSdp *sdp = dt_sdp_parse (text, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sdp);

  return sdp;
}

static DtSdpMedia *
media_at (const DtSdp *sdp,
          guint        index)
{
  g_assert_cmpuint (index, <, sdp->media->len);

  return g_ptr_array_index (sdp->media, index);
}

static char *
join_formats (const DtSdpMedia *media)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < media->formats->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            (const char *) g_ptr_array_index (media->formats, i));

  return g_strdup (text->str);
}

static void
assert_formats (const DtSdpMedia *media,
                const char       *expected)
{
  g_autofree char *formats = join_formats (media);

  g_assert_cmpstr (formats, ==, expected);
}

static void
assert_rtpmap (const DtSdpMedia *media,
               guint             pt,
               const char       *encoding,
               guint             clock_rate,
               guint             channels)
{
  const char *found_encoding = NULL;
  guint found_rate = 0;
  guint found_channels = 0;

  g_assert_true (dt_sdp_lookup_rtpmap (media, pt, &found_encoding, &found_rate, &found_channels));
  g_assert_cmpstr (found_encoding, ==, encoding);
  g_assert_cmpuint (found_rate, ==, clock_rate);
  g_assert_cmpuint (found_channels, ==, channels);
}

static void
assert_round_trip (const DtSdp *sdp)
{
  g_autofree char *text = dt_sdp_to_string (sdp);
  g_autofree char *again_text = NULL;
  g_autoptr(DtSdp) again = parse_ok (text);
  g_autoptr(DtSdp) copy = dt_sdp_copy (sdp);

  g_assert_true (dt_sdp_equal (sdp, again));
  g_assert_true (dt_sdp_equal (copy, sdp));
  again_text = dt_sdp_to_string (again);
  g_assert_cmpstr (text, ==, again_text);

  /* CRLF everywhere, and nothing else ends a line */
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      g_assert_true (p > text && p[-1] == '\r');
  g_assert_true (g_str_has_suffix (text, "\r\n"));
}

static GBytes *
repeated_bytes (guint8 value,
                gsize  length)
{
  guint8 *data = g_malloc (length);

  memset (data, value, length);
  return g_bytes_new_take (data, length);
}

/* Parsing */

static void
test_parse_baresip (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (baresip_offer);
  const DtSdpMedia *media;
  const DtSdpAttribute *attribute;
  const DtSdpBandwidth *bandwidth;

  g_assert_cmpstr (sdp->origin_username, ==, "-");
  g_assert_cmpuint (sdp->origin_sess_id, ==, 1894316411);
  g_assert_cmpuint (sdp->origin_sess_version, ==, 1894316411);
  g_assert_cmpstr (sdp->origin.nettype, ==, "IN");
  g_assert_cmpstr (sdp->origin.addrtype, ==, "IP4");
  g_assert_cmpstr (sdp->origin.address, ==, "192.168.1.20");
  g_assert_cmpstr (sdp->session_name, ==, "-");
  g_assert_cmpstr (sdp->connection->address, ==, "192.168.1.20");
  g_assert_cmpuint (sdp->start_time, ==, 0);
  g_assert_cmpuint (sdp->stop_time, ==, 0);
  g_assert_cmpuint (sdp->media->len, ==, 1);

  media = media_at (sdp, 0);
  g_assert_cmpstr (media->media, ==, "audio");
  g_assert_cmpuint (media->port, ==, 10230);
  g_assert_cmpuint (media->n_ports, ==, 0);
  g_assert_cmpstr (media->proto, ==, "RTP/AVP");
  assert_formats (media, "96 9 0 8 101");
  assert_rtpmap (media, 96, "opus", 48000, 2);
  assert_rtpmap (media, 9, "G722", 8000, 1);
  assert_rtpmap (media, 101, "telephone-event", 8000, 1);
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "96"), ==, "stereo=1;sprop-stereo=1");
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "101"), ==, "0-15");
  g_assert_null (dt_sdp_media_get_fmtp (media, "0"));
  g_assert_cmpuint (media->ptime, ==, 20);
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_SENDRECV);
  g_assert_false (media->rtcp_mux);
  g_assert_cmpuint (media->cryptos->len, ==, 0);

  g_assert_cmpuint (media->bandwidths->len, ==, 1);
  bandwidth = g_ptr_array_index (media->bandwidths, 0);
  g_assert_cmpstr (bandwidth->type, ==, "AS");
  g_assert_cmpuint (bandwidth->value, ==, 101);

  /* unknown attributes, in order */
  g_assert_cmpuint (media->attributes->len, ==, 3);
  attribute = g_ptr_array_index (media->attributes, 0);
  g_assert_cmpstr (attribute->name, ==, "label");
  g_assert_cmpstr (attribute->value, ==, "1");
  attribute = g_ptr_array_index (media->attributes, 1);
  g_assert_cmpstr (attribute->name, ==, "rtcp-rsize");
  g_assert_null (attribute->value);
  attribute = g_ptr_array_index (media->attributes, 2);
  g_assert_cmpstr (attribute->name, ==, "ssrc");
  g_assert_cmpstr (attribute->value, ==, "3712538716 cname:4a4f1c2b");
  g_assert_cmpstr (dt_sdp_media_get_attribute (media, "rtcp-rsize"), ==, "");
  g_assert_null (dt_sdp_media_get_attribute (media, "mid"));

  assert_round_trip (sdp);
}

static void
test_parse_linphone (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (linphone_offer);
  const DtSdpMedia *media = media_at (sdp, 0);
  const DtSdpAttribute *attribute;

  g_assert_cmpstr (sdp->origin_username, ==, "alice");
  g_assert_cmpstr (sdp->session_name, ==, "Talk");
  g_assert_cmpuint (sdp->attributes->len, ==, 3);
  attribute = g_ptr_array_index (sdp->attributes, 0);
  g_assert_cmpstr (attribute->name, ==, "ice-pwd");
  attribute = g_ptr_array_index (sdp->attributes, 2);
  g_assert_cmpstr (attribute->name, ==, "rtcp-xr");
  g_assert_cmpstr (attribute->value, ==,
                   "rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics");

  assert_formats (media, "96 97 98 0 8 18 101 99 100");
  g_assert_nonnull (media->connection);
  g_assert_cmpstr (dt_sdp_media_get_connection (sdp, media)->address, ==, "192.168.0.42");
  assert_rtpmap (media, 97, "speex", 16000, 1);
  /* no rtpmap for 18: RFC 3551 §6 */
  assert_rtpmap (media, 18, "G729", 8000, 1);
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "18"), ==, "annexb=yes");
  assert_rtpmap (media, 99, "telephone-event", 16000, 1);
  g_assert_cmpuint (media->rtcp_port, ==, 7079);
  g_assert_null (media->rtcp_connection);
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_UNSET);
  g_assert_cmpint (dt_sdp_media_get_direction (sdp, media), ==, DT_SDP_DIRECTION_SENDRECV);
  g_assert_cmpstr (dt_sdp_media_get_attribute (media, "candidate"), ==,
                   "1 1 UDP 2130706431 192.168.0.42 7078 typ host");

  assert_round_trip (sdp);
}

static void
test_parse_asterisk (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (asterisk_answer);
  const DtSdpMedia *media = media_at (sdp, 0);

  g_assert_cmpstr (sdp->session_name, ==, "Asterisk");
  assert_formats (media, "0 101");
  g_assert_cmpuint (media->ptime, ==, 20);
  g_assert_cmpuint (media->maxptime, ==, 150);
  g_assert_cmpuint (media->attributes->len, ==, 0);
  g_assert_false (dt_sdp_is_hold (sdp));

  assert_round_trip (sdp);
}

static void
test_parse_crypto (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (srtp_offer);
  const DtSdpMedia *media = media_at (sdp, 0);
  const DtSdpCrypto *crypto;
  const DtSdpCryptoKey *key;
  g_autofree guchar *expected = NULL;
  gsize expected_length;

  g_assert_true (dt_sdp_media_is_secure (media));
  g_assert_true (dt_sdp_media_is_rtp (media));
  g_assert_true (media->rtcp_mux);
  g_assert_cmpuint (media->cryptos->len, ==, 5);

  crypto = g_ptr_array_index (media->cryptos, 0);
  g_assert_cmpuint (crypto->tag, ==, 1);
  g_assert_cmpstr (crypto->suite, ==, "AES_CM_128_HMAC_SHA1_32");
  g_assert_null (crypto->session_params);
  g_assert_cmpuint (crypto->keys->len, ==, 1);
  key = g_ptr_array_index (crypto->keys, 0);
  expected = g_base64_decode (KEY_A, &expected_length);
  g_assert_cmpuint (expected_length, ==, 30);
  g_assert_cmpmem (g_bytes_get_data (key->key_salt, NULL), g_bytes_get_size (key->key_salt),
                   expected, expected_length);
  g_assert_null (key->lifetime);
  g_assert_cmpuint (key->mki_length, ==, 0);

  crypto = g_ptr_array_index (media->cryptos, 1);
  key = g_ptr_array_index (crypto->keys, 0);
  g_assert_cmpstr (key->lifetime, ==, "2^31");

  crypto = g_ptr_array_index (media->cryptos, 2);
  key = g_ptr_array_index (crypto->keys, 0);
  g_assert_cmpstr (key->lifetime, ==, "2^20");
  g_assert_cmpuint (key->mki_value, ==, 1);
  g_assert_cmpuint (key->mki_length, ==, 4);

  crypto = g_ptr_array_index (media->cryptos, 3);
  g_assert_cmpstr (crypto->session_params, ==, "UNENCRYPTED_SRTCP KDR=0");

  /* kept, though Dialtone cannot use it */
  crypto = g_ptr_array_index (media->cryptos, 4);
  g_assert_cmpstr (crypto->suite, ==, "F8_128_HMAC_SHA1_80");

  g_assert_cmpuint (dt_sdp_crypto_suite_key_length ("AES_CM_128_HMAC_SHA1_80"), ==, 30);
  g_assert_cmpuint (dt_sdp_crypto_suite_key_length ("AES_256_CM_HMAC_SHA1_32"), ==, 46);
  g_assert_cmpuint (dt_sdp_crypto_suite_key_length ("AEAD_AES_128_GCM"), ==, 28);
  g_assert_cmpuint (dt_sdp_crypto_suite_key_length ("AEAD_AES_256_GCM"), ==, 44);
  g_assert_cmpuint (dt_sdp_crypto_suite_key_length ("SOMETHING_NEW"), ==, 0);

  assert_round_trip (sdp);
}

static void
test_parse_crypto_aes256 (void)
{
  g_autoptr(GBytes) key_salt = repeated_bytes (0x42, 46);
  g_autofree char *base64 = g_base64_encode (g_bytes_get_data (key_salt, NULL), 46);
  g_autofree char *unpadded = g_strndup (base64, strlen (base64) - 2);
  g_autofree char *text = NULL;
  g_autoptr(DtSdp) sdp = NULL;
  const DtSdpCrypto *crypto;
  const DtSdpCryptoKey *key;

  g_assert_true (g_str_has_suffix (base64, "=="));
  /* the padding is sometimes left out */
  text = g_strdup_printf ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                          "t=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n"
                          "a=crypto:7 AES_256_CM_HMAC_SHA1_80 inline:%s\r\n"
                          "a=crypto:8 SOME_FUTURE_SUITE inline:%s\r\n", unpadded, base64);
  sdp = parse_ok (text);
  crypto = g_ptr_array_index (media_at (sdp, 0)->cryptos, 0);
  key = g_ptr_array_index (crypto->keys, 0);
  g_assert_cmpuint (crypto->tag, ==, 7);
  g_assert_true (g_bytes_equal (key->key_salt, key_salt));
  crypto = g_ptr_array_index (media_at (sdp, 0)->cryptos, 1);
  g_assert_cmpstr (crypto->suite, ==, "SOME_FUTURE_SUITE");

  assert_round_trip (sdp);
}

static void
test_parse_ipv6 (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (ipv6_offer);
  const DtSdpMedia *media = media_at (sdp, 0);

  g_assert_cmpstr (sdp->origin.addrtype, ==, "IP6");
  g_assert_cmpstr (sdp->connection->addrtype, ==, "IP6");
  g_assert_cmpstr (sdp->connection->address, ==, "2001:db8::10");
  g_assert_cmpuint (media->rtcp_port, ==, 50001);
  g_assert_nonnull (media->rtcp_connection);
  g_assert_cmpstr (media->rtcp_connection->addrtype, ==, "IP6");
  g_assert_cmpstr (media->rtcp_connection->address, ==, "2001:db8::11");
  assert_rtpmap (media, 0, "PCMU", 8000, 1);

  assert_round_trip (sdp);
}

static void
test_parse_lenient (void)
{
  g_autoptr(DtSdp) sdp = parse_ok (sloppy);
  const DtSdpMedia *media = media_at (sdp, 0);
  const DtSdpAttribute *attribute;

  g_assert_cmpstr (sdp->session_name, ==, "");
  g_assert_cmpstr (sdp->origin.address, ==, "10.1.1.1");
  g_assert_cmpstr (sdp->connection->address, ==, "10.1.1.1");
  assert_rtpmap (media, 0, "PCMU", 8000, 1);
  g_assert_cmpuint (media->attributes->len, ==, 1);
  attribute = g_ptr_array_index (media->attributes, 0);
  g_assert_cmpstr (attribute->value, ==, "hello  world");
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_INACTIVE);

  assert_round_trip (sdp);
}

static void
test_parse_full_session (void)
{
  static const char text[] =
    "v=0\r\n"
    "o=mhandley 2890844526 2890842807 IN IP4 126.16.64.4\r\n"
    "s=SDP Seminar\r\n"
    "i=A Seminar on the session description protocol\r\n"
    "u=http://www.example.com/seminars/sdp.pdf\r\n"
    "e=mjh@isi.edu (Mark Handley)\r\n"
    "p=+1 617 555-6011\r\n"
    "c=IN IP4 224.2.17.12/127\r\n"
    "b=CT:2000\r\n"
    "t=2873397496 2873404696\r\n"
    "r=604800 3600 0 90000\r\n"
    "r=7d 1h 0 25h\r\n"
    "t=3000000000 3000000600\r\n"
    "r=1d 1h 0\r\n"
    "z=2882844526 -1h 2898848070 0\r\n"
    "k=prompt\r\n"
    "a=recvonly\r\n"
    "m=audio 49170/2 RTP/AVP 0\r\n"
    "i=Main audio\r\n"
    "b=AS:64\r\n"
    "b=TIAS:64000\r\n"
    "k=clear:notreallyakey\r\n"
    "m=video 51372 RTP/AVP 99\r\n"
    "c=IN IP6 2001:db8::2\r\n"
    "a=rtpmap:99 h263-1998/90000\r\n"
    "m=application 5000 UDP/BFCP *\r\n"
    "a=floorctrl:c-s\r\n";
  g_autoptr(DtSdp) sdp = parse_ok (text);
  const DtSdpMedia *media = media_at (sdp, 0);

  g_assert_cmpstr (sdp->info, ==, "A Seminar on the session description protocol");
  g_assert_cmpstr (sdp->uri, ==, "http://www.example.com/seminars/sdp.pdf");
  g_assert_cmpuint (sdp->emails->len, ==, 1);
  g_assert_cmpuint (sdp->phones->len, ==, 1);
  g_assert_cmpstr (sdp->connection->address, ==, "224.2.17.12/127");
  g_assert_cmpuint (sdp->bandwidths->len, ==, 1);
  g_assert_cmpuint (sdp->start_time, ==, 2873397496);
  g_assert_cmpuint (sdp->stop_time, ==, 2873404696);
  /* the second t= and its r= are dropped */
  g_assert_cmpuint (sdp->repeats->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (sdp->repeats, 1), ==, "7d 1h 0 25h");
  g_assert_cmpstr (sdp->zone, ==, "2882844526 -1h 2898848070 0");
  g_assert_cmpstr (sdp->key, ==, "prompt");
  g_assert_cmpint (sdp->direction, ==, DT_SDP_DIRECTION_RECVONLY);

  g_assert_cmpuint (media->n_ports, ==, 2);
  g_assert_cmpstr (media->info, ==, "Main audio");
  g_assert_cmpuint (media->bandwidths->len, ==, 2);
  g_assert_cmpstr (media->key, ==, "clear:notreallyakey");
  g_assert_cmpint (dt_sdp_media_get_direction (sdp, media), ==, DT_SDP_DIRECTION_RECVONLY);

  media = media_at (sdp, 1);
  g_assert_cmpstr (media->connection->addrtype, ==, "IP6");
  media = media_at (sdp, 2);
  g_assert_false (dt_sdp_media_is_rtp (media));
  assert_formats (media, "*");

  assert_round_trip (sdp);
}

static void
test_parse_static_payloads (void)
{
  g_autoptr(DtSdp) sdp = parse_ok ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                                   "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                                   "m=audio 5000 RTP/AVP 0 3 8 9 18 13 96 35\r\n");
  const DtSdpMedia *media = media_at (sdp, 0);

  assert_rtpmap (media, 0, "PCMU", 8000, 1);
  assert_rtpmap (media, 3, "GSM", 8000, 1);
  assert_rtpmap (media, 8, "PCMA", 8000, 1);
  /* RFC 3551 §4.5.2 */
  assert_rtpmap (media, 9, "G722", 8000, 1);
  assert_rtpmap (media, 18, "G729", 8000, 1);
  assert_rtpmap (media, 13, "CN", 8000, 1);
  g_assert_false (dt_sdp_lookup_rtpmap (media, 96, NULL, NULL, NULL));
  g_assert_false (dt_sdp_lookup_rtpmap (media, 35, NULL, NULL, NULL));

  assert_round_trip (sdp);
}

static void
test_parse_direction (void)
{
  g_autoptr(DtSdp) sdp = parse_ok ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                                   "c=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\n"
                                   "m=audio 5000 RTP/AVP 0\r\n"
                                   "m=audio 5002 RTP/AVP 0\r\na=recvonly\r\n"
                                   "m=audio 5004 RTP/AVP 0\r\na=sendrecv\r\na=inactive\r\n");
  g_autoptr(DtSdp) plain = parse_ok ("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                                     "c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                                     "m=audio 5000 RTP/AVP 0\r\n");

  g_assert_cmpint (dt_sdp_media_get_direction (sdp, media_at (sdp, 0)), ==,
                   DT_SDP_DIRECTION_SENDONLY);
  g_assert_cmpint (dt_sdp_media_get_direction (sdp, media_at (sdp, 1)), ==,
                   DT_SDP_DIRECTION_RECVONLY);
  /* the last one wins */
  g_assert_cmpint (dt_sdp_media_get_direction (sdp, media_at (sdp, 2)), ==,
                   DT_SDP_DIRECTION_INACTIVE);
  g_assert_cmpint (dt_sdp_media_get_direction (plain, media_at (plain, 0)), ==,
                   DT_SDP_DIRECTION_SENDRECV);
  g_assert_cmpstr (dt_sdp_direction_to_string (DT_SDP_DIRECTION_RECVONLY), ==, "recvonly");
  g_assert_null (dt_sdp_direction_to_string (DT_SDP_DIRECTION_UNSET));

  assert_round_trip (sdp);
  assert_round_trip (plain);
}

static void
test_parse_fmtp_params (void)
{
  g_autoptr(GHashTable) opus = dt_sdp_fmtp_parse_params ("useinbandfec=1; usedtx=1;"
                                                          "MaxAverageBitrate=40000;;stereo=0;"
                                                          "stereo=1");
  g_autoptr(GHashTable) events = dt_sdp_fmtp_parse_params ("0-16");
  g_autoptr(GHashTable) empty = dt_sdp_fmtp_parse_params ("");

  g_assert_cmpuint (g_hash_table_size (opus), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (opus, "useinbandfec"), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (opus, "usedtx"), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (opus, "maxaveragebitrate"), ==, "40000");
  g_assert_cmpstr (g_hash_table_lookup (opus, "stereo"), ==, "0");
  g_assert_cmpuint (g_hash_table_size (events), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (events, "0-16"), ==, "");
  g_assert_cmpuint (g_hash_table_size (empty), ==, 0);
}

typedef struct {
  const char *text;
  DtSdpError  code;
  const char *message;
} ErrorCase;

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
#define AUDIO HEAD "m=audio 5000 RTP/AVP 0 96\r\n"

static const ErrorCase error_cases[] = {
  { "", DT_SDP_ERROR_INVALID, "no v= line" },
  { "\r\n\r\n", DT_SDP_ERROR_INVALID, "no v= line" },
  { "o=- 1 1 IN IP4 192.0.2.1\r\nv=0\r\ns=-\r\n", DT_SDP_ERROR_INVALID,
    "line 1 (“o=- 1 1 IN IP4 192.0.2.1”): the description does not start with v=" },
  { "v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n", DT_SDP_ERROR_INVALID, "only version 0" },
  { "v=0\r\ns=-\r\nt=0 0\r\n", DT_SDP_ERROR_INVALID, "line 2 (“s=-”): o= must follow v=" },
  { "v=0\r\n", DT_SDP_ERROR_INVALID, "no s= line" },
  { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", DT_SDP_ERROR_INVALID, "no s= line" },
  { "v=0\r\no=- 1 IN IP4 192.0.2.1\r\ns=-\r\n", DT_SDP_ERROR_INVALID, "line 2" },
  { "v=0\r\no=- abc 1 IN IP4 192.0.2.1\r\ns=-\r\n", DT_SDP_ERROR_INVALID, "session id" },
  { "v=0\r\no=- 1 99999999999999999999 IN IP4 192.0.2.1\r\ns=-\r\n", DT_SDP_ERROR_INVALID,
    "session version" },
  { HEAD "o=- 1 1 IN IP4 192.0.2.1\r\n", DT_SDP_ERROR_INVALID,
    "line 6 (“o=- 1 1 IN IP4 192.0.2.1”): o= may appear once" },
  { HEAD "s=again\r\n", DT_SDP_ERROR_INVALID, "s= may appear once" },
  { HEAD "v=0\r\n", DT_SDP_ERROR_INVALID, "v= may appear once" },
  { HEAD "c=IN IP4 192.0.2.2\r\n", DT_SDP_ERROR_INVALID, "c= may appear once" },
  { AUDIO "c=IN IP4\r\n", DT_SDP_ERROR_INVALID, "<nettype> <addrtype> <address>" },
  { HEAD "b=AS\r\n", DT_SDP_ERROR_INVALID, "<bwtype>:<bandwidth>" },
  { HEAD "b=AS:lots\r\n", DT_SDP_ERROR_INVALID, "not a number" },
  { HEAD "t=0\r\n", DT_SDP_ERROR_INVALID, "<start-time> <stop-time>" },
  { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nr=1d 1h 0\r\n", DT_SDP_ERROR_INVALID,
    "r= before t=" },
  { HEAD "garbage\r\n", DT_SDP_ERROR_INVALID,
    "line 6 (“garbage”): expected “<type>=<value>”" },
  { HEAD "a=\r\n", DT_SDP_ERROR_INVALID, "no name" },
  { HEAD "a=tool:\x01\r\n", DT_SDP_ERROR_INVALID, "“a=tool:?”): control character" },
  { HEAD "s=caf\xc3\r\n", DT_SDP_ERROR_INVALID, "not UTF-8" },
  { HEAD "m=audio\r\n", DT_SDP_ERROR_INVALID, "<media> <port> <proto>" },
  { HEAD "m=audio 70000 RTP/AVP 0\r\n", DT_SDP_ERROR_INVALID, "bad port “70000”" },
  { HEAD "m=audio -1 RTP/AVP 0\r\n", DT_SDP_ERROR_INVALID, "bad port “-1”" },
  { HEAD "m=audio x RTP/AVP 0\r\n", DT_SDP_ERROR_INVALID, "bad port “x”" },
  { HEAD "m=audio 5000/0 RTP/AVP 0\r\n", DT_SDP_ERROR_INVALID, "bad port count" },
  { HEAD "m=audio 5000 RTP/AVP 128\r\n", DT_SDP_ERROR_INVALID, "bad payload type “128”" },
  { HEAD "m=audio 5000 RTP/SAVP PCMU\r\n", DT_SDP_ERROR_INVALID, "bad payload type “PCMU”" },
  { AUDIO "o=- 1 1 IN IP4 192.0.2.1\r\n", DT_SDP_ERROR_INVALID,
    "o= cannot appear in a media description" },
  { AUDIO "t=0 0\r\n", DT_SDP_ERROR_INVALID, "t= cannot appear in a media description" },
  { AUDIO "c=IN IP4 192.0.2.2\r\nc=IN IP4 192.0.2.3\r\n", DT_SDP_ERROR_INVALID,
    "c= may appear once" },
  { AUDIO "a=rtpmap:300 opus/48000/2\r\n", DT_SDP_ERROR_INVALID,
    "line 7 (“a=rtpmap:300 opus/48000/2”): bad payload type “300”" },
  { AUDIO "a=rtpmap:x opus/48000/2\r\n", DT_SDP_ERROR_INVALID, "bad payload type “x”" },
  { AUDIO "a=rtpmap:96 opus\r\n", DT_SDP_ERROR_INVALID, "<encoding>/<clock rate>" },
  { AUDIO "a=rtpmap:96\r\n", DT_SDP_ERROR_INVALID, "<payload type> <encoding>" },
  { AUDIO "a=rtpmap:96 opus/0\r\n", DT_SDP_ERROR_INVALID, "bad clock rate" },
  { AUDIO "a=rtpmap:96 opus/48000/0\r\n", DT_SDP_ERROR_INVALID, "bad channel count" },
  { AUDIO "a=rtpmap:96 opus/48000/2/1\r\n", DT_SDP_ERROR_INVALID, "<encoding>/<clock rate>" },
  { AUDIO "a=rtpmap:96 opus/48000/2\r\na=rtpmap:96 G722/8000\r\n", DT_SDP_ERROR_INVALID,
    "a second rtpmap for payload type 96" },
  { AUDIO "a=fmtp:\r\n", DT_SDP_ERROR_INVALID, "<format> <parameters>" },
  { AUDIO "a=fmtp:abc x=1\r\n", DT_SDP_ERROR_INVALID, "bad payload type “abc”" },
  { AUDIO "a=fmtp:96 a=1\r\na=fmtp:96 b=1\r\n", DT_SDP_ERROR_INVALID, "a second fmtp" },
  { AUDIO "a=ptime:0\r\n", DT_SDP_ERROR_INVALID, "bad packet time" },
  { AUDIO "a=ptime:20.5\r\n", DT_SDP_ERROR_INVALID, "bad packet time" },
  { AUDIO "a=maxptime:x\r\n", DT_SDP_ERROR_INVALID, "bad packet time" },
  { AUDIO "a=rtcp:0\r\n", DT_SDP_ERROR_INVALID, "bad RTCP port" },
  { AUDIO "a=rtcp:5001 IN IP4\r\n", DT_SDP_ERROR_INVALID, "<port> [<nettype>" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n", DT_SDP_ERROR_INVALID,
    "<tag> <crypto-suite> <key-params>" },
  { AUDIO "a=crypto:0 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n", DT_SDP_ERROR_INVALID,
    "bad crypto tag" },
  { AUDIO "a=crypto:1000000000 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n",
    DT_SDP_ERROR_INVALID, "bad crypto tag" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 uri:http://example.com/key\r\n",
    DT_SDP_ERROR_INVALID, "unknown key method" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:not*base64\r\n", DT_SDP_ERROR_INVALID,
    "not base64" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:QUJD\r\n", DT_SDP_ERROR_INVALID,
    "AES_CM_128_HMAC_SHA1_80 needs a 30-byte key and salt, not 3" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" KEY_A "QUJD\r\n", DT_SDP_ERROR_INVALID,
    "needs a 30-byte key and salt, not 33" },
  { AUDIO "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:" KEY_A "\r\n", DT_SDP_ERROR_INVALID,
    "needs a 46-byte key and salt, not 30" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|forever\r\n",
    DT_SDP_ERROR_INVALID, "bad key lifetime" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|1:0\r\n", DT_SDP_ERROR_INVALID,
    "bad MKI" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|1:4|2^20\r\n",
    DT_SDP_ERROR_INVALID, "inline:<key>" },
  { AUDIO "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A ";\r\n", DT_SDP_ERROR_INVALID,
    "unknown key method" },
};

static void
test_parse_errors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtSdp) sdp = NULL;
      g_autofree char *escaped = g_strescape (c->text, NULL);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, escaped);
      sdp = dt_sdp_parse (c->text, -1, &error);
      g_assert_null (sdp);
      g_assert_error (error, DT_SDP_ERROR, (int) c->code);
      if (strstr (error->message, c->message) == NULL)
        g_error ("“%s” does not hold “%s”", error->message, c->message);
    }
}

static void
test_parse_nul_and_length (void)
{
  static const char text[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n\0a=x\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) sdp = NULL;
  g_autoptr(DtSdp) prefix = NULL;

  sdp = dt_sdp_parse (text, sizeof text - 1, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID);
  g_assert_null (sdp);

  /* a length that stops before the NUL */
  prefix = dt_sdp_parse (text, strlen (text), NULL);
  g_assert_nonnull (prefix);
}

static void
test_parse_limits (void)
{
  g_autoptr(GString) big = g_string_new (HEAD);
  g_autoptr(GString) media = g_string_new (HEAD);
  g_autoptr(GString) attributes = g_string_new (AUDIO);
  g_autoptr(GString) bandwidths = g_string_new (HEAD);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) sdp = NULL;

  while (big->len <= DT_SDP_MAX_SIZE)
    g_string_append (big, "a=x-padding:0123456789abcdef0123456789abcdef\r\n");
  sdp = dt_sdp_parse (big->str, big->len, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i < DT_SDP_MAX_MEDIA; i++)
    g_string_append (media, "m=audio 0 RTP/AVP 0\r\n");
  sdp = parse_ok (media->str);
  g_assert_cmpuint (sdp->media->len, ==, DT_SDP_MAX_MEDIA);
  g_clear_pointer (&sdp, dt_sdp_free);
  g_string_append (media, "m=audio 0 RTP/AVP 0\r\n");
  sdp = dt_sdp_parse (media->str, -1, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (guint i = 0; i < DT_SDP_MAX_ATTRIBUTES; i++)
    g_string_append (attributes, "a=x\r\n");
  sdp = parse_ok (attributes->str);
  g_clear_pointer (&sdp, dt_sdp_free);
  g_string_append (attributes, "a=sendrecv\r\n");
  sdp = dt_sdp_parse (attributes->str, -1, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "attributes"));
  g_clear_error (&error);

  for (guint i = 0; i <= DT_SDP_MAX_BANDWIDTHS; i++)
    g_string_append (bandwidths, "b=AS:64\r\n");
  sdp = dt_sdp_parse (bandwidths->str, -1, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE);
}

static void
test_round_trip_corpus (void)
{
  const char *dir = g_test_get_filename (G_TEST_DIST, "fuzz", "corpus", "sdp", NULL);
  g_autoptr(GDir) corpus = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (corpus);
  while ((name = g_dir_read_name (corpus)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(DtSdp) sdp = NULL;

      g_test_message ("%s", name);
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      sdp = parse_ok (contents);
      g_assert_cmpuint (sdp->media->len, >=, 1);
      assert_round_trip (sdp);
      n++;
    }

  g_assert_cmpuint (n, >=, 20);
}

static void
test_write_built (void)
{
  g_autoptr(DtSdp) sdp = dt_sdp_new ();
  g_autoptr(GBytes) key = repeated_bytes (0, 30);
  g_autofree char *text = NULL;
  DtSdpMedia *media;

  sdp->origin_sess_id = 1;
  sdp->origin_sess_version = 2;
  g_clear_pointer (&sdp->session_name, g_free);
  sdp->session_name = g_strdup ("");
  sdp->connection = dt_sdp_connection_new ("2001:db8::1");
  dt_sdp_add_attribute (sdp, "tool", "dialtone");

  media = dt_sdp_media_new ("audio", 4000, "RTP/SAVP");
  g_ptr_array_add (media->formats, g_strdup ("0"));
  g_ptr_array_add (media->formats, g_strdup ("101"));
  dt_sdp_media_add_fmtp (media, "101", "0-16");
  dt_sdp_media_add_rtpmap (media, 101, "telephone-event", 8000, 0);
  dt_sdp_media_add_rtpmap (media, 0, "PCMU", 8000, 0);
  dt_sdp_media_add_fmtp (media, "0", "");
  dt_sdp_media_add_attribute (media, "x-flag", NULL);
  g_ptr_array_add (media->cryptos, dt_sdp_crypto_new (1, "AES_CM_128_HMAC_SHA1_80", key));
  media->direction = DT_SDP_DIRECTION_RECVONLY;
  media->rtcp_port = 4001;
  g_ptr_array_add (sdp->media, media);

  text = dt_sdp_to_string (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=- 1 2 IN IP4 0.0.0.0\r\n"
                   "s= \r\n"
                   "c=IN IP6 2001:db8::1\r\n"
                   "t=0 0\r\n"
                   "a=tool:dialtone\r\n"
                   "m=audio 4000 RTP/SAVP 0 101\r\n"
                   "a=rtpmap:101 telephone-event/8000\r\n"
                   "a=fmtp:101 0-16\r\n"
                   "a=rtpmap:0 PCMU/8000\r\n"
                   "a=fmtp:0\r\n"
                   "a=rtcp:4001\r\n"
                   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                   "inline:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n"
                   "a=x-flag\r\n"
                   "a=recvonly\r\n");
  assert_round_trip (sdp);
}

/* Offers */

static void
test_offer_reference (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_REQUIRED);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) offer = NULL;
  g_autofree char *text = NULL;

  caps.rtcp_mux = FALSE;
  caps.rtcp_port = 40003;
  offer = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);

  /* the shape of the reference offer in the protocol notes */
  text = dt_sdp_to_string (offer);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=- 4862384739 1 IN IP4 192.0.2.10\r\n"
                   "s=-\r\n"
                   "c=IN IP4 192.0.2.10\r\n"
                   "t=0 0\r\n"
                   "m=audio 40000 RTP/SAVP 96 9 0 8 110 101\r\n"
                   "a=rtpmap:96 opus/48000/2\r\n"
                   "a=fmtp:96 useinbandfec=1;usedtx=1\r\n"
                   "a=rtpmap:9 G722/8000\r\n"
                   "a=rtpmap:0 PCMU/8000\r\n"
                   "a=rtpmap:8 PCMA/8000\r\n"
                   "a=rtpmap:110 telephone-event/48000\r\n"
                   "a=fmtp:110 0-16\r\n"
                   "a=rtpmap:101 telephone-event/8000\r\n"
                   "a=fmtp:101 0-16\r\n"
                   "a=ptime:20\r\n"
                   "a=rtcp:40003\r\n"
                   "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                   "inline:ERERERERERERERERERERERERERERERERERERERER\r\n"
                   "a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
                   "inline:ERERERERERERERERERERERERERERERERERERERER\r\n"
                   "a=sendrecv\r\n");
  assert_round_trip (offer);
}

static void
test_offer_payload_types (void)
{
  static const DtSdpCodec codecs[] = {
    { "opus", 48000, 2, NULL, 111 },
    { "L16", 16000, 1, NULL, -1 },
    { "PCMA", 8000, 1, NULL, -1 },
    { "G729", 8000, 1, "annexb=no", -1 },
  };
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) offer = NULL;
  const DtSdpMedia *media;

  caps.codecs = codecs;
  caps.n_codecs = G_N_ELEMENTS (codecs);
  caps.direction = DT_SDP_DIRECTION_SENDONLY;
  caps.session_id = 0;
  caps.username = "dialtone";
  caps.address = "2001:db8::5";
  offer = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (offer->origin_sess_id, !=, 0);
  g_assert_cmpuint (offer->origin_sess_version, ==, 1);
  g_assert_cmpstr (offer->origin_username, ==, "dialtone");
  g_assert_cmpstr (offer->origin.addrtype, ==, "IP6");
  g_assert_cmpstr (offer->connection->addrtype, ==, "IP6");

  media = media_at (offer, 0);
  g_assert_cmpstr (media->proto, ==, "RTP/AVP");
  /* explicit 111, dynamic 96 for L16/16000, static 8 and 18, then one
   * telephone-event per clock rate: 48000, 16000, 8000 */
  assert_formats (media, "111 96 8 18 110 97 101");
  assert_rtpmap (media, 96, "L16", 16000, 1);
  assert_rtpmap (media, 97, "telephone-event", 16000, 1);
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "18"), ==, "annexb=no");
  g_assert_true (media->rtcp_mux);
  g_assert_cmpuint (media->rtcp_port, ==, 0);
  g_assert_cmpuint (media->cryptos->len, ==, 0);
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_SENDONLY);
  assert_round_trip (offer);
}

static void
test_offer_srtp_policies (void)
{
  static const char *const suites[] = { "AES_CM_128_HMAC_SHA1_32", "F8_128_HMAC_SHA1_80",
                                        "AEAD_AES_256_GCM", NULL };
  static const char *const useless[] = { "F8_128_HMAC_SHA1_80", NULL };
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) off = NULL;
  g_autoptr(DtSdp) optional = NULL;
  g_autoptr(DtSdp) required = NULL;
  g_autoptr(DtSdp) chosen = NULL;
  g_autoptr(DtSdp) none = NULL;
  const DtSdpCrypto *crypto;
  const DtSdpCryptoKey *key;

  off = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (media_at (off, 0)->proto, ==, "RTP/AVP");
  g_assert_cmpuint (media_at (off, 0)->cryptos->len, ==, 0);

  caps.srtp = DT_SDP_SRTP_OPTIONAL;
  optional = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (media_at (optional, 0)->proto, ==, "RTP/AVP");
  g_assert_cmpuint (media_at (optional, 0)->cryptos->len, ==, 2);

  caps.srtp = DT_SDP_SRTP_REQUIRED;
  required = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (media_at (required, 0)->proto, ==, "RTP/SAVP");
  crypto = g_ptr_array_index (media_at (required, 0)->cryptos, 0);
  g_assert_cmpuint (crypto->tag, ==, 1);
  g_assert_cmpstr (crypto->suite, ==, "AES_CM_128_HMAC_SHA1_80");
  crypto = g_ptr_array_index (media_at (required, 0)->cryptos, 1);
  g_assert_cmpuint (crypto->tag, ==, 2);
  g_assert_cmpstr (crypto->suite, ==, "AES_CM_128_HMAC_SHA1_32");

  /* suites srtpenc cannot run are never offered */
  caps.srtp_suites = suites;
  chosen = dt_sdp_create_offer (&caps, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (media_at (chosen, 0)->cryptos->len, ==, 2);
  crypto = g_ptr_array_index (media_at (chosen, 0)->cryptos, 1);
  g_assert_cmpuint (crypto->tag, ==, 2);
  g_assert_cmpstr (crypto->suite, ==, "AEAD_AES_256_GCM");
  key = g_ptr_array_index (crypto->keys, 0);
  g_assert_cmpuint (g_bytes_get_size (key->key_salt), ==, 44);
  assert_round_trip (chosen);

  caps.srtp_suites = useless;
  none = dt_sdp_create_offer (&caps, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED);
  g_assert_null (none);
}

static void
test_offer_random_keys (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_REQUIRED);
  g_autoptr(DtSdp) first = NULL;
  g_autoptr(DtSdp) second = NULL;
  const DtSdpCrypto *a;
  const DtSdpCrypto *b;

  caps.key_func = NULL;
  first = dt_sdp_create_offer (&caps, NULL);
  second = dt_sdp_create_offer (&caps, NULL);
  a = g_ptr_array_index (media_at (first, 0)->cryptos, 0);
  b = g_ptr_array_index (media_at (second, 0)->cryptos, 0);
  g_assert_false (g_bytes_equal (((DtSdpCryptoKey *) g_ptr_array_index (a->keys, 0))->key_salt,
                                 ((DtSdpCryptoKey *) g_ptr_array_index (b->keys, 0))->key_salt));
}

/* Answers */

static DtSdp *
answer_ok (const DtSdpCaps  *caps,
           const char       *offer_text,
           DtSdpNegotiated **result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) offer = parse_ok (offer_text);
  DtSdp *answer = dt_sdp_create_answer (caps, offer, result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
  assert_round_trip (answer);

  return answer;
}

static void
test_answer_baresip (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdp) answer = answer_ok (&caps, baresip_offer, &result);
  const DtSdpMedia *media = media_at (answer, 0);

  g_assert_cmpuint (answer->origin_sess_id, ==, 4862384739);
  g_assert_cmpstr (answer->connection->address, ==, "192.0.2.10");
  g_assert_cmpuint (media->port, ==, 40000);
  g_assert_cmpstr (media->proto, ==, "RTP/AVP");
  /* the offerer's numbers (RFC 3264 §6.1), in Dialtone's order */
  assert_formats (media, "96 9 0 8 101");
  assert_rtpmap (media, 96, "opus", 48000, 2);
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "96"), ==, "useinbandfec=1;usedtx=1");
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media, "101"), ==, "0-15");
  g_assert_cmpuint (media->ptime, ==, 20);
  g_assert_false (media->rtcp_mux);
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_SENDRECV);

  g_assert_cmpuint (result->media_index, ==, 0);
  g_assert_cmpstr (result->remote_address, ==, "192.168.1.20");
  g_assert_cmpuint (result->remote_port, ==, 10230);
  g_assert_cmpstr (result->remote_rtcp_address, ==, "192.168.1.20");
  g_assert_cmpuint (result->remote_rtcp_port, ==, 10231);
  g_assert_false (result->rtcp_mux);
  g_assert_cmpuint (result->pt, ==, 96);
  g_assert_cmpstr (result->encoding, ==, "opus");
  g_assert_cmpuint (result->clock_rate, ==, 48000);
  g_assert_cmpuint (result->channels, ==, 2);
  /* what the peer wants to receive */
  g_assert_cmpstr (result->fmtp, ==, "stereo=1;sprop-stereo=1");
  /* no telephone-event/48000 offered: baresip sends /8000 next to Opus */
  g_assert_cmpint (result->telephone_event_pt, ==, 101);
  g_assert_cmpuint (result->telephone_event_clock_rate, ==, 8000);
  g_assert_cmpint (result->direction, ==, DT_SDP_DIRECTION_SENDRECV);
  g_assert_false (result->remote_hold);
  g_assert_null (result->srtp_suite);
  g_assert_null (result->local_key);
  g_assert_null (result->remote_key);
}

static void
test_answer_preference (void)
{
  static const DtSdpCodec codecs[] = {
    { "PCMA", 8000, 1, NULL, -1 },
    { "OPUS", 48000, 2, NULL, -1 },
  };
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdp) answer = NULL;

  caps.codecs = codecs;
  caps.n_codecs = G_N_ELEMENTS (codecs);
  caps.dtmf = FALSE;
  answer = answer_ok (&caps, baresip_offer, &result);
  assert_formats (media_at (answer, 0), "8 96");
  /* the offerer's spelling and mapping */
  assert_rtpmap (media_at (answer, 0), 96, "opus", 48000, 2);
  g_assert_cmpuint (result->pt, ==, 8);
  g_assert_cmpstr (result->encoding, ==, "PCMA");
  g_assert_cmpuint (result->channels, ==, 1);
  g_assert_null (result->fmtp);
  g_assert_cmpint (result->telephone_event_pt, ==, -1);
}

static void
test_answer_no_common_codec (void)
{
  static const DtSdpCodec codecs[] = {
    { "G729", 8000, 1, NULL, -1 },
    { "opus", 48000, 2, NULL, -1 },
  };
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdp) offer = parse_ok (HEAD "m=audio 5000 RTP/AVP 0 8 101 97\r\n"
                                     "a=rtpmap:101 telephone-event/8000\r\n"
                                     "a=rtpmap:97 opus/16000/1\r\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdpNegotiated) result = NULL;

  caps.codecs = codecs;
  caps.n_codecs = G_N_ELEMENTS (codecs);
  answer = dt_sdp_create_answer (&caps, offer, &result, &error);
  g_assert_error (error, DT_SDP_ERROR, DT_SDP_ERROR_NOT_ACCEPTABLE);
  g_assert_cmpstr (error->message, ==,
                   "No codec in common: the other side offers PCMU/8000, PCMA/8000, opus/16000; "
                   "Dialtone supports G729/8000, opus/48000");
  g_assert_null (answer);
  g_assert_null (result);
}

static void
test_answer_unusable_offers (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  static const struct {
    const char *text;
    DtSdpError  code;
  } cases[] = {
    { HEAD, DT_SDP_ERROR_NOT_ACCEPTABLE },
    { HEAD "m=audio 0 RTP/AVP 0\r\nm=video 5000 RTP/AVP 96\r\n", DT_SDP_ERROR_NOT_ACCEPTABLE },
    { HEAD "m=audio 5000 UDP/TLS/RTP/SAVPF 0\r\n", DT_SDP_ERROR_NOT_ACCEPTABLE },
    { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
      DT_SDP_ERROR_INVALID },
    /* a dynamic type without rtpmap means nothing */
    { HEAD "m=audio 5000 RTP/AVP 96\r\n", DT_SDP_ERROR_NOT_ACCEPTABLE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtSdp) offer = parse_ok (cases[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(DtSdp) answer = dt_sdp_create_answer (&caps, offer, NULL, &error);

      g_assert_error (error, DT_SDP_ERROR, (int) cases[i].code);
      g_assert_null (answer);
    }
}

static void
test_answer_telephone_event (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdpNegotiated) pcmu_result = NULL;
  g_autoptr(DtSdpNegotiated) without_result = NULL;
  g_autoptr(DtSdp) answer = answer_ok (&caps, linphone_offer, &result);
  g_autoptr(DtSdp) pcmu = NULL;
  g_autoptr(DtSdp) without = NULL;
  static const DtSdpCodec pcmu_only[] = { { "PCMU", 8000, 0, NULL, -1 } };

  /* 48000 and 8000 match a chosen codec; 16000 only matches speex */
  assert_formats (media_at (answer, 0), "96 0 8 101 100");
  g_assert_cmpint (result->telephone_event_pt, ==, 101);
  g_assert_cmpuint (result->telephone_event_clock_rate, ==, 48000);
  g_assert_cmpstr (dt_sdp_media_get_fmtp (media_at (answer, 0), "101"), ==, "0-16");

  caps.codecs = pcmu_only;
  caps.n_codecs = 1;
  pcmu = answer_ok (&caps, linphone_offer, &pcmu_result);
  assert_formats (media_at (pcmu, 0), "0 100");
  g_assert_cmpuint (pcmu_result->pt, ==, 0);
  g_assert_cmpint (pcmu_result->telephone_event_pt, ==, 100);
  g_assert_cmpuint (pcmu_result->telephone_event_clock_rate, ==, 8000);

  caps.dtmf = FALSE;
  without = answer_ok (&caps, linphone_offer, &without_result);
  assert_formats (media_at (without, 0), "0");
  g_assert_cmpint (without_result->telephone_event_pt, ==, -1);
}

static void
test_answer_rejects_other_media (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdp) answer = answer_ok (&caps, linphone_video_offer, &result);
  const DtSdpMedia *media;

  g_assert_cmpuint (answer->media->len, ==, 3);

  media = media_at (answer, 0);
  g_assert_cmpstr (media->media, ==, "video");
  g_assert_cmpuint (media->port, ==, 0);
  g_assert_cmpstr (media->proto, ==, "RTP/AVP");
  assert_formats (media, "96");
  g_assert_cmpuint (media->rtpmaps->len, ==, 0);

  media = media_at (answer, 1);
  g_assert_cmpstr (media->media, ==, "audio");
  g_assert_cmpuint (media->port, ==, 40000);
  assert_formats (media, "96 0 8 101");

  media = media_at (answer, 2);
  g_assert_cmpstr (media->media, ==, "application");
  g_assert_cmpuint (media->port, ==, 0);
  g_assert_cmpstr (media->proto, ==, "UDP/BFCP");
  assert_formats (media, "*");

  g_assert_cmpuint (result->media_index, ==, 1);
  g_assert_cmpuint (result->remote_port, ==, 7078);
}

static void
test_answer_direction (void)
{
  static const struct {
    const char     *offer;
    DtSdpDirection  wish;
    DtSdpDirection  answer;
  } cases[] = {
    /* RFC 3264 §6.1 */
    { "a=sendrecv", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_SENDRECV },
    { "", DT_SDP_DIRECTION_UNSET, DT_SDP_DIRECTION_SENDRECV },
    { "a=sendonly", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_RECVONLY },
    { "a=recvonly", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_SENDONLY },
    { "a=inactive", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_INACTIVE },
    /* Dialtone holds */
    { "a=sendrecv", DT_SDP_DIRECTION_SENDONLY, DT_SDP_DIRECTION_SENDONLY },
    { "a=sendonly", DT_SDP_DIRECTION_SENDONLY, DT_SDP_DIRECTION_INACTIVE },
    { "a=recvonly", DT_SDP_DIRECTION_SENDONLY, DT_SDP_DIRECTION_SENDONLY },
    { "a=sendrecv", DT_SDP_DIRECTION_INACTIVE, DT_SDP_DIRECTION_INACTIVE },
    { "a=sendrecv", DT_SDP_DIRECTION_RECVONLY, DT_SDP_DIRECTION_RECVONLY },
    /* RFC 3264 §8.4: the RFC 2543 hold */
    { "c=IN IP4 0.0.0.0", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_RECVONLY },
    { "c=IN IP4 0.0.0.0\r\na=recvonly", DT_SDP_DIRECTION_SENDRECV, DT_SDP_DIRECTION_INACTIVE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
      g_autofree char *text = g_strdup_printf (AUDIO "%s\r\n", cases[i].offer);
      g_autoptr(DtSdpNegotiated) result = NULL;
      g_autoptr(DtSdp) answer = NULL;

      g_test_message ("offer %s, wish %d", cases[i].offer, cases[i].wish);
      caps.direction = cases[i].wish;
      answer = answer_ok (&caps, text, &result);
      g_assert_cmpint (media_at (answer, 0)->direction, ==, cases[i].answer);
      g_assert_cmpint (result->direction, ==, cases[i].answer);
    }
}

static void
test_answer_rtcp (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) muxed_result = NULL;
  g_autoptr(DtSdpNegotiated) unwanted_result = NULL;
  g_autoptr(DtSdpNegotiated) rtcp_result = NULL;
  g_autoptr(DtSdpNegotiated) ipv6_result = NULL;
  g_autoptr(DtSdp) muxed = answer_ok (&caps, AUDIO "a=rtcp-mux\r\n", &muxed_result);
  g_autoptr(DtSdp) unwanted = NULL;
  g_autoptr(DtSdp) rtcp = NULL;
  g_autoptr(DtSdp) ipv6 = NULL;

  g_assert_true (media_at (muxed, 0)->rtcp_mux);
  g_assert_true (muxed_result->rtcp_mux);
  g_assert_cmpuint (muxed_result->remote_rtcp_port, ==, 5000);

  rtcp = answer_ok (&caps, linphone_offer, &rtcp_result);
  g_assert_false (media_at (rtcp, 0)->rtcp_mux);
  g_assert_false (rtcp_result->rtcp_mux);
  g_assert_cmpuint (rtcp_result->remote_rtcp_port, ==, 7079);
  g_assert_cmpstr (rtcp_result->remote_rtcp_address, ==, "192.168.0.42");

  ipv6 = answer_ok (&caps, ipv6_offer, &ipv6_result);
  g_assert_cmpstr (ipv6_result->remote_address, ==, "2001:db8::10");
  g_assert_cmpstr (ipv6_result->remote_rtcp_address, ==, "2001:db8::11");
  g_assert_cmpuint (ipv6_result->remote_rtcp_port, ==, 50001);

  caps.rtcp_mux = FALSE;
  caps.rtcp_port = 40005;
  unwanted = answer_ok (&caps, AUDIO "a=rtcp-mux\r\n", &unwanted_result);
  g_assert_false (media_at (unwanted, 0)->rtcp_mux);
  g_assert_false (unwanted_result->rtcp_mux);
  g_assert_cmpuint (unwanted_result->remote_rtcp_port, ==, 5001);
  g_assert_cmpuint (media_at (unwanted, 0)->rtcp_port, ==, 40005);
}

typedef enum {
  OFFER_AVP,
  OFFER_AVP_CRYPTO,
  OFFER_SAVP_CRYPTO,
  OFFER_SAVP_BARE,
  OFFER_SAVP_UNUSABLE,
  N_OFFER_KINDS,
} OfferKind;

static char *
make_srtp_offer (OfferKind kind)
{
  const char *proto = kind == OFFER_AVP || kind == OFFER_AVP_CRYPTO ? "RTP/AVP" : "RTP/SAVP";
  const char *crypto = "";

  switch (kind)
    {
    case OFFER_AVP_CRYPTO:
    case OFFER_SAVP_CRYPTO:
      crypto = "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n";
      break;
    case OFFER_SAVP_UNUSABLE:
      crypto = "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" KEY_A "\r\n"
               "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "|1:1\r\n";
      break;
    case OFFER_AVP:
    case OFFER_SAVP_BARE:
    case N_OFFER_KINDS:
    default:
      break;
    }

  return g_strdup_printf (HEAD "m=audio 5000 %s 0\r\n%s", proto, crypto);
}

static void
test_answer_srtp_matrix (void)
{
  /* -1: plain RTP; -2: SRTP; otherwise the error code */
  static const int expected[3][N_OFFER_KINDS] = {
    [DT_SDP_SRTP_OFF] = { -1, -1, DT_SDP_ERROR_SRTP_UNSUPPORTED, DT_SDP_ERROR_SRTP_UNSUPPORTED,
                          DT_SDP_ERROR_SRTP_UNSUPPORTED },
    [DT_SDP_SRTP_OPTIONAL] = { -1, -2, -2, DT_SDP_ERROR_SRTP_UNSUPPORTED,
                               DT_SDP_ERROR_SRTP_UNSUPPORTED },
    [DT_SDP_SRTP_REQUIRED] = { DT_SDP_ERROR_SRTP_REQUIRED, -2, -2, DT_SDP_ERROR_SRTP_REQUIRED,
                               DT_SDP_ERROR_SRTP_REQUIRED },
  };

  for (int policy = DT_SDP_SRTP_OFF; policy <= DT_SDP_SRTP_REQUIRED; policy++)
    for (int kind = 0; kind < N_OFFER_KINDS; kind++)
      {
        DtSdpCaps caps = make_caps ((DtSdpSrtpPolicy) policy);
        g_autofree char *text = make_srtp_offer ((OfferKind) kind);
        g_autoptr(DtSdp) offer = parse_ok (text);
        g_autoptr(GError) error = NULL;
        g_autoptr(DtSdpNegotiated) result = NULL;
        g_autoptr(DtSdp) answer = NULL;

        g_test_message ("policy %d, offer kind %d", policy, kind);
        answer = dt_sdp_create_answer (&caps, offer, &result, &error);

        if (expected[policy][kind] >= 0)
          {
            g_assert_error (error, DT_SDP_ERROR, expected[policy][kind]);
            g_assert_null (answer);
            continue;
          }

        g_assert_no_error (error);
        g_assert_cmpstr (media_at (answer, 0)->proto, ==, media_at (offer, 0)->proto);

        if (expected[policy][kind] == -1)
          {
            g_assert_cmpuint (media_at (answer, 0)->cryptos->len, ==, 0);
            g_assert_null (result->srtp_suite);
          }
        else
          {
            const DtSdpCrypto *crypto = g_ptr_array_index (media_at (answer, 0)->cryptos, 0);
            g_autoptr(GBytes) ours = repeated_bytes (0x11, 30);

            g_assert_cmpuint (media_at (answer, 0)->cryptos->len, ==, 1);
            g_assert_cmpuint (crypto->tag, ==, 3);
            g_assert_cmpstr (result->srtp_suite, ==, "AES_CM_128_HMAC_SHA1_80");
            g_assert_cmpuint (result->srtp_tag, ==, 3);
            g_assert_true (g_bytes_equal (result->local_key, ours));
            g_assert_cmpuint (g_bytes_get_size (result->remote_key), ==, 30);
          }
      }
}

static void
test_answer_crypto_choice (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_REQUIRED);
  static const char *const prefer_32[] = { "AES_CM_128_HMAC_SHA1_32", "AES_CM_128_HMAC_SHA1_80",
                                           NULL };
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdpNegotiated) other_result = NULL;
  g_autoptr(DtSdp) answer = answer_ok (&caps, srtp_offer, &result);
  g_autoptr(DtSdp) other = NULL;
  const DtSdpCrypto *crypto = g_ptr_array_index (media_at (answer, 0)->cryptos, 0);
  g_autofree guchar *key_b = NULL;
  gsize key_b_length;
  g_autoptr(GBytes) remote = NULL;

  /* _80 is preferred even though _32 comes first; the lines with an MKI
   * or session parameters are passed over, and a lifetime is accepted */
  g_assert_cmpuint (media_at (answer, 0)->cryptos->len, ==, 1);
  g_assert_cmpuint (crypto->tag, ==, 2);
  g_assert_cmpstr (crypto->suite, ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_null (((DtSdpCryptoKey *) g_ptr_array_index (crypto->keys, 0))->lifetime);
  g_assert_cmpuint (result->srtp_tag, ==, 2);
  key_b = g_base64_decode (KEY_B, &key_b_length);
  remote = g_bytes_new (key_b, key_b_length);
  g_assert_true (g_bytes_equal (result->remote_key, remote));
  g_assert_true (result->rtcp_mux);

  caps.srtp_suites = prefer_32;
  other = answer_ok (&caps, srtp_offer, &other_result);
  crypto = g_ptr_array_index (media_at (other, 0)->cryptos, 0);
  g_assert_cmpuint (crypto->tag, ==, 1);
  g_assert_cmpstr (other_result->srtp_suite, ==, "AES_CM_128_HMAC_SHA1_32");
}

/* Offerer's side */

static void
test_negotiate_round (void)
{
  DtSdpCaps alice = make_caps (DT_SDP_SRTP_REQUIRED);
  DtSdpCaps bob = make_caps (DT_SDP_SRTP_OPTIONAL);
  static const DtSdpCodec bob_codecs[] = {
    { "G722", 8000, 0, NULL, -1 },
    { "opus", 48000, 2, "useinbandfec=1", -1 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdp) offer_seen = NULL;
  g_autoptr(DtSdp) answer_seen = NULL;
  g_autoptr(DtSdpNegotiated) at_bob = NULL;
  g_autoptr(DtSdpNegotiated) at_alice = NULL;
  g_autofree char *offer_text = NULL;
  g_autofree char *answer_text = NULL;

  bob.codecs = bob_codecs;
  bob.n_codecs = G_N_ELEMENTS (bob_codecs);
  bob.address = "198.51.100.20";
  bob.port = 50000;
  bob.key_func_data = GINT_TO_POINTER (0x22);
  bob.session_id = 77;

  offer = dt_sdp_create_offer (&alice, &error);
  g_assert_no_error (error);
  offer_text = dt_sdp_to_string (offer);
  offer_seen = parse_ok (offer_text);

  answer = dt_sdp_create_answer (&bob, offer_seen, &at_bob, &error);
  g_assert_no_error (error);
  answer_text = dt_sdp_to_string (answer);
  answer_seen = parse_ok (answer_text);

  at_alice = dt_sdp_negotiate (offer, answer_seen, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (at_alice->remote_address, ==, "198.51.100.20");
  g_assert_cmpuint (at_alice->remote_port, ==, 50000);
  g_assert_cmpstr (at_bob->remote_address, ==, "192.0.2.10");
  g_assert_cmpuint (at_bob->remote_port, ==, 40000);
  g_assert_true (at_alice->rtcp_mux && at_bob->rtcp_mux);
  g_assert_cmpuint (at_alice->remote_rtcp_port, ==, 50000);

  /* both send Bob's first choice */
  g_assert_cmpuint (at_alice->pt, ==, 9);
  g_assert_cmpuint (at_bob->pt, ==, 9);
  g_assert_cmpstr (at_alice->encoding, ==, "G722");
  g_assert_cmpuint (at_alice->clock_rate, ==, 8000);
  g_assert_cmpint (at_alice->telephone_event_pt, ==, 101);
  g_assert_cmpint (at_bob->telephone_event_pt, ==, 101);
  g_assert_cmpint (at_alice->direction, ==, DT_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (at_bob->direction, ==, DT_SDP_DIRECTION_SENDRECV);

  g_assert_cmpstr (at_alice->srtp_suite, ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_cmpstr (at_bob->srtp_suite, ==, "AES_CM_128_HMAC_SHA1_80");
  g_assert_cmpuint (at_alice->srtp_tag, ==, 1);
  g_assert_true (g_bytes_equal (at_alice->local_key, at_bob->remote_key));
  g_assert_true (g_bytes_equal (at_alice->remote_key, at_bob->local_key));
  g_assert_false (g_bytes_equal (at_alice->local_key, at_alice->remote_key));
}

static void
test_negotiate_asterisk (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OPTIONAL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSdp) offer = dt_sdp_create_offer (&caps, &error);
  g_autoptr(DtSdp) answer = parse_ok (asterisk_answer);
  g_autoptr(DtSdpNegotiated) result = NULL;

  g_assert_no_error (error);

  /* Asterisk declined the best-effort crypto: plain RTP */
  result = dt_sdp_negotiate (offer, answer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->remote_address, ==, "203.0.113.7");
  g_assert_cmpuint (result->remote_port, ==, 14562);
  g_assert_cmpuint (result->remote_rtcp_port, ==, 14563);
  g_assert_false (result->rtcp_mux);
  g_assert_cmpuint (result->pt, ==, 0);
  g_assert_cmpstr (result->encoding, ==, "PCMU");
  g_assert_cmpint (result->telephone_event_pt, ==, 101);
  g_assert_null (result->srtp_suite);
  g_assert_false (result->remote_hold);
}

static void
test_negotiate_errors (void)
{
  static const struct {
    const char *answer;
    DtSdpError  code;
    const char *message;
  } cases[] = {
    { HEAD, DT_SDP_ERROR_BAD_ANSWER, "0 media descriptions for the 1 offered" },
    { HEAD "m=audio 5000 RTP/SAVP 0\r\nm=video 0 RTP/AVP 0\r\n", DT_SDP_ERROR_BAD_ANSWER,
      "2 media descriptions" },
    { HEAD "m=video 5000 RTP/SAVP 0\r\n", DT_SDP_ERROR_BAD_ANSWER, "video where audio" },
    { HEAD "m=audio 0 RTP/SAVP 0\r\n", DT_SDP_ERROR_NOT_ACCEPTABLE, "refused the audio" },
    { HEAD "m=audio 5000 RTP/AVP 0\r\n", DT_SDP_ERROR_BAD_ANSWER, "RTP/AVP for audio" },
    { HEAD "m=audio 5000 RTP/SAVP\r\n", DT_SDP_ERROR_BAD_ANSWER, "no payload type" },
    { HEAD "m=audio 5000 RTP/SAVP 0 18\r\n", DT_SDP_ERROR_BAD_ANSWER,
      "payload type 18, which was not offered" },
    { HEAD "m=audio 5000 RTP/SAVP 101\r\n", DT_SDP_ERROR_BAD_ANSWER, "no audio codec" },
    { "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n",
      DT_SDP_ERROR_BAD_ANSWER, "no address" },
    { HEAD "m=audio 5000 RTP/SAVP 0\r\n", DT_SDP_ERROR_SRTP_REQUIRED, "answer has no key" },
    { HEAD "m=audio 5000 RTP/SAVP 0\r\na=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n",
      DT_SDP_ERROR_BAD_ANSWER, "crypto tag 9, which was not offered" },
    { HEAD "m=audio 5000 RTP/SAVP 0\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" KEY_A "\r\n",
      DT_SDP_ERROR_BAD_ANSWER, "changes crypto tag 2 from AES_CM_128_HMAC_SHA1_32" },
  };
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_REQUIRED);
  g_autoptr(DtSdp) offer = dt_sdp_create_offer (&caps, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtSdp) answer = parse_ok (cases[i].answer);
      g_autoptr(GError) error = NULL;
      g_autoptr(DtSdpNegotiated) result = NULL;

      g_test_message ("answer %s", cases[i].answer);
      result = dt_sdp_negotiate (offer, answer, &error);
      g_assert_error (error, DT_SDP_ERROR, (int) cases[i].code);
      g_assert_null (result);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not hold “%s”", error->message, cases[i].message);
    }
}

static void
test_negotiate_direction (void)
{
  static const struct {
    DtSdpDirection offered;
    const char    *answered;
    DtSdpDirection ours;
    gboolean       remote_hold;
  } cases[] = {
    { DT_SDP_DIRECTION_SENDRECV, "a=sendrecv", DT_SDP_DIRECTION_SENDRECV, FALSE },
    { DT_SDP_DIRECTION_SENDRECV, "a=recvonly", DT_SDP_DIRECTION_SENDONLY, FALSE },
    { DT_SDP_DIRECTION_SENDRECV, "a=sendonly", DT_SDP_DIRECTION_RECVONLY, TRUE },
    { DT_SDP_DIRECTION_SENDRECV, "a=inactive", DT_SDP_DIRECTION_INACTIVE, TRUE },
    { DT_SDP_DIRECTION_SENDONLY, "a=recvonly", DT_SDP_DIRECTION_SENDONLY, FALSE },
    { DT_SDP_DIRECTION_SENDRECV, "c=IN IP4 0.0.0.0", DT_SDP_DIRECTION_RECVONLY, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
      g_autoptr(DtSdp) offer = NULL;
      g_autoptr(DtSdp) answer = NULL;
      g_autoptr(DtSdpNegotiated) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf (HEAD "m=audio 5000 RTP/AVP 0\r\n%s\r\n",
                                               cases[i].answered);

      caps.direction = cases[i].offered;
      offer = dt_sdp_create_offer (&caps, NULL);
      answer = parse_ok (text);
      result = dt_sdp_negotiate (offer, answer, &error);
      g_assert_no_error (error);
      g_assert_cmpint (result->direction, ==, cases[i].ours);
      g_assert_cmpint (result->remote_hold, ==, cases[i].remote_hold);
    }
}

/* Hold */

static void
test_hold_offer (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_REQUIRED);
  g_autoptr(DtSdp) offer = dt_sdp_create_offer (&caps, NULL);
  g_autoptr(DtSdp) hold = NULL;
  g_autoptr(DtSdp) resume = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdp) answer_hold = NULL;
  g_autoptr(DtSdp) sent = NULL;
  g_autoptr(DtSdpNegotiated) result = NULL;
  const DtSdpMedia *media;

  hold = dt_sdp_create_hold_offer (offer);
  g_assert_cmpuint (hold->origin_sess_id, ==, offer->origin_sess_id);
  g_assert_cmpuint (hold->origin_sess_version, ==, offer->origin_sess_version + 1);
  media = media_at (hold, 0);
  g_assert_cmpint (media->direction, ==, DT_SDP_DIRECTION_SENDONLY);
  /* the same keys and codecs: nothing else changes */
  g_assert_true (dt_sdp_equal (offer, offer));
  g_assert_cmpuint (media->cryptos->len, ==, 2);
  assert_formats (media, "96 9 0 8 110 101");
  assert_round_trip (hold);

  resume = dt_sdp_create_reoffer (hold, DT_SDP_DIRECTION_SENDRECV);
  g_assert_cmpuint (resume->origin_sess_version, ==, offer->origin_sess_version + 2);
  g_assert_cmpint (media_at (resume, 0)->direction, ==, DT_SDP_DIRECTION_SENDRECV);
  media_at (resume, 0)->direction = DT_SDP_DIRECTION_SENDRECV;
  resume->origin_sess_version = offer->origin_sess_version;
  g_assert_true (dt_sdp_equal (resume, offer));

  /* the peer holds us (we answered recvonly); holding too goes inactive,
   * and the rejected video keeps port 0 */
  caps.srtp = DT_SDP_SRTP_OFF;
  sent = parse_ok (HEAD "a=sendonly\r\nm=video 5002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
                   "m=audio 5000 RTP/AVP 0\r\n");
  answer = dt_sdp_create_answer (&caps, sent, &result, NULL);
  g_assert_true (result->remote_hold);
  g_assert_cmpint (result->direction, ==, DT_SDP_DIRECTION_RECVONLY);
  answer_hold = dt_sdp_create_hold_offer (answer);
  g_assert_cmpuint (answer_hold->origin_sess_version, ==, 2);
  g_assert_cmpuint (media_at (answer_hold, 0)->port, ==, 0);
  g_assert_cmpint (media_at (answer_hold, 0)->direction, ==, DT_SDP_DIRECTION_UNSET);
  g_assert_cmpint (media_at (answer_hold, 1)->direction, ==, DT_SDP_DIRECTION_INACTIVE);
}

static void
test_remote_hold (void)
{
  static const struct {
    const char *text;
    gboolean    hold;
  } cases[] = {
    { AUDIO "a=sendonly\r\n", TRUE },
    { AUDIO "a=inactive\r\n", TRUE },
    { AUDIO "a=recvonly\r\n", FALSE },
    { AUDIO "a=sendrecv\r\n", FALSE },
    { AUDIO, FALSE },
    { HEAD "a=sendonly\r\nm=audio 5000 RTP/AVP 0\r\n", TRUE },
    { HEAD "a=sendonly\r\nm=audio 5000 RTP/AVP 0\r\na=sendrecv\r\n", FALSE },
    { rfc2543_hold, TRUE },
    { AUDIO "c=IN IP4 0.0.0.0\r\n", TRUE },
    { HEAD "m=audio 0 RTP/AVP 0\r\na=sendonly\r\n", FALSE },
    { HEAD "m=video 5000 RTP/AVP 96\r\na=sendonly\r\nm=audio 5002 RTP/AVP 0\r\n", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtSdp) sdp = parse_ok (cases[i].text);

      g_test_message ("%s", cases[i].text);
      g_assert_cmpint (dt_sdp_is_hold (sdp), ==, cases[i].hold);
    }
}

static void
test_remote_hold_answer (void)
{
  DtSdpCaps caps = make_caps (DT_SDP_SRTP_OFF);
  g_autoptr(DtSdpNegotiated) result = NULL;
  g_autoptr(DtSdp) answer = answer_ok (&caps, rfc2543_hold, &result);

  /* RFC 3264 §8.4: accept c=0.0.0.0, never send it */
  g_assert_true (result->remote_hold);
  g_assert_cmpstr (result->remote_address, ==, "0.0.0.0");
  g_assert_cmpint (result->direction, ==, DT_SDP_DIRECTION_RECVONLY);
  g_assert_cmpstr (answer->connection->address, ==, "192.0.2.10");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sdp/parse/baresip", test_parse_baresip);
  g_test_add_func ("/sdp/parse/linphone", test_parse_linphone);
  g_test_add_func ("/sdp/parse/asterisk", test_parse_asterisk);
  g_test_add_func ("/sdp/parse/crypto", test_parse_crypto);
  g_test_add_func ("/sdp/parse/crypto-aes256", test_parse_crypto_aes256);
  g_test_add_func ("/sdp/parse/ipv6", test_parse_ipv6);
  g_test_add_func ("/sdp/parse/lenient", test_parse_lenient);
  g_test_add_func ("/sdp/parse/full-session", test_parse_full_session);
  g_test_add_func ("/sdp/parse/static-payloads", test_parse_static_payloads);
  g_test_add_func ("/sdp/parse/direction", test_parse_direction);
  g_test_add_func ("/sdp/parse/fmtp-params", test_parse_fmtp_params);
  g_test_add_func ("/sdp/parse/errors", test_parse_errors);
  g_test_add_func ("/sdp/parse/nul-and-length", test_parse_nul_and_length);
  g_test_add_func ("/sdp/parse/limits", test_parse_limits);
  g_test_add_func ("/sdp/round-trip/corpus", test_round_trip_corpus);
  g_test_add_func ("/sdp/write/built", test_write_built);
  g_test_add_func ("/sdp/offer/reference", test_offer_reference);
  g_test_add_func ("/sdp/offer/payload-types", test_offer_payload_types);
  g_test_add_func ("/sdp/offer/srtp-policies", test_offer_srtp_policies);
  g_test_add_func ("/sdp/offer/random-keys", test_offer_random_keys);
  g_test_add_func ("/sdp/answer/baresip", test_answer_baresip);
  g_test_add_func ("/sdp/answer/preference", test_answer_preference);
  g_test_add_func ("/sdp/answer/no-common-codec", test_answer_no_common_codec);
  g_test_add_func ("/sdp/answer/unusable-offers", test_answer_unusable_offers);
  g_test_add_func ("/sdp/answer/telephone-event", test_answer_telephone_event);
  g_test_add_func ("/sdp/answer/rejects-other-media", test_answer_rejects_other_media);
  g_test_add_func ("/sdp/answer/direction", test_answer_direction);
  g_test_add_func ("/sdp/answer/rtcp", test_answer_rtcp);
  g_test_add_func ("/sdp/answer/srtp-matrix", test_answer_srtp_matrix);
  g_test_add_func ("/sdp/answer/crypto-choice", test_answer_crypto_choice);
  g_test_add_func ("/sdp/negotiate/round", test_negotiate_round);
  g_test_add_func ("/sdp/negotiate/asterisk", test_negotiate_asterisk);
  g_test_add_func ("/sdp/negotiate/errors", test_negotiate_errors);
  g_test_add_func ("/sdp/negotiate/direction", test_negotiate_direction);
  g_test_add_func ("/sdp/hold/offer", test_hold_offer);
  g_test_add_func ("/sdp/hold/remote", test_remote_hold);
  g_test_add_func ("/sdp/hold/remote-answer", test_remote_hold_answer);

  return g_test_run ();
}
