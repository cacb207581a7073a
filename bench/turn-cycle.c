/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench/turn-cycle.c
 *
 * Benchmark, not a test: the bare cost of one TURN cycle with Dialtone's
 * own client (connect, with the TLS or DTLS handshake; Allocate with its
 * 401 round trip; CreatePermission; a Send indication to a UDP echo and the
 * Data indication back; Refresh with LIFETIME 0), repeated COUNT times
 * against one server, one cycle after another. Prints one JSON line with
 * the median and mean cycle, and the median connect share.
 *
 * Usage: turn-cycle URI USERNAME PASSWORD [COUNT [CA-FILE]]
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dt-ice-uri.h"
#include "dt-turn-client.h"

#define PAYLOAD "DIALTONE-DIAG 1 bench 0 0"

typedef struct {
  GMainLoop    *loop;
  DtIceUri     *uri;
  const char   *username;
  const char   *password;
  const char   *ca_file;
  GSocket      *echo;
  GSource      *echo_source;
  GInetSocketAddress *echo_address;
  DtTurnClient *client;
  gulong        data_handler;
  guint         count;
  gint64        started_us;
  gint64        connected_us;
  GArray       *cycles;      /* gdouble, ms */
  GArray       *connects;    /* gdouble, ms */
  guint         retries;
  GError       *error;
} Bench;

static void cycle_start (Bench *bench);

static gboolean
on_echo_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  g_autoptr(GSocketAddress) from = NULL;
  char buffer[2048];
  gssize n = g_socket_receive_from (socket, &from, buffer, sizeof buffer, NULL, NULL);

  if (n > 0)
    g_socket_send_to (socket, from, buffer, (gsize) n, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static void
bench_fail (Bench  *bench,
            GError *error)
{
  /* RFC 8656 §6.2: 437 is a 5-tuple the server still remembers (a local
   * port reused soon after); start that cycle again from a new one */
  if (g_error_matches (error, DT_TURN_ERROR, DT_TURN_ERROR_ALLOCATION_MISMATCH) &&
      bench->retries < 10)
    {
      g_error_free (error);
      bench->retries++;
      if (bench->data_handler != 0)
        g_signal_handler_disconnect (bench->client, bench->data_handler);
      bench->data_handler = 0;
      dt_turn_client_close (bench->client);
      g_clear_object (&bench->client);
      cycle_start (bench);
      return;
    }
  bench->error = error;
  g_main_loop_quit (bench->loop);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return values->len ? g_array_index (values, gdouble, values->len / 2) : 0;
}

static gdouble
mean (GArray *values)
{
  gdouble sum = 0;

  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, gdouble, i);
  return values->len ? sum / values->len : 0;
}

static void
on_released (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;
  gdouble ms;

  if (!dt_turn_client_refresh_finish (DT_TURN_CLIENT (source), result, &error))
    {
      bench_fail (bench, error);
      return;
    }
  ms = (g_get_monotonic_time () - bench->started_us) / 1000.0;
  g_array_append_val (bench->cycles, ms);
  ms = (bench->connected_us - bench->started_us) / 1000.0;
  g_array_append_val (bench->connects, ms);
  dt_turn_client_close (bench->client);
  g_clear_object (&bench->client);

  if (bench->cycles->len == bench->count)
    g_main_loop_quit (bench->loop);
  else
    cycle_start (bench);
}

static void
on_data (DtTurnClient       *client,
         GInetSocketAddress *from,
         GBytes             *data,
         guint               channel,
         gpointer            user_data)
{
  Bench *bench = user_data;

  if (g_bytes_get_size (data) != strlen (PAYLOAD))
    return;
  g_signal_handler_disconnect (client, bench->data_handler);
  bench->data_handler = 0;
  /* RFC 8656 §7.3: LIFETIME 0 deletes the allocation */
  dt_turn_client_refresh_async (client, 0, NULL, on_released, bench);
}

static void
on_permission (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Bench *bench = user_data;
  g_autoptr(GBytes) payload = g_bytes_new_static (PAYLOAD, strlen (PAYLOAD));
  GError *error = NULL;

  if (!dt_turn_client_create_permission_finish (DT_TURN_CLIENT (source), result, &error))
    {
      bench_fail (bench, error);
      return;
    }
  bench->data_handler = g_signal_connect (bench->client, "data-received", G_CALLBACK (on_data),
                                          bench);
  if (!dt_turn_client_send_indication (bench->client, bench->echo_address, payload, &error))
    bench_fail (bench, error);
}

