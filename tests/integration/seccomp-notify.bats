#!/usr/bin/env bats
# linux.seccomp with SCMP_ACT_NOTIFY: the notify fd of the init and of
# every exec goes from the runtime to the agent at listenerPath, with the
# runtime-spec's containerProcessState; the agent (tests/helpers/
# seccomp-agent.c) answers each notified syscall with EPERM.

load helpers

setup_file() {
  export AGENT=$BATS_FILE_TMPDIR/seccomp-agent
  cc -Wall -Wextra -Werror -o "$AGENT" "$BATS_TEST_DIRNAME/../helpers/seccomp-agent.c"
}

setup() {
  setup_minirt
  SOCK=$TEST_DIR/agent.sock
  cfg_edit '.root.readonly = false | .linux.seccomp = {
    "defaultAction": "SCMP_ACT_ALLOW",
    "listenerPath": "'"$SOCK"'", "listenerMetadata": "test-meta",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
}

# Starts the agent for $1 connections; teardown kills it by its pid file.
start_agent() {
  "$AGENT" "$SOCK" "$TEST_DIR/payload" "$1" 2>"$TEST_DIR/agent.err" &
  echo $! >"$TEST_DIR/agent.pid"
  for i in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
  return 1
}

@test "the init's notified mkdir is answered by the agent, which got the process state" {
  start_agent 1
  cfg_edit '.process.args = ["sh", "-c", "mkdir /made 2>&1; test -d /made && echo exists || echo absent"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  assert_output_contains "Operation not permitted"
  assert_output_contains "absent"
  p=$TEST_DIR/payload.0
  [ "$(jq -r '.fds[0]' "$p")" = seccompFd ]
  [ "$(jq -r .metadata "$p")" = test-meta ]
  [ "$(jq -r .state.id "$p")" = "$ID" ]
  [ "$(jq -r .ociVersion "$p")" != null ]
  [ "$(jq -r .pid "$p")" -gt 1 ]
  [ "$(jq -r .pid "$p")" = "$(jq -r .state.pid "$p")" ]
}

@test "an exec's notify fd goes to the agent too, with the exec's host pid" {
  start_agent 2
  minirt create --bundle "$BUNDLE" "$ID" >"$TEST_DIR/create.out" 2>&1
  minirt start "$ID"
  init=$(state_field "$ID" pid)
  [ "$(jq -r .pid "$TEST_DIR/payload.0")" = "$init" ]
  rt exec --pid-file "$TEST_DIR/exec-pidfile" "$ID" sh -c 'mkdir /made2 2>&1; echo $$'
  assert_success
  assert_output_contains "Operation not permitted"
  p=$TEST_DIR/payload.1
  [ "$(jq -r .state.status "$p")" = running ]
  [ "$(jq -r .pid "$p")" = "$(cat "$TEST_DIR/exec-pidfile")" ]
  [ "$(jq -r .pid "$p")" != "$init" ]
}

@test "with nobody listening, create fails naming listenerPath and leaves nothing" {
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "linux.seccomp.listenerPath"
  assert_output_contains "$SOCK"
  assert_no_traces "$ID"
}

@test "SCMP_ACT_NOTIFY without listenerPath is refused" {
  cfg_edit 'del(.linux.seccomp.listenerPath)'
  rt run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "requires linux.seccomp.listenerPath"
  assert_no_traces "$ID"
}
