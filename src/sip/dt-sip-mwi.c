/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-mwi.c
 *
 * Message waiting (RFC 3842, RFC 6665); see dt-sip-mwi.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <string.h>

#include "dt-sip-mwi.h"

#define EVENT "message-summary"
#define CONTENT_TYPE "application/simple-message-summary"
/* After a failed SUBSCRIBE or a subscription the server ended, ask again
 * this much later (RFC 6665 §4.1.3 leaves it to the subscriber). */
#define RESUBSCRIBE_S 600
#define MAX_AUTH_ROUNDS 2

enum {
  PROP_0,
  PROP_ACTIVE,
  PROP_MESSAGES_WAITING,
  PROP_NEW_MESSAGES,
  PROP_OLD_MESSAGES,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

typedef struct
{
  DtSipMwi *self;  /* NULL once the answer no longer matters */
} Pending;

struct _DtSipMwi
{
  GObject          parent_instance;

  DtSipUserAgent  *ua;
  DtSipAuthClient *auth;
  char            *aor;
  char            *call_id;
  char            *local_tag;
  char            *remote_tag;
  guint32          cseq;
  guint            auth_rounds;
  gboolean         running;

  gboolean         active;
  DtSipMessageSummary summary;

  Pending         *pending;
  guint            timer;
};

G_DEFINE_FINAL_TYPE (DtSipMwi, dt_sip_mwi, G_TYPE_OBJECT)

static void send_subscribe (DtSipMwi *self,
                            guint     expires);

/* --- the body ----------------------------------------------------------- */

G_DEFINE_QUARK (dt-sip-mwi-error-quark, dt_sip_mwi_error)

static gboolean
parse_count (const char **p,
             guint       *value)
{
  guint64 n = 0;
  const char *start = *p;

  while (g_ascii_isdigit (**p))
    {
      n = n * 10 + (guint64) (**p - '0');
      if (n > G_MAXUINT32)
        return FALSE;
      (*p)++;
    }
  *value = (guint) n;
  return *p != start;
}

static void
skip_spaces (const char **p)
{
  while (**p == ' ' || **p == '\t')
    (*p)++;
}

/* RFC 3842 §5.2: msg-status-line = "Messages-Waiting" HCOLON ("yes" / "no"),
 * msg-summary-line = message-context-class HCOLON newmsgs SLASH oldmsgs
 * [ LPAREN new-urgentmsgs SLASH old-urgentmsgs RPAREN ]. */
static gboolean
parse_voice_line (const char          *value,
                  DtSipMessageSummary *summary)
{
  const char *p = value;

  skip_spaces (&p);
  if (!parse_count (&p, &summary->new_messages))
    return FALSE;
  skip_spaces (&p);
  if (*p++ != '/')
    return FALSE;
  skip_spaces (&p);
  if (!parse_count (&p, &summary->old_messages))
    return FALSE;
  skip_spaces (&p);
  if (*p == '\0')
    return TRUE;
  if (*p++ != '(')
    return FALSE;
  skip_spaces (&p);
  if (!parse_count (&p, &summary->urgent_new))
    return FALSE;
  skip_spaces (&p);
  if (*p++ != '/')
    return FALSE;
  skip_spaces (&p);
  if (!parse_count (&p, &summary->urgent_old))
    return FALSE;
  skip_spaces (&p);
  if (*p++ != ')')
    return FALSE;
  skip_spaces (&p);
  return *p == '\0';
}

/**
 * dt_sip_message_summary_parse:
 * @body: an `application/simple-message-summary` body, not NUL-terminated
 * @length: its length in bytes
 * @summary: (out caller-allocates): what it says
 *
 * Reads the status line and the voice-message counts; other message
 * classes and other lines are skipped.
 *
 * Returns: %FALSE with @error set when the status line is missing or a
 *   known line is malformed
 */
gboolean
dt_sip_message_summary_parse (const char          *body,
                              gsize                length,
                              DtSipMessageSummary *summary,
                              GError             **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean have_status = FALSE;

  g_return_val_if_fail (body != NULL || length == 0, FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);

  memset (summary, 0, sizeof *summary);
  if (memchr (body, '\0', length) != NULL)
    {
      g_set_error_literal (error, DT_SIP_MWI_ERROR, 0, "The summary holds a NUL byte");
      return FALSE;
    }
  text = g_strndup (body, length);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *colon = strchr (line, ':');
      char *value;

      if (line[0] == '\0' || colon == NULL)
        continue;
      *colon = '\0';
      g_strchomp (line);
      value = g_strstrip (colon + 1);

      if (g_ascii_strcasecmp (line, "Messages-Waiting") == 0)
        {
          if (g_ascii_strcasecmp (value, "yes") == 0)
            summary->messages_waiting = TRUE;
          else if (g_ascii_strcasecmp (value, "no") != 0)
            {
              /* The body comes from the network: quote it as valid text. */
              g_autofree char *shown = g_utf8_make_valid (value, -1);

              g_set_error (error, DT_SIP_MWI_ERROR, 0,
                           "Messages-Waiting must be yes or no, not “%s”", shown);
              return FALSE;
            }
          have_status = TRUE;
        }
      else if (g_ascii_strcasecmp (line, "Voice-Message") == 0)
        {
          if (!parse_voice_line (value, summary))
            {
              g_autofree char *shown = g_utf8_make_valid (value, -1);

              g_set_error (error, DT_SIP_MWI_ERROR, 0,
                           "Voice-Message is not new/old (urgent-new/urgent-old): “%s”", shown);
              return FALSE;
            }
        }
    }

