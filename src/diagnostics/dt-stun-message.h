/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-stun-message.h
 *
 * STUN (RFC 8489) and TURN (RFC 8656) messages for Diagnostics: a decoder
 * that never trusts its input, a builder that writes MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, ChannelData framing, and the
 * helpers a shared socket or a TCP/TLS stream needs.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* RFC 8489 §5 */
#define DT_STUN_MAGIC_COOKIE           0x2112A442u
#define DT_STUN_HEADER_LENGTH          20
#define DT_STUN_TRANSACTION_ID_LENGTH  12
/* RFC 8489 §14.7 */
#define DT_STUN_FINGERPRINT_XOR        0x5354554Eu
/* RFC 8489 §14.5, §14.6 */
#define DT_STUN_HMAC_SHA1_LENGTH       20
#define DT_STUN_HMAC_SHA256_LENGTH     32
#define DT_STUN_HMAC_SHA256_MIN_LENGTH 16
/* RFC 8656 §12: channel numbers a client may bind */
#define DT_STUN_CHANNEL_MIN            0x4000
#define DT_STUN_CHANNEL_MAX            0x4FFF
#define DT_STUN_CHANNEL_HEADER_LENGTH  4
/* RFC 8656 §18.8: REQUESTED-TRANSPORT value for UDP */
#define DT_STUN_TRANSPORT_UDP          17

/**
 * DtStunClass:
 * @DT_STUN_CLASS_REQUEST: a request (C1 C0 = 00)
 * @DT_STUN_CLASS_INDICATION: an indication (01)
 * @DT_STUN_CLASS_SUCCESS: a success response (10)
 * @DT_STUN_CLASS_ERROR: an error response (11)
 *
 * The class bits of a message type, RFC 8489 §5.
 */
typedef enum {
  DT_STUN_CLASS_REQUEST    = 0,
  DT_STUN_CLASS_INDICATION = 1,
  DT_STUN_CLASS_SUCCESS    = 2,
  DT_STUN_CLASS_ERROR      = 3,
} DtStunClass;

/**
 * DtStunMethod:
 * @DT_STUN_METHOD_BINDING: Binding, RFC 8489 §18.2
 * @DT_STUN_METHOD_ALLOCATE: Allocate, RFC 8656 §17
 * @DT_STUN_METHOD_REFRESH: Refresh
 * @DT_STUN_METHOD_SEND: Send (indication only)
 * @DT_STUN_METHOD_DATA: Data (indication only)
 * @DT_STUN_METHOD_CREATE_PERMISSION: CreatePermission
 * @DT_STUN_METHOD_CHANNEL_BIND: ChannelBind
 *
 * The methods Dialtone speaks. Decoded messages may carry any 12-bit method.
 */
typedef enum {
  DT_STUN_METHOD_BINDING           = 0x001,
  DT_STUN_METHOD_ALLOCATE          = 0x003,
  DT_STUN_METHOD_REFRESH           = 0x004,
  DT_STUN_METHOD_SEND              = 0x006,
  DT_STUN_METHOD_DATA              = 0x007,
  DT_STUN_METHOD_CREATE_PERMISSION = 0x008,
  DT_STUN_METHOD_CHANNEL_BIND      = 0x009,
} DtStunMethod;

/**
 * DtStunAttributeType:
 *
 * Attribute types from RFC 8489 §18.3, RFC 8656 §18 and, for the RFC 5769
 * vectors, RFC 8445 §16.1. Types below 0x8000 are comprehension-required.
 */
