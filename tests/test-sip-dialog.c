/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-dialog.c
 *
 * Whole calls between two DtSipUserAgents wired back to back in memory:
 * every message crosses a fake wire as bytes, may be dropped or altered on
 * the way, and is logged, so that the exact sequence (methods, CSeq
 * numbers, tags, branches, routes) and the timing of retransmissions can be
 * asserted on a hand-wound clock.
 */

#include "config.h"

#include "dt-sip-dialog.h"

typedef struct _Fixture Fixture;

typedef struct
{
  char          from;       /* 'A' or 'B' */
  gint64        at_ms;
  DtSipMessage *message;
  gboolean      dropped;
} Wire;

typedef gboolean (*DropFunc)   (Fixture *f, char from, DtSipMessage *message);
typedef void     (*TamperFunc) (Fixture *f, char from, DtSipMessage *message);

struct _Fixture
{
  DtClock      *clock;
  DtSipUserAgent  *a;
  DtSipUserAgent  *b;
  GArray          *wire;          /* of Wire */
  GQueue           queue;         /* of Wire *, copies in flight */
  DropFunc         drop;
  guint            n_dropped;
  guint            drop_limit;    /* 0: no limit */
  TamperFunc       tamper;

  DtSipDialog     *call;          /* A's outgoing call */
  GPtrArray       *incoming;      /* B's dialogs */
  GPtrArray       *events;        /* of char * */
  DtSipAuthServer *auth_server;
};

static void
wire_clear (Wire *wire)
{
  dt_sip_message_unref (wire->message);
}

static DtSipMessage *
copy_message (DtSipMessage *message)
{
  g_autoptr(GBytes) bytes = dt_sip_message_to_bytes (message);
  g_autoptr(GError) error = NULL;
  DtSipMessage *copy;

  copy = dt_sip_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               DT_SIP_FRAMING_DATAGRAM, &error);
  g_assert_no_error (error);
  return copy;
}

static gboolean
on_send (DtSipUserAgent *ua,
         DtSipMessage   *message,
         gpointer        peer,
         gpointer        user_data)
{
  Fixture *f = user_data;
  char from = ua == f->a ? 'A' : 'B';
  Wire wire = { from, dt_clock_now_ms (f->clock), copy_message (message), FALSE };

  if (f->drop && (f->drop_limit == 0 || f->n_dropped < f->drop_limit)
      && f->drop (f, from, message))
    {
      wire.dropped = TRUE;
      f->n_dropped++;
    }

  g_array_append_val (f->wire, wire);
  if (!wire.dropped)
    {
      Wire *flying = g_new0 (Wire, 1);

      flying->from = from;
      flying->message = copy_message (message);
      if (f->tamper)
        f->tamper (f, from, flying->message);
      g_queue_push_tail (&f->queue, flying);
    }
  return TRUE;
}

static void
pump (Fixture *f)
{
  Wire *flying;

  while ((flying = g_queue_pop_head (&f->queue)) != NULL)
    {
      dt_sip_user_agent_receive (flying->from == 'A' ? f->b : f->a, flying->message, NULL, FALSE);
      dt_sip_message_unref (flying->message);
      g_free (flying);
    }
}

static void
discard_in_flight (Fixture *f)
{
  Wire *flying;

  while ((flying = g_queue_pop_head (&f->queue)) != NULL)
    {
      dt_sip_message_unref (flying->message);
      g_free (flying);
    }
}

static void
run_for (Fixture *f,
         guint    ms)
{
  pump (f);
  for (guint t = 0; t < ms; t += 10)
    {
      dt_clock_advance (f->clock, 10);
      pump (f);
    }
}

static void
add_event (Fixture    *f,
           DtSipDialog *dialog,
           const char *format,
           ...) G_GNUC_PRINTF (3, 4);

static void
add_event (Fixture     *f,
           DtSipDialog *dialog,
           const char  *format,
           ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (f->events, g_strdup_printf ("%c:%s", dt_sip_dialog_is_outgoing (dialog)
                                                        ? 'A' : 'B', text));
}

static char *
sdp_text (GBytes *sdp)
{
  if (sdp == NULL)
    return g_strdup ("-");
  return g_strndup (g_bytes_get_data (sdp, NULL), g_bytes_get_size (sdp));
}

static void
on_ringing (DtSipDialog *dialog,
            guint        code,
            const char  *reason,
            GBytes      *sdp,
            Fixture     *f)
{
  g_autofree char *text = sdp_text (sdp);

  add_event (f, dialog, "ringing %u %s", code, text);
}

static void
on_answered (DtSipDialog *dialog,
             GBytes      *sdp,
             Fixture     *f)
{
  g_autofree char *text = sdp_text (sdp);

  add_event (f, dialog, "answered %s", text);
}

static void
on_failed (DtSipDialog *dialog,
           guint        code,
           const char  *reason,
           Fixture     *f)
{
  add_event (f, dialog, "failed %u", code);
}

static void
on_bye (DtSipDialog *dialog,
        Fixture     *f)
{
  add_event (f, dialog, "bye");
}

static void
on_ack (DtSipDialog *dialog,
        GBytes      *sdp,
        Fixture     *f)
{
  add_event (f, dialog, "ack");
}

static void
on_reinvite (DtSipDialog *dialog,
             GBytes      *sdp,
             Fixture     *f)
{
  g_autofree char *text = sdp_text (sdp);

  add_event (f, dialog, "reinvite %s", text);
}

static void
on_reinvite_done (DtSipDialog *dialog,
                  guint        code,
                  GBytes      *sdp,
                  Fixture     *f)
{
  g_autofree char *text = sdp_text (sdp);

  add_event (f, dialog, "reinvite-done %u %s", code, text);
}

