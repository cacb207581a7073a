/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "dt-call-private.h"
#include "dt-core-enums.h"

/**
 * DtCall:
 *
 * One call, on any protocol. The state machine lives here so that every
 * backend behaves the same: dialing → ringing → active ⇄ held → ended.
 *
 * Public operations (answer, hang up, hold, transfer, DTMF) are checked
 * against the current state before a backend sees them; an operation that
 * does not apply fails with %DT_CALL_ERROR_INVALID_STATE and changes
 * nothing. Backends report what the network did through
 * `dt-call-private.h`, whose transitions are checked the same way.
 */

enum {
  PROP_0,
  PROP_ID,
  PROP_PROTOCOL,
  PROP_ACCOUNT_ID,
  PROP_DIRECTION,
  PROP_PEER_URI,
  PROP_PEER_NAME,
  PROP_STATE,
  PROP_START_TIME,
  PROP_ANSWER_TIME,
  PROP_END_TIME,
  PROP_END_REASON,
  PROP_END_MESSAGE,
  PROP_MUTED,
  PROP_HELD,
  PROP_CAN_TRANSFER,
  PROP_STATS,
  PROP_DTMF_RECEIVED,
  PROP_INPUT_LEVEL,
  PROP_OUTPUT_LEVEL,
  N_PROPS
};

enum {
  DTMF_RECEIVED,
  N_SIGNALS
};

static GParamSpec *props[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  char            *id;
  char            *protocol;
  char            *account_id;
  DtCallDirection  direction;
  char            *peer_uri;
  char            *peer_name;

  DtCallState      state;
  GDateTime       *start_time;
  GDateTime       *answer_time;
  GDateTime       *end_time;
  DtCallEndReason  end_reason;
  char            *end_message;

  gboolean         muted;
  DtCallStats     *stats;
  GString         *dtmf_received;
  double           input_level;
  double           output_level;
} DtCallPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (DtCall, dt_call, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-call-error-quark, dt_call_error)

/* The legal moves of the state machine, by [from][to]. Ending is legal from
 * every live state but goes through _dt_call_end(), which needs a reason. */
static const gboolean transitions[5][5] = {
  /*                       DIALING RINGING ACTIVE HELD   ENDED */
  [DT_CALL_STATE_DIALING] = { FALSE, TRUE,  TRUE,  FALSE, TRUE },
  [DT_CALL_STATE_RINGING] = { FALSE, FALSE, TRUE,  FALSE, TRUE },
  [DT_CALL_STATE_ACTIVE]  = { FALSE, FALSE, FALSE, TRUE,  TRUE },
  [DT_CALL_STATE_HELD]    = { FALSE, FALSE, TRUE,  FALSE, TRUE },
  [DT_CALL_STATE_ENDED]   = { FALSE, FALSE, FALSE, FALSE, FALSE },
};

