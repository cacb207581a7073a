/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-application.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/prctl.h>

#include <json-glib/json-glib.h>

#include "dt-accounts-dialog.h"
#include "dt-application.h"
#include "dt-application-private.h"
#include "dt-dbus-generated.h"
#include "dt-dbus-service.h"
#include "dt-diagnostics-window.h"
#include "dt-preferences-window.h"
#include "dt-ringer.h"
#include "dt-rtp-session.h"
#include "dt-uri.h"
#include "dt-window.h"
#if DT_ENABLE_SIP
#include "dt-sip-backend.h"
#endif

/**
 * DtApplication:
 *
 * The Dialtone program: owns the settings, the call history (opened in
 * the background at start-up), the backends and the call manager that
 * connects the accounts, the D-Bus interface, and the main window.
 *
 * Links (`sip:`, `sips:`, `tel:`, `callto:`) arrive through
 * org.freedesktop.Application.Open, from a browser, `gio open`, another
 * program or the command line. Each is checked, stripped of URI headers
 * that could steer the request (RFC 3261 §19.1.5), and, unless the person
 * turned it off, confirmed before anything is dialled: a web page must
 * never place a call by itself. While a call or a confirmation is on, the
 * application stays up even without a window (D-Bus activation).
 */

struct _DtApplication
{
  AdwApplication     parent_instance;

  DtSettings        *settings;
  DtHistory         *history;
  GCancellable      *cancellable;
  DtBackendRegistry *registry;
  DtCallManager     *manager;
  DtDBusService     *dbus_service;
  gboolean           held_for_calls;
  DtBackend         *sip;
  DtRinger          *ringer;
  DtAudioConfig     *audio;
  GHashTable        *notified;    /* ids of the ringing calls a notification shows */

  /* --demo: a helper on loopback and a throwaway account */
  gboolean           demo;
  GSubprocess       *demo_helper;
  GDataInputStream  *demo_out;
  DtAccount         *demo_account;
};

G_DEFINE_FINAL_TYPE (DtApplication, dt_application, ADW_TYPE_APPLICATION)

static DtWindow *
find_main_window (DtApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    {
      if (DT_IS_WINDOW (l->data))
        return l->data;
    }

  return NULL;
}

static void
on_history_opened (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DtApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  DtWindow *window;

  self->history = dt_history_new_finish (result, &error);
  if (self->history == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The call history is not available: %s", error->message);
      return;
    }

  if (self->manager != NULL)
    dt_call_manager_set_history (self->manager, self->history);
  window = find_main_window (self);
  if (window)
    dt_window_set_history (window, self->history);
}

/* --- calls -------------------------------------------------------------- */

static char *
notification_id (const char *call_id)
{
  return g_strconcat ("incoming-", call_id, NULL);
}

/* An incoming call is announced with Answer and Decline, which work with
 * the window hidden or closed (the actions are the application's). */