  if (!have_status)
    {
      g_set_error_literal (error, DT_SIP_MWI_ERROR, 0,
                           "The summary has no Messages-Waiting line");
      return FALSE;
    }
  return TRUE;
}

/* --- helpers ----------------------------------------------------------- */

static void
set_active (DtSipMwi *self,
            gboolean  active)
{
  if (self->active == active)
    return;
  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ACTIVE]);
}

static void
set_summary (DtSipMwi                  *self,
             const DtSipMessageSummary *summary)
{
  DtSipMessageSummary old = self->summary;

  self->summary = *summary;
  g_object_freeze_notify (G_OBJECT (self));
  if (old.messages_waiting != summary->messages_waiting)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MESSAGES_WAITING]);
  if (old.new_messages != summary->new_messages)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NEW_MESSAGES]);
  if (old.old_messages != summary->old_messages)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_OLD_MESSAGES]);
  g_object_thaw_notify (G_OBJECT (self));
}

static DtClock *
get_clock (DtSipMwi *self)
{
  return dt_sip_user_agent_get_clock (self->ua);
}

static void
cancel_timer (DtSipMwi *self)
{
  if (self->timer != 0)
    dt_clock_remove (get_clock (self), self->timer);
  self->timer = 0;
}

static void
drop_pending (DtSipMwi *self)
{
  if (self->pending != NULL)
    self->pending->self = NULL;
  self->pending = NULL;
}

static void
on_timer (gpointer user_data)
{
  DtSipMwi *self = user_data;

  self->timer = 0;
  self->auth_rounds = 0;
  send_subscribe (self, DT_SIP_MWI_DEFAULT_EXPIRES);
}

static void
schedule_s (DtSipMwi *self,
            guint     seconds)
{
  cancel_timer (self);
  self->timer = dt_clock_add (get_clock (self), seconds * 1000, on_timer, self);
}

/* A subscription that ended starts over as a new one. */
static void
reset_dialog (DtSipMwi *self)
{
  g_free (self->call_id);
  self->call_id = g_uuid_string_random ();
  g_free (self->local_tag);
  self->local_tag = g_strdup_printf ("%08x", g_random_int ());
  g_clear_pointer (&self->remote_tag, g_free);
}

static void
refresh_in (DtSipMwi *self,
            guint     expires)
{
  /* Refresh with the same margin as a registration: at least 30 s early,
   * never later than half-way. */
  guint margin = MIN (MAX (expires / 10, 30), expires / 2);

  schedule_s (self, MAX (expires - margin, 1));
}

