/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-settings.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <string.h>

#include "dt-settings.h"

/**
 * DtSettings:
 *
 * Dialtone's preferences and account list, as properties bound to
 * GSettings with g_settings_bind(): set a property and the setting is
 * saved; change the setting elsewhere and the property follows. No other
 * code reads the schema.
 *
 * Each account keeps its settings in a relocatable schema at
 * `/io/github/dialtone/Dialtone/accounts/ID/`, bound the same way to the
 * properties of its #DtAccount. Passwords, the TURN password too, are not
 * settings: they live in the Secret Service (dt-secrets.h).
 */

#define ACCOUNT_SCHEMA_ID APPLICATION_ID ".Account"
#define ACCOUNTS_PATH OBJECT_PATH "/accounts/"

enum {
  PROP_0,
  PROP_DEFAULT_ACCOUNT,
  PROP_RUN_IN_BACKGROUND,
  PROP_CONFIRM_DIAL_LINKS,
  PROP_ECHO_CANCELLATION,
  PROP_NOISE_SUPPRESSION,
  PROP_GAIN_CONTROL,
  PROP_MICROPHONE,
  PROP_SPEAKER,
  PROP_RINGER,
  PROP_RINGTONE,
  PROP_MEDIA_TIMEOUT,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtSettings
{
  GObject     parent_instance;

  GSettings  *settings;
  GListStore *accounts;

  char       *default_account;
  gboolean    run_in_background;
  gboolean    confirm_dial_links;
  gboolean    echo_cancellation;
  gboolean    noise_suppression;
  gboolean    gain_control;
  char       *microphone;
  char       *speaker;
  char       *ringer;
  char       *ringtone;
  guint       media_timeout;
  int         window_width;
  int         window_height;
  gboolean    window_maximized;
};

G_DEFINE_FINAL_TYPE (DtSettings, dt_settings, G_TYPE_OBJECT)

/* Account ids become a dconf path element; g_uuid_string_random() makes
 * them, but the list comes from a file a person can edit. */
static gboolean
account_id_is_valid (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 64)
    return FALSE;

  for (const char *p = id; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-')
        return FALSE;
    }

  return TRUE;
}

/* Each of these keys is bound to the DtAccount property of the same name. */
static const char * const account_keys[] = {
  "identity", "server", "transport", "media-encryption", "display-name", "enabled",
  "stun-servers", "turn-servers", "turn-username", "voicemail-uri",
};

static GSettings *
account_settings_new (const char *id)
{
  g_autofree char *path = g_strconcat (ACCOUNTS_PATH, id, "/", NULL);

  return g_settings_new_with_path (ACCOUNT_SCHEMA_ID, path);
}

static DtAccount *
account_load (const char *id)
{
  g_autoptr(GSettings) settings = account_settings_new (id);
  g_autofree char *protocol = g_settings_get_string (settings, "protocol");
  DtAccount *account = dt_account_new (id, protocol);

  /* The bindings keep @settings alive as long as the account. */
  for (guint i = 0; i < G_N_ELEMENTS (account_keys); i++)
    g_settings_bind (settings, account_keys[i], account, account_keys[i],
                     G_SETTINGS_BIND_DEFAULT);

  return account;
}

static gboolean
find_account (DtSettings *self,
              const char *id,
              guint      *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_strcmp0 (dt_account_get_id (account), id) == 0)
        {
          if (position)
            *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* Brings the account model in line with the "accounts" key, keeping the
 * DtAccount objects of accounts that stay, so their state survives. */
static void
sync_accounts (DtSettings *self)
{
  g_auto(GStrv) ids = g_settings_get_strv (self->settings, "accounts");
  g_autoptr(GPtrArray) wanted = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  for (guint i = 0; ids[i]; i++)
    {
      guint position;
      gboolean duplicate = FALSE;

      if (!account_id_is_valid (ids[i]))
        {
          g_debug ("Skipping account with a malformed id “%s”", ids[i]);
          continue;
        }

      for (guint j = 0; j < wanted->len; j++)
        duplicate |= g_strcmp0 (dt_account_get_id (g_ptr_array_index (wanted, j)), ids[i]) == 0;
      if (duplicate)
        continue;

      if (find_account (self, ids[i], &position))
        g_ptr_array_add (wanted, g_list_model_get_item (G_LIST_MODEL (self->accounts), position));
      else
        g_ptr_array_add (wanted, account_load (ids[i]));
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  if (n == wanted->len)
    {
      gboolean same = TRUE;

      for (guint i = 0; i < n && same; i++)
        {
          g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);
          same = item == g_ptr_array_index (wanted, i);
        }
      if (same)
        return;
    }

  g_list_store_splice (self->accounts, 0, n, wanted->pdata, wanted->len);
}

static void
on_accounts_changed (DtSettings *self)
{
  sync_accounts (self);
}

static void
write_account_ids (DtSettings *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      g_strv_builder_add (builder, dt_account_get_id (account));
    }

  ids = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "accounts", (const char * const *) ids);
}

