/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-registration.h
 *
 * One binding of an address of record to our Contact at a registrar
 * (RFC 3261 §10.2): REGISTER with digest authentication, refresh before
 * expiry, 423 Interval Too Brief, retries with backoff after failures
 * (RFC 5626 §4.5), and unregistering.
 */
#pragma once

#include <glib-object.h>

#include "dt-sip-dialog.h"

G_BEGIN_DECLS

/* RFC 3261 §10.2.1.1 leaves it to the client; an hour is what registrars
 * expect and what they grant when asked for more. */
#define DT_SIP_REGISTRATION_DEFAULT_EXPIRES 3600
/* RFC 5626 §4.5: the base time after a failure, and the cap. */
#define DT_SIP_REGISTRATION_RETRY_BASE_S 30
#define DT_SIP_REGISTRATION_RETRY_MAX_S 1800

/**
 * DtSipRegistrationState:
 * @DT_SIP_REGISTRATION_IDLE: not registered and not trying
 * @DT_SIP_REGISTRATION_REGISTERING: a REGISTER is on its way
 * @DT_SIP_REGISTRATION_REGISTERED: the binding stands; a refresh is due
 *   before #DtSipRegistration:expires runs out
 * @DT_SIP_REGISTRATION_FAILED: the last attempt failed; see
 *   #DtSipRegistration:failure-reason. A retry is scheduled unless the
 *   credentials were refused.
 * @DT_SIP_REGISTRATION_UNREGISTERING: a REGISTER with Expires 0 is on its way
 */
typedef enum {
  DT_SIP_REGISTRATION_IDLE,
  DT_SIP_REGISTRATION_REGISTERING,
  DT_SIP_REGISTRATION_REGISTERED,
  DT_SIP_REGISTRATION_FAILED,
  DT_SIP_REGISTRATION_UNREGISTERING,
} DtSipRegistrationState;

/**
 * DtSipRegistrationFailure:
 * @DT_SIP_REGISTRATION_FAILURE_NONE: no failure
 * @DT_SIP_REGISTRATION_FAILURE_AUTH: the registrar refused our credentials
 * @DT_SIP_REGISTRATION_FAILURE_UNREACHABLE: no answer, or the transport failed
 * @DT_SIP_REGISTRATION_FAILURE_REFUSED: the registrar answered with an error
 */
typedef enum {
  DT_SIP_REGISTRATION_FAILURE_NONE,
  DT_SIP_REGISTRATION_FAILURE_AUTH,
  DT_SIP_REGISTRATION_FAILURE_UNREACHABLE,
  DT_SIP_REGISTRATION_FAILURE_REFUSED,
} DtSipRegistrationFailure;

#define DT_SIP_TYPE_REGISTRATION (dt_sip_registration_get_type ())
G_DECLARE_FINAL_TYPE (DtSipRegistration, dt_sip_registration, DT_SIP, REGISTRATION, GObject)

DtSipRegistration        *dt_sip_registration_new          (DtSipUserAgent    *ua,
                                                            const char        *registrar_uri,
                                                            const char        *aor,
                                                            DtSipAuthClient   *auth);
DtSipRegistrationState    dt_sip_registration_get_state    (DtSipRegistration *self);
DtSipRegistrationFailure  dt_sip_registration_get_failure  (DtSipRegistration *self);
const char               *dt_sip_registration_get_failure_reason (DtSipRegistration *self);
guint                     dt_sip_registration_get_expires  (DtSipRegistration *self);
guint                     dt_sip_registration_get_requested_expires (DtSipRegistration *self);
void                      dt_sip_registration_set_requested_expires (DtSipRegistration *self,
                                                                     guint              expires);
guint                     dt_sip_registration_get_retry_base (DtSipRegistration *self);
void                      dt_sip_registration_set_retry_base (DtSipRegistration *self,
                                                              guint              seconds);
const char               *dt_sip_registration_get_call_id  (DtSipRegistration *self);

void                      dt_sip_registration_start        (DtSipRegistration *self);
void                      dt_sip_registration_stop         (DtSipRegistration *self);
void                      dt_sip_registration_transport_failed (DtSipRegistration *self,
                                                                const GError      *error);

G_END_DECLS
