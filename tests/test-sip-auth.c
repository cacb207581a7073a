/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-auth.c
 *
 * Digest authentication: the worked examples of RFC 7616 §3.9.1 and
 * RFC 2617 §3.5, header values as kamailio, asterisk and RFC examples write
 * them, and whole exchanges between DtSipAuthClient and DtSipAuthServer
 * with a controlled clock.
 */

#include "config.h"

#include <string.h>

#include "dt-sip-auth.h"

#define RFC7616_REALM  "http-auth@example.org"
#define RFC7616_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

typedef struct {
  gint64 now;
} TestClock;

static gint64
test_clock_now (gpointer user_data)
{
  TestClock *clock = user_data;

  return clock->now;
}

/* TAP output must stay valid UTF-8 */
static void
note_value (const char *value)
{
  g_autofree char *escaped = g_strescape (value, NULL);

  g_test_message ("%s", escaped);
}

static char *
cnonce_from_data (gpointer user_data)
{
  return g_strdup (user_data);
}

static char *
lookup_password (const char *username,
                 const char *realm,
                 gpointer    user_data)
{
  g_assert_cmpstr (realm, ==, "dialtone.test");

  if (g_str_equal (username, "alice"))
    return g_strdup ("wonderland");
  if (g_str_equal (username, "bob \"the\" builder"))
    return g_strdup ("can\\we\"fix");
  return NULL;
}

static DtSipAuthServer *
make_server (TestClock *clock)
{
  DtSipAuthServer *server = dt_sip_auth_server_new ("dialtone.test");

  dt_sip_auth_server_set_password_func (server, lookup_password, NULL, NULL);
  dt_sip_auth_server_set_clock (server, test_clock_now, clock);
  return server;
}

/* Sends one request through the client and returns the server's verdict
 * on its single Authorization value. */
static DtSipAuthVerdict
send_request (DtSipAuthClient *client,
              DtSipAuthServer *server,
              const char      *method)
{
  g_auto(GStrv) values = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW,
                                                       method, "sip:dialtone.test");
  g_autofree char *username = NULL;
  DtSipAuthVerdict verdict;

  g_assert_cmpuint (g_strv_length (values), ==, 1);
  verdict = dt_sip_auth_server_verify (server, method, values[0], &username);
  g_assert_nonnull (username);
  return verdict;
}

static void
challenge_client (DtSipAuthClient       *client,
                  DtSipAuthServer       *server,
                  gboolean               stale,
                  DtSipAuthClientResult  expected)
{
  g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (server, stale);
  g_autoptr(GError) error = NULL;
  DtSipAuthClientResult result;

  result = dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                                 (const char * const *) challenges, &error);
  g_assert_cmpint (result, ==, expected);
  if (expected == DT_SIP_AUTH_CLIENT_RETRY)
    g_assert_no_error (error);
  else if (expected == DT_SIP_AUTH_CLIENT_FAILED)
    g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_REJECTED);
}

static void
test_rfc7616_vectors (void)
{
  g_autofree char *md5 = NULL;
  g_autofree char *sha256 = NULL;

  /* RFC 7616 §3.9.1, with erratum 4495: "Circle of Life" */
  md5 = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5, "Mufasa", RFC7616_REALM,
                                      "Circle of Life", RFC7616_NONCE, RFC7616_CNONCE, 1,
                                      "GET", "/dir/index.html");
  g_assert_cmpstr (md5, ==, "8ca523f5e9506fed4657c9700eebdbec");

  sha256 = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_SHA256, "Mufasa",
                                         RFC7616_REALM, "Circle of Life", RFC7616_NONCE,
                                         RFC7616_CNONCE, 1, "GET", "/dir/index.html");
  g_assert_cmpstr (sha256, ==,
                   "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* The client answering the RFC 7616 §3.9.1 challenges writes the RFC's
 * responses. */
static void
test_rfc7616_client (void)
{
  const char *challenges[] = {
    "Digest realm=\"" RFC7616_REALM "\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"" RFC7616_NONCE "\", opaque=\"" RFC7616_OPAQUE "\"",
    "Digest realm=\"" RFC7616_REALM "\", qop=\"auth, auth-int\", algorithm=MD5, "
    "nonce=\"" RFC7616_NONCE "\", opaque=\"" RFC7616_OPAQUE "\"",
    NULL
  };
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("Mufasa", "Circle of Life");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;

  dt_sip_auth_client_set_cnonce_func (client, cnonce_from_data, (gpointer) RFC7616_CNONCE,
                                      NULL);
  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                                         challenges, &error),
                   ==, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_no_error (error);

  values = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "GET",
                                         "/dir/index.html");
  g_assert_cmpuint (g_strv_length (values), ==, 1);
  g_assert_cmpstr (values[0], ==,
                   "Digest username=\"Mufasa\", realm=\"" RFC7616_REALM "\", "
                   "nonce=\"" RFC7616_NONCE "\", uri=\"/dir/index.html\", "
                   "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
                   "algorithm=SHA-256, cnonce=\"" RFC7616_CNONCE "\", "
                   "opaque=\"" RFC7616_OPAQUE "\", qop=auth, nc=00000001");
}

