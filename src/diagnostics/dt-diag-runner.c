/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-runner.c
 *
 * One run is a GTask whose data (Shared) holds the report and a list of
 * jobs (one URI in one family). Two lanes, each a GTask of its own whose
 * data is a Run, take the jobs in turn, one after another each, through
 * a chain of DtTurnClient calls: §5.5 allows two at a time, and a slow
 * handshake in one lane (coturn's DTLS takes half a second) no longer
 * holds up the other.
 * Every stage has a watchdog on the run's DtClock and its own
 * GCancellable: the watchdog cancels it and the stage is recorded as "no
 * response"; the caller's GCancellable cancels it too and ends the run.
 * When a URI's own TURN stages relayed, its ICE check through libnice
 * (dt-diag-ice.c) starts and runs beside the jobs that follow, since it
 * spends most of its time waiting on timers; the report is done when the
 * last job and the last ICE check are.
 * Every change to a stage goes through entry_passed(), entry_failed() and
 * entry_set() here, and every reported start through
 * stage_begin_reported(), so that "stage-changed" tells a window each
 * step as it happens, in the order the report ends up with.
 */

#define G_LOG_DOMAIN "dialtone-diagnostics"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dt-diag-ice.h"
#include "dt-diag-runner.h"
#include "dt-turn-client.h"

/* §5.5 step 7: one greeting every 250 ms until one comes back */
#define GREETING_INTERVAL_MS 250
#define GREETING_PREFIX      "DIALTONE-DIAG 1 "
#define GREETING_ACK_PREFIX  "DIALTONE-DIAG-ACK 1 "
/* §5.5: URIs one after another, or at most two at a time */
#define N_LANES              2
/* RFC 8489 §6.2.1 timing, shortened to fit a stage */
#define STUN_RTO_MS          250
#define STUN_TRANSMISSIONS   5

enum {
  PROP_0,
  PROP_STAGE_TIMEOUT,
  PROP_TLS_DATABASE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  STAGE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _DtDiagRunner
{
  GObject             parent_instance;

  GPtrArray          *servers;       /* DtIceServer */
  GInetSocketAddress *peers[2];      /* IPv4, IPv6 */
  GTlsDatabase       *tls_database;
  guint               stage_timeout_ms;
  char               *peer_url;
  char               *peer_token;
};

G_DEFINE_FINAL_TYPE (DtDiagRunner, dt_diag_runner, G_TYPE_OBJECT)

typedef struct {
  char          *uri;
  DtIceServer   *server;
  GSocketFamily  family;
} Job;

typedef struct _Run Run;

/* What the lanes share: the task data of the run's own GTask */
typedef struct {
  DtDiagReport       *report;
  GPtrArray          *jobs;
  guint               next_job;
  gint64              started_us;
  guint               lanes_running;
  guint               pending_ice;
  gboolean            returned;
  GSource            *cancel_watch;
  Run                *lanes[N_LANES];
} Shared;

/* One lane: the task data of its GTask */
struct _Run {
  GTask              *parent;        /* the run's GTask, whose data is shared */
  Shared             *shared;
  guint               lane;
  DtClock            *clock;
  guint               stage_timeout_ms;
  GTlsDatabase       *tls_database;
  GInetSocketAddress *peers[2];
  GCancellable       *cancellable;   /* the caller's */
  gboolean            returned;      /* this lane's task */

  /* ICE checks, beside the jobs */
  SoupSession        *soup;
  char               *peer_url;
  char               *peer_token;

  /* The job under way */
  Job                *job;
  DtDiagEntry        *entry;
  DtTurnClient       *client;

  /* The stage under way */
  DtDiagStage         stage;
  gint64              stage_started_us;
  GCancellable       *stage_cancellable;
  guint               watchdog;
  gboolean            timed_out;

  /* The greeting: no I/O is pending while it waits, so it holds the task */
  GTask              *greeting_task;
  gulong              data_handler;
  guint               resend_timer;
  GSource            *cancel_source;
  char               *session;
  GArray             *sent_us;       /* gint64 per sequence number */
};

static void job_start (GTask *task);
static void job_finish (GTask *task);
static void start_permission (GTask *task);
static void start_release (GTask *task);

/* --- Helpers ------------------------------------------------------------ */

static guint
family_index (GSocketFamily family)
{
  return family == G_SOCKET_FAMILY_IPV6 ? 1 : 0;
}

static void
job_free (Job *job)
{
  g_free (job->uri);
  g_clear_object (&job->server);
  g_free (job);
}

static void
greeting_stop (Run *run)
{
  if (run->data_handler != 0 && run->client != NULL)
    g_signal_handler_disconnect (run->client, run->data_handler);
  run->data_handler = 0;
  if (run->resend_timer != 0)
    dt_clock_remove (run->clock, run->resend_timer);
  run->resend_timer = 0;
  if (run->cancel_source != NULL)
    g_source_destroy (run->cancel_source);
  g_clear_pointer (&run->cancel_source, g_source_unref);
  g_clear_pointer (&run->sent_us, g_array_unref);
  g_clear_pointer (&run->session, g_free);
  g_clear_object (&run->greeting_task);
}

static void
stage_stop (Run *run)
{
  if (run->watchdog != 0)
    dt_clock_remove (run->clock, run->watchdog);
  run->watchdog = 0;
  g_clear_object (&run->stage_cancellable);
}

static void
run_free (Run *run)
{
  greeting_stop (run);
  stage_stop (run);
  run->shared->lanes[run->lane] = NULL;
  if (run->client != NULL)
    dt_turn_client_close (run->client);
  g_clear_object (&run->client);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->clock, dt_clock_unref);
  g_clear_object (&run->tls_database);
  g_clear_object (&run->peers[0]);
  g_clear_object (&run->peers[1]);
  g_clear_object (&run->soup);
  g_free (run->peer_url);
  g_free (run->peer_token);
  g_clear_object (&run->parent);
  g_free (run);
}

static void
shared_free (Shared *shared)
{
  if (shared->cancel_watch != NULL)
    g_source_destroy (shared->cancel_watch);
  g_clear_pointer (&shared->cancel_watch, g_source_unref);
  g_clear_object (&shared->report);
  g_clear_pointer (&shared->jobs, g_ptr_array_unref);
  g_free (shared);
}

static void
on_watchdog (gpointer user_data)
{
  Run *run = user_data;

  run->watchdog = 0;
  run->timed_out = TRUE;
  g_cancellable_cancel (run->stage_cancellable);
}

/* The run's GTask (a lane's parent) holds the runner while it runs */
static void
emit_stage_changed (GTask            *parent,
                    DtDiagEntry      *entry,
                    DtDiagStage       stage,
                    DtDiagStageState  state)
{
  g_signal_emit (g_task_get_source_object (parent), signals[STAGE_CHANGED], 0, entry,
                 (guint) stage, (guint) state);
}

static void
entry_passed (GTask       *parent,
              DtDiagEntry *entry,
              DtDiagStage  stage,
              gint64       duration_us)
{
  dt_diag_entry_stage_passed (entry, stage, duration_us);
  emit_stage_changed (parent, entry, stage, DT_DIAG_STAGE_PASSED);
}

static void
entry_failed (GTask        *parent,
              DtDiagEntry  *entry,
              DtDiagStage   stage,
              gint64        duration_us,
              DtDiagReason  reason,
              guint         stun_code,
              const char   *stun_reason,
              const char   *detail)
{
  dt_diag_entry_stage_failed (entry, stage, duration_us, reason, stun_code, stun_reason, detail);
  emit_stage_changed (parent, entry, stage, DT_DIAG_STAGE_FAILED);
}

static void
entry_set (GTask            *parent,
           DtDiagEntry      *entry,
           DtDiagStage       stage,
           DtDiagStageState  state,
           DtDiagReason      reason,
           const char       *detail)
{
  dt_diag_entry_stage_set (entry, stage, state, reason, detail);
  emit_stage_changed (parent, entry, stage, state);
}

/* Starts @stage with a deadline of @timeout_ms. */
static void
stage_begin (Run         *run,
             DtDiagStage  stage,
             guint        timeout_ms)
{
  stage_stop (run);
  run->stage = stage;
  run->stage_started_us = g_get_monotonic_time ();
  run->timed_out = FALSE;
  run->stage_cancellable = g_cancellable_new ();
  run->watchdog = dt_clock_add (run->clock, timeout_ms, on_watchdog, run);
  /* A cancel that came between two stages still stops this one */
  if (g_cancellable_is_cancelled (run->cancellable))
    g_cancellable_cancel (run->stage_cancellable);
}

/* Starts a stage the report shows, and says so */
static void
stage_begin_reported (Run         *run,
                      DtDiagStage  stage,
                      guint        timeout_ms)
{
  stage_begin (run, stage, timeout_ms);
  emit_stage_changed (run->parent, run->entry, stage, DT_DIAG_STAGE_RUNNING);
}

static gint64
stage_elapsed (Run *run)
{
  return g_get_monotonic_time () - run->stage_started_us;
}

static gboolean
cancelled_by_caller (Run          *run,
                     const GError *error)
{
  return !run->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static DtDiagReason
reason_from_error (Run          *run,
                   DtDiagStage   stage,
                   const GError *error)
{
  if (run->timed_out)
    return DT_DIAG_REASON_NO_RESPONSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return DT_DIAG_REASON_CANCELLED;
  if (error->domain != DT_TURN_ERROR)
    return DT_DIAG_REASON_CONNECTION_CLOSED;

  switch ((DtTurnError) error->code)
    {
    case DT_TURN_ERROR_RESOLVE:
      return DT_DIAG_REASON_DNS_FAILED;
    case DT_TURN_ERROR_CONNECT:
      return DT_DIAG_REASON_CONNECT_REFUSED;
    case DT_TURN_ERROR_TIMEOUT:
      return DT_DIAG_REASON_NO_RESPONSE;
    case DT_TURN_ERROR_TLS_UNTRUSTED:
      return DT_DIAG_REASON_TLS_CERTIFICATE;
    case DT_TURN_ERROR_TLS_FAILED:
      return DT_DIAG_REASON_TLS_FAILED;
    case DT_TURN_ERROR_AUTH_FAILED:
      return DT_DIAG_REASON_AUTH_FAILED;
    case DT_TURN_ERROR_FAMILY_NOT_SUPPORTED:
      return DT_DIAG_REASON_FAMILY_NOT_SUPPORTED;
    case DT_TURN_ERROR_FORBIDDEN:
    case DT_TURN_ERROR_ALLOCATION_MISMATCH:
    case DT_TURN_ERROR_UNSUPPORTED_TRANSPORT:
    case DT_TURN_ERROR_QUOTA:
    case DT_TURN_ERROR_CAPACITY:
    case DT_TURN_ERROR_SERVER:
      return stage == DT_DIAG_STAGE_PERMISSION ? DT_DIAG_REASON_PERMISSION_REFUSED
                                               : DT_DIAG_REASON_ALLOCATION_REFUSED;
    case DT_TURN_ERROR_PROTOCOL:
    case DT_TURN_ERROR_NOT_READY:
      return DT_DIAG_REASON_PROTOCOL_ERROR;
    case DT_TURN_ERROR_CLOSED:
    default:
      return DT_DIAG_REASON_CONNECTION_CLOSED;
    }
}

/* Records the failure of the stage under way, with the server's error
 * code when it sent one. */
static void
stage_failed (Run          *run,
              DtDiagStage   stage,
              gint64        duration_us,
              const GError *error)
{
  DtDiagReason reason = reason_from_error (run, stage, error);
  const char *stun_reason = NULL;
  guint code = 0;

  if (run->client != NULL && error->domain == DT_TURN_ERROR && !run->timed_out)
    code = dt_turn_client_get_last_error_code (run->client, &stun_reason);

  if (run->timed_out)
    {
      g_autofree char *detail =
        g_strdup_printf (_("No response within %u ms"), run->stage_timeout_ms);

      entry_failed (run->parent, run->entry, stage, duration_us, reason, 0, NULL, detail);
    }
  else
    entry_failed (run->parent, run->entry, stage, duration_us, reason, code, stun_reason,
                  error->message);
}

static void
run_return_cancelled (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  greeting_stop (run);
  stage_stop (run);
  if (run->client != NULL)
    dt_turn_client_close (run->client);
  if (run->returned)
    return;
  run->returned = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The diagnostics run was cancelled"));
}

/* Ends the whole run as cancelled, once. */
static void
shared_return_cancelled (GTask *parent)
{
  Shared *shared = g_task_get_task_data (parent);

  if (shared->returned)
    return;
  shared->returned = TRUE;
  g_task_return_new_error (parent, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The diagnostics run was cancelled"));
}

/* The caller may cancel from any thread; this runs in the task's context,
 * where the stage's own cancellable, which reaches the pending I/O, lives. */
static gboolean
on_run_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Shared *shared = user_data;

  for (guint l = 0; l < N_LANES; l++)
    if (shared->lanes[l] != NULL && shared->lanes[l]->stage_cancellable != NULL)
      g_cancellable_cancel (shared->lanes[l]->stage_cancellable);
  /* Later stages see the cancellable in stage_begin() */
  return G_SOURCE_REMOVE;
}

static void
record_mapped (Run                *run,
               GInetSocketAddress *mapped)
{
  g_autoptr(GInetSocketAddress) local = dt_turn_client_get_local_address (run->client);

  g_set_object (&run->entry->mapped_address, mapped);
  /* §5.4: a NAT is seen when the server saw another address than ours */
  run->entry->nat_detected =
    local == NULL ||
    !g_inet_address_equal (g_inet_socket_address_get_address (local),
                           g_inet_socket_address_get_address (mapped)) ||
    g_inet_socket_address_get_port (local) != g_inet_socket_address_get_port (mapped);
}

static gboolean
client_uses_tls (DtTurnClient *client)
{
  DtTurnTransport transport = dt_turn_client_get_transport (client);

  return transport == DT_TURN_TRANSPORT_TLS || transport == DT_TURN_TRANSPORT_DTLS;
}

/* --- Greeting ----------------------------------------------------------- */

static void
greeting_done (GTask        *greeting_task,
               DtDiagReason  reason,
               gint64        rtt_us)
{
  g_autoptr(GTask) task = g_object_ref (greeting_task);
  Run *run = g_task_get_task_data (task);

  greeting_stop (run);
  stage_stop (run);

  if (reason == DT_DIAG_REASON_CANCELLED)
    {
      run_return_cancelled (task);
      return;
    }

  if (reason == DT_DIAG_REASON_NONE)
    {
      entry_passed (run->parent, run->entry, DT_DIAG_STAGE_GREETING, rtt_us);
      run->entry->greeting_rtt_us = rtt_us;
    }
  else
    {
      g_autofree char *detail =
        g_strdup_printf (_("No reply from the peer through the relay within %u ms"),
                         run->stage_timeout_ms);

      entry_failed (run->parent, run->entry, DT_DIAG_STAGE_GREETING, stage_elapsed (run),
                    reason, 0, NULL, detail);
    }
  start_release (task);
}

static gboolean
greeting_send (Run     *run,
               GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gint64 now = g_get_monotonic_time ();
  GInetSocketAddress *peer = run->peers[family_index (run->job->family)];

  text = g_strdup_printf (GREETING_PREFIX "%s %u %" G_GINT64_FORMAT, run->session,
                          run->sent_us->len, now);
  g_array_append_val (run->sent_us, now);
  bytes = g_bytes_new_take (text, strlen (text));
  text = NULL;
  return dt_turn_client_send_indication (run->client, peer, bytes, error);
}

static void
on_greeting_resend (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  run->resend_timer = dt_clock_add (run->clock, GREETING_INTERVAL_MS, on_greeting_resend, task);
  /* A lost datagram is what the repeats are for; a broken client is not */
  if (!greeting_send (run, &error))
    g_debug ("Could not repeat the greeting: %s", error->message);
}

/* The reply is the greeting echoed as it was, or the helper's
 * DIALTONE-DIAG-ACK form of it. Returns its sequence number, or -1. */
static gint
greeting_parse_reply (Run    *run,
                      GBytes *data)
{
  gsize length;
  const char *bytes = g_bytes_get_data (data, &length);
  g_autofree char *text = g_strndup (bytes, length);
  g_auto(GStrv) words = NULL;
  const char *rest;
  guint64 seq;

  if (g_str_has_prefix (text, GREETING_PREFIX))
    rest = text + strlen (GREETING_PREFIX);
  else if (g_str_has_prefix (text, GREETING_ACK_PREFIX))
    rest = text + strlen (GREETING_ACK_PREFIX);
  else
    return -1;

  words = g_strsplit (rest, " ", 3);
  if (g_strv_length (words) < 2 || g_strcmp0 (words[0], run->session) != 0 ||
      !g_ascii_string_to_unsigned (words[1], 10, 0, run->sent_us->len - 1, &seq, NULL))
    return -1;
  return (gint) seq;
}

static void
on_data_received (DtTurnClient       *client,
                  GInetSocketAddress *from,
                  GBytes             *data,
                  guint               channel,
                  gpointer            user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);
  GInetSocketAddress *peer = run->peers[family_index (run->job->family)];
  gint seq;

  if (!g_inet_address_equal (g_inet_socket_address_get_address (from),
                             g_inet_socket_address_get_address (peer)) ||
      g_inet_socket_address_get_port (from) != g_inet_socket_address_get_port (peer))
    return;

  seq = greeting_parse_reply (run, data);
  if (seq < 0)
    return;

  greeting_done (task, DT_DIAG_REASON_NONE,
                 g_get_monotonic_time () - g_array_index (run->sent_us, gint64, seq));
}

static gboolean
on_greeting_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  greeting_done (task, run->timed_out ? DT_DIAG_REASON_GREETING_TIMEOUT
                                      : DT_DIAG_REASON_CANCELLED, -1);
  return G_SOURCE_REMOVE;
}

