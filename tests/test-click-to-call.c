/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-click-to-call.c
 *
 * Links start calls, end to end. meson runs this program under Xvfb inside
 * a private session bus (tests/dbus-session.conf) that knows only the
 * build tree's Dialtone. The test starts a Secret Service holding the
 * account's password and dialtone-helper as the SIP server, writes the
 * account into a settings file, and then:
 *
 * - opens a link through org.freedesktop.Application.Open with nothing
 *   running: D-Bus activation starts Dialtone, which registers and calls
 *   the helper's echo extension;
 * - opens one with `gio open`, as a browser would, and one as
 *   `dialtone URI`, which hands it to the running Dialtone;
 * - opens a tel: link, which reaches the helper as a number;
 * - hangs up with `dialtone --hangup ID` and over the Dialtone D-Bus
 *   interface;
 * - checks that malformed links are refused with a reason, that unsafe URI
 *   headers never reach the wire, that two links give two calls, and that
 *   with confirmation on (the default) nothing is dialled until the person
 *   says so.
 *
 * What reached the server is read from the helper's event lines.
 */

#include "config.h"

#include <string.h>

#include "dt-history.h"
#include "dt-secrets.h"
#include "dt-test-helper.h"
#include "dt-test-keyring.h"
#include "dt-test-rtp.h"

#define APP_ID "io.github.dialtone.Dialtone"
#define APP_PATH "/io/github/dialtone/Dialtone"
#define CALLS_IFACE "io.github.dialtone.Dialtone.Calls"
#define DEADLINE_S 30

static struct
{
  char            *dir;
  GDBusConnection *bus;
  DtTestHelper    *helper;
  guint16          port;
  GPtrArray       *refused;    /* of char *, LinkRefused reasons */
  char            *ring_wav;   /* the ringer end, DIALTONE_RINGER_SINK */
  GPtrArray       *notes;      /* of Note, what the notification server was shown */
  GPtrArray       *signals;    /* of char *: "added ID STATE PEER", "state ID STATE REASON" */
  char            *link;       /* sip:echo@127.0.0.1:PORT */
} t;

/* --- waiting ------------------------------------------------------------ */

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* What a timed-out wait leaves in the log: the helper's events so far. */
static void
report_events (void)
{
  g_autoptr(GString) seen = g_string_new (NULL);

  for (GList *l = t.helper != NULL ? t.helper->events.head : NULL; l != NULL; l = l->next)
    g_string_append_printf (seen, " %s",
                            json_object_get_string_member_with_default (l->data, "event", "?"));
  g_test_message ("The helper's events:%s", seen->len > 0 ? seen->str : " none");
}

static void
iterate_until (gboolean   (*done) (gconstpointer),
               gconstpointer data,
               const char   *what,
               guint         seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  guint tick = g_timeout_add (50, on_tick, NULL);

  while (!done (data))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          report_events ();
          g_error ("Timed out after %u s waiting for %s", seconds, what);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
}

static void
iterate_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;
  guint tick = g_timeout_add (20, on_tick, NULL);

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

/* --- the helper's events ------------------------------------------------ */

static void
start_helper (void)
{
  t.helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpass", NULL);
  t.port = t.helper->port;
  t.link = g_strdup_printf ("sip:echo@127.0.0.1:%u", t.port);
}

/* The events stay in the helper's queue; the test counts them. */
static guint
count_events (const char *name)
{
  guint n = 0;

  for (GList *l = t.helper->events.head; l != NULL; l = l->next)
    if (g_strcmp0 (json_object_get_string_member_with_default (l->data, "event", NULL), name)
        == 0)
      n++;
  return n;
}

static JsonObject *
nth_event (const char *name,
           guint       n)
{
  for (GList *l = t.helper->events.head; l != NULL; l = l->next)
    if (g_strcmp0 (json_object_get_string_member_with_default (l->data, "event", NULL), name)
        == 0 && n-- == 0)
      return l->data;
  return NULL;
}

static guint wanted_count;
static const char *wanted_event;

static gboolean
have_events (gconstpointer data)
{
  return count_events (wanted_event) >= wanted_count;
}

static void
wait_events (const char *name,
             guint       n)
{
  g_autofree char *what = g_strdup_printf ("%u “%s” events", n, name);

  wanted_event = name;
  wanted_count = n;
  iterate_until (have_events, NULL, what, DEADLINE_S);
}

