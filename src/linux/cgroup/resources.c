/* linux.resources -> cgroup files, for v1 and v2 alike. Each controller is
 * looked up where the host has it (v1 hierarchy, else the v2 one: hugetlb
 * lives in v2 on a hybrid host). A controller the host lacks is an error
 * only when the config asks for it. Values of 0 mean "unset" (runc and
 * docker send 0 for fields an update leaves alone). */
#include "linux/cgroup/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

struct target {
  int fd;
  bool v2;
};

static int target_open(const char *path, const char *v1name, const char *v2name,
                       const char *what, struct target *t,
                       struct minirt_error *err) {
  t->fd = -1;
  int ret = cgroup_open_controller(path, v1name, v2name, &t->fd, &t->v2, err);
  if (ret == -ENODEV)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: %s: no `%s` cgroup controller on "
                           "this host",
                           what, v1name != NULL ? v1name : v2name);
  return ret;
}

static void target_close(struct target *t) {
  if (t->fd >= 0)
    close(t->fd);
}
#define _cleanup_target_ __attribute__((cleanup(target_close)))

static int write_i64(int fd, const char *file, int64_t v,
                     struct minirt_error *err) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRId64, v);
  return cgroup_write(fd, file, buf, err);
}

static int write_u64(int fd, const char *file, uint64_t v,
                     struct minirt_error *err) {
  char buf[32];
  snprintf(buf, sizeof buf, "%" PRIu64, v);
  return cgroup_write(fd, file, buf, err);
}

static int write_limit(int fd, const char *file, int64_t v, bool v1,
                       struct minirt_error *err) {
  char buf[32];
  cgroup_format_limit(v, v1, buf, sizeof buf);
  return cgroup_write(fd, file, buf, err);
}

static bool file_exists(int fd, const char *file) {
  return faccessat(fd, file, F_OK, 0) == 0;
}

static int read_u64(int fd, const char *file, uint64_t *out,
                    struct minirt_error *err) {
  _cleanup_free_ char *s = NULL;
  int ret = cgroup_read(fd, file, &s, err);
  if (ret < 0)
    return ret;
  if (strncmp(s, "max", 3) == 0) {
    *out = UINT64_MAX;
    return 0;
  }
  char *end;
  errno = 0;
  *out = strtoull(s, &end, 10);
  if (errno != 0 || end == s)
    return minirt_fail_msg(err, EINVAL, "parse `%s`: `%s`", file, s);
  return 0;
}

/* ---- memory ---- */

static int memory_check_usage(int fd, bool v2, int64_t limit,
                              struct minirt_error *err) {
  uint64_t usage;
  const char *f = v2 ? "memory.current" : "memory.usage_in_bytes";
  int ret = read_u64(fd, f, &usage, err);
  if (ret < 0)
    return ret;
  if (limit > 0 && (uint64_t)limit < usage)
    return minirt_fail_msg(err, EBUSY,
                           "linux.resources.memory.limit: %" PRId64
                           " is below the current usage %" PRIu64
                           " (`%s`, checkBeforeUpdate)",
                           limit, usage, f);
  return 0;
}

/* v1 requires memsw >= limit at every step: raise the larger one first. */
static int memory_v1_limits(int fd, int64_t lim, int64_t sw,
                            struct minirt_error *err) {
  const char *memsw = "memory.memsw.limit_in_bytes";
  if (lim == -1 && sw == 0 && file_exists(fd, memsw))
    sw = -1; /* unlimited memory means unlimited swap too (runc) */
  if (lim != 0 && sw != 0) {
    uint64_t cur;
    int ret = read_u64(fd, "memory.limit_in_bytes", &cur, err);
    if (ret < 0)
      return ret;
    bool swap_first = sw == -1 || cur < (uint64_t)sw;
    if (swap_first && (ret = write_limit(fd, memsw, sw, true, err)) < 0)
      return ret;
    if ((ret = write_limit(fd, "memory.limit_in_bytes", lim, true, err)) < 0)
      return ret;
    return swap_first ? 0 : write_limit(fd, memsw, sw, true, err);
  }
  if (lim != 0)
    return write_limit(fd, "memory.limit_in_bytes", lim, true, err);
  if (sw != 0)
    return write_limit(fd, memsw, sw, true, err);
  return 0;
}