static void
start_greeting (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint32 session = g_random_int ();

  stage_begin_reported (run, DT_DIAG_STAGE_GREETING, run->stage_timeout_ms);
  run->greeting_task = g_object_ref (task);
  run->session = g_strdup_printf ("%08x", session);
  run->sent_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->data_handler = g_signal_connect (run->client, "data-received",
                                        G_CALLBACK (on_data_received), task);

  /* The watchdog and the caller both end the wait through the stage's
   * cancellable, which may fire from another thread. */
  run->cancel_source = g_cancellable_source_new (run->stage_cancellable);
  g_source_set_callback (run->cancel_source, (GSourceFunc) (void (*) (void)) on_greeting_cancelled,
                         task, NULL);
  g_source_attach (run->cancel_source, g_task_get_context (task));

  if (!greeting_send (run, &error))
    {
      greeting_stop (run);
      stage_failed (run, DT_DIAG_STAGE_GREETING, stage_elapsed (run), error);
      stage_stop (run);
      start_release (task);
      return;
    }
  run->resend_timer = dt_clock_add (run->clock, GREETING_INTERVAL_MS, on_greeting_resend, task);
}

/* --- Release ------------------------------------------------------------ */

static void
on_released (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* RFC 8656 §7.3: a failed release only leaves the allocation to expire */
  if (!dt_turn_client_refresh_finish (DT_TURN_CLIENT (source), result, &error))
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }
      g_debug ("Could not release the allocation: %s", error->message);
    }
  stage_stop (run);
  job_finish (task);
}