static void
test_rfc2617_vectors (void)
{
  g_autofree char *with_qop = NULL;
  g_autofree char *without_qop = NULL;
  g_autofree char *sess = NULL;
  g_autofree char *sip = NULL;

  /* RFC 2617 §3.5 */
  with_qop = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5, "Mufasa",
                                           "testrealm@host.com", "Circle Of Life",
                                           "dcd98b7102dd2f0e8b11d0f600bfb0c093", "0a4f113b", 1,
                                           "GET", "/dir/index.html");
  g_assert_cmpstr (with_qop, ==, "6629fae49393a05397450978507c4ef1");

  /* The same values in the RFC 2069 form, checked with Python's hashlib */
  without_qop = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5, "Mufasa",
                                              "testrealm@host.com", "Circle Of Life",
                                              "dcd98b7102dd2f0e8b11d0f600bfb0c093", NULL, 0,
                                              "GET", "/dir/index.html");
  g_assert_cmpstr (without_qop, ==, "670fd8c2df070c60b045671b8b24ff02");

  /* SIP examples of draft-smith-sipping-auth-examples-01 */
  sip = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5, "bob", "biloxi.com",
                                      "zanzibar", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                      "0a4f113b", 1, "INVITE", "sip:bob@biloxi.com");
  g_assert_cmpstr (sip, ==, "89eb0059246c02b2f6ee02c7961d5ea3");
  sess = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5_SESS, "bob", "biloxi.com",
                                       "zanzibar", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                       "0a4f113b", 1, "INVITE", "sip:bob@biloxi.com");
  g_assert_cmpstr (sess, ==, "e4e4ea61d186d07a92c9e1f6919902e9");
}

typedef struct {
  const char         *value;
  const char         *realm;
  const char         *nonce;
  const char         *opaque;
  DtSipAuthAlgorithm  algorithm;
  gboolean            stale;
  gboolean            qop_auth;
} ChallengeCase;

