/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-backend.c
 *
 * The SIP backend; see dt-sip-backend.h.
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dt-rtp-session.h"
#include "dt-secrets.h"
#include "dt-sip-backend.h"

struct _DtSipBackend
{
  GObject       parent_instance;

  GHashTable   *endpoints;    /* account id → DtSipEndpoint */
  GHashTable   *passwords;    /* account id → password given directly */
  GHashTable   *reading;      /* account id → the connect GTask reading its password */
  GTlsDatabase *tls_database;
  GNetworkMonitor *network_monitor;
  guint         registration_expires;
  gboolean      no_registration;
  DtAudioConfig *audio;
  char         *codec;
  DtSdpSrtpPolicy srtp;
  GStrv           srtp_suites;
  guint         retry_base;
  guint         media_timeout;  /* G_MAXUINT: the media engine's default */
};

static void dt_sip_backend_iface_init (DtBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DtSipBackend, dt_sip_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (DT_TYPE_BACKEND, dt_sip_backend_iface_init))

/* --- connecting --------------------------------------------------------- */

static void
on_endpoint_incoming (DtSipEndpoint *endpoint,
                      DtSipCall     *call,
                      gpointer       user_data)
{
  DtSipBackend *self = user_data;

  dt_backend_emit_incoming_call (DT_BACKEND (self), dt_sip_endpoint_get_account (endpoint),
                                 DT_CALL (call));
}

static void
on_endpoint_call_added (DtSipEndpoint *endpoint,
                        DtSipCall     *call,
                        gpointer       user_data)
{
  DtSipBackend *self = user_data;

  dt_backend_emit_call_added (DT_BACKEND (self), dt_sip_endpoint_get_account (endpoint),
                              DT_CALL (call));
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_sip_endpoint_start_finish (DT_SIP_ENDPOINT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_account_enabled (DtAccount  *account,
                    GParamSpec *pspec,
                    gpointer    user_data)
{
  DtSipBackend *self = user_data;

  /* A disabled account unregisters at once; enabling it again is a new
   * dt_backend_connect_async() by whoever manages the accounts. */
  if (!dt_account_get_enabled (account))
    dt_backend_disconnect_async (DT_BACKEND (self), account, NULL, NULL, NULL);
}

static void
start_endpoint (DtSipBackend *self,
                GTask        *task,
                const char   *password)
{
  DtAccount *account = g_task_get_task_data (task);
  g_autoptr(DtSipEndpoint) endpoint = NULL;

  /* The first call should not wait for GStreamer's plugins. */
  dt_rtp_session_preload (self->codec, self->audio,
                          self->srtp != DT_SDP_SRTP_OFF
                          || dt_account_get_media_encryption (account) != DT_MEDIA_ENCRYPTION_OFF,
                          FALSE);
  endpoint = dt_sip_endpoint_new (account, password, self->tls_database);
  dt_sip_endpoint_set_registration_expires (endpoint, self->registration_expires);
  dt_sip_endpoint_set_retry_base (endpoint, self->retry_base);
  dt_sip_endpoint_set_media_timeout (endpoint, self->media_timeout);
  dt_sip_endpoint_set_registration_enabled (endpoint, !self->no_registration);
  dt_sip_endpoint_set_media (endpoint, self->audio, self->codec, self->srtp);
  dt_sip_endpoint_set_srtp_suites (endpoint, (const char * const *) self->srtp_suites);
  dt_sip_endpoint_set_network_monitor (endpoint, self->network_monitor);
  g_signal_connect (endpoint, "incoming-call", G_CALLBACK (on_endpoint_incoming), self);
  g_signal_connect (endpoint, "call-added", G_CALLBACK (on_endpoint_call_added), self);
  g_signal_connect_object (account, "notify::enabled", G_CALLBACK (on_account_enabled), self, 0);
  g_hash_table_replace (self->endpoints, g_strdup (dt_account_get_id (account)),
                        g_object_ref (endpoint));
  dt_sip_endpoint_start_async (endpoint, g_task_get_cancellable (task), on_started,
                               g_object_ref (task));
}

static void
on_password_found (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DtSipBackend *self = g_task_get_source_object (task);
  DtAccount *account = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;

  password = dt_secret_lookup_finish (result, &error);
  /* A disconnect, or a newer connect, while the password was read makes
   * this attempt stale: starting it would register an account the person
   * just turned off or edited. */
  if (g_hash_table_lookup (self->reading, dt_account_get_id (account)) != task)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The account was disconnected while connecting"));
      return;
    }
  g_hash_table_remove (self->reading, dt_account_get_id (account));
  if (error != NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("The password could not be read: %s"),
                                                 error->message);

      dt_account_set_state (account, DT_ACCOUNT_STATE_FAILED, reason);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s", reason);
      return;
    }
  /* No stored password is fine: some servers register without one. */
  start_endpoint (self, task, password);
}