static void
on_allocated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;

  if (!dt_turn_client_allocate_finish (DT_TURN_CLIENT (source), result, &error))
    {
      bench_fail (bench, error);
      return;
    }
  dt_turn_client_create_permission_async (bench->client, bench->echo_address, NULL,
                                          on_permission, bench);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Bench *bench = user_data;
  GError *error = NULL;

  if (!dt_turn_client_connect_finish (DT_TURN_CLIENT (source), result, &error))
    {
      bench_fail (bench, error);
      return;
    }
  bench->connected_us = g_get_monotonic_time ();
  dt_turn_client_allocate_async (bench->client, NULL, on_allocated, bench);
}

static void
cycle_start (Bench *bench)
{
  GSocketFamily family = g_inet_address_get_family (
    g_inet_socket_address_get_address (bench->echo_address));
  GError *error = NULL;

  bench->started_us = g_get_monotonic_time ();
  bench->client = dt_turn_client_new (bench->uri->host, bench->uri->port,
                                      dt_ice_uri_get_turn_transport (bench->uri));
  dt_turn_client_set_credentials (bench->client, bench->username, bench->password);
  g_object_set (bench->client, "family", family, "requested-family",
                family == G_SOCKET_FAMILY_IPV6 ? DT_STUN_FAMILY_IPV6 : DT_STUN_FAMILY_IPV4,
                NULL);
  if (bench->ca_file != NULL && !dt_turn_client_set_ca_file (bench->client, bench->ca_file,
                                                             &error))
    {
      bench_fail (bench, error);
      return;
    }
  dt_turn_client_connect_async (bench->client, NULL, on_connected, bench);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  Bench bench = { 0 };
  GSocketFamily family;

  if (argc < 4 || argc > 6)
    {
      g_printerr ("usage: %s URI USERNAME PASSWORD [COUNT [CA-FILE]]\n", argv[0]);
      return 2;
    }
  bench.uri = dt_ice_uri_parse (argv[1], &error);
  if (bench.uri == NULL)
    {
      g_printerr ("%s: %s\n", argv[1], error->message);
      return 2;
    }
  bench.username = argv[2];
  bench.password = argv[3];
  bench.count = argc > 4 ? (guint) strtoul (argv[4], NULL, 10) : 100;
  bench.ca_file = argc > 5 ? argv[5] : NULL;
  if (bench.count == 0)
    bench.count = 1;

  /* The echo in the server's family, on loopback like the server */
  family = strchr (bench.uri->host, ':') ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4;
  loopback = g_inet_address_new_loopback (family);
  any = g_inet_socket_address_new (loopback, 0);
  bench.echo = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  if (bench.echo == NULL || !g_socket_bind (bench.echo, any, FALSE, &error))
    {
      g_printerr ("echo: %s\n", error->message);
      return 1;
    }
  g_socket_set_blocking (bench.echo, FALSE);
  bench.echo_address = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (bench.echo, NULL));
  bench.echo_source = g_socket_create_source (bench.echo, G_IO_IN, NULL);
  g_source_set_callback (bench.echo_source, (GSourceFunc) (void (*) (void)) on_echo_readable,
                         NULL, NULL);
  g_source_attach (bench.echo_source, NULL);

  bench.cycles = g_array_new (FALSE, FALSE, sizeof (gdouble));
  bench.connects = g_array_new (FALSE, FALSE, sizeof (gdouble));
  bench.loop = g_main_loop_new (NULL, FALSE);
  cycle_start (&bench);
  g_main_loop_run (bench.loop);

  if (bench.error != NULL)
    {
      g_printerr ("%s: cycle %u: %s\n", argv[1], bench.cycles->len + 1, bench.error->message);
      return 1;
    }
  g_print ("{\"uri\":\"%s\",\"transport\":\"%s\",\"cycles\":%u,\"median_ms\":%.3f,"
           "\"mean_ms\":%.3f,\"connect_median_ms\":%.3f,\"retries\":%u}\n", argv[1],
           dt_turn_transport_to_string (dt_ice_uri_get_turn_transport (bench.uri)),
           bench.cycles->len, median (bench.cycles), mean (bench.cycles),
           median (bench.connects), bench.retries);

  g_source_destroy (bench.echo_source);
  g_source_unref (bench.echo_source);
  g_object_unref (bench.echo);
  g_object_unref (bench.echo_address);
  g_array_unref (bench.cycles);
  g_array_unref (bench.connects);
  g_main_loop_unref (bench.loop);
  dt_ice_uri_free (bench.uri);
  return 0;
}
