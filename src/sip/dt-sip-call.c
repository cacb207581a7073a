/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-call.c
 *
 * One SIP call; see dt-sip-call.h.
 *
 * The call holds its RTP port open from the first offer on, so that the
 * SDP names a port that is really ours; the media engine attaches to it.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dt-call-private.h"
#include "dt-rtp-session.h"
#include "dt-sip-call.h"

struct _DtSipCall
{
  DtCall           parent_instance;

  DtSipDialog     *dialog;
  DtSdpCaps        caps;          /* codecs borrowed from the backend */
  char            *address;       /* caps.address */
  GSocket         *rtp_socket;
  GSocket         *rtcp_socket;
  DtAudioConfig   *audio;
  DtRtpSession    *media;
  DtSdp           *local_sdp;     /* the last offer or answer we sent */
  DtSdp           *remote_offer;  /* an incoming call's offer */
  DtSdpNegotiated *negotiated;
  GStrv            srtp_suites;   /* caps.srtp_suites, copied */
  gboolean         early_media;   /* media started from a provisional's SDP */
  guint            status_code;
  GTask           *answer_task;
  GTask           *hold_task;
  guint            hold_retry;        /* a re-INVITE waiting for the INVITE before it */
  guint            hold_attempts;
  gboolean         holding;

  /* transfer (RFC 3515): ours as transferor, or the call a REFER asked for */
  GTask           *transfer_task;
  DtSipDialog     *refer_dialog;    /* where the NOTIFYs go, as transferee */
  DtCall          *referred_call;
  gboolean         transferred;
  guint            media_timeout_s;  /* G_MAXUINT: the media engine's default */
};

enum {
  SIGNAL_REFER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (DtSipCall, dt_sip_call, DT_TYPE_CALL)

/* --- helpers ----------------------------------------------------------- */

static GBytes *
sdp_to_bytes (const DtSdp *sdp)
{
  char *text = dt_sdp_to_string (sdp);

  return g_bytes_new_take (text, strlen (text));
}

static DtSdp *
sdp_from_bytes (GBytes  *bytes,
                GError **error)
{
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID, "No session description");
      return NULL;
    }
  return dt_sdp_parse (g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error);
}

static GSocket *
bind_udp (GInetAddress  *ip,
          guint16        port,
          GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) wanted = g_inet_socket_address_new (ip, port);

  socket = g_socket_new (g_inet_address_get_family (ip), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL || !g_socket_bind (socket, wanted, FALSE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* RFC 3550 §11: RTP on an even port and RTCP on the next one, which is
 * where a peer that does not take rtcp-mux sends its reports. */
static gboolean
bind_rtp (DtSipCall  *self,
          GError    **error)
{
  g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (self->address);

  if (ip == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a local address", self->address);
      return FALSE;
    }

  for (guint attempt = 0; attempt < 32; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GSocket) probe = bind_udp (ip, 0, &local_error);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocket) rtp = NULL;
      g_autoptr(GSocket) rtcp = NULL;
      guint16 port;

      if (probe == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      bound = g_socket_get_local_address (probe, error);
      if (bound == NULL)
        return FALSE;
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) & ~1;
      if (port == 0)
        continue;
      g_socket_close (probe, NULL);

      rtp = bind_udp (ip, port, NULL);
      rtcp = rtp != NULL ? bind_udp (ip, port + 1, NULL) : NULL;
      if (rtp == NULL || rtcp == NULL)
        continue;
      self->rtp_socket = g_steal_pointer (&rtp);
      self->rtcp_socket = g_steal_pointer (&rtcp);
      self->caps.port = port;
      return TRUE;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       "No free pair of ports for RTP and RTCP");
  return FALSE;
}

static void
take_caps (DtSipCall       *self,
           const DtSdpCaps *caps)
{
  self->caps = *caps;
  self->address = g_strdup (caps->address);
  self->caps.address = self->address;
  /* Held as a plain struct: only the codec table, which is static, and the
   * address, copied above, are pointed to. */
  self->caps.username = NULL;
  self->srtp_suites = g_strdupv ((GStrv) caps->srtp_suites);
  self->caps.srtp_suites = (const char *const *) self->srtp_suites;
  self->caps.key_func = NULL;
  self->caps.key_func_data = NULL;
  if (self->caps.session_id == 0)
    self->caps.session_id = g_random_int ();
}

static void
set_negotiated (DtSipCall       *self,
                DtSdpNegotiated *negotiated)
{
  g_autofree char *codec = NULL;

  g_clear_pointer (&self->negotiated, dt_sdp_negotiated_free);
  self->negotiated = negotiated;
  if (negotiated == NULL)
    return;
  codec = g_strdup_printf ("%s/%u", negotiated->encoding, negotiated->clock_rate);
  dt_call_stats_set_codec (dt_call_get_stats (DT_CALL (self)), codec);
}

static void apply_media (DtSipCall *self);
static void take_early_answer (DtSipCall *self,
                               GBytes    *sdp);

/* --- media --------------------------------------------------------------- */

static void
on_media_stats (GObject    *stats,
                GParamSpec *pspec,
                gpointer    user_data)
{
  DtSipCall *self = user_data;
  DtCallStats *from = DT_CALL_STATS (stats);

  dt_call_stats_update (dt_call_get_stats (DT_CALL (self)),
                        dt_call_stats_get_packets_sent (from),
                        dt_call_stats_get_packets_received (from),
                        dt_call_stats_get_packets_lost (from),
                        dt_call_stats_get_jitter_ms (from),
                        dt_call_stats_get_rtt_ms (from),
                        dt_call_stats_get_mos (from));
}

/* The session's level elements report ten times a second; the call
 * carries the figures to the UI, which cannot see the session. */
static void
on_media_level (DtRtpSession *media,
                GParamSpec   *pspec,
                gpointer      user_data)
{
  _dt_call_set_levels (DT_CALL (user_data),
                       dt_rtp_session_get_input_level (media),
                       dt_rtp_session_get_output_level (media));
}

static void
on_media_dtmf (DtRtpSession *media,
               char          digit,
               gpointer      user_data)
{
  _dt_call_dtmf_received (DT_CALL (user_data), digit);
}

static void end_call (DtSipCall       *self,
                      DtCallEndReason  reason,
                      const char      *message);
