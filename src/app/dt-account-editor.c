/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account-editor.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dt-account-editor.h"
#include "dt-secrets.h"
#include "dt-uri.h"

/**
 * DtAccountEditor:
 *
 * The form that adds a SIP account or changes one, shown as a subpage of
 * the Accounts dialog: the address (checked with Dialtone's URI parser as
 * it is typed), the password, the display name, the server or outbound
 * proxy, the transport and media encryption. An existing account can also
 * be made the default or removed here.
 *
 * The password goes to the Secret Service and nowhere else. While it is
 * being written the account is kept disconnected, so that it registers
 * once, with the new settings and the new password together.
 *
 * The editor emits #DtAccountEditor::done when it has nothing more to do:
 * saved, cancelled or removed.
 */

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_ACCOUNT,
  PROP_BUSY,
  N_PROPS
};

enum {
  DONE,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

struct _DtAccountEditor
{
  GtkWidget       parent_instance;

  DtSettings     *settings;
  DtAccount      *account;         /* NULL while adding */
  GCancellable   *cancellable;
  char           *stored_password; /* what the Secret Service held on opening */
  gboolean        password_read;
  gboolean        identity_valid;
  gboolean        busy;

  AdwWindowTitle *window_title;
  GtkStack       *save_stack;
  GtkSpinner     *save_spinner;
  AdwEntryRow    *identity_row;
  GtkLabel       *identity_error;
  AdwEntryRow    *password_row;
  AdwEntryRow    *display_name_row;
  AdwEntryRow    *server_row;
  AdwComboRow    *transport_row;
  AdwComboRow    *encryption_row;
  GtkWidget      *manage_group;
  GtkWidget      *default_button;
};

G_DEFINE_FINAL_TYPE (DtAccountEditor, dt_account_editor, GTK_TYPE_WIDGET)

/* The combo rows list the enums in their declared order. */
G_STATIC_ASSERT (DT_TRANSPORT_AUTO == 0 && DT_TRANSPORT_UDP == 1 && DT_TRANSPORT_TCP == 2
                 && DT_TRANSPORT_TLS == 3);
G_STATIC_ASSERT (DT_MEDIA_ENCRYPTION_OFF == 0 && DT_MEDIA_ENCRYPTION_OPTIONAL == 1
                 && DT_MEDIA_ENCRYPTION_REQUIRED == 2);

static void
update_actions (DtAccountEditor *self)
{
  gboolean is_default = self->account != NULL
                        && dt_settings_get_default_account (self->settings) == self->account;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 self->identity_valid && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.remove",
                                 self->account != NULL && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.make-default",
                                 self->account != NULL && !self->busy && !is_default);
  /* A button that can do nothing is noise: the default account has none. */
  gtk_widget_set_visible (self->default_button, self->account != NULL && !is_default);
}

static void
set_busy (DtAccountEditor *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "spinner" : "button");
  gtk_spinner_set_spinning (self->save_spinner, busy);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BUSY]);
}

static void
show_error (DtAccountEditor *self,
            const char      *message)
{
  gtk_label_set_label (self->identity_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->identity_error), message != NULL);
}

/* An account's address must be a SIP URI with a user part: it is what the
 * account registers as (RFC 3261 §10.2, the To of a REGISTER). */
static gboolean
check_identity (const char  *text,
                GError     **error)
{
  g_autoptr(DtUri) uri = NULL;

  uri = dt_uri_parse (text, error);
  if (uri == NULL)
    return FALSE;
  if (dt_uri_get_kind (uri) == DT_URI_KIND_TEL)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_UNSUPPORTED_SCHEME,
                   _("The address must start with sip: or sips:"));
      return FALSE;
    }
  if (dt_uri_get_user (uri) == NULL || *dt_uri_get_user (uri) == '\0')
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("The address needs a user name, as in sip:alice@example.com"));
      return FALSE;
    }
  return TRUE;
}

