#!/usr/bin/env bats
# cgroup v2 only: runs inside the VMs of tests/vm/run-v2.sh (cgroupfs) and
# tests/vm/run-systemd.sh (systemd as PID 1, MINIRT_SYSTEMD=1: minirt with
# --systemd-cgroup, each container in a scope of its own slice), where
# /sys/fs/cgroup is the unified hierarchy and no v1 controller exists.
# Each test reads back the files the kernel shows for the container.

load ../integration/helpers

setup() {
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] ||
    skip "needs a pure cgroup v2 host (run tests/vm/run-v2.sh)"
  setup_minirt
  CG=/sys/fs/cgroup/$(cg_path)
}

# The first line of a cgroup file.
cgfile() { head -n 1 "$CG/$1"; }

@test "v2: on a unified-only host, create, exec and delete work; the container is in its own cgroup" {
  if grep ' cgroup ' /proc/mounts; then
    echo "a v1 hierarchy is mounted" >&2
    return 1
  fi
  create_started
  pid=$(state_field "$ID" pid)
  [ "$(cat /proc/$pid/cgroup)" = "0::/$(cg_path)" ]
  grep -qx "$pid" "$CG/cgroup.procs"
  # Every controller the host has is usable in the container's cgroup.
  for c in cpu memory pids io; do grep -qw "$c" "$CG/cgroup.controllers"; done
  # exec joins the same cgroup (seen from a cgroup namespace: its root).
  rt exec "$ID" cat /proc/self/cgroup
  assert_success
  assert_equal "$output" "0::/"
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

# As tests/integration/cgroups.bats on the hybrid host: no write to
# cgroup.procs (an RCU grace period per exec), the child is born there.
@test "v2: exec enters the container's cgroup by clone3, without a write to cgroup.procs" {
  create_started
  # LeakSanitizer cannot run under ptrace (the ASan lane).
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -e trace=clone3,openat -o "$TEST_DIR/exec.strace" \
    "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" exec "$ID" true
  grep -q 'clone3(.*CLONE_INTO_CGROUP' "$TEST_DIR/exec.strace"
  if grep 'cgroup.procs' "$TEST_DIR/exec.strace"; then false; fi
  # (Not under strace: it would follow a detached process to its end.)
  minirt exec --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100
  grep -qx "$(cat "$TEST_DIR/exec.pid")" "$CG/cgroup.procs"
}

@test "v2: cpu, memory, hugetlb and unified resources become v2 files, also on update" {
  hugetlb=""
  if grep -qw hugetlb /sys/fs/cgroup/cgroup.controllers; then
    hugetlb='| .linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  fi
  cfg_edit '.linux.resources.cpu = {shares: 1024, quota: 50000,
      period: 100000, cpus: "0", mems: "0"}
    | .linux.resources.memory = {limit: 67108864, swap: 100663296,
      reservation: 33554432}
    | .linux.resources.unified = {"memory.high": "50331648"}'"$hugetlb"
  create_started
  # runc's conversion: 1 + (shares - 2) * 9999 / 262142.
  assert_equal "$(cgfile cpu.weight)" 39
  assert_equal "$(cgfile cpu.max)" "50000 100000"
  assert_equal "$(cgfile cpuset.cpus)" 0
  assert_equal "$(cgfile cpuset.mems)" 0
  assert_equal "$(cgfile memory.max)" 67108864
  # OCI swap is memory+swap; v2 wants the swap part alone.
  assert_equal "$(cgfile memory.swap.max)" 33554432
  assert_equal "$(cgfile memory.low)" 33554432
  assert_equal "$(cgfile memory.high)" 50331648
  [ -z "$hugetlb" ] || assert_equal "$(cgfile hugetlb.2MB.max)" 4194304
  minirt update --cpu-shares 2048 --cpu-quota 20000 --memory 134217728 \
    --memory-swap -1 "$ID"
  assert_equal "$(cgfile cpu.weight)" 79
  assert_equal "$(cgfile cpu.max)" "20000 100000"
  assert_equal "$(cgfile memory.max)" 134217728
  assert_equal "$(cgfile memory.swap.max)" max
  # A unified key the kernel does not have fails the create, cleanly (in
  # a cgroup of its own: with systemd, a second container in the same
  # scope name would fail for that first).
  cfg_edit '.linux.resources.unified = {"no.such_file": "1"}'
  cfg_cgroup "$ID-bad"
  rt run --bundle "$BUNDLE" "$ID-bad"
  assert_failure
  assert_output_contains "no.such_file"
  assert_no_traces "$ID-bad"
}

