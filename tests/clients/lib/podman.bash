# Shared setup for the podman client tests: one private podman world per
# test file (storage, run dirs, tmp, events under a temp dir; no network;
# cgroupfs, or PM_CGROUP_MANAGER=systemd) whose OCI runtime is minirt, or
# $PODMAN_RUNTIME (e.g. /usr/sbin/runc to compare). Teardown removes every
# container, pod, mount, conmon process and cgroup (or scope) the file made.

# shellcheck disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/asserts.bash"

bats_require_minimum_version 1.5.0

MINIRT=${MINIRT:-$BATS_TEST_DIRNAME/../../build/minirt}
ROOTFS_TEMPLATE=${ROOTFS_TEMPLATE:-$BATS_TEST_DIRNAME/../tmp/rootfs}
IMAGE=localhost/minirt-bb:latest
PM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

podman_world_setup() {
  local runtime=${PODMAN_RUNTIME:-$(realpath "$MINIRT")}
  # podman passes the runtime no --root (and its cleanup processes must
  # find the state where create put it), so minirt keeps it in the host's
  # /run/minirt: remove that in teardown when this world made it.
  PM_MADE_RUN=0
  [ -e /run/minirt ] || PM_MADE_RUN=1
  export PM_MADE_RUN
  PM_DIR=$(mktemp -d /tmp/minirt-podman.XXXXXX)
  export PM_DIR
  "$PM_LIB/podman-env.sh" "$PM_DIR" "$runtime" "${PM_CGROUP_MANAGER:-cgroupfs}"
  if [ ! -d "$ROOTFS_TEMPLATE/bin" ]; then
    "$PM_LIB/../../lib/make-rootfs.sh" "$ROOTFS_TEMPLATE"
  fi
  tar -C "$ROOTFS_TEMPLATE" -cf "$PM_DIR/rootfs.tar" .
  pm import "$PM_DIR/rootfs.tar" "$IMAGE" >/dev/null 2>&1
}

# Everything podman left: containers and pods first (through podman), then
# any conmon still running for this world (by pid), mounts under the
# world's dir, and the cgroups podman made for our containers.
podman_world_teardown() {
  [ -n "${PM_DIR:-}" ] && [ -d "$PM_DIR" ] || return 0
  pm_clean_containers
  local pid
  for pid in $(pm_conmon_pids); do
    kill -9 "$pid" 2>/dev/null || true
  done
  pm_umount_all
  pm_remove_cgroups
  if [ "${PM_MADE_RUN:-0}" = 1 ] && [ -d /run/minirt ]; then
    rm -rf /run/minirt/.seccomp-cache
    rmdir /run/minirt 2>/dev/null || true
  fi
  rm -rf "$PM_DIR"
}

pm_clean_containers() {
  # Pods have cgroups of their own: /libpod_parent/<POD ID>.
  pm pod ps -q --no-trunc >> "$PM_DIR/ids" 2>/dev/null || true
  pm pod rm -af -t 0 >/dev/null 2>&1 || true
  pm rm -af -t 0 >/dev/null 2>&1 || true
  local id
  for id in $(ls "$PM_DIR/root/vfs-containers" 2>/dev/null); do
    pm rm -f --storage "$id" >/dev/null 2>&1 || true
  done
}

# conmon processes whose command line names this world's dirs.
pm_conmon_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(cat "$p/comm" 2>/dev/null)" = conmon ] || continue
    tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "$PM_DIR" && echo "${p#/proc/}"
  done
}

pm_umount_all() {
  local m
  for m in $(awk -v d="$PM_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
}

# podman puts containers under /libpod_parent/libpod-<ID> (cgroupfs
# manager); remove those of our containers and the parent once empty.
# With the systemd manager they are the units libpod-<ID>.scope and
# libpod-conmon-<ID>.scope: stop those still there.
pm_remove_cgroups() {
  local id h
  [ -f "$PM_DIR/ids" ] || return 0
  for id in $(sort -u "$PM_DIR/ids"); do
    if [ "${PM_CGROUP_MANAGER:-cgroupfs}" = systemd ]; then
      systemctl stop "libpod-$id.scope" "libpod-conmon-$id.scope" >/dev/null 2>&1 || true
    fi
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
      for d in "${h}libpod_parent/libpod-$id" "${h}libpod_parent/$id" "${h}libpod_parent/conmon"; do
        [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
      done
    done
  done
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    rmdir "${h}libpod_parent" 2>/dev/null || true
  done
  return 0
}

# Runs podman in this world; remembers container ids for cgroup cleanup.
pm() {
  # shellcheck disable=SC1091
  (. "$PM_DIR/env" && exec podman "$@")
  local rc=$?
  pm_record_ids
  return $rc
}

pm_record_ids() {
  ls "$PM_DIR/root/vfs-containers" 2>/dev/null >> "$PM_DIR/ids" || true
}

# Same as pm but through bats' run: $status/$output.
prun() {
  run pm "$@"
}

# pm_wait_state NAME STATUS [SECONDS]: waits (default 10 s) until podman
# reports container NAME in STATUS.
pm_wait_state() {
  local name=$1 want=$2 secs=${3:-10} i st
  for i in $(seq $((secs * 10))); do
    st=$(pm inspect -f '{{.State.Status}}' "$name" 2>/dev/null)
    [ "$st" = "$want" ] && return 0
    sleep 0.1
  done
  echo "container $name: state '$st', wanted '$want'" >&2
  return 1
}

# pm with $1 (plus a newline) on stdin.
pm_stdin() {
  local input=$1
  shift
  printf '%s\n' "$input" | pm "$@"
}

# pm with fd 3 open on /etc/hostname.
pm_with_fd3() {
  pm "$@" 3</etc/hostname
}
