/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-report.h
 *
 * What a Diagnostics run found: for each server URI and address family,
 * every stage with its time or its failure, the addresses learnt, the
 * grades and the advice. The JSON and HTML writers render this model.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "dt-diag-score.h"
#include "dt-turn-client.h"

G_BEGIN_DECLS

/**
 * DtDiagStage:
 * @DT_DIAG_STAGE_PARSE: reading the URI
 * @DT_DIAG_STAGE_RESOLVE: finding the server's address in the family
 * @DT_DIAG_STAGE_CONNECT: reaching the server (TCP connect, or a UDP socket
 *   connected to it)
 * @DT_DIAG_STAGE_HANDSHAKE: the TLS or DTLS handshake, certificate checked
 * @DT_DIAG_STAGE_BINDING: a STUN Binding on plain UDP, for the mapped
 *   address
 * @DT_DIAG_STAGE_ALLOCATE: authenticating and allocating a relay of the
 *   family
 * @DT_DIAG_STAGE_PERMISSION: CreatePermission for the peer
 * @DT_DIAG_STAGE_GREETING: a greeting to the peer through the relay and
 *   its reply
 * @DT_DIAG_STAGE_ICE: an ICE check through the relay with libnice
 * @DT_DIAG_N_STAGES: the number of stages
 */
typedef enum {
  DT_DIAG_STAGE_PARSE,
  DT_DIAG_STAGE_RESOLVE,
  DT_DIAG_STAGE_CONNECT,
  DT_DIAG_STAGE_HANDSHAKE,
  DT_DIAG_STAGE_BINDING,
  DT_DIAG_STAGE_ALLOCATE,
  DT_DIAG_STAGE_PERMISSION,
  DT_DIAG_STAGE_GREETING,
  DT_DIAG_STAGE_ICE,
  DT_DIAG_N_STAGES
} DtDiagStage;

/**
 * DtDiagStageState:
 * @DT_DIAG_STAGE_NOT_RUN: not reached, or not part of this run
 * @DT_DIAG_STAGE_PASSED: done; its time is known
 * @DT_DIAG_STAGE_FAILED: failed; the reason says why
 * @DT_DIAG_STAGE_SKIPPED: does not apply to this URI (no handshake over
 *   plain UDP, no relay for `stun:`)
 * @DT_DIAG_STAGE_RUNNING: under way; only #DtDiagRunner::stage-changed
 *   says so, a report never holds it
 */
typedef enum {
  DT_DIAG_STAGE_NOT_RUN,
  DT_DIAG_STAGE_PASSED,
  DT_DIAG_STAGE_FAILED,
  DT_DIAG_STAGE_SKIPPED,
  DT_DIAG_STAGE_RUNNING,
} DtDiagStageState;

/**
 * DtDiagReason:
 * @DT_DIAG_REASON_NONE: no failure
 * @DT_DIAG_REASON_URI_INVALID: the URI does not parse
 * @DT_DIAG_REASON_URI_UNSUPPORTED: the URI has parameters Dialtone does not
 *   know
 * @DT_DIAG_REASON_DNS_FAILED: the name did not resolve
 * @DT_DIAG_REASON_DNS_NO_ADDRESS: the name has no address in the family
 * @DT_DIAG_REASON_FAMILY_NOT_AVAILABLE: this computer cannot reach the
 *   family
 * @DT_DIAG_REASON_NO_RESPONSE: the server did not answer in time
 * @DT_DIAG_REASON_CONNECT_REFUSED: the connection was refused
 * @DT_DIAG_REASON_TLS_FAILED: the TLS or DTLS handshake failed
 * @DT_DIAG_REASON_TLS_CERTIFICATE: the certificate is not trusted
 * @DT_DIAG_REASON_AUTH_FAILED: the credentials were rejected (401, 441)
 * @DT_DIAG_REASON_ALLOCATION_REFUSED: the server refused the allocation
 *   (403, 486, 508 or another code)
 * @DT_DIAG_REASON_FAMILY_NOT_SUPPORTED: the server has no relay of the
 *   family (440)
 * @DT_DIAG_REASON_PERMISSION_REFUSED: the server refused to relay to the
 *   peer
 * @DT_DIAG_REASON_GREETING_TIMEOUT: the greeting got no reply in time
 * @DT_DIAG_REASON_PROTOCOL_ERROR: the server answered something unusable
 * @DT_DIAG_REASON_CONNECTION_CLOSED: the connection closed or broke
 * @DT_DIAG_REASON_ICE_NOT_RUN: the ICE check did not run: no diagnostics
 *   peer, or TURN itself did not relay
 * @DT_DIAG_REASON_ICE_UNSUPPORTED: libnice cannot use this transport (TURN
 *   over DTLS)
 * @DT_DIAG_REASON_NO_RELAY_CANDIDATE: libnice got no relayed candidate of
 *   the family from the server
 * @DT_DIAG_REASON_PEER_UNREACHABLE: the diagnostics peer's signalling
 *   failed
 * @DT_DIAG_REASON_ICE_FAILED: ICE connectivity checks failed
 * @DT_DIAG_REASON_ICE_TIMEOUT: ICE did not connect in time
 * @DT_DIAG_REASON_CANCELLED: the run was cancelled
 */
