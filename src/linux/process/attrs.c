/* Process attributes applied before the identity switch: rlimits,
 * oom_score_adj, scheduler, I/O priority, CPU affinity, personality, memory
 * policy and the LSM labels for the next execve. */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <linux/mempolicy.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/process/process.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif

struct name_value {
  const char *name;
  unsigned long value;
};

static int lookup(const struct name_value *t, size_t n, const char *name,
                  unsigned long *out) {
  for (size_t i = 0; name != NULL && i < n; i++)
    if (strcmp(t[i].name, name) == 0) {
      *out = t[i].value;
      return 0;
    }
  return -1;
}
#define LOOKUP(t, name, out) lookup(t, sizeof(t) / sizeof(t[0]), name, out)

int process_apply_rlimits(const struct oci_process *p,
                          struct minirt_error *err) {
  for (size_t i = 0; i < p->n_rlimits; i++) {
    const struct oci_rlimit *r = &p->rlimits[i];
    struct rlimit lim = {(rlim_t)r->soft, (rlim_t)r->hard};
    if (r->resource < 0)
      return minirt_fail_msg(err, EINVAL, "unsupported: process.rlimits: `%s`",
                             r->type);
    if (prlimit(0, (__rlimit_resource_t)r->resource, &lim, NULL) < 0)
      return minirt_fail(err, errno,
                         "set rlimit `%s` to soft %llu hard %llu", r->type,
                         (unsigned long long)r->soft,
                         (unsigned long long)r->hard);
  }
  return 0;
}

/* /proc must be a procfs, and the file must be reached without a symlink
 * leaving it or a mount hiding part of it (an attacker-controlled rootfs
 * could put either there). */
int process_open_proc_file(const char *file, int flags,
                           struct minirt_error *err) {
  _cleanup_close_ int proc =
      open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (proc < 0)
    return minirt_fail(err, errno, "open `/proc`");
  struct statfs sfs;
  if (fstatfs(proc, &sfs) < 0)
    return minirt_fail(err, errno, "statfs `/proc`");
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return minirt_fail_msg(err, EINVAL, "`/proc` is not a procfs");
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
                         .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
                                    RESOLVE_NO_XDEV};
  int fd = (int)syscall(SYS_openat2, proc, file, &how, sizeof(how));
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    /* No openat2 (or a seccomp policy refusing it): check the result. */
    fd = openat(proc, file, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
    if (fd >= 0 && (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)) {
      close(fd);
      return minirt_fail_msg(err, EINVAL, "`/proc/%s` is not on procfs",
                             file);
    }
  }
  if (fd < 0)
    return minirt_fail(err, errno, "open `/proc/%s`", file);
  return fd;
}

int process_write_proc_file(const char *file, const char *data,
                            struct minirt_error *err) {
  _cleanup_close_ int fd = process_open_proc_file(file, O_WRONLY, err);
  if (fd < 0)
    return fd;
  ssize_t n;
  do
    n = write(fd, data, strlen(data));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return minirt_fail(err, errno, "write `%s` to `/proc/%s`", data, file);
  return 0;
}

static int apply_oom_score_adj(const struct oci_process *p,
                               struct minirt_error *err) {
  if (!(p->present & OCI_PROC_OOM_SCORE_ADJ))
    return 0;
  char buf[32];
  snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
  return process_write_proc_file("self/oom_score_adj", buf, err);
}

struct sched_attr_v1 { /* struct sched_attr of the kernel uapi, size 56 */
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};

