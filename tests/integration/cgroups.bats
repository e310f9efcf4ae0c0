#!/usr/bin/env bats
# linux.resources on this host's cgroups (v1 hybrid: the v1 controllers
# under /sys/fs/cgroup/<ctrl>, v2 at /sys/fs/cgroup/unified with only
# hugetlb): every field read back from the files after create, limits
# enforced, and the cgroups removed on delete.

load helpers

cg() { cat "/sys/fs/cgroup/$1/$CG_PARENT/$ID/$2"; }

# create that may succeed: the init must not hold bats' output pipe.
create_try() {
  status=0
  "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
    </dev/null >"$TEST_DIR/create.out" 2>&1 || status=$?
  output=$(cat "$TEST_DIR/create.out")
}

@test "memory: limit, reservation, swap, swappiness and disableOOMKiller" {
  cfg_edit '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
    "swap": 134217728, "swappiness": 10, "disableOOMKiller": true}'
  minirt create --bundle "$BUNDLE" "$ID"
  [ "$(cg memory memory.limit_in_bytes)" = 67108864 ]
  [ "$(cg memory memory.soft_limit_in_bytes)" = 33554432 ]
  [ "$(cg memory memory.memsw.limit_in_bytes)" = 134217728 ]
  [ "$(cg memory memory.swappiness)" = 10 ]
  cg memory memory.oom_control | grep -qx "oom_kill_disable 1"
}

@test "memory: swap below the limit is refused" {
  cfg_edit '.linux.resources.memory = {"limit": 67108864, "swap": 33554432}'
  create_try
  assert_failure
  assert_output_contains "swap"
  assert_no_traces "$ID"
}

@test "cpu: shares, quota, period, cpus and mems" {
  last=$(( $(nproc) - 1 ))
  cfg_edit '.linux.resources.cpu = {"shares": 256, "quota": 50000, "period": 200000,
    "cpus": "0-'"$last"'", "mems": "0"}'
  minirt create --bundle "$BUNDLE" "$ID"
  [ "$(cg cpu cpu.shares)" = 256 ]
  [ "$(cg cpu cpu.cfs_quota_us)" = 50000 ]
  [ "$(cg cpu cpu.cfs_period_us)" = 200000 ]
  [ "$(cg cpuset cpuset.cpus)" = "$([ "$last" = 0 ] && echo 0 || echo "0-$last")" ]
  [ "$(cg cpuset cpuset.mems)" = 0 ]
}

@test "cpu: a single cpu in cpus pins the container" {
  cfg_edit '.linux.resources.cpu = {"cpus": "0"} | .process.args = ["sh", "-c", "grep Cpus_allowed_list /proc/self/status"]'
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
  minirt start "$ID"
  for i in $(seq 50); do [ -s "$TEST_DIR/out" ] && break; sleep 0.1; done
  grep -Eq 'Cpus_allowed_list:\s+0$' "$TEST_DIR/out"
}