static void
on_response (DtSipTransaction *tx,
             DtSipMessage     *response,
             gpointer          user_data)
{
  Pending *pending = user_data;
  DtSipMwi *self = pending->self;
  guint code;

  if (self == NULL)
    return;
  if (response != NULL && dt_sip_message_get_status_code (response) < 200)
    return;
  pending->self = NULL;
  self->pending = NULL;

  if (!self->running)
    return;
  if (response == NULL)
    {
      set_active (self, FALSE);
      reset_dialog (self);
      schedule_s (self, RESUBSCRIBE_S);
      return;
    }

  code = dt_sip_message_get_status_code (response);
  /* Any final answer but a challenge means the credentials passed. */
  if (self->auth != NULL && self->auth_rounds > 0 && code != 401 && code != 407)
    dt_sip_auth_client_accepted (self->auth);
  /* RFC 6665 §4.1.2.1: 200, or the deprecated 202 that servers still send. */
  if (code >= 200 && code < 300)
    {
      gint64 expires = dt_sip_message_get_expires (response);

      if (self->remote_tag == NULL && dt_sip_message_get_to_tag (response) != NULL)
        self->remote_tag = g_strdup (dt_sip_message_get_to_tag (response));
      set_active (self, TRUE);
      refresh_in (self, expires > 0 ? (guint) MIN (expires, G_MAXUINT32)
                                    : DT_SIP_MWI_DEFAULT_EXPIRES);
      return;
    }

  if ((code == 401 || code == 407) && self->auth != NULL && ++self->auth_rounds <= MAX_AUTH_ROUNDS)
    {
      g_auto(GStrv) challenges =
        dt_sip_message_get_header_values (response, code == 401 ? "WWW-Authenticate"
                                                                 : "Proxy-Authenticate");

      if (dt_sip_auth_client_handle_challenges (self->auth,
                                                code == 401 ? DT_SIP_AUTH_HEADER_WWW
                                                            : DT_SIP_AUTH_HEADER_PROXY,
                                                (const char * const *) challenges, NULL)
          == DT_SIP_AUTH_CLIENT_RETRY)
        {
          send_subscribe (self, DT_SIP_MWI_DEFAULT_EXPIRES);
          return;
        }
    }

  /* 481: the server forgot the subscription; anything else: it cannot or
   * will not give one now. Ask again later with a new dialog. */
  g_debug ("Voicemail subscription for %s refused: %u", self->aor, code);
  set_active (self, FALSE);
  reset_dialog (self);
  schedule_s (self, code == 481 ? 1 : RESUBSCRIBE_S);
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  if (pending->self != NULL && pending->self->pending == pending)
    pending->self->pending = NULL;
  g_free (pending);
}

static void
add_credentials (DtSipMwi     *self,
                 DtSipMessage *request)
{
  g_auto(GStrv) www = NULL;
  g_auto(GStrv) proxy = NULL;

  if (self->auth == NULL)
    return;
  www = dt_sip_auth_client_authorize (self->auth, DT_SIP_AUTH_HEADER_WWW, "SUBSCRIBE", self->aor);
  proxy = dt_sip_auth_client_authorize (self->auth, DT_SIP_AUTH_HEADER_PROXY, "SUBSCRIBE",
                                        self->aor);
  for (guint i = 0; www != NULL && www[i] != NULL; i++)
    dt_sip_message_append_header (request, "Authorization", www[i]);
  for (guint i = 0; proxy != NULL && proxy[i] != NULL; i++)
    dt_sip_message_append_header (request, "Proxy-Authorization", proxy[i]);
}

/* RFC 6665 §4.1.2: SUBSCRIBE to our own AOR; refreshes stay in the dialog
 * (same Call-ID and tags, the next CSeq). */
static void
send_subscribe (DtSipMwi *self,
                guint     expires)
{
  g_autoptr(DtSipMessage) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *via = dt_sip_user_agent_new_via (self->ua);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=%s", self->aor, self->local_tag);
  g_autofree char *to = NULL;
  g_autofree char *cseq = g_strdup_printf ("%u SUBSCRIBE", ++self->cseq);
  g_autofree char *contact = g_strdup_printf ("<%s>", dt_sip_user_agent_get_contact_uri (self->ua));
  g_autofree char *expires_text = g_strdup_printf ("%u", expires);
  DtSipTransaction *tx;
  Pending *pending;

  drop_pending (self);
  cancel_timer (self);

  to = self->remote_tag ? g_strdup_printf ("<%s>;tag=%s", self->aor, self->remote_tag)
                        : g_strdup_printf ("<%s>", self->aor);
  request = dt_sip_message_new_request ("SUBSCRIBE", self->aor);
  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", from);
  dt_sip_message_append_header (request, "To", to);
  dt_sip_message_append_header (request, "Call-ID", self->call_id);
  dt_sip_message_append_header (request, "CSeq", cseq);
  dt_sip_message_append_header (request, "Contact", contact);
  dt_sip_message_append_header (request, "Event", EVENT);
  dt_sip_message_append_header (request, "Accept", CONTENT_TYPE);
  dt_sip_message_append_header (request, "Expires", expires_text);
  add_credentials (self, request);

  pending = g_new0 (Pending, 1);
  pending->self = self;
  tx = dt_sip_transaction_layer_send_request (dt_sip_user_agent_get_transaction_layer (self->ua),
                                              request, NULL,
                                              dt_sip_user_agent_get_reliable (self->ua),
                                              on_response, pending, &error);
  if (tx == NULL)
    {
      g_free (pending);
      g_debug ("Voicemail subscription for %s not sent: %s", self->aor, error->message);
      if (self->running)
        schedule_s (self, RESUBSCRIBE_S);
      return;
    }
  self->pending = pending;
  dt_sip_transaction_set_user_data_free (tx, pending_free);
}

