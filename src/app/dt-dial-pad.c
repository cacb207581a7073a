/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-dial-pad.c
 *
 * What is typed or pasted goes through core's dial-string normaliser, so
 * "+1 (555) 123-4567", "alice@example.com" and "sip:bob@example.org" all
 * call; anything else says why and calls nothing. A call is the
 * application's "app.dial" action with the normalised address, or, when
 * more than one account is on and the person can choose, "app.dial-from"
 * with the chosen account's id: the dial pad knows nothing of backends.
 *
 * While typing, the recent peers that match (by address or name, newest
 * first) are offered in a popover under the entry. The entry keeps the
 * keyboard: Down and Up move through the offers, Enter takes the one
 * chosen, Escape closes them.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-dial-pad.h"
#include "dt-uri.h"

/* How many peers to offer, and how many recent matching calls to read to
 * find them: the same peer called often fills many rows. */
#define N_SUGGESTIONS 5
#define SUGGESTION_QUERY_LIMIT 100

enum {
  PROP_0,
  PROP_HISTORY,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtDialPad
{
  AdwBin        parent_instance;

  DtHistory    *history;
  DtSettings   *settings;
  GListStore   *accounts;
  GCancellable *suggest_cancellable;
  char         *chosen_account_id;
  gboolean      filling;
  gboolean      updating_accounts;

  GtkListBox   *account_list;
  AdwComboRow  *account_row;
  GtkEntry     *entry;
  GtkLabel     *error_label;
  GtkGrid      *keys;
  GtkButton    *call_button;
  GtkPopover   *suggestions;
  GtkListBox   *suggestion_list;
};

G_DEFINE_FINAL_TYPE (DtDialPad, dt_dial_pad, ADW_TYPE_BIN)

/* ITU-T E.161: the letters on each key. */
static const struct {
  const char *digit;
  const char *letters;
} keypad[] = {
  { "1", "" }, { "2", "ABC" }, { "3", "DEF" },
  { "4", "GHI" }, { "5", "JKL" }, { "6", "MNO" },
  { "7", "PQRS" }, { "8", "TUV" }, { "9", "WXYZ" },
  { "*", "" }, { "0", "+" }, { "#", "" },
};

static void
update_call_button (DtDialPad *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dial-pad.call", *text != '\0');
}

/* The account chosen in Call From, or NULL when there is no choice to
 * make and the application picks. */
static DtAccount *
chosen_account (DtDialPad *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->account_list)))
    return NULL;

  return adw_combo_row_get_selected_item (self->account_row);
}

static void
select_account (DtDialPad  *self,
                const char *id)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; id != NULL && i < n_items; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (dt_account_get_id (account), id))
        {
          adw_combo_row_set_selected (self->account_row, i);
          return;
        }
    }
}

/* Call From lists the accounts that are on, and shows only when there are
 * two or more. The person's choice stays while its account is there;
 * otherwise, and until they choose, it is the default account. */
static void
update_accounts (DtDialPad *self)
{
  GListModel *all;
  DtAccount *account;
  guint n_items;

  self->updating_accounts = TRUE;
  g_list_store_remove_all (self->accounts);
  all = self->settings != NULL ? dt_settings_get_accounts (self->settings) : NULL;
  n_items = all != NULL ? g_list_model_get_n_items (all) : 0;
  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(DtAccount) item = g_list_model_get_item (all, i);

      if (dt_account_get_enabled (item))
        g_list_store_append (self->accounts, item);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->account_list),
                          g_list_model_get_n_items (G_LIST_MODEL (self->accounts)) > 1);

  account = self->settings != NULL ? dt_settings_get_default_account (self->settings) : NULL;
  select_account (self, account != NULL ? dt_account_get_id (account) : NULL);
  select_account (self, self->chosen_account_id);
  self->updating_accounts = FALSE;
}

static void
on_account_selected (DtDialPad *self)
{
  DtAccount *account = adw_combo_row_get_selected_item (self->account_row);

  if (self->updating_accounts || account == NULL)
    return;

  g_free (self->chosen_account_id);
  self->chosen_account_id = g_strdup (dt_account_get_id (account));
}

static void
watch_account (DtDialPad *self,
               DtAccount *account)
{
  g_signal_connect_object (account, "notify::enabled", G_CALLBACK (update_accounts), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::display-name", G_CALLBACK (update_accounts), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (account, "notify::identity", G_CALLBACK (update_accounts), self,
                           G_CONNECT_SWAPPED);
}

static void
unwatch_settings (DtDialPad *self)
{
  GListModel *accounts;

  if (self->settings == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->settings, self);
  accounts = dt_settings_get_accounts (self->settings);
  g_signal_handlers_disconnect_by_data (accounts, self);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);

      g_signal_handlers_disconnect_by_data (account, self);
    }
}

