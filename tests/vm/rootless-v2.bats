#!/usr/bin/env bats
# Rootless on a pure cgroup v2 host with a delegated subtree, as systemd
# gives each user (user@UID.service with Delegate=yes): the subtree belongs
# to the user, the user's shell lives in it, and minirt run by that user
# puts containers below it with every resource. Runs inside the VM of
# tests/vm/run-v2.sh. The VM's /etc is the host's, read-only, so the user
# is a bare uid: the config maps only that uid, which needs no newuidmap.

load ../integration/helpers

RL_UID=4242

setup() {
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
    skip "needs a pure cgroup v2 host (run tests/vm/run-v2.sh)"
  setup_minirt
  chmod 755 "$TEST_DIR"
  cp "$MINIRT" "$TEST_DIR/minirt"
  chmod 755 "$TEST_DIR/minirt"
  UMINIRT=$TEST_DIR/minirt
  UROOT=$TEST_DIR/u
  mkdir -p "$UROOT"
  chown -R "$RL_UID:$RL_UID" "$UROOT" "$BUNDLE"
  # The delegation: the subtree's directory and its interface files belong
  # to the user; the controllers are enabled above it by root.
  DELEG=/sys/fs/cgroup/$CG_PARENT
  mkdir -p "$DELEG/shell"
  local c
  for c in cpu memory pids io; do
    echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
  done
  chown "$RL_UID:$RL_UID" "$DELEG" "$DELEG/cgroup.procs" \
    "$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads" \
    "$DELEG/shell" "$DELEG/shell/cgroup.procs"
  (cd "$BUNDLE" && rm -f config.json && user_sh "$UMINIRT" spec --rootless)
  cfg_edit '.process.terminal = false | .process.args = ["sleep", "1000"]
    | .linux.cgroupsPath = "/'"$CG_PARENT"'/" + "'"$ID"'"'
  chmod 644 "$BUNDLE/config.json"
}

teardown() {
  local c
  for c in $(ls "$UROOT/state" 2>/dev/null); do
    user_sh "$UMINIRT" --root "$UROOT/state" delete --force "$c" >/dev/null 2>&1
  done
  teardown_minirt
}

# A shell of the user, started in the delegated subtree like a login.
user_sh() {
  sh -c 'd=$0 u=$1; shift; echo $$ > "$d/shell/cgroup.procs" &&
    exec setpriv --reuid="$u" --regid="$u" --clear-groups "$@"' \
    "$DELEG" "$RL_UID" "$@" 2>&1
}

urt() {
  run user_sh "$UMINIRT" --root "$UROOT/state" "$@"
}

ucreate() {
  user_sh "$UMINIRT" --root "$UROOT/state" create --bundle "$BUNDLE" "$ID" \
    </dev/null >/dev/null
}

@test "v2 rootless: a delegated subtree is used, with memory and pids limits" {
  cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
  ucreate
  urt start "$ID"
  assert_success
  local cg=$DELEG/$ID pid
  [ -d "$cg" ]
  assert_equal "$(stat -c %u "$cg")" "$RL_UID"
  assert_equal "$(cat "$cg/memory.max")" 67108864
  assert_equal "$(cat "$cg/pids.max")" 20
  pid=$(user_sh "$UMINIRT" --root "$UROOT/state" state "$ID" | jq -r .pid)
  grep -qx "$pid" "$cg/cgroup.procs"
  assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID"
}

@test "v2 rootless: exec joins the container's cgroup, update and pause work there" {
  ucreate
  urt start "$ID"
  urt exec "$ID" cat /proc/self/cgroup
  assert_success
  assert_equal "$output" "0::/"
  urt update --memory 33554432 "$ID"
  assert_success
  assert_equal "$(cat "$DELEG/$ID/memory.max")" 33554432
  urt pause "$ID"
  assert_success
  assert_equal "$(cat "$DELEG/$ID/cgroup.freeze")" 1
  urt resume "$ID"
  assert_success
  urt delete --force "$ID"
  assert_success
  [ ! -d "$DELEG/$ID" ]
}

@test "v2 rootless: outside the delegated subtree, resources fail by name and nothing is left" {
  cfg_edit '.linux.cgroupsPath = "/minirt-not-delegated-'"$ID"'"
    | .linux.resources = {"pids": {"limit": 20}}'
  run user_sh "$UMINIRT" --root "$UROOT/state" create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "unsupported when rootless without a delegated cgroup: linux.resources.pids.limit"
  [ ! -e "$UROOT/state/$ID" ]
  [ ! -d "/sys/fs/cgroup/minirt-not-delegated-$ID" ]
}