/* --- settings, as the program will read them ----------------------------- */

static void
write_settings (gboolean confirm)
{
  g_autofree char *dir = g_build_filename (t.dir, "config", "glib-2.0", "settings", NULL);
  g_autofree char *path = g_build_filename (dir, "keyfile", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  contents = g_strdup_printf ("[io/github/dialtone/Dialtone]\n"
                              "accounts=['alice']\n"
                              "default-account='alice'\n"
                              "confirm-dial-links=%s\n"
                              "run-in-background=true\n"
                              "\n"
                              "[io/github/dialtone/Dialtone/accounts/alice]\n"
                              "protocol='sip'\n"
                              "identity='sip:alice@127.0.0.1'\n"
                              "server='sip:127.0.0.1:%u'\n"
                              "transport='udp'\n"
                              "enabled=true\n",
                              confirm ? "true" : "false", t.port);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
write_desktop_file (void)
{
  g_autofree char *apps = g_build_filename (t.dir, "share", "applications", NULL);
  g_autofree char *desktop = g_build_filename (apps, APP_ID ".desktop", NULL);
  g_autofree char *config = g_build_filename (t.dir, "config", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *contents = NULL;

  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  contents = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Dialtone\n"
                              "Exec=%s %%U\nDBusActivatable=false\n"
                              "MimeType=x-scheme-handler/sip;x-scheme-handler/sips;"
                              "x-scheme-handler/tel;x-scheme-handler/callto;\n",
                              g_getenv ("DIALTONE_APP"));
  g_assert_true (g_file_set_contents (desktop, contents, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps,
                                      "[Default Applications]\n"
                                      "x-scheme-handler/sip=" APP_ID ".desktop\n", -1, NULL));
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The account's password goes where the program will look for it. */
static void
store_password (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dt_secret_store_async ("alice", DT_SECRET_PASSWORD, "Dialtone test account", "secret", NULL,
                         on_stored, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_secret_store_finish (result, &error));
  g_assert_no_error (error);
}

/* The program D-Bus starts gets this environment. */
static void
set_activation_environment (void)
{
  g_autofree char *config = g_build_filename (t.dir, "config", NULL);
  g_autofree char *data = g_build_filename (t.dir, "data", NULL);
  g_autofree char *cache = g_build_filename (t.dir, "cache", NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder env;

  g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&env, "{ss}", "GSETTINGS_BACKEND", "keyfile");
  g_variant_builder_add (&env, "{ss}", "XDG_CONFIG_HOME", config);
  g_variant_builder_add (&env, "{ss}", "XDG_DATA_HOME", data);
  g_variant_builder_add (&env, "{ss}", "XDG_CACHE_HOME", cache);
  g_variant_builder_add (&env, "{ss}", "GDK_BACKEND", "x11");
  g_variant_builder_add (&env, "{ss}", "GSK_RENDERER", "cairo");
  g_variant_builder_add (&env, "{ss}", "NO_AT_BRIDGE", "1");
  g_variant_builder_add (&env, "{ss}", "G_MESSAGES_DEBUG", "all");
  g_variant_builder_add (&env, "{ss}", "GTK_A11Y", "none");
  reply = g_dbus_connection_call_sync (t.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", &env), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

/* --- talking to Dialtone ------------------------------------------------ */

static void
open_links (const char * const *links)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder uris;
  GVariantBuilder platform;

  g_variant_builder_init (&uris, G_VARIANT_TYPE ("as"));
  for (guint i = 0; links[i] != NULL; i++)
    g_variant_builder_add (&uris, "s", links[i]);
  g_variant_builder_init (&platform, G_VARIANT_TYPE ("a{sv}"));
  reply = g_dbus_connection_call_sync (t.bus, APP_ID, APP_PATH, "org.freedesktop.Application",
                                       "Open", g_variant_new ("(asa{sv})", &uris, &platform),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, DEADLINE_S * 1000, NULL,
                                       &error);
  g_assert_no_error (error);
}

static GVariant *
list_calls (void)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply;
  GVariant *calls;

  reply = g_dbus_connection_call_sync (t.bus, APP_ID, APP_PATH, CALLS_IFACE, "ListCalls", NULL,
                                       G_VARIANT_TYPE ("(a(ssssss))"), G_DBUS_CALL_FLAGS_NONE,
                                       DEADLINE_S * 1000, NULL, &error);
  g_assert_no_error (error);
  calls = g_variant_get_child_value (reply, 0);
  g_variant_unref (reply);
  return calls;
}

static guint wanted_calls;

static gboolean
have_calls (gconstpointer data)
{
  g_autoptr(GVariant) calls = list_calls ();

  return g_variant_n_children (calls) == wanted_calls;
}

static void
wait_calls (guint n)
{
  g_autofree char *what = g_strdup_printf ("%u live calls", n);

  wanted_calls = n;
  iterate_until (have_calls, NULL, what, DEADLINE_S);
}

/* Every live call's state, oldest first, joined by spaces. */
static char *
call_states (void)
{
  g_autoptr(GVariant) calls = list_calls ();
  g_autoptr(GString) states = g_string_new (NULL);

  for (gsize i = 0; i < g_variant_n_children (calls); i++)
    {
      const char *state;

      g_variant_get_child (calls, i, "(&s&s&s&s&s&s)", NULL, NULL, NULL, NULL, NULL, &state);
      g_string_append_printf (states, "%s%s", i > 0 ? " " : "", state);
    }
  return g_string_free (g_steal_pointer (&states), FALSE);
}

static gboolean
have_call_states (gconstpointer data)
{
  g_autofree char *states = call_states ();

  return g_strcmp0 (states, data) == 0;
}

static void
wait_call_states (const char *wanted)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!have_call_states (wanted))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *states = call_states ();

          g_error ("The calls are “%s”, not “%s”", states, wanted);
        }
      iterate_for (100);
    }
}

