/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-accounts.c
 *
 * The Accounts dialog under Xvfb, against dialtone-helper as the SIP
 * registrar, with a real Secret Service in a private session bus and the
 * settings in a keyfile of their own. Driving the dialog's widgets as a
 * person would, the test:
 *
 * - sees the parser's error under a malformed address, and Save disabled;
 * - adds alice's account and sees its row say Online, with the password in
 *   the Secret Service and nowhere in the settings;
 * - edits it to a wrong password and sees the row say why it failed;
 * - removes it, after the confirmation, and sees its password gone;
 * - adds bob's account with a voicemail number and STUN and TURN servers,
 *   sees a malformed server URI refused under its field with Save off,
 *   finds the servers in the settings and the TURN password only in the
 *   Secret Service;
 * - sees bob's row count the voicemails the helper reports (RFC 3842) and
 *   its Call Voicemail button dial the mailbox from bob's account, and
 *   both go when the mailbox is empty.
 *
 * The dialog, the editor and the confirmation are saved as screenshots in
 * the artefacts folder, at 360 px wide, the narrowest GNOME supports.
 */

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <libsecret/secret.h>

#include "dt-account-editor.h"
#include "dt-account-row.h"
#include "dt-accounts-dialog.h"
#include "dt-ice-servers-editor.h"
#include "dt-call-manager.h"
#include "dt-secrets.h"
#include "dt-sip-backend.h"
#include "dt-test-helper.h"
#include "dt-test-keyring.h"
#include "dt-test-ui.h"

#define WAIT_MS (20 * 1000)

static struct
{
  char              *config_dir;
  DtTestHelper      *helper;
  DtSettings        *settings;
  DtBackendRegistry *registry;
  DtCallManager     *manager;
  DtAccountsDialog  *dialog;
  GVariant          *dialled;   /* what app.dial-from was last given */
} t;

/* --- looking at the widgets --------------------------------------------- */

static GtkWidget *
editor_child (const char *name)
{
  GtkWidget *editor = dt_accounts_dialog_get_editor (t.dialog);
  GtkWidget *child;

  g_assert_nonnull (editor);
  child = dt_test_find_by_id (editor, name);
  g_assert_nonnull (child);
  return child;
}

static DtAccountRow *
first_row (void)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (dt_accounts_dialog_get_list (t.dialog), 0);

  return DT_IS_ACCOUNT_ROW (row) ? DT_ACCOUNT_ROW (row) : NULL;
}

static DtAccountRow *
nth_row (int index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (dt_accounts_dialog_get_list (t.dialog),
                                                      index);

  return DT_IS_ACCOUNT_ROW (row) ? DT_ACCOUNT_ROW (row) : NULL;
}

static const char *
row_state (void)
{
  DtAccountRow *row = first_row ();

  return row ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
}

/* Saves what @window shows now as artifacts/NAME.png in the build tree. */
static void
save_screenshot (GtkWidget  *window,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  const char *dir = g_getenv ("DT_TEST_ARTIFACTS");
  int width, height;

  /* Let the subpage transition end and a frame be laid out and drawn. */
  for (int i = 0; i < 100; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }

  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (dir == NULL)
    dir = g_get_tmp_dir ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  file = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s", file);
}

/* --- waiting ------------------------------------------------------------ */

static void
wait_until (DtTestDoneFunc  done,
            gpointer        data,
            const char     *what)
{
  if (!dt_test_iterate_until (done, data, WAIT_MS))
    g_error ("Timed out waiting for %s", what);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
editor_closed (gpointer data)
{
  return dt_accounts_dialog_get_editor (t.dialog) == NULL;
}

static gboolean
row_state_is (gpointer data)
{
  return g_strcmp0 (row_state (), data) == 0;
}

static gboolean
row_state_starts_with (gpointer data)
{
  return row_state () && g_str_has_prefix (row_state (), data);
}

static gboolean
list_is_empty (gpointer data)
{
  return g_list_model_get_n_items (dt_settings_get_accounts (t.settings)) == 0
         && first_row () == NULL;
}

static gboolean
editor_text_is (gpointer data)
{
  return g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (editor_child ("password_row"))),
                    data) == 0;
}

typedef struct
{
  gboolean  done;
  char     *secret;
} Lookup;

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;

  lookup->secret = dt_secret_lookup_finish (result, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_assert_no_error (error);
  lookup->done = TRUE;
}

