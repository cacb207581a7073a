/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diagnostics-window.c
 *
 * The Diagnostics window, laid out like a GNOME Settings panel: the
 * servers (each URI checked with dt-ice-uri's parser as it is typed), the
 * test peer, Run and Cancel, then per URI and family a row that grows one
 * stage at a time as DtDiagRunner::stage-changed says, and once the report
 * is in, the grades, whether calls can use each relay, and the advice.
 *
 * The test peer is `dialtone-helper serve --diagnostics 0` started on
 * loopback the first time it is needed and kept for the window's life, or
 * a remote helper the person names. Either way the window asks the peer
 * for its UDP echoes (src/diagnostics/PEER.md) before the run.
 *
 * Passwords typed here live in the entries and in the run only: nothing in
 * this window writes settings or secrets, and the report never holds them.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "dt-application-private.h"
#include "dt-diag-runner.h"
#include "dt-diag-signal.h"
#include "dt-diagnostics-window.h"
#include "dt-diagnostics-window-private.h"

/* Long enough for a peer across the Internet, or a helper starting cold */
#define PEER_TIMEOUT_S 10

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_REGISTRY,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

typedef struct {
  AdwPreferencesGroup *group;
  AdwEntryRow         *uri_row;
  AdwEntryRow         *username_row;
  AdwEntryRow         *password_row;
  GtkLabel            *error_label;
} ServerEditor;

typedef struct {
  AdwActionRow     *row;
  GtkSpinner       *spinner;
  GtkImage         *icon;
  GtkLabel         *time_label;
  DtDiagStageState  state;
} StageView;

typedef struct {
  AdwExpanderRow *row;
  GtkSpinner     *spinner;
  GtkLabel       *grade_label;
  StageView       stages[DT_DIAG_N_STAGES];
  char           *advice;
} FamilyView;

typedef struct {
  char                *uri;
  AdwPreferencesGroup *group;
  FamilyView           families[2];
} UriView;

struct _DtDiagnosticsWindow
{
  AdwWindow             parent_instance;

  DtSettings           *settings;
  DtBackendRegistry    *registry;
  GPtrArray            *accounts;      /* DtAccount, behind items 1… of account_row */
  gboolean              filling_accounts;
  GPtrArray            *servers;       /* ServerEditor */
  GPtrArray            *uri_views;     /* UriView */

  gboolean              running;
  gboolean              disposed;      /* callbacks that outlive the widgets stop */
  GCancellable         *cancellable;   /* the run under way */
  GCancellable         *account_cancellable;  /* reading an account's servers */
  DtDiagRunner         *runner;
  DtDiagReport         *report;        /* the last finished run's */
  guint                 n_updates;
  guint                 n_done;
  GtkFileChooserNative *chooser;

  /* The local test peer */
  GSubprocess          *helper;
  GDataInputStream     *helper_out;
  GCancellable         *helper_cancellable;
  char                 *helper_url;
  SoupSession          *soup;

  AdwToastOverlay      *toasts;
  AdwComboRow          *account_row;
  GtkBox               *servers_box;
  GtkCheckButton       *local_check;
  GtkCheckButton       *remote_check;
  AdwEntryRow          *peer_url_row;
  AdwEntryRow          *peer_token_row;
  GtkWidget            *run_button;
  GtkWidget            *cancel_button;
  GtkWidget            *save_button;
  GtkLabel             *status_label;
  GtkScrolledWindow    *scroller;
  GtkWidget            *run_box;
  AdwPreferencesGroup  *summary_group;
  GtkBox               *results_box;
  AdwPreferencesGroup  *advice_group;
  GPtrArray            *summary_rows;  /* GtkWidget, in summary_group */
  GPtrArray            *advice_rows;   /* GtkWidget, in advice_group */
};

G_DEFINE_FINAL_TYPE (DtDiagnosticsWindow, dt_diagnostics_window, ADW_TYPE_WINDOW)

static void update_actions (DtDiagnosticsWindow *self);

/* --- helpers ------------------------------------------------------------ */

static guint
family_index (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? 1 : 0;
}

static const char *
family_label (guint index)
{
  return index == 1 ? _("IPv6") : _("IPv4");
}

static void
uri_view_free (UriView *view)
{
  for (guint f = 0; f < 2; f++)
    g_free (view->families[f].advice);
  g_free (view->uri);
  g_free (view);
}

static UriView *
find_uri_view (DtDiagnosticsWindow *self,
               const char          *uri)
{
  for (guint i = 0; i < self->uri_views->len; i++)
    {
      UriView *view = g_ptr_array_index (self->uri_views, i);

      if (g_str_equal (view->uri, uri))
        return view;
    }
  return NULL;
}

static FamilyView *
find_family_view (DtDiagnosticsWindow *self,
                  const char          *uri,
                  GSocketFamily        family)
{
  UriView *view = find_uri_view (self, uri);

  if (view == NULL || view->families[family_index (family)].row == NULL)
    return NULL;
  return &view->families[family_index (family)];
}

/* Text from servers goes into rows as it is, never as markup */
static GtkWidget *
plain_row (const char *title,
           const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

static char *
format_duration (gint64 duration_us)
{
  if (duration_us < 0)
    return NULL;
  if (duration_us < 10000)
    return g_strdup_printf (_("%.1f ms"), duration_us / 1000.0);
  if (duration_us < 10 * G_USEC_PER_SEC)
    return g_strdup_printf (_("%.0f ms"), duration_us / 1000.0);
  return g_strdup_printf (_("%.1f s"), duration_us / (double) G_USEC_PER_SEC);
}

static const char *
grade_style (DtDiagGrade grade)
{
  switch (grade)
    {
    case DT_DIAG_GRADE_EXCELLENT:
    case DT_DIAG_GRADE_GREAT:
      return "success";
    case DT_DIAG_GRADE_GOOD:
      return "accent";
    case DT_DIAG_GRADE_POOR:
      return "warning";
    case DT_DIAG_GRADE_FAIL:
      return "error";
    case DT_DIAG_GRADE_NONE:
    case DT_DIAG_GRADE_NOT_TESTED:
    default:
      return "dim-label";
    }
}

static void
set_grade_label (GtkLabel    *label,
                 DtDiagGrade  grade)
{
  const char *classes[] = { "heading", grade_style (grade), NULL };

  gtk_label_set_label (label, dt_diag_grade_to_label (grade));
  gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
}

static GtkWidget *
grade_label_new (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static void
clear_group (AdwPreferencesGroup *group,
             GPtrArray           *rows)
{
  for (guint i = 0; i < rows->len; i++)
    adw_preferences_group_remove (group, g_ptr_array_index (rows, i));
  g_ptr_array_set_size (rows, 0);
}

static void
set_status (DtDiagnosticsWindow *self,
            const char          *status)
{
  gtk_label_set_label (self->status_label, status != NULL ? status : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
}

static void
toast (DtDiagnosticsWindow *self,
       const char          *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

/* --- servers ------------------------------------------------------------ */

static gboolean
server_is_empty (ServerEditor *editor)
{
  return *gtk_editable_get_text (GTK_EDITABLE (editor->uri_row)) == '\0';
}

/* Checks the URI as typed: the parser's own message under the row, and
 * user name and password only where a TURN server takes them. */
static gboolean
server_validate (ServerEditor *editor)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (editor->uri_row));
  g_autoptr(DtIceUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  gboolean turn = TRUE;

  if (*text != '\0')
    uri = dt_ice_uri_parse (text, &error);
  if (uri != NULL && !dt_ice_uri_is_supported (uri))
    g_set_error (&error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                 _("Unknown URI parameters “%s”"), uri->unknown_query);
  if (uri != NULL)
    turn = dt_ice_uri_is_turn (uri);

  gtk_label_set_label (editor->error_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (editor->error_label), error != NULL);
  if (error != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (editor->uri_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (editor->uri_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (editor->uri_row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (editor->uri_row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (editor->uri_row),
                                  GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (editor->uri_row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  gtk_widget_set_visible (GTK_WIDGET (editor->username_row), turn);
  gtk_widget_set_visible (GTK_WIDGET (editor->password_row), turn);
  return error == NULL;
}

static void
on_server_changed (DtDiagnosticsWindow *self)
{
  update_actions (self);
}

static void
renumber_servers (DtDiagnosticsWindow *self)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerEditor *editor = g_ptr_array_index (self->servers, i);
      g_autofree char *title = g_strdup_printf (_("Server %u"), i + 1);

      adw_preferences_group_set_title (editor->group, title);
    }
}

static void
on_remove_server (GtkButton           *button,
                  DtDiagnosticsWindow *self)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerEditor *editor = g_ptr_array_index (self->servers, i);

      if (adw_preferences_group_get_header_suffix (editor->group) != GTK_WIDGET (button))
        continue;
      gtk_box_remove (self->servers_box, GTK_WIDGET (editor->group));
      g_ptr_array_remove_index (self->servers, i);
      break;
    }
  renumber_servers (self);
  update_actions (self);
}

static GtkWidget *
entry_row_new (GType       type,
               const char *title)
{
  GtkWidget *row = g_object_new (type, "title", title, NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  return row;
}

static ServerEditor *
add_server (DtDiagnosticsWindow *self,
            const char          *uri,
            const char          *username,
            const char          *password)
{
  ServerEditor *editor = g_new0 (ServerEditor, 1);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  editor->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  editor->uri_row = ADW_ENTRY_ROW (entry_row_new (ADW_TYPE_ENTRY_ROW, _("STUN or TURN URI")));
  editor->username_row = ADW_ENTRY_ROW (entry_row_new (ADW_TYPE_ENTRY_ROW, _("User Name")));
  editor->password_row = ADW_ENTRY_ROW (entry_row_new (ADW_TYPE_PASSWORD_ENTRY_ROW,
                                                       _("Password")));
  editor->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_editable_set_text (GTK_EDITABLE (editor->uri_row), uri ? uri : "");
  gtk_editable_set_text (GTK_EDITABLE (editor->username_row), username ? username : "");
  gtk_editable_set_text (GTK_EDITABLE (editor->password_row), password ? password : "");
  adw_entry_row_set_input_hints (editor->uri_row, GTK_INPUT_HINT_NO_SPELLCHECK);
  adw_entry_row_set_input_hints (editor->username_row, GTK_INPUT_HINT_NO_SPELLCHECK);

  gtk_label_set_wrap (editor->error_label, TRUE);
  gtk_label_set_xalign (editor->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (editor->error_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (editor->error_label), "caption");
  gtk_widget_set_margin_top (GTK_WIDGET (editor->error_label), 6);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove Server"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove Server"), -1);
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_server), self);
  adw_preferences_group_set_header_suffix (editor->group, remove);

  adw_preferences_group_add (editor->group, GTK_WIDGET (editor->uri_row));
  adw_preferences_group_add (editor->group, GTK_WIDGET (editor->username_row));
  adw_preferences_group_add (editor->group, GTK_WIDGET (editor->password_row));
  adw_preferences_group_add (editor->group, GTK_WIDGET (editor->error_label));
  g_signal_connect_swapped (editor->uri_row, "changed", G_CALLBACK (on_server_changed), self);

  gtk_box_append (self->servers_box, GTK_WIDGET (editor->group));
  g_ptr_array_add (self->servers, editor);
  renumber_servers (self);
  server_validate (editor);
  return editor;
}

static void
clear_servers (DtDiagnosticsWindow *self)
{
  while (self->servers->len > 0)
    {
      ServerEditor *editor = g_ptr_array_index (self->servers, 0);

      gtk_box_remove (self->servers_box, GTK_WIDGET (editor->group));
      g_ptr_array_remove_index (self->servers, 0);
    }
}

/* --- accounts ----------------------------------------------------------- */

/* The servers the account's backend learnt from its server (DtBackend's
 * get_ice_servers), after those the person set for the account.
 * Returns: (transfer container) (element-type DtIceServer): never %NULL */
static GPtrArray *
learnt_servers (DtDiagnosticsWindow *self,
                DtAccount           *account)
{
  DtBackend *backend = NULL;

  if (self->registry != NULL)
    backend = dt_backend_registry_lookup_protocol (self->registry,
                                                   dt_account_get_protocol (account), NULL);
  if (backend == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  return dt_backend_get_ice_servers (backend, account);
}

static void
fill_accounts (DtDiagnosticsWindow *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GListModel *accounts = self->settings ? dt_settings_get_accounts (self->settings) : NULL;

  g_ptr_array_set_size (self->accounts, 0);
  gtk_string_list_append (labels, _("None, Typed Here"));
  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(DtAccount) account = g_list_model_get_item (accounts, i);
      g_autofree char *label = dt_account_dup_label (account);

      gtk_string_list_append (labels, label);
      g_ptr_array_add (self->accounts, g_steal_pointer (&account));
    }
  self->filling_accounts = TRUE;
  adw_combo_row_set_model (self->account_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->account_row, 0);
  self->filling_accounts = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->account_row), self->accounts->len > 0);
}

static void
on_accounts_changed (GListModel          *accounts,
                     guint                position,
                     guint                removed,
                     guint                added,
                     DtDiagnosticsWindow *self)
{
  fill_accounts (self);
}

typedef struct
{
  DtDiagnosticsWindow *self;
  DtAccount           *account;
} AccountLookup;

static void
on_account_servers (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autofree AccountLookup *lookup = user_data;
  g_autoptr(DtDiagnosticsWindow) self = lookup->self;
  g_autoptr(DtAccount) account = lookup->account;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) learnt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  servers = dt_account_lookup_ice_servers_finish (account, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->disposed)
    return;
  label = dt_account_dup_label (account);
  if (servers == NULL)
    {
      /* Without the keyring the servers still come, without a TURN
       * password, which the person can type. */
      g_autofree char *message =
        g_strdup_printf (_("The TURN password of %s could not be read: %s"), label,
                         error->message);

      toast (self, message);
      servers = dt_account_dup_ice_servers (account, NULL);
    }
  learnt = learnt_servers (self, account);
  for (guint i = 0; i < learnt->len; i++)
    g_ptr_array_add (servers, g_object_ref (g_ptr_array_index (learnt, i)));

  if (servers->len == 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("Dialtone knows no STUN or TURN servers of %s yet"), label);

      toast (self, message);
      return;
    }

  clear_servers (self);
  for (guint i = 0; i < servers->len; i++)
    {
      DtIceServer *server = g_ptr_array_index (servers, i);
      const char * const *uris = dt_ice_server_get_uris (server);

      for (guint u = 0; uris[u] != NULL; u++)
        add_server (self, uris[u], dt_ice_server_get_username (server),
                    dt_ice_server_get_credential (server));
    }
  update_actions (self);
}

