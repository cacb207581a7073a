/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-account.h
 *
 * One account of one protocol: who we are, where the server is, and whether
 * we are connected to it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  DT_ACCOUNT_STATE_OFFLINE,
  DT_ACCOUNT_STATE_CONNECTING,
  DT_ACCOUNT_STATE_ONLINE,
  DT_ACCOUNT_STATE_FAILED,
} DtAccountState;

/**
 * DtTransport:
 * @DT_TRANSPORT_AUTO: let the backend choose (RFC 3263 for SIP)
 * @DT_TRANSPORT_UDP: UDP
 * @DT_TRANSPORT_TCP: TCP
 * @DT_TRANSPORT_TLS: TLS over TCP
 */
typedef enum {
  DT_TRANSPORT_AUTO,
  DT_TRANSPORT_UDP,
  DT_TRANSPORT_TCP,
  DT_TRANSPORT_TLS,
} DtTransport;

/**
 * DtMediaEncryption:
 * @DT_MEDIA_ENCRYPTION_OFF: plain media; a peer that requires encryption
 *   is refused
 * @DT_MEDIA_ENCRYPTION_OPTIONAL: encrypt when the other side can, else
 *   go on unencrypted (for SIP: SDES keys offered with RTP/AVP)
 * @DT_MEDIA_ENCRYPTION_REQUIRED: encrypt or do not call (for SIP:
 *   RTP/SAVP; an offer or answer without a key ends the call)
 *
 * What an account asks of a call's media. Each protocol maps it to its own
 * means (SDES-SRTP for SIP); WebRTC-based protocols always encrypt.
 */
typedef enum {
  DT_MEDIA_ENCRYPTION_OFF,
  DT_MEDIA_ENCRYPTION_OPTIONAL,
  DT_MEDIA_ENCRYPTION_REQUIRED,
} DtMediaEncryption;

#define DT_TYPE_ACCOUNT (dt_account_get_type ())
G_DECLARE_FINAL_TYPE (DtAccount, dt_account, DT, ACCOUNT, GObject)

DtAccount      *dt_account_new                (const char *id,
                                               const char *protocol);

const char     *dt_account_get_id             (DtAccount  *self);
const char     *dt_account_get_protocol       (DtAccount  *self);
const char     *dt_account_get_identity       (DtAccount  *self);
void            dt_account_set_identity       (DtAccount  *self,
                                               const char *identity);
const char     *dt_account_get_server         (DtAccount  *self);
void            dt_account_set_server         (DtAccount  *self,
                                               const char *server);
DtTransport     dt_account_get_transport      (DtAccount  *self);
void            dt_account_set_transport      (DtAccount  *self,
                                               DtTransport transport);
DtMediaEncryption dt_account_get_media_encryption (DtAccount       *self);
void            dt_account_set_media_encryption (DtAccount         *self,
                                                 DtMediaEncryption  encryption);
const char     *dt_account_get_display_name   (DtAccount  *self);
void            dt_account_set_display_name   (DtAccount  *self,
                                               const char *display_name);
gboolean        dt_account_get_enabled        (DtAccount  *self);
void            dt_account_set_enabled        (DtAccount  *self,
                                               gboolean    enabled);

DtAccountState  dt_account_get_state          (DtAccount  *self);
const char     *dt_account_get_failure_reason (DtAccount  *self);
void            dt_account_set_state          (DtAccount      *self,
                                               DtAccountState  state,
                                               const char     *failure_reason);

void            dt_account_set_voicemail      (DtAccount  *self,
                                               gboolean    messages_waiting,
                                               guint       new_messages,
                                               guint       old_messages);
gboolean        dt_account_get_messages_waiting (DtAccount *self);
guint           dt_account_get_new_messages   (DtAccount  *self);
guint           dt_account_get_old_messages   (DtAccount  *self);

const char * const *dt_account_get_stun_servers (DtAccount          *self);
void            dt_account_set_stun_servers   (DtAccount          *self,
                                               const char * const *uris);
const char * const *dt_account_get_turn_servers (DtAccount          *self);
void            dt_account_set_turn_servers   (DtAccount          *self,
                                               const char * const *uris);
const char     *dt_account_get_turn_username  (DtAccount  *self);
void            dt_account_set_turn_username  (DtAccount  *self,
                                               const char *username);
GPtrArray      *dt_account_dup_ice_servers    (DtAccount  *self,
                                               const char *turn_password);
void            dt_account_lookup_ice_servers_async  (DtAccount           *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray      *dt_account_lookup_ice_servers_finish (DtAccount     *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);

const char     *dt_account_get_voicemail_uri  (DtAccount  *self);
void            dt_account_set_voicemail_uri  (DtAccount  *self,
                                               const char *uri);

char           *dt_account_dup_label          (DtAccount  *self);

G_END_DECLS
