#!/bin/bash
# The systemd lane: boots Debian's kernel in qemu with the host's root
# shared read-only over 9p (as tests/vm/run-v2.sh, whose parts it shares
# through lib.sh), but with a real systemd as PID 1 on a pure cgroup v2
# hierarchy that systemd mounts itself, and dbus running. A oneshot unit,
# minirt-tests.service (the only job of the boot target minirt-tests.target),
# runs the bats files with MINIRT_SYSTEMD=1 (tests/integration/helpers.bash
# then calls minirt with --systemd-cgroup and gives each container a
# "slice:prefix:name" cgroupsPath in a slice of its own) and powers the VM
# off. Prints their TAP on stdout; exits non-zero when a test failed or the
# VM did not report (then one `not ok` line says why).
#
# usage: tests/vm/run-systemd.sh [bats file...]
#        default: tests/vm/cgroup-v2.bats, tests/integration/{lifecycle,
#        ps,events}.bats, tests/vm/podman-systemd.bats and
#        tests/vm/systemd.bats (when it exists); VM_FILTER, a bats --filter
#        regex, picks tests of them
#        e.g. MINIRT=/work/other-tree/build/minirt \
#             /work/wt/tests/vm/run-systemd.sh /work/other-tree/tests/vm/x.bats
# MINIRT and the bats files may be absolute paths anywhere, relative ones
# are taken from the work tree's top; the guest sees the host's / read-only
# except /tmp, /var, /root and /run (its own tmpfs), so they must not lie
# there unless inside this work tree.
# env:   MINIRT       minirt binary (default build/minirt)
#        VM_TIMEOUT   seconds before the VM is killed (default 900)
#        VM_FILTER    bats --filter for the default files (see above)
#        VM_ACCEL     qemu accelerator (default tcg)
#        VM_KLOG      kernel/systemd log options (default "quiet loglevel=3";
#                     e.g. "systemd.show_status=1" to see each unit start)
#        VM_CMD       a command to run instead of bats (debugging), e.g.
#                     VM_CMD='systemctl list-units --all'
# The console is kept in tests/tmp/vm/console-systemd.log, the journal in
# tests/tmp/vm/journal-systemd.log; the guest's failed units and systemd's
# state are added to the tests' stderr (shown as `#` lines).
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
lane="systemd VM lane"
# /run is left to systemd (it mounts its own tmpfs there); /var is writable
# (journal, /var/lib/containers, /var/lib/systemd).
tmpfs_dirs=(/tmp /var /root)
# /etc as an overlay (the copy run-v2.sh makes costs ~20 s of the boot).
etc_overlay=1
extra_modules=overlay
timeout_default=900
files=("$@")
vm_begin
console_keep=$top/tests/tmp/vm/console-systemd.log
journal_keep=$top/tests/tmp/vm/journal-systemd.log
filter=""
if [ ${#files[@]} -eq 0 ]; then
  # The v2 tests and integration files of the commands whose cgroup is
  # systemd's (create/run/kill/delete, ps, events), all with
  # --systemd-cgroup; then podman with cgroup_manager = "systemd".
  files=(tests/vm/cgroup-v2.bats tests/integration/lifecycle.bats
    tests/integration/ps.bats tests/integration/events.bats
    tests/vm/podman-systemd.bats)
  # The systemd driver's own tests (skipped where the file is not).
  [ -f tests/vm/systemd.bats ] && files+=(tests/vm/systemd.bats)
  filter=${VM_FILTER-}
fi
for i in "${!files[@]}"; do files[i]=$(realpath -m "${files[$i]}"); done
vm_check
vm_kernel
vm_initramfs_begin

# Units that are slow, fail or make no sense in this VM. Most are never
# pulled in by minirt-tests.target; the host enables some in sysinit,
# sockets and timers, which basic.target does pull in. udev: devtmpfs has
# every node the tests use, and its coldplug costs seconds under tcg.
masked="systemd-pstore.service systemd-timesyncd.service systemd-remount-fs.service
systemd-networkd-wait-online.service networking.service systemd-networkd.service
remote-fs.target getty.target serial-getty@ttyS0.service getty@tty1.service
docker.socket docker.service containerd.service podman.socket podman.service
podman-restart.service podman-auto-update.service postgresql.service
apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
e2scrub_reap.service fstrim.timer man-db.timer podman-auto-update.timer
logrotate.timer systemd-tmpfiles-clean.timer
systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service
systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-hwdb-update.service"

mkdir -p "$ird/units"
cat >"$ird/units/minirt-tests.target" <<EOF
[Unit]
Description=minirt systemd VM lane
Requires=basic.target
Wants=minirt-tests.service
After=basic.target
AllowIsolate=yes
EOF
cat >"$ird/units/minirt-tests.service" <<EOF
[Unit]
Description=minirt tests (bats)
Wants=dbus.service
After=basic.target dbus.service systemd-journald.service

[Service]
Type=oneshot
ExecStart=/bin/bash /etc/minirt-vm/tests.sh
TimeoutStartSec=infinity
StandardOutput=journal+console
StandardError=journal+console
# tests.sh powers off itself with sysrq (SuccessAction=poweroff-force had
# not ended the VM 2 minutes later); this is for when it could not.
FailureAction=poweroff-force
EOF

# The tests, as the service runs them (written here, where the variables
# are known; quoted for the guest's bash).
bats_cmd="bats --tap"
[ -z "$filter" ] || bats_cmd+=" --filter $(printf '%q' "$filter")"
for f in "${files[@]}"; do bats_cmd+=" $(printf '%q' "$f")"; done
cat >"$ird/tests.sh" <<EOF
#!/bin/bash
# minirt-tests.service: the bats files, their TAP and status to the
# results share, some diagnostics, then powers the VM off (sysrq).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8
export MINIRT=$(printf '%q' "$minirt") MINIRT_VM=1 MINIRT_SYSTEMD=1
export ROOTFS_TEMPLATE=/tmp/vm-rootfs BATS_TEST_NAME_PREFIX="systemd VM: "
out=$(printf '%q' "$out")
echo "vm: systemd \$(systemctl is-system-running) at \$(cut -d" " -f1 /proc/uptime)s, running tests" >/dev/console
cd $(printf '%q' "$top") &&
  mkdir /tmp/vm-rootfs && tar -C /tmp/vm-rootfs -xpf $(printf '%q' "$vm/rootfs.tar") &&
  ${VM_CMD:-$bats_cmd} >\$out/tap 2>\$out/stderr
echo \$? >\$out/rc.tmp
{
  echo "failed units: \$(systemctl --failed --no-legend --plain | awk '{print \$1}' | tr '\n' ' ')"
  echo "systemd: \$(systemctl is-system-running)"
} >>\$out/stderr 2>&1
journalctl -b -o short-monotonic --no-pager >\$out/journal 2>&1
mv \$out/rc.tmp \$out/rc
sync
echo "vm: done at \$(cut -d" " -f1 /proc/uptime)s" >/dev/console
echo o >/proc/sysrq-trigger
EOF

{
  cat <<EOF
#!/bin/busybox sh
# The VM's first process: mounts the host root (read-only) with writable
# /tmp, /var, /root and /etc, adds the test units, and hands PID 1 to
# systemd, which mounts /run, /sys/fs/cgroup (v2 only), /dev/pts...
EOF
  vm_init_prologue
  cat <<EOF
chmod 755 \$r/var
mkdir -p \$r/var/lib \$r/var/log \$r/var/cache \$r/var/spool \$r/var/tmp
chmod 1777 \$r/var/tmp
ln -s /run \$r/var/run
ln -s /run/lock \$r/var/lock
# Its own machine id (dbus, journald and podman read it).
cat /proc/sys/kernel/random/uuid | tr -d - >\$r/etc/machine-id
u=\$r/etc/systemd/system
cp /units/* \$u/
for m in ${masked//$'\n'/ }; do rm -f \$u/\$m; ln -s /dev/null \$u/\$m; done
mkdir -p \$r/etc/minirt-vm && cp /tests.sh \$r/etc/minirt-vm/tests.sh
EOF
  vm_init_results
  cat <<EOF
echo "vm: booted \$(uname -r) at \$(cut -d" " -f1 /proc/uptime)s, starting systemd"
mount --move /dev \$r/dev
mount --move /sys \$r/sys
mount --move /proc \$r/proc
# The host's root has a /.dockerenv: systemd would take the VM for a
# container and ignore the kernel command line (systemd.unit=). An empty
# \$container tells PID 1 that it is not in one.
export container=
exec switch_root \$r /lib/systemd/systemd
EOF
} >"$ird/init"
vm_initramfs_pack
vm_rootfs_tar
vm_qemu "systemd.unit=minirt-tests.target"
vm_report "systemd VM"
