# Turns the benchmark's base config into the container podman 4.3.1 makes
# for `podman run IMAGE CMD` as root with the defaults of containers.conf
# (compared field by field with the config.json podman writes itself).
# Arguments: $seccomp (from bench/podman-seccomp.sh), $nofile (the
# RLIMIT_NOFILE podman sets, 1048576, or less where the caller cannot raise
# its hard limit that far), $files (a directory with the hostname, hosts,
# resolv.conf and .containerenv files podman bind-mounts).
#
# Differences from podman, on purpose: /dev/shm is a tmpfs of the runtime
# instead of a bind of a tmpfs podman mounted, the network namespace is a
# new empty one instead of a path podman set up, and the cgroup path is the
# benchmark's.
def caps: ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
  "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID",
  "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"];
def bind($src; $dst): {destination: $dst, type: "bind", source: $src,
  options: ["bind", "rprivate"]};

.root.readonly = false
| .hostname = "@ID@"
| .process.user = {uid: 0, gid: 0, umask: 18}
| .process.cwd = "/"
| .process.env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "TERM=xterm", "HOME=/root", "HOSTNAME=@ID@"]
| .process.capabilities = {bounding: caps, effective: caps, permitted: caps}
| del(.process.noNewPrivileges)
| .process.rlimits = [
    {type: "RLIMIT_NOFILE", hard: $nofile, soft: $nofile},
    {type: "RLIMIT_NPROC", hard: 32768, soft: 32768}]
| .mounts = [
    {destination: "/proc", type: "proc", source: "proc",
     options: ["nosuid", "noexec", "nodev"]},
    {destination: "/dev", type: "tmpfs", source: "tmpfs",
     options: ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/sys", type: "sysfs", source: "sysfs",
     options: ["nosuid", "noexec", "nodev", "ro"]},
    {destination: "/dev/pts", type: "devpts", source: "devpts",
     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
     options: ["nosuid", "noexec", "nodev"]},
    {destination: "/dev/shm", type: "tmpfs", source: "shm",
     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    bind($files + "/containerenv"; "/run/.containerenv"),
    bind($files + "/hostname"; "/etc/hostname"),
    bind($files + "/resolv.conf"; "/etc/resolv.conf"),
    bind($files + "/hosts"; "/etc/hosts"),
    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
     options: ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]}]
| .annotations = {"io.container.manager": "libpod",
    "io.podman.annotations.autoremove": "FALSE",
    "io.podman.annotations.init": "FALSE",
    "io.podman.annotations.privileged": "FALSE",
    "io.podman.annotations.publish-all": "FALSE",
    "org.opencontainers.image.stopSignal": "15"}
| .linux.sysctl = {"net.ipv4.ping_group_range": "0 0"}
| .linux.resources = {devices: [{allow: false, access: "rwm"}], pids: {limit: 2048}}
| .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"},
    {type: "uts"}, {type: "mount"}]
| .linux.maskedPaths = ["/proc/acpi", "/proc/kcore", "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
    "/sys/dev/block"]
| .linux.readonlyPaths = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
    "/proc/sys", "/proc/sysrq-trigger"]
| .linux.seccomp = $seccomp
