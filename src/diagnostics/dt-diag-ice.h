/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-diag-ice.h
 *
 * The ICE check of PROTOCOLS-SIP-MEDIA-TURN.md §5.5 steps 5–8: a libnice
 * agent of its own, relay-only, with one TURN server, offers its relayed
 * candidate to the diagnostics peer (PEER.md), connects to the peer's
 * agent, and exchanges a greeting over the selected pair. This is what a
 * call's ICE does with that server.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "dt-diag-report.h"
#include "dt-turn-client.h"

G_BEGIN_DECLS

/**
 * DtDiagIceResult:
 * @connected: ICE reached READY on the relayed pair and the greeting came
 *   back over it
 * @reason: why not, when not
 * @detail: (nullable): what happened, in words, translated
 * @allocate_us: from gathering to libnice's relayed candidate, or -1
 * @connect_us: from the offer to READY, or -1
 * @rtt_us: the greeting's round trip over the ICE path, or -1
 * @duration_us: the whole check
 * @relay: (nullable): the relayed address libnice was given
 *
 * What one ICE check found.
 */
typedef struct {
  gboolean            connected;
  DtDiagReason        reason;
  char               *detail;
  gint64              allocate_us;
  gint64              connect_us;
  gint64              rtt_us;
  gint64              duration_us;
  GInetSocketAddress *relay;
} DtDiagIceResult;

gboolean         dt_diag_ice_transport_supported (DtTurnTransport       transport);

void             dt_diag_ice_check_async         (GInetSocketAddress   *server,
                                                  DtTurnTransport       transport,
                                                  const char           *username,
                                                  const char           *password,
                                                  GSocketFamily         family,
                                                  SoupSession          *soup,
                                                  const char           *peer_url,
                                                  const char           *token,
                                                  guint                 timeout_ms,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
DtDiagIceResult *dt_diag_ice_check_finish        (GAsyncResult         *result,
                                                  GError              **error);
void             dt_diag_ice_result_free         (DtDiagIceResult      *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtDiagIceResult, dt_diag_ice_result_free)

G_END_DECLS
