/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-report.c
 *
 * The report model. Entries are plain structs the runner fills in stage by
 * stage; scoring turns them into DtDiagUriFacts and runs dt-diag-score.c
 * over them, so the grades in a report always follow from the stages it
 * shows.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dt-diag-report.h"

enum {
  PROP_0,
  PROP_GENERATED_AT,
  PROP_DURATION,
  PROP_PEER,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

#define N_FAMILIES 2

struct _DtDiagReport
{
  GObject            parent_instance;

  GDateTime         *generated_at;
  gint64             duration_us;
  char              *peer;
  GPtrArray         *entries;        /* DtDiagEntry */
  gboolean           family_available[N_FAMILIES];
  DtDiagFamilyScore  family_scores[N_FAMILIES];
  gboolean           scored;
};

G_DEFINE_FINAL_TYPE (DtDiagReport, dt_diag_report, G_TYPE_OBJECT)

/* --- Helpers ------------------------------------------------------------ */

static guint
family_index (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? 1 : 0;
}

static void
stage_result_clear (DtDiagStageResult *result)
{
  g_clear_pointer (&result->stun_reason, g_free);
  g_clear_pointer (&result->detail, g_free);
}

static void
entry_free (DtDiagEntry *entry)
{
  g_free (entry->uri_text);
  dt_ice_uri_free (entry->uri);
  g_clear_object (&entry->server_address);
  g_clear_object (&entry->mapped_address);
  g_clear_object (&entry->relay_address);
  g_clear_object (&entry->ice_relay_address);
  for (guint i = 0; i < DT_DIAG_N_STAGES; i++)
    stage_result_clear (&entry->stages[i]);
  g_free (entry);
}

/* A URI that did not parse may still hold "user:password@": a report is
 * meant to be attached to a support request, so never show it. */
static char *
redact_uri (const char *text)
{
  const char *at = strrchr (text, '@');
  const char *colon = strchr (text, ':');

  if (at == NULL)
    return g_strdup (text);
  if (colon == NULL || colon > at)
    return g_strdup_printf ("(hidden)@%s", at + 1);
  return g_strdup_printf ("%.*s:(hidden)@%s", (int) (colon - text), text, at + 1);
}

static char *
describe_server (const DtDiagEntry *entry)
{
  if (entry->uri == NULL)
    return g_strdup (entry->uri_text);
  if (entry->uri->host_is_ip && strchr (entry->uri->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", entry->uri->host, entry->uri->port);
  return g_strdup_printf ("%s:%u", entry->uri->host, entry->uri->port);
}

static gboolean
entry_relay_in_family (const DtDiagEntry *entry)
{
  GInetAddress *address;

  if (entry->relay_address == NULL ||
      entry->stages[DT_DIAG_STAGE_ALLOCATE].state != DT_DIAG_STAGE_PASSED)
    return FALSE;
  address = g_inet_socket_address_get_address (entry->relay_address);
  return g_inet_address_get_family (address) == entry->family;
}

/* --- The report --------------------------------------------------------- */

static void
dt_diag_report_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtDiagReport *self = DT_DIAG_REPORT (object);

  switch (prop_id)
    {
    case PROP_GENERATED_AT:
      g_value_set_boxed (value, self->generated_at);
      break;
    case PROP_DURATION:
      g_value_set_int64 (value, self->duration_us);
      break;
    case PROP_PEER:
      g_value_set_string (value, self->peer);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diag_report_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtDiagReport *self = DT_DIAG_REPORT (object);

  switch (prop_id)
    {
    case PROP_GENERATED_AT:
      if (g_value_get_boxed (value) != NULL)
        {
          g_clear_pointer (&self->generated_at, g_date_time_unref);
          self->generated_at = g_value_dup_boxed (value);
        }
      break;
    case PROP_DURATION:
      dt_diag_report_set_duration (self, g_value_get_int64 (value));
      break;
    case PROP_PEER:
      dt_diag_report_set_peer (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diag_report_finalize (GObject *object)
{
  DtDiagReport *self = DT_DIAG_REPORT (object);

  g_clear_pointer (&self->generated_at, g_date_time_unref);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_free (self->peer);

  G_OBJECT_CLASS (dt_diag_report_parent_class)->finalize (object);
}

static void
dt_diag_report_class_init (DtDiagReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_diag_report_get_property;
  object_class->set_property = dt_diag_report_set_property;
  object_class->finalize = dt_diag_report_finalize;

  /**
   * DtDiagReport:generated-at:
   *
   * When the run started, in UTC.
   */
  props[PROP_GENERATED_AT] =
    g_param_spec_boxed ("generated-at", NULL, NULL, G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtDiagReport:duration:
   *
   * How long the whole run took, in µs, or -1 while unknown.
   */
  props[PROP_DURATION] =
    g_param_spec_int64 ("duration", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtDiagReport:peer:
   *
   * What served as the far peer of the greetings, in words.
   */
  props[PROP_PEER] =
    g_param_spec_string ("peer", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_diag_report_init (DtDiagReport *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->generated_at = g_date_time_new_now_utc ();
  self->duration_us = -1;
  self->family_available[0] = self->family_available[1] = TRUE;
}

/**
 * dt_diag_report_new:
 *
 * Returns: (transfer full): an empty report, generated now
 */
DtDiagReport *
dt_diag_report_new (void)
{
  return g_object_new (DT_TYPE_DIAG_REPORT, NULL);
}

/**
 * dt_diag_report_get_generated_at:
 * @self: a #DtDiagReport
 *
 * Returns: (transfer none): when the run started, in UTC
 */
GDateTime *
dt_diag_report_get_generated_at (DtDiagReport *self)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  return self->generated_at;
}

/**
 * dt_diag_report_get_duration:
 * @self: a #DtDiagReport
 *
 * Returns: the run's wall time in µs, or -1
 */
gint64
dt_diag_report_get_duration (DtDiagReport *self)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), -1);

  return self->duration_us;
}

/**
 * dt_diag_report_set_duration:
 * @self: a #DtDiagReport
 * @duration_us: the run's wall time in µs
 *
 * Sets #DtDiagReport:duration.
 */
void
dt_diag_report_set_duration (DtDiagReport *self,
                             gint64        duration_us)
{
  g_return_if_fail (DT_IS_DIAG_REPORT (self));

  if (self->duration_us == duration_us)
    return;
  self->duration_us = duration_us;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DURATION]);
}

/**
 * dt_diag_report_get_peer:
 * @self: a #DtDiagReport
 *
 * Returns: (nullable): #DtDiagReport:peer
 */
const char *
dt_diag_report_get_peer (DtDiagReport *self)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  return self->peer;
}

/**
 * dt_diag_report_set_peer:
 * @self: a #DtDiagReport
 * @peer: (nullable): the far peer, in words
 *
 * Sets #DtDiagReport:peer.
 */
void
dt_diag_report_set_peer (DtDiagReport *self,
                         const char   *peer)
{
  g_return_if_fail (DT_IS_DIAG_REPORT (self));

  if (g_strcmp0 (self->peer, peer) == 0)
    return;
  g_free (self->peer);
  self->peer = g_strdup (peer);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PEER]);
}

/**
 * dt_diag_report_add_entry:
 * @self: a #DtDiagReport
 * @uri_text: the URI as given
 * @family: the family it is tested in
 *
 * Adds an entry for @uri_text in @family and parses the URI into it; a
 * URI that does not parse gets a failed %DT_DIAG_STAGE_PARSE, one with
 * unknown parameters %DT_DIAG_REASON_URI_UNSUPPORTED. Every other stage
 * starts as not run.
 *
 * Returns: (transfer none): the entry, owned by @self, for the runner to
 *   fill in
 */
DtDiagEntry *
dt_diag_report_add_entry (DtDiagReport  *self,
                          const char    *uri_text,
                          GSocketFamily  family)
{
  g_autoptr(GError) error = NULL;
  DtDiagEntry *entry;

  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);
  g_return_val_if_fail (uri_text != NULL, NULL);
  g_return_val_if_fail (family == G_SOCKET_FAMILY_IPV4 || family == G_SOCKET_FAMILY_IPV6, NULL);

