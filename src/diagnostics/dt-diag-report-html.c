/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-report-html.c
 *
 * The HTML form of a DtDiagReport: one self-contained page (inline CSS, no
 * JavaScript, nothing fetched) that a person can attach to a support
 * request. It is also well-formed XML, so any XML parser can check it.
 * Every string that came from a server or a person goes through
 * append_escaped().
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-diag-report.h"

static const char style[] =
  "body{font-family:Cantarell,'Noto Sans',sans-serif;margin:2em auto;max-width:60em;"
  "color:#241f31;background:#fff;padding:0 1em}"
  "h1{font-size:1.6em}h2{font-size:1.3em;margin-top:1.5em}h3{font-size:1.05em;"
  "font-family:monospace;word-break:break-all}"
  "table{border-collapse:collapse;width:100%;margin:.5em 0}"
  "th,td{border:1px solid #c0bfbc;padding:.3em .5em;text-align:left;vertical-align:top}"
  "th{background:#f6f5f4}.meta{color:#5e5c64}"
  ".grade{font-weight:bold;padding:.1em .5em;border-radius:.3em}"
  ".g-Excellent,.g-Great{background:#8ff0a4}.g-Good{background:#f9f06b}"
  ".g-Poor{background:#ffbe6f}.g-Fail{background:#f66151}.g-none{background:#deddda}"
  ".passed{color:#26a269}.failed{color:#c01c28;font-weight:bold}"
  ".not-run,.skipped{color:#77767b}.warning{color:#9c6e03}"
  "@media print{body{margin:0}}";

/* Text from a server may be anything: make it valid UTF-8, drop the
 * control characters XML 1.0 forbids even as references, and escape the
 * five special characters in a form both HTML 4 and XML parsers read. */
static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      switch (c)
        {
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '"':
          g_string_append (out, "&quot;");
          break;
        case '\'':
          g_string_append (out, "&#39;");
          break;
        default:
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c < 0xa0))
            g_string_append_unichar (out, 0xfffd);
          else
            g_string_append_len (out, p, g_utf8_next_char (p) - p);
          break;
        }
    }
}

static void
append_grade (GString     *out,
              DtDiagGrade  grade)
{
  const char *name = (grade == DT_DIAG_GRADE_NONE || grade == DT_DIAG_GRADE_NOT_TESTED)
                     ? "none" : dt_diag_grade_to_string (grade);

  g_string_append_printf (out, "<span class=\"grade g-%s\">", name);
  append_escaped (out, dt_diag_grade_to_label (grade));
  g_string_append (out, "</span>");
}

static void
append_flags (GString     *out,
              DtDiagFlags  flags)
{
  gboolean first = TRUE;

  for (guint bit = 0; bit < DT_DIAG_N_FLAGS; bit++)
    if (flags & (1u << bit))
      {
        g_string_append_printf (out, "%s<code>%s</code>", first ? "" : " ",
                                dt_diag_flag_to_string (1u << bit));
        first = FALSE;
      }
  if (first)
    g_string_append (out, "—");
}

static void
append_address (GString            *out,
                const char         *label,
                GInetSocketAddress *address)
{
  g_autofree char *ip = NULL;
  GInetAddress *inet;

  if (address == NULL)
    return;
  inet = g_inet_socket_address_get_address (address);
  ip = g_inet_address_to_string (inet);
  g_string_append (out, "<tr><th>");
  append_escaped (out, label);
  g_string_append_printf (out, g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                               ? "</th><td><code>[%s]:%u</code></td></tr>\n"
                               : "</th><td><code>%s:%u</code></td></tr>\n",
                          ip, g_inet_socket_address_get_port (address));
}

static void
append_ms (GString *out,
           gint64   us)
{
  if (us < 0)
    g_string_append (out, "—");
  else
    g_string_append_printf (out, "%.2f ms", us / 1000.0);
}

static void
append_stage (GString                 *out,
              DtDiagStage              stage,
              const DtDiagStageResult *result)
{
  const char *state = dt_diag_stage_state_to_string (result->state);

  g_string_append (out, "<tr><td>");
  append_escaped (out, dt_diag_stage_to_label (stage));
  g_string_append_printf (out, "</td><td class=\"%s\">", state);
  switch (result->state)
    {
    case DT_DIAG_STAGE_PASSED:
      append_escaped (out, _("passed"));
      break;
    case DT_DIAG_STAGE_FAILED:
      append_escaped (out, dt_diag_reason_to_label (result->reason));
      break;
    case DT_DIAG_STAGE_SKIPPED:
      append_escaped (out, _("does not apply"));
      break;
    case DT_DIAG_STAGE_NOT_RUN:
    case DT_DIAG_STAGE_RUNNING:
    default:
      append_escaped (out, result->reason != DT_DIAG_REASON_NONE
                           ? dt_diag_reason_to_label (result->reason) : _("not run"));
      break;
    }
  g_string_append (out, "</td><td>");
  append_ms (out, result->duration_us);
  g_string_append (out, "</td><td>");
  if (result->stun_code != 0)
    {
      g_string_append_printf (out, "<code>STUN %u ", result->stun_code);
      append_escaped (out, result->stun_reason);
      g_string_append (out, "</code> ");
    }
  append_escaped (out, result->detail);
  g_string_append (out, "</td></tr>\n");
}

