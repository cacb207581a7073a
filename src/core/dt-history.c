/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-history.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dt-history.h"

/**
 * DtHistory:
 *
 * The call history: one SQLite row per call, written when the call starts
 * and completed when it ends, so a crash loses at most the end of the call
 * that was live.
 *
 * One worker thread owns the database connection and runs every operation
 * in the order it was asked for; results come back through #GTask on the
 * thread-default main context of the caller. Nothing here blocks the UI.
 *
 * The file stores times as unix microseconds (UTC) and enums as their nicks,
 * so it stays readable with the sqlite3 tool and survives enum reordering.
 */

/* Marks a time column that holds NULL. */
#define NO_TIME G_MININT64

/* Long enough to ride out a checkpoint by another connection (the sqlite3
 * tool, a second instance starting up) without failing the user's action. */
#define BUSY_TIMEOUT_MS 5000

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum {
  STMT_INSERT,
  STMT_UPDATE,
  STMT_QUERY,
  STMT_DELETE,
  STMT_CLEAR,
  N_STMTS
} StmtId;

/* What only the worker thread touches once the file is open, apart from
 * the queue that feeds it. */
typedef struct {
  GAsyncQueue  *jobs;
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
} HistoryDb;

struct _DtHistory
{
  GObject      parent_instance;

  char        *path;
  HistoryDb   *db;
  GThread     *worker;
};

G_DEFINE_FINAL_TYPE (DtHistory, dt_history, G_TYPE_OBJECT)

G_DEFINE_QUARK (dt-history-error-quark, dt_history_error)

/* A record flattened on the caller's thread, so the worker never reads a
 * GObject that the UI may be changing at the same time. */
typedef struct {
  gint64           id;
  char            *call_id;
  char            *protocol;
  char            *account_id;
  DtCallDirection  direction;
  char            *peer_uri;
  char            *peer_name;
  gint64           start_us;
  gint64           answer_us;
  gint64           end_us;
  DtCallEndReason  end_reason;
  char            *codec;
  double           mos;
  double           jitter_ms;
  double           loss_percent;
  double           rtt_ms;
} HistoryRow;

typedef enum {
  JOB_OPEN,
  JOB_ADD,
  JOB_UPDATE,
  JOB_QUERY,
  JOB_DELETE,
  JOB_CLEAR,
  JOB_CLOSE,
} JobKind;

/* One queued operation. Its GObjects (task, record) are only ever referenced
 * and released on the caller's main context; the worker fills in the
 * results and hands the job back. */
typedef struct {
  JobKind       kind;
  GTask        *task;
  GCancellable *cancellable;
  GMainContext *context;

  DtCallRecord *record;
  HistoryRow   *row;
  char         *search;
  guint         offset;
  guint         limit;
  gint64        id;

  GError       *error;
  gint64        new_id;
  GPtrArray    *rows;
} Job;

/* Follows one call from dt_history_track_call() until its end is stored. */
typedef struct {
  DtHistory    *history;
  DtCall       *call;
  DtCallRecord *record;
  gulong        notify_state_id;
  guint         pending;
  gboolean      stored;
  gboolean      failed;
  gboolean      answer_written;
  gboolean      dirty;
  gboolean      ended;
} CallTracker;

/* Schema versions, each reached from the one before by one entry here, in
 * its own transaction. Never edit a shipped entry: add a new one and bump
 * DT_HISTORY_SCHEMA_VERSION. */
