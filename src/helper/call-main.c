/* SPDX-License-Identifier: GPL-3.0-or-later */
/* call-main.c
 *
 * dialtone-helper-call: `dialtone-helper call` on its own. dialtone-helper
 * hands its `call` command to this program, which links only the SIP,
 * media and core libraries: a headless call then carries no libnice,
 * libsoup, GnuTLS or ICU, which the other commands need (about 4.5 MiB of
 * resident memory in a call, measured with /proc/PID/smaps).
 */

#include "config.h"

#include <locale.h>

#include "dt-helper-call.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  return dt_helper_call_main (argc, argv);
}
