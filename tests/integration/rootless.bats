#!/usr/bin/env bats
# Rootless: an unprivileged user with subuid/subgid ranges runs minirt on a
# bundle of its own (`minirt spec --rootless`). The user is made by
# setup_file and removed by teardown_file, with its subordinate ranges.
# On this host's cgroup v1 the user may write no cgroup: containers run
# without one, and a config asking for resources fails by name.

load helpers
load ../lib/rootless

setup_file() {
  rootless_user_add
}

teardown_file() {
  rootless_user_del
}

setup() {
  rootless_setup
}

teardown() {
  rootless_teardown
}

@test "rootless run: the caller's uid is root in the container, and nothing is left" {
  ucfg_edit '.process.args = ["sh", "-c", "id; cat /proc/self/uid_map"]'
  urt run --bundle "$UBUNDLE" "$ID"
  assert_success
  assert_equal "${lines[0]}" "uid=0(root) gid=0(root)"
  assert_equal "$(echo "${lines[1]}" | tr -s ' ')" " 0 $RL_UID 1"
  [ ! -e "$USTATE/$ID" ]
  assert_no_user_cgroup "$ID"
}

@test "rootless: the default --root is \$XDG_RUNTIME_DIR/minirt, and without it the error says so" {
  as_user "$UMINIRT" create --bundle "$UBUNDLE" "$ID" </dev/null >/dev/null 2>&1
  [ -d "$XDG/minirt/$ID" ]
  run as_user "$UMINIRT" state "$ID"
  assert_success
  assert_equal "$(echo "$output" | jq -r .status)" created
  run as_user "$UMINIRT" delete --force "$ID"
  assert_success
  [ ! -e "$XDG/minirt/$ID" ]
  run as_user env -u XDG_RUNTIME_DIR "$UMINIRT" list
  assert_failure
  assert_output_contains "no --root given and XDG_RUNTIME_DIR is not set"
}

@test "rootless lifecycle: create, start, state, list, ps, kill, delete" {
  urt_create --bundle "$UBUNDLE" "$ID"
  assert_success
  urt start "$ID"
  assert_success
  run as_user "$UMINIRT" --root "$USTATE" state "$ID"
  assert_equal "$(echo "$output" | jq -r .status)" running
  local pid
  pid=$(echo "$output" | jq -r .pid)
  assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID"
  urt list
  assert_success
  assert_output_contains "$ID"
  assert_output_contains "$RL_USER"
  urt ps --format json "$ID"
  assert_success
  assert_equal "$output" "[$pid]"
  urt kill "$ID" KILL
  assert_success
  retry 50 u_state_is "$ID" stopped
  urt delete "$ID"
  assert_success
  [ ! -e "$USTATE/$ID" ]
}

@test "rootless exec resolves the saved config: user, env and cwd" {
  rootless_use_subids
  ucfg_edit '.process.user = {"uid": 1000, "gid": 1000} | .process.cwd = "/tmp"
    | .process.env += ["GREETING=hi"]'
  urt_create --bundle "$UBUNDLE" "$ID"
  urt start "$ID"
  urt exec "$ID" sh -c 'id -u; id -g; pwd; echo "$GREETING"'
  assert_success
  assert_equal "${lines[*]}" "1000 1000 /tmp hi"
  urt exec -u 0 -e GREETING=bye "$ID" sh -c 'id -u; echo "$GREETING"'
  assert_success
  assert_equal "${lines[*]}" "0 bye"
  # uid 1000 inside is a subordinate uid on the host
  as_user "$UMINIRT" --root "$USTATE" exec -d --pid-file "$UDIR/u/exec.pid" "$ID" sleep 100 \
    </dev/null >/dev/null 2>&1
  assert_equal "$(stat -c %u "/proc/$(cat "$UDIR/u/exec.pid")")" "$((RL_SUBUID + 999))"
}

@test "rootless: more than the caller's own id is mapped through newuidmap and newgidmap" {
  rootless_use_subids
  ucfg_edit '.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"]'
  urt run --bundle "$UBUNDLE" "$ID"
  assert_success
  assert_equal "$(echo "$output" | tr -s ' \n' ' ')" \
    " 0 $RL_UID 1 1 $RL_SUBUID 65536 0 $RL_GID 1 1 $RL_SUBUID 65536 allow "
}

@test "rootless: with only its own gid mapped, setgroups is denied (the kernel requires it)" {
  ucfg_edit '.process.args = ["cat", "/proc/self/setgroups"]'
  urt run --bundle "$UBUNDLE" "$ID"
  assert_success
  assert_equal "$output" deny
  ucfg_edit '.process.user.additionalGids = [5]'
  urt run --bundle "$UBUNDLE" "$ID"
  assert_failure
  assert_output_contains "process.user.additionalGids: setgroups is denied"
}

@test "rootless: a range the user does not own fails by name and leaves nothing" {
  ucfg_edit '.linux.uidMappings = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1},
      {"containerID": 1, "hostID": 100, "size": 10}]'
  urt_create --bundle "$UBUNDLE" "$ID"
  assert_failure
  assert_output_contains "linux.uidMappings \`0 $RL_UID 1, 1 100 10\`: newuidmap refused"
  [ ! -e "$USTATE/$ID" ]
  assert_no_user_process
}

@test "rootless without a delegated cgroup: resources fail by name, nothing is left" {
  ucfg_edit '.linux.resources = {"memory": {"limit": 67108864}}'
  urt_create --bundle "$UBUNDLE" "$ID"
  assert_failure
  assert_output_contains "unsupported when rootless without a delegated cgroup: linux.resources.memory.limit"
  [ ! -e "$USTATE/$ID" ]
  assert_no_user_process
}

@test "rootless without a cgroup: pause, update and events say why they cannot work" {
  urt_create --bundle "$UBUNDLE" "$ID"
  urt start "$ID"
  urt pause "$ID"
  assert_failure
  assert_output_contains "pause \`$ID\`: the container has no cgroup (rootless without a delegated cgroup)"
  urt update --pids-limit 10 "$ID"
  assert_failure
  assert_output_contains "update \`$ID\`: the container has no cgroup"
  urt events --stats "$ID"
  assert_failure
  assert_output_contains "events \`$ID\`: the container has no cgroup"
  u_state_is "$ID" running
}

@test "rootless kill --all reaches every process of the container's pid namespace" {
  ucfg_edit '.process.args = ["sh", "-c", "sleep 1001 & sleep 1002 & wait"]'
  urt_create --bundle "$UBUNDLE" "$ID"
  urt start "$ID"
  retry 50 u_ps_count_is "$ID" 3
  urt kill --all "$ID" KILL
  assert_success
  retry 50 u_state_is "$ID" stopped
  assert_no_user_process
}

@test "rootless: device nodes are the host's, bind-mounted (no mknod in a user namespace)" {
  ucfg_edit '.process.args = ["sh", "-c", "echo x > /dev/null && head -c 4 /dev/zero | wc -c && stat -c %t:%T /dev/null"]'
  urt run --bundle "$UBUNDLE" "$ID"
  assert_success
  assert_equal "${lines[*]}" "4 1:3"
}

@test "rootless: the runtime's own fds do not reach the container" {
  ucfg_edit '.process.args = ["ls", "/proc/self/fd"]'
  urt run --bundle "$UBUNDLE" "$ID" 5</etc/hostname
  assert_success
  assert_equal "${lines[*]}" "0 1 2 3"
}
