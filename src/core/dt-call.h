/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call.h
 *
 * The one call state machine shared by every protocol.
 */
#pragma once

#include <gio/gio.h>

#include "dt-call-stats.h"

G_BEGIN_DECLS

/**
 * DtCallState:
 * @DT_CALL_STATE_DIALING: an outgoing call is being set up
 * @DT_CALL_STATE_RINGING: the far end rings (outgoing) or we ring (incoming)
 * @DT_CALL_STATE_ACTIVE: the call is up and carries audio
 * @DT_CALL_STATE_HELD: the call is up and on hold
 * @DT_CALL_STATE_ENDED: the call is over; see #DtCall:end-reason
 *
 * dialing → ringing → active ⇄ held → ended. An outgoing call may go from
 * dialing straight to active (no provisional answer), and any state but
 * ended may end.
 */
typedef enum {
  DT_CALL_STATE_DIALING,
  DT_CALL_STATE_RINGING,
  DT_CALL_STATE_ACTIVE,
  DT_CALL_STATE_HELD,
  DT_CALL_STATE_ENDED,
} DtCallState;

typedef enum {
  DT_CALL_DIRECTION_OUTGOING,
  DT_CALL_DIRECTION_INCOMING,
} DtCallDirection;

/**
 * DtCallEndReason:
 * @DT_CALL_END_REASON_NONE: the call has not ended
 * @DT_CALL_END_REASON_LOCAL_HANGUP: we hung up an established call
 * @DT_CALL_END_REASON_REMOTE_HANGUP: the far end hung up an established call
 * @DT_CALL_END_REASON_CANCELLED: we gave up on an outgoing call before it was answered
 * @DT_CALL_END_REASON_MISSED: an incoming call stopped ringing before anyone answered
 * @DT_CALL_END_REASON_DECLINED: the call was declined (by us or by the far end)
 * @DT_CALL_END_REASON_BUSY: the far end is busy
 * @DT_CALL_END_REASON_NO_ANSWER: nobody answered in time
 * @DT_CALL_END_REASON_NOT_FOUND: the address does not exist
 * @DT_CALL_END_REASON_UNAVAILABLE: the far end is not reachable right now
 * @DT_CALL_END_REASON_ANSWERED_ELSEWHERE: another device took the call
 * @DT_CALL_END_REASON_TRANSFERRED: the call was handed over to another party
 * @DT_CALL_END_REASON_AUTH_FAILED: the server refused our credentials
 * @DT_CALL_END_REASON_NETWORK_ERROR: the connection to the server or peer was lost
 * @DT_CALL_END_REASON_MEDIA_TIMEOUT: no audio arrived for too long
 * @DT_CALL_END_REASON_MEDIA_FAILED: audio could not be set up (codecs, SRTP, ICE)
 * @DT_CALL_END_REASON_INTERRUPTED: Dialtone stopped during the call (found after a crash)
 * @DT_CALL_END_REASON_FAILED: any other failure; see #DtCall:end-message
 */
typedef enum {
  DT_CALL_END_REASON_NONE,
  DT_CALL_END_REASON_LOCAL_HANGUP,
  DT_CALL_END_REASON_REMOTE_HANGUP,
  DT_CALL_END_REASON_CANCELLED,
  DT_CALL_END_REASON_MISSED,
  DT_CALL_END_REASON_DECLINED,
  DT_CALL_END_REASON_BUSY,
  DT_CALL_END_REASON_NO_ANSWER,
  DT_CALL_END_REASON_NOT_FOUND,
  DT_CALL_END_REASON_UNAVAILABLE,
  DT_CALL_END_REASON_ANSWERED_ELSEWHERE,
  DT_CALL_END_REASON_TRANSFERRED,
  DT_CALL_END_REASON_AUTH_FAILED,
  DT_CALL_END_REASON_NETWORK_ERROR,
  DT_CALL_END_REASON_MEDIA_TIMEOUT,
  DT_CALL_END_REASON_MEDIA_FAILED,
  DT_CALL_END_REASON_INTERRUPTED,
  DT_CALL_END_REASON_FAILED,
} DtCallEndReason;

/**
 * DtCallError:
 * @DT_CALL_ERROR_INVALID_STATE: the operation does not apply in the call's current state
 * @DT_CALL_ERROR_NOT_SUPPORTED: the protocol or peer cannot do this
 * @DT_CALL_ERROR_INVALID_ARGUMENT: bad input, such as a DTMF digit outside 0-9, *, #, A-D
 */
typedef enum {
  DT_CALL_ERROR_INVALID_STATE,
  DT_CALL_ERROR_NOT_SUPPORTED,
  DT_CALL_ERROR_INVALID_ARGUMENT,
} DtCallError;

