#!/usr/bin/env bats
# process and the per-process linux fields: identity, capabilities,
# limits, scheduling, seccomp, LSM requests, cwd, env and the PATH lookup,
# each observed from inside a real container.

load helpers
load ../lib/in-container

setup_file() {
  # A static helper for what busybox cannot show (raw syscalls, keyrings).
  if command -v gcc >/dev/null; then
    gcc -static -O2 -o "$BATS_FILE_TMPDIR/probe" "$BATS_TEST_DIRNAME/../lib/probe.c" || true
  fi
}

# Copies the probe helper into the bundle's rootfs as /bin/probe.
with_probe() {
  [ -x "$BATS_FILE_TMPDIR/probe" ] || skip "no static C compiler for tests/lib/probe.c"
  cp "$BATS_FILE_TMPDIR/probe" "$BUNDLE/rootfs/bin/probe"
}

# Sets all five capability sets (JSON arrays).
set_caps() {
  cfg_edit '.process.capabilities = {"bounding": '"$1"', "effective": '"$2"',
    "permitted": '"$3"', "inheritable": '"$4"', "ambient": '"$5"'}'
}

# Prints the five capability masks of the container process as
# "Inh Prm Eff Bnd Amb" in hex without leading zeros.
CAPS_SH='for f in CapInh CapPrm CapEff CapBnd CapAmb; do
  v=$(grep "^$f:" /proc/self/status | cut -f2); printf "%x " 0x$v; done; echo'

@test "hostname and domainname are set" {
  cfg_edit '.hostname = "box" | .domainname = "example.org"'
  in_ctr 'hostname; cat /proc/sys/kernel/domainname'
  assert_success
  [ "${lines[0]}" = box ]
  [ "${lines[1]}" = example.org ]
}

@test "a domainname without a uts namespace fails instead of renaming the host" {
  host=$(cat /proc/sys/kernel/domainname)
  cfg_edit '.domainname = "example.org" | del(.hostname)
    | .linux.namespaces |= map(select(.type != "uts"))'
  in_ctr 'cat /proc/sys/kernel/domainname'
  assert_failure
  assert_output_contains "uts"
  [ "$(cat /proc/sys/kernel/domainname)" = "$host" ]
}

@test "namespaced sysctls are written inside the container only" {
  host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
  host_msgmax=$(cat /proc/sys/kernel/msgmax)
  cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "4321", "net/ipv4/ip_default_ttl": "33"}'
  in_ctr 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/net/ipv4/ip_default_ttl'
  assert_success
  [ "${lines[0]}" = 1 ]
  [ "${lines[1]}" = 4321 ]
  [ "${lines[2]}" = 33 ]
  [ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
  [ "$(cat /proc/sys/kernel/msgmax)" = "$host_msgmax" ]
}

@test "a sysctl outside the container's namespaces is refused" {
  host=$(cat /proc/sys/vm/swappiness)
  for kv in '"vm.swappiness": "'"$host"'"' '"net.ipv4.../../../vm/swappiness": "1"'; do
    cfg_edit '.linux.sysctl = {'"$kv"'}'
    in_ctr true
    assert_failure
    assert_output_contains "linux.sysctl"
    assert_no_traces "$ID"
  done
  # A net sysctl with the host's network namespace would change the host.
  cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1"}
    | .linux.namespaces |= map(select(.type != "network"))'
  in_ctr true
  assert_failure
  assert_output_contains "net.ipv4.ip_forward"
  [ "$(cat /proc/sys/vm/swappiness)" = "$host" ]
}

@test "rlimits are applied with their soft and hard values" {
  cfg_edit '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 2048, "soft": 300},
    {"type": "RLIMIT_CORE", "hard": 0, "soft": 0},
    {"type": "RLIMIT_NPROC", "hard": 500, "soft": 400}]'
  in_ctr 'grep -E "^Max (open files|core file size|processes)" /proc/self/limits | tr -s " "'
  assert_success
  assert_output_contains "Max core file size 0 0 bytes"
  assert_output_contains "Max processes 400 500 processes"
  assert_output_contains "Max open files 300 2048 files"
}

@test "an unknown rlimit fails clearly" {
  cfg_edit '.process.rlimits = [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]'
  in_ctr true
  assert_failure
  assert_output_contains "RLIMIT_BOGUS"
  assert_no_traces "$ID"
}

@test "oomScoreAdj is set" {
  cfg_edit '.process.oomScoreAdj = 345'
  in_ctr 'cat /proc/self/oom_score_adj'
  assert_success
  [ "$output" = 345 ]
}

