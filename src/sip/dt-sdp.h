/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sdp.h
 *
 * Session descriptions (RFC 8866) and the offer/answer model (RFC 3264)
 * for SIP audio calls, with SDES keys for SRTP (RFC 4568). Data only: no
 * sockets and no media here.
 *
 * The model is a tree of plain structs with public fields: a description is
 * read and built by touching the fields directly, and every string, array
 * and byte buffer in it belongs to the struct that holds it. GObjects would
 * add nothing: a description has no identity, properties or signals, and is
 * copied and compared as a value. Attributes Dialtone understands are parsed into
 * typed fields; every other attribute is kept, in order, in `attributes`.
 * dt_sdp_to_string() writes the canonical text, and parsing that text gives
 * back a description that dt_sdp_equal() finds equal to the original.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Bounds on what the parser accepts from the network. */
#define DT_SDP_MAX_SIZE         (64 * 1024)
#define DT_SDP_MAX_MEDIA        32
#define DT_SDP_MAX_ATTRIBUTES   256
#define DT_SDP_MAX_FORMATS      128
#define DT_SDP_MAX_BANDWIDTHS   16

/**
 * DtSdpError:
 * @DT_SDP_ERROR_INVALID: the text cannot be understood; the message names the line
 * @DT_SDP_ERROR_TOO_LARGE: over one of the `DT_SDP_MAX_*` bounds
 * @DT_SDP_ERROR_NOT_ACCEPTABLE: nothing in the offer can be used, such as no
 *   codec in common or no audio stream; a SIP UA answers 488 Not Acceptable Here
 * @DT_SDP_ERROR_SRTP_REQUIRED: SRTP is required locally, but the other side
 *   does not offer it (or offers no key Dialtone can use)
 * @DT_SDP_ERROR_SRTP_UNSUPPORTED: the other side requires SRTP (RTP/SAVP), and
 *   SRTP is off locally or none of its crypto suites is usable
 * @DT_SDP_ERROR_BAD_ANSWER: an answer that breaks RFC 3264 for the offer it answers
 *
 * Every error but %DT_SDP_ERROR_INVALID and %DT_SDP_ERROR_TOO_LARGE maps to
 * a 488 response when it happens while answering.
 */
typedef enum {
  DT_SDP_ERROR_INVALID,
  DT_SDP_ERROR_TOO_LARGE,
  DT_SDP_ERROR_NOT_ACCEPTABLE,
  DT_SDP_ERROR_SRTP_REQUIRED,
  DT_SDP_ERROR_SRTP_UNSUPPORTED,
  DT_SDP_ERROR_BAD_ANSWER,
} DtSdpError;

#define DT_SDP_ERROR (dt_sdp_error_quark ())
GQuark dt_sdp_error_quark (void);

/**
 * DtSdpDirection:
 * @DT_SDP_DIRECTION_UNSET: no direction attribute at this level
 * @DT_SDP_DIRECTION_SENDRECV: `a=sendrecv`
 * @DT_SDP_DIRECTION_SENDONLY: `a=sendonly`
 * @DT_SDP_DIRECTION_RECVONLY: `a=recvonly`
 * @DT_SDP_DIRECTION_INACTIVE: `a=inactive`
 *
 * Always seen from the side that wrote the description.
 */
typedef enum {
  DT_SDP_DIRECTION_UNSET,
  DT_SDP_DIRECTION_SENDRECV,
  DT_SDP_DIRECTION_SENDONLY,
  DT_SDP_DIRECTION_RECVONLY,
  DT_SDP_DIRECTION_INACTIVE,
} DtSdpDirection;

/**
 * DtSdpConnection:
 * @nettype: `IN`
 * @addrtype: `IP4` or `IP6` (other tokens are kept)
 * @address: the address, with any multicast `/ttl/count` suffix
 *
 * A `c=` line, or the address part of `a=rtcp` (RFC 3605).
 */
typedef struct {
  char *nettype;
  char *addrtype;
  char *address;
} DtSdpConnection;

