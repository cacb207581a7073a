/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-service.c
 *
 * One SoupServer for the signalling, one UDP socket per family for the
 * plain greeting echo, and one libnice agent per session: controlled,
 * host candidates only (PROTOCOLS-SIP-MEDIA-TURN.md §5.5 "Roles"). The
 * peer answers anyone who reaches it, so it keeps no more than
 * DT_DIAG_SERVICE_MAX_SESSIONS, each for a minute, accepts only offers of
 * exactly one relayed candidate (it is no general ICE reflector), and
 * echoes only greetings, never larger than what came in.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include <libsoup/soup.h>
#include <nice/agent.h>
#include <string.h>

#include "dt-diag-service.h"
#include "dt-diag-signal.h"

#define GREETING_PREFIX     "DIALTONE-DIAG 1 "
#define GREETING_ACK_PREFIX "DIALTONE-DIAG-ACK 1 "
/* A greeting is one short line */
#define MAX_GREETING        512

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  GSocket *socket;
  GSource *source;
} Echo;

typedef struct {
  DtDiagService *service;      /* not a reference: the service owns the session */
  char          *id;
  NiceAgent     *agent;
  guint          stream;
  GSocketFamily  family;
  guint          expiry;
  guint          echoed;
  gboolean       connected;
} Session;

struct _DtDiagService
{
  GObject       parent_instance;

  char         *token;
  GInetAddress *address;
  SoupServer   *server;
  char         *url;
  Echo         *echoes[2];     /* IPv4, IPv6 */
  GHashTable   *sessions;      /* id → Session */
};

G_DEFINE_FINAL_TYPE (DtDiagService, dt_diag_service, G_TYPE_OBJECT)

/* --- Helpers ------------------------------------------------------------ */

static guint
family_index (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? 1 : 0;
}

static void
emit_session_event (Session    *session,
                    const char *state)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "diagnostics-session");
  json_builder_set_member_name (builder, "session");
  json_builder_add_string_value (builder, session->id);
  json_builder_set_member_name (builder, "family");
  json_builder_add_string_value (builder, session->family == G_SOCKET_FAMILY_IPV6 ? "ipv6"
                                                                                  : "ipv4");
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, state);
  json_builder_set_member_name (builder, "echoed");
  json_builder_add_int_value (builder, session->echoed);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_signal_emit (session->service, signals[SIGNAL_EVENT], 0, node);
}

static void
on_agent_closed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
  g_object_unref (source);
}

static void
session_free (Session *session)
{
  g_clear_handle_id (&session->expiry, g_source_remove);
  if (session->agent != NULL)
    {
      NiceAgent *agent = g_steal_pointer (&session->agent);

      g_signal_handlers_disconnect_by_data (agent, session);
      nice_agent_attach_recv (agent, session->stream, 1, g_main_context_get_thread_default (),
                              NULL, NULL);
      nice_agent_close_async (agent, on_agent_closed, NULL);
    }
  g_free (session->id);
  g_free (session);
}

static gboolean
on_session_expired (gpointer user_data)
{
  Session *session = user_data;

  session->expiry = 0;
  emit_session_event (session, "expired");
  g_hash_table_remove (session->service->sessions, session->id);
  return G_SOURCE_REMOVE;
}

/* §5.5 step 7: answer each greeting over the ICE path */
static void
on_session_recv (NiceAgent *agent,
                 guint      stream_id,
                 guint      component_id,
                 guint      length,
                 char      *buffer,
                 gpointer   user_data)
{
  Session *session = user_data;
  g_autofree char *reply = NULL;
  gsize prefix = strlen (GREETING_PREFIX);

  if (length <= prefix || length > MAX_GREETING || memcmp (buffer, GREETING_PREFIX, prefix) != 0)
    return;
  reply = g_strdup_printf (GREETING_ACK_PREFIX "%.*s", (int) (length - prefix), buffer + prefix);
  if (nice_agent_send (agent, stream_id, component_id, (guint) strlen (reply), reply) > 0)
    session->echoed++;
}

