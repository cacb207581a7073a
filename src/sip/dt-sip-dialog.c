/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-dialog.c */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <string.h>

#include "dt-sip-dialog.h"

/*
 * DtSipUserAgent owns the transaction layer and every live DtSipDialog.
 * Requests the layer hands up are matched to a dialog by Call-ID, local
 * tag and remote tag (§12), or start a new incoming dialog (an INVITE), or
 * get their out-of-dialog answer. A dialog stays in the agent's list until
 * it is terminated and none of its client transactions is still running,
 * so every transaction callback and timer finds its dialog alive; the
 * user holds its own reference on top.
 *
 * Forking (§13.2.2.4, §19.3): a DtSipDialog on the calling side follows
 * the To tag of the latest provisional while early, and is confirmed by the
 * first 2xx. A 2xx carrying another To tag gets a hidden dialog of its own,
 * which is ACKed and then ended with a BYE at once, as §13.2.2.4 allows.
 *
 * Left out: 491 glare retries (a 491 to our re-INVITE is reported, the
 * caller retries), late offer on the calling side (the INVITE always
 * carries SDP), requests other than INVITE, ACK, CANCEL and BYE inside a
 * dialog (answered 501).
 */

#define ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, REFER"

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  DIALOG_RINGING,
  DIALOG_ANSWERED,
  DIALOG_FAILED,
  DIALOG_BYE,
  DIALOG_ACK,
  DIALOG_REINVITE,
  DIALOG_REINVITE_DONE,
  DIALOG_REQUEST,
  N_DIALOG_SIGNALS
};

static guint dialog_signals[N_DIALOG_SIGNALS];

enum {
  UA_INCOMING,
  UA_REQUEST,
  N_UA_SIGNALS
};

static guint ua_signals[N_UA_SIGNALS];

struct _DtSipUserAgent
{
  GObject                 parent_instance;

  DtClock             *clock;
  DtSipTimers             timers;
  DtSipTransactionLayer  *layer;
  DtSipUserAgentSendFunc  send_func;
  gpointer                user_data;

  char                   *transport;
  char                   *sent_by;
  char                   *contact_uri;
  gboolean                reliable;
  DtSipAuthClient        *auth;

  GPtrArray              *dialogs;   /* of DtSipDialog, owned */
};

struct _DtSipDialog
{
  GObject           parent_instance;

  DtSipUserAgent   *ua;              /* borrowed; NULL once released */
  DtClock       *clock;
  DtSipDialogState  state;
  gboolean          outgoing;
  gboolean          hidden;          /* an extra fork, kept to ACK and BYE */
  gboolean          secure;

  char             *call_id;
  char             *local_tag;
  char             *remote_tag;
  char             *local_header;    /* our From (UAC) or To (UAS), with tag */
  char             *remote_header;
  char             *remote_target;
  GPtrArray        *route_set;       /* of name-addr values, in sending order */
  guint32           local_cseq;
  guint32           remote_cseq;
  gboolean          remote_cseq_set;
  guint             n_pending;       /* client transactions still running */

  /* calling side */
  char             *request_uri;
  GBytes           *offer;
  DtSipMessage     *invite;          /* the first INVITE, sent or received */
  DtSipTransaction *invite_tx;
  gboolean          got_provisional;
  gboolean          cancel_requested;
  gboolean          cancel_pending;
  gboolean          auth_retried;
  DtSipMessage     *ack;             /* for the last 2xx, re-sent per retransmission */
  DtSipMessage     *reinvite;        /* ours, while in progress */

  /* answering side */
  DtSipTransaction *server_tx;       /* the INVITE or re-INVITE being answered */
  gboolean          reinvite_incoming;
  DtSipMessage     *response_2xx;    /* waiting for its ACK */
  guint32           response_2xx_cseq;
  guint             retransmit_timer;
  guint             retransmit_ms;
  guint             ack_timer;
  gboolean          bye_pending;
};

