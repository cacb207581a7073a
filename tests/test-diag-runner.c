/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diag-runner.c
 *
 * The whole Diagnostics run against a real coturn started here on loopback
 * (UDP, TCP, TLS and DTLS, a test CA), with a UDP echo peer on 127.0.0.1
 * and ::1 and the helper's diagnostics peer (DtDiagService) for the ICE
 * checks: a working server scores Great in each family with ICE connected
 * through every relay libnice can use; TLS on TCP 443, in a network
 * namespace of the test's own, scores Excellent; STUN alone is Poor; a
 * TLS-only server works for TURN but is reported unusable by calls; a
 * standard coturn gives libnice no IPv6 relay, and the report says why; a
 * wrong password, a closed port, a silent port, an untrusted certificate
 * and a malformed URI each fail with their own reason; and a run can be
 * cancelled. Every assertion on results reads the JSON report, as a
 * script would, except the progress test's: the "stage-changed" signals
 * of a run, watched as they come, against the stages of the report it
 * gives.
 */

/* unshare (2) */
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coturn.h"
#include "dt-diag-runner.h"
#include "dt-diag-service.h"

#define NETNS_TEST "/diag-runner/excellent-443"

/* The whole report must come well within this on loopback; valgrind
 * (tests/meson.build's setup) slows everything down about tenfold */
#define REPORT_BUDGET_US (5 * G_USEC_PER_SEC * slowdown)

typedef struct {
  GSocket *socket;
  GSource *source;
  guint    echoed;
} EchoPeer;

static char *tmpdir;
static char *certdir;
static char *ca_path;
static Coturn *server;
static gboolean have_ipv6;
static char *ipv6_skip_reason;
static EchoPeer *peer4;
static EchoPeer *peer6;
static DtDiagService *service;
static guint ice_connected;
static guint slowdown = 1;

/* --- The echo peer ------------------------------------------------------ */

static gboolean
on_echo_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  EchoPeer *peer = user_data;
  g_autoptr(GSocketAddress) from = NULL;
  char buffer[2048];
  gssize n;

  n = g_socket_receive_from (socket, &from, buffer, sizeof buffer, NULL, NULL);
  if (n > 0 && g_socket_send_to (socket, from, buffer, n, NULL, NULL) == n)
    peer->echoed++;
  return G_SOURCE_CONTINUE;
}

