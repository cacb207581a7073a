/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-registration.c
 *
 * REGISTER and its refreshes; see dt-sip-registration.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-uri.h"
#include "dt-sip-registration.h"

/* A second auth round in one attempt is the registrar asking again for
 * credentials it just refused, or a stale nonce right after a fresh one. */
#define MAX_AUTH_ROUNDS 2
#define MAX_BRIEF_ROUNDS 2

enum {
  PROP_0,
  PROP_STATE,
  PROP_FAILURE_REASON,
  PROP_EXPIRES,
  PROP_REQUESTED_EXPIRES,
  PROP_RETRY_BASE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

/* A REGISTER in flight. The transaction may outlive the registration, so
 * its callback reaches the registration only through this. */
typedef struct
{
  DtSipRegistration *self;   /* NULL once the answer no longer matters */
} Pending;

struct _DtSipRegistration
{
  GObject                   parent_instance;

  DtSipUserAgent           *ua;
  DtSipAuthClient          *auth;
  char                     *registrar_uri;
  char                     *aor;
  char                     *call_id;
  char                     *from_tag;
  guint32                   cseq;

  DtSipRegistrationState    state;
  DtSipRegistrationFailure  failure;
  char                     *failure_reason;
  guint                     expires;
  guint                     requested_expires;
  guint                     asking_expires;   /* in the REGISTER in flight */
  guint                     retry_base;
  guint                     n_failures;
  guint                     auth_rounds;
  guint                     brief_rounds;

  Pending                  *pending;
  guint                     timer;
};

G_DEFINE_FINAL_TYPE (DtSipRegistration, dt_sip_registration, G_TYPE_OBJECT)

static void send_register (DtSipRegistration *self,
                           guint              expires);

/* --- helpers ----------------------------------------------------------- */

static void
set_state (DtSipRegistration        *self,
           DtSipRegistrationState    state,
           DtSipRegistrationFailure  failure,
           const char               *reason)
{
  gboolean reason_changed = g_strcmp0 (self->failure_reason, reason) != 0;

  self->failure = failure;
  if (reason_changed)
    {
      g_free (self->failure_reason);
      self->failure_reason = g_strdup (reason);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
    }
  if (reason_changed)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FAILURE_REASON]);
}

static void
set_expires (DtSipRegistration *self,
             guint              expires)
{
  if (self->expires == expires)
    return;
  self->expires = expires;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_EXPIRES]);
}

static DtClock *
get_clock (DtSipRegistration *self)
{
  return dt_sip_user_agent_get_clock (self->ua);
}

static void
cancel_timer (DtSipRegistration *self)
{
  if (self->timer != 0)
    dt_clock_remove (get_clock (self), self->timer);
  self->timer = 0;
}

static void
drop_pending (DtSipRegistration *self)
{
  if (self->pending != NULL)
    self->pending->self = NULL;
  self->pending = NULL;
}

static void
on_timer (gpointer user_data)
{
  DtSipRegistration *self = user_data;

  self->timer = 0;
  self->auth_rounds = 0;
  self->brief_rounds = 0;
  send_register (self, self->requested_expires);
}

static void
schedule (DtSipRegistration *self,
          guint              delay_ms)
{
  cancel_timer (self);
  self->timer = dt_clock_add (get_clock (self), delay_ms, on_timer, self);
}

/* Refresh with time to spare for a retransmission schedule and a round of
 * authentication: a tenth of the interval, at least 30 s, and never more
 * than half of it. */
static guint
refresh_delay_ms (guint expires)
{
  guint margin = MAX (expires / 10, 30);

  if (margin > expires / 2)
    margin = expires / 2;
  return (expires - margin) * 1000;
}

/* RFC 5626 §4.5: min(max-time, base-time · 2^(failures − 1)), then a random
 * point between half of that and all of it, so that clients a server
 * dropped at once do not all come back at once. */