@test "v2: pids limit is pids.max and the kernel enforces it" {
  cfg_edit '.linux.resources.pids = {limit: 5}'
  create_started
  assert_equal "$(cgfile pids.max)" 5
  # sleep (1) + sh (1) + 10 children: the forks past the limit fail.
  rt exec "$ID" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do sleep 5 & done; wait'
  assert_output_contains "can't fork"
  [ "$(cgfile pids.peak 2>/dev/null || cgfile pids.current)" -le 5 ]
  minirt update --pids-limit -1 "$ID"
  assert_equal "$(cgfile pids.max)" max
}

@test "v2: blockIO weight and throttling become io.weight and io.max" {
  [ -b /dev/vda ] || skip "no block device in this VM"
  dev=$(cat /sys/block/vda/dev)
  major=${dev%:*} minor=${dev#*:}
  cfg_edit '.linux.resources.blockIO = {weight: 500,
    throttleReadBpsDevice: [{major: '"$major"', minor: '"$minor"', rate: 1048576}],
    throttleWriteIOPSDevice: [{major: '"$major"', minor: '"$minor"', rate: 100}]}'
  create_started
  if [ -f "$CG/io.bfq.weight" ]; then
    assert_equal "$(cgfile io.bfq.weight)" "default 500"
  else # 1 + (500 - 10) * 9999 / 990 (runc)
    assert_equal "$(cgfile io.weight)" "default 4950"
  fi
  grep -qx "$dev rbps=1048576 wbps=max riops=max wiops=100" "$CG/io.max"
}

@test "v2: pause and resume use cgroup.freeze" {
  create_started
  minirt pause "$ID"
  assert_equal "$(cgfile cgroup.freeze)" 1
  grep -qx "frozen 1" "$CG/cgroup.events"
  assert_equal "$(state_field "$ID" status)" paused
  minirt resume "$ID"
  assert_equal "$(cgfile cgroup.freeze)" 0
  grep -qx "frozen 0" "$CG/cgroup.events"
  assert_equal "$(state_field "$ID" status)" running
}

@test "v2: the eBPF device filter denies devices not allowed" {
  [ -b /dev/vda ] || skip "no block device in this VM"
  dev=$(cat /sys/block/vda/dev)
  cfg_edit '.mounts += [{destination: "/hostdev", type: "bind",
    source: "/dev", options: ["bind", "nosuid"]}]'
  run_in_container sh -c 'head -c 1 /hostdev/vda >/dev/null && echo opened'
  assert_failure
  assert_output_contains "Operation not permitted"
  # Allowing it for reading (only): reads work, writes are still denied,
  # and the runtime's default devices stay usable.
  cfg_edit '.linux.resources.devices += [{allow: true, type: "b",
    major: '"${dev%:*}"', minor: '"${dev#*:}"', access: "r"}]'
  # (one line: run_in_container splits its arguments at newlines)
  run_in_container sh -c 'head -c 1 /hostdev/vda >/dev/null && echo opened; (echo x >/hostdev/vda) || echo write-denied; echo zero=$(head -c 4 /dev/zero | wc -c)'
  assert_success
  assert_output_contains opened
  assert_output_contains write-denied
  assert_output_contains zero=4
}

@test "v2: delete --force kills every process, in sub-cgroups too (cgroup.kill)" {
  create_started
  minirt exec -d "$ID" sleep 999 </dev/null >/dev/null 2>&1
  mkdir "$CG/sub"
  extra=$(grep -vx "$(state_field "$ID" pid)" "$CG/cgroup.procs" | head -n 1)
  [ -n "$extra" ]
  echo "$extra" >"$CG/sub/cgroup.procs"
  minirt delete --force "$ID"
  # Gone, or at most a zombie on its way out.
  for _ in $(seq 20); do
    [ -d "/proc/$extra" ] && ! grep -q '^State:.*Z' "/proc/$extra/status" ||
      break
    sleep 0.2
  done
  if [ -d "/proc/$extra" ] && ! grep -q '^State:.*Z' "/proc/$extra/status"; then
    echo "process $extra in the sub-cgroup survived delete --force" >&2
    return 1
  fi
  assert_no_traces "$ID"
}
