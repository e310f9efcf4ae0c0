#!/usr/bin/env bats
# spec: writes a default config.json that create accepts.

load helpers

@test "spec writes a valid config that create and start accept" {
  mkdir "$TEST_DIR/b2"
  cp -a "$BUNDLE/rootfs" "$TEST_DIR/b2/rootfs"
  (cd "$TEST_DIR/b2" && "$MINIRT" spec)
  jq -e '.ociVersion and .root.path == "rootfs" and (.process.args | length > 0)
    and (.linux.namespaces | map(.type) | index("mount"))' "$TEST_DIR/b2/config.json"
  # Only what the test harness needs: no terminal, our cgroup parent.
  BUNDLE=$TEST_DIR/b2 cfg_edit '.process.terminal = false | .process.args = ["true"]
    | .linux.cgroupsPath = "/'"$CG_PARENT"'/'"$ID"'"'
  rt run --bundle "$TEST_DIR/b2" "$ID"
  assert_success
  assert_no_traces "$ID"
}

@test "spec refuses to overwrite an existing config.json" {
  echo '{"mine": true}' >"$BUNDLE/config.json"
  cd "$BUNDLE"
  rt spec
  assert_failure
  assert_output_contains "already exists"
  [ "$(cat "$BUNDLE/config.json")" = '{"mine": true}' ]
}

@test "spec --bundle DIR writes DIR/config.json" {
  mkdir "$TEST_DIR/other"
  cd "$TEST_DIR"
  rt spec --bundle "$TEST_DIR/other"
  assert_success
  jq -e .ociVersion "$TEST_DIR/other/config.json"
  [ ! -e "$TEST_DIR/config.json" ]
  rt spec --bundle "$TEST_DIR/missing-dir"
  assert_failure
  assert_output_contains "missing-dir"
}

@test "spec --rootless gives a user namespace mapped to the caller" {
  mkdir "$TEST_DIR/rl"
  rt spec --rootless --bundle "$TEST_DIR/rl"
  assert_success
  cfg=$TEST_DIR/rl/config.json
  jq -e '.linux.namespaces | map(.type) | index("user")' "$cfg"
  [ "$(jq '.linux.uidMappings[0].hostID' "$cfg")" = "$(id -u)" ]
  [ "$(jq '.linux.gidMappings[0].hostID' "$cfg")" = "$(id -g)" ]
  [ "$(jq '.linux.uidMappings[0].containerID' "$cfg")" = 0 ]
  # No network namespace and no resources: an unprivileged user could not
  # set them up.
  [ "$(jq '.linux.namespaces | map(.type) | index("network")' "$cfg")" = null ]
  [ "$(jq '.linux.resources' "$cfg")" = null ]
}

@test "a rootless config runs, with root inside mapped to the caller" {
  rm "$BUNDLE/config.json"
  (cd "$BUNDLE" && "$MINIRT" spec --rootless)
  cfg_edit '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]
    | .linux.cgroupsPath = "/'"$CG_PARENT"'/'"$ID"'"'
  rt run --bundle "$BUNDLE" "$ID"
  echo "$output"
  assert_success
  [ "${lines[0]}" = 0 ]
  [ "$(echo ${lines[1]})" = "0 $(id -u) 1" ]
}
