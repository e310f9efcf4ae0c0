#!/usr/bin/env bats
# checkpoint and restore with criu: runs inside the VM of tests/vm/run-v2.sh
# (Debian's 6.1 kernel, where Debian's criu 3.17 starts; it does not on
# newer kernels, see tests/integration/checkpoint.bats for that side).

load ../integration/helpers

setup() {
  command -v criu >/dev/null || skip "criu not installed (tests/deps.sh)"
  criu check >/dev/null 2>&1 || skip "criu cannot run on $(uname -r)"
  setup_minirt
  IMG=$TEST_DIR/img
  # A counter that leaves its value in the container's /tmp every 0.2 s;
  # its stdio is /dev/null inside the container.
  cfg_edit '.root.readonly = false | .process.args = ["sh", "-c",
    "exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >/tmp/count; usleep 200000; done"]'
}

teardown() {
  teardown_minirt
}

# The counter's value, read through the rootfs on the host.
# The writer truncates before it writes: an empty read is retried.
count() {
  local v i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    v=$(cat "$BUNDLE/rootfs/tmp/count" 2>/dev/null)
    [ -n "$v" ] && { echo "$v"; return; }
    sleep 0.05
  done
  echo 0
}

# Waits until the counter is past $1.
wait_past() {
  local i
  for i in $(seq 100); do
    [ "$(count)" -gt "$1" ] && return 0
    sleep 0.2
  done
  echo "counter stuck at $(count), wanted > $1" >&2
  return 1
}

start_counter() {
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/create.out" 2>&1
  minirt start "$ID"
  wait_past 2
}

# sha256 of every image file (criu's logs excluded).
images_sum() {
  (cd "$1" && find . -type f ! -name '*.log' -print0 | sort -z | xargs -0 sha256sum)
}

@test "criu: checkpoint stops the counter, restore continues it from where it was" {
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  [ -f "$IMG/inventory.img" ]
  [ -f "$IMG/descriptors.json" ]
  # The processes are gone; the container is stopped.
  assert_equal "$(state_field "$ID" status)" stopped
  [ -e "$STATE_ROOT/$ID/checkpointed" ]
  at=$(count)
  sleep 1
  assert_equal "$(count)" "$at"
  rt restore --detach --bundle "$BUNDLE" --image-path "$IMG" \
    --pid-file "$TEST_DIR/restored.pid" "$ID" </dev/null
  assert_success
  assert_equal "$(state_field "$ID" status)" running
  pid=$(state_field "$ID" pid)
  assert_equal "$(cat "$TEST_DIR/restored.pid")" "$pid"
  # The counter goes on from its value, not from 0.
  wait_past "$at"
  now=$(count)
  [ "$now" -ge "$at" ] && [ "$now" -lt "$((at + 50))" ]
  # In its own cgroup, as a created container is.
  grep -qx "0::/$CG_PARENT/$ID" "/proc/$pid/cgroup"
  rt ps --format json "$ID"
  assert_success
  assert_output_contains "$pid"
  minirt kill "$ID" KILL
  for i in $(seq 50); do
    [ "$(state_field "$ID" status)" = stopped ] && break
    sleep 0.1
  done
  assert_equal "$(state_field "$ID" status)" stopped
  minirt delete "$ID"
  assert_no_traces "$ID"
}

