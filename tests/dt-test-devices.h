/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-devices.h
 *
 * A GStreamer device provider that only the tests see: audio devices that
 * GstDeviceMonitor lists and a test can plug in and pull out. A source
 * device plays a tone (or audiotestsrc's default when none is given); a
 * sink device writes a WAV file (or swallows what it gets).
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Registers the provider; the devices of @first_device… (a %NULL-ended
 * list of GstDevice, ownership taken) are there whenever it starts. */
void               dt_test_devices_register     (GstDevice  *first_device,
                                                 ...) G_GNUC_NULL_TERMINATED;
GstDeviceProvider *dt_test_devices_get_provider (void);
GstDevice         *dt_test_device_new           (const char *name,
                                                 const char *device_class,
                                                 guint       tone_hz,
                                                 const char *wav_path,
                                                 gboolean    is_default);
GstElement        *dt_test_device_get_element   (GstDevice  *device);

G_END_DECLS
