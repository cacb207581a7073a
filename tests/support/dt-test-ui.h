/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-ui.h
 *
 * What the UI tests share for looking at the widgets they drive.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *dt_test_find_by_id (GtkWidget  *widget,
                               const char *id);

G_END_DECLS
