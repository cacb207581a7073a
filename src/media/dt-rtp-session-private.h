/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-rtp-session-private.h
 *
 * For tests: the pieces of a running session's pipeline whose settings
 * the session adapts on its own.
 */
#pragma once

#include <gst/gst.h>

#include "dt-rtp-session.h"

G_BEGIN_DECLS

GstElement *_dt_rtp_session_get_encoder (DtRtpSession *self);

G_END_DECLS