static EchoPeer *
echo_peer_new (GSocketFamily family)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  EchoPeer *peer = g_new0 (EchoPeer, 1);

  peer->socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (peer->socket, address, FALSE, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (peer->socket, FALSE);
  peer->source = g_socket_create_source (peer->socket, G_IO_IN, NULL);
  g_source_set_callback (peer->source, (GSourceFunc) (void (*) (void)) on_echo_readable, peer,
                         NULL);
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

/* A UDP "server" that answers everything with bytes that are not STUN */
static gboolean
on_garbage_readable (GSocket      *socket,
                     GIOCondition  condition,
                     gpointer      user_data)
{
  static const char garbage[] =
    "\x01\x01\x00\x04\xde\xad\xbe\xefHTTP/1.1 400 Bad Request\r\n";
  g_autoptr(GSocketAddress) from = NULL;
  char buffer[2048];

  if (g_socket_receive_from (socket, &from, buffer, sizeof buffer, NULL, NULL) > 0)
    g_socket_send_to (socket, from, garbage, sizeof garbage - 1, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

/* --- Helpers ------------------------------------------------------------ */

static DtDiagRunner *
make_runner (gboolean trust_test_ca)
{
  DtDiagRunner *runner = dt_diag_runner_new ();
  g_autoptr(GInetSocketAddress) address4 = echo_peer_address (peer4);
  g_autoptr(GError) error = NULL;

  dt_diag_runner_set_peer (runner, address4);
  if (have_ipv6)
    {
      g_autoptr(GInetSocketAddress) address6 = echo_peer_address (peer6);

      dt_diag_runner_set_peer (runner, address6);
    }
  dt_diag_runner_set_peer_url (runner, dt_diag_service_get_url (service), NULL);
  if (trust_test_ca)
    {
      g_assert_true (dt_diag_runner_set_ca_file (runner, ca_path, &error));
      g_assert_no_error (error);
    }
  g_object_set (runner, "stage-timeout", 1000 * slowdown, NULL);
  return runner;
}

static void
on_result (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs @runner and returns its report as parsed JSON, checking that the run
 * took less than @budget_us. */
static JsonNode *
run_report (DtDiagRunner *runner,
            gint64        budget_us,
            char        **html)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagReport) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gint64 started = g_get_monotonic_time ();
  gint64 elapsed;

  dt_diag_runner_run_async (runner, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  elapsed = g_get_monotonic_time () - started;

  report = dt_diag_runner_run_finish (runner, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_clear_object (&result);
  g_test_message ("report took %.1f ms (the report says %.1f ms)", elapsed / 1000.0,
                  dt_diag_report_get_duration (report) / 1000.0);
  g_assert_cmpint (elapsed, <, budget_us);
  g_assert_cmpint (dt_diag_report_get_duration (report), <=, elapsed);

  text = dt_diag_report_to_json_string (report);
  g_test_message ("%s", text);
  g_assert_null (strstr (text, COTURN_PASSWORD));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  if (html != NULL)
    *html = dt_diag_report_to_html (report);

  g_assert_finalize_object (g_steal_pointer (&report));
  return json_node_ref (json_parser_get_root (parser));
}

static JsonObject *
find_entry (JsonNode   *root,
            const char *uri,
            const char *family)
{
  JsonArray *uris = json_object_get_array_member (json_node_get_object (root), "uris");

  for (guint i = 0; i < json_array_get_length (uris); i++)
    {
      JsonObject *entry = json_array_get_object_element (uris, i);

      if (g_str_equal (json_object_get_string_member (entry, "uri"), uri) &&
          g_str_equal (json_object_get_string_member (entry, "family"), family))
        return entry;
    }
  g_error ("no entry for %s in %s", uri, family);
}

static JsonObject *
stage_of (JsonObject *entry,
          const char *stage)
{
  return json_object_get_object_member (json_object_get_object_member (entry, "stages"), stage);
}

static void
assert_stage (JsonObject *entry,
              const char *stage,
              const char *state)
{
  g_assert_cmpstr (json_object_get_string_member (stage_of (entry, stage), "state"), ==, state);
}

static const char *
family_grade (JsonNode   *root,
              const char *family)
{
  JsonObject *families = json_object_get_object_member (json_node_get_object (root),
                                                        "families");
  JsonObject *object = json_object_get_object_member (families, family);

  if (json_object_get_null_member (object, "grade"))
    return NULL;
  return json_object_get_string_member (object, "grade");
}

/* The ICE check connected through libnice's own relay of @family */
static void
assert_ice_connected (JsonObject *entry,
                      const char *family)
{
  JsonObject *ice = json_object_get_object_member (entry, "ice");
  JsonObject *relay = json_object_get_object_member (ice, "relay");

  assert_stage (entry, "ice", "passed");
  g_assert_false (json_object_get_null_member (stage_of (entry, "ice"), "ms"));
  g_assert_nonnull (relay);
  g_assert_cmpstr (json_object_get_string_member (relay, "family"), ==, family);
  g_assert_cmpfloat (json_object_get_double_member (ice, "connect_ms"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (ice, "rtt_ms"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "usable_by_calls"), ==, "yes");
}

static void
assert_relayed (JsonObject *entry,
                const char *family,
                gboolean    secure)
{
  JsonObject *relay;

  assert_stage (entry, "resolve", "passed");
  assert_stage (entry, "connect", "passed");
  assert_stage (entry, "handshake", secure ? "passed" : "skipped");
  assert_stage (entry, "allocate", "passed");
  assert_stage (entry, "permission", "passed");
  assert_stage (entry, "greeting", "passed");
  g_assert_false (json_object_get_null_member (stage_of (entry, "allocate"), "ms"));
  g_assert_cmpfloat (json_object_get_double_member (stage_of (entry, "allocate"), "ms"), >=, 0);

  relay = json_object_get_object_member (entry, "relay");
  g_assert_nonnull (relay);
  g_assert_cmpstr (json_object_get_string_member (relay, "family"), ==, family);
  g_assert_cmpfloat (json_object_get_double_member (entry, "greeting_rtt_ms"), >, 0);
  g_assert_true (json_object_get_boolean_member (entry, "turn_ok"));
  g_assert_cmpint (json_object_get_boolean_member (entry, "secure"), ==, secure);
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Excellent");
}

/* --- Tests -------------------------------------------------------------- */

static void
test_working (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *html = NULL;
  const char *hosts[] = { "127.0.0.1", "[::1]" };
  const char *families[] = { "ipv4", "ipv6" };
  guint echoed4 = peer4->echoed;
  guint connected = ice_connected;
  guint n_ice = 0;

  for (guint f = 0; f < (have_ipv6 ? 2 : 1); f++)
    {
      g_autofree char *udp = g_strdup_printf ("turn:%s:%u", hosts[f], server->port);
      g_autofree char *tcp = g_strdup_printf ("turn:%s:%u?transport=tcp", hosts[f],
                                              server->port);
      g_autofree char *tls = g_strdup_printf ("turns:%s:%u", hosts[f], server->tls_port);
      g_autofree char *dtls = g_strdup_printf ("turns:%s:%u?transport=udp", hosts[f],
                                               server->tls_port);
      const char *uris[] = { udp, tcp, tls, dtls, NULL };
      g_autoptr(DtIceServer) ice_server = dt_ice_server_new (uris, COTURN_USERNAME,
                                                             COTURN_PASSWORD);

      dt_diag_runner_add_server (runner, ice_server);
    }

  root = run_report (runner, REPORT_BUDGET_US, &html);

  for (guint f = 0; f < (have_ipv6 ? 2 : 1); f++)
    {
      g_autofree char *udp = g_strdup_printf ("turn:%s:%u", hosts[f], server->port);
      g_autofree char *tcp = g_strdup_printf ("turn:%s:%u?transport=tcp", hosts[f],
                                              server->port);
      g_autofree char *tls = g_strdup_printf ("turns:%s:%u", hosts[f], server->tls_port);
      g_autofree char *dtls = g_strdup_printf ("turns:%s:%u?transport=udp", hosts[f],
                                               server->tls_port);
      JsonObject *entry;

      entry = find_entry (root, udp, families[f]);
      assert_relayed (entry, families[f], FALSE);
      assert_ice_connected (entry, families[f]);
      g_assert_true (json_object_get_null_member (entry, "error"));
      assert_stage (entry, "binding", "passed");
      g_assert_true (json_object_get_boolean_member (entry, "stun_ok"));
      /* loopback: the server sees us as we are */
      g_assert_false (json_object_get_boolean_member (entry, "nat_detected"));
      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (entry, "mapped"), "family"), ==,
                       families[f]);

      entry = find_entry (root, tcp, families[f]);
      assert_relayed (entry, families[f], FALSE);
      assert_ice_connected (entry, families[f]);
      assert_stage (entry, "binding", "skipped");
      g_assert_cmpstr (json_object_get_string_member (entry, "connection"), ==, "tcp");

      /* libnice "TLS" is plain TCP, which this coturn takes on its TLS port
       * too: usable, and the calls' verdict says it is not encrypted */
      entry = find_entry (root, tls, families[f]);
      assert_relayed (entry, families[f], TRUE);
      assert_ice_connected (entry, families[f]);
      g_assert_nonnull (strstr (json_object_get_string_member (entry, "calls_rule"),
                                "plain TCP"));
      g_assert_cmpstr (json_object_get_string_member (entry, "connection"), ==, "tls");
      n_ice += 3;

      /* No DTLS in libnice: the ICE stage says so, and calls cannot use it */
      entry = find_entry (root, dtls, families[f]);
      assert_relayed (entry, families[f], TRUE);
      g_assert_cmpstr (json_object_get_string_member (entry, "connection"), ==, "dtls");
      assert_stage (entry, "ice", "not-run");
      g_assert_cmpstr (json_object_get_string_member (stage_of (entry, "ice"), "reason"), ==,
                       "ice-unsupported");
      g_assert_cmpstr (json_object_get_string_member (entry, "usable_by_calls"), ==, "no");
      g_assert_true (json_object_get_null_member (entry, "error"));

      /* The other family's literal is not tested there, not failed */
      if (have_ipv6)
        {
          entry = find_entry (root, udp, families[1 - f]);
          g_assert_false (json_object_get_boolean_member (entry, "tested"));
          g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==,
                           "dns-no-address");
        }

      /* STUN and secure TURN, but nothing on TCP port 443 */
      g_assert_cmpstr (family_grade (root, families[f]), ==, "Great");
      g_assert_true (json_object_get_boolean_member (
                       json_object_get_object_member (
                         json_object_get_object_member (json_node_get_object (root),
                                                        "families"), families[f]), "calls"));
    }

  if (!have_ipv6)
    {
      g_test_message ("IPv6 not tested: %s", ipv6_skip_reason);
      g_assert_null (family_grade (root, "ipv6"));
    }

  /* The greetings really went through the relays to the peer, and the
   * peer's own agents saw ICE connect */
  g_assert_cmpuint (peer4->echoed, >=, echoed4 + 4);
  g_assert_cmpuint (ice_connected - connected, ==, n_ice);
  g_assert_nonnull (strstr (html, "Great"));
  g_assert_nonnull (strstr (html, "Add a TURN server on TCP port 443"));
  g_assert_nonnull (strstr (html, "Calls cannot use TURN over DTLS"));
}

static void
test_wrong_password (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", server->port);
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u", server->port);
  JsonObject *entry, *stun_error;

  dt_diag_runner_add_uri (runner, tcp, COTURN_USERNAME, "not-the-password");
  dt_diag_runner_add_uri (runner, udp, COTURN_USERNAME, "not-the-password");
  root = run_report (runner, REPORT_BUDGET_US, NULL);

  entry = find_entry (root, tcp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "auth-failed");
  assert_stage (entry, "allocate", "failed");
  assert_stage (entry, "greeting", "not-run");
  stun_error = json_object_get_object_member (stage_of (entry, "allocate"), "stun_error");
  g_assert_nonnull (stun_error);
  g_assert_true (json_object_get_int_member (stun_error, "code") == 401 ||
                 json_object_get_int_member (stun_error, "code") == 441);
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"), "password"));

  /* Over UDP the Binding still works without credentials: STUN only, Poor */
  entry = find_entry (root, udp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Poor");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "auth-failed");
  assert_stage (entry, "binding", "passed");

  g_assert_cmpstr (family_grade (root, "ipv4"), ==, "Poor");
}

static void
test_unreachable (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  guint16 closed = coturn_free_port (G_SOCKET_FAMILY_IPV4);
  g_autofree char *closed_tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", closed);
  g_autofree char *closed_udp = g_strdup_printf ("turn:127.0.0.1:%u", closed);
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GInetSocketAddress) silent_address = NULL;
  g_autofree char *silent_udp = NULL;
  g_autoptr(GSocket) garbage = NULL;
  g_autoptr(GSource) garbage_source = NULL;
  g_autoptr(GInetSocketAddress) garbage_address = NULL;
  g_autofree char *garbage_udp = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *entry;

  /* A bound UDP socket that never answers: no ICMP, only silence */
  silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  g_assert_no_error (error);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

    g_assert_true (g_socket_bind (silent, any, FALSE, &error));
  }
  silent_address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (silent, NULL));
  silent_udp = g_strdup_printf ("turn:127.0.0.1:%u",
                                g_inet_socket_address_get_port (silent_address));

  /* And one that answers garbage */
  garbage = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                          &error);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

    g_assert_true (g_socket_bind (garbage, any, FALSE, &error));
  }
  g_socket_set_blocking (garbage, FALSE);
  garbage_source = g_socket_create_source (garbage, G_IO_IN, NULL);
  g_source_set_callback (garbage_source, (GSourceFunc) (void (*) (void)) on_garbage_readable,
                         NULL, NULL);
  g_source_attach (garbage_source, NULL);
  garbage_address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (garbage, NULL));
  garbage_udp = g_strdup_printf ("turn:127.0.0.1:%u",
                                 g_inet_socket_address_get_port (garbage_address));

  g_object_set (runner, "stage-timeout", 400 * slowdown, NULL);
  dt_diag_runner_add_uri (runner, closed_tcp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, closed_udp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, silent_udp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, garbage_udp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, "turn:no-such-server.invalid", COTURN_USERNAME,
                          COTURN_PASSWORD);
  root = run_report (runner, REPORT_BUDGET_US, NULL);
  g_source_destroy (garbage_source);

  entry = find_entry (root, closed_tcp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "connect-refused");
  assert_stage (entry, "connect", "failed");

  /* Over UDP a closed port answers with ICMP, which is a refusal too */
  entry = find_entry (root, closed_udp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_test_message ("closed UDP port: %s", json_object_get_string_member (entry, "error"));
  g_assert_true (g_str_equal (json_object_get_string_member (entry, "error"),
                              "connect-refused") ||
                 g_str_equal (json_object_get_string_member (entry, "error"), "no-response"));

  entry = find_entry (root, silent_udp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "no-response");
  assert_stage (entry, "binding", "failed");
  assert_stage (entry, "allocate", "failed");
  g_assert_cmpstr (json_object_get_string_member (stage_of (entry, "allocate"), "reason"), ==,
                   "no-response");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"), "No response"));

  /* Garbage is not an answer: the client waits for STUN, and stops in time */
  entry = find_entry (root, garbage_udp, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_test_message ("garbage: %s", json_object_get_string_member (entry, "error"));
  g_assert_true (g_str_equal (json_object_get_string_member (entry, "error"), "no-response") ||
                 g_str_equal (json_object_get_string_member (entry, "error"), "protocol-error"));

  entry = find_entry (root, "turn:no-such-server.invalid", "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "dns-failed");
  assert_stage (entry, "resolve", "failed");
  assert_stage (entry, "connect", "not-run");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"), "does not resolve"));

  g_assert_cmpstr (family_grade (root, "ipv4"), ==, "Fail");
}

static void
test_untrusted (void)
{
  /* The system's trust store does not know the test CA */
  g_autoptr(DtDiagRunner) runner = make_runner (FALSE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *tls = g_strdup_printf ("turns:127.0.0.1:%u", server->tls_port);
  g_autofree char *dtls = g_strdup_printf ("turns:127.0.0.1:%u?transport=udp",
                                           server->tls_port);
  JsonObject *entry;

  dt_diag_runner_add_uri (runner, tls, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, dtls, COTURN_USERNAME, COTURN_PASSWORD);
  root = run_report (runner, REPORT_BUDGET_US, NULL);

  for (guint i = 0; i < 2; i++)
    {
      entry = find_entry (root, i == 0 ? tls : dtls, "ipv4");
      g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Fail");
      g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "tls-certificate");
      assert_stage (entry, "connect", "passed");
      assert_stage (entry, "handshake", "failed");
      assert_stage (entry, "allocate", "not-run");
      g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"),
                                "is not trusted"));
    }
}

