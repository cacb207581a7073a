/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-interop-kamailio.c
 *
 * Dialtone's SIP backend against a real Kamailio 5.6 registrar with digest
 * authentication (tests/interop/kamailio.cfg), on loopback: registering
 * over UDP and TCP, a refused password, registering again after Kamailio
 * restarts (it keeps bindings in memory, so it really forgets them), the
 * SHA-256 challenge of RFC 8760, unregistering, and a call between two
 * of our accounts that Kamailio routes.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "dt-sip-backend.h"

#define DEADLINE_S 30

static char *kamailio_path;
static char *config_template;

typedef struct
{
  char         *dir;
  guint16       port;
  GSubprocess  *kamailio;
  DtSipBackend *backend;
  GPtrArray    *incoming;      /* of DtCall */
  GPtrArray    *added;         /* of DtCall, placed by the backend itself */
} Fixture;

/* --- Kamailio ----------------------------------------------------------- */

static guint16
free_port (void)
{
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(GSocket) tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GSocket) udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocketAddress) same = NULL;
      guint16 port;

      g_assert_true (g_socket_bind (tcp, any, TRUE, NULL));
      bound = g_socket_get_local_address (tcp, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      same = g_inet_socket_address_new (lo, port);
      if (g_socket_bind (udp, same, TRUE, NULL))
        return port;
    }
  g_assert_not_reached ();
}

static gboolean
kamailio_answers (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  /* Loopback needs no proxy, and the proxy settings' schema is not in the
   * test's schema folder. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

static void
start_kamailio (Fixture    *f,
                const char *define)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GString) config = g_string_new (config_template);
  g_autofree char *port = g_strdup_printf ("%u", f->port);
  g_autofree char *cfg = g_build_filename (f->dir, "kamailio.cfg", NULL);
  g_autofree char *log = g_build_filename (f->dir, "kamailio.log", NULL);
  g_autofree char *run = g_build_filename (f->dir, "run", NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *argv = g_ptr_array_new ();
  gint64 deadline;

  g_string_replace (config, "@PORT@", port, 0);
  g_assert_true (g_file_set_contents (cfg, config->str, -1, NULL));
  g_mkdir_with_parents (run, 0700);

  g_ptr_array_add (argv, kamailio_path);
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, cfg);
  g_ptr_array_add (argv, (char *) "-E");
  g_ptr_array_add (argv, (char *) "-DD");
  g_ptr_array_add (argv, (char *) "-Y");
  g_ptr_array_add (argv, run);
  g_ptr_array_add (argv, (char *) "-w");
  g_ptr_array_add (argv, f->dir);
  if (define != NULL)
    {
      g_ptr_array_add (argv, (char *) "-A");
      g_ptr_array_add (argv, (char *) define);
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  f->kamailio = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                              &error);
  g_ptr_array_unref (argv);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!kamailio_answers (f->port))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_nonnull (g_subprocess_get_identifier (f->kamailio));
      g_usleep (50 * 1000);
    }
}

static void
stop_kamailio (Fixture *f)
{
  if (f->kamailio == NULL)
    return;
  g_subprocess_send_signal (f->kamailio, SIGTERM);
  g_assert_true (g_subprocess_wait (f->kamailio, NULL, NULL));
  g_clear_object (&f->kamailio);
}

/* --- helpers ------------------------------------------------------------ */

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
on_call_added (DtBackend *backend,
               DtAccount *account,
               DtCall    *call,
               gpointer   user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->added, g_object_ref (call));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("dialtone-kamailio-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->port = free_port ();
  f->backend = dt_sip_backend_new ();
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  f->added = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->backend, "incoming-call", G_CALLBACK (on_incoming_call), f);
  g_signal_connect (f->backend, "call-added", G_CALLBACK (on_call_added), f);
  start_kamailio (f, data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "kamailio.log", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  stop_kamailio (f);
  g_ptr_array_unref (f->incoming);
  g_ptr_array_unref (f->added);
  g_assert_finalize_object (f->backend);
  if (g_test_failed ())
    {
      g_autofree char *contents = NULL;

      if (g_file_get_contents (log, &contents, NULL, NULL))
        g_test_message ("Kamailio said:\n%s", contents);
    }
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
  g_free (f->dir);
}

static DtAccount *
make_account (Fixture     *f,
              const char  *id,
              const char  *user,
              const char  *password,
              DtTransport  transport)
{
  DtAccount *account = dt_account_new (id, "sip");
  g_autofree char *identity = g_strdup_printf ("sip:%s@test.invalid", user);
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", f->port);

  dt_account_set_identity (account, identity);
  dt_account_set_server (account, server);
  dt_account_set_transport (account, transport);
  dt_sip_backend_set_password (f->backend, id, password);
  return account;
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  DtCall   *call;
} Result;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dt_backend_connect_finish (DT_BACKEND (source), result, &r->error);
  r->done = TRUE;
}