static const char * const migrations[] = {
  /* 0 → 1. AUTOINCREMENT so that a deleted row's id is never handed to a
   * new call while a tracker still holds the old id. */
  "CREATE TABLE calls ("
  "  id          INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  call_id     TEXT,"
  "  protocol    TEXT,"
  "  account_id  TEXT,"
  "  direction   TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),"
  "  peer_uri    TEXT,"
  "  peer_name   TEXT,"
  "  start_us    INTEGER NOT NULL,"
  "  answer_us   INTEGER,"
  "  end_us      INTEGER,"
  "  end_reason  TEXT"
  ");",

  /* 1 → 2: call quality, and the index the Recent list sorts by. */
  "ALTER TABLE calls ADD COLUMN codec TEXT;"
  "ALTER TABLE calls ADD COLUMN mos REAL;"
  "ALTER TABLE calls ADD COLUMN jitter_ms REAL;"
  "ALTER TABLE calls ADD COLUMN loss_percent REAL;"
  "ALTER TABLE calls ADD COLUMN rtt_ms REAL;"
  "CREATE INDEX calls_by_start ON calls (start_us);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == DT_HISTORY_SCHEMA_VERSION);

#define ROW_COLUMNS \
  "call_id, protocol, account_id, direction, peer_uri, peer_name, start_us, answer_us, " \
  "end_us, end_reason, codec, mos, jitter_ms, loss_percent, rtt_ms"

static const char * const statement_sql[N_STMTS] = {
  [STMT_INSERT] =
    "INSERT INTO calls (" ROW_COLUMNS ") "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
  [STMT_UPDATE] =
    "UPDATE calls SET call_id = ?1, protocol = ?2, account_id = ?3, direction = ?4, "
    "peer_uri = ?5, peer_name = ?6, start_us = ?7, answer_us = ?8, end_us = ?9, "
    "end_reason = ?10, codec = ?11, mos = ?12, jitter_ms = ?13, loss_percent = ?14, "
    "rtt_ms = ?15 WHERE id = ?16",
  /* ?1 is a folded, escaped LIKE pattern, or NULL for every row. */
  [STMT_QUERY] =
    "SELECT id, " ROW_COLUMNS " FROM calls "
    "WHERE ?1 IS NULL "
    "OR dt_casefold (peer_uri) LIKE ?1 ESCAPE '\\' "
    "OR dt_casefold (peer_name) LIKE ?1 ESCAPE '\\' "
    "ORDER BY start_us DESC, id DESC LIMIT ?2 OFFSET ?3",
  [STMT_DELETE] =
    "DELETE FROM calls WHERE id = ?1",
  [STMT_CLEAR] =
    "DELETE FROM calls",
};

static void
history_row_free (HistoryRow *row)
{
  g_free (row->call_id);
  g_free (row->protocol);
  g_free (row->account_id);
  g_free (row->peer_uri);
  g_free (row->peer_name);
  g_free (row->codec);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HistoryRow, history_row_free)

static gint64
date_time_to_us (GDateTime *date_time)
{
  if (date_time == NULL)
    return NO_TIME;

  return g_date_time_to_unix (date_time) * G_USEC_PER_SEC +
         g_date_time_get_microsecond (date_time);
}

static GDateTime *
date_time_from_us (gint64 us)
{
  g_autoptr(GDateTime) seconds = NULL;
  gint64 whole = us / G_USEC_PER_SEC;
  gint64 rest = us % G_USEC_PER_SEC;

  if (us == NO_TIME)
    return NULL;

  if (rest < 0)
    {
      whole -= 1;
      rest += G_USEC_PER_SEC;
    }

  seconds = g_date_time_new_from_unix_utc (whole);
  if (seconds == NULL)
    return NULL;

  return g_date_time_add (seconds, rest);
}

static const char *
direction_to_string (DtCallDirection direction)
{
  return direction == DT_CALL_DIRECTION_INCOMING ? "incoming" : "outgoing";
}

static HistoryRow *
history_row_new_from_record (DtCallRecord *record)
{
  HistoryRow *row = g_new0 (HistoryRow, 1);

  row->id = dt_call_record_get_id (record);
  row->call_id = g_strdup (dt_call_record_get_call_id (record));
  row->protocol = g_strdup (dt_call_record_get_protocol (record));
  row->account_id = g_strdup (dt_call_record_get_account_id (record));
  row->direction = dt_call_record_get_direction (record);
  row->peer_uri = g_strdup (dt_call_record_get_peer_uri (record));
  row->peer_name = g_strdup (dt_call_record_get_peer_name (record));
  row->start_us = date_time_to_us (dt_call_record_get_start_time (record));
  row->answer_us = date_time_to_us (dt_call_record_get_answer_time (record));
  row->end_us = date_time_to_us (dt_call_record_get_end_time (record));
  row->end_reason = dt_call_record_get_end_reason (record);
  row->codec = g_strdup (dt_call_record_get_codec (record));
  row->mos = dt_call_record_get_mos (record);
  row->jitter_ms = dt_call_record_get_jitter_ms (record);
  row->loss_percent = dt_call_record_get_loss_percent (record);
  row->rtt_ms = dt_call_record_get_rtt_ms (record);

  return row;
}

static DtCallRecord *
history_row_to_record (const HistoryRow *row)
{
  g_autoptr(GDateTime) start_time = date_time_from_us (row->start_us);
  g_autoptr(GDateTime) answer_time = date_time_from_us (row->answer_us);
  g_autoptr(GDateTime) end_time = date_time_from_us (row->end_us);

  return g_object_new (DT_TYPE_CALL_RECORD,
                       "id", row->id,
                       "call-id", row->call_id,
                       "protocol", row->protocol,
                       "account-id", row->account_id,
                       "direction", row->direction,
                       "peer-uri", row->peer_uri,
                       "peer-name", row->peer_name,
                       "start-time", start_time,
                       "answer-time", answer_time,
                       "end-time", end_time,
                       "end-reason", row->end_reason,
                       "codec", row->codec,
                       "mos", row->mos,
                       "jitter-ms", row->jitter_ms,
                       "loss-percent", row->loss_percent,
                       "rtt-ms", row->rtt_ms,
                       NULL);
}

/* Unicode-aware folding for search: SQLite's own LIKE only folds ASCII, and
 * names such as "Ärzte" or "ΣΩΣ" must match whatever case is typed. */
static char *
fold_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *normal = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normal, -1);
}

static void
sql_casefold (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  const char *text;

  g_assert (argc == 1);

  if (sqlite3_value_type (argv[0]) == SQLITE_NULL)
    {
      sqlite3_result_null (context);
      return;
    }

  text = (const char *) sqlite3_value_text (argv[0]);
  if (text == NULL)
    {
      sqlite3_result_error_nomem (context);
      return;
    }

  sqlite3_result_text (context, fold_text (text), -1, g_free);
}