/* The servers of the chosen account: those set for it, with the TURN
 * password from the Secret Service, then those its backend learnt. */
static void
on_account_selected (DtDiagnosticsWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->account_row);
  AccountLookup *lookup;

  if (self->filling_accounts || selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > self->accounts->len)
    return;
  g_cancellable_cancel (self->account_cancellable);
  g_clear_object (&self->account_cancellable);
  self->account_cancellable = g_cancellable_new ();
  lookup = g_new0 (AccountLookup, 1);
  lookup->self = g_object_ref (self);
  lookup->account = g_object_ref (g_ptr_array_index (self->accounts, selected - 1));
  dt_account_lookup_ice_servers_async (lookup->account, self->account_cancellable,
                                       on_account_servers, lookup);
}

/* --- the peer ----------------------------------------------------------- */

static gboolean
remote_peer (DtDiagnosticsWindow *self)
{
  return gtk_check_button_get_active (self->remote_check);
}

static gboolean
peer_url_valid (const char *url)
{
  return (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://")) &&
         g_uri_is_valid (url, G_URI_FLAGS_NONE, NULL);
}

static void
on_peer_toggled (DtDiagnosticsWindow *self)
{
  gboolean remote = remote_peer (self);

  gtk_widget_set_visible (GTK_WIDGET (self->peer_url_row), remote);
  gtk_widget_set_visible (GTK_WIDGET (self->peer_token_row), remote);
  update_actions (self);
}

static void
on_peer_changed (DtDiagnosticsWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->peer_url_row));

  if (*url != '\0' && !peer_url_valid (url))
    gtk_widget_add_css_class (GTK_WIDGET (self->peer_url_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->peer_url_row), "error");
  update_actions (self);
}

