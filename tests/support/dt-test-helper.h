/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-helper.h
 *
 * `dialtone-helper serve` as a child process of a test: started with the
 * arguments a test gives (its path comes from $DIALTONE_HELPER), its ready
 * line read, its event lines collected, its standard input for commands,
 * and SIGTERM at the end, which must give exit status 0.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define DT_TEST_WAIT_S 10

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  GOutputStream    *in;
  GQueue            events;     /* of JsonObject, in arrival order */
  GCancellable     *cancellable;
  gboolean          eof;
  guint16           port;
  guint16           tls_port;
} DtTestHelper;

/* Runs the main context until @done says so, or @timeout_ms pass; %FALSE
 * on a timeout. The helper's arguments end with %NULL. */
typedef gboolean (*DtTestDoneFunc) (gpointer data);

gboolean      dt_test_iterate_until       (DtTestDoneFunc  done,
                                           gpointer        data,
                                           guint           timeout_ms);
gboolean      dt_test_flag_set            (gpointer        data);
DtTestHelper *dt_test_helper_start        (const char     *first_arg,
                                           ...);
JsonObject   *dt_test_helper_wait_event   (DtTestHelper   *helper,
                                           const char     *name);
gboolean      dt_test_helper_has_event    (DtTestHelper   *helper,
                                           const char     *name);
void          dt_test_helper_send_command (DtTestHelper   *helper,
                                           const char     *line);
void          dt_test_helper_stop         (DtTestHelper   *helper);

G_END_DECLS
