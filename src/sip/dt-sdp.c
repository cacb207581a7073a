/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-sdp.c
 *
 * SDP (RFC 8866) parsing and writing, and the offer/answer rules of
 * RFC 3264 for one audio stream with optional SDES-SRTP (RFC 4568).
 */

#define G_LOG_DOMAIN "dialtone-sip"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "dt-sdp.h"

G_DEFINE_QUARK (dt-sdp-error-quark, dt_sdp_error)

#define DT_SDP_MAX_CLOCK_RATE 1000000
#define DT_SDP_MAX_CHANNELS   255
#define DT_SDP_MAX_PTIME      10000
#define DT_SDP_MAX_TAG        999999999
#define DT_SDP_MAX_KEY_LENGTH 64
#define DT_SDP_MAX_MKI_LENGTH 128
#define DT_SDP_MAX_LIST       16

#define DT_SDP_TE_PT_8000     101
#define DT_SDP_TE_PT_48000    110

/* RFC 3551 §6, table 4: the audio payload types with a fixed meaning. */
typedef struct {
  guint       pt;
  const char *encoding;
  guint       clock_rate;
  guint       channels;
} StaticPayload;

static const StaticPayload static_payloads[] = {
  { 0, "PCMU", 8000, 1 },
  { 3, "GSM", 8000, 1 },
  { 4, "G723", 8000, 1 },
  { 5, "DVI4", 8000, 1 },
  { 6, "DVI4", 16000, 1 },
  { 7, "LPC", 8000, 1 },
  { 8, "PCMA", 8000, 1 },
  /* RFC 3551 §4.5.2: 16 kHz audio, but an 8000 Hz RTP clock */
  { 9, "G722", 8000, 1 },
  { 10, "L16", 44100, 2 },
  { 11, "L16", 44100, 1 },
  { 12, "QCELP", 8000, 1 },
  { 13, "CN", 8000, 1 },
  { 14, "MPA", 90000, 1 },
  { 15, "G728", 8000, 1 },
  { 16, "DVI4", 11025, 1 },
  { 17, "DVI4", 22050, 1 },
  { 18, "G729", 8000, 1 },
};

/* Suites srtpenc can run, in the order Dialtone prefers them when it
 * answers. F8 and AES-192 are missing from srtpenc and are never chosen. */
static const char *const supported_suites[] = {
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
  "AES_256_CM_HMAC_SHA1_80",
  "AES_256_CM_HMAC_SHA1_32",
  "AEAD_AES_128_GCM",
  "AEAD_AES_256_GCM",
  NULL,
};

static const char *const default_suites[] = {
  "AES_CM_128_HMAC_SHA1_80",
  "AES_CM_128_HMAC_SHA1_32",
  NULL,
};

/* Model */

static void
dt_sdp_bandwidth_free (DtSdpBandwidth *bandwidth)
{
  g_free (bandwidth->type);
  g_free (bandwidth);
}

static void
dt_sdp_attribute_free (DtSdpAttribute *attribute)
{
  g_free (attribute->name);
  g_free (attribute->value);
  g_free (attribute);
}

static void
dt_sdp_rtpmap_free (DtSdpRtpmap *rtpmap)
{
  g_free (rtpmap->encoding);
  g_free (rtpmap);
}

static void
dt_sdp_fmtp_free (DtSdpFmtp *fmtp)
{
  g_free (fmtp->format);
  g_free (fmtp->params);
  g_free (fmtp);
}

static void
dt_sdp_crypto_key_free (DtSdpCryptoKey *key)
{
  g_clear_pointer (&key->key_salt, g_bytes_unref);
  g_free (key->lifetime);
  g_free (key);
}

static DtSdpConnection *
connection_new_full (const char *nettype,
                     const char *addrtype,
                     const char *address)
{
  DtSdpConnection *connection = g_new0 (DtSdpConnection, 1);

  connection->nettype = g_strdup (nettype);
  connection->addrtype = g_strdup (addrtype);
  connection->address = g_strdup (address);

  return connection;
}

static DtSdpConnection *
connection_copy (const DtSdpConnection *connection)
{
  if (connection == NULL)
    return NULL;

  return connection_new_full (connection->nettype, connection->addrtype, connection->address);
}

static gboolean
connection_equal (const DtSdpConnection *a,
                  const DtSdpConnection *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_strcmp0 (a->nettype, b->nettype) == 0 &&
         g_strcmp0 (a->addrtype, b->addrtype) == 0 &&
         g_strcmp0 (a->address, b->address) == 0;
}

static GPtrArray *
strv_array_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static GPtrArray *
strv_array_copy (const GPtrArray *array)
{
  GPtrArray *copy = strv_array_new ();

  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (array, i)));

  return copy;
}

static gboolean
strv_array_equal (const GPtrArray *a,
                  const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    if (g_strcmp0 (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;

  return TRUE;
}

static GPtrArray *
bandwidths_copy (const GPtrArray *array)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_bandwidth_free);

  for (guint i = 0; i < array->len; i++)
    {
      const DtSdpBandwidth *bandwidth = g_ptr_array_index (array, i);
      DtSdpBandwidth *dup = g_new0 (DtSdpBandwidth, 1);

      dup->type = g_strdup (bandwidth->type);
      dup->value = bandwidth->value;
      g_ptr_array_add (copy, dup);
    }

  return copy;
}

static gboolean
bandwidths_equal (const GPtrArray *a,
                  const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      const DtSdpBandwidth *x = g_ptr_array_index (a, i);
      const DtSdpBandwidth *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->type, y->type) != 0 || x->value != y->value)
        return FALSE;
    }

  return TRUE;
}

static DtSdpAttribute *
attribute_new (const char *name,
               const char *value)
{
  DtSdpAttribute *attribute = g_new0 (DtSdpAttribute, 1);

  attribute->name = g_strdup (name);
  attribute->value = g_strdup (value);

  return attribute;
}

static GPtrArray *
attributes_copy (const GPtrArray *array)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_attribute_free);

  for (guint i = 0; i < array->len; i++)
    {
      const DtSdpAttribute *attribute = g_ptr_array_index (array, i);

      g_ptr_array_add (copy, attribute_new (attribute->name, attribute->value));
    }

  return copy;
}

static gboolean
attributes_equal (const GPtrArray *a,
                  const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      const DtSdpAttribute *x = g_ptr_array_index (a, i);
      const DtSdpAttribute *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->name, y->name) != 0 || g_strcmp0 (x->value, y->value) != 0)
        return FALSE;
    }

  return TRUE;
}

static DtSdpRtpmap *
find_rtpmap (const DtSdpMedia *media,
             guint             pt)
{
  for (guint i = 0; i < media->rtpmaps->len; i++)
    {
      DtSdpRtpmap *rtpmap = g_ptr_array_index (media->rtpmaps, i);

      if (rtpmap->pt == pt)
        return rtpmap;
    }

  return NULL;
}

static DtSdpFmtp *
find_fmtp (const DtSdpMedia *media,
           const char       *format)
{
  for (guint i = 0; i < media->fmtps->len; i++)
    {
      DtSdpFmtp *fmtp = g_ptr_array_index (media->fmtps, i);

      if (g_strcmp0 (fmtp->format, format) == 0)
        return fmtp;
    }

  return NULL;
}

static DtSdpCrypto *
crypto_copy (const DtSdpCrypto *crypto)
{
  DtSdpCrypto *copy = g_new0 (DtSdpCrypto, 1);

  copy->tag = crypto->tag;
  copy->suite = g_strdup (crypto->suite);
  copy->session_params = g_strdup (crypto->session_params);
  copy->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_crypto_key_free);

  for (guint i = 0; i < crypto->keys->len; i++)
    {
      const DtSdpCryptoKey *key = g_ptr_array_index (crypto->keys, i);
      DtSdpCryptoKey *dup = g_new0 (DtSdpCryptoKey, 1);

      dup->key_salt = key->key_salt != NULL ? g_bytes_ref (key->key_salt) : NULL;
      dup->lifetime = g_strdup (key->lifetime);
      dup->mki_value = key->mki_value;
      dup->mki_length = key->mki_length;
      g_ptr_array_add (copy->keys, dup);
    }

  return copy;
}

static gboolean
crypto_equal (const DtSdpCrypto *a,
              const DtSdpCrypto *b)
{
  if (a->tag != b->tag ||
      g_strcmp0 (a->suite, b->suite) != 0 ||
      g_strcmp0 (a->session_params, b->session_params) != 0 ||
      a->keys->len != b->keys->len)
    return FALSE;

  for (guint i = 0; i < a->keys->len; i++)
    {
      const DtSdpCryptoKey *x = g_ptr_array_index (a->keys, i);
      const DtSdpCryptoKey *y = g_ptr_array_index (b->keys, i);

      if (x->key_salt == NULL || y->key_salt == NULL)
        {
          if (x->key_salt != y->key_salt)
            return FALSE;
        }
      else if (!g_bytes_equal (x->key_salt, y->key_salt))
        {
          return FALSE;
        }

      if (g_strcmp0 (x->lifetime, y->lifetime) != 0 ||
          x->mki_length != y->mki_length ||
          (x->mki_length != 0 && x->mki_value != y->mki_value))
        return FALSE;
    }

  return TRUE;
}

/**
 * dt_sdp_media_new:
 * @media: the media type, such as `audio`
 * @port: the port, 0 to disable the stream
 * @proto: the transport protocol, such as `RTP/AVP`
 *
 * Returns: (transfer full): a media description with no formats
 */
DtSdpMedia *
dt_sdp_media_new (const char *media,
                  guint       port,
                  const char *proto)
{
  DtSdpMedia *self;

  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (proto != NULL, NULL);
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  self = g_new0 (DtSdpMedia, 1);
  self->media = g_strdup (media);
  self->port = port;
  self->proto = g_strdup (proto);
  self->formats = strv_array_new ();
  self->bandwidths = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_bandwidth_free);
  self->rtpmaps = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_rtpmap_free);
  self->fmtps = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_fmtp_free);
  self->cryptos = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_crypto_free);
  self->attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_attribute_free);

  return self;
}

/**
 * dt_sdp_media_free:
 * @media: (transfer full) (nullable): a media description
 *
 * Frees @media and everything in it.
 */
void
dt_sdp_media_free (DtSdpMedia *media)
{
  if (media == NULL)
    return;

  g_free (media->media);
  g_free (media->proto);
  g_ptr_array_unref (media->formats);
  g_free (media->info);
  dt_sdp_connection_free (media->connection);
  g_ptr_array_unref (media->bandwidths);
  g_free (media->key);
  g_ptr_array_unref (media->rtpmaps);
  g_ptr_array_unref (media->fmtps);
  dt_sdp_connection_free (media->rtcp_connection);
  g_ptr_array_unref (media->cryptos);
  g_ptr_array_unref (media->attributes);
  g_free (media);
}

static DtSdpMedia *
media_copy (const DtSdpMedia *media)
{
  DtSdpMedia *copy = dt_sdp_media_new (media->media, media->port, media->proto);

  g_ptr_array_unref (copy->formats);
  copy->formats = strv_array_copy (media->formats);
  copy->n_ports = media->n_ports;
  copy->info = g_strdup (media->info);
  copy->connection = connection_copy (media->connection);
  g_ptr_array_unref (copy->bandwidths);
  copy->bandwidths = bandwidths_copy (media->bandwidths);
  copy->key = g_strdup (media->key);

  for (guint i = 0; i < media->rtpmaps->len; i++)
    {
      const DtSdpRtpmap *rtpmap = g_ptr_array_index (media->rtpmaps, i);

      dt_sdp_media_add_rtpmap (copy, rtpmap->pt, rtpmap->encoding, rtpmap->clock_rate,
                               rtpmap->channels);
    }

  for (guint i = 0; i < media->fmtps->len; i++)
    {
      const DtSdpFmtp *fmtp = g_ptr_array_index (media->fmtps, i);

      dt_sdp_media_add_fmtp (copy, fmtp->format, fmtp->params);
    }

  copy->direction = media->direction;
  copy->ptime = media->ptime;
  copy->maxptime = media->maxptime;
  copy->rtcp_port = media->rtcp_port;
  copy->rtcp_connection = connection_copy (media->rtcp_connection);
  copy->rtcp_mux = media->rtcp_mux;

  for (guint i = 0; i < media->cryptos->len; i++)
    g_ptr_array_add (copy->cryptos, crypto_copy (g_ptr_array_index (media->cryptos, i)));

  g_ptr_array_unref (copy->attributes);
  copy->attributes = attributes_copy (media->attributes);

  return copy;
}

/* rtpmaps and fmtps are unique per format, so their order carries no
 * meaning and the writer is free to interleave them. */