static const char *
state_nick (DtCallState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (DT_TYPE_CALL_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  /* Enum classes are never unloaded, so the nick outlives the ref. */
  return value ? value->value_nick : "unknown";
}

static gboolean
check_state (gboolean     allowed,
             const char  *message,
             GError     **error)
{
  if (allowed)
    return TRUE;

  g_set_error_literal (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE, message);
  return FALSE;
}

static gboolean
is_dtmf_digit (char c)
{
  return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
}

/* The public async operations check the state, then hand over to the
 * subclass's vfunc and relay its result through a task of their own, so a
 * caller sees one consistent source tag whatever the backend does. */
static void
relay_boolean_result (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  gboolean (*finish) (DtCall *, GAsyncResult *, GError **) = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (finish (DT_CALL (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static GTask *
operation_task_new (DtCall              *self,
                    gpointer             source_tag,
                    gpointer             finish_vfunc,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, finish_vfunc, NULL);
  return task;
}

static void
return_not_supported (GTask      *task,
                      const char *message)
{
  g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED, "%s", message);
}

static void
dt_call_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  DtCall *self = DT_CALL (object);
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, priv->id);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, priv->protocol);
      break;
    case PROP_ACCOUNT_ID:
      g_value_set_string (value, priv->account_id);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, priv->direction);
      break;
    case PROP_PEER_URI:
      g_value_set_string (value, priv->peer_uri);
      break;
    case PROP_PEER_NAME:
      g_value_set_string (value, priv->peer_name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, priv->state);
      break;
    case PROP_START_TIME:
      g_value_set_boxed (value, priv->start_time);
      break;
    case PROP_ANSWER_TIME:
      g_value_set_boxed (value, priv->answer_time);
      break;
    case PROP_END_TIME:
      g_value_set_boxed (value, priv->end_time);
      break;
    case PROP_END_REASON:
      g_value_set_enum (value, priv->end_reason);
      break;
    case PROP_END_MESSAGE:
      g_value_set_string (value, priv->end_message);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, priv->muted);
      break;
    case PROP_HELD:
      g_value_set_boolean (value, priv->state == DT_CALL_STATE_HELD);
      break;
    case PROP_CAN_TRANSFER:
      g_value_set_boolean (value, dt_call_get_can_transfer (self));
      break;
    case PROP_STATS:
      g_value_set_object (value, priv->stats);
      break;
    case PROP_DTMF_RECEIVED:
      g_value_set_string (value, priv->dtmf_received->str);
      break;
    case PROP_INPUT_LEVEL:
      g_value_set_double (value, priv->input_level);
      break;
    case PROP_OUTPUT_LEVEL:
      g_value_set_double (value, priv->output_level);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  DtCall *self = DT_CALL (object);
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      priv->id = g_value_dup_string (value);
      break;
    case PROP_PROTOCOL:
      priv->protocol = g_value_dup_string (value);
      break;
    case PROP_ACCOUNT_ID:
      priv->account_id = g_value_dup_string (value);
      break;
    case PROP_DIRECTION:
      priv->direction = g_value_get_enum (value);
      break;
    case PROP_PEER_URI:
      priv->peer_uri = g_value_dup_string (value);
      break;
    case PROP_PEER_NAME:
      priv->peer_name = g_value_dup_string (value);
      break;
    case PROP_MUTED:
      dt_call_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_call_constructed (GObject *object)
{
  DtCall *self = DT_CALL (object);
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  G_OBJECT_CLASS (dt_call_parent_class)->constructed (object);

  if (priv->id == NULL)
    priv->id = g_uuid_string_random ();

  priv->state = priv->direction == DT_CALL_DIRECTION_INCOMING
                ? DT_CALL_STATE_RINGING
                : DT_CALL_STATE_DIALING;
}

static void
dt_call_finalize (GObject *object)
{
  DtCall *self = DT_CALL (object);
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_free (priv->id);
  g_free (priv->protocol);
  g_free (priv->account_id);
  g_free (priv->peer_uri);
  g_free (priv->peer_name);
  g_free (priv->end_message);
  g_clear_pointer (&priv->start_time, g_date_time_unref);
  g_clear_pointer (&priv->answer_time, g_date_time_unref);
  g_clear_pointer (&priv->end_time, g_date_time_unref);
  g_clear_object (&priv->stats);
  g_string_free (priv->dtmf_received, TRUE);

  G_OBJECT_CLASS (dt_call_parent_class)->finalize (object);
}