static void abandon  (DtSipCall       *self);

/* Nothing arrived for the media timeout: the far end is gone without a
 * BYE (a crash, a network that went away). */
static void
on_media_timeout (DtRtpSession *media,
                  gpointer      user_data)
{
  DtSipCall *self = user_data;

  /* Early media may fall silent while the call rings (an announcement
   * that ended, a PBX that only opens the path): not a reason to give up
   * before the answer. */
  if (dt_call_get_state (DT_CALL (self)) == DT_CALL_STATE_RINGING)
    return;
  /* RFC 3264 §8.4: a far end holding the call may well send no music;
   * its silence then says nothing about whether it is still there. */
  if (self->negotiated != NULL && self->negotiated->direction != DT_SDP_DIRECTION_SENDRECV)
    return;
  abandon (self);
  end_call (self, DT_CALL_END_REASON_MEDIA_TIMEOUT, NULL);
}

static void
on_media_error (DtRtpSession *media,
                const GError *error,
                gpointer      user_data)
{
  DtSipCall *self = user_data;

  g_debug ("Call %s: audio failed: %s", dt_call_get_id (DT_CALL (self)), error->message);
  abandon (self);
  end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, error->message);
}

/* Leaves a call whose audio cannot go on: BYE once confirmed, CANCEL while
 * an outgoing call still rings with early media (RFC 3261 §9.1, §15). */
static void
abandon (DtSipCall *self)
{
  g_autoptr(GError) error = NULL;
  gboolean sent;

  if (dt_call_get_direction (DT_CALL (self)) == DT_CALL_DIRECTION_OUTGOING
      && dt_sip_dialog_get_state (self->dialog) != DT_SIP_DIALOG_STATE_CONFIRMED)
    sent = dt_sip_dialog_cancel (self->dialog, &error);
  else
    sent = dt_sip_dialog_bye (self->dialog, &error);
  if (!sent)
    g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
}

static GInetSocketAddress *
socket_address (const char *address,
                guint       port)
{
  g_autoptr(GInetAddress) ip = address ? g_inet_address_new_from_string (address) : NULL;

  if (ip == NULL || port == 0)
    return NULL;
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (ip, port));
}

/* Starts the audio once offer/answer has settled, and follows each later
 * exchange (hold, resume, a new codec, a new address). */
static void
apply_media (DtSipCall *self)
{
  const DtSdpNegotiated *n = self->negotiated;
  g_autoptr(DtRtpParams) params = NULL;
  g_autoptr(GInetSocketAddress) remote_rtp = NULL;
  g_autoptr(GInetSocketAddress) remote_rtcp = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (n == NULL || self->rtp_socket == NULL
      || !dt_call_state_is_live (dt_call_get_state (DT_CALL (self))))
    return;

  params = dt_rtp_params_new (n->encoding, (int) n->pt, n->clock_rate);
  params->channels = n->channels;
  params->fmtp = g_strdup (n->fmtp);
  params->telephone_event_pt = n->telephone_event_pt;
  params->telephone_event_clock_rate = n->telephone_event_clock_rate;
  params->rtcp_mux = n->rtcp_mux;
  params->srtp_suite = g_strdup (n->srtp_suite);
  params->local_key = n->local_key ? g_bytes_ref (n->local_key) : NULL;
  params->remote_key = n->remote_key ? g_bytes_ref (n->remote_key) : NULL;
  remote_rtp = socket_address (n->remote_address, n->remote_port);
  remote_rtcp = socket_address (n->remote_rtcp_address, n->remote_rtcp_port);

  if (self->media == NULL)
    {
      self->media = dt_rtp_session_new (self->rtp_socket, self->rtcp_socket, self->audio);
      g_signal_connect_object (dt_rtp_session_get_stats (self->media), "notify",
                               G_CALLBACK (on_media_stats), self, 0);
      g_signal_connect_object (self->media, "dtmf-received", G_CALLBACK (on_media_dtmf), self, 0);
      g_signal_connect_object (self->media, "notify::input-level", G_CALLBACK (on_media_level),
                               self, 0);
      g_signal_connect_object (self->media, "notify::output-level", G_CALLBACK (on_media_level),
                               self, 0);
      g_signal_connect_object (self->media, "media-timeout", G_CALLBACK (on_media_timeout),
                               self, 0);
      g_signal_connect_object (self->media, "error", G_CALLBACK (on_media_error), self, 0);
      if (self->media_timeout_s != G_MAXUINT)
        dt_rtp_session_set_media_timeout (self->media, self->media_timeout_s);
      dt_rtp_session_set_muted (self->media, dt_call_get_muted (DT_CALL (self)));
      ok = dt_rtp_session_start (self->media, params, remote_rtp, remote_rtcp, &error);
    }
  else
    {
      ok = dt_rtp_session_update (self->media, params, remote_rtp, remote_rtcp, &error);
    }
  if (!ok)
    {
      g_debug ("Call %s: no audio: %s", dt_call_get_id (DT_CALL (self)), error->message);
      abandon (self);
      end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, error->message);
      return;
    }

  /* RFC 3264 §6.1: what the answer lets this side do. A call this side
   * holds sends nothing, though sendonly would allow it: the held party
   * must not hear what the person says to someone else meanwhile. */
  dt_rtp_session_set_direction (self->media,
                                !self->holding
                                && (n->direction == DT_SDP_DIRECTION_SENDRECV
                                    || n->direction == DT_SDP_DIRECTION_SENDONLY),
                                n->direction == DT_SDP_DIRECTION_SENDRECV
                                || n->direction == DT_SDP_DIRECTION_RECVONLY);
}

/* RFC 3261 §21: what a final status means for the person who called. */
static DtCallEndReason
end_reason_for_status (DtSipCall *self,
                       guint      code)
{
  switch (code)
    {
    case 486:
    case 600:
      return DT_CALL_END_REASON_BUSY;
    case 603:
      return DT_CALL_END_REASON_DECLINED;
    case 404:
    case 484:
    case 604:
      return DT_CALL_END_REASON_NOT_FOUND;
    case 410:
    case 480:
    case 503:
      return DT_CALL_END_REASON_UNAVAILABLE;
    case 408:
      return dt_call_get_direction (DT_CALL (self)) == DT_CALL_DIRECTION_INCOMING
             ? DT_CALL_END_REASON_NETWORK_ERROR : DT_CALL_END_REASON_NO_ANSWER;
    case 487:
      return dt_call_get_direction (DT_CALL (self)) == DT_CALL_DIRECTION_INCOMING
             ? DT_CALL_END_REASON_MISSED : DT_CALL_END_REASON_CANCELLED;
    case 401:
    case 403:
    case 407:
      return DT_CALL_END_REASON_AUTH_FAILED;
    case 415:
    case 488:
    case 606:
      return DT_CALL_END_REASON_MEDIA_FAILED;
    default:
      return DT_CALL_END_REASON_FAILED;
    }
}

