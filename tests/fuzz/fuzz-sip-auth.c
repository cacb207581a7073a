/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-sip-auth.c
 *
 * Feeds arbitrary bytes to the digest challenge and credentials parsers,
 * the client cache and the server's checker. Besides crashes and sanitizer
 * reports, it aborts when an error lacks a message, when what the client
 * writes cannot be read back as credentials, or when the server accepts
 * credentials made from nonces it never issued.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-sip-auth.h"

#define FUZZ_CHECK(cond, text) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-sip-auth: %s failed for “%s”\n", #cond, (text)); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_error (const GError *error,
             const char   *text)
{
  FUZZ_CHECK (error != NULL, text);
  FUZZ_CHECK (error->domain == DT_SIP_AUTH_ERROR, text);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0', text);
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), text);
}

static char *
fixed_cnonce (gpointer user_data)
{
  return g_strdup ("0a4f113b");
}

static char *
lookup_password (const char *username,
                 const char *realm,
                 gpointer    user_data)
{
  return g_strdup ("secret");
}

/* The client answers whatever it parsed; its answer must parse back with
 * the same fields. */
static void
check_client (const char *text)
{
  const char *values[] = { text, NULL };
  g_autoptr(DtSipAuthClient) client = dt_sip_auth_client_new ("alice \"a\\b\"", "secret");
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  g_auto(GStrv) answers = NULL;
  DtSipAuthClientResult result;

  dt_sip_auth_client_set_cnonce_func (client, fixed_cnonce, NULL, NULL);
  result = dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW, values, &error);
  if (result != DT_SIP_AUTH_CLIENT_RETRY)
    {
      check_error (error, text);
      return;
    }

  challenge = dt_sip_auth_challenge_pick (values, NULL);
  FUZZ_CHECK (challenge != NULL, text);

  answers = dt_sip_auth_client_authorize (client, DT_SIP_AUTH_HEADER_WWW, "REGISTER",
                                          "sip:example.org");
  FUZZ_CHECK (g_strv_length (answers) == 1, text);
  for (guint i = 0; answers[i] != NULL; i++)
    {
      g_autoptr(GError) parse_error = NULL;
      g_autoptr(DtSipAuthCredentials) credentials = NULL;

      credentials = dt_sip_auth_credentials_parse (answers[i], &parse_error);
      FUZZ_CHECK (credentials != NULL, answers[i]);
      FUZZ_CHECK (g_str_equal (credentials->username, "alice \"a\\b\""), answers[i]);
      FUZZ_CHECK (g_str_equal (credentials->realm, challenge->realm), answers[i]);
      FUZZ_CHECK (g_str_equal (credentials->nonce, challenge->nonce), answers[i]);
      FUZZ_CHECK (g_strcmp0 (credentials->opaque, challenge->opaque) == 0, answers[i]);
      FUZZ_CHECK (credentials->algorithm == challenge->algorithm, answers[i]);
      FUZZ_CHECK (credentials->qop_auth == challenge->qop_auth, answers[i]);
      FUZZ_CHECK (!credentials->qop_auth || credentials->nc == 1, answers[i]);
    }

  /* A second challenge without stale answers credentials already sent */
  g_clear_error (&error);
  result = dt_sip_auth_client_handle_challenges (client, DT_SIP_AUTH_HEADER_WWW, values, &error);
  FUZZ_CHECK (result == DT_SIP_AUTH_CLIENT_RETRY || result == DT_SIP_AUTH_CLIENT_FAILED, text);
  FUZZ_CHECK ((result == DT_SIP_AUTH_CLIENT_FAILED) == !challenge->stale, text);
}

static void
check_server (const char *text)
{
  g_autoptr(DtSipAuthServer) server = dt_sip_auth_server_new ("example.org");
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipAuthCredentials) credentials = NULL;
  g_autofree char *username = NULL;
  DtSipAuthVerdict verdict;

  dt_sip_auth_server_set_password_func (server, lookup_password, NULL, NULL);
  credentials = dt_sip_auth_credentials_parse (text, &error);
  verdict = dt_sip_auth_server_verify (server, "REGISTER", text, &username);

  if (credentials == NULL)
    {
      check_error (error, text);
      FUZZ_CHECK (verdict == DT_SIP_AUTH_MALFORMED, text);
      FUZZ_CHECK (username == NULL, text);
      return;
    }

  FUZZ_CHECK (username != NULL && g_str_equal (username, credentials->username), text);
  /* This server's nonces come from a secret no input can know */
  FUZZ_CHECK (verdict != DT_SIP_AUTH_OK && verdict != DT_SIP_AUTH_REPLAY &&
              verdict != DT_SIP_AUTH_MALFORMED, text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipAuthChallenge) challenge = NULL;
  g_autofree char *text = NULL;

  /* Enough to cross the length limit, bounded so each run stays quick */
  if (size > 2 * DT_SIP_AUTH_MAX_VALUE_LENGTH)
    return 0;

  text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';

  challenge = dt_sip_auth_challenge_parse (text, &error);
  if (challenge == NULL)
    {
      check_error (error, text);
    }
  else
    {
      FUZZ_CHECK (challenge->realm != NULL && challenge->nonce != NULL, text);
      FUZZ_CHECK (g_utf8_validate (challenge->realm, -1, NULL), text);
      FUZZ_CHECK (challenge->qop_auth ||
                  challenge->algorithm == DT_SIP_AUTH_ALGORITHM_MD5 ||
                  challenge->algorithm == DT_SIP_AUTH_ALGORITHM_SHA256, text);
    }

  check_client (text);
  check_server (text);

  return 0;
}