static void
on_session_state (NiceAgent *agent,
                  guint      stream_id,
                  guint      component_id,
                  guint      state,
                  gpointer   user_data)
{
  Session *session = user_data;

  if (state == NICE_COMPONENT_STATE_READY && !session->connected)
    {
      session->connected = TRUE;
      emit_session_event (session, "connected");
    }
  else if (state == NICE_COMPONENT_STATE_FAILED)
    emit_session_event (session, "failed");
}

/* --- The UDP echo ------------------------------------------------------- */

static gboolean
on_echo_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  char buffer[MAX_GREETING];

  for (guint i = 0; i < 32; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (socket, &from, buffer, sizeof buffer, NULL, NULL);

      if (n < 0)
        break;
      /* Only greetings, sent back as they came: never more bytes out than
       * in, so it amplifies nothing */
      if (from != NULL && (gsize) n > strlen (GREETING_PREFIX) &&
          memcmp (buffer, GREETING_PREFIX, strlen (GREETING_PREFIX)) == 0)
        g_socket_send_to (socket, from, buffer, (gsize) n, NULL, NULL);
    }
  return G_SOURCE_CONTINUE;
}

static Echo *
echo_new (GInetAddress  *address,
          guint16        port,
          GError       **error)
{
  g_autoptr(GSocketAddress) bound = g_inet_socket_address_new (address, port);
  g_autoptr(GSocket) socket = g_socket_new (g_inet_address_get_family (address),
                                            G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                                            error);
  Echo *echo;

  if (socket == NULL || !g_socket_bind (socket, bound, FALSE, error))
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  echo = g_new0 (Echo, 1);
  echo->socket = g_steal_pointer (&socket);
  echo->source = g_socket_create_source (echo->socket, G_IO_IN, NULL);
  g_source_set_callback (echo->source, (GSourceFunc) (void (*) (void)) on_echo_readable, NULL,
                         NULL);
  g_source_attach (echo->source, NULL);
  return echo;
}

static void
echo_free (Echo *echo)
{
  if (echo == NULL)
    return;
  g_source_destroy (echo->source);
  g_source_unref (echo->source);
  g_object_unref (echo->socket);
  g_free (echo);
}

/* --- HTTP --------------------------------------------------------------- */

/* "echo": ["127.0.0.1:P", "[::1]:P"] */
static void
add_echoes (DtDiagService *self,
            JsonBuilder   *builder)
{
  json_builder_set_member_name (builder, "echo");
  json_builder_begin_array (builder);
  for (guint f = 0; f < 2; f++)
    if (self->echoes[f] != NULL)
      {
        g_autoptr(GSocketAddress) local = g_socket_get_local_address (self->echoes[f]->socket,
                                                                      NULL);
        g_autofree char *text =
          local ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (local)) : NULL;

        if (text != NULL)
          json_builder_add_string_value (builder, text);
      }
  json_builder_end_array (builder);
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);
  respond_json (msg, status, body);
}

/* DESIGN.md: beyond loopback the helper needs its access token */
static gboolean
authorized (DtDiagService     *self,
            SoupServerMessage *msg)
{
  const char *value;
  g_autofree char *expected = NULL;
  guint8 diff = 0;
  gsize length;

  if (self->token == NULL)
    return TRUE;
  value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                        "Authorization");
  expected = g_strconcat ("Bearer ", self->token, NULL);
  length = strlen (expected);
  if (value == NULL || strlen (value) != length)
    return FALSE;
  /* Compare all of it, so timing tells nothing about the token */
  for (gsize i = 0; i < length; i++)
    diff |= (guint8) (value[i] ^ expected[i]);
  return diff == 0;
}

static void
on_early (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* Refuse a large body before it is read */
  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH &&
      g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) == 0)
    respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "Content-Length required");
  else if (soup_message_headers_get_content_length (headers) > DT_DIAG_SIGNAL_MAX_LENGTH)
    respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body too long");
}

static void
on_info (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  DtDiagService *self = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;

  if (!authorized (self, msg))
    {
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "access token required");
      return;
    }
  if (g_strcmp0 (path, DT_DIAG_SIGNAL_PATH_INFO) != 0)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such resource");
      return;
    }
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "GET only");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "service");
  json_builder_add_string_value (builder, "dialtone-diagnostics");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  add_echoes (self, builder);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  body = json_to_string (node, FALSE);
  respond_json (msg, SOUP_STATUS_OK, body);
}

