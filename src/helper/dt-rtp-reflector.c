/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-reflector.c
 *
 * Echo by reflection: whatever arrives on the RTP or RTCP port goes back
 * to its source. Reflecting RTCP too keeps the caller's round-trip time
 * estimate meaningful (its own sender reports come back), and sending to
 * the source rather than to the SDP address makes echo work through NAT
 * (symmetric RTP, RFC 4961).
 *
 * Each packet goes back with its SSRC changed (a fixed XOR), the rest as
 * it came: an RTP stack that gets its own SSRC from another address takes
 * it for its packets looping back, or for a collision, and drops them
 * (RFC 3550 §8.2). Changing it makes the echo a source of its own.
 */

#define G_LOG_DOMAIN "dialtone-helper"

#include "config.h"

#include "dt-rtp-reflector.h"

/* Larger than any RTP packet a softphone sends; longer datagrams are cut
 * by the kernel and reflected as received. */
#define REFLECTOR_BUFFER_SIZE 2048
#define SSRC_XOR 0x45434b4fu   /* "ECKO" */

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

static void
restamp_ssrc (guint8 *at)
{
  guint32 ssrc = ((guint32) at[0] << 24) | ((guint32) at[1] << 16) | ((guint32) at[2] << 8) | at[3];

  ssrc ^= SSRC_XOR;
  at[0] = ssrc >> 24;
  at[1] = (ssrc >> 16) & 0xff;
  at[2] = (ssrc >> 8) & 0xff;
  at[3] = ssrc & 0xff;
}

/* RFC 3550 §5.1 (RTP: SSRC at byte 8) and §6.4 (RTCP: a compound of
 * packets, each with its sender's SSRC at byte 4); RFC 5761 §4 tells
 * them apart on a shared port by the payload type. Anything that is not
 * version 2 is reflected untouched. */
static void
restamp (guint8 *packet,
         gsize   length)
{
  if (length < 8 || (packet[0] & 0xc0) != 0x80)
    return;
  if (packet[1] >= 200 && packet[1] <= 206)
    {
      for (gsize offset = 0; offset + 8 <= length; )
        {
          gsize size = (((gsize) packet[offset + 2] << 8 | packet[offset + 3]) + 1) * 4;

          if ((packet[offset] & 0xc0) != 0x80 || offset + size > length)
            return;
          restamp_ssrc (packet + offset + 4);
          offset += size;
        }
      return;
    }
  if (length >= 12)
    restamp_ssrc (packet + 8);
}

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
      restamp (buffer, (gsize) n);
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
