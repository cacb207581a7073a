/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-preferences-window.c
 *
 * Every switch is bound to its setting. The device rows are
 * DtDeviceChoice's, the same as the in-call page's.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-audio-devices.h"
#include "dt-device-choice.h"
#include "dt-preferences-window.h"
#include "dt-preferences-window-private.h"

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  DtSettings           *settings;
  DtAudioDevices       *devices;
  DtDeviceChoice       *choices[3];

  AdwComboRow          *microphone_row;
  AdwComboRow          *speaker_row;
  AdwComboRow          *ringer_row;
  GtkSwitch            *echo_switch;
  GtkSwitch            *noise_switch;
  GtkSwitch            *gain_switch;
  GtkSwitch            *background_switch;
  GtkSwitch            *confirm_switch;
  AdwActionRow         *ringtone_row;
  GtkButton            *ringtone_reset;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (DtPreferencesWindow, dt_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* --- ring tone ---------------------------------------------------------- */

static void
show_ringtone (DtPreferencesWindow *self)
{
  const char *path = dt_settings_get_ringtone (self->settings);
  g_autofree char *name = path != NULL && *path != '\0' ? g_path_get_basename (path) : NULL;

  adw_action_row_set_subtitle (self->ringtone_row, name != NULL ? name : _("Built-in ring"));
  gtk_widget_set_visible (GTK_WIDGET (self->ringtone_reset), name != NULL);
}

static void
on_ringtone_changed (DtSettings *settings,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  show_ringtone (user_data);
}

static void
on_ringtone_reset (DtPreferencesWindow *self)
{
  g_object_set (self->settings, "ringtone", "", NULL);
}

static void
on_ringtone_chosen (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  DtPreferencesWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_object_set (self->settings, "ringtone", path, NULL);
    }
  g_clear_object (&self->chooser);
}

static void
on_ringtone_choose (DtPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose a Ring Tone"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Sound files"));
  gtk_file_filter_add_mime_type (filter, "audio/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_ringtone_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DtPreferencesWindow *self = DT_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DtPreferencesWindow *self = DT_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_preferences_window_constructed (GObject *object)
{
  DtPreferencesWindow *self = DT_PREFERENCES_WINDOW (object);
  static const char * const switches[] = {
    "echo-cancellation", "noise-suppression", "gain-control", "run-in-background",
    "confirm-dial-links",
  };
  GtkSwitch *widgets[] = {
    self->echo_switch, self->noise_switch, self->gain_switch, self->background_switch,
    self->confirm_switch,
  };
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (dt_preferences_window_parent_class)->constructed (object);
  g_assert (DT_IS_SETTINGS (self->settings));

  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    g_object_bind_property (self->settings, switches[i], widgets[i], "active",
                            G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  /* Without a device list (no provider could start), only Default is
   * offered, and the calls use the default devices. */
  self->devices = dt_audio_devices_get_shared (&error);
  if (self->devices == NULL)
    g_message ("No audio devices to choose from: %s", error->message);
  {
    AdwComboRow *rows[] = { self->microphone_row, self->speaker_row, self->ringer_row };
    const char *settings[] = { "microphone", "speaker", "ringer" };

    for (guint i = 0; i < G_N_ELEMENTS (self->choices); i++)
      self->choices[i] = dt_device_choice_new (rows[i], self->settings, settings[i],
                                               i == _DT_PREFERENCES_MICROPHONE, self->devices);
  }

  g_signal_connect_object (self->settings, "notify::ringtone", G_CALLBACK (on_ringtone_changed),
                           self, 0);
  show_ringtone (self);
}

static void
dt_preferences_window_dispose (GObject *object)
{
  DtPreferencesWindow *self = DT_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->devices);
  for (guint i = 0; i < G_N_ELEMENTS (self->choices); i++)
    g_clear_object (&self->choices[i]);
  gtk_widget_dispose_template (GTK_WIDGET (self), DT_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (dt_preferences_window_parent_class)->dispose (object);
}

static void
dt_preferences_window_class_init (DtPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = dt_preferences_window_get_property;
  object_class->set_property = dt_preferences_window_set_property;
  object_class->constructed = dt_preferences_window_constructed;
  object_class->dispose = dt_preferences_window_dispose;

  /**
   * DtPreferencesWindow:settings:
   *
   * The settings shown and changed.
   */
  props[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, DT_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/dialtone/Dialtone/"
                                               "dt-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, microphone_row);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, speaker_row);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, ringer_row);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, echo_switch);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, noise_switch);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, gain_switch);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, confirm_switch);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, ringtone_row);
  gtk_widget_class_bind_template_child (widget_class, DtPreferencesWindow, ringtone_reset);
  gtk_widget_class_bind_template_callback (widget_class, on_ringtone_reset);
  gtk_widget_class_bind_template_callback (widget_class, on_ringtone_choose);
}

static void
dt_preferences_window_init (DtPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * dt_preferences_window_new:
 * @parent: (nullable): the window it belongs to
 * @settings: the settings to show and change
 *
 * Returns: (transfer full): the preferences window, not yet shown
 */
DtPreferencesWindow *
dt_preferences_window_new (GtkWindow  *parent,
                           DtSettings *settings)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (DT_IS_SETTINGS (settings), NULL);

  return g_object_new (DT_TYPE_PREFERENCES_WINDOW, "settings", settings,
                       "transient-for", parent, NULL);
}

AdwComboRow *
_dt_preferences_window_get_device_row (DtPreferencesWindow *self,
                                       DtPreferencesDevice  which)
{
  g_return_val_if_fail (DT_IS_PREFERENCES_WINDOW (self), NULL);
  g_return_val_if_fail (which < G_N_ELEMENTS (self->choices), NULL);
  return dt_device_choice_get_row (self->choices[which]);
}

GtkSwitch *
_dt_preferences_window_get_echo_switch (DtPreferencesWindow *self)
{
  g_return_val_if_fail (DT_IS_PREFERENCES_WINDOW (self), NULL);
  return self->echo_switch;
}

AdwActionRow *
_dt_preferences_window_get_ringtone_row (DtPreferencesWindow *self)
{
  g_return_val_if_fail (DT_IS_PREFERENCES_WINDOW (self), NULL);
  return self->ringtone_row;
}