static int memory_v1(int fd, const struct oci_memory *m, int64_t lim,
                     int64_t sw, struct minirt_error *err) {
  int ret = memory_v1_limits(fd, lim, sw, err);
  if (ret == 0 && m->has_reservation && m->reservation != 0)
    ret = write_limit(fd, "memory.soft_limit_in_bytes", m->reservation, true,
                      err);
  if (ret == 0 && m->has_kernel && m->kernel != 0)
    ret = write_limit(fd, "memory.kmem.limit_in_bytes", m->kernel, true, err);
  if (ret == 0 && m->has_kernel_tcp && m->kernel_tcp != 0)
    ret = write_limit(fd, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, true,
                      err);
  if (ret == 0 && m->has_swappiness)
    ret = write_u64(fd, "memory.swappiness", m->swappiness, err);
  if (ret == 0 && m->has_disable_oom_killer)
    ret = cgroup_write(fd, "memory.oom_control",
                       m->disable_oom_killer ? "1" : "0", err);
  if (ret == 0 && m->has_use_hierarchy)
    ret = cgroup_write(fd, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0",
                       err);
  return ret;
}

static int memory_v2(int fd, const struct oci_memory *m, int64_t lim,
                     struct minirt_error *err) {
  int64_t swv;
  bool swset;
  int ret = cgroup_v2_swap_value(m->has_swap, m->swap, lim != 0, lim, &swv,
                                 &swset, err);
  if (ret < 0)
    return ret;
  /* Files v2 does not have: fail naming the v1 file the field needs. */
  if (m->has_kernel && m->kernel != 0)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.resources.memory.kernel: write "
                           "`%" PRId64 "` to `memory.kmem.limit_in_bytes`: "
                           "no such file on cgroup v2",
                           m->kernel);
  if (m->has_kernel_tcp && m->kernel_tcp != 0)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.resources.memory.kernelTCP: "
                           "write `%" PRId64 "` to "
                           "`memory.kmem.tcp.limit_in_bytes`: no such file on "
                           "cgroup v2",
                           m->kernel_tcp);
  if (m->has_swappiness)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: "
                           "linux.resources.memory.swappiness "
                           "on cgroup v2");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: "
                           "linux.resources.memory.disableOOMKiller on cgroup "
                           "v2");
  if (m->has_use_hierarchy && !m->use_hierarchy)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.resources.memory.useHierarchy "
                           "false on cgroup v2 (always hierarchical)");
  if (swset && (ret = write_limit(fd, "memory.swap.max", swv, false, err)) < 0)
    return ret;
  if (lim != 0 && (ret = write_limit(fd, "memory.max", lim, false, err)) < 0)
    return ret;
  if (m->has_reservation && m->reservation != 0)
    ret = write_limit(fd, "memory.low", m->reservation, false, err);
  return ret;
}

static int apply_memory(const char *path, const struct oci_memory *m,
                        bool update, struct minirt_error *err) {
  int64_t lim = m->has_limit ? m->limit : 0;
  int64_t sw = m->has_swap ? m->swap : 0;
  bool any = lim != 0 || sw != 0 ||
             (m->has_reservation && m->reservation != 0) ||
             (m->has_kernel && m->kernel != 0) ||
             (m->has_kernel_tcp && m->kernel_tcp != 0) || m->has_swappiness ||
             m->has_disable_oom_killer || m->has_use_hierarchy;
  if (!any)
    return 0;
  if (m->has_swappiness && m->swappiness > 100)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.memory.swappiness: "
                           "%" PRIu64 " is above 100",
                           m->swappiness);
  /* swap is memory+swap: the kernel's bare EINVAL would not say so. */
  if (lim > 0 && sw > 0 && sw < lim)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.memory.swap: %" PRId64
                           " (memory+swap) is below memory.limit %" PRId64,
                           sw, lim);
  _cleanup_target_ struct target t;
  int ret =
      target_open(path, "memory", "memory", "linux.resources.memory", &t, err);
  if (ret < 0)
    return ret;
  if (update && m->has_check_before_update && m->check_before_update &&
      lim > 0 && (ret = memory_check_usage(t.fd, t.v2, lim, err)) < 0)
    return ret;
  return t.v2 ? memory_v2(t.fd, m, lim, err) : memory_v1(t.fd, m, lim, sw, err);
}

/* ---- cpu, cpuset ---- */

/* v1 rejects a quota (or rt runtime) that does not fit the current period:
 * on EINVAL, try the other order. */