static void
append_entry (GString           *out,
              const DtDiagEntry *entry)
{
  g_autofree char *advice = dt_diag_entry_get_advice (entry);
  g_autofree char *warning = dt_diag_entry_get_warning (entry);

  g_string_append (out, "<h3>");
  append_escaped (out, entry->uri_text);
  g_string_append (out, "</h3>\n<p>");
  append_grade (out, entry->score.grade);
  g_string_append (out, " ");
  append_escaped (out, entry->score.rule);
  g_string_append (out, "</p>\n");
  if (entry->score.calls_rule != NULL)
    {
      g_string_append (out, entry->score.calls == DT_DIAG_CALLS_NO ? "<p class=\"warning\">"
                                                                   : "<p>");
      append_escaped (out, entry->score.calls_rule);
      g_string_append (out, "</p>\n");
    }
  if (warning != NULL)
    {
      g_string_append (out, "<p class=\"warning\">");
      append_escaped (out, warning);
      g_string_append (out, "</p>\n");
    }
  if (advice != NULL)
    {
      g_string_append (out, "<p><strong>");
      append_escaped (out, _("What to do:"));
      g_string_append (out, "</strong> ");
      append_escaped (out, advice);
      g_string_append (out, "</p>\n");
    }

  g_string_append (out, "<table>\n<tr><th>");
  append_escaped (out, _("Stage"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Result"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Time"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Details"));
  g_string_append (out, "</th></tr>\n");
  for (guint i = 0; i < DT_DIAG_N_STAGES; i++)
    append_stage (out, i, &entry->stages[i]);
  g_string_append (out, "</table>\n");

  if (entry->server_address != NULL || entry->mapped_address != NULL ||
      entry->relay_address != NULL || entry->greeting_rtt_us >= 0)
    {
      g_string_append (out, "<table>\n");
      append_address (out, _("Server address"), entry->server_address);
      append_address (out, _("Mapped address"), entry->mapped_address);
      if (entry->mapped_address != NULL)
        {
          g_string_append (out, "<tr><th>");
          append_escaped (out, _("NAT"));
          g_string_append (out, "</th><td>");
          append_escaped (out, entry->nat_detected ? _("detected") : _("not detected"));
          g_string_append (out, "</td></tr>\n");
        }
      append_address (out, _("Relay address"), entry->relay_address);
      if (entry->greeting_rtt_us >= 0)
        {
          g_string_append (out, "<tr><th>");
          append_escaped (out, _("Greeting round trip"));
          g_string_append (out, "</th><td>");
          append_ms (out, entry->greeting_rtt_us);
          g_string_append (out, "</td></tr>\n");
        }
      g_string_append (out, "</table>\n");
    }
}

/**
 * dt_diag_report_to_html:
 * @self: a #DtDiagReport
 *
 * Renders @self as one self-contained HTML page, scoring it first: the
 * grade of each family with its rule, the advice, and per family a table
 * of stages for each URI.
 *
 * Returns: (transfer full): the page, UTF-8
 */
char *
dt_diag_report_to_html (DtDiagReport *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *generated = NULL;
  g_auto(GStrv) advice = NULL;
  const char *title = _("Dialtone STUN/TURN report");
  guint n;

  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  dt_diag_report_score (self);
  advice = dt_diag_report_get_advice (self);
  generated = g_date_time_format (dt_diag_report_get_generated_at (self), "%F %T UTC");
  n = dt_diag_report_get_n_entries (self);

  g_string_append (out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n"
                        "<head>\n<meta charset=\"utf-8\"/>\n<title>");
  append_escaped (out, title);
  g_string_append_printf (out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
  append_escaped (out, title);
  g_string_append (out, "</h1>\n<p class=\"meta\">");
  append_escaped (out, _("Generated"));
  g_string_append_printf (out, " %s · Dialtone %s · ", generated, PACKAGE_VERSION);
  append_escaped (out, _("took"));
  g_string_append (out, " ");
  append_ms (out, dt_diag_report_get_duration (self));
  if (dt_diag_report_get_peer (self) != NULL)
    {
      g_string_append (out, " · ");
      append_escaped (out, _("peer:"));
      g_string_append (out, " ");
      append_escaped (out, dt_diag_report_get_peer (self));
    }
  g_string_append (out, "</p>\n");

  /* The scores */
  g_string_append (out, "<h2>");
  append_escaped (out, _("Scores"));
  g_string_append (out, "</h2>\n<table>\n<tr><th>");
  append_escaped (out, _("Address family"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Grade"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Why"));
  g_string_append (out, "</th><th>");
  append_escaped (out, _("Working TURN"));
  g_string_append (out, "</th></tr>\n");
  for (guint f = 0; f < 2; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      const DtDiagFamilyScore *score = dt_diag_report_get_family_score (self, family);

      g_string_append_printf (out, "<tr><td>%s</td><td>", f == 0 ? "IPv4" : "IPv6");
      append_grade (out, score->grade);
      g_string_append (out, "</td><td>");
      append_escaped (out, score->rule);
      g_string_append (out, "</td><td>");
      append_flags (out, score->flags);
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</table>\n");

  if (advice[0] != NULL)
    {
      g_string_append (out, "<h2>");
      append_escaped (out, _("Advice"));
      g_string_append (out, "</h2>\n<ul>\n");
      for (guint i = 0; advice[i] != NULL; i++)
        {
          g_string_append (out, "<li>");
          append_escaped (out, advice[i]);
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ul>\n");
    }

  /* One section per family, one table per URI */
  for (guint f = 0; f < 2; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      gboolean any = FALSE;

      for (guint i = 0; i < n; i++)
        {
          const DtDiagEntry *entry = dt_diag_report_get_entry (self, i);

          if (entry->family != family)
            continue;
          if (!any)
            g_string_append_printf (out, "<h2>%s</h2>\n", f == 0 ? "IPv4" : "IPv6");
          any = TRUE;
          append_entry (out, entry);
        }
    }

  g_string_append (out, "</body>\n</html>\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
