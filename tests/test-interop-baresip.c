/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-interop-baresip.c
 *
 * baresip 1.0.0 (Debian's baresip-core), a SIP client nobody here wrote,
 * against dialtone-helper and Dialtone's SIP backend, on loopback: baresip
 * registers with the helper's registrar (digest), Dialtone calls baresip
 * through the helper and baresip answers by itself, and baresip calls
 * Dialtone, which answers. Signalling only: the audio in these calls is
 * checked with the media engine's tests.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "dt-sip-backend.h"
#include "dt-test-helper.h"

#define DEADLINE_S 20

typedef struct
{
  char         *dir;
  DtTestHelper *helper;
  DtSipBackend *backend;
  DtAccount    *alice;
  GSubprocess  *baresip;
  GPtrArray    *incoming;
} Fixture;

static guint16
free_udp_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A headless baresip: ausine as the microphone (it insists on 48 kHz
 * stereo), no player, auto-answer, registering as carol. */
static void
start_baresip (Fixture    *f,
               const char *command)
{
  g_autofree char *config = g_build_filename (f->dir, "config", NULL);
  g_autofree char *accounts = g_build_filename (f->dir, "accounts", NULL);
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *config_text = NULL;
  g_autofree char *account_text = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  config_text = g_strdup_printf ("poll_method epoll\n"
                                 "sip_listen 127.0.0.1:%u\n"
                                 "module_path /usr/lib/baresip/modules\n"
                                 "module g711.so\n"
                                 "module opus.so\n"
                                 "module ausine.so\n"
                                 "module_tmp account.so\n"
                                 "module_app menu.so\n"
                                 "audio_source ausine,440\n"
                                 "ausrc_srate 48000\n"
                                 "ausrc_channels 2\n",
                                 free_udp_port ());
  account_text = g_strdup_printf ("<sip:carol@127.0.0.1:%u>;auth_pass=carolpass;"
                                  "answermode=auto;regint=60\n", f->helper->port);
  g_assert_true (g_file_set_contents (config, config_text, -1, NULL));
  g_assert_true (g_file_set_contents (accounts, account_text, -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  if (command != NULL)
    f->baresip = g_subprocess_launcher_spawn (launcher, &error, "baresip", "-f", f->dir,
                                              "-t", "30", "-e", command, NULL);
  else
    f->baresip = g_subprocess_launcher_spawn (launcher, &error, "baresip", "-f", f->dir,
                                              "-t", "30", NULL);
  g_assert_no_error (error);
}

static void
on_incoming_call (DtBackend *backend,
                  DtAccount *account,
                  DtCall    *call,
                  gpointer   user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->incoming, g_object_ref (call));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *server = NULL;

  f->dir = g_dir_make_tmp ("dialtone-baresip-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->helper = dt_test_helper_start ("--user", "alice:secret", "--user", "carol:carolpass",
                                    NULL);
  f->backend = dt_sip_backend_new ();
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->backend, "incoming-call", G_CALLBACK (on_incoming_call), f);

  server = g_strdup_printf ("sip:127.0.0.1:%u", f->helper->port);
  f->alice = dt_account_new ("alice", "sip");
  dt_account_set_identity (f->alice, "sip:alice@127.0.0.1");
  dt_account_set_server (f->alice, server);
  dt_account_set_transport (f->alice, DT_TRANSPORT_UDP);
  dt_sip_backend_set_password (f->backend, "alice", "secret");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);
  g_autofree char *contents = NULL;

  if (f->baresip != NULL)
    {
      g_subprocess_send_signal (f->baresip, SIGTERM);
      g_subprocess_wait (f->baresip, NULL, NULL);
      g_clear_object (&f->baresip);
    }
  if (g_test_failed () && g_file_get_contents (log, &contents, NULL, NULL))
    g_test_message ("baresip said:\n%s", contents);
  g_ptr_array_unref (f->incoming);
  g_clear_object (&f->alice);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->backend);
  dt_test_helper_stop (f->helper);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->dir);
}

typedef struct
{
  gboolean  done;
  GError   *error;
  DtCall   *call;
} Result;

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  dt_backend_connect_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;

  r->call = dt_backend_dial_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Result *) user_data)->done = TRUE;
}

static void
wait_done (Result *r)
{
  g_assert_true (dt_test_iterate_until (result_done, r, DEADLINE_S * 1000));
}

typedef struct
{
  DtCall      *call;
  DtCallState  state;
} StateWait;

static gboolean
call_in_state (gpointer data)
{
  StateWait *wait = data;

  return dt_call_get_state (wait->call) == wait->state;
}

