#!/usr/bin/env bats
# podman container checkpoint / restore with minirt as the runtime: runs in
# the VM of tests/vm/run-v2.sh (Debian's 6.1 kernel, where criu 3.17
# starts), in the private podman world of tests/clients/lib/podman.bash.

load ../clients/lib/podman

setup_file() {
  command -v podman >/dev/null || skip "podman not installed (tests/deps.sh)"
  criu check >/dev/null 2>&1 || skip "criu cannot run on $(uname -r)"
  # The world's helpers live beside tests/clients/*.bats.
  BATS_TEST_DIRNAME=$(cd "$BATS_TEST_DIRNAME/../clients" && pwd) podman_world_setup
}

teardown_file() {
  podman_world_teardown
}

setup() {
  command -v podman >/dev/null || skip "podman not installed (tests/deps.sh)"
  criu check >/dev/null 2>&1 || skip "criu cannot run on $(uname -r)"
}

teardown() {
  pm_clean_containers
}

# The counter the container writes to its own /tmp, read through podman's
# mount of its rootfs on the host.
pm_count() {
  local m v i
  m=$(pm mount "$1" 2>/dev/null) || { echo 0; return; }
  # The writer truncates before it writes: an empty read is retried.
  for i in 1 2 3 4 5 6 7 8 9 10; do
    v=$(cat "$m/tmp/count" 2>/dev/null)
    [ -n "$v" ] && { echo "$v"; return; }
    sleep 0.05
  done
  echo 0
}

pm_wait_past() { # name value
  local i
  for i in $(seq 100); do
    [ "$(pm_count "$1")" -gt "$2" ] && return 0
    sleep 0.2
  done
  echo "counter of $1 stuck at $(pm_count "$1"), wanted > $2" >&2
  return 1
}

@test "podman container checkpoint and restore on minirt: the counter continues" {
  pm run -d --name ctr "$IMAGE" sh -c \
    'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; usleep 200000; done' >/dev/null
  pm_wait_past ctr 2
  prun container checkpoint ctr
  assert_success
  pm_wait_state ctr exited
  at=$(pm_count ctr)
  prun container restore ctr
  assert_success
  pm_wait_state ctr running
  pm_wait_past ctr "$at"
  # exec through podman into the restored container.
  prun exec ctr cat /tmp/count
  assert_success
  [ "$output" -ge "$at" ]
  prun rm -f -t 0 ctr
  assert_success
}

@test "podman container checkpoint --leave-running keeps it running" {
  pm run -d --name ctr2 "$IMAGE" sh -c \
    'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; usleep 200000; done' >/dev/null
  pm_wait_past ctr2 2
  prun container checkpoint --leave-running ctr2
  assert_success
  pm_wait_state ctr2 running
  at=$(pm_count ctr2)
  pm_wait_past ctr2 "$at"
  prun rm -f -t 0 ctr2
}