static void
watch_dialog (Fixture     *f,
              DtSipDialog *dialog)
{
  g_signal_connect (dialog, "ringing", G_CALLBACK (on_ringing), f);
  g_signal_connect (dialog, "answered", G_CALLBACK (on_answered), f);
  g_signal_connect (dialog, "failed", G_CALLBACK (on_failed), f);
  g_signal_connect (dialog, "bye", G_CALLBACK (on_bye), f);
  g_signal_connect (dialog, "ack", G_CALLBACK (on_ack), f);
  g_signal_connect (dialog, "reinvite", G_CALLBACK (on_reinvite), f);
  g_signal_connect (dialog, "reinvite-done", G_CALLBACK (on_reinvite_done), f);
}

static void
on_incoming (DtSipUserAgent *ua,
             DtSipDialog    *dialog,
             GBytes         *sdp,
             Fixture        *f)
{
  g_autofree char *text = sdp_text (sdp);

  g_ptr_array_add (f->incoming, g_object_ref (dialog));
  watch_dialog (f, dialog);
  add_event (f, dialog, "incoming %s", text);

  if (f->auth_server != NULL)
    {
      DtSipMessage *invite = dt_sip_dialog_get_invite (dialog);
      const char *credentials = dt_sip_message_get_header (invite, "Authorization");
      g_autoptr(GError) error = NULL;

      if (credentials == NULL
          || dt_sip_auth_server_verify (f->auth_server, "INVITE", credentials, NULL)
             != DT_SIP_AUTH_OK)
        {
          g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (f->auth_server,
                                                                          FALSE);

          g_assert_true (dt_sip_dialog_challenge (dialog, 401,
                                                  (const char * const *) challenges, &error));
          g_assert_no_error (error);
        }
    }
}

static GBytes *
sdp_new (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
fixture_set_up_timers (Fixture           *f,
                       const DtSipTimers *timers_a)
{
  f->clock = dt_clock_new_manual ();
  f->a = dt_sip_user_agent_new (f->clock, timers_a, on_send, NULL, f);
  f->b = dt_sip_user_agent_new (f->clock, NULL, on_send, NULL, f);
  dt_sip_user_agent_set_local (f->a, "UDP", "a.example:5060", "sip:alice@a.example:5060", FALSE);
  dt_sip_user_agent_set_local (f->b, "UDP", "b.example:5070", "sip:bob@b.example:5070", FALSE);
  f->wire = g_array_new (FALSE, TRUE, sizeof (Wire));
  g_array_set_clear_func (f->wire, (GDestroyNotify) wire_clear);
  g_queue_init (&f->queue);
  f->incoming = g_ptr_array_new_with_free_func (g_object_unref);
  f->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->b, "incoming", G_CALLBACK (on_incoming), f);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  fixture_set_up_timers (f, NULL);
}

/* A's INVITE transaction leaves Accepted after 64·100 ms, so later 2xx
 * retransmissions from B reach A's dialog as strays. */
static void
fixture_set_up_short_t1_a (Fixture       *f,
                           gconstpointer  data)
{
  static const DtSipTimers timers_a = { 100, DT_SIP_T2_MS, DT_SIP_T4_MS };

  fixture_set_up_timers (f, &timers_a);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Let every transaction and dialog run out. */
  f->drop = NULL;
  run_for (f, 70000);
  g_assert_cmpuint (dt_sip_user_agent_get_n_dialogs (f->a), ==, 0);
  g_assert_cmpuint (dt_sip_user_agent_get_n_dialogs (f->b), ==, 0);
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (
                      dt_sip_user_agent_get_transaction_layer (f->a)), ==, 0);
  g_assert_cmpuint (dt_sip_transaction_layer_get_n_transactions (
                      dt_sip_user_agent_get_transaction_layer (f->b)), ==, 0);

  if (f->call != NULL)
    g_assert_finalize_object (f->call);
  g_ptr_array_unref (f->incoming);
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_clear_object (&f->auth_server);
  g_assert_cmpuint (dt_clock_get_n_pending (f->clock), ==, 0);
  dt_clock_unref (f->clock);
  g_array_unref (f->wire);
  g_ptr_array_unref (f->events);
}

/* --- assertions on the wire ------------------------------------------ */

