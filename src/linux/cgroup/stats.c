/* Statistics of a container's cgroup for `events`: read from the v1
 * controller files or the v2 unified ones, whichever holds each
 * controller. A file the kernel does not offer (memsw without swap
 * accounting, cpu.stat without CFS bandwidth) leaves its fields at zero;
 * a missing cgroup is an error. */
#include "linux/cgroup/internal.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

/* Reads a file; *text stays NULL (and 0 is returned) when it is absent. */
static int read_opt(int fd, const char *file, char **text,
                    struct minirt_error *err) {
  struct minirt_error e = {0};
  *text = NULL;
  int ret = cgroup_read(fd, file, text, &e);
  if (ret == -ENOENT || ret == -ENODEV || ret == -EOPNOTSUPP) {
    minirt_error_clear(&e);
    return 0;
  }
  if (ret < 0) {
    *err = e;
    return ret;
  }
  return 0;
}

/* A single number; "max" reads as 0 (unlimited, as runc). */
static int read_u64(int fd, const char *file, uint64_t *v,
                    struct minirt_error *err) {
  _cleanup_free_ char *s = NULL;
  int ret = read_opt(fd, file, &s, err);
  *v = 0;
  if (ret == 0 && s != NULL && strncmp(s, "max", 3) != 0)
    *v = strtoull(s, NULL, 10);
  return ret;
}

/* The value of "key N" in a flat keyed file (memory.stat, cpu.stat). */
static uint64_t keyed(const char *text, const char *key) {
  size_t kl = strlen(key);
  for (const char *l = text; l != NULL && *l; l = strchr(l, '\n')) {
    if (*l == '\n')
      l++;
    if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
      return strtoull(l + kl + 1, NULL, 10);
  }
  return 0;
}

static int parse_kv(const char *text, struct minirt_stat_kv **out, size_t *n,
                    struct minirt_error *err) {
  size_t cap = 1;
  for (const char *c = text; *c; c++)
    cap += *c == '\n';
  *out = calloc(cap, sizeof(**out));
  if (*out == NULL)
    return minirt_fail(err, ENOMEM, "memory.stat");
  *n = 0;
  const char *l = text;
  while (l != NULL && *l) {
    const char *sp = strchr(l, ' '), *nl = strchr(l, '\n');
    if (sp != NULL && (nl == NULL || sp < nl)) {
      struct minirt_stat_kv *kv = &(*out)[(*n)++];
      if ((kv->key = strndup(l, (size_t)(sp - l))) == NULL)
        return minirt_fail(err, ENOMEM, "memory.stat");
      kv->value = strtoull(sp + 1, NULL, 10);
    }
    l = nl ? nl + 1 : NULL;
  }
  return 0;
}

static int cpu_v1(const char *path, struct minirt_stats *s,
                  struct minirt_error *err) {
  _cleanup_close_ int fd = -1, cfd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "cpuacct", NULL, &fd, &v2, err);
  if (ret < 0)
    return ret;
  _cleanup_free_ char *per = NULL, *st = NULL, *thr = NULL;
  if ((ret = read_u64(fd, "cpuacct.usage", &s->cpu_total, err)) < 0 ||
      (ret = read_opt(fd, "cpuacct.usage_percpu", &per, err)) < 0 ||
      (ret = read_opt(fd, "cpuacct.stat", &st, err)) < 0)
    return ret;
  for (char *p = per, *end; p != NULL && *p && *p != '\n'; p = end) {
    uint64_t v = strtoull(p, &end, 10);
    if (end == p)
      break;
    uint64_t *n = realloc(s->percpu, (s->n_percpu + 1) * sizeof(*n));
    if (n == NULL)
      return minirt_fail(err, ENOMEM, "cpuacct.usage_percpu");
    s->percpu = n;
    s->percpu[s->n_percpu++] = v;
  }
  /* cpuacct.stat counts USER_HZ ticks; runc reports nanoseconds. */
  long hz = sysconf(_SC_CLK_TCK);
  uint64_t ns = 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
  s->cpu_user = keyed(st, "user") * ns;
  s->cpu_kernel = keyed(st, "system") * ns;
  if (cgroup_open_controller(path, "cpu", NULL, &cfd, &v2, err) == 0 &&
      (ret = read_opt(cfd, "cpu.stat", &thr, err)) < 0)
    return ret;
  s->throttle_periods = keyed(thr, "nr_periods");
  s->throttle_throttled_periods = keyed(thr, "nr_throttled");
  s->throttle_time = keyed(thr, "throttled_time");
  s->has_cpu = true;
  return 0;
}

