/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-secrets.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "dt-secrets.h"

/*
 * Secrets are items of one schema in the user's default collection, found by
 * the account's stable id and the kind of secret. Nothing else about the
 * account goes into the attributes, which the Secret Service stores
 * unencrypted.
 */

#define ATTR_ACCOUNT_ID "account-id"
#define ATTR_KIND "kind"

static const SecretSchema *
dt_secret_get_schema (void)
{
  static const SecretSchema schema = {
    APPLICATION_ID ".Secret", SECRET_SCHEMA_NONE,
    {
      { ATTR_ACCOUNT_ID, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { ATTR_KIND, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  };

  return &schema;
}

static const char *
kind_to_string (DtSecretKind kind)
{
  switch (kind)
    {
    case DT_SECRET_PASSWORD:
      return "password";
    case DT_SECRET_ACCESS_TOKEN:
      return "access-token";
    case DT_SECRET_TURN_PASSWORD:
      return "turn-password";
    default:
      g_return_val_if_reached ("password");
    }
}

/* libsecret's own messages speak of D-Bus; say what it means for the user,
 * and keep the original for the logs. */
static GError *
describe_error (GError *error)
{
  GError *described;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  described = g_error_new (error->domain, error->code,
                           _("Could not reach the password store (Secret Service): %s"),
                           error->message);
  g_error_free (error);
  return described;
}

static void
on_store_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, describe_error (error));
}

/**
 * dt_secret_store_async:
 * @account_id: the account's #DtAccount:id
 * @label: what the password manager shows for the item, such as
 *   "Dialtone password for sip:alice@example.com"
 * @secret: the password or token
 *
 * Stores a secret, replacing the one the account had of that kind.
 */
void
dt_secret_store_async (const char          *account_id,
                       DtSecretKind         kind,
                       const char          *label,
                       const char          *secret,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_secret_store_async);

  secret_password_store (dt_secret_get_schema (), SECRET_COLLECTION_DEFAULT,
                         label, secret, cancellable,
                         on_store_done, g_steal_pointer (&task),
                         ATTR_ACCOUNT_ID, account_id,
                         ATTR_KIND, kind_to_string (kind),
                         NULL);
}

gboolean
dt_secret_store_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_secret_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_lookup_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, describe_error (error));
  else if (secret == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("No password is stored for this account"));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
}

/**
 * dt_secret_lookup_async:
 *
 * Looks up the account's secret of @kind. Finishing fails with
 * %G_IO_ERROR_NOT_FOUND when there is none.
 */
void
dt_secret_lookup_async (const char          *account_id,
                        DtSecretKind         kind,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_secret_lookup_async);

  secret_password_lookup (dt_secret_get_schema (), cancellable,
                          on_lookup_done, g_steal_pointer (&task),
                          ATTR_ACCOUNT_ID, account_id,
                          ATTR_KIND, kind_to_string (kind),
                          NULL);
}

/**
 * dt_secret_lookup_finish:
 *
 * Returns: (transfer full): the secret; free it with secret_password_free(),
 *   which wipes the memory
 */
char *
dt_secret_lookup_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_secret_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_clear_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to remove: the wanted
   * outcome all the same. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, describe_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
clear_matching (gpointer             source_tag,
                const char          *account_id,
                const char          *kind,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  /* libsecret keeps the table until the search is done, after this
   * returns: the values are its own copies, not the caller's strings. */
  attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_hash_table_insert (attributes, (gpointer) ATTR_ACCOUNT_ID, g_strdup (account_id));
  if (kind != NULL)
    g_hash_table_insert (attributes, (gpointer) ATTR_KIND, g_strdup (kind));

  secret_password_clearv (dt_secret_get_schema (), attributes, cancellable,
                          on_clear_done, g_steal_pointer (&task));
}

/**
 * dt_secret_clear_async:
 *
 * Removes the account's secret of @kind, if it has one.
 */
void
dt_secret_clear_async (const char          *account_id,
                       DtSecretKind         kind,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  clear_matching (dt_secret_clear_async, account_id, kind_to_string (kind),
                  cancellable, callback, user_data);
}

gboolean
dt_secret_clear_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_secret_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_secret_clear_account_async:
 *
 * Removes every secret of the account, for when it is deleted.
 */
void
dt_secret_clear_account_async (const char          *account_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (account_id != NULL && *account_id != '\0');
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  clear_matching (dt_secret_clear_account_async, account_id, NULL,
                  cancellable, callback, user_data);
}

gboolean
dt_secret_clear_account_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_secret_clear_account_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
