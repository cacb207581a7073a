/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sip-registration.c
 *
 * DtSipRegistration against a registrar the test plays by hand, on a hand-
 * wound clock: every REGISTER that leaves is parsed back from its bytes,
 * checked (Call-ID, CSeq, branch, Contact, Expires, credentials), and
 * answered with what the case needs. The registrar checks digests with
 * Dialtone's own server side, so a wrong password really is wrong.
 */

#include "config.h"

#include <stdlib.h>

#include "dt-sip-registration.h"

#define AOR "sip:alice@dialtone.test"
#define REGISTRAR "sip:dialtone.test"
#define CONTACT "sip:alice@192.0.2.1:5062"

typedef struct
{
  DtClock        *clock;
  DtSipUserAgent    *ua;
  DtSipAuthClient   *auth;
  DtSipAuthServer   *server;
  DtSipRegistration *reg;
  GQueue             sent;      /* of DtSipMessage, parsed back from bytes */
  GPtrArray          *states;   /* of GINT_TO_POINTER (state), as notified */
} Fixture;

static gboolean
on_send (DtSipUserAgent *ua,
         DtSipMessage   *message,
         gpointer        peer,
         gpointer        user_data)
{
  Fixture *f = user_data;
  g_autoptr(GBytes) bytes = dt_sip_message_to_bytes (message);
  g_autoptr(GError) error = NULL;
  DtSipMessage *copy;

  copy = dt_sip_message_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               DT_SIP_FRAMING_DATAGRAM, &error);
  g_assert_no_error (error);
  g_queue_push_tail (&f->sent, copy);
  return TRUE;
}

static char *
lookup_password (const char *username,
                 const char *realm,
                 gpointer    user_data)
{
  return g_strcmp0 (username, "alice") == 0 ? g_strdup ("correct horse") : NULL;
}

static gint64
server_now (gpointer user_data)
{
  Fixture *f = user_data;

  return dt_clock_now_ms (f->clock) * 1000;
}

static void
on_state (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->states,
                   GINT_TO_POINTER (dt_sip_registration_get_state (DT_SIP_REGISTRATION (object))));
}

static void
setup_with_password (Fixture    *f,
                     const char *password)
{
  f->clock = dt_clock_new_manual ();
  f->ua = dt_sip_user_agent_new (f->clock, NULL, on_send, NULL, f);
  dt_sip_user_agent_set_local (f->ua, "UDP", "192.0.2.1:5062", CONTACT, FALSE);
  f->auth = dt_sip_auth_client_new ("alice", password);
  f->server = dt_sip_auth_server_new ("dialtone.test");
  dt_sip_auth_server_set_password_func (f->server, lookup_password, NULL, NULL);
  dt_sip_auth_server_set_clock (f->server, server_now, f);
  /* Long enough for any refresh here, except where a case wants it stale. */
  dt_sip_auth_server_set_nonce_lifetime (f->server, 3600);
  f->reg = dt_sip_registration_new (f->ua, REGISTRAR, AOR, f->auth);
  f->states = g_ptr_array_new ();
  g_signal_connect (f->reg, "notify::state", G_CALLBACK (on_state), f);
  g_queue_init (&f->sent);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  setup_with_password (f, data ? data : "correct horse");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_queue_clear_full (&f->sent, (GDestroyNotify) dt_sip_message_unref);
  g_ptr_array_unref (f->states);
  g_assert_finalize_object (f->reg);
  g_assert_finalize_object (f->ua);
  g_assert_finalize_object (f->auth);
  g_assert_finalize_object (f->server);
  dt_clock_unref (f->clock);
}