static void
start_release (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (dt_turn_client_get_relayed_address (run->client) == NULL)
    {
      job_finish (task);
      return;
    }

  /* Not a reported stage, but bounded like one */
  stage_begin (run, DT_DIAG_STAGE_ALLOCATE, run->stage_timeout_ms);
  dt_turn_client_refresh_async (run->client, 0, run->stage_cancellable, on_released,
                                g_object_ref (task));
}

/* --- Permission --------------------------------------------------------- */

static void
on_permission (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!dt_turn_client_create_permission_finish (DT_TURN_CLIENT (source), result, &error))
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }
      stage_failed (run, DT_DIAG_STAGE_PERMISSION, stage_elapsed (run), error);
      stage_stop (run);
      start_release (task);
      return;
    }

  entry_passed (run->parent, run->entry, DT_DIAG_STAGE_PERMISSION, stage_elapsed (run));
  stage_stop (run);
  start_greeting (task);
}

static void
start_permission (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  stage_begin_reported (run, DT_DIAG_STAGE_PERMISSION, run->stage_timeout_ms);
  dt_turn_client_create_permission_async (run->client,
                                          run->peers[family_index (run->job->family)],
                                          run->stage_cancellable, on_permission,
                                          g_object_ref (task));
}

/* --- Allocate ----------------------------------------------------------- */