static char *
call_id_at (guint index)
{
  g_autoptr(GVariant) calls = list_calls ();
  const char *id;

  g_assert_cmpuint (g_variant_n_children (calls), >, index);
  g_variant_get_child (calls, index, "(&s&s&s&s&s&s)", &id, NULL, NULL, NULL, NULL, NULL);
  return g_strdup (id);
}

static void
hangup_over_dbus (const char *id)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_sync (t.bus, APP_ID, APP_PATH, CALLS_IFACE, "Hangup",
                                       g_variant_new ("(s)", id), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       DEADLINE_S * 1000, NULL, &error);
  g_assert_no_error (error);
}

static void
on_link_refused (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *iface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  const char *uri, *reason;

  g_variant_get (parameters, "(&s&s)", &uri, &reason);
  g_test_message ("refused %s: %s", uri, reason);
  g_ptr_array_add (t.refused, g_strdup (reason));
}

static void
on_call_signal (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *iface,
                const char      *signal,
                GVariant        *parameters,
                gpointer         user_data)
{
  const char *id, *state, *peer, *reason;

  if (g_strcmp0 (signal, "CallAdded") == 0)
    {
      g_variant_get (parameters, "((&s&s&s&s&s&s))", &id, NULL, NULL, NULL, &peer, &state);
      g_ptr_array_add (t.signals, g_strdup_printf ("added %s %s %s", id, state, peer));
    }
  else
    {
      g_variant_get (parameters, "(&s&s&s)", &id, &state, &reason);
      g_ptr_array_add (t.signals, g_strdup_printf ("state %s %s %s", id, state, reason));
    }
}

/* The signals about @id, its id left out, in order. */
static char *
signals_of (const char *id)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  gsize id_len = strlen (id);

  for (guint i = 0; i < t.signals->len; i++)
    {
      const char *line = g_ptr_array_index (t.signals, i);
      const char *space = strchr (line, ' ');

      if (strncmp (space + 1, id, id_len) == 0 && space[1 + id_len] == ' ')
        g_string_append_printf (seen, "%s%.*s%s", seen->len > 0 ? "; " : "",
                                (int) (space - line), line, space + 1 + id_len);
    }
  return g_string_free (g_steal_pointer (&seen), FALSE);
}

static gboolean
call_signalled_end (gconstpointer data)
{
  g_autofree char *seen = signals_of (data);

  return g_str_has_suffix (seen, "state ended local-hangup");
}

