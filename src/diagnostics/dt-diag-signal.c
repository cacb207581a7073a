/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-signal.c
 *
 * Strict on purpose: the peer answers anyone who can reach its port, so a
 * body that is not exactly the documented shape is refused before any of
 * it reaches libnice's own candidate parser.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "dt-diag-signal.h"

#define SERVICE_NAME "dialtone-diagnostics"

G_DEFINE_QUARK (dt-diag-signal-error-quark, dt_diag_signal_error)

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, DT_DIAG_SIGNAL_ERROR, DT_DIAG_SIGNAL_ERROR_INVALID,
               "Invalid diagnostics signalling: %s", what);
  return FALSE;
}

/* RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/" */
static gboolean
is_ice_chars (const char *text,
              gsize       min,
              gsize       max)
{
  gsize length = strlen (text);

  if (length < min || length > max)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/')
      return FALSE;
  return TRUE;
}

static gboolean
is_session_id (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > 64)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* RFC 8839 §5.1 candidate-attribute, as printable ASCII without controls;
 * libnice parses the fields themselves. */
static gboolean
is_candidate_line (const char *text)
{
  gsize length = strlen (text);

  if (length > DT_DIAG_SIGNAL_MAX_CANDIDATE_LENGTH || !g_str_has_prefix (text, "a=candidate:"))
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (*p < 0x20 || *p > 0x7e)
      return FALSE;
  return TRUE;
}

/* Returns the member as a string, or NULL when it is absent or not one. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonNode *
parse_object (const char  *data,
              gsize        length,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      invalid (error, "empty body");
      return NULL;
    }
  if (length > DT_DIAG_SIGNAL_MAX_LENGTH)
    {
      invalid (error, "body too long");
      return NULL;
    }
  /* json-glib reads to a NUL when one comes first; refuse those */
  if (memchr (data, '\0', length) != NULL)
    {
      invalid (error, "NUL byte in the body");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, &json_error))
    {
      invalid (error, "not JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, "not a JSON object");
      return NULL;
    }
  return json_node_ref (root);
}

/**
 * dt_diag_signal_parse:
 * @data: (array length=length): the body received
 * @length: its length in bytes
 * @answer: %TRUE to read an answer (with a session, no family), %FALSE for
 *   an offer (with a family, no session)
 * @error: return location for a #GError in %DT_DIAG_SIGNAL_ERROR
 *
 * Reads one offer or answer, and checks every field (PEER.md): the
 * credentials are ice-chars of the lengths RFC 8839 §5.4 allows, and there
 * are 1–%DT_DIAG_SIGNAL_MAX_CANDIDATES candidate lines.
 *
 * Returns: (transfer full) (nullable): the message, or %NULL with @error set
 */
DtDiagSignal *
dt_diag_signal_parse (const char  *data,
                      gsize        length,
                      gboolean     answer,
                      GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(DtDiagSignal) signal = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  JsonObject *object;
  JsonNode *candidates;
  JsonArray *array;
  const char *ufrag, *pwd, *session, *family;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_object (data, length, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);

  ufrag = string_member (object, "ufrag");
  pwd = string_member (object, "pwd");
  if (ufrag == NULL || !is_ice_chars (ufrag, 4, 256))
    return invalid (error, "“ufrag” must be 4 to 256 ICE characters"), NULL;
  if (pwd == NULL || !is_ice_chars (pwd, 22, 256))
    return invalid (error, "“pwd” must be 22 to 256 ICE characters"), NULL;

  signal = g_new0 (DtDiagSignal, 1);
  signal->ufrag = g_strdup (ufrag);
  signal->pwd = g_strdup (pwd);

  if (answer)
    {
      session = string_member (object, "session");
      if (session == NULL || !is_session_id (session))
        return invalid (error, "“session” must be 1 to 64 letters, digits or “-”"), NULL;
      signal->session = g_strdup (session);
    }
  else
    {
      family = string_member (object, "family");
      if (g_strcmp0 (family, "ipv4") == 0)
        signal->family = G_SOCKET_FAMILY_IPV4;
      else if (g_strcmp0 (family, "ipv6") == 0)
        signal->family = G_SOCKET_FAMILY_IPV6;
      else
        return invalid (error, "“family” must be “ipv4” or “ipv6”"), NULL;
    }

  candidates = json_object_get_member (object, "candidates");
  if (candidates == NULL || !JSON_NODE_HOLDS_ARRAY (candidates))
    return invalid (error, "“candidates” must be an array"), NULL;
  array = json_node_get_array (candidates);
  if (json_array_get_length (array) == 0 ||
      json_array_get_length (array) > DT_DIAG_SIGNAL_MAX_CANDIDATES)
    return invalid (error, "“candidates” must hold 1 to 16 lines"), NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          !is_candidate_line (json_node_get_string (element)))
        return invalid (error, "a candidate is not an “a=candidate:” line"), NULL;
      g_strv_builder_add (lines, json_node_get_string (element));
    }
  signal->candidates = g_strv_builder_end (lines);
  return g_steal_pointer (&signal);
}

