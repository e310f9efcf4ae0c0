#!/bin/bash
# Compares minirt with crun and runc on this machine: container `run`,
# create/start/delete, `exec`, peak RSS, binary size and two tight-limit
# checks, `run` and `exec` of a podman-like container, parallel `run` loops
# and the cost growth of mounts, containers, env entries and processes
# (bench/load.sh). The method is described in docs/benchmarks.md.
#
#   bench/bench.sh [-n N] [--smoke] [--runtimes "minirt crun runc"]
#                  [--minirt PATH] [--out FILE] [--chart FILE | --no-chart]
#                  [--no-install] [--trace DIR] [--no-load]
#
# --no-load leaves out the parallel and cost-growth parts. With a chart,
# bench/plot.sh also draws the load plots next to FILE
# (benchmarks-parallel.svg, benchmarks-cost.svg).
#
# --trace DIR also runs one container per runtime under `strace -f -c` and
# `strace -f -tt` and writes DIR/<runtime>.{count,trace,summary}.
# BENCH_TIMEOUT (seconds, default 30) bounds every runtime call.
#
# Must run as root. Every runtime is measured inside the same private mount
# namespace (see `inner` below), calls are interleaved A B C A B C … with the
# order rotated each round, so machine noise and cache effects hit all alike.
# --smoke runs N=3, draws no chart and never judges a time: it only fails
# when a runtime could not do what was asked (or minirt did not build). Its
# load part is tiny: parallel 1 and 4 for 1 s each, sizes 1 and 10.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# shellcheck source=bench/load.sh
. "$here/load.sh"
# shellcheck source=bench/podman-config.sh
. "$here/podman-config.sh"

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
  exit "${1:-0}"
}

# ---------------------------------------------------------------------------
# Inner part: runs inside `unshare -m --propagation private`, does all the
# container work and writes raw samples (microseconds, KiB) into $BENCH_TMP/data.
# ---------------------------------------------------------------------------

# Set by inner(): runtime -> binary, runtime -> state root.
declare -A BIN ROOT

# Writes the bundle for one container: the shared template with its id.
bundle_for() { # rt kind id -> prints bundle dir
  local dir=$BENCH_TMP/bundles/$1-$2 tmpl
  mkdir -p "$dir"
  tmpl=$(<"$BENCH_TMP/config.$2.json")
  printf '%s\n' "${tmpl//@ID@/$1-$3}" >"$dir/config.json"
  printf '%s' "$dir"
}

# The last error line of the last command, without runc's logrus framing.
last_error() {
  local line
  line=$(grep -v '^\s*$' "$BENCH_TMP/last.err" | tail -n 1 |
    sed -e 's/^time="[^"]*" level=[a-z]* msg="\(.*\)"$/\1/' | cut -c1-"${1:-160}")
  if [ -n "$line" ]; then
    printf '%s' "$line"
  elif [ "${RC:-0}" = 137 ]; then
    printf 'no answer within %ss (killed)' "$BENCH_TIMEOUT"
  else
    printf 'exit status %s, no message' "${RC:-?}"
  fi
}

# A failed call is counted and the series goes on: one flaky call should not
# cost the whole row. After max(3, N/10) failures the runtime is given up.
failed() { # rt what
  local msg n
  # Ids differ per call; without them equal errors group in the report.
  msg=$(printf '%s: %s' "$2" "$(last_error)" | sed -E "s/$1-[a-z]+[0-9]+/<id>/g")
  printf '%s\n' "$msg" >>"$BENCH_TMP/data/$1.failures"
  n=$(wc -l <"$BENCH_TMP/data/$1.failures")
  [ "$n" -le 5 ] && echo "bench: $1 failed at $msg" >&2
  if [ "$n" -ge $((BENCH_N / 10 > 3 ? BENCH_N / 10 : 3)) ]; then
    give_up "$1" "gave up after $n failed calls"
  fi
  return 0
}

give_up() { # rt why
  [ -e "$BENCH_TMP/data/$1.broken" ] && return 0
  printf '%s\n' "$2" >"$BENCH_TMP/data/$1.broken"
  echo "bench: $1: $2" >&2
}

broken() { [ -e "$BENCH_TMP/data/$1.broken" ]; }

# Runs one runtime command with stdio away from us and stores its wall time
# in microseconds into $US. The container's stdio is a file, never a pipe we
# read: a detached container holding a pipe would hang $(...).
timed() { # rt args...
  local rt=$1 t0 t1 rc=0
  shift
  t0=$EPOCHREALTIME
  "${BIN[$rt]}" --root "${ROOT[$rt]}" "$@" </dev/null >/dev/null 2>"$BENCH_TMP/last.err" || rc=$?
  t1=$EPOCHREALTIME
  US=$((${t1/./} - ${t0/./}))
  RC=$rc
  return $rc
}

rtcmd() { # rt args... (untimed)
  local rt=$1
  shift
  RC=0
  "${BIN[$rt]}" --root "${ROOT[$rt]}" "$@" </dev/null 2>"$BENCH_TMP/last.err" || RC=$?
  return $RC
}

