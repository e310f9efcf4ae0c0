#!/bin/bash
# The pure cgroup v2 lane: boots Debian's kernel in qemu with only the
# unified hierarchy (cgroup2 at /sys/fs/cgroup, every v1 controller off),
# with this machine's root shared read-only over 9p as the VM's root, and
# runs bats files there. Prints their TAP on stdout (`ok N ...` /
# `not ok N ...`); exits non-zero when a test failed or the VM did not
# report.
#
# usage: tests/vm/run-v2.sh [bats file...]   (default tests/vm/cgroup-v2.bats,
#        tests/vm/rootless-v2.bats, tests/integration/rootless.bats,
#        tests/vm/criu.bats and tests/vm/criu-podman.bats)
# env:   MINIRT       minirt binary (default build/minirt), inside the work tree
#        VM_TIMEOUT   seconds before the VM is killed (default 1500: the
#                     criu files alone take ~10 minutes under tcg)
#        VM_ACCEL     qemu accelerator (default tcg)
#        VM_CMD       a command to run instead of bats (debugging)
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
# One directory per run: two runs at once (developers share a checkout)
# must not remove each other's results share.
vm=$top/tests/tmp/vm/run.$$
out=$vm/out
log=$vm/console.log
trap 'cp -f "$log" "$top/tests/tmp/vm/console.log" 2>/dev/null; rm -rf "$vm"' EXIT
minirt=$(realpath -m "${MINIRT:-$top/build/minirt}")
timeout_s=${VM_TIMEOUT:-1500}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/vm/cgroup-v2.bats tests/vm/rootless-v2.bats
  tests/integration/rootless.bats tests/vm/criu.bats tests/vm/criu-podman.bats)
mkdir -p "$vm"