static gboolean
media_equal (const DtSdpMedia *a,
             const DtSdpMedia *b)
{
  if (g_strcmp0 (a->media, b->media) != 0 ||
      a->port != b->port ||
      a->n_ports != b->n_ports ||
      g_strcmp0 (a->proto, b->proto) != 0 ||
      !strv_array_equal (a->formats, b->formats) ||
      g_strcmp0 (a->info, b->info) != 0 ||
      !connection_equal (a->connection, b->connection) ||
      !bandwidths_equal (a->bandwidths, b->bandwidths) ||
      g_strcmp0 (a->key, b->key) != 0 ||
      a->rtpmaps->len != b->rtpmaps->len ||
      a->fmtps->len != b->fmtps->len ||
      a->direction != b->direction ||
      a->ptime != b->ptime ||
      a->maxptime != b->maxptime ||
      a->rtcp_port != b->rtcp_port ||
      !connection_equal (a->rtcp_connection, b->rtcp_connection) ||
      a->rtcp_mux != b->rtcp_mux ||
      a->cryptos->len != b->cryptos->len ||
      !attributes_equal (a->attributes, b->attributes))
    return FALSE;

  for (guint i = 0; i < a->rtpmaps->len; i++)
    {
      const DtSdpRtpmap *x = g_ptr_array_index (a->rtpmaps, i);
      const DtSdpRtpmap *y = find_rtpmap (b, x->pt);

      if (y == NULL ||
          g_strcmp0 (x->encoding, y->encoding) != 0 ||
          x->clock_rate != y->clock_rate ||
          x->channels != y->channels)
        return FALSE;
    }

  for (guint i = 0; i < a->fmtps->len; i++)
    {
      const DtSdpFmtp *x = g_ptr_array_index (a->fmtps, i);
      const DtSdpFmtp *y = find_fmtp (b, x->format);

      if (y == NULL || g_strcmp0 (x->params, y->params) != 0)
        return FALSE;
    }

  for (guint i = 0; i < a->cryptos->len; i++)
    if (!crypto_equal (g_ptr_array_index (a->cryptos, i), g_ptr_array_index (b->cryptos, i)))
      return FALSE;

  return TRUE;
}

/**
 * dt_sdp_new:
 *
 * Returns: (transfer full): an empty description: `o=- 0 0 IN IP4 0.0.0.0`,
 *   `s=-`, `t=0 0` and no media
 */
DtSdp *
dt_sdp_new (void)
{
  DtSdp *self = g_new0 (DtSdp, 1);

  self->origin_username = g_strdup ("-");
  self->origin.nettype = g_strdup ("IN");
  self->origin.addrtype = g_strdup ("IP4");
  self->origin.address = g_strdup ("0.0.0.0");
  self->session_name = g_strdup ("-");
  self->emails = strv_array_new ();
  self->phones = strv_array_new ();
  self->bandwidths = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_bandwidth_free);
  self->repeats = strv_array_new ();
  self->attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_attribute_free);
  self->media = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_media_free);

  return self;
}

/**
 * dt_sdp_free:
 * @self: (transfer full) (nullable): a description
 *
 * Frees @self and everything in it.
 */
void
dt_sdp_free (DtSdp *self)
{
  if (self == NULL)
    return;

  g_free (self->origin_username);
  g_free (self->origin.nettype);
  g_free (self->origin.addrtype);
  g_free (self->origin.address);
  g_free (self->session_name);
  g_free (self->info);
  g_free (self->uri);
  g_ptr_array_unref (self->emails);
  g_ptr_array_unref (self->phones);
  dt_sdp_connection_free (self->connection);
  g_ptr_array_unref (self->bandwidths);
  g_ptr_array_unref (self->repeats);
  g_free (self->zone);
  g_free (self->key);
  g_ptr_array_unref (self->attributes);
  g_ptr_array_unref (self->media);
  g_free (self);
}

/**
 * dt_sdp_copy:
 * @self: a description
 *
 * Returns: (transfer full): a deep copy of @self
 */
DtSdp *
dt_sdp_copy (const DtSdp *self)
{
  DtSdp *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = dt_sdp_new ();
  g_free (copy->origin_username);
  copy->origin_username = g_strdup (self->origin_username);
  copy->origin_sess_id = self->origin_sess_id;
  copy->origin_sess_version = self->origin_sess_version;
  g_free (copy->origin.nettype);
  g_free (copy->origin.addrtype);
  g_free (copy->origin.address);
  copy->origin.nettype = g_strdup (self->origin.nettype);
  copy->origin.addrtype = g_strdup (self->origin.addrtype);
  copy->origin.address = g_strdup (self->origin.address);
  g_free (copy->session_name);
  copy->session_name = g_strdup (self->session_name);
  copy->info = g_strdup (self->info);
  copy->uri = g_strdup (self->uri);
  g_ptr_array_unref (copy->emails);
  copy->emails = strv_array_copy (self->emails);
  g_ptr_array_unref (copy->phones);
  copy->phones = strv_array_copy (self->phones);
  copy->connection = connection_copy (self->connection);
  g_ptr_array_unref (copy->bandwidths);
  copy->bandwidths = bandwidths_copy (self->bandwidths);
  copy->start_time = self->start_time;
  copy->stop_time = self->stop_time;
  g_ptr_array_unref (copy->repeats);
  copy->repeats = strv_array_copy (self->repeats);
  copy->zone = g_strdup (self->zone);
  copy->key = g_strdup (self->key);
  copy->direction = self->direction;
  g_ptr_array_unref (copy->attributes);
  copy->attributes = attributes_copy (self->attributes);

  for (guint i = 0; i < self->media->len; i++)
    g_ptr_array_add (copy->media, media_copy (g_ptr_array_index (self->media, i)));

  return copy;
}

/**
 * dt_sdp_equal:
 * @a: a description
 * @b: another description
 *
 * Compares every field. The order of `a=rtpmap` and `a=fmtp` lines does not
 * count, since each format has at most one of each; every other order does.
 *
 * Returns: whether @a and @b describe the same session
 */
gboolean
dt_sdp_equal (const DtSdp *a,
              const DtSdp *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (g_strcmp0 (a->origin_username, b->origin_username) != 0 ||
      a->origin_sess_id != b->origin_sess_id ||
      a->origin_sess_version != b->origin_sess_version ||
      !connection_equal (&a->origin, &b->origin) ||
      g_strcmp0 (a->session_name, b->session_name) != 0 ||
      g_strcmp0 (a->info, b->info) != 0 ||
      g_strcmp0 (a->uri, b->uri) != 0 ||
      !strv_array_equal (a->emails, b->emails) ||
      !strv_array_equal (a->phones, b->phones) ||
      !connection_equal (a->connection, b->connection) ||
      !bandwidths_equal (a->bandwidths, b->bandwidths) ||
      a->start_time != b->start_time ||
      a->stop_time != b->stop_time ||
      !strv_array_equal (a->repeats, b->repeats) ||
      g_strcmp0 (a->zone, b->zone) != 0 ||
      g_strcmp0 (a->key, b->key) != 0 ||
      a->direction != b->direction ||
      !attributes_equal (a->attributes, b->attributes) ||
      a->media->len != b->media->len)
    return FALSE;

  for (guint i = 0; i < a->media->len; i++)
    if (!media_equal (g_ptr_array_index (a->media, i), g_ptr_array_index (b->media, i)))
      return FALSE;

  return TRUE;
}

/**
 * dt_sdp_connection_new:
 * @address: an IPv4 or IPv6 address
 *
 * Returns: (transfer full): `c=IN IP4 <address>`, or `IP6` when @address
 *   holds a colon
 */
DtSdpConnection *
dt_sdp_connection_new (const char *address)
{
  g_return_val_if_fail (address != NULL, NULL);

  return connection_new_full ("IN", strchr (address, ':') != NULL ? "IP6" : "IP4", address);
}

/**
 * dt_sdp_connection_free:
 * @connection: (transfer full) (nullable): a connection
 *
 * Frees @connection.
 */
void
dt_sdp_connection_free (DtSdpConnection *connection)
{
  if (connection == NULL)
    return;

  g_free (connection->nettype);
  g_free (connection->addrtype);
  g_free (connection->address);
  g_free (connection);
}

/**
 * dt_sdp_crypto_new:
 * @tag: the tag
 * @suite: the crypto suite
 * @key_salt: the master key and salt
 *
 * Returns: (transfer full): a crypto line with one inline key, no lifetime
 *   and no MKI
 */
DtSdpCrypto *
dt_sdp_crypto_new (guint       tag,
                   const char *suite,
                   GBytes     *key_salt)
{
  DtSdpCrypto *crypto;
  DtSdpCryptoKey *key;

  g_return_val_if_fail (tag >= 1 && tag <= DT_SDP_MAX_TAG, NULL);
  g_return_val_if_fail (suite != NULL, NULL);
  g_return_val_if_fail (key_salt != NULL, NULL);

  crypto = g_new0 (DtSdpCrypto, 1);
  crypto->tag = tag;
  crypto->suite = g_strdup (suite);
  crypto->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_crypto_key_free);

  key = g_new0 (DtSdpCryptoKey, 1);
  key->key_salt = g_bytes_ref (key_salt);
  g_ptr_array_add (crypto->keys, key);

  return crypto;
}

/**
 * dt_sdp_crypto_free:
 * @crypto: (transfer full) (nullable): a crypto line
 *
 * Frees @crypto.
 */
void
dt_sdp_crypto_free (DtSdpCrypto *crypto)
{
  if (crypto == NULL)
    return;

  g_free (crypto->suite);
  g_ptr_array_unref (crypto->keys);
  g_free (crypto->session_params);
  g_free (crypto);
}

/**
 * dt_sdp_media_add_rtpmap:
 * @media: a media description
 * @pt: the payload type
 * @encoding: the encoding name
 * @clock_rate: the clock rate
 * @channels: the channel count, 0 to leave it out
 *
 * Adds `a=rtpmap`, replacing one for the same payload type.
 */
void
dt_sdp_media_add_rtpmap (DtSdpMedia *media,
                         guint       pt,
                         const char *encoding,
                         guint       clock_rate,
                         guint       channels)
{
  DtSdpRtpmap *rtpmap;

  g_return_if_fail (media != NULL);
  g_return_if_fail (pt <= 127);
  g_return_if_fail (encoding != NULL);

  rtpmap = find_rtpmap (media, pt);
  if (rtpmap == NULL)
    {
      rtpmap = g_new0 (DtSdpRtpmap, 1);
      rtpmap->pt = pt;
      g_ptr_array_add (media->rtpmaps, rtpmap);
    }

  g_free (rtpmap->encoding);
  rtpmap->encoding = g_strdup (encoding);
  rtpmap->clock_rate = clock_rate;
  rtpmap->channels = channels;
}

/**
 * dt_sdp_media_add_fmtp:
 * @media: a media description
 * @format: the format
 * @params: the parameters
 *
 * Adds `a=fmtp`, replacing one for the same format.
 */
void
dt_sdp_media_add_fmtp (DtSdpMedia *media,
                       const char *format,
                       const char *params)
{
  DtSdpFmtp *fmtp;

  g_return_if_fail (media != NULL);
  g_return_if_fail (format != NULL);
  g_return_if_fail (params != NULL);

  fmtp = find_fmtp (media, format);
  if (fmtp == NULL)
    {
      fmtp = g_new0 (DtSdpFmtp, 1);
      fmtp->format = g_strdup (format);
      g_ptr_array_add (media->fmtps, fmtp);
    }

  g_free (fmtp->params);
  fmtp->params = g_strdup (params);
}

/**
 * dt_sdp_media_add_attribute:
 * @media: a media description
 * @name: the attribute name
 * @value: (nullable): its value, %NULL for a property attribute
 *
 * Appends an attribute that has no typed field.
 */
void
dt_sdp_media_add_attribute (DtSdpMedia *media,
                            const char *name,
                            const char *value)
{
  g_return_if_fail (media != NULL);
  g_return_if_fail (name != NULL);

  g_ptr_array_add (media->attributes, attribute_new (name, value));
}

/**
 * dt_sdp_add_attribute:
 * @self: a description
 * @name: the attribute name
 * @value: (nullable): its value, %NULL for a property attribute
 *
 * Appends a session-level attribute that has no typed field.
 */
void
dt_sdp_add_attribute (DtSdp      *self,
                      const char *name,
                      const char *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  g_ptr_array_add (self->attributes, attribute_new (name, value));
}

/* Queries */

static const StaticPayload *
lookup_static (guint pt)
{
  for (gsize i = 0; i < G_N_ELEMENTS (static_payloads); i++)
    if (static_payloads[i].pt == pt)
      return &static_payloads[i];

  return NULL;
}

/**
 * dt_sdp_lookup_rtpmap:
 * @media: a media description
 * @pt: a payload type
 * @encoding: (out) (optional): the encoding name
 * @clock_rate: (out) (optional): the clock rate
 * @channels: (out) (optional): the channel count, 1 when not written
 *
 * Finds what @pt means: its `a=rtpmap`, or for a payload type of the static
 * range without one, the table of RFC 3551 §6.
 *
 * Returns: whether @pt has a known meaning
 */