  entry = g_new0 (DtDiagEntry, 1);
  entry->uri_text = redact_uri (uri_text);
  entry->family = family;
  entry->greeting_rtt_us = -1;
  entry->ice_allocate_us = entry->ice_connect_us = entry->ice_rtt_us = -1;
  for (guint i = 0; i < DT_DIAG_N_STAGES; i++)
    entry->stages[i].duration_us = -1;

  entry->uri = dt_ice_uri_parse (uri_text, &error);
  if (entry->uri == NULL)
    dt_diag_entry_stage_failed (entry, DT_DIAG_STAGE_PARSE, -1, DT_DIAG_REASON_URI_INVALID, 0,
                                NULL, error->message);
  else if (!dt_ice_uri_is_supported (entry->uri))
    {
      g_autofree char *detail =
        g_strdup_printf (_("Unknown URI parameters “%s”"), entry->uri->unknown_query);

      dt_diag_entry_stage_failed (entry, DT_DIAG_STAGE_PARSE, -1,
                                  DT_DIAG_REASON_URI_UNSUPPORTED, 0, NULL, detail);
    }
  else
    dt_diag_entry_stage_passed (entry, DT_DIAG_STAGE_PARSE, -1);

  g_ptr_array_add (self->entries, entry);
  self->scored = FALSE;
  return entry;
}