# A started /bin/true container must reach `stopped` before a plain delete.
wait_stopped() { # rt id
  local i
  for ((i = 0; i < 400; i++)); do
    rtcmd "$1" state "$2" 2>/dev/null | grep -Eq '"status": *"stopped"' && return 0
    sleep 0.005
  done
  echo "container $2 did not stop within 2 s" >"$BENCH_TMP/last.err"
  return 1
}

# The order of the runtimes for round $1: rotated so none is always first.
order() { # round [runtimes]
  local -a rts
  read -ra rts <<<"${2:-$BENCH_RUNTIMES}"
  local n=${#rts[@]} k
  for ((k = 0; k < n; k++)); do
    printf '%s ' "${rts[$(((k + $1) % n))]}"
  done
}

phase_run() { # [kind metric id-tag [runtimes]]
  local kind=${1:-true} metric=${2:-run} tag=${3:-r} who=${4:-$BENCH_RUNTIMES} i rt b
  for ((i = 1; i <= BENCH_N; i++)); do
    for rt in $(order "$i" "$who"); do
      broken "$rt" && continue
      b=$(bundle_for "$rt" "$kind" "$tag$i")
      if timed "$rt" run --bundle "$b" "$rt-$tag$i"; then
        echo "$US" >>"$BENCH_TMP/data/$rt.$metric"
      else
        failed "$rt" "$metric"
        rtcmd "$rt" delete --force "$rt-$tag$i" >/dev/null 2>&1 || true
      fi
    done
  done
}

lifecycle_once() { # rt i
  local rt=$1 id=$1-l$2 b
  b=$(bundle_for "$rt" true "l$2")
  timed "$rt" create --bundle "$b" "$id" || { failed "$rt" create; return 1; }
  echo "$US" >>"$BENCH_TMP/data/$rt.create"
  timed "$rt" start "$id" || { failed "$rt" start; return 1; }
  echo "$US" >>"$BENCH_TMP/data/$rt.start"
  wait_stopped "$rt" "$id" || { failed "$rt" "wait for stopped"; return 1; }
  timed "$rt" delete "$id" || { failed "$rt" delete; return 1; }
  echo "$US" >>"$BENCH_TMP/data/$rt.delete"
}

phase_lifecycle() {
  local i rt
  for ((i = 1; i <= BENCH_N; i++)); do
    for rt in $(order "$i"); do
      broken "$rt" && continue
      lifecycle_once "$rt" "$i" ||
        rtcmd "$rt" delete --force "$rt-l$i" >/dev/null 2>&1 || true
    done
  done
}

phase_exec() { # [kind metric id]
  local kind=${1:-sleep} metric=${2:-exec} x=${3:-x} i rt b
  for rt in $BENCH_RUNTIMES; do
    broken "$rt" && continue
    b=$(bundle_for "$rt" "$kind" "$x")
    if ! rtcmd "$rt" create --bundle "$b" "$rt-$x" >/dev/null ||
      ! rtcmd "$rt" start "$rt-$x" >/dev/null; then
      failed "$rt" "create+start of the $metric target"
      give_up "$rt" "no container to exec into"
    fi
  done
  for ((i = 1; i <= BENCH_N; i++)); do
    for rt in $(order "$i"); do
      broken "$rt" && continue
      if timed "$rt" exec "$rt-$x" /bin/true; then
        echo "$US" >>"$BENCH_TMP/data/$rt.$metric"
      else
        failed "$rt" "$metric"
      fi
    done
  done
  for rt in $BENCH_RUNTIMES; do
    rtcmd "$rt" delete --force "$rt-$x" >/dev/null 2>&1 || true
  done
}

# Peak RSS as wait4() reports it to /usr/bin/time: the largest resident set
# among the runtime process and the descendants it waited for.
rss_timed() { # rt metric args...
  local rt=$1 metric=$2
  shift 2
  if /usr/bin/time -f %M -o "$BENCH_TMP/rss.out" "${BIN[$rt]}" --root "${ROOT[$rt]}" \
    "$@" </dev/null >/dev/null 2>"$BENCH_TMP/last.err" || { RC=$?; false; }; then
    tail -n 1 "$BENCH_TMP/rss.out" >>"$BENCH_TMP/data/$rt.$metric"
  else
    failed "$rt" "$metric under /usr/bin/time"
  fi
}

phase_rss() { # kind metric id-tag
  local i rt b rounds=$((BENCH_N < 9 ? BENCH_N : 9))
  for ((i = 1; i <= rounds; i++)); do
    for rt in $(order "$i"); do
      broken "$rt" && continue
      b=$(bundle_for "$rt" "$1" "$3$i")
      rss_timed "$rt" "$2" run --bundle "$b" "$rt-$3$i"
    done
  done
}

# Peak RSS of `exec /bin/true` into a running container of the given kind.
phase_rss_exec() { # kind metric id
  local i rt b rounds=$((BENCH_N < 9 ? BENCH_N : 9))
  for rt in $BENCH_RUNTIMES; do
    broken "$rt" && continue
    b=$(bundle_for "$rt" "$1" "$3")
    if ! rtcmd "$rt" create --bundle "$b" "$rt-$3" >/dev/null ||
      ! rtcmd "$rt" start "$rt-$3" >/dev/null; then
      failed "$rt" "create+start of the $2 target"
    fi
  done
  for ((i = 1; i <= rounds; i++)); do
    for rt in $(order "$i"); do
      broken "$rt" && continue
      rss_timed "$rt" "$2" exec "$rt-$3" /bin/true
    done
  done
  for rt in $BENCH_RUNTIMES; do
    rtcmd "$rt" delete --force "$rt-$3" >/dev/null 2>&1 || true
  done
}

# Tight limits are reported, not asserted: ok, or the runtime's last error line.
phase_limits() {
  local rt kind b
  for kind in mem pids; do
    for rt in $BENCH_RUNTIMES; do
      b=$(bundle_for "$rt" "$kind" "$kind")
      if rtcmd "$rt" run --bundle "$b" "$rt-$kind" >/dev/null; then
        echo ok >"$BENCH_TMP/data/$rt.limit-$kind"
      else
        printf 'failed: %s\n' "$(last_error 400 | sed 's/|/\\|/g')" >"$BENCH_TMP/data/$rt.limit-$kind"
        rtcmd "$rt" delete --force "$rt-$kind" >/dev/null 2>&1 || true
      fi
    done
  done
}

# One run per runtime under strace, for the "Where the time goes" notes:
# a syscall table (-c) and a timestamped trace (-tt) into $BENCH_TRACE.
phase_trace() {
  local rt b
  for rt in $BENCH_RUNTIMES; do
    broken "$rt" && continue
    b=$(bundle_for "$rt" true t1)
    strace -f -c -o "$BENCH_TRACE/$rt.count" "${BIN[$rt]}" --root "${ROOT[$rt]}" \
      run --bundle "$b" "$rt-t1" </dev/null >/dev/null 2>&1 || true
    b=$(bundle_for "$rt" true t2)
    strace -f -tt -s 96 -o "$BENCH_TRACE/$rt.trace" "${BIN[$rt]}" --root "${ROOT[$rt]}" \
      run --bundle "$b" "$rt-t2" </dev/null >/dev/null 2>&1 || true
  done
}

# A hung runtime must not hang the benchmark, but a `timeout` wrapper would
# add a fork+exec (about 1 ms) to every sample. Instead one background loop
# kills any child of this shell older than $BENCH_TIMEOUT seconds, and any
# child of a parallel-load loop (their pids are in $BENCH_TMP/workers; the
# loops themselves end at their deadline); the timed path is untouched.
start_watchdog() {
  local me=$$
  : >"$BENCH_TMP/workers"
  (
    wd=$BASHPID
    while kill -0 "$me" 2>/dev/null; do
      parents=" $me $(tr '\n' ' ' <"$BENCH_TMP/workers" 2>/dev/null) "
      ps -e -o pid=,ppid=,etimes= | while read -r pid ppid age; do
        [ "$pid" = "$wd" ] && continue
        case $parents in *" $ppid "*) ;; *) continue ;; esac
        case $parents in *" $pid "*) continue ;; esac
        # A process in the middle of fork can show a start time after
        # "now", which ps prints as a wrapped negative age (~4e9 s).
        if [ "$age" -gt "$BENCH_TIMEOUT" ] && [ "$age" -lt 2147483648 ]; then
          echo "bench: pid $pid (child of $ppid) ran ${age}s, longer than ${BENCH_TIMEOUT}s; killing it" >&2
          kill -KILL "$pid" 2>/dev/null || true
        fi
      done
      sleep 2
    done
  ) &
  WATCHDOG=$!
}