@test "scheduler policy and nice are applied" {
  cfg_edit '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
  in_ctr 'cut -d" " -f19,41 /proc/self/stat'
  assert_success
  # nice 7, policy 3 (SCHED_BATCH)
  [ "$output" = "7 3" ]
}

@test "SCHED_IDLE is applied" {
  cfg_edit '.process.scheduler = {"policy": "SCHED_IDLE"}'
  in_ctr 'cut -d" " -f41 /proc/self/stat'
  assert_success
  [ "$output" = 5 ]
}

@test "ioPriority is applied" {
  with_probe
  cfg_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 3}
    | .process.args = ["probe", "ioprio"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = "2 3" ]
  cfg_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = "3 0" ]
}

@test "personality LINUX32 makes uname report a 32-bit machine" {
  [ "$(uname -m)" = x86_64 ] || skip "needs an x86_64 host"
  with_probe
  cfg_edit '.linux.personality = {"domain": "LINUX32"}'
  in_ctr 'uname -m; probe personality'
  assert_success
  [ "${lines[0]}" = i686 ]
  [ "${lines[1]}" = 0x8 ]
}

@test "the container gets a new session keyring unless --no-new-keyring" {
  with_probe
  cfg_edit '.process.args = ["probe", "keyring"]'
  minirt run --bundle "$BUNDLE" "$ID-a" </dev/null >"$TEST_DIR/a.out" 2>&1
  cfg_edit '.linux.cgroupsPath = "/'"$CG_PARENT"'/'"$ID"'-b"'
  minirt run --bundle "$BUNDLE" "$ID-b" </dev/null >"$TEST_DIR/b.out" 2>&1
  cfg_edit '.linux.cgroupsPath = "/'"$CG_PARENT"'/'"$ID"'-c"'
  minirt run --no-new-keyring --bundle "$BUNDLE" "$ID-c" </dev/null >"$TEST_DIR/c.out" 2>&1
  host=$("$BATS_FILE_TMPDIR/probe" keyring)
  a=$(cat "$TEST_DIR/a.out"); b=$(cat "$TEST_DIR/b.out"); c=$(cat "$TEST_DIR/c.out")
  [[ "$a" =~ ^[0-9]+$ ]] && [[ "$b" =~ ^[0-9]+$ ]]
  # Each container has a keyring of its own, not ours.
  [ "$a" != "$host" ]
  [ "$b" != "$host" ]
  [ "$a" != "$b" ]
  # --no-new-keyring keeps the caller's.
  [ "$c" = "$host" ]
}

@test "user uid, gid, additionalGids and umask apply" {
  cfg_edit '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 30], "umask": 63}'
  in_ctr 'id -u; id -g; id -G; umask; touch /tmp/f 2>/dev/null; grep -E "^(Uid|Gid|Groups):" /proc/self/status | tr -s "\t " " "'
  assert_success
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = 1001 ]
  [ "${lines[2]}" = "1001 10 20 30" ]
  [ "${lines[3]}" = 0077 ]
  [ "${lines[4]}" = "Uid: 1000 1000 1000 1000" ]
  [ "${lines[5]}" = "Gid: 1001 1001 1001 1001" ]
  [ "${lines[6]}" = "Groups: 10 20 30 " ] || [ "${lines[6]}" = "Groups: 10 20 30" ]
}

@test "without a umask the process gets 0022" {
  in_ctr umask
  assert_success
  [ "$output" = 0022 ]
}

@test "capabilities for uid 0: bounding, inheritable and ambient as given; root's execve makes effective = permitted" {
  set_caps '["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]' '["CAP_CHOWN"]' \
    '["CAP_CHOWN", "CAP_KILL"]' '["CAP_KILL"]' '["CAP_KILL"]'
  in_ctr "$CAPS_SH"
  assert_success
  # CHOWN=bit 0 (0x1), KILL=bit 5 (0x20), NET_RAW=bit 13 (0x2000).
  # With noNewPrivileges the kernel keeps root's permitted at the configured
  # set, and root's execve raises effective to permitted.
  [ "$output" = "20 21 21 2021 20 " ]
}

@test "capabilities for a non-zero uid: only ambient survives execve into permitted/effective" {
  cfg_edit '.process.user = {"uid": 1000, "gid": 1000}'
  set_caps '["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"]' '["CAP_CHOWN", "CAP_KILL"]' \
    '["CAP_CHOWN", "CAP_KILL"]' '["CAP_KILL"]' '["CAP_KILL"]'
  in_ctr "$CAPS_SH"'; kill -0 1 && echo can-signal'
  assert_success
  [ "${lines[0]}" = "20 20 20 2021 20 " ]
}

