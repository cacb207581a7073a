/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-helper-diagnose.h
 *
 * `dialtone-helper diagnose`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int dt_helper_diagnose_main (int    argc,
                             char **argv);

G_END_DECLS
