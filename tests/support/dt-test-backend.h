/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-backend.h
 *
 * Driving a DtBackend and its calls from a test: each operation started
 * and waited for in the main context, with a deadline, its error checked.
 */
#pragma once

#include "dt-backend.h"

G_BEGIN_DECLS

#define DT_TEST_BACKEND_WAIT_S 20

/* Any _async call's result: pass dt_test_async_ready and a zeroed
 * DtTestAsync, then dt_test_async_wait() for the result (transfer full). */
typedef struct
{
  GAsyncResult *result;
} DtTestAsync;

void          dt_test_async_ready (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data);
GAsyncResult *dt_test_async_wait  (DtTestAsync  *async,
                                   const char   *what);

void    dt_test_backend_connect    (DtBackend   *backend,
                                    DtAccount   *account);
void    dt_test_backend_disconnect (DtBackend   *backend,
                                    DtAccount   *account);
DtCall *dt_test_backend_dial       (DtBackend   *backend,
                                    DtAccount   *account,
                                    const char  *uri);
void    dt_test_call_answer        (DtCall      *call);
void    dt_test_call_hangup        (DtCall      *call);
void    dt_test_call_hold          (DtCall      *call,
                                    gboolean     hold);
void    dt_test_call_wait_state    (DtCall      *call,
                                    DtCallState  state);

G_END_DECLS
