#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup): runs inside the VM of
# tests/vm/run-systemd.sh, where a real systemd is PID 1 on a pure cgroup
# v2 hierarchy and dbus runs. Each container's cgroupsPath is
# "machine.slice:minirt-test:<id>", so its unit is minirt-test-<id>.scope
# and its cgroup /sys/fs/cgroup/machine.slice/minirt-test-<id>.scope. Each
# test checks both what systemd says (systemctl) and what the kernel shows
# (the cgroup files); teardown stops every unit a test may have made, by
# name.

load ../integration/helpers

setup() {
  [ "$(cat /proc/1/comm)" = systemd ] ||
    skip "needs systemd as PID 1 (run tests/vm/run-systemd.sh)"
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
    skip "needs a pure cgroup v2 host (run tests/vm/run-systemd.sh)"
  setup_minirt
  UNIT=minirt-test-$ID.scope
  UNITS=("$UNIT")
  CG=/sys/fs/cgroup/machine.slice/$UNIT
  cfg_edit '.linux.cgroupsPath = "machine.slice:minirt-test:'"$ID"'"'
}

teardown() {
  # Containers first (their units go with them), then whatever unit a
  # failed test left, by name.
  if [ -d "${STATE_ROOT:-}" ]; then
    for c in $(ls "$STATE_ROOT" 2>/dev/null); do
      sd delete --force "$c" >/dev/null 2>&1 || true
    done
  fi
  [ -z "${RL_USER:-}" ] || rl_cleanup
  for u in "${UNITS[@]}"; do
    systemctl stop "$u" >/dev/null 2>&1 || true
    systemctl reset-failed "$u" >/dev/null 2>&1 || true
  done
  teardown_minirt
}

