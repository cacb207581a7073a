/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sip-message.h
 *
 * SIP requests and responses (RFC 3261 §7, §20, §25): parsing from
 * datagrams and streams, header access, the structured headers Dialtone
 * reads, and writing back to bytes.
 *
 * Lookups take any case and the compact forms; headers Dialtone knows are
 * written back under their canonical long names, unknown ones as they came.
 * Values are kept unfolded and trimmed. A message is not thread-safe: the
 * structured accessors cache what they parse until the next header change.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Largest message accepted or framed, in bytes. */
#define DT_SIP_MAX_MESSAGE_SIZE 65536
/* Most header fields (lines after unfolding) in one message. */
#define DT_SIP_MAX_HEADERS 256
/* Longest header value or start line after unfolding, in bytes. */
#define DT_SIP_MAX_HEADER_LENGTH 8192

/**
 * DtSipParseError:
 * @DT_SIP_PARSE_ERROR_TOO_LARGE: over %DT_SIP_MAX_MESSAGE_SIZE bytes
 * @DT_SIP_PARSE_ERROR_EMPTY: nothing but line ends (a keep-alive)
 * @DT_SIP_PARSE_ERROR_START_LINE: the request or status line breaks the grammar
 * @DT_SIP_PARSE_ERROR_VERSION: a SIP version other than 2.0
 * @DT_SIP_PARSE_ERROR_HEADER_SYNTAX: a header line breaks the grammar
 * @DT_SIP_PARSE_ERROR_HEADER_TOO_LONG: a header over %DT_SIP_MAX_HEADER_LENGTH bytes
 * @DT_SIP_PARSE_ERROR_TOO_MANY_HEADERS: over %DT_SIP_MAX_HEADERS header fields
 * @DT_SIP_PARSE_ERROR_DUPLICATE_HEADER: a single-value header appears twice
 * @DT_SIP_PARSE_ERROR_MISSING_HEADER: a mandatory header is absent
 * @DT_SIP_PARSE_ERROR_BAD_HEADER: a structured header's value is malformed
 * @DT_SIP_PARSE_ERROR_CSEQ_METHOD: the CSeq method differs from the request method
 * @DT_SIP_PARSE_ERROR_CONTENT_LENGTH: Content-Length malformed, too large, or
 *   missing on a stream
 * @DT_SIP_PARSE_ERROR_BODY_LENGTH: the body is shorter than Content-Length, or
 *   longer on a stream
 *
 * The error message is always a short reason phrase that names the fault,
 * fit for a `400` reply; see dt_sip_parse_error_get_reason().
 */
typedef enum {
  DT_SIP_PARSE_ERROR_TOO_LARGE,
  DT_SIP_PARSE_ERROR_EMPTY,
  DT_SIP_PARSE_ERROR_START_LINE,
  DT_SIP_PARSE_ERROR_VERSION,
  DT_SIP_PARSE_ERROR_HEADER_SYNTAX,
  DT_SIP_PARSE_ERROR_HEADER_TOO_LONG,
  DT_SIP_PARSE_ERROR_TOO_MANY_HEADERS,
  DT_SIP_PARSE_ERROR_DUPLICATE_HEADER,
  DT_SIP_PARSE_ERROR_MISSING_HEADER,
  DT_SIP_PARSE_ERROR_BAD_HEADER,
  DT_SIP_PARSE_ERROR_CSEQ_METHOD,
  DT_SIP_PARSE_ERROR_CONTENT_LENGTH,
  DT_SIP_PARSE_ERROR_BODY_LENGTH,
} DtSipParseError;

#define DT_SIP_PARSE_ERROR (dt_sip_parse_error_quark ())
GQuark dt_sip_parse_error_quark (void);

/**
 * DtSipFraming:
 * @DT_SIP_FRAMING_DATAGRAM: the bytes are one UDP datagram: Content-Length,
 *   if present, cuts the body, and without it the body runs to the end
 * @DT_SIP_FRAMING_STREAM: the bytes are one message cut from a TCP or TLS
 *   stream by dt_sip_frame_stream(): Content-Length is mandatory and exact
 */