G_DEFINE_FINAL_TYPE (DtSipUserAgent, dt_sip_user_agent, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE (DtSipDialog, dt_sip_dialog, G_TYPE_OBJECT)

static void dialog_send_bye (DtSipDialog *self);
static gboolean ua_offer_request (DtSipUserAgent   *ua,
                                  DtSipTransaction *tx,
                                  DtSipMessage     *request);

/* --- helpers ----------------------------------------------------------- */

static char *
random_tag (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

static guint32
random_cseq (void)
{
  /* §8.1.1.5: below 2^31; kept well below so that it can grow. */
  return (guint32) g_random_int_range (1, 1 << 30);
}

static const char *
tag_or_empty (const char *tag)
{
  return tag ? tag : "";
}

static gboolean
uri_is_sip (const char *uri)
{
  return uri != NULL && (g_str_has_prefix (uri, "sip:") || g_str_has_prefix (uri, "sips:"));
}

/* The URI inside a name-addr value, or NULL. */
static char *
name_addr_uri (const char *value)
{
  g_autoptr(DtSipNameAddr) addr = NULL;

  if (value == NULL)
    return NULL;
  addr = dt_sip_name_addr_parse (value);
  if (addr == NULL || addr->wildcard || addr->uri == NULL)
    return NULL;
  return g_strdup (addr->uri);
}

/* §19.1.1: `lr` is a URI parameter, inside the angle brackets. */
static gboolean
uri_has_lr (const char *uri)
{
  g_auto(GStrv) parts = NULL;
  const char *headers = strchr (uri, '?');
  g_autofree char *plain = headers ? g_strndup (uri, headers - uri) : g_strdup (uri);

  parts = g_strsplit (plain, ";", -1);
  for (guint i = 1; parts[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (parts[i], "lr") == 0
          || g_ascii_strncasecmp (parts[i], "lr=", 3) == 0)
        return TRUE;
    }
  return FALSE;
}

static char *
header_with_tag (const char *value,
                 const char *tag)
{
  g_autoptr(DtSipNameAddr) addr = dt_sip_name_addr_parse (value);
  g_autofree char *display = NULL;

  if (addr == NULL || addr->wildcard || !uri_is_sip (addr->uri))
    return NULL;

  if (addr->display_name != NULL)
    {
      display = g_strdup (addr->display_name);
      g_strdelimit (display, "\"\\", ' ');
    }

  if (tag == NULL)
    return display ? g_strdup_printf ("\"%s\" <%s>", display, addr->uri)
                   : g_strdup_printf ("<%s>", addr->uri);
  return display ? g_strdup_printf ("\"%s\" <%s>;tag=%s", display, addr->uri, tag)
                 : g_strdup_printf ("<%s>;tag=%s", addr->uri, tag);
}

static guint32
message_cseq (DtSipMessage *message)
{
  guint32 number = 0;
  const char *method;

  dt_sip_message_get_cseq (message, &number, &method);
  return number;
}

static void
copy_headers (DtSipMessage *to,
              DtSipMessage *from,
              const char   *name)
{
  g_auto(GStrv) values = dt_sip_message_get_header_values (from, name);

  for (guint i = 0; values[i] != NULL; i++)
    dt_sip_message_append_header (to, name, values[i]);
}

static gboolean
ua_send (DtSipUserAgent *ua,
         DtSipMessage   *message,
         gpointer        peer)
{
  return ua->send_func (ua, message, peer, ua->user_data);
}

static char *
ua_new_via (DtSipUserAgent *ua)
{
  g_autofree char *branch = dt_sip_branch_new ();

  return g_strdup_printf ("SIP/2.0/%s %s;branch=%s;rport", ua->transport, ua->sent_by, branch);
}

static void
ua_add_contact (DtSipUserAgent *ua,
                DtSipMessage   *message)
{
  g_autofree char *contact = g_strdup_printf ("<%s>", ua->contact_uri);

  dt_sip_message_append_header (message, "Contact", contact);
}

static DtSipDialog *
ua_find_dialog (DtSipUserAgent *ua,
                const char     *call_id,
                const char     *local_tag,
                const char     *remote_tag)
{
  for (guint i = 0; i < ua->dialogs->len; i++)
    {
      DtSipDialog *dialog = g_ptr_array_index (ua->dialogs, i);

      if (dialog->remote_tag != NULL
          && g_strcmp0 (dialog->call_id, call_id) == 0
          && g_strcmp0 (dialog->local_tag, tag_or_empty (local_tag)) == 0
          && g_strcmp0 (dialog->remote_tag, tag_or_empty (remote_tag)) == 0)
        return dialog;
    }
  return NULL;
}

static DtSipDialog *
dialog_new (DtSipUserAgent *ua,
            gboolean        outgoing)
{
  DtSipDialog *self = g_object_new (DT_SIP_TYPE_DIALOG, NULL);

  self->ua = ua;
  self->clock = dt_clock_ref (ua->clock);
  self->outgoing = outgoing;
  self->local_cseq = random_cseq ();
  g_ptr_array_add (ua->dialogs, g_object_ref (self));
  return self;
}

static void
stop_timers (DtSipDialog *self)
{
  if (self->retransmit_timer != 0)
    dt_clock_remove (self->clock, self->retransmit_timer);
  if (self->ack_timer != 0)
    dt_clock_remove (self->clock, self->ack_timer);
  self->retransmit_timer = 0;
  self->ack_timer = 0;
}

/* Drops the agent's reference once nothing can call back into the dialog.
 * Callers hold a reference of their own. */
static void
maybe_release (DtSipDialog *self)
{
  DtSipUserAgent *ua = self->ua;

  if (ua == NULL || self->state != DT_SIP_DIALOG_STATE_TERMINATED || self->n_pending > 0)
    return;

  stop_timers (self);
  self->ua = NULL;
  g_ptr_array_remove (ua->dialogs, self);
}

static void
set_state (DtSipDialog      *self,
           DtSipDialogState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  if (state == DT_SIP_DIALOG_STATE_TERMINATED)
    {
      stop_timers (self);
      g_clear_pointer (&self->response_2xx, dt_sip_message_unref);
    }
  if (!self->hidden)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  maybe_release (self);
}

static void
fail (DtSipDialog *self,
      guint        code,
      const char  *reason)
{
  if (self->state == DT_SIP_DIALOG_STATE_TERMINATED)
    return;

  set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
  if (!self->hidden)
    g_signal_emit (self, dialog_signals[DIALOG_FAILED], 0, code, reason ? reason : "");
}

static void
on_tx_terminated (gpointer tx,
                  gpointer user_data)
{
  g_autoptr(DtSipDialog) self = g_object_ref (user_data);

  g_assert (self->n_pending > 0);
  self->n_pending--;
  maybe_release (self);
}

static DtSipTransaction *
dialog_send_request (DtSipDialog       *self,
                     DtSipMessage      *request,
                     DtSipResponseFunc  on_response,
                     GError           **error)
{
  DtSipTransaction *tx;

  tx = dt_sip_transaction_layer_send_request (self->ua->layer, request, NULL, self->ua->reliable,
                                              on_response, self, error);
  if (tx == NULL)
    return NULL;

  self->n_pending++;
  dt_sip_transaction_set_terminated_func (tx, on_tx_terminated, self);
  return tx;
}

/* §12.2.1.1 */
static DtSipMessage *
build_request (DtSipDialog *self,
               const char  *method,
               guint32      cseq)
{
  g_autoptr(GPtrArray) routes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *first_uri = NULL;
  g_autofree char *via = ua_new_via (self->ua);
  g_autofree char *cseq_value = g_strdup_printf ("%u %s", cseq, method);
  const char *request_uri = self->remote_target;
  DtSipMessage *request;

  if (self->route_set->len > 0)
    first_uri = name_addr_uri (g_ptr_array_index (self->route_set, 0));

  if (first_uri != NULL && !uri_has_lr (first_uri))
    {
      /* A strict router (RFC 2543) wants itself in the Request-URI and the
       * remote target as the last Route. */
      request_uri = first_uri;
      for (guint i = 1; i < self->route_set->len; i++)
        g_ptr_array_add (routes, g_strdup (g_ptr_array_index (self->route_set, i)));
      g_ptr_array_add (routes, g_strdup_printf ("<%s>", self->remote_target));
    }
  else
    {
      for (guint i = 0; i < self->route_set->len; i++)
        g_ptr_array_add (routes, g_strdup (g_ptr_array_index (self->route_set, i)));
    }

  request = dt_sip_message_new_request (method, request_uri);
  dt_sip_message_append_header (request, "Via", via);
  dt_sip_message_append_header (request, "Max-Forwards", "70");
  for (guint i = 0; i < routes->len; i++)
    dt_sip_message_append_header (request, "Route", g_ptr_array_index (routes, i));
  dt_sip_message_append_header (request, "From", self->local_header);
  dt_sip_message_append_header (request, "To", self->remote_header);
  dt_sip_message_append_header (request, "Call-ID", self->call_id);
  dt_sip_message_append_header (request, "CSeq", cseq_value);
  if (g_str_equal (method, "INVITE"))
    {
      ua_add_contact (self->ua, request);
      dt_sip_message_append_header (request, "Allow", ALLOW);
    }
  else if (g_str_equal (method, "REFER"))
    {
      /* RFC 3515 §2.4.1: a REFER sets up a subscription, so it names us. */
      ua_add_contact (self->ua, request);
    }
  return request;
}

static void
set_route_set (DtSipDialog  *self,
               DtSipMessage *message,
               gboolean      reverse)
{
  g_auto(GStrv) values = dt_sip_message_get_header_values (message, "Record-Route");
  guint n = g_strv_length (values);

  g_ptr_array_set_size (self->route_set, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->route_set, g_strdup (values[reverse ? n - 1 - i : i]));
}

static void
update_remote_target (DtSipDialog  *self,
                      DtSipMessage *message)
{
  g_autofree char *target = name_addr_uri (dt_sip_message_get_header (message, "Contact"));

  if (uri_is_sip (target))
    {
      g_free (self->remote_target);
      self->remote_target = g_steal_pointer (&target);
    }
}

/* §12.1.2: the calling side's view of a dialog set up by a response. */
static void
take_response (DtSipDialog  *self,
               DtSipMessage *response)
{
  g_free (self->remote_tag);
  self->remote_tag = g_strdup (tag_or_empty (dt_sip_message_get_to_tag (response)));
  g_free (self->remote_header);
  self->remote_header = g_strdup (dt_sip_message_get_header (response, "To"));
  update_remote_target (self, response);
  set_route_set (self, response, TRUE);
}

/* §13.2.2.4: an ACK of its own for each 2xx, with the INVITE's CSeq number
 * and credentials. */
static DtSipMessage *
build_2xx_ack (DtSipDialog  *self,
               DtSipMessage *invite)
{
  DtSipMessage *ack = build_request (self, "ACK", message_cseq (invite));

  copy_headers (ack, invite, "Authorization");
  copy_headers (ack, invite, "Proxy-Authorization");
  return ack;
}

static void
send_ack (DtSipDialog  *self,
          DtSipMessage *invite)
{
  g_clear_pointer (&self->ack, dt_sip_message_unref);
  self->ack = build_2xx_ack (self, invite);
  ua_send (self->ua, self->ack, NULL);
}

/* --- calling side ---------------------------------------------------- */

static DtSipMessage *
build_initial_invite (DtSipDialog *self)
{
  g_autofree char *via = ua_new_via (self->ua);
  g_autofree char *cseq = g_strdup_printf ("%u INVITE", self->local_cseq);
  DtSipMessage *invite = dt_sip_message_new_request ("INVITE", self->request_uri);

  dt_sip_message_append_header (invite, "Via", via);
  dt_sip_message_append_header (invite, "Max-Forwards", "70");
  dt_sip_message_append_header (invite, "From", self->local_header);
  dt_sip_message_append_header (invite, "To", self->remote_header);
  dt_sip_message_append_header (invite, "Call-ID", self->call_id);
  dt_sip_message_append_header (invite, "CSeq", cseq);
  ua_add_contact (self->ua, invite);
  dt_sip_message_append_header (invite, "Allow", ALLOW);
  if (self->offer != NULL)
    dt_sip_message_set_body (invite, "application/sdp", self->offer);
  return invite;
}

/* §9.1 */
static void
send_cancel (DtSipDialog *self)
{
  g_autoptr(DtSipMessage) cancel = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) vias = dt_sip_message_get_header_values (self->invite, "Via");
  g_autofree char *cseq = g_strdup_printf ("%u CANCEL", message_cseq (self->invite));

  self->cancel_pending = FALSE;
  cancel = dt_sip_message_new_request ("CANCEL", dt_sip_message_get_request_uri (self->invite));
  dt_sip_message_append_header (cancel, "Via", vias[0]);
  dt_sip_message_append_header (cancel, "Max-Forwards", "70");
  copy_headers (cancel, self->invite, "Route");
  dt_sip_message_append_header (cancel, "From", dt_sip_message_get_header (self->invite, "From"));
  dt_sip_message_append_header (cancel, "To", dt_sip_message_get_header (self->invite, "To"));
  dt_sip_message_append_header (cancel, "Call-ID", self->call_id);
  dt_sip_message_append_header (cancel, "CSeq", cseq);

  if (dialog_send_request (self, cancel, NULL, &error) == NULL)
    g_debug ("CANCEL not sent: %s", error->message);
}

static void on_invite_response (DtSipTransaction *tx,
                                DtSipMessage     *response,
                                gpointer          user_data);

static gboolean
retry_with_credentials (DtSipDialog  *self,
                        DtSipMessage *response)
{
  guint code = dt_sip_message_get_status_code (response);
  DtSipAuthHeader header = code == 401 ? DT_SIP_AUTH_HEADER_WWW : DT_SIP_AUTH_HEADER_PROXY;
  g_auto(GStrv) challenges = NULL;
  g_auto(GStrv) www = NULL;
  g_auto(GStrv) proxy = NULL;
  g_autoptr(DtSipMessage) invite = NULL;
  g_autoptr(GError) error = NULL;
  DtSipTransaction *tx;

  if (self->ua->auth == NULL || self->auth_retried || self->cancel_requested)
    return FALSE;

  challenges = dt_sip_message_get_header_values (response, code == 401 ? "WWW-Authenticate"
                                                                        : "Proxy-Authenticate");
  if (dt_sip_auth_client_handle_challenges (self->ua->auth, header,
                                            (const char * const *) challenges, &error)
      != DT_SIP_AUTH_CLIENT_RETRY)
    {
      g_debug ("INVITE challenge not answered: %s", error ? error->message : "");
      return FALSE;
    }

  /* §22.2: the same Call-ID and From tag, a new CSeq and branch. */
  self->auth_retried = TRUE;
  self->local_cseq++;
  invite = build_initial_invite (self);
  www = dt_sip_auth_client_authorize (self->ua->auth, DT_SIP_AUTH_HEADER_WWW, "INVITE",
                                      self->request_uri);
  proxy = dt_sip_auth_client_authorize (self->ua->auth, DT_SIP_AUTH_HEADER_PROXY, "INVITE",
                                        self->request_uri);
  for (guint i = 0; www[i] != NULL; i++)
    dt_sip_message_append_header (invite, "Authorization", www[i]);
  for (guint i = 0; proxy[i] != NULL; i++)
    dt_sip_message_append_header (invite, "Proxy-Authorization", proxy[i]);

  tx = dialog_send_request (self, invite, on_invite_response, &error);
  if (tx == NULL)
    {
      g_debug ("INVITE not resent: %s", error->message);
      return FALSE;
    }

  g_clear_pointer (&self->invite, dt_sip_message_unref);
  self->invite = g_steal_pointer (&invite);
  g_clear_pointer (&self->invite_tx, dt_sip_transaction_unref);
  self->invite_tx = dt_sip_transaction_ref (tx);
  self->got_provisional = FALSE;
  return TRUE;
}

/* §13.2.2.4: a 2xx from a fork other than the one the dialog follows. */
static void
answer_extra_fork (DtSipDialog  *self,
                   DtSipMessage *response)
{
  g_autoptr(DtSipDialog) fork = dialog_new (self->ua, TRUE);

  fork->hidden = TRUE;
  fork->secure = self->secure;
  fork->call_id = g_strdup (self->call_id);
  fork->local_tag = g_strdup (self->local_tag);
  fork->local_header = g_strdup (self->local_header);
  fork->remote_target = g_strdup (self->remote_target);
  fork->local_cseq = self->local_cseq;
  take_response (fork, response);
  fork->state = DT_SIP_DIALOG_STATE_CONFIRMED;
  send_ack (fork, self->invite);
  dialog_send_bye (fork);
}

static void
on_invite_2xx (DtSipDialog  *self,
               DtSipMessage *response)
{
  const char *tag = tag_or_empty (dt_sip_message_get_to_tag (response));

  if (self->state == DT_SIP_DIALOG_STATE_CONFIRMED
      || self->state == DT_SIP_DIALOG_STATE_TERMINATED)
    {
      if (g_strcmp0 (self->remote_tag, tag) == 0)
        {
          /* A retransmission: the ACK was lost (§13.2.2.4). */
          if (self->ack != NULL && message_cseq (self->ack) == message_cseq (response))
            ua_send (self->ua, self->ack, NULL);
        }
      else
        {
          answer_extra_fork (self, response);
        }
      return;
    }

  take_response (self, response);
  send_ack (self, self->invite);
  set_state (self, DT_SIP_DIALOG_STATE_CONFIRMED);
  if (self->ua->auth != NULL && self->auth_retried)
    dt_sip_auth_client_accepted (self->ua->auth);

  if (self->cancel_requested)
    {
      /* §9.1, §15: the 2xx crossed our CANCEL; end the call it set up. */
      dialog_send_bye (self);
      g_signal_emit (self, dialog_signals[DIALOG_FAILED], 0, 487, "Request Terminated");
      return;
    }

  g_signal_emit (self, dialog_signals[DIALOG_ANSWERED], 0, dt_sip_message_get_body (response));
}

static void
on_invite_response (DtSipTransaction *tx,
                    DtSipMessage     *response,
                    gpointer          user_data)
{
  g_autoptr(DtSipDialog) self = g_object_ref (user_data);
  guint code;

  if (self->ua == NULL)
    return;

  if (response == NULL)
    {
      if (tx == self->invite_tx)
        {
          gboolean transport = dt_sip_transaction_get_end (tx)
                               == DT_SIP_TRANSACTION_END_TRANSPORT_ERROR;

          fail (self, transport ? 503 : 408, transport ? "Service Unavailable"
                                                      : "Request Timeout");
        }
      return;
    }

  code = dt_sip_message_get_status_code (response);

  if (code >= 200 && code < 300)
    {
      on_invite_2xx (self, response);
      return;
    }

  if (tx != self->invite_tx || self->state == DT_SIP_DIALOG_STATE_TERMINATED)
    return;

  if (code < 200)
    {
      const char *tag = dt_sip_message_get_to_tag (response);

      self->got_provisional = TRUE;
      if (self->cancel_pending)
        send_cancel (self);
      if (code == 100)
        return;

      /* §12.1.2: a tagged provisional makes an early dialog. */
      if (tag != NULL && self->state != DT_SIP_DIALOG_STATE_CONFIRMED)
        {
          take_response (self, response);
          set_state (self, DT_SIP_DIALOG_STATE_EARLY);
        }
      g_signal_emit (self, dialog_signals[DIALOG_RINGING], 0, code,
                     dt_sip_message_get_reason (response), dt_sip_message_get_body (response));
      return;
    }

  if ((code == 401 || code == 407) && retry_with_credentials (self, response))
    return;

  if (self->ua->auth != NULL && self->auth_retried && code != 401 && code != 407)
    dt_sip_auth_client_accepted (self->ua->auth);

  fail (self, code, dt_sip_message_get_reason (response));
}

static void
on_bye_response (DtSipTransaction *tx,
                 DtSipMessage     *response,
                 gpointer          user_data)
{
  /* §15.1.1: the session is over whatever the answer. */
}

static void
dialog_send_bye (DtSipDialog *self)
{
  g_autoptr(DtSipMessage) bye = build_request (self, "BYE", ++self->local_cseq);
  g_autoptr(GError) error = NULL;

  self->bye_pending = FALSE;
  if (dialog_send_request (self, bye, on_bye_response, &error) == NULL)
    g_debug ("BYE not sent: %s", error->message);
  set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
}

static void
on_reinvite_response (DtSipTransaction *tx,
                      DtSipMessage     *response,
                      gpointer          user_data)
{
  g_autoptr(DtSipDialog) self = g_object_ref (user_data);
  guint code;

  if (self->ua == NULL)
    return;

  if (response == NULL)
    {
      if (self->reinvite != NULL && dt_sip_transaction_get_request (tx) == self->reinvite)
        {
          g_clear_pointer (&self->reinvite, dt_sip_message_unref);
          g_signal_emit (self, dialog_signals[DIALOG_REINVITE_DONE], 0, 408, NULL);
        }
      return;
    }

  code = dt_sip_message_get_status_code (response);
  if (code < 200)
    return;

  if (code < 300)
    {
      DtSipMessage *invite = dt_sip_transaction_get_request (tx);

      if (self->reinvite == NULL || invite != self->reinvite)
        {
          if (self->ack != NULL && message_cseq (self->ack) == message_cseq (response)
              && self->state != DT_SIP_DIALOG_STATE_TERMINATED)
            ua_send (self->ua, self->ack, NULL);
          return;
        }

      /* §12.2.1.2: the 2xx to a target refresh replaces the remote target. */
      update_remote_target (self, response);
      if (self->state != DT_SIP_DIALOG_STATE_TERMINATED)
        send_ack (self, invite);
      g_clear_pointer (&self->reinvite, dt_sip_message_unref);
      g_signal_emit (self, dialog_signals[DIALOG_REINVITE_DONE], 0, code,
                     dt_sip_message_get_body (response));
      return;
    }

  if (self->reinvite == NULL || dt_sip_transaction_get_request (tx) != self->reinvite)
    return;

  /* §14.1: a failed re-INVITE leaves the session as it was. */
  g_clear_pointer (&self->reinvite, dt_sip_message_unref);
  g_signal_emit (self, dialog_signals[DIALOG_REINVITE_DONE], 0, code, NULL);

  /* §12.2.1.2: the dialog is gone on the far side. */
  if (code == 481 || code == 408)
    fail (self, code, dt_sip_message_get_reason (response));
}

/* --- answering side -------------------------------------------------- */

static gboolean
respond (DtSipTransaction *tx,
         DtSipMessage     *response)
{
  g_autoptr(GError) error = NULL;

  if (!dt_sip_transaction_respond (tx, response, &error))
    {
      g_debug ("Response %u not sent: %s", dt_sip_message_get_status_code (response),
               error->message);
      return FALSE;
    }
  return TRUE;
}

static void
respond_simple (DtSipTransaction *tx,
                DtSipMessage     *request,
                guint             code,
                const char       *reason,
                const char       *to_tag)
{
  g_autoptr(DtSipMessage) response = NULL;
  g_autofree char *tag = NULL;

  /* §8.2.6.2: every final response carries a To tag. */
  if (to_tag == NULL && dt_sip_message_get_to_tag (request) == NULL)
    to_tag = tag = random_tag ();
  response = dt_sip_message_new_response_for (request, code, reason,
                                              dt_sip_message_get_to_tag (request) ? NULL : to_tag);
  /* §8.2.1, §11.2 */
  if (code == 405 || g_str_equal (dt_sip_message_get_method (request), "OPTIONS"))
    dt_sip_message_append_header (response, "Allow", ALLOW);
  respond (tx, response);
}

static DtSipMessage *
build_uas_response (DtSipDialog  *self,
                    guint         code,
                    const char   *reason,
                    GBytes       *sdp)
{
  DtSipMessage *request = dt_sip_transaction_get_request (self->server_tx);
  DtSipMessage *response;

  response = dt_sip_message_new_response_for (request, code, reason,
                                              dt_sip_message_get_to_tag (request)
                                              ? NULL : self->local_tag);
  if (code < 300)
    {
      /* §12.1.1: Record-Route and Contact in dialog-making responses. */
      copy_headers (response, request, "Record-Route");
      ua_add_contact (self->ua, response);
      dt_sip_message_append_header (response, "Allow", ALLOW);
    }
  if (sdp != NULL)
    dt_sip_message_set_body (response, "application/sdp", sdp);
  return response;
}

static void
on_2xx_retransmit (gpointer user_data)
{
  DtSipDialog *self = user_data;

  self->retransmit_timer = 0;
  if (self->response_2xx == NULL || self->ua == NULL)
    return;

  /* §13.3.1.4: through the transaction while it lingers in Accepted, else
   * straight to the transport. */
  if (dt_sip_transaction_get_state (self->server_tx) == DT_SIP_TRANSACTION_ACCEPTED)
    respond (self->server_tx, self->response_2xx);
  else
    ua_send (self->ua, self->response_2xx, dt_sip_transaction_get_peer (self->server_tx));

  self->retransmit_ms = MIN (self->retransmit_ms * 2, self->ua->timers.t2_ms);
  self->retransmit_timer = dt_clock_add (self->clock, self->retransmit_ms,
                                             on_2xx_retransmit, self);
}

static void
on_ack_timeout (gpointer user_data)
{
  g_autoptr(DtSipDialog) self = g_object_ref (user_data);

  self->ack_timer = 0;
  if (self->retransmit_timer != 0)
    dt_clock_remove (self->clock, self->retransmit_timer);
  self->retransmit_timer = 0;
  g_clear_pointer (&self->response_2xx, dt_sip_message_unref);

  /* §13.3.1.4: no ACK within 64·T1 ends the dialog with a BYE. */
  dialog_send_bye (self);
  if (!self->hidden)
    g_signal_emit (self, dialog_signals[DIALOG_FAILED], 0, 408, "No ACK received");
}

static void
start_2xx_retransmit (DtSipDialog  *self,
                      DtSipMessage *response)
{
  stop_timers (self);
  g_clear_pointer (&self->response_2xx, dt_sip_message_unref);
  self->response_2xx = dt_sip_message_ref (response);
  self->response_2xx_cseq = message_cseq (response);
  self->retransmit_ms = self->ua->timers.t1_ms;
  self->retransmit_timer = dt_clock_add (self->clock, self->retransmit_ms,
                                             on_2xx_retransmit, self);
  self->ack_timer = dt_clock_add (self->clock, 64 * self->ua->timers.t1_ms,
                                      on_ack_timeout, self);
}

static void
on_ack (DtSipDialog  *self,
        DtSipMessage *ack)
{
  if (self->response_2xx == NULL || message_cseq (ack) != self->response_2xx_cseq)
    return;

  stop_timers (self);
  g_clear_pointer (&self->response_2xx, dt_sip_message_unref);
  g_signal_emit (self, dialog_signals[DIALOG_ACK], 0, dt_sip_message_get_body (ack));

  /* §15: a BYE asked for before the ACK waits for it. */
  if (self->bye_pending && self->state == DT_SIP_DIALOG_STATE_CONFIRMED)
    dialog_send_bye (self);
}

static void
handle_in_dialog (DtSipDialog      *self,
                  DtSipTransaction *tx,
                  DtSipMessage     *request)
{
  const char *method = dt_sip_message_get_method (request);
  guint32 cseq = message_cseq (request);

  /* §12.2.2: requests out of order are refused. */
  if (self->remote_cseq_set && cseq < self->remote_cseq)
    {
      respond_simple (tx, request, 500, "Server Internal Error", NULL);
      return;
    }
  self->remote_cseq = cseq;
  self->remote_cseq_set = TRUE;

  if (g_str_equal (method, "BYE"))
    {
      DtSipDialogState state = self->state;

      respond_simple (tx, request, 200, "OK", NULL);
      /* §15.1.2: a BYE on an early dialog ends the pending INVITE too. */
      if (!self->outgoing && self->server_tx != NULL
          && dt_sip_transaction_get_state (self->server_tx) == DT_SIP_TRANSACTION_PROCEEDING)
        {
          g_autoptr(DtSipMessage) terminated = build_uas_response (self, 487,
                                                                   "Request Terminated", NULL);
          respond (self->server_tx, terminated);
        }
      if (state == DT_SIP_DIALOG_STATE_TERMINATED)
        return;
      set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
      g_signal_emit (self, dialog_signals[DIALOG_BYE], 0);
      return;
    }

  if (g_str_equal (method, "INVITE"))
    {
      if (self->state != DT_SIP_DIALOG_STATE_CONFIRMED || self->hidden)
        {
          respond_simple (tx, request, 481, "Call/Transaction Does Not Exist", NULL);
          return;
        }
      if (self->reinvite != NULL)
        {
          /* §14.2: glare. */
          respond_simple (tx, request, 491, "Request Pending", NULL);
          return;
        }
      if (self->reinvite_incoming || self->response_2xx != NULL)
        {
          g_autoptr(DtSipMessage) response = NULL;

          /* §14.2: the previous INVITE is not done yet. */
          response = dt_sip_message_new_response_for (request, 500, "Server Internal Error",
                                                      NULL);
          dt_sip_message_append_header (response, "Retry-After", "1");
          respond (tx, response);
          return;
        }

      /* §12.2.2: a target refresh replaces the remote target. */
      update_remote_target (self, request);
      g_clear_pointer (&self->server_tx, dt_sip_transaction_unref);
      self->server_tx = dt_sip_transaction_ref (tx);
      self->reinvite_incoming = TRUE;
      g_signal_emit (self, dialog_signals[DIALOG_REINVITE], 0, dt_sip_message_get_body (request));
      return;
    }

  {
    gboolean handled = FALSE;

    /* REFER, NOTIFY and the rest belong to whoever uses the dialog. */
    g_signal_emit (self, dialog_signals[DIALOG_REQUEST], 0, tx, request, &handled);
    if (handled)
      return;
  }
  respond_simple (tx, request, 501, "Not Implemented", NULL);
}

/* §9.2 */
static void
handle_cancel (DtSipUserAgent   *ua,
               DtSipTransaction *tx,
               DtSipMessage     *cancel)
{
  DtSipTransaction *invite_tx = dt_sip_transaction_layer_find_invite (ua->layer, cancel);
  g_autoptr(DtSipDialog) dialog = NULL;

  if (invite_tx == NULL)
    {
      respond_simple (tx, cancel, 481, "Call/Transaction Does Not Exist", NULL);
      return;
    }

  for (guint i = 0; i < ua->dialogs->len; i++)
    {
      DtSipDialog *candidate = g_ptr_array_index (ua->dialogs, i);

      if (candidate->server_tx == invite_tx)
        dialog = g_object_ref (candidate);
    }

  respond_simple (tx, cancel, 200, "OK", dialog ? dialog->local_tag : NULL);

  if (dt_sip_transaction_get_state (invite_tx) != DT_SIP_TRANSACTION_PROCEEDING)
    return;

  if (dialog != NULL)
    {
      g_autoptr(DtSipMessage) terminated = build_uas_response (dialog, 487, "Request Terminated",
                                                               NULL);

      respond (invite_tx, terminated);
      if (dialog->reinvite_incoming)
        {
          dialog->reinvite_incoming = FALSE;
          return;
        }
      fail (dialog, 487, "Request Terminated");
    }
  else
    {
      respond_simple (invite_tx, dt_sip_transaction_get_request (invite_tx), 487,
                      "Request Terminated", NULL);
    }
}

static void
handle_new_invite (DtSipUserAgent   *ua,
                   DtSipTransaction *tx,
                   DtSipMessage     *invite)
{
  g_autoptr(DtSipDialog) self = NULL;
  g_autofree char *target = name_addr_uri (dt_sip_message_get_header (invite, "Contact"));
  const char *to = dt_sip_message_get_header (invite, "To");
  g_autofree char *local_tag = random_tag ();
  g_autofree char *local_header = to ? header_with_tag (to, local_tag) : NULL;

  if (!uri_is_sip (target) || local_header == NULL)
    {
      respond_simple (tx, invite, 400, "Bad Contact or To", NULL);
      return;
    }

  /* §12.1.1 */
  self = dialog_new (ua, FALSE);
  self->call_id = g_strdup (dt_sip_message_get_call_id (invite));
  self->local_tag = g_steal_pointer (&local_tag);
  self->remote_tag = g_strdup (tag_or_empty (dt_sip_message_get_from_tag (invite)));
  self->local_header = g_steal_pointer (&local_header);
  self->remote_header = g_strdup (dt_sip_message_get_header (invite, "From"));
  self->remote_target = g_steal_pointer (&target);
  self->remote_cseq = message_cseq (invite);
  self->remote_cseq_set = TRUE;
  self->secure = g_str_has_prefix (dt_sip_message_get_request_uri (invite), "sips:");
  self->server_tx = dt_sip_transaction_ref (tx);
  self->invite = dt_sip_message_ref (invite);
  set_route_set (self, invite, FALSE);

  if (!g_signal_has_handler_pending (ua, ua_signals[UA_INCOMING], 0, FALSE))
    {
      dt_sip_dialog_reject (self, 480, "Temporarily Unavailable", NULL);
      return;
    }
  g_signal_emit (ua, ua_signals[UA_INCOMING], 0, self, dt_sip_message_get_body (invite));
}

static void
layer_request (DtSipTransactionLayer *layer,
               DtSipTransaction      *tx,
               DtSipMessage          *request,
               gpointer               peer,
               gpointer               user_data)
{
  DtSipUserAgent *ua = user_data;
  const char *method = dt_sip_message_get_method (request);
  g_autoptr(DtSipDialog) dialog = NULL;

  if (g_str_equal (method, "CANCEL"))
    {
      if (tx != NULL)
        handle_cancel (ua, tx, request);
      return;
    }

  if (dt_sip_message_get_to_tag (request) != NULL)
    {
      dialog = ua_find_dialog (ua, dt_sip_message_get_call_id (request),
                               dt_sip_message_get_to_tag (request),
                               dt_sip_message_get_from_tag (request));
      if (dialog != NULL)
        g_object_ref (dialog);
    }

  if (tx == NULL || g_str_equal (method, "ACK"))
    {
      if (dialog != NULL)
        on_ack (dialog, request);
      return;
    }

  if (dialog != NULL)
    {
      handle_in_dialog (dialog, tx, request);
      return;
    }

  /* §12.2.2: a request with a To tag for a dialog unknown here, unless it
   * belongs to a dialog someone else keeps (a subscription's NOTIFY). */
  if (dt_sip_message_get_to_tag (request) != NULL && !g_str_equal (method, "BYE")
      && ua_offer_request (ua, tx, request))
    return;
  if (dt_sip_message_get_to_tag (request) != NULL || g_str_equal (method, "BYE"))
    {
      respond_simple (tx, request, 481, "Call/Transaction Does Not Exist", NULL);
      return;
    }

  if (g_str_equal (method, "INVITE"))
    handle_new_invite (ua, tx, request);
  else if (ua_offer_request (ua, tx, request))
    return;
  else if (g_str_equal (method, "OPTIONS"))
    respond_simple (tx, request, 200, "OK", NULL);
  else
    respond_simple (tx, request, 405, "Method Not Allowed", NULL);
}

/* Requests outside INVITE dialogs that the agent does not answer itself
 * (NOTIFY, MESSAGE, OPTIONS) go to the ::request handlers first. */
static gboolean
ua_offer_request (DtSipUserAgent   *ua,
                  DtSipTransaction *tx,
                  DtSipMessage     *request)
{
  gboolean handled = FALSE;

  g_signal_emit (ua, ua_signals[UA_REQUEST], 0, tx, request, &handled);
  return handled;
}

static void
layer_stray_response (DtSipTransactionLayer *layer,
                      DtSipMessage          *response,
                      gpointer               peer,
                      gpointer               user_data)
{
  DtSipUserAgent *ua = user_data;
  guint code = dt_sip_message_get_status_code (response);
  const char *call_id = dt_sip_message_get_call_id (response);
  const char *method = NULL;
  guint32 cseq = 0;
  DtSipDialog *dialog;

  if (code < 200 || code >= 300 || !dt_sip_message_get_cseq (response, &cseq, &method)
      || !g_str_equal (method, "INVITE"))
    return;

  /* §13.2.2.4: a 2xx retransmitted after the INVITE transaction ended. */
  dialog = ua_find_dialog (ua, call_id, dt_sip_message_get_from_tag (response),
                           dt_sip_message_get_to_tag (response));
  if (dialog != NULL)
    {
      if (dialog->ack != NULL && message_cseq (dialog->ack) == cseq)
        ua_send (ua, dialog->ack, NULL);
      return;
    }

  for (guint i = 0; i < ua->dialogs->len; i++)
    {
      DtSipDialog *parent = g_ptr_array_index (ua->dialogs, i);

      if (parent->outgoing && !parent->hidden && parent->invite != NULL
          && g_strcmp0 (parent->call_id, call_id) == 0
          && g_strcmp0 (parent->local_tag, dt_sip_message_get_from_tag (response)) == 0
          && message_cseq (parent->invite) == cseq)
        {
          g_autoptr(DtSipDialog) held = g_object_ref (parent);

          answer_extra_fork (held, response);
          return;
        }
    }
}

static gboolean
layer_send (DtSipTransactionLayer *layer,
            DtSipMessage          *message,
            gpointer               peer,
            gpointer               user_data)
{
  return ua_send (user_data, message, peer);
}

static const DtSipTransactionLayerCallbacks layer_callbacks = {
  layer_send, layer_request, layer_stray_response,
};

/* --- DtSipDialog ------------------------------------------------------- */

static void
dt_sip_dialog_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DtSipDialog *self = DT_SIP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_sip_dialog_finalize (GObject *object)
{
  DtSipDialog *self = DT_SIP_DIALOG (object);

  stop_timers (self);
  dt_clock_unref (self->clock);
  g_free (self->call_id);
  g_free (self->local_tag);
  g_free (self->remote_tag);
  g_free (self->local_header);
  g_free (self->remote_header);
  g_free (self->remote_target);
  g_ptr_array_unref (self->route_set);
  g_free (self->request_uri);
  g_clear_pointer (&self->offer, g_bytes_unref);
  g_clear_pointer (&self->invite, dt_sip_message_unref);
  g_clear_pointer (&self->invite_tx, dt_sip_transaction_unref);
  g_clear_pointer (&self->ack, dt_sip_message_unref);
  g_clear_pointer (&self->reinvite, dt_sip_message_unref);
  g_clear_pointer (&self->server_tx, dt_sip_transaction_unref);
  g_clear_pointer (&self->response_2xx, dt_sip_message_unref);

  G_OBJECT_CLASS (dt_sip_dialog_parent_class)->finalize (object);
}

static void
dt_sip_dialog_class_init (DtSipDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = dt_sip_dialog_get_property;
  object_class->finalize = dt_sip_dialog_finalize;

  /**
   * DtSipDialog:state:
   *
   * The #DtSipDialogState.
   */
  props[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      DT_SIP_DIALOG_STATE_NONE, DT_SIP_DIALOG_STATE_TERMINATED,
                      DT_SIP_DIALOG_STATE_NONE,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * DtSipDialog::ringing:
   * @code: the provisional status code (180, 183…)
   * @reason: its reason phrase
   * @sdp: (nullable): early media SDP
   *
   * A provisional response other than 100 reached an outgoing call.
   */
  dialog_signals[DIALOG_RINGING] =
    g_signal_new ("ringing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_BYTES);

  /**
   * DtSipDialog::answered:
   * @sdp: (nullable): the answer
   *
   * An outgoing call got its 2xx and the ACK has gone.
   */
  dialog_signals[DIALOG_ANSWERED] =
    g_signal_new ("answered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * DtSipDialog::failed:
   * @code: the final status code, or 408/503 for a timeout or transport error
   * @reason: the reason phrase
   *
   * The call ended without the other side's BYE: rejected, cancelled (487),
   * timed out, or never acknowledged (408 after the dialog's own BYE).
   */
  dialog_signals[DIALOG_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * DtSipDialog::bye:
   *
   * The other side hung up.
   */
  dialog_signals[DIALOG_BYE] =
    g_signal_new ("bye", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * DtSipDialog::ack:
   * @sdp: (nullable): the body of the ACK (the answer after a late offer)
   *
   * The ACK for our 2xx arrived.
   */
  dialog_signals[DIALOG_ACK] =
    g_signal_new ("ack", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * DtSipDialog::reinvite:
   * @sdp: (nullable): the new offer
   *
   * The other side sent a re-INVITE; answer it with
   * dt_sip_dialog_answer_reinvite().
   */
  dialog_signals[DIALOG_REINVITE] =
    g_signal_new ("reinvite", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BYTES);

  /**
   * DtSipDialog::reinvite-done:
   * @code: the final status code (408 on timeout)
   * @sdp: (nullable): the answer, with a 2xx
   *
   * Our re-INVITE got its final response. On a 491 the caller may retry
   * after the delay of §14.1.
   */
  dialog_signals[DIALOG_REINVITE_DONE] =
    g_signal_new ("reinvite-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BYTES);
  /**
   * DtSipDialog::request:
   * @tx: the server transaction to answer with dt_sip_transaction_respond()
   * @request: a request in the dialog other than INVITE, ACK, CANCEL or BYE
   *
   * A REFER, NOTIFY, INFO or similar arrived in the dialog. A handler that
   * answers it returns %TRUE; otherwise the dialog answers 501.
   *
   * Returns: %TRUE when the request was answered
   */
  dialog_signals[DIALOG_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, DT_TYPE_SIP_TRANSACTION, DT_TYPE_SIP_MESSAGE);
}

static void
dt_sip_dialog_init (DtSipDialog *self)
{
  self->route_set = g_ptr_array_new_with_free_func (g_free);
}

/* --- DtSipUserAgent ---------------------------------------------------- */

static void
dt_sip_user_agent_dispose (GObject *object)
{
  DtSipUserAgent *self = DT_SIP_USER_AGENT (object);

  /* The layer goes first: freeing it calls nothing back. */
  g_clear_pointer (&self->layer, dt_sip_transaction_layer_free);
  if (self->dialogs != NULL)
    {
      for (guint i = 0; i < self->dialogs->len; i++)
        {
          DtSipDialog *dialog = g_ptr_array_index (self->dialogs, i);

          stop_timers (dialog);
          dialog->ua = NULL;
        }
      g_clear_pointer (&self->dialogs, g_ptr_array_unref);
    }
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (dt_sip_user_agent_parent_class)->dispose (object);
}

static void
dt_sip_user_agent_finalize (GObject *object)
{
  DtSipUserAgent *self = DT_SIP_USER_AGENT (object);

  g_clear_pointer (&self->clock, dt_clock_unref);
  g_free (self->transport);
  g_free (self->sent_by);
  g_free (self->contact_uri);

  G_OBJECT_CLASS (dt_sip_user_agent_parent_class)->finalize (object);
}

static void
dt_sip_user_agent_class_init (DtSipUserAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_sip_user_agent_dispose;
  object_class->finalize = dt_sip_user_agent_finalize;

  /**
   * DtSipUserAgent::incoming:
   * @dialog: the new incoming call, in state %DT_SIP_DIALOG_STATE_NONE
   * @sdp: (nullable): the offer
   *
   * A new INVITE arrived. Keep a reference to @dialog and answer it with
   * dt_sip_dialog_ring(), dt_sip_dialog_accept() or dt_sip_dialog_reject().
   * Without a handler the INVITE is refused with 480.
   */
  ua_signals[UA_INCOMING] =
    g_signal_new ("incoming", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DT_SIP_TYPE_DIALOG, G_TYPE_BYTES);

  /**
   * DtSipUserAgent::request:
   * @tx: the server transaction to answer with dt_sip_transaction_respond()
   * @request: the request
   *
   * A request outside any INVITE dialog: a NOTIFY (in a subscription's
   * dialog or unsolicited), MESSAGE, OPTIONS or another method. A handler
   * that answers it returns %TRUE; when none does, the agent answers OPTIONS
   * with 200, a request with an unknown To tag with 481, and the rest with
   * 405.
   *
   * Returns: %TRUE when the request was answered
   */
  ua_signals[UA_REQUEST] =
    g_signal_new ("request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 2, DT_TYPE_SIP_TRANSACTION, DT_TYPE_SIP_MESSAGE);
}

static void
dt_sip_user_agent_init (DtSipUserAgent *self)
{
  self->dialogs = g_ptr_array_new_with_free_func (g_object_unref);
  self->transport = g_strdup ("UDP");
  self->sent_by = g_strdup ("127.0.0.1");
  self->contact_uri = g_strdup ("sip:127.0.0.1");
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_user_agent_new:
 * @clock: where the transaction and dialog timers run
 * @timers: (nullable): T1, T2 and T4; %NULL for RFC 3261's defaults
 * @send_func: puts messages on the wire
 * @peer_free: (nullable): frees the transport's peer handles
 * @user_data: passed to @send_func
 *
 * Creates a user agent core with a transaction layer of its own.
 *
 * Returns: (transfer full): the user agent
 */
DtSipUserAgent *
dt_sip_user_agent_new (DtClock             *clock,
                       const DtSipTimers      *timers,
                       DtSipUserAgentSendFunc  send_func,
                       GDestroyNotify          peer_free,
                       gpointer                user_data)
{
  DtSipUserAgent *self;

  g_return_val_if_fail (clock != NULL, NULL);
  g_return_val_if_fail (send_func != NULL, NULL);

  self = g_object_new (DT_SIP_TYPE_USER_AGENT, NULL);
  self->clock = dt_clock_ref (clock);
  self->timers = timers ? *timers
                        : (DtSipTimers) { DT_SIP_T1_MS, DT_SIP_T2_MS, DT_SIP_T4_MS };
  self->send_func = send_func;
  self->user_data = user_data;
  self->layer = dt_sip_transaction_layer_new (clock, &self->timers, &layer_callbacks, peer_free,
                                              self);
  return self;
}

/**
 * dt_sip_user_agent_get_transaction_layer:
 *
 * The layer, for requests outside dialogs such as REGISTER.
 *
 * Returns: (transfer none): the user agent's transaction layer
 */
DtSipTransactionLayer *
dt_sip_user_agent_get_transaction_layer (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), NULL);

  return self->layer;
}

/**
 * dt_sip_user_agent_set_local:
 * @transport: the Via transport, such as `UDP` or `TLS`
 * @sent_by: the Via sent-by, `host[:port]`
 * @contact_uri: the URI put in Contact
 * @reliable: whether requests go over TCP or TLS (no retransmissions)
 *
 * Sets how this agent names itself in the requests and responses it makes.
 */
void
dt_sip_user_agent_set_local (DtSipUserAgent *self,
                             const char     *transport,
                             const char     *sent_by,
                             const char     *contact_uri,
                             gboolean        reliable)
{
  g_return_if_fail (DT_SIP_IS_USER_AGENT (self));
  g_return_if_fail (transport != NULL && sent_by != NULL && uri_is_sip (contact_uri));

  g_free (self->transport);
  self->transport = g_strdup (transport);
  g_free (self->sent_by);
  self->sent_by = g_strdup (sent_by);
  g_free (self->contact_uri);
  self->contact_uri = g_strdup (contact_uri);
  self->reliable = reliable;
}

/**
 * dt_sip_user_agent_new_via:
 *
 * A Via for a new request outside dialogs, with a fresh branch (§8.1.1.7).
 *
 * Returns: (transfer full): the Via value
 */
char *
dt_sip_user_agent_new_via (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), NULL);

  return ua_new_via (self);
}

/**
 * dt_sip_user_agent_get_contact_uri:
 *
 * Returns: the URI this agent puts in Contact
 */
const char *
dt_sip_user_agent_get_contact_uri (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), NULL);

  return self->contact_uri;
}

/**
 * dt_sip_user_agent_get_reliable:
 *
 * Returns: whether requests go over TCP or TLS
 */
gboolean
dt_sip_user_agent_get_reliable (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), FALSE);

  return self->reliable;
}

/**
 * dt_sip_user_agent_get_clock:
 *
 * Returns: (transfer none): the clock the agent's timers run on
 */
DtClock *
dt_sip_user_agent_get_clock (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), NULL);

  return self->clock;
}

/**
 * dt_sip_user_agent_set_auth_client:
 * @auth: (nullable): the account's credentials cache
 *
 * Lets outgoing INVITEs answer one 401 or 407 challenge.
 */
void
dt_sip_user_agent_set_auth_client (DtSipUserAgent  *self,
                                   DtSipAuthClient *auth)
{
  g_return_if_fail (DT_SIP_IS_USER_AGENT (self));

  g_set_object (&self->auth, auth);
}

/**
 * dt_sip_user_agent_receive:
 * @message: a parsed message from the transport
 * @peer: (transfer full) (nullable): where it came from
 * @reliable: whether it came over TCP or TLS
 *
 * Hands a message to the transaction layer, which passes it up here.
 */
void
dt_sip_user_agent_receive (DtSipUserAgent *self,
                           DtSipMessage   *message,
                           gpointer        peer,
                           gboolean        reliable)
{
  g_return_if_fail (DT_SIP_IS_USER_AGENT (self));
  g_return_if_fail (message != NULL);

  dt_sip_transaction_layer_receive (self->layer, message, peer, reliable);
}

/**
 * dt_sip_user_agent_invite:
 * @from: our address of record, as a URI or name-addr
 * @to: the callee, as a URI or name-addr; also the Request-URI
 * @sdp: (nullable): the offer
 *
 * Starts an outgoing call: a new Call-ID, From tag and CSeq (§8.1.1).
 *
 * Returns: (transfer full): the call's dialog, in state
 *   %DT_SIP_DIALOG_STATE_NONE, or %NULL with @error set
 */
DtSipDialog *
dt_sip_user_agent_invite (DtSipUserAgent  *self,
                          const char      *from,
                          const char      *to,
                          GBytes          *sdp,
                          GError         **error)
{
  g_autoptr(DtSipDialog) dialog = NULL;
  g_autofree char *local_tag = random_tag ();
  g_autofree char *local_header = NULL;
  g_autofree char *remote_header = NULL;
  g_autofree char *request_uri = NULL;
  DtSipTransaction *tx;

  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  local_header = header_with_tag (from, local_tag);
  remote_header = header_with_tag (to, NULL);
  request_uri = name_addr_uri (to);
  if (local_header == NULL || remote_header == NULL || !uri_is_sip (request_uri))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” or “%s” is not a SIP address", from, to);
      return NULL;
    }

  dialog = dialog_new (self, TRUE);
  dialog->call_id = g_uuid_string_random ();
  dialog->local_tag = g_steal_pointer (&local_tag);
  dialog->local_header = g_steal_pointer (&local_header);
  dialog->remote_header = g_steal_pointer (&remote_header);
  dialog->remote_target = g_strdup (request_uri);
  dialog->request_uri = g_steal_pointer (&request_uri);
  dialog->secure = g_str_has_prefix (dialog->request_uri, "sips:");
  dialog->offer = sdp ? g_bytes_ref (sdp) : NULL;
  dialog->invite = build_initial_invite (dialog);

  tx = dialog_send_request (dialog, dialog->invite, on_invite_response, error);
  if (tx == NULL)
    {
      dialog->state = DT_SIP_DIALOG_STATE_TERMINATED;
      maybe_release (dialog);
      return NULL;
    }
  dialog->invite_tx = dt_sip_transaction_ref (tx);
  return g_steal_pointer (&dialog);
}

