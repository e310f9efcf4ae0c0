#!/usr/bin/env bats
# create, start, state, kill, delete: the life of one container.

load helpers

@test "create leaves the init waiting and state says created" {
  minirt create --bundle "$BUNDLE" --pid-file "$TEST_DIR/init.pid" "$ID"
  [ "$(state_field "$ID" status)" = created ]
  pid=$(state_field "$ID" pid)
  [ "$pid" = "$(cat "$TEST_DIR/init.pid")" ]
  [ -d "/proc/$pid" ]
  # The user program has not run yet: the init is still minirt.
  [ "$(cat /proc/$pid/comm)" = minirt ]
}

@test "start runs the program and state says running" {
  minirt create --bundle "$BUNDLE" "$ID"
  minirt start "$ID"
  [ "$(state_field "$ID" status)" = running ]
  pid=$(state_field "$ID" pid)
  [ "$(cat /proc/$pid/comm)" = sleep ]
}

@test "state prints the runtime-spec fields" {
  minirt create --bundle "$BUNDLE" "$ID"
  rt state "$ID"
  assert_success
  [ "$(echo "$output" | jq -r .id)" = "$ID" ]
  [ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
  [ "$(echo "$output" | jq -r .ociVersion)" != null ]
  [ "$(echo "$output" | jq -r .rootfs)" = "$BUNDLE/rootfs" ]
  [ "$(echo "$output" | jq -r .created)" != null ]
}

@test "kill KILL stops the container; delete removes every trace" {
  create_started
  pid=$(state_field "$ID" pid)
  minirt kill "$ID" KILL
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  [ "$(state_field "$ID" status)" = stopped ]
  minirt delete "$ID"
  assert_no_traces "$ID"
  rt state "$ID"
  assert_failure
  assert_output_contains "does not exist"
}

@test "kill accepts KILL, SIGKILL and 9" {
  for sig in KILL SIGKILL 9; do
    create_started "$ID-$sig"
    minirt kill "$ID-$sig" "$sig"
    minirt delete --force "$ID-$sig"
    assert_no_traces "$ID-$sig"
  done
}

@test "kill 0 succeeds while the init lives and fails once it is gone" {
  create_started
  minirt kill "$ID" 0
  [ "$(state_field "$ID" status)" = running ]
  minirt kill "$ID" KILL
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  rt kill "$ID" 0
  assert_failure
  assert_output_contains "not running"
}

@test "delete refuses a running container without --force" {
  create_started
  rt delete "$ID"
  assert_failure
  assert_output_contains "not stopped"
  [ "$(state_field "$ID" status)" = running ]
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "a duplicate id fails without touching the existing container" {
  minirt create --bundle "$BUNDLE" "$ID"
  pid=$(state_field "$ID" pid)
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "already exists"
  [ "$(state_field "$ID" pid)" = "$pid" ]
  [ "$(state_field "$ID" status)" = created ]
}

@test "invalid ids are rejected" {
  for bad in "" "a/b" ".." "$(printf 'x%.0s' $(seq 1100))"; do
    rt create --bundle "$BUNDLE" "$bad"
    assert_failure
  done
  [ -z "$(ls "$STATE_ROOT" 2>/dev/null)" ]
}

@test "run returns the program's exit status" {
  cfg_edit '.process.args = ["sh", "-c", "exit 3"]'
  rt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 3 ]
  assert_no_traces "$ID"
}

@test "run reports 128+N when the program dies of signal N" {
  "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID" &
  runner=$!
  for i in $(seq 100); do [ "$(state_field "$ID" status 2>/dev/null)" = running ] && break; sleep 0.05; done
  minirt kill "$ID" KILL
  status=0
  wait "$runner" || status=$?
  [ "$status" -eq 137 ]
}

@test "run --detach leaves the container running" {
  # The container keeps the stdio it inherits: give it none of ours.
  minirt run --detach --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  [ "$(state_field "$ID" status)" = running ]
}

@test "a failed create leaves no state dir, cgroup or process" {
  cfg_edit '.process.args = ["/does/not/exist"]'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "/does/not/exist"
  assert_no_traces "$ID"
}

@test "list shows containers in table and json" {
  minirt create --bundle "$BUNDLE" "$ID"
  rt list
  assert_success
  assert_output_contains "$ID"
  rt list --format json
  [ "$(echo "$output" | jq -r '.[0].id')" = "$ID" ]
  rt list -q
  [ "$output" = "$ID" ]
}

@test "systemd socket activation fds are passed on with LISTEN_FDS and LISTEN_PID" {
  cfg_edit '.process.args = ["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID; ls /proc/self/fd | tr \"\\n\" \" \""]'
  run sh -c 'exec env LISTEN_FDS=2 LISTEN_PID=$$ "$0" --root "$1" $4 run --bundle "$2" "$3" 3</dev/null 4</dev/null 5</dev/null' \
    "$MINIRT" "$STATE_ROOT" "$BUNDLE" "$ID" "${MINIRT_GLOBAL[*]}"
  assert_success
  [ "${lines[0]}" = "2 1" ]
  # fds 3 and 4 arrive; 5 (not announced) does not; ls opens one more.
  [ "${lines[1]}" = "0 1 2 3 4 5 " ]
}
