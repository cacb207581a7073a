/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-servers-editor.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-ice-servers-editor.h"
#include "dt-ice-uri.h"

/**
 * DtIceServersEditor:
 *
 * The STUN and TURN section of the account editor: the account's servers,
 * one row each with a button that removes it, a field that adds one, and
 * the user name and password the TURN servers share.
 *
 * A person types any server URI in the one field: its scheme says whether
 * it is a STUN or a TURN server, so nobody has to know which list a
 * `turns:` URI belongs in. The URI is checked as it is typed, with core's
 * parser, and the error shows under the field as it does for the address.
 * A server is kept as the parser writes it back (lower-case scheme, short
 * IPv6 form), so the same server is not listed twice.
 *
 * The editor only holds what is on show: the account editor reads it on
 * Save, and keeps the TURN password in the Secret Service.
 */

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtIceServersEditor
{
  GtkWidget    parent_instance;

  GPtrArray   *stun;        /* of char *, as written back by the parser */
  GPtrArray   *turn;
  GPtrArray   *rows;        /* the server rows on show */
  gboolean     valid;

  GtkListBox  *server_list;
  AdwEntryRow *add_row;
  GtkButton   *add_button;
  GtkLabel    *add_error;
  GtkWidget   *credentials_list;
  AdwEntryRow *username_row;
  AdwPasswordEntryRow *password_row;
};

G_DEFINE_FINAL_TYPE (DtIceServersEditor, dt_ice_servers_editor, GTK_TYPE_WIDGET)

static const char *
describe_server (const DtIceUri *uri)
{
  switch (uri->scheme)
    {
    case DT_ICE_URI_SCHEME_STUN:
      return _("STUN");
    case DT_ICE_URI_SCHEME_STUNS:
      return _("STUN over TLS");
    case DT_ICE_URI_SCHEME_TURN:
      return uri->transport == DT_ICE_URI_TRANSPORT_TCP ? _("TURN over TCP")
                                                        : _("TURN over UDP");
    case DT_ICE_URI_SCHEME_TURNS:
      /* RFC 7350 §3: turns: with transport=udp is DTLS */
      return uri->transport == DT_ICE_URI_TRANSPORT_UDP ? _("TURN over DTLS")
                                                        : _("TURN over TLS");
    default:
      g_return_val_if_reached ("");
    }
}

static gboolean
list_contains (GPtrArray  *list,
               const char *written)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), written) == 0)
      return TRUE;
  return FALSE;
}

static void on_remove_clicked (GtkButton          *button,
                               DtIceServersEditor *self);

static GtkWidget *
create_server_row (DtIceServersEditor *self,
                   const char         *text)
{
  g_autoptr(DtIceUri) uri = dt_ice_uri_parse (text, NULL);
  g_autofree char *remove_name = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  /* A URI is text, not markup: "&" in a query would break the row. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  /* Stored lists can be edited by hand: a URI the parser refuses is shown
   * as it is, so that it can be removed. */
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               uri ? describe_server (uri) : _("Not a valid server URI"));

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Server"));
  /* Translators: the accessible name of the button that removes a STUN or
   * TURN server; %s is its URI */
  remove_name = g_strdup_printf (_("Remove %s"), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_name, -1);
  g_object_set_data_full (G_OBJECT (remove), "dt-server", g_strdup (text), g_free);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

/* The rows follow the lists: STUN first, then TURN, each in the order
 * added, and the field that adds one last. */
static void
update_rows (DtIceServersEditor *self)
{
  guint position = 0;

  for (guint i = 0; i < self->rows->len; i++)
    gtk_list_box_remove (self->server_list, g_ptr_array_index (self->rows, i));
  g_ptr_array_set_size (self->rows, 0);

  for (guint i = 0; i < self->stun->len + self->turn->len; i++)
    {
      const char *text = i < self->stun->len ? g_ptr_array_index (self->stun, i)
                                             : g_ptr_array_index (self->turn,
                                                                  i - self->stun->len);
      GtkWidget *row = create_server_row (self, text);

      gtk_list_box_insert (self->server_list, row, (int) position++);
      g_ptr_array_add (self->rows, row);
    }

  /* The user name and password mean nothing without a TURN server. */
  gtk_widget_set_visible (self->credentials_list, self->turn->len > 0);
}

