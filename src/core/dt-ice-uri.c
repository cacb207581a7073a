/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-uri.c
 *
 * A strict parser: a server URI comes from a person typing it or from a
 * homeserver's answer, and a mistake should be named before any packet
 * leaves. The grammar is RFC 7064 §3.1 and RFC 7065 §3.1, with the host of
 * RFC 3986 §3.2.2 narrowed to what a resolver can look up.
 */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "dt-ice-uri.h"

/* RFC 1035 §2.3.4 */
#define MAX_HOST_NAME_LENGTH 253

G_DEFINE_BOXED_TYPE (DtIceUri, dt_ice_uri, dt_ice_uri_copy, dt_ice_uri_free)

G_DEFINE_QUARK (dt-ice-uri-error-quark, dt_ice_uri_error)

/* --- Helpers ------------------------------------------------------------ */

static gboolean
parse_scheme (const char     *text,
              gsize           length,
              DtIceUriScheme *scheme)
{
  static const struct {
    const char     *name;
    DtIceUriScheme  scheme;
  } schemes[] = {
    { "stun", DT_ICE_URI_SCHEME_STUN },
    { "stuns", DT_ICE_URI_SCHEME_STUNS },
    { "turn", DT_ICE_URI_SCHEME_TURN },
    { "turns", DT_ICE_URI_SCHEME_TURNS },
  };

  /* RFC 3986 §3.1: schemes are case-insensitive */
  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    if (strlen (schemes[i].name) == length &&
        g_ascii_strncasecmp (text, schemes[i].name, length) == 0)
      {
        *scheme = schemes[i].scheme;
        return TRUE;
      }
  return FALSE;
}

static gboolean
is_host_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_';
}

static gboolean
only_digits_and_dots (const char *text,
                      gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]) && text[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
parse_host_name (DtIceUri    *uri,
                 const char  *text,
                 gsize        length,
                 GError     **error)
{
  g_autofree char *host = g_strndup (text, length);

  if (length == 0)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                   _("The server address is missing after the scheme"));
      return FALSE;
    }
  if (length > MAX_HOST_NAME_LENGTH)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                   _("The server name is longer than %u characters"), MAX_HOST_NAME_LENGTH);
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    if (!is_host_name_char (text[i]))
      {
        g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                     _("The server name “%s” contains “%c”, which no host name has"), host,
                     text[i]);
        return FALSE;
      }

  if (only_digits_and_dots (text, length))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

      if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                       _("“%s” is not a valid IPv4 address"), host);
          return FALSE;
        }
      uri->host = g_inet_address_to_string (address);
      uri->host_is_ip = TRUE;
      return TRUE;
    }

  /* RFC 1123 §2.1: no empty labels; a final dot (an absolute name) is fine */
  if (host[0] == '.' || strstr (host, "..") != NULL)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                   _("The server name “%s” has an empty label"), host);
      return FALSE;
    }

  uri->host = g_steal_pointer (&host);
  return TRUE;
}

static gboolean
parse_ip_literal (DtIceUri    *uri,
                  const char  *text,
                  gsize        length,
                  GError     **error)
{
  g_autofree char *inside = g_strndup (text, length);
  g_autoptr(GInetAddress) address = NULL;

  /* RFC 3986 §3.2.2 allows no zone identifier without RFC 6874's "%25",
   * and a zone means nothing to a server elsewhere anyway */
  if (strchr (inside, ':') != NULL && strchr (inside, '%') == NULL)
    address = g_inet_address_new_from_string (inside);

  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                   _("“[%s]” is not a valid IPv6 address"), inside);
      return FALSE;
    }

  uri->host = g_inet_address_to_string (address);
  uri->host_is_ip = TRUE;
  return TRUE;
}

static gboolean
parse_port (DtIceUri    *uri,
            const char  *text,
            gsize        length,
            GError     **error)
{
  g_autofree char *port = g_strndup (text, length);
  guint value = 0;

  if (length == 0)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_PORT,
                   _("The port is missing after “:”"));
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (text[i]) || i >= 5)
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_PORT,
                       _("The port “%s” is not a number from 1 to 65535"), port);
          return FALSE;
        }
      value = value * 10 + (guint) (text[i] - '0');
    }

  if (value == 0 || value > G_MAXUINT16)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_PORT,
                   _("The port “%s” is not a number from 1 to 65535"), port);
      return FALSE;
    }

  uri->port = (guint16) value;
  uri->port_given = TRUE;
  return TRUE;
}

