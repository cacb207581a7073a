/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ringer.c
 *
 * A pipeline of its own into the ringer end of the audio configuration
 * (the ringer device, or DIALTONE_RINGER_SINK). The built-in ring is two
 * tones, 440 Hz and 480 Hz together, two seconds on and four off: the
 * cadence North American phones ring with (ANSI T1.401), chosen because
 * people know it as "a phone is ringing". A ring tone file plays instead
 * when one is set, again and again until the ringing stops.
 *
 * The cadence runs on a main-context timer that mutes and unmutes the
 * tones; the file loops on a segment seek from the bus watch.
 */

#define G_LOG_DOMAIN "dialtone-media"

#include "config.h"

#include <gio/gio.h>

#include "dt-ringer.h"

#define RING_LOW_HZ   440
#define RING_HIGH_HZ  480
#define RING_ON_MS    2000
#define RING_OFF_MS   4000
/* How long stopping waits for the ringer end to take its last buffer. */
#define RING_STOP_WAIT_MS 500
/* Each tone at 0.25: together they peak at half of full scale. */
#define RING_VOLUME   0.25

enum {
  PROP_0,
  PROP_AUDIO_CONFIG,
  PROP_RINGTONE,
  PROP_RINGING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

struct _DtRinger
{
  GObject        parent_instance;

  GMainContext  *context;
  DtAudioConfig *audio;
  char          *ringtone;

  GstElement    *pipeline;
  GstElement    *gate;          /* the built-in ring's cadence */
  GSource       *bus_watch;
  GSource       *cadence;
  gboolean       sounding;
  gboolean       looping;       /* a file ring's segment seek is made */
};

G_DEFINE_FINAL_TYPE (DtRinger, dt_ringer, G_TYPE_OBJECT)

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean on_cadence (gpointer user_data);

static void
schedule_cadence (DtRinger *self,
                  guint     ms)
{
  clear_source (&self->cadence);
  self->cadence = g_timeout_source_new (ms);
  g_source_set_callback (self->cadence, on_cadence, self, NULL);
  g_source_attach (self->cadence, self->context);
}

static gboolean
on_cadence (gpointer user_data)
{
  DtRinger *self = user_data;

  self->sounding = !self->sounding;
  g_object_set (self->gate, "mute", !self->sounding, NULL);
  schedule_cadence (self, self->sounding ? RING_ON_MS : RING_OFF_MS);
  return G_SOURCE_REMOVE;
}

static gboolean
pipeline_now_playing (GstMessage *message)
{
  GstState old_state, new_state;

  gst_message_parse_state_changed (message, &old_state, &new_state, NULL);
  return new_state == GST_STATE_PLAYING && old_state != GST_STATE_PLAYING;
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  DtRinger *self = user_data;

  /* GstMessageType is a bit field: compare, do not switch. A file ring
   * plays as a segment, so that its end is a SEGMENT_DONE rather than an
   * EOS, and each end seeks back to the start without a flush: the sink
   * plays on with no gap and no new preroll. */
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_STATE_CHANGED && self->gate == NULL
      && !self->looping && GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline)
      && pipeline_now_playing (message))
    {
      /* Without a flush, which would reach the sink's own elements (a
       * wavenc in tests) mid-stream: the file starts over at once. Only
       * once PLAYING: a seek takes the pipeline's state lock and waits for
       * the parser's streaming thread, which a sink still prerolling holds
       * until the pipeline reaches PLAYING, and that needs the state lock
       * (a seek on ASYNC_DONE deadlocked so). */
      self->looping = gst_element_seek (self->pipeline, 1.0, GST_FORMAT_TIME,
                                        GST_SEEK_FLAG_SEGMENT, GST_SEEK_TYPE_SET, 0,
                                        GST_SEEK_TYPE_NONE, -1);
      if (!self->looping)
        g_debug ("The ring tone cannot seek; it plays once");
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_SEGMENT_DONE)
    {
      if (!gst_element_seek (self->pipeline, 1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_SEGMENT,
                             GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_NONE, -1))
        g_debug ("The ring tone does not loop: it cannot seek");
    }
  else if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      g_message ("The ring stopped: %s", error->message);
      dt_ringer_stop (self);
    }
  return G_SOURCE_CONTINUE;
}

/* The built-in ring: two live tones mixed, behind a mute gate. */
static GstElement *
build_builtin_ring (DtRinger  *self,
                    GError   **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GError) parse_error = NULL;
  GstElement *bin;

  description = g_strdup_printf ("audiotestsrc is-live=true freq=%d volume=%g ! mix. "
                                 "audiotestsrc is-live=true freq=%d volume=%g ! mix. "
                                 "audiomixer name=mix ! volume name=gate ! audioconvert ! "
                                 "audioresample",
                                 RING_LOW_HZ, RING_VOLUME, RING_HIGH_HZ, RING_VOLUME);
  bin = gst_parse_bin_from_description (description, TRUE, &parse_error);
  if (bin == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "The ring cannot be made (gstreamer1.0-plugins-base): %s",
                   parse_error->message);
      return NULL;
    }
  self->gate = gst_bin_get_by_name (GST_BIN (bin), "gate");
  gst_object_unref (self->gate);    /* the bin keeps it */
  return bin;
}