static void
dt_sip_backend_connect_async (DtBackend           *backend,
                              DtAccount           *account,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  DtSipBackend *self = DT_SIP_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *id = dt_account_get_id (account);
  const char *password;

  g_task_set_source_tag (task, dt_sip_backend_connect_async);
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);

  if (!dt_account_get_enabled (account))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("The account is disabled"));
      return;
    }
  if (g_hash_table_contains (self->endpoints, id))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _("The account is already connected"));
      return;
    }

  password = g_hash_table_lookup (self->passwords, id);
  if (password != NULL)
    {
      start_endpoint (self, task, password);
      return;
    }
  dt_account_set_state (account, DT_ACCOUNT_STATE_CONNECTING, NULL);
  g_hash_table_replace (self->reading, g_strdup (id), g_object_ref (task));
  dt_secret_lookup_async (id, DT_SECRET_PASSWORD, cancellable, on_password_found,
                          g_object_ref (task));
}

static gboolean
dt_sip_backend_connect_finish (DtBackend     *backend,
                               GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_sip_endpoint_stop_finish (DT_SIP_ENDPOINT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
dt_sip_backend_disconnect_async (DtBackend           *backend,
                                 DtAccount           *account,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  DtSipBackend *self = DT_SIP_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(DtSipEndpoint) endpoint = NULL;
  const char *id = dt_account_get_id (account);
  g_autofree char *key = NULL;
  gpointer stolen = NULL;

  g_task_set_source_tag (task, dt_sip_backend_disconnect_async);
  g_hash_table_remove (self->reading, id);

  if (!g_hash_table_steal_extended (self->endpoints, id, (gpointer *) &key, &stolen))
    {
      dt_account_set_state (account, DT_ACCOUNT_STATE_OFFLINE, NULL);
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The endpoint is off the table but lives until it has unregistered. */
  endpoint = stolen;
  g_signal_handlers_disconnect_by_data (endpoint, self);
  g_signal_handlers_disconnect_by_func (account, on_account_enabled, self);
  dt_sip_endpoint_stop_async (endpoint, cancellable, on_stopped, g_steal_pointer (&task));
}

static gboolean
dt_sip_backend_disconnect_finish (DtBackend     *backend,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
dt_sip_backend_dial_async (DtBackend           *backend,
                           DtAccount           *account,
                           const char          *uri,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  DtSipBackend *self = DT_SIP_BACKEND (backend);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  DtSipEndpoint *endpoint = g_hash_table_lookup (self->endpoints, dt_account_get_id (account));
  g_autoptr(GError) error = NULL;
  DtSipCall *call;

  g_task_set_source_tag (task, dt_sip_backend_dial_async);

  if (endpoint == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The account is not connected"));
      return;
    }
  call = dt_sip_endpoint_dial (endpoint, uri, &error);
  if (call == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  dt_backend_emit_call_added (backend, account, DT_CALL (call));
  g_task_return_pointer (task, call, g_object_unref);
}

static DtCall *
dt_sip_backend_dial_finish (DtBackend     *backend,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
dt_sip_backend_get_protocol (DtBackend *backend)
{
  return "sip";
}

static const char * const *
dt_sip_backend_get_uri_schemes (DtBackend *backend)
{
  static const char * const schemes[] = { "sip", "sips", "tel", NULL };

  return schemes;
}

static void
dt_sip_backend_iface_init (DtBackendInterface *iface)
{
  iface->get_protocol = dt_sip_backend_get_protocol;
  iface->get_uri_schemes = dt_sip_backend_get_uri_schemes;
  iface->connect_async = dt_sip_backend_connect_async;
  iface->connect_finish = dt_sip_backend_connect_finish;
  iface->disconnect_async = dt_sip_backend_disconnect_async;
  iface->disconnect_finish = dt_sip_backend_disconnect_finish;
  iface->dial_async = dt_sip_backend_dial_async;
  iface->dial_finish = dt_sip_backend_dial_finish;
}

/* --- GObject ------------------------------------------------------------ */

static void
dt_sip_backend_dispose (GObject *object)
{
  DtSipBackend *self = DT_SIP_BACKEND (object);
  GHashTableIter iter;
  gpointer value;

  if (self->endpoints != NULL)
    {
      g_hash_table_iter_init (&iter, self->endpoints);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
    }
  g_clear_pointer (&self->endpoints, g_hash_table_unref);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->audio);

  G_OBJECT_CLASS (dt_sip_backend_parent_class)->dispose (object);
}

static void
dt_sip_backend_finalize (GObject *object)
{
  DtSipBackend *self = DT_SIP_BACKEND (object);

  g_clear_pointer (&self->passwords, g_hash_table_unref);
  g_clear_pointer (&self->reading, g_hash_table_unref);
  g_free (self->codec);
  g_strfreev (self->srtp_suites);

  G_OBJECT_CLASS (dt_sip_backend_parent_class)->finalize (object);
}

static void
dt_sip_backend_class_init (DtSipBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_sip_backend_dispose;
  object_class->finalize = dt_sip_backend_finalize;
}

static void
dt_sip_backend_init (DtSipBackend *self)
{
  self->media_timeout = G_MAXUINT;
  self->endpoints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->passwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) g_free);
  self->reading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* --- public API -------------------------------------------------------- */

/**
 * dt_sip_backend_new:
 *
 * Returns: (transfer full): the SIP backend
 */
DtSipBackend *
dt_sip_backend_new (void)
{
  return g_object_new (DT_SIP_TYPE_BACKEND, NULL);
}

/**
 * dt_sip_backend_set_password:
 * @account_id: an account
 * @password: (nullable): its password, or %NULL to read it from the Secret
 *   Service again
 *
 * For programs without a Secret Service, such as `dialtone-helper call
 * --password`: the password to use for @account_id instead of looking it
 * up. It stays in memory only. The desktop app never calls this.
 */
void
dt_sip_backend_set_password (DtSipBackend *self,
                             const char   *account_id,
                             const char   *password)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));
  g_return_if_fail (account_id != NULL);

  if (password == NULL)
    g_hash_table_remove (self->passwords, account_id);
  else
    g_hash_table_replace (self->passwords, g_strdup (account_id), g_strdup (password));
}

/**
 * dt_sip_backend_set_tls_database:
 * @database: (nullable): the certificates to trust for SIP over TLS, or
 *   %NULL for the system's
 *
 * Applies to accounts connected from now on.
 */
void
dt_sip_backend_set_tls_database (DtSipBackend *self,
                                 GTlsDatabase *database)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  g_set_object (&self->tls_database, database);
}