typedef enum {
  DT_SIP_FRAMING_DATAGRAM,
  DT_SIP_FRAMING_STREAM,
} DtSipFraming;

/**
 * DtSipFrame:
 * @DT_SIP_FRAME_NEED_MORE: no complete unit at the front yet; read more
 * @DT_SIP_FRAME_MESSAGE: a whole message of the returned length is at the front
 * @DT_SIP_FRAME_PING: a double CRLF keep-alive is at the front; drop it and
 *   answer with a single CRLF (RFC 5626 §4.4.1)
 * @DT_SIP_FRAME_PONG: a single CRLF (a keep-alive answer, or a stray line
 *   end before a message); drop it
 * @DT_SIP_FRAME_ERROR: the stream holds garbage; close the connection
 */
typedef enum {
  DT_SIP_FRAME_NEED_MORE,
  DT_SIP_FRAME_MESSAGE,
  DT_SIP_FRAME_PING,
  DT_SIP_FRAME_PONG,
  DT_SIP_FRAME_ERROR,
} DtSipFrame;

/**
 * DtSipParam:
 * @name: the parameter name as written
 * @value: (nullable): the value as written (quoted strings keep their
 *   quotes), or %NULL for a flag such as `lr` or an empty `rport`
 *
 * One `;name=value` parameter of a structured header.
 */
typedef struct {
  char *name;
  char *value;
} DtSipParam;

/**
 * DtSipVia:
 * @protocol: the protocol name and version, normally `SIP/2.0`
 * @transport: the transport as written, e.g. `UDP`, `TCP`, `TLS`, `WSS`
 * @host: the sent-by host; an IPv6 reference without its brackets
 * @host_is_ipv6: whether @host came as an IPv6 reference
 * @port: the sent-by port, or 0 when absent
 * @branch: (nullable): the branch parameter
 * @received: (nullable): the received parameter
 * @maddr: (nullable): the maddr parameter
 * @rport: -1 without rport, 0 for a bare `;rport`, else its value
 * @ttl: -1 without ttl, else its value (0–255)
 * @params: (element-type DtSipParam): every parameter, in order
 *
 * One Via value (RFC 3261 §20.42, RFC 3581).
 */
typedef struct {
  char      *protocol;
  char      *transport;
  char      *host;
  gboolean   host_is_ipv6;
  guint16    port;
  char      *branch;
  char      *received;
  char      *maddr;
  gint       rport;
  gint       ttl;
  GPtrArray *params;
} DtSipVia;

/**
 * DtSipNameAddr:
 * @wildcard: the value is `*` (a Contact in a de-registration); every other
 *   field is then empty
 * @display_name: (nullable): the display name, unquoted and unescaped
 * @uri: the URI text, without its angle brackets
 * @tag: (nullable): the tag parameter
 * @params: (element-type DtSipParam): every header parameter, in order
 *
 * One From, To, Contact, Route, Record-Route, Refer-To or similar value
 * (RFC 3261 §20.10, §25.1 name-addr / addr-spec).
 */
typedef struct {
  gboolean   wildcard;
  char      *display_name;
  char      *uri;
  char      *tag;
  GPtrArray *params;
} DtSipNameAddr;

typedef struct _DtSipMessage DtSipMessage;

#define DT_TYPE_SIP_MESSAGE (dt_sip_message_get_type ())
GType          dt_sip_message_get_type          (void) G_GNUC_CONST;

/* parsing and framing */
DtSipMessage  *dt_sip_message_parse             (const guint8  *data,
                                                 gsize          length,
                                                 DtSipFraming   framing,
                                                 GError       **error);
DtSipMessage  *dt_sip_message_parse_full        (const guint8  *data,
                                                 gsize          length,
                                                 DtSipFraming   framing,
                                                 DtSipMessage **answerable,
                                                 GError       **error);
const char    *dt_sip_parse_error_get_reason    (const GError  *error);
DtSipFrame     dt_sip_frame_stream              (const guint8  *data,
                                                 gsize          length,
                                                 gsize         *frame_length,
                                                 GError       **error);

