/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-diagnose.c
 *
 * `dialtone-helper diagnose` as a person runs it, against a real coturn on
 * loopback (UDP, TCP, TLS and DTLS, with a test CA): the JSON report's
 * grade and flags, the HTML page written to a file, a wrong password, and
 * bad options; and `dialtone-helper serve --diagnostics 0` as the far
 * peer of a full run with `--peer URL`, with and without its token.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "coturn.h"

typedef struct
{
  char   *dir;
  char   *certs;
  Coturn *coturn;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *ips[] = { "127.0.0.1", NULL };

  f->dir = g_dir_make_tmp ("dialtone-diagnose-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->certs = coturn_make_certs (f->dir);
  f->coturn = coturn_start (f->dir, f->certs, ips, FALSE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  if (g_test_failed ())
    coturn_dump_log (f->coturn);
  coturn_stop (f->coturn);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  g_free (f->certs);
  g_free (f->dir);
}

/* Runs the command; returns its exit status, and what it printed. */
static int
diagnose (char       **out,
          const char  *first_arg,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("DIALTONE_HELPER"));
  g_ptr_array_add (argv, (char *) "diagnose");
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static JsonObject *
family (JsonNode   *report,
        const char *name)
{
  return json_object_get_object_member (json_object_get_object_member (
                                          json_node_get_object (report), "families"), name);
}

static gboolean
has_flag (JsonObject *fam,
          const char *flag)
{
  JsonArray *flags = json_object_get_array_member (fam, "flags");

  for (guint i = 0; i < json_array_get_length (flags); i++)
    if (g_strcmp0 (json_array_get_string_element (flags, i), flag) == 0)
      return TRUE;
  return FALSE;
}

/* Every transport works: TURN over TLS and DTLS is verified against the
 * test CA, so IPv4 scores Great (Excellent would need TLS on port 443). */
static void
test_working_server (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u?transport=udp", f->coturn->port);
  g_autofree char *tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", f->coturn->port);
  g_autofree char *tls = g_strdup_printf ("turns:127.0.0.1:%u?transport=tcp",
                                          f->coturn->tls_port);
  g_autofree char *dtls = g_strdup_printf ("turns:127.0.0.1:%u?transport=udp",
                                           f->coturn->tls_port);
  g_autofree char *ca = g_build_filename (f->certs, "ca.pem", NULL);
  g_autofree char *html_path = g_build_filename (f->dir, "report.html", NULL);
  g_autofree char *out = NULL;
  g_autofree char *html_out = NULL;
  g_autofree char *html = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *ipv4;

  g_assert_cmpint (diagnose (&out, "--turn", udp, "--turn", tcp, "--turn", tls, "--turn", dtls,
                             "--username", COTURN_USERNAME, "--password", COTURN_PASSWORD,
                             "--ca-file", ca, NULL), ==, 0);
  report = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (report), "schema"), ==,
                   "io.github.dialtone.Diagnostics/1");
  ipv4 = family (report, "ipv4");
  g_assert_true (json_object_get_boolean_member (ipv4, "tested"));
  g_assert_cmpstr (json_object_get_string_member (ipv4, "grade"), ==, "Great");
  g_assert_true (has_flag (ipv4, "udp-turn"));
  g_assert_true (has_flag (ipv4, "tcp-turn"));
  g_assert_true (has_flag (ipv4, "tcp-turns"));
  g_assert_true (has_flag (ipv4, "udp-turns"));
  g_assert_false (has_flag (ipv4, "tcp-turns-443"));

  /* The same run as a page a person can attach to a support request. */
  g_assert_cmpint (diagnose (&html_out, "--turn", udp, "--username", COTURN_USERNAME,
                             "--password", COTURN_PASSWORD, "--format", "html",
                             "--output", html_path, NULL), ==, 0);
  g_assert_true (g_file_get_contents (html_path, &html, NULL, NULL));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_null (strstr (html, "<script"));
  g_assert_nonnull (strstr (html, udp));
}

/* A refused password over TCP: the URI fails, and says why. */
static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", f->coturn->port);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (diagnose (&out, "--turn", tcp, "--username", COTURN_USERNAME,
                             "--password", "not the password", NULL), ==, 0);
  report = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (family (report, "ipv4"), "grade"), ==, "Fail");
  g_assert_nonnull (strstr (out, "auth-failed"));
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *line;
  gboolean          done;
} Serve;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Serve *serve = user_data;

  serve->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                           NULL, NULL);
  serve->done = TRUE;
}

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* The next line the helper prints, within 10 s; %NULL at the end */
static char *
serve_read_line (Serve *serve)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  serve->done = FALSE;
  g_data_input_stream_read_line_async (serve->out, G_PRIORITY_DEFAULT, NULL, on_line, serve);
  while (!serve->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return g_steal_pointer (&serve->line);
}

/* Starts `serve --diagnostics 0` with @token, and returns its URL from the
 * ready line. */
