#!/bin/bash
# Reliability under faults and load (docs/reliability.md). Three checks,
# each against minirt, runc or crun with the same bundle:
#
#   kill        N workers run create/start/exec/kill/delete on their own
#               containers, M iterations in all; in a share of the calls the
#               runtime gets SIGKILL after a random 0-50 ms. `state` and
#               `list --format json` run between the calls and must never
#               crash or print what jq cannot parse. Afterwards everything
#               `list` shows is deleted with --force, and then no process,
#               mount, cgroup, state dir, socket or fifo may be left.
#   concurrent  R rounds: one running container, then delete --force, exec,
#               kill, start, pause, resume, update and state on it at once.
#               Every call must end within a bound, no call that began after
#               delete returned may succeed, and nothing may be left.
#   soak        W workers repeat create/start/exec/kill/delete for D seconds
#               without faults; every 5 s the fd count and RSS of the
#               runtime processes alive at that moment, the open files of
#               the host and the leftovers are sampled; the first and last
#               thirds must agree.
#
#   tests/chaos/chaos.sh [--runtime minirt|runc|crun] [--bin PATH]
#       [--mode kill,concurrent,soak|all] [--workers N] [--iterations M]
#       [--kill-share PCT] [--max-delay MS] [--rounds R] [--duration SEC]
#       [--soak-workers W] [--timeout SEC] [--seed S] [--tap] [--ci]
#       [--keep-going]
#
# Defaults: minirt from build/minirt, --mode kill,concurrent, 8 workers,
# 1000 iterations, 50 % of the calls killed, 0-50 ms, 50 rounds, soak
# 16 workers for 1800 s. --ci is the 2-minute version tests/run.sh runs:
# kill (4 workers, 200 iterations), concurrent (40 rounds) and a 30 s soak
# with 4 workers, printed as TAP. Every call is bounded by --timeout (20 s).
# Without --tap a summary is printed; the exit status is 0 only when every
# check passed.
#
# Everything lives under a temp dir and a parent cgroup of this run
# (minirt-chaos-<pid>) and is removed at the end, also on failure or ^C.
# crun refuses this host's v1 "hybrid" layout: for crun the whole run
# happens in a private mount namespace with /sys/fs/cgroup/unified
# unmounted (as bench/bench.sh does).
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

usage() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"
  exit "${1:-0}"
}

runtime=minirt
bin=""
modes="kill,concurrent"
workers=8
iterations=1000
share=50
max_delay=50
rounds=50
duration=1800
soak_workers=16
call_timeout=20
seed=$$
tap=0
while [ $# -gt 0 ]; do
  case $1 in
  --runtime) runtime=$2; shift ;;
  --bin) bin=$2; shift ;;
  --mode) modes=$2; shift ;;
  --workers) workers=$2; shift ;;
  --iterations) iterations=$2; shift ;;
  --kill-share) share=$2; shift ;;
  --max-delay) max_delay=$2; shift ;;
  --rounds) rounds=$2; shift ;;
  --duration) duration=$2; shift ;;
  --soak-workers) soak_workers=$2; shift ;;
  --timeout) call_timeout=$2; shift ;;
  --seed) seed=$2; shift ;;
  --tap) tap=1 ;;
  --ci) tap=1; modes=kill,concurrent,soak; workers=4; iterations=200
    rounds=40; duration=30; soak_workers=4 ;;
  -h | --help) usage 0 ;;
  *) echo "chaos: unknown argument \`$1'" >&2; usage 2 ;;
  esac
  shift
done
[ "$modes" = all ] && modes=kill,concurrent,soak
for v in "$workers" "$iterations" "$share" "$max_delay" "$rounds" "$duration" \
  "$soak_workers" "$call_timeout" "$seed"; do
  case $v in '' | *[!0-9]*) echo "chaos: \`$v' is not a number" >&2; exit 2 ;; esac
