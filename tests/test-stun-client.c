/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stun-client.c
 *
 * STUN client transactions on a hand-wound clock: the RFC 8489 §6.2.1
 * schedule to the millisecond, the TCP/TLS timeout, matching by
 * transaction ID and method, integrity checks, cancellation and closing.
 */

#include "config.h"

#include <string.h>

#include "dt-stun-client.h"

typedef struct {
  DtClock   *clock;
  DtStunClient  *client;
  GArray        *send_times;      /* gint64 */
  GBytes        *last_sent;
  gboolean       fail_sends;
  gboolean       done;
  DtStunMessage *response;
  GError        *error;
} Fixture;

static gboolean
record_send (DtStunClient  *client,
             GBytes        *packet,
             gpointer       user_data,
             GError       **error)
{
  Fixture *fixture = user_data;
  gint64 now = dt_clock_now_ms (fixture->clock);

  if (fixture->fail_sends)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Refused");
      return FALSE;
    }
  g_array_append_val (fixture->send_times, now);
  g_clear_pointer (&fixture->last_sent, g_bytes_unref);
  fixture->last_sent = g_bytes_ref (packet);
  return TRUE;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  gboolean reliable = GPOINTER_TO_INT (data);

  fixture->clock = dt_clock_new_manual ();
  fixture->client = dt_stun_client_new (reliable, fixture->clock);
  fixture->send_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  dt_stun_client_set_send_func (fixture->client, record_send, fixture, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_cmpuint (dt_stun_client_get_n_pending (fixture->client), ==, 0);
  g_assert_finalize_object (fixture->client);
  g_assert_cmpuint (dt_clock_get_n_pending (fixture->clock), ==, 0);
  dt_clock_unref (fixture->clock);
  g_array_unref (fixture->send_times);
  g_clear_pointer (&fixture->last_sent, g_bytes_unref);
  g_clear_pointer (&fixture->response, dt_stun_message_free);
  g_clear_error (&fixture->error);
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
on_response (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->response = dt_stun_client_request_finish (DT_STUN_CLIENT (source), result,
                                                     &fixture->error);
  fixture->done = TRUE;
}

static GBytes *
build_request (guint16  method,
               GBytes  *key)
{
  g_autoptr(DtStunBuilder) builder = dt_stun_builder_new (method, DT_STUN_CLASS_REQUEST, NULL);

  if (key != NULL)
    {
      g_assert_true (dt_stun_builder_add_string (builder, DT_STUN_ATTR_USERNAME, "alice", NULL));
      g_assert_true (dt_stun_builder_add_message_integrity (builder, key, NULL));
    }
  g_assert_true (dt_stun_builder_add_fingerprint (builder, NULL));
  return dt_stun_builder_end (builder);
}

/* A response to @request; signed with @key when given. */
static DtStunMessage *
build_response (GBytes      *request,
                guint16      method,
                DtStunClass  klass,
                GBytes      *key,
                const guint8 *other_id)
{
  const guint8 *id = (const guint8 *) g_bytes_get_data (request, NULL) + 8;
  g_autoptr(DtStunBuilder) builder = dt_stun_builder_new (method, klass,
                                                          other_id ? other_id : id);
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize length;

  if (klass == DT_STUN_CLASS_ERROR)
    g_assert_true (dt_stun_builder_add_error_code (builder, 401, "Unauthorized", NULL));
  if (key != NULL)
    g_assert_true (dt_stun_builder_add_message_integrity (builder, key, NULL));
  g_assert_true (dt_stun_builder_add_fingerprint (builder, NULL));
  bytes = dt_stun_builder_end (builder);
  data = g_bytes_get_data (bytes, &length);
  return dt_stun_message_decode (data, length, NULL);
}

static gint64
send_time (Fixture *fixture,
           guint    i)
{
  return g_array_index (fixture->send_times, gint64, i);
}

static void
test_udp_schedule (Fixture       *fixture,
                   gconstpointer  data)
{
  static const gint64 expected[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_BINDING, NULL);

  g_assert_cmpuint (dt_stun_client_get_total_timeout (fixture->client), ==, 39500);

  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  g_assert_cmpuint (fixture->send_times->len, ==, 1);

  /* One millisecond at a time, so an early or late timer shows */
  while (!fixture->done && dt_clock_now_ms (fixture->clock) < 60000)
    {
      dt_clock_advance (fixture->clock, 1);
      iterate ();
      if (dt_clock_now_ms (fixture->clock) == 39499)
        g_assert_false (fixture->done);
    }

  g_assert_true (fixture->done);
  g_assert_cmpint (dt_clock_now_ms (fixture->clock), ==, 39500);
  g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (fixture->error->message, "39.5 s"));
  g_assert_cmpuint (fixture->send_times->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (send_time (fixture, i), ==, expected[i]);
  g_assert_true (g_bytes_equal (fixture->last_sent, request));
}

static void
test_udp_schedule_properties (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_BINDING, NULL);

  g_object_set (fixture->client, "rto", 100, "max-transmissions", 3, "last-wait-factor", 4,
                NULL);
  g_assert_cmpuint (dt_stun_client_get_total_timeout (fixture->client), ==, 100 + 200 + 400);

  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  dt_clock_advance (fixture->clock, 699);
  iterate ();
  g_assert_false (fixture->done);
  dt_clock_advance (fixture->clock, 1);
  iterate ();
  g_assert_true (fixture->done);
  g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpuint (fixture->send_times->len, ==, 3);
  g_assert_cmpint (send_time (fixture, 1), ==, 100);
  g_assert_cmpint (send_time (fixture, 2), ==, 300);
}

