#include "linux/exec_ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "linux/procinfo.h"
#include "util/cleanup.h"

static void exec_ns_reset(struct exec_ns *ns) {
  for (int t = 0; t < OCI_NS_COUNT; t++)
    ns->fds[t] = -1;
  ns->pidfd = -1;
  ns->pidfd_flags = 0;
  ns->own_pidns = -1;
  ns->by_path = false;
}

/* Opens the init's namespaces of the config whose type is not in skip and
 * that differ from ours, so joining a namespace we are already in is
 * skipped. Each is looked up once, relative to the two ns directories: a
 * path from / walks /proc/<pid> again for every stat and open. */
static int open_files(pid_t init, const struct oci_config *cfg, unsigned skip,
                      struct exec_ns *ns, struct minirt_error *err) {
  char dir[64];
  snprintf(dir, sizeof dir, "/proc/%d/ns", (int)init);
  _cleanup_close_ int initdir = -1, selfdir = -1;
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++) {
    enum oci_ns_type t = cfg->linux_->namespaces[i].type;
    if (skip & (1u << t))
      continue;
    if (initdir < 0) {
      ns->by_path = true;
      initdir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
      if (initdir < 0)
        return minirt_fail(err, errno, "open `%s`", dir);
      selfdir =
          open("/proc/self/ns", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
    }
    const char *name = ns_proc_name(t);
    _cleanup_close_ int fd = openat(initdir, name, O_RDONLY | O_CLOEXEC);
    struct stat a, b;
    if (fd < 0 || fstat(fd, &a) < 0)
      return minirt_fail(err, errno, "open `%s/%s`", dir, name);
    if (selfdir >= 0 && fstatat(selfdir, name, &b, 0) == 0 &&
        a.st_ino == b.st_ino && a.st_dev == b.st_dev)
      continue;
    if (ns->fds[t] >= 0)
      close(ns->fds[t]);
    ns->fds[t] = steal_fd(&fd);
  }
  return 0;
}

/* A namespace the init made (no path) is not ours by construction, so the
 * pidfd route needs no comparison; user and time namespaces stay on files
 * (the first decides whether we may come back from the pid namespace, the
 * second needs a child with an mm of its own). */
static bool by_pidfd(const struct oci_namespace *n) {
  return n->path == NULL && n->type != OCI_NS_USER && n->type != OCI_NS_TIME;
}

/* 1: the pidfd route is taken and the pid namespace joined; 0: not
 * possible here (no pathless pid namespace, a user namespace, rootless, or
 * a kernel without setns on pidfds), use files. */
static int open_pidfd(pid_t init, uint64_t start_time,
                      const struct oci_config *cfg, bool rootless,
                      struct exec_ns *ns, unsigned *skip,
                      struct minirt_error *err) {
  bool pid = false;
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++) {
    const struct oci_namespace *n = &cfg->linux_->namespaces[i];
    if (n->type == OCI_NS_USER)
      return 0;
    if (n->type == OCI_NS_PID)
      pid = n->path == NULL;
  }
  if (rootless || !pid)
    return 0;
  int ret = proc_pidfd(init, start_time, &ns->pidfd, err);
  if (ret < 0)
    return ret;
  ns->own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (ns->own_pidns < 0)
    return minirt_fail(err, errno, "open `/proc/self/ns/pid`");
  /* The parent's join of the pid namespace doubles as the probe for a
   * kernel that can setns on a pidfd (5.8). */
  if (setns(ns->pidfd, CLONE_NEWPID) < 0) {
    if (errno != EINVAL)
      return minirt_fail(err, errno, "join the container's pid namespace");
    close(ns->pidfd);
    close(ns->own_pidns);
    ns->pidfd = ns->own_pidns = -1;
    return 0;
  }
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++) {
    const struct oci_namespace *n = &cfg->linux_->namespaces[i];
    if (by_pidfd(n)) {
      *skip |= 1u << n->type;
      if (n->type != OCI_NS_PID)
        ns->pidfd_flags |= ns_clone_flag(n->type);
    }
  }
  return 1;
}

int exec_ns_open(pid_t init, uint64_t init_start_time,
                 const struct oci_config *cfg, bool rootless,
                 struct exec_ns *ns, struct minirt_error *err) {
  exec_ns_reset(ns);
  if (cfg->linux_ == NULL || cfg->linux_->n_namespaces == 0)
    return 0;
  unsigned skip = 0;
  int ret = open_pidfd(init, init_start_time, cfg, rootless, ns, &skip, err);
  if (ret >= 0)
    ret = open_files(init, cfg, skip, ns, err);
  if (ret < 0) {
    exec_ns_close(ns, true);
    return ret;
  }
  return 0;
}

int exec_ns_join_pid(struct exec_ns *ns, struct minirt_error *err) {
  if (ns->fds[OCI_NS_PID] < 0 || ns->own_pidns >= 0)
    return 0;
  ns->own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (ns->own_pidns < 0 || setns(ns->fds[OCI_NS_PID], CLONE_NEWPID) < 0)
    return minirt_fail(err, errno, "join the container's pid namespace");
  return 0;
}

int exec_ns_join(struct exec_ns *ns, struct minirt_error *err) {
  /* The user namespace first: it grants the rights to join the others;
   * then the pidfd set; the mount namespace last. Pid was joined by the
   * parent. */
  static const enum oci_ns_type order[] = {
      OCI_NS_USER,    OCI_NS_CGROUP, OCI_NS_IPC,  OCI_NS_UTS,
      OCI_NS_NETWORK, OCI_NS_TIME,   OCI_NS_MOUNT};
  int ret = 0;
  for (size_t i = 0; ret == 0 && i < sizeof order / sizeof order[0]; i++) {
    enum oci_ns_type t = order[i];
    if (t == OCI_NS_CGROUP && ns->pidfd_flags != 0 &&
        setns(ns->pidfd, ns->pidfd_flags) < 0)
      ret = minirt_fail(err, errno,
                        "join the container's namespaces (pidfd of its init)");
    if (ret == 0 && ns->fds[t] >= 0 && setns(ns->fds[t], ns_clone_flag(t)) < 0)
      ret = minirt_fail(err, errno, "join the container's %s namespace",
                        ns_proc_name(t));
  }
  exec_ns_close(ns, false);
  return ret;
}

bool exec_ns_close(struct exec_ns *ns, bool back_to_own_pidns) {
  bool ok = true;
  if (back_to_own_pidns && ns->own_pidns >= 0)
    ok = setns(ns->own_pidns, CLONE_NEWPID) == 0;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (ns->fds[t] >= 0)
      close(ns->fds[t]);
  if (ns->pidfd >= 0)
    close(ns->pidfd);
  if (ns->own_pidns >= 0)
    close(ns->own_pidns);
  exec_ns_reset(ns);
  return ok;
}

bool exec_ns_joins_mount(const struct exec_ns *ns) {
  return ns->fds[OCI_NS_MOUNT] >= 0 || (ns->pidfd_flags & CLONE_NEWNS) != 0;
}
