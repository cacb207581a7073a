/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "dt-account.h"
#include "dt-core-enums.h"
#include "dt-ice-server.h"
#include "dt-secrets.h"

/**
 * DtAccount:
 *
 * What Dialtone knows of one account: its identity and server, which the
 * settings store, and its connection state, which the backend reports.
 * The password is not here: it lives in the Secret Service (see
 * dt-secrets.h), keyed by #DtAccount:id. Nor is the TURN password: the
 * account names its STUN and TURN servers and the TURN user name, and
 * dt_account_lookup_ice_servers_async() joins them with the password.
 */

enum {
  PROP_0,
  PROP_ID,
  PROP_PROTOCOL,
  PROP_IDENTITY,
  PROP_SERVER,
  PROP_TRANSPORT,
  PROP_MEDIA_ENCRYPTION,
  PROP_DISPLAY_NAME,
  PROP_ENABLED,
  PROP_STATE,
  PROP_FAILURE_REASON,
  PROP_MESSAGES_WAITING,
  PROP_NEW_MESSAGES,
  PROP_OLD_MESSAGES,
  PROP_STUN_SERVERS,
  PROP_TURN_SERVERS,
  PROP_TURN_USERNAME,
  PROP_VOICEMAIL_URI,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtAccount
{
  GObject         parent_instance;

  char           *id;
  char           *protocol;
  char           *identity;
  char           *server;
  DtTransport     transport;
  DtMediaEncryption media_encryption;
  char           *display_name;
  gboolean        enabled;

  DtAccountState  state;
  char           *failure_reason;

  gboolean        messages_waiting;
  guint           new_messages;
  guint           old_messages;

  GStrv           stun_servers;
  GStrv           turn_servers;
  char           *turn_username;
  char           *voicemail_uri;
};

G_DEFINE_FINAL_TYPE (DtAccount, dt_account, G_TYPE_OBJECT)

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* NULL and an empty list are the same list: GSettings gives the one, a
 * caller may pass the other. */
static gboolean
replace_strv (GStrv              *field,
              const char * const *value)
{
  static const char * const empty[] = { NULL };

  if (value == NULL)
    value = empty;
  if (g_strv_equal ((const char * const *) *field, value))
    return FALSE;

  g_strfreev (*field);
  *field = g_strdupv ((char **) value);
  return TRUE;
}

static void
dt_account_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  DtAccount *self = DT_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_IDENTITY:
      g_value_set_string (value, self->identity);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_MEDIA_ENCRYPTION:
      g_value_set_enum (value, self->media_encryption);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FAILURE_REASON:
      g_value_set_string (value, self->failure_reason);
      break;
    case PROP_MESSAGES_WAITING:
      g_value_set_boolean (value, self->messages_waiting);
      break;
    case PROP_NEW_MESSAGES:
      g_value_set_uint (value, self->new_messages);
      break;
    case PROP_OLD_MESSAGES:
      g_value_set_uint (value, self->old_messages);
      break;
    case PROP_STUN_SERVERS:
      g_value_set_boxed (value, self->stun_servers);
      break;
    case PROP_TURN_SERVERS:
      g_value_set_boxed (value, self->turn_servers);
      break;
    case PROP_TURN_USERNAME:
      g_value_set_string (value, self->turn_username);
      break;
    case PROP_VOICEMAIL_URI:
      g_value_set_string (value, self->voicemail_uri);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  DtAccount *self = DT_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_PROTOCOL:
      self->protocol = g_value_dup_string (value);
      break;
    case PROP_IDENTITY:
      dt_account_set_identity (self, g_value_get_string (value));
      break;
    case PROP_SERVER:
      dt_account_set_server (self, g_value_get_string (value));
      break;
    case PROP_TRANSPORT:
      dt_account_set_transport (self, g_value_get_enum (value));
      break;
    case PROP_MEDIA_ENCRYPTION:
      dt_account_set_media_encryption (self, g_value_get_enum (value));
      break;
    case PROP_DISPLAY_NAME:
      dt_account_set_display_name (self, g_value_get_string (value));
      break;
    case PROP_ENABLED:
      dt_account_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_STUN_SERVERS:
      dt_account_set_stun_servers (self, g_value_get_boxed (value));
      break;
    case PROP_TURN_SERVERS:
      dt_account_set_turn_servers (self, g_value_get_boxed (value));
      break;
    case PROP_TURN_USERNAME:
      dt_account_set_turn_username (self, g_value_get_string (value));
      break;
    case PROP_VOICEMAIL_URI:
      dt_account_set_voicemail_uri (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_account_constructed (GObject *object)
{
  DtAccount *self = DT_ACCOUNT (object);

  G_OBJECT_CLASS (dt_account_parent_class)->constructed (object);

  if (self->id == NULL)
    self->id = g_uuid_string_random ();
}

static void
dt_account_finalize (GObject *object)
{
  DtAccount *self = DT_ACCOUNT (object);

  g_free (self->id);
  g_free (self->protocol);
  g_free (self->identity);
  g_free (self->server);
  g_free (self->display_name);
  g_free (self->failure_reason);
  g_strfreev (self->stun_servers);
  g_strfreev (self->turn_servers);
  g_free (self->turn_username);
  g_free (self->voicemail_uri);

  G_OBJECT_CLASS (dt_account_parent_class)->finalize (object);
}

static void
dt_account_class_init (DtAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_account_get_property;
  object_class->set_property = dt_account_set_property;
  object_class->constructed = dt_account_constructed;
  object_class->finalize = dt_account_finalize;

  /**
   * DtAccount:id:
   *
   * A stable identifier: the key of the account's settings and secrets.
   */
  props[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * DtAccount:protocol:
   *
   * The name of the backend that serves the account ("sip", "verto", …).
   */
  props[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * DtAccount:identity:
   *
   * Who the account is, as a URI: for SIP the address of record.
   */
  props[PROP_IDENTITY] =
    g_param_spec_string ("identity", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtAccount:server:
   *
   * The server or outbound proxy; empty to find it from the identity.
   */
  props[PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL,
                       DT_TYPE_TRANSPORT, DT_TRANSPORT_AUTO,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtAccount:media-encryption:
   *
   * Whether the account's calls encrypt their media: off, when the other
   * side can, or always.
   */
  props[PROP_MEDIA_ENCRYPTION] =
    g_param_spec_enum ("media-encryption", NULL, NULL,
                       DT_TYPE_MEDIA_ENCRYPTION, DT_MEDIA_ENCRYPTION_OFF,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_ENABLED] =
    g_param_spec_boolean ("enabled", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       DT_TYPE_ACCOUNT_STATE, DT_ACCOUNT_STATE_OFFLINE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtAccount:failure-reason:
   *
   * When #DtAccount:state is failed, why, in words a person can act on
   * ("Authentication failed", "Server not reachable"); otherwise %NULL.
   */
  props[PROP_FAILURE_REASON] =
    g_param_spec_string ("failure-reason", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /* Voicemail, as the server last reported it (for SIP, RFC 3842). */
  props[PROP_MESSAGES_WAITING] =
    g_param_spec_boolean ("messages-waiting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_NEW_MESSAGES] =
    g_param_spec_uint ("new-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_OLD_MESSAGES] =
    g_param_spec_uint ("old-messages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtAccount:stun-servers:
   *
   * The account's `stun:` and `stuns:` URIs (RFC 7064), as saved. The
   * editor checks them with dt_ice_uri_parse_supported(); a list edited
   * by hand is kept as it is, for Diagnostics to report what is wrong.
   */
  props[PROP_STUN_SERVERS] =
    g_param_spec_boxed ("stun-servers", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtAccount:turn-servers:
   *
   * The account's `turn:` and `turns:` URIs (RFC 7065), which share
   * #DtAccount:turn-username and the TURN password.
   */
  props[PROP_TURN_SERVERS] =
    g_param_spec_boxed ("turn-servers", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_TURN_USERNAME] =
    g_param_spec_string ("turn-username", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtAccount:voicemail-uri:
   *
   * The address that reaches the account's mailbox, such as
   * `sip:*97@example.com`; empty when the person has given none.
   */
  props[PROP_VOICEMAIL_URI] =
    g_param_spec_string ("voicemail-uri", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_account_init (DtAccount *self)
{
  self->enabled = TRUE;
  self->stun_servers = g_new0 (char *, 1);
  self->turn_servers = g_new0 (char *, 1);
}

/**
 * dt_account_new:
 * @id: (nullable): a stable identifier, or %NULL to make a new one
 * @protocol: the backend's protocol name
 *
 * Returns: (transfer full): a new, offline account
 */
DtAccount *
dt_account_new (const char *id,
                const char *protocol)
{
  g_return_val_if_fail (protocol != NULL, NULL);

  return g_object_new (DT_TYPE_ACCOUNT,
                       "id", id,
                       "protocol", protocol,
                       NULL);
}

const char *
dt_account_get_id (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->id;
}

const char *
dt_account_get_protocol (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->protocol;
}

/**
 * dt_account_get_identity:
 *
 * Returns: (nullable): the identity URI
 */
const char *
dt_account_get_identity (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->identity;
}

void
dt_account_set_identity (DtAccount  *self,
                         const char *identity)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_string (&self->identity, identity))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_IDENTITY]);
}

/**
 * dt_account_get_server:
 *
 * Returns: (nullable): the server or outbound proxy
 */
const char *
dt_account_get_server (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->server;
}

void
dt_account_set_server (DtAccount  *self,
                       const char *server)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_string (&self->server, server))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_SERVER]);
}

DtTransport
dt_account_get_transport (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), DT_TRANSPORT_AUTO);

  return self->transport;
}

void
dt_account_set_transport (DtAccount   *self,
                          DtTransport  transport)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));
  g_return_if_fail (transport <= DT_TRANSPORT_TLS);

  if (self->transport == transport)
    return;

  self->transport = transport;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TRANSPORT]);
}

