/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-mwi.c
 *
 * Message waiting (RFC 3842 over RFC 6665): the summary parser on the
 * bodies servers send, and DtSipMwi against a notifier the test plays by
 * hand on a hand-wound clock: SUBSCRIBE and its refreshes, NOTIFYs in the
 * dialog (also before the 200), unsolicited ones, termination, and
 * unsubscribing.
 */

#include "config.h"

#include <string.h>

#include "dt-sip-mwi.h"

#define AOR "sip:alice@dialtone.test"
#define CONTACT "sip:alice@192.0.2.1:5062"

/* --- the parser --------------------------------------------------------- */

static void
test_parse (void)
{
  static const struct {
    const char *body;
    gboolean    ok;
    gboolean    waiting;
    guint       new_messages, old_messages, urgent_new, urgent_old;
  } cases[] = {
    /* RFC 3842 §5.2's example, as Asterisk sends it. */
    { "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\n"
      "Voice-Message: 2/8 (0/2)\r\n", TRUE, TRUE, 2, 8, 0, 2 },
    { "Messages-Waiting: no\r\n", TRUE, FALSE, 0, 0, 0, 0 },
    { "Messages-Waiting: yes\nVoice-Message: 4/0\nFax-Message: 1/1\n", TRUE, TRUE, 4, 0, 0, 0 },
    { "messages-waiting:YES\r\nvoice-message:  10 / 20  ( 1 / 2 ) \r\n", TRUE, TRUE, 10, 20, 1, 2 },
    { "Messages-Waiting: maybe\r\n", FALSE },
    { "Voice-Message: 1/2\r\n", FALSE },
    { "Messages-Waiting: yes\r\nVoice-Message: 99999999999/1\r\n", FALSE },
    { "Messages-Waiting: yes\r\nVoice-Message: 1-2\r\n", FALSE },
    { "Messages-Waiting: yes\r\nVoice-Message: 1/2 (3/4\r\n", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      DtSipMessageSummary summary;
      g_autoptr(GError) error = NULL;
      gboolean ok;

      ok = dt_sip_message_summary_parse (cases[i].body, strlen (cases[i].body), &summary, &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, DT_SIP_MWI_ERROR, 0);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (summary.messages_waiting, ==, cases[i].waiting);
      g_assert_cmpuint (summary.new_messages, ==, cases[i].new_messages);
      g_assert_cmpuint (summary.old_messages, ==, cases[i].old_messages);
      g_assert_cmpuint (summary.urgent_new, ==, cases[i].urgent_new);
      g_assert_cmpuint (summary.urgent_old, ==, cases[i].urgent_old);
    }

  /* A NUL inside the body is refused, not cut short. */
  {
    DtSipMessageSummary summary;
    g_autoptr(GError) error = NULL;

    g_assert_false (dt_sip_message_summary_parse ("Messages-Waiting: yes\0x", 23, &summary,
                                                  &error));
    g_assert_error (error, DT_SIP_MWI_ERROR, 0);
  }
}

/* --- the subscription ------------------------------------------------------ */

typedef struct
{
  DtClock      *clock;
  DtSipUserAgent  *ua;
  DtSipAuthClient *auth;
  DtSipMwi        *mwi;
  GQueue           sent;
  guint32          notify_cseq;
} Fixture;

static DtSipMessage *
reparse (DtSipMessage *message)
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

  g_queue_push_tail (&f->sent, reparse (message));
  return TRUE;
}

