/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-history.c */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "dt-call-private.h"
#include "dt-history.h"

/* The version 1 schema exactly as Dialtone 0.1 wrote it, so the migration
 * is tested against a real old file and not against today's code. */
#define V1_DDL \
  "CREATE TABLE calls (" \
  "  id          INTEGER PRIMARY KEY AUTOINCREMENT," \
  "  call_id     TEXT," \
  "  protocol    TEXT," \
  "  account_id  TEXT," \
  "  direction   TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming'))," \
  "  peer_uri    TEXT," \
  "  peer_name   TEXT," \
  "  start_us    INTEGER NOT NULL," \
  "  answer_us   INTEGER," \
  "  end_us      INTEGER," \
  "  end_reason  TEXT" \
  ");" \
  "PRAGMA user_version = 1;"

/* 2023-11-14T22:13:20.123456Z: microseconds must survive the round trip. */
#define BASE_US G_GINT64_CONSTANT (1700000000123456)

#define DT_TYPE_TEST_CALL (dt_test_call_get_type ())
G_DECLARE_FINAL_TYPE (DtTestCall, dt_test_call, DT, TEST_CALL, DtCall)

struct _DtTestCall
{
  DtCall parent_instance;
};

G_DEFINE_FINAL_TYPE (DtTestCall, dt_test_call, DT_TYPE_CALL)

static void
dt_test_call_class_init (DtTestCallClass *klass)
{
}

static void
dt_test_call_init (DtTestCall *self)
{
}

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_assert_no_errno (g_remove (path));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("dialtone-history-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "history.db", NULL);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static void
on_result (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static void
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

static DtHistory *
open_history (const char  *path,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_history_new_async (path, NULL, on_result, &result);
  wait_for (&result);

  return dt_history_new_finish (result, error);
}

static gint64
add_record (DtHistory    *history,
            DtCallRecord *record)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  dt_history_add_async (history, record, NULL, on_result, &result);
  wait_for (&result);
  id = dt_history_add_finish (history, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (dt_call_record_get_id (record), ==, id);

  return id;
}

static gboolean
update_record (DtHistory     *history,
               DtCallRecord  *record,
               GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_history_update_async (history, record, NULL, on_result, &result);
  wait_for (&result);

  return dt_history_update_finish (history, result, error);
}

static GListModel *
query (DtHistory  *history,
       const char *search,
       guint       offset,
       guint       limit)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *model;

  dt_history_query_async (history, search, offset, limit, NULL, on_result, &result);
  wait_for (&result);
  model = dt_history_query_finish (history, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  g_assert_true (G_IS_LIST_STORE (model));
  g_assert_true (g_list_model_get_item_type (model) == DT_TYPE_CALL_RECORD);

  return model;
}

static gboolean
delete_row (DtHistory  *history,
            gint64      id,
            GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_history_delete_async (history, id, NULL, on_result, &result);
  wait_for (&result);

  return dt_history_delete_finish (history, result, error);
}

static void
clear_history (DtHistory *history)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  dt_history_clear_async (history, NULL, on_result, &result);
  wait_for (&result);
  g_assert_true (dt_history_clear_finish (history, result, &error));
  g_assert_no_error (error);
}

static GDateTime *
time_from_us (gint64 us)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  return g_date_time_add (seconds, us % G_USEC_PER_SEC);
}

static gint64
time_to_us (GDateTime *date_time)
{
  g_assert_nonnull (date_time);

  return g_date_time_to_unix (date_time) * G_USEC_PER_SEC +
         g_date_time_get_microsecond (date_time);
}

static DtCallRecord *
make_record (const char      *peer_uri,
             const char      *peer_name,
             gint64           start_us,
             DtCallDirection  direction,
             DtCallEndReason  end_reason)
{
  g_autoptr(GDateTime) start_time = time_from_us (start_us);

  return g_object_new (DT_TYPE_CALL_RECORD,
                       "call-id", "call-1",
                       "protocol", "sip",
                       "account-id", "account-1",
                       "direction", direction,
                       "peer-uri", peer_uri,
                       "peer-name", peer_name,
                       "start-time", start_time,
                       "end-reason", end_reason,
                       NULL);
}

static DtCallRecord *
item (GListModel *model,
      guint       position)
{
  g_autoptr(DtCallRecord) record = g_list_model_get_item (model, position);

  g_assert_nonnull (record);

  /* The model keeps its own reference. */
  return record;
}

static DtCall *
make_call (DtCallDirection  direction,
           const char      *peer_uri,
           const char      *peer_name)
{
  return g_object_new (DT_TYPE_TEST_CALL,
                       "protocol", "sip",
                       "account-id", "account-1",
                       "direction", direction,
                       "peer-uri", peer_uri,
                       "peer-name", peer_name,
                       NULL);
}

