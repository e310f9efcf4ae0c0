#!/usr/bin/env bats
# The container's filesystem: mounts[] with their options, rootfs
# propagation, /dev, maskedPaths, readonlyPaths, root.readonly, pivot_root
# and --no-pivot, and mount destinations that try to leave the rootfs.

load helpers
load ../lib/in-container

teardown() {
  # Undo the host mount some tests make on their temp dir.
  while mountpoint -q "$TEST_DIR" 2>/dev/null; do umount -l "$TEST_DIR"; done
  teardown_minirt
}

# Adds one entry to mounts[] (a JSON object).
add_mount() {
  cfg_edit ".mounts += [$1]"
}

# The mountinfo line of mount point $1 in $output (from inside).
mountinfo_of() {
  echo "$output" | awk -v mp="$1" '$5 == mp' | tail -n 1
}

@test "a ro bind mount is readable, refuses writes and shows ro" {
  mkdir "$TEST_DIR/data" && echo hello > "$TEST_DIR/data/file"
  add_mount '{"destination": "/data", "type": "bind", "source": "'"$TEST_DIR/data"'", "options": ["bind", "ro"]}'
  in_ctr 'cat /data/file; echo x 2>/dev/null > /data/new && echo wrote || echo refused; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = hello ]
  [ "${lines[1]}" = refused ]
  [[ "$(mountinfo_of /data)" == *" /data ro,"* ]]
  [ ! -e "$TEST_DIR/data/new" ]
}

@test "a rw bind mount writes through to the host directory" {
  mkdir "$TEST_DIR/data"
  add_mount '{"destination": "/data", "type": "bind", "source": "'"$TEST_DIR/data"'", "options": ["rbind", "rw"]}'
  in_ctr 'echo from-inside > /data/new'
  assert_success
  [ "$(cat "$TEST_DIR/data/new")" = from-inside ]
}

@test "rbind brings submounts along, bind does not" {
  add_mount '{"destination": "/rb", "type": "bind", "source": "/sys/fs/cgroup", "options": ["rbind", "ro"]}'
  add_mount '{"destination": "/b", "type": "bind", "source": "/sys/fs/cgroup", "options": ["bind", "ro"]}'
  in_ctr 'cat /proc/self/mountinfo'
  assert_success
  [ -n "$(mountinfo_of /rb/memory)" ]
  [ -n "$(mountinfo_of /b)" ]
  [ -z "$(mountinfo_of /b/memory)" ]
}

@test "a file can be bind mounted onto a file" {
  echo content > "$TEST_DIR/one-file"
  add_mount '{"destination": "/etc/one-file", "type": "bind", "source": "'"$TEST_DIR/one-file"'", "options": ["bind", "ro"]}'
  in_ctr 'cat /etc/one-file'
  assert_success
  [ "$output" = content ]
}

@test "nosuid, nodev and noexec are applied and noexec stops exec" {
  mkdir "$TEST_DIR/bin"
  cp "$BUNDLE/rootfs/bin/busybox" "$TEST_DIR/bin/busybox"
  add_mount '{"destination": "/x", "type": "bind", "source": "'"$TEST_DIR/bin"'", "options": ["bind", "nosuid", "nodev", "noexec"]}'
  add_mount '{"destination": "/y", "type": "bind", "source": "'"$TEST_DIR/bin"'", "options": ["bind"]}'
  in_ctr '/y/busybox true && echo exec-ok; /x/busybox true; echo rc=$?; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = exec-ok ]
  [ "${lines[1]}" = rc=126 ] || [[ "$output" == *"Permission denied"* ]]
  line=$(mountinfo_of /x)
  [[ "$line" == *nosuid* ]]
  [[ "$line" == *nodev* ]]
  [[ "$line" == *noexec* ]]
}

@test "a tmpfs gets its size and mode" {
  add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=0710"]}'
  in_ctr 'stat -c %a /scratch; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>/dev/null && echo fit || echo full; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = 710 ]
  [ "${lines[1]}" = full ]
  [[ "$(mountinfo_of /scratch)" == *"size=1024k"* ]]
}

