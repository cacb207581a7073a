/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-secrets.c
 *
 * Secrets against a real Secret Service. meson runs this program inside
 * dbus-run-session; it starts gnome-keyring-daemon on that private bus with
 * a fresh, unlocked login keyring in a temporary folder, and stops it at
 * the end.
 */

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "dt-account.h"
#include "dt-ice-server.h"
#include "dt-secrets.h"
#include "dt-test-keyring.h"

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
on_result (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
store_sync (const char    *account_id,
            DtSecretKind   kind,
            const char    *secret,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *label = g_strdup_printf ("Dialtone test secret for %s", account_id);

  dt_secret_store_async (account_id, kind, label, secret, NULL, on_result, &result);
  return dt_secret_store_finish (wait_result (&result), error);
}

static char *
lookup_sync (const char    *account_id,
             DtSecretKind   kind,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_secret_lookup_async (account_id, kind, NULL, on_result, &result);
  return dt_secret_lookup_finish (wait_result (&result), error);
}

static gboolean
clear_sync (const char    *account_id,
            DtSecretKind   kind,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_secret_clear_async (account_id, kind, NULL, on_result, &result);
  return dt_secret_clear_finish (wait_result (&result), error);
}

static gboolean
clear_account_sync (const char  *account_id,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_secret_clear_account_async (account_id, NULL, on_result, &result);
  return dt_secret_clear_account_finish (wait_result (&result), error);
}

/* Looks at what the Secret Service holds, through its own search rather
 * than through Dialtone's schema. */
static guint
count_items_for (const char *account_id)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  GList *items;
  guint n;

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);

  g_hash_table_insert (attributes, (gpointer) "account-id", (gpointer) account_id);
  items = secret_service_search_sync (service, NULL, attributes,
                                      SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);

  for (GList *l = items; l; l = l->next)
    {
      g_autoptr(GHashTable) found = secret_item_get_attributes (l->data);

      g_assert_cmpstr (g_hash_table_lookup (found, "xdg:schema"), ==,
                       APPLICATION_ID ".Secret");
    }

  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static void
test_secrets_store_lookup (void)
{
  g_autoptr(GError) error = NULL;
  char *password;
  char *token;

  g_assert_true (store_sync ("acct-1", DT_SECRET_PASSWORD, "hunter2", &error));
  g_assert_no_error (error);
  g_assert_true (store_sync ("acct-1", DT_SECRET_ACCESS_TOKEN, "syt_token", &error));
  g_assert_no_error (error);
  g_assert_true (store_sync ("acct-2", DT_SECRET_PASSWORD, "pässwörd ✓", &error));
  g_assert_no_error (error);
  g_assert_true (store_sync ("acct-2", DT_SECRET_TURN_PASSWORD, "relay", &error));
  g_assert_no_error (error);

  password = lookup_sync ("acct-1", DT_SECRET_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "hunter2");
  secret_password_free (password);

  token = lookup_sync ("acct-1", DT_SECRET_ACCESS_TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "syt_token");
  secret_password_free (token);

  password = lookup_sync ("acct-2", DT_SECRET_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "pässwörd ✓");
  secret_password_free (password);

  /* The TURN password is an item of its own beside the account's. */
  password = lookup_sync ("acct-2", DT_SECRET_TURN_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "relay");
  secret_password_free (password);

  g_assert_cmpuint (count_items_for ("acct-1"), ==, 2);
  g_assert_cmpuint (count_items_for ("acct-2"), ==, 2);
}

/* Storing again replaces: an account never has two passwords. */
static void
test_secrets_replace (void)
{
  g_autoptr(GError) error = NULL;
  char *password;

  g_assert_true (store_sync ("acct-3", DT_SECRET_PASSWORD, "old", &error));
  g_assert_true (store_sync ("acct-3", DT_SECRET_PASSWORD, "new", &error));
  g_assert_no_error (error);

  password = lookup_sync ("acct-3", DT_SECRET_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, "new");
  secret_password_free (password);
  g_assert_cmpuint (count_items_for ("acct-3"), ==, 1);
}