/**
 * dt_sip_user_agent_get_n_dialogs:
 *
 * Returns: how many dialogs the agent still tracks
 */
guint
dt_sip_user_agent_get_n_dialogs (DtSipUserAgent *self)
{
  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (self), 0);

  return self->dialogs->len;
}

/**
 * dt_sip_dialog_get_state:
 *
 * Returns: the dialog's state
 */
DtSipDialogState
dt_sip_dialog_get_state (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), DT_SIP_DIALOG_STATE_TERMINATED);

  return self->state;
}

/**
 * dt_sip_dialog_is_outgoing:
 *
 * Returns: whether we sent the INVITE that made the dialog
 */
gboolean
dt_sip_dialog_is_outgoing (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  return self->outgoing;
}

/**
 * dt_sip_dialog_get_call_id:
 *
 * Returns: the Call-ID
 */
const char *
dt_sip_dialog_get_call_id (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return self->call_id;
}

/**
 * dt_sip_dialog_get_local_tag:
 *
 * Returns: our tag
 */
const char *
dt_sip_dialog_get_local_tag (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return self->local_tag;
}

/**
 * dt_sip_dialog_get_remote_tag:
 *
 * Returns: (nullable): the other side's tag, %NULL before a tagged response
 */
const char *
dt_sip_dialog_get_remote_tag (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return self->remote_tag;
}