static void
test_malformed (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *good = g_strdup_printf ("turn:127.0.0.1:%u", server->port);
  JsonObject *entry;

  dt_diag_runner_add_uri (runner, "turn:127.0.0.1:99999", COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, "turns://example.org", COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, good, COTURN_USERNAME, COTURN_PASSWORD);
  root = run_report (runner, REPORT_BUDGET_US, NULL);

  entry = find_entry (root, "turn:127.0.0.1:99999", "ipv4");
  g_assert_false (json_object_get_boolean_member (entry, "valid"));
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "uri-invalid");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "error_detail"),
                            "“99999” is not a number from 1 to 65535"));
  assert_stage (entry, "resolve", "not-run");

  entry = find_entry (root, "turns://example.org", "ipv4");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "uri-invalid");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "error_detail"), "“//”"));

  /* The bad ones do not stop the good one */
  entry = find_entry (root, good, "ipv4");
  assert_relayed (entry, "ipv4", FALSE);
  g_assert_cmpstr (family_grade (root, "ipv4"), ==, "Good");
}

/* What "stage-changed" said, in order */
typedef struct {
  const DtDiagEntry *entry;
  DtDiagStage        stage;
  DtDiagStageState   state;
  gboolean           before_result;
} Progress;

typedef struct {
  GArray        *seen;       /* Progress */
  GAsyncResult **result;
} ProgressWatch;

