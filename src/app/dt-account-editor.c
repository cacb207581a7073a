/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account-editor.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "dt-account-editor.h"
#include "dt-ice-servers-editor.h"
#include "dt-secrets.h"
#include "dt-uri.h"

/**
 * DtAccountEditor:
 *
 * The form that adds a SIP account or changes one, shown as a subpage of
 * the Accounts dialog: the address (checked with Dialtone's URI parser as
 * it is typed), the password, the display name, the server or outbound
 * proxy, the transport and media encryption, the voicemail number, and
 * the STUN and TURN servers (#DtIceServersEditor). An existing account can
 * also be made the default or removed here.
 *
 * The password and the TURN password go to the Secret Service and nowhere
 * else. While they are being written the account is kept disconnected, so
 * that it registers once, with the new settings and passwords together.
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

/* The secrets the editor shows, in the order Save writes them. */
enum {
  SLOT_ACCOUNT,
  SLOT_TURN,
  N_SLOTS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

struct _DtAccountEditor
{
  GtkWidget       parent_instance;

  DtSettings     *settings;
  DtAccount      *account;         /* NULL while adding */
  GCancellable   *cancellable;
  char           *stored_secret[N_SLOTS]; /* what the Secret Service held on opening */
  gboolean        secret_read[N_SLOTS];
  gboolean        identity_valid;
  gboolean        voicemail_valid;
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
  AdwEntryRow    *voicemail_row;
  GtkLabel       *voicemail_error;
  DtIceServersEditor *ice_servers;
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
                                 self->identity_valid && self->voicemail_valid
                                 && dt_ice_servers_editor_get_valid (self->ice_servers)
                                 && !self->busy);
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
on_voicemail_changed (DtAccountEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->voicemail_row));
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;

  /* The mailbox is optional: an empty field is a valid answer. */
  uri = dt_uri_normalize_dial_string (text, &error);
  self->voicemail_valid = uri != NULL || g_error_matches (error, DT_URI_ERROR,
                                                          DT_URI_ERROR_EMPTY);
  gtk_label_set_label (self->voicemail_error, self->voicemail_valid ? NULL : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->voicemail_error), !self->voicemail_valid);
  if (self->voicemail_valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->voicemail_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->voicemail_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->voicemail_row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               self->voicemail_valid ? GTK_ACCESSIBLE_INVALID_FALSE
                                                     : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  update_actions (self);
}

static void
on_ice_servers_valid (DtAccountEditor *self)
{
  update_actions (self);
}

/* One secret being read on opening, for the editor that asked. */
typedef struct
{
  DtAccountEditor *editor;
  DtSecretKind     kind;
} ReadData;

static GtkEditable *
secret_field (DtAccountEditor *self,
              DtSecretKind     kind)
{
  if (kind == DT_SECRET_TURN_PASSWORD)
    return dt_ice_servers_editor_get_password (self->ice_servers);
  return GTK_EDITABLE (self->password_row);
}

static void
on_secret_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autofree ReadData *data = user_data;
  g_autoptr(DtAccountEditor) self = data->editor;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  GtkEditable *field;
  int slot = data->kind == DT_SECRET_TURN_PASSWORD ? SLOT_TURN : SLOT_ACCOUNT;

  secret = dt_secret_lookup_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_message ("A password of the account could not be read: %s", error->message);

  self->secret_read[slot] = TRUE;
  self->stored_secret[slot] = g_steal_pointer (&secret);
  /* What the person typed meanwhile wins. */
  field = secret_field (self, data->kind);
  if (self->stored_secret[slot] && *gtk_editable_get_text (field) == '\0')
    gtk_editable_set_text (field, self->stored_secret[slot]);
}

static void
read_secret (DtAccountEditor *self,
             DtSecretKind     kind)
{
  ReadData *data = g_new0 (ReadData, 1);

  data->editor = g_object_ref (self);
  data->kind = kind;
  dt_secret_lookup_async (dt_account_get_id (self->account), kind, self->cancellable,
                          on_secret_read, data);
}