sd() { "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup "$@"; }
rsd() { run "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup "$@"; }

# create's fds go to files: the init keeps what it inherits open.
sd_create_started() {
  sd create --bundle "$BUNDLE" "${1:-$ID}" >"$TEST_DIR/create.out" 2>&1 || {
    cat "$TEST_DIR/create.out" >&2
    return 1
  }
  sd start "${1:-$ID}"
}

prop() { systemctl show -P "$2" "$1"; }
cgfile() { head -n 1 "$CG/$1"; }

# The unit is not loaded any more (stopped and dropped by systemd).
unit_gone() {
  [ "$(systemctl show -P LoadState "$1")" = not-found ] ||
    { systemctl status --no-pager "$1" >&2; return 1; }
}

@test "systemd: the container gets a scope with Delegate=yes, its resources as properties and files, the init in it" {
  # hugetlb is no controller of systemd's: minirt enables it above the
  # scope itself.
  hugetlb=""
  if grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers; then
    hugetlb='| .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  fi
  cfg_edit '.linux.resources.memory = {limit: 67108864}
    | .linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000,
      cpus: "0"}
    | .linux.resources.pids = {limit: 20}'"$hugetlb"
  sd_create_started
  pid=$(state_field "$ID" pid)
  [ -z "$hugetlb" ] || assert_equal "$(cgfile hugetlb.2MB.max)" 4194304
  assert_equal "$(prop "$UNIT" ActiveState)" active
  assert_equal "$(prop "$UNIT" Delegate)" yes
  assert_equal "$(prop "$UNIT" Slice)" machine.slice
  assert_equal "$(prop "$UNIT" MemoryMax)" 67108864
  # runc's conversion: 1 + (1024 - 2) * 9999 / 262142
  assert_equal "$(prop "$UNIT" CPUWeight)" 39
  assert_equal "$(prop "$UNIT" CPUQuotaPerSecUSec)" 500ms
  assert_equal "$(prop "$UNIT" TasksMax)" 20
  assert_equal "$(prop "$UNIT" AllowedCPUs)" 0
  # The files agree with the properties.
  assert_equal "$(cgfile memory.max)" 67108864
  assert_equal "$(cgfile cpu.weight)" 39
  assert_equal "$(cgfile cpu.max)" "50000 100000"
  assert_equal "$(cgfile pids.max)" 20
  assert_equal "$(cgfile cpuset.cpus)" 0
  # systemd placed the init (PIDs=): it is the scope's process.
  assert_equal "$(cat /proc/"$pid"/cgroup)" "0::/machine.slice/$UNIT"
  grep -qx "$pid" "$CG/cgroup.procs"
  run systemctl status --no-pager "$UNIT"
  assert_output_contains "$pid"
  # minirt records the path systemd gave the unit.
  assert_equal "$(jq -r .cgroupPath "$STATE_ROOT/$ID/status.json")" \
    "/machine.slice/$UNIT"
  assert_equal "$(jq -r .systemdCgroup "$STATE_ROOT/$ID/status.json")" true
}

@test "systemd: the device rules are DevicePolicy and DeviceAllow, and the container still reaches its devices" {
  sd_create_started
  # `minirt spec` denies all devices: the runtime's defaults are allowed.
  assert_equal "$(prop "$UNIT" DevicePolicy)" strict
  run prop "$UNIT" DeviceAllow
  assert_output_contains "/dev/char/1:3 rwm"
  assert_output_contains "char-136 rwm"
  rsd exec "$ID" sh -c 'echo x > /dev/null && head -c 1 /dev/zero | wc -c'
  assert_success
  assert_equal "$output" 1
  # ... and nothing else (the loop device is not in the list).
  rsd exec "$ID" sh -c 'mknod /tmp/l b 7 0 && head -c 1 /tmp/l'
  assert_failure
}

@test "systemd: update sets the unit's properties and the files" {
  cfg_edit '.linux.resources.memory = {limit: 67108864}
    | .linux.resources.pids = {limit: 20}'
  sd_create_started
  sd update --memory 134217728 --pids-limit 30 "$ID"
  assert_equal "$(prop "$UNIT" MemoryMax)" 134217728
  assert_equal "$(prop "$UNIT" TasksMax)" 30
  assert_equal "$(cgfile memory.max)" 134217728
  assert_equal "$(cgfile pids.max)" 30
  # systemd keeps a quota in 1 % steps: 33.333 % becomes 34 %, and the
  # file gets the same value so the two never disagree.
  sd update --cpu-quota 33333 --cpu-period 100000 "$ID"
  assert_equal "$(prop "$UNIT" CPUQuotaPerSecUSec)" 340ms
  assert_equal "$(cgfile cpu.max)" "34000 100000"
  # A daemon-reload re-applies the unit: the values stay.
  systemctl daemon-reload
  assert_equal "$(cgfile memory.max)" 134217728
  assert_equal "$(cgfile pids.max)" 30
  assert_equal "$(cgfile cpu.max)" "34000 100000"
}

@test "systemd: exec joins the scope's cgroup" {
  sd_create_started
  sd exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
  epid=$(cat "$TEST_DIR/exec.pid")
  assert_equal "$(cat /proc/"$epid"/cgroup)" "0::/machine.slice/$UNIT"
  grep -qx "$epid" "$CG/cgroup.procs"
  rsd ps "$ID"
  assert_success
  assert_output_contains "sleep 100"
}

@test "systemd: pause and resume freeze the scope; events and stats read it" {
  cfg_edit '.linux.resources.memory = {limit: 67108864}'
  sd_create_started
  sd pause "$ID"
  assert_equal "$(state_field "$ID" status)" paused
  grep -qx "frozen 1" "$CG/cgroup.events"
  assert_equal "$(prop "$UNIT" ActiveState)" active
  sd resume "$ID"
  assert_equal "$(state_field "$ID" status)" running
  grep -qx "frozen 0" "$CG/cgroup.events"
  rsd events --stats "$ID"
  assert_success
  [ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
  [ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
}

@test "systemd: kill and delete stop the unit and remove its cgroup" {
  sd_create_started
  [ -d "$CG" ]
  sd kill "$ID" KILL
  retry 50 eval '[ "$(state_field "$ID" status)" = stopped ]'
  sd delete "$ID"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  assert_no_traces "$ID"
  # delete --force of a running container too.
  sd_create_started
  sd delete --force "$ID"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "systemd: a create failing after the unit exists leaves no unit, cgroup, state or process" {
  # The program is looked up before READY, after the unit was made.
  cfg_edit '.process.args = ["/no/such/program"]'
  rsd create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "/no/such/program"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
  # A file the kernel does not have: the files are written after the unit.
  cfg_edit '.process.args = ["sleep", "100"]
    | .linux.resources.unified = {"no.such_file": "1"}'
  rsd create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "no.such_file"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
  # A bad rootfs fails before anything is made.
  cfg_edit 'del(.linux.resources.unified) | .root.path = "no-such-rootfs"'
  rsd create --bundle "$BUNDLE" "$ID"
  assert_failure
  unit_gone "$UNIT"
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "systemd: a unit name that exists already fails the create and leaves the other alone" {
  sd_create_started
  first=$(state_field "$ID" pid)
  # A second container with the same cgroupsPath, so the same unit name.
  rsd create --bundle "$BUNDLE" "$ID-b" 
  assert_failure
  assert_output_contains "$UNIT"
  assert_output_contains "already exists"
  [ ! -e "$STATE_ROOT/$ID-b" ]
  # The first container and its unit are untouched.
  assert_equal "$(prop "$UNIT" ActiveState)" active
  assert_equal "$(state_field "$ID" status)" running
  grep -qx "$first" "$CG/cgroup.procs"
}

@test "systemd: without a reachable D-Bus, create fails naming the unit and makes nothing" {
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TEST_DIR/no-bus \
    run "$MINIRT" --root "$STATE_ROOT" --systemd-cgroup run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "systemd unit \`$UNIT\`"
  assert_output_contains "D-Bus"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "systemd: run without --detach waits for the container, then its unit is gone" {
  cfg_edit '.process.args = ["sh", "-c", "cat /proc/self/cgroup; exit 3"]'
  rsd run --bundle "$BUNDLE" "$ID"
  assert_status 3
  # The container's cgroup namespace has the scope as its root.
  assert_output_contains "0::/"
  unit_gone "$UNIT"
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
}

@test "systemd: a cgroupsPath name ending in .slice makes that slice, with the container in it" {
  # No dash in the name: a dash would nest it (machine-a-b.slice is in
  # machine-a.slice).
  SLICE=machine-minirttest${BATS_TEST_NUMBER}x$$.slice
  UNITS+=("$SLICE")
  CG=/sys/fs/cgroup/machine.slice/$SLICE
  cfg_edit '.linux.cgroupsPath = "machine.slice::'"$SLICE"'"
    | .linux.resources.memory = {limit: 67108864}'
  sd_create_started
  pid=$(state_field "$ID" pid)
  assert_equal "$(prop "$SLICE" ActiveState)" active
  assert_equal "$(prop "$SLICE" MemoryMax)" 67108864
  assert_equal "$(cgfile memory.max)" 67108864
  assert_equal "$(cat /proc/"$pid"/cgroup)" "0::/machine.slice/$SLICE"
  sd delete --force "$ID"
  # systemd makes up a unit for any slice name it is asked about: the
  # slice is stopped, not gone.
  assert_equal "$(prop "$SLICE" ActiveState)" inactive
  [ ! -d "$CG" ]
  [ ! -e "$STATE_ROOT/$ID" ]
}

# Runs a command as the test user inside its user instance (a transient
# service of user@UID.service): the user instance can move the container's
# init only out of a cgroup the user owns.
as_user_unit() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
    env HOME="$UDIR" XDG_RUNTIME_DIR="/run/user/$RL_UID" \
    systemd-run --user --quiet --wait --pipe --collect "$@"
}
user_ctl() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
    env XDG_RUNTIME_DIR="/run/user/$RL_UID" systemctl --user "$@"
}

@test "systemd: rootless, the unit is made in the user's own systemd instance" {
  RL_USER=mrlsd$$
  useradd -M -U -s /usr/sbin/nologin "$RL_USER"
  RL_UID=$(id -u "$RL_USER") RL_GID=$(id -g "$RL_USER")
  UDIR=$TEST_DIR/u
  mkdir -p "$UDIR/bundle"
  cp -a "$BUNDLE/rootfs" "$UDIR/bundle/rootfs"
  cp "$MINIRT" "$UDIR/minirt"
  chmod 755 "$TEST_DIR" "$UDIR/minirt"
  chown -R "$RL_UID:$RL_GID" "$UDIR"
  loginctl enable-linger "$RL_USER"
  retry 300 test -S "/run/user/$RL_UID/bus" || {
    systemctl status --no-pager "user@$RL_UID.service" >&2
    return 1
  }
  as_user_unit sh -c "cd $UDIR/bundle && $UDIR/minirt spec --rootless"
  jq '.process.terminal = false | .process.args = ["sleep", "1000"]
    | .linux.cgroupsPath = "user.slice:minirt-rl:'"$ID"'"
    | .linux.resources = {memory: {limit: 67108864}, pids: {limit: 20}}' \
    "$UDIR/bundle/config.json" >"$UDIR/c.json"
  mv "$UDIR/c.json" "$UDIR/bundle/config.json"
  chmod 644 "$UDIR/bundle/config.json"
  U=minirt-rl-$ID.scope
  ucg=/sys/fs/cgroup/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/$U
  # Its output through a file: the init keeps the fds it was given.
  run as_user_unit sh -c "exec $UDIR/minirt --root $UDIR/state \
    --systemd-cgroup run --detach --bundle $UDIR/bundle $ID >$UDIR/run.out 2>&1"
  output=$(cat "$UDIR/run.out")
  assert_success
  pid=$(jq -r .pid "$UDIR/state/$ID/status.json")
  assert_equal "$(user_ctl show -P ActiveState "$U")" active
  assert_equal "$(user_ctl show -P Delegate "$U")" yes
  assert_equal "$(user_ctl show -P MemoryMax "$U")" 67108864
  assert_equal "$(cat /proc/"$pid"/cgroup)" "0::${ucg#/sys/fs/cgroup}"
  assert_equal "$(jq -r .cgroupPath "$UDIR/state/$ID/status.json")" \
    "${ucg#/sys/fs/cgroup}"
  assert_equal "$(head -n 1 "$ucg/memory.max")" 67108864
  as_user_unit "$UDIR/minirt" --root "$UDIR/state" --systemd-cgroup \
    delete --force "$ID"
  assert_equal "$(user_ctl show -P LoadState "$U")" not-found
  [ ! -d "$ucg" ]
}

# The rootless test's user and everything of it, whatever the test reached.
rl_cleanup() {
  [ -n "${RL_UID:-}" ] && [ -d "${UDIR:-}/state" ] &&
    for c in $(ls "$UDIR/state"); do
      as_user_unit "$UDIR/minirt" --root "$UDIR/state" --systemd-cgroup \
        delete --force "$c" >/dev/null 2>&1 || true
    done
  [ -n "${U:-}" ] && user_ctl stop "$U" >/dev/null 2>&1
  loginctl disable-linger "$RL_USER" 2>/dev/null
  loginctl terminate-user "$RL_USER" 2>/dev/null
  [ -n "${RL_UID:-}" ] &&
    retry 100 eval '! systemctl is-active -q "user@$RL_UID.service"'
  userdel "$RL_USER" 2>/dev/null
  getent group "$RL_USER" >/dev/null && groupdel "$RL_USER" 2>/dev/null
  return 0
}