gboolean
dt_sdp_lookup_rtpmap (const DtSdpMedia  *media,
                      guint              pt,
                      const char       **encoding,
                      guint             *clock_rate,
                      guint             *channels)
{
  const DtSdpRtpmap *rtpmap;
  const StaticPayload *known;

  g_return_val_if_fail (media != NULL, FALSE);

  rtpmap = find_rtpmap (media, pt);
  if (rtpmap != NULL)
    {
      if (encoding != NULL)
        *encoding = rtpmap->encoding;
      if (clock_rate != NULL)
        *clock_rate = rtpmap->clock_rate;
      if (channels != NULL)
        *channels = rtpmap->channels != 0 ? rtpmap->channels : 1;
      return TRUE;
    }

  /* RFC 3551 §3: 96–127 are dynamic and mean nothing without a=rtpmap */
  known = pt < 96 ? lookup_static (pt) : NULL;
  if (known == NULL)
    return FALSE;

  if (encoding != NULL)
    *encoding = known->encoding;
  if (clock_rate != NULL)
    *clock_rate = known->clock_rate;
  if (channels != NULL)
    *channels = known->channels;

  return TRUE;
}

/**
 * dt_sdp_media_get_fmtp:
 * @media: a media description
 * @format: a format
 *
 * Returns: (nullable): the `a=fmtp` parameters for @format
 */
const char *
dt_sdp_media_get_fmtp (const DtSdpMedia *media,
                       const char       *format)
{
  const DtSdpFmtp *fmtp;

  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  fmtp = find_fmtp (media, format);

  return fmtp != NULL ? fmtp->params : NULL;
}

/**
 * dt_sdp_media_get_attribute:
 * @media: a media description
 * @name: an attribute name
 *
 * Looks among the attributes without a typed field. A property attribute
 * gives the empty string.
 *
 * Returns: (nullable): the value of the first attribute named @name
 */
const char *
dt_sdp_media_get_attribute (const DtSdpMedia *media,
                            const char       *name)
{
  g_return_val_if_fail (media != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < media->attributes->len; i++)
    {
      const DtSdpAttribute *attribute = g_ptr_array_index (media->attributes, i);

      if (g_str_equal (attribute->name, name))
        return attribute->value != NULL ? attribute->value : "";
    }

  return NULL;
}

/**
 * dt_sdp_media_get_connection:
 * @self: a description
 * @media: one of its media descriptions
 *
 * Returns: (nullable): the `c=` that applies to @media
 */
const DtSdpConnection *
dt_sdp_media_get_connection (const DtSdp      *self,
                             const DtSdpMedia *media)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (media != NULL, NULL);

  return media->connection != NULL ? media->connection : self->connection;
}

/**
 * dt_sdp_media_get_direction:
 * @self: a description
 * @media: one of its media descriptions
 *
 * RFC 8866 §6.7: the media-level attribute overrides the session-level one,
 * and sendrecv is the default.
 *
 * Returns: the direction of @media, never %DT_SDP_DIRECTION_UNSET
 */
DtSdpDirection
dt_sdp_media_get_direction (const DtSdp      *self,
                            const DtSdpMedia *media)
{
  g_return_val_if_fail (self != NULL, DT_SDP_DIRECTION_SENDRECV);
  g_return_val_if_fail (media != NULL, DT_SDP_DIRECTION_SENDRECV);

  if (media->direction != DT_SDP_DIRECTION_UNSET)
    return media->direction;
  if (self->direction != DT_SDP_DIRECTION_UNSET)
    return self->direction;

  return DT_SDP_DIRECTION_SENDRECV;
}

/**
 * dt_sdp_media_is_rtp:
 * @media: a media description
 *
 * Returns: whether @media runs over RTP, so that its formats are payload types
 */
gboolean
dt_sdp_media_is_rtp (const DtSdpMedia *media)
{
  g_return_val_if_fail (media != NULL, FALSE);

  return g_str_has_prefix (media->proto, "RTP/") || strstr (media->proto, "/RTP/") != NULL;
}

/**
 * dt_sdp_media_is_secure:
 * @media: a media description
 *
 * Returns: whether the profile of @media is a secure one (`SAVP`, `SAVPF`)
 */
gboolean
dt_sdp_media_is_secure (const DtSdpMedia *media)
{
  g_return_val_if_fail (media != NULL, FALSE);

  return g_str_has_suffix (media->proto, "/SAVP") || g_str_has_suffix (media->proto, "/SAVPF");
}

static gboolean
connection_is_hold (const DtSdpConnection *connection)
{
  /* RFC 3264 §8.4: the RFC 2543 way to hold */
  return connection != NULL && g_str_equal (connection->address, "0.0.0.0");
}

/**
 * dt_sdp_media_is_hold:
 * @self: a description from the peer
 * @media: one of its media descriptions
 *
 * RFC 3264 §8.4: a stream is on hold when its writer no longer wants to
 * receive: `a=sendonly`, `a=inactive`, or the RFC 2543 form `c=0.0.0.0`.
 *
 * Returns: whether @media puts its stream on hold
 */
gboolean
dt_sdp_media_is_hold (const DtSdp      *self,
                      const DtSdpMedia *media)
{
  DtSdpDirection direction;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (media != NULL, FALSE);

  if (media->port == 0)
    return FALSE;

  direction = dt_sdp_media_get_direction (self, media);

  return direction == DT_SDP_DIRECTION_SENDONLY ||
         direction == DT_SDP_DIRECTION_INACTIVE ||
         connection_is_hold (dt_sdp_media_get_connection (self, media));
}

/* DTLS-SRTP (UDP/TLS/RTP/SAVPF) belongs to Dialtone's WebRTC transports, not to SIP calls */
static gboolean
proto_supported (const char *proto)
{
  return g_str_equal (proto, "RTP/AVP") || g_str_equal (proto, "RTP/AVPF") ||
         g_str_equal (proto, "RTP/SAVP") || g_str_equal (proto, "RTP/SAVPF");
}

static int
find_audio (const DtSdp *self)
{
  for (guint i = 0; i < self->media->len; i++)
    {
      const DtSdpMedia *media = g_ptr_array_index (self->media, i);

      if (g_str_equal (media->media, "audio") && media->port != 0 &&
          proto_supported (media->proto))
        return (int) i;
    }

  return -1;
}

/**
 * dt_sdp_is_hold:
 * @self: a description from the peer
 *
 * Returns: whether the first active audio stream of @self is on hold, as
 *   dt_sdp_media_is_hold() sees it
 */
gboolean
dt_sdp_is_hold (const DtSdp *self)
{
  int audio;

  g_return_val_if_fail (self != NULL, FALSE);

  audio = find_audio (self);
  if (audio < 0)
    return FALSE;

  return dt_sdp_media_is_hold (self, g_ptr_array_index (self->media, audio));
}

/**
 * dt_sdp_fmtp_parse_params:
 * @params: `a=fmtp` parameters, such as `useinbandfec=1; usedtx=1`
 *
 * Splits `key=value;…` pairs. Keys are lower-cased (RFC 7587 §6.1 and most
 * payload formats make them case-insensitive); a part without `=`, such as
 * the `0-16` of telephone-event, becomes a key with an empty value. A key
 * given twice keeps its first value.
 *
 * Returns: (transfer full) (element-type utf8 utf8): the parameters
 */
GHashTable *
dt_sdp_fmtp_parse_params (const char *params)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) parts = NULL;

  g_return_val_if_fail (params != NULL, table);

  parts = g_strsplit (params, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *equals = strchr (part, '=');
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (equals != NULL)
        {
          *equals = '\0';
          value = g_strdup (g_strstrip (equals + 1));
          key = g_ascii_strdown (g_strstrip (part), -1);
        }
      else
        {
          value = g_strdup ("");
          key = g_ascii_strdown (part, -1);
        }

      if (key[0] == '\0' || g_hash_table_contains (table, key))
        continue;

      g_hash_table_insert (table, g_steal_pointer (&key), g_steal_pointer (&value));
    }

  return table;
}

/**
 * dt_sdp_crypto_suite_key_length:
 * @suite: a crypto-suite name
 *
 * Returns: the length of master key plus master salt for @suite (RFC 4568
 *   §6.2, RFC 6188 §7, RFC 7714 §12), or 0 for a suite Dialtone does not know
 */
gsize
dt_sdp_crypto_suite_key_length (const char *suite)
{
  g_return_val_if_fail (suite != NULL, 0);

  if (g_str_equal (suite, "AES_CM_128_HMAC_SHA1_80") ||
      g_str_equal (suite, "AES_CM_128_HMAC_SHA1_32") ||
      g_str_equal (suite, "F8_128_HMAC_SHA1_80"))
    return 16 + 14;
  if (g_str_equal (suite, "AES_192_CM_HMAC_SHA1_80") ||
      g_str_equal (suite, "AES_192_CM_HMAC_SHA1_32"))
    return 24 + 14;
  if (g_str_equal (suite, "AES_256_CM_HMAC_SHA1_80") ||
      g_str_equal (suite, "AES_256_CM_HMAC_SHA1_32"))
    return 32 + 14;
  if (g_str_equal (suite, "AEAD_AES_128_GCM"))
    return 16 + 12;
  if (g_str_equal (suite, "AEAD_AES_256_GCM"))
    return 32 + 12;

  return 0;
}

/**
 * dt_sdp_direction_to_string:
 * @direction: a direction
 *
 * Returns: the attribute name for @direction, or %NULL for
 *   %DT_SDP_DIRECTION_UNSET
 */
const char *
dt_sdp_direction_to_string (DtSdpDirection direction)
{
  switch (direction)
    {
    case DT_SDP_DIRECTION_SENDRECV:
      return "sendrecv";
    case DT_SDP_DIRECTION_SENDONLY:
      return "sendonly";
    case DT_SDP_DIRECTION_RECVONLY:
      return "recvonly";
    case DT_SDP_DIRECTION_INACTIVE:
      return "inactive";
    case DT_SDP_DIRECTION_UNSET:
      return NULL;
    default:
      g_return_val_if_reached (NULL);
    }
}

static DtSdpDirection
direction_from_string (const char *name)
{
  if (g_str_equal (name, "sendrecv"))
    return DT_SDP_DIRECTION_SENDRECV;
  if (g_str_equal (name, "sendonly"))
    return DT_SDP_DIRECTION_SENDONLY;
  if (g_str_equal (name, "recvonly"))
    return DT_SDP_DIRECTION_RECVONLY;
  if (g_str_equal (name, "inactive"))
    return DT_SDP_DIRECTION_INACTIVE;

  return DT_SDP_DIRECTION_UNSET;
}

static gboolean
direction_sends (DtSdpDirection direction)
{
  return direction == DT_SDP_DIRECTION_SENDRECV || direction == DT_SDP_DIRECTION_SENDONLY ||
         direction == DT_SDP_DIRECTION_UNSET;
}

static gboolean
direction_receives (DtSdpDirection direction)
{
  return direction == DT_SDP_DIRECTION_SENDRECV || direction == DT_SDP_DIRECTION_RECVONLY ||
         direction == DT_SDP_DIRECTION_UNSET;
}

static DtSdpDirection
direction_from_flags (gboolean sends,
                      gboolean receives)
{
  if (sends && receives)
    return DT_SDP_DIRECTION_SENDRECV;
  if (sends)
    return DT_SDP_DIRECTION_SENDONLY;
  if (receives)
    return DT_SDP_DIRECTION_RECVONLY;

  return DT_SDP_DIRECTION_INACTIVE;
}

/* What the writer of @media will do, counting c=0.0.0.0 as "do not send
 * to me" (RFC 3264 §8.4). */
static DtSdpDirection
effective_direction (const DtSdp      *self,
                     const DtSdpMedia *media)
{
  DtSdpDirection direction = dt_sdp_media_get_direction (self, media);

  if (connection_is_hold (dt_sdp_media_get_connection (self, media)))
    return direction_from_flags (direction_sends (direction), FALSE);

  return direction;
}

/* Parser */

typedef struct {
  guint        line_number;
  const char  *line;
  DtSdp       *sdp;
  DtSdpMedia  *media;
  guint        n_attributes;
  gboolean     seen_origin;
  gboolean     seen_name;
  gboolean     seen_time;
  gboolean     in_first_time;
} ParseState;

static gboolean G_GNUC_PRINTF (3, 4)
fail (ParseState  *state,
      GError     **error,
      const char  *format,
      ...)
{
  g_autofree char *reason = NULL;
  g_autoptr(GString) excerpt = g_string_new (NULL);
  const char *p = state->line;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  /* The whole text is valid UTF-8, so the line is too */
  for (guint n = 0; *p != '\0' && n < 80; n++, p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (excerpt, g_unichar_iscntrl (c) ? '?' : c);
    }
  if (*p != '\0')
    g_string_append (excerpt, "…");

  g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
               "SDP line %u (“%s”): %s", state->line_number, excerpt->str, reason);

  return FALSE;
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t';
}

