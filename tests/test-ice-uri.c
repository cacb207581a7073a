/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ice-uri.c
 *
 * STUN and TURN URIs (RFC 7064, RFC 7065, RFC 7350): what parses, into
 * what, with which defaults; what is refused, with which error; the
 * writer; the stricter parse for the servers saved in an account; and the
 * mapping to a DtTurnClient transport.
 */

#include "config.h"

#include <string.h>

#include "dt-ice-uri.h"
#include "dt-turn-client.h"

typedef struct {
  const char        *text;
  DtIceUriScheme     scheme;
  const char        *host;
  gboolean           host_is_ip;
  guint16            port;
  gboolean           port_given;
  DtIceUriTransport  transport;
  gboolean           transport_given;
  const char        *unknown_query;
  DtTurnTransport    turn_transport;
  gboolean           stun_expected;
  const char        *written;
} GoodCase;

#define S_STUN  DT_ICE_URI_SCHEME_STUN
#define S_STUNS DT_ICE_URI_SCHEME_STUNS
#define S_TURN  DT_ICE_URI_SCHEME_TURN
#define S_TURNS DT_ICE_URI_SCHEME_TURNS
#define T_UDP   DT_ICE_URI_TRANSPORT_UDP
#define T_TCP   DT_ICE_URI_TRANSPORT_TCP

