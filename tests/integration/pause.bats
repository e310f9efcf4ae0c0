#!/usr/bin/env bats
# pause and resume: the freezer stops every process of the container.

load helpers

freezer_state() { cat "/sys/fs/cgroup/freezer/$CG_PARENT/$ID/freezer.state"; }

@test "pause freezes the processes and resume thaws them" {
  # A counter printing to a file we hold: its line count is its progress.
  cfg_edit '.process.args = ["sh", "-c", "while :; do echo x; sleep 0.02; done"]'
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/count" 2>&1
  minirt start "$ID"
  sleep 0.3
  minirt pause "$ID"
  [ "$(state_field "$ID" status)" = paused ]
  [ "$(freezer_state)" = FROZEN ]
  a=$(wc -l <"$TEST_DIR/count")
  sleep 0.5
  b=$(wc -l <"$TEST_DIR/count")
  [ "$a" -gt 0 ]
  [ "$a" -eq "$b" ]
  [ "$(minirt list --format json | jq -r --arg id "$ID" '.[] | select(.id == $id) | .status')" = paused ]
  minirt resume "$ID"
  [ "$(state_field "$ID" status)" = running ]
  [ "$(freezer_state)" = THAWED ]
  sleep 0.5
  c=$(wc -l <"$TEST_DIR/count")
  [ "$c" -gt "$b" ]
}

@test "pause of a paused container and resume of a running one fail" {
  create_started
  minirt pause "$ID"
  rt pause "$ID"
  assert_failure
  assert_output_contains "already paused"
  minirt resume "$ID"
  rt resume "$ID"
  assert_failure
  assert_output_contains "not paused"
}

@test "pause of a stopped container fails clearly" {
  cfg_edit '.process.args = ["true"]'
  create_started
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  rt pause "$ID"
  assert_failure
  assert_output_contains "not running"
  rt pause nosuch
  assert_failure
  assert_output_contains "does not exist"
}

@test "a paused container can be killed and deleted" {
  create_started
  minirt pause "$ID"
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "exec into a paused container fails instead of hanging" {
  create_started
  minirt pause "$ID"
  run timeout 10 "$MINIRT" --root "$STATE_ROOT" exec "$ID" true
  [ "$status" -ne 124 ]
  assert_failure
  assert_output_contains "paused"
}
