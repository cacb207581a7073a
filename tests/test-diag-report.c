/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-diag-report.c
 *
 * The Diagnostics report model and its writers: grades follow from the
 * stages recorded, the JSON parses back and carries the values, the HTML is
 * well-formed, self-contained, shows the grades and escapes whatever a
 * hostile server sent, and no password ever reaches either.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "dt-diag-report.h"

#define HOSTILE "<script>alert('pwned')</script> & \"co\"\x01\x7f"

static GInetSocketAddress *
address (const char *ip,
         guint16     port)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (ip);

  g_assert_nonnull (inet);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (inet, port));
}

static void
pass_through (DtDiagEntry *entry,
              DtDiagStage  last,
              gboolean     handshake)
{
  for (DtDiagStage s = DT_DIAG_STAGE_RESOLVE; s <= last; s++)
    {
      if (s == DT_DIAG_STAGE_HANDSHAKE && !handshake)
        dt_diag_entry_stage_set (entry, s, DT_DIAG_STAGE_SKIPPED, DT_DIAG_REASON_NONE, NULL);
      else
        dt_diag_entry_stage_passed (entry, s, 1000 + s * 250);
    }
  dt_diag_entry_stage_set (entry, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_NOT_RUN,
                           DT_DIAG_REASON_ICE_NOT_RUN, "not part of this run");
}

static void
relay_works (DtDiagEntry *entry,
             gboolean     handshake)
{
  pass_through (entry, DT_DIAG_STAGE_GREETING, handshake);
  entry->server_address = address ("192.0.2.10", entry->uri->port);
  entry->relay_address = address ("192.0.2.10", 50001);
  entry->greeting_rtt_us = 1234;
}

/* IPv4: a working UDP server with STUN, a working TLS server, a TLS server
 * with an untrusted certificate whose error text is hostile, a TCP server
 * that rejects the password, and a URI with credentials in it. IPv6 is
 * not available. */
