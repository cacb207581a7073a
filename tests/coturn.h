/* SPDX-License-Identifier: GPL-3.0-or-later */
/* coturn.h
 *
 * For tests against a real coturn (Debian's turnserver): a throwaway test
 * CA and server certificate, and turnserver started on loopback with free
 * ports, long-term credentials and UDP, TCP, TLS and DTLS listeners.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define COTURN_USERNAME "alice"
#define COTURN_PASSWORD "secret"
#define COTURN_REALM    "test.invalid"

typedef struct {
  GSubprocess *process;
  guint16      port;       /* UDP and TCP */
  guint16      tls_port;   /* TLS and DTLS */
  char        *log_path;
} Coturn;

guint16   coturn_free_port  (GSocketFamily        family);
char     *coturn_make_certs (const char          *tmpdir);
Coturn   *coturn_start      (const char          *tmpdir,
                             const char          *certdir,
                             const char * const  *ips,
                             gboolean             tls_only);
Coturn   *coturn_start_full (const char          *tmpdir,
                             const char          *certdir,
                             const char * const  *ips,
                             gboolean             tls_only,
                             guint16              tls_port,
                             gboolean             keep_family);
void      coturn_dump_log   (Coturn              *coturn);
void      coturn_stop       (Coturn              *coturn);
gboolean  coturn_have_ipv6  (char               **reason);

G_END_DECLS
