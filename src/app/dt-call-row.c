/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-row.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-call-row.h"

/**
 * DtCallRow:
 *
 * One call in the Recent list: who, which way, when, and how long.
 */

enum {
  PROP_0,
  PROP_RECORD,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtCallRow
{
  GtkWidget     parent_instance;

  DtCallRecord *record;

  GtkImage     *direction_icon;
  GtkLabel     *title_label;
  GtkLabel     *subtitle_label;
  GtkLabel     *time_label;
};

G_DEFINE_FINAL_TYPE (DtCallRow, dt_call_row, GTK_TYPE_WIDGET)

static char *
format_when (GDateTime *time)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  int days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (local);
  gboolean same_year = g_date_time_get_year (now) == g_date_time_get_year (local);

  if (same_year && days == 0)
    /* Translators: time of a call made today, see strftime(3) */
    return g_date_time_format (local, _("%H:%M"));
  if (same_year && days == 1)
    return g_strdup (_("Yesterday"));
  if (same_year && days > 1 && days < 7)
    return g_date_time_format (local, "%A");

  return g_date_time_format (local, "%x");
}

static char *
format_duration (GTimeSpan span)
{
  gint64 seconds = span / G_TIME_SPAN_SECOND;

  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d",
                            seconds / 3600, (int) (seconds / 60 % 60), (int) (seconds % 60));

  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static const char *
describe_outcome (DtCallRecord *record)
{
  DtCallEndReason reason = dt_call_record_get_end_reason (record);

  if (dt_call_record_get_missed (record))
    return _("Missed call");

  switch (reason)
    {
    case DT_CALL_END_REASON_DECLINED:
      return _("Declined");
    case DT_CALL_END_REASON_BUSY:
      return _("Busy");
    case DT_CALL_END_REASON_NO_ANSWER:
      return _("No answer");
    case DT_CALL_END_REASON_CANCELLED:
      return _("Cancelled");
    case DT_CALL_END_REASON_NOT_FOUND:
      return _("Number not found");
    case DT_CALL_END_REASON_UNAVAILABLE:
      return _("Unavailable");
    case DT_CALL_END_REASON_ANSWERED_ELSEWHERE:
      return _("Answered elsewhere");
    case DT_CALL_END_REASON_TRANSFERRED:
      return _("Transferred");
    case DT_CALL_END_REASON_AUTH_FAILED:
      return _("Authentication failed");
    case DT_CALL_END_REASON_NETWORK_ERROR:
      return _("Connection lost");
    case DT_CALL_END_REASON_MEDIA_TIMEOUT:
      return _("Audio stopped");
    case DT_CALL_END_REASON_MEDIA_FAILED:
      return _("Audio could not be set up");
    case DT_CALL_END_REASON_INTERRUPTED:
      return _("Interrupted");
    case DT_CALL_END_REASON_FAILED:
      return _("Failed");
    case DT_CALL_END_REASON_NONE:
    case DT_CALL_END_REASON_LOCAL_HANGUP:
    case DT_CALL_END_REASON_REMOTE_HANGUP:
    case DT_CALL_END_REASON_MISSED:
    default:
      return NULL;
    }
}

static void
update (DtCallRow *self)
{
  DtCallRecord *record = self->record;
  const char *name;
  const char *uri;
  const char *icon;
  const char *outcome;
  const char *direction;
  g_autofree char *when = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;

  if (record == NULL)
    return;

  name = dt_call_record_get_peer_name (record);
  uri = dt_call_record_get_peer_uri (record);
  if (name == NULL || *name == '\0')
    name = uri ? uri : _("Unknown");

  if (dt_call_record_get_missed (record))
    {
      icon = "call-missed-symbolic";
      direction = _("Missed call");
      gtk_widget_add_css_class (GTK_WIDGET (self->direction_icon), "error");
    }
  else if (dt_call_record_get_direction (record) == DT_CALL_DIRECTION_INCOMING)
    {
      icon = "call-incoming-symbolic";
      direction = _("Incoming call");
      gtk_widget_remove_css_class (GTK_WIDGET (self->direction_icon), "error");
    }
  else
    {
      icon = "call-outgoing-symbolic";
      direction = _("Outgoing call");
      gtk_widget_remove_css_class (GTK_WIDGET (self->direction_icon), "error");
    }

  outcome = describe_outcome (record);
  if (outcome == NULL && dt_call_record_get_answer_time (record)
      && dt_call_record_get_end_time (record))
    subtitle = format_duration (g_date_time_difference (dt_call_record_get_end_time (record),
                                                        dt_call_record_get_answer_time (record)));
  else if (outcome != NULL)
    subtitle = g_strdup (outcome);
  else
    subtitle = g_strdup (direction);

  when = format_when (dt_call_record_get_start_time (record));

  gtk_image_set_from_icon_name (self->direction_icon, icon);
  gtk_label_set_label (self->title_label, name);
  gtk_label_set_label (self->subtitle_label, subtitle);
  gtk_label_set_label (self->time_label, when);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), uri);

  /* Translators: read out for a row of the Recent list: direction, who,
   * outcome or duration, and when */
  accessible = g_strdup_printf (_("%s, %s, %s, %s"), direction, name, subtitle, when);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static void
dt_call_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DtCallRow *self = DT_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_row_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DtCallRow *self = DT_CALL_ROW (object);

  switch (prop_id)
    {
    case PROP_RECORD:
      dt_call_row_set_record (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_row_dispose (GObject *object)
{
  DtCallRow *self = DT_CALL_ROW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_CALL_ROW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->record);

  G_OBJECT_CLASS (dt_call_row_parent_class)->dispose (object);
}

static void
dt_call_row_class_init (DtCallRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_call_row_get_property;
  object_class->set_property = dt_call_row_set_property;
  object_class->dispose = dt_call_row_dispose;

  props[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL,
                         DT_TYPE_CALL_RECORD,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-call-row.ui");
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, direction_icon);
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, time_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dt_call_row_init (DtCallRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * dt_call_row_get_record:
 *
 * Returns: (transfer none) (nullable): the call shown
 */
DtCallRecord *
dt_call_row_get_record (DtCallRow *self)
{
  g_return_val_if_fail (DT_IS_CALL_ROW (self), NULL);

  return self->record;
}

void
dt_call_row_set_record (DtCallRow    *self,
                        DtCallRecord *record)
{
  g_return_if_fail (DT_IS_CALL_ROW (self));
  g_return_if_fail (!record || DT_IS_CALL_RECORD (record));

  if (!g_set_object (&self->record, record))
    return;

  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECORD]);
}