inner() {
  trap 'exit 130' INT TERM
  start_watchdog
  trap 'kill "$WATCHDOG" 2>/dev/null || true' EXIT
  # crun 1.8 refuses the v1 "hybrid" layout; hiding the hugetlb-only v2
  # mount in this namespace makes the host plain v1 for every runtime alike.
  if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
    umount /sys/fs/cgroup/unified
  fi
  local kv rt
  for kv in $BENCH_BINS; do
    BIN[${kv%%=*}]=${kv#*=}
    ROOT[${kv%%=*}]=$BENCH_TMP/roots/root-${kv%%=*}
  done
  mkdir -p "$BENCH_TMP/data"
  # The floor program (bench/floor.c) takes what a runtime would read from
  # the bundle and the host from its environment, found here once, untimed.
  local floor_rts=$BENCH_RUNTIMES
  if [ -x "$BENCH_TMP/floor" ]; then
    BIN[floor]=$BENCH_TMP/floor
    ROOT[floor]=$BENCH_TMP/roots/root-floor
    export FLOOR_ROOTFS=$BENCH_TMP/rootfs FLOOR_CGROUP=$BENCH_CGPARENT FLOOR_HIER
    if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
      FLOOR_HIER=/sys/fs/cgroup
    else
      FLOOR_HIER=$(awk '$3 == "cgroup" { printf "%s ", $2 }' /proc/self/mounts)
    fi
    floor_rts="$BENCH_RUNTIMES floor"
  fi
  # Warm-up: page cache, dentries, first-use cgroup creation.
  for rt in $BENCH_RUNTIMES; do
    for kv in 1 2 3; do
      timed "$rt" run --bundle "$(bundle_for "$rt" true "w$kv")" "$rt-w$kv" ||
        failed "$rt" "warm-up run"
    done
    timed "$rt" run --bundle "$(bundle_for "$rt" podman-true pw)" "$rt-pw" ||
      failed "$rt" "podman-like warm-up run"
  done
  if [ -n "${BIN[floor]:-}" ]; then
    for kv in 1 2 3; do
      timed floor run --bundle "$(bundle_for floor true "w$kv")" "floor-w$kv" ||
        failed floor "warm-up run"
    done
  fi
  echo "bench: run x $BENCH_N${BIN[floor]:+ (with the floor program)}" >&2
  phase_run true run r "$floor_rts"
  echo "bench: create/start/delete x $BENCH_N" >&2
  phase_lifecycle
  echo "bench: exec x $BENCH_N" >&2
  phase_exec
  echo "bench: podman-like run and exec x $BENCH_N" >&2
  phase_run podman-true podman-run pr
  phase_exec podman-sleep podman-exec px
  phase_run podman-noseccomp-true podman-run-noseccomp pn
  phase_exec podman-noseccomp-sleep podman-exec-noseccomp pnx
  echo "bench: peak RSS, tight limits" >&2
  phase_rss true rss m
  phase_rss_exec sleep rss-exec mx
  phase_rss podman-true rss-podman pm
  phase_rss_exec podman-sleep rss-podman-exec pmx
  phase_limits
  if [ -n "${BENCH_TRACE:-}" ]; then
    echo "bench: strace" >&2
    phase_trace
  fi
  load_phases
}

if [ "${1:-}" = --inner ]; then
  inner
  exit 0
fi

# ---------------------------------------------------------------------------
# Outer part: options, packages, build, bundle, cleanup, statistics, report.
# ---------------------------------------------------------------------------

N=200
smoke=0
runtimes="minirt crun runc"
minirt_bin=""
out=$top/build-bench/bench-results.md
chart=$top/docs/benchmarks.svg
install=1
trace=""
load=1
while [ $# -gt 0 ]; do
  case $1 in
  -n) N=$2; shift ;;
  --smoke) smoke=1; N=3; chart="" ;;
  --runtimes) runtimes=$2; shift ;;
  --minirt) minirt_bin=$2; shift ;;
  --out) out=$2; shift ;;
  --chart) chart=$2; shift ;;
  --no-chart) chart="" ;;
  --no-install) install=0 ;;
  --trace) trace=$2; shift ;;
  --no-load) load=0 ;;
  -h | --help) usage 0 ;;
  *) echo "bench: unknown argument \`$1'" >&2; usage 2 ;;
  esac
  shift
