/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diag-score.c
 *
 * Every rule of PROTOCOLS-SIP-MEDIA-TURN.md §5.4, table-driven: the
 * per-URI verdict, the flags (only for URIs that worked, "secure" only
 * with a verified handshake), STUN only on unencrypted UDP, the per-family
 * verdict, "not tested", and the words that name each rule.
 */

#include "config.h"

#include <string.h>

#include "dt-diag-score.h"

/* What the runner found, in the order of DtDiagUriFacts */
typedef struct {
  const char *uri;
  gboolean    tested;
  gboolean    mapped;
  gboolean    relay;
  gboolean    greeting;
  DtDiagIce   ice;
  gboolean    verified;
} Facts;

#define NOT_RUN   DT_DIAG_ICE_NOT_RUN
#define CONNECTED DT_DIAG_ICE_CONNECTED
#define FAILED    DT_DIAG_ICE_FAILED
#define NO_DTLS   DT_DIAG_ICE_UNSUPPORTED

#define F_UT   DT_DIAG_FLAG_UDP_TURN
#define F_TT   DT_DIAG_FLAG_TCP_TURN
#define F_UTS  DT_DIAG_FLAG_UDP_TURNS
#define F_TTS  DT_DIAG_FLAG_TCP_TURNS
#define F_443  DT_DIAG_FLAG_TCP_TURNS_443

typedef struct {
  Facts        facts;
  DtDiagGrade  grade;
  gboolean     stun_ok;
  gboolean     turn_ok;
  DtDiagFlags  flags;
  gboolean     warning;
  const char  *rule;
} UriCase;

