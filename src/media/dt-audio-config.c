/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-audio-config.c
 *
 * The ends of the headset chain (DESIGN.md "Media"). Each end is, in order
 * of preference: a GStreamer bin description (DIALTONE_AUDIO_SRC,
 * DIALTONE_AUDIO_SINK and DIALTONE_RINGER_SINK give the defaults, so tests
 * and the helper run without sound hardware), a device the user picked by
 * name, or the autoaudio element. The ringer is a third end: incoming calls
 * ring on it rather than in the headset.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include <gio/gio.h>

#include "dt-audio-config.h"
#include "dt-audio-devices.h"

enum {
  PROP_0,
  PROP_SOURCE_DESCRIPTION,
  PROP_SINK_DESCRIPTION,
  PROP_SOURCE_DEVICE,
  PROP_SINK_DEVICE,
  PROP_RINGER_DESCRIPTION,
  PROP_RINGER_DEVICE,
  PROP_ECHO_CANCEL,
  PROP_NOISE_SUPPRESSION,
  PROP_GAIN_CONTROL,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtAudioConfig
{
  GObject   parent_instance;

  char     *source_description;
  char     *sink_description;
  char     *source_device;
  char     *sink_device;
  char     *ringer_description;
  char     *ringer_device;
  gboolean  echo_cancel;
  gboolean  noise_suppression;
  gboolean  gain_control;
};

G_DEFINE_FINAL_TYPE (DtAudioConfig, dt_audio_config, G_TYPE_OBJECT)

static void
set_string (DtAudioConfig  *self,
            char          **field,
            const char     *value,
            guint           prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_flag (DtAudioConfig *self,
          gboolean      *field,
          gboolean       value,
          guint          prop)
{
  if (!*field == !value)
    return;
  *field = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static GstElement *
create_device_element (GstDevice  *device,
                       char      **device_name,
                       GError    **error)
{
  GstElement *element = gst_device_create_element (device, NULL);
  g_autofree char *name = gst_device_get_display_name (device);

  if (element == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The audio device “%s” cannot be opened", name);
      return NULL;
    }
  if (device_name != NULL)
    *device_name = g_steal_pointer (&name);
  return element;
}

/* The end a GStreamer description names (tests, the helper); else the
 * device the person chose; else, and when that device is not connected,
 * the sound server's default device, or what autoaudiosrc/-sink find
 * among the devices listed; with none listed, silence and a fakesink.
 * @device_name says which named device was opened, NULL for the others. */
static GstElement *
create_end (const char  *description,
            const char  *device_name,
            gboolean     source,
            gboolean     chosen_device,
            char       **used_device,
            GError     **error)
{
  GstElement *element;
  g_autoptr(DtAudioDevices) devices = NULL;
  g_autoptr(GstDevice) device = NULL;

  if (used_device != NULL)
    *used_device = NULL;
  /* GStreamer starts with the first end built, not with the configuration:
   * a program's first window should not wait for the plugin registry. */
  gst_init (NULL, NULL);

  if (description != NULL && *description != '\0')
    {
      g_autoptr(GError) local_error = NULL;

      element = gst_parse_bin_from_description_full (description, TRUE, NULL,
                                                     GST_PARSE_FLAG_NONE, &local_error);
      if (element == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "The audio %s “%s” is not a usable GStreamer description: %s",
                       source ? "source" : "sink", description, local_error->message);
          return NULL;
        }
      return element;
    }

  devices = dt_audio_devices_get_shared (NULL);
  if (devices != NULL)
    {
      g_autoptr(GPtrArray) all = NULL;

      if (chosen_device && device_name != NULL && *device_name != '\0')
        {
          device = dt_audio_devices_find (devices, device_name, source);
          if (device == NULL)
            g_message ("The audio device “%s” is not connected; using the default one",
                       device_name);
        }
      if (device == NULL)
        device = dt_audio_devices_find_default (devices, source);
      if (device != NULL)
        return create_device_element (device, used_device, error);

      /* No device at all: the call still goes on, silent at this end,
       * rather than with whatever half-working element autoaudiosrc might
       * settle for. */
      all = source ? dt_audio_devices_list_sources (devices) : dt_audio_devices_list_sinks (devices);
      if (all->len == 0)
        {
          g_message ("No %s is connected; the call goes on without one",
                     source ? "microphone" : "speaker");
          element = source ? gst_element_factory_make ("audiotestsrc", NULL)
                           : gst_element_factory_make ("fakesink", NULL);
          if (source)
            g_object_set (element, "is-live", TRUE, "wave", 4 /* silence */, NULL);
          return element;
        }
    }

  element = gst_element_factory_make (source ? "autoaudiosrc" : "autoaudiosink", NULL);
  if (element == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "GStreamer's autoaudio elements are missing "
                         "(package gstreamer1.0-plugins-good)");
  return element;
}

static void
dt_audio_config_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DtAudioConfig *self = DT_AUDIO_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SOURCE_DESCRIPTION:
      g_value_set_string (value, self->source_description);
      break;
    case PROP_SINK_DESCRIPTION:
      g_value_set_string (value, self->sink_description);
      break;
    case PROP_SOURCE_DEVICE:
      g_value_set_string (value, self->source_device);
      break;
    case PROP_SINK_DEVICE:
      g_value_set_string (value, self->sink_device);
      break;
    case PROP_RINGER_DESCRIPTION:
      g_value_set_string (value, self->ringer_description);
      break;
    case PROP_RINGER_DEVICE:
      g_value_set_string (value, self->ringer_device);
      break;
    case PROP_ECHO_CANCEL:
      g_value_set_boolean (value, self->echo_cancel);
      break;
    case PROP_NOISE_SUPPRESSION:
      g_value_set_boolean (value, self->noise_suppression);
      break;
    case PROP_GAIN_CONTROL:
      g_value_set_boolean (value, self->gain_control);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_audio_config_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DtAudioConfig *self = DT_AUDIO_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SOURCE_DESCRIPTION:
      dt_audio_config_set_source_description (self, g_value_get_string (value));
      break;
    case PROP_SINK_DESCRIPTION:
      dt_audio_config_set_sink_description (self, g_value_get_string (value));
      break;
    case PROP_SOURCE_DEVICE:
      dt_audio_config_set_source_device (self, g_value_get_string (value));
      break;
    case PROP_SINK_DEVICE:
      dt_audio_config_set_sink_device (self, g_value_get_string (value));
      break;
    case PROP_RINGER_DESCRIPTION:
      dt_audio_config_set_ringer_description (self, g_value_get_string (value));
      break;
    case PROP_RINGER_DEVICE:
      dt_audio_config_set_ringer_device (self, g_value_get_string (value));
      break;
    case PROP_ECHO_CANCEL:
      dt_audio_config_set_echo_cancel (self, g_value_get_boolean (value));
      break;
    case PROP_NOISE_SUPPRESSION:
      dt_audio_config_set_noise_suppression (self, g_value_get_boolean (value));
      break;
    case PROP_GAIN_CONTROL:
      dt_audio_config_set_gain_control (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_audio_config_finalize (GObject *object)
{
  DtAudioConfig *self = DT_AUDIO_CONFIG (object);

  g_free (self->source_description);
  g_free (self->sink_description);
  g_free (self->source_device);
  g_free (self->sink_device);
  g_free (self->ringer_description);
  g_free (self->ringer_device);

  G_OBJECT_CLASS (dt_audio_config_parent_class)->finalize (object);
}

static void
dt_audio_config_class_init (DtAudioConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = dt_audio_config_get_property;
  object_class->set_property = dt_audio_config_set_property;
  object_class->finalize = dt_audio_config_finalize;

  /**
   * DtAudioConfig:source-description:
   *
   * A GStreamer bin description used as the capture device; it defaults to
   * $DIALTONE_AUDIO_SRC.
   */
  props[PROP_SOURCE_DESCRIPTION] =
    g_param_spec_string ("source-description", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:sink-description:
   *
   * A GStreamer bin description used as the playback device; it defaults to
   * $DIALTONE_AUDIO_SINK.
   */
  props[PROP_SINK_DESCRIPTION] =
    g_param_spec_string ("sink-description", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:source-device:
   *
   * The display name of the capture device, when no description is set.
   */
  props[PROP_SOURCE_DEVICE] =
    g_param_spec_string ("source-device", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:sink-device:
   *
   * The display name of the playback device, when no description is set.
   */
  props[PROP_SINK_DEVICE] =
    g_param_spec_string ("sink-device", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:ringer-description:
   *
   * A GStreamer bin description the ring tone plays into; it defaults to
   * $DIALTONE_RINGER_SINK.
   */
  props[PROP_RINGER_DESCRIPTION] =
    g_param_spec_string ("ringer-description", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:ringer-device:
   *
   * The display name of the device that rings, when no description is set.
   */
  props[PROP_RINGER_DEVICE] =
    g_param_spec_string ("ringer-device", NULL, NULL, NULL, flags);

  /**
   * DtAudioConfig:echo-cancel:
   *
   * Whether webrtcdsp cancels the far end's voice coming back from the
   * speaker.
   */
  props[PROP_ECHO_CANCEL] =
    g_param_spec_boolean ("echo-cancel", NULL, NULL, TRUE, flags);

  /**
   * DtAudioConfig:noise-suppression:
   *
   * Whether webrtcdsp suppresses steady background noise.
   */
  props[PROP_NOISE_SUPPRESSION] =
    g_param_spec_boolean ("noise-suppression", NULL, NULL, TRUE, flags);

  /**
   * DtAudioConfig:gain-control:
   *
   * Whether webrtcdsp levels the microphone.
   */
  props[PROP_GAIN_CONTROL] =
    g_param_spec_boolean ("gain-control", NULL, NULL, TRUE, flags);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_audio_config_init (DtAudioConfig *self)
{
  self->source_description = g_strdup (g_getenv ("DIALTONE_AUDIO_SRC"));
  self->sink_description = g_strdup (g_getenv ("DIALTONE_AUDIO_SINK"));
  self->ringer_description = g_strdup (g_getenv ("DIALTONE_RINGER_SINK"));
  self->echo_cancel = TRUE;
  self->noise_suppression = TRUE;
  self->gain_control = TRUE;
}

/**
 * dt_audio_config_new:
 *
 * Returns: (transfer full): the defaults: $DIALTONE_AUDIO_SRC,
 *   $DIALTONE_AUDIO_SINK and $DIALTONE_RINGER_SINK if set, else the system's
 *   default devices; all DSP on
 */
DtAudioConfig *
dt_audio_config_new (void)
{
  return g_object_new (DT_TYPE_AUDIO_CONFIG, NULL);
}

/**
 * dt_audio_config_get_source_description:
 * @self: the configuration
 *
 * Returns: (nullable): the capture bin description
 */
const char *
dt_audio_config_get_source_description (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->source_description;
}

/**
 * dt_audio_config_set_source_description:
 * @self: the configuration
 * @description: (nullable): a GStreamer bin description, or %NULL for a device
 *
 * Sets what the capture chain starts from.
 */
void
dt_audio_config_set_source_description (DtAudioConfig *self,
                                        const char    *description)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->source_description, description, PROP_SOURCE_DESCRIPTION);
}

/**
 * dt_audio_config_get_sink_description:
 * @self: the configuration
 *
 * Returns: (nullable): the playback bin description
 */
const char *
dt_audio_config_get_sink_description (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->sink_description;
}

/**
 * dt_audio_config_set_sink_description:
 * @self: the configuration
 * @description: (nullable): a GStreamer bin description, or %NULL for a device
 *
 * Sets where the playback chain ends.
 */
void
dt_audio_config_set_sink_description (DtAudioConfig *self,
                                      const char    *description)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->sink_description, description, PROP_SINK_DESCRIPTION);
}

/**
 * dt_audio_config_get_source_device:
 * @self: the configuration
 *
 * Returns: (nullable): the capture device's display name
 */
const char *
dt_audio_config_get_source_device (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->source_device;
}

/**
 * dt_audio_config_set_source_device:
 * @self: the configuration
 * @display_name: (nullable): a device name from #DtAudioDevices
 *
 * Picks the capture device used when no description is set.
 */
void
dt_audio_config_set_source_device (DtAudioConfig *self,
                                   const char    *display_name)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->source_device, display_name, PROP_SOURCE_DEVICE);
}

/**
 * dt_audio_config_get_sink_device:
 * @self: the configuration
 *
 * Returns: (nullable): the playback device's display name
 */
const char *
dt_audio_config_get_sink_device (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->sink_device;
}

/**
 * dt_audio_config_set_sink_device:
 * @self: the configuration
 * @display_name: (nullable): a device name from #DtAudioDevices
 *
 * Picks the playback device used when no description is set.
 */
void
dt_audio_config_set_sink_device (DtAudioConfig *self,
                                 const char    *display_name)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->sink_device, display_name, PROP_SINK_DEVICE);
}

/**
 * dt_audio_config_get_ringer_description:
 * @self: the configuration
 *
 * Returns: (nullable): the ringer bin description
 */
const char *
dt_audio_config_get_ringer_description (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->ringer_description;
}

/**
 * dt_audio_config_set_ringer_description:
 * @self: the configuration
 * @description: (nullable): a GStreamer bin description, or %NULL for a device
 *
 * Sets where the ring tone plays.
 */
void
dt_audio_config_set_ringer_description (DtAudioConfig *self,
                                        const char    *description)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->ringer_description, description, PROP_RINGER_DESCRIPTION);
}