static void
notify_incoming (DtApplication *self,
                 DtCall        *call)
{
  g_autoptr(GNotification) notification = g_notification_new (_("Incoming Call"));
  g_autofree char *id = notification_id (dt_call_get_id (call));
  const char *name = dt_call_get_peer_name (call);
  const char *uri = dt_call_get_peer_uri (call);
  g_autofree char *body = NULL;

  body = name != NULL && *name != '\0' ? g_strdup_printf ("%s\n%s", name, uri)
                                         : g_strdup (uri);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_category (notification, "call.incoming");
  g_notification_add_button_with_target (notification, _("Decline"), "app.decline-call", "s",
                                         dt_call_get_id (call));
  g_notification_add_button_with_target (notification, _("Answer"), "app.answer-call", "s",
                                         dt_call_get_id (call));
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* An incoming call rings on the ringer device, with a notification, until
 * it is answered, declined or given up. */
static void
update_incoming (DtApplication *self)
{
  GListModel *calls;
  g_autoptr(GHashTable) ringing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer key;

  if (self->manager == NULL || self->ringer == NULL)
    return;
  calls = dt_call_manager_get_calls (self->manager);
  for (guint i = 0; i < g_list_model_get_n_items (calls); i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      if (dt_call_get_direction (call) != DT_CALL_DIRECTION_INCOMING
          || dt_call_get_state (call) != DT_CALL_STATE_RINGING)
        continue;
      g_hash_table_add (ringing, g_strdup (dt_call_get_id (call)));
      if (!g_hash_table_contains (self->notified, dt_call_get_id (call)))
        {
          notify_incoming (self, call);
          g_hash_table_add (self->notified, g_strdup (dt_call_get_id (call)));
        }
    }
  g_hash_table_iter_init (&iter, self->notified);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (ringing, key))
      {
        g_autofree char *id = notification_id (key);

        g_application_withdraw_notification (G_APPLICATION (self), id);
        g_hash_table_iter_remove (&iter);
      }

  if (g_hash_table_size (ringing) == 0)
    {
      dt_ringer_stop (self->ringer);
      return;
    }
  if (dt_ringer_is_ringing (self->ringer))
    return;
  dt_ringer_set_ringtone (self->ringer, dt_settings_get_ringtone (self->settings));
  if (!dt_ringer_start (self->ringer, &error))
    g_message ("An incoming call cannot ring: %s", error->message);
}

static void
on_call_state (DtCall     *call,
               GParamSpec *pspec,
               gpointer    user_data)
{
  update_incoming (user_data);
}

static void
on_calls_changed (GListModel *calls,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  DtApplication *self = user_data;
  gboolean live = g_list_model_get_n_items (calls) > 0;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(DtCall) call = g_list_model_get_item (calls, i);

      g_signal_connect_object (call, "notify::state", G_CALLBACK (on_call_state), self, 0);
    }
  update_incoming (self);

  /* A call keeps the program up, window or not. */
  if (live && !self->held_for_calls)
    g_application_hold (G_APPLICATION (self));
  else if (!live && self->held_for_calls)
    g_application_release (G_APPLICATION (self));
  self->held_for_calls = live;
}

#if DT_ENABLE_SIP
static void
on_media_timeout_changed (DtSettings *settings,
                          GParamSpec *pspec,
                          gpointer    user_data)
{
  dt_sip_backend_set_media_timeout (user_data, dt_settings_get_media_timeout (settings));
}
#endif

/* The person's audio preferences, followed as they change: the devices
 * (empty for the default one), the DSP stages. The GStreamer descriptions
 * of DIALTONE_AUDIO_SRC, DIALTONE_AUDIO_SINK and DIALTONE_RINGER_SINK, when
 * set, still take the place of the devices. */
static DtAudioConfig *
audio_config_from_settings (DtSettings *settings)
{
  static const struct {
    const char *setting;
    const char *audio;
  } bindings[] = {
    { "microphone", "source-device" },
    { "speaker", "sink-device" },
    { "ringer", "ringer-device" },
    { "echo-cancellation", "echo-cancel" },
    { "noise-suppression", "noise-suppression" },
    { "gain-control", "gain-control" },
  };
  DtAudioConfig *audio = dt_audio_config_new ();

  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    g_object_bind_property (settings, bindings[i].setting, audio, bindings[i].audio,
                            G_BINDING_SYNC_CREATE);
  return audio;
}

/* Make Default in the Accounts dialog takes effect for the next call. */
static void
on_default_account_changed (DtSettings *settings,
                            GParamSpec *pspec,
                            gpointer    user_data)
{
  dt_call_manager_set_default_account (user_data, dt_settings_get_default_account (settings));
}

/* The bus registration comes before start-up, and the D-Bus interface
 * needs the calls: whichever comes first sets them up. */
