/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-uri.h
 *
 * Parsing and normalising the addresses a call can go to: sip:, sips:
 * (RFC 3261 §19.1, §25), tel: (RFC 3966) and callto:, and what people type
 * into a dial pad.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Longest URI we accept from a link or a user, in bytes. */
#define DT_URI_MAX_LENGTH 2048
/* Longest number, in digits: E.164 allows 15 for a global number; local
 * numbers with carrier prefixes get a little more room. */
#define DT_URI_MAX_DIGITS 20

typedef enum {
  DT_URI_KIND_SIP,
  DT_URI_KIND_SIPS,
  DT_URI_KIND_TEL,
} DtUriKind;

/**
 * DtUriError:
 * @DT_URI_ERROR_EMPTY: nothing to parse
 * @DT_URI_ERROR_TOO_LONG: over %DT_URI_MAX_LENGTH bytes, or a number over %DT_URI_MAX_DIGITS digits
 * @DT_URI_ERROR_UNSUPPORTED_SCHEME: a scheme other than sip, sips, tel or callto
 * @DT_URI_ERROR_INVALID: the text breaks the grammar; the message says where
 */
typedef enum {
  DT_URI_ERROR_EMPTY,
  DT_URI_ERROR_TOO_LONG,
  DT_URI_ERROR_UNSUPPORTED_SCHEME,
  DT_URI_ERROR_INVALID,
} DtUriError;

#define DT_URI_ERROR (dt_uri_error_quark ())
GQuark dt_uri_error_quark (void);

/**
 * DtUriParseFlags:
 * @DT_URI_PARSE_DEFAULT: read the text as a link from outside Dialtone
 * @DT_URI_PARSE_ACCOUNT_RELATIVE: also accept a `tel:` local number without
 *   `phone-context`, the form dt_uri_normalize_dial_string() gives for a
 *   number typed without a country code
 */
typedef enum {
  DT_URI_PARSE_DEFAULT = 0,
  DT_URI_PARSE_ACCOUNT_RELATIVE = 1 << 0,
} DtUriParseFlags;

typedef struct _DtUri DtUri;

#define DT_TYPE_URI (dt_uri_get_type ())
GType        dt_uri_get_type           (void) G_GNUC_CONST;

DtUri       *dt_uri_parse              (const char  *text,
                                        GError     **error);
DtUri       *dt_uri_parse_full         (const char       *text,
                                        DtUriParseFlags   flags,
                                        GError          **error);
DtUri       *dt_uri_ref                (DtUri       *self);
void         dt_uri_unref              (DtUri       *self);

DtUriKind    dt_uri_get_kind           (const DtUri *self);
const char  *dt_uri_get_scheme         (const DtUri *self);

/* sip:, sips: (all values percent-decoded) */
const char  *dt_uri_get_user           (const DtUri *self);
const char  *dt_uri_get_password       (const DtUri *self);
const char  *dt_uri_get_host           (const DtUri *self);
gboolean     dt_uri_host_is_ipv6       (const DtUri *self);
guint16      dt_uri_get_port           (const DtUri *self);
guint        dt_uri_get_n_headers      (const DtUri *self);
void         dt_uri_get_header_at      (const DtUri *self,
                                        guint        index,
                                        const char **name,
                                        const char **value);
const char  *dt_uri_get_header         (const DtUri *self,
                                        const char  *name);

/* parameters of both kinds; a flag parameter has the value "" */
guint        dt_uri_get_n_params       (const DtUri *self);
void         dt_uri_get_param_at       (const DtUri *self,
                                        guint        index,
                                        const char **name,
                                        const char **value);
const char  *dt_uri_get_param          (const DtUri *self,
                                        const char  *name);

/* tel:, and sip: with a telephone-subscriber user part */
const char  *dt_uri_get_number         (const DtUri *self);
gboolean     dt_uri_is_global_number   (const DtUri *self);
const char  *dt_uri_get_phone_context  (const DtUri *self);
const char  *dt_uri_get_extension      (const DtUri *self);

gboolean     dt_uri_is_account_relative (const DtUri *self);
DtUri       *dt_uri_dup_safe           (const DtUri *self);
gboolean     dt_uri_equal              (const DtUri *a,
                                        const DtUri *b);
char        *dt_uri_to_string          (const DtUri *self);

char        *dt_uri_normalize          (const char  *text,
                                        GError     **error);
char        *dt_uri_normalize_dial_string (const char  *text,
                                           GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtUri, dt_uri_unref)

G_END_DECLS