static void
test_reliable_timeout (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_ALLOCATE, NULL);

  g_assert_true (dt_stun_client_get_reliable (fixture->client));
  g_assert_cmpuint (dt_stun_client_get_total_timeout (fixture->client), ==, 39500);

  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  dt_clock_advance (fixture->clock, 39499);
  iterate ();
  g_assert_false (fixture->done);
  g_assert_cmpuint (fixture->send_times->len, ==, 1);
  dt_clock_advance (fixture->clock, 1);
  iterate ();
  g_assert_true (fixture->done);
  g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpuint (fixture->send_times->len, ==, 1);

  /* Configurable */
  g_clear_error (&fixture->error);
  fixture->done = FALSE;
  dt_stun_client_set_reliable_timeout (fixture->client, 2000);
  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  dt_clock_advance (fixture->clock, 1999);
  iterate ();
  g_assert_false (fixture->done);
  dt_clock_advance (fixture->clock, 1);
  iterate ();
  g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_TIMEOUT);
  g_assert_cmpuint (fixture->send_times->len, ==, 2);
}

static void
test_matching (Fixture       *fixture,
               gconstpointer  data)
{
  static const guint8 other_id[DT_STUN_TRANSACTION_ID_LENGTH] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_BINDING, NULL);
  g_autoptr(DtStunMessage) wrong_id = NULL;
  g_autoptr(DtStunMessage) wrong_method = NULL;
  g_autoptr(DtStunMessage) right = NULL;
  g_autoptr(DtStunMessage) indication = NULL;

  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  dt_clock_advance (fixture->clock, 500);
  g_assert_cmpuint (fixture->send_times->len, ==, 2);

  wrong_id = build_response (request, DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, NULL,
                             other_id);
  wrong_method = build_response (request, DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS, NULL,
                                 NULL);
  indication = build_response (request, DT_STUN_METHOD_BINDING, DT_STUN_CLASS_INDICATION, NULL,
                               NULL);
  right = build_response (request, DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, NULL, NULL);

  g_assert_false (dt_stun_client_handle_message (fixture->client, wrong_id));
  g_assert_false (dt_stun_client_handle_message (fixture->client, wrong_method));
  g_assert_false (dt_stun_client_handle_message (fixture->client, indication));
  iterate ();
  g_assert_false (fixture->done);

  g_assert_true (dt_stun_client_handle_message (fixture->client, right));
  iterate ();
  g_assert_true (fixture->done);
  g_assert_no_error (fixture->error);
  g_assert_cmpint (dt_stun_message_get_class (fixture->response), ==, DT_STUN_CLASS_SUCCESS);
  g_assert_cmpmem (dt_stun_message_get_transaction_id (fixture->response),
                   DT_STUN_TRANSACTION_ID_LENGTH,
                   (const guint8 *) g_bytes_get_data (request, NULL) + 8,
                   DT_STUN_TRANSACTION_ID_LENGTH);

  /* A late duplicate is nobody's, and no retransmission follows */
  g_assert_false (dt_stun_client_handle_message (fixture->client, right));
  dt_clock_advance (fixture->clock, 60000);
  g_assert_cmpuint (fixture->send_times->len, ==, 2);
}

