/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-uri.c
 *
 * Every component is kept twice: percent-decoded for the accessors, and as
 * canonical text for dt_uri_to_string() and dt_uri_equal(). The canonical
 * text decodes escaped unreserved characters but keeps the escaping of
 * reserved ones, since RFC 3261 §19.1.4 does not treat a reserved character
 * and its escape as equal.
 *
 * Links come from browsers and other programs, so nothing here trusts its
 * input: everything is bounded by DT_URI_MAX_LENGTH, and decoded text never
 * holds a NUL, a control character or invalid UTF-8.
 */

#define G_LOG_DOMAIN "dialtone-core"

#include "config.h"

#include "dt-uri.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* Longest piece of untrusted text quoted in an error message. */
#define MESSAGE_QUOTE_MAX 40

/* RFC 3261 §25.1 */
#define MARK_CHARS       "-_.!~*'()"
#define USER_CHARS       "&=+$,;?/"
#define PASSWORD_CHARS   "&=+$,"
#define PARAM_CHARS      "[]/:&+$"
#define HEADER_CHARS     "[]/?:+$"
/* RFC 3966 §3: isub is 1*uric; ";" is left out so it cannot swallow the
 * parameters after it. */
#define SUBADDRESS_CHARS "/?:@&=+$,"
/* Printable ASCII that is not unreserved, for text whose grammar is
 * checked later. */
#define ANY_CHARS        "\"#$&+,/:;<=>?@[\\]^`{|}"

typedef enum {
  PART_ADDRESS,
  PART_USER,
  PART_PASSWORD,
  PART_PARAM,
  PART_HEADER,
  PART_NUMBER,
  PART_EXTENSION,
  PART_SUBADDRESS,
  PART_PHONE_CONTEXT,
} UriPart;

typedef struct {
  char *name;        /* percent-decoded; lowercase for parameters */
  char *value;       /* percent-decoded; "" for a flag parameter */
  char *name_text;   /* canonical text */
  char *value_text;
} DtUriPair;

typedef struct {
  char     *number;
  gboolean  global;
  char     *phone_context;
  char     *extension;
  GArray   *params;
} TelParts;

struct _DtUri
{
  DtUriKind  kind;

  /* sip:, sips: */
  char      *user;
  char      *user_text;
  char      *password;
  char      *password_text;
  char      *host;            /* lowercase, no brackets; NULL when account-relative */
  gboolean   host_is_ipv6;
  guint16    port;            /* 0 when absent */
  GArray    *headers;         /* DtUriPair, in the order written */

  /* both kinds; tel: in the order of RFC 3966 §3 */
  GArray    *params;

  /* tel:, and the user part of sip:…;user=phone */
  char      *number;          /* without visual separators */
  gboolean   global;
  char      *phone_context;
  char      *extension;
};

G_DEFINE_BOXED_TYPE (DtUri, dt_uri, dt_uri_ref, dt_uri_unref)

G_DEFINE_QUARK (dt-uri-error-quark, dt_uri_error)

static void
pair_clear (DtUriPair *pair)
{
  g_clear_pointer (&pair->name, g_free);
  g_clear_pointer (&pair->value, g_free);
  g_clear_pointer (&pair->name_text, g_free);
  g_clear_pointer (&pair->value_text, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DtUriPair, pair_clear)

static GArray *
pairs_new (void)
{
  GArray *pairs = g_array_new (FALSE, TRUE, sizeof (DtUriPair));

  g_array_set_clear_func (pairs, (GDestroyNotify) pair_clear);

  return pairs;
}

static void
pairs_take (GArray    *pairs,
            DtUriPair *pair)
{
  g_array_append_val (pairs, *pair);
  memset (pair, 0, sizeof *pair);
}

static const DtUriPair *
pairs_find (GArray     *pairs,
            const char *name)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      const DtUriPair *pair = &g_array_index (pairs, DtUriPair, i);

      if (g_ascii_strcasecmp (pair->name, name) == 0)
        return pair;
    }

  return NULL;
}

static GArray *
pairs_copy (GArray *pairs,
            gboolean (*keep) (const DtUriPair *pair))
{
  GArray *copy = pairs_new ();

  for (guint i = 0; i < pairs->len; i++)
    {
      const DtUriPair *pair = &g_array_index (pairs, DtUriPair, i);
      DtUriPair dup;

      if (keep != NULL && !keep (pair))
        continue;

      dup.name = g_strdup (pair->name);
      dup.value = g_strdup (pair->value);
      dup.name_text = g_strdup (pair->name_text);
      dup.value_text = g_strdup (pair->value_text);
      g_array_append_val (copy, dup);
    }

  return copy;
}

static void
tel_parts_clear (TelParts *parts)
{
  g_clear_pointer (&parts->number, g_free);
  g_clear_pointer (&parts->phone_context, g_free);
  g_clear_pointer (&parts->extension, g_free);
  g_clear_pointer (&parts->params, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TelParts, tel_parts_clear)

static void
uri_free (DtUri *self)
{
  g_free (self->user);
  g_free (self->user_text);
  g_free (self->password);
  g_free (self->password_text);
  g_free (self->host);
  g_clear_pointer (&self->headers, g_array_unref);
  g_clear_pointer (&self->params, g_array_unref);
  g_free (self->number);
  g_free (self->phone_context);
  g_free (self->extension);
}

static DtUri *
uri_new (DtUriKind kind)
{
  DtUri *self = g_atomic_rc_box_new0 (DtUri);

  self->kind = kind;
  self->headers = pairs_new ();
  self->params = pairs_new ();

  return self;
}

static const char *
part_label (UriPart part)
{
  /* Translators: the names below fill the %s of messages such as
   * “The user name contains “<”, which must be written as “%3C”” */
  switch (part)
    {
    case PART_ADDRESS:
      return _("address");
    case PART_USER:
      return _("user name");
    case PART_PASSWORD:
      return _("password");
    case PART_PARAM:
      return _("parameter");
    case PART_HEADER:
      return _("header");
    case PART_NUMBER:
      return _("phone number");
    case PART_EXTENSION:
      return _("extension");
    case PART_SUBADDRESS:
      return _("subaddress");
    case PART_PHONE_CONTEXT:
      return _("phone-context");
    default:
      g_assert_not_reached ();
    }
}

/* Invisible and direction-changing characters would let quoted text hide
 * or reorder what the message says around it. */
static void
append_for_message (GString    *out,
                    const char *text,
                    gsize       len)
{
  const char *end = text + len;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isprint (c) && g_unichar_type (c) != G_UNICODE_FORMAT)
        g_string_append_unichar (out, c);
      else
        g_string_append_unichar (out, 0xfffd);
    }
}

/* The start of @text, for an error message. @text must be valid UTF-8. */
static char *
quote_head (const char *text,
            gsize       len)
{
  GString *out = g_string_new (NULL);
  gsize cut = len;

  if (len > MESSAGE_QUOTE_MAX)
    {
      cut = MESSAGE_QUOTE_MAX;
      while (cut > 0 && ((guchar) text[cut] & 0xc0) == 0x80)
        cut--;
    }

  append_for_message (out, text, cut);
  if (cut < len)
    g_string_append (out, "…");

  return g_string_free (out, FALSE);
}

/* The end of @text, for an error message. @text must be valid UTF-8. */
static char *
quote_tail (const char *text,
            gsize       len)
{
  GString *out = g_string_new (NULL);
  gsize start = 0;

  if (len > MESSAGE_QUOTE_MAX)
    {
      start = len - MESSAGE_QUOTE_MAX;
      while (start < len && ((guchar) text[start] & 0xc0) == 0x80)
        start++;
      g_string_append (out, "…");
    }

  append_for_message (out, text + start, len - start);

  return g_string_free (out, FALSE);
}

static gboolean
char_in_set (char        c,
             const char *set)
{
  return c != '\0' && strchr (set, c) != NULL;
}

/* RFC 3261 §25.1 and RFC 3966 §3 agree on unreserved. */
static gboolean
is_unreserved (char c)
{
  return g_ascii_isalnum (c) || char_in_set (c, MARK_CHARS);
}

static gboolean
is_visual_separator (char c)
{
  return char_in_set (c, "-.()");
}

static gboolean
has_prefix_ascii_nocase (const char *text,
                         gsize       len,
                         const char *prefix)
{
  gsize prefix_len = strlen (prefix);

  return len >= prefix_len && g_ascii_strncasecmp (text, prefix, prefix_len) == 0;
}

/*
 * Checks @raw against the characters its component allows and
 * percent-decodes it. @text receives the canonical form: escaped unreserved
 * characters decoded, other escapes kept with uppercase hex. @lowercase
 * folds ASCII letters, for the components compared without case.
 */