static char *
search_to_like_pattern (const char *search)
{
  g_autofree char *folded = NULL;
  GString *pattern;
  const char *p;

  if (search == NULL || *search == '\0')
    return NULL;

  folded = fold_text (search);
  pattern = g_string_new ("%");
  for (p = folded; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');

  return g_string_free (pattern, FALSE);
}

static void
set_sqlite_error (GError         **error,
                  sqlite3         *db,
                  int              rc,
                  DtHistoryError   fallback,
                  const char      *what)
{
  DtHistoryError code;
  const char *detail;

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      code = DT_HISTORY_ERROR_CORRUPT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      code = DT_HISTORY_ERROR_OPEN;
      break;
    default:
      code = fallback;
      break;
    }

  detail = db != NULL && sqlite3_errcode (db) != SQLITE_OK ? sqlite3_errmsg (db)
                                                           : sqlite3_errstr (rc);

  if (code == DT_HISTORY_ERROR_CORRUPT)
    g_set_error (error, DT_HISTORY_ERROR, code,
                 _("%s: the file is damaged or is not a Dialtone call history (%s). "
                   "Dialtone left it untouched; move it elsewhere to start a new history."),
                 what, detail);
  else
    g_set_error (error, DT_HISTORY_ERROR, code, "%s: %s", what, detail);
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *what,
          GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, DT_HISTORY_ERROR_FAILED, what);
      return FALSE;
    }

  return TRUE;
}

static gboolean
query_int (sqlite3     *db,
           const char  *sql,
           const char  *what,
           int         *value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *value = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }

  if (rc != SQLITE_OK)
    set_sqlite_error (error, db, rc, DT_HISTORY_ERROR_OPEN, what);

  sqlite3_finalize (stmt);

  return rc == SQLITE_OK;
}

static void
set_too_new_error (GError     **error,
                   const char  *path,
                   int          version)
{
  g_set_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_TOO_NEW,
               _("The call history “%s” was written by a newer version of Dialtone "
                 "(format %d; this version reads up to %d). Update Dialtone to see it; "
                 "the file was left untouched."),
               path, version, DT_HISTORY_SCHEMA_VERSION);
}

/* Reads an existing file through a read-only connection first, so a file we
 * must refuse (too new, or not SQLite at all) is never written to, not even
 * by a checkpoint when the connection closes. */
static gboolean
probe_existing_file (const char  *path,
                     GError     **error)
{
  g_autofree char *what = g_strdup_printf (_("Could not read the call history “%s”"), path);
  sqlite3 *db = NULL;
  int version = 0;
  int n_objects = 0;
  gboolean ok = FALSE;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, DT_HISTORY_ERROR_OPEN, what);
      goto out;
    }

  /* Reading the schema makes SQLite check the header; a file that is not a
   * database fails here with SQLITE_NOTADB. */
  if (!query_int (db, "SELECT count(*) FROM sqlite_master", what, &n_objects, error) ||
      !query_int (db, "PRAGMA user_version", what, &version, error))
    goto out;

  if (version > DT_HISTORY_SCHEMA_VERSION)
    {
      set_too_new_error (error, path, version);
      goto out;
    }

  ok = TRUE;

out:
  sqlite3_close_v2 (db);
  return ok;
}

static gboolean
migrate (HistoryDb  *hdb,
         GError    **error)
{
  for (;;)
    {
      g_autofree char *what = NULL;
      g_autofree char *set_version = NULL;
      int version = 0;
      int n_objects = 0;

      /* IMMEDIATE takes the write lock before the version is read, so two
       * instances starting together cannot both run the same step. */
      if (!exec_sql (hdb->db, "BEGIN IMMEDIATE", _("Could not lock the call history"), error))
        return FALSE;

      if (!query_int (hdb->db, "PRAGMA user_version", _("Could not read the call history"),
                      &version, error))
        goto rollback;

      if (version > DT_HISTORY_SCHEMA_VERSION)
        {
          set_too_new_error (error, hdb->path, version);
          goto rollback;
        }

      if (version == DT_HISTORY_SCHEMA_VERSION)
        return exec_sql (hdb->db, "COMMIT", _("Could not read the call history"), error);

      if (version == 0)
        {
          if (!query_int (hdb->db, "SELECT count(*) FROM sqlite_master",
                          _("Could not read the call history"), &n_objects, error))
            goto rollback;

          /* Someone else's database at our path: adding tables to it would
           * be as bad as deleting it. */
          if (n_objects > 0)
            {
              g_set_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_CORRUPT,
                           _("“%s” is an SQLite database but not a Dialtone call history. "
                             "Dialtone left it untouched; move it elsewhere to start a new "
                             "history."),
                           hdb->path);
              goto rollback;
            }
        }

      what = g_strdup_printf (_("Could not update the call history “%s” to format %d"),
                              hdb->path, version + 1);
      /* PRAGMA takes no bound parameters; the number comes from our own
       * migration table, never from the file or the user. */
      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (hdb->db, migrations[version], what, error) ||
          !exec_sql (hdb->db, set_version, what, error) ||
          !exec_sql (hdb->db, "COMMIT", what, error))
        goto rollback;

      g_debug ("Call history %s is now at format %d", hdb->path, version + 1);
      continue;

    rollback:
      sqlite3_exec (hdb->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
}

/* A row still without an end reason was live when Dialtone stopped. Its end
 * time stays unknown rather than made up. */
