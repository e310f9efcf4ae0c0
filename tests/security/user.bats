#!/usr/bin/env bats
# exec --user must change the process's ids and never touch host files.

load ../integration/helpers

@test "exec -u 1 runs as uid 1" {
  create_started
  rt exec -u 1 "$ID" id -u
  assert_success
  assert_equal "$output" 1
  rt exec --user 1:2 "$ID" id -g
  assert_equal "$output" 2
}

@test "exec --user with stdio on /dev/null does not chown the host /dev/null" {
  before=$(stat -c '%u:%g %a' /dev/null)
  create_started
  "$MINIRT" --root "$STATE_ROOT" exec --user 1000:1000 "$ID" true </dev/null >/dev/null 2>&1
  "$MINIRT" --root "$STATE_ROOT" exec --user 1000:1000 -d "$ID" true </dev/null >/dev/null 2>&1
  assert_equal "$(stat -c '%u:%g %a' /dev/null)" "$before"
}

@test "a terminal exec as another user does not chown a host tty" {
  before=$(stat -c '%u:%g %a' /dev/null)
  create_started
  run timeout 10 script -qec "$MINIRT --root $STATE_ROOT exec -t --user 1000 $ID id -u" /dev/null </dev/null
  assert_output_contains 1000
  assert_equal "$(stat -c '%u:%g %a' /dev/null)" "$before"
}