/**
 * dt_sip_dialog_dup_local_uri:
 *
 * Returns: (transfer full): the local URI (§12.1: our From or To)
 */
char *
dt_sip_dialog_dup_local_uri (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return name_addr_uri (self->local_header);
}

/**
 * dt_sip_dialog_dup_remote_uri:
 *
 * Returns: (transfer full): the remote URI (§12.1: their From or To)
 */
char *
dt_sip_dialog_dup_remote_uri (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return name_addr_uri (self->remote_header);
}

/**
 * dt_sip_dialog_get_remote_target:
 *
 * Returns: the remote target, the other side's latest Contact URI
 */
const char *
dt_sip_dialog_get_remote_target (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return self->remote_target;
}

/**
 * dt_sip_dialog_dup_route_set:
 *
 * Returns: (transfer full): the route set, in the order Route headers take
 */
GStrv
dt_sip_dialog_dup_route_set (DtSipDialog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  for (guint i = 0; i < self->route_set->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->route_set, i));
  return g_strv_builder_end (builder);
}

/**
 * dt_sip_dialog_get_local_cseq:
 *
 * Returns: the CSeq number of the last request we sent in the dialog
 */
guint32
dt_sip_dialog_get_local_cseq (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), 0);

  return self->local_cseq;
}

/**
 * dt_sip_dialog_get_secure:
 *
 * Returns: whether the dialog was set up with a SIPS Request-URI (§12.1)
 */