/**
 * dt_sip_backend_set_network_monitor:
 * @monitor: (nullable): what says the network changed (then accounts
 *   register again), or %NULL for the system's
 *
 * Applies to accounts connected from now on.
 */
void
dt_sip_backend_set_network_monitor (DtSipBackend    *self,
                                    GNetworkMonitor *monitor)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));
  g_return_if_fail (monitor == NULL || G_IS_NETWORK_MONITOR (monitor));

  g_set_object (&self->network_monitor, monitor);
}

/**
 * dt_sip_backend_set_audio_config:
 * @audio: (nullable): the headset ends and DSP for calls from now on, or
 *   %NULL for the defaults
 */
void
dt_sip_backend_set_audio_config (DtSipBackend  *self,
                                 DtAudioConfig *audio)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  g_set_object (&self->audio, audio);
}

/**
 * dt_sip_backend_set_codec:
 * @codec: (nullable): offer only this codec ("opus", "G722", "PCMU",
 *   "PCMA"), or %NULL for all of them, Opus first
 */
void
dt_sip_backend_set_codec (DtSipBackend *self,
                          const char   *codec)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));
  g_return_if_fail (codec == NULL || dt_sip_endpoint_codec_is_known (codec));

  g_free (self->codec);
  self->codec = g_strdup (codec);
}

