/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-clock.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-clock.h"

/*
 * Both kinds of clock keep their pending timers in one queue sorted by due
 * time (then by the order they were set), with an index by id, so that
 * setting, cancelling and firing a timer cost O(log n) however many are
 * pending: a busy server has tens of thousands (RFC 3261 §17 keeps every
 * transaction for up to 64·T1). A system clock drives the queue from a
 * single GSource on the thread-default main context it was created in,
 * whose ready time is the earliest due time; a GSource per timer would
 * make every main loop iteration walk them all. A manual clock fires
 * timers only when dt_clock_advance() moves its time forward; the tests
 * drive every timer of RFC 3261 §17 and of RFC 8489 §6.2.1 this way.
 */

typedef struct
{
  guint           id;
  gint64          due_ms;
  DtClockFunc  func;
  gpointer        user_data;
  GSequenceIter  *iter;
} Timer;

typedef struct
{
  GSource     source;
  DtClock *clock;          /* borrowed; the clock destroys the source */
} ClockSource;

struct _DtClock
{
  gatomicrefcount  ref_count;
  gboolean         manual;
  gint64           manual_now_ms;
  guint            last_id;
  GMainContext    *context;
  GSource         *source;    /* system clock only */
  GSequence       *queue;     /* of Timer, owned, by due time */
  GHashTable      *by_id;     /* id → Timer, borrowed */
};

G_DEFINE_BOXED_TYPE (DtClock, dt_clock, dt_clock_ref, dt_clock_unref)

static int
compare_due (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  const Timer *ta = a;
  const Timer *tb = b;

  if (ta->due_ms != tb->due_ms)
    return ta->due_ms < tb->due_ms ? -1 : 1;

  /* Timers due at the same moment fire in the order they were set. */
  return ta->id < tb->id ? -1 : (ta->id > tb->id);
}

static Timer *
first_timer (DtClock *self)
{
  GSequenceIter *begin = g_sequence_get_begin_iter (self->queue);

  return g_sequence_iter_is_end (begin) ? NULL : g_sequence_get (begin);
}

static void
schedule (DtClock *self)
{
  Timer *first;

  if (self->source == NULL)
    return;
  first = first_timer (self);
  g_source_set_ready_time (self->source, first ? first->due_ms * 1000 : -1);
}

/* Fires, in order, every timer due by @end_ms. */
static void
fire_due (DtClock *self,
          gint64      end_ms)
{
  Timer *timer;

  while ((timer = first_timer (self)) != NULL && timer->due_ms <= end_ms)
    {
      DtClockFunc func = timer->func;
      gpointer data = timer->user_data;

      if (self->manual)
        self->manual_now_ms = MAX (self->manual_now_ms, timer->due_ms);
      g_hash_table_remove (self->by_id, GUINT_TO_POINTER (timer->id));
      g_sequence_remove (timer->iter);
      func (data);
    }
}

static gboolean
clock_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  DtClock *self = dt_clock_ref (((ClockSource *) source)->clock);

  fire_due (self, dt_clock_now_ms (self));
  schedule (self);
  dt_clock_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs clock_source_funcs = {
  NULL, NULL, clock_source_dispatch, NULL, NULL, NULL,
};

static DtClock *
clock_new (gboolean manual)
{
  DtClock *self = g_new0 (DtClock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->manual = manual;
  self->queue = g_sequence_new (g_free);
  self->by_id = g_hash_table_new (NULL, NULL);
  return self;
}

/**
 * dt_clock_new_system:
 *
 * Returns: (transfer full): a clock whose timers run on the thread-default
 *   main context
 */
DtClock *
dt_clock_new_system (void)
{
  DtClock *self = clock_new (FALSE);

  self->context = g_main_context_ref_thread_default ();
  self->source = g_source_new (&clock_source_funcs, sizeof (ClockSource));
  ((ClockSource *) self->source)->clock = self;
  g_source_set_static_name (self->source, "[dialtone] timers");
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, self->context);
  return self;
}

/**
 * dt_clock_new_manual:
 *
 * Returns: (transfer full): a clock that stands still at 0 ms until
 *   dt_clock_advance() moves it
 */
DtClock *
dt_clock_new_manual (void)
{
  return clock_new (TRUE);
}

DtClock *
dt_clock_ref (DtClock *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_clock_unref (DtClock *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->source != NULL)
    {
      g_source_destroy (self->source);
      g_source_unref (self->source);
    }
  g_hash_table_unref (self->by_id);
  g_sequence_free (self->queue);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self);
}

/**
 * dt_clock_now_ms:
 *
 * Returns: the time in milliseconds, from an arbitrary start
 */
gint64
dt_clock_now_ms (DtClock *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->manual)
    return self->manual_now_ms;

  return g_get_monotonic_time () / 1000;
}

/**
 * dt_clock_add:
 * @delay_ms: how long from now
 * @func: what to call, once
 *
 * Returns: an id for dt_clock_remove(), never 0
 */
guint
dt_clock_add (DtClock     *self,
                  guint           delay_ms,
                  DtClockFunc  func,
                  gpointer        user_data)
{
  Timer *timer;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  timer = g_new0 (Timer, 1);
  timer->id = ++self->last_id;
  if (timer->id == 0)
    timer->id = ++self->last_id;
  timer->due_ms = dt_clock_now_ms (self) + delay_ms;
  timer->func = func;
  timer->user_data = user_data;

  timer->iter = g_sequence_insert_sorted (self->queue, timer, compare_due, NULL);
  g_hash_table_insert (self->by_id, GUINT_TO_POINTER (timer->id), timer);
  schedule (self);

  return timer->id;
}

/**
 * dt_clock_remove:
 * @id: from dt_clock_add(); 0 and timers that already fired are ignored
 */
void
dt_clock_remove (DtClock *self,
                     guint       id)
{
  Timer *timer;

  g_return_if_fail (self != NULL);

  if (id == 0)
    return;

  timer = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
  if (timer == NULL)
    return;
  g_hash_table_remove (self->by_id, GUINT_TO_POINTER (id));
  g_sequence_remove (timer->iter);
  schedule (self);
}

/**
 * dt_clock_advance:
 * @ms: how far to move a manual clock
 *
 * Fires, in order, every timer that falls due, each at its own due time:
 * a timer that sets another one, due before the end, sees it fire in the
 * same call.
 */
void
dt_clock_advance (DtClock *self,
                      guint       ms)
{
  gint64 end;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->manual);

  end = self->manual_now_ms + ms;
  fire_due (self, end);
  self->manual_now_ms = end;
}

/**
 * dt_clock_get_n_pending:
 *
 * Returns: how many timers are set and not yet fired
 */
guint
dt_clock_get_n_pending (DtClock *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) g_sequence_get_length (self->queue);
}