/**
 * dt_diag_report_get_n_entries:
 * @self: a #DtDiagReport
 *
 * Returns: the number of entries
 */
guint
dt_diag_report_get_n_entries (DtDiagReport *self)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), 0);

  return self->entries->len;
}

/**
 * dt_diag_report_get_entry:
 * @self: a #DtDiagReport
 * @index: which one
 *
 * Returns: (transfer none): the entry
 */
const DtDiagEntry *
dt_diag_report_get_entry (DtDiagReport *self,
                          guint         index)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return g_ptr_array_index (self->entries, index);
}

/**
 * dt_diag_report_set_family_available:
 * @self: a #DtDiagReport
 * @family: the family
 * @available: whether this computer can test it (it has a usable address
 *   and a peer in it)
 *
 * A family that is not available scores "not tested".
 */
void
dt_diag_report_set_family_available (DtDiagReport  *self,
                                     GSocketFamily  family,
                                     gboolean       available)
{
  g_return_if_fail (DT_IS_DIAG_REPORT (self));

  self->family_available[family_index (family)] = available;
  self->scored = FALSE;
}

/**
 * dt_diag_report_get_family_available:
 * @self: a #DtDiagReport
 * @family: the family
 *
 * Returns: whether @family could be tested
 */
gboolean
dt_diag_report_get_family_available (DtDiagReport  *self,
                                     GSocketFamily  family)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), FALSE);

  return self->family_available[family_index (family)];
}

/**
 * dt_diag_report_score:
 * @self: a #DtDiagReport
 *
 * Grades every entry and both families from the stages recorded
 * (PROTOCOLS-SIP-MEDIA-TURN.md §5.4). The writers call it when needed.
 */
void
dt_diag_report_score (DtDiagReport *self)
{
  g_return_if_fail (DT_IS_DIAG_REPORT (self));

  for (guint f = 0; f < N_FAMILIES; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      g_autoptr(GArray) scores = g_array_new (FALSE, FALSE, sizeof (DtDiagUriScore));

      for (guint i = 0; i < self->entries->len; i++)
        {
          DtDiagEntry *entry = g_ptr_array_index (self->entries, i);
          DtDiagUriFacts facts;

          if (entry->family != family)
            continue;
          dt_diag_entry_get_facts (entry, &facts);
          dt_diag_score_uri (&facts, &entry->score);
          g_array_append_val (scores, entry->score);
        }

      dt_diag_score_family (self->family_available[f],
                            (const DtDiagUriScore *) (void *) scores->data, scores->len,
                            &self->family_scores[f]);
    }
  self->scored = TRUE;
}

/**
 * dt_diag_report_get_family_score:
 * @self: a #DtDiagReport
 * @family: the family
 *
 * Returns: (transfer none): the family's grade, scoring the report first
 *   if needed
 */
const DtDiagFamilyScore *
dt_diag_report_get_family_score (DtDiagReport  *self,
                                 GSocketFamily  family)
{
  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  if (!self->scored)
    dt_diag_report_score (self);
  return &self->family_scores[family_index (family)];
}

/**
 * dt_diag_report_get_advice:
 * @self: a #DtDiagReport
 *
 * Advice about the whole setup, beyond each URI's own: what would raise the
 * grade, and what calls, which go through libnice 0.1.21, cannot use even
 * when Diagnostics' own client can.
 *
 * Returns: (transfer full): the advice, translated, possibly empty
 */
