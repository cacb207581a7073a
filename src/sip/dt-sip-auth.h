/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-auth.h
 *
 * SIP digest authentication (RFC 3261 §22, RFC 7616, RFC 8760) on header
 * values: parsing challenges and credentials, answering challenges as a
 * client, and issuing and checking them as a registrar.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Longest header value Dialtone reads, in bytes. */
#define DT_SIP_AUTH_MAX_VALUE_LENGTH 4096

/**
 * DtSipAuthAlgorithm:
 * @DT_SIP_AUTH_ALGORITHM_MD5: MD5, also what a missing `algorithm` means
 * @DT_SIP_AUTH_ALGORITHM_MD5_SESS: MD5-sess
 * @DT_SIP_AUTH_ALGORITHM_SHA256: SHA-256 (RFC 8760)
 * @DT_SIP_AUTH_ALGORITHM_SHA256_SESS: SHA-256-sess
 */
typedef enum {
  DT_SIP_AUTH_ALGORITHM_MD5,
  DT_SIP_AUTH_ALGORITHM_MD5_SESS,
  DT_SIP_AUTH_ALGORITHM_SHA256,
  DT_SIP_AUTH_ALGORITHM_SHA256_SESS,
} DtSipAuthAlgorithm;

/**
 * DtSipAuthError:
 * @DT_SIP_AUTH_ERROR_MALFORMED: the value breaks the grammar or lacks a
 *   required parameter
 * @DT_SIP_AUTH_ERROR_UNSUPPORTED: a scheme, algorithm or qop Dialtone does
 *   not implement
 * @DT_SIP_AUTH_ERROR_REJECTED: the server refused the credentials
 */
typedef enum {
  DT_SIP_AUTH_ERROR_MALFORMED,
  DT_SIP_AUTH_ERROR_UNSUPPORTED,
  DT_SIP_AUTH_ERROR_REJECTED,
} DtSipAuthError;

#define DT_SIP_AUTH_ERROR (dt_sip_auth_error_quark ())
GQuark dt_sip_auth_error_quark (void);

/**
 * DtSipAuthChallenge:
 * @realm: the protection space
 * @nonce: the server's nonce
 * @opaque: (nullable): echoed back unchanged
 * @domain: (nullable): the domain parameter, unparsed
 * @algorithm: the hash to use
 * @stale: the previous nonce had expired but the password was right
 * @qop_auth: the server asks for qop=auth; %FALSE means the RFC 2069 form
 *
 * One parsed WWW-Authenticate or Proxy-Authenticate value with the Digest
 * scheme. Values are unescaped.
 */
typedef struct {
  char               *realm;
  char               *nonce;
  char               *opaque;
  char               *domain;
  DtSipAuthAlgorithm  algorithm;
  gboolean            stale;
  gboolean            qop_auth;
} DtSipAuthChallenge;

/**
 * DtSipAuthCredentials:
 * @username: the user
 * @realm: the protection space answered
 * @nonce: the nonce answered
 * @uri: the digest-uri, as the client sent it
 * @response: the digest, lower-case hex of the algorithm's length
 * @cnonce: (nullable): set when @qop_auth is
 * @opaque: (nullable): the opaque value echoed
 * @algorithm: the hash used
 * @qop_auth: the client answered with qop=auth
 * @nc: the nonce count, 0 without qop
 *
 * One parsed Authorization or Proxy-Authorization value with the Digest
 * scheme.
 */
typedef struct {
  char               *username;
  char               *realm;
  char               *nonce;
  char               *uri;
  char               *response;
  char               *cnonce;
  char               *opaque;
  DtSipAuthAlgorithm  algorithm;
  gboolean            qop_auth;
  guint32             nc;
} DtSipAuthCredentials;

#define DT_SIP_TYPE_AUTH_CHALLENGE (dt_sip_auth_challenge_get_type ())
GType                 dt_sip_auth_challenge_get_type   (void) G_GNUC_CONST;
DtSipAuthChallenge   *dt_sip_auth_challenge_parse      (const char                *value,
                                                        GError                   **error);