static const UriCase uri_cases[] = {
  /* A URI that did not parse tested nothing */
  { { NULL, TRUE, FALSE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "could not be read" },
  /* No address of the family: not tested, not Fail */
  { { "turn:example.org", FALSE, FALSE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_NOT_TESTED, FALSE, FALSE, 0, FALSE, "Not tested" },
  /* not turn_ok and not stun_ok → Fail */
  { { "turn:example.org", TRUE, FALSE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "Fail: neither STUN nor TURN" },
  /* not turn_ok and stun_ok → Poor (STUN only) */
  { { "turn:example.org", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_POOR, TRUE, FALSE, 0, FALSE, "Poor: STUN works, but TURN did not" },
  /* turn_ok, stun_expected, not stun_ok → Poor (TURN only) */
  { { "turn:example.org", TRUE, FALSE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_POOR, FALSE, TRUE, F_UT, FALSE, "Poor: TURN relays, but STUN" },
  { { "turn:example.org:3478?transport=udp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_POOR, FALSE, TRUE, F_UT, FALSE, "expected" },
  /* turn_ok and stun_ok → Excellent */
  { { "turn:example.org", TRUE, TRUE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_EXCELLENT, TRUE, TRUE, F_UT, FALSE, "Excellent: TURN relays and STUN works" },
  { { "turn:example.org?transport=udp", TRUE, TRUE, TRUE, TRUE, CONNECTED, FALSE },
    DT_DIAG_GRADE_EXCELLENT, TRUE, TRUE, F_UT, FALSE, "Excellent" },
  /* turn_ok and not stun_expected → Excellent; a mapped address over TCP
   * is not STUN on unencrypted UDP */
  { { "turn:example.org?transport=tcp", TRUE, TRUE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TT, FALSE, "only expected on unencrypted UDP" },
  { { "turn:example.org?transport=tcp", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "Fail" },
  /* Secure flags need the handshake */
  { { "turns:example.org", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TTS, FALSE, "Excellent" },
  { { "turns:example.org:443?transport=tcp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TTS | F_443, FALSE, "Excellent" },
  /* the effective transport: turns: defaults to TLS, not to udp */
  { { "turns:example.org:443", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TTS | F_443, FALSE, "Excellent" },
  { { "turns:example.org:443?transport=udp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_UTS, FALSE, "Excellent" },
  { { "turns:[2001:db8::1]?transport=udp", TRUE, TRUE, TRUE, TRUE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_UTS, FALSE, "Excellent" },
  /* turns without a verified handshake counts as plain, with a warning */
  { { "turns:example.org:443?transport=tcp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TT, TRUE, "Excellent" },
  { { "turns:example.org?transport=udp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_UT, TRUE, "Excellent" },
  /* turn_ok needs the relay and the greeting; the ICE check is the calls'
   * verdict, not the grade's (test_calls) */
  { { "turn:example.org", TRUE, FALSE, TRUE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "Fail" },
  { { "turn:example.org", TRUE, FALSE, FALSE, TRUE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "Fail" },
  { { "turn:example.org", TRUE, TRUE, TRUE, TRUE, FAILED, FALSE },
    DT_DIAG_GRADE_EXCELLENT, TRUE, TRUE, F_UT, FALSE, "Excellent: TURN relays and STUN works" },
  { { "turns:example.org:443", TRUE, FALSE, TRUE, TRUE, FAILED, TRUE },
    DT_DIAG_GRADE_EXCELLENT, FALSE, TRUE, F_TTS | F_443, FALSE, "Excellent" },
  /* flags only when turn_ok */
  { { "turns:example.org:443", TRUE, FALSE, TRUE, FALSE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, FALSE, "Fail" },
  /* stun: and stuns: get no grade; only stun: counts for STUN */
  { { "stun:example.org", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_NONE, TRUE, FALSE, 0, FALSE, "STUN on unencrypted UDP works" },
  { { "stun:example.org", TRUE, FALSE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_NONE, FALSE, FALSE, 0, FALSE, "did not answer" },
  { { "stuns:example.org", TRUE, TRUE, FALSE, FALSE, NOT_RUN, TRUE },
    DT_DIAG_GRADE_NONE, FALSE, FALSE, 0, FALSE, "only STUN on unencrypted UDP counts" },
  { { "stun:example.org", FALSE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
    DT_DIAG_GRADE_NOT_TESTED, FALSE, FALSE, 0, FALSE, "Not tested" },
};

static void
facts_fill (const Facts     *in,
            DtIceUri       **uri,
            DtDiagUriFacts  *facts)
{
  g_autoptr(GError) error = NULL;

  *uri = NULL;
  if (in->uri != NULL)
    {
      *uri = dt_ice_uri_parse (in->uri, &error);
      g_assert_no_error (error);
    }
  *facts = (DtDiagUriFacts) {
    .uri = *uri,
    .tested = in->tested,
    .mapped_address = in->mapped,
    .relay_allocated = in->relay,
    .greeting_ok = in->greeting,
    .ice = in->ice,
    .handshake_verified = in->verified,
  };
}

static void
test_uri_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (uri_cases); i++)
    {
      const UriCase *c = &uri_cases[i];
      g_autoptr(DtIceUri) uri = NULL;
      DtDiagUriFacts facts;
      DtDiagUriScore score;

      facts_fill (&c->facts, &uri, &facts);
      memset (&score, 0xa5, sizeof score);
      dt_diag_score_uri (&facts, &score);

      g_test_message ("case %u: %s → %s (%s)", i, c->facts.uri ? c->facts.uri : "(unparsed)",
                      dt_diag_grade_to_string (score.grade), score.rule);
      g_assert_cmpint (score.grade, ==, c->grade);
      g_assert_cmpint (score.stun_ok, ==, c->stun_ok);
      g_assert_cmpint (score.turn_ok, ==, c->turn_ok);
      g_assert_cmphex (score.flags, ==, c->flags);
      g_assert_cmpint (score.insecure_warning, ==, c->warning);
      g_assert_nonnull (score.rule);
      g_assert_nonnull (strstr (score.rule, c->rule));
      g_assert_cmpint (score.secure, ==,
                       uri != NULL && c->facts.tested && dt_ice_uri_is_secure (uri) &&
                       c->facts.verified);
    }
}

#define MAX_URIS 4

typedef struct {
  gboolean     available;
  Facts        uris[MAX_URIS];
  DtDiagGrade  grade;
  gboolean     stun;
  gboolean     turn;
  DtDiagFlags  flags;
  const char  *rule;
} FamilyCase;

/* Shorthands for common results */
#define UDP_STUN_ONLY   { "turn:t.example:3478", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE }
#define UDP_WORKS       { "turn:t.example:3478", TRUE, TRUE, TRUE, TRUE, NOT_RUN, FALSE }
#define UDP_FAILS       { "turn:t.example:3478", TRUE, FALSE, FALSE, FALSE, NOT_RUN, FALSE }
#define TCP_WORKS       { "turn:t.example?transport=tcp", TRUE, TRUE, TRUE, TRUE, NOT_RUN, FALSE }
#define TLS_WORKS       { "turns:t.example:5349", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE }
#define TLS443_WORKS    { "turns:t.example:443?transport=tcp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, \
                          TRUE }
#define TLS443_FAILS    { "turns:t.example:443?transport=tcp", TRUE, FALSE, FALSE, FALSE, \
                          NOT_RUN, TRUE }
#define TLS443_UNVERIFIED { "turns:t.example:443?transport=tcp", TRUE, FALSE, TRUE, TRUE, \
                            NOT_RUN, FALSE }
#define DTLS_WORKS      { "turns:t.example?transport=udp", TRUE, FALSE, TRUE, TRUE, NOT_RUN, TRUE }
#define NO_ADDRESS      { "turn:v4only.example", FALSE, FALSE, FALSE, FALSE, NOT_RUN, FALSE }

static const FamilyCase family_cases[] = {
  /* "not tested" rather than Fail */
  { FALSE, { UDP_WORKS }, DT_DIAG_GRADE_NOT_TESTED, FALSE, FALSE, 0, "no usable address" },
  { TRUE, { }, DT_DIAG_GRADE_NOT_TESTED, FALSE, FALSE, 0, "no server to test" },
  { TRUE, { NO_ADDRESS, NO_ADDRESS }, DT_DIAG_GRADE_NOT_TESTED, FALSE, FALSE, 0,
    "no server has an address" },
  /* not STUN_F and not TURN_F → Fail; an untested URI does not count */
  { TRUE, { UDP_FAILS }, DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, "Fail: neither" },
  { TRUE, { NO_ADDRESS, UDP_FAILS, TLS443_FAILS }, DT_DIAG_GRADE_FAIL, FALSE, FALSE, 0, "Fail" },
  { TRUE, { { NULL, TRUE, FALSE, FALSE, FALSE, NOT_RUN, FALSE } }, DT_DIAG_GRADE_FAIL, FALSE,
    FALSE, 0, "Fail" },
  /* exactly one of them → Poor */
  { TRUE, { UDP_STUN_ONLY }, DT_DIAG_GRADE_POOR, TRUE, FALSE, 0, "only STUN works" },
  { TRUE, { TLS_WORKS }, DT_DIAG_GRADE_POOR, FALSE, TRUE, F_TTS, "only TURN works" },
  { TRUE, { TLS443_WORKS, DTLS_WORKS }, DT_DIAG_GRADE_POOR, FALSE, TRUE, F_TTS | F_443 | F_UTS,
    "only TURN works" },
  /* only STUN on unencrypted UDP counts: TCP and stuns: mapped addresses do not */
  { TRUE, { TCP_WORKS }, DT_DIAG_GRADE_POOR, FALSE, TRUE, F_TT, "no STUN on unencrypted UDP" },
  { TRUE, { { "stuns:t.example", TRUE, TRUE, FALSE, FALSE, NOT_RUN, TRUE }, TLS443_WORKS },
    DT_DIAG_GRADE_POOR, FALSE, TRUE, F_TTS | F_443, "only TURN" },
  /* both, otherwise → Good */
  { TRUE, { UDP_WORKS }, DT_DIAG_GRADE_GOOD, TRUE, TRUE, F_UT, "Good: STUN and TURN work" },
  { TRUE, { UDP_STUN_ONLY, TCP_WORKS }, DT_DIAG_GRADE_GOOD, TRUE, TRUE, F_TT, "Good" },
  { TRUE, { { "stun:s.example", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE }, TCP_WORKS },
    DT_DIAG_GRADE_GOOD, TRUE, TRUE, F_TT, "Good" },
  /* mxvoiptestd's bug fixed: a failed turns:443 URI lends no flags */
  { TRUE, { UDP_WORKS, TLS443_FAILS }, DT_DIAG_GRADE_GOOD, TRUE, TRUE, F_UT, "Good" },
  /* a turns: URI without a verified handshake counts as plain TURN */
  { TRUE, { UDP_WORKS, TLS443_UNVERIFIED }, DT_DIAG_GRADE_GOOD, TRUE, TRUE, F_UT | F_TT,
    "only unencrypted" },
  /* both, and tcp-turns or udp-turns → Great */
  { TRUE, { UDP_WORKS, TLS_WORKS }, DT_DIAG_GRADE_GREAT, TRUE, TRUE, F_UT | F_TTS,
    "Great: STUN and TURN work" },
  { TRUE, { UDP_WORKS, DTLS_WORKS }, DT_DIAG_GRADE_GREAT, TRUE, TRUE, F_UT | F_UTS, "TLS or DTLS" },
  { TRUE, { UDP_WORKS, TCP_WORKS, TLS_WORKS, DTLS_WORKS }, DT_DIAG_GRADE_GREAT, TRUE, TRUE,
    F_UT | F_TT | F_TTS | F_UTS, "not over TCP port 443" },
  { TRUE, { UDP_WORKS, TLS_WORKS, TLS443_FAILS }, DT_DIAG_GRADE_GREAT, TRUE, TRUE, F_UT | F_TTS,
    "Great" },
  /* both, and tcp-turns-443 → Excellent, STUN and TURN may come from
   * different URIs */
  { TRUE, { UDP_WORKS, TLS443_WORKS }, DT_DIAG_GRADE_EXCELLENT, TRUE, TRUE,
    F_UT | F_TTS | F_443,
    "Excellent: STUN and TURN work, and secure TURN works over TCP port 443" },
  { TRUE, { UDP_STUN_ONLY, TLS443_WORKS }, DT_DIAG_GRADE_EXCELLENT, TRUE, TRUE, F_TTS | F_443,
    "Excellent" },
  { TRUE, { NO_ADDRESS, UDP_WORKS, TLS443_WORKS, UDP_FAILS }, DT_DIAG_GRADE_EXCELLENT, TRUE,
    TRUE, F_UT | F_TTS | F_443, "Excellent" },
};

static void
test_family_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (family_cases); i++)
    {
      const FamilyCase *c = &family_cases[i];
      g_autoptr(GPtrArray) uris = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_ice_uri_free);
      DtDiagUriScore scores[MAX_URIS];
      DtDiagFamilyScore score;
      guint n = 0;

      for (guint j = 0; j < MAX_URIS; j++)
        {
          const Facts *in = &c->uris[j];
          DtIceUri *uri = NULL;
          DtDiagUriFacts facts;

          /* an all-zero row ends the list; a NULL URI with tested set is a row */
          if (in->uri == NULL && !in->tested)
            break;
          facts_fill (in, &uri, &facts);
          if (uri != NULL)
            g_ptr_array_add (uris, uri);
          dt_diag_score_uri (&facts, &scores[n++]);
        }

      memset (&score, 0xa5, sizeof score);
      dt_diag_score_family (c->available, scores, n, &score);
      g_test_message ("family case %u (%u URIs) → %s (%s)", i, n,
                      dt_diag_grade_to_string (score.grade), score.rule);
      g_assert_cmpint (score.grade, ==, c->grade);
      g_assert_cmpint (score.stun, ==, c->stun);
      g_assert_cmpint (score.turn, ==, c->turn);
      g_assert_cmphex (score.flags, ==, c->flags);
      g_assert_nonnull (score.rule);
      g_assert_nonnull (strstr (score.rule, c->rule));
    }
}

static void
test_names (void)
{
  static const DtDiagFlags flags[] = {
    DT_DIAG_FLAG_UDP_TURN, DT_DIAG_FLAG_TCP_TURN, DT_DIAG_FLAG_UDP_TURNS,
    DT_DIAG_FLAG_TCP_TURNS, DT_DIAG_FLAG_TCP_TURNS_443,
  };
  static const char *names[] = { "udp-turn", "tcp-turn", "udp-turns", "tcp-turns",
                                 "tcp-turns-443" };

  G_STATIC_ASSERT (G_N_ELEMENTS (flags) == DT_DIAG_N_FLAGS);
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    g_assert_cmpstr (dt_diag_flag_to_string (flags[i]), ==, names[i]);

  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_EXCELLENT), ==, "Excellent");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_GREAT), ==, "Great");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_GOOD), ==, "Good");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_POOR), ==, "Poor");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_FAIL), ==, "Fail");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_NOT_TESTED), ==, "not-tested");
  g_assert_cmpstr (dt_diag_grade_to_string (DT_DIAG_GRADE_NONE), ==, "none");
  for (DtDiagGrade g = DT_DIAG_GRADE_NONE; g <= DT_DIAG_GRADE_EXCELLENT; g++)
    g_assert_cmpstr (dt_diag_grade_to_label (g), !=, "");
}

/* Whether calls can use a URI: the ICE check's verdict, beside the grade */
static void
test_calls (void)
{
  static const struct {
    Facts        facts;
    DtDiagCalls  calls;
    const char  *rule;
  } cases[] = {
    { { "turn:example.org", TRUE, TRUE, TRUE, TRUE, CONNECTED, FALSE },
      DT_DIAG_CALLS_YES, "Usable by calls" },
    /* a TLS-only server: TURN works, libnice's cleartext does not */
    { { "turns:example.org", TRUE, FALSE, TRUE, TRUE, FAILED, TRUE },
      DT_DIAG_CALLS_NO, "Not usable by calls" },
    /* libnice got through a turns: port, but over plain TCP */
    { { "turns:example.org", TRUE, FALSE, TRUE, TRUE, CONNECTED, TRUE },
      DT_DIAG_CALLS_YES, "plain TCP" },
    { { "turns:example.org?transport=udp", TRUE, FALSE, TRUE, TRUE, NO_DTLS, TRUE },
      DT_DIAG_CALLS_NO, "no TURN over DTLS" },
    { { "turn:example.org", TRUE, TRUE, TRUE, TRUE, NOT_RUN, FALSE },
      DT_DIAG_CALLS_UNKNOWN, "did not run" },
    { { "turn:example.org", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
      DT_DIAG_CALLS_NO, "TURN does not relay" },
    { { "stun:example.org", TRUE, TRUE, FALSE, FALSE, NOT_RUN, FALSE },
      DT_DIAG_CALLS_NONE, NULL },
  };
  DtDiagUriScore scores[2];
  DtDiagFamilyScore family;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtIceUri) uri = NULL;
      DtDiagUriFacts facts;
      DtDiagUriScore score;

      facts_fill (&cases[i].facts, &uri, &facts);
      dt_diag_score_uri (&facts, &score);
      g_test_message ("calls case %u: %s → %s", i, cases[i].facts.uri,
                      score.calls_rule ? score.calls_rule : "(none)");
      g_assert_cmpint (score.calls, ==, cases[i].calls);
      if (cases[i].rule == NULL)
        g_assert_null (dt_diag_calls_to_string (score.calls));
      else
        g_assert_nonnull (strstr (score.calls_rule, cases[i].rule));
    }

  /* The family is usable by calls once one URI is */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(DtIceUri) uri = NULL;
      DtDiagUriFacts facts;

      facts_fill (&cases[i].facts, &uri, &facts);
      dt_diag_score_uri (&facts, &scores[i]);
    }
  dt_diag_score_family (TRUE, scores, 2, &family);
  g_assert_true (family.calls);
  dt_diag_score_family (TRUE, scores + 1, 1, &family);
  g_assert_false (family.calls);
  g_assert_true (family.turn);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diag-score/uri", test_uri_rules);
  g_test_add_func ("/diag-score/family", test_family_rules);
  g_test_add_func ("/diag-score/calls", test_calls);
  g_test_add_func ("/diag-score/names", test_names);

  return g_test_run ();
}