/* What the Secret Service holds for @id now. */
static char *
lookup_secret (const char   *id,
               DtSecretKind  kind)
{
  Lookup lookup = { FALSE, NULL };

  dt_secret_lookup_async (id, kind, NULL, on_looked_up, &lookup);
  wait_until (dt_test_flag_set, &lookup.done, "the Secret Service");
  return lookup.secret;
}

static char *
lookup_password (const char *id)
{
  return lookup_secret (id, DT_SECRET_PASSWORD);
}

/* How many items the Secret Service holds for @id, whatever their kind. */
static guint
count_items (const char *id)
{
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;
  guint n;

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_hash_table_insert (attributes, (gpointer) "account-id", (gpointer) id);
  items = secret_service_search_sync (service, NULL, attributes, SECRET_SEARCH_ALL, NULL,
                                      &error);
  g_assert_no_error (error);
  n = g_list_length (items);
  g_list_free_full (items, g_object_unref);
  return n;
}

static gboolean
password_gone (gpointer data)
{
  g_autofree char *secret = lookup_password (data);

  return secret == NULL;
}

/* The whole settings file, as GSettings wrote it. */
static char *
read_keyfile (void)
{
  g_autofree char *path = g_build_filename (t.config_dir, "glib-2.0", "settings", "keyfile",
                                            NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

/* --- the editor --------------------------------------------------------- */

static void
fill_in (const char *identity,
         const char *password,
         const char *server)
{
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("identity_row")), identity);
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("password_row")), password);
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("display_name_row")), "Alice");
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("server_row")), server);
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child ("transport_row")), DT_TRANSPORT_UDP);
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child ("encryption_row")),
                              DT_MEDIA_ENCRYPTION_OPTIONAL);
}

static void
click_save (void)
{
  GtkWidget *save = editor_child ("save_button");

  g_assert_true (gtk_widget_is_sensitive (save));
  g_signal_emit_by_name (save, "clicked");
  wait_until (editor_closed, NULL, "the editor to close after saving");
}

static void
open_row (DtAccountRow *row)
{
  g_assert_nonnull (row);
  /* What a click on the row does. */
  g_signal_emit_by_name (dt_accounts_dialog_get_list (t.dialog), "row-activated", row);
  g_assert_nonnull (dt_accounts_dialog_get_editor (t.dialog));
  wait_until (is_mapped, dt_accounts_dialog_get_editor (t.dialog), "the editor to show");
}

static void
open_new_editor (void)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.dialog), "accounts.add", NULL));
  g_assert_nonnull (dt_accounts_dialog_get_editor (t.dialog));
  wait_until (is_mapped, dt_accounts_dialog_get_editor (t.dialog), "the editor to show");
}

static void
open_first_row (void)
{
  open_row (first_row ());
}

/* Asks the editor to remove its account, and returns the confirmation
 * that this brought up. */
static GtkWidget *
ask_to_remove (void)
{
  GList *before = gtk_window_list_toplevels ();
  GList *after;
  GtkWidget *message = NULL;

  g_assert_true (gtk_widget_activate_action (dt_accounts_dialog_get_editor (t.dialog),
                                             "editor.remove", NULL));
  after = gtk_window_list_toplevels ();
  for (GList *l = after; l; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && g_list_find (before, l->data) == NULL)
      message = l->data;
  g_list_free (before);
  g_list_free (after);
  g_assert_nonnull (message);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (message)) == GTK_WINDOW (t.dialog));
  wait_until (is_mapped, message, "the confirmation to show");
  return message;
}

static gboolean
second_row_gone (gpointer data)
{
  return nth_row (1) == NULL;
}

/* A second account takes the default, and gives it back when switched
 * off: the mark shows the account calls would really use. */
