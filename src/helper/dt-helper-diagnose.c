/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-helper-diagnose.c
 *
 * `dialtone-helper diagnose`: the Diagnostics run of the app, headless.
 * Each STUN and TURN server is tried in both address families, and the
 * report comes out as JSON or as a self-contained HTML page.
 *
 * The far end for the greeting through each relay is a UDP echo. Without
 * `--peer` the command runs its own on loopback, in both families where
 * the machine has them; the libnice ICE check and the helper's
 * diagnostics peer (`serve --diagnostics`) come later, and the report says
 * so for every URI.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <glib-unix.h>
#include <string.h>

#include "dt-diag-runner.h"
#include "dt-helper-diagnose.h"

typedef struct
{
  GSocket *socket;
  GSource *source;
} EchoPeer;

typedef struct
{
  GMainLoop    *loop;
  DtDiagReport *report;
  GError       *error;
} DiagnoseRun;

/* --- the embedded peer -------------------------------------------------- */

static gboolean
on_peer_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  guint8 buffer[2048];

  for (guint i = 0; i < 32; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL,
                                        NULL);

      if (n < 0)
        break;
      if (from != NULL)
        g_socket_send_to (socket, from, (const char *) buffer, (gsize) n, NULL, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static EchoPeer *
echo_peer_new (GSocketFamily family)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, NULL);
  EchoPeer *peer;

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  peer = g_new0 (EchoPeer, 1);
  peer->socket = g_steal_pointer (&socket);
  peer->source = g_socket_create_source (peer->socket, G_IO_IN, NULL);
  g_source_set_callback (peer->source, G_SOURCE_FUNC (on_peer_readable), NULL, NULL);
  g_source_attach (peer->source, NULL);
  return peer;
}

static void
echo_peer_free (EchoPeer *peer)
{
  if (peer == NULL)
    return;
  g_source_destroy (peer->source);
  g_source_unref (peer->source);
  g_object_unref (peer->socket);
  g_free (peer);
}

static GInetSocketAddress *
echo_peer_address (EchoPeer *peer)
{
  return G_INET_SOCKET_ADDRESS (g_socket_get_local_address (peer->socket, NULL));
}

/* --- the run ------------------------------------------------------------ */

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  DiagnoseRun *run = user_data;

  run->report = dt_diag_runner_run_finish (DT_DIAG_RUNNER (source), result, &run->error);
  g_main_loop_quit (run->loop);
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

static int
usage_error (GOptionContext *context,
             const char     *message)
{
  g_printerr ("dialtone-helper diagnose: %s\nTry “dialtone-helper diagnose --help”.\n",
              message);
  g_option_context_free (context);
  return 2;
}

/**
 * dt_helper_diagnose_main:
 *
 * Runs `dialtone-helper diagnose`.
 *
 * Returns: the exit status: 0 when the report was written, 1 when the run
 *   could not be made, 2 for bad options
 */
int
dt_helper_diagnose_main (int    argc,
                         char **argv)
{
  g_auto(GStrv) turn = NULL;
  g_auto(GStrv) stun = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *peer_text = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *ca_file = NULL;
  GOptionEntry entries[] = {
    { "turn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &turn,
      "A TURN server, RFC 7065 (repeatable)", "URI" },
    { "stun", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stun,
      "A STUN server, RFC 7064 (repeatable)", "URI" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, "The TURN user name", "NAME" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "The TURN password", "PASSWORD" },
    { "peer", 0, 0, G_OPTION_ARG_STRING, &peer_text,
      "The UDP echo to greet through each relay (default: one of our own)", "HOST:PORT" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "json (default) or html", "FORMAT" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, "Write the report here", "FILE" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "Trust this CA for TLS and DTLS",
      "FILE" },
    { NULL }
  };
  GOptionContext *context;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagRunner) runner = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *text = NULL;
  EchoPeer *peer4 = NULL;
  EchoPeer *peer6 = NULL;
  DiagnoseRun run = { 0 };
  gboolean html;
  guint sigint, sigterm;

  context = g_option_context_new ("- score STUN and TURN servers");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (argc != 1)
    return usage_error (context, "the servers come with --turn and --stun");
  if ((turn == NULL || turn[0] == NULL) && (stun == NULL || stun[0] == NULL))
    return usage_error (context, "give at least one --turn or --stun server");
  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "html"))
    return usage_error (context, "--format is json or html");
  html = format != NULL && g_str_equal (format, "html");

  runner = dt_diag_runner_new ();
  for (guint i = 0; turn != NULL && turn[i] != NULL; i++)
    dt_diag_runner_add_uri (runner, turn[i], username, password);
  for (guint i = 0; stun != NULL && stun[i] != NULL; i++)
    dt_diag_runner_add_uri (runner, stun[i], NULL, NULL);
  if (ca_file != NULL && !dt_diag_runner_set_ca_file (runner, ca_file, &error))
    return usage_error (context, error->message);

  if (peer_text != NULL)
    {
      g_autoptr(GInetAddress) ip = NULL;
      g_autoptr(GSocketAddress) address = NULL;
      const char *colon = strrchr (peer_text, ':');
      g_autofree char *host = colon ? g_strndup (peer_text, (gsize) (colon - peer_text)) : NULL;
      guint64 port = 0;

      if (host != NULL && host[0] == '[' && host[strlen (host) - 1] == ']')
        {
          char *inner = g_strndup (host + 1, strlen (host) - 2);

          g_free (host);
          host = inner;
        }
      ip = host ? g_inet_address_new_from_string (host) : NULL;
      if (ip == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return usage_error (context, "--peer takes an IP address and a port, as 127.0.0.1:4000");
      address = g_inet_socket_address_new (ip, (guint16) port);
      dt_diag_runner_set_peer (runner, G_INET_SOCKET_ADDRESS (address));
    }
  else
    {
      peer4 = echo_peer_new (G_SOCKET_FAMILY_IPV4);
      peer6 = echo_peer_new (G_SOCKET_FAMILY_IPV6);
      if (peer4 != NULL)
        {
          g_autoptr(GInetSocketAddress) address = echo_peer_address (peer4);

          dt_diag_runner_set_peer (runner, address);
        }
      if (peer6 != NULL)
        {
          g_autoptr(GInetSocketAddress) address = echo_peer_address (peer6);

          dt_diag_runner_set_peer (runner, address);
        }
    }
  g_option_context_free (context);

  run.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, cancellable);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, cancellable);
  dt_diag_runner_run_async (runner, cancellable, on_run_done, &run);
  g_main_loop_run (run.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (run.loop);
  echo_peer_free (peer4);
  echo_peer_free (peer6);

  if (run.report == NULL)
    {
      g_printerr ("dialtone-helper diagnose: %s\n", run.error->message);
      g_clear_error (&run.error);
      return 1;
    }

  text = html ? dt_diag_report_to_html (run.report) : dt_diag_report_to_json_string (run.report);
  g_clear_object (&run.report);
  if (output != NULL)
    {
      if (!g_file_set_contents (output, text, -1, &error))
        {
          g_printerr ("dialtone-helper diagnose: %s\n", error->message);
          return 1;
        }
    }
  else
    {
      g_print ("%s\n", text);
    }
  return 0;
}
