/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-resolver.c
 *
 * RFC 3263 §4 server location; see dt-sip-resolver.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include "dt-uri.h"
#include "dt-sip-resolver.h"

#define SIP_PORT 5060
#define SIPS_PORT 5061

typedef struct
{
  GResolver          *resolver;
  char               *host;
  guint16             port;
  gboolean            secure;
  /* The transports still to ask SRV for, in order of preference. */
  DtSipTransportKind  kinds[3];
  guint               n_kinds;
  guint               next_kind;
  /* SRV answer being resolved to addresses. */
  GList              *targets;
  GList              *next_target;
  DtSipTransportKind  srv_kind;
  GPtrArray          *peers;      /* of DtSipPeer */
  /* Where A/AAAA goes when no SRV answered. */
  DtSipTransportKind  fallback_kind;
} Lookup;

G_DEFINE_QUARK (dt-sip-resolver-error-quark, dt_sip_resolver_error)

static void
lookup_free (Lookup *lookup)
{
  g_clear_object (&lookup->resolver);
  g_free (lookup->host);
  g_list_free_full (lookup->targets, (GDestroyNotify) g_srv_target_free);
  g_clear_pointer (&lookup->peers, g_ptr_array_unref);
  g_free (lookup);
}

static guint16
default_port (DtSipTransportKind kind)
{
  return kind == DT_SIP_TRANSPORT_TLS ? SIPS_PORT : SIP_PORT;
}

static const char *
srv_service (DtSipTransportKind kind)
{
  return kind == DT_SIP_TRANSPORT_TLS ? "sips" : "sip";
}

static const char *
srv_protocol (DtSipTransportKind kind)
{
  return kind == DT_SIP_TRANSPORT_UDP ? "udp" : "tcp";
}

static void
add_peers (Lookup             *lookup,
           GList              *addresses,
           guint16             port,
           DtSipTransportKind  kind)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);

      g_ptr_array_add (lookup->peers,
                       dt_sip_peer_new (kind, G_INET_SOCKET_ADDRESS (address),
                                        kind == DT_SIP_TRANSPORT_TLS ? lookup->host : NULL));
    }
}

static void
return_peers (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);

  if (lookup->peers->len == 0)
    {
      g_task_return_new_error (task, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_NOT_FOUND,
                               "Server not found: “%s” has no address", lookup->host);
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (lookup->peers),
                         (GDestroyNotify) g_ptr_array_unref);
}

static void
on_host_resolved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_NOT_FOUND,
                                 "Server not found: %s", error->message);
      return;
    }
  add_peers (lookup, addresses, lookup->port ? lookup->port : default_port (lookup->fallback_kind),
             lookup->fallback_kind);
  g_resolver_free_addresses (addresses);
  return_peers (task);
}

static void
resolve_host (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);

  g_resolver_lookup_by_name_async (lookup->resolver, lookup->host,
                                   g_task_get_cancellable (task), on_host_resolved,
                                   g_object_ref (task));
}

static void resolve_next_target (GTask *task);

static void
on_target_resolved (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GSrvTarget *target = lookup->next_target->data;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* RFC 3263 §4.4: a target that does not resolve is skipped. */
  if (addresses != NULL)
    add_peers (lookup, addresses, g_srv_target_get_port (target), lookup->srv_kind);
  else
    g_debug ("SRV target %s: %s", g_srv_target_get_hostname (target), error->message);
  g_resolver_free_addresses (addresses);

  lookup->next_target = lookup->next_target->next;
  resolve_next_target (task);
}

static void
resolve_next_target (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);

  if (lookup->next_target == NULL)
    {
      return_peers (task);
      return;
    }
  g_resolver_lookup_by_name_async (lookup->resolver,
                                   g_srv_target_get_hostname (lookup->next_target->data),
                                   g_task_get_cancellable (task), on_target_resolved,
                                   g_object_ref (task));
}

static void ask_next_srv (GTask *task);

static void
on_srv_answered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *targets;

  targets = g_resolver_lookup_service_finish (G_RESOLVER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* RFC 2782: a single target "." means the service is not offered. */
  if (targets != NULL && targets->next == NULL
      && g_str_equal (g_srv_target_get_hostname (targets->data), "."))
    g_clear_pointer (&targets, g_resolver_free_targets);

  if (targets == NULL)
    {
      ask_next_srv (task);
      return;
    }

  /* GResolver hands the targets already ordered by priority and weight
   * (RFC 2782); they are tried in that order. */
  lookup->srv_kind = lookup->kinds[lookup->next_kind - 1];
  lookup->targets = targets;
  lookup->next_target = targets;
  resolve_next_target (task);
}

static void
ask_next_srv (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  DtSipTransportKind kind;

  if (lookup->next_kind >= lookup->n_kinds)
    {
      /* RFC 3263 §4.2: no SRV records, so A/AAAA on the default port. */
      resolve_host (task);
      return;
    }
  kind = lookup->kinds[lookup->next_kind++];
  g_resolver_lookup_service_async (lookup->resolver, srv_service (kind), srv_protocol (kind),
                                   lookup->host, g_task_get_cancellable (task),
                                   on_srv_answered, g_object_ref (task));
}

