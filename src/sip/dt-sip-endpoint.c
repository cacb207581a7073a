/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-endpoint.c
 *
 * One SIP account at work; see dt-sip-endpoint.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-uri.h"
#include "dt-sip-endpoint.h"
#include "dt-sip-resolver.h"

/* How long an unregistration may take when the account is disabled. */
#define STOP_TIMEOUT_S 5
/* Network changes come in bursts; re-register once they settle. */
#define NETWORK_SETTLE_MS 1500

enum {
  INCOMING_CALL,
  CALL_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The codecs Dialtone offers, best first (RFC 7587 for Opus: always
 * opus/48000/2; G.722 is written G722/8000 though it samples at 16 kHz,
 * RFC 3551 §4.5.2). */
static const DtSdpCodec offered_codecs[] = {
  { "opus", 48000, 2, "useinbandfec=1; usedtx=1", -1 },
  { "G722", 8000, 1, NULL, 9 },
  { "PCMU", 8000, 1, NULL, 0 },
  { "PCMA", 8000, 1, NULL, 8 },
};

struct _DtSipEndpoint
{
  GObject            parent_instance;

  DtAccount         *account;
  char              *password;
  GTlsDatabase      *tls_database;
  guint              registration_expires;
  guint              retry_base;
  guint              media_timeout;     /* G_MAXUINT: the media engine's default */
  gboolean           no_registration;
  DtAudioConfig     *audio;
  char              *codec;            /* offer only this one, or NULL */
  DtSdpSrtpPolicy    srtp;             /* the backend's floor */
  GStrv              srtp_suites;      /* offer and take only these, or NULL */
  gboolean           sdes_warned;

  char              *aor;
  char              *domain;
  gboolean           secure;
  DtSipTransport    *transport;
  DtSipPeer         *next_hop;
  DtSipUserAgent    *ua;
  DtSipAuthClient   *auth;
  DtSipRegistration *registration;
  DtSipMwi          *mwi;
  char              *media_address;
  DtSdpCaps          caps;