@test "a non-zero uid with no capabilities has empty sets but the bounding set" {
  cfg_edit '.process.user = {"uid": 1000, "gid": 1000}'
  set_caps '["CAP_CHOWN"]' '[]' '[]' '[]' '[]'
  in_ctr "$CAPS_SH"'; chown 0 /tmp 2>/dev/null || echo chown-refused'
  assert_success
  [ "${lines[0]}" = "0 0 0 1 0 " ]
  [ "${lines[1]}" = chown-refused ]
}

@test "runc spec's ambient without inheritable: one warning at create, none on exec, the caps not raised" {
  # What `runc spec` writes: ambient = permitted, no inheritable set.
  caps='["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]'
  cfg_edit '.process.capabilities = {"bounding": '"$caps"', "effective": '"$caps"',
    "permitted": '"$caps"', "ambient": '"$caps"'}'
  # The init inherits create's stdio: its stderr goes to a file, not a pipe
  # bats would wait on.
  minirt create --bundle "$BUNDLE" "$ID" 2>"$TEST_DIR/create.err"
  [ "$(grep -c warning "$TEST_DIR/create.err")" = 1 ] || { cat "$TEST_DIR/create.err"; false; }
  assert_equal "$(cat "$TEST_DIR/create.err")" "minirt: warning: process.capabilities.ambient: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE not raised: an ambient capability must also be permitted and inheritable"
  minirt start "$ID"
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" exec "$ID" sh -c 'grep ^CapAmb: /proc/self/status'
  assert_success
  assert_equal "$stderr" ""
  assert_equal "$output" "CapAmb:	0000000000000000"
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" --debug exec "$ID" true
  assert_success
  [[ "$stderr" == *"minirt: debug: process.capabilities.ambient: CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE not raised"* ]] || { echo "stderr: $stderr"; false; }
  [[ "$stderr" != *warning* ]]
}

@test "an unknown capability fails create clearly" {
  set_caps '["CAP_NOT_A_CAP"]' '[]' '[]' '[]' '[]'
  in_ctr true
  assert_failure
  assert_output_contains "CAP_NOT_A_CAP"
  assert_no_traces "$ID"
}

@test "noNewPrivileges true and false show in /proc/self/status" {
  cfg_edit '.process.noNewPrivileges = true'
  in_ctr 'grep ^NoNewPrivs: /proc/self/status | cut -f2'
  assert_success
  [ "$output" = 1 ]
  cfg_edit '.process.noNewPrivileges = false'
  in_ctr 'grep ^NoNewPrivs: /proc/self/status | cut -f2'
  assert_success
  [ "$output" = 0 ]
}

@test "seccomp SCMP_ACT_ERRNO returns errnoRet, other syscalls pass" {
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 71}]}
    | .root.readonly = false'
  in_ctr 'mkdir /tmp/d 2>&1; touch /tmp/f && echo touch-ok'
  assert_success
  assert_output_contains "Protocol error"
  [ "${lines[-1]}" = touch-ok ]
}

@test "seccomp SCMP_ACT_ERRNO without errnoRet returns EPERM" {
  with_probe
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]}
    | .process.args = ["probe", "sys", "110"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = "errno 1" ]
}

@test "seccomp argument comparisons match only the given values" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  # personality(2) is 135 on x86_64. Two comparisons of the same argument
  # are separate rules, any of which matches (runc's rule).
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 33,
                  "args": [{"index": 0, "value": 2048, "op": "SCMP_CMP_EQ"}]},
                 {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 34,
                  "args": [{"index": 0, "value": 4096, "op": "SCMP_CMP_GT"},
                           {"index": 0, "value": 16, "op": "SCMP_CMP_LT"}]}]}'
  in_ctr 'for a in 0x800 0x2000 4 0x20 0x801; do probe sys 135 $a; done'
  assert_success
  [ "${lines[0]}" = "errno 33" ]
  [ "${lines[1]}" = "errno 34" ]
  [ "${lines[2]}" = "errno 34" ]
  [ "${lines[3]}" = "ok 0" ]
  [ "${lines[4]}" = "ok 0" ]
}

@test "seccomp comparisons of different arguments must all match" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  # kill(2) is 62: refuse only kill(1, 0).
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 36,
                  "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                           {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
  in_ctr 'probe sys 62 1 0; probe sys 62 1 18; probe sys 62 99999 0'
  assert_success
  [ "${lines[0]}" = "errno 36" ]
  [ "${lines[1]}" = "ok 0" ]
  # No such process: the call reached the kernel.
  [ "${lines[2]}" = "errno 3" ]
}