static char *
serve_start (Serve      *serve,
             const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ready = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *line = NULL;
  const char *argv[] = { g_getenv ("DIALTONE_HELPER"), "serve", "--diagnostics", "0",
                         token ? "--token" : NULL, token, NULL };
  JsonObject *diagnostics;
  JsonArray *echo;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDIN_PIPE);
  /* A failed assertion aborts the test: take the helper down with it */
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  serve->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  serve->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve->process));

  /* The contract: one ready line, here with the peer's URL and echoes */
  line = serve_read_line (serve);
  g_assert_nonnull (line);
  g_test_message ("ready line: %s", line);
  ready = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ready), "event"), ==,
                   "ready");
  diagnostics = json_object_get_object_member (json_node_get_object (ready), "diagnostics");
  g_assert_nonnull (diagnostics);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (diagnostics, "url"),
                                   "http://127.0.0.1:"));
  echo = json_object_get_array_member (diagnostics, "echo");
  g_assert_cmpuint (json_array_get_length (echo), >=, 1);
  g_assert_true (g_str_has_prefix (json_array_get_string_element (echo, 0), "127.0.0.1:"));
  return g_strdup (json_object_get_string_member (diagnostics, "url"));
}

/* Stops the helper; returns how many ICE sessions it saw connect. */
static guint
serve_stop (Serve *serve)
{
  g_autoptr(GError) error = NULL;
  guint connected = 0;
  char *line;

  g_subprocess_send_signal (serve->process, SIGTERM);
  while ((line = serve_read_line (serve)) != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (line, NULL);
      JsonObject *event = node ? json_node_get_object (node) : NULL;

      g_test_message ("event: %s", line);
      if (event != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (event, "event", ""),
                     "diagnostics-session") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (event, "state", ""),
                     "connected") == 0)
        connected++;
      g_free (line);
    }
  g_assert_true (g_subprocess_wait (serve->process, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (serve->process));
  g_assert_cmpint (g_subprocess_get_exit_status (serve->process), ==, 0);
  g_clear_object (&serve->out);
  g_clear_object (&serve->process);
  return connected;
}

static JsonObject *
find_entry (JsonNode   *report,
            const char *uri,
            const char *family_name)
{
  JsonArray *uris = json_object_get_array_member (json_node_get_object (report), "uris");

  for (guint i = 0; i < json_array_get_length (uris); i++)
    {
      JsonObject *entry = json_array_get_object_element (uris, i);

      if (g_str_equal (json_object_get_string_member (entry, "uri"), uri) &&
          g_str_equal (json_object_get_string_member (entry, "family"), family_name))
        return entry;
    }
  g_error ("no entry for %s in %s", uri, family_name);
}

static const char *
ice_state (JsonObject *entry)
{
  return json_object_get_string_member (
    json_object_get_object_member (json_object_get_object_member (entry, "stages"), "ice"),
    "state");
}

/* A full run against `serve --diagnostics 0` as a separate process */
static void
test_serve_peer (Fixture       *f,
                 gconstpointer  data)
{
  Serve serve = { 0 };
  g_autofree char *url = serve_start (&serve, NULL);
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u", f->coturn->port);
  g_autofree char *tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", f->coturn->port);
  g_autofree char *tls = g_strdup_printf ("turns:127.0.0.1:%u", f->coturn->tls_port);
  g_autofree char *ca = g_build_filename (f->certs, "ca.pem", NULL);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *ipv4;

  g_assert_cmpint (diagnose (&out, "--peer", url, "--turn", udp, "--turn", tcp, "--turn", tls,
                             "--username", COTURN_USERNAME, "--password", COTURN_PASSWORD,
                             "--ca-file", ca, NULL), ==, 0);
  report = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (report), "peer"),
                            url));
  ipv4 = family (report, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (ipv4, "grade"), ==, "Great");
  g_assert_true (json_object_get_boolean_member (ipv4, "calls"));
  g_assert_cmpstr (ice_state (find_entry (report, udp, "ipv4")), ==, "passed");
  g_assert_cmpstr (ice_state (find_entry (report, tcp, "ipv4")), ==, "passed");
  g_assert_cmpstr (ice_state (find_entry (report, tls, "ipv4")), ==, "passed");

  /* The far end's own agents connected, once per relay */
  g_assert_cmpuint (serve_stop (&serve), ==, 3);
}

/* With --token, the peer answers only requests that carry it */
static void
test_serve_token (Fixture       *f,
                  gconstpointer  data)
{
  Serve serve = { 0 };
  g_autofree char *url = serve_start (&serve, "s3cret-token");
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u", f->coturn->port);
  g_autofree char *refused = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (diagnose (&refused, "--peer", url, "--turn", udp, "--username",
                             COTURN_USERNAME, "--password", COTURN_PASSWORD, NULL), ==, 1);
  g_assert_cmpint (diagnose (&out, "--peer", url, "--peer-token", "s3cret-token",
                             "--turn", udp, "--username", COTURN_USERNAME,
                             "--password", COTURN_PASSWORD, NULL), ==, 0);
  report = json_from_string (out, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ice_state (find_entry (report, udp, "ipv4")), ==, "passed");
  g_assert_null (strstr (out, "s3cret-token"));
  g_assert_cmpuint (serve_stop (&serve), ==, 1);
}

