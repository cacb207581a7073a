/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dial-pad.c
 *
 * The dial pad under Xvfb: the keys type, what is typed or pasted calls
 * "app.dial" with the normalised address, Enter calls as the button does,
 * an empty entry cannot call, and a text that is not an address says why
 * and calls nothing. The window that holds it gives the "app" actions a
 * stand-in that records each call. A screenshot goes to the artefacts.
 */

#include "config.h"

#include <adwaita.h>

#include "dt-dial-pad.h"

static GPtrArray *dialled;

static void
on_dial (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  g_ptr_array_add (dialled, g_variant_dup_string (parameter, NULL));
}

static void
spin_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
find_by_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The key whose big label is @digit. */
static GtkWidget *
find_key (GtkWidget  *widget,
          const char *digit)
{
  if (GTK_IS_BUTTON (widget))
    {
      GtkWidget *box = gtk_button_get_child (GTK_BUTTON (widget));
      GtkWidget *label = box != NULL ? gtk_widget_get_first_child (box) : NULL;

      if (label != NULL && GTK_IS_LABEL (label)
          && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), digit) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_key (child, digit);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_error_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_error_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
screenshot (const char *name)
{
  const char *artifacts = g_getenv ("DT_TEST_ARTIFACTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (artifacts == NULL)
    return;
  g_mkdir_with_parents (artifacts, 0755);
  path = g_build_filename (artifacts, name, NULL);
  command = g_strdup_printf ("import -window root '%s'", path);
  if (!g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL))
    g_test_message ("No screenshot: import is missing");
}

static void
test_dial_pad (void)
{
  static const GActionEntry app_actions[] = {
    { "dial", on_dial, "s", NULL, NULL, { 0 } },
  };
  g_autoptr(GSimpleActionGroup) app = g_simple_action_group_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *pad = dt_dial_pad_new ();
  GtkWidget *entry, *error_label;
  const char *keys[] = { "5", "5", "5", "*", "0", "#" };

  dialled = g_ptr_array_new_with_free_func (g_free);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   NULL);
  gtk_widget_insert_action_group (window, "app", G_ACTION_GROUP (app));
  gtk_window_set_child (GTK_WINDOW (window), pad);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 560);
  gtk_window_present (GTK_WINDOW (window));
  spin_for (200);
  entry = find_by_type (pad, GTK_TYPE_ENTRY);
  g_assert_nonnull (entry);

  /* Empty: nothing to call. */
  g_assert_false (gtk_widget_activate_action (pad, "dial-pad.call", NULL) && dialled->len > 0);
  g_assert_cmpuint (dialled->len, ==, 0);

  /* The keys type. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkWidget *key = find_key (pad, keys[i]);

      g_assert_nonnull (key);
      g_signal_emit_by_name (key, "clicked");
    }
  g_assert_cmpstr (dt_dial_pad_get_text (DT_DIAL_PAD (pad)), ==, "555*0#");
  spin_for (300);
  screenshot ("dial-pad.png");

  /* A pasted number, called with Enter, normalised. */
  dt_dial_pad_set_text (DT_DIAL_PAD (pad), "+1 (555) 123-4567");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (dialled->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (dialled, 0), ==, "tel:+15551234567");

  /* An address, with the call button's action. */
  dt_dial_pad_set_text (DT_DIAL_PAD (pad), "alice@example.com");
  g_assert_true (gtk_widget_activate_action (pad, "dial-pad.call", NULL));
  g_assert_cmpuint (dialled->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (dialled, 1), ==, "sip:alice@example.com");

  /* Not an address: the reason shows, and nothing is called. */
  dt_dial_pad_set_text (DT_DIAL_PAD (pad), "call me maybe");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpuint (dialled->len, ==, 2);
  error_label = find_error_label (pad);
  g_assert_nonnull (error_label);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_test_message ("refused: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  spin_for (300);
  screenshot ("dial-pad-refused.png");
  /* Typing again takes the message away. */
  dt_dial_pad_set_text (DT_DIAL_PAD (pad), "9196");
  g_assert_false (gtk_widget_get_visible (error_label));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_pointer (&dialled, g_ptr_array_unref);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/dial-pad/keys-and-calls", test_dial_pad);

  return g_test_run ();
}
