/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-message.c
 *
 * Header names: lookups accept any case and the compact forms, and every
 * header Dialtone knows is written back under its canonical long name
 * (`v` and `VIA` both become `Via`). Unknown headers keep the spelling they
 * came with. Values are stored unfolded and trimmed, so a parsed message
 * written back and parsed again has the same values byte for byte.
 *
 * Content-Length is kept in the header list in its place, but the writer
 * always gives it the length of the body; a parsed message without one
 * gets one at the end.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <string.h>

#include "dt-sip-message.h"

typedef struct {
  /* canonical static name for known headers, else owned_name */
  const char *name;
  char       *owned_name;
  char       *value;
} Header;

struct _DtSipMessage {
  gatomicrefcount  ref_count;

  gboolean         is_request;
  char            *method;
  char            *request_uri;
  guint            status_code;
  char            *reason;

  GPtrArray       *headers;
  GBytes          *body;

  /* parsed on demand, dropped on any header change */
  gboolean         cache_valid;
  DtSipVia        *top_via;
  DtSipNameAddr   *from;
  DtSipNameAddr   *to;
  gboolean         cseq_valid;
  guint32          cseq_number;
  char            *cseq_method;
};

G_DEFINE_BOXED_TYPE (DtSipMessage, dt_sip_message, dt_sip_message_ref, dt_sip_message_unref)
G_DEFINE_QUARK (dt-sip-parse-error-quark, dt_sip_parse_error)

typedef struct {
  const char *name;
  char        compact;
  gboolean    single;    /* never comma-split */
} KnownHeader;

/* RFC 3261 §7.3.3, §20 and the extensions' compact forms (RFC 6665,
 * RFC 3515, RFC 3892, RFC 4028, RFC 3841, RFC 8224, RFC 4474). */
static const KnownHeader known_headers[] = {
  { "Accept", 0, FALSE },
  { "Accept-Contact", 'a', FALSE },
  { "Accept-Encoding", 0, FALSE },
  { "Accept-Language", 0, FALSE },
  { "Alert-Info", 0, FALSE },
  { "Allow", 0, FALSE },
  { "Allow-Events", 'u', FALSE },
  { "Authentication-Info", 0, TRUE },
  { "Authorization", 0, TRUE },
  { "Call-ID", 'i', TRUE },
  { "Call-Info", 0, FALSE },
  { "Contact", 'm', FALSE },
  { "Content-Disposition", 0, TRUE },
  { "Content-Encoding", 'e', FALSE },
  { "Content-Language", 0, FALSE },
  { "Content-Length", 'l', TRUE },
  { "Content-Type", 'c', TRUE },
  { "CSeq", 0, TRUE },
  { "Date", 0, TRUE },
  { "Error-Info", 0, FALSE },
  { "Event", 'o', TRUE },
  { "Expires", 0, TRUE },
  { "Flow-Timer", 0, TRUE },
  { "From", 'f', TRUE },
  { "Identity", 'y', TRUE },
  { "Identity-Info", 'n', TRUE },
  { "In-Reply-To", 0, FALSE },
  { "Max-Forwards", 0, TRUE },
  { "MIME-Version", 0, TRUE },
  { "Min-Expires", 0, TRUE },
  { "Min-SE", 0, TRUE },
  { "Organization", 0, TRUE },
  { "P-Asserted-Identity", 0, FALSE },
  { "P-Preferred-Identity", 0, FALSE },
  { "Path", 0, FALSE },
  { "Priority", 0, TRUE },
  { "Privacy", 0, FALSE },
  { "Proxy-Authenticate", 0, TRUE },
  { "Proxy-Authorization", 0, TRUE },
  { "Proxy-Require", 0, FALSE },
  { "RAck", 0, TRUE },
  { "Reason", 0, FALSE },
  { "Record-Route", 0, FALSE },
  { "Refer-To", 'r', TRUE },
  { "Referred-By", 'b', TRUE },
  { "Reject-Contact", 'j', FALSE },
  { "Replaces", 0, TRUE },
  { "Reply-To", 0, TRUE },
  { "Request-Disposition", 'd', FALSE },
  { "Require", 0, FALSE },
  { "Retry-After", 0, TRUE },
  { "Route", 0, FALSE },
  { "RSeq", 0, TRUE },
  { "Server", 0, TRUE },
  { "Service-Route", 0, FALSE },
  { "Session-Expires", 'x', TRUE },
  { "SIP-ETag", 0, TRUE },
  { "SIP-If-Match", 0, TRUE },
  { "Subject", 's', TRUE },
  { "Subscription-State", 0, TRUE },
  { "Supported", 'k', FALSE },
  { "Timestamp", 0, TRUE },
  { "To", 't', TRUE },
  { "Unsupported", 0, FALSE },
  { "User-Agent", 0, TRUE },
  { "Via", 'v', FALSE },
  { "Warning", 0, FALSE },
  { "WWW-Authenticate", 0, TRUE },
};

/* RFC 3261 §8.1.1: a request lacking any of these is refused; responses
 * may lack Max-Forwards (index 5). */
static const char * const mandatory_headers[] = {
  "To", "From", "CSeq", "Call-ID", "Via", "Max-Forwards",
};

static const char * const single_value_headers[] = {
  "Call-ID", "CSeq", "From", "To", "Max-Forwards", "Content-Length",
};

static const KnownHeader *
lookup_known (const char *name,
              gsize       len)
{
  if (len == 1)
    {
      char c = g_ascii_tolower (name[0]);

      for (gsize i = 0; i < G_N_ELEMENTS (known_headers); i++)
        if (known_headers[i].compact == c)
          return &known_headers[i];
      return NULL;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (known_headers); i++)
    if (strlen (known_headers[i].name) == len &&
        g_ascii_strncasecmp (known_headers[i].name, name, len) == 0)
      return &known_headers[i];

  return NULL;
}