GStrv
dt_diag_report_get_advice (DtDiagReport *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean any_tested = FALSE;
  gboolean any_443 = FALSE;
  gboolean any_tls = FALSE;
  gboolean any_dtls = FALSE;
  gboolean any_turn_ok = FALSE;
  gboolean any_stun = FALSE;
  gboolean ice_not_run = FALSE;
  gboolean calls_blocked = FALSE;
  gboolean any_calls = FALSE;

  g_return_val_if_fail (DT_IS_DIAG_REPORT (self), NULL);

  if (!self->scored)
    dt_diag_report_score (self);

  for (guint f = 0; f < N_FAMILIES; f++)
    {
      const DtDiagFamilyScore *score = &self->family_scores[f];

      if (score->grade == DT_DIAG_GRADE_NOT_TESTED)
        continue;
      any_tested = TRUE;
      any_443 |= (score->flags & DT_DIAG_FLAG_TCP_TURNS_443) != 0;
      any_stun |= score->stun;
      any_turn_ok |= score->turn;
      any_calls |= score->calls;
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      DtDiagEntry *entry = g_ptr_array_index (self->entries, i);

      if (!entry->score.turn_ok)
        continue;
      any_tls |= (entry->score.flags & DT_DIAG_FLAG_TCP_TURNS) != 0;
      any_dtls |= (entry->score.flags & DT_DIAG_FLAG_UDP_TURNS) != 0;
      ice_not_run |= entry->score.calls == DT_DIAG_CALLS_UNKNOWN;
      calls_blocked |= entry->score.calls == DT_DIAG_CALLS_NO;
    }

  if (any_tested && !any_turn_ok)
    g_strv_builder_add (builder, _("No TURN server relayed: calls between two people behind "
                                   "strict NATs or firewalls will have no audio. Add a "
                                   "working TURN server"));
  if (any_tested && !any_443)
    g_strv_builder_add (builder, _("Add a TURN server on TCP port 443 "
                                   "(turns:…:443?transport=tcp) to get through strict "
                                   "firewalls"));
  if (any_tested && !any_stun)
    g_strv_builder_add (builder, _("No STUN on unencrypted UDP answered: add a stun: server, "
                                   "or let the TURN server answer STUN on UDP, so that calls "
                                   "can find a direct path"));
  if (any_tls)
    g_strv_builder_add (builder, _("Calls cannot use TLS-only TURN with this version of "
                                   "libnice: it speaks plain TCP to turns: servers. A turns: "
                                   "server works for calls only if it also accepts plain TCP "
                                   "on that port"));
  if (any_dtls)
    g_strv_builder_add (builder, _("Calls cannot use TURN over DTLS: libnice has no DTLS. "
                                   "Diagnostics tested it with its own client"));
  if (ice_not_run)
    g_strv_builder_add (builder, _("The ICE check through libnice was not run: the grades say "
                                   "what the servers do, not yet whether a call gets through "
                                   "them"));
  if (any_turn_ok && calls_blocked && !any_calls)
    g_strv_builder_add (builder, _("TURN works, but calls cannot use any of these servers: "
                                   "libnice, which calls use, did not get through them. Each "
                                   "server's ICE check says why"));
  else if (calls_blocked)
    g_strv_builder_add (builder, _("Some servers work for TURN but not for calls: see "
                                   "“usable by calls” for each"));

  return g_strv_builder_end (builder);
}

/* --- Entries ------------------------------------------------------------ */

/**
 * dt_diag_entry_stage_passed:
 * @entry: a #DtDiagEntry
 * @stage: the stage
 * @duration_us: how long it took, or -1
 *
 * Records that @stage completed.
 */
void
dt_diag_entry_stage_passed (DtDiagEntry *entry,
                            DtDiagStage  stage,
                            gint64       duration_us)
{
  g_return_if_fail (entry != NULL);
  g_return_if_fail (stage < DT_DIAG_N_STAGES);

  stage_result_clear (&entry->stages[stage]);
  entry->stages[stage].state = DT_DIAG_STAGE_PASSED;
  entry->stages[stage].duration_us = duration_us;
  entry->stages[stage].reason = DT_DIAG_REASON_NONE;
  entry->stages[stage].stun_code = 0;
}

/**
 * dt_diag_entry_stage_failed:
 * @entry: a #DtDiagEntry
 * @stage: the stage
 * @duration_us: how long it ran before failing, or -1
 * @reason: why
 * @stun_code: the server's STUN error code, or 0
 * @stun_reason: (nullable): the server's reason phrase
 * @detail: (nullable): what happened, in words
 *
 * Records that @stage failed.
 */