typedef enum {
  DT_STUN_ATTR_MAPPED_ADDRESS            = 0x0001,
  DT_STUN_ATTR_USERNAME                  = 0x0006,
  DT_STUN_ATTR_MESSAGE_INTEGRITY         = 0x0008,
  DT_STUN_ATTR_ERROR_CODE                = 0x0009,
  DT_STUN_ATTR_UNKNOWN_ATTRIBUTES        = 0x000A,
  DT_STUN_ATTR_CHANNEL_NUMBER            = 0x000C,
  DT_STUN_ATTR_LIFETIME                  = 0x000D,
  DT_STUN_ATTR_XOR_PEER_ADDRESS          = 0x0012,
  DT_STUN_ATTR_DATA                      = 0x0013,
  DT_STUN_ATTR_REALM                     = 0x0014,
  DT_STUN_ATTR_NONCE                     = 0x0015,
  DT_STUN_ATTR_XOR_RELAYED_ADDRESS       = 0x0016,
  DT_STUN_ATTR_REQUESTED_ADDRESS_FAMILY  = 0x0017,
  DT_STUN_ATTR_EVEN_PORT                 = 0x0018,
  DT_STUN_ATTR_REQUESTED_TRANSPORT       = 0x0019,
  DT_STUN_ATTR_DONT_FRAGMENT             = 0x001A,
  DT_STUN_ATTR_MESSAGE_INTEGRITY_SHA256  = 0x001C,
  DT_STUN_ATTR_PASSWORD_ALGORITHM        = 0x001D,
  DT_STUN_ATTR_USERHASH                  = 0x001E,
  DT_STUN_ATTR_XOR_MAPPED_ADDRESS        = 0x0020,
  DT_STUN_ATTR_RESERVATION_TOKEN         = 0x0022,
  DT_STUN_ATTR_PRIORITY                  = 0x0024,
  DT_STUN_ATTR_USE_CANDIDATE             = 0x0025,
  DT_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000,
  DT_STUN_ATTR_ADDRESS_ERROR_CODE        = 0x8001,
  DT_STUN_ATTR_PASSWORD_ALGORITHMS       = 0x8002,
  DT_STUN_ATTR_ALTERNATE_DOMAIN          = 0x8003,
  DT_STUN_ATTR_ICMP                      = 0x8004,
  DT_STUN_ATTR_SOFTWARE                  = 0x8022,
  DT_STUN_ATTR_ALTERNATE_SERVER          = 0x8023,
  DT_STUN_ATTR_FINGERPRINT               = 0x8028,
  DT_STUN_ATTR_ICE_CONTROLLED            = 0x8029,
  DT_STUN_ATTR_ICE_CONTROLLING           = 0x802A,
} DtStunAttributeType;

/**
 * DtStunFamily:
 * @DT_STUN_FAMILY_IPV4: IPv4, in address attributes and
 *   REQUESTED-ADDRESS-FAMILY
 * @DT_STUN_FAMILY_IPV6: IPv6
 *
 * RFC 8489 §14.1, RFC 8656 §18.6.
 */
typedef enum {
  DT_STUN_FAMILY_IPV4 = 0x01,
  DT_STUN_FAMILY_IPV6 = 0x02,
} DtStunFamily;

/**
 * DtStunPasswordAlgorithm:
 * @DT_STUN_PASSWORD_ALGORITHM_MD5: key = MD5 (RFC 8489 §18.5.1.1)
 * @DT_STUN_PASSWORD_ALGORITHM_SHA256: key = SHA-256 (§18.5.1.2)
 */
typedef enum {
  DT_STUN_PASSWORD_ALGORITHM_MD5    = 0x0001,
  DT_STUN_PASSWORD_ALGORITHM_SHA256 = 0x0002,
} DtStunPasswordAlgorithm;

/**
 * DtStunError:
 * @DT_STUN_ERROR_TRUNCATED: fewer bytes than the header or an attribute says
 * @DT_STUN_ERROR_NOT_STUN: the bytes are not a STUN message (first bits, cookie)
 * @DT_STUN_ERROR_MALFORMED: a header or attribute breaks RFC 8489 or RFC 8656
 * @DT_STUN_ERROR_BAD_FINGERPRINT: FINGERPRINT is misplaced or wrong
 * @DT_STUN_ERROR_BAD_INTEGRITY: MESSAGE-INTEGRITY(-SHA256) does not match the key
 * @DT_STUN_ERROR_NO_INTEGRITY: integrity was asked for and the message has none
 * @DT_STUN_ERROR_NOT_FOUND: the message lacks the attribute asked for
 * @DT_STUN_ERROR_BAD_CHANNEL: ChannelData with a channel outside 0x4000–0x4FFF
 * @DT_STUN_ERROR_BAD_CREDENTIALS: a username, realm or password Dialtone
 *   cannot prepare
 * @DT_STUN_ERROR_TOO_LONG: the message would exceed 65535 bytes of attributes
 */
typedef enum {
  DT_STUN_ERROR_TRUNCATED,
  DT_STUN_ERROR_NOT_STUN,
  DT_STUN_ERROR_MALFORMED,
  DT_STUN_ERROR_BAD_FINGERPRINT,
  DT_STUN_ERROR_BAD_INTEGRITY,
  DT_STUN_ERROR_NO_INTEGRITY,
  DT_STUN_ERROR_NOT_FOUND,
  DT_STUN_ERROR_BAD_CHANNEL,
  DT_STUN_ERROR_BAD_CREDENTIALS,
  DT_STUN_ERROR_TOO_LONG,
} DtStunError;

#define DT_STUN_ERROR (dt_stun_error_quark ())
GQuark dt_stun_error_quark (void);

