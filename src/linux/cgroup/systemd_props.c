/* linux.resources -> systemd unit properties (pure: no bus, no files).
 * The mapping is runc's (libcontainer/cgroups/systemd): what systemd has a
 * property for is set there too, so that systemd, when it re-applies a
 * unit's settings (daemon-reload, another property change), writes the
 * same values minirt wrote to the files instead of its defaults. What has
 * no property stays in the files only (docs/cgroups.md). */
#include "linux/cgroup/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

#define SD_INFINITY UINT64_MAX
/* The kernel's default cfs period (v1 and v2), as runc assumes it. */
#define DEFAULT_PERIOD 100000u

uint64_t cgroup_sd_quota_per_sec(int64_t quota, uint64_t period,
                                 int64_t *rounded_quota) {
  *rounded_quota = quota;
  if (quota < 0)
    return SD_INFINITY;
  uint64_t p = period != 0 ? period : DEFAULT_PERIOD;
  unsigned __int128 per = (unsigned __int128)quota * 1000000u / p;
  /* systemd stores CPUQuota as a whole percentage of a CPU: round up to
   * 10 ms per second, and give the files the quota that comes back. */
  if (per % 10000 != 0) {
    per = (per / 10000 + 1) * 10000;
    unsigned __int128 q = per * p / 1000000u;
    *rounded_quota = q > INT64_MAX ? INT64_MAX : (int64_t)q;
  }
  return per > SD_INFINITY - 1 ? SD_INFINITY - 1 : (uint64_t)per;
}

static int parse_cpu_number(const char **s, unsigned long *out) {
  char *end;
  if (**s < '0' || **s > '9')
    return -EINVAL;
  errno = 0;
  *out = strtoul(*s, &end, 10);
  /* systemd's own limit for a cpu set (CPU_SET_MAX_NR is far above). */
  if (errno != 0 || *out > 8191)
    return -ERANGE;
  *s = end;
  return 0;
}

int cgroup_sd_cpuset_mask(const char *list, uint8_t **bytes, size_t *n,
                          struct minirt_error *err) {
  *bytes = NULL;
  *n = 0;
  _cleanup_free_ uint8_t *b = NULL;
  size_t nb = 0;
  const char *s = list;
  while (*s != '\0') {
    while (*s == ' ' || *s == ',')
      s++;
    if (*s == '\0' || *s == '\n')
      break;
    unsigned long lo, hi;
    if (parse_cpu_number(&s, &lo) < 0)
      goto bad;
    hi = lo;
    if (*s == '-') {
      s++;
      if (parse_cpu_number(&s, &hi) < 0 || hi < lo)
        goto bad;
    }
    if (*s != '\0' && *s != ',' && *s != ' ' && *s != '\n')
      goto bad;
    if (hi / 8 + 1 > nb) {
      uint8_t *nbuf = realloc(b, hi / 8 + 1);
      if (nbuf == NULL)
        return minirt_fail(err, ENOMEM, "cpuset `%s`", list);
      memset(nbuf + nb, 0, hi / 8 + 1 - nb);
      b = nbuf;
      nb = hi / 8 + 1;
    }
    for (unsigned long i = lo; i <= hi; i++)
      b[i / 8] |= (uint8_t)(1u << (i % 8));
    if (*s == '\n')
      break;
  }
  if (nb == 0)
    goto bad;
  *bytes = steal_pointer(&b);
  *n = nb;
  return 0;
bad:
  return minirt_fail_msg(err, EINVAL, "invalid cpu/memory node list `%s`",
                         list);
}

/* ---- devices ---- */

struct dev_entry {
  char type; /* 'c' or 'b' */
  int64_t major, minor;
  unsigned access;
};

struct dev_list {
  struct dev_entry *v;
  size_t n;
  bool allow_all;
};