static void
set_valid (DtIceServersEditor *self,
           gboolean            valid)
{
  if (self->valid == valid)
    return;
  self->valid = valid;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_VALID]);
}

/* Parses what the field holds: a server not yet listed comes back, written
 * as the parser writes it; anything else is an error for the person. */
static char *
check_pending (DtIceServersEditor  *self,
               gboolean            *is_turn,
               GError             **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->add_row));
  g_autoptr(DtIceUri) uri = dt_ice_uri_parse_supported (text, error);
  g_autofree char *written = NULL;

  if (uri == NULL)
    return NULL;
  written = dt_ice_uri_to_string (uri);
  if (list_contains (dt_ice_uri_is_turn (uri) ? self->turn : self->stun, written))
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                   _("“%s” is already in the list"), written);
      return NULL;
    }
  *is_turn = dt_ice_uri_is_turn (uri);
  return g_steal_pointer (&written);
}

static void
on_add_changed (DtIceServersEditor *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  gboolean is_turn;
  gboolean blank;

  written = check_pending (self, &is_turn, &error);
  /* An empty field is not wrong, only unused. */
  blank = g_error_matches (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_EMPTY);

  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), written != NULL);
  gtk_label_set_label (self->add_error, written || blank ? NULL : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->add_error), !written && !blank);
  if (written || blank)
    gtk_widget_remove_css_class (GTK_WIDGET (self->add_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->add_row), "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->add_row), GTK_ACCESSIBLE_STATE_INVALID,
                               written || blank ? GTK_ACCESSIBLE_INVALID_FALSE
                                                : GTK_ACCESSIBLE_INVALID_TRUE,
                               -1);
  set_valid (self, written != NULL || blank);
}

static void
on_add_activated (DtIceServersEditor *self)
{
  dt_ice_servers_editor_add_pending (self);
}

static void
on_remove_clicked (GtkButton          *button,
                   DtIceServersEditor *self)
{
  const char *text = g_object_get_data (G_OBJECT (button), "dt-server");
  GPtrArray *lists[] = { self->stun, self->turn };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      if (g_strcmp0 (g_ptr_array_index (lists[l], i), text) == 0)
        {
          g_ptr_array_remove_index (lists[l], i);
          update_rows (self);
          /* The field may have held this very server, an error until now. */
          on_add_changed (self);
          gtk_widget_grab_focus (GTK_WIDGET (self->add_row));
          return;
        }
}

