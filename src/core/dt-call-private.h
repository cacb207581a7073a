/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-private.h
 *
 * What backends use to drive a #DtCall. Not for the UI.
 */
#pragma once

#include "dt-call.h"

G_BEGIN_DECLS

gboolean _dt_call_set_state         (DtCall       *self,
                                     DtCallState   state,
                                     GError      **error);
gboolean _dt_call_end               (DtCall          *self,
                                     DtCallEndReason  reason,
                                     const char      *message,
                                     GError         **error);
void     _dt_call_set_peer_name     (DtCall      *self,
                                     const char  *peer_name);
void     _dt_call_dtmf_received     (DtCall  *self,
                                     char     digit);
void     _dt_call_set_levels        (DtCall  *self,
                                     double   input_dbfs,
                                     double   output_dbfs);

G_END_DECLS
