#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# valgrind.sh: the exe_wrapper of `meson test --setup valgrind`.
#
# Runs the test program under memcheck. A test that meson starts through
# dbus-run-session gets valgrind inside the session rather than around it,
# so the test program is checked, not the session bus.

set -eu

suppressions=$1
shift

valgrind_args="--tool=memcheck --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite --show-leak-kinds=definite \
  --track-origins=yes --num-callers=30 $suppressions \
  --suppressions=/usr/share/glib-2.0/valgrind/glib.supp"

here=$(cd "$(dirname "$0")" && pwd)

case "$(basename "$1")" in
  dbus-run-session)
    session=$1
    shift
    [ "${1:-}" = "--" ] && shift
    if [ "$(basename "$1")" = test-secrets ]; then
      valgrind_args="$valgrind_args --suppressions=$here/valgrind-libsecret.supp"
    fi
    # shellcheck disable=SC2086
    exec "$session" -- valgrind $valgrind_args "$@"
    ;;
  *)
    # shellcheck disable=SC2086
    exec valgrind $valgrind_args "$@"
    ;;
esac
