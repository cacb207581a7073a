/* SPDX-License-Identifier: GPL-3.0-or-later */
/* coturn.c
 *
 * The server is started with PR_SET_PDEATHSIG, so a test that aborts takes
 * it down too, and it never touches the system's coturn configuration.
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include "coturn.h"

/**
 * coturn_free_port:
 * @family: the family to look in
 *
 * Returns: a loopback port free for both TCP and UDP, since coturn takes
 *   both
 */
guint16
coturn_free_port (GSocketFamily family)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (family);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);

  for (;;)
    {
      g_autoptr(GSocket) tcp = g_socket_new (family, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, &error);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocket) udp = NULL;
      g_autoptr(GSocketAddress) udp_address = NULL;
      guint16 port;

      g_assert_no_error (error);
      g_assert_true (g_socket_bind (tcp, any_port, FALSE, &error));
      bound = g_socket_get_local_address (tcp, &error);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      udp = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
      udp_address = g_inet_socket_address_new (loopback, port);
      if (g_socket_bind (udp, udp_address, FALSE, NULL))
        return port;
    }
}

/**
 * coturn_make_certs:
 * @tmpdir: a folder the test owns
 *
 * Runs make-test-certs.sh into @tmpdir/certs.
 *
 * Returns: (transfer full): the certificate folder
 */
char *
coturn_make_certs (const char *tmpdir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "make-test-certs.sh", NULL);
  char *certdir = g_build_filename (tmpdir, "certs", NULL);
  const char *cmd[] = { "/bin/sh", script, certdir, NULL };
  int status;

  g_spawn_sync (NULL, (char **) cmd, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);
  return certdir;
}

static gboolean
tcp_port_open (const char *ip,
               guint16     port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (address, port);

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (target), NULL, NULL);
  return connection != NULL;
}

/* A failed assertion aborts the test: take the server down with it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/**
 * coturn_dump_log:
 * @coturn: a running server
 *
 * Puts the server's log in the test output.
 */
void
coturn_dump_log (Coturn *coturn)
{
  g_autofree char *log = NULL;

  if (coturn != NULL && g_file_get_contents (coturn->log_path, &log, NULL, NULL))
    g_test_message ("coturn log:\n%s", log);
}

/**
 * coturn_start:
 * @tmpdir: a folder the test owns, for logs and state
 * @certdir: from coturn_make_certs()
 * @ips: the addresses to listen and relay on; the first is probed for
 *   readiness
 * @tls_only: refuse plain TCP and UDP (`--no-tcp --no-udp`)
 *
 * Returns: (transfer full): the running server
 */
Coturn *
coturn_start (const char         *tmpdir,
              const char         *certdir,
              const char * const *ips,
              gboolean            tls_only)
{
  return coturn_start_full (tmpdir, certdir, ips, tls_only, 0, FALSE);
}

/**
 * coturn_start_full:
 * @tmpdir: a folder the test owns, for logs and state
 * @certdir: from coturn_make_certs()
 * @ips: the addresses to listen and relay on; the first is probed for
 *   readiness
 * @tls_only: refuse plain TCP and UDP (`--no-tcp --no-udp`)
 * @tls_port: the TLS and DTLS port (443 in a test's own network
 *   namespace), or 0 for a free one
 * @keep_family: relay in the family a client came over when it asks for
 *   none, rather than in IPv4 as RFC 8656 §7.2 says; libnice asks for
 *   none (PROTOCOLS-SIP-MEDIA-TURN.md §4.5 #5), so its ICE check gets IPv6
 *   relays over IPv6 only so
 *
 * Returns: (transfer full): the running server
 */