/**
 * dt_account_get_media_encryption:
 *
 * Returns: what the account's calls ask for their media
 */
DtMediaEncryption
dt_account_get_media_encryption (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), DT_MEDIA_ENCRYPTION_OFF);

  return self->media_encryption;
}

/**
 * dt_account_set_media_encryption:
 * @encryption: off, optional or required
 *
 * Takes effect from the account's next call.
 */
void
dt_account_set_media_encryption (DtAccount         *self,
                                 DtMediaEncryption  encryption)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));
  g_return_if_fail (encryption <= DT_MEDIA_ENCRYPTION_REQUIRED);

  if (self->media_encryption == encryption)
    return;

  self->media_encryption = encryption;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MEDIA_ENCRYPTION]);
}

/**
 * dt_account_get_display_name:
 *
 * Returns: (nullable): the name shown to people this account calls
 */
const char *
dt_account_get_display_name (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->display_name;
}

void
dt_account_set_display_name (DtAccount  *self,
                             const char *display_name)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_string (&self->display_name, display_name))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DISPLAY_NAME]);
}

gboolean
dt_account_get_enabled (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), FALSE);

  return self->enabled;
}

void
dt_account_set_enabled (DtAccount *self,
                        gboolean   enabled)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;

  self->enabled = enabled;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ENABLED]);
}

