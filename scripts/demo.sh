#!/bin/bash
# The main job: install what is missing, build minirt, make a busybox
# bundle, and show what minirt exists for: `exec` builds the new process
# from the container's saved config (user, env, cwd, capabilities), the
# flags only change what they name, and `exec --explain` says where every
# field came from. Cleans up after itself (container, cgroup, temp dir).
set -eu
cd "$(dirname "$0")/.."
./tests/deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
minirt=$PWD/build/minirt
work=$(mktemp -d /tmp/minirt-demo.XXXXXX)
rt() { "$minirt" --root "$work/state" "$@"; }
trap 'rt delete --force demo >/dev/null 2>&1 || true; rm -rf --one-file-system "$work"' EXIT
if [ -t 1 ]; then
  say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
  say() { printf '\n$ %s\n' "$*"; }
fi

"$minirt" --version | head -1
mkdir -p "$work/bundle"
./tests/lib/make-rootfs.sh "$work/bundle/rootfs" >/dev/null
mkdir -p "$work/bundle/rootfs/srv"
cd "$work/bundle"
"$minirt" spec
# A container whose config says: uid 1000, its own env and cwd, and only
# two capabilities (ambient too, so that they survive uid 1000's execve).
caps='["CAP_KILL", "CAP_NET_BIND_SERVICE"]'
jq --argjson caps "$caps" '.process.terminal = false
  | .process.args = ["sleep", "1000"]
  | .process.user = {"uid": 1000, "gid": 1000}
  | .process.env = ["PATH=/bin:/usr/bin", "APP_MODE=production", "LANG=C.UTF-8"]
  | .process.cwd = "/srv"
  | .process.capabilities = {"bounding": $caps, "effective": $caps,
      "permitted": $caps, "inheritable": $caps, "ambient": $caps}' \
  config.json >c.tmp && mv c.tmp config.json
say "jq '.process | {user, env, cwd, capabilities: .capabilities.effective}' config.json"
jq -c '.process | {user, env, cwd, capabilities: .capabilities.effective}' config.json

say "minirt create demo && minirt start demo"
# The container's init inherits create's stdio: keep it off our terminal.
rt create demo </dev/null >/dev/null 2>"$work/create.err" || { cat "$work/create.err"; exit 1; }
rt start demo

echo
echo "exec inherits the container's process, field by field:"
say "minirt exec demo id"
rt exec demo id
say "minirt exec demo env"
rt exec demo env
echo "(HOME: not in the config, so from the container's /etc/passwd for uid 1000)"
say "minirt exec demo pwd"
rt exec demo pwd
say "minirt exec demo grep Cap /proc/self/status"
rt exec demo grep Cap /proc/self/status
echo "(0x...0420 = CAP_KILL + CAP_NET_BIND_SERVICE, as the config says)"

echo
echo "a flag changes only what it names; --env adds to the config's env:"
say "minirt exec --env DEBUG=1 demo env"
rt exec --env DEBUG=1 demo env

echo
echo "--explain runs nothing and says where each field came from:"
say "minirt exec --explain --format table --env DEBUG=1 --cwd /tmp demo sh"
rt exec --explain --format table --env DEBUG=1 --cwd /tmp demo sh

say "minirt delete --force demo"
rt delete --force demo
echo
echo "The rules: docs/exec.md; every command: man minirt / docs/commands/."
