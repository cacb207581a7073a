/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-settings.c
 *
 * DtSettings against the real schema from the build tree, on the memory
 * backend (GSETTINGS_BACKEND=memory in the test environment).
 */

#include "config.h"

#include "dt-settings.h"

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i]; i++)
    g_settings_reset (settings, keys[i]);
}

static void
test_settings_defaults (void)
{
  g_autoptr(DtSettings) settings = NULL;
  guint timeout;

  reset_settings ();
  settings = dt_settings_new ();

  g_assert_true (dt_settings_get_run_in_background (settings));
  g_assert_true (dt_settings_get_confirm_dial_links (settings));
  g_assert_true (dt_settings_get_echo_cancellation (settings));
  g_assert_true (dt_settings_get_noise_suppression (settings));
  g_assert_true (dt_settings_get_gain_control (settings));
  g_assert_cmpstr (dt_settings_get_microphone (settings), ==, "");
  g_assert_cmpstr (dt_settings_get_speaker (settings), ==, "");
  g_assert_cmpstr (dt_settings_get_ringer (settings), ==, "");
  g_assert_cmpstr (dt_settings_get_ringtone (settings), ==, "");
  g_assert_cmpuint (dt_settings_get_media_timeout (settings), ==, 30);
  g_object_get (settings, "media-timeout", &timeout, NULL);
  g_assert_cmpuint (timeout, ==, 30);
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (settings)), ==, 0);
  g_assert_null (dt_settings_get_default_account (settings));

  g_assert_finalize_object (g_steal_pointer (&settings));
}

/* Properties write through to GSettings, and follow changes made there. */
static void
test_settings_binding (void)
{
  g_autoptr(GSettings) gsettings = g_settings_new (APPLICATION_ID);
  g_autoptr(DtSettings) settings = NULL;
  g_autofree char *speaker = NULL;

  reset_settings ();
  settings = dt_settings_new ();

  g_object_set (settings,
                "confirm-dial-links", FALSE,
                "speaker", "alsa_output.usb-Headset-00.analog-stereo",
                "media-timeout", 45,
                NULL);
  g_assert_false (g_settings_get_boolean (gsettings, "confirm-dial-links"));
  speaker = g_settings_get_string (gsettings, "speaker");
  g_assert_cmpstr (speaker, ==, "alsa_output.usb-Headset-00.analog-stereo");
  g_assert_cmpuint (g_settings_get_uint (gsettings, "media-timeout"), ==, 45);

  g_settings_set_boolean (gsettings, "echo-cancellation", FALSE);
  g_settings_set_string (gsettings, "microphone", "alsa_input.usb-Headset-00.mono");
  g_assert_false (dt_settings_get_echo_cancellation (settings));
  g_assert_cmpstr (dt_settings_get_microphone (settings), ==, "alsa_input.usb-Headset-00.mono");
}

/* Accounts survive a new DtSettings: nothing set on an account is lost. */
static void
test_settings_accounts (void)
{
  const char *stun[] = { "stun:stun.example.org", "stuns:[2001:db8::1]:443", NULL };
  const char *turn[] = { "turn:turn.example.org?transport=tcp", "turns:turn.example.org", NULL };
  g_autoptr(DtSettings) settings = NULL;
  g_autoptr(DtSettings) reread = NULL;
  g_autofree char *id = NULL;
  DtAccount *account;
  DtAccount *second;
  DtAccount *found;

  reset_settings ();
  settings = dt_settings_new ();

  account = dt_settings_add_account (settings, "sip");
  id = g_strdup (dt_account_get_id (account));
  dt_account_set_identity (account, "sip:alice@example.com");
  dt_account_set_server (account, "sip.example.com");
  dt_account_set_transport (account, DT_TRANSPORT_TCP);
  dt_account_set_media_encryption (account, DT_MEDIA_ENCRYPTION_OPTIONAL);
  dt_account_set_display_name (account, "Alice");
  dt_account_set_stun_servers (account, stun);
  dt_account_set_turn_servers (account, turn);
  dt_account_set_turn_username (account, "alice-relay");
  dt_account_set_voicemail_uri (account, "sip:*97@example.com");

  /* The first account becomes the default. */
  g_assert_true (dt_settings_get_default_account (settings) == account);

  second = dt_settings_add_account (settings, "sip");
  dt_account_set_identity (second, "sip:alice@work.example.com");
  dt_account_set_enabled (second, FALSE);
  g_assert_true (dt_settings_get_default_account (settings) == account);

  reread = dt_settings_new ();
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (reread)), ==, 2);
  found = dt_settings_find_account (reread, id);
  g_assert_nonnull (found);
  g_assert_cmpstr (dt_account_get_protocol (found), ==, "sip");
  g_assert_cmpstr (dt_account_get_identity (found), ==, "sip:alice@example.com");
  g_assert_cmpstr (dt_account_get_server (found), ==, "sip.example.com");
  g_assert_cmpint (dt_account_get_transport (found), ==, DT_TRANSPORT_TCP);
  g_assert_cmpint (dt_account_get_media_encryption (found), ==, DT_MEDIA_ENCRYPTION_OPTIONAL);
  g_assert_cmpstrv (dt_account_get_stun_servers (found), stun);
  g_assert_cmpstrv (dt_account_get_turn_servers (found), turn);
  g_assert_cmpstr (dt_account_get_turn_username (found), ==, "alice-relay");
  g_assert_cmpstr (dt_account_get_voicemail_uri (found), ==, "sip:*97@example.com");
  g_assert_cmpuint (g_strv_length ((char **) dt_account_get_stun_servers (
                      dt_settings_find_account (reread, dt_account_get_id (second)))), ==, 0);
  {
    g_autofree char *path = g_strdup_printf ("%s/accounts/%s/", OBJECT_PATH, id);
    g_autoptr(GSettings) stored = g_settings_new_with_path (APPLICATION_ID ".Account", path);
    g_autofree char *nick = g_settings_get_string (stored, "media-encryption");

    /* Stored under the schema's nick, which the enum's nick must match. */
    g_assert_cmpstr (nick, ==, "optional");
  }
  g_assert_cmpint (dt_account_get_media_encryption (dt_settings_find_account (
                     reread, dt_account_get_id (second))), ==, DT_MEDIA_ENCRYPTION_OFF);
  g_assert_cmpstr (dt_account_get_display_name (found), ==, "Alice");
  g_assert_true (dt_account_get_enabled (found));
  g_assert_false (dt_account_get_enabled (dt_settings_find_account (reread,
                                                                    dt_account_get_id (second))));

  /* A change made through one instance shows in the other. */
  dt_account_set_display_name (found, "Alice at home");
  g_assert_cmpstr (dt_account_get_display_name (account), ==, "Alice at home");
  dt_account_set_media_encryption (found, DT_MEDIA_ENCRYPTION_REQUIRED);
  g_assert_cmpint (dt_account_get_media_encryption (account), ==, DT_MEDIA_ENCRYPTION_REQUIRED);
  dt_account_set_turn_servers (found, NULL);
  g_assert_cmpuint (g_strv_length ((char **) dt_account_get_turn_servers (account)), ==, 0);
}