static gboolean
close_interrupted_calls (HistoryDb  *hdb,
                         GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (hdb->db,
                           "UPDATE calls SET end_reason = ?1 WHERE end_reason IS NULL",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text (stmt, 1,
                            dt_call_end_reason_to_string (DT_CALL_END_REASON_INTERRUPTED),
                            -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED,
                      _("Could not close the calls interrupted by the last exit"));
  else if (sqlite3_changes (hdb->db) > 0)
    g_debug ("Marked %d call(s) as interrupted", sqlite3_changes (hdb->db));

  sqlite3_finalize (stmt);

  return rc == SQLITE_DONE;
}

static void
history_db_close (HistoryDb *hdb)
{
  guint i;

  for (i = 0; i < N_STMTS; i++)
    g_clear_pointer (&hdb->stmts[i], sqlite3_finalize);

  if (hdb->db != NULL)
    {
      int rc = sqlite3_close_v2 (hdb->db);

      if (rc != SQLITE_OK)
        g_debug ("Closing the call history: %s", sqlite3_errstr (rc));
      hdb->db = NULL;
    }
}

static gboolean
history_db_open (HistoryDb     *hdb,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (hdb->path);
  g_autofree char *what = NULL;
  int rc;

  g_assert (hdb->db == NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  what = g_strdup_printf (_("Could not open the call history “%s”"), hdb->path);

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_OPEN,
                   _("Could not create the folder “%s” for the call history: %s"),
                   folder, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_file_test (hdb->path, G_FILE_TEST_EXISTS) && !probe_existing_file (hdb->path, error))
    return FALSE;

  /* No connection mutex: the connection is only ever used by one thread at
   * a time, the opener and then the worker. */
  rc = sqlite3_open_v2 (hdb->path, &hdb->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_OPEN, what);
      goto fail;
    }

  sqlite3_extended_result_codes (hdb->db, TRUE);
  sqlite3_busy_timeout (hdb->db, BUSY_TIMEOUT_MS);

  rc = sqlite3_create_function_v2 (hdb->db, "dt_casefold", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   NULL, sql_casefold, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_OPEN, what);
      goto fail;
    }

  if (!migrate (hdb, error))
    goto fail;

  /* After the migration, so that a file found too new on the second look is
   * still left exactly as it was. In WAL mode with synchronous=NORMAL a
   * commit is one append to the log: cheap enough to write a row at every
   * step of a call, and a committed row survives Dialtone crashing (only a
   * power cut may take back the last commits). */
  if (!exec_sql (hdb->db, "PRAGMA journal_mode = WAL", what, error) ||
      !exec_sql (hdb->db, "PRAGMA synchronous = NORMAL", what, error))
    goto fail;

  if (!close_interrupted_calls (hdb, error))
    goto fail;

  return TRUE;

fail:
  history_db_close (hdb);
  return FALSE;
}

static sqlite3_stmt *
history_db_get_statement (HistoryDb   *hdb,
                          StmtId       id,
                          const char  *what,
                          GError     **error)
{
  int rc;

  if (hdb->stmts[id] != NULL)
    return hdb->stmts[id];

  rc = sqlite3_prepare_v3 (hdb->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                           &hdb->stmts[id], NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);
      g_clear_pointer (&hdb->stmts[id], sqlite3_finalize);
      return NULL;
    }

  return hdb->stmts[id];
}

static void
statement_done (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static int
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  /* The row outlives the step, and the statement is reset right after. */
  if (text == NULL)
    return sqlite3_bind_null (stmt, index);

  return sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static int
bind_time (sqlite3_stmt *stmt,
           int           index,
           gint64        us)
{
  if (us == NO_TIME)
    return sqlite3_bind_null (stmt, index);

  return sqlite3_bind_int64 (stmt, index, us);
}

static int
bind_figure (sqlite3_stmt *stmt,
             int           index,
             double        value)
{
  if (value < 0.0)
    return sqlite3_bind_null (stmt, index);

  return sqlite3_bind_double (stmt, index, value);
}

static int
bind_row (sqlite3_stmt     *stmt,
          const HistoryRow *row)
{
  const char *end_reason = NULL;
  int rc = SQLITE_OK;

  if (row->end_reason != DT_CALL_END_REASON_NONE)
    end_reason = dt_call_end_reason_to_string (row->end_reason);

  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 1, row->call_id);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 2, row->protocol);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 3, row->account_id);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 4, direction_to_string (row->direction));
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 5, row->peer_uri);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 6, row->peer_name);
  rc = rc != SQLITE_OK ? rc : bind_time (stmt, 7, row->start_us);
  rc = rc != SQLITE_OK ? rc : bind_time (stmt, 8, row->answer_us);
  rc = rc != SQLITE_OK ? rc : bind_time (stmt, 9, row->end_us);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 10, end_reason);
  rc = rc != SQLITE_OK ? rc : bind_text (stmt, 11, row->codec);
  rc = rc != SQLITE_OK ? rc : bind_figure (stmt, 12, row->mos);
  rc = rc != SQLITE_OK ? rc : bind_figure (stmt, 13, row->jitter_ms);
  rc = rc != SQLITE_OK ? rc : bind_figure (stmt, 14, row->loss_percent);
  rc = rc != SQLITE_OK ? rc : bind_figure (stmt, 15, row->rtt_ms);

  return rc;
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  /* The file may have been edited by hand; the UI needs valid UTF-8. */
  return text != NULL ? g_utf8_make_valid (text, -1) : NULL;
}

static gint64
column_time (sqlite3_stmt *stmt,
             int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NO_TIME;

  return sqlite3_column_int64 (stmt, column);
}

static double
column_figure (sqlite3_stmt *stmt,
               int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1.0;

  return sqlite3_column_double (stmt, column);
}

