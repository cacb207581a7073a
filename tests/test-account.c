/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account.c */

#include "config.h"

#include "dt-account.h"
#include "dt-core-enums.h"
#include "dt-ice-server.h"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_account_properties (void)
{
  g_autoptr(DtAccount) account = dt_account_new ("abc-123", "sip");
  g_autoptr(DtAccount) fresh = dt_account_new (NULL, "sip");
  guint n_notifies = 0;
  DtTransport transport;
  DtMediaEncryption encryption;

  g_assert_cmpstr (dt_account_get_id (account), ==, "abc-123");
  g_assert_cmpint (dt_account_get_media_encryption (account), ==, DT_MEDIA_ENCRYPTION_OFF);
  g_assert_cmpstr (dt_account_get_protocol (account), ==, "sip");
  g_assert_true (g_uuid_string_is_valid (dt_account_get_id (fresh)));
  g_assert_true (dt_account_get_enabled (account));
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_OFFLINE);
  g_assert_null (dt_account_get_failure_reason (account));

  g_signal_connect (account, "notify", G_CALLBACK (count_notify), &n_notifies);

  dt_account_set_identity (account, "sip:alice@example.com");
  dt_account_set_server (account, "proxy.example.com:5061");
  dt_account_set_transport (account, DT_TRANSPORT_TLS);
  dt_account_set_display_name (account, "Alice");
  dt_account_set_enabled (account, FALSE);
  dt_account_set_media_encryption (account, DT_MEDIA_ENCRYPTION_REQUIRED);
  g_assert_cmpuint (n_notifies, ==, 6);

  /* Setting the same value again notifies nothing. */
  dt_account_set_identity (account, "sip:alice@example.com");
  dt_account_set_transport (account, DT_TRANSPORT_TLS);
  dt_account_set_enabled (account, FALSE);
  dt_account_set_media_encryption (account, DT_MEDIA_ENCRYPTION_REQUIRED);
  g_assert_cmpuint (n_notifies, ==, 6);

  g_object_get (account, "transport", &transport, "media-encryption", &encryption, NULL);
  g_assert_cmpint (transport, ==, DT_TRANSPORT_TLS);
  g_assert_cmpint (encryption, ==, DT_MEDIA_ENCRYPTION_REQUIRED);
  g_assert_cmpstr (dt_account_get_server (account), ==, "proxy.example.com:5061");
  g_assert_false (dt_account_get_enabled (account));

  g_assert_finalize_object (g_steal_pointer (&account));
  g_assert_finalize_object (g_steal_pointer (&fresh));
}

static void
test_account_state (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  guint n_state = 0, n_reason = 0;

  g_signal_connect (account, "notify::state", G_CALLBACK (count_notify), &n_state);
  g_signal_connect (account, "notify::failure-reason", G_CALLBACK (count_notify), &n_reason);

  dt_account_set_state (account, DT_ACCOUNT_STATE_CONNECTING, "ignored");
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_CONNECTING);
  g_assert_null (dt_account_get_failure_reason (account));

  dt_account_set_state (account, DT_ACCOUNT_STATE_FAILED, "Authentication failed");
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_FAILED);
  g_assert_cmpstr (dt_account_get_failure_reason (account), ==, "Authentication failed");

  /* A new reason in the same state is still news. */
  dt_account_set_state (account, DT_ACCOUNT_STATE_FAILED, "Server not reachable");
  g_assert_cmpstr (dt_account_get_failure_reason (account), ==, "Server not reachable");
  g_assert_cmpuint (n_state, ==, 2);
  g_assert_cmpuint (n_reason, ==, 2);

  /* Failing with no reason still leaves something to show. */
  dt_account_set_state (account, DT_ACCOUNT_STATE_FAILED, NULL);
  g_assert_nonnull (dt_account_get_failure_reason (account));
  g_assert_cmpstr (dt_account_get_failure_reason (account), !=, "");

  dt_account_set_state (account, DT_ACCOUNT_STATE_ONLINE, NULL);
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
  g_assert_null (dt_account_get_failure_reason (account));
}

static void
test_account_label (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  g_autofree char *label1 = NULL;
  g_autofree char *label2 = NULL;
  g_autofree char *label3 = NULL;

  label1 = dt_account_dup_label (account);
  g_assert_cmpstr (label1, ==, "sip");

  dt_account_set_identity (account, "sip:alice@example.com");
  label2 = dt_account_dup_label (account);
  g_assert_cmpstr (label2, ==, "sip:alice@example.com");

  dt_account_set_display_name (account, "Work phone");
  label3 = dt_account_dup_label (account);
  g_assert_cmpstr (label3, ==, "Work phone");
}

