/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-transaction.c
 *
 * The four transaction state machines of RFC 3261 §17 (with RFC 6026's
 * Accepted state) on a hand-wound clock: every retransmission and timeout
 * is checked to the millisecond, with no sleeping.
 */

#include "config.h"

#include "dt-sip-transaction.h"

typedef struct
{
  gint64        at_ms;
  DtSipMessage *message;
} Sent;

typedef struct
{
  DtClock            *clock;
  DtSipTransactionLayer *layer;
  GArray                *sent;           /* of Sent */
  gboolean               fail_sends;
  gboolean               reliable;

  GPtrArray             *responses;      /* given to on_response; NULL entries for "none" */
  GArray                *response_times;
  DtSipTransaction      *server_tx;      /* last new server transaction, reffed */
  GPtrArray             *dialog_requests; /* requests passed with tx NULL (ACK to 2xx) */
  GPtrArray             *strays;
  guint                  n_peers_freed;
} Fixture;

static void
sent_clear (Sent *sent)
{
  dt_sip_message_unref (sent->message);
}

static gboolean
on_send (DtSipTransactionLayer *layer,
         DtSipMessage          *message,
         gpointer               peer,
         gpointer               user_data)
{
  Fixture *fixture = user_data;
  Sent sent = { dt_clock_now_ms (fixture->clock), dt_sip_message_ref (message) };

  g_assert_cmpstr (peer, ==, "peer");
  if (fixture->fail_sends)
    {
      dt_sip_message_unref (message);
      return FALSE;
    }

  g_array_append_val (fixture->sent, sent);
  return TRUE;
}

static void
on_request (DtSipTransactionLayer *layer,
            DtSipTransaction      *tx,
            DtSipMessage          *request,
            gpointer               peer,
            gpointer               user_data)
{
  Fixture *fixture = user_data;

  if (tx == NULL)
    {
      g_ptr_array_add (fixture->dialog_requests, dt_sip_message_ref (request));
      return;
    }

  g_clear_pointer (&fixture->server_tx, dt_sip_transaction_unref);
  fixture->server_tx = dt_sip_transaction_ref (tx);
}

static void
on_stray (DtSipTransactionLayer *layer,
          DtSipMessage          *response,
          gpointer               peer,
          gpointer               user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->strays, dt_sip_message_ref (response));
}

static void
on_peer_free (gpointer peer)
{
  /* Peers in this test are a static string; count the frees instead. */
  g_assert_cmpstr (peer, ==, "peer");
}

static const DtSipTransactionLayerCallbacks callbacks = {
  on_send, on_request, on_stray,
};

static void
on_response (DtSipTransaction *tx,
             DtSipMessage     *response,
             gpointer          user_data)
{
  Fixture *fixture = user_data;
  gint64 now = dt_clock_now_ms (fixture->clock);

  g_ptr_array_add (fixture->responses, response ? dt_sip_message_ref (response) : NULL);
  g_array_append_val (fixture->response_times, now);
}

static void
message_unref0 (gpointer message)
{
  if (message)
    dt_sip_message_unref (message);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->clock = dt_clock_new_manual ();
  fixture->layer = dt_sip_transaction_layer_new (fixture->clock, NULL, &callbacks,
                                                 on_peer_free, fixture);
  fixture->sent = g_array_new (FALSE, TRUE, sizeof (Sent));
  g_array_set_clear_func (fixture->sent, (GDestroyNotify) sent_clear);
  fixture->responses = g_ptr_array_new_with_free_func (message_unref0);
  fixture->response_times = g_array_new (FALSE, TRUE, sizeof (gint64));
  fixture->dialog_requests = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
  fixture->strays = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sip_message_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->server_tx, dt_sip_transaction_unref);
  dt_sip_transaction_layer_free (fixture->layer);
  g_assert_cmpuint (dt_clock_get_n_pending (fixture->clock), ==, 0);
  dt_clock_unref (fixture->clock);
  g_array_unref (fixture->sent);
  g_ptr_array_unref (fixture->responses);
  g_array_unref (fixture->response_times);
  g_ptr_array_unref (fixture->dialog_requests);
  g_ptr_array_unref (fixture->strays);
}

