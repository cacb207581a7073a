/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-application.c */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-application.h"
#include "dt-window.h"

/**
 * DtApplication:
 *
 * The Dialtone program: owns the settings and the call history, which it
 * opens in the background at start-up, and the main window.
 */

struct _DtApplication
{
  AdwApplication  parent_instance;

  DtSettings     *settings;
  DtHistory      *history;
  GCancellable   *cancellable;
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

  window = find_main_window (self);
  if (window)
    dt_window_set_history (window, self->history);
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
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", about_action, NULL, NULL, NULL, { 0 } },
  { "quit", quit_action, NULL, NULL, NULL, { 0 } },
};

static void
dt_application_startup (GApplication *application)
{
  DtApplication *self = DT_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  g_autofree char *history_path = NULL;

  G_APPLICATION_CLASS (dt_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  self->settings = dt_settings_new ();

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
      if (self->history)
        dt_window_set_history (window, self->history);
    }

  gtk_window_present (GTK_WINDOW (window));
}

static void
dt_application_shutdown (GApplication *application)
{
  DtApplication *self = DT_APPLICATION (application);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (dt_application_parent_class)->shutdown (application);
}

static void
dt_application_dispose (GObject *object)
{
  DtApplication *self = DT_APPLICATION (object);

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
  application_class->shutdown = dt_application_shutdown;
}

static void
dt_application_init (DtApplication *self)
{
  self->cancellable = g_cancellable_new ();
}

DtApplication *
dt_application_new (void)
{
  return g_object_new (DT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
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
