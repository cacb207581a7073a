/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-call-manager.h
 *
 * The calls of every account, whatever the protocol: connects the enabled
 * accounts through their backends, picks the account for an address,
 * places calls, gathers incoming ones, keeps one call talking at a time
 * (the others wait on hold), and writes each to the history.
 * The app, its D-Bus interface and the Recent list all go through it.
 */
#pragma once

#include <gio/gio.h>

#include "dt-backend-registry.h"
#include "dt-history.h"

G_BEGIN_DECLS

/**
 * DtCallManagerError:
 * @DT_CALL_MANAGER_ERROR_NO_ACCOUNT: no enabled account can call this address
 * @DT_CALL_MANAGER_ERROR_NOT_FOUND: no live call has this id
 */
typedef enum {
  DT_CALL_MANAGER_ERROR_NO_ACCOUNT,
  DT_CALL_MANAGER_ERROR_NOT_FOUND,
} DtCallManagerError;

#define DT_CALL_MANAGER_ERROR (dt_call_manager_error_quark ())
GQuark dt_call_manager_error_quark (void);

#define DT_TYPE_CALL_MANAGER (dt_call_manager_get_type ())
G_DECLARE_FINAL_TYPE (DtCallManager, dt_call_manager, DT, CALL_MANAGER, GObject)

DtCallManager *dt_call_manager_new              (DtBackendRegistry   *registry,
                                                 GListModel          *accounts);
void           dt_call_manager_set_history      (DtCallManager       *self,
                                                 DtHistory           *history);
void           dt_call_manager_set_default_account (DtCallManager    *self,
                                                    DtAccount        *account);
GListModel    *dt_call_manager_get_calls        (DtCallManager       *self);
DtCall        *dt_call_manager_find_call        (DtCallManager       *self,
                                                 const char          *id);
void           dt_call_manager_start            (DtCallManager       *self);
void           dt_call_manager_stop_async       (DtCallManager       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       dt_call_manager_stop_finish      (DtCallManager       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
DtAccount     *dt_call_manager_choose_account   (DtCallManager       *self,
                                                 const char          *uri,
                                                 GError             **error);
void           dt_call_manager_dial_async       (DtCallManager       *self,
                                                 const char          *uri,
                                                 DtAccount           *account,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
DtCall        *dt_call_manager_dial_finish      (DtCallManager       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