static void
on_changed (DtHistory *history,
            guint     *count)
{
  (*count)++;
}

static void
wait_for_count (guint *count,
                guint  expected)
{
  while (*count < expected)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

static void
exec_raw (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);

  return db;
}

static gint64
query_raw_int (sqlite3    *db,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static void
test_record_from_call (void)
{
  g_autoptr(DtCall) call = make_call (DT_CALL_DIRECTION_INCOMING, "sip:bob@example.org", "Bob");
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(DtCallRecord) empty = dt_call_record_new ();
  g_autoptr(GError) error = NULL;
  DtCallStats *stats = dt_call_get_stats (call);

  g_assert_cmpint (dt_call_record_get_id (empty), ==, 0);
  g_assert_cmpfloat (dt_call_record_get_mos (empty), <, 0.0);
  g_assert_cmpfloat (dt_call_record_get_loss_percent (empty), <, 0.0);
  g_assert_false (dt_call_record_get_missed (empty));

  record = dt_call_record_new_from_call (call);
  g_assert_cmpstr (dt_call_record_get_call_id (record), ==, dt_call_get_id (call));
  g_assert_cmpstr (dt_call_record_get_protocol (record), ==, "sip");
  g_assert_cmpstr (dt_call_record_get_account_id (record), ==, "account-1");
  g_assert_cmpint (dt_call_record_get_direction (record), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_cmpstr (dt_call_record_get_peer_uri (record), ==, "sip:bob@example.org");
  g_assert_cmpstr (dt_call_record_get_peer_name (record), ==, "Bob");
  g_assert_true (g_date_time_equal (dt_call_record_get_start_time (record),
                                    dt_call_get_start_time (call)));
  g_assert_null (dt_call_record_get_answer_time (record));
  g_assert_null (dt_call_record_get_end_time (record));
  g_assert_cmpint (dt_call_record_get_end_reason (record), ==, DT_CALL_END_REASON_NONE);
  g_assert_null (dt_call_record_get_codec (record));
  /* No packet expected yet: loss is unknown, not 0%. */
  g_assert_cmpfloat (dt_call_record_get_loss_percent (record), <, 0.0);

  dt_call_stats_set_codec (stats, "opus");
  dt_call_stats_update (stats, 500, 95, 5, 12.5, 40.0, 4.2);
  _dt_call_end (call, DT_CALL_END_REASON_MISSED, NULL, &error);
  g_assert_no_error (error);

  dt_call_record_update_from_call (record, call);
  g_assert_cmpstr (dt_call_record_get_codec (record), ==, "opus");
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_mos (record), 4.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_jitter_ms (record), 12.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_loss_percent (record), 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_rtt_ms (record), 40.0, 1e-9);
  g_assert_nonnull (dt_call_record_get_end_time (record));
  g_assert_cmpint (dt_call_record_get_end_reason (record), ==, DT_CALL_END_REASON_MISSED);
  g_assert_true (dt_call_record_get_missed (record));

  /* An outgoing call that stopped ringing is not "missed". */
  g_object_set (record, "direction", DT_CALL_DIRECTION_OUTGOING, "mos", -3.0, NULL);
  g_assert_false (dt_call_record_get_missed (record));
  g_assert_cmpfloat (dt_call_record_get_mos (record), ==, -1.0);

  g_assert_finalize_object (g_steal_pointer (&record));
  g_assert_finalize_object (g_steal_pointer (&empty));
  g_assert_finalize_object (g_steal_pointer (&call));
}

static void
test_add_query (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(DtCallRecord) first = NULL;
  g_autoptr(DtCallRecord) second = NULL;
  g_autoptr(DtCallRecord) third = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GDateTime) answer_time = time_from_us (BASE_US + 2 * G_USEC_PER_SEC);
  g_autoptr(GDateTime) end_time = time_from_us (BASE_US + 65 * G_USEC_PER_SEC + 7);
  DtCallRecord *record;
  struct stat st;

  g_assert_no_error (error);
  g_assert_cmpstr (dt_history_get_path (history), ==, fixture->path);
  g_assert_no_errno (g_stat (fixture->path, &st));

  /* Added out of order; the list is by start time. */
  first = make_record ("sip:alice@example.org", "Alice", BASE_US,
                       DT_CALL_DIRECTION_OUTGOING, DT_CALL_END_REASON_LOCAL_HANGUP);
  g_object_set (first,
                "answer-time", answer_time,
                "end-time", end_time,
                "codec", "opus",
                "mos", 4.3,
                "jitter-ms", 3.25,
                "loss-percent", 0.5,
                "rtt-ms", 21.0,
                NULL);
  third = make_record ("sip:carol@example.org", NULL, BASE_US + 2 * G_TIME_SPAN_HOUR,
                       DT_CALL_DIRECTION_INCOMING, DT_CALL_END_REASON_MISSED);
  second = make_record ("sip:bob@example.org", "Bob", BASE_US + G_TIME_SPAN_HOUR,
                        DT_CALL_DIRECTION_INCOMING, DT_CALL_END_REASON_REMOTE_HANGUP);

  add_record (history, first);
  add_record (history, third);
  add_record (history, second);
  g_assert_cmpint (dt_call_record_get_id (first), <, dt_call_record_get_id (third));

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  record = item (model, 0);
  g_assert_cmpint (dt_call_record_get_id (record), ==, dt_call_record_get_id (third));
  g_assert_cmpstr (dt_call_record_get_peer_uri (record), ==, "sip:carol@example.org");
  g_assert_null (dt_call_record_get_peer_name (record));
  g_assert_cmpint (dt_call_record_get_direction (record), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_true (dt_call_record_get_missed (record));
  g_assert_null (dt_call_record_get_answer_time (record));
  g_assert_null (dt_call_record_get_codec (record));
  g_assert_cmpfloat (dt_call_record_get_mos (record), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_jitter_ms (record), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_loss_percent (record), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_rtt_ms (record), ==, -1.0);

  record = item (model, 1);
  g_assert_cmpstr (dt_call_record_get_peer_name (record), ==, "Bob");
  g_assert_cmpint (dt_call_record_get_end_reason (record), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
  g_assert_false (dt_call_record_get_missed (record));

  record = item (model, 2);
  g_assert_cmpint (dt_call_record_get_id (record), ==, dt_call_record_get_id (first));
  g_assert_cmpstr (dt_call_record_get_call_id (record), ==, "call-1");
  g_assert_cmpstr (dt_call_record_get_protocol (record), ==, "sip");
  g_assert_cmpstr (dt_call_record_get_account_id (record), ==, "account-1");
  g_assert_cmpint (dt_call_record_get_direction (record), ==, DT_CALL_DIRECTION_OUTGOING);
  g_assert_cmpstr (dt_call_record_get_peer_uri (record), ==, "sip:alice@example.org");
  g_assert_cmpstr (dt_call_record_get_peer_name (record), ==, "Alice");
  g_assert_cmpint (time_to_us (dt_call_record_get_start_time (record)), ==, BASE_US);
  g_assert_cmpint (time_to_us (dt_call_record_get_answer_time (record)), ==,
                   BASE_US + 2 * G_USEC_PER_SEC);
  g_assert_cmpint (time_to_us (dt_call_record_get_end_time (record)), ==,
                   BASE_US + 65 * G_USEC_PER_SEC + 7);
  g_assert_cmpint (dt_call_record_get_end_reason (record), ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  g_assert_cmpstr (dt_call_record_get_codec (record), ==, "opus");
  g_assert_cmpfloat (dt_call_record_get_mos (record), ==, 4.3);
  g_assert_cmpfloat (dt_call_record_get_jitter_ms (record), ==, 3.25);
  g_assert_cmpfloat (dt_call_record_get_loss_percent (record), ==, 0.5);
  g_assert_cmpfloat (dt_call_record_get_rtt_ms (record), ==, 21.0);

  g_clear_object (&model);
  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_order_of_submission (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = dt_history_new_sync (fixture->path, NULL, &error);
  GAsyncResult *added[3] = { NULL, };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GListModel) model = NULL;
  guint i;

  g_assert_no_error (error);

  /* Nothing waits between the calls: the worker runs them in order, so the
   * query sees every row. */
  for (i = 0; i < G_N_ELEMENTS (added); i++)
    {
      g_autoptr(DtCallRecord) record = make_record ("sip:x@example.org", NULL, BASE_US + i,
                                                    DT_CALL_DIRECTION_OUTGOING,
                                                    DT_CALL_END_REASON_BUSY);

      dt_history_add_async (history, record, NULL, on_result, &added[i]);
    }
  dt_history_query_async (history, NULL, 0, 0, NULL, on_result, &result);
  wait_for (&result);

  for (i = 0; i < G_N_ELEMENTS (added); i++)
    {
      g_assert_nonnull (added[i]);
      g_assert_cmpint (dt_history_add_finish (history, added[i], &error), ==, i + 1);
      g_assert_no_error (error);
      g_clear_object (&added[i]);
    }

  model = dt_history_query_finish (history, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_clear_object (&result);

  g_clear_object (&model);
  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_paging (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(GListModel) page = NULL;
  guint i;

  g_assert_no_error (error);

  for (i = 0; i < 10; i++)
    {
      g_autofree char *uri = g_strdup_printf ("sip:user%u@example.org", i);
      g_autoptr(DtCallRecord) record = make_record (uri, NULL, BASE_US + i * G_USEC_PER_SEC,
                                                    DT_CALL_DIRECTION_OUTGOING,
                                                    DT_CALL_END_REASON_LOCAL_HANGUP);

      add_record (history, record);
    }

  page = query (history, NULL, 0, 4);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 4);
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (page, 0)), ==, "sip:user9@example.org");
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (page, 3)), ==, "sip:user6@example.org");
  g_clear_object (&page);

  page = query (history, NULL, 4, 4);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 4);
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (page, 0)), ==, "sip:user5@example.org");
  g_clear_object (&page);

  page = query (history, NULL, 8, 4);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 2);
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (page, 1)), ==, "sip:user0@example.org");
  g_clear_object (&page);

  page = query (history, NULL, 10, 4);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 0);
  g_clear_object (&page);

  page = query (history, "", 3, 0);
  g_assert_cmpuint (g_list_model_get_n_items (page), ==, 7);
  g_clear_object (&page);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static guint