/* Splits on runs of spaces and tabs, dropping empty fields. */
static GStrv
split_fields (const char *value,
              int         max_fields)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *p = value;
  int n = 0;

  while (*p != '\0')
    {
      const char *start;

      while (is_space (*p))
        p++;
      if (*p == '\0')
        break;

      start = p;
      if (max_fields > 0 && n == max_fields - 1)
        {
          g_autofree char *rest = g_strdup (start);

          g_strv_builder_add (builder, g_strchomp (rest));
          n++;
          break;
        }

      while (*p != '\0' && !is_space (*p))
        p++;

      {
        g_autofree char *field = g_strndup (start, p - start);

        g_strv_builder_add (builder, field);
        n++;
      }
    }

  return g_strv_builder_end (builder);
}

static gboolean
parse_number (const char *text,
              guint64     max,
              guint64    *out)
{
  gsize length = strlen (text);

  if (length == 0 || length > 20)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;

  return g_ascii_string_to_unsigned (text, 10, 0, max, out, NULL);
}

static gboolean
parse_uint (const char *text,
            guint       min,
            guint       max,
            guint      *out)
{
  guint64 value;

  if (!parse_number (text, max, &value) || value < min)
    return FALSE;

  *out = (guint) value;
  return TRUE;
}

static gboolean
parse_connection (ParseState       *state,
                  const char       *value,
                  DtSdpConnection **out,
                  GError          **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);

  if (g_strv_length (fields) != 3)
    return fail (state, error, "expected “<nettype> <addrtype> <address>”");

  *out = connection_new_full (fields[0], fields[1], fields[2]);
  return TRUE;
}

static gboolean
parse_origin (ParseState  *state,
              const char  *value,
              GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  DtSdp *sdp = state->sdp;

  if (g_strv_length (fields) != 6)
    return fail (state, error,
                 "expected “<username> <sess-id> <sess-version> <nettype> <addrtype> <address>”");

  if (!parse_number (fields[1], G_MAXUINT64, &sdp->origin_sess_id))
    return fail (state, error, "the session id is not a number");
  if (!parse_number (fields[2], G_MAXUINT64, &sdp->origin_sess_version))
    return fail (state, error, "the session version is not a number");

  g_free (sdp->origin_username);
  sdp->origin_username = g_strdup (fields[0]);
  g_free (sdp->origin.nettype);
  sdp->origin.nettype = g_strdup (fields[3]);
  g_free (sdp->origin.addrtype);
  sdp->origin.addrtype = g_strdup (fields[4]);
  g_free (sdp->origin.address);
  sdp->origin.address = g_strdup (fields[5]);

  return TRUE;
}

static gboolean
parse_bandwidth (ParseState  *state,
                 const char  *value,
                 GPtrArray   *bandwidths,
                 GError     **error)
{
  const char *colon = strchr (value, ':');
  DtSdpBandwidth *bandwidth;
  guint64 number;

  if (colon == NULL || colon == value)
    return fail (state, error, "expected “<bwtype>:<bandwidth>”");

  for (const char *p = value; p < colon; p++)
    if (is_space (*p))
      return fail (state, error, "the bandwidth type holds a space");

  if (!parse_number (colon + 1, G_MAXUINT64, &number))
    return fail (state, error, "the bandwidth is not a number");

  if (bandwidths->len >= DT_SDP_MAX_BANDWIDTHS)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "SDP line %u: more than %u b= lines", state->line_number,
                   DT_SDP_MAX_BANDWIDTHS);
      return FALSE;
    }

  bandwidth = g_new0 (DtSdpBandwidth, 1);
  bandwidth->type = g_strndup (value, colon - value);
  bandwidth->value = number;
  g_ptr_array_add (bandwidths, bandwidth);

  return TRUE;
}

static gboolean
parse_time (ParseState  *state,
            const char  *value,
            GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  guint64 start;
  guint64 stop;

  if (g_strv_length (fields) != 2 ||
      !parse_number (fields[0], G_MAXUINT64, &start) ||
      !parse_number (fields[1], G_MAXUINT64, &stop))
    return fail (state, error, "expected “<start-time> <stop-time>”");

  /* Dialtone's calls are unbounded; only the first t= is kept */
  state->in_first_time = !state->seen_time;
  if (state->seen_time)
    return TRUE;

  state->seen_time = TRUE;
  state->sdp->start_time = start;
  state->sdp->stop_time = stop;

  return TRUE;
}

static gboolean
parse_media (ParseState  *state,
             const char  *value,
             GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  g_autoptr(DtSdpMedia) media = NULL;
  g_autofree char *port_text = NULL;
  char *slash;
  guint n_fields = g_strv_length (fields);
  guint port;
  guint n_ports = 0;

  if (n_fields < 3)
    return fail (state, error, "expected “<media> <port> <proto> <fmt> …”");

  if (state->sdp->media->len >= DT_SDP_MAX_MEDIA)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "SDP line %u: more than %u media descriptions", state->line_number,
                   DT_SDP_MAX_MEDIA);
      return FALSE;
    }

  port_text = g_strdup (fields[1]);
  slash = strchr (port_text, '/');
  if (slash != NULL)
    {
      *slash = '\0';
      if (!parse_uint (slash + 1, 1, G_MAXUINT16, &n_ports))
        return fail (state, error, "bad port count “%s”", slash + 1);
    }

  if (!parse_uint (port_text, 0, G_MAXUINT16, &port))
    return fail (state, error, "bad port “%s”", port_text);

  if (n_fields - 3 > DT_SDP_MAX_FORMATS)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "SDP line %u: more than %u formats", state->line_number, DT_SDP_MAX_FORMATS);
      return FALSE;
    }

  media = dt_sdp_media_new (fields[0], port, fields[2]);
  media->n_ports = n_ports;

  for (guint i = 3; i < n_fields; i++)
    {
      if (dt_sdp_media_is_rtp (media))
        {
          guint pt;

          if (!parse_uint (fields[i], 0, 127, &pt))
            return fail (state, error, "bad payload type “%s”", fields[i]);
          g_ptr_array_add (media->formats, g_strdup_printf ("%u", pt));
        }
      else
        {
          g_ptr_array_add (media->formats, g_strdup (fields[i]));
        }
    }

  state->media = media;
  state->n_attributes = 0;
  g_ptr_array_add (state->sdp->media, g_steal_pointer (&media));

  return TRUE;
}

static gboolean
parse_rtpmap (ParseState  *state,
              DtSdpMedia  *media,
              const char  *value,
              GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  g_auto(GStrv) parts = NULL;
  guint pt;
  guint clock_rate;
  guint channels = 0;
  guint n_parts;

  if (g_strv_length (fields) != 2)
    return fail (state, error, "expected “<payload type> <encoding>/<clock rate>[/<channels>]”");

  if (!parse_uint (fields[0], 0, 127, &pt))
    return fail (state, error, "bad payload type “%s”", fields[0]);

  if (find_rtpmap (media, pt) != NULL)
    return fail (state, error, "a second rtpmap for payload type %u", pt);

  parts = g_strsplit (fields[1], "/", 0);
  n_parts = g_strv_length (parts);
  if (n_parts < 2 || n_parts > 3 || parts[0][0] == '\0')
    return fail (state, error, "expected “<encoding>/<clock rate>[/<channels>]”");

  if (!parse_uint (parts[1], 1, DT_SDP_MAX_CLOCK_RATE, &clock_rate))
    return fail (state, error, "bad clock rate “%s”", parts[1]);

  if (n_parts == 3 && !parse_uint (parts[2], 1, DT_SDP_MAX_CHANNELS, &channels))
    return fail (state, error, "bad channel count “%s”", parts[2]);

  dt_sdp_media_add_rtpmap (media, pt, parts[0], clock_rate, channels);

  return TRUE;
}

static gboolean
parse_fmtp (ParseState  *state,
            DtSdpMedia  *media,
            const char  *value,
            GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 2);
  g_autofree char *format = NULL;

  if (fields[0] == NULL)
    return fail (state, error, "expected “<format> <parameters>”");

  if (dt_sdp_media_is_rtp (media))
    {
      guint pt;

      if (!parse_uint (fields[0], 0, 127, &pt))
        return fail (state, error, "bad payload type “%s”", fields[0]);
      format = g_strdup_printf ("%u", pt);
    }
  else
    {
      format = g_strdup (fields[0]);
    }

  if (find_fmtp (media, format) != NULL)
    return fail (state, error, "a second fmtp for format %s", format);

  dt_sdp_media_add_fmtp (media, format, fields[1] != NULL ? fields[1] : "");

  return TRUE;
}

static gboolean
parse_rtcp (ParseState  *state,
            DtSdpMedia  *media,
            const char  *value,
            GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  guint n_fields = g_strv_length (fields);

  if (n_fields != 1 && n_fields != 4)
    return fail (state, error, "expected “<port> [<nettype> <addrtype> <address>]”");

  if (!parse_uint (fields[0], 1, G_MAXUINT16, &media->rtcp_port))
    return fail (state, error, "bad RTCP port “%s”", fields[0]);

  g_clear_pointer (&media->rtcp_connection, dt_sdp_connection_free);
  if (n_fields == 4)
    media->rtcp_connection = connection_new_full (fields[1], fields[2], fields[3]);

  return TRUE;
}

/* Standard base64 with optional padding: peers drop the "==" of the
 * 46-byte AES-256 keys now and then. */
static GBytes *
decode_base64 (const char *text)
{
  gsize length = strlen (text);
  gsize data_length = length;
  g_autofree char *padded = NULL;
  g_autofree guchar *decoded = NULL;
  gsize decoded_length;

  while (data_length > 0 && text[data_length - 1] == '=')
    data_length--;

  if (data_length == 0 || length - data_length > 2 || data_length % 4 == 1)
    return NULL;
  if (length != data_length && length % 4 != 0)
    return NULL;

  for (gsize i = 0; i < data_length; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return NULL;

  padded = g_malloc (data_length + 4);
  memcpy (padded, text, data_length);
  while (data_length % 4 != 0)
    padded[data_length++] = '=';
  padded[data_length] = '\0';

  decoded = g_base64_decode (padded, &decoded_length);

  return g_bytes_new_take (g_steal_pointer (&decoded), decoded_length);
}

static gboolean
parse_lifetime (const char *text)
{
  guint64 number;

  if (g_str_has_prefix (text, "2^"))
    return parse_number (text + 2, 64, &number) && number >= 1;

  return parse_number (text, G_MAXUINT64, &number) && number >= 1;
}

/* RFC 4568 §9.1: "inline:" key-salt ["|" lifetime] ["|" mki ":" mki-length] */
static gboolean
parse_key_params (ParseState   *state,
                  const char   *suite,
                  const char   *text,
                  DtSdpCrypto  *crypto,
                  GError      **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GBytes) key_salt = NULL;
  DtSdpCryptoKey *key;
  gsize expected = dt_sdp_crypto_suite_key_length (suite);
  guint n_parts;
  guint next = 1;

  if (g_ascii_strncasecmp (text, "inline:", 7) != 0)
    return fail (state, error, "unknown key method in “%s”", text);

  parts = g_strsplit (text + 7, "|", 0);
  n_parts = g_strv_length (parts);
  if (n_parts < 1 || n_parts > 3)
    return fail (state, error, "expected “inline:<key>[|<lifetime>][|<MKI>:<length>]”");

  key_salt = decode_base64 (parts[0]);
  if (key_salt == NULL)
    return fail (state, error, "the key is not base64");

  if (expected != 0 && g_bytes_get_size (key_salt) != expected)
    return fail (state, error, "%s needs a %" G_GSIZE_FORMAT "-byte key and salt, not %"
                 G_GSIZE_FORMAT, suite, expected, g_bytes_get_size (key_salt));
  if (expected == 0 && g_bytes_get_size (key_salt) > DT_SDP_MAX_KEY_LENGTH)
    return fail (state, error, "the key is too long");

  key = g_new0 (DtSdpCryptoKey, 1);
  key->key_salt = g_steal_pointer (&key_salt);
  g_ptr_array_add (crypto->keys, key);

  if (next < n_parts && strchr (parts[next], ':') == NULL)
    {
      if (!parse_lifetime (parts[next]))
        return fail (state, error, "bad key lifetime “%s”", parts[next]);
      key->lifetime = g_strdup (parts[next]);
      next++;
    }

  if (next < n_parts)
    {
      char *colon = strchr (parts[next], ':');

      if (colon == NULL)
        return fail (state, error, "bad MKI “%s”", parts[next]);
      *colon = '\0';
      if (!parse_number (parts[next], G_MAXUINT64, &key->mki_value) ||
          !parse_uint (colon + 1, 1, DT_SDP_MAX_MKI_LENGTH, &key->mki_length))
        return fail (state, error, "bad MKI");
      next++;
    }

  if (next != n_parts)
    return fail (state, error, "expected “inline:<key>[|<lifetime>][|<MKI>:<length>]”");

  return TRUE;
}