DtSipAuthChallenge   *dt_sip_auth_challenge_pick       (const char * const        *values,
                                                        GError                   **error);
DtSipAuthChallenge   *dt_sip_auth_challenge_copy       (const DtSipAuthChallenge  *self);
void                  dt_sip_auth_challenge_free       (DtSipAuthChallenge        *self);

#define DT_SIP_TYPE_AUTH_CREDENTIALS (dt_sip_auth_credentials_get_type ())
GType                 dt_sip_auth_credentials_get_type (void) G_GNUC_CONST;
DtSipAuthCredentials *dt_sip_auth_credentials_parse    (const char                *value,
                                                        GError                   **error);
DtSipAuthCredentials *dt_sip_auth_credentials_copy     (const DtSipAuthCredentials *self);
void                  dt_sip_auth_credentials_free     (DtSipAuthCredentials      *self);

const char           *dt_sip_auth_algorithm_to_string  (DtSipAuthAlgorithm         algorithm);
char                 *dt_sip_auth_compute_response     (DtSipAuthAlgorithm         algorithm,
                                                        const char                *username,
                                                        const char                *realm,
                                                        const char                *password,
                                                        const char                *nonce,
                                                        const char                *cnonce,
                                                        guint32                    nc,
                                                        const char                *method,
                                                        const char                *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipAuthChallenge, dt_sip_auth_challenge_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipAuthCredentials, dt_sip_auth_credentials_free)

/* Client */

/**
 * DtSipAuthHeader:
 * @DT_SIP_AUTH_HEADER_WWW: WWW-Authenticate, answered in Authorization (401)
 * @DT_SIP_AUTH_HEADER_PROXY: Proxy-Authenticate, answered in
 *   Proxy-Authorization (407)
 */
typedef enum {
  DT_SIP_AUTH_HEADER_WWW,
  DT_SIP_AUTH_HEADER_PROXY,
} DtSipAuthHeader;

/**
 * DtSipAuthClientResult:
 * @DT_SIP_AUTH_CLIENT_RETRY: credentials are ready; resend the request
 * @DT_SIP_AUTH_CLIENT_FAILED: the server refused the credentials it was
 *   given: the password is wrong (the account's "Authentication failed")
 * @DT_SIP_AUTH_CLIENT_UNSUPPORTED: no challenge that Dialtone can answer
 */
typedef enum {
  DT_SIP_AUTH_CLIENT_RETRY,
  DT_SIP_AUTH_CLIENT_FAILED,
  DT_SIP_AUTH_CLIENT_UNSUPPORTED,
} DtSipAuthClientResult;

/**
 * DtSipAuthCnonceFunc:
 * @user_data: the data given with the function
 *
 * Returns: (transfer full): a new client nonce, made of token characters
 */
typedef char *(*DtSipAuthCnonceFunc) (gpointer user_data);

#define DT_SIP_TYPE_AUTH_CLIENT (dt_sip_auth_client_get_type ())
G_DECLARE_FINAL_TYPE (DtSipAuthClient, dt_sip_auth_client, DT_SIP, AUTH_CLIENT, GObject)

DtSipAuthClient      *dt_sip_auth_client_new           (const char                *username,
                                                        const char                *password);
void                  dt_sip_auth_client_set_cnonce_func (DtSipAuthClient         *self,
                                                        DtSipAuthCnonceFunc        func,
                                                        gpointer                   user_data,
                                                        GDestroyNotify             destroy);
DtSipAuthClientResult dt_sip_auth_client_handle_challenges (DtSipAuthClient       *self,
                                                        DtSipAuthHeader            header,
                                                        const char * const        *values,
                                                        GError                   **error);
