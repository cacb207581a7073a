/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-row.h */
#pragma once

#include <gtk/gtk.h>

#include "dt-call-record.h"

G_BEGIN_DECLS

#define DT_TYPE_CALL_ROW (dt_call_row_get_type ())
G_DECLARE_FINAL_TYPE (DtCallRow, dt_call_row, DT, CALL_ROW, GtkWidget)

DtCallRecord *dt_call_row_get_record (DtCallRow    *self);
void          dt_call_row_set_record (DtCallRow    *self,
                                      DtCallRecord *record);

GtkWidget    *dt_call_row_get_menu_button (DtCallRow *self);

char         *dt_call_row_format_day (GDateTime    *time,
                                      GDateTime    *now);

G_END_DECLS