static void
test_integrity (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GBytes) key = dt_stun_long_term_key ("alice", "test.invalid", "secret",
                                                 DT_STUN_PASSWORD_ALGORITHM_MD5, NULL);
  g_autoptr(GBytes) wrong_key = dt_stun_long_term_key ("alice", "test.invalid", "guess",
                                                       DT_STUN_PASSWORD_ALGORITHM_MD5, NULL);
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_ALLOCATE, key);
  g_autoptr(DtStunMessage) forged = NULL;
  g_autoptr(DtStunMessage) unsigned_success = NULL;
  g_autoptr(DtStunMessage) unsigned_error = NULL;
  g_autoptr(DtStunMessage) signed_success = NULL;

  forged = build_response (request, DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS, wrong_key,
                           NULL);
  unsigned_success = build_response (request, DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS,
                                     NULL, NULL);
  unsigned_error = build_response (request, DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_ERROR, NULL,
                                   NULL);
  signed_success = build_response (request, DT_STUN_METHOD_ALLOCATE, DT_STUN_CLASS_SUCCESS, key,
                                   NULL);

  dt_stun_client_request_async (fixture->client, request, key, NULL, on_response, fixture);
  g_assert_false (dt_stun_client_handle_message (fixture->client, forged));
  g_assert_false (dt_stun_client_handle_message (fixture->client, unsigned_success));
  iterate ();
  g_assert_false (fixture->done);
  g_assert_true (dt_stun_client_handle_message (fixture->client, signed_success));
  iterate ();
  g_assert_true (fixture->done);
  g_assert_no_error (fixture->error);
  g_assert_cmpint (dt_stun_message_get_class (fixture->response), ==, DT_STUN_CLASS_SUCCESS);

  /* The server may not know the key: an unsigned error is an answer */
  fixture->done = FALSE;
  g_clear_pointer (&fixture->response, dt_stun_message_free);
  dt_stun_client_request_async (fixture->client, request, key, NULL, on_response, fixture);
  g_assert_true (dt_stun_client_handle_message (fixture->client, unsigned_error));
  iterate ();
  g_assert_true (fixture->done);
  g_assert_cmpint (dt_stun_message_get_class (fixture->response), ==, DT_STUN_CLASS_ERROR);
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_BINDING, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DtStunMessage) right = NULL;

  dt_stun_client_request_async (fixture->client, request, NULL, cancellable, on_response,
                                fixture);
  dt_clock_advance (fixture->clock, 500);
  g_cancellable_cancel (cancellable);
  g_assert_false (fixture->done);

  /* Too late: the request is being cancelled */
  right = build_response (request, DT_STUN_METHOD_BINDING, DT_STUN_CLASS_SUCCESS, NULL, NULL);
  g_assert_false (dt_stun_client_handle_message (fixture->client, right));

  iterate ();
  g_assert_true (fixture->done);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  dt_clock_advance (fixture->clock, 60000);
  g_assert_cmpuint (fixture->send_times->len, ==, 2);

  /* Already cancelled: nothing is sent */
  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  dt_stun_client_request_async (fixture->client, request, NULL, cancellable, on_response,
                                fixture);
  iterate ();
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->send_times->len, ==, 2);
}

static void
test_close_and_send_failure (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GBytes) request = build_request (DT_STUN_METHOD_BINDING, NULL);
  g_autoptr(GError) reason = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Gone");

  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  dt_stun_client_close (fixture->client, reason);
  iterate ();
  g_assert_true (fixture->done);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);

  /* Closed: no transport any more */
  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  iterate ();
  g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_SEND_FAILED);

  /* A retransmission that cannot be sent ends the transaction */
  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  dt_stun_client_set_send_func (fixture->client, record_send, fixture, NULL);
  dt_stun_client_request_async (fixture->client, request, NULL, NULL, on_response, fixture);
  fixture->fail_sends = TRUE;
  dt_clock_advance (fixture->clock, 500);
  iterate ();
  g_assert_true (fixture->done);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);

  /* Not a request */
  fixture->done = FALSE;
  g_clear_error (&fixture->error);
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("hello, world", 12);

    dt_stun_client_request_async (fixture->client, junk, NULL, NULL, on_response, fixture);
    iterate ();
    g_assert_error (fixture->error, DT_STUN_CLIENT_ERROR, DT_STUN_CLIENT_ERROR_INVALID_REQUEST);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/stun-client/udp-schedule", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_udp_schedule, fixture_tear_down);
  g_test_add ("/stun-client/udp-schedule-properties", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_udp_schedule_properties, fixture_tear_down);
  g_test_add ("/stun-client/reliable-timeout", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_reliable_timeout, fixture_tear_down);
  g_test_add ("/stun-client/matching", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_matching, fixture_tear_down);
  g_test_add ("/stun-client/integrity", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_integrity, fixture_tear_down);
  g_test_add ("/stun-client/cancel", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/stun-client/close-and-send-failure", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_close_and_send_failure, fixture_tear_down);

  return g_test_run ();
}