static void
end_call (DtSipCall       *self,
          DtCallEndReason  reason,
          const char      *message)
{
  g_autoptr(GError) error = NULL;

  if (!dt_call_state_is_live (dt_call_get_state (DT_CALL (self))))
    return;
  if (!_dt_call_end (DT_CALL (self), reason, message, &error))
    g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
  if (self->media != NULL)
    {
      /* The last figures go to the call (and so to the history). */
      on_media_stats (G_OBJECT (dt_rtp_session_get_stats (self->media)), NULL, self);
      dt_rtp_session_stop (self->media);
    }
  g_clear_object (&self->rtp_socket);
  g_clear_object (&self->rtcp_socket);
  if (self->answer_task != NULL)
    {
      g_task_return_new_error (self->answer_task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                               "The call ended before it was answered");
      g_clear_object (&self->answer_task);
    }
  g_clear_handle_id (&self->hold_retry, g_source_remove);
  if (self->hold_task != NULL)
    {
      g_task_return_new_error (self->hold_task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                               "The call ended");
      g_clear_object (&self->hold_task);
    }
  if (self->transfer_task != NULL)
    {
      if (reason == DT_CALL_END_REASON_TRANSFERRED)
        g_task_return_boolean (self->transfer_task, TRUE);
      else
        g_task_return_new_error (self->transfer_task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                                 "The call ended before the transfer was done");
      g_clear_object (&self->transfer_task);
    }
}

static void
set_state (DtSipCall   *self,
           DtCallState  state)
{
  g_autoptr(GError) error = NULL;

  if (dt_call_get_state (DT_CALL (self)) == state)
    return;
  if (!_dt_call_set_state (DT_CALL (self), state, &error))
    g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
}

/* Whether an answer failed offer/answer because it cannot be encrypted,
 * while this side asked for SRTP. */
static gboolean
is_srtp_refusal (DtSipCall    *self,
                 const GError *error)
{
  const DtSdpMedia *audio = NULL;

  if (g_error_matches (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_REQUIRED))
    return TRUE;
  if (self->caps.srtp != DT_SDP_SRTP_REQUIRED || self->local_sdp == NULL
      || !g_error_matches (error, DT_SDP_ERROR, DT_SDP_ERROR_BAD_ANSWER))
    return FALSE;
  /* A peer that cannot encrypt may answer RTP/AVP to our RTP/SAVP. */
  for (guint i = 0; i < self->local_sdp->media->len && audio == NULL; i++)
    if (g_str_equal (((DtSdpMedia *) g_ptr_array_index (self->local_sdp->media, i))->media,
                     "audio"))
      audio = g_ptr_array_index (self->local_sdp->media, i);
  return audio != NULL && dt_sdp_media_is_secure (audio);
}

/* RFC 3261 §13.2.1 and RFC 3960 §3.1 (the gateway model): SDP in an
 * unreliable provisional response previews the answer. The audio starts
 * from it while the call still rings, sending too so that NAT bindings
 * open, and the 2xx's SDP takes over. A preview that cannot be used is
 * ignored: the final answer decides. */
static void
take_early_answer (DtSipCall *self,
                   GBytes    *sdp)
{
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  DtSdpNegotiated *negotiated = NULL;

  answer = sdp_from_bytes (sdp, &error);
  if (answer != NULL)
    negotiated = dt_sdp_negotiate (self->local_sdp, answer, &error);
  if (negotiated == NULL)
    {
      g_debug ("Call %s: early media ignored: %s", dt_call_get_id (DT_CALL (self)),
               error->message);
      return;
    }
  self->early_media = TRUE;
  set_negotiated (self, negotiated);
  apply_media (self);
}

/* An offer the account's SRTP policy cannot take is refused before it
 * rings: RFC 3264 §6 and RFC 4568 §7.1.2 answer it 488, and the Warning
 * (RFC 3261 §20.43) tells the caller's side why. */
static gboolean
check_offer_encryption (DtSipCall *self)
{
  g_autoptr(DtSdp) trial = NULL;
  g_autoptr(GError) error = NULL;
  const char *warning;
  const char *message;

  trial = dt_sdp_create_answer (&self->caps, self->remote_offer, NULL, &error);
  if (trial != NULL)
    return TRUE;
  if (g_error_matches (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_REQUIRED))
    {
      warning = "SRTP is required, but the offer has no usable a=crypto key (RFC 4568)";
      message = _("The caller cannot encrypt the call (SRTP), which this account requires");
    }
  else if (g_error_matches (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED)
           && self->caps.srtp == DT_SDP_SRTP_OFF)
    {
      warning = "The offer requires SRTP, which is turned off here";
      message = _("The caller requires an encrypted call (SRTP), which this account cannot "
                  "make; allow encryption in the account settings");
    }
  else if (g_error_matches (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED))
    {
      warning = "The offer requires SRTP with no crypto suite supported here";
      message = _("The caller requires an encrypted call (SRTP) in a way Dialtone does not "
                  "support");
    }
  else
    {
      return TRUE;   /* refused when answered, as before */
    }
  g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
  dt_sip_dialog_reject_with_warning (self->dialog, 488, "Not Acceptable Here", 399, warning, NULL);
  end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, message);
  return FALSE;
}

/* --- dialog signals ----------------------------------------------------- */

static void
on_ringing (DtSipDialog *dialog,
            guint        code,
            const char  *reason,
            GBytes      *sdp,
            gpointer     user_data)
{
  DtSipCall *self = user_data;
  DtCallState state = dt_call_get_state (DT_CALL (self));

  self->status_code = code;
  if (state != DT_CALL_STATE_DIALING && state != DT_CALL_STATE_RINGING)
    return;
  set_state (self, DT_CALL_STATE_RINGING);
  if (sdp != NULL && g_bytes_get_size (sdp) > 0)
    take_early_answer (self, sdp);
}

