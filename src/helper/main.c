/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c
 *
 * dialtone-helper: the headless companion program. `serve` runs the
 * embedded test servers; its contract (options, the ready line, event
 * lines, stdin commands, exit statuses) is in dialtone-helper(1).
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dt-diag-service.h"
#include "dt-helper-diagnose.h"
#if DT_ENABLE_SIP
#include "dt-helper-call.h"
#include "dt-sip-service.h"
#endif

#define EXIT_USAGE 2
/* Commands on stdin are short; a longer line is refused unread. */
#define MAX_COMMAND_LENGTH 4096

typedef struct
{
  GMainLoop        *loop;
  GCancellable     *cancellable;
  GDataInputStream *commands;
  DtDiagService    *diagnostics;
#if DT_ENABLE_SIP
  DtSipService     *sip;
#endif
} Helper;

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  /* One line per event, flushed: scripts read them as they come. */
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
print_command_failed (const char *command,
                      const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "command-failed");
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command ? command : "");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  print_json (node);
}

static void
on_diagnostics_event (DtDiagService *service,
                      JsonNode      *event,
                      gpointer       user_data)
{
  print_json (event);
}

#if DT_ENABLE_SIP
static void
on_service_event (DtSipService *service,
                  JsonNode     *event,
                  gpointer      user_data)
{
  print_json (event);
}

static gboolean
get_count (JsonObject *object,
           const char *name,
           guint      *count)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int (node);
  if (value < 0 || value > G_MAXINT32)
    return FALSE;
  *count = (guint) value;
  return TRUE;
}
#endif

static void
run_command (Helper     *helper,
             const char *line)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonNode *root;
  const char *command;

  if (!json_parser_load_from_data (parser, line, -1, &error))
    {
      print_command_failed (NULL, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      print_command_failed (NULL, "A command is a JSON object");
      return;
    }
  object = json_node_get_object (root);
  command = json_object_get_string_member_with_default (object, "command", NULL);
  if (command == NULL)
    {
      print_command_failed (NULL, "No \"command\" string");
      return;
    }

#if DT_ENABLE_SIP
  if (g_str_equal (command, "set-mailbox"))
    {
      g_autoptr(JsonBuilder) builder = NULL;
      g_autoptr(JsonNode) node = NULL;
      const char *user = json_object_get_string_member_with_default (object, "user", NULL);
      guint n_new = 0;
      guint n_old = 0;

      if (helper->sip == NULL)
        {
          print_command_failed (command, "SIP is not being served (--sip)");
          return;
        }
      if (user == NULL || !get_count (object, "new", &n_new) || !get_count (object, "old", &n_old))
        {
          print_command_failed (command, "set-mailbox needs \"user\", \"new\" and \"old\"");
          return;
        }
      if (!dt_sip_service_set_mailbox (helper->sip, user, n_new, n_old, &error))
        {
          print_command_failed (command, error->message);
          return;
        }

      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "event");
      json_builder_add_string_value (builder, "mailbox");
      json_builder_set_member_name (builder, "user");
      json_builder_add_string_value (builder, user);
      json_builder_set_member_name (builder, "new");
      json_builder_add_int_value (builder, n_new);
      json_builder_set_member_name (builder, "old");
      json_builder_add_int_value (builder, n_old);
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      print_json (node);
      return;
    }
#endif

  print_command_failed (command, "Unknown command");
}

static void read_next_command (Helper *helper);

static void
on_command_line (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Helper *helper = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize length = 0;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                    &length, &error);
  if (line == NULL)
    {
      /* End of input, or shutting down: the servers go on until a signal. */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("No more commands: %s", error->message);
      return;
    }

  g_strstrip (line);
  if (length > MAX_COMMAND_LENGTH)
    print_command_failed (NULL, "Command too long");
  else if (*line != '\0')
    run_command (helper, line);
  read_next_command (helper);
}