static void
on_identity_changed (DtAccountEditor *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                          self->identity_row))));
  g_autoptr(GError) error = NULL;

  self->identity_valid = check_identity (text, &error);
  /* An empty field is not wrong yet, only unfinished. */
  if (self->identity_valid || g_error_matches (error, DT_URI_ERROR, DT_URI_ERROR_EMPTY))
    {
      show_error (self, NULL);
      gtk_widget_remove_css_class (GTK_WIDGET (self->identity_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->identity_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_FALSE,
                                   -1);
    }
  else
    {
      show_error (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->identity_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->identity_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  update_actions (self);
}

static void
on_password_read (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DtAccountEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  const char *typed;

  password = dt_secret_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("The account’s password could not be read: %s", error->message);

  self->password_read = TRUE;
  self->stored_password = g_steal_pointer (&password);
  /* What the person typed meanwhile wins. */
  typed = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (self->stored_password && *typed == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), self->stored_password);
}

static void
load_account (DtAccountEditor *self)
{
  DtAccount *account = self->account;
  g_autofree char *label = dt_account_dup_label (account);

  /* "Edit Account" does not fit beside Cancel and Save in every language
   * at 360 px; the account's name says which one is open. */
  adw_window_title_set_title (self->window_title, _("Account"));
  adw_window_title_set_subtitle (self->window_title, label);
  gtk_editable_set_text (GTK_EDITABLE (self->identity_row), dt_account_get_identity (account));
  gtk_editable_set_text (GTK_EDITABLE (self->display_name_row),
                         dt_account_get_display_name (account));
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), dt_account_get_server (account));
  adw_combo_row_set_selected (self->transport_row, dt_account_get_transport (account));
  adw_combo_row_set_selected (self->encryption_row, dt_account_get_media_encryption (account));
  gtk_widget_set_visible (self->manage_group, TRUE);

  dt_secret_lookup_async (dt_account_get_id (account), DT_SECRET_PASSWORD, self->cancellable,
                          on_password_read, g_object_ref (self));
}

/* Passwords do not stay behind in freed memory. */
static void
wipe_password (char *password)
{
  if (password == NULL)
    return;
  memset (password, 0, strlen (password));
  g_free (password);
}

typedef struct
{
  DtAccountEditor *editor;
  DtAccount       *account;
  gboolean         enable;
  char            *label;     /* the keyring item's name */
  char            *password;  /* to store once the old one is gone */
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->editor);
  g_object_unref (data->account);
  g_free (data->label);
  wipe_password (data->password);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveData, save_data_free)

static void
finish_save (SaveData *data,
             gboolean  saved,
             GError   *error)
{
  DtAccountEditor *self = data->editor;

  /* The account connects again even if the password could not be saved:
   * it then fails with a reason the Accounts dialog shows. */
  if (data->enable)
    dt_account_set_enabled (data->account, TRUE);

  set_busy (self, FALSE);
  if (!saved)
    {
      g_autofree char *message = g_strdup_printf (_("The password could not be saved: %s"),
                                                  error->message);

      show_error (self, message);
      return;
    }
  g_signal_emit (self, signals[DONE], 0);
}

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(SaveData) data = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = dt_secret_store_finish (result, &error);

  finish_save (data, saved, error);
}

static void
on_password_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(SaveData) data = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = dt_secret_clear_finish (result, &error);
  const char *id = dt_account_get_id (data->account);

  if (saved && data->password != NULL)
    {
      SaveData *next = g_steal_pointer (&data);

      dt_secret_store_async (id, DT_SECRET_PASSWORD, next->label, next->password, NULL,
                             on_password_stored, next);
      return;
    }
  finish_save (data, saved, error);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (widget);
  g_autofree char *identity = NULL;
  g_autofree char *server = NULL;
  g_autofree char *display_name = NULL;
  const char *password;
  SaveData *data;

  if (!self->identity_valid || self->busy)
    return;

  identity = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->identity_row))));
  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  display_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                 self->display_name_row))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  data = g_new0 (SaveData, 1);
  data->editor = g_object_ref (self);
  if (self->account == NULL)
    {
      /* A new account is enabled from the start; the list already
       * connects it, so it goes off again until its password is in. */
      self->account = g_object_ref (dt_settings_add_account (self->settings, "sip"));
      data->enable = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACCOUNT]);
    }
  else
    {
      data->enable = dt_account_get_enabled (self->account);
    }
  data->account = g_object_ref (self->account);
  dt_account_set_enabled (self->account, FALSE);

  dt_account_set_identity (self->account, identity);
  dt_account_set_server (self->account, server);
  dt_account_set_display_name (self->account, display_name);
  dt_account_set_transport (self->account, adw_combo_row_get_selected (self->transport_row));
  dt_account_set_media_encryption (self->account,
                                   adw_combo_row_get_selected (self->encryption_row));

  set_busy (self, TRUE);
  show_error (self, NULL);
  if (!self->password_read && *password == '\0')
    {
      /* The stored password was not read yet, so the field was never
       * filled: that is no reason to forget it. */
      finish_save (data, TRUE, NULL);
    }
  else if (g_strcmp0 (password, self->stored_password ? self->stored_password : "") == 0)
    {
      finish_save (data, TRUE, NULL);
    }
  else if (*password != '\0' && self->stored_password == NULL)
    {
      /* Translators: the name of a password in the keyring, %s is the account */
      data->label = g_strdup_printf (_("Dialtone password for %s"), identity);
      dt_secret_store_async (dt_account_get_id (self->account), DT_SECRET_PASSWORD,
                             data->label, password, NULL, on_password_stored, data);
    }
  else
    {
      /* A changed password replaces the old one by removing it first:
       * gnome-keyring can leave a replaced item behind that no later
       * removal reaches. An emptied field means no password, which some
       * servers accept. */
      if (*password != '\0')
        {
          data->label = g_strdup_printf (_("Dialtone password for %s"), identity);
          data->password = g_strdup (password);
        }
      dt_secret_clear_async (dt_account_get_id (self->account), DT_SECRET_PASSWORD, NULL,
                             on_password_cleared, data);
    }
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (widget);

  if (!self->busy)
    g_signal_emit (self, signals[DONE], 0);
}