static GstElement *
build_file_ring (DtRinger  *self,
                 GError   **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->ringtone);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *description = NULL;
  g_autoptr(GError) parse_error = NULL;
  GstElement *bin;

  if (!g_file_query_exists (file, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The ring tone “%s” is not there",
                   self->ringtone);
      return NULL;
    }
  /* identity keeps a sink that does not sync to the clock (a file, in
   * tests) from looping the file as fast as it can. */
  description = g_strdup_printf ("uridecodebin uri=\"%s\" ! audioconvert ! audioresample ! "
                                 "identity name=out sync=true", uri);
  /* Not ghosting what is unlinked: audioconvert's sink pad waits for
   * uridecodebin's pad, which comes only once the file is open. */
  bin = gst_parse_bin_from_description_full (description, FALSE, NULL, GST_PARSE_FLAG_NONE,
                                             &parse_error);
  if (bin == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The ring tone cannot play: %s",
                   parse_error->message);
      return NULL;
    }
  {
    g_autoptr(GstElement) out = gst_bin_get_by_name (GST_BIN (bin), "out");
    g_autoptr(GstPad) pad = gst_element_get_static_pad (out, "src");

    gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  }
  return bin;
}

static void
dt_ringer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  DtRinger *self = DT_RINGER (object);

  switch (prop_id)
    {
    case PROP_AUDIO_CONFIG:
      g_value_set_object (value, self->audio);
      break;
    case PROP_RINGTONE:
      g_value_set_string (value, self->ringtone);
      break;
    case PROP_RINGING:
      g_value_set_boolean (value, self->pipeline != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_ringer_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  DtRinger *self = DT_RINGER (object);

  switch (prop_id)
    {
    case PROP_AUDIO_CONFIG:
      self->audio = g_value_dup_object (value);
      break;
    case PROP_RINGTONE:
      dt_ringer_set_ringtone (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_ringer_constructed (GObject *object)
{
  DtRinger *self = DT_RINGER (object);

  G_OBJECT_CLASS (dt_ringer_parent_class)->constructed (object);
  if (self->audio == NULL)
    self->audio = dt_audio_config_new ();
}

static void
dt_ringer_dispose (GObject *object)
{
  DtRinger *self = DT_RINGER (object);

  dt_ringer_stop (self);
  g_clear_object (&self->audio);

  G_OBJECT_CLASS (dt_ringer_parent_class)->dispose (object);
}

static void
dt_ringer_finalize (GObject *object)
{
  DtRinger *self = DT_RINGER (object);

  g_free (self->ringtone);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dt_ringer_parent_class)->finalize (object);
}

static void
dt_ringer_class_init (DtRingerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_ringer_get_property;
  object_class->set_property = dt_ringer_set_property;
  object_class->constructed = dt_ringer_constructed;
  object_class->dispose = dt_ringer_dispose;
  object_class->finalize = dt_ringer_finalize;

  /**
   * DtRinger:audio-config:
   *
   * Where the ring goes: its ringer end.
   */
  props[PROP_AUDIO_CONFIG] =
    g_param_spec_object ("audio-config", NULL, NULL, DT_TYPE_AUDIO_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRinger:ringtone:
   *
   * A sound file to ring with, or %NULL for the built-in ring. Takes
   * effect at the next start.
   */
  props[PROP_RINGTONE] =
    g_param_spec_string ("ringtone", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtRinger:ringing:
   *
   * Whether it rings.
   */
  props[PROP_RINGING] =
    g_param_spec_boolean ("ringing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_ringer_init (DtRinger *self)
{
  self->context = g_main_context_ref_thread_default ();
}

/**
 * dt_ringer_new:
 * @audio: (nullable): the audio configuration whose ringer end it plays
 *   into, or %NULL for the defaults
 *
 * Its timers and bus watch run in the caller's thread-default main context.
 *
 * Returns: (transfer full): a ringer, silent
 */
DtRinger *
dt_ringer_new (DtAudioConfig *audio)
{
  g_return_val_if_fail (audio == NULL || DT_IS_AUDIO_CONFIG (audio), NULL);
  return g_object_new (DT_TYPE_RINGER, "audio-config", audio, NULL);
}

/**
 * dt_ringer_set_ringtone:
 * @path: (nullable): a sound file, or %NULL or "" for the built-in ring
 */
void
dt_ringer_set_ringtone (DtRinger   *self,
                        const char *path)
{
  g_return_if_fail (DT_IS_RINGER (self));

  if (path != NULL && *path == '\0')
    path = NULL;
  if (g_strcmp0 (self->ringtone, path) == 0)
    return;
  g_free (self->ringtone);
  self->ringtone = g_strdup (path);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RINGTONE]);
}

const char *
dt_ringer_get_ringtone (DtRinger *self)
{
  g_return_val_if_fail (DT_IS_RINGER (self), NULL);
  return self->ringtone;
}

/**
 * dt_ringer_start:
 * @error: where to say why it cannot ring
 *
 * Starts ringing; ringing already is no error. A ring tone file that is
 * not there or cannot play gives way to the built-in ring: a call must
 * never arrive unheard for a bad file.
 *
 * Returns: %TRUE if it rings
 */
gboolean
dt_ringer_start (DtRinger  *self,
                 GError   **error)
{
  g_autoptr(GError) file_error = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *ring = NULL;
  GstElement *sink;

  g_return_val_if_fail (DT_IS_RINGER (self), FALSE);

  if (self->pipeline != NULL)
    return TRUE;
  gst_init (NULL, NULL);

  self->gate = NULL;
  self->looping = FALSE;
  if (self->ringtone != NULL)
    {
      ring = build_file_ring (self, &file_error);
      if (ring == NULL)
        g_message ("%s; ringing with the built-in ring", file_error->message);
    }
  if (ring == NULL && (ring = build_builtin_ring (self, error)) == NULL)
    return FALSE;
  sink = dt_audio_config_create_ringer (self->audio, error);
  if (sink == NULL)
    {
      gst_object_unref (gst_object_ref_sink (ring));
      return FALSE;
    }

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("ringer"));
  gst_bin_add_many (GST_BIN (self->pipeline), ring, sink, NULL);
  if (!gst_element_link (ring, sink))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The ring cannot reach the ringer device");
      g_clear_object (&self->pipeline);
      return FALSE;
    }
  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_watch, G_SOURCE_FUNC (on_bus_message), self, NULL);
  g_source_attach (self->bus_watch, self->context);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "The ringer device cannot play");
      clear_source (&self->bus_watch);
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
      return FALSE;
    }
  if (self->gate != NULL)
    {
      self->sounding = TRUE;
      schedule_cadence (self, RING_ON_MS);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RINGING]);
  return TRUE;
}

