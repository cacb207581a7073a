/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-helper.c
 *
 * dialtone-helper as a test's child process; see dt-test-helper.h.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "dt-test-helper.h"

static void read_event (DtTestHelper *helper);

static void
on_event_line (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  DtTestHelper *helper = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (line == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        helper->eof = TRUE;
      return;
    }

  /* Every line the helper prints is one JSON object. */
  node = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_test_message ("helper: %s", line);
  g_queue_push_tail (&helper->events, json_object_ref (json_node_get_object (node)));
  read_event (helper);
}

static void
read_event (DtTestHelper *helper)
{
  g_data_input_stream_read_line_async (helper->out, G_PRIORITY_DEFAULT, helper->cancellable,
                                       on_event_line, helper);
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
dt_test_iterate_until (DtTestDoneFunc done,
               gpointer data,
               guint    timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);

  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return !timed_out;
}

typedef struct
{
  DtTestHelper     *helper;
  const char *name;
  JsonObject *found;
} EventWait;

static gboolean
event_arrived (gpointer data)
{
  EventWait *wait = data;

  for (GList *l = wait->helper->events.head; l != NULL; l = l->next)
    {
      JsonObject *event = l->data;

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL),
                     wait->name) == 0)
        {
          wait->found = event;
          g_queue_delete_link (&wait->helper->events, l);
          return TRUE;
        }
    }
  return wait->helper->eof;
}

/* The next event called @name, taken out of the queue. */
JsonObject *
dt_test_helper_wait_event (DtTestHelper     *helper,
                   const char *name)
{
  EventWait wait = { helper, name, NULL };

  dt_test_iterate_until (event_arrived, &wait, DT_TEST_WAIT_S * 1000);
  if (wait.found == NULL)
    g_error ("No “%s” event from the helper", name);
  return wait.found;
}

gboolean
dt_test_helper_has_event (DtTestHelper     *helper,
                  const char *name)
{
  for (GList *l = helper->events.head; l != NULL; l = l->next)
    if (g_strcmp0 (json_object_get_string_member_with_default (l->data, "event", NULL), name)
        == 0)
      return TRUE;
  return FALSE;
}

/* A test that fails half-way must not leave its helper behind. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

DtTestHelper *
dt_test_helper_start (const char *first_arg,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("DIALTONE_HELPER");
  DtTestHelper *helper = g_new0 (DtTestHelper, 1);
  JsonObject *ready;
  JsonObject *sip;
  va_list args;

  g_assert_nonnull (path);
  g_ptr_array_add (argv, (char *) path);
  g_ptr_array_add (argv, (char *) "serve");
  g_ptr_array_add (argv, (char *) "--sip");
  g_ptr_array_add (argv, (char *) "0");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  helper->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  helper->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (helper->process));
  helper->in = g_object_ref (g_subprocess_get_stdin_pipe (helper->process));
  helper->cancellable = g_cancellable_new ();
  read_event (helper);

  /* The contract: one ready line first, naming the ports. */
  ready = dt_test_helper_wait_event (helper, "ready");
  g_assert_true (json_object_has_member (ready, "sip"));
  sip = json_object_get_object_member (ready, "sip");
  helper->port = (guint16) json_object_get_int_member_with_default (sip, "udp", 0);
  g_assert_cmpuint (helper->port, >, 0);
  g_assert_cmpint (json_object_get_int_member_with_default (sip, "tcp", 0), ==, helper->port);
  helper->tls_port = (guint16) json_object_get_int_member_with_default (sip, "tls", 0);
  json_object_unref (ready);
  return helper;
}

void
dt_test_helper_send_command (DtTestHelper     *helper,
                     const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat (line, "\n", NULL);

  g_output_stream_write_all (helper->in, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (helper->in, NULL, &error);
  g_assert_no_error (error);
}

gboolean
dt_test_flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_wait_check (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* SIGTERM must end the helper cleanly, with exit status 0. */
void
dt_test_helper_stop (DtTestHelper *helper)
{
  gboolean exited = FALSE;

  g_subprocess_send_signal (helper->process, SIGTERM);
  g_subprocess_wait_async (helper->process, NULL, on_wait_check, &exited);
  g_assert_true (dt_test_iterate_until (dt_test_flag_set, &exited, DT_TEST_WAIT_S * 1000));
  g_assert_true (g_subprocess_get_if_exited (helper->process));
  g_assert_cmpint (g_subprocess_get_exit_status (helper->process), ==, 0);

  g_cancellable_cancel (helper->cancellable);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_queue_clear_full (&helper->events, (GDestroyNotify) json_object_unref);
  g_object_unref (helper->cancellable);
  g_object_unref (helper->out);
  g_object_unref (helper->in);
  g_object_unref (helper->process);
  g_free (helper);
}
