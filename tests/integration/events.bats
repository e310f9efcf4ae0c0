#!/usr/bin/env bats
# events: resource statistics and OOM notifications as JSON lines.

load helpers

@test "events --stats prints one runc-style stats object" {
  create_started
  rt events --stats "$ID"
  assert_success
  [ "${#lines[@]}" -eq 1 ]
  [ "$(echo "$output" | jq -r .type)" = stats ]
  [ "$(echo "$output" | jq -r .id)" = "$ID" ]
  [ "$(echo "$output" | jq '.data.memory.usage.usage')" -gt 0 ]
  [ "$(echo "$output" | jq '.data.pids.current')" -ge 1 ]
  [ "$(echo "$output" | jq '.data.cpu.usage.total')" -gt 0 ]
  if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    # v2 has no per-cpu usage (runc leaves it out too) and no "rss".
    [ "$(echo "$output" | jq -r '.data.memory.raw | has("anon")')" = true ]
  else
    [ "$(echo "$output" | jq '.data.cpu.usage.percpu | length')" -ge 1 ]
    [ "$(echo "$output" | jq -r '.data.memory.raw | has("rss")')" = true ]
  fi
}

@test "events --stats shows the configured pids limit" {
  cfg_edit '.linux.resources.pids = {"limit": 42}'
  create_started
  rt events --stats "$ID"
  assert_success
  [ "$(echo "$output" | jq '.data.pids.limit')" -eq 42 ]
}

@test "events --stats of a missing container fails" {
  rt events --stats nosuch
  assert_failure
  assert_output_contains "nosuch"
}

@test "the events stream prints stats every interval and ends on delete" {
  create_started
  minirt events --interval 1 "$ID" >"$TEST_DIR/events.out" 2>&1 </dev/null &
  echo $! >"$TEST_DIR/events.pid"
  sleep 2.5
  minirt delete --force "$ID"
  # The stream notices the init is gone and exits by itself.
  for i in $(seq 50); do pid_running "$(cat "$TEST_DIR/events.pid")" || break; sleep 0.1; done
  if pid_running "$(cat "$TEST_DIR/events.pid")"; then echo "events still running" >&2; false; fi
  wait "$(cat "$TEST_DIR/events.pid")"
  [ "$(grep -c '"type":"stats"' "$TEST_DIR/events.out")" -ge 2 ]
  jq -e . "$TEST_DIR/events.out" >/dev/null
}

@test "the events stream reports an OOM kill" {
  cfg_edit '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}
    | .process.args = ["sh", "-c", "sleep 1; tail /dev/zero; sleep 1000"]'
  create_started
  minirt events --interval 10 "$ID" >"$TEST_DIR/events.out" 2>&1 </dev/null &
  echo $! >"$TEST_DIR/events.pid"
  for i in $(seq 100); do grep -q '"type":"oom"' "$TEST_DIR/events.out" && break; sleep 0.1; done
  grep -q '"type":"oom","id":"'"$ID"'"' "$TEST_DIR/events.out"
  minirt delete --force "$ID"
  wait "$(cat "$TEST_DIR/events.pid")"
}