static void
dt_settings_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  DtSettings *self = DT_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_DEFAULT_ACCOUNT:
      g_value_set_string (value, self->default_account);
      break;
    case PROP_RUN_IN_BACKGROUND:
      g_value_set_boolean (value, self->run_in_background);
      break;
    case PROP_CONFIRM_DIAL_LINKS:
      g_value_set_boolean (value, self->confirm_dial_links);
      break;
    case PROP_ECHO_CANCELLATION:
      g_value_set_boolean (value, self->echo_cancellation);
      break;
    case PROP_NOISE_SUPPRESSION:
      g_value_set_boolean (value, self->noise_suppression);
      break;
    case PROP_GAIN_CONTROL:
      g_value_set_boolean (value, self->gain_control);
      break;
    case PROP_MICROPHONE:
      g_value_set_string (value, self->microphone);
      break;
    case PROP_SPEAKER:
      g_value_set_string (value, self->speaker);
      break;
    case PROP_RINGER:
      g_value_set_string (value, self->ringer);
      break;
    case PROP_RINGTONE:
      g_value_set_string (value, self->ringtone);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_value_set_uint (value, self->media_timeout);
      break;
    case PROP_WINDOW_WIDTH:
      g_value_set_int (value, self->window_width);
      break;
    case PROP_WINDOW_HEIGHT:
      g_value_set_int (value, self->window_height);
      break;
    case PROP_WINDOW_MAXIMIZED:
      g_value_set_boolean (value, self->window_maximized);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_string_prop (DtSettings   *self,
                 char        **field,
                 const GValue *value,
                 guint         prop_id)
{
  const char *str = g_value_get_string (value);

  if (g_strcmp0 (*field, str) == 0)
    return;

  g_free (*field);
  *field = g_strdup (str);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
set_boolean_prop (DtSettings   *self,
                  gboolean     *field,
                  const GValue *value,
                  guint         prop_id)
{
  gboolean b = g_value_get_boolean (value);

  if (*field == b)
    return;

  *field = b;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
set_int_prop (DtSettings   *self,
              int          *field,
              const GValue *value,
              guint         prop_id)
{
  int i = g_value_get_int (value);

  if (*field == i)
    return;

  *field = i;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop_id]);
}

