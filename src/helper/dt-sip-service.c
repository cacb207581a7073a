/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-service.c
 *
 * The helper's SIP server, built on Dialtone's own stack.
 *
 * Shape: a registrar and a back-to-back user agent (B2BUA), not a proxy.
 * Every call is answered here by a DtSipUserAgent and, for a user, placed
 * again towards that user's registered contact as a second dialog; the two
 * legs are bridged (ringing, answer, rejection, CANCEL, BYE, re-INVITE).
 * The SDP goes through unchanged, so media flows end to end. A B2BUA
 * reuses the dialog layer whole, sees every failure on each leg, and
 * needs no Record-Route; the cost is that the callee sees a Call-ID and
 * tags of the helper's making, and a To header naming its contact.
 *
 * - One user agent per transport kind (UDP, TCP, TLS), so that each names
 *   itself with the right Via and Contact. Requests without a peer (BYE,
 *   ACK, the callee leg's INVITE) go back along the flow the call came on,
 *   or to the connection a contact registered over (RFC 5626 style flow
 *   reuse: it works through NAT and over TCP), or else to the URI's own
 *   IP address and port.
 * - Registrar (RFC 3261 §10.3): digest (MD5, qop=auth), REGISTER only for
 *   one's own address of record, Min-Expires/423, `Contact: *`, Call-ID
 *   and CSeq ordering. Wrong credentials get 403 and an `auth-failed`
 *   event rather than a new 401, so that a client with a bad password
 *   stops at once.
 * - Calls to users need credentials (a 407 challenge); calls to the
 *   extensions do not, so that anonymous test calls work. `echo` and
 *   `9196` reflect RTP and RTCP to their source, SRTP too (SDES keys,
 *   RFC 4568: decrypted and encrypted again with a key of the echo's own);
 *   `early` sends 183 Session Progress with an answer, echoes that early
 *   media for two seconds, then answers 200 with a new answer on other
 *   ports (and another SSRC), as a gateway does when the announcement
 *   hands over to the callee (RFC 3261 §13.2.1, RFC 3960 §3.1);
 *   `plain` echoes but answers every offer without a key, even an RTP/SAVP
 *   one, as a peer that cannot encrypt does (for testing SRTP policies);
 *   `answer` accepts with SDP and drops the media (for load tests).
 * - MWI (RFC 3842, RFC 6665): SUBSCRIBE to one's own mailbox with
 *   `Event: message-summary`, answered 200 and followed by NOTIFYs.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "dt-rtp-reflector.h"
#include "dt-sdp.h"
#include "dt-sip-auth.h"
#include "dt-sip-dialog.h"
#include "dt-sip-service.h"
#include "dt-sip-transport.h"

#define ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE"
#define N_KINDS 3
/* Echo calls hold two sockets each: bound their number, and their length,
 * so that callers who never hang up cannot exhaust descriptors. */
#define MAX_ECHO_CALLS 256
#define MAX_EXTENSION_CALL_S 3600
/* How long `early` plays early media before it answers. */
#define EARLY_MEDIA_MS 2000
/* Its early media comes from a source of its own ("EARL"). */
#define EARLY_SSRC_XOR 0x4541524cu

enum {
  PROP_0,
  PROP_REALM,
  PROP_MIN_EXPIRES,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char               *contact;     /* the Contact URI */
  char               *call_id;
  guint32             cseq;
  gint64              expires_at;  /* monotonic, µs */
  gint64              updated_at;
  DtSipPeer          *peer;        /* where the REGISTER came from */
} Binding;

typedef struct
{
  char               *name;
  char               *aor;         /* sip:name@realm, for Message-Account */
  char               *password;
  GPtrArray          *bindings;    /* of Binding */
  guint               n_new;
  guint               n_old;
} User;

typedef struct
{
  char               *user;
  char               *call_id;
  char               *local_header;  /* the SUBSCRIBE's To, with our tag */
  char               *local_tag;
  char               *remote_header; /* the subscriber's From */
  char               *remote_tag;
  char               *remote_target;
  guint32             cseq;
  gint64              expires_at;
  DtSipPeer          *peer;
} Subscription;

typedef struct _Call Call;

typedef enum {
  EXTENSION_ECHO,
  EXTENSION_EARLY,
  EXTENSION_PLAIN,
  EXTENSION_ANSWER,
} Extension;

typedef struct
{
  DtSipService       *service;
  DtSipTransportKind  kind;
  DtSipUserAgent     *ua;
  char               *contact;
} Slot;

struct _Call
{
  DtSipService       *service;
  char               *call_id;
  char               *from;
  char               *to;
  DtSipDialog        *a;           /* the caller's leg */
  DtSipDialog        *b;           /* the callee's leg, for calls to users */
  DtRtpReflector     *media;       /* echo and 9196 */
  DtSdp              *offer;       /* what the extension answered, for re-INVITEs */
  Extension           extension;
  DtRtpReflector     *early_media;  /* `early`: the 183's ports, until the 200 */
  GBytes             *early_offer;  /* `early`: the INVITE's offer, answered again */
  guint64             early_reflected;
  GBytes             *srtp_key;     /* ours, kept for every later answer */
  guint64             session_id;
  guint               status;
  guint               length_limit_id;
  guint               early_id;
  gboolean            held;         /* the caller's last offer put the echo on hold */
};

struct _DtSipService
{
  GObject             parent_instance;

  char               *realm;
  guint               min_expires;

  GHashTable         *users;       /* name → User */
  DtSipAuthServer    *auth;
  DtClock         *clock;
  DtSipTransport     *transport;
  Slot                slots[N_KINDS];
  GInetAddress       *address;
  char               *host;        /* the address as it goes in URIs */
  guint16             port;
  guint16             tls_port;

  DtSipPeer          *receiving;   /* the peer of the message being handled */
  GHashTable         *flows;       /* Call-ID → DtSipPeer, for calls in progress */
  GPtrArray          *calls;       /* of Call */
  GPtrArray          *subscriptions; /* of Subscription */
  DtRtpReflector     *sink;        /* the `answer` extension's media port */
  guint               n_reflectors;
  guint               sweep_id;
};

G_DEFINE_FINAL_TYPE (DtSipService, dt_sip_service, G_TYPE_OBJECT)

/* --- helpers ----------------------------------------------------------- */

static void
binding_free (Binding *binding)
{
  g_free (binding->contact);
  g_free (binding->call_id);
  g_clear_pointer (&binding->peer, dt_sip_peer_unref);
  g_free (binding);
}

static void
user_free (User *user)
{
  g_free (user->name);
  g_free (user->aor);
  g_free (user->password);
  g_ptr_array_unref (user->bindings);
  g_free (user);
}

static void
subscription_free (Subscription *sub)
{
  g_free (sub->user);
  g_free (sub->call_id);
  g_free (sub->local_header);
  g_free (sub->local_tag);
  g_free (sub->remote_header);
  g_free (sub->remote_tag);
  g_free (sub->remote_target);
  g_clear_pointer (&sub->peer, dt_sip_peer_unref);
  g_free (sub);
}

static char *
random_tag (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

static char *
name_addr_uri (const char *value)
{
  g_autoptr(DtSipNameAddr) addr = NULL;

  if (value == NULL)
    return NULL;
  addr = dt_sip_name_addr_parse (value);
  if (addr == NULL || addr->wildcard || addr->uri == NULL)
    return NULL;
  return g_strdup (addr->uri);
}

/* The user part of a sip: or sips: URI, or NULL. */
static char *
uri_user (const char *uri)
{
  const char *start;
  const char *at;
  const char *end;

  if (uri == NULL)
    return NULL;
  if (g_str_has_prefix (uri, "sip:"))
    start = uri + 4;
  else if (g_str_has_prefix (uri, "sips:"))
    start = uri + 5;
  else
    return NULL;

  end = start + strcspn (start, ";?>");
  at = memchr (start, '@', end - start);
  if (at == NULL || at == start)
    return NULL;
  /* RFC 3261 §19.1.1: user parameters such as `;user=phone` sit before the
   * @ only in tel-style users; the name is what precedes them. */
  end = start + strcspn (start, ";:@");
  return g_uri_unescape_segment (start, end, NULL);
}

/* The peer for a URI with an IP literal host, or NULL. */
static DtSipPeer *
peer_for_uri (DtSipTransportKind  kind,
              const char         *uri)
{
  g_autoptr(GInetAddress) ip = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *host = NULL;
  const char *start;
  const char *end;
  const char *port_text = NULL;
  guint64 port = kind == DT_SIP_TRANSPORT_TLS ? 5061 : 5060;

  if (g_str_has_prefix (uri, "sip:"))
    start = uri + 4;
  else if (g_str_has_prefix (uri, "sips:"))
    start = uri + 5;
  else
    return NULL;
  if (strchr (start, '@') != NULL && strchr (start, '@') < start + strcspn (start, ";?"))
    start = strchr (start, '@') + 1;
  end = start + strcspn (start, ";?>");

  if (*start == '[')
    {
      const char *close = memchr (start, ']', end - start);

      if (close == NULL)
        return NULL;
      host = g_strndup (start + 1, close - start - 1);
      if (close[1] == ':')
        port_text = close + 2;
    }
  else
    {
      const char *colon = memchr (start, ':', end - start);

      host = g_strndup (start, (colon ? colon : end) - start);
      if (colon != NULL)
        port_text = colon + 1;
    }
  if (port_text != NULL)
    {
      g_autofree char *digits = g_strndup (port_text, end - port_text);

      if (!g_ascii_string_to_unsigned (digits, 10, 1, 65535, &port, NULL))
        return NULL;
    }

  ip = g_inet_address_new_from_string (host);
  if (ip == NULL)
    return NULL;
  address = g_inet_socket_address_new (ip, (guint16) port);
  return dt_sip_peer_new (kind, G_INET_SOCKET_ADDRESS (address), NULL);
}

static char *
peer_to_source (DtSipPeer *peer)
{
  return peer ? dt_sip_peer_to_string (peer) : g_strdup ("");
}

static void
emit_event (DtSipService *self,
            JsonBuilder  *builder)
{
  g_autoptr(JsonNode) node = NULL;

  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, node);
}

static JsonBuilder *
event_begin (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
event_add_string (JsonBuilder *builder,
                  const char  *name,
                  const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value ? value : "");
}

static void
event_add_int (JsonBuilder *builder,
               const char  *name,
               gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static gboolean
respond (DtSipTransaction *tx,
         DtSipMessage     *response)
{
  g_autoptr(GError) error = NULL;

  if (!dt_sip_transaction_respond (tx, response, &error))
    {
      g_debug ("Response %u not sent: %s", dt_sip_message_get_status_code (response),
               error->message);
      return FALSE;
    }
  return TRUE;
}

static DtSipMessage *
response_new (DtSipMessage *request,
              guint         code,
              const char   *reason,
              const char   *tag)
{
  g_autofree char *fresh = NULL;

  /* §8.2.6.2: a final response carries a To tag. */
  if (dt_sip_message_get_to_tag (request) != NULL)
    tag = NULL;
  else if (tag == NULL)
    tag = fresh = random_tag ();
  return dt_sip_message_new_response_for (request, code, reason, tag);
}

static void
respond_simple (DtSipTransaction *tx,
                DtSipMessage     *request,
                guint             code,
                const char       *reason)
{
  g_autoptr(DtSipMessage) response = response_new (request, code, reason, NULL);

  if (code == 405)
    dt_sip_message_append_header (response, "Allow", ALLOW);
  respond (tx, response);
}

static User *
find_user (DtSipService *self,
           const char   *name)
{
  return name ? g_hash_table_lookup (self->users, name) : NULL;
}

static char *
password_for (const char *username,
              const char *realm,
              gpointer    user_data)
{
  DtSipService *self = user_data;
  User *user = find_user (self, username);

  return user ? g_strdup (user->password) : NULL;
}

/* --- authentication ---------------------------------------------------- */

typedef enum {
  AUTH_PASSED,
  AUTH_CHALLENGE,
  AUTH_CHALLENGE_STALE,
  AUTH_FORBIDDEN,
  AUTH_MALFORMED,
} AuthResult;

static AuthResult
authenticate (DtSipService  *self,
              DtSipMessage  *request,
              const char    *header,
              char         **username)
{
  g_auto(GStrv) values = dt_sip_message_get_header_values (request, header);
  gboolean stale = FALSE;

  /* §22.3: answer with the credentials for our realm, ignoring others. */
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      DtSipAuthVerdict verdict;

      verdict = dt_sip_auth_server_verify (self->auth, dt_sip_message_get_method (request),
                                           values[i], &name);
      switch (verdict)
        {
        case DT_SIP_AUTH_OK:
          *username = g_steal_pointer (&name);
          return AUTH_PASSED;

        case DT_SIP_AUTH_STALE:
        case DT_SIP_AUTH_REPLAY:
          stale = TRUE;
          break;

        case DT_SIP_AUTH_BAD_CREDENTIALS:
          *username = g_steal_pointer (&name);
          return AUTH_FORBIDDEN;

        case DT_SIP_AUTH_MALFORMED:
          return AUTH_MALFORMED;

        case DT_SIP_AUTH_WRONG_REALM:
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return stale ? AUTH_CHALLENGE_STALE : AUTH_CHALLENGE;
}

static void
emit_auth_failed (DtSipService *self,
                  DtSipMessage *request,
                  const char   *username,
                  const char   *why)
{
  g_autoptr(JsonBuilder) builder = event_begin ("auth-failed");
  g_autofree char *source = peer_to_source (self->receiving);

  event_add_string (builder, "user", username);
  event_add_string (builder, "method", dt_sip_message_get_method (request));
  event_add_string (builder, "reason", why);
  event_add_string (builder, "source", source);
  emit_event (self, builder);
}

/* Answers a request that did not pass (a challenge, 403 or 400) and
 * returns FALSE, or returns TRUE with the authenticated user. */
static gboolean
check_credentials (DtSipService      *self,
                   DtSipTransaction  *tx,
                   DtSipMessage      *request,
                   guint              challenge_code,
                   char             **username)
{
  g_autoptr(DtSipMessage) response = NULL;
  g_auto(GStrv) challenges = NULL;
  g_autofree char *name = NULL;
  gboolean proxy = challenge_code == 407;
  AuthResult result;

  result = authenticate (self, request, proxy ? "Proxy-Authorization" : "Authorization", &name);
  switch (result)
    {
    case AUTH_PASSED:
      *username = g_steal_pointer (&name);
      return TRUE;

    case AUTH_CHALLENGE:
    case AUTH_CHALLENGE_STALE:
      challenges = dt_sip_auth_server_create_challenges (self->auth,
                                                         result == AUTH_CHALLENGE_STALE);
      response = response_new (request, challenge_code,
                               proxy ? "Proxy Authentication Required" : "Unauthorized", NULL);
      for (guint i = 0; challenges[i] != NULL; i++)
        dt_sip_message_append_header (response, proxy ? "Proxy-Authenticate"
                                                       : "WWW-Authenticate", challenges[i]);
      respond (tx, response);
      return FALSE;

    case AUTH_FORBIDDEN:
      emit_auth_failed (self, request, name, "wrong credentials");
      respond_simple (tx, request, 403, "Forbidden");
      return FALSE;

    case AUTH_MALFORMED:
      respond_simple (tx, request, 400, "Malformed Credentials");
      return FALSE;

    default:
      g_assert_not_reached ();
    }
}

/* --- location service -------------------------------------------------- */

static Binding *
find_binding (User       *user,
              const char *contact)
{
  for (guint i = 0; i < user->bindings->len; i++)
    {
      Binding *binding = g_ptr_array_index (user->bindings, i);

      if (g_strcmp0 (binding->contact, contact) == 0)
        return binding;
    }
  return NULL;
}

static Binding *
latest_binding (User *user)
{
  Binding *latest = NULL;

  for (guint i = 0; i < user->bindings->len; i++)
    {
      Binding *binding = g_ptr_array_index (user->bindings, i);

      if (latest == NULL || binding->updated_at > latest->updated_at)
        latest = binding;
    }
  return latest;
}

static void
emit_binding_event (DtSipService *self,
                    const char   *event,
                    User         *user,
                    Binding      *binding,
                    gint64        expires,
                    const char   *reason)
{
  g_autoptr(JsonBuilder) builder = event_begin (event);
  g_autofree char *source = peer_to_source (binding->peer);

  event_add_string (builder, "user", user->name);
  event_add_string (builder, "contact", binding->contact);
  if (reason == NULL)
    event_add_int (builder, "expires", expires);
  else
    event_add_string (builder, "reason", reason);
  event_add_string (builder, "source", source);
  emit_event (self, builder);
}

static void
remove_binding (DtSipService *self,
                User         *user,
                Binding      *binding,
                const char   *reason)
{
  emit_binding_event (self, "unregistered", user, binding, 0, reason);
  g_ptr_array_remove (user->bindings, binding);
}

typedef struct
{
  char    *contact;
  gint64   expires;
} ContactRequest;

static void
contact_request_clear (ContactRequest *request)
{
  g_free (request->contact);
}

/* RFC 3261 §10.3 */
static void
handle_register (DtSipService     *self,
                 DtSipTransaction *tx,
                 DtSipMessage     *request)
{
  g_autoptr(DtSipMessage) response = NULL;
  g_autoptr(GArray) wanted = NULL;
  g_auto(GStrv) contacts = NULL;
  g_autofree char *to_uri = name_addr_uri (dt_sip_message_get_header (request, "To"));
  g_autofree char *aor_user = uri_user (to_uri);
  g_autofree char *username = NULL;
  gint64 header_expires = dt_sip_message_get_expires (request);
  gint64 now = g_get_monotonic_time ();
  const char *call_id = dt_sip_message_get_call_id (request);
  const char *method = NULL;
  gboolean wildcard = FALSE;
  guint32 cseq = 0;
  User *user;

  if (aor_user == NULL)
    {
      respond_simple (tx, request, 400, "To Has No User");
      return;
    }

  if (!check_credentials (self, tx, request, 401, &username))
    return;

  /* §10.3 step 3: a user registers only their own address of record. */
  user = find_user (self, aor_user);
  if (user == NULL || g_strcmp0 (username, aor_user) != 0)
    {
      emit_auth_failed (self, request, username, "not the address of record's owner");
      respond_simple (tx, request, 403, "Forbidden For This Address Of Record");
      return;
    }

  dt_sip_message_get_cseq (request, &cseq, &method);
  contacts = dt_sip_message_get_header_values (request, "Contact");
  wanted = g_array_new (FALSE, TRUE, sizeof (ContactRequest));
  g_array_set_clear_func (wanted, (GDestroyNotify) contact_request_clear);

  /* First pass: check everything, so that a refused request changes
   * nothing. */
  for (guint i = 0; contacts[i] != NULL; i++)
    {
      g_autoptr(DtSipNameAddr) addr = dt_sip_name_addr_parse (contacts[i]);
      ContactRequest entry = { NULL, header_expires };
      const char *param;
      Binding *existing;
      guint64 value;

      if (addr == NULL)
        {
          respond_simple (tx, request, 400, "Malformed Contact");
          return;
        }
      if (addr->wildcard)
        {
          wildcard = TRUE;
          continue;
        }

      param = dt_sip_params_lookup (addr->params, "expires", NULL);
      if (param != NULL)
        {
          if (!g_ascii_string_to_unsigned (param, 10, 0, G_MAXUINT32, &value, NULL))
            {
              respond_simple (tx, request, 400, "Malformed Contact Expires");
              return;
            }
          entry.expires = (gint64) value;
        }
      if (entry.expires < 0)
        entry.expires = DT_SIP_SERVICE_DEFAULT_EXPIRES;
      entry.expires = MIN (entry.expires, DT_SIP_SERVICE_MAX_EXPIRES);

      /* §10.3 step 6 */
      if (entry.expires > 0 && entry.expires < self->min_expires)
        {
          g_autofree char *min = g_strdup_printf ("%u", self->min_expires);

          response = response_new (request, 423, "Interval Too Brief", NULL);
          dt_sip_message_append_header (response, "Min-Expires", min);
          respond (tx, response);
          return;
        }

      /* §10.3 step 7: the same Call-ID must come with a higher CSeq. */
      existing = find_binding (user, addr->uri);
      if (existing != NULL && g_strcmp0 (existing->call_id, call_id) == 0
          && cseq <= existing->cseq)
        {
          respond_simple (tx, request, 500, "Out Of Order CSeq");
          return;
        }

      entry.contact = g_strdup (addr->uri);
      g_array_append_val (wanted, entry);
    }

  /* §10.3 step 6: `*` only alone, and only with Expires: 0. */
  if (wildcard && (wanted->len > 0 || header_expires != 0))
    {
      respond_simple (tx, request, 400, "Wildcard Contact Needs Expires 0 And No Other Contact");
      return;
    }

  if (wildcard)
    {
      while (user->bindings->len > 0)
        remove_binding (self, user, g_ptr_array_index (user->bindings, 0), "removed");
    }

  for (guint i = 0; i < wanted->len; i++)
    {
      ContactRequest *entry = &g_array_index (wanted, ContactRequest, i);
      Binding *binding = find_binding (user, entry->contact);

      if (entry->expires == 0)
        {
          if (binding != NULL)
            remove_binding (self, user, binding, "removed");
          continue;
        }

      if (binding == NULL)
        {
          binding = g_new0 (Binding, 1);
          binding->contact = g_strdup (entry->contact);
          g_ptr_array_add (user->bindings, binding);
        }
      g_free (binding->call_id);
      binding->call_id = g_strdup (call_id);
      binding->cseq = cseq;
      binding->expires_at = now + entry->expires * G_USEC_PER_SEC;
      binding->updated_at = now;
      g_clear_pointer (&binding->peer, dt_sip_peer_unref);
      binding->peer = dt_sip_peer_ref (dt_sip_transaction_get_peer (tx));
      emit_binding_event (self, "registered", user, binding, entry->expires, NULL);
    }

  /* §10.3 step 8: the 200 lists every current binding. */
  response = response_new (request, 200, "OK", NULL);
  for (guint i = 0; i < user->bindings->len; i++)
    {
      Binding *binding = g_ptr_array_index (user->bindings, i);
      gint64 left = MAX (0, (binding->expires_at - now + G_USEC_PER_SEC / 2) / G_USEC_PER_SEC);
      g_autofree char *value = g_strdup_printf ("<%s>;expires=%" G_GINT64_FORMAT,
                                                binding->contact, left);

      dt_sip_message_append_header (response, "Contact", value);
    }
  respond (tx, response);
}

/* --- OPTIONS ----------------------------------------------------------- */

/* RFC 3261 §11.2 */
static void
handle_options (DtSipService     *self,
                DtSipTransaction *tx,
                DtSipMessage     *request)
{
  g_autoptr(DtSipMessage) response = response_new (request, 200, "OK", NULL);

  dt_sip_message_append_header (response, "Allow", ALLOW);
  dt_sip_message_append_header (response, "Accept", "application/sdp");
  dt_sip_message_append_header (response, "Accept-Language", "en");
  dt_sip_message_append_header (response, "Allow-Events", "message-summary");
  respond (tx, response);
}

/* --- MWI --------------------------------------------------------------- */

static Slot *
slot_for_peer (DtSipService *self,
               DtSipPeer    *peer)
{
  Slot *slot = &self->slots[dt_sip_peer_get_kind (peer)];

  return slot->ua ? slot : NULL;
}

static void
send_notify (DtSipService *self,
             Subscription *sub,
             gboolean      terminated)
{
  g_autoptr(DtSipMessage) notify = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *branch = dt_sip_branch_new ();
  g_autofree char *via = NULL;
  g_autofree char *cseq = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *state = NULL;
  g_autofree char *text = NULL;
  gsize length;
  Slot *slot = slot_for_peer (self, sub->peer);
  User *user = find_user (self, sub->user);
  gint64 left = (sub->expires_at - g_get_monotonic_time ()) / G_USEC_PER_SEC;

  if (slot == NULL || user == NULL)
    return;

  /* RFC 6665 §4.2.2: a NOTIFY is a request inside the subscription dialog. */
  notify = dt_sip_message_new_request ("NOTIFY", sub->remote_target);
  via = dt_sip_transport_format_via (self->transport, sub->peer, branch);
  cseq = g_strdup_printf ("%u NOTIFY", ++sub->cseq);
  contact = g_strdup_printf ("<%s>", slot->contact);
  state = terminated ? g_strdup ("terminated;reason=timeout")
                     : g_strdup_printf ("active;expires=%" G_GINT64_FORMAT, MAX (left, 0));
  dt_sip_message_append_header (notify, "Via", via);
  dt_sip_message_append_header (notify, "Max-Forwards", "70");
  dt_sip_message_append_header (notify, "From", sub->local_header);
  dt_sip_message_append_header (notify, "To", sub->remote_header);
  dt_sip_message_append_header (notify, "Call-ID", sub->call_id);
  dt_sip_message_append_header (notify, "CSeq", cseq);
  dt_sip_message_append_header (notify, "Contact", contact);
  dt_sip_message_append_header (notify, "Event", "message-summary");
  dt_sip_message_append_header (notify, "Subscription-State", state);

  /* RFC 3842 §5.2 */
  text = g_strdup_printf ("Messages-Waiting: %s\r\n"
                          "Message-Account: %s\r\n"
                          "Voice-Message: %u/%u (0/0)\r\n",
                          user->n_new > 0 ? "yes" : "no", user->aor, user->n_new, user->n_old);
  /* The length first: the order arguments are evaluated in is open. */
  length = strlen (text);
  body = g_bytes_new_take (g_steal_pointer (&text), length);
  dt_sip_message_set_body (notify, "application/simple-message-summary", body);

  if (dt_sip_transaction_layer_send_request (dt_sip_user_agent_get_transaction_layer (slot->ua),
                                             notify, dt_sip_peer_ref (sub->peer),
                                             dt_sip_peer_is_reliable (sub->peer), NULL, NULL,
                                             &error) == NULL)
    g_debug ("NOTIFY not sent: %s", error->message);
}

static Subscription *
find_subscription (DtSipService *self,
                   DtSipMessage *request)
{
  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);

      if (g_strcmp0 (sub->call_id, dt_sip_message_get_call_id (request)) == 0
          && g_strcmp0 (sub->local_tag, dt_sip_message_get_to_tag (request)) == 0
          && g_strcmp0 (sub->remote_tag, dt_sip_message_get_from_tag (request)) == 0)
        return sub;
    }
  return NULL;
}

/* RFC 6665 §4.2.1, RFC 3842 */
static void
handle_subscribe (DtSipService     *self,
                  DtSipTransaction *tx,
                  DtSipMessage     *request)
{
  g_autoptr(DtSipMessage) response = NULL;
  g_autofree char *username = NULL;
  g_autofree char *mailbox = uri_user (dt_sip_message_get_request_uri (request));
  g_autofree char *target = name_addr_uri (dt_sip_message_get_header (request, "Contact"));
  g_autofree char *expires_text = NULL;
  const char *event = dt_sip_message_get_header (request, "Event");
  gint64 expires = dt_sip_message_get_expires (request);
  Subscription *sub;
  Slot *slot;

  if (event == NULL || strncmp (event, "message-summary", strcspn (event, "; \t")) != 0
      || strcspn (event, "; \t") != strlen ("message-summary"))
    {
      response = response_new (request, 489, "Bad Event", NULL);
      dt_sip_message_append_header (response, "Allow-Events", "message-summary");
      respond (tx, response);
      return;
    }

  if (!check_credentials (self, tx, request, 401, &username))
    return;

  if (mailbox == NULL || g_strcmp0 (mailbox, username) != 0 || find_user (self, mailbox) == NULL)
    {
      respond_simple (tx, request, 403, "Only Your Own Mailbox");
      return;
    }

  if (expires < 0)
    expires = DT_SIP_SERVICE_DEFAULT_EXPIRES;
  expires = MIN (expires, DT_SIP_SERVICE_MAX_EXPIRES);

  if (dt_sip_message_get_to_tag (request) != NULL)
    {
      sub = find_subscription (self, request);
      if (sub == NULL)
        {
          respond_simple (tx, request, 481, "Subscription Does Not Exist");
          return;
        }
    }
  else
    {
      g_autofree char *tag = random_tag ();
      g_autoptr(DtSipNameAddr) to = dt_sip_name_addr_parse (dt_sip_message_get_header (request,
                                                                                       "To"));

      if (target == NULL || to == NULL || to->wildcard)
        {
          respond_simple (tx, request, 400, "Bad Contact or To");
          return;
        }
      sub = g_new0 (Subscription, 1);
      sub->user = g_strdup (mailbox);
      sub->call_id = g_strdup (dt_sip_message_get_call_id (request));
      sub->local_tag = g_strdup (tag);
      sub->local_header = g_strdup_printf ("<%s>;tag=%s", to->uri, tag);
      sub->remote_header = g_strdup (dt_sip_message_get_header (request, "From"));
      sub->remote_tag = g_strdup (dt_sip_message_get_from_tag (request));
      sub->cseq = (guint32) g_random_int_range (1, 1 << 30);
      g_ptr_array_add (self->subscriptions, sub);
    }

  if (target != NULL)
    {
      g_free (sub->remote_target);
      sub->remote_target = g_steal_pointer (&target);
    }
  g_clear_pointer (&sub->peer, dt_sip_peer_unref);
  sub->peer = dt_sip_peer_ref (dt_sip_transaction_get_peer (tx));
  sub->expires_at = g_get_monotonic_time () + expires * G_USEC_PER_SEC;

  slot = slot_for_peer (self, sub->peer);
  response = response_new (request, 200, "OK", sub->local_tag);
  expires_text = g_strdup_printf ("%" G_GINT64_FORMAT, expires);
  dt_sip_message_append_header (response, "Expires", expires_text);
  if (slot != NULL)
    {
      g_autofree char *contact = g_strdup_printf ("<%s>", slot->contact);

      dt_sip_message_append_header (response, "Contact", contact);
    }
  respond (tx, response);

  /* RFC 6665 §4.2.1.2: a NOTIFY follows at once, also for Expires: 0. */
  send_notify (self, sub, expires == 0);
  if (expires == 0)
    g_ptr_array_remove (self->subscriptions, sub);
}

/* --- calls ------------------------------------------------------------- */

static void
call_free (Call *call)
{
  if (call->length_limit_id != 0)
    dt_clock_remove (call->service->clock, call->length_limit_id);
  if (call->early_id != 0)
    dt_clock_remove (call->service->clock, call->early_id);
  g_clear_pointer (&call->early_media, dt_rtp_reflector_free);
  g_clear_pointer (&call->early_offer, g_bytes_unref);
  g_clear_pointer (&call->srtp_key, g_bytes_unref);
  if (call->media != NULL)
    call->service->n_reflectors--;
  g_free (call->call_id);
  g_free (call->from);
  g_free (call->to);
  g_clear_object (&call->a);
  g_clear_object (&call->b);
  g_clear_pointer (&call->media, dt_rtp_reflector_free);
  g_clear_pointer (&call->offer, dt_sdp_free);
  g_free (call);
}

static void
call_end (Call       *call,
          guint       status,
          const char *reason)
{
  DtSipService *self = call->service;
  g_autoptr(JsonBuilder) builder = event_begin ("call-ended");

  g_signal_handlers_disconnect_by_data (call->a, call);
  if (call->b != NULL)
    {
      g_signal_handlers_disconnect_by_data (call->b, call);
      g_hash_table_remove (self->flows, dt_sip_dialog_get_call_id (call->b));
    }
  g_hash_table_remove (self->flows, call->call_id);

  event_add_string (builder, "call-id", call->call_id);
  event_add_int (builder, "status", status ? status : call->status);
  event_add_string (builder, "reason", reason);
  if (call->media != NULL)
    {
      event_add_int (builder, "reflected",
                     (gint64) (dt_rtp_reflector_get_n_reflected (call->media)
                               + call->early_reflected
                               + (call->early_media
                                  ? dt_rtp_reflector_get_n_reflected (call->early_media) : 0)));
      event_add_int (builder, "srtp-dropped",
                     (gint64) dt_rtp_reflector_get_n_srtp_dropped (call->media));
    }
  emit_event (self, builder);

  g_ptr_array_remove (self->calls, call);
}

static void
hang_up (DtSipDialog *dialog)
{
  g_autoptr(GError) error = NULL;
  DtSipDialogState state = dt_sip_dialog_get_state (dialog);
  gboolean ok = TRUE;

  if (state == DT_SIP_DIALOG_STATE_TERMINATED)
    return;
  if (dt_sip_dialog_is_outgoing (dialog) && state != DT_SIP_DIALOG_STATE_CONFIRMED)
    ok = dt_sip_dialog_cancel (dialog, &error);
  else if (state == DT_SIP_DIALOG_STATE_CONFIRMED)
    ok = dt_sip_dialog_bye (dialog, &error);
  else
    ok = dt_sip_dialog_reject (dialog, 487, "Request Terminated", &error);
  if (!ok)
    g_debug ("Hang-up failed: %s", error->message);
}

static Call *
call_new (DtSipService *self,
          DtSipDialog  *a)
{
  DtSipMessage *invite = dt_sip_dialog_get_invite (a);
  g_autoptr(JsonBuilder) builder = event_begin ("call-started");
  Call *call = g_new0 (Call, 1);

  call->service = self;
  call->a = g_object_ref (a);
  call->call_id = g_strdup (dt_sip_dialog_get_call_id (a));
  call->from = name_addr_uri (dt_sip_message_get_header (invite, "From"));
  call->to = g_strdup (dt_sip_message_get_request_uri (invite));
  g_ptr_array_add (self->calls, call);
  if (self->receiving != NULL)
    g_hash_table_replace (self->flows, g_strdup (call->call_id),
                          dt_sip_peer_ref (self->receiving));

  event_add_string (builder, "from", call->from);
  event_add_string (builder, "to", call->to);
  event_add_string (builder, "call-id", call->call_id);
  emit_event (self, builder);
  return call;
}

static void
on_a_bye (DtSipDialog *dialog,
          gpointer     user_data)
{
  Call *call = user_data;

  if (call->b != NULL)
    {
      g_signal_handlers_disconnect_by_data (call->b, call);
      hang_up (call->b);
    }
  call_end (call, 200, "caller hung up");
}

static void
on_a_failed (DtSipDialog *dialog,
             guint        code,
             const char  *reason,
             gpointer     user_data)
{
  Call *call = user_data;

  if (call->b != NULL)
    {
      g_signal_handlers_disconnect_by_data (call->b, call);
      hang_up (call->b);
    }
  call_end (call, code, reason);
}

/* Echo and its kin: one SDP answer, in the caller's order of preference
 * among the codecs Dialtone knows (RFC 3264 §6.1 lets the answerer pick). */
static const DtSdpCodec known_codecs[] = {
  { "PCMU", 8000, 1, NULL, 0 },
  { "PCMA", 8000, 1, NULL, 8 },
  { "G722", 8000, 1, NULL, 9 },
  { "opus", 48000, 2, "useinbandfec=1", -1 },
};

/* RFC 4568 §7.1.4: later answers (the 200 after early media, re-INVITEs)
 * send the same key again rather than rekey. */
static void
reuse_srtp_key (const char *suite,
                guint8     *key_salt,
                gsize       length,
                gpointer    user_data)
{
  Call *call = user_data;
  gsize size;
  const guint8 *key = g_bytes_get_data (call->srtp_key, &size);

  if (size == length)
    {
      memcpy (key_salt, key, length);
      return;
    }
  /* Another suite, with another key length: a new key (RFC 3711 §8). */
  for (gsize done = 0; done < length; )
    {
      gssize n = getrandom (key_salt + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("No random bytes for an SRTP key: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

static void
on_echo_dtmf (char     digit,
              gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(JsonBuilder) builder = event_begin ("dtmf");
  char text[2] = { digit, '\0' };

  event_add_string (builder, "call-id", call->call_id);
  event_add_string (builder, "digit", text);
  emit_event (call->service, builder);
}

static GBytes *
extension_answer (Call          *call,
                  GBytes        *offer_bytes,
                  guint         *error_code,
                  GError       **error)
{
  DtSipService *self = call->service;
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdpNegotiated) negotiated = NULL;
  g_autoptr(GArray) codecs = g_array_new (FALSE, TRUE, sizeof (DtSdpCodec));
  g_autofree char *offered_proto = NULL;
  g_autofree char *text = NULL;
  gsize text_length;
  g_autofree char *address = g_inet_address_to_string (self->address);
  DtSdpCaps caps = { 0 };
  DtRtpReflector *media = call->early_media ? call->early_media
                         : call->media ? call->media : self->sink;

  if (offer_bytes != NULL && g_bytes_get_size (offer_bytes) > 0)
    {
      gsize length;
      const char *data = g_bytes_get_data (offer_bytes, &length);

      offer = dt_sdp_parse (data, length, error);
      if (offer == NULL)
        {
          *error_code = 400;
          return NULL;
        }

      for (guint m = 0; m < offer->media->len; m++)
        {
          DtSdpMedia *media_line = g_ptr_array_index (offer->media, m);

          if (!g_str_equal (media_line->media, "audio"))
            continue;
          for (guint f = 0; f < media_line->formats->len; f++)
            {
              guint64 pt;
              const char *encoding = NULL;
              guint rate = 0;
              guint channels = 0;

              if (!g_ascii_string_to_unsigned (g_ptr_array_index (media_line->formats, f), 10,
                                               0, 127, &pt, NULL))
                continue;
              if (!dt_sdp_lookup_rtpmap (media_line, (guint) pt, &encoding, &rate, &channels))
                continue;
              for (guint k = 0; k < G_N_ELEMENTS (known_codecs); k++)
                {
                  if (g_ascii_strcasecmp (known_codecs[k].name, encoding) == 0
                      && known_codecs[k].clock_rate == rate)
                    {
                      gboolean seen = FALSE;

                      for (guint c = 0; c < codecs->len; c++)
                        seen |= g_array_index (codecs, DtSdpCodec, c).name == known_codecs[k].name;
                      if (!seen)
                        g_array_append_val (codecs, known_codecs[k]);
                    }
                }
            }
          break;
        }
    }
  if (codecs->len == 0)
    g_array_append_vals (codecs, known_codecs, G_N_ELEMENTS (known_codecs));

  if (call->session_id == 0)
    call->session_id = g_random_int_range (1, G_MAXINT32);
  caps.codecs = &g_array_index (codecs, DtSdpCodec, 0);
  caps.n_codecs = codecs->len;
  caps.dtmf = TRUE;
  /* Best-effort SRTP (RFC 4568): an offer with a usable key is answered
   * with one of ours. Not for a late offer, whose answer in the ACK the
   * extensions do not read. */
  caps.srtp = offer != NULL ? DT_SDP_SRTP_OPTIONAL : DT_SDP_SRTP_OFF;
  if (offer != NULL && call->extension == EXTENSION_PLAIN)
    {
      /* A peer that cannot encrypt: it drops the keys and keeps the
       * profile, answering RTP/SAVP with no a=crypto. */
      caps.srtp = DT_SDP_SRTP_OFF;
      for (guint m = 0; m < offer->media->len; m++)
        {
          DtSdpMedia *media_line = g_ptr_array_index (offer->media, m);

          if (!g_str_equal (media_line->media, "audio"))
            continue;
          g_ptr_array_set_size (media_line->cryptos, 0);
          if (offered_proto == NULL)
            offered_proto = g_strdup (media_line->proto);
          g_free (media_line->proto);
          media_line->proto = g_strdup ("RTP/AVP");
        }
    }
  if (call->srtp_key != NULL)
    {
      caps.key_func = reuse_srtp_key;
      caps.key_func_data = call;
    }
  caps.address = address;
  caps.port = dt_rtp_reflector_get_rtp_port (media);
  caps.rtcp_port = dt_rtp_reflector_get_rtcp_port (media);
  caps.username = "dialtone-helper";
  caps.session_id = call->session_id;

  answer = offer ? dt_sdp_create_answer (&caps, offer, &negotiated, error)
                 : dt_sdp_create_offer (&caps, error);
  if (answer == NULL)
    {
      *error_code = 488;
      return NULL;
    }
  for (guint m = 0; offered_proto != NULL && m < answer->media->len; m++)
    {
      DtSdpMedia *media_line = g_ptr_array_index (answer->media, m);

      if (g_str_equal (media_line->media, "audio"))
        {
          g_free (media_line->proto);
          media_line->proto = g_strdup (offered_proto);
        }
    }
  if (negotiated != NULL && negotiated->local_key != NULL && call->srtp_key == NULL)
    call->srtp_key = g_bytes_ref (negotiated->local_key);
  if (media != self->sink
      && !dt_rtp_reflector_set_srtp (media, negotiated ? negotiated->srtp_suite : NULL,
                                     negotiated ? negotiated->remote_key : NULL,
                                     negotiated ? negotiated->local_key : NULL, error))
    {
      *error_code = 488;
      return NULL;
    }
  if (media != self->sink)
    dt_rtp_reflector_watch_dtmf (media, negotiated != NULL ? negotiated->telephone_event_pt : -1,
                                 on_echo_dtmf, call);
  if (call->offer != NULL)
    answer->origin_sess_version = call->offer->origin_sess_version + 1;
  g_clear_pointer (&call->offer, dt_sdp_free);
  call->offer = dt_sdp_copy (answer);

  text = dt_sdp_to_string (answer);
  text_length = strlen (text);
  return g_bytes_new_take (g_steal_pointer (&text), text_length);
}

/* RFC 3264 §8.4: an offer of sendonly or inactive holds the echo; the
 * helper says so when that changes, not on every session refresh. */
static void
note_hold (Call   *call,
           GBytes *offer_bytes)
{
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  gboolean held;
  const char *data;
  gsize length;

  if (offer_bytes == NULL || g_bytes_get_size (offer_bytes) == 0)
    return;
  data = g_bytes_get_data (offer_bytes, &length);
  offer = dt_sdp_parse (data, length, NULL);
  if (offer == NULL)
    return;
  held = dt_sdp_is_hold (offer);
  if (held == call->held)
    return;
  call->held = held;
  builder = event_begin (held ? "call-held" : "call-resumed");
  event_add_string (builder, "call-id", call->call_id);
  emit_event (call->service, builder);
}

static void
on_extension_reinvite (DtSipDialog *dialog,
                       GBytes      *sdp,
                       gpointer     user_data)
{
  Call *call = user_data;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint code = 200;

  /* RFC 3264 §8: a new offer (hold, a session refresh) gets a new answer
   * on the same ports. */
  answer = extension_answer (call, sdp, &code, &error);
  if (!dt_sip_dialog_answer_reinvite (dialog, answer ? 200 : 488, answer, &error))
    g_debug ("re-INVITE not answered: %s", error->message);
  else if (answer != NULL)
    note_hold (call, sdp);
}

static void
on_call_length_limit (gpointer user_data)
{
  Call *call = user_data;

  call->length_limit_id = 0;
  g_signal_handlers_disconnect_by_data (call->a, call);
  hang_up (call->a);
  call_end (call, 200, "maximum call length");
}

/* `early`: the early media is over. Its ports close, and the 200 answers
 * anew from the call's own, as a gateway's does once the callee takes
 * over (RFC 3960 §3.1): the caller must follow the 2xx's SDP. */
static void
on_early_media_over (gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint code = 0;

  call->early_id = 0;
  call->early_reflected += dt_rtp_reflector_get_n_reflected (call->early_media);
  g_clear_pointer (&call->early_media, dt_rtp_reflector_free);
  answer = extension_answer (call, call->early_offer, &code, &error);
  if (answer == NULL)
    {
      g_debug ("Early media call not answered: %s", error->message);
      g_signal_handlers_disconnect_by_data (call->a, call);
      dt_sip_dialog_reject (call->a, code, code == 488 ? "Not Acceptable Here" : "Server Error",
                            NULL);
      call_end (call, code, error->message);
      return;
    }
  if (!dt_sip_dialog_accept (call->a, answer, &error))
    {
      g_debug ("Early media call not answered: %s", error->message);
      g_signal_handlers_disconnect_by_data (call->a, call);
      call_end (call, 500, error->message);
      return;
    }
  call->status = 200;
}

static void
answer_extension (DtSipService *self,
                  DtSipDialog  *dialog,
                  GBytes       *sdp,
                  Extension     extension)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reflect = extension != EXTENSION_ANSWER;
  Call *call;
  guint code = 0;

  if (reflect && self->n_reflectors >= MAX_ECHO_CALLS)
    {
      /* RFC 3261 §21.5.4 */
      dt_sip_dialog_reject (dialog, 503, "Too Many Echo Calls", NULL);
      return;
    }

  call = call_new (self, dialog);
  call->extension = extension;
  if (reflect)
    {
      /* A socket pair per call, closed when the call ends; `early` has a
       * second one for its early media (not for a late offer, which no
       * provisional answer may carry). */
      call->media = dt_rtp_reflector_new (self->address, TRUE, &error);
      if (call->media != NULL)
        self->n_reflectors++;
      if (call->media != NULL && extension == EXTENSION_EARLY && sdp != NULL
          && g_bytes_get_size (sdp) > 0)
        call->early_media = dt_rtp_reflector_new (self->address, TRUE, &error);
      if (call->early_media != NULL)
        dt_rtp_reflector_set_ssrc_xor (call->early_media, EARLY_SSRC_XOR);
      if (call->media == NULL || error != NULL)
        {
          g_message ("No media socket for the echo: %s", error->message);
          dt_sip_dialog_reject (dialog, 503, "Service Unavailable", NULL);
          call_end (call, 503, "no media socket");
          return;
        }
    }
  else if (self->sink == NULL)
    {
      self->sink = dt_rtp_reflector_new (self->address, FALSE, &error);
      if (self->sink == NULL)
        {
          g_message ("No media socket for the answer extension: %s", error->message);
          dt_sip_dialog_reject (dialog, 503, "Service Unavailable", NULL);
          call_end (call, 503, "no media socket");
          return;
        }
    }

  answer = extension_answer (call, sdp, &code, &error);
  if (answer == NULL)
    {
      dt_sip_dialog_reject (dialog, code, code == 488 ? "Not Acceptable Here" : "Malformed SDP",
                            NULL);
      call_end (call, code, error->message);
      return;
    }

  g_signal_connect (dialog, "bye", G_CALLBACK (on_a_bye), call);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_a_failed), call);
  g_signal_connect (dialog, "reinvite", G_CALLBACK (on_extension_reinvite), call);
  /* On the stack's clock: one main loop source for every call's limit. */
  call->length_limit_id = dt_clock_add (self->clock, MAX_EXTENSION_CALL_S * 1000,
                                        on_call_length_limit, call);
  if (call->early_media != NULL)
    {
      /* No 100rel (RFC 3262): an unreliable 183 with the answer, which
       * the caller takes as a preview. */
      if (!dt_sip_dialog_progress (dialog, 183, "Session Progress", answer, &error))
        {
          g_debug ("Early media not sent: %s", error->message);
          g_signal_handlers_disconnect_by_data (dialog, call);
          call_end (call, 500, error->message);
          return;
        }
      call->status = 183;
      call->early_offer = g_bytes_ref (sdp);
      call->early_id = dt_clock_add (self->clock, EARLY_MEDIA_MS, on_early_media_over, call);
      return;
    }
  if (!dt_sip_dialog_accept (dialog, answer, &error))
    {
      g_debug ("Extension call not answered: %s", error->message);
      g_signal_handlers_disconnect_by_data (dialog, call);
      call_end (call, 500, error->message);
      return;
    }
  call->status = 200;
}

/* The callee's leg of a call between users. */

static void
on_b_ringing (DtSipDialog *dialog,
              guint        code,
              const char  *reason,
              GBytes      *sdp,
              gpointer     user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  /* 180 or 183, with early media SDP as it came (RFC 3261 §13.2.1). */
  if (!dt_sip_dialog_progress (call->a, code, reason ? reason : "Ringing", sdp, &error))
    g_debug ("Ringing not relayed: %s", error->message);
}

static void
on_b_answered (DtSipDialog *dialog,
               GBytes      *sdp,
               gpointer     user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  call->status = 200;
  if (!dt_sip_dialog_accept (call->a, sdp, &error))
    {
      g_debug ("Answer not relayed: %s", error->message);
      g_signal_handlers_disconnect_by_data (call->b, call);
      hang_up (call->b);
      call_end (call, 500, "answer not relayed");
    }
}

static void
on_b_failed (DtSipDialog *dialog,
             guint        code,
             const char  *reason,
             gpointer     user_data)
{
  Call *call = user_data;

  g_signal_handlers_disconnect_by_data (call->a, call);
  if (dt_sip_dialog_get_state (call->a) == DT_SIP_DIALOG_STATE_CONFIRMED)
    {
      hang_up (call->a);
    }
  else
    {
      /* Pass the callee's refusal through (486, 603, 487…); a challenge
       * from the callee is the helper's business, not the caller's. */
      if (code < 300 || code > 699 || code == 401 || code == 407)
        code = 500;
      if (!dt_sip_dialog_reject (call->a, code, reason ? reason : "Failed", NULL))
        g_debug ("Rejection not relayed");
    }
  call_end (call, code, reason);
}

static void
on_b_bye (DtSipDialog *dialog,
          gpointer     user_data)
{
  Call *call = user_data;

  g_signal_handlers_disconnect_by_data (call->a, call);
  hang_up (call->a);
  call_end (call, 200, "callee hung up");
}

static void
on_a_reinvite (DtSipDialog *dialog,
               GBytes      *sdp,
               gpointer     user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_sip_dialog_reinvite (call->b, sdp, &error))
    dt_sip_dialog_answer_reinvite (call->a, 491, NULL, NULL);
}

static void
on_b_reinvite (DtSipDialog *dialog,
               GBytes      *sdp,
               gpointer     user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_sip_dialog_reinvite (call->a, sdp, &error))
    dt_sip_dialog_answer_reinvite (call->b, 491, NULL, NULL);
}