done
case $N in '' | *[!0-9]* | 0) echo "bench: -n needs a positive number" >&2; exit 2 ;; esac
if [ -n "$trace" ]; then
  mkdir -p "$trace"
  trace=$(cd "$trace" && pwd)
fi
[ "$(id -u)" -eq 0 ] || { echo "bench: must run as root" >&2; exit 2; }

# Sizes of the load part (bench/load.sh); empty leaves a part out.
if [ "$load" = 0 ]; then
  BENCH_PAR_LEVELS="" BENCH_MOUNTS="" BENCH_CONTAINERS="" BENCH_ENVS="" BENCH_PROCS=""
elif [ "$smoke" = 1 ]; then
  BENCH_PAR_LEVELS="1 4" BENCH_MOUNTS="1 10" BENCH_CONTAINERS="1 10" BENCH_ENVS="1 10" BENCH_PROCS="1 10"
else
  BENCH_PAR_LEVELS="1 4 16 64" BENCH_MOUNTS="10 100 1000" BENCH_CONTAINERS="10 100 1000"
  BENCH_ENVS="10 100 1000" BENCH_PROCS="10 100 1000"
fi
BENCH_PAR_SECS=${BENCH_PAR_SECS:-$([ "$smoke" = 1 ] && echo 1 || echo 8)}
BENCH_REPS=$([ "$smoke" = 1 ] && echo 2 || echo 10)
BENCH_PAR_ROUNDS=${BENCH_PAR_ROUNDS:-$([ "$smoke" = 1 ] && echo 1 || echo 4)}
export BENCH_PAR_ROUNDS BENCH_PAR_LEVELS BENCH_MOUNTS BENCH_CONTAINERS BENCH_ENVS BENCH_PROCS BENCH_PAR_SECS BENCH_REPS