static void
dt_settings_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  DtSettings *self = DT_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_DEFAULT_ACCOUNT:
      set_string_prop (self, &self->default_account, value, prop_id);
      break;
    case PROP_RUN_IN_BACKGROUND:
      set_boolean_prop (self, &self->run_in_background, value, prop_id);
      break;
    case PROP_CONFIRM_DIAL_LINKS:
      set_boolean_prop (self, &self->confirm_dial_links, value, prop_id);
      break;
    case PROP_ECHO_CANCELLATION:
      set_boolean_prop (self, &self->echo_cancellation, value, prop_id);
      break;
    case PROP_NOISE_SUPPRESSION:
      set_boolean_prop (self, &self->noise_suppression, value, prop_id);
      break;
    case PROP_GAIN_CONTROL:
      set_boolean_prop (self, &self->gain_control, value, prop_id);
      break;
    case PROP_MICROPHONE:
      set_string_prop (self, &self->microphone, value, prop_id);
      break;
    case PROP_SPEAKER:
      set_string_prop (self, &self->speaker, value, prop_id);
      break;
    case PROP_RINGER:
      set_string_prop (self, &self->ringer, value, prop_id);
      break;
    case PROP_RINGTONE:
      set_string_prop (self, &self->ringtone, value, prop_id);
      break;
    case PROP_MEDIA_TIMEOUT:
      if (self->media_timeout != g_value_get_uint (value))
        {
          self->media_timeout = g_value_get_uint (value);
          g_object_notify_by_pspec (object, props[prop_id]);
        }
      break;
    case PROP_WINDOW_WIDTH:
      set_int_prop (self, &self->window_width, value, prop_id);
      break;
    case PROP_WINDOW_HEIGHT:
      set_int_prop (self, &self->window_height, value, prop_id);
      break;
    case PROP_WINDOW_MAXIMIZED:
      set_boolean_prop (self, &self->window_maximized, value, prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_settings_dispose (GObject *object)
{
  DtSettings *self = DT_SETTINGS (object);

  if (self->settings)
    {
      g_signal_handlers_disconnect_by_data (self->settings, self);
      g_settings_unbind (self, NULL);
    }
  g_clear_object (&self->settings);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (dt_settings_parent_class)->dispose (object);
}

static void
dt_settings_finalize (GObject *object)
{
  DtSettings *self = DT_SETTINGS (object);

  g_free (self->default_account);
  g_free (self->microphone);
  g_free (self->speaker);
  g_free (self->ringer);
  g_free (self->ringtone);

  G_OBJECT_CLASS (dt_settings_parent_class)->finalize (object);
}

static GParamSpec *
boolean_prop (const char *name)
{
  return g_param_spec_boolean (name, NULL, NULL, FALSE,
                               G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                               | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
string_prop (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                              | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
int_prop (const char *name)
{
  return g_param_spec_int (name, NULL, NULL, G_MININT, G_MAXINT, 0,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
dt_settings_class_init (DtSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_settings_get_property;
  object_class->set_property = dt_settings_set_property;
  object_class->dispose = dt_settings_dispose;
  object_class->finalize = dt_settings_finalize;

  /* Each property is named after the key it is bound to; the schema holds
   * the defaults and the documentation. */
  props[PROP_DEFAULT_ACCOUNT] = string_prop ("default-account");
  props[PROP_RUN_IN_BACKGROUND] = boolean_prop ("run-in-background");
  props[PROP_CONFIRM_DIAL_LINKS] = boolean_prop ("confirm-dial-links");
  props[PROP_ECHO_CANCELLATION] = boolean_prop ("echo-cancellation");
  props[PROP_NOISE_SUPPRESSION] = boolean_prop ("noise-suppression");
  props[PROP_GAIN_CONTROL] = boolean_prop ("gain-control");
  props[PROP_MICROPHONE] = string_prop ("microphone");
  props[PROP_SPEAKER] = string_prop ("speaker");
  props[PROP_RINGER] = string_prop ("ringer");
  props[PROP_RINGTONE] = string_prop ("ringtone");
  props[PROP_MEDIA_TIMEOUT] =
    g_param_spec_uint ("media-timeout", NULL, NULL, 0, 3600, 30,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_WINDOW_WIDTH] = int_prop ("window-width");
  props[PROP_WINDOW_HEIGHT] = int_prop ("window-height");
  props[PROP_WINDOW_MAXIMIZED] = boolean_prop ("window-maximized");

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_settings_init (DtSettings *self)
{
  self->settings = g_settings_new (APPLICATION_ID);
  self->accounts = g_list_store_new (DT_TYPE_ACCOUNT);

  for (guint i = PROP_0 + 1; i < N_PROPS; i++)
    {
      const char *name = g_param_spec_get_name (props[i]);

      g_settings_bind (self->settings, name, self, name, G_SETTINGS_BIND_DEFAULT);
    }

  g_signal_connect_object (self->settings, "changed::accounts",
                           G_CALLBACK (on_accounts_changed), self, G_CONNECT_SWAPPED);
  sync_accounts (self);
}

/**
 * dt_settings_new:
 *
 * Returns: (transfer full): the settings, read from the installed schema
 */
DtSettings *
dt_settings_new (void)
{
  return g_object_new (DT_TYPE_SETTINGS, NULL);
}

/**
 * dt_settings_get_accounts:
 *
 * Returns: (transfer none): the configured #DtAccount objects, in order;
 *   the model follows the settings as they change
 */
GListModel *
dt_settings_get_accounts (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), NULL);

  return G_LIST_MODEL (self->accounts);
}

/**
 * dt_settings_add_account:
 * @protocol: the backend's protocol name, such as "sip"
 *
 * Creates an account with a new id and saves it. Set its properties on the
 * returned object; they are saved as they change.
 *
 * Returns: (transfer none): the new account
 */
DtAccount *
dt_settings_add_account (DtSettings *self,
                         const char *protocol)
{
  g_autoptr(DtAccount) account = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *id = NULL;

  g_return_val_if_fail (DT_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (protocol != NULL && *protocol != '\0', NULL);

  id = g_uuid_string_random ();
  settings = account_settings_new (id);
  g_settings_set_string (settings, "protocol", protocol);

  account = account_load (id);
  g_list_store_append (self->accounts, account);
  write_account_ids (self);

  if (self->default_account == NULL || *self->default_account == '\0')
    dt_settings_set_default_account (self, account);

  return account;
}

/**
 * dt_settings_remove_account:
 *
 * Forgets @account: its settings are reset and it leaves the list. Its
 * secrets are the caller's to clear (dt_secret_clear_account_async()).
 */
void
dt_settings_remove_account (DtSettings *self,
                            DtAccount  *account)
{
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;
  guint position;

  g_return_if_fail (DT_IS_SETTINGS (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));

  if (!find_account (self, dt_account_get_id (account), &position))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (account_keys); i++)
    g_settings_unbind (account, account_keys[i]);

  settings = account_settings_new (dt_account_get_id (account));
  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    g_settings_reset (settings, keys[i]);

  if (g_strcmp0 (self->default_account, dt_account_get_id (account)) == 0)
    g_object_set (self, "default-account", "", NULL);

  g_list_store_remove (self->accounts, position);
  write_account_ids (self);
}

/**
 * dt_settings_find_account:
 *
 * Returns: (transfer none) (nullable): the account with @id
 */
DtAccount *
dt_settings_find_account (DtSettings *self,
                          const char *id)
{
  guint position;
  g_autoptr(DtAccount) account = NULL;

  g_return_val_if_fail (DT_IS_SETTINGS (self), NULL);

  if (id == NULL || !find_account (self, id, &position))
    return NULL;

  account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
  /* The store keeps it alive. */
  return account;
}

/**
 * dt_settings_get_default_account:
 *
 * The account for numbers and links that do not name one: the one chosen in
 * the settings if it still exists and is enabled, else the first enabled
 * account.
 *
 * Returns: (transfer none) (nullable): the default account
 */
DtAccount *
dt_settings_get_default_account (DtSettings *self)
{
  DtAccount *chosen;
  guint n;

  g_return_val_if_fail (DT_IS_SETTINGS (self), NULL);

  chosen = dt_settings_find_account (self, self->default_account);
  if (chosen && dt_account_get_enabled (chosen))
    return chosen;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (dt_account_get_enabled (account))
        return account;
    }

  return NULL;
}

void
dt_settings_set_default_account (DtSettings *self,
                                 DtAccount  *account)
{
  g_return_if_fail (DT_IS_SETTINGS (self));
  g_return_if_fail (!account || DT_IS_ACCOUNT (account));

  g_object_set (self, "default-account", account ? dt_account_get_id (account) : "", NULL);
}

gboolean
dt_settings_get_run_in_background (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), TRUE);

  return self->run_in_background;
}

gboolean
dt_settings_get_confirm_dial_links (DtSettings *self)
{
  /* When in doubt, ask: a web page must never dial silently. */
  g_return_val_if_fail (DT_IS_SETTINGS (self), TRUE);

  return self->confirm_dial_links;
}

gboolean
dt_settings_get_echo_cancellation (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), TRUE);

  return self->echo_cancellation;
}