gboolean
dt_sip_dialog_get_secure (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  return self->secure;
}

/**
 * dt_sip_dialog_build_request:
 * @method: the method; not ACK or CANCEL, which the dialog makes itself
 *
 * Builds a request inside the dialog (§12.2.1.1) with the next local CSeq
 * and a fresh Via branch. With loose routing (a first route with `lr`)
 * the Request-URI is the remote target and the Route headers are the route
 * set; with a strict router first, the Request-URI is that router and the
 * remote target becomes the last Route.
 *
 * Returns: (transfer full): the request, for the caller to send through
 *   the transaction layer
 */
DtSipMessage *
dt_sip_dialog_build_request (DtSipDialog *self,
                             const char  *method)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);
  g_return_val_if_fail (self->ua != NULL && self->remote_tag != NULL, NULL);
  g_return_val_if_fail (method != NULL && !g_str_equal (method, "ACK")
                        && !g_str_equal (method, "CANCEL"), NULL);

  return build_request (self, method, ++self->local_cseq);
}

typedef struct
{
  DtSipResponseFunc func;
  gpointer          user_data;
  GDestroyNotify    destroy;
} Forward;

static void
forward_free (gpointer data)
{
  Forward *forward = data;

  if (forward->destroy != NULL)
    forward->destroy (forward->user_data);
  g_free (forward);
}