/* The helper goes when Dialtone goes, however it goes */

static void run_failed   (DtDiagnosticsWindow *self,
                          const GError        *error);
static void start_runner (DtDiagnosticsWindow *self);

static void
on_peer_info (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(DtDiagnosticsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) echoes = NULL;
  SoupMessage *message;
  const char *data;
  gsize length;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (self->disposed)
    return;
  message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  if (body != NULL && soup_message_get_status (message) != SOUP_STATUS_OK)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The test peer answered %u %s"),
                 soup_message_get_status (message), soup_message_get_reason_phrase (message));
  if (error == NULL)
    {
      data = g_bytes_get_data (body, &length);
      echoes = dt_diag_signal_parse_info (data, length, &error);
    }
  if (error != NULL)
    {
      run_failed (self, error);
      return;
    }

  for (guint i = 0; i < echoes->len; i++)
    dt_diag_runner_set_peer (self->runner, g_ptr_array_index (echoes, i));
  set_status (self, _("Testing…"));
  start_runner (self);
}

/* PEER.md: the peer's UDP echoes, one per family */
static void
ask_peer (DtDiagnosticsWindow *self,
          const char          *url,
          const char          *token)
{
  g_autofree char *info_url = g_str_has_suffix (url, "/")
                              ? g_strconcat (url, &DT_DIAG_SIGNAL_PATH_INFO[1], NULL)
                              : g_strconcat (url, DT_DIAG_SIGNAL_PATH_INFO, NULL);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, info_url);

  if (message == NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                             _("“%s” is not a URL"), url);

      run_failed (self, error);
      return;
    }
  if (token != NULL && *token != '\0')
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                    value);
    }
  dt_diag_runner_set_peer_url (self->runner, url, token != NULL && *token != '\0' ? token : NULL);
  soup_session_send_and_read_async (self->soup, message, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_peer_info, g_object_ref (self));
}