/**
 * dt_diag_signal_to_json:
 * @signal: an offer (with a family) or an answer (with a session)
 *
 * Returns: (transfer full): @signal as the JSON body PEER.md describes
 */
char *
dt_diag_signal_to_json (const DtDiagSignal *signal)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (signal != NULL, NULL);

  json_builder_begin_object (builder);
  if (signal->session != NULL)
    {
      json_builder_set_member_name (builder, "session");
      json_builder_add_string_value (builder, signal->session);
    }
  if (signal->family != 0)
    {
      json_builder_set_member_name (builder, "family");
      json_builder_add_string_value (builder, signal->family == G_SOCKET_FAMILY_IPV6 ? "ipv6"
                                                                                    : "ipv4");
    }
  json_builder_set_member_name (builder, "ufrag");
  json_builder_add_string_value (builder, signal->ufrag);
  json_builder_set_member_name (builder, "pwd");
  json_builder_add_string_value (builder, signal->pwd);
  json_builder_set_member_name (builder, "candidates");
  json_builder_begin_array (builder);
  for (guint i = 0; signal->candidates != NULL && signal->candidates[i] != NULL; i++)
    json_builder_add_string_value (builder, signal->candidates[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/**
 * dt_diag_signal_free:
 * @signal: (nullable): a message
 *
 * Frees @signal.
 */
void
dt_diag_signal_free (DtDiagSignal *signal)
{
  if (signal == NULL)
    return;
  g_free (signal->session);
  g_free (signal->ufrag);
  g_free (signal->pwd);
  g_strfreev (signal->candidates);
  g_free (signal);
}

static GInetSocketAddress *
parse_address (const char *text)
{
  g_autoptr(GInetAddress) ip = NULL;
  g_autofree char *host = NULL;
  const char *colon = strrchr (text, ':');
  guint64 port;

  if (colon == NULL || colon == text)
    return NULL;
  host = g_strndup (text, (gsize) (colon - text));
  if (host[0] == '[')
    {
      gsize length = strlen (host);

      if (length < 3 || host[length - 1] != ']')
        return NULL;
      host[length - 1] = '\0';
      memmove (host, host + 1, length - 1);
      if (strchr (host, ':') == NULL)
        return NULL;
    }
  else if (strchr (host, ':') != NULL)
    return NULL;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return NULL;
  ip = g_inet_address_new_from_string (host);
  if (ip == NULL)
    return NULL;
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (ip, (guint16) port));
}

/**
 * dt_diag_signal_parse_info:
 * @data: (array length=length): the body of `GET /v1/diagnostics`
 * @length: its length in bytes
 * @error: return location for a #GError in %DT_DIAG_SIGNAL_ERROR
 *
 * Reads the peer's description: `{"service": "dialtone-diagnostics",
 * "version": 1, "echo": ["127.0.0.1:PORT", "[::1]:PORT"]}`.
 *
 * Returns: (transfer full) (element-type GInetSocketAddress): the UDP echo
 *   addresses, at most one per family, or %NULL with @error set
 */
GPtrArray *
dt_diag_signal_parse_info (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) echoes = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean seen[2] = { FALSE, FALSE };
  JsonObject *object;
  JsonNode *echo;
  JsonArray *array;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_object (data, length, error);
  if (root == NULL)
    return NULL;
  object = json_node_get_object (root);
  if (g_strcmp0 (string_member (object, "service"), SERVICE_NAME) != 0)
    return invalid (error, "not a Dialtone diagnostics peer"), NULL;

  echo = json_object_get_member (object, "echo");
  if (echo == NULL || !JSON_NODE_HOLDS_ARRAY (echo))
    return invalid (error, "“echo” must be an array"), NULL;
  array = json_node_get_array (echo);
  if (json_array_get_length (array) > 2)
    return invalid (error, "“echo” holds at most one address per family"), NULL;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      GInetSocketAddress *address;
      guint f;

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          (address = parse_address (json_node_get_string (element))) == NULL)
        return invalid (error, "an echo address is not ADDRESS:PORT"), NULL;
      f = g_inet_address_get_family (g_inet_socket_address_get_address (address)) ==
          G_SOCKET_FAMILY_IPV6;
      g_ptr_array_add (echoes, address);
      if (seen[f])
        return invalid (error, "“echo” holds at most one address per family"), NULL;
      seen[f] = TRUE;
    }
  return g_steal_pointer (&echoes);
}
