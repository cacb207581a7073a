/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-clock.h
 *
 * Time for protocol timers (SIP transactions, registrations, STUN
 * retransmissions): the main loop's in the program, a hand-wound one in
 * tests, so that retransmission schedules can be checked to the
 * millisecond without sleeping.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _DtClock DtClock;

typedef void (*DtClockFunc) (gpointer user_data);

#define DT_TYPE_CLOCK (dt_clock_get_type ())
GType        dt_clock_get_type       (void) G_GNUC_CONST;

DtClock  *dt_clock_new_system     (void);
DtClock  *dt_clock_new_manual     (void);
DtClock  *dt_clock_ref            (DtClock     *self);
void         dt_clock_unref          (DtClock     *self);

gint64       dt_clock_now_ms         (DtClock     *self);
guint        dt_clock_add            (DtClock     *self,
                                          guint           delay_ms,
                                          DtClockFunc  func,
                                          gpointer        user_data);
void         dt_clock_remove         (DtClock     *self,
                                          guint           id);
void         dt_clock_advance        (DtClock     *self,
                                          guint           ms);
guint        dt_clock_get_n_pending  (DtClock     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtClock, dt_clock_unref)

G_END_DECLS
