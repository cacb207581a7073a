/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-uri.c
 *
 * Feeds arbitrary bytes to the URI parser and the dial-string normaliser.
 * Besides crashes and sanitizer reports, it aborts when a parsed URI does
 * not survive dt_uri_to_string() and back, or when a normalised text is not
 * already normal.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-uri.h"

#define FUZZ_CHECK(cond, text) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-uri: %s failed for “%s”\n", #cond, (text)); \
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
  FUZZ_CHECK (error->domain == DT_URI_ERROR, text);
  FUZZ_CHECK (error->message != NULL && error->message[0] != '\0', text);
  FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), text);
}

static void
read_everything (const DtUri *uri)
{
  const char *name;
  const char *value;

  (void) dt_uri_get_kind (uri);
  (void) dt_uri_get_scheme (uri);
  (void) dt_uri_get_user (uri);
  (void) dt_uri_get_password (uri);
  (void) dt_uri_get_host (uri);
  (void) dt_uri_host_is_ipv6 (uri);
  (void) dt_uri_get_port (uri);
  (void) dt_uri_get_number (uri);
  (void) dt_uri_is_global_number (uri);
  (void) dt_uri_get_phone_context (uri);
  (void) dt_uri_get_extension (uri);
  (void) dt_uri_is_account_relative (uri);
  (void) dt_uri_get_param (uri, "transport");
  (void) dt_uri_get_header (uri, "subject");

  for (guint i = 0; i < dt_uri_get_n_params (uri); i++)
    {
      dt_uri_get_param_at (uri, i, &name, &value);
      FUZZ_CHECK (name != NULL && value != NULL, "(param)");
      FUZZ_CHECK (g_utf8_validate (name, -1, NULL) && g_utf8_validate (value, -1, NULL),
                  "(param)");
    }

  for (guint i = 0; i < dt_uri_get_n_headers (uri); i++)
    {
      dt_uri_get_header_at (uri, i, &name, &value);
      FUZZ_CHECK (name != NULL && value != NULL, "(header)");
      FUZZ_CHECK (g_utf8_validate (name, -1, NULL) && g_utf8_validate (value, -1, NULL),
                  "(header)");
    }
}

/* Parse(to_string(x)) must equal x, and writing it again must give the
 * same text. */
static void
check_round_trip (const DtUri *uri)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtUri) again = NULL;
  g_autofree char *text = dt_uri_to_string (uri);
  g_autofree char *text_again = NULL;

  FUZZ_CHECK (strlen (text) <= DT_URI_MAX_LENGTH, text);

  again = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
  FUZZ_CHECK (again != NULL, text);
  FUZZ_CHECK (dt_uri_equal (uri, again), text);
  FUZZ_CHECK (dt_uri_equal (again, uri), text);
  FUZZ_CHECK (dt_uri_get_kind (uri) == dt_uri_get_kind (again), text);
  FUZZ_CHECK (g_strcmp0 (dt_uri_get_number (uri), dt_uri_get_number (again)) == 0, text);
  FUZZ_CHECK (dt_uri_is_account_relative (uri) == dt_uri_is_account_relative (again), text);

  text_again = dt_uri_to_string (again);
  FUZZ_CHECK (g_str_equal (text, text_again), text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) strict_error = NULL;
  g_autoptr(GError) dial_error = NULL;
  g_autoptr(DtUri) uri = NULL;
  g_autoptr(DtUri) strict = NULL;
  g_autoptr(DtUri) safe = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dialled = NULL;

  /* Enough to cross every length limit, bounded so each run stays quick */
  if (size > 4 * DT_URI_MAX_LENGTH)
    return 0;

  text = g_malloc (size + 1);
  memcpy (text, data, size);
  text[size] = '\0';

  uri = dt_uri_parse_full (text, DT_URI_PARSE_ACCOUNT_RELATIVE, &error);
  strict = dt_uri_parse (text, &strict_error);

  if (uri == NULL)
    {
      check_error (error, "(parse)");
      /* the strict parser accepts less, never more */
      FUZZ_CHECK (strict == NULL, "(strict)");
    }
  else
    {
      read_everything (uri);
      check_round_trip (uri);

      safe = dt_uri_dup_safe (uri);
      read_everything (safe);
      check_round_trip (safe);
      FUZZ_CHECK (dt_uri_get_kind (safe) == dt_uri_get_kind (uri), "(safe)");
      FUZZ_CHECK (dt_uri_get_kind (safe) == DT_URI_KIND_TEL ||
                  dt_uri_get_param (safe, "maddr") == NULL, "(safe)");
      for (guint i = 0; i < dt_uri_get_n_headers (safe); i++)
        {
          const char *name;

          dt_uri_get_header_at (safe, i, &name, NULL);
          FUZZ_CHECK (g_ascii_strcasecmp (name, "subject") == 0 ||
                      g_ascii_strcasecmp (name, "s") == 0 ||
                      g_ascii_strcasecmp (name, "priority") == 0 ||
                      g_ascii_strcasecmp (name, "in-reply-to") == 0, name);
        }

      if (strict != NULL)
        FUZZ_CHECK (dt_uri_equal (uri, strict), "(strict)");
      else
        check_error (strict_error, "(strict)");
    }

  dialled = dt_uri_normalize_dial_string (text, &dial_error);
  if (dialled == NULL)
    {
      check_error (dial_error, "(dial)");
    }
  else
    {
      g_autoptr(GError) again_error = NULL;
      g_autoptr(DtUri) dialled_uri = NULL;
      g_autofree char *again = NULL;

      dialled_uri = dt_uri_parse_full (dialled, DT_URI_PARSE_ACCOUNT_RELATIVE, &again_error);
      FUZZ_CHECK (dialled_uri != NULL, dialled);
      check_round_trip (dialled_uri);

      again = dt_uri_normalize_dial_string (dialled, &again_error);
      FUZZ_CHECK (again != NULL && g_str_equal (again, dialled), dialled);
    }

  return 0;
}