void
dt_diag_entry_stage_failed (DtDiagEntry  *entry,
                            DtDiagStage   stage,
                            gint64        duration_us,
                            DtDiagReason  reason,
                            guint         stun_code,
                            const char   *stun_reason,
                            const char   *detail)
{
  g_return_if_fail (entry != NULL);
  g_return_if_fail (stage < DT_DIAG_N_STAGES);

  stage_result_clear (&entry->stages[stage]);
  entry->stages[stage].state = DT_DIAG_STAGE_FAILED;
  entry->stages[stage].duration_us = duration_us;
  entry->stages[stage].reason = reason;
  entry->stages[stage].stun_code = stun_code;
  entry->stages[stage].stun_reason = g_strdup (stun_reason);
  entry->stages[stage].detail = g_strdup (detail);
}

/**
 * dt_diag_entry_stage_set:
 * @entry: a #DtDiagEntry
 * @stage: the stage
 * @state: %DT_DIAG_STAGE_NOT_RUN or %DT_DIAG_STAGE_SKIPPED
 * @reason: why, or %DT_DIAG_REASON_NONE
 * @detail: (nullable): why, in words
 *
 * Records a stage that did not run.
 */
void
dt_diag_entry_stage_set (DtDiagEntry      *entry,
                         DtDiagStage       stage,
                         DtDiagStageState  state,
                         DtDiagReason      reason,
                         const char       *detail)
{
  g_return_if_fail (entry != NULL);
  g_return_if_fail (stage < DT_DIAG_N_STAGES);

  stage_result_clear (&entry->stages[stage]);
  entry->stages[stage].state = state;
  entry->stages[stage].duration_us = -1;
  entry->stages[stage].reason = reason;
  entry->stages[stage].stun_code = 0;
  entry->stages[stage].detail = g_strdup (detail);
}

/**
 * dt_diag_entry_get_failure:
 * @entry: a #DtDiagEntry
 * @stage: (out) (optional): the stage that failed
 *
 * Returns: (nullable): the first failed stage's result, or %NULL
 */
const DtDiagStageResult *
dt_diag_entry_get_failure (const DtDiagEntry *entry,
                           DtDiagStage       *stage)
{
  g_return_val_if_fail (entry != NULL, NULL);

  for (guint i = 0; i < DT_DIAG_N_STAGES; i++)
    if (entry->stages[i].state == DT_DIAG_STAGE_FAILED)
      {
        if (stage != NULL)
          *stage = i;
        return &entry->stages[i];
      }
  return NULL;
}

/**
 * dt_diag_entry_get_facts:
 * @entry: a #DtDiagEntry
 * @facts: (out caller-allocates): what the scoring needs
 *
 * Derives the scoring input from the stages. A URI whose server has no
 * address in the family, or a family this computer cannot reach, is "not
 * tested"; the relay counts only when it is of the entry's family.
 */
void
dt_diag_entry_get_facts (const DtDiagEntry *entry,
                         DtDiagUriFacts    *facts)
{
  DtDiagReason resolve_reason;
  DtDiagStageState ice;

  g_return_if_fail (entry != NULL);
  g_return_if_fail (facts != NULL);

  resolve_reason = entry->stages[DT_DIAG_STAGE_RESOLVE].reason;
  ice = entry->stages[DT_DIAG_STAGE_ICE].state;

  *facts = (DtDiagUriFacts) {
    .uri = entry->uri,
    .tested = resolve_reason != DT_DIAG_REASON_DNS_NO_ADDRESS &&
              resolve_reason != DT_DIAG_REASON_FAMILY_NOT_AVAILABLE,
    .mapped_address = entry->mapped_address != NULL,
    .relay_allocated = entry_relay_in_family (entry),
    .greeting_ok = entry->stages[DT_DIAG_STAGE_GREETING].state == DT_DIAG_STAGE_PASSED,
    .ice = ice == DT_DIAG_STAGE_PASSED ? DT_DIAG_ICE_CONNECTED
         : ice == DT_DIAG_STAGE_FAILED ? DT_DIAG_ICE_FAILED
         : entry->stages[DT_DIAG_STAGE_ICE].reason == DT_DIAG_REASON_ICE_UNSUPPORTED
           ? DT_DIAG_ICE_UNSUPPORTED
         : DT_DIAG_ICE_NOT_RUN,
    .handshake_verified = entry->stages[DT_DIAG_STAGE_HANDSHAKE].state == DT_DIAG_STAGE_PASSED,
  };
}