static int dev_add(struct dev_list *l, char type, int64_t major, int64_t minor,
                   unsigned access) {
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].type == type && l->v[i].major == major &&
        l->v[i].minor == minor) {
      l->v[i].access |= access;
      return 0;
    }
  struct dev_entry *nv = realloc(l->v, (l->n + 1) * sizeof *nv);
  if (nv == NULL)
    return -ENOMEM;
  l->v = nv;
  l->v[l->n++] = (struct dev_entry){type, major, minor, access};
  return 0;
}

static bool covers(int64_t rule, int64_t entry) {
  return rule == -1 || rule == entry;
}

static int dev_apply(struct dev_list *l, const struct cgroup_dev_rule *r) {
  const char types[2] = {'c', 'b'};
  bool all_types = r->type == 'a';
  bool everything = all_types && r->major == -1 && r->minor == -1;
  const unsigned full = CGROUP_DEV_MKNOD | CGROUP_DEV_READ | CGROUP_DEV_WRITE;
  if (r->allow) {
    if (everything && r->access == full) {
      l->allow_all = true;
      l->n = 0;
      return 0;
    }
    if (l->allow_all)
      return 0;
    for (size_t t = 0; t < 2; t++)
      if ((all_types || r->type == types[t]) &&
          dev_add(l, types[t], r->major, r->minor, r->access) < 0)
        return -ENOMEM;
    return 0;
  }
  if (everything && r->access == full) {
    l->allow_all = false;
    l->n = 0;
    return 0;
  }
  if (l->allow_all) {
    /* "all but some access of everything" is still a list systemd can
     * hold; a narrower deny inside allow-all is not: allow-all stays. */
    if (!everything)
      return 0;
    l->allow_all = false;
    l->n = 0;
    if (dev_add(l, 'c', -1, -1, full) < 0 || dev_add(l, 'b', -1, -1, full) < 0)
      return -ENOMEM;
  }
  /* A deny takes access only from entries it covers whole; an entry it
   * covers in part keeps it (too much allowed here, never too little). */
  size_t k = 0;
  for (size_t i = 0; i < l->n; i++) {
    struct dev_entry *e = &l->v[i];
    if ((all_types || r->type == e->type) && covers(r->major, e->major) &&
        covers(r->minor, e->minor))
      e->access &= ~r->access;
    if (e->access != 0)
      l->v[k++] = *e;
  }
  l->n = k;
  return 0;
}

static void dev_format(const struct dev_entry *e, struct cgroup_sd_device *d) {
  const char *kind = e->type == 'c' ? "char" : "block";
  if (e->major == -1)
    snprintf(d->path, sizeof d->path, "%s-*", kind);
  else if (e->minor == -1) /* systemd >= 240 takes the major as a group */
    snprintf(d->path, sizeof d->path, "%s-%" PRId64, kind, e->major);
  else
    snprintf(d->path, sizeof d->path, "/dev/%s/%" PRId64 ":%" PRId64, kind,
             e->major, e->minor);
  size_t k = 0;
  if (e->access & CGROUP_DEV_READ)
    d->perms[k++] = 'r';
  if (e->access & CGROUP_DEV_WRITE)
    d->perms[k++] = 'w';
  if (e->access & CGROUP_DEV_MKNOD)
    d->perms[k++] = 'm';
  d->perms[k] = '\0';
}

int cgroup_sd_device_allow(const struct cgroup_dev_rule *r, size_t n,
                           bool *allow_all, struct cgroup_sd_device **out,
                           size_t *n_out, struct minirt_error *err) {
  struct dev_list l = {0};
  *out = NULL;
  *n_out = 0;
  for (size_t i = 0; i < n; i++) {
    /* "*:N" has no systemd spelling: it becomes "*:*" (more allowed). */
    struct cgroup_dev_rule x = r[i];
    if (x.major == -1 && x.minor != -1) {
      if (!x.allow)
        continue; /* a deny of "*:N" would take more than it should */
      x.minor = -1;
    }
    if (dev_apply(&l, &x) < 0) {
      free(l.v);
      return minirt_fail(err, ENOMEM, "DeviceAllow");
    }
  }
  *allow_all = l.allow_all;
  if (l.allow_all || l.n == 0) {
    free(l.v);
    return 0;
  }
  struct cgroup_sd_device *d = calloc(l.n, sizeof *d);
  if (d == NULL) {
    free(l.v);
    return minirt_fail(err, ENOMEM, "DeviceAllow");
  }
  for (size_t i = 0; i < l.n; i++)
    dev_format(&l.v[i], &d[i]);
  *out = d;
  *n_out = l.n;
  free(l.v);
  return 0;
}