static void
dt_call_class_init (DtCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_call_get_property;
  object_class->set_property = dt_call_set_property;
  object_class->constructed = dt_call_constructed;
  object_class->finalize = dt_call_finalize;

  /**
   * DtCall:id:
   *
   * A unique, stable identifier, used by the history and over D-Bus.
   * Generated when not given.
   */
  props[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_PROTOCOL] =
    g_param_spec_string ("protocol", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_ACCOUNT_ID] =
    g_param_spec_string ("account-id", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_DIRECTION] =
    g_param_spec_enum ("direction", NULL, NULL,
                       DT_TYPE_CALL_DIRECTION, DT_CALL_DIRECTION_OUTGOING,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_PEER_URI] =
    g_param_spec_string ("peer-uri", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_PEER_NAME] =
    g_param_spec_string ("peer-name", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       DT_TYPE_CALL_STATE, DT_CALL_STATE_DIALING,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_START_TIME] =
    g_param_spec_boxed ("start-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_ANSWER_TIME] =
    g_param_spec_boxed ("answer-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_END_TIME] =
    g_param_spec_boxed ("end-time", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_END_REASON] =
    g_param_spec_enum ("end-reason", NULL, NULL,
                       DT_TYPE_CALL_END_REASON, DT_CALL_END_REASON_NONE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtCall:end-message:
   *
   * What the protocol said when the call ended, for people (for example a
   * SIP reason phrase); %NULL when there is nothing to add to the reason.
   */
  props[PROP_END_MESSAGE] =
    g_param_spec_string ("end-message", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_HELD] =
    g_param_spec_boolean ("held", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_CAN_TRANSFER] =
    g_param_spec_boolean ("can-transfer", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_STATS] =
    g_param_spec_object ("stats", NULL, NULL,
                         DT_TYPE_CALL_STATS,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_DTMF_RECEIVED] =
    g_param_spec_string ("dtmf-received", NULL, NULL,
                         "",
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtCall:input-level:
   *
   * How loud the microphone is, in dBFS, as the media engine measures it
   * before the mute; %DT_CALL_LEVEL_SILENT when nothing is measured.
   */
  props[PROP_INPUT_LEVEL] =
    g_param_spec_double ("input-level", NULL, NULL,
                         DT_CALL_LEVEL_SILENT, 0.0, DT_CALL_LEVEL_SILENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * DtCall:output-level:
   *
   * How loud the far end is, in dBFS, as it reaches the speaker;
   * %DT_CALL_LEVEL_SILENT when nothing is measured.
   */
  props[PROP_OUTPUT_LEVEL] =
    g_param_spec_double ("output-level", NULL, NULL,
                         DT_CALL_LEVEL_SILENT, 0.0, DT_CALL_LEVEL_SILENT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtCall::dtmf-received:
   * @digit: the digit, one of 0-9, *, #, A-D
   *
   * The far end sent a DTMF digit.
   */
  signals[DTMF_RECEIVED] =
    g_signal_new ("dtmf-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_CHAR);
}

static void
dt_call_init (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  priv->start_time = g_date_time_new_now_utc ();
  priv->stats = dt_call_stats_new ();
  priv->dtmf_received = g_string_new (NULL);
  priv->input_level = DT_CALL_LEVEL_SILENT;
  priv->output_level = DT_CALL_LEVEL_SILENT;
}

/**
 * dt_call_get_id:
 *
 * Returns: the call's unique identifier
 */
const char *
dt_call_get_id (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->id;
}

/**
 * dt_call_get_protocol:
 *
 * Returns: (nullable): the protocol name of the backend that owns the call
 */
const char *
dt_call_get_protocol (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->protocol;
}

/**
 * dt_call_get_account_id:
 *
 * Returns: (nullable): the identifier of the account the call belongs to
 */
const char *
dt_call_get_account_id (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->account_id;
}

DtCallState
dt_call_get_state (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), DT_CALL_STATE_ENDED);

  return priv->state;
}

DtCallDirection
dt_call_get_direction (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), DT_CALL_DIRECTION_OUTGOING);

  return priv->direction;
}

/**
 * dt_call_get_peer_uri:
 *
 * Returns: (nullable): the far end's address
 */
const char *
dt_call_get_peer_uri (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->peer_uri;
}

/**
 * dt_call_get_peer_name:
 *
 * Returns: (nullable): the far end's display name, when it sent one
 */
const char *
dt_call_get_peer_name (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->peer_name;
}

/**
 * dt_call_get_start_time:
 *
 * Returns: (transfer none): when the call was created
 */
GDateTime *
dt_call_get_start_time (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->start_time;
}

/**
 * dt_call_get_answer_time:
 *
 * Returns: (transfer none) (nullable): when the call first became active
 */
GDateTime *
dt_call_get_answer_time (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->answer_time;
}

/**
 * dt_call_get_end_time:
 *
 * Returns: (transfer none) (nullable): when the call ended
 */
GDateTime *
dt_call_get_end_time (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->end_time;
}

DtCallEndReason
dt_call_get_end_reason (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), DT_CALL_END_REASON_NONE);

  return priv->end_reason;
}

/**
 * dt_call_get_end_message:
 *
 * Returns: (nullable): what the protocol said when the call ended
 */
const char *
dt_call_get_end_message (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->end_message;
}

gboolean
dt_call_get_muted (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), FALSE);

  return priv->muted;
}

