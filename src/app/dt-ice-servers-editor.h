/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-servers-editor.h */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DT_TYPE_ICE_SERVERS_EDITOR (dt_ice_servers_editor_get_type ())
G_DECLARE_FINAL_TYPE (DtIceServersEditor, dt_ice_servers_editor, DT, ICE_SERVERS_EDITOR,
                      GtkWidget)

GtkWidget          *dt_ice_servers_editor_new               (void);
void                dt_ice_servers_editor_set_servers       (DtIceServersEditor *self,
                                                             const char * const *stun,
                                                             const char * const *turn);
char              **dt_ice_servers_editor_dup_stun_servers  (DtIceServersEditor *self);
char              **dt_ice_servers_editor_dup_turn_servers  (DtIceServersEditor *self);
gboolean            dt_ice_servers_editor_get_valid         (DtIceServersEditor *self);
gboolean            dt_ice_servers_editor_add_pending       (DtIceServersEditor *self);
GtkEditable        *dt_ice_servers_editor_get_username      (DtIceServersEditor *self);
GtkEditable        *dt_ice_servers_editor_get_password      (DtIceServersEditor *self);

G_END_DECLS