static void
on_stage_changed (DtDiagRunner *runner,
                  gpointer      entry,
                  guint         stage,
                  guint         state,
                  gpointer      user_data)
{
  ProgressWatch *watch = user_data;
  Progress progress = { entry, stage, state, *watch->result == NULL };

  g_assert_cmpuint (stage, <, DT_DIAG_N_STAGES);
  g_array_append_val (watch->seen, progress);
}

/* A working UDP and TCP server and a wrong password: every entry's stages
 * are announced as they start and as they end, before the run returns,
 * and what was announced is what the report holds, in its order. */
static void
test_progress (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u", server->port);
  g_autofree char *tcp = g_strdup_printf ("turn:127.0.0.1:%u?transport=tcp", server->port);
  g_autofree char *bad = g_strdup_printf ("turns:127.0.0.1:%u", server->tls_port);
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (Progress));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagReport) report = NULL;
  ProgressWatch watch = { seen, &result };
  guint n_running = 0;

  dt_diag_runner_add_uri (runner, udp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, tcp, COTURN_USERNAME, COTURN_PASSWORD);
  dt_diag_runner_add_uri (runner, bad, COTURN_USERNAME, "not-the-password");
  g_signal_connect (runner, "stage-changed", G_CALLBACK (on_stage_changed), &watch);

  dt_diag_runner_run_async (runner, NULL, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = dt_diag_runner_run_finish (runner, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);

  g_assert_cmpuint (dt_diag_report_get_n_entries (report), ==, have_ipv6 ? 6 : 3);
  for (guint i = 0; i < dt_diag_report_get_n_entries (report); i++)
    {
      const DtDiagEntry *entry = dt_diag_report_get_entry (report, i);
      gboolean recorded[DT_DIAG_N_STAGES] = { FALSE, };
      gboolean running[DT_DIAG_N_STAGES] = { FALSE, };
      gint last = -1;
      g_autoptr(GString) order = g_string_new (NULL);

      for (guint k = 0; k < seen->len; k++)
        {
          Progress *p = &g_array_index (seen, Progress, k);

          if (p->entry != entry)
            continue;
          /* Live, not replayed at the end */
          g_assert_true (p->before_result);
          g_string_append_printf (order, " %s:%s", dt_diag_stage_to_string (p->stage),
                                  dt_diag_stage_state_to_string (p->state));
          if (p->state == DT_DIAG_STAGE_RUNNING)
            {
              /* A stage starts after the last one ended, once */
              g_assert_cmpint ((gint) p->stage, >, last);
              g_assert_false (running[p->stage]);
              running[p->stage] = TRUE;
              n_running++;
              continue;
            }
          /* Each stage ends once, in the report's order, as recorded */
          g_assert_cmpint ((gint) p->stage, >, last);
          last = p->stage;
          recorded[p->stage] = TRUE;
          g_assert_cmpint (p->state, ==, entry->stages[p->stage].state);
          /* A stage with a time of its own was announced as it started */
          if (p->stage != DT_DIAG_STAGE_PARSE && p->stage != DT_DIAG_STAGE_HANDSHAKE &&
              (p->state == DT_DIAG_STAGE_PASSED || p->state == DT_DIAG_STAGE_FAILED))
            g_assert_true (running[p->stage]);
        }
      g_test_message ("%s %s:%s", entry->uri_text, dt_diag_family_to_string (entry->family),
                      order->str);

      /* The first word is the parse; nothing the report holds went unsaid */
      g_assert_true (recorded[DT_DIAG_STAGE_PARSE]);
      for (guint s = 0; s < DT_DIAG_N_STAGES; s++)
        if (!recorded[s])
          {
            g_assert_cmpint (entry->stages[s].state, ==, DT_DIAG_STAGE_NOT_RUN);
            g_assert_cmpint (entry->stages[s].reason, ==, DT_DIAG_REASON_NONE);
          }

      if (entry->family == G_SOCKET_FAMILY_IPV4 && g_str_equal (entry->uri_text, udp))
        for (guint s = DT_DIAG_STAGE_RESOLVE; s <= DT_DIAG_STAGE_ICE; s++)
          {
            g_assert_true (recorded[s]);
            if (s != DT_DIAG_STAGE_HANDSHAKE)
              g_assert_cmpint (entry->stages[s].state, ==, DT_DIAG_STAGE_PASSED);
          }
      if (entry->family == G_SOCKET_FAMILY_IPV4 && g_str_equal (entry->uri_text, bad))
        {
          g_assert_true (running[DT_DIAG_STAGE_ALLOCATE]);
          g_assert_cmpint (entry->stages[DT_DIAG_STAGE_ALLOCATE].state, ==,
                           DT_DIAG_STAGE_FAILED);
          g_assert_cmpint (entry->stages[DT_DIAG_STAGE_ALLOCATE].reason, ==,
                           DT_DIAG_REASON_AUTH_FAILED);
          g_assert_false (recorded[DT_DIAG_STAGE_PERMISSION]);
        }
    }
  /* Resolve, connect, binding, allocate, permission, greeting and ICE for
   * the UDP URI alone */
  g_assert_cmpuint (n_running, >=, 7);

  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&report));
}

