/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-record.h
 *
 * One row of the call history.
 */
#pragma once

#include "dt-call.h"

G_BEGIN_DECLS

#define DT_TYPE_CALL_RECORD (dt_call_record_get_type ())
G_DECLARE_FINAL_TYPE (DtCallRecord, dt_call_record, DT, CALL_RECORD, GObject)

DtCallRecord    *dt_call_record_new              (void);
DtCallRecord    *dt_call_record_new_from_call    (DtCall       *call);
void             dt_call_record_update_from_call (DtCallRecord *self,
                                                  DtCall       *call);

gint64           dt_call_record_get_id           (DtCallRecord *self);
const char      *dt_call_record_get_call_id      (DtCallRecord *self);
const char      *dt_call_record_get_protocol     (DtCallRecord *self);
const char      *dt_call_record_get_account_id   (DtCallRecord *self);
DtCallDirection  dt_call_record_get_direction    (DtCallRecord *self);
const char      *dt_call_record_get_peer_uri     (DtCallRecord *self);
const char      *dt_call_record_get_peer_name    (DtCallRecord *self);
GDateTime       *dt_call_record_get_start_time   (DtCallRecord *self);
GDateTime       *dt_call_record_get_answer_time  (DtCallRecord *self);
GDateTime       *dt_call_record_get_end_time     (DtCallRecord *self);
DtCallEndReason  dt_call_record_get_end_reason   (DtCallRecord *self);
const char      *dt_call_record_get_codec        (DtCallRecord *self);
double           dt_call_record_get_mos          (DtCallRecord *self);
double           dt_call_record_get_jitter_ms    (DtCallRecord *self);
double           dt_call_record_get_loss_percent (DtCallRecord *self);
double           dt_call_record_get_rtt_ms       (DtCallRecord *self);
gboolean         dt_call_record_get_missed       (DtCallRecord *self);

G_END_DECLS