typedef enum {
  DT_DIAG_REASON_NONE,
  DT_DIAG_REASON_URI_INVALID,
  DT_DIAG_REASON_URI_UNSUPPORTED,
  DT_DIAG_REASON_DNS_FAILED,
  DT_DIAG_REASON_DNS_NO_ADDRESS,
  DT_DIAG_REASON_FAMILY_NOT_AVAILABLE,
  DT_DIAG_REASON_NO_RESPONSE,
  DT_DIAG_REASON_CONNECT_REFUSED,
  DT_DIAG_REASON_TLS_FAILED,
  DT_DIAG_REASON_TLS_CERTIFICATE,
  DT_DIAG_REASON_AUTH_FAILED,
  DT_DIAG_REASON_ALLOCATION_REFUSED,
  DT_DIAG_REASON_FAMILY_NOT_SUPPORTED,
  DT_DIAG_REASON_PERMISSION_REFUSED,
  DT_DIAG_REASON_GREETING_TIMEOUT,
  DT_DIAG_REASON_PROTOCOL_ERROR,
  DT_DIAG_REASON_CONNECTION_CLOSED,
  DT_DIAG_REASON_ICE_NOT_RUN,
  DT_DIAG_REASON_ICE_UNSUPPORTED,
  DT_DIAG_REASON_NO_RELAY_CANDIDATE,
  DT_DIAG_REASON_PEER_UNREACHABLE,
  DT_DIAG_REASON_ICE_FAILED,
  DT_DIAG_REASON_ICE_TIMEOUT,
  DT_DIAG_REASON_CANCELLED,
} DtDiagReason;

/**
 * DtDiagStageResult:
 * @state: how far the stage got
 * @duration_us: how long it took in µs when it passed or failed, or -1
 * @reason: why it failed or did not run
 * @stun_code: the server's STUN ERROR-CODE, or 0
 * @stun_reason: (nullable): the server's reason phrase, as sent
 * @detail: (nullable): what happened, in words a person can act on
 */
typedef struct {
  DtDiagStageState  state;
  gint64            duration_us;
  DtDiagReason      reason;
  guint             stun_code;
  char             *stun_reason;
  char             *detail;
} DtDiagStageResult;

/**
 * DtDiagEntry:
 * @uri_text: the URI as given, with any user name and password hidden
 * @uri: (nullable): the parsed URI, %NULL when it did not parse
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 * @server_address: (nullable): the server's address used in this family
 * @mapped_address: (nullable): the address the server saw us from
 * @nat_detected: whether @mapped_address differs from the local address
 * @relay_address: (nullable): the relayed address the server allocated
 * @stages: each stage's result
 * @greeting_rtt_us: the greeting's round trip in µs, or -1
 * @ice_relay_address: (nullable): the relayed address libnice got for the
 *   ICE check
 * @ice_allocate_us: from libnice's gathering to its relayed candidate, or -1
 * @ice_connect_us: from the offer to ICE READY, or -1
 * @ice_rtt_us: the greeting's round trip over the ICE path, or -1
 * @score: the URI's grade in this family, once the report is scored
 *
 * One URI tested in one address family.
 */
