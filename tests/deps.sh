#!/bin/sh
# Installs the Debian packages minirt needs to build and test (a fresh
# Debian 12 machine has none of them). Safe to run again.
# criu: what minirt checkpoint/restore run (tests/vm/criu*.bats; on 6.18
# it cannot start, which tests/integration/checkpoint.bats checks).
# uidmap: newuidmap/newgidmap, for rootless containers with more than one id.
# zsh, fish: the completion tests run the scripts in their shells.
# strace: tests that check which system calls a command makes.
# go-md2man: the man pages; dpkg-dev debhelper fakeroot lintian: the package
# lane (tests/package/check.sh).
# systemd dbus: PID 1 and the system bus of the systemd VM lane
# (tests/vm/run-systemd.sh); dbus-daemon also serves the host tests of
# minirt's D-Bus client (tests/unit/test_dbus_bus.c,
# tests/integration/systemd-absent.bats).
set -eu
pkgs="meson ninja-build gcc libc6-dev pkg-config libjson-c-dev libseccomp-dev
libcriterion-dev busybox-static bats jq procps
util-linux podman conmon catatonit containerd docker.io qemu-system-x86
linux-image-amd64 crun runc time file criu uidmap zsh fish go-md2man man-db
build-essential dpkg-dev debhelper fakeroot lintian
systemd dbus strace"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