static void
test_parse_challenge (void)
{
  static const ChallengeCase cases[] = {
    /* kamailio's default: no qop, no algorithm */
    { "Digest realm=\"test.invalid\", nonce=\"ZAsPGGQLDuwvo0Lr5fkHmOq3jzAn8AKy\"",
      "test.invalid", "ZAsPGGQLDuwvo0Lr5fkHmOq3jzAn8AKy", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5, FALSE, FALSE },
    { "Digest realm=\"test.invalid\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256",
      "test.invalid", "abc", NULL, DT_SIP_AUTH_ALGORITHM_SHA256, FALSE, TRUE },
    { "Digest realm=\"biloxi.com\", qop=\"auth,auth-int\", nonce=\"dcd98b\", "
      "opaque=\"5ccc069c\"",
      "biloxi.com", "dcd98b", "5ccc069c", DT_SIP_AUTH_ALGORITHM_MD5, FALSE, TRUE },
    { "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth\", "
      "nonce=\"f84f1cec\", opaque=\"\", stale=TRUE, algorithm=MD5",
      "atlanta.com", "f84f1cec", "", DT_SIP_AUTH_ALGORITHM_MD5, TRUE, TRUE },
    { "Digest realm=\"a\", nonce=\"b\", stale=false", "a", "b", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5, FALSE, FALSE },
    { "Digest realm=\"a\", nonce=\"b\", stale=maybe", "a", "b", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5, FALSE, FALSE },
    /* escaped quotes and backslashes */
    { "Digest realm=\"say \\\"hi\\\" \\\\ there\", nonce=\"n\\\"1\", qop=\"auth\"",
      "say \"hi\" \\ there", "n\"1", NULL, DT_SIP_AUTH_ALGORITHM_MD5, FALSE, TRUE },
    /* odd spacing, case, empty list elements, tokens for values */
    { "  digest   realm = \"example.org\" ,nonce= abc ,,  algorithm =\"sha-256\","
      "qop= \" auth-int , auth \"  ,",
      "example.org", "abc", NULL, DT_SIP_AUTH_ALGORITHM_SHA256, FALSE, TRUE },
    { "Digest\trealm=\"r\",\tnonce=\"n\", unknown=whatever, other=\"x, y\"", "r", "n", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5, FALSE, FALSE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256-sess, qop=auth", "r", "n", NULL,
      DT_SIP_AUTH_ALGORITHM_SHA256_SESS, FALSE, TRUE },
    { "Digest realm=\"r\", nonce=\"n\", algorithm=md5-SESS, qop=\"auth\"", "r", "n", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5_SESS, FALSE, TRUE },
    { "Digest realm=\"h\xc3\xa9llo\", nonce=\"n\"", "h\xc3\xa9llo", "n", NULL,
      DT_SIP_AUTH_ALGORITHM_MD5, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ChallengeCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(DtSipAuthChallenge) challenge = NULL;
      g_autoptr(DtSipAuthChallenge) copy = NULL;

      note_value (c->value);
      challenge = dt_sip_auth_challenge_parse (c->value, &error);
      g_assert_no_error (error);
      g_assert_nonnull (challenge);
      g_assert_cmpstr (challenge->realm, ==, c->realm);
      g_assert_cmpstr (challenge->nonce, ==, c->nonce);
      g_assert_cmpstr (challenge->opaque, ==, c->opaque);
      g_assert_cmpint (challenge->algorithm, ==, c->algorithm);
      g_assert_cmpint (challenge->stale, ==, c->stale);
      g_assert_cmpint (challenge->qop_auth, ==, c->qop_auth);

      copy = dt_sip_auth_challenge_copy (challenge);
      g_assert_cmpstr (copy->realm, ==, c->realm);
      g_assert_cmpstr (copy->opaque, ==, c->opaque);
    }
}

typedef struct {
  const char *value;
  int         code;
} BadCase;

static char *
huge_value (void)
{
  GString *text = g_string_new ("Digest realm=\"");

  while (text->len <= DT_SIP_AUTH_MAX_VALUE_LENGTH)
    g_string_append (text, "aaaaaaaaaaaaaaaa");
  g_string_append (text, "\", nonce=\"n\"");
  return g_string_free (text, FALSE);
}

static void
test_bad_challenges (void)
{
  static const BadCase cases[] = {
    { "", DT_SIP_AUTH_ERROR_MALFORMED },
    { "   ", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest ", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest ,,,", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digestrealm=\"a\"", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Basic realm=\"WallyWorld\"", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest realm=\"a\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest nonce=\"a\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce=\"\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a, nonce=\"c", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce=\"c\\", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", realm=\"b\", nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", NONCE=\"b\", nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\" nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce=", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", =\"b\", nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\r\nb\", nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce=\"c\", opaque=\"\x01\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"\xff\", nonce=\"c\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest realm=\"a\", nonce=\"c\", algorithm=SHA-512-256", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest realm=\"a\", nonce=\"c\", algorithm=AKAv1-MD5", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest realm=\"a\", nonce=\"c\", qop=\"auth-int\"", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest realm=\"a\", nonce=\"c\", qop=\"\"", DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest realm=\"a\", nonce=\"c\", algorithm=MD5-sess", DT_SIP_AUTH_ERROR_UNSUPPORTED },
  };
  g_autofree char *huge = huge_value ();
  g_autoptr(GError) error = NULL;
  GString *many = g_string_new ("Digest realm=\"a\", nonce=\"b\"");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) case_error = NULL;
      g_autoptr(DtSipAuthChallenge) challenge = NULL;

      note_value (cases[i].value);
      challenge = dt_sip_auth_challenge_parse (cases[i].value, &case_error);
      g_assert_null (challenge);
      g_assert_error (case_error, DT_SIP_AUTH_ERROR, cases[i].code);
    }

  g_assert_null (dt_sip_auth_challenge_parse (huge, &error));
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED);
  g_clear_error (&error);

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (many, ", p%u=x", i);
  g_assert_null (dt_sip_auth_challenge_parse (many->str, &error));
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED);
  g_string_free (many, TRUE);
}

