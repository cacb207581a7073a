#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/call.sh [BUILD]
#
# Call benchmark, not a test: in one run, Dialtone calls Dialtone and
# baresip calls baresip, both pairs registered with the same
# `dialtone-helper serve` (registrar and B2BUA) on loopback, both with Opus
# at 20 ms and a 440 Hz tone each way, both throwing away what they hear.
# It prints the call setup latency (dial to established on the caller,
# median of CALLS calls), each side's CPU use over WINDOW seconds of call,
# each side's RSS in the call, and the Dialtone / baresip ratios against
# the targets: setup ≤ 1.0×, CPU ≤ 1.5×, RSS ≤ 2×.
#
# How the setup is timed, as alike as the two allow:
# - Dialtone: `dialtone-helper call` reports setup_ms, from the moment it
#   dials (after its REGISTER succeeded) to the call's state becoming
#   active (200 OK in, ACK out, media started). It counts whole
#   milliseconds, cutting the fraction; half a millisecond is added back,
#   the middle of the interval the true value lies in.
# - baresip: the `dial` command goes over ctrl_tcp once baresip has
#   registered; the time runs from just before the command is written to
#   the arrival of baresip's CALL_ESTABLISHED event on the same
#   connection. That adds two loopback TCP hops (tens of microseconds).
# Both pairs start fresh for every call, so no side gains from a warm
# process; the helper in the middle is the same for both.
# Alike since: each side's audio runs before its call counts as
# established (the callee starts its pipeline before it sends its 200 OK,
# the caller before it reports the call active), as baresip's does; and
# `dialtone-helper call` loads the GStreamer plugins of its call before it
# dials, as baresip loads its modules when it starts. What is left in
# Dialtone's figure is building and starting a GStreamer pipeline on each
# side, which baresip's audio does not need.
#
# BUILD is the build folder (default build/). Environment: CALLS (default
# 20), WINDOW (seconds, default 20). Needs baresip (package baresip-core)
# and python3; uses no network beyond loopback.

set -u
[ -n "${TRACE:-}" ] && set -x

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
helper=$build/src/helper/dialtone-helper
calls=${CALLS:-20}
window=${WINDOW:-20}
work=$(mktemp -d)
ticks=$(getconf CLK_TCK)
helper_pid=
pids=

