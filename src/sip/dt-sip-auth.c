/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-auth.c
 *
 * Everything here works on one header value at a time. The four
 * authentication headers are never split on commas (RFC 3261 §7.3.1 lets
 * them appear several times instead); a caller with several values passes
 * them as an array.
 *
 * Server nonces carry their own proof of origin: base64 of a timestamp, 8
 * random bytes and HMAC-SHA-256(secret, timestamp || random || realm), with
 * a secret drawn when the server object is made. So the registrar keeps no
 * table of issued nonces, only of nonce counts already used, and a nonce
 * from before a restart simply reads as stale.
 *
 * Replays: with qop=auth the server keeps the highest nc seen for each
 * nonce and cnonce and refuses one that does not grow; without qop there
 * is no count, so each nonce is good for one request. Counts are recorded
 * only once a digest has verified, so forged requests cannot use them up,
 * and they are dropped when their nonce expires.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include "dt-sip-auth.h"

#include <string.h>
#include <sys/random.h>

/* A value rarely holds more than ten parameters; this bounds the work a
 * hostile one can cause. */
#define MAX_PARAMS 32

#define NONCE_TIME_BYTES   8
#define NONCE_RANDOM_BYTES 8
#define NONCE_MAC_BYTES    32
#define NONCE_BYTES        (NONCE_TIME_BYTES + NONCE_RANDOM_BYTES + NONCE_MAC_BYTES)
/* base64 of NONCE_BYTES, a multiple of three, so without padding */
#define NONCE_TEXT_LENGTH  (NONCE_BYTES / 3 * 4)

/* Sweep expired nonce counts once the table holds this many. */
#define SEEN_SWEEP_THRESHOLD 64

G_DEFINE_QUARK (dt-sip-auth-error-quark, dt_sip_auth_error)

G_DEFINE_BOXED_TYPE (DtSipAuthChallenge, dt_sip_auth_challenge,
                     dt_sip_auth_challenge_copy, dt_sip_auth_challenge_free)
G_DEFINE_BOXED_TYPE (DtSipAuthCredentials, dt_sip_auth_credentials,
                     dt_sip_auth_credentials_copy, dt_sip_auth_credentials_free)

typedef struct {
  char *name;
  char *value;
} Param;

/* Helpers: random bytes, hashing */

static void
random_bytes (guint8 *buf,
              gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = getrandom (buf + done, len - done, 0);

      if (n <= 0)
        break;
      done += (gsize) n;
    }

  /* getrandom() only fails on kernels older than 3.17 */
  for (; done < len; done++)
    buf[done] = (guint8) g_random_int_range (0, 256);
}

static char *
random_hex (gsize n_bytes)
{
  guint8 buf[32];
  GString *text = g_string_sized_new (n_bytes * 2);

  g_assert (n_bytes <= sizeof buf);
  random_bytes (buf, n_bytes);
  for (gsize i = 0; i < n_bytes; i++)
    g_string_append_printf (text, "%02x", buf[i]);

  return g_string_free (text, FALSE);
}

