/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call.c
 *
 * The call state machine: every legal transition, every illegal one
 * refused without a warning, and the public operations checked against the
 * state before a backend sees them.
 */

#include "config.h"

#include <math.h>

#include "dt-call-private.h"
#include "dt-core-enums.h"

/* A backend call that does what it is asked at once and remembers it. */
#define DT_TYPE_TEST_CALL (dt_test_call_get_type ())
G_DECLARE_FINAL_TYPE (DtTestCall, dt_test_call, DT, TEST_CALL, DtCall)

struct _DtTestCall
{
  DtCall           parent_instance;

  guint            n_vfunc_calls;
  DtCallEndReason  hangup_reason;
  GString         *dtmf_sent;
  gboolean         backend_muted;
  char            *transfer_target;
};

G_DEFINE_FINAL_TYPE (DtTestCall, dt_test_call, DT_TYPE_CALL)

static gboolean
test_call_finish (DtCall        *call,
                  GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
return_now (DtCall              *call,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (call, cancellable, callback, user_data);

  g_task_return_boolean (task, TRUE);
}

static void
test_call_answer_async (DtCall              *call,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  return_now (call, cancellable, callback, user_data);
}

static void
test_call_hangup_async (DtCall              *call,
                        DtCallEndReason      reason,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  DT_TEST_CALL (call)->hangup_reason = reason;
  g_assert_true (_dt_call_end (call, reason, NULL, NULL));
  return_now (call, cancellable, callback, user_data);
}

static void
test_call_hold_async (DtCall              *call,
                      gboolean             hold,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  g_assert_true (_dt_call_set_state (call, hold ? DT_CALL_STATE_HELD : DT_CALL_STATE_ACTIVE,
                                     NULL));
  return_now (call, cancellable, callback, user_data);
}

static void
test_call_transfer_async (DtCall              *call,
                          const char          *target,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  g_free (DT_TEST_CALL (call)->transfer_target);
  DT_TEST_CALL (call)->transfer_target = g_strdup (target);
  g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_TRANSFERRED, NULL, NULL));
  return_now (call, cancellable, callback, user_data);
}

static gboolean
test_call_send_dtmf (DtCall  *call,
                     char     digit,
                     GError **error)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  g_string_append_c (DT_TEST_CALL (call)->dtmf_sent, digit);
  return TRUE;
}

static void
test_call_set_muted (DtCall   *call,
                     gboolean  muted)
{
  DT_TEST_CALL (call)->n_vfunc_calls++;
  DT_TEST_CALL (call)->backend_muted = muted;
}

static void
dt_test_call_finalize (GObject *object)
{
  DtTestCall *self = DT_TEST_CALL (object);

  g_string_free (self->dtmf_sent, TRUE);
  g_free (self->transfer_target);

  G_OBJECT_CLASS (dt_test_call_parent_class)->finalize (object);
}

static void
dt_test_call_class_init (DtTestCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DtCallClass *call_class = DT_CALL_CLASS (klass);

  object_class->finalize = dt_test_call_finalize;

  call_class->answer_async = test_call_answer_async;
  call_class->answer_finish = test_call_finish;
  call_class->hangup_async = test_call_hangup_async;
  call_class->hangup_finish = test_call_finish;
  call_class->hold_async = test_call_hold_async;
  call_class->hold_finish = test_call_finish;
  call_class->transfer_async = test_call_transfer_async;
  call_class->transfer_finish = test_call_finish;
  call_class->send_dtmf = test_call_send_dtmf;
  call_class->set_muted = test_call_set_muted;
}

static void
dt_test_call_init (DtTestCall *self)
{
  self->dtmf_sent = g_string_new (NULL);
}

/* A call whose backend implements nothing but the mandatory hang-up. */
#define DT_TYPE_BARE_CALL (dt_bare_call_get_type ())
G_DECLARE_FINAL_TYPE (DtBareCall, dt_bare_call, DT, BARE_CALL, DtCall)

struct _DtBareCall
{
  DtCall parent_instance;
};

G_DEFINE_FINAL_TYPE (DtBareCall, dt_bare_call, DT_TYPE_CALL)

static void
dt_bare_call_class_init (DtBareCallClass *klass)
{
}

static void
dt_bare_call_init (DtBareCall *self)
{
}