DtAccountState
dt_account_get_state (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), DT_ACCOUNT_STATE_OFFLINE);

  return self->state;
}

/**
 * dt_account_get_failure_reason:
 *
 * Returns: (nullable): why the account failed, when it did
 */
const char *
dt_account_get_failure_reason (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->failure_reason;
}

/**
 * dt_account_set_state:
 * @failure_reason: (nullable): for %DT_ACCOUNT_STATE_FAILED, why, in words a
 *   person can act on; ignored for the other states
 *
 * Called by the backend as the connection comes and goes. A failed state
 * without a reason gets a generic one, so the UI always has something to
 * show.
 */
void
dt_account_set_state (DtAccount      *self,
                      DtAccountState  state,
                      const char     *failure_reason)
{
  GObject *object = (GObject *) self;
  gboolean reason_changed;

  g_return_if_fail (DT_IS_ACCOUNT (self));
  g_return_if_fail (state <= DT_ACCOUNT_STATE_FAILED);

  if (state != DT_ACCOUNT_STATE_FAILED)
    failure_reason = NULL;
  else if (failure_reason == NULL || *failure_reason == '\0')
    failure_reason = _("Could not connect to the server");

  g_object_freeze_notify (object);
  reason_changed = replace_string (&self->failure_reason, failure_reason);
  if (reason_changed)
    g_object_notify_by_pspec (object, props[PROP_FAILURE_REASON]);
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (object, props[PROP_STATE]);
    }
  g_object_thaw_notify (object);
}