static void
on_cancel_timeout (gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagReport) report = NULL;
  g_autoptr(GSocket) silent = NULL;
  g_autoptr(GInetSocketAddress) silent_address = NULL;
  g_autoptr(DtClock) clock = dt_clock_new_system ();
  g_autofree char *uri = NULL;
  gint64 started;

  silent = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                         &error);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

    g_assert_true (g_socket_bind (silent, any, FALSE, &error));
  }
  silent_address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (silent, NULL));
  uri = g_strdup_printf ("turn:127.0.0.1:%u", g_inet_socket_address_get_port (silent_address));

  /* Each stage would wait 30 s for the silent server */
  g_object_set (runner, "stage-timeout", 30000, NULL);
  dt_diag_runner_add_uri (runner, uri, COTURN_USERNAME, COTURN_PASSWORD);

  started = g_get_monotonic_time ();
  dt_diag_runner_run_async (runner, cancellable, on_result, &result);
  dt_clock_add (clock, 200, on_cancel_timeout, cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  report = dt_diag_runner_run_finish (runner, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (report);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC * slowdown);

  /* Cancelled before it starts */
  g_clear_object (&result);
  g_clear_error (&error);
  dt_diag_runner_run_async (runner, cancellable, on_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (dt_diag_runner_run_finish (runner, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  g_assert_finalize_object (g_steal_pointer (&runner));
}

static void
test_stun_only (void)
{
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *stun = g_strdup_printf ("stun:127.0.0.1:%u", server->port);
  JsonObject *entry;

  dt_diag_runner_add_uri (runner, stun, NULL, NULL);
  root = run_report (runner, REPORT_BUDGET_US, NULL);

  entry = find_entry (root, stun, "ipv4");
  assert_stage (entry, "binding", "passed");
  g_assert_true (json_object_get_boolean_member (entry, "stun_ok"));
  g_assert_true (json_object_get_null_member (entry, "grade"));
  assert_stage (entry, "ice", "skipped");
  /* STUN without TURN */
  g_assert_cmpstr (family_grade (root, "ipv4"), ==, "Poor");
}

static void
test_tls_only (void)
{
  const char *ips[] = { "127.0.0.1", NULL };
  Coturn *tls_only = coturn_start (tmpdir, certdir, ips, TRUE);
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *tls = g_strdup_printf ("turns:127.0.0.1:%u", tls_only->tls_port);
  g_autofree char *advice = NULL;
  g_autofree char *html = NULL;
  JsonObject *entry, *families;
  JsonArray *report_advice;

  dt_diag_runner_add_uri (runner, tls, COTURN_USERNAME, COTURN_PASSWORD);
  root = run_report (runner, REPORT_BUDGET_US, &html);
  coturn_stop (tls_only);

  /* Dialtone's own client speaks TLS: TURN works, and the grade says so */
  entry = find_entry (root, tls, "ipv4");
  assert_relayed (entry, "ipv4", TRUE);
  g_assert_true (json_object_get_boolean_member (entry, "turn_ok"));
  g_assert_cmpstr (json_object_get_string_member (entry, "grade"), ==, "Excellent");

  /* libnice's TLS is plain TCP, which this server refuses: no call can
   * use it, and the report says so plainly */
  assert_stage (entry, "ice", "failed");
  g_assert_cmpstr (json_object_get_string_member (stage_of (entry, "ice"), "reason"), ==,
                   "no-relay-candidate");
  g_assert_cmpstr (json_object_get_string_member (entry, "usable_by_calls"), ==, "no");
  g_assert_cmpstr (json_object_get_string_member (entry, "error"), ==, "no-relay-candidate");
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"),
                            "Calls cannot use"));
  g_assert_nonnull (strstr (json_object_get_string_member (entry, "advice"), "plain TCP"));

  families = json_object_get_object_member (json_node_get_object (root), "families");
  g_assert_true (json_object_get_boolean_member (
                   json_object_get_object_member (families, "ipv4"), "turn"));
  g_assert_false (json_object_get_boolean_member (
                    json_object_get_object_member (families, "ipv4"), "calls"));
  report_advice = json_object_get_array_member (json_node_get_object (root), "advice");
  for (guint i = 0; i < json_array_get_length (report_advice); i++)
    if (strstr (json_array_get_string_element (report_advice, i), "calls cannot use any"))
      advice = g_strdup (json_array_get_string_element (report_advice, i));
  g_assert_nonnull (advice);
  g_assert_nonnull (strstr (html, "Not usable by calls"));
}

/* A coturn as RFC 8656 §7.2 has it: no REQUESTED-ADDRESS-FAMILY, an IPv4
 * relay. Dialtone's client asks for IPv6 and gets it; libnice asks for
 * nothing, and the report says why calls then get no IPv6 relay. */
static void
test_ipv6_default_family (void)
{
  const char *ips[] = { "127.0.0.1", "::1", NULL };
  Coturn *standard;
  g_autoptr(DtDiagRunner) runner = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *udp = NULL;
  JsonObject *entry;

  if (!have_ipv6)
    {
      g_test_skip (ipv6_skip_reason);
      return;
    }
  standard = coturn_start (tmpdir, certdir, ips, FALSE);
  runner = make_runner (TRUE);
  udp = g_strdup_printf ("turn:[::1]:%u", standard->port);
  dt_diag_runner_add_uri (runner, udp, COTURN_USERNAME, COTURN_PASSWORD);
  root = run_report (runner, REPORT_BUDGET_US, NULL);
  coturn_stop (standard);

  entry = find_entry (root, udp, "ipv6");
  assert_relayed (entry, "ipv6", FALSE);
  assert_stage (entry, "ice", "failed");
  g_assert_cmpstr (json_object_get_string_member (stage_of (entry, "ice"), "reason"), ==,
                   "no-relay-candidate");
  g_assert_nonnull (strstr (json_object_get_string_member (stage_of (entry, "ice"), "detail"),
                            "REQUESTED-ADDRESS-FAMILY"));
  g_assert_cmpstr (json_object_get_string_member (entry, "usable_by_calls"), ==, "no");
}

/* Runs in a network namespace of its own (see main()), where port 443 is
 * free to take. */
static void
excellent_443_in_namespace (void)
{
  const char *ips[] = { "127.0.0.1", NULL };
  Coturn *on_443 = coturn_start_full (tmpdir, certdir, ips, FALSE, 443, FALSE);
  g_autoptr(DtDiagRunner) runner = make_runner (TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *udp = g_strdup_printf ("turn:127.0.0.1:%u", on_443->port);
  const char *tls = "turns:127.0.0.1:443?transport=tcp";
  const char * const uris[] = { udp, tls, NULL };
  g_autoptr(DtIceServer) ice_server = dt_ice_server_new (uris, COTURN_USERNAME,
                                                         COTURN_PASSWORD);
  JsonObject *entry;
  JsonArray *flags;
  gboolean has_443 = FALSE;

  dt_diag_runner_add_server (runner, ice_server);
  root = run_report (runner, REPORT_BUDGET_US, NULL);
  coturn_stop (on_443);

  entry = find_entry (root, udp, "ipv4");
  assert_relayed (entry, "ipv4", FALSE);
  assert_ice_connected (entry, "ipv4");
  entry = find_entry (root, tls, "ipv4");
  assert_relayed (entry, "ipv4", TRUE);
  assert_ice_connected (entry, "ipv4");
  flags = json_object_get_array_member (entry, "flags");
  for (guint i = 0; i < json_array_get_length (flags); i++)
    has_443 |= g_str_equal (json_array_get_string_element (flags, i), "tcp-turns-443");
  g_assert_true (has_443);

  g_assert_cmpstr (family_grade (root, "ipv4"), ==, "Excellent");
}

static gboolean
namespaces_available (char **reason)
{
  const char *cmd[] = { "unshare", "--net", "true", NULL };
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) cmd, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error))
    {
      *reason = g_strdup_printf ("unshare(1) could not run: %s", error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, &error))
    {
      *reason = g_strdup_printf ("no network namespaces here (unshare --net: %s)",
                                 error->message);
      return FALSE;
    }
  return TRUE;
}

