/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-account.c */

#include "config.h"

#include "dt-account.h"
#include "dt-core-enums.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/account/properties", test_account_properties);
  g_test_add_func ("/account/state", test_account_state);
  g_test_add_func ("/account/label", test_account_label);
  g_test_add_func ("/account/voicemail", test_account_voicemail);

  return g_test_run ();
}