@test "cpu: realtime runtime and period when the host allows them" {
  [ -f /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "no CONFIG_RT_GROUP_SCHED"
  cfg_edit '.linux.resources.cpu = {"realtimeRuntime": 1000, "realtimePeriod": 1000000}'
  create_try
  if [ "$status" -ne 0 ]; then
    # The parent has no rt budget to give: the error must name the file.
    assert_output_contains "cpu.rt_runtime_us"
    assert_no_traces "$ID"
  else
    [ "$(cg cpu cpu.rt_period_us)" = 1000000 ]
    [ "$(cg cpu cpu.rt_runtime_us)" = 1000 ]
  fi
}

@test "pids: the limit is written and forks past it fail" {
  cfg_edit '.linux.resources.pids = {"limit": 5}
    | .process.args = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 100 & done; wait"]'
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
  [ "$(cg pids pids.max)" = 5 ]
  minirt start "$ID"
  for i in $(seq 50); do grep -q "can't fork\|Resource temporarily" "$TEST_DIR/out" && break; sleep 0.1; done
  cat "$TEST_DIR/out"
  grep -q "can't fork\|Resource temporarily" "$TEST_DIR/out"
  [ "$(cg pids pids.current)" -le 5 ]
}

@test "memory: a process over the limit is OOM-killed" {
  cfg_edit '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}
    | .process.args = ["sh", "-c", "tail /dev/zero; echo tail-exit=$?"]'
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
  minirt start "$ID"
  for i in $(seq 100); do grep -q tail-exit "$TEST_DIR/out" && break; sleep 0.1; done
  # tail buffers forever; only the OOM killer's SIGKILL (128+9) ends it.
  grep -qx "tail-exit=137" "$TEST_DIR/out"
  cg memory memory.oom_control | grep -Eq '^oom_kill [1-9]'
}

@test "blockIO: throttle limits are written; a missing weight file is named" {
  dev=$(cat /sys/block/$(ls /sys/block | grep -v -e '^loop' -e '^zram' -e '^ram' | head -1)/dev)
  major=${dev%:*} minor=${dev#*:}
  cfg_edit '.linux.resources.blockIO = {
    "throttleReadBpsDevice": [{"major": '"$major"', "minor": '"$minor"', "rate": 1048576}],
    "throttleWriteIOPSDevice": [{"major": '"$major"', "minor": '"$minor"', "rate": 100}]}'
  minirt create --bundle "$BUNDLE" "$ID"
  [ "$(cg blkio blkio.throttle.read_bps_device)" = "$major:$minor 1048576" ]
  [ "$(cg blkio blkio.throttle.write_iops_device)" = "$major:$minor 100" ]
  minirt delete "$ID"
  cfg_edit '.linux.resources.blockIO.weight = 500'
  # Which weight file a new cgroup gets depends on the IO scheduler.
  probe=/sys/fs/cgroup/blkio/$CG_PARENT/probe
  mkdir -p "$probe"
  wfile=$(cd "$probe" && ls blkio.weight blkio.bfq.weight 2>/dev/null | head -1)
  rmdir "$probe"
  create_try
  if [ -n "$wfile" ]; then
    assert_success
    [ "$(cg blkio "$wfile")" = 500 ]
  else
    # Neither CFQ nor BFQ here: the error names the file.
    assert_failure
    assert_output_contains "blkio.weight"
    assert_no_traces "$ID"
  fi
}

@test "devices: the rules reach devices.list" {
  cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
    {"allow": true, "type": "c", "major": 10, "minor": 200, "access": "rw"}]'
  minirt create --bundle "$BUNDLE" "$ID"
  list=$(cg devices devices.list)
  echo "$list"
  echo "$list" | grep -qx "c 10:200 rw"
  echo "$list" | grep -qx "c 1:3 rwm"
  ! echo "$list" | grep -qx "a \*:\* rwm"
}

@test "devices: a denied device cannot be opened in the container" {
  cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
    | .process.args = ["sh", "-c", "echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null && echo zero-ok; mknod /tmp/m b 7 0 || echo mknod-denied"]'
  run_in_container sh -c 'echo x > /dev/null && echo null-ok; mknod /dev/shm/m b 7 0 2>/dev/null || echo mknod-denied'
  echo "$output"
  assert_output_contains "null-ok"
  assert_output_contains "mknod-denied"
}

@test "hugetlb: the limit lands in the v2 hierarchy of this host" {
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
  cfg_edit '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
  minirt create --bundle "$BUNDLE" "$ID"
  if [ -d /sys/fs/cgroup/hugetlb ]; then
    [ "$(cg hugetlb hugetlb.2MB.limit_in_bytes)" = 4194304 ]
  else
    [ "$(cg unified hugetlb.2MB.max)" = 4194304 ]
  fi
}

