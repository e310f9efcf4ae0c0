#!/usr/bin/env bats
# docker.io 20.10 (Debian 12) on containerd 1.6 with minirt as the default
# runtime (`dockerd --add-runtime minirt=… --default-runtime minirt`): each
# test is something a docker user does, checked through docker.
# RUNTIME=/usr/sbin/runc runs the same tests on runc.

load lib/containerd-helpers.sh

# `run --separate-stderr`: the daemon may add warnings of its own to stderr
# (network, swap accounting) on some hosts; exact comparisons are of stdout.
bats_require_minimum_version 1.5.0

DOCKER_IMAGE=minirt-test/busybox

setup_file() {
  command -v dockerd >/dev/null || skip "docker.io not installed (tests/deps.sh)"
  world_setup docker || return 1
  dk load -i "$W/image.tar" >/dev/null
}

teardown_file() {
  world_teardown
}

setup() {
  command -v dockerd >/dev/null || skip "docker.io not installed (tests/deps.sh)"
  NAME=d$BATS_TEST_NUMBER
}

teardown() {
  local c
  for c in $(dk ps -aq 2>/dev/null); do
    dk rm -f "$c" >/dev/null 2>&1
  done
  return 0
}

# Debian's client (/usr/local/bin may hold a newer one) on our daemon.
dk() {
  timeout 120 /usr/bin/docker -H "unix://$W/docker.sock" "$@"
}

# A detached container $NAME running $@ (default: sleep).
run_detached() {
  local opts=()
  while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] || set -- sleep 1000
  dk run -d --name "$NAME" "${opts[@]}" "$DOCKER_IMAGE" "$@" </dev/null >/dev/null 2>&1
}

container_id() {
  dk inspect -f '{{.Id}}' "$NAME"
}

docker_state() {
  dk inspect -f '{{.State.Status}}' "$NAME"
}

state_is() {
  [ "$(docker_state)" = "$1" ]
}

@test "docker run prints the output and propagates the exit code" {
  run dk run --rm "$DOCKER_IMAGE" sh -c 'echo hello from minirt; exit 3'
  assert_status 3
  assert_output_contains "hello from minirt"
  run dk ps -aq
  assert_equal "$output" ""
}

@test "docker run: a missing command fails with the runtime's message" {
  run ! dk run --rm "$DOCKER_IMAGE" no-such-command
  assert_output_contains "OCI runtime create failed"
  assert_output_contains "no-such-command"
}

# The docker CLI maps the runtime's message to the exit code, case
# sensitively: "executable file not found" or "no such file or directory"
# -> 127, "permission denied" -> 126, anything else -> 125.
@test "docker run: a missing command exits 127, a non-executable one 126" {
  run -126 dk run --rm "$DOCKER_IMAGE" /etc/passwd
  local bad="" cmd out rc
  for cmd in /no/such/file no-such-command; do
    rc=0
    out=$(dk run --rm "$DOCKER_IMAGE" "$cmd" 2>&1) || rc=$?
    [ "$rc" -eq 127 ] || bad="$bad $cmd: $rc ($out);"
  done
  assert_equal "$bad" ""
}

@test "docker run -e, -w, --hostname reach the process" {
  run --separate-stderr dk run --rm -e GREETING=hi -w /tmp --hostname box "$DOCKER_IMAGE" \
    sh -c 'echo "$GREETING in $(pwd) on $(hostname)"'
  assert_success
  assert_equal "$output" "hi in /tmp on box"
}

@test "docker run -d: the container runs under minirt's state root" {
  run_detached
  retry 50 state_is running
  local id
  id=$(container_id)
  run "$RUNTIME" --root "$W/docker/exec/runtime-runc/moby" state "$id"
  assert_success
  assert_equal "$(echo "$output" | jq -r .status)" running
  run dk top "$NAME"
  assert_success
  assert_output_contains "sleep 1000"
}

@test "docker exec: plain, -u, -e, -w and the exit code" {
  run_detached
  run dk exec "$NAME" sh -c 'id -u; pwd'
  assert_success
  assert_equal "${lines[*]}" "0 /"
  run dk exec -u 1000 -e FOO=bar -w /tmp "$NAME" sh -c 'id -u; echo "$FOO"; pwd'
  assert_success
  assert_equal "${lines[*]}" "1000 bar /tmp"
  run dk exec "$NAME" sh -c 'exit 4'
  assert_status 4
}

@test "docker exec -t gives the process a terminal" {
  run_detached
  run script -qec "/usr/bin/docker -H unix://$W/docker.sock exec -t $NAME sh -c 'test -t 0 && test -t 1 && echo on-a-tty'" /dev/null </dev/null
  assert_success
  assert_output_contains "on-a-tty"
}

@test "docker stop: SIGTERM first, the exit status is kept" {
  run_detached sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
  retry 50 state_is running
  run dk stop -t 10 "$NAME"
  assert_success
  assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$NAME")" 42
  assert_equal "$(docker_state)" exited
}