static const GoodCase good_cases[] = {
  /* RFC 7065 §3.1 defaults: turn → UDP 3478, turns → TLS 5349 */
  { "turn:turn.example.org", S_TURN, "turn.example.org", FALSE, 3478, FALSE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:turn.example.org" },
  { "turns:turn.example.org", S_TURNS, "turn.example.org", FALSE, 5349, FALSE, T_TCP, FALSE,
    NULL, DT_TURN_TRANSPORT_TLS, FALSE, "turns:turn.example.org" },
  { "turn:turn.example.org:3479?transport=udp", S_TURN, "turn.example.org", FALSE, 3479, TRUE,
    T_UDP, TRUE, NULL, DT_TURN_TRANSPORT_UDP, TRUE, "turn:turn.example.org:3479?transport=udp" },
  { "turn:turn.example.org?transport=tcp", S_TURN, "turn.example.org", FALSE, 3478, FALSE, T_TCP,
    TRUE, NULL, DT_TURN_TRANSPORT_TCP, FALSE, "turn:turn.example.org?transport=tcp" },
  { "turns:turn.example.org:443?transport=tcp", S_TURNS, "turn.example.org", FALSE, 443, TRUE,
    T_TCP, TRUE, NULL, DT_TURN_TRANSPORT_TLS, FALSE, "turns:turn.example.org:443?transport=tcp" },
  /* RFC 7350 §3: turns over UDP is DTLS */
  { "turns:turn.example.org?transport=udp", S_TURNS, "turn.example.org", FALSE, 5349, FALSE,
    T_UDP, TRUE, NULL, DT_TURN_TRANSPORT_DTLS, FALSE, "turns:turn.example.org?transport=udp" },
  /* Case-insensitive scheme and transport; the host keeps its case */
  { "TURNS:Turn.Example.ORG:5350?TRANSPORT=TCP", S_TURNS, "Turn.Example.ORG", FALSE, 5350, TRUE,
    T_TCP, TRUE, NULL, DT_TURN_TRANSPORT_TLS, FALSE, "turns:Turn.Example.ORG:5350?transport=tcp" },
  { "Turn:example.org?transport=UDP", S_TURN, "example.org", FALSE, 3478, FALSE, T_UDP, TRUE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:example.org?transport=udp" },
  /* IPv4 and IPv6 literals; IPv6 is written back in its short form */
  { "turn:192.0.2.7:3478", S_TURN, "192.0.2.7", TRUE, 3478, TRUE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:192.0.2.7:3478" },
  { "turn:[2001:db8::1]", S_TURN, "2001:db8::1", TRUE, 3478, FALSE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:[2001:db8::1]" },
  { "turns:[2001:DB8:0:0:0:0:0:2]:443?transport=tcp", S_TURNS, "2001:db8::2", TRUE, 443, TRUE,
    T_TCP, TRUE, NULL, DT_TURN_TRANSPORT_TLS, FALSE, "turns:[2001:db8::2]:443?transport=tcp" },
  { "turn:[::1]:3478?transport=tcp", S_TURN, "::1", TRUE, 3478, TRUE, T_TCP, TRUE, NULL,
    DT_TURN_TRANSPORT_TCP, FALSE, "turn:[::1]:3478?transport=tcp" },
  { "turn:[::ffff:192.0.2.1]", S_TURN, "::ffff:192.0.2.1", TRUE, 3478, FALSE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:[::ffff:192.0.2.1]" },
  /* RFC 7064: stun → UDP 3478, stuns → TLS 5349 */
  { "stun:stun.example.org", S_STUN, "stun.example.org", FALSE, 3478, FALSE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "stun:stun.example.org" },
  { "stun:stun.l.google.com:19302", S_STUN, "stun.l.google.com", FALSE, 19302, TRUE, T_UDP, FALSE,
    NULL, DT_TURN_TRANSPORT_UDP, TRUE, "stun:stun.l.google.com:19302" },
  { "stuns:[2001:db8::3]", S_STUNS, "2001:db8::3", TRUE, 5349, FALSE, T_TCP, FALSE, NULL,
    DT_TURN_TRANSPORT_TLS, FALSE, "stuns:[2001:db8::3]" },
  /* Surrounding white space is ignored; an absolute name keeps its dot */
  { "  turn:example.org.  ", S_TURN, "example.org.", FALSE, 3478, FALSE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:example.org." },
  { "turn:localhost:65535", S_TURN, "localhost", FALSE, 65535, TRUE, T_UDP, FALSE, NULL,
    DT_TURN_TRANSPORT_UDP, TRUE, "turn:localhost:65535" },
  { "turn:h:1", S_TURN, "h", FALSE, 1, TRUE, T_UDP, FALSE, NULL, DT_TURN_TRANSPORT_UDP, TRUE,
    "turn:h:1" },
  /* Unknown query keys are kept but make the URI unsupported */
  { "turn:example.org?transport=tcp&foo=bar", S_TURN, "example.org", FALSE, 3478, FALSE, T_TCP,
    TRUE, "foo=bar", DT_TURN_TRANSPORT_TCP, FALSE, "turn:example.org?transport=tcp&foo=bar" },
  { "turn:example.org?foo=bar&x", S_TURN, "example.org", FALSE, 3478, FALSE, T_UDP, FALSE,
    "foo=bar&x", DT_TURN_TRANSPORT_UDP, TRUE, "turn:example.org?foo=bar&x" },
  { "turn:example.org?foo=1&transport=udp", S_TURN, "example.org", FALSE, 3478, FALSE, T_UDP,
    TRUE, "foo=1", DT_TURN_TRANSPORT_UDP, TRUE, "turn:example.org?transport=udp&foo=1" },
};

typedef struct {
  const char    *text;
  DtIceUriError  code;
  const char    *in_message;
} BadCase;

static const BadCase bad_cases[] = {
  { "", DT_ICE_URI_ERROR_EMPTY, "empty" },
  { "   ", DT_ICE_URI_ERROR_EMPTY, "empty" },
  { "example.org", DT_ICE_URI_ERROR_BAD_SCHEME, "no scheme" },
  { "http://example.org", DT_ICE_URI_ERROR_BAD_SCHEME, "“http”" },
  { "turnss:example.org", DT_ICE_URI_ERROR_BAD_SCHEME, "“turnss”" },
  { ":example.org", DT_ICE_URI_ERROR_BAD_SCHEME, "scheme" },
  { "sip:alice@example.org", DT_ICE_URI_ERROR_BAD_SCHEME, "“sip”" },
  { "turn://example.org", DT_ICE_URI_ERROR_INVALID, "“//”" },
  { "turn:", DT_ICE_URI_ERROR_BAD_HOST, "missing" },
  { "turn::3478", DT_ICE_URI_ERROR_BAD_HOST, "missing" },
  { "turn:?transport=udp", DT_ICE_URI_ERROR_BAD_HOST, "missing" },
  { "turn:example.org:", DT_ICE_URI_ERROR_BAD_PORT, "missing" },
  { "turn:example.org:0", DT_ICE_URI_ERROR_BAD_PORT, "“0”" },
  { "turn:example.org:65536", DT_ICE_URI_ERROR_BAD_PORT, "“65536”" },
  { "turn:example.org:99999", DT_ICE_URI_ERROR_BAD_PORT, "1 to 65535" },
  { "turn:example.org:123456", DT_ICE_URI_ERROR_BAD_PORT, "“123456”" },
  { "turn:example.org:34x8", DT_ICE_URI_ERROR_BAD_PORT, "“34x8”" },
  { "turn:example.org:-1", DT_ICE_URI_ERROR_BAD_PORT, "“-1”" },
  { "turn:[::1]:", DT_ICE_URI_ERROR_BAD_PORT, "missing" },
  { "turn:example.org?transport=sctp", DT_ICE_URI_ERROR_BAD_TRANSPORT, "“sctp”" },
  { "turn:example.org?transport=", DT_ICE_URI_ERROR_BAD_TRANSPORT, "unknown" },
  { "turn:example.org?Transport", DT_ICE_URI_ERROR_BAD_TRANSPORT, "unknown" },
  { "turns:example.org?transport=tls", DT_ICE_URI_ERROR_BAD_TRANSPORT, "udp or tcp" },
  { "stun:example.org?transport=udp", DT_ICE_URI_ERROR_BAD_TRANSPORT, "RFC 7064" },
  { "stuns:example.org?transport=tcp", DT_ICE_URI_ERROR_BAD_TRANSPORT, "no transport" },
  { "stun:example.org?foo=bar", DT_ICE_URI_ERROR_INVALID, "“?foo=bar”" },
  { "turn:example.org?transport=udp&transport=tcp", DT_ICE_URI_ERROR_INVALID, "twice" },
  { "turn:example.org?", DT_ICE_URI_ERROR_INVALID, "empty parameter" },
  { "turn:example.org?&transport=udp", DT_ICE_URI_ERROR_INVALID, "empty parameter" },
  { "turn:example.org?=udp", DT_ICE_URI_ERROR_INVALID, "empty parameter" },
  { "turn:alice@example.org", DT_ICE_URI_ERROR_INVALID, "password" },
  { "turn:alice:secret@example.org:3478", DT_ICE_URI_ERROR_INVALID, "user name" },
  { "turn:2001:db8::1", DT_ICE_URI_ERROR_BAD_HOST, "brackets" },
  { "turn:2001:db8::1:3478", DT_ICE_URI_ERROR_BAD_HOST, "brackets" },
  { "turn:[2001:db8::1", DT_ICE_URI_ERROR_BAD_HOST, "“]”" },
  { "turn:[2001:db8::g]", DT_ICE_URI_ERROR_BAD_HOST, "IPv6" },
  { "turn:[192.0.2.1]", DT_ICE_URI_ERROR_BAD_HOST, "IPv6" },
  { "turn:[]", DT_ICE_URI_ERROR_BAD_HOST, "IPv6" },
  { "turn:[fe80::1%25eth0]", DT_ICE_URI_ERROR_BAD_HOST, "IPv6" },
  { "turn:[::1]x", DT_ICE_URI_ERROR_INVALID, "“x”" },
  { "turn:[::1]3478", DT_ICE_URI_ERROR_INVALID, "“3478”" },
  { "turn:256.1.1.1", DT_ICE_URI_ERROR_BAD_HOST, "IPv4" },
  { "turn:1.2.3", DT_ICE_URI_ERROR_BAD_HOST, "IPv4" },
  { "turn:exa_mple..org", DT_ICE_URI_ERROR_BAD_HOST, "empty label" },
  { "turn:.example.org", DT_ICE_URI_ERROR_BAD_HOST, "empty label" },
  { "turn:exa%6dple.org", DT_ICE_URI_ERROR_BAD_HOST, "“%”" },
  { "turn:exa!mple.org", DT_ICE_URI_ERROR_BAD_HOST, "“!”" },
  { "turn:exa mple.org", DT_ICE_URI_ERROR_INVALID, "character" },
  { "turn:example.org\t:3478", DT_ICE_URI_ERROR_INVALID, "character" },
  { "turn:example.org#frag", DT_ICE_URI_ERROR_INVALID, "character" },
  { "turn:ex\xc3\xa4mple.org", DT_ICE_URI_ERROR_INVALID, "character" },
  { "turn:example.org\x7f", DT_ICE_URI_ERROR_INVALID, "character" },
};

static void
test_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      const GoodCase *c = &good_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtIceUri) uri = dt_ice_uri_parse (c->text, &error);
      g_autoptr(DtIceUri) again = NULL;
      g_autoptr(DtIceUri) copy = NULL;
      g_autofree char *written = NULL;

      g_test_message ("%s", c->text);
      g_assert_no_error (error);
      g_assert_nonnull (uri);
      g_assert_cmpint (uri->scheme, ==, c->scheme);
      g_assert_cmpstr (uri->host, ==, c->host);
      g_assert_cmpint (uri->host_is_ip, ==, c->host_is_ip);
      g_assert_cmpuint (uri->port, ==, c->port);
      g_assert_cmpint (uri->port_given, ==, c->port_given);
      g_assert_cmpint (uri->transport, ==, c->transport);
      g_assert_cmpint (uri->transport_given, ==, c->transport_given);
      g_assert_cmpstr (uri->unknown_query, ==, c->unknown_query);
      g_assert_cmpint (dt_ice_uri_is_supported (uri), ==, c->unknown_query == NULL);
      g_assert_cmpint (dt_ice_uri_get_turn_transport (uri), ==, c->turn_transport);
      g_assert_cmpint (dt_ice_uri_stun_expected (uri), ==, c->stun_expected);
      g_assert_cmpint (dt_ice_uri_is_turn (uri), ==,
                       c->scheme == S_TURN || c->scheme == S_TURNS);
      g_assert_cmpint (dt_ice_uri_is_secure (uri), ==,
                       c->scheme == S_TURNS || c->scheme == S_STUNS);

      written = dt_ice_uri_to_string (uri);
      g_assert_cmpstr (written, ==, c->written);
      again = dt_ice_uri_parse (written, &error);
      g_assert_no_error (error);
      g_assert_true (dt_ice_uri_equal (uri, again));
      copy = dt_ice_uri_copy (uri);
      g_assert_true (dt_ice_uri_equal (uri, copy));
      g_assert_true (copy->host != uri->host);
    }
}

static void
test_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtIceUri) uri = dt_ice_uri_parse (c->text, &error);

      g_test_message ("%s", c->text);
      g_assert_null (uri);
      g_assert_error (error, DT_ICE_URI_ERROR, (gint) c->code);
      g_test_message ("  → %s", error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_nonnull (strstr (error->message, c->in_message));
    }
}

static void
test_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new ("turn:");
  g_autoptr(DtIceUri) uri = NULL;

  while (text->len <= DT_ICE_URI_MAX_LENGTH)
    g_string_append (text, "a.");
  uri = dt_ice_uri_parse (text->str, &error);
  g_assert_null (uri);
  g_assert_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* Under the URI limit but over RFC 1035's 253 for the name */
  g_string_truncate (text, 5 + 254);
  uri = dt_ice_uri_parse (text->str, &error);
  g_assert_null (uri);
  g_assert_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST);
  g_clear_error (&error);

  g_string_truncate (text, 5 + 253);
  uri = dt_ice_uri_parse (text->str, &error);
  g_assert_no_error (error);
  g_assert_nonnull (uri);
}

