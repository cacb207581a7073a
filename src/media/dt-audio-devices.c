/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-audio-devices.c
 *
 * A GstDeviceMonitor on Audio/Source and Audio/Sink. Hot-plug messages come
 * on the monitor's bus; a watch in the thread-default main context of the
 * creator turns them into signals there.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include <gio/gio.h>

#include "dt-audio-devices.h"

enum {
  SIGNAL_DEVICE_ADDED,
  SIGNAL_DEVICE_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _DtAudioDevices
{
  GObject           parent_instance;

  GMainContext     *context;
  GstDeviceMonitor *monitor;
  GSource          *bus_watch;
  gboolean          started;
};

G_DEFINE_FINAL_TYPE (DtAudioDevices, dt_audio_devices, G_TYPE_OBJECT)

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  DtAudioDevices *self = user_data;
  g_autoptr(GstDevice) device = NULL;

  /* GstMessageType is a bit field: compare, do not switch. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_ADDED)
    {
      gst_message_parse_device_added (message, &device);
      g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, device);
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_DEVICE_REMOVED)
    {
      gst_message_parse_device_removed (message, &device);
      g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, device);
    }
  return G_SOURCE_CONTINUE;
}

static GPtrArray *
list_class (DtAudioDevices *self,
            gboolean        source)
{
  GPtrArray *devices = g_ptr_array_new_with_free_func (gst_object_unref);
  GList *all = gst_device_monitor_get_devices (self->monitor);

  for (GList *l = all; l != NULL; l = l->next)
    {
      GstDevice *device = l->data;

      if (source ? dt_audio_devices_is_source (device) : dt_audio_devices_is_sink (device))
        g_ptr_array_add (devices, gst_object_ref (device));
    }
  g_list_free_full (all, gst_object_unref);
  return devices;
}

static void
dt_audio_devices_dispose (GObject *object)
{
  DtAudioDevices *self = DT_AUDIO_DEVICES (object);

  dt_audio_devices_stop (self);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (dt_audio_devices_parent_class)->dispose (object);
}

static void
dt_audio_devices_finalize (GObject *object)
{
  DtAudioDevices *self = DT_AUDIO_DEVICES (object);

  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dt_audio_devices_parent_class)->finalize (object);
}

static void
dt_audio_devices_class_init (DtAudioDevicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_audio_devices_dispose;
  object_class->finalize = dt_audio_devices_finalize;

  /**
   * DtAudioDevices::device-added:
   * @self: the device list
   * @device: the #GstDevice that appeared
   *
   * A source or sink was plugged in (after dt_audio_devices_start()).
   */
  signals[SIGNAL_DEVICE_ADDED] =
    g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, GST_TYPE_DEVICE);

  /**
   * DtAudioDevices::device-removed:
   * @self: the device list
   * @device: the #GstDevice that went away
   */
  signals[SIGNAL_DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, GST_TYPE_DEVICE);
}

static void
dt_audio_devices_init (DtAudioDevices *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (self->monitor, "Audio/Source", NULL);
  gst_device_monitor_add_filter (self->monitor, "Audio/Sink", NULL);
}

/**
 * dt_audio_devices_new:
 *
 * Signals are emitted in the thread-default main context of the caller.
 *
 * Returns: (transfer full): a device list, not yet watching
 */
DtAudioDevices *
dt_audio_devices_new (void)
{
  /* Never inside a class_init: GType holds its class lock there, which a
   * gst_init running on another thread (dt_rtp_session_preload) needs. */
  gst_init (NULL, NULL);
  return g_object_new (DT_TYPE_AUDIO_DEVICES, NULL);
}

/**
 * dt_audio_devices_start:
 * @self: the device list
 * @error: where to report that no device provider could start
 *
 * Probes the devices and watches for hot-plugging.
 *
 * Returns: %TRUE when watching
 */
gboolean
dt_audio_devices_start (DtAudioDevices  *self,
                        GError         **error)
{
  g_autoptr(GstBus) bus = NULL;

  g_return_val_if_fail (DT_IS_AUDIO_DEVICES (self), FALSE);

  if (self->started)
    return TRUE;
  if (!gst_device_monitor_start (self->monitor))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "No audio device provider could start");
      return FALSE;
    }
  bus = gst_device_monitor_get_bus (self->monitor);
  self->bus_watch = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_watch, G_SOURCE_FUNC (on_bus_message), self, NULL);
  g_source_attach (self->bus_watch, self->context);
  self->started = TRUE;
  return TRUE;
}

/**
 * dt_audio_devices_stop:
 * @self: the device list
 *
 * Stops watching; the lists keep what the providers still report.
 */