  GPtrArray         *calls;         /* of DtSipCall, live ones */
  GTask             *start_task;
  GTask             *stop_task;
  guint              stop_timeout;
  GNetworkMonitor   *network_monitor;
  guint              network_settle;
  gboolean           mwi_started;
};

G_DEFINE_FINAL_TYPE (DtSipEndpoint, dt_sip_endpoint, G_TYPE_OBJECT)

/* --- helpers ----------------------------------------------------------- */

static gboolean
ua_send (DtSipUserAgent *ua,
         DtSipMessage   *message,
         gpointer        peer,
         gpointer        user_data)
{
  DtSipEndpoint *self = user_data;

  if (peer == NULL)
    peer = self->next_hop;
  if (peer == NULL)
    return FALSE;
  return dt_sip_transport_send (self->transport, peer, message);
}

static gboolean
same_peer (DtSipPeer *a,
           DtSipPeer *b)
{
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  sa = dt_sip_peer_to_string (a);
  sb = dt_sip_peer_to_string (b);
  return g_str_equal (sa, sb);
}

static void
on_message_received (DtSipTransport *transport,
                     DtSipMessage   *message,
                     DtSipPeer      *peer,
                     gpointer        user_data)
{
  /* What the message sets off (an unregistration answered, a call ended)
   * may drop the last reference to the endpoint and its agent; both stay
   * until the transaction layer is done with the message. */
  g_autoptr(DtSipEndpoint) self = g_object_ref (user_data);
  g_autoptr(DtSipUserAgent) ua = g_object_ref (self->ua);

  dt_sip_user_agent_receive (ua, message, dt_sip_peer_ref (peer), dt_sip_peer_is_reliable (peer));
}

static void
on_peer_failed (DtSipTransport *transport,
                DtSipPeer      *peer,
                const GError   *error,
                gpointer        user_data)
{
  DtSipEndpoint *self = user_data;

  g_debug ("%s: %s", dt_account_get_id (self->account), error->message);
  if (same_peer (peer, self->next_hop) && self->registration != NULL)
    dt_sip_registration_transport_failed (self->registration, error);
}

static void
on_call_state (DtCall     *call,
               GParamSpec *pspec,
               gpointer    user_data)
{
  DtSipEndpoint *self = user_data;

  if (dt_call_get_state (call) == DT_CALL_STATE_ENDED)
    {
      g_signal_handlers_disconnect_by_func (call, on_call_state, self);
      g_ptr_array_remove (self->calls, call);
    }
}

static DtCall *on_call_refer (DtSipCall  *call,
                              const char *target,
                              gpointer    user_data);

static void
track_call (DtSipEndpoint *self,
            DtSipCall     *call)
{
  if (dt_call_get_state (DT_CALL (call)) == DT_CALL_STATE_ENDED)
    return;
  g_ptr_array_add (self->calls, g_object_ref (call));
  if (self->media_timeout != G_MAXUINT)
    dt_sip_call_set_media_timeout (call, self->media_timeout);
  g_signal_connect (call, "notify::state", G_CALLBACK (on_call_state), self);
  g_signal_connect (call, "refer", G_CALLBACK (on_call_refer), self);
}

/* RFC 3515: the other side of @call transfers us to @target. */
static DtCall *
on_call_refer (DtSipCall  *call,
               const char *target,
               gpointer    user_data)
{
  DtSipEndpoint *self = user_data;
  g_autoptr(GError) error = NULL;
  DtSipCall *referred;

  referred = dt_sip_endpoint_dial (self, target, &error);
  if (referred == NULL)
    {
      g_debug ("%s: transfer to %s not placed: %s", dt_account_get_id (self->account), target,
               error->message);
      return NULL;
    }
  g_signal_emit (self, signals[CALL_ADDED], 0, referred);
  return DT_CALL (referred);
}

/* The account's DtAccount:media-encryption as SDES-SRTP (RFC 4568), read
 * for each call so that a change applies from the next one; the backend's
 * policy is a floor (`dialtone-helper call --srtp`). */
static const DtSdpCaps *
call_caps (DtSipEndpoint *self)
{
  DtSdpSrtpPolicy policy;

  switch (dt_account_get_media_encryption (self->account))
    {
    case DT_MEDIA_ENCRYPTION_REQUIRED:
      policy = DT_SDP_SRTP_REQUIRED;
      break;
    case DT_MEDIA_ENCRYPTION_OPTIONAL:
      policy = DT_SDP_SRTP_OPTIONAL;
      break;
    case DT_MEDIA_ENCRYPTION_OFF:
    default:
      policy = DT_SDP_SRTP_OFF;
      break;
    }
  self->caps.srtp = MAX (policy, self->srtp);
  self->caps.srtp_suites = (const char *const *) self->srtp_suites;
  /* RFC 4568 §8.3: SDES keys travel in the SDP, readable by anyone who
   * sees signalling that TLS does not protect. The person asked for it;
   * say so once. */
  if (self->caps.srtp != DT_SDP_SRTP_OFF && !self->sdes_warned && self->next_hop != NULL
      && dt_sip_peer_get_kind (self->next_hop) != DT_SIP_TRANSPORT_TLS)
    {
      g_message ("Account %s: SRTP keys go over signalling without TLS",
                 dt_account_get_id (self->account));
      self->sdes_warned = TRUE;
    }
  return &self->caps;
}

static void
on_incoming (DtSipUserAgent *ua,
             DtSipDialog    *dialog,
             GBytes         *offer,
             gpointer        user_data)
{
  DtSipEndpoint *self = user_data;
  g_autoptr(DtSipCall) call = NULL;

  call = dt_sip_call_new_incoming (dialog, offer, dt_account_get_id (self->account),
                                   call_caps (self), self->audio);
  track_call (self, call);
  g_signal_emit (self, signals[INCOMING_CALL], 0, call);
}

static gboolean
on_request (DtSipUserAgent   *ua,
            DtSipTransaction *tx,
            DtSipMessage     *request,
            gpointer          user_data)
{
  DtSipEndpoint *self = user_data;

  return self->mwi != NULL && dt_sip_mwi_handle_request (self->mwi, tx, request);
}

static void
on_mwi_changed (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data)
{
  DtSipEndpoint *self = user_data;

  dt_account_set_voicemail (self->account, dt_sip_mwi_get_messages_waiting (self->mwi),
                            dt_sip_mwi_get_new_messages (self->mwi),
                            dt_sip_mwi_get_old_messages (self->mwi));
}

static GIOErrorEnum
error_code_for (DtSipRegistrationFailure failure)
{
  switch (failure)
    {
    case DT_SIP_REGISTRATION_FAILURE_AUTH:
      return G_IO_ERROR_PERMISSION_DENIED;
    case DT_SIP_REGISTRATION_FAILURE_UNREACHABLE:
      return G_IO_ERROR_HOST_UNREACHABLE;
    case DT_SIP_REGISTRATION_FAILURE_REFUSED:
    case DT_SIP_REGISTRATION_FAILURE_NONE:
    default:
      return G_IO_ERROR_FAILED;
    }
}

static void
finish_stop (DtSipEndpoint *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  if (self->stop_timeout != 0)
    g_source_remove (self->stop_timeout);
  self->stop_timeout = 0;
  dt_account_set_state (self->account, DT_ACCOUNT_STATE_OFFLINE, NULL);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
on_registration_state (DtSipRegistration *registration,
                       GParamSpec        *pspec,
                       gpointer           user_data)
{
  DtSipEndpoint *self = user_data;
  g_autoptr(GTask) task = NULL;
  const char *reason = dt_sip_registration_get_failure_reason (registration);

  switch (dt_sip_registration_get_state (registration))
    {
    case DT_SIP_REGISTRATION_REGISTERING:
      /* A refresh is not a reconnection: the account stays online. */
      if (dt_account_get_state (self->account) != DT_ACCOUNT_STATE_ONLINE)
        dt_account_set_state (self->account, DT_ACCOUNT_STATE_CONNECTING, NULL);
      break;
    case DT_SIP_REGISTRATION_REGISTERED:
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_ONLINE, NULL);
      if (!self->mwi_started)
        {
          self->mwi_started = TRUE;
          dt_sip_mwi_start (self->mwi);
        }
      task = g_steal_pointer (&self->start_task);
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
      break;
    case DT_SIP_REGISTRATION_FAILED:
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_FAILED, reason);
      task = g_steal_pointer (&self->start_task);
      if (task != NULL)
        g_task_return_new_error (task, G_IO_ERROR,
                                 error_code_for (dt_sip_registration_get_failure (registration)),
                                 "%s", reason);
      break;
    case DT_SIP_REGISTRATION_IDLE:
      if (self->stop_task != NULL)
        finish_stop (self);
      break;
    case DT_SIP_REGISTRATION_UNREGISTERING:
    default:
      break;
    }
}