/**
 * DtStunAddress:
 * @family: %DT_STUN_FAMILY_IPV4 or %DT_STUN_FAMILY_IPV6
 * @port: the port, in host order
 * @address: 4 or 16 bytes in network order, as @family says
 *
 * A transport address as it travels in (XOR-)address attributes, already
 * un-XORed.
 */
typedef struct {
  DtStunFamily family;
  guint16      port;
  guint8       address[16];
} DtStunAddress;

gboolean        dt_stun_address_from_socket_address (DtStunAddress        *address,
                                                     GInetSocketAddress   *socket_address);
GSocketAddress *dt_stun_address_to_socket_address   (const DtStunAddress  *address);
char           *dt_stun_address_to_string           (const DtStunAddress  *address);

/**
 * DtStunPacketKind:
 * @DT_STUN_PACKET_STUN: a STUN message
 * @DT_STUN_PACKET_CHANNEL_DATA: a TURN ChannelData message
 * @DT_STUN_PACKET_OTHER: anything else (RTP, DTLS, ZRTP, garbage)
 */
typedef enum {
  DT_STUN_PACKET_STUN,
  DT_STUN_PACKET_CHANNEL_DATA,
  DT_STUN_PACKET_OTHER,
} DtStunPacketKind;

DtStunPacketKind dt_stun_classify_packet (const guint8 *data,
                                          gsize         length);

gsize dt_stun_stream_frame_length (const guint8  *data,
                                   gsize          length,
                                   GError       **error);

/* ChannelData, RFC 8656 §12.4 */
gboolean dt_stun_channel_data_parse (const guint8   *data,
                                     gsize           length,
                                     gboolean        stream,
                                     guint16        *channel,
                                     const guint8  **payload,
                                     gsize          *payload_length,
                                     gsize          *consumed,
                                     GError        **error);
GBytes  *dt_stun_channel_data_build (guint16         channel,
                                     const guint8   *payload,
                                     gsize           payload_length,
                                     gboolean        stream);

/* Keys, RFC 8489 §9 */
char    *dt_stun_prepare_credential (const char               *text,
                                     GError                  **error);
GBytes  *dt_stun_short_term_key     (const char               *password,
                                     GError                  **error);
GBytes  *dt_stun_long_term_key      (const char               *username,
                                     const char               *realm,
                                     const char               *password,
                                     DtStunPasswordAlgorithm   algorithm,
                                     GError                  **error);
GBytes  *dt_stun_userhash           (const char               *username,
                                     const char               *realm,
                                     GError                  **error);

/* Decoding */
typedef struct _DtStunMessage DtStunMessage;

DtStunMessage *dt_stun_message_decode           (const guint8         *data,
                                                 gsize                 length,
                                                 GError              **error);
void           dt_stun_message_free             (DtStunMessage        *message);

guint16        dt_stun_message_get_method       (const DtStunMessage  *message);
DtStunClass    dt_stun_message_get_class        (const DtStunMessage  *message);
guint16        dt_stun_message_get_message_type (const DtStunMessage  *message);
const guint8  *dt_stun_message_get_transaction_id (const DtStunMessage *message);
const guint8  *dt_stun_message_get_bytes        (const DtStunMessage  *message,
                                                 gsize                *length);
gboolean       dt_stun_message_has_fingerprint  (const DtStunMessage  *message);
gboolean       dt_stun_message_has_integrity    (const DtStunMessage  *message);
gboolean       dt_stun_message_verify_integrity (const DtStunMessage  *message,
                                                 GBytes               *key,
                                                 GError              **error);

guint          dt_stun_message_get_n_attributes (const DtStunMessage  *message);
const guint8  *dt_stun_message_get_attribute_at (const DtStunMessage  *message,
                                                 guint                 index,
                                                 guint16              *type,
                                                 gsize                *length);
const guint8  *dt_stun_message_get_attribute    (const DtStunMessage  *message,
                                                 guint16               type,
                                                 gsize                *length);
gboolean       dt_stun_message_has_attribute    (const DtStunMessage  *message,
                                                 guint16               type);
const guint16 *dt_stun_message_get_unknown_required (const DtStunMessage *message,
                                                     guint              *n_types);

gboolean  dt_stun_message_get_address       (const DtStunMessage  *message,
                                             guint16               type,
                                             DtStunAddress        *address,
                                             GError              **error);
char     *dt_stun_message_get_string        (const DtStunMessage  *message,
                                             guint16               type,
                                             GError              **error);
gboolean  dt_stun_message_get_uint32        (const DtStunMessage  *message,
                                             guint16               type,
                                             guint32              *value,
                                             GError              **error);
gboolean  dt_stun_message_get_error_code    (const DtStunMessage  *message,
                                             guint                *code,
                                             char                **reason,
                                             GError              **error);
