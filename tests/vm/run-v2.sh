#!/bin/bash
# The pure cgroup v2 lane: boots Debian's kernel in qemu with only the
# unified hierarchy (cgroup2 at /sys/fs/cgroup, every v1 controller off),
# with this machine's root shared read-only over 9p as the VM's root, and
# runs bats files there. Prints their TAP on stdout (`ok N ...` /
# `not ok N ...`); exits non-zero when a test failed or the VM did not
# report. The parts shared with tests/vm/run-systemd.sh are in lib.sh.
#
# usage: tests/vm/run-v2.sh [bats file...]   (default tests/vm/cgroup-v2.bats,
#        tests/vm/rootless-v2.bats, tests/integration/rootless.bats,
#        tests/vm/criu.bats and tests/vm/criu-podman.bats)
# env:   MINIRT       minirt binary (default build/minirt): in the work tree,
#                     or anywhere outside /tmp, /run, /var/tmp and /root
#        VM_TIMEOUT   seconds before the VM is killed (default 1500: the
#                     criu files alone took ~10 minutes under tcg on a
#                     loaded machine)
#        VM_ACCEL     qemu accelerator (default tcg)
#        VM_CMD       a command to run instead of bats (debugging)
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
lane="cgroup v2 VM lane"
tmpfs_dirs=(/tmp /run /var/tmp /root)
timeout_default=1500
files=("$@")
vm_begin
[ ${#files[@]} -gt 0 ] || files=(tests/vm/cgroup-v2.bats tests/vm/rootless-v2.bats
  tests/integration/rootless.bats tests/vm/criu.bats tests/vm/criu-podman.bats)
vm_check
vm_kernel
vm_initramfs_begin

{
  cat <<EOF
#!/bin/busybox sh
# PID 1 of the VM: mounts the host root (read-only) and a v2-only cgroup
# tree, runs the tests in a chroot and powers off.
EOF
  vm_init_prologue
  cat <<EOF
mount -t proc proc \$r/proc
mount -t sysfs sys \$r/sys
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 \$r/sys/fs/cgroup
mount -t devtmpfs dev \$r/dev
mkdir -p \$r/dev/pts \$r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts \$r/dev/pts
mount -t tmpfs tmpfs \$r/dev/shm
ln -sf /proc/self/fd \$r/dev/fd
ln -sf /proc/self/fd/0 \$r/dev/stdin
ln -sf /proc/self/fd/1 \$r/dev/stdout
ln -sf /proc/self/fd/2 \$r/dev/stderr
EOF
  vm_init_results
  cat <<EOF
ip link set lo up
# As under systemd: nothing of ours in the root cgroup.
mkdir \$r/sys/fs/cgroup/init.scope && echo \$\$ > \$r/sys/fs/cgroup/init.scope/cgroup.procs
echo "vm: booted \$(uname -r) at \$(cut -d" " -f1 /proc/uptime)s, running tests"
# switch_root, not chroot: a process whose root is not the root of its
# mount namespace may not make a user namespace, and the rootless tests
# make them. PID 1 is then the test shell, which powers the VM off.
exec switch_root \$r /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
  TERM=dumb LANG=C.UTF-8 MINIRT=$minirt MINIRT_VM=1 \
  ROOTFS_TEMPLATE=/tmp/vm-rootfs /bin/bash -c 'cd $top &&
    mkdir /tmp/vm-rootfs && tar -C /tmp/vm-rootfs -xpf $vm/rootfs.tar &&
    ${VM_CMD:-bats --tap ${files[*]}} >$out/tap 2>$out/stderr; echo \$? >$out/rc
    sync
    echo "vm: done at \$(cut -d" " -f1 /proc/uptime)s"
    echo o > /proc/sysrq-trigger; sleep 30'
EOF
} >"$ird/init"
vm_initramfs_pack
vm_rootfs_tar
vm_qemu ""
vm_report "cgroup v2 VM"