static gboolean
on_network_settled (gpointer user_data)
{
  DtSipEndpoint *self = user_data;

  self->network_settle = 0;
  if (self->registration != NULL && self->stop_task == NULL
      && g_network_monitor_get_network_available (self->network_monitor))
    {
      g_debug ("%s: the network changed; registering again", dt_account_get_id (self->account));
      dt_sip_registration_start (self->registration);
    }
  return G_SOURCE_REMOVE;
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  DtSipEndpoint *self = user_data;

  if (self->network_settle != 0)
    g_source_remove (self->network_settle);
  self->network_settle = g_timeout_add (NETWORK_SETTLE_MS, on_network_settled, self);
}

/* "host:port" or "[v6]:port" to the bare address. */
static char *
host_of (const char *host_port)
{
  const char *end;

  if (host_port[0] == '[')
    {
      end = strchr (host_port, ']');
      return g_strndup (host_port + 1, end ? (gsize) (end - host_port - 1) : strlen (host_port));
    }
  end = strrchr (host_port, ':');
  return g_strndup (host_port, end ? (gsize) (end - host_port) : strlen (host_port));
}

static gboolean
set_up_agent (DtSipEndpoint  *self,
              GError        **error)
{
  DtSipTransportKind kind = dt_sip_peer_get_kind (self->next_hop);
  GInetSocketAddress *remote = dt_sip_peer_get_address (self->next_hop);
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (remote));
  g_autoptr(GInetAddress) any = g_inet_address_new_any (family);
  g_autoptr(GSocketAddress) wildcard = g_inet_socket_address_new (any, 0);
  g_autoptr(DtClock) clock = dt_clock_new_system ();
  g_autofree char *sent_by = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(DtUri) identity = NULL;
  guint16 port = 0;

  /* UDP and TCP listen on a port of our own, so that requests reach us
   * whether or not the server keeps our connection; TLS can only answer
   * on the connection it opened (RFC 5923). */
  if (kind != DT_SIP_TRANSPORT_TLS
      && !dt_sip_transport_listen (self->transport, kind, G_INET_SOCKET_ADDRESS (wildcard),
                                   &port, error))
    return FALSE;

  sent_by = dt_sip_transport_get_via_host_port (self->transport, self->next_hop);
  g_clear_pointer (&self->media_address, g_free);
  self->media_address = host_of (sent_by);

  identity = dt_uri_parse (self->aor, NULL);
  contact = g_strdup_printf ("%s:%s@%s%s", self->secure ? "sips" : "sip",
                             dt_uri_get_user (identity), sent_by,
                             kind == DT_SIP_TRANSPORT_UDP ? ""
                             : kind == DT_SIP_TRANSPORT_TCP ? ";transport=tcp"
                             : ";transport=tls");

  self->ua = dt_sip_user_agent_new (clock, NULL, ua_send, (GDestroyNotify) dt_sip_peer_unref,
                                    self);
  dt_sip_user_agent_set_local (self->ua, dt_sip_transport_kind_to_string (kind), sent_by, contact,
                               kind != DT_SIP_TRANSPORT_UDP);
  if (self->auth != NULL)
    dt_sip_user_agent_set_auth_client (self->ua, self->auth);
  g_signal_connect (self->ua, "incoming", G_CALLBACK (on_incoming), self);
  g_signal_connect (self->ua, "request", G_CALLBACK (on_request), self);

  self->caps.codecs = offered_codecs;
  self->caps.n_codecs = G_N_ELEMENTS (offered_codecs);
  for (guint i = 0; self->codec != NULL && i < G_N_ELEMENTS (offered_codecs); i++)
    if (g_ascii_strcasecmp (offered_codecs[i].name, self->codec) == 0)
      {
        self->caps.codecs = &offered_codecs[i];
        self->caps.n_codecs = 1;
      }
  self->caps.dtmf = TRUE;
  self->caps.srtp = self->srtp;
  self->caps.rtcp_mux = TRUE;
  self->caps.address = self->media_address;
  self->caps.ptime = 20;
  self->caps.direction = DT_SDP_DIRECTION_SENDRECV;
  self->caps.username = "dialtone";
  return TRUE;
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(DtSipEndpoint) self = user_data;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *registrar = NULL;
  g_autofree char *reason = NULL;
  GTask *task = self->start_task;

  if (task == NULL)
    return;

  peers = dt_sip_resolve_finish (result, &error);
  if (peers == NULL)
    {
      reason = g_strdup_printf (_("Server not reachable: %s"), error->message);
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_FAILED, reason);
      g_task_return_new_error (g_steal_pointer (&self->start_task), G_IO_ERROR,
                               G_IO_ERROR_HOST_NOT_FOUND, "%s", reason);
      g_object_unref (task);
      return;
    }

  self->next_hop = dt_sip_peer_ref (g_ptr_array_index (peers, 0));
  if (!set_up_agent (self, &error))
    {
      reason = g_strdup_printf (_("Could not open a SIP socket: %s"), error->message);
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_FAILED, reason);
      g_task_return_new_error (g_steal_pointer (&self->start_task), G_IO_ERROR, G_IO_ERROR_FAILED,
                               "%s", reason);
      g_object_unref (task);
      return;
    }

  /* §10.2: the Request-URI of a REGISTER is the domain, without a user. */
  registrar = g_strdup_printf ("%s:%s", self->secure ? "sips" : "sip", self->domain);
  self->registration = dt_sip_registration_new (self->ua, registrar, self->aor, self->auth);
  if (self->registration_expires > 0)
    dt_sip_registration_set_requested_expires (self->registration, self->registration_expires);
  if (self->retry_base > 0)
    dt_sip_registration_set_retry_base (self->registration, self->retry_base);
  g_signal_connect (self->registration, "notify::state", G_CALLBACK (on_registration_state), self);

  self->mwi = dt_sip_mwi_new (self->ua, self->aor, self->auth);
  g_signal_connect (self->mwi, "notify::messages-waiting", G_CALLBACK (on_mwi_changed), self);
  g_signal_connect (self->mwi, "notify::new-messages", G_CALLBACK (on_mwi_changed), self);
  g_signal_connect (self->mwi, "notify::old-messages", G_CALLBACK (on_mwi_changed), self);

  if (self->network_monitor == NULL)
    self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (on_network_changed),
                    self);

  if (self->no_registration)
    {
      /* Calls only: the account is usable as soon as its agent is. */
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_ONLINE, NULL);
      g_task_return_boolean (g_steal_pointer (&self->start_task), TRUE);
      g_object_unref (task);
      return;
    }
  dt_sip_registration_start (self->registration);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  DtSipEndpoint *self = user_data;

  self->stop_timeout = 0;
  g_debug ("%s: the registrar did not answer the unregistration in time",
           dt_account_get_id (self->account));
  finish_stop (self);
  return G_SOURCE_REMOVE;
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_sip_endpoint_dispose (GObject *object)
{
  DtSipEndpoint *self = DT_SIP_ENDPOINT (object);

  if (self->network_settle != 0)
    g_source_remove (self->network_settle);
  self->network_settle = 0;
  if (self->stop_timeout != 0)
    g_source_remove (self->stop_timeout);
  self->stop_timeout = 0;
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);

  if (self->calls != NULL)
    {
      for (guint i = 0; i < self->calls->len; i++)
        g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->calls, i), self);
      g_ptr_array_set_size (self->calls, 0);
    }
  if (self->registration != NULL)
    g_signal_handlers_disconnect_by_data (self->registration, self);
  if (self->mwi != NULL)
    g_signal_handlers_disconnect_by_data (self->mwi, self);
  g_clear_object (&self->registration);
  g_clear_object (&self->mwi);
  if (self->ua != NULL)
    g_signal_handlers_disconnect_by_data (self->ua, self);
  g_clear_object (&self->ua);
  if (self->transport != NULL)
    g_signal_handlers_disconnect_by_data (self->transport, self);
  g_clear_object (&self->transport);
  g_clear_pointer (&self->next_hop, dt_sip_peer_unref);
  g_clear_object (&self->auth);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->audio);
  g_clear_object (&self->start_task);
  g_clear_object (&self->stop_task);

  G_OBJECT_CLASS (dt_sip_endpoint_parent_class)->dispose (object);
}

