/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-page.c
 *
 * The page follows one call of the call manager: the one that talks, else
 * the one being placed, else the one it showed before, else the first.
 * The others are listed under it with Switch (or Answer for one that
 * rings), and the manager's one-call-at-a-time policy puts the one that
 * talked on hold.
 *
 * Everything a button does is a widget action ("call.*"), so keyboard
 * shortcuts, tests and the buttons go the same way. The keypad's digits
 * are also bound to the keyboard while the page has the focus.
 *
 * The levels and the statistics come from the DtCall, which its backend
 * feeds from the media engine; the device rows write the settings that
 * the application's audio configuration follows, and a running call moves
 * to the new device at once.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-audio-devices.h"
#include "dt-call-page.h"
#include "dt-device-choice.h"
#include "dt-uri.h"

/* The level bars show the top 60 dB: quieter is silence to a listener. */
#define LEVEL_FLOOR_DBFS (-60.0)

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_SETTINGS,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtCallPage
{
  AdwBin          parent_instance;

  DtCallManager  *manager;
  DtSettings     *settings;
  DtCall         *call;             /* the call shown, or NULL */
  GCancellable   *cancellable;
  guint           duration_timer;
  GString        *dtmf_sent;
  DtAudioDevices *devices;
  DtDeviceChoice *microphone;
  DtDeviceChoice *speaker;

  AdwAvatar      *avatar;
  GtkLabel       *name_label;
  GtkLabel       *uri_label;
  GtkLabel       *state_label;
  GtkLabel       *duration_label;
  GtkLevelBar    *input_level;
  GtkLevelBar    *output_level;
  GtkToggleButton *mute_button;
  GtkToggleButton *hold_button;
  GtkToggleButton *keypad_button;
  GtkMenuButton  *transfer_button;
  GtkPopover     *transfer_popover;
  GtkEntry       *transfer_entry;
  GtkLabel       *transfer_error;
  GtkRevealer    *keypad_revealer;
  GtkLabel       *dtmf_label;
  GtkGrid        *keypad_grid;
  GtkButton      *answer_button;
  GtkButton      *hangup_button;
  AdwPreferencesGroup *others_group;
  GtkListBox     *others_list;
  AdwComboRow    *microphone_row;
  AdwComboRow    *speaker_row;
  AdwExpanderRow *stats_row;
  GtkLabel       *codec_label;
  GtkLabel       *jitter_label;
  GtkLabel       *loss_label;
  GtkLabel       *rtt_label;
  GtkLabel       *mos_label;
};

G_DEFINE_FINAL_TYPE (DtCallPage, dt_call_page, ADW_TYPE_BIN)

/* ITU-T E.161, as on the dial pad. */
static const struct {
  const char *digit;
  const char *letters;
} keypad[] = {
  { "1", "" }, { "2", "ABC" }, { "3", "DEF" },
  { "4", "GHI" }, { "5", "JKL" }, { "6", "MNO" },
  { "7", "PQRS" }, { "8", "TUV" }, { "9", "WXYZ" },
  { "*", "" }, { "0", "" }, { "#", "" },
};

static void show_call      (DtCallPage *self,
                            DtCall     *call);
static void set_up_devices (DtCallPage *self);

static const char *
state_text (DtCall *call)
{
  switch (dt_call_get_state (call))
    {
    case DT_CALL_STATE_DIALING:
      return _("Calling…");
    case DT_CALL_STATE_RINGING:
      return dt_call_get_direction (call) == DT_CALL_DIRECTION_INCOMING ? _("Incoming Call")
                                                                        : _("Ringing…");
    case DT_CALL_STATE_ACTIVE:
      return _("Active");
    case DT_CALL_STATE_HELD:
      return _("On Hold");
    case DT_CALL_STATE_ENDED:
    default:
      return _("Call Ended");
    }
}

/* Who, as a person reads it: the display name the far end sent, else the
 * number or user part of its address, else the address. */
