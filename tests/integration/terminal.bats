#!/usr/bin/env bats
# process.terminal: the pty, --console-socket, the run proxy; and plain
# stdio when there is no terminal.

load helpers

setup_file() {
  export RECVTTY=$BATS_FILE_TMPDIR/recvtty
  cc -Wall -Wextra -Werror -o "$RECVTTY" "$BATS_TEST_DIRNAME/../helpers/recvtty.c"
}

# Starts recvtty in the background on $TEST_DIR/tty.sock; its output goes
# to $TEST_DIR/tty.out. $1: input to type into the terminal.
start_recvtty() {
  SOCK=$TEST_DIR/tty.sock
  "$RECVTTY" "$SOCK" "$@" >"$TEST_DIR/tty.out" 2>"$TEST_DIR/recvtty.err" </dev/null &
  echo $! >"$TEST_DIR/recvtty.pid"
  for i in $(seq 50); do [ -S "$SOCK" ] && return 0; sleep 0.1; done
  return 1
}

# Waits for recvtty to see the pty close, then prints what it read
# without the terminal's carriage returns.
tty_output() {
  local pid; pid=$(cat "$TEST_DIR/recvtty.pid")
  for i in $(seq 100); do pid_running "$pid" || break; sleep 0.1; done
  ! pid_running "$pid" || { echo "recvtty still running" >&2; return 1; }
  tr -d '\r' <"$TEST_DIR/tty.out"
}

@test "the console socket receives the pty master; the program sees a tty" {
  cfg_edit '.process.terminal = true | .process.consoleSize = {"height": 30, "width": 100}
    | .process.args = ["sh", "-c", "tty; test -t 0 && test -t 1 && echo stdio-is-tty; stty size; [ /dev/console -ef $(tty) ] && echo console-is-pty"]'
  start_recvtty
  minirt create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  minirt start "$ID"
  run tty_output
  echo "$output"
  grep -q "got the master" "$TEST_DIR/recvtty.err"
  [ "${lines[0]}" = /dev/pts/0 ]
  [ "${lines[1]}" = stdio-is-tty ]
  [ "${lines[2]}" = "30 100" ]
  [ "${lines[3]}" = console-is-pty ]
}

@test "input typed into the master reaches the program" {
  cfg_edit '.process.terminal = true | .process.args = ["sh", "-c", "read x; echo got:$x"]'
  start_recvtty "hello"$'\n'
  minirt create --console-socket "$SOCK" --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1
  minirt start "$ID"
  run tty_output
  assert_output_contains "got:hello"
}

@test "a terminal without --console-socket on create fails clearly" {
  cfg_edit '.process.terminal = true'
  run timeout 10 "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "console-socket"
  assert_no_traces "$ID"
}

@test "exec -t --console-socket gives the process its own pty" {
  create_started
  start_recvtty
  minirt exec -t --console-socket "$SOCK" "$ID" sh -c 'tty; test -t 0 && echo stdin-is-tty' \
    </dev/null >/dev/null 2>&1
  run tty_output
  echo "$output"
  [ "${lines[0]}" != "not a tty" ]
  case "${lines[0]}" in /dev/pts/*) ;; *) false ;; esac
  [ "${lines[1]}" = stdin-is-tty ]
}

@test "run of a terminal container without a console socket proxies the pty" {
  cfg_edit '.process.terminal = true | .process.args = ["sh", "-c", "tty; echo done"]'
  run timeout 20 "$MINIRT" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$ID" </dev/null
  echo "$output"
  [ "$status" -eq 0 ]
  assert_output_contains "/dev/pts/0"
  assert_output_contains "done"
}

@test "run under a real terminal (script) proxies input and output" {
  cfg_edit '.process.terminal = true | .process.args = ["sh", "-c", "test -t 0 && echo in-tty; exit 3"]'
  run timeout 20 script -qec "$MINIRT --root $STATE_ROOT run --bundle $BUNDLE $ID" /dev/null </dev/null
  echo "$output"
  [ "$status" -eq 3 ]
  assert_output_contains "in-tty"
}

@test "without a terminal the container's stdio are minirt's" {
  cfg_edit '.process.args = ["sh", "-c", "cat; echo to-stderr >&2; test -t 0 || echo no-tty"]'
  run bash -c "echo data | '$MINIRT' --root '$STATE_ROOT' run --bundle '$BUNDLE' '$ID' 2>'$TEST_DIR/err'"
  assert_success
  [ "${lines[0]}" = data ]
  [ "${lines[1]}" = no-tty ]
  [ "$(cat "$TEST_DIR/err")" = to-stderr ]
}