cleanup () {
  for pid in $pids $helper_pid; do
    kill "$pid" 2>/dev/null
  done
  for pid in $pids $helper_pid; do
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v baresip >/dev/null || { echo "baresip is missing: install baresip-core" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 1; }
[ -x "$helper" ] || { echo "no helper at $helper: build it first" >&2; exit 1; }

# A free loopback port: "tcp", or "sip" for one free for both UDP and TCP,
# as baresip listens on both.
free_port () {
  python3 -c 'import socket, sys
while True:
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    port = tcp.getsockname()[1]
    if sys.argv[1] == "tcp":
        break
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", port))
        break
    except OSError:
        pass
print(port)' "$1"
}

# utime + stime of a process, in clock ticks.
cpu_ticks () {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

rss_kib () {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Clock ticks of each thread of PID, by thread name: "ticks name" lines.
thread_ticks () {
  for task in /proc/"$1"/task/*; do
    echo "$(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null || echo 0) $(cat "$task/comm")"
  done
}

# Where the RSS is: "anon+file" in KiB (heap and stacks; mapped libraries).
rss_split () {
  awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } END { print a "+" f }' "/proc/$1/status"
}

# Forget a pid once it has been waited for.
forget () {
  new=
  for pid in $pids; do
    [ "$pid" = "$1" ] || new="$new $pid"
  done
  pids=$new
}

stop () {
  for pid in "$@"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    forget "$pid"
  done
}

# Waits until FILE has at least N lines matching PATTERN.
wait_lines () {
  tries=0
  until [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]; do
    tries=$((tries + 1))
    [ $tries -lt 400 ] || { echo "timed out waiting for $2 in $1" >&2; exit 1; }
    sleep 0.05
  done
}

start_helper () {
  : >"$work/helper.events"
  "$helper" serve --sip 0 --user alice:secret --user bob:bobpass \
    --user carol:carolpass --user dave:davepass </dev/null >"$work/helper.events" \
    2>"$work/helper.log" &
  helper_pid=$!
  wait_lines "$work/helper.events" '"event":"ready"' 1
  port=$(head -n 1 "$work/helper.events" | sed -e 's/.*"udp":\([0-9]*\).*/\1/')
}

registered () {
  grep -c "\"event\":\"registered\",\"user\":\"$1\"" "$work/helper.events"
}

# --- Dialtone ---------------------------------------------------------------

# Starts bob answering, waits for his registration, and leaves his pid in
# $callee.
dialtone_callee () {
  before=$(registered bob)
  "$helper" call --answer --account sip:bob@127.0.0.1 --password bobpass \
    --server "127.0.0.1:$port" --codec opus --tone 440 --duration "$1" \
    </dev/null >"$work/bob.json" 2>"$work/bob.log" &
  callee=$!
  pids="$pids $callee"
  wait_lines "$work/helper.events" "\"event\":\"registered\",\"user\":\"bob\"" $((before + 1))
}

dialtone_caller () {
  "$helper" call "sip:bob@127.0.0.1:$port" --account sip:alice@127.0.0.1 --password secret \
    --server "127.0.0.1:$port" --codec opus --tone 440 --duration "$1" \
    </dev/null >"$work/alice.json" 2>"$work/alice.log" &
  caller=$!
  pids="$pids $caller"
}

json_field () {
  python3 -c 'import json, sys
value = json.load(open(sys.argv[1])).get(sys.argv[2])
print("nan" if value is None else value)' "$1" "$2"
}

dialtone_setup_once () {
  dialtone_callee 5
  dialtone_caller 1
  wait "$caller"
  forget "$caller"
  codec=$(json_field "$work/alice.json" codec)
  [ "$codec" = opus/48000 ] || { echo "Dialtone call failed: $(cat "$work/alice.json")" >&2
                                 cat "$work/alice.log" >&2; exit 1; }
  python3 -c 'import sys; print(float(sys.argv[1]) + 0.5)' \
    "$(json_field "$work/alice.json" setup_ms)"
  wait "$callee"
  forget "$callee"
}

# --- baresip ----------------------------------------------------------------

# A headless baresip in DIR registering as NAME: ausine at 440 Hz (it
# insists on 48 kHz stereo), no player, Opus only at 20 ms, auto-answer,
# ctrl_tcp on CTRL_PORT.
baresip_config () {
  dir=$work/$1
  mkdir -p "$dir"
  cat >"$dir/config" <<EOF
poll_method epoll
sip_listen 127.0.0.1:$(free_port sip)
module_path /usr/lib/baresip/modules
module opus.so
module ausine.so
module_tmp account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:$3
audio_source ausine,440
ausrc_srate 48000
ausrc_channels 2
EOF
  echo "<sip:$1@127.0.0.1:$port>;auth_pass=$2;answermode=auto;regint=600;ptime=20;audio_codecs=opus/48000/2" \
    >"$dir/accounts"
}

start_baresip () {
  before=$(registered "$1")
  baresip -f "$work/$1" </dev/null >"$work/$1.log" 2>&1 &
  last_pid=$!
  pids="$pids $last_pid"
  wait_lines "$work/helper.events" "\"event\":\"registered\",\"user\":\"$1\"" $((before + 1))
}

# Dials URI over ctrl_tcp on PORT and prints the milliseconds until
# CALL_ESTABLISHED; exits 1 if the call closes first.
baresip_dial () {
  python3 - "$1" "$2" <<'PY'
import json, socket, sys, time
port, uri = int(sys.argv[1]), sys.argv[2]
for attempt in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", port))
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("ctrl_tcp did not answer on port %d" % port)
s.settimeout(10)
command = json.dumps({"command": "dial", "params": uri, "token": "bench"}).encode()
frame = str(len(command)).encode() + b":" + command + b","
buffer = b""
start = time.monotonic()
s.sendall(frame)
while True:
    # Netstrings: <length>:<json>,
    while b":" not in buffer:
        buffer += s.recv(65536)
    length, rest = buffer.split(b":", 1)
    while len(rest) < int(length) + 1:
        rest += s.recv(65536)
    message = json.loads(rest[:int(length)])
    buffer = rest[int(length) + 1:]
    if message.get("type") == "CALL_ESTABLISHED":
        print("%.3f" % ((time.monotonic() - start) * 1000.0))
        break
    if message.get("type") == "CALL_CLOSED":
        sys.exit("baresip call closed: %s" % message.get("param"))
PY
}

baresip_pair () {
  carol_ctrl=$(free_port tcp)
  dave_ctrl=$(free_port tcp)
  baresip_config carol carolpass "$carol_ctrl"
  baresip_config dave davepass "$dave_ctrl"
  start_baresip dave
  callee=$last_pid
  start_baresip carol
  caller=$last_pid
}

baresip_setup_once () {
  baresip_pair
  baresip_dial "$carol_ctrl" "sip:dave@127.0.0.1:$port" || { cat "$work/carol.log" >&2; exit 1; }
  stop "$caller" "$callee"
}

# --- measuring --------------------------------------------------------------

median () {
  sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# CPU % of one core for CALLER and CALLEE over WINDOW seconds, then their
# RSS: prints "cpu_caller cpu_callee rss_caller_kib rss_callee_kib
# split_caller split_callee".
measure_call () {
  thread_ticks "$1" >"$work/threads.before"
  a0=$(cpu_ticks "$1")
  b0=$(cpu_ticks "$2")
  t0=$(date +%s.%N)
  sleep "$window"
  a1=$(cpu_ticks "$1")
  b1=$(cpu_ticks "$2")
  t1=$(date +%s.%N)
  thread_ticks "$1" >"$work/threads.after"
  awk -v a="$((a1 - a0))" -v b="$((b1 - b0))" -v t0="$t0" -v t1="$t1" -v hz="$ticks" \
    -v ra="$(rss_kib "$1")" -v rb="$(rss_kib "$2")" -v sa="$(rss_split "$1")" \
    -v sb="$(rss_split "$2")" \
    'BEGIN { printf "%.2f %.2f %d %d %s %s\n", 100 * a / hz / (t1 - t0),
             100 * b / hz / (t1 - t0), ra, rb, sa, sb }'
}

start_helper

echo "Setup latency, $calls calls each way ..." >&2
: >"$work/dialtone.setup"
: >"$work/baresip.setup"
n=0
while [ $n -lt "$calls" ]; do
  dialtone_setup_once >>"$work/dialtone.setup"
  baresip_setup_once >>"$work/baresip.setup"
  n=$((n + 1))
done
dialtone_setup=$(median <"$work/dialtone.setup")
baresip_setup=$(median <"$work/baresip.setup")

echo "A ${window} s call each way ..." >&2
# The first second and a half after the INVITE (set-up, jitter buffers
# filling) is left out of the window.
started=$(grep -c '"event":"call-started"' "$work/helper.events")
dialtone_callee $((window + 10))
dialtone_caller $((window + 3))
wait_lines "$work/helper.events" '"event":"call-started"' $((started + 1))
sleep 1.5
dialtone_usage=$(measure_call "$caller" "$callee")
# Which of the caller's threads spent it: GStreamer names its streaming
# threads after the element whose pad runs them.
awk -v hz="$ticks" -v secs="$window" '
  NR == FNR { before[$2] += $1; next }
  { after[$2] += $1 }
  END { for (name in after) printf "%6.2f %s\n", 100 * (after[name] - before[name]) / hz / secs, name }
' "$work/threads.before" "$work/threads.after" | sort -rn | head -n 6 >"$work/threads"
wait "$caller"
forget "$caller"
wait "$callee"
forget "$callee"
[ "$(json_field "$work/alice.json" result)" = ok ] || { echo "Dialtone's long call failed" >&2
                                                       cat "$work/alice.json" >&2; exit 1; }

baresip_pair
baresip_dial "$carol_ctrl" "sip:dave@127.0.0.1:$port" >/dev/null || exit 1
sleep 1.5
baresip_usage=$(measure_call "$caller" "$callee")
stop "$caller" "$callee"

python3 - "$dialtone_setup" "$baresip_setup" "$dialtone_usage" "$baresip_usage" \
  "$work/dialtone.setup" "$work/baresip.setup" "$work/threads" <<'PY'
import sys
d_setup, b_setup = float(sys.argv[1]), float(sys.argv[2])
d = [float(x) for x in sys.argv[3].split()[:4]]
b = [float(x) for x in sys.argv[4].split()[:4]]
split = lambda usage: ["%.1f anon + %.1f file" % tuple(int(x) / 1024 for x in side.split("+"))
                       for side in usage.split()[4:]]
spread = lambda path: sorted(float(x) for x in open(path))
ds, bs = spread(sys.argv[5]), spread(sys.argv[6])
rows = [
    ("setup (median, ms)", d_setup, b_setup, 1.0),
    ("CPU caller (% core)", d[0], b[0], 1.5),
    ("CPU callee (% core)", d[1], b[1], 1.5),
    ("RSS caller (MiB)", d[2] / 1024, b[2] / 1024, 2.0),
    ("RSS callee (MiB)", d[3] / 1024, b[3] / 1024, 2.0),
]
print("%-22s %10s %10s %8s %8s" % ("", "Dialtone", "baresip", "ratio", "target"))
for name, dv, bv, target in rows:
    ratio = dv / bv if bv else float("inf")
    print("%-22s %10.2f %10.2f %7.2fx %6.1fx  %s" % (name, dv, bv, ratio, target,
                                                 "ok" if ratio <= target else "MISSED"))
print("setup range (ms): Dialtone %.1f-%.1f, baresip %.2f-%.2f" % (ds[0], ds[-1], bs[0], bs[-1]))
for name, usage in (("Dialtone", sys.argv[3]), ("baresip", sys.argv[4])):
    print("RSS (MiB) %-8s caller %s, callee %s" % ((name,) + tuple(split(usage))))
print("Dialtone caller's busiest threads (% core):")
for line in open(sys.argv[7]):
    percent, name = line.split(None, 1)
    print("  %6s  %s" % (percent, name.strip()))
PY