@test "criu: checkpoint --leave-running keeps the container running" {
  start_counter
  pid=$(state_field "$ID" pid)
  rt checkpoint --leave-running --image-path "$IMG" "$ID"
  assert_success
  [ -f "$IMG/inventory.img" ]
  assert_equal "$(state_field "$ID" status)" running
  assert_equal "$(state_field "$ID" pid)" "$pid"
  at=$(count)
  wait_past "$at"
  [ ! -e "$STATE_ROOT/$ID/checkpointed" ]
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "criu: pre-dump, then a dump with --parent-path, restores" {
  start_counter
  rt checkpoint --pre-dump --image-path "$IMG/pre" "$ID"
  assert_success
  assert_equal "$(state_field "$ID" status)" running
  [ -n "$(ls "$IMG/pre"/pages-*.img)" ]
  rt checkpoint --image-path "$IMG/full" --parent-path ../pre "$ID"
  assert_success
  # The dump refers to the pre-dump's pages.
  [ -L "$IMG/full/parent" ]
  assert_equal "$(state_field "$ID" status)" stopped
  at=$(count)
  rt restore -d -b "$BUNDLE" --image-path "$IMG/full" "$ID" </dev/null
  assert_success
  wait_past "$at"
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "criu: exec into a restored container uses the saved config's user, env and cwd" {
  cfg_edit '.process.user = {uid: 1000, gid: 1000}
    | .process.env += ["FROM_CONFIG=yes"] | .process.cwd = "/tmp"'
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  rt restore -d -b "$BUNDLE" --image-path "$IMG" "$ID" </dev/null
  assert_success
  rt exec "$ID" sh -c 'echo $(id -u) $(id -g) $FROM_CONFIG $(pwd)'
  assert_success
  assert_equal "$output" "1000 1000 yes /tmp"
  # The restored init itself is the config's user too.
  pid=$(state_field "$ID" pid)
  assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 1000
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "criu: a bind mount is external to the checkpoint and bound again at restore" {
  mkdir -p "$TEST_DIR/data"
  echo from-host >"$TEST_DIR/data/file"
  cfg_edit '.mounts += [{destination: "/data", type: "bind",
    source: "'"$TEST_DIR/data"'", options: ["rbind", "rw"]}]'
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  rt restore -d -b "$BUNDLE" --image-path "$IMG" "$ID" </dev/null
  assert_success
  rt exec "$ID" cat /data/file
  assert_success
  assert_equal "$output" from-host
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "criu: stdio pipes and the host's /dev/null are handed over: the restored init writes to restore's stdout" {
  cfg_edit '.process.args = ["sh", "-c",
    "i=0; while :; do i=$((i+1)); echo $i >/tmp/count; echo tick $i; usleep 200000; done"]'
  # fd 0 the host's /dev/null (outside the container's mounts), fds 1 and
  # 2 a pipe to cat, as conmon gives them.
  "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null 2>&1 |
    cat >"$TEST_DIR/before.log" &
  for i in $(seq 50); do [ -e "$STATE_ROOT/$ID/status.json" ] && break; sleep 0.1; done
  minirt start "$ID"
  wait_past 2
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  grep -q 'file\[' "$IMG/descriptors.json"
  grep -q 'pipe:\[' "$IMG/descriptors.json"
  wait
  grep -q '^tick ' "$TEST_DIR/before.log"
  "$MINIRT" --root "$STATE_ROOT" restore -d -b "$BUNDLE" --image-path "$IMG" \
    "$ID" </dev/null 2>&1 | cat >"$TEST_DIR/after.log" &
  for i in $(seq 100); do grep -q '^tick ' "$TEST_DIR/after.log" && break; sleep 0.2; done
  assert_equal "$(state_field "$ID" status)" running
  # The first tick after restore continues the count.
  first=$(grep -m1 '^tick ' "$TEST_DIR/after.log" | awk '{ print $2 }')
  [ "$first" -gt 2 ]
  minirt delete --force "$ID"
  wait
  assert_no_traces "$ID"
}

@test "criu: a cgroup mount without a cgroup namespace is external and bound again" {
  cfg_edit '.linux.namespaces |= map(select(.type != "cgroup"))
    | .mounts += [{destination: "/sys/fs/cgroup", type: "cgroup",
      source: "cgroup", options: ["nosuid", "noexec", "nodev", "ro"]}]'
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  rt restore -d -b "$BUNDLE" --image-path "$IMG" "$ID" </dev/null
  assert_success
  # The container's own cgroup again, its init (pid 1 there) in it.
  rt exec "$ID" cat /sys/fs/cgroup/cgroup.procs
  assert_success
  echo "$output" | grep -qx 1
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "criu: restore in the foreground waits for the container and removes it after" {
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  at=$(count)
  # Killed once it runs again (sh as pid 1 ignores TERM).
  ( for i in $(seq 100); do
      [ "$(count)" -gt "$at" ] && break
      sleep 0.2
    done
    "$MINIRT" --root "$STATE_ROOT" kill "$ID" KILL ) &
  killer=$!
  rt restore -b "$BUNDLE" --image-path "$IMG" "$ID" </dev/null
  wait "$killer"
  # restore returned with the process's status once it ended, and the
  # container is gone, as after `run`.
  assert_status 137
  [ "$(count)" -gt "$at" ]
  assert_no_traces "$ID"
}

@test "criu: a failed restore leaves no state, cgroup or process, and the images unchanged" {
  start_counter
  rt checkpoint --image-path "$IMG" "$ID"
  assert_success
  minirt delete "$ID"
  before=$(images_sum "$IMG")
  # A damaged image: criu fails part way.
  cp -a "$IMG" "$TEST_DIR/bad"
  : >"$TEST_DIR/bad/$(cd "$TEST_DIR/bad" && ls core-*.img | head -1)"
  bad_before=$(images_sum "$TEST_DIR/bad")
  rt restore -d -b "$BUNDLE" --image-path "$TEST_DIR/bad" "$ID" </dev/null
  assert_failure
  assert_output_contains "criu restore failed"
  assert_no_traces "$ID"
  assert_equal "$(images_sum "$TEST_DIR/bad")" "$bad_before"
  # Nothing of the container runs (the counter does not move).
  at=$(count)
  sleep 1
  assert_equal "$(count)" "$at"
  # A directory that holds no checkpoint.
  mkdir "$TEST_DIR/empty"
  rt restore -d -b "$BUNDLE" --image-path "$TEST_DIR/empty" "$ID" </dev/null
  assert_failure
  assert_output_contains "holds no checkpoint"
  assert_no_traces "$ID"
  # The good images still restore.
  assert_equal "$(images_sum "$IMG")" "$before"
  rt restore -d -b "$BUNDLE" --image-path "$IMG" "$ID" </dev/null
  assert_success
  wait_past "$at"
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}
