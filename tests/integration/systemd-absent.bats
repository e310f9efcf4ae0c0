#!/usr/bin/env bats
# --systemd-cgroup on a host without systemd: minirt's own D-Bus client
# (src/linux/dbus/) reaches a bus (a private dbus-daemon of the test, on a
# socket in its temp dir) or no bus at all, and the create must fail
# naming the unit and leave nothing: no state dir, no cgroup, no process.
# The driver's behaviour with a real systemd is tests/vm/systemd.bats
# (tests/vm/run-systemd.sh).

load helpers

setup() {
  [ "${MINIRT_SYSTEMD:-0}" != 1 ] ||
    skip "a host without systemd (the VM lane has one)"
  command -v dbus-daemon >/dev/null || skip "needs dbus-daemon (package dbus)"
  setup_minirt
  UNIT=minirt-test-$ID.scope
  # A mark on the init's command line, to look for it afterwards.
  MARK=minirt-absent-$ID
  cfg_edit '.linux.cgroupsPath = "machine.slice:minirt-test:'"$ID"'"
    | .process.args = ["sh", "-c", "sleep 1000; : '"$MARK"'"]'
}

teardown() {
  if [ -n "${DBUS_PID:-}" ]; then
    kill "$DBUS_PID" 2>/dev/null || true
    wait "$DBUS_PID" 2>/dev/null || true
  fi
  teardown_minirt
}

# A bus of our own configuration, with no service directories: nothing is
# activated, so org.freedesktop.systemd1 has no owner.
start_bus() {
  cat >"$TEST_DIR/bus.conf" <<EOF
<busconfig><type>system</type>
<listen>unix:path=$TEST_DIR/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*"/>
<allow receive_sender="*"/><allow own="*"/></policy></busconfig>
EOF
  dbus-daemon --config-file="$TEST_DIR/bus.conf" --nofork \
    --print-address=3 3>"$TEST_DIR/bus.address" 2>"$TEST_DIR/bus.log" &
  DBUS_PID=$!
  retry 100 test -s "$TEST_DIR/bus.address"
}

assert_nothing_left() {
  [ ! -e "$STATE_ROOT/$ID" ] || { echo "state dir of $ID left" >&2; return 1; }
  local found
  found=$(find /sys/fs/cgroup -name "$UNIT" 2>/dev/null)
  [ -z "$found" ] || { echo "cgroup left: $found" >&2; return 1; }
  ! pgrep -f "$MARK" >&2 || { echo "init of $ID left" >&2; return 1; }
}

@test "systemd-cgroup: on a bus without systemd, run fails naming the unit and the bus's error, and leaves nothing" {
  start_bus
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_DIR/bus \
    run "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "systemd unit \`$UNIT\`: StartTransientUnit: org.freedesktop.DBus.Error.ServiceUnknown:"
  assert_output_contains "org.freedesktop.systemd1"
  assert_nothing_left
  # The bus is still there and served us (the error came from it).
  kill -0 "$DBUS_PID"
}

@test "systemd-cgroup: without a bus socket, create fails naming the unit and the address, and leaves nothing" {
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_DIR/no-bus \
    run "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "systemd unit \`$UNIT\`: connect to the systemd system instance over D-Bus (unix:path=$TEST_DIR/no-bus)"
  assert_output_contains "No such file or directory"
  assert_nothing_left
}

@test "systemd-cgroup: a bus address with no unix socket in it is refused by name" {
  DBUS_SYSTEM_BUS_ADDRESS="tcp:host=localhost,port=1" \
    run "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "systemd unit \`$UNIT\`"
  assert_output_contains "D-Bus address \`tcp:host=localhost,port=1\`: no unix:path= or unix:abstract= entry"
  assert_nothing_left
}
