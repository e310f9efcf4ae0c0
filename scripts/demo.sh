#!/bin/bash
# The main job: install what is missing, build minirt, make a busybox
# bundle, show `spec` and `features`, and run a demo container.
set -eu
cd "$(dirname "$0")/.."
./tests/deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build >/dev/null
minirt=$PWD/build/minirt
work=$(mktemp -d /tmp/minirt-demo.XXXXXX)
root=$work/state
trap '"$minirt" --root "$root" delete --force demo >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "== minirt --version"
"$minirt" --version
mkdir -p "$work/bundle"
./tests/lib/make-rootfs.sh "$work/bundle/rootfs"
cd "$work/bundle"
"$minirt" spec
echo "== config.json made by 'minirt spec' (process part)"
jq .process config.json
echo "== minirt features (namespaces)"
"$minirt" features | jq -c .linux.namespaces
# The demo runs without a terminal and prints from inside the container.
jq '.process.terminal = false
  | .process.args = ["sh", "-c", "echo hello from $(hostname); id; cat /proc/self/cgroup | head -3; ls /"]' \
  config.json > c.tmp && mv c.tmp config.json
echo "== minirt run demo"
"$minirt" --root "$root" run demo
echo "== exit status: $?"