@test "hugetlb: an unknown page size is refused" {
  cfg_edit '.linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 4194304}]'
  create_try
  assert_failure
  assert_output_contains "3MB"
  assert_no_traces "$ID"
}

@test "network: net_cls without the controller fails clearly, only when asked" {
  [ ! -d /sys/fs/cgroup/net_cls ] || skip "net_cls is mounted here"
  minirt create --bundle "$BUNDLE" "$ID"
  minirt delete "$ID"
  cfg_edit '.linux.resources.network = {"classID": 1048577}'
  create_try
  assert_failure
  assert_output_contains "linux.resources.network"
  assert_output_contains "net_cls"
  assert_no_traces "$ID"
}

@test "delete removes the cgroup from every hierarchy" {
  cfg_edit '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50},
    "cpu": {"shares": 512}}'
  create_started
  n=0
  for h in /sys/fs/cgroup/*/; do [ -d "$h$CG_PARENT/$ID" ] && n=$((n + 1)); done
  [ "$n" -ge 8 ]
  minirt exec -d "$ID" sleep 500 </dev/null >/dev/null 2>&1
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

# The init joins on its own ("0" to v1 `tasks`, clone3 CLONE_INTO_CGROUP on
# v2) and so does every exec: both must be in the container's cgroup in
# every hierarchy, the v2 one of this hybrid host included.
@test "init and exec'd processes are in the container's cgroup in every hierarchy" {
  minirt run --detach --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  init=$(minirt state "$ID" | jq -r .pid)
  minirt exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
  execd=$(cat "$TEST_DIR/exec.pid")
  for pid in "$init" "$execd"; do
    n=0
    while IFS=: read -r _ ctrl path; do
      n=$((n + 1))
      [ "$path" = "/$CG_PARENT/$ID" ] || {
        echo "pid $pid: hierarchy '$ctrl' at '$path'" >&2; false; }
    done < "/proc/$pid/cgroup"
    [ "$n" -ge 2 ]
  done
  grep -qx "$execd" "/sys/fs/cgroup/memory/$CG_PARENT/$ID/cgroup.procs"
  grep -qx "$init" "/sys/fs/cgroup/unified/$CG_PARENT/$ID/cgroup.procs"
}

# Writing cgroup.procs takes the kernel's cgroup_threadgroup_rwsem, whose
# first writer after a quiet spell waits for an RCU grace period (~12 ms
# per exec here). The exec child that shares our memory must be born in the
# v2 cgroup instead, like the init. (tests/vm/cgroup-v2.bats: pure v2.)
@test "exec enters the v2 cgroup by clone3, without a write to cgroup.procs" {
  create_started
  [ -d "/sys/fs/cgroup/unified/$CG_PARENT/$ID" ] || skip "no cgroup v2 hierarchy"
  # LeakSanitizer cannot run under ptrace (the ASan lane).
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -e trace=clone3,openat -o "$TEST_DIR/exec.strace" \
    "$MINIRT" --root "$STATE_ROOT" exec "$ID" true
  grep -q 'clone3(.*CLONE_INTO_CGROUP' "$TEST_DIR/exec.strace"
  if grep 'cgroup.procs' "$TEST_DIR/exec.strace"; then false; fi
  # (Not under strace: it would follow a detached process to its end.)
  minirt exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
  grep -qx "$(cat "$TEST_DIR/exec.pid")" "/sys/fs/cgroup/unified/$CG_PARENT/$ID/cgroup.procs"
}

@test "exec --cgroup puts the process into an existing sub-cgroup in every hierarchy" {
  minirt run --detach --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  for h in /sys/fs/cgroup/*/; do
    [ ! -d "$h$CG_PARENT/$ID" ] || mkdir "$h$CG_PARENT/$ID/sub"
  done
  # v1 cpuset takes no task while its cpus and mems are empty: say so.
  rt exec --cgroup sub "$ID" true
  assert_failure
  assert_output_contains "cpuset/$CG_PARENT/$ID/sub/tasks"
  assert_output_contains "cpuset.cpus"
  d=/sys/fs/cgroup/cpuset/$CG_PARENT/$ID
  cat "$d/cpuset.cpus" > "$d/sub/cpuset.cpus"
  cat "$d/cpuset.mems" > "$d/sub/cpuset.mems"
  minirt exec --detach --cgroup sub --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
  execd=$(cat "$TEST_DIR/exec.pid")
  while IFS=: read -r _ ctrl path; do
    [ "$path" = "/$CG_PARENT/$ID/sub" ] || {
      echo "hierarchy '$ctrl' at '$path'" >&2; false; }
  done < "/proc/$execd/cgroup"
  rt exec --cgroup ../x "$ID" true
  assert_failure
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