/* RFC 7065 §3.1: "?transport=" transport, where transport-ext is any
 * unreserved text; Dialtone knows only udp and tcp. */
static gboolean
parse_query (DtIceUri    *uri,
             const char  *query,
             GError     **error)
{
  g_auto(GStrv) params = NULL;
  g_autoptr(GString) unknown = NULL;

  if (uri->scheme == DT_ICE_URI_SCHEME_STUN || uri->scheme == DT_ICE_URI_SCHEME_STUNS)
    {
      if (g_ascii_strncasecmp (query, "transport=", strlen ("transport=")) == 0)
        g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_TRANSPORT,
                     _("A %s: URI takes no transport (RFC 7064): it is always UDP for stun: "
                       "and TLS for stuns:"), dt_ice_uri_scheme_to_string (uri->scheme));
      else
        g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                     _("A %s: URI ends after the port (RFC 7064), but this one goes on with "
                       "“?%s”"), dt_ice_uri_scheme_to_string (uri->scheme), query);
      return FALSE;
    }

  if (query[0] == '\0')
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                   _("The query “?” has an empty parameter"));
      return FALSE;
    }

  params = g_strsplit (query, "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      const char *param = params[i];
      const char *equals = strchr (param, '=');

      if (param[0] == '\0' || equals == param)
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                       _("The query “?%s” has an empty parameter"), query);
          return FALSE;
        }

      if ((equals != NULL && (gsize) (equals - param) == strlen ("transport") &&
           g_ascii_strncasecmp (param, "transport", strlen ("transport")) == 0) ||
          g_ascii_strcasecmp (param, "transport") == 0)
        {
          const char *value = equals != NULL ? equals + 1 : "";

          if (uri->transport_given)
            {
              g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                           _("The URI names its transport twice"));
              return FALSE;
            }
          if (g_ascii_strcasecmp (value, "udp") == 0)
            uri->transport = DT_ICE_URI_TRANSPORT_UDP;
          else if (g_ascii_strcasecmp (value, "tcp") == 0)
            uri->transport = DT_ICE_URI_TRANSPORT_TCP;
          else
            {
              g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_TRANSPORT,
                           _("The transport “%s” is unknown: use udp or tcp"), value);
              return FALSE;
            }
          uri->transport_given = TRUE;
          continue;
        }

      if (unknown == NULL)
        unknown = g_string_new (param);
      else
        g_string_append_printf (unknown, "&%s", param);
    }

  if (unknown != NULL)
    uri->unknown_query = g_string_free (g_steal_pointer (&unknown), FALSE);
  return TRUE;
}

/* --- Public API --------------------------------------------------------- */

/**
 * dt_ice_uri_parse:
 * @text: a `stun:`, `stuns:`, `turn:` or `turns:` URI
 * @error: return location for a #GError in %DT_ICE_URI_ERROR
 *
 * Parses @text. Schemes and the transport are case-insensitive; IPv6
 * literals go in brackets; a missing port or transport takes the scheme's
 * default. Leading and trailing white space is ignored.
 *
 * Returns: (transfer full): the URI, or %NULL with @error set
 */