/**
 * DtSdpBandwidth:
 * @type: the bwtype, such as `AS`, `CT` or `TIAS`
 * @value: kilobits per second for `AS` and `CT`, bits per second for `TIAS`
 */
typedef struct {
  char    *type;
  guint64  value;
} DtSdpBandwidth;

/**
 * DtSdpAttribute:
 * @name: the attribute name
 * @value: (nullable): the value after the colon, %NULL for a property attribute
 */
typedef struct {
  char *name;
  char *value;
} DtSdpAttribute;

/**
 * DtSdpRtpmap:
 * @pt: the payload type, 0–127
 * @encoding: the encoding name as written (compare it case-insensitively)
 * @clock_rate: the RTP clock rate in Hz
 * @channels: the channel count, or 0 when the line leaves it out (meaning 1)
 */
typedef struct {
  guint  pt;
  char  *encoding;
  guint  clock_rate;
  guint  channels;
} DtSdpRtpmap;

/**
 * DtSdpFmtp:
 * @format: the format the parameters apply to (a payload type for RTP)
 * @params: the parameters, trimmed; see dt_sdp_fmtp_parse_params()
 */
typedef struct {
  char *format;
  char *params;
} DtSdpFmtp;

/**
 * DtSdpCryptoKey:
 * @key_salt: the master key followed by the master salt
 * @lifetime: (nullable): the lifetime as written (`2^31` or decimal), or %NULL
 * @mki_value: the MKI value, when @mki_length is not 0
 * @mki_length: the MKI length in bytes, 1–128, or 0 for no MKI
 *
 * One `inline:` key-params of RFC 4568 §9.1.
 */
typedef struct {
  GBytes  *key_salt;
  char    *lifetime;
  guint64  mki_value;
  guint    mki_length;
} DtSdpCryptoKey;

/**
 * DtSdpCrypto:
 * @tag: the tag, 1–999999999 (RFC 4568 §9.1)
 * @suite: the crypto-suite name
 * @keys: (element-type DtSdpCryptoKey): the key-params, at least one
 * @session_params: (nullable): the session parameters, single-spaced, or %NULL
 */
typedef struct {
  guint      tag;
  char      *suite;
  GPtrArray *keys;
  char      *session_params;
} DtSdpCrypto;

/**
 * DtSdpMedia:
 * @media: `audio`, `video`, `application`…
 * @port: the transport port; 0 disables or rejects the stream
 * @n_ports: the port count of `m=<media> <port>/<n>`, or 0 when not written
 * @proto: `RTP/AVP`, `RTP/SAVP`, `RTP/AVPF`, `RTP/SAVPF`, `UDP/TLS/RTP/SAVPF`…
 * @formats: (element-type utf8): the formats in order
 * @info: (nullable): `i=`
 * @connection: (nullable): `c=`; when %NULL the session's applies
 * @bandwidths: (element-type DtSdpBandwidth): `b=` lines
 * @key: (nullable): `k=`, kept but never used
 * @rtpmaps: (element-type DtSdpRtpmap): `a=rtpmap` in order
 * @fmtps: (element-type DtSdpFmtp): `a=fmtp` in order
 * @direction: the direction attribute, or %DT_SDP_DIRECTION_UNSET
 * @ptime: `a=ptime` in milliseconds, or 0
 * @maxptime: `a=maxptime` in milliseconds, or 0
 * @rtcp_port: `a=rtcp` port (RFC 3605), or 0
 * @rtcp_connection: (nullable): the address of `a=rtcp`, if it has one
 * @rtcp_mux: `a=rtcp-mux` (RFC 5761)
 * @cryptos: (element-type DtSdpCrypto): `a=crypto` in order
 * @attributes: (element-type DtSdpAttribute): every other attribute, in order
 */
