#!/usr/bin/env bats
# Faults a runtime meets in production (docs/reliability.md): a full or
# read-only --root, state files left broken by a crash, a killed start, a
# delete racing a waiting command, and a recycled pid.

load helpers

setup() {
  setup_minirt
  OTHER=$ID-other
  # The other container's bundle: the same rootfs, a cgroup of its own.
  BUNDLE2=$TEST_DIR/bundle2
  mkdir -p "$BUNDLE2"
  jq --arg r "$BUNDLE/rootfs" --arg cg "/$CG_PARENT/$OTHER" \
    '.root.path = $r | .linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$BUNDLE2/config.json"
}

start_other() {
  minirt create --bundle "$BUNDLE2" "$OTHER"
  minirt start "$OTHER"
}

teardown() {
  mountpoint -q "$STATE_ROOT" && mount -o remount,rw "$STATE_ROOT" 2>/dev/null
  teardown_minirt
}

# A tmpfs of its own as --root (teardown detaches it).
tmpfs_root() { # mount options
  mkdir -p "$STATE_ROOT"
  mount -t tmpfs -o "$1" chaos-root "$STATE_ROOT"
}

init_pid() { state_field "$1" pid; }

# Container $1 is gone with everything of it; $2 is its old init pid.
assert_gone() {
  assert_no_traces "$1"
  if [ -n "${2:-}" ]; then
    for _ in $(seq 50); do
      [ "$(awk '{print $3}' "/proc/$2/stat" 2>/dev/null)" = Z ] || [ ! -e "/proc/$2" ] && break
      sleep 0.1
    done
    [ ! -e "/proc/$2" ] || [ "$(awk '{print $3}' "/proc/$2/stat")" = Z ] ||
      { echo "init $2 of $1 still runs" >&2; return 1; }
  fi
  rt state "$1"
  assert_failure
  assert_output_contains "does not exist"
}

# The container still answers state, exec and kill as a healthy one.
assert_usable() {
  assert_equal "$(state_field "$1" status)" running
  rt exec "$1" echo alive
  assert_success
  assert_equal "$output" alive
}

@test "create on a full --root fails naming the path, leaves nothing, and the others keep working" {
  tmpfs_root size=512k
  start_other
  # Fill what is left; directories take no blocks, files do.
  dd if=/dev/zero of="$STATE_ROOT/fill" bs=4k 2>/dev/null || true
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "$STATE_ROOT/$ID"
  assert_output_contains "No space left on device"
  assert_no_traces "$ID"
  assert_equal "$(ls -A "$STATE_ROOT" | LC_ALL=C sort | tr "\n" " ")" "fill $OTHER "
  assert_usable "$OTHER"
  pid=$(init_pid "$OTHER")
  rt delete --force "$OTHER"
  assert_success
  assert_gone "$OTHER" "$pid"
}

@test "create with no inode left on --root fails naming the path and leaves nothing" {
  tmpfs_root nr_inodes=16
  start_other
  for i in $(seq 20); do touch "$STATE_ROOT/f$i" 2>/dev/null || break; done
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "$STATE_ROOT"
  assert_output_contains "No space left on device"
  assert_no_traces "$ID"
  [ -z "$(ls -A "$STATE_ROOT" | grep '^\.creating')" ]
  assert_usable "$OTHER"
}

@test "a read-only --root: create fails naming the path, existing containers run on, delete says why" {
  tmpfs_root size=4m
  start_other
  mount -o remount,ro "$STATE_ROOT"
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "$STATE_ROOT/$ID"
  assert_output_contains "Read-only file system"
  assert_no_traces "$ID"
  assert_usable "$OTHER"
  rt kill "$OTHER" CONT
  assert_success
  # delete refuses before it kills anything: the container still runs.
  rt delete --force "$OTHER"
  assert_failure
  assert_output_contains "$STATE_ROOT/$OTHER"
  assert_output_contains "read-only file system"
  assert_usable "$OTHER"
  mount -o remount,rw "$STATE_ROOT"
  pid=$(init_pid "$OTHER")
  rt delete --force "$OTHER"
  assert_success
  assert_gone "$OTHER" "$pid"
}

