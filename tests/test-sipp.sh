#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/test-sipp.sh HELPER SCENARIO_DIR
#
# Interop: sipp (Debian's sip-tester), a SIP peer nobody here wrote, against
# dialtone-helper serve. Digest registration with the right and the wrong
# password, then 100 calls to the echo extension with none failed. TAP.

set -u

helper=$1
scenarios=$2
work=$(mktemp -d)
helper_pid=

cleanup () {
  if [ -n "$helper_pid" ]; then
    kill "$helper_pid" 2>/dev/null
    wait "$helper_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
ok () {
  n=$((n + 1))
  if [ "$1" -eq 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=1
  fi
}

# How many lines the helper printed for EVENT (and more, as a grep pattern).
events () {
  grep -c "\"event\":\"$1\"${2:+.*$2}" "$work/events" || true
}

echo "1..12"

if ! command -v sipp >/dev/null 2>&1; then
  echo "Bail out! sipp is missing: install sip-tester (tools/install-deps)"
  exit 1
fi

"$helper" serve --sip 0 --user alice:wonderland --user bob:builder \
  </dev/null >"$work/events" 2>"$work/helper.log" &
helper_pid=$!

i=0
until head -n 1 "$work/events" | grep -q '"event":"ready"'; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$helper_pid" 2>/dev/null; then
    echo "Bail out! dialtone-helper never printed its ready line"
    cat "$work/helper.log" >&2
    exit 1
  fi
  sleep 0.1
done
port=$(head -n 1 "$work/events" | sed -e 's/.*"udp":\([0-9]*\).*/\1/')
echo "# helper listens on port $port"

run_sipp () {
  name=$1
  shift
  timeout 50 sipp "127.0.0.1:$port" -i 127.0.0.1 -nostdin -timeout 40 -timeout_error \
    -trace_err -error_file "$work/$name.errors" "$@" >"$work/$name.out" 2>&1
  status=$?
  if [ $status -ne 0 ]; then
    sed -e 's/^/# /' "$work/$name.out" | tail -n 30
    [ -f "$work/$name.errors" ] && sed -e 's/^/# /' "$work/$name.errors" | tail -n 30
  fi
  return $status
}

# 1-2: digest registration (sipp answers the 401 with MD5, its digest uri
# being the remote address rather than the Request-URI).
run_sipp register -sf "$scenarios/register.xml" -s alice -au alice -ap wonderland -m 1
ok $? "sipp registers alice with digest auth (401, then 200), and unregisters"
[ "$(events registered '"user":"alice"')" -eq 1 ] && [ "$(events unregistered '"removed"')" -eq 1 ]
ok $? "the helper printed registered and unregistered for alice"

# 3-4: the wrong password is refused with 403.
run_sipp wrong -sf "$scenarios/register-wrong.xml" -s alice -au alice -ap not-the-password -m 1
ok $? "sipp with the wrong password is refused with 403"
[ "$(events auth-failed '"user":"alice"')" -eq 1 ] && [ "$(events registered)" -eq 1 ]
ok $? "the helper printed auth-failed and no new registration"

# 5-8: 100 calls from sipp's built-in uac to the echo extension.
run_sipp uac -sn uac -s echo -m 100 -r 20 -l 20
ok $? "sipp uac: 100 calls to echo, exit status 0"
successful=$(sed -n -e 's/^ *Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$work/uac.out" | tail -n 1)
failed_calls=$(sed -n -e 's/^ *Failed call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$work/uac.out" | tail -n 1)
echo "# sipp statistics: successful=$successful failed=$failed_calls"
[ "${successful:-0}" -eq 100 ]
ok $? "sipp counts 100 successful calls"
[ -n "$failed_calls" ] && [ "$failed_calls" -eq 0 ]
ok $? "sipp counts 0 failed calls"
[ "$(events call-started '"to":"sip:echo@')" -eq 100 ] && [ "$(events call-ended '"status":200')" -eq 100 ]
ok $? "the helper printed 100 call-started and 100 call-ended lines"

# 9-11: a call between two sipp instances through the helper: bob
# registers from a port where sipp's built-in uas then answers; alice
# answers the helper's 407 with digest.
bob_port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_sipp bob-register -sf "$scenarios/register-stay.xml" -s bob -au bob -ap builder -m 1 \
  -p "$bob_port"
timeout 50 sipp "127.0.0.1:$port" -i 127.0.0.1 -nostdin -timeout 40 -timeout_error \
  -sn uas -p "$bob_port" -m 1 -mp 0 >"$work/callee.out" 2>&1 &
callee_pid=$!
sleep 0.5
run_sipp caller -sf "$scenarios/caller-auth.xml" -s bob -key caller alice \
  -au alice -ap wonderland -m 1
ok $? "sipp calls bob through the helper, answering its 407 with digest"
wait "$callee_pid"
status=$?
[ $status -ne 0 ] && sed -e 's/^/# /' "$work/callee.out" | tail -n 30
ok $status "sipp registered as bob, and sipp's uas on its port rang, answered and got the BYE"
[ "$(events call-started '"from":"sip:alice@')" -eq 1 ] \
  && [ "$(events call-ended '"status":200,"reason":"caller hung up"')" -eq 101 ]
ok $? "the helper printed the routed call's start and end"

# 12: clean shutdown.
kill -TERM "$helper_pid"
wait "$helper_pid"
status=$?
helper_pid=
[ $status -eq 0 ]
ok $? "SIGTERM: the helper exits with status 0"

exit $failed