/* `dialtone OPTION ARGUMENT`, the command-line front end, to its end. */
static void
run_cli (const char *option,
         const char *argument)
{
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;

  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, g_getenv ("DIALTONE_APP"), option,
                          argument, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (cli, NULL, &error));
  g_assert_no_error (error);
}

/* The one call a link started reached the helper: hang it up over D-Bus.
 * Returns: the call's id */
static char *
hang_up_the_new_call (guint calls_started_before)
{
  char *id;

  wait_events ("call-started", calls_started_before + 1);
  wait_calls (1);
  id = call_id_at (0);
  hangup_over_dbus (id);
  wait_calls (0);
  return id;
}

/* --- a notification server (org.freedesktop.Notifications) -------------- */

typedef struct
{
  guint32   id;
  char     *summary;
  char     *body;
  GStrv     actions;   /* key, label, key, label… */
  gboolean  closed;
} Note;

static void
note_free (Note *note)
{
  g_free (note->summary);
  g_free (note->body);
  g_strfreev (note->actions);
  g_free (note);
}

static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/></method>"
  "<signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "<signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "</interface></node>";

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *iface,
                       const char            *method,
                       GVariant              *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      Note *note = g_new0 (Note, 1);
      guint32 replaces;

      g_variant_get (parameters, "(&sus&s&s^asa{sv}i)", NULL, &replaces, NULL, &note->summary,
                     &note->body, &note->actions, NULL, NULL);
      note->summary = g_strdup (note->summary);
      note->body = g_strdup (note->body);
      note->id = replaces != 0 ? replaces : t.notes->len + 1;
      g_test_message ("notification %u: %s / %s", note->id, note->summary, note->body);
      g_ptr_array_add (t.notes, note);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", note->id));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      guint32 id;

      g_variant_get (parameters, "(u)", &id);
      for (guint i = 0; i < t.notes->len; i++)
        if (((Note *) g_ptr_array_index (t.notes, i))->id == id)
          ((Note *) g_ptr_array_index (t.notes, i))->closed = TRUE;
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      const char *caps[] = { "actions", "body", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "test", "Dialtone tests",
                                                            "1", "1.2"));
    }
}

static void
start_notification_server (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  t.notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
  g_dbus_connection_register_object (t.bus, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (t.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.Notifications", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
}

static Note *
incoming_note (void)
{
  for (guint i = 0; i < t.notes->len; i++)
    {
      Note *note = g_ptr_array_index (t.notes, i);

      if (g_strcmp0 (note->summary, "Incoming Call") == 0 && !note->closed)
        return note;
    }
  return NULL;
}

static gboolean
have_incoming_note (gconstpointer data)
{
  return incoming_note () != NULL;
}

static gboolean
note_closed (gconstpointer data)
{
  return ((const Note *) data)->closed;
}

/* What the person clicking the button labelled @label would send. */
static void
click_note_button (Note       *note,
                   const char *label)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; note->actions[i] != NULL && note->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (note->actions[i + 1], label))
      {
        g_dbus_connection_emit_signal (t.bus, NULL, "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "ActionInvoked",
                                       g_variant_new ("(us)", note->id, note->actions[i]),
                                       &error);
        g_assert_no_error (error);
        return;
      }
  g_error ("The notification has no “%s” button", label);
}

/* --- tests -------------------------------------------------------------- */

/* Nothing runs: Open activates Dialtone, which registers and calls. Then
 * the command-line front end hangs up. */
static void
test_activation_from_cold (void)
{
  const char *links[] = { t.link, NULL };
  g_autoptr(GVariant) calls = NULL;
  g_autofree char *id = NULL;
  const char *peer, *state;

  g_assert_cmpuint (count_events ("call-started"), ==, 0);
  open_links (links);
  wait_events ("registered", 1);
  wait_events ("call-started", 1);
  g_assert_cmpstr (json_object_get_string_member (nth_event ("call-started", 0), "to"), ==, t.link);
  g_assert_cmpstr (json_object_get_string_member (nth_event ("registered", 0), "user"), ==,
                   "alice");

  wait_calls (1);
  calls = list_calls ();
  g_variant_get_child (calls, 0, "(&s&s&s&s&s&s)", NULL, NULL, NULL, NULL, &peer, &state);
  g_assert_cmpstr (peer, ==, t.link);

  id = call_id_at (0);
  run_cli ("--hangup", id);
  wait_events ("call-ended", 1);
  wait_calls (0);
}

