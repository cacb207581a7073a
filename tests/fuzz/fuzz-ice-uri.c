/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-ice-uri.c
 *
 * Feeds arbitrary bytes to the STUN/TURN URI parser. Besides crashes and
 * sanitizer reports, it aborts when an error has no usable message, when a
 * parsed URI does not survive dt_ice_uri_to_string() and back, when the
 * transport mapping disagrees with the scheme, or when the stricter parse
 * for accounts takes what the parser refuses or refuses a supported URI.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-ice-uri.h"
#include "dt-turn-client.h"

#define FUZZ_CHECK(cond, text) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-ice-uri: %s failed for: %s\n", #cond, (text)); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtIceUri) uri = NULL;
  g_autoptr(DtIceUri) again = NULL;
  g_autoptr(DtIceUri) copy = NULL;
  g_autoptr(DtIceUri) supported = NULL;
  g_autofree char *text = NULL;
  g_autofree char *written = NULL;
  g_autofree char *written_again = NULL;
  DtTurnTransport transport;

  /* The parser reads a C string: stop at the first NUL as a caller would */
  text = g_strndup ((const char *) data, size);

  uri = dt_ice_uri_parse (text, &error);
  supported = dt_ice_uri_parse_supported (text, NULL);
  FUZZ_CHECK ((supported != NULL) == (uri != NULL && dt_ice_uri_is_supported (uri)), text);
  FUZZ_CHECK (supported == NULL || dt_ice_uri_equal (uri, supported), text);
  if (uri == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == DT_ICE_URI_ERROR, text);
      FUZZ_CHECK (error->message[0] != '\0', text);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL), text);
      return 0;
    }
  FUZZ_CHECK (error == NULL, text);
  FUZZ_CHECK (uri->host != NULL && uri->host[0] != '\0', text);
  FUZZ_CHECK (uri->port != 0, text);

  written = dt_ice_uri_to_string (uri);
  again = dt_ice_uri_parse (written, &error);
  if (again == NULL)
    g_printerr ("fuzz-ice-uri: %s\n", error->message);
  FUZZ_CHECK (again != NULL, written);
  FUZZ_CHECK (dt_ice_uri_equal (uri, again), written);
  written_again = dt_ice_uri_to_string (again);
  FUZZ_CHECK (g_str_equal (written, written_again), written);

  copy = dt_ice_uri_copy (uri);
  FUZZ_CHECK (dt_ice_uri_equal (uri, copy), written);

  transport = dt_ice_uri_get_turn_transport (uri);
  FUZZ_CHECK (dt_ice_uri_is_secure (uri) ==
              (transport == DT_TURN_TRANSPORT_TLS || transport == DT_TURN_TRANSPORT_DTLS),
              written);
  FUZZ_CHECK (!dt_ice_uri_stun_expected (uri) || transport == DT_TURN_TRANSPORT_UDP, written);
  FUZZ_CHECK (dt_ice_uri_is_supported (uri) == (uri->unknown_query == NULL), written);

  return 0;
}
