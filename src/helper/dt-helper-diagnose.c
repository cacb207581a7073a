/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-helper-diagnose.c
 *
 * `dialtone-helper diagnose`: the Diagnostics run of the app, headless.
 * Each STUN and TURN server is tried in both address families, and the
 * report comes out as JSON or as a self-contained HTML page.
 *
 * The far end is a diagnostics peer (`dialtone-helper serve --diagnostics`,
 * src/diagnostics/PEER.md): its UDP echo answers the greeting through each
 * relay, and its signalling answers the libnice ICE check. `--peer URL`
 * names a running one; without it the command runs its own in-process on
 * loopback, in both families where the machine has them. `--peer
 * HOST:PORT` names a bare UDP echo, with which the ICE check cannot run.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <string.h>

#include "dt-diag-runner.h"
#include "dt-diag-service.h"
#include "dt-diag-signal.h"
#include "dt-helper-diagnose.h"

/* Long enough for a peer across the Internet */
#define PEER_INFO_TIMEOUT_S 10

typedef struct
{
  GMainLoop    *loop;
  DtDiagReport *report;
  GError       *error;
} DiagnoseRun;

/* --- the peer ---------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  GBytes    *body;
  GError    *error;
} InfoFetch;

static void
on_info_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  InfoFetch *fetch = user_data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  g_main_loop_quit (fetch->loop);
}

/* Asks the peer at @url for its UDP echoes (PEER.md `GET /v1/diagnostics`)
 * and gives them to @runner. */
static gboolean
use_peer_url (DtDiagRunner  *runner,
              const char    *url,
              const char    *token,
              GError       **error)
{
  g_autoptr(SoupSession) soup = soup_session_new_with_options ("timeout", PEER_INFO_TIMEOUT_S,
                                                               NULL);
  g_autofree char *info_url = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GPtrArray) echoes = NULL;
  InfoFetch fetch = { 0 };
  gsize length;
  const char *data;

  /* The paths begin with "/" */
  info_url = g_str_has_suffix (url, "/")
    ? g_strconcat (url, &DT_DIAG_SIGNAL_PATH_INFO[1], NULL)
    : g_strconcat (url, DT_DIAG_SIGNAL_PATH_INFO, NULL);
  message = soup_message_new (SOUP_METHOD_GET, info_url);
  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--peer: “%s” is not an http:// URL", url);
      return FALSE;
    }
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                    value);
    }
  fetch.loop = g_main_loop_new (NULL, FALSE);
  soup_session_send_and_read_async (soup, message, G_PRIORITY_DEFAULT, NULL, on_info_fetched,
                                    &fetch);
  g_main_loop_run (fetch.loop);
  g_main_loop_unref (fetch.loop);
  if (fetch.body == NULL)
    {
      g_propagate_prefixed_error (error, fetch.error, "--peer %s: ", url);
      return FALSE;
    }
  if (soup_message_get_status (message) != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "--peer %s: HTTP %u %s", url,
                   soup_message_get_status (message), soup_message_get_reason_phrase (message));
      g_bytes_unref (fetch.body);
      return FALSE;
    }
  data = g_bytes_get_data (fetch.body, &length);
  echoes = dt_diag_signal_parse_info (data, length, error);
  g_bytes_unref (fetch.body);
  if (echoes == NULL)
    {
      g_prefix_error (error, "--peer %s: ", url);
      return FALSE;
    }
  for (guint i = 0; i < echoes->len; i++)
    dt_diag_runner_set_peer (runner, g_ptr_array_index (echoes, i));
  dt_diag_runner_set_peer_url (runner, url, token);
  return TRUE;
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
  g_autofree char *peer_token = NULL;
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
      "The diagnostics peer (dialtone-helper serve --diagnostics), or a bare UDP echo as "
      "HOST:PORT (default: one of our own)", "URL" },
    { "peer-token", 0, 0, G_OPTION_ARG_STRING, &peer_token,
      "The diagnostics peer's access token", "TOKEN" },
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
  g_autoptr(DtDiagService) service = NULL;
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

  if (peer_text != NULL &&
      (g_str_has_prefix (peer_text, "http://") || g_str_has_prefix (peer_text, "https://")))
    {
      if (!use_peer_url (runner, peer_text, peer_token, &error))
        {
          g_printerr ("dialtone-helper diagnose: %s\n", error->message);
          g_option_context_free (context);
          return 1;
        }
    }
  else if (peer_text != NULL)
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
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

      /* Our own peer, in this process: echo and ICE on 127.0.0.1 and ::1 */
      service = dt_diag_service_new (NULL);
      if (!dt_diag_service_start (service, loopback, 0, &error))
        {
          g_printerr ("dialtone-helper diagnose: no embedded peer: %s\n", error->message);
          g_option_context_free (context);
          return 1;
        }
      for (guint f = 0; f < 2; f++)
        {
          g_autoptr(GInetSocketAddress) address =
            dt_diag_service_get_echo_address (service, f == 0 ? G_SOCKET_FAMILY_IPV4
                                                              : G_SOCKET_FAMILY_IPV6);

          if (address != NULL)
            dt_diag_runner_set_peer (runner, address);
        }
      dt_diag_runner_set_peer_url (runner, dt_diag_service_get_url (service), NULL);
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
  if (service != NULL)
    {
      /* Its agents hold no allocations: nothing to wait for */
      dt_diag_service_stop (service);
    }

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