static void
on_reinvite_done (DtSipDialog *dialog,
                  guint        code,
                  GBytes      *sdp,
                  gpointer     user_data)
{
  Call *call = user_data;
  DtSipDialog *other = dialog == call->a ? call->b : call->a;

  if (code < 200 || code > 699)
    code = 500;
  if (!dt_sip_dialog_answer_reinvite (other, code, sdp, NULL))
    g_debug ("re-INVITE answer not relayed");
}

static void
route_to_user (DtSipService *self,
               DtSipDialog  *dialog,
               GBytes       *sdp,
               User         *callee)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  DtSipMessage *invite = dt_sip_dialog_get_invite (dialog);
  Binding *binding = latest_binding (callee);
  Call *call;
  Slot *slot;

  if (binding == NULL)
    {
      dt_sip_dialog_reject (dialog, 480, "Temporarily Unavailable", NULL);
      return;
    }
  slot = slot_for_peer (self, binding->peer);
  if (slot == NULL)
    {
      dt_sip_dialog_reject (dialog, 480, "Temporarily Unavailable", NULL);
      return;
    }

  call = call_new (self, dialog);
  from = g_strdup_printf ("<%s>", call->from);
  call->b = dt_sip_user_agent_invite (slot->ua, from, binding->contact, sdp, &error);
  if (call->b == NULL)
    {
      dt_sip_dialog_reject (dialog, 500, "Callee Unreachable", NULL);
      call_end (call, 500, error->message);
      return;
    }
  g_hash_table_replace (self->flows, g_strdup (dt_sip_dialog_get_call_id (call->b)),
                        dt_sip_peer_ref (binding->peer));

  g_signal_connect (call->a, "bye", G_CALLBACK (on_a_bye), call);
  g_signal_connect (call->a, "failed", G_CALLBACK (on_a_failed), call);
  g_signal_connect (call->a, "reinvite", G_CALLBACK (on_a_reinvite), call);
  g_signal_connect (call->a, "reinvite-done", G_CALLBACK (on_reinvite_done), call);
  g_signal_connect (call->b, "ringing", G_CALLBACK (on_b_ringing), call);
  g_signal_connect (call->b, "answered", G_CALLBACK (on_b_answered), call);
  g_signal_connect (call->b, "failed", G_CALLBACK (on_b_failed), call);
  g_signal_connect (call->b, "bye", G_CALLBACK (on_b_bye), call);
  g_signal_connect (call->b, "reinvite", G_CALLBACK (on_b_reinvite), call);
  g_signal_connect (call->b, "reinvite-done", G_CALLBACK (on_reinvite_done), call);
  (void) invite;
}

