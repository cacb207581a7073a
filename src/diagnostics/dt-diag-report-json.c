/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-report-json.c
 *
 * The JSON form of a DtDiagReport, schema "io.github.dialtone.Diagnostics/1",
 * described in REPORT-SCHEMA.md beside this file. Machine-readable fields
 * use fixed codes; the words for people ("rule", "advice", "detail") are
 * translated. No password or token is ever written.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include "dt-diag-report.h"

static const char *
connection_name (DtTurnTransport transport)
{
  switch (transport)
    {
    case DT_TURN_TRANSPORT_UDP:
      return "udp";
    case DT_TURN_TRANSPORT_TCP:
      return "tcp";
    case DT_TURN_TRANSPORT_TLS:
      return "tls";
    case DT_TURN_TRANSPORT_DTLS:
      return "dtls";
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
add_ms (JsonBuilder *builder,
        const char  *name,
        gint64       us)
{
  json_builder_set_member_name (builder, name);
  if (us < 0)
    json_builder_add_null_value (builder);
  else
    /* µs resolution, written in ms: loopback stages take well under 1 ms */
    json_builder_add_double_value (builder, us / 1000.0);
}

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, value);
}

static void
add_address (JsonBuilder        *builder,
             const char         *name,
             GInetSocketAddress *address)
{
  g_autofree char *text = NULL;
  GInetAddress *inet;

  json_builder_set_member_name (builder, name);
  if (address == NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }

  inet = g_inet_socket_address_get_address (address);
  text = g_inet_address_to_string (inet);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, g_inet_socket_address_get_port (address));
  json_builder_set_member_name (builder, "family");
  json_builder_add_string_value (builder,
                                 dt_diag_family_to_string (g_inet_address_get_family (inet)));
  json_builder_end_object (builder);
}

static void
add_flags (JsonBuilder *builder,
           DtDiagFlags  flags)
{
  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint bit = 0; bit < DT_DIAG_N_FLAGS; bit++)
    if (flags & (1u << bit))
      json_builder_add_string_value (builder, dt_diag_flag_to_string (1u << bit));
  json_builder_end_array (builder);
}

static void
add_grade (JsonBuilder *builder,
           DtDiagGrade  grade)
{
  json_builder_set_member_name (builder, "grade");
  if (grade == DT_DIAG_GRADE_NONE || grade == DT_DIAG_GRADE_NOT_TESTED)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, dt_diag_grade_to_string (grade));
}

static void
add_stage (JsonBuilder             *builder,
           DtDiagStage              stage,
           const DtDiagStageResult *result)
{
  json_builder_set_member_name (builder, dt_diag_stage_to_string (stage));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, dt_diag_stage_state_to_string (result->state));
  add_ms (builder, "ms", result->duration_us);
  add_string_or_null (builder, "reason", dt_diag_reason_to_string (result->reason));
  json_builder_set_member_name (builder, "stun_error");
  if (result->stun_code == 0)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, result->stun_code);
      add_string_or_null (builder, "reason", result->stun_reason);
      json_builder_end_object (builder);
    }
  add_string_or_null (builder, "detail", result->detail);
  json_builder_end_object (builder);
}