static void
read_next_command (Helper *helper)
{
  g_data_input_stream_read_line_async (helper->commands, G_PRIORITY_DEFAULT,
                                       helper->cancellable, on_command_line, helper);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  Helper *helper = user_data;

  g_main_loop_quit (helper->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
split_user (const char  *text,
            char       **name,
            char       **password)
{
  const char *colon = strchr (text, ':');
  gsize name_length = colon ? (gsize) (colon - text) : 0;

  /* The name goes into SIP URIs unescaped: no separators in it. */
  if (colon == NULL || name_length == 0 || strcspn (text, " \t@;:<>\"") < name_length)
    return FALSE;
  *name = g_strndup (text, colon - text);
  *password = g_strdup (colon + 1);
  return TRUE;
}

#if DT_ENABLE_SIP
static gboolean
parse_mailbox (const char  *text,
               char       **user,
               guint       *n_new,
               guint       *n_old)
{
  g_auto(GStrv) parts = g_strsplit_set (text, ":/", -1);
  guint64 a;
  guint64 b;

  if (g_strv_length (parts) != 3 || *parts[0] == '\0'
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXINT32, &a, NULL)
      || !g_ascii_string_to_unsigned (parts[2], 10, 0, G_MAXINT32, &b, NULL))
    return FALSE;
  *user = g_strdup (parts[0]);
  *n_new = (guint) a;
  *n_old = (guint) b;
  return TRUE;
}
#endif

static int
usage_error (GOptionContext *context,
             const char     *format,
             ...) G_GNUC_PRINTF (2, 3);

static int
usage_error (GOptionContext *context,
             const char     *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("dialtone-helper: %s\n", message);
  if (context != NULL)
    g_printerr ("Try “dialtone-helper %s --help”.\n", "serve");
  return EXIT_USAGE;
}

static int
serve (int    argc,
       char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) passwords = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) ready = NULL;
  g_autoptr(JsonNode) ready_node = NULL;
  g_autoptr(GInputStream) stdin_stream = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *token = NULL;
  g_autofree char *users_file = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *realm = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_auto(GStrv) user_args = NULL;
  g_auto(GStrv) mailbox_args = NULL;
  gboolean state_dir_made = FALSE;
  int sip_port = -1;
  int diagnostics_port = -1;
  int min_expires = -1;
  Helper helper = { 0 };
  guint sigint_id;
  guint sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default 127.0.0.1)", "ADDR" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &token,
      "Access token, required to listen beyond loopback", "TOKEN" },
    { "sip", 0, 0, G_OPTION_ARG_INT, &sip_port,
      "Serve SIP on UDP and TCP PORT (0: any free port)", "PORT" },
    { "diagnostics", 0, 0, G_OPTION_ARG_INT, &diagnostics_port,
      "Serve the diagnostics peer on TCP (HTTP) and UDP (echo) PORT (0: any free port)",
      "PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "PEM certificate: serve SIP over TLS on PORT + 1", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "PEM private key", "FILE" },
    { "user", 0, 0, G_OPTION_ARG_STRING_ARRAY, &user_args,
      "A user (repeatable)", "NAME:PASSWORD" },
    { "users", 0, 0, G_OPTION_ARG_FILENAME, &users_file,
      "Users, one NAME:PASSWORD a line", "FILE" },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &realm,
      "Digest realm (default dialtone.test)", "REALM" },
    { "min-expires", 0, 0, G_OPTION_ARG_INT, &min_expires,
      "Shortest registration accepted, in seconds (default 60)", "SECONDS" },
    { "mailbox", 0, 0, G_OPTION_ARG_STRING_ARRAY, &mailbox_args,
      "Voice messages waiting (repeatable)", "USER:NEW/OLD" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      "Folder for state and logs (default: a new temporary folder)", "DIR" },
    { NULL }
  };

  context = g_option_context_new ("- run the embedded test servers");
  g_option_context_set_summary (context, "dialtone-helper serve [OPTION…]");
  g_option_context_set_description (context,
                                    "SIP extensions, reachable without an account:\n"
                                    "  echo, 9196  send back what they hear (SRTP too)\n"
                                    "  early       183 with two seconds of early media, then 200 on other ports\n"
                                    "  plain       echo that never encrypts (answers without keys)\n"
                                    "  answer      answer and drop the media\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, "%s", error->message);
  if (argc > 1)
    return usage_error (context, "unexpected argument “%s”", argv[1]);

  address = g_inet_address_new_from_string (listen ? listen : "127.0.0.1");
  if (address == NULL)
    return usage_error (context, "--listen: “%s” is not an IP address", listen);
  /* SIP names the address in Via, Contact and SDP, where 0.0.0.0 or ::
   * would tell peers nothing. */
  if (g_inet_address_get_is_any (address))
    return usage_error (context, "--listen %s: give the one address to serve on, not a wildcard",
                        listen);
  if (!g_inet_address_get_is_loopback (address) && (token == NULL || *token == '\0'))
    return usage_error (context, "--listen %s is not a loopback address: it needs --token TOKEN",
                        listen);

  if (sip_port < 0 && diagnostics_port < 0)
    return usage_error (context, "no service asked for: give --sip PORT or --diagnostics PORT");
  if (diagnostics_port > G_MAXUINT16)
    return usage_error (context, "--diagnostics: %d is not a port", diagnostics_port);
  if (sip_port > G_MAXUINT16)
    return usage_error (context, "--sip: %d is not a port", sip_port);
  if ((tls_cert == NULL) != (tls_key == NULL))
    return usage_error (context, "--tls-cert and --tls-key go together");
  if (min_expires == 0 || min_expires > 86400 || min_expires < -1)
    return usage_error (context, "--min-expires: between 1 and 86400 seconds");

  for (guint i = 0; user_args && user_args[i]; i++)
    {
      char *name;
      char *password;

      if (!split_user (user_args[i], &name, &password))
        return usage_error (context, "--user: “%s” is not NAME:PASSWORD", user_args[i]);
      g_ptr_array_add (users, name);
      g_ptr_array_add (passwords, password);
    }
  if (users_file != NULL)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (users_file, &contents, NULL, &error))
        return usage_error (context, "--users: %s", error->message);
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *name;
          char *password;

          g_strstrip (lines[i]);
          if (*lines[i] == '\0' || *lines[i] == '#')
            continue;
          if (!split_user (lines[i], &name, &password))
            return usage_error (context, "%s:%u: not NAME:PASSWORD", users_file, i + 1);
          g_ptr_array_add (users, name);
          g_ptr_array_add (passwords, password);
        }
    }

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (certificate == NULL)
        return usage_error (context, "--tls-cert/--tls-key: %s", error->message);
    }

  if (state_dir == NULL)
    {
      state_dir = g_dir_make_tmp ("dialtone-helper-XXXXXX", &error);
      if (state_dir == NULL)
        {
          g_printerr ("dialtone-helper: no state folder: %s\n", error->message);
          return 1;
        }
      state_dir_made = TRUE;
    }
  else if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      g_printerr ("dialtone-helper: --state-dir %s: %s\n", state_dir, g_strerror (errno));
      return 1;
    }

  helper.loop = g_main_loop_new (NULL, FALSE);
  helper.cancellable = g_cancellable_new ();
  ready = json_builder_new ();
  json_builder_begin_object (ready);
  json_builder_set_member_name (ready, "event");
  json_builder_add_string_value (ready, "ready");

  if (diagnostics_port >= 0)
    {
      helper.diagnostics = dt_diag_service_new (token);
      g_signal_connect (helper.diagnostics, "event", G_CALLBACK (on_diagnostics_event), NULL);
      if (!dt_diag_service_start (helper.diagnostics, address, (guint16) diagnostics_port,
                                  &error))
        {
          g_printerr ("dialtone-helper: diagnostics on port %d: %s\n", diagnostics_port,
                      error->message);
          g_clear_object (&helper.diagnostics);
          return 1;
        }
      json_builder_set_member_name (ready, "diagnostics");
      json_builder_add_value (ready, dt_diag_service_describe (helper.diagnostics));
    }

  if (sip_port < 0)
    goto services_started;