static void
test_parse_credentials (void)
{
  static const BadCase bad[] = {
    /* missing each required parameter */
    { "Digest realm=\"r\", nonce=\"n\", uri=\"u\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", nonce=\"n\", uri=\"u\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", uri=\"u\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\"",
      DT_SIP_AUTH_ERROR_MALFORMED },
    /* response of the wrong length or not hex */
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"6629\"",
      DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", algorithm=SHA-256, "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", "
      "response=\"6629fae49393a05397450978507c4efg\"", DT_SIP_AUTH_ERROR_MALFORMED },
    /* qop=auth needs cnonce and an 8-digit nc from 1 */
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, nc=00000001, "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, cnonce=\"c\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, cnonce=\"c\", "
      "nc=1, response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, cnonce=\"c\", "
      "nc=00000000, response=\"6629fae49393a05397450978507c4ef1\"",
      DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth, cnonce=\"c\", "
      "nc=0000000g, response=\"6629fae49393a05397450978507c4ef1\"",
      DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", qop=auth-int, "
      "cnonce=\"c\", nc=00000001, response=\"6629fae49393a05397450978507c4ef1\"",
      DT_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"u\", algorithm=MD5-sess, "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"u\", username=\"v\", realm=\"r\", nonce=\"n\", uri=\"u\", "
      "response=\"6629fae49393a05397450978507c4ef1\"", DT_SIP_AUTH_ERROR_MALFORMED },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipAuthCredentials) credentials = NULL;
  g_autoptr(DtSipAuthCredentials) copy = NULL;

  /* RFC 2617 §3.5 */
  credentials = dt_sip_auth_credentials_parse (
    "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
    "nc=00000001, cnonce=\"0a4f113b\", response=\"6629FAE49393A05397450978507C4EF1\", "
    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &error);
  g_assert_no_error (error);
  g_assert_nonnull (credentials);
  g_assert_cmpstr (credentials->username, ==, "Mufasa");
  g_assert_cmpstr (credentials->realm, ==, "testrealm@host.com");
  g_assert_cmpstr (credentials->nonce, ==, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  g_assert_cmpstr (credentials->uri, ==, "/dir/index.html");
  g_assert_cmpstr (credentials->response, ==, "6629fae49393a05397450978507c4ef1");
  g_assert_cmpstr (credentials->cnonce, ==, "0a4f113b");
  g_assert_cmpstr (credentials->opaque, ==, "5ccc069c403ebaf9f0171e9517f40e41");
  g_assert_cmpint (credentials->algorithm, ==, DT_SIP_AUTH_ALGORITHM_MD5);
  g_assert_true (credentials->qop_auth);
  g_assert_cmpuint (credentials->nc, ==, 1);

  copy = dt_sip_auth_credentials_copy (credentials);
  g_assert_cmpstr (copy->cnonce, ==, "0a4f113b");
  g_assert_cmpuint (copy->nc, ==, 1);
  g_clear_pointer (&credentials, dt_sip_auth_credentials_free);

  /* sipp: the remote address as uri, no qop, nc and cnonce ignored */
  credentials = dt_sip_auth_credentials_parse (
    "Digest username=\"alice\",realm=\"test.invalid\",cnonce=\"x\",nc=00000001,"
    "uri=\"sip:127.0.0.1:5070\",nonce=\"abc\",response=\"e4e4ea61d186d07a92c9e1f6919902e9\","
    "algorithm=MD5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (credentials->uri, ==, "sip:127.0.0.1:5070");
  g_assert_false (credentials->qop_auth);
  g_assert_null (credentials->cnonce);
  g_assert_cmpuint (credentials->nc, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) case_error = NULL;
      g_autoptr(DtSipAuthCredentials) parsed = NULL;

      note_value (bad[i].value);
      parsed = dt_sip_auth_credentials_parse (bad[i].value, &case_error);
      g_assert_null (parsed);
      g_assert_error (case_error, DT_SIP_AUTH_ERROR, bad[i].code);
    }
}

static void
test_pick (void)
{
  const char *md5_first[] = {
    "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
    "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"",
    NULL
  };
  const char *with_unknown[] = {
    "Digest realm=\"r\", nonce=\"n0\", algorithm=SHA-512-256, qop=\"auth\"",
    "Basic realm=\"r\"",
    "Digest realm=\"r\", nonce=\"n1\", qop=\"auth-int\"",
    "Digest realm=\"r\", nonce=\"n2\"",
    "Digest realm=\"r\", nonce=\"n3\", algorithm=MD5",
    NULL
  };
  const char *none[] = {
    "Digest realm=\"r\", nonce=\"n1\", qop=\"auth-int\"",
    NULL
  };
  const char *empty[] = { NULL };
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  g_autoptr(GError) error = NULL;

  challenge = dt_sip_auth_challenge_pick (md5_first, &error);
  g_assert_no_error (error);
  g_assert_cmpint (challenge->algorithm, ==, DT_SIP_AUTH_ALGORITHM_SHA256);
  g_assert_cmpstr (challenge->nonce, ==, "n2");
  g_clear_pointer (&challenge, dt_sip_auth_challenge_free);

  /* among equals, the topmost */
  challenge = dt_sip_auth_challenge_pick (with_unknown, &error);
  g_assert_no_error (error);
  g_assert_cmpint (challenge->algorithm, ==, DT_SIP_AUTH_ALGORITHM_MD5);
  g_assert_cmpstr (challenge->nonce, ==, "n2");
  g_clear_pointer (&challenge, dt_sip_auth_challenge_free);

  g_assert_null (dt_sip_auth_challenge_pick (none, &error));
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_assert_null (dt_sip_auth_challenge_pick (empty, &error));
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED);
}