static char *
wire_summary (Fixture *f,
              guint    from_index)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = from_index; i < f->wire->len; i++)
    {
      Wire *wire = &g_array_index (f->wire, Wire, i);

      if (text->len > 0)
        g_string_append_c (text, ' ');
      if (dt_sip_message_is_request (wire->message))
        g_string_append_printf (text, "%c:%s", wire->from,
                                dt_sip_message_get_method (wire->message));
      else
        g_string_append_printf (text, "%c:%u", wire->from,
                                dt_sip_message_get_status_code (wire->message));
      if (wire->dropped)
        g_string_append (text, "(x)");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
events_summary (Fixture *f)
{
  g_autofree char *text = NULL;

  g_ptr_array_add (f->events, NULL);
  text = g_strjoinv (" | ", (char **) f->events->pdata);
  g_ptr_array_remove_index (f->events, f->events->len - 1);
  return g_steal_pointer (&text);
}

static DtSipMessage *
wire_at (Fixture *f,
         guint    index)
{
  g_assert_cmpuint (index, <, f->wire->len);
  return g_array_index (f->wire, Wire, index).message;
}

static guint32
cseq_of (DtSipMessage *message,
         const char   *expected_method)
{
  guint32 number = 0;
  const char *method = NULL;

  g_assert_true (dt_sip_message_get_cseq (message, &number, &method));
  g_assert_cmpstr (method, ==, expected_method);
  return number;
}

static void
assert_wire (Fixture    *f,
             guint       from_index,
             const char *expected)
{
  g_autofree char *summary = wire_summary (f, from_index);

  g_assert_cmpstr (summary, ==, expected);
}

static void
assert_events (Fixture    *f,
               const char *expected)
{
  g_autofree char *summary = events_summary (f);

  g_assert_cmpstr (summary, ==, expected);
}

static void
assert_routes (DtSipMessage *message,
               const char   *expected)
{
  g_auto(GStrv) routes = dt_sip_message_get_header_values (message, "Route");
  g_autofree char *joined = g_strjoinv (" ", routes);

  g_assert_cmpstr (joined, ==, expected);
}

static DtSipDialog *
incoming (Fixture *f,
          guint    index)
{
  g_assert_cmpuint (index, <, f->incoming->len);
  return g_ptr_array_index (f->incoming, index);
}

static void
start_call (Fixture *f)
{
  g_autoptr(GBytes) offer = sdp_new ("offer");
  g_autoptr(GError) error = NULL;

  f->call = dt_sip_user_agent_invite (f->a, "Alice <sip:alice@a.example>",
                                      "<sip:bob@b.example>", offer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->call);
  watch_dialog (f, f->call);
}

static void
establish_call (Fixture *f)
{
  g_autoptr(GBytes) answer = sdp_new ("answer");
  g_autoptr(GError) error = NULL;

  start_call (f);
  pump (f);
  g_assert_true (dt_sip_dialog_ring (incoming (f, 0), NULL, &error));
  g_assert_no_error (error);
  pump (f);
  g_assert_true (dt_sip_dialog_accept (incoming (f, 0), answer, &error));
  g_assert_no_error (error);
  pump (f);
  g_assert_cmpint (dt_sip_dialog_get_state (f->call), ==, DT_SIP_DIALOG_STATE_CONFIRMED);
  g_assert_cmpint (dt_sip_dialog_get_state (incoming (f, 0)), ==, DT_SIP_DIALOG_STATE_CONFIRMED);
}

/* --- tests ----------------------------------------------------------- */

static void
test_basic_call (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DtSipMessage *invite, *trying, *ringing, *ok, *ack, *bye, *bye_ok;
  const char *a_tag, *b_tag;
  guint32 cseq;

  establish_call (f);
  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100 B:180 B:200 A:ACK A:BYE B:200");
  assert_events (f, "B:incoming offer | A:ringing 180 - | A:answered answer | B:ack | B:bye");

  invite = wire_at (f, 0);
  trying = wire_at (f, 1);
  ringing = wire_at (f, 2);
  ok = wire_at (f, 3);
  ack = wire_at (f, 4);
  bye = wire_at (f, 5);
  bye_ok = wire_at (f, 6);

  a_tag = dt_sip_dialog_get_local_tag (f->call);
  b_tag = dt_sip_dialog_get_local_tag (incoming (f, 0));
  g_assert_cmpstr (dt_sip_dialog_get_remote_tag (f->call), ==, b_tag);
  g_assert_cmpstr (dt_sip_dialog_get_remote_tag (incoming (f, 0)), ==, a_tag);
  g_assert_cmpstr (dt_sip_dialog_get_call_id (f->call), ==,
                   dt_sip_dialog_get_call_id (incoming (f, 0)));

  /* CSeq: the ACK shares the INVITE's number, the BYE takes the next. */
  cseq = cseq_of (invite, "INVITE");
  g_assert_cmpuint (cseq, <, 1u << 31);
  g_assert_cmpuint (cseq_of (trying, "INVITE"), ==, cseq);
  g_assert_cmpuint (cseq_of (ringing, "INVITE"), ==, cseq);
  g_assert_cmpuint (cseq_of (ok, "INVITE"), ==, cseq);
  g_assert_cmpuint (cseq_of (ack, "ACK"), ==, cseq);
  g_assert_cmpuint (cseq_of (bye, "BYE"), ==, cseq + 1);
  g_assert_cmpuint (cseq_of (bye_ok, "BYE"), ==, cseq + 1);

  /* Tags: the 100 has none, every later To carries B's. */
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (dt_sip_message_get_from_tag (wire_at (f, i)), ==, a_tag);
  g_assert_null (dt_sip_message_get_to_tag (invite));
  g_assert_null (dt_sip_message_get_to_tag (trying));
  for (guint i = 2; i < 7; i++)
    g_assert_cmpstr (dt_sip_message_get_to_tag (wire_at (f, i)), ==, b_tag);

  /* §13.2.2.4: the ACK to a 2xx is a new transaction, to the Contact. */
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (ack), !=,
                   dt_sip_message_get_top_via_branch (invite));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (bye), !=,
                   dt_sip_message_get_top_via_branch (invite));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (bye), !=,
                   dt_sip_message_get_top_via_branch (ack));
  g_assert_true (g_str_has_prefix (dt_sip_message_get_top_via_branch (ack), "z9hG4bK"));
  g_assert_cmpstr (dt_sip_message_get_request_uri (invite), ==, "sip:bob@b.example");
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==, "sip:bob@b.example:5070");
  g_assert_cmpstr (dt_sip_message_get_request_uri (bye), ==, "sip:bob@b.example:5070");
  g_assert_cmpstr (dt_sip_message_get_header (invite, "Max-Forwards"), ==, "70");
  g_assert_cmpstr (dt_sip_message_get_header (invite, "Contact"), ==,
                   "<sip:alice@a.example:5060>");
  g_assert_cmpstr (dt_sip_message_get_header (ok, "Contact"), ==, "<sip:bob@b.example:5070>");
  g_assert_cmpstr (dt_sip_dialog_get_remote_target (incoming (f, 0)), ==,
                   "sip:alice@a.example:5060");
  g_assert_null (dt_sip_message_get_header (ack, "Route"));

  g_assert_cmpint (dt_sip_dialog_get_state (f->call), ==, DT_SIP_DIALOG_STATE_TERMINATED);
  g_assert_cmpint (dt_sip_dialog_get_state (incoming (f, 0)), ==,
                   DT_SIP_DIALOG_STATE_TERMINATED);
  g_assert_false (dt_sip_dialog_get_secure (f->call));
  {
    g_autofree char *local = dt_sip_dialog_dup_local_uri (f->call);
    g_autofree char *remote = dt_sip_dialog_dup_remote_uri (f->call);

    g_assert_cmpstr (local, ==, "sip:alice@a.example");
    g_assert_cmpstr (remote, ==, "sip:bob@b.example");
  }
}

