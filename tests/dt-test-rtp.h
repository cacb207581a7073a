/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-rtp.h
 *
 * Two RTP endpoints on loopback in one test process, and a UDP relay that
 * can lose packets and keeps what passed through it.
 */
#pragma once

#include "dt-rtp-session.h"
#include "dt-test-audio.h"

G_BEGIN_DECLS

/* audiotestsrc volume=0.3: −10.46 dBFS, quiet enough for every codec. */
#define DT_TEST_TONE_AMPLITUDE 0.3

typedef struct
{
  GSocket       *rtp;
  GSocket       *rtcp;
  DtAudioConfig *audio;
  DtRtpSession  *session;
  char          *wav_path;
} DtTestEndpoint;

typedef struct _DtTestRelay DtTestRelay;

GSocket            *dt_test_udp_socket_new      (void);
GInetSocketAddress *dt_test_socket_address      (GSocket            *socket);

DtTestEndpoint     *dt_test_endpoint_new        (const char         *dir,
                                                 const char         *name,
                                                 guint               tone_hz,
                                                 gboolean            dsp);
void                dt_test_endpoint_free       (DtTestEndpoint     *endpoint);
gboolean            dt_test_endpoint_start      (DtTestEndpoint     *endpoint,
                                                 const DtRtpParams  *params,
                                                 GInetSocketAddress *remote_rtp,
                                                 GInetSocketAddress *remote_rtcp,
                                                 GError            **error);
void                dt_test_endpoints_connect   (DtTestEndpoint     *a,
                                                 DtTestEndpoint     *b,
                                                 const DtRtpParams  *params);
void                dt_test_endpoint_load_wav   (DtTestEndpoint     *endpoint,
                                                 DtTestWav          *wav);
void                dt_test_assert_tone         (const DtTestWav    *wav,
                                                 double              start_s,
                                                 double              end_s,
                                                 double              frequency,
                                                 double              dbfs,
                                                 double              dbfs_tolerance);
void                dt_test_assert_tone_tail    (const DtTestWav    *wav,
                                                 double              frequency,
                                                 double              dbfs);
void                dt_test_assert_silence      (const DtTestWav    *wav,
                                                 double              start_s,
                                                 double              end_s);

DtRtpParams        *dt_test_params_new          (const char         *encoding);
GBytes             *dt_test_srtp_key            (guint8              seed);

void                dt_test_run_for             (guint               ms);
gboolean            dt_test_run_until           (gboolean          (*done) (gpointer),
                                                 gpointer            data,
                                                 guint               timeout_ms);
char               *dt_test_make_dir            (void);
void                dt_test_remove_dir          (char               *dir);

DtTestRelay        *dt_test_relay_new           (GInetSocketAddress *destination,
                                                 double              loss,
                                                 guint32             seed);
GInetSocketAddress *dt_test_relay_get_address   (DtTestRelay        *relay);
GPtrArray          *dt_test_relay_get_packets   (DtTestRelay        *relay);
guint               dt_test_relay_get_dropped   (DtTestRelay        *relay);
void                dt_test_relay_free          (DtTestRelay        *relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtTestEndpoint, dt_test_endpoint_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtTestRelay, dt_test_relay_free)

G_END_DECLS
