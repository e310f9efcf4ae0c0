#!/usr/bin/env bats
# Crash safety: minirt killed with SIGKILL at any moment of create, start,
# exec or delete leaves a state that `state` describes truthfully (or says
# does not exist) and that `delete --force` removes completely.

load ../integration/helpers

# Kills "$@" (run in the background) after $1 ms.
kill_after() {
  local ms=$1; shift
  "$MINIRT" --root "$STATE_ROOT" "$@" </dev/null >/dev/null 2>&1 &
  local pid=$!
  sleep "0.0$(printf '%02d' "$ms")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# state either fails cleanly or names a known status; delete -f cleans all.
check_and_clean() {
  run "$MINIRT" --root "$STATE_ROOT" state "$1"
  [ "$status" -lt 128 ]
  if [ "$status" -eq 0 ]; then
    case "$(echo "$output" | jq -r .status)" in
      creating|created|running|paused|stopped) ;;
      *) echo "bad state: $output" >&2; return 1 ;;
    esac
  fi
  "$MINIRT" --root "$STATE_ROOT" delete --force "$1" </dev/null >/dev/null 2>&1 || true
  assert_no_traces "$1"
}

@test "create killed at random points leaves nothing delete --force cannot remove" {
  for i in $(seq 0 2 40); do
    kill_after $((i % 30)) create --bundle "$BUNDLE" "$ID-$i"
    check_and_clean "$ID-$i"
  done
  # No init of a killed create survives (they were in our cgroup parent).
  # Zombies waiting for the host's pid 1 to reap them are dead already; a
  # SIGKILLed init may take a moment to become one.
  for _ in $(seq 30); do
    left=$(for p in $(cat /sys/fs/cgroup/*/"$CG_PARENT"/*/cgroup.procs 2>/dev/null | sort -u); do
      [ "$(awk '{print $3}' /proc/$p/stat 2>/dev/null)" = Z ] || [ ! -e /proc/$p ] || echo "$p"; done)
    [ -z "$left" ] && break
    sleep 0.1
  done
  # Reap them so teardown can remove the cgroups even when this fails.
  for p in $left; do kill -9 "$p" 2>/dev/null || true; done
  [ -z "$left" ] || { echo "processes survived: $left" >&2; ps -o pid,ppid,args -p "$(echo $left | tr ' ' ,)" >&2; false; }
}

@test "start, exec and delete killed at random points leave a truthful state" {
  for i in $(seq 0 3 30); do
    minirt create --bundle "$BUNDLE" "$ID-$i" </dev/null >/dev/null 2>&1
    kill_after $((i % 20)) start "$ID-$i"
    kill_after $((i % 20)) exec "$ID-$i" true
    kill_after $((i % 20)) delete "$ID-$i"
    check_and_clean "$ID-$i"
  done
}

# A container without a mount namespace mounts in ours: a create killed
# after its init began mounting must still leave no mount behind once
# `delete --force` has run (the record is written before the init exists).
@test "create without a mount namespace killed at random points leaves no mount" {
  cfg_edit '.linux.namespaces = [] | del(.hostname)'
  # create takes a few ms here: kill it every 0.3 ms over its first 12 ms.
  for i in $(seq 0 40); do
    "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID-$i" </dev/null >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '0.%04d' $((i * 3)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    check_and_clean "$ID-$i"
    left=$(awk -v d="$TEST_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts)
    [ -z "$left" ] || { echo "kill after $((i * 3))/10 ms: mounts left: $left" >&2; false; }
  done
}
