/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dt-test-keyring.h
 *
 * A real Secret Service for tests.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void dt_test_keyring_start (const char *daemon);
void dt_test_keyring_stop  (void);

G_END_DECLS