/**
 * dt_sip_backend_codec_is_known:
 *
 * Returns: whether @codec is one dt_sip_backend_set_codec() takes
 */
gboolean
dt_sip_backend_codec_is_known (const char *codec)
{
  g_return_val_if_fail (codec != NULL, FALSE);

  return dt_sip_endpoint_codec_is_known (codec);
}

/**
 * dt_sip_backend_set_srtp_policy:
 * @policy: SRTP with SDES keys (RFC 4568): off, optional or required
 *
 * The least every account's calls use: each account's
 * #DtAccount:media-encryption may ask for more, never for less. %DT_SDP_SRTP_OFF
 * (the default) leaves it to the accounts. Applies to accounts connected
 * from now on.
 */
void
dt_sip_backend_set_srtp_policy (DtSipBackend    *self,
                                DtSdpSrtpPolicy  policy)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  self->srtp = policy;
}

/**
 * dt_sip_backend_set_srtp_suites:
 * @suites: (nullable) (array zero-terminated=1): the SDES crypto suites to
 *   offer and accept, best first (`AES_CM_128_HMAC_SHA1_80`,
 *   `AES_CM_128_HMAC_SHA1_32`), or %NULL for both
 *
 * Applies to accounts connected from now on.
 */
void
dt_sip_backend_set_srtp_suites (DtSipBackend       *self,
                                const char * const *suites)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  g_strfreev (self->srtp_suites);
  self->srtp_suites = g_strdupv ((GStrv) suites);
}

/**
 * dt_sip_backend_set_media_timeout:
 * @seconds: how long a call may receive no RTP before it is hung up (the
 *   far end is gone without a BYE), 0 never to, %G_MAXUINT for the media
 *   engine's default of 30 s
 *
 * Applies to every account's calls from the next one on.
 */
void
dt_sip_backend_set_media_timeout (DtSipBackend *self,
                                  guint         seconds)
{
  GHashTableIter iter;
  gpointer endpoint;

  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  self->media_timeout = seconds;
  g_hash_table_iter_init (&iter, self->endpoints);
  while (g_hash_table_iter_next (&iter, NULL, &endpoint))
    dt_sip_endpoint_set_media_timeout (endpoint, seconds);
}

/**
 * dt_sip_backend_set_registration_enabled:
 * @enabled: %FALSE for accounts that only place and take calls and never
 *   REGISTER (`dialtone-helper call` without `--password`)
 *
 * Applies to accounts connected from now on.
 */
void
dt_sip_backend_set_registration_enabled (DtSipBackend *self,
                                         gboolean      enabled)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  self->no_registration = !enabled;
}

/**
 * dt_sip_backend_set_registration_expires:
 * @expires: the registration interval to ask for, in seconds; 0 for the
 *   default of %DT_SIP_REGISTRATION_DEFAULT_EXPIRES
 */
void
dt_sip_backend_set_registration_expires (DtSipBackend *self,
                                         guint         expires)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  self->registration_expires = expires;
}

/**
 * dt_sip_backend_set_retry_base:
 * @seconds: the wait after a first registration failure; 0 for the default
 *   of %DT_SIP_REGISTRATION_RETRY_BASE_S
 */
void
dt_sip_backend_set_retry_base (DtSipBackend *self,
                               guint         seconds)
{
  g_return_if_fail (DT_SIP_IS_BACKEND (self));

  self->retry_base = seconds;
}

/**
 * dt_sip_backend_get_endpoint:
 *
 * Returns: (transfer none) (nullable): the endpoint of a connected account
 */
DtSipEndpoint *
dt_sip_backend_get_endpoint (DtSipBackend *self,
                             const char   *account_id)
{
  g_return_val_if_fail (DT_SIP_IS_BACKEND (self), NULL);
  g_return_val_if_fail (account_id != NULL, NULL);

  return g_hash_table_lookup (self->endpoints, account_id);
}
