/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-row.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-call-row.h"

/**
 * DtCallRow:
 *
 * One call in the Recent list: who, which way, when, and how long, with
 * Call Back and a menu to delete it. The day is the list's section header,
 * so the row itself shows only the time of day.
 *
 * The buttons activate the window's "win.call-back" and "win.call-menu"
 * with the record's history id: the window knows the accounts and the
 * history, the row only what it shows. The menu is the window's, one for
 * every row, so reading the list again never pulls it away from under the
 * pointer.
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
  GtkButton    *call_back_button;
  GtkButton    *menu_button;
};

G_DEFINE_FINAL_TYPE (DtCallRow, dt_call_row, GTK_TYPE_WIDGET)

/* Calendar days from @time's day to @now's. Noon to noon, rounded, so a
 * day of 23 or 25 hours around a clock change still counts as one. */
static int
days_before (GDateTime *time,
             GDateTime *now)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);
  g_autoptr(GDateTime) day = g_date_time_new_local (g_date_time_get_year (local),
                                                    g_date_time_get_month (local),
                                                    g_date_time_get_day_of_month (local),
                                                    12, 0, 0);
  g_autoptr(GDateTime) today = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now),
                                                      g_date_time_get_day_of_month (now),
                                                      12, 0, 0);
  GTimeSpan span = g_date_time_difference (today, day);

  /* A call from a clock set ahead is still today's. */
  if (span <= 0)
    return 0;
  return (int) ((span + G_TIME_SPAN_DAY / 2) / G_TIME_SPAN_DAY);
}

static char *
format_when (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  /* Translators: time of day of a call, see strftime(3); the day is the
   * section header above it */
  return g_date_time_format (local, _("%H:%M"));
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
set_css_class (GtkWidget  *widget,
               const char *css_class,
               gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}

/* The targets carry the history id rather than the record, so an action
 * still names the right call after the list is read again. */
static void
update_actions (DtCallRow *self,
                gboolean   can_call_back)
{
  GVariant *id = g_variant_new_int64 (dt_call_record_get_id (self->record));

  g_variant_ref_sink (id);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->call_back_button), id);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->menu_button), id);
  g_variant_unref (id);
  gtk_widget_set_visible (GTK_WIDGET (self->call_back_button), can_call_back);
}

/* Right click, or a long press on a touch screen, opens the row's menu
 * as its More button does. */
static void
on_context_menu (DtCallRow *self)
{
  if (self->record != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.call-menu", "x",
                                dt_call_record_get_id (self->record));
}

static void
on_right_click (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                DtCallRow       *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  on_context_menu (self);
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
  gboolean missed;
  g_autofree char *when = NULL;
  g_autofree char *day = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *accessible = NULL;

  if (record == NULL)
    return;

  name = dt_call_record_get_peer_name (record);
  uri = dt_call_record_get_peer_uri (record);
  if (name == NULL || *name == '\0')
    name = uri ? uri : _("Unknown");

  missed = dt_call_record_get_missed (record);
  if (missed)
    {
      icon = "call-missed-symbolic";
      direction = _("Missed call");
    }
  else if (dt_call_record_get_direction (record) == DT_CALL_DIRECTION_INCOMING)
    {
      icon = "call-incoming-symbolic";
      direction = _("Incoming call");
    }
  else
    {
      icon = "call-outgoing-symbolic";
      direction = _("Outgoing call");
    }
  set_css_class (GTK_WIDGET (self->direction_icon), "error", missed);
  set_css_class (GTK_WIDGET (self->title_label), "error", missed);

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
  now = g_date_time_new_now_local ();
  day = dt_call_row_format_day (dt_call_record_get_start_time (record), now);

  gtk_image_set_from_icon_name (self->direction_icon, icon);
  gtk_label_set_label (self->title_label, name);
  gtk_label_set_label (self->subtitle_label, subtitle);
  gtk_label_set_label (self->time_label, when);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), uri);

  /* Translators: read out for a row of the Recent list: direction, who,
   * outcome or duration, the day (its section, which a screen reader
   * moving from row to row does not hear) and the time */
  accessible = g_strdup_printf (_("%s, %s, %s, %s %s"), direction, name, subtitle, day, when);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  /* The red icon is not seen by everyone: a screen reader says it too. */
  if (missed)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Missed call"),
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);

  update_actions (self, uri != NULL && *uri != '\0');
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
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, call_back_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallRow, menu_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dt_call_row_init (DtCallRow *self)
{
  GtkGesture *click;
  GtkGesture *long_press;

  gtk_widget_init_template (GTK_WIDGET (self));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_right_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  long_press = gtk_gesture_long_press_new ();
  gtk_gesture_single_set_touch_only (GTK_GESTURE_SINGLE (long_press), TRUE);
  g_signal_connect_swapped (long_press, "pressed", G_CALLBACK (on_context_menu), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (long_press));
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

/**
 * dt_call_row_format_day:
 * @time: when a call started
 * @now: the local time now
 *
 * Returns: (transfer full): the Recent list's section for @time: "Today",
 *   "Yesterday", the weekday within the last week, else the date, with
 *   the year if it is not this one
 */
char *
dt_call_row_format_day (GDateTime *time,
                        GDateTime *now)
{
  g_autoptr(GDateTime) local = NULL;
  int days;

  g_return_val_if_fail (time != NULL && now != NULL, NULL);

  local = g_date_time_to_local (time);
  days = days_before (local, now);

  if (days == 0)
    return g_strdup (_("Today"));
  if (days == 1)
    return g_strdup (_("Yesterday"));
  if (days < 7)
    return g_date_time_format (local, "%A");
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a section of the Recent list, a day this year, see
     * g_date_time_format() */
    return g_date_time_format (local, _("%B %-d"));
  /* Translators: a section of the Recent list, a day in another year, see
   * g_date_time_format() */
  return g_date_time_format (local, _("%B %-d, %Y"));
}

/**
 * dt_call_row_get_menu_button:
 *
 * Returns: (transfer none): the row's More button, where its menu points
 */
GtkWidget *
dt_call_row_get_menu_button (DtCallRow *self)
{
  g_return_val_if_fail (DT_IS_CALL_ROW (self), NULL);

  return GTK_WIDGET (self->menu_button);
}