Coturn *
coturn_start_full (const char         *tmpdir,
                   const char         *certdir,
                   const char * const *ips,
                   gboolean            tls_only,
                   guint16             tls_port,
                   gboolean            keep_family)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  Coturn *coturn = g_new0 (Coturn, 1);
  static guint instance;
  guint min_port = 40000 + g_random_int_range (0, 200) * 100;
  gint64 deadline;

  coturn->port = coturn_free_port (G_SOCKET_FAMILY_IPV4);
  coturn->tls_port = tls_port != 0 ? tls_port : coturn_free_port (G_SOCKET_FAMILY_IPV4);
  coturn->log_path = g_strdup_printf ("%s/coturn-%u.log", tmpdir, ++instance);

  g_ptr_array_add (argv, g_strdup (TURNSERVER));
  g_ptr_array_add (argv, g_strdup ("-n"));
  g_ptr_array_add (argv, g_strdup ("--no-cli"));
  for (guint i = 0; ips[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("--listening-ip=%s", ips[i]));
      g_ptr_array_add (argv, g_strdup_printf ("--relay-ip=%s", ips[i]));
    }
  g_ptr_array_add (argv, g_strdup_printf ("--listening-port=%u", coturn->port));
  g_ptr_array_add (argv, g_strdup_printf ("--tls-listening-port=%u", coturn->tls_port));
  g_ptr_array_add (argv, g_strdup_printf ("--cert=%s/server.pem", certdir));
  g_ptr_array_add (argv, g_strdup_printf ("--pkey=%s/server.key", certdir));
  g_ptr_array_add (argv, g_strdup ("--lt-cred-mech"));
  g_ptr_array_add (argv, g_strdup ("--user=" COTURN_USERNAME ":" COTURN_PASSWORD));
  g_ptr_array_add (argv, g_strdup ("--realm=" COTURN_REALM));
  /* PROTOCOLS-SIP-MEDIA-TURN.md §3.4: loopback peers are denied otherwise */
  g_ptr_array_add (argv, g_strdup ("--allow-loopback-peers"));
  if (keep_family)
    g_ptr_array_add (argv, g_strdup ("--allocation-default-address-family=keep"));
  g_ptr_array_add (argv, g_strdup ("--fingerprint"));
  g_ptr_array_add (argv, g_strdup ("--log-file=stdout"));
  g_ptr_array_add (argv, g_strdup ("--simple-log"));
  g_ptr_array_add (argv, g_strdup_printf ("--pidfile=%s/coturn-%u.pid", tmpdir, instance));
  g_ptr_array_add (argv, g_strdup_printf ("--userdb=%s/coturn-%u.db", tmpdir, instance));
  g_ptr_array_add (argv, g_strdup_printf ("--min-port=%u", min_port));
  g_ptr_array_add (argv, g_strdup_printf ("--max-port=%u", min_port + 99));
  if (tls_only)
    {
      g_ptr_array_add (argv, g_strdup ("--no-tcp"));
      g_ptr_array_add (argv, g_strdup ("--no-udp"));
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, coturn->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  coturn->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);

  /* Ready once its TCP listener answers (the TLS one when TLS-only) */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!tcp_port_open (ips[0], tls_only ? coturn->tls_port : coturn->port))
    {
      if (g_get_monotonic_time () > deadline)
        {
          coturn_dump_log (coturn);
          g_error ("turnserver did not start");
        }
      g_usleep (50000);
    }
  /* The UDP and DTLS listeners come up with the TCP ones, but give its
   * threads a moment. */
  g_usleep (200000);
  return coturn;
}

/**
 * coturn_stop:
 * @coturn: (nullable): a server from coturn_start()
 *
 * Stops the server and frees @coturn.
 */
void
coturn_stop (Coturn *coturn)
{
  if (coturn == NULL)
    return;
  g_subprocess_send_signal (coturn->process, SIGTERM);
  g_subprocess_wait (coturn->process, NULL, NULL);
  g_object_unref (coturn->process);
  g_free (coturn->log_path);
  g_free (coturn);
}

/**
 * coturn_have_ipv6:
 * @reason: (out): why not, when not
 *
 * Returns: whether ::1 can be bound here
 */
gboolean
coturn_have_ipv6 (char **reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, &error);

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &error))
    {
      *reason = g_strdup_printf ("loopback IPv6 (::1) is unavailable here: %s",
                                 error->message);
      return FALSE;
    }
  *reason = NULL;
  return TRUE;
}
