# Shared setup for containerd.bats and docker.bats: one private world per
# test file (containerd, and dockerd for docker.bats, in a throwaway
# namespace; see containerd-world.sh) whose OCI runtime is minirt, or
# $RUNTIME (e.g. RUNTIME=/usr/sbin/runc to see what runc does).

# shellcheck disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/asserts.bash"

bats_require_minimum_version 1.5.0

MINIRT=${MINIRT:-$BATS_TEST_DIRNAME/../../build/minirt}
RUNTIME=${RUNTIME:-$(realpath "$MINIRT")}
ROOTFS_TEMPLATE=${ROOTFS_TEMPLATE:-$BATS_TEST_DIRNAME/../tmp/rootfs}
IMAGE=docker.io/minirt-test/busybox:latest
NS=minirt-test
export RUNTIME

# setup_file body: starts the world ($1 = docker for dockerd too) and loads
# the busybox image into it.
world_setup() {
  W=$(mktemp -d /tmp/minirt-clients.XXXXXX)
  CG_PARENT=minirt-clients-$$
  export W CG_PARENT
  if [ ! -d "$ROOTFS_TEMPLATE/bin" ]; then
    "$BATS_TEST_DIRNAME/../lib/make-rootfs.sh" "$ROOTFS_TEMPLATE"
  fi
  "$BATS_TEST_DIRNAME/lib/docker-image.sh" "$ROOTFS_TEMPLATE" "$W/image.tar" "$IMAGE"
  if ! "$BATS_TEST_DIRNAME/lib/containerd-world.sh" start "$W" "${1:-}"; then
    world_teardown
    return 1
  fi
  mkdir -p "$W/fifo"
}

world_teardown() {
  [ -n "${W:-}" ] && [ -d "$W" ] || return 0
  "$BATS_TEST_DIRNAME/lib/containerd-world.sh" stop "$W"
}

# Runs a command inside the daemons' namespace (where their /run is).
in_world() {
  nsenter -t "$(cat "$W/containerd.pid")" -m -n -i -u -- "$@"
}