typedef struct {
  char               *uri_text;
  DtIceUri           *uri;
  GSocketFamily       family;
  GInetSocketAddress *server_address;
  GInetSocketAddress *mapped_address;
  gboolean            nat_detected;
  GInetSocketAddress *relay_address;
  DtDiagStageResult   stages[DT_DIAG_N_STAGES];
  gint64              greeting_rtt_us;
  GInetSocketAddress *ice_relay_address;
  gint64              ice_allocate_us;
  gint64              ice_connect_us;
  gint64              ice_rtt_us;
  DtDiagUriScore      score;
} DtDiagEntry;

void         dt_diag_entry_stage_passed   (DtDiagEntry       *entry,
                                           DtDiagStage        stage,
                                           gint64             duration_us);
void         dt_diag_entry_stage_failed   (DtDiagEntry       *entry,
                                           DtDiagStage        stage,
                                           gint64             duration_us,
                                           DtDiagReason       reason,
                                           guint              stun_code,
                                           const char        *stun_reason,
                                           const char        *detail);
void         dt_diag_entry_stage_set      (DtDiagEntry       *entry,
                                           DtDiagStage        stage,
                                           DtDiagStageState   state,
                                           DtDiagReason       reason,
                                           const char        *detail);
const DtDiagStageResult *dt_diag_entry_get_failure (const DtDiagEntry *entry,
                                                    DtDiagStage       *stage);
void         dt_diag_entry_get_facts      (const DtDiagEntry *entry,
                                           DtDiagUriFacts    *facts);
char        *dt_diag_entry_get_advice     (const DtDiagEntry *entry);
char        *dt_diag_entry_get_warning    (const DtDiagEntry *entry);

const char  *dt_diag_stage_to_string      (DtDiagStage        stage);
const char  *dt_diag_stage_to_label       (DtDiagStage        stage);
const char  *dt_diag_stage_state_to_string (DtDiagStageState  state);
const char  *dt_diag_reason_to_string     (DtDiagReason       reason);
const char  *dt_diag_reason_to_label      (DtDiagReason       reason);
const char  *dt_diag_family_to_string     (GSocketFamily      family);

#define DT_DIAG_REPORT_SCHEMA "io.github.dialtone.Diagnostics/1"

#define DT_TYPE_DIAG_REPORT (dt_diag_report_get_type ())
G_DECLARE_FINAL_TYPE (DtDiagReport, dt_diag_report, DT, DIAG_REPORT, GObject)

DtDiagReport            *dt_diag_report_new                  (void);
GDateTime               *dt_diag_report_get_generated_at     (DtDiagReport  *self);
gint64                   dt_diag_report_get_duration         (DtDiagReport  *self);
void                     dt_diag_report_set_duration         (DtDiagReport  *self,
                                                              gint64         duration_us);
const char              *dt_diag_report_get_peer             (DtDiagReport  *self);
void                     dt_diag_report_set_peer             (DtDiagReport  *self,
                                                              const char    *peer);

DtDiagEntry             *dt_diag_report_add_entry            (DtDiagReport  *self,
                                                              const char    *uri_text,
                                                              GSocketFamily  family);
guint                    dt_diag_report_get_n_entries        (DtDiagReport  *self);
const DtDiagEntry       *dt_diag_report_get_entry            (DtDiagReport  *self,
                                                              guint          index);

void                     dt_diag_report_set_family_available (DtDiagReport  *self,
                                                              GSocketFamily  family,
                                                              gboolean       available);
gboolean                 dt_diag_report_get_family_available (DtDiagReport  *self,
                                                              GSocketFamily  family);
void                     dt_diag_report_score                (DtDiagReport  *self);
const DtDiagFamilyScore *dt_diag_report_get_family_score     (DtDiagReport  *self,
                                                              GSocketFamily  family);
GStrv                    dt_diag_report_get_advice           (DtDiagReport  *self);

JsonNode                *dt_diag_report_to_json              (DtDiagReport  *self);
char                    *dt_diag_report_to_json_string       (DtDiagReport  *self);
char                    *dt_diag_report_to_html              (DtDiagReport  *self);

G_END_DECLS