/* ---- the property list ---- */

static struct cgroup_sd_prop *prop_add(struct cgroup_sd_props *p,
                                       const char *name,
                                       enum cgroup_sd_type type) {
  struct cgroup_sd_prop *nv = realloc(p->v, (p->n + 1) * sizeof *nv);
  if (nv == NULL)
    return NULL;
  p->v = nv;
  struct cgroup_sd_prop *x = &p->v[p->n++];
  memset(x, 0, sizeof *x);
  x->name = name;
  x->type = type;
  return x;
}

static int add_u64(struct cgroup_sd_props *p, const char *name, uint64_t v) {
  struct cgroup_sd_prop *x = prop_add(p, name, CGROUP_SD_U64);
  if (x == NULL)
    return -ENOMEM;
  x->u = v;
  return 0;
}

/* OCI's -1 ("unlimited") is systemd's infinity. */
static uint64_t limit_value(int64_t v) {
  return v < 0 ? SD_INFINITY : (uint64_t)v;
}

static int memory_props(const struct oci_memory *m, bool v2,
                        struct cgroup_sd_props *p, struct minirt_error *err) {
  int64_t lim = m->has_limit ? m->limit : 0;
  if (lim != 0 &&
      add_u64(p, v2 ? "MemoryMax" : "MemoryLimit", limit_value(lim)) < 0)
    return -ENOMEM;
  if (!v2)
    return 0; /* swap and reservation: the v1 files only */
  if (m->has_reservation && m->reservation != 0 &&
      add_u64(p, "MemoryLow", limit_value(m->reservation)) < 0)
    return -ENOMEM;
  bool any_swap = lim != 0 || (m->has_swap && m->swap != 0);
  if (!any_swap)
    return 0;
  int64_t sw;
  bool set;
  int ret =
      cgroup_v2_swap_value(m->has_swap, m->swap, lim != 0, lim, &sw, &set, err);
  if (ret < 0)
    return ret;
  if (set && add_u64(p, "MemorySwapMax", limit_value(sw)) < 0)
    return -ENOMEM;
  return 0;
}

static int cpuset_prop(struct cgroup_sd_props *p, const char *name,
                       const char *list, const char *field,
                       struct minirt_error *err) {
  if (list == NULL || list[0] == '\0')
    return 0;
  struct cgroup_sd_prop *x = prop_add(p, name, CGROUP_SD_BYTES);
  if (x == NULL)
    return -ENOMEM;
  int ret = cgroup_sd_cpuset_mask(list, &x->bytes, &x->n, err);
  if (ret < 0)
    minirt_error_prefix(err, "%s: ", field);
  return ret;
}