static void
on_allocated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GInetSocketAddress *relayed;
  GInetSocketAddress *mapped;
  GSocketFamily relay_family;

  if (!dt_turn_client_allocate_finish (DT_TURN_CLIENT (source), result, &error))
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }
      stage_failed (run, DT_DIAG_STAGE_ALLOCATE, stage_elapsed (run), error);
      stage_stop (run);
      job_finish (task);
      return;
    }

  relayed = dt_turn_client_get_relayed_address (run->client);
  mapped = dt_turn_client_get_mapped_address (run->client);
  g_set_object (&run->entry->relay_address, relayed);
  /* RFC 8656 §7.3: the Allocate response's XOR-MAPPED-ADDRESS is STUN too
   * (it counts as STUN only over plain UDP, which the scoring checks) */
  if (run->entry->mapped_address == NULL && mapped != NULL)
    record_mapped (run, mapped);

  relay_family = g_inet_address_get_family (g_inet_socket_address_get_address (relayed));
  if (relay_family != run->job->family)
    {
      g_autofree char *detail =
        g_strdup_printf (_("The server allocated an %s relay instead"),
                         relay_family == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4");

      entry_failed (run->parent, run->entry, DT_DIAG_STAGE_ALLOCATE, stage_elapsed (run),
                    DT_DIAG_REASON_FAMILY_NOT_SUPPORTED, 0, NULL, detail);
      stage_stop (run);
      start_release (task);
      return;
    }

  entry_passed (run->parent, run->entry, DT_DIAG_STAGE_ALLOCATE, stage_elapsed (run));
  stage_stop (run);
  start_permission (task);
}

static void
start_allocate (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (!dt_ice_uri_is_turn (run->entry->uri))
    {
      job_finish (task);
      return;
    }

  stage_begin_reported (run, DT_DIAG_STAGE_ALLOCATE, run->stage_timeout_ms);
  dt_turn_client_allocate_async (run->client, run->stage_cancellable, on_allocated,
                                 g_object_ref (task));
}

/* --- Binding ------------------------------------------------------------ */

static void
on_binding (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetSocketAddress) mapped = NULL;

  mapped = dt_turn_client_binding_finish (DT_TURN_CLIENT (source), result, &error);
  if (mapped == NULL)
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }
      stage_failed (run, DT_DIAG_STAGE_BINDING, stage_elapsed (run), error);
      stage_stop (run);
      /* TURN may work where STUN does not: go on */
      start_allocate (task);
      return;
    }

  entry_passed (run->parent, run->entry, DT_DIAG_STAGE_BINDING, stage_elapsed (run));
  record_mapped (run, mapped);
  stage_stop (run);
  start_allocate (task);
}

static void
start_binding (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const DtIceUri *uri = run->entry->uri;

  /* §5.4: only STUN on unencrypted UDP counts; stuns: is still asked so
   * the report shows what it answered */
  if (dt_ice_uri_is_turn (uri) && !dt_ice_uri_stun_expected (uri))
    {
      entry_set (run->parent, run->entry, DT_DIAG_STAGE_BINDING, DT_DIAG_STAGE_SKIPPED,
                 DT_DIAG_REASON_NONE, NULL);
      start_allocate (task);
      return;
    }

  stage_begin_reported (run, DT_DIAG_STAGE_BINDING, run->stage_timeout_ms);
  dt_turn_client_binding_async (run->client, run->stage_cancellable, on_binding,
                                g_object_ref (task));
}

