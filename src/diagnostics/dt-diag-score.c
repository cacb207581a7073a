/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-score.c
 *
 * PROTOCOLS-SIP-MEDIA-TURN.md §5.4, which follows mxvoiptestd's README
 * with the bugs of its code fixed: flags count only for URIs that worked,
 * "secure" needs a verified handshake rather than the word "turns", and
 * only STUN on unencrypted UDP counts as STUN.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-diag-score.h"

static DtDiagFlags
uri_flags (const DtIceUri *uri,
           gboolean        secure,
           gboolean       *insecure_warning)
{
  DtDiagFlags flags = 0;

  *insecure_warning = FALSE;

  switch (uri->scheme)
    {
    case DT_ICE_URI_SCHEME_TURN:
      flags = uri->transport == DT_ICE_URI_TRANSPORT_TCP ? DT_DIAG_FLAG_TCP_TURN
                                                         : DT_DIAG_FLAG_UDP_TURN;
      break;
    case DT_ICE_URI_SCHEME_TURNS:
      /* A turns: URI that relayed without a verified handshake proves no
       * more than plain TURN over the same carrier. */
      if (!secure)
        {
          *insecure_warning = TRUE;
          flags = uri->transport == DT_ICE_URI_TRANSPORT_UDP ? DT_DIAG_FLAG_UDP_TURN
                                                             : DT_DIAG_FLAG_TCP_TURN;
        }
      else if (uri->transport == DT_ICE_URI_TRANSPORT_UDP)
        flags = DT_DIAG_FLAG_UDP_TURNS;
      else
        flags = DT_DIAG_FLAG_TCP_TURNS | (uri->port == 443 ? DT_DIAG_FLAG_TCP_TURNS_443 : 0);
      break;
    case DT_ICE_URI_SCHEME_STUN:
    case DT_ICE_URI_SCHEME_STUNS:
    default:
      break;
    }
  return flags;
}

/**
 * dt_diag_score_uri:
 * @facts: what the runner found for one URI in one family
 * @score: (out caller-allocates): the verdict
 *
 * Grades one URI (§5.4 "Per-URI verdict"). TURN works when a relay of the
 * family was allocated and the greeting came back through it. STUN works
 * only for URIs that reach the server with STUN on unencrypted UDP
 * (dt_ice_uri_stun_expected()).
 *
 * The grade says what the server does, seen by Dialtone's own client,
 * which speaks TLS and DTLS for real. Whether calls can use the URI is
 * the ICE check's, given apart in @score's calls: libnice 0.1.21 sends
 * plain TCP to turns: servers and has no DTLS, so a server can be
 * Excellent for TURN and still be of no use to a call.
 */