static void
dt_sip_endpoint_finalize (GObject *object)
{
  DtSipEndpoint *self = DT_SIP_ENDPOINT (object);

  g_clear_object (&self->account);
  g_free (self->password);
  g_free (self->aor);
  g_free (self->domain);
  g_free (self->media_address);
  g_free (self->codec);
  g_strfreev (self->srtp_suites);
  g_clear_pointer (&self->calls, g_ptr_array_unref);

  G_OBJECT_CLASS (dt_sip_endpoint_parent_class)->finalize (object);
}

static void
dt_sip_endpoint_class_init (DtSipEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_sip_endpoint_dispose;
  object_class->finalize = dt_sip_endpoint_finalize;

  /**
   * DtSipEndpoint::incoming-call:
   * @call: the new call, ringing
   */
  signals[INCOMING_CALL] =
    g_signal_new ("incoming-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, DT_SIP_TYPE_CALL);
  /**
   * DtSipEndpoint::call-added:
   * @call: a call the endpoint placed by itself (for a transfer)
   */
  signals[CALL_ADDED] =
    g_signal_new ("call-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, DT_SIP_TYPE_CALL);
}

static void
dt_sip_endpoint_init (DtSipEndpoint *self)
{
  self->media_timeout = G_MAXUINT;
  self->calls = g_ptr_array_new_with_free_func (g_object_unref);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_endpoint_new:
 * @account: a SIP account
 * @password: (nullable): its password, from the Secret Service or the
 *   command line
 * @tls_database: (nullable): the certificates to trust for TLS instead of
 *   the system's
 *
 * Returns: (transfer full): an endpoint, not started
 */
DtSipEndpoint *
dt_sip_endpoint_new (DtAccount    *account,
                     const char   *password,
                     GTlsDatabase *tls_database)
{
  DtSipEndpoint *self;

  g_return_val_if_fail (DT_IS_ACCOUNT (account), NULL);

  self = g_object_new (DT_SIP_TYPE_ENDPOINT, NULL);
  self->account = g_object_ref (account);
  self->password = g_strdup (password);
  self->tls_database = tls_database ? g_object_ref (tls_database) : NULL;
  return self;
}

/**
 * dt_sip_endpoint_get_account:
 *
 * Returns: (transfer none): the account
 */
DtAccount *
dt_sip_endpoint_get_account (DtSipEndpoint *self)
{
  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  return self->account;
}

/**
 * dt_sip_endpoint_get_registration:
 *
 * Returns: (transfer none) (nullable): the registration, once started
 */
DtSipRegistration *
dt_sip_endpoint_get_registration (DtSipEndpoint *self)
{
  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  return self->registration;
}

/**
 * dt_sip_endpoint_get_mwi:
 *
 * Returns: (transfer none) (nullable): the voicemail subscription, once started
 */
DtSipMwi *
dt_sip_endpoint_get_mwi (DtSipEndpoint *self)
{
  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  return self->mwi;
}

/**
 * dt_sip_endpoint_get_user_agent:
 *
 * Returns: (transfer none) (nullable): the user agent, once started
 */
DtSipUserAgent *
dt_sip_endpoint_get_user_agent (DtSipEndpoint *self)
{
  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  return self->ua;
}

/**
 * dt_sip_endpoint_get_transport:
 *
 * Returns: (transfer none) (nullable): the transport, once started
 */
DtSipTransport *
dt_sip_endpoint_get_transport (DtSipEndpoint *self)
{
  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  return self->transport;
}

/**
 * dt_sip_endpoint_set_registration_expires:
 * @expires: the interval to ask the registrar for, in seconds; 0 for the
 *   default
 *
 * Takes effect at the next start.
 */
void
dt_sip_endpoint_set_registration_expires (DtSipEndpoint *self,
                                          guint          expires)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  self->registration_expires = expires;
}

/**
 * dt_sip_endpoint_set_network_monitor:
 * @monitor: (nullable): what tells the endpoint the network changed, or
 *   %NULL for the system's
 *
 * Takes effect at the next start.
 */
void
dt_sip_endpoint_set_network_monitor (DtSipEndpoint   *self,
                                     GNetworkMonitor *monitor)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));
  g_return_if_fail (self->registration == NULL);

  g_set_object (&self->network_monitor, monitor);
}

