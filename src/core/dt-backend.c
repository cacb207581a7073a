/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-backend.c */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-backend.h"

/**
 * DtBackend:
 *
 * A protocol: it connects accounts, places calls and reports incoming ones.
 * The UI and `dialtone-helper call` know backends only through this
 * interface.
 */

enum {
  INCOMING_CALL,
  CALL_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_INTERFACE (DtBackend, dt_backend, G_TYPE_OBJECT)

static void
dt_backend_default_init (DtBackendInterface *iface)
{
  /**
   * DtBackend::incoming-call:
   * @account: the account the call arrived on
   * @call: the new call, ringing
   *
   * Someone is calling. Handlers take a reference to @call if they keep it.
   */
  signals[INCOMING_CALL] =
    g_signal_new ("incoming-call",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DT_TYPE_ACCOUNT, DT_TYPE_CALL);

  /**
   * DtBackend::call-added:
   * @account: the account the call belongs to
   * @call: the new call
   *
   * The backend made an outgoing call: one dialled through
   * dt_backend_dial_async(), emitted as soon as the call exists and before
   * its state can change (the dial's result comes a main-loop turn later,
   * when a far end on the same machine may already have answered), or one
   * it placed by itself, such as the call a transfer asks for (SIP REFER,
   * RFC 3515). Handlers take a reference to @call if they keep it.
   */
  signals[CALL_ADDED] =
    g_signal_new ("call-added",
                  G_TYPE_FROM_INTERFACE (iface),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, DT_TYPE_ACCOUNT, DT_TYPE_CALL);
}

/**
 * dt_backend_get_protocol:
 *
 * Returns: the protocol name, such as "sip"; the key of
 *   #DtAccount:protocol
 */
const char *
dt_backend_get_protocol (DtBackend *self)
{
  g_return_val_if_fail (DT_IS_BACKEND (self), NULL);

  return DT_BACKEND_GET_IFACE (self)->get_protocol (self);
}

/**
 * dt_backend_get_uri_schemes:
 *
 * Returns: (transfer none) (array zero-terminated=1): the URI schemes the
 *   backend places calls to, lower case
 */
const char * const *
dt_backend_get_uri_schemes (DtBackend *self)
{
  static const char * const none[] = { NULL };
  DtBackendInterface *iface;

  g_return_val_if_fail (DT_IS_BACKEND (self), none);

  iface = DT_BACKEND_GET_IFACE (self);
  if (iface->get_uri_schemes == NULL)
    return none;

  return iface->get_uri_schemes (self);
}

/**
 * dt_backend_handles_scheme:
 *
 * Returns: whether @scheme (any case) is one of the backend's schemes
 */
gboolean
dt_backend_handles_scheme (DtBackend  *self,
                           const char *scheme)
{
  const char * const *schemes;

  g_return_val_if_fail (DT_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (scheme != NULL, FALSE);

  schemes = dt_backend_get_uri_schemes (self);
  for (guint i = 0; schemes[i]; i++)
    {
      if (g_ascii_strcasecmp (schemes[i], scheme) == 0)
        return TRUE;
    }

  return FALSE;
}

/**
 * dt_backend_connect_async:
 *
 * Connects @account: registers, logs in or opens the signalling
 * connection, as the protocol does. Progress shows in #DtAccount:state.
 */
void
dt_backend_connect_async (DtBackend           *self,
                          DtAccount           *account,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (DT_IS_BACKEND (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  DT_BACKEND_GET_IFACE (self)->connect_async (self, account, cancellable, callback, user_data);
}

gboolean
dt_backend_connect_finish (DtBackend     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (DT_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  return DT_BACKEND_GET_IFACE (self)->connect_finish (self, result, error);
}

/**
 * dt_backend_disconnect_async:
 *
 * Disconnects @account cleanly (for SIP, unregisters).
 */
void
dt_backend_disconnect_async (DtBackend           *self,
                             DtAccount           *account,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (DT_IS_BACKEND (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  DT_BACKEND_GET_IFACE (self)->disconnect_async (self, account, cancellable, callback, user_data);
}

gboolean
dt_backend_disconnect_finish (DtBackend     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (DT_IS_BACKEND (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);

  return DT_BACKEND_GET_IFACE (self)->disconnect_finish (self, result, error);
}

/**
 * dt_backend_dial_async:
 * @uri: where to call
 *
 * Places a call from @account. Finish with dt_backend_dial_finish(), which
 * gives the new #DtCall as soon as it is dialing.
 */
void
dt_backend_dial_async (DtBackend           *self,
                       DtAccount           *account,
                       const char          *uri,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (DT_IS_BACKEND (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  DT_BACKEND_GET_IFACE (self)->dial_async (self, account, uri, cancellable, callback, user_data);
}

/**
 * dt_backend_dial_finish:
 *
 * Returns: (transfer full): the new call, or %NULL with @error set
 */
DtCall *
dt_backend_dial_finish (DtBackend     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (DT_IS_BACKEND (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return DT_BACKEND_GET_IFACE (self)->dial_finish (self, result, error);
}

/**
 * dt_backend_get_ice_servers:
 * @self: a #DtBackend
 * @account: an account of this backend
 *
 * The STUN and TURN servers the backend learnt for @account from its
 * server, such as Matrix's `/voip/turnServer`, for calls and for
 * Diagnostics to test. Backends that learn none leave the vfunc unset.
 *
 * Returns: (transfer container) (element-type DtIceServer): the servers,
 *   possibly none; never %NULL
 */
GPtrArray *
dt_backend_get_ice_servers (DtBackend *self,
                            DtAccount *account)
{
  DtBackendInterface *iface;
  GPtrArray *servers = NULL;

  g_return_val_if_fail (DT_IS_BACKEND (self), NULL);
  g_return_val_if_fail (DT_IS_ACCOUNT (account), NULL);

  iface = DT_BACKEND_GET_IFACE (self);
  if (iface->get_ice_servers != NULL)
    servers = iface->get_ice_servers (self, account);
  if (servers == NULL)
    servers = g_ptr_array_new_with_free_func (g_object_unref);

  return servers;
}

/**
 * dt_backend_emit_incoming_call:
 *
 * For backends: announces a new incoming call.
 */
void
dt_backend_emit_incoming_call (DtBackend *self,
                               DtAccount *account,
                               DtCall    *call)
{
  g_return_if_fail (DT_IS_BACKEND (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));
  g_return_if_fail (DT_IS_CALL (call));

  g_signal_emit (self, signals[INCOMING_CALL], 0, account, call);
}

/**
 * dt_backend_emit_call_added:
 *
 * For backends: announces a call the backend placed by itself.
 */
void
dt_backend_emit_call_added (DtBackend *self,
                            DtAccount *account,
                            DtCall    *call)
{
  g_return_if_fail (DT_IS_BACKEND (self));
  g_return_if_fail (DT_IS_ACCOUNT (account));
  g_return_if_fail (DT_IS_CALL (call));

  g_signal_emit (self, signals[CALL_ADDED], 0, account, call);
}