static void
dt_ice_servers_editor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DtIceServersEditor *self = DT_ICE_SERVERS_EDITOR (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_ice_servers_editor_dispose (GObject *object)
{
  DtIceServersEditor *self = DT_ICE_SERVERS_EDITOR (object);
  GtkWidget *child;

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_ICE_SERVERS_EDITOR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (dt_ice_servers_editor_parent_class)->dispose (object);
}

static void
dt_ice_servers_editor_finalize (GObject *object)
{
  DtIceServersEditor *self = DT_ICE_SERVERS_EDITOR (object);

  g_ptr_array_unref (self->stun);
  g_ptr_array_unref (self->turn);

  G_OBJECT_CLASS (dt_ice_servers_editor_parent_class)->finalize (object);
}

static void
dt_ice_servers_editor_class_init (DtIceServersEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_ice_servers_editor_get_property;
  object_class->dispose = dt_ice_servers_editor_dispose;
  object_class->finalize = dt_ice_servers_editor_finalize;

  /**
   * DtIceServersEditor:valid:
   *
   * Whether the field that adds a server is empty or holds a server that
   * can be added: what Save needs, so that nothing typed is lost.
   */
  props[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL,
                          TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/"
                                               "dt-ice-servers-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, server_list);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, add_row);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, add_error);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, credentials_list);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, username_row);
  gtk_widget_class_bind_template_child (widget_class, DtIceServersEditor, password_row);
  gtk_widget_class_bind_template_callback (widget_class, on_add_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_add_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
dt_ice_servers_editor_init (DtIceServersEditor *self)
{
  self->stun = g_ptr_array_new_with_free_func (g_free);
  self->turn = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new ();
  self->valid = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* A screen reader tells what is wrong with the URI from this label. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->add_row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, self->add_error, -1);
  update_rows (self);
  on_add_changed (self);
}

/**
 * dt_ice_servers_editor_new:
 *
 * Returns: (transfer floating): a new, empty STUN and TURN section
 */
GtkWidget *
dt_ice_servers_editor_new (void)
{
  return g_object_new (DT_TYPE_ICE_SERVERS_EDITOR, NULL);
}

/**
 * dt_ice_servers_editor_set_servers:
 * @stun: (nullable) (array zero-terminated=1): the account's STUN URIs
 * @turn: (nullable) (array zero-terminated=1): its TURN URIs
 *
 * Shows an account's servers, replacing those on show.
 */
void
dt_ice_servers_editor_set_servers (DtIceServersEditor *self,
                                   const char * const *stun,
                                   const char * const *turn)
{
  g_return_if_fail (DT_IS_ICE_SERVERS_EDITOR (self));

  g_ptr_array_set_size (self->stun, 0);
  g_ptr_array_set_size (self->turn, 0);
  for (guint i = 0; stun && stun[i]; i++)
    g_ptr_array_add (self->stun, g_strdup (stun[i]));
  for (guint i = 0; turn && turn[i]; i++)
    g_ptr_array_add (self->turn, g_strdup (turn[i]));
  update_rows (self);
  on_add_changed (self);
}

static char **
dup_list (GPtrArray *list)
{
  char **copy = g_new0 (char *, list->len + 1);

  for (guint i = 0; i < list->len; i++)
    copy[i] = g_strdup (g_ptr_array_index (list, i));
  return copy;
}

/**
 * dt_ice_servers_editor_dup_stun_servers:
 *
 * Returns: (transfer full) (array zero-terminated=1): the STUN URIs listed
 */
char **
dt_ice_servers_editor_dup_stun_servers (DtIceServersEditor *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), NULL);

  return dup_list (self->stun);
}

/**
 * dt_ice_servers_editor_dup_turn_servers:
 *
 * Returns: (transfer full) (array zero-terminated=1): the TURN URIs listed
 */
char **
dt_ice_servers_editor_dup_turn_servers (DtIceServersEditor *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), NULL);

  return dup_list (self->turn);
}

/**
 * dt_ice_servers_editor_get_valid:
 *
 * Returns: the #DtIceServersEditor:valid property
 */
gboolean
dt_ice_servers_editor_get_valid (DtIceServersEditor *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), FALSE);

  return self->valid;
}

/**
 * dt_ice_servers_editor_add_pending:
 *
 * Adds the server the field holds, if it is a valid one not yet listed,
 * and empties the field. Save calls it too: a server typed and not yet
 * added is what the person meant to keep.
 *
 * Returns: whether a server was added
 */
gboolean
dt_ice_servers_editor_add_pending (DtIceServersEditor *self)
{
  g_autofree char *written = NULL;
  gboolean is_turn;

  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), FALSE);

  written = check_pending (self, &is_turn, NULL);
  if (written == NULL)
    return FALSE;
  g_ptr_array_add (is_turn ? self->turn : self->stun, g_steal_pointer (&written));
  update_rows (self);
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
  return TRUE;
}

/**
 * dt_ice_servers_editor_get_username:
 *
 * Returns: (transfer none): the field of the TURN user name
 */
GtkEditable *
dt_ice_servers_editor_get_username (DtIceServersEditor *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), NULL);

  return GTK_EDITABLE (self->username_row);
}

/**
 * dt_ice_servers_editor_get_password:
 *
 * Returns: (transfer none): the field of the TURN password
 */
GtkEditable *
dt_ice_servers_editor_get_password (DtIceServersEditor *self)
{
  g_return_val_if_fail (DT_IS_ICE_SERVERS_EDITOR (self), NULL);

  return GTK_EDITABLE (self->password_row);
}