@test "seccomp MASKED_EQ compares the masked argument" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 35,
                  "args": [{"index": 0, "value": 255, "valueTwo": 4, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
  in_ctr 'probe sys 135 0x104; probe sys 135 0x108; probe sys 135 0xffffffff'
  assert_success
  [ "${lines[0]}" = "errno 35" ]
  [ "${lines[1]}" = "ok 0" ]
  [ "${lines[2]}" = "ok 0" ]
}

@test "seccomp SCMP_ACT_KILL kills the caller with SIGSYS" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["sched_yield"], "action": "SCMP_ACT_KILL"}]}'
  in_ctr 'probe sys 24; echo "status $?"'
  assert_success
  # 128 + SIGSYS (31)
  [ "${lines[-1]}" = "status 159" ]
}

@test "seccomp SCMP_ACT_KILL on the init: run reports 128+SIGSYS" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["sched_yield"], "action": "SCMP_ACT_KILL_PROCESS"}]}
    | .process.args = ["probe", "sys", "24"]'
  rt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 159 ]
  assert_no_traces "$ID"
}

@test "seccomp defaultAction SCMP_ACT_ERRNO with defaultErrnoRet refuses what is not allowed" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
    "syscalls": [{"action": "SCMP_ACT_ALLOW", "names": ["execve", "execveat", "brk",
      "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
      "readlink", "readlinkat", "getrandom", "mprotect", "mmap", "munmap", "write",
      "writev", "exit", "exit_group", "uname", "newfstatat", "fstat", "close",
      "close_range", "futex", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
      "openat", "read", "lseek", "ioctl", "fcntl", "getpid"]}]}
    | .process.args = ["probe", "sys", "110"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = "errno 38" ]
  cfg_edit '.process.args = ["probe", "sys", "39"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [[ "$output" == "ok "* ]]
}

# podman's default profile (tests/data/seccomp-podman.json, from
# bench/podman-seccomp.sh) as the container gets it: the program minirt
# loads is the compacted one (docs/security.md), so this checks the
# rewritten program in the real kernel, on each of its architectures.
# Each probe is chosen so that the filter's answer differs from the
# kernel's own: vmsplice(-1) is EBADF (9) unfiltered, socket(AF_NETLINK,
# SOCK_RAW, NETLINK_AUDIT) and personality(ADDR_NO_RANDOMIZE) succeed
# unfiltered, add_key(NULL, ...) is EFAULT (14) unfiltered, an x32 call is
# ENOSYS without the x32 ABI.
@test "seccomp: podman's default profile, compacted, holds on x86_64, i386 and x32" {
  with_probe
  [ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86_64's"
  profile=$(jq -c .linux.seccomp "$BATS_TEST_DIRNAME/../data/seccomp-podman.json")
  cfg_edit ".linux.seccomp = $profile | .root.readonly = false"
  set_sh 'probe sys 278 -1 0 0 0      # vmsplice: errno 1
    probe sys 275 -1 0 -1 0 1 0         # splice: allowed, errno 9
    probe sys 41 16 3 9                 # socket(NETLINK_AUDIT): errno 22
    probe sys 41 16 3 0 >/dev/null && echo socket-ok
    probe sys 135 0xffffffff >/dev/null && echo personality-query-ok
    probe sys 135 0x8 >/dev/null && echo personality-linux32-ok
    probe sys 135 0x0400000             # ADDR_NO_RANDOMIZE: errno 38
    probe sys 248 0 0 0 0 0             # add_key: not listed, errno 38
    probe sys 0x40000214 -1 0 0 0       # x32 vmsplice: errno 1
    probe sys32 316 -1 0 0              # i386 vmsplice: errno 1
    probe sys32 313 -1 0 -1 0 1         # i386 splice: allowed, errno 9
    probe sys32 136 0x0400000           # i386 personality: errno 38
    mkdir /tmp/d && echo mkdir-ok'
  run --separate-stderr "$MINIRT" --root "$STATE_ROOT" --debug run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "${lines[0]}" = "errno 1" ]
  [ "${lines[1]}" = "errno 9" ]
  [ "${lines[2]}" = "errno 22" ]
  [ "${lines[3]}" = socket-ok ]
  [ "${lines[4]}" = personality-query-ok ]
  [ "${lines[5]}" = personality-linux32-ok ]
  [ "${lines[6]}" = "errno 38" ]
  [ "${lines[7]}" = "errno 38" ]
  [ "${lines[8]}" = "errno 1" ]
  [ "${lines[9]}" = "errno 1" ]
  [ "${lines[10]}" = "errno 9" ]
  [ "${lines[11]}" = "errno 38" ]
  [ "${lines[12]}" = mkdir-ok ]
  # libseccomp makes 1426 instructions of it; the loaded program is the
  # compacted one.
  n=$(echo "$stderr" | sed -n 's/.*seccomp: \([0-9]*\) instructions ready.*/\1/p' | head -n 1)
  [ -n "$n" ] && [ "$n" -lt 713 ]
  # exec gets the same program (from the cache now).
  cfg_edit '.process.args = ["sleep", "60"]'
  start_detached
  rt exec "$ID" probe sys 278 -1 0 0 0
  [ "$output" = "errno 1" ]
  rt exec "$ID" probe sys32 136 0x8
  [[ "$output" == "ok "* ]]
  rt kill "$ID" KILL
}

