# shellcheck shell=bash disable=SC2154
# The parts the VM lanes share (sourced by tests/vm/run-v2.sh and
# tests/vm/run-systemd.sh): the run directory, the checks before a boot,
# the kernel, the initramfs (busybox, the 9p/virtio modules, the start of
# /init), qemu, and turning what the guest wrote into TAP.
#
# A lane sets `lane` (its name in failure lines), `files` (bats files) and
# `tmpfs_dirs` (the directories of the host's root that get a tmpfs in the
# guest), calls vm_begin, vm_check, vm_kernel, vm_initramfs_begin, appends
# its own part of "$ird/init" (after vm_init_prologue), then
# vm_initramfs_pack, vm_rootfs_tar, vm_qemu and vm_report.

# The run directory: one per run, so that two runs at once (developers
# share a checkout) do not remove each other's results share.
vm_begin() {
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
  top=$PWD
  vm=$top/tests/tmp/vm/run.$$
  out=$vm/out
  log=$vm/console.log
  console_keep=${console_keep:-$top/tests/tmp/vm/console.log}
  trap 'cp -f "$log" "$console_keep" 2>/dev/null
    [ -z "${journal_keep:-}" ] || cp -f "$out/journal" "$journal_keep" 2>/dev/null
    rm -rf "$vm"' EXIT
  minirt=$(realpath -m "${MINIRT:-$top/build/minirt}")
  timeout_s=${VM_TIMEOUT:-${timeout_default:-420}}
  mkdir -p "$vm"
}

vm_fail() { # reason -> the TAP the VM wrote so far, one failing line more,
  # and the console's tail as comments
  local n=0
  if [ -s "$out/tap" ]; then
    grep -v '^1\.\.' "$out/tap"
    n=$(grep -c '^\(not \)\?ok ' "$out/tap")
  fi
  echo "1..$((n + 1))"
  echo "not ok $((n + 1)) $lane: $1"
  [ -f "$log" ] && tail -n 40 "$log" | tr -d '\033' | sed 's/^/# /'
  exit 1
}

