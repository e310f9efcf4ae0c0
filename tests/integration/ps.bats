#!/usr/bin/env bats
# ps: the processes of one container, as JSON pids or the host's ps table.

load helpers

@test "ps --format json lists the init and an exec'd process" {
  create_started
  init=$(state_field "$ID" pid)
  minirt exec -d --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 999 </dev/null >/dev/null 2>&1
  rt ps --format json "$ID"
  assert_success
  echo "$output" | jq -e --argjson p "$init" 'index($p)' >/dev/null
  echo "$output" | jq -e --argjson p "$(cat "$TEST_DIR/exec.pid")" 'index($p)' >/dev/null
  [ "$(echo "$output" | jq length)" -eq 2 ]
}

@test "ps table has the PID header and only the container's processes" {
  create_started
  init=$(state_field "$ID" pid)
  rt ps "$ID"
  assert_success
  echo "$output"
  [[ "${lines[0]}" == *PID* ]]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" == *"sleep 1000"* ]]
  # Our own shell is on the host but not in the container.
  ! echo "$output" | awk 'NR > 1 { print $2 }' | grep -qx "$$"
  [ "$(echo "${lines[1]}" | awk '{ print $2 }')" = "$init" ]
}

@test "ps passes ps options through and keeps the PID column" {
  create_started
  rt ps "$ID" -o pid,comm
  assert_success
  [ "$(echo "${lines[0]}" | awk '{ print $1 }')" = PID ]
  [ "$(echo "${lines[1]}" | awk '{ print $2 }')" = sleep ]
}

@test "ps of a created but not started container lists the init" {
  minirt create --bundle "$BUNDLE" "$ID"
  rt ps --format json "$ID"
  assert_success
  [ "$(echo "$output" | jq -c .)" = "[$(state_field "$ID" pid)]" ]
}

@test "ps of a stopped container fails clearly" {
  cfg_edit '.process.args = ["true"]'
  create_started
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  rt ps "$ID"
  assert_failure
  assert_output_contains "not running"
}