static void
on_answered (DtSipDialog *dialog,
             GBytes      *sdp,
             gpointer     user_data)
{
  DtSipCall *self = user_data;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  DtSdpNegotiated *negotiated = NULL;

  self->status_code = 200;
  if (self->early_media && self->negotiated != NULL
      && (sdp == NULL || g_bytes_get_size (sdp) == 0))
    {
      /* The 2xx repeats nothing: the early session is the session. */
      apply_media (self);
      if (dt_call_get_state (DT_CALL (self)) != DT_CALL_STATE_ENDED)
        set_state (self, DT_CALL_STATE_ACTIVE);
      return;
    }
  answer = sdp_from_bytes (sdp, &error);
  if (answer != NULL)
    negotiated = dt_sdp_negotiate (self->local_sdp, answer, &error);
  if (negotiated == NULL)
    {
      g_autofree char *message = NULL;

      if (is_srtp_refusal (self, error))
        message = g_strdup (_("The other side cannot encrypt the call (SRTP), "
                              "which this account requires"));
      else
        message = g_strdup_printf ("The answer cannot be used: %s", error->message);
      g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
      /* RFC 3264 §5 leaves no way to refuse an answer but ending the call:
       * the dialog has ACKed the 2xx (§13.2.2.4), and BYE follows. */
      dt_sip_dialog_bye (self->dialog, NULL);
      end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, message);
      return;
    }
  /* Same session as the early one, or updated where the 2xx differs.
   * The audio runs before the call counts as established. */
  set_negotiated (self, negotiated);
  apply_media (self);
  if (dt_call_get_state (DT_CALL (self)) != DT_CALL_STATE_ENDED)
    set_state (self, DT_CALL_STATE_ACTIVE);
}

static void
on_failed (DtSipDialog *dialog,
           guint        code,
           const char  *reason,
           gpointer     user_data)
{
  DtSipCall *self = user_data;
  g_autofree char *message = NULL;

  /* RFC 3264 §6 / RFC 4568 §7.1.2: a 488 to an RTP/SAVP offer is most
   * often a peer that cannot do SRTP. */
  if (code == 488 && self->caps.srtp == DT_SDP_SRTP_REQUIRED)
    message = g_strdup_printf (_("The other side cannot encrypt the call (SRTP), or has no "
                                 "codec in common (%u %s)"), code, reason ? reason : "");
  else
    message = g_strdup_printf ("%u %s", code, reason ? reason : "");
  self->status_code = code;
  end_call (self, end_reason_for_status (self, code), message);
}

static void
on_bye (DtSipDialog *dialog,
        gpointer     user_data)
{
  DtSipCall *self = user_data;

  end_call (self, self->transferred ? DT_CALL_END_REASON_TRANSFERRED
                                    : DT_CALL_END_REASON_REMOTE_HANGUP, NULL);
}

/* RFC 3264 §8: a new offer in the call, most often the peer holding or
 * resuming. */
static void
on_reinvite (DtSipDialog *dialog,
             GBytes      *sdp,
             gpointer     user_data)
{
  DtSipCall *self = user_data;
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  DtSdpNegotiated *negotiated = NULL;

  if (sdp == NULL || g_bytes_get_size (sdp) == 0)
    {
      /* A refresh without an offer: offer what we have (§14.2). */
      body = sdp_to_bytes (self->local_sdp);
      dt_sip_dialog_answer_reinvite (self->dialog, 200, body, NULL);
      return;
    }
  offer = sdp_from_bytes (sdp, &error);
  if (offer != NULL)
    answer = dt_sdp_create_answer (&self->caps, offer, &negotiated, &error);
  if (answer == NULL)
    {
      g_debug ("Call %s: re-INVITE refused: %s", dt_call_get_id (DT_CALL (self)), error->message);
      dt_sip_dialog_answer_reinvite (self->dialog, 488, NULL, NULL);
      return;
    }
  body = sdp_to_bytes (answer);
  if (!dt_sip_dialog_answer_reinvite (self->dialog, 200, body, &error))
    {
      g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
      dt_sdp_negotiated_free (negotiated);
      return;
    }
  g_clear_pointer (&self->local_sdp, dt_sdp_free);
  self->local_sdp = g_steal_pointer (&answer);
  set_negotiated (self, negotiated);
  apply_media (self);
}

static void
on_reinvite_done (DtSipDialog *dialog,
                  guint        code,
                  GBytes      *sdp,
                  gpointer     user_data)
{
  DtSipCall *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->hold_task);
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  DtSdpNegotiated *negotiated = NULL;

  if (task == NULL)
    return;
  if (code < 200 || code >= 300)
    {
      /* RFC 3261 §14.1: a refused re-INVITE leaves the session as it was. */
      self->holding = dt_call_get_state (DT_CALL (self)) == DT_CALL_STATE_HELD;
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED,
                               "The other side refused (%u)", code);
      return;
    }
  answer = sdp_from_bytes (sdp, &error);
  if (answer != NULL)
    negotiated = dt_sdp_negotiate (self->local_sdp, answer, &error);
  if (negotiated != NULL)
    set_negotiated (self, negotiated);
  set_state (self, self->holding ? DT_CALL_STATE_HELD : DT_CALL_STATE_ACTIVE);
  apply_media (self);
  g_task_return_boolean (task, TRUE);
}

static void
on_ack (DtSipDialog *dialog,
        GBytes      *sdp,
        gpointer     user_data)
{
  DtSipCall *self = user_data;

  g_debug ("Call %s confirmed by ACK", dt_call_get_id (DT_CALL (self)));
}

static gboolean on_dialog_request (DtSipDialog      *dialog,
                                   DtSipTransaction *tx,
                                   DtSipMessage     *request,
                                   gpointer          user_data);