static void
test_client_unsupported (void)
{
  const char *auth_int[] = {
    "Digest realm=\"r\", nonce=\"n1\", qop=\"auth-int\"",
    NULL
  };
  const char *sha512[] = {
    "Digest realm=\"r\", nonce=\"n1\", algorithm=SHA-512-256",
    NULL
  };
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice", "wonderland");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;

  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                                         auth_int, &error),
                   ==, DT_SIP_AUTH_CLIENT_UNSUPPORTED);
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED);
  g_clear_error (&error);

  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_PROXY,
                                                         sha512, &error),
                   ==, DT_SIP_AUTH_CLIENT_UNSUPPORTED);
  g_assert_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED);

  values = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "REGISTER",
                                         "sip:r");
  g_assert_cmpuint (g_strv_length (values), ==, 0);
}

/* Nonce counts grow per nonce; a new nonce restarts them and takes a new
 * cnonce; proxy and server realms are answered in their own headers. */
static void
test_client_nonce_count (void)
{
  const char *proxy[] = {
    "Digest realm=\"proxy.example\", nonce=\"p1\", qop=\"auth\", opaque=\"o \\\"q\\\"\"",
    "Digest realm=\"other.example\", nonce=\"p2\"",
    NULL
  };
  const char *fresh[] = {
    "Digest realm=\"proxy.example\", nonce=\"p3\", qop=\"auth\"",
    NULL
  };
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("al\"ice\\", "pw");
  guint counter = 0;
  g_auto(GStrv) first = NULL;
  g_auto(GStrv) second = NULL;
  g_auto(GStrv) third = NULL;
  g_auto(GStrv) www = NULL;

  dt_sip_auth_client_set_cnonce_func (client, cnonce_from_data, (gpointer) "c1", NULL);
  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_PROXY,
                                                         proxy, NULL),
                   ==, DT_SIP_AUTH_CLIENT_RETRY);

  first = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_PROXY, "INVITE",
                                        "sip:bob@example.org");
  g_assert_cmpuint (g_strv_length (first), ==, 2);
  g_assert_true (g_str_has_prefix (first[0], "Digest username=\"al\\\"ice\\\\\", "
                                             "realm=\"proxy.example\", nonce=\"p1\", "
                                             "uri=\"sip:bob@example.org\", response=\""));
  g_assert_true (g_str_has_suffix (first[0], "\", algorithm=MD5, cnonce=\"c1\", "
                                             "opaque=\"o \\\"q\\\"\", qop=auth, nc=00000001"));
  g_assert_true (g_str_has_suffix (first[1], "\", algorithm=MD5"));
  g_assert_null (strstr (first[1], "nc="));
  g_assert_null (strstr (first[1], "cnonce="));

  www = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "INVITE",
                                      "sip:bob@example.org");
  g_assert_cmpuint (g_strv_length (www), ==, 0);

  second = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_PROXY, "INVITE",
                                         "sip:bob@example.org");
  g_assert_true (g_str_has_suffix (second[0], "cnonce=\"c1\", opaque=\"o \\\"q\\\"\", "
                                              "qop=auth, nc=00000002"));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(DtSipAuthCredentials) credentials =
        dt_sip_auth_credentials_parse (second[i], NULL);

      g_assert_nonnull (credentials);
      g_assert_cmpstr (credentials->username, ==, "al\"ice\\");
      counter += credentials->nc;
    }
  g_assert_cmpuint (counter, ==, 2);

  /* An accepted request, then the server wants a new nonce */
  dt_sip_auth_client_accepted (client);
  dt_sip_auth_client_set_cnonce_func (client, cnonce_from_data, (gpointer) "c2", NULL);
  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_PROXY,
                                                         fresh, NULL),
                   ==, DT_SIP_AUTH_CLIENT_RETRY);
  third = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_PROXY, "INVITE",
                                        "sip:bob@example.org");
  g_assert_true (strstr (third[0], "nonce=\"p3\"") != NULL);
  g_assert_true (g_str_has_suffix (third[0], "cnonce=\"c2\", qop=auth, nc=00000001"));

  dt_sip_auth_client_forget (client);
  g_clear_pointer (&third, g_strfreev);
  third = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_PROXY, "INVITE",
                                        "sip:bob@example.org");
  g_assert_cmpuint (g_strv_length (third), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&client));
}