@test "rootfsPropagation shared, slave and private show in mountinfo; nothing reaches the host" {
  # A shared mount on the host under the rootfs, as on systemd hosts: it
  # gives `slave` a master, and must not carry the container's mounts back.
  mount --bind "$TEST_DIR" "$TEST_DIR"
  mount --make-shared "$TEST_DIR"
  for p in shared rshared slave rslave private rprivate; do
    cfg_edit '.linux.rootfsPropagation = "'"$p"'"'
    in_ctr 'cat /proc/self/mountinfo'
    assert_success
    root=$(mountinfo_of /)
    case $p in
      *shared) [[ "$root" == *" shared:"* ]] ;;
      *slave) [[ "$root" == *" master:"* ]] && [[ "$root" != *" shared:"* ]] ;;
      *private) [[ "$root" != *" shared:"* ]] && [[ "$root" != *" master:"* ]] ;;
    esac || { echo "$p: $root" >&2; false; }
    [ -z "$(awk -v d="$BUNDLE/" 'index($2, d) == 1' /proc/self/mounts)" ] ||
      { echo "$p: container mounts reached the host" >&2; false; }
  done
}

@test "an unknown rootfsPropagation fails create clearly" {
  cfg_edit '.linux.rootfsPropagation = "sideways"'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "rootfsPropagation"
  assert_no_traces "$ID"
}

@test "the default devices exist with the right numbers and mode 0666" {
  in_ctr 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done'
  assert_success
  [ "${lines[0]}" = "/dev/null character special file 1:3 666" ]
  [ "${lines[1]}" = "/dev/zero character special file 1:5 666" ]
  [ "${lines[2]}" = "/dev/full character special file 1:7 666" ]
  [ "${lines[3]}" = "/dev/random character special file 1:8 666" ]
  [ "${lines[4]}" = "/dev/urandom character special file 1:9 666" ]
  [ "${lines[5]}" = "/dev/tty character special file 5:0 666" ]
}

@test "the default devices work" {
  in_ctr 'echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1; head -c 8 /dev/urandom | wc -c; echo x > /dev/full || echo full'
  assert_success
  [ "$(echo ${lines[0]})" = "00 00 00 00" ]
  [ "${lines[1]}" = 8 ]
  [ "${lines[-1]}" = full ]
}

@test "a configured device gets its type, numbers, fileMode, uid and gid" {
  cfg_edit '.linux.devices = [{"path": "/dev/mydev", "type": "c", "major": 1, "minor": 3,
      "fileMode": 416, "uid": 1000, "gid": 20},
    {"path": "/dev/sub/blk", "type": "b", "major": 7, "minor": 200, "fileMode": 384, "uid": 0, "gid": 0}]
    | .linux.resources.devices += [{"allow": true, "type": "b", "major": 7, "minor": 200, "access": "rwm"}]'
  in_ctr 'stat -c "%F %t:%T %a %u:%g" /dev/mydev /dev/sub/blk'
  assert_success
  [ "${lines[0]}" = "character special file 1:3 640 1000:20" ]
  [ "${lines[1]}" = "block special file 7:c8 600 0:0" ]
}

# The nodes are made under a umask of 0 (no chmod per node), which must not
# leak: the container keeps the runtime's umask, a configured device's new
# parent directory is made under it as before, and modes are exact.
@test "under a umask of 077 the nodes keep their modes and the umask is kept" {
  cfg_edit '.linux.devices = [{"path": "/dev/sub/mine", "type": "c", "major": 1, "minor": 5,
      "fileMode": 438, "uid": 0, "gid": 0}]
    | del(.process.user.umask)'
  set_sh 'umask; stat -c "%n %a" /dev/null /dev/tty /dev/sub /dev/sub/mine /dev/pts /dev/shm'
  run bash -c 'umask 077; exec "$@"' _ "$MINIRT" --root "$STATE_ROOT" "${MINIRT_GLOBAL[@]}" \
    run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "${lines[0]}" = 0077 ]
  [ "${lines[1]}" = "/dev/null 666" ]
  [ "${lines[2]}" = "/dev/tty 666" ]
  [ "${lines[3]}" = "/dev/sub 700" ]
  [ "${lines[4]}" = "/dev/sub/mine 666" ]
  [ "${lines[5]}" = "/dev/pts 0" ] || [ "${lines[5]}" = "/dev/pts 755" ]
  [ "${lines[6]}" = "/dev/shm 1777" ]
}