static void
attach_dialog (DtSipCall   *self,
               DtSipDialog *dialog)
{
  self->dialog = g_object_ref (dialog);
  g_signal_connect_object (dialog, "ringing", G_CALLBACK (on_ringing), self, 0);
  g_signal_connect_object (dialog, "answered", G_CALLBACK (on_answered), self, 0);
  g_signal_connect_object (dialog, "failed", G_CALLBACK (on_failed), self, 0);
  g_signal_connect_object (dialog, "bye", G_CALLBACK (on_bye), self, 0);
  g_signal_connect_object (dialog, "reinvite", G_CALLBACK (on_reinvite), self, 0);
  g_signal_connect_object (dialog, "reinvite-done", G_CALLBACK (on_reinvite_done), self, 0);
  g_signal_connect_object (dialog, "ack", G_CALLBACK (on_ack), self, 0);
  g_signal_connect_object (dialog, "request", G_CALLBACK (on_dialog_request), self, 0);
}

/* --- transfer (RFC 3515, RFC 5589) -------------------------------------- */

#define SIPFRAG "message/sipfrag;version=2.0"

static void
respond (DtSipTransaction *tx,
         DtSipMessage     *request,
         guint             code,
         const char       *reason)
{
  g_autoptr(DtSipMessage) response = dt_sip_message_new_response_for (request, code, reason, NULL);

  dt_sip_transaction_respond (tx, response, NULL);
}

static gboolean
event_is_refer (DtSipMessage *request)
{
  const char *event = dt_sip_message_get_header (request, "Event");

  /* RFC 3515 §2.4.4: "refer", perhaps with an id parameter. */
  return event != NULL && g_ascii_strncasecmp (event, "refer", 5) == 0
         && (event[5] == '\0' || event[5] == ';' || event[5] == ' ');
}

/* RFC 3420: the status line of a message/sipfrag body. */
static guint
sipfrag_status (GBytes *body)
{
  g_autofree char *text = NULL;
  guint code = 0;

  if (body == NULL)
    return 0;
  text = g_strndup (g_bytes_get_data (body, NULL), MIN (g_bytes_get_size (body), 256));
  if (!g_str_has_prefix (text, "SIP/2.0 ") || !g_ascii_isdigit (text[8]))
    return 0;
  code = (guint) g_ascii_strtoull (text + 8, NULL, 10);
  return code >= 100 && code < 700 ? code : 0;
}

static void
on_refer_response (DtSipTransaction *tx,
                   DtSipMessage     *response,
                   gpointer          user_data)
{
  DtSipCall *self = user_data;
  guint code = response ? dt_sip_message_get_status_code (response) : 408;

  if (code < 200 || self->transfer_task == NULL)
    return;
  /* 202 Accepted (RFC 3515 §2.4.2), or the 200 some peers send. */
  if (code < 300)
    return;
  g_task_return_new_error (self->transfer_task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED,
                           "The other side refused the transfer (%u %s)", code,
                           response ? dt_sip_message_get_reason (response) : "Request Timeout");
  g_clear_object (&self->transfer_task);
}

/* As transferor: the transferee reports how the new call went. */
static void
handle_refer_notify (DtSipCall        *self,
                     DtSipTransaction *tx,
                     DtSipMessage     *request)
{
  guint code = sipfrag_status (dt_sip_message_get_body (request));
  g_autoptr(GError) error = NULL;

  respond (tx, request, 200, "OK");
  if (code < 200 || self->transfer_task == NULL)
    return;

  if (code < 300)
    {
      /* RFC 5589 §6.1: the transferee reached the target; we leave. */
      self->transferred = TRUE;
      if (!dt_sip_dialog_bye (self->dialog, &error))
        g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
      end_call (self, DT_CALL_END_REASON_TRANSFERRED, NULL);
      return;
    }
  g_task_return_new_error (self->transfer_task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED,
                           "The transfer target could not be reached (%u)", code);
  g_clear_object (&self->transfer_task);
}

static void
on_notify_response (DtSipTransaction *tx,
                    DtSipMessage     *response,
                    gpointer          user_data)
{
}

/* As transferee: tell the transferor how the call it asked for is going. */
static void
send_refer_notify (DtSipCall  *self,
                   guint       code,
                   const char *reason,
                   gboolean    final)
{
  g_autoptr(DtSipMessage) notify = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *frag = g_strdup_printf ("SIP/2.0 %u %s\r\n", code, reason);

  if (self->dialog == NULL || dt_sip_dialog_get_state (self->dialog) == DT_SIP_DIALOG_STATE_TERMINATED)
    return;
  notify = dt_sip_dialog_build_request (self->dialog, "NOTIFY");
  dt_sip_message_append_header (notify, "Event", "refer");
  /* RFC 6665 §4.1.3: the last NOTIFY ends the implicit subscription. */
  dt_sip_message_append_header (notify, "Subscription-State",
                                final ? "terminated;reason=noresource" : "active;expires=60");
  body = g_bytes_new (frag, strlen (frag));
  dt_sip_message_set_body (notify, SIPFRAG, body);
  if (!dt_sip_dialog_send_request (self->dialog, notify, on_notify_response, NULL, NULL, &error))
    g_debug ("Call %s: NOTIFY not sent: %s", dt_call_get_id (DT_CALL (self)), error->message);
}

static void
on_referred_call_state (DtCall     *call,
                        GParamSpec *pspec,
                        gpointer    user_data)
{
  DtSipCall *self = user_data;

  switch (dt_call_get_state (call))
    {
    case DT_CALL_STATE_ACTIVE:
      self->transferred = TRUE;
      send_refer_notify (self, 200, "OK", TRUE);
      g_signal_handlers_disconnect_by_func (call, on_referred_call_state, self);
      break;
    case DT_CALL_STATE_ENDED:
      {
        guint code = DT_SIP_IS_CALL (call) ? dt_sip_call_get_status_code (DT_SIP_CALL (call)) : 0;

        send_refer_notify (self, code >= 300 ? code : 487,
                           code >= 300 ? "Failed" : "Request Terminated", TRUE);
        g_signal_handlers_disconnect_by_func (call, on_referred_call_state, self);
      }
      break;
    case DT_CALL_STATE_RINGING:
      send_refer_notify (self, 180, "Ringing", FALSE);
      break;
    case DT_CALL_STATE_DIALING:
    case DT_CALL_STATE_HELD:
    default:
      break;
    }
}