static HistoryRow *
history_row_new_from_statement (sqlite3_stmt *stmt)
{
  HistoryRow *row = g_new0 (HistoryRow, 1);
  const char *direction = (const char *) sqlite3_column_text (stmt, 4);
  const char *end_reason = (const char *) sqlite3_column_text (stmt, 10);

  row->id = sqlite3_column_int64 (stmt, 0);
  row->call_id = column_text (stmt, 1);
  row->protocol = column_text (stmt, 2);
  row->account_id = column_text (stmt, 3);
  row->direction = g_strcmp0 (direction, "incoming") == 0 ? DT_CALL_DIRECTION_INCOMING
                                                          : DT_CALL_DIRECTION_OUTGOING;
  row->peer_uri = column_text (stmt, 5);
  row->peer_name = column_text (stmt, 6);
  row->start_us = column_time (stmt, 7);
  row->answer_us = column_time (stmt, 8);
  row->end_us = column_time (stmt, 9);
  row->end_reason = DT_CALL_END_REASON_NONE;
  if (end_reason != NULL && !dt_call_end_reason_from_string (end_reason, &row->end_reason))
    {
      /* A reason added by a later Dialtone at the same format. */
      g_debug ("Unknown end reason “%s” in the call history", end_reason);
      row->end_reason = DT_CALL_END_REASON_FAILED;
    }
  row->codec = column_text (stmt, 11);
  row->mos = column_figure (stmt, 12);
  row->jitter_ms = column_figure (stmt, 13);
  row->loss_percent = column_figure (stmt, 14);
  row->rtt_ms = column_figure (stmt, 15);

  return row;
}

static gboolean
history_db_insert (HistoryDb         *hdb,
                   const HistoryRow  *row,
                   gint64            *id,
                   GError           **error)
{
  const char *what = _("Could not add the call to the history");
  sqlite3_stmt *stmt = history_db_get_statement (hdb, STMT_INSERT, what, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = bind_row (stmt, row);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);
  else
    *id = sqlite3_last_insert_rowid (hdb->db);

  statement_done (stmt);

  return rc == SQLITE_DONE;
}

static void
set_not_found_error (GError **error,
                     gint64   id)
{
  g_debug ("No row %" G_GINT64_FORMAT " in the call history", id);
  g_set_error_literal (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_NOT_FOUND,
                       _("This call is not in the history any more; it may have been deleted"));
}

static gboolean
history_db_update (HistoryDb         *hdb,
                   const HistoryRow  *row,
                   GError           **error)
{
  const char *what = _("Could not update the call in the history");
  sqlite3_stmt *stmt = history_db_get_statement (hdb, STMT_UPDATE, what, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = bind_row (stmt, row);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 16, row->id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);
  else if (sqlite3_changes (hdb->db) == 0)
    set_not_found_error (error, row->id);

  statement_done (stmt);

  return rc == SQLITE_DONE && (error == NULL || *error == NULL);
}

static GPtrArray *
history_db_query (HistoryDb     *hdb,
                  const char    *search,
                  guint          offset,
                  guint          limit,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const char *what = _("Could not read the call history");
  sqlite3_stmt *stmt = history_db_get_statement (hdb, STMT_QUERY, what, error);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pattern = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) history_row_free);
  pattern = search_to_like_pattern (search);

  rc = bind_text (stmt, 1, pattern);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 2, limit > 0 ? (sqlite3_int64) limit : -1);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_int64 (stmt, 3, offset);
  if (rc == SQLITE_OK)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_ptr_array_add (rows, history_row_new_from_statement (stmt));

          if (g_cancellable_is_cancelled (cancellable))
            break;
        }
    }

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);
      g_clear_pointer (&rows, g_ptr_array_unref);
    }
  else if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (&rows, g_ptr_array_unref);
    }

  statement_done (stmt);

  return g_steal_pointer (&rows);
}

static gboolean
history_db_delete (HistoryDb  *hdb,
                   gint64      id,
                   GError    **error)
{
  const char *what = _("Could not delete the call from the history");
  sqlite3_stmt *stmt = history_db_get_statement (hdb, STMT_DELETE, what, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_bind_int64 (stmt, 1, id);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);
  else if (sqlite3_changes (hdb->db) == 0)
    set_not_found_error (error, id);

  statement_done (stmt);

  return rc == SQLITE_DONE && (error == NULL || *error == NULL);
}

static gboolean
history_db_clear (HistoryDb  *hdb,
                  GError    **error)
{
  const char *what = _("Could not clear the call history");
  sqlite3_stmt *stmt = history_db_get_statement (hdb, STMT_CLEAR, what, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, hdb->db, rc, DT_HISTORY_ERROR_FAILED, what);

  statement_done (stmt);

  return rc == SQLITE_DONE;
}

static Job *
job_new (JobKind       kind,
         GTask        *task,
         GCancellable *cancellable)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->task = task;
  job->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  job->context = g_main_context_ref_thread_default ();

  return job;
}

/* Runs on the caller's main context, where the job's GObjects live. */
static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->task);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_object (&job->record);
  g_clear_pointer (&job->row, history_row_free);
  g_free (job->search);
  g_clear_error (&job->error);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

