# Shared setup for the integration tests: every test gets its own --root,
# bundle and parent cgroup under a temp dir, and teardown removes every
# container, cgroup and file it made, also when the test failed.

# shellcheck disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/../lib/asserts.bash"

bats_require_minimum_version 1.5.0

MINIRT=${MINIRT:-$BATS_TEST_DIRNAME/../../build/minirt}
ROOTFS_TEMPLATE=${ROOTFS_TEMPLATE:-$BATS_TEST_DIRNAME/../tmp/rootfs}

# MINIRT_SYSTEMD=1 (the systemd VM lane, tests/vm/run-systemd.sh): every
# call gets --systemd-cgroup and each test's containers go into a slice of
# its own, cgroupsPath "<slice>:minirt:<id>", i.e. the cgroup
# /<slice>/minirt-<id>.scope; teardown stops the slice.
MINIRT_GLOBAL=()
[ "${MINIRT_SYSTEMD:-0}" != 1 ] || MINIRT_GLOBAL=(--systemd-cgroup)

setup_minirt() {
  TEST_DIR=$(mktemp -d /tmp/minirt-test.XXXXXX)
  STATE_ROOT=$TEST_DIR/state
  # The temp dir name makes it unique even across concurrent runs.
  CG_PARENT=minirt-test-${TEST_DIR##*.}-${BATS_TEST_NUMBER}
  BUNDLE=$TEST_DIR/bundle
  ID=t${BATS_TEST_NUMBER}-$$
  local cgpath=/$CG_PARENT/$ID
  if [ "${MINIRT_SYSTEMD:-0}" = 1 ]; then
    # A '-' in a slice name nests it: none in ours, which is under -.slice.
    CG_PARENT=minirt_test_${TEST_DIR##*.}_${BATS_TEST_NUMBER}.slice
    cgpath=$CG_PARENT:minirt:$ID
  fi
  mkdir -p "$BUNDLE"
  if [ ! -d "$ROOTFS_TEMPLATE/bin" ]; then
    "$BATS_TEST_DIRNAME/../lib/make-rootfs.sh" "$ROOTFS_TEMPLATE"
  fi
  cp -a "$ROOTFS_TEMPLATE" "$BUNDLE/rootfs"
  ( cd "$BUNDLE" && "$MINIRT" spec )
  # No terminal, a command that runs until killed, our own cgroup parent.
  cfg_edit '.process.terminal = false | .process.args = ["sleep", "1000"]
    | .linux.cgroupsPath = "'"$cgpath"'"'
}

# Gives the config the cgroupsPath of container $1 in this test's parent
# (setup gives it $ID's).
cfg_cgroup() {
  if [ "${MINIRT_SYSTEMD:-0}" = 1 ]; then
    cfg_edit '.linux.cgroupsPath = "'"$CG_PARENT:minirt:$1"'"'
  else
    cfg_edit '.linux.cgroupsPath = "'"/$CG_PARENT/$1"'"'
  fi
}

# The cgroup of container $1 (default $ID), relative to the hierarchy's root.
cg_path() {
  if [ "${MINIRT_SYSTEMD:-0}" = 1 ]; then
    echo "$CG_PARENT/minirt-${1:-$ID}.scope"
  else
    echo "$CG_PARENT/${1:-$ID}"
  fi
}

teardown_minirt() {
  if [ -d "$STATE_ROOT" ]; then
    for c in $(ls "$STATE_ROOT" 2>/dev/null); do
      "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" delete --force "$c" >/dev/null 2>&1 || true
    done
  fi
  for pidfile in "$TEST_DIR"/*.pid; do
    [ -f "$pidfile" ] || continue
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
  done
  remove_cgroup_parent
  # A container without a mount namespace mounts in ours, below the bundle:
  # detach whatever a failed test left there before removing anything, so
  # that rm never walks into proc, sysfs or a bind of a host directory.
  awk -v d="$TEST_DIR/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$TEST_DIR"
}

remove_cgroup_parent() {
  # systemd mode: stopping the slice stops every scope in it (and kills
  # what is left there); the directories below are for what systemd does
  # not know (made by hand or by a runtime without the driver).
  if [ "${MINIRT_SYSTEMD:-0}" = 1 ] && [ -n "${CG_PARENT:-}" ]; then
    systemctl stop "$CG_PARENT" >/dev/null 2>&1 || true
  fi
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    d=$h$CG_PARENT
    [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

setup() { setup_minirt; }
teardown() { teardown_minirt; }

# Applies a jq program to the bundle's config.json.
cfg_edit() {
  local tmp=$BUNDLE/config.json.tmp
  jq "$1" "$BUNDLE/config.json" > "$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

minirt() {
  "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" "$@"
}

# `run` from bats with our binary; $status/$output/$lines as usual.
rt() {
  run "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" "$@"
}

state_field() {
  "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" state "$1" | jq -r ".$2"
}

create_started() {
  minirt create --bundle "$BUNDLE" "${1:-$ID}"
  minirt start "${1:-$ID}"
}

# Runs a command in a detached container and captures its output (stdout
# goes to a file because the init inherits our fds).
run_in_container() {
  cfg_edit ".process.args = $(printf '%s\n' "$@" | jq -R . | jq -s .)"
  run "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" run --bundle "$BUNDLE" "$ID-run"
}

# No state dir, no cgroup, no process (and with systemd no running scope)
# is left for container $1.
assert_no_traces() {
  local cg
  cg=$(cg_path "$1")
  [ ! -e "$STATE_ROOT/$1" ] || { echo "state dir of $1 left" >&2; return 1; }
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ ! -d "$h$cg" ] || { echo "cgroup $h$cg left" >&2; return 1; }
  done
  if [ "${MINIRT_SYSTEMD:-0}" = 1 ] && systemctl -q is-active "${cg##*/}"; then
    echo "unit ${cg##*/} still active" >&2
    return 1
  fi
  return 0
}