static gboolean
decode_part (const char  *raw,
             gsize        len,
             const char  *allowed,
             UriPart      part,
             gboolean     lowercase,
             char       **text,
             char       **decoded,
             GError     **error)
{
  g_autoptr(GString) out_text = g_string_sized_new (len);
  g_autoptr(GString) out_decoded = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];

      if (c == '%')
        {
          int high = len - i >= 3 ? g_ascii_xdigit_value (raw[i + 1]) : -1;
          int low = len - i >= 3 ? g_ascii_xdigit_value (raw[i + 2]) : -1;
          guchar byte;

          if (high < 0 || low < 0)
            {
              g_autofree char *escape = g_strndup (raw + i, MIN (len - i, 3));

              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           /* Translators: the second %s is a part of an address,
                            * such as “user name” */
                           _("“%s” in the %s is not a valid percent-escape"),
                           escape, part_label (part));
              return FALSE;
            }

          byte = (guchar) (high << 4 | low);

          if (byte == 0)
            {
              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The %s contains “%%00”, which is not allowed"),
                           part_label (part));
              return FALSE;
            }

          /* A decoded CR or LF could split a SIP header line */
          if (byte < 0x20 || byte == 0x7f)
            {
              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The %s contains the escaped control character “%%%02X”"),
                           part_label (part), byte);
              return FALSE;
            }

          if (lowercase)
            byte = (guchar) g_ascii_tolower (byte);

          if (is_unreserved ((char) byte))
            g_string_append_c (out_text, (char) byte);
          else
            g_string_append_printf (out_text, "%%%02X", byte);

          g_string_append_c (out_decoded, (char) byte);
          i += 2;
        }
      else if (is_unreserved (c) || char_in_set (c, allowed))
        {
          if (lowercase)
            c = g_ascii_tolower (c);

          g_string_append_c (out_text, c);
          g_string_append_c (out_decoded, c);
        }
      else if (g_ascii_isgraph (c))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       /* Translators: the first %s is a part of an address,
                        * such as “user name” */
                       _("The %s contains “%c”, which must be written as “%%%02X”"),
                       part_label (part), c, (guchar) c);
          return FALSE;
        }
      else
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("The %s contains a character that is not allowed"),
                       part_label (part));
          return FALSE;
        }
    }

  if (!g_utf8_validate_len (out_decoded->str, out_decoded->len, NULL))
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("The %s does not decode to valid UTF-8 text"),
                   part_label (part));
      return FALSE;
    }

  *text = g_string_free (g_steal_pointer (&out_text), FALSE);
  *decoded = g_string_free (g_steal_pointer (&out_decoded), FALSE);

  return TRUE;
}

/* Every character a valid address can hold is printable ASCII. Checking the
 * whole text first gives a clear message for the common mistakes, and lets
 * later messages quote the text safely. */
static gboolean
check_characters (const char  *text,
                  gsize        len,
                  GError     **error)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) text[i];
      g_autofree char *before = NULL;

      if (c > 0x20 && c < 0x7f)
        continue;

      before = quote_tail (text, i);

      if (c == ' ')
        g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                     _("The address contains a space after “%s”; write spaces as “%%20”"),
                     before);
      else if (c >= 0x80 && i > 0)
        g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                     _("The address contains a non-ASCII character after “%s”; "
                       "such characters must be percent-encoded"),
                     before);
      else if (c >= 0x80)
        g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                             _("The address starts with a non-ASCII character"));
      else if (i > 0)
        g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                     _("The address contains a control character after “%s”"),
                     before);
      else
        g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                             _("The address starts with a control character"));

      return FALSE;
    }

  return TRUE;
}

/* RFC 3986 §3.1 */
static gsize
scheme_length (const char *text,
               gsize       len)
{
  gsize i;

  if (len == 0 || !g_ascii_isalpha (text[0]))
    return 0;

  for (i = 1; i < len; i++)
    {
      if (!g_ascii_isalnum (text[i]) && !char_in_set (text[i], "+-."))
        break;
    }

  return i < len && text[i] == ':' ? i : 0;
}

/* Host names */

/* RFC 3261 §25.1: IPv4address, each part also at most 255 */
static gboolean
parse_ipv4 (const char *text,
            gsize       len,
            guint8      out[4])
{
  gsize i = 0;

  for (guint part = 0; part < 4; part++)
    {
      guint value = 0;
      guint digits = 0;

      if (part > 0)
        {
          if (i >= len || text[i] != '.')
            return FALSE;
          i++;
        }

      while (i < len && g_ascii_isdigit (text[i]) && digits < 3)
        {
          value = value * 10 + (guint) (text[i] - '0');
          digits++;
          i++;
        }

      if (digits == 0 || value > 255)
        return FALSE;

      out[part] = (guint8) value;
    }

  return i == len;
}

/* hexseq of RFC 3261 §25.1, with an IPv4 address allowed at its end */
static gboolean
parse_hex_groups (const char *text,
                  gsize       len,
                  gboolean    allow_ipv4,
                  guint16    *groups,
                  guint       max_groups,
                  guint      *n_groups)
{
  gsize start = 0;
  guint n = 0;

  *n_groups = 0;

  if (len == 0)
    return TRUE;

  for (;;)
    {
      gsize end = start;
      gsize piece_len;

      while (end < len && text[end] != ':')
        end++;

      piece_len = end - start;
      if (piece_len == 0)
        return FALSE;

      if (memchr (text + start, '.', piece_len) != NULL)
        {
          guint8 ipv4[4];

          if (!allow_ipv4 || end != len || n + 2 > max_groups ||
              !parse_ipv4 (text + start, piece_len, ipv4))
            return FALSE;

          groups[n++] = (guint16) (ipv4[0] << 8 | ipv4[1]);
          groups[n++] = (guint16) (ipv4[2] << 8 | ipv4[3]);
        }
      else
        {
          guint value = 0;

          if (piece_len > 4 || n + 1 > max_groups)
            return FALSE;

          for (gsize i = start; i < end; i++)
            {
              int digit = g_ascii_xdigit_value (text[i]);

              if (digit < 0)
                return FALSE;
              value = value << 4 | (guint) digit;
            }

          groups[n++] = (guint16) value;
        }

      if (end == len)
        break;

      start = end + 1;
    }

  *n_groups = n;

  return TRUE;
}

/* RFC 3261 §25.1 IPv6address: no zone index */
static gboolean
parse_ipv6 (const char *text,
            gsize       len,
            guint16     out[8])
{
  const char *gap = g_strstr_len (text, len, "::");
  guint16 left[8];
  guint16 right[8];
  guint n_left = 0;
  guint n_right = 0;

  memset (out, 0, 8 * sizeof (guint16));

  if (gap == NULL)
    {
      if (!parse_hex_groups (text, len, TRUE, out, 8, &n_left))
        return FALSE;
      return n_left == 8;
    }
  else
    {
      gsize left_len = (gsize) (gap - text);
      const char *rest = gap + 2;
      gsize rest_len = len - left_len - 2;

      if (g_strstr_len (rest, rest_len, "::") != NULL)
        return FALSE;

      /* “::” stands for at least one group of zeros */
      if (!parse_hex_groups (text, left_len, FALSE, left, 7, &n_left) ||
          !parse_hex_groups (rest, rest_len, TRUE, right, 7, &n_right) ||
          n_left + n_right > 7)
        return FALSE;

      memcpy (out, left, n_left * sizeof (guint16));
      memcpy (out + 8 - n_right, right, n_right * sizeof (guint16));

      return TRUE;
    }
}

/* RFC 5952 §4: lowercase, no leading zeros, the longest run of two or more
 * zero groups shortened to “::” (the first one on a tie); §5: IPv4-mapped
 * addresses end in dotted decimal. Two spellings of one address thus
 * compare equal. */
static char *
format_ipv6 (const guint16 groups[8])
{
  GString *out = g_string_sized_new (40);
  int best_start = -1;
  int best_len = 1;
  int end = 8;

  for (int i = 0; i < 8; )
    {
      int run = 0;

      while (i + run < 8 && groups[i + run] == 0)
        run++;

      if (run > best_len)
        {
          best_start = i;
          best_len = run;
        }

      i += run > 0 ? run : 1;
    }

  if (best_start == 0 && best_len == 5 && groups[5] == 0xffff)
    {
      g_string_append_printf (out, "::ffff:%u.%u.%u.%u",
                              groups[6] >> 8, groups[6] & 0xff,
                              groups[7] >> 8, groups[7] & 0xff);
      return g_string_free (out, FALSE);
    }

  for (int i = 0; i < end; i++)
    {
      if (i == best_start)
        {
          g_string_append (out, "::");
          i += best_len - 1;
          continue;
        }

      if (out->len > 0 && out->str[out->len - 1] != ':')
        g_string_append_c (out, ':');

      g_string_append_printf (out, "%x", groups[i]);
    }

  return g_string_free (out, FALSE);
}

/* RFC 3261 §25.1 hostname; labels also at most 63 characters, as DNS
 * would refuse them later anyway */
static gboolean
is_valid_hostname (const char *text,
                   gsize       len)
{
  gsize start = 0;

  if (len > 0 && text[len - 1] == '.')
    len--;

  if (len == 0)
    return FALSE;

  while (start < len)
    {
      gsize end = start;

      while (end < len && text[end] != '.')
        end++;

      if (end == start || end - start > 63)
        return FALSE;

      for (gsize i = start; i < end; i++)
        {
          if (!g_ascii_isalnum (text[i]) && text[i] != '-')
            return FALSE;
        }

      if (text[start] == '-' || text[end - 1] == '-')
        return FALSE;

      if (end == len && !g_ascii_isalpha (text[start]))
        return FALSE;

      start = end + 1;
    }

  return TRUE;
}