static char *
peer_title (DtCall *call)
{
  const char *name = dt_call_get_peer_name (call);
  const char *uri = dt_call_get_peer_uri (call);
  g_autoptr(DtUri) parsed = NULL;
  const char *part = NULL;

  if (name != NULL && *name != '\0')
    return g_strdup (name);
  if (uri == NULL)
    return g_strdup ("");
  parsed = dt_uri_parse (uri, NULL);
  if (parsed != NULL)
    {
      part = dt_uri_get_number (parsed);
      if (part == NULL || *part == '\0')
        part = dt_uri_get_user (parsed);
    }
  return g_strdup (part != NULL && *part != '\0' ? part : uri);
}

static gboolean
is_established (DtCall *call)
{
  DtCallState state = call != NULL ? dt_call_get_state (call) : DT_CALL_STATE_ENDED;

  return state == DT_CALL_STATE_ACTIVE || state == DT_CALL_STATE_HELD;
}

static gboolean
is_ringing_in (DtCall *call)
{
  return dt_call_get_direction (call) == DT_CALL_DIRECTION_INCOMING
         && dt_call_get_state (call) == DT_CALL_STATE_RINGING;
}

/* --- which call -------------------------------------------------------- */

static DtCall *
pick_call (DtCallPage *self)
{
  GListModel *calls = self->manager != NULL ? dt_call_manager_get_calls (self->manager) : NULL;
  guint n = calls != NULL ? g_list_model_get_n_items (calls) : 0;
  g_autoptr(DtCall) placing = NULL;
  g_autoptr(DtCall) first = NULL;
  gboolean still_there = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);
      DtCallState state = dt_call_get_state (call);

      if (!dt_call_state_is_live (state))
        continue;
      if (state == DT_CALL_STATE_ACTIVE)
        return call;
      if (placing == NULL && dt_call_get_direction (call) == DT_CALL_DIRECTION_OUTGOING
          && (state == DT_CALL_STATE_DIALING || state == DT_CALL_STATE_RINGING))
        placing = g_object_ref (call);
      if (first == NULL)
        first = g_object_ref (call);
      if (call == self->call)
        still_there = TRUE;
    }

  if (placing != NULL)
    return placing;
  if (still_there)
    return self->call;
  return first;
}

/* --- showing ------------------------------------------------------------ */

static char *
format_duration (gint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
                            (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%02d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static gboolean
update_duration (gpointer user_data)
{
  DtCallPage *self = user_data;
  GDateTime *answered = self->call != NULL ? dt_call_get_answer_time (self->call) : NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *text = NULL;

  if (answered == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->duration_label), FALSE);
      return G_SOURCE_CONTINUE;
    }
  now = g_date_time_new_now_utc ();
  text = format_duration (MAX (0, g_date_time_difference (now, answered) / G_TIME_SPAN_SECOND));
  gtk_label_set_text (self->duration_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->duration_label), TRUE);
  return G_SOURCE_CONTINUE;
}

/* The clock ticks only while a live call is shown. */
static void
update_timer (DtCallPage *self)
{
  gboolean live = self->call != NULL && dt_call_state_is_live (dt_call_get_state (self->call));

  if (live && self->duration_timer == 0)
    {
      self->duration_timer = g_timeout_add (1000, update_duration, self);
      g_source_set_name_by_id (self->duration_timer, "[dialtone] call duration");
    }
  else if (!live)
    g_clear_handle_id (&self->duration_timer, g_source_remove);
  update_duration (self);
}

static double
level_fraction (double dbfs)
{
  return CLAMP ((dbfs - LEVEL_FLOOR_DBFS) / -LEVEL_FLOOR_DBFS, 0.0, 1.0);
}

static void
update_levels (DtCallPage *self)
{
  gtk_level_bar_set_value (self->input_level,
                           self->call != NULL && !dt_call_get_muted (self->call)
                           ? level_fraction (dt_call_get_input_level (self->call)) : 0.0);
  gtk_level_bar_set_value (self->output_level,
                           self->call != NULL
                           ? level_fraction (dt_call_get_output_level (self->call)) : 0.0);
}