static void
check_default_and_switch (const char *server)
{
  DtAccountRow *alice = first_row ();
  DtAccountRow *carol;
  GtkWidget *enabled_switch;
  GtkWidget *message;

  open_new_editor ();
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("identity_row")), "sip:carol@127.0.0.1");
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("server_row")), server);
  click_save ();
  carol = nth_row (1);
  g_assert_nonnull (carol);
  g_assert_true (dt_account_row_get_is_default (alice));
  g_assert_false (dt_account_row_get_is_default (carol));

  open_row (carol);
  g_assert_true (gtk_widget_get_visible (editor_child ("default_button")));
  g_assert_true (gtk_widget_activate_action (dt_accounts_dialog_get_editor (t.dialog),
                                             "editor.make-default", NULL));
  g_assert_false (gtk_widget_get_visible (editor_child ("default_button")));
  g_assert_true (dt_settings_get_default_account (t.settings)
                 == dt_account_row_get_account (carol));
  g_assert_true (gtk_widget_activate_action (dt_accounts_dialog_get_editor (t.dialog),
                                             "editor.cancel", NULL));
  wait_until (editor_closed, NULL, "the editor to close on Cancel");
  g_assert_true (dt_account_row_get_is_default (carol));
  g_assert_false (dt_account_row_get_is_default (alice));

  /* The row's switch turns the account off, and the mark goes back. */
  enabled_switch = dt_test_find_by_id (GTK_WIDGET (carol), "enabled_switch");
  g_assert_nonnull (enabled_switch);
  gtk_switch_set_active (GTK_SWITCH (enabled_switch), FALSE);
  g_assert_false (dt_account_get_enabled (dt_account_row_get_account (carol)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (carol)), ==, "Disabled");
  g_assert_true (dt_account_row_get_is_default (alice));
  g_assert_false (dt_account_row_get_is_default (carol));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-two.png");

  /* Cancelling the confirmation keeps the account. */
  open_row (carol);
  message = ask_to_remove ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (message), "cancel");
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (t.settings)), ==, 2);
  message = ask_to_remove ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (message), "remove");
  wait_until (second_row_gone, NULL, "the second account to leave the list");
  wait_until (editor_closed, NULL, "the editor to close after removing");
  g_assert_true (dt_account_row_get_is_default (first_row ()));
}

/* --- the test ----------------------------------------------------------- */

static void
test_accounts_add_edit_remove (void)
{
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", t.helper->port);
  g_autofree char *password = NULL;
  g_autofree char *keyfile = NULL;
  g_autofree char *id = NULL;
  GtkWidget *error_label;
  GtkWidget *message;
  DtAccount *account;

  gtk_window_present (GTK_WINDOW (t.dialog));
  wait_until (is_mapped, t.dialog, "the dialog to show");
  g_assert_null (first_row ());
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-empty.png");

  /* A malformed address: the parser says what is wrong, Save stays off. */
  open_new_editor ();
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("identity_row")), "sip:alice@");
  error_label = editor_child ("identity_error");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error_label)), !=, "");
  g_test_message ("parser's error: %s", gtk_label_get_label (GTK_LABEL (error_label)));
  g_assert_false (gtk_widget_is_sensitive (editor_child ("save_button")));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-editor-invalid.png");

  /* Alice, with her password: the account registers. */
  fill_in ("sip:alice@127.0.0.1", "secret", server);
  g_assert_false (gtk_widget_get_visible (error_label));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-editor.png");
  click_save ();

  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (t.settings)), ==, 1);
  account = dt_account_row_get_account (first_row ());
  id = g_strdup (dt_account_get_id (account));
  g_assert_cmpstr (dt_account_get_identity (account), ==, "sip:alice@127.0.0.1");
  g_assert_cmpstr (dt_account_get_server (account), ==, server);
  g_assert_cmpstr (dt_account_get_display_name (account), ==, "Alice");
  g_assert_cmpint (dt_account_get_transport (account), ==, DT_TRANSPORT_UDP);
  g_assert_cmpint (dt_account_get_media_encryption (account), ==,
                   DT_MEDIA_ENCRYPTION_OPTIONAL);
  wait_until (row_state_is, (gpointer) "Online", "the account to go online");
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_ONLINE);
  g_assert_true (dt_account_row_get_is_default (first_row ()));
  dt_test_helper_wait_event (t.helper, "registered");
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-online.png");

  /* The password is in the Secret Service, and only there. */
  password = lookup_password (id);
  g_assert_cmpstr (password, ==, "secret");
  g_assert_cmpuint (count_items (id), ==, 1);
  keyfile = read_keyfile ();
  g_assert_nonnull (strstr (keyfile, "sip:alice@127.0.0.1"));
  g_assert_null (strstr (keyfile, "secret"));
  g_clear_pointer (&keyfile, g_free);

  check_default_and_switch (server);

  /* The editor shows the stored password; a wrong one fails to register. */
  open_first_row ();
  wait_until (editor_text_is, (gpointer) "secret", "the stored password in the editor");
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("password_row")), "wrong-password");
  click_save ();
  wait_until (row_state_starts_with, (gpointer) "Authentication failed",
              "the account to fail with the wrong password");
  g_assert_cmpint (dt_account_get_state (account), ==, DT_ACCOUNT_STATE_FAILED);
  g_clear_pointer (&password, g_free);
  password = lookup_password (id);
  g_assert_cmpstr (password, ==, "wrong-password");
  g_assert_cmpuint (count_items (id), ==, 1);
  keyfile = read_keyfile ();
  g_assert_null (strstr (keyfile, "wrong-password"));
  g_clear_pointer (&keyfile, g_free);
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-failed.png");

  /* Removing asks first, then forgets the account and its password. */
  open_first_row ();
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-editor-edit.png");
  message = ask_to_remove ();
  g_assert_cmpuint (g_list_model_get_n_items (dt_settings_get_accounts (t.settings)), ==, 1);
  save_screenshot (message, "accounts-remove.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (message), "remove");

  wait_until (list_is_empty, NULL, "the account to leave the list");
  wait_until (editor_closed, NULL, "the editor to close after removing");
  wait_until (password_gone, id, "the password to leave the Secret Service");
  keyfile = read_keyfile ();
  g_assert_null (strstr (keyfile, "sip:alice@127.0.0.1"));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-removed.png");
}