count_matches (DtHistory  *history,
               const char *search)
{
  g_autoptr(GListModel) model = query (history, search, 0, 0);

  return g_list_model_get_n_items (model);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  static const struct {
    const char *uri;
    const char *name;
  } calls[] = {
    { "sip:alice@example.org", "Alice Liddell" },
    { "sip:bob@example.org", "Bob" },
    { "sip:sales@shop.example", "50% Off" },
    { "sip:snake_case@example.org", NULL },
    { "sip:snakexcase@example.org", "Snake X" },
    { "sip:back\\slash@example.org", NULL },
    { "sip:ae@example.de", "Ärger Ünsal" },
    { "tel:+15550100", "O'Brien" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(GListModel) model = NULL;
  guint i;

  g_assert_no_error (error);

  for (i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(DtCallRecord) record = make_record (calls[i].uri, calls[i].name,
                                                    BASE_US + i * G_USEC_PER_SEC,
                                                    DT_CALL_DIRECTION_INCOMING,
                                                    DT_CALL_END_REASON_REMOTE_HANGUP);

      add_record (history, record);
    }

  g_assert_cmpuint (count_matches (history, NULL), ==, G_N_ELEMENTS (calls));
  g_assert_cmpuint (count_matches (history, ""), ==, G_N_ELEMENTS (calls));

  /* By name or by address, ignoring case. */
  g_assert_cmpuint (count_matches (history, "alice"), ==, 1);
  g_assert_cmpuint (count_matches (history, "LIDDELL"), ==, 1);
  g_assert_cmpuint (count_matches (history, "bOb@EXAMPLE"), ==, 1);
  g_assert_cmpuint (count_matches (history, "example.org"), ==, 5);
  g_assert_cmpuint (count_matches (history, "5550100"), ==, 1);
  g_assert_cmpuint (count_matches (history, "nobody"), ==, 0);

  /* Case folding beyond ASCII. */
  g_assert_cmpuint (count_matches (history, "ärger"), ==, 1);
  g_assert_cmpuint (count_matches (history, "ÜNSAL"), ==, 1);

  /* LIKE wildcards and the escape character are literal text. */
  g_assert_cmpuint (count_matches (history, "%"), ==, 1);
  g_assert_cmpuint (count_matches (history, "50%"), ==, 1);
  g_assert_cmpuint (count_matches (history, "0% o"), ==, 1);
  g_assert_cmpuint (count_matches (history, "_"), ==, 1);
  g_assert_cmpuint (count_matches (history, "snake_case"), ==, 1);
  g_assert_cmpuint (count_matches (history, "snake"), ==, 2);
  g_assert_cmpuint (count_matches (history, "\\"), ==, 1);
  g_assert_cmpuint (count_matches (history, "k\\s"), ==, 1);
  g_assert_cmpuint (count_matches (history, "o'brien"), ==, 1);
  g_assert_cmpuint (count_matches (history, "'; DROP TABLE calls; --"), ==, 0);

  /* Paging applies to the matches. */
  model = query (history, "example.org", 1, 2);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (model, 0)), ==,
                   "sip:snakexcase@example.org");
  g_assert_cmpstr (dt_call_record_get_peer_uri (item (model, 1)), ==,
                   "sip:snake_case@example.org");
  g_clear_object (&model);

  g_assert_cmpuint (count_matches (history, NULL), ==, G_N_ELEMENTS (calls));

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_update (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(DtCallRecord) stray = NULL;
  g_autoptr(GListModel) model = NULL;
  g_autoptr(GDateTime) end_time = time_from_us (BASE_US + 30 * G_USEC_PER_SEC);
  guint changed = 0;
  DtCallRecord *stored;

  g_assert_no_error (error);
  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);

  record = make_record ("sip:dave@example.org", "Dave", BASE_US,
                        DT_CALL_DIRECTION_OUTGOING, DT_CALL_END_REASON_NONE);
  add_record (history, record);
  g_assert_cmpuint (changed, ==, 1);

  model = query (history, NULL, 0, 0);
  stored = item (model, 0);
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_NONE);
  g_assert_null (dt_call_record_get_end_time (stored));
  g_clear_object (&model);

  g_object_set (record,
                "peer-name", "Dave Bowman",
                "end-time", end_time,
                "end-reason", DT_CALL_END_REASON_NETWORK_ERROR,
                "codec", "PCMA",
                "loss-percent", 12.0,
                NULL);
  g_assert_true (update_record (history, record, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  stored = item (model, 0);
  g_assert_cmpint (dt_call_record_get_id (stored), ==, dt_call_record_get_id (record));
  g_assert_cmpstr (dt_call_record_get_peer_name (stored), ==, "Dave Bowman");
  g_assert_cmpint (time_to_us (dt_call_record_get_end_time (stored)), ==,
                   BASE_US + 30 * G_USEC_PER_SEC);
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_NETWORK_ERROR);
  g_assert_cmpstr (dt_call_record_get_codec (stored), ==, "PCMA");
  g_assert_cmpfloat (dt_call_record_get_loss_percent (stored), ==, 12.0);
  g_assert_cmpfloat (dt_call_record_get_mos (stored), ==, -1.0);
  g_clear_object (&model);

  /* A record that was never added has no row to update. */
  stray = make_record ("sip:eve@example.org", NULL, BASE_US,
                       DT_CALL_DIRECTION_INCOMING, DT_CALL_END_REASON_MISSED);
  g_assert_false (update_record (history, stray, &error));
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (changed, ==, 2);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_delete_clear (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(GListModel) model = NULL;
  gint64 ids[3];
  gint64 next;
  guint i;

  g_assert_no_error (error);

  for (i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(DtCallRecord) record = make_record ("sip:frank@example.org", NULL,
                                                    BASE_US + i,
                                                    DT_CALL_DIRECTION_OUTGOING,
                                                    DT_CALL_END_REASON_BUSY);

      ids[i] = add_record (history, record);
    }

  g_assert_true (delete_row (history, ids[2], &error));
  g_assert_no_error (error);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpint (dt_call_record_get_id (item (model, 0)), ==, ids[1]);
  g_assert_cmpint (dt_call_record_get_id (item (model, 1)), ==, ids[0]);
  g_clear_object (&model);

  g_assert_false (delete_row (history, ids[2], &error));
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A deleted row's id is never reused: a call still being tracked under it
   * must not overwrite someone else's row. */
  {
    g_autoptr(DtCallRecord) record = make_record ("sip:grace@example.org", NULL, BASE_US,
                                                  DT_CALL_DIRECTION_OUTGOING,
                                                  DT_CALL_END_REASON_BUSY);

    next = add_record (history, record);
    g_assert_cmpint (next, >, ids[2]);
  }

  clear_history (history);
  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_clear_object (&model);

  /* Clearing an empty history is fine too. */
  clear_history (history);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(GListModel) model = NULL;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);

  record = make_record ("sip:heidi@example.org", NULL, BASE_US,
                        DT_CALL_DIRECTION_OUTGOING, DT_CALL_END_REASON_BUSY);
  dt_history_add_async (history, record, cancellable, on_result, &result);
  wait_for (&result);
  g_assert_cmpint (dt_history_add_finish (history, result, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpint (dt_call_record_get_id (record), ==, 0);

  dt_history_query_async (history, NULL, 0, 0, cancellable, on_result, &result);
  wait_for (&result);
  g_assert_null (dt_history_query_finish (history, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  dt_history_new_async (fixture->path, cancellable, on_result, &result);
  wait_for (&result);
  g_assert_null (dt_history_new_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_clear_object (&model);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_persistence (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(GListModel) model = NULL;
  gint64 id;

  g_assert_no_error (error);

  record = make_record ("sip:ivan@example.org", "Ivan", BASE_US,
                        DT_CALL_DIRECTION_INCOMING, DT_CALL_END_REASON_DECLINED);
  g_object_set (record, "mos", 3.5, NULL);
  id = add_record (history, record);
  g_assert_finalize_object (g_steal_pointer (&history));

  history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_no_error (error);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpint (dt_call_record_get_id (item (model, 0)), ==, id);
  g_assert_cmpstr (dt_call_record_get_peer_name (item (model, 0)), ==, "Ivan");
  g_assert_cmpint (dt_call_record_get_end_reason (item (model, 0)), ==,
                   DT_CALL_END_REASON_DECLINED);
  g_assert_cmpfloat (dt_call_record_get_mos (item (model, 0)), ==, 3.5);
  g_clear_object (&model);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_track_call (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(DtCall) call = NULL;
  g_autoptr(GListModel) model = NULL;
  DtCallRecord *stored;
  DtCallStats *stats;
  guint changed = 0;

  g_assert_no_error (error);
  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);

  call = make_call (DT_CALL_DIRECTION_OUTGOING, "sip:judy@example.org", "Judy");
  dt_history_track_call (history, call);

  /* The row exists as soon as the call does. */
  wait_for_count (&changed, 1);
  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  stored = item (model, 0);
  g_assert_cmpstr (dt_call_record_get_call_id (stored), ==, dt_call_get_id (call));
  g_assert_cmpstr (dt_call_record_get_peer_uri (stored), ==, "sip:judy@example.org");
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_NONE);
  g_assert_null (dt_call_record_get_answer_time (stored));
  g_clear_object (&model);

  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_RINGING, &error));
  g_assert_no_error (error);
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, &error));
  g_assert_no_error (error);
  wait_for_count (&changed, 2);

  model = query (history, NULL, 0, 0);
  stored = item (model, 0);
  g_assert_true (g_date_time_equal (dt_call_record_get_answer_time (stored),
                                    dt_call_get_answer_time (call)));
  g_assert_null (dt_call_record_get_end_time (stored));
  g_clear_object (&model);

  /* Holding and resuming is not worth a write. */
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_HELD, &error));
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, &error));
  g_assert_no_error (error);

  stats = dt_call_get_stats (call);
  dt_call_stats_set_codec (stats, "opus");
  dt_call_stats_update (stats, 1000, 990, 10, 4.0, 35.0, 4.4);
  g_assert_true (_dt_call_end (call, DT_CALL_END_REASON_REMOTE_HANGUP, NULL, &error));
  g_assert_no_error (error);
  wait_for_count (&changed, 3);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  stored = item (model, 0);
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
  g_assert_true (g_date_time_equal (dt_call_record_get_end_time (stored),
                                    dt_call_get_end_time (call)));
  g_assert_cmpstr (dt_call_record_get_codec (stored), ==, "opus");
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_mos (stored), 4.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_record_get_loss_percent (stored), 1.0, 1e-9);
  g_clear_object (&model);
  g_assert_cmpuint (changed, ==, 3);

  /* Once the end is stored the history lets go of the call. */
  g_assert_finalize_object (g_steal_pointer (&call));
  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_track_call_quick_end (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = open_history (fixture->path, &error);
  g_autoptr(DtCall) missed = NULL;
  g_autoptr(DtCall) dropped = NULL;
  g_autoptr(GListModel) model = NULL;
  DtCallRecord *stored;
  guint changed = 0;

  g_assert_no_error (error);

  /* Ends before its row is even written. */
  missed = make_call (DT_CALL_DIRECTION_INCOMING, "sip:ken@example.org", NULL);
  dt_history_track_call (history, missed);
  g_assert_true (_dt_call_end (missed, DT_CALL_END_REASON_MISSED, NULL, &error));
  g_assert_no_error (error);

  /* Dropped by everyone while live, the history included: the end is
   * still written. */
  dropped = make_call (DT_CALL_DIRECTION_OUTGOING, "sip:leo@example.org", NULL);
  dt_history_track_call (history, dropped);
  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);
  g_clear_object (&history);
  g_assert_true (_dt_call_set_state (dropped, DT_CALL_STATE_ACTIVE, &error));
  g_assert_true (_dt_call_end (dropped, DT_CALL_END_REASON_LOCAL_HANGUP, NULL, &error));
  g_assert_no_error (error);
  wait_for_count (&changed, 4);

  g_assert_finalize_object (g_steal_pointer (&missed));
  g_assert_finalize_object (g_steal_pointer (&dropped));

  history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_no_error (error);
  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  stored = item (model, 0);
  g_assert_cmpstr (dt_call_record_get_peer_uri (stored), ==, "sip:leo@example.org");
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_LOCAL_HANGUP);
  g_assert_nonnull (dt_call_record_get_answer_time (stored));
  g_assert_nonnull (dt_call_record_get_end_time (stored));

  stored = item (model, 1);
  g_assert_cmpstr (dt_call_record_get_peer_uri (stored), ==, "sip:ken@example.org");
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_MISSED);
  g_assert_true (dt_call_record_get_missed (stored));
  g_assert_null (dt_call_record_get_answer_time (stored));
  g_assert_nonnull (dt_call_record_get_end_time (stored));
  g_clear_object (&model);

  g_assert_finalize_object (g_steal_pointer (&history));
}