/* Takes the next REGISTER off the wire, checking what every one must carry. */
static DtSipMessage *
next_register (Fixture *f)
{
  DtSipMessage *request = g_queue_pop_head (&f->sent);
  g_autoptr(DtSipNameAddr) from = NULL;
  g_autoptr(DtSipNameAddr) to = NULL;

  g_assert_nonnull (request);
  g_assert_cmpstr (dt_sip_message_get_method (request), ==, "REGISTER");
  g_assert_cmpstr (dt_sip_message_get_request_uri (request), ==, REGISTRAR);
  g_assert_cmpstr (dt_sip_message_get_call_id (request), ==,
                   dt_sip_registration_get_call_id (f->reg));
  from = dt_sip_name_addr_parse (dt_sip_message_get_header (request, "From"));
  to = dt_sip_name_addr_parse (dt_sip_message_get_header (request, "To"));
  g_assert_cmpstr (from->uri, ==, AOR);
  g_assert_nonnull (from->tag);
  g_assert_cmpstr (to->uri, ==, AOR);
  g_assert_null (to->tag);
  return request;
}

static guint32
cseq_of (DtSipMessage *message)
{
  guint32 cseq = 0;

  g_assert_true (dt_sip_message_get_cseq (message, &cseq, NULL));
  return cseq;
}

static guint
contact_expires (DtSipMessage *request)
{
  g_autoptr(DtSipNameAddr) contact = dt_sip_name_addr_parse (dt_sip_message_get_header (request,
                                                                                        "Contact"));
  const char *value;

  g_assert_nonnull (contact);
  g_assert_cmpstr (contact->uri, ==, CONTACT);
  value = dt_sip_params_lookup (contact->params, "expires", NULL);
  g_assert_nonnull (value);
  g_assert_cmpint (dt_sip_message_get_expires (request), ==, atoi (value));
  return (guint) atoi (value);
}

static void
reply (Fixture      *f,
       DtSipMessage *response)
{
  dt_sip_user_agent_receive (f->ua, response, NULL, FALSE);
  dt_sip_message_unref (response);
}

static void
challenge (Fixture      *f,
           DtSipMessage *request,
           gboolean      stale)
{
  DtSipMessage *response = dt_sip_message_new_response_for (request, 401, "Unauthorized", "reg1");
  g_auto(GStrv) challenges = dt_sip_auth_server_create_challenges (f->server, stale);

  for (guint i = 0; challenges[i] != NULL; i++)
    dt_sip_message_append_header (response, "WWW-Authenticate", challenges[i]);
  reply (f, response);
}

/* Answers as a registrar would: 401 without valid credentials, 200 with. */
static void
answer (Fixture      *f,
        DtSipMessage *request,
        guint         granted)
{
  const char *credentials = dt_sip_message_get_header (request, "Authorization");
  g_autofree char *username = NULL;
  DtSipMessage *response;
  g_autofree char *contact = NULL;

  if (credentials == NULL)
    {
      challenge (f, request, FALSE);
      return;
    }
  switch (dt_sip_auth_server_verify (f->server, "REGISTER", credentials, &username))
    {
    case DT_SIP_AUTH_OK:
      break;
    case DT_SIP_AUTH_STALE:
      challenge (f, request, TRUE);
      return;
    case DT_SIP_AUTH_BAD_CREDENTIALS:
    case DT_SIP_AUTH_MALFORMED:
    case DT_SIP_AUTH_REPLAY:
    case DT_SIP_AUTH_WRONG_REALM:
    default:
      challenge (f, request, FALSE);
      return;
    }
  g_assert_cmpstr (username, ==, "alice");
  response = dt_sip_message_new_response_for (request, 200, "OK", "reg1");
  contact = g_strdup_printf ("<%s>;expires=%u", CONTACT, granted);
  dt_sip_message_append_header (response, "Contact", contact);
  reply (f, response);
}

static void
advance_s (Fixture *f,
           guint    seconds)
{
  dt_clock_advance (f->clock, seconds * 1000);
}

/* --- tests -------------------------------------------------------------- */

/* §10.2 and §22.2: the first REGISTER goes without credentials, the 401 is
 * answered with the same Call-ID, the next CSeq and a new branch; the 200's
 * Contact sets the interval. */