static gboolean
is_token_char (char c)
{
  /* RFC 3261 §25.1: token */
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-.!%*_+`'~", c) != NULL);
}

static gboolean
is_ws (char c)
{
  return c == ' ' || c == '\t';
}

static gboolean
is_token (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (; *text; text++)
    if (!is_token_char (*text))
      return FALSE;
  return TRUE;
}

static gboolean
is_valid_value (const char *text)
{
  for (; *text; text++)
    if (*text == '\r' || *text == '\n')
      return FALSE;
  return TRUE;
}

static void
skip_ws (const char **p)
{
  while (is_ws (**p))
    (*p)++;
}

static char *
strdup_trimmed (const char *start,
                const char *end)
{
  while (start < end && is_ws (*start))
    start++;
  while (end > start && is_ws (end[-1]))
    end--;
  return g_strndup (start, end - start);
}

static gboolean
parse_uint (const char *text,
            guint64     max,
            guint64    *out)
{
  guint64 v = 0;

  if (!g_ascii_isdigit (*text))
    return FALSE;
  for (; *text; text++)
    {
      if (!g_ascii_isdigit (*text))
        return FALSE;
      v = v * 10 + (guint64) (*text - '0');
      if (v > max)
        return FALSE;
    }
  *out = v;
  return TRUE;
}

static void
header_free (gpointer data)
{
  Header *h = data;

  g_free (h->owned_name);
  g_free (h->value);
  g_free (h);
}

static Header *
header_new (const char *name,
            gsize       name_len,
            char       *value)
{
  const KnownHeader *known = lookup_known (name, name_len);
  Header *h = g_new0 (Header, 1);

  if (known != NULL)
    {
      h->name = known->name;
    }
  else
    {
      h->owned_name = g_strndup (name, name_len);
      h->name = h->owned_name;
    }
  h->value = value;
  return h;
}

static gboolean
header_is (const Header *h,
           const char   *canonical)
{
  return g_ascii_strcasecmp (h->name, canonical) == 0;
}

static DtSipMessage *
message_new (void)
{
  DtSipMessage *self = g_new0 (DtSipMessage, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->headers = g_ptr_array_new_with_free_func (header_free);
  return self;
}

static void
invalidate_cache (DtSipMessage *self)
{
  g_clear_pointer (&self->top_via, dt_sip_via_free);
  g_clear_pointer (&self->from, dt_sip_name_addr_free);
  g_clear_pointer (&self->to, dt_sip_name_addr_free);
  g_clear_pointer (&self->cseq_method, g_free);
  self->cseq_valid = FALSE;
  self->cache_valid = FALSE;
}

static Header *
find_header (DtSipMessage *self,
             const char   *canonical,
             guint        *count)
{
  Header *first = NULL;
  guint n = 0;

  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, canonical))
        {
          if (first == NULL)
            first = h;
          n++;
        }
    }
  if (count != NULL)
    *count = n;
  return first;
}

static void
ensure_cache (DtSipMessage *self)
{
  Header *h;

  if (self->cache_valid)
    return;
  self->cache_valid = TRUE;

  h = find_header (self, "Via", NULL);
  if (h != NULL)
    {
      g_auto(GStrv) vias = dt_sip_split_header_value ("Via", h->value);

      if (vias[0] != NULL)
        self->top_via = dt_sip_via_parse (vias[0]);
    }

  h = find_header (self, "From", NULL);
  if (h != NULL)
    self->from = dt_sip_name_addr_parse (h->value);

  h = find_header (self, "To", NULL);
  if (h != NULL)
    self->to = dt_sip_name_addr_parse (h->value);

  h = find_header (self, "CSeq", NULL);
  if (h != NULL)
    self->cseq_valid = dt_sip_cseq_parse (h->value, &self->cseq_number, &self->cseq_method);
}

/* --- structured values ------------------------------------------------ */

/* RFC 3261 §25.1: quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE.
 * On success *p is past the closing quote. */
static gboolean
scan_quoted (const char **p,
             GString     *unescaped)
{
  const char *s = *p;

  g_assert (*s == '"');
  for (s++; *s; s++)
    {
      if (*s == '\\')
        {
          s++;
          if (*s == '\0')
            return FALSE;
        }
      else if (*s == '"')
        {
          *p = s + 1;
          return TRUE;
        }
      if (unescaped != NULL)
        g_string_append_c (unescaped, *s);
    }
  return FALSE;
}

static gboolean
is_param_value_char (char c)
{
  /* token, plus the IPv6 forms of received= and maddr= (RFC 3261 §20.42) */
  return is_token_char (c) || c == ':' || c == '[' || c == ']';
}

static void
param_free (gpointer data)
{
  DtSipParam *param = data;

  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

/* Reads `*( SEMI generic-param )` to the end of the text. */
static gboolean
scan_params (const char *p,
             GPtrArray  *params)
{
  for (;;)
    {
      const char *start;
      DtSipParam *param;

      skip_ws (&p);
      if (*p == '\0')
        return TRUE;
      if (*p != ';')
        return FALSE;
      p++;
      skip_ws (&p);

      start = p;
      while (is_token_char (*p))
        p++;
      if (p == start)
        return FALSE;

      param = g_new0 (DtSipParam, 1);
      param->name = g_strndup (start, p - start);
      g_ptr_array_add (params, param);

      skip_ws (&p);
      if (*p != '=')
        continue;
      p++;
      skip_ws (&p);

      start = p;
      if (*p == '"')
        {
          if (!scan_quoted (&p, NULL))
            return FALSE;
        }
      else
        {
          while (is_param_value_char (*p))
            p++;
        }
      if (p == start)
        return FALSE;
      param->value = g_strndup (start, p - start);
    }
}

/**
 * dt_sip_params_lookup:
 * @params: (element-type DtSipParam): parameters from a structured header
 * @name: the parameter name, in any case
 * @found: (out) (optional): whether the parameter is present
 *
 * Returns: (nullable): the value of the first parameter called @name, or
 *   %NULL when it is absent or a flag
 */
const char *
dt_sip_params_lookup (GPtrArray  *params,
                      const char *name,
                      gboolean   *found)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < params->len; i++)
    {
      DtSipParam *param = g_ptr_array_index (params, i);

      if (g_ascii_strcasecmp (param->name, name) == 0)
        {
          if (found != NULL)
            *found = TRUE;
          return param->value;
        }
    }
  if (found != NULL)
    *found = FALSE;
  return NULL;
}

/**
 * dt_sip_split_header_value:
 * @name: the header name (any case or compact form)
 * @value: one header line's value
 *
 * Splits @value on the commas that separate list elements (RFC 3261
 * §7.3.1): commas inside quoted strings and inside `<>` are not separators.
 * Headers that are never lists, including the four authentication headers
 * whose parameters contain commas, come back as one element. Empty elements
 * are dropped and each element is trimmed.
 *
 * Returns: (transfer full): the elements
 */
GStrv
dt_sip_split_header_value (const char *name,
                           const char *value)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const KnownHeader *known;
  const char *start;
  const char *p;
  gboolean quoted = FALSE;
  gboolean angle = FALSE;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  known = lookup_known (name, strlen (name));
  if (known != NULL && known->single)
    {
      g_autofree char *one = strdup_trimmed (value, value + strlen (value));

      if (*one != '\0')
        g_strv_builder_add (builder, one);
      return g_strv_builder_end (builder);
    }

  for (start = p = value;; p++)
    {
      if (*p == '\0' || (*p == ',' && !quoted && !angle))
        {
          g_autofree char *element = strdup_trimmed (start, p);

          if (*element != '\0')
            g_strv_builder_add (builder, element);
          if (*p == '\0')
            break;
          start = p + 1;
        }
      else if (quoted)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            quoted = FALSE;
        }
      else if (angle)
        {
          if (*p == '>')
            angle = FALSE;
        }
      else if (*p == '"')
        {
          quoted = TRUE;
        }
      else if (*p == '<')
        {
          angle = TRUE;
        }
    }

  return g_strv_builder_end (builder);
}

/**
 * dt_sip_cseq_parse:
 * @value: a CSeq value
 * @number: (out): the sequence number
 * @method: (out) (transfer full): the method
 *
 * Parses `CSeq: 1*DIGIT LWS Method` (RFC 3261 §20.16); the number must be
 * below 2^31 (§8.1.1.5).
 *
 * Returns: whether @value is a valid CSeq
 */
gboolean
dt_sip_cseq_parse (const char  *value,
                   guint32     *number,
                   char       **method)
{
  const char *p = value;
  const char *start;
  guint64 n = 0;
  gsize digits = 0;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (number != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);

  skip_ws (&p);
  while (g_ascii_isdigit (*p))
    {
      n = n * 10 + (guint64) (*p - '0');
      if (n > G_MAXINT32)
        return FALSE;
      p++;
      digits++;
    }
  if (digits == 0 || !is_ws (*p))
    return FALSE;
  skip_ws (&p);

  start = p;
  while (is_token_char (*p))
    p++;
  if (p == start)
    return FALSE;
  {
    const char *end = p;

    skip_ws (&p);
    if (*p != '\0')
      return FALSE;
    *number = (guint32) n;
    *method = g_strndup (start, end - start);
  }
  return TRUE;
}

static gboolean
scan_host (const char **p,
           char       **host,
           gboolean    *is_ipv6)
{
  const char *s = *p;
  const char *start;

  if (*s == '[')
    {
      /* RFC 3261 §25.1: IPv6reference */
      start = ++s;
      while (g_ascii_isxdigit (*s) || *s == ':' || *s == '.')
        s++;
      if (*s != ']' || s == start || strchr (start, ':') == NULL ||
          strchr (start, ':') > s)
        return FALSE;
      *host = g_strndup (start, s - start);
      *is_ipv6 = TRUE;
      *p = s + 1;
      return TRUE;
    }

  start = s;
  while (g_ascii_isalnum (*s) || *s == '-' || *s == '.')
    s++;
  if (s == start)
    return FALSE;
  *host = g_strndup (start, s - start);
  *is_ipv6 = FALSE;
  *p = s;
  return TRUE;
}

/**
 * dt_sip_via_free:
 * @via: (nullable): a #DtSipVia
 *
 * Frees @via.
 */
void
dt_sip_via_free (DtSipVia *via)
{
  if (via == NULL)
    return;
  g_free (via->protocol);
  g_free (via->transport);
  g_free (via->host);
  g_free (via->branch);
  g_free (via->received);
  g_free (via->maddr);
  g_clear_pointer (&via->params, g_ptr_array_unref);
  g_free (via);
}

/**
 * dt_sip_via_parse:
 * @value: one Via value (an element of dt_sip_split_header_value())
 *
 * Parses `sent-protocol LWS sent-by *( SEMI via-params )` (RFC 3261
 * §20.42, §25.1), with LWS allowed around the slashes of sent-protocol.
 *
 * Returns: (transfer full) (nullable): the Via, or %NULL when malformed
 */
DtSipVia *
dt_sip_via_parse (const char *value)
{
  g_autoptr(DtSipVia) via = NULL;
  const char *p = value;
  const char *parts[3][2];
  const char *value_text;
  gboolean found;
  guint64 n;

  g_return_val_if_fail (value != NULL, NULL);

  for (guint i = 0; i < 3; i++)
    {
      skip_ws (&p);
      if (i > 0)
        {
          if (*p != '/')
            return NULL;
          p++;
          skip_ws (&p);
        }
      parts[i][0] = p;
      while (is_token_char (*p))
        p++;
      parts[i][1] = p;
      if (parts[i][0] == parts[i][1])
        return NULL;
    }
  if (!is_ws (*p))
    return NULL;
  skip_ws (&p);

  via = g_new0 (DtSipVia, 1);
  via->params = g_ptr_array_new_with_free_func (param_free);
  via->protocol = g_strdup_printf ("%.*s/%.*s",
                                   (int) (parts[0][1] - parts[0][0]), parts[0][0],
                                   (int) (parts[1][1] - parts[1][0]), parts[1][0]);
  via->transport = g_strndup (parts[2][0], parts[2][1] - parts[2][0]);

  if (!scan_host (&p, &via->host, &via->host_is_ipv6))
    return NULL;
  skip_ws (&p);
  if (*p == ':')
    {
      const char *start;
      g_autofree char *port = NULL;

      p++;
      skip_ws (&p);
      start = p;
      while (g_ascii_isdigit (*p))
        p++;
      port = g_strndup (start, p - start);
      if (!parse_uint (port, G_MAXUINT16, &n) || n == 0)
        return NULL;
      via->port = (guint16) n;
    }

  if (!scan_params (p, via->params))
    return NULL;

  via->branch = g_strdup (dt_sip_params_lookup (via->params, "branch", &found));
  if (found && via->branch == NULL)
    return NULL;
  via->received = g_strdup (dt_sip_params_lookup (via->params, "received", &found));
  if (found && via->received == NULL)
    return NULL;
  via->maddr = g_strdup (dt_sip_params_lookup (via->params, "maddr", &found));
  if (found && via->maddr == NULL)
    return NULL;

  /* RFC 3581 §3: rport is a flag in requests and carries the port in
   * what a server fills in. */
  via->rport = -1;
  value_text = dt_sip_params_lookup (via->params, "rport", &found);
  if (found && value_text == NULL)
    via->rport = 0;
  else if (found && parse_uint (value_text, G_MAXUINT16, &n) && n > 0)
    via->rport = (gint) n;
  else if (found)
    return NULL;

  via->ttl = -1;
  value_text = dt_sip_params_lookup (via->params, "ttl", &found);
  if (found && value_text != NULL && parse_uint (value_text, 255, &n))
    via->ttl = (gint) n;
  else if (found)
    return NULL;

  return g_steal_pointer (&via);
}

/**
 * dt_sip_name_addr_free:
 * @name_addr: (nullable): a #DtSipNameAddr
 *
 * Frees @name_addr.
 */
void
dt_sip_name_addr_free (DtSipNameAddr *name_addr)
{
  if (name_addr == NULL)
    return;
  g_free (name_addr->display_name);
  g_free (name_addr->uri);
  g_free (name_addr->tag);
  g_clear_pointer (&name_addr->params, g_ptr_array_unref);
  g_free (name_addr);
}

static gboolean
is_absolute_uri (const char *uri)
{
  const char *p = uri;

  /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
  if (!g_ascii_isalpha (*p))
    return FALSE;
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (*p != ':')
    return FALSE;
  for (; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return FALSE;
  return TRUE;
}

/**
 * dt_sip_name_addr_parse:
 * @value: one From, To, Contact, Route, Record-Route or similar value
 *
 * Parses `( name-addr / addr-spec ) *( SEMI param )` (RFC 3261 §20.10,
 * §25.1). In the addr-spec form the parameters belong to the header, not
 * to the URI, and a URI with `,` `;` or `?` is not allowed.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when malformed
 */
DtSipNameAddr *
dt_sip_name_addr_parse (const char *value)
{
  g_autoptr(DtSipNameAddr) addr = NULL;
  const char *p = value;
  const char *lt;
  gboolean found;

  g_return_val_if_fail (value != NULL, NULL);

  addr = g_new0 (DtSipNameAddr, 1);
  addr->params = g_ptr_array_new_with_free_func (param_free);

  skip_ws (&p);
  if (*p == '*')
    {
      const char *rest = p + 1;

      skip_ws (&rest);
      if (*rest == '\0')
        {
          addr->wildcard = TRUE;
          addr->uri = g_strdup ("*");
          return g_steal_pointer (&addr);
        }
      /* RFC 3261 §10.2.2: "*" stands alone; anything after it fails below */
    }

  if (*p == '"')
    {
      g_autoptr(GString) display = g_string_new (NULL);

      if (!scan_quoted (&p, display))
        return NULL;
      addr->display_name = g_string_free (g_steal_pointer (&display), FALSE);
      skip_ws (&p);
      if (*p != '<')
        return NULL;
      lt = p;
    }
  else
    {
      lt = p;
      while (*lt != '\0' && *lt != '<' && *lt != ';' && *lt != '"')
        lt++;
      if (*lt == '"')
        return NULL;
      if (*lt == '<')
        {
          for (const char *c = p; c < lt; c++)
            if (!is_token_char (*c) && !is_ws (*c))
              return NULL;
          addr->display_name = strdup_trimmed (p, lt);
          if (addr->display_name[0] == '\0')
            g_clear_pointer (&addr->display_name, g_free);
        }
    }

  if (*lt == '<')
    {
      const char *gt = strchr (lt, '>');

      if (gt == NULL)
        return NULL;
      addr->uri = g_strndup (lt + 1, gt - lt - 1);
      p = gt + 1;
    }
  else
    {
      const char *end = lt;

      addr->uri = strdup_trimmed (p, end);
      if (strpbrk (addr->uri, ",?") != NULL)
        return NULL;
      p = end;
    }

  if (!is_absolute_uri (addr->uri))
    return NULL;
  if (!scan_params (p, addr->params))
    return NULL;

  addr->tag = g_strdup (dt_sip_params_lookup (addr->params, "tag", &found));
  if (found && addr->tag == NULL)
    return NULL;

  return g_steal_pointer (&addr);
}

/* --- parsing --------------------------------------------------------- */

static gboolean
fail (GError     **error,
      gint         code,
      const char  *reason)
{
  g_set_error_literal (error, DT_SIP_PARSE_ERROR, code, reason);
  return FALSE;
}

/* Finds the blank line that ends the header section (RFC 3261 §7: CRLF,
 * with bare LF tolerated). *header_len covers the header lines with their
 * line ends; *body_start is past the blank line. */
static gboolean
find_header_end (const char *data,
                 gsize       length,
                 gsize      *header_len,
                 gsize      *body_start)
{
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);
      gsize i;

      if (lf == NULL)
        return FALSE;
      i = lf - data;
      if (i + 1 < length && data[i + 1] == '\n')
        {
          *header_len = i + 1;
          *body_start = i + 2;
          return TRUE;
        }
      if (i + 2 < length && data[i + 1] == '\r' && data[i + 2] == '\n')
        {
          *header_len = i + 1;
          *body_start = i + 3;
          return TRUE;
        }
      p = lf + 1;
    }
  return FALSE;
}

/* Cuts the next line out of [*p, end): without its CRLF or LF. */
static gboolean
next_line (const char **p,
           const char  *end,
           const char **line,
           gsize       *line_len)
{
  const char *lf;
  gsize len;

  if (*p >= end)
    return FALSE;
  lf = memchr (*p, '\n', end - *p);
  *line = *p;
  len = (lf != NULL ? lf : end) - *p;
  *p = lf != NULL ? lf + 1 : end;
  if (len > 0 && (*line)[len - 1] == '\r')
    len--;
  *line_len = len;
  return TRUE;
}

static gboolean
line_is_clean (const char *line,
               gsize       len)
{
  /* NUL and stray CR are in no production of RFC 3261 §25 outside a body */
  return memchr (line, '\0', len) == NULL && memchr (line, '\r', len) == NULL;
}

static gboolean
is_sip_version (const char *text,
                gsize       len)
{
  gsize i = 4;
  gsize digits = 0;

  /* RFC 3261 §25.1: SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT */
  if (len < 4 || g_ascii_strncasecmp (text, "SIP/", 4) != 0)
    return FALSE;
  for (; i < len && g_ascii_isdigit (text[i]); i++)
    digits++;
  if (digits == 0 || i >= len || text[i] != '.')
    return FALSE;
  digits = 0;
  for (i++; i < len && g_ascii_isdigit (text[i]); i++)
    digits++;
  return digits > 0 && i == len;
}

static gboolean
is_sip_2_0 (const char *text,
            gsize       len)
{
  return len == 7 && g_ascii_strncasecmp (text, "SIP/2.0", 7) == 0;
}

static gboolean
parse_start_line (DtSipMessage  *self,
                  const char    *line,
                  gsize          len,
                  GError       **error)
{
  const char *end = line + len;
  const char *sp1;
  const char *sp2;

  if (len > DT_SIP_MAX_HEADER_LENGTH)
    return fail (error, DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Start line too long");
  if (!line_is_clean (line, len))
    return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad start line");

  sp1 = memchr (line, ' ', len);
  if (sp1 == NULL)
    return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad start line");

  if (len >= 4 && g_ascii_strncasecmp (line, "SIP/", 4) == 0)
    {
      /* RFC 3261 §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
      const char *code = sp1 + 1;

      if (!is_sip_version (line, sp1 - line))
        return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad status line");
      if (!is_sip_2_0 (line, sp1 - line))
        return fail (error, DT_SIP_PARSE_ERROR_VERSION, "Version not supported");
      if (end - code < 3 || !g_ascii_isdigit (code[0]) || !g_ascii_isdigit (code[1]) ||
          !g_ascii_isdigit (code[2]) || (end - code > 3 && code[3] != ' '))
        return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad status line");
      self->status_code = (guint) ((code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0'));
      if (self->status_code < 100 || self->status_code > 699)
        return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad status code");
      self->reason = end - code > 3 ? g_strndup (code + 4, end - code - 4) : g_strdup ("");
      self->is_request = FALSE;
      return TRUE;
    }

  /* RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version,
   * single spaces, method case-sensitive */
  sp2 = memchr (sp1 + 1, ' ', end - sp1 - 1);
  if (sp2 == NULL || sp2 == sp1 + 1 || memchr (sp2 + 1, ' ', end - sp2 - 1) != NULL)
    return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad request line");
  if (!is_sip_version (sp2 + 1, end - sp2 - 1))
    return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad request line");
  if (!is_sip_2_0 (sp2 + 1, end - sp2 - 1))
    return fail (error, DT_SIP_PARSE_ERROR_VERSION, "Version not supported");

  self->method = g_strndup (line, sp1 - line);
  self->request_uri = g_strndup (sp1 + 1, sp2 - sp1 - 1);
  self->is_request = TRUE;
  if (!is_token (self->method) || !is_absolute_uri (self->request_uri))
    return fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad request line");
  return TRUE;
}

/* Splits [p, end) into header fields, unfolding continuation lines
 * (RFC 3261 §7.3.1: LWS is CRLF followed by SP or HTAB). */
static gboolean
parse_header_block (GPtrArray   *headers,
                    const char  *p,
                    const char  *end,
                    GError     **error)
{
  g_autoptr(GString) value = NULL;
  const char *name = NULL;
  gsize name_len = 0;
  const char *line;
  gsize len;

  for (;;)
    {
      gboolean more = next_line (&p, end, &line, &len);

      if (more && !line_is_clean (line, len))
        return fail (error, DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line");

      if (more && len > 0 && is_ws (line[0]))
        {
          g_autofree char *piece = NULL;

          if (value == NULL)
            return fail (error, DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line");
          piece = strdup_trimmed (line, line + len);
          if (*piece != '\0')
            {
              if (value->len > 0)
                g_string_append_c (value, ' ');
              g_string_append (value, piece);
            }
          if (value->len > DT_SIP_MAX_HEADER_LENGTH)
            return fail (error, DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Header too long");
          continue;
        }

      if (value != NULL)
        {
          if (headers->len >= DT_SIP_MAX_HEADERS)
            return fail (error, DT_SIP_PARSE_ERROR_TOO_MANY_HEADERS, "Too many headers");
          g_ptr_array_add (headers,
                           header_new (name, name_len,
                                       g_string_free (g_steal_pointer (&value), FALSE)));
        }

      if (!more || len == 0)
        return TRUE;

      {
        const char *colon;
        const char *c = line;
        const char *line_end = line + len;

        /* RFC 3261 §7.3.1: field-name HCOLON field-value */
        while (c < line_end && is_token_char (*c))
          c++;
        name = line;
        name_len = c - line;
        while (c < line_end && is_ws (*c))
          c++;
        colon = c;
        if (name_len == 0 || colon >= line_end || *colon != ':')
          return fail (error, DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Malformed header line");
        {
          const char *v = colon + 1;
          const char *v_end = line_end;

          while (v < v_end && is_ws (*v))
            v++;
          while (v_end > v && is_ws (v_end[-1]))
            v_end--;
          if ((gsize) (v_end - v) > DT_SIP_MAX_HEADER_LENGTH)
            return fail (error, DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Header too long");
          value = g_string_new_len (v, v_end - v);
        }
      }
    }
}

/* RFC 3261 §20.14: Content-Length = 1*DIGIT; Dialtone refuses any value
 * that could not fit in a message it accepts. */
static gboolean
find_content_length (GPtrArray  *headers,
                     gboolean   *present,
                     gsize      *content_length,
                     GError    **error)
{
  Header *found = NULL;
  guint64 n;

  for (guint i = 0; i < headers->len; i++)
    {
      Header *h = g_ptr_array_index (headers, i);

      if (!header_is (h, "Content-Length"))
        continue;
      if (found != NULL)
        return fail (error, DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, "Duplicate Content-Length header");
      found = h;
    }

  *present = found != NULL;
  *content_length = 0;
  if (found == NULL)
    return TRUE;

  if (!g_ascii_isdigit (found->value[0]))
    return fail (error, DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length");
  for (const char *c = found->value; *c; c++)
    if (!g_ascii_isdigit (*c))
      return fail (error, DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Bad Content-Length");
  if (!parse_uint (found->value, DT_SIP_MAX_MESSAGE_SIZE, &n))
    return fail (error, DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Content-Length too large");
  *content_length = (gsize) n;
  return TRUE;
}

static gboolean
validate_message (DtSipMessage  *self,
                  GError       **error)
{
  guint n_mandatory = self->is_request ? G_N_ELEMENTS (mandatory_headers)
                                       : G_N_ELEMENTS (mandatory_headers) - 1;
  Header *h;
  guint count;
  guint64 n;

  for (guint i = 0; i < G_N_ELEMENTS (single_value_headers); i++)
    {
      find_header (self, single_value_headers[i], &count);
      if (count > 1)
        {
          g_autofree char *reason = g_strdup_printf ("Duplicate %s header",
                                                     single_value_headers[i]);
          return fail (error, DT_SIP_PARSE_ERROR_DUPLICATE_HEADER, reason);
        }
    }

  for (guint i = 0; i < n_mandatory; i++)
    {
      if (find_header (self, mandatory_headers[i], NULL) == NULL)
        {
          g_autofree char *reason = g_strdup_printf ("Missing %s header", mandatory_headers[i]);
          return fail (error, DT_SIP_PARSE_ERROR_MISSING_HEADER, reason);
        }
    }

  for (guint i = 0; i < self->headers->len; i++)
    {
      g_auto(GStrv) vias = NULL;

      h = g_ptr_array_index (self->headers, i);
      if (!header_is (h, "Via"))
        continue;
      vias = dt_sip_split_header_value ("Via", h->value);
      if (vias[0] == NULL)
        return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header");
      for (guint j = 0; vias[j] != NULL; j++)
        {
          g_autoptr(DtSipVia) via = dt_sip_via_parse (vias[j]);

          if (via == NULL)
            return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed Via header");
        }
    }

  ensure_cache (self);
  if (self->from == NULL)
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed From header");
  if (self->to == NULL)
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed To header");
  if (self->from->wildcard || self->to->wildcard)
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Malformed From header");

  h = find_header (self, "Call-ID", NULL);
  g_assert (h != NULL);
  /* RFC 3261 §25.1: callid = word [ "@" word ] */
  if (h->value[0] == '\0' || strpbrk (h->value, " \t") != NULL)
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Call-ID");

  if (!self->cseq_valid)
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad CSeq");
  /* RFC 3261 §8.1.1.5: the CSeq method matches the request's */
  if (self->is_request && g_strcmp0 (self->cseq_method, self->method) != 0)
    return fail (error, DT_SIP_PARSE_ERROR_CSEQ_METHOD, "CSeq method does not match");

  h = find_header (self, "Max-Forwards", NULL);
  if (h != NULL && !parse_uint (h->value, 255, &n))
    return fail (error, DT_SIP_PARSE_ERROR_BAD_HEADER, "Bad Max-Forwards");

  return TRUE;
}

/* Whether a 400 can be built (RFC 3261 §8.2.6.2 copies these). */
static gboolean
can_answer (DtSipMessage *self)
{
  Header *call_id;

  if (!self->is_request || g_strcmp0 (self->method, "ACK") == 0)
    return FALSE;
  invalidate_cache (self);
  ensure_cache (self);
  call_id = find_header (self, "Call-ID", NULL);
  return self->top_via != NULL && self->from != NULL && self->to != NULL &&
         self->cseq_valid && call_id != NULL && call_id->value[0] != '\0';
}

static void
set_content_length_value (DtSipMessage *self,
                          gboolean      append)
{
  gsize body_len = self->body != NULL ? g_bytes_get_size (self->body) : 0;
  Header *h = find_header (self, "Content-Length", NULL);

  if (h != NULL)
    {
      g_free (h->value);
      h->value = g_strdup_printf ("%" G_GSIZE_FORMAT, body_len);
    }
  else if (append)
    {
      g_ptr_array_add (self->headers,
                       header_new ("Content-Length", strlen ("Content-Length"),
                                   g_strdup_printf ("%" G_GSIZE_FORMAT, body_len)));
    }
}

static DtSipMessage *
parse_message (const guint8  *data,
               gsize          length,
               DtSipFraming   framing,
               DtSipMessage **started,
               GError       **error)
{
  g_autoptr(DtSipMessage) self = NULL;
  const char *text = (const char *) data;
  const char *p;
  const char *end;
  const char *line = NULL;
  gsize line_len = 0;
  gsize header_len;
  gsize body_start;
  gsize content_length;
  gsize available;
  gboolean has_length;

  if (length > DT_SIP_MAX_MESSAGE_SIZE)
    {
      fail (error, DT_SIP_PARSE_ERROR_TOO_LARGE, "Message too large");
      return NULL;
    }

  /* RFC 3261 §7.5: CRLFs before the start line are ignored */
  while (length > 0 && (text[0] == '\n' || (length > 1 && text[0] == '\r' && text[1] == '\n')))
    {
      gsize skip = text[0] == '\n' ? 1 : 2;

      text += skip;
      length -= skip;
    }
  if (length == 0)
    {
      fail (error, DT_SIP_PARSE_ERROR_EMPTY, "Empty message");
      return NULL;
    }

  if (!find_header_end (text, length, &header_len, &body_start))
    {
      if (framing == DT_SIP_FRAMING_STREAM)
        {
          fail (error, DT_SIP_PARSE_ERROR_HEADER_SYNTAX, "Missing end of headers");
          return NULL;
        }
      /* a datagram may end right after its last header line */
      header_len = length;
      body_start = length;
    }

  p = text;
  end = text + header_len;
  self = message_new ();
  next_line (&p, end, &line, &line_len);
  if (!parse_start_line (self, line, line_len, error))
    return NULL;
  *started = dt_sip_message_ref (self);

  if (!parse_header_block (self->headers, p, end, error))
    return NULL;

  if (!find_content_length (self->headers, &has_length, &content_length, error))
    return NULL;

  available = length - body_start;
  if (framing == DT_SIP_FRAMING_STREAM && !has_length)
    {
      fail (error, DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Missing Content-Length");
      return NULL;
    }
  if (has_length && content_length > available)
    {
      fail (error, DT_SIP_PARSE_ERROR_BODY_LENGTH, "Body shorter than Content-Length");
      return NULL;
    }
  /* RFC 3261 §18.3: on a datagram, bytes past Content-Length are dropped */
  if (framing == DT_SIP_FRAMING_STREAM && content_length < available)
    {
      fail (error, DT_SIP_PARSE_ERROR_BODY_LENGTH, "Body longer than Content-Length");
      return NULL;
    }
  if (!has_length)
    content_length = available;
  if (content_length > 0)
    self->body = g_bytes_new (text + body_start, content_length);
  set_content_length_value (self, TRUE);

  if (!validate_message (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * dt_sip_message_parse_full:
 * @data: (array length=length): the received bytes
 * @length: the length of @data
 * @framing: how @data was cut from the transport
 * @answerable: (out) (optional) (nullable) (transfer full): on failure, the
 *   partly parsed request when it holds enough (Via, From, To, Call-ID,
 *   CSeq) to build a `400` with dt_sip_message_new_response_for(), else %NULL
 * @error: return location for a #DtSipParseError
 *
 * Parses one SIP message (RFC 3261 §7). A request that cannot be answered
 * (garbage start line, a response, an ACK, or too little parsed) should be
 * dropped silently.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error
 */
DtSipMessage *
dt_sip_message_parse_full (const guint8  *data,
                           gsize          length,
                           DtSipFraming   framing,
                           DtSipMessage **answerable,
                           GError       **error)
{
  g_autoptr(DtSipMessage) started = NULL;
  g_autoptr(GError) local_error = NULL;
  DtSipMessage *self;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (answerable != NULL)
    *answerable = NULL;

  self = parse_message (data, length, framing, &started, &local_error);
  if (self != NULL)
    return self;

  if (answerable != NULL && started != NULL && can_answer (started))
    *answerable = g_steal_pointer (&started);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

/**
 * dt_sip_message_parse:
 * @data: (array length=length): the received bytes
 * @length: the length of @data
 * @framing: how @data was cut from the transport
 * @error: return location for a #DtSipParseError
 *
 * Parses one SIP message; see dt_sip_message_parse_full().
 *
 * Returns: (transfer full) (nullable): the message, or %NULL on error
 */
DtSipMessage *
dt_sip_message_parse (const guint8  *data,
                      gsize          length,
                      DtSipFraming   framing,
                      GError       **error)
{
  return dt_sip_message_parse_full (data, length, framing, NULL, error);
}

/**
 * dt_sip_parse_error_get_reason:
 * @error: an error from dt_sip_message_parse() or dt_sip_frame_stream()
 *
 * Returns: the reason phrase for a `400` reply (or `505` for
 *   %DT_SIP_PARSE_ERROR_VERSION), e.g. “Missing Call-ID header”
 */
const char *
dt_sip_parse_error_get_reason (const GError *error)
{
  g_return_val_if_fail (error != NULL, "Bad Request");

  if (error->domain != DT_SIP_PARSE_ERROR || error->message == NULL)
    return "Bad Request";
  return error->message;
}

/**
 * dt_sip_frame_stream:
 * @data: (array length=length): bytes received on a TCP or TLS connection,
 *   from the first byte not yet consumed
 * @length: the length of @data
 * @frame_length: (out): how many bytes at the front form the unit reported;
 *   with %DT_SIP_FRAME_NEED_MORE, the whole message's length once its
 *   headers are in (so the caller can wait for that much before calling
 *   again, rather than parsing the headers on every read), else 0
 * @error: return location for a #DtSipParseError on %DT_SIP_FRAME_ERROR
 *
 * Finds the next unit in a SIP stream (RFC 3261 §18.3): a keep-alive
 * (RFC 5626 §4.4.1) or a message framed by its Content-Length, which is
 * mandatory on streams. Hand a message's bytes to dt_sip_message_parse()
 * with %DT_SIP_FRAMING_STREAM, drop them, and call again. A lone CRLF at
 * the very end of @data is taken for a pong.
 *
 * Returns: what is at the front of @data
 */
DtSipFrame
dt_sip_frame_stream (const guint8  *data,
                     gsize          length,
                     gsize         *frame_length,
                     GError       **error)
{
  g_autoptr(DtSipMessage) probe = NULL;
  const char *text = (const char *) data;
  const char *p;
  const char *line = NULL;
  const char *lf;
  gsize line_len = 0;
  gsize window;
  gsize header_len;
  gsize body_start;
  gsize content_length;
  gboolean has_length;

  g_return_val_if_fail (data != NULL || length == 0, DT_SIP_FRAME_ERROR);
  g_return_val_if_fail (frame_length != NULL, DT_SIP_FRAME_ERROR);

  *frame_length = 0;
  if (length == 0)
    return DT_SIP_FRAME_NEED_MORE;

  if (text[0] == '\n')
    {
      *frame_length = 1;
      return DT_SIP_FRAME_PONG;
    }
  if (text[0] == '\r')
    {
      if (length < 2)
        return DT_SIP_FRAME_NEED_MORE;
      if (text[1] != '\n')
        {
          fail (error, DT_SIP_PARSE_ERROR_START_LINE, "Bad start line");
          return DT_SIP_FRAME_ERROR;
        }
      if (length >= 4 && text[2] == '\r' && text[3] == '\n')
        {
          *frame_length = 4;
          return DT_SIP_FRAME_PING;
        }
      if (length == 3 && text[2] == '\r')
        return DT_SIP_FRAME_NEED_MORE;
      *frame_length = 2;
      return DT_SIP_FRAME_PONG;
    }

  window = MIN (length, (gsize) DT_SIP_MAX_MESSAGE_SIZE);

  /* refuse garbage as soon as its first line is in */
  lf = memchr (text, '\n', MIN (window, (gsize) DT_SIP_MAX_HEADER_LENGTH + 2));
  if (lf == NULL)
    {
      if (length > DT_SIP_MAX_HEADER_LENGTH + 2)
        {
          fail (error, DT_SIP_PARSE_ERROR_HEADER_TOO_LONG, "Start line too long");
          return DT_SIP_FRAME_ERROR;
        }
      return DT_SIP_FRAME_NEED_MORE;
    }
  probe = message_new ();
  p = text;
  next_line (&p, lf + 1, &line, &line_len);
  if (!parse_start_line (probe, line, line_len, error))
    return DT_SIP_FRAME_ERROR;

  if (!find_header_end (text, window, &header_len, &body_start))
    {
      if (length >= DT_SIP_MAX_MESSAGE_SIZE)
        {
          fail (error, DT_SIP_PARSE_ERROR_TOO_LARGE, "Message too large");
          return DT_SIP_FRAME_ERROR;
        }
      return DT_SIP_FRAME_NEED_MORE;
    }

  if (!parse_header_block (probe->headers, p, text + header_len, error))
    return DT_SIP_FRAME_ERROR;
  if (!find_content_length (probe->headers, &has_length, &content_length, error))
    return DT_SIP_FRAME_ERROR;
  if (!has_length)
    {
      fail (error, DT_SIP_PARSE_ERROR_CONTENT_LENGTH, "Missing Content-Length");
      return DT_SIP_FRAME_ERROR;
    }
  if (body_start + content_length > DT_SIP_MAX_MESSAGE_SIZE)
    {
      fail (error, DT_SIP_PARSE_ERROR_TOO_LARGE, "Message too large");
      return DT_SIP_FRAME_ERROR;
    }
  *frame_length = body_start + content_length;
  if (length < body_start + content_length)
    return DT_SIP_FRAME_NEED_MORE;
  return DT_SIP_FRAME_MESSAGE;
}

/* --- construction and writing ---------------------------------------- */

/**
 * dt_sip_message_new_request:
 * @method: the method, a token such as `INVITE`
 * @request_uri: the Request-URI text
 *
 * Returns: (transfer full): a request with no header fields
 */
DtSipMessage *
dt_sip_message_new_request (const char *method,
                            const char *request_uri)
{
  DtSipMessage *self;

  g_return_val_if_fail (is_token (method), NULL);
  g_return_val_if_fail (request_uri != NULL && is_absolute_uri (request_uri), NULL);

  self = message_new ();
  self->is_request = TRUE;
  self->method = g_strdup (method);
  self->request_uri = g_strdup (request_uri);
  return self;
}

/**
 * dt_sip_message_new_response:
 * @status_code: 100–699
 * @reason: (nullable): the reason phrase
 *
 * Returns: (transfer full): a response with no header fields
 */
DtSipMessage *
dt_sip_message_new_response (guint       status_code,
                             const char *reason)
{
  DtSipMessage *self;

  g_return_val_if_fail (status_code >= 100 && status_code <= 699, NULL);
  g_return_val_if_fail (reason == NULL || is_valid_value (reason), NULL);

  self = message_new ();
  self->status_code = status_code;
  self->reason = g_strdup (reason != NULL ? reason : "");
  return self;
}

/**
 * dt_sip_message_new_response_for:
 * @request: the request to answer
 * @status_code: 100–699
 * @reason: (nullable): the reason phrase
 * @to_tag: (nullable): a tag to add to To when it has none
 *
 * Builds a response with the header fields RFC 3261 §8.2.6.2 copies from
 * the request: every Via in order, From, To, Call-ID and CSeq, and for a
 * 100 the Timestamp (§8.2.6.1).
 *
 * Returns: (transfer full): the response
 */
DtSipMessage *
dt_sip_message_new_response_for (DtSipMessage *request,
                                 guint         status_code,
                                 const char   *reason,
                                 const char   *to_tag)
{
  static const char * const copied[] = { "From", "To", "Call-ID", "CSeq", "Timestamp" };
  DtSipMessage *self;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (request->is_request, NULL);
  g_return_val_if_fail (to_tag == NULL || is_token (to_tag), NULL);

  self = dt_sip_message_new_response (status_code, reason);
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < request->headers->len; i++)
    {
      Header *h = g_ptr_array_index (request->headers, i);

      if (header_is (h, "Via"))
        dt_sip_message_append_header (self, "Via", h->value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      Header *h = find_header (request, copied[i], NULL);

      if (h == NULL || (i == 4 && status_code != 100))
        continue;
      if (i == 1 && to_tag != NULL)
        {
          g_autoptr(DtSipNameAddr) to = dt_sip_name_addr_parse (h->value);

          if (to == NULL || to->tag == NULL)
            {
              g_autofree char *tagged = g_strdup_printf ("%s;tag=%s", h->value, to_tag);

              dt_sip_message_append_header (self, "To", tagged);
              continue;
            }
        }
      dt_sip_message_append_header (self, copied[i], h->value);
    }

  return self;
}

/**
 * dt_sip_message_ref:
 * @self: a #DtSipMessage
 *
 * Returns: (transfer full): @self
 */
DtSipMessage *
dt_sip_message_ref (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * dt_sip_message_unref:
 * @self: (transfer full): a #DtSipMessage
 *
 * Drops a reference, freeing @self with the last one.
 */
void
dt_sip_message_unref (DtSipMessage *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  invalidate_cache (self);
  g_free (self->method);
  g_free (self->request_uri);
  g_free (self->reason);
  g_ptr_array_unref (self->headers);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_free (self);
}

/**
 * dt_sip_message_to_bytes:
 * @self: a #DtSipMessage
 *
 * Writes @self in RFC 3261 §7 form: start line, header fields in order
 * under their canonical names, Content-Length set to the body's length
 * (added at the end when missing), a blank line, the body.
 *
 * Returns: (transfer full): the message bytes
 */
GBytes *
dt_sip_message_to_bytes (DtSipMessage *self)
{
  GString *out;
  gsize body_len;
  gboolean wrote_length = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  body_len = self->body != NULL ? g_bytes_get_size (self->body) : 0;
  out = g_string_sized_new (512 + body_len);

  if (self->is_request)
    g_string_append_printf (out, "%s %s SIP/2.0\r\n", self->method, self->request_uri);
  else
    g_string_append_printf (out, "SIP/2.0 %03u %s\r\n", self->status_code, self->reason);

  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *h = g_ptr_array_index (self->headers, i);

      if (header_is (h, "Content-Length"))
        {
          if (!wrote_length)
            g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_len);
          wrote_length = TRUE;
          continue;
        }
      g_string_append (out, h->name);
      g_string_append (out, ": ");
      g_string_append (out, h->value);
      g_string_append (out, "\r\n");
    }
  if (!wrote_length)
    g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", body_len);
  g_string_append (out, "\r\n");
  if (body_len > 0)
    g_string_append_len (out, g_bytes_get_data (self->body, NULL), body_len);

  return g_string_free_to_bytes (out);
}

/**
 * dt_sip_message_equal:
 * @a: a #DtSipMessage
 * @b: a #DtSipMessage
 *
 * Compares start lines, header fields (names under their canonical form,
 * values byte for byte, in order) and bodies. Content-Length is left out:
 * it follows the body.
 *
 * Returns: whether @a and @b are the same message
 */
gboolean
dt_sip_message_equal (DtSipMessage *a,
                      DtSipMessage *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->is_request != b->is_request ||
      g_strcmp0 (a->method, b->method) != 0 ||
      g_strcmp0 (a->request_uri, b->request_uri) != 0 ||
      a->status_code != b->status_code ||
      g_strcmp0 (a->reason, b->reason) != 0)
    return FALSE;

  for (guint i = 0, j = 0;; i++, j++)
    {
      Header *ha;
      Header *hb;

      /* Content-Length follows the body, which is compared below */
      while (i < a->headers->len && header_is (g_ptr_array_index (a->headers, i), "Content-Length"))
        i++;
      while (j < b->headers->len && header_is (g_ptr_array_index (b->headers, j), "Content-Length"))
        j++;
      if (i == a->headers->len || j == b->headers->len)
        {
          if (i != a->headers->len || j != b->headers->len)
            return FALSE;
          break;
        }
      ha = g_ptr_array_index (a->headers, i);
      hb = g_ptr_array_index (b->headers, j);
      if (g_ascii_strcasecmp (ha->name, hb->name) != 0 || strcmp (ha->value, hb->value) != 0)
        return FALSE;
    }

  if (a->body == NULL || b->body == NULL)
    return (a->body == NULL || g_bytes_get_size (a->body) == 0) &&
           (b->body == NULL || g_bytes_get_size (b->body) == 0);
  return g_bytes_equal (a->body, b->body);
}

/* --- start line and body --------------------------------------------- */

/**
 * dt_sip_message_is_request:
 * @self: a #DtSipMessage
 *
 * Returns: %TRUE for a request, %FALSE for a response
 */
gboolean
dt_sip_message_is_request (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->is_request;
}

/**
 * dt_sip_message_get_method:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the request method, or %NULL for a response
 */
const char *
dt_sip_message_get_method (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->method;
}

/**
 * dt_sip_message_get_request_uri:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the Request-URI text, or %NULL for a response
 */
const char *
dt_sip_message_get_request_uri (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->request_uri;
}

/**
 * dt_sip_message_get_status_code:
 * @self: a #DtSipMessage
 *
 * Returns: the status code, or 0 for a request
 */
guint
dt_sip_message_get_status_code (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->status_code;
}

/**
 * dt_sip_message_get_reason:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the reason phrase, or %NULL for a request
 */
const char *
dt_sip_message_get_reason (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->reason;
}

/**
 * dt_sip_message_get_body:
 * @self: a #DtSipMessage
 *
 * Returns: (transfer none) (nullable): the body, or %NULL when empty
 */
GBytes *
dt_sip_message_get_body (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->body;
}

/**
 * dt_sip_message_set_body:
 * @self: a #DtSipMessage
 * @content_type: (nullable): the Content-Type to set with a body
 * @body: (nullable): the body, or %NULL to remove it and its Content-Type
 *
 * Replaces the body; Content-Length follows it.
 */
void
dt_sip_message_set_body (DtSipMessage *self,
                         const char   *content_type,
                         GBytes       *body)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (content_type == NULL || is_valid_value (content_type));

  g_clear_pointer (&self->body, g_bytes_unref);
  if (body != NULL && g_bytes_get_size (body) > 0)
    self->body = g_bytes_ref (body);

  if (self->body == NULL)
    dt_sip_message_remove_header (self, "Content-Type");
  else if (content_type != NULL)
    dt_sip_message_set_header (self, "Content-Type", content_type);
  set_content_length_value (self, FALSE);
}

/* --- header fields --------------------------------------------------- */

/**
 * dt_sip_header_canonical_name:
 * @name: a header name, in any case or compact form
 *
 * Returns: the canonical long name of a header Dialtone knows, such as
 *   `Call-ID` for `i`, or @name itself
 */
const char *
dt_sip_header_canonical_name (const char *name)
{
  const KnownHeader *known;

  g_return_val_if_fail (name != NULL, NULL);

  known = lookup_known (name, strlen (name));
  return known != NULL ? known->name : name;
}

/**
 * dt_sip_message_get_n_headers:
 * @self: a #DtSipMessage
 *
 * Returns: the number of header fields (lines, after unfolding)
 */
guint
dt_sip_message_get_n_headers (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->headers->len;
}

/**
 * dt_sip_message_get_header_at:
 * @self: a #DtSipMessage
 * @index: below dt_sip_message_get_n_headers()
 * @name: (out) (optional): the header name
 * @value: (out) (optional): the whole value of that line
 *
 * Reads one header field, in message order.
 */
void
dt_sip_message_get_header_at (DtSipMessage  *self,
                              guint          index,
                              const char   **name,
                              const char   **value)
{
  Header *h;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->headers->len);

  h = g_ptr_array_index (self->headers, index);
  if (name != NULL)
    *name = h->name;
  if (value != NULL)
    *value = h->value;
}

/**
 * dt_sip_message_get_header:
 * @self: a #DtSipMessage
 * @name: a header name, in any case or compact form
 *
 * Returns: (nullable): the whole value of the first line of @name
 */
const char *
dt_sip_message_get_header (DtSipMessage *self,
                           const char   *name)
{
  Header *h;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  h = find_header (self, dt_sip_header_canonical_name (name), NULL);
  return h != NULL ? h->value : NULL;
}

/**
 * dt_sip_message_get_header_values:
 * @self: a #DtSipMessage
 * @name: a header name, in any case or compact form
 *
 * Collects the values of every line of @name, each split as
 * dt_sip_split_header_value() does (RFC 3261 §7.3.1).
 *
 * Returns: (transfer full): the values, in order; empty when absent
 */
GStrv
dt_sip_message_get_header_values (DtSipMessage *self,
                                  const char   *name)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *canonical;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  builder = g_strv_builder_new ();
  canonical = dt_sip_header_canonical_name (name);
  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *h = g_ptr_array_index (self->headers, i);
      g_auto(GStrv) values = NULL;

      if (!header_is (h, canonical))
        continue;
      values = dt_sip_split_header_value (canonical, h->value);
      g_strv_builder_addv (builder, (const char **) values);
    }
  return g_strv_builder_end (builder);
}

/**
 * dt_sip_message_count_header:
 * @self: a #DtSipMessage
 * @name: a header name, in any case or compact form
 *
 * Returns: the number of values of @name over all its lines, as
 *   dt_sip_message_get_header_values() gives them
 */
guint
dt_sip_message_count_header (DtSipMessage *self,
                             const char   *name)
{
  g_auto(GStrv) values = NULL;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  values = dt_sip_message_get_header_values (self, name);
  return g_strv_length (values);
}

static gboolean
check_new_header (const char *name,
                  const char *value)
{
  g_return_val_if_fail (is_token (name), FALSE);
  g_return_val_if_fail (value != NULL && is_valid_value (value), FALSE);
  return TRUE;
}

static Header *
header_new_trimmed (const char *name,
                    const char *value)
{
  return header_new (name, strlen (name), strdup_trimmed (value, value + strlen (value)));
}

/**
 * dt_sip_message_append_header:
 * @self: a #DtSipMessage
 * @name: a header name; known headers are stored under their canonical name
 * @value: the value, without CR or LF
 *
 * Adds a header line after all others.
 */
void
dt_sip_message_append_header (DtSipMessage *self,
                              const char   *name,
                              const char   *value)
{
  g_return_if_fail (self != NULL);
  if (!check_new_header (name, value))
    return;

  g_ptr_array_add (self->headers, header_new_trimmed (name, value));
  invalidate_cache (self);
}

/**
 * dt_sip_message_prepend_header:
 * @self: a #DtSipMessage
 * @name: a header name
 * @value: the value, without CR or LF
 *
 * Adds a header line before the first line of the same name, or before
 * all lines when there is none: how a new Via goes on top (RFC 3261
 * §8.1.1.7, §16.6).
 */
void
dt_sip_message_prepend_header (DtSipMessage *self,
                               const char   *name,
                               const char   *value)
{
  Header *h;
  guint index = 0;

  g_return_if_fail (self != NULL);
  if (!check_new_header (name, value))
    return;

  h = header_new_trimmed (name, value);
  for (guint i = 0; i < self->headers->len; i++)
    {
      if (header_is (g_ptr_array_index (self->headers, i), h->name))
        {
          index = i;
          break;
        }
    }
  g_ptr_array_insert (self->headers, index, h);
  invalidate_cache (self);
}

/**
 * dt_sip_message_set_header:
 * @self: a #DtSipMessage
 * @name: a header name
 * @value: the value, without CR or LF
 *
 * Replaces the first line of @name in place and removes the others, or
 * appends the header when absent.
 */
void
dt_sip_message_set_header (DtSipMessage *self,
                           const char   *name,
                           const char   *value)
{
  const char *canonical;
  gboolean replaced = FALSE;

  g_return_if_fail (self != NULL);
  if (!check_new_header (name, value))
    return;

  canonical = dt_sip_header_canonical_name (name);
  for (guint i = 0; i < self->headers->len;)
    {
      Header *h = g_ptr_array_index (self->headers, i);

      if (!header_is (h, canonical))
        {
          i++;
        }
      else if (!replaced)
        {
          g_free (h->value);
          h->value = strdup_trimmed (value, value + strlen (value));
          replaced = TRUE;
          i++;
        }
      else
        {
          g_ptr_array_remove_index (self->headers, i);
        }
    }
  if (!replaced)
    g_ptr_array_add (self->headers, header_new_trimmed (name, value));
  invalidate_cache (self);
}

/**
 * dt_sip_message_remove_header:
 * @self: a #DtSipMessage
 * @name: a header name, in any case or compact form
 *
 * Removes every line of @name.
 *
 * Returns: the number of lines removed
 */
guint
dt_sip_message_remove_header (DtSipMessage *self,
                              const char   *name)
{
  const char *canonical;
  guint removed = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (name != NULL, 0);

  canonical = dt_sip_header_canonical_name (name);
  for (guint i = 0; i < self->headers->len;)
    {
      if (header_is (g_ptr_array_index (self->headers, i), canonical))
        {
          g_ptr_array_remove_index (self->headers, i);
          removed++;
        }
      else
        {
          i++;
        }
    }
  invalidate_cache (self);
  return removed;
}

/**
 * dt_sip_message_remove_first_value:
 * @self: a #DtSipMessage
 * @name: a header name, in any case or compact form
 *
 * Removes the first value of @name: the first element of a comma list, or
 * the whole first line when it holds one value. This is how a response's
 * top Via is taken off (RFC 3261 §18.1.2).
 *
 * Returns: whether a value was removed
 */
gboolean
dt_sip_message_remove_first_value (DtSipMessage *self,
                                   const char   *name)
{
  const char *canonical;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  canonical = dt_sip_header_canonical_name (name);
  for (guint i = 0; i < self->headers->len; i++)
    {
      Header *h = g_ptr_array_index (self->headers, i);
      g_auto(GStrv) values = NULL;

      if (!header_is (h, canonical))
        continue;
      values = dt_sip_split_header_value (canonical, h->value);
      if (values[0] == NULL)
        {
          g_ptr_array_remove_index (self->headers, i--);
          continue;
        }
      if (values[1] == NULL)
        {
          g_ptr_array_remove_index (self->headers, i);
        }
      else
        {
          g_free (h->value);
          h->value = g_strjoinv (", ", values + 1);
        }
      invalidate_cache (self);
      return TRUE;
    }
  return FALSE;
}

/* --- the common structured headers ----------------------------------- */

/**
 * dt_sip_message_get_call_id:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the Call-ID, compared byte for byte (RFC 3261 §8.1.1.4)
 */
const char *
dt_sip_message_get_call_id (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return dt_sip_message_get_header (self, "Call-ID");
}

/**
 * dt_sip_message_get_cseq:
 * @self: a #DtSipMessage
 * @number: (out) (optional): the sequence number
 * @method: (out) (optional) (transfer none): the method, valid until
 *   @self changes
 *
 * Returns: whether @self has a valid CSeq
 */
gboolean
dt_sip_message_get_cseq (DtSipMessage  *self,
                         guint32       *number,
                         const char   **method)
{
  g_return_val_if_fail (self != NULL, FALSE);

  ensure_cache (self);
  if (!self->cseq_valid)
    return FALSE;
  if (number != NULL)
    *number = self->cseq_number;
  if (method != NULL)
    *method = self->cseq_method;
  return TRUE;
}

/**
 * dt_sip_message_get_from_tag:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the From tag, valid until @self changes
 */
const char *
dt_sip_message_get_from_tag (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  ensure_cache (self);
  return self->from != NULL ? self->from->tag : NULL;
}

/**
 * dt_sip_message_get_to_tag:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the To tag, valid until @self changes
 */
const char *
dt_sip_message_get_to_tag (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  ensure_cache (self);
  return self->to != NULL ? self->to->tag : NULL;
}

/**
 * dt_sip_message_get_top_via:
 * @self: a #DtSipMessage
 *
 * Returns: (transfer none) (nullable): the first Via value, valid until
 *   @self changes
 */
DtSipVia *
dt_sip_message_get_top_via (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  ensure_cache (self);
  return self->top_via;
}

/**
 * dt_sip_message_get_top_via_branch:
 * @self: a #DtSipMessage
 *
 * Returns: (nullable): the branch of the first Via, which names the
 *   transaction (RFC 3261 §17.2.3), valid until @self changes
 */
const char *
dt_sip_message_get_top_via_branch (DtSipMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  ensure_cache (self);
  return self->top_via != NULL ? self->top_via->branch : NULL;
}

/**
 * dt_sip_message_get_max_forwards:
 * @self: a #DtSipMessage
 *
 * Returns: Max-Forwards (0–255), or -1 when absent or malformed
 */
gint
dt_sip_message_get_max_forwards (DtSipMessage *self)
{
  const char *value;
  guint64 n;

  g_return_val_if_fail (self != NULL, -1);

  value = dt_sip_message_get_header (self, "Max-Forwards");
  if (value == NULL || !parse_uint (value, 255, &n))
    return -1;
  return (gint) n;
}

/**
 * dt_sip_message_get_expires:
 * @self: a #DtSipMessage
 *
 * Returns: the Expires delta-seconds (RFC 3261 §20.19), or -1 when absent
 *   or malformed
 */
gint64
dt_sip_message_get_expires (DtSipMessage *self)
{
  const char *value;
  guint64 n;

  g_return_val_if_fail (self != NULL, -1);

  value = dt_sip_message_get_header (self, "Expires");
  if (value == NULL || !parse_uint (value, G_MAXUINT32, &n))
    return -1;
  return (gint64) n;
}
