#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tap-wrap.sh NAME PROGRAM [ARGUMENT...]: runs a checker that knows nothing
# of TAP (a validator, a script) as a one-test TAP stream, so that every
# meson test speaks TAP. What the checker prints becomes TAP comments.

set -u

name=$1
shift

output=$("$@" 2>&1)
status=$?

echo "1..1"
if [ -n "$output" ]; then
  printf '%s\n' "$output" | sed 's/^/# /'
fi
if [ $status -eq 0 ]; then
  echo "ok 1 $name"
else
  echo "not ok 1 $name # exit status $status"
fi
exit 0