/**
 * dt_diag_entry_get_advice:
 * @entry: a #DtDiagEntry
 *
 * Returns: (transfer full) (nullable): what to do about the entry's first
 *   failure, translated, or %NULL when nothing failed
 */
char *
dt_diag_entry_get_advice (const DtDiagEntry *entry)
{
  g_autofree char *server = NULL;
  const DtDiagStageResult *failure;
  gboolean ipv6;
  guint port;

  g_return_val_if_fail (entry != NULL, NULL);

  failure = dt_diag_entry_get_failure (entry, NULL);
  if (failure == NULL)
    return NULL;

  server = describe_server (entry);
  ipv6 = entry->family == G_SOCKET_FAMILY_IPV6;
  port = entry->uri != NULL ? entry->uri->port : 0;

  switch (failure->reason)
    {
    case DT_DIAG_REASON_URI_INVALID:
      return g_strdup_printf (_("Correct the server URI: %s"),
                              failure->detail ? failure->detail : "");
    case DT_DIAG_REASON_URI_UNSUPPORTED:
      return g_strdup (_("The URI has parameters Dialtone does not know; remove them, or ask "
                         "the server's operator what they mean"));
    case DT_DIAG_REASON_DNS_FAILED:
      return g_strdup_printf (_("The name of %s does not resolve: check its spelling and this "
                                "computer's DNS settings"), server);
    case DT_DIAG_REASON_DNS_NO_ADDRESS:
      return g_strdup_printf (ipv6 ? _("%s has no IPv6 address: its operator can add an AAAA "
                                       "record so that IPv6 calls can use it")
                                   : _("%s has no IPv4 address: its operator can add an A "
                                       "record so that IPv4 calls can use it"), server);
    case DT_DIAG_REASON_FAMILY_NOT_AVAILABLE:
      return g_strdup (ipv6 ? _("This computer has no route to IPv6 servers")
                            : _("This computer has no route to IPv4 servers"));
    case DT_DIAG_REASON_NO_RESPONSE:
      return g_strdup_printf (_("No response from %s: check the address and the port, and "
                                "whether a firewall blocks port %u"), server, port);
    case DT_DIAG_REASON_CONNECT_REFUSED:
      return g_strdup_printf (_("%s refused the connection: nothing listens on port %u; check "
                                "the port"), server, port);
    case DT_DIAG_REASON_TLS_CERTIFICATE:
      return g_strdup_printf (_("The certificate of %s is not trusted: %s. Calls that use "
                                "this server over TLS will fail until it presents a "
                                "certificate for its name from a trusted authority"), server,
                              failure->detail ? failure->detail : "");
    case DT_DIAG_REASON_TLS_FAILED:
      return g_strdup_printf (_("The secure connection to %s failed: check that port %u "
                                "speaks TLS or DTLS, and not plain TURN"), server, port);
    case DT_DIAG_REASON_AUTH_FAILED:
      return g_strdup_printf (_("%s rejected the user name or password: check the "
                                "credentials; credentials from a homeserver may have "
                                "expired"), server);
    case DT_DIAG_REASON_ALLOCATION_REFUSED:
      return g_strdup_printf (_("%s refused to allocate a relay (STUN error %u%s%s): it may "
                                "be over its quota or capacity, or forbid this account"),
                              server, failure->stun_code,
                              failure->stun_reason ? " " : "",
                              failure->stun_reason ? failure->stun_reason : "");
    case DT_DIAG_REASON_FAMILY_NOT_SUPPORTED:
      return g_strdup_printf (ipv6 ? _("%s does not hand out IPv6 relays; its operator can "
                                       "enable IPv6 relaying")
                                   : _("%s does not hand out IPv4 relays; its operator can "
                                       "enable IPv4 relaying"), server);
    case DT_DIAG_REASON_PERMISSION_REFUSED:
      return g_strdup_printf (_("%s refused to relay to the test peer: its policy denies "
                                "that address"), server);
    case DT_DIAG_REASON_GREETING_TIMEOUT:
      return g_strdup_printf (_("%s allocated a relay, but the greeting did not come back "
                                "through it: the server may not relay to the peer, or a "
                                "firewall drops relayed UDP"), server);
    case DT_DIAG_REASON_PROTOCOL_ERROR:
      return g_strdup_printf (_("%s answered with something Dialtone cannot use: check that "
                                "this port belongs to a STUN/TURN server"), server);
    case DT_DIAG_REASON_CONNECTION_CLOSED:
      return g_strdup_printf (_("The connection to %s broke during the test: try again, and "
                                "check the server's logs if it keeps happening"), server);
    case DT_DIAG_REASON_NO_RELAY_CANDIDATE:
      if (entry->uri != NULL && entry->uri->scheme == DT_ICE_URI_SCHEME_TURNS &&
          entry->stages[DT_DIAG_STAGE_GREETING].state == DT_DIAG_STAGE_PASSED)
        return g_strdup_printf (_("Calls cannot use %s: it relays over TLS, but libnice, "
                                  "which calls use, sends plain TCP to turns: servers. Let "
                                  "the server also accept plain TCP on port %u, or add a "
                                  "turn: URI for calls"), server, port);
      return g_strdup_printf (_("Calls cannot use %s: libnice, which calls use, got no relay "
                                "of this family from it (%s)"), server,
                              failure->detail ? failure->detail : "");
    case DT_DIAG_REASON_PEER_UNREACHABLE:
      return g_strdup_printf (_("The ICE check could not talk to the diagnostics peer: %s"),
                              failure->detail ? failure->detail : "");
    case DT_DIAG_REASON_ICE_FAILED:
    case DT_DIAG_REASON_ICE_TIMEOUT:
      return g_strdup_printf (_("Calls cannot use %s: a call's ICE (libnice) did not connect "
                                "through its relay, although Dialtone's own client did. "
                                "Check the server's relay port range in the firewall"),
                              server);
    case DT_DIAG_REASON_CANCELLED:
      return g_strdup (_("The test was stopped before it finished"));
    case DT_DIAG_REASON_NONE:
    case DT_DIAG_REASON_ICE_NOT_RUN:
    case DT_DIAG_REASON_ICE_UNSUPPORTED:
    default:
      return NULL;
    }
}

