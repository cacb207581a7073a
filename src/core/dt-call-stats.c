/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-stats.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-call-stats.h"

/**
 * DtCallStats:
 *
 * The live quality figures of a call. The media engine writes them as RTP and
 * RTCP arrive; the UI and the history read them. A value below zero means
 * "not known yet" for jitter, round-trip time and MOS.
 */

enum {
  PROP_0,
  PROP_CODEC,
  PROP_PACKETS_SENT,
  PROP_PACKETS_RECEIVED,
  PROP_PACKETS_LOST,
  PROP_LOSS_PERCENT,
  PROP_JITTER_MS,
  PROP_RTT_MS,
  PROP_MOS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtCallStats
{
  GObject  parent_instance;

  char    *codec;
  guint64  packets_sent;
  guint64  packets_received;
  guint64  packets_lost;
  double   jitter_ms;
  double   rtt_ms;
  double   mos;
};

G_DEFINE_FINAL_TYPE (DtCallStats, dt_call_stats, G_TYPE_OBJECT)

static void
dt_call_stats_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DtCallStats *self = DT_CALL_STATS (object);

  switch (prop_id)
    {
    case PROP_CODEC:
      g_value_set_string (value, self->codec);
      break;
    case PROP_PACKETS_SENT:
      g_value_set_uint64 (value, self->packets_sent);
      break;
    case PROP_PACKETS_RECEIVED:
      g_value_set_uint64 (value, self->packets_received);
      break;
    case PROP_PACKETS_LOST:
      g_value_set_uint64 (value, self->packets_lost);
      break;
    case PROP_LOSS_PERCENT:
      g_value_set_double (value, dt_call_stats_get_loss_percent (self));
      break;
    case PROP_JITTER_MS:
      g_value_set_double (value, self->jitter_ms);
      break;
    case PROP_RTT_MS:
      g_value_set_double (value, self->rtt_ms);
      break;
    case PROP_MOS:
      g_value_set_double (value, self->mos);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_stats_finalize (GObject *object)
{
  DtCallStats *self = DT_CALL_STATS (object);

  g_free (self->codec);

  G_OBJECT_CLASS (dt_call_stats_parent_class)->finalize (object);
}

static void
dt_call_stats_class_init (DtCallStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_call_stats_get_property;
  object_class->finalize = dt_call_stats_finalize;

  props[PROP_CODEC] =
    g_param_spec_string ("codec", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_PACKETS_SENT] =
    g_param_spec_uint64 ("packets-sent", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_PACKETS_RECEIVED] =
    g_param_spec_uint64 ("packets-received", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_PACKETS_LOST] =
    g_param_spec_uint64 ("packets-lost", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_LOSS_PERCENT] =
    g_param_spec_double ("loss-percent", NULL, NULL,
                         0.0, 100.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_JITTER_MS] =
    g_param_spec_double ("jitter-ms", NULL, NULL,
                         -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_RTT_MS] =
    g_param_spec_double ("rtt-ms", NULL, NULL,
                         -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_MOS] =
    g_param_spec_double ("mos", NULL, NULL,
                         -1.0, 5.0, -1.0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_call_stats_init (DtCallStats *self)
{
  self->jitter_ms = -1.0;
  self->rtt_ms = -1.0;
  self->mos = -1.0;
}

/**
 * dt_call_stats_new:
 *
 * Returns: (transfer full): figures with nothing measured yet
 */
DtCallStats *
dt_call_stats_new (void)
{
  return g_object_new (DT_TYPE_CALL_STATS, NULL);
}

/**
 * dt_call_stats_get_codec:
 *
 * Returns: (nullable): the codec in use, such as "opus", or %NULL before
 *   media is negotiated
 */
const char *
dt_call_stats_get_codec (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), NULL);

  return self->codec;
}

guint64
dt_call_stats_get_packets_sent (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), 0);

  return self->packets_sent;
}

