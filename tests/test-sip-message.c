/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-message.c
 *
 * The SIP message parser and writer: flows in the style of RFC 3665,
 * torture cases in the style of RFC 4475, every limit and error, and the
 * stream framer fed in pieces.
 */

#include "config.h"

#include <string.h>

#include "dt-sip-message.h"

#define CRLF "\r\n"

/* A request with every mandatory header; %s marks where a test puts extra
 * header lines. */
#define OPTIONS_HEAD \
  "OPTIONS sip:bob@example.com SIP/2.0" CRLF \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtest1" CRLF \
  "Max-Forwards: 70" CRLF \
  "From: Alice <sip:alice@example.com>;tag=ft1" CRLF \
  "To: <sip:bob@example.com>" CRLF \
  "Call-ID: test-call-1@192.0.2.1" CRLF \
  "CSeq: 1 OPTIONS" CRLF

static char *
read_corpus (const char *name,
             gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "sip-message",
                                                 name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static DtSipMessage *
parse_text (const char *text)
{
  g_autoptr(GError) error = NULL;
  DtSipMessage *message;

  message = dt_sip_message_parse ((const guint8 *) text, strlen (text),
                                  DT_SIP_FRAMING_DATAGRAM, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static DtSipMessage *
parse_corpus (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  DtSipMessage *message;
  gsize length;

  text = read_corpus (name, &length);
  message = dt_sip_message_parse ((const guint8 *) text, length, DT_SIP_FRAMING_DATAGRAM, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static char *
write_text (DtSipMessage *message)
{
  g_autoptr(GBytes) bytes = dt_sip_message_to_bytes (message);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return g_strndup (data, size);
}

static void
assert_round_trip (DtSipMessage *message)
{
  g_autoptr(GBytes) bytes = dt_sip_message_to_bytes (message);
  g_autoptr(DtSipMessage) again = NULL;
  g_autoptr(GError) error = NULL;

  again = dt_sip_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                DT_SIP_FRAMING_STREAM, &error);
  g_assert_no_error (error);
  g_assert_true (dt_sip_message_equal (message, again));
}

static void
assert_values (DtSipMessage *message,
               const char   *name,
               const char   *joined)
{
  g_auto(GStrv) values = dt_sip_message_get_header_values (message, name);
  g_autofree char *text = g_strjoinv ("|", values);

  g_assert_cmpstr (text, ==, joined);
  g_assert_cmpuint (dt_sip_message_count_header (message, name), ==, g_strv_length (values));
}

/* --- real messages --------------------------------------------------- */

static const char * const valid_corpus[] = {
  "register-auth.sip", "401-www-authenticate.sip", "invite-sdp.sip", "180-ringing.sip",
  "200-ok-invite.sip", "ack.sip", "bye.sip", "cancel.sip", "options.sip",
  "subscribe-mwi.sip", "notify-mwi.sip", "refer.sip", "compact.sip", "folded.sip",
  "ipv6-via.sip", "multi-via-one-line.sip", "bare-lf.sip", "udp-no-content-length.sip",
  "torture-wsinv.sip", "torture-escnull-like.sip",
};

/* written with canonical names, CRLF and Content-Length: byte for byte */
static const char * const canonical_corpus[] = {
  "register-auth.sip", "401-www-authenticate.sip", "invite-sdp.sip", "180-ringing.sip",
  "200-ok-invite.sip", "ack.sip", "bye.sip", "cancel.sip", "options.sip",
  "subscribe-mwi.sip", "notify-mwi.sip", "refer.sip", "ipv6-via.sip",
  "multi-via-one-line.sip",
};

static void
test_corpus_round_trip (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_corpus); i++)
    {
      g_autoptr(DtSipMessage) message = parse_corpus (valid_corpus[i]);

      g_test_message ("%s", valid_corpus[i]);
      assert_round_trip (message);
    }
}

static void
test_corpus_byte_for_byte (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (canonical_corpus); i++)
    {
      g_autoptr(DtSipMessage) message = parse_corpus (canonical_corpus[i]);
      g_autofree char *original = NULL;
      g_autofree char *written = NULL;
      gsize length;

      original = read_corpus (canonical_corpus[i], &length);
      written = write_text (message);
      g_assert_cmpstr (written, ==, original);
    }
}

static void
test_register (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("register-auth.sip");
  const char *method = NULL;
  guint32 number = 0;
  DtSipVia *via;

  g_assert_true (dt_sip_message_is_request (message));
  g_assert_cmpstr (dt_sip_message_get_method (message), ==, "REGISTER");
  g_assert_cmpstr (dt_sip_message_get_request_uri (message), ==, "sip:example.com");
  g_assert_cmpuint (dt_sip_message_get_status_code (message), ==, 0);
  g_assert_cmpstr (dt_sip_message_get_call_id (message), ==, "1j9FpLxk3uxtm8tn@192.0.2.101");
  g_assert_true (dt_sip_message_get_cseq (message, &number, &method));
  g_assert_cmpuint (number, ==, 2);
  g_assert_cmpstr (method, ==, "REGISTER");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "a73kszlfl");
  g_assert_null (dt_sip_message_get_to_tag (message));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "z9hG4bKnashds7");
  g_assert_cmpint (dt_sip_message_get_max_forwards (message), ==, 70);
  g_assert_cmpint (dt_sip_message_get_expires (message), ==, -1);
  g_assert_null (dt_sip_message_get_body (message));

  via = dt_sip_message_get_top_via (message);
  g_assert_nonnull (via);
  g_assert_cmpstr (via->protocol, ==, "SIP/2.0");
  g_assert_cmpstr (via->transport, ==, "UDP");
  g_assert_cmpstr (via->host, ==, "192.0.2.101");
  g_assert_false (via->host_is_ipv6);
  g_assert_cmpuint (via->port, ==, 5060);
  g_assert_cmpint (via->rport, ==, 0);
  g_assert_cmpint (via->ttl, ==, -1);
  g_assert_null (via->received);

  /* RFC 3261 §7.3.1: the auth headers are never split on commas */
  assert_values (message, "Authorization",
                 "Digest username=\"alice\", realm=\"example.com\", "
                 "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", "
                 "uri=\"sip:example.com\", response=\"dfe56131d1958046689d83306477ecc\", "
                 "algorithm=MD5");
}

static void
test_401 (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("401-www-authenticate.sip");
  g_auto(GStrv) challenges = NULL;
  DtSipVia *via;

  g_assert_false (dt_sip_message_is_request (message));
  g_assert_cmpuint (dt_sip_message_get_status_code (message), ==, 401);
  g_assert_cmpstr (dt_sip_message_get_reason (message), ==, "Unauthorized");
  g_assert_null (dt_sip_message_get_method (message));
  g_assert_cmpstr (dt_sip_message_get_to_tag (message), ==, "1410948204");
  g_assert_cmpint (dt_sip_message_get_max_forwards (message), ==, -1);

  challenges = dt_sip_message_get_header_values (message, "www-authenticate");
  g_assert_cmpuint (g_strv_length (challenges), ==, 2);
  g_assert_true (g_str_has_prefix (challenges[0],
                                   "Digest realm=\"example.com\", qop=\"auth,auth-int\""));
  g_assert_true (g_str_has_suffix (challenges[1], "algorithm=SHA-256"));

  via = dt_sip_message_get_top_via (message);
  g_assert_cmpstr (via->received, ==, "198.51.100.7");
  g_assert_cmpint (via->rport, ==, 40123);
}