static void
on_accounts_changed (GListModel *accounts,
                     guint       position,
                     guint       removed,
                     guint       added,
                     DtDialPad  *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);

      watch_account (self, account);
    }
  update_accounts (self);
}

static char *
dup_account_label (DtAccount *account)
{
  return account != NULL ? dt_account_dup_label (account) : NULL;
}

/* What the entry shows for a peer: a number without its "tel:", which
 * the normaliser puts back; any other address as it was called. */
static const char *
peer_dial_text (const char *uri)
{
  if (g_str_has_prefix (uri, "tel:"))
    return uri + strlen ("tel:");
  return uri;
}

static void
hide_suggestions (DtDialPad *self)
{
  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  gtk_popover_popdown (self->suggestions);
}

static void
remove_suggestions (DtDialPad *self)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->suggestion_list))) != NULL)
    gtk_list_box_remove (self->suggestion_list, row);
}

static void
place_suggestions (DtDialPad *self)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (GTK_WIDGET (self->entry), GTK_WIDGET (self), &bounds))
    return;

  gtk_popover_set_pointing_to (self->suggestions,
                               &(GdkRectangle) {
                                 (int) bounds.origin.x, (int) bounds.origin.y,
                                 (int) bounds.size.width, (int) bounds.size.height,
                               });
  gtk_widget_set_size_request (GTK_WIDGET (self->suggestion_list),
                               (int) bounds.size.width, -1);
}

/* The entry takes the peer; the account it was called from, if it can
 * still be chosen, comes with it. */
static void
pick_suggestion (DtDialPad     *self,
                 GtkListBoxRow *row)
{
  const char *uri = g_object_get_data (G_OBJECT (row), "dt-peer-uri");
  const char *account_id = g_object_get_data (G_OBJECT (row), "dt-account-id");

  hide_suggestions (self);
  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), peer_dial_text (uri));
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  self->filling = FALSE;
  select_account (self, account_id);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
on_suggestion_activated (GtkListBox    *list,
                         GtkListBoxRow *row,
                         DtDialPad     *self)
{
  pick_suggestion (self, row);
}

static GtkWidget *
make_suggestion (DtCallRecord *record)
{
  const char *uri = dt_call_record_get_peer_uri (record);
  const char *name = dt_call_record_get_peer_name (record);
  GtkWidget *row = adw_action_row_new ();

  if (name != NULL && *name != '\0')
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), peer_dial_text (uri));
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), peer_dial_text (uri));
  /* Names and addresses are shown as they are, never as markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_focusable (row, FALSE);
  g_object_set_data_full (G_OBJECT (row), "dt-peer-uri", g_strdup (uri), g_free);
  g_object_set_data_full (G_OBJECT (row), "dt-account-id",
                          g_strdup (dt_call_record_get_account_id (record)), g_free);
  return row;
}

static void
on_suggestions_read (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(DtDialPad) self = user_data;
  g_autoptr(GListModel) calls = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  const char *text;
  guint n_items;
  guint n_shown = 0;

  calls = dt_history_query_finish (DT_HISTORY (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->suggest_cancellable);
  if (calls == NULL)
    {
      g_warning ("Could not read recent calls for the dial pad: %s", error->message);
      return;
    }

  remove_suggestions (self);
  text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  n_items = g_list_model_get_n_items (calls);
  for (guint i = 0; i < n_items && n_shown < N_SUGGESTIONS; i++)
    {
      g_autoptr(DtCallRecord) record = g_list_model_get_item (calls, i);
      const char *uri = dt_call_record_get_peer_uri (record);

      /* Offering what is typed already would only be in the way. */
      if (uri == NULL || g_hash_table_contains (seen, uri)
          || g_str_equal (text, uri) || g_str_equal (text, peer_dial_text (uri)))
        continue;
      /* The records, and so their strings, live as long as @calls. */
      g_hash_table_add (seen, (gpointer) uri);
      gtk_list_box_append (self->suggestion_list, make_suggestion (record));
      n_shown++;
    }

  if (n_shown == 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      gtk_popover_popdown (self->suggestions);
      return;
    }
  place_suggestions (self);
  gtk_popover_popup (self->suggestions);
}

/* Each keystroke asks again, and the question before it is dropped. */
static void
update_suggestions (DtDialPad *self)
{
  g_autofree char *text = NULL;

  hide_suggestions (self);
  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));
  if (self->history == NULL || *text == '\0')
    return;

  self->suggest_cancellable = g_cancellable_new ();
  dt_history_query_async (self->history, text, 0, SUGGESTION_QUERY_LIMIT,
                          self->suggest_cancellable, on_suggestions_read, g_object_ref (self));
}