/* As transferee: the other side asks us to call someone else. */
static void
handle_refer (DtSipCall        *self,
              DtSipTransaction *tx,
              DtSipMessage     *request)
{
  g_autoptr(DtSipNameAddr) refer_to = NULL;
  g_autoptr(DtCall) call = NULL;
  const char *value = dt_sip_message_get_header (request, "Refer-To");

  if (value == NULL || (refer_to = dt_sip_name_addr_parse (value)) == NULL || refer_to->wildcard)
    {
      respond (tx, request, 400, "Bad Request (Refer-To missing or malformed)");
      return;
    }
  if (self->referred_call != NULL
      || !g_signal_has_handler_pending (self, signals[SIGNAL_REFER], 0, FALSE))
    {
      /* One transfer at a time, and only where someone can place the call. */
      respond (tx, request, 603, "Decline");
      return;
    }

  respond (tx, request, 202, "Accepted");
  send_refer_notify (self, 100, "Trying", FALSE);
  g_signal_emit (self, signals[SIGNAL_REFER], 0, refer_to->uri, &call);
  if (call == NULL)
    {
      send_refer_notify (self, 503, "Service Unavailable", TRUE);
      return;
    }
  self->referred_call = g_object_ref (call);
  g_signal_connect_object (call, "notify::state", G_CALLBACK (on_referred_call_state), self, 0);
  on_referred_call_state (call, NULL, self);
}

static gboolean
on_dialog_request (DtSipDialog      *dialog,
                   DtSipTransaction *tx,
                   DtSipMessage     *request,
                   gpointer          user_data)
{
  DtSipCall *self = user_data;
  const char *method = dt_sip_message_get_method (request);

  if (g_str_equal (method, "REFER"))
    {
      handle_refer (self, tx, request);
      return TRUE;
    }
  if (g_str_equal (method, "NOTIFY") && event_is_refer (request))
    {
      handle_refer_notify (self, tx, request);
      return TRUE;
    }
  return FALSE;
}

static void
dt_sip_call_transfer_async (DtCall              *call,
                            const char          *target_uri,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  DtSipCall *self = DT_SIP_CALL (call);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(DtSipMessage) refer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *refer_to = NULL;
  g_autofree char *referred_by = NULL;
  g_autofree char *local = NULL;

  g_task_set_source_tag (task, dt_sip_call_transfer_async);

  if (self->transfer_task != NULL)
    {
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                               "A transfer is already under way");
      return;
    }
  if (!g_str_has_prefix (target_uri, "sip:") && !g_str_has_prefix (target_uri, "sips:"))
    {
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_ARGUMENT,
                               "“%s” is not a SIP address", target_uri);
      return;
    }

  /* RFC 3515 §2.1 and RFC 3892: whom to call, and who asks. */
  local = dt_sip_dialog_dup_local_uri (self->dialog);
  refer_to = g_strdup_printf ("<%s>", target_uri);
  referred_by = g_strdup_printf ("<%s>", local);
  refer = dt_sip_dialog_build_request (self->dialog, "REFER");
  dt_sip_message_append_header (refer, "Refer-To", refer_to);
  dt_sip_message_append_header (refer, "Referred-By", referred_by);
  if (!dt_sip_dialog_send_request (self->dialog, refer, on_refer_response,
                                   g_object_ref (self), g_object_unref, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->transfer_task = g_steal_pointer (&task);
}

static gboolean
dt_sip_call_transfer_finish (DtCall        *call,
                             GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- DtCall vfuncs ------------------------------------------------------ */

static void
dt_sip_call_answer_async (DtCall              *call,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  DtSipCall *self = DT_SIP_CALL (call);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  DtSdpNegotiated *negotiated = NULL;

  g_task_set_source_tag (task, dt_sip_call_answer_async);

  if (self->remote_offer != NULL)
    answer = dt_sdp_create_answer (&self->caps, self->remote_offer, &negotiated, &error);
  else
    answer = dt_sdp_create_offer (&self->caps, &error);   /* §13.2.1: late offer */
  if (answer == NULL)
    {
      g_autofree char *message = g_strdup_printf ("No common way to carry audio: %s",
                                                  error->message);

      dt_sip_dialog_reject (self->dialog, 488, NULL, NULL);
      end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, message);
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED, "%s", message);
      return;
    }

  body = sdp_to_bytes (answer);
  g_clear_pointer (&self->local_sdp, dt_sdp_free);
  self->local_sdp = g_steal_pointer (&answer);
  set_negotiated (self, negotiated);
  /* The audio runs before the 200 goes, as the caller may send at once,
   * and the call counts as established with its audio up. */
  apply_media (self);
  if (dt_call_get_state (DT_CALL (self)) == DT_CALL_STATE_ENDED)
    {
      dt_sip_dialog_reject (self->dialog, 500, "Audio Failed", NULL);
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED, "%s",
                               dt_call_get_end_message (DT_CALL (self)));
      return;
    }
  if (!dt_sip_dialog_accept (self->dialog, body, &error))
    {
      if (self->media != NULL)
        dt_rtp_session_stop (self->media);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->status_code = 200;
  set_state (self, DT_CALL_STATE_ACTIVE);
  g_task_return_boolean (task, TRUE);
}

