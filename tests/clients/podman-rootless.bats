#!/usr/bin/env bats
# Rootless podman (podman 4.3 as a user with subuid/subgid ranges, its own
# user namespace made with newuidmap) running containers on minirt: podman
# runs the runtime as root of that user namespace. The user, its ranges and
# its podman world (vfs storage, no network) are made here and removed in
# teardown_file. On this host's cgroup v1, rootless podman uses no cgroups.

load ../integration/helpers
load ../lib/rootless

IMAGE=localhost/minirt-bb:latest

setup_file() {
  command -v podman >/dev/null || skip "podman not installed (tests/deps.sh)"
  rootless_user_add || return 1
  PW=$(mktemp -d /tmp/minirt-podman-rl.XXXXXX)
  chmod 755 "$PW"
  mkdir -p "$PW/w"
  cp "$MINIRT" "$PW/minirt"
  chmod 755 "$PW/minirt"
  if [ ! -d "$ROOTFS_TEMPLATE/bin" ]; then
    "$BATS_TEST_DIRNAME/../lib/make-rootfs.sh" "$ROOTFS_TEMPLATE"
  fi
  tar -C "$ROOTFS_TEMPLATE" -cf "$PW/rootfs.tar" .
  chmod 644 "$PW/rootfs.tar"
  export PW
  # Written as root (the work tree may not be readable by the user), then
  # handed over.
  "$BATS_TEST_DIRNAME/lib/podman-env.sh" "$PW/w" "$PW/minirt" >/dev/null
  chown -R "$RL_UID:$RL_GID" "$PW/w"
  chmod 700 "$PW/w/xdg"
  upm import "$PW/rootfs.tar" "$IMAGE" >/dev/null 2>&1
}

teardown_file() {
  if [ -n "${PW:-}" ] && [ -d "$PW" ]; then
    upm rm -af -t 0 >/dev/null 2>&1
    rootless_kill_user_processes
    # podman's vfs layers hold files of subordinate uids: remove as root.
    rm -rf --one-file-system "$PW"
  fi
  rootless_user_del
}

setup() { :; }

teardown() {
  upm rm -af -t 0 >/dev/null 2>&1 || true
}

# A command as the test user, in the podman world's environment.
pw_user() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
    env HOME="$PW/w" USER="$RL_USER" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

upm() {
  # shellcheck disable=SC1091
  pw_user sh -c '. "$0/env" && exec timeout 120 podman --cgroup-manager cgroupfs "$@"' \
    "$PW/w" "$@"
}

@test "rootless podman run on minirt: root in the container is the user, --user maps into the range" {
  run upm run --rm "$IMAGE" sh -c 'id; cat /proc/self/uid_map'
  assert_success
  assert_equal "$(echo "$output" | tr -s ' ')" \
    "uid=0(root) gid=0(root)
 0 $RL_UID 1
 1 $RL_SUBUID 65536"
  run upm run --rm --user 1000 "$IMAGE" id
  assert_success
  assert_equal "$output" "uid=1000(user) gid=1000(user) groups=1000(user)"
  run upm info --format '{{.Host.OCIRuntime.Name}} {{.Host.Security.Rootless}}'
  assert_success
  assert_equal "$output" "minirt true"
}

@test "rootless podman run -d, exec, exec -u, ps, stop, rm on minirt" {
  run upm run -d --name box --user 1000 "$IMAGE" sleep 1000
  assert_success
  run upm exec box id -u
  assert_success
  assert_equal "$output" 1000
  run upm exec -u 0 box id -u
  assert_success
  assert_equal "$output" 0
  run upm exec box sh -c 'exit 5'
  assert_status 5
  run upm inspect --format '{{.Name}} {{.State.Status}}' box
  assert_success
  assert_equal "$output" "box running"
  run upm stop -t 1 box
  assert_success
  run upm rm box
  assert_success
  run upm ps -a -q
  assert_equal "$output" ""
}

@test "rootless podman: a missing command exits 127, as with root" {
  run -127 upm run --rm "$IMAGE" no-such-command
  assert_output_contains "no-such-command"
}