static void
test_round_trip (gconstpointer data)
{
  guint variant = GPOINTER_TO_UINT (data);
  gboolean md5_only = (variant & 1) != 0;
  gboolean qop = (variant & 2) != 0;
  TestClock clock = { 1000 * G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice", "wonderland");
  g_auto(GStrv) challenges = NULL;
  g_auto(GStrv) values = NULL;
  g_autoptr(DtSipAuthCredentials) credentials = NULL;

  dt_sip_auth_server_set_md5_only (server, md5_only);
  dt_sip_auth_server_set_qop (server, qop);

  challenges = dt_sip_auth_server_create_challenges (server, FALSE);
  g_assert_cmpuint (g_strv_length (challenges), ==, md5_only ? 1 : 2);
  if (!md5_only)
    g_assert_nonnull (strstr (challenges[0], "algorithm=SHA-256"));
  g_assert_nonnull (strstr (challenges[md5_only ? 0 : 1], "algorithm=MD5"));
  g_assert_true ((strstr (challenges[0], "qop=\"auth\"") != NULL) == qop);
  g_assert_null (strstr (challenges[0], "stale"));

  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                                         (const char * const *) challenges,
                                                         NULL),
                   ==, DT_SIP_AUTH_CLIENT_RETRY);

  values = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "REGISTER",
                                         "sip:dialtone.test");
  credentials = dt_sip_auth_credentials_parse (values[0], NULL);
  g_assert_cmpint (credentials->algorithm, ==,
                   md5_only ? DT_SIP_AUTH_ALGORITHM_MD5 : DT_SIP_AUTH_ALGORITHM_SHA256);
  g_assert_cmpint (credentials->qop_auth, ==, qop);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", values[0], NULL), ==,
                   DT_SIP_AUTH_OK);
  /* The same value again is a replay */
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", values[0], NULL), ==,
                   DT_SIP_AUTH_REPLAY);
  /* The digest covers the method */
  g_assert_cmpint (dt_sip_auth_server_verify (server, "INVITE", values[0], NULL), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
  dt_sip_auth_client_accepted (client);

  clock.now += 60 * G_USEC_PER_SEC;
  if (qop)
    {
      /* Pre-authorised refreshes count up on the same nonce */
      g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
      g_assert_cmpint (send_request (client, server, "INVITE"), ==, DT_SIP_AUTH_OK);
    }
  else
    {
      /* Without qop a nonce is good once; the client retries silently */
      g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_REPLAY);
      challenge_client (client, server, TRUE, DT_SIP_AUTH_CLIENT_RETRY);
      g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
    }

  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&server));
}

static void
test_stale (void)
{
  TestClock clock = { 5 * G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice", "wonderland");
  g_auto(GStrv) stale = NULL;

  dt_sip_auth_server_set_nonce_lifetime (server, 30);
  g_assert_cmpuint (dt_sip_auth_server_get_nonce_lifetime (server), ==, 30);

  challenge_client (client, server, FALSE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
  dt_sip_auth_client_accepted (client);

  clock.now += 30 * G_USEC_PER_SEC;
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
  dt_sip_auth_client_accepted (client);

  /* Past the lifetime: stale, and the client retries at once */
  clock.now += 1;
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_STALE);
  stale = dt_sip_auth_server_create_challenges (server, TRUE);
  for (guint i = 0; stale[i] != NULL; i++)
    g_assert_true (g_str_has_suffix (stale[i], ", stale=true"));
  g_assert_cmpint (dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                                         (const char * const *) stale, NULL),
                   ==, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
  dt_sip_auth_client_accepted (client);

  /* Only once in a row: a server that keeps saying stale has failed us */
  clock.now += 31 * G_USEC_PER_SEC;
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_STALE);
  challenge_client (client, server, TRUE, DT_SIP_AUTH_CLIENT_RETRY);
  clock.now += 31 * G_USEC_PER_SEC;
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==, DT_SIP_AUTH_STALE);
  challenge_client (client, server, TRUE, DT_SIP_AUTH_CLIENT_FAILED);
}