static void
test_invite_sdp (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("invite-sdp.sip");
  g_autoptr(DtSipNameAddr) from = NULL;
  g_autoptr(DtSipNameAddr) contact = NULL;
  GBytes *body;

  g_assert_cmpstr (dt_sip_message_get_method (message), ==, "INVITE");
  g_assert_cmpstr (dt_sip_message_get_top_via (message)->transport, ==, "TCP");

  from = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "From"));
  g_assert_nonnull (from);
  g_assert_cmpstr (from->display_name, ==, "Alice, the \"first\"");
  g_assert_cmpstr (from->uri, ==, "sip:alice@atlanta.example.com");
  g_assert_cmpstr (from->tag, ==, "9fxced76sl");
  /* a quoted comma does not split From */
  assert_values (message, "From",
                 "\"Alice, the \\\"first\\\"\" <sip:alice@atlanta.example.com>;tag=9fxced76sl");

  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "m"));
  g_assert_cmpstr (contact->uri, ==, "sip:alice@client.atlanta.example.com;transport=tcp");
  g_assert_cmpuint (contact->params->len, ==, 0);

  assert_values (message, "Allow", "INVITE|ACK|CANCEL|BYE|OPTIONS|REFER|NOTIFY");
  assert_values (message, "Supported", "replaces|timer");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Content-Type"), ==, "application/sdp");

  body = dt_sip_message_get_body (message);
  g_assert_nonnull (body);
  g_assert_true (g_str_has_prefix (g_bytes_get_data (body, NULL), "v=0\r\no=alice "));
  g_assert_cmpstr (dt_sip_message_get_header (message, "Content-Length"), ==,
                   "192");
  g_assert_cmpuint (g_bytes_get_size (body), ==, 192);
}

static void
test_200_multiple_via (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("200-ok-invite.sip");
  g_auto(GStrv) vias = NULL;
  g_autoptr(DtSipVia) third = NULL;

  vias = dt_sip_message_get_header_values (message, "Via");
  g_assert_cmpuint (g_strv_length (vias), ==, 3);
  third = dt_sip_via_parse (vias[2]);
  g_assert_cmpstr (third->host, ==, "pc33.atlanta.example.com");
  g_assert_cmpstr (third->branch, ==, "z9hG4bK776asdhds");
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "z9hG4bK4b43c2ff8.1");

  assert_values (message, "Record-Route",
                 "<sip:server10.biloxi.example.com;lr>|<sip:bigbox3.site3.atlanta.example.com;lr>");
  g_assert_cmpuint (dt_sip_message_count_header (message, "Via"), ==, 3);
  g_assert_cmpuint (dt_sip_message_get_n_headers (message), ==, 10);
}

static void
test_compact_forms (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("compact.sip");
  g_autofree char *written = NULL;
  const char *name;
  const char *value;

  g_assert_cmpstr (dt_sip_message_get_call_id (message), ==, "compact-1@192.0.2.101");
  g_assert_cmpstr (dt_sip_message_get_header (message, "CALL-ID"), ==, "compact-1@192.0.2.101");
  g_assert_cmpstr (dt_sip_message_get_header (message, "i"), ==, "compact-1@192.0.2.101");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "c1");
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "z9hG4bKcompact");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Session-Expires"), ==,
                   "1800;refresher=uac");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Event"), ==, "refer");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Subject"), ==, "lunch");
  assert_values (message, "Allow-Events", "talk|hold");
  assert_values (message, "k", "timer|100rel");

  dt_sip_message_get_header_at (message, 0, &name, &value);
  g_assert_cmpstr (name, ==, "Via");
  dt_sip_message_get_header_at (message, 3, &name, &value);
  g_assert_cmpstr (name, ==, "Call-ID");

  written = write_text (message);
  g_assert_nonnull (strstr (written, "\r\nFrom: <sip:alice@atlanta.example.com>;tag=c1\r\n"));
  g_assert_nonnull (strstr (written, "\r\nContent-Type: application/sdp\r\n"));
  g_assert_null (strstr (written, "\r\nf:"));
  g_assert_null (strstr (written, "\r\nl:"));

  for (guint i = 0; i < 26; i++)
    {
      char letter[2] = { (char) ('a' + i), 0 };
      const char *canonical = dt_sip_header_canonical_name (letter);

      if (strchr ("abcdefijklmnorstuvxy", letter[0]) != NULL)
        g_assert_cmpuint (strlen (canonical), >, 1);
      else
        g_assert_cmpstr (canonical, ==, letter);
    }
  g_assert_cmpstr (dt_sip_header_canonical_name ("j"), ==, "Reject-Contact");
  g_assert_cmpstr (dt_sip_header_canonical_name ("D"), ==, "Request-Disposition");
  g_assert_cmpstr (dt_sip_header_canonical_name ("n"), ==, "Identity-Info");
  g_assert_cmpstr (dt_sip_header_canonical_name ("www-authenticate"), ==, "WWW-Authenticate");
  g_assert_cmpstr (dt_sip_header_canonical_name ("X-Mine"), ==, "X-Mine");
}

static void
test_folding (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("folded.sip");
  g_autoptr(DtSipNameAddr) to = NULL;
  const char *method;
  guint32 number;

  g_assert_cmpstr (dt_sip_message_get_header (message, "Subject"), ==,
                   "I know you're there, pick up the phone and talk to me!");
  /* Subject is free text: never split */
  g_assert_cmpuint (dt_sip_message_count_header (message, "Subject"), ==, 1);
  g_assert_cmpstr (dt_sip_message_get_header (message, "Via"), ==,
                   "SIP/2.0/UDP host.example.com;branch=z9hG4bKfold");
  g_assert_true (dt_sip_message_get_cseq (message, &number, &method));
  g_assert_cmpuint (number, ==, 8);
  g_assert_cmpstr (method, ==, "OPTIONS");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "f1");
  to = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "To"));
  g_assert_cmpstr (to->display_name, ==, "Example User");
}

static void
test_ipv6 (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("ipv6-via.sip");
  g_autoptr(DtSipMessage) mwi = parse_corpus ("subscribe-mwi.sip");
  g_autoptr(DtSipNameAddr) contact = NULL;
  DtSipVia *via;

  via = dt_sip_message_get_top_via (message);
  g_assert_cmpstr (via->host, ==, "2001:db8::9:1");
  g_assert_true (via->host_is_ipv6);
  g_assert_cmpuint (via->port, ==, 5060);
  g_assert_cmpstr (via->received, ==, "2001:db8::9:255");
  g_assert_cmpint (via->rport, ==, 5061);
  g_assert_cmpstr (dt_sip_message_get_request_uri (message), ==, "sip:[2001:db8::1]");

  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "Contact"));
  g_assert_cmpstr (contact->uri, ==, "sip:user@[2001:db8::9:1]:5060");
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "EXPIRES", NULL), ==, "600");
  g_clear_pointer (&contact, dt_sip_name_addr_free);

  via = dt_sip_message_get_top_via (mwi);
  g_assert_cmpstr (via->transport, ==, "TLS");
  g_assert_cmpstr (via->host, ==, "2001:db8::10");
  g_assert_cmpuint (via->port, ==, 5061);
  g_assert_cmpint (via->rport, ==, 0);
  g_assert_cmpstr (dt_sip_message_get_call_id (mwi), ==, "mwi-8a7c@2001:db8::10");
  g_assert_cmpint (dt_sip_message_get_expires (mwi), ==, 3600);
  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (mwi, "Contact"));
  g_assert_cmpstr (contact->uri, ==, "sips:alice@[2001:db8::10]:5061");
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "+sip.instance", NULL), ==,
                   "\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\"");
}

static void
test_multi_via_line (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("multi-via-one-line.sip");
  g_auto(GStrv) vias = dt_sip_message_get_header_values (message, "v");
  g_autoptr(DtSipVia) second = dt_sip_via_parse (vias[1]);
  g_autoptr(DtSipVia) third = dt_sip_via_parse (vias[2]);

  g_assert_cmpuint (g_strv_length (vias), ==, 3);
  g_assert_cmpstr (second->transport, ==, "TCP");
  g_assert_cmpuint (second->port, ==, 5070);
  g_assert_cmpstr (third->host, ==, "::1");
  g_assert_true (third->host_is_ipv6);
  g_assert_cmpuint (dt_sip_message_get_n_headers (message), ==, 7);

  /* RFC 3261 §18.1.2: the client takes its own Via off the top */
  g_assert_true (dt_sip_message_remove_first_value (message, "Via"));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "z9hG4bK2");
  assert_values (message, "Via",
                 "SIP/2.0/TCP p2.example.com:5070;branch=z9hG4bK2|"
                 "SIP/2.0/UDP [::1];branch=z9hG4bK3");
  g_assert_true (dt_sip_message_remove_first_value (message, "Via"));
  g_assert_true (dt_sip_message_remove_first_value (message, "Via"));
  g_assert_false (dt_sip_message_remove_first_value (message, "Via"));
  g_assert_null (dt_sip_message_get_top_via (message));
  g_assert_cmpuint (dt_sip_message_get_n_headers (message), ==, 6);
}