fail() { # reason -> the TAP the VM wrote so far, one failing line more,
  # and the console's tail as comments
  local n=0
  if [ -s "$out/tap" ]; then
    grep -v '^1\.\.' "$out/tap"
    n=$(grep -c '^\(not \)\?ok ' "$out/tap")
  fi
  echo "1..$((n + 1))"
  echo "not ok $((n + 1)) cgroup v2 VM lane: $1"
  [ -f "$log" ] && tail -n 40 "$log" | tr -d '\033' | sed 's/^/# /'
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (qemu 9p export of / as root)"
./tests/deps.sh >/dev/null 2>&1 || fail "tests/deps.sh failed"
[ -x "$minirt" ] || fail "no minirt binary at $minirt (build first)"
case "$minirt" in "$top"/*) ;; *) fail "MINIRT must be inside $top" ;; esac
for f in "${files[@]}"; do
  [ -f "$f" ] || fail "no such bats file: $f"
done
[ -d tests/tmp/rootfs/bin ] || ./tests/lib/make-rootfs.sh tests/tmp/rootfs \
  >/dev/null || fail "make-rootfs.sh failed"

# The newest installed kernel that has its modules.
kver=""
for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V); do
  [ -f "/lib/modules/$k/modules.dep" ] && kver=$k
done
[ -n "$kver" ] || fail "no /boot/vmlinuz-* with /lib/modules (linux-image-amd64)"
kernel=/boot/vmlinuz-$kver
moddir=/lib/modules/$kver

# ---- initramfs: busybox, the 9p/virtio modules, /init ----
rm -rf "$vm/initramfs" "$out"
mkdir -p "$vm/initramfs"/{bin,lib/modules,proc,sys,dev,newroot} "$out"
ird=$vm/initramfs
cp "$(command -v busybox)" "$ird/bin/busybox"

# Modules in load order, dependencies first (modules.dep lists each
# module's dependencies, the deepest last); built-in ones are skipped.
declare -A seen=()
order=()
add_module() { # name
  local line d i arr
  line=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1)
  [ -n "$line" ] || return 0 # built in (or absent: the mount will say)
  local path=${line%%:*}
  [ -n "${seen[$path]:-}" ] && return 0
  seen[$path]=1
  read -r -a arr <<<"${line#*:}"
  for ((i = ${#arr[@]} - 1; i >= 0; i--)); do
    d=${arr[$i]}
    [ -n "${seen[$d]:-}" ] && continue
    seen[$d]=1
    order+=("$d")
  done
  order+=("$path")
}
for m in virtio_pci virtio_blk virtio-rng 9pnet_virtio 9p; do add_module "$m"; done
: >"$ird/modules"
for p in "${order[@]}"; do
  case "$p" in *.ko) ;; *) fail "compressed module $p is not supported" ;; esac
  cp "$moddir/$p" "$ird/lib/modules/"
  basename "$p" >>"$ird/modules"
done

cat >"$ird/init" <<EOF
#!/bin/busybox sh
# PID 1 of the VM: mounts the host root (read-only) and a v2-only cgroup
# tree, runs the tests in a chroot and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in \$(cat /modules); do insmod /lib/modules/\$m || echo "insmod \$m failed"; done
r=/newroot
o="trans=virtio,version=9p2000.L,msize=262144"
mount -t 9p -o "\$o,ro,cache=loose" hostroot \$r || { echo "mount hostroot failed"; poweroff -f; }
# The work tree may lie under a directory that gets a tmpfs (a CI clone in
# /tmp): keep it reachable through a bind made before the tmpfs covers it.
mkdir -p /worktree && mount -o bind \$r$top /worktree
for d in /tmp /run /var/tmp /root; do mount -t tmpfs -o mode=1777 tmpfs \$r\$d; done
# A writable copy of /etc, so that the rootless tests can add their user
# and its subordinate ranges (the host's /etc is never written).
mkdir -p /etc-rw && mount -t tmpfs -o mode=755 tmpfs /etc-rw &&
  cp -a \$r/etc/. /etc-rw/ && mount -o bind /etc-rw \$r/etc ||
  echo "vm: no writable /etc"
mkdir -p \$r$top && mount -o bind /worktree \$r$top
chmod 700 \$r/root
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
mount -t 9p -o "\$o" results \$r$out || { echo "mount results failed"; poweroff -f; }
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
chmod 755 "$ird/init"
(cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
  >"$vm/initramfs.cpio.gz" || fail "initramfs build failed"

# The container rootfs template as one file: copying its ~400 entries one
# by one over 9p costs ~15 s per test under emulation, one tar read ~1 s.
tar -C tests/tmp/rootfs -cf "$vm/rootfs.tar" . || fail "rootfs tar failed"

# A small disk so that the io controller has a device to limit.
rm -f "$vm/disk.img"
truncate -s 16M "$vm/disk.img"

# Software emulation: /dev/kvm on these machines is nested and unusable
# (qemu aborts setting MSRs with -cpu max; with qemu64 the guest hangs
# after SeaBIOS), so KVM is only used when asked for.
accel=${VM_ACCEL:-tcg}
cpu=${VM_CPU:-max}
[ "$accel" = kvm ] && cpu=${VM_CPU:-host}

timeout "$timeout_s" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
  -nographic -no-reboot -m 2048 -smp 2 \
  -kernel "$kernel" -initrd "$vm/initramfs.cpio.gz" \
  -append "console=ttyS0 ${VM_KLOG:-quiet loglevel=3} panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=results,path="$out",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=results,mount_tag=results \
  -drive file="$vm/disk.img",if=virtio,format=raw,cache=unsafe \
  -device virtio-rng-pci -nic none </dev/null >"$log" 2>&1
qrc=$?
[ $qrc -eq 124 ] && fail "VM timed out after ${timeout_s}s (accel $accel)"
[ -f "$out/rc" ] || fail "VM ended (qemu rc $qrc) without test results (accel $accel)"
echo "# cgroup v2 VM: kernel $kver, accel $accel" >&2
cat "$out/tap"
sed 's/^/# /' "$out/stderr" >&2
rc=$(cat "$out/rc")
grep -q '^not ok' "$out/tap" && exit 1
[ "$rc" = 0 ]
