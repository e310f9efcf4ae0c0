# Assertions shared by every bats file (integration, security, clients).
# They read bats' $status and $output and say what they expected.

assert_success() {
  if [ "$status" -ne 0 ]; then
    echo "expected success, got status $status; output: $output${stderr:+; stderr: $stderr}" >&2
    return 1
  fi
}

assert_failure() {
  if [ "$status" -eq 0 ]; then
    echo "expected failure, got success; output: $output" >&2
    return 1
  fi
}

assert_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected status $1, got $status; output: $output" >&2
    return 1
  fi
}

assert_output_contains() {
  case "$output" in
    *"$1"*) ;;
    *) echo "output does not contain '$1': $output" >&2; return 1 ;;
  esac
}

assert_equal() {
  if [ "$1" != "$2" ]; then
    echo "expected '$2', got '$1'${stderr:+ (stderr: $stderr)}" >&2
    return 1
  fi
}

# Tries a command up to $1 times, 0.1 s apart (for states that settle).
retry() {
  local n=$1 i
  shift
  for ((i = 0; i < n; i++)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

# True while process $1 exists and has not exited. Not `kill -0`: a child
# of the test shell that exits while a `run` subshell is being forked can
# stay an unreaped zombie for as long as that subshell runs (seen once in
# 3000 tries), and kill -0 succeeds on a zombie.
pid_running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
