#!/usr/bin/env bats
# podman with cgroup_manager = "systemd" on minirt: runs in the VM of
# tests/vm/run-systemd.sh (systemd as PID 1, pure cgroup v2, dbus). podman
# asks systemd for the conmon scope and gives minirt --systemd-cgroup and
# cgroupsPath "machine.slice:libpod:<ID>"; the container must then be the
# unit libpod-<ID>.scope, with its limits in the unit and in the files.
# The podman world (storage, run dirs) is under /tmp, a tmpfs in the VM.

load ../clients/lib/podman

export PM_CGROUP_MANAGER=systemd

under_systemd() {
  [ -d /run/systemd/system ] && [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
}

setup_file() {
  under_systemd || skip "needs systemd as PID 1 on cgroup v2 (tests/vm/run-systemd.sh)"
  command -v podman >/dev/null || skip "podman not installed (tests/deps.sh)"
  podman_world_setup
  # An image whose configured user is a name: podman resolves it in the
  # image's /etc/passwd, for run and for exec.
  pm import --change USER=nobody "$PM_DIR/rootfs.tar" localhost/minirt-bb-nobody >/dev/null
}

teardown_file() {
  podman_world_teardown
}

setup() {
  under_systemd || skip "needs systemd as PID 1 on cgroup v2 (tests/vm/run-systemd.sh)"
}

teardown() {
  pm_clean_containers
}

# systemctl show -P PROPERTY UNIT
unit_prop() { systemctl show -P "$2" "$1"; }

@test "podman (systemd manager): run -d makes the scope, systemctl status shows it with its limits; exec, update, stats, stop, rm" {
  prun run -d --name sd --memory 64m --pids-limit 50 localhost/minirt-bb-nobody sleep 1000
  assert_success
  pm_wait_state sd running
  id=$(pm inspect -f '{{.Id}}' sd)
  pid=$(pm inspect -f '{{.State.Pid}}' sd)
  scope=libpod-$id.scope
  # The container's init is in the scope podman named, in machine.slice.
  cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  case "$cg" in
    "/machine.slice/$scope" | "/machine.slice/$scope"/*) ;;
    *) echo "container init in cgroup $cg, not in machine.slice/$scope" >&2; return 1 ;;
  esac
  run systemctl status --no-pager "$scope"
  assert_success
  assert_output_contains "Active: active"
  assert_output_contains "$pid"
  # The limits are the unit's and the kernel's.
  assert_equal "$(unit_prop "$scope" MemoryMax)" 67108864
  assert_equal "$(unit_prop "$scope" TasksMax)" 50
  assert_equal "$(cat "/sys/fs/cgroup$cg/memory.max")" 67108864
  assert_equal "$(cat "/sys/fs/cgroup$cg/pids.max")" 50
  # exec runs as the image's user (a name, resolved by podman), in the
  # container's cgroup; -u overrides it.
  prun exec sd id -un
  assert_success
  assert_equal "$output" nobody
  prun exec -u 0 sd sh -c 'id -u; cat /proc/self/cgroup'
  assert_success
  assert_equal "${lines[0]}" 0
  assert_equal "${lines[1]}" "0::/"
  # update: the unit and the files change.
  prun update --memory 128m sd
  assert_success
  assert_equal "$(unit_prop "$scope" MemoryMax)" 134217728
  assert_equal "$(cat "/sys/fs/cgroup$cg/memory.max")" 134217728
  # stats: one line with usage, limit and pids (the limit is not checked:
  # podman 4.3 showed the one from before the update, 67.11MB).
  prun stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' sd
  assert_success
  [[ "$output" =~ ^sd\ [0-9.]+[kMG]?B\ /\ [0-9.]+[kMG]?B\ 1$ ]] ||
    { echo "podman stats: $output" >&2; return 1; }
  prun stop -t 2 sd
  assert_success
  prun inspect -f '{{.State.Status}}' sd
  assert_equal "$output" exited
  run systemctl is-active "$scope"
  assert_failure
  prun rm sd
  assert_success
  [ ! -d "/sys/fs/cgroup$cg" ] || { echo "cgroup $cg left" >&2; return 1; }
  prun ps -aq
  assert_equal "$output" ""
}

@test "podman (systemd manager): run --rm gives the exit code and leaves no scope" {
  prun run --rm --name once "$IMAGE" sh -c 'cat /proc/self/cgroup; id -un; exit 3'
  assert_status 3
  assert_output_contains "0::/"
  assert_output_contains root
  prun ps -aq
  assert_equal "$output" ""
  run sh -c 'systemctl list-units --all --plain --no-legend "libpod-*.scope" | grep -v "^libpod-conmon"'
  assert_equal "$output" ""
}
