#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/startup.sh [BUILD]
#
# Start-up benchmark, not a test: in one run, Dialtone and GNOME Calls
# (Debian's gnome-calls) are each started RUNS times (default 5),
# interleaved and taking turns to go first, and for each it prints the
# time to the first window and the RSS 5 s after launch: every start, the
# median and range, and the Dialtone / GNOME Calls ratios against the
# target of 0.70 on both. It does so twice: first starts, with an empty
# home, then second starts, each program with a copy of the home its own
# first start left (GStreamer's registry, the history database, dconf's
# file), as every start after the first finds it.
#
# Every start is alike for both programs:
# - a fresh Xvfb (xvfb-run -a, 1280x1024x24, no window manager) and a
#   private session bus (dbus-run-session, the standard session services
#   activatable) per start, and no system bus (DBUS_SYSTEM_BUS_ADDRESS
#   names no socket), so GNOME Calls finds no ModemManager on any machine;
#   it shows its window regardless;
# - HOME and every XDG_* folder emptied or restored before each start, at
#   the same path each time (GStreamer's registry records HOME and would
#   be rebuilt for a new one); no account or call configured, so Dialtone
#   shows its welcome page and GNOME Calls an empty Recent;
# - the same environment otherwise: LANG=C.UTF-8, GDK_BACKEND=x11,
#   GSK_RENDERER=cairo (GTK 4; Debian's GNOME Calls 44 is GTK 3 and
#   draws with cairo anyway), the accessibility bridge off in both
#   (NO_AT_BRIDGE=1, GTK_A11Y=none), GSETTINGS_SCHEMA_DIR at the build
#   tree (Dialtone runs uninstalled; GNOME Calls finds its schema in the
#   system directory after it), GSettings' default (dconf) backend.
#
# How it is measured: build/bench/startup-probe selects SubstructureNotify
# on the root window, forks, execs the program, and stops the clock at the
# first MapNotify of a top-level window whose _NET_WM_PID is the
# program's; AFTER s after the fork it reads VmRSS from /proc/PID/status.
# It also reports the program's descendants (none so far for either) and
# the services it had activated on its session bus (dconf-service for
# GNOME Calls), which run outside it; their RSS is listed apart, not
# added in. The first start's windows are saved as images in OUT, with
# each program's log.
#
# Both toolkits set up OpenGL on X11 to choose their windows' visual,
# which under Xvfb loads Mesa's llvmpipe (libLLVM) into both, about half
# of each RSS. NO_GL=1 turns that off in both (GDK_DEBUG=gl-disable for
# GTK 4, GDK_GL=disable for GTK 3) to see the rest.
#
# BUILD is the build folder (default build/). Environment: RUNS (default
# 5), AFTER (seconds before the RSS is read, default 5), OUT (default
# BUILD/artifacts/startup), NO_GL. Installs gnome-calls, xvfb, xauth and dbus
# when they are missing (as root, or through sudo), and needs python3.

set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
probe=$build/bench/startup-probe
dialtone=$build/src/app/dialtone
runs=${RUNS:-5}
after=${AFTER:-5}
out=${OUT:-$build/artifacts/startup}
work=$(mktemp -d)