static void drain_helper (GDataInputStream *out,
                          GCancellable     *cancellable);

static void
on_helper_line (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GCancellable) cancellable = user_data;
  g_autofree char *line = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    NULL);
  if (line != NULL)
    drain_helper (G_DATA_INPUT_STREAM (source), cancellable);
}

/* After its ready line the helper prints one line per ICE session: read
 * them, or a full pipe would stop the peer in the middle of a run */
static void
drain_helper (GDataInputStream *out,
              GCancellable     *cancellable)
{
  g_data_input_stream_read_line_async (out, G_PRIORITY_LOW, cancellable, on_helper_line,
                                       g_object_ref (cancellable));
}

static void
on_helper_ready (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DtDiagnosticsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;
  JsonObject *diagnostics = NULL;
  const char *url = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (self->disposed)
    return;
  if (line != NULL)
    node = json_from_string (line, &error);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    diagnostics = json_object_get_object_member (json_node_get_object (node), "diagnostics");
  if (diagnostics != NULL)
    url = json_object_get_string_member_with_default (diagnostics, "url", NULL);
  if (url == NULL || !peer_url_valid (url))
    {
      if (error == NULL)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _("The test peer did not start"));
      /* A helper that said nothing useful is no use for the next run */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->helper != NULL)
        {
          g_subprocess_force_exit (self->helper);
          g_clear_object (&self->helper);
          g_clear_object (&self->helper_out);
        }
      run_failed (self, error);
      return;
    }

  self->helper_url = g_strdup (url);
  drain_helper (self->helper_out, self->helper_cancellable);
  ask_peer (self, self->helper_url, NULL);
}

/* DESIGN.md: the helper on loopback, started once, for this window */
static void
start_local_peer (DtDiagnosticsWindow *self)
{
  g_autofree char *helper = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  if (self->helper_url != NULL)
    {
      ask_peer (self, self->helper_url, NULL);
      return;
    }
  if (self->helper_out != NULL)
    {
      /* A cancelled run left it starting: read its ready line now */
      g_data_input_stream_read_line_async (self->helper_out, G_PRIORITY_DEFAULT,
                                           self->cancellable, on_helper_ready,
                                           g_object_ref (self));
      return;
    }

  helper = _dt_application_find_helper ();
  if (helper == NULL)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("dialtone-helper is not installed; choose a remote test peer"));
      run_failed (self, error);
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, _dt_application_helper_child_setup, NULL, NULL);
  self->helper = g_subprocess_launcher_spawn (launcher, &error, helper, "serve",
                                              "--listen", "127.0.0.1", "--diagnostics", "0",
                                              NULL);
  if (self->helper == NULL)
    {
      run_failed (self, error);
      return;
    }
  self->helper_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->helper));
  g_data_input_stream_read_line_async (self->helper_out, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_helper_ready, g_object_ref (self));
}

/* --- progress ----------------------------------------------------------- */

static gboolean
on_scroll_to_run (gpointer user_data)
{
  DtDiagnosticsWindow *self = user_data;
  GtkWidget *content = gtk_scrolled_window_get_child (self->scroller);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  graphene_point_t point;

  /* The viewport's coordinates start at what it shows */
  if (gtk_widget_compute_point (self->run_box, content, &GRAPHENE_POINT_INIT (0, 0), &point))
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + point.y - 12);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

/* Run is at the foot of the settings: bring what it does into view, once
 * the rows it added are laid out */
static void
scroll_to_run (DtDiagnosticsWindow *self)
{
  g_idle_add (on_scroll_to_run, g_object_ref (self));
}

static void
set_running (DtDiagnosticsWindow *self,
             gboolean             running)
{
  if (self->running == running)
    return;
  self->running = running;
  gtk_widget_set_visible (self->cancel_button, running);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RUNNING]);
}