static DtCall *
make_call (DtCallDirection direction)
{
  return g_object_new (DT_TYPE_TEST_CALL,
                       "protocol", "test",
                       "account-id", "account-1",
                       "direction", direction,
                       "peer-uri", "sip:bob@example.com",
                       "peer-name", "Bob",
                       NULL);
}

/* Waits for an async operation and returns its result. */
typedef struct
{
  GAsyncResult *result;
} Waiter;

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Waiter *waiter)
{
  while (waiter->result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return waiter->result;
}

static gboolean
answer_sync (DtCall  *call,
             GError **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  dt_call_answer_async (call, NULL, on_done, &waiter);
  result = wait_for (&waiter);
  return dt_call_answer_finish (call, result, error);
}

static gboolean
hangup_sync (DtCall   *call,
             gboolean  decline,
             GError  **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  if (decline)
    dt_call_decline_async (call, NULL, on_done, &waiter);
  else
    dt_call_hangup_async (call, NULL, on_done, &waiter);
  result = wait_for (&waiter);
  return dt_call_hangup_finish (call, result, error);
}

static gboolean
hold_sync (DtCall   *call,
           gboolean  hold,
           GError  **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  dt_call_hold_async (call, hold, NULL, on_done, &waiter);
  result = wait_for (&waiter);
  return dt_call_hold_finish (call, result, error);
}

static gboolean
transfer_sync (DtCall      *call,
               const char  *target,
               GError     **error)
{
  Waiter waiter = { NULL };
  g_autoptr(GAsyncResult) result = NULL;

  dt_call_transfer_async (call, target, NULL, on_done, &waiter);
  result = wait_for (&waiter);
  return dt_call_transfer_finish (call, result, error);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

/* Brings a fresh call of the right direction to @state through legal
 * moves only. */
static DtCall *
call_in_state (DtCallState state)
{
  DtCallDirection direction = state == DT_CALL_STATE_DIALING
                              ? DT_CALL_DIRECTION_OUTGOING
                              : DT_CALL_DIRECTION_INCOMING;
  DtCall *call = make_call (direction);

  switch (state)
    {
    case DT_CALL_STATE_DIALING:
    case DT_CALL_STATE_RINGING:
      break;
    case DT_CALL_STATE_ACTIVE:
      g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
      break;
    case DT_CALL_STATE_HELD:
      g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
      g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_HELD, NULL));
      break;
    case DT_CALL_STATE_ENDED:
      g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, NULL, NULL));
      break;
    default:
      g_assert_not_reached ();
    }

  g_assert_cmpint (dt_call_get_state (call), ==, state);
  return call;
}

static void
test_call_initial_state (void)
{
  g_autoptr(DtCall) outgoing = make_call (DT_CALL_DIRECTION_OUTGOING);
  g_autoptr(DtCall) incoming = make_call (DT_CALL_DIRECTION_INCOMING);

  g_assert_cmpint (dt_call_get_state (outgoing), ==, DT_CALL_STATE_DIALING);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_RINGING);
  g_assert_cmpint (dt_call_get_direction (incoming), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_cmpstr (dt_call_get_peer_uri (outgoing), ==, "sip:bob@example.com");
  g_assert_cmpstr (dt_call_get_peer_name (outgoing), ==, "Bob");
  g_assert_cmpstr (dt_call_get_protocol (outgoing), ==, "test");
  g_assert_cmpstr (dt_call_get_account_id (outgoing), ==, "account-1");
  g_assert_nonnull (dt_call_get_start_time (outgoing));
  g_assert_null (dt_call_get_answer_time (outgoing));
  g_assert_null (dt_call_get_end_time (outgoing));
  g_assert_cmpint (dt_call_get_end_reason (outgoing), ==, DT_CALL_END_REASON_NONE);
  g_assert_false (dt_call_get_muted (outgoing));
  g_assert_false (dt_call_get_held (outgoing));
  g_assert_true (dt_call_get_can_transfer (outgoing));
  g_assert_nonnull (dt_call_get_stats (outgoing));
  g_assert_cmpstr (dt_call_get_dtmf_received (outgoing), ==, "");

  /* Ids are generated, unique, and usable as D-Bus object path parts. */
  g_assert_true (g_uuid_string_is_valid (dt_call_get_id (outgoing)));
  g_assert_cmpstr (dt_call_get_id (outgoing), !=, dt_call_get_id (incoming));

  g_assert_finalize_object (g_steal_pointer (&outgoing));
  g_assert_finalize_object (g_steal_pointer (&incoming));
}