static gboolean
kind_from_param (const char         *param,
                 DtSipTransportKind *kind)
{
  if (param == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (param, "udp") == 0)
    *kind = DT_SIP_TRANSPORT_UDP;
  else if (g_ascii_strcasecmp (param, "tcp") == 0)
    *kind = DT_SIP_TRANSPORT_TCP;
  else if (g_ascii_strcasecmp (param, "tls") == 0)
    *kind = DT_SIP_TRANSPORT_TLS;
  else
    return FALSE;
  return TRUE;
}

static gboolean
kind_from_transport (DtTransport         transport,
                     DtSipTransportKind *kind)
{
  switch (transport)
    {
    case DT_TRANSPORT_UDP:
      *kind = DT_SIP_TRANSPORT_UDP;
      return TRUE;
    case DT_TRANSPORT_TCP:
      *kind = DT_SIP_TRANSPORT_TCP;
      return TRUE;
    case DT_TRANSPORT_TLS:
      *kind = DT_SIP_TRANSPORT_TLS;
      return TRUE;
    case DT_TRANSPORT_AUTO:
    default:
      return FALSE;
    }
}

/**
 * dt_sip_resolve_async:
 * @resolver: (nullable): the resolver to ask, or %NULL for the default one
 * @uri: the server as a SIP URI (`sip:host:port;transport=tcp`), or a bare
 *   `host[:port]`, which is read as a `sip:` URI
 * @transport: the account's transport; %DT_TRANSPORT_AUTO follows the URI's
 *   `transport` parameter, or else RFC 3263
 *
 * Finds where to send requests for @uri (RFC 3263 §4.1, §4.2):
 *
 * - an IP address: itself, on the URI's port or the transport's default;
 * - a name with a port: its A/AAAA records on that port;
 * - a name without a port: SRV for the chosen transport, or for UDP, TCP and
 *   TLS in turn (TLS only for `sips:`), then A/AAAA on the default port with
 *   UDP (TLS for `sips:`).
 *
 * TLS peers carry the URI's host as the name their certificate must match
 * (RFC 5922 §4), whatever SRV pointed to.
 */
void
dt_sip_resolve_async (GResolver           *resolver,
                      const char          *uri,
                      DtTransport          transport,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DtUri) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) literal = NULL;
  g_autofree char *text = NULL;
  DtSipTransportKind chosen = DT_SIP_TRANSPORT_UDP;
  gboolean have_kind;
  Lookup *lookup;

  g_return_if_fail (resolver == NULL || G_IS_RESOLVER (resolver));
  g_return_if_fail (uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_sip_resolve_async);

  if (g_ascii_strncasecmp (uri, "sip:", 4) == 0 || g_ascii_strncasecmp (uri, "sips:", 5) == 0)
    text = g_strdup (uri);
  else
    text = g_strconcat ("sip:", uri, NULL);

  parsed = dt_uri_parse (text, &error);
  if (parsed == NULL || dt_uri_get_kind (parsed) == DT_URI_KIND_TEL || dt_uri_get_host (parsed) == NULL)
    {
      g_task_return_new_error (task, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_INVALID_URI,
                               "“%s” is not a server address%s%s", uri,
                               error ? ": " : "", error ? error->message : "");
      return;
    }

  lookup = g_new0 (Lookup, 1);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  lookup->resolver = resolver ? g_object_ref (resolver) : g_resolver_get_default ();
  lookup->host = g_strdup (dt_uri_get_host (parsed));
  lookup->port = dt_uri_get_port (parsed);
  lookup->secure = dt_uri_get_kind (parsed) == DT_URI_KIND_SIPS;
  lookup->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_peer_unref);

  have_kind = kind_from_transport (transport, &chosen)
              || kind_from_param (dt_uri_get_param (parsed, "transport"), &chosen);
  if (lookup->secure && have_kind && chosen == DT_SIP_TRANSPORT_UDP)
    {
      g_task_return_new_error (task, DT_SIP_RESOLVER_ERROR, DT_SIP_RESOLVER_ERROR_TRANSPORT,
                               "A sips: server needs TLS, not UDP");
      return;
    }
  /* RFC 3261 §26.2: sips over TCP means TLS. */
  if (lookup->secure)
    {
      chosen = DT_SIP_TRANSPORT_TLS;
      have_kind = TRUE;
    }

  lookup->fallback_kind = have_kind ? chosen : DT_SIP_TRANSPORT_UDP;

  literal = g_inet_address_new_from_string (lookup->host);
  if (literal != NULL)
    {
      GList one = { literal, NULL, NULL };

      add_peers (lookup, &one, lookup->port ? lookup->port : default_port (lookup->fallback_kind),
                 lookup->fallback_kind);
      return_peers (task);
      return;
    }

  if (lookup->port != 0)
    {
      resolve_host (task);
      return;
    }

  if (have_kind)
    {
      lookup->kinds[lookup->n_kinds++] = chosen;
    }
  else
    {
      lookup->kinds[lookup->n_kinds++] = DT_SIP_TRANSPORT_UDP;
      lookup->kinds[lookup->n_kinds++] = DT_SIP_TRANSPORT_TCP;
      lookup->kinds[lookup->n_kinds++] = DT_SIP_TRANSPORT_TLS;
    }
  ask_next_srv (task);
}

/**
 * dt_sip_resolve_finish:
 *
 * Returns: (transfer full) (element-type DtSipPeer): the addresses to try,
 *   in order, or %NULL with @error set
 */
GPtrArray *
dt_sip_resolve_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_sip_resolve_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
