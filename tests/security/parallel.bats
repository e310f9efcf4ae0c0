#!/usr/bin/env bats
# Load: many containers at once, many commands on one container.

load ../integration/helpers

lifecycle() {
  local id=$1
  "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 &&
    "$MINIRT" --root "$STATE_ROOT" start "$id" &&
    [ "$("$MINIRT" --root "$STATE_ROOT" exec "$id" echo ok </dev/null 2>&1)" = ok ] &&
    "$MINIRT" --root "$STATE_ROOT" delete --force "$id" || { echo "FAIL $id"; return 1; }
}
export -f lifecycle

@test "50 containers created, started, exec'd and deleted in parallel" {
  export MINIRT STATE_ROOT BUNDLE
  run bash -c "seq 1 50 | sed 's/^/$ID-/' | xargs -P 10 -I{} bash -c 'lifecycle {}' </dev/null 2>&1"
  echo "$output" >&2
  assert_success
  assert_equal "$(ls "$STATE_ROOT" | wc -l)" 0
  for i in $(seq 1 50); do assert_no_traces "$ID-$i"; done
}

@test "20 concurrent commands on one container keep its state consistent" {
  create_started </dev/null >/dev/null 2>&1
  for i in $(seq 1 20); do
    case $((i % 5)) in
      0) minirt state "$ID" ;;
      1) minirt exec "$ID" true ;;
      2) minirt pause "$ID"; minirt resume "$ID" ;;
      3) minirt kill "$ID" 0 ;;
      4) minirt ps "$ID" ;;
    esac </dev/null >/dev/null 2>&1 &
  done
  wait
  minirt resume "$ID" 2>/dev/null || true
  assert_equal "$(state_field "$ID" status)" running
  jq . "$STATE_ROOT/$ID/status.json" >/dev/null
  rt exec "$ID" echo alive
  assert_equal "$output" alive
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}
