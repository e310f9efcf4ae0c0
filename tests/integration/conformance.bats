#!/usr/bin/env bats
# Behaviours the OCI runtime-tools validation suite found missing in minirt
# (docs/conformance.md), each guarded here so CI needs no suite.

load helpers
load ../lib/in-container

# validation/linux_devices: a device listed in linux.devices is usable
# under the default deny-all device cgroup without a resources rule of its
# own (runc and crun allow every configured device).
@test "a configured device needs no linux.resources.devices rule of its own" {
  cfg_edit '.linux.devices = [
      {"path": "/dev/test1", "type": "c", "major": 10, "minor": 666, "fileMode": 432, "uid": 0, "gid": 0},
      {"path": "/dev/test2", "type": "b", "major": 8, "minor": 666, "fileMode": 432, "uid": 0, "gid": 0},
      {"path": "/dev/test3", "type": "p", "fileMode": 432}]
    | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  in_ctr 'stat -c "%F %t:%T %a" /dev/test1 /dev/test2 /dev/test3'
  assert_success
  [ "${lines[0]}" = "character special file a:29a 660" ]
  [ "${lines[1]}" = "block special file 8:29a 660" ]
  [ "${lines[2]}" = "fifo 0:0 660" ]
  assert_no_traces "$ID"
}

@test "the device cgroup allows a configured device and still denies others" {
  cfg_edit '.linux.devices = [{"path": "/dev/test1", "type": "c", "major": 10, "minor": 666, "fileMode": 432}]
    | .linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  minirt create --bundle "$BUNDLE" "$ID"
  list=$(cat "/sys/fs/cgroup/devices/$CG_PARENT/$ID/devices.list")
  case "$list" in *"c 10:666 rwm"*) ;; *) echo "no rule for 10:666: $list" >&2; false ;; esac
  case "$list" in *"a *:* rwm"*) echo "everything allowed: $list" >&2; false ;; esac
}

# validation/mounts: fs data options on a bind mount (mode=, size=) go to
# mount(2) with the bind like runc and crun do, instead of failing create.
@test "a bind mount accepts filesystem data options next to its flags" {
  mkdir -p "$TEST_DIR/src"
  echo hello > "$TEST_DIR/src/f"
  cfg_edit '.mounts += [{"destination": "/mnt/b", "source": "'"$TEST_DIR/src"'",
      "options": ["nosuid", "strictatime", "mode=755", "size=1k", "bind", "private"]}]'
  in_ctr 'cat /mnt/b/f; grep " /mnt/b " /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = hello ]
  assert_output_contains "nosuid"
}

@test "an rbind with data options still applies its ro flag" {
  mkdir -p "$TEST_DIR/src"
  cfg_edit '.mounts += [{"destination": "/mnt/b", "source": "'"$TEST_DIR/src"'",
      "options": ["rbind", "ro", "mode=755", "size=1k"]}]'
  in_ctr 'grep " /mnt/b " /proc/self/mountinfo; touch /mnt/b/x 2>/dev/null && echo writable; true'
  assert_success
  assert_output_contains " /mnt/b ro,"
  [ "${lines[-1]}" != writable ]
  [ ! -e "$TEST_DIR/src/x" ]
}

# validation/linux_cgroups_devices: the config's rules after the deny-all
# show in devices.list in their listed order, ahead of the default devices.
@test "devices.list lists the config's device rules in order after the deny-all" {
  cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
      {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
      {"allow": true, "type": "b", "major": 8, "minor": 20, "access": "rw"},
      {"allow": true, "type": "b", "major": 10, "minor": 200, "access": "r"}]'
  minirt create --bundle "$BUNDLE" "$ID"
  run head -n 3 "/sys/fs/cgroup/devices/$CG_PARENT/$ID/devices.list"
  [ "${lines[0]}" = "c 10:229 rwm" ]
  [ "${lines[1]}" = "b 8:20 rw" ]
  [ "${lines[2]}" = "b 10:200 r" ]
  # The default devices are still there.
  grep -qx "c 1:3 rwm" "/sys/fs/cgroup/devices/$CG_PARENT/$ID/devices.list"
}

@test "a config deny of a default device still wins over the default allow" {
  cfg_edit '.linux.resources.devices = [{"allow": false, "access": "rwm"},
      {"allow": false, "type": "c", "major": 1, "minor": 7, "access": "rw"}]'
  in_ctr 'head -c 1 /dev/zero >/dev/null && echo zero-ok; head -c 1 /dev/full >/dev/null 2>&1 || echo full-denied'
  assert_success
  [ "${lines[0]}" = zero-ok ]
  [ "${lines[1]}" = full-denied ]
}

@test "linux.mountLabel on a host without SELinux runs, with a warning" {
  [ ! -e /sys/fs/selinux/enforce ] || skip "this host has SELinux"
  cfg_edit '.linux.mountLabel = "system_u:object_r:container_file_t:s0"
    | .process.args = ["true"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  assert_output_contains "linux.mountLabel"
  assert_output_contains "SELinux is not enabled"
}

# validation/linux_ns_itype: a config that lists no namespace at all runs
# in the runtime's namespaces, the mount namespace included (runc and crun
# do). minirt then mounts below a private bind of the rootfs in the host's
# mount table, chroots, and removes those mounts at delete.
@test "without a mount namespace the container shares ours, chrooted, and delete unmounts" {
  cfg_edit '.linux.namespaces = [] | del(.hostname)'
  start_detached
  pid=$(minirt state "$ID" | jq -r .pid)
  for ns in mnt pid net ipc uts cgroup user; do
    [ "$(ns_of "$ns" "$pid")" = "$(ns_of "$ns")" ] || {
      echo "namespace $ns not inherited" >&2; false; }
  done
  [ "$(readlink "/proc/$pid/root")" = "$BUNDLE/rootfs" ]
  [ -n "$(host_tmp_mounts)" ]
  rt exec "$ID" sh -c 'test -d /proc/self && test ! -e '"$TEST_DIR"' && echo chrooted'
  assert_success
  assert_output_contains chrooted
  minirt delete --force "$ID"
  [ -z "$(host_tmp_mounts)" ] || { host_tmp_mounts >&2; false; }
  assert_no_traces "$ID"
}

@test "without a mount namespace a read-only root stays read-only only for the container" {
  cfg_edit '.linux.namespaces = [{"type": "pid"}] | del(.hostname)
    | .root.readonly = true'
  in_ctr 'touch /x 2>&1 || echo denied'
  assert_success
  assert_output_contains denied
  touch "$BUNDLE/rootfs/x"
  [ -z "$(host_tmp_mounts)" ] || { host_tmp_mounts >&2; false; }
  assert_no_traces "$ID"
}

@test "without a mount namespace a failed create leaves no mount behind" {
  cfg_edit '.linux.namespaces = [] | del(.hostname)
    | .mounts += [{"destination": "/mnt", "type": "bogusfs", "source": "x"}]'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "bogusfs"
  [ -z "$(host_tmp_mounts)" ] || { host_tmp_mounts >&2; false; }
  assert_no_traces "$ID"
}

@test "without a mount namespace linux.rootfsPropagation is refused" {
  cfg_edit '.linux.namespaces = [] | del(.hostname)
    | .linux.rootfsPropagation = "rslave"'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "unsupported: linux.rootfsPropagation"
  [ -z "$(host_tmp_mounts)" ]
  assert_no_traces "$ID"
}
