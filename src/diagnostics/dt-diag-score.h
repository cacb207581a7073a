/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-score.h
 *
 * The Diagnostics grades (PROTOCOLS-SIP-MEDIA-TURN.md §5.4): per server URI
 * Fail, Poor or Excellent, and per address family Fail, Poor, Good, Great or
 * Excellent. Pure functions over what the runner found, so every rule can
 * be tested on its own.
 */
#pragma once

#include <glib.h>

#include "dt-turn-client.h"

G_BEGIN_DECLS

/**
 * DtDiagGrade:
 * @DT_DIAG_GRADE_NONE: no grade of its own (a `stun:` URI only feeds the
 *   family's STUN)
 * @DT_DIAG_GRADE_NOT_TESTED: could not be tested (no address in the family)
 * @DT_DIAG_GRADE_FAIL: neither STUN nor TURN works
 * @DT_DIAG_GRADE_POOR: only one of STUN and TURN works
 * @DT_DIAG_GRADE_GOOD: STUN and TURN work, TURN only unencrypted
 * @DT_DIAG_GRADE_GREAT: STUN and TURN work, TURN also over TLS or DTLS
 * @DT_DIAG_GRADE_EXCELLENT: a URI works fully, or (for a family) secure
 *   TURN also works over TCP port 443
 */
typedef enum {
  DT_DIAG_GRADE_NONE,
  DT_DIAG_GRADE_NOT_TESTED,
  DT_DIAG_GRADE_FAIL,
  DT_DIAG_GRADE_POOR,
  DT_DIAG_GRADE_GOOD,
  DT_DIAG_GRADE_GREAT,
  DT_DIAG_GRADE_EXCELLENT,
} DtDiagGrade;

/**
 * DtDiagFlags:
 * @DT_DIAG_FLAG_UDP_TURN: TURN over UDP works
 * @DT_DIAG_FLAG_TCP_TURN: TURN over TCP works
 * @DT_DIAG_FLAG_UDP_TURNS: TURN over DTLS works, handshake verified
 * @DT_DIAG_FLAG_TCP_TURNS: TURN over TLS works, handshake verified
 * @DT_DIAG_FLAG_TCP_TURNS_443: TURN over TLS works on port 443
 *
 * What a working TURN URI proves. Set only when the URI's TURN works.
 */
typedef enum {
  DT_DIAG_FLAG_UDP_TURN      = 1 << 0,
  DT_DIAG_FLAG_TCP_TURN      = 1 << 1,
  DT_DIAG_FLAG_UDP_TURNS     = 1 << 2,
  DT_DIAG_FLAG_TCP_TURNS     = 1 << 3,
  DT_DIAG_FLAG_TCP_TURNS_443 = 1 << 4,
} DtDiagFlags;

#define DT_DIAG_N_FLAGS 5

/**
 * DtDiagIce:
 * @DT_DIAG_ICE_NOT_RUN: no ICE check was made
 * @DT_DIAG_ICE_CONNECTED: ICE reached READY over the relay
 * @DT_DIAG_ICE_FAILED: the ICE check failed or timed out
 * @DT_DIAG_ICE_UNSUPPORTED: libnice cannot use the URI's transport at all
 *   (TURN over DTLS)
 */
typedef enum {
  DT_DIAG_ICE_NOT_RUN,
  DT_DIAG_ICE_CONNECTED,
  DT_DIAG_ICE_FAILED,
  DT_DIAG_ICE_UNSUPPORTED,
} DtDiagIce;

/**
 * DtDiagCalls:
 * @DT_DIAG_CALLS_NONE: not a TURN URI: the question does not arise
 * @DT_DIAG_CALLS_UNKNOWN: TURN works, but no ICE check ran
 * @DT_DIAG_CALLS_YES: a call's ICE (libnice) connected through the relay
 * @DT_DIAG_CALLS_NO: calls cannot use this URI
 *
 * Whether calls, whose ICE is libnice's (webrtcbin's too), can use a TURN
 * URI. This is apart from the grade, which says what the server does:
 * Dialtone's own client may relay through a server that libnice cannot
 * reach (a TLS-only port, DTLS).
 */
typedef enum {
  DT_DIAG_CALLS_NONE,
  DT_DIAG_CALLS_UNKNOWN,
  DT_DIAG_CALLS_YES,
  DT_DIAG_CALLS_NO,
} DtDiagCalls;

/**
 * DtDiagUriFacts:
 * @uri: (nullable): the URI, %NULL when it did not parse
 * @tested: %FALSE when the URI could not be tried in this family (its
 *   server has no address in it)
 * @mapped_address: a STUN Binding or Allocate returned a valid
 *   XOR-MAPPED-ADDRESS through this server in this family
 * @relay_allocated: an Allocate gave a relayed address of this family
 * @greeting_ok: the greeting went through the relay to the peer and back
 * @ice: the ICE check through the relay
 * @handshake_verified: a TLS or DTLS handshake completed with the
 *   certificate verified
 *
 * What the runner found for one URI in one address family.
 */
typedef struct {
  const DtIceUri *uri;
  gboolean        tested;
  gboolean        mapped_address;
  gboolean        relay_allocated;
  gboolean        greeting_ok;
  DtDiagIce       ice;
  gboolean        handshake_verified;
} DtDiagUriFacts;

/**
 * DtDiagUriScore:
 * @grade: the URI's verdict; %DT_DIAG_GRADE_NONE for `stun:` URIs
 * @stun_ok: STUN on unencrypted UDP works through this URI
 * @turn_ok: TURN works through this URI
 * @secure: a `turns:`/`stuns:` URI whose handshake was verified
 * @flags: what the URI proves, when @turn_ok
 * @insecure_warning: a `turns:` URI relayed without a verified handshake,
 *   so it counts as plain TURN
 * @rule: (transfer none): the rule that gave @grade, in words, translated
 * @calls: whether calls can use the URI
 * @calls_rule: (transfer none) (nullable): why, in words, translated
 */
typedef struct {
  DtDiagGrade  grade;
  gboolean     stun_ok;
  gboolean     turn_ok;
  gboolean     secure;
  DtDiagFlags  flags;
  gboolean     insecure_warning;
  const char  *rule;
  DtDiagCalls  calls;
  const char  *calls_rule;
} DtDiagUriScore;

/**
 * DtDiagFamilyScore:
 * @grade: the family's verdict
 * @stun: some URI's STUN works (STUN_F)
 * @turn: some URI's TURN works (TURN_F)
 * @flags: the flags of the working URIs together
 * @rule: (transfer none): the rule that gave @grade, in words, translated
 * @calls: some TURN URI is usable by calls (its ICE check connected)
 */
typedef struct {
  DtDiagGrade  grade;
  gboolean     stun;
  gboolean     turn;
  DtDiagFlags  flags;
  const char  *rule;
  gboolean     calls;
} DtDiagFamilyScore;

void         dt_diag_score_uri       (const DtDiagUriFacts  *facts,
                                      DtDiagUriScore        *score);
void         dt_diag_score_family    (gboolean               family_available,
                                      const DtDiagUriScore  *scores,
                                      guint                  n_scores,
                                      DtDiagFamilyScore     *score);

const char  *dt_diag_grade_to_string (DtDiagGrade            grade);
const char  *dt_diag_grade_to_label  (DtDiagGrade            grade);
const char  *dt_diag_flag_to_string  (DtDiagFlags            flag);
const char  *dt_diag_calls_to_string (DtDiagCalls            calls);

G_END_DECLS