typedef struct {
  char            *media;
  guint            port;
  guint            n_ports;
  char            *proto;
  GPtrArray       *formats;
  char            *info;
  DtSdpConnection *connection;
  GPtrArray       *bandwidths;
  char            *key;
  GPtrArray       *rtpmaps;
  GPtrArray       *fmtps;
  DtSdpDirection   direction;
  guint            ptime;
  guint            maxptime;
  guint            rtcp_port;
  DtSdpConnection *rtcp_connection;
  gboolean         rtcp_mux;
  GPtrArray       *cryptos;
  GPtrArray       *attributes;
} DtSdpMedia;

/**
 * DtSdp:
 * @origin_username: `o=` username, `-` when there is none
 * @origin_sess_id: `o=` sess-id
 * @origin_sess_version: `o=` sess-version, raised by every new offer (RFC 3264 §8)
 * @origin: the address part of `o=`
 * @session_name: `s=`; may be empty, which is written as `s= ` (RFC 8866 §5.3)
 * @info: (nullable): `i=`
 * @uri: (nullable): `u=`
 * @emails: (element-type utf8): `e=` lines
 * @phones: (element-type utf8): `p=` lines
 * @connection: (nullable): the session-level `c=`
 * @bandwidths: (element-type DtSdpBandwidth): session-level `b=` lines
 * @start_time: `t=` start (NTP seconds, 0 for an unbounded session)
 * @stop_time: `t=` stop
 * @repeats: (element-type utf8): `r=` lines of the first `t=`, as written
 * @zone: (nullable): `z=`, as written
 * @key: (nullable): session `k=`
 * @direction: the session-level direction attribute, or %DT_SDP_DIRECTION_UNSET
 * @attributes: (element-type DtSdpAttribute): other session attributes, in order
 * @media: (element-type DtSdpMedia): the media descriptions
 *
 * `v=` is always 0 and is not stored. Only the first `t=` is kept: Dialtone
 * calls are unbounded (`t=0 0`), and a later `t=` is dropped.
 */
typedef struct {
  char            *origin_username;
  guint64          origin_sess_id;
  guint64          origin_sess_version;
  DtSdpConnection  origin;
  char            *session_name;
  char            *info;
  char            *uri;
  GPtrArray       *emails;
  GPtrArray       *phones;
  DtSdpConnection *connection;
  GPtrArray       *bandwidths;
  guint64          start_time;
  guint64          stop_time;
  GPtrArray       *repeats;
  char            *zone;
  char            *key;
  DtSdpDirection   direction;
  GPtrArray       *attributes;
  GPtrArray       *media;
} DtSdp;

DtSdp           *dt_sdp_new                    (void);
DtSdp           *dt_sdp_copy                   (const DtSdp  *self);
void             dt_sdp_free                   (DtSdp        *self);
DtSdp           *dt_sdp_parse                  (const char   *text,
                                                gssize        length,
                                                GError      **error);
char            *dt_sdp_to_string              (const DtSdp  *self);
gboolean         dt_sdp_equal                  (const DtSdp  *a,
                                                const DtSdp  *b);

DtSdpMedia      *dt_sdp_media_new              (const char   *media,
                                                guint         port,
                                                const char   *proto);
void             dt_sdp_media_free             (DtSdpMedia   *media);
void             dt_sdp_media_add_rtpmap       (DtSdpMedia   *media,
                                                guint         pt,
                                                const char   *encoding,
                                                guint         clock_rate,
                                                guint         channels);
void             dt_sdp_media_add_fmtp         (DtSdpMedia   *media,
                                                const char   *format,
                                                const char   *params);
void             dt_sdp_media_add_attribute    (DtSdpMedia   *media,
                                                const char   *name,
                                                const char   *value);
void             dt_sdp_add_attribute          (DtSdp        *self,
                                                const char   *name,
                                                const char   *value);

DtSdpConnection *dt_sdp_connection_new         (const char   *address);
void             dt_sdp_connection_free        (DtSdpConnection *connection);
DtSdpCrypto     *dt_sdp_crypto_new             (guint         tag,
                                                const char   *suite,
                                                GBytes       *key_salt);
void             dt_sdp_crypto_free            (DtSdpCrypto  *crypto);

