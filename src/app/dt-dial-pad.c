/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-dial-pad.c
 *
 * What is typed or pasted goes through core's dial-string normaliser, so
 * "+1 (555) 123-4567", "alice@example.com" and "sip:bob@example.org" all
 * call; anything else says why and calls nothing. A call is the
 * application's "app.dial" action with the normalised address, so the
 * dial pad knows nothing of accounts or backends.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-dial-pad.h"
#include "dt-uri.h"

struct _DtDialPad
{
  AdwBin     parent_instance;

  GtkEntry  *entry;
  GtkLabel  *error_label;
  GtkGrid   *keys;
  GtkButton *call_button;
};

G_DEFINE_FINAL_TYPE (DtDialPad, dt_dial_pad, ADW_TYPE_BIN)

/* ITU-T E.161: the letters on each key. */
static const struct {
  const char *digit;
  const char *letters;
} keypad[] = {
  { "1", "" }, { "2", "ABC" }, { "3", "DEF" },
  { "4", "GHI" }, { "5", "JKL" }, { "6", "MNO" },
  { "7", "PQRS" }, { "8", "TUV" }, { "9", "WXYZ" },
  { "*", "" }, { "0", "+" }, { "#", "" },
};

static void
update_call_button (DtDialPad *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry))));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dial-pad.call", *text != '\0');
}

static void
on_entry_changed (DtDialPad *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update_call_button (self);
}

static void
call (DtDialPad *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (text == NULL || *text == '\0')
    return;
  uri = dt_uri_normalize_dial_string (text, &error);
  if (uri == NULL)
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "app.dial", "s", uri);
}

static void
on_entry_activate (DtDialPad *self)
{
  call (self);
}

static void
call_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  call (DT_DIAL_PAD (widget));
}

static void
on_key_clicked (GtkButton *button,
                DtDialPad *self)
{
  const char *digit = g_object_get_data (G_OBJECT (button), "dt-digit");
  int position = -1;

  gtk_editable_insert_text (GTK_EDITABLE (self->entry), digit, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
}

static GtkWidget *
make_key (DtDialPad  *self,
          const char *digit,
          const char *letters)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *number = gtk_label_new (digit);
  GtkWidget *small = gtk_label_new (letters);
  g_autofree char *name = *letters != '\0' ? g_strdup_printf ("%s %s", digit, letters)
                                           : g_strdup (digit);

  gtk_widget_add_css_class (number, "title-2");
  gtk_widget_add_css_class (small, "caption");
  gtk_widget_add_css_class (small, "dim-label");
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), small);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_set_size_request (button, 72, 56);
  gtk_widget_set_focus_on_click (button, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  g_object_set_data (G_OBJECT (button), "dt-digit", (gpointer) digit);
  g_signal_connect (button, "clicked", G_CALLBACK (on_key_clicked), self);
  return button;
}

static void
dt_dial_pad_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), DT_TYPE_DIAL_PAD);
  G_OBJECT_CLASS (dt_dial_pad_parent_class)->dispose (object);
}

static void
dt_dial_pad_class_init (DtDialPadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = dt_dial_pad_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/dt-dial-pad.ui");
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, entry);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, error_label);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, keys);
  gtk_widget_class_bind_template_child (widget_class, DtDialPad, call_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);

  gtk_widget_class_install_action (widget_class, "dial-pad.call", NULL, call_action);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
dt_dial_pad_init (DtDialPad *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (keypad); i++)
    gtk_grid_attach (self->keys, make_key (self, keypad[i].digit, keypad[i].letters),
                     (int) (i % 3), (int) (i / 3), 1, 1);
  update_call_button (self);
}

/**
 * dt_dial_pad_new:
 *
 * Returns: (transfer floating): a dial pad; its calls go to "app.dial"
 */
GtkWidget *
dt_dial_pad_new (void)
{
  return g_object_new (DT_TYPE_DIAL_PAD, NULL);
}

const char *
dt_dial_pad_get_text (DtDialPad *self)
{
  g_return_val_if_fail (DT_IS_DIAL_PAD (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
dt_dial_pad_set_text (DtDialPad  *self,
                      const char *text)
{
  g_return_if_fail (DT_IS_DIAL_PAD (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
}