/**
 * dt_diag_entry_get_warning:
 * @entry: a scored #DtDiagEntry
 *
 * Returns: (transfer full) (nullable): a warning about a result that counts
 *   for less than it seems, translated, or %NULL
 */
char *
dt_diag_entry_get_warning (const DtDiagEntry *entry)
{
  g_autofree char *server = NULL;

  g_return_val_if_fail (entry != NULL, NULL);

  if (!entry->score.insecure_warning)
    return NULL;

  server = describe_server (entry);
  return g_strdup_printf (_("%s relayed, but without a verified TLS or DTLS handshake, so it "
                            "counts as unencrypted TURN"), server);
}

/**
 * dt_diag_stage_to_string:
 * @stage: a #DtDiagStage
 *
 * Returns: the stage's name in reports, such as "allocate"
 */
const char *
dt_diag_stage_to_string (DtDiagStage stage)
{
  static const char * const names[] = {
    "parse", "resolve", "connect", "handshake", "binding", "allocate", "permission",
    "greeting", "ice",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == DT_DIAG_N_STAGES);
  g_return_val_if_fail (stage < DT_DIAG_N_STAGES, "");
  return names[stage];
}

/**
 * dt_diag_stage_to_label:
 * @stage: a #DtDiagStage
 *
 * Returns: the stage's name as a person reads it, translated
 */