/* --- voicemail, STUN and TURN ------------------------------------------- */

/* The application's dial path, as the dialog reaches it: this stand-in
 * records what Call Voicemail asks for instead of dialling. */
static void
on_dial_from (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  g_clear_pointer (&t.dialled, g_variant_unref);
  t.dialled = g_variant_ref (parameter);
}

static GtkWidget *
ice_child (const char *name)
{
  GtkWidget *child = dt_test_find_by_id (editor_child ("ice_servers"), name);

  g_assert_nonnull (child);
  return child;
}

/* The Remove button of the server row for @uri, or NULL. */
static GtkWidget *
find_remove_button (GtkWidget  *widget,
                    const char *uri)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child)
          && g_strcmp0 (g_object_get_data (G_OBJECT (child), "dt-server"), uri) == 0)
        return child;
      found = find_remove_button (child, uri);
      if (found)
        return found;
    }
  return NULL;
}

/* Scrolls the editor's page so that @widget is at the top, for a
 * screenshot of what lies below the fold at 640 px. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double x, y;

  g_assert_nonnull (scrolled);
  /* The viewport keeps the focus in sight: it goes to @widget first. */
  gtk_widget_child_focus (widget, GTK_DIR_TAB_FORWARD);
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_translate_coordinates (widget, scrolled, 0, 0, &x, &y));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - 12);
}

static gboolean
save_enabled (void)
{
  return gtk_widget_is_sensitive (editor_child ("save_button"));
}

static void
type_server (const char *uri)
{
  gtk_editable_set_text (GTK_EDITABLE (ice_child ("add_row")), uri);
}

static gboolean
row_counts_voicemails (gpointer data)
{
  return row_state () && strstr (row_state (), data) != NULL;
}

