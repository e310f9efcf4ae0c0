#!/usr/bin/env bats
# No fd of the runtime reaches the container; the runtime is not dumpable.

load ../integration/helpers

@test "the init process sees only fds 0-2" {
  cfg_edit '.process.args = ["ls", "/proc/self/fd"]'
  rt run --bundle "$BUNDLE" "$ID" 3</dev/null 7</dev/null
  assert_success
  # ls itself opens one fd for the directory it lists.
  [ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "an exec'd process sees only fds 0-2" {
  create_started
  rt exec "$ID" ls /proc/self/fd 5</dev/null
  assert_success
  [ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "--preserve-fds passes exactly the given fds" {
  cfg_edit '.process.args = ["ls", "/proc/self/fd"]'
  rt run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3</dev/null 4</dev/null 5</dev/null
  assert_success
  [ "$(echo "$output" | tr '\n' ' ')" = "0 1 2 3 4 5 " ]
}

# A gap in the --preserve-fds range once handed the runtime's own state
# directory (fd 3, opened where the caller had passed nothing) to the
# container: a directory fd of the host is a way out of the rootfs. bats's
# own fds 3 and 4 are closed to make that gap.
@test "exec --preserve-fds with fds missing passes none of the runtime's" {
  create_started
  rt exec --preserve-fds 4 "$ID" sh -c 'for f in /proc/self/fd/*; do echo "$f $(readlink "$f")"; done' 3>&- 4>&-
  assert_success
  echo "$output"
  # Only the shell's own directory fd (gone by the readlink) may show.
  [[ "$output" != *"$STATE_ROOT"* ]]
  [ -z "$(echo "$output" | grep -E "^/proc/self/fd/([3-9]|[1-9][0-9]+) .")" ]
}

# The same gap on `run`: the init, waiting for the start half, kept the
# state directory (fd 3) open with its flock, and the start half of the
# same command waited on that lock forever (SIGTERM could not end it).
@test "run --preserve-fds with fds missing neither hangs nor passes the runtime's" {
  cfg_edit '.process.args = ["sh", "-c", "for f in /proc/self/fd/*; do echo \"$f $(readlink $f)\"; done"]'
  run timeout -s KILL 20 "$MINIRT" --root "$STATE_ROOT" run --preserve-fds 3 \
    --bundle "$BUNDLE" "$ID" 3>&- 4</dev/null 5>&-
  echo "$output"
  assert_success
  [[ "$output" != *"$STATE_ROOT"* ]]
  [ "$(echo "$output" | grep -cE "^/proc/self/fd/4 /dev/null$")" = 1 ]
  [ -z "$(echo "$output" | grep -E "^/proc/self/fd/([5-9]|[1-9][0-9]+) .")" ]
}
