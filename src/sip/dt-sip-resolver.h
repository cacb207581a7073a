/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-resolver.h
 *
 * Locating a SIP server (RFC 3263 §4): from a SIP URI and the account's
 * transport choice to the ordered list of addresses to try.
 *
 * GResolver has no NAPTR record type, so the NAPTR step is left out, as
 * RFC 3263 §4.1 allows for a client that knows which transports it
 * supports: SRV for each of them in turn, then A/AAAA.
 */
#pragma once

#include <gio/gio.h>

#include "dt-account.h"
#include "dt-sip-transport.h"

G_BEGIN_DECLS

/**
 * DtSipResolverError:
 * @DT_SIP_RESOLVER_ERROR_INVALID_URI: the server is not a SIP URI or host name
 * @DT_SIP_RESOLVER_ERROR_NOT_FOUND: the name has no SRV, A or AAAA record
 * @DT_SIP_RESOLVER_ERROR_TRANSPORT: the URI and the account ask for
 *   transports that cannot go together (a `sips:` URI over UDP)
 */
typedef enum {
  DT_SIP_RESOLVER_ERROR_INVALID_URI,
  DT_SIP_RESOLVER_ERROR_NOT_FOUND,
  DT_SIP_RESOLVER_ERROR_TRANSPORT,
} DtSipResolverError;

#define DT_SIP_RESOLVER_ERROR (dt_sip_resolver_error_quark ())
GQuark      dt_sip_resolver_error_quark (void);

void        dt_sip_resolve_async        (GResolver           *resolver,
                                         const char          *uri,
                                         DtTransport          transport,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GPtrArray  *dt_sip_resolve_finish       (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