static void
add_record_routes (Fixture      *f,
                   char          from,
                   DtSipMessage *message)
{
  /* Two proxies on the path: p1 next to A, p2 next to B; each puts its
   * Record-Route on top (§16.6 step 4). */
  if (from == 'A' && dt_sip_message_is_request (message)
      && g_str_equal (dt_sip_message_get_method (message), "INVITE")
      && dt_sip_message_get_to_tag (message) == NULL)
    {
      dt_sip_message_prepend_header (message, "Record-Route", "<sip:p1.example;lr>");
      dt_sip_message_prepend_header (message, "Record-Route", "<sip:p2.example;lr>");
    }
}

static void
test_record_route (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) a_routes = NULL;
  g_auto(GStrv) b_routes = NULL;
  g_autofree char *a_joined = NULL;
  g_autofree char *b_joined = NULL;
  DtSipMessage *ok, *ack, *bye;

  f->tamper = add_record_routes;
  establish_call (f);
  g_assert_true (dt_sip_dialog_bye (incoming (f, 0), &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100 B:180 B:200 A:ACK B:BYE A:200");
  ok = wire_at (f, 3);
  ack = wire_at (f, 4);
  bye = wire_at (f, 5);

  /* §12.1.1: the UAS copies Record-Route into its 2xx. */
  assert_routes (ok, "");
  {
    g_auto(GStrv) rr = dt_sip_message_get_header_values (ok, "Record-Route");
    g_autofree char *joined = g_strjoinv (" ", rr);

    g_assert_cmpstr (joined, ==, "<sip:p2.example;lr> <sip:p1.example;lr>");
  }

  /* §12.1.2: the UAC reverses; §12.1.1: the UAS keeps the order. */
  a_routes = dt_sip_dialog_dup_route_set (f->call);
  b_routes = dt_sip_dialog_dup_route_set (incoming (f, 0));
  a_joined = g_strjoinv (" ", a_routes);
  b_joined = g_strjoinv (" ", b_routes);
  g_assert_cmpstr (a_joined, ==, "<sip:p1.example;lr> <sip:p2.example;lr>");
  g_assert_cmpstr (b_joined, ==, "<sip:p2.example;lr> <sip:p1.example;lr>");

  /* §12.2.1.1, loose routing: Request-URI is the remote target. */
  assert_routes (ack, "<sip:p1.example;lr> <sip:p2.example;lr>");
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==, "sip:bob@b.example:5070");
  assert_routes (bye, "<sip:p2.example;lr> <sip:p1.example;lr>");
  g_assert_cmpstr (dt_sip_message_get_request_uri (bye), ==, "sip:alice@a.example:5060");
}

static void
add_strict_route (Fixture      *f,
                  char          from,
                  DtSipMessage *message)
{
  if (from == 'A' && dt_sip_message_is_request (message)
      && g_str_equal (dt_sip_message_get_method (message), "INVITE"))
    {
      dt_sip_message_prepend_header (message, "Record-Route", "<sip:p1.example;lr>");
      dt_sip_message_prepend_header (message, "Record-Route", "<sip:strict.example>");
    }
}

static void
test_strict_route (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DtSipMessage) info = NULL;
  g_autoptr(GError) error = NULL;
  guint32 cseq;

  f->tamper = add_strict_route;
  establish_call (f);

  /* §12.2.1.1: a strict router first goes in the Request-URI and the
   * remote target becomes the last Route. */
  cseq = dt_sip_dialog_get_local_cseq (incoming (f, 0));
  info = dt_sip_dialog_build_request (incoming (f, 0), "INFO");
  g_assert_cmpstr (dt_sip_message_get_request_uri (info), ==, "sip:strict.example");
  assert_routes (info, "<sip:p1.example;lr> <sip:alice@a.example:5060>");
  g_assert_cmpuint (cseq_of (info, "INFO"), ==, cseq + 1);
  g_assert_cmpuint (dt_sip_dialog_get_local_cseq (incoming (f, 0)), ==, cseq + 1);

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
}

static void
test_cseq_order (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(GError) error = NULL;
  guint mark;

  establish_call (f);
  first = dt_sip_dialog_build_request (incoming (f, 0), "INFO");
  second = dt_sip_dialog_build_request (incoming (f, 0), "INFO");
  mark = f->wire->len;

  /* The later request overtakes the earlier one. */
  dt_sip_user_agent_receive (f->a, second, NULL, FALSE);
  dt_sip_user_agent_receive (f->a, first, NULL, FALSE);
  assert_wire (f, mark, "A:501 A:500");
  g_assert_cmpuint (cseq_of (wire_at (f, mark), "INFO"), ==, cseq_of (second, "INFO"));
  g_assert_cmpuint (cseq_of (wire_at (f, mark + 1), "INFO"), ==, cseq_of (first, "INFO"));
  discard_in_flight (f);

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
  g_assert_cmpint (dt_sip_dialog_get_state (incoming (f, 0)), ==,
                   DT_SIP_DIALOG_STATE_TERMINATED);
}