static gboolean
on_request (DtSipUserAgent   *ua,
            DtSipTransaction *tx,
            DtSipMessage     *request,
            gpointer          user_data)
{
  Fixture *f = user_data;

  return dt_sip_mwi_handle_request (f->mwi, tx, request);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->clock = dt_clock_new_manual ();
  f->ua = dt_sip_user_agent_new (f->clock, NULL, on_send, NULL, f);
  dt_sip_user_agent_set_local (f->ua, "UDP", "192.0.2.1:5062", CONTACT, FALSE);
  f->auth = dt_sip_auth_client_new ("alice", "correct horse");
  f->mwi = dt_sip_mwi_new (f->ua, AOR, f->auth);
  g_signal_connect (f->ua, "request", G_CALLBACK (on_request), f);
  g_queue_init (&f->sent);
  f->notify_cseq = 1;
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_queue_clear_full (&f->sent, (GDestroyNotify) dt_sip_message_unref);
  g_assert_finalize_object (f->mwi);
  g_assert_finalize_object (f->ua);
  g_assert_finalize_object (f->auth);
  dt_clock_unref (f->clock);
}

static DtSipMessage *
next_sent (Fixture    *f,
           const char *method)
{
  DtSipMessage *message = g_queue_pop_head (&f->sent);

  g_assert_nonnull (message);
  if (method != NULL)
    {
      g_assert_true (dt_sip_message_is_request (message));
      g_assert_cmpstr (dt_sip_message_get_method (message), ==, method);
    }
  return message;
}

static DtSipMessage *
next_subscribe (Fixture *f)
{
  DtSipMessage *request = next_sent (f, "SUBSCRIBE");

  g_assert_cmpstr (dt_sip_message_get_request_uri (request), ==, AOR);
  g_assert_cmpstr (dt_sip_message_get_header (request, "Event"), ==, "message-summary");
  g_assert_cmpstr (dt_sip_message_get_header (request, "Accept"), ==,
                   "application/simple-message-summary");
  g_assert_nonnull (dt_sip_message_get_from_tag (request));
  return request;
}

static void
reply (Fixture      *f,
       DtSipMessage *request,
       guint         code,
       const char   *reason,
       const char   *expires)
{
  g_autoptr(DtSipMessage) response = dt_sip_message_new_response_for (request, code, reason,
                                                                      "notifier1");

  if (expires != NULL)
    dt_sip_message_append_header (response, "Expires", expires);
  dt_sip_user_agent_receive (f->ua, response, NULL, FALSE);
}

/* Sends a NOTIFY as the notifier would and returns our answer's code. */
static guint
notify (Fixture    *f,
        const char *call_id,
        const char *to_tag,
        const char *event,
        const char *state,
        const char *body)
{
  g_autoptr(DtSipMessage) request = dt_sip_message_new_request ("NOTIFY", CONTACT);
  g_autoptr(DtSipMessage) response = NULL;
  g_autofree char *via = g_strdup_printf ("SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-n%u",
                                          f->notify_cseq);
  g_autofree char *to = to_tag ? g_strdup_printf ("<%s>;tag=%s", AOR, to_tag)
                               : g_strdup_printf ("<%s>", AOR);
  g_autofree char *cseq = g_strdup_printf ("%u NOTIFY", f->notify_cseq++);
  guint code;

  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  dt_sip_message_append_header (request, "From", "<" AOR ">;tag=notifier1");
  dt_sip_message_append_header (request, "To", to);
  dt_sip_message_append_header (request, "Call-ID", call_id);
  dt_sip_message_append_header (request, "CSeq", cseq);
  if (event != NULL)
    dt_sip_message_append_header (request, "Event", event);
  if (state != NULL)
    dt_sip_message_append_header (request, "Subscription-State", state);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      dt_sip_message_set_body (request, "application/simple-message-summary", bytes);
    }
  dt_sip_user_agent_receive (f->ua, request, NULL, FALSE);

  response = next_sent (f, NULL);
  g_assert_false (dt_sip_message_is_request (response));
  code = dt_sip_message_get_status_code (response);
  return code;
}

static void
subscribe_ok (Fixture       *f,
              DtSipMessage **subscribe)
{
  dt_sip_mwi_start (f->mwi);
  *subscribe = next_subscribe (f);
  g_assert_cmpint (dt_sip_message_get_expires (*subscribe), ==, DT_SIP_MWI_DEFAULT_EXPIRES);
  reply (f, *subscribe, 200, "OK", "600");
  g_assert_true (dt_sip_mwi_get_active (f->mwi));
}