done
[ "$(id -u)" -eq 0 ] || { echo "chaos: must run as root" >&2; exit 2; }
case $runtime in
minirt) bin=${bin:-$top/build/minirt} ;;
runc | crun) bin=${bin:-$(command -v "$runtime")} ;;
*) echo "chaos: unknown runtime \`$runtime'" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "chaos: no runtime binary \`$bin'" >&2; exit 2; }
bin=$(readlink -f "$bin")

# crun: re-run this script in a private mount namespace without the v2 mount.
if [ "$runtime" = crun ] && [ -z "${CHAOS_IN_NS:-}" ]; then
  CHAOS_IN_NS=1 exec unshare -m --propagation private bash -c '
    mountpoint -q /sys/fs/cgroup/unified && umount /sys/fs/cgroup/unified
    exec "$0" "$@"' "$0" --runtime "$runtime" --bin "$bin" --mode "$modes" \
    --workers "$workers" --iterations "$iterations" --kill-share "$share" \
    --max-delay "$max_delay" --rounds "$rounds" --duration "$duration" \
    --soak-workers "$soak_workers" --timeout "$call_timeout" --seed "$seed" \
    $([ "$tap" = 1 ] && echo --tap)
fi

tmp=$(mktemp -d /tmp/minirt-chaos.XXXXXX)
token=${tmp##*.}
cgparent=minirt-chaos-$$
root=$tmp/root
mkdir -p "$root" "$tmp/bundles" "$tmp/res"

# Processes of this run carry a marker in their environment: the runtime's
# (CHAOS_RT, also in an init or exec child that has not exec'd yet) and the
# container's (CHAOS_CT, in process.env). Found by scanning /proc.
marked_pids() {
  grep -lszx -e "CHAOS_RT=$token" -e "CHAOS_CT=$token" /proc/[0-9]*/environ 2>/dev/null |
    awk -F/ '{ print $3 }'
}

cgroup_dirs() { # every cgroup below our parent, in every hierarchy
  local h
  for h in /sys/fs/cgroup/*/"$cgparent" /sys/fs/cgroup/"$cgparent"; do
    # Only cgroup file systems: for crun the tmpfs under the hidden v2
    # mount collects stray directories that are no cgroups (bench.sh).
    case $(stat -f -c %T "$h" 2>/dev/null) in cgroupfs | cgroup2fs) ;; *) continue ;; esac
    find "$h" -mindepth 1 -type d
  done 2>/dev/null
}

our_mounts() { awk -v d="$tmp/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts; }

rt() { # args...: the runtime, bounded, stdio to files of the caller
  timeout -k 2 "$call_timeout" env CHAOS_RT="$token" "$bin" --root "$root" "$@"
}

delete_all() {
  local id ids
  ids=$( { rt list --format json 2>/dev/null | jq -r '.[]?.id' 2>/dev/null; } | sort -u)
  for id in $ids; do rt delete --force "$id" </dev/null >/dev/null 2>&1; done
  printf '%s\n' $ids | grep -c . || true
}

cleanup() {
  local rc=$? p d
  trap - EXIT INT TERM
  # Stop our workers first (by pid), then the containers.
  for p in $(jobs -p); do kill -TERM "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -d "$root" ]; then
    for d in "$root"/*; do
      [ -e "$d" ] && rt delete --force "${d##*/}" </dev/null >/dev/null 2>&1
    done
  fi
  for p in $(marked_pids); do kill -KILL "$p" 2>/dev/null; done
  # v1 frozen tasks die only once thawed.
  for d in /sys/fs/cgroup/freezer/"$cgparent"/*; do
    [ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
  done
  sleep 0.2
  our_mounts | sort -r | while read -r d; do umount -l "$d" 2>/dev/null; done
  if [ "$runtime" = crun ] &&
    [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = tmpfs ]; then
    rm -rf "/sys/fs/cgroup/unified/$cgparent" # crun's stray files, see bench.sh
  fi
  for d in /sys/fs/cgroup/*/"$cgparent" /sys/fs/cgroup/"$cgparent"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    [ -d "$d" ] && echo "chaos: could not remove cgroup $d" >&2
  done
  rm -rf --one-file-system "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One read-only rootfs for all, a config per container (its cgroup path).
if [ -d "$top/tests/tmp/rootfs/bin" ]; then
  cp -a "$top/tests/tmp/rootfs" "$tmp/rootfs"
else
  sh "$top/tests/lib/make-rootfs.sh" "$tmp/rootfs" >/dev/null
fi
mkdir -p "$tmp/spec"
if ! "$top/build/minirt" spec --bundle "$tmp/spec" 2>/dev/null; then
  (cd "$tmp/spec" && runc spec)
fi
jq --arg rootfs "$tmp/rootfs" --arg cg "$cgparent" --arg tok "$token" '
  .ociVersion = "1.0.2" | .process.terminal = false
  | .process.args = ["sleep", "100000"]
  | .process.env += ["CHAOS_CT=" + $tok]
  | .root = {path: $rootfs, readonly: true}
  | .linux.cgroupsPath = ("/" + $cg + "/@ID@")' "$tmp/spec/config.json" >"$tmp/config.tmpl"
tmpl=$(<"$tmp/config.tmpl")

bundle() { # id -> bundle dir
  local d=$tmp/bundles/$1
  mkdir -p "$d"
  printf '%s\n' "${tmpl//@ID@/$1}" >"$d/config.json"
  printf '%s' "$d"
}

# Sleeping without a fork: read with a timeout from a pipe nobody writes.
exec {SLEEP_FD}<> <(:)
us_sleep() { read -r -t "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))" -u "$SLEEP_FD"; }
ms_sleep() { us_sleep $(($1 * 1000)); }

# The kill delay, 0 to max ms: uniform over [0, max / 2^k] with k uniform
# in 0..10, so the first milliseconds (where a fast runtime does all its
# work) are hit as often as the rest.
kill_delay_us() { echo $(((max_delay * 1000 >> (RANDOM % 11)) * (RANDOM % 1000) / 1000)); }

# --- results --------------------------------------------------------------
# Each worker appends lines "<kind> <detail>" to its own file in $tmp/res;
# kinds: op, fault, crash, hang, badjson, nomsg, wrong.
note() { printf '%s %s\n' "$1" "${*:2}" >>"$RES"; }
count() { cat "$tmp"/res/"$1".* 2>/dev/null | grep -c "^$2 " || true; }
details() { cat "$tmp"/res/"$1".* 2>/dev/null | grep "^$2 " | sort | uniq -c | sort -rn | head -"${3:-5}"; }

# A call's exit status: 124 from timeout (or 137 after its -k) is a hang,
# 129-159 (death by a signal we did not send) a crash; a failure must say
# why on stderr. (exec passes on its process's status: 137 when a
# concurrent kill or delete killed it, so only a call that lasted the whole
# bound is a hang. runc exits 255 on an error: a failure, not a crash.)
is_crash() { [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; }
is_hang() { # rc duration-us
  [ "$1" = 124 ] || { [ "$1" = 137 ] && [ "$2" -ge $((call_timeout * 1000000)) ]; }
}

judge() { # rc killed-by-us duration-us what...
  local rc=$1 ours=$2 us=$3; shift 3
  if [ "$ours" = 1 ]; then return 0; fi
  if is_hang "$rc" "$us"; then
    note hang "$*"
  elif is_crash "$rc"; then
    note crash "$* (status $rc)"
  elif [ "$rc" -ne 0 ] && [ ! -s "$tmp/w$W.err" ]; then
    note nomsg "$* (status $rc)"
  fi
}

# Runs one call; with probability share% it is SIGKILLed after 0-max ms.
call() { # what args...
  local what=$1 rc ours=0 pid t0=${EPOCHREALTIME/./}
  shift
  note op "$what"
  if [ $((RANDOM % 100)) -lt "$share" ]; then
    env CHAOS_RT="$token" "$bin" --root "$root" "$@" </dev/null >"$tmp/w$W.out" 2>"$tmp/w$W.err" &
    pid=$!
    us_sleep "$(kill_delay_us)"
    kill -KILL "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    rc=$?
    # 137 is the kill (a zombie also takes it; then the call had ended).
    if [ "$rc" = 137 ]; then ours=1; note fault "$what"; fi
  else
    rt "$@" </dev/null >"$tmp/w$W.out" 2>"$tmp/w$W.err"
    rc=$?
  fi
  judge "$rc" "$ours" $((${EPOCHREALTIME/./} - t0)) "$what"
  return "$rc"
}

check_state() { # id: state and list must answer with parseable JSON
  local rc st t0=${EPOCHREALTIME/./}
  rt state "$1" </dev/null >"$tmp/w$W.out" 2>"$tmp/w$W.err"
  rc=$?
  note op state
  judge "$rc" 0 $((${EPOCHREALTIME/./} - t0)) state
  if [ "$rc" = 0 ]; then
    st=$(jq -r .status "$tmp/w$W.out" 2>/dev/null) || { note badjson "state: $(head -c 200 "$tmp/w$W.out")"; return; }
    case $st in
    creating | created | running | paused | stopped) ;;
    *) note badjson "state: status \`$st'" ;;
    esac
  fi
  t0=${EPOCHREALTIME/./}
  rt list --format json </dev/null >"$tmp/w$W.out" 2>"$tmp/w$W.err"
  rc=$?
  note op list
  judge "$rc" 0 $((${EPOCHREALTIME/./} - t0)) list
  [ "$rc" = 0 ] || note wrong "list failed (status $rc): $(head -c 200 "$tmp/w$W.err")"
  # runc prints `null` for no container: parseable, so accepted.
  [ "$rc" != 0 ] || jq -e 'type == "array" or . == null' "$tmp/w$W.out" >/dev/null 2>&1 ||
    note badjson "list: $(head -c 200 "$tmp/w$W.out")"
}