static GChecksumType
checksum_type (DtSipAuthAlgorithm algorithm)
{
  switch (algorithm)
    {
    case DT_SIP_AUTH_ALGORITHM_MD5:
    case DT_SIP_AUTH_ALGORITHM_MD5_SESS:
      return G_CHECKSUM_MD5;
    case DT_SIP_AUTH_ALGORITHM_SHA256:
    case DT_SIP_AUTH_ALGORITHM_SHA256_SESS:
      return G_CHECKSUM_SHA256;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
algorithm_is_sess (DtSipAuthAlgorithm algorithm)
{
  return algorithm == DT_SIP_AUTH_ALGORITHM_MD5_SESS ||
         algorithm == DT_SIP_AUTH_ALGORITHM_SHA256_SESS;
}

/* Preference among challenges for one realm: RFC 8760 §2.4 */
static int
algorithm_strength (DtSipAuthAlgorithm algorithm)
{
  return checksum_type (algorithm) == G_CHECKSUM_SHA256 ? 2 : 1;
}

/* Lower-case hex of H(first ":" … ":" last) */
G_GNUC_NULL_TERMINATED static char *
hash_joined (GChecksumType type,
             const char   *first,
             ...)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  const char *part = first;
  va_list args;

  va_start (args, first);
  while (part != NULL)
    {
      if (part != first)
        g_checksum_update (checksum, (const guchar *) ":", 1);
      g_checksum_update (checksum, (const guchar *) part, (gssize) strlen (part));
      part = va_arg (args, const char *);
    }
  va_end (args);

  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
equal_constant_time (const char *a,
                     const char *b)
{
  gsize len = strlen (a);
  guint8 diff = 0;

  /* The length of a digest is public: it follows from the algorithm. */
  if (len != strlen (b))
    return FALSE;

  for (gsize i = 0; i < len; i++)
    diff |= (guint8) (a[i] ^ b[i]);

  return diff == 0;
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    explicit_bzero (*secret, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

/* Helpers: parsing, RFC 3261 §25.1 and §20.44 */

static gboolean
is_token_char (guchar c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-.!%*_+`'~", c) != NULL);
}

/* Text written into a quoted-string must not end the header */
static gboolean
has_control_chars (const char *text)
{
  for (; *text != '\0'; text++)
    if (((guchar) *text < 0x20 && *text != '\t') || *text == 0x7f)
      return TRUE;
  return FALSE;
}

static gboolean
is_token (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!is_token_char ((guchar) *text))
      return FALSE;
  return TRUE;
}

static const char *
skip_lws (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  return p;
}

static void
param_free (gpointer data)
{
  Param *param = data;

  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

static const char *
param_lookup (GPtrArray  *params,
              const char *name)
{
  for (guint i = 0; i < params->len; i++)
    {
      const Param *param = g_ptr_array_index (params, i);

      if (g_ascii_strcasecmp (param->name, name) == 0)
        return param->value;
    }
  return NULL;
}

static const char *
read_token (const char  *p,
            char       **out)
{
  const char *start = p;

  while (is_token_char ((guchar) *p))
    p++;
  *out = p > start ? g_strndup (start, (gsize) (p - start)) : NULL;
  return p;
}

/* RFC 3261 §25.1: quoted-string with quoted-pair; @p is at the opening
 * quote. Returns NULL if the string is unterminated or holds a control
 * character, escaped or not. */
static const char *
read_quoted (const char  *p,
             char       **out)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert (*p == '"');
  for (p++; *p != '"'; p++)
    {
      guchar c = (guchar) *p;

      /* RFC 3261 allows an escaped control character, but it could not be
       * written back as qdtext; no real server sends one. */
      if (c == '\\')
        c = (guchar) *++p;
      if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f)
        return NULL;
      g_string_append_c (text, (char) c);
    }

  *out = g_string_free (g_steal_pointer (&text), FALSE);
  return p + 1;
}

static GPtrArray *
parse_digest_value (const char  *value,
                    GError     **error)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new_with_free_func (param_free);
  g_autofree char *scheme = NULL;
  const char *p;

  if (strlen (value) > DT_SIP_AUTH_MAX_VALUE_LENGTH)
    {
      g_set_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                   "Authentication header longer than %d bytes", DT_SIP_AUTH_MAX_VALUE_LENGTH);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Authentication header is not valid UTF-8");
      return NULL;
    }

  p = read_token (skip_lws (value), &scheme);
  if (scheme == NULL)
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Authentication header has no scheme");
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "Digest") != 0)
    {
      g_set_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                   "Authentication scheme “%s” is not supported", scheme);
      return NULL;
    }
  if (*p != '\0' && skip_lws (p) == p)
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Authentication scheme not followed by a space");
      return NULL;
    }

  for (;;)
    {
      g_autofree char *name = NULL;
      g_autofree char *param_value = NULL;
      Param *param;

      /* RFC 7230 §7: empty list elements are allowed and ignored */
      p = skip_lws (p);
      while (*p == ',')
        p = skip_lws (p + 1);
      if (*p == '\0')
        break;

      p = read_token (p, &name);
      if (name == NULL)
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Authentication parameter without a name");
          return NULL;
        }
      p = skip_lws (p);
      if (*p != '=')
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Authentication parameter without a value");
          return NULL;
        }
      p = skip_lws (p + 1);
      if (*p == '"')
        p = read_quoted (p, &param_value);
      else
        p = read_token (p, &param_value);
      if (p == NULL || param_value == NULL)
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Authentication parameter with an invalid value");
          return NULL;
        }
      if (param_lookup (params, name) != NULL)
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Authentication parameter given twice");
          return NULL;
        }
      if (params->len >= MAX_PARAMS)
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Too many authentication parameters");
          return NULL;
        }

      param = g_new0 (Param, 1);
      param->name = g_steal_pointer (&name);
      param->value = g_steal_pointer (&param_value);
      g_ptr_array_add (params, param);

      p = skip_lws (p);
      if (*p != ',' && *p != '\0')
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Authentication parameters not separated by commas");
          return NULL;
        }
    }

  if (params->len == 0)
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Digest authentication header without parameters");
      return NULL;
    }

  return g_steal_pointer (&params);
}

static gboolean
parse_algorithm (const char          *text,
                 DtSipAuthAlgorithm  *algorithm,
                 GError             **error)
{
  /* RFC 7616 §3.3: no algorithm parameter means MD5 */
  if (text == NULL || g_ascii_strcasecmp (text, "MD5") == 0)
    *algorithm = DT_SIP_AUTH_ALGORITHM_MD5;
  else if (g_ascii_strcasecmp (text, "MD5-sess") == 0)
    *algorithm = DT_SIP_AUTH_ALGORITHM_MD5_SESS;
  else if (g_ascii_strcasecmp (text, "SHA-256") == 0)
    *algorithm = DT_SIP_AUTH_ALGORITHM_SHA256;
  else if (g_ascii_strcasecmp (text, "SHA-256-sess") == 0)
    *algorithm = DT_SIP_AUTH_ALGORITHM_SHA256_SESS;
  else
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                           "Digest algorithm is not supported");
      return FALSE;
    }
  return TRUE;
}

static gboolean
require_params (GPtrArray          *params,
                const char * const *names,
                GError            **error)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = param_lookup (params, names[i]);

      if (value == NULL || *value == '\0')
        {
          g_set_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                       "Digest authentication header without “%s”", names[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* RFC 7616 §3.3: qop-options is a quoted, comma-separated list of tokens */
static gboolean
qop_options_include_auth (const char *options)
{
  g_auto(GStrv) tokens = g_strsplit (options, ",", -1);

  for (guint i = 0; tokens[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (tokens[i]), "auth") == 0)
      return TRUE;
  return FALSE;
}

static void
append_quoted (GString    *text,
               const char *name,
               const char *value)
{
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append_printf (text, "%s=\"", name);
  for (; *value != '\0'; value++)
    {
      if (*value == '"' || *value == '\\')
        g_string_append_c (text, '\\');
      g_string_append_c (text, *value);
    }
  g_string_append_c (text, '"');
}

static void
append_token (GString    *text,
              const char *name,
              const char *value)
{
  if (text->len > 0)
    g_string_append (text, ", ");
  g_string_append_printf (text, "%s=%s", name, value);
}

/* Public API: values */

/**
 * dt_sip_auth_challenge_parse:
 * @value: a WWW-Authenticate or Proxy-Authenticate header value
 * @error: return location for a #DT_SIP_AUTH_ERROR
 *
 * Reads one Digest challenge. A challenge with an algorithm Dialtone does
 * not know, or that offers only qop=auth-int, gives
 * %DT_SIP_AUTH_ERROR_UNSUPPORTED.
 *
 * Returns: (transfer full) (nullable): the challenge, or %NULL with @error set
 */
DtSipAuthChallenge *
dt_sip_auth_challenge_parse (const char  *value,
                             GError     **error)
{
  static const char * const required[] = { "realm", "nonce", NULL };
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  const char *qop;
  const char *stale;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params = parse_digest_value (value, error);
  if (params == NULL || !require_params (params, required, error))
    return NULL;

  challenge = g_new0 (DtSipAuthChallenge, 1);
  challenge->realm = g_strdup (param_lookup (params, "realm"));
  challenge->nonce = g_strdup (param_lookup (params, "nonce"));
  challenge->opaque = g_strdup (param_lookup (params, "opaque"));
  challenge->domain = g_strdup (param_lookup (params, "domain"));

  if (!parse_algorithm (param_lookup (params, "algorithm"), &challenge->algorithm, error))
    return NULL;

  qop = param_lookup (params, "qop");
  if (qop != NULL)
    {
      if (!qop_options_include_auth (qop))
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                               "Digest challenge offers no qop=auth");
          return NULL;
        }
      challenge->qop_auth = TRUE;
    }
  else if (algorithm_is_sess (challenge->algorithm))
    {
      /* RFC 2617 §3.2.2.2 needs a cnonce for -sess, and §3.2.2 forbids one
       * without qop */
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                           "Digest challenge uses a session algorithm without qop");
      return NULL;
    }

  /* RFC 7616 §3.3: anything but "true" is false */
  stale = param_lookup (params, "stale");
  challenge->stale = stale != NULL && g_ascii_strcasecmp (stale, "true") == 0;

  return g_steal_pointer (&challenge);
}

/**
 * dt_sip_auth_challenge_pick:
 * @values: (array zero-terminated=1): the values of every WWW-Authenticate
 *   (or every Proxy-Authenticate) header of one response, in order
 * @error: return location for a #DT_SIP_AUTH_ERROR
 *
 * Chooses the challenge to answer: the strongest algorithm Dialtone
 * supports (SHA-256 over MD5), and among equals the topmost, as RFC 8760
 * §2.4 lists challenges in the server's order of preference. Values that
 * cannot be read or answered are skipped. For several realms, see
 * dt_sip_auth_client_handle_challenges().
 *
 * Returns: (transfer full) (nullable): the challenge, or %NULL with @error
 *   set to the reason the last value was skipped
 */
DtSipAuthChallenge *
dt_sip_auth_challenge_pick (const char * const  *values,
                            GError             **error)
{
  g_autoptr(DtSipAuthChallenge) best = NULL;
  g_autoptr(GError) last_error = NULL;

  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autoptr(DtSipAuthChallenge) challenge = NULL;

      g_clear_error (&last_error);
      challenge = dt_sip_auth_challenge_parse (values[i], &last_error);
      if (challenge == NULL)
        continue;
      if (best == NULL ||
          algorithm_strength (challenge->algorithm) > algorithm_strength (best->algorithm))
        {
          g_clear_pointer (&best, dt_sip_auth_challenge_free);
          best = g_steal_pointer (&challenge);
        }
    }

  if (best == NULL)
    {
      if (last_error != NULL)
        g_propagate_error (error, g_steal_pointer (&last_error));
      else
        g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                             "No authentication challenge");
    }

  return g_steal_pointer (&best);
}

/**
 * dt_sip_auth_challenge_copy:
 * @self: a challenge
 *
 * Returns: (transfer full): a copy of @self
 */
DtSipAuthChallenge *
dt_sip_auth_challenge_copy (const DtSipAuthChallenge *self)
{
  DtSipAuthChallenge *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (DtSipAuthChallenge, 1);
  copy->realm = g_strdup (self->realm);
  copy->nonce = g_strdup (self->nonce);
  copy->opaque = g_strdup (self->opaque);
  copy->domain = g_strdup (self->domain);
  copy->algorithm = self->algorithm;
  copy->stale = self->stale;
  copy->qop_auth = self->qop_auth;
  return copy;
}

/**
 * dt_sip_auth_challenge_free:
 * @self: (nullable): a challenge
 *
 * Frees @self.
 */
void
dt_sip_auth_challenge_free (DtSipAuthChallenge *self)
{
  if (self == NULL)
    return;
  g_free (self->realm);
  g_free (self->nonce);
  g_free (self->opaque);
  g_free (self->domain);
  g_free (self);
}

/**
 * dt_sip_auth_credentials_parse:
 * @value: an Authorization or Proxy-Authorization header value
 * @error: return location for a #DT_SIP_AUTH_ERROR
 *
 * Reads one set of Digest credentials. With qop=auth, cnonce and an
 * eight-digit nc are required; without qop they are ignored.
 *
 * Returns: (transfer full) (nullable): the credentials, or %NULL with @error
 *   set
 */
DtSipAuthCredentials *
dt_sip_auth_credentials_parse (const char  *value,
                               GError     **error)
{
  static const char * const required[] = {
    "username", "realm", "nonce", "uri", "response", NULL
  };
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(DtSipAuthCredentials) credentials = NULL;
  const char *qop;
  const char *response;
  gsize response_length;

  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params = parse_digest_value (value, error);
  if (params == NULL || !require_params (params, required, error))
    return NULL;

  credentials = g_new0 (DtSipAuthCredentials, 1);
  credentials->username = g_strdup (param_lookup (params, "username"));
  credentials->realm = g_strdup (param_lookup (params, "realm"));
  credentials->nonce = g_strdup (param_lookup (params, "nonce"));
  credentials->uri = g_strdup (param_lookup (params, "uri"));
  credentials->opaque = g_strdup (param_lookup (params, "opaque"));

  if (!parse_algorithm (param_lookup (params, "algorithm"), &credentials->algorithm, error))
    return NULL;

  response = param_lookup (params, "response");
  response_length = g_checksum_type_get_length (checksum_type (credentials->algorithm)) * 2;
  if (strlen (response) != response_length)
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Digest response has the wrong length");
      return NULL;
    }
  for (gsize i = 0; i < response_length; i++)
    {
      if (!g_ascii_isxdigit (response[i]))
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Digest response is not hexadecimal");
          return NULL;
        }
    }
  credentials->response = g_ascii_strdown (response, -1);

  qop = param_lookup (params, "qop");
  if (qop != NULL)
    {
      static const char * const required_with_qop[] = { "cnonce", "nc", NULL };
      const char *nc;
      guint64 count;

      if (g_ascii_strcasecmp (qop, "auth") != 0)
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                               "Digest qop is not supported");
          return NULL;
        }
      if (!require_params (params, required_with_qop, error))
        return NULL;

      /* RFC 7616 §3.4: nc is exactly 8 hex digits, counting from 1 */
      nc = param_lookup (params, "nc");
      if (strlen (nc) != 8 ||
          !g_ascii_string_to_unsigned (nc, 16, 1, G_MAXUINT32, &count, NULL))
        {
          g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                               "Digest nonce count is invalid");
          return NULL;
        }

      credentials->qop_auth = TRUE;
      credentials->nc = (guint32) count;
      credentials->cnonce = g_strdup (param_lookup (params, "cnonce"));
    }
  else if (algorithm_is_sess (credentials->algorithm))
    {
      g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_MALFORMED,
                           "Digest session algorithm without qop");
      return NULL;
    }

  return g_steal_pointer (&credentials);
}

/**
 * dt_sip_auth_credentials_copy:
 * @self: credentials
 *
 * Returns: (transfer full): a copy of @self
 */
DtSipAuthCredentials *
dt_sip_auth_credentials_copy (const DtSipAuthCredentials *self)
{
  DtSipAuthCredentials *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (DtSipAuthCredentials, 1);
  copy->username = g_strdup (self->username);
  copy->realm = g_strdup (self->realm);
  copy->nonce = g_strdup (self->nonce);
  copy->uri = g_strdup (self->uri);
  copy->response = g_strdup (self->response);
  copy->cnonce = g_strdup (self->cnonce);
  copy->opaque = g_strdup (self->opaque);
  copy->algorithm = self->algorithm;
  copy->qop_auth = self->qop_auth;
  copy->nc = self->nc;
  return copy;
}

/**
 * dt_sip_auth_credentials_free:
 * @self: (nullable): credentials
 *
 * Frees @self.
 */
void
dt_sip_auth_credentials_free (DtSipAuthCredentials *self)
{
  if (self == NULL)
    return;
  g_free (self->username);
  g_free (self->realm);
  g_free (self->nonce);
  g_free (self->uri);
  g_free (self->response);
  g_free (self->cnonce);
  g_free (self->opaque);
  g_free (self);
}

/**
 * dt_sip_auth_algorithm_to_string:
 * @algorithm: an algorithm
 *
 * Returns: the token for @algorithm in the `algorithm` parameter
 */
const char *
dt_sip_auth_algorithm_to_string (DtSipAuthAlgorithm algorithm)
{
  switch (algorithm)
    {
    case DT_SIP_AUTH_ALGORITHM_MD5:
      return "MD5";
    case DT_SIP_AUTH_ALGORITHM_MD5_SESS:
      return "MD5-sess";
    case DT_SIP_AUTH_ALGORITHM_SHA256:
      return "SHA-256";
    case DT_SIP_AUTH_ALGORITHM_SHA256_SESS:
      return "SHA-256-sess";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * dt_sip_auth_compute_response:
 * @algorithm: the hash
 * @username: the user
 * @realm: the realm
 * @password: the password
 * @nonce: the server's nonce
 * @cnonce: (nullable): the client nonce for qop=auth, %NULL for no qop
 * @nc: the nonce count for qop=auth
 * @method: the request method
 * @uri: the digest-uri
 *
 * Computes the request digest of RFC 7616 §3.4.1 (with the -sess HA1 of
 * §3.4.2), or without qop the RFC 2069 form H(HA1:nonce:HA2) that RFC 3261
 * §22.4 keeps.
 *
 * Returns: (transfer full): the digest in lower-case hex
 */
char *
dt_sip_auth_compute_response (DtSipAuthAlgorithm  algorithm,
                              const char         *username,
                              const char         *realm,
                              const char         *password,
                              const char         *nonce,
                              const char         *cnonce,
                              guint32             nc,
                              const char         *method,
                              const char         *uri)
{
  GChecksumType type;
  g_autofree char *ha1 = NULL;
  g_autofree char *ha2 = NULL;
  g_autofree char *nc_text = NULL;

  g_return_val_if_fail (username != NULL && realm != NULL && password != NULL, NULL);
  g_return_val_if_fail (nonce != NULL && method != NULL && uri != NULL, NULL);
  g_return_val_if_fail (cnonce != NULL || !algorithm_is_sess (algorithm), NULL);

  type = checksum_type (algorithm);
  ha1 = hash_joined (type, username, realm, password, NULL);
  if (algorithm_is_sess (algorithm))
    {
      g_autofree char *user_hash = g_steal_pointer (&ha1);

      ha1 = hash_joined (type, user_hash, nonce, cnonce, NULL);
    }
  ha2 = hash_joined (type, method, uri, NULL);

  if (cnonce == NULL)
    return hash_joined (type, ha1, nonce, ha2, NULL);

  nc_text = g_strdup_printf ("%08x", nc);
  return hash_joined (type, ha1, nonce, nc_text, cnonce, "auth", ha2, NULL);
}

/* Client */

typedef struct {
  DtSipAuthHeader     header;
  DtSipAuthChallenge *challenge;
  char               *cnonce;
  guint32             nc;
  /* credentials for this nonce went out in a request */
  gboolean            sent;
  /* a request with these credentials was accepted */
  gboolean            proven;
  gboolean            stale_retried;
} RealmEntry;

struct _DtSipAuthClient {
  GObject              parent_instance;

  char                *username;
  char                *password;
  GPtrArray           *entries;

  DtSipAuthCnonceFunc  cnonce_func;
  gpointer             cnonce_data;
  GDestroyNotify       cnonce_destroy;
};

G_DEFINE_FINAL_TYPE (DtSipAuthClient, dt_sip_auth_client, G_TYPE_OBJECT)

static void
realm_entry_free (gpointer data)
{
  RealmEntry *entry = data;

  dt_sip_auth_challenge_free (entry->challenge);
  g_free (entry->cnonce);
  g_free (entry);
}

static RealmEntry *
client_find_entry (DtSipAuthClient *self,
                   DtSipAuthHeader  header,
                   const char      *realm)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      RealmEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->header == header && g_str_equal (entry->challenge->realm, realm))
        return entry;
    }
  return NULL;
}

static void
realm_entry_take_challenge (RealmEntry         *entry,
                            DtSipAuthChallenge *challenge)
{
  g_clear_pointer (&entry->challenge, dt_sip_auth_challenge_free);
  g_clear_pointer (&entry->cnonce, g_free);
  entry->challenge = challenge;
  entry->nc = 0;
  entry->sent = FALSE;
  entry->proven = FALSE;
}

static char *
client_make_cnonce (DtSipAuthClient *self)
{
  if (self->cnonce_func != NULL)
    return self->cnonce_func (self->cnonce_data);
  return random_hex (16);
}

static void
dt_sip_auth_client_finalize (GObject *object)
{
  DtSipAuthClient *self = DT_SIP_AUTH_CLIENT (object);

  if (self->cnonce_destroy != NULL)
    self->cnonce_destroy (self->cnonce_data);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->username, g_free);
  clear_secret (&self->password);

  G_OBJECT_CLASS (dt_sip_auth_client_parent_class)->finalize (object);
}

static void
dt_sip_auth_client_class_init (DtSipAuthClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dt_sip_auth_client_finalize;
}

static void
dt_sip_auth_client_init (DtSipAuthClient *self)
{
  self->entries = g_ptr_array_new_with_free_func (realm_entry_free);
}

/**
 * dt_sip_auth_client_new:
 * @username: the authentication user
 * @password: the password
 *
 * Creates a credentials cache for one account. It remembers the last
 * challenge of each realm, so later requests go out pre-authorised with
 * an increasing nonce count.
 *
 * Returns: (transfer full): a new #DtSipAuthClient
 */
DtSipAuthClient *
dt_sip_auth_client_new (const char *username,
                        const char *password)
{
  DtSipAuthClient *self;

  g_return_val_if_fail (username != NULL && g_utf8_validate (username, -1, NULL), NULL);
  g_return_val_if_fail (!has_control_chars (username), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  self = g_object_new (DT_SIP_TYPE_AUTH_CLIENT, NULL);
  self->username = g_strdup (username);
  self->password = g_strdup (password);
  return self;
}

/**
 * dt_sip_auth_client_set_cnonce_func:
 * @self: a #DtSipAuthClient
 * @func: (nullable): makes client nonces; %NULL for random ones
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Replaces the client nonce source, for tests.
 */
void
dt_sip_auth_client_set_cnonce_func (DtSipAuthClient     *self,
                                    DtSipAuthCnonceFunc  func,
                                    gpointer             user_data,
                                    GDestroyNotify       destroy)
{
  g_return_if_fail (DT_SIP_IS_AUTH_CLIENT (self));

  if (self->cnonce_destroy != NULL)
    self->cnonce_destroy (self->cnonce_data);
  self->cnonce_func = func;
  self->cnonce_data = user_data;
  self->cnonce_destroy = destroy;
}

/**
 * dt_sip_auth_client_handle_challenges:
 * @self: a #DtSipAuthClient
 * @header: which header the values come from
 * @values: (array zero-terminated=1): every value of that header in a 401
 *   or 407 response, in order
 * @error: return location for a #DT_SIP_AUTH_ERROR, set unless the result
 *   is %DT_SIP_AUTH_CLIENT_RETRY
 *
 * Takes the challenges of a response to a request sent with this cache's
 * credentials (or with none). Each realm gets its strongest supported
 * challenge. A challenge that answers credentials already sent means they
 * were refused, except once with stale=true (RFC 7616 §3.3: the password
 * was right, only the nonce had expired) and once after credentials that
 * had been accepted before (the server may have restarted).
 *
 * Returns: whether to resend the request, give up with "Authentication
 *   failed", or give up because nothing could be answered
 */
DtSipAuthClientResult
dt_sip_auth_client_handle_challenges (DtSipAuthClient     *self,
                                      DtSipAuthHeader      header,
                                      const char * const  *values,
                                      GError             **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (
    (GDestroyNotify) dt_sip_auth_challenge_free);
  g_autoptr(GError) last_error = NULL;
  g_autofree char *failed_realm = NULL;

  g_return_val_if_fail (DT_SIP_IS_AUTH_CLIENT (self), DT_SIP_AUTH_CLIENT_UNSUPPORTED);
  g_return_val_if_fail (values != NULL, DT_SIP_AUTH_CLIENT_UNSUPPORTED);
  g_return_val_if_fail (error == NULL || *error == NULL, DT_SIP_AUTH_CLIENT_UNSUPPORTED);

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autoptr(DtSipAuthChallenge) challenge = NULL;
      gboolean placed = FALSE;

      g_clear_error (&last_error);
      challenge = dt_sip_auth_challenge_parse (values[i], &last_error);
      if (challenge == NULL)
        {
          g_debug ("Skipping authentication challenge: %s", last_error->message);
          continue;
        }

      for (guint j = 0; j < chosen->len && !placed; j++)
        {
          DtSipAuthChallenge *other = g_ptr_array_index (chosen, j);

          if (!g_str_equal (other->realm, challenge->realm))
            continue;
          placed = TRUE;
          if (algorithm_strength (challenge->algorithm) > algorithm_strength (other->algorithm))
            {
              dt_sip_auth_challenge_free (other);
              g_ptr_array_index (chosen, j) = g_steal_pointer (&challenge);
            }
        }
      if (!placed)
        g_ptr_array_add (chosen, g_steal_pointer (&challenge));
    }

  if (chosen->len == 0)
    {
      if (last_error != NULL)
        g_set_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                     "No usable authentication challenge: %s", last_error->message);
      else
        g_set_error_literal (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_UNSUPPORTED,
                             "No authentication challenge");
      return DT_SIP_AUTH_CLIENT_UNSUPPORTED;
    }

  for (guint i = 0; i < chosen->len; i++)
    {
      DtSipAuthChallenge *challenge = g_ptr_array_index (chosen, i);
      RealmEntry *entry = client_find_entry (self, header, challenge->realm);

      g_ptr_array_index (chosen, i) = NULL;

      if (entry == NULL)
        {
          entry = g_new0 (RealmEntry, 1);
          entry->header = header;
          realm_entry_take_challenge (entry, challenge);
          g_ptr_array_add (self->entries, entry);
        }
      else if (!entry->sent)
        {
          realm_entry_take_challenge (entry, challenge);
        }
      else if (challenge->stale && !entry->stale_retried)
        {
          realm_entry_take_challenge (entry, challenge);
          entry->stale_retried = TRUE;
        }
      else if (entry->proven)
        {
          realm_entry_take_challenge (entry, challenge);
        }
      else
        {
          if (failed_realm == NULL)
            failed_realm = g_strdup (challenge->realm);
          g_ptr_array_remove (self->entries, entry);
          dt_sip_auth_challenge_free (challenge);
        }
    }

  if (failed_realm != NULL)
    {
      g_set_error (error, DT_SIP_AUTH_ERROR, DT_SIP_AUTH_ERROR_REJECTED,
                   "Authentication failed for realm “%s”", failed_realm);
      return DT_SIP_AUTH_CLIENT_FAILED;
    }

  return DT_SIP_AUTH_CLIENT_RETRY;
}

/**
 * dt_sip_auth_client_authorize:
 * @self: a #DtSipAuthClient
 * @header: %DT_SIP_AUTH_HEADER_WWW for Authorization values,
 *   %DT_SIP_AUTH_HEADER_PROXY for Proxy-Authorization values
 * @method: the request method
 * @uri: the Request-URI exactly as it will be sent
 *
 * Writes credentials for every realm known for @header, for a request
 * about to be sent. Each call counts as one use of each nonce.
 *
 * Returns: (transfer full) (array zero-terminated=1): header values, one
 *   per realm, possibly none
 */
char **
dt_sip_auth_client_authorize (DtSipAuthClient *self,
                              DtSipAuthHeader  header,
                              const char      *method,
                              const char      *uri)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (DT_SIP_IS_AUTH_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL && is_token (method), NULL);
  g_return_val_if_fail (uri != NULL && *uri != '\0' && !has_control_chars (uri), NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      RealmEntry *entry = g_ptr_array_index (self->entries, i);
      DtSipAuthChallenge *challenge = entry->challenge;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *response = NULL;
      g_autofree char *nc_text = NULL;

      if (entry->header != header)
        continue;

      if (challenge->qop_auth)
        {
          /* Let the server challenge again rather than wrap the count */
          if (entry->nc == G_MAXUINT32)
            continue;
          entry->nc++;
          if (entry->cnonce == NULL)
            entry->cnonce = client_make_cnonce (self);
          nc_text = g_strdup_printf ("%08x", entry->nc);
        }

      response = dt_sip_auth_compute_response (challenge->algorithm, self->username,
                                               challenge->realm, self->password,
                                               challenge->nonce,
                                               challenge->qop_auth ? entry->cnonce : NULL,
                                               entry->nc, method, uri);
      entry->sent = TRUE;

      /* RFC 7616 §3.4: qop, nc and algorithm are tokens, the rest quoted */
      append_quoted (text, "username", self->username);
      append_quoted (text, "realm", challenge->realm);
      append_quoted (text, "nonce", challenge->nonce);
      append_quoted (text, "uri", uri);
      append_quoted (text, "response", response);
      append_token (text, "algorithm", dt_sip_auth_algorithm_to_string (challenge->algorithm));
      if (challenge->qop_auth)
        append_quoted (text, "cnonce", entry->cnonce);
      if (challenge->opaque != NULL)
        append_quoted (text, "opaque", challenge->opaque);
      if (challenge->qop_auth)
        {
          append_token (text, "qop", "auth");
          append_token (text, "nc", nc_text);
        }

      g_string_prepend (text, "Digest ");
      g_strv_builder_add (builder, text->str);
    }

  return g_strv_builder_end (builder);
}

/**
 * dt_sip_auth_client_accepted:
 * @self: a #DtSipAuthClient
 *
 * Tells the cache that the last request sent with its credentials got a
 * final response other than 401 or 407, so the password is known good.
 */
void
dt_sip_auth_client_accepted (DtSipAuthClient *self)
{
  g_return_if_fail (DT_SIP_IS_AUTH_CLIENT (self));

  for (guint i = 0; i < self->entries->len; i++)
    {
      RealmEntry *entry = g_ptr_array_index (self->entries, i);

      if (entry->sent)
        {
          entry->proven = TRUE;
          entry->stale_retried = FALSE;
        }
    }
}

/**
 * dt_sip_auth_client_forget:
 * @self: a #DtSipAuthClient
 *
 * Drops every cached challenge.
 */
void
dt_sip_auth_client_forget (DtSipAuthClient *self)
{
  g_return_if_fail (DT_SIP_IS_AUTH_CLIENT (self));

  g_ptr_array_set_size (self->entries, 0);
}

/* Server */

typedef struct {
  gint64  issued;
  guint32 nc;
} SeenNonce;

struct _DtSipAuthServer {
  GObject                parent_instance;

  char                  *realm;
  guint                  nonce_lifetime;
  gboolean               md5_only;
  gboolean               qop;

  guint8                 secret[32];
  /* nonce, or nonce "\n" cnonce with qop → SeenNonce */
  GHashTable            *seen;

  DtSipAuthPasswordFunc  password_func;
  gpointer               password_data;
  GDestroyNotify         password_destroy;

  DtSipAuthClockFunc     clock_func;
  gpointer               clock_data;
};

enum {
  PROP_0,
  PROP_REALM,
  PROP_NONCE_LIFETIME,
  PROP_MD5_ONLY,
  PROP_QOP,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (DtSipAuthServer, dt_sip_auth_server, G_TYPE_OBJECT)

static gint64
server_now (DtSipAuthServer *self)
{
  if (self->clock_func != NULL)
    return self->clock_func (self->clock_data);
  return g_get_monotonic_time ();
}

static void
server_nonce_mac (DtSipAuthServer *self,
                  const guint8    *stamp,
                  guint8          *mac)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, self->secret, sizeof self->secret);
  gsize mac_length = NONCE_MAC_BYTES;

  g_hmac_update (hmac, stamp, NONCE_TIME_BYTES + NONCE_RANDOM_BYTES);
  g_hmac_update (hmac, (const guchar *) self->realm, (gssize) strlen (self->realm));
  g_hmac_get_digest (hmac, mac, &mac_length);
  g_assert (mac_length == NONCE_MAC_BYTES);
}

static char *
server_make_nonce (DtSipAuthServer *self)
{
  guint8 bytes[NONCE_BYTES];
  guint64 now = (guint64) server_now (self);

  for (guint i = 0; i < NONCE_TIME_BYTES; i++)
    bytes[i] = (guint8) (now >> (8 * (NONCE_TIME_BYTES - 1 - i)));
  random_bytes (bytes + NONCE_TIME_BYTES, NONCE_RANDOM_BYTES);
  server_nonce_mac (self, bytes, bytes + NONCE_TIME_BYTES + NONCE_RANDOM_BYTES);

  return g_base64_encode (bytes, sizeof bytes);
}

/* Whether this server issued @nonce, and when */
static gboolean
server_check_nonce (DtSipAuthServer *self,
                    const char      *nonce,
                    gint64          *issued)
{
  g_autofree guchar *bytes = NULL;
  guint8 mac[NONCE_MAC_BYTES];
  guint64 stamp = 0;
  gsize length = 0;
  guint8 diff = 0;

  if (strlen (nonce) != NONCE_TEXT_LENGTH)
    return FALSE;
  for (const char *p = nonce; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/')
      return FALSE;

  bytes = g_base64_decode (nonce, &length);
  if (length != NONCE_BYTES)
    return FALSE;

  server_nonce_mac (self, bytes, mac);
  for (guint i = 0; i < NONCE_MAC_BYTES; i++)
    diff |= (guint8) (mac[i] ^ bytes[NONCE_TIME_BYTES + NONCE_RANDOM_BYTES + i]);
  if (diff != 0)
    return FALSE;

  for (guint i = 0; i < NONCE_TIME_BYTES; i++)
    stamp = (stamp << 8) | bytes[i];
  *issued = (gint64) stamp;
  return TRUE;
}

static void
server_sweep_seen (DtSipAuthServer *self,
                   gint64           now)
{
  GHashTableIter iter;
  gpointer value;
  gint64 lifetime = (gint64) self->nonce_lifetime * G_USEC_PER_SEC;

  g_hash_table_iter_init (&iter, self->seen);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const SeenNonce *seen = value;

      if (now - seen->issued > lifetime)
        g_hash_table_iter_remove (&iter);
    }
}

static void
dt_sip_auth_server_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  DtSipAuthServer *self = DT_SIP_AUTH_SERVER (object);

  switch (prop_id)
    {
    case PROP_REALM:
      g_value_set_string (value, self->realm);
      break;
    case PROP_NONCE_LIFETIME:
      g_value_set_uint (value, self->nonce_lifetime);
      break;
    case PROP_MD5_ONLY:
      g_value_set_boolean (value, self->md5_only);
      break;
    case PROP_QOP:
      g_value_set_boolean (value, self->qop);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_auth_server_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  DtSipAuthServer *self = DT_SIP_AUTH_SERVER (object);

  switch (prop_id)
    {
    case PROP_REALM:
      self->realm = g_value_dup_string (value);
      break;
    case PROP_NONCE_LIFETIME:
      dt_sip_auth_server_set_nonce_lifetime (self, g_value_get_uint (value));
      break;
    case PROP_MD5_ONLY:
      dt_sip_auth_server_set_md5_only (self, g_value_get_boolean (value));
      break;
    case PROP_QOP:
      dt_sip_auth_server_set_qop (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_auth_server_finalize (GObject *object)
{
  DtSipAuthServer *self = DT_SIP_AUTH_SERVER (object);

  if (self->password_destroy != NULL)
    self->password_destroy (self->password_data);
  explicit_bzero (self->secret, sizeof self->secret);
  g_clear_pointer (&self->seen, g_hash_table_unref);
  g_clear_pointer (&self->realm, g_free);

  G_OBJECT_CLASS (dt_sip_auth_server_parent_class)->finalize (object);
}

static void
dt_sip_auth_server_class_init (DtSipAuthServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_auth_server_get_property;
  object_class->set_property = dt_sip_auth_server_set_property;
  object_class->finalize = dt_sip_auth_server_finalize;

  /**
   * DtSipAuthServer:realm:
   *
   * The realm challenged for and checked in credentials.
   */
  props[PROP_REALM] =
    g_param_spec_string ("realm", NULL, NULL,
                         "dialtone",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);

  /**
   * DtSipAuthServer:nonce-lifetime:
   *
   * Seconds a nonce stays valid; older ones are answered as stale.
   */
  props[PROP_NONCE_LIFETIME] =
    g_param_spec_uint ("nonce-lifetime", NULL, NULL,
                       1, G_MAXUINT32 / G_USEC_PER_SEC, DT_SIP_AUTH_DEFAULT_NONCE_LIFETIME,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipAuthServer:md5-only:
   *
   * Challenge with MD5 alone, for clients that stop at the first
   * challenge they cannot answer (sipp 3.6, libre 1.1).
   */
  props[PROP_MD5_ONLY] =
    g_param_spec_boolean ("md5-only", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtSipAuthServer:qop:
   *
   * Offer qop="auth"; without it challenges take the RFC 2069 form.
   */
  props[PROP_QOP] =
    g_param_spec_boolean ("qop", NULL, NULL,
                          TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
dt_sip_auth_server_init (DtSipAuthServer *self)
{
  self->nonce_lifetime = DT_SIP_AUTH_DEFAULT_NONCE_LIFETIME;
  self->qop = TRUE;
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  random_bytes (self->secret, sizeof self->secret);
}

/**
 * dt_sip_auth_server_new:
 * @realm: the realm to challenge for
 *
 * Creates the digest checker of a registrar, with a fresh secret for its
 * nonces.
 *
 * Returns: (transfer full): a new #DtSipAuthServer
 */
DtSipAuthServer *
dt_sip_auth_server_new (const char *realm)
{
  g_return_val_if_fail (realm != NULL && *realm != '\0', NULL);
  g_return_val_if_fail (g_utf8_validate (realm, -1, NULL), NULL);

  return g_object_new (DT_SIP_TYPE_AUTH_SERVER, "realm", realm, NULL);
}

/**
 * dt_sip_auth_server_get_realm:
 * @self: a #DtSipAuthServer
 *
 * Returns: the realm
 */
const char *
dt_sip_auth_server_get_realm (DtSipAuthServer *self)
{
  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), NULL);

  return self->realm;
}

/**
 * dt_sip_auth_server_set_password_func:
 * @self: a #DtSipAuthServer
 * @func: (nullable): looks up a user's password; %NULL knows no users
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets where passwords come from.
 */
void
dt_sip_auth_server_set_password_func (DtSipAuthServer       *self,
                                      DtSipAuthPasswordFunc  func,
                                      gpointer               user_data,
                                      GDestroyNotify         destroy)
{
  g_return_if_fail (DT_SIP_IS_AUTH_SERVER (self));

  if (self->password_destroy != NULL)
    self->password_destroy (self->password_data);
  self->password_func = func;
  self->password_data = user_data;
  self->password_destroy = destroy;
}

/**
 * dt_sip_auth_server_set_clock:
 * @self: a #DtSipAuthServer
 * @func: (nullable): the clock; %NULL for g_get_monotonic_time()
 * @user_data: data for @func, which must outlive @self
 *
 * Replaces the clock that dates nonces, for tests.
 */
void
dt_sip_auth_server_set_clock (DtSipAuthServer    *self,
                              DtSipAuthClockFunc  func,
                              gpointer            user_data)
{
  g_return_if_fail (DT_SIP_IS_AUTH_SERVER (self));

  self->clock_func = func;
  self->clock_data = user_data;
}

/**
 * dt_sip_auth_server_get_nonce_lifetime:
 * @self: a #DtSipAuthServer
 *
 * Returns: how many seconds a nonce is accepted
 */
guint
dt_sip_auth_server_get_nonce_lifetime (DtSipAuthServer *self)
{
  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), 0);

  return self->nonce_lifetime;
}

/**
 * dt_sip_auth_server_set_nonce_lifetime:
 * @self: a #DtSipAuthServer
 * @seconds: how many seconds a nonce is accepted
 *
 * Sets the age after which credentials are answered as stale.
 */
void
dt_sip_auth_server_set_nonce_lifetime (DtSipAuthServer *self,
                                       guint            seconds)
{
  g_return_if_fail (DT_SIP_IS_AUTH_SERVER (self));
  g_return_if_fail (seconds > 0 && seconds <= G_MAXUINT32 / G_USEC_PER_SEC);

  if (self->nonce_lifetime == seconds)
    return;
  self->nonce_lifetime = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NONCE_LIFETIME]);
}

/**
 * dt_sip_auth_server_get_md5_only:
 * @self: a #DtSipAuthServer
 *
 * Returns: whether challenges offer MD5 alone
 */
gboolean
dt_sip_auth_server_get_md5_only (DtSipAuthServer *self)
{
  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), FALSE);

  return self->md5_only;
}

/**
 * dt_sip_auth_server_set_md5_only:
 * @self: a #DtSipAuthServer
 * @md5_only: whether to leave out the SHA-256 challenge
 *
 * Sets whether challenges offer MD5 alone.
 */
void
dt_sip_auth_server_set_md5_only (DtSipAuthServer *self,
                                 gboolean         md5_only)
{
  g_return_if_fail (DT_SIP_IS_AUTH_SERVER (self));

  md5_only = !!md5_only;
  if (self->md5_only == md5_only)
    return;
  self->md5_only = md5_only;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MD5_ONLY]);
}

/**
 * dt_sip_auth_server_get_qop:
 * @self: a #DtSipAuthServer
 *
 * Returns: whether challenges offer qop="auth"
 */
gboolean
dt_sip_auth_server_get_qop (DtSipAuthServer *self)
{
  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), FALSE);

  return self->qop;
}

/**
 * dt_sip_auth_server_set_qop:
 * @self: a #DtSipAuthServer
 * @qop: whether to offer qop="auth"
 *
 * Sets whether challenges offer qop="auth".
 */
void
dt_sip_auth_server_set_qop (DtSipAuthServer *self,
                            gboolean         qop)
{
  g_return_if_fail (DT_SIP_IS_AUTH_SERVER (self));

  qop = !!qop;
  if (self->qop == qop)
    return;
  self->qop = qop;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_QOP]);
}

/**
 * dt_sip_auth_server_create_challenges:
 * @self: a #DtSipAuthServer
 * @stale: whether the last credentials were right but their nonce was not
 *
 * Writes the WWW-Authenticate (or Proxy-Authenticate) values for a 401
 * (or 407): SHA-256 first, then MD5, in order of preference (RFC 8760), or
 * MD5 alone when
 * #DtSipAuthServer:md5-only is set.
 *
 * Returns: (transfer full) (array zero-terminated=1): one value per header
 */
char **
dt_sip_auth_server_create_challenges (DtSipAuthServer *self,
                                      gboolean         stale)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *nonce = NULL;
  const DtSipAuthAlgorithm algorithms[] = {
    DT_SIP_AUTH_ALGORITHM_SHA256, DT_SIP_AUTH_ALGORITHM_MD5
  };

  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), NULL);

  nonce = server_make_nonce (self);

  for (guint i = self->md5_only ? 1 : 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      append_quoted (text, "realm", self->realm);
      append_quoted (text, "nonce", nonce);
      append_token (text, "algorithm", dt_sip_auth_algorithm_to_string (algorithms[i]));
      if (self->qop)
        append_quoted (text, "qop", "auth");
      if (stale)
        append_token (text, "stale", "true");

      g_string_prepend (text, "Digest ");
      g_strv_builder_add (builder, text->str);
    }

  return g_strv_builder_end (builder);
}

/**
 * dt_sip_auth_server_verify:
 * @self: a #DtSipAuthServer
 * @method: the method of the request carrying @value
 * @value: an Authorization or Proxy-Authorization value
 * @username: (out) (optional) (transfer full): the user named, when @value
 *   could be read
 *
 * Checks credentials. The digest is checked against the uri the client
 * put in them, which need not be the Request-URI (sipp writes the remote
 * address there).
 *
 * The nonce is judged only once the digest is known right, so a wrong
 * password is always %DT_SIP_AUTH_BAD_CREDENTIALS. With a right digest, a
 * nonce this server did not issue (tampered with, or from before a
 * restart) or one older than #DtSipAuthServer:nonce-lifetime gives
 * %DT_SIP_AUTH_STALE (RFC 7616 §3.3). Replays: with qop=auth, the nonce
 * count must grow for each nonce and cnonce; without qop, each nonce is
 * good for one request. Either way, answer %DT_SIP_AUTH_REPLAY with a new
 * challenge with stale=true, since the password was right: a client that
 * pre-authorises without qop then retries at once.
 *
 * Returns: the verdict
 */
DtSipAuthVerdict
dt_sip_auth_server_verify (DtSipAuthServer  *self,
                           const char       *method,
                           const char       *value,
                           char            **username)
{
  g_autoptr(DtSipAuthCredentials) credentials = NULL;
  g_autofree char *password = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *key = NULL;
  gboolean known_user;
  gint64 issued = 0;
  gint64 now;
  SeenNonce *seen;

  g_return_val_if_fail (DT_SIP_IS_AUTH_SERVER (self), DT_SIP_AUTH_MALFORMED);
  g_return_val_if_fail (method != NULL && is_token (method), DT_SIP_AUTH_MALFORMED);
  g_return_val_if_fail (value != NULL, DT_SIP_AUTH_MALFORMED);

  if (username != NULL)
    *username = NULL;

  credentials = dt_sip_auth_credentials_parse (value, NULL);
  if (credentials == NULL)
    return DT_SIP_AUTH_MALFORMED;

  if (username != NULL)
    *username = g_strdup (credentials->username);

  if (!g_str_equal (credentials->realm, self->realm))
    return DT_SIP_AUTH_WRONG_REALM;

  if (self->password_func != NULL)
    password = self->password_func (credentials->username, self->realm, self->password_data);
  known_user = password != NULL;
  /* Hash for unknown users too, so timing does not tell them apart */
  if (password == NULL)
    password = random_hex (16);

  expected = dt_sip_auth_compute_response (credentials->algorithm, credentials->username,
                                           self->realm, password, credentials->nonce,
                                           credentials->cnonce, credentials->nc,
                                           method, credentials->uri);
  clear_secret (&password);

  if (!equal_constant_time (expected, credentials->response) || !known_user)
    return DT_SIP_AUTH_BAD_CREDENTIALS;

  now = server_now (self);
  if (!server_check_nonce (self, credentials->nonce, &issued) ||
      now < issued || now - issued > (gint64) self->nonce_lifetime * G_USEC_PER_SEC)
    return DT_SIP_AUTH_STALE;

  if (credentials->qop_auth)
    key = g_strconcat (credentials->nonce, "\n", credentials->cnonce, NULL);
  else
    key = g_strdup (credentials->nonce);

  seen = g_hash_table_lookup (self->seen, key);
  if (seen != NULL)
    {
      if (!credentials->qop_auth || credentials->nc <= seen->nc)
        return DT_SIP_AUTH_REPLAY;
      seen->nc = credentials->nc;
      return DT_SIP_AUTH_OK;
    }

  if (g_hash_table_size (self->seen) >= SEEN_SWEEP_THRESHOLD)
    server_sweep_seen (self, now);

  seen = g_new0 (SeenNonce, 1);
  seen->issued = issued;
  seen->nc = credentials->nc;
  g_hash_table_insert (self->seen, g_steal_pointer (&key), seen);

  return DT_SIP_AUTH_OK;
}