@test "docker kill sends SIGKILL; killing a stopped container fails" {
  run_detached
  retry 50 state_is running
  run dk kill "$NAME"
  assert_success
  retry 50 state_is exited
  assert_equal "$(dk inspect -f '{{.State.ExitCode}}' "$NAME")" 137
  run dk kill "$NAME"
  assert_failure
  assert_output_contains "is not running"
}

@test "docker rm -f removes a running container and its runtime state" {
  run_detached
  retry 50 state_is running
  local id
  id=$(container_id)
  [ -d "$W/docker/exec/runtime-runc/moby/$id" ]
  run dk rm -f "$NAME"
  assert_success
  run dk ps -aq
  assert_equal "$output" ""
  [ ! -e "$W/docker/exec/runtime-runc/moby/$id" ]
  [ ! -d "/sys/fs/cgroup/pids/$CG_PARENT/$id" ]
}

@test "docker pause and unpause freeze and thaw the container" {
  run_detached
  retry 50 state_is running
  run dk pause "$NAME"
  assert_success
  assert_equal "$(docker_state)" paused
  assert_equal "$(cat "/sys/fs/cgroup/freezer/$CG_PARENT/$(container_id)/freezer.state")" FROZEN
  run dk unpause "$NAME"
  assert_success
  run dk exec "$NAME" echo alive
  assert_equal "$output" alive
}

@test "docker update --cpu-shares and --memory change the live cgroup" {
  run_detached
  retry 50 state_is running
  local id
  id=$(container_id)
  run dk update --cpu-shares 512 "$NAME"
  assert_success
  assert_equal "$(cat "/sys/fs/cgroup/cpu/$CG_PARENT/$id/cpu.shares")" 512
  run dk update --memory 64m --memory-swap 128m "$NAME"
  assert_success
  assert_equal "$(cat "/sys/fs/cgroup/memory/$CG_PARENT/$id/memory.limit_in_bytes")" 67108864
  # the earlier update is kept (0 means unchanged)
  assert_equal "$(cat "/sys/fs/cgroup/cpu/$CG_PARENT/$id/cpu.shares")" 512
}

@test "docker run --read-only: the rootfs cannot be written, tmpfs can" {
  run dk run --rm --read-only --tmpfs /scratch "$DOCKER_IMAGE" \
    sh -c 'touch /scratch/ok && touch /x'
  assert_failure
  assert_output_contains "Read-only file system"
}

@test "docker run --user and a direct minirt exec see the configured uid" {
  run --separate-stderr dk run --rm --user 1000:1000 "$DOCKER_IMAGE" id
  assert_success
  assert_equal "$output" "uid=1000(user) gid=1000(user) groups=1000(user)"
  run_detached --user=1000
  retry 50 state_is running
  run "$RUNTIME" --root "$W/docker/exec/runtime-runc/moby" exec "$(container_id)" id -u
  assert_success
  assert_equal "$output" 1000
}

@test "docker run --cap-drop ALL --cap-add keeps only the added capability" {
  run --separate-stderr dk run --rm --cap-drop ALL --cap-add NET_RAW "$DOCKER_IMAGE" \
    sh -c 'grep -E "^Cap(Eff|Bnd)" /proc/self/status'
  assert_success
  assert_equal "${lines[*]}" "$(printf 'CapEff:\t0000000000002000 CapBnd:\t0000000000002000')"
  run dk run --rm --cap-drop CHOWN "$DOCKER_IMAGE" chown 1000 /tmp
  assert_failure
  assert_output_contains "Operation not permitted"
}

@test "docker's default seccomp profile is applied, unconfined removes it" {
  run --separate-stderr dk run --rm "$DOCKER_IMAGE" grep '^Seccomp:' /proc/self/status
  assert_equal "$output" "$(printf 'Seccomp:\t2')"
  run --separate-stderr dk run --rm --security-opt seccomp=unconfined "$DOCKER_IMAGE" grep '^Seccomp:' /proc/self/status
  assert_equal "$output" "$(printf 'Seccomp:\t0')"
}

@test "docker run --init runs docker-init as pid 1" {
  run dk run --rm --init "$DOCKER_IMAGE" ps -o pid,args
  assert_success
  assert_output_contains "1 /sbin/docker-init -- ps"
}

@test "docker run --pids-limit and --memory set the container's cgroup" {
  run --separate-stderr dk run --rm --pids-limit 10 --memory 32m "$DOCKER_IMAGE" \
    cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes
  assert_success
  assert_equal "${lines[*]}" "10 33554432"
}

@test "docker run --pids-limit stops a fork bomb at the limit" {
  run dk run --rm --pids-limit 5 "$DOCKER_IMAGE" \
    sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; wait'
  assert_output_contains "fork"
}

@test "docker run --sysctl sets a namespaced sysctl" {
  run --separate-stderr dk run --rm --sysctl net.ipv4.ip_forward=1 "$DOCKER_IMAGE" cat /proc/sys/net/ipv4/ip_forward
  assert_success
  assert_equal "$output" 1
}

@test "docker restart runs the container again" {
  run_detached
  retry 50 state_is running
  run dk restart -t 1 "$NAME"
  assert_success
  retry 50 state_is running
  run dk exec "$NAME" echo back
  assert_equal "$output" back
}
