/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-clock.h
 *
 * Time for the SIP stack's timers: the main loop's in the program, a hand
 * wound one in tests, so that retransmission schedules can be checked to
 * the millisecond without sleeping.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _DtSipClock DtSipClock;

typedef void (*DtSipClockFunc) (gpointer user_data);

#define DT_TYPE_SIP_CLOCK (dt_sip_clock_get_type ())
GType        dt_sip_clock_get_type       (void) G_GNUC_CONST;

DtSipClock  *dt_sip_clock_new_system     (void);
DtSipClock  *dt_sip_clock_new_manual     (void);
DtSipClock  *dt_sip_clock_ref            (DtSipClock     *self);
void         dt_sip_clock_unref          (DtSipClock     *self);

gint64       dt_sip_clock_now_ms         (DtSipClock     *self);
guint        dt_sip_clock_add            (DtSipClock     *self,
                                          guint           delay_ms,
                                          DtSipClockFunc  func,
                                          gpointer        user_data);
void         dt_sip_clock_remove         (DtSipClock     *self,
                                          guint           id);
void         dt_sip_clock_advance        (DtSipClock     *self,
                                          guint           ms);
guint        dt_sip_clock_get_n_pending  (DtSipClock     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipClock, dt_sip_clock_unref)

G_END_DECLS