static guint
retry_delay_ms (DtSipRegistration *self)
{
  guint64 wait_s = self->retry_base;

  for (guint i = 1; i < self->n_failures && wait_s < DT_SIP_REGISTRATION_RETRY_MAX_S; i++)
    wait_s *= 2;
  wait_s = MIN (wait_s, DT_SIP_REGISTRATION_RETRY_MAX_S);
  return (guint) g_random_int_range ((gint32) (wait_s * 500), (gint32) (wait_s * 1000) + 1);
}

static void
fail (DtSipRegistration        *self,
      DtSipRegistrationFailure  failure,
      const char               *reason)
{
  drop_pending (self);
  cancel_timer (self);

  if (self->state == DT_SIP_REGISTRATION_UNREGISTERING)
    {
      /* The binding runs out by itself; there is nothing to retry. */
      set_expires (self, 0);
      set_state (self, DT_SIP_REGISTRATION_IDLE, DT_SIP_REGISTRATION_FAILURE_NONE, NULL);
      return;
    }

  g_debug ("Registration of %s failed: %s", self->aor, reason);
  set_expires (self, 0);
  self->n_failures++;
  /* A refused password stays refused: retrying would only lock the
   * account on servers that count failures. */
  if (failure != DT_SIP_REGISTRATION_FAILURE_AUTH)
    schedule (self, retry_delay_ms (self));
  set_state (self, DT_SIP_REGISTRATION_FAILED, failure, reason);
}

static gboolean
contact_matches (const char *ours,
                 const char *theirs)
{
  g_autoptr(DtUri) a = dt_uri_parse (ours, NULL);
  g_autoptr(DtUri) b = dt_uri_parse (theirs, NULL);

  if (a == NULL || b == NULL)
    return g_ascii_strcasecmp (ours, theirs) == 0;
  return dt_uri_equal (a, b);
}

/* §10.2.4: the registrar may change the interval; it says so in our
 * Contact's expires parameter, or else in Expires. */
static guint
granted_expires (DtSipRegistration *self,
                 DtSipMessage      *response)
{
  g_auto(GStrv) contacts = dt_sip_message_get_header_values (response, "Contact");
  const char *ours = dt_sip_user_agent_get_contact_uri (self->ua);
  gint64 header;

  for (guint i = 0; contacts[i] != NULL; i++)
    {
      g_autoptr(DtSipNameAddr) contact = dt_sip_name_addr_parse (contacts[i]);
      const char *value;
      guint64 expires;

      if (contact == NULL || contact->wildcard || !contact_matches (ours, contact->uri))
        continue;
      value = dt_sip_params_lookup (contact->params, "expires", NULL);
      if (value != NULL && g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &expires, NULL))
        return (guint) expires;
    }

  header = dt_sip_message_get_expires (response);
  if (header >= 0)
    return (guint) MIN (header, G_MAXUINT32);
  return self->asking_expires;
}

