/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-ice.c
 *
 * One GTask per check. The agent is the check's alone, with a single TURN
 * server, so every relayed candidate it announces is that server's: no
 * need for nice_candidate_relay_address(), which crashes on the copies
 * libnice's signals hand out (PROTOCOLS-SIP-MEDIA-TURN.md §4.5 #3). One
 * deadline covers the whole check; the phase it expires in names the
 * failure.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <nice/agent.h>
#include <string.h>

#include "dt-diag-ice.h"
#include "dt-diag-signal.h"

/* §5.5 step 7, but a loopback or LAN path needs no 250 ms pacing */
#define GREETING_INTERVAL_MS 100
#define GREETING_PREFIX      "DIALTONE-DIAG 1 "
#define GREETING_ACK_PREFIX  "DIALTONE-DIAG-ACK 1 "

typedef enum {
  PHASE_GATHER,
  PHASE_SIGNAL,
  PHASE_CONNECT,
  PHASE_GREET,
  PHASE_DONE,
} Phase;

typedef struct {
  GTask           *task;           /* a reference while the check runs */
  NiceAgent       *agent;
  guint            stream;
  GSocketFamily    family;
  DtTurnTransport  transport;
  SoupSession     *soup;
  SoupMessage     *message;
  char            *peer_url;
  char            *token;
  guint            timeout_ms;
  GCancellable    *cancellable;    /* the check's own: the deadline and the caller cancel it */
  GSource         *caller_watch;
  GSource         *deadline;
  GSource         *resend;
  Phase            phase;
  gboolean         other_family_relay;
  NiceCandidate   *relay;
  char            *greeting_id;
  GArray          *sent_us;
  gint64           started_us;
  gint64           offered_us;
  DtDiagIceResult *result;
} Check;

static void check_fail (Check *check, DtDiagReason reason, const char *detail);

/* --- Helpers ------------------------------------------------------------ */

static void check_complete (Check *check);

/* Attaches @source to the thread-default context, where the agent lives;
 * returns it, a reference held */