static DtSipMessage *
make_request (const char *method,
              const char *branch,
              const char *sent_by,
              guint32     cseq)
{
  DtSipMessage *request = dt_sip_message_new_request (method, "sip:bob@example.com");
  g_autofree char *via = g_strdup_printf ("SIP/2.0/UDP %s;branch=%s", sent_by, branch);
  g_autofree char *cseq_value = g_strdup_printf ("%u %s", cseq, method);

  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", "Alice <sip:alice@example.com>;tag=a1");
  dt_sip_message_append_header (request, "To", "Bob <sip:bob@example.com>");
  dt_sip_message_append_header (request, "Call-ID", "call-1@example.com");
  dt_sip_message_append_header (request, "CSeq", cseq_value);
  dt_sip_message_append_header (request, "Route", "<sip:proxy.example.com;lr>");
  return request;
}

static DtSipMessage *
make_response (DtSipMessage *request,
               guint         code,
               const char   *to_tag)
{
  return dt_sip_message_new_response_for (request, code, code == 100 ? "Trying" : "Reason",
                                          to_tag);
}

static DtSipTransaction *
start_client (Fixture      *fixture,
              DtSipMessage *request)
{
  g_autoptr(GError) error = NULL;
  DtSipTransaction *tx;

  tx = dt_sip_transaction_layer_send_request (fixture->layer, request, (gpointer) "peer",
                                              fixture->reliable, on_response, fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tx);
  return dt_sip_transaction_ref (tx);
}

static void
receive (Fixture      *fixture,
         DtSipMessage *message)
{
  dt_sip_transaction_layer_receive (fixture->layer, message, (gpointer) "peer",
                                    fixture->reliable);
}

static void
advance_to (Fixture *fixture,
            gint64   ms)
{
  gint64 now = dt_clock_now_ms (fixture->clock);

  g_assert_cmpint (ms, >=, now);
  dt_clock_advance (fixture->clock, ms - now);
}

static void
assert_send_times (Fixture      *fixture,
                   const gint64 *expected,
                   guint         n_expected)
{
  g_autoptr(GString) seen = g_string_new (NULL);

  for (guint i = 0; i < fixture->sent->len; i++)
    g_string_append_printf (seen, "%" G_GINT64_FORMAT " ",
                            g_array_index (fixture->sent, Sent, i).at_ms);
  g_test_message ("sent at: %s", seen->str);

  g_assert_cmpuint (fixture->sent->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_cmpint (g_array_index (fixture->sent, Sent, i).at_ms, ==, expected[i]);
}

static DtSipMessage *
sent_message (Fixture *fixture,
              guint    index)
{
  return g_array_index (fixture->sent, Sent, index).message;
}

/* §17.1.1.2: timer A doubles with no cap; timer B ends it at 64·T1. */
static void
test_client_invite_timeout_udp (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKinv1", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, invite);
  const gint64 expected[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };

  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_CALLING);
  advance_to (fixture, 31999);
  g_assert_cmpuint (fixture->responses->len, ==, 0);
  advance_to (fixture, 32000);

  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (fixture->responses->len, ==, 1);
  g_assert_null (g_ptr_array_index (fixture->responses, 0));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TIMEOUT);
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (fixture->layer), ==, 0);
  g_assert_cmpuint (dt_clock_get_n_pending (fixture->clock), ==, 0);
}

/* Over TCP nothing is retransmitted; timer B still applies. */
static void
test_client_invite_timeout_tcp (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKinv2", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = NULL;
  const gint64 expected[] = { 0 };

  fixture->reliable = TRUE;
  tx = start_client (fixture, invite);
  advance_to (fixture, 40000);

  assert_send_times (fixture, expected, 1);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TIMEOUT);
}

/* A 1xx stops timer A; a non-2xx final gets the transaction's own ACK,
 * again for each retransmission of the final, until timer D. */
