#!/usr/bin/env bats
# linux.namespaces: each namespace type the config asks for is new inside
# the container, one given by `path` is joined, one left out is the host's.

load helpers
load ../lib/in-container

# Points the config's cgroupsPath at a cgroup of its own for container $1.
use_cgroup_of() {
  cfg_edit '.linux.cgroupsPath = "/'"$CG_PARENT"'/'"$1"'"'
}

@test "pid namespace: the process is pid 1 and sees only its own processes" {
  in_ctr 'echo $$; ls /proc | grep -c "^[0-9]"'
  assert_success
  [ "${lines[0]}" = 1 ]
  # sh and the ls in the pipeline (grep may or may not have started).
  [ "${lines[1]}" -le 3 ]
}

@test "network namespace: only the loopback interface" {
  in_ctr 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; readlink /proc/self/ns/net'
  assert_success
  [ "${lines[0]}" = lo ]
  [ "${#lines[@]}" -eq 2 ]
  [ "${lines[1]}" != "$(ns_of net)" ]
}

@test "mount namespace: the container's mounts are not the host's" {
  cfg_edit '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
    | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  in_ctr 'readlink /proc/self/ns/mnt; mount -t tmpfs none /tmp && echo mounted; grep -c " /proc " /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" != "$(ns_of mnt)" ]
  [ "${lines[1]}" = mounted ]
  [ "${lines[2]}" = 1 ]
  # Nothing the container mounted reached the host.
  ! grep -q "$TEST_DIR" /proc/self/mountinfo
}

@test "ipc namespace: a System V queue made inside is not on the host" {
  host_queues=$(tail -n +2 /proc/sysvipc/msg | wc -l)
  in_ctr 'readlink /proc/self/ns/ipc; tail -n +2 /proc/sysvipc/msg | wc -l'
  assert_success
  [ "${lines[0]}" != "$(ns_of ipc)" ]
  [ "${lines[1]}" -eq 0 ]
  [ "$(tail -n +2 /proc/sysvipc/msg | wc -l)" -eq "$host_queues" ]
}

@test "uts namespace: hostname is the config's and the host's is untouched" {
  host=$(hostname)
  cfg_edit '.hostname = "in-the-box"'
  in_ctr 'hostname; readlink /proc/self/ns/uts'
  assert_success
  [ "${lines[0]}" = in-the-box ]
  [ "${lines[1]}" != "$(ns_of uts)" ]
  [ "$(hostname)" = "$host" ]
}

@test "cgroup namespace: /proc/self/cgroup shows / for every hierarchy" {
  in_ctr 'cat /proc/self/cgroup; readlink /proc/self/ns/cgroup'
  assert_success
  [ "${lines[-1]}" != "$(ns_of cgroup)" ]
  n=0
  for l in "${lines[@]:0:${#lines[@]}-1}"; do
    [ "${l##*:}" = / ] || { echo "not at the root: $l" >&2; false; }
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}

@test "user namespace: uid/gid mappings apply and files land as the host uid" {
  # The mapped root must be able to reach the rootfs through our temp dir.
  chmod 755 "$TEST_DIR" "$BUNDLE"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  cfg_edit '.root.readonly = false
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .process.capabilities.effective += ["CAP_CHOWN"]
    | .process.capabilities.permitted += ["CAP_CHOWN"]
    | .process.capabilities.bounding += ["CAP_CHOWN"]'
  in_ctr 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/made-inside; chown 1000:1000 /tmp/made-inside'
  assert_success
  [ "$(echo ${lines[0]})" = "0 100000 65536" ]
  [ "$(echo ${lines[1]})" = "0 100000 65536" ]
  [ "${lines[2]}" = 0 ]
  [ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made-inside")" = 101000:101000 ]
}

@test "user namespace: an unmapped host file shows as nobody and root there is not host root" {
  # The mapped root must be able to reach the rootfs through our temp dir.
  chmod 755 "$TEST_DIR" "$BUNDLE"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  touch "$BUNDLE/rootfs/tmp/host-root-file"
  chown 0:0 "$BUNDLE/rootfs/tmp/host-root-file"
  chmod 600 "$BUNDLE/rootfs/tmp/host-root-file"
  cfg_edit '.root.readonly = false
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  in_ctr 'stat -c %u /tmp/host-root-file; cat /tmp/host-root-file && echo read-it || echo denied'
  [ "${lines[0]}" = 65534 ]
  [ "${lines[-1]}" = denied ]
}

@test "time namespace: monotonic and boottime offsets are applied" {
  [ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
  cfg_edit '.linux.namespaces += [{"type": "time"}]
    | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
                            "boottime": {"secs": 172800, "nanosecs": 0}}'
  host_up=$(cut -d. -f1 /proc/uptime)
  in_ctr 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
  assert_success
  [ "$(echo ${lines[0]})" = "monotonic 86400 0" ]
  [ "$(echo ${lines[1]})" = "boottime 172800 0" ]
  diff=$(( ${lines[2]} - host_up ))
  [ "$diff" -ge 172800 ] && [ "$diff" -le 172805 ]
}

@test "joining namespaces by path: B shares A's net, ipc and uts" {
  use_cgroup_of "$ID-a"
  cfg_edit '.hostname = "box-a"'
  start_detached "$ID-a"
  pid=$(state_field "$ID-a" pid)
  use_cgroup_of "$ID-b"
  cfg_edit '.hostname = null | del(.hostname)
    | .linux.namespaces |= map(if .type == "network" then .path = "/proc/'"$pid"'/ns/net"
        elif .type == "ipc" then .path = "/proc/'"$pid"'/ns/ipc"
        elif .type == "uts" then .path = "/proc/'"$pid"'/ns/uts" else . end)'
  set_sh 'for n in net ipc uts; do readlink /proc/self/ns/$n; done; hostname'
  rt run --bundle "$BUNDLE" "$ID-b"
  assert_success
  b_output=("${lines[@]}")
  rt exec "$ID-a" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done'
  assert_success
  [ "${b_output[0]}" = "${lines[0]}" ]
  [ "${b_output[1]}" = "${lines[1]}" ]
  [ "${b_output[2]}" = "${lines[2]}" ]
  [ "${b_output[3]}" = box-a ]
  [ "${lines[0]}" = "$(ns_of net "$pid")" ]
  # A's namespaces are not the host's.
  [ "${lines[0]}" != "$(ns_of net)" ]
}

@test "joining a namespace path that is not a namespace fails clearly" {
  cfg_edit '.linux.namespaces |= map(if .type == "network" then .path = "/etc/hostname" else . end)'
  set_sh true
  rt run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "/etc/hostname"
  assert_no_traces "$ID"
}

@test "a namespace left out of the config is the host's" {
  cfg_edit '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
  in_ctr 'for n in net ipc uts; do readlink /proc/self/ns/$n; done'
  assert_success
  [ "${lines[0]}" = "$(ns_of net)" ]
  [ "${lines[1]}" = "$(ns_of ipc)" ]
  [ "${lines[2]}" != "$(ns_of uts)" ]
}