static void
on_disconnected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Result *r = user_data;

  r->ok = dt_backend_disconnect_finish (DT_BACKEND (source), result, &r->error);
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
on_call_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->done = TRUE;
}

static void
wait_done (Result *r)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!r->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @account is in @state, for at most @seconds. */
static void
wait_state (DtAccount      *account,
            DtAccountState  state,
            guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint tick = g_timeout_add (100, on_tick, NULL);

  while (dt_account_get_state (account) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static void
connect_account (Fixture   *f,
                 DtAccount *account)
{
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
}

static void
disconnect_account (Fixture   *f,
                    DtAccount *account)
{
  Result r = { 0 };

  dt_backend_disconnect_async (DT_BACKEND (f->backend), account, NULL, on_disconnected, &r);
  wait_done (&r);
  g_assert_no_error (r.error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_OFFLINE);
}

static DtSipRegistration *
registration_of (Fixture   *f,
                 DtAccount *account)
{
  DtSipEndpoint *endpoint = dt_sip_backend_get_endpoint (f->backend, dt_account_get_id (account));

  g_assert_nonnull (endpoint);
  return dt_sip_endpoint_get_registration (endpoint);
}

/* --- tests -------------------------------------------------------------- */

static void
test_register (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DtAccount) udp = make_account (f, "alice-udp", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) tcp = make_account (f, "bob-tcp", "bob", "bobpass", DT_TRANSPORT_TCP);

  dt_sip_backend_set_registration_expires (f->backend, 120);
  connect_account (f, udp);
  connect_account (f, tcp);
  /* Kamailio grants what was asked, within its bounds. */
  g_assert_cmpuint (dt_sip_registration_get_expires (registration_of (f, udp)), ==, 120);
  g_assert_cmpuint (dt_sip_registration_get_expires (registration_of (f, tcp)), ==, 120);
  g_assert_null (dt_account_get_failure_reason (udp));

  disconnect_account (f, udp);
  disconnect_account (f, tcp);
}

/* Disabling the account unregisters it: Kamailio answers the Expires 0,
 * and the account is offline. */
static void
test_disable (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DtAccount) account = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtSipRegistration) registration = NULL;
  Result r = { 0 };

  connect_account (f, account);
  registration = g_object_ref (registration_of (f, account));
  dt_account_set_enabled (account, FALSE);
  g_assert_null (dt_sip_backend_get_endpoint (f->backend, "alice"));
  g_assert_cmpint (dt_sip_registration_get_state (registration), ==,
                   DT_SIP_REGISTRATION_UNREGISTERING);
  wait_state (account, DT_ACCOUNT_STATE_OFFLINE, 10);
  g_assert_cmpint (dt_sip_registration_get_state (registration), ==, DT_SIP_REGISTRATION_IDLE);

  /* A disabled account does not connect. */
  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&r.error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_OFFLINE);
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtAccount) account = make_account (f, "bob", "bob", "not bob's", DT_TRANSPORT_UDP);
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  wait_done (&r);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&r.error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_FAILED);
  g_assert_cmpstr (dt_account_get_failure_reason (account), ==, "Authentication failed");

  disconnect_account (f, account);
}

/* Kamailio keeps bindings in memory: after a restart it knows nobody. The
 * refresh finds the server gone, the account says so, and it registers
 * again once Kamailio is back. */
