/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-record.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-call-record.h"
#include "dt-core-enums.h"

/**
 * DtCallRecord:
 *
 * What the history remembers of one call: who, when, how it ended and how it
 * sounded. A record is a plain value object; it does not follow its call by
 * itself, #DtHistory does that. A quality figure below zero means it was never
 * measured, and is kept as NULL in the database.
 */

enum {
  PROP_0,
  PROP_ID,
  PROP_CALL_ID,
  PROP_PROTOCOL,
  PROP_ACCOUNT_ID,
  PROP_DIRECTION,
  PROP_PEER_URI,
  PROP_PEER_NAME,
  PROP_START_TIME,
  PROP_ANSWER_TIME,
  PROP_END_TIME,
  PROP_END_REASON,
  PROP_CODEC,
  PROP_MOS,
  PROP_JITTER_MS,
  PROP_LOSS_PERCENT,
  PROP_RTT_MS,
  PROP_MISSED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtCallRecord
{
  GObject          parent_instance;

  gint64           id;
  char            *call_id;
  char            *protocol;
  char            *account_id;
  DtCallDirection  direction;
  char            *peer_uri;
  char            *peer_name;
  GDateTime       *start_time;
  GDateTime       *answer_time;
  GDateTime       *end_time;
  DtCallEndReason  end_reason;
  char            *codec;
  double           mos;
  double           jitter_ms;
  double           loss_percent;
  double           rtt_ms;
};

G_DEFINE_FINAL_TYPE (DtCallRecord, dt_call_record, G_TYPE_OBJECT)

static void
set_string (DtCallRecord  *self,
            char         **field,
            const char    *value,
            guint          prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static gboolean
date_time_equal0 (GDateTime *a,
                  GDateTime *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_date_time_equal (a, b);
}

static void
set_date_time (DtCallRecord  *self,
               GDateTime    **field,
               GDateTime     *value,
               guint          prop_id)
{
  if (date_time_equal0 (*field, value))
    return;

  g_clear_pointer (field, g_date_time_unref);
  if (value != NULL)
    *field = g_date_time_ref (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
set_figure (DtCallRecord *self,
            double       *field,
            double        value,
            guint         prop_id)
{
  /* Every negative value means "not measured"; one spelling of it keeps
   * comparisons and the database simple. */
  if (value < 0.0)
    value = -1.0;

  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
set_direction (DtCallRecord    *self,
               DtCallDirection  direction)
{
  gboolean was_missed;

  if (self->direction == direction)
    return;

  was_missed = dt_call_record_get_missed (self);
  self->direction = direction;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIRECTION]);
  if (was_missed != dt_call_record_get_missed (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSED]);
}

static void
set_end_reason (DtCallRecord    *self,
                DtCallEndReason  end_reason)
{
  gboolean was_missed;

  if (self->end_reason == end_reason)
    return;

  was_missed = dt_call_record_get_missed (self);
  self->end_reason = end_reason;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_END_REASON]);
  if (was_missed != dt_call_record_get_missed (self))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MISSED]);
}