static gboolean
parse_crypto (ParseState  *state,
              DtSdpMedia  *media,
              const char  *value,
              GError     **error)
{
  g_auto(GStrv) fields = split_fields (value, 0);
  g_auto(GStrv) key_params = NULL;
  g_autoptr(DtSdpCrypto) crypto = NULL;
  guint n_fields = g_strv_length (fields);

  if (n_fields < 3)
    return fail (state, error, "expected “<tag> <crypto-suite> <key-params> …”");

  crypto = g_new0 (DtSdpCrypto, 1);
  crypto->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_sdp_crypto_key_free);

  if (strlen (fields[0]) > 9 || !parse_uint (fields[0], 1, DT_SDP_MAX_TAG, &crypto->tag))
    return fail (state, error, "bad crypto tag “%s”", fields[0]);

  crypto->suite = g_strdup (fields[1]);

  key_params = g_strsplit (fields[2], ";", 0);
  for (guint i = 0; key_params[i] != NULL; i++)
    if (!parse_key_params (state, crypto->suite, key_params[i], crypto, error))
      return FALSE;

  if (n_fields > 3)
    crypto->session_params = g_strjoinv (" ", fields + 3);

  g_ptr_array_add (media->cryptos, g_steal_pointer (&crypto));

  return TRUE;
}

static gboolean
parse_ptime (ParseState  *state,
             const char  *value,
             guint       *out,
             GError     **error)
{
  if (!parse_uint (value, 1, DT_SDP_MAX_PTIME, out))
    return fail (state, error, "bad packet time “%s”", value);

  return TRUE;
}

static gboolean
parse_attribute (ParseState  *state,
                 const char  *text,
                 GError     **error)
{
  DtSdpMedia *media = state->media;
  const char *colon = strchr (text, ':');
  g_autofree char *name = NULL;
  const char *value = NULL;
  GPtrArray *attributes;

  if (++state->n_attributes > DT_SDP_MAX_ATTRIBUTES)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "SDP line %u: more than %u attributes in one section",
                   state->line_number, DT_SDP_MAX_ATTRIBUTES);
      return FALSE;
    }

  if (colon != NULL)
    {
      name = g_strndup (text, colon - text);
      value = colon + 1;
    }
  else
    {
      name = g_strdup (text);
    }

  if (name[0] == '\0')
    return fail (state, error, "the attribute has no name");

  if (value == NULL && direction_from_string (name) != DT_SDP_DIRECTION_UNSET)
    {
      /* A repeated direction attribute: the last one wins */
      if (media != NULL)
        media->direction = direction_from_string (name);
      else
        state->sdp->direction = direction_from_string (name);
      return TRUE;
    }

  if (media != NULL)
    {
      if (value != NULL && g_str_equal (name, "rtpmap"))
        return parse_rtpmap (state, media, value, error);
      if (value != NULL && g_str_equal (name, "fmtp"))
        return parse_fmtp (state, media, value, error);
      if (value != NULL && g_str_equal (name, "ptime"))
        return parse_ptime (state, value, &media->ptime, error);
      if (value != NULL && g_str_equal (name, "maxptime"))
        return parse_ptime (state, value, &media->maxptime, error);
      if (value != NULL && g_str_equal (name, "rtcp"))
        return parse_rtcp (state, media, value, error);
      if (value != NULL && g_str_equal (name, "crypto"))
        return parse_crypto (state, media, value, error);
      if (value == NULL && g_str_equal (name, "rtcp-mux"))
        {
          media->rtcp_mux = TRUE;
          return TRUE;
        }
    }

  attributes = media != NULL ? media->attributes : state->sdp->attributes;
  g_ptr_array_add (attributes, attribute_new (name, value));

  return TRUE;
}

static gboolean
set_once (ParseState  *state,
          char       **field,
          const char  *value,
          GError     **error)
{
  if (*field != NULL)
    return fail (state, error, "this line may appear once");

  *field = g_strdup (value);
  return TRUE;
}

static gboolean
add_to_list (ParseState  *state,
             GPtrArray   *list,
             const char  *value,
             GError     **error)
{
  if (list->len >= DT_SDP_MAX_LIST)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "SDP line %u: more than %u lines of this type", state->line_number,
                   DT_SDP_MAX_LIST);
      return FALSE;
    }

  g_ptr_array_add (list, g_strdup (value));
  return TRUE;
}

static gboolean
parse_line (ParseState  *state,
            char         type,
            const char  *value,
            GError     **error)
{
  DtSdp *sdp = state->sdp;
  DtSdpMedia *media = state->media;

  if (media != NULL && strchr ("vosuepztr", type) != NULL)
    return fail (state, error, "%c= cannot appear in a media description", type);

  switch (type)
    {
    case 'v':
      return fail (state, error, "v= may appear once");

    case 'o':
      if (state->seen_origin)
        return fail (state, error, "o= may appear once");
      state->seen_origin = TRUE;
      return parse_origin (state, value, error);

    case 's':
      if (state->seen_name)
        return fail (state, error, "s= may appear once");
      state->seen_name = TRUE;
      g_free (sdp->session_name);
      sdp->session_name = g_strdup (value);
      return TRUE;

    case 'i':
      return set_once (state, media != NULL ? &media->info : &sdp->info, value, error);

    case 'u':
      return set_once (state, &sdp->uri, value, error);

    case 'e':
      return add_to_list (state, sdp->emails, value, error);

    case 'p':
      return add_to_list (state, sdp->phones, value, error);

    case 'c':
      {
        DtSdpConnection **connection = media != NULL ? &media->connection : &sdp->connection;

        if (*connection != NULL)
          return fail (state, error, "c= may appear once per section");
        return parse_connection (state, value, connection, error);
      }

    case 'b':
      return parse_bandwidth (state, value, media != NULL ? media->bandwidths : sdp->bandwidths,
                              error);

    case 't':
      return parse_time (state, value, error);

    case 'r':
      if (!state->seen_time)
        return fail (state, error, "r= before t=");
      if (!state->in_first_time)
        return TRUE;
      if (value[0] == '\0')
        return fail (state, error, "empty repeat time");
      return add_to_list (state, sdp->repeats, value, error);

    case 'z':
      return set_once (state, &sdp->zone, value, error);

    case 'k':
      return set_once (state, media != NULL ? &media->key : &sdp->key, value, error);

    case 'a':
      return parse_attribute (state, value, error);

    case 'm':
      return parse_media (state, value, error);

    default:
      /* RFC 8866 §5: unknown types are ignored */
      g_debug ("Ignoring SDP line %u of unknown type ‘%c’", state->line_number, type);
      return TRUE;
    }
}

/**
 * dt_sdp_parse:
 * @text: SDP text, UTF-8
 * @length: the length of @text, or -1 when it is nul-terminated
 * @error: return location for a #DtSdpError
 *
 * Reads a session description. The parser takes what peers really send:
 * bare LF line ends, trailing spaces, blank lines, lines of unknown types and
 * unknown attributes. It refuses what it cannot understand, naming the line:
 * a missing `v=`, `o=` or `s=`, a bad port or payload type, a malformed
 * `a=rtpmap`, a crypto key of the wrong length, and so on.
 *
 * Returns: (transfer full): the description, or %NULL with @error set
 */
DtSdp *
dt_sdp_parse (const char  *text,
              gssize       length,
              GError     **error)
{
  g_autoptr(DtSdp) sdp = NULL;
  g_autofree char *copy = NULL;
  ParseState state = { 0, };
  gboolean seen_version = FALSE;
  char *line;
  char *next;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = strlen (text);

  if ((gsize) length > DT_SDP_MAX_SIZE)
    {
      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                   "The session description is over %u bytes", DT_SDP_MAX_SIZE);
      return NULL;
    }

  if (length > 0 && memchr (text, '\0', length) != NULL)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The session description holds a NUL byte");
      return NULL;
    }

  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The session description is not UTF-8");
      return NULL;
    }

  sdp = dt_sdp_new ();
  state.sdp = sdp;
  copy = g_strndup (text, length);

  for (line = copy; line != NULL; line = next)
    {
      char *end;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';

      state.line_number++;
      state.line = line;

      /* CRLF, LF, and trailing spaces all end a line */
      end = line + strlen (line);
      while (end > line && (is_space (end[-1]) || end[-1] == '\r'))
        *--end = '\0';

      if (line[0] == '\0')
        continue;

      for (const char *p = line; *p != '\0'; p++)
        if (((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
          {
            fail (&state, error, "control character in the line");
            return NULL;
          }

      if (line[1] != '=' || !g_ascii_isalpha (line[0]))
        {
          fail (&state, error, "expected “<type>=<value>”");
          return NULL;
        }

      if (!seen_version)
        {
          if (line[0] != 'v')
            {
              fail (&state, error, "the description does not start with v=");
              return NULL;
            }
          if (!g_str_equal (line + 2, "0"))
            {
              fail (&state, error, "only version 0 exists");
              return NULL;
            }
          seen_version = TRUE;
          continue;
        }

      if (line[0] != 'o' && !state.seen_origin)
        {
          fail (&state, error, "o= must follow v=");
          return NULL;
        }

      if (!parse_line (&state, line[0], line + 2, error))
        return NULL;
    }

  if (!seen_version)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The session description has no v= line");
      return NULL;
    }

  if (!state.seen_name)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The session description has no s= line");
      return NULL;
    }

  if (!state.seen_origin)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The session description has no o= line");
      return NULL;
    }

  return g_steal_pointer (&sdp);
}

/* Writer */

static void
write_connection (GString               *out,
                  const DtSdpConnection *connection)
{
  g_string_append_printf (out, "c=%s %s %s\r\n",
                          connection->nettype, connection->addrtype, connection->address);
}

static void
write_bandwidths (GString         *out,
                  const GPtrArray *bandwidths)
{
  for (guint i = 0; i < bandwidths->len; i++)
    {
      const DtSdpBandwidth *bandwidth = g_ptr_array_index (bandwidths, i);

      g_string_append_printf (out, "b=%s:%" G_GUINT64_FORMAT "\r\n",
                              bandwidth->type, bandwidth->value);
    }
}

static void
write_attributes (GString         *out,
                  const GPtrArray *attributes)
{
  for (guint i = 0; i < attributes->len; i++)
    {
      const DtSdpAttribute *attribute = g_ptr_array_index (attributes, i);

      if (attribute->value != NULL)
        g_string_append_printf (out, "a=%s:%s\r\n", attribute->name, attribute->value);
      else
        g_string_append_printf (out, "a=%s\r\n", attribute->name);
    }
}

static void
write_fmtp (GString         *out,
            const DtSdpFmtp *fmtp)
{
  if (fmtp->params[0] != '\0')
    g_string_append_printf (out, "a=fmtp:%s %s\r\n", fmtp->format, fmtp->params);
  else
    g_string_append_printf (out, "a=fmtp:%s\r\n", fmtp->format);
}

static void
write_crypto (GString           *out,
              const DtSdpCrypto *crypto)
{
  g_string_append_printf (out, "a=crypto:%u %s ", crypto->tag, crypto->suite);

  for (guint i = 0; i < crypto->keys->len; i++)
    {
      const DtSdpCryptoKey *key = g_ptr_array_index (crypto->keys, i);
      g_autofree char *base64 = NULL;

      base64 = g_base64_encode (g_bytes_get_data (key->key_salt, NULL),
                                g_bytes_get_size (key->key_salt));
      g_string_append_printf (out, "%sinline:%s", i > 0 ? ";" : "", base64);
      if (key->lifetime != NULL)
        g_string_append_printf (out, "|%s", key->lifetime);
      if (key->mki_length != 0)
        g_string_append_printf (out, "|%" G_GUINT64_FORMAT ":%u", key->mki_value, key->mki_length);
    }

  if (crypto->session_params != NULL)
    g_string_append_printf (out, " %s", crypto->session_params);

  g_string_append (out, "\r\n");
}