static void
test_client_invite_rejected (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKinv3", "10.0.0.1:5060", 7);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, invite);
  g_autoptr(DtSipMessage) ringing = make_response (invite, 180, "b1");
  g_autoptr(DtSipMessage) busy = make_response (invite, 486, "b1");
  const gint64 expected[] = { 0, 500, 5000, 6000 };
  DtSipMessage *ack;
  guint32 number;
  const char *method;

  advance_to (fixture, 700);
  receive (fixture, ringing);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_PROCEEDING);
  g_assert_cmpuint (fixture->responses->len, ==, 1);

  /* No retransmission and no timer B while proceeding. */
  advance_to (fixture, 5000);
  receive (fixture, busy);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);
  g_assert_cmpuint (fixture->responses->len, ==, 2);

  ack = sent_message (fixture, 2);
  g_assert_cmpstr (dt_sip_message_get_method (ack), ==, "ACK");
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==, "sip:bob@example.com");
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (ack), ==, "z9hG4bKinv3");
  g_assert_cmpstr (dt_sip_message_get_to_tag (ack), ==, "b1");
  g_assert_cmpstr (dt_sip_message_get_from_tag (ack), ==, "a1");
  g_assert_true (dt_sip_message_get_cseq (ack, &number, &method));
  g_assert_cmpuint (number, ==, 7);
  g_assert_cmpstr (method, ==, "ACK");
  g_assert_cmpstr (dt_sip_message_get_header (ack, "Route"), ==, "<sip:proxy.example.com;lr>");

  /* The far end did not see the ACK and sends the 486 again. */
  advance_to (fixture, 6000);
  receive (fixture, busy);
  g_assert_cmpuint (fixture->responses->len, ==, 2);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));

  /* Timer D: 32 s after the final response. */
  advance_to (fixture, 36999);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);
  advance_to (fixture, 37000);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_NORMAL);
}

/* RFC 6026: after a 2xx the client transaction stays Accepted for 64·T1
 * and hands every further 2xx (forks) to its user. */
static void
test_client_invite_accepted (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKinv4", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, invite);
  g_autoptr(DtSipMessage) ok1 = make_response (invite, 200, "fork1");
  g_autoptr(DtSipMessage) ok2 = make_response (invite, 200, "fork2");

  advance_to (fixture, 100);
  receive (fixture, ok1);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_ACCEPTED);
  receive (fixture, ok2);
  g_assert_cmpuint (fixture->responses->len, ==, 2);
  g_assert_cmpstr (dt_sip_message_get_to_tag (g_ptr_array_index (fixture->responses, 1)), ==,
                   "fork2");

  /* The transaction sends no ACK for a 2xx: that is the dialog's. */
  g_assert_cmpuint (fixture->sent->len, ==, 1);

  advance_to (fixture, 100 + 32000);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);

  /* A 2xx after that has no transaction: the dialog layer gets it. */
  receive (fixture, ok1);
  g_assert_cmpuint (fixture->strays->len, ==, 1);
  g_assert_cmpuint (fixture->responses->len, ==, 2);
}

/* §17.1.2.2: timer E doubles up to T2 while Trying; timer F ends it. */
static void
test_client_non_invite_timeout (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(DtSipMessage) reg = make_request ("REGISTER", "z9hG4bKreg1", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, reg);
  const gint64 expected[] = { 0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500,
                              31500 };

  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TRYING);
  advance_to (fixture, 32000);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TIMEOUT);
  g_assert_null (g_ptr_array_index (fixture->responses, 0));
}

/* After a provisional response timer E fires every T2; a final response
 * completes the transaction, which absorbs retransmissions for T4. */
static void
test_client_non_invite_proceeding (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(DtSipMessage) bye = make_request ("BYE", "z9hG4bKbye1", "10.0.0.1:5060", 2);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, bye);
  g_autoptr(DtSipMessage) trying = make_response (bye, 100, NULL);
  g_autoptr(DtSipMessage) ok = make_response (bye, 200, "b1");
  const gint64 expected[] = { 0, 500, 4500, 8500 };

  advance_to (fixture, 100);
  receive (fixture, trying);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_PROCEEDING);
  advance_to (fixture, 9000);
  receive (fixture, ok);
  receive (fixture, ok);
  g_assert_cmpuint (fixture->responses->len, ==, 2);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);

  advance_to (fixture, 9000 + 5000);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_NORMAL);
}

/* A reliable transport: timer K is zero. */
static void
test_client_non_invite_tcp (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(DtSipMessage) options = make_request ("OPTIONS", "z9hG4bKopt1", "10.0.0.1:5060", 3);
  g_autoptr(DtSipTransaction) tx = NULL;
  g_autoptr(DtSipMessage) ok = NULL;

  fixture->reliable = TRUE;
  tx = start_client (fixture, options);
  ok = make_response (options, 200, "x");
  advance_to (fixture, 10000);
  receive (fixture, ok);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpuint (fixture->sent->len, ==, 1);
}