static void
dt_call_record_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtCallRecord *self = DT_CALL_RECORD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_ACCOUNT_ID:
      g_value_set_string (value, self->account_id);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_PEER_URI:
      g_value_set_string (value, self->peer_uri);
      break;
    case PROP_PEER_NAME:
      g_value_set_string (value, self->peer_name);
      break;
    case PROP_START_TIME:
      g_value_set_boxed (value, self->start_time);
      break;
    case PROP_ANSWER_TIME:
      g_value_set_boxed (value, self->answer_time);
      break;
    case PROP_END_TIME:
      g_value_set_boxed (value, self->end_time);
      break;
    case PROP_END_REASON:
      g_value_set_enum (value, self->end_reason);
      break;
    case PROP_CODEC:
      g_value_set_string (value, self->codec);
      break;
    case PROP_MOS:
      g_value_set_double (value, self->mos);
      break;
    case PROP_JITTER_MS:
      g_value_set_double (value, self->jitter_ms);
      break;
    case PROP_LOSS_PERCENT:
      g_value_set_double (value, self->loss_percent);
      break;
    case PROP_RTT_MS:
      g_value_set_double (value, self->rtt_ms);
      break;
    case PROP_MISSED:
      g_value_set_boolean (value, dt_call_record_get_missed (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_record_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtCallRecord *self = DT_CALL_RECORD (object);

  switch (prop_id)
    {
    case PROP_ID:
      if (self->id != g_value_get_int64 (value))
        {
          self->id = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_CALL_ID:
      set_string (self, &self->call_id, g_value_get_string (value), prop_id);
      break;
    case PROP_PROTOCOL:
      set_string (self, &self->protocol, g_value_get_string (value), prop_id);
      break;
    case PROP_ACCOUNT_ID:
      set_string (self, &self->account_id, g_value_get_string (value), prop_id);
      break;
    case PROP_DIRECTION:
      set_direction (self, g_value_get_enum (value));
      break;
    case PROP_PEER_URI:
      set_string (self, &self->peer_uri, g_value_get_string (value), prop_id);
      break;
    case PROP_PEER_NAME:
      set_string (self, &self->peer_name, g_value_get_string (value), prop_id);
      break;
    case PROP_START_TIME:
      set_date_time (self, &self->start_time, g_value_get_boxed (value), prop_id);
      break;
    case PROP_ANSWER_TIME:
      set_date_time (self, &self->answer_time, g_value_get_boxed (value), prop_id);
      break;
    case PROP_END_TIME:
      set_date_time (self, &self->end_time, g_value_get_boxed (value), prop_id);
      break;
    case PROP_END_REASON:
      set_end_reason (self, g_value_get_enum (value));
      break;
    case PROP_CODEC:
      set_string (self, &self->codec, g_value_get_string (value), prop_id);
      break;
    case PROP_MOS:
      set_figure (self, &self->mos, g_value_get_double (value), prop_id);
      break;
    case PROP_JITTER_MS:
      set_figure (self, &self->jitter_ms, g_value_get_double (value), prop_id);
      break;
    case PROP_LOSS_PERCENT:
      set_figure (self, &self->loss_percent, g_value_get_double (value), prop_id);
      break;
    case PROP_RTT_MS:
      set_figure (self, &self->rtt_ms, g_value_get_double (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_record_finalize (GObject *object)
{
  DtCallRecord *self = DT_CALL_RECORD (object);

  g_free (self->call_id);
  g_free (self->protocol);
  g_free (self->account_id);
  g_free (self->peer_uri);
  g_free (self->peer_name);
  g_clear_pointer (&self->start_time, g_date_time_unref);
  g_clear_pointer (&self->answer_time, g_date_time_unref);
  g_clear_pointer (&self->end_time, g_date_time_unref);
  g_free (self->codec);

  G_OBJECT_CLASS (dt_call_record_parent_class)->finalize (object);
}

static void
dt_call_record_class_init (DtCallRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = dt_call_record_get_property;
  object_class->set_property = dt_call_record_set_property;
  object_class->finalize = dt_call_record_finalize;

  /**
   * DtCallRecord:id:
   *
   * The row's key in the history, or 0 while the record is not stored.
   */
  props[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        rw);
  props[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       DT_TYPE_CALL_DIRECTION,
                       DT_CALL_DIRECTION_OUTGOING,
                       rw);
  props[PROP_PEER_URI] =
    g_param_spec_string ("peer-uri", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_START_TIME] =
    g_param_spec_boxed ("start-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        rw);
  props[PROP_ANSWER_TIME] =
    g_param_spec_boxed ("answer-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        rw);
  /**
   * DtCallRecord:end-time:
   *
   * When the call ended; %NULL while it is live, and also when Dialtone
   * stopped during the call and the end is not known.
   */
  props[PROP_END_TIME] =
    g_param_spec_boxed ("end-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        rw);
  props[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL,
                       DT_TYPE_CALL_END_REASON,
                       DT_CALL_END_REASON_NONE,
                       rw);
  props[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL,
                         NULL,
                         rw);
  props[PROP_MOS] =
    g_param_spec_double ("mos", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, -1.0,
                         rw);
  props[PROP_JITTER_MS] =
    g_param_spec_double ("jitter-ms", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, -1.0,
                         rw);
  props[PROP_LOSS_PERCENT] =
    g_param_spec_double ("loss-percent", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, -1.0,
                         rw);
  props[PROP_RTT_MS] =
    g_param_spec_double ("rtt-ms", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, -1.0,
                         rw);
  props[PROP_MISSED] =
    g_param_spec_boolean ("missed", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_call_record_init (DtCallRecord *self)
{
  self->direction = DT_CALL_DIRECTION_OUTGOING;
  self->end_reason = DT_CALL_END_REASON_NONE;
  self->mos = -1.0;
  self->jitter_ms = -1.0;
  self->loss_percent = -1.0;
  self->rtt_ms = -1.0;
}

/**
 * dt_call_record_new:
 *
 * Returns: (transfer full): an empty record, not stored anywhere yet
 */
DtCallRecord *
dt_call_record_new (void)
{
  return g_object_new (DT_TYPE_CALL_RECORD, NULL);
}

/**
 * dt_call_record_new_from_call:
 * @call: the call to describe
 *
 * Returns: (transfer full): a record of @call as it is now, quality figures
 *   included; not stored anywhere yet
 */
DtCallRecord *
dt_call_record_new_from_call (DtCall *call)
{
  DtCallRecord *self;

  g_return_val_if_fail (DT_IS_CALL (call), NULL);

  self = dt_call_record_new ();
  dt_call_record_update_from_call (self, call);

  return self;
}

/**
 * dt_call_record_update_from_call:
 * @self: a record
 * @call: the call it describes
 *
 * Copies everything @call knows now into @self, keeping #DtCallRecord:id.
 * Only the properties that changed are notified.
 */
void
dt_call_record_update_from_call (DtCallRecord *self,
                                 DtCall       *call)
{
  GObject *object = (GObject *) self;
  DtCallStats *stats;
  const char *codec = NULL;
  double mos = -1.0;
  double jitter_ms = -1.0;
  double loss_percent = -1.0;
  double rtt_ms = -1.0;

  g_return_if_fail (DT_IS_CALL_RECORD (self));
  g_return_if_fail (DT_IS_CALL (call));

  stats = dt_call_get_stats (call);
  if (stats != NULL)
    {
      codec = dt_call_stats_get_codec (stats);
      mos = dt_call_stats_get_mos (stats);
      jitter_ms = dt_call_stats_get_jitter_ms (stats);
      rtt_ms = dt_call_stats_get_rtt_ms (stats);
      /* With no packet expected, a loss of 0% would claim a measurement
       * that never happened. */
      if (dt_call_stats_get_packets_received (stats) + dt_call_stats_get_packets_lost (stats) > 0)
        loss_percent = dt_call_stats_get_loss_percent (stats);
    }

  g_object_freeze_notify (object);

  set_string (self, &self->call_id, dt_call_get_id (call), PROP_CALL_ID);
  set_string (self, &self->protocol, dt_call_get_protocol (call), PROP_PROTOCOL);
  set_string (self, &self->account_id, dt_call_get_account_id (call), PROP_ACCOUNT_ID);
  set_direction (self, dt_call_get_direction (call));
  set_string (self, &self->peer_uri, dt_call_get_peer_uri (call), PROP_PEER_URI);
  set_string (self, &self->peer_name, dt_call_get_peer_name (call), PROP_PEER_NAME);
  set_date_time (self, &self->start_time, dt_call_get_start_time (call), PROP_START_TIME);
  set_date_time (self, &self->answer_time, dt_call_get_answer_time (call), PROP_ANSWER_TIME);
  set_date_time (self, &self->end_time, dt_call_get_end_time (call), PROP_END_TIME);
  set_end_reason (self, dt_call_get_end_reason (call));
  set_string (self, &self->codec, codec, PROP_CODEC);
  set_figure (self, &self->mos, mos, PROP_MOS);
  set_figure (self, &self->jitter_ms, jitter_ms, PROP_JITTER_MS);
  set_figure (self, &self->loss_percent, loss_percent, PROP_LOSS_PERCENT);
  set_figure (self, &self->rtt_ms, rtt_ms, PROP_RTT_MS);

  g_object_thaw_notify (object);
}

/**
 * dt_call_record_get_id:
 *
 * Returns: the row's key in the history, or 0 if the record is not stored
 */
gint64
dt_call_record_get_id (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), 0);

  return self->id;
}

/**
 * dt_call_record_get_call_id:
 *
 * Returns: (nullable): the protocol's identifier of the call
 */
const char *
dt_call_record_get_call_id (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->call_id;
}

/**
 * dt_call_record_get_protocol:
 *
 * Returns: (nullable): the protocol the call used, such as "sip"
 */
const char *
dt_call_record_get_protocol (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->protocol;
}

/**
 * dt_call_record_get_account_id:
 *
 * Returns: (nullable): the account the call went through
 */
const char *
dt_call_record_get_account_id (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->account_id;
}

/**
 * dt_call_record_get_direction:
 *
 * Returns: whether we placed the call or received it
 */
DtCallDirection
dt_call_record_get_direction (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), DT_CALL_DIRECTION_OUTGOING);

  return self->direction;
}

/**
 * dt_call_record_get_peer_uri:
 *
 * Returns: (nullable): the address of the other party
 */
const char *
dt_call_record_get_peer_uri (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->peer_uri;
}

/**
 * dt_call_record_get_peer_name:
 *
 * Returns: (nullable): the other party's display name, if one was given
 */
const char *
dt_call_record_get_peer_name (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->peer_name;
}

/**
 * dt_call_record_get_start_time:
 *
 * Returns: (transfer none) (nullable): when the call was placed or started
 *   ringing
 */
GDateTime *
dt_call_record_get_start_time (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->start_time;
}

/**
 * dt_call_record_get_answer_time:
 *
 * Returns: (transfer none) (nullable): when the call was answered, or %NULL
 *   if it never was
 */
GDateTime *
dt_call_record_get_answer_time (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->answer_time;
}

/**
 * dt_call_record_get_end_time:
 *
 * Returns: (transfer none) (nullable): when the call ended, or %NULL if it is
 *   live or its end is unknown (see %DT_CALL_END_REASON_INTERRUPTED)
 */
GDateTime *
dt_call_record_get_end_time (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->end_time;
}

/**
 * dt_call_record_get_end_reason:
 *
 * Returns: why the call ended, or %DT_CALL_END_REASON_NONE while it is live
 */
DtCallEndReason
dt_call_record_get_end_reason (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), DT_CALL_END_REASON_NONE);

  return self->end_reason;
}

/**
 * dt_call_record_get_codec:
 *
 * Returns: (nullable): the audio codec used, or %NULL if media never flowed
 */
const char *
dt_call_record_get_codec (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), NULL);

  return self->codec;
}

/**
 * dt_call_record_get_mos:
 *
 * Returns: the estimated mean opinion score (1 to 5), or -1 if unknown
 */
double
dt_call_record_get_mos (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), -1.0);

  return self->mos;
}

/**
 * dt_call_record_get_jitter_ms:
 *
 * Returns: the interarrival jitter in milliseconds, or -1 if unknown
 */
double
dt_call_record_get_jitter_ms (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), -1.0);

  return self->jitter_ms;
}

/**
 * dt_call_record_get_loss_percent:
 *
 * Returns: the share of packets lost (0 to 100), or -1 if unknown
 */
double
dt_call_record_get_loss_percent (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), -1.0);

  return self->loss_percent;
}

/**
 * dt_call_record_get_rtt_ms:
 *
 * Returns: the round-trip time in milliseconds, or -1 if unknown
 */
double
dt_call_record_get_rtt_ms (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), -1.0);

  return self->rtt_ms;
}

/**
 * dt_call_record_get_missed:
 *
 * Returns: %TRUE for an incoming call that stopped ringing before anyone
 *   answered
 */
gboolean
dt_call_record_get_missed (DtCallRecord *self)
{
  g_return_val_if_fail (DT_IS_CALL_RECORD (self), FALSE);

  return self->direction == DT_CALL_DIRECTION_INCOMING &&
         self->end_reason == DT_CALL_END_REASON_MISSED;
}