/* A browser hands the link to gio, which finds Dialtone by its desktop
 * file; the new process passes the link to the running one. */
static void
test_gio_open (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) gio = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *share = g_build_filename (t.dir, "share", NULL);
  g_autofree char *config = g_build_filename (t.dir, "config", NULL);
  g_autofree char *id = NULL;
  guint before = count_events ("call-started");

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", share, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", share, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  gio = g_subprocess_launcher_spawn (launcher, &error, "gio", "open", t.link, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (gio, NULL, &error));
  g_assert_no_error (error);
  id = hang_up_the_new_call (before);

  /* Programs that watch the calls saw this one come and go. */
  iterate_until (call_signalled_end, id, "the call's end signal", DEADLINE_S);
  {
    g_autofree char *seen = signals_of (id);
    g_autofree char *expected = g_strdup_printf ("added dialing %s; state active ; "
                                                 "state ended local-hangup", t.link);

    g_assert_cmpstr (seen, ==, expected);
  }
}

/* `dialtone URI` while Dialtone runs hands the link to the running one and
 * exits. */
static void
test_command_line (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename (t.dir, "config", NULL);
  g_autofree char *id = NULL;
  guint before = count_events ("call-started");

  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  remote = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("DIALTONE_APP"), t.link,
                                        NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (remote, NULL, &error));
  g_assert_no_error (error);
  id = hang_up_the_new_call (before);
}

/* A tel: link goes to the default account, its number without the visual
 * separators, as sip:NUMBER@domain;user=phone (RFC 3261 §19.1.6; the
 * ;user=phone on the wire is test-sip-backend's to check). The
 * helper's echo extension answers to its number, 9196. */
static void
test_tel_link (void)
{
  const char *links[] = { "tel:91-96;phone-context=dialtone.test", NULL };
  guint before = count_events ("call-started");
  JsonObject *started;
  g_autofree char *id = NULL;

  open_links (links);
  wait_events ("call-started", before + 1);
  started = nth_event ("call-started", before);
  /* The account's domain; the helper reports the address without its
   * parameters. */
  g_assert_cmpstr (json_object_get_string_member (started, "to"), ==, "sip:9196@127.0.0.1");
  g_assert_cmpstr (json_object_get_string_member (started, "from"), ==, "sip:alice@127.0.0.1");
  id = hang_up_the_new_call (before);
}

static void
test_bad_links (void)
{
  g_autofree char *long_number = NULL;
  guint before = count_events ("call-started");
  GString *digits = g_string_new ("tel:+");

  for (guint i = 0; i < 64; i++)
    g_string_append_c (digits, '1');
  long_number = g_string_free (digits, FALSE);

  {
    const char *links[] = { "sip:", "tel:call-me-maybe", "gopher://example.com/", long_number,
                            NULL };

    g_ptr_array_set_size (t.refused, 0);
    open_links (links);
    iterate_for (1500);
  }
  g_assert_cmpuint (t.refused->len, ==, 4);
  for (guint i = 0; i < t.refused->len; i++)
    g_assert_cmpstr (g_ptr_array_index (t.refused, i), !=, "");
  g_assert_cmpuint (count_events ("call-started"), ==, before);
  wait_calls (0);
}

/* RFC 3261 §19.1.5: a link may not steer the request through a proxy of
 * its choosing; the header is dropped and the call goes where it should. */
static void
test_unsafe_headers (void)
{
  g_autofree char *link = g_strdup_printf ("%s?Route=%%3Csip:evil.invalid%%3E", t.link);
  const char *links[] = { link, NULL };
  guint before = count_events ("call-started");
  g_autofree char *id = NULL;

  open_links (links);
  wait_events ("call-started", before + 1);
  g_assert_cmpstr (json_object_get_string_member (nth_event ("call-started", before), "to"), ==,
                   t.link);
  wait_calls (1);
  id = call_id_at (0);
  hangup_over_dbus (id);
  wait_calls (0);
}