static void
set_up_calls (DtApplication *self)
{
  GListModel *accounts;

  if (self->manager != NULL)
    return;
  if (self->settings == NULL)
    self->settings = dt_settings_new ();
  accounts = dt_settings_get_accounts (self->settings);

  self->audio = audio_config_from_settings (self->settings);
  self->registry = dt_backend_registry_new ();
#if DT_ENABLE_SIP
  {
    g_autoptr(DtSipBackend) sip = dt_sip_backend_new ();

    dt_sip_backend_set_audio_config (sip, self->audio);
    dt_sip_backend_set_media_timeout (sip, dt_settings_get_media_timeout (self->settings));
    g_signal_connect_object (self->settings, "notify::media-timeout",
                             G_CALLBACK (on_media_timeout_changed), sip, 0);
    dt_backend_registry_add (self->registry, DT_BACKEND (sip), NULL);
    self->sip = DT_BACKEND (g_object_ref (sip));
  }
#endif
  self->ringer = dt_ringer_new (self->audio);
  self->manager = dt_call_manager_new (self->registry, accounts);
  dt_call_manager_set_default_account (self->manager,
                                       dt_settings_get_default_account (self->settings));
  g_signal_connect_object (self->settings, "notify::default-account",
                           G_CALLBACK (on_default_account_changed), self->manager, 0);
  g_signal_connect_object (dt_call_manager_get_calls (self->manager), "items-changed",
                           G_CALLBACK (on_calls_changed), self, 0);
  self->dbus_service = dt_dbus_service_new (self->manager, accounts);
}

static void
refuse_link (DtApplication *self,
             const char    *uri,
             const char    *reason)
{
  AdwMessageDialog *dialog;

  g_message ("Not calling %s: %s", uri, reason);
  dt_dbus_service_link_refused (self->dbus_service, uri, reason);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (gtk_application_get_active_window (
                                                         GTK_APPLICATION (self)),
                                                       _("This Link Cannot Be Called"),
                                                       NULL));
  adw_message_dialog_format_body (dialog, "%s", reason);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_link_dialled (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(DtApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;

  call = dt_call_manager_dial_finish (DT_CALL_MANAGER (source), result, &error);
  if (call == NULL)
    g_message ("The call could not be placed: %s", error->message);
  g_application_release (G_APPLICATION (self));
}

static void
dial_link (DtApplication *self,
           const char    *uri,
           DtAccount     *account)
{
  g_application_hold (G_APPLICATION (self));
  dt_call_manager_dial_async (self->manager, uri, account, self->cancellable, on_link_dialled,
                              g_object_ref (self));
}

typedef struct
{
  DtApplication *self;
  char          *uri;
  DtAccount     *account;
} Confirmation;

static void
confirmation_free (Confirmation *confirmation)
{
  g_object_unref (confirmation->self);
  g_free (confirmation->uri);
  g_object_unref (confirmation->account);
  g_free (confirmation);
}

static void
on_confirmed (AdwMessageDialog *dialog,
              const char       *response,
              gpointer          user_data)
{
  Confirmation *confirmation = user_data;

  if (g_str_equal (response, "call"))
    dial_link (confirmation->self, confirmation->uri, confirmation->account);
  g_application_release (G_APPLICATION (confirmation->self));
  confirmation_free (confirmation);
}

static void
confirm_link (DtApplication *self,
              const char    *uri,
              DtAccount     *account)
{
  AdwMessageDialog *dialog;
  Confirmation *confirmation;
  g_autofree char *label = dt_account_dup_label (account);

  confirmation = g_new0 (Confirmation, 1);
  confirmation->self = g_object_ref (self);
  confirmation->uri = g_strdup (uri);
  confirmation->account = g_object_ref (account);

  g_application_hold (G_APPLICATION (self));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (gtk_application_get_active_window (
                                                         GTK_APPLICATION (self)),
                                                       _("Place This Call?"), NULL));
  /* Translators: the first %s is an address or number, the second an account. */
  adw_message_dialog_format_body (dialog, _("A link asks to call %s from %s."), uri, label);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "call", _("C_all"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "call", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "call");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_confirmed), confirmation);
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
open_link (DtApplication *self,
           const char    *link)
{
  g_autoptr(DtUri) parsed = NULL;
  g_autoptr(DtUri) safe = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  DtAccount *account;

  parsed = dt_uri_parse (link, &error);
  if (parsed == NULL)
    {
      refuse_link (self, link, error->message);
      return;
    }
  /* RFC 3261 §19.1.5: ?Route=, ?Via= and the like are never followed. */
  safe = dt_uri_dup_safe (parsed);
  uri = dt_uri_to_string (safe);

  account = dt_call_manager_choose_account (self->manager, uri, &error);
  if (account == NULL)
    {
      refuse_link (self, link, error->message);
      return;
    }
  if (dt_settings_get_confirm_dial_links (self->settings))
    confirm_link (self, uri, account);
  else
    dial_link (self, uri, account);
}