@test "an unknown seccomp action fails create clearly" {
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_SOMETIMES"}'
  in_ctr true
  assert_failure
  assert_output_contains "SCMP_ACT_SOMETIMES"
  assert_no_traces "$ID"
}

@test "an apparmor profile on a host without AppArmor fails clearly" {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is enabled here"
  cfg_edit '.process.apparmorProfile = "minirt-test"'
  in_ctr true
  assert_failure
  assert_output_contains "minirt-test"
  assert_output_contains "AppArmor is not enabled"
  assert_no_traces "$ID"
}

@test "an SELinux label on a host without SELinux fails clearly" {
  [ ! -d /sys/fs/selinux ] || skip "SELinux is present here"
  cfg_edit '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
  in_ctr true
  assert_failure
  assert_output_contains "system_u:system_r:container_t:s0"
  assert_output_contains "SELinux is not enabled"
  assert_no_traces "$ID"
}

@test "cwd is the process's working directory" {
  cfg_edit '.process.cwd = "/home/user"'
  in_ctr pwd
  assert_success
  [ "$output" = /home/user ]
}

@test "a missing cwd fails create clearly" {
  cfg_edit '.process.cwd = "/no/such/dir"'
  in_ctr pwd
  assert_failure
  assert_output_contains "/no/such/dir"
  assert_no_traces "$ID"
}

@test "env is exactly the config's" {
  cfg_edit '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY="] | .process.args = ["env"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  assert_output_contains "FOO=bar baz"
  assert_output_contains "EMPTY="
  assert_output_contains "PATH=/bin:/usr/bin"
}

@test "args[0] is looked up in the config's PATH" {
  mkdir -p "$BUNDLE/rootfs/opt/tools"
  printf '#!/bin/sh\necho from-opt\n' > "$BUNDLE/rootfs/opt/tools/mytool"
  chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
  cfg_edit '.process.env = ["PATH=/opt/tools:/bin"] | .process.args = ["mytool"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = from-opt ]
}

@test "an init not found in PATH fails create with a clear error and no traces" {
  cfg_edit '.process.args = ["no-such-program"]'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "no-such-program"
  assert_output_contains "not found"
  assert_no_traces "$ID"
}

@test "an init that is not executable fails create with a clear error and no traces" {
  printf 'data\n' > "$BUNDLE/rootfs/bin/not-exec"
  chmod 644 "$BUNDLE/rootfs/bin/not-exec"
  for prog in /bin/not-exec not-exec /etc; do
    cfg_edit '.process.args = ["'"$prog"'"]'
    rt create --bundle "$BUNDLE" "$ID"
    assert_failure
    assert_output_contains "$prog"
    assert_output_contains "permission denied"
    assert_no_traces "$ID"
  done
}

@test "run reports 127 for an init not found and 126 for one not executable" {
  cfg_edit '.process.args = ["no-such-program"]'
  run -127 "$MINIRT" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID"
  printf 'data\n' > "$BUNDLE/rootfs/bin/not-exec"
  cfg_edit '.process.args = ["/bin/not-exec"]'
  rt run --bundle "$BUNDLE" "$ID"
  [ "$status" -eq 126 ]
}

@test "the init gets HOME from the container's /etc/passwd when env has none" {
  cfg_edit '.process.user = {"uid": 1000, "gid": 1000}
    | .process.env = ["PATH=/bin"] | .process.args = ["sh", "-c", "echo $HOME"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "$output" = /home/user ]
  cfg_edit '.process.env = ["PATH=/bin", "HOME=/given"]'
  rt run --bundle "$BUNDLE" "$ID"
  [ "$output" = /given ]
}