static GSource *
check_add_source (GSource     *source,
                  GSourceFunc  func,
                  Check       *check)
{
  g_source_set_callback (source, func, check, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
source_clear (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
on_agent_closed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Check *check = user_data;

  /* Closed: the allocations are released (LIFETIME 0, §4.5 #11). The
   * result is a GTask's boolean, and TRUE. Nothing more to read. */
  g_task_propagate_boolean (G_TASK (result), NULL);
  nice_agent_attach_recv (NICE_AGENT (source), check->stream, 1,
                          g_main_context_get_thread_default (), NULL, NULL);
  g_object_unref (source);
  check_complete (check);
}

static gboolean
close_agent (gpointer user_data)
{
  Check *check = user_data;

  nice_agent_close_async (g_steal_pointer (&check->agent), on_agent_closed, check);
  return G_SOURCE_REMOVE;
}

static void
check_free (Check *check)
{
  g_assert (check->agent == NULL);
  g_clear_object (&check->soup);
  g_clear_object (&check->message);
  g_clear_object (&check->cancellable);
  g_clear_pointer (&check->relay, nice_candidate_free);
  g_clear_pointer (&check->sent_us, g_array_unref);
  g_clear_pointer (&check->result, dt_diag_ice_result_free);
  g_free (check->greeting_id);
  g_free (check->peer_url);
  g_free (check->token);
  g_free (check);
}

/* Returns the result, once the agent has released its allocation. */
static void
check_complete (Check *check)
{
  g_autoptr(GTask) task = g_steal_pointer (&check->task);

  if (check->result->reason == DT_DIAG_REASON_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The diagnostics run was cancelled"));
  else
    g_task_return_pointer (task, g_steal_pointer (&check->result),
                           (GDestroyNotify) dt_diag_ice_result_free);
}

/* Stops everything, closes the agent, then returns the result. */
static void
check_return (Check *check)
{
  if (check->phase == PHASE_DONE)
    return;
  check->phase = PHASE_DONE;
  source_clear (&check->deadline);
  source_clear (&check->resend);
  if (check->caller_watch != NULL)
    g_source_destroy (check->caller_watch);
  g_clear_pointer (&check->caller_watch, g_source_unref);
  g_cancellable_cancel (check->cancellable);

  check->result->duration_us = g_get_monotonic_time () - check->started_us;
  if (check->agent != NULL)
    {
      /* The receiver stays: without it libnice never reads the answer to
       * its Refresh(0) and retransmits it for some 20 s (§4.5 #2);
       * on_agent_recv ignores data from now on */
      g_signal_handlers_disconnect_by_data (check->agent, check);
      /* Not from inside one of the agent's own callbacks */
      g_source_unref (check_add_source (g_idle_source_new (), close_agent, check));
    }
  else
    check_complete (check);
}

static void
check_fail (Check        *check,
            DtDiagReason  reason,
            const char   *detail)
{
  if (check->phase == PHASE_DONE)
    return;
  check->result->connected = FALSE;
  check->result->reason = reason;
  g_free (check->result->detail);
  check->result->detail = g_strdup (detail);
  check_return (check);
}

static gboolean
on_deadline (gpointer user_data)
{
  Check *check = user_data;
  g_autofree char *detail = NULL;

  switch (check->phase)
    {
    case PHASE_GATHER:
      detail = g_strdup_printf (_("libnice got no relayed candidate within %u ms"),
                                check->timeout_ms);
      check_fail (check, DT_DIAG_REASON_NO_RELAY_CANDIDATE, detail);
      break;
    case PHASE_SIGNAL:
      detail = g_strdup_printf (_("The diagnostics peer did not answer within %u ms"),
                                check->timeout_ms);
      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE, detail);
      break;
    case PHASE_CONNECT:
      detail = g_strdup_printf (_("ICE did not connect through the relay within %u ms"),
                                check->timeout_ms);
      check_fail (check, DT_DIAG_REASON_ICE_TIMEOUT, detail);
      break;
    case PHASE_GREET:
      detail = g_strdup_printf (_("ICE connected, but the greeting did not come back within "
                                  "%u ms"), check->timeout_ms);
      check_fail (check, DT_DIAG_REASON_GREETING_TIMEOUT, detail);
      break;
    case PHASE_DONE:
    default:
      break;
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  check_fail (user_data, DT_DIAG_REASON_CANCELLED, NULL);
  return G_SOURCE_REMOVE;
}

static GSocketFamily
candidate_family (const NiceCandidate *candidate)
{
  return nice_address_ip_version (&candidate->addr) == 6 ? G_SOCKET_FAMILY_IPV6
                                                          : G_SOCKET_FAMILY_IPV4;
}

static GInetSocketAddress *
candidate_address (const NiceCandidate *candidate)
{
  char text[INET6_ADDRSTRLEN];
  g_autoptr(GInetAddress) ip = NULL;

  nice_address_to_string (&candidate->addr, text);
  ip = g_inet_address_new_from_string (text);
  if (ip == NULL)
    return NULL;
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (ip,
                                                           nice_address_get_port (&candidate->addr)));
}

/* --- Greeting ----------------------------------------------------------- */

static void
greeting_send (Check *check)
{
  g_autofree char *text = NULL;
  gint64 now = g_get_monotonic_time ();

  text = g_strdup_printf (GREETING_PREFIX "%s %u %" G_GINT64_FORMAT, check->greeting_id,
                          check->sent_us->len, now);
  g_array_append_val (check->sent_us, now);
  /* A datagram lost on the way is what the repeats are for */
  if (nice_agent_send (check->agent, check->stream, 1, (guint) strlen (text), text) < 0)
    g_debug ("Could not send the ICE greeting");
}

static gboolean
on_greeting_resend (gpointer user_data)
{
  greeting_send (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_agent_recv (NiceAgent *agent,
               guint      stream_id,
               guint      component_id,
               guint      length,
               char      *buffer,
               gpointer   user_data)
{
  Check *check = user_data;
  g_autofree char *text = NULL;
  g_auto(GStrv) words = NULL;
  const char *rest;
  guint64 seq;

  if (check->phase != PHASE_GREET || length > 512)
    return;
  text = g_strndup (buffer, length);
  if (g_str_has_prefix (text, GREETING_PREFIX))
    rest = text + strlen (GREETING_PREFIX);
  else if (g_str_has_prefix (text, GREETING_ACK_PREFIX))
    rest = text + strlen (GREETING_ACK_PREFIX);
  else
    return;
  words = g_strsplit (rest, " ", 3);
  if (g_strv_length (words) < 2 || g_strcmp0 (words[0], check->greeting_id) != 0 ||
      !g_ascii_string_to_unsigned (words[1], 10, 0, check->sent_us->len - 1, &seq, NULL))
    return;

  check->result->rtt_us = g_get_monotonic_time () -
                          g_array_index (check->sent_us, gint64, (guint) seq);
  check->result->connected = TRUE;
  check->result->reason = DT_DIAG_REASON_NONE;
  check_return (check);
}

static void
start_greeting (Check *check)
{
  check->phase = PHASE_GREET;
  check->greeting_id = g_strdup_printf ("%08x", g_random_int ());
  check->sent_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  greeting_send (check);
  check->resend = check_add_source (g_timeout_source_new (GREETING_INTERVAL_MS),
                                    on_greeting_resend, check);
}

/* --- Connect ------------------------------------------------------------ */

static void
on_component_state_changed (NiceAgent *agent,
                            guint      stream_id,
                            guint      component_id,
                            guint      state,
                            gpointer   user_data)
{
  Check *check = user_data;
  NiceCandidate *local = NULL;
  NiceCandidate *remote = NULL;

  if (check->phase != PHASE_CONNECT)
    return;

  if (state == NICE_COMPONENT_STATE_FAILED)
    {
      check_fail (check, DT_DIAG_REASON_ICE_FAILED,
                  _("ICE connectivity checks through the relay failed"));
      return;
    }
  if (state != NICE_COMPONENT_STATE_READY)
    return;

  /* These pointers are the agent's own, not copies (§4.5 #3) */
  if (!nice_agent_get_selected_pair (agent, stream_id, component_id, &local, &remote) ||
      local == NULL || local->type != NICE_CANDIDATE_TYPE_RELAYED)
    {
      check_fail (check, DT_DIAG_REASON_ICE_FAILED,
                  _("ICE connected, but not through the relay"));
      return;
    }
  check->result->connect_us = g_get_monotonic_time () - check->offered_us;
  start_greeting (check);
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Check *check = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(DtDiagSignal) answer = NULL;
  GSList *candidates = NULL;
  guint status;
  gsize length;
  const char *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (check->phase == PHASE_DONE)
    return;   /* ended meanwhile: the deadline or the caller */
  if (body == NULL)
    {
      g_autofree char *detail =
        g_strdup_printf (_("Could not reach the diagnostics peer at %s: %s"), check->peer_url,
                         error->message);

      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE, detail);
      return;
    }
  status = soup_message_get_status (check->message);
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *detail =
        g_strdup_printf (_("The diagnostics peer at %s refused the offer: HTTP %u %s"),
                         check->peer_url, status,
                         soup_message_get_reason_phrase (check->message));

      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE, detail);
      return;
    }

  data = g_bytes_get_data (body, &length);
  answer = dt_diag_signal_parse (data, length, TRUE, &error);
  if (answer == NULL)
    {
      g_autofree char *detail =
        g_strdup_printf (_("The diagnostics peer at %s answered something unusable: %s"),
                         check->peer_url, error->message);

      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE, detail);
      return;
    }

  for (guint i = 0; answer->candidates[i] != NULL; i++)
    {
      NiceCandidate *candidate =
        nice_agent_parse_remote_candidate_sdp (check->agent, check->stream,
                                               answer->candidates[i]);

      if (candidate != NULL)
        candidates = g_slist_prepend (candidates, candidate);
    }
  check->phase = PHASE_CONNECT;
  check->offered_us = g_get_monotonic_time ();
  if (candidates == NULL ||
      !nice_agent_set_remote_credentials (check->agent, check->stream, answer->ufrag,
                                          answer->pwd) ||
      nice_agent_set_remote_candidates (check->agent, check->stream, 1, candidates) <= 0)
    {
      g_slist_free_full (candidates, (GDestroyNotify) nice_candidate_free);
      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE,
                  _("The diagnostics peer answered with no usable candidate"));
      return;
    }
  g_slist_free_full (candidates, (GDestroyNotify) nice_candidate_free);
  nice_agent_peer_candidate_gathering_done (check->agent, check->stream);
}