static void
test_migrate_v1 (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GListModel) model = NULL;
  DtCallRecord *stored;
  sqlite3 *db;

  db = open_raw (fixture->path);
  exec_raw (db, V1_DDL);
  exec_raw (db,
            "INSERT INTO calls (call_id, protocol, account_id, direction, peer_uri, peer_name, "
            "start_us, answer_us, end_us, end_reason) VALUES "
            "('a', 'sip', 'acc', 'incoming', 'sip:old@example.org', 'Old Friend', "
            "1600000000000000, 1600000002000000, 1600000060000000, 'remote-hangup'),"
            "('b', 'sip', 'acc', 'outgoing', 'sip:live@example.org', NULL, "
            "1600000100000000, 1600000101000000, NULL, NULL)");
  g_assert_cmpint (query_raw_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  history = open_history (fixture->path, &error);
  g_assert_no_error (error);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  stored = item (model, 1);
  g_assert_cmpstr (dt_call_record_get_call_id (stored), ==, "a");
  g_assert_cmpstr (dt_call_record_get_peer_name (stored), ==, "Old Friend");
  g_assert_cmpint (dt_call_record_get_direction (stored), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_cmpint (time_to_us (dt_call_record_get_start_time (stored)), ==,
                   G_GINT64_CONSTANT (1600000000000000));
  g_assert_cmpint (time_to_us (dt_call_record_get_end_time (stored)), ==,
                   G_GINT64_CONSTANT (1600000060000000));
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_REMOTE_HANGUP);
  g_assert_null (dt_call_record_get_codec (stored));
  g_assert_cmpfloat (dt_call_record_get_mos (stored), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_jitter_ms (stored), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_loss_percent (stored), ==, -1.0);
  g_assert_cmpfloat (dt_call_record_get_rtt_ms (stored), ==, -1.0);

  /* Left live by the old version: closed, its answer time kept. */
  stored = item (model, 0);
  g_assert_cmpstr (dt_call_record_get_call_id (stored), ==, "b");
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_INTERRUPTED);
  g_assert_cmpint (time_to_us (dt_call_record_get_answer_time (stored)), ==,
                   G_GINT64_CONSTANT (1600000101000000));
  g_assert_null (dt_call_record_get_end_time (stored));
  g_clear_object (&model);

  g_assert_finalize_object (g_steal_pointer (&history));

  db = open_raw (fixture->path);
  g_assert_cmpint (query_raw_int (db, "PRAGMA user_version"), ==, DT_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_raw_int (db, "SELECT count(*) FROM calls "
                                      "WHERE codec IS NULL AND mos IS NULL AND jitter_ms IS NULL "
                                      "AND loss_percent IS NULL AND rtt_ms IS NULL"), ==, 2);
  g_assert_cmpint (query_raw_int (db, "SELECT count(*) FROM sqlite_master "
                                      "WHERE type = 'index' AND tbl_name = 'calls' "
                                      "AND sql LIKE '%start_us%'"), ==, 1);
  g_assert_cmpint (query_raw_int (db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
                   ==, 1);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
test_migrate_empty (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(GListModel) model = NULL;
  sqlite3 *db;

  g_file_set_contents (fixture->path, "", 0, &error);
  g_assert_no_error (error);

  history = open_history (fixture->path, &error);
  g_assert_no_error (error);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_clear_object (&model);

  record = make_record ("sip:mallory@example.org", NULL, BASE_US,
                        DT_CALL_DIRECTION_OUTGOING, DT_CALL_END_REASON_NO_ANSWER);
  add_record (history, record);
  g_assert_finalize_object (g_steal_pointer (&history));

  db = open_raw (fixture->path);
  g_assert_cmpint (query_raw_int (db, "PRAGMA user_version"), ==, DT_HISTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_raw_int (db, "SELECT count(*) FROM calls "
                                      "WHERE end_reason = 'no-answer' "
                                      "AND direction = 'outgoing'"), ==, 1);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static void
assert_no_sidecar_files (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  sqlite3 *db;

  db = open_raw (fixture->path);
  exec_raw (db,
            "CREATE TABLE calls (id INTEGER PRIMARY KEY, future TEXT);"
            "INSERT INTO calls (future) VALUES ('from a later Dialtone');"
            "PRAGMA user_version = 99;");
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  before = read_bytes (fixture->path);

  history = open_history (fixture->path, &error);
  g_assert_null (history);
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_null (history);
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_TOO_NEW);
  g_clear_error (&error);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  assert_no_sidecar_files (fixture->path);
}

static void
test_garbage (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GString) garbage = g_string_new (NULL);
  guint i;

  for (i = 0; i < 200; i++)
    g_string_append_printf (garbage, "line %u of a shopping list, not a database\n", i);
  g_file_set_contents (fixture->path, garbage->str, garbage->len, &error);
  g_assert_no_error (error);
  before = read_bytes (fixture->path);

  history = open_history (fixture->path, &error);
  g_assert_null (history);
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
  assert_no_sidecar_files (fixture->path);
}