static int write_pair(int fd, const char *f1, int64_t v1, bool set1,
                      const char *f2, int64_t v2, bool set2,
                      struct minirt_error *err) {
  struct minirt_error tmp = {0};
  int ret = 0;
  if (set1)
    ret = write_i64(fd, f1, v1, &tmp);
  if (ret == 0 && set2)
    ret = write_i64(fd, f2, v2, &tmp);
  if (ret == 0) {
    minirt_error_clear(&tmp);
    return 0;
  }
  minirt_error_clear(&tmp);
  if (set2 && (ret = write_i64(fd, f2, v2, err)) < 0)
    return ret;
  return set1 ? write_i64(fd, f1, v1, err) : 0;
}

static int cpu_v1(int fd, const struct oci_cpu *c, struct minirt_error *err) {
  int ret = 0;
  if (c->has_shares && c->shares != 0)
    ret = write_u64(fd, "cpu.shares", c->shares, err);
  if (ret == 0)
    ret = write_pair(fd, "cpu.cfs_period_us", (int64_t)c->period,
                     c->has_period && c->period != 0, "cpu.cfs_quota_us",
                     c->quota, c->has_quota && c->quota != 0, err);
  if (ret == 0 && c->has_burst)
    ret = write_u64(fd, "cpu.cfs_burst_us", c->burst, err);
  if (ret == 0)
    ret = write_pair(fd, "cpu.rt_period_us", (int64_t)c->realtime_period,
                     c->has_realtime_period && c->realtime_period != 0,
                     "cpu.rt_runtime_us", c->realtime_runtime,
                     c->has_realtime_runtime && c->realtime_runtime != 0, err);
  if (ret == 0 && c->has_idle)
    ret = write_i64(fd, "cpu.idle", c->idle, err);
  return ret;
}

static int cpu_v2_max(int fd, const struct oci_cpu *c,
                      struct minirt_error *err) {
  bool q = c->has_quota && c->quota != 0;
  bool p = c->has_period && c->period != 0;
  char buf[64], quota[32];
  if (!q && !p)
    return 0;
  if (q) {
    cgroup_format_limit(c->quota, false, quota, sizeof quota);
  } else { /* keep the quota, change the period */
    _cleanup_free_ char *cur = NULL;
    int ret = cgroup_read(fd, "cpu.max", &cur, err);
    if (ret < 0)
      return ret;
    snprintf(quota, sizeof quota, "%.*s", (int)strcspn(cur, " \n"), cur);
  }
  if (p)
    snprintf(buf, sizeof buf, "%s %" PRIu64, quota, c->period);
  else
    snprintf(buf, sizeof buf, "%s", quota);
  return cgroup_write(fd, "cpu.max", buf, err);
}

static int cpu_v2(int fd, const struct oci_cpu *c, struct minirt_error *err) {
  if ((c->has_realtime_runtime && c->realtime_runtime != 0) ||
      (c->has_realtime_period && c->realtime_period != 0))
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.resources.cpu.realtimeRuntime/"
                           "realtimePeriod on cgroup v2");
  int ret = 0;
  if (c->has_shares && c->shares != 0)
    ret = write_u64(fd, "cpu.weight", cgroup_shares_to_weight(c->shares), err);
  if (ret == 0)
    ret = cpu_v2_max(fd, c, err);
  if (ret == 0 && c->has_burst)
    ret = write_u64(fd, "cpu.max.burst", c->burst, err);
  if (ret == 0 && c->has_idle)
    ret = write_i64(fd, "cpu.idle", c->idle, err);
  return ret;
}

static int apply_cpu(const char *path, const struct oci_cpu *c,
                     struct minirt_error *err) {
  int ret;
  if (c->cpus != NULL || c->mems != NULL) {
    _cleanup_target_ struct target t;
    if ((ret = target_open(path, "cpuset", "cpuset",
                           "linux.resources.cpu.cpus/mems", &t, err)) < 0)
      return ret;
    if (c->cpus != NULL && c->cpus[0] != '\0' &&
        (ret = cgroup_write(t.fd, "cpuset.cpus", c->cpus, err)) < 0)
      return ret;
    if (c->mems != NULL && c->mems[0] != '\0' &&
        (ret = cgroup_write(t.fd, "cpuset.mems", c->mems, err)) < 0)
      return ret;
  }
  bool any = (c->has_shares && c->shares != 0) ||
             (c->has_quota && c->quota != 0) ||
             (c->has_period && c->period != 0) || c->has_burst ||
             (c->has_realtime_runtime && c->realtime_runtime != 0) ||
             (c->has_realtime_period && c->realtime_period != 0) || c->has_idle;
  if (!any)
    return 0;
  _cleanup_target_ struct target t;
  if ((ret = target_open(path, "cpu", "cpu", "linux.resources.cpu", &t, err)) <
      0)
    return ret;
  return t.v2 ? cpu_v2(t.fd, c, err) : cpu_v1(t.fd, c, err);
}