static void
write_media (GString          *out,
             const DtSdpMedia *media)
{
  g_autoptr(GHashTable) written = g_hash_table_new (NULL, NULL);
  const char *direction = dt_sdp_direction_to_string (media->direction);

  g_string_append_printf (out, "m=%s %u", media->media, media->port);
  if (media->n_ports != 0)
    g_string_append_printf (out, "/%u", media->n_ports);
  g_string_append_printf (out, " %s", media->proto);
  for (guint i = 0; i < media->formats->len; i++)
    g_string_append_printf (out, " %s", (const char *) g_ptr_array_index (media->formats, i));
  g_string_append (out, "\r\n");

  if (media->info != NULL)
    g_string_append_printf (out, "i=%s\r\n", media->info);
  if (media->connection != NULL)
    write_connection (out, media->connection);
  write_bandwidths (out, media->bandwidths);
  if (media->key != NULL)
    g_string_append_printf (out, "k=%s\r\n", media->key);

  /* Each rtpmap with its fmtp, the way peers write them */
  for (guint i = 0; i < media->rtpmaps->len; i++)
    {
      const DtSdpRtpmap *rtpmap = g_ptr_array_index (media->rtpmaps, i);
      g_autofree char *format = g_strdup_printf ("%u", rtpmap->pt);
      const DtSdpFmtp *fmtp = find_fmtp (media, format);

      g_string_append_printf (out, "a=rtpmap:%u %s/%u", rtpmap->pt, rtpmap->encoding,
                              rtpmap->clock_rate);
      if (rtpmap->channels != 0)
        g_string_append_printf (out, "/%u", rtpmap->channels);
      g_string_append (out, "\r\n");

      if (fmtp != NULL)
        {
          write_fmtp (out, fmtp);
          g_hash_table_add (written, (gpointer) fmtp);
        }
    }

  for (guint i = 0; i < media->fmtps->len; i++)
    {
      const DtSdpFmtp *fmtp = g_ptr_array_index (media->fmtps, i);

      if (!g_hash_table_contains (written, fmtp))
        write_fmtp (out, fmtp);
    }

  if (media->ptime != 0)
    g_string_append_printf (out, "a=ptime:%u\r\n", media->ptime);
  if (media->maxptime != 0)
    g_string_append_printf (out, "a=maxptime:%u\r\n", media->maxptime);

  if (media->rtcp_port != 0)
    {
      g_string_append_printf (out, "a=rtcp:%u", media->rtcp_port);
      if (media->rtcp_connection != NULL)
        g_string_append_printf (out, " %s %s %s", media->rtcp_connection->nettype,
                                media->rtcp_connection->addrtype,
                                media->rtcp_connection->address);
      g_string_append (out, "\r\n");
    }

  if (media->rtcp_mux)
    g_string_append (out, "a=rtcp-mux\r\n");

  for (guint i = 0; i < media->cryptos->len; i++)
    write_crypto (out, g_ptr_array_index (media->cryptos, i));

  write_attributes (out, media->attributes);

  if (direction != NULL)
    g_string_append_printf (out, "a=%s\r\n", direction);
}

/**
 * dt_sdp_to_string:
 * @self: a description
 *
 * Writes the canonical text: CRLF line ends and the line order of RFC 8866
 * §5 (v o s i u e p c b t r z k a, then m i c b k a per media). Within a
 * media description the typed attributes come first, then the others in
 * their order, and the direction last.
 *
 * Returns: (transfer full): the SDP text
 */
char *
dt_sdp_to_string (const DtSdp *self)
{
  GString *out;
  const char *direction;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new ("v=0\r\n");
  g_string_append_printf (out, "o=%s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %s %s %s\r\n",
                          self->origin_username, self->origin_sess_id,
                          self->origin_sess_version, self->origin.nettype,
                          self->origin.addrtype, self->origin.address);
  /* RFC 8866 §5.3: a single space when there is no name */
  g_string_append_printf (out, "s=%s\r\n",
                          self->session_name[0] != '\0' ? self->session_name : " ");
  if (self->info != NULL)
    g_string_append_printf (out, "i=%s\r\n", self->info);
  if (self->uri != NULL)
    g_string_append_printf (out, "u=%s\r\n", self->uri);
  for (guint i = 0; i < self->emails->len; i++)
    g_string_append_printf (out, "e=%s\r\n", (const char *) g_ptr_array_index (self->emails, i));
  for (guint i = 0; i < self->phones->len; i++)
    g_string_append_printf (out, "p=%s\r\n", (const char *) g_ptr_array_index (self->phones, i));
  if (self->connection != NULL)
    write_connection (out, self->connection);
  write_bandwidths (out, self->bandwidths);
  g_string_append_printf (out, "t=%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\r\n",
                          self->start_time, self->stop_time);
  for (guint i = 0; i < self->repeats->len; i++)
    g_string_append_printf (out, "r=%s\r\n", (const char *) g_ptr_array_index (self->repeats, i));
  if (self->zone != NULL)
    g_string_append_printf (out, "z=%s\r\n", self->zone);
  if (self->key != NULL)
    g_string_append_printf (out, "k=%s\r\n", self->key);

  write_attributes (out, self->attributes);
  direction = dt_sdp_direction_to_string (self->direction);
  if (direction != NULL)
    g_string_append_printf (out, "a=%s\r\n", direction);

  for (guint i = 0; i < self->media->len; i++)
    write_media (out, g_ptr_array_index (self->media, i));

  return g_string_free (out, FALSE);
}

/* Offer/answer */

/**
 * dt_sdp_negotiated_free:
 * @result: (transfer full) (nullable): a negotiated result
 *
 * Frees @result.
 */
void
dt_sdp_negotiated_free (DtSdpNegotiated *result)
{
  if (result == NULL)
    return;

  g_free (result->remote_address);
  g_free (result->remote_rtcp_address);
  g_free (result->encoding);
  g_free (result->fmtp);
  g_free (result->srtp_suite);
  g_clear_pointer (&result->local_key, g_bytes_unref);
  g_clear_pointer (&result->remote_key, g_bytes_unref);
  g_free (result);
}

static void
read_random_key (const char *suite,
                 guint8     *key_salt,
                 gsize       length,
                 gpointer    user_data)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = getrandom (key_salt + done, length - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("No random bytes for an SRTP key: %s", g_strerror (errno));
      done += n;
    }
}

static GBytes *
make_key (const DtSdpCaps *caps,
          const char      *suite)
{
  gsize length = dt_sdp_crypto_suite_key_length (suite);
  guint8 *key_salt = g_malloc0 (length);

  if (caps->key_func != NULL)
    caps->key_func (suite, key_salt, length, caps->key_func_data);
  else
    read_random_key (suite, key_salt, length, NULL);

  return g_bytes_new_take (key_salt, length);
}

static gboolean
suite_usable (const char        *suite,
              const char *const *wanted)
{
  return g_strv_contains (supported_suites, suite) && g_strv_contains (wanted, suite);
}

static const char *const *
caps_suites (const DtSdpCaps *caps)
{
  return caps->srtp_suites != NULL ? caps->srtp_suites : default_suites;
}

static DtSdpDirection
caps_direction (const DtSdpCaps *caps)
{
  return caps->direction != DT_SDP_DIRECTION_UNSET ? caps->direction : DT_SDP_DIRECTION_SENDRECV;
}

static gboolean
is_telephone_event (const char *encoding)
{
  return g_ascii_strcasecmp (encoding, "telephone-event") == 0;
}

static guint
format_pt (const char *format)
{
  guint64 pt = 128;

  /* Formats of RTP media are canonical payload type numbers once parsed */
  if (!g_ascii_string_to_unsigned (format, 10, 0, 127, &pt, NULL))
    return 128;

  return (guint) pt;
}

static DtSdp *
new_local_sdp (const DtSdpCaps *caps)
{
  DtSdp *sdp = dt_sdp_new ();
  guint64 session_id = caps->session_id;

  /* RFC 8866 §5.2: any number unique to the call; keep it under 2^62 so
   * that peers storing it in a signed 64-bit integer do not choke */
  while (session_id == 0)
    session_id = (((guint64) g_random_int () << 30) ^ g_random_int ()) &
                 G_GUINT64_CONSTANT (0x3fffffffffffffff);

  g_free (sdp->origin_username);
  sdp->origin_username = g_strdup (caps->username != NULL ? caps->username : "-");
  sdp->origin_sess_id = session_id;
  sdp->origin_sess_version = 1;
  g_free (sdp->origin.addrtype);
  sdp->origin.addrtype = g_strdup (strchr (caps->address, ':') != NULL ? "IP6" : "IP4");
  g_free (sdp->origin.address);
  sdp->origin.address = g_strdup (caps->address);
  sdp->connection = dt_sdp_connection_new (caps->address);

  return sdp;
}

static void
add_local_transport (const DtSdpCaps *caps,
                     DtSdpMedia      *media,
                     gboolean         rtcp_mux)
{
  media->ptime = caps->ptime;
  if (caps->rtcp_port != 0 && caps->rtcp_port != caps->port + 1)
    media->rtcp_port = caps->rtcp_port;
  media->rtcp_mux = rtcp_mux;
}

static int
take_free_pt (gboolean *used)
{
  for (guint pt = 96; pt <= 127; pt++)
    if (!used[pt])
      {
        used[pt] = TRUE;
        return (int) pt;
      }

  return -1;
}

static int
find_static_pt (const DtSdpCodec *codec)
{
  for (gsize i = 0; i < G_N_ELEMENTS (static_payloads); i++)
    {
      const StaticPayload *known = &static_payloads[i];

      if (g_ascii_strcasecmp (known->encoding, codec->name) == 0 &&
          known->clock_rate == codec->clock_rate &&
          known->channels == MAX (codec->channels, 1))
        return (int) known->pt;
    }

  return -1;
}

/**
 * dt_sdp_create_offer:
 * @caps: the local capabilities
 * @error: return location for a #DtSdpError
 *
 * Builds an initial offer: one audio stream with the codecs of @caps in
 * order, static payload types where RFC 3551 has one and dynamic ones from 96
 * otherwise, a telephone-event per clock rate when @caps asks for DTMF,
 * `a=ptime`, `a=rtcp-mux`, and one `a=crypto` per suite when SRTP is not off.
 * `RTP/SAVP` is offered only when SRTP is required; optional SRTP is the
 * best-effort `RTP/AVP` with `a=crypto` that common SIP phones and PBXes accept.
 *
 * Returns: (transfer full): the offer, or %NULL with @error set
 */
DtSdp *
dt_sdp_create_offer (const DtSdpCaps  *caps,
                     GError          **error)
{
  g_autoptr(DtSdp) sdp = NULL;
  g_autofree int *pts = NULL;
  g_autoptr(GArray) te_rates = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) te_pts = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean used[128] = { FALSE, };
  DtSdpMedia *media;

  g_return_val_if_fail (caps != NULL, NULL);
  g_return_val_if_fail (caps->address != NULL, NULL);
  g_return_val_if_fail (caps->codecs != NULL && caps->n_codecs > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  pts = g_new (int, caps->n_codecs);

  for (gsize i = 0; i < caps->n_codecs; i++)
    {
      int pt = caps->codecs[i].pt;

      pts[i] = -1;
      if (pt >= 0 && pt <= 127 && !used[pt])
        {
          pts[i] = pt;
          used[pt] = TRUE;
        }
    }

  for (gsize i = 0; i < caps->n_codecs; i++)
    {
      int pt = pts[i] < 0 ? find_static_pt (&caps->codecs[i]) : -1;

      if (pt >= 0 && !used[pt])
        {
          pts[i] = pt;
          used[pt] = TRUE;
        }
    }

  /* RFC 4733 §2.1: telephone-event runs at the clock of the audio codec, so
   * there is one per clock rate offered */
  if (caps->dtmf)
    {
      for (gsize i = 0; i < caps->n_codecs; i++)
        {
          guint rate = caps->codecs[i].clock_rate;
          gboolean seen = FALSE;
          int pt = -1;

          for (guint j = 0; j < te_rates->len; j++)
            seen = seen || g_array_index (te_rates, guint, j) == rate;
          if (seen)
            continue;

          if (rate == 8000 && !used[DT_SDP_TE_PT_8000])
            pt = DT_SDP_TE_PT_8000;
          else if (rate == 48000 && !used[DT_SDP_TE_PT_48000])
            pt = DT_SDP_TE_PT_48000;
          if (pt >= 0)
            used[pt] = TRUE;

          g_array_append_val (te_rates, rate);
          g_array_append_val (te_pts, pt);
        }
    }

  for (gsize i = 0; i < caps->n_codecs; i++)
    if (pts[i] < 0 && (pts[i] = take_free_pt (used)) < 0)
      goto out_of_pts;

  for (guint i = 0; i < te_pts->len; i++)
    if (g_array_index (te_pts, int, i) < 0 &&
        (g_array_index (te_pts, int, i) = take_free_pt (used)) < 0)
      goto out_of_pts;

  sdp = new_local_sdp (caps);
  media = dt_sdp_media_new ("audio", caps->port,
                            caps->srtp == DT_SDP_SRTP_REQUIRED ? "RTP/SAVP" : "RTP/AVP");
  g_ptr_array_add (sdp->media, media);

  for (gsize i = 0; i < caps->n_codecs; i++)
    {
      const DtSdpCodec *codec = &caps->codecs[i];
      g_autofree char *format = g_strdup_printf ("%d", pts[i]);

      g_ptr_array_add (media->formats, g_strdup (format));
      dt_sdp_media_add_rtpmap (media, pts[i], codec->name, codec->clock_rate,
                               codec->channels > 1 ? codec->channels : 0);
      if (codec->fmtp != NULL)
        dt_sdp_media_add_fmtp (media, format, codec->fmtp);
    }

  for (guint i = 0; i < te_pts->len; i++)
    {
      int pt = g_array_index (te_pts, int, i);
      g_autofree char *format = g_strdup_printf ("%d", pt);

      g_ptr_array_add (media->formats, g_strdup (format));
      dt_sdp_media_add_rtpmap (media, pt, "telephone-event", g_array_index (te_rates, guint, i), 0);
      /* RFC 4733 §7.1.1: the digits, * and #, A–D and flash */
      dt_sdp_media_add_fmtp (media, format, "0-16");
    }

  add_local_transport (caps, media, caps->rtcp_mux);

  if (caps->srtp != DT_SDP_SRTP_OFF)
    {
      const char *const *suites = caps_suites (caps);
      guint tag = 1;

      for (guint i = 0; suites[i] != NULL; i++)
        {
          g_autoptr(GBytes) key = NULL;

          if (!g_strv_contains (supported_suites, suites[i]))
            continue;

          key = make_key (caps, suites[i]);
          g_ptr_array_add (media->cryptos, dt_sdp_crypto_new (tag++, suites[i], key));
        }

      if (media->cryptos->len == 0)
        {
          g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED,
                               "None of the chosen SRTP crypto suites is supported");
          return NULL;
        }
    }

  media->direction = caps_direction (caps);

  return g_steal_pointer (&sdp);