#define DT_CALL_ERROR (dt_call_error_quark ())
GQuark dt_call_error_quark (void);

/**
 * DT_CALL_LEVEL_SILENT:
 *
 * The lowest level #DtCall reports, in dBFS: silence, or nothing measured.
 */
#define DT_CALL_LEVEL_SILENT (-100.0)

#define DT_TYPE_CALL (dt_call_get_type ())
G_DECLARE_DERIVABLE_TYPE (DtCall, dt_call, DT, CALL, GObject)

/**
 * DtCallClass:
 *
 * Backends subclass #DtCall and implement the operations their protocol
 * has; the base class checks states and arguments first, so a vfunc only
 * runs when the operation is legal. A vfunc left %NULL means "not
 * supported". Backends report progress with the private
 * `_dt_call_set_state()` family.
 */
struct _DtCallClass
{
  GObjectClass parent_class;

  void     (*answer_async)   (DtCall              *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*answer_finish)  (DtCall              *self,
                              GAsyncResult        *result,
                              GError             **error);
  void     (*hangup_async)   (DtCall              *self,
                              DtCallEndReason      reason,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*hangup_finish)  (DtCall              *self,
                              GAsyncResult        *result,
                              GError             **error);
  void     (*hold_async)     (DtCall              *self,
                              gboolean             hold,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*hold_finish)    (DtCall              *self,
                              GAsyncResult        *result,
                              GError             **error);
  void     (*transfer_async) (DtCall              *self,
                              const char          *target_uri,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*transfer_finish)(DtCall              *self,
                              GAsyncResult        *result,
                              GError             **error);
  gboolean (*send_dtmf)      (DtCall              *self,
                              char                 digit,
                              GError             **error);
  void     (*set_muted)      (DtCall              *self,
                              gboolean             muted);

  gpointer padding[8];
};

const char      *dt_call_get_id             (DtCall  *self);
const char      *dt_call_get_protocol       (DtCall  *self);
const char      *dt_call_get_account_id     (DtCall  *self);
DtCallState      dt_call_get_state          (DtCall  *self);
DtCallDirection  dt_call_get_direction      (DtCall  *self);
const char      *dt_call_get_peer_uri       (DtCall  *self);
const char      *dt_call_get_peer_name      (DtCall  *self);
GDateTime       *dt_call_get_start_time     (DtCall  *self);
GDateTime       *dt_call_get_answer_time    (DtCall  *self);
GDateTime       *dt_call_get_end_time       (DtCall  *self);
DtCallEndReason  dt_call_get_end_reason     (DtCall  *self);
const char      *dt_call_get_end_message    (DtCall  *self);
gboolean         dt_call_get_muted          (DtCall  *self);
gboolean         dt_call_get_held           (DtCall  *self);
gboolean         dt_call_get_can_transfer   (DtCall  *self);
DtCallStats     *dt_call_get_stats          (DtCall  *self);
const char      *dt_call_get_dtmf_received  (DtCall  *self);
double           dt_call_get_input_level    (DtCall  *self);
double           dt_call_get_output_level   (DtCall  *self);

void             dt_call_set_muted          (DtCall  *self,
                                             gboolean muted);
gboolean         dt_call_send_dtmf          (DtCall      *self,
                                             const char  *digits,
                                             GError     **error);

void             dt_call_answer_async       (DtCall              *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean         dt_call_answer_finish      (DtCall        *self,
                                             GAsyncResult  *result,
                                             GError       **error);
void             dt_call_hangup_async       (DtCall              *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void             dt_call_decline_async      (DtCall              *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean         dt_call_hangup_finish      (DtCall        *self,
                                             GAsyncResult  *result,
                                             GError       **error);
void             dt_call_hold_async         (DtCall              *self,
                                             gboolean             hold,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean         dt_call_hold_finish        (DtCall        *self,
                                             GAsyncResult  *result,
                                             GError       **error);
void             dt_call_transfer_async     (DtCall              *self,
                                             const char          *target_uri,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean         dt_call_transfer_finish    (DtCall        *self,
                                             GAsyncResult  *result,
                                             GError       **error);

gboolean         dt_call_state_is_live      (DtCallState state);
gboolean         dt_call_state_can_change   (DtCallState from,
                                             DtCallState to);
const char      *dt_call_state_to_string    (DtCallState state);
const char      *dt_call_end_reason_to_string (DtCallEndReason reason);
gboolean         dt_call_end_reason_from_string (const char      *nick,
                                                 DtCallEndReason *reason);

G_END_DECLS