wait_stopped() { # id: at most 2 s; a container that is gone is stopped too
  local i out
  for ((i = 0; i < 40; i++)); do
    out=$(rt state "$1" 2>/dev/null </dev/null) || return 0
    jq -e '.status == "stopped"' <<<"$out" >/dev/null 2>&1 && return 0
    ms_sleep 50
  done
  return 1
}

kill_worker() { # worker-number iterations
  W=$1
  RES=$tmp/res/kill.$W
  RANDOM=$((seed + W))
  local i id
  for ((i = 0; i < $2; i++)); do
    id=k$W-$i
    call create create --bundle "$(bundle "$id")" "$id"
    check_state "$id"
    call start start "$id"
    call exec exec "$id" true
    check_state "$id"
    call kill kill "$id" KILL
    wait_stopped "$id"
    call delete delete "$id"
    check_state "$id"
  done
}

# Leftovers after the run: one line per leak.
leaks() {
  local p f
  for p in $(marked_pids); do
    echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
  done
  cgroup_dirs | sed 's/^/cgroup /'
  our_mounts | grep -v "^$tmp/rootfs$" | sed 's/^/mount /'
  find "$root" -mindepth 1 -maxdepth 1 2>/dev/null | sed 's/^/state dir /'
  find "$tmp" -path "$tmp/rootfs" -prune -o \( -type p -o -type s \) -print 2>/dev/null |
    sed 's/^/fifo or socket /'
}