static gboolean
dt_sip_call_answer_finish (DtCall        *call,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
dt_sip_call_hangup_async (DtCall              *call,
                          DtCallEndReason      reason,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  DtSipCall *self = DT_SIP_CALL (call);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean sent;

  g_task_set_source_tag (task, dt_sip_call_hangup_async);

  /* The base class asks for one of three: declining a ringing call (RFC
   * 3261 §21.6.2: the person does not want to take it), cancelling an
   * unanswered one, or hanging up. */
  if (reason == DT_CALL_END_REASON_DECLINED)
    sent = dt_sip_dialog_reject (self->dialog, 603, "Decline", &error);
  else if (reason == DT_CALL_END_REASON_CANCELLED)
    sent = dt_sip_dialog_cancel (self->dialog, &error);
  else
    sent = dt_sip_dialog_bye (self->dialog, &error);
  if (!sent)
    g_debug ("Call %s: %s", dt_call_get_id (call), error->message);

  end_call (self, reason, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
dt_sip_call_hangup_finish (DtCall        *call,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* RFC 3261 §14.1: no re-INVITE while another INVITE transaction runs
 * either way, which includes a 2xx of ours the far end has not yet
 * acknowledged (a hold pressed just after answering): the re-INVITE waits
 * and is tried again, for a couple of seconds at most. */
#define HOLD_RETRY_MS       100
#define HOLD_RETRY_ATTEMPTS 30

static void send_hold_offer (DtSipCall *self);

static gboolean
on_hold_retry (gpointer user_data)
{
  DtSipCall *self = user_data;

  self->hold_retry = 0;
  send_hold_offer (self);
  return G_SOURCE_REMOVE;
}

static void
send_hold_offer (DtSipCall *self)
{
  gboolean hold = GPOINTER_TO_INT (g_task_get_task_data (self->hold_task));
  g_autoptr(GTask) task = NULL;
  g_autoptr(DtSdp) offer = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  offer = hold ? dt_sdp_create_hold_offer (self->local_sdp)
               : dt_sdp_create_reoffer (self->local_sdp, DT_SDP_DIRECTION_SENDRECV);
  body = sdp_to_bytes (offer);
  if (!dt_sip_dialog_reinvite (self->dialog, body, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY)
          && ++self->hold_attempts < HOLD_RETRY_ATTEMPTS
          && dt_call_state_is_live (dt_call_get_state (DT_CALL (self))))
        {
          self->hold_retry = g_timeout_add (HOLD_RETRY_MS, on_hold_retry, self);
          return;
        }
      task = g_steal_pointer (&self->hold_task);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->local_sdp, dt_sdp_free);
  self->local_sdp = g_steal_pointer (&offer);
  self->holding = hold;
}

/* RFC 3264 §8.4: hold is a re-offer with sendonly (or inactive). */
static void
dt_sip_call_hold_async (DtCall              *call,
                        gboolean             hold,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  DtSipCall *self = DT_SIP_CALL (call);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, dt_sip_call_hold_async);

  if (self->hold_task != NULL)
    {
      g_task_return_new_error (task, DT_CALL_ERROR, DT_CALL_ERROR_INVALID_STATE,
                               "A hold or resume is already under way");
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (hold), NULL);
  self->hold_task = g_steal_pointer (&task);
  self->hold_attempts = 0;
  send_hold_offer (self);
}
static gboolean
dt_sip_call_hold_finish (DtCall        *call,
                         GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
dt_sip_call_send_dtmf (DtCall   *call,
                       char      digit,
                       GError  **error)
{
  DtSipCall *self = DT_SIP_CALL (call);

  if (self->media == NULL || self->negotiated == NULL || self->negotiated->telephone_event_pt < 0)
    {
      g_set_error_literal (error, DT_CALL_ERROR, DT_CALL_ERROR_NOT_SUPPORTED,
                           "The other side takes no DTMF events (RFC 4733) in this call");
      return FALSE;
    }
  /* RFC 4733 §2.5.1.5: a keypad press, about a tenth of a second. */
  return dt_rtp_session_send_dtmf (self->media, digit, 100, error);
}

static void
dt_sip_call_set_muted (DtCall   *call,
                       gboolean  muted)
{
  DtSipCall *self = DT_SIP_CALL (call);

  if (self->media != NULL)
    dt_rtp_session_set_muted (self->media, muted);
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_sip_call_dispose (GObject *object)
{
  DtSipCall *self = DT_SIP_CALL (object);

  if (self->dialog != NULL)
    g_signal_handlers_disconnect_by_data (self->dialog, self);
  g_clear_object (&self->dialog);
  if (self->media != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->media, self);
      g_signal_handlers_disconnect_by_data (dt_rtp_session_get_stats (self->media), self);
      dt_rtp_session_stop (self->media);
    }
  g_clear_object (&self->media);
  g_clear_object (&self->audio);
  g_clear_object (&self->rtp_socket);
  g_clear_object (&self->rtcp_socket);
  g_clear_object (&self->answer_task);
  g_clear_handle_id (&self->hold_retry, g_source_remove);
  g_clear_object (&self->hold_task);
  g_clear_object (&self->transfer_task);
  if (self->referred_call != NULL)
    g_signal_handlers_disconnect_by_data (self->referred_call, self);
  g_clear_object (&self->referred_call);

  G_OBJECT_CLASS (dt_sip_call_parent_class)->dispose (object);
}

static void
dt_sip_call_finalize (GObject *object)
{
  DtSipCall *self = DT_SIP_CALL (object);

  g_free (self->address);
  g_strfreev (self->srtp_suites);
  g_clear_pointer (&self->local_sdp, dt_sdp_free);
  g_clear_pointer (&self->remote_offer, dt_sdp_free);
  g_clear_pointer (&self->negotiated, dt_sdp_negotiated_free);

  G_OBJECT_CLASS (dt_sip_call_parent_class)->finalize (object);
}

static void
dt_sip_call_class_init (DtSipCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  DtCallClass *call_class = DT_CALL_CLASS (klass);

  object_class->dispose = dt_sip_call_dispose;
  object_class->finalize = dt_sip_call_finalize;

  call_class->answer_async = dt_sip_call_answer_async;
  call_class->answer_finish = dt_sip_call_answer_finish;
  call_class->hangup_async = dt_sip_call_hangup_async;
  call_class->hangup_finish = dt_sip_call_hangup_finish;
  call_class->hold_async = dt_sip_call_hold_async;
  call_class->hold_finish = dt_sip_call_hold_finish;
  call_class->transfer_async = dt_sip_call_transfer_async;
  call_class->transfer_finish = dt_sip_call_transfer_finish;
  call_class->send_dtmf = dt_sip_call_send_dtmf;
  call_class->set_muted = dt_sip_call_set_muted;

  /**
   * DtSipCall::refer:
   * @target: the SIP URI the other side asks us to call (RFC 3515)
   *
   * The other side transfers us. The handler places the call to @target
   * and returns it; the transferor hears how it goes.
   *
   * Returns: (transfer full) (nullable): the new call, or %NULL
   */
  signals[SIGNAL_REFER] =
    g_signal_new ("refer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_first_wins, NULL, NULL,
                  DT_TYPE_CALL, 1, G_TYPE_STRING);
}

static void
dt_sip_call_init (DtSipCall *self)
{
  self->media_timeout_s = G_MAXUINT;
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_call_new_outgoing:
 * @ua: the account's user agent
 * @account_id: the account the call belongs to
 * @from: our address of record
 * @to: the SIP URI to call
 * @caps: the account's media capabilities; @caps->address is where the
 *   call's RTP port gets opened
 *
 * Sends the INVITE with an offer.
 *
 * Returns: (transfer full): the call, dialing, or %NULL with @error set
 */
DtSipCall *
dt_sip_call_new_outgoing (DtSipUserAgent   *ua,
                          const char       *account_id,
                          const char       *from,
                          const char       *to,
                          const DtSdpCaps  *caps,
                          DtAudioConfig    *audio,
                          GError          **error)
{
  g_autoptr(DtSipCall) self = NULL;
  g_autoptr(DtSipDialog) dialog = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (DT_SIP_IS_USER_AGENT (ua), NULL);
  g_return_val_if_fail (from != NULL && to != NULL && caps != NULL, NULL);

  self = g_object_new (DT_SIP_TYPE_CALL,
                       "protocol", "sip",
                       "account-id", account_id,
                       "direction", DT_CALL_DIRECTION_OUTGOING,
                       "peer-uri", to,
                       NULL);
  self->audio = audio ? g_object_ref (audio) : dt_audio_config_new ();
  take_caps (self, caps);
  if (!bind_rtp (self, error))
    return NULL;
  self->local_sdp = dt_sdp_create_offer (&self->caps, error);
  if (self->local_sdp == NULL)
    return NULL;
  body = sdp_to_bytes (self->local_sdp);
  dialog = dt_sip_user_agent_invite (ua, from, to, body, error);
  if (dialog == NULL)
    return NULL;
  attach_dialog (self, dialog);
  return g_steal_pointer (&self);
}

/**
 * dt_sip_call_new_incoming:
 * @dialog: the dialog DtSipUserAgent::incoming handed over
 * @offer: (nullable): the INVITE's offer
 * @account_id: the account it came to
 * @caps: the account's media capabilities
 *
 * Takes an incoming call and sends 180 Ringing.
 *
 * Returns: (transfer full): the call, ringing
 */
DtSipCall *
dt_sip_call_new_incoming (DtSipDialog     *dialog,
                          GBytes          *offer,
                          const char      *account_id,
                          const DtSdpCaps *caps,
                          DtAudioConfig   *audio)
{
  g_autoptr(DtSipCall) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *remote = NULL;
  g_autoptr(DtSipNameAddr) caller = NULL;
  DtSipMessage *invite;

  g_return_val_if_fail (DT_SIP_IS_DIALOG (dialog), NULL);
  g_return_val_if_fail (caps != NULL, NULL);

  remote = dt_sip_dialog_dup_remote_uri (dialog);
  self = g_object_new (DT_SIP_TYPE_CALL,
                       "protocol", "sip",
                       "account-id", account_id,
                       "direction", DT_CALL_DIRECTION_INCOMING,
                       "peer-uri", remote,
                       NULL);
  self->audio = audio ? g_object_ref (audio) : dt_audio_config_new ();
  invite = dt_sip_dialog_get_invite (dialog);
  caller = invite ? dt_sip_name_addr_parse (dt_sip_message_get_header (invite, "From")) : NULL;
  if (caller != NULL && caller->display_name != NULL && caller->display_name[0] != '\0')
    _dt_call_set_peer_name (DT_CALL (self), caller->display_name);

  take_caps (self, caps);
  attach_dialog (self, dialog);

  if (offer != NULL && g_bytes_get_size (offer) > 0)
    {
      self->remote_offer = sdp_from_bytes (offer, &error);
      if (self->remote_offer == NULL)
        {
          /* RFC 3261 §21.4.19 / RFC 3264: an offer we cannot read. */
          dt_sip_dialog_reject (dialog, 488, NULL, NULL);
          end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, error->message);
          return g_steal_pointer (&self);
        }
    }
  if (self->remote_offer != NULL && !check_offer_encryption (self))
    return g_steal_pointer (&self);
  if (!bind_rtp (self, &error))
    {
      dt_sip_dialog_reject (dialog, 500, NULL, NULL);
      end_call (self, DT_CALL_END_REASON_MEDIA_FAILED, error->message);
      return g_steal_pointer (&self);
    }
  if (!dt_sip_dialog_ring (dialog, NULL, &error))
    g_debug ("Call %s: %s", dt_call_get_id (DT_CALL (self)), error->message);
  return g_steal_pointer (&self);
}

/**
 * dt_sip_call_set_media_timeout:
 * @seconds: end the call when no RTP arrived for this long; 0 never
 *
 * For a call whose audio has not started yet.
 */
void
dt_sip_call_set_media_timeout (DtSipCall *self,
                               guint      seconds)
{
  g_return_if_fail (DT_SIP_IS_CALL (self));

  self->media_timeout_s = seconds;
  if (self->media != NULL)
    dt_rtp_session_set_media_timeout (self->media, seconds);
}

/**
 * dt_sip_call_get_media:
 *
 * Returns: (transfer none) (nullable): the call's audio, once it started
 */
DtRtpSession *
dt_sip_call_get_media (DtSipCall *self)
{
  g_return_val_if_fail (DT_SIP_IS_CALL (self), NULL);

  return self->media;
}

/**
 * dt_sip_call_get_dialog:
 *
 * Returns: (transfer none): the call's dialog
 */
DtSipDialog *
dt_sip_call_get_dialog (DtSipCall *self)
{
  g_return_val_if_fail (DT_SIP_IS_CALL (self), NULL);

  return self->dialog;
}

/**
 * dt_sip_call_get_negotiated:
 *
 * Returns: (nullable): what offer/answer settled on, once it has
 */
const DtSdpNegotiated *
dt_sip_call_get_negotiated (DtSipCall *self)
{
  g_return_val_if_fail (DT_SIP_IS_CALL (self), NULL);

  return self->negotiated;
}

/**
 * dt_sip_call_get_status_code:
 *
 * Returns: the last status code of the INVITE (or 0 before any)
 */
guint
dt_sip_call_get_status_code (DtSipCall *self)
{
  g_return_val_if_fail (DT_SIP_IS_CALL (self), 0);

  return self->status_code;
}

/**
 * dt_sip_call_get_rtp_port:
 *
 * Returns: the local RTP port the SDP names, or 0 once the call ended
 */
guint16
dt_sip_call_get_rtp_port (DtSipCall *self)
{
  g_return_val_if_fail (DT_SIP_IS_CALL (self), 0);

  return self->rtp_socket != NULL ? self->caps.port : 0;
}