/* ---- pids, hugetlb, network, rdma, unified ---- */

static int apply_pids(const char *path, int64_t limit,
                      struct minirt_error *err) {
  _cleanup_target_ struct target t;
  int ret = target_open(path, "pids", "pids", "linux.resources.pids", &t, err);
  if (ret < 0)
    return ret;
  return write_limit(t.fd, "pids.max", limit <= 0 ? -1 : limit, false, err);
}

static int apply_hugetlb(const char *path, const struct oci_resources *r,
                         struct minirt_error *err) {
  _cleanup_target_ struct target t;
  int ret = target_open(path, "hugetlb", "hugetlb",
                        "linux.resources.hugepageLimits", &t, err);
  for (size_t i = 0; ret == 0 && i < r->n_hugepage_limits; i++) {
    const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
    char file[96];
    if (h->page_size == NULL || !cgroup_valid_page_size(h->page_size))
      return minirt_fail_msg(err, EINVAL,
                             "linux.resources.hugepageLimits[%zu].pageSize: "
                             "invalid `%s`",
                             i, h->page_size ? h->page_size : "");
    snprintf(file, sizeof file, "hugetlb.%s.%s", h->page_size,
             t.v2 ? "max" : "limit_in_bytes");
    ret = write_u64(t.fd, file, h->limit, err);
    /* Reservations are limited too where the kernel has them (as runc). */
    snprintf(file, sizeof file, "hugetlb.%s.rsvd.%s", h->page_size,
             t.v2 ? "max" : "limit_in_bytes");
    if (ret == 0 && file_exists(t.fd, file))
      ret = write_u64(t.fd, file, h->limit, err);
  }
  return ret;
}

static int apply_network(const char *path, const struct oci_resources *r,
                         struct minirt_error *err) {
  int ret;
  if (r->has_class_id) {
    _cleanup_target_ struct target t;
    if ((ret = target_open(path, "net_cls", NULL,
                           "linux.resources.network.classID", &t, err)) < 0 ||
        (ret = write_u64(t.fd, "net_cls.classid", r->class_id, err)) < 0)
      return ret;
  }
  if (r->n_net_priorities > 0) {
    _cleanup_target_ struct target t;
    if ((ret = target_open(path, "net_prio", NULL,
                           "linux.resources.network.priorities", &t, err)) < 0)
      return ret;
    for (size_t i = 0; i < r->n_net_priorities; i++) {
      char buf[128];
      snprintf(buf, sizeof buf, "%s %" PRIu32, r->net_priorities[i].name,
               r->net_priorities[i].priority);
      if ((ret = cgroup_write(t.fd, "net_prio.ifpriomap", buf, err)) < 0)
        return ret;
    }
  }
  return 0;
}

static int apply_rdma(const char *path, const struct oci_resources *r,
                      struct minirt_error *err) {
  _cleanup_target_ struct target t;
  int ret = target_open(path, "rdma", "rdma", "linux.resources.rdma", &t, err);
  for (size_t i = 0; ret == 0 && i < r->n_rdma; i++) {
    const struct oci_rdma_limit *l = &r->rdma[i];
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s", l->device);
    if (l->has_hca_handles)
      n += snprintf(buf + n, sizeof buf - (size_t)n, " hca_handle=%" PRIu32,
                    l->hca_handles);
    if (l->has_hca_objects)
      snprintf(buf + n, sizeof buf - (size_t)n, " hca_object=%" PRIu32,
               l->hca_objects);
    if (l->has_hca_handles || l->has_hca_objects)
      ret = cgroup_write(t.fd, "rdma.max", buf, err);
  }
  return ret;
}