static void
on_incoming (DtSipUserAgent *ua,
             DtSipDialog    *dialog,
             GBytes         *sdp,
             gpointer        user_data)
{
  Slot *slot = user_data;
  DtSipService *self = slot->service;
  DtSipMessage *invite = dt_sip_dialog_get_invite (dialog);
  g_autofree char *target = uri_user (dt_sip_message_get_request_uri (invite));
  g_autofree char *username = NULL;
  g_auto(GStrv) challenges = NULL;
  User *callee;
  AuthResult result;

  if (g_strcmp0 (target, "echo") == 0 || g_strcmp0 (target, "9196") == 0)
    {
      answer_extension (self, dialog, sdp, EXTENSION_ECHO);
      return;
    }
  if (g_strcmp0 (target, "early") == 0)
    {
      answer_extension (self, dialog, sdp, EXTENSION_EARLY);
      return;
    }
  if (g_strcmp0 (target, "plain") == 0)
    {
      answer_extension (self, dialog, sdp, EXTENSION_PLAIN);
      return;
    }
  if (g_strcmp0 (target, "answer") == 0)
    {
      answer_extension (self, dialog, sdp, EXTENSION_ANSWER);
      return;
    }

  callee = find_user (self, target);
  if (callee == NULL)
    {
      dt_sip_dialog_reject (dialog, 404, "Not Found", NULL);
      return;
    }

  /* Calls to users need an account here: a proxy's 407 (§22.3). */
  result = authenticate (self, invite, "Proxy-Authorization", &username);
  switch (result)
    {
    case AUTH_PASSED:
      break;

    case AUTH_CHALLENGE:
    case AUTH_CHALLENGE_STALE:
      challenges = dt_sip_auth_server_create_challenges (self->auth,
                                                         result == AUTH_CHALLENGE_STALE);
      dt_sip_dialog_challenge (dialog, 407, (const char * const *) challenges, NULL);
      return;

    case AUTH_FORBIDDEN:
      emit_auth_failed (self, invite, username, "wrong credentials");
      dt_sip_dialog_reject (dialog, 403, "Forbidden", NULL);
      return;

    case AUTH_MALFORMED:
      dt_sip_dialog_reject (dialog, 400, "Malformed Credentials", NULL);
      return;

    default:
      g_assert_not_reached ();
    }

  route_to_user (self, dialog, sdp, callee);
}