static void
make_default_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (widget);

  g_return_if_fail (self->account != NULL);

  dt_settings_set_default_account (self->settings, self->account);
  update_actions (self);
}

static void
on_secrets_cleared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree char *id = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_secret_clear_account_finish (result, &error))
    g_warning ("The secrets of account %s could not be removed: %s", id, error->message);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  DtAccountEditor *self = user_data;
  char *id;

  if (g_strcmp0 (response, "remove") != 0 || self->account == NULL)
    return;

  id = g_strdup (dt_account_get_id (self->account));
  dt_settings_remove_account (self->settings, self->account);
  /* The id stays alive until the Secret Service has answered. */
  dt_secret_clear_account_async (id, NULL, on_secrets_cleared, id);
  id = NULL;
  g_signal_emit (self, signals[DONE], 0);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (widget);
  g_autofree char *label = NULL;
  GtkWidget *dialog;

  g_return_if_fail (self->account != NULL);

  label = dt_account_dup_label (self->account);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Remove Account?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” and its saved password will be removed from this "
                                    "computer."),
                                  label);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
dt_account_editor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_editor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_editor_constructed (GObject *object)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (object);

  G_OBJECT_CLASS (dt_account_editor_parent_class)->constructed (object);

  g_assert (DT_IS_SETTINGS (self->settings));
  if (self->account)
    load_account (self);
  else
    self->password_read = TRUE;   /* a new account has none to read */
  on_identity_changed (self);
}

static void
dt_account_editor_dispose (GObject *object)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_ACCOUNT_EDITOR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);
  g_clear_object (&self->account);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dt_account_editor_parent_class)->dispose (object);
}

static void
dt_account_editor_finalize (GObject *object)
{
  DtAccountEditor *self = DT_ACCOUNT_EDITOR (object);

  g_clear_object (&self->cancellable);
  wipe_password (self->stored_password);

  G_OBJECT_CLASS (dt_account_editor_parent_class)->finalize (object);
}

static void
dt_account_editor_class_init (DtAccountEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_account_editor_get_property;
  object_class->set_property = dt_account_editor_set_property;
  object_class->constructed = dt_account_editor_constructed;
  object_class->dispose = dt_account_editor_dispose;
  object_class->finalize = dt_account_editor_finalize;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         DT_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS
                         | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtAccountEditor::done:
   *
   * The account was saved or removed, or the edit cancelled.
   */
  signals[DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/"
                                               "dt-account-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, save_stack);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, identity_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, identity_error);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, password_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, server_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, transport_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, encryption_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, manage_group);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, default_button);
  gtk_widget_class_bind_template_callback (widget_class, on_identity_changed);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "editor.make-default", NULL,
                                   make_default_action);
  gtk_widget_class_install_action (widget_class, "editor.remove", NULL, remove_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dt_account_editor_init (DtAccountEditor *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A screen reader tells what is wrong with the address from this label. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->identity_row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, self->identity_error,
                                  -1);
}

/**
 * dt_account_editor_new:
 * @settings: where accounts are kept
 * @account: (nullable): the account to change, or %NULL to add one
 *
 * Returns: (transfer floating): a new editor
 */
GtkWidget *
dt_account_editor_new (DtSettings *settings,
                       DtAccount  *account)
{
  g_return_val_if_fail (DT_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (!account || DT_IS_ACCOUNT (account), NULL);

  return g_object_new (DT_TYPE_ACCOUNT_EDITOR,
                       "settings", settings,
                       "account", account,
                       NULL);
}

/**
 * dt_account_editor_get_account:
 *
 * Returns: (transfer none) (nullable): the account being changed; once a
 *   new account is saved, that account
 */
DtAccount *
dt_account_editor_get_account (DtAccountEditor *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT_EDITOR (self), NULL);

  return self->account;
}

/**
 * dt_account_editor_get_busy:
 *
 * Returns: whether the editor is saving the password
 */
gboolean
dt_account_editor_get_busy (DtAccountEditor *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT_EDITOR (self), FALSE);

  return self->busy;
}