static void
dt_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  DtApplication *self = DT_APPLICATION (application);

  for (int i = 0; i < n_files; i++)
    {
      g_autofree char *link = g_file_get_uri (files[i]);

      open_link (self, link);
    }
}

/* --- the demo: a test call with no account ------------------------------ */

static void
on_demo_dialled (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;

  call = dt_call_manager_dial_finish (DT_CALL_MANAGER (source), result, &error);
  if (call == NULL)
    g_warning ("The test call could not be placed: %s", error->message);
  /* The application was held alive for the dial. */
  g_object_unref (user_data);
}

/* The helper's echo extension sends back what it hears. */
static void
dial_demo (DtApplication *self)
{
  dt_call_manager_dial_async (self->manager, "echo", self->demo_account, self->cancellable,
                              on_demo_dialled, g_object_ref (self));
}

static void
on_demo_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(DtApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_backend_connect_finish (DT_BACKEND (source), result, &error))
    {
      g_warning ("The test account could not connect: %s", error->message);
      return;
    }
  dial_demo (self);
}

static void
on_demo_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(DtApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;
  g_autofree char *server = NULL;
  JsonObject *sip;
  gint64 port;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                    &error);
  if (line != NULL)
    node = json_from_string (line, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)
      || (sip = json_object_get_object_member (json_node_get_object (node), "sip")) == NULL
      || (port = json_object_get_int_member_with_default (sip, "udp", 0)) <= 0)
    {
      g_warning ("The test server did not start%s%s", error ? ": " : "",
                 error ? error->message : "");
      return;
    }

  /* A throwaway account, never written to the settings. */
  server = g_strdup_printf ("sip:127.0.0.1:%" G_GINT64_FORMAT, port);
  self->demo_account = dt_account_new ("demo", "sip");
  dt_account_set_identity (self->demo_account, "sip:demo@127.0.0.1");
  dt_account_set_display_name (self->demo_account, _("Test call"));
  dt_account_set_server (self->demo_account, server);
  dt_account_set_transport (self->demo_account, DT_TRANSPORT_UDP);
#if DT_ENABLE_SIP
  dt_sip_backend_set_password (DT_SIP_BACKEND (self->sip), "demo", "demo");
#endif
  dt_backend_connect_async (self->sip, self->demo_account, self->cancellable, on_demo_connected,
                            g_object_ref (self));
}

/* The test server goes when Dialtone goes, however it goes. */
/* The child setup of every dialtone-helper the app starts: it goes with us. */
void
_dt_application_helper_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* $DIALTONE_HELPER, the installed one, or the first on $PATH. */
char *
_dt_application_find_helper (void)
{
  const char *path = g_getenv ("DIALTONE_HELPER");

  if (path != NULL && path[0] != '\0')
    return g_strdup (path);
  if (g_file_test (BINDIR "/dialtone-helper", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (BINDIR "/dialtone-helper");
  return g_find_program_in_path ("dialtone-helper");
}

/* DESIGN.md: the helper on loopback, a throwaway account, and a call to
 * its echo extension, so a newcomer hears themselves within seconds. */
static void
start_demo (DtApplication *self)
{
  g_autofree char *helper = _dt_application_find_helper ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;

  if (self->sip == NULL || helper == NULL)
    {
      g_warning ("A test call needs dialtone-helper and the SIP backend");
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, _dt_application_helper_child_setup, NULL, NULL);
  self->demo_helper = g_subprocess_launcher_spawn (launcher, &error, helper, "serve", "--sip", "0",
                                                   "--user", "demo:demo", NULL);
  if (self->demo_helper == NULL)
    {
      g_warning ("The test server could not start: %s", error->message);
      return;
    }
  self->demo_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->demo_helper));
  g_data_input_stream_read_line_async (self->demo_out, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_demo_ready, g_object_ref (self));
}