static FamilyView *
ensure_family_view (DtDiagnosticsWindow *self,
                    const char          *uri,
                    GSocketFamily        family)
{
  UriView *view = find_uri_view (self, uri);
  FamilyView *family_view;
  guint f = family_index (family);
  GtkWidget *row;

  if (view == NULL)
    {
      view = g_new0 (UriView, 1);
      view->uri = g_strdup (uri);
      view->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      adw_preferences_group_set_title (view->group, uri);
      gtk_box_append (self->results_box, GTK_WIDGET (view->group));
      g_ptr_array_add (self->uri_views, view);
    }
  family_view = &view->families[f];
  if (family_view->row != NULL)
    return family_view;

  row = adw_expander_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), family_label (f));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), _("Testing…"));
  family_view->row = ADW_EXPANDER_ROW (row);
  family_view->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_spinner_set_spinning (family_view->spinner, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (family_view->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Testing"), -1);
  family_view->grade_label = GTK_LABEL (grade_label_new ());
  adw_expander_row_add_action (family_view->row, GTK_WIDGET (family_view->grade_label));
  adw_expander_row_add_action (family_view->row, GTK_WIDGET (family_view->spinner));
  /* What is being tested shows; results stay one click away */
  adw_expander_row_set_expanded (family_view->row, TRUE);
  adw_preferences_group_add (view->group, row);
  return family_view;
}

static void
stage_view_show (StageView        *stage_view,
                 DtDiagStageState  state,
                 const DtDiagStageResult *result,
                 gboolean          cancelled)
{
  const char *icon = NULL;
  const char *style = NULL;
  const char *label = NULL;
  g_autofree char *time = NULL;
  g_autofree char *subtitle = NULL;

  stage_view->state = state;
  switch (state)
    {
    case DT_DIAG_STAGE_RUNNING:
      label = cancelled ? _("Cancelled") : _("Running");
      if (cancelled)
        {
          icon = "process-stop-symbolic";
          style = "dim-label";
          subtitle = g_strdup (_("Cancelled"));
        }
      break;
    case DT_DIAG_STAGE_PASSED:
      icon = "emblem-ok-symbolic";
      style = "success";
      label = _("Passed");
      time = format_duration (result->duration_us);
      break;
    case DT_DIAG_STAGE_FAILED:
      icon = "dialog-error-symbolic";
      style = "error";
      label = _("Failed");
      time = format_duration (result->duration_us);
      subtitle = result->detail != NULL
                 ? g_strdup_printf ("%s: %s", dt_diag_reason_to_label (result->reason),
                                    result->detail)
                 : g_strdup (dt_diag_reason_to_label (result->reason));
      break;
    case DT_DIAG_STAGE_SKIPPED:
      icon = "action-unavailable-symbolic";
      style = "dim-label";
      label = _("Does not apply");
      subtitle = g_strdup (_("Does not apply"));
      break;
    case DT_DIAG_STAGE_NOT_RUN:
    default:
      icon = "action-unavailable-symbolic";
      style = "dim-label";
      label = _("Not run");
      subtitle = result != NULL && result->detail != NULL ? g_strdup (result->detail)
                                                          : g_strdup (_("Not run"));
      break;
    }

  gtk_spinner_set_spinning (stage_view->spinner, icon == NULL);
  gtk_widget_set_visible (GTK_WIDGET (stage_view->spinner), icon == NULL);
  gtk_widget_set_visible (GTK_WIDGET (stage_view->icon), icon != NULL);
  if (icon != NULL)
    {
      const char *classes[] = { style, NULL };

      gtk_image_set_from_icon_name (stage_view->icon, icon);
      gtk_widget_set_css_classes (GTK_WIDGET (stage_view->icon), classes);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (stage_view->icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_label_set_label (stage_view->time_label, time != NULL ? time : "");
  adw_action_row_set_subtitle (stage_view->row, subtitle != NULL ? subtitle : "");
}

static StageView *
ensure_stage_view (FamilyView  *family_view,
                   DtDiagStage  stage)
{
  StageView *stage_view = &family_view->stages[stage];
  GtkWidget *row;

  if (stage_view->row != NULL)
    return stage_view;

  row = plain_row (dt_diag_stage_to_label (stage), NULL);
  stage_view->row = ADW_ACTION_ROW (row);
  stage_view->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (stage_view->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Running"), -1);
  stage_view->icon = GTK_IMAGE (gtk_image_new ());
  stage_view->time_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (stage_view->time_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (stage_view->time_label), "numeric");
  adw_action_row_add_prefix (stage_view->row, GTK_WIDGET (stage_view->spinner));
  adw_action_row_add_prefix (stage_view->row, GTK_WIDGET (stage_view->icon));
  adw_action_row_add_suffix (stage_view->row, GTK_WIDGET (stage_view->time_label));
  adw_expander_row_add_row (family_view->row, row);
  return stage_view;
}

static gboolean
entry_not_tested (const DtDiagEntry *entry)
{
  DtDiagReason reason = entry->stages[DT_DIAG_STAGE_RESOLVE].reason;

  return reason == DT_DIAG_REASON_DNS_NO_ADDRESS ||
         reason == DT_DIAG_REASON_FAMILY_NOT_AVAILABLE;
}

static char *family_subtitle (const DtDiagEntry *entry);

static void
family_view_done (FamilyView        *family_view,
                  const DtDiagEntry *entry)
{
  g_autofree char *subtitle = family_subtitle (entry);

  gtk_spinner_set_spinning (family_view->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (family_view->spinner), FALSE);
  adw_expander_row_set_subtitle (family_view->row, subtitle);
  /* Nothing to read in a family the URI cannot be tried in */
  if (entry_not_tested (entry))
    adw_expander_row_set_expanded (family_view->row, FALSE);
}

static void
on_stage_changed (DtDiagRunner        *runner,
                  gpointer             entry_pointer,
                  guint                stage,
                  guint                state,
                  DtDiagnosticsWindow *self)
{
  const DtDiagEntry *entry = entry_pointer;
  FamilyView *family_view;
  StageView *stage_view;
  g_autofree char *status = NULL;

  /* A URI that parsed is shown as it goes; one that did not, with its error */
  family_view = ensure_family_view (self, entry->uri_text, entry->family);
  stage_view = ensure_stage_view (family_view, stage);
  stage_view_show (stage_view, state, &entry->stages[stage], FALSE);
  self->n_updates++;
  if (state != DT_DIAG_STAGE_RUNNING)
    self->n_done++;
  /* The ICE check is an entry's last word, and a URI that does not parse
   * has no other: the grade follows with the report */
  if ((stage == DT_DIAG_STAGE_ICE && state != DT_DIAG_STAGE_RUNNING) ||
      (stage == DT_DIAG_STAGE_PARSE && state == DT_DIAG_STAGE_FAILED))
    family_view_done (family_view, entry);

  status = g_strdup_printf (ngettext ("Testing… %u step done", "Testing… %u steps done",
                                      self->n_done), self->n_done);
  set_status (self, status);
}

/* --- results ------------------------------------------------------------ */

/* Before the report is scored, @entry's score is all zero: calls are
 * then DT_DIAG_CALLS_NONE and only the failure shows */
static char *
family_subtitle (const DtDiagEntry *entry)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const DtDiagStageResult *failure = dt_diag_entry_get_failure (entry, NULL);

  if (entry->score.grade == DT_DIAG_GRADE_NOT_TESTED || entry_not_tested (entry))
    {
      g_string_append (text, _("Not tested"));
      if (failure != NULL && failure->detail != NULL)
        g_string_append_printf (text, ": %s", failure->detail);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (failure != NULL)
    g_string_append_printf (text, _("Failed: %s"), dt_diag_reason_to_label (failure->reason));
  switch (entry->score.calls)
    {
    case DT_DIAG_CALLS_YES:
      g_string_append_printf (text, "%s%s", text->len ? " · " : "", _("Usable by calls"));
      break;
    case DT_DIAG_CALLS_NO:
      g_string_append_printf (text, "%s%s", text->len ? " · " : "", _("Not usable by calls"));
      break;
    case DT_DIAG_CALLS_UNKNOWN:
      g_string_append_printf (text, "%s%s", text->len ? " · " : "",
                              _("Not checked for calls"));
      break;
    case DT_DIAG_CALLS_NONE:
    default:
      break;
    }
  if (text->len == 0)
    g_string_append (text, _("Done"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_entry_result (DtDiagnosticsWindow *self,
                   const DtDiagEntry   *entry)
{
  FamilyView *family_view = ensure_family_view (self, entry->uri_text, entry->family);
  g_autofree char *subtitle = family_subtitle (entry);
  g_autofree char *warning = dt_diag_entry_get_warning (entry);

  family_view_done (family_view, entry);
  if (entry->score.grade != DT_DIAG_GRADE_NONE)
    set_grade_label (family_view->grade_label, entry->score.grade);
  adw_expander_row_set_subtitle (family_view->row, subtitle);

  if (entry->score.rule != NULL)
    adw_expander_row_add_row (family_view->row, plain_row (_("Why This Grade"),
                                                           entry->score.rule));
  if (entry->score.calls_rule != NULL)
    adw_expander_row_add_row (family_view->row, plain_row (_("Calls"),
                                                           entry->score.calls_rule));
  if (warning != NULL)
    adw_expander_row_add_row (family_view->row, plain_row (_("Warning"), warning));
  g_free (family_view->advice);
  family_view->advice = dt_diag_entry_get_advice (entry);
  if (family_view->advice != NULL && entry->score.grade != DT_DIAG_GRADE_NOT_TESTED)
    adw_expander_row_add_row (family_view->row, plain_row (_("Advice"), family_view->advice));
}

static void
show_report (DtDiagnosticsWindow *self)
{
  g_auto(GStrv) advice = dt_diag_report_get_advice (self->report);
  g_autofree char *duration = format_duration (dt_diag_report_get_duration (self->report));
  g_autofree char *status = NULL;

  for (guint i = 0; i < dt_diag_report_get_n_entries (self->report); i++)
    show_entry_result (self, dt_diag_report_get_entry (self->report, i));

  for (guint f = 0; f < 2; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      const DtDiagFamilyScore *score = dt_diag_report_get_family_score (self->report, family);
      g_autofree char *subtitle = NULL;
      GtkWidget *row, *label;

      subtitle = score->calls && score->rule != NULL
                 ? g_strdup_printf ("%s. %s", score->rule, _("Calls can use it."))
                 : g_strdup (score->rule);
      row = plain_row (family_label (f), subtitle);
      label = grade_label_new ();
      set_grade_label (GTK_LABEL (label), score->grade);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      adw_preferences_group_add (self->summary_group, row);
      g_ptr_array_add (self->summary_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->summary_group), TRUE);

  for (guint i = 0; advice[i] != NULL; i++)
    {
      GtkWidget *row = plain_row (advice[i], NULL);

      adw_preferences_group_add (self->advice_group, row);
      g_ptr_array_add (self->advice_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->advice_group), advice[0] != NULL);

  status = g_strdup_printf (_("Finished in %s"), duration != NULL ? duration : "?");
  set_status (self, status);
  scroll_to_run (self);
}

/* Rows still turning when the run stops say it stopped there */
static void
show_cancelled (DtDiagnosticsWindow *self)
{
  for (guint i = 0; i < self->uri_views->len; i++)
    {
      UriView *view = g_ptr_array_index (self->uri_views, i);

      for (guint f = 0; f < 2; f++)
        {
          FamilyView *family_view = &view->families[f];
          gboolean stopped = FALSE;

          if (family_view->row == NULL)
            continue;
          for (guint s = 0; s < DT_DIAG_N_STAGES; s++)
            if (family_view->stages[s].row != NULL &&
                family_view->stages[s].state == DT_DIAG_STAGE_RUNNING &&
                gtk_spinner_get_spinning (family_view->stages[s].spinner))
              {
                stage_view_show (&family_view->stages[s], DT_DIAG_STAGE_RUNNING, NULL, TRUE);
                stopped = TRUE;
              }
          if (gtk_spinner_get_spinning (family_view->spinner))
            {
              gtk_spinner_set_spinning (family_view->spinner, FALSE);
              gtk_widget_set_visible (GTK_WIDGET (family_view->spinner), FALSE);
              if (stopped)
                adw_expander_row_set_subtitle (family_view->row, _("Cancelled"));
            }
        }
    }
}

static void
end_run (DtDiagnosticsWindow *self)
{
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_func (self->runner, on_stage_changed, self);
  g_clear_object (&self->runner);
  g_clear_object (&self->cancellable);
  set_running (self, FALSE);
}

static void
run_failed (DtDiagnosticsWindow *self,
            const GError        *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      show_cancelled (self);
      set_status (self, _("Cancelled"));
    }
  else
    {
      g_autofree char *status = g_strdup_printf (_("The test could not run: %s"),
                                                 error->message);

      set_status (self, status);
    }
  end_run (self);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(DtDiagnosticsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagReport) report = NULL;

  report = dt_diag_runner_run_finish (DT_DIAG_RUNNER (source), result, &error);
  if (self->disposed)
    return;
  if (report == NULL)
    {
      run_failed (self, error);
      return;
    }
  self->report = g_steal_pointer (&report);
  show_report (self);
  end_run (self);
}

static void
start_runner (DtDiagnosticsWindow *self)
{
  g_signal_connect (self->runner, "stage-changed", G_CALLBACK (on_stage_changed), self);
  dt_diag_runner_run_async (self->runner, self->cancellable, on_run_done, g_object_ref (self));
}

static void
clear_results (DtDiagnosticsWindow *self)
{
  for (guint i = 0; i < self->uri_views->len; i++)
    {
      UriView *view = g_ptr_array_index (self->uri_views, i);

      gtk_box_remove (self->results_box, GTK_WIDGET (view->group));
    }
  g_ptr_array_set_size (self->uri_views, 0);
  clear_group (self->summary_group, self->summary_rows);
  clear_group (self->advice_group, self->advice_rows);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->advice_group), FALSE);
  g_clear_object (&self->report);
  self->n_updates = 0;
  self->n_done = 0;
}

/* --- actions ------------------------------------------------------------ */

static gboolean
can_run (DtDiagnosticsWindow *self)
{
  guint n_uris = 0;

  if (self->running)
    return FALSE;
  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerEditor *editor = g_ptr_array_index (self->servers, i);

      if (!server_validate (editor))
        return FALSE;
      n_uris += server_is_empty (editor) ? 0 : 1;
    }
  if (remote_peer (self) &&
      !peer_url_valid (gtk_editable_get_text (GTK_EDITABLE (self->peer_url_row))))
    return FALSE;
  return n_uris > 0;
}

static void
update_actions (DtDiagnosticsWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.run", can_run (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.cancel", self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "diagnostics.save",
                                 !self->running && self->report != NULL);
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (widget);

  if (!can_run (self))
    return;

  clear_results (self);
  self->runner = dt_diag_runner_new ();
  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerEditor *editor = g_ptr_array_index (self->servers, i);
      const char *username = gtk_editable_get_text (GTK_EDITABLE (editor->username_row));
      const char *password = gtk_editable_get_text (GTK_EDITABLE (editor->password_row));

      if (server_is_empty (editor))
        continue;
      dt_diag_runner_add_uri (self->runner,
                              gtk_editable_get_text (GTK_EDITABLE (editor->uri_row)),
                              *username != '\0' ? username : NULL,
                              *password != '\0' ? password : NULL);
    }
  self->cancellable = g_cancellable_new ();
  set_running (self, TRUE);
  scroll_to_run (self);

  if (remote_peer (self))
    {
      set_status (self, _("Asking the test peer…"));
      ask_peer (self, gtk_editable_get_text (GTK_EDITABLE (self->peer_url_row)),
                gtk_editable_get_text (GTK_EDITABLE (self->peer_token_row)));
    }
  else
    {
      set_status (self, _("Starting the test peer…"));
      start_local_peer (self);
    }
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (widget);

  g_cancellable_cancel (self->cancellable);
}

static void
add_server_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (widget);
  ServerEditor *editor = add_server (self, NULL, NULL, NULL);

  gtk_widget_grab_focus (GTK_WIDGET (editor->uri_row));
  update_actions (self);
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(DtDiagnosticsWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!_dt_diagnostics_window_save_finish (self, result, &error))
    {
      if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("The report could not be saved: %s"), error->message);
    }
  else
    message = g_strdup (_("Report saved"));
  if (!self->disposed)
    toast (self, message);
}

