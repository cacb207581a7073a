/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call-manager.c
 *
 * DtCallManager over a backend the test scripts (protocol "loop"): which
 * accounts get connected and when, which account an address goes to, live
 * calls coming and going, rows in a real history database, and stopping.
 * The protocol backends have their own whole-call tests; this one is about
 * the manager's bookkeeping.
 */

#include "config.h"

#include <glib/gstdio.h>

#include "dt-call-manager.h"
#include "dt-call-private.h"

/* --- a call that ends when told ----------------------------------------- */

#define TEST_TYPE_CALL (test_call_get_type ())
G_DECLARE_FINAL_TYPE (TestCall, test_call, TEST, CALL, DtCall)

struct _TestCall
{
  DtCall parent_instance;
};

G_DEFINE_FINAL_TYPE (TestCall, test_call, DT_TYPE_CALL)

static void
test_call_hangup_async (DtCall              *call,
                        DtCallEndReason      reason,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (call, cancellable, callback, user_data);

  g_assert_true (_dt_call_end (call, reason, NULL, NULL));
  g_task_return_boolean (task, TRUE);
}

static gboolean
test_call_hangup_finish (DtCall        *call,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Hold takes a main-loop turn, as a re-INVITE would. */
static gboolean
finish_hold (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  DtCall *call = g_task_get_source_object (task);
  gboolean hold = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;

  if (_dt_call_set_state (call, hold ? DT_CALL_STATE_HELD : DT_CALL_STATE_ACTIVE, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  return G_SOURCE_REMOVE;
}

static void
test_call_hold_async (DtCall              *call,
                      gboolean             hold,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (call, cancellable, callback, user_data);

  g_task_set_task_data (task, GINT_TO_POINTER (hold), NULL);
  g_idle_add (finish_hold, task);
}

static void
test_call_class_init (TestCallClass *klass)
{
  DT_CALL_CLASS (klass)->hangup_async = test_call_hangup_async;
  DT_CALL_CLASS (klass)->hangup_finish = test_call_hangup_finish;
  DT_CALL_CLASS (klass)->hold_async = test_call_hold_async;
  DT_CALL_CLASS (klass)->hold_finish = test_call_hangup_finish;
}

static void
test_call_init (TestCall *self)
{
}

/* --- a backend that logs what it was asked ------------------------------ */

#define TEST_TYPE_BACKEND (test_backend_get_type ())
G_DECLARE_FINAL_TYPE (TestBackend, test_backend, TEST, BACKEND, GObject)

struct _TestBackend
{
  GObject    parent_instance;
  GPtrArray *log;   /* "connect ID", "disconnect ID", "dial ID URI" */
  gboolean   slow;  /* connects stay "connecting" until the test says */
  gboolean   answered_at_once;  /* calls are up before the dial returns */
};

static void test_backend_iface_init (DtBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBackend, test_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DT_TYPE_BACKEND, test_backend_iface_init))

static const char *
backend_protocol (DtBackend *backend)
{
  return "loop";
}

static const char * const *
backend_schemes (DtBackend *backend)
{
  static const char * const schemes[] = { "loop", NULL };

  return schemes;
}

static void
backend_connect_async (DtBackend           *backend,
                       DtAccount           *account,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  TestBackend *self = TEST_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (backend, cancellable, callback, user_data);

  g_ptr_array_add (self->log, g_strdup_printf ("connect %s", dt_account_get_id (account)));
  dt_account_set_state (account, self->slow ? DT_ACCOUNT_STATE_CONNECTING
                                            : DT_ACCOUNT_STATE_ONLINE, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
backend_disconnect_async (DtBackend           *backend,
                          DtAccount           *account,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  TestBackend *self = TEST_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (backend, cancellable, callback, user_data);

  g_ptr_array_add (self->log, g_strdup_printf ("disconnect %s", dt_account_get_id (account)));
  dt_account_set_state (account, DT_ACCOUNT_STATE_OFFLINE, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
backend_finish_boolean (DtBackend     *backend,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static DtCall *
new_call (DtAccount       *account,
          DtCallDirection  direction,
          const char      *uri)
{
  return g_object_new (TEST_TYPE_CALL,
                       "protocol", "loop",
                       "account-id", dt_account_get_id (account),
                       "direction", direction,
                       "peer-uri", uri,
                       NULL);
}

static void
backend_dial_async (DtBackend           *backend,
                    DtAccount           *account,
                    const char          *uri,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  TestBackend *self = TEST_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (backend, cancellable, callback, user_data);

  DtCall *call = new_call (account, DT_CALL_DIRECTION_OUTGOING, uri);

  g_ptr_array_add (self->log, g_strdup_printf ("dial %s %s", dt_account_get_id (account), uri));
  if (self->answered_at_once)
    g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, NULL));
  g_task_return_pointer (task, call, g_object_unref);
}

static DtCall *
backend_dial_finish (DtBackend     *backend,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_backend_iface_init (DtBackendInterface *iface)
{
  iface->get_protocol = backend_protocol;
  iface->get_uri_schemes = backend_schemes;
  iface->connect_async = backend_connect_async;
  iface->connect_finish = backend_finish_boolean;
  iface->disconnect_async = backend_disconnect_async;
  iface->disconnect_finish = backend_finish_boolean;
  iface->dial_async = backend_dial_async;
  iface->dial_finish = backend_dial_finish;
}

static void
test_backend_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_BACKEND (object)->log);
  G_OBJECT_CLASS (test_backend_parent_class)->finalize (object);
}

static void
test_backend_class_init (TestBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_backend_finalize;
}

static void
test_backend_init (TestBackend *self)
{
  self->log = g_ptr_array_new_with_free_func (g_free);
}

/* --- fixture ------------------------------------------------------------ */

typedef struct
{
  char              *dir;
  TestBackend       *backend;
  DtBackendRegistry *registry;
  GListStore        *accounts;
  DtAccount         *work;
  DtAccount         *home;
  DtAccount         *other;    /* a protocol nobody handles */
  DtHistory         *history;
  DtCallManager     *manager;
} Fixture;

static DtAccount *
add_account (Fixture    *f,
             const char *id,
             const char *protocol,
             gboolean    enabled)
{
  g_autoptr(DtAccount) account = dt_account_new (id, protocol);

  dt_account_set_enabled (account, enabled);
  g_list_store_append (f->accounts, account);
  return account;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("dialtone-manager-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "history.db", NULL);
  f->history = dt_history_new_sync (path, NULL, &error);
  g_assert_no_error (error);

  f->backend = g_object_new (TEST_TYPE_BACKEND, NULL);
  f->registry = dt_backend_registry_new ();
  g_assert_true (dt_backend_registry_add (f->registry, DT_BACKEND (f->backend), NULL));
  f->accounts = g_list_store_new (DT_TYPE_ACCOUNT);
  f->work = add_account (f, "work", "loop", TRUE);
  f->home = add_account (f, "home", "loop", FALSE);
  f->other = add_account (f, "other", "carrier-pigeon", TRUE);

  f->manager = dt_call_manager_new (f->registry, G_LIST_MODEL (f->accounts));
  dt_call_manager_set_history (f->manager, f->history);
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* The history writes from a worker thread and holds itself until the last
 * row is written: wait for that, within reason. */
static void
assert_finalized_soon (gpointer object)
{
  gpointer weak = object;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint tick = g_timeout_add (10, on_tick, NULL);

  g_object_add_weak_pointer (object, &weak);
  g_object_unref (object);
  while (weak != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "history.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  /* Finished tasks hand over their results from idle callbacks, and rows
   * still being written hold the history; let all of them run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->manager);
  g_clear_object (&f->accounts);
  g_assert_finalize_object (f->registry);
  g_assert_finalize_object (f->backend);
  assert_finalized_soon (f->history);
  g_remove (path);
  g_remove (wal);
  g_remove (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
assert_log (Fixture            *f,
            const char * const *expected)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) log = NULL;

  for (guint i = 0; i < f->backend->log->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (f->backend->log, i));
  log = g_strv_builder_end (builder);
  g_assert_cmpstrv (log, expected);
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static DtCall *
dial (Fixture    *f,
      const char *uri,
      DtAccount  *account,
      GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_call_manager_dial_async (f->manager, uri, account, NULL, on_result, &result);
  return dt_call_manager_dial_finish (f->manager, wait_result (&result), error);
}

/* --- tests -------------------------------------------------------------- */

static void
test_connects_enabled_accounts (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(DtAccount) late = NULL;

  dt_call_manager_start (f->manager);
  assert_log (f, (const char *[]) { "connect work", NULL });
  g_assert_cmpint (dt_account_get_state (f->work), ==, DT_ACCOUNT_STATE_ONLINE);
  g_assert_cmpint (dt_account_get_state (f->home), ==, DT_ACCOUNT_STATE_OFFLINE);
  /* A protocol this build has no backend for says so on the account. */
  g_assert_cmpint (dt_account_get_state (f->other), ==, DT_ACCOUNT_STATE_FAILED);
  g_assert_nonnull (dt_account_get_failure_reason (f->other));

  dt_account_set_enabled (f->home, TRUE);
  dt_account_set_enabled (f->work, FALSE);
  late = g_object_ref (add_account (f, "late", "loop", TRUE));
  g_list_store_remove (f->accounts, 0);   /* "work" leaves the list */
  assert_log (f, (const char *[]) {
    "connect work", "connect home", "disconnect work", "connect late", NULL });

  g_list_store_remove (f->accounts, g_list_model_get_n_items (G_LIST_MODEL (f->accounts)) - 1);
  assert_log (f, (const char *[]) {
    "connect work", "connect home", "disconnect work", "connect late", "disconnect late",
    NULL });
}

/* The default account wins among online accounts of the protocol. */
static void
test_choose_account (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) unknown = NULL;

  dt_call_manager_start (f->manager);
  g_assert_true (dt_call_manager_choose_account (f->manager, "loop:42", NULL) == f->work);

  dt_account_set_enabled (f->home, TRUE);
  dt_call_manager_set_default_account (f->manager, f->home);
  g_assert_true (dt_call_manager_choose_account (f->manager, "loop:42", NULL) == f->home);

  /* An offline default loses to an online account. */
  dt_account_set_state (f->home, DT_ACCOUNT_STATE_FAILED, "down");
  g_assert_true (dt_call_manager_choose_account (f->manager, "loop:42", NULL) == f->work);

  dt_account_set_enabled (f->work, FALSE);
  dt_account_set_enabled (f->home, FALSE);
  g_assert_null (dt_call_manager_choose_account (f->manager, "loop:42", &error));
  g_assert_error (error, DT_CALL_MANAGER_ERROR, DT_CALL_MANAGER_ERROR_NO_ACCOUNT);

  g_assert_null (dt_call_manager_choose_account (f->manager, "gopher:x", &unknown));
  g_assert_error (unknown, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME);
}

static guint
wait_history_rows (Fixture *f,
                   guint    wanted,
                   GListModel **rows_out)
{
  for (guint attempt = 0; attempt < 200; attempt++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GListModel) rows = NULL;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      dt_history_query_async (f->history, NULL, 0, 50, NULL, on_result, &result);
      rows = dt_history_query_finish (f->history, wait_result (&result), NULL);
      g_assert_nonnull (rows);
      if (g_list_model_get_n_items (rows) >= wanted)
        {
          *rows_out = g_steal_pointer (&rows);
          return g_list_model_get_n_items (*rows_out);
        }
      g_usleep (10 * 1000);
    }
  g_assert_not_reached ();
}

/* Calls placed and received join the live list, leave it when they end,
 * and each leaves its row in the history with how it ended. */
static void
test_calls_and_history (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) outgoing = NULL;
  g_autoptr(DtCall) incoming = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GAsyncResult) hung = NULL;
  GListModel *calls = dt_call_manager_get_calls (f->manager);
  DtCallRecord *newest;

  dt_call_manager_start (f->manager);
  outgoing = dial (f, "loop:alice", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_call_get_account_id (outgoing), ==, "work");
  incoming = new_call (f->work, DT_CALL_DIRECTION_INCOMING, "loop:bob");
  dt_backend_emit_incoming_call (DT_BACKEND (f->backend), f->work, incoming);

  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 2);
  g_assert_true (dt_call_manager_find_call (f->manager, dt_call_get_id (incoming)) == incoming);
  g_assert_null (dt_call_manager_find_call (f->manager, "no-such-call"));

  dt_call_hangup_async (outgoing, NULL, on_result, &hung);
  g_assert_true (dt_call_hangup_finish (outgoing, wait_result (&hung), NULL));
  g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 1);

  g_assert_cmpuint (wait_history_rows (f, 2, &rows), ==, 2);
  /* Newest first: the incoming call, still going. */
  newest = g_list_model_get_item (rows, 0);
  g_assert_cmpstr (dt_call_record_get_peer_uri (newest), ==, "loop:bob");
  g_assert_cmpint (dt_call_record_get_direction (newest), ==, DT_CALL_DIRECTION_INCOMING);
  g_object_unref (newest);
  assert_log (f, (const char *[]) { "connect work", "dial work loop:alice", NULL });

  /* The history keeps a live call's row open; end it. */
  {
    g_autoptr(GAsyncResult) declined = NULL;

    dt_call_decline_async (incoming, NULL, on_result, &declined);
    g_assert_true (dt_call_hangup_finish (incoming, wait_result (&declined), NULL));
    g_assert_cmpuint (g_list_model_get_n_items (calls), ==, 0);
  }
}

/* A link that starts Dialtone is dialled while the history still opens:
 * that call, and one that already ended, get their rows once it is there,
 * with how they ended, and no call gets two. */
static void
test_calls_before_history (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) ended = NULL;
  g_autoptr(DtCall) live = NULL;
  g_autoptr(DtCall) later = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(GAsyncResult) hung = NULL;
  g_autoptr(DtCallRecord) oldest = NULL;

  dt_call_manager_set_history (f->manager, NULL);
  dt_call_manager_start (f->manager);
  ended = dial (f, "loop:first", NULL, &error);
  g_assert_no_error (error);
  dt_call_hangup_async (ended, NULL, on_result, &hung);
  g_assert_true (dt_call_hangup_finish (ended, wait_result (&hung), NULL));
  live = dial (f, "loop:second", NULL, &error);
  g_assert_no_error (error);

  dt_call_manager_set_history (f->manager, f->history);
  later = dial (f, "loop:third", NULL, &error);
  g_assert_no_error (error);
  dt_call_manager_set_history (f->manager, f->history);

  g_assert_cmpuint (wait_history_rows (f, 3, &rows), ==, 3);
  for (guint settle = 0; settle < 20; settle++)
    {
      g_clear_object (&rows);
      g_usleep (10 * 1000);
      wait_history_rows (f, 3, &rows);
    }
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 3);
  oldest = g_list_model_get_item (rows, 2);
  g_assert_cmpstr (dt_call_record_get_peer_uri (oldest), ==, "loop:first");
  g_assert_cmpint (dt_call_record_get_end_reason (oldest), ==, DT_CALL_END_REASON_CANCELLED);
  g_assert_nonnull (dt_call_record_get_end_time (oldest));

  /* The history holds the rows of live calls open: end them. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GAsyncResult) done = NULL;
      DtCall *call = i == 0 ? live : later;

      dt_call_hangup_async (call, NULL, on_result, &done);
      g_assert_true (dt_call_hangup_finish (call, wait_result (&done), NULL));
    }
}

/* A link opened while Dialtone starts finds its account still connecting:
 * the call waits for it rather than failing. */