static void
handle_final (DtSipRegistration *self,
              DtSipMessage      *response)
{
  guint code = dt_sip_message_get_status_code (response);
  const char *phrase = dt_sip_message_get_reason (response);
  g_autofree char *reason = NULL;

  /* Any final answer but a challenge means the credentials passed. */
  if (self->auth != NULL && self->auth_rounds > 0 && code != 401 && code != 407)
    dt_sip_auth_client_accepted (self->auth);

  if (code >= 200 && code < 300)
    {
      guint granted;

      self->pending = NULL;
      if (self->state == DT_SIP_REGISTRATION_UNREGISTERING)
        {
          set_expires (self, 0);
          set_state (self, DT_SIP_REGISTRATION_IDLE, DT_SIP_REGISTRATION_FAILURE_NONE, NULL);
          return;
        }
      granted = granted_expires (self, response);
      if (granted == 0)
        {
          fail (self, DT_SIP_REGISTRATION_FAILURE_REFUSED,
                _("The registrar did not keep the registration"));
          return;
        }
      self->n_failures = 0;
      set_expires (self, granted);
      schedule (self, refresh_delay_ms (granted));
      set_state (self, DT_SIP_REGISTRATION_REGISTERED, DT_SIP_REGISTRATION_FAILURE_NONE, NULL);
      return;
    }

  if (code == 401 || code == 407)
    {
      DtSipAuthHeader header = code == 401 ? DT_SIP_AUTH_HEADER_WWW : DT_SIP_AUTH_HEADER_PROXY;
      g_auto(GStrv) challenges =
        dt_sip_message_get_header_values (response, code == 401 ? "WWW-Authenticate"
                                                                 : "Proxy-Authenticate");
      g_autoptr(GError) error = NULL;
      DtSipAuthClientResult result;

      if (self->auth == NULL)
        {
          fail (self, DT_SIP_REGISTRATION_FAILURE_AUTH,
                _("Authentication failed: the server asks for a password"));
          return;
        }
      result = dt_sip_auth_client_handle_challenges (self->auth, header,
                                                     (const char * const *) challenges, &error);
      if (result == DT_SIP_AUTH_CLIENT_RETRY && ++self->auth_rounds <= MAX_AUTH_ROUNDS)
        {
          send_register (self, self->asking_expires);
          return;
        }
      if (result == DT_SIP_AUTH_CLIENT_UNSUPPORTED)
        reason = g_strdup_printf (
          /* Translators: %s says which authentication the server wants. */
          _("The server asks for an authentication Dialtone cannot do (%s)"),
          error ? error->message : phrase);
      fail (self, result == DT_SIP_AUTH_CLIENT_UNSUPPORTED ? DT_SIP_REGISTRATION_FAILURE_REFUSED
                                                           : DT_SIP_REGISTRATION_FAILURE_AUTH,
            reason ? reason : _("Authentication failed"));
      return;
    }

  if (code == 423 && self->state == DT_SIP_REGISTRATION_REGISTERING)
    {
      const char *value = dt_sip_message_get_header (response, "Min-Expires");
      guint64 minimum = 0;

      /* §10.2.8: ask again for at least the registrar's minimum. */
      if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT32, &minimum, NULL)
          && minimum > self->asking_expires && ++self->brief_rounds <= MAX_BRIEF_ROUNDS)
        {
          send_register (self, (guint) minimum);
          return;
        }
    }

  if (code == 403)
    reason = g_strdup_printf (_("Authentication failed (%u %s)"), code, phrase);
  else
    reason = g_strdup_printf (_("Registration refused: %u %s"), code, phrase);
  fail (self, code == 403 ? DT_SIP_REGISTRATION_FAILURE_AUTH : DT_SIP_REGISTRATION_FAILURE_REFUSED,
        reason);
}

static void
on_response (DtSipTransaction *tx,
             DtSipMessage     *response,
             gpointer          user_data)
{
  Pending *pending = user_data;
  DtSipRegistration *self = pending->self;
  g_autoptr(DtSipRegistration) keep = NULL;

  if (self == NULL)
    return;
  keep = g_object_ref (self);

  if (response == NULL)
    {
      g_autofree char *reason = NULL;

      pending->self = NULL;
      self->pending = NULL;
      reason = g_strdup_printf (_("Server not reachable (%s)"),
                                dt_sip_transaction_get_end (tx) == DT_SIP_TRANSACTION_END_TIMEOUT
                                ? _("no answer") : _("the request could not be sent"));
      fail (self, DT_SIP_REGISTRATION_FAILURE_UNREACHABLE, reason);
      return;
    }
  if (dt_sip_message_get_status_code (response) < 200)
    return;

  pending->self = NULL;
  self->pending = NULL;
  handle_final (self, response);
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
add_credentials (DtSipRegistration *self,
                 DtSipMessage      *request)
{
  static const struct {
    DtSipAuthHeader header;
    const char *name;
  } kinds[] = {
    { DT_SIP_AUTH_HEADER_WWW, "Authorization" },
    { DT_SIP_AUTH_HEADER_PROXY, "Proxy-Authorization" },
  };

  if (self->auth == NULL)
    return;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_auto(GStrv) values = dt_sip_auth_client_authorize (self->auth, kinds[k].header,
                                                           "REGISTER", self->registrar_uri);

      for (guint i = 0; values != NULL && values[i] != NULL; i++)
        dt_sip_message_append_header (request, kinds[k].name, values[i]);
    }
}