/* construction and lifetime */
DtSipMessage  *dt_sip_message_new_request       (const char   *method,
                                                 const char   *request_uri);
DtSipMessage  *dt_sip_message_new_response      (guint         status_code,
                                                 const char   *reason);
DtSipMessage  *dt_sip_message_new_response_for  (DtSipMessage *request,
                                                 guint         status_code,
                                                 const char   *reason,
                                                 const char   *to_tag);
DtSipMessage  *dt_sip_message_ref               (DtSipMessage *self);
void           dt_sip_message_unref             (DtSipMessage *self);
GBytes        *dt_sip_message_to_bytes          (DtSipMessage *self);
gboolean       dt_sip_message_equal             (DtSipMessage *a,
                                                 DtSipMessage *b);

/* start line and body */
gboolean       dt_sip_message_is_request        (DtSipMessage *self);
const char    *dt_sip_message_get_method        (DtSipMessage *self);
const char    *dt_sip_message_get_request_uri   (DtSipMessage *self);
guint          dt_sip_message_get_status_code   (DtSipMessage *self);
const char    *dt_sip_message_get_reason        (DtSipMessage *self);
GBytes        *dt_sip_message_get_body          (DtSipMessage *self);
void           dt_sip_message_set_body          (DtSipMessage *self,
                                                 const char   *content_type,
                                                 GBytes       *body);

/* header fields */
guint          dt_sip_message_get_n_headers     (DtSipMessage *self);
void           dt_sip_message_get_header_at     (DtSipMessage *self,
                                                 guint         index,
                                                 const char  **name,
                                                 const char  **value);
const char    *dt_sip_message_get_header        (DtSipMessage *self,
                                                 const char   *name);
GStrv          dt_sip_message_get_header_values (DtSipMessage *self,
                                                 const char   *name);
guint          dt_sip_message_count_header      (DtSipMessage *self,
                                                 const char   *name);
void           dt_sip_message_append_header     (DtSipMessage *self,
                                                 const char   *name,
                                                 const char   *value);
void           dt_sip_message_prepend_header    (DtSipMessage *self,
                                                 const char   *name,
                                                 const char   *value);
void           dt_sip_message_set_header        (DtSipMessage *self,
                                                 const char   *name,
                                                 const char   *value);
guint          dt_sip_message_remove_header     (DtSipMessage *self,
                                                 const char   *name);
gboolean       dt_sip_message_remove_first_value (DtSipMessage *self,
                                                  const char   *name);
const char    *dt_sip_header_canonical_name     (const char   *name);

/* the common structured headers */
const char    *dt_sip_message_get_call_id       (DtSipMessage *self);
gboolean       dt_sip_message_get_cseq          (DtSipMessage *self,
                                                 guint32      *number,
                                                 const char  **method);
const char    *dt_sip_message_get_from_tag      (DtSipMessage *self);
const char    *dt_sip_message_get_to_tag        (DtSipMessage *self);
const char    *dt_sip_message_get_top_via_branch (DtSipMessage *self);
DtSipVia      *dt_sip_message_get_top_via       (DtSipMessage *self);
gint           dt_sip_message_get_max_forwards  (DtSipMessage *self);
gint64         dt_sip_message_get_expires       (DtSipMessage *self);

GStrv          dt_sip_split_header_value        (const char   *name,
                                                 const char   *value);
gboolean       dt_sip_cseq_parse                (const char   *value,
                                                 guint32      *number,
                                                 char        **method);
DtSipVia      *dt_sip_via_parse                 (const char   *value);
void           dt_sip_via_free                  (DtSipVia     *via);
DtSipNameAddr *dt_sip_name_addr_parse           (const char   *value);
void           dt_sip_name_addr_free            (DtSipNameAddr *name_addr);
const char    *dt_sip_params_lookup             (GPtrArray    *params,
                                                 const char   *name,
                                                 gboolean     *found);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipMessage, dt_sip_message_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipVia, dt_sip_via_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtSipNameAddr, dt_sip_name_addr_free)

G_END_DECLS