static gboolean
on_request (DtSipUserAgent   *ua,
            DtSipTransaction *tx,
            DtSipMessage     *request,
            gpointer          user_data)
{
  Slot *slot = user_data;
  DtSipService *self = slot->service;
  const char *method = dt_sip_message_get_method (request);

  if (g_str_equal (method, "REGISTER"))
    handle_register (self, tx, request);
  else if (g_str_equal (method, "SUBSCRIBE"))
    handle_subscribe (self, tx, request);
  else if (g_str_equal (method, "OPTIONS"))
    handle_options (self, tx, request);
  else if (dt_sip_message_get_to_tag (request) != NULL)
    respond_simple (tx, request, 481, "Call/Transaction Does Not Exist");
  else
    respond_simple (tx, request, 405, "Method Not Allowed");
  return TRUE;
}

/* --- transport glue ---------------------------------------------------- */

static DtSipPeer *
resolve_peer (DtSipService       *self,
              DtSipTransportKind  kind,
              DtSipMessage       *message)
{
  DtSipPeer *flow;
  const char *uri;

  if (!dt_sip_message_is_request (message))
    {
      g_autoptr(DtSipVia) via = dt_sip_message_get_top_via (message);
      g_autofree char *text = NULL;

      /* §18.2.2 */
      if (via == NULL)
        return NULL;
      text = g_strdup_printf (via->host_is_ipv6 ? "sip:[%s]:%u" : "sip:%s:%u",
                              via->received ? via->received : via->host,
                              via->rport > 0 ? (guint) via->rport
                                             : (via->port ? via->port : 5060));
      return peer_for_uri (kind, text);
    }

  flow = g_hash_table_lookup (self->flows, dt_sip_message_get_call_id (message));
  if (flow != NULL)
    return dt_sip_peer_ref (flow);

  uri = dt_sip_message_get_request_uri (message);
  {
    GHashTableIter iter;
    User *user;

    g_hash_table_iter_init (&iter, self->users);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &user))
      {
        Binding *binding = find_binding (user, uri);

        if (binding != NULL)
          return dt_sip_peer_ref (binding->peer);
      }
  }
  return peer_for_uri (kind, uri);
}

