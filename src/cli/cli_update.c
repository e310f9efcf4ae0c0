/* `update`: resource flags collected into a struct oci_resources holding
 * only the fields given. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/values.h"
#include "spec/state.h"

enum {
  U_RESOURCES = 1,
  U_MEMORY,
  U_MEMORY_SWAP,
  U_MEMORY_RESERVATION,
  U_KERNEL_MEMORY,
  U_KERNEL_MEMORY_TCP,
  U_CPU_SHARES,
  U_CPU_QUOTA,
  U_CPU_PERIOD,
  U_CPU_RT_RUNTIME,
  U_CPU_RT_PERIOD,
  U_CPUSET_CPUS,
  U_CPUSET_MEMS,
  U_PIDS_LIMIT,
  U_BLKIO_WEIGHT,
  U_L3_CACHE_SCHEMA,
  U_MEM_BW_SCHEMA,
};

static const struct opt_def update_opts[] = {
    {"resources", 'r', OPT_VALUE, U_RESOURCES, "FILE",
     "linux.resources JSON from FILE, or - for stdin; flags override it"},
    {"memory", 0, OPT_VALUE, U_MEMORY, "SIZE", "memory limit (512m, 1g, -1)"},
    {"memory-swap", 0, OPT_VALUE, U_MEMORY_SWAP, "SIZE",
     "memory plus swap limit (-1: unlimited)"},
    {"memory-reservation", 0, OPT_VALUE, U_MEMORY_RESERVATION, "SIZE",
     "memory soft limit"},
    {"kernel-memory", 0, OPT_VALUE, U_KERNEL_MEMORY, "SIZE",
     "kernel memory limit (cgroup v1)"},
    {"kernel-memory-tcp", 0, OPT_VALUE, U_KERNEL_MEMORY_TCP, "SIZE",
     "kernel TCP buffer limit (cgroup v1)"},
    {"cpu-shares", 0, OPT_VALUE, U_CPU_SHARES, "N", "relative CPU weight"},
    {"cpu-quota", 0, OPT_VALUE, U_CPU_QUOTA, "N",
     "CPU time in microseconds per period (-1: unlimited)"},
    {"cpu-period", 0, OPT_VALUE, U_CPU_PERIOD, "N",
     "CFS period in microseconds"},
    {"cpu-rt-runtime", 0, OPT_VALUE, U_CPU_RT_RUNTIME, "N",
     "realtime runtime in microseconds per period"},
    {"cpu-rt-period", 0, OPT_VALUE, U_CPU_RT_PERIOD, "N",
     "realtime period in microseconds"},
    {"cpuset-cpus", 0, OPT_VALUE, U_CPUSET_CPUS, "LIST",
     "CPUs allowed (0-3,5)"},
    {"cpuset-mems", 0, OPT_VALUE, U_CPUSET_MEMS, "LIST",
     "memory nodes allowed (0,1)"},
    {"pids-limit", 0, OPT_VALUE, U_PIDS_LIMIT, "N",
     "maximum number of tasks (-1: unlimited, 0: unchanged)"},
    {"blkio-weight", 0, OPT_VALUE, U_BLKIO_WEIGHT, "N",
     "block IO weight, 10 to 1000"},
    {"l3-cache-schema", 0, OPT_VALUE, U_L3_CACHE_SCHEMA, "SCHEMA",
     "Intel RDT L3 cache schema (not supported: fails)"},
    {"mem-bw-schema", 0, OPT_VALUE, U_MEM_BW_SCHEMA, "SCHEMA",
     "Intel RDT memory bandwidth schema (not supported: fails)"},
    {"help", 'h', OPT_FLAG, OPT_ID_HELP, NULL, "show this help"},
    {NULL, 0, 0, 0, NULL, NULL},
};

static void *sub(void **p, size_t size) {
  if (*p == NULL)
    *p = calloc(1, size);
  return *p;
}

static int ensure(struct cli *c, struct minirt_error *err) {
  if (c->resources == NULL &&
      (c->resources = calloc(1, sizeof(*c->resources))) == NULL)
    return minirt_fail(err, ENOMEM, "update");
  return 0;
}

static int memory_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  struct oci_memory *m = sub((void **)&c->resources->memory, sizeof(*m));
  if (m == NULL)
    return minirt_fail(err, ENOMEM, "update");
  char flag[64];
  snprintf(flag, sizeof(flag), "update: --%s", h->def->name);
  int64_t v;
  int r = cli_parse_size(flag, h->value, &v, err);
  if (r < 0)
    return r;
  switch (h->id) {
  case U_MEMORY:
    m->has_limit = true, m->limit = v;
    break;
  case U_MEMORY_SWAP:
    m->has_swap = true, m->swap = v;
    break;
  case U_MEMORY_RESERVATION:
    m->has_reservation = true, m->reservation = v;
    break;
  case U_KERNEL_MEMORY:
    m->has_kernel = true, m->kernel = v;
    break;
  case U_KERNEL_MEMORY_TCP:
    m->has_kernel_tcp = true, m->kernel_tcp = v;
    break;
  }
  return 0;
}

static int set_str(char **dst, const char *v, struct minirt_error *err) {
  char *s = strdup(v);
  if (s == NULL)
    return minirt_fail(err, ENOMEM, "update");
  free(*dst);
  *dst = s;
  return 0;
}

static int cpu_opt(struct cli *c, const struct opt_hit *h,
                   struct minirt_error *err) {
  struct oci_cpu *cpu = sub((void **)&c->resources->cpu, sizeof(*cpu));
  if (cpu == NULL)
    return minirt_fail(err, ENOMEM, "update");
  char flag[64];
  snprintf(flag, sizeof(flag), "update: --%s", h->def->name);
  uint64_t u = 0;
  int64_t i = 0;
  int r = 0;
  switch (h->id) {
  case U_CPU_SHARES:
    r = cli_parse_u64(flag, h->value, UINT64_MAX, &u, err);
    cpu->has_shares = true, cpu->shares = u;
    break;
  case U_CPU_QUOTA:
    r = cli_parse_i64(flag, h->value, -1, INT64_MAX, &i, err);
    cpu->has_quota = true, cpu->quota = i;
    break;
  case U_CPU_PERIOD:
    r = cli_parse_u64(flag, h->value, UINT64_MAX, &u, err);
    cpu->has_period = true, cpu->period = u;
    break;
  case U_CPU_RT_RUNTIME:
    r = cli_parse_i64(flag, h->value, -1, INT64_MAX, &i, err);
    cpu->has_realtime_runtime = true, cpu->realtime_runtime = i;
    break;
  case U_CPU_RT_PERIOD:
    r = cli_parse_u64(flag, h->value, UINT64_MAX, &u, err);
    cpu->has_realtime_period = true, cpu->realtime_period = u;
    break;
  case U_CPUSET_CPUS:
    return set_str(&cpu->cpus, h->value, err);
  case U_CPUSET_MEMS:
    return set_str(&cpu->mems, h->value, err);
  }
  return r;
}

static int other_opt(struct cli *c, const struct opt_hit *h,
                     struct minirt_error *err) {
  struct oci_resources *res = c->resources;
  int64_t i;
  uint64_t u;
  int r;
  switch (h->id) {
  case U_PIDS_LIMIT:
    if ((r = cli_parse_i64("update: --pids-limit", h->value, -1, INT64_MAX, &i,
                           err)) < 0)
      return r;
    res->has_pids = true, res->pids_limit = i;
    return 0;
  case U_BLKIO_WEIGHT: {
    if ((r = cli_parse_u64("update: --blkio-weight", h->value, 1000, &u, err)) <
        0)
      return r;
    struct oci_blkio *b = sub((void **)&res->blkio, sizeof(*b));
    if (b == NULL)
      return minirt_fail(err, ENOMEM, "update");
    b->has_weight = true, b->weight = (uint16_t)u;
    return 0;
  }
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled update option");
}

static int update_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  int r;
  switch (h->id) {
  case U_RESOURCES:
    c->resources_file = h->value;
    return 0;
  case U_L3_CACHE_SCHEMA:
    c->l3_cache_schema = h->value;
    return 0;
  case U_MEM_BW_SCHEMA:
    c->mem_bw_schema = h->value;
    return 0;
  }
  if ((r = ensure(c, err)) < 0)
    return r;
  switch (h->id) {
  case U_MEMORY:
  case U_MEMORY_SWAP:
  case U_MEMORY_RESERVATION:
  case U_KERNEL_MEMORY:
  case U_KERNEL_MEMORY_TCP:
    return memory_opt(c, h, err);
  case U_CPU_SHARES:
  case U_CPU_QUOTA:
  case U_CPU_PERIOD:
  case U_CPU_RT_RUNTIME:
  case U_CPU_RT_PERIOD:
  case U_CPUSET_CPUS:
  case U_CPUSET_MEMS:
    return cpu_opt(c, h, err);
  }
  return other_opt(c, h, err);
}

static int update_args(struct cli *c, char **pos, size_t n,
                       struct minirt_error *err) {
  int r = cli_args_id_only(c, pos, n, err);
  if (r < 0)
    return r;
  /* Intel RDT lives in linux.intelRdt, which minirt does not implement;
   * refusing beats ignoring the flag. */
  if (c->l3_cache_schema != NULL)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: --l3-cache-schema (linux.intelRdt)");
  if (c->mem_bw_schema != NULL)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: --mem-bw-schema (linux.intelRdt)");
  return 0;
}

const struct cli_command_def cli_cmd_update = {
    "update",       CMD_UPDATE,
    "[OPTIONS] ID", "change the resource limits of a running container",
    update_opts,    true,
    update_opt,     update_args,
    OPERANDS_ID};