static void
on_chooser_response (GtkNativeDialog     *chooser,
                     int                  response,
                     DtDiagnosticsWindow *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    _dt_diagnostics_window_save_async (self, file, NULL, on_saved, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (widget);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "dialtone-diagnostics-%Y%m%d-%H%M.html");
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->report == NULL || self->chooser != NULL)
    return;
  /* GTK 4.8 has no GtkFileDialog */
  self->chooser = gtk_file_chooser_native_new (_("Save Report"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                               _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_set_name (filter, _("Web Pages"));
  gtk_file_filter_add_mime_type (filter, "text/html");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_diagnostics_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diagnostics_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diagnostics_window_constructed (GObject *object)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (object);

  G_OBJECT_CLASS (dt_diagnostics_window_parent_class)->constructed (object);

  fill_accounts (self);
  if (self->settings != NULL)
    g_signal_connect_object (dt_settings_get_accounts (self->settings), "items-changed",
                             G_CALLBACK (on_accounts_changed), self, 0);
  add_server (self, NULL, NULL, NULL);
  update_actions (self);
}

static void
dt_diagnostics_window_dispose (GObject *object)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->helper_cancellable);
  g_cancellable_cancel (self->account_cancellable);
  if (self->runner != NULL)
    g_signal_handlers_disconnect_by_func (self->runner, on_stage_changed, self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->helper != NULL)
    g_subprocess_send_signal (self->helper, SIGTERM);
  g_clear_object (&self->helper_out);
  g_clear_object (&self->helper);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_DIAGNOSTICS_WINDOW);

  G_OBJECT_CLASS (dt_diagnostics_window_parent_class)->dispose (object);
}

