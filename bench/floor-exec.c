/* The kernel calls of `exec ID /bin/true` into a running container of the
 * default spec, and nothing else: open the init's five namespaces, setns
 * into each, fork, join the container's v1 cgroups from the child (writing
 * 0 into each `tasks`, opened before the fork), the spec's RLIMIT_NOFILE,
 * bounding set, capabilities and no_new_privs, execve /bin/true, wait. Not
 * run by bench.sh (it needs a running container's pid); used by hand for
 * docs/benchmarks.md ("Where exec's time goes"):
 *
 *   cc -O2 -o /tmp/floor-exec bench/floor-exec.c
 *   HIER="/sys/fs/cgroup/cpu /sys/fs/cgroup/memory …" \
 *     /tmp/floor-exec PID CGROUP-PATH-RELATIVE-TO-EACH-HIERARCHY
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *hiers = getenv("HIER"), *save = NULL, p[4096];
	if (argc != 3 || hiers == NULL) {
		fprintf(stderr, "usage: HIER='dir …' floor-exec PID CGROUP\n");
		return 2;
	}
	static const char *ns[] = {"ipc", "uts", "net", "pid", "mnt"};
	int nsfd[5], tfd[32], nt = 0;
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "/proc/%s/ns/%s", argv[1], ns[i]);
		if ((nsfd[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
			perror(p);
			return 1;
		}
	}
	for (char *h = strtok_r(hiers, " ", &save); h && nt < 32; h = strtok_r(NULL, " ", &save)) {
		snprintf(p, sizeof p, "%s/%s/tasks", h, argv[2]);
		if ((tfd[nt++] = open(p, O_WRONLY | O_CLOEXEC)) < 0) {
			perror(p);
			return 1;
		}
	}
	for (int i = 0; i < 5; i++)
		if (setns(nsfd[i], 0) < 0) {
			perror(ns[i]);
			return 1;
		}
	pid_t c = fork();
	if (c < 0) {
		perror("fork");
		return 1;
	}
	if (c == 0) {
		for (int i = 0; i < nt; i++)
			if (write(tfd[i], "0", 1) < 0)
				_exit(126);
		if (chdir("/") < 0)
			_exit(126);
		struct rlimit rl = {1024, 1024};
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(126);
		uint64_t keep = (1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_KILL) |
				(1ULL << CAP_NET_BIND_SERVICE);
		for (int cap = 0; cap <= 63; cap++)
			if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
				break; /* EINVAL: past the last capability */
		struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2] = {{(uint32_t)keep, (uint32_t)keep, 0}, {0, 0, 0}};
		if (syscall(SYS_capset, &hdr, d) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(126);
		char *a[] = {"/bin/true", NULL};
		char *e[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			     "TERM=xterm", "HOME=/root", NULL};
		execve(a[0], a, e);
		_exit(127);
	}
	int st;
	if (waitpid(c, &st, 0) < 0) {
		perror("wait");
		return 1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}