static DtSipMessage *
stray_request (const char *method,
               const char *to_tag)
{
  DtSipMessage *request = dt_sip_message_new_request (method, "sip:bob@b.example:5070");
  g_autofree char *branch = dt_sip_branch_new ();
  g_autofree char *via = g_strdup_printf ("SIP/2.0/UDP c.example;branch=%s", branch);
  g_autofree char *cseq = g_strdup_printf ("7 %s", method);
  g_autofree char *to = to_tag ? g_strdup_printf ("<sip:bob@b.example>;tag=%s", to_tag)
                               : g_strdup ("<sip:bob@b.example>");

  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", "<sip:carol@c.example>;tag=c1");
  dt_sip_message_append_header (request, "To", to);
  dt_sip_message_append_header (request, "Call-ID", "unknown@c.example");
  dt_sip_message_append_header (request, "CSeq", cseq);
  return request;
}

static void
test_bye_unknown_dialog (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtSipMessage) bye = stray_request ("BYE", "nosuchtag");
  g_autoptr(DtSipMessage) bye_no_tag = stray_request ("BYE", NULL);

  dt_sip_user_agent_receive (f->b, bye, NULL, FALSE);
  dt_sip_user_agent_receive (f->b, bye_no_tag, NULL, FALSE);
  assert_wire (f, 0, "B:481 B:481");
  discard_in_flight (f);
  g_assert_cmpuint (f->events->len, ==, 0);
}

static void
test_cancel_unknown (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtSipMessage) cancel = stray_request ("CANCEL", NULL);

  dt_sip_user_agent_receive (f->b, cancel, NULL, FALSE);
  assert_wire (f, 0, "B:481");
  discard_in_flight (f);
}

static gboolean
on_request_take_register (DtSipUserAgent   *ua,
                          DtSipTransaction *tx,
                          DtSipMessage     *request,
                          gpointer          user_data)
{
  Fixture *f = user_data;
  g_autoptr(DtSipMessage) ok = NULL;

  g_ptr_array_add (f->events, g_strdup_printf ("request %s", dt_sip_message_get_method (request)));
  if (!g_str_equal (dt_sip_message_get_method (request), "REGISTER"))
    return FALSE;
  ok = dt_sip_message_new_response_for (request, 200, "OK", "r1");
  g_assert_true (dt_sip_transaction_respond (tx, ok, NULL));
  return TRUE;
}

static void
test_request_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtSipMessage) reg = stray_request ("REGISTER", NULL);
  g_autoptr(DtSipMessage) notify = stray_request ("NOTIFY", "sub1");
  g_autoptr(DtSipMessage) message = stray_request ("MESSAGE", NULL);
  g_autoptr(DtSipMessage) bye = stray_request ("BYE", NULL);

  /* The application answers what it takes; the core answers the rest. */
  g_signal_connect (f->b, "request", G_CALLBACK (on_request_take_register), f);
  dt_sip_user_agent_receive (f->b, reg, NULL, FALSE);
  dt_sip_user_agent_receive (f->b, notify, NULL, FALSE);
  dt_sip_user_agent_receive (f->b, message, NULL, FALSE);
  dt_sip_user_agent_receive (f->b, bye, NULL, FALSE);
  assert_wire (f, 0, "B:200 B:481 B:405 B:481");
  assert_events (f, "request REGISTER | request NOTIFY | request MESSAGE");
  discard_in_flight (f);
}

static gboolean
drop_trying (Fixture      *f,
             char          from,
             DtSipMessage *message)
{
  return !dt_sip_message_is_request (message) && dt_sip_message_get_status_code (message) == 100;
}

static void
test_cancel_deferred (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DtSipMessage *invite, *cancel, *cancel_ok, *terminated, *ack;

  f->drop = drop_trying;
  start_call (f);
  g_assert_true (dt_sip_dialog_cancel (f->call, &error));
  g_assert_no_error (error);
  pump (f);

  /* §9.1: no CANCEL before a provisional response. */
  assert_wire (f, 0, "A:INVITE B:100(x)");
  g_assert_true (dt_sip_dialog_ring (incoming (f, 0), NULL, &error));
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100(x) B:180 A:CANCEL B:200 B:487 A:ACK");
  assert_events (f, "B:incoming offer | A:ringing 180 - | B:failed 487 | A:failed 487");

  invite = wire_at (f, 0);
  cancel = wire_at (f, 3);
  cancel_ok = wire_at (f, 4);
  terminated = wire_at (f, 5);
  ack = wire_at (f, 6);

  g_assert_cmpstr (dt_sip_message_get_request_uri (cancel), ==,
                   dt_sip_message_get_request_uri (invite));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (cancel), ==,
                   dt_sip_message_get_top_via_branch (invite));
  g_assert_cmpstr (dt_sip_message_get_call_id (cancel), ==, dt_sip_message_get_call_id (invite));
  g_assert_cmpstr (dt_sip_message_get_header (cancel, "From"), ==,
                   dt_sip_message_get_header (invite, "From"));
  g_assert_cmpstr (dt_sip_message_get_header (cancel, "To"), ==,
                   dt_sip_message_get_header (invite, "To"));
  g_assert_null (dt_sip_message_get_to_tag (cancel));
  g_assert_cmpuint (cseq_of (cancel, "CANCEL"), ==, cseq_of (invite, "INVITE"));
  g_assert_cmpuint (cseq_of (cancel_ok, "CANCEL"), ==, cseq_of (invite, "INVITE"));
  g_assert_cmpuint (cseq_of (terminated, "INVITE"), ==, cseq_of (invite, "INVITE"));

  /* §17.1.1.3: the transaction's own ACK keeps the INVITE's branch. */
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (ack), ==,
                   dt_sip_message_get_top_via_branch (invite));
  g_assert_cmpuint (cseq_of (ack, "ACK"), ==, cseq_of (invite, "INVITE"));
  g_assert_cmpstr (dt_sip_message_get_to_tag (ack), ==,
                   dt_sip_dialog_get_local_tag (incoming (f, 0)));
  g_assert_cmpint (dt_sip_dialog_get_state (f->call), ==, DT_SIP_DIALOG_STATE_TERMINATED);
}