# The v1 dirs are made leaf first, its parents only when the mkdir says
# they are missing, and cpuset.cpus/mems are copied from the parent only
# when the leaf's are empty: an existing parent that is empty too (made by
# hand, never filled) must still get its values, level by level, or the
# init could not join.
@test "cpuset: empty existing parents are filled before the container's cgroup" {
  [ -d /sys/fs/cgroup/cpuset ] || skip "no v1 cpuset"
  top=/sys/fs/cgroup/cpuset/$CG_PARENT
  mkdir "$top" "$top/mid"
  [ -z "$(tr -d '\n' < "$top/mid/cpuset.cpus")" ]
  cfg_edit '.linux.cgroupsPath = "/'"$CG_PARENT"'/mid/'"$ID"'"
    | .process.args = ["true"]'
  minirt run --bundle "$BUNDLE" "$ID" </dev/null
  want=$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)
  [ "$(cat "$top/cpuset.cpus")" = "$want" ]
  [ "$(cat "$top/mid/cpuset.cpus")" = "$want" ]
  [ "$(cat "$top/mid/cpuset.mems")" = "$(cat /sys/fs/cgroup/cpuset/cpuset.mems)" ]
  # What was there before stays; only the container's own cgroup goes.
  [ -d "$top/mid" ] && [ ! -e "$top/mid/$ID" ]
}

@test "cpuset: a leaf with values of its own (clone_children) keeps them" {
  [ -d /sys/fs/cgroup/cpuset ] || skip "no v1 cpuset"
  [ "$(nproc)" -ge 2 ] || skip "needs 2 cpus"
  top=/sys/fs/cgroup/cpuset/$CG_PARENT
  mkdir "$top"
  echo 1 > "$top/cpuset.cpus"
  cat /sys/fs/cgroup/cpuset/cpuset.mems > "$top/cpuset.mems"
  echo 1 > "$top/cgroup.clone_children"
  minirt create --bundle "$BUNDLE" "$ID" </dev/null
  [ "$(cg cpuset cpuset.cpus)" = 1 ]
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "cgroup parents missing in every hierarchy are made, and kept at delete" {
  cfg_edit '.linux.cgroupsPath = "/'"$CG_PARENT"'/a/b/'"$ID"'"'
  minirt create --bundle "$BUNDLE" "$ID" </dev/null
  for h in /sys/fs/cgroup/*/; do
    [ -f "$h/cgroup.procs" ] || [ -f "$h/tasks" ] || continue
    [ -d "$h$CG_PARENT/a/b/$ID" ] || { echo "missing in $h" >&2; false; }
  done
  [ "$(cat /sys/fs/cgroup/cpuset/$CG_PARENT/a/b/cpuset.cpus)" = "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" ]
  minirt delete --force "$ID"
  for h in /sys/fs/cgroup/*/; do
    [ -f "$h/cgroup.procs" ] || [ -f "$h/tasks" ] || continue
    [ ! -e "$h$CG_PARENT/a/b/$ID" ] && [ -d "$h$CG_PARENT/a/b" ]
  done
}