/* §17.1.3: the branch and the CSeq method pick the transaction. */
static void
test_client_matching (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKm1", "10.0.0.1:5060", 1);
  g_autoptr(DtSipMessage) cancel = make_request ("CANCEL", "z9hG4bKm1", "10.0.0.1:5060", 1);
  g_autoptr(DtSipMessage) other = make_request ("INVITE", "z9hG4bKother", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) invite_tx = start_client (fixture, invite);
  g_autoptr(DtSipTransaction) cancel_tx = start_client (fixture, cancel);
  g_autoptr(DtSipMessage) cancel_ok = make_response (cancel, 200, "b");
  g_autoptr(DtSipMessage) wrong_branch = make_response (other, 200, "b");
  g_autoptr(GError) error = NULL;

  receive (fixture, cancel_ok);
  g_assert_cmpint (dt_sip_transaction_get_state (cancel_tx), ==, DT_SIP_TRANSACTION_COMPLETED);
  g_assert_cmpint (dt_sip_transaction_get_state (invite_tx), ==, DT_SIP_TRANSACTION_CALLING);

  receive (fixture, wrong_branch);
  g_assert_cmpuint (fixture->strays->len, ==, 1);

  /* The same branch and method twice is refused. */
  g_assert_null (dt_sip_transaction_layer_send_request (fixture->layer, invite, (gpointer) "peer",
                                                        FALSE, on_response, fixture, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
}

static void
test_client_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(DtSipMessage) ack = make_request ("ACK", "z9hG4bKack", "10.0.0.1:5060", 1);
  g_autoptr(DtSipMessage) old = make_request ("INVITE", "1234", "10.0.0.1:5060", 1);
  g_autoptr(GError) error = NULL;

  g_assert_null (dt_sip_transaction_layer_send_request (fixture->layer, ack, (gpointer) "peer",
                                                        FALSE, on_response, fixture, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_null (dt_sip_transaction_layer_send_request (fixture->layer, old, (gpointer) "peer",
                                                        FALSE, on_response, fixture, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (fixture->sent->len, ==, 0);
}

/* §17.1.4: a transport error ends the transaction; the first send's
 * failure is the caller's error, a retransmission's goes to the user. */
static void
test_client_transport_error (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = make_request ("INVITE", "z9hG4bKte1", "10.0.0.1:5060", 1);
  g_autoptr(DtSipMessage) second = make_request ("INVITE", "z9hG4bKte2", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;

  fixture->fail_sends = TRUE;
  g_assert_null (dt_sip_transaction_layer_send_request (fixture->layer, first, (gpointer) "peer",
                                                        FALSE, on_response, fixture, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpuint (fixture->responses->len, ==, 0);

  fixture->fail_sends = FALSE;
  tx = start_client (fixture, second);
  fixture->fail_sends = TRUE;
  advance_to (fixture, 500);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TRANSPORT_ERROR);
  g_assert_cmpuint (fixture->responses->len, ==, 1);
  g_assert_null (g_ptr_array_index (fixture->responses, 0));
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (fixture->layer), ==, 0);
}

/* §17.2.1: 100 Trying at once; a retransmitted INVITE gets the last
 * provisional; a non-2xx final is retransmitted by timer G (up to T2)
 * until the ACK, and timer H gives up. */
static void
test_server_invite_no_ack (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKs1", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) busy = NULL;
  g_autoptr(DtSipTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  const gint64 expected[] = { 0, 200, 1000, 1500, 2500, 4500, 8500, 12500, 16500, 20500, 24500,
                              28500, 32500 };

  receive (fixture, invite);
  g_assert_nonnull (fixture->server_tx);
  tx = dt_sip_transaction_ref (fixture->server_tx);
  g_assert_cmpint (dt_sip_transaction_get_kind (tx), ==, DT_SIP_TRANSACTION_SERVER_INVITE);
  g_assert_cmpint (dt_sip_message_get_status_code (sent_message (fixture, 0)), ==, 100);

  advance_to (fixture, 200);
  receive (fixture, invite);
  g_assert_cmpint (dt_sip_message_get_status_code (sent_message (fixture, 1)), ==, 100);
  /* A retransmission is not a new request for the TU. */
  g_assert_true (fixture->server_tx == tx);

  advance_to (fixture, 1000);
  busy = make_response (invite, 486, "s1");
  g_assert_true (dt_sip_transaction_respond (tx, busy, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);

  advance_to (fixture, 33000);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TIMEOUT);
}

/* The ACK confirms; timer I absorbs further ACKs for T4. */
static void
test_server_invite_acked (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKs2", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) ack = make_request ("ACK", "z9hG4bKs2", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) declined = NULL;
  g_autoptr(DtSipTransaction) tx = NULL;
  const gint64 expected[] = { 0, 0, 500 };

  receive (fixture, invite);
  tx = dt_sip_transaction_ref (fixture->server_tx);
  declined = make_response (invite, 603, "s2");
  g_assert_true (dt_sip_transaction_respond (tx, declined, NULL));

  advance_to (fixture, 700);
  receive (fixture, ack);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_CONFIRMED);
  receive (fixture, ack);
  g_assert_cmpuint (fixture->dialog_requests->len, ==, 0);

  advance_to (fixture, 5699);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_CONFIRMED);
  advance_to (fixture, 5700);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_NORMAL);

  /* A second final response is refused. */
  g_assert_false (dt_sip_transaction_respond (tx, declined, NULL));
}

/* RFC 6026 §8: after a 2xx, retransmitted INVITEs are absorbed and the ACK
 * goes to the dialog; timer L ends the transaction. */
static void
test_server_invite_accepted (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKs3", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) ack = make_request ("ACK", "z9hG4bKs3ack", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) ringing = NULL;
  g_autoptr(DtSipMessage) ok = NULL;
  g_autoptr(DtSipTransaction) tx = NULL;

  receive (fixture, invite);
  tx = dt_sip_transaction_ref (fixture->server_tx);
  ringing = make_response (invite, 180, "s3");
  ok = make_response (invite, 200, "s3");
  g_assert_true (dt_sip_transaction_respond (tx, ringing, NULL));

  /* A retransmitted INVITE now gets the 180. */
  receive (fixture, invite);
  g_assert_cmpint (dt_sip_message_get_status_code (sent_message (fixture, 2)), ==, 180);

  g_assert_true (dt_sip_transaction_respond (tx, ok, NULL));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_ACCEPTED);
  g_assert_cmpuint (fixture->sent->len, ==, 4);

  receive (fixture, invite);
  g_assert_cmpuint (fixture->sent->len, ==, 4);

  /* The TU retransmits its 2xx through the transaction (§13.3.1.4). */
  g_assert_true (dt_sip_transaction_respond (tx, ok, NULL));
  g_assert_cmpuint (fixture->sent->len, ==, 5);

  /* The ACK to a 2xx has a branch of its own: no transaction matches it. */
  receive (fixture, ack);
  g_assert_cmpuint (fixture->dialog_requests->len, ==, 1);

  advance_to (fixture, 32000);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_NORMAL);
}

/* §17.2.2: Trying discards retransmissions; once the final response is
 * sent it answers them, until timer J. */
static void
test_server_non_invite (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(DtSipMessage) reg = make_request ("REGISTER", "z9hG4bKs4", "10.0.0.9:5070", 5);
  g_autoptr(DtSipMessage) ok = NULL;
  g_autoptr(DtSipTransaction) tx = NULL;
  const gint64 expected[] = { 300, 1000 };

  receive (fixture, reg);
  tx = dt_sip_transaction_ref (fixture->server_tx);
  g_assert_cmpint (dt_sip_transaction_get_kind (tx), ==, DT_SIP_TRANSACTION_SERVER_NON_INVITE);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TRYING);

  receive (fixture, reg);
  g_assert_cmpuint (fixture->sent->len, ==, 0);

  advance_to (fixture, 300);
  ok = make_response (reg, 200, "r1");
  g_assert_true (dt_sip_transaction_respond (tx, ok, NULL));
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);

  advance_to (fixture, 1000);
  receive (fixture, reg);
  assert_send_times (fixture, expected, G_N_ELEMENTS (expected));

  advance_to (fixture, 300 + 31999);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_COMPLETED);
  advance_to (fixture, 300 + 32000);
  g_assert_cmpint (dt_sip_transaction_get_state (tx), ==, DT_SIP_TRANSACTION_TERMINATED);

  /* After timer J the same request is new again. */
  receive (fixture, reg);
  g_assert_false (fixture->server_tx == tx);
}