static void
send_offer (Check *check)
{
  g_autofree char *ufrag = NULL;
  g_autofree char *pwd = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *lines[2] = { NULL, NULL };
  DtDiagSignal offer = { 0 };

  check->phase = PHASE_SIGNAL;
  nice_agent_get_local_credentials (check->agent, check->stream, &ufrag, &pwd);
  line = nice_agent_generate_local_candidate_sdp (check->agent, check->relay);
  lines[0] = line;
  /* §5.5 "Signalling": only the relayed candidate under test */
  offer.ufrag = ufrag;
  offer.pwd = pwd;
  offer.candidates = (GStrv) lines;
  offer.family = check->family;
  body = dt_diag_signal_to_json (&offer);
  bytes = g_bytes_new (body, strlen (body));

  url = g_strconcat (check->peer_url, DT_DIAG_SIGNAL_PATH_SESSION, NULL);
  check->message = soup_message_new (SOUP_METHOD_POST, url);
  if (check->message == NULL)
    {
      g_autofree char *detail =
        g_strdup_printf (_("“%s” is not a diagnostics peer URL"), check->peer_url);

      check_fail (check, DT_DIAG_REASON_PEER_UNREACHABLE, detail);
      return;
    }
  soup_message_set_request_body_from_bytes (check->message, "application/json", bytes);
  if (check->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", check->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (check->message),
                                    "Authorization", value);
    }
  soup_session_send_and_read_async (check->soup, check->message, G_PRIORITY_DEFAULT,
                                    check->cancellable, on_answer, g_object_ref (check->task));
}

