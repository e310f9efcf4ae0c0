#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_clone_flag(enum oci_ns_type t) {
  switch (t) {
  case OCI_NS_PID: return CLONE_NEWPID;
  case OCI_NS_NETWORK: return CLONE_NEWNET;
  case OCI_NS_MOUNT: return CLONE_NEWNS;
  case OCI_NS_IPC: return CLONE_NEWIPC;
  case OCI_NS_UTS: return CLONE_NEWUTS;
  case OCI_NS_USER: return CLONE_NEWUSER;
  case OCI_NS_CGROUP: return CLONE_NEWCGROUP;
  case OCI_NS_TIME: return CLONE_NEWTIME;
  default: return 0;
  }
}

const char *ns_proc_name(enum oci_ns_type t) {
  static const char *const names[OCI_NS_COUNT] = {
      [OCI_NS_PID] = "pid",   [OCI_NS_NETWORK] = "net",
      [OCI_NS_MOUNT] = "mnt", [OCI_NS_IPC] = "ipc",
      [OCI_NS_UTS] = "uts",   [OCI_NS_USER] = "user",
      [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time"};
  return (unsigned)t < OCI_NS_COUNT ? names[t] : "?";
}

int ns_plan_make(const struct oci_config *cfg, struct ns_plan *plan,
                 struct minirt_error *err) {
  memset(plan, 0, sizeof *plan);
  for (int i = 0; i < OCI_NS_COUNT; i++)
    plan->path_fd[i] = -1;
  if (cfg->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++) {
    const struct oci_namespace *ns = &cfg->linux_->namespaces[i];
    plan->wanted[ns->type] = true;
    if (ns->path != NULL) {
      int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        int e = errno;
        ns_plan_release(plan);
        return minirt_fail(err, e, "linux.namespaces[%zu]: open `%s`", i,
                           ns->path);
      }
      plan->path_fd[ns->type] = fd;
    } else if (ns->type == OCI_NS_TIME) {
      plan->new_time = true;
    } else {
      plan->new_flags |= ns_clone_flag(ns->type);
    }
  }
  return 0;
}

void ns_plan_release(struct ns_plan *plan) {
  for (int i = 0; i < OCI_NS_COUNT; i++) {
    if (plan->path_fd[i] >= 0)
      close(plan->path_fd[i]);
    plan->path_fd[i] = -1;
  }
}

static int join_one(struct ns_plan *plan, enum oci_ns_type t,
                    struct minirt_error *err) {
  if (plan->path_fd[t] < 0)
    return 0;
  if (setns(plan->path_fd[t], ns_clone_flag(t)) < 0) {
    int e = errno;
    /* The plan keeps only the fd: name the file the user gave. */
    char link[64], target[PATH_MAX] = "?";
    snprintf(link, sizeof link, "/proc/self/fd/%d", plan->path_fd[t]);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n > 0)
      target[n] = '\0';
    return minirt_fail(err, e, "join %s namespace `%s`", ns_proc_name(t),
                       target);
  }
  close(plan->path_fd[t]);
  plan->path_fd[t] = -1;
  return 0;
}

int ns_join_paths(struct ns_plan *plan, struct minirt_error *err) {
  /* The user namespace first: it decides what the others may do. */
  int ret = join_one(plan, OCI_NS_USER, err);
  if (ret < 0)
    return ret;
  for (int t = 0; t < OCI_NS_COUNT; t++) {
    if (t == OCI_NS_USER || t == OCI_NS_PID)
      continue;
    ret = join_one(plan, t, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

int ns_write_time_offsets(const struct oci_config *cfg,
                          struct minirt_error *err) {
  const struct oci_linux *l = cfg->linux_;
  if (l == NULL || !l->has_time_offsets)
    return 0;
  char buf[256];
  int n = 0;
  if (l->has_monotonic)
    n += snprintf(buf + n, sizeof buf - (size_t)n, "monotonic %" PRId64 " %" PRIu32 "\n",
                  l->time_monotonic.secs, l->time_monotonic.nanosecs);
  if (l->has_boottime)
    n += snprintf(buf + n, sizeof buf - (size_t)n, "boottime %" PRId64 " %" PRIu32 "\n",
                  l->time_boottime.secs, l->time_boottime.nanosecs);
  if (n == 0)
    return 0;
  /* One offset per write: the kernel parses a line per call. */
  char *save = NULL;
  for (char *line = strtok_r(buf, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    int ret = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line,
                            strlen(line), err);
    if (ret < 0)
      return ret;
  }
  return 0;
}