/* --- Connect ------------------------------------------------------------ */

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  DtTurnClient *client = DT_TURN_CLIENT (source);
  g_autoptr(GError) error = NULL;
  gint64 resolved = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_RESOLVED);
  gint64 connected = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_CONNECTED);
  gint64 handshaken = dt_turn_client_get_stage_time (client, DT_TURN_STAGE_HANDSHAKEN);
  gint64 now = g_get_monotonic_time ();
  gboolean tls = client_uses_tls (client);

  if (!dt_turn_client_connect_finish (client, result, &error))
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }

      /* The first milestone the client did not reach is the stage that
       * failed */
      if (connected == 0)
        stage_failed (run, DT_DIAG_STAGE_CONNECT,
                      now - (resolved ? resolved : run->stage_started_us), error);
      else
        {
          entry_passed (run->parent, run->entry, DT_DIAG_STAGE_CONNECT,
                        connected - (resolved ? resolved : run->stage_started_us));
          stage_failed (run, DT_DIAG_STAGE_HANDSHAKE, now - connected, error);
        }
      stage_stop (run);
      job_finish (task);
      return;
    }

  entry_passed (run->parent, run->entry, DT_DIAG_STAGE_CONNECT,
                connected - (resolved ? resolved : run->stage_started_us));
  if (tls)
    entry_passed (run->parent, run->entry, DT_DIAG_STAGE_HANDSHAKE, handshaken - connected);
  else
    entry_set (run->parent, run->entry, DT_DIAG_STAGE_HANDSHAKE, DT_DIAG_STAGE_SKIPPED,
               DT_DIAG_REASON_NONE, NULL);
  g_set_object (&run->entry->server_address, dt_turn_client_get_server_address (client));
  stage_stop (run);
  start_binding (task);
}

static void
start_connect (GTask        *task,
               GInetAddress *address)
{
  Run *run = g_task_get_task_data (task);
  const DtIceUri *uri = run->entry->uri;
  DtIceServer *server = run->job->server;

  run->entry->server_address =
    G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, uri->port));

  /* The client gets the name, not the address: TLS checks the certificate
   * against the name the user gave (RFC 7350 §4). It resolves again in
   * the same family. */
  run->client = dt_turn_client_new (uri->host, uri->port, dt_ice_uri_get_turn_transport (uri));
  dt_turn_client_set_credentials (run->client, dt_ice_server_get_username (server),
                                  dt_ice_server_get_credential (server));
  g_object_set (run->client,
                "family", run->job->family,
                "stage-timeout", run->stage_timeout_ms,
                "reliable-timeout", run->stage_timeout_ms,
                "rto", STUN_RTO_MS,
                "max-transmissions", STUN_TRANSMISSIONS,
                NULL);
  /* RFC 8656 §7.1 (RFC 6156): ask for a relay of the family under test */
  if (dt_ice_uri_is_turn (uri))
    g_object_set (run->client, "requested-family",
                  run->job->family == G_SOCKET_FAMILY_IPV6 ? DT_STUN_FAMILY_IPV6
                                                           : DT_STUN_FAMILY_IPV4, NULL);
  if (run->tls_database != NULL)
    g_object_set (run->client, "tls-database", run->tls_database, NULL);

  /* The client times each of resolve, connect and handshake itself; this
   * watchdog only backs it up */
  stage_begin_reported (run, DT_DIAG_STAGE_CONNECT, 3 * run->stage_timeout_ms + 500);
  dt_turn_client_connect_async (run->client, run->stage_cancellable, on_connected,
                                g_object_ref (task));
}

/* --- Resolve ------------------------------------------------------------ */

static void
on_resolved_any (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL && cancelled_by_caller (run, error))
    {
      run_return_cancelled (task);
      return;
    }

  if (addresses != NULL)
    {
      g_autofree char *detail =
        g_strdup_printf (run->job->family == G_SOCKET_FAMILY_IPV6
                         ? _("%s has addresses, but no IPv6 address")
                         : _("%s has addresses, but no IPv4 address"), run->entry->uri->host);

      entry_failed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, stage_elapsed (run),
                    DT_DIAG_REASON_DNS_NO_ADDRESS, 0, NULL, detail);
      g_resolver_free_addresses (addresses);
    }
  else
    {
      g_autofree char *detail =
        g_strdup_printf (_("Could not find the server %s: %s"), run->entry->uri->host,
                         run->timed_out ? _("the name server did not answer")
                                        : error->message);

      entry_failed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, stage_elapsed (run),
                    run->timed_out ? DT_DIAG_REASON_NO_RESPONSE
                                                 : DT_DIAG_REASON_DNS_FAILED, 0, NULL, detail);
    }
  stage_stop (run);
  job_finish (task);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), result, &error);
  if (addresses == NULL)
    {
      if (cancelled_by_caller (run, error))
        {
          run_return_cancelled (task);
          return;
        }
      /* Not found in this family: does the name exist at all? That tells
       * "no IPv6 address" from "no such server". */
      if (!run->timed_out && g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        {
          g_resolver_lookup_by_name_async (G_RESOLVER (source), run->entry->uri->host,
                                           run->stage_cancellable, on_resolved_any,
                                           g_steal_pointer (&task));
          return;
        }
      {
        g_autofree char *detail =
          g_strdup_printf (_("Could not find the server %s: %s"), run->entry->uri->host,
                           run->timed_out ? _("the name server did not answer")
                                          : error->message);

        entry_failed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, stage_elapsed (run),
                      run->timed_out ? DT_DIAG_REASON_NO_RESPONSE
                                                   : DT_DIAG_REASON_DNS_FAILED,
                      0, NULL, detail);
      }
      stage_stop (run);
      job_finish (task);
      return;
    }

  entry_passed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, stage_elapsed (run));
  stage_stop (run);
  start_connect (task, addresses->data);
  g_resolver_free_addresses (addresses);
}