static void
test_restart (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(DtAccount) account = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_TCP);
  DtSipRegistration *registration;
  g_autofree char *call_id = NULL;

  dt_sip_backend_set_registration_expires (f->backend, 10);
  dt_sip_backend_set_retry_base (f->backend, 1);
  connect_account (f, account);
  registration = registration_of (f, account);
  call_id = g_strdup (dt_sip_registration_get_call_id (registration));
  g_assert_cmpuint (dt_sip_registration_get_expires (registration), ==, 10);

  stop_kamailio (f);
  /* The refresh is due after 5 s; the connection is refused. */
  wait_state (account, DT_ACCOUNT_STATE_FAILED, 15);
  g_assert_nonnull (strstr (dt_account_get_failure_reason (account), "reachable"));

  start_kamailio (f, NULL);
  wait_state (account, DT_ACCOUNT_STATE_ONLINE, 20);
  g_assert_cmpint (dt_sip_registration_get_state (registration), ==,
                   DT_SIP_REGISTRATION_REGISTERED);
  /* Still the same binding, refreshed: §10.2.4. */
  g_assert_cmpstr (dt_sip_registration_get_call_id (registration), ==, call_id);

  disconnect_account (f, account);
}

static void
on_response_seen (DtSipTransport *transport,
                  DtSipMessage   *message,
                  DtSipPeer      *peer,
                  gpointer        user_data)
{
  GPtrArray *challenges = user_data;
  g_auto(GStrv) values = dt_sip_message_get_header_values (message, "WWW-Authenticate");

  for (guint i = 0; values[i] != NULL; i++)
    g_ptr_array_add (challenges, g_strdup (values[i]));
}

/* RFC 8760: Kamailio challenges with SHA-256 alone, and Dialtone answers
 * it. The challenge is read off the wire to be sure which one it was. */
static void
test_sha256 (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(DtAccount) account = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(GPtrArray) challenges = g_ptr_array_new_with_free_func (g_free);
  DtSipEndpoint *endpoint;
  Result r = { 0 };

  dt_backend_connect_async (DT_BACKEND (f->backend), account, NULL, on_connected, &r);
  endpoint = dt_sip_backend_get_endpoint (f->backend, "alice");
  g_assert_nonnull (endpoint);
  g_signal_connect (dt_sip_endpoint_get_transport (endpoint), "message-received",
                    G_CALLBACK (on_response_seen), challenges);
  wait_done (&r);
  g_assert_no_error (r.error);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);

  g_assert_cmpuint (challenges->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (challenges, 0), "algorithm=SHA-256"));
  g_signal_handlers_disconnect_by_data (dt_sip_endpoint_get_transport (endpoint), challenges);
  disconnect_account (f, account);
}