/**
 * dt_audio_config_get_ringer_device:
 * @self: the configuration
 *
 * Returns: (nullable): the ringing device's display name
 */
const char *
dt_audio_config_get_ringer_device (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return self->ringer_device;
}

/**
 * dt_audio_config_set_ringer_device:
 * @self: the configuration
 * @display_name: (nullable): a device name from #DtAudioDevices
 *
 * Picks the device that rings when no description is set.
 */
void
dt_audio_config_set_ringer_device (DtAudioConfig *self,
                                   const char    *display_name)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_string (self, &self->ringer_device, display_name, PROP_RINGER_DEVICE);
}

/**
 * dt_audio_config_get_echo_cancel:
 * @self: the configuration
 *
 * Returns: whether echo cancellation runs
 */
gboolean
dt_audio_config_get_echo_cancel (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), FALSE);
  return self->echo_cancel;
}

/**
 * dt_audio_config_set_echo_cancel:
 * @self: the configuration
 * @enabled: whether echo cancellation runs
 *
 * Takes effect in the next session started.
 */
void
dt_audio_config_set_echo_cancel (DtAudioConfig *self,
                                 gboolean       enabled)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_flag (self, &self->echo_cancel, enabled, PROP_ECHO_CANCEL);
}

/**
 * dt_audio_config_get_noise_suppression:
 * @self: the configuration
 *
 * Returns: whether noise suppression runs
 */
