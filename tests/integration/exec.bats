#!/usr/bin/env bats
# exec: every process is computed from the config saved at create plus the
# --process file plus flags (../shared/exec-semantics.md).

load helpers

setup() {
  setup_minirt
  cfg_edit '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20], "umask": 23}
    | .process.env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FOO=config", "BAR=keep"]
    | .process.cwd = "/home/user"
    | .process.capabilities = {"bounding": ["CAP_CHOWN", "CAP_KILL"],
        "effective": ["CAP_CHOWN"], "permitted": ["CAP_CHOWN", "CAP_KILL"],
        "inheritable": ["CAP_KILL"], "ambient": []}
    | .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]
    | .process.noNewPrivileges = true
    | .process.oomScoreAdj = 123
    | .hostname = "exectest"
    | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
  create_started
}

@test "exec without flags runs as the config's user, not root" {
  rt exec "$ID" id -u
  assert_success
  [ "$output" = 1000 ]
  rt exec "$ID" id -g
  [ "$output" = 1000 ]
}

@test "exec keeps additionalGids, umask, cwd and env of the config" {
  rt exec "$ID" id -G
  assert_success
  [ "$output" = "1000 10 20" ]
  rt exec "$ID" sh -c umask
  [ "$output" = 0027 ]
  rt exec "$ID" pwd
  [ "$output" = /home/user ]
  rt exec "$ID" sh -c 'echo $FOO-$BAR'
  [ "$output" = config-keep ]
}

@test "exec derives HOME from the container's /etc/passwd" {
  rt exec "$ID" sh -c 'echo $HOME'
  [ "$output" = /home/user ]
  rt exec -u 0 "$ID" sh -c 'echo $HOME'
  [ "$output" = /root ]
}

@test "exec --env replaces in place and appends, keeping the config's env" {
  rt exec --env FOO=flag --env NEW=1 "$ID" env
  assert_success
  assert_output_contains "FOO=flag"
  assert_output_contains "BAR=keep"
  assert_output_contains "NEW=1"
  [[ "$output" != *"FOO=config"* ]]
}

@test "exec -u UID keeps the gid; -u UID:GID replaces both; -u 1 is uid 1" {
  rt exec -u 2000 "$ID" id
  assert_output_contains "uid=2000"
  assert_output_contains "gid=1000"
  rt exec -u 2000:3000 "$ID" id
  assert_output_contains "uid=2000"
  assert_output_contains "gid=3000"
  rt exec -u 1 "$ID" id -u
  [ "$output" = 1 ]
}

@test "exec --cwd replaces the cwd" {
  rt exec --cwd /tmp "$ID" pwd
  [ "$output" = /tmp ]
}

@test "exec keeps capabilities, rlimits, no_new_privs, oom_score_adj and seccomp" {
  rt exec "$ID" cat /proc/self/status
  assert_success
  [ "$(echo "$output" | awk '/^CapBnd/{print $2}')" = 0000000000000021 ]
  [ "$(echo "$output" | awk '/^CapInh/{print $2}')" = 0000000000000020 ]
  [ "$(echo "$output" | awk '/^NoNewPrivs/{print $2}')" = 1 ]
  [ "$(echo "$output" | awk '/^Seccomp:/{print $2}')" = 2 ]
  rt exec "$ID" sh -c 'ulimit -n; ulimit -Hn'
  [ "${lines[0]}" = 256 ]
  [ "${lines[1]}" = 512 ]
  rt exec "$ID" cat /proc/self/oom_score_adj
  [ "$output" = 123 ]
  rt exec "$ID" mkdir /tmp/x
  assert_failure
  assert_output_contains "Operation not permitted"
}

@test "exec --cap adds to bounding/effective/permitted, ambient only if inheritable, never inheritable" {
  rt exec --cap CAP_KILL --cap CAP_NET_RAW "$ID" cat /proc/self/status
  assert_success
  # CAP_CHOWN=0 CAP_KILL=5 CAP_NET_RAW=13
  [ "$(echo "$output" | awk '/^CapBnd/{print $2}')" = 0000000000002021 ]
  [ "$(echo "$output" | awk '/^CapInh/{print $2}')" = 0000000000000020 ]
  [ "$(echo "$output" | awk '/^CapAmb/{print $2}')" = 0000000000000020 ]
  # A non-root process keeps after execve only what is ambient.
  [ "$(echo "$output" | awk '/^CapEff/{print $2}')" = 0000000000000020 ]
}

