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
