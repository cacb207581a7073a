/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account-row.h */
#pragma once

#include <adwaita.h>

#include "dt-account.h"

G_BEGIN_DECLS

#define DT_TYPE_ACCOUNT_ROW (dt_account_row_get_type ())
G_DECLARE_FINAL_TYPE (DtAccountRow, dt_account_row, DT, ACCOUNT_ROW, AdwActionRow)

GtkWidget *dt_account_row_new          (DtAccount    *account);
DtAccount *dt_account_row_get_account  (DtAccountRow *self);
gboolean   dt_account_row_get_is_default (DtAccountRow *self);
void       dt_account_row_set_is_default (DtAccountRow *self,
                                          gboolean      is_default);
char      *dt_account_row_dup_state_text (DtAccount  *account);
char      *dt_account_row_dup_voicemail_text (DtAccount *account);

G_END_DECLS