/**
 * dt_sip_endpoint_set_registration_enabled:
 * @enabled: %FALSE to place and take calls without registering, as a
 *   client of a server that routes by address (or of `echo` extensions)
 *
 * Takes effect at the next start.
 */
void
dt_sip_endpoint_set_registration_enabled (DtSipEndpoint *self,
                                          gboolean       enabled)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  self->no_registration = !enabled;
}

/**
 * dt_sip_endpoint_set_media:
 * @audio: (nullable): the headset ends and DSP for the calls, or %NULL for
 *   the defaults (the DIALTONE_AUDIO_* variables, else the system's devices)
 * @codec: (nullable): the one codec to offer ("opus", "G722", "PCMU",
 *   "PCMA"), or %NULL for all, Opus first
 * @srtp: the least SRTP policy (RFC 4568 SDES keys) for every call; the
 *   account's #DtAccount:media-encryption can ask for more
 *
 * Takes effect at the next start.
 */
void
dt_sip_endpoint_set_media (DtSipEndpoint   *self,
                           DtAudioConfig   *audio,
                           const char      *codec,
                           DtSdpSrtpPolicy  srtp)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  g_set_object (&self->audio, audio);
  g_free (self->codec);
  self->codec = g_strdup (codec);
  self->srtp = srtp;
}

