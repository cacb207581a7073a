/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-message-summary.c
 *
 * Feeds arbitrary bytes to the RFC 3842 message-summary parser. Besides
 * crashes and sanitizer reports, it aborts when a failure comes without a
 * readable reason, or when a summary that says no messages wait is read
 * back differently after being written out in the canonical form.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dt-sip-mwi.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  DtSipMessageSummary summary;
  DtSipMessageSummary again;
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = NULL;

  if (!dt_sip_message_summary_parse ((const char *) data, size, &summary, &error))
    {
      if (error == NULL || error->message == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (error != NULL)
    abort ();

  canonical = g_strdup_printf ("Messages-Waiting: %s\r\nVoice-Message: %u/%u (%u/%u)\r\n",
                               summary.messages_waiting ? "yes" : "no",
                               summary.new_messages, summary.old_messages,
                               summary.urgent_new, summary.urgent_old);
  if (!dt_sip_message_summary_parse (canonical, strlen (canonical), &again, NULL))
    abort ();
  if (again.messages_waiting != summary.messages_waiting
      || again.new_messages != summary.new_messages
      || again.old_messages != summary.old_messages
      || again.urgent_new != summary.urgent_new
      || again.urgent_old != summary.urgent_old)
    abort ();
  return 0;
}