#if DT_ENABLE_SIP
  helper.sip = dt_sip_service_new (realm);
  if (min_expires > 0)
    dt_sip_service_set_min_expires (helper.sip, min_expires);
  for (guint i = 0; i < users->len; i++)
    dt_sip_service_add_user (helper.sip, g_ptr_array_index (users, i),
                             g_ptr_array_index (passwords, i));
  for (guint i = 0; mailbox_args && mailbox_args[i]; i++)
    {
      g_autofree char *user = NULL;
      guint n_new;
      guint n_old;

      if (!parse_mailbox (mailbox_args[i], &user, &n_new, &n_old))
        return usage_error (context, "--mailbox: “%s” is not USER:NEW/OLD", mailbox_args[i]);
      if (!dt_sip_service_set_mailbox (helper.sip, user, n_new, n_old, &error))
        return usage_error (context, "--mailbox: %s", error->message);
    }
  g_signal_connect (helper.sip, "event", G_CALLBACK (on_service_event), NULL);
  if (!dt_sip_service_start (helper.sip, address, (guint16) sip_port, certificate, &error))
    {
      g_printerr ("dialtone-helper: SIP on port %d: %s\n", sip_port, error->message);
      g_clear_object (&helper.sip);
      return 1;
    }
  json_builder_set_member_name (ready, "sip");
  json_builder_add_value (ready, dt_sip_service_describe (helper.sip));