static void
on_forwarded_response (DtSipTransaction *tx,
                       DtSipMessage     *response,
                       gpointer          user_data)
{
  Forward *forward = user_data;

  forward->func (tx, response, forward->user_data);
}

/**
 * dt_sip_dialog_send_request:
 * @request: a request from dt_sip_dialog_build_request()
 * @func: gets the responses, and %NULL when the transaction ends without one
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data with the transaction
 *
 * Sends an in-dialog request, such as a REFER or a NOTIFY, through the
 * dialog's transaction layer.
 *
 * Returns: %FALSE with @error set when it could not be sent
 */
gboolean
dt_sip_dialog_send_request (DtSipDialog       *self,
                            DtSipMessage      *request,
                            DtSipResponseFunc  func,
                            gpointer           user_data,
                            GDestroyNotify     destroy,
                            GError           **error)
{
  Forward *forward;
  DtSipTransaction *tx;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (request != NULL && func != NULL, FALSE);

  if (self->ua == NULL || self->state == DT_SIP_DIALOG_STATE_TERMINATED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The dialog has ended");
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }
  forward = g_new0 (Forward, 1);
  forward->func = func;
  forward->user_data = user_data;
  forward->destroy = destroy;
  tx = dt_sip_transaction_layer_send_request (self->ua->layer, request, NULL, self->ua->reliable,
                                              on_forwarded_response, forward, error);
  if (tx == NULL)
    {
      forward_free (forward);
      return FALSE;
    }
  dt_sip_transaction_set_user_data_free (tx, forward_free);
  return TRUE;
}