static void
test_account_voicemail (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  guint n_notified = 0;

  g_assert_false (dt_account_get_messages_waiting (account));
  g_assert_cmpuint (dt_account_get_new_messages (account), ==, 0);
  g_signal_connect (account, "notify", G_CALLBACK (count_notify), &n_notified);

  dt_account_set_voicemail (account, TRUE, 2, 8);
  g_assert_true (dt_account_get_messages_waiting (account));
  g_assert_cmpuint (dt_account_get_new_messages (account), ==, 2);
  g_assert_cmpuint (dt_account_get_old_messages (account), ==, 8);
  g_assert_cmpuint (n_notified, ==, 3);

  /* The same report again changes nothing and says nothing. */
  dt_account_set_voicemail (account, TRUE, 2, 8);
  g_assert_cmpuint (n_notified, ==, 3);

  dt_account_set_voicemail (account, FALSE, 0, 10);
  g_assert_false (dt_account_get_messages_waiting (account));
  g_assert_cmpuint (dt_account_get_new_messages (account), ==, 0);
  g_assert_cmpuint (dt_account_get_old_messages (account), ==, 10);
  g_assert_cmpuint (n_notified, ==, 6);
}

/* The servers come back grouped as WebRTC groups them: STUN without
 * credentials, TURN with the user name and the password given. */
static void
test_account_ice_servers (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  const char *stun[] = { "stun:stun.example.org", "stuns:[2001:db8::1]:443", NULL };
  const char *turn[] = { "turn:turn.example.org?transport=udp", NULL };
  g_autoptr(GPtrArray) servers = NULL;
  guint n_notified = 0;
  DtIceServer *server;

  g_assert_cmpuint (g_strv_length ((char **) dt_account_get_stun_servers (account)), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) dt_account_get_turn_servers (account)), ==, 0);
  servers = dt_account_dup_ice_servers (account, "unused");
  g_assert_cmpuint (servers->len, ==, 0);
  g_clear_pointer (&servers, g_ptr_array_unref);

  g_signal_connect (account, "notify", G_CALLBACK (count_notify), &n_notified);
  dt_account_set_stun_servers (account, stun);
  dt_account_set_turn_servers (account, turn);
  dt_account_set_turn_username (account, "alice");
  g_assert_cmpuint (n_notified, ==, 3);
  /* The same lists again say nothing; NULL is the empty list. */
  dt_account_set_stun_servers (account, stun);
  g_assert_cmpuint (n_notified, ==, 3);
  g_assert_cmpstrv (dt_account_get_stun_servers (account), stun);
  g_assert_cmpstrv (dt_account_get_turn_servers (account), turn);

  servers = dt_account_dup_ice_servers (account, "relay-secret");
  g_assert_cmpuint (servers->len, ==, 2);
  server = g_ptr_array_index (servers, 0);
  g_assert_cmpstrv (dt_ice_server_get_uris (server), stun);
  g_assert_null (dt_ice_server_get_username (server));
  g_assert_null (dt_ice_server_get_credential (server));
  server = g_ptr_array_index (servers, 1);
  g_assert_cmpstrv (dt_ice_server_get_uris (server), turn);
  g_assert_cmpstr (dt_ice_server_get_username (server), ==, "alice");
  g_assert_cmpstr (dt_ice_server_get_credential (server), ==, "relay-secret");
  g_clear_pointer (&servers, g_ptr_array_unref);

  dt_account_set_stun_servers (account, NULL);
  g_assert_cmpuint (n_notified, ==, 4);
  g_assert_nonnull (dt_account_get_stun_servers (account));
  servers = dt_account_dup_ice_servers (account, NULL);
  g_assert_cmpuint (servers->len, ==, 1);
  g_assert_null (dt_ice_server_get_credential (g_ptr_array_index (servers, 0)));
}

/* A STUN-only account asks the Secret Service nothing: the lookup ends
 * without a bus, as this test has none. */
static void
on_servers_looked_up (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_account_ice_servers_lookup (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  const char *stun[] = { "stun:stun.example.org", NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;

  dt_account_set_stun_servers (account, stun);
  dt_account_lookup_ice_servers_async (account, NULL, on_servers_looked_up, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  servers = dt_account_lookup_ice_servers_finish (account, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
}

static void
test_account_voicemail_uri (void)
{
  g_autoptr(DtAccount) account = dt_account_new (NULL, "sip");
  guint n_notified = 0;

  g_assert_null (dt_account_get_voicemail_uri (account));
  g_signal_connect (account, "notify::voicemail-uri", G_CALLBACK (count_notify), &n_notified);
  dt_account_set_voicemail_uri (account, "sip:*97@example.com");
  dt_account_set_voicemail_uri (account, "sip:*97@example.com");
  g_assert_cmpstr (dt_account_get_voicemail_uri (account), ==, "sip:*97@example.com");
  g_assert_cmpuint (n_notified, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/account/properties", test_account_properties);
  g_test_add_func ("/account/state", test_account_state);
  g_test_add_func ("/account/label", test_account_label);
  g_test_add_func ("/account/voicemail", test_account_voicemail);
  g_test_add_func ("/account/voicemail-uri", test_account_voicemail_uri);
  g_test_add_func ("/account/ice-servers", test_account_ice_servers);
  g_test_add_func ("/account/ice-servers-lookup", test_account_ice_servers_lookup);

  return g_test_run ();
}
