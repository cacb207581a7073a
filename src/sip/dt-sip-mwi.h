/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-mwi.h
 *
 * Message waiting: a subscription to our own address of record for the
 * message-summary event package (RFC 3842 over RFC 6665), and the
 * unsolicited NOTIFYs some servers send without one.
 */
#pragma once

#include <glib-object.h>

#include "dt-sip-dialog.h"

G_BEGIN_DECLS

/* RFC 3842 §5: about an hour. */
#define DT_SIP_MWI_DEFAULT_EXPIRES 3600

/**
 * DtSipMessageSummary:
 * @messages_waiting: the `Messages-Waiting` line said yes
 * @new_messages: new voice messages
 * @old_messages: old voice messages
 * @urgent_new: new urgent voice messages
 * @urgent_old: old urgent voice messages
 *
 * The voice line of an `application/simple-message-summary` body
 * (RFC 3842 §5.2).
 */
typedef struct {
  gboolean messages_waiting;
  guint    new_messages;
  guint    old_messages;
  guint    urgent_new;
  guint    urgent_old;
} DtSipMessageSummary;

/* Errors of dt_sip_message_summary_parse(); the code is always 0. */
#define DT_SIP_MWI_ERROR (dt_sip_mwi_error_quark ())
GQuark   dt_sip_mwi_error_quark       (void);

gboolean dt_sip_message_summary_parse (const char          *body,
                                       gsize                length,
                                       DtSipMessageSummary *summary,
                                       GError             **error);

#define DT_SIP_TYPE_MWI (dt_sip_mwi_get_type ())
G_DECLARE_FINAL_TYPE (DtSipMwi, dt_sip_mwi, DT_SIP, MWI, GObject)

DtSipMwi   *dt_sip_mwi_new                (DtSipUserAgent   *ua,
                                           const char       *aor,
                                           DtSipAuthClient  *auth);
void        dt_sip_mwi_start              (DtSipMwi         *self);
void        dt_sip_mwi_stop               (DtSipMwi         *self);
gboolean    dt_sip_mwi_handle_request     (DtSipMwi         *self,
                                           DtSipTransaction *tx,
                                           DtSipMessage     *request);
gboolean    dt_sip_mwi_get_active         (DtSipMwi         *self);
gboolean    dt_sip_mwi_get_messages_waiting (DtSipMwi       *self);
guint       dt_sip_mwi_get_new_messages   (DtSipMwi         *self);
guint       dt_sip_mwi_get_old_messages   (DtSipMwi         *self);

G_END_DECLS