char                **dt_sip_auth_client_authorize     (DtSipAuthClient           *self,
                                                        DtSipAuthHeader            header,
                                                        const char                *method,
                                                        const char                *uri);
void                  dt_sip_auth_client_accepted      (DtSipAuthClient           *self);
void                  dt_sip_auth_client_forget        (DtSipAuthClient           *self);

/* Server */

/**
 * DtSipAuthVerdict:
 * @DT_SIP_AUTH_OK: the credentials are right
 * @DT_SIP_AUTH_STALE: the password was right but the nonce is too old or
 *   was not issued by this server: challenge again with stale=true
 * @DT_SIP_AUTH_BAD_CREDENTIALS: unknown user or wrong password (the two are
 *   never told apart to the client)
 * @DT_SIP_AUTH_MALFORMED: the value could not be read
 * @DT_SIP_AUTH_REPLAY: a valid digest seen before (nonce count not
 *   increasing, or a nonce without qop used twice)
 * @DT_SIP_AUTH_WRONG_REALM: credentials for another realm
 */
typedef enum {
  DT_SIP_AUTH_OK,
  DT_SIP_AUTH_STALE,
  DT_SIP_AUTH_BAD_CREDENTIALS,
  DT_SIP_AUTH_MALFORMED,
  DT_SIP_AUTH_REPLAY,
  DT_SIP_AUTH_WRONG_REALM,
} DtSipAuthVerdict;

/**
 * DtSipAuthPasswordFunc:
 * @username: the user named in the credentials
 * @realm: the server's realm
 * @user_data: the data given with the function
 *
 * Returns: (transfer full) (nullable): the user's password, or %NULL for an
 *   unknown user
 */
typedef char *(*DtSipAuthPasswordFunc) (const char *username,
                                        const char *realm,
                                        gpointer    user_data);

/**
 * DtSipAuthClockFunc:
 * @user_data: the data given with the function
 *
 * Returns: the current time in microseconds, on a clock that never goes
 *   back
 */
typedef gint64 (*DtSipAuthClockFunc) (gpointer user_data);

#define DT_SIP_AUTH_DEFAULT_NONCE_LIFETIME 300

#define DT_SIP_TYPE_AUTH_SERVER (dt_sip_auth_server_get_type ())
G_DECLARE_FINAL_TYPE (DtSipAuthServer, dt_sip_auth_server, DT_SIP, AUTH_SERVER, GObject)

DtSipAuthServer      *dt_sip_auth_server_new           (const char                *realm);
const char           *dt_sip_auth_server_get_realm     (DtSipAuthServer           *self);
void                  dt_sip_auth_server_set_password_func (DtSipAuthServer       *self,
                                                        DtSipAuthPasswordFunc      func,
                                                        gpointer                   user_data,
                                                        GDestroyNotify             destroy);
void                  dt_sip_auth_server_set_clock     (DtSipAuthServer           *self,
                                                        DtSipAuthClockFunc         func,
                                                        gpointer                   user_data);
guint                 dt_sip_auth_server_get_nonce_lifetime (DtSipAuthServer      *self);
void                  dt_sip_auth_server_set_nonce_lifetime (DtSipAuthServer      *self,
                                                        guint                      seconds);
gboolean              dt_sip_auth_server_get_md5_only  (DtSipAuthServer           *self);
void                  dt_sip_auth_server_set_md5_only  (DtSipAuthServer           *self,
                                                        gboolean                   md5_only);
gboolean              dt_sip_auth_server_get_qop       (DtSipAuthServer           *self);
void                  dt_sip_auth_server_set_qop       (DtSipAuthServer           *self,
                                                        gboolean                   qop);
char                **dt_sip_auth_server_create_challenges (DtSipAuthServer       *self,
                                                        gboolean                   stale);
DtSipAuthVerdict      dt_sip_auth_server_verify        (DtSipAuthServer           *self,
                                                        const char                *method,
                                                        const char                *value,
                                                        char                     **username);

G_END_DECLS