static int cpu_v2(int fd, struct minirt_stats *s, struct minirt_error *err) {
  _cleanup_free_ char *st = NULL;
  int ret = read_opt(fd, "cpu.stat", &st, err);
  if (ret < 0 || st == NULL)
    return ret;
  s->cpu_total = keyed(st, "usage_usec") * 1000;
  s->cpu_user = keyed(st, "user_usec") * 1000;
  s->cpu_kernel = keyed(st, "system_usec") * 1000;
  s->throttle_periods = keyed(st, "nr_periods");
  s->throttle_throttled_periods = keyed(st, "nr_throttled");
  s->throttle_time = keyed(st, "throttled_usec") * 1000;
  s->has_cpu = true;
  return 0;
}

static int cpu_stats(const char *path, struct minirt_stats *s,
                     struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "cpuacct", "cpu", &fd, &v2, err);
  if (ret == -ENODEV) {
    /* cpu.stat of v2 exists without the cpu controller being enabled. */
    const struct cgroup_layout *l;
    if ((ret = cgroup_layout_get(&l, err)) < 0 || l->mode != CGROUP_MODE_V2)
      return ret;
    return cgroup_open_controller(path, NULL, "memory", &fd, &v2, err) < 0
               ? 0
               : cpu_v2(fd, s, err);
  }
  if (ret < 0)
    return ret;
  return v2 ? cpu_v2(fd, s, err) : cpu_v1(path, s, err);
}

/* prefix "memory" / "memory.memsw" / "memory.kmem" (v1). */
static int mem_entry_v1(int fd, const char *prefix,
                        struct minirt_mem_entry *e, struct minirt_error *err) {
  static const char *const sfx[] = {"usage_in_bytes", "limit_in_bytes",
                                    "max_usage_in_bytes", "failcnt"};
  uint64_t *dst[] = {&e->usage, &e->limit, &e->max, &e->failcnt};
  for (size_t i = 0; i < 4; i++) {
    _cleanup_free_ char *file = NULL, *s = NULL;
    if (asprintf(&file, "%s.%s", prefix, sfx[i]) < 0)
      return minirt_fail(err, ENOMEM, "memory stats");
    int ret = read_opt(fd, file, &s, err);
    if (ret < 0)
      return ret;
    if (s == NULL)
      continue;
    e->present = true;
    *dst[i] = strtoull(s, NULL, 10);
  }
  return 0;
}

static int mem_v2(int fd, struct minirt_stats *s, struct minirt_error *err) {
  _cleanup_free_ char *ev = NULL;
  int ret;
  if ((ret = read_u64(fd, "memory.current", &s->mem_usage.usage, err)) < 0 ||
      (ret = read_u64(fd, "memory.max", &s->mem_usage.limit, err)) < 0 ||
      (ret = read_u64(fd, "memory.peak", &s->mem_usage.max, err)) < 0 ||
      (ret = read_opt(fd, "memory.events", &ev, err)) < 0 ||
      (ret = read_u64(fd, "memory.swap.current", &s->mem_swap.usage, err)) <
          0 ||
      (ret = read_u64(fd, "memory.swap.max", &s->mem_swap.limit, err)) < 0)
    return ret;
  s->mem_usage.failcnt = keyed(ev, "max");
  s->mem_usage.present = s->mem_swap.present = true;
  return 0;
}