/* alice calls bob; Kamailio finds bob's binding and record-routes. */
static void
test_call_through_kamailio (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bob", "bobpass", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) outgoing = NULL;
  DtCall *incoming;
  Result dial = { 0 };
  Result answer = { 0 };
  Result hangup = { 0 };

  connect_account (f, alice);
  connect_account (f, bob);

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  outgoing = dial.call;
  g_assert_cmpstr (dt_call_get_peer_uri (outgoing), ==, "sip:bob@test.invalid");

  while (f->incoming->len == 0)
    g_main_context_iteration (NULL, TRUE);
  incoming = g_ptr_array_index (f->incoming, 0);
  g_assert_cmpint (dt_call_get_direction (incoming), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_RINGING);
  g_assert_cmpstr (dt_call_get_peer_uri (incoming), ==, "sip:alice@test.invalid");
  while (dt_call_get_state (outgoing) != DT_CALL_STATE_RINGING)
    g_main_context_iteration (NULL, TRUE);

  dt_call_answer_async (incoming, NULL, on_call_done, &answer);
  wait_done (&answer);
  while (dt_call_get_state (outgoing) != DT_CALL_STATE_ACTIVE)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (dt_call_get_state (incoming), ==, DT_CALL_STATE_ACTIVE);
  /* Both ends settled on the first codec alice offered. */
  g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (outgoing)), ==, "opus/48000");
  g_assert_cmpstr (dt_call_stats_get_codec (dt_call_get_stats (incoming)), ==, "opus/48000");

  dt_call_hangup_async (outgoing, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  g_assert_cmpint (dt_call_get_end_reason (outgoing), ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  while (dt_call_get_state (incoming) != DT_CALL_STATE_ENDED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (dt_call_get_end_reason (incoming), ==, DT_CALL_END_REASON_REMOTE_HANGUP);

  disconnect_account (f, alice);
  disconnect_account (f, bob);
}

static void
wait_call_state (DtCall      *call,
                 DtCallState  state)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (dt_call_get_state (call) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static DtCall *
wait_incoming (Fixture *f,
               guint    n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (f->incoming->len < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_ptr_array_index (f->incoming, n - 1);
}

/* Blind transfer (RFC 3515, RFC 5589): alice calls bob, bob hands alice
 * over to carol. Alice's side places the new call by itself, carol answers,
 * and both old legs end as transferred. */
static void
test_blind_transfer (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bob", "bobpass", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) carol = make_account (f, "carol", "carol", "carolpass", DT_TRANSPORT_TCP);
  g_autoptr(DtCall) alice_bob = NULL;
  DtCall *bob_leg;
  DtCall *carol_leg;
  DtCall *alice_carol;
  Result dial = { 0 };
  Result answer = { 0 };
  Result transfer = { 0 };
  Result answer_carol = { 0 };
  Result hangup = { 0 };

  connect_account (f, alice);
  connect_account (f, bob);
  connect_account (f, carol);

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "sip:bob@test.invalid", NULL,
                         on_dialled, &dial);
  wait_done (&dial);
  g_assert_no_error (dial.error);
  alice_bob = dial.call;
  bob_leg = wait_incoming (f, 1);
  dt_call_answer_async (bob_leg, NULL, on_call_done, &answer);
  wait_done (&answer);
  wait_call_state (alice_bob, DT_CALL_STATE_ACTIVE);
  g_assert_true (dt_call_get_can_transfer (bob_leg));

  dt_call_transfer_async (bob_leg, "sip:carol@test.invalid", NULL, on_call_done, &transfer);
  carol_leg = wait_incoming (f, 2);
  g_assert_cmpstr (dt_call_get_peer_uri (carol_leg), ==, "sip:alice@test.invalid");
  /* call-added: the call alice dialled, then the one the REFER made. */
  g_assert_cmpuint (f->added->len, ==, 2);
  g_assert_true (g_ptr_array_index (f->added, 0) == alice_bob);
  alice_carol = g_ptr_array_index (f->added, 1);
  g_assert_cmpstr (dt_call_get_account_id (alice_carol), ==, "alice");
  g_assert_cmpstr (dt_call_get_peer_uri (alice_carol), ==, "sip:carol@test.invalid");
  g_assert_false (transfer.done);

  dt_call_answer_async (carol_leg, NULL, on_call_done, &answer_carol);
  wait_done (&answer_carol);
  wait_call_state (alice_carol, DT_CALL_STATE_ACTIVE);
  wait_done (&transfer);
  g_assert_cmpint (dt_call_get_end_reason (bob_leg), ==, DT_CALL_END_REASON_TRANSFERRED);
  wait_call_state (alice_bob, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (alice_bob), ==, DT_CALL_END_REASON_TRANSFERRED);
  g_assert_cmpint (dt_call_get_state (carol_leg), ==, DT_CALL_STATE_ACTIVE);

  dt_call_hangup_async (alice_carol, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  wait_call_state (carol_leg, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (carol_leg), ==, DT_CALL_END_REASON_REMOTE_HANGUP);

  disconnect_account (f, alice);
  disconnect_account (f, bob);
  disconnect_account (f, carol);
}

/* Giving up before the answer: CANCEL (RFC 3261 §9); the callee's side
 * was missed. Declining: 603, and the caller hears it was declined. */
static void
test_cancel_and_decline (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bob", "bobpass", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) first = NULL;
  g_autoptr(DtCall) second = NULL;
  DtCall *ringing;
  Result dial = { 0 };
  Result dial2 = { 0 };
  Result hangup = { 0 };
  Result decline = { 0 };

  connect_account (f, alice);
  connect_account (f, bob);

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial);
  wait_done (&dial);
  first = dial.call;
  ringing = wait_incoming (f, 1);
  wait_call_state (first, DT_CALL_STATE_RINGING);
  dt_call_hangup_async (first, NULL, on_call_done, &hangup);
  wait_done (&hangup);
  g_assert_cmpint (dt_call_get_end_reason (first), ==, DT_CALL_END_REASON_CANCELLED);
  wait_call_state (ringing, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (ringing), ==, DT_CALL_END_REASON_MISSED);

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial2);
  wait_done (&dial2);
  second = dial2.call;
  ringing = wait_incoming (f, 2);
  dt_call_decline_async (ringing, NULL, on_call_done, &decline);
  wait_done (&decline);
  g_assert_cmpint (dt_call_get_end_reason (ringing), ==, DT_CALL_END_REASON_DECLINED);
  wait_call_state (second, DT_CALL_STATE_ENDED);
  g_assert_cmpint (dt_call_get_end_reason (second), ==, DT_CALL_END_REASON_DECLINED);
  g_assert_cmpstr (dt_call_get_end_message (second), ==, "603 Decline");

  disconnect_account (f, alice);
  disconnect_account (f, bob);
}

/* Call waiting: a second call rings while the first is up; bob holds the
 * first (re-INVITE with sendonly, RFC 3264 §8.4) and takes the second. */
static void
test_call_waiting (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DtAccount) alice = make_account (f, "alice", "alice", "secret", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) bob = make_account (f, "bob", "bob", "bobpass", DT_TRANSPORT_UDP);
  g_autoptr(DtAccount) carol = make_account (f, "carol", "carol", "carolpass", DT_TRANSPORT_UDP);
  g_autoptr(DtCall) from_alice = NULL;
  g_autoptr(DtCall) from_carol = NULL;
  DtCall *first;
  DtCall *waiting;
  Result dial = { 0 };
  Result dial2 = { 0 };
  Result answer = { 0 };
  Result hold = { 0 };
  Result answer2 = { 0 };
  Result resume = { 0 };

  connect_account (f, alice);
  connect_account (f, bob);
  connect_account (f, carol);

  dt_backend_dial_async (DT_BACKEND (f->backend), alice, "bob", NULL, on_dialled, &dial);
  wait_done (&dial);
  from_alice = dial.call;
  first = wait_incoming (f, 1);
  dt_call_answer_async (first, NULL, on_call_done, &answer);
  wait_done (&answer);
  wait_call_state (from_alice, DT_CALL_STATE_ACTIVE);

  dt_backend_dial_async (DT_BACKEND (f->backend), carol, "bob", NULL, on_dialled, &dial2);
  wait_done (&dial2);
  from_carol = dial2.call;
  waiting = wait_incoming (f, 2);
  g_assert_cmpint (dt_call_get_state (waiting), ==, DT_CALL_STATE_RINGING);
  g_assert_cmpint (dt_call_get_state (first), ==, DT_CALL_STATE_ACTIVE);
  wait_call_state (from_carol, DT_CALL_STATE_RINGING);

  dt_call_hold_async (first, TRUE, NULL, on_call_done, &hold);
  wait_done (&hold);
  g_assert_cmpint (dt_call_get_state (first), ==, DT_CALL_STATE_HELD);
  dt_call_answer_async (waiting, NULL, on_call_done, &answer2);
  wait_done (&answer2);
  wait_call_state (from_carol, DT_CALL_STATE_ACTIVE);
  g_assert_cmpint (dt_call_get_state (from_alice), ==, DT_CALL_STATE_ACTIVE);

  dt_call_hold_async (first, FALSE, NULL, on_call_done, &resume);
  wait_done (&resume);
  g_assert_cmpint (dt_call_get_state (first), ==, DT_CALL_STATE_ACTIVE);

  disconnect_account (f, alice);
  disconnect_account (f, bob);
  disconnect_account (f, carol);
  g_assert_cmpint (dt_call_get_state (from_carol), ==, DT_CALL_STATE_ENDED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  kamailio_path = g_strdup (g_getenv ("KAMAILIO"));
  if (kamailio_path == NULL)
    kamailio_path = g_find_program_in_path ("kamailio");
  g_assert_nonnull (kamailio_path);
  {
    g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "interop",
                                              "kamailio.cfg", NULL);

    g_assert_true (g_file_get_contents (path, &config_template, NULL, &error));
  }
  g_assert_no_error (error);

#define ADD(path, func, define) \
  g_test_add (path, Fixture, define, fixture_setup, func, fixture_teardown)
  ADD ("/interop/kamailio/register", test_register, NULL);
  ADD ("/interop/kamailio/wrong-password", test_wrong_password, NULL);
  ADD ("/interop/kamailio/disable", test_disable, NULL);
  ADD ("/interop/kamailio/restart", test_restart, NULL);
  ADD ("/interop/kamailio/sha256", test_sha256, "WITH_SHA256");
  ADD ("/interop/kamailio/call", test_call_through_kamailio, NULL);
  ADD ("/interop/kamailio/blind-transfer", test_blind_transfer, NULL);
  ADD ("/interop/kamailio/cancel-and-decline", test_cancel_and_decline, NULL);
  ADD ("/interop/kamailio/call-waiting", test_call_waiting, NULL);
#undef ADD

  status = g_test_run ();
  g_free (kamailio_path);
  g_free (config_template);
  return status;
}