static gboolean
job_return (gpointer data)
{
  Job *job = data;
  GTask *task = job->task;
  DtHistory *self = g_task_get_source_object (task);
  g_autoptr(GListStore) store = NULL;
  guint i;

  if (job->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&job->error));
      return G_SOURCE_REMOVE;
    }

  switch (job->kind)
    {
    case JOB_OPEN:
      g_task_return_pointer (task, g_object_ref (g_task_get_task_data (task)), g_object_unref);
      break;

    case JOB_ADD:
      g_object_set (job->record, "id", job->new_id, NULL);
      g_task_return_int (task, job->new_id);
      break;

    case JOB_QUERY:
      store = g_list_store_new (DT_TYPE_CALL_RECORD);
      for (i = 0; i < job->rows->len; i++)
        {
          g_autoptr(DtCallRecord) record = history_row_to_record (g_ptr_array_index (job->rows, i));

          g_list_store_append (store, record);
        }
      g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
      break;

    case JOB_UPDATE:
    case JOB_DELETE:
    case JOB_CLEAR:
      g_task_return_boolean (task, TRUE);
      break;

    case JOB_CLOSE:
    default:
      g_assert_not_reached ();
    }

  if (job->kind == JOB_ADD || job->kind == JOB_UPDATE ||
      job->kind == JOB_DELETE || job->kind == JOB_CLEAR)
    g_signal_emit (self, signals[CHANGED], 0);

  return G_SOURCE_REMOVE;
}

static void
job_run (HistoryDb *hdb,
         Job       *job)
{
  if (g_cancellable_set_error_if_cancelled (job->cancellable, &job->error))
    return;

  if (job->kind == JOB_OPEN)
    {
      history_db_open (hdb, job->cancellable, &job->error);
      return;
    }

  if (hdb->db == NULL)
    {
      g_set_error (&job->error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_OPEN,
                   _("The call history “%s” is not open"), hdb->path);
      return;
    }

  switch (job->kind)
    {
    case JOB_ADD:
      history_db_insert (hdb, job->row, &job->new_id, &job->error);
      break;
    case JOB_UPDATE:
      history_db_update (hdb, job->row, &job->error);
      break;
    case JOB_QUERY:
      job->rows = history_db_query (hdb, job->search, job->offset, job->limit,
                                    job->cancellable, &job->error);
      break;
    case JOB_DELETE:
      history_db_delete (hdb, job->id, &job->error);
      break;
    case JOB_CLEAR:
      history_db_clear (hdb, &job->error);
      break;
    case JOB_OPEN:
    case JOB_CLOSE:
    default:
      g_assert_not_reached ();
    }
}

/* The worker thread: one job at a time, in the order they were queued,
 * until the close job. */
static gpointer
history_worker (gpointer data)
{
  HistoryDb *hdb = data;

  for (;;)
    {
      Job *job = g_async_queue_pop (hdb->jobs);
      g_autoptr(GSource) source = NULL;

      if (job->kind == JOB_CLOSE)
        {
          history_db_close (hdb);
          job_free (job);
          return NULL;
        }

      job_run (hdb, job);

      /* Not g_main_context_invoke(): it may run the callback right here when
       * the caller's context happens to be free, and every GObject of the
       * job must be released on the caller's side. */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, job_return, job, job_free);
      g_source_set_static_name (source, "[dialtone] history result");
      g_source_attach (source, job->context);
    }
}

static void
dt_history_submit (DtHistory *self,
                   Job       *job)
{
  g_async_queue_push (self->db->jobs, job);
}

static GTask *
dt_history_task_new (DtHistory           *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data,
                     gpointer             source_tag,
                     const char          *name)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);

  return task;
}

static void
call_tracker_free (CallTracker *tracker)
{
  g_clear_signal_handler (&tracker->notify_state_id, tracker->call);
  g_clear_object (&tracker->record);
  g_clear_object (&tracker->call);
  g_clear_object (&tracker->history);
  g_free (tracker);
}

static void
call_tracker_maybe_done (CallTracker *tracker)
{
  if (tracker->pending > 0 || tracker->dirty)
    return;

  if (tracker->ended || tracker->failed)
    call_tracker_free (tracker);
}

static void
on_tracker_updated (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CallTracker *tracker = user_data;
  g_autoptr(GError) error = NULL;

  tracker->pending--;

  if (!dt_history_update_finish (DT_HISTORY (object), result, &error))
    {
      /* Deleted from the Recent list while the call went on: keep it so. */
      if (g_error_matches (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_NOT_FOUND))
        g_debug ("Call %s left the history while live", dt_call_get_id (tracker->call));
      else
        g_warning ("Could not save the call with %s in the history: %s",
                   dt_call_get_peer_uri (tracker->call), error->message);
    }

  call_tracker_maybe_done (tracker);
}

static void
call_tracker_write (CallTracker *tracker)
{
  if (tracker->failed)
    return;

  /* The row's id only comes back with the insert; until then, remember to
   * write once it is known. */
  if (!tracker->stored)
    {
      tracker->dirty = TRUE;
      return;
    }

  tracker->dirty = FALSE;
  tracker->answer_written = dt_call_record_get_answer_time (tracker->record) != NULL;
  tracker->pending++;
  dt_history_update_async (tracker->history, tracker->record, NULL,
                           on_tracker_updated, tracker);
}

static void
on_tracker_added (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CallTracker *tracker = user_data;
  g_autoptr(GError) error = NULL;

  tracker->pending--;

  if (dt_history_add_finish (DT_HISTORY (object), result, &error) > 0)
    {
      tracker->stored = TRUE;
      if (tracker->dirty)
        call_tracker_write (tracker);
    }
  else
    {
      g_warning ("Could not add the call with %s to the history: %s",
                 dt_call_get_peer_uri (tracker->call), error->message);
      tracker->failed = TRUE;
      tracker->dirty = FALSE;
    }

  call_tracker_maybe_done (tracker);
}