static void
test_two_links (void)
{
  const char *links[] = { t.link, t.link, NULL };
  guint before = count_events ("call-started");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  open_links (links);
  wait_events ("call-started", before + 2);
  /* The first talks; the second, answered too, waits on hold. */
  wait_call_states ("active held");
  first = call_id_at (0);
  second = call_id_at (1);
  g_assert_cmpstr (first, !=, second);

  /* `dialtone --resume` switches: the waiting call talks, the other waits. */
  run_cli ("--resume", second);
  wait_call_states ("held active");
  hangup_over_dbus (first);
  hangup_over_dbus (second);
  wait_calls (0);
}

/* bob calls alice, whose account is Dialtone's: the call rings on the
 * ringer end (a WAV file here, DIALTONE_RINGER_SINK) until it is answered
 * over D-Bus, and the ring is the built-in one, 440 Hz with 480 Hz. */
static void
test_incoming_call_rings (void)
{
  g_autoptr(GSubprocess) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", t.port);
  g_autofree char *id = NULL;
  g_autofree char *peer = NULL;
  g_autoptr(GVariant) calls = NULL;
  const double ring_dbfs = dt_test_audio_sine_dbfs (0.25);
  DtTestWav ring;
  const float *samples;
  gsize n;

  bob = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                          g_getenv ("DIALTONE_HELPER"), "call", "--account",
                          "sip:bob@127.0.0.1", "--password", "bobpass", "--server", server,
                          "--duration", "2", "sip:alice@127.0.0.1", NULL);
  g_assert_no_error (error);
  wait_call_states ("ringing");
  calls = list_calls ();
  g_variant_get_child (calls, 0, "(s&s&s&ss&s)", &id, NULL, NULL, NULL, &peer, NULL);
  g_assert_cmpstr (peer, ==, "sip:bob@127.0.0.1");
  iterate_for (1500);

  run_cli ("--answer", id);
  wait_call_states ("active");
  /* bob hangs up after his two seconds. */
  g_assert_true (g_subprocess_wait_check (bob, NULL, &error));
  g_assert_no_error (error);
  wait_calls (0);

  /* Stopped when answered: the WAV is complete, and about as long as the
   * ringing was. */
  g_assert_true (dt_test_wav_load (t.ring_wav, &ring, &error));
  g_assert_no_error (error);
  g_test_message ("rang for %.2f s", ring.n_samples / (double) ring.rate);
  g_assert_cmpfloat (ring.n_samples / (double) ring.rate, >, 1.2);
  g_assert_cmpfloat (ring.n_samples / (double) ring.rate, <, 5.0);
  g_assert_true (dt_test_wav_slice (&ring, 0.2, 1.2, &samples, &n));
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs_median (samples, n, ring.rate, 440),
                                  ring_dbfs, 1.0);
  g_assert_cmpfloat_with_epsilon (dt_test_audio_tone_dbfs_median (samples, n, ring.rate, 480),
                                  ring_dbfs, 1.0);
  dt_test_wav_clear (&ring);
}

/* The incoming call's notification says who calls and answers it with
 * its Answer button; answered, it is taken back. A second call is
 * declined with its Decline button. */
static void
test_incoming_call_notification (void)
{
  g_autofree char *server = g_strdup_printf ("127.0.0.1:%u", t.port);
  Note *note;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GSubprocess) bob = NULL;
      g_autoptr(GError) error = NULL;

      bob = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              g_getenv ("DIALTONE_HELPER"), "call", "--account",
                              "sip:bob@127.0.0.1", "--password", "bobpass", "--server", server,
                              "--duration", "1", "sip:alice@127.0.0.1", NULL);
      g_assert_no_error (error);
      wait_call_states ("ringing");
      iterate_until (have_incoming_note, NULL, "the incoming call's notification", DEADLINE_S);
      note = incoming_note ();
      g_assert_nonnull (strstr (note->body, "sip:bob@127.0.0.1"));

      click_note_button (note, round == 0 ? "Answer" : "Decline");
      if (round == 0)
        {
          wait_call_states ("active");
          /* bob hangs up after his second. */
          g_assert_true (g_subprocess_wait_check (bob, NULL, &error));
          g_assert_no_error (error);
        }
      else
        {
          /* Declined: bob's call fails, and says so in its exit status. */
          g_subprocess_wait (bob, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (g_subprocess_get_exit_status (bob), !=, 0);
        }
      wait_calls (0);
      iterate_until (note_closed, note, "the notification to close", DEADLINE_S);
    }
}