static int memory_stats(const char *path, struct minirt_stats *s,
                        struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  _cleanup_free_ char *st = NULL;
  bool v2;
  int ret = cgroup_open_controller(path, "memory", "memory", &fd, &v2, err);
  if (ret == -ENODEV)
    return 0;
  if (ret < 0)
    return ret;
  if (v2)
    ret = mem_v2(fd, s, err);
  else if ((ret = mem_entry_v1(fd, "memory", &s->mem_usage, err)) == 0 &&
           (ret = mem_entry_v1(fd, "memory.memsw", &s->mem_swap, err)) == 0)
    ret = mem_entry_v1(fd, "memory.kmem", &s->mem_kernel, err);
  if (ret == 0 && (ret = read_opt(fd, "memory.stat", &st, err)) == 0 && st)
    ret = parse_kv(st, &s->mem_stats, &s->n_mem_stats, err);
  s->has_memory = ret == 0;
  return ret;
}

static int pids_stats(const char *path, struct minirt_stats *s,
                      struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "pids", "pids", &fd, &v2, err);
  if (ret == -ENODEV)
    return 0;
  if (ret < 0 ||
      (ret = read_u64(fd, "pids.current", &s->pids_current, err)) < 0 ||
      (ret = read_u64(fd, "pids.max", &s->pids_limit, err)) < 0)
    return ret;
  s->has_pids = true;
  return 0;
}

static int blkio_add(struct minirt_blkio_entry **arr, size_t *n, uint64_t maj,
                     uint64_t min, const char *op, uint64_t v,
                     struct minirt_error *err) {
  struct minirt_blkio_entry *a = realloc(*arr, (*n + 1) * sizeof(*a));
  if (a == NULL)
    return minirt_fail(err, ENOMEM, "blkio stats");
  *arr = a;
  a[*n] = (struct minirt_blkio_entry){maj, min, strdup(op), v};
  if (a[*n].op == NULL)
    return minirt_fail(err, ENOMEM, "blkio stats");
  (*n)++;
  return 0;
}

/* "8:0 Read 4096" lines; the trailing "Total N" line has no device. */
static int blkio_v1_file(int fd, const char *file,
                         struct minirt_blkio_entry **arr, size_t *n,
                         struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  int ret = read_opt(fd, file, &text, err);
  char *save = NULL;
  for (char *l = text ? strtok_r(text, "\n", &save) : NULL; ret == 0 && l;
       l = strtok_r(NULL, "\n", &save)) {
    unsigned long long maj, min, v;
    char op[16];
    if (sscanf(l, "%llu:%llu %15s %llu", &maj, &min, op, &v) == 4)
      ret = blkio_add(arr, n, maj, min, op, v, err);
  }
  return ret;
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0". */
static int blkio_v2(int fd, struct minirt_stats *s, struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  int ret = read_opt(fd, "io.stat", &text, err);
  char *save = NULL;
  for (char *l = text ? strtok_r(text, "\n", &save) : NULL; ret == 0 && l;
       l = strtok_r(NULL, "\n", &save)) {
    unsigned long long maj, min, rb = 0, wb = 0, ri = 0, wi = 0;
    if (sscanf(l, "%llu:%llu", &maj, &min) != 2)
      continue;
    char *p;
    if ((p = strstr(l, "rbytes=")) != NULL) rb = strtoull(p + 7, NULL, 10);
    if ((p = strstr(l, "wbytes=")) != NULL) wb = strtoull(p + 7, NULL, 10);
    if ((p = strstr(l, "rios=")) != NULL) ri = strtoull(p + 5, NULL, 10);
    if ((p = strstr(l, "wios=")) != NULL) wi = strtoull(p + 5, NULL, 10);
    if ((ret = blkio_add(&s->io_bytes, &s->n_io_bytes, maj, min, "Read", rb,
                         err)) < 0 ||
        (ret = blkio_add(&s->io_bytes, &s->n_io_bytes, maj, min, "Write", wb,
                         err)) < 0 ||
        (ret = blkio_add(&s->io_serviced, &s->n_io_serviced, maj, min, "Read",
                         ri, err)) < 0)
      break;
    ret = blkio_add(&s->io_serviced, &s->n_io_serviced, maj, min, "Write", wi,
                    err);
  }
  return ret;
}

static int blkio_stats(const char *path, struct minirt_stats *s,
                       struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "blkio", "io", &fd, &v2, err);
  if (ret == -ENODEV)
    return 0;
  if (ret < 0)
    return ret;
  if (v2)
    ret = blkio_v2(fd, s, err);
  else if ((ret = blkio_v1_file(fd, "blkio.throttle.io_service_bytes_recursive",
                                &s->io_bytes, &s->n_io_bytes, err)) == 0)
    ret = blkio_v1_file(fd, "blkio.throttle.io_serviced_recursive",
                        &s->io_serviced, &s->n_io_serviced, err);
  s->has_blkio = ret == 0;
  return ret;
}