out_of_pts:
  g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_TOO_LARGE,
                       "Too many codecs for the 32 dynamic payload types");
  return NULL;
}

static gboolean
codec_matches (const DtSdpCodec *codec,
               const char       *encoding,
               guint             clock_rate,
               guint             channels)
{
  if (g_ascii_strcasecmp (codec->name, encoding) != 0 || codec->clock_rate != clock_rate)
    return FALSE;

  /* RFC 7587 §7: Opus is always opus/48000/2, whatever is sent; a peer that
   * writes another channel count still means Opus */
  if (g_ascii_strcasecmp (encoding, "opus") == 0)
    return TRUE;

  return MAX (codec->channels, 1) == MAX (channels, 1);
}

/* RFC 4568 §7.1.2: a line we can use whole. Dialtone sends no MKI and knows
 * no session parameters, so lines with either are passed over. */
static const DtSdpCrypto *
choose_crypto (const DtSdpCaps  *caps,
               const DtSdpMedia *media)
{
  const char *const *suites = caps_suites (caps);

  for (guint i = 0; suites[i] != NULL; i++)
    {
      if (!suite_usable (suites[i], suites))
        continue;

      for (guint j = 0; j < media->cryptos->len; j++)
        {
          const DtSdpCrypto *crypto = g_ptr_array_index (media->cryptos, j);
          const DtSdpCryptoKey *key = g_ptr_array_index (crypto->keys, 0);
          gboolean repeated_tag = FALSE;

          /* RFC 4568 §9.1: tags are unique; a repeated one is ambiguous */
          for (guint k = 0; k < j; k++)
            {
              const DtSdpCrypto *earlier = g_ptr_array_index (media->cryptos, k);

              repeated_tag = repeated_tag || earlier->tag == crypto->tag;
            }

          if (!repeated_tag &&
              g_str_equal (crypto->suite, suites[i]) &&
              crypto->keys->len == 1 &&
              key->mki_length == 0 &&
              crypto->session_params == NULL)
            return crypto;
        }
    }

  return NULL;
}

static char *
describe_formats (const DtSdpMedia *media)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < media->formats->len; i++)
    {
      const char *format = g_ptr_array_index (media->formats, i);
      const char *encoding;
      guint clock_rate;

      if (!dt_sdp_lookup_rtpmap (media, format_pt (format), &encoding, &clock_rate, NULL) ||
          is_telephone_event (encoding))
        continue;

      g_string_append_printf (text, "%s%s/%u", text->len > 0 ? ", " : "", encoding, clock_rate);
    }

  if (text->len == 0)
    g_string_append (text, "nothing known");

  return g_strdup (text->str);
}

static char *
describe_caps (const DtSdpCaps *caps)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (gsize i = 0; i < caps->n_codecs; i++)
    g_string_append_printf (text, "%s%s/%u", i > 0 ? ", " : "", caps->codecs[i].name,
                            caps->codecs[i].clock_rate);

  return g_strdup (text->str);
}

static void
set_remote_transport (DtSdpNegotiated  *result,
                      const DtSdp      *remote,
                      const DtSdpMedia *media,
                      gboolean          rtcp_mux)
{
  const DtSdpConnection *connection = dt_sdp_media_get_connection (remote, media);

  g_assert (connection != NULL);

  result->remote_address = g_strdup (connection->address);
  result->remote_port = media->port;
  result->rtcp_mux = rtcp_mux;

  if (rtcp_mux)
    {
      result->remote_rtcp_address = g_strdup (connection->address);
      result->remote_rtcp_port = media->port;
    }
  else if (media->rtcp_port != 0)
    {
      /* RFC 3605 §2.1 */
      result->remote_rtcp_address = g_strdup (media->rtcp_connection != NULL
                                              ? media->rtcp_connection->address
                                              : connection->address);
      result->remote_rtcp_port = media->rtcp_port;
    }
  else
    {
      /* RFC 3550 §11: the next port up */
      result->remote_rtcp_address = g_strdup (connection->address);
      result->remote_rtcp_port = media->port + 1;
    }
}

/* The codec to send is the first of the answer (RFC 3264 §5.1 and §6.1);
 * telephone-event goes with it at the same clock rate (RFC 4733 §2.1), or
 * failing that at whatever rate was agreed: many phones offer only
 * telephone-event/8000 next to Opus. */
static gboolean
set_codec (DtSdpNegotiated  *result,
           const DtSdpMedia *answer,
           const DtSdpMedia *offer,
           const DtSdpMedia *remote)
{
  gboolean found = FALSE;

  result->telephone_event_pt = -1;

  for (guint i = 0; i < answer->formats->len && !found; i++)
    {
      const char *format = g_ptr_array_index (answer->formats, i);
      guint pt = format_pt (format);
      const char *encoding;
      guint clock_rate;
      guint channels;

      if (!dt_sdp_lookup_rtpmap (answer, pt, &encoding, &clock_rate, &channels) &&
          !dt_sdp_lookup_rtpmap (offer, pt, &encoding, &clock_rate, &channels))
        continue;
      if (is_telephone_event (encoding))
        continue;

      result->pt = pt;
      result->encoding = g_strdup (encoding);
      result->clock_rate = clock_rate;
      result->channels = channels;
      result->fmtp = g_strdup (dt_sdp_media_get_fmtp (remote, format));
      found = TRUE;
    }

  if (!found)
    return FALSE;

  for (guint i = 0; i < answer->formats->len; i++)
    {
      guint pt = format_pt (g_ptr_array_index (answer->formats, i));
      const char *encoding;
      guint clock_rate;

      if (!dt_sdp_lookup_rtpmap (answer, pt, &encoding, &clock_rate, NULL) &&
          !dt_sdp_lookup_rtpmap (offer, pt, &encoding, &clock_rate, NULL))
        continue;
      if (!is_telephone_event (encoding))
        continue;

      if (result->telephone_event_pt < 0 || clock_rate == result->clock_rate)
        {
          gboolean exact = clock_rate == result->clock_rate;

          result->telephone_event_pt = (int) pt;
          result->telephone_event_clock_rate = clock_rate;
          if (exact)
            break;
        }
    }

  return TRUE;
}

/**
 * dt_sdp_create_answer:
 * @caps: the local capabilities
 * @offer: the peer's offer
 * @result: (out) (optional) (transfer full): what was agreed
 * @error: return location for a #DtSdpError
 *
 * Answers @offer following RFC 3264 §6. The first audio stream over RTP/AVP,
 * RTP/AVPF, RTP/SAVP or RTP/SAVPF is accepted; every other m= line is
 * rejected with port 0, in place. The answer keeps the offerer's payload
 * types (§6.1) and lists the codecs in common in Dialtone's order of
 * preference, followed by the telephone-events whose clock rate matches one
 * of them. The direction follows the table of §6.1, narrowed by the one in
 * @caps, and `c=0.0.0.0` counts as an offer that does not receive (§8.4).
 *
 * SRTP: with the policy off, `RTP/SAVP` is refused with
 * %DT_SDP_ERROR_SRTP_UNSUPPORTED and the `a=crypto` of an `RTP/AVP` offer
 * ignored. Otherwise the best usable crypto line (the order of
 * `srtp_suites`) is answered with its tag and a fresh key; when there is
 * none, a required policy gives %DT_SDP_ERROR_SRTP_REQUIRED, and an
 * `RTP/SAVP` offer %DT_SDP_ERROR_SRTP_UNSUPPORTED. SRTP is checked before
 * the codecs.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 */