static gboolean
ua_send (DtSipUserAgent *ua,
         DtSipMessage   *message,
         gpointer        peer,
         gpointer        user_data)
{
  Slot *slot = user_data;
  DtSipService *self = slot->service;
  g_autoptr(DtSipPeer) resolved = NULL;

  if (self->transport == NULL)
    return FALSE;
  if (peer == NULL)
    peer = resolved = resolve_peer (self, slot->kind, message);
  if (peer == NULL)
    {
      g_debug ("No route for %s", dt_sip_message_is_request (message)
                                  ? dt_sip_message_get_request_uri (message) : "a response");
      return FALSE;
    }
  return dt_sip_transport_send (self->transport, peer, message);
}

static void
on_message_received (DtSipTransport *transport,
                     DtSipMessage   *message,
                     DtSipPeer      *peer,
                     gpointer        user_data)
{
  DtSipService *self = user_data;
  Slot *slot = slot_for_peer (self, peer);

  if (slot == NULL)
    return;
  /* Handlers of this message learn where it came from through this. */
  self->receiving = peer;
  dt_sip_user_agent_receive (slot->ua, message, dt_sip_peer_ref (peer),
                             dt_sip_peer_is_reliable (peer));
  self->receiving = NULL;
}

static gboolean
on_sweep (gpointer user_data)
{
  DtSipService *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  User *user;

  /* RFC 3261 §10.3: a binding lapses when its expiry passes. */
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &user))
    {
      for (guint i = user->bindings->len; i > 0; i--)
        {
          Binding *binding = g_ptr_array_index (user->bindings, i - 1);

          if (binding->expires_at <= now)
            remove_binding (self, user, binding, "expired");
        }
    }

  /* RFC 6665 §4.2.2: the notifier ends an expired subscription with a
   * last NOTIFY. */
  for (guint i = self->subscriptions->len; i > 0; i--)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i - 1);

      if (sub->expires_at <= now)
        {
          send_notify (self, sub, TRUE);
          g_ptr_array_remove_index (self->subscriptions, i - 1);
        }
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_all (DtSipService     *self,
            GInetAddress     *address,
            guint16           port,
            GTlsCertificate  *certificate,
            GError          **error)
{
  g_autoptr(GSocketAddress) udp_address = g_inet_socket_address_new (address, port);
  g_autoptr(GSocketAddress) tcp_address = NULL;
  g_autoptr(GSocketAddress) tls_address = NULL;
  guint16 bound = 0;
  guint16 tls_bound = 0;

  g_clear_object (&self->transport);
  self->transport = dt_sip_transport_new ();
  if (certificate != NULL)
    dt_sip_transport_set_server_certificate (self->transport, certificate);

  if (!dt_sip_transport_listen (self->transport, DT_SIP_TRANSPORT_UDP,
                                G_INET_SOCKET_ADDRESS (udp_address), &bound, error))
    return FALSE;
  tcp_address = g_inet_socket_address_new (address, bound);
  if (!dt_sip_transport_listen (self->transport, DT_SIP_TRANSPORT_TCP,
                                G_INET_SOCKET_ADDRESS (tcp_address), NULL, error))
    return FALSE;
  if (certificate != NULL)
    {
      if (bound == G_MAXUINT16)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       "No port above %u for TLS", bound);
          return FALSE;
        }
      tls_address = g_inet_socket_address_new (address, bound + 1);
      if (!dt_sip_transport_listen (self->transport, DT_SIP_TRANSPORT_TLS,
                                    G_INET_SOCKET_ADDRESS (tls_address), &tls_bound, error))
        return FALSE;
    }
  self->port = bound;
  self->tls_port = tls_bound;
  return TRUE;
}

