/* The floor of bench/bench.sh: the kernel calls that the default spec of
 * `minirt spec` asks of any runtime, and nothing else. No config file is
 * read, no state is kept, nothing is checked that the kernel does not check
 * itself. A runtime's `run` of that spec cannot cost less than this program;
 * the benchmark reports minirt's `run` divided by it.
 *
 *   floor --root DIR run --bundle DIR ID     (the runtimes' command line;
 *                                             --root and --bundle are ignored)
 *   floor --root DIR delete --force ID       (does nothing: no state is kept)
 *
 * Environment (set by bench.sh once, so that finding them is not timed):
 *   FLOOR_ROOTFS  the rootfs (the bundle's root.path; made read-only)
 *   FLOOR_CGROUP  the parent cgroup, relative to each hierarchy; the
 *                 container's cgroup is FLOOR_CGROUP/ID
 *   FLOOR_HIER    the cgroup hierarchies, space-separated mount points
 *                 (cgroup v1) or the one cgroup2 mount point
 *
 * What it does, in the order a runtime must: mkdir of the cgroup in every
 * hierarchy (cpuset.cpus/mems copied on v1, the default device rules on v1
 * devices), clone with the spec's namespaces (born in the cgroup on v2; on v1
 * the child writes 0 into each `tasks`), a new cgroup namespace, the rootfs
 * bound onto itself, the spec's six mounts, the default devices and /dev
 * links, pivot_root, the old root detached, the masked and read-only paths,
 * the root remounted read-only, sethostname, RLIMIT_NOFILE, the capability
 * sets, no_new_privs, execve of /bin/true; then the parent waits and removes
 * the cgroups. Any failure ends it with status 1 and a message. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#define MAX_HIER 32

static void die(const char *what, const char *obj)
{
	fprintf(stderr, "floor: %s `%s`: %s\n", what, obj, strerror(errno));
	_exit(1);
}

static void write_file(int dirfd, const char *name, const char *val)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) < 0)
		die("write", name);
	close(fd);
}

/* On v1 a new cpuset is empty and nobody may join it: copy the parent's. */
static void cpuset_fill(int dirfd)
{
	static const char *files[] = {"cpuset.cpus", "cpuset.mems"};
	for (int i = 0; i < 2; i++) {
		char buf[256];
		int fd = openat(dirfd, files[i], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (n < 0)
			die("read", files[i]);
		close(fd);
		if (n > 1)
			continue;
		int pfd = openat(dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fd = pfd < 0 ? -1 : openat(pfd, files[i], O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
		if (n < 0)
			die("read parent", files[i]);
		close(fd);
		close(pfd);
		buf[n] = 0;
		write_file(dirfd, files[i], buf);
	}
}

static int mkdir_cgroup(const char *hier, const char *rel, int v1)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", hier, rel);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("mkdir", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("open", path);
	if (v1 && strstr(hier, "cpuset"))
		cpuset_fill(fd);
	return fd;
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags,
		const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die("mount", dst);
}

static void mkdir_mnt(const char *src, const char *dst, const char *type, unsigned long flags,
		      const char *data)
{
	if (mkdir(dst, 0755) < 0 && errno != EEXIST)
		die("mkdir", dst);
	mnt(src, dst, type, flags, data);
}

/* The child: from the cgroup join to execve. Paths are relative to the
 * rootfs (the working directory) until pivot_root. */
static void child(const char *rootfs, int *tasks, int ntasks)
{
	for (int i = 0; i < ntasks; i++)
		if (write(tasks[i], "0", 1) < 0)
			die("join", "tasks");
	if (unshare(CLONE_NEWCGROUP) < 0)
		die("unshare", "cgroup");
	mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die("chdir", rootfs);
	mnt("proc", "proc", "proc", 0, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	mkdir_mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mkdir_mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
		  "mode=1777,size=65536k");
	mkdir_mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mnt("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);

	static const struct {
		const char *name;
		unsigned maj, min;
	} devs[] = {{"dev/null", 1, 3},	   {"dev/zero", 1, 5}, {"dev/full", 1, 7},
		    {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
	umask(0);
	for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
		if (mknod(devs[i].name, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0)
			die("mknod", devs[i].name);
	static const char *links[][2] = {{"/proc/self/fd", "dev/fd"},
					 {"/proc/self/fd/0", "dev/stdin"},
					 {"/proc/self/fd/1", "dev/stdout"},
					 {"/proc/self/fd/2", "dev/stderr"},
					 {"pts/ptmx", "dev/ptmx"}};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die("symlink", links[i][1]);

	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root", rootfs);
	mnt(NULL, ".", NULL, MS_REC | MS_SLAVE, NULL);
	if (umount2(".", MNT_DETACH) < 0)
		die("umount", "old root");
	if (chdir("/") < 0)
		die("chdir", "/");

	static const char *ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
				   "/proc/sysrq-trigger"};
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
		if (mount(ro[i], ro[i], NULL, MS_BIND | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			die("mount", ro[i]);
		}
		mnt(NULL, ro[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, NULL);
	}
	static const char *masked[] = {"/proc/acpi",	      "/proc/asound",	"/proc/kcore",
				       "/proc/keys",	      "/proc/latency_stats", "/proc/timer_list",
				       "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
				       "/proc/scsi"};
	for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
		struct stat st;
		if (lstat(masked[i], &st) < 0) {
			if (errno == ENOENT)
				continue;
			die("stat", masked[i]);
		}
		if (S_ISDIR(st.st_mode))
			mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0,mode=555");
		else
			mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	mnt(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	if (sethostname("minirt", 6) < 0)
		die("sethostname", "minirt");
	struct rlimit rl = {1024, 1024};
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit", "RLIMIT_NOFILE");

	/* Capabilities: AUDIT_WRITE, KILL, NET_BIND_SERVICE in bounding,
	 * effective and permitted (ambient and inheritable empty). */
	uint64_t keep = (1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) |
			(1ULL << CAP_NET_BIND_SERVICE);
	for (int c = 0; c <= 63; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			die("drop", "bounding set");
		}
	}
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {
		{(uint32_t)keep, (uint32_t)keep, 0}, {(uint32_t)(keep >> 32), (uint32_t)(keep >> 32), 0}};
	if (syscall(SYS_capset, &hdr, data) < 0)
		die("capset", "container");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("prctl", "no_new_privs");
	char *argv[] = {"/bin/true", NULL};
	char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm", "HOME=/root", NULL};
	execve(argv[0], argv, envp);
	die("execve", argv[0]);
}

static void devices_rules(int dirfd)
{
	static const char *allow[] = {"c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
				      "c 1:9 rwm", "c 5:0 rwm", "c 5:2 rwm", "c 136:* rwm"};
	write_file(dirfd, "devices.deny", "a");
	for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
		write_file(dirfd, "devices.allow", allow[i]);
}

int main(int argc, char **argv)
{
	const char *rootfs = getenv("FLOOR_ROOTFS"), *parent = getenv("FLOOR_CGROUP");
	char *hiers = getenv("FLOOR_HIER");
	/* The benchmark's clean-up after a failed run calls `delete --force
	 * ID`: the floor keeps no state (bench.sh removes its cgroups). */
	int run = 0;
	for (int i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "delete") == 0)
			return 0;
		if (strcmp(argv[i], "run") == 0)
			run = 1;
	}
	if (!run) {
		fprintf(stderr, "floor: only `run` and `delete` are known\n");
		return 2;
	}
	if (!rootfs || !parent || !hiers) {
		fprintf(stderr, "floor: usage: FLOOR_ROOTFS=… FLOOR_CGROUP=… FLOOR_HIER=… "
				"floor [--root DIR] run [--bundle DIR] ID\n");
		return 2;
	}
	const char *id = argv[argc - 1];
	char rel[1024];
	snprintf(rel, sizeof rel, "%s/%s", parent, id);

	char *hier[MAX_HIER], *save = NULL;
	int nh = 0;
	for (char *h = strtok_r(hiers, " ", &save); h && nh < MAX_HIER; h = strtok_r(NULL, " ", &save))
		hier[nh++] = h;
	struct statfs sfs;
	int v2 = nh == 1 && statfs(hier[0], &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;

	int tasks[MAX_HIER], cgfd = -1;
	for (int i = 0; i < nh; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", hier[i], parent);
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("mkdir", p);
		if (!v2 && strstr(hier[i], "cpuset")) {
			int pfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (pfd < 0)
				die("open", p);
			cpuset_fill(pfd);
			close(pfd);
		}
		int fd = mkdir_cgroup(hier[i], rel, !v2);
		if (v2) {
			cgfd = fd;
			continue;
		}
		if (strstr(hier[i], "devices"))
			devices_rules(fd);
		tasks[i] = openat(fd, "tasks", O_WRONLY | O_CLOEXEC);
		if (tasks[i] < 0)
			die("open tasks in", hier[i]);
		close(fd);
	}

	struct clone_args ca = {0};
	ca.flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;
	ca.exit_signal = SIGCHLD;
	if (v2) {
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgfd;
	}
	long pid = syscall(SYS_clone3, &ca, sizeof ca);
	if (pid < 0)
		die("clone3", id);
	if (pid == 0)
		child(rootfs, tasks, v2 ? 0 : nh);

	int st;
	if (waitpid((pid_t)pid, &st, 0) < 0)
		die("wait", id);
	for (int i = 0; i < nh; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", hier[i], rel);
		if (rmdir(p) < 0)
			die("rmdir", p);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "floor: container %s ended with status %#x\n", id, st);
		return 1;
	}
	return 0;
}