DtSdp *
dt_sdp_create_answer (const DtSdpCaps  *caps,
                      const DtSdp      *offer,
                      DtSdpNegotiated **result,
                      GError          **error)
{
  g_autoptr(DtSdp) answer = NULL;
  g_autoptr(DtSdpNegotiated) negotiated = NULL;
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GBytes) local_key = NULL;
  const DtSdpMedia *offered = NULL;
  const DtSdpCrypto *crypto = NULL;
  DtSdpMedia *media = NULL;
  DtSdpDirection offer_direction;
  DtSdpDirection wish;
  gboolean unsupported_audio = FALSE;
  gboolean rtcp_mux;
  guint n_codecs;
  guint audio = 0;
  int found;

  g_return_val_if_fail (caps != NULL, NULL);
  g_return_val_if_fail (caps->address != NULL, NULL);
  g_return_val_if_fail (offer != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  found = find_audio (offer);
  if (found >= 0)
    {
      audio = (guint) found;
      offered = g_ptr_array_index (offer->media, audio);
    }

  for (guint i = 0; i < offer->media->len; i++)
    {
      const DtSdpMedia *candidate = g_ptr_array_index (offer->media, i);

      unsupported_audio = unsupported_audio ||
                          (g_str_equal (candidate->media, "audio") && candidate->port != 0);
    }

  if (offered == NULL)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_NOT_ACCEPTABLE,
                           unsupported_audio
                           ? "The offered audio stream uses a transport Dialtone does not support"
                           : "The offer has no audio stream");
      return NULL;
    }

  if (dt_sdp_media_get_connection (offer, offered) == NULL)
    {
      g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_INVALID,
                           "The offer gives no address (c=) for its audio stream");
      return NULL;
    }

  if (caps->srtp == DT_SDP_SRTP_OFF)
    {
      if (dt_sdp_media_is_secure (offered))
        {
          g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED,
                       "The other side requires SRTP (%s), which is turned off",
                       offered->proto);
          return NULL;
        }
    }
  else
    {
      crypto = choose_crypto (caps, offered);
      if (crypto == NULL && caps->srtp == DT_SDP_SRTP_REQUIRED)
        {
          g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_REQUIRED,
                               offered->cryptos->len == 0
                               ? "SRTP is required, but the other side does not offer it"
                               : "SRTP is required, but the other side offers no crypto suite "
                                 "Dialtone supports");
          return NULL;
        }
      if (crypto == NULL && dt_sdp_media_is_secure (offered))
        {
          g_set_error_literal (error, DT_SDP_ERROR, DT_SDP_ERROR_SRTP_UNSUPPORTED,
                               "The other side requires SRTP, but offers no crypto suite "
                               "Dialtone supports");
          return NULL;
        }
    }

  for (gsize i = 0; i < caps->n_codecs; i++)
    {
      for (guint j = 0; j < offered->formats->len; j++)
        {
          guint pt = format_pt (g_ptr_array_index (offered->formats, j));
          const char *encoding;
          guint clock_rate;
          guint channels;
          gboolean taken = FALSE;

          if (!dt_sdp_lookup_rtpmap (offered, pt, &encoding, &clock_rate, &channels) ||
              is_telephone_event (encoding) ||
              !codec_matches (&caps->codecs[i], encoding, clock_rate, channels))
            continue;

          for (guint k = 0; k < chosen->len; k++)
            taken = taken || g_array_index (chosen, guint, k) == pt;
          if (taken)
            continue;

          g_array_append_val (chosen, pt);
          break;
        }
    }

  if (chosen->len == 0)
    {
      g_autofree char *theirs = describe_formats (offered);
      g_autofree char *ours = describe_caps (caps);

      g_set_error (error, DT_SDP_ERROR, DT_SDP_ERROR_NOT_ACCEPTABLE,
                   "No codec in common: the other side offers %s; Dialtone supports %s",
                   theirs, ours);
      return NULL;
    }

  n_codecs = chosen->len;

  if (caps->dtmf)
    {
      guint first_event = 0;

      for (guint j = 0; j < offered->formats->len; j++)
        {
          guint pt = format_pt (g_ptr_array_index (offered->formats, j));
          const char *encoding;
          guint clock_rate;

          if (!dt_sdp_lookup_rtpmap (offered, pt, &encoding, &clock_rate, NULL) ||
              !is_telephone_event (encoding))
            continue;

          if (first_event == 0)
            first_event = pt + 1;

          for (guint k = 0; k < n_codecs; k++)
            {
              guint codec_rate = 0;

              dt_sdp_lookup_rtpmap (offered, g_array_index (chosen, guint, k), NULL, &codec_rate,
                                    NULL);
              if (codec_rate == clock_rate)
                {
                  g_array_append_val (chosen, pt);
                  break;
                }
            }
        }

      /* No clock rate matches: take the peer's telephone-event anyway,
       * since phones that offer Opus often offer only telephone-event/8000 */
      if (chosen->len == n_codecs && first_event != 0)
        {
          guint pt = first_event - 1;

          g_array_append_val (chosen, pt);
        }
    }

  offer_direction = effective_direction (offer, offered);
  wish = caps_direction (caps);
  rtcp_mux = offered->rtcp_mux && caps->rtcp_mux;

  answer = new_local_sdp (caps);

  for (guint i = 0; i < offer->media->len; i++)
    {
      const DtSdpMedia *other = g_ptr_array_index (offer->media, i);
      DtSdpMedia *rejected;

      if (i == audio)
        {
          media = dt_sdp_media_new ("audio", caps->port, offered->proto);
          g_ptr_array_add (answer->media, media);
          continue;
        }

      /* RFC 3264 §6: a rejected stream keeps its place, port 0, and at
       * least one format */
      rejected = dt_sdp_media_new (other->media, 0, other->proto);
      if (other->formats->len > 0)
        g_ptr_array_add (rejected->formats, g_strdup (g_ptr_array_index (other->formats, 0)));
      g_ptr_array_add (answer->media, rejected);
    }

  g_assert (media != NULL);

  for (guint k = 0; k < chosen->len; k++)
    {
      guint pt = g_array_index (chosen, guint, k);
      g_autofree char *format = g_strdup_printf ("%u", pt);
      const DtSdpRtpmap *rtpmap = find_rtpmap (offered, pt);
      const char *encoding;
      guint clock_rate;
      guint channels;
      const char *fmtp = NULL;

      dt_sdp_lookup_rtpmap (offered, pt, &encoding, &clock_rate, &channels);
      g_ptr_array_add (media->formats, g_strdup (format));
      /* RFC 3264 §6.1: the offerer's mapping, unchanged */
      dt_sdp_media_add_rtpmap (media, pt, encoding, clock_rate,
                               rtpmap != NULL ? rtpmap->channels : (channels > 1 ? channels : 0));

      if (is_telephone_event (encoding))
        {
          fmtp = dt_sdp_media_get_fmtp (offered, format);
          if (fmtp == NULL)
            fmtp = "0-16";
        }
      else
        {
          for (gsize i = 0; i < caps->n_codecs; i++)
            if (codec_matches (&caps->codecs[i], encoding, clock_rate, channels))
              {
                fmtp = caps->codecs[i].fmtp;
                break;
              }
        }

      if (fmtp != NULL)
        dt_sdp_media_add_fmtp (media, format, fmtp);
    }

  add_local_transport (caps, media, rtcp_mux);

  if (crypto != NULL)
    {
      local_key = make_key (caps, crypto->suite);
      g_ptr_array_add (media->cryptos, dt_sdp_crypto_new (crypto->tag, crypto->suite, local_key));
    }

  /* RFC 3264 §6.1: send only what the offerer receives, and receive only
   * what it sends */
  media->direction = direction_from_flags (direction_receives (offer_direction) &&
                                           direction_sends (wish),
                                           direction_sends (offer_direction) &&
                                           direction_receives (wish));

  negotiated = g_new0 (DtSdpNegotiated, 1);
  negotiated->media_index = audio;
  set_remote_transport (negotiated, offer, offered, rtcp_mux);
  if (!set_codec (negotiated, media, offered, offered))
    g_assert_not_reached ();
  negotiated->direction = media->direction;
  negotiated->remote_hold = dt_sdp_media_is_hold (offer, offered);

  if (crypto != NULL)
    {
      const DtSdpCryptoKey *key = g_ptr_array_index (crypto->keys, 0);

      negotiated->srtp_suite = g_strdup (crypto->suite);
      negotiated->srtp_tag = crypto->tag;
      negotiated->local_key = g_bytes_ref (local_key);
      negotiated->remote_key = g_bytes_ref (key->key_salt);
    }

  if (result != NULL)
    *result = g_steal_pointer (&negotiated);

  return g_steal_pointer (&answer);
}

static gboolean G_GNUC_PRINTF (3, 4)
bad_answer (GError     **error,
            DtSdpError   code,
            const char  *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, DT_SDP_ERROR, code, message);

  return FALSE;
}

static const DtSdpCrypto *
find_crypto (const DtSdpMedia *media,
             guint             tag)
{
  for (guint i = 0; i < media->cryptos->len; i++)
    {
      const DtSdpCrypto *crypto = g_ptr_array_index (media->cryptos, i);

      if (crypto->tag == tag)
        return crypto;
    }

  return NULL;
}

/**
 * dt_sdp_negotiate:
 * @offer: Dialtone's offer
 * @answer: the peer's answer to it
 * @error: return location for a #DtSdpError
 *
 * Checks @answer against @offer (RFC 3264 §6): as many m= lines, of the same
 * media types, the same transport for the audio stream, only payload types
 * that were offered, and a crypto tag and suite from the offer. A refused
 * audio stream is %DT_SDP_ERROR_NOT_ACCEPTABLE; an answer without a key to an
 * `RTP/SAVP` offer is %DT_SDP_ERROR_SRTP_REQUIRED; the rest is
 * %DT_SDP_ERROR_BAD_ANSWER. An answer without a key to a best-effort offer
 * means plain RTP.
 *
 * Returns: (transfer full): what was agreed, or %NULL with @error set
 */
DtSdpNegotiated *
dt_sdp_negotiate (const DtSdp  *offer,
                  const DtSdp  *answer,
                  GError      **error)
{
  g_autoptr(DtSdpNegotiated) negotiated = NULL;
  const DtSdpMedia *ours;
  const DtSdpMedia *theirs;
  int audio;

  g_return_val_if_fail (offer != NULL, NULL);
  g_return_val_if_fail (answer != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (offer->media->len != answer->media->len)
    {
      bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                  "The answer has %u media descriptions for the %u offered",
                  answer->media->len, offer->media->len);
      return NULL;
    }

  for (guint i = 0; i < offer->media->len; i++)
    {
      const DtSdpMedia *x = g_ptr_array_index (offer->media, i);
      const DtSdpMedia *y = g_ptr_array_index (answer->media, i);

      if (!g_str_equal (x->media, y->media))
        {
          bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                      "The answer has %s where %s was offered", y->media, x->media);
          return NULL;
        }
    }

  audio = find_audio (offer);
  if (audio < 0)
    {
      bad_answer (error, DT_SDP_ERROR_NOT_ACCEPTABLE, "The offer has no audio stream");
      return NULL;
    }

  ours = g_ptr_array_index (offer->media, audio);
  theirs = g_ptr_array_index (answer->media, audio);

  if (theirs->port == 0)
    {
      bad_answer (error, DT_SDP_ERROR_NOT_ACCEPTABLE, "The other side refused the audio stream");
      return NULL;
    }

  if (!g_str_equal (ours->proto, theirs->proto))
    {
      bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                  "The answer uses %s for audio, but %s was offered", theirs->proto, ours->proto);
      return NULL;
    }

  if (theirs->formats->len == 0)
    {
      bad_answer (error, DT_SDP_ERROR_BAD_ANSWER, "The answer has no payload type");
      return NULL;
    }

  for (guint i = 0; i < theirs->formats->len; i++)
    {
      const char *format = g_ptr_array_index (theirs->formats, i);
      gboolean offered = FALSE;

      for (guint j = 0; j < ours->formats->len && !offered; j++)
        offered = g_str_equal (format, g_ptr_array_index (ours->formats, j));

      if (!offered)
        {
          bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                      "The answer has payload type %s, which was not offered", format);
          return NULL;
        }
    }

  if (dt_sdp_media_get_connection (answer, theirs) == NULL)
    {
      bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                  "The answer gives no address (c=) for its audio stream");
      return NULL;
    }

  negotiated = g_new0 (DtSdpNegotiated, 1);
  negotiated->media_index = audio;

  if (!set_codec (negotiated, theirs, ours, theirs))
    {
      bad_answer (error, DT_SDP_ERROR_BAD_ANSWER, "The answer has no audio codec");
      return NULL;
    }

  if (theirs->cryptos->len > 0)
    {
      const DtSdpCrypto *answered = g_ptr_array_index (theirs->cryptos, 0);
      const DtSdpCrypto *mine = find_crypto (ours, answered->tag);
      const DtSdpCryptoKey *local;
      const DtSdpCryptoKey *remote;

      if (mine == NULL)
        {
          bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                      "The answer has crypto tag %u, which was not offered", answered->tag);
          return NULL;
        }

      if (!g_str_equal (mine->suite, answered->suite))
        {
          bad_answer (error, DT_SDP_ERROR_BAD_ANSWER,
                      "The answer changes crypto tag %u from %s to %s",
                      answered->tag, mine->suite, answered->suite);
          return NULL;
        }

      local = g_ptr_array_index (mine->keys, 0);
      remote = g_ptr_array_index (answered->keys, 0);
      negotiated->srtp_suite = g_strdup (mine->suite);
      negotiated->srtp_tag = mine->tag;
      negotiated->local_key = g_bytes_ref (local->key_salt);
      negotiated->remote_key = g_bytes_ref (remote->key_salt);
    }
  else if (dt_sdp_media_is_secure (ours))
    {
      bad_answer (error, DT_SDP_ERROR_SRTP_REQUIRED,
                  "SRTP is required, but the answer has no key");
      return NULL;
    }

  set_remote_transport (negotiated, answer, theirs, ours->rtcp_mux && theirs->rtcp_mux);
  negotiated->direction =
    direction_from_flags (direction_sends (dt_sdp_media_get_direction (offer, ours)) &&
                          direction_receives (effective_direction (answer, theirs)),
                          direction_receives (dt_sdp_media_get_direction (offer, ours)) &&
                          direction_sends (effective_direction (answer, theirs)));
  negotiated->remote_hold = dt_sdp_media_is_hold (answer, theirs);

  return g_steal_pointer (&negotiated);
}

/**
 * dt_sdp_create_reoffer:
 * @previous: the last description Dialtone sent in this session, offer or answer
 * @direction: the direction for every active stream
 *
 * RFC 3264 §8: a new offer repeats the previous description with the
 * changes, and raises the `o=` version by one.
 *
 * Returns: (transfer full): the new offer
 */
DtSdp *
dt_sdp_create_reoffer (const DtSdp    *previous,
                       DtSdpDirection  direction)
{
  DtSdp *offer;

  g_return_val_if_fail (previous != NULL, NULL);
  g_return_val_if_fail (direction != DT_SDP_DIRECTION_UNSET, NULL);

  offer = dt_sdp_copy (previous);
  offer->origin_sess_version++;
  offer->direction = DT_SDP_DIRECTION_UNSET;

  for (guint i = 0; i < offer->media->len; i++)
    {
      DtSdpMedia *media = g_ptr_array_index (offer->media, i);

      if (media->port != 0)
        media->direction = direction;
    }

  return offer;
}

/**
 * dt_sdp_create_hold_offer:
 * @previous: the last description Dialtone sent in this session
 *
 * RFC 3264 §8.4: holding is a new offer with `a=sendonly`, or `a=inactive`
 * for a stream that was already recvonly or inactive because the peer holds
 * the call too.
 *
 * Returns: (transfer full): the new offer, its `o=` version raised
 */
DtSdp *
dt_sdp_create_hold_offer (const DtSdp *previous)
{
  DtSdp *offer;

  g_return_val_if_fail (previous != NULL, NULL);

  offer = dt_sdp_copy (previous);
  offer->origin_sess_version++;

  for (guint i = 0; i < offer->media->len; i++)
    {
      DtSdpMedia *media = g_ptr_array_index (offer->media, i);
      DtSdpDirection was = dt_sdp_media_get_direction (previous,
                                                       g_ptr_array_index (previous->media, i));

      if (media->port == 0)
        continue;

      if (was == DT_SDP_DIRECTION_RECVONLY || was == DT_SDP_DIRECTION_INACTIVE)
        media->direction = DT_SDP_DIRECTION_INACTIVE;
      else
        media->direction = DT_SDP_DIRECTION_SENDONLY;
    }

  offer->direction = DT_SDP_DIRECTION_UNSET;

  return offer;
}