/* §10.2: the same Call-ID for every REGISTER of this binding, the CSeq one
 * higher each time, a new branch. Credentials cached from the last
 * challenge go along at once (as the refresh of a known realm). */
static void
send_register (DtSipRegistration *self,
               guint              expires)
{
  g_autoptr(DtSipMessage) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *via = dt_sip_user_agent_new_via (self->ua);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=%s", self->aor, self->from_tag);
  g_autofree char *to = g_strdup_printf ("<%s>", self->aor);
  g_autofree char *cseq = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *expires_text = g_strdup_printf ("%u", expires);
  DtSipTransaction *tx;
  Pending *pending;

  drop_pending (self);
  cancel_timer (self);

  self->asking_expires = expires;
  cseq = g_strdup_printf ("%u REGISTER", ++self->cseq);
  contact = g_strdup_printf ("<%s>;expires=%u", dt_sip_user_agent_get_contact_uri (self->ua),
                             expires);

  request = dt_sip_message_new_request ("REGISTER", self->registrar_uri);
  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", from);
  dt_sip_message_append_header (request, "To", to);
  dt_sip_message_append_header (request, "Call-ID", self->call_id);
  dt_sip_message_append_header (request, "CSeq", cseq);
  dt_sip_message_append_header (request, "Contact", contact);
  dt_sip_message_append_header (request, "Expires", expires_text);
  dt_sip_message_append_header (request, "Allow",
                                "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY");
  dt_sip_message_append_header (request, "User-Agent", PACKAGE_NAME "/" PACKAGE_VERSION);
  add_credentials (self, request);

  if (expires > 0)
    set_state (self, DT_SIP_REGISTRATION_REGISTERING, self->failure, self->failure_reason);

  pending = g_new0 (Pending, 1);
  pending->self = self;
  tx = dt_sip_transaction_layer_send_request (dt_sip_user_agent_get_transaction_layer (self->ua),
                                              request, NULL,
                                              dt_sip_user_agent_get_reliable (self->ua),
                                              on_response, pending, &error);
  if (tx == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Server not reachable (%s)"), error->message);

      g_free (pending);
      fail (self, DT_SIP_REGISTRATION_FAILURE_UNREACHABLE, reason);
      return;
    }
  self->pending = pending;
  dt_sip_transaction_set_user_data_free (tx, pending_free);
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_sip_registration_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  DtSipRegistration *self = DT_SIP_REGISTRATION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_FAILURE_REASON:
      g_value_set_string (value, self->failure_reason);
      break;
    case PROP_EXPIRES:
      g_value_set_uint (value, self->expires);
      break;
    case PROP_REQUESTED_EXPIRES:
      g_value_set_uint (value, self->requested_expires);
      break;
    case PROP_RETRY_BASE:
      g_value_set_uint (value, self->retry_base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_registration_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  DtSipRegistration *self = DT_SIP_REGISTRATION (object);

  switch (prop_id)
    {
    case PROP_REQUESTED_EXPIRES:
      dt_sip_registration_set_requested_expires (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_BASE:
      dt_sip_registration_set_retry_base (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_registration_dispose (GObject *object)
{
  DtSipRegistration *self = DT_SIP_REGISTRATION (object);

  drop_pending (self);
  if (self->ua != NULL)
    cancel_timer (self);
  g_clear_object (&self->ua);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (dt_sip_registration_parent_class)->dispose (object);
}

static void
dt_sip_registration_finalize (GObject *object)
{
  DtSipRegistration *self = DT_SIP_REGISTRATION (object);

  g_free (self->registrar_uri);
  g_free (self->aor);
  g_free (self->call_id);
  g_free (self->from_tag);
  g_free (self->failure_reason);

  G_OBJECT_CLASS (dt_sip_registration_parent_class)->finalize (object);
}

static void
dt_sip_registration_class_init (DtSipRegistrationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_registration_get_property;
  object_class->set_property = dt_sip_registration_set_property;
  object_class->dispose = dt_sip_registration_dispose;
  object_class->finalize = dt_sip_registration_finalize;

  props[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, DT_SIP_REGISTRATION_IDLE,
                      DT_SIP_REGISTRATION_UNREGISTERING, DT_SIP_REGISTRATION_IDLE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_FAILURE_REASON] =
    g_param_spec_string ("failure-reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_EXPIRES] =
    g_param_spec_uint ("expires", NULL, NULL, 0, G_MAXUINT32, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_REQUESTED_EXPIRES] =
    g_param_spec_uint ("requested-expires", NULL, NULL, 1, G_MAXUINT32,
                       DT_SIP_REGISTRATION_DEFAULT_EXPIRES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  props[PROP_RETRY_BASE] =
    g_param_spec_uint ("retry-base", NULL, NULL, 1, DT_SIP_REGISTRATION_RETRY_MAX_S,
                       DT_SIP_REGISTRATION_RETRY_BASE_S,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_sip_registration_init (DtSipRegistration *self)
{
  self->requested_expires = DT_SIP_REGISTRATION_DEFAULT_EXPIRES;
  self->retry_base = DT_SIP_REGISTRATION_RETRY_BASE_S;
  self->call_id = g_uuid_string_random ();
  self->from_tag = g_strdup_printf ("%08x", g_random_int ());
  self->cseq = g_random_int_range (1, 1 << 20);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_registration_new:
 * @ua: the agent whose Contact gets registered and whose transactions carry
 *   the REGISTERs
 * @registrar_uri: the Request-URI, the registrar's domain without a user
 *   (§10.2)
 * @aor: our address of record, for From and To
 * @auth: (nullable): the account's credentials
 *
 * Returns: (transfer full): an idle registration; see
 *   dt_sip_registration_start()
 */
DtSipRegistration *
dt_sip_registration_new (DtSipUserAgent  *ua,
                         const char      *registrar_uri,
                         const char      *aor,
                         DtSipAuthClient *auth)
{
  DtSipRegistration *self;

  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (ua), NULL);
  g_return_val_if_fail (registrar_uri != NULL && aor != NULL, NULL);
  g_return_val_if_fail (auth == NULL || DT_SIP_IS_AUTH_CLIENT (auth), NULL);

  self = g_object_new (DT_SIP_TYPE_REGISTRATION, NULL);
  self->ua = g_object_ref (ua);
  self->auth = auth ? g_object_ref (auth) : NULL;
  self->registrar_uri = g_strdup (registrar_uri);
  self->aor = g_strdup (aor);
  return self;
}

/**
 * dt_sip_registration_get_state:
 *
 * Returns: where the registration stands
 */
DtSipRegistrationState
dt_sip_registration_get_state (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), DT_SIP_REGISTRATION_IDLE);

  return self->state;
}

/**
 * dt_sip_registration_get_failure:
 *
 * Returns: why the last attempt failed, or %DT_SIP_REGISTRATION_FAILURE_NONE
 */
DtSipRegistrationFailure
dt_sip_registration_get_failure (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), DT_SIP_REGISTRATION_FAILURE_NONE);

  return self->failure;
}

/**
 * dt_sip_registration_get_failure_reason:
 *
 * Returns: (nullable): a sentence a user can act on, such as
 *   "Authentication failed", while the state is
 *   %DT_SIP_REGISTRATION_FAILED or a retry is under way
 */
const char *
dt_sip_registration_get_failure_reason (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), NULL);

  return self->failure_reason;
}

/**
 * dt_sip_registration_get_expires:
 *
 * Returns: the interval the registrar granted, in seconds; 0 when not
 *   registered
 */
guint
dt_sip_registration_get_expires (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), 0);

  return self->expires;
}

/**
 * dt_sip_registration_get_requested_expires:
 *
 * Returns: the interval asked for, in seconds
 */
guint
dt_sip_registration_get_requested_expires (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), 0);

  return self->requested_expires;
}