/**
 * dt_account_set_voicemail:
 * @messages_waiting: whether the mailbox says messages are waiting
 * @new_messages: new voice messages
 * @old_messages: old voice messages
 *
 * For backends: what the server last said about the account's mailbox.
 */
void
dt_account_set_voicemail (DtAccount *self,
                          gboolean   messages_waiting,
                          guint      new_messages,
                          guint      old_messages)
{
  GObject *object = (GObject *) self;

  g_return_if_fail (DT_IS_ACCOUNT (self));

  messages_waiting = !!messages_waiting;
  g_object_freeze_notify (object);
  if (self->messages_waiting != messages_waiting)
    {
      self->messages_waiting = messages_waiting;
      g_object_notify_by_pspec (object, props[PROP_MESSAGES_WAITING]);
    }
  if (self->new_messages != new_messages)
    {
      self->new_messages = new_messages;
      g_object_notify_by_pspec (object, props[PROP_NEW_MESSAGES]);
    }
  if (self->old_messages != old_messages)
    {
      self->old_messages = old_messages;
      g_object_notify_by_pspec (object, props[PROP_OLD_MESSAGES]);
    }
  g_object_thaw_notify (object);
}

/**
 * dt_account_get_messages_waiting:
 *
 * Returns: whether the account's mailbox has messages waiting
 */
gboolean
dt_account_get_messages_waiting (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), FALSE);

  return self->messages_waiting;
}

/**
 * dt_account_get_new_messages:
 *
 * Returns: how many new voice messages wait
 */
guint
dt_account_get_new_messages (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), 0);

  return self->new_messages;
}

/**
 * dt_account_get_old_messages:
 *
 * Returns: how many old voice messages are kept
 */
guint
dt_account_get_old_messages (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), 0);

  return self->old_messages;
}

/**
 * dt_account_get_stun_servers:
 *
 * Returns: (transfer none) (array zero-terminated=1): the STUN server
 *   URIs, never %NULL
 */
const char * const *
dt_account_get_stun_servers (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return (const char * const *) self->stun_servers;
}

/**
 * dt_account_set_stun_servers:
 * @uris: (nullable) (array zero-terminated=1): `stun:` and `stuns:` URIs
 */
void
dt_account_set_stun_servers (DtAccount          *self,
                             const char * const *uris)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_strv (&self->stun_servers, uris))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STUN_SERVERS]);
}

/**
 * dt_account_get_turn_servers:
 *
 * Returns: (transfer none) (array zero-terminated=1): the TURN server
 *   URIs, never %NULL
 */
const char * const *
dt_account_get_turn_servers (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return (const char * const *) self->turn_servers;
}

/**
 * dt_account_set_turn_servers:
 * @uris: (nullable) (array zero-terminated=1): `turn:` and `turns:` URIs
 */
void
dt_account_set_turn_servers (DtAccount          *self,
                             const char * const *uris)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_strv (&self->turn_servers, uris))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TURN_SERVERS]);
}