static void
start_resolve (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  const DtIceUri *uri = run->entry->uri;
  g_autoptr(GResolver) resolver = NULL;

  stage_begin_reported (run, DT_DIAG_STAGE_RESOLVE, run->stage_timeout_ms);

  if (uri->host_is_ip)
    {
      g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (uri->host);

      if (g_inet_address_get_family (literal) != run->job->family)
        {
          g_autofree char *detail =
            g_strdup_printf (run->job->family == G_SOCKET_FAMILY_IPV6
                             ? _("%s is an IPv4 address") : _("%s is an IPv6 address"),
                             uri->host);

          entry_failed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, 0,
                        DT_DIAG_REASON_DNS_NO_ADDRESS, 0, NULL, detail);
          stage_stop (run);
          job_finish (task);
          return;
        }
      entry_passed (run->parent, run->entry, DT_DIAG_STAGE_RESOLVE, stage_elapsed (run));
      stage_stop (run);
      start_connect (task, literal);
      return;
    }

  resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_with_flags_async (resolver, uri->host,
                                              run->job->family == G_SOCKET_FAMILY_IPV6
                                              ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY
                                              : G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY,
                                              run->stage_cancellable, on_resolved,
                                              g_object_ref (task));
}

/* --- ICE ---------------------------------------------------------------- */

typedef struct {
  GTask       *parent;
  DtDiagEntry *entry;
} IceJob;

static void run_maybe_done (GTask *parent);

static void
on_ice_checked (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  IceJob *job = user_data;
  g_autoptr(GTask) parent = job->parent;
  Shared *shared = g_task_get_task_data (parent);
  DtDiagEntry *entry = job->entry;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtDiagIceResult) ice = dt_diag_ice_check_finish (result, &error);

  g_free (job);
  shared->pending_ice--;
  if (shared->returned)
    return;
  if (ice == NULL)
    {
      shared_return_cancelled (parent);
      return;
    }

  g_set_object (&entry->ice_relay_address, ice->relay);
  entry->ice_allocate_us = ice->allocate_us;
  entry->ice_connect_us = ice->connect_us;
  entry->ice_rtt_us = ice->rtt_us;
  if (ice->connected)
    entry_passed (parent, entry, DT_DIAG_STAGE_ICE, ice->duration_us);
  else
    entry_failed (parent, entry, DT_DIAG_STAGE_ICE, ice->duration_us, ice->reason, 0, NULL,
                  ice->detail);
  run_maybe_done (parent);
}

/* §5.5 steps 5–8 for an entry whose own TURN stages relayed. */
static void
start_ice (GTask       *task,
           DtDiagEntry *entry)
{
  Run *run = g_task_get_task_data (task);
  DtTurnTransport transport = dt_ice_uri_get_turn_transport (entry->uri);
  IceJob *job;

  if (!dt_diag_ice_transport_supported (transport))
    {
      entry_set (run->parent, entry, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_NOT_RUN,
                 DT_DIAG_REASON_ICE_UNSUPPORTED,
                 _("libnice has no TURN over DTLS, so calls cannot use this URI"));
      return;
    }
  if (run->peer_url == NULL)
    {
      entry_set (run->parent, entry, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_NOT_RUN,
                 DT_DIAG_REASON_ICE_NOT_RUN,
                 _("No diagnostics peer to check ICE with"));
      return;
    }

  job = g_new0 (IceJob, 1);
  job->parent = g_object_ref (run->parent);
  job->entry = entry;
  run->shared->pending_ice++;
  emit_stage_changed (run->parent, entry, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_RUNNING);
  /* Allocate, signal, connect and greet: three stages' worth */
  dt_diag_ice_check_async (entry->server_address, transport,
                           dt_ice_server_get_username (run->job->server),
                           dt_ice_server_get_credential (run->job->server),
                           entry->family, run->soup, run->peer_url, run->peer_token,
                           3 * run->stage_timeout_ms, run->cancellable, on_ice_checked, job);
}

/* --- Jobs --------------------------------------------------------------- */

static void
on_next_job (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  job_start (task);
}

static void
job_finish (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  DtDiagEntry *entry = run->entry;

  if (entry != NULL && entry->uri != NULL && dt_ice_uri_is_turn (entry->uri))
    {
      if (entry->stages[DT_DIAG_STAGE_GREETING].state == DT_DIAG_STAGE_PASSED)
        start_ice (task, entry);
      else
        entry_set (run->parent, entry, DT_DIAG_STAGE_ICE, DT_DIAG_STAGE_NOT_RUN,
                   DT_DIAG_REASON_ICE_NOT_RUN,
                   _("TURN did not relay, so there was nothing for ICE to use"));
    }
  else if (entry != NULL && entry->uri != NULL)
    for (DtDiagStage s = DT_DIAG_STAGE_ALLOCATE; s <= DT_DIAG_STAGE_ICE; s++)
      entry_set (run->parent, entry, s, DT_DIAG_STAGE_SKIPPED, DT_DIAG_REASON_NONE, NULL);

  greeting_stop (run);
  stage_stop (run);
  if (run->client != NULL)
    dt_turn_client_close (run->client);
  g_clear_object (&run->client);
  run->entry = NULL;
  run->job = NULL;

  /* From the main loop, so a long list never deepens the stack */
  dt_clock_add (run->clock, 0, on_next_job, g_object_ref (task));
}

/* The report is done when every lane and every ICE check is. */
static void
run_maybe_done (GTask *parent)
{
  Shared *shared = g_task_get_task_data (parent);

  if (shared->returned || shared->lanes_running > 0 || shared->pending_ice > 0)
    return;
  shared->returned = TRUE;
  dt_diag_report_set_duration (shared->report, g_get_monotonic_time () - shared->started_us);
  dt_diag_report_score (shared->report);
  g_task_return_pointer (parent, g_object_ref (shared->report), g_object_unref);
}

static void
on_lane_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) parent = user_data;
  Shared *shared = g_task_get_task_data (parent);

  shared->lanes_running--;
  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    {
      shared_return_cancelled (parent);
      return;
    }
  run_maybe_done (parent);
}