static void
test_bare_lf (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("bare-lf.sip");
  g_autofree char *written = write_text (message);
  GBytes *body = dt_sip_message_get_body (message);

  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "hello\n", 6);
  g_assert_true (g_str_has_prefix (written, "MESSAGE sip:bob@example.com SIP/2.0\r\nVia: "));
  g_assert_true (g_str_has_suffix (written, "Content-Length: 6\r\n\r\nhello\n"));
}

static void
test_datagram_body (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("udp-no-content-length.sip");
  g_autoptr(DtSipMessage) truncated = NULL;
  g_autoptr(DtSipMessage) no_blank_line = NULL;
  g_autofree char *written = write_text (message);
  GBytes *body = dt_sip_message_get_body (message);
  const char *name;

  /* RFC 3261 §18.3: without Content-Length a datagram's body runs to its end */
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "body to the end", 15);
  dt_sip_message_get_header_at (message, dt_sip_message_get_n_headers (message) - 1, &name, NULL);
  g_assert_cmpstr (name, ==, "Content-Length");
  g_assert_cmpstr (dt_sip_message_get_header (message, "l"), ==, "15");
  g_assert_true (g_str_has_suffix (written, "Content-Length: 15\r\n\r\nbody to the end"));

  /* … and Content-Length cuts it */
  truncated = parse_text (OPTIONS_HEAD "Content-Length: 004" CRLF CRLF "abcdefgh");
  body = dt_sip_message_get_body (truncated);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "abcd", 4);
  g_assert_cmpstr (dt_sip_message_get_header (truncated, "Content-Length"), ==, "4");

  no_blank_line = parse_text (OPTIONS_HEAD "Content-Length: 0");
  g_assert_null (dt_sip_message_get_body (no_blank_line));
}

static void
test_torture_wsinv (void)
{
  g_autoptr(DtSipMessage) message = parse_corpus ("torture-wsinv.sip");
  g_autoptr(DtSipNameAddr) from = NULL;
  g_autoptr(DtSipNameAddr) contact = NULL;
  g_autoptr(DtSipVia) via = NULL;
  g_auto(GStrv) vias = NULL;
  const char *method;
  guint32 number;

  g_assert_cmpstr (dt_sip_message_get_request_uri (message), ==,
                   "sip:vivekg@chair-dnrc.example.com;unknownparam");
  g_assert_cmpint (dt_sip_message_get_max_forwards (message), ==, 68);
  g_assert_cmpstr (dt_sip_message_get_to_tag (message), ==, "1918181833n");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "98asjd8");
  g_assert_true (dt_sip_message_get_cseq (message, &number, &method));
  g_assert_cmpuint (number, ==, 9);
  g_assert_cmpstr (method, ==, "INVITE");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Subject"), ==, "");

  from = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "From"));
  g_assert_cmpstr (from->display_name, ==, "J Rosenberg \\\"");

  vias = dt_sip_message_get_header_values (message, "Via");
  g_assert_cmpuint (g_strv_length (vias), ==, 3);
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "390skdjuw");
  via = dt_sip_via_parse (vias[1]);
  g_assert_cmpstr (via->protocol, ==, "SIP/2.0");
  g_assert_cmpstr (via->transport, ==, "TCP");
  g_assert_cmpstr (via->host, ==, "spindle.example.com");
  g_assert_cmpstr (via->branch, ==, "z9hG4bK9ikj8");
  g_clear_pointer (&via, dt_sip_via_free);
  via = dt_sip_via_parse (vias[2]);
  g_assert_cmpstr (via->host, ==, "192.168.255.111");
  g_assert_cmpstr (via->branch, ==, "z9hG4bK30239");

  contact = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "Contact"));
  g_assert_cmpstr (contact->display_name, ==, "Quoted string \"\"");
  g_assert_cmpstr (contact->uri, ==, "sip:jdrosen@example.com");
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "newparam", NULL), ==, "newvalue");
  g_assert_cmpstr (dt_sip_params_lookup (contact->params, "q", NULL), ==, "0.33");
  g_assert_cmpuint (contact->params->len, ==, 3);

  /* unknown headers: spelling, order and value kept */
  g_assert_cmpstr (dt_sip_message_get_header (message, "newfangledheader"), ==,
                   "newfangled value continued newfangled value");
  g_assert_cmpstr (dt_sip_message_get_header (message, "UnknownHeaderWithUnusualValue"), ==,
                   ";;,,;;,;");
  {
    const char *name;

    dt_sip_message_get_header_at (message, 8, &name, NULL);
    g_assert_cmpstr (name, ==, "NewFangledHeader");
  }
  assert_values (message, "Route",
                 "<sip:services.example.com;lr;unknownwith=value;unknown-no-value>");
}

static void
test_torture_names (void)
{
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipNameAddr) from = NULL;
  g_autofree char *written = NULL;

  /* RFC 4475 §3.1.1.3 style: every token character, minus the NUL that a
   * C string cannot hold (see test_errors) */
  message = parse_text (
    "!interesting-Method0123456789_*+`.%indeed'~ "
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
    "(doesn't-it)@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~" CRLF
    "To: \"BEL:\\\x07 DEL:\\\x7f\" "
    "<sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>" CRLF
    "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>"
    ";fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\";tag=_token~1'+`*%!-." CRLF
    "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{" CRLF
    "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~" CRLF
    "Max-Forwards: 255" CRLF
    "extensionHeader-!.%*+_`'~:\xef\xbb\xbf\xe5\xa4\xa7" CRLF
    "Content-Length: 0" CRLF CRLF);

  g_assert_cmpstr (dt_sip_message_get_method (message), ==,
                   "!interesting-Method0123456789_*+`.%indeed'~");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "_token~1'+`*%!-.");
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (message), ==, "z9hG4bK-.!%66*_+`'~");
  from = dt_sip_name_addr_parse (dt_sip_message_get_header (message, "From"));
  g_assert_cmpstr (from->display_name, ==, "token1~` token2'+_ token3*%!.-");
  g_assert_cmpstr (dt_sip_message_get_header (message, "EXTENSIONHEADER-!.%*+_`'~"), ==,
                   "\xef\xbb\xbf\xe5\xa4\xa7");
  written = write_text (message);
  g_assert_nonnull (strstr (written, "\r\nextensionHeader-!.%*+_`'~: \xef\xbb\xbf"));
  assert_round_trip (message);
}

/* --- errors and limits ----------------------------------------------- */

typedef struct {
  const char *text;
  DtSipParseError code;
  const char *reason;
  gboolean answerable;
} ErrorCase;

#define BASE_VIA "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKe" CRLF
#define BASE_FROM "From: <sip:a@example.com>;tag=1" CRLF
#define BASE_TO "To: <sip:b@example.com>" CRLF
#define BASE_CALLID "Call-ID: err-1" CRLF
#define BASE_CSEQ "CSeq: 1 OPTIONS" CRLF
#define BASE_MF "Max-Forwards: 70" CRLF
#define REQ_LINE "OPTIONS sip:b@example.com SIP/2.0" CRLF