/**
 * dt_account_get_turn_username:
 *
 * Returns: (nullable): the user name the TURN servers know the account by
 */
const char *
dt_account_get_turn_username (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->turn_username;
}

void
dt_account_set_turn_username (DtAccount  *self,
                              const char *username)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_string (&self->turn_username, username))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TURN_USERNAME]);
}

/**
 * dt_account_dup_ice_servers:
 * @turn_password: (nullable): the TURN password, which only the Secret
 *   Service keeps (see dt_account_lookup_ice_servers_async())
 *
 * The account's servers as WebRTC groups them: one #DtIceServer for the
 * STUN URIs, without credentials, and one for the TURN URIs with the user
 * name and @turn_password. A kind with no URIs has no entry.
 *
 * Returns: (transfer container) (element-type DtIceServer): the servers
 */
GPtrArray *
dt_account_dup_ice_servers (DtAccount  *self,
                            const char *turn_password)
{
  GPtrArray *servers;
  const char *username;

  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  servers = g_ptr_array_new_with_free_func (g_object_unref);
  if (self->stun_servers[0] != NULL)
    g_ptr_array_add (servers, dt_ice_server_new ((const char * const *) self->stun_servers,
                                                 NULL, NULL));
  if (self->turn_servers[0] != NULL)
    {
      username = self->turn_username && *self->turn_username ? self->turn_username : NULL;
      g_ptr_array_add (servers, dt_ice_server_new ((const char * const *) self->turn_servers,
                                                   username, turn_password));
    }
  return servers;
}

static void
on_turn_password_looked_up (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DtAccount *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *password;

  password = dt_secret_lookup_finish (result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Servers that need no password (some STUN-only setups, TURN REST
   * credentials that a backend learns) work without one. */
  g_task_return_pointer (task, dt_account_dup_ice_servers (self, password),
                         (GDestroyNotify) g_ptr_array_unref);
  secret_password_free (password);
}

/**
 * dt_account_lookup_ice_servers_async:
 *
 * Reads the TURN password from the Secret Service, if the account has TURN
 * servers, and gives the servers of dt_account_dup_ice_servers() with it.
 * No password stored is no error.
 */
void
dt_account_lookup_ice_servers_async (DtAccount           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (DT_IS_ACCOUNT (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_account_lookup_ice_servers_async);

  /* A STUN-only account has no password to ask for. */
  if (self->turn_servers[0] == NULL)
    {
      g_task_return_pointer (task, dt_account_dup_ice_servers (self, NULL),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  dt_secret_lookup_async (self->id, DT_SECRET_TURN_PASSWORD, cancellable,
                          on_turn_password_looked_up, g_steal_pointer (&task));
}

/**
 * dt_account_lookup_ice_servers_finish:
 *
 * Returns: (transfer container) (element-type DtIceServer): the servers,
 *   or %NULL with @error set when the Secret Service could not be asked
 */
GPtrArray *
dt_account_lookup_ice_servers_finish (DtAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == dt_account_lookup_ice_servers_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_account_get_voicemail_uri:
 *
 * Returns: (nullable): the address to call for the account's voicemail
 */
const char *
dt_account_get_voicemail_uri (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  return self->voicemail_uri;
}

void
dt_account_set_voicemail_uri (DtAccount  *self,
                              const char *uri)
{
  g_return_if_fail (DT_IS_ACCOUNT (self));

  if (replace_string (&self->voicemail_uri, uri))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VOICEMAIL_URI]);
}

/**
 * dt_account_dup_label:
 *
 * Returns: (transfer full): how to name the account to a person: its
 *   display name, else its identity, else its protocol
 */
char *
dt_account_dup_label (DtAccount *self)
{
  g_return_val_if_fail (DT_IS_ACCOUNT (self), NULL);

  if (self->display_name && *self->display_name)
    return g_strdup (self->display_name);
  if (self->identity && *self->identity)
    return g_strdup (self->identity);

  return g_strdup (self->protocol);
}