/* --- GObject ----------------------------------------------------------- */

static void
dt_sip_service_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtSipService *self = DT_SIP_SERVICE (object);

  switch (prop_id)
    {
    case PROP_REALM:
      g_value_set_string (value, self->realm);
      break;

    case PROP_MIN_EXPIRES:
      g_value_set_uint (value, self->min_expires);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_service_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtSipService *self = DT_SIP_SERVICE (object);

  switch (prop_id)
    {
    case PROP_REALM:
      g_free (self->realm);
      self->realm = g_value_dup_string (value);
      break;

    case PROP_MIN_EXPIRES:
      dt_sip_service_set_min_expires (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_service_constructed (GObject *object)
{
  DtSipService *self = DT_SIP_SERVICE (object);

  G_OBJECT_CLASS (dt_sip_service_parent_class)->constructed (object);

  if (self->realm == NULL)
    self->realm = g_strdup ("dialtone.test");
  self->auth = dt_sip_auth_server_new (self->realm);
  /* sipp and Debian's baresip hash with MD5 only (RFC 8760 SHA-256 would
   * be offered first and they would stop there). */
  dt_sip_auth_server_set_md5_only (self->auth, TRUE);
  dt_sip_auth_server_set_qop (self->auth, TRUE);
  dt_sip_auth_server_set_password_func (self->auth, password_for, self, NULL);
}

static void
dt_sip_service_dispose (GObject *object)
{
  DtSipService *self = DT_SIP_SERVICE (object);

  dt_sip_service_stop (self);

  G_OBJECT_CLASS (dt_sip_service_parent_class)->dispose (object);
}

static void
dt_sip_service_finalize (GObject *object)
{
  DtSipService *self = DT_SIP_SERVICE (object);

  g_free (self->realm);
  g_clear_object (&self->auth);
  g_hash_table_unref (self->users);
  g_hash_table_unref (self->flows);
  g_ptr_array_unref (self->calls);
  g_ptr_array_unref (self->subscriptions);
  g_clear_pointer (&self->clock, dt_clock_unref);

  G_OBJECT_CLASS (dt_sip_service_parent_class)->finalize (object);
}

static void
dt_sip_service_class_init (DtSipServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_service_get_property;
  object_class->set_property = dt_sip_service_set_property;
  object_class->constructed = dt_sip_service_constructed;
  object_class->dispose = dt_sip_service_dispose;
  object_class->finalize = dt_sip_service_finalize;

  /**
   * DtSipService:realm:
   * The digest realm of every challenge.
   */
  props[PROP_REALM] =
    g_param_spec_string ("realm", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipService:min-expires:
   * The shortest registration accepted, in seconds; shorter ones get 423.
   */
  props[PROP_MIN_EXPIRES] =
    g_param_spec_uint ("min-expires", NULL, NULL, 1, DT_SIP_SERVICE_MAX_EXPIRES,
                       DT_SIP_SERVICE_DEFAULT_MIN_EXPIRES,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtSipService::event:
   * @event: (type JsonNode): a JSON object with an `event` member
   *
   * Something worth a line in the helper's output happened: `registered`,
   * `unregistered`, `call-started`, `call-ended`, `auth-failed`.
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
dt_sip_service_init (DtSipService *self)
{
  self->min_expires = DT_SIP_SERVICE_DEFAULT_MIN_EXPIRES;
  self->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) user_free);
  self->flows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) dt_sip_peer_unref);
  self->calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  self->subscriptions = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_service_new:
 * @realm: (nullable): the digest realm; %NULL for `dialtone.test`
 *
 * Returns: (transfer full): a new, stopped service with no users
 */
DtSipService *
dt_sip_service_new (const char *realm)
{
  return g_object_new (DT_TYPE_SIP_SERVICE, "realm", realm, NULL);
}

const char *
dt_sip_service_get_realm (DtSipService *self)
{
  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), NULL);
  return self->realm;
}

guint
dt_sip_service_get_min_expires (DtSipService *self)
{
  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), 0);
  return self->min_expires;
}

