#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/diagnose.sh [BUILD-DIR]
#
# Diagnostics benchmark, not a test. A coturn on loopback (UDP, TCP, TLS and
# DTLS, IPv4 and IPv6, a throwaway CA) is scored by a full
# `dialtone-helper diagnose` run, ICE checks included, RUNS times (default
# 3): for each run it prints the wall time and the report's own duration,
# then, from the last JSON report, the time of every stage of every URI.
# Beside it, turn-cycle measures the bare cost of one Allocate →
# CreatePermission → Send → Data → Refresh(0) cycle (connect and handshake
# included) per transport against the same coturn, CYCLES times each
# (default 100), so the report's stages can be read against what the
# protocol itself costs on this machine.
#
# Environment: RUNS, CYCLES.

set -u

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
helper=$build/src/helper/dialtone-helper
cycle=$build/bench/turn-cycle
runs=${RUNS:-3}
cycles=${CYCLES:-100}
work=$(mktemp -d)
coturn_pid=

cleanup () {
  if [ -n "$coturn_pid" ]; then
    kill "$coturn_pid" 2>/dev/null
    wait "$coturn_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v turnserver >/dev/null || { echo "turnserver is missing: install coturn" >&2; exit 1; }
[ -x "$helper" ] || { echo "no helper at $helper: build it first" >&2; exit 1; }
[ -x "$cycle" ] || { echo "no turn-cycle at $cycle: build it first" >&2; exit 1; }

free_port () {
  python3 -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p)); break
    except OSError:
        pass
print(p)'
}

now_ms () {
  python3 -c 'import time; print("%.1f" % (time.monotonic() * 1000))'
}

sh "$here/../tests/make-test-certs.sh" "$work/certs" >/dev/null 2>&1 ||
  { echo "could not make the test certificates" >&2; exit 1; }
port=$(free_port)
tls_port=$(free_port)
# A wide relay range: coturn does not reuse a released relay port at once,
# and the cycles below allocate hundreds
min_port=$((20000 + $(python3 -c 'import random; print(random.randrange(30))') * 1000))

# As tests/coturn.c starts it: loopback peers allowed, and relays in the
# family the client came over, since libnice asks for none
turnserver -n --no-cli \
  --listening-ip=127.0.0.1 --listening-ip=::1 --relay-ip=127.0.0.1 --relay-ip=::1 \
  --listening-port="$port" --tls-listening-port="$tls_port" \
  --cert="$work/certs/server.pem" --pkey="$work/certs/server.key" \
  --lt-cred-mech --user=alice:secret --realm=bench.invalid \
  --allow-loopback-peers --allocation-default-address-family=keep --fingerprint \
  --log-file=stdout --simple-log --pidfile="$work/coturn.pid" --userdb="$work/coturn.db" \
  --min-port="$min_port" --max-port=$((min_port + 999)) >"$work/coturn.log" 2>&1 &
coturn_pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 100 ] || { echo "coturn did not start" >&2; cat "$work/coturn.log" >&2; exit 1; }
  sleep 0.1
done
sleep 0.3

uris=""
for host in 127.0.0.1 '[::1]'; do
  uris="$uris --turn turn:$host:$port --turn turn:$host:$port?transport=tcp"
  uris="$uris --turn turns:$host:$tls_port --turn turns:$host:$tls_port?transport=udp"
done

echo "# Full report: 8 URIs (UDP, TCP, TLS, DTLS x IPv4, IPv6), each tried in both families"
printf '%-6s %12s %12s\n' run wall_ms report_ms
r=1
while [ $r -le "$runs" ]; do
  start=$(now_ms)
  # shellcheck disable=SC2086 # the URIs are words
  "$helper" diagnose $uris --username alice --password secret \
    --ca-file "$work/certs/ca.pem" --output "$work/report.json" ||
    { echo "diagnose failed" >&2; exit 1; }
  end=$(now_ms)
  report=$(python3 -c "import json; print(json.load(open('$work/report.json'))['duration_ms'])")
  printf '%-6s %12.1f %12.1f\n' "$r" "$(echo "$end - $start" | bc)" "$report"
  r=$((r + 1))
done

echo
echo "# Stages of the last report, ms (- when not run); grades and whether calls can use it"
python3 - "$work/report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
stages = ["resolve", "connect", "handshake", "binding", "allocate", "permission", "greeting",
          "ice"]
print("%-40s %-5s" % ("uri", "fam") + "".join("%11s" % s for s in stages) +
      "  %-9s %s" % ("grade", "calls"))
for e in report["uris"]:
    if not e["tested"]:
        continue
    cells = []
    for s in stages:
        ms = e["stages"][s]["ms"]
        cells.append("%11s" % ("-" if ms is None else "%.1f" % ms))
    print("%-40s %-5s" % (e["uri"], e["family"]) + "".join(cells) +
          "  %-9s %s" % (e["grade"], e["usable_by_calls"]))
for name, f in report["families"].items():
    print("%s: %s (calls: %s)" % (name, f["grade"], f["calls"]))
EOF

echo
echo "# Bare TURN cycle per transport (turn-cycle, $cycles cycles each, connect included)"
for uri in "turn:127.0.0.1:$port" "turn:127.0.0.1:$port?transport=tcp" \
           "turns:127.0.0.1:$tls_port" "turns:127.0.0.1:$tls_port?transport=udp" \
           "turn:[::1]:$port" "turn:[::1]:$port?transport=tcp" \
           "turns:[::1]:$tls_port" "turns:[::1]:$tls_port?transport=udp"; do
  "$cycle" "$uri" alice secret "$cycles" "$work/certs/ca.pem" || exit 1
done