static void
update_stats (DtCallPage *self)
{
  DtCallStats *stats = self->call != NULL ? dt_call_get_stats (self->call) : NULL;
  const char *codec = stats != NULL ? dt_call_stats_get_codec (stats) : NULL;
  g_autofree char *jitter = NULL;
  g_autofree char *loss = NULL;
  g_autofree char *rtt = NULL;
  g_autofree char *mos = NULL;

  if (stats == NULL || dt_call_stats_get_packets_received (stats) == 0)
    {
      /* Nothing measured yet: a dash, not a misleading zero. */
      jitter = g_strdup ("—");
      loss = g_strdup ("—");
      mos = g_strdup ("—");
    }
  else
    {
      /* Translators: a jitter in milliseconds */
      jitter = g_strdup_printf (_("%.1f ms"), dt_call_stats_get_jitter_ms (stats));
      /* Translators: a share of the packets, in per cent */
      loss = g_strdup_printf (_("%.1f %%"), dt_call_stats_get_loss_percent (stats));
      mos = g_strdup_printf ("%.1f", dt_call_stats_get_mos (stats));
    }
  /* The round trip needs the far end's RTCP reports, which come later. */
  if (stats == NULL || dt_call_stats_get_rtt_ms (stats) <= 0.0)
    rtt = g_strdup ("—");
  else
    /* Translators: a round-trip time in milliseconds */
    rtt = g_strdup_printf (_("%.0f ms"), dt_call_stats_get_rtt_ms (stats));

  gtk_label_set_text (self->codec_label, codec != NULL && *codec != '\0' ? codec : "—");
  gtk_label_set_text (self->jitter_label, jitter);
  gtk_label_set_text (self->loss_label, loss);
  gtk_label_set_text (self->rtt_label, rtt);
  gtk_label_set_text (self->mos_label, mos);
  adw_expander_row_set_subtitle (self->stats_row, codec != NULL ? codec : "");
}

static void
update_actions (DtCallPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  DtCall *call = self->call;
  gboolean live = call != NULL && dt_call_state_is_live (dt_call_get_state (call));
  gboolean transfer = live && is_established (call) && dt_call_get_can_transfer (call);

  gtk_widget_action_set_enabled (widget, "call.mute", live);
  gtk_widget_action_set_enabled (widget, "call.hold", live && is_established (call));
  gtk_widget_action_set_enabled (widget, "call.dtmf",
                                 live && dt_call_get_state (call) == DT_CALL_STATE_ACTIVE);
  gtk_widget_action_set_enabled (widget, "call.transfer", transfer);
  gtk_widget_action_set_enabled (widget, "call.hangup", live);
  gtk_widget_action_set_enabled (widget, "call.answer", live && is_ringing_in (call));
  gtk_widget_set_sensitive (GTK_WIDGET (self->transfer_button), transfer);
  gtk_widget_set_sensitive (GTK_WIDGET (self->keypad_button), live);
}

static void
update_call (DtCallPage *self)
{
  DtCall *call = self->call;
  g_autofree char *title = NULL;
  const char *uri;

  if (call == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->uri_label, "");
      gtk_label_set_text (self->state_label, "");
      adw_avatar_set_text (self->avatar, NULL);
    }
  else
    {
      title = peer_title (call);
      uri = dt_call_get_peer_uri (call);
      gtk_label_set_text (self->name_label, title);
      gtk_label_set_text (self->uri_label, uri != NULL ? uri : "");
      gtk_widget_set_visible (GTK_WIDGET (self->uri_label), g_strcmp0 (title, uri) != 0);
      gtk_label_set_text (self->state_label, state_text (call));
      adw_avatar_set_text (self->avatar, title);
    }

  /* The buttons show the call's state; their actions change it. */
  gtk_toggle_button_set_active (self->mute_button, call != NULL && dt_call_get_muted (call));
  gtk_toggle_button_set_active (self->hold_button, call != NULL && dt_call_get_held (call));
  gtk_widget_set_visible (GTK_WIDGET (self->answer_button), call != NULL && is_ringing_in (call));
  if (call == NULL || dt_call_get_state (call) != DT_CALL_STATE_ACTIVE)
    gtk_revealer_set_reveal_child (self->keypad_revealer, FALSE);
  update_actions (self);
  update_timer (self);
  update_levels (self);
  update_stats (self);
}