gboolean         dt_sdp_lookup_rtpmap          (const DtSdpMedia *media,
                                                guint             pt,
                                                const char      **encoding,
                                                guint            *clock_rate,
                                                guint            *channels);
const char      *dt_sdp_media_get_fmtp         (const DtSdpMedia *media,
                                                const char       *format);
const char      *dt_sdp_media_get_attribute    (const DtSdpMedia *media,
                                                const char       *name);
const DtSdpConnection *
                 dt_sdp_media_get_connection   (const DtSdp      *self,
                                                const DtSdpMedia *media);
DtSdpDirection   dt_sdp_media_get_direction    (const DtSdp      *self,
                                                const DtSdpMedia *media);
gboolean         dt_sdp_media_is_rtp           (const DtSdpMedia *media);
gboolean         dt_sdp_media_is_secure        (const DtSdpMedia *media);
gboolean         dt_sdp_media_is_hold          (const DtSdp      *self,
                                                const DtSdpMedia *media);
gboolean         dt_sdp_is_hold                (const DtSdp      *self);

GHashTable      *dt_sdp_fmtp_parse_params      (const char   *params);
gsize            dt_sdp_crypto_suite_key_length (const char  *suite);
const char      *dt_sdp_direction_to_string    (DtSdpDirection direction);

/* Offer/answer */

/**
 * DtSdpSrtpPolicy:
 * @DT_SDP_SRTP_OFF: plain RTP; an offer that requires SRTP is refused
 * @DT_SDP_SRTP_OPTIONAL: offer `RTP/AVP` with `a=crypto` ("best effort", the
 *   practice of common SIP phones and PBXes), and answer with
 *   SRTP whenever the offer carries a usable key
 * @DT_SDP_SRTP_REQUIRED: offer `RTP/SAVP` with `a=crypto`, and refuse an offer
 *   or answer without a usable key
 */
typedef enum {
  DT_SDP_SRTP_OFF,
  DT_SDP_SRTP_OPTIONAL,
  DT_SDP_SRTP_REQUIRED,
} DtSdpSrtpPolicy;

/**
 * DtSdpCodec:
 * @name: the encoding name, as it goes into `a=rtpmap`
 * @clock_rate: the RTP clock rate
 * @channels: the channel count in `a=rtpmap`, 0 or 1 for mono
 * @fmtp: (nullable): the `a=fmtp` parameters Dialtone asks for as a receiver
 * @pt: the payload type to offer, or -1 for the static one or the next free
 *   dynamic one from 96
 */
typedef struct {
  const char *name;
  guint       clock_rate;
  guint       channels;
  const char *fmtp;
  int         pt;
} DtSdpCodec;

/**
 * DtSdpKeyFunc:
 * @suite: the crypto suite the key is for
 * @key_salt: (out caller-allocates): where to write the key and salt
 * @length: how many bytes to write
 * @user_data: the caps' @key_func_data
 *
 * Fills @key_salt with fresh random bytes for a new SRTP master key.
 */
typedef void (*DtSdpKeyFunc) (const char *suite,
                              guint8     *key_salt,
                              gsize       length,
                              gpointer    user_data);

/**
 * DtSdpCaps:
 * @codecs: the audio codecs in order of preference, without telephone-event
 * @n_codecs: how many
 * @dtmf: offer and accept RFC 4733 telephone-event, once per clock rate of
 *   the offered codecs (8000 at PT 101 and 48000 at PT 110 unless taken)
 * @srtp: the SRTP policy
 * @srtp_suites: (nullable): the suites to offer and accept, in order of
 *   preference; %NULL means `AES_CM_128_HMAC_SHA1_80`, `AES_CM_128_HMAC_SHA1_32`
 * @key_func: (nullable): makes SRTP keys; %NULL reads the system's random source
 * @key_func_data: for @key_func
 * @rtcp_mux: offer and accept `a=rtcp-mux`
 * @address: the local media address, IPv4 or IPv6
 * @port: the local RTP port
 * @rtcp_port: the local RTCP port when it is not @port + 1, or 0
 * @ptime: the packet time to ask for, or 0 for none
 * @direction: what Dialtone wants: %DT_SDP_DIRECTION_SENDRECV, or a hold
 *   direction; %DT_SDP_DIRECTION_UNSET means sendrecv
 * @username: (nullable): the `o=` username, `-` when %NULL
 * @session_id: the `o=` sess-id, fixed for the call; 0 picks a random one
 *
 * Local capabilities: a plain struct the caller owns and fills in.
 */