/* With confirmation on, a link only asks. */
static void
test_confirmation (void)
{
  const char *links[] = { t.link, NULL };
  guint before = count_events ("call-started");
  g_autofree char *artifacts = g_strdup (g_getenv ("DT_TEST_ARTIFACTS"));

  write_settings (TRUE);
  /* The keyfile backend notices the change by itself. */
  iterate_for (1500);
  open_links (links);
  iterate_for (2500);
  g_assert_cmpuint (count_events ("call-started"), ==, before);
  wait_calls (0);

  if (artifacts != NULL)
    {
      g_autofree char *shot = g_build_filename (artifacts, "click-to-call-confirm.png", NULL);
      g_autofree char *command = g_strdup_printf ("import -window root '%s'", shot);

      g_mkdir_with_parents (artifacts, 0755);
      if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL))
        g_test_message ("No screenshot: import is missing");
    }
}

/* --- the history, across a restart ------------------------------------- */

static gboolean
dialtone_gone (gconstpointer data)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = TRUE;

  reply = g_dbus_connection_call_sync (t.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return !has_owner;
}

/* Gone, or a zombie its parent, the bus, has yet to reap. */
static gboolean
process_gone (gconstpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%u/stat", GPOINTER_TO_UINT (data));
  g_autofree char *stat = NULL;
  const char *state;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}

/* Quits Dialtone and waits for its process to end, so that nothing of it
 * still holds the history file. */
static void
quit_dialtone (void)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GError) error = NULL;
  guint32 pid;

  owner = g_dbus_connection_call_sync (t.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(u)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (owner, "(u)", &pid);

  reply = g_dbus_connection_call_sync (t.bus, APP_ID, APP_PATH, "org.gtk.Actions", "Activate",
                                       g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, DEADLINE_S * 1000, NULL,
                                       &error);
  g_assert_no_error (error);
  iterate_until (dialtone_gone, NULL, "Dialtone to leave the bus", DEADLINE_S);
  iterate_until (process_gone, GUINT_TO_POINTER (pid), "Dialtone's process to end", DEADLINE_S);
}

static void
on_history_queried (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The calls in the history file Dialtone keeps, newest first, read with
 * Dialtone stopped. */
static GListModel *
read_history (void)
{
  g_autofree char *path = g_build_filename (t.dir, "data", "dialtone", "history.db", NULL);
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *rows;

  history = dt_history_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  dt_history_query_async (history, NULL, 0, 1000, NULL, on_history_queried, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rows = dt_history_query_finish (history, result, &error);
  g_assert_no_error (error);
  return rows;
}

static guint
count_calls (GListModel      *rows,
             DtCallDirection  direction,
             const char      *peer,
             DtCallEndReason  reason)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(DtCallRecord) record = g_list_model_get_item (rows, i);

      if (dt_call_record_get_direction (record) == direction
          && g_strcmp0 (dt_call_record_get_peer_uri (record), peer) == 0
          && dt_call_record_get_end_reason (record) == reason
          && (reason == DT_CALL_END_REASON_DECLINED
              || dt_call_record_get_answer_time (record) != NULL))
        n++;
    }
  return n;
}

/* The calls placed from links and the calls bob made are all in the
 * history, as they ended, and stay there when Dialtone starts again. */
