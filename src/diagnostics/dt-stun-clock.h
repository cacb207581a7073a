/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-clock.h
 *
 * Time for the STUN and TURN clients' timers: the thread-default main
 * context's in the program, a hand-wound one in tests, so that the RFC 8489
 * retransmission schedule can be checked to the millisecond without
 * sleeping.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _DtStunClock DtStunClock;

typedef void (*DtStunClockFunc) (gpointer user_data);

#define DT_TYPE_STUN_CLOCK (dt_stun_clock_get_type ())
GType        dt_stun_clock_get_type      (void) G_GNUC_CONST;

DtStunClock *dt_stun_clock_new_system    (void);
DtStunClock *dt_stun_clock_new_manual    (void);
DtStunClock *dt_stun_clock_ref           (DtStunClock     *self);
void         dt_stun_clock_unref         (DtStunClock     *self);

gint64       dt_stun_clock_now_ms        (DtStunClock     *self);
guint        dt_stun_clock_add           (DtStunClock     *self,
                                          guint            delay_ms,
                                          DtStunClockFunc  func,
                                          gpointer         user_data);
void         dt_stun_clock_remove        (DtStunClock     *self,
                                          guint            id);
void         dt_stun_clock_advance       (DtStunClock     *self,
                                          guint            ms);
guint        dt_stun_clock_get_n_pending (DtStunClock     *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtStunClock, dt_stun_clock_unref)

G_END_DECLS
