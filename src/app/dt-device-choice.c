/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-device-choice.c
 *
 * The row lists "Default" and then the devices the shared device list
 * sees, kept up to date as devices come and go; a chosen device that is
 * unplugged stays chosen, shown as not connected, so that it is used again
 * when it comes back. Choosing writes the setting (microphone, speaker or
 * ringer), which the application's audio configuration follows, and the
 * row follows the setting when something else changes it: Preferences and
 * the in-call page show the same choice.
 */

#define G_LOG_DOMAIN "dialtone-app"

#include "config.h"

#include <glib/gi18n.h>

#include "dt-device-choice.h"

struct _DtDeviceChoice
{
  GObject         parent_instance;

  AdwComboRow    *row;
  DtSettings     *settings;
  char           *setting;
  gboolean        source;
  DtAudioDevices *devices;      /* nullable: no provider could start */
  GPtrArray      *names;        /* the device names behind items 1…; item 0 is Default */
  gboolean        filling;
};

G_DEFINE_FINAL_TYPE (DtDeviceChoice, dt_device_choice, G_TYPE_OBJECT)

static char *
chosen_device (DtDeviceChoice *self)
{
  char *name = NULL;

  g_object_get (self->settings, self->setting, &name, NULL);
  return name;
}

static void
on_selected (AdwComboRow *row,
             GParamSpec  *pspec,
             gpointer     user_data)
{
  DtDeviceChoice *self = user_data;
  guint selected = adw_combo_row_get_selected (row);
  g_autofree char *chosen = NULL;
  const char *name;

  if (self->filling || selected == GTK_INVALID_LIST_POSITION)
    return;
  name = selected == 0 ? "" : g_ptr_array_index (self->names, selected - 1);
  chosen = chosen_device (self);
  /* The row already shows the choice; refilling it now would replace the
   * model under the selection that is being changed. */
  self->filling = TRUE;
  if (g_strcmp0 (chosen, name) != 0)
    g_object_set (self->settings, self->setting, name, NULL);
  self->filling = FALSE;
}

static void
on_devices_changed (DtAudioDevices *devices,
                    GstDevice      *device,
                    gpointer        user_data)
{
  dt_device_choice_refill (user_data);
}

static void
on_setting_changed (DtSettings *settings,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  DtDeviceChoice *self = user_data;

  if (!self->filling)
    dt_device_choice_refill (self);
}

static void
dt_device_choice_dispose (GObject *object)
{
  DtDeviceChoice *self = DT_DEVICE_CHOICE (object);

  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->row != NULL)
    g_signal_handlers_disconnect_by_data (self->row, self);
  g_clear_object (&self->devices);
  g_clear_object (&self->settings);
  g_clear_object (&self->row);

  G_OBJECT_CLASS (dt_device_choice_parent_class)->dispose (object);
}

static void
dt_device_choice_finalize (GObject *object)
{
  DtDeviceChoice *self = DT_DEVICE_CHOICE (object);

  g_free (self->setting);
  g_ptr_array_unref (self->names);

  G_OBJECT_CLASS (dt_device_choice_parent_class)->finalize (object);
}

static void
dt_device_choice_class_init (DtDeviceChoiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_device_choice_dispose;
  object_class->finalize = dt_device_choice_finalize;
}

static void
dt_device_choice_init (DtDeviceChoice *self)
{
  self->names = g_ptr_array_new_with_free_func (g_free);
}

/**
 * dt_device_choice_new:
 * @row: the row to fill
 * @settings: where the choice is kept
 * @setting: the #DtSettings property: "microphone", "speaker" or "ringer"
 * @source: whether the row lists capture devices
 * @devices: (nullable): the device list; without one only Default is offered
 *
 * Returns: (transfer full): the choice, which fills @row at once
 */
DtDeviceChoice *
dt_device_choice_new (AdwComboRow    *row,
                      DtSettings     *settings,
                      const char     *setting,
                      gboolean        source,
                      DtAudioDevices *devices)
{
  DtDeviceChoice *self;
  g_autofree char *signal = NULL;

  g_return_val_if_fail (ADW_IS_COMBO_ROW (row), NULL);
  g_return_val_if_fail (DT_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (setting != NULL, NULL);
  g_return_val_if_fail (!devices || DT_IS_AUDIO_DEVICES (devices), NULL);

  self = g_object_new (DT_TYPE_DEVICE_CHOICE, NULL);
  self->row = g_object_ref (row);
  self->settings = g_object_ref (settings);
  self->setting = g_strdup (setting);
  self->source = source;
  if (devices != NULL)
    {
      self->devices = g_object_ref (devices);
      g_signal_connect (devices, "device-added", G_CALLBACK (on_devices_changed), self);
      g_signal_connect (devices, "device-removed", G_CALLBACK (on_devices_changed), self);
    }
  signal = g_strconcat ("notify::", setting, NULL);
  g_signal_connect (settings, signal, G_CALLBACK (on_setting_changed), self);
  dt_device_choice_refill (self);
  g_signal_connect (row, "notify::selected", G_CALLBACK (on_selected), self);
  return self;
}

/**
 * dt_device_choice_get_row:
 *
 * Returns: (transfer none): the row the choice fills
 */
AdwComboRow *
dt_device_choice_get_row (DtDeviceChoice *self)
{
  g_return_val_if_fail (DT_IS_DEVICE_CHOICE (self), NULL);
  return self->row;
}

/**
 * dt_device_choice_refill:
 *
 * Lists the devices again, with the chosen one selected.
 */
void
dt_device_choice_refill (DtDeviceChoice *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) devices = NULL;
  g_autofree char *chosen = NULL;
  guint selected = 0;

  g_return_if_fail (DT_IS_DEVICE_CHOICE (self));

  chosen = chosen_device (self);
  g_ptr_array_set_size (self->names, 0);
  gtk_string_list_append (labels, _("Default"));
  if (self->devices != NULL)
    devices = self->source ? dt_audio_devices_list_sources (self->devices)
                           : dt_audio_devices_list_sinks (self->devices);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    {
      g_autofree char *name = gst_device_get_display_name (g_ptr_array_index (devices, i));

      if (chosen != NULL && g_str_equal (name, chosen))
        selected = self->names->len + 1;
      gtk_string_list_append (labels, name);
      g_ptr_array_add (self->names, g_steal_pointer (&name));
    }
  if (chosen != NULL && *chosen != '\0' && selected == 0)
    {
      g_autofree char *label = g_strdup_printf (_("%s (not connected)"), chosen);

      gtk_string_list_append (labels, label);
      g_ptr_array_add (self->names, g_strdup (chosen));
      selected = self->names->len;
    }

  self->filling = TRUE;
  adw_combo_row_set_model (self->row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->row, selected);
  self->filling = FALSE;
}
