# Helpers for tests that look at the container from inside: run a shell
# snippet as the container's process and check what it prints.

# Sets the container's process to `sh -c "$1"`.
set_sh() {
  local tmp=$BUNDLE/config.json.tmp
  jq --arg s "$1" '.process.args = ["sh", "-c", $s]' "$BUNDLE/config.json" > "$tmp" \
    && mv "$tmp" "$BUNDLE/config.json"
}

# Runs `sh -c "$1"` in a fresh container (foreground `run`); sets
# $status/$output like bats' run.
in_ctr() {
  set_sh "$1"
  rt run --bundle "$BUNDLE" "$ID"
}

# Starts container $1 (default $ID) detached with none of bats' fds.
start_detached() {
  minirt run --detach --bundle "$BUNDLE" "${1:-$ID}" </dev/null >/dev/null 2>&1
}

# Prints the inode-style namespace link of pid $2's namespace $1.
ns_of() {
  readlink "/proc/${2:-self}/ns/$1"
}

# The host's mounts under this test's temp dir: must stay empty.
host_tmp_mounts() {
  awk -v d="$TEST_DIR" 'index($2, d) == 1' /proc/self/mounts
}