/**
 * dt_sip_registration_set_requested_expires:
 * @expires: the interval to ask for, in seconds
 */
void
dt_sip_registration_set_requested_expires (DtSipRegistration *self,
                                           guint              expires)
{
  g_return_if_fail (DT_SIP_IS_REGISTRATION (self));
  g_return_if_fail (expires > 0);

  if (self->requested_expires == expires)
    return;
  self->requested_expires = expires;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REQUESTED_EXPIRES]);
}

/**
 * dt_sip_registration_get_retry_base:
 *
 * Returns: the RFC 5626 §4.5 base time, in seconds
 */
guint
dt_sip_registration_get_retry_base (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), 0);

  return self->retry_base;
}

/**
 * dt_sip_registration_set_retry_base:
 * @seconds: the wait after a first failure; each further one doubles it,
 *   up to %DT_SIP_REGISTRATION_RETRY_MAX_S
 */
void
dt_sip_registration_set_retry_base (DtSipRegistration *self,
                                    guint              seconds)
{
  g_return_if_fail (DT_SIP_IS_REGISTRATION (self));
  g_return_if_fail (seconds > 0);

  if (self->retry_base == seconds)
    return;
  self->retry_base = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RETRY_BASE]);
}

/**
 * dt_sip_registration_get_call_id:
 *
 * Returns: the Call-ID every REGISTER of this binding carries
 */