static GtkWidget *
create_other_row (DtCall *call)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  gboolean ringing = is_ringing_in (call);
  g_autofree char *title = peer_title (call);
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;

  subtitle = g_strdup_printf ("%s · %s", state_text (call), dt_call_get_peer_uri (call));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);

  button = gtk_button_new_with_mnemonic (ringing ? _("_Answer") : _("_Switch"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "call.switch");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", dt_call_get_id (call));
  /* Translators: %s is the name or address of the other party */
  name = g_strdup_printf (ringing ? _("Answer %s") : _("Switch to %s"), title);
  gtk_widget_set_tooltip_text (button, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  if (ringing)
    gtk_widget_add_css_class (button, "suggested-action");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), button);
  g_object_set_data_full (G_OBJECT (row), "dt-call", g_object_ref (call), g_object_unref);
  return row;
}

static void
update_others (DtCallPage *self)
{
  GListModel *calls = self->manager != NULL ? dt_call_manager_get_calls (self->manager) : NULL;
  guint n = calls != NULL ? g_list_model_get_n_items (calls) : 0;
  GtkWidget *child;
  guint n_others = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->others_list))) != NULL)
    gtk_list_box_remove (self->others_list, child);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      if (call == self->call || !dt_call_state_is_live (dt_call_get_state (call)))
        continue;
      gtk_list_box_append (self->others_list, create_other_row (call));
      n_others++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->others_group), n_others > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "call.switch", n_others > 0);
}

static void
on_call_changed (DtCall     *call,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  update_call (user_data);
}

static void
on_levels_changed (DtCall     *call,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  update_levels (user_data);
}

static void
on_stats_changed (DtCallStats *stats,
                  GParamSpec  *pspec,
                  gpointer     user_data)
{
  update_stats (user_data);
}

static void
show_call (DtCallPage *self,
           DtCall     *call)
{
  if (self->call == call)
    {
      update_call (self);
      update_others (self);
      return;
    }

  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      g_signal_handlers_disconnect_by_data (dt_call_get_stats (self->call), self);
    }
  g_set_object (&self->call, call);
  g_string_truncate (self->dtmf_sent, 0);
  gtk_label_set_text (self->dtmf_label, "");
  gtk_popover_popdown (self->transfer_popover);

  if (call != NULL)
    {
      static const char * const shown[] = {
        "notify::state", "notify::peer-name", "notify::muted", "notify::answer-time",
      };

      for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
        g_signal_connect (call, shown[i], G_CALLBACK (on_call_changed), self);
      g_signal_connect (call, "notify::input-level", G_CALLBACK (on_levels_changed), self);
      g_signal_connect (call, "notify::output-level", G_CALLBACK (on_levels_changed), self);
      g_signal_connect (dt_call_get_stats (call), "notify", G_CALLBACK (on_stats_changed), self);
      /* The device list starts GStreamer and its device monitor: the
       * first call needs it, the first window does not. */
      if (self->microphone == NULL)
        set_up_devices (self);
    }

  update_call (self);
  update_others (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CALL]);
}

static void
refresh (DtCallPage *self)
{
  show_call (self, pick_call (self));
}

static void
on_any_call_state (DtCall     *call,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  refresh (user_data);
}

static void
on_calls_changed (GListModel *calls,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  DtCallPage *self = user_data;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      g_signal_connect_object (call, "notify::state", G_CALLBACK (on_any_call_state), self, 0);
    }
  refresh (self);
}

/* --- actions ------------------------------------------------------------ */

static void
on_operation_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DtCallPage) self = user_data;
  gboolean (*finish) (DtCall *, GAsyncResult *, GError **) = NULL;
  g_autoptr(GError) error = NULL;
  gpointer tag = g_task_get_source_tag (G_TASK (result));

  if (tag == dt_call_hold_async)
    finish = dt_call_hold_finish;
  else if (tag == dt_call_hangup_async)
    finish = dt_call_hangup_finish;
  else if (tag == dt_call_answer_async)
    finish = dt_call_answer_finish;
  else if (tag == dt_call_transfer_async)
    finish = dt_call_transfer_finish;
  g_assert (finish != NULL);

  if (!finish (DT_CALL (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Call %s: %s", dt_call_get_id (DT_CALL (source)), error->message);
  /* A refused hold leaves the button as it was before the click. */
  if (!g_cancellable_is_cancelled (self->cancellable))
    update_call (self);
}

static void
mute_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);

  if (self->call != NULL)
    dt_call_set_muted (self->call, !dt_call_get_muted (self->call));
  update_call (self);
}