/* An account's TURN servers come with the password the Secret Service
 * keeps for them, and without one when none is stored. */
static void
test_secrets_ice_servers (void)
{
  g_autoptr(DtAccount) account = dt_account_new ("acct-turn", "sip");
  const char *turn[] = { "turns:turn.example.org", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;

  dt_account_set_turn_servers (account, turn);
  dt_account_set_turn_username (account, "alice");

  dt_account_lookup_ice_servers_async (account, NULL, on_result, &result);
  servers = dt_account_lookup_ice_servers_finish (account, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  g_assert_null (dt_ice_server_get_credential (g_ptr_array_index (servers, 0)));
  g_clear_pointer (&servers, g_ptr_array_unref);
  g_clear_object (&result);

  g_assert_true (store_sync ("acct-turn", DT_SECRET_TURN_PASSWORD, "relay-pw", &error));
  dt_account_lookup_ice_servers_async (account, NULL, on_result, &result);
  servers = dt_account_lookup_ice_servers_finish (account, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  g_assert_cmpstr (dt_ice_server_get_username (g_ptr_array_index (servers, 0)), ==, "alice");
  g_assert_cmpstr (dt_ice_server_get_credential (g_ptr_array_index (servers, 0)), ==,
                   "relay-pw");
  g_assert_true (clear_account_sync ("acct-turn", &error));
}

static void
test_secrets_not_found (void)
{
  g_autoptr(GError) error = NULL;
  char *password;

  password = lookup_sync ("no-such-account", DT_SECRET_PASSWORD, &error);
  g_assert_null (password);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_secrets_clear (void)
{
  g_autoptr(GError) error = NULL;
  char *token;

  g_assert_true (store_sync ("acct-4", DT_SECRET_PASSWORD, "pw", &error));
  g_assert_true (store_sync ("acct-4", DT_SECRET_ACCESS_TOKEN, "tok", &error));
  g_assert_true (store_sync ("acct-5", DT_SECRET_PASSWORD, "other", &error));
  g_assert_no_error (error);

  g_assert_true (clear_sync ("acct-4", DT_SECRET_PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items_for ("acct-4"), ==, 1);
  token = lookup_sync ("acct-4", DT_SECRET_ACCESS_TOKEN, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "tok");
  secret_password_free (token);

  /* Clearing what is not there succeeds. */
  g_assert_true (clear_sync ("acct-4", DT_SECRET_PASSWORD, &error));
  g_assert_no_error (error);

  g_assert_true (clear_account_sync ("acct-4", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items_for ("acct-4"), ==, 0);
  g_assert_cmpuint (count_items_for ("acct-5"), ==, 1);

  /* The caller's account id may be gone before the Secret Service has
   * answered: the search must not have kept the caller's string. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    char *id = g_strdup ("acct-5");

    dt_secret_clear_account_async (id, NULL, on_result, &result);
    memset (id, 'x', strlen (id));
    g_free (id);
    g_assert_true (dt_secret_clear_account_finish (wait_result (&result), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (count_items_for ("acct-5"), ==, 0);
  }
}

static void
test_secrets_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *password;

  g_cancellable_cancel (cancellable);
  dt_secret_lookup_async ("acct-1", DT_SECRET_PASSWORD, cancellable, on_result, &result);
  password = dt_secret_lookup_finish (wait_result (&result), &error);
  g_assert_null (password);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  dt_test_keyring_start (KEYRING_DAEMON);

  g_test_add_func ("/secrets/store-lookup", test_secrets_store_lookup);
  g_test_add_func ("/secrets/replace", test_secrets_replace);
  g_test_add_func ("/secrets/not-found", test_secrets_not_found);
  g_test_add_func ("/secrets/ice-servers", test_secrets_ice_servers);
  g_test_add_func ("/secrets/clear", test_secrets_clear);
  g_test_add_func ("/secrets/cancelled", test_secrets_cancelled);

  status = g_test_run ();

  /* Deliver the Secret Service's last signals before letting go of it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  secret_service_disconnect ();
  dt_test_keyring_stop ();
  return status;
}