# A mount destination whose last component is missing is made in its
# parent, resolved in the rootfs: a parent that is a symlink leading out of
# the rootfs lands inside it, and one that is a dangling symlink is
# followed (inside the rootfs) as before.
@test "a missing mount destination under a symlinked parent is made inside the rootfs" {
  mkdir -p "$TEST_DIR/outside"
  ln -s "$TEST_DIR/outside" "$BUNDLE/rootfs/esc"
  ln -s /nowhere/deeper "$BUNDLE/rootfs/dangling"
  add_mount '{"destination": "/esc/new", "type": "tmpfs", "source": "tmpfs"}'
  add_mount '{"destination": "/dangling", "type": "tmpfs", "source": "tmpfs"}'
  in_ctr 'cat /proc/self/mountinfo'
  assert_success
  [ -z "$(ls -A "$TEST_DIR/outside")" ]
  [ -d "$BUNDLE/rootfs$TEST_DIR/outside/new" ]
  [ -d "$BUNDLE/rootfs/nowhere/deeper" ]
  [[ "$(mountinfo_of "$TEST_DIR/outside/new")" == *" - tmpfs "* ]]
  [[ "$(mountinfo_of /nowhere/deeper)" == *" - tmpfs "* ]]
  [ -z "$(host_tmp_mounts)" ]
}

# The rootfs is stat'ed once for all mounts: a destination that resolves
# to it after the default mounts are in place is still refused.
@test "a mount destination that resolves to the rootfs itself is refused" {
  add_mount '{"destination": "/tmp/..", "type": "tmpfs", "source": "tmpfs"}'
  set_sh true
  rt run --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "is the root of the container"
  assert_no_traces "$ID"
}

@test "/dev/pts is a new devpts instance and /dev/ptmx points into it" {
  in_ctr 'readlink /dev/ptmx; stat -c %a /dev/pts/ptmx; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = pts/ptmx ]
  [ "${lines[1]}" = 666 ]
  line=$(mountinfo_of /dev/pts)
  [[ "$line" == *" - devpts "* ]]
  [[ "$line" == *ptmxmode=666* ]]
  [[ "$line" == *gid=5* ]]
}

# /dev/ptmx is linked first and replaced only when something is there: a
# configured /dev/ptmx node must still give way to the link.
@test "a configured /dev/ptmx node is replaced by the link into /dev/pts" {
  cfg_edit '.linux.devices = [{"path": "/dev/ptmx", "type": "c", "major": 5, "minor": 2,
      "fileMode": 438, "uid": 0, "gid": 0}]'
  in_ctr 'readlink /dev/ptmx'
  assert_success
  [ "${lines[0]}" = pts/ptmx ]
}

@test "/dev/shm and /dev/mqueue are mounted from the config" {
  in_ctr 'cat /proc/self/mountinfo; echo x > /dev/shm/f && echo shm-ok'
  assert_success
  [[ "$(mountinfo_of /dev/shm)" == *" - tmpfs shm "* ]]
  [[ "$(mountinfo_of /dev/mqueue)" == *" - mqueue mqueue "* ]]
  [ "${lines[-1]}" = shm-ok ]
}

@test "/dev/fd, stdin, stdout and stderr link into /proc/self/fd" {
  in_ctr 'for l in fd stdin stdout stderr; do readlink /dev/$l; done; echo via-stdout > /dev/stdout'
  assert_success
  [ "${lines[0]}" = /proc/self/fd ]
  [ "${lines[1]}" = /proc/self/fd/0 ]
  [ "${lines[2]}" = /proc/self/fd/1 ]
  [ "${lines[3]}" = /proc/self/fd/2 ]
  [ "${lines[4]}" = via-stdout ]
}