/* The transition table, written out independently of the implementation. */
static const struct {
  DtCallState from;
  DtCallState to;
} legal_moves[] = {
  { DT_CALL_STATE_DIALING, DT_CALL_STATE_RINGING },
  { DT_CALL_STATE_DIALING, DT_CALL_STATE_ACTIVE },
  { DT_CALL_STATE_DIALING, DT_CALL_STATE_ENDED },
  { DT_CALL_STATE_RINGING, DT_CALL_STATE_ACTIVE },
  { DT_CALL_STATE_RINGING, DT_CALL_STATE_ENDED },
  { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_HELD },
  { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_ENDED },
  { DT_CALL_STATE_HELD, DT_CALL_STATE_ACTIVE },
  { DT_CALL_STATE_HELD, DT_CALL_STATE_ENDED },
};

static gboolean
is_legal (DtCallState from,
          DtCallState to)
{
  for (guint i = 0; i < G_N_ELEMENTS (legal_moves); i++)
    {
      if (legal_moves[i].from == from && legal_moves[i].to == to)
        return TRUE;
    }

  return FALSE;
}

static void
test_call_transition_table (void)
{
  for (DtCallState from = DT_CALL_STATE_DIALING; from <= DT_CALL_STATE_ENDED; from++)
    {
      for (DtCallState to = DT_CALL_STATE_DIALING; to <= DT_CALL_STATE_ENDED; to++)
        g_assert_cmpint (dt_call_state_can_change (from, to), ==, is_legal (from, to));
    }

  g_assert_false (dt_call_state_can_change (DT_CALL_STATE_DIALING, 42));
  g_assert_false (dt_call_state_can_change (42, DT_CALL_STATE_ENDED));
}

/* Every legal move, each made on a call brought to its starting state. */
static void
test_call_every_legal_move (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (legal_moves); i++)
    {
      g_autoptr(DtCall) call = call_in_state (legal_moves[i].from);
      g_autoptr(GError) error = NULL;
      guint n_state_notifies = 0;
      gboolean ok;

      g_signal_connect (call, "notify::state", G_CALLBACK (count_notify), &n_state_notifies);

      if (legal_moves[i].to == DT_CALL_STATE_ENDED)
        ok = _dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, "Bye", &error);
      else
        ok = _dt_call_set_state (call, legal_moves[i].to, &error);

      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (dt_call_get_state (call), ==, legal_moves[i].to);
      g_assert_cmpuint (n_state_notifies, ==, 1);
      g_assert_cmpint (dt_call_get_held (call), ==, legal_moves[i].to == DT_CALL_STATE_HELD);

      if (legal_moves[i].to == DT_CALL_STATE_ENDED)
        {
          g_assert_nonnull (dt_call_get_end_time (call));
          g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
          g_assert_cmpstr (dt_call_get_end_message (call), ==, "Bye");
        }
      if (legal_moves[i].to == DT_CALL_STATE_ACTIVE)
        g_assert_nonnull (dt_call_get_answer_time (call));

      g_assert_finalize_object (g_steal_pointer (&call));
    }
}

/* Every illegal move is refused with an error, no warning, and no change. */
static void
test_call_every_illegal_move (void)
{
  guint n_refused = 0;

  for (DtCallState from = DT_CALL_STATE_DIALING; from <= DT_CALL_STATE_ENDED; from++)
    {
      for (DtCallState to = DT_CALL_STATE_DIALING; to <= DT_CALL_STATE_ENDED; to++)
        {
          g_autoptr(DtCall) call = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(GDateTime) answer_time = NULL;
          guint n_notifies = 0;
          gboolean ok;

          if (from == to || is_legal (from, to))
            continue;

          call = call_in_state (from);
          if (dt_call_get_answer_time (call))
            answer_time = g_date_time_ref (dt_call_get_answer_time (call));
          g_signal_connect (call, "notify", G_CALLBACK (count_notify), &n_notifies);

          if (to == DT_CALL_STATE_ENDED)
            ok = _dt_call_end (call, DT_CALL_END_REASON_LOCAL_HANGUP, NULL, &error);
          else
            ok = _dt_call_set_state (call, to, &error);

          g_assert_false (ok);
          g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
          g_assert_cmpint (dt_call_get_state (call), ==, from);
          g_assert_cmpuint (n_notifies, ==, 0);
          g_assert_true (dt_call_get_answer_time (call) == answer_time);
          if (from == DT_CALL_STATE_ENDED)
            g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
          n_refused++;
        }
    }

  /* 5 × 5 pairs, less 5 self-moves and 9 legal ones. */
  g_assert_cmpuint (n_refused, ==, 11);
}