/* Telephone numbers, RFC 3966 */

typedef enum {
  DIGITS_NUMBER,
  DIGITS_EXTENSION,
  DIGITS_CONTEXT,
} DigitsKind;

/*
 * global-number-digits, local-number-digits (for DIGITS_NUMBER) or
 * 1*phonedigit (for an extension), returned without visual separators.
 * Escapes are decoded first: browsers write a link such as
 * “tel:+1 555 0123” as “tel:+1%20555%200123”, so an escaped space counts
 * as one more visual separator; “#” is written “%23” by RFC 3966 §5.1.
 */
static char *
parse_phone_digits (const char  *raw,
                    gsize        len,
                    DigitsKind   kind,
                    gboolean    *global,
                    GError     **error)
{
  g_autoptr(GString) out = g_string_sized_new (len);
  UriPart part;
  gboolean is_global = FALSE;
  guint n_digits = 0;

  switch (kind)
    {
    case DIGITS_NUMBER:
      part = PART_NUMBER;
      break;
    case DIGITS_EXTENSION:
      part = PART_EXTENSION;
      break;
    case DIGITS_CONTEXT:
      part = PART_PHONE_CONTEXT;
      break;
    default:
      g_assert_not_reached ();
    }

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];
      gboolean escaped = FALSE;

      if (c == '%')
        {
          int high = len - i >= 3 ? g_ascii_xdigit_value (raw[i + 1]) : -1;
          int low = len - i >= 3 ? g_ascii_xdigit_value (raw[i + 2]) : -1;

          if (high < 0 || low < 0)
            {
              g_autofree char *escape = g_strndup (raw + i, MIN (len - i, 3));

              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("“%s” in the %s is not a valid percent-escape"),
                           escape, part_label (part));
              return NULL;
            }

          c = (char) (high << 4 | low);
          escaped = TRUE;
          i += 2;
        }

      if (c == '+' && i < 3 && out->len == 0 && kind != DIGITS_EXTENSION &&
          (i == 0 || escaped))
        {
          is_global = TRUE;
          g_string_append_c (out, '+');
        }
      else if (is_visual_separator (c) || (escaped && c == ' '))
        {
          continue;
        }
      else if (g_ascii_isdigit (c))
        {
          g_string_append_c (out, c);
          n_digits++;
        }
      else if (kind == DIGITS_NUMBER && !is_global &&
               (g_ascii_isxdigit (c) || c == '*' || c == '#'))
        {
          g_string_append_c (out, g_ascii_toupper (c));
          n_digits++;
        }
      else if (is_global && (g_ascii_isxdigit (c) || c == '*' || c == '#'))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%c” cannot be part of a number that starts with “+”"), c);
          return NULL;
        }
      else if (g_ascii_isgraph (c))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       /* Translators: %s is “phone number”, “extension” or
                        * “phone-context” */
                       _("“%c” cannot be part of the %s"), c, part_label (part));
          return NULL;
        }
      else
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("The %s contains a character that is not allowed"),
                       part_label (part));
          return NULL;
        }
    }

  if (n_digits == 0)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("The %s has no digits"), part_label (part));
      return NULL;
    }

  if (n_digits > DT_URI_MAX_DIGITS)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The %s has more than %d digits"),
                   part_label (part), DT_URI_MAX_DIGITS);
      return NULL;
    }

  if (global != NULL)
    *global = is_global;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static int
tel_param_rank (const char *name)
{
  if (g_str_equal (name, "ext"))
    return 0;
  if (g_str_equal (name, "isub"))
    return 1;
  if (g_str_equal (name, "phone-context"))
    return 2;
  return 3;
}

/* RFC 3966 §3: “ext” or “isub” first, then “phone-context”, then the
 * others in lexical order */
static int
compare_tel_params (gconstpointer a,
                    gconstpointer b)
{
  const DtUriPair *pa = a;
  const DtUriPair *pb = b;
  int rank_a = tel_param_rank (pa->name);
  int rank_b = tel_param_rank (pb->name);

  if (rank_a != rank_b)
    return rank_a < rank_b ? -1 : 1;

  return strcmp (pa->name, pb->name);
}

static gboolean
parse_tel_param (TelParts    *parts,
                 const char  *text,
                 gsize        len,
                 GError     **error)
{
  g_auto(DtUriPair) pair = { 0 };
  const char *eq = memchr (text, '=', len);
  gsize name_len = eq != NULL ? (gsize) (eq - text) : len;
  const char *value = eq != NULL ? eq + 1 : NULL;
  gsize value_len = eq != NULL ? len - name_len - 1 : 0;

  if (len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The address has an empty parameter"));
      return FALSE;
    }

  if (name_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("A parameter has no name"));
      return FALSE;
    }

  /* RFC 3966 §3: pname = 1*( alphanum / "-" ) */
  for (gsize i = 0; i < name_len; i++)
    {
      if (!g_ascii_isalnum (text[i]) && text[i] != '-')
        {
          g_autofree char *quoted = quote_head (text, name_len);

          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%s” is not a valid parameter name"), quoted);
          return FALSE;
        }
    }

  pair.name = g_ascii_strdown (text, (gssize) name_len);
  pair.name_text = g_strdup (pair.name);

  if (pairs_find (parts->params, pair.name) != NULL)
    {
      g_autofree char *quoted = quote_head (pair.name, name_len);

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Parameter “%s” appears more than once"), quoted);
      return FALSE;
    }

  if (value != NULL && value_len == 0)
    {
      g_autofree char *quoted = quote_head (pair.name, name_len);

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Parameter “%s” has an empty value"), quoted);
      return FALSE;
    }

  if (value == NULL && tel_param_rank (pair.name) < 3)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Parameter “%s” needs a value"), pair.name);
      return FALSE;
    }

  if (value == NULL)
    {
      pair.value = g_strdup ("");
      pair.value_text = g_strdup ("");
    }
  else if (g_str_equal (pair.name, "ext"))
    {
      pair.value = parse_phone_digits (value, value_len, DIGITS_EXTENSION, NULL, error);
      if (pair.value == NULL)
        return FALSE;
      pair.value_text = g_strdup (pair.value);
      parts->extension = g_strdup (pair.value);
    }
  else if (g_str_equal (pair.name, "isub"))
    {
      if (!decode_part (value, value_len, SUBADDRESS_CHARS, PART_SUBADDRESS, FALSE,
                        &pair.value_text, &pair.value, error))
        return FALSE;
    }
  else if (g_str_equal (pair.name, "phone-context"))
    {
      /* RFC 3966 §3: descriptor = domainname / global-number-digits */
      if (value[0] == '+')
        {
          pair.value = parse_phone_digits (value, value_len, DIGITS_CONTEXT, NULL, error);
          if (pair.value == NULL)
            return FALSE;
        }
      else if (is_valid_hostname (value, value_len))
        {
          pair.value = g_ascii_strdown (value, (gssize) value_len);
        }
      else
        {
          g_autofree char *quoted = quote_head (value, value_len);

          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%s” is not a valid phone-context: use a domain name "
                         "or a number that starts with “+”"),
                       quoted);
          return FALSE;
        }

      pair.value_text = g_strdup (pair.value);
      parts->phone_context = g_strdup (pair.value);
    }
  else if (!decode_part (value, value_len, PARAM_CHARS, PART_PARAM, FALSE,
                         &pair.value_text, &pair.value, error))
    {
      return FALSE;
    }

  pairs_take (parts->params, &pair);

  return TRUE;
}

/* RFC 3966 §3 telephone-subscriber, from a tel: URI or the user part of a
 * SIP URI */
static gboolean
parse_telephone_subscriber (const char  *text,
                            gsize        len,
                            gboolean     require_context,
                            TelParts    *parts,
                            GError     **error)
{
  const char *semicolon = memchr (text, ';', len);
  gsize number_len = semicolon != NULL ? (gsize) (semicolon - text) : len;
  gsize pos = number_len;

  parts->params = pairs_new ();

  if (number_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The phone number is missing"));
      return FALSE;
    }

  parts->number = parse_phone_digits (text, number_len, DIGITS_NUMBER, &parts->global, error);
  if (parts->number == NULL)
    return FALSE;

  while (pos < len)
    {
      const char *piece = text + pos + 1;
      const char *end = memchr (piece, ';', len - pos - 1);
      gsize piece_len = end != NULL ? (gsize) (end - piece) : len - pos - 1;

      if (!parse_tel_param (parts, piece, piece_len, error))
        return FALSE;

      pos += piece_len + 1;
    }

  /* RFC 3966 §3: global-number = global-number-digits *par, without a
   * context */
  if (parts->global && parts->phone_context != NULL)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("The number “%s” starts with “+”, so it cannot have a phone-context"),
                   parts->number);
      return FALSE;
    }

  /* RFC 3966 §5.1.5: a local number must say where it belongs */
  if (require_context && !parts->global && parts->phone_context == NULL)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("The local number “%s” has no phone-context parameter "
                     "saying which area or network it belongs to"),
                   parts->number);
      return FALSE;
    }

  g_array_sort (parts->params, compare_tel_params);

  return TRUE;
}