DtIceUri *
dt_ice_uri_parse (const char  *text,
                  GError     **error)
{
  g_autoptr(DtIceUri) uri = NULL;
  g_autofree char *stripped = NULL;
  const char *rest;
  const char *colon;
  const char *query;
  const char *authority_end;
  const char *port = NULL;
  gsize length;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (text == NULL)
    text = "";
  if (strlen (text) > DT_ICE_URI_MAX_LENGTH)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_TOO_LONG,
                   _("The server URI is longer than %u bytes"), DT_ICE_URI_MAX_LENGTH);
      return NULL;
    }

  stripped = g_strstrip (g_strdup (text));
  length = strlen (stripped);
  if (length == 0)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_EMPTY,
                   _("The server URI is empty"));
      return NULL;
    }

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) stripped[i];

      if (c <= 0x20 || c >= 0x7f || c == '#')
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                       _("The server URI contains a character URIs cannot have (byte %u, "
                         "0x%02x)"), (guint) i + 1, c);
          return NULL;
        }
    }

  uri = g_new0 (DtIceUri, 1);

  colon = strchr (stripped, ':');
  if (colon == NULL || !parse_scheme (stripped, colon - stripped, &uri->scheme))
    {
      g_autofree char *scheme = g_strndup (stripped, colon ? (gsize) (colon - stripped) : length);

      if (colon == NULL)
        g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_SCHEME,
                     _("“%s” has no scheme: write stun:, stuns:, turn: or turns: before the "
                       "server"), stripped);
      else
        g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_SCHEME,
                     _("The scheme “%s” is not one of stun, stuns, turn or turns"), scheme);
      return NULL;
    }

  uri->transport = (uri->scheme == DT_ICE_URI_SCHEME_STUNS ||
                    uri->scheme == DT_ICE_URI_SCHEME_TURNS) ? DT_ICE_URI_TRANSPORT_TCP
                                                            : DT_ICE_URI_TRANSPORT_UDP;
  uri->port = (uri->scheme == DT_ICE_URI_SCHEME_STUNS ||
               uri->scheme == DT_ICE_URI_SCHEME_TURNS) ? DT_ICE_URI_DEFAULT_SECURE_PORT
                                                       : DT_ICE_URI_DEFAULT_PORT;

  rest = colon + 1;
  if (g_str_has_prefix (rest, "//"))
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                   _("STUN and TURN URIs have no “//” after the scheme (RFC 7065): write "
                     "%s:%s"), dt_ice_uri_scheme_to_string (uri->scheme), rest + 2);
      return NULL;
    }

  query = strchr (rest, '?');
  authority_end = query != NULL ? query : rest + strlen (rest);

  if (memchr (rest, '@', authority_end - rest) != NULL)
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                   _("The URI contains a user name: give the user name and password beside "
                     "the URI, not in it"));
      return NULL;
    }

  if (rest[0] == '[')
    {
      const char *close = memchr (rest, ']', authority_end - rest);

      if (close == NULL)
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                       _("The IPv6 address has no closing “]”"));
          return NULL;
        }
      if (!parse_ip_literal (uri, rest + 1, close - rest - 1, error))
        return NULL;
      if (close + 1 < authority_end)
        {
          if (close[1] != ':')
            {
              g_autofree char *junk = g_strndup (close + 1, authority_end - close - 1);

              g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_INVALID,
                           _("Unexpected “%s” after the IPv6 address"), junk);
              return NULL;
            }
          port = close + 2;
        }
    }
  else
    {
      const char *port_colon = memchr (rest, ':', authority_end - rest);
      const char *host_end = port_colon != NULL ? port_colon : authority_end;

      if (port_colon != NULL && memchr (port_colon + 1, ':', authority_end - port_colon - 1))
        {
          g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_BAD_HOST,
                       _("An IPv6 address must be written in brackets, as in "
                         "turn:[2001:db8::1]:3478"));
          return NULL;
        }
      if (!parse_host_name (uri, rest, host_end - rest, error))
        return NULL;
      if (port_colon != NULL)
        port = port_colon + 1;
    }

  if (port != NULL && !parse_port (uri, port, authority_end - port, error))
    return NULL;

  if (query != NULL && !parse_query (uri, query + 1, error))
    return NULL;

  return g_steal_pointer (&uri);
}

/**
 * dt_ice_uri_parse_supported:
 * @text: a `stun:`, `stuns:`, `turn:` or `turns:` URI
 * @error: return location for a #GError in %DT_ICE_URI_ERROR
 *
 * Parses @text as dt_ice_uri_parse() does, and also refuses a URI that
 * Dialtone would have to use without honouring all of it: one with query
 * parameters other than `transport`. For the servers a person saves in an
 * account; Diagnostics reads such URIs to report them instead.
 *
 * Returns: (transfer full): the URI, or %NULL with @error set
 */
DtIceUri *
dt_ice_uri_parse_supported (const char  *text,
                            GError     **error)
{
  g_autoptr(DtIceUri) uri = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = dt_ice_uri_parse (text, error);
  if (uri == NULL)
    return NULL;
  if (!dt_ice_uri_is_supported (uri))
    {
      g_set_error (error, DT_ICE_URI_ERROR, DT_ICE_URI_ERROR_UNSUPPORTED,
                   _("Dialtone does not know the parameter “%s”: only transport=udp or "
                     "transport=tcp may follow the “?”"), uri->unknown_query);
      return NULL;
    }
  return g_steal_pointer (&uri);
}

/**
 * dt_ice_uri_copy:
 * @self: a #DtIceUri
 *
 * Returns: (transfer full): a deep copy of @self
 */
DtIceUri *
dt_ice_uri_copy (const DtIceUri *self)
{
  DtIceUri *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->host = g_strdup (self->host);
  copy->unknown_query = g_strdup (self->unknown_query);
  return copy;
}

/**
 * dt_ice_uri_free:
 * @self: (nullable): a #DtIceUri
 *
 * Frees @self.
 */