/* "hugepages-2048kB" -> "2MB", the name used in the cgroup files. */
static bool page_size_name(const char *dirname, char *buf, size_t size) {
  unsigned long long kb;
  if (sscanf(dirname, "hugepages-%llukB", &kb) != 1)
    return false;
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
    snprintf(buf, size, "%lluGB", kb / (1024 * 1024));
  else if (kb >= 1024 && kb % 1024 == 0)
    snprintf(buf, size, "%lluMB", kb / 1024);
  else
    snprintf(buf, size, "%lluKB", kb);
  return true;
}

static int hugetlb_one(int fd, bool v2, const char *ps,
                       struct minirt_hugetlb_entry *e,
                       struct minirt_error *err) {
  char f[96];
  _cleanup_free_ char *ev = NULL;
  int ret;
  if ((e->pagesize = strdup(ps)) == NULL)
    return minirt_fail(err, ENOMEM, "hugetlb stats");
  if (v2) {
    snprintf(f, sizeof(f), "hugetlb.%s.current", ps);
    if ((ret = read_u64(fd, f, &e->usage, err)) < 0)
      return ret;
    snprintf(f, sizeof(f), "hugetlb.%s.events", ps);
    if ((ret = read_opt(fd, f, &ev, err)) < 0)
      return ret;
    e->failcnt = keyed(ev, "max");
    return 0;
  }
  snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", ps);
  if ((ret = read_u64(fd, f, &e->usage, err)) < 0)
    return ret;
  snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", ps);
  if ((ret = read_u64(fd, f, &e->max, err)) < 0)
    return ret;
  snprintf(f, sizeof(f), "hugetlb.%s.failcnt", ps);
  return read_u64(fd, f, &e->failcnt, err);
}

static int hugetlb_stats(const char *path, struct minirt_stats *s,
                         struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "hugetlb", "hugetlb", &fd, &v2, err);
  if (ret == -ENODEV)
    return 0;
  if (ret < 0)
    return ret;
  DIR *d = opendir("/sys/kernel/mm/hugepages");
  if (d == NULL)
    return 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir(d)) != NULL) {
    char ps[32];
    if (!page_size_name(de->d_name, ps, sizeof(ps)))
      continue;
    struct minirt_hugetlb_entry *a =
        realloc(s->hugetlb, (s->n_hugetlb + 1) * sizeof(*a));
    if (a == NULL) {
      ret = minirt_fail(err, ENOMEM, "hugetlb stats");
      break;
    }
    s->hugetlb = a;
    a[s->n_hugetlb] = (struct minirt_hugetlb_entry){0};
    ret = hugetlb_one(fd, v2, ps, &a[s->n_hugetlb++], err);
  }
  closedir(d);
  return ret;
}

int cgroup_stats_read(const char *path, struct minirt_stats *s,
                      struct minirt_error *err) {
  *s = (struct minirt_stats){0};
  int ret;
  if ((ret = cpu_stats(path, s, err)) < 0 ||
      (ret = memory_stats(path, s, err)) < 0 ||
      (ret = pids_stats(path, s, err)) < 0 ||
      (ret = blkio_stats(path, s, err)) < 0 ||
      (ret = hugetlb_stats(path, s, err)) < 0) {
    minirt_stats_free(s);
    return ret;
  }
  return 0;
}

int cgroup_oom_kill_count(const char *path, uint64_t *count,
                          struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  _cleanup_free_ char *text = NULL;
  bool v2;
  *count = 0;
  int ret = cgroup_open_controller(path, "memory", "memory", &fd, &v2, err);
  if (ret == -ENODEV)
    return 0;
  if (ret < 0 ||
      (ret = read_opt(fd, v2 ? "memory.events" : "memory.oom_control", &text,
                      err)) < 0)
    return ret;
  *count = keyed(text, "oom_kill");
  return 0;
}