static gboolean
check_answerable (DtSipDialog  *self,
                  GError      **error)
{
  if (self->ua == NULL || self->outgoing || self->server_tx == NULL
      || self->reinvite_incoming
      || dt_sip_transaction_get_state (self->server_tx) != DT_SIP_TRANSACTION_PROCEEDING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The call is not an unanswered incoming call");
      return FALSE;
    }
  return TRUE;
}

/**
 * dt_sip_dialog_ring:
 * @sdp: (nullable): early media SDP
 *
 * Sends 180 Ringing with our tag, making the dialog early (§12.1.1).
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_ring (DtSipDialog  *self,
                    GBytes       *sdp,
                    GError      **error)
{
  return dt_sip_dialog_progress (self, 180, "Ringing", sdp, error);
}

/**
 * dt_sip_dialog_progress:
 * @code: a provisional status, 101–199 (180 Ringing, 183 Session Progress)
 * @reason: the reason phrase
 * @sdp: (nullable): early media SDP (RFC 3261 §13.3.1.1)
 *
 * Sends an unreliable provisional response with our tag, making the dialog
 * early (§12.1.1).
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_progress (DtSipDialog  *self,
                        guint         code,
                        const char   *reason,
                        GBytes       *sdp,
                        GError      **error)
{
  g_autoptr(DtSipMessage) response = NULL;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (code > 100 && code < 200 && reason != NULL, FALSE);

  if (!check_answerable (self, error))
    return FALSE;

  response = build_uas_response (self, code, reason, sdp);
  if (!dt_sip_transaction_respond (self->server_tx, response, error))
    return FALSE;
  set_state (self, DT_SIP_DIALOG_STATE_EARLY);
  return TRUE;
}

/**
 * dt_sip_dialog_accept:
 * @sdp: (nullable): the answer
 *
 * Answers an incoming call with 200 OK and retransmits it until the ACK
 * comes (§13.3.1.4); without an ACK in 64·T1 the dialog sends BYE and
 * emits #DtSipDialog::failed with 408.
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_accept (DtSipDialog  *self,
                      GBytes       *sdp,
                      GError      **error)
{
  g_autoptr(DtSipMessage) ok = NULL;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  if (!check_answerable (self, error))
    return FALSE;

  ok = build_uas_response (self, 200, "OK", sdp);
  if (!dt_sip_transaction_respond (self->server_tx, ok, error))
    return FALSE;
  set_state (self, DT_SIP_DIALOG_STATE_CONFIRMED);
  start_2xx_retransmit (self, ok);
  return TRUE;
}

/**
 * dt_sip_dialog_reject:
 * @code: a final status code from 300 to 699, such as 486 or 603
 * @reason: the reason phrase
 *
 * Refuses an incoming call; the transaction retransmits the response and
 * absorbs the ACK.
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_reject (DtSipDialog  *self,
                      guint         code,
                      const char   *reason,
                      GError      **error)
{
  g_autoptr(DtSipMessage) response = NULL;
  gboolean sent;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (code >= 300 && code <= 699 && reason != NULL, FALSE);

  if (!check_answerable (self, error))
    return FALSE;

  response = build_uas_response (self, code, reason, NULL);
  sent = dt_sip_transaction_respond (self->server_tx, response, error);
  set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
  return sent;
}

/**
 * dt_sip_dialog_reject_with_warning:
 * @code: a final status, 300–699
 * @reason: the reason phrase
 * @warn_code: the RFC 3261 §20.43 warn-code (3xx), such as 399 for others
 * @warn_text: what went wrong, for a person reading the response
 *
 * Like dt_sip_dialog_reject(), with a Warning header naming this agent, so
 * that the caller's side can tell a person why (a 488 because SRTP is
 * required, say).
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_reject_with_warning (DtSipDialog  *self,
                                   guint         code,
                                   const char   *reason,
                                   guint         warn_code,
                                   const char   *warn_text,
                                   GError      **error)
{
  g_autoptr(DtSipMessage) response = NULL;
  g_autoptr(GString) warning = NULL;
  gboolean sent;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (code >= 300 && code <= 699 && reason != NULL, FALSE);
  g_return_val_if_fail (warn_code >= 300 && warn_code <= 399 && warn_text != NULL, FALSE);

  if (!check_answerable (self, error))
    return FALSE;

  /* §20.43: warn-code SP warn-agent SP quoted warn-text; the agent is our
   * sent-by, and the text's quotes and backslashes are escaped. */
  warning = g_string_new (NULL);
  g_string_append_printf (warning, "%u %s \"", warn_code, self->ua->sent_by);
  for (const char *p = warn_text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (warning, '\\');
      if ((guchar) *p >= 0x20)
        g_string_append_c (warning, *p);
    }
  g_string_append_c (warning, '"');

  response = build_uas_response (self, code, reason, NULL);
  dt_sip_message_append_header (response, "Warning", warning->str);
  sent = dt_sip_transaction_respond (self->server_tx, response, error);
  set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
  return sent;
}