/* §17.2.3: a different sent-by is a different transaction, and a CANCEL
 * finds its INVITE. */
static void
test_server_matching (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKsm", "10.0.0.9:5070", 1);
  g_autoptr(DtSipMessage) elsewhere = make_request ("INVITE", "z9hG4bKsm", "10.0.0.8:5070", 1);
  g_autoptr(DtSipMessage) cancel = make_request ("CANCEL", "z9hG4bKsm", "10.0.0.9:5070", 1);
  g_autoptr(DtSipTransaction) first = NULL;

  receive (fixture, invite);
  first = dt_sip_transaction_ref (fixture->server_tx);
  receive (fixture, elsewhere);
  g_assert_false (fixture->server_tx == first);
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (fixture->layer), ==, 2);

  g_assert_true (dt_sip_transaction_layer_find_invite (fixture->layer, cancel) == first);
  receive (fixture, cancel);
  g_assert_cmpint (dt_sip_transaction_get_kind (fixture->server_tx), ==,
                   DT_SIP_TRANSACTION_SERVER_NON_INVITE);
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (fixture->layer), ==, 3);
}

/* Timers scale with T1, so integration tests can run them fast. */
static void
test_scaled_timers (void)
{
  g_autoptr(DtClock) clock = dt_clock_new_manual ();
  DtSipTimers timers = { 50, 400, 500 };
  Fixture fixture = { 0 };
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKfast", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = NULL;
  const gint64 expected[] = { 0, 50, 150, 350, 750, 1550, 3150 };

  fixture.clock = clock;
  fixture.sent = g_array_new (FALSE, TRUE, sizeof (Sent));
  g_array_set_clear_func (fixture.sent, (GDestroyNotify) sent_clear);
  fixture.responses = g_ptr_array_new_with_free_func (message_unref0);
  fixture.response_times = g_array_new (FALSE, TRUE, sizeof (gint64));
  fixture.layer = dt_sip_transaction_layer_new (clock, &timers, &callbacks, NULL, &fixture);

  tx = start_client (&fixture, invite);
  dt_clock_advance (clock, 3200);
  assert_send_times (&fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_TIMEOUT);
  g_assert_cmpint (g_array_index (fixture.response_times, gint64, 0), ==, 3200);

  dt_sip_transaction_layer_free (fixture.layer);
  g_array_unref (fixture.sent);
  g_ptr_array_unref (fixture.responses);
  g_array_unref (fixture.response_times);
}

