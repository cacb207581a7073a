/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-history.h
 *
 * The call history, kept in SQLite. Every operation runs, in order, on one
 * worker thread; results come back on the caller's thread-default main
 * context.
 */
#pragma once

#include <gio/gio.h>

#include "dt-call.h"
#include "dt-call-record.h"

G_BEGIN_DECLS

/**
 * DtHistoryError:
 * @DT_HISTORY_ERROR_OPEN: the database file could not be opened or created
 * @DT_HISTORY_ERROR_CORRUPT: the file is not a Dialtone history database
 * @DT_HISTORY_ERROR_TOO_NEW: written by a newer Dialtone (schema version too high)
 * @DT_HISTORY_ERROR_FAILED: an SQLite statement failed; the message has SQLite's text
 * @DT_HISTORY_ERROR_NOT_FOUND: no row with that id
 */
typedef enum {
  DT_HISTORY_ERROR_OPEN,
  DT_HISTORY_ERROR_CORRUPT,
  DT_HISTORY_ERROR_TOO_NEW,
  DT_HISTORY_ERROR_FAILED,
  DT_HISTORY_ERROR_NOT_FOUND,
} DtHistoryError;

#define DT_HISTORY_ERROR (dt_history_error_quark ())
GQuark dt_history_error_quark (void);

/* The schema this build writes. */
#define DT_HISTORY_SCHEMA_VERSION 2

#define DT_TYPE_HISTORY (dt_history_get_type ())
G_DECLARE_FINAL_TYPE (DtHistory, dt_history, DT, HISTORY, GObject)

void          dt_history_new_async      (const char          *path,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
DtHistory    *dt_history_new_finish     (GAsyncResult  *result,
                                         GError       **error);
DtHistory    *dt_history_new_sync       (const char    *path,
                                         GCancellable  *cancellable,
                                         GError       **error);
char         *dt_history_default_path   (void);
const char   *dt_history_get_path       (DtHistory *self);

void          dt_history_add_async      (DtHistory           *self,
                                         DtCallRecord        *record,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gint64        dt_history_add_finish     (DtHistory     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void          dt_history_update_async   (DtHistory           *self,
                                         DtCallRecord        *record,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean      dt_history_update_finish  (DtHistory     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void          dt_history_query_async    (DtHistory           *self,
                                         const char          *search,
                                         guint                offset,
                                         guint                limit,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GListModel   *dt_history_query_finish   (DtHistory     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void          dt_history_delete_async   (DtHistory           *self,
                                         gint64               id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean      dt_history_delete_finish  (DtHistory     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void          dt_history_clear_async    (DtHistory           *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean      dt_history_clear_finish   (DtHistory     *self,
                                         GAsyncResult  *result,
                                         GError       **error);

void          dt_history_track_call     (DtHistory *self,
                                         DtCall    *call);

G_END_DECLS
