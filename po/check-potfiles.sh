#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# check-potfiles.sh TOP: fails when a source file with translatable strings
# is missing from po/POTFILES.in, or POTFILES.in names a file that is gone.

set -eu
cd "$1"

listed=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' po/POTFILES.in | sort)
found=$( (grep -rlE '(^|[^A-Za-z0-9_])(N?C?_)\("' src --include='*.c' || true
          grep -rl 'translatable="yes"' src --include='*.ui' || true
          ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml) | sort -u)

status=0
for f in $found; do
  if ! printf '%s\n' "$listed" | grep -qx "$f"; then
    echo "not ok: $f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done
for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "not ok: po/POTFILES.in lists $f, which does not exist"
    status=1
  fi
done
[ $status -eq 0 ] && echo "ok: po/POTFILES.in lists all $(printf '%s\n' "$found" | wc -l) files"
exit $status
