/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-application.h */
#pragma once

#include <adwaita.h>

#include "dt-history.h"
#include "dt-settings.h"

G_BEGIN_DECLS

#define DT_TYPE_APPLICATION (dt_application_get_type ())
G_DECLARE_FINAL_TYPE (DtApplication, dt_application, DT, APPLICATION, AdwApplication)

DtApplication *dt_application_new          (void);
DtSettings    *dt_application_get_settings (DtApplication *self);
DtHistory     *dt_application_get_history  (DtApplication *self);

G_END_DECLS