static void
test_subscribe_and_notify (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;
  g_autoptr(DtSipMessage) refresh = NULL;
  const char *call_id;
  const char *tag;
  guint32 cseq1 = 0, cseq2 = 0;

  subscribe_ok (f, &subscribe);
  call_id = dt_sip_message_get_call_id (subscribe);
  tag = dt_sip_message_get_from_tag (subscribe);

  g_assert_cmpuint (notify (f, call_id, tag, "message-summary", "active;expires=600",
                            "Messages-Waiting: yes\r\nVoice-Message: 3/7 (1/0)\r\n"), ==, 200);
  g_assert_true (dt_sip_mwi_get_messages_waiting (f->mwi));
  g_assert_cmpuint (dt_sip_mwi_get_new_messages (f->mwi), ==, 3);
  g_assert_cmpuint (dt_sip_mwi_get_old_messages (f->mwi), ==, 7);

  /* The refresh stays in the dialog, 60 s before the 600 s run out. */
  dt_clock_advance (f->clock, 539 * 1000);
  g_assert_true (g_queue_is_empty (&f->sent));
  dt_clock_advance (f->clock, 1000);
  refresh = next_subscribe (f);
  g_assert_cmpstr (dt_sip_message_get_call_id (refresh), ==, call_id);
  g_assert_cmpstr (dt_sip_message_get_from_tag (refresh), ==, tag);
  g_assert_cmpstr (dt_sip_message_get_to_tag (refresh), ==, "notifier1");
  g_assert_true (dt_sip_message_get_cseq (subscribe, &cseq1, NULL));
  g_assert_true (dt_sip_message_get_cseq (refresh, &cseq2, NULL));
  g_assert_cmpuint (cseq2, ==, cseq1 + 1);
  reply (f, refresh, 200, "OK", "600");
}

/* RFC 6665 §4.1.2.4: the NOTIFY may overtake the 200. */
static void
test_notify_before_ok (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;

  dt_sip_mwi_start (f->mwi);
  subscribe = next_subscribe (f);
  g_assert_cmpuint (notify (f, dt_sip_message_get_call_id (subscribe),
                            dt_sip_message_get_from_tag (subscribe), "message-summary",
                            "active", "Messages-Waiting: yes\r\nVoice-Message: 1/0\r\n"), ==, 200);
  g_assert_true (dt_sip_mwi_get_active (f->mwi));
  g_assert_cmpuint (dt_sip_mwi_get_new_messages (f->mwi), ==, 1);
  reply (f, subscribe, 202, "Accepted", "3600");
  g_assert_true (dt_sip_mwi_get_active (f->mwi));
}

/* Some servers send message-summary NOTIFYs with no subscription. */
static void
test_unsolicited (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpuint (notify (f, "unsolicited-1", NULL, "message-summary", NULL,
                            "Messages-Waiting: yes\r\nVoice-Message: 5/1\r\n"), ==, 200);
  g_assert_true (dt_sip_mwi_get_messages_waiting (f->mwi));
  g_assert_cmpuint (dt_sip_mwi_get_new_messages (f->mwi), ==, 5);
  g_assert_false (dt_sip_mwi_get_active (f->mwi));

  /* Another event package out of dialog is not ours: the agent says 405. */
  g_assert_cmpuint (notify (f, "unsolicited-2", NULL, "presence", NULL, NULL), ==, 405);
  /* A body that breaks the grammar is answered 400 and changes nothing. */
  g_assert_cmpuint (notify (f, "unsolicited-3", NULL, "message-summary", NULL,
                            "Voice-Message: lots\r\n"), ==, 400);
  g_assert_cmpuint (dt_sip_mwi_get_new_messages (f->mwi), ==, 5);
}