/* --- the command line, as a client of the running instance -------------- */

static int
run_client (GVariantDict *options)
{
  g_autoptr(DtDBusCalls) proxy = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = NULL;

  proxy = dt_dbus_calls_proxy_new_for_bus_sync (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_NONE,
                                                APPLICATION_ID, OBJECT_PATH, NULL, &error);
  if (proxy != NULL && g_variant_dict_contains (options, "list-calls"))
    {
      g_autoptr(GVariant) calls = NULL;

      if (dt_dbus_calls_call_list_calls_sync (proxy, &calls, NULL, &error))
        {
          GVariantIter iter;
          const char *call_id, *protocol, *account, *direction, *peer, *state;

          g_variant_iter_init (&iter, calls);
          while (g_variant_iter_next (&iter, "(&s&s&s&s&s&s)", &call_id, &protocol, &account,
                                      &direction, &peer, &state))
            g_print ("%s\t%s\t%s\t%s\t%s\t%s\n", call_id, state, direction, peer, account,
                     protocol);
          return 0;
        }
    }
  else if (proxy != NULL && g_variant_dict_lookup (options, "answer", "&s", &id))
    {
      if (dt_dbus_calls_call_answer_sync (proxy, id, NULL, &error))
        return 0;
    }
  else if (proxy != NULL && g_variant_dict_lookup (options, "hangup", "&s", &id))
    {
      if (dt_dbus_calls_call_hangup_sync (proxy, id, NULL, &error))
        return 0;
    }
  else if (proxy != NULL && g_variant_dict_lookup (options, "hold", "&s", &id))
    {
      if (dt_dbus_calls_call_hold_sync (proxy, id, NULL, &error))
        return 0;
    }
  else if (proxy != NULL && g_variant_dict_lookup (options, "resume", "&s", &id))
    {
      if (dt_dbus_calls_call_resume_sync (proxy, id, NULL, &error))
        return 0;
    }
  g_dbus_error_strip_remote_error (error);
  g_printerr ("dialtone: %s\n", error->message);
  return 1;
}

static int
dt_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "demo"))
    DT_APPLICATION (application)->demo = TRUE;
  if (g_variant_dict_contains (options, "list-calls")
      || g_variant_dict_contains (options, "answer")
      || g_variant_dict_contains (options, "hangup")
      || g_variant_dict_contains (options, "hold")
      || g_variant_dict_contains (options, "resume"))
    return run_client (options);
  return -1;
}

static gboolean
dt_application_dbus_register (GApplication     *application,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  DtApplication *self = DT_APPLICATION (application);

  if (!G_APPLICATION_CLASS (dt_application_parent_class)->dbus_register (application, connection,
                                                                          object_path, error))
    return FALSE;
  set_up_calls (self);
  return dt_dbus_service_export (self->dbus_service, connection, object_path, error);
}

static void
dt_application_dbus_unregister (GApplication    *application,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  DtApplication *self = DT_APPLICATION (application);

  if (self->dbus_service != NULL)
    dt_dbus_service_unexport (self->dbus_service);
  G_APPLICATION_CLASS (dt_application_parent_class)->dbus_unregister (application, connection,
                                                                      object_path);
}

static void
accounts_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  DtApplication *self = user_data;
  DtAccountsDialog *dialog = dt_accounts_dialog_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
diagnostics_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  DtApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  DtDiagnosticsWindow *window = dt_diagnostics_window_new (parent, self->settings,
                                                           self->registry);

  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  DtApplication *self = user_data;
  const char *developers[] = { _("The Dialtone developers"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Dialtone"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Dialtone developers"),
                         "developers", developers,
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/dialtone/dialtone",
                         "issue-url", "https://github.com/dialtone/dialtone/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtCall) call = NULL;

  call = dt_call_manager_dial_finish (DT_CALL_MANAGER (source), result, &error);
  if (call == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Not calling: %s", error->message);
}

/* app.dial, the dial pad's Call: an address already normalised, from the
 * account the call manager chooses. */
static void
dial_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  DtApplication *self = user_data;

  if (self->manager != NULL)
    dt_call_manager_dial_async (self->manager, g_variant_get_string (parameter, NULL), NULL,
                                self->cancellable, on_dialled, NULL);
}

