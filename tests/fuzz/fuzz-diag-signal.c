/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-diag-signal.c
 *
 * Feeds arbitrary bytes to the diagnostics peer's signalling parsers, as
 * an offer, as an answer and as the peer's description. Besides crashes
 * and sanitizer reports, it aborts when a refusal has no message, when an
 * accepted message breaks a rule of PEER.md, or when one does not survive
 * dt_diag_signal_to_json() and back.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-diag-signal.h"

#define FUZZ_CHECK(cond) \
  G_STMT_START { \
    if (!(cond)) \
      { \
        g_printerr ("fuzz-diag-signal: %s failed\n", #cond); \
        abort (); \
      } \
  } G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_signal (const char *data,
              size_t      size,
              gboolean    answer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagSignal) signal = dt_diag_signal_parse (data, size, answer, &error);
  g_autoptr(DtDiagSignal) again = NULL;
  g_autofree char *written = NULL;
  guint n;

  if (signal == NULL)
    {
      FUZZ_CHECK (error != NULL && error->domain == DT_DIAG_SIGNAL_ERROR);
      FUZZ_CHECK (error->message[0] != '\0');
      return;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (strlen (signal->ufrag) >= 4 && strlen (signal->ufrag) <= 256);
  FUZZ_CHECK (strlen (signal->pwd) >= 22 && strlen (signal->pwd) <= 256);
  FUZZ_CHECK (answer == (signal->session != NULL));
  FUZZ_CHECK (answer == (signal->family == 0));
  n = g_strv_length (signal->candidates);
  FUZZ_CHECK (n >= 1 && n <= DT_DIAG_SIGNAL_MAX_CANDIDATES);
  for (guint i = 0; i < n; i++)
    {
      FUZZ_CHECK (g_str_has_prefix (signal->candidates[i], "a=candidate:"));
      FUZZ_CHECK (strlen (signal->candidates[i]) <= DT_DIAG_SIGNAL_MAX_CANDIDATE_LENGTH);
    }

  written = dt_diag_signal_to_json (signal);
  again = dt_diag_signal_parse (written, strlen (written), answer, &error);
  FUZZ_CHECK (again != NULL);
  FUZZ_CHECK (g_str_equal (signal->ufrag, again->ufrag));
  FUZZ_CHECK (g_str_equal (signal->pwd, again->pwd));
  FUZZ_CHECK (g_strcmp0 (signal->session, again->session) == 0);
  FUZZ_CHECK (signal->family == again->family);
  FUZZ_CHECK (g_strv_equal ((const char * const *) signal->candidates,
                            (const char * const *) again->candidates));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) echoes = NULL;

  check_signal ((const char *) data, size, FALSE);
  check_signal ((const char *) data, size, TRUE);

  echoes = dt_diag_signal_parse_info ((const char *) data, size, &error);
  if (echoes == NULL)
    FUZZ_CHECK (error != NULL && error->message[0] != '\0');
  else
    {
      FUZZ_CHECK (echoes->len <= 2);
      for (guint i = 0; i < echoes->len; i++)
        FUZZ_CHECK (G_IS_INET_SOCKET_ADDRESS (g_ptr_array_index (echoes, i)));
    }
  return 0;
}