static const ErrorCase error_cases[] = {
  { CRLF CRLF, DT_SIP_PARSE_ERROR_EMPTY, "Empty message", FALSE },
  { "", DT_SIP_PARSE_ERROR_EMPTY, "Empty message", FALSE },
  { "garbage" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad start line", FALSE },
  { "OPTIONS  sip:b@example.com SIP/2.0" CRLF BASE_VIA CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  { "OPTIONS sip:b@example.com SIP/2.0 " CRLF CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  { "OPTIONS sip:b@example.com" CRLF CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  { "OPTIONS no-scheme SIP/2.0" CRLF CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  { "OPT@ONS sip:b@example.com SIP/2.0" CRLF CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  { "GET / HTTP/1.1" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad request line", FALSE },
  /* RFC 4475 §3.1.2.16 (badvers) */
  { "OPTIONS sip:t.example.com SIP/7.0" CRLF CRLF,
    DT_SIP_PARSE_ERROR_VERSION, "Version not supported", FALSE },
  { "SIP/3.0 200 OK" CRLF CRLF, DT_SIP_PARSE_ERROR_VERSION, "Version not supported", FALSE },
  { "SIP/2.0 99 Low" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad status line", FALSE },
  { "SIP/2.0 2000 OK" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad status line", FALSE },
  { "SIP/2.0 700 Big" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad status code", FALSE },
  { "SIP/2.0 099 Small" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad status code", FALSE },
  { "SIP/2.x 200 OK" CRLF CRLF, DT_SIP_PARSE_ERROR_START_LINE, "Bad status line", FALSE },
  { "OPTIONS sip:b@exa\rmple.com SIP/2.0" CRLF CRLF,
    DT_SIP_PARSE_ERROR_START_LINE, "Bad start line", FALSE },

  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ "NoColonHere" CRLF CRLF,
    DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line", TRUE },
  { REQ_LINE " folded-first: x" CRLF BASE_VIA CRLF,
    DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line", FALSE },
  { REQ_LINE BASE_VIA ": empty-name" CRLF CRLF,
    DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line", FALSE },
  { REQ_LINE BASE_VIA "Sub ject: x" CRLF CRLF,
    DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line", FALSE },
  { REQ_LINE BASE_VIA "Subject: a\rb" CRLF CRLF,
    DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line", FALSE },

  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: -1" CRLF CRLF,
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: abc" CRLF CRLF,
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: 1 2" CRLF CRLF "12",
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length:" CRLF CRLF,
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: 65537" CRLF CRLF,
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Content-Length too large", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: 184467440737095516160" CRLF CRLF,
    DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Content-Length too large", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: 5" CRLF CRLF "abc",
    DT_SIP_PARSE_ERROR_BODY_LENGTH, "Body shorter than Content-Length", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
    "Content-Length: 0" CRLF "l: 0" CRLF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate Content-Length header", TRUE },

  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "i: other" CRLF BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate Call-ID header", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate CSeq header", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM "f: <sip:c@example.com>" CRLF BASE_TO BASE_CALLID BASE_CSEQ
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate From header", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate To header", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate Max-Forwards header", TRUE },

  { REQ_LINE BASE_VIA BASE_FROM BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing To header", FALSE },
  { REQ_LINE BASE_VIA BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing From header", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing CSeq header", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing Call-ID header", FALSE },
  { REQ_LINE BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing Via header", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing Max-Forwards header", TRUE },
  { "SIP/2.0 200 OK" CRLF BASE_VIA BASE_FROM BASE_TO BASE_CSEQ CRLF,
    DT_SIP_PARSE_ERROR_MISSING_HEADER, "Missing Call-ID header", FALSE },

  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 2147483648 OPTIONS" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 99999999999999999999 OPTIONS" CRLF
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: OPTIONS" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 1" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: -1 OPTIONS" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 1 INVITE" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_CSEQ_METHOD, "CSeq method does not match", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 1 options" CRLF BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_CSEQ_METHOD, "CSeq method does not match", TRUE },
  { REQ_LINE "Via: garbage" CRLF BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header", FALSE },
  { REQ_LINE BASE_VIA "Via: SIP/2.0/UDP host:70000" CRLF BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header", TRUE },
  { REQ_LINE "Via: SIP/2.0/UDP host;rport=abc" CRLF BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header", FALSE },
  { REQ_LINE "Via: SIP/2.0/UDP [::1;branch=z9hG4bK1" CRLF BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header", FALSE },
  { REQ_LINE "Via: SIP/2.0/UDP h1;branch=z9hG4bK1,," CRLF BASE_FROM BASE_TO BASE_CALLID
    BASE_CSEQ BASE_MF CRLF, 0, NULL, FALSE },
  { REQ_LINE "Via:" CRLF BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header", FALSE },
  { REQ_LINE BASE_VIA "From: Alice sip:a@example.com" CRLF BASE_TO BASE_CALLID BASE_CSEQ
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed From header", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM "To: \"unterminated <sip:b@example.com>" CRLF BASE_CALLID
    BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed To header", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM "To: *" CRLF BASE_CALLID BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed From header", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO "Call-ID: two words" CRLF BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Call-ID", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO "Call-ID:" CRLF BASE_CSEQ BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Call-ID", FALSE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ "Max-Forwards: 256" CRLF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Max-Forwards", TRUE },
  { REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ "Max-Forwards: many" CRLF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Max-Forwards", TRUE },
  /* an ACK is never answered (RFC 3261 §17.2.1) */
  { "ACK sip:b@example.com SIP/2.0" CRLF BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: 1 BYE" CRLF
    BASE_MF CRLF,
    DT_SIP_PARSE_ERROR_CSEQ_METHOD, "CSeq method does not match", FALSE },
  /* a response is never answered */
  { "SIP/2.0 200 OK" CRLF BASE_VIA BASE_FROM BASE_TO BASE_CALLID "CSeq: x" CRLF CRLF,
    DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq", FALSE },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      g_autoptr(DtSipMessage) message = NULL;
      g_autoptr(DtSipMessage) answerable = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, c->text);
      message = dt_sip_message_parse_full ((const guint8 *) c->text, strlen (c->text),
                                           DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
      if (c->reason == NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (message);
          continue;
        }
      g_assert_error (error, DT_SIP_PARSE_ERROR, (gint) c->code);
      g_assert_null (message);
      g_assert_cmpstr (dt_sip_parse_error_get_reason (error), ==, c->reason);
      g_assert_cmpint (answerable != NULL, ==, c->answerable);
    }
}

static void
test_nul_refused (void)
{
  static const char text[] = REQ_LINE BASE_VIA "To: \"NUL:\\\0\" <sip:b@example.com>" CRLF
                             BASE_FROM BASE_CALLID BASE_CSEQ BASE_MF CRLF;
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(GError) error = NULL;

  message = dt_sip_message_parse_full ((const guint8 *) text, sizeof text - 1,
                                       DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  g_assert_error (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_HEADER_SYNTAX);
  g_assert_null (message);
  g_assert_null (answerable);
}

static void
test_answer_bad_request (void)
{
  static const char text[] =
    "INVITE sip:bob@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbad1;rport" CRLF
    "v: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKbad0" CRLF
    "From: <sip:a@example.com>;tag=1" CRLF
    "To: Bob <sip:bob@example.com>" CRLF
    "Call-ID: bad-1" CRLF
    "CSeq: 4 BYE" CRLF
    "Max-Forwards: 70" CRLF
    "Content-Length: 0" CRLF CRLF;
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(DtSipMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;

  message = dt_sip_message_parse_full ((const guint8 *) text, strlen (text),
                                       DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  g_assert_null (message);
  g_assert_error (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_CSEQ_METHOD);
  g_assert_nonnull (answerable);

  reply = dt_sip_message_new_response_for (answerable, 400, dt_sip_parse_error_get_reason (error),
                                           "srv1");
  written = write_text (reply);
  g_assert_cmpstr (written, ==,
                   "SIP/2.0 400 CSeq method does not match" CRLF
                   "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbad1;rport" CRLF
                   "Via: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKbad0" CRLF
                   "From: <sip:a@example.com>;tag=1" CRLF
                   "To: Bob <sip:bob@example.com>;tag=srv1" CRLF
                   "Call-ID: bad-1" CRLF
                   "CSeq: 4 BYE" CRLF
                   "Content-Length: 0" CRLF CRLF);
}

static GString *
request_with_headers (guint n_extra)
{
  GString *text = g_string_new (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF);

  for (guint i = 0; i < n_extra; i++)
    g_string_append_printf (text, "X-Extra-%u: %u" CRLF, i, i);
  g_string_append (text, CRLF);
  return text;
}

static void
assert_parse_error (const char      *text,
                    gsize            length,
                    DtSipFraming     framing,
                    DtSipParseError  code,
                    const char      *reason)
{
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(GError) error = NULL;

  message = dt_sip_message_parse ((const guint8 *) text, length, framing, &error);
  g_assert_error (error, DT_SIP_PARSE_ERROR, (gint) code);
  g_assert_cmpstr (dt_sip_parse_error_get_reason (error), ==, reason);
  g_assert_null (message);
}

static void
test_limits (void)
{
  g_autoptr(GString) text = NULL;
  g_autoptr(DtSipMessage) message = NULL;
  g_autoptr(DtSipMessage) answerable = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *long_value = NULL;
  gsize head_len;

  /* 6 mandatory + 250 = DT_SIP_MAX_HEADERS; Content-Length is added */
  text = request_with_headers (DT_SIP_MAX_HEADERS - 6);
  message = parse_text (text->str);
  g_assert_cmpuint (dt_sip_message_get_n_headers (message), ==, DT_SIP_MAX_HEADERS + 1);
  g_clear_pointer (&message, dt_sip_message_unref);
  g_string_free (text, TRUE);

  text = request_with_headers (DT_SIP_MAX_HEADERS - 5);
  message = dt_sip_message_parse_full ((const guint8 *) text->str, text->len,
                                       DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  g_assert_error (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_TOO_MANY_HEADERS);
  g_assert_cmpstr (dt_sip_parse_error_get_reason (error), ==, "Too many headers");
  g_assert_nonnull (answerable);
  g_clear_error (&error);
  g_clear_pointer (&answerable, dt_sip_message_unref);
  g_string_free (text, TRUE);

  /* a header value of exactly the limit, then one byte more */
  long_value = g_strnfill (DT_SIP_MAX_HEADER_LENGTH, 'a');
  text = g_string_new (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF);
  g_string_append_printf (text, "X-Long: %s" CRLF CRLF, long_value);
  message = parse_text (text->str);
  g_assert_cmpuint (strlen (dt_sip_message_get_header (message, "x-long")), ==,
                    DT_SIP_MAX_HEADER_LENGTH);
  g_clear_pointer (&message, dt_sip_message_unref);
  g_string_insert_c (text, text->len - 4, 'a');
  assert_parse_error (text->str, text->len, DT_SIP_FRAMING_DATAGRAM,
                      DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Header too long");
  g_string_free (text, TRUE);

  /* the limit counts the unfolded value */
  text = g_string_new (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF);
  g_string_append_printf (text, "X-Long: %.*s" CRLF " %s" CRLF CRLF,
                          DT_SIP_MAX_HEADER_LENGTH / 2, long_value,
                          long_value + DT_SIP_MAX_HEADER_LENGTH / 2);
  assert_parse_error (text->str, text->len, DT_SIP_FRAMING_DATAGRAM,
                      DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Header too long");
  g_string_free (text, TRUE);

  /* a start line over the limit */
  text = g_string_new ("OPTIONS sip:");
  g_string_append (text, long_value);
  g_string_append (text, " SIP/2.0" CRLF BASE_VIA CRLF);
  assert_parse_error (text->str, text->len, DT_SIP_FRAMING_DATAGRAM,
                      DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Start line too long");
  g_string_free (text, TRUE);

  /* a message of exactly DT_SIP_MAX_MESSAGE_SIZE bytes, then one more */
  text = g_string_new (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF
                       "Content-Length: 00000" CRLF CRLF);
  head_len = text->len;
  g_string_truncate (text, head_len - 9);
  g_string_append_printf (text, "%05u" CRLF CRLF, (guint) (DT_SIP_MAX_MESSAGE_SIZE - head_len));
  big = g_strnfill (DT_SIP_MAX_MESSAGE_SIZE - head_len, 'b');
  g_string_append (text, big);
  g_assert_cmpuint (text->len, ==, DT_SIP_MAX_MESSAGE_SIZE);
  message = parse_text (text->str);
  g_assert_cmpuint (g_bytes_get_size (dt_sip_message_get_body (message)), ==,
                    DT_SIP_MAX_MESSAGE_SIZE - head_len);
  g_clear_pointer (&message, dt_sip_message_unref);
  g_string_append_c (text, 'b');
  message = dt_sip_message_parse_full ((const guint8 *) text->str, text->len,
                                       DT_SIP_FRAMING_DATAGRAM, &answerable, &error);
  g_assert_error (error, DT_SIP_PARSE_ERROR, DT_SIP_PARSE_ERROR_TOO_LARGE);
  g_assert_cmpstr (dt_sip_parse_error_get_reason (error), ==, "Message too large");
  g_assert_null (answerable);
  g_assert_null (message);
}

/* --- stream framing -------------------------------------------------- */

static void
test_stream_pipelined (void)
{
  g_autofree char *stream = NULL;
  gsize length;
  gsize offset = 0;
  gsize frame_length;
  guint n_messages = 0;
  guint n_pings = 0;
  guint n_pongs = 0;
  DtSipFrame frame;

  /* ping, BYE, a lone CRLF, CANCEL, then half a request */
  stream = read_corpus ("stream-pipelined.sip", &length);

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      /* every strict prefix of the next unit asks for more */
      frame = dt_sip_frame_stream ((const guint8 *) stream + offset, length - offset,
                                   &frame_length, &error);
      g_assert_no_error (error);
      if (frame == DT_SIP_FRAME_NEED_MORE)
        break;
      for (gsize cut = 1; cut < frame_length; cut++)
        {
          gsize partial_length = 99;
          DtSipFrame partial;

          partial = dt_sip_frame_stream ((const guint8 *) stream + offset, cut,
                                         &partial_length, &error);
          g_assert_no_error (error);
          /* a CRLF alone may be a pong, and "\r\n" is a prefix of a ping */
          if (frame == DT_SIP_FRAME_PING && cut == 2)
            {
              g_assert_cmpint (partial, ==, DT_SIP_FRAME_PONG);
            }
          else
            {
              g_assert_cmpint (partial, ==, DT_SIP_FRAME_NEED_MORE);
              g_assert_true (partial_length == 0 || partial_length == frame_length);
            }
        }

      switch (frame)
        {
        case DT_SIP_FRAME_PING:
          g_assert_cmpuint (frame_length, ==, 4);
          n_pings++;
          break;
        case DT_SIP_FRAME_PONG:
          g_assert_cmpuint (frame_length, ==, 2);
          n_pongs++;
          break;
        case DT_SIP_FRAME_MESSAGE:
          {
            g_autoptr(DtSipMessage) message = NULL;

            message = dt_sip_message_parse ((const guint8 *) stream + offset, frame_length,
                                            DT_SIP_FRAMING_STREAM, &error);
            g_assert_no_error (error);
            g_assert_cmpstr (dt_sip_message_get_method (message), ==,
                             n_messages == 0 ? "BYE" : "CANCEL");
            n_messages++;
          }
          break;
        case DT_SIP_FRAME_NEED_MORE:
        case DT_SIP_FRAME_ERROR:
        default:
          g_assert_not_reached ();
        }
      offset += frame_length;
    }

  g_assert_cmpuint (n_pings, ==, 1);
  g_assert_cmpuint (n_pongs, ==, 1);
  g_assert_cmpuint (n_messages, ==, 2);
  g_assert_cmpstr (stream + offset, ==, "INVITE sip:partial");
}

static void
assert_frame_error (const char      *text,
                    gsize            length,
                    DtSipParseError  code,
                    const char      *reason)
{
  g_autoptr(GError) error = NULL;
  gsize frame_length = 99;
  DtSipFrame frame;

  frame = dt_sip_frame_stream ((const guint8 *) text, length, &frame_length, &error);
  g_assert_cmpint (frame, ==, DT_SIP_FRAME_ERROR);
  g_assert_cmpuint (frame_length, ==, 0);
  g_assert_error (error, DT_SIP_PARSE_ERROR, (gint) code);
  g_assert_cmpstr (dt_sip_parse_error_get_reason (error), ==, reason);
}

static DtSipFrame
frame_text (const char *text,
            gsize      *frame_length)
{
  g_autoptr(GError) error = NULL;
  DtSipFrame frame;

  frame = dt_sip_frame_stream ((const guint8 *) text, strlen (text), frame_length, &error);
  g_assert_no_error (error);
  return frame;
}

static void
test_stream_edges (void)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *filler = NULL;
  gsize frame_length;

  g_assert_cmpint (frame_text ("", &frame_length), ==, DT_SIP_FRAME_NEED_MORE);
  g_assert_cmpint (frame_text ("\r", &frame_length), ==, DT_SIP_FRAME_NEED_MORE);
  g_assert_cmpint (frame_text ("\r\n\r", &frame_length), ==, DT_SIP_FRAME_NEED_MORE);
  g_assert_cmpint (frame_text ("\r\n", &frame_length), ==, DT_SIP_FRAME_PONG);
  g_assert_cmpuint (frame_length, ==, 2);
  g_assert_cmpint (frame_text ("\r\nOPTIONS", &frame_length), ==, DT_SIP_FRAME_PONG);
  g_assert_cmpint (frame_text ("\n", &frame_length), ==, DT_SIP_FRAME_PONG);
  g_assert_cmpuint (frame_length, ==, 1);
  g_assert_cmpint (frame_text ("\r\n\r\n\r\n\r\n", &frame_length), ==, DT_SIP_FRAME_PING);
  g_assert_cmpuint (frame_length, ==, 4);
  g_assert_cmpint (frame_text ("OPTIONS sip:a@b SIP/2.0", &frame_length), ==,
                   DT_SIP_FRAME_NEED_MORE);
  g_assert_cmpint (frame_text (REQ_LINE "Content-Length: 3" CRLF CRLF "ab", &frame_length), ==,
                   DT_SIP_FRAME_NEED_MORE);
  /* once the headers are in, the framer says how much to wait for */
  g_assert_cmpuint (frame_length, ==, strlen (REQ_LINE "Content-Length: 3" CRLF CRLF "abc"));
  g_assert_cmpint (frame_text (REQ_LINE "Content-Length: 3" CRLF, &frame_length), ==,
                   DT_SIP_FRAME_NEED_MORE);
  g_assert_cmpuint (frame_length, ==, 0);
  g_assert_cmpint (frame_text (REQ_LINE "l: 3" CRLF CRLF "abcREGISTER", &frame_length), ==,
                   DT_SIP_FRAME_MESSAGE);
  g_assert_cmpuint (frame_length, ==, strlen (REQ_LINE "l: 3" CRLF CRLF "abc"));
  /* bare LF and a folded Content-Length */
  g_assert_cmpint (frame_text ("OPTIONS sip:a@b SIP/2.0\nContent-Length:\n 2\n\nxy", &frame_length),
                   ==, DT_SIP_FRAME_MESSAGE);
  g_assert_cmpuint (frame_length, ==, 46);

  assert_frame_error ("\rX", 2, DT_SIP_PARSE_ERROR_START_LINE, "Bad start line");
  assert_frame_error ("GET / HTTP/1.1" CRLF, 16, DT_SIP_PARSE_ERROR_START_LINE, "Bad request line");
  assert_frame_error ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", 12,
                      DT_SIP_PARSE_ERROR_START_LINE, "Bad start line");
  assert_frame_error (REQ_LINE BASE_VIA CRLF, strlen (REQ_LINE BASE_VIA CRLF),
                      DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Missing Content-Length");
  assert_frame_error (REQ_LINE "Content-Length: -4" CRLF CRLF,
                      strlen (REQ_LINE "Content-Length: -4" CRLF CRLF),
                      DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length");
  assert_frame_error (REQ_LINE "Content-Length: 1" CRLF "l: 1" CRLF CRLF "a",
                      strlen (REQ_LINE "Content-Length: 1" CRLF "l: 1" CRLF CRLF "a"),
                      DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate Content-Length header");
  assert_frame_error (REQ_LINE "Content-Length: 65500" CRLF CRLF,
                      strlen (REQ_LINE "Content-Length: 65500" CRLF CRLF),
                      DT_SIP_PARSE_ERROR_TOO_LARGE, "Message too large");
  assert_frame_error (REQ_LINE "Bad Header" CRLF CRLF, strlen (REQ_LINE "Bad Header" CRLF CRLF),
                      DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line");

  /* a start line that never ends, and headers that never end */
  filler = g_strnfill (DT_SIP_MAX_MESSAGE_SIZE, 'x');
  text = g_string_new ("OPTIONS sip:");
  g_string_append_len (text, filler, DT_SIP_MAX_HEADER_LENGTH);
  assert_frame_error (text->str, text->len, DT_SIP_PARSE_ERROR_HEADER_TOO_LONG,
                      "Start line too long");
  g_string_assign (text, REQ_LINE "X-Filler: ");
  g_string_append_len (text, filler, DT_SIP_MAX_MESSAGE_SIZE - 200);
  g_assert_cmpint (frame_text (text->str, &frame_length), ==, DT_SIP_FRAME_NEED_MORE);
  g_string_append_len (text, filler, 400);
  assert_frame_error (text->str, text->len, DT_SIP_PARSE_ERROR_TOO_LARGE, "Message too large");

  /* a stream message must carry its exact length */
  assert_parse_error (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ BASE_MF CRLF,
                      strlen (REQ_LINE BASE_VIA BASE_FROM BASE_TO BASE_CALLID BASE_CSEQ
                              BASE_MF CRLF),
                      DT_SIP_FRAMING_STREAM,
                      DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Missing Content-Length");
  assert_parse_error (OPTIONS_HEAD "Content-Length: 1" CRLF CRLF "ab",
                      strlen (OPTIONS_HEAD "Content-Length: 1" CRLF CRLF "ab"),
                      DT_SIP_FRAMING_STREAM,
                      DT_SIP_PARSE_ERROR_BODY_LENGTH, "Body longer than Content-Length");
  assert_parse_error (OPTIONS_HEAD "Content-Length: 0",
                      strlen (OPTIONS_HEAD "Content-Length: 0"),
                      DT_SIP_FRAMING_STREAM,
                      DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Missing end of headers");
}

/* --- building messages ----------------------------------------------- */

static void
test_build_request (void)
{
  g_autoptr(DtSipMessage) request = NULL;
  g_autoptr(GBytes) body = g_bytes_new_static ("v=0\r\n", 5);
  g_autofree char *written = NULL;
  const char *method;
  guint32 number;

  request = dt_sip_message_new_request ("INVITE", "sip:bob@example.com");
  dt_sip_message_append_header (request, "v", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb1;rport");
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", "<sip:alice@example.com>;tag=f");
  dt_sip_message_append_header (request, "To", "<sip:bob@example.com>");
  dt_sip_message_append_header (request, "Call-ID", "  build-1  ");
  dt_sip_message_append_header (request, "CSeq", "1 INVITE");
  dt_sip_message_append_header (request, "X-Custom-HEADER", "kept");
  dt_sip_message_set_body (request, "application/sdp", body);

  g_assert_true (dt_sip_message_get_cseq (request, &number, &method));
  g_assert_cmpstr (method, ==, "INVITE");
  g_assert_cmpstr (dt_sip_message_get_call_id (request), ==, "build-1");

  written = write_text (request);
  g_assert_cmpstr (written, ==,
                   "INVITE sip:bob@example.com SIP/2.0" CRLF
                   "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKb1;rport" CRLF
                   "Max-Forwards: 70" CRLF
                   "From: <sip:alice@example.com>;tag=f" CRLF
                   "To: <sip:bob@example.com>" CRLF
                   "Call-ID: build-1" CRLF
                   "CSeq: 1 INVITE" CRLF
                   "X-Custom-HEADER: kept" CRLF
                   "Content-Type: application/sdp" CRLF
                   "Content-Length: 5" CRLF CRLF
                   "v=0" CRLF);
  assert_round_trip (request);

  /* RFC 3261 §16.6: a new Via goes on top */
  dt_sip_message_prepend_header (request, "Via", "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp");
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (request), ==, "z9hG4bKp");
  dt_sip_message_prepend_header (request, "X-First", "1");
  g_assert_cmpstr (dt_sip_message_get_header (request, "Via"), ==,
                   "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp");
  {
    const char *name;

    dt_sip_message_get_header_at (request, 0, &name, NULL);
    g_assert_cmpstr (name, ==, "X-First");
  }

  dt_sip_message_set_body (request, NULL, NULL);
  g_clear_pointer (&written, g_free);
  written = write_text (request);
  g_assert_true (g_str_has_suffix (written,
                                   "X-Custom-HEADER: kept" CRLF "Content-Length: 0" CRLF CRLF));
}

static void
test_header_editing (void)
{
  g_autoptr(DtSipMessage) message = parse_text (OPTIONS_HEAD
                                                "Route: <sip:p1.example.com;lr>" CRLF
                                                "Subject: one" CRLF
                                                "Route: <sip:p2.example.com;lr>, "
                                                "<sip:p3.example.com;lr>" CRLF
                                                CRLF);

  g_assert_cmpuint (dt_sip_message_count_header (message, "route"), ==, 3);
  g_assert_cmpuint (dt_sip_message_count_header (message, "Record-Route"), ==, 0);
  g_assert_null (dt_sip_message_get_header (message, "Record-Route"));

  dt_sip_message_set_header (message, "Route", "<sip:only.example.com;lr>");
  assert_values (message, "Route", "<sip:only.example.com;lr>");
  g_assert_cmpuint (dt_sip_message_remove_header (message, "ROUTE"), ==, 1);
  g_assert_cmpuint (dt_sip_message_remove_header (message, "Route"), ==, 0);

  dt_sip_message_set_header (message, "s", "two");
  g_assert_cmpstr (dt_sip_message_get_header (message, "Subject"), ==, "two");
  dt_sip_message_set_header (message, "X-New", "appended");
  g_assert_cmpstr (dt_sip_message_get_header (message, "x-new"), ==, "appended");

  /* cached structured values follow edits */
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "ft1");
  dt_sip_message_set_header (message, "f", "<sip:alice@example.com>;tag=changed");
  g_assert_cmpstr (dt_sip_message_get_from_tag (message), ==, "changed");
  dt_sip_message_set_header (message, "t", "<sip:bob@example.com>;tag=tt");
  g_assert_cmpstr (dt_sip_message_get_to_tag (message), ==, "tt");
  dt_sip_message_remove_header (message, "CSeq");
  g_assert_false (dt_sip_message_get_cseq (message, NULL, NULL));
  dt_sip_message_set_header (message, "Expires", "120");
  g_assert_cmpint (dt_sip_message_get_expires (message), ==, 120);
  dt_sip_message_set_header (message, "Max-Forwards", "x");
  g_assert_cmpint (dt_sip_message_get_max_forwards (message), ==, -1);
}

static void
test_response_for (void)
{
  g_autoptr(DtSipMessage) request = parse_corpus ("200-ok-invite.sip");
  g_autoptr(DtSipMessage) invite = parse_corpus ("invite-sdp.sip");
  g_autoptr(DtSipMessage) trying_request = parse_text (OPTIONS_HEAD "Timestamp: 54.2" CRLF CRLF);
  g_autoptr(DtSipMessage) ringing = NULL;
  g_autoptr(DtSipMessage) trying = NULL;
  g_autoptr(DtSipMessage) ok = NULL;
  g_autoptr(DtSipMessage) plain = NULL;
  g_autofree char *written = NULL;

  /* the 200 above is a response: answer a request built from it */
  g_assert_false (dt_sip_message_is_request (request));

  ringing = dt_sip_message_new_response_for (invite, 180, "Ringing", "t0");
  written = write_text (ringing);
  g_assert_cmpstr (written, ==,
                   "SIP/2.0 180 Ringing" CRLF
                   "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9" CRLF
                   "From: \"Alice, the \\\"first\\\"\" <sip:alice@atlanta.example.com>"
                   ";tag=9fxced76sl" CRLF
                   "To: Bob <sip:bob@biloxi.example.com>;tag=t0" CRLF
                   "Call-ID: 3848276298220188511@atlanta.example.com" CRLF
                   "CSeq: 1 INVITE" CRLF
                   "Content-Length: 0" CRLF CRLF);
  assert_round_trip (ringing);

  /* a To that already has a tag keeps it */
  ok = dt_sip_message_new_response_for (invite, 200, "OK", NULL);
  g_assert_null (dt_sip_message_get_to_tag (ok));
  dt_sip_message_set_header (invite, "To", "<sip:bob@biloxi.example.com>;tag=old");
  g_clear_pointer (&ok, dt_sip_message_unref);
  ok = dt_sip_message_new_response_for (invite, 200, "OK", "new");
  g_assert_cmpstr (dt_sip_message_get_to_tag (ok), ==, "old");

  /* RFC 3261 §8.2.6.1: a 100 echoes Timestamp */
  trying = dt_sip_message_new_response_for (trying_request, 100, "Trying", NULL);
  g_assert_cmpstr (dt_sip_message_get_header (trying, "Timestamp"), ==, "54.2");
  g_clear_pointer (&trying, dt_sip_message_unref);
  trying = dt_sip_message_new_response_for (trying_request, 486, "Busy Here", NULL);
  g_assert_null (dt_sip_message_get_header (trying, "Timestamp"));

  plain = dt_sip_message_new_response (503, NULL);
  g_clear_pointer (&written, g_free);
  written = write_text (plain);
  g_assert_cmpstr (written, ==, "SIP/2.0 503 " CRLF "Content-Length: 0" CRLF CRLF);
}

/* --- structured values ----------------------------------------------- */

static void
test_split (void)
{
  static const struct {
    const char *name;
    const char *value;
    const char *joined;
  } cases[] = {
    { "Contact", "<sip:a@b>, <sip:c@d>", "<sip:a@b>|<sip:c@d>" },
    { "Contact", "\"Doe, John\" <sip:j@d>;q=0.5 ,sip:x@y",
      "\"Doe, John\" <sip:j@d>;q=0.5|sip:x@y" },
    { "Contact", "<sip:a@b;x=1,2>", "<sip:a@b;x=1,2>" },
    { "Contact", "\"q\\\",\" <sip:a@b>,<sip:c@d>", "\"q\\\",\" <sip:a@b>|<sip:c@d>" },
    { "m", ",, <sip:a@b> ,,", "<sip:a@b>" },
    { "Warning", "399 h \"a, b\", 399 h \"c\"", "399 h \"a, b\"|399 h \"c\"" },
    { "Proxy-Authenticate", "Digest realm=\"r\", nonce=\"n\"", "Digest realm=\"r\", nonce=\"n\"" },
    { "Proxy-Authorization", "Digest a=1, b=2", "Digest a=1, b=2" },
    { "Authorization", " Digest a=1 ", "Digest a=1" },
    { "Date", "Sat, 13 Nov 2010 23:29:00 GMT", "Sat, 13 Nov 2010 23:29:00 GMT" },
    { "X-Unknown", "a,b", "a|b" },
    { "Contact", "\"unterminated, <sip:a@b>", "\"unterminated, <sip:a@b>" },
    { "Via", "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) values = dt_sip_split_header_value (cases[i].name, cases[i].value);
      g_autofree char *joined = g_strjoinv ("|", values);

      g_assert_cmpstr (joined, ==, cases[i].joined);
    }
}

static void
test_via_parse (void)
{
  static const char * const bad[] = {
    "", "SIP/2.0/UDP", "SIP/2.0 host", "SIP/2.0/UDP/ host", "SIP/2.0/UDPhost",
    "SIP/2.0/UDP host:", "SIP/2.0/UDP host:0", "SIP/2.0/UDP host:65536", "SIP/2.0/UDP host:5060x",
    "SIP/2.0/UDP []", "SIP/2.0/UDP [host]", "SIP/2.0/UDP host;", "SIP/2.0/UDP host;branch",
    "SIP/2.0/UDP host;branch=", "SIP/2.0/UDP host;ttl=256", "SIP/2.0/UDP host;ttl",
    "SIP/2.0/UDP host;rport=0", "SIP/2.0/UDP host;received", "SIP/2.0/UDP host;maddr",
    "SIP/2.0/UDP host;x=\"open", "SIP/2.0/UDP host junk", "SIP/2.0/UDP h@st",
  };
  g_autoptr(DtSipVia) via = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(DtSipVia) v = dt_sip_via_parse (bad[i]);

      g_test_message ("%s", bad[i]);
      g_assert_null (v);
    }

  via = dt_sip_via_parse ("SIP/2.0/WSS  df7jal23ls0d.invalid ; branch=z9hG4bKx;TTL=16;"
                          "maddr=224.2.0.1;received=[2001:db8::5];x-flag;x-q=\"a;b\"");
  g_assert_nonnull (via);
  g_assert_cmpstr (via->transport, ==, "WSS");
  g_assert_cmpstr (via->host, ==, "df7jal23ls0d.invalid");
  g_assert_cmpuint (via->port, ==, 0);
  g_assert_cmpint (via->ttl, ==, 16);
  g_assert_cmpint (via->rport, ==, -1);
  g_assert_cmpstr (via->maddr, ==, "224.2.0.1");
  g_assert_cmpstr (via->received, ==, "[2001:db8::5]");
  g_assert_cmpuint (via->params->len, ==, 6);
  {
    gboolean found = FALSE;

    g_assert_null (dt_sip_params_lookup (via->params, "x-flag", &found));
    g_assert_true (found);
    g_assert_null (dt_sip_params_lookup (via->params, "absent", &found));
    g_assert_false (found);
    g_assert_cmpstr (dt_sip_params_lookup (via->params, "x-q", NULL), ==, "\"a;b\"");
    g_assert_cmpstr (((DtSipParam *) g_ptr_array_index (via->params, 1))->name, ==, "TTL");
  }
}

static void
test_name_addr_parse (void)
{
  static const char * const bad[] = {
    "", "Alice", "<sip:a@b", "<>", "<nocolon>", "\"Alice\" sip:a@b", "\"Alice <sip:a@b>",
    "sip:a@b?subject=x", "sip:a@b, sip:c@d", "<sip:a@b> junk", "<sip:a@b>;", "<sip:a@b>;tag",
    "Al@ce <sip:a@b>", "*;expires=0", "sip:a b@c", "<sip:a@b>;x=\"open", "1sip:a@b",
  };
  static const struct {
    const char *text;
    const char *display;
    const char *uri;
    const char *tag;
    guint n_params;
  } good[] = {
    { "sip:a@b", NULL, "sip:a@b", NULL, 0 },
    { "sip:a@b;tag=x;expires=60", NULL, "sip:a@b", "x", 2 },
    { "<sip:a@b;transport=tcp>;expires=60", NULL, "sip:a@b;transport=tcp", NULL, 1 },
    { "  Bob   Smith  <sip:b@c>", "Bob   Smith", "sip:b@c", NULL, 0 },
    { "\"\" <sip:b@c>;tag=1", "", "sip:b@c", "1", 1 },
    { "\"a\\\\b\\\"c\"<tel:+15551234>", "a\\b\"c", "tel:+15551234", NULL, 0 },
    { "<sip:b@c?Replaces=x%3By>;lr;q=0.7", NULL, "sip:b@c?Replaces=x%3By", NULL, 2 },
    { "<urn:service:sos>", NULL, "urn:service:sos", NULL, 0 },
  };
  g_autoptr(DtSipNameAddr) wildcard = dt_sip_name_addr_parse ("  * ");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(DtSipNameAddr) addr = dt_sip_name_addr_parse (bad[i]);

      g_test_message ("%s", bad[i]);
      g_assert_null (addr);
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(DtSipNameAddr) addr = dt_sip_name_addr_parse (good[i].text);

      g_test_message ("%s", good[i].text);
      g_assert_nonnull (addr);
      g_assert_false (addr->wildcard);
      g_assert_cmpstr (addr->display_name, ==, good[i].display);
      g_assert_cmpstr (addr->uri, ==, good[i].uri);
      g_assert_cmpstr (addr->tag, ==, good[i].tag);
      g_assert_cmpuint (addr->params->len, ==, good[i].n_params);
    }

  g_assert_nonnull (wildcard);
  g_assert_true (wildcard->wildcard);
}

static void
test_cseq_parse (void)
{
  static const char * const bad[] = {
    "", "1", "INVITE", "1INVITE", "2147483648 INVITE", "-1 INVITE", "1 INVITE x", "1 INV@TE",
    "1.5 INVITE", "0x10 INVITE",
  };
  g_autofree char *method = NULL;
  guint32 number = 0;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *m = NULL;

      g_assert_false (dt_sip_cseq_parse (bad[i], &number, &m));
      g_assert_null (m);
    }

  g_assert_true (dt_sip_cseq_parse ("  2147483647\t  REGISTER  ", &number, &method));
  g_assert_cmpuint (number, ==, 2147483647u);
  g_assert_cmpstr (method, ==, "REGISTER");
  g_clear_pointer (&method, g_free);
  g_assert_true (dt_sip_cseq_parse ("0 ACK", &number, &method));
  g_assert_cmpuint (number, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sip-message/corpus/round-trip", test_corpus_round_trip);
  g_test_add_func ("/sip-message/corpus/byte-for-byte", test_corpus_byte_for_byte);
  g_test_add_func ("/sip-message/flow/register", test_register);
  g_test_add_func ("/sip-message/flow/401", test_401);
  g_test_add_func ("/sip-message/flow/invite-sdp", test_invite_sdp);
  g_test_add_func ("/sip-message/flow/200-multiple-via", test_200_multiple_via);
  g_test_add_func ("/sip-message/syntax/compact-forms", test_compact_forms);
  g_test_add_func ("/sip-message/syntax/folding", test_folding);
  g_test_add_func ("/sip-message/syntax/ipv6", test_ipv6);
  g_test_add_func ("/sip-message/syntax/multi-via-line", test_multi_via_line);
  g_test_add_func ("/sip-message/syntax/bare-lf", test_bare_lf);
  g_test_add_func ("/sip-message/syntax/datagram-body", test_datagram_body);
  g_test_add_func ("/sip-message/torture/wsinv", test_torture_wsinv);
  g_test_add_func ("/sip-message/torture/names", test_torture_names);
  g_test_add_func ("/sip-message/errors/table", test_errors);
  g_test_add_func ("/sip-message/errors/nul", test_nul_refused);
  g_test_add_func ("/sip-message/errors/answer", test_answer_bad_request);
  g_test_add_func ("/sip-message/errors/limits", test_limits);
  g_test_add_func ("/sip-message/stream/pipelined", test_stream_pipelined);
  g_test_add_func ("/sip-message/stream/edges", test_stream_edges);
  g_test_add_func ("/sip-message/build/request", test_build_request);
  g_test_add_func ("/sip-message/build/header-editing", test_header_editing);
  g_test_add_func ("/sip-message/build/response-for", test_response_for);
  g_test_add_func ("/sip-message/values/split", test_split);
  g_test_add_func ("/sip-message/values/via", test_via_parse);
  g_test_add_func ("/sip-message/values/name-addr", test_name_addr_parse);
  g_test_add_func ("/sip-message/values/cseq", test_cseq_parse);

  return g_test_run ();
}