static void
test_settings_remove_account (void)
{
  g_autoptr(DtSettings) settings = NULL;
  g_autoptr(GSettings) account_gsettings = NULL;
  g_autoptr(DtAccount) account = NULL;
  g_autofree char *path = NULL;
  g_autofree char *identity = NULL;
  DtAccount *other;

  reset_settings ();
  settings = dt_settings_new ();

  account = g_object_ref (dt_settings_add_account (settings, "sip"));
  dt_account_set_identity (account, "sip:bob@example.com");
  dt_account_set_turn_username (account, "bob");
  other = dt_settings_add_account (settings, "sip");
  dt_settings_set_default_account (settings, account);

  path = g_strdup_printf ("%s/accounts/%s/", OBJECT_PATH, dt_account_get_id (account));
  account_gsettings = g_settings_new_with_path (APPLICATION_ID ".Account", path);

  dt_settings_remove_account (settings, account);
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (settings)), ==, 1);
  g_assert_null (dt_settings_find_account (settings, dt_account_get_id (account)));

  /* Its settings are gone from the store, and the default moved on. */
  identity = g_settings_get_string (account_gsettings, "identity");
  g_assert_cmpstr (identity, ==, "");
  g_clear_pointer (&identity, g_free);
  identity = g_settings_get_string (account_gsettings, "turn-username");
  g_assert_cmpstr (identity, ==, "");
  g_assert_true (dt_settings_get_default_account (settings) == other);

  /* Changing the removed object no longer writes anywhere. */
  dt_account_set_identity (account, "sip:ghost@example.com");
  g_clear_pointer (&identity, g_free);
  identity = g_settings_get_string (account_gsettings, "identity");
  g_assert_cmpstr (identity, ==, "");

  g_assert_finalize_object (g_steal_pointer (&account));
}

/* The account list comes from a file a person can edit; bad entries are
 * skipped, never fatal. */
static void
test_settings_malformed_list (void)
{
  g_autoptr(GSettings) gsettings = g_settings_new (APPLICATION_ID);
  g_autoptr(DtSettings) settings = NULL;
  const char *ids[] = { "good-1", "../escape", "", "good-1", "with space", "good-2", NULL };
  GListModel *accounts;
  g_autoptr(DtAccount) first = NULL;

  reset_settings ();
  g_settings_set_strv (gsettings, "accounts", ids);
  settings = dt_settings_new ();

  accounts = dt_settings_get_accounts (settings);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, 2);
  first = g_list_model_get_item (accounts, 0);
  g_assert_cmpstr (dt_account_get_id (first), ==, "good-1");
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

/* Another process (or dconf-editor) changing the list is followed, and
 * accounts that stay keep their objects. */
static void
test_settings_external_change (void)
{
  g_autoptr(GSettings) gsettings = g_settings_new (APPLICATION_ID);
  g_autoptr(DtSettings) settings = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) new_ids = NULL;
  DtAccount *account;
  guint n_changes = 0;

  reset_settings ();
  settings = dt_settings_new ();
  account = dt_settings_add_account (settings, "sip");
  dt_account_set_state (account, DT_ACCOUNT_STATE_ONLINE, NULL);

  g_signal_connect (dt_settings_get_accounts (settings), "items-changed",
                    G_CALLBACK (count_items_changed), &n_changes);

  ids = g_settings_get_strv (gsettings, "accounts");
  g_strv_builder_addv (builder, (const char **) ids);
  g_strv_builder_add (builder, "added-elsewhere");
  new_ids = g_strv_builder_end (builder);
  g_settings_set_strv (gsettings, "accounts", (const char * const *) new_ids);

  g_assert_cmpuint (n_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (settings)), ==, 2);
  g_assert_nonnull (dt_settings_find_account (settings, "added-elsewhere"));
  g_assert_true (dt_settings_find_account (settings, dt_account_get_id (account)) == account);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/settings/defaults", test_settings_defaults);
  g_test_add_func ("/settings/binding", test_settings_binding);
  g_test_add_func ("/settings/accounts", test_settings_accounts);
  g_test_add_func ("/settings/remove-account", test_settings_remove_account);
  g_test_add_func ("/settings/malformed-list", test_settings_malformed_list);
  g_test_add_func ("/settings/external-change", test_settings_external_change);

  return g_test_run ();
}
