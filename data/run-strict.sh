#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# data/run-strict.sh
#
# Runs a validator and fails on any message it prints, not only on errors:
# desktop-file-validate, for one, reports warnings and hints but still
# exits 0.
#
# Usage: run-strict.sh PROGRAM [ARGUMENT...]

set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 PROGRAM [ARGUMENT...]" >&2
  exit 2
fi

messages=$("$@" 2>&1)
status=$?

if [ -n "$messages" ]; then
  printf '%s\n' "$messages" >&2
fi

if [ $status -ne 0 ]; then
  echo "$1 exited with status $status" >&2
  exit 1
fi

if [ -n "$messages" ]; then
  echo "$1 reported problems" >&2
  exit 1
fi

exit 0
