/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-backend.c
 *
 * Each helper runs one asynchronous backend or call operation to its end.
 */

#include "config.h"

#include "dt-test-backend.h"
#include "dt-test-helper.h"

void
dt_test_async_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ((DtTestAsync *) user_data)->result = g_object_ref (result);
}

static gboolean
have_result (gpointer data)
{
  return ((DtTestAsync *) data)->result != NULL;
}

GAsyncResult *
dt_test_async_wait (DtTestAsync *async,
                    const char  *what)
{
  if (!dt_test_iterate_until (have_result, async, DT_TEST_BACKEND_WAIT_S * 1000))
    g_error ("%s did not finish within %d s", what, DT_TEST_BACKEND_WAIT_S);
  return g_steal_pointer (&async->result);
}

void
dt_test_backend_connect (DtBackend *backend,
                         DtAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };

  dt_backend_connect_async (backend, account, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, "Connecting the account");
  g_assert_true (dt_backend_connect_finish (backend, result, &error));
  g_assert_no_error (error);
}

void
dt_test_backend_disconnect (DtBackend *backend,
                            DtAccount *account)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };

  dt_backend_disconnect_async (backend, account, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, "Disconnecting the account");
  g_assert_true (dt_backend_disconnect_finish (backend, result, &error));
  g_assert_no_error (error);
}

/* Returns: (transfer full): the call */
DtCall *
dt_test_backend_dial (DtBackend  *backend,
                      DtAccount  *account,
                      const char *uri)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };
  DtCall *call;

  dt_backend_dial_async (backend, account, uri, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, "Dialling");
  call = dt_backend_dial_finish (backend, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (call);
  return call;
}

void
dt_test_call_answer (DtCall *call)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };

  dt_call_answer_async (call, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, "Answering");
  g_assert_true (dt_call_answer_finish (call, result, &error));
  g_assert_no_error (error);
}

void
dt_test_call_hangup (DtCall *call)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };

  dt_call_hangup_async (call, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, "Hanging up");
  g_assert_true (dt_call_hangup_finish (call, result, &error));
  g_assert_no_error (error);
}

void
dt_test_call_hold (DtCall   *call,
                   gboolean  hold)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  DtTestAsync wait = { NULL };

  dt_call_hold_async (call, hold, NULL, dt_test_async_ready, &wait);
  result = dt_test_async_wait (&wait, hold ? "Holding" : "Resuming");
  g_assert_true (dt_call_hold_finish (call, result, &error));
  g_assert_no_error (error);
}

typedef struct
{
  DtCall      *call;
  DtCallState  state;
} StateWait;

static gboolean
in_state (gpointer data)
{
  StateWait *wait = data;

  return dt_call_get_state (wait->call) == wait->state;
}

void
dt_test_call_wait_state (DtCall      *call,
                         DtCallState  state)
{
  StateWait wait = { call, state };

  if (!dt_test_iterate_until (in_state, &wait, DT_TEST_BACKEND_WAIT_S * 1000))
    g_error ("Call %s is %s, not %s after %d s", dt_call_get_id (call),
             dt_call_state_to_string (dt_call_get_state (call)), dt_call_state_to_string (state),
             DT_TEST_BACKEND_WAIT_S);
}
