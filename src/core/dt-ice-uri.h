/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-ice-uri.h
 *
 * STUN and TURN server URIs: `stun:`/`stuns:` (RFC 7064) and
 * `turn:`/`turns:` with `?transport=udp|tcp` (RFC 7065, DTLS from
 * RFC 7350). Credentials never live in these URIs: they travel beside them,
 * in a DtIceServer.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Longest URI Dialtone accepts, in bytes: a host name is at most 253. */
#define DT_ICE_URI_MAX_LENGTH 1024

/* RFC 7064 §3.1, RFC 7065 §3.1 */
#define DT_ICE_URI_DEFAULT_PORT        3478
#define DT_ICE_URI_DEFAULT_SECURE_PORT 5349

/**
 * DtIceUriScheme:
 * @DT_ICE_URI_SCHEME_STUN: `stun:`, STUN over UDP
 * @DT_ICE_URI_SCHEME_STUNS: `stuns:`, STUN over TLS
 * @DT_ICE_URI_SCHEME_TURN: `turn:`, TURN over UDP or TCP
 * @DT_ICE_URI_SCHEME_TURNS: `turns:`, TURN over TLS or DTLS
 */
typedef enum {
  DT_ICE_URI_SCHEME_STUN,
  DT_ICE_URI_SCHEME_STUNS,
  DT_ICE_URI_SCHEME_TURN,
  DT_ICE_URI_SCHEME_TURNS,
} DtIceUriScheme;

/**
 * DtIceUriTransport:
 * @DT_ICE_URI_TRANSPORT_UDP: UDP (DTLS for `turns:`)
 * @DT_ICE_URI_TRANSPORT_TCP: TCP (TLS for `stuns:` and `turns:`)
 *
 * The `transport` of RFC 7065 §3.1: what carries the (D)TLS, if any.
 */
typedef enum {
  DT_ICE_URI_TRANSPORT_UDP,
  DT_ICE_URI_TRANSPORT_TCP,
} DtIceUriTransport;

/**
 * DtIceUriError:
 * @DT_ICE_URI_ERROR_EMPTY: nothing to parse
 * @DT_ICE_URI_ERROR_TOO_LONG: over %DT_ICE_URI_MAX_LENGTH bytes
 * @DT_ICE_URI_ERROR_BAD_SCHEME: not stun, stuns, turn or turns
 * @DT_ICE_URI_ERROR_BAD_HOST: the host is missing or not a valid name or
 *   address
 * @DT_ICE_URI_ERROR_BAD_PORT: the port is empty, not a number, 0 or over
 *   65535
 * @DT_ICE_URI_ERROR_BAD_TRANSPORT: a transport other than udp or tcp, or a
 *   transport on a `stun:` URI
 * @DT_ICE_URI_ERROR_INVALID: anything else that breaks the grammar
 * @DT_ICE_URI_ERROR_UNSUPPORTED: valid, but with query parameters Dialtone
 *   cannot honour (only from dt_ice_uri_parse_supported())
 */
typedef enum {
  DT_ICE_URI_ERROR_EMPTY,
  DT_ICE_URI_ERROR_TOO_LONG,
  DT_ICE_URI_ERROR_BAD_SCHEME,
  DT_ICE_URI_ERROR_BAD_HOST,
  DT_ICE_URI_ERROR_BAD_PORT,
  DT_ICE_URI_ERROR_BAD_TRANSPORT,
  DT_ICE_URI_ERROR_INVALID,
  DT_ICE_URI_ERROR_UNSUPPORTED,
} DtIceUriError;

#define DT_ICE_URI_ERROR (dt_ice_uri_error_quark ())
GQuark dt_ice_uri_error_quark (void);

/**
 * DtIceUri:
 * @scheme: the scheme
 * @host: the host name or address, without the brackets of an IPv6 literal
 * @host_is_ip: whether @host is an IP address literal
 * @port: the port, the scheme's default when the URI has none
 * @port_given: whether the URI names the port
 * @transport: the transport, the scheme's default when the URI has none
 *   (UDP for `stun:`/`turn:`, TCP for `stuns:`/`turns:`)
 * @transport_given: whether the URI names the transport
 * @unknown_query: query parameters other than `transport`, as written, or
 *   %NULL; a URI with some is kept but not supported (it may mean something
 *   Dialtone does not know)
 *
 * One parsed server URI.
 */
typedef struct {
  DtIceUriScheme     scheme;
  char              *host;
  gboolean           host_is_ip;
  guint16            port;
  gboolean           port_given;
  DtIceUriTransport  transport;
  gboolean           transport_given;
  char              *unknown_query;
} DtIceUri;

#define DT_TYPE_ICE_URI (dt_ice_uri_get_type ())
GType            dt_ice_uri_get_type          (void) G_GNUC_CONST;

DtIceUri        *dt_ice_uri_parse             (const char      *text,
                                               GError         **error);
DtIceUri        *dt_ice_uri_parse_supported   (const char      *text,
                                               GError         **error);
DtIceUri        *dt_ice_uri_copy              (const DtIceUri  *self);
void             dt_ice_uri_free              (DtIceUri        *self);
gboolean         dt_ice_uri_equal             (const DtIceUri  *a,
                                               const DtIceUri  *b);
char            *dt_ice_uri_to_string         (const DtIceUri  *self);

const char      *dt_ice_uri_scheme_to_string  (DtIceUriScheme   scheme);
gboolean         dt_ice_uri_is_turn           (const DtIceUri  *self);
gboolean         dt_ice_uri_is_secure         (const DtIceUri  *self);
gboolean         dt_ice_uri_is_supported      (const DtIceUri  *self);
gboolean         dt_ice_uri_stun_expected     (const DtIceUri  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtIceUri, dt_ice_uri_free)

G_END_DECLS