gboolean  dt_stun_message_get_address_error_code (const DtStunMessage  *message,
                                                  DtStunFamily         *family,
                                                  guint                *code,
                                                  char                **reason,
                                                  GError              **error);
GArray   *dt_stun_message_get_attribute_list (const DtStunMessage *message,
                                              guint16              type,
                                              GError             **error);
gboolean  dt_stun_message_get_channel_number (const DtStunMessage  *message,
                                              guint16              *channel,
                                              GError              **error);
gboolean  dt_stun_message_get_family        (const DtStunMessage  *message,
                                             guint16               type,
                                             DtStunFamily         *family,
                                             GError              **error);
gboolean  dt_stun_message_get_requested_transport (const DtStunMessage  *message,
                                                   guint8               *protocol,
                                                   GError              **error);
gboolean  dt_stun_message_get_even_port     (const DtStunMessage  *message,
                                             gboolean             *reserve,
                                             GError              **error);
gboolean  dt_stun_message_get_password_algorithm (const DtStunMessage      *message,
                                                  DtStunPasswordAlgorithm  *algorithm,
                                                  GError                  **error);
gboolean  dt_stun_message_get_icmp          (const DtStunMessage  *message,
                                             guint8               *icmp_type,
                                             guint8               *icmp_code,
                                             guint32              *error_data,
                                             GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtStunMessage, dt_stun_message_free)

/* Building */
typedef struct _DtStunBuilder DtStunBuilder;

DtStunBuilder *dt_stun_builder_new            (guint16               method,
                                               DtStunClass           klass,
                                               const guint8         *transaction_id);
void           dt_stun_builder_free           (DtStunBuilder        *builder);
void           dt_stun_builder_set_padding    (DtStunBuilder        *builder,
                                               guint8                padding);
const guint8  *dt_stun_builder_get_transaction_id (const DtStunBuilder *builder);

gboolean dt_stun_builder_add_attribute     (DtStunBuilder        *builder,
                                            guint16               type,
                                            const void           *value,
                                            gsize                 length,
                                            GError              **error);
gboolean dt_stun_builder_add_string        (DtStunBuilder        *builder,
                                            guint16               type,
                                            const char           *value,
                                            GError              **error);
gboolean dt_stun_builder_add_uint32        (DtStunBuilder        *builder,
                                            guint16               type,
                                            guint32               value,
                                            GError              **error);
gboolean dt_stun_builder_add_address       (DtStunBuilder        *builder,
                                            guint16               type,
                                            const DtStunAddress  *address,
                                            GError              **error);
gboolean dt_stun_builder_add_error_code    (DtStunBuilder        *builder,
                                            guint                 code,
                                            const char           *reason,
                                            GError              **error);
gboolean dt_stun_builder_add_address_error_code (DtStunBuilder  *builder,
                                                 DtStunFamily    family,
                                                 guint           code,
                                                 const char     *reason,
                                                 GError        **error);
gboolean dt_stun_builder_add_attribute_list (DtStunBuilder       *builder,
                                             guint16              type,
                                             const guint16       *values,
                                             guint                n_values,
                                             GError             **error);
gboolean dt_stun_builder_add_channel_number (DtStunBuilder       *builder,
                                             guint16              channel,
                                             GError             **error);
gboolean dt_stun_builder_add_family        (DtStunBuilder        *builder,
                                            guint16               type,
                                            DtStunFamily          family,
                                            GError              **error);
gboolean dt_stun_builder_add_requested_transport (DtStunBuilder  *builder,
                                                  guint8          protocol,
                                                  GError        **error);
gboolean dt_stun_builder_add_even_port     (DtStunBuilder        *builder,
                                            gboolean              reserve,
                                            GError              **error);
gboolean dt_stun_builder_add_password_algorithm (DtStunBuilder           *builder,
                                                 DtStunPasswordAlgorithm  algorithm,
                                                 GError                 **error);
gboolean dt_stun_builder_add_icmp          (DtStunBuilder        *builder,
                                            guint8                icmp_type,
                                            guint8                icmp_code,
                                            guint32               error_data,
                                            GError              **error);
gboolean dt_stun_builder_add_message_integrity (DtStunBuilder  *builder,
                                                GBytes         *key,
                                                GError        **error);
gboolean dt_stun_builder_add_message_integrity_sha256 (DtStunBuilder  *builder,
                                                       GBytes         *key,
                                                       gsize           length,
                                                       GError        **error);
gboolean dt_stun_builder_add_fingerprint   (DtStunBuilder        *builder,
                                            GError              **error);
GBytes  *dt_stun_builder_end               (DtStunBuilder        *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtStunBuilder, dt_stun_builder_free)

G_END_DECLS