gboolean
dt_audio_config_get_noise_suppression (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), FALSE);
  return self->noise_suppression;
}

/**
 * dt_audio_config_set_noise_suppression:
 * @self: the configuration
 * @enabled: whether noise suppression runs
 *
 * Takes effect in the next session started.
 */
void
dt_audio_config_set_noise_suppression (DtAudioConfig *self,
                                       gboolean       enabled)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_flag (self, &self->noise_suppression, enabled, PROP_NOISE_SUPPRESSION);
}

/**
 * dt_audio_config_get_gain_control:
 * @self: the configuration
 *
 * Returns: whether automatic gain control runs
 */
gboolean
dt_audio_config_get_gain_control (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), FALSE);
  return self->gain_control;
}

/**
 * dt_audio_config_set_gain_control:
 * @self: the configuration
 * @enabled: whether automatic gain control runs
 *
 * Takes effect in the next session started.
 */
void
dt_audio_config_set_gain_control (DtAudioConfig *self,
                                  gboolean       enabled)
{
  g_return_if_fail (DT_IS_AUDIO_CONFIG (self));
  set_flag (self, &self->gain_control, enabled, PROP_GAIN_CONTROL);
}

/**
 * dt_audio_config_get_dsp_enabled:
 * @self: the configuration
 *
 * Returns: whether any webrtcdsp stage runs, and so whether the chain holds
 *   webrtcdsp and webrtcechoprobe at all
 */