static void
dt_diagnostics_window_finalize (GObject *object)
{
  DtDiagnosticsWindow *self = DT_DIAGNOSTICS_WINDOW (object);

  g_clear_object (&self->runner);
  g_clear_object (&self->report);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->account_cancellable);
  g_clear_object (&self->soup);
  g_clear_object (&self->helper_cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->registry);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->servers, g_ptr_array_unref);
  g_clear_pointer (&self->uri_views, g_ptr_array_unref);
  g_clear_pointer (&self->summary_rows, g_ptr_array_unref);
  g_clear_pointer (&self->advice_rows, g_ptr_array_unref);
  g_free (self->helper_url);

  G_OBJECT_CLASS (dt_diagnostics_window_parent_class)->finalize (object);
}

static void
dt_diagnostics_window_class_init (DtDiagnosticsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_diagnostics_window_get_property;
  object_class->set_property = dt_diagnostics_window_set_property;
  object_class->constructed = dt_diagnostics_window_constructed;
  object_class->dispose = dt_diagnostics_window_dispose;
  object_class->finalize = dt_diagnostics_window_finalize;

  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, DT_TYPE_BACKEND_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtDiagnosticsWindow:running:
   *
   * Whether a test is under way, from Run until its report or its end.
   */
  props[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/dialtone/Dialtone/dt-diagnostics-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, account_row);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, servers_box);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, local_check);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, remote_check);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, peer_url_row);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, peer_token_row);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, scroller);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, run_box);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, summary_group);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, results_box);
  gtk_widget_class_bind_template_child (widget_class, DtDiagnosticsWindow, advice_group);
  gtk_widget_class_bind_template_callback (widget_class, on_account_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_peer_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_peer_changed);

  gtk_widget_class_install_action (widget_class, "diagnostics.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "diagnostics.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "diagnostics.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "diagnostics.add-server", NULL,
                                   add_server_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "diagnostics.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "diagnostics.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "diagnostics.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
}

