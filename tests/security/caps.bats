#!/usr/bin/env bats
# Capabilities and seccomp of exec'd processes.

load ../integration/helpers

capinh() { awk '/^CapInh/ {print $2}'; }

@test "exec --cap does not fill the inheritable set (CVE-2022-29162)" {
  create_started
  rt exec --cap CAP_SYS_ADMIN "$ID" cat /proc/self/status
  assert_success
  assert_equal "$(echo "$output" | capinh)" 0000000000000000
  assert_equal "$(echo "$output" | awk '/^CapEff/ {print $2}')" 0000000020200420
}

@test "seccomp of the config applies to exec'd processes" {
  cfg_edit '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
    | .root.readonly = false'
  create_started
  rt exec "$ID" mkdir /newdir
  assert_failure
  [ ! -d "$BUNDLE/rootfs/newdir" ]
  rt exec "$ID" grep Seccomp: /proc/self/status
  assert_output_contains 2
}

@test "host processes are invisible and unsignalable from inside" {
  sleep 1000 </dev/null >/dev/null 2>&1 &
  echo $! > "$TEST_DIR/host.pid"
  hostpid=$!
  create_started
  rt exec "$ID" sh -c "ls /proc | grep -qx $hostpid && echo VISIBLE; kill -0 $hostpid && echo SIGNALED; echo end"
  assert_output_contains end
  case "$output" in *SIGNALED*|*VISIBLE*) false ;; esac
  kill -0 "$hostpid"
}
