/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-server.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-ice-server.h"

/**
 * DtIceServer:
 *
 * STUN and TURN servers, as a person types them or as a backend learns them
 * from its server (Matrix `/voip/turnServer` answers one username and
 * password for a list of URIs). The URIs are kept as given: Diagnostics
 * parses and checks them (RFC 7064, RFC 7065), so a bad one shows up in its
 * report instead of vanishing here. Immutable: a backend that learns new
 * servers makes new objects.
 *
 * The credential is a secret: nothing in Dialtone writes it to a log, a
 * report or a file.
 */

enum {
  PROP_0,
  PROP_URIS,
  PROP_USERNAME,
  PROP_CREDENTIAL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtIceServer
{
  GObject  parent_instance;

  GStrv    uris;
  char    *username;
  char    *credential;
};

G_DEFINE_FINAL_TYPE (DtIceServer, dt_ice_server, G_TYPE_OBJECT)

static void
dt_ice_server_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DtIceServer *self = DT_ICE_SERVER (object);

  switch (prop_id)
    {
    case PROP_URIS:
      g_value_set_boxed (value, self->uris);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_CREDENTIAL:
      g_value_set_string (value, self->credential);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_ice_server_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  DtIceServer *self = DT_ICE_SERVER (object);

  switch (prop_id)
    {
    case PROP_URIS:
      g_strfreev (self->uris);
      self->uris = g_value_dup_boxed (value);
      if (self->uris == NULL)
        self->uris = g_new0 (char *, 1);
      break;
    case PROP_USERNAME:
      g_free (self->username);
      self->username = g_value_dup_string (value);
      break;
    case PROP_CREDENTIAL:
      g_free (self->credential);
      self->credential = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_ice_server_finalize (GObject *object)
{
  DtIceServer *self = DT_ICE_SERVER (object);

  g_strfreev (self->uris);
  g_free (self->username);
  g_free (self->credential);

  G_OBJECT_CLASS (dt_ice_server_parent_class)->finalize (object);
}

static void
dt_ice_server_class_init (DtIceServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_ice_server_get_property;
  object_class->set_property = dt_ice_server_set_property;
  object_class->finalize = dt_ice_server_finalize;

  /**
   * DtIceServer:uris:
   *
   * The `stun:`, `stuns:`, `turn:` and `turns:` URIs, as given.
   */
  props[PROP_URIS] =
    g_param_spec_boxed ("uris", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtIceServer:username:
   *
   * The TURN user name, or %NULL for STUN-only servers. With the TURN REST
   * scheme it looks like `1700000000:@alice:example.org`.
   */
  props[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtIceServer:credential:
   *
   * The TURN password, or %NULL.
   */
  props[PROP_CREDENTIAL] =
    g_param_spec_string ("credential", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_ice_server_init (DtIceServer *self)
{
  self->uris = g_new0 (char *, 1);
}

/**
 * dt_ice_server_new:
 * @uris: (array zero-terminated=1): the server's URIs
 * @username: (nullable): the TURN user name
 * @credential: (nullable): the TURN password
 *
 * Returns: (transfer full): a new #DtIceServer
 */
DtIceServer *
dt_ice_server_new (const char * const *uris,
                   const char         *username,
                   const char         *credential)
{
  g_return_val_if_fail (uris != NULL, NULL);

  return g_object_new (DT_TYPE_ICE_SERVER,
                       "uris", uris,
                       "username", username,
                       "credential", credential,
                       NULL);
}

/**
 * dt_ice_server_get_uris:
 * @self: a #DtIceServer
 *
 * Returns: (transfer none) (array zero-terminated=1): the URIs, never %NULL
 */
const char * const *
dt_ice_server_get_uris (DtIceServer *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVER (self), NULL);

  return (const char * const *) self->uris;
}

/**
 * dt_ice_server_get_username:
 * @self: a #DtIceServer
 *
 * Returns: (nullable): the user name
 */
const char *
dt_ice_server_get_username (DtIceServer *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVER (self), NULL);

  return self->username;
}

/**
 * dt_ice_server_get_credential:
 * @self: a #DtIceServer
 *
 * Returns: (nullable): the password
 */
const char *
dt_ice_server_get_credential (DtIceServer *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVER (self), NULL);

  return self->credential;
}