/* --- Gather ------------------------------------------------------------- */

static void
on_new_candidate (NiceAgent     *agent,
                  NiceCandidate *candidate,
                  gpointer       user_data)
{
  Check *check = user_data;

  if (check->phase != PHASE_GATHER || candidate->type != NICE_CANDIDATE_TYPE_RELAYED)
    return;
  /* §4.5 #5: libnice never asks for a family, so a server reached over
   * IPv6 may hand out an IPv4 relay */
  if (candidate_family (candidate) != check->family)
    {
      check->other_family_relay = TRUE;
      return;
    }
  check->relay = nice_candidate_copy (candidate);
  check->result->allocate_us = g_get_monotonic_time () - check->started_us;
  g_clear_object (&check->result->relay);
  check->result->relay = candidate_address (candidate);
  send_offer (check);
}

static void
on_gathering_done (NiceAgent *agent,
                   guint      stream_id,
                   gpointer   user_data)
{
  Check *check = user_data;

  if (check->phase != PHASE_GATHER)
    return;

  if (check->other_family_relay)
    check_fail (check, DT_DIAG_REASON_NO_RELAY_CANDIDATE,
                check->family == G_SOCKET_FAMILY_IPV6
                ? _("libnice got only an IPv4 relay: it does not ask for a family "
                    "(REQUESTED-ADDRESS-FAMILY), and this server then relays over IPv4")
                : _("libnice got only an IPv6 relay: it does not ask for a family "
                    "(REQUESTED-ADDRESS-FAMILY)"));
  else if (check->transport == DT_TURN_TRANSPORT_TLS)
    check_fail (check, DT_DIAG_REASON_NO_RELAY_CANDIDATE,
                _("libnice got no relay: its TURN over TLS sends plain TCP, and this port "
                  "accepts only TLS"));
  else
    check_fail (check, DT_DIAG_REASON_NO_RELAY_CANDIDATE,
                _("libnice got no relayed candidate from the server"));
}

/* --- Public API --------------------------------------------------------- */

/**
 * dt_diag_ice_transport_supported:
 * @transport: how a URI reaches its server
 *
 * Returns: whether libnice can use TURN over @transport at all: it has no
 *   DTLS (PROTOCOLS-SIP-MEDIA-TURN.md §4.5)
 */
gboolean
dt_diag_ice_transport_supported (DtTurnTransport transport)
{
  return transport != DT_TURN_TRANSPORT_DTLS;
}

/**
 * dt_diag_ice_check_async:
 * @server: the TURN server's address in @family
 * @transport: UDP, TCP or TLS (libnice's TURN over TLS is plain TCP)
 * @username: (nullable): the TURN user name
 * @password: (nullable): the TURN password
 * @family: the family of the relay and the peer
 * @soup: the session for the signalling
 * @peer_url: the diagnostics peer, `http://HOST:PORT`
 * @token: (nullable): the peer's access token
 * @timeout_ms: the deadline of the whole check
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Checks ICE through one TURN server, as a call would: a controlling,
 * relay-only libnice agent (force-relay) with this server alone.
 */