static gboolean
voicemail_button_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
test_accounts_voicemail_and_servers (void)
{
  g_autofree char *server = g_strdup_printf ("sip:127.0.0.1:%u", t.helper->port);
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) dial_from = g_simple_action_new ("dial-from",
                                                            G_VARIANT_TYPE ("(ss)"));
  const char *want_stun[] = { "stun:stun.example.org", NULL };
  const char *want_turn[] = { "turn:[2001:db8::1]?transport=tcp", "turns:turn.example.org",
                              NULL };
  g_autofree char *keyfile = NULL;
  g_autofree char *secret = NULL;
  const char *error_text;
  GtkWidget *error_label;
  GtkWidget *button;
  DtAccountRow *row;
  DtAccount *bob;
  const char *id;
  const char *uri;

  g_signal_connect (dial_from, "activate", G_CALLBACK (on_dial_from), NULL);
  g_action_map_add_action (G_ACTION_MAP (app), G_ACTION (dial_from));
  gtk_widget_insert_action_group (GTK_WIDGET (t.dialog), "app", G_ACTION_GROUP (app));
  g_assert_null (first_row ());

  open_new_editor ();
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("identity_row")), "sip:bob@127.0.0.1");
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("password_row")), "bobpw");
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("server_row")), server);
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child ("transport_row")), DT_TRANSPORT_UDP);

  /* The voicemail number is checked as the dial pad checks numbers. */
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("voicemail_row")), "sip:");
  g_assert_true (gtk_widget_get_visible (editor_child ("voicemail_error")));
  g_assert_false (save_enabled ());
  gtk_editable_set_text (GTK_EDITABLE (editor_child ("voicemail_row")), "*97");
  g_assert_false (gtk_widget_get_visible (editor_child ("voicemail_error")));
  g_assert_true (save_enabled ());

  /* No TURN server yet: no TURN user name or password to ask for. */
  g_assert_false (gtk_widget_get_visible (ice_child ("credentials_list")));

  /* A malformed URI: the parser's error under the field, Save off. */
  error_label = ice_child ("add_error");
  type_server ("turn:[2001:db8::1");
  g_assert_true (gtk_widget_get_visible (error_label));
  error_text = gtk_label_get_label (GTK_LABEL (error_label));
  g_test_message ("server error: %s", error_text);
  g_assert_nonnull (strstr (error_text, "IPv6"));
  g_assert_true (gtk_widget_has_css_class (ice_child ("add_row"), "error"));
  g_assert_false (gtk_widget_is_sensitive (ice_child ("add_button")));
  g_assert_false (save_enabled ());
  scroll_to (editor_child ("ice_servers"));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-editor-servers-invalid.png");
  type_server ("stun:stun.example.org?transport=udp");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "RFC 7064"));
  g_assert_false (save_enabled ());

  /* Added with the button, with Enter, and once more to be removed. */
  type_server ("STUN:stun.example.org");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_true (save_enabled ());
  g_signal_emit_by_name (ice_child ("add_button"), "clicked");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ice_child ("add_row"))), ==, "");
  type_server ("stun:stun.example.org");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error_label)), "already"));
  g_assert_false (save_enabled ());
  type_server ("turn:[2001:DB8:0::1]?transport=TCP");
  g_signal_emit_by_name (ice_child ("add_row"), "entry-activated");
  type_server ("stun:old.example.org:3479");
  g_signal_emit_by_name (ice_child ("add_button"), "clicked");
  button = find_remove_button (ice_child ("server_list"), "stun:old.example.org:3479");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_null (find_remove_button (ice_child ("server_list"), "stun:old.example.org:3479"));

  /* A TURN server brings its user name and password; the last URI is
   * left in the field, and Save keeps it. */
  g_assert_true (gtk_widget_get_visible (ice_child ("credentials_list")));
  gtk_editable_set_text (GTK_EDITABLE (ice_child ("username_row")), "bob-relay");
  gtk_editable_set_text (GTK_EDITABLE (ice_child ("password_row")), "relay-secret");
  type_server ("turns:turn.example.org");
  g_assert_true (save_enabled ());
  scroll_to (editor_child ("ice_servers"));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-editor-servers.png");
  click_save ();

  row = first_row ();
  g_assert_nonnull (row);
  bob = dt_account_row_get_account (row);
  g_assert_cmpstrv (dt_account_get_stun_servers (bob), want_stun);
  g_assert_cmpstrv (dt_account_get_turn_servers (bob), want_turn);
  g_assert_cmpstr (dt_account_get_turn_username (bob), ==, "bob-relay");
  g_assert_cmpstr (dt_account_get_voicemail_uri (bob), ==, "tel:*97");

  /* The servers are settings; the TURN password is a secret, only there. */
  keyfile = read_keyfile ();
  g_assert_nonnull (strstr (keyfile, "stun:stun.example.org"));
  g_assert_nonnull (strstr (keyfile, "turns:turn.example.org"));
  g_assert_nonnull (strstr (keyfile, "bob-relay"));
  g_assert_null (strstr (keyfile, "relay-secret"));
  g_assert_null (strstr (keyfile, "bobpw"));
  secret = lookup_secret (dt_account_get_id (bob), DT_SECRET_TURN_PASSWORD);
  g_assert_cmpstr (secret, ==, "relay-secret");
  g_clear_pointer (&secret, g_free);
  secret = lookup_password (dt_account_get_id (bob));
  g_assert_cmpstr (secret, ==, "bobpw");
  g_assert_cmpuint (count_items (dt_account_get_id (bob)), ==, 2);

  /* Bob registers and subscribes to his mailbox, where the helper holds
   * two new messages: the row counts them and offers the call. */
  wait_until (row_counts_voicemails, (gpointer) "2 new voicemails",
              "the row to count bob's voicemails");
  g_assert_true (g_str_has_prefix (row_state (), "Online"));
  button = dt_test_find_by_id (GTK_WIDGET (row), "voicemail_button");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  save_screenshot (GTK_WIDGET (t.dialog), "accounts-voicemail.png");

  g_signal_emit_by_name (button, "clicked");
  g_assert_nonnull (t.dialled);
  g_variant_get (t.dialled, "(&s&s)", &uri, &id);
  g_assert_cmpstr (id, ==, dt_account_get_id (bob));
  g_assert_cmpstr (uri, ==, "tel:*97");

  /* The editor shows what was saved, the TURN password read back. */
  open_row (row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child ("voicemail_row"))), ==,
                   "tel:*97");
  g_assert_nonnull (find_remove_button (ice_child ("server_list"), "turns:turn.example.org"));
  wait_until (editor_text_is, (gpointer) "bobpw", "the stored password in the editor");
  g_assert_true (gtk_widget_activate_action (dt_accounts_dialog_get_editor (t.dialog),
                                             "editor.cancel", NULL));
  wait_until (editor_closed, NULL, "the editor to close on Cancel");

  /* An emptied mailbox takes the count and the button away. */
  dt_test_helper_send_command (t.helper,
                               "{\"command\":\"set-mailbox\",\"user\":\"bob\","
                               "\"new\":0,\"old\":3}");
  wait_until (voicemail_button_hidden, button, "the voicemail button to go");
  g_assert_cmpstr (row_state (), ==, "Online");
  gtk_widget_insert_action_group (GTK_WIDGET (t.dialog), "app", NULL);
}