static void
wait_call_state (DtCall      *call,
                 DtCallState  state)
{
  StateWait wait = { call, state };

  g_assert_true (dt_test_iterate_until (call_in_state, &wait, DEADLINE_S * 1000));
}

static gboolean
have_incoming (gpointer data)
{
  return ((Fixture *) data)->incoming->len > 0;
}

static void
connect_alice (Fixture *f)
{
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), f->alice, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_no_error (r.error);
}

/* GSubprocess reaps its child on GLib's worker thread and forgets the pid. */
static gboolean
baresip_gone (Fixture *f)
{
  return g_subprocess_get_identifier (f->baresip) == NULL;
}

static gboolean
carol_registered_or_gone (gpointer data)
{
  Fixture *f = data;

  for (GList *l = f->helper->events.head; l != NULL; l = l->next)
    {
      JsonObject *event = l->data;

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "event", NULL),
                     "registered") == 0
          && g_strcmp0 (json_object_get_string_member_with_default (event, "user", NULL),
                        "carol") == 0)
        return TRUE;
    }
  return baresip_gone (f);
}

static void
dump_baresip_log (Fixture *f)
{
  g_autofree char *log = g_build_filename (f->dir, "baresip.log", NULL);
  g_autofree char *contents = NULL;

  if (g_file_get_contents (log, &contents, NULL, NULL))
    g_printerr ("baresip said:\n%s\n", contents);
}

/* baresip listens on a port picked just before it starts; should another
 * process take that port first, baresip exits, and one more start with a
 * fresh port tells that race from a real failure. */
static void
wait_carol_registered (Fixture    *f,
                       const char *command)
{
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      gboolean in_time;

      start_baresip (f, command);
      in_time = dt_test_iterate_until (carol_registered_or_gone, f, DEADLINE_S * 1000);
      if (in_time && !baresip_gone (f))
        return;
      dump_baresip_log (f);
      if (!in_time)
        break;
      g_test_message ("baresip exited before it registered; starting it again");
      g_clear_object (&f->baresip);
    }
  g_error ("baresip did not register with the helper within %d s", DEADLINE_S);
}

/* RFC 3261 §22: baresip answers the helper's challenge and is registered. */
static void
test_baresip_registers (Fixture       *f,
                        gconstpointer  data)
{
  wait_carol_registered (f, NULL);
}

/* Dialtone calls carol; the helper finds baresip's binding, baresip
 * answers by itself; Dialtone hangs up. */
static void
test_dialtone_calls_baresip (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(DtCall) call = NULL;
  Result dial = { 0 };
  Result hangup = { 0 };
  JsonObject *ended;

  wait_carol_registered (f, NULL);
  connect_alice (f);

  dt_backend_dial_async (DT_BACKEND (f->backend), f->alice, "carol", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  call = dial.call;
  wait_call_state (call, DT_CALL_STATE_ACTIVE);
  /* baresip has opus, PCMU and PCMA; Dialtone offers Opus first. */
  g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (call)), ==, "opus/48000");

  dt_call_hangup_async (call, NULL, on_done, &hangup);
  wait_done (&hangup);
  ended = dt_test_helper_wait_event (f->helper, "call-ended");
  json_object_unref (ended);
}

/* baresip dials alice at start-up; Dialtone rings and answers; baresip
 * is stopped, which hangs up. */
static void
test_baresip_calls_dialtone (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *dial = NULL;
  g_autofree char *carol = NULL;
  DtCall *incoming;
  Result answer = { 0 };

  connect_alice (f);
  dial = g_strdup_printf ("/dial sip:alice@127.0.0.1:%u", f->helper->port);
  start_baresip (f, dial);

  g_assert_true (dt_test_iterate_until (have_incoming, f, DEADLINE_S * 1000));
  incoming = g_ptr_array_index (f->incoming, 0);
  g_assert_cmpint (dt_call_get_direction (incoming), ==, DT_CALL_DIRECTION_INCOMING);
  /* baresip's address of record, as its account line names it. */
  carol = g_strdup_printf ("sip:carol@127.0.0.1:%u", f->helper->port);
  g_assert_cmpstr (dt_call_get_peer_uri (incoming), ==, carol);
  dt_call_answer_async (incoming, NULL, on_done, &answer);
  wait_done (&answer);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);

  g_subprocess_send_signal (f->baresip, SIGTERM);
  wait_call_state (incoming, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (incoming), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/interop/baresip/registers", test_baresip_registers);
  ADD ("/interop/baresip/dialtone-calls-baresip", test_dialtone_calls_baresip);
  ADD ("/interop/baresip/baresip-calls-dialtone", test_baresip_calls_dialtone);
#undef ADD

  return g_test_run ();
}
