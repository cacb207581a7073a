/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-signal.h
 *
 * The diagnostics peer's signalling (src/diagnostics/PEER.md): the offer a
 * tester POSTs (its ICE credentials and its one relayed candidate), the
 * answer the peer returns (its own credentials and host candidates), and
 * the peer's self-description with its UDP echo addresses. Everything read
 * from the network is validated here before libnice sees it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Largest signalling body either side accepts, in bytes */
#define DT_DIAG_SIGNAL_MAX_LENGTH 16384
/* Most candidates in one message: an answer has host candidates only */
#define DT_DIAG_SIGNAL_MAX_CANDIDATES 16
/* Longest candidate line accepted, in bytes */
#define DT_DIAG_SIGNAL_MAX_CANDIDATE_LENGTH 512

#define DT_DIAG_SIGNAL_PATH_INFO    "/v1/diagnostics"
#define DT_DIAG_SIGNAL_PATH_SESSION "/v1/diagnostics/session"

#define DT_DIAG_SIGNAL_ERROR (dt_diag_signal_error_quark ())

/**
 * DtDiagSignalError:
 * @DT_DIAG_SIGNAL_ERROR_INVALID: the body is not the JSON object expected
 *   or a field is missing, mistyped, too long or out of range
 */
typedef enum {
  DT_DIAG_SIGNAL_ERROR_INVALID,
} DtDiagSignalError;

/**
 * DtDiagSignal:
 * @session: (nullable): the peer's session id (answers only): 1–64
 *   characters of `[0-9A-Za-z-]`
 * @ufrag: ICE username fragment, RFC 8839 §5.4: 4–256 ice-chars
 * @pwd: ICE password, RFC 8839 §5.4: 22–256 ice-chars
 * @candidates: `a=candidate:` lines as libnice writes them
 * @family: the family under test (offers), or 0
 *
 * One offer or answer.
 */
typedef struct {
  char          *session;
  char          *ufrag;
  char          *pwd;
  GStrv          candidates;
  GSocketFamily  family;
} DtDiagSignal;

GQuark        dt_diag_signal_error_quark  (void);

DtDiagSignal *dt_diag_signal_parse        (const char          *data,
                                           gsize                length,
                                           gboolean             answer,
                                           GError             **error);
char         *dt_diag_signal_to_json      (const DtDiagSignal  *signal);
void          dt_diag_signal_free         (DtDiagSignal        *signal);

GPtrArray    *dt_diag_signal_parse_info   (const char          *data,
                                           gsize                length,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtDiagSignal, dt_diag_signal_free)

G_END_DECLS