/* app.dial-from, Call Back and the dial pad's Call From: (address,
 * account id). An id that is empty, or whose account has gone or been
 * switched off since, leaves the choice to the call manager, the default
 * account first. */
static void
dial_from_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  DtApplication *self = user_data;
  const char *uri;
  const char *account_id;
  DtAccount *account;

  if (self->manager == NULL)
    return;

  g_variant_get (parameter, "(&s&s)", &uri, &account_id);
  account = *account_id != '\0' ? dt_settings_find_account (self->settings, account_id) : NULL;
  if (account != NULL && !dt_account_get_enabled (account))
    account = NULL;

  dt_call_manager_dial_async (self->manager, uri, account, self->cancellable, on_dialled, NULL);
}

/* app.test-call, the welcome page's Try a Test Call: the same call as
 * --demo; the test server, once started, serves the next ones too. */
static void
test_call_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  DtApplication *self = user_data;

  if (self->demo_account != NULL
      && dt_account_get_state (self->demo_account) == DT_ACCOUNT_STATE_ONLINE)
    dial_demo (self);
  else if (self->demo_helper == NULL)
    start_demo (self);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  DtApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (dt_preferences_window_new (parent, self->settings)));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
on_incoming_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!dt_call_hangup_finish (DT_CALL (source), result, &error))
    g_message ("Call %s: %s", dt_call_get_id (DT_CALL (source)), error->message);
}

static void
on_answered (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!dt_call_answer_finish (DT_CALL (source), result, &error))
    g_message ("Call %s: %s", dt_call_get_id (DT_CALL (source)), error->message);
}

/* The incoming call a notification button names, if it still rings: a
 * call that has gone meanwhile is no error. */
static DtCall *
ringing_call (DtApplication *self,
              GVariant      *parameter)
{
  DtCall *call = self->manager != NULL
                 ? dt_call_manager_find_call (self->manager, g_variant_get_string (parameter, NULL))
                 : NULL;

  return call != NULL && dt_call_get_state (call) == DT_CALL_STATE_RINGING ? call : NULL;
}

/* app.answer-call and app.decline-call, the incoming call notification's
 * buttons. */
static void
answer_call_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  DtApplication *self = user_data;
  DtCall *call = ringing_call (self, parameter);

  if (call != NULL)
    dt_call_answer_async (call, self->cancellable, on_answered, NULL);
}

static void
decline_call_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  DtApplication *self = user_data;
  DtCall *call = ringing_call (self, parameter);

  if (call != NULL)
    dt_call_decline_async (call, self->cancellable, on_incoming_done, NULL);
}