/**
 * dt_sip_endpoint_set_srtp_suites:
 * @suites: (nullable) (array zero-terminated=1): the SDES crypto suites to
 *   offer and accept, best first, or %NULL for Dialtone's default
 *   (`AES_CM_128_HMAC_SHA1_80`, then `AES_CM_128_HMAC_SHA1_32`)
 *
 * Takes effect from the next call.
 */
void
dt_sip_endpoint_set_srtp_suites (DtSipEndpoint      *self,
                                 const char * const *suites)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  g_strfreev (self->srtp_suites);
  self->srtp_suites = g_strdupv ((GStrv) suites);
}

/**
 * dt_sip_endpoint_codec_is_known:
 * @codec: a codec name
 *
 * Returns: whether Dialtone can offer @codec
 */
gboolean
dt_sip_endpoint_codec_is_known (const char *codec)
{
  for (guint i = 0; i < G_N_ELEMENTS (offered_codecs); i++)
    if (g_ascii_strcasecmp (offered_codecs[i].name, codec) == 0)
      return TRUE;
  return FALSE;
}

/**
 * dt_sip_endpoint_set_retry_base:
 * @seconds: the RFC 5626 §4.5 base time; 0 for the default
 *
 * Takes effect at the next start.
 */
void
dt_sip_endpoint_set_retry_base (DtSipEndpoint *self,
                                guint          seconds)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  self->retry_base = seconds;
}