static int apply_scheduler(const struct oci_scheduler *s,
                           struct minirt_error *err) {
  static const struct name_value policies[] = {
      {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1},  {"SCHED_RR", 2},
      {"SCHED_BATCH", 3}, {"SCHED_ISO", 4},   {"SCHED_IDLE", 5},
      {"SCHED_DEADLINE", 6},
  };
  static const struct name_value flags[] = {
      {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
      {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
      {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
      {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
  };
  if (s == NULL)
    return 0;
  struct sched_attr_v1 a = {.size = sizeof(a)};
  unsigned long v;
  if (LOOKUP(policies, s->policy, &v) < 0)
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: process.scheduler.policy: `%s`",
                           s->policy ? s->policy : "(null)");
  a.sched_policy = (uint32_t)v;
  for (size_t i = 0; i < s->flags.n; i++) {
    if (LOOKUP(flags, s->flags.v[i], &v) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "unsupported: process.scheduler.flags: `%s`",
                             s->flags.v[i]);
    a.sched_flags |= v;
  }
  a.sched_nice = s->nice;
  a.sched_priority = (uint32_t)s->priority;
  a.sched_runtime = s->runtime;
  a.sched_deadline = s->deadline;
  a.sched_period = s->period;
  if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
    return minirt_fail(err, errno, "set scheduler `%s`", s->policy);
  return 0;
}

static int apply_io_priority(const struct oci_io_priority *io,
                             struct minirt_error *err) {
  static const struct name_value classes[] = {
      {"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
      {"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
      {"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
  };
  if (io == NULL)
    return 0;
  unsigned long cls;
  if (LOOKUP(classes, io->class_, &cls) < 0)
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: process.ioPriority.class: `%s`",
                           io->class_ ? io->class_ : "(null)");
  if (io->priority < 0 || io->priority > 7)
    return minirt_fail_msg(err, EINVAL,
                           "process.ioPriority.priority: %d is not in 0..7",
                           io->priority);
  int prio = (int)((cls << IOPRIO_CLASS_SHIFT) | (unsigned)io->priority);
  if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
    return minirt_fail(err, errno, "set I/O priority `%s` %d", io->class_,
                       io->priority);
  return 0;
}

int process_set_affinity(const char *list, const char *what,
                         struct minirt_error *err) {
  /* Large enough for any machine the kernel supports by default. */
  enum { MAX_CPUS = 8192 };
  size_t size = CPU_ALLOC_SIZE(MAX_CPUS);
  cpu_set_t *set = CPU_ALLOC(MAX_CPUS);
  if (set == NULL)
    return minirt_fail(err, ENOMEM, "%s", what);
  int ret = process_parse_id_list(list, (unsigned long *)set, MAX_CPUS, what,
                                  err);
  if (ret == 0 && sched_setaffinity(0, size, set) < 0)
    ret = minirt_fail(err, errno, "%s: set CPU affinity `%s`", what, list);
  CPU_FREE(set);
  return ret;
}

int process_apply_sched(const struct oci_process *p,
                        struct minirt_error *err) {
  int ret;
  if ((ret = apply_oom_score_adj(p, err)) < 0 ||
      (ret = apply_scheduler(p->scheduler, err)) < 0 ||
      (ret = apply_io_priority(p->io_priority, err)) < 0)
    return ret;
  if (p->exec_cpu_affinity != NULL && p->exec_cpu_affinity->initial != NULL)
    return process_set_affinity(p->exec_cpu_affinity->initial,
                                "process.execCPUAffinity.initial", err);
  return 0;
}

int process_apply_personality(const struct oci_linux *lx,
                              struct minirt_error *err) {
  static const struct name_value domains[] = {
      {"LINUX", PER_LINUX},
      {"LINUX32", PER_LINUX32},
  };
  static const struct name_value flags[] = {
      {"UNAME26", UNAME26},
      {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
      {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
      {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
      {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
      {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
      {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
      {"SHORT_INODE", SHORT_INODE},
      {"WHOLE_SECONDS", WHOLE_SECONDS},
      {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
      {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
  };
  if (lx == NULL || lx->personality == NULL)
    return 0;
  const struct oci_personality *pe = lx->personality;
  unsigned long persona;
  if (LOOKUP(domains, pe->domain, &persona) < 0)
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: linux.personality.domain: `%s`",
                           pe->domain ? pe->domain : "(null)");
  for (size_t i = 0; i < pe->flags.n; i++) {
    unsigned long f;
    if (LOOKUP(flags, pe->flags.v[i], &f) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "unsupported: linux.personality.flags: `%s`",
                             pe->flags.v[i]);
    persona |= f;
  }
  if (personality(persona) < 0)
    return minirt_fail(err, errno, "set personality `%s`", pe->domain);
  return 0;
}

int process_apply_mempolicy(const struct oci_linux *lx,
                            struct minirt_error *err) {
  static const struct name_value modes[] = {
      {"MPOL_DEFAULT", MPOL_DEFAULT},
      {"MPOL_PREFERRED", MPOL_PREFERRED},
      {"MPOL_BIND", MPOL_BIND},
      {"MPOL_INTERLEAVE", MPOL_INTERLEAVE},
      {"MPOL_LOCAL", MPOL_LOCAL},
      {"MPOL_PREFERRED_MANY", MPOL_PREFERRED_MANY},
      {"MPOL_WEIGHTED_INTERLEAVE", MPOL_WEIGHTED_INTERLEAVE},
  };
  static const struct name_value flags[] = {
      {"MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING},
      {"MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES},
      {"MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES},
  };
  enum { MAX_NODES = 1024 };
  if (lx == NULL || lx->memory_policy == NULL)
    return 0;
  const struct oci_memory_policy *mp = lx->memory_policy;
  unsigned long mode;
  if (LOOKUP(modes, mp->mode, &mode) < 0)
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: linux.memoryPolicy.mode: `%s`",
                           mp->mode ? mp->mode : "(null)");
  for (size_t i = 0; i < mp->flags.n; i++) {
    unsigned long f;
    if (LOOKUP(flags, mp->flags.v[i], &f) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "unsupported: linux.memoryPolicy.flags: `%s`",
                             mp->flags.v[i]);
    mode |= f;
  }
  unsigned long mask[MAX_NODES / (8 * sizeof(unsigned long))] = {0};
  bool has_nodes = mp->nodes != NULL && *mp->nodes != '\0';
  if (has_nodes) {
    int ret = process_parse_id_list(mp->nodes, mask, MAX_NODES,
                                    "linux.memoryPolicy.nodes", err);
    if (ret < 0)
      return ret;
  }
  /* The kernel reads maxnode - 1 bits (an old off-by-one kept for ABI). */
  if (syscall(SYS_set_mempolicy, mode, has_nodes ? mask : NULL,
              has_nodes ? (unsigned long)MAX_NODES + 1 : 0UL) < 0)
    return minirt_fail(err, errno, "set memory policy `%s` nodes `%s`",
                       mp->mode, has_nodes ? mp->nodes : "");
  return 0;
}
