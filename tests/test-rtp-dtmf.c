/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rtp-dtmf.c
 *
 * RFC 4733 telephone-events from A to B through a relay that keeps every
 * packet: B reports exactly the digits sent, in order, and the bytes on the
 * wire follow §2.5: the marker on an event's first packet only, one
 * timestamp per event, and the end packet (E bit) three times.
 */

#include "config.h"

#include <string.h>

#include "dt-test-rtp.h"

#define DIGITS "1234*#"

typedef struct
{
  guint32 timestamp;
  int     event;
  guint   packets;
  guint   markers;
  guint   first_marked;
  guint   end_packets;
  gboolean end_then_update;   /* a packet without E after one with E */
  guint16 last_duration;
  gboolean duration_shrank;
} Event;

static void
on_dtmf_received (DtRtpSession *session,
                  char          digit,
                  gpointer      user_data)
{
  g_string_append_c (user_data, digit);
}

static gboolean
all_digits_heard (gpointer data)
{
  GString *heard = data;

  return heard->len >= strlen (DIGITS);
}

static void
test_dtmf (gconstpointer data)
{
  const char *encoding = data;
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(GInetSocketAddress) a_rtp = dt_test_socket_address (a->rtp);
  g_autoptr(GInetSocketAddress) a_rtcp = dt_test_socket_address (a->rtcp);
  g_autoptr(GInetSocketAddress) b_rtp = dt_test_socket_address (b->rtp);
  g_autoptr(GInetSocketAddress) b_rtcp = dt_test_socket_address (b->rtcp);
  g_autoptr(DtTestRelay) relay = dt_test_relay_new (b_rtp, 0.0, 1);
  g_autoptr(GInetSocketAddress) relay_address = dt_test_relay_get_address (relay);
  g_autoptr(DtRtpParams) params = dt_test_params_new (encoding);
  g_autoptr(GString) heard = g_string_new (NULL);
  g_autoptr(GArray) events = g_array_new (FALSE, TRUE, sizeof (Event));
  g_autoptr(GError) error = NULL;
  GPtrArray *packets;

  g_signal_connect (b->session, "dtmf-received", G_CALLBACK (on_dtmf_received), heard);
  dt_test_endpoint_start (a, params, relay_address, b_rtcp, &error);
  g_assert_no_error (error);
  dt_test_endpoint_start (b, params, a_rtp, a_rtcp, &error);
  g_assert_no_error (error);
  dt_test_run_for (500);

  /* On hold nothing goes out, so no digit either. */
  dt_rtp_session_set_direction (a->session, FALSE, TRUE);
  g_assert_false (dt_rtp_session_send_dtmf (a->session, '9', 120, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  dt_rtp_session_set_direction (a->session, TRUE, TRUE);

  for (const char *d = DIGITS; *d != '\0'; d++)
    {
      dt_rtp_session_send_dtmf (a->session, *d, 120, &error);
      g_assert_no_error (error);
    }
  g_assert_false (dt_rtp_session_send_dtmf (a->session, 'x', 120, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (dt_test_run_until (all_digits_heard, heard, 5000));
  /* Let the last end packets and anything spurious arrive. */
  dt_test_run_for (500);
  g_assert_cmpstr (heard->str, ==, DIGITS);

  packets = dt_test_relay_get_packets (relay);
  for (guint i = 0; i < packets->len; i++)
    {
      gsize size, header;
      const guint8 *bytes = g_bytes_get_data (g_ptr_array_index (packets, i), &size);
      guint32 timestamp;
      gboolean end;
      guint16 duration;
      Event *event;

      if ((bytes[1] & 0x7f) != params->telephone_event_pt)
        continue;
      header = 12 + 4 * (bytes[0] & 0x0f);
      g_assert_cmpuint (bytes[0] & 0x10, ==, 0);   /* no header extension */
      g_assert_cmpuint (size, ==, header + 4);    /* RFC 4733 §2.3: one event */
      /* Byte by byte: the packet gives no alignment. */
      timestamp = (guint32) bytes[4] << 24 | (guint32) bytes[5] << 16 | (guint32) bytes[6] << 8
                  | bytes[7];
      end = (bytes[header + 1] & 0x80) != 0;

      if (events->len == 0
          || g_array_index (events, Event, events->len - 1).timestamp != timestamp)
        {
          Event fresh = { .timestamp = timestamp, .event = bytes[header] };

          fresh.first_marked = (bytes[1] & 0x80) != 0;
          g_array_append_val (events, fresh);
        }
      event = &g_array_index (events, Event, events->len - 1);
      g_assert_cmpint (event->event, ==, bytes[header]);
      event->packets++;
      event->markers += (bytes[1] & 0x80) != 0;
      if (!end && event->end_packets > 0)
        event->end_then_update = TRUE;
      event->end_packets += end;
      duration = (guint16) (bytes[header + 2] << 8 | bytes[header + 3]);
      if (duration < event->last_duration)
        event->duration_shrank = TRUE;
      event->last_duration = duration;
    }

  g_assert_cmpuint (events->len, ==, strlen (DIGITS));
  for (guint i = 0; i < events->len; i++)
    {
      static const int codes[] = { 1, 2, 3, 4, 10, 11 };
      Event *event = &g_array_index (events, Event, i);

      g_test_message ("event %d: ts %u, %u packets, %u marked, %u end, duration %u",
                      event->event, event->timestamp, event->packets, event->markers,
                      event->end_packets, event->last_duration);
      g_assert_cmpint (event->event, ==, codes[i]);
      g_assert_true (event->first_marked);
      g_assert_cmpuint (event->markers, ==, 1);
      g_assert_cmpuint (event->end_packets, ==, 3);
      g_assert_false (event->end_then_update);
      g_assert_false (event->duration_shrank);
      /* 120 ms held: the final duration is at least that, in RTP clock units. */
      g_assert_cmpuint (event->last_duration, >=, params->telephone_event_clock_rate * 120 / 1000);
      if (i > 0)
        g_assert_cmpuint (event->timestamp, >, g_array_index (events, Event, i - 1).timestamp);
    }

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

static void
test_no_telephone_event (void)
{
  g_autofree char *dir = dt_test_make_dir ();
  g_autoptr(DtTestEndpoint) a = dt_test_endpoint_new (dir, "a", 440, FALSE);
  g_autoptr(DtTestEndpoint) b = dt_test_endpoint_new (dir, "b", 0, FALSE);
  g_autoptr(DtRtpParams) params = dt_test_params_new ("PCMA");
  g_autoptr(GError) error = NULL;

  params->telephone_event_pt = -1;
  dt_test_endpoints_connect (a, b, params);
  g_assert_false (dt_rtp_session_send_dtmf (a->session, '5', 100, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  g_clear_pointer (&a, dt_test_endpoint_free);
  g_clear_pointer (&b, dt_test_endpoint_free);
  dt_test_remove_dir (g_steal_pointer (&dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/dtmf/PCMU", "PCMU", test_dtmf);
  g_test_add_data_func ("/dtmf/opus", "opus", test_dtmf);
  g_test_add_func ("/dtmf/no-telephone-event", test_no_telephone_event);

  return g_test_run ();
}