static DtUri *
uri_new_from_tel_parts (TelParts *parts)
{
  DtUri *self = uri_new (DT_URI_KIND_TEL);

  self->number = g_steal_pointer (&parts->number);
  self->global = parts->global;
  self->phone_context = g_steal_pointer (&parts->phone_context);
  self->extension = g_steal_pointer (&parts->extension);
  g_clear_pointer (&self->params, g_array_unref);
  self->params = g_steal_pointer (&parts->params);

  return self;
}

static DtUri *
parse_tel (const char       *text,
           gsize             len,
           DtUriParseFlags   flags,
           GError          **error)
{
  g_auto(TelParts) parts = { 0 };

  /* “tel://” breaks RFC 3966 but is common on web pages, and what is meant
   * is plain. */
  if (len >= 2 && text[0] == '/' && text[1] == '/')
    {
      text += 2;
      len -= 2;
    }

  if (!parse_telephone_subscriber (text, len,
                                   (flags & DT_URI_PARSE_ACCOUNT_RELATIVE) == 0,
                                   &parts, error))
    return NULL;

  return uri_new_from_tel_parts (&parts);
}

/* SIP */

static gboolean
parse_userinfo (DtUri       *self,
                const char  *text,
                gsize        len,
                GError     **error)
{
  const char *colon = memchr (text, ':', len);
  gsize user_len = colon != NULL ? (gsize) (colon - text) : len;

  if (user_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The user name before “@” is empty"));
      return FALSE;
    }

  if (!decode_part (text, user_len, USER_CHARS, PART_USER, FALSE,
                    &self->user_text, &self->user, error))
    return FALSE;

  if (colon != NULL &&
      !decode_part (colon + 1, len - user_len - 1, PASSWORD_CHARS, PART_PASSWORD, FALSE,
                    &self->password_text, &self->password, error))
    return FALSE;

  return TRUE;
}

static gboolean
parse_port (DtUri       *self,
            const char  *text,
            gsize        len,
            GError     **error)
{
  g_autofree char *quoted = NULL;
  guint value = 0;

  if (len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The port number after “:” is missing"));
      return FALSE;
    }

  quoted = quote_head (text, len);

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("Port “%s” is not a number"), quoted);
          return FALSE;
        }

      if (value <= G_MAXUINT16)
        value = value * 10 + (guint) (text[i] - '0');
    }

  if (value == 0 || value > G_MAXUINT16)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Port “%s” is out of range"), quoted);
      return FALSE;
    }

  self->port = (guint16) value;

  return TRUE;
}

/* hostport of RFC 3261 §25.1; moves *pos past it */
static gboolean
parse_hostport (DtUri       *self,
                const char **pos,
                const char  *end,
                GError     **error)
{
  const char *p = *pos;
  const char *host_end;
  gsize host_len;

  if (p < end && *p == '[')
    {
      const char *close = memchr (p, ']', (gsize) (end - p));
      guint16 groups[8];

      if (close == NULL)
        {
          g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                               _("The IPv6 address is missing its closing “]”"));
          return FALSE;
        }

      if (!parse_ipv6 (p + 1, (gsize) (close - p - 1), groups))
        {
          g_autofree char *quoted = quote_head (p + 1, (gsize) (close - p - 1));

          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%s” is not a valid IPv6 address"), quoted);
          return FALSE;
        }

      self->host = format_ipv6 (groups);
      self->host_is_ipv6 = TRUE;
      host_end = close + 1;

      if (host_end < end && !char_in_set (*host_end, ":;?"))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("Unexpected “%c” after the IPv6 address “[%s]”"),
                       *host_end, self->host);
          return FALSE;
        }
    }
  else
    {
      host_end = p;
      while (host_end < end && !char_in_set (*host_end, ":;?"))
        host_end++;

      host_len = (gsize) (host_end - p);

      if (host_end < end && *host_end == ':')
        {
          const char *port_end = host_end + 1;
          gboolean hex_host = TRUE;

          while (port_end < end && !char_in_set (*port_end, ";?"))
            port_end++;

          for (gsize i = 0; i < host_len; i++)
            hex_host = hex_host && g_ascii_isxdigit (p[i]);

          if (hex_host && memchr (host_end + 1, ':', (gsize) (port_end - host_end - 1)) != NULL)
            {
              g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                                   _("IPv6 addresses must be written in brackets, "
                                     "as in sip:[2001:db8::1]"));
              return FALSE;
            }
        }

      if (host_len == 0)
        {
          g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                               _("The address has no host, as in sip:alice@example.com"));
          return FALSE;
        }

      if (memchr (p, ']', host_len) != NULL)
        {
          g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                               _("The host has a “]” without a matching “[”"));
          return FALSE;
        }

      for (gsize i = 0; i < host_len; i++)
        {
          if (!g_ascii_isalnum (p[i]) && p[i] != '-' && p[i] != '.')
            {
              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The host contains “%c”, which is not allowed there"), p[i]);
              return FALSE;
            }
        }

      if (strspn (p, "0123456789.") >= host_len)
        {
          guint8 ipv4[4];

          if (!parse_ipv4 (p, host_len, ipv4))
            {
              g_autofree char *quoted = quote_head (p, host_len);

              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("“%s” is not a valid IPv4 address"), quoted);
              return FALSE;
            }

          self->host = g_strdup_printf ("%u.%u.%u.%u", ipv4[0], ipv4[1], ipv4[2], ipv4[3]);
        }
      else if (is_valid_hostname (p, host_len))
        {
          self->host = g_ascii_strdown (p, (gssize) host_len);
        }
      else
        {
          g_autofree char *quoted = quote_head (p, host_len);

          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%s” is not a valid host name"), quoted);
          return FALSE;
        }
    }

  p = host_end;

  if (p < end && *p == ':')
    {
      const char *port_end = ++p;

      while (port_end < end && !char_in_set (*port_end, ";?"))
        port_end++;

      if (!parse_port (self, p, (gsize) (port_end - p), error))
        return FALSE;

      p = port_end;
    }

  *pos = p;

  return TRUE;
}

/* Parameters whose values are compared without case anyway, and read best
 * in lowercase. “method” is left alone: a method name is case-sensitive
 * (RFC 3261 §7.1) and the value may become one. */
static gboolean
is_lowercase_param (const char *name)
{
  return g_str_equal (name, "transport") ||
         g_str_equal (name, "user") ||
         g_str_equal (name, "maddr");
}

static gboolean
parse_sip_param (DtUri       *self,
                 const char  *text,
                 gsize        len,
                 GError     **error)
{
  g_auto(DtUriPair) pair = { 0 };
  const char *eq = memchr (text, '=', len);
  gsize name_len = eq != NULL ? (gsize) (eq - text) : len;

  if (len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The address has an empty parameter"));
      return FALSE;
    }

  if (name_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("A parameter has no name"));
      return FALSE;
    }

  if (!decode_part (text, name_len, PARAM_CHARS, PART_PARAM, TRUE,
                    &pair.name_text, &pair.name, error))
    return FALSE;

  if (pairs_find (self->params, pair.name) != NULL)
    {
      g_autofree char *quoted = quote_head (pair.name, strlen (pair.name));

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Parameter “%s” appears more than once"), quoted);
      return FALSE;
    }

  if (eq == NULL)
    {
      pair.value = g_strdup ("");
      pair.value_text = g_strdup ("");
    }
  else if (len - name_len - 1 == 0)
    {
      g_autofree char *quoted = quote_head (pair.name, strlen (pair.name));

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Parameter “%s” has an empty value"), quoted);
      return FALSE;
    }
  else if (!decode_part (eq + 1, len - name_len - 1, PARAM_CHARS, PART_PARAM,
                         is_lowercase_param (pair.name),
                         &pair.value_text, &pair.value, error))
    {
      return FALSE;
    }

  pairs_take (self->params, &pair);

  return TRUE;
}

static gboolean
parse_sip_header (DtUri       *self,
                  const char  *text,
                  gsize        len,
                  GError     **error)
{
  g_auto(DtUriPair) pair = { 0 };
  const char *eq = memchr (text, '=', len);
  gsize name_len = eq != NULL ? (gsize) (eq - text) : len;

  if (len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The address has an empty header"));
      return FALSE;
    }

  if (name_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("A header has no name"));
      return FALSE;
    }

  if (!decode_part (text, name_len, HEADER_CHARS, PART_HEADER, FALSE,
                    &pair.name_text, &pair.name, error))
    return FALSE;

  /* RFC 3261 §25.1: header = hname "=" hvalue */
  if (eq == NULL)
    {
      g_autofree char *quoted = quote_head (pair.name, strlen (pair.name));

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("Header “%s” is missing “=” and a value"), quoted);
      return FALSE;
    }

  if (!decode_part (eq + 1, len - name_len - 1, HEADER_CHARS, PART_HEADER, FALSE,
                    &pair.value_text, &pair.value, error))
    return FALSE;

  pairs_take (self->headers, &pair);

  return TRUE;
}

/* RFC 3261 §19.1.1: with “user=phone” the user part is a
 * telephone-subscriber. One that does not parse as a number stays a plain
 * user name. */