static void
test_register_with_digest (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;

  dt_sip_registration_start (f->reg);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERING);

  first = next_register (f);
  g_assert_null (dt_sip_message_get_header (first, "Authorization"));
  g_assert_cmpuint (contact_expires (first), ==, DT_SIP_REGISTRATION_DEFAULT_EXPIRES);
  answer (f, first, 600);

  second = next_register (f);
  g_assert_nonnull (dt_sip_message_get_header (second, "Authorization"));
  g_assert_cmpuint (cseq_of (second), ==, cseq_of (first) + 1);
  g_assert_cmpstr (dt_sip_message_get_top_via_branch (second), !=,
                   dt_sip_message_get_top_via_branch (first));
  answer (f, second, 600);

  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERED);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 600);
  g_assert_null (dt_sip_registration_get_failure_reason (f->reg));
  g_assert_true (g_queue_is_empty (&f->sent));
}

/* The refresh goes a tenth of the interval (at least 30 s) before the end,
 * with the cached credentials at once; for short intervals, at half. */
static void
test_refresh_schedule (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(DtSipMessage) refresh = NULL;
  g_autoptr(DtSipMessage) short_refresh = NULL;

  dt_sip_registration_start (f->reg);
  first = next_register (f);
  answer (f, first, 600);
  second = next_register (f);
  answer (f, second, 600);

  /* 600 − 60 = 540 s. */
  advance_s (f, 539);
  g_assert_true (g_queue_is_empty (&f->sent));
  advance_s (f, 1);
  refresh = next_register (f);
  g_assert_nonnull (dt_sip_message_get_header (refresh, "Authorization"));
  g_assert_cmpuint (cseq_of (refresh), ==, cseq_of (second) + 1);
  /* The registrar shortens the interval to 40 s: the next refresh is at 20 s. */
  answer (f, refresh, 40);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 40);
  g_assert_true (g_queue_is_empty (&f->sent));

  advance_s (f, 19);
  g_assert_true (g_queue_is_empty (&f->sent));
  advance_s (f, 1);
  short_refresh = next_register (f);
  answer (f, short_refresh, 40);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERED);
}

/* A wrong password: the second challenge means "refused". The account says
 * so and does not hammer the server with retries. */
static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;

  dt_sip_registration_start (f->reg);
  first = next_register (f);
  answer (f, first, 600);
  second = next_register (f);
  g_assert_nonnull (dt_sip_message_get_header (second, "Authorization"));
  answer (f, second, 600);

  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);
  g_assert_cmpint (dt_sip_registration_get_failure (f->reg), ==, DT_SIP_REGISTRATION_FAILURE_AUTH);
  g_assert_cmpstr (dt_sip_registration_get_failure_reason (f->reg), ==, "Authentication failed");
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 0);

  advance_s (f, 4 * 3600);
  g_assert_true (g_queue_is_empty (&f->sent));
}

/* RFC 7616 §3.3: stale=true is a new nonce for a right password; the
 * refresh goes on silently and the state never shows a failure. */
static void
test_stale_nonce (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(DtSipMessage) refresh = NULL;
  g_autoptr(DtSipMessage) again = NULL;

  dt_sip_auth_server_set_nonce_lifetime (f->server, 60);
  dt_sip_registration_start (f->reg);
  first = next_register (f);
  answer (f, first, 600);
  second = next_register (f);
  answer (f, second, 600);
  g_ptr_array_set_size (f->states, 0);

  advance_s (f, 540);
  refresh = next_register (f);
  /* The nonce is 540 s old; the server calls it stale. */
  answer (f, refresh, 600);
  again = next_register (f);
  g_assert_cmpuint (cseq_of (again), ==, cseq_of (refresh) + 1);
  answer (f, again, 600);

  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERED);
  for (guint i = 0; i < f->states->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (g_ptr_array_index (f->states, i)), !=,
                     DT_SIP_REGISTRATION_FAILED);
}

/* §10.2.8: 423 Interval Too Brief carries the minimum to ask for. */
static void
test_interval_too_brief (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(DtSipMessage) third = NULL;
  DtSipMessage *response;

  dt_sip_registration_set_requested_expires (f->reg, 60);
  dt_sip_registration_start (f->reg);
  first = next_register (f);
  g_assert_cmpuint (contact_expires (first), ==, 60);
  response = dt_sip_message_new_response_for (first, 423, "Interval Too Brief", "reg1");
  dt_sip_message_append_header (response, "Min-Expires", "1800");
  reply (f, response);

  second = next_register (f);
  g_assert_cmpuint (contact_expires (second), ==, 1800);
  answer (f, second, 1800);
  third = next_register (f);
  g_assert_cmpuint (contact_expires (third), ==, 1800);
  answer (f, third, 1800);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 1800);
}