static void
test_wrong_event_in_dialog (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;

  subscribe_ok (f, &subscribe);
  /* RFC 6665 §8.2.1: our dialog, another package. */
  g_assert_cmpuint (notify (f, dt_sip_message_get_call_id (subscribe),
                            dt_sip_message_get_from_tag (subscribe), "presence", "active", NULL),
                    ==, 489);
  /* A tag that is not ours gets 481 from the agent. */
  g_assert_cmpuint (notify (f, dt_sip_message_get_call_id (subscribe), "someone-else",
                            "message-summary", "active", NULL), ==, 481);
}

/* The server ends the subscription; a new one follows. */
static void
test_terminated (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;
  g_autoptr(DtSipMessage) again = NULL;

  subscribe_ok (f, &subscribe);
  g_assert_cmpuint (notify (f, dt_sip_message_get_call_id (subscribe),
                            dt_sip_message_get_from_tag (subscribe), "message-summary",
                            "terminated;reason=deactivated", "Messages-Waiting: no\r\n"), ==, 200);
  g_assert_false (dt_sip_mwi_get_active (f->mwi));
  dt_clock_advance (f->clock, 1000);
  again = next_subscribe (f);
  g_assert_cmpstr (dt_sip_message_get_call_id (again), !=, dt_sip_message_get_call_id (subscribe));
  g_assert_null (dt_sip_message_get_to_tag (again));
}

/* A challenge is answered with the account's credentials; a refusal means
 * asking again only much later. */
static void
test_challenge_and_refusal (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;
  g_autoptr(DtSipMessage) with_auth = NULL;
  g_autoptr(DtSipMessage) later = NULL;
  g_autoptr(DtSipMessage) challenge = NULL;

  dt_sip_mwi_start (f->mwi);
  subscribe = next_subscribe (f);
  challenge = dt_sip_message_new_response_for (subscribe, 407, "Proxy Authentication Required",
                                               "proxy1");
  dt_sip_message_append_header (challenge, "Proxy-Authenticate",
                                "Digest realm=\"dialtone.test\", nonce=\"abc\", qop=\"auth\"");
  dt_sip_user_agent_receive (f->ua, challenge, NULL, FALSE);
  with_auth = next_subscribe (f);
  g_assert_nonnull (dt_sip_message_get_header (with_auth, "Proxy-Authorization"));

  reply (f, with_auth, 489, "Bad Event", NULL);
  g_assert_false (dt_sip_mwi_get_active (f->mwi));
  dt_clock_advance (f->clock, 599 * 1000);
  g_assert_true (g_queue_is_empty (&f->sent));
  dt_clock_advance (f->clock, 1000);
  later = next_subscribe (f);
}

static void
test_unsubscribe (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtSipMessage) subscribe = NULL;
  g_autoptr(DtSipMessage) removal = NULL;

  subscribe_ok (f, &subscribe);
  dt_sip_mwi_stop (f->mwi);
  removal = next_subscribe (f);
  g_assert_cmpint (dt_sip_message_get_expires (removal), ==, 0);
  g_assert_cmpstr (dt_sip_message_get_call_id (removal), ==,
                   dt_sip_message_get_call_id (subscribe));
  reply (f, removal, 200, "OK", "0");
  g_assert_false (dt_sip_mwi_get_active (f->mwi));
  dt_clock_advance (f->clock, 7200 * 1000);
  g_assert_true (g_queue_is_empty (&f->sent));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sip/mwi/parse", test_parse);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sip/mwi/subscribe-and-notify", test_subscribe_and_notify);
  ADD ("/sip/mwi/notify-before-ok", test_notify_before_ok);
  ADD ("/sip/mwi/unsolicited", test_unsolicited);
  ADD ("/sip/mwi/wrong-event-in-dialog", test_wrong_event_in_dialog);
  ADD ("/sip/mwi/terminated", test_terminated);
  ADD ("/sip/mwi/challenge-and-refusal", test_challenge_and_refusal);
  ADD ("/sip/mwi/unsubscribe", test_unsubscribe);
#undef ADD

  return g_test_run ();
}
