/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-dialog.h
 *
 * The SIP user agent core (RFC 3261 §8, §12–§15, §9): dialogs and the
 * INVITE, ACK, CANCEL and BYE logic, on top of the transaction layer. No
 * sockets here: messages leave through a send function and arrive through
 * dt_sip_user_agent_receive(), so whole calls run in memory in the tests.
 *
 * Calling: dt_sip_user_agent_invite() returns a DtSipDialog, which emits
 * ::ringing, then ::answered or ::failed; dt_sip_dialog_cancel() before the
 * answer, dt_sip_dialog_bye() after it. Answering: DtSipUserAgent::incoming
 * hands over a new DtSipDialog, answered with dt_sip_dialog_ring(),
 * dt_sip_dialog_accept(), dt_sip_dialog_reject() or
 * dt_sip_dialog_challenge(); it emits ::ack, or ::failed on CANCEL (487)
 * or a missing ACK (408). Both sides: ::bye when the other side hangs up,
 * dt_sip_dialog_reinvite() and ::reinvite-done, ::reinvite and
 * dt_sip_dialog_answer_reinvite(). #DtSipDialog:state follows all of it.
 */
#pragma once

#include <glib-object.h>

#include "dt-sip-auth.h"
#include "dt-sip-transaction.h"

G_BEGIN_DECLS

/**
 * DtSipDialogState:
 * @DT_SIP_DIALOG_STATE_NONE: no dialog yet: an INVITE sent with no tagged
 *   response, or received and not answered
 * @DT_SIP_DIALOG_STATE_EARLY: a provisional response with a To tag has gone
 *   or come (§12.1)
 * @DT_SIP_DIALOG_STATE_CONFIRMED: a 2xx has gone or come
 * @DT_SIP_DIALOG_STATE_TERMINATED: over; the object no longer sends anything
 */
typedef enum {
  DT_SIP_DIALOG_STATE_NONE,
  DT_SIP_DIALOG_STATE_EARLY,
  DT_SIP_DIALOG_STATE_CONFIRMED,
  DT_SIP_DIALOG_STATE_TERMINATED,
} DtSipDialogState;

#define DT_SIP_TYPE_USER_AGENT (dt_sip_user_agent_get_type ())
G_DECLARE_FINAL_TYPE (DtSipUserAgent, dt_sip_user_agent, DT_SIP, USER_AGENT, GObject)

#define DT_SIP_TYPE_DIALOG (dt_sip_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DtSipDialog, dt_sip_dialog, DT_SIP, DIALOG, GObject)

/**
 * DtSipUserAgentSendFunc:
 * @ua: the user agent
 * @message: the message to put on the wire
 * @peer: (nullable): the transport's handle the message belongs to (the
 *   one a request came in on, for its responses), or %NULL: the transport
 *   then routes a request to its first Route or else its Request-URI
 *   (§8.1.2, §12.2.1.1), and a response by its top Via (§18.2.2)
 * @user_data: the data given to dt_sip_user_agent_new()
 *
 * Returns: %FALSE on a transport error
 */
typedef gboolean (*DtSipUserAgentSendFunc) (DtSipUserAgent *ua,
                                            DtSipMessage   *message,
                                            gpointer        peer,
                                            gpointer        user_data);

DtSipUserAgent        *dt_sip_user_agent_new                  (DtClock             *clock,
                                                               const DtSipTimers      *timers,
                                                               DtSipUserAgentSendFunc  send_func,
                                                               GDestroyNotify          peer_free,
                                                               gpointer                user_data);
DtSipTransactionLayer *dt_sip_user_agent_get_transaction_layer (DtSipUserAgent        *self);
void                   dt_sip_user_agent_set_local            (DtSipUserAgent         *self,
                                                               const char             *transport,
                                                               const char             *sent_by,
                                                               const char             *contact_uri,
                                                               gboolean                reliable);