static void
test_excellent_443 (void)
{
  g_autofree char *reason = NULL;

  if (g_test_subprocess ())
    {
      excellent_443_in_namespace ();
      return;
    }
  /* Port 443 is the system's: take it only in a namespace of our own */
  if (!namespaces_available (&reason))
    {
      g_test_skip (reason);
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC * slowdown,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* For NETNS_TEST's subprocess, before any thread exists: a network
 * namespace with loopback up, so that coturn may listen on 443. */
static void
enter_network_namespace (void)
{
  struct ifreq request = { 0 };
  int fd;

  if (unshare (CLONE_NEWNET) != 0)
    g_error ("unshare (CLONE_NEWNET): %s", g_strerror (errno));
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (request.ifr_name, "lo", sizeof request.ifr_name);
  if (ioctl (fd, SIOCGIFFLAGS, &request) != 0)
    g_error ("SIOCGIFFLAGS lo: %s", g_strerror (errno));
  request.ifr_flags |= IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &request) != 0)
    g_error ("SIOCSIFFLAGS lo: %s", g_strerror (errno));
  close (fd);
}

static void
on_service_event (DtDiagService *peer,
                  JsonNode      *event,
                  gpointer       user_data)
{
  JsonObject *object = json_node_get_object (event);

  if (g_strcmp0 (json_object_get_string_member (object, "state"), "connected") == 0)
    ice_connected++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *ips_v4[] = { "127.0.0.1", NULL };
  const char *ips_dual[] = { "127.0.0.1", "::1", NULL };
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  gboolean subprocess = FALSE;
  gboolean netns = FALSE;
  int ret;

  for (int i = 1; i < argc; i++)
    {
      subprocess |= g_str_equal (argv[i], "--GTestSubprocess");
      netns |= g_str_equal (argv[i], NETNS_TEST);
    }
  if (subprocess && netns)
    enter_network_namespace ();

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DT_UNDER_VALGRIND") != NULL)
    slowdown = 10;

  tmpdir = g_dir_make_tmp ("dialtone-diag-XXXXXX", &error);
  g_assert_no_error (error);
  certdir = coturn_make_certs (tmpdir);
  ca_path = g_build_filename (certdir, "ca.pem", NULL);
  have_ipv6 = coturn_have_ipv6 (&ipv6_skip_reason);
  /* libnice asks for no family: let it have IPv6 relays over IPv6 */
  server = coturn_start_full (tmpdir, certdir, have_ipv6 ? ips_dual : ips_v4, FALSE, 0, TRUE);
  peer4 = echo_peer_new (G_SOCKET_FAMILY_IPV4);
  if (have_ipv6)
    peer6 = echo_peer_new (G_SOCKET_FAMILY_IPV6);
  service = dt_diag_service_new (NULL);
  g_signal_connect (service, "event", G_CALLBACK (on_service_event), NULL);
  g_assert_true (dt_diag_service_start (service, loopback, 0, &error));
  g_assert_no_error (error);

  g_test_add_func ("/diag-runner/working", test_working);
  g_test_add_func ("/diag-runner/stun-only", test_stun_only);
  g_test_add_func ("/diag-runner/tls-only", test_tls_only);
  g_test_add_func ("/diag-runner/ipv6-default-family", test_ipv6_default_family);
  g_test_add_func (NETNS_TEST, test_excellent_443);
  g_test_add_func ("/diag-runner/wrong-password", test_wrong_password);
  g_test_add_func ("/diag-runner/unreachable", test_unreachable);
  g_test_add_func ("/diag-runner/untrusted", test_untrusted);
  g_test_add_func ("/diag-runner/malformed", test_malformed);
  g_test_add_func ("/diag-runner/cancel", test_cancel);
  g_test_add_func ("/diag-runner/progress", test_progress);

  ret = g_test_run ();

  if (ret != 0)
    coturn_dump_log (server);
  coturn_stop (server);
  echo_peer_free (peer4);
  echo_peer_free (peer6);
  dt_diag_service_stop (service);
  g_clear_object (&service);
  {
    const char *cmd[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) cmd, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (ca_path);
  g_free (certdir);
  g_free (tmpdir);
  g_free (ipv6_skip_reason);
  return ret;
}