void
dt_audio_devices_stop (DtAudioDevices *self)
{
  g_return_if_fail (DT_IS_AUDIO_DEVICES (self));

  if (!self->started)
    return;
  if (self->bus_watch != NULL)
    g_source_destroy (self->bus_watch);
  g_clear_pointer (&self->bus_watch, g_source_unref);
  gst_device_monitor_stop (self->monitor);
  self->started = FALSE;
}

/**
 * dt_audio_devices_list_sources:
 * @self: the device list
 *
 * Returns: (transfer container) (element-type GstDevice): the capture devices
 */
GPtrArray *
dt_audio_devices_list_sources (DtAudioDevices *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_DEVICES (self), NULL);
  return list_class (self, TRUE);
}

/**
 * dt_audio_devices_list_sinks:
 * @self: the device list
 *
 * Returns: (transfer container) (element-type GstDevice): the playback devices
 */
GPtrArray *
dt_audio_devices_list_sinks (DtAudioDevices *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_DEVICES (self), NULL);
  return list_class (self, FALSE);
}

/**
 * dt_audio_devices_find:
 * @self: the device list
 * @display_name: the name a user picked, as gst_device_get_display_name() gives it
 * @source: look among sources rather than sinks
 *
 * Returns: (transfer full) (nullable): the device, or %NULL if it is not there
 */
GstDevice *
dt_audio_devices_find (DtAudioDevices *self,
                       const char     *display_name,
                       gboolean        source)
{
  g_autoptr(GPtrArray) devices = NULL;

  g_return_val_if_fail (DT_IS_AUDIO_DEVICES (self), NULL);
  g_return_val_if_fail (display_name != NULL, NULL);

  devices = list_class (self, source);
  for (guint i = 0; i < devices->len; i++)
    {
      GstDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *name = gst_device_get_display_name (device);

      if (g_strcmp0 (name, display_name) == 0)
        return gst_object_ref (device);
    }
  return NULL;
}

/**
 * dt_audio_devices_is_source:
 * @device: a device
 *
 * Returns: %TRUE if @device captures audio
 */
gboolean
dt_audio_devices_is_source (GstDevice *device)
{
  g_return_val_if_fail (GST_IS_DEVICE (device), FALSE);
  return gst_device_has_classes (device, "Audio/Source");
}

/**
 * dt_audio_devices_is_sink:
 * @device: a device
 *
 * Returns: %TRUE if @device plays audio
 */
gboolean
dt_audio_devices_is_sink (GstDevice *device)
{
  g_return_val_if_fail (GST_IS_DEVICE (device), FALSE);
  return gst_device_has_classes (device, "Audio/Sink");
}

/**
 * dt_audio_devices_find_default:
 * @self: the device list
 * @source: look among sources rather than sinks
 *
 * The device the sound server marks as its default (the `is-default`
 * property PulseAudio's provider sets), so that a call can move to it
 * when its own device goes away.
 *
 * Returns: (transfer full) (nullable): the default device, or %NULL when no
 *   provider names one
 */
GstDevice *
dt_audio_devices_find_default (DtAudioDevices *self,
                               gboolean        source)
{
  g_autoptr(GPtrArray) devices = NULL;

  g_return_val_if_fail (DT_IS_AUDIO_DEVICES (self), NULL);

  devices = list_class (self, source);
  for (guint i = 0; i < devices->len; i++)
    {
      GstDevice *device = g_ptr_array_index (devices, i);
      g_autoptr(GstStructure) properties = gst_device_get_properties (device);
      gboolean is_default = FALSE;

      if (properties != NULL
          && gst_structure_get_boolean (properties, "is-default", &is_default) && is_default)
        return gst_object_ref (device);
    }
  return NULL;
}

static DtAudioDevices *shared_devices;

/**
 * dt_audio_devices_get_shared:
 * @error: where to report that no device provider could start
 *
 * The process's one running device list. GStreamer's device providers are
 * shared by every monitor, and starting one means asking the sound server
 * for its devices, so Dialtone keeps a single monitor while anything
 * holds it: the calls watching their devices, and each pick of a device.
 * Its signals come in the thread-default main context of the caller that
 * started it.
 *
 * Returns: (transfer full) (nullable): the started device list
 */
DtAudioDevices *
dt_audio_devices_get_shared (GError **error)
{
  DtAudioDevices *devices;

  if (shared_devices != NULL)
    return g_object_ref (shared_devices);
  devices = dt_audio_devices_new ();
  if (!dt_audio_devices_start (devices, error))
    {
      g_object_unref (devices);
      return NULL;
    }
  shared_devices = devices;
  g_object_add_weak_pointer (G_OBJECT (devices), (gpointer *) &shared_devices);
  return devices;
}
