#!/usr/bin/env bats
# Hostile bundles: each fails with a clear message (or works), never
# crashes, and leaves nothing behind.

load ../integration/helpers

# create must not crash (status < 128) and must leave no trace on failure.
create_sane() {
  # The created init inherits our stdio: give it a file, not bats' pipes.
  run -0 true
  "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >"$TEST_DIR/out" 2>&1 || status=$?
  output=$(cat "$TEST_DIR/out")
  echo "status $status: ${output:0:300}" >&2
  [ "$status" -lt 128 ]
  if [ "$status" -ne 0 ]; then
    [ -n "$output" ]
    assert_no_traces "$ID"
  fi
}

@test "a missing rootfs is a clear error" {
  rm -rf "$BUNDLE/rootfs"
  create_sane
  assert_failure
  assert_output_contains rootfs
}

@test "a rootfs that is a file is a clear error" {
  rm -rf "$BUNDLE/rootfs"
  echo x > "$BUNDLE/rootfs"
  create_sane
  assert_failure
}

@test "a mount destination with .. stays inside the rootfs" {
  mkdir -p "$TEST_DIR/outside"
  cfg_edit '.mounts += [{"destination": "/../../../../../..'"$TEST_DIR"'/outside", "type": "tmpfs", "source": "tmpfs"}]'
  create_sane
  ! mountpoint -q "$TEST_DIR/outside"
  minirt delete --force "$ID" 2>/dev/null || true
  assert_no_traces "$ID"
}

@test "a hook path with .. is run as given or refused, never crashes" {
  cfg_edit '.hooks.createRuntime = [{"path": "/bin/../bin/true"}]'
  create_sane
}

@test "device nodes in odd places are created inside the rootfs only" {
  cfg_edit '.linux.devices = [{"path": "/../../dev/odd", "type": "c", "major": 1, "minor": 3}]'
  create_sane
  [ ! -e /dev/odd ]
}

@test "100000 environment entries work or fail clearly" {
  jq -n '[range(100000) | "V\(.)=x"]' > "$TEST_DIR/env.json"
  jq --slurpfile e "$TEST_DIR/env.json" '.process.env += $e[0]' "$BUNDLE/config.json" > "$TEST_DIR/c" && mv "$TEST_DIR/c" "$BUNDLE/config.json"
  create_sane
}

@test "a 50 MB config is a clear error or works" {
  jq -c 'del(.annotations)' "$BUNDLE/config.json" | head -c -2 > "$TEST_DIR/c"
  { printf ',"annotations":{"big":"'; head -c 50000000 /dev/zero | tr '\0' a; printf '"}}'; } >> "$TEST_DIR/c"
  mv "$TEST_DIR/c" "$BUNDLE/config.json"
  create_sane
}

@test "deeply nested JSON is a clear error" {
  { printf '{"ociVersion":"1.0.0","annotations":{"a":'; for _ in $(seq 5000); do printf '['; done; for _ in $(seq 5000); do printf ']'; done; printf '}}'; } > "$BUNDLE/config.json"
  create_sane
  assert_failure
}

@test "a config that is not JSON is a clear error" {
  head -c 4096 /dev/urandom > "$BUNDLE/config.json"
  create_sane
  assert_failure
}
