#!/usr/bin/env bats
# checkpoint and restore where criu cannot do the work: no criu binary, or
# a criu that does not start on this kernel (Debian's 3.17 on 6.18). The
# commands must fail clearly and leave the container as it was. The
# successful paths run in the VM lane (tests/vm/criu.bats).

load helpers

# Debian's criu, when it cannot run here; empty when it can (or is absent).
broken_criu() {
  command -v criu >/dev/null || return 0
  criu check >/dev/null 2>&1 && return 0
  command -v criu
}

@test "checkpoint --help succeeds (podman's probe) and names runc's flags" {
  rt checkpoint --help
  assert_success
  for f in --image-path --work-path --leave-running --tcp-established \
    --ext-unix-sk --shell-job --file-locks --pre-dump --parent-path \
    --manage-cgroups-mode --empty-ns --auto-dedup --lazy-pages; do
    assert_output_contains "$f"
  done
  rt restore --help
  assert_success
  for f in --bundle --detach --pid-file --console-socket --no-subreaper \
    --image-path --work-path; do
    assert_output_contains "$f"
  done
}

@test "features says checkpoint is built in" {
  rt features
  assert_success
  [ "$(echo "$output" | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')" = true ]
}

@test "checkpoint with --criu /nonexistent fails clearly; the container keeps running" {
  create_started
  pid=$(state_field "$ID" pid)
  run "$MINIRT" --root "$STATE_ROOT" --criu /nonexistent checkpoint \
    --image-path "$TEST_DIR/img" "$ID"
  assert_failure
  assert_output_contains "checkpoint \`$ID\`: criu \`/nonexistent\` cannot be run"
  assert_equal "$(state_field "$ID" status)" running
  assert_equal "$(state_field "$ID" pid)" "$pid"
  [ ! -e "$TEST_DIR/img" ]
  # exec still works: the container is untouched.
  rt exec "$ID" true
  assert_success
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "checkpoint where criu cannot run on this kernel shows criu's error" {
  criu=$(broken_criu)
  [ -n "$criu" ] || skip "criu runs here (or is not installed): see tests/vm/criu.bats"
  create_started
  pid=$(state_field "$ID" pid)
  run "$MINIRT" --root "$STATE_ROOT" --criu "$criu" checkpoint \
    --image-path "$TEST_DIR/img" "$ID"
  assert_failure
  assert_output_contains "checkpoint \`$ID\`: criu dump failed (exit status"
  # criu's own words from its log, and where the log is.
  assert_output_contains "Error ("
  assert_output_contains "$TEST_DIR/img/dump.log"
  assert_equal "$(state_field "$ID" status)" running
  assert_equal "$(state_field "$ID" pid)" "$pid"
  [ ! -e "$STATE_ROOT/$ID/checkpointed" ]
  # Not frozen, not stopped: the processes go on.
  [ "$(awk '{ print $3 }' "/proc/$pid/stat")" != T ]
  rt exec "$ID" true
  assert_success
  minirt delete --force "$ID"
  assert_no_traces "$ID"
}

@test "checkpoint of a container that is not running, or does not exist, fails" {
  minirt create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1
  rt checkpoint --image-path "$TEST_DIR/img" "$ID"
  assert_failure
  assert_output_contains "checkpoint \`$ID\`: the container is created, not running"
  rt checkpoint --image-path "$TEST_DIR/img" nosuch
  assert_failure
  assert_output_contains "container \`nosuch\` does not exist"
  minirt delete --force "$ID"
}

@test "checkpoint of a user-namespace container is refused by name; it keeps running" {
  cfg_edit '.linux.namespaces += [{type: "user"}]
    | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  chmod 755 "$TEST_DIR" "$BUNDLE"
  chown -R 100000:100000 "$BUNDLE/rootfs"
  create_started
  rt checkpoint --image-path "$TEST_DIR/img" "$ID"
  assert_failure
  assert_output_contains "unsupported for checkpoint: linux.namespaces: a user namespace"
  assert_equal "$(state_field "$ID" status)" running
  minirt delete --force "$ID"
}

@test "restore of a missing or empty image dir fails clearly and leaves nothing" {
  rt restore -d --bundle "$BUNDLE" --image-path "$TEST_DIR/none" "$ID"
  assert_failure
  assert_output_contains "restore \`$ID\`: image path \`$TEST_DIR/none\`: No such file or directory"
  assert_no_traces "$ID"
  mkdir "$TEST_DIR/empty"
  rt restore -d --bundle "$BUNDLE" --image-path "$TEST_DIR/empty" "$ID"
  assert_failure
  assert_output_contains "holds no checkpoint (no inventory.img)"
  assert_no_traces "$ID"
  [ -z "$(ls "$TEST_DIR/empty")" ]
  run "$MINIRT" --root "$STATE_ROOT" --criu /nonexistent restore -d \
    --bundle "$BUNDLE" --image-path "$TEST_DIR/empty" "$ID"
  assert_failure
  assert_output_contains "criu \`/nonexistent\` cannot be run"
  assert_no_traces "$ID"
}

@test "restore where criu cannot run fails with criu's error and leaves nothing" {
  criu=$(broken_criu)
  [ -n "$criu" ] || skip "criu runs here (or is not installed): see tests/vm/criu.bats"
  # Images that look like a checkpoint: criu fails before reading them.
  mkdir "$TEST_DIR/img"
  : >"$TEST_DIR/img/inventory.img"
  echo '["/dev/null","/dev/null","/dev/null"]' >"$TEST_DIR/img/descriptors.json"
  sum=$(cd "$TEST_DIR/img" && sha256sum inventory.img descriptors.json)
  run "$MINIRT" --root "$STATE_ROOT" --criu "$criu" restore -d \
    --bundle "$BUNDLE" --image-path "$TEST_DIR/img" "$ID"
  assert_failure
  assert_output_contains "restore \`$ID\`: criu restore failed"
  assert_no_traces "$ID"
  assert_equal "$(cd "$TEST_DIR/img" && sha256sum inventory.img descriptors.json)" "$sum"
  # No bind of the rootfs is left behind.
  ! grep -q "$STATE_ROOT" /proc/self/mounts
}