static void
move_selection (DtDialPad *self,
                int        step)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->suggestion_list);
  int index = selected != NULL ? gtk_list_box_row_get_index (selected) + step
                               : (step > 0 ? 0 : -1);
  GtkListBoxRow *row = index >= 0 ? gtk_list_box_get_row_at_index (self->suggestion_list, index)
                                  : NULL;

  /* Up from the first offer goes back to what was typed. */
  if (row == NULL && index >= 0)
    return;
  gtk_list_box_select_row (self->suggestion_list, row);
}

static gboolean
on_entry_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      DtDialPad             *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->suggestions)))
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      move_selection (self, 1);
      return GDK_EVENT_STOP;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      move_selection (self, -1);
      return GDK_EVENT_STOP;
    case GDK_KEY_Escape:
      hide_suggestions (self);
      return GDK_EVENT_STOP;
    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
on_entry_changed (DtDialPad *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_call_button (self);
  if (!self->filling)
    update_suggestions (self);
}

static void
call (DtDialPad *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  DtAccount *account;

  if (text == NULL || *text == '\0')
    return;
  uri = dt_uri_normalize_dial_string (text, &error);
  if (uri == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  hide_suggestions (self);
  account = chosen_account (self);
  if (account != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "app.dial-from", "(ss)", uri,
                                dt_account_get_id (account));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "app.dial", "s", uri);
}

/* Enter takes the offer chosen with the arrow keys, else calls. */
static void
on_entry_activate (DtDialPad *self)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->suggestion_list);

  if (selected != NULL && gtk_widget_get_visible (GTK_WIDGET (self->suggestions)))
    pick_suggestion (self, selected);
  else
    call (self);
}

static void
call_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  call (DT_DIAL_PAD (widget));
}

static void
on_key_clicked (GtkButton *button,
                DtDialPad *self)
{
  const char *digit = g_object_get_data (G_OBJECT (button), "dt-digit");
  int position = -1;

  gtk_editable_insert_text (GTK_EDITABLE (self->entry), digit, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static GtkWidget *
make_key (DtDialPad  *self,
          const char *digit,
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
  gtk_widget_set_size_request (button, 72, 56);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  g_object_set_data (G_OBJECT (button), "dt-digit", (gpointer) digit);
  g_signal_connect (button, "clicked", G_CALLBACK (on_key_clicked), self);
  return button;
}

static void
dt_dial_pad_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DtDialPad *self = DT_DIAL_PAD (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_dial_pad_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DtDialPad *self = DT_DIAL_PAD (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      dt_dial_pad_set_history (self, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      dt_dial_pad_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_dial_pad_dispose (GObject *object)
{
  DtDialPad *self = DT_DIAL_PAD (object);

  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  g_clear_pointer ((GtkWidget **) &self->suggestions, gtk_widget_unparent);
  unwatch_settings (self);
  gtk_widget_dispose_template (GTK_WIDGET (object), DT_TYPE_DIAL_PAD);
  g_clear_object (&self->settings);
  g_clear_object (&self->history);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->chosen_account_id, g_free);

  G_OBJECT_CLASS (dt_dial_pad_parent_class)->dispose (object);
}

/* The offers follow the entry when the dial pad is laid out again. */
static void
dt_dial_pad_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  DtDialPad *self = DT_DIAL_PAD (widget);

  GTK_WIDGET_CLASS (dt_dial_pad_parent_class)->size_allocate (widget, width, height, baseline);

  if (gtk_widget_get_visible (GTK_WIDGET (self->suggestions)))
    {
      place_suggestions (self);
      gtk_popover_present (self->suggestions);
    }
}

/* Switching to Recent, or closing the window, takes the offers away. */
static void
dt_dial_pad_unmap (GtkWidget *widget)
{
  hide_suggestions (DT_DIAL_PAD (widget));

  GTK_WIDGET_CLASS (dt_dial_pad_parent_class)->unmap (widget);
}

static void
dt_dial_pad_class_init (DtDialPadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_dial_pad_get_property;
  object_class->set_property = dt_dial_pad_set_property;
  object_class->dispose = dt_dial_pad_dispose;
  widget_class->size_allocate = dt_dial_pad_size_allocate;
  widget_class->unmap = dt_dial_pad_unmap;

  props[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL,
                         DT_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-dial-pad.ui");
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, account_list);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, account_row);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, entry);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, error_label);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, keys);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, call_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);

  gtk_widget_class_install_action (widget_class, "dial-pad.call", NULL, call_action);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dt_dial_pad_init (DtDialPad *self)
{
  GtkEventController *keys;
  GtkEventController *focus;
  GtkExpression *label;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->accounts = g_list_store_new (DT_TYPE_ACCOUNT);
  label = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                       G_CALLBACK (dup_account_label), NULL, NULL);
  adw_combo_row_set_expression (self->account_row, label);
  gtk_expression_unref (label);
  adw_combo_row_set_model (self->account_row, G_LIST_MODEL (self->accounts));
  g_signal_connect_swapped (self->account_row, "notify::selected",
                            G_CALLBACK (on_account_selected), self);

  /* The popover never takes the focus: typing goes on in the entry. */
  self->suggestion_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->suggestion_list, GTK_SELECTION_SINGLE);
  gtk_list_box_set_activate_on_single_click (self->suggestion_list, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->suggestion_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recent numbers and addresses"),
                                  -1);
  g_signal_connect (self->suggestion_list, "row-activated",
                    G_CALLBACK (on_suggestion_activated), self);
  self->suggestions = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->suggestions, GTK_WIDGET (self->suggestion_list));
  gtk_popover_set_autohide (self->suggestions, FALSE);
  gtk_popover_set_has_arrow (self->suggestions, FALSE);
  gtk_popover_set_position (self->suggestions, GTK_POS_BOTTOM);
  gtk_widget_set_focusable (GTK_WIDGET (self->suggestions), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->suggestions), "dt-dial-suggestions");
  gtk_widget_set_parent (GTK_WIDGET (self->suggestions), GTK_WIDGET (self));

  /* Offers left open over another window would be in the way there. */
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (hide_suggestions), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), focus);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_entry_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  for (guint i = 0; i < G_N_ELEMENTS (keypad); i++)
    gtk_grid_attach (self->keys, make_key (self, keypad[i].digit, keypad[i].letters),
                     (int) (i % 3), (int) (i / 3), 1, 1);
  update_call_button (self);
}