# Breaks $ID's status.json with $1, then checks every command on both.
broken_status_story() {
  create_started "$ID"
  start_other
  pid=$(init_pid "$ID")
  f=$STATE_ROOT/$ID/status.json
  case $1 in
  empty) : >"$f" ;;
  truncated) head -c $(($(stat -c %s "$f") / 2)) "$f" >"$f.x" && mv "$f.x" "$f" ;;
  garbage) head -c 300 /dev/urandom >"$f" ;;
  wrongtype) echo '{"id": 7, "pid": "x"}' >"$f" ;;
  esac
  for cmd in state ps "exec $ID true" "delete $ID"; do
    set -- $cmd
    [ "$1" = exec ] || [ "$1" = delete ] || set -- "$1" "$ID"
    rt "$@"
    assert_status 1
    assert_output_contains "container \`$ID\` is broken"
    assert_output_contains "$STATE_ROOT/$ID/status.json"
  done
  # The others are served as before.
  assert_usable "$OTHER"
  rt ps "$OTHER"
  assert_success
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" list --format json
  assert_success
  assert_equal "$(echo "$output" | jq -r '[.[].id] | join(" ")')" "$OTHER"
  case $stderr in *"container \`$ID\` is broken"*) ;; *) echo "list stderr: $stderr" >&2; false ;; esac
  rt list -q
  assert_output_contains "$ID"
  # delete --force removes it with its processes and cgroups.
  rt delete --force "$ID"
  assert_success
  assert_gone "$ID" "$pid"
  assert_usable "$OTHER"
}

@test "an empty status.json: commands say the container is broken, delete --force removes it" {
  broken_status_story empty
}

@test "a truncated status.json: commands say the container is broken, delete --force removes it" {
  broken_status_story truncated
}

@test "a garbage status.json: commands say the container is broken, delete --force removes it" {
  broken_status_story garbage
}

@test "a status.json of the wrong shape: commands say the container is broken, delete --force removes it" {
  broken_status_story wrongtype
}

@test "a broken config.json: exec names it, state and delete --force still work" {
  create_started "$ID"
  pid=$(init_pid "$ID")
  echo '{"ociVersion": ' >"$STATE_ROOT/$ID/config.json"
  rt exec "$ID" true
  assert_status 1
  assert_output_contains "container \`$ID\` is broken"
  assert_output_contains "$STATE_ROOT/$ID/config.json"
  assert_equal "$(state_field "$ID" status)" running
  rt delete --force "$ID"
  assert_success
  assert_gone "$ID" "$pid"
}

@test "status.json and config.json both broken: delete --force still finds the cgroup and the processes" {
  # The default cgroup path of the id: the only one left to find.
  cfg_edit 'del(.linux.cgroupsPath)'
  create_started "$ID"
  pid=$(init_pid "$ID")
  cg=$(awk -F: '$2 ~ /(^|,)pids(,|$)/ { print $3 }' "/proc/$pid/cgroup")
  [ -n "$cg" ] && [ -d "/sys/fs/cgroup/pids$cg" ]
  echo garbage >"$STATE_ROOT/$ID/status.json"
  echo garbage >"$STATE_ROOT/$ID/config.json"
  rt delete --force "$ID"
  assert_success
  assert_gone "$ID" "$pid"
  [ ! -d "/sys/fs/cgroup/pids$cg" ] || { echo "cgroup $cg left" >&2; false; }
}

@test "a start killed after its write (exec.fifo left behind): state says running, start refuses" {
  minirt create --bundle "$BUNDLE" "$ID"
  # What a start killed between the write and the unlink leaves: the byte
  # was read, the fifo is still there.
  printf 0 >"$STATE_ROOT/$ID/exec.fifo"
  for _ in $(seq 50); do
    [ "$(state_field "$ID" status)" = running ] && break
    sleep 0.1
  done
  assert_equal "$(state_field "$ID" status)" running
  [ ! -e "$STATE_ROOT/$ID/exec.fifo" ]
  rt start "$ID"
  assert_failure
  assert_output_contains "it is running, not created"
  rt exec "$ID" echo alive
  assert_equal "$output" alive
}

