/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-application-private.h
 *
 * What the app's windows share with DtApplication: finding and starting
 * the embedded dialtone-helper (the demo call, the Diagnostics peer).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *_dt_application_find_helper        (void);
void  _dt_application_helper_child_setup (gpointer user_data);

G_END_DECLS