static void
read_telephone_subscriber (DtUri *self)
{
  g_auto(TelParts) parts = { 0 };
  const DtUriPair *user_param = pairs_find (self->params, "user");

  if (self->user_text == NULL || user_param == NULL ||
      g_ascii_strcasecmp (user_param->value, "phone") != 0)
    return;

  if (!parse_telephone_subscriber (self->user_text, strlen (self->user_text),
                                   FALSE, &parts, NULL))
    return;

  self->number = g_steal_pointer (&parts.number);
  self->global = parts.global;
  self->phone_context = g_steal_pointer (&parts.phone_context);
  self->extension = g_steal_pointer (&parts.extension);
}

/* RFC 3261 §25.1 SIP-URI and SIPS-URI, after the scheme */
static DtUri *
parse_sip (DtUriKind    kind,
           const char  *text,
           gsize        len,
           GError     **error)
{
  g_autoptr(DtUri) self = uri_new (kind);
  const char *end = text + len;
  const char *at = memchr (text, '@', len);
  const char *p = text;

  /* No other part may hold an unescaped “@”, so the first one ends the
   * userinfo, even when the user part holds “;” or “?”. */
  if (at != NULL)
    {
      if (!parse_userinfo (self, text, (gsize) (at - text), error))
        return NULL;
      p = at + 1;
    }

  if (!parse_hostport (self, &p, end, error))
    return NULL;

  while (p < end && *p == ';')
    {
      const char *param_end = ++p;

      while (param_end < end && !char_in_set (*param_end, ";?"))
        param_end++;

      if (!parse_sip_param (self, p, (gsize) (param_end - p), error))
        return NULL;

      p = param_end;
    }

  if (p < end)
    {
      g_assert (*p == '?');

      do
        {
          const char *header_end = ++p;

          while (header_end < end && *header_end != '&')
            header_end++;

          if (!parse_sip_header (self, p, (gsize) (header_end - p), error))
            return NULL;

          p = header_end;
        }
      while (p < end);
    }

  read_telephone_subscriber (self);

  return g_steal_pointer (&self);
}

/* Dial strings */

static gboolean
is_dial_separator (gunichar c)
{
  switch (c)
    {
    case '-':
    case '.':
    case '(':
    case ')':
    case '/':
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
    case 0x2012: /* figure dash */
    case 0x2013: /* en dash */
    case 0x2014: /* em dash */
    case 0x2015: /* horizontal bar */
    case 0x2212: /* minus sign */
    case 0xfe58: /* small em dash */
    case 0xfe63: /* small hyphen-minus */
    case 0xff08: /* fullwidth parentheses */
    case 0xff09:
    case 0xff0d: /* fullwidth hyphen-minus */
    case 0xff0e: /* fullwidth full stop */
    case 0xff0f: /* fullwidth solidus */
      return TRUE;
    default:
      break;
    }

  /* Spaces of every width, and the invisible format characters (soft
   * hyphens, direction marks) that come along when a number is copied
   * from a web page */
  return g_unichar_isspace (c) ||
         g_unichar_type (c) == G_UNICODE_SPACE_SEPARATOR ||
         g_unichar_type (c) == G_UNICODE_FORMAT;
}

/* ITU-T E.161 keypad letters */
static char
keypad_digit (char letter)
{
  static const char digits[] = "22233344455566677778889999";

  return digits[g_ascii_toupper (letter) - 'A'];
}

static gboolean
is_extension_word (const char *word,
                   gsize       len)
{
  static const char * const words[] = { "x", "ext", "extn", "extension" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (strlen (words[i]) == len && g_ascii_strncasecmp (word, words[i], len) == 0)
        return TRUE;
    }

  return FALSE;
}

typedef enum {
  DIAL_FROM_LINK = 0,
  /* a person typing: keypad letters, “x 123” extensions, 00 for “+” */
  DIAL_FROM_KEYPAD = 1 << 0,
} DialFlags;

/*
 * A phone number as people write it. Returns a tel: URI; a local number
 * has no phone-context, so the dialling account supplies it.
 */
static DtUri *
parse_dialled_number (const char  *text,
                      DialFlags    flags,
                      GError     **error)
{
  g_autoptr(GString) number = g_string_new (NULL);
  g_autoptr(GString) extension = NULL;
  g_autoptr(DtUri) self = NULL;
  gboolean global = FALSE;
  GString *target = number;

  for (const char *p = text; *p != '\0'; )
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);
      int digit = g_unichar_digit_value (c);

      if (digit >= 0)
        {
          g_string_append_c (target, (char) ('0' + digit));
        }
      else if (c == '(' && global && p[1] == '0' && p[2] == ')')
        {
          /* “+44 (0)20 …”: the trunk prefix in brackets is dialled only
           * from inside the country */
          next = p + 3;
        }
      else if (c == '+' || c == 0xff0b)
        {
          if (global || number->len > 0 || extension != NULL)
            {
              g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                                   _("“+” can only come at the start of a phone number"));
              return NULL;
            }
          global = TRUE;
        }
      else if ((c == '*' || c == '#') && extension == NULL)
        {
          g_string_append_c (target, (char) c);
        }
      else if (is_dial_separator (c))
        {
        }
      else if (c < 0x80 && g_ascii_isalpha ((char) c) && (flags & DIAL_FROM_KEYPAD) != 0)
        {
          gsize run = 0;

          while (g_ascii_isalpha (p[run]))
            run++;
          next = p + run;

          if (is_extension_word (p, run) && extension == NULL && number->len > 0)
            {
              extension = g_string_new (NULL);
              target = extension;
            }
          else if (run >= 2 && number->len > 0 && extension == NULL)
            {
              /* A vanity number such as 1-800-FLOWERS: the letters stand
               * for the keypad digits they are printed on. Single letters
               * are refused, as they are more often a typing mistake or an
               * unknown abbreviation than part of a word. */
              for (gsize i = 0; i < run; i++)
                g_string_append_c (number, keypad_digit (p[i]));
            }
          else if (number->len == 0 && !global)
            {
              g_autofree char *quoted = quote_head (text, strlen (text));

              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("“%s” is neither a phone number nor an address "
                             "such as alice@example.com"),
                           quoted);
              return NULL;
            }
          else
            {
              g_autofree char *quoted = quote_head (p, run);

              g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("“%s” cannot be part of a phone number"), quoted);
              return NULL;
            }
        }
      else if (g_unichar_isgraph (c))
        {
          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%.*s” cannot be part of a phone number"), (int) (next - p), p);
          return NULL;
        }
      else
        {
          g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                               _("The phone number contains an invisible or control character"));
          return NULL;
        }

      p = next;
    }

  /* Only separators: empty when typed, but a broken link otherwise */
  if (number->len == 0 && !global && extension == NULL)
    {
      g_set_error_literal (error, DT_URI_ERROR,
                           (flags & DIAL_FROM_KEYPAD) != 0 ? DT_URI_ERROR_EMPTY
                                                           : DT_URI_ERROR_INVALID,
                           _("The phone number is empty"));
      return NULL;
    }

  if (extension != NULL && extension->len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The extension is missing after “x” or “ext”"));
      return NULL;
    }

  /* 00 is the international prefix in most of the world. Country codes
   * never start with 0, which keeps “000” (an emergency number) local. */
  if ((flags & DIAL_FROM_KEYPAD) != 0 && !global &&
      number->len > 2 && number->str[0] == '0' && number->str[1] == '0' &&
      number->str[2] != '0' && strspn (number->str, "0123456789") == number->len)
    {
      g_string_erase (number, 0, 2);
      global = TRUE;
    }

  if (global && number->len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("There are no digits after “+”"));
      return NULL;
    }

  if (global && strspn (number->str, "0123456789") != number->len)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("“*” and “#” cannot be part of a number "
                             "that starts with “+”"));
      return NULL;
    }

  if (number->len > DT_URI_MAX_DIGITS ||
      (extension != NULL && extension->len > DT_URI_MAX_DIGITS))
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The %s has more than %d digits"),
                   part_label (number->len > DT_URI_MAX_DIGITS ? PART_NUMBER : PART_EXTENSION),
                   DT_URI_MAX_DIGITS);
      return NULL;
    }

  if (global)
    g_string_prepend_c (number, '+');

  self = uri_new (DT_URI_KIND_TEL);
  self->global = global;
  self->number = g_strdup (number->str);

  if (extension != NULL)
    {
      DtUriPair pair;

      self->extension = g_strdup (extension->str);
      pair.name = g_strdup ("ext");
      pair.name_text = g_strdup ("ext");
      pair.value = g_strdup (extension->str);
      pair.value_text = g_strdup (extension->str);
      pairs_take (self->params, &pair);
    }

  return g_steal_pointer (&self);
}

/* callto: */

static gboolean
looks_like_phone_number (const char *text)
{
  return text[strspn (text, "+0123456789*#-.() /")] == '\0';
}

/*
 * callto: has no standard. What links carry in practice: “callto:+1555…”
 * and “callto:5551234” for numbers, “callto:alice@example.com” for SIP
 * addresses and “callto:alice” for a user of one's own service, each also
 * after “//”. Browsers and older programs may append a trailing “/”, a
 * “?call” style query or “+type=…”; all three are dropped.
 *
 * A number without “+” and a bare name are relative to the dialling
 * account: the number is dialled as the account's dial plan reads it (so
 * “00” is not turned into “+” here), and the name is looked up at the
 * account's domain.
 */