/**
 * dt_sip_dialog_challenge:
 * @code: 401 or 407
 * @challenges: (array zero-terminated=1): WWW-Authenticate (401) or
 *   Proxy-Authenticate (407) values, as dt_sip_auth_server_create_challenges()
 *   writes them
 *
 * Refuses an incoming call until the caller authenticates (§22.1); the
 * retried INVITE arrives as a new call.
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_challenge (DtSipDialog         *self,
                         guint                code,
                         const char * const  *challenges,
                         GError             **error)
{
  g_autoptr(DtSipMessage) response = NULL;
  gboolean sent;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (code == 401 || code == 407, FALSE);
  g_return_val_if_fail (challenges != NULL, FALSE);

  if (!check_answerable (self, error))
    return FALSE;

  response = build_uas_response (self, code, code == 401 ? "Unauthorized"
                                                         : "Proxy Authentication Required",
                                 NULL);
  for (guint i = 0; challenges[i] != NULL; i++)
    dt_sip_message_append_header (response, code == 401 ? "WWW-Authenticate"
                                                        : "Proxy-Authenticate",
                                  challenges[i]);
  sent = dt_sip_transaction_respond (self->server_tx, response, error);
  set_state (self, DT_SIP_DIALOG_STATE_TERMINATED);
  return sent;
}

/**
 * dt_sip_dialog_get_invite:
 *
 * Returns: (transfer none) (nullable): the INVITE that started the call:
 *   the one sent, or the one received (to read its credentials or headers)
 */
DtSipMessage *
dt_sip_dialog_get_invite (DtSipDialog *self)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), NULL);

  return self->invite;
}

/**
 * dt_sip_dialog_answer_reinvite:
 * @code: 200 to accept, or a final failure code such as 488
 * @sdp: (nullable): the answer, with a 2xx
 *
 * Answers the re-INVITE announced by #DtSipDialog::reinvite. A 2xx is
 * retransmitted until its ACK as for the first INVITE.
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_answer_reinvite (DtSipDialog  *self,
                               guint         code,
                               GBytes       *sdp,
                               GError      **error)
{
  g_autoptr(DtSipMessage) response = NULL;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (code >= 200 && code <= 699, FALSE);

  if (self->ua == NULL || !self->reinvite_incoming
      || dt_sip_transaction_get_state (self->server_tx) != DT_SIP_TRANSACTION_PROCEEDING)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "No re-INVITE is waiting for an answer");
      return FALSE;
    }

  self->reinvite_incoming = FALSE;
  response = build_uas_response (self, code, code < 300 ? "OK" : "Not Acceptable Here",
                                 code < 300 ? sdp : NULL);
  if (!dt_sip_transaction_respond (self->server_tx, response, error))
    return FALSE;
  if (code < 300)
    start_2xx_retransmit (self, response);
  return TRUE;
}

/**
 * dt_sip_dialog_cancel:
 *
 * Cancels an outgoing call that has no final response (§9.1). Before any
 * provisional response the CANCEL waits for one. The call then fails with
 * 487, or, if its 2xx crossed the CANCEL, is ACKed, ended with BYE and
 * fails with 487 all the same.
 *
 * Returns: %TRUE if the call is being cancelled
 */
gboolean
dt_sip_dialog_cancel (DtSipDialog  *self,
                      GError      **error)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  if (self->ua == NULL || !self->outgoing || self->invite_tx == NULL
      || (self->state != DT_SIP_DIALOG_STATE_NONE && self->state != DT_SIP_DIALOG_STATE_EARLY))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Only an unanswered outgoing call can be cancelled");
      return FALSE;
    }

  if (self->cancel_requested)
    return TRUE;

  self->cancel_requested = TRUE;
  if (self->got_provisional)
    send_cancel (self);
  else
    self->cancel_pending = TRUE;
  return TRUE;
}

/**
 * dt_sip_dialog_bye:
 *
 * Hangs up a confirmed call (§15.1). The dialog is terminated at once; on
 * the answering side the BYE waits for the ACK of our 2xx (§15).
 *
 * Returns: %TRUE if the BYE is sent or will be
 */
gboolean
dt_sip_dialog_bye (DtSipDialog  *self,
                   GError      **error)
{
  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  if (self->ua == NULL || self->state != DT_SIP_DIALOG_STATE_CONFIRMED)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Only a confirmed call can be hung up with BYE");
      return FALSE;
    }

  if (!self->outgoing && self->response_2xx != NULL)
    {
      self->bye_pending = TRUE;
      return TRUE;
    }

  dialog_send_bye (self);
  return TRUE;
}

/**
 * dt_sip_dialog_reinvite:
 * @sdp: (nullable): the new offer
 *
 * Sends a re-INVITE (§14.1), for hold or a media change. The result comes
 * in #DtSipDialog::reinvite-done.
 *
 * Returns: %TRUE if sent
 */
gboolean
dt_sip_dialog_reinvite (DtSipDialog  *self,
                        GBytes       *sdp,
                        GError      **error)
{
  g_autoptr(DtSipMessage) invite = NULL;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (self), FALSE);

  /* §14.1: not while another INVITE transaction runs either way. */
  if (self->ua == NULL || self->state != DT_SIP_DIALOG_STATE_CONFIRMED
      || self->reinvite != NULL || self->reinvite_incoming || self->response_2xx != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           "The call cannot be re-negotiated now");
      return FALSE;
    }

  invite = build_request (self, "INVITE", ++self->local_cseq);
  if (sdp != NULL)
    dt_sip_message_set_body (invite, "application/sdp", sdp);
  if (dialog_send_request (self, invite, on_reinvite_response, error) == NULL)
    return FALSE;
  self->reinvite = g_steal_pointer (&invite);
  return TRUE;
}
