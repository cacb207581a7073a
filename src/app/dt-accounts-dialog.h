/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-accounts-dialog.h */
#pragma once

#include <adwaita.h>

#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_ACCOUNTS_DIALOG (dt_accounts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (DtAccountsDialog, dt_accounts_dialog, DT, ACCOUNTS_DIALOG,
                      AdwPreferencesWindow)

DtAccountsDialog *dt_accounts_dialog_new        (DtSettings       *settings);
GtkListBox       *dt_accounts_dialog_get_list   (DtAccountsDialog *self);
GtkWidget        *dt_accounts_dialog_get_editor (DtAccountsDialog *self);

G_END_DECLS