static void
hold_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);

  if (self->call != NULL && is_established (self->call))
    dt_call_hold_async (self->call, !dt_call_get_held (self->call), self->cancellable,
                        on_operation_done, g_object_ref (self));
  update_call (self);
}

static void
hangup_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);

  if (self->call != NULL)
    dt_call_hangup_async (self->call, self->cancellable, on_operation_done, g_object_ref (self));
}

static void
answer_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);

  if (self->call != NULL && is_ringing_in (self->call))
    dt_call_answer_async (self->call, self->cancellable, on_operation_done, g_object_ref (self));
}

static void
dtmf_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);
  const char *digits = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = NULL;

  if (self->call == NULL)
    return;
  if (!dt_call_send_dtmf (self->call, digits, &error))
    {
      g_message ("Tones not sent: %s", error->message);
      gtk_widget_error_bell (widget);
      return;
    }
  upper = g_ascii_strup (digits, -1);
  g_string_append (self->dtmf_sent, upper);
  gtk_label_set_text (self->dtmf_label, self->dtmf_sent->str);
  /* Typed digits open the keypad, so the person sees what was sent. */
  gtk_revealer_set_reveal_child (self->keypad_revealer, TRUE);
}

static void
transfer_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->transfer_entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (self->call == NULL || text == NULL || *text == '\0')
    return;
  uri = dt_uri_normalize_dial_string (text, &error);
  if (uri == NULL)
    {
      gtk_label_set_text (self->transfer_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->transfer_error), TRUE);
      return;
    }
  dt_call_transfer_async (self->call, uri, self->cancellable, on_operation_done,
                          g_object_ref (self));
  gtk_popover_popdown (self->transfer_popover);
}

static void
switch_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtCallPage *self = DT_CALL_PAGE (widget);
  DtCall *call;

  if (self->manager == NULL)
    return;
  call = dt_call_manager_find_call (self->manager, g_variant_get_string (parameter, NULL));
  if (call == NULL)
    return;
  /* The manager puts the call that talks on hold for either. */
  if (is_ringing_in (call))
    dt_call_answer_async (call, self->cancellable, on_operation_done, g_object_ref (self));
  else if (dt_call_get_state (call) == DT_CALL_STATE_HELD)
    dt_call_hold_async (call, FALSE, self->cancellable, on_operation_done, g_object_ref (self));
}

static void
on_transfer_activate (DtCallPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "call.transfer", NULL);
}

static void
on_transfer_changed (DtCallPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->transfer_error), FALSE);
}

static void
on_transfer_shown (DtCallPage *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->transfer_entry));
}

static GtkWidget *
make_key (const char *digit,
          const char *letters)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *number = gtk_label_new (digit);
  GtkWidget *small = gtk_label_new (letters);
  g_autofree char *name = *letters != '\0' ? g_strdup_printf ("%s %s", digit, letters)
                                           : g_strdup (digit);

  gtk_widget_add_css_class (number, "title-2");
  gtk_widget_add_css_class (small, "caption");
  gtk_widget_add_css_class (small, "dim-label");
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), small);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_set_size_request (button, 72, 52);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_widget_set_name (button, digit);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "call.dtmf");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", digit);
  return button;
}