static void
test_equal (void)
{
  g_autoptr(DtIceUri) a = dt_ice_uri_parse ("turn:Example.org", NULL);
  g_autoptr(DtIceUri) b = dt_ice_uri_parse ("TURN:example.ORG", NULL);
  g_autoptr(DtIceUri) port = dt_ice_uri_parse ("turn:example.org:3478", NULL);
  g_autoptr(DtIceUri) transport = dt_ice_uri_parse ("turn:example.org?transport=udp", NULL);
  g_autoptr(DtIceUri) secure = dt_ice_uri_parse ("turns:example.org", NULL);

  /* RFC 4343: host names compare without case */
  g_assert_true (dt_ice_uri_equal (a, b));
  /* the same server, but not the same text */
  g_assert_false (dt_ice_uri_equal (a, port));
  g_assert_false (dt_ice_uri_equal (a, transport));
  g_assert_false (dt_ice_uri_equal (a, secure));
  g_assert_cmpuint (a->port, ==, port->port);
  g_assert_cmpint (a->transport, ==, transport->transport);
}

/* What an account keeps: every URI the grammar allows, unless it carries a
 * parameter Dialtone could not honour; the errors of the grammar stay. */
static void
test_supported (void)
{
  static const char *accepted[] = {
    "stun:stun.example.org", "stuns:stun.example.org:443", "turn:[2001:db8::1]:3478",
    "turns:turn.example.org?transport=udp", "turn:192.0.2.7?transport=tcp",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtIceUri) uri = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(DtIceUri) parsed = dt_ice_uri_parse_supported (accepted[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (parsed);
    }

  uri = dt_ice_uri_parse_supported ("turn:example.org?transport=udp&ttl=4", &error);
  g_assert_null (uri);
  g_assert_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "ttl=4"));
  g_clear_error (&error);

  uri = dt_ice_uri_parse_supported ("turn:[2001:db8::1", &error);
  g_assert_null (uri);
  g_assert_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST);
  g_clear_error (&error);

  uri = dt_ice_uri_parse_supported ("", &error);
  g_assert_null (uri);
  g_assert_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_EMPTY);
}

static void
test_boxed (void)
{
  g_autoptr(DtIceUri) uri = dt_ice_uri_parse ("turns:[::1]:443?transport=tcp", NULL);
  DtIceUri *copy = g_boxed_copy (DT_TYPE_ICE_URI, uri);

  g_assert_true (dt_ice_uri_equal (uri, copy));
  g_boxed_free (DT_TYPE_ICE_URI, copy);
  g_assert_cmpstr (dt_ice_uri_scheme_to_string (DT_ICE_URI_SCHEME_STUNS), ==, "stuns");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ice-uri/good", test_good);
  g_test_add_func ("/ice-uri/bad", test_bad);
  g_test_add_func ("/ice-uri/too-long", test_too_long);
  g_test_add_func ("/ice-uri/equal", test_equal);
  g_test_add_func ("/ice-uri/supported", test_supported);
  g_test_add_func ("/ice-uri/boxed", test_boxed);

  return g_test_run ();
}