static void
test_history_after_restart (void)
{
  g_autoptr(GListModel) before = NULL;
  g_autoptr(GListModel) after = NULL;
  g_autoptr(GVariant) calls = NULL;

  quit_dialtone ();
  before = read_history ();
  g_test_message ("%u calls in the history", g_list_model_get_n_items (before));
  /* Every call the helper saw has its row: those Dialtone placed (the
   * first of them while its history was still opening) and bob's. */
  g_assert_cmpuint (g_list_model_get_n_items (before), ==, count_events ("call-started"));
  g_assert_cmpuint (count_calls (before, DT_CALL_DIRECTION_OUTGOING, t.link,
                                 DT_CALL_END_REASON_LOCAL_HANGUP), >=, 1);
  /* bob's calls: two answered that he hung up, one declined. */
  g_assert_cmpuint (count_calls (before, DT_CALL_DIRECTION_INCOMING, "sip:bob@127.0.0.1",
                                 DT_CALL_END_REASON_REMOTE_HANGUP), ==, 2);
  g_assert_cmpuint (count_calls (before, DT_CALL_DIRECTION_INCOMING, "sip:bob@127.0.0.1",
                                 DT_CALL_END_REASON_DECLINED), ==, 1);

  /* Asked for its calls, the bus starts Dialtone again; it opens the same
   * history, and quits. */
  calls = list_calls ();
  g_assert_cmpuint (g_variant_n_children (calls), ==, 0);
  quit_dialtone ();
  after = read_history ();
  g_assert_cmpuint (g_list_model_get_n_items (after), ==, g_list_model_get_n_items (before));
  for (guint i = 0; i < g_list_model_get_n_items (after); i++)
    {
      g_autoptr(DtCallRecord) was = g_list_model_get_item (before, i);
      g_autoptr(DtCallRecord) is = g_list_model_get_item (after, i);

      g_assert_cmpint (dt_call_record_get_id (is), ==, dt_call_record_get_id (was));
      g_assert_cmpint (dt_call_record_get_end_reason (is), ==,
                       dt_call_record_get_end_reason (was));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  t.refused = g_ptr_array_new_with_free_func (g_free);
  t.signals = g_ptr_array_new_with_free_func (g_free);
  t.dir = g_dir_make_tmp ("dialtone-click-XXXXXX", &error);
  g_assert_no_error (error);
  t.bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_signal_subscribe (t.bus, NULL, CALLS_IFACE, "LinkRefused", APP_PATH, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_link_refused, NULL, NULL);
  g_dbus_connection_signal_subscribe (t.bus, NULL, CALLS_IFACE, "CallAdded", APP_PATH, NULL,
                                      G_DBUS_SIGNAL_FLAGS_NONE, on_call_signal, NULL, NULL);
  g_dbus_connection_signal_subscribe (t.bus, NULL, CALLS_IFACE, "CallStateChanged", APP_PATH,
                                      NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_call_signal, NULL, NULL);

  /* The notifications Dialtone shows come to this test. */
  start_notification_server ();

  /* Dialtone, started by the bus, rings into a WAV file the test reads. */
  t.ring_wav = g_build_filename (t.dir, "ring.wav", NULL);
  {
    g_autofree char *ringer = g_strdup_printf ("audioconvert ! audioresample ! "
                                               "audio/x-raw,format=S16LE,rate=48000,channels=1 "
                                               "! wavenc ! filesink location=%s", t.ring_wav);
    GVariantBuilder environment;
    g_autoptr(GVariant) reply = NULL;

    g_variant_builder_init (&environment, G_VARIANT_TYPE ("a{ss}"));
    g_variant_builder_add (&environment, "{ss}", "DIALTONE_RINGER_SINK", ringer);
    reply = g_dbus_connection_call_sync (t.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                         g_variant_new ("(a{ss})", &environment), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
    g_assert_no_error (error);
  }

  dt_test_keyring_start (KEYRING_DAEMON);
  store_password ();
  start_helper ();
  write_settings (FALSE);
  write_desktop_file ();
  set_activation_environment ();

  g_test_add_func ("/click-to-call/activation-from-cold", test_activation_from_cold);
  g_test_add_func ("/click-to-call/gio-open", test_gio_open);
  g_test_add_func ("/click-to-call/command-line", test_command_line);
  g_test_add_func ("/click-to-call/tel-link", test_tel_link);
  g_test_add_func ("/click-to-call/bad-links", test_bad_links);
  g_test_add_func ("/click-to-call/unsafe-headers", test_unsafe_headers);
  g_test_add_func ("/click-to-call/two-links", test_two_links);
  g_test_add_func ("/click-to-call/incoming-call-rings", test_incoming_call_rings);
  g_test_add_func ("/click-to-call/incoming-call-notification",
                   test_incoming_call_notification);
  g_test_add_func ("/click-to-call/confirmation", test_confirmation);
  g_test_add_func ("/click-to-call/history-after-restart", test_history_after_restart);

  status = g_test_run ();

  /* Dialtone quits when asked; the helper on SIGTERM. */
  g_dbus_connection_call_sync (t.bus, APP_ID, APP_PATH, "org.gtk.Actions", "Activate",
                               g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL,
                               G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, NULL, NULL);
  dt_test_helper_stop (t.helper);
  dt_test_keyring_stop ();
  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", t.dir);

    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  return status;
}