static void
set_up_devices (DtCallPage *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->microphone);
  g_clear_object (&self->speaker);
  gtk_widget_set_visible (GTK_WIDGET (self->microphone_row), self->settings != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->speaker_row), self->settings != NULL);
  if (self->settings == NULL)
    return;
  if (self->devices == NULL)
    {
      self->devices = dt_audio_devices_get_shared (&error);
      if (self->devices == NULL)
        g_message ("No audio devices to choose from: %s", error->message);
    }
  self->microphone = dt_device_choice_new (self->microphone_row, self->settings, "microphone",
                                           TRUE, self->devices);
  self->speaker = dt_device_choice_new (self->speaker_row, self->settings, "speaker", FALSE,
                                        self->devices);
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_call_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  DtCallPage *self = DT_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_CALL:
      g_value_set_object (value, self->call);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  DtCallPage *self = DT_CALL_PAGE (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      dt_call_page_set_manager (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      dt_call_page_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_page_dispose (GObject *object)
{
  DtCallPage *self = DT_CALL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->duration_timer, g_source_remove);
  if (self->call != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->call, self);
      g_signal_handlers_disconnect_by_data (dt_call_get_stats (self->call), self);
    }
  if (self->manager != NULL)
    {
      GListModel *calls = dt_call_manager_get_calls (self->manager);

      for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
        {
          g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

          g_signal_handlers_disconnect_by_data (call, self);
        }
      g_signal_handlers_disconnect_by_data (calls, self);
    }
  g_clear_object (&self->microphone);
  g_clear_object (&self->speaker);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_CALL_PAGE);
  g_clear_object (&self->call);
  g_clear_object (&self->manager);
  g_clear_object (&self->settings);
  g_clear_object (&self->devices);

  G_OBJECT_CLASS (dt_call_page_parent_class)->dispose (object);
}

static void
dt_call_page_finalize (GObject *object)
{
  DtCallPage *self = DT_CALL_PAGE (object);

  g_clear_object (&self->cancellable);
  g_string_free (self->dtmf_sent, TRUE);

  G_OBJECT_CLASS (dt_call_page_parent_class)->finalize (object);
}

static void
add_dtmf_binding (GtkWidgetClass *widget_class,
                  guint           keyval,
                  const char     *digit)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, 0, "call.dtmf", "s", digit);
}

static void
dt_call_page_class_init (DtCallPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_call_page_get_property;
  object_class->set_property = dt_call_page_set_property;
  object_class->dispose = dt_call_page_dispose;
  object_class->finalize = dt_call_page_finalize;

  /**
   * DtCallPage:manager:
   *
   * Where the calls come from.
   */
  props[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         DT_TYPE_CALL_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtCallPage:settings:
   *
   * Where the device rows keep the microphone and the speaker.
   */
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtCallPage:call:
   *
   * The call shown, or %NULL when none is live.
   */
  props[PROP_CALL] =
    g_param_spec_object ("call", NULL, NULL,
                         DT_TYPE_CALL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-call-page.ui");
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, uri_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, duration_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, input_level);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, output_level);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, mute_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, hold_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, keypad_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, transfer_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, transfer_popover);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, transfer_entry);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, transfer_error);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, keypad_revealer);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, dtmf_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, keypad_grid);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, answer_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, hangup_button);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, others_group);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, others_list);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, speaker_row);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, stats_row);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, codec_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, jitter_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, loss_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, rtt_label);
  gtk_widget_class_bind_template_child (widget_class, DtCallPage, mos_label);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_transfer_shown);

  gtk_widget_class_install_action (widget_class, "call.mute", NULL, mute_action);
  gtk_widget_class_install_action (widget_class, "call.hold", NULL, hold_action);
  gtk_widget_class_install_action (widget_class, "call.hangup", NULL, hangup_action);
  gtk_widget_class_install_action (widget_class, "call.answer", NULL, answer_action);
  gtk_widget_class_install_action (widget_class, "call.dtmf", "s", dtmf_action);
  gtk_widget_class_install_action (widget_class, "call.transfer", NULL, transfer_action);
  gtk_widget_class_install_action (widget_class, "call.switch", "s", switch_action);

  /* The keyboard's digits are the keypad's while the page has the focus. */
  for (guint i = 0; i <= 9; i++)
    {
      char digit[2] = { (char) ('0' + i), '\0' };

      add_dtmf_binding (widget_class, GDK_KEY_0 + i, digit);
      add_dtmf_binding (widget_class, GDK_KEY_KP_0 + i, digit);
    }
  add_dtmf_binding (widget_class, GDK_KEY_asterisk, "*");
  add_dtmf_binding (widget_class, GDK_KEY_KP_Multiply, "*");
  add_dtmf_binding (widget_class, GDK_KEY_numbersign, "#");
  for (guint i = 0; i < 4; i++)
    {
      char digit[2] = { (char) ('A' + i), '\0' };

      add_dtmf_binding (widget_class, GDK_KEY_a + i, digit);
      add_dtmf_binding (widget_class, GDK_KEY_A + i, digit);
    }
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "call.mute",
                                       NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dt_call_page_init (DtCallPage *self)
{
  static const char * const offsets[] = {
    GTK_LEVEL_BAR_OFFSET_LOW, GTK_LEVEL_BAR_OFFSET_HIGH, GTK_LEVEL_BAR_OFFSET_FULL,
  };

  self->cancellable = g_cancellable_new ();
  self->dtmf_sent = g_string_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (keypad); i++)
    gtk_grid_attach (self->keypad_grid, make_key (keypad[i].digit, keypad[i].letters),
                     (int) (i % 3), (int) (i / 3), 1, 1);
  /* A meter, not a charge: no warning colours at the low end. */
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      gtk_level_bar_remove_offset_value (self->input_level, offsets[i]);
      gtk_level_bar_remove_offset_value (self->output_level, offsets[i]);
    }
  update_call (self);
  update_others (self);
}