/* One raw HTTP/1.1 exchange with the peer at @url; returns the status code */
static guint
http_status (const char *url,
             const char *request)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) response = g_byte_array_new ();
  g_autofree char *text = NULL;
  const char *host_port = url + strlen ("http://");
  guint status = 0;
  char buffer[4096];
  gssize n;

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, host_port, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request, strlen (request), NULL, NULL, &error));
  g_assert_no_error (error);
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                   buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (response, (const guint8 *) buffer, (guint) n);
  g_assert_no_error (error);
  text = g_strndup ((const char *) response->data, response->len);
  g_assert_true (g_str_has_prefix (text, "HTTP/1.1 "));
  status = (guint) g_ascii_strtoull (text + strlen ("HTTP/1.1 "), NULL, 10);
  g_test_message ("%u for %.*s", status, (int) strcspn (request, "\r"), request);
  return status;
}

static char *
post (const char *path,
      const char *body)
{
  return g_strdup_printf ("POST %s HTTP/1.1\r\nHost: peer\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                          path, strlen (body), body);
}

/* Bad requests get an HTTP error, and the peer goes on serving */
static void
test_serve_bad_requests (Fixture       *f,
                         gconstpointer  data)
{
  static const char *bodies[] = {
    "",
    "not json",
    "[1,2,3]",
    "{\"family\":\"ipv4\",\"ufrag\":\"abcd\",\"pwd\":\"short\",\"candidates\":[]}",
    /* a host candidate, not a relayed one */
    "{\"family\":\"ipv4\",\"ufrag\":\"abcd\",\"pwd\":\"abcdefghijklmnopqrstuvwxyz\","
    "\"candidates\":[\"a=candidate:1 1 UDP 2013266431 127.0.0.1 40000 typ host\"]}",
    /* two candidates */
    "{\"family\":\"ipv4\",\"ufrag\":\"abcd\",\"pwd\":\"abcdefghijklmnopqrstuvwxyz\","
    "\"candidates\":[\"a=candidate:1 1 UDP 16777215 127.0.0.1 40000 typ relay raddr 0.0.0.0 "
    "rport 0\",\"a=candidate:2 1 UDP 16777215 127.0.0.1 40001 typ relay raddr 0.0.0.0 rport 0\"]}",
    /* a relayed candidate of the other family */
    "{\"family\":\"ipv6\",\"ufrag\":\"abcd\",\"pwd\":\"abcdefghijklmnopqrstuvwxyz\","
    "\"candidates\":[\"a=candidate:1 1 UDP 16777215 127.0.0.1 40000 typ relay raddr 0.0.0.0 "
    "rport 0\"]}",
    /* not a candidate line libnice can read */
    "{\"family\":\"ipv4\",\"ufrag\":\"abcd\",\"pwd\":\"abcdefghijklmnopqrstuvwxyz\","
    "\"candidates\":[\"a=candidate:garbage\"]}",
  };
  Serve serve = { 0 };
  g_autofree char *url = serve_start (&serve, NULL);
  g_autofree char *huge = g_strdup_printf ("POST /v1/diagnostics/session HTTP/1.1\r\n"
                                           "Host: peer\r\nConnection: close\r\n"
                                           "Expect: 100-continue\r\n"
                                           "Content-Length: 100000\r\n\r\n");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autofree char *request = post ("/v1/diagnostics/session", bodies[i]);

      g_assert_cmpuint (http_status (url, request), ==, 400);
    }
  g_assert_cmpuint (http_status (url, huge), ==, 413);
  g_assert_cmpuint (http_status (url, "POST /v1/diagnostics/session HTTP/1.1\r\nHost: peer\r\n"
                                      "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                                      "1\r\n{\r\n0\r\n\r\n"), ==, 411);
  g_assert_cmpuint (http_status (url, "PUT /v1/diagnostics/session HTTP/1.1\r\nHost: peer\r\n"
                                      "Connection: close\r\nContent-Length: 0\r\n\r\n"), ==,
                    405);
  g_assert_cmpuint (http_status (url, "GET /elsewhere HTTP/1.1\r\nHost: peer\r\n"
                                      "Connection: close\r\n\r\n"), ==, 404);
  /* Still serving */
  g_assert_cmpuint (http_status (url, "GET /v1/diagnostics HTTP/1.1\r\nHost: peer\r\n"
                                      "Connection: close\r\n\r\n"), ==, 200);
  g_assert_cmpuint (serve_stop (&serve), ==, 0);
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;

  g_assert_cmpint (diagnose (&out1, NULL), ==, 2);
  g_assert_cmpint (diagnose (&out2, "--turn", "turn:127.0.0.1", "--format", "pdf", NULL), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/helper-diagnose/working-server", test_working_server);
  ADD ("/helper-diagnose/wrong-password", test_wrong_password);
  ADD ("/helper-diagnose/bad-options", test_bad_options);
  ADD ("/helper-diagnose/serve-peer", test_serve_peer);
  ADD ("/helper-diagnose/serve-token", test_serve_token);
  ADD ("/helper-diagnose/serve-bad-requests", test_serve_bad_requests);
#undef ADD

  return g_test_run ();
}