static void
test_wrong_password (void)
{
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice", "wrong");
  g_autoptr(DtSipAuthClient) stranger = dt_sip_auth_client_new ("mallory", "wonderland");
  g_autoptr(DtSipAuthClient) quoted = dt_sip_auth_client_new ("bob \"the\" builder",
                                                              "can\\we\"fix");

  challenge_client (client, server, FALSE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
  /* The second 401 without stale: authentication failed */
  challenge_client (client, server, FALSE, DT_SIP_AUTH_CLIENT_FAILED);

  /* Even with stale=true, a wrong password is never retried twice */
  challenge_client (client, server, FALSE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
  challenge_client (client, server, TRUE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (client, server, "REGISTER"), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
  challenge_client (client, server, TRUE, DT_SIP_AUTH_CLIENT_FAILED);

  challenge_client (stranger, server, FALSE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (stranger, server, "REGISTER"), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);

  challenge_client (quoted, server, FALSE, DT_SIP_AUTH_CLIENT_RETRY);
  g_assert_cmpint (send_request (quoted, server, "REGISTER"), ==, DT_SIP_AUTH_OK);
}

static char *
forge (const char *nonce,
       const char *password,
       guint32     nc)
{
  g_autofree char *response = NULL;
  g_autofree char *nc_text = g_strdup_printf ("%08x", nc);

  response = dt_sip_auth_compute_response (DT_SIP_AUTH_ALGORITHM_MD5, "alice", "dialtone.test",
                                           password, nonce, "cn", nc, "REGISTER",
                                           "sip:127.0.0.1:5070");
  return g_strdup_printf ("Digest username=\"alice\", realm=\"dialtone.test\", "
                          "nonce=\"%s\", uri=\"sip:127.0.0.1:5070\", response=\"%s\", "
                          "qop=auth, nc=%s, cnonce=\"cn\"", nonce, response, nc_text);
}

static void
test_replay (void)
{
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (server, FALSE);
  g_autofree char *five = NULL;
  g_autofree char *three = NULL;
  g_autofree char *six = NULL;
  g_autofree char *username = NULL;

  challenge = dt_sip_auth_challenge_parse (challenges[1], NULL);
  five = forge (challenge->nonce, "wonderland", 5);
  three = forge (challenge->nonce, "wonderland", 3);
  six = forge (challenge->nonce, "wonderland", 6);

  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", five, &username), ==,
                   DT_SIP_AUTH_OK);
  g_assert_cmpstr (username, ==, "alice");
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", five, NULL), ==,
                   DT_SIP_AUTH_REPLAY);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", three, NULL), ==,
                   DT_SIP_AUTH_REPLAY);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", six, NULL), ==,
                   DT_SIP_AUTH_OK);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", six, NULL), ==,
                   DT_SIP_AUTH_REPLAY);
}

/* The many nonce counts kept for replays are dropped when they expire */
static void
test_replay_sweep (void)
{
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autofree char *old = NULL;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(DtSipAuthChallenge) challenge = NULL;
      g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (server, FALSE);
      g_autofree char *value = NULL;

      challenge = dt_sip_auth_challenge_parse (challenges[0], NULL);
      value = forge (challenge->nonce, "wonderland", 1);
      g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", value, NULL), ==,
                       DT_SIP_AUTH_OK);
      if (i == 0)
        old = g_steal_pointer (&value);
      clock.now += 10 * G_USEC_PER_SEC;
    }

  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", old, NULL), ==,
                   DT_SIP_AUTH_STALE);
}

/* A nonce this server did not issue: stale when the digest is right (the
 * client knows the password), bad credentials otherwise. */
static void
test_tampered_nonce (void)
{
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthServer) restarted = make_server (&clock);
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (server, FALSE);
  g_autofree char *tampered = NULL;
  g_autofree char *good = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *made_up = NULL;

  challenge = dt_sip_auth_challenge_parse (challenges[0], NULL);
  g_assert_cmpuint (strlen (challenge->nonce), ==, 64);

  tampered = g_strdup (challenge->nonce);
  tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
  forged = forge (tampered, "wonderland", 1);
  wrong = forge (tampered, "guess", 1);
  made_up = forge ("ZAsPGGQLDuwvo0Lr5fkHmOq3jzAn8AKy", "wonderland", 1);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", forged, NULL), ==,
                   DT_SIP_AUTH_STALE);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", wrong, NULL), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", made_up, NULL), ==,
                   DT_SIP_AUTH_STALE);

  /* After a restart the secret differs, so old nonces read as stale */
  good = forge (challenge->nonce, "wonderland", 1);
  g_assert_cmpint (dt_sip_auth_server_verify (restarted, "REGISTER", good, NULL), ==,
                   DT_SIP_AUTH_STALE);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", good, NULL), ==,
                   DT_SIP_AUTH_OK);

  /* A clock that went back: nonce from the future */
  clock.now -= 1;
  g_clear_pointer (&good, g_free);
  good = forge (challenge->nonce, "wonderland", 2);
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", good, NULL), ==,
                   DT_SIP_AUTH_STALE);
}

static void
test_wrong_realm (void)
{
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autoptr(DtSipAuthServer) other = dt_sip_auth_server_new ("elsewhere");
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice", "wonderland");
  g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (other, FALSE);
  g_auto(GStrv) values = NULL;
  g_autofree char *username = NULL;

  g_assert_cmpstr (dt_sip_auth_server_get_realm (other), ==, "elsewhere");
  dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW,
                                        (const char * const *) challenges, NULL);
  values = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "REGISTER",
                                         "sip:dialtone.test");
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", values[0], &username), ==,
                   DT_SIP_AUTH_WRONG_REALM);
  g_assert_cmpstr (username, ==, "alice");
  /* A server with no users knows nobody */
  g_assert_cmpint (dt_sip_auth_server_verify (other, "REGISTER", values[0], NULL), ==,
                   DT_SIP_AUTH_BAD_CREDENTIALS);
}