static void
test_cancel_crossing_2xx (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  start_call (f);
  pump (f);
  g_assert_true (dt_sip_dialog_ring (incoming (f, 0), NULL, &error));
  pump (f);

  /* B answers while A's CANCEL is on its way (§9.1, §15). */
  g_assert_true (dt_sip_dialog_accept (incoming (f, 0), NULL, &error));
  g_assert_true (dt_sip_dialog_cancel (f->call, &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100 B:180 B:200 A:CANCEL A:ACK A:BYE B:200 B:200");
  assert_events (f, "B:incoming offer | A:ringing 180 - | A:failed 487 | B:ack | B:bye");
  g_assert_cmpuint (cseq_of (wire_at (f, 7), "CANCEL"), ==, cseq_of (wire_at (f, 0), "INVITE"));
  g_assert_cmpuint (cseq_of (wire_at (f, 8), "BYE"), ==, cseq_of (wire_at (f, 0), "INVITE") + 1);
}

static void
test_reject (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  DtSipMessage *invite, *busy, *ack;

  start_call (f);
  pump (f);
  g_assert_true (dt_sip_dialog_reject (incoming (f, 0), 486, "Busy Here", &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100 B:486 A:ACK");
  assert_events (f, "B:incoming offer | A:failed 486");
  invite = wire_at (f, 0);
  busy = wire_at (f, 2);
  ack = wire_at (f, 3);
  g_assert_nonnull (dt_sip_message_get_to_tag (busy));
  g_assert_cmpstr (dt_sip_message_get_to_tag (ack), ==, dt_sip_message_get_to_tag (busy));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (ack), ==,
                   dt_sip_message_get_top_via_branch (invite));
  g_assert_cmpuint (cseq_of (ack, "ACK"), ==, cseq_of (invite, "INVITE"));
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==,
                   dt_sip_message_get_request_uri (invite));

  /* Nothing more goes: the ACK stopped B's retransmissions. */
  run_for (f, 40000);
  assert_wire (f, 0, "A:INVITE B:100 B:486 A:ACK");
}

static gboolean
drop_acks (Fixture      *f,
           char          from,
           DtSipMessage *message)
{
  return dt_sip_message_is_request (message)
         && g_str_equal (dt_sip_message_get_method (message), "ACK");
}

static void
test_no_ack (Fixture       *f,
             gconstpointer  data)
{
  static const gint64 expected[] = {
    0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start;
  guint n_byes = 0;

  f->drop = drop_acks;
  start_call (f);
  pump (f);
  start = dt_clock_now_ms (f->clock);
  g_assert_true (dt_sip_dialog_accept (incoming (f, 0), NULL, &error));
  run_for (f, 33000);

  for (guint i = 0; i < f->wire->len; i++)
    {
      Wire *wire = &g_array_index (f->wire, Wire, i);

      if (wire->from == 'B' && !dt_sip_message_is_request (wire->message)
          && dt_sip_message_get_status_code (wire->message) == 200)
        {
          gint64 at = wire->at_ms - start;

          g_array_append_val (times, at);
        }
      if (wire->from == 'B' && dt_sip_message_is_request (wire->message))
        {
          g_assert_cmpstr (dt_sip_message_get_method (wire->message), ==, "BYE");
          g_assert_cmpint (wire->at_ms - start, ==, 32000);
          n_byes++;
        }
    }

  /* §13.3.1.4: T1, doubling up to T2, for 64·T1; then BYE. */
  g_assert_cmpmem (times->data, times->len * sizeof (gint64), expected, sizeof expected);
  g_assert_cmpuint (n_byes, ==, 1);
  assert_events (f, "B:incoming offer | A:answered - | B:failed 408 | A:bye");
}

static void
test_lost_ack (Fixture       *f,
               gconstpointer  data)
{
  static const gint64 expected[] = { 0, 500, 1500, 3500, 7500 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *branch = NULL;
  gint64 start;

  f->drop = drop_acks;
  f->drop_limit = 4;
  start_call (f);
  pump (f);
  start = dt_clock_now_ms (f->clock);
  g_assert_true (dt_sip_dialog_accept (incoming (f, 0), NULL, &error));
  run_for (f, 20000);

  for (guint i = 0; i < f->wire->len; i++)
    {
      Wire *wire = &g_array_index (f->wire, Wire, i);

      if (wire->from == 'A' && dt_sip_message_is_request (wire->message)
          && g_str_equal (dt_sip_message_get_method (wire->message), "ACK"))
        {
          gint64 at = wire->at_ms - start;

          g_array_append_val (times, at);
          /* The same ACK each time, with its own branch. */
          if (branch == NULL)
            branch = dt_sip_message_get_top_via_branch (wire->message);
          g_assert_cmpstr (dt_sip_message_get_top_via_branch (wire->message), ==, branch);
        }
    }
  g_assert_cmpstr (branch, !=, dt_sip_message_get_top_via_branch (wire_at (f, 0)));
  g_assert_cmpmem (times->data, times->len * sizeof (gint64), expected, sizeof expected);
  assert_wire (f, 0, "A:INVITE B:100 B:200 A:ACK(x) B:200 A:ACK(x) B:200 A:ACK(x) B:200 A:ACK(x) "
                     "B:200 A:ACK");
  assert_events (f, "B:incoming offer | A:answered - | B:ack");

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
}

static char *
lookup_password (const char *username,
                 const char *realm,
                 gpointer    user_data)
{
  return g_str_equal (username, "alice") ? g_strdup ("secret") : NULL;
}

static void
test_auth_retry (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtSipAuthClient) auth = dt_sip_auth_client_new ("alice", "secret");
  g_autoptr(GBytes) answer = sdp_new ("answer");
  g_autoptr(GError) error = NULL;
  DtSipMessage *first, *challenge, *ack, *second, *ok, *ack2;
  guint32 cseq;

  f->auth_server = dt_sip_auth_server_new ("b.example");
  dt_sip_auth_server_set_password_func (f->auth_server, lookup_password, NULL, NULL);
  dt_sip_user_agent_set_auth_client (f->a, auth);

  start_call (f);
  pump (f);
  g_clear_object (&f->auth_server);
  g_assert_cmpuint (f->incoming->len, ==, 2);
  g_assert_true (dt_sip_dialog_accept (incoming (f, 1), answer, &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, 0, "A:INVITE B:100 B:401 A:ACK A:INVITE B:100 B:200 A:ACK");
  assert_events (f, "B:incoming offer | B:incoming offer | A:answered answer | B:ack");

  first = wire_at (f, 0);
  challenge = wire_at (f, 2);
  ack = wire_at (f, 3);
  second = wire_at (f, 4);
  ok = wire_at (f, 6);
  ack2 = wire_at (f, 7);

  cseq = cseq_of (first, "INVITE");
  g_assert_nonnull (dt_sip_message_get_header (challenge, "WWW-Authenticate"));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (ack), ==,
                   dt_sip_message_get_top_via_branch (first));
  g_assert_cmpuint (cseq_of (second, "INVITE"), ==, cseq + 1);
  g_assert_cmpstr (dt_sip_message_get_call_id (second), ==, dt_sip_message_get_call_id (first));
  g_assert_cmpstr (dt_sip_message_get_from_tag (second), ==,
                   dt_sip_message_get_from_tag (first));
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (second), !=,
                   dt_sip_message_get_top_via_branch (first));
  g_assert_null (dt_sip_message_get_header (first, "Authorization"));
  g_assert_nonnull (dt_sip_message_get_header (second, "Authorization"));
  g_assert_cmpuint (cseq_of (ok, "INVITE"), ==, cseq + 1);
  g_assert_cmpuint (cseq_of (ack2, "ACK"), ==, cseq + 1);
  g_assert_cmpstr (dt_sip_message_get_header (ack2, "Authorization"), ==,
                   dt_sip_message_get_header (second, "Authorization"));

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
  g_assert_cmpuint (cseq_of (wire_at (f, 8), "BYE"), ==, cseq + 2);
}

static void
test_forked_2xx (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtSipMessage) fork_ok = NULL;
  g_autoptr(GError) error = NULL;
  DtSipMessage *ack, *bye;
  guint mark;

  establish_call (f);

  /* A second branch of a forking proxy answers too. */
  fork_ok = copy_message (wire_at (f, 3));
  dt_sip_message_set_header (fork_ok, "To", "<sip:bob@b.example>;tag=fork2");
  dt_sip_message_set_header (fork_ok, "Contact", "<sip:bob@fork2.example>");
  mark = f->wire->len;
  dt_sip_user_agent_receive (f->a, fork_ok, NULL, FALSE);

  /* §13.2.2.4: the extra dialog is ACKed, then ended. */
  assert_wire (f, mark, "A:ACK A:BYE");
  ack = wire_at (f, mark);
  bye = wire_at (f, mark + 1);
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==, "sip:bob@fork2.example");
  g_assert_cmpstr (dt_sip_message_get_to_tag (ack), ==, "fork2");
  g_assert_cmpuint (cseq_of (ack, "ACK"), ==, cseq_of (wire_at (f, 0), "INVITE"));
  g_assert_cmpstr (dt_sip_message_get_request_uri (bye), ==, "sip:bob@fork2.example");
  g_assert_cmpstr (dt_sip_message_get_to_tag (bye), ==, "fork2");
  g_assert_cmpstr (dt_sip_message_get_from_tag (bye), ==, dt_sip_dialog_get_local_tag (f->call));

  /* The fork's BYE reaches B, which knows no such dialog. */
  pump (f);
  assert_wire (f, mark, "A:ACK A:BYE B:481");

  /* The first dialog is untouched, and a late 2xx from the fork after the
   * INVITE transaction ended still gets its ACK. */
  g_assert_cmpint (dt_sip_dialog_get_state (f->call), ==, DT_SIP_DIALOG_STATE_CONFIRMED);
  g_assert_cmpstr (dt_sip_dialog_get_remote_tag (f->call), ==,
                   dt_sip_dialog_get_local_tag (incoming (f, 0)));
  assert_events (f, "B:incoming offer | A:ringing 180 - | A:answered answer | B:ack");

  run_for (f, 40000);
  mark = f->wire->len;
  dt_sip_user_agent_receive (f->a, fork_ok, NULL, FALSE);
  g_assert_cmpstr (dt_sip_message_get_method (wire_at (f, mark)), ==, "ACK");
  discard_in_flight (f);

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
}