/* §17.1.2.2: no answer at all ends the transaction after 64·T1; the
 * account says the server is not reachable and retries after the RFC 5626
 * §4.5 backoff, each time waiting longer. */
static void
test_unreachable_backoff (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(DtSipMessage) answered = NULL;
  gint64 failed_at;
  guint n_sent = 0;

  dt_sip_registration_set_retry_base (f->reg, 10);
  dt_sip_registration_start (f->reg);

  /* Timer F: 32 s; the retransmissions come and are ignored. */
  advance_s (f, 31);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERING);
  advance_s (f, 1);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);
  g_assert_cmpint (dt_sip_registration_get_failure (f->reg), ==,
                   DT_SIP_REGISTRATION_FAILURE_UNREACHABLE);
  g_assert_cmpstr (dt_sip_registration_get_failure_reason (f->reg), ==,
                   "Server not reachable (no answer)");
  n_sent = f->sent.length;
  /* §17.1.2.2: timer E doubles up to T2, so 0, 0.5, 1.5, 3.5, 7.5, then
   * every 4 s to 31.5; then timer F ends it. */
  g_assert_cmpuint (n_sent, ==, 11);
  g_queue_clear_full (&f->sent, (GDestroyNotify) dt_sip_message_unref);

  /* First retry between 5 and 10 s later. */
  failed_at = dt_clock_now_ms (f->clock);
  while (g_queue_is_empty (&f->sent))
    dt_clock_advance (f->clock, 100);
  g_assert_cmpint (dt_clock_now_ms (f->clock) - failed_at, >=, 5000);
  g_assert_cmpint (dt_clock_now_ms (f->clock) - failed_at, <=, 10000);
  g_queue_clear_full (&f->sent, (GDestroyNotify) dt_sip_message_unref);

  /* Second failure: the next wait is between 10 and 20 s. */
  advance_s (f, 32);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);
  g_queue_clear_full (&f->sent, (GDestroyNotify) dt_sip_message_unref);
  failed_at = dt_clock_now_ms (f->clock);
  while (g_queue_is_empty (&f->sent))
    dt_clock_advance (f->clock, 100);
  g_assert_cmpint (dt_clock_now_ms (f->clock) - failed_at, >=, 10000);
  g_assert_cmpint (dt_clock_now_ms (f->clock) - failed_at, <=, 20000);

  /* The server is back. */
  answered = next_register (f);
  answer (f, answered, 600);
  {
    g_autoptr(DtSipMessage) with_auth = next_register (f);

    answer (f, with_auth, 600);
  }
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERED);
  g_assert_null (dt_sip_registration_get_failure_reason (f->reg));
}

/* A server error is reported with its status and retried. */
static void
test_server_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) retry = NULL;

  dt_sip_registration_set_retry_base (f->reg, 5);
  dt_sip_registration_start (f->reg);
  first = next_register (f);
  reply (f, dt_sip_message_new_response_for (first, 503, "Service Unavailable", "reg1"));
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);
  g_assert_cmpint (dt_sip_registration_get_failure (f->reg), ==,
                   DT_SIP_REGISTRATION_FAILURE_REFUSED);
  g_assert_cmpstr (dt_sip_registration_get_failure_reason (f->reg), ==,
                   "Registration refused: 503 Service Unavailable");

  advance_s (f, 5);
  retry = next_register (f);
  g_assert_cmpuint (cseq_of (retry), ==, cseq_of (first) + 1);
}