@test "exec joins every namespace and the cgroup of the container" {
  pid=$(state_field "$ID" pid)
  for ns in pid net ipc uts mnt; do
    rt exec -u 0 --cap CAP_SYS_PTRACE "$ID" readlink /proc/self/ns/$ns
    [ "$output" = "$(readlink /proc/$pid/ns/$ns)" ]
  done
  rt exec "$ID" hostname
  [ "$output" = exectest ]
  # Seen from the host: inside, the cgroup namespace shows "/".
  minirt exec -d --pid-file "$TEST_DIR/e.pid" "$ID" sleep 100 </dev/null >/dev/null 2>&1
  run cat /proc/$(cat "$TEST_DIR/e.pid")/cgroup
  assert_output_contains "$CG_PARENT/$ID"
  kill -9 "$(cat "$TEST_DIR/e.pid")"
}

@test "editing or deleting the bundle's config.json after create changes nothing" {
  cfg_edit '.process.user.uid = 0 | .process.env = ["FOO=edited"]'
  rt exec "$ID" sh -c 'id -u; echo $FOO'
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = config ]
  rm "$BUNDLE/config.json"
  rt exec "$ID" id -u
  assert_success
  [ "$output" = 1000 ]
}

@test "a partial --process file inherits the rest from the config" {
  echo '{"args": ["sh", "-c", "id -u; echo $FOO; pwd"]}' > "$TEST_DIR/p.json"
  rt exec --process "$TEST_DIR/p.json" "$ID"
  assert_success
  [ "${lines[0]}" = 1000 ]
  [ "${lines[1]}" = config ]
  [ "${lines[2]}" = /home/user ]
}

@test "a --process file replaces a field as a whole; flags win over it" {
  echo '{"args": ["sh", "-c", "id -u; env"], "env": ["ONLY=file"], "user": {"uid": 3000, "gid": 3000}}' > "$TEST_DIR/p.json"
  rt exec --process "$TEST_DIR/p.json" --env X=flag "$ID"
  assert_success
  [ "${lines[0]}" = 3000 ]
  assert_output_contains "ONLY=file"
  assert_output_contains "X=flag"
  [[ "$output" != *"FOO=config"* ]]
}

@test "exec returns the exit status, 128+N for a signal" {
  rt exec "$ID" sh -c 'exit 7'
  [ "$status" -eq 7 ]
  rt exec "$ID" sh -c 'kill -9 $$'
  [ "$status" -eq 137 ]
}

@test "exec of a missing executable exits 127, of a non-executable 126" {
  run -127 "$MINIRT" --root "$STATE_ROOT" exec "$ID" nosuchcmd
  assert_output_contains 'executable file `nosuchcmd` not found in $PATH'
  run -126 "$MINIRT" --root "$STATE_ROOT" exec "$ID" /etc/passwd
  assert_output_contains "permission denied"
}

@test "exec into a missing cwd fails clearly and leaves nothing running" {
  before=$(minirt ps --format json "$ID")
  rt exec --cwd /nope "$ID" true
  assert_failure
  assert_output_contains "/nope"
  [ "$(minirt ps --format json "$ID")" = "$before" ]
}

@test "exec --detach with --pid-file names the host pid" {
  minirt exec -u 0 --detach --pid-file "$TEST_DIR/exec.pid" "$ID" sleep 100 </dev/null >/dev/null 2>&1
  sleep 0.2
  pid=$(cat "$TEST_DIR/exec.pid")
  [ "$(cat /proc/$pid/comm)" = sleep ]
  [ "$(awk '/^Uid/{print $2}' /proc/$pid/status)" = 0 ]
  kill -9 "$pid"
}

@test "exec into a paused container is refused unless --ignore-paused" {
  minirt pause "$ID"
  rt exec "$ID" true
  assert_failure
  assert_output_contains "paused"
  minirt resume "$ID"
  rt exec "$ID" true
  assert_success
}

@test "exec into a stopped or unknown container fails clearly" {
  rt exec nosuch-$ID true
  assert_failure
  assert_output_contains "does not exist"
  minirt kill "$ID" KILL
  for i in $(seq 50); do [ "$(state_field "$ID" status)" = stopped ] && break; sleep 0.1; done
  rt exec "$ID" true
  assert_failure
  assert_output_contains "stopped"
}

@test "exec --explain prints the resolved process and its sources without running" {
  rt exec --explain -u 5 --env FOO=x "$ID" sh
  assert_success
  [ "$(echo "$output" | jq -r .process.user.uid)" = 5 ]
  [ "$(echo "$output" | jq -r .process.user.gid)" = 1000 ]
  [ "$(echo "$output" | jq -r '.sources["user.uid"]')" = "flag --user" ]
  [ "$(echo "$output" | jq -r '.sources["user.gid"]')" = config ]
}