static void
test_reinvite (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) hold = sdp_new ("hold");
  g_autoptr(GBytes) held = sdp_new ("held");
  g_autoptr(GError) error = NULL;
  DtSipMessage *reinvite, *ok, *ack, *bye;
  guint32 b_cseq;
  guint mark;

  establish_call (f);
  g_ptr_array_set_size (f->events, 0);
  mark = f->wire->len;

  /* B moves and puts A on hold: a target refresh with new SDP. */
  dt_sip_user_agent_set_local (f->b, "UDP", "b2.example:5080", "sip:bob@b2.example:5080", FALSE);
  b_cseq = dt_sip_dialog_get_local_cseq (incoming (f, 0));
  g_assert_true (dt_sip_dialog_reinvite (incoming (f, 0), hold, &error));
  g_assert_no_error (error);
  pump (f);
  assert_events (f, "A:reinvite hold");
  g_assert_cmpstr (dt_sip_dialog_get_remote_target (f->call), ==, "sip:bob@b2.example:5080");

  /* One INVITE at a time (§14.1). */
  g_assert_false (dt_sip_dialog_reinvite (f->call, hold, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_true (dt_sip_dialog_answer_reinvite (f->call, 200, held, &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, mark, "B:INVITE A:100 A:200 B:ACK");
  assert_events (f, "A:reinvite hold | B:reinvite-done 200 held | A:ack");
  reinvite = wire_at (f, mark);
  ok = wire_at (f, mark + 2);
  ack = wire_at (f, mark + 3);
  g_assert_cmpuint (cseq_of (reinvite, "INVITE"), ==, b_cseq + 1);
  g_assert_cmpstr (dt_sip_message_get_request_uri (reinvite), ==, "sip:alice@a.example:5060");
  g_assert_cmpstr (dt_sip_message_get_header (reinvite, "Contact"), ==,
                   "<sip:bob@b2.example:5080>");
  g_assert_cmpstr (dt_sip_message_get_from_tag (reinvite), ==,
                   dt_sip_dialog_get_local_tag (incoming (f, 0)));
  g_assert_cmpstr (dt_sip_message_get_to_tag (reinvite), ==,
                   dt_sip_dialog_get_local_tag (f->call));
  g_assert_cmpuint (cseq_of (ok, "INVITE"), ==, b_cseq + 1);
  g_assert_cmpuint (cseq_of (ack, "ACK"), ==, b_cseq + 1);
  g_assert_cmpstr (dt_sip_message_get_request_uri (ack), ==, "sip:alice@a.example:5060");

  /* The next request from A goes to the new target. */
  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
  bye = wire_at (f, mark + 4);
  g_assert_cmpstr (dt_sip_message_get_method (bye), ==, "BYE");
  g_assert_cmpstr (dt_sip_message_get_request_uri (bye), ==, "sip:bob@b2.example:5080");
}

static void
test_invalid_address (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtSipDialog) call = NULL;

  call = dt_sip_user_agent_invite (f->a, "alice", "sip:bob@b.example", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (call);
  g_clear_error (&error);
  call = dt_sip_user_agent_invite (f->a, "sip:alice@a.example", "mailto:bob@b.example", NULL,
                                   &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (call);
  g_clear_error (&error);
  g_assert_cmpuint (f->wire->len, ==, 0);
  g_assert_cmpuint (dt_sip_user_agent_get_n_dialogs (f->a), ==, 0);

  /* Bare URIs are addresses too; a sips: Request-URI makes the dialog
   * secure (§12.1.2). Nobody answers at B, so the call is refused. */
  call = dt_sip_user_agent_invite (f->a, "sips:alice@a.example", "sips:bob@b.example", NULL,
                                   &error);
  g_assert_no_error (error);
  g_assert_true (dt_sip_dialog_get_secure (call));
  g_signal_handlers_disconnect_by_func (f->b, on_incoming, f);
  pump (f);
  assert_wire (f, 0, "A:INVITE B:100 B:480 A:ACK");
  g_assert_cmpstr (dt_sip_message_get_header (wire_at (f, 0), "To"), ==, "<sips:bob@b.example>");
  g_assert_cmpint (dt_sip_dialog_get_state (call), ==, DT_SIP_DIALOG_STATE_TERMINATED);
}

static void
test_reinvite_glare (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) offer = sdp_new ("x");
  g_autoptr(GError) error = NULL;
  guint mark;

  establish_call (f);
  g_ptr_array_set_size (f->events, 0);
  mark = f->wire->len;

  /* Both send a re-INVITE before seeing the other's (§14.2). */
  g_assert_true (dt_sip_dialog_reinvite (f->call, offer, &error));
  g_assert_true (dt_sip_dialog_reinvite (incoming (f, 0), offer, &error));
  g_assert_no_error (error);
  pump (f);

  assert_wire (f, mark, "A:INVITE B:INVITE B:100 B:491 A:100 A:491 A:ACK B:ACK");
  assert_events (f, "A:reinvite-done 491 - | B:reinvite-done 491 -");
  g_assert_cmpint (dt_sip_dialog_get_state (f->call), ==, DT_SIP_DIALOG_STATE_CONFIRMED);

  g_assert_true (dt_sip_dialog_bye (f->call, &error));
  pump (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add ("/sip/dialog/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("basic-call", test_basic_call);
  ADD ("record-route", test_record_route);
  ADD ("strict-route", test_strict_route);
  ADD ("cseq-order", test_cseq_order);
  ADD ("bye-unknown-dialog", test_bye_unknown_dialog);
  ADD ("cancel-unknown", test_cancel_unknown);
  ADD ("request-signal", test_request_signal);
  ADD ("cancel-deferred", test_cancel_deferred);
  ADD ("cancel-crossing-2xx", test_cancel_crossing_2xx);
  ADD ("reject", test_reject);
  ADD ("no-ack", test_no_ack);
  g_test_add ("/sip/dialog/lost-ack", Fixture, NULL, fixture_set_up_short_t1_a, test_lost_ack,
              fixture_tear_down);
  ADD ("auth-retry", test_auth_retry);
  ADD ("forked-2xx", test_forked_2xx);
  ADD ("reinvite", test_reinvite);
  ADD ("reinvite-glare", test_reinvite_glare);
  ADD ("invalid-address", test_invalid_address);

#undef ADD

  return g_test_run ();
}