/**
 * dt_sip_endpoint_set_media_timeout:
 * @seconds: how long a call may receive no RTP before it is hung up, 0 to
 *   never hang up for that, or %G_MAXUINT for the media engine's default
 *
 * Applies to the calls made or taken from now on.
 */
void
dt_sip_endpoint_set_media_timeout (DtSipEndpoint *self,
                                   guint          seconds)
{
  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  self->media_timeout = seconds;
}

/**
 * dt_sip_endpoint_start_async:
 *
 * Finds the server, opens the transport and registers. Finishes when the
 * first REGISTER succeeded or failed; after a failure the registration
 * keeps retrying (unless the password was refused), and the account's
 * state follows it.
 */
void
dt_sip_endpoint_start_async (DtSipEndpoint       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DtUri) identity = NULL;
  g_autoptr(GError) error = NULL;
  const char *server;
  g_autofree char *server_uri = NULL;
  const char *identity_text = dt_account_get_identity (self->account);

  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));
  g_return_if_fail (self->start_task == NULL && self->transport == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_sip_endpoint_start_async);

  identity = identity_text ? dt_uri_parse (identity_text, &error) : NULL;
  if (identity == NULL || dt_uri_get_kind (identity) == DT_URI_KIND_TEL
      || dt_uri_get_user (identity) == NULL)
    {
      g_autofree char *reason =
        g_strdup_printf (_("“%s” is not a SIP address such as sip:alice@example.com"),
                         identity_text ? identity_text : "");

      dt_account_set_state (self->account, DT_ACCOUNT_STATE_FAILED, reason);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", reason);
      return;
    }

  self->secure = dt_uri_get_kind (identity) == DT_URI_KIND_SIPS;
  self->domain = dt_uri_get_port (identity) != 0
                 ? g_strdup_printf (dt_uri_host_is_ipv6 (identity) ? "[%s]:%u" : "%s:%u",
                                    dt_uri_get_host (identity), dt_uri_get_port (identity))
                 : g_strdup_printf (dt_uri_host_is_ipv6 (identity) ? "[%s]" : "%s",
                                    dt_uri_get_host (identity));
  self->aor = g_strdup_printf ("%s:%s@%s", self->secure ? "sips" : "sip",
                               dt_uri_get_user (identity), self->domain);
  if (self->password != NULL && self->password[0] != '\0')
    self->auth = dt_sip_auth_client_new (dt_uri_get_user (identity), self->password);

  self->transport = dt_sip_transport_new ();
  if (self->tls_database != NULL)
    dt_sip_transport_set_tls_database (self->transport, self->tls_database);
  g_signal_connect (self->transport, "message-received", G_CALLBACK (on_message_received), self);
  g_signal_connect (self->transport, "peer-failed", G_CALLBACK (on_peer_failed), self);

  dt_account_set_state (self->account, DT_ACCOUNT_STATE_CONNECTING, NULL);
  self->start_task = g_steal_pointer (&task);

  server = dt_account_get_server (self->account);
  server_uri = server != NULL && server[0] != '\0'
               ? g_strdup (server)
               : g_strdup_printf ("%s:%s", self->secure ? "sips" : "sip", self->domain);
  dt_sip_resolve_async (NULL, server_uri, dt_account_get_transport (self->account), cancellable,
                        on_resolved, g_object_ref (self));
}