/* --- public API ----------------------------------------------------------- */

/**
 * dt_call_page_new:
 *
 * Returns: (transfer floating): a call page with no calls yet
 */
GtkWidget *
dt_call_page_new (void)
{
  return g_object_new (DT_TYPE_CALL_PAGE, NULL);
}

/**
 * dt_call_page_get_manager:
 *
 * Returns: (transfer none) (nullable): where the calls come from
 */
DtCallManager *
dt_call_page_get_manager (DtCallPage *self)
{
  g_return_val_if_fail (DT_IS_CALL_PAGE (self), NULL);
  return self->manager;
}

/**
 * dt_call_page_set_manager:
 * @manager: (nullable): the call manager whose calls the page shows
 */
void
dt_call_page_set_manager (DtCallPage    *self,
                          DtCallManager *manager)
{
  GListModel *calls;

  g_return_if_fail (DT_IS_CALL_PAGE (self));
  g_return_if_fail (!manager || DT_IS_CALL_MANAGER (manager));

  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    {
      calls = dt_call_manager_get_calls (self->manager);
      for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
        {
          g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

          g_signal_handlers_disconnect_by_func (call, on_any_call_state, self);
        }
      g_signal_handlers_disconnect_by_data (calls, self);
    }
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    {
      calls = dt_call_manager_get_calls (manager);
      g_signal_connect (calls, "items-changed", G_CALLBACK (on_calls_changed), self);
      on_calls_changed (calls, 0, 0, g_list_model_get_n_items (calls), self);
    }
  else
    show_call (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MANAGER]);
}

/**
 * dt_call_page_get_settings:
 *
 * Returns: (transfer none) (nullable): where the device rows keep their choice
 */
DtSettings *
dt_call_page_get_settings (DtCallPage *self)
{
  g_return_val_if_fail (DT_IS_CALL_PAGE (self), NULL);
  return self->settings;
}

/**
 * dt_call_page_set_settings:
 * @settings: (nullable): where the microphone and speaker are chosen; without
 *   settings the device rows are hidden
 */
void
dt_call_page_set_settings (DtCallPage *self,
                           DtSettings *settings)
{
  g_return_if_fail (DT_IS_CALL_PAGE (self));
  g_return_if_fail (!settings || DT_IS_SETTINGS (settings));

  if (!g_set_object (&self->settings, settings))
    return;
  g_clear_object (&self->microphone);
  g_clear_object (&self->speaker);
  if (self->call != NULL)
    set_up_devices (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SETTINGS]);
}

/**
 * dt_call_page_get_call:
 *
 * Returns: (transfer none) (nullable): the call shown, or %NULL when no
 *   call is live
 */
DtCall *
dt_call_page_get_call (DtCallPage *self)
{
  g_return_val_if_fail (DT_IS_CALL_PAGE (self), NULL);
  return self->call;
}