gboolean
dt_audio_config_get_dsp_enabled (DtAudioConfig *self)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), FALSE);
  return self->echo_cancel || self->noise_suppression || self->gain_control;
}

/**
 * dt_audio_config_create_source:
 * @self: the configuration
 * @error: where to say why no source could be made
 *
 * Returns: (transfer floating) (nullable): the capture end
 */
GstElement *
dt_audio_config_create_source (DtAudioConfig  *self,
                               GError        **error)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return create_end (self->source_description, self->source_device, TRUE, TRUE, NULL, error);
}

/**
 * dt_audio_config_create_source_full:
 * @self: the configuration
 * @chosen_device: %TRUE to open the device the person chose, %FALSE to
 *   skip it for the default one (it went away)
 * @device_name: (out) (optional) (transfer full): the display name of the
 *   device opened, or %NULL when a description or the automatic choice
 *   made the end
 * @error: where to say why no source could be made
 *
 * Returns: (transfer floating) (nullable): the capture end
 */
GstElement *
dt_audio_config_create_source_full (DtAudioConfig  *self,
                                    gboolean        chosen_device,
                                    char          **device_name,
                                    GError        **error)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return create_end (self->source_description, self->source_device, TRUE, chosen_device,
                     device_name, error);
}

/**
 * dt_audio_config_create_sink:
 * @self: the configuration
 * @error: where to say why no sink could be made
 *
 * Returns: (transfer floating) (nullable): the playback end
 */