/* §10.2.2: unregistering sends Expires 0 on our Contact. */
static void
test_unregister (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(DtSipMessage) removal = NULL;

  dt_sip_registration_start (f->reg);
  first = next_register (f);
  answer (f, first, 600);
  second = next_register (f);
  answer (f, second, 600);

  dt_sip_registration_stop (f->reg);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==,
                   DT_SIP_REGISTRATION_UNREGISTERING);
  removal = next_register (f);
  g_assert_cmpuint (contact_expires (removal), ==, 0);
  g_assert_nonnull (dt_sip_message_get_header (removal, "Authorization"));
  reply (f, dt_sip_message_new_response_for (removal, 200, "OK", "reg1"));
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_IDLE);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 0);

  /* No refresh comes any more. */
  advance_s (f, 3600);
  g_assert_true (g_queue_is_empty (&f->sent));
}

/* A transport failure (say, an untrusted certificate) fails the attempt at
 * once with the transport's own words; a standing binding re-registers. */
static void
test_transport_failure (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) tls = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                       "TLS certificate not trusted: unknown issuer");
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) retry = NULL;
  g_autoptr(DtSipMessage) with_auth = NULL;
  g_autoptr(DtSipMessage) again = NULL;

  dt_sip_registration_set_retry_base (f->reg, 2);
  dt_sip_registration_start (f->reg);
  first = next_register (f);
  dt_sip_registration_transport_failed (f->reg, tls);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);
  g_assert_cmpstr (dt_sip_registration_get_failure_reason (f->reg), ==,
                   "TLS certificate not trusted: unknown issuer");
  /* A late answer to the abandoned REGISTER changes nothing. */
  answer (f, first, 600);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_FAILED);

  /* Taken as soon as it leaves, before any retransmission of it. */
  while (g_queue_is_empty (&f->sent))
    dt_clock_advance (f->clock, 100);
  retry = next_register (f);
  answer (f, retry, 600);
  with_auth = next_register (f);
  answer (f, with_auth, 600);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERED);

  dt_sip_registration_transport_failed (f->reg, tls);
  g_assert_cmpint (dt_sip_registration_get_state (f->reg), ==, DT_SIP_REGISTRATION_REGISTERING);
  again = next_register (f);
  g_assert_nonnull (dt_sip_message_get_header (again, "Authorization"));
}

/* The registrar answers with several bindings; ours is the one that counts,
 * and without an expires parameter the Expires header does. */
static void
test_granted_from_headers (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(DtSipMessage) first = NULL;
  g_autoptr(DtSipMessage) second = NULL;
  g_autoptr(DtSipMessage) refresh = NULL;
  DtSipMessage *response;

  dt_sip_registration_start (f->reg);
  first = next_register (f);
  answer (f, first, 600);
  second = next_register (f);
  response = dt_sip_message_new_response_for (second, 200, "OK", "reg1");
  dt_sip_message_append_header (response, "Contact",
                                "<sip:alice@198.51.100.7:5060>;expires=3000, "
                                "<sip:alice@192.0.2.1:5062>;expires=120");
  reply (f, response);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 120);

  advance_s (f, 90);
  refresh = next_register (f);
  response = dt_sip_message_new_response_for (refresh, 200, "OK", "reg1");
  dt_sip_message_append_header (response, "Contact", "<sip:alice@192.0.2.1:5062>");
  dt_sip_message_append_header (response, "Expires", "300");
  reply (f, response);
  g_assert_cmpuint (dt_sip_registration_get_expires (f->reg), ==, 300);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/sip/registration/digest", test_register_with_digest, NULL);
  ADD ("/sip/registration/refresh", test_refresh_schedule, NULL);
  ADD ("/sip/registration/wrong-password", test_wrong_password, "wrong");
  ADD ("/sip/registration/stale-nonce", test_stale_nonce, NULL);
  ADD ("/sip/registration/interval-too-brief", test_interval_too_brief, NULL);
  ADD ("/sip/registration/unreachable-backoff", test_unreachable_backoff, NULL);
  ADD ("/sip/registration/server-error", test_server_error, NULL);
  ADD ("/sip/registration/unregister", test_unregister, NULL);
  ADD ("/sip/registration/transport-failure", test_transport_failure, NULL);
  ADD ("/sip/registration/granted-from-headers", test_granted_from_headers, NULL);
#undef ADD

  return g_test_run ();
}
