/* `events` JSON: the field names follow runc's events types (types.go of
 * runc's events command) so that tools parsing runc's output read ours. */
#include "spec/events.h"

#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"

void minirt_stats_free(struct minirt_stats *s) {
  if (s == NULL)
    return;
  free(s->percpu);
  for (size_t i = 0; i < s->n_mem_stats; i++)
    free(s->mem_stats[i].key);
  free(s->mem_stats);
  for (size_t i = 0; i < s->n_io_bytes; i++)
    free(s->io_bytes[i].op);
  free(s->io_bytes);
  for (size_t i = 0; i < s->n_io_serviced; i++)
    free(s->io_serviced[i].op);
  free(s->io_serviced);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    free(s->hugetlb[i].pagesize);
  free(s->hugetlb);
  *s = (struct minirt_stats){0};
}

/* Adds a new empty object under key and returns it (NULL on ENOMEM). */
static json_object *add_obj(json_object *parent, const char *key) {
  json_object *o = json_object_new_object();
  if (o == NULL || ju_add(parent, key, o) < 0)
    return NULL;
  return o;
}

static int cpu_json(const struct minirt_stats *s, json_object *data) {
  json_object *cpu = add_obj(data, "cpu");
  json_object *usage = cpu ? add_obj(cpu, "usage") : NULL;
  json_object *thr = cpu ? add_obj(cpu, "throttling") : NULL;
  json_object *per = json_object_new_array();
  if (usage == NULL || thr == NULL || per == NULL) {
    json_object_put(per);
    return -1;
  }
  for (size_t i = 0; i < s->n_percpu; i++)
    if (json_object_array_add(per, json_object_new_uint64(s->percpu[i])) < 0) {
      json_object_put(per);
      return -1;
    }
  if (ju_add_u64(usage, "total", s->cpu_total) < 0 ||
      ju_add(usage, "percpu", per) < 0 ||
      ju_add_u64(usage, "kernel", s->cpu_kernel) < 0 ||
      ju_add_u64(usage, "user", s->cpu_user) < 0)
    return -1;
  if (ju_add_u64(thr, "periods", s->throttle_periods) < 0 ||
      ju_add_u64(thr, "throttledPeriods", s->throttle_throttled_periods) < 0 ||
      ju_add_u64(thr, "throttledTime", s->throttle_time) < 0)
    return -1;
  return 0;
}

static int mem_entry_json(json_object *mem, const char *key,
                          const struct minirt_mem_entry *e) {
  if (!e->present)
    return 0;
  json_object *o = add_obj(mem, key);
  if (o == NULL || ju_add_u64(o, "limit", e->limit) < 0 ||
      ju_add_u64(o, "usage", e->usage) < 0 ||
      ju_add_u64(o, "max", e->max) < 0 ||
      ju_add_u64(o, "failcnt", e->failcnt) < 0)
    return -1;
  return 0;
}

static int memory_json(const struct minirt_stats *s, json_object *data) {
  json_object *mem = add_obj(data, "memory");
  if (mem == NULL || mem_entry_json(mem, "usage", &s->mem_usage) < 0 ||
      mem_entry_json(mem, "swap", &s->mem_swap) < 0 ||
      mem_entry_json(mem, "kernel", &s->mem_kernel) < 0)
    return -1;
  json_object *raw = add_obj(mem, "raw");
  if (raw == NULL)
    return -1;
  for (size_t i = 0; i < s->n_mem_stats; i++) {
    const struct minirt_stat_kv *kv = &s->mem_stats[i];
    /* runc reports the page cache on its own as "cache". */
    if ((kv->key[0] == 'c' && strcmp(kv->key, "cache") == 0) ||
        strcmp(kv->key, "file") == 0)
      if (ju_add_u64(mem, "cache", kv->value) < 0)
        return -1;
    if (ju_add_u64(raw, kv->key, kv->value) < 0)
      return -1;
  }
  return 0;
}

static int blkio_list(json_object *blkio, const char *key,
                      const struct minirt_blkio_entry *e, size_t n) {
  json_object *arr = json_object_new_array();
  if (arr == NULL || ju_add(blkio, key, arr) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    json_object *o = json_object_new_object();
    if (o == NULL || json_object_array_add(arr, o) < 0) {
      json_object_put(o);
      return -1;
    }
    if (ju_add_u64(o, "major", e[i].major) < 0 ||
        ju_add_u64(o, "minor", e[i].minor) < 0 ||
        ju_add_str(o, "op", e[i].op) < 0 ||
        ju_add_u64(o, "value", e[i].value) < 0)
      return -1;
  }
  return 0;
}

static int rest_json(const struct minirt_stats *s, json_object *data) {
  if (s->has_pids) {
    json_object *p = add_obj(data, "pids");
    if (p == NULL || ju_add_u64(p, "current", s->pids_current) < 0 ||
        ju_add_u64(p, "limit", s->pids_limit) < 0)
      return -1;
  }
  if (s->has_blkio) {
    json_object *b = add_obj(data, "blkio");
    if (b == NULL ||
        blkio_list(b, "ioServiceBytesRecursive", s->io_bytes,
                   s->n_io_bytes) < 0 ||
        blkio_list(b, "ioServicedRecursive", s->io_serviced,
                   s->n_io_serviced) < 0)
      return -1;
  }
  json_object *h = add_obj(data, "hugetlb");
  if (h == NULL)
    return -1;
  for (size_t i = 0; i < s->n_hugetlb; i++) {
    json_object *o = add_obj(h, s->hugetlb[i].pagesize);
    if (o == NULL || ju_add_u64(o, "usage", s->hugetlb[i].usage) < 0 ||
        ju_add_u64(o, "max", s->hugetlb[i].max) < 0 ||
        ju_add_u64(o, "failcnt", s->hugetlb[i].failcnt) < 0)
      return -1;
  }
  return 0;
}

int minirt_event_to_json(const char *type, const char *id,
                         const struct minirt_stats *s, char **out,
                         struct minirt_error *err) {
  _cleanup_json_ json_object *root = json_object_new_object();
  if (root == NULL || ju_add_str(root, "type", type) < 0 ||
      ju_add_str(root, "id", id) < 0)
    return ju_oom(err);
  if (s != NULL) {
    json_object *data = add_obj(root, "data");
    if (data == NULL)
      return ju_oom(err);
    if ((s->has_cpu && cpu_json(s, data) < 0) ||
        (s->has_memory && memory_json(s, data) < 0) || rest_json(s, data) < 0)
      return ju_oom(err);
  }
  return ju_to_string(root, false, out, err);
}
