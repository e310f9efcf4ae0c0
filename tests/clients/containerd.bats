#!/usr/bin/env bats
# containerd 1.6 (Debian 12) + its runc v2 shim with minirt as the runtime
# binary (`ctr run --runc-binary`): each test is something a ctr user does,
# checked through ctr. RUNTIME=/usr/sbin/runc runs the same tests on runc.

load lib/containerd-helpers.sh

setup_file() {
  command -v containerd >/dev/null || skip "containerd not installed (tests/deps.sh)"
  world_setup || return 1
  ctr_ images import "$W/image.tar" >/dev/null
}

teardown_file() {
  world_teardown
}

setup() {
  command -v containerd >/dev/null || skip "containerd not installed (tests/deps.sh)"
  ID=c$BATS_TEST_NUMBER
}

teardown() {
  local c
  for c in $(ctr_ containers ls -q 2>/dev/null); do
    ctr_ tasks delete --force "$c" >/dev/null 2>&1
    ctr_ containers delete "$c" >/dev/null 2>&1
  done
  return 0
}

ctr_() {
  ctr -a "$W/containerd.sock" -n "$NS" "$@"
}

# `ctr run` with our runtime, its state root visible from the host, IO
# fifos and cgroup in the test world.
ctr_run() {
  ctr_ run --runc-binary "$RUNTIME" --runc-root "$W/runc" \
    --fifo-dir "$W/fifo" --cgroup "/$CG_PARENT/${ID}" "$@"
}