typedef struct {
  const DtSdpCodec  *codecs;
  gsize              n_codecs;
  gboolean           dtmf;
  DtSdpSrtpPolicy    srtp;
  const char *const *srtp_suites;
  DtSdpKeyFunc       key_func;
  gpointer           key_func_data;
  gboolean           rtcp_mux;
  const char        *address;
  guint16            port;
  guint16            rtcp_port;
  guint              ptime;
  DtSdpDirection     direction;
  const char        *username;
  guint64            session_id;
} DtSdpCaps;

/**
 * DtSdpNegotiated:
 * @media_index: the index of the audio m= line in the offer and answer
 * @remote_address: where to send RTP
 * @remote_port: the remote RTP port
 * @remote_rtcp_address: where to send RTCP
 * @remote_rtcp_port: the remote RTCP port (equal to @remote_port with rtcp-mux)
 * @rtcp_mux: whether both sides agreed on `a=rtcp-mux`
 * @pt: the payload type to send
 * @encoding: the codec to send
 * @clock_rate: its clock rate
 * @channels: its channel count (1 when not written)
 * @fmtp: (nullable): the peer's `a=fmtp` for it, what the peer wants to receive
 * @telephone_event_pt: the telephone-event payload type, or -1
 * @telephone_event_clock_rate: its clock rate, or 0
 * @direction: what Dialtone may do: send, receive, both or neither
 * @remote_hold: whether the peer put the call on hold (RFC 3264 §8.4)
 * @srtp_suite: (nullable): the chosen crypto suite, %NULL for plain RTP
 * @srtp_tag: the tag of the chosen crypto line
 * @local_key: (nullable): the key and salt Dialtone encrypts with
 * @remote_key: (nullable): the key and salt the peer encrypts with
 *
 * The outcome of an exchange, the same on both sides.
 */
typedef struct {
  guint           media_index;
  char           *remote_address;
  guint           remote_port;
  char           *remote_rtcp_address;
  guint           remote_rtcp_port;
  gboolean        rtcp_mux;
  guint           pt;
  char           *encoding;
  guint           clock_rate;
  guint           channels;
  char           *fmtp;
  int             telephone_event_pt;
  guint           telephone_event_clock_rate;
  DtSdpDirection  direction;
  gboolean        remote_hold;
  char           *srtp_suite;
  guint           srtp_tag;
  GBytes         *local_key;
  GBytes         *remote_key;
} DtSdpNegotiated;

void             dt_sdp_negotiated_free        (DtSdpNegotiated *result);

DtSdp           *dt_sdp_create_offer           (const DtSdpCaps  *caps,
                                                GError          **error);
DtSdp           *dt_sdp_create_answer          (const DtSdpCaps  *caps,
                                                const DtSdp      *offer,
                                                DtSdpNegotiated **result,
                                                GError          **error);
DtSdpNegotiated *dt_sdp_negotiate              (const DtSdp      *offer,
                                                const DtSdp      *answer,
                                                GError          **error);
DtSdp           *dt_sdp_create_reoffer         (const DtSdp      *previous,
                                                DtSdpDirection    direction);
DtSdp           *dt_sdp_create_hold_offer      (const DtSdp      *previous);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSdp, dt_sdp_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSdpMedia, dt_sdp_media_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSdpConnection, dt_sdp_connection_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSdpCrypto, dt_sdp_crypto_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSdpNegotiated, dt_sdp_negotiated_free)

G_END_DECLS