static gboolean
on_stopped_flag (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_manager_stopped (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  dt_call_manager_stop_finish (DT_CALL_MANAGER (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(DtSipBackend) sip = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stopped = FALSE;
  int status;

  /* The settings go to a file of the test's own, so that the test can
   * read what was written. */
  t.config_dir = g_dir_make_tmp ("dialtone-accounts-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", t.config_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "keyfile", TRUE);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  dt_test_keyring_start (KEYRING_DAEMON);
  t.helper = dt_test_helper_start ("--user", "alice:secret", "--user", "bob:bobpw",
                                   "--mailbox", "bob:2/1", NULL);

  t.settings = dt_settings_new ();
  t.registry = dt_backend_registry_new ();
  sip = dt_sip_backend_new ();
  dt_backend_registry_add (t.registry, DT_BACKEND (sip), NULL);
  t.manager = dt_call_manager_new (t.registry, dt_settings_get_accounts (t.settings));
  dt_call_manager_start (t.manager);

  t.dialog = dt_accounts_dialog_new (t.settings);
  gtk_window_set_default_size (GTK_WINDOW (t.dialog), 360, 640);

  g_test_add_func ("/accounts/add-edit-remove", test_accounts_add_edit_remove);
  g_test_add_func ("/accounts/voicemail-and-servers", test_accounts_voicemail_and_servers);
  status = g_test_run ();

  /* The dialog goes when its window does. */
  g_object_ref (t.dialog);
  gtk_window_destroy (GTK_WINDOW (t.dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (t.dialog);
  dt_call_manager_stop_async (t.manager, NULL, on_manager_stopped, &stopped);
  wait_until (on_stopped_flag, &stopped, "the accounts to disconnect");
  g_assert_finalize_object (t.manager);
  g_clear_object (&t.registry);
  g_clear_object (&t.settings);
  g_clear_pointer (&t.dialled, g_variant_unref);
  dt_test_helper_stop (t.helper);

  /* Deliver the Secret Service's last signals before letting go of it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  secret_service_disconnect ();
  dt_test_keyring_stop ();
  g_free (t.config_dir);
  return status;
}