/**
 * dt_sip_service_set_min_expires:
 * @seconds: the shortest registration accepted (RFC 3261 §10.3 step 6)
 */
void
dt_sip_service_set_min_expires (DtSipService *self,
                                guint         seconds)
{
  g_return_if_fail (DT_IS_SIP_SERVICE (self));
  g_return_if_fail (seconds >= 1);

  if (self->min_expires == seconds)
    return;
  self->min_expires = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MIN_EXPIRES]);
}

/**
 * dt_sip_service_add_user:
 * @name: the user part of the address of record
 * @password: the digest password
 *
 * Adds a user, or changes the password of one already there.
 */
void
dt_sip_service_add_user (DtSipService *self,
                         const char   *name,
                         const char   *password)
{
  User *user;

  g_return_if_fail (DT_IS_SIP_SERVICE (self));
  g_return_if_fail (name != NULL && *name != '\0' && password != NULL);

  user = find_user (self, name);
  if (user != NULL)
    {
      g_free (user->password);
      user->password = g_strdup (password);
      return;
    }

  user = g_new0 (User, 1);
  user->name = g_strdup (name);
  user->aor = g_strdup_printf ("sip:%s@%s", name, self->realm);
  user->password = g_strdup (password);
  user->bindings = g_ptr_array_new_with_free_func ((GDestroyNotify) binding_free);
  g_hash_table_insert (self->users, user->name, user);
}