static void
on_tracked_call_state_changed (DtCall      *call,
                               GParamSpec  *pspec,
                               CallTracker *tracker)
{
  dt_call_record_update_from_call (tracker->record, call);

  if (dt_call_get_state (call) == DT_CALL_STATE_ENDED)
    {
      tracker->ended = TRUE;
      g_clear_signal_handler (&tracker->notify_state_id, call);
      call_tracker_write (tracker);
      call_tracker_maybe_done (tracker);
    }
  else if (!tracker->answer_written && dt_call_get_answer_time (call) != NULL)
    {
      call_tracker_write (tracker);
    }
}

static void
dt_history_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  DtHistory *self = DT_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_history_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  DtHistory *self = DT_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      if (self->path == NULL)
        self->path = dt_history_default_path ();
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_history_constructed (GObject *object)
{
  DtHistory *self = DT_HISTORY (object);

  G_OBJECT_CLASS (dt_history_parent_class)->constructed (object);

  self->db = g_new0 (HistoryDb, 1);
  self->db->jobs = g_async_queue_new ();
  self->db->path = g_strdup (self->path);

  /* A thread of our own rather than a shared pool: it can be joined, so
   * once we are disposed nothing of ours runs any more. */
  self->worker = g_thread_new ("dt-history", history_worker, self->db);
}

static void
dt_history_dispose (GObject *object)
{
  DtHistory *self = DT_HISTORY (object);

  /* Every other job holds a reference to us through its task, so none is
   * left in the queue: the close job is the last one the worker runs. */
  if (self->worker != NULL)
    {
      dt_history_submit (self, job_new (JOB_CLOSE, NULL, NULL));
      g_thread_join (g_steal_pointer (&self->worker));
    }

  G_OBJECT_CLASS (dt_history_parent_class)->dispose (object);
}

static void
dt_history_finalize (GObject *object)
{
  DtHistory *self = DT_HISTORY (object);

  if (self->db != NULL)
    {
      history_db_close (self->db);
      g_async_queue_unref (self->db->jobs);
      g_free (self->db->path);
      g_free (self->db);
    }
  g_free (self->path);

  G_OBJECT_CLASS (dt_history_parent_class)->finalize (object);
}

static void
dt_history_class_init (DtHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_history_get_property;
  object_class->set_property = dt_history_set_property;
  object_class->constructed = dt_history_constructed;
  object_class->dispose = dt_history_dispose;
  object_class->finalize = dt_history_finalize;

  /**
   * DtHistory:path:
   *
   * The database file; %NULL at construction means dt_history_default_path().
   */
  props[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtHistory::changed:
   *
   * A row was added, updated or deleted, or the history was cleared; a
   * Recent list query again. Emitted on the main context of whoever asked
   * for the change.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
dt_history_init (DtHistory *self)
{
}

/**
 * dt_history_default_path:
 *
 * Returns: (transfer full): where the history lives for this user,
 *   `$XDG_DATA_HOME/dialtone/history.db`
 */
char *
dt_history_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "dialtone", "history.db", NULL);
}

/**
 * dt_history_new_async:
 * @path: (nullable): the database file, or %NULL for dt_history_default_path()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the history is open, or failed to open
 * @user_data: data for @callback
 *
 * Opens (creating if needed) and upgrades the history on its worker thread.
 * The folder is created private to the user. Calls that were live when
 * Dialtone last stopped are closed as %DT_CALL_END_REASON_INTERRUPTED.
 */
void
dt_history_new_async (const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(DtHistory) self = NULL;
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self = g_object_new (DT_TYPE_HISTORY, "path", path, NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_history_new_async);
  g_task_set_task_data (task, g_object_ref (self), g_object_unref);

  dt_history_submit (self, job_new (JOB_OPEN, task, cancellable));
}

/**
 * dt_history_new_finish:
 *
 * Returns: (transfer full): the open history, or %NULL with @error set
 */
DtHistory *
dt_history_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_new_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_history_new_sync:
 * @path: (nullable): the database file, or %NULL for dt_history_default_path()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Like dt_history_new_async(), but opens the file on the calling thread.
 * For tools and tests; the application uses the asynchronous version.
 *
 * Returns: (transfer full): the open history, or %NULL with @error set
 */