# Leftover processes may take a moment to be reaped; cgroups to be removed.
settle_leaks() {
  local i out
  for ((i = 0; i < 20; i++)); do
    out=$(leaks)
    [ -z "$out" ] && return 0
    sleep 0.2
  done
  printf '%s\n' "$out"
}

# Removes what a runtime left (after it was counted), so that the next mode
# starts clean: processes by pid, thawed cgroups, state dirs.
scrub() {
  local p d
  for p in $(marked_pids); do kill -KILL "$p" 2>/dev/null; done
  for d in /sys/fs/cgroup/freezer/"$cgparent"/*; do
    [ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
  done
  sleep 0.3
  cgroup_dirs | sort -r | while read -r d; do rmdir "$d" 2>/dev/null; done
  find "$root" -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null
}

# --- TAP / summary ----------------------------------------------------------
n_test=0
n_failed=0
report() { # ok|fail description [details...]
  n_test=$((n_test + 1))
  local verdict=$1 desc=$2
  shift 2
  [ "$verdict" = ok ] || n_failed=$((n_failed + 1))
  if [ "$tap" = 1 ]; then
    [ "$verdict" = ok ] && echo "ok $n_test $desc" || echo "not ok $n_test $desc"
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
  else
    printf '%-4s %s\n' "$([ "$verdict" = ok ] && echo PASS || echo FAIL)" "$desc"
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/       /'
  fi
  return 0
}

mode_kill() {
  local w per rest n t0 t1 listed out
  t0=$SECONDS
  per=$((iterations / workers))
  rest=$((iterations % workers))
  for ((w = 0; w < workers; w++)); do
    n=$((per + (w < rest ? 1 : 0)))
    kill_worker "$w" "$n" &
  done
  wait
  t1=$SECONDS
  RES=$tmp/res/kill.after W=after
  listed=$(delete_all)
  out=$(settle_leaks)
  local ops faults bad
  ops=$(count kill op)
  faults=$(count kill fault)
  echo "# kill: $runtime, $workers workers, $iterations iterations, ${share}% killed after 0-${max_delay} ms, $((t1 - t0)) s: $ops calls, $faults killed, $listed left for delete --force" >&2
  bad=$(( $(count kill crash) + $(count kill hang) + $(count kill badjson) + $(count kill nomsg) + $(count kill wrong) ))
  [ "$bad" = 0 ] && report ok "kill: $ops calls ($faults killed): no crash, hang, unparseable JSON or silent failure" ||
    report fail "kill: $ops calls ($faults killed): $bad bad answers" \
      "$(for k in crash hang badjson nomsg wrong; do details kill "$k"; done)"
  [ -z "$out" ] && report ok "kill: nothing left after delete --force of the $listed listed containers" ||
    report fail "kill: $(printf '%s\n' "$out" | wc -l) leftovers after delete --force of $listed" "$(printf '%s\n' "$out" | head -20)"
  LEAKS_KILL=$(printf '%s' "$out" | grep -c . || true)
  [ -z "$out" ] || scrub
  STATS_KILL="$ops calls, $faults killed, $listed listed, $LEAKS_KILL leaks"
}

# One concurrent call: records "<name> <t0> <t1> <rc> <stdout> <stderr>".
conc_call() { # round name args...
  local r=$1 name=$2 t0 t1 rc
  shift 2
  ms_sleep $((RANDOM % 30))
  t0=$EPOCHREALTIME
  rt "$@" </dev/null >"$tmp/c$r.$name.out" 2>"$tmp/c$r.$name.err"
  rc=$?
  t1=$EPOCHREALTIME
  printf '%s %s %s %s\n' "$name" "${t0/./}" "${t1/./}" "$rc" >>"$tmp/c$r.log"
}

conc_round() { # round
  local r=$1 id=c$1 sig name t0 t1 rc del_end st
  W=c
  RES=$tmp/res/conc.0
  rt create --bundle "$(bundle "$id")" "$id" </dev/null >/dev/null 2>"$tmp/wc.err" &&
    rt start "$id" </dev/null >/dev/null 2>>"$tmp/wc.err" ||
    { note wrong "round $r: setup failed: $(head -c 200 "$tmp/wc.err")"; rt delete --force "$id" >/dev/null 2>&1; return; }
  sig=$([ $((r % 2)) = 0 ] && echo KILL || echo TERM)
  : >"$tmp/c$r.log"
  conc_call "$r" delete delete --force "$id" &
  conc_call "$r" exec1 exec "$id" sh -c 'echo ok' &
  conc_call "$r" exec2 exec "$id" sh -c 'echo ok' &
  conc_call "$r" kill kill "$id" "$sig" &
  conc_call "$r" start start "$id" &
  conc_call "$r" pause pause "$id" &
  conc_call "$r" resume resume "$id" &
  conc_call "$r" update update --pids-limit 200 "$id" &
  conc_call "$r" state1 state "$id" &
  conc_call "$r" state2 state "$id" &
  wait
  del_end=$(awk '$1 == "delete" { print $3 }' "$tmp/c$r.log")
  while read -r name t0 t1 rc; do
    note op "$name"
    if is_hang "$rc" $((t1 - t0)); then
      note hang "$name did not end within ${call_timeout}s"
    elif [ "${name#exec}" != "$name" ] && [ "$rc" = 137 ]; then
      : # exec passes on the 137 of its process, killed by the concurrent kill
    elif is_crash "$rc"; then
      note crash "$name (status $rc)"
    elif [ "$rc" != 0 ] && [ ! -s "$tmp/c$r.$name.err" ]; then
      note nomsg "$name (status $rc)"
    fi
    [ "$name" = delete ] && [ "$rc" != 0 ] && note wrong "delete --force failed: $(head -c 200 "$tmp/c$r.delete.err")"
    if [ "$name" != delete ] && [ "$rc" = 0 ] && [ -n "$del_end" ] && [ "$t0" -gt "$del_end" ]; then
      note wrong "$name succeeded after delete had returned"
    fi
    case $name in
    state*)
      if [ "$rc" = 0 ]; then
        st=$(jq -r .status "$tmp/c$r.$name.out" 2>/dev/null) || note badjson "state: $(head -c 200 "$tmp/c$r.$name.out")"
        # No create runs in this round: "creating" can only be a half-deleted container.
        case $st in created | running | paused | stopped) ;; *) note wrong "state said \`$st'" ;; esac
      fi ;;
    exec*)
      [ "$rc" = 0 ] && [ "$(cat "$tmp/c$r.$name.out")" != ok ] && note wrong "exec succeeded without output" ;;
    esac
  done <"$tmp/c$r.log"
  # The end state: gone, and said so.
  rt delete --force "$id" </dev/null >/dev/null 2>&1
  if rt state "$id" </dev/null >/dev/null 2>&1; then note wrong "round $r: state still answers after delete"; fi
  rm -f "$tmp"/c"$r".*
}

mode_concurrent() {
  local r t0 out
  t0=$SECONDS
  for ((r = 0; r < rounds; r++)); do conc_round "$r"; done
  out=$(settle_leaks)
  local ops bad
  ops=$(count conc op)
  echo "# concurrent: $runtime, $rounds rounds of 10 calls, $((SECONDS - t0)) s" >&2
  [ "$(count conc hang)" = 0 ] && report ok "concurrent: $rounds rounds, $ops calls, every call ended within ${call_timeout}s" ||
    report fail "concurrent: $(count conc hang) calls hung" "$(details conc hang)"
  bad=$(( $(count conc wrong) + $(count conc crash) + $(count conc badjson) + $(count conc nomsg) ))
  [ "$bad" = 0 ] && report ok "concurrent: no call succeeded on a deleted container, no crash or bad answer" ||
    report fail "concurrent: $bad wrong answers" "$(for k in wrong crash badjson nomsg; do details conc "$k"; done)"
  [ -z "$out" ] && report ok "concurrent: consistent end state, nothing left" ||
    report fail "concurrent: leftovers" "$(printf '%s\n' "$out" | head -20)"
  LEAKS_CONC=$(printf '%s' "$out" | grep -c . || true)
  [ -z "$out" ] || scrub
  STATS_CONC="$ops calls, $(count conc wrong) wrong, $(count conc hang) hung, $LEAKS_CONC leaks"
}

soak_worker() { # worker end-time
  W=s$1
  RES=$tmp/res/soak.$1
  local i=0 id
  while [ "$SECONDS" -lt "$2" ]; do
    id=s$1-$i
    i=$((i + 1))
    share=0
    call create create --bundle "$(bundle "$id")" "$id" || { rt delete --force "$id" >/dev/null 2>&1; continue; }
    call start start "$id"
    # A second-long exec: a runtime process alive when the sampler looks.
    call exec exec "$id" sleep 1
    call kill kill "$id" KILL
    wait_stopped "$id"
    call delete delete "$id" || rt delete --force "$id" >/dev/null 2>&1
    rm -rf "$tmp/bundles/$id"
  done
}

# Every 5 s: the runtime processes alive (fds, RSS), the host's open files,
# our cgroups and mounts.
sampler() { # end-time
  local p fds rss maxfd maxrss n
  while [ "$SECONDS" -lt "$1" ]; do
    maxfd=0 maxrss=0 n=0
    for p in $(marked_pids); do
      [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$bin" ] || continue
      fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
      rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null)
      [ -n "$rss" ] || continue
      n=$((n + 1))
      [ "$fds" -gt "$maxfd" ] && maxfd=$fds
      [ "$rss" -gt "$maxrss" ] && maxrss=$rss
    done
    printf '%s %s %s %s %s %s\n' "$SECONDS" "$n" "$maxfd" "$maxrss" \
      "$(awk '{ print $1 }' /proc/sys/fs/file-nr)" "$(cgroup_dirs | wc -l)" >>"$tmp/soak.samples"
    sleep 5
  done
}

mode_soak() {
  local w end out t0=$SECONDS
  end=$((SECONDS + duration))
  for ((w = 0; w < soak_workers; w++)); do soak_worker "$w" "$end" & done
  sampler "$end" &
  wait
  out=$(settle_leaks)
  local ops
  ops=$(count soak op)
  echo "# soak: $runtime, $soak_workers workers, $((SECONDS - t0)) s, $ops calls; samples (s, runtime procs, max fds, max RSS KiB, host files, cgroups):" >&2
  sed 's/^/#   /' "$tmp/soak.samples" >&2
  # Flat: the max fd count and max RSS of the last third of the samples
  # are no more than those of the first third (+1 fd, +10 % RSS).
  local verdict
  verdict=$(awk '$2 > 0 { fd[++n] = $3; rss[n] = $4 }
    END {
      if (n < 3) { print "too few samples (" n ")"; exit }
      k = int(n / 3); if (k < 1) k = 1
      for (i = 1; i <= k; i++) { if (fd[i] > f1) f1 = fd[i]; if (rss[i] > r1) r1 = rss[i] }
      for (i = n - k + 1; i <= n; i++) { if (fd[i] > f2) f2 = fd[i]; if (rss[i] > r2) r2 = rss[i] }
      if (f2 > f1 + 1 || r2 > r1 * 1.1 + 512) printf "grew: fds %d -> %d, RSS %d -> %d KiB\n", f1, f2, r1, r2
      else printf "flat: fds %d -> %d, RSS %d -> %d KiB\n", f1, f2, r1, r2
    }' "$tmp/soak.samples")
  case $verdict in
  flat*) report ok "soak: $ops calls in $duration s, $verdict" ;;
  *) report fail "soak: $ops calls in $duration s, $verdict" ;;
  esac
  local bad=$(( $(count soak crash) + $(count soak hang) + $(count soak nomsg) ))
  [ "$bad" = 0 ] && [ -z "$out" ] && report ok "soak: no crash, hang or leftover" ||
    report fail "soak: $bad bad calls, $(printf '%s' "$out" | grep -c .) leftovers" \
      "$(for k in crash hang nomsg; do details soak "$k"; done)" "$(printf '%s\n' "$out" | head -10)"
  STATS_SOAK="$ops calls, $verdict"
}

echo "# chaos: $runtime ($bin), modes $modes, seed $seed" >&2
[ "$tap" = 1 ] && echo "TAP version 13"
IFS=, read -ra mode_list <<<"$modes"
for m in "${mode_list[@]}"; do
  case $m in
  kill) mode_kill ;;
  concurrent) mode_concurrent ;;
  soak) mode_soak ;;
  *) echo "chaos: unknown mode \`$m'" >&2; exit 2 ;;
  esac
done
[ "$tap" = 1 ] && echo "1..$n_test"
echo "# summary: $runtime: ${STATS_KILL:+kill: $STATS_KILL; }${STATS_CONC:+concurrent: $STATS_CONC; }${STATS_SOAK:+soak: $STATS_SOAK}" >&2
[ "$n_failed" = 0 ]
