#!/usr/bin/env bats
# OCI hooks: each kind runs at its moment with the state JSON on stdin.

load helpers

setup() {
  setup_minirt
  HOOK=$TEST_DIR/hook.sh
  LOG=$TEST_DIR/hooks.log
  # args[0] is argv[0]; $1 is the kind, the rest extra args.
  cat >"$HOOK" <<EOS
#!/bin/sh
state=\$(cat)
echo "\$1 \$(echo "\$state" | jq -r .status) \$(echo "\$state" | jq -r .pid) \
mnt=\$(readlink /proc/self/ns/mnt) args=\$2 env=\$HOOK_ENV id=\$(echo "\$state" | jq -r .id)" >>"$LOG"
EOS
  chmod +x "$HOOK"
  # startContainer resolves in the container: busybox only, no jq.
  cat >"$BUNDLE/rootfs/start-hook.sh" <<'EOS'
#!/bin/sh
echo "startContainer $(grep -o '"status":"[a-z]*"') mnt=$(readlink /proc/self/ns/mnt)" >>/start-hook.log
EOS
  chmod +x "$BUNDLE/rootfs/start-hook.sh"
}

# create that may succeed: the init must not hold bats' output pipe.
create_try() {
  status=0
  "$MINIRT" --root "$STATE_ROOT" create --bundle "$BUNDLE" "$ID" \
    </dev/null >"$TEST_DIR/create.out" 2>&1 || status=$?
  output=$(cat "$TEST_DIR/create.out")
}

hook() { # kind [timeout]
  echo '{"path": "'"$HOOK"'", "args": ["hook.sh", "'"$1"'", "extra"], "env": ["HOOK_ENV=set"]'"${2:+, \"timeout\": $2}"'}'
}

mnt_of() { awk -v k="$1" '$1 == k { print $4 }' "$LOG"; }

all_hooks() {
  # startContainer writes its log into the rootfs.
  cfg_edit '.root.readonly = false'
  cfg_edit ".hooks = {
    \"prestart\": [$(hook prestart)], \"createRuntime\": [$(hook createRuntime)],
    \"createContainer\": [$(hook createContainer)],
    \"startContainer\": [{\"path\": \"/start-hook.sh\"}],
    \"poststart\": [$(hook poststart)], \"poststop\": [$(hook poststop)]}"
}

@test "create runs prestart, createRuntime, createContainer with status created" {
  all_hooks
  minirt create --bundle "$BUNDLE" "$ID"
  pid=$(state_field "$ID" pid)
  host_mnt=$(readlink /proc/self/ns/mnt)
  cat "$LOG"
  [ "$(wc -l <"$LOG")" -eq 3 ]
  [ "$(sed -n 1p "$LOG" | cut -d' ' -f1-3)" = "prestart created $pid" ]
  [ "$(sed -n 2p "$LOG" | cut -d' ' -f1-3)" = "createRuntime created $pid" ]
  [ "$(sed -n 3p "$LOG" | cut -d' ' -f1-3)" = "createContainer created $pid" ]
  # prestart and createRuntime run in the runtime's namespace,
  # createContainer in the container's mount namespace.
  [ "$(mnt_of prestart)" = "mnt=$host_mnt" ]
  [ "$(mnt_of createRuntime)" = "mnt=$host_mnt" ]
  [ "$(mnt_of createContainer)" != "mnt=$host_mnt" ]
  [ "$(mnt_of createContainer)" = "mnt=$(readlink /proc/$pid/ns/mnt)" ]
  # Args and env of the hook are passed; the id is in the state.
  grep -c "args=extra env=set id=$ID\$" "$LOG" | grep -qx 3
  [ ! -e "$BUNDLE/rootfs/start-hook.log" ]
}

@test "start runs startContainer inside the container, then poststart with running" {
  all_hooks
  minirt create --bundle "$BUNDLE" "$ID"
  pid=$(state_field "$ID" pid)
  minirt start "$ID"
  cat "$BUNDLE/rootfs/start-hook.log"
  [ "$(cat "$BUNDLE/rootfs/start-hook.log")" = \
    "startContainer \"status\":\"created\" mnt=$(readlink /proc/$pid/ns/mnt)" ]
  [ "$(sed -n 4p "$LOG" | cut -d' ' -f1-3)" = "poststart running $pid" ]
  [ "$(wc -l <"$LOG")" -eq 4 ]
}

@test "delete runs poststop with status stopped" {
  all_hooks
  create_started
  minirt delete --force "$ID"
  tail -1 "$LOG"
  [ "$(tail -1 "$LOG" | cut -d' ' -f1-2)" = "poststop stopped" ]
  [ "$(grep -c ^poststop "$LOG")" -eq 1 ]
  assert_no_traces "$ID"
}

@test "a failing prestart hook fails create and leaves nothing behind" {
  cfg_edit '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]'
  create_try
  assert_failure
  assert_output_contains "prestart"
  assert_output_contains "/bin/sh"
  assert_no_traces "$ID"
  [ -z "$(ls "$STATE_ROOT" 2>/dev/null)" ]
  # No init is left: nothing on the host still runs our sleep 1000 bundle.
  ! pgrep -f "minirt --root $STATE_ROOT" >/dev/null
}

@test "a hook that outlives its timeout is killed and fails create in time" {
  cfg_edit '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "10"], "timeout": 1}]'
  SECONDS=0
  create_try
  elapsed=$SECONDS
  assert_failure
  assert_output_contains "createRuntime"
  [ "$elapsed" -le 4 ]
  assert_no_traces "$ID"
}

@test "a failing poststart or poststop hook only warns" {
  cfg_edit '.hooks.poststart = [{"path": "/bin/false"}] | .hooks.poststop = [{"path": "/bin/false"}]'
  minirt create --bundle "$BUNDLE" "$ID"
  rt start "$ID"
  assert_success
  assert_output_contains "poststart"
  [ "$(state_field "$ID" status)" = running ]
  rt delete --force "$ID"
  assert_success
  assert_output_contains "poststop"
  assert_no_traces "$ID"
}