static void
test_foreign_database (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  sqlite3 *db;

  db = open_raw (fixture->path);
  exec_raw (db, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('soup');");
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  before = read_bytes (fixture->path);

  history = dt_history_new_sync (fixture->path, NULL, &error);
  g_assert_null (history);
  g_assert_error (error, DT_HISTORY_ERROR, DT_HISTORY_ERROR_CORRUPT);
  g_clear_error (&error);

  after = read_bytes (fixture->path);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_default_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "dialtone",
                                                "history.db", NULL);
  g_autofree char *path = dt_history_default_path ();
  g_autofree char *folder = g_path_get_dirname (expected);
  struct stat st;

  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));

  history = open_history (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_history_get_path (history), ==, expected);

  g_assert_no_errno (g_stat (folder, &st));
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_REGULAR));

  g_assert_finalize_object (g_steal_pointer (&history));
}

static gpointer
use_history_from_thread (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(DtCallRecord) record = NULL;
  g_autoptr(GListModel) model = NULL;

  g_main_context_push_thread_default (context);

  history = open_history (fixture->path, &error);
  g_assert_no_error (error);
  record = make_record ("sip:olivia@example.org", NULL, BASE_US,
                        DT_CALL_DIRECTION_OUTGOING, DT_CALL_END_REASON_CANCELLED);
  add_record (history, record);
  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_clear_object (&model);
  g_assert_finalize_object (g_steal_pointer (&history));

  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_thread_default_context (Fixture       *fixture,
                             gconstpointer  data)
{
  GThread *thread;

  /* Results arrive where they were asked for: this thread does not iterate
   * the global default context, so a result sent there would be lost and
   * the thread would never finish. */
  thread = g_thread_new ("history-user", use_history_from_thread, fixture);
  g_thread_join (thread);

  g_assert_false (g_main_context_pending (NULL));
}

/* Runs in the forked child: a call is live and answered when the process
 * dies without closing anything. */
G_GNUC_NORETURN static void
crash_during_call (const char *path)
{
  g_autoptr(GError) error = NULL;
  DtHistory *history;
  DtCall *call;
  guint changed = 0;

  history = dt_history_new_sync (path, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);

  call = make_call (DT_CALL_DIRECTION_INCOMING, "sip:niaj@example.org", "Niaj");
  dt_history_track_call (history, call);
  g_assert_true (_dt_call_set_state (call, DT_CALL_STATE_ACTIVE, &error));
  g_assert_no_error (error);
  wait_for_count (&changed, 2);

  kill (getpid (), SIGKILL);
  _exit (1);
}

static void
test_crash (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtHistory) history = NULL;
  g_autoptr(GListModel) model = NULL;
  DtCallRecord *stored;
  int status = 0;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, !=, -1);
  if (pid == 0)
    crash_during_call (fixture->path);

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  history = open_history (fixture->path, &error);
  g_assert_no_error (error);

  model = query (history, NULL, 0, 0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  stored = item (model, 0);
  g_assert_cmpstr (dt_call_record_get_peer_uri (stored), ==, "sip:niaj@example.org");
  g_assert_cmpstr (dt_call_record_get_peer_name (stored), ==, "Niaj");
  g_assert_cmpint (dt_call_record_get_direction (stored), ==, DT_CALL_DIRECTION_INCOMING);
  g_assert_nonnull (dt_call_record_get_answer_time (stored));
  g_assert_null (dt_call_record_get_end_time (stored));
  g_assert_cmpint (dt_call_record_get_end_reason (stored), ==, DT_CALL_END_REASON_INTERRUPTED);
  g_assert_false (dt_call_record_get_missed (stored));
  g_clear_object (&model);

  g_assert_finalize_object (g_steal_pointer (&history));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* First, while this process has no other thread that fork() would leave
   * behind in a broken state. */
  g_test_add ("/history/crash", Fixture, NULL, fixture_setup, test_crash, fixture_teardown);

  g_test_add_func ("/history/record/from-call", test_record_from_call);
  g_test_add_func ("/history/default-path", test_default_path);
#define ADD(name, func) \
  g_test_add ("/history/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("add-query", test_add_query);
  ADD ("order-of-submission", test_order_of_submission);
  ADD ("paging", test_paging);
  ADD ("search", test_search);
  ADD ("update", test_update);
  ADD ("delete-clear", test_delete_clear);
  ADD ("cancelled", test_cancelled);
  ADD ("thread-default-context", test_thread_default_context);
  ADD ("persistence", test_persistence);
  ADD ("track-call", test_track_call);
  ADD ("track-call-quick-end", test_track_call_quick_end);
  ADD ("migrate/v1", test_migrate_v1);
  ADD ("migrate/empty", test_migrate_empty);
  ADD ("refuse/too-new", test_too_new);
  ADD ("refuse/garbage", test_garbage);
  ADD ("refuse/foreign-database", test_foreign_database);
#undef ADD

  return g_test_run ();
}