# A detached container running $@ (default: sleep); never holds bats' fds.
run_detached() {
  [ $# -gt 0 ] || set -- sleep 1000
  ctr_run -d "${RUN_OPTS[@]}" "$IMAGE" "$ID" "$@" </dev/null >/dev/null 2>&1
}

ctr_exec() { # exec-id args...
  local eid=$1; shift
  ctr_ tasks exec --fifo-dir "$W/fifo" --exec-id "$eid" "$@"
}

task_status() {
  ctr_ tasks ls | awk -v id="$1" '$1 == id { print $3 }'
}

status_is() {
  [ "$(task_status "$1")" = "$2" ]
}

@test "ctr run prints the output and propagates the exit code" {
  run ctr_run --rm "$IMAGE" "$ID" sh -c 'echo hello from minirt; exit 3'
  assert_status 3
  assert_output_contains "hello from minirt"
  run ctr_ containers ls -q
  assert_equal "$output" ""
  [ ! -e "$W/runc/$NS/$ID" ]
}

@test "ctr run: a missing command fails with the runtime's message" {
  run ctr_run --rm "$IMAGE" "$ID" no-such-command
  assert_failure
  assert_output_contains "OCI runtime create failed"
  assert_output_contains "no-such-command"
  run ctr_ containers ls -q
  assert_equal "$output" ""
}

@test "ctr run --env and --cwd reach the process" {
  run ctr_run --rm --env GREETING=hi --cwd /tmp "$IMAGE" "$ID" \
    sh -c 'echo "$GREETING in $(pwd)"'
  assert_success
  assert_equal "$output" "hi in /tmp"
}

@test "ctr run -d: the task runs, ctr task ps lists its init" {
  run_detached
  retry 50 status_is "$ID" RUNNING
  local pid
  pid=$(ctr_ tasks ls | awk -v id="$ID" '$1 == id { print $2 }')
  run ctr_ tasks ps "$ID"
  assert_success
  assert_output_contains "$pid"
  [ "$(cat "/proc/$pid/comm")" = sleep ]
  # the init is in the cgroup ctr asked for
  grep -q "^$pid\$" "/sys/fs/cgroup/pids/$CG_PARENT/$ID/cgroup.procs"
}

@test "ctr task exec: --user, --cwd, the container's env and the exit code" {
  RUN_OPTS=(--env FOO=bar)
  run_detached
  run ctr_exec e1 --user 1000 --cwd /tmp "$ID" sh -c 'id -u; pwd; echo "$FOO"'
  assert_success
  assert_equal "${lines[*]}" "1000 /tmp bar"
  run ctr_exec e2 "$ID" sh -c 'exit 5'
  assert_status 5
  run ctr_exec e3 "$ID" no-such-command
  assert_failure
  assert_output_contains "no-such-command"
}

@test "ctr task exec -t gives the process a terminal" {
  run_detached
  run script -qec "ctr -a $W/containerd.sock -n $NS tasks exec --fifo-dir $W/fifo -t --exec-id t1 $ID sh -c 'test -t 0 && test -t 1 && echo on-a-tty; tty'" /dev/null </dev/null
  assert_success
  assert_output_contains "on-a-tty"
  assert_output_contains "/dev/pts/"
}

@test "ctr task kill delivers the signal; the exit status is reported" {
  run_detached sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
  retry 50 status_is "$ID" RUNNING
  run ctr_ tasks kill "$ID"
  assert_success
  retry 50 status_is "$ID" STOPPED
  run ctr_ tasks delete "$ID"
  assert_success
  assert_output_contains "exit code 42"
  [ ! -e "$W/runc/$NS/$ID" ]
}

@test "ctr task kill --all kills every process of the container" {
  run_detached sh -c 'sleep 1000 & sleep 1000 & wait'
  retry 50 status_is "$ID" RUNNING
  retry 50 test "$(ctr_ tasks ps "$ID" | tail -n +2 | wc -l)" -eq 3
  run ctr_ tasks kill --all -s KILL "$ID"
  assert_success
  retry 50 status_is "$ID" STOPPED
  [ "$(cat "/sys/fs/cgroup/pids/$CG_PARENT/$ID/cgroup.procs" 2>/dev/null)" = "" ]
}

@test "ctr task delete and container rm leave no runtime state" {
  run_detached
  retry 50 status_is "$ID" RUNNING
  [ -d "$W/runc/$NS/$ID" ]
  ctr_ tasks kill -s KILL "$ID"
  retry 50 status_is "$ID" STOPPED
  run ctr_ tasks delete "$ID"
  assert_success
  run ctr_ containers delete "$ID"
  assert_success
  [ ! -e "$W/runc/$NS/$ID" ]
  [ ! -d "/sys/fs/cgroup/pids/$CG_PARENT/$ID" ]
}

@test "ctr task pause freezes the container, resume thaws it" {
  run_detached
  retry 50 status_is "$ID" RUNNING
  run ctr_ tasks pause "$ID"
  assert_success
  assert_equal "$(task_status "$ID")" PAUSED
  assert_equal "$(cat "/sys/fs/cgroup/freezer/$CG_PARENT/$ID/freezer.state")" FROZEN
  run ctr_ tasks resume "$ID"
  assert_success
  assert_equal "$(task_status "$ID")" RUNNING
  run ctr_exec e1 "$ID" echo alive
  assert_success
  assert_equal "$output" alive
}

@test "ctr task delete --force removes a running task" {
  run_detached
  retry 50 status_is "$ID" RUNNING
  run ctr_ tasks delete --force "$ID"
  assert_success
  run ctr_ tasks ls -q
  assert_equal "$output" ""
  [ ! -e "$W/runc/$NS/$ID" ]
}

@test "minirt exec and state work directly on a container that ctr made" {
  run_detached
  retry 50 status_is "$ID" RUNNING
  run "$RUNTIME" --root "$W/runc/$NS" exec "$ID" id -u
  assert_success
  assert_equal "$output" 0
  run "$RUNTIME" --root "$W/runc/$NS" state "$ID"
  assert_success
  assert_equal "$(echo "$output" | jq -r .status)" running
}

@test "the CRI plugin loads with minirt as its default runtime" {
  run ctr_ plugins ls
  assert_success
  echo "$output" | grep -E 'io.containerd.grpc.v1 +cri .* ok'
}
