/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account-editor.h */
#pragma once

#include <adwaita.h>

#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_ACCOUNT_EDITOR (dt_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (DtAccountEditor, dt_account_editor, DT, ACCOUNT_EDITOR, GtkWidget)

GtkWidget *dt_account_editor_new         (DtSettings      *settings,
                                          DtAccount       *account);
DtAccount *dt_account_editor_get_account (DtAccountEditor *self);
gboolean   dt_account_editor_get_busy    (DtAccountEditor *self);

G_END_DECLS