guint64
dt_call_stats_get_packets_received (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), 0);

  return self->packets_received;
}

guint64
dt_call_stats_get_packets_lost (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), 0);

  return self->packets_lost;
}

/**
 * dt_call_stats_get_loss_percent:
 *
 * Returns: the share of expected packets that never arrived, 0 to 100
 */
double
dt_call_stats_get_loss_percent (DtCallStats *self)
{
  guint64 expected;

  g_return_val_if_fail (DT_IS_CALL_STATS (self), 0.0);

  expected = self->packets_received + self->packets_lost;
  if (expected == 0)
    return 0.0;

  return 100.0 * (double) self->packets_lost / (double) expected;
}

double
dt_call_stats_get_jitter_ms (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), -1.0);

  return self->jitter_ms;
}

double
dt_call_stats_get_rtt_ms (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), -1.0);

  return self->rtt_ms;
}

/**
 * dt_call_stats_get_mos:
 *
 * Returns: the estimated mean opinion score, 1 to 5, or -1 when unknown
 */
double
dt_call_stats_get_mos (DtCallStats *self)
{
  g_return_val_if_fail (DT_IS_CALL_STATS (self), -1.0);

  return self->mos;
}

void
dt_call_stats_set_codec (DtCallStats *self,
                         const char  *codec)
{
  g_return_if_fail (DT_IS_CALL_STATS (self));

  if (g_strcmp0 (self->codec, codec) == 0)
    return;

  g_free (self->codec);
  self->codec = g_strdup (codec);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODEC]);
}

/**
 * dt_call_stats_update:
 * @jitter_ms: interarrival jitter, or a negative value if unknown
 * @rtt_ms: round-trip time from RTCP, or a negative value if unknown
 * @mos: estimated MOS, or a negative value if unknown
 *
 * Replaces every counter at once, so a reader never sees half an update.
 * Only the properties that changed are notified.
 */
void
dt_call_stats_update (DtCallStats *self,
                      guint64      packets_sent,
                      guint64      packets_received,
                      guint64      packets_lost,
                      double       jitter_ms,
                      double       rtt_ms,
                      double       mos)
{
  GObject *object = (GObject *) self;
  gboolean loss_changed = FALSE;

  g_return_if_fail (DT_IS_CALL_STATS (self));

  jitter_ms = jitter_ms < 0 ? -1.0 : jitter_ms;
  rtt_ms = rtt_ms < 0 ? -1.0 : rtt_ms;
  mos = mos < 0 ? -1.0 : CLAMP (mos, 1.0, 5.0);

  g_object_freeze_notify (object);

  if (self->packets_sent != packets_sent)
    {
      self->packets_sent = packets_sent;
      g_object_notify_by_pspec (object, props[PROP_PACKETS_SENT]);
    }
  if (self->packets_received != packets_received)
    {
      self->packets_received = packets_received;
      g_object_notify_by_pspec (object, props[PROP_PACKETS_RECEIVED]);
      loss_changed = TRUE;
    }
  if (self->packets_lost != packets_lost)
    {
      self->packets_lost = packets_lost;
      g_object_notify_by_pspec (object, props[PROP_PACKETS_LOST]);
      loss_changed = TRUE;
    }
  if (loss_changed)
    g_object_notify_by_pspec (object, props[PROP_LOSS_PERCENT]);
  if (self->jitter_ms != jitter_ms)
    {
      self->jitter_ms = jitter_ms;
      g_object_notify_by_pspec (object, props[PROP_JITTER_MS]);
    }
  if (self->rtt_ms != rtt_ms)
    {
      self->rtt_ms = rtt_ms;
      g_object_notify_by_pspec (object, props[PROP_RTT_MS]);
    }
  if (self->mos != mos)
    {
      self->mos = mos;
      g_object_notify_by_pspec (object, props[PROP_MOS]);
    }

  g_object_thaw_notify (object);
}