install_missing() {
  local p missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "bench: installing$missing" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

if [ "$install" = 1 ] && command -v dpkg-query >/dev/null; then
  pkgs="crun runc time jq busybox-static util-linux procps file binutils"
  [ -n "$chart" ] && pkgs="$pkgs gnuplot-nox"
  [ -n "$trace" ] && pkgs="$pkgs strace"
  install_missing $pkgs
fi

status=0
declare -A BINPATH
wanted_minirt=0
for rt in $runtimes; do
  case $rt in
  minirt)
    wanted_minirt=1
    if [ -z "$minirt_bin" ]; then
      [ "$install" = 1 ] && sh "$top/tests/deps.sh"
      if { [ -f "$top/build-bench/build.ninja" ] ||
        meson setup "$top/build-bench" "$top" --buildtype=release -Dtests=disabled >&2; } &&
        ninja -C "$top/build-bench" minirt >&2; then
        minirt_bin=$top/build-bench/minirt
      else
        echo "bench: minirt did not build; measuring the others only" >&2
        status=1
        continue
      fi
    fi
    BINPATH[minirt]=$(readlink -f "$minirt_bin")
    ;;
  crun | runc)
    BINPATH[$rt]=$(readlink -f "$(command -v "$rt")") ||
      { echo "bench: $rt not found" >&2; exit 2; }
    ;;
  *) echo "bench: unknown runtime \`$rt'" >&2; exit 2 ;;
  esac
done
runtimes=""
for rt in minirt crun runc; do
  [ -n "${BINPATH[$rt]:-}" ] && runtimes="$runtimes $rt"