static void
test_call_end_needs_reason (void)
{
  g_autoptr(DtCall) call = make_call (DT_CALL_DIRECTION_OUTGOING);
  g_autoptr(GError) error = NULL;

  g_assert_false (_dt_call_end (call, DT_CALL_END_REASON_NONE, NULL, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (_dt_call_end (call, 1000, NULL, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_false (_dt_call_set_state (call, DT_CALL_STATE_ENDED, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_DIALING);
}

/* Setting the current state again is not a move and notifies nothing. */
static void
test_call_same_state (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_ACTIVE);
  GDateTime *answered = dt_call_get_answer_time (call);
  guint n_notifies = 0;

  g_signal_connect (call, "notify", G_CALLBACK (count_notify), &n_notifies);
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  g_assert_cmpuint (n_notifies, ==, 0);

  /* Resuming after hold keeps the first answer time. */
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_HELD, NULL));
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  g_assert_true (dt_call_get_answer_time (call) == answered);
}

static void
test_call_full_outgoing (void)
{
  g_autoptr(DtCall) call = make_call (DT_CALL_DIRECTION_OUTGOING);
  DtTestCall *test_call = DT_TEST_CALL (call);
  g_autoptr(GError) error = NULL;

  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_RINGING, NULL));
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  g_assert_true (hold_sync (call, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (dt_call_get_held (call));
  g_assert_true (hold_sync (call, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_ACTIVE);
  g_assert_true (hangup_sync (call, FALSE, &error));
  g_assert_no_error (error);

  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_ENDED);
  g_assert_cmpint (test_call->hangup_reason, ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  g_assert_cmpint (g_date_time_compare (dt_call_get_start_time (call),
                                        dt_call_get_answer_time (call)), <=, 0);
  g_assert_cmpint (g_date_time_compare (dt_call_get_answer_time (call),
                                        dt_call_get_end_time (call)), <=, 0);
  g_assert_cmpuint (test_call->n_vfunc_calls, ==, 3);

  g_assert_finalize_object (g_steal_pointer (&call));
}

static void
test_call_answer (void)
{
  g_autoptr(DtCall) incoming = make_call (DT_CALL_DIRECTION_INCOMING);
  g_autoptr(DtCall) outgoing = make_call (DT_CALL_DIRECTION_OUTGOING);
  g_autoptr(GError) error = NULL;

  /* Only a ringing incoming call can be answered. */
  g_assert_false (answer_sync (outgoing, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_assert_cmpuint (DT_TEST_CALL (outgoing)->n_vfunc_calls, ==, 0);
  g_clear_error (&error);

  g_assert_true (_dt_call_set_state (outgoing, DT_CALL_STATE_RINGING, NULL));
  g_assert_false (answer_sync (outgoing, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_true (answer_sync (incoming, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);
  g_assert_nonnull (dt_call_get_answer_time (incoming));

  /* Twice is once too many. */
  g_assert_false (answer_sync (incoming, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_assert_cmpuint (DT_TEST_CALL (incoming)->n_vfunc_calls, ==, 1);
}

static void
test_call_hangup_reasons (void)
{
  struct {
    DtCallDirection direction;
    DtCallState     state;
    gboolean        decline;
    DtCallEndReason expected;
  } cases[] = {
    { DT_CALL_DIRECTION_OUTGOING, DT_CALL_STATE_DIALING, FALSE, DT_CALL_END_REASON_CANCELLED },
    { DT_CALL_DIRECTION_OUTGOING, DT_CALL_STATE_RINGING, FALSE, DT_CALL_END_REASON_CANCELLED },
    { DT_CALL_DIRECTION_OUTGOING, DT_CALL_STATE_ACTIVE, FALSE, DT_CALL_END_REASON_LOCAL_HANGUP },
    { DT_CALL_DIRECTION_OUTGOING, DT_CALL_STATE_HELD, FALSE, DT_CALL_END_REASON_LOCAL_HANGUP },
    { DT_CALL_DIRECTION_INCOMING, DT_CALL_STATE_RINGING, FALSE, DT_CALL_END_REASON_DECLINED },
    { DT_CALL_DIRECTION_INCOMING, DT_CALL_STATE_RINGING, TRUE, DT_CALL_END_REASON_DECLINED },
    { DT_CALL_DIRECTION_INCOMING, DT_CALL_STATE_ACTIVE, FALSE, DT_CALL_END_REASON_LOCAL_HANGUP },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtCall) call = make_call (cases[i].direction);
      g_autoptr(GError) error = NULL;

      if (cases[i].state == DT_CALL_STATE_RINGING && cases[i].direction == DT_CALL_DIRECTION_OUTGOING)
        g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_RINGING, NULL));
      if (cases[i].state == DT_CALL_STATE_ACTIVE || cases[i].state == DT_CALL_STATE_HELD)
        g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
      if (cases[i].state == DT_CALL_STATE_HELD)
        g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_HELD, NULL));

      g_assert_true (hangup_sync (call, cases[i].decline, &error));
      g_assert_no_error (error);
      g_assert_cmpint (dt_call_get_end_reason (call), ==, cases[i].expected);
      g_assert_false (dt_call_get_held (call));
    }
}

/* Operations in a state where they do not apply fail before reaching the
 * backend. */
static void
test_call_operations_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) dialing = call_in_state (DT_CALL_STATE_DIALING);
  g_autoptr(DtCall) active = call_in_state (DT_CALL_STATE_ACTIVE);
  g_autoptr(DtCall) held = call_in_state (DT_CALL_STATE_HELD);
  g_autoptr(DtCall) ended = call_in_state (DT_CALL_STATE_ENDED);
  g_autoptr(DtCall) ringing = call_in_state (DT_CALL_STATE_RINGING);

  g_assert_false (hold_sync (dialing, TRUE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (hold_sync (active, FALSE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (hold_sync (held, TRUE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (transfer_sync (ringing, "sip:carol@example.com", &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (dt_call_send_dtmf (held, "1", &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (hangup_sync (dialing, TRUE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_false (hangup_sync (ended, FALSE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE);
  g_clear_error (&error);

  g_assert_cmpuint (DT_TEST_CALL (dialing)->n_vfunc_calls, ==, 0);
  g_assert_cmpuint (DT_TEST_CALL (active)->n_vfunc_calls, ==, 0);
  g_assert_cmpuint (DT_TEST_CALL (held)->n_vfunc_calls, ==, 0);
  g_assert_cmpuint (DT_TEST_CALL (ended)->n_vfunc_calls, ==, 0);
  g_assert_cmpuint (DT_TEST_CALL (ringing)->n_vfunc_calls, ==, 0);
  g_assert_cmpint (dt_call_get_state (dialing), ==, DT_CALL_STATE_DIALING);
  g_assert_cmpint (dt_call_get_state (held), ==, DT_CALL_STATE_HELD);
  g_assert_cmpint (dt_call_get_end_reason (ended), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
}

static void
test_call_transfer (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_HELD);
  g_autoptr(GError) error = NULL;

  g_assert_false (transfer_sync (call, "", &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (transfer_sync (call, "sip:carol@example.com", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (DT_TEST_CALL (call)->transfer_target, ==, "sip:carol@example.com");
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_TRANSFERRED);
}

static void
test_call_not_supported (void)
{
  g_autoptr(DtCall) call = g_object_new (DT_TYPE_BARE_CALL,
                                         "direction", DT_CALL_DIRECTION_INCOMING,
                                         NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_call_get_can_transfer (call));

  g_assert_false (answer_sync (call, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_RINGING);

  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  g_assert_false (transfer_sync (call, "sip:carol@example.com", &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_false (hold_sync (call, TRUE, &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  g_assert_false (dt_call_send_dtmf (call, "5", &error));
  g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* Muting without backend support still records the wish. */
  dt_call_set_muted (call, TRUE);
  g_assert_true (dt_call_get_muted (call));

  g_assert_finalize_object (g_steal_pointer (&call));
}

static void
test_call_dtmf (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_ACTIVE);
  DtTestCall *test_call = DT_TEST_CALL (call);
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "", "12x", "1 2", "E", "\x01", "٣" };

  g_assert_true (dt_call_send_dtmf (call, "0123456789*#abcdABCD", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (test_call->dtmf_sent->str, ==, "0123456789*#ABCDABCD");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (dt_call_send_dtmf (call, bad[i], &error));
      g_assert_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }

  /* A bad string sends nothing, not even its good prefix. */
  g_assert_cmpstr (test_call->dtmf_sent->str, ==, "0123456789*#ABCDABCD");
}

static void
on_dtmf_received (DtCall  *call,
                  char     digit,
                  GString *seen)
{
  g_string_append_c (seen, digit);
}

static void
test_call_dtmf_received (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_ACTIVE);
  g_autoptr(GString) seen = g_string_new (NULL);

  g_signal_connect (call, "dtmf-received", G_CALLBACK (on_dtmf_received), seen);

  _dt_call_dtmf_received (call, '1');
  _dt_call_dtmf_received (call, '#');
  _dt_call_dtmf_received (call, 'x');
  _dt_call_dtmf_received (call, '\0');
  _dt_call_dtmf_received (call, 'd');

  g_assert_cmpstr (dt_call_get_dtmf_received (call), ==, "1#D");
  g_assert_cmpstr (seen->str, ==, "1#D");

  g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, NULL, NULL));
  _dt_call_dtmf_received (call, '2');
  g_assert_cmpstr (dt_call_get_dtmf_received (call), ==, "1#D");
}

static void
test_call_mute (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_ACTIVE);
  guint n_notifies = 0;

  g_signal_connect (call, "notify::muted", G_CALLBACK (count_notify), &n_notifies);

  dt_call_set_muted (call, TRUE);
  g_assert_true (dt_call_get_muted (call));
  g_assert_true (DT_TEST_CALL (call)->backend_muted);
  dt_call_set_muted (call, TRUE);
  g_assert_cmpuint (n_notifies, ==, 1);

  g_object_set (call, "muted", FALSE, NULL);
  g_assert_false (DT_TEST_CALL (call)->backend_muted);
  g_assert_cmpuint (n_notifies, ==, 2);

  g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, NULL, NULL));
  dt_call_set_muted (call, TRUE);
  g_assert_false (dt_call_get_muted (call));
  g_assert_cmpuint (n_notifies, ==, 2);
}

static void
test_call_levels (void)
{
  g_autoptr(DtCall) call = call_in_state (DT_CALL_STATE_ACTIVE);
  guint n_input = 0;
  guint n_output = 0;

  g_assert_cmpfloat (dt_call_get_input_level (call), ==, DT_CALL_LEVEL_SILENT);
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, DT_CALL_LEVEL_SILENT);
  g_signal_connect (call, "notify::input-level", G_CALLBACK (count_notify), &n_input);
  g_signal_connect (call, "notify::output-level", G_CALLBACK (count_notify), &n_output);

  _dt_call_set_levels (call, -12.5, -30.0);
  g_assert_cmpfloat (dt_call_get_input_level (call), ==, -12.5);
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, -30.0);
  g_assert_cmpuint (n_input, ==, 1);
  g_assert_cmpuint (n_output, ==, 1);

  /* Only what changed is announced. */
  _dt_call_set_levels (call, -12.5, -31.0);
  g_assert_cmpuint (n_input, ==, 1);
  g_assert_cmpuint (n_output, ==, 2);

  /* The media engine's "no signal" and figures out of range are clamped. */
  _dt_call_set_levels (call, -G_MAXDOUBLE, 3.0);
  g_assert_cmpfloat (dt_call_get_input_level (call), ==, DT_CALL_LEVEL_SILENT);
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, 0.0);
  _dt_call_set_levels (call, NAN, -20.0);
  g_assert_cmpfloat (dt_call_get_input_level (call), ==, DT_CALL_LEVEL_SILENT);

  g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, NULL, NULL));
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, DT_CALL_LEVEL_SILENT);
  _dt_call_set_levels (call, -6.0, -6.0);
  g_assert_cmpfloat (dt_call_get_input_level (call), ==, DT_CALL_LEVEL_SILENT);
  g_assert_cmpfloat (dt_call_get_output_level (call), ==, DT_CALL_LEVEL_SILENT);
}

static void
test_call_end_reason_names (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (DT_TYPE_CALL_END_REASON);
  DtCallEndReason reason;

  for (guint i = 0; i < klass->n_values; i++)
    {
      const char *nick = dt_call_end_reason_to_string (klass->values[i].value);

      g_assert_nonnull (nick);
      g_assert_true (dt_call_end_reason_from_string (nick, &reason));
      g_assert_cmpint (reason, ==, klass->values[i].value);
    }

  g_assert_cmpstr (dt_call_end_reason_to_string (DT_CALL_END_REASON_BUSY), ==, "busy");
  g_assert_cmpstr (dt_call_end_reason_to_string (DT_CALL_END_REASON_LOCAL_HANGUP), ==,
                   "local-hangup");
  g_assert_null (dt_call_end_reason_to_string (9999));
  g_assert_false (dt_call_end_reason_from_string ("no-such-reason", &reason));
  g_assert_false (dt_call_end_reason_from_string (NULL, &reason));

  /* The state names go over D-Bus too. */
  g_assert_cmpstr (dt_call_state_to_string (DT_CALL_STATE_DIALING), ==, "dialing");
  g_assert_cmpstr (dt_call_state_to_string (DT_CALL_STATE_RINGING), ==, "ringing");
  g_assert_cmpstr (dt_call_state_to_string (DT_CALL_STATE_ACTIVE), ==, "active");
  g_assert_cmpstr (dt_call_state_to_string (DT_CALL_STATE_HELD), ==, "held");
  g_assert_cmpstr (dt_call_state_to_string (DT_CALL_STATE_ENDED), ==, "ended");
  g_assert_null (dt_call_state_to_string (9999));
}

static void
test_call_stats (void)
{
  g_autoptr(DtCallStats) stats = dt_call_stats_new ();
  guint n_notifies = 0;

  g_assert_null (dt_call_stats_get_codec (stats));
  g_assert_cmpfloat (dt_call_stats_get_mos (stats), <, 0);
  g_assert_cmpfloat (dt_call_stats_get_loss_percent (stats), ==, 0.0);

  g_signal_connect (stats, "notify", G_CALLBACK (count_notify), &n_notifies);

  dt_call_stats_set_codec (stats, "opus");
  g_assert_cmpstr (dt_call_stats_get_codec (stats), ==, "opus");
  g_assert_cmpuint (n_notifies, ==, 1);

  dt_call_stats_update (stats, 500, 450, 50, 12.5, 40.0, 4.1);
  g_assert_cmpuint (dt_call_stats_get_packets_sent (stats), ==, 500);
  g_assert_cmpuint (dt_call_stats_get_packets_received (stats), ==, 450);
  g_assert_cmpuint (dt_call_stats_get_packets_lost (stats), ==, 50);
  g_assert_cmpfloat_with_epsilon (dt_call_stats_get_loss_percent (stats), 10.0, 1e-9);
  g_assert_cmpfloat (dt_call_stats_get_jitter_ms (stats), ==, 12.5);
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (stats), ==, 40.0);
  g_assert_cmpfloat (dt_call_stats_get_mos (stats), ==, 4.1);

  /* Out-of-range figures are clamped or marked unknown, never stored raw. */
  dt_call_stats_update (stats, 500, 450, 50, -3, -1, 7.0);
  g_assert_cmpfloat (dt_call_stats_get_jitter_ms (stats), ==, -1.0);
  g_assert_cmpfloat (dt_call_stats_get_rtt_ms (stats), ==, -1.0);
  g_assert_cmpfloat (dt_call_stats_get_mos (stats), ==, 5.0);

  g_assert_finalize_object (g_steal_pointer (&stats));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/call/initial-state", test_call_initial_state);
  g_test_add_func ("/call/transition-table", test_call_transition_table);
  g_test_add_func ("/call/every-legal-move", test_call_every_legal_move);
  g_test_add_func ("/call/every-illegal-move", test_call_every_illegal_move);
  g_test_add_func ("/call/end-needs-reason", test_call_end_needs_reason);
  g_test_add_func ("/call/same-state", test_call_same_state);
  g_test_add_func ("/call/full-outgoing", test_call_full_outgoing);
  g_test_add_func ("/call/answer", test_call_answer);
  g_test_add_func ("/call/hangup-reasons", test_call_hangup_reasons);
  g_test_add_func ("/call/operations-refused", test_call_operations_refused);
  g_test_add_func ("/call/transfer", test_call_transfer);
  g_test_add_func ("/call/not-supported", test_call_not_supported);
  g_test_add_func ("/call/dtmf", test_call_dtmf);
  g_test_add_func ("/call/dtmf-received", test_call_dtmf_received);
  g_test_add_func ("/call/mute", test_call_mute);
  g_test_add_func ("/call/levels", test_call_levels);
  g_test_add_func ("/call/end-reason-names", test_call_end_reason_names);
  g_test_add_func ("/call/stats", test_call_stats);

  return g_test_run ();
}