cleanup () {
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

missing=
for pkg in gnome-calls xvfb xauth dbus; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "Installing:$missing" >&2
  if [ "$(id -u)" -eq 0 ]; then
    sudo=
  elif command -v sudo >/dev/null 2>&1; then
    sudo=sudo
  else
    echo "missing, and no sudo to install them:$missing" >&2
    exit 1
  fi
  $sudo apt-get update >&2 || exit 1
  # shellcheck disable=SC2086 # the packages are words
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing >&2 ||
    exit 1
fi
command -v python3 >/dev/null || { echo "python3 is missing" >&2; exit 1; }
[ -x "$dialtone" ] || { echo "no Dialtone at $dialtone: build it first" >&2; exit 1; }
[ -x "$probe" ] || { echo "no startup-probe at $probe: build it first" >&2; exit 1; }
calls=$(command -v gnome-calls)
mkdir -p "$out"

# One start of PROGRAM (NAME) under its own display, bus and home;
# appends the probe's line to NAME.KIND.runs. The home is always at the
# same path, so caches that record it (GStreamer's registry does) stay
# valid from one start to the next: KIND "first" starts with it empty,
# "second" with a copy of what NAME's first start left in it. SHOT: a file
# for the window.
start_once () {
  name=$1
  program=$2
  kind=$3
  shot=$4
  home=$work/home
  rm -rf "$home" "$work/runtime"
  if [ "$kind" = second ]; then
    cp -a "$work/seed.$name" "$home"
  else
    mkdir -p "$home/.config" "$home/.local/share" "$home/.local/state" "$home/.cache"
  fi
  mkdir -m 700 "$work/runtime"
  set --
  [ -n "$shot" ] && set -- --screenshot "$shot"
  line=$(env -i PATH="$PATH" LANG=C.UTF-8 HOME="$home" \
      XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
      XDG_STATE_HOME="$home/.local/state" XDG_CACHE_HOME="$home/.cache" \
      XDG_RUNTIME_DIR="$work/runtime" DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/no-system-bus" \
      GSETTINGS_SCHEMA_DIR="$build/data" \
      GDK_BACKEND=x11 GSK_RENDERER=cairo NO_AT_BRIDGE=1 GTK_A11Y=none \
    ${NO_GL:+GDK_DEBUG=gl-disable GDK_GL=disable} \
    xvfb-run -a -s '-screen 0 1280x1024x24 -nolisten tcp' \
    dbus-run-session -- "$probe" "$after" "$@" "$program" 2>"$work/$name.$kind.$n.log" </dev/null)
  [ -n "$line" ] || line="map_ms=nan rss_kib=nan"
  echo "$line" >>"$work/$name.$kind.runs"
  printf '  %-11s %-6s start %d: %s\n' "$name" "$kind" "$n" "$line" >&2
  if [ "$kind" = first ] && [ ! -d "$work/seed.$name" ]; then
    cp -a "$home" "$work/seed.$name"
  fi
}

# RUNS rounds of KIND; each program goes first every other round, so
# neither always finds the page cache the other warmed.
rounds () {
  kind=$1
  : >"$work/dialtone.$kind.runs"
  : >"$work/gnome-calls.$kind.runs"
  n=1
  while [ "$n" -le "$runs" ]; do
    d_shot=
    c_shot=
    if [ "$n" -eq 1 ] && [ "$kind" = first ]; then
      d_shot=$work/dialtone.ppm
      c_shot=$work/gnome-calls.ppm
    fi
    if [ $((n % 2)) -eq 1 ]; then
      start_once dialtone "$dialtone" "$kind" "$d_shot"
      start_once gnome-calls "$calls" "$kind" "$c_shot"
    else
      start_once gnome-calls "$calls" "$kind" "$c_shot"
      start_once dialtone "$dialtone" "$kind" "$d_shot"
    fi
    n=$((n + 1))
  done
}

echo "First starts (empty home), $runs each, interleaved; RSS at ${after} s ..." >&2
rounds first
echo "Second starts (the home each one's first start left), $runs each ..." >&2
rounds second

for name in dialtone gnome-calls; do
  if [ -f "$work/$name.ppm" ]; then
    if command -v convert >/dev/null; then
      convert "$work/$name.ppm" "$out/$name.png"
    else
      cp "$work/$name.ppm" "$out/$name.ppm"
    fi
  fi
  cp "$work/$name.first.1.log" "$out/$name.log" 2>/dev/null
done

python3 - "$work" "$out" "$after" "${NO_GL:+off}" <<'PY'
import math, statistics, sys

work, out, after, gl = sys.argv[1:5]
print("Xvfb 1280x1024x24, no window manager, a private session bus, no system bus;")
print("GSK_RENDERER=cairo; OpenGL %s in both toolkits" % (
    "off (NO_GL)" if gl == "off" else "on (Mesa llvmpipe under Xvfb)"))
print()

def load(name, kind):
    runs = []
    for line in open("%s/%s.%s.runs" % (work, name, kind)):
        run = {}
        for field in line.split():
            key, _, value = field.partition("=")
            run[key] = value
        runs.append(run)
    return runs

def numbers(runs, key, scale=1.0):
    values = []
    for run in runs:
        try:
            values.append(float(run.get(key, "nan")) * scale)
        except ValueError:
            values.append(math.nan)
    return values

# median, min, max, and how many starts gave no figure
def summary(values):
    good = [v for v in values if not math.isnan(v)]
    if not good:
        return math.nan, math.nan, math.nan, len(values)
    return statistics.median(good), min(good), max(good), len(values) - len(good)

def cell(s):
    text = "%.1f (%.1f-%.1f)" % s[:3]
    return text + (", %d none" % s[3] if s[3] else "")

for kind, heading in (("first", "First start: an empty home"),
                      ("second", "Second start: the home the program's first start left")):
    d_runs, c_runs = load("dialtone", kind), load("gnome-calls", kind)
    print("%s, %d starts each" % (heading, len(d_runs)))
    print("  %-20s %24s %24s %7s %7s" % ("median (min-max)", "Dialtone", "GNOME Calls", "ratio",
                                          "target"))
    for label, key, scale in (("first window (ms)", "map_ms", 1.0),
                              ("RSS at %s s (MiB)" % after, "rss_kib", 1 / 1024)):
        d = summary(numbers(d_runs, key, scale))
        c = summary(numbers(c_runs, key, scale))
        ratio = d[0] / c[0] if c[0] else math.nan
        print("  %-20s %24s %24s %6.2fx %6.2fx  %s" % (label, cell(d), cell(c), ratio, 0.70,
                                                     "PASS" if ratio <= 0.70 else "MISS"))
    for label, key, scale in (("  RSS anonymous", "anon_kib", 1 / 1024),
                              ("  RSS file-backed", "file_kib", 1 / 1024),
                              ("threads", "threads", 1), ("shared objects", "libs", 1),
                              ("descendants' RSS", "children_rss_kib", 1 / 1024),
                              ("bus services' RSS", "bus_rss_kib", 1 / 1024)):
        print("  %-20s %24.1f %24.1f" % (label, summary(numbers(d_runs, key, scale))[0],
                                         summary(numbers(c_runs, key, scale))[0]))
    for name, runs in (("Dialtone", d_runs), ("GNOME Calls", c_runs)):
        services = sorted({s.split(":")[0] for r in runs
                           for s in r.get("bus", "-").split(",")} - {"-"})
        print("  %s: descendants %s; started on its bus: %s" % (
            name, "/".join(sorted({r.get("children", "?") for r in runs})),
            ", ".join(services) or "nothing"))
    print()

d_title = load("dialtone", "first")[0].get("title", "?")
c_title = load("gnome-calls", "first")[0].get("title", "?")
print("With nothing configured each shows its first-run page: Dialtone (window \"%s\") its"
      % d_title)
print("welcome page, Try a Test Call or Add an Account; GNOME Calls (window \"%s\") Recent,"
      % c_title)
print("\"No Recent Calls\", under \"Can't place calls: No modem or VoIP account available\".")
print("The first start's windows and logs are in %s." % out)
PY