static void
load_account (DtAccountEditor *self)
{
  DtAccount *account = self->account;
  g_autofree char *label = dt_account_dup_label (account);
  const char *voicemail;
  const char *turn_username;

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
  /* Accounts made outside the settings have no strings yet, not even "". */
  voicemail = dt_account_get_voicemail_uri (account);
  turn_username = dt_account_get_turn_username (account);
  gtk_editable_set_text (GTK_EDITABLE (self->voicemail_row), voicemail ? voicemail : "");
  dt_ice_servers_editor_set_servers (self->ice_servers, dt_account_get_stun_servers (account),
                                     dt_account_get_turn_servers (account));
  gtk_editable_set_text (dt_ice_servers_editor_get_username (self->ice_servers),
                         turn_username ? turn_username : "");
  gtk_widget_set_visible (self->manage_group, TRUE);

  read_secret (self, DT_SECRET_PASSWORD);
  read_secret (self, DT_SECRET_TURN_PASSWORD);
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

/* One secret to bring in line with its field on Save. */
typedef struct
{
  DtSecretKind  kind;
  gboolean      skip;         /* the field says what is stored */
  gboolean      clear_first;
  char         *label;        /* the keyring item's name */
  char         *secret;       /* to store; NULL to leave none */
} SecretChange;

typedef struct
{
  DtAccountEditor *editor;
  DtAccount       *account;
  gboolean         enable;
  SecretChange     changes[N_SLOTS];
  guint            current;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->editor);
  g_object_unref (data->account);
  for (guint i = 0; i < N_SLOTS; i++)
    {
      g_free (data->changes[i].label);
      wipe_password (data->changes[i].secret);
    }
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveData, save_data_free)

static void
finish_save (SaveData *data,
             GError   *error)
{
  DtAccountEditor *self = data->editor;

  /* The account connects again even if a password could not be saved:
   * it then fails with a reason the Accounts dialog shows. */
  if (data->enable)
    dt_account_set_enabled (data->account, TRUE);

  set_busy (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *message = NULL;

      if (data->changes[data->current].kind == DT_SECRET_TURN_PASSWORD)
        message = g_strdup_printf (_("The TURN password could not be saved: %s"),
                                   error->message);
      else
        message = g_strdup_printf (_("The password could not be saved: %s"), error->message);
      show_error (self, message);
      return;
    }
  g_signal_emit (self, signals[DONE], 0);
}

static void save_next_secret (SaveData *data);

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(SaveData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_secret_store_finish (result, &error))
    {
      finish_save (data, error);
      return;
    }
  data->current++;
  save_next_secret (g_steal_pointer (&data));
}

static void
on_secret_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SaveData) data = user_data;
  g_autoptr(GError) error = NULL;
  SecretChange *change = &data->changes[data->current];
  SaveData *next;

  if (!dt_secret_clear_finish (result, &error))
    {
      finish_save (data, error);
      return;
    }
  next = g_steal_pointer (&data);
  if (change->secret != NULL)
    dt_secret_store_async (dt_account_get_id (next->account), change->kind, change->label,
                           change->secret, NULL, on_secret_stored, next);
  else
    {
      next->current++;
      save_next_secret (next);
    }
}

/* The secrets are written one after the other, and the editor closes when
 * the last is in. */
static void
save_next_secret (SaveData *data)
{
  const char *id = dt_account_get_id (data->account);
  SecretChange *change;

  while (data->current < N_SLOTS && data->changes[data->current].skip)
    data->current++;
  if (data->current == N_SLOTS)
    {
      finish_save (data, NULL);
      save_data_free (data);
      return;
    }

  change = &data->changes[data->current];
  if (change->clear_first)
    dt_secret_clear_async (id, change->kind, NULL, on_secret_cleared, data);
  else
    dt_secret_store_async (id, change->kind, change->label, change->secret, NULL,
                           on_secret_stored, data);
}

/* Decides what Save does with one secret, from the field and what the
 * Secret Service held on opening. */
