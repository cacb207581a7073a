/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account-row.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-account-row.h"

/**
 * DtAccountRow:
 *
 * One account in the Accounts dialog: its name, whether it is connected
 * (or why not), a switch that connects or disconnects it, and whether it
 * is the default account. Activating the row opens its editor.
 *
 * When the server says voice messages wait (for SIP, RFC 3842), the row
 * counts them and, if the account has a voicemail address, offers a
 * button that calls it through `app.dial-from`, from this account: the
 * mailbox knows the caller by the account it is called from.
 */

enum {
  PROP_0,
  PROP_ACCOUNT,
  PROP_IS_DEFAULT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtAccountRow
{
  AdwActionRow  parent_instance;

  DtAccount    *account;
  gboolean      is_default;

  GtkImage     *state_icon;
  GtkLabel     *default_label;
  GtkSwitch    *enabled_switch;
  GtkButton    *voicemail_button;
};

G_DEFINE_FINAL_TYPE (DtAccountRow, dt_account_row, ADW_TYPE_ACTION_ROW)

static void
update_voicemail (DtAccountRow *self,
                  const char   *label)
{
  const char *uri = dt_account_get_voicemail_uri (self->account);
  gboolean offered = dt_account_get_messages_waiting (self->account) && uri != NULL && *uri;
  g_autofree char *button_name = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->voicemail_button), offered);
  /* The action is named only with its target: without one, app.dial-from
   * would be a mismatch that GTK warns about. */
  if (!offered)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->voicemail_button), NULL);
      return;
    }

  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->voicemail_button), "(ss)", uri,
                                    dt_account_get_id (self->account));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->voicemail_button), "app.dial-from");
  /* Translators: the accessible name of the button that calls an
   * account's voicemail; %s is the account */
  button_name = g_strdup_printf (_("Call Voicemail of %s"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->voicemail_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, button_name, -1);
}

static void
update (DtAccountRow *self)
{
  g_autofree char *label = dt_account_dup_label (self->account);
  g_autofree char *state = dt_account_row_dup_state_text (self->account);
  g_autofree char *voicemail = dt_account_row_dup_voicemail_text (self->account);
  g_autofree char *subtitle = NULL;
  g_autofree char *switch_name = NULL;
  const char *icon;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), label);
  subtitle = voicemail ? g_strconcat (state, "\n", voicemail, NULL) : g_strdup (state);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  update_voicemail (self, label);

  switch (dt_account_get_state (self->account))
    {
    case DT_ACCOUNT_STATE_ONLINE:
      icon = "network-transmit-receive-symbolic";
      break;
    case DT_ACCOUNT_STATE_CONNECTING:
      icon = "network-idle-symbolic";
      break;
    case DT_ACCOUNT_STATE_FAILED:
      icon = "network-error-symbolic";
      break;
    case DT_ACCOUNT_STATE_OFFLINE:
    default:
      icon = "network-offline-symbolic";
      break;
    }
  gtk_image_set_from_icon_name (self->state_icon, icon);

  /* A screen reader lands on the switch alone: it has to say whose it is. */
  /* Translators: the accessible name of an account's on/off switch */
  switch_name = g_strdup_printf (_("Connect %s"), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->enabled_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, switch_name, -1);
}

static void
on_account_notify (DtAccount    *account,
                   GParamSpec   *pspec,
                   DtAccountRow *self)
{
  update (self);
}

static void
dt_account_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtAccountRow *self = DT_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_IS_DEFAULT:
      g_value_set_boolean (value, self->is_default);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtAccountRow *self = DT_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    case PROP_IS_DEFAULT:
      dt_account_row_set_is_default (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_row_constructed (GObject *object)
{
  DtAccountRow *self = DT_ACCOUNT_ROW (object);

  G_OBJECT_CLASS (dt_account_row_parent_class)->constructed (object);

  g_assert (DT_IS_ACCOUNT (self->account));
  g_object_bind_property (self->account, "enabled", self->enabled_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->account, "notify::state", G_CALLBACK (on_account_notify),
                           self, 0);
  g_signal_connect_object (self->account, "notify::failure-reason",
                           G_CALLBACK (on_account_notify), self, 0);
  g_signal_connect_object (self->account, "notify::enabled", G_CALLBACK (on_account_notify),
                           self, 0);
  g_signal_connect_object (self->account, "notify::display-name",
                           G_CALLBACK (on_account_notify), self, 0);
  g_signal_connect_object (self->account, "notify::identity", G_CALLBACK (on_account_notify),
                           self, 0);
  g_signal_connect_object (self->account, "notify::messages-waiting",
                           G_CALLBACK (on_account_notify), self, 0);
  g_signal_connect_object (self->account, "notify::new-messages",
                           G_CALLBACK (on_account_notify), self, 0);
  g_signal_connect_object (self->account, "notify::voicemail-uri",
                           G_CALLBACK (on_account_notify), self, 0);
  update (self);
}

static void
dt_account_row_dispose (GObject *object)
{
  DtAccountRow *self = DT_ACCOUNT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_ACCOUNT_ROW);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (dt_account_row_parent_class)->dispose (object);
}

