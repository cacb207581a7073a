/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-reflector.c
 *
 * Echo by reflection: whatever arrives on the RTP or RTCP port goes back
 * to its source. Reflecting RTCP too keeps the caller's round-trip time
 * estimate meaningful (its own sender reports come back), and sending to
 * the source rather than to the SDP address makes echo work through NAT
 * (symmetric RTP, RFC 4961).
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include "dt-rtp-reflector.h"

/* Larger than any RTP packet a softphone sends; longer datagrams are cut
 * by the kernel and reflected as received. */
#define REFLECTOR_BUFFER_SIZE 2048

typedef struct
{
  DtRtpReflector *reflector;
  GSocket        *socket;
  GSource        *source;
  guint16         port;
} ReflectorSocket;

struct _DtRtpReflector
{
  ReflectorSocket rtp;
  ReflectorSocket rtcp;
  gboolean        reflect;
  guint64         n_reflected;
};

static gboolean
on_readable (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  ReflectorSocket *rs = user_data;
  guint8 buffer[REFLECTOR_BUFFER_SIZE];

  /* Drain what is queued, so one wake-up serves a burst. */
  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GSocketAddress) from = NULL;
      g_autoptr(GError) error = NULL;
      gssize n;

      n = g_socket_receive_from (socket, &from, (char *) buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          /* WOULD_BLOCK ends the burst; ICMP errors (CONNECTION_REFUSED
           * from a caller that went away) are not ours to act on. */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("RTP reflector receive: %s", error->message);
          break;
        }
      if (!rs->reflector->reflect || from == NULL)
        continue;
      if (g_socket_send_to (socket, from, (const char *) buffer, n, NULL, &error) == n)
        rs->reflector->n_reflected++;
      else if (error != NULL)
        g_debug ("RTP reflector send: %s", error->message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
reflector_socket_open (DtRtpReflector   *self,
                       ReflectorSocket  *rs,
                       GInetAddress     *address,
                       GError          **error)
{
  g_autoptr(GSocketAddress) bind_address = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  rs->reflector = self;
  rs->socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                             G_SOCKET_PROTOCOL_UDP, error);
  if (rs->socket == NULL)
    return FALSE;
  g_socket_set_blocking (rs->socket, FALSE);

  bind_address = g_inet_socket_address_new (address, 0);
  if (!g_socket_bind (rs->socket, bind_address, FALSE, error))
    return FALSE;
  local = g_socket_get_local_address (rs->socket, error);
  if (local == NULL)
    return FALSE;
  rs->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  rs->source = g_socket_create_source (rs->socket, G_IO_IN, NULL);
  g_source_set_callback (rs->source, G_SOURCE_FUNC (on_readable), rs, NULL);
  g_source_attach (rs->source, g_main_context_get_thread_default ());
  return TRUE;
}

static void
reflector_socket_close (ReflectorSocket *rs)
{
  if (rs->source != NULL)
    g_source_destroy (rs->source);
  g_clear_pointer (&rs->source, g_source_unref);
  if (rs->socket != NULL)
    g_socket_close (rs->socket, NULL);
  g_clear_object (&rs->socket);
}

/**
 * dt_rtp_reflector_new:
 * @address: the local address to bind, normally the helper's listen address
 * @reflect: %TRUE to send packets back, %FALSE to read and drop them (a
 *   media sink for load tests)
 * @error: return location for a #GError
 *
 * Binds an RTP and an RTCP socket on free ports of @address. The RTCP port
 * is generally not RTP + 1, so the SDP must name it with `a=rtcp`
 * (RFC 3605).
 *
 * Returns: (transfer full) (nullable): the reflector, or %NULL with @error set
 */
DtRtpReflector *
dt_rtp_reflector_new (GInetAddress  *address,
                      gboolean       reflect,
                      GError       **error)
{
  g_autoptr(DtRtpReflector) self = NULL;

  g_return_val_if_fail (G_IS_INET_ADDRESS (address), NULL);

  self = g_new0 (DtRtpReflector, 1);
  self->reflect = reflect;
  if (!reflector_socket_open (self, &self->rtp, address, error)
      || !reflector_socket_open (self, &self->rtcp, address, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * dt_rtp_reflector_free:
 *
 * Closes both sockets.
 */
void
dt_rtp_reflector_free (DtRtpReflector *self)
{
  if (self == NULL)
    return;
  reflector_socket_close (&self->rtp);
  reflector_socket_close (&self->rtcp);
  g_free (self);
}

guint16
dt_rtp_reflector_get_rtp_port (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rtp.port;
}

guint16
dt_rtp_reflector_get_rtcp_port (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rtcp.port;
}

/**
 * dt_rtp_reflector_get_n_reflected:
 *
 * Returns: how many datagrams went back, RTP and RTCP together
 */
guint64
dt_rtp_reflector_get_n_reflected (DtRtpReflector *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_reflected;
}