void
dt_ice_uri_free (DtIceUri *self)
{
  if (self == NULL)
    return;
  g_free (self->host);
  g_free (self->unknown_query);
  g_free (self);
}

/**
 * dt_ice_uri_equal:
 * @a: a #DtIceUri
 * @b: another one
 *
 * Host names compare case-insensitively (RFC 4343); whether the port and
 * transport were written matters, since to_string() keeps that.
 *
 * Returns: whether @a and @b are the same URI
 */
gboolean
dt_ice_uri_equal (const DtIceUri *a,
                  const DtIceUri *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->scheme == b->scheme &&
         g_ascii_strcasecmp (a->host, b->host) == 0 &&
         a->host_is_ip == b->host_is_ip &&
         a->port == b->port && a->port_given == b->port_given &&
         a->transport == b->transport && a->transport_given == b->transport_given &&
         g_strcmp0 (a->unknown_query, b->unknown_query) == 0;
}

/**
 * dt_ice_uri_to_string:
 * @self: a #DtIceUri
 *
 * Writes @self back in the form dt_ice_uri_parse() reads: lower-case
 * scheme, IPv6 literal in brackets, the port and transport only when the
 * original named them.
 *
 * Returns: (transfer full): the URI text
 */
char *
dt_ice_uri_to_string (const DtIceUri *self)
{
  GString *text;
  gboolean ipv6;

  g_return_val_if_fail (self != NULL, NULL);

  ipv6 = self->host_is_ip && strchr (self->host, ':') != NULL;
  text = g_string_new (dt_ice_uri_scheme_to_string (self->scheme));
  g_string_append_printf (text, ipv6 ? ":[%s]" : ":%s", self->host);
  if (self->port_given)
    g_string_append_printf (text, ":%u", self->port);
  if (self->transport_given)
    g_string_append_printf (text, "?transport=%s",
                            self->transport == DT_ICE_URI_TRANSPORT_TCP ? "tcp" : "udp");
  if (self->unknown_query != NULL)
    g_string_append_printf (text, "%c%s", self->transport_given ? '&' : '?',
                            self->unknown_query);
  return g_string_free (text, FALSE);
}

/**
 * dt_ice_uri_scheme_to_string:
 * @scheme: a #DtIceUriScheme
 *
 * Returns: the scheme's name, such as "turns"
 */
const char *
dt_ice_uri_scheme_to_string (DtIceUriScheme scheme)
{
  switch (scheme)
    {
    case DT_ICE_URI_SCHEME_STUN:
      return "stun";
    case DT_ICE_URI_SCHEME_STUNS:
      return "stuns";
    case DT_ICE_URI_SCHEME_TURN:
      return "turn";
    case DT_ICE_URI_SCHEME_TURNS:
      return "turns";
    default:
      g_return_val_if_reached ("stun");
    }
}

/**
 * dt_ice_uri_is_turn:
 * @self: a #DtIceUri
 *
 * Returns: whether @self is a `turn:` or `turns:` URI
 */
gboolean
dt_ice_uri_is_turn (const DtIceUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->scheme == DT_ICE_URI_SCHEME_TURN || self->scheme == DT_ICE_URI_SCHEME_TURNS;
}

/**
 * dt_ice_uri_is_secure:
 * @self: a #DtIceUri
 *
 * Returns: whether @self asks for TLS or DTLS (`stuns:`, `turns:`)
 */
gboolean
dt_ice_uri_is_secure (const DtIceUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->scheme == DT_ICE_URI_SCHEME_STUNS || self->scheme == DT_ICE_URI_SCHEME_TURNS;
}

/**
 * dt_ice_uri_is_supported:
 * @self: a #DtIceUri
 *
 * Returns: %FALSE when @self carries query parameters Dialtone does not
 *   know, whose meaning it cannot honour
 */
gboolean
dt_ice_uri_is_supported (const DtIceUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->unknown_query == NULL;
}

/**
 * dt_ice_uri_stun_expected:
 * @self: a #DtIceUri
 *
 * Whether the server is reached with STUN on unencrypted UDP: `stun:`, or
 * `turn:` over UDP. Only those count as STUN in the scoring
 * (PROTOCOLS-SIP-MEDIA-TURN.md §5.4).
 *
 * Returns: whether a STUN Binding is expected to work through @self
 */
gboolean
dt_ice_uri_stun_expected (const DtIceUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return (self->scheme == DT_ICE_URI_SCHEME_STUN || self->scheme == DT_ICE_URI_SCHEME_TURN) &&
         self->transport == DT_ICE_URI_TRANSPORT_UDP;
}