static void
dt_account_row_class_init (DtAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_account_row_get_property;
  object_class->set_property = dt_account_row_set_property;
  object_class->constructed = dt_account_row_constructed;
  object_class->dispose = dt_account_row_dispose;

  props[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         DT_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_IS_DEFAULT] =
    g_param_spec_boolean ("is-default", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, DtAccountRow, state_icon);
  gtk_widget_class_bind_template_child (widget_class, DtAccountRow, default_label);
  gtk_widget_class_bind_template_child (widget_class, DtAccountRow, enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, DtAccountRow, voicemail_button);
}

static void
dt_account_row_init (DtAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * dt_account_row_new:
 * @account: the account to show
 *
 * Returns: (transfer floating): a row for @account
 */
GtkWidget *
dt_account_row_new (DtAccount *account)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (account), NULL);

  return g_object_new (DT_TYPE_ACCOUNT_ROW, "account", account, NULL);
}

/**
 * dt_account_row_get_account:
 *
 * Returns: (transfer none): the account the row shows
 */
DtAccount *
dt_account_row_get_account (DtAccountRow *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}

/**
 * dt_account_row_get_is_default:
 *
 * Returns: whether the row is marked as the default account
 */
gboolean
dt_account_row_get_is_default (DtAccountRow *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT_ROW (self), FALSE);

  return self->is_default;
}

/**
 * dt_account_row_set_is_default:
 * @is_default: whether the account is the default one
 *
 * Marks the row as the account used for numbers and links that name none.
 */
void
dt_account_row_set_is_default (DtAccountRow *self,
                               gboolean      is_default)
{
  g_return_if_fail (DT_IS_ACCOUNT_ROW (self));

  is_default = !!is_default;
  if (self->is_default == is_default)
    return;
  self->is_default = is_default;
  gtk_widget_set_visible (GTK_WIDGET (self->default_label), is_default);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IS_DEFAULT]);
}

/**
 * dt_account_row_dup_state_text:
 * @account: an account
 *
 * Returns: (transfer full): the account's state in words, as the row's
 *   subtitle shows it: "Online", "Connecting…", or why it failed
 */
char *
dt_account_row_dup_state_text (DtAccount *account)
{
  const char *reason;

  g_return_val_if_fail (DT_IS_ACCOUNT (account), NULL);

  switch (dt_account_get_state (account))
    {
    case DT_ACCOUNT_STATE_ONLINE:
      return g_strdup (_("Online"));
    case DT_ACCOUNT_STATE_CONNECTING:
      return g_strdup (_("Connecting…"));
    case DT_ACCOUNT_STATE_FAILED:
      reason = dt_account_get_failure_reason (account);
      return g_strdup (reason && *reason ? reason : _("Could not connect"));
    case DT_ACCOUNT_STATE_OFFLINE:
    default:
      return g_strdup (dt_account_get_enabled (account) ? _("Offline") : _("Disabled"));
    }
}

/**
 * dt_account_row_dup_voicemail_text:
 * @account: an account
 *
 * Returns: (transfer full) (nullable): what the row says of the account's
 *   mailbox, such as "2 new voicemails", or %NULL when nothing waits
 */
char *
dt_account_row_dup_voicemail_text (DtAccount *account)
{
  guint n;

  g_return_val_if_fail (DT_IS_ACCOUNT (account), NULL);

  if (!dt_account_get_messages_waiting (account))
    return NULL;
  n = dt_account_get_new_messages (account);
  /* RFC 3842 §5.2: the counts are optional; "yes" alone still means some. */
  if (n == 0)
    return g_strdup (_("New voicemail"));
  return g_strdup_printf (ngettext ("%u new voicemail", "%u new voicemails", n), n);
}
