/* The `events` documents: runc-compatible {"type":"stats"|"oom","id":...,
 * "data":{...}} objects, one per line. The stats are filled by
 * src/linux/cgroup/stats.c from the cgroup files; this layer only turns
 * them into JSON. */
#ifndef MINIRT_SPEC_EVENTS_H
#define MINIRT_SPEC_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/* One "key value" line of memory.stat (or a similar flat file). */
struct minirt_stat_kv {
  char *key;
  uint64_t value;
};

struct minirt_mem_entry {
  bool present;
  uint64_t limit, usage, max, failcnt;
};

/* blkio.throttle.io_service_bytes_recursive lines ("8:0 Read 4096"). */
struct minirt_blkio_entry {
  uint64_t major, minor;
  char *op; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
  uint64_t value;
};

struct minirt_hugetlb_entry {
  char *pagesize; /* "2MB" */
  uint64_t usage, max, failcnt;
};

struct minirt_stats {
  bool has_cpu;
  uint64_t cpu_total, cpu_kernel, cpu_user; /* nanoseconds */
  uint64_t *percpu;
  size_t n_percpu;
  uint64_t throttle_periods, throttle_throttled_periods, throttle_time;

  bool has_memory;
  struct minirt_mem_entry mem_usage, mem_swap, mem_kernel;
  struct minirt_stat_kv *mem_stats;
  size_t n_mem_stats;

  bool has_pids;
  uint64_t pids_current, pids_limit; /* limit 0 = unlimited ("max") */

  bool has_blkio;
  struct minirt_blkio_entry *io_bytes, *io_serviced;
  size_t n_io_bytes, n_io_serviced;

  struct minirt_hugetlb_entry *hugetlb;
  size_t n_hugetlb;
};

void minirt_stats_free(struct minirt_stats *s);

/* One event as a single-line JSON object (no trailing newline). `data` is
 * NULL for events without data ("oom"). */
int minirt_event_to_json(const char *type, const char *id,
                         const struct minirt_stats *data, char **out,
                         struct minirt_error *err);

#endif