static int apply_unified(const char *path, const struct oci_kv *u,
                         struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  if (l->mode != CGROUP_MODE_V2)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.resources.unified (needs a "
                           "pure cgroup v2 host)");
  _cleanup_close_ int fd = -1;
  if ((ret = cgroup_open_dir(l->v2, path, &fd, err)) < 0)
    return ret;
  for (size_t i = 0; i < u->n; i++) {
    const char *k = u->keys[i];
    if (strchr(k, '/') != NULL || k[0] == '.' || strchr(k, '.') == NULL)
      return minirt_fail_msg(err, EINVAL,
                             "linux.resources.unified: invalid key `%s`", k);
    if ((ret = cgroup_write(fd, k, u->values[i], err)) < 0)
      return ret;
  }
  return 0;
}

/* ---- devices ---- */

/* One write per rule (the kernel takes one rule per write) through one fd
 * per file: the rules of a spec's devices list are a dozen opens saved. */
static int devices_v1_write(int dirfd, int *fd, const char *file,
                            const char *rule, struct minirt_error *err) {
  if (*fd < 0 && (*fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC)) < 0)
    return minirt_fail(err, errno, "write `%s` to `%s`", rule, file);
  size_t len = strlen(rule);
  ssize_t w = write(*fd, rule, len);
  if (w < 0 || (size_t)w != len)
    return minirt_fail(err, w < 0 ? errno : EIO, "write `%s` to `%s`", rule,
                       file);
  return 0;
}

static int devices_v1(int fd, const struct cgroup_dev_rule *r, size_t n,
                      struct minirt_error *err) {
  _cleanup_close_ int allow = -1, deny = -1;
  int ret = devices_v1_write(fd, &deny, "devices.deny", "a", err);
  for (size_t i = 0; ret == 0 && i < n; i++) {
    char buf[96];
    cgroup_dev_rule_format(&r[i], buf, sizeof buf);
    /* The spec's usual first rule (deny all) repeats the reset above. */
    if (i == 0 && !r[i].allow && strcmp(buf, "a") == 0)
      continue;
    ret = r[i].allow
              ? devices_v1_write(fd, &allow, "devices.allow", buf, err)
              : devices_v1_write(fd, &deny, "devices.deny", buf, err);
  }
  return ret;
}

static int apply_devices(const char *path, const struct oci_resources *res,
                         const struct oci_device *devices, size_t n_devices,
                         struct minirt_error *err) {
  _cleanup_free_ struct cgroup_dev_rule *rules = NULL;
  size_t n;
  int ret = cgroup_dev_rules_build(res->devices, res->n_devices, devices,
                                   n_devices, &rules, &n, err);
  if (ret < 0)
    return ret;
  _cleanup_close_ int v1fd = -1;
  bool v2;
  ret = cgroup_open_controller(path, "devices", NULL, &v1fd, &v2, err);
  if (ret == 0)
    return devices_v1(v1fd, rules, n, err);
  const struct cgroup_layout *l;
  if (ret != -ENODEV || (ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  if (l->v2 == NULL)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: "
                           "linux.resources.devices: no "
                           "`devices` cgroup controller");
  /* No v1 devices controller: the v2 eBPF filter does the job. */
  _cleanup_close_ int fd = -1;
  if ((ret = cgroup_open_dir(l->v2, path, &fd, err)) < 0)
    return ret;
  return cgroup_devices_attach_bpf(fd, rules, n, err);
}

/* ---- all ---- */

int cgroup_apply_resources(const char *path, const struct oci_resources *res,
                           const struct oci_device *devices, size_t n_devices,
                           bool update, struct minirt_error *err) {
  static const struct oci_resources empty;
  if (res == NULL)
    res = &empty;
  int ret = 0;
  if (res->n_devices > 0)
    ret = apply_devices(path, res, devices, n_devices, err);
  if (ret == 0 && res->memory != NULL)
    ret = apply_memory(path, res->memory, update, err);
  if (ret == 0 && res->cpu != NULL)
    ret = apply_cpu(path, res->cpu, err);
  /* update: 0 leaves the limit alone, as runc (docker sends zeros). */
  if (ret == 0 && res->has_pids && !(update && res->pids_limit == 0))
    ret = apply_pids(path, res->pids_limit, err);
  if (ret == 0 && res->blkio != NULL)
    ret = cgroup_apply_blkio(path, res->blkio, err);
  if (ret == 0 && res->n_hugepage_limits > 0)
    ret = apply_hugetlb(path, res, err);
  if (ret == 0)
    ret = apply_network(path, res, err);
  if (ret == 0 && res->n_rdma > 0)
    ret = apply_rdma(path, res, err);
  if (ret == 0 && res->unified.n > 0)
    ret = apply_unified(path, &res->unified, err);
  return ret;
}