static void
plan_secret (DtAccountEditor *self,
             SecretChange    *change,
             DtSecretKind     kind,
             char            *label)
{
  int slot = kind == DT_SECRET_TURN_PASSWORD ? SLOT_TURN : SLOT_ACCOUNT;
  const char *typed = gtk_editable_get_text (secret_field (self, kind));
  const char *stored = self->stored_secret[slot];

  change->kind = kind;
  change->label = label;
  if (!self->secret_read[slot] && *typed == '\0')
    {
      /* The stored password was not read yet, so the field was never
       * filled: that is no reason to forget it. */
      change->skip = TRUE;
    }
  else if (g_strcmp0 (typed, stored ? stored : "") == 0)
    {
      change->skip = TRUE;
    }
  else if (*typed != '\0' && stored == NULL)
    {
      change->secret = g_strdup (typed);
    }
  else
    {
      /* A changed password replaces the old one by removing it first:
       * gnome-keyring can leave a replaced item behind that no later
       * removal reaches. An emptied field means no password, which some
       * servers accept. */
      change->clear_first = TRUE;
      if (*typed != '\0')
        change->secret = g_strdup (typed);
    }
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
  g_autofree char *voicemail = NULL;
  g_autofree char *turn_username = NULL;
  g_auto(GStrv) stun = NULL;
  g_auto(GStrv) turn = NULL;
  char *label;
  SaveData *data;

  if (!self->identity_valid || !self->voicemail_valid || self->busy
      || !dt_ice_servers_editor_get_valid (self->ice_servers))
    return;

  /* A server typed but not yet added is one the person means to keep. */
  dt_ice_servers_editor_add_pending (self->ice_servers);

  identity = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->identity_row))));
  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  display_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                 self->display_name_row))));
  voicemail = dt_uri_normalize_dial_string (gtk_editable_get_text (GTK_EDITABLE (
                                                                      self->voicemail_row)),
                                            NULL);
  turn_username = g_strstrip (g_strdup (gtk_editable_get_text (
                                          dt_ice_servers_editor_get_username (
                                            self->ice_servers))));
  stun = dt_ice_servers_editor_dup_stun_servers (self->ice_servers);
  turn = dt_ice_servers_editor_dup_turn_servers (self->ice_servers);

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
  dt_account_set_voicemail_uri (self->account, voicemail ? voicemail : "");
  dt_account_set_stun_servers (self->account, (const char * const *) stun);
  dt_account_set_turn_servers (self->account, (const char * const *) turn);
  dt_account_set_turn_username (self->account, turn_username);

  /* Translators: the name of a password in the keyring, %s is the account */
  label = g_strdup_printf (_("Dialtone password for %s"), identity);
  plan_secret (self, &data->changes[SLOT_ACCOUNT], DT_SECRET_PASSWORD, g_steal_pointer (&label));
  /* Translators: the name of a password in the keyring, %s is the account */
  label = g_strdup_printf (_("Dialtone TURN password for %s"), identity);
  plan_secret (self, &data->changes[SLOT_TURN], DT_SECRET_TURN_PASSWORD, g_steal_pointer (&label));

  set_busy (self, TRUE);
  show_error (self, NULL);
  save_next_secret (data);
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
    {
      /* a new account has none to read */
      for (guint i = 0; i < N_SLOTS; i++)
        self->secret_read[i] = TRUE;
    }
  on_voicemail_changed (self);
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
  for (guint i = 0; i < N_SLOTS; i++)
    wipe_password (self->stored_secret[i]);

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
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, voicemail_row);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, voicemail_error);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, ice_servers);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, manage_group);
  gtk_widget_class_bind_template_child (widget_class, DtAccountEditor, default_button);
  gtk_widget_class_bind_template_callback (widget_class, on_identity_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_voicemail_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_ice_servers_valid);

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
  g_type_ensure (DT_TYPE_ICE_SERVERS_EDITOR);
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A screen reader tells what is wrong with the address from this label. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->identity_row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, self->identity_error,
                                  -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->voicemail_row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, self->voicemail_error,
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