/**
 * dt_sip_service_set_mailbox:
 * @user: a user's name
 * @n_new: new voice messages
 * @n_old: old voice messages
 * @error: return location for a #GError
 *
 * Sets what the user's message-waiting indicator shows, and notifies every
 * subscription to it (RFC 3842).
 *
 * Returns: %FALSE for an unknown user
 */
gboolean
dt_sip_service_set_mailbox (DtSipService  *self,
                            const char    *user,
                            guint          n_new,
                            guint          n_old,
                            GError       **error)
{
  User *entry;

  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  entry = find_user (self, user);
  if (entry == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No user “%s”", user);
      return FALSE;
    }
  entry->n_new = n_new;
  entry->n_old = n_old;

  for (guint i = 0; i < self->subscriptions->len; i++)
    {
      Subscription *sub = g_ptr_array_index (self->subscriptions, i);

      if (g_str_equal (sub->user, user))
        send_notify (self, sub, FALSE);
    }
  return TRUE;
}

/**
 * dt_sip_service_start:
 * @address: where to listen
 * @port: the UDP and TCP port, or 0 for one free for both
 * @certificate: (nullable): the server certificate; with it TLS listens on
 *   @port + 1
 * @error: return location for a #GError
 *
 * Opens the listeners and starts answering.
 *
 * Returns: %FALSE with @error set when a port could not be bound
 */
gboolean
dt_sip_service_start (DtSipService     *self,
                      GInetAddress     *address,
                      guint16           port,
                      GTlsCertificate  *certificate,
                      GError          **error)
{
  g_autofree char *ip = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->transport == NULL, FALSE);

  /* Port 0: UDP picks a port, and TCP (and TLS above it) may find theirs
   * taken; try again with another. */
  for (guint attempt = 0; ; attempt++)
    {
      g_clear_error (&local_error);
      if (listen_all (self, address, port, certificate, &local_error))
        break;
      if (port != 0 || attempt == 32
          || !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_clear_object (&self->transport);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  g_signal_connect (self->transport, "message-received", G_CALLBACK (on_message_received), self);

  g_set_object (&self->address, address);
  ip = g_inet_address_to_string (address);
  self->host = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6
               ? g_strdup_printf ("[%s]", ip) : g_strdup (ip);
  if (self->clock == NULL)
    self->clock = dt_clock_new_system ();

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      Slot *slot = &self->slots[kind];
      g_autofree char *sent_by = NULL;
      guint16 kind_port = kind == DT_SIP_TRANSPORT_TLS ? self->tls_port : self->port;

      if (kind == DT_SIP_TRANSPORT_TLS && certificate == NULL)
        continue;
      slot->service = self;
      slot->kind = kind;
      sent_by = g_strdup_printf ("%s:%u", self->host, kind_port);
      slot->contact = g_strdup_printf ("sip:%s:%u%s", self->host, kind_port,
                                       kind == DT_SIP_TRANSPORT_UDP ? ""
                                       : kind == DT_SIP_TRANSPORT_TCP ? ";transport=tcp"
                                       : ";transport=tls");
      slot->ua = dt_sip_user_agent_new (self->clock, NULL, ua_send,
                                        (GDestroyNotify) dt_sip_peer_unref, slot);
      dt_sip_user_agent_set_local (slot->ua, dt_sip_transport_kind_to_string (kind), sent_by,
                                   slot->contact, kind != DT_SIP_TRANSPORT_UDP);
      g_signal_connect (slot->ua, "incoming", G_CALLBACK (on_incoming), slot);
      g_signal_connect (slot->ua, "request", G_CALLBACK (on_request), slot);
    }

  self->sweep_id = g_timeout_add_seconds (1, on_sweep, self);
  return TRUE;
}

/**
 * dt_sip_service_stop:
 *
 * Closes the listeners and forgets calls, registrations and subscriptions.
 */
void
dt_sip_service_stop (DtSipService *self)
{
  GHashTableIter iter;
  User *user;

  g_return_if_fail (DT_IS_SIP_SERVICE (self));

  g_clear_handle_id (&self->sweep_id, g_source_remove);
  while (self->calls->len > 0)
    {
      Call *call = g_ptr_array_index (self->calls, 0);

      g_signal_handlers_disconnect_by_data (call->a, call);
      if (call->b != NULL)
        g_signal_handlers_disconnect_by_data (call->b, call);
      g_ptr_array_remove_index (self->calls, 0);
    }
  g_ptr_array_set_size (self->subscriptions, 0);
  g_hash_table_remove_all (self->flows);
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &user))
    g_ptr_array_set_size (user->bindings, 0);

  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      Slot *slot = &self->slots[kind];

      if (slot->ua != NULL)
        g_signal_handlers_disconnect_by_data (slot->ua, slot);
      g_clear_object (&slot->ua);
      g_clear_pointer (&slot->contact, g_free);
    }
  if (self->transport != NULL)
    g_signal_handlers_disconnect_by_data (self->transport, self);
  g_clear_object (&self->transport);
  g_clear_pointer (&self->sink, dt_rtp_reflector_free);
  g_clear_object (&self->address);
  g_clear_pointer (&self->host, g_free);
}

/**
 * dt_sip_service_get_port:
 * @tls: %TRUE for the TLS port
 *
 * Returns: the UDP and TCP port, or the TLS port (0 without TLS)
 */
guint16
dt_sip_service_get_port (DtSipService *self,
                         gboolean      tls)
{
  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), 0);
  return tls ? self->tls_port : self->port;
}

/**
 * dt_sip_service_describe:
 *
 * Returns: (transfer full): `{"udp":P,"tcp":P}`, with `"tls"` when it
 *   listens, for the ready line
 */
JsonNode *
dt_sip_service_describe (DtSipService *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (DT_IS_SIP_SERVICE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "udp");
  json_builder_add_int_value (builder, self->port);
  json_builder_set_member_name (builder, "tcp");
  json_builder_add_int_value (builder, self->port);
  if (self->tls_port != 0)
    {
      json_builder_set_member_name (builder, "tls");
      json_builder_add_int_value (builder, self->tls_port);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