static const GActionEntry app_actions[] = {
  { "accounts", accounts_action, NULL, NULL, NULL, { 0 } },
  { "about", about_action, NULL, NULL, NULL, { 0 } },
  { "answer-call", answer_call_action, "s", NULL, NULL, { 0 } },
  { "decline-call", decline_call_action, "s", NULL, NULL, { 0 } },
  { "diagnostics", diagnostics_action, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
  { "test-call", test_call_action, NULL, NULL, NULL, { 0 } },
  { "dial", dial_action, "s", NULL, NULL, { 0 } },
  { "dial-from", dial_from_action, "(ss)", NULL, NULL, { 0 } },
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
};

static gboolean
on_quit_signal (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_REMOVE;
}

static void
dt_application_startup (GApplication *application)
{
  DtApplication *self = DT_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *preferences_accels[] = { "<Control>comma", NULL };
  g_autofree char *history_path = NULL;

  G_APPLICATION_CLASS (dt_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  set_up_calls (self);
  dt_call_manager_start (self->manager);
  /* A softphone that quits with its window misses the next call: unless
   * the person chose otherwise, stay up, registered, with no window. */
  if (dt_settings_get_run_in_background (self->settings))
    g_application_hold (application);
  if (self->demo)
    start_demo (self);
  /* A session that ends sends SIGTERM: quit cleanly, so accounts
   * unregister and calls end with a BYE. */
  g_unix_signal_add (SIGTERM, on_quit_signal, self);
  g_unix_signal_add (SIGINT, on_quit_signal, self);

  history_path = dt_history_default_path ();
  dt_history_new_async (history_path, self->cancellable, on_history_opened, g_object_ref (self));
}

static void
dt_application_activate (GApplication *application)
{
  DtApplication *self = DT_APPLICATION (application);
  DtWindow *window = find_main_window (self);

  if (window == NULL)
    {
      window = dt_window_new (GTK_APPLICATION (self), self->settings);
      dt_window_set_call_manager (window, self->manager);
      if (self->history)
        dt_window_set_history (window, self->history);
      gtk_window_present (GTK_WINDOW (window));
      /* GStreamer comes up behind the first window, on a thread of its
       * own: on a first run it builds its plugin registry, which takes
       * longer than the window itself. Its plugins wait for a call. */
      dt_rtp_session_start_gstreamer ();
      return;
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
dt_application_shutdown (GApplication *application)
{
  DtApplication *self = DT_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);
  /* Calls end and accounts unregister; the backends finish that on their
   * own while the program winds down. */
  if (self->manager != NULL)
    dt_call_manager_stop_async (self->manager, NULL, NULL, NULL);
  if (self->demo_helper != NULL)
    g_subprocess_send_signal (self->demo_helper, SIGTERM);

  G_APPLICATION_CLASS (dt_application_parent_class)->shutdown (application);
}

static void
dt_application_dispose (GObject *object)
{
  DtApplication *self = DT_APPLICATION (object);

  g_clear_object (&self->demo_out);
  g_clear_object (&self->demo_helper);
  g_clear_object (&self->demo_account);
  g_clear_object (&self->sip);
  g_clear_object (&self->dbus_service);
  g_clear_object (&self->ringer);
  g_clear_object (&self->manager);
  g_clear_object (&self->audio);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->history);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (dt_application_parent_class)->dispose (object);
}

static void
dt_application_class_init (DtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = dt_application_dispose;

  application_class->startup = dt_application_startup;
  application_class->activate = dt_application_activate;
  application_class->open = dt_application_open;
  application_class->shutdown = dt_application_shutdown;
  application_class->handle_local_options = dt_application_handle_local_options;
  application_class->dbus_register = dt_application_dbus_register;
  application_class->dbus_unregister = dt_application_dbus_unregister;
}

static const GOptionEntry option_entries[] = {
  { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Place a test call to a test server on this computer, with no account"), NULL },
  { "list-calls", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("List the running instance’s calls, one per line"), NULL },
  { "answer", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Answer the ringing call with this identifier"), N_("ID") },
  { "hangup", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("End the call with this identifier"), N_("ID") },
  { "hold", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Put the call with this identifier on hold"), N_("ID") },
  { "resume", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Take the held call with this identifier back, holding the one that talks"), N_("ID") },
  { NULL }
};

static void
dt_application_init (DtApplication *self)
{
  self->cancellable = g_cancellable_new ();
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[URI…]"));
}

DtApplication *
dt_application_new (void)
{
  return g_object_new (DT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/dialtone/Dialtone",
                       NULL);
}

/**
 * dt_application_get_settings:
 *
 * Returns: (transfer none): the settings, from start-up on
 */
DtSettings *
dt_application_get_settings (DtApplication *self)
{
  g_return_val_if_fail (DT_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * dt_application_get_history:
 *
 * Returns: (transfer none) (nullable): the call history, once it is open
 */
DtHistory *
dt_application_get_history (DtApplication *self)
{
  g_return_val_if_fail (DT_IS_APPLICATION (self), NULL);

  return self->history;
}