static void
test_malformed (void)
{
  static const char * const values[] = {
    "",
    "Digest",
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
    "Digest username=\"alice\", realm=\"dialtone.test\"",
    "Digest username=\"alice, realm=\"dialtone.test\", nonce=\"n\", uri=\"u\", "
    "response=\"6629fae49393a05397450978507c4ef1\"",
    "Digest username=\"alice\", username=\"alice\", realm=\"dialtone.test\", nonce=\"n\", "
    "uri=\"u\", response=\"6629fae49393a05397450978507c4ef1\"",
    "Digest username=\"alice\", realm=\"dialtone.test\", nonce=\"n\", uri=\"u\", "
    "response=\"6629fae49393a05397450978507c4ef1\", algorithm=SHA-512-256",
  };
  TestClock clock = { G_USEC_PER_SEC };
  g_autoptr(DtSipAuthServer) server = make_server (&clock);
  g_autofree char *huge = huge_value ();
  g_autofree char *username = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      note_value (values[i]);
      g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", values[i], &username),
                       ==, DT_SIP_AUTH_MALFORMED);
      g_assert_null (username);
    }
  g_assert_cmpint (dt_sip_auth_server_verify (server, "REGISTER", huge, NULL), ==,
                   DT_SIP_AUTH_MALFORMED);
}

static void
test_server_properties (void)
{
  g_autoptr(DtSipAuthServer) server = dt_sip_auth_server_new ("dialtone.test");
  g_autofree char *realm = NULL;
  guint lifetime = 0;
  gboolean md5_only = TRUE;
  gboolean qop = FALSE;
  g_auto(GStrv) challenges = NULL;

  g_object_get (server, "realm", &realm, "nonce-lifetime", &lifetime, "md5-only", &md5_only,
                "qop", &qop, NULL);
  g_assert_cmpstr (realm, ==, "dialtone.test");
  g_assert_cmpuint (lifetime, ==, DT_SIP_AUTH_DEFAULT_NONCE_LIFETIME);
  g_assert_false (md5_only);
  g_assert_true (qop);

  g_object_set (server, "md5-only", TRUE, "qop", FALSE, "nonce-lifetime", 60, NULL);
  g_assert_true (dt_sip_auth_server_get_md5_only (server));
  g_assert_false (dt_sip_auth_server_get_qop (server));
  g_assert_cmpuint (dt_sip_auth_server_get_nonce_lifetime (server), ==, 60);

  /* kamailio's shape, answered by the RFC 2069 formula */
  challenges = dt_sip_auth_server_create_challenges (server, FALSE);
  g_assert_cmpuint (g_strv_length (challenges), ==, 1);
  g_assert_true (g_str_has_prefix (challenges[0], "Digest realm=\"dialtone.test\", nonce=\""));
  g_assert_true (g_str_has_suffix (challenges[0], "\", algorithm=MD5"));

  g_assert_finalize_object (g_steal_pointer (&server));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sip-auth/rfc7616-vectors", test_rfc7616_vectors);
  g_test_add_func ("/sip-auth/rfc7616-client", test_rfc7616_client);
  g_test_add_func ("/sip-auth/rfc2617-vectors", test_rfc2617_vectors);
  g_test_add_func ("/sip-auth/parse-challenge", test_parse_challenge);
  g_test_add_func ("/sip-auth/bad-challenges", test_bad_challenges);
  g_test_add_func ("/sip-auth/parse-credentials", test_parse_credentials);
  g_test_add_func ("/sip-auth/pick", test_pick);
  g_test_add_func ("/sip-auth/client/unsupported", test_client_unsupported);
  g_test_add_func ("/sip-auth/client/nonce-count", test_client_nonce_count);
  g_test_add_data_func ("/sip-auth/round-trip/sha256", GUINT_TO_POINTER (0), test_round_trip);
  g_test_add_data_func ("/sip-auth/round-trip/md5", GUINT_TO_POINTER (1), test_round_trip);
  g_test_add_data_func ("/sip-auth/round-trip/sha256-qop", GUINT_TO_POINTER (2),
                        test_round_trip);
  g_test_add_data_func ("/sip-auth/round-trip/md5-qop", GUINT_TO_POINTER (3), test_round_trip);
  g_test_add_func ("/sip-auth/stale", test_stale);
  g_test_add_func ("/sip-auth/wrong-password", test_wrong_password);
  g_test_add_func ("/sip-auth/replay", test_replay);
  g_test_add_func ("/sip-auth/replay-sweep", test_replay_sweep);
  g_test_add_func ("/sip-auth/tampered-nonce", test_tampered_nonce);
  g_test_add_func ("/sip-auth/wrong-realm", test_wrong_realm);
  g_test_add_func ("/sip-auth/malformed", test_malformed);
  g_test_add_func ("/sip-auth/server-properties", test_server_properties);

  return g_test_run ();
}