static DtDiagReport *
make_report (void)
{
  DtDiagReport *report = dt_diag_report_new ();
  DtDiagEntry *entry;

  dt_diag_report_set_peer (report, "udp echo at 192.0.2.99:7");
  dt_diag_report_set_duration (report, 42500);

  entry = dt_diag_report_add_entry (report, "turn:192.0.2.10:3478", G_SOCKET_FAMILY_IPV4);
  relay_works (entry, FALSE);
  entry->mapped_address = address ("198.51.100.7", 40000);
  entry->nat_detected = TRUE;

  entry = dt_diag_report_add_entry (report, "turns:turn.example.org:5349?transport=tcp",
                                    G_SOCKET_FAMILY_IPV4);
  relay_works (entry, TRUE);
  dt_diag_entry_stage_set (entry, DT_DIAG_STAGE_BINDING, DT_DIAG_STAGE_SKIPPED,
                           DT_DIAG_REASON_NONE, NULL);

  entry = dt_diag_report_add_entry (report, "turns:evil.example.org:443", G_SOCKET_FAMILY_IPV4);
  pass_through (entry, DT_DIAG_STAGE_CONNECT, FALSE);
  dt_diag_entry_stage_failed (entry, DT_DIAG_STAGE_HANDSHAKE, 3000,
                              DT_DIAG_REASON_TLS_CERTIFICATE, 0, NULL, HOSTILE);

  entry = dt_diag_report_add_entry (report, "turn:turn.example.org?transport=tcp",
                                    G_SOCKET_FAMILY_IPV4);
  pass_through (entry, DT_DIAG_STAGE_CONNECT, FALSE);
  dt_diag_entry_stage_failed (entry, DT_DIAG_STAGE_ALLOCATE, 900, DT_DIAG_REASON_AUTH_FAILED,
                              401, "Unauthorized " HOSTILE, "The TURN server rejected it");

  entry = dt_diag_report_add_entry (report, "turn:alice:hunter2@<b>host</b>",
                                    G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (entry->stages[DT_DIAG_STAGE_PARSE].state, ==, DT_DIAG_STAGE_FAILED);

  entry = dt_diag_report_add_entry (report, "turn:192.0.2.10:3478", G_SOCKET_FAMILY_IPV6);
  dt_diag_entry_stage_failed (entry, DT_DIAG_STAGE_RESOLVE, 10, DT_DIAG_REASON_DNS_NO_ADDRESS, 0,
                              NULL, "no IPv6 address");
  dt_diag_report_set_family_available (report, G_SOCKET_FAMILY_IPV6, FALSE);

  return report;
}

static void
test_model (void)
{
  g_autoptr(DtDiagReport) report = make_report ();
  const DtDiagFamilyScore *v4, *v6;
  const DtDiagEntry *entry;
  g_auto(GStrv) advice = NULL;
  g_autofree char *text = NULL;
  DtDiagStage stage;

  g_assert_cmpuint (dt_diag_report_get_n_entries (report), ==, 6);
  v4 = dt_diag_report_get_family_score (report, G_SOCKET_FAMILY_IPV4);
  v6 = dt_diag_report_get_family_score (report, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (v4->grade, ==, DT_DIAG_GRADE_GREAT);
  g_assert_cmphex (v4->flags, ==, DT_DIAG_FLAG_UDP_TURN | DT_DIAG_FLAG_TCP_TURNS);
  g_assert_cmpint (v6->grade, ==, DT_DIAG_GRADE_NOT_TESTED);

  entry = dt_diag_report_get_entry (report, 0);
  g_assert_cmpint (entry->score.grade, ==, DT_DIAG_GRADE_EXCELLENT);
  g_assert_null (dt_diag_entry_get_failure (entry, NULL));
  g_assert_null (dt_diag_entry_get_advice (entry));

  entry = dt_diag_report_get_entry (report, 2);
  g_assert_cmpint (entry->score.grade, ==, DT_DIAG_GRADE_FAIL);
  g_assert_nonnull (dt_diag_entry_get_failure (entry, &stage));
  g_assert_cmpint (stage, ==, DT_DIAG_STAGE_HANDSHAKE);
  text = dt_diag_entry_get_advice (entry);
  g_assert_nonnull (strstr (text, "The certificate of evil.example.org:443 is not trusted"));
  g_clear_pointer (&text, g_free);

  entry = dt_diag_report_get_entry (report, 3);
  text = dt_diag_entry_get_advice (entry);
  g_assert_nonnull (strstr (text, "rejected the user name or password"));
  g_clear_pointer (&text, g_free);

  /* user name and password are never kept */
  entry = dt_diag_report_get_entry (report, 4);
  g_assert_null (strstr (entry->uri_text, "hunter2"));
  g_assert_null (strstr (entry->uri_text, "alice"));
  g_assert_null (entry->uri);

  /* A relay of the other family does not count (RFC 6156 default) */
  {
    g_autoptr(DtDiagReport) other = dt_diag_report_new ();
    DtDiagEntry *e = dt_diag_report_add_entry (other, "turn:192.0.2.10", G_SOCKET_FAMILY_IPV6);

    relay_works (e, FALSE);
    e->mapped_address = address ("2001:db8::7", 4000);
    g_assert_cmpint (dt_diag_report_get_family_score (other, G_SOCKET_FAMILY_IPV6)->grade, ==,
                     DT_DIAG_GRADE_POOR);
    g_assert_false (e->score.turn_ok);
  }

  advice = dt_diag_report_get_advice (report);
  text = g_strjoinv ("\n", advice);
  g_assert_nonnull (strstr (text, "Add a TURN server on TCP port 443"));
  g_assert_nonnull (strstr (text, "Calls cannot use TLS-only TURN with this version of libnice"));
  g_assert_nonnull (strstr (text, "ICE check through libnice was not run"));
  g_assert_null (strstr (text, "DTLS"));

  g_assert_finalize_object (g_steal_pointer (&report));
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static void
test_json (void)
{
  g_autoptr(DtDiagReport) report = make_report ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = dt_diag_report_to_json_string (report);
  JsonObject *root, *families, *v4, *v6, *uri, *stages, *stage, *stun_error, *relay;
  JsonArray *uris, *flags, *advice;

  g_assert_null (strstr (text, "hunter2"));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  g_assert_cmpstr (json_object_get_string_member (root, "schema"), ==,
                   "io.github.dialtone.Diagnostics/1");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (root, "duration_ms"), 42.5,
                                  1e-9);
  g_assert_cmpstr (json_object_get_string_member (root, "peer"), ==, "udp echo at 192.0.2.99:7");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (root, "generated_at"), "Z"));

  families = member_object (root, "families");
  v4 = member_object (families, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (v4, "grade"), ==, "Great");
  g_assert_true (json_object_get_boolean_member (v4, "tested"));
  g_assert_true (json_object_get_boolean_member (v4, "stun"));
  g_assert_true (json_object_get_boolean_member (v4, "turn"));
  g_assert_nonnull (strstr (json_object_get_string_member (v4, "rule"), "Great"));
  flags = json_object_get_array_member (v4, "flags");
  g_assert_cmpuint (json_array_get_length (flags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (flags, 0), ==, "udp-turn");
  g_assert_cmpstr (json_array_get_string_element (flags, 1), ==, "tcp-turns");
  v6 = member_object (families, "ipv6");
  g_assert_false (json_object_get_boolean_member (v6, "tested"));
  g_assert_true (json_object_get_null_member (v6, "grade"));

  uris = json_object_get_array_member (root, "uris");
  g_assert_cmpuint (json_array_get_length (uris), ==, 6);

  uri = json_array_get_object_element (uris, 0);
  g_assert_cmpstr (json_object_get_string_member (uri, "uri"), ==, "turn:192.0.2.10:3478");
  g_assert_cmpstr (json_object_get_string_member (uri, "family"), ==, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (uri, "grade"), ==, "Excellent");
  g_assert_cmpstr (json_object_get_string_member (uri, "connection"), ==, "udp");
  g_assert_true (json_object_get_boolean_member (uri, "stun_expected"));
  g_assert_true (json_object_get_boolean_member (uri, "nat_detected"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (uri, "greeting_rtt_ms"), 1.234,
                                  1e-9);
  relay = member_object (uri, "relay");
  g_assert_cmpstr (json_object_get_string_member (relay, "address"), ==, "192.0.2.10");
  g_assert_cmpint (json_object_get_int_member (relay, "port"), ==, 50001);
  g_assert_cmpstr (json_object_get_string_member (relay, "family"), ==, "ipv4");
  g_assert_cmpstr (json_object_get_string_member (member_object (uri, "mapped"), "address"), ==,
                   "198.51.100.7");
  stages = member_object (uri, "stages");
  stage = member_object (stages, "allocate");
  g_assert_cmpstr (json_object_get_string_member (stage, "state"), ==, "passed");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (stage, "ms"), 2.25, 1e-9);
  stage = member_object (stages, "greeting");
  g_assert_cmpstr (json_object_get_string_member (stage, "state"), ==, "passed");
  stage = member_object (stages, "ice");
  g_assert_cmpstr (json_object_get_string_member (stage, "state"), ==, "not-run");
  g_assert_cmpstr (json_object_get_string_member (stage, "reason"), ==, "ice-not-run");
  g_assert_true (json_object_get_null_member (uri, "error"));

  uri = json_array_get_object_element (uris, 1);
  g_assert_cmpstr (json_object_get_string_member (uri, "connection"), ==, "tls");
  g_assert_true (json_object_get_boolean_member (uri, "secure"));

  uri = json_array_get_object_element (uris, 2);
  g_assert_cmpstr (json_object_get_string_member (uri, "grade"), ==, "Fail");
  g_assert_cmpstr (json_object_get_string_member (uri, "error"), ==, "tls-certificate");
  g_assert_cmpstr (json_object_get_string_member (uri, "error_detail"), ==, HOSTILE);

  uri = json_array_get_object_element (uris, 3);
  g_assert_cmpstr (json_object_get_string_member (uri, "error"), ==, "auth-failed");
  stage = member_object (member_object (uri, "stages"), "allocate");
  g_assert_cmpstr (json_object_get_string_member (stage, "state"), ==, "failed");
  stun_error = member_object (stage, "stun_error");
  g_assert_cmpint (json_object_get_int_member (stun_error, "code"), ==, 401);
  g_assert_cmpstr (json_object_get_string_member (stun_error, "reason"), ==,
                   "Unauthorized " HOSTILE);
  g_assert_nonnull (strstr (json_object_get_string_member (uri, "advice"), "password"));

  uri = json_array_get_object_element (uris, 4);
  g_assert_false (json_object_get_boolean_member (uri, "valid"));
  g_assert_cmpstr (json_object_get_string_member (uri, "error"), ==, "uri-invalid");
  g_assert_true (json_object_get_null_member (uri, "host"));

  uri = json_array_get_object_element (uris, 5);
  g_assert_false (json_object_get_boolean_member (uri, "tested"));
  g_assert_cmpstr (json_object_get_string_member (uri, "error"), ==, "dns-no-address");

  advice = json_object_get_array_member (root, "advice");
  g_assert_cmpuint (json_array_get_length (advice), >=, 3);
}

/* Returns whether xmllint accepted @path, with what it said in @complaint */
static gboolean
run_xmllint (const char  *path,
             gboolean     html,
             char       **complaint)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { XMLLINT, "--noout", "--nonet", html ? "--html" : path,
                         html ? path : NULL, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               complaint, &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) && (*complaint)[0] == '\0';
}