gboolean
dt_call_get_held (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), FALSE);

  return priv->state == DT_CALL_STATE_HELD;
}

/**
 * dt_call_get_can_transfer:
 *
 * Returns: whether the backend can hand this call over to someone else
 */
gboolean
dt_call_get_can_transfer (DtCall *self)
{
  g_return_val_if_fail (DT_IS_CALL (self), FALSE);

  return DT_CALL_GET_CLASS (self)->transfer_async != NULL;
}

/**
 * dt_call_get_stats:
 *
 * Returns: (transfer none): the call's live quality figures
 */
DtCallStats *
dt_call_get_stats (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->stats;
}

/**
 * dt_call_get_dtmf_received:
 *
 * Returns: every DTMF digit the far end has sent, in order
 */
const char *
dt_call_get_dtmf_received (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), NULL);

  return priv->dtmf_received->str;
}

/**
 * dt_call_get_input_level:
 *
 * Returns: the microphone's level in dBFS, or %DT_CALL_LEVEL_SILENT
 */
double
dt_call_get_input_level (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), DT_CALL_LEVEL_SILENT);

  return priv->input_level;
}

/**
 * dt_call_get_output_level:
 *
 * Returns: the far end's level in dBFS, or %DT_CALL_LEVEL_SILENT
 */
double
dt_call_get_output_level (DtCall *self)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_val_if_fail (DT_IS_CALL (self), DT_CALL_LEVEL_SILENT);

  return priv->output_level;
}

/**
 * dt_call_set_muted:
 *
 * Stops or restarts sending the microphone. Muting applies as long as the
 * call is live; on an ended call it does nothing.
 */
void
dt_call_set_muted (DtCall   *self,
                   gboolean  muted)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass;

  g_return_if_fail (DT_IS_CALL (self));

  muted = !!muted;
  if (priv->muted == muted || priv->state == DT_CALL_STATE_ENDED)
    return;

  klass = DT_CALL_GET_CLASS (self);
  if (klass->set_muted)
    klass->set_muted (self, muted);

  priv->muted = muted;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MUTED]);
}

/**
 * dt_call_send_dtmf:
 * @digits: one or more of 0-9, *, #, A-D (lower case a-d accepted)
 *
 * Sends DTMF on an active call. Every digit is checked before any is sent,
 * so a bad string sends nothing.
 *
 * Returns: %TRUE if the backend took every digit
 */