static void
add_entry (JsonBuilder       *builder,
           const DtDiagEntry *entry)
{
  const DtDiagStageResult *failure = dt_diag_entry_get_failure (entry, NULL);
  g_autofree char *advice = dt_diag_entry_get_advice (entry);
  g_autofree char *warning = dt_diag_entry_get_warning (entry);
  const DtIceUri *uri = entry->uri;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, entry->uri_text);
  json_builder_set_member_name (builder, "family");
  json_builder_add_string_value (builder, dt_diag_family_to_string (entry->family));
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, uri != NULL);

  add_string_or_null (builder, "scheme", uri ? dt_ice_uri_scheme_to_string (uri->scheme) : NULL);
  add_string_or_null (builder, "host", uri ? uri->host : NULL);
  json_builder_set_member_name (builder, "port");
  if (uri != NULL)
    json_builder_add_int_value (builder, uri->port);
  else
    json_builder_add_null_value (builder);
  add_string_or_null (builder, "transport",
                      uri ? (uri->transport == DT_ICE_URI_TRANSPORT_TCP ? "tcp" : "udp") : NULL);
  add_string_or_null (builder, "connection",
                      uri ? connection_name (dt_ice_uri_get_turn_transport (uri)) : NULL);
  json_builder_set_member_name (builder, "stun_expected");
  json_builder_add_boolean_value (builder, uri != NULL && dt_ice_uri_stun_expected (uri));

  add_address (builder, "server", entry->server_address);
  add_address (builder, "mapped", entry->mapped_address);
  json_builder_set_member_name (builder, "nat_detected");
  json_builder_add_boolean_value (builder, entry->nat_detected);
  add_address (builder, "relay", entry->relay_address);
  add_ms (builder, "greeting_rtt_ms", entry->greeting_rtt_us);

  /* The ICE check's own numbers: libnice's relay, not Dialtone's */
  json_builder_set_member_name (builder, "ice");
  json_builder_begin_object (builder);
  add_address (builder, "relay", entry->ice_relay_address);
  add_ms (builder, "allocate_ms", entry->ice_allocate_us);
  add_ms (builder, "connect_ms", entry->ice_connect_us);
  add_ms (builder, "rtt_ms", entry->ice_rtt_us);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "stages");
  json_builder_begin_object (builder);
  for (guint i = 0; i < DT_DIAG_N_STAGES; i++)
    add_stage (builder, i, &entry->stages[i]);
  json_builder_end_object (builder);

  add_grade (builder, entry->score.grade);
  json_builder_set_member_name (builder, "tested");
  json_builder_add_boolean_value (builder, entry->score.grade != DT_DIAG_GRADE_NOT_TESTED);
  json_builder_set_member_name (builder, "stun_ok");
  json_builder_add_boolean_value (builder, entry->score.stun_ok);
  json_builder_set_member_name (builder, "turn_ok");
  json_builder_add_boolean_value (builder, entry->score.turn_ok);
  json_builder_set_member_name (builder, "secure");
  json_builder_add_boolean_value (builder, entry->score.secure);
  add_flags (builder, entry->score.flags);
  add_string_or_null (builder, "rule", entry->score.rule);
  add_string_or_null (builder, "usable_by_calls", dt_diag_calls_to_string (entry->score.calls));
  add_string_or_null (builder, "calls_rule", entry->score.calls_rule);
  add_string_or_null (builder, "warning", warning);
  add_string_or_null (builder, "error", failure ? dt_diag_reason_to_string (failure->reason)
                                                : NULL);
  add_string_or_null (builder, "error_detail", failure ? failure->detail : NULL);
  add_string_or_null (builder, "advice", advice);
  json_builder_end_object (builder);
}

/**
 * dt_diag_report_to_json:
 * @self: a #DtDiagReport
 *
 * Renders @self in the schema of %DT_DIAG_REPORT_SCHEMA (REPORT-SCHEMA.md),
 * scoring it first.
 *
 * Returns: (transfer full): the report as a JSON object
 */
JsonNode *
dt_diag_report_to_json (DtDiagReport *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *generated = NULL;
  g_autofree char *glib_version = NULL;
  g_auto(GStrv) advice = NULL;
  guint n;

  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  dt_diag_report_score (self);
  advice = dt_diag_report_get_advice (self);
  generated = g_date_time_format (dt_diag_report_get_generated_at (self), "%FT%TZ");
  glib_version = g_strdup_printf ("%u.%u.%u", glib_major_version, glib_minor_version,
                                  glib_micro_version);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_string_value (builder, DT_DIAG_REPORT_SCHEMA);
  json_builder_set_member_name (builder, "generated_at");
  json_builder_add_string_value (builder, generated);
  add_ms (builder, "duration_ms", dt_diag_report_get_duration (self));

  json_builder_set_member_name (builder, "client");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "dialtone");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "glib");
  json_builder_add_string_value (builder, glib_version);
  json_builder_end_object (builder);

  add_string_or_null (builder, "peer", dt_diag_report_get_peer (self));

  json_builder_set_member_name (builder, "families");
  json_builder_begin_object (builder);
  for (guint f = 0; f < 2; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      const DtDiagFamilyScore *score = dt_diag_report_get_family_score (self, family);

      json_builder_set_member_name (builder, dt_diag_family_to_string (family));
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "tested");
      json_builder_add_boolean_value (builder, score->grade != DT_DIAG_GRADE_NOT_TESTED);
      add_grade (builder, score->grade);
      json_builder_set_member_name (builder, "stun");
      json_builder_add_boolean_value (builder, score->stun);
      json_builder_set_member_name (builder, "turn");
      json_builder_add_boolean_value (builder, score->turn);
      add_flags (builder, score->flags);
      add_string_or_null (builder, "rule", score->rule);
      json_builder_set_member_name (builder, "calls");
      json_builder_add_boolean_value (builder, score->calls);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "uris");
  json_builder_begin_array (builder);
  n = dt_diag_report_get_n_entries (self);
  for (guint i = 0; i < n; i++)
    add_entry (builder, dt_diag_report_get_entry (self, i));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "advice");
  json_builder_begin_array (builder);
  for (guint i = 0; advice[i] != NULL; i++)
    json_builder_add_string_value (builder, advice[i]);
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * dt_diag_report_to_json_string:
 * @self: a #DtDiagReport
 *
 * Returns: (transfer full): dt_diag_report_to_json() as indented text
 */
char *
dt_diag_report_to_json_string (DtDiagReport *self)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  root = dt_diag_report_to_json (self);
  return json_to_string (root, TRUE);
}
