/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-backend-registry.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dt-backend-registry.h"

/**
 * DtBackendRegistry:
 *
 * The backends built into this Dialtone, found by protocol name (for an
 * account) or by URI scheme (for a link). Each scheme belongs to one
 * backend; a second claim on it is refused.
 */

struct _DtBackendRegistry
{
  GObject     parent_instance;

  GListStore *backends;
  GHashTable *by_protocol;  /* protocol name → DtBackend (borrowed) */
  GHashTable *by_scheme;    /* lower-case scheme → DtBackend (borrowed) */
};

G_DEFINE_FINAL_TYPE (DtBackendRegistry, dt_backend_registry, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-backend-registry-error-quark, dt_backend_registry_error)

/* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
static gboolean
scheme_is_valid (const char *scheme)
{
  if (!g_ascii_isalpha (scheme[0]))
    return FALSE;

  for (const char *p = scheme + 1; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
        return FALSE;
    }

  return TRUE;
}

static void
dt_backend_registry_dispose (GObject *object)
{
  DtBackendRegistry *self = DT_BACKEND_REGISTRY (object);

  g_clear_pointer (&self->by_protocol, g_hash_table_unref);
  g_clear_pointer (&self->by_scheme, g_hash_table_unref);
  g_clear_object (&self->backends);

  G_OBJECT_CLASS (dt_backend_registry_parent_class)->dispose (object);
}

static void
dt_backend_registry_class_init (DtBackendRegistryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_backend_registry_dispose;
}

static void
dt_backend_registry_init (DtBackendRegistry *self)
{
  self->backends = g_list_store_new (DT_TYPE_BACKEND);
  self->by_protocol = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_scheme = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

DtBackendRegistry *
dt_backend_registry_new (void)
{
  return g_object_new (DT_TYPE_BACKEND_REGISTRY, NULL);
}

/**
 * dt_backend_registry_add:
 *
 * Registers @backend under its protocol name and each of its schemes.
 * Nothing is registered if the protocol or any scheme is taken already.
 *
 * Returns: %TRUE on success
 */
gboolean
dt_backend_registry_add (DtBackendRegistry  *self,
                         DtBackend          *backend,
                         GError            **error)
{
  const char *protocol;
  const char * const *schemes;

  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (self), FALSE);
  g_return_val_if_fail (DT_IS_BACKEND (backend), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  protocol = dt_backend_get_protocol (backend);
  if (protocol == NULL || *protocol == '\0')
    {
      g_set_error_literal (error, DT_BACKEND_REGISTRY_ERROR,
                           DT_BACKEND_REGISTRY_ERROR_UNKNOWN_PROTOCOL,
                           "A backend must have a protocol name");
      return FALSE;
    }

  if (g_hash_table_contains (self->by_protocol, protocol))
    {
      g_set_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE,
                   "A backend for “%s” is registered already", protocol);
      return FALSE;
    }

  schemes = dt_backend_get_uri_schemes (backend);
  for (guint i = 0; schemes[i]; i++)
    {
      g_autofree char *lower = g_ascii_strdown (schemes[i], -1);
      DtBackend *owner;

      if (!scheme_is_valid (lower))
        {
          g_set_error (error, DT_BACKEND_REGISTRY_ERROR,
                       DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME,
                       "“%s” is not a URI scheme", schemes[i]);
          return FALSE;
        }

      owner = g_hash_table_lookup (self->by_scheme, lower);
      if (owner != NULL)
        {
          g_set_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE,
                       "The “%s” scheme belongs to the %s backend already",
                       lower, dt_backend_get_protocol (owner));
          return FALSE;
        }

      for (guint j = 0; j < i; j++)
        {
          if (g_ascii_strcasecmp (schemes[i], schemes[j]) == 0)
            {
              g_set_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_DUPLICATE,
                           "The %s backend lists the “%s” scheme twice", protocol, lower);
              return FALSE;
            }
        }
    }

  g_list_store_append (self->backends, backend);
  g_hash_table_insert (self->by_protocol, g_strdup (protocol), backend);
  for (guint i = 0; schemes[i]; i++)
    g_hash_table_insert (self->by_scheme, g_ascii_strdown (schemes[i], -1), backend);

  return TRUE;
}

/**
 * dt_backend_registry_lookup_protocol:
 *
 * Returns: (transfer none) (nullable): the backend for @protocol
 */
DtBackend *
dt_backend_registry_lookup_protocol (DtBackendRegistry  *self,
                                     const char         *protocol,
                                     GError            **error)
{
  DtBackend *backend;

  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (self), NULL);
  g_return_val_if_fail (protocol != NULL, NULL);

  backend = g_hash_table_lookup (self->by_protocol, protocol);
  if (backend == NULL)
    g_set_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_PROTOCOL,
                 _("This version of Dialtone cannot use “%s” accounts"), protocol);

  return backend;
}

/**
 * dt_backend_registry_lookup_scheme:
 *
 * Returns: (transfer none) (nullable): the backend for @scheme, in any case
 */
DtBackend *
dt_backend_registry_lookup_scheme (DtBackendRegistry  *self,
                                   const char         *scheme,
                                   GError            **error)
{
  g_autofree char *lower = NULL;
  DtBackend *backend;

  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (self), NULL);
  g_return_val_if_fail (scheme != NULL, NULL);

  lower = g_ascii_strdown (scheme, -1);
  backend = g_hash_table_lookup (self->by_scheme, lower);
  if (backend == NULL)
    g_set_error (error, DT_BACKEND_REGISTRY_ERROR, DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME,
                 _("Dialtone cannot call “%s:” addresses"), lower);

  return backend;
}

/**
 * dt_backend_registry_lookup_uri:
 *
 * Finds the backend for the scheme of @uri.
 *
 * Returns: (transfer none) (nullable): the backend, or %NULL with @error set
 */
DtBackend *
dt_backend_registry_lookup_uri (DtBackendRegistry  *self,
                                const char         *uri,
                                GError            **error)
{
  g_autofree char *scheme = NULL;
  const char *colon;

  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  while (g_ascii_isspace (*uri))
    uri++;

  colon = strchr (uri, ':');
  if (colon != NULL)
    scheme = g_strndup (uri, colon - uri);

  if (scheme == NULL || !scheme_is_valid (scheme))
    {
      g_set_error_literal (error, DT_BACKEND_REGISTRY_ERROR,
                           DT_BACKEND_REGISTRY_ERROR_UNKNOWN_SCHEME,
                           _("The address has no scheme, such as “sip:”"));
      return NULL;
    }

  return dt_backend_registry_lookup_scheme (self, scheme, error);
}

/**
 * dt_backend_registry_get_backends:
 *
 * Returns: (transfer none): every registered #DtBackend, in order of
 *   registration
 */
GListModel *
dt_backend_registry_get_backends (DtBackendRegistry *self)
{
  g_return_val_if_fail (DT_IS_BACKEND_REGISTRY (self), NULL);

  return G_LIST_MODEL (self->backends);
}
