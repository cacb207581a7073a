/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-call-quality.c
 *
 * The E-model estimate against figures worked out by hand from ITU-T G.107
 * and its Cole–Rosenbluth simplification.
 */

#include "config.h"

#include "dt-call-quality.h"

static void
test_mos_curve (void)
{
  /* G.107 Annex B, MOS = 1 + 0.035 R + 7e-6 R (R − 60)(100 − R). */
  g_assert_cmpfloat (dt_call_quality_mos (-5.0), ==, 1.0);
  g_assert_cmpfloat (dt_call_quality_mos (0.0), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (dt_call_quality_mos (50.0), 2.575, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_quality_mos (60.0), 3.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (dt_call_quality_mos (70.0), 3.597, 1e-4);
  g_assert_cmpfloat_with_epsilon (dt_call_quality_mos (80.0), 4.024, 1e-4);
  g_assert_cmpfloat_with_epsilon (dt_call_quality_mos (93.2), 4.4094, 1e-3);
  g_assert_cmpfloat (dt_call_quality_mos (120.0), ==, 4.5);
}

static void
test_r_factor (void)
{
  /* No impairment at all: R0. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_r_factor ("PCMU", FALSE, 0.0, 0.0), 93.2,
                                  1e-9);
  /* 1 % random loss with G.711's Bpl 25.1: Ie,eff = 95 · 1 / 26.1. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_r_factor ("PCMA", FALSE, 1.0, 0.0),
                                  93.2 - 95.0 / 26.1, 1e-9);
  /* 200 ms one way: Id = 0.024 · 200 + 0.11 · 22.7. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_r_factor ("PCMU", FALSE, 0.0, 200.0),
                                  93.2 - 4.8 - 2.497, 1e-9);
  /* Below 177.3 ms only the linear term counts. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_r_factor ("G722", FALSE, 0.0, 100.0),
                                  93.2 - 2.4, 1e-9);
  /* Opus FEC: 10 % loss leaves 1 % of frames unrecovered. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_r_factor ("opus", TRUE, 10.0, 0.0),
                                  dt_call_quality_r_factor ("opus", FALSE, 1.0, 0.0), 1e-9);
  /* Everything lost: R cannot go below zero. */
  g_assert_cmpfloat (dt_call_quality_r_factor ("PCMU", FALSE, 100.0, 1000.0), ==, 0.0);
}

static void
test_estimate (void)
{
  double clean = dt_call_quality_estimate ("opus", TRUE, 0.0, 2.0, 1.0, 60);
  double lossy = dt_call_quality_estimate ("opus", TRUE, 10.0, 2.0, 1.0, 60);
  double lossy_no_fec = dt_call_quality_estimate ("opus", FALSE, 10.0, 2.0, 1.0, 60);
  double far = dt_call_quality_estimate ("opus", TRUE, 0.0, 600.0, 1.0, 60);

  /* d = 1 + 60 + 26.5 + 2 = 89.5 ms: R = 93.2 − 2.148. */
  g_assert_cmpfloat_with_epsilon (clean, dt_call_quality_mos (93.2 - 0.024 * 89.5), 1e-9);
  g_assert_cmpfloat (lossy, <, clean);
  g_assert_cmpfloat (lossy_no_fec, <, lossy);
  g_assert_cmpfloat (far, <, clean);
  /* An unknown round trip (below zero) counts as none. */
  g_assert_cmpfloat_with_epsilon (dt_call_quality_estimate ("PCMU", FALSE, 0.0, -1.0, 0.0, 60),
                                  dt_call_quality_mos (93.2 - 0.024 * 80.0), 1e-9);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/call-quality/mos-curve", test_mos_curve);
  g_test_add_func ("/call-quality/r-factor", test_r_factor);
  g_test_add_func ("/call-quality/estimate", test_estimate);

  return g_test_run ();
}
