/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-clock.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-clock.h"

/*
 * A system clock runs timers as GSources on the thread-default main context
 * it was created in. A manual clock keeps a list of pending timers and fires
 * them, in order of their due time, only when dt_clock_advance() moves
 * its time forward; the tests drive every timer of RFC 3261 §17 and of
 * RFC 8489 §6.2.1 this way.
 */

typedef struct
{
  guint           id;
  gint64          due_ms;
  DtClockFunc  func;
  gpointer        user_data;
  GSource        *source;     /* system clock only */
  DtClock     *clock;      /* system clock only, borrowed */
} Timer;

struct _DtClock
{
  gatomicrefcount  ref_count;
  gboolean         manual;
  gint64           manual_now_ms;
  guint            last_id;
  GMainContext    *context;
  GList           *timers;    /* of Timer; sorted by due time on a manual clock */
};

G_DEFINE_BOXED_TYPE (DtClock, dt_clock, dt_clock_ref, dt_clock_unref)

static void
timer_free (Timer *timer)
{
  if (timer->source)
    {
      g_source_destroy (timer->source);
      g_source_unref (timer->source);
    }
  g_free (timer);
}

static gboolean
on_system_timer (gpointer user_data)
{
  Timer *timer = user_data;
  DtClock *self = timer->clock;
  DtClockFunc func = timer->func;
  gpointer data = timer->user_data;

  self->timers = g_list_remove (self->timers, timer);
  g_source_unref (timer->source);
  timer->source = NULL;
  g_free (timer);

  func (data);
  return G_SOURCE_REMOVE;
}

static int
compare_due (gconstpointer a,
             gconstpointer b)
{
  const Timer *ta = a;
  const Timer *tb = b;

  if (ta->due_ms != tb->due_ms)
    return ta->due_ms < tb->due_ms ? -1 : 1;

  /* Timers due at the same moment fire in the order they were set. */
  return ta->id < tb->id ? -1 : (ta->id > tb->id);
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
  DtClock *self = g_new0 (DtClock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->context = g_main_context_ref_thread_default ();
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
  DtClock *self = g_new0 (DtClock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->manual = TRUE;
  return self;
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

  g_list_free_full (self->timers, (GDestroyNotify) timer_free);
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

  if (self->manual)
    {
      self->timers = g_list_insert_sorted (self->timers, timer, compare_due);
    }
  else
    {
      timer->clock = self;
      timer->source = g_timeout_source_new (delay_ms);
      g_source_set_callback (timer->source, on_system_timer, timer, NULL);
      g_source_set_static_name (timer->source, "[dialtone] SIP timer");
      g_source_attach (timer->source, self->context);
      self->timers = g_list_prepend (self->timers, timer);
    }

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
  g_return_if_fail (self != NULL);

  if (id == 0)
    return;

  for (GList *l = self->timers; l; l = l->next)
    {
      Timer *timer = l->data;

      if (timer->id == id)
        {
          self->timers = g_list_delete_link (self->timers, l);
          timer_free (timer);
          return;
        }
    }
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

  while (self->timers != NULL && ((Timer *) self->timers->data)->due_ms <= end)
    {
      Timer *timer = self->timers->data;
      DtClockFunc func = timer->func;
      gpointer data = timer->user_data;

      self->manual_now_ms = MAX (self->manual_now_ms, timer->due_ms);
      self->timers = g_list_delete_link (self->timers, self->timers);
      timer_free (timer);
      func (data);
    }

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

  return g_list_length (self->timers);
}