void
dt_diag_score_uri (const DtDiagUriFacts *facts,
                   DtDiagUriScore       *score)
{
  const DtIceUri *uri;
  gboolean stun_expected;

  g_return_if_fail (facts != NULL);
  g_return_if_fail (score != NULL);

  uri = facts->uri;
  *score = (DtDiagUriScore) { 0, };

  if (uri == NULL)
    {
      score->grade = DT_DIAG_GRADE_FAIL;
      score->rule = _("Fail: the URI could not be read, so nothing was tested");
      return;
    }

  if (!facts->tested)
    {
      score->grade = DT_DIAG_GRADE_NOT_TESTED;
      score->rule = _("Not tested: the server has no address in this family");
      return;
    }

  stun_expected = dt_ice_uri_stun_expected (uri);
  score->stun_ok = facts->mapped_address && stun_expected;
  score->secure = dt_ice_uri_is_secure (uri) && facts->handshake_verified;

  if (!dt_ice_uri_is_turn (uri))
    {
      score->grade = DT_DIAG_GRADE_NONE;
      if (score->stun_ok)
        score->rule = _("No grade of its own: STUN on unencrypted UDP works and counts for the "
                        "family");
      else if (uri->scheme == DT_ICE_URI_SCHEME_STUNS)
        score->rule = _("No grade of its own: only STUN on unencrypted UDP counts, so this "
                        "stuns: URI does not");
      else
        score->rule = _("No grade of its own: STUN did not answer, so it adds nothing to the "
                        "family");
      return;
    }

  score->turn_ok = facts->relay_allocated && facts->greeting_ok;
  if (score->turn_ok)
    score->flags = uri_flags (uri, score->secure, &score->insecure_warning);

  switch (facts->ice)
    {
    case DT_DIAG_ICE_CONNECTED:
      score->calls = DT_DIAG_CALLS_YES;
      score->calls_rule = uri->scheme == DT_ICE_URI_SCHEME_TURNS
        ? _("Usable by calls, but libnice reached it over plain TCP: calls do not encrypt "
            "their TURN connection to it")
        : _("Usable by calls: a call's ICE (libnice) connected through this relay");
      break;
    case DT_DIAG_ICE_FAILED:
      score->calls = DT_DIAG_CALLS_NO;
      score->calls_rule = _("Not usable by calls: a call's ICE (libnice) did not get through "
                            "this server");
      break;
    case DT_DIAG_ICE_UNSUPPORTED:
      score->calls = DT_DIAG_CALLS_NO;
      score->calls_rule = _("Not usable by calls: libnice has no TURN over DTLS");
      break;
    case DT_DIAG_ICE_NOT_RUN:
    default:
      score->calls = score->turn_ok ? DT_DIAG_CALLS_UNKNOWN : DT_DIAG_CALLS_NO;
      score->calls_rule = score->turn_ok
        ? _("Unknown whether calls can use it: the ICE check did not run")
        : _("Not usable by calls: TURN does not relay");
      break;
    }

  if (!score->turn_ok && !score->stun_ok)
    {
      score->grade = DT_DIAG_GRADE_FAIL;
      score->rule = _("Fail: neither STUN nor TURN worked through this server");
    }
  else if (!score->turn_ok)
    {
      score->grade = DT_DIAG_GRADE_POOR;
      score->rule = _("Poor: STUN works, but TURN did not relay");
    }
  else if (stun_expected && !score->stun_ok)
    {
      score->grade = DT_DIAG_GRADE_POOR;
      score->rule = _("Poor: TURN relays, but STUN, expected on this unencrypted UDP server, "
                      "did not answer");
    }
  else
    {
      score->grade = DT_DIAG_GRADE_EXCELLENT;
      score->rule = stun_expected
        ? _("Excellent: TURN relays and STUN works")
        : _("Excellent: TURN relays (STUN is only expected on unencrypted UDP)");
    }
}

/**
 * dt_diag_score_family:
 * @family_available: whether this computer has a usable address in the
 *   family
 * @scores: (array length=n_scores): the scores of every URI in the family
 * @n_scores: how many
 * @score: (out caller-allocates): the family's verdict
 *
 * Grades one address family (§5.4 "Overall for family F"). A family this
 * computer cannot use, or in which no server could be tried, is "not
 * tested" rather than Fail.
 */
void
dt_diag_score_family (gboolean              family_available,
                      const DtDiagUriScore *scores,
                      guint                 n_scores,
                      DtDiagFamilyScore    *score)
{
  gboolean tested = FALSE;

  g_return_if_fail (scores != NULL || n_scores == 0);
  g_return_if_fail (score != NULL);

  *score = (DtDiagFamilyScore) { 0, };

  if (!family_available)
    {
      score->grade = DT_DIAG_GRADE_NOT_TESTED;
      score->rule = _("Not tested: this computer has no usable address in this family");
      return;
    }

  for (guint i = 0; i < n_scores; i++)
    {
      if (scores[i].grade == DT_DIAG_GRADE_NOT_TESTED)
        continue;
      tested = TRUE;
      score->stun |= scores[i].stun_ok;
      score->turn |= scores[i].turn_ok;
      if (scores[i].turn_ok)
        score->flags |= scores[i].flags;
      score->calls |= scores[i].calls == DT_DIAG_CALLS_YES;
    }

  if (!tested)
    {
      score->grade = DT_DIAG_GRADE_NOT_TESTED;
      score->rule = n_scores == 0 ? _("Not tested: there is no server to test")
                                  : _("Not tested: no server has an address in this family");
      return;
    }

  if (!score->stun && !score->turn)
    {
      score->grade = DT_DIAG_GRADE_FAIL;
      score->rule = _("Fail: neither STUN nor TURN works");
    }
  else if (!score->turn)
    {
      score->grade = DT_DIAG_GRADE_POOR;
      score->rule = _("Poor: only STUN works; no TURN server relays");
    }
  else if (!score->stun)
    {
      score->grade = DT_DIAG_GRADE_POOR;
      score->rule = _("Poor: only TURN works; no STUN on unencrypted UDP answered");
    }
  else if (score->flags & DT_DIAG_FLAG_TCP_TURNS_443)
    {
      score->grade = DT_DIAG_GRADE_EXCELLENT;
      score->rule = _("Excellent: STUN and TURN work, and secure TURN works over TCP port 443");
    }
  else if (score->flags & (DT_DIAG_FLAG_TCP_TURNS | DT_DIAG_FLAG_UDP_TURNS))
    {
      score->grade = DT_DIAG_GRADE_GREAT;
      score->rule = _("Great: STUN and TURN work, and TURN works over TLS or DTLS, but not "
                      "over TCP port 443");
    }
  else
    {
      score->grade = DT_DIAG_GRADE_GOOD;
      score->rule = _("Good: STUN and TURN work, but TURN works only unencrypted");
    }
}

