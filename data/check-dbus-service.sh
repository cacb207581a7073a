#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# data/check-dbus-service.sh
#
# Checks a D-Bus session service file as dbus-daemon and dbus-broker read it:
# a [D-BUS Service] group, Name equal to the bus name, and Exec running the
# installed program with --gapplication-service. A wrong Exec path is the
# mistake that makes D-Bus activation (click-to-call) fail silently on a
# user's machine, so it is compared exactly.
#
# Usage: check-dbus-service.sh FILE BUS-NAME PROGRAM-PATH

set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 FILE BUS-NAME PROGRAM-PATH" >&2
  exit 2
fi

file=$1
expected_name=$2
expected_exec="$3 --gapplication-service"

if [ ! -r "$file" ]; then
  echo "$file: cannot read the file" >&2
  exit 1
fi

# The bus daemons look the file up by name.
case $(basename "$file") in
  "$expected_name.service") ;;
  *)
    echo "$file: the file must be named $expected_name.service" >&2
    exit 1
    ;;
esac

awk -v file="$file" -v want_name="$expected_name" -v want_exec="$expected_exec" '
  function fail_at(line, msg) { printf "%s:%d: %s\n", file, line, msg > "/dev/stderr"; failed = 1 }
  function fail(msg) { fail_at(NR, msg) }
  function fail_file(msg) { printf "%s: %s\n", file, msg > "/dev/stderr"; failed = 1 }
  /^[ \t]*(#|$)/ { next }
  /^\[.*\][ \t]*$/ {
    group = $0
    sub(/[ \t]*$/, "", group)
    if (group == "[D-BUS Service]") {
      if (seen_group) fail("the [D-BUS Service] group appears twice")
      seen_group = 1
    }
    next
  }
  {
    eq = index($0, "=")
    if (eq == 0) { fail("not a group header, comment or key=value line: " $0); next }
    if (group == "") { fail("key outside any group: " $0); next }
    if (group != "[D-BUS Service]") next
    key = substr($0, 1, eq - 1)
    value = substr($0, eq + 1)
    sub(/[ \t]+$/, "", key)
    sub(/^[ \t]+/, "", value)
    if (key in seen) fail("key " key " appears twice")
    seen[key] = 1
    if (key == "Name") { name = value; name_line = NR }
    else if (key == "Exec") { exec = value; exec_line = NR }
  }
  END {
    if (!seen_group) { fail_file("no [D-BUS Service] group"); exit 1 }
    if (!("Name" in seen)) fail_file("no Name key in [D-BUS Service]")
    else if (name != want_name)
      fail_at(name_line, "Name is \"" name "\", expected \"" want_name "\"")
    if (!("Exec" in seen)) fail_file("no Exec key in [D-BUS Service]")
    else if (exec != want_exec)
      fail_at(exec_line, "Exec is \"" exec "\", expected \"" want_exec "\"")
    exit failed
  }
' "$file"

echo "$file: ok"