done
runtimes=${runtimes# }
[ -n "$runtimes" ] || { echo "bench: nothing to measure" >&2; exit 1; }

tmp=$(mktemp -d /tmp/minirt-bench.XXXXXX)
cgparent=minirt-bench-$$

# A runtime under test may hang in delete too: every call has a time limit.
cleanup_containers() {
  local rt ids id r
  for rt in $runtimes; do
    r=$tmp/roots/root-$rt
    [ -d "$r" ] || continue
    ids=$( { timeout -k 1 5 "${BINPATH[$rt]}" --root "$r" list -q 2>/dev/null || true; ls -A "$r"; } | sort -u)
    for id in $ids; do
      timeout -k 1 10 "${BINPATH[$rt]}" --root "$r" delete --force "$id" </dev/null >/dev/null 2>&1 || true
    done
  done
}

# Removes what this run made, also after a failure or ^C: containers (inside
# a namespace like the one they were made in, so crun accepts the host),
# leftover processes in our own cgroups (by pid), the cgroups, the temp dir.
cleanup() {
  local rc=$? d pid
  trap - EXIT INT TERM
  export -f cleanup_containers
  CGPARENT=$cgparent
  export tmp runtimes CGPARENT
  BINS=$(for rt in $runtimes; do printf '%s=%s ' "$rt" "${BINPATH[$rt]}"; done)
  export BINS
  local pass
  # Pass 1 asks each runtime to remove its containers; what is left in our
  # cgroups then is killed by pid, and pass 2 lets the runtimes forget them.
  for pass in 1 2; do
    # With the v2 mount hidden, crun 1.8 still writes a
    # `unified/<path>/cgroup.procs` file into the /sys/fs/cgroup tmpfs
    # underneath it: shared with the host and invisible there, so it is
    # removed from in here.
    unshare -m --propagation private bash -c '
      mountpoint -q /sys/fs/cgroup/unified && umount /sys/fs/cgroup/unified
      declare -A BINPATH
      for kv in $BINS; do BINPATH[${kv%%=*}]=${kv#*=}; done
      cleanup_containers
      if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = tmpfs ]; then
        rm -rf "/sys/fs/cgroup/unified/$CGPARENT"
      fi' 2>/dev/null || true
    [ $pass = 2 ] && break
    for d in /sys/fs/cgroup/*/"$cgparent"; do
      [ -d "$d" ] || continue
      find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
        kill -KILL "$pid" 2>/dev/null || true
      done
    done
    sleep 0.2
  done
  for d in /sys/fs/cgroup/*/"$cgparent"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  for d in /sys/fs/cgroup/*/"$cgparent"; do
    [ -d "$d" ] && echo "bench: could not remove cgroup $d" >&2
  done
  umount "$tmp/roots" 2>/dev/null || umount -l "$tmp/roots" 2>/dev/null || true
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Every runtime's --root on a tmpfs, where /run/minirt, /run/crun and
# /run/runc live on a real host (the temp dir itself may be on a disk).
mkdir "$tmp/roots"
mount -t tmpfs -o mode=0700,size=256m minirt-bench-roots "$tmp/roots"

# One rootfs and one config template for all runtimes; only the container id
# (and with it the cgroup path) differs per container.
sh "$top/tests/lib/make-rootfs.sh" "$tmp/rootfs"
mkdir -p "$tmp/spec"
spec_from=""
if [ -n "${BINPATH[minirt]:-}" ] && "${BINPATH[minirt]}" spec --bundle "$tmp/spec" 2>/dev/null &&
  [ -s "$tmp/spec/config.json" ]; then
  spec_from="minirt spec"
else
  rm -f "$tmp/spec/config.json"
  (cd "$tmp/spec" && runc spec)
  spec_from="runc spec"
fi
# ociVersion: crun 1.8 rejects "1.2.0" ("unknown version specified"), and
# nothing here needs more than 1.0.2, which all three accept.
base_filter='.ociVersion = "1.0.2"
  | .process.terminal = false
  | .process.args = $args
  | .root = {path: $rootfs, readonly: true}
  | .linux.cgroupsPath = ("/" + $cg + "/@ID@")'
mk_config() { # kind args-json [extra jq filter]
  jq --arg rootfs "$tmp/rootfs" --arg cg "$cgparent" --argjson args "$2" \
    "$base_filter ${3:+| $3}" "$tmp/spec/config.json" >"$tmp/config.$1.json"
}
mk_config true '["/bin/true"]'
mk_config sleep '["sleep","1000"]'
mk_config mem '["/bin/true"]' '.linux.resources.memory.limit = 524288'
mk_config pids '["/bin/true"]' '.linux.resources.pids.limit = 1'

podman_configs
load_configs

# The floor program: compiled here so it is always the committed source.
floor_note="not measured (no C compiler)"
if command -v cc >/dev/null; then
  # The driver of the parallel loops (bench/loop.c); load.sh falls back to a
  # bash loop without it.
  if ! cc -O2 -Wall -Wextra -Werror -o "$tmp/loop" "$here/loop.c" 2>"$tmp/loop.err"; then
    echo "bench: bench/loop.c did not compile: $(head -n 1 "$tmp/loop.err")" >&2
    status=1
  fi
  if cc -O2 -Wall -Wextra -Werror -o "$tmp/floor" "$here/floor.c" 2>"$tmp/floor.err"; then
    floor_note="$(cc --version | head -n 1), -O2"
  else
    floor_note="did not compile: $(head -n 1 "$tmp/floor.err")"
    echo "bench: bench/floor.c: $floor_note" >&2
    status=1
  fi
fi

echo "bench: N=$N, runtimes: $runtimes, config from $spec_from" >&2
BENCH_TMP=$tmp BENCH_CGPARENT=$cgparent BENCH_N=$N BENCH_RUNTIMES=$runtimes \
  BENCH_BINS=$(for rt in $runtimes; do printf '%s=%s ' "$rt" "${BINPATH[$rt]}"; done) \
  BENCH_TRACE=$trace BENCH_TIMEOUT=${BENCH_TIMEOUT:-30} unshare -m --propagation private bash "$here/bench.sh" --inner

# ---------------------------------------------------------------------------
# Statistics and report.
# ---------------------------------------------------------------------------

# median p90 (nearest rank) of a sample file, in the unit divided by $2.
stat_of() { # file divisor -> "median p90 n" or nothing
  [ -s "$1" ] || return 0
  sort -n "$1" | awk -v d="$2" '{ v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      r = int(0.9 * NR); if (r < 0.9 * NR) r++
      printf "%.3f %.3f %d\n", m / d, v[r] / d, NR
    }'
}

fmt() { awk -v x="$1" 'BEGIN { printf (x >= 10 ? "%.1f" : "%.2f"), x }'; }

cell() { # rt metric divisor -> "median (p90)"
  local s
  s=$(stat_of "$tmp/data/$1.$2" "$3")
  if [ -n "$s" ]; then
    set -- $s
    printf '%s (%s)' "$(fmt "$1")" "$(fmt "$2")"
  elif [ -e "$tmp/data/$1.broken" ]; then
    printf 'failed'
  else
    printf '–'
  fi
}

median_of() { stat_of "$tmp/data/$1.$2" "$3" | awk '{ print $1 }'; }

ratio() { # metric divisor other-rt
  local a b
  a=$(median_of minirt "$1" "$2")
  b=$(median_of "$3" "$1" "$2")
  [ -n "$a" ] && [ -n "$b" ] || { printf '–'; return; }
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }'
}

# Distribution binaries are stripped; a local build is not. Sizes compare
# stripped copies, so the table shows both for an unstripped binary.
stripped_size() { # rt
  local f=${BINPATH[$1]}
  if command -v strip >/dev/null && file "$f" 2>/dev/null | grep -q 'not stripped'; then
    strip -o "$tmp/stripped.$1" "$f" && stat -c %s "$tmp/stripped.$1" && return
  fi
  stat -c %s "$f"
}

size_cell() { # rt
  local f=${BINPATH[$1]} s t
  s=$(stat -c %s "$f")
  t=$(stripped_size "$1")
  awk -v s="$s" -v t="$t" 'BEGIN {
    if (s == t) printf "%.2f", s / 1048576
    else printf "%.2f (%.2f stripped)", s / 1048576, t / 1048576 }'
}

ratio_size() { # other-rt
  [ -n "${BINPATH[minirt]:-}" ] && [ -n "${BINPATH[$1]:-}" ] || { printf '–'; return; }
  awk -v a="$(stripped_size minirt)" -v b="$(stripped_size "$1")" \
    'BEGIN { printf "%.2f", a / b }'
}

fail_cell() { # rt
  if [ -s "$tmp/data/$1.failures" ]; then wc -l <"$tmp/data/$1.failures"; else echo 0; fi
}

limit_cell() { cat "$tmp/data/$1.limit-$2" 2>/dev/null || printf '–'; }

all=(minirt crun runc)
col() { # prints one cell per runtime of the three, "not measured" if absent
  local fn=$1 rt
  shift
  for rt in "${all[@]}"; do
    if [ -n "${BINPATH[$rt]:-}" ]; then
      printf ' %s |' "$($fn "$rt" "$@")"
    else
      printf ' not measured |'
    fi
  done
}

ver() {
  case $1 in
  minirt) "${BINPATH[minirt]}" --version 2>/dev/null | head -n 1 ;;
  *) "${BINPATH[$1]}" --version 2>/dev/null | head -n 1 ;;
  esac
}

report() {
  echo "## minirt vs crun vs runc ($(date -u +%Y-%m-%d), N=$N)"
  echo
  echo "Host: $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); config from \`$spec_from\`."
  for rt in $runtimes; do
    echo "${rt}: \`$(ver "$rt")\` (${BINPATH[$rt]})"
  done
  # `minirt --version` names the commit of the last `meson setup`; the tree
  # it was built from is what matters.
  if [ -n "${BINPATH[minirt]:-}" ] && git -C "$top" rev-parse --short HEAD >/dev/null 2>&1; then
    local dirty=""
    [ -n "$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
      dirty=" with uncommitted changes"
    echo "minirt built from tree \`$(git -C "$top" rev-parse --short HEAD)\`$dirty."
  fi
  echo
  if [ "$smoke" = 1 ]; then
    echo "Smoke run (N=3) on whatever machine ran it: the figures only show that each step works."
  else
    echo "Times in ms, median (p90). Ratios compare medians."
  fi
  echo
  echo "| | minirt | crun | runc | minirt/crun | minirt/runc |"
  echo "|---|---:|---:|---:|---:|---:|"
  local m label
  for m in run:"run /bin/true (create+start+wait+delete)" create:create start:start \
    delete:delete exec:"exec /bin/true" podman-run:"podman-like run /bin/true" \
    podman-exec:"podman-like exec /bin/true" \
    podman-run-noseccomp:"podman-like run, without its seccomp section" \
    podman-exec-noseccomp:"podman-like exec, without its seccomp section"; do
    label=${m#*:}
    m=${m%%:*}
    echo "| $label |$(col cell "$m" 1000) $(ratio "$m" 1000 crun) | $(ratio "$m" 1000 runc) |"
  done
  for m in rss:"peak RSS of one run, MiB" rss-exec:"peak RSS of one exec, MiB" \
    rss-podman:"peak RSS of one podman-like run, MiB" \
    rss-podman-exec:"peak RSS of one podman-like exec, MiB"; do
    label=${m#*:}
    m=${m%%:*}
    echo "| $label |$(col cell "$m" 1024) $(ratio "$m" 1024 crun) | $(ratio "$m" 1024 runc) |"
  done
  echo "| binary size, MiB |$(col size_cell) $(ratio_size crun) | $(ratio_size runc) |"
  echo "| run with memory.limit 512 KiB |$(col limit_cell mem) | |"
  echo "| run with pids.limit 1 |$(col limit_cell pids) | |"
  echo "| failed calls |$(col fail_cell) | |"
  local rt any=0
  for rt in $runtimes floor; do
    [ -s "$tmp/data/$rt.failures" ] || continue
    [ $any = 0 ] && printf '\nFailures (count, step: last error line):\n\n'
    any=1
    sort "$tmp/data/$rt.failures" | uniq -c | sort -rn | head -n 3 |
      sed "s/^ *\([0-9]*\) /- $rt: \1 × /"
    [ -e "$tmp/data/$rt.broken" ] && echo "- $rt: $(cat "$tmp/data/$rt.broken"); later steps not measured"
  done
  echo
  if [ -s "$tmp/data/floor.run" ]; then
    echo "Floor (bench/floor.c, $floor_note): only the kernel calls of the default spec, measured in the same interleaved rounds as \`run\`:"
    echo
    echo "| | minirt | floor | minirt/floor |"
    echo "|---|---:|---:|---:|"
    echo "| run /bin/true, default spec | $(cell minirt run 1000) | $(cell floor run 1000) | $(ratio run 1000 floor) |"
    echo "| failed calls | $(fail_cell minirt) | $(fail_cell floor) | |"
  else
    echo "Floor (bench/floor.c): $floor_note."
  fi
  echo
  echo "Podman-like: podman 4.3.1's seccomp profile for amd64 ($(jq '.syscalls | length' "$tmp/podman-seccomp.json") rules, $(jq '[.syscalls[].names[]] | length' "$tmp/podman-seccomp.json") names), its mounts, masked and read-only paths, capabilities, env, RLIMIT_NPROC 32768 and RLIMIT_NOFILE $podman_nofile (bench/podman.jq)."
  report_parallel
  report_cost
  return 0
}

mkdir -p "$(dirname "$out")"
report | tee "$out"
# The raw samples (µs; KiB for rss), one file per runtime and measure.
rm -rf "${out%.md}.data"
cp -r "$tmp/data" "${out%.md}.data"
echo "bench: results in $out, samples in ${out%.md}.data/" >&2

for rt in $runtimes floor; do
  [ -s "$tmp/data/$rt.failures" ] && status=1
done
load_failed && status=1

draw_chart() {
  local dat=$tmp/chart.dat m rt s
  {
    # No header row: gnuplot's histogram would count it as a cluster.
    for m in run create start delete exec; do
      printf '%s' "$m"
      for rt in $runtimes; do
        s=$(stat_of "$tmp/data/$rt.$m" 1000)
        [ -n "$s" ] || s="0 0"
        printf ' %s' "$(echo "$s" | awk '{ print $1, $2 }')"
      done
      echo
    done
  } >"$dat"
  local plot="" i=0 colors=("#d62728" "#1f77b4" "#7f7f7f")
  for rt in $runtimes; do
    case $rt in minirt) c=${colors[0]} ;; crun) c=${colors[1]} ;; *) c=${colors[2]} ;; esac
    plot="$plot${plot:+, }'$dat' using $((2 + 2 * i)):$((2 + 2 * i)):$((3 + 2 * i)):xtic(1) title '$rt' lc rgb '$c'"
    i=$((i + 1))
  done
  # Headroom above the tallest whisker for the key.
  local ymax
  ymax=$(awk '{ for (i = 3; i <= NF; i += 2) if ($i > m) m = $i } END { print m * 1.2 + 1 }' "$dat")
  gnuplot <<EOF
set terminal svg size 800,420 dynamic font 'sans,12' background rgb 'white'
set output '$chart'
set title 'Container lifecycle on $(uname -r), N=$N: median (bar) and p90 (whisker)'
set ylabel 'ms (lower is better)'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top center horizontal
set grid ytics
set yrange [0:$ymax]
plot $plot
EOF
}

# Counts from a -f -tt trace: what a reader wants to know first.
trace_summary() { # trace file
  local f=$1
  awk '
    $3 ~ /^[a-z_0-9]+\(/ { n++ }
    / (clone|clone3|fork|vfork)\(/ && !/= -1/ { forks++ }
    / (execve|execveat)\(/ && !/= -1/ { execs++ }
    / (mount|mount_setattr|move_mount|fsmount)\(/ && !/= -1/ { mounts++ }
    / pivot_root\(/ { pivots++ }
    / (openat2?|open)\(.*O_(WRONLY|RDWR)/ && !/= -1/ { wr++ }
    / (write|pwrite64)\(/ { writes++ }
    / unshare\(|setns\(/ { ns++ }
    / wait4\(|waitid\(/ { waits++ }
    NR == 1 { split($2, a, ":"); t0 = a[1] * 3600 + a[2] * 60 + a[3] }
    { split($2, b, ":"); t1 = b[1] * 3600 + b[2] * 60 + b[3] }
    END {
      printf "syscalls %d, processes/threads cloned %d, execve %d, mounts %d, pivot_root %d, ", n, forks, execs, mounts, pivots
      printf "files opened for writing %d, write calls %d, unshare/setns %d, wait calls %d, traced wall time %.1f ms\n", wr, writes, ns, waits, (t1 - t0) * 1000
    }' "$f"
}

if [ -n "$trace" ]; then
  for rt in $runtimes; do
    [ -s "$trace/$rt.trace" ] || continue
    trace_summary "$trace/$rt.trace" >"$trace/$rt.summary"
    echo "bench: $rt under strace: $(cat "$trace/$rt.summary")" >&2
  done
fi

if [ -n "$chart" ]; then
  if command -v gnuplot >/dev/null; then
    draw_chart && echo "bench: chart in $chart" >&2
    if [ "$load" = 1 ]; then
      "$here/plot.sh" "${out%.md}.data" "$(dirname "$chart")" && echo "bench: load plots in $(dirname "$chart")" >&2
    fi
  else
    echo "bench: gnuplot missing, no chart" >&2
  fi
fi

[ "$wanted_minirt" = 1 ] && [ -z "${BINPATH[minirt]:-}" ] && status=1
exit $status
