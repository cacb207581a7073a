/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-clock.c
 *
 * The system clock hands each timer to a GSource on the thread-default main
 * context. The manual clock keeps its timers in a list sorted by due time
 * and fires them only from dt_stun_clock_advance(), in order, so a test
 * sees exactly the schedule the code asked for.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include "dt-stun-clock.h"

typedef struct {
  guint            id;
  gint64           due_ms;
  DtStunClockFunc  func;
  gpointer         user_data;
  GSource         *source;      /* system clock only */
  DtStunClock     *clock;       /* unowned */
} Timer;

struct _DtStunClock {
  gatomicrefcount  ref_count;
  gboolean         manual;
  gint64           manual_now_ms;
  guint            last_id;
  GList           *timers;      /* Timer, sorted by due_ms for the manual clock */
};

G_DEFINE_BOXED_TYPE (DtStunClock, dt_stun_clock, dt_stun_clock_ref, dt_stun_clock_unref)

static void
timer_free (Timer *timer)
{
  if (timer->source != NULL)
    {
      g_source_destroy (timer->source);
      g_source_unref (timer->source);
    }
  g_free (timer);
}

static gint
compare_due (gconstpointer a,
             gconstpointer b)
{
  const Timer *ta = a;
  const Timer *tb = b;

  if (ta->due_ms != tb->due_ms)
    return ta->due_ms < tb->due_ms ? -1 : 1;
  return ta->id < tb->id ? -1 : 1;
}

static gboolean
on_system_timer (gpointer user_data)
{
  Timer *timer = user_data;
  DtStunClock *self = timer->clock;
  DtStunClockFunc func = timer->func;
  gpointer data = timer->user_data;

  self->timers = g_list_remove (self->timers, timer);
  timer_free (timer);
  func (data);

  return G_SOURCE_REMOVE;
}

/**
 * dt_stun_clock_new_system:
 *
 * Returns: (transfer full): a clock whose timers run on the thread-default
 *   main context
 */
DtStunClock *
dt_stun_clock_new_system (void)
{
  DtStunClock *self = g_new0 (DtStunClock, 1);

  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

/**
 * dt_stun_clock_new_manual:
 *
 * Returns: (transfer full): a clock that stands still until
 *   dt_stun_clock_advance() winds it
 */
DtStunClock *
dt_stun_clock_new_manual (void)
{
  DtStunClock *self = dt_stun_clock_new_system ();

  self->manual = TRUE;
  return self;
}

/**
 * dt_stun_clock_ref:
 * @self: a clock
 *
 * Returns: (transfer full): @self
 */
DtStunClock *
dt_stun_clock_ref (DtStunClock *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * dt_stun_clock_unref:
 * @self: a clock
 *
 * Drops a reference; the last one cancels the pending timers.
 */
void
dt_stun_clock_unref (DtStunClock *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_list_free_full (self->timers, (GDestroyNotify) timer_free);
  g_free (self);
}

/**
 * dt_stun_clock_now_ms:
 * @self: a clock
 *
 * Returns: the clock's monotonic time in milliseconds
 */
gint64
dt_stun_clock_now_ms (DtStunClock *self)
{
  g_return_val_if_fail (self != NULL, 0);

  if (self->manual)
    return self->manual_now_ms;
  return g_get_monotonic_time () / 1000;
}

/**
 * dt_stun_clock_add:
 * @self: a clock
 * @delay_ms: how long from now
 * @func: what to call, once
 * @user_data: its argument
 *
 * Returns: a timer id for dt_stun_clock_remove(), never 0
 */
guint
dt_stun_clock_add (DtStunClock     *self,
                   guint            delay_ms,
                   DtStunClockFunc  func,
                   gpointer         user_data)
{
  Timer *timer;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (func != NULL, 0);

  timer = g_new0 (Timer, 1);
  timer->id = ++self->last_id;
  if (timer->id == 0)
    timer->id = ++self->last_id;
  timer->due_ms = dt_stun_clock_now_ms (self) + delay_ms;
  timer->func = func;
  timer->user_data = user_data;
  timer->clock = self;

  if (self->manual)
    {
      self->timers = g_list_insert_sorted (self->timers, timer, compare_due);
    }
  else
    {
      timer->source = g_timeout_source_new (delay_ms);
      g_source_set_callback (timer->source, on_system_timer, timer, NULL);
      g_source_set_static_name (timer->source, "[dialtone] stun timer");
      g_source_attach (timer->source, g_main_context_get_thread_default ());
      self->timers = g_list_prepend (self->timers, timer);
    }

  return timer->id;
}

/**
 * dt_stun_clock_remove:
 * @self: a clock
 * @id: a timer id from dt_stun_clock_add(), or 0
 *
 * Cancels a timer that has not fired yet. Unknown ids are ignored, so a
 * caller may clear an id it no longer trusts.
 */
void
dt_stun_clock_remove (DtStunClock *self,
                      guint        id)
{
  g_return_if_fail (self != NULL);

  for (GList *l = self->timers; l != NULL && id != 0; l = l->next)
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
 * dt_stun_clock_advance:
 * @self: a manual clock
 * @ms: how far to wind it
 *
 * Fires, in order and each at its own time, every timer due up to now + @ms,
 * including those the callbacks add on the way.
 */
void
dt_stun_clock_advance (DtStunClock *self,
                       guint        ms)
{
  gint64 target;

  g_return_if_fail (self != NULL);
  g_return_if_fail (self->manual);

  target = self->manual_now_ms + ms;
  while (self->timers != NULL && ((Timer *) self->timers->data)->due_ms <= target)
    {
      Timer *timer = self->timers->data;
      DtStunClockFunc func = timer->func;
      gpointer data = timer->user_data;

      self->manual_now_ms = MAX (self->manual_now_ms, timer->due_ms);
      self->timers = g_list_delete_link (self->timers, self->timers);
      timer_free (timer);
      func (data);
    }
  self->manual_now_ms = target;
}

/**
 * dt_stun_clock_get_n_pending:
 * @self: a clock
 *
 * Returns: how many timers have not fired yet
 */
guint
dt_stun_clock_get_n_pending (DtStunClock *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return g_list_length (self->timers);
}