/* The host addresses the session's agent offers in @family. */
static void
add_local_addresses (DtDiagService *self,
                     NiceAgent     *agent,
                     GSocketFamily  family)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autofree char *text = NULL;
  NiceAddress address;

  if (g_inet_address_get_is_loopback (self->address))
    text = g_inet_address_to_string (loopback);
  else if (g_inet_address_get_family (self->address) == family)
    text = g_inet_address_to_string (self->address);
  else
    return;   /* libnice finds this host's addresses itself */

  nice_address_init (&address);
  nice_address_set_from_string (&address, text);
  nice_agent_add_local_address (agent, &address);
}

static void
on_session (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  DtDiagService *self = user_data;
  SoupMessageBody *request;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagSignal) offer = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_auto(GStrv) candidates = NULL;
  g_autofree char *ufrag = NULL;
  g_autofree char *pwd = NULL;
  g_autofree char *body = NULL;
  NiceCandidate *remote;
  GSList *local, *remotes;
  DtDiagSignal answer = { 0 };
  Session *session;
  guint n_lines = 0;
  guint stream;
  gsize length;
  const char *data;

  if (!authorized (self, msg))
    {
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "access token required");
      return;
    }
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "POST only");
      return;
    }
  if (g_hash_table_size (self->sessions) >= DT_DIAG_SERVICE_MAX_SESSIONS)
    {
      respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "too many sessions; try later");
      return;
    }

  request = soup_server_message_get_request_body (msg);
  bytes = soup_message_body_flatten (request);
  data = g_bytes_get_data (bytes, &length);
  offer = dt_diag_signal_parse (data, length, FALSE, &error);
  if (offer == NULL)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }
  /* §5.5 "Signalling": exactly the one relayed candidate under test */
  if (g_strv_length (offer->candidates) != 1)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "the offer must hold exactly one candidate");
      return;
    }

  session = g_new0 (Session, 1);
  session->service = self;
  session->id = g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
  session->family = offer->family;
  session->agent = nice_agent_new_full (g_main_context_get_thread_default (),
                                        NICE_COMPATIBILITY_RFC5245, NICE_AGENT_OPTION_NONE);
  /* Host candidates only: no UPnP port mappings on anyone's router */
  g_object_set (session->agent, "controlling-mode", FALSE, "ice-tcp", FALSE, "upnp", FALSE,
                NULL);
  add_local_addresses (self, session->agent, offer->family);
  stream = session->stream = nice_agent_add_stream (session->agent, 1);

  remote = nice_agent_parse_remote_candidate_sdp (session->agent, stream, offer->candidates[0]);
  if (remote == NULL || remote->type != NICE_CANDIDATE_TYPE_RELAYED ||
      (nice_address_ip_version (&remote->addr) == 6) !=
      (offer->family == G_SOCKET_FAMILY_IPV6))
    {
      g_clear_pointer (&remote, nice_candidate_free);
      session_free (session);
      respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                     "the candidate must be a relayed candidate of the offer's family");
      return;
    }

  nice_agent_attach_recv (session->agent, stream, 1, g_main_context_get_thread_default (),
                          on_session_recv, session);
  g_signal_connect (session->agent, "component-state-changed", G_CALLBACK (on_session_state),
                    session);
  /* Host candidates are gathered at once; nothing to wait for */
  if (!nice_agent_gather_candidates (session->agent, stream))
    {
      nice_candidate_free (remote);
      session_free (session);
      respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "no host address in this family");
      return;
    }
  session->expiry = g_timeout_add_seconds (DT_DIAG_SERVICE_SESSION_LIFETIME, on_session_expired,
                                           session);
  g_hash_table_insert (self->sessions, session->id, session);

  local = nice_agent_get_local_candidates (session->agent, stream, 1);
  for (GSList *l = local; l != NULL && n_lines < DT_DIAG_SIGNAL_MAX_CANDIDATES; l = l->next)
    {
      g_autofree char *line = nice_agent_generate_local_candidate_sdp (session->agent, l->data);

      if (line != NULL)
        {
          g_strv_builder_add (lines, line);
          n_lines++;
        }
    }
  g_slist_free_full (local, (GDestroyNotify) nice_candidate_free);
  candidates = g_strv_builder_end (lines);
  if (candidates[0] == NULL)
    {
      nice_candidate_free (remote);
      g_hash_table_remove (self->sessions, session->id);
      respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "no host address in this family");
      return;
    }

  nice_agent_get_local_credentials (session->agent, stream, &ufrag, &pwd);
  remotes = g_slist_append (NULL, remote);
  nice_agent_set_remote_credentials (session->agent, stream, offer->ufrag, offer->pwd);
  nice_agent_set_remote_candidates (session->agent, stream, 1, remotes);
  g_slist_free_full (remotes, (GDestroyNotify) nice_candidate_free);
  nice_agent_peer_candidate_gathering_done (session->agent, stream);

  answer.session = session->id;
  answer.ufrag = ufrag;
  answer.pwd = pwd;
  answer.candidates = candidates;
  body = dt_diag_signal_to_json (&answer);
  respond_json (msg, SOUP_STATUS_OK, body);
  emit_session_event (session, "offered");
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_diag_service_dispose (GObject *object)
{
  DtDiagService *self = DT_DIAG_SERVICE (object);

  dt_diag_service_stop (self);

  G_OBJECT_CLASS (dt_diag_service_parent_class)->dispose (object);
}