gboolean
dt_sip_endpoint_start_finish (DtSipEndpoint  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_sip_endpoint_stop_async:
 *
 * Hangs up the account's calls, ends the voicemail subscription and
 * unregisters; finishes when the registrar has answered, or after a few
 * seconds without an answer.
 */
void
dt_sip_endpoint_stop_async (DtSipEndpoint       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) calls = NULL;

  g_return_if_fail (DT_SIP_IS_ENDPOINT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_sip_endpoint_stop_async);

  if (self->start_task != NULL)
    g_task_return_new_error (g_steal_pointer (&self->start_task), G_IO_ERROR,
                             G_IO_ERROR_CANCELLED, "The account was disconnected");

  /* Ending a call takes it off the list, so walk a copy. */
  calls = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->calls->len; i++)
    g_ptr_array_add (calls, g_object_ref (g_ptr_array_index (self->calls, i)));
  for (guint i = 0; i < calls->len; i++)
    dt_call_hangup_async (g_ptr_array_index (calls, i), NULL, NULL, NULL);

  if (self->mwi != NULL)
    dt_sip_mwi_stop (self->mwi);

  if (self->registration == NULL
      || dt_sip_registration_get_state (self->registration) == DT_SIP_REGISTRATION_IDLE
      || dt_sip_registration_get_state (self->registration) == DT_SIP_REGISTRATION_FAILED)
    {
      if (self->registration != NULL)
        dt_sip_registration_stop (self->registration);
      dt_account_set_state (self->account, DT_ACCOUNT_STATE_OFFLINE, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_clear_object (&self->stop_task);
  self->stop_task = g_steal_pointer (&task);
  self->stop_timeout = g_timeout_add_seconds (STOP_TIMEOUT_S, on_stop_timeout, self);
  dt_sip_registration_stop (self->registration);
}

gboolean
dt_sip_endpoint_stop_finish (DtSipEndpoint  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_sip_endpoint_target_for:
 * @text: what to call: a `sip:` or `sips:` URI, a `tel:` URI, a number, or
 *   a user name at the account's domain (`echo`, `alice`)
 *
 * Turns @text into the SIP URI to send the INVITE to. URI headers that
 * could steer the request (RFC 3261 §19.1.5: Route, Via and the like) are
 * dropped; a number becomes `sip:NUMBER@domain;user=phone` (§19.1.6).
 *
 * Returns: (transfer full): the URI, or %NULL with @error set
 */
char *
dt_sip_endpoint_target_for (DtSipEndpoint  *self,
                            const char     *text,
                            GError        **error)
{
  g_autoptr(DtUri) uri = NULL;
  g_autoptr(DtUri) safe = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (self->domain != NULL, NULL);

  stripped = g_strstrip (g_strdup (text));
  if (strchr (stripped, ':') == NULL && strchr (stripped, '@') == NULL
      && g_regex_match_simple ("^[A-Za-z0-9._~!$&'()*+,;=-]+$", stripped, 0, 0)
      && !g_regex_match_simple ("^[+]?[0-9]+$", stripped, 0, 0))
    return g_strdup_printf ("%s:%s@%s", self->secure ? "sips" : "sip", stripped, self->domain);
  if (strchr (stripped, ':') == NULL && strchr (stripped, '@') != NULL)
    {
      g_autofree char *with_scheme = g_strconcat ("sip:", stripped, NULL);

      uri = dt_uri_parse (with_scheme, error);
    }
  else if (strchr (stripped, ':') != NULL)
    uri = dt_uri_parse (stripped, error);
  else
    {
      normalized = dt_uri_normalize_dial_string (stripped, error);
      if (normalized == NULL)
        return NULL;
      uri = dt_uri_parse_full (normalized, DT_URI_PARSE_ACCOUNT_RELATIVE, error);
    }
  if (uri == NULL)
    return NULL;

  if (dt_uri_get_kind (uri) == DT_URI_KIND_TEL)
    return g_strdup_printf ("%s:%s@%s;user=phone", self->secure ? "sips" : "sip",
                            dt_uri_get_number (uri), self->domain);

  safe = dt_uri_dup_safe (uri);
  return dt_uri_to_string (safe);
}

/**
 * dt_sip_endpoint_dial:
 * @uri: what to call, as dt_sip_endpoint_target_for() reads it
 *
 * Returns: (transfer full): the call, dialing, or %NULL with @error set
 */
DtSipCall *
dt_sip_endpoint_dial (DtSipEndpoint  *self,
                      const char     *uri,
                      GError        **error)
{
  g_autoptr(DtSipCall) call = NULL;
  g_autofree char *target = NULL;
  g_autofree char *from = NULL;
  const char *display_name;

  g_return_val_if_fail (DT_SIP_IS_ENDPOINT (self), NULL);

  if (self->ua == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _("The account is not connected"));
      return NULL;
    }
  target = dt_sip_endpoint_target_for (self, uri, error);
  if (target == NULL)
    return NULL;

  display_name = dt_account_get_display_name (self->account);
  if (display_name != NULL && display_name[0] != '\0')
    {
      g_autofree char *escaped = g_strescape (display_name, NULL);

      from = g_strdup_printf ("\"%s\" <%s>", escaped, self->aor);
    }
  else
    from = g_strdup_printf ("<%s>", self->aor);

  call = dt_sip_call_new_outgoing (self->ua, dt_account_get_id (self->account), from, target,
                                   call_caps (self), self->audio, error);
  if (call == NULL)
    return NULL;
  track_call (self, call);
  return g_steal_pointer (&call);
}