DtHistory *
dt_history_new_sync (const char    *path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(DtHistory) self = NULL;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (DT_TYPE_HISTORY, "path", path, NULL);

  /* The worker has nothing queued yet, so the connection is still ours to
   * set up; from here on only the worker uses it. */
  if (!history_db_open (self->db, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * dt_history_get_path:
 *
 * Returns: the database file
 */
const char *
dt_history_get_path (DtHistory *self)
{
  g_return_val_if_fail (DT_IS_HISTORY (self), NULL);

  return self->path;
}

/**
 * dt_history_add_async:
 * @self: a history
 * @record: the call to add; it must have a start time
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the row is written
 * @user_data: data for @callback
 *
 * Adds @record as a new row, with @record as it is now. On success the
 * record's #DtCallRecord:id is set before @callback runs.
 */
void
dt_history_add_async (DtHistory           *self,
                      DtCallRecord        *record,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (DT_IS_CALL_RECORD (record));
  g_return_if_fail (dt_call_record_get_start_time (record) != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = dt_history_task_new (self, cancellable, callback, user_data,
                              dt_history_add_async, "dt_history_add_async");
  /* Once written, the outcome is reported as it happened, even if the
   * cancellable fired meanwhile. */
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (JOB_ADD, task, cancellable);
  job->record = g_object_ref (record);
  job->row = history_row_new_from_record (record);
  dt_history_submit (self, job);
}

/**
 * dt_history_add_finish:
 *
 * Returns: the new row's id (greater than 0), or 0 with @error set
 */
gint64
dt_history_add_finish (DtHistory     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 id;

  g_return_val_if_fail (DT_IS_HISTORY (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_add_async, 0);

  id = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }

  return id;
}

/**
 * dt_history_update_async:
 * @self: a history
 * @record: a record already added, as returned by a query or given to
 *   dt_history_add_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the row is written
 * @user_data: data for @callback
 *
 * Rewrites the row of @record with @record as it is now. Fails with
 * %DT_HISTORY_ERROR_NOT_FOUND if the row is gone.
 */
void
dt_history_update_async (DtHistory           *self,
                         DtCallRecord        *record,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (DT_IS_CALL_RECORD (record));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = dt_history_task_new (self, cancellable, callback, user_data,
                              dt_history_update_async, "dt_history_update_async");
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (JOB_UPDATE, task, cancellable);
  job->row = history_row_new_from_record (record);
  dt_history_submit (self, job);
}

/**
 * dt_history_update_finish:
 *
 * Returns: %TRUE if the row was rewritten
 */
gboolean
dt_history_update_finish (DtHistory     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (DT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_update_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_history_query_async:
 * @self: a history
 * @search: (nullable): text to look for in the peer's address or name,
 *   ignoring case; %NULL or empty for every call
 * @offset: how many of the newest matching calls to skip
 * @limit: how many calls at most, or 0 for all of them
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the page
 * @user_data: data for @callback
 *
 * Reads one page of the Recent list, newest call first. @search is matched
 * literally: `%` and `_` in it are ordinary characters.
 */
void
dt_history_query_async (DtHistory           *self,
                        const char          *search,
                        guint                offset,
                        guint                limit,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = dt_history_task_new (self, cancellable, callback, user_data,
                              dt_history_query_async, "dt_history_query_async");

  job = job_new (JOB_QUERY, task, cancellable);
  job->search = g_strdup (search);
  job->offset = offset;
  job->limit = limit;
  dt_history_submit (self, job);
}

/**
 * dt_history_query_finish:
 *
 * Returns: (transfer full): a #GListStore of #DtCallRecord, newest first, or
 *   %NULL with @error set
 */
GListModel *
dt_history_query_finish (DtHistory     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (DT_IS_HISTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_query_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_history_delete_async:
 * @self: a history
 * @id: the row to delete, see dt_call_record_get_id()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the row is gone
 * @user_data: data for @callback
 *
 * Deletes one row. Fails with %DT_HISTORY_ERROR_NOT_FOUND if there is none.
 */
void
dt_history_delete_async (DtHistory           *self,
                         gint64               id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;
  Job *job;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = dt_history_task_new (self, cancellable, callback, user_data,
                              dt_history_delete_async, "dt_history_delete_async");
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (JOB_DELETE, task, cancellable);
  job->id = id;
  dt_history_submit (self, job);
}

/**
 * dt_history_delete_finish:
 *
 * Returns: %TRUE if the row was deleted
 */
gboolean
dt_history_delete_finish (DtHistory     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (DT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_history_clear_async:
 * @self: a history
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the history is empty
 * @user_data: data for @callback
 *
 * Deletes every row. Calls being tracked keep being tracked, but their rows
 * are not brought back.
 */
void
dt_history_clear_async (DtHistory           *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = dt_history_task_new (self, cancellable, callback, user_data,
                              dt_history_clear_async, "dt_history_clear_async");
  g_task_set_check_cancellable (task, FALSE);

  dt_history_submit (self, job_new (JOB_CLEAR, task, cancellable));
}

/**
 * dt_history_clear_finish:
 *
 * Returns: %TRUE if the history was cleared
 */
gboolean
dt_history_clear_finish (DtHistory     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (DT_IS_HISTORY (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_history_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_history_track_call:
 * @self: a history
 * @call: a call that just started
 *
 * Adds a row for @call now, rewrites it when the call is answered and when
 * it ends, then lets go. Until the end is written, both @call and @self are
 * kept alive, so dropping either early does not lose the end of the call.
 * Failures are logged; the call itself is never affected.
 */
void
dt_history_track_call (DtHistory *self,
                       DtCall    *call)
{
  CallTracker *tracker;

  g_return_if_fail (DT_IS_HISTORY (self));
  g_return_if_fail (DT_IS_CALL (call));

  tracker = g_new0 (CallTracker, 1);
  tracker->history = g_object_ref (self);
  tracker->call = g_object_ref (call);
  tracker->record = dt_call_record_new_from_call (call);
  tracker->answer_written = dt_call_record_get_answer_time (tracker->record) != NULL;
  tracker->ended = dt_call_get_state (call) == DT_CALL_STATE_ENDED;

  if (!tracker->ended)
    tracker->notify_state_id = g_signal_connect (call, "notify::state",
                                                 G_CALLBACK (on_tracked_call_state_changed),
                                                 tracker);

  tracker->pending++;
  dt_history_add_async (self, tracker->record, NULL, on_tracker_added, tracker);
}