static void
job_start (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      run_return_cancelled (task);
      return;
    }

  if (run->shared->returned)
    {
      /* Another lane was cancelled: the run is over */
      run_return_cancelled (task);
      return;
    }
  if (run->shared->next_job == run->shared->jobs->len)
    {
      run->returned = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  run->job = g_ptr_array_index (run->shared->jobs, run->shared->next_job++);
  run->entry = dt_diag_report_add_entry (run->shared->report, run->job->uri, run->job->family);
  /* The report parsed it as it added it */
  emit_stage_changed (run->parent, run->entry, DT_DIAG_STAGE_PARSE,
                      run->entry->stages[DT_DIAG_STAGE_PARSE].state);
  if (run->entry->stages[DT_DIAG_STAGE_PARSE].state != DT_DIAG_STAGE_PASSED)
    {
      run->entry = NULL;
      job_finish (task);
      return;
    }
  start_resolve (task);
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_diag_runner_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  DtDiagRunner *self = DT_DIAG_RUNNER (object);

  switch (prop_id)
    {
    case PROP_STAGE_TIMEOUT:
      g_value_set_uint (value, self->stage_timeout_ms);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diag_runner_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  DtDiagRunner *self = DT_DIAG_RUNNER (object);

  switch (prop_id)
    {
    case PROP_STAGE_TIMEOUT:
      if (self->stage_timeout_ms != g_value_get_uint (value))
        {
          self->stage_timeout_ms = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TLS_DATABASE:
      if (g_set_object (&self->tls_database, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_diag_runner_finalize (GObject *object)
{
  DtDiagRunner *self = DT_DIAG_RUNNER (object);

  g_clear_pointer (&self->servers, g_ptr_array_unref);
  g_clear_object (&self->peers[0]);
  g_clear_object (&self->peers[1]);
  g_clear_object (&self->tls_database);
  g_free (self->peer_url);
  g_free (self->peer_token);

  G_OBJECT_CLASS (dt_diag_runner_parent_class)->finalize (object);
}

static void
dt_diag_runner_class_init (DtDiagRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_diag_runner_get_property;
  object_class->set_property = dt_diag_runner_set_property;
  object_class->finalize = dt_diag_runner_finalize;

  /**
   * DtDiagRunner:stage-timeout:
   *
   * How long each stage may take, in ms.
   */
  props[PROP_STAGE_TIMEOUT] =
    g_param_spec_uint ("stage-timeout", NULL, NULL, 1, 600000,
                       DT_DIAG_RUNNER_DEFAULT_STAGE_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * DtDiagRunner:tls-database:
   *
   * The certificate authorities to trust for `turns:` and `stuns:`;
   * %NULL for the system's.
   */
  props[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtDiagRunner::stage-changed:
   * @self: the runner
   * @entry: (type gpointer): the #DtDiagEntry, owned by the run's report;
   *   valid until the report is freed (after a cancel, once the callback
   *   of dt_diag_runner_run_async() has run)
   * @stage: the #DtDiagStage
   * @state: the #DtDiagStageState: %DT_DIAG_STAGE_RUNNING as the stage
   *   starts, then what @entry records for it
   *
   * Emitted in the main context of dt_diag_runner_run_async() as each
   * stage of each URI and family starts and ends. An entry's first
   * emission is for %DT_DIAG_STAGE_PARSE; its recorded stages then come
   * in the order of #DtDiagStage. Entries of the two lanes, and an ICE
   * check that runs beside the jobs after it, interleave.
   */
  signals[STAGE_CHANGED] =
    g_signal_new ("stage-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_POINTER, G_TYPE_UINT, G_TYPE_UINT);
}

static void
dt_diag_runner_init (DtDiagRunner *self)
{
  self->servers = g_ptr_array_new_with_free_func (g_object_unref);
  self->stage_timeout_ms = DT_DIAG_RUNNER_DEFAULT_STAGE_TIMEOUT_MS;
}

/* --- Public API --------------------------------------------------------- */

/**
 * dt_diag_runner_new:
 *
 * Returns: (transfer full): a runner with no servers and no peer
 */
DtDiagRunner *
dt_diag_runner_new (void)
{
  return g_object_new (DT_TYPE_DIAG_RUNNER, NULL);
}

/**
 * dt_diag_runner_add_server:
 * @self: a #DtDiagRunner
 * @server: servers to test, typed by the person or learnt by a backend
 *
 * Adds every URI of @server, with its credentials, to the next run.
 */
void
dt_diag_runner_add_server (DtDiagRunner *self,
                           DtIceServer  *server)
{
  g_return_if_fail (DT_IS_DIAG_RUNNER (self));
  g_return_if_fail (DT_IS_ICE_SERVER (server));

  g_ptr_array_add (self->servers, g_object_ref (server));
}

/**
 * dt_diag_runner_add_uri:
 * @self: a #DtDiagRunner
 * @uri: a `stun:`, `stuns:`, `turn:` or `turns:` URI, checked when the run
 *   starts
 * @username: (nullable): the TURN user name
 * @password: (nullable): the TURN password
 *
 * Adds one URI to the next run.
 */
void
dt_diag_runner_add_uri (DtDiagRunner *self,
                        const char   *uri,
                        const char   *username,
                        const char   *password)
{
  const char *uris[] = { uri, NULL };
  g_autoptr(DtIceServer) server = NULL;

  g_return_if_fail (DT_IS_DIAG_RUNNER (self));
  g_return_if_fail (uri != NULL);

  server = dt_ice_server_new (uris, username, password);
  dt_diag_runner_add_server (self, server);
}

/**
 * dt_diag_runner_set_peer:
 * @self: a #DtDiagRunner
 * @peer: a UDP endpoint that echoes what it receives (or answers with
 *   DIALTONE-DIAG-ACK), in IPv4 or IPv6
 *
 * Sets the far end of the greetings in @peer's family. A family without a
 * peer is not tested.
 */
void
dt_diag_runner_set_peer (DtDiagRunner       *self,
                         GInetSocketAddress *peer)
{
  GSocketFamily family;

  g_return_if_fail (DT_IS_DIAG_RUNNER (self));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (peer));

  family = g_inet_address_get_family (g_inet_socket_address_get_address (peer));
  g_set_object (&self->peers[family_index (family)], peer);
}

/**
 * dt_diag_runner_get_peer:
 * @self: a #DtDiagRunner
 * @family: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 *
 * Returns: (transfer none) (nullable): the peer in @family
 */
GInetSocketAddress *
dt_diag_runner_get_peer (DtDiagRunner  *self,
                         GSocketFamily  family)
{
  g_return_val_if_fail (DT_IS_DIAG_RUNNER (self), NULL);

  return self->peers[family_index (family)];
}

/**
 * dt_diag_runner_set_peer_url:
 * @self: a #DtDiagRunner
 * @url: (nullable): the diagnostics peer (`dialtone-helper serve
 *   --diagnostics`), `http://HOST:PORT`; %NULL for none
 * @token: (nullable): its access token
 *
 * Sets the far end of the ICE checks (src/diagnostics/PEER.md). Without
 * one, the ICE stage is recorded as not run.
 */
void
dt_diag_runner_set_peer_url (DtDiagRunner *self,
                             const char   *url,
                             const char   *token)
{
  g_return_if_fail (DT_IS_DIAG_RUNNER (self));

  g_free (self->peer_url);
  self->peer_url = url ? g_strdup (url) : NULL;
  /* The paths are appended to it */
  if (self->peer_url != NULL && g_str_has_suffix (self->peer_url, "/"))
    self->peer_url[strlen (self->peer_url) - 1] = '\0';
  g_free (self->peer_token);
  self->peer_token = g_strdup (token);
}

/**
 * dt_diag_runner_set_ca_file:
 * @self: a #DtDiagRunner
 * @path: a PEM file of certificate authorities
 * @error: return location for a #GError
 *
 * Trusts the authorities in @path, and only them, for TLS and DTLS (a
 * test CA, say). Sets #DtDiagRunner:tls-database.
 *
 * Returns: %FALSE with @error set when @path cannot be read
 */
gboolean
dt_diag_runner_set_ca_file (DtDiagRunner  *self,
                            const char    *path,
                            GError       **error)
{
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (DT_IS_DIAG_RUNNER (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  database = g_tls_file_database_new (path, error);
  if (database == NULL)
    return FALSE;
  g_object_set (self, "tls-database", database, NULL);
  return TRUE;
}

/**
 * dt_diag_runner_run_async:
 * @self: a #DtDiagRunner
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the report
 * @user_data: data for @callback
 *
 * Tests every URI in each family that has a peer (IPv4 first), one after
 * another, and builds the report. Finish with dt_diag_runner_run_finish().
 */
void
dt_diag_runner_run_async (DtDiagRunner        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GString) peer = g_string_new (NULL);
  g_autoptr(GCancellable) run_cancellable = NULL;
  g_autoptr(SoupSession) soup = NULL;
  Shared *shared;
  guint n_lanes;

  g_return_if_fail (DT_IS_DIAG_RUNNER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_diag_runner_run_async);
  /* A cancel is reported by the lanes, as the report of what was done */
  g_task_set_check_cancellable (task, FALSE);

  shared = g_new0 (Shared, 1);
  shared->report = dt_diag_report_new ();
  shared->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  shared->started_us = g_get_monotonic_time ();
  g_task_set_task_data (task, shared, (GDestroyNotify) shared_free);
  run_cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  /* The peer is Dialtone's own helper: no proxy between the two */
  soup = soup_session_new_with_options ("proxy-resolver", NULL,
                                        "timeout", MAX (1u, self->stage_timeout_ms / 1000),
                                        NULL);

  for (guint f = 0; f < 2; f++)
    {
      GSocketFamily family = f == 0 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
      g_autofree char *text = NULL;

      dt_diag_report_set_family_available (shared->report, family, self->peers[f] != NULL);
      if (self->peers[f] == NULL)
        continue;

      text = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (self->peers[f]));
      g_string_append_printf (peer, "%s%s", peer->len ? ", " : "", text);

      for (guint i = 0; i < self->servers->len; i++)
        {
          DtIceServer *server = g_ptr_array_index (self->servers, i);
          const char * const *uris = dt_ice_server_get_uris (server);

          for (guint u = 0; uris[u] != NULL; u++)
            {
              Job *job = g_new0 (Job, 1);

              job->uri = g_strdup (uris[u]);
              job->server = g_object_ref (server);
              job->family = family;
              g_ptr_array_add (shared->jobs, job);
            }
        }
    }
  if (peer->len > 0)
    {
      g_autofree char *description =
        self->peer_url != NULL
        ? g_strdup_printf (_("Diagnostics peer %s, UDP echo at %s"), self->peer_url, peer->str)
        : g_strdup_printf (_("UDP echo at %s"), peer->str);

      dt_diag_report_set_peer (shared->report, description);
    }

  if (g_cancellable_is_cancelled (run_cancellable))
    {
      shared_return_cancelled (task);
      return;
    }

  shared->cancel_watch = g_cancellable_source_new (run_cancellable);
  g_source_set_callback (shared->cancel_watch,
                         (GSourceFunc) (void (*) (void)) on_run_cancelled, shared, NULL);
  g_source_attach (shared->cancel_watch, g_task_get_context (task));

  n_lanes = MIN (N_LANES, shared->jobs->len);
  shared->lanes_running = n_lanes;
  for (guint l = 0; l < n_lanes; l++)
    {
      g_autoptr(GTask) lane = g_task_new (self, run_cancellable, on_lane_done,
                                          g_object_ref (task));
      Run *run = g_new0 (Run, 1);

      run->parent = g_object_ref (task);
      run->shared = shared;
      run->lane = l;
      run->clock = dt_clock_new_system ();
      run->stage_timeout_ms = self->stage_timeout_ms;
      run->tls_database = self->tls_database ? g_object_ref (self->tls_database) : NULL;
      run->cancellable = g_object_ref (run_cancellable);
      run->peer_url = g_strdup (self->peer_url);
      run->peer_token = g_strdup (self->peer_token);
      run->soup = g_object_ref (soup);
      for (guint f = 0; f < 2; f++)
        run->peers[f] = self->peers[f] ? g_object_ref (self->peers[f]) : NULL;
      g_task_set_task_data (lane, run, (GDestroyNotify) run_free);
      /* The lane reports a cancel itself, as an error */
      g_task_set_check_cancellable (lane, FALSE);
      shared->lanes[l] = run;
      job_start (lane);
    }
  if (n_lanes == 0)
    run_maybe_done (task);
}

/**
 * dt_diag_runner_run_finish:
 * @self: a #DtDiagRunner
 * @result: the #GAsyncResult
 * @error: return location for a #GError: only %G_IO_ERROR_CANCELLED, since
 *   every failure of a server is part of the report
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 */
DtDiagReport *
dt_diag_runner_run_finish (DtDiagRunner  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (DT_IS_DIAG_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_diag_runner_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
