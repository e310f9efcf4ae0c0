#!/usr/bin/env bats
# --log and --log-format: errors are written to the log file (one entry
# per line) and still printed on stderr.

load helpers

@test "--log-format json writes one JSON object per line with level, msg and time" {
  rt --log "$TEST_DIR/log" --log-format json state nosuch
  assert_failure
  [ "$(wc -l <"$TEST_DIR/log")" -eq 1 ]
  [ "$(jq -r .level "$TEST_DIR/log")" = error ]
  [ "$(jq -r .msg "$TEST_DIR/log")" = 'container `nosuch` does not exist' ]
  jq -r .time "$TEST_DIR/log" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$'
}

@test "errors are also printed on stderr" {
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" --log "$TEST_DIR/log" --log-format json state nosuch
  assert_failure
  [ -z "$output" ]
  case "$stderr" in *'container `nosuch` does not exist'*) ;; *) false ;; esac
}

@test "the text format is logrus-like: time, level, msg" {
  rt --log "$TEST_DIR/log" state nosuch
  assert_failure
  grep -Eq '^time="[^"]+" level=error msg="container `nosuch` does not exist"$' "$TEST_DIR/log"
}

@test "the log is appended to, and quotes in messages stay valid JSON" {
  echo '{"ociVersion": "1.0.2", "process": {"args": ["a"' >"$BUNDLE/config.json"
  rt --log "$TEST_DIR/log" --log-format json create --bundle "$BUNDLE" "$ID"
  assert_failure
  rt --log "$TEST_DIR/log" --log-format json state nosuch
  assert_failure
  [ "$(wc -l <"$TEST_DIR/log")" -eq 2 ]
  # Every line parses on its own.
  while read -r line; do echo "$line" | jq -e '.level == "error" and (.msg | length > 0)' >/dev/null; done <"$TEST_DIR/log"
  head -1 "$TEST_DIR/log" | jq -r .msg | grep -q config.json
  assert_no_traces "$ID"
}

@test "an error inside the container init reaches the log" {
  cfg_edit '.process.args = ["/no/such/program"]'
  rt --log "$TEST_DIR/log" --log-format json run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "/no/such/program"
  jq -r .msg "$TEST_DIR/log" | grep -q "/no/such/program"
  assert_no_traces "$ID"
}

@test "an unknown --log-format is refused" {
  rt --log-format xml state nosuch
  assert_failure
  assert_output_contains "xml"
}

@test "successful commands write no error entries" {
  create_started
  rt --log "$TEST_DIR/log" --log-format json state "$ID"
  assert_success
  ! grep -q '"level":"error"' "$TEST_DIR/log" 2>/dev/null
}