char                  *dt_sip_user_agent_new_via              (DtSipUserAgent         *self);
const char            *dt_sip_user_agent_get_contact_uri      (DtSipUserAgent         *self);
gboolean               dt_sip_user_agent_get_reliable         (DtSipUserAgent         *self);
DtClock            *dt_sip_user_agent_get_clock            (DtSipUserAgent         *self);
void                   dt_sip_user_agent_set_auth_client      (DtSipUserAgent         *self,
                                                               DtSipAuthClient        *auth);
void                   dt_sip_user_agent_receive              (DtSipUserAgent         *self,
                                                               DtSipMessage           *message,
                                                               gpointer                peer,
                                                               gboolean                reliable);
DtSipDialog           *dt_sip_user_agent_invite               (DtSipUserAgent         *self,
                                                               const char             *from,
                                                               const char             *to,
                                                               GBytes                 *sdp,
                                                               GError                **error);
guint                  dt_sip_user_agent_get_n_dialogs        (DtSipUserAgent         *self);

DtSipDialogState       dt_sip_dialog_get_state                (DtSipDialog            *self);
gboolean               dt_sip_dialog_is_outgoing              (DtSipDialog            *self);
const char            *dt_sip_dialog_get_call_id              (DtSipDialog            *self);
const char            *dt_sip_dialog_get_local_tag            (DtSipDialog            *self);
const char            *dt_sip_dialog_get_remote_tag           (DtSipDialog            *self);
char                  *dt_sip_dialog_dup_local_uri            (DtSipDialog            *self);
char                  *dt_sip_dialog_dup_remote_uri           (DtSipDialog            *self);
const char            *dt_sip_dialog_get_remote_target        (DtSipDialog            *self);
GStrv                  dt_sip_dialog_dup_route_set            (DtSipDialog            *self);
guint32                dt_sip_dialog_get_local_cseq           (DtSipDialog            *self);
gboolean               dt_sip_dialog_get_secure               (DtSipDialog            *self);
DtSipMessage          *dt_sip_dialog_build_request            (DtSipDialog            *self,
                                                               const char             *method);
gboolean               dt_sip_dialog_send_request             (DtSipDialog            *self,
                                                               DtSipMessage           *request,
                                                               DtSipResponseFunc       func,
                                                               gpointer                user_data,
                                                               GDestroyNotify          destroy,
                                                               GError                **error);

/* UAS */
gboolean               dt_sip_dialog_ring                     (DtSipDialog            *self,
                                                               GBytes                 *sdp,
                                                               GError                **error);
gboolean               dt_sip_dialog_progress                 (DtSipDialog            *self,
                                                               guint                   code,
                                                               const char             *reason,
                                                               GBytes                 *sdp,
                                                               GError                **error);
gboolean               dt_sip_dialog_accept                   (DtSipDialog            *self,
                                                               GBytes                 *sdp,
                                                               GError                **error);
gboolean               dt_sip_dialog_reject                   (DtSipDialog            *self,
                                                               guint                   code,
                                                               const char             *reason,
                                                               GError                **error);
gboolean               dt_sip_dialog_reject_with_warning      (DtSipDialog            *self,
                                                               guint                   code,
                                                               const char             *reason,
                                                               guint                   warn_code,
                                                               const char             *warn_text,
                                                               GError                **error);
gboolean               dt_sip_dialog_challenge                (DtSipDialog            *self,
                                                               guint                   code,
                                                               const char * const     *challenges,
                                                               GError                **error);
DtSipMessage          *dt_sip_dialog_get_invite               (DtSipDialog            *self);
gboolean               dt_sip_dialog_answer_reinvite          (DtSipDialog            *self,
                                                               guint                   code,
                                                               GBytes                 *sdp,
                                                               GError                **error);

/* UAC, and both sides for BYE and re-INVITE */
gboolean               dt_sip_dialog_cancel                   (DtSipDialog            *self,
                                                               GError                **error);
gboolean               dt_sip_dialog_bye                      (DtSipDialog            *self,
                                                               GError                **error);
gboolean               dt_sip_dialog_reinvite                 (DtSipDialog            *self,
                                                               GBytes                 *sdp,
                                                               GError                **error);

G_END_DECLS