/* On the thread that feeds the ringer end, whose stream lock it holds. */
static GstPadProbeReturn
end_stream_here (GstPad          *pad,
                 GstPadProbeInfo *info,
                 gpointer         user_data)
{
  gst_pad_remove_probe (pad, GST_PAD_PROBE_INFO_ID (info));
  gst_pad_send_event (pad, gst_event_new_eos ());
  return GST_PAD_PROBE_DROP;
}

/**
 * dt_ringer_stop:
 *
 * Stops ringing at once; not ringing is no error.
 */
void
dt_ringer_stop (DtRinger *self)
{
  g_return_if_fail (DT_IS_RINGER (self));

  if (self->pipeline == NULL)
    return;
  clear_source (&self->cadence);
  clear_source (&self->bus_watch);
  /* A file sink (wavenc, in tests) writes its header on EOS. The EOS
   * goes in on the thread that feeds each sink, from a probe: sent from
   * here it would wait for a stream lock that thread keeps taking again.
   * Its arrival is waited for, briefly. */
  {
    GstIterator *sinks = gst_bin_iterate_sinks (GST_BIN (self->pipeline));
    GValue item = G_VALUE_INIT;
    gboolean draining = FALSE;

    while (gst_iterator_next (sinks, &item) == GST_ITERATOR_OK)
      {
        GstElement *element = g_value_get_object (&item);
        g_autoptr(GstPad) pad = gst_element_get_static_pad (element, "sink");
        g_autoptr(GstEvent) caps = pad != NULL
                                   ? gst_pad_get_sticky_event (pad, GST_EVENT_CAPS, 0) : NULL;

        if (caps != NULL)
          {
            gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                               end_stream_here, NULL, NULL);
            draining = TRUE;
          }
        g_value_reset (&item);
      }
    g_value_unset (&item);
    gst_iterator_free (sinks);
    if (draining)
      {
        g_autoptr(GstBus) bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
        g_autoptr(GstMessage) done = NULL;

        done = gst_bus_timed_pop_filtered (bus, RING_STOP_WAIT_MS * GST_MSECOND,
                                           GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
        if (done == NULL)
          g_debug ("The ring did not drain in %d ms", RING_STOP_WAIT_MS);
      }
  }
  gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_object (&self->pipeline);
  self->gate = NULL;
  self->sounding = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RINGING]);
}

gboolean
dt_ringer_is_ringing (DtRinger *self)
{
  g_return_val_if_fail (DT_IS_RINGER (self), FALSE);
  return self->pipeline != NULL;
}
