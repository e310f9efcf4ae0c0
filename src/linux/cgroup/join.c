/* Putting a new process into its cgroup without the kernel's slow path.
 *
 * Writing a pid to cgroup.procs takes cgroup_threadgroup_rwsem for writing,
 * and on its first use after a quiet spell that waits for an RCU grace
 * period: 10-20 ms on this kind of host, more than the rest of `run`
 * together. Two ways skip the lock (a kernel that still takes it for the
 * first is only slower, not wrong):
 *  - cgroup v1: a single-threaded process writing "0" (itself) to `tasks`;
 *  - cgroup v2: clone3(CLONE_INTO_CGROUP), the child is born in the cgroup;
 *    also exec's child that shares our memory (cgroup_join_clone_vm), whose
 *    write to cgroup.procs made every exec on a quiet v2 host wait ~12 ms.
 * The parent opens everything before the clone, so the child needs no path
 * lookup and the files were opened with the runtime's credentials (the
 * kernel checks the opener's). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/cgroup/internal.h"
#include "util/clone_vm.h"
#include "util/cleanup.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

void cgroup_join_init(struct cgroup_join *j) {
  j->n_tasks = 0;
  j->v2_dir = -1;
  j->v2_done = false;
}

void cgroup_join_close(struct cgroup_join *j) {
  for (size_t i = 0; i < j->n_tasks; i++)
    close(j->tasks[i]);
  j->n_tasks = 0;
  if (j->v2_dir >= 0)
    close(j->v2_dir);
  j->v2_dir = -1;
}

static int open_tasks(const char *mnt, const char *path, int *out,
                      struct minirt_error *err) {
  char file[PATH_MAX];
  if (snprintf(file, sizeof file, "%s%s/tasks", mnt, path) >= (int)sizeof file)
    return minirt_fail_msg(err, ENAMETOOLONG, "cgroup path `%s`", path);
  *out = open(file, O_WRONLY | O_CLOEXEC);
  if (*out < 0)
    return minirt_fail(err, errno, "open `%s`", file);
  return 0;
}

int cgroup_join_open(const char *path, struct cgroup_join *j,
                     struct minirt_error *err) {
  const struct cgroup_layout *l;
  cgroup_join_init(j);
  if (path == NULL)
    return 0; /* no cgroup (rootless): clone and join nothing */
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  if (path == NULL || path[0] != '/')
    return minirt_fail_msg(err, EINVAL, "invalid cgroup path `%s`",
                           path != NULL ? path : "(null)");
  if (l->n > CGROUP_JOIN_MAX)
    return minirt_fail_msg(err, E2BIG, "too many cgroup hierarchies (%zu)",
                           l->n);
  for (size_t i = 0; i < l->n; i++) {
    ret = open_tasks(l->h[i].mountpoint, path, &j->tasks[j->n_tasks], err);
    if (ret < 0) {
      cgroup_join_close(j);
      return ret;
    }
    j->n_tasks++;
  }
  if (l->v2 != NULL) {
    ret = cgroup_open_dir(l->v2, path, &j->v2_dir, err);
    if (ret < 0) {
      cgroup_join_close(j);
      return ret;
    }
  }
  return 0;
}

pid_t cgroup_join_clone(struct cgroup_join *j, uint64_t flags) {
  j->v2_done = false;
  if (j->v2_dir >= 0) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)j->v2_dir;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid >= 0) {
      j->v2_done = true;
      return (pid_t)pid;
    }
    /* Older kernels: no clone3 (ENOSYS) or no cgroup field (E2BIG). */
    if (errno != ENOSYS && errno != E2BIG)
      return -1;
  }
  return (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL,
                        NULL, NULL);
}

pid_t cgroup_join_clone_vm(struct cgroup_join *j, int (*fn)(void *), void *arg,
                           void *stack, size_t stack_size) {
  /* Set first: the child runs, in our memory, before clone returns. */
  j->v2_done = j->v2_dir >= 0;
  if (j->v2_done) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.stack = (uint64_t)(uintptr_t)stack;
    args.stack_size = stack_size;
    args.cgroup = (uint64_t)j->v2_dir;
    pid_t pid = clone3_on_stack(&args, fn, arg);
    if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
      return pid;
    j->v2_done = false;
  }
  return clone(fn, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD,
               arg);
}

/* Only on the error path: the name of what fd was opened as. */
static int fail_on_fd(struct minirt_error *err, int e, int fd) {
  char link[64], name[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, name, sizeof name - 1);
  name[n > 0 ? n : 0] = '\0';
  /* v1 cpuset refuses tasks while its cpus or mems are unset. */
  if (e == ENOSPC && strstr(name, "cpuset") != NULL)
    return minirt_fail(err, e,
                       "join cgroup: write `%s` (are its cpuset.cpus "
                       "and cpuset.mems set?)",
                       name);
  return minirt_fail(err, e, "join cgroup: write `%s`", name);
}

int cgroup_join_self(struct cgroup_join *j, struct minirt_error *err) {
  for (size_t i = 0; i < j->n_tasks; i++)
    if (write(j->tasks[i], "0", 1) != 1)
      return fail_on_fd(err, errno, j->tasks[i]);
  if (j->v2_dir >= 0 && !j->v2_done) {
    _cleanup_close_ int procs =
        openat(j->v2_dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (procs < 0 || write(procs, "0", 1) != 1)
      return minirt_fail(err, errno, "join cgroup (v2 `cgroup.procs`)");
  }
  return 0;
}