#else
  return usage_error (context, "--sip: this build has no SIP (-Dsip=disabled)");
#endif

services_started:
  json_builder_end_object (ready);
  ready_node = json_builder_get_root (ready);
  print_json (ready_node);

  stdin_stream = g_unix_input_stream_new (0, FALSE);
  helper.commands = g_data_input_stream_new (stdin_stream);
  read_next_command (&helper);

  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, &helper);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, &helper);
  g_main_loop_run (helper.loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  g_cancellable_cancel (helper.cancellable);
  if (helper.diagnostics != NULL)
    dt_diag_service_stop (helper.diagnostics);
  g_clear_object (&helper.diagnostics);
#if DT_ENABLE_SIP
  if (helper.sip != NULL)
    dt_sip_service_stop (helper.sip);
  g_clear_object (&helper.sip);
#endif
  /* Let the cancelled read report back before the stream goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&helper.commands);
  g_clear_object (&helper.cancellable);
  g_main_loop_unref (helper.loop);

  if (state_dir_made && g_rmdir (state_dir) != 0)
    g_debug ("State folder %s kept: %s", state_dir, g_strerror (errno));
  return 0;
}

#if DT_ENABLE_SIP
/* `call` runs as dialtone-helper-call, which leaves out the diagnostics'
 * libraries: beside this program in the build tree, else in libexecdir.
 * Should neither be there, this program places the call itself. */
static int
run_call (int    argc,
          char **argv)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *beside = NULL;
  const char *program = NULL;

  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);

      beside = g_build_filename (dir, "dialtone-helper-call", NULL);
    }
  if (beside != NULL && g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    program = beside;
  else if (g_file_test (DIALTONE_LIBEXECDIR "/dialtone-helper-call", G_FILE_TEST_IS_EXECUTABLE))
    program = DIALTONE_LIBEXECDIR "/dialtone-helper-call";
  if (program != NULL)
    {
      /* The new program's argv[0] is "call", as dt_helper_call_main expects. */
      execv (program, argv + 1);
      g_debug ("%s: %s", program, g_strerror (errno));
    }
  return dt_helper_call_main (argc - 1, argv + 1);
}
#endif

static int
print_usage (void)
{
  g_printerr ("Usage: dialtone-helper serve [OPTION…]\n"
              "       dialtone-helper call [OPTION…] URI\n"
              "       dialtone-helper call --answer --account URI --password P [OPTION…]\n"
              "       dialtone-helper diagnose --turn URI… [--stun URI…] [OPTION…]\n"
              "Each command’s --help lists its options.\n");
  return EXIT_USAGE;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    return print_usage ();
  if (g_str_equal (argv[1], "serve"))
    return serve (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "diagnose"))
    return dt_helper_diagnose_main (argc - 1, argv + 1);
#if DT_ENABLE_SIP
  if (g_str_equal (argv[1], "call"))
    return run_call (argc, argv);
#endif
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage ();
      return 0;
    }
  g_printerr ("dialtone-helper: unknown command “%s”\n", argv[1]);
  return print_usage ();
}