/**
 * dt_dial_pad_new:
 *
 * Returns: (transfer floating): a dial pad; its calls go to "app.dial"
 */
GtkWidget *
dt_dial_pad_new (void)
{
  return g_object_new (DT_TYPE_DIAL_PAD, NULL);
}

const char *
dt_dial_pad_get_text (DtDialPad *self)
{
  g_return_val_if_fail (DT_IS_DIAL_PAD (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
dt_dial_pad_set_text (DtDialPad  *self,
                      const char *text)
{
  g_return_if_fail (DT_IS_DIAL_PAD (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
}

/**
 * dt_dial_pad_get_history:
 *
 * Returns: (transfer none) (nullable): where the recent peers offered come
 *   from
 */
DtHistory *
dt_dial_pad_get_history (DtDialPad *self)
{
  g_return_val_if_fail (DT_IS_DIAL_PAD (self), NULL);
  return self->history;
}

/**
 * dt_dial_pad_set_history:
 *
 * Offers the peers of @history's calls while typing.
 */
void
dt_dial_pad_set_history (DtDialPad *self,
                         DtHistory *history)
{
  g_return_if_fail (DT_IS_DIAL_PAD (self));
  g_return_if_fail (!history || DT_IS_HISTORY (history));

  if (!g_set_object (&self->history, history))
    return;

  hide_suggestions (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_HISTORY]);
}

/**
 * dt_dial_pad_get_settings:
 *
 * Returns: (transfer none) (nullable): where Call From's accounts come from
 */
DtSettings *
dt_dial_pad_get_settings (DtDialPad *self)
{
  g_return_val_if_fail (DT_IS_DIAL_PAD (self), NULL);
  return self->settings;
}

/**
 * dt_dial_pad_set_settings:
 *
 * Lists @settings' enabled accounts in Call From, shown when there are two
 * or more.
 */
void
dt_dial_pad_set_settings (DtDialPad  *self,
                          DtSettings *settings)
{
  GListModel *accounts;

  g_return_if_fail (DT_IS_DIAL_PAD (self));
  g_return_if_fail (!settings || DT_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;

  unwatch_settings (self);
  g_set_object (&self->settings, settings);

  if (settings != NULL)
    {
      accounts = dt_settings_get_accounts (settings);
      g_signal_connect_object (accounts, "items-changed", G_CALLBACK (on_accounts_changed), self,
                               0);
      g_signal_connect_object (settings, "notify::default-account",
                               G_CALLBACK (update_accounts), self, G_CONNECT_SWAPPED);
      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);

          watch_account (self, account);
        }
    }

  update_accounts (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SETTINGS]);
}
