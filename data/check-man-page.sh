#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# data/check-man-page.sh
#
# Formats a man page the way man(1) shows it and fails on any warning or
# error from groff and its preprocessors, which man itself only prints.
#
# Usage: check-man-page.sh MAN-PROGRAM PAGE

set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 MAN-PROGRAM PAGE" >&2
  exit 2
fi

man=$1
page=$2

# A fixed width and locale, so the check does not depend on the terminal.
export LC_ALL=C.UTF-8 MANWIDTH=80
unset MANPAGER PAGER MANROFFOPT || true

messages=$("$man" --warnings=all -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null) || {
  printf '%s\n' "$messages" >&2
  echo "$page: man failed" >&2
  exit 1
}

if [ -n "$messages" ]; then
  printf '%s\n' "$messages" >&2
  echo "$page: groff reported problems" >&2
  exit 1
fi

echo "$page: ok"