GstElement *
dt_audio_config_create_sink (DtAudioConfig  *self,
                             GError        **error)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return create_end (self->sink_description, self->sink_device, FALSE, TRUE, NULL, error);
}

/**
 * dt_audio_config_create_sink_full:
 * @self: the configuration
 * @chosen_device: %TRUE to open the device the person chose, %FALSE to
 *   skip it for the default one (it went away)
 * @device_name: (out) (optional) (transfer full): the display name of the
 *   device opened, or %NULL when a description or the automatic choice
 *   made the end
 * @error: where to say why no sink could be made
 *
 * Returns: (transfer floating) (nullable): the playback end
 */
GstElement *
dt_audio_config_create_sink_full (DtAudioConfig  *self,
                                  gboolean        chosen_device,
                                  char          **device_name,
                                  GError        **error)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return create_end (self->sink_description, self->sink_device, FALSE, chosen_device,
                     device_name, error);
}

/**
 * dt_audio_config_create_ringer:
 * @self: the configuration
 * @error: where to say why no ringer could be made
 *
 * Returns: (transfer floating) (nullable): the end the ring tone plays into
 */
GstElement *
dt_audio_config_create_ringer (DtAudioConfig  *self,
                               GError        **error)
{
  g_return_val_if_fail (DT_IS_AUDIO_CONFIG (self), NULL);
  return create_end (self->ringer_description, self->ringer_device, FALSE, TRUE, NULL, error);
}
