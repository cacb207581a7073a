/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-accounts-dialog.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-account-editor.h"
#include "dt-account-row.h"
#include "dt-accounts-dialog.h"

/**
 * DtAccountsDialog:
 *
 * The Accounts dialog: every configured account with its live state, a
 * switch to connect it, and a mark on the default one. Adding an account
 * or activating a row opens a #DtAccountEditor as a subpage, so the list
 * and the form share one window that also fits a phone's 360 px.
 */

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtAccountsDialog
{
  AdwPreferencesWindow  parent_instance;

  DtSettings           *settings;
  GtkWidget            *editor;     /* the open subpage, or NULL */
  GtkWidget            *closing;    /* a subpage still sliding out */
  GtkWidget            *pending;    /* the subpage to show once it is gone */

  GtkListBox           *account_list;
};

G_DEFINE_FINAL_TYPE (DtAccountsDialog, dt_accounts_dialog, ADW_TYPE_PREFERENCES_WINDOW)

/* The mark follows what calls really use: the chosen account if it is
 * enabled, else the first enabled one. */
static void
update_default (DtAccountsDialog *self)
{
  DtAccount *fallback = dt_settings_get_default_account (self->settings);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->account_list)); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (DT_IS_ACCOUNT_ROW (child))
        dt_account_row_set_is_default (DT_ACCOUNT_ROW (child),
                                       dt_account_row_get_account (DT_ACCOUNT_ROW (child))
                                       == fallback);
    }
}

static void
on_default_changed (GObject          *object,
                    GParamSpec       *pspec,
                    DtAccountsDialog *self)
{
  update_default (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  DtAccountsDialog *self = user_data;
  GtkWidget *row = dt_account_row_new (item);

  g_signal_connect_object (item, "notify::enabled", G_CALLBACK (on_default_changed), self, 0);
  return row;
}

static void
on_accounts_changed (GListModel       *accounts,
                     guint             position,
                     guint             removed,
                     guint             added,
                     DtAccountsDialog *self)
{
  update_default (self);
}

static void
on_editor_done (DtAccountEditor  *editor,
                DtAccountsDialog *self)
{
  if (self->editor != GTK_WIDGET (editor))
    return;
  g_clear_weak_pointer (&self->editor);
  g_set_object (&self->closing, GTK_WIDGET (editor));
  adw_preferences_window_close_subpage (ADW_PREFERENCES_WINDOW (self));
}

/* libadwaita 1.2 loses track of its pages when a subpage is presented
 * while the last one is still sliding out, so the next waits for that. */
static void
on_closing_parent (GtkWidget        *closing,
                   GParamSpec       *pspec,
                   DtAccountsDialog *self)
{
  g_autoptr(GtkWidget) pending = NULL;

  if (gtk_widget_get_parent (closing) != NULL)
    return;
  g_signal_handlers_disconnect_by_func (closing, on_closing_parent, self);
  g_clear_object (&self->closing);
  pending = g_steal_pointer (&self->pending);
  if (pending != NULL && pending == self->editor)
    adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), pending);
}

static void
open_editor (DtAccountsDialog *self,
             DtAccount        *account)
{
  GtkWidget *editor = dt_account_editor_new (self->settings, account);

  /* The window may also drop the subpage itself (Escape, a swipe back). */
  g_set_weak_pointer (&self->editor, editor);
  g_signal_connect_object (editor, "done", G_CALLBACK (on_editor_done), self, 0);

  if (self->closing != NULL && gtk_widget_get_parent (self->closing) != NULL)
    {
      g_set_object (&self->pending, g_object_ref_sink (editor));
      g_object_unref (editor);
      g_signal_handlers_disconnect_by_func (self->closing, on_closing_parent, self);
      g_signal_connect (self->closing, "notify::parent", G_CALLBACK (on_closing_parent), self);
      return;
    }
  g_clear_object (&self->closing);
  adw_preferences_window_present_subpage (ADW_PREFERENCES_WINDOW (self), editor);
}

static void
on_row_activated (DtAccountsDialog *self,
                  GtkListBoxRow    *row)
{
  if (DT_IS_ACCOUNT_ROW (row))
    open_editor (self, dt_account_row_get_account (DT_ACCOUNT_ROW (row)));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_editor (DT_ACCOUNTS_DIALOG (widget), NULL);
}

static void
dt_accounts_dialog_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DtAccountsDialog *self = DT_ACCOUNTS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_accounts_dialog_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DtAccountsDialog *self = DT_ACCOUNTS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_accounts_dialog_constructed (GObject *object)
{
  DtAccountsDialog *self = DT_ACCOUNTS_DIALOG (object);
  GListModel *accounts;

  G_OBJECT_CLASS (dt_accounts_dialog_parent_class)->constructed (object);

  g_assert (DT_IS_SETTINGS (self->settings));
  accounts = dt_settings_get_accounts (self->settings);
  gtk_list_box_bind_model (self->account_list, accounts, create_row, self, NULL);
  g_signal_connect_object (accounts, "items-changed", G_CALLBACK (on_accounts_changed), self,
                           G_CONNECT_AFTER);
  g_signal_connect_object (self->settings, "notify::default-account",
                           G_CALLBACK (on_default_changed), self, 0);
  update_default (self);
}

static void
dt_accounts_dialog_dispose (GObject *object)
{
  DtAccountsDialog *self = DT_ACCOUNTS_DIALOG (object);

  if (self->account_list)
    gtk_list_box_bind_model (self->account_list, NULL, NULL, NULL, NULL);
  g_clear_weak_pointer (&self->editor);
  if (self->closing)
    g_signal_handlers_disconnect_by_func (self->closing, on_closing_parent, self);
  g_clear_object (&self->closing);
  g_clear_object (&self->pending);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_ACCOUNTS_DIALOG);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dt_accounts_dialog_parent_class)->dispose (object);
}

static void
dt_accounts_dialog_class_init (DtAccountsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_accounts_dialog_get_property;
  object_class->set_property = dt_accounts_dialog_set_property;
  object_class->constructed = dt_accounts_dialog_constructed;
  object_class->dispose = dt_accounts_dialog_dispose;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/"
                                               "dt-accounts-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, DtAccountsDialog, account_list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "accounts.add", NULL, add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "accounts.add", NULL);
}

static void
dt_accounts_dialog_init (DtAccountsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * dt_accounts_dialog_new:
 * @settings: where the accounts are kept
 *
 * Returns: (transfer full): a new Accounts dialog
 */
DtAccountsDialog *
dt_accounts_dialog_new (DtSettings *settings)
{
  g_return_val_if_fail (DT_IS_SETTINGS (settings), NULL);

  return g_object_new (DT_TYPE_ACCOUNTS_DIALOG, "settings", settings, NULL);
}

/**
 * dt_accounts_dialog_get_list:
 *
 * Returns: (transfer none): the list box holding one #DtAccountRow per
 *   account
 */
GtkListBox *
dt_accounts_dialog_get_list (DtAccountsDialog *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNTS_DIALOG (self), NULL);

  return self->account_list;
}

/**
 * dt_accounts_dialog_get_editor:
 *
 * Returns: (transfer none) (nullable): the #DtAccountEditor on show, if any
 */
GtkWidget *
dt_accounts_dialog_get_editor (DtAccountsDialog *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNTS_DIALOG (self), NULL);

  return self->editor;
}