static void
test_dial_waits_for_connecting (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(DtCall) call = NULL;

  f->backend->slow = TRUE;
  dt_call_manager_start (f->manager);
  g_assert_cmpint (dt_account_get_state (f->work), ==, DT_ACCOUNT_STATE_CONNECTING);

  dt_call_manager_dial_async (f->manager, "loop:early", NULL, NULL, on_result, &result);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (result);
  assert_log (f, (const char *[]) { "connect work", NULL });

  dt_account_set_state (f->work, DT_ACCOUNT_STATE_ONLINE, NULL);
  call = dt_call_manager_dial_finish (f->manager, wait_result (&result), NULL);
  g_assert_nonnull (call);
  assert_log (f, (const char *[]) { "connect work", "dial work loop:early", NULL });
  dt_call_hangup_async (call, NULL, NULL, NULL);
}

static void
settle (void)
{
  for (guint i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
assert_states (DtCall * const *calls,
               const DtCallState *states)
{
  for (guint i = 0; calls[i] != NULL; i++)
    {
      if (dt_call_get_state (calls[i]) != states[i])
        g_error ("Call %u is %s, not %s", i, dt_call_state_to_string (dt_call_get_state (calls[i])),
                 dt_call_state_to_string (states[i]));
    }
}

static void
hang_up_all (DtCall * const *calls)
{
  for (guint i = 0; calls[i] != NULL; i++)
    dt_call_hangup_async (calls[i], NULL, NULL, NULL);
  settle ();
}

/* Two calls placed one after the other: whichever far end answers first,
 * the first call talks and the second waits on hold. */
static void
test_second_call_waits (Fixture       *f,
                        gconstpointer  data)
{
  gboolean second_answers_first = GPOINTER_TO_INT (data);
  g_autoptr(DtCall) first = NULL;
  g_autoptr(DtCall) second = NULL;

  dt_call_manager_start (f->manager);
  first = dial (f, "loop:one", NULL, NULL);
  second = dial (f, "loop:two", NULL, NULL);
  g_assert_nonnull (first);
  g_assert_nonnull (second);

  if (second_answers_first)
    {
      g_assert_true (_dt_call_set_state (second, DT_CALL_STATE_ACTIVE, NULL));
      settle ();
      assert_states ((DtCall *[]) { first, second, NULL },
                     (DtCallState[]) { DT_CALL_STATE_DIALING, DT_CALL_STATE_HELD });
      g_assert_true (_dt_call_set_state (first, DT_CALL_STATE_ACTIVE, NULL));
    }
  else
    {
      g_assert_true (_dt_call_set_state (first, DT_CALL_STATE_ACTIVE, NULL));
      settle ();
      g_assert_true (_dt_call_set_state (second, DT_CALL_STATE_ACTIVE, NULL));
    }
  settle ();
  assert_states ((DtCall *[]) { first, second, NULL },
                 (DtCallState[]) { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_HELD });
  hang_up_all ((DtCall *[]) { first, second, NULL });
}

/* A far end on the same machine may answer before the dial returns. */
static void
test_second_call_waits_answered_at_once (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(DtCall) first = NULL;
  g_autoptr(DtCall) second = NULL;

  f->backend->answered_at_once = TRUE;
  dt_call_manager_start (f->manager);
  first = dial (f, "loop:one", NULL, NULL);
  second = dial (f, "loop:two", NULL, NULL);
  settle ();
  assert_states ((DtCall *[]) { first, second, NULL },
                 (DtCallState[]) { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_HELD });
  hang_up_all ((DtCall *[]) { first, second, NULL });
}

/* Call waiting: answering an incoming call puts the talking one on hold,
 * and resuming a held call swaps them back. The line is never shared. */
static void
test_answer_and_resume_take_the_line (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(DtCall) outgoing = NULL;
  g_autoptr(DtCall) incoming = NULL;
  g_autoptr(GAsyncResult) resumed = NULL;

  dt_call_manager_start (f->manager);
  outgoing = dial (f, "loop:alice", NULL, NULL);
  g_assert_true (_dt_call_set_state (outgoing, DT_CALL_STATE_ACTIVE, NULL));
  incoming = new_call (f->work, DT_CALL_DIRECTION_INCOMING, "loop:bob");
  dt_backend_emit_incoming_call (DT_BACKEND (f->backend), f->work, incoming);
  g_assert_true (_dt_call_set_state (incoming, DT_CALL_STATE_RINGING, NULL));
  settle ();
  /* Ringing takes nothing away. */
  assert_states ((DtCall *[]) { outgoing, incoming, NULL },
                 (DtCallState[]) { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_RINGING });

  g_assert_true (_dt_call_set_state (incoming, DT_CALL_STATE_ACTIVE, NULL));
  settle ();
  assert_states ((DtCall *[]) { outgoing, incoming, NULL },
                 (DtCallState[]) { DT_CALL_STATE_HELD, DT_CALL_STATE_ACTIVE });

  dt_call_hold_async (outgoing, FALSE, NULL, on_result, &resumed);
  g_assert_true (dt_call_hold_finish (outgoing, wait_result (&resumed), NULL));
  settle ();
  assert_states ((DtCall *[]) { outgoing, incoming, NULL },
                 (DtCallState[]) { DT_CALL_STATE_ACTIVE, DT_CALL_STATE_HELD });

  /* With the other call gone, a resumed call simply talks. */
  hang_up_all ((DtCall *[]) { outgoing, NULL });
  g_clear_object (&resumed);
  dt_call_hold_async (incoming, FALSE, NULL, on_result, &resumed);
  g_assert_true (dt_call_hold_finish (incoming, wait_result (&resumed), NULL));
  settle ();
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);
  hang_up_all ((DtCall *[]) { incoming, NULL });
}

/* Stopping hangs up what is live and disconnects what was connected. */
static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(DtCall) call = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) rows = NULL;
  g_autoptr(DtCallRecord) record = NULL;

  dt_account_set_enabled (f->home, TRUE);
  dt_call_manager_start (f->manager);
  call = dial (f, "loop:carol", f->home, NULL);
  g_assert_nonnull (call);

  dt_call_manager_stop_async (f->manager, NULL, on_result, &result);
  g_assert_true (dt_call_manager_stop_finish (f->manager, wait_result (&result), NULL));
  g_assert_cmpint (dt_call_get_state (call), ==, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (call), ==, DT_CALL_END_REASON_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (dt_call_manager_get_calls (f->manager)), ==, 0);
  g_assert_cmpint (dt_account_get_state (f->work), ==, DT_ACCOUNT_STATE_OFFLINE);
  g_assert_cmpint (dt_account_get_state (f->home), ==, DT_ACCOUNT_STATE_OFFLINE);

  /* The row has the end. */
  for (guint attempt = 0; attempt < 200; attempt++)
    {
      g_autoptr(GAsyncResult) query = NULL;

      g_clear_object (&rows);
      g_clear_object (&record);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      dt_history_query_async (f->history, NULL, 0, 10, NULL, on_result, &query);
      rows = dt_history_query_finish (f->history, wait_result (&query), NULL);
      record = g_list_model_get_item (rows, 0);
      if (record != NULL && dt_call_record_get_end_reason (record) != DT_CALL_END_REASON_NONE)
        break;
      g_usleep (10 * 1000);
    }
  g_assert_nonnull (record);
  g_assert_cmpint (dt_call_record_get_end_reason (record), ==, DT_CALL_END_REASON_CANCELLED);
  g_assert_cmpstr (dt_call_record_get_account_id (record), ==, "home");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/call-manager/connects-enabled-accounts", test_connects_enabled_accounts);
  ADD ("/call-manager/choose-account", test_choose_account);
  ADD ("/call-manager/calls-and-history", test_calls_and_history);
  ADD ("/call-manager/calls-before-history", test_calls_before_history);
  ADD ("/call-manager/stop", test_stop);
  ADD ("/call-manager/dial-waits-for-connecting", test_dial_waits_for_connecting);
  g_test_add ("/call-manager/second-call-waits/first-answers-first", Fixture,
              GINT_TO_POINTER (FALSE), fixture_setup, test_second_call_waits, fixture_teardown);
  g_test_add ("/call-manager/second-call-waits/second-answers-first", Fixture,
              GINT_TO_POINTER (TRUE), fixture_setup, test_second_call_waits, fixture_teardown);
  ADD ("/call-manager/second-call-waits/answered-at-once",
       test_second_call_waits_answered_at_once);
  ADD ("/call-manager/answer-and-resume-take-the-line", test_answer_and_resume_take_the_line);
#undef ADD

  return g_test_run ();
}