const char *
dt_sip_registration_get_call_id (DtSipRegistration *self)
{
  g_return_val_if_fail (DT_SIP_IS_REGISTRATION (self), NULL);

  return self->call_id;
}

/**
 * dt_sip_registration_start:
 *
 * Registers now: at first, after the account was enabled, or again when the
 * network changed and the binding may point nowhere. Backoff starts over.
 */
void
dt_sip_registration_start (DtSipRegistration *self)
{
  g_return_if_fail (DT_SIP_IS_REGISTRATION (self));

  self->n_failures = 0;
  self->auth_rounds = 0;
  self->brief_rounds = 0;
  send_register (self, self->requested_expires);
}

/**
 * dt_sip_registration_stop:
 *
 * Removes our binding (§10.2.2: Expires 0 on our Contact) when there is
 * one, and stops refreshing. The state goes to %DT_SIP_REGISTRATION_IDLE
 * when the registrar has answered, or at once when nothing was registered.
 */
void
dt_sip_registration_stop (DtSipRegistration *self)
{
  g_return_if_fail (DT_SIP_IS_REGISTRATION (self));

  cancel_timer (self);
  if (self->state == DT_SIP_REGISTRATION_REGISTERED
      || self->state == DT_SIP_REGISTRATION_REGISTERING)
    {
      self->auth_rounds = 0;
      set_state (self, DT_SIP_REGISTRATION_UNREGISTERING, DT_SIP_REGISTRATION_FAILURE_NONE, NULL);
      send_register (self, 0);
      return;
    }
  drop_pending (self);
  set_expires (self, 0);
  set_state (self, DT_SIP_REGISTRATION_IDLE, DT_SIP_REGISTRATION_FAILURE_NONE, NULL);
}

/**
 * dt_sip_registration_transport_failed:
 * @error: what the transport reported for the registrar's address, such as
 *   an untrusted TLS certificate or a refused connection
 *
 * A REGISTER in flight fails at once with @error's message, and is retried
 * with backoff. A standing binding is registered again at once, since the
 * flow it was reached through is gone (RFC 5626 §4.4).
 */
void
dt_sip_registration_transport_failed (DtSipRegistration *self,
                                      const GError      *error)
{
  g_return_if_fail (DT_SIP_IS_REGISTRATION (self));
  g_return_if_fail (error != NULL);

  switch (self->state)
    {
    case DT_SIP_REGISTRATION_REGISTERING:
    case DT_SIP_REGISTRATION_UNREGISTERING:
      fail (self, DT_SIP_REGISTRATION_FAILURE_UNREACHABLE, error->message);
      break;
    case DT_SIP_REGISTRATION_REGISTERED:
      self->auth_rounds = 0;
      send_register (self, self->requested_expires);
      break;
    case DT_SIP_REGISTRATION_IDLE:
    case DT_SIP_REGISTRATION_FAILED:
    default:
      break;
    }
}