/* Freeing the layer stops every timer and tells no one. */
static void
test_layer_free (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(DtSipMessage) invite = make_request ("INVITE", "z9hG4bKfree", "10.0.0.1:5060", 1);
  g_autoptr(DtSipTransaction) tx = start_client (fixture, invite);

  g_assert_cmpuint (dt_clock_get_n_pending (fixture->clock), ==, 2);
  dt_sip_transaction_layer_free (fixture->layer);
  fixture->layer = dt_sip_transaction_layer_new (fixture->clock, NULL, &callbacks,
                                                 on_peer_free, fixture);
  g_assert_cmpint (dt_sip_transaction_get_end (tx), ==, DT_SIP_TRANSACTION_END_CANCELLED);
  g_assert_cmpuint (fixture->responses->len, ==, 0);
  g_assert_cmpuint (dt_clock_get_n_pending (fixture->clock), ==, 0);
}

static void
test_branch (void)
{
  g_autofree char *a = dt_sip_branch_new ();
  g_autofree char *b = dt_sip_branch_new ();

  g_assert_true (g_str_has_prefix (a, "z9hG4bK"));
  g_assert_cmpuint (strlen (a), ==, 7 + 32);
  g_assert_cmpstr (a, !=, b);
}

/* The system clock runs timers on the main loop. */
static void
on_system_timer (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static void
test_system_clock (void)
{
  g_autoptr(DtClock) clock = dt_clock_new_system ();
  gboolean fired = FALSE;
  gboolean never = FALSE;
  gint64 start = dt_clock_now_ms (clock);
  guint id;

  dt_clock_add (clock, 20, on_system_timer, &fired);
  id = dt_clock_add (clock, 10, on_system_timer, &never);
  dt_clock_remove (clock, id);
  while (!fired)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (never);
  g_assert_cmpint (dt_clock_now_ms (clock) - start, >=, 20);
  g_assert_cmpuint (dt_clock_get_n_pending (clock), ==, 0);
}

typedef struct
{
  DtClock *clock;
  GString    *order;
  guint       n_fired;
} ClockOrder;

typedef struct
{
  ClockOrder *shared;
  char        name;
} ClockMark;

static void
on_marked_timer (gpointer user_data)
{
  ClockMark *mark = user_data;

  g_string_append_c (mark->shared->order, mark->name);
  mark->shared->n_fired++;
}

static ClockMark late_mark;

static void
on_timer_sets_another (gpointer user_data)
{
  ClockMark *mark = user_data;

  on_marked_timer (mark);
  late_mark = (ClockMark) { mark->shared, 'z' };
  dt_clock_add (mark->shared->clock, 0, on_marked_timer, &late_mark);
}

static gboolean
all_fired (ClockOrder *order,
           guint       n)
{
  return order->n_fired >= n;
}

/* Many timers on one system clock fire by due time, then by the order
 * they were set; cancelled ones never fire, and freeing the clock drops
 * the rest. */
static void
test_system_clock_order (void)
{
  ClockOrder order = { dt_clock_new_system (), g_string_new (NULL), 0 };
  ClockMark marks[] = {
    { &order, 'c' }, { &order, 'a' }, { &order, 'b' }, { &order, 'x' }, { &order, 'd' },
  };
  guint cancelled;
  gboolean never = FALSE;

  dt_clock_add (order.clock, 30, on_marked_timer, &marks[0]);
  dt_clock_add (order.clock, 10, on_marked_timer, &marks[1]);
  dt_clock_add (order.clock, 20, on_timer_sets_another, &marks[2]);
  cancelled = dt_clock_add (order.clock, 15, on_marked_timer, &marks[3]);
  dt_clock_add (order.clock, 30, on_marked_timer, &marks[4]);
  dt_clock_remove (order.clock, cancelled);
  dt_clock_add (order.clock, 60000, on_system_timer, &never);
  g_assert_cmpuint (dt_clock_get_n_pending (order.clock), ==, 5);

  while (!all_fired (&order, 5))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (order.order->str, ==, "abzcd");
  g_assert_cmpuint (dt_clock_get_n_pending (order.clock), ==, 1);

  dt_clock_unref (order.clock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (never);
  g_string_free (order.order, TRUE);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  ADD ("/sip-transaction/client-invite/timeout-udp", test_client_invite_timeout_udp);
  ADD ("/sip-transaction/client-invite/timeout-tcp", test_client_invite_timeout_tcp);
  ADD ("/sip-transaction/client-invite/rejected", test_client_invite_rejected);
  ADD ("/sip-transaction/client-invite/accepted", test_client_invite_accepted);
  ADD ("/sip-transaction/client-non-invite/timeout", test_client_non_invite_timeout);
  ADD ("/sip-transaction/client-non-invite/proceeding", test_client_non_invite_proceeding);
  ADD ("/sip-transaction/client-non-invite/tcp", test_client_non_invite_tcp);
  ADD ("/sip-transaction/client/matching", test_client_matching);
  ADD ("/sip-transaction/client/refused", test_client_refused);
  ADD ("/sip-transaction/client/transport-error", test_client_transport_error);
  ADD ("/sip-transaction/server-invite/no-ack", test_server_invite_no_ack);
  ADD ("/sip-transaction/server-invite/acked", test_server_invite_acked);
  ADD ("/sip-transaction/server-invite/accepted", test_server_invite_accepted);
  ADD ("/sip-transaction/server-non-invite", test_server_non_invite);
  ADD ("/sip-transaction/server/matching", test_server_matching);
  ADD ("/sip-transaction/layer-free", test_layer_free);
  g_test_add_func ("/sip-transaction/scaled-timers", test_scaled_timers);
  g_test_add_func ("/sip-transaction/branch", test_branch);
  g_test_add_func ("/sip-clock/system", test_system_clock);
  g_test_add_func ("/sip-clock/system-order", test_system_clock_order);

  return g_test_run ();
}