# A host path the guest can read: the work tree, or a place no tmpfs
# covers there (the host's root is shared as it is; /run is the guest's
# own in every lane).
vm_reachable() { # path
  local d
  case "$1" in "$top"/*) return 0 ;; esac
  for d in "${tmpfs_dirs[@]}" /run /proc /sys /dev; do
    case "$1" in "$d" | "$d"/*) return 1 ;; esac
  done
  return 0
}

vm_check() {
  local f
  [ "$(id -u)" -eq 0 ] || vm_fail "needs root (qemu 9p export of / as root)"
  ./tests/deps.sh >/dev/null 2>&1 || vm_fail "tests/deps.sh failed"
  [ -x "$minirt" ] || vm_fail "no minirt binary at $minirt (build first)"
  vm_reachable "$minirt" ||
    vm_fail "MINIRT $minirt lies under a directory the VM covers with a tmpfs"
  for f in "${files[@]}"; do
    [ -f "$f" ] || vm_fail "no such bats file: $f"
    vm_reachable "$(realpath -m "$f")" ||
      vm_fail "bats file $f lies under a directory the VM covers with a tmpfs"
  done
  [ -d tests/tmp/rootfs/bin ] || ./tests/lib/make-rootfs.sh tests/tmp/rootfs \
    >/dev/null || vm_fail "make-rootfs.sh failed"
}

# The newest installed kernel that has its modules.
vm_kernel() {
  local k
  kver=""
  for k in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V); do
    [ -f "/lib/modules/$k/modules.dep" ] && kver=$k
  done
  [ -n "$kver" ] || vm_fail "no /boot/vmlinuz-* with /lib/modules (linux-image-amd64)"
  kernel=/boot/vmlinuz-$kver
  moddir=/lib/modules/$kver
}

# Modules in load order, dependencies first (modules.dep lists each
# module's dependencies, the deepest last); built-in ones are skipped.
declare -A vm_seen=()
vm_order=()
vm_add_module() { # name
  local line d i arr
  line=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1)
  [ -n "$line" ] || return 0 # built in (or absent: the mount will say)
  local path=${line%%:*}
  [ -n "${vm_seen[$path]:-}" ] && return 0
  vm_seen[$path]=1
  read -r -a arr <<<"${line#*:}"
  for ((i = ${#arr[@]} - 1; i >= 0; i--)); do
    d=${arr[$i]}
    [ -n "${vm_seen[$d]:-}" ] && continue
    vm_seen[$d]=1
    vm_order+=("$d")
  done
  vm_order+=("$path")
}

# ---- initramfs: busybox, the 9p/virtio modules; /init is the lane's ----
vm_initramfs_begin() {
  local m p
  rm -rf "$vm/initramfs" "$out"
  mkdir -p "$vm/initramfs"/{bin,lib/modules,proc,sys,dev,newroot} "$out"
  ird=$vm/initramfs
  cp "$(command -v busybox)" "$ird/bin/busybox"
  for m in virtio_pci virtio_blk virtio-rng 9pnet_virtio 9p ${extra_modules:-}; do
    vm_add_module "$m"
  done
  : >"$ird/modules"
  for p in "${vm_order[@]}"; do
    case "$p" in *.ko) ;; *) vm_fail "compressed module $p is not supported" ;; esac
    cp "$moddir/$p" "$ird/lib/modules/"
    basename "$p" >>"$ird/modules"
  done
}

# The start of /init, the same in every lane: the host root (read-only)
# at $r, tmpfs on the lane's tmpfs_dirs, a writable copy of /etc, the work
# tree, /root private, the results share at $out.
vm_init_prologue() {
  cat <<EOF
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
for d in ${tmpfs_dirs[*]}; do mount -t tmpfs -o mode=1777 tmpfs \$r\$d; done
EOF
  if [ "${etc_overlay:-0}" = 1 ]; then
    cat <<EOF
# A writable /etc (the host's is never written): an overlay on a tmpfs,
# instant where copying its ~1400 files over 9p costs tens of seconds.
mkdir -p /etc-rw && mount -t tmpfs -o mode=755 tmpfs /etc-rw &&
  mkdir /etc-rw/upper /etc-rw/work && mount -t overlay \\
  -o lowerdir=\$r/etc,upperdir=/etc-rw/upper,workdir=/etc-rw/work overlay \$r/etc ||
  echo "vm: no writable /etc"
EOF
  else
    cat <<EOF
# A writable copy of /etc, so that the rootless tests can add their user
# and its subordinate ranges (the host's /etc is never written).
mkdir -p /etc-rw && mount -t tmpfs -o mode=755 tmpfs /etc-rw &&
  cp -a \$r/etc/. /etc-rw/ && mount -o bind /etc-rw \$r/etc ||
  echo "vm: no writable /etc"
EOF
  fi
  cat <<EOF
mkdir -p \$r$top && mount -o bind /worktree \$r$top
chmod 700 \$r/root
EOF
}

# The results share, once the guest's own mounts are in place.
vm_init_results() {
  cat <<EOF
mount -t 9p -o "\$o" results \$r$out || { echo "mount results failed"; poweroff -f; }
EOF
}

vm_initramfs_pack() {
  chmod 755 "$ird/init"
  (cd "$ird" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
    >"$vm/initramfs.cpio.gz" || vm_fail "initramfs build failed"
}

# The container rootfs template as one file: copying its ~400 entries one
# by one over 9p costs ~15 s per test under emulation, one tar read ~1 s.
vm_rootfs_tar() {
  tar -C tests/tmp/rootfs -cf "$vm/rootfs.tar" . || vm_fail "rootfs tar failed"
}

# Boots the kernel with the initramfs; $1 is added to the kernel command
# line. Sets qrc.
vm_qemu() { # extra-cmdline
  # A small disk so that the io controller has a device to limit.
  rm -f "$vm/disk.img"
  truncate -s 16M "$vm/disk.img"
  # Software emulation: /dev/kvm on these machines is nested and unusable
  # (qemu aborts setting MSRs with -cpu max; with qemu64 the guest hangs
  # after SeaBIOS), so KVM is only used when asked for.
  accel=${VM_ACCEL:-tcg}
  local cpu=${VM_CPU:-max}
  [ "$accel" = kvm ] && cpu=${VM_CPU:-host}
  timeout "$timeout_s" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
    -nographic -no-reboot -m 2048 -smp 2 \
    -kernel "$kernel" -initrd "$vm/initramfs.cpio.gz" \
    -append "console=ttyS0 ${VM_KLOG:-quiet loglevel=3} panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all $1" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev local,id=results,path="$out",security_model=none,multidevs=remap \
    -device virtio-9p-pci,fsdev=results,mount_tag=results \
    -drive file="$vm/disk.img",if=virtio,format=raw,cache=unsafe \
    -device virtio-rng-pci -nic none </dev/null >"$log" 2>&1
  qrc=$?
}

# The guest's TAP on stdout, its stderr as comments; the exit status.
vm_report() { # header line for stderr
  [ $qrc -eq 124 ] && vm_fail "VM timed out after ${timeout_s}s (accel $accel)"
  [ -f "$out/rc" ] || vm_fail "VM ended (qemu rc $qrc) without test results (accel $accel)"
  echo "# $1: kernel $kver, accel $accel" >&2
  cat "$out/tap"
  sed 's/^/# /' "$out/stderr" >&2
  local rc
  rc=$(cat "$out/rc")
  grep -q '^not ok' "$out/tap" && exit 1
  [ "$rc" = 0 ]
}