static void
dt_diag_service_finalize (GObject *object)
{
  DtDiagService *self = DT_DIAG_SERVICE (object);

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_object (&self->address);
  g_free (self->token);
  g_free (self->url);

  G_OBJECT_CLASS (dt_diag_service_parent_class)->finalize (object);
}

static void
dt_diag_service_class_init (DtDiagServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_diag_service_dispose;
  object_class->finalize = dt_diag_service_finalize;

  /**
   * DtDiagService::event:
   * @self: the service
   * @event: a JSON object for the helper's event lines:
   *   `{"event":"diagnostics-session","session":…,"family":…,"state":…}`,
   *   state being offered, connected, failed or expired
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
dt_diag_service_init (DtDiagService *self)
{
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) session_free);
}

/* --- Public API --------------------------------------------------------- */

/**
 * dt_diag_service_new:
 * @token: (nullable): the access token every request must carry as
 *   `Authorization: Bearer TOKEN`, or %NULL for none (loopback)
 *
 * Returns: (transfer full): a stopped service
 */
DtDiagService *
dt_diag_service_new (const char *token)
{
  DtDiagService *self = g_object_new (DT_TYPE_DIAG_SERVICE, NULL);

  self->token = token != NULL && *token != '\0' ? g_strdup (token) : NULL;
  return self;
}

/**
 * dt_diag_service_start:
 * @self: a #DtDiagService
 * @address: where to listen: HTTP on TCP and the echo on UDP; on loopback,
 *   the echo and ICE also serve the other family's loopback where there is
 *   one
 * @port: the port for both, or 0 for a free one
 * @error: return location for a #GError
 *
 * Returns: %TRUE when it listens
 */
gboolean
dt_diag_service_start (DtDiagService  *self,
                       GInetAddress   *address,
                       guint16         port,
                       GError        **error)
{
  g_autoptr(GSocketAddress) listen = NULL;
  g_autoptr(GError) other_error = NULL;
  GSList *uris;
  GSocketFamily family;
  guint16 bound = 0;

  g_return_val_if_fail (DT_IS_DIAG_SERVICE (self), FALSE);
  g_return_val_if_fail (G_IS_INET_ADDRESS (address), FALSE);
  g_return_val_if_fail (self->server == NULL, FALSE);

  g_set_object (&self->address, address);
  family = g_inet_address_get_family (address);
  self->server = soup_server_new ("server-header", "dialtone-helper ", NULL);
  /* Early handlers pair with the handler of the same path */
  soup_server_add_early_handler (self->server, DT_DIAG_SIGNAL_PATH_SESSION, on_early, self,
                                 NULL);
  soup_server_add_early_handler (self->server, NULL, on_early, self, NULL);
  soup_server_add_handler (self->server, DT_DIAG_SIGNAL_PATH_SESSION, on_session, self, NULL);
  soup_server_add_handler (self->server, NULL, on_info, self, NULL);

  listen = g_inet_socket_address_new (address, port);
  if (!soup_server_listen (self->server, listen, 0, error))
    {
      dt_diag_service_stop (self);
      return FALSE;
    }
  uris = soup_server_get_uris (self->server);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      g_autofree char *host = g_inet_address_to_string (address);

      bound = (guint16) g_uri_get_port (uri);
      self->url = family == G_SOCKET_FAMILY_IPV6
        ? g_strdup_printf ("http://[%s]:%u", host, bound)
        : g_strdup_printf ("http://%s:%u", host, bound);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* The echo on the same port number over UDP, or any free one */
  self->echoes[family_index (family)] = echo_new (address, bound, NULL);
  if (self->echoes[family_index (family)] == NULL)
    self->echoes[family_index (family)] = echo_new (address, 0, error);
  if (self->echoes[family_index (family)] == NULL)
    {
      dt_diag_service_stop (self);
      return FALSE;
    }
  if (g_inet_address_get_is_loopback (address))
    {
      GSocketFamily other = family == G_SOCKET_FAMILY_IPV6 ? G_SOCKET_FAMILY_IPV4
                                                           : G_SOCKET_FAMILY_IPV6;
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (other);

      self->echoes[family_index (other)] = echo_new (loopback, bound, NULL);
      if (self->echoes[family_index (other)] == NULL)
        self->echoes[family_index (other)] = echo_new (loopback, 0, &other_error);
      if (self->echoes[family_index (other)] == NULL)
        g_debug ("No echo on %s loopback: %s", other == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4",
                 other_error->message);
    }
  return TRUE;
}

/**
 * dt_diag_service_stop:
 * @self: a #DtDiagService
 *
 * Stops listening and ends every session.
 */
void
dt_diag_service_stop (DtDiagService *self)
{
  g_return_if_fail (DT_IS_DIAG_SERVICE (self));

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  for (guint f = 0; f < 2; f++)
    g_clear_pointer (&self->echoes[f], echo_free);
  if (self->sessions != NULL)
    g_hash_table_remove_all (self->sessions);
}

/**
 * dt_diag_service_get_url:
 * @self: a started #DtDiagService
 *
 * Returns: (nullable): where the signalling listens, `http://HOST:PORT`
 */
const char *
dt_diag_service_get_url (DtDiagService *self)
{
  g_return_val_if_fail (DT_IS_DIAG_SERVICE (self), NULL);

  return self->url;
}

/**
 * dt_diag_service_get_echo_address:
 * @self: a started #DtDiagService
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 *
 * Returns: (transfer full) (nullable): the UDP echo in @family
 */
GInetSocketAddress *
dt_diag_service_get_echo_address (DtDiagService *self,
                                  GSocketFamily  family)
{
  Echo *echo;

  g_return_val_if_fail (DT_IS_DIAG_SERVICE (self), NULL);

  echo = self->echoes[family_index (family)];
  if (echo == NULL)
    return NULL;
  return G_INET_SOCKET_ADDRESS (g_socket_get_local_address (echo->socket, NULL));
}

/**
 * dt_diag_service_get_n_sessions:
 * @self: a #DtDiagService
 *
 * Returns: the signalling sessions alive
 */
guint
dt_diag_service_get_n_sessions (DtDiagService *self)
{
  g_return_val_if_fail (DT_IS_DIAG_SERVICE (self), 0);

  return g_hash_table_size (self->sessions);
}

/**
 * dt_diag_service_describe:
 * @self: a started #DtDiagService
 *
 * Returns: (transfer full): `{"url":"http://127.0.0.1:P","echo":["127.0.0.1:P","[::1]:P"]}`
 *   for the ready line
 */
JsonNode *
dt_diag_service_describe (DtDiagService *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (DT_IS_DIAG_SERVICE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->url ? self->url : "");
  add_echoes (self, builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