static void
dt_diagnostics_window_init (DtDiagnosticsWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
  self->servers = g_ptr_array_new_with_free_func (g_free);
  self->uri_views = g_ptr_array_new_with_free_func ((GDestroyNotify) uri_view_free);
  self->summary_rows = g_ptr_array_new ();
  self->helper_cancellable = g_cancellable_new ();
  self->advice_rows = g_ptr_array_new ();
  /* The peer is Dialtone's own helper, or one the person named: no proxy */
  self->soup = soup_session_new_with_options ("timeout", PEER_TIMEOUT_S,
                                              "proxy-resolver", NULL, NULL);
}

/* --- public API --------------------------------------------------------- */

/**
 * dt_diagnostics_window_new:
 * @parent: (nullable): the window it belongs to
 * @settings: (nullable): the settings, for the accounts
 * @registry: (nullable): the backends, for the servers they learnt
 *
 * Returns: (transfer full): a new Diagnostics window
 */
DtDiagnosticsWindow *
dt_diagnostics_window_new (GtkWindow         *parent,
                           DtSettings        *settings,
                           DtBackendRegistry *registry)
{
  return g_object_new (DT_TYPE_DIAGNOSTICS_WINDOW,
                       "transient-for", parent,
                       "settings", settings,
                       "registry", registry,
                       NULL);
}

/**
 * dt_diagnostics_window_get_running:
 * @self: a #DtDiagnosticsWindow
 *
 * Returns: #DtDiagnosticsWindow:running
 */
gboolean
dt_diagnostics_window_get_running (DtDiagnosticsWindow *self)
{
  g_return_val_if_fail (DT_IS_DIAGNOSTICS_WINDOW (self), FALSE);

  return self->running;
}

/* --- for tests ---------------------------------------------------------- */

guint
_dt_diagnostics_window_get_n_servers (DtDiagnosticsWindow *self)
{
  return self->servers->len;
}

void
_dt_diagnostics_window_get_server_rows (DtDiagnosticsWindow  *self,
                                        guint                 index,
                                        AdwEntryRow         **uri,
                                        AdwEntryRow         **username,
                                        AdwEntryRow         **password)
{
  ServerEditor *editor;

  g_return_if_fail (index < self->servers->len);

  editor = g_ptr_array_index (self->servers, index);
  *uri = editor->uri_row;
  *username = editor->username_row;
  *password = editor->password_row;
}

GtkLabel *
_dt_diagnostics_window_get_server_error (DtDiagnosticsWindow *self,
                                         guint                index)
{
  g_return_val_if_fail (index < self->servers->len, NULL);

  return ((ServerEditor *) g_ptr_array_index (self->servers, index))->error_label;
}

AdwComboRow *
_dt_diagnostics_window_get_account_row (DtDiagnosticsWindow *self)
{
  return self->account_row;
}

GtkWidget *
_dt_diagnostics_window_get_run_button (DtDiagnosticsWindow *self)
{
  return self->run_button;
}

GtkWidget *
_dt_diagnostics_window_get_cancel_button (DtDiagnosticsWindow *self)
{
  return self->cancel_button;
}

GtkWidget *
_dt_diagnostics_window_get_save_button (DtDiagnosticsWindow *self)
{
  return self->save_button;
}

guint
_dt_diagnostics_window_get_n_updates (DtDiagnosticsWindow *self)
{
  return self->n_updates;
}

DtDiagStageState
_dt_diagnostics_window_get_stage_state (DtDiagnosticsWindow *self,
                                        const char          *uri,
                                        GSocketFamily        family,
                                        DtDiagStage          stage)
{
  FamilyView *family_view = find_family_view (self, uri, family);

  if (family_view == NULL || family_view->stages[stage].row == NULL)
    return DT_DIAG_STAGE_NOT_RUN;
  return family_view->stages[stage].state;
}

AdwExpanderRow *
_dt_diagnostics_window_get_family_row (DtDiagnosticsWindow *self,
                                       const char          *uri,
                                       GSocketFamily        family)
{
  FamilyView *family_view = find_family_view (self, uri, family);

  return family_view != NULL ? family_view->row : NULL;
}

const char *
_dt_diagnostics_window_get_grade (DtDiagnosticsWindow *self,
                                  const char          *uri,
                                  GSocketFamily        family)
{
  FamilyView *family_view = find_family_view (self, uri, family);

  if (family_view == NULL || !gtk_widget_get_visible (GTK_WIDGET (family_view->grade_label)))
    return NULL;
  return gtk_label_get_label (family_view->grade_label);
}

const char *
_dt_diagnostics_window_get_advice (DtDiagnosticsWindow *self,
                                   const char          *uri,
                                   GSocketFamily        family)
{
  FamilyView *family_view = find_family_view (self, uri, family);

  return family_view != NULL ? family_view->advice : NULL;
}

const char *
_dt_diagnostics_window_get_status (DtDiagnosticsWindow *self)
{
  return gtk_label_get_label (self->status_label);
}

static void
on_replaced (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Save Report… once the file is chosen */
void
_dt_diagnostics_window_save_async (DtDiagnosticsWindow *self,
                                   GFile               *file,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) html = NULL;
  char *text;

  g_return_if_fail (DT_IS_DIAGNOSTICS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _dt_diagnostics_window_save_async);
  if (self->report == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no report to save yet"));
      return;
    }
  text = dt_diag_report_to_html (self->report);
  html = g_bytes_new_take (text, strlen (text));
  g_task_set_task_data (task, g_bytes_ref (html), (GDestroyNotify) g_bytes_unref);
  g_file_replace_contents_bytes_async (file, html, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, on_replaced, g_steal_pointer (&task));
}

gboolean
_dt_diagnostics_window_save_finish (DtDiagnosticsWindow  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