@test "maskedPaths: a masked file reads empty, a masked directory is empty" {
  echo secret > "$BUNDLE/rootfs/etc/secret"
  mkdir "$BUNDLE/rootfs/secretdir" && echo s > "$BUNDLE/rootfs/secretdir/f"
  cfg_edit '.linux.maskedPaths += ["/etc/secret", "/secretdir", "/does/not/exist"]'
  in_ctr 'echo "[$(cat /etc/secret)]"; echo "[$(ls -A /secretdir)]"; echo x > /etc/secret || echo refused'
  assert_success
  [ "${lines[0]}" = "[]" ]
  [ "${lines[1]}" = "[]" ]
  # The bundle still has the data.
  [ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "readonlyPaths: writes fail there while the rest of the rootfs is writable" {
  mkdir "$BUNDLE/rootfs/locked"
  cfg_edit '.root.readonly = false | .linux.readonlyPaths += ["/locked"]'
  in_ctr 'touch /locked/f && echo wrote-locked || echo refused; touch /etc/f && echo wrote-etc'
  assert_success
  [ "${lines[-2]}" = refused ]
  [ "${lines[-1]}" = wrote-etc ]
  [ ! -e "$BUNDLE/rootfs/locked/f" ]
}

@test "root.readonly: / refuses writes, a tmpfs on /tmp stays writable" {
  cfg_edit '.root.readonly = true'
  add_mount '{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]}'
  in_ctr 'touch /newfile 2>/dev/null && echo wrote-root || echo refused; touch /tmp/f && echo wrote-tmp; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = refused ]
  [ "${lines[1]}" = wrote-tmp ]
  [[ "$(mountinfo_of /)" == *" / ro,"* ]]
  [ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "root.readonly false: / is writable" {
  cfg_edit '.root.readonly = false'
  in_ctr 'touch /newfile && echo wrote-root'
  assert_success
  [ "$output" = wrote-root ]
  [ -e "$BUNDLE/rootfs/newfile" ]
}

@test "pivot_root and --no-pivot both hide the host's root" {
  touch "$TEST_DIR/host-marker"
  set_sh 'ls /; test -e '"$TEST_DIR"'/host-marker && echo host-visible; grep -c . /proc/self/mountinfo; awk '"'"'$5 == "/sys/fs/cgroup/memory"'"'"' /proc/self/mountinfo'
  for mode in pivot no-pivot; do
    flag=; [ $mode = no-pivot ] && flag=--no-pivot
    minirt create $flag --bundle "$BUNDLE" "$ID-$mode" </dev/null >"$TEST_DIR/$mode.out" 2>&1
    minirt start "$ID-$mode"
    for i in $(seq 50); do [ "$(state_field "$ID-$mode" status)" = stopped ] && break; sleep 0.05; done
    out=$(cat "$TEST_DIR/$mode.out")
    [[ "$out" == *bin* ]] && [[ "$out" == *etc* ]]
    [[ "$out" != *host-visible* ]]
    [[ "$out" != *"/sys/fs/cgroup/memory"* ]]
    # Only the container's own mounts: rootfs, proc, dev..., sys, masks.
    [ "$(echo "$out" | grep -E '^[0-9]+$')" -lt 30 ]
    minirt delete "$ID-$mode"
  done
}

@test "a destination through a symlink pointing outside lands inside the rootfs" {
  mkdir "$TEST_DIR/host-target"
  ln -s "$TEST_DIR/host-target" "$BUNDLE/rootfs/evil"
  add_mount '{"destination": "/evil/x", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  in_ctr 'touch /evil/x/inside && echo ok; cat /proc/self/mountinfo'
  assert_success
  [ "${lines[0]}" = ok ]
  # On the host nothing was created or mounted at the symlink's target.
  [ ! -e "$TEST_DIR/host-target/x" ]
  [ -z "$(host_tmp_mounts)" ]
  # Inside, the mount is at the target path within the rootfs.
  [ -n "$(mountinfo_of "$TEST_DIR/host-target/x")" ]
  [ -d "$BUNDLE/rootfs$TEST_DIR/host-target/x" ]
}

@test "a symlinked bind source inside the rootfs cannot redirect a file mount" {
  echo host-secret > "$TEST_DIR/host-file"
  echo bind-data > "$TEST_DIR/data"
  ln -s "$TEST_DIR/host-file" "$BUNDLE/rootfs/etc/evil-link"
  add_mount '{"destination": "/etc/evil-link", "type": "bind", "source": "'"$TEST_DIR/data"'", "options": ["bind"]}'
  in_ctr 'cat /etc/evil-link'
  assert_success
  [ "$output" = bind-data ]
  [ "$(cat "$TEST_DIR/host-file")" = host-secret ]
  [ -z "$(host_tmp_mounts)" ]
}

@test "a destination with .. cannot escape the rootfs" {
  mkdir "$TEST_DIR/escape"
  add_mount '{"destination": "/../../../../../..'"$TEST_DIR"'/escape/y", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  set_sh 'cat /proc/self/mountinfo'
  rt run --bundle "$BUNDLE" "$ID"
  # Contained (mounted under the rootfs) or refused: never on the host.
  [ ! -e "$TEST_DIR/escape/y" ]
  [ -z "$(host_tmp_mounts)" ]
  if [ "$status" -eq 0 ]; then
    [ -n "$(mountinfo_of "$TEST_DIR/escape/y")" ]
  else
    assert_output_contains "escape"
  fi
}

@test "an idmapped bind mount shows host root's file as the mapped uid" {
  mkdir "$TEST_DIR/idm" && touch "$TEST_DIR/idm/f" && chown 0:0 "$TEST_DIR/idm/f"
  add_mount '{"destination": "/idm", "type": "bind", "source": "'"$TEST_DIR/idm"'", "options": ["bind", "idmap"],
    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
    "gidMappings": [{"containerID": 0, "hostID": 2000, "size": 1}]}'
  in_ctr 'stat -c %u:%g /idm/f'
  if [ "$status" -ne 0 ] && [[ "$output" == *"Operation not permitted"* || "$output" == *"Invalid argument"* ]]; then
    skip "kernel refuses idmapped mounts here: $output"
  fi
  assert_success
  [ "$output" = 1000:2000 ]
  [ "$(stat -c %u:%g "$TEST_DIR/idm/f")" = 0:0 ]
}

@test "a bind mount with a missing source fails create and leaves nothing" {
  add_mount '{"destination": "/data", "type": "bind", "source": "'"$TEST_DIR"'/nope", "options": ["bind"]}'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "$TEST_DIR/nope"
  assert_no_traces "$ID"
  [ -z "$(host_tmp_mounts)" ]
}

@test "an unknown mount option fails create clearly" {
  add_mount '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["bogus-flag"]}'
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "bogus-flag"
  assert_no_traces "$ID"
}

@test "a missing rootfs fails create clearly and leaves nothing" {
  rm -rf "$BUNDLE/rootfs"
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "rootfs"
  assert_no_traces "$ID"
  [ -z "$(host_tmp_mounts)" ]
}

@test "a rootfs that is a file fails create clearly and leaves nothing" {
  rm -rf "$BUNDLE/rootfs" && touch "$BUNDLE/rootfs"
  rt create --bundle "$BUNDLE" "$ID"
  assert_failure
  assert_output_contains "rootfs"
  assert_no_traces "$ID"
  [ -z "$(host_tmp_mounts)" ]
}

@test "a tmpfs with tmpcopyup starts with what the directory held" {
  mkdir -p "$BUNDLE/rootfs/seed/sub"
  echo seeded > "$BUNDLE/rootfs/seed/sub/f"
  ln -s sub/f "$BUNDLE/rootfs/seed/link"
  echo owned > "$BUNDLE/rootfs/seed/sub/g"
  chown 1000:1000 "$BUNDLE/rootfs/seed/sub/g"
  cfg_edit '.mounts += [{"destination": "/seed", "type": "tmpfs", "source": "tmpfs",
      "options": ["tmpcopyup", "size=1m"]}]
    | .process.args = ["sh", "-c", "cat /seed/link; stat -c %u /seed/sub/g; echo new > /seed/sub/f; grep \" /seed \" /proc/mounts | cut -d\" \" -f3"]'
  rt run --bundle "$BUNDLE" "$ID"
  assert_success
  [ "${lines[0]}" = seeded ]
  [ "${lines[1]}" = 1000 ]
  [ "${lines[2]}" = tmpfs ]
  # Writes went to the tmpfs, not to the rootfs.
  [ "$(cat "$BUNDLE/rootfs/seed/sub/f")" = seeded ]
}
