/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-helper-call.h
 *
 * `dialtone-helper call`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int dt_helper_call_main (int    argc,
                         char **argv);

G_END_DECLS