/**
 * dt_diag_grade_to_string:
 * @grade: a #DtDiagGrade
 *
 * Returns: the grade's name in reports, such as "Excellent", or "not-tested"
 *   and "none"; never translated
 */
const char *
dt_diag_grade_to_string (DtDiagGrade grade)
{
  switch (grade)
    {
    case DT_DIAG_GRADE_NONE:
      return "none";
    case DT_DIAG_GRADE_NOT_TESTED:
      return "not-tested";
    case DT_DIAG_GRADE_FAIL:
      return "Fail";
    case DT_DIAG_GRADE_POOR:
      return "Poor";
    case DT_DIAG_GRADE_GOOD:
      return "Good";
    case DT_DIAG_GRADE_GREAT:
      return "Great";
    case DT_DIAG_GRADE_EXCELLENT:
      return "Excellent";
    default:
      g_return_val_if_reached ("none");
    }
}

/**
 * dt_diag_grade_to_label:
 * @grade: a #DtDiagGrade
 *
 * Returns: the grade as a person reads it, translated
 */
const char *
dt_diag_grade_to_label (DtDiagGrade grade)
{
  switch (grade)
    {
    case DT_DIAG_GRADE_NONE:
      return _("No grade");
    case DT_DIAG_GRADE_NOT_TESTED:
      return _("Not tested");
    case DT_DIAG_GRADE_FAIL:
      return _("Fail");
    case DT_DIAG_GRADE_POOR:
      return _("Poor");
    case DT_DIAG_GRADE_GOOD:
      return _("Good");
    case DT_DIAG_GRADE_GREAT:
      return _("Great");
    case DT_DIAG_GRADE_EXCELLENT:
      return _("Excellent");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * dt_diag_flag_to_string:
 * @flag: one #DtDiagFlags bit
 *
 * Returns: the flag's name in reports, such as "tcp-turns-443"
 */
const char *
dt_diag_flag_to_string (DtDiagFlags flag)
{
  switch (flag)
    {
    case DT_DIAG_FLAG_UDP_TURN:
      return "udp-turn";
    case DT_DIAG_FLAG_TCP_TURN:
      return "tcp-turn";
    case DT_DIAG_FLAG_UDP_TURNS:
      return "udp-turns";
    case DT_DIAG_FLAG_TCP_TURNS:
      return "tcp-turns";
    case DT_DIAG_FLAG_TCP_TURNS_443:
      return "tcp-turns-443";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * dt_diag_calls_to_string:
 * @calls: a #DtDiagCalls
 *
 * Returns: (nullable): "yes", "no" or "unknown" as in reports, or %NULL for
 *   %DT_DIAG_CALLS_NONE
 */
const char *
dt_diag_calls_to_string (DtDiagCalls calls)
{
  switch (calls)
    {
    case DT_DIAG_CALLS_UNKNOWN:
      return "unknown";
    case DT_DIAG_CALLS_YES:
      return "yes";
    case DT_DIAG_CALLS_NO:
      return "no";
    case DT_DIAG_CALLS_NONE:
    default:
      return NULL;
    }
}