gboolean
dt_settings_get_noise_suppression (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), TRUE);

  return self->noise_suppression;
}

gboolean
dt_settings_get_gain_control (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), TRUE);

  return self->gain_control;
}

/**
 * dt_settings_get_microphone:
 *
 * Returns: the chosen capture device, or "" for the system default
 */
const char *
dt_settings_get_microphone (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), "");

  return self->microphone ? self->microphone : "";
}

/**
 * dt_settings_get_speaker:
 *
 * Returns: the chosen playback device, or "" for the system default
 */
const char *
dt_settings_get_speaker (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), "");

  return self->speaker ? self->speaker : "";
}

/**
 * dt_settings_get_ringer:
 *
 * Returns: the chosen ringing device, or "" for the system default
 */
const char *
dt_settings_get_ringer (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), "");

  return self->ringer ? self->ringer : "";
}

/**
 * dt_settings_get_ringtone:
 *
 * Returns: the ring tone file, or "" for the built-in ring
 */
const char *
dt_settings_get_ringtone (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), "");

  return self->ringtone ? self->ringtone : "";
}

/**
 * dt_settings_get_media_timeout:
 *
 * Returns: seconds without audio before a call is hung up; 0 for never
 */
guint
dt_settings_get_media_timeout (DtSettings *self)
{
  g_return_val_if_fail (DT_IS_SETTINGS (self), 30);

  return self->media_timeout;
}