@test "a command that waited for the lock while the directory was deleted says it does not exist" {
  minirt create --bundle "$BUNDLE" "$ID"
  pid=$(init_pid "$ID")
  kill -9 "$pid"
  # Hold the container's lock as a delete would, then remove the directory.
  flock "$STATE_ROOT/$ID" -c "sleep 0.5; rm -rf '$STATE_ROOT/$ID'" &
  holder=$!
  sleep 0.2
  for cmd in state start "kill $ID KILL" "delete $ID"; do
    set -- $cmd
    [ $# -gt 1 ] || set -- "$1" "$ID"
    "$MINIRT" --root "$STATE_ROOT" "$@" >"$TEST_DIR/$1.out" 2>&1 &
  done
  wait "$holder"
  wait
  for c in state start kill delete; do
    grep -q "container \`$ID\` does not exist" "$TEST_DIR/$c.out" ||
      { echo "$c: $(cat "$TEST_DIR/$c.out")" >&2; false; }
  done
}

@test "the temp directory of a create killed before its rename is swept, a live one is kept" {
  mkdir -p "$STATE_ROOT/.creating.1.1" "$STATE_ROOT/.creating.2.2"
  flock "$STATE_ROOT/.creating.2.2" -c "sleep 2" &
  holder=$!
  sleep 0.2
  rt list -q
  assert_success
  [ ! -e "$STATE_ROOT/.creating.1.1" ]
  [ -d "$STATE_ROOT/.creating.2.2" ]
  wait "$holder"
  rmdir "$STATE_ROOT/.creating.2.2"
}

# The state store records the init's start time; another process that got
# the pid (here: the pid written into status.json, as after a reuse) must
# never be signalled, joined or reported.
@test "a dead init's pid taken by another process: nothing signals, joins or reports it" {
  create_started "$ID"
  pid=$(init_pid "$ID")
  kill -9 "$pid"
  for _ in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  sleep 1000 &
  other=$!
  echo "$other" >"$TEST_DIR/other.pid"
  jq --argjson p "$other" '.pid = $p' "$STATE_ROOT/$ID/status.json" >"$TEST_DIR/s" &&
    mv "$TEST_DIR/s" "$STATE_ROOT/$ID/status.json"
  rt state "$ID"
  assert_success
  assert_equal "$(echo "$output" | jq -r .status)" stopped
  assert_equal "$(echo "$output" | jq -r '.pid // 0')" 0
  rt kill "$ID" KILL
  assert_failure
  rt exec "$ID" true
  assert_failure
  rt ps --format json "$ID"
  [ "$status" -ne 0 ] || [[ "$output" != *"$other"* ]]
  rt delete "$ID"
  assert_success
  assert_no_traces "$ID"
  kill -0 "$other"
  [ "$(awk '{print $3}' /proc/$other/stat)" != Z ]
}

@test "pid reuse for real in a pid namespace: the new owner of the pid is left alone" {
  # In a pid namespace of our own, ns_last_pid hands the dead init's pid to
  # the next fork: a real reuse, with a real, different start time.
  run unshare --pid --fork --mount-proc bash -s "$MINIRT" "$STATE_ROOT" "$BUNDLE" "$ID" <<'EOS'
set -u
M=$1 R=$2 B=$3 I=$4
m() { "$M" --root "$R" "$@"; }
m create --bundle "$B" "$I" </dev/null >/dev/null || exit 10
m start "$I" || exit 11
pid=$(m state "$I" | jq -r .pid)
kill -9 "$pid"
for _ in $(seq 50); do m state "$I" | jq -e '.status == "stopped"' >/dev/null && break; sleep 0.1; done
echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
sleep 1000 &
[ "$!" = "$pid" ] || { echo "pid $pid not reused (got $!)"; exit 12; }
[ "$(m state "$I" | jq -r .status)" = stopped ] || { echo "state not stopped"; exit 13; }
m kill "$I" KILL 2>/dev/null && { echo "kill succeeded"; exit 14; }
m exec "$I" true 2>/dev/null && { echo "exec succeeded"; exit 15; }
m delete "$I" || exit 16
kill -0 "$pid" && [ "$(awk '{print $3}' /proc/$pid/stat)" = S ] || { echo "reused pid was hit"; exit 17; }
echo reuse-ok
EOS
  echo "$output" >&2
  assert_success
  assert_output_contains reuse-ok
  assert_no_traces "$ID"
}

# delete removes the known files and then the directory; only when that
# rmdir finds something left does it list the directory: a stray temp file
# of an interrupted write must still go.
@test "delete removes stray temp files in the state dir too" {
  minirt create --bundle "$BUNDLE" "$ID"
  : >"$STATE_ROOT/$ID/.status.json.tmp.99999"
  : >"$STATE_ROOT/$ID/.config.json.tmp.99999"
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

# start writes to the fd its live-status check opened: that open happens
# under the lock, so a second start (or a start after the init died) sees
# the state and not a stale fd.
@test "start twice: the second one says the container is running" {
  minirt create --bundle "$BUNDLE" "$ID"
  minirt start "$ID"
  [ ! -e "$STATE_ROOT/$ID/exec.fifo" ]
  assert_equal "$(state_field "$ID" status)" running
  rt start "$ID"
  assert_failure
  assert_output_contains "it is running, not created"
}

@test "start after the init was killed says the container is stopped" {
  minirt create --bundle "$BUNDLE" "$ID"
  kill -9 "$(state_field "$ID" pid)"
  for _ in $(seq 50); do
    [ "$(state_field "$ID" status)" = stopped ] && break
    sleep 0.1
  done
  rt start "$ID"
  assert_failure
  assert_output_contains "it is stopped, not created"
  minirt delete "$ID"
  assert_no_traces "$ID"
}

# The sweep reads the root with getdents64 in 16 KB batches: a root whose
# listing takes several batches is swept to the end.
@test "the sweep of killed creates reaches every entry of a large --root" {
  mkdir -p "$STATE_ROOT"
  for i in $(seq 600); do
    mkdir "$STATE_ROOT/.creating.$i.padding-padding-padding-padding-$i"
  done
  minirt create --bundle "$BUNDLE" "$ID"
  [ -z "$(ls -A "$STATE_ROOT" | grep '^\.creating')" ]
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}