gboolean
dt_call_send_dtmf (DtCall      *self,
                   const char  *digits,
                   GError     **error)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass;
  g_autofree char *upper = NULL;

  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (digits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_state (priv->state == DT_CALL_STATE_ACTIVE,
                    _("Tones can only be sent during an active call"), error))
    return FALSE;

  upper = g_ascii_strup (digits, -1);
  if (*upper == '\0')
    {
      g_set_error_literal (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                           _("No tones to send"));
      return FALSE;
    }

  for (const char *p = upper; *p; p++)
    {
      if (!is_dtmf_digit (*p))
        {
          g_set_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                       _("“%c” is not a key on a telephone keypad"),
                       g_ascii_isprint (*p) ? *p : '?');
          return FALSE;
        }
    }

  klass = DT_CALL_GET_CLASS (self);
  if (klass->send_dtmf == NULL)
    {
      g_set_error_literal (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED,
                           _("This kind of call cannot send tones"));
      return FALSE;
    }

  for (const char *p = upper; *p; p++)
    {
      if (!klass->send_dtmf (self, *p, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * dt_call_answer_async:
 *
 * Answers an incoming call that is ringing.
 */
void
dt_call_answer_async (DtCall              *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_CALL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  klass = DT_CALL_GET_CLASS (self);
  task = operation_task_new (self, dt_call_answer_async, klass->answer_finish,
                             cancellable, callback, user_data);

  if (!check_state (priv->direction == DT_CALL_DIRECTION_INCOMING
                    && priv->state == DT_CALL_STATE_RINGING,
                    _("Only a ringing incoming call can be answered"), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (klass->answer_async == NULL || klass->answer_finish == NULL)
    {
      return_not_supported (task, _("This kind of call cannot be answered"));
      return;
    }

  klass->answer_async (self, cancellable, relay_boolean_result, g_steal_pointer (&task));
}

gboolean
dt_call_answer_finish (DtCall        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_call_answer_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hangup_with_reason (DtCall              *self,
                    gboolean             decline,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass = DT_CALL_GET_CLASS (self);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  DtCallEndReason reason;
  gboolean allowed;

  task = operation_task_new (self, dt_call_hangup_async, klass->hangup_finish,
                             cancellable, callback, user_data);

  if (decline)
    allowed = priv->direction == DT_CALL_DIRECTION_INCOMING
              && priv->state == DT_CALL_STATE_RINGING;
  else
    allowed = dt_call_state_is_live (priv->state);

  if (!check_state (allowed,
                    decline ? _("Only a ringing incoming call can be declined")
                            : _("The call has already ended"),
                    &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (decline
      || (priv->direction == DT_CALL_DIRECTION_INCOMING && priv->state == DT_CALL_STATE_RINGING))
    reason = DT_CALL_END_REASON_DECLINED;
  else if (priv->state == DT_CALL_STATE_DIALING || priv->state == DT_CALL_STATE_RINGING)
    reason = DT_CALL_END_REASON_CANCELLED;
  else
    reason = DT_CALL_END_REASON_LOCAL_HANGUP;

  if (klass->hangup_async == NULL || klass->hangup_finish == NULL)
    {
      return_not_supported (task, _("This kind of call cannot be hung up"));
      return;
    }

  klass->hangup_async (self, reason, cancellable, relay_boolean_result, g_steal_pointer (&task));
}

/**
 * dt_call_hangup_async:
 *
 * Ends the call: hangs up an established call, gives up on an outgoing one
 * that is still ringing, or declines an incoming one.
 */
void
dt_call_hangup_async (DtCall              *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_return_if_fail (DT_IS_CALL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  hangup_with_reason (self, FALSE, cancellable, callback, user_data);
}

/**
 * dt_call_decline_async:
 *
 * Declines an incoming call that is ringing. Finish with
 * dt_call_hangup_finish().
 */
void
dt_call_decline_async (DtCall              *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (DT_IS_CALL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  hangup_with_reason (self, TRUE, cancellable, callback, user_data);
}

gboolean
dt_call_hangup_finish (DtCall        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_call_hangup_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_call_hold_async:
 * @hold: %TRUE to put an active call on hold, %FALSE to resume a held one
 */
void
dt_call_hold_async (DtCall              *self,
                    gboolean             hold,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_CALL (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  klass = DT_CALL_GET_CLASS (self);
  task = operation_task_new (self, dt_call_hold_async, klass->hold_finish,
                             cancellable, callback, user_data);

  if (!check_state (priv->state == (hold ? DT_CALL_STATE_ACTIVE : DT_CALL_STATE_HELD),
                    hold ? _("Only an active call can be put on hold")
                         : _("Only a held call can be resumed"),
                    &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (klass->hold_async == NULL || klass->hold_finish == NULL)
    {
      return_not_supported (task, _("This kind of call cannot be put on hold"));
      return;
    }

  klass->hold_async (self, !!hold, cancellable, relay_boolean_result, g_steal_pointer (&task));
}

gboolean
dt_call_hold_finish (DtCall        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_call_hold_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_call_transfer_async:
 * @target_uri: where to send the call
 *
 * Hands an established call over to @target_uri (a blind transfer).
 */
void
dt_call_transfer_async (DtCall              *self,
                        const char          *target_uri,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  DtCallClass *klass;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (DT_IS_CALL (self));
  g_return_if_fail (target_uri != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  klass = DT_CALL_GET_CLASS (self);
  task = operation_task_new (self, dt_call_transfer_async, klass->transfer_finish,
                             cancellable, callback, user_data);

  if (!check_state (priv->state == DT_CALL_STATE_ACTIVE || priv->state == DT_CALL_STATE_HELD,
                    _("Only an established call can be transferred"), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (*target_uri == '\0')
    {
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                               _("No address to transfer the call to"));
      return;
    }

  if (klass->transfer_async == NULL || klass->transfer_finish == NULL)
    {
      return_not_supported (task, _("This kind of call cannot be transferred"));
      return;
    }

  klass->transfer_async (self, target_uri, cancellable, relay_boolean_result,
                         g_steal_pointer (&task));
}

gboolean
dt_call_transfer_finish (DtCall        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_call_transfer_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_call_state_is_live:
 *
 * Returns: %TRUE for every state but ended
 */
gboolean
dt_call_state_is_live (DtCallState state)
{
  return state != DT_CALL_STATE_ENDED;
}

/**
 * dt_call_state_can_change:
 *
 * Returns: whether the state machine allows moving from @from to @to
 */
gboolean
dt_call_state_can_change (DtCallState from,
                          DtCallState to)
{
  if ((guint) from > DT_CALL_STATE_ENDED || (guint) to > DT_CALL_STATE_ENDED)
    return FALSE;

  return transitions[from][to];
}

/**
 * dt_call_state_to_string:
 *
 * Returns: a stable name for @state ("dialing", "ringing", "active", "held"
 *   or "ended"), as used over D-Bus and in JSON
 */
const char *
dt_call_state_to_string (DtCallState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (DT_TYPE_CALL_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value ? value->value_nick : NULL;
}

/**
 * dt_call_end_reason_to_string:
 *
 * Returns: a stable name for @reason ("local-hangup", "busy", …), as stored
 *   in the history and used over D-Bus and in JSON
 */
const char *
dt_call_end_reason_to_string (DtCallEndReason reason)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (DT_TYPE_CALL_END_REASON);
  GEnumValue *value = g_enum_get_value (klass, reason);

  return value ? value->value_nick : NULL;
}

/**
 * dt_call_end_reason_from_string:
 * @reason: (out): where to store the reason
 *
 * Returns: %TRUE if @nick names a reason
 */
gboolean
dt_call_end_reason_from_string (const char      *nick,
                                DtCallEndReason *reason)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  g_return_val_if_fail (reason != NULL, FALSE);

  if (nick == NULL)
    return FALSE;

  klass = g_type_class_ref (DT_TYPE_CALL_END_REASON);
  value = g_enum_get_value_by_nick (klass, nick);
  if (value == NULL)
    return FALSE;

  *reason = value->value;
  return TRUE;
}

/**
 * _dt_call_set_state:
 *
 * Moves the call to @state as the network reports it. Ending goes through
 * _dt_call_end(). An illegal move changes nothing and fails with
 * %DT_CALL_ERROR_INVALID_STATE, so a confused peer cannot corrupt a call.
 */
gboolean
_dt_call_set_state (DtCall       *self,
                    DtCallState   state,
                    GError      **error)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  GObject *object = (GObject *) self;
  DtCallState old_state;

  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (state == DT_CALL_STATE_ENDED)
    {
      g_set_error_literal (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                           "A call ends through _dt_call_end(), with a reason");
      return FALSE;
    }

  if (priv->state == state)
    return TRUE;

  if (!dt_call_state_can_change (priv->state, state))
    {
      g_set_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                   "A call cannot go from %s to %s",
                   state_nick (priv->state), state_nick (state));
      return FALSE;
    }

  old_state = priv->state;
  priv->state = state;

  g_object_freeze_notify (object);
  if (state == DT_CALL_STATE_ACTIVE && priv->answer_time == NULL)
    {
      priv->answer_time = g_date_time_new_now_utc ();
      g_object_notify_by_pspec (object, props[PROP_ANSWER_TIME]);
    }
  if (old_state == DT_CALL_STATE_HELD || state == DT_CALL_STATE_HELD)
    g_object_notify_by_pspec (object, props[PROP_HELD]);
  g_object_notify_by_pspec (object, props[PROP_STATE]);
  g_object_thaw_notify (object);

  return TRUE;
}

/**
 * _dt_call_end:
 * @reason: why; not %DT_CALL_END_REASON_NONE
 * @message: (nullable): what the protocol said, for people
 *
 * Ends a live call. Ending a call twice fails with
 * %DT_CALL_ERROR_INVALID_STATE and keeps the first reason.
 */
gboolean
_dt_call_end (DtCall           *self,
              DtCallEndReason   reason,
              const char       *message,
              GError          **error)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  GObject *object = (GObject *) self;
  gboolean was_held;

  g_return_val_if_fail (DT_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reason == DT_CALL_END_REASON_NONE || dt_call_end_reason_to_string (reason) == NULL)
    {
      g_set_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                   "%d is not a reason for a call to end", (int) reason);
      return FALSE;
    }

  if (priv->state == DT_CALL_STATE_ENDED)
    {
      g_set_error (error, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                   "The call already ended (%s)",
                   dt_call_end_reason_to_string (priv->end_reason));
      return FALSE;
    }

  was_held = priv->state == DT_CALL_STATE_HELD;
  priv->state = DT_CALL_STATE_ENDED;
  priv->end_reason = reason;
  priv->end_message = g_strdup (message);
  priv->end_time = g_date_time_new_now_utc ();

  g_object_freeze_notify (object);
  g_object_notify_by_pspec (object, props[PROP_END_TIME]);
  g_object_notify_by_pspec (object, props[PROP_END_REASON]);
  if (message)
    g_object_notify_by_pspec (object, props[PROP_END_MESSAGE]);
  if (was_held)
    g_object_notify_by_pspec (object, props[PROP_HELD]);
  g_object_notify_by_pspec (object, props[PROP_STATE]);
  _dt_call_set_levels (self, DT_CALL_LEVEL_SILENT, DT_CALL_LEVEL_SILENT);
  g_object_thaw_notify (object);

  return TRUE;
}

void
_dt_call_set_peer_name (DtCall     *self,
                        const char *peer_name)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_if_fail (DT_IS_CALL (self));

  if (g_strcmp0 (priv->peer_name, peer_name) == 0)
    return;

  g_free (priv->peer_name);
  priv->peer_name = g_strdup (peer_name);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PEER_NAME]);
}

/**
 * _dt_call_dtmf_received:
 *
 * Records a digit the far end sent. Anything that is not a keypad key is
 * dropped: it came from the network.
 */
void
_dt_call_dtmf_received (DtCall *self,
                        char    digit)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);

  g_return_if_fail (DT_IS_CALL (self));

  digit = g_ascii_toupper (digit);
  if (!is_dtmf_digit (digit) || priv->state == DT_CALL_STATE_ENDED)
    return;

  g_string_append_c (priv->dtmf_received, digit);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DTMF_RECEIVED]);
  g_signal_emit (self, signals[DTMF_RECEIVED], 0, digit);
}

static double
clamp_level (double dbfs)
{
  /* The media engine says -G_MAXDOUBLE (or NaN) for digital silence. */
  if (isnan (dbfs) || dbfs < DT_CALL_LEVEL_SILENT)
    return DT_CALL_LEVEL_SILENT;
  return MIN (dbfs, 0.0);
}

/**
 * _dt_call_set_levels:
 * @input_dbfs: the microphone's level
 * @output_dbfs: the far end's level
 *
 * Reports the levels the media engine measured; anything below
 * %DT_CALL_LEVEL_SILENT counts as silence. An ended call keeps silent.
 */
void
_dt_call_set_levels (DtCall *self,
                     double  input_dbfs,
                     double  output_dbfs)
{
  DtCallPrivate *priv = dt_call_get_instance_private (self);
  GObject *object = (GObject *) self;

  g_return_if_fail (DT_IS_CALL (self));

  if (priv->state == DT_CALL_STATE_ENDED)
    input_dbfs = output_dbfs = DT_CALL_LEVEL_SILENT;
  input_dbfs = clamp_level (input_dbfs);
  output_dbfs = clamp_level (output_dbfs);

  g_object_freeze_notify (object);
  if (priv->input_level != input_dbfs)
    {
      priv->input_level = input_dbfs;
      g_object_notify_by_pspec (object, props[PROP_INPUT_LEVEL]);
    }
  if (priv->output_level != output_dbfs)
    {
      priv->output_level = output_dbfs;
      g_object_notify_by_pspec (object, props[PROP_OUTPUT_LEVEL]);
    }
  g_object_thaw_notify (object);
}