static int cpu_props(const struct oci_cpu *c, bool v2,
                     struct cgroup_sd_props *p, struct minirt_error *err) {
  if (c->has_shares && c->shares != 0 &&
      add_u64(p, v2 ? "CPUWeight" : "CPUShares",
              v2 ? cgroup_shares_to_weight(c->shares) : c->shares) < 0)
    return -ENOMEM;
  uint64_t period = c->has_period ? c->period : 0;
  if (period != 0 && add_u64(p, "CPUQuotaPeriodUSec", period) < 0)
    return -ENOMEM;
  /* A period alone keeps the quota, in systemd as in the files. */
  if (c->has_quota && c->quota != 0) {
    int64_t rounded;
    uint64_t per_sec = cgroup_sd_quota_per_sec(c->quota, period, &rounded);
    if (add_u64(p, "CPUQuotaPerSecUSec", per_sec) < 0)
      return -ENOMEM;
    p->quota_rounded = rounded != c->quota;
    p->quota = rounded;
  }
  if (!v2)
    return 0; /* v1 cpuset is not systemd's: the files only */
  int ret =
      cpuset_prop(p, "AllowedCPUs", c->cpus, "linux.resources.cpu.cpus", err);
  if (ret == 0)
    ret = cpuset_prop(p, "AllowedMemoryNodes", c->mems,
                      "linux.resources.cpu.mems", err);
  return ret;
}

static int device_props(const struct oci_resources *res,
                        const struct oci_device *devices, size_t n_devices,
                        struct cgroup_sd_props *p, struct minirt_error *err) {
  _cleanup_free_ struct cgroup_dev_rule *rules = NULL;
  size_t n;
  int ret = cgroup_dev_rules_build(res->devices, res->n_devices, devices,
                                   n_devices, &rules, &n, err);
  if (ret < 0)
    return ret;
  bool all;
  struct cgroup_sd_device *list = NULL;
  size_t n_list = 0;
  if ((ret = cgroup_sd_device_allow(rules, n, &all, &list, &n_list, err)) < 0)
    return ret;
  /* An empty DeviceAllow first: it clears the unit's list (an update
   * replaces it instead of adding to it). */
  struct cgroup_sd_prop *x = prop_add(p, "DeviceAllow", CGROUP_SD_DEVICES);
  struct cgroup_sd_prop *y =
      x == NULL ? NULL : prop_add(p, "DevicePolicy", CGROUP_SD_STR);
  if (y == NULL) {
    free(list);
    return -ENOMEM;
  }
  y->s = all ? "auto" : "strict";
  if (n_list == 0)
    return 0;
  if ((x = prop_add(p, "DeviceAllow", CGROUP_SD_DEVICES)) == NULL) {
    free(list);
    return -ENOMEM;
  }
  x->devs = list;
  x->n = n_list;
  return 0;
}

int cgroup_sd_props_build(const struct oci_resources *res,
                          const struct oci_device *devices, size_t n_devices,
                          bool v2, bool update, struct cgroup_sd_props *out,
                          struct minirt_error *err) {
  memset(out, 0, sizeof *out);
  if (res == NULL)
    return 0;
  int ret = 0;
  if (res->n_devices > 0)
    ret = device_props(res, devices, n_devices, out, err);
  if (ret == 0 && res->memory != NULL)
    ret = memory_props(res->memory, v2, out, err);
  if (ret == 0 && res->cpu != NULL)
    ret = cpu_props(res->cpu, v2, out, err);
  /* pids.limit 0 or below is "max" in the files too (an update's 0 leaves
   * it alone). */
  if (ret == 0 && res->has_pids && !(update && res->pids_limit == 0) &&
      add_u64(out, "TasksMax",
              res->pids_limit <= 0 ? SD_INFINITY : (uint64_t)res->pids_limit) <
          0)
    ret = -ENOMEM;
  const struct oci_blkio *b = res->blkio;
  if (ret == 0 && b != NULL && b->has_weight && b->weight != 0 &&
      add_u64(out, v2 ? "IOWeight" : "BlockIOWeight",
              v2 ? cgroup_blkio_to_io_weight(b->weight) : b->weight) < 0)
    ret = -ENOMEM;
  if (ret == -ENOMEM)
    ret = minirt_fail(err, ENOMEM, "systemd unit properties");
  if (ret < 0)
    cgroup_sd_props_free(out);
  return ret;
}

void cgroup_sd_props_free(struct cgroup_sd_props *p) {
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].bytes);
    free(p->v[i].devs);
  }
  free(p->v);
  p->v = NULL;
  p->n = 0;
}
