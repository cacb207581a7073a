#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/sip-load.sh [HELPER]
#
# Load benchmark, not a test: sipp's built-in uac places calls at 1000, 2500
# and 5000 calls per second for DURATION seconds each (default 10), first
# against the helper's `answer` extension, then against `sipp -sn uas` in
# the same run, so the figures compare two servers on the same machine and
# load. For each it prints the sustained call rate, failed calls,
# retransmissions, the server's CPU use and peak RSS (from /proc), and the
# helper-to-sipp ratios.
#
# Environment: RATES (default "1000 2500 5000"), DURATION (seconds).

set -u

here=$(cd "$(dirname "$0")" && pwd)
helper=${1:-$here/../build/src/helper/dialtone-helper}
rates=${RATES:-1000 2500 5000}
duration=${DURATION:-10}
work=$(mktemp -d)
server_pid=
ticks=$(getconf CLK_TCK)

cleanup () {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v sipp >/dev/null || { echo "sipp is missing: install sip-tester" >&2; exit 1; }
[ -x "$helper" ] || { echo "no helper at $helper: build it first" >&2; exit 1; }

free_udp_port () {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# utime + stime of a process, in clock ticks.
cpu_ticks () {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

peak_rss_kib () {
  awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

start_helper () {
  "$helper" serve --sip 0 </dev/null >"$work/helper.events" 2>"$work/helper.log" &
  server_pid=$!
  i=0
  until head -n 1 "$work/helper.events" 2>/dev/null | grep -q '"event":"ready"'; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "the helper did not start" >&2; exit 1; }
    sleep 0.1
  done
  port=$(head -n 1 "$work/helper.events" | sed -e 's/.*"udp":\([0-9]*\).*/\1/')
  service=answer
}

start_sipp_uas () {
  port=$(free_udp_port)
  sipp -sn uas -i 127.0.0.1 -p "$port" -nostdin >"$work/uas.out" 2>&1 &
  server_pid=$!
  sleep 0.5
  kill -0 "$server_pid" 2>/dev/null || { echo "sipp uas did not start" >&2; exit 1; }
  service=service
}

stop_server () {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=
}

# One load run: prints "cps failed retrans cpu% rss_kib".
run_load () {
  rate=$1
  calls=$((rate * duration))
  stat="$work/stat-$rate.csv"
  rm -f "$stat"
  before=$(cpu_ticks "$server_pid")
  start=$(date +%s.%N)
  timeout $((duration * 6 + 30)) sipp "127.0.0.1:$port" -sn uac -s "$service" -i 127.0.0.1 \
    -r "$rate" -m "$calls" -l $((rate * 4)) -nostdin -timeout $((duration * 6)) \
    -max_socket 65000 -trace_stat -stf "$stat" -fd 1 >"$work/uac-$rate.out" 2>&1
  end=$(date +%s.%N)
  after=$(cpu_ticks "$server_pid")
  rss=$(peak_rss_kib "$server_pid")
  # The last statistics line: cumulative counters.
  python3 - "$stat" "$before" "$after" "$ticks" "$start" "$end" "$rss" <<'PY'
import csv, sys
path, before, after, ticks, start, end, rss = sys.argv[1:]
rows = list(csv.reader(open(path), delimiter=';'))
head, last = rows[0], rows[-1]
col = lambda name: last[head.index(name)]
elapsed = float(end) - float(start)
ok = int(col('SuccessfulCall(C)'))
print('%.0f %s %s %.0f %s' % (ok / elapsed, col('FailedCall(C)'), col('Retransmissions(C)'),
                             100.0 * (int(after) - int(before)) / int(ticks) / elapsed, rss))
PY
}

printf '%-12s %6s %10s %8s %10s %7s %10s\n' server rate "cps" failed retrans "cpu%" "rss(KiB)"
for server in helper sipp-uas; do
  case $server in
    helper) start_helper ;;
    sipp-uas) start_sipp_uas ;;
  esac
  for rate in $rates; do
    set -- $(run_load "$rate")
    printf '%-12s %6s %10s %8s %10s %7s %10s\n' "$server" "$rate" "$1" "$2" "$3" "$4" "$5"
    echo "$server $rate $*" >>"$work/results"
  done
  stop_server
done

echo
echo "helper / sipp-uas ratios (cps: higher is better; cpu, rss: lower is better)"
awk '
  $1 == "helper" { h[$2] = $0 }
  $1 == "sipp-uas" { s[$2] = $0 }
  END {
    for (rate in h) {
      split(h[rate], a, " "); split(s[rate], b, " ")
      printf "  rate %5s: cps %.2f  cpu %.2f  rss %.2f\n", rate,
        b[3] ? a[3] / b[3] : 0, b[6] ? a[6] / b[6] : 0, b[7] ? a[7] / b[7] : 0
    }
  }' "$work/results" | sort -k2 -n