static DtUri *
parse_callto (const char       *text,
              gsize             len,
              DtUriParseFlags   flags,
              GError          **error)
{
  g_autofree char *payload = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *user = NULL;
  g_autoptr(DtUri) self = NULL;
  char *cut;
  gsize payload_len;

  if (len >= 2 && text[0] == '/' && text[1] == '/')
    {
      text += 2;
      len -= 2;
    }

  /* Decoding the escaped unreserved characters first means the suffixes are
   * found the same way in the text dt_uri_to_string() writes. */
  if (!decode_part (text, len, ANY_CHARS, PART_ADDRESS, FALSE, &payload, &decoded, error))
    return NULL;

  cut = strchr (payload, '?');
  if (cut != NULL)
    *cut = '\0';

  for (cut = payload; *cut != '\0'; cut++)
    {
      if (g_ascii_strncasecmp (cut, "+type=", strlen ("+type=")) == 0)
        {
          *cut = '\0';
          break;
        }
    }

  payload_len = strlen (payload);
  while (payload_len > 0 && payload[payload_len - 1] == '/')
    payload[--payload_len] = '\0';

  if (payload_len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The callto: link has no address"));
      return NULL;
    }

  if (has_prefix_ascii_nocase (payload, payload_len, "sip:"))
    return parse_sip (DT_URI_KIND_SIP, payload + 4, payload_len - 4, error);
  if (has_prefix_ascii_nocase (payload, payload_len, "sips:"))
    return parse_sip (DT_URI_KIND_SIPS, payload + 5, payload_len - 5, error);
  if (has_prefix_ascii_nocase (payload, payload_len, "tel:"))
    return parse_tel (payload + 4, payload_len - 4, flags, error);

  if (strchr (payload, '@') != NULL)
    return parse_sip (DT_URI_KIND_SIP, payload, payload_len, error);

  g_clear_pointer (&decoded, g_free);
  if (!decode_part (payload, payload_len, ANY_CHARS, PART_ADDRESS, FALSE,
                    &user, &decoded, error))
    return NULL;
  g_clear_pointer (&user, g_free);

  if (looks_like_phone_number (decoded))
    return parse_dialled_number (decoded, DIAL_FROM_LINK, error);

  if (strchr (payload, '/') != NULL)
    {
      g_autofree char *quoted = quote_head (payload, payload_len);

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("“%s” is not an address Dialtone can call"), quoted);
      return NULL;
    }

  self = uri_new (DT_URI_KIND_SIP);
  if (!decode_part (payload, payload_len, USER_CHARS, PART_USER, FALSE,
                    &self->user_text, &self->user, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Comparison */

static gboolean
sip_param_must_match (const char *name)
{
  /* RFC 3261 §19.1.4: these never match when only one side has them */
  return g_str_equal (name, "transport") ||
         g_str_equal (name, "user") ||
         g_str_equal (name, "ttl") ||
         g_str_equal (name, "method") ||
         g_str_equal (name, "maddr");
}

static gboolean
sip_params_match (GArray *a,
                  GArray *b)
{
  for (guint i = 0; i < a->len; i++)
    {
      const DtUriPair *pa = &g_array_index (a, DtUriPair, i);
      const DtUriPair *pb = pairs_find (b, pa->name);

      if (pb == NULL)
        {
          if (sip_param_must_match (pa->name))
            return FALSE;
        }
      else if (g_ascii_strcasecmp (pa->value_text, pb->value_text) != 0)
        {
          return FALSE;
        }
    }

  for (guint i = 0; i < b->len; i++)
    {
      const DtUriPair *pb = &g_array_index (b, DtUriPair, i);

      if (sip_param_must_match (pb->name) && pairs_find (a, pb->name) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* RFC 3261 §19.1.4: headers are never ignored; their order does not
 * matter, and a header may appear more than once */
static gboolean
sip_headers_match (GArray *a,
                   GArray *b)
{
  g_autofree gboolean *used = NULL;

  if (a->len != b->len)
    return FALSE;

  used = g_new0 (gboolean, b->len + 1);

  for (guint i = 0; i < a->len; i++)
    {
      const DtUriPair *ha = &g_array_index (a, DtUriPair, i);
      gboolean found = FALSE;

      for (guint j = 0; j < b->len && !found; j++)
        {
          const DtUriPair *hb = &g_array_index (b, DtUriPair, j);

          if (!used[j] &&
              g_ascii_strcasecmp (ha->name, hb->name) == 0 &&
              g_strcmp0 (ha->value_text, hb->value_text) == 0)
            {
              used[j] = TRUE;
              found = TRUE;
            }
        }

      if (!found)
        return FALSE;
    }

  return TRUE;
}

/* RFC 3966 §4: every parameter in both, in any order, without case */
static gboolean
tel_params_match (GArray *a,
                  GArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      const DtUriPair *pa = &g_array_index (a, DtUriPair, i);
      const DtUriPair *pb = pairs_find (b, pa->name);

      if (pb == NULL || g_ascii_strcasecmp (pa->value_text, pb->value_text) != 0)
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_safe_header (const DtUriPair *header)
{
  /* RFC 3261 §19.1.5 lists headers a URI must not be allowed to set (From,
   * Call-ID, CSeq, Via, Record-Route, Route), ones that would misstate who
   * we are (Contact, Accept, Allow, Supported, User-Agent…) and ones to be
   * checked before use (Content-*, Date…), and a “body” could put any
   * session description in our mouth. Rather than a list of what to drop,
   * keep the few that only describe the call to the person called:
   * Subject (compact form “s”, §20.36), Priority and In-Reply-To. */
  static const char * const safe[] = { "subject", "s", "priority", "in-reply-to" };

  for (guint i = 0; i < G_N_ELEMENTS (safe); i++)
    {
      if (g_ascii_strcasecmp (header->name, safe[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_safe_param (const DtUriPair *param)
{
  /* RFC 3261 §19.1.1: “maddr” overrides where requests are sent, so a link
   * could steer our signalling, credentials included, to any server; “ttl”
   * only serves a multicast maddr. “method” asks for a request other than
   * the INVITE Dialtone sends, and Table 1 of §19.1.1 allows it in no
   * request. “transport” and the rest only say how to reach the address
   * named, so they stay. */
  return !g_str_equal (param->name, "maddr") &&
         !g_str_equal (param->name, "ttl") &&
         !g_str_equal (param->name, "method");
}

static DtUri *
uri_copy (const DtUri *self,
          gboolean     safe)
{
  DtUri *copy = uri_new (self->kind);

  copy->user = g_strdup (self->user);
  copy->user_text = g_strdup (self->user_text);
  copy->password = g_strdup (self->password);
  copy->password_text = g_strdup (self->password_text);
  copy->host = g_strdup (self->host);
  copy->host_is_ipv6 = self->host_is_ipv6;
  copy->port = self->port;
  copy->number = g_strdup (self->number);
  copy->global = self->global;
  copy->phone_context = g_strdup (self->phone_context);
  copy->extension = g_strdup (self->extension);

  g_clear_pointer (&copy->headers, g_array_unref);
  g_clear_pointer (&copy->params, g_array_unref);

  if (self->kind == DT_URI_KIND_TEL)
    {
      copy->headers = pairs_copy (self->headers, NULL);
      copy->params = pairs_copy (self->params, NULL);
    }
  else
    {
      copy->headers = pairs_copy (self->headers, safe ? is_safe_header : NULL);
      copy->params = pairs_copy (self->params, safe ? is_safe_param : NULL);
    }

  return copy;
}

static gboolean
scheme_is (const char *scheme,
           gsize       len,
           const char *name)
{
  return strlen (name) == len && g_ascii_strncasecmp (scheme, name, len) == 0;
}

static gboolean
is_supported_scheme (const char *scheme,
                     gsize       len)
{
  return scheme_is (scheme, len, "sip") ||
         scheme_is (scheme, len, "sips") ||
         scheme_is (scheme, len, "tel") ||
         scheme_is (scheme, len, "callto");
}

/* Public API */

/**
 * dt_uri_parse_full:
 * @text: a sip:, sips:, tel: or callto: URI
 * @flags: how strictly to read it
 * @error: return location for a #DtUriError
 *
 * Parses @text, ignoring whitespace around it.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL with @error set
 */
DtUri *
dt_uri_parse_full (const char       *text,
                   DtUriParseFlags   flags,
                   GError          **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *canonical = NULL;
  g_autoptr(DtUri) uri = NULL;
  gsize len;
  gsize scheme_len;
  const char *rest;
  gsize rest_len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  while (g_ascii_isspace (*text))
    text++;

  len = strlen (text);
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;

  if (len == 0)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_EMPTY,
                           _("The address is empty"));
      return NULL;
    }

  if (len > DT_URI_MAX_LENGTH)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The address is longer than %d characters"), DT_URI_MAX_LENGTH);
      return NULL;
    }

  trimmed = g_strndup (text, len);
  scheme_len = scheme_length (trimmed, len);

  if (scheme_len > 0 && !is_supported_scheme (trimmed, scheme_len))
    {
      g_autofree char *scheme = quote_head (trimmed, scheme_len);

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_UNSUPPORTED_SCHEME,
                   _("Dialtone cannot call “%s:” addresses, "
                     "only sip:, sips:, tel: and callto:"),
                   scheme);
      return NULL;
    }

  if (!check_characters (trimmed, len, error))
    return NULL;

  if (scheme_len == 0)
    {
      g_autofree char *quoted = quote_head (trimmed, len);

      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                   _("“%s” does not start with sip:, sips:, tel: or callto:"), quoted);
      return NULL;
    }

  rest = trimmed + scheme_len + 1;
  rest_len = len - scheme_len - 1;

  if (scheme_is (trimmed, scheme_len, "sip"))
    uri = parse_sip (DT_URI_KIND_SIP, rest, rest_len, error);
  else if (scheme_is (trimmed, scheme_len, "sips"))
    uri = parse_sip (DT_URI_KIND_SIPS, rest, rest_len, error);
  else if (scheme_is (trimmed, scheme_len, "tel"))
    uri = parse_tel (rest, rest_len, flags, error);
  else
    uri = parse_callto (rest, rest_len, flags, error);

  if (uri == NULL)
    return NULL;

  /* The canonical text can be a little longer than what was read (“#”
   * becomes “%23”); it too must fit, or it would not read back. */
  canonical = dt_uri_to_string (uri);
  if (strlen (canonical) > DT_URI_MAX_LENGTH)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The address is longer than %d characters"), DT_URI_MAX_LENGTH);
      return NULL;
    }

  return g_steal_pointer (&uri);
}

/**
 * dt_uri_parse:
 * @text: a sip:, sips:, tel: or callto: URI
 * @error: return location for a #DtUriError
 *
 * Parses @text as a link from outside Dialtone: a `tel:` local number needs
 * a `phone-context` (RFC 3966 §5.1.5). See dt_uri_parse_full().
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL with @error set
 */
DtUri *
dt_uri_parse (const char  *text,
              GError     **error)
{
  return dt_uri_parse_full (text, DT_URI_PARSE_DEFAULT, error);
}

/**
 * dt_uri_ref:
 * @self: a #DtUri
 *
 * Returns: (transfer full): @self
 */
DtUri *
dt_uri_ref (DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

/**
 * dt_uri_unref:
 * @self: (transfer full): a #DtUri
 *
 * Drops a reference, freeing @self with the last one.
 */
void
dt_uri_unref (DtUri *self)
{
  g_return_if_fail (self != NULL);

  g_atomic_rc_box_release_full (self, (GDestroyNotify) uri_free);
}

/**
 * dt_uri_get_kind:
 * @self: a #DtUri
 *
 * Returns: whether @self is a SIP, SIPS or tel URI; a callto: link gives
 *   one of these
 */
DtUriKind
dt_uri_get_kind (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, DT_URI_KIND_SIP);

  return self->kind;
}

/**
 * dt_uri_get_scheme:
 * @self: a #DtUri
 *
 * Returns: "sip", "sips" or "tel"
 */
const char *
dt_uri_get_scheme (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->kind)
    {
    case DT_URI_KIND_SIP:
      return "sip";
    case DT_URI_KIND_SIPS:
      return "sips";
    case DT_URI_KIND_TEL:
      return "tel";
    default:
      g_assert_not_reached ();
    }
}

/**
 * dt_uri_get_user:
 * @self: a #DtUri
 *
 * Returns: (nullable): the percent-decoded user part of a SIP URI
 */
const char *
dt_uri_get_user (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->user;
}

/**
 * dt_uri_get_password:
 * @self: a #DtUri
 *
 * Returns: (nullable): the percent-decoded password of a SIP URI, "" when
 *   written empty, %NULL when absent
 */
const char *
dt_uri_get_password (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->password;
}

/**
 * dt_uri_get_host:
 * @self: a #DtUri
 *
 * Returns: (nullable): the host of a SIP URI in lowercase, an IPv6 address
 *   without its brackets; %NULL for a tel URI or an account-relative one
 */
const char *
dt_uri_get_host (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->host;
}

/**
 * dt_uri_host_is_ipv6:
 * @self: a #DtUri
 *
 * Returns: whether the host is an IPv6 address
 */
gboolean
dt_uri_host_is_ipv6 (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->host_is_ipv6;
}

/**
 * dt_uri_get_port:
 * @self: a #DtUri
 *
 * Returns: the port, or 0 when the URI names none
 */
guint16
dt_uri_get_port (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

/**
 * dt_uri_get_n_headers:
 * @self: a #DtUri
 *
 * Returns: how many headers follow the “?” of a SIP URI
 */
guint
dt_uri_get_n_headers (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->headers->len;
}

/**
 * dt_uri_get_header_at:
 * @self: a #DtUri
 * @index: below dt_uri_get_n_headers()
 * @name: (out) (optional): the percent-decoded header name, as written
 * @value: (out) (optional): the percent-decoded value
 *
 * Gets a header, in the order the URI gives them.
 */
void
dt_uri_get_header_at (const DtUri  *self,
                      guint         index,
                      const char  **name,
                      const char  **value)
{
  const DtUriPair *pair;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->headers->len);

  pair = &g_array_index (self->headers, DtUriPair, index);

  if (name != NULL)
    *name = pair->name;
  if (value != NULL)
    *value = pair->value;
}

/**
 * dt_uri_get_header:
 * @self: a #DtUri
 * @name: a header name, in any case
 *
 * Returns: (nullable): the percent-decoded value of the first header called
 *   @name
 */
const char *
dt_uri_get_header (const DtUri *self,
                   const char  *name)
{
  const DtUriPair *pair;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  pair = pairs_find (self->headers, name);

  return pair != NULL ? pair->value : NULL;
}

/**
 * dt_uri_get_n_params:
 * @self: a #DtUri
 *
 * Returns: how many parameters the URI has
 */
guint
dt_uri_get_n_params (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->params->len;
}

/**
 * dt_uri_get_param_at:
 * @self: a #DtUri
 * @index: below dt_uri_get_n_params()
 * @name: (out) (optional): the parameter name, in lowercase
 * @value: (out) (optional): the percent-decoded value, "" for a flag
 *
 * Gets a parameter: for SIP in the order written, for tel in the order of
 * RFC 3966 §3 (“ext” or “isub”, “phone-context”, then by name).
 */
void
dt_uri_get_param_at (const DtUri  *self,
                     guint         index,
                     const char  **name,
                     const char  **value)
{
  const DtUriPair *pair;

  g_return_if_fail (self != NULL);
  g_return_if_fail (index < self->params->len);

  pair = &g_array_index (self->params, DtUriPair, index);

  if (name != NULL)
    *name = pair->name;
  if (value != NULL)
    *value = pair->value;
}

/**
 * dt_uri_get_param:
 * @self: a #DtUri
 * @name: a parameter name, in any case
 *
 * Returns: (nullable): the percent-decoded value, "" for a flag such as
 *   “lr”, %NULL when absent
 */
const char *
dt_uri_get_param (const DtUri *self,
                  const char  *name)
{
  const DtUriPair *pair;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  pair = pairs_find (self->params, name);

  return pair != NULL ? pair->value : NULL;
}

/**
 * dt_uri_get_number:
 * @self: a #DtUri
 *
 * Gets the number of a tel URI, or of a SIP URI with “user=phone” whose
 * user part is a telephone-subscriber, without visual separators, such as
 * "+15551234567" or "*98".
 *
 * Returns: (nullable): the number
 */
const char *
dt_uri_get_number (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->number;
}

/**
 * dt_uri_is_global_number:
 * @self: a #DtUri
 *
 * Returns: whether dt_uri_get_number() starts with “+”
 */
gboolean
dt_uri_is_global_number (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->number != NULL && self->global;
}

/**
 * dt_uri_get_phone_context:
 * @self: a #DtUri
 *
 * Returns: (nullable): the phone-context of a local number: a lowercase
 *   domain, or a number starting with “+” without visual separators
 */
const char *
dt_uri_get_phone_context (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->phone_context;
}

/**
 * dt_uri_get_extension:
 * @self: a #DtUri
 *
 * Returns: (nullable): the “ext” of a number, digits only
 */
const char *
dt_uri_get_extension (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->extension;
}

/**
 * dt_uri_is_account_relative:
 * @self: a #DtUri
 *
 * Whether the dialling account must complete @self: a SIP URI with a user
 * and no host (from “callto:alice”), or a local number without
 * phone-context (from the dial pad or “callto:5551234”).
 *
 * Returns: %TRUE if @self is relative to the account
 */
gboolean
dt_uri_is_account_relative (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  switch (self->kind)
    {
    case DT_URI_KIND_SIP:
    case DT_URI_KIND_SIPS:
      return self->host == NULL;
    case DT_URI_KIND_TEL:
      return !self->global && self->phone_context == NULL;
    default:
      g_assert_not_reached ();
    }
}

/**
 * dt_uri_dup_safe:
 * @self: a #DtUri, perhaps from an untrusted link
 *
 * Copies @self without what a link must not decide (RFC 3261 §19.1.5): of
 * the headers only Subject, Priority and In-Reply-To stay, and the
 * “maddr”, “ttl” and “method” parameters go. A tel URI is copied whole.
 *
 * Returns: (transfer full): the copy
 */
DtUri *
dt_uri_dup_safe (const DtUri *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return uri_copy (self, TRUE);
}

/**
 * dt_uri_equal:
 * @a: a #DtUri
 * @b: another #DtUri
 *
 * Compares two URIs by the rules of RFC 3261 §19.1.4 for SIP and SIPS, and
 * RFC 3966 §4 for tel. A SIP URI never equals a tel URI.
 *
 * Returns: %TRUE if @a and @b name the same resource
 */
gboolean
dt_uri_equal (const DtUri *a,
              const DtUri *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->kind != b->kind)
    return FALSE;

  switch (a->kind)
    {
    case DT_URI_KIND_SIP:
    case DT_URI_KIND_SIPS:
      /* userinfo is compared with case, everything else without */
      return g_strcmp0 (a->user_text, b->user_text) == 0 &&
             g_strcmp0 (a->password_text, b->password_text) == 0 &&
             g_strcmp0 (a->host, b->host) == 0 &&
             a->port == b->port &&
             sip_params_match (a->params, b->params) &&
             sip_headers_match (a->headers, b->headers);

    case DT_URI_KIND_TEL:
      return a->global == b->global &&
             g_ascii_strcasecmp (a->number, b->number) == 0 &&
             tel_params_match (a->params, b->params);

    default:
      g_assert_not_reached ();
    }
}

static void
append_pairs (GString    *out,
              GArray     *pairs,
              char        first,
              char        separator,
              gboolean    always_equals)
{
  for (guint i = 0; i < pairs->len; i++)
    {
      const DtUriPair *pair = &g_array_index (pairs, DtUriPair, i);

      g_string_append_c (out, i == 0 ? first : separator);
      g_string_append (out, pair->name_text);

      if (always_equals || pair->value_text[0] != '\0')
        {
          g_string_append_c (out, '=');
          g_string_append (out, pair->value_text);
        }
    }
}

/**
 * dt_uri_to_string:
 * @self: a #DtUri
 *
 * Writes @self in canonical form: scheme, host and parameter names in
 * lowercase, as are the values of “transport”, “user” and “maddr”; only
 * what must be escaped is, and tel numbers lose their visual separators.
 * dt_uri_parse_full() with %DT_URI_PARSE_ACCOUNT_RELATIVE reads the result
 * back as an equal URI.
 *
 * An account-relative SIP URI is written “callto:alice”, since “sip:alice”
 * would name the host “alice”; an account-relative number is written
 * “tel:5551234”.
 *
 * Returns: (transfer full): the text
 */
char *
dt_uri_to_string (const DtUri *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);

  switch (self->kind)
    {
    case DT_URI_KIND_SIP:
    case DT_URI_KIND_SIPS:
      if (self->host == NULL)
        {
          g_string_append (out, "callto:");
          g_string_append (out, self->user_text);
          break;
        }

      g_string_append (out, self->kind == DT_URI_KIND_SIPS ? "sips:" : "sip:");

      if (self->user_text != NULL)
        {
          g_string_append (out, self->user_text);
          if (self->password_text != NULL)
            {
              g_string_append_c (out, ':');
              g_string_append (out, self->password_text);
            }
          g_string_append_c (out, '@');
        }

      if (self->host_is_ipv6)
        g_string_append_printf (out, "[%s]", self->host);
      else
        g_string_append (out, self->host);

      if (self->port != 0)
        g_string_append_printf (out, ":%u", self->port);

      append_pairs (out, self->params, ';', ';', FALSE);
      append_pairs (out, self->headers, '?', '&', TRUE);
      break;

    case DT_URI_KIND_TEL:
      g_string_append (out, "tel:");

      /* RFC 3966 §5.1.5: “#” is escaped */
      for (const char *p = self->number; *p != '\0'; p++)
        {
          if (*p == '#')
            g_string_append (out, "%23");
          else
            g_string_append_c (out, *p);
        }

      append_pairs (out, self->params, ';', ';', FALSE);
      break;

    default:
      g_assert_not_reached ();
    }

  return g_string_free (out, FALSE);
}

/**
 * dt_uri_normalize:
 * @text: a sip:, sips:, tel: or callto: URI
 * @error: return location for a #DtUriError
 *
 * Parses @text with dt_uri_parse() and writes it back with
 * dt_uri_to_string().
 *
 * Returns: (transfer full) (nullable): the canonical text, or %NULL with
 *   @error set
 */
char *
dt_uri_normalize (const char  *text,
                  GError     **error)
{
  g_autoptr(DtUri) uri = NULL;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = dt_uri_parse (text, error);
  if (uri == NULL)
    return NULL;

  return dt_uri_to_string (uri);
}

/* A SIP address typed as “josé@bücher.example”: the user part is
 * percent-encoded and the host turned into its ASCII (IDNA) form. */
static char *
sip_uri_from_typed_address (const char  *text,
                            GError     **error)
{
  g_autoptr(GString) out = g_string_new ("sip:");
  g_autofree char *host = NULL;
  g_autofree char *ascii_host = NULL;
  const char *at = strchr (text, '@');
  const char *host_end;

  g_assert (at != NULL);

  for (const char *p = text; p < at; p++)
    {
      if ((guchar) *p >= 0x80)
        g_string_append_printf (out, "%%%02X", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }

  g_string_append_c (out, '@');

  host_end = at + 1 + strcspn (at + 1, ":;?");
  host = g_strndup (at + 1, (gsize) (host_end - at - 1));

  if (g_str_is_ascii (host))
    {
      g_string_append (out, host);
    }
  else
    {
      ascii_host = g_hostname_to_ascii (host);
      if (ascii_host == NULL)
        {
          g_autofree char *quoted = quote_head (host, strlen (host));

          g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                       _("“%s” is not a valid host name"), quoted);
          return NULL;
        }
      g_string_append (out, ascii_host);
    }

  g_string_append (out, host_end);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
is_trimmable (gunichar c)
{
  return g_unichar_isspace (c) || g_unichar_type (c) == G_UNICODE_FORMAT;
}

/**
 * dt_uri_normalize_dial_string:
 * @text: what a person typed or pasted into the dial pad
 * @error: return location for a #DtUriError
 *
 * Turns @text into a URI to call:
 *
 * - a sip:, sips:, tel: or callto: URI is normalised, a local tel: number
 *   without phone-context accepted;
 * - “alice@example.com” becomes “sip:alice@example.com”, with non-ASCII
 *   user names percent-encoded and host names in their IDNA form;
 * - a phone number loses its spaces, dashes, dots, slashes and brackets:
 *   “+1 (555) 123-4567” becomes “tel:+15551234567”, “00” before a country
 *   code becomes “+”, and a number without either, such as “555-1234” or
 *   “*98”, becomes a local number for the dialling account (“tel:5551234”);
 *   a trunk prefix in brackets after the country code, as in
 *   “+44 (0)20 7946 0000”, is left out;
 * - words after the first digit are keypad letters (ITU-T E.161), so
 *   “1-800-FLOWERS” is “tel:18003569377”; a single letter is refused,
 *   except “x”, which like “ext” starts an extension:
 *   “555-1234 ext. 89” becomes “tel:5551234;ext=89”.
 *
 * Anything else is refused with %DT_URI_ERROR_INVALID; an empty text, or
 * one of only separators, with %DT_URI_ERROR_EMPTY.
 *
 * Returns: (transfer full) (nullable): the URI text, or %NULL with @error
 *   set
 */
char *
dt_uri_normalize_dial_string (const char  *text,
                              GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *address = NULL;
  g_autoptr(DtUri) uri = NULL;
  const char *start;
  const char *end;
  gsize scheme_len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strnlen (text, DT_URI_MAX_LENGTH * 4 + 1) > DT_URI_MAX_LENGTH * 4)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The address is longer than %d characters"), DT_URI_MAX_LENGTH);
      return NULL;
    }

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_INVALID,
                           _("The text is not valid UTF-8"));
      return NULL;
    }

  start = text;
  while (*start != '\0' && is_trimmable (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_prev_char (end);

      if (!is_trimmable (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  if (end == start)
    {
      g_set_error_literal (error, DT_URI_ERROR, DT_URI_ERROR_EMPTY,
                           _("The address is empty"));
      return NULL;
    }

  if ((gsize) (end - start) > DT_URI_MAX_LENGTH)
    {
      g_set_error (error, DT_URI_ERROR, DT_URI_ERROR_TOO_LONG,
                   _("The address is longer than %d characters"), DT_URI_MAX_LENGTH);
      return NULL;
    }

  trimmed = g_strndup (start, (gsize) (end - start));
  scheme_len = scheme_length (trimmed, strlen (trimmed));

  if (scheme_len > 0)
    uri = dt_uri_parse_full (trimmed, DT_URI_PARSE_ACCOUNT_RELATIVE, error);
  else if (strchr (trimmed, '@') != NULL)
    {
      address = sip_uri_from_typed_address (trimmed, error);
      if (address == NULL)
        return NULL;
      uri = dt_uri_parse_full (address, DT_URI_PARSE_DEFAULT, error);
    }
  else
    uri = parse_dialled_number (trimmed, DIAL_FROM_KEYPAD, error);

  if (uri == NULL)
    return NULL;

  return dt_uri_to_string (uri);
}
