/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-secrets.h
 *
 * Account passwords and access tokens, kept in the Secret Service.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * DtSecretKind:
 * @DT_SECRET_PASSWORD: the account's password (SIP digest, Verto login)
 * @DT_SECRET_ACCESS_TOKEN: a token the server issued (Matrix access token)
 * @DT_SECRET_TURN_PASSWORD: the password the account's TURN servers share
 *   (RFC 8656 long-term credential), beside #DtAccount:turn-username
 */
typedef enum {
  DT_SECRET_PASSWORD,
  DT_SECRET_ACCESS_TOKEN,
  DT_SECRET_TURN_PASSWORD,
} DtSecretKind;

void      dt_secret_store_async   (const char          *account_id,
                                   DtSecretKind         kind,
                                   const char          *label,
                                   const char          *secret,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  dt_secret_store_finish  (GAsyncResult  *result,
                                   GError       **error);
void      dt_secret_lookup_async  (const char          *account_id,
                                   DtSecretKind         kind,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
char     *dt_secret_lookup_finish (GAsyncResult  *result,
                                   GError       **error);
void      dt_secret_clear_async   (const char          *account_id,
                                   DtSecretKind         kind,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
gboolean  dt_secret_clear_finish  (GAsyncResult  *result,
                                   GError       **error);
void      dt_secret_clear_account_async  (const char          *account_id,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  dt_secret_clear_account_finish (GAsyncResult  *result,
                                          GError       **error);

G_END_DECLS
