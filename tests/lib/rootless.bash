# Rootless test support: a throwaway user with subordinate id ranges, and
# per test a directory the user owns with a copy of minirt, a bundle made by
# `minirt spec --rootless` as that user, its XDG_RUNTIME_DIR and --root.
# Everything runs as the user through setpriv, with no capabilities left.

RL_RANGE=65536

# setup_file: the user and its ranges (useradd may add ranges of its own on
# Debian: they are replaced by one range we know).
rootless_user_add() {
  RL_USER=mrl$$
  RL_SUBUID=$((2000000000 + ($$ % 10000) * RL_RANGE))
  useradd -M -U -s /usr/sbin/nologin "$RL_USER" || return 1
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
  echo "$RL_USER:$RL_SUBUID:$RL_RANGE" >> /etc/subuid
  echo "$RL_USER:$RL_SUBUID:$RL_RANGE" >> /etc/subgid
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  export RL_USER RL_UID RL_GID RL_SUBUID
}

# teardown_file: the user, its group and its ranges, whatever state the
# tests left (each test already ended the user's processes).
rootless_user_del() {
  [ -n "${RL_USER:-}" ] || return 0
  rootless_kill_user_processes
  userdel "$RL_USER" 2>/dev/null
  getent group "$RL_USER" >/dev/null && groupdel "$RL_USER" 2>/dev/null
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
  return 0
}

# Every process running as the user or as one of its subordinate uids: all
# of them were started by these tests.
rootless_user_pids() {
  ps -eo pid=,uid= | awk -v u="$RL_UID" -v lo="$RL_SUBUID" -v n="$RL_RANGE" \
    '$2 == u || ($2 >= lo && $2 < lo + n) { print $1 }'
}

rootless_kill_user_processes() {
  local i p
  for i in 1 2 3; do
    p=$(rootless_user_pids)
    [ -n "$p" ] || return 0
    kill -9 $p 2>/dev/null
    sleep 0.2
  done
}

rootless_setup() {
  UDIR=$(mktemp -d /tmp/minirt-rl.XXXXXX)
  chmod 755 "$UDIR"
  XDG=$UDIR/xdg
  USTATE=$UDIR/u/state
  UBUNDLE=$UDIR/bundle
  UMINIRT=$UDIR/minirt
  ID=rl${BATS_TEST_NUMBER}-$$
  if [ ! -d "$ROOTFS_TEMPLATE/bin" ]; then
    "$BATS_TEST_DIRNAME/../lib/make-rootfs.sh" "$ROOTFS_TEMPLATE"
  fi
  mkdir -p "$UBUNDLE" "$XDG" "$UDIR/u"
  cp -a "$ROOTFS_TEMPLATE" "$UBUNDLE/rootfs"
  cp "$MINIRT" "$UMINIRT"
  chmod 755 "$UMINIRT"
  chmod 700 "$XDG"
  chown -R "$RL_UID:$RL_GID" "$UBUNDLE" "$XDG" "$UDIR/u"
  # A sanitizer build writes its reports where the user may write; they are
  # handed on to the lane's log dir in teardown.
  RL_SAN=$UDIR/san
  mkdir -p "$RL_SAN"
  chown "$RL_UID:$RL_GID" "$RL_SAN"
  (cd "$UBUNDLE" && as_user "$UMINIRT" spec --rootless) || return 1
  ucfg_edit '.process.terminal = false | .process.args = ["sleep", "1000"]'
}

rootless_teardown() {
  local c
  for c in $(ls "$USTATE" 2>/dev/null); do
    as_user "$UMINIRT" --root "$USTATE" delete --force "$c" >/dev/null 2>&1
  done
  for c in $(ls "$XDG/minirt" 2>/dev/null); do
    as_user "$UMINIRT" delete --force "$c" >/dev/null 2>&1
  done
  rootless_kill_user_processes
  rootless_collect_sanitizer_logs
  rm -rf --one-file-system "$UDIR"
}