static void
respond (DtSipTransaction *tx,
         DtSipMessage     *request,
         guint             code,
         const char       *reason)
{
  g_autoptr(DtSipMessage) response = dt_sip_message_new_response_for (request, code, reason, NULL);

  dt_sip_transaction_respond (tx, response, NULL);
}

static gboolean
event_is_ours (DtSipMessage *request)
{
  const char *event = dt_sip_message_get_header (request, "Event");
  g_autofree char *package = NULL;

  if (event == NULL)
    return FALSE;
  /* RFC 6665 §8.2.1: the package name, before any parameter. */
  package = g_strstrip (g_strndup (event, strcspn (event, ";")));
  return g_ascii_strcasecmp (package, EVENT) == 0;
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_sip_mwi_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  DtSipMwi *self = DT_SIP_MWI (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_MESSAGES_WAITING:
      g_value_set_boolean (value, self->summary.messages_waiting);
      break;
    case PROP_NEW_MESSAGES:
      g_value_set_uint (value, self->summary.new_messages);
      break;
    case PROP_OLD_MESSAGES:
      g_value_set_uint (value, self->summary.old_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_mwi_dispose (GObject *object)
{
  DtSipMwi *self = DT_SIP_MWI (object);

  drop_pending (self);
  if (self->ua != NULL)
    cancel_timer (self);
  g_clear_object (&self->ua);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (dt_sip_mwi_parent_class)->dispose (object);
}

static void
dt_sip_mwi_finalize (GObject *object)
{
  DtSipMwi *self = DT_SIP_MWI (object);

  g_free (self->aor);
  g_free (self->call_id);
  g_free (self->local_tag);
  g_free (self->remote_tag);

  G_OBJECT_CLASS (dt_sip_mwi_parent_class)->finalize (object);
}

static void
dt_sip_mwi_class_init (DtSipMwiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_mwi_get_property;
  object_class->dispose = dt_sip_mwi_dispose;
  object_class->finalize = dt_sip_mwi_finalize;

  props[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_MESSAGES_WAITING] =
    g_param_spec_boolean ("messages-waiting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_NEW_MESSAGES] =
    g_param_spec_uint ("new-messages", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_OLD_MESSAGES] =
    g_param_spec_uint ("old-messages", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_sip_mwi_init (DtSipMwi *self)
{
  self->cseq = g_random_int_range (1, 1 << 20);
  reset_dialog (self);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_mwi_new:
 * @ua: the account's user agent
 * @aor: our address of record, the mailbox subscribed to
 * @auth: (nullable): the account's credentials
 *
 * Returns: (transfer full): a subscription, not yet started
 */
DtSipMwi *
dt_sip_mwi_new (DtSipUserAgent  *ua,
                const char      *aor,
                DtSipAuthClient *auth)
{
  DtSipMwi *self;

  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (ua), NULL);
  g_return_val_if_fail (aor != NULL, NULL);

  self = g_object_new (DT_SIP_TYPE_MWI, NULL);
  self->ua = g_object_ref (ua);
  self->auth = auth ? g_object_ref (auth) : NULL;
  self->aor = g_strdup (aor);
  return self;
}

/**
 * dt_sip_mwi_start:
 *
 * Subscribes (or subscribes again, as a new subscription).
 */
void
dt_sip_mwi_start (DtSipMwi *self)
{
  g_return_if_fail (DT_SIP_IS_MWI (self));

  self->running = TRUE;
  self->auth_rounds = 0;
  reset_dialog (self);
  send_subscribe (self, DT_SIP_MWI_DEFAULT_EXPIRES);
}

/**
 * dt_sip_mwi_stop:
 *
 * Unsubscribes (RFC 6665 §4.1.2.3: Expires 0) and stops refreshing.
 */
void
dt_sip_mwi_stop (DtSipMwi *self)
{
  gboolean was_active;

  g_return_if_fail (DT_SIP_IS_MWI (self));

  was_active = self->active && self->running;
  self->running = FALSE;
  cancel_timer (self);
  if (was_active)
    send_subscribe (self, 0);
  else
    drop_pending (self);
  set_active (self, FALSE);
}

/**
 * dt_sip_mwi_handle_request:
 * @tx: the server transaction
 * @request: a request the user agent did not handle itself
 *
 * Answers a NOTIFY of this subscription (it may come before the
 * SUBSCRIBE's 200, RFC 6665 §4.1.2.4) or an unsolicited message-summary
 * NOTIFY, and takes its counts.
 *
 * Returns: %TRUE when the request was for message waiting and answered
 */
gboolean
dt_sip_mwi_handle_request (DtSipMwi         *self,
                           DtSipTransaction *tx,
                           DtSipMessage     *request)
{
  const char *to_tag;
  const char *state;
  GBytes *body;
  DtSipMessageSummary summary;
  g_autoptr(GError) error = NULL;
  gboolean ours;

  g_return_val_if_fail (DT_SIP_IS_MWI (self), FALSE);
  g_return_val_if_fail (tx != NULL && request != NULL, FALSE);

  if (!g_str_equal (dt_sip_message_get_method (request), "NOTIFY"))
    return FALSE;

  to_tag = dt_sip_message_get_to_tag (request);
  ours = to_tag != NULL && g_strcmp0 (to_tag, self->local_tag) == 0
         && g_strcmp0 (dt_sip_message_get_call_id (request), self->call_id) == 0;
  if (to_tag != NULL && !ours)
    return FALSE;
  if (!event_is_ours (request))
    {
      if (!ours)
        return FALSE;
      /* RFC 6665 §8.2.1: a NOTIFY for an event we did not subscribe to. */
      respond (tx, request, 489, "Bad Event");
      return TRUE;
    }

  body = dt_sip_message_get_body (request);
  if (body != NULL && g_bytes_get_size (body) > 0)
    {
      if (!dt_sip_message_summary_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                         &summary, &error))
        {
          g_autofree char *reason = g_strdup_printf ("Bad Request (%s)", error->message);

          respond (tx, request, 400, reason);
          return TRUE;
        }
      set_summary (self, &summary);
    }
  respond (tx, request, 200, "OK");

  if (!ours)
    return TRUE;

  if (self->remote_tag == NULL && dt_sip_message_get_from_tag (request) != NULL)
    self->remote_tag = g_strdup (dt_sip_message_get_from_tag (request));

  /* RFC 6665 §4.1.3: Subscription-State says whether to go on. */
  state = dt_sip_message_get_header (request, "Subscription-State");
  if (state != NULL && g_ascii_strncasecmp (state, "terminated", strlen ("terminated")) == 0
      && self->running)
    {
      gboolean retry_soon = strstr (state, "deactivated") != NULL
                            || strstr (state, "timeout") != NULL;

      drop_pending (self);
      set_active (self, FALSE);
      reset_dialog (self);
      schedule_s (self, retry_soon ? 1 : RESUBSCRIBE_S);
    }
  else if (self->running)
    {
      set_active (self, TRUE);
    }
  return TRUE;
}

/**
 * dt_sip_mwi_get_active:
 *
 * Returns: whether the server keeps a subscription for us
 */
gboolean
dt_sip_mwi_get_active (DtSipMwi *self)
{
  g_return_val_if_fail (DT_SIP_IS_MWI (self), FALSE);

  return self->active;
}

/**
 * dt_sip_mwi_get_messages_waiting:
 *
 * Returns: whether the mailbox has messages waiting
 */
gboolean
dt_sip_mwi_get_messages_waiting (DtSipMwi *self)
{
  g_return_val_if_fail (DT_SIP_IS_MWI (self), FALSE);

  return self->summary.messages_waiting;
}

/**
 * dt_sip_mwi_get_new_messages:
 *
 * Returns: the count of new voice messages
 */
guint
dt_sip_mwi_get_new_messages (DtSipMwi *self)
{
  g_return_val_if_fail (DT_SIP_IS_MWI (self), 0);

  return self->summary.new_messages;
}

/**
 * dt_sip_mwi_get_old_messages:
 *
 * Returns: the count of old voice messages
 */
guint
dt_sip_mwi_get_old_messages (DtSipMwi *self)
{
  g_return_val_if_fail (DT_SIP_IS_MWI (self), 0);

  return self->summary.old_messages;
}