void
dt_diag_ice_check_async (GInetSocketAddress  *server,
                         DtTurnTransport      transport,
                         const char          *username,
                         const char          *password,
                         GSocketFamily        family,
                         SoupSession         *soup,
                         const char          *peer_url,
                         const char          *token,
                         guint                timeout_ms,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GMainContext *context = g_main_context_get_thread_default ();
  g_autofree char *server_ip = NULL;
  GInetAddress *server_address;
  NiceRelayType type;
  Check *check;

  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (server));
  g_return_if_fail (dt_diag_ice_transport_supported (transport));
  g_return_if_fail (SOUP_IS_SESSION (soup));
  g_return_if_fail (peer_url != NULL);

  check = g_new0 (Check, 1);
  check->task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (check->task, dt_diag_ice_check_async);
  g_task_set_task_data (check->task, check, (GDestroyNotify) check_free);
  check->family = family;
  check->transport = transport;
  check->soup = g_object_ref (soup);
  check->peer_url = g_strdup (peer_url);
  check->token = g_strdup (token);
  check->timeout_ms = timeout_ms;
  check->cancellable = g_cancellable_new ();
  check->started_us = g_get_monotonic_time ();
  check->result = g_new0 (DtDiagIceResult, 1);
  check->result->allocate_us = check->result->connect_us = check->result->rtt_us = -1;
  check->result->reason = DT_DIAG_REASON_NONE;

  if (cancellable != NULL)
    {
      check->caller_watch = g_cancellable_source_new (cancellable);
      g_source_set_callback (check->caller_watch,
                             (GSourceFunc) (void (*) (void)) on_caller_cancelled, check, NULL);
      g_source_attach (check->caller_watch, context);
    }
  check->deadline = check_add_source (g_timeout_source_new (timeout_ms), on_deadline, check);

  check->agent = nice_agent_new_full (context, NICE_COMPATIBILITY_RFC5245,
                                      NICE_AGENT_OPTION_NONE);
  /* §5.5 step 5: relay only, as iceTransportPolicy "relay"; no ICE-TCP,
   * whose host candidates would spawn TURN-TCP discovery of their own; no
   * UPnP port mappings on the user's router for a test */
  g_object_set (check->agent,
                "controlling-mode", TRUE,
                "force-relay", TRUE,
                "ice-tcp", FALSE,
                "upnp", FALSE,
                "stun-max-retransmissions", 6,
                NULL);

  server_address = g_inet_socket_address_get_address (server);
  server_ip = g_inet_address_to_string (server_address);
  /* libnice's own address discovery skips loopback (§4.5 #12) */
  if (g_inet_address_get_is_loopback (server_address))
    {
      NiceAddress local;

      nice_address_init (&local);
      nice_address_set_from_string (&local, family == G_SOCKET_FAMILY_IPV6 ? "::1"
                                                                           : "127.0.0.1");
      nice_agent_add_local_address (check->agent, &local);
    }

  check->stream = nice_agent_add_stream (check->agent, 1);
  /* §4.5 #2: TURN replies are read only once a receiver is attached */
  nice_agent_attach_recv (check->agent, check->stream, 1, context, on_agent_recv, check);
  g_signal_connect (check->agent, "new-candidate-full", G_CALLBACK (on_new_candidate), check);
  g_signal_connect (check->agent, "candidate-gathering-done", G_CALLBACK (on_gathering_done),
                    check);
  g_signal_connect (check->agent, "component-state-changed",
                    G_CALLBACK (on_component_state_changed), check);

  switch (transport)
    {
    case DT_TURN_TRANSPORT_TCP:
      type = NICE_RELAY_TYPE_TURN_TCP;
      break;
    case DT_TURN_TRANSPORT_TLS:
      type = NICE_RELAY_TYPE_TURN_TLS;
      break;
    case DT_TURN_TRANSPORT_UDP:
    case DT_TURN_TRANSPORT_DTLS:
    default:
      type = NICE_RELAY_TYPE_TURN_UDP;
      break;
    }
  /* §4.5 #4: an IP literal, never a name */
  if (!nice_agent_set_relay_info (check->agent, check->stream, 1, server_ip,
                                  g_inet_socket_address_get_port (server),
                                  username ? username : "", password ? password : "", type) ||
      !nice_agent_gather_candidates (check->agent, check->stream))
    {
      check_fail (check, DT_DIAG_REASON_NO_RELAY_CANDIDATE,
                  _("libnice could not start gathering through this server"));
      return;
    }
}

/**
 * dt_diag_ice_check_finish:
 * @result: the #GAsyncResult
 * @error: return location for a #GError: only %G_IO_ERROR_CANCELLED, since
 *   a failed check is a result
 *
 * Returns: (transfer full): the result, or %NULL with @error set
 */
DtDiagIceResult *
dt_diag_ice_check_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_diag_ice_check_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_diag_ice_result_free:
 * @result: (nullable): a result
 *
 * Frees @result.
 */
void
dt_diag_ice_result_free (DtDiagIceResult *result)
{
  if (result == NULL)
    return;
  g_free (result->detail);
  g_clear_object (&result->relay);
  g_free (result);
}