const char *
dt_diag_stage_to_label (DtDiagStage stage)
{
  switch (stage)
    {
    case DT_DIAG_STAGE_PARSE:
      return _("URI");
    case DT_DIAG_STAGE_RESOLVE:
      return _("Address resolved");
    case DT_DIAG_STAGE_CONNECT:
      return _("Server reached");
    case DT_DIAG_STAGE_HANDSHAKE:
      return _("TLS/DTLS handshake");
    case DT_DIAG_STAGE_BINDING:
      return _("STUN Binding (UDP)");
    case DT_DIAG_STAGE_ALLOCATE:
      return _("Authenticated and allocated");
    case DT_DIAG_STAGE_PERMISSION:
      return _("Permission for the peer");
    case DT_DIAG_STAGE_GREETING:
      return _("Greeting through the relay");
    case DT_DIAG_STAGE_ICE:
      return _("ICE check (libnice)");
    case DT_DIAG_N_STAGES:
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * dt_diag_stage_state_to_string:
 * @state: a #DtDiagStageState
 *
 * Returns: the state's name in reports: "not-run", "passed", "failed" or
 *   "skipped"; "running" for a stage under way
 */
const char *
dt_diag_stage_state_to_string (DtDiagStageState state)
{
  switch (state)
    {
    case DT_DIAG_STAGE_NOT_RUN:
      return "not-run";
    case DT_DIAG_STAGE_PASSED:
      return "passed";
    case DT_DIAG_STAGE_FAILED:
      return "failed";
    case DT_DIAG_STAGE_SKIPPED:
      return "skipped";
    case DT_DIAG_STAGE_RUNNING:
      return "running";
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * dt_diag_reason_to_string:
 * @reason: a #DtDiagReason
 *
 * Returns: the reason code in reports, such as "auth-failed", or %NULL for
 *   %DT_DIAG_REASON_NONE
 */
const char *
dt_diag_reason_to_string (DtDiagReason reason)
{
  static const char * const names[] = {
    NULL, "uri-invalid", "uri-unsupported", "dns-failed", "dns-no-address",
    "family-not-available", "no-response", "connect-refused", "tls-failed", "tls-certificate",
    "auth-failed", "allocation-refused", "family-not-supported", "permission-refused",
    "greeting-timeout", "protocol-error", "connection-closed", "ice-not-run", "ice-unsupported",
    "no-relay-candidate", "peer-unreachable", "ice-failed", "ice-timeout", "cancelled",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == DT_DIAG_REASON_CANCELLED + 1);
  g_return_val_if_fail (reason <= DT_DIAG_REASON_CANCELLED, NULL);
  return names[reason];
}

/**
 * dt_diag_reason_to_label:
 * @reason: a #DtDiagReason
 *
 * Returns: the reason as a person reads it, translated
 */
const char *
dt_diag_reason_to_label (DtDiagReason reason)
{
  switch (reason)
    {
    case DT_DIAG_REASON_NONE:
      return "";
    case DT_DIAG_REASON_URI_INVALID:
      return _("invalid URI");
    case DT_DIAG_REASON_URI_UNSUPPORTED:
      return _("unsupported URI");
    case DT_DIAG_REASON_DNS_FAILED:
      return _("name not found");
    case DT_DIAG_REASON_DNS_NO_ADDRESS:
      return _("no address in this family");
    case DT_DIAG_REASON_FAMILY_NOT_AVAILABLE:
      return _("family not available here");
    case DT_DIAG_REASON_NO_RESPONSE:
      return _("no response");
    case DT_DIAG_REASON_CONNECT_REFUSED:
      return _("connection refused");
    case DT_DIAG_REASON_TLS_FAILED:
      return _("TLS failed");
    case DT_DIAG_REASON_TLS_CERTIFICATE:
      return _("TLS certificate not trusted");
    case DT_DIAG_REASON_AUTH_FAILED:
      return _("authentication failed");
    case DT_DIAG_REASON_ALLOCATION_REFUSED:
      return _("allocation refused");
    case DT_DIAG_REASON_FAMILY_NOT_SUPPORTED:
      return _("no relay of this family");
    case DT_DIAG_REASON_PERMISSION_REFUSED:
      return _("permission refused");
    case DT_DIAG_REASON_GREETING_TIMEOUT:
      return _("no reply through the relay");
    case DT_DIAG_REASON_PROTOCOL_ERROR:
      return _("unusable answer");
    case DT_DIAG_REASON_CONNECTION_CLOSED:
      return _("connection closed");
    case DT_DIAG_REASON_ICE_NOT_RUN:
      return _("not run");
    case DT_DIAG_REASON_ICE_UNSUPPORTED:
      return _("not possible with libnice");
    case DT_DIAG_REASON_NO_RELAY_CANDIDATE:
      return _("no relayed candidate");
    case DT_DIAG_REASON_PEER_UNREACHABLE:
      return _("diagnostics peer unreachable");
    case DT_DIAG_REASON_ICE_FAILED:
      return _("ICE failed");
    case DT_DIAG_REASON_ICE_TIMEOUT:
      return _("ICE timed out");
    case DT_DIAG_REASON_CANCELLED:
      return _("cancelled");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * dt_diag_family_to_string:
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 *
 * Returns: "ipv4" or "ipv6"
 */
const char *
dt_diag_family_to_string (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? "ipv6" : "ipv4";
}