static char *
write_temporary (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd;

  fd = g_file_open_tmp ("dialtone-report-XXXXXX.html", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_html (void)
{
  g_autoptr(DtDiagReport) report = make_report ();
  g_autofree char *html = dt_diag_report_to_html (report);
  g_autofree char *path = NULL;
  g_autofree char *complaint = NULL;

  /* Self-contained, no script, nothing to fetch */
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "src="));
  g_assert_null (strstr (html, "href="));
  g_assert_null (strstr (html, "<link"));
  g_assert_null (strstr (html, "url("));
  g_assert_nonnull (strstr (html, "<style>"));

  /* Hostile text arrives escaped, and no password at all */
  g_assert_nonnull (strstr (html, "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; "
                                  "&quot;co&quot;\xef\xbf\xbd\xef\xbf\xbd"));
  g_assert_null (strstr (html, "<b>host"));
  g_assert_nonnull (strstr (html, "&lt;b&gt;host&lt;/b&gt;"));
  g_assert_null (strstr (html, "hunter2"));

  /* The grades, the rule words, the advice, the tables */
  g_assert_nonnull (strstr (html, "class=\"grade g-Great\">Great</span>"));
  g_assert_nonnull (strstr (html, "class=\"grade g-Excellent\">Excellent</span>"));
  g_assert_nonnull (strstr (html, "class=\"grade g-Fail\">Fail</span>"));
  g_assert_nonnull (strstr (html, "Great: STUN and TURN work"));
  g_assert_nonnull (strstr (html, "Add a TURN server on TCP port 443"));
  g_assert_nonnull (strstr (html, "The certificate of evil.example.org:443 is not trusted"));
  g_assert_nonnull (strstr (html, "<h2>IPv4</h2>"));
  g_assert_nonnull (strstr (html, "<h2>IPv6</h2>"));
  g_assert_nonnull (strstr (html, "STUN 401 Unauthorized"));
  g_assert_nonnull (strstr (html, "authentication failed"));

  path = write_temporary (html);

  /* Well-formed as XML, and clean as HTML */
  g_assert_true (run_xmllint (path, FALSE, &complaint));
  g_clear_pointer (&complaint, g_free);
  g_assert_true (run_xmllint (path, TRUE, &complaint));
  g_clear_pointer (&complaint, g_free);
  g_unlink (path);

  /* …which xmllint would notice otherwise */
  g_clear_pointer (&path, g_free);
  path = write_temporary ("<!DOCTYPE html>\n<html><body><p>unclosed &amp <b></p></body></html>");
  g_assert_false (run_xmllint (path, FALSE, &complaint));
  g_test_message ("a broken page: %s", complaint);
  g_assert_cmpstr (complaint, !=, "");
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/diag-report/model", test_model);
  g_test_add_func ("/diag-report/json", test_json);
  g_test_add_func ("/diag-report/html", test_html);

  return g_test_run ();
}