# ASAN_OPTIONS/UBSAN_OPTIONS with log_path moved into $RL_SAN.
san_opts() { # value-of-the-variable name
  [ -n "$1" ] || return 0
  echo "$1" | sed "s#log_path=[^:]*#log_path=$RL_SAN/$2#"
}

rootless_collect_sanitizer_logs() {
  local f dest
  for f in "$RL_SAN"/*; do
    [ -f "$f" ] || continue
    case $(basename "$f") in
      asan*) dest=$(echo "${ASAN_OPTIONS:-}" | sed -n 's#.*log_path=\([^:]*\).*#\1#p') ;;
      *) dest=$(echo "${UBSAN_OPTIONS:-}" | sed -n 's#.*log_path=\([^:]*\).*#\1#p') ;;
    esac
    [ -n "$dest" ] && cp "$f" "$dest.rootless-$(basename "$f")"
  done
}

# Runs a command as the test user, in the environment a login would give.
as_user() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
    env HOME="$UDIR" XDG_RUNTIME_DIR="$XDG" \
    ASAN_OPTIONS="$(san_opts "${ASAN_OPTIONS:-}" asan)" \
    UBSAN_OPTIONS="$(san_opts "${UBSAN_OPTIONS:-}" ubsan)" "$@"
}

# bats `run` of minirt as the user on the test's --root.
urt() {
  run as_user "$UMINIRT" --root "$USTATE" "$@"
}

# `urt create`: the init of a created container keeps the fds it was given,
# so its output goes through a file (bats' `run` would wait for the init).
urt_create() {
  local rc=0
  as_user "$UMINIRT" --root "$USTATE" create "$@" </dev/null \
    >"$UDIR/create.out" 2>&1 || rc=$?
  status=$rc
  output=$(cat "$UDIR/create.out")
  lines=()
  [ -z "$output" ] || mapfile -t lines <<<"$output"
}

ucfg_edit() {
  local tmp=$UBUNDLE/config.json.tmp
  jq "$1" "$UBUNDLE/config.json" > "$tmp" && mv "$tmp" "$UBUNDLE/config.json"
  chmod 644 "$UBUNDLE/config.json"
}

# Maps container ids 1..65536 onto the user's subordinate range too (the
# user's own id stays container root), as rootless podman does.
rootless_use_subids() {
  ucfg_edit '.linux.uidMappings = [{"containerID": 0, "hostID": '"$RL_UID"', "size": 1},
      {"containerID": 1, "hostID": '"$RL_SUBUID"', "size": '"$RL_RANGE"'}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": '"$RL_GID"', "size": 1},
      {"containerID": 1, "hostID": '"$RL_SUBUID"', "size": '"$RL_RANGE"'}]'
}

u_state_is() { # id status
  [ "$(as_user "$UMINIRT" --root "$USTATE" state "$1" 2>/dev/null | jq -r .status)" = "$2" ]
}

u_ps_count_is() { # id n
  [ "$(as_user "$UMINIRT" --root "$USTATE" ps --format json "$1" | jq length)" = "$2" ]
}

# Live ones: a killed container's processes may stay zombies for a moment,
# until whoever they were reparented to reaps them.
rootless_live_user_pids() {
  ps -eo pid=,uid=,stat= | awk -v u="$RL_UID" -v lo="$RL_SUBUID" -v n="$RL_RANGE" \
    '($2 == u || ($2 >= lo && $2 < lo + n)) && $3 !~ /^Z/ { print $1 }'
}

assert_no_user_process() {
  local p i
  for i in $(seq 20); do
    p=$(rootless_live_user_pids)
    [ -n "$p" ] || return 0
    sleep 0.1
  done
  echo "processes of the test user left: $p ($(ps -o pid=,stat=,args= -p "$(echo $p | tr ' ' ,)"))" >&2
  return 1
}

# minirt made no cgroup for the container (it could not: cgroup v1 here).
assert_no_user_cgroup() {
  local h
  for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ ! -d "${h}minirt/$1" ] || { echo "cgroup ${h}minirt/$1 exists" >&2; return 1; }
  done
}
