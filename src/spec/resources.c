/* linux.resources (also the `update --resources` document): parsing and
 * freeing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/resources_fields.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

#define SUBPATH(var, path, key)                                                \
  _cleanup_free_ char *var = ju_path_key(path, key);                           \
  if (var == NULL)                                                             \
    return ju_oom(err)

static void devcg_free(void *e) {
  struct oci_device_cgroup *d = e;
  free(d->type);
  free(d->access);
}

static int parse_devcg(json_object *e, const char *path, void *elem,
                       struct minirt_error *err) {
  struct oci_device_cgroup *d = elem;
  int r = ju_get_bool(e, path, "allow", &d->allow, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "allow");
  if ((r = ju_get_str(e, path, "type", &d->type, err)) < 0)
    return r;
  if (d->type != NULL && (strlen(d->type) != 1 || !strchr("acb", d->type[0])))
    return ju_fail(err, path, "type", "unknown device type \"%s\"", d->type);
  if ((r = ju_get_i64(e, path, "major", -1, INT64_MAX, &d->major, err)) < 0)
    return r;
  d->has_major = r > 0;
  if ((r = ju_get_i64(e, path, "minor", -1, INT64_MAX, &d->minor, err)) < 0)
    return r;
  d->has_minor = r > 0;
  if ((r = ju_get_str(e, path, "access", &d->access, err)) < 0)
    return r;
  if (d->access != NULL && strspn(d->access, "rwm") != strlen(d->access))
    return ju_fail(err, path, "access", "invalid access \"%s\" (subset of rwm)",
                   d->access);
  return 0;
}

static int parse_memory(json_object *o, const char *path,
                        struct oci_resources *res, struct minirt_error *err) {
  json_object *mo = NULL;
  int r = ju_get_obj(o, path, "memory", &mo, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "memory");
  if ((res->memory = calloc(1, sizeof(*res->memory))) == NULL)
    return ju_oom(err);
  if ((r = ju_get_fields(mo, p, res->memory, memory_fields,
                         NFIELDS(memory_fields), err)) < 0)
    return r;
  if (res->memory->has_swappiness && res->memory->swappiness > 100)
    return ju_fail(err, p, "swappiness", "%llu out of range [0, 100]",
                   (unsigned long long)res->memory->swappiness);
  return 1;
}

static int parse_cpu(json_object *o, const char *path,
                     struct oci_resources *res, struct minirt_error *err) {
  json_object *co = NULL;
  int r = ju_get_obj(o, path, "cpu", &co, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "cpu");
  struct oci_cpu *c = res->cpu = calloc(1, sizeof(*c));
  if (c == NULL)
    return ju_oom(err);
  if ((r = ju_get_fields(co, p, c, cpu_fields, NFIELDS(cpu_fields), err)) < 0)
    return r;
  if (ju_get_str(co, p, "cpus", &c->cpus, err) < 0 ||
      ju_get_str(co, p, "mems", &c->mems, err) < 0)
    return -EINVAL;
  return 1;
}

static int parse_pids(json_object *o, const char *path,
                      struct oci_resources *res, struct minirt_error *err) {
  json_object *po = NULL;
  int r = ju_get_obj(o, path, "pids", &po, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "pids");
  if ((r = ju_get_i64(po, p, "limit", INT64_MIN, INT64_MAX, &res->pids_limit,
                      err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "limit");
  res->has_pids = true;
  return 1;
}

static int parse_weight_dev(json_object *e, const char *path, void *elem,
                            struct minirt_error *err) {
  int r = ju_get_fields(e, path, elem, weight_dev_fields,
                        NFIELDS(weight_dev_fields), err);
  if (r < 0)
    return r;
  if (ju_lookup(e, "major") == NULL)
    return ju_required(err, path, "major");
  if (ju_lookup(e, "minor") == NULL)
    return ju_required(err, path, "minor");
  return 0;
}

static int parse_throttle(json_object *e, const char *path, void *elem,
                          struct minirt_error *err) {
  int r = ju_get_fields(e, path, elem, throttle_fields,
                        NFIELDS(throttle_fields), err);
  if (r < 0)
    return r;
  for (size_t i = 0; i < NFIELDS(throttle_fields); i++)
    if (ju_lookup(e, throttle_fields[i].key) == NULL)
      return ju_required(err, path, throttle_fields[i].key);
  return 0;
}

static int parse_blkio(json_object *o, const char *path,
                       struct oci_resources *res, struct minirt_error *err) {
  json_object *bo = NULL;
  int r = ju_get_obj(o, path, "blockIO", &bo, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "blockIO");
  struct oci_blkio *b = res->blkio = calloc(1, sizeof(*b));
  if (b == NULL)
    return ju_oom(err);
  if ((r = ju_get_fields(bo, p, b, blkio_fields, NFIELDS(blkio_fields), err)) <
      0)
    return r;
  if ((r = ju_get_objarr(bo, p, "weightDevice", sizeof(*b->weight_device),
                         parse_weight_dev, NULL, (void **)&b->weight_device,
                         &b->n_weight_device, err)) < 0)
    return r;
  for (size_t i = 0; i < NFIELDS(throttle_lists); i++) {
    void **arr = (void **)((char *)b + throttle_lists[i].arr_off);
    size_t *n = (size_t *)((char *)b + throttle_lists[i].n_off);
    if ((r = ju_get_objarr(bo, p, throttle_lists[i].key,
                           sizeof(struct oci_throttle_device), parse_throttle,
                           NULL, arr, n, err)) < 0)
      return r;
  }
  return 1;
}

static void hugepage_free(void *e) {
  free(((struct oci_hugepage_limit *)e)->page_size);
}

static int parse_hugepage(json_object *e, const char *path, void *elem,
                          struct minirt_error *err) {
  struct oci_hugepage_limit *h = elem;
  int r = ju_get_str(e, path, "pageSize", &h->page_size, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "pageSize");
  if ((r = ju_get_u64(e, path, "limit", UINT64_MAX, &h->limit, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "limit");
  return 0;
}

static void netprio_free(void *e) {
  free(((struct oci_net_priority *)e)->name);
}

static int parse_netprio(json_object *e, const char *path, void *elem,
                         struct minirt_error *err) {
  struct oci_net_priority *n = elem;
  int r = ju_get_str(e, path, "name", &n->name, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "name");
  if ((r = ju_get_u32(e, path, "priority", &n->priority, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "priority");
  return 0;
}

static int parse_network(json_object *o, const char *path,
                         struct oci_resources *res, struct minirt_error *err) {
  json_object *no = NULL;
  int r = ju_get_obj(o, path, "network", &no, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "network");
  res->has_network = true;
  if ((r = ju_get_u32(no, p, "classID", &res->class_id, err)) < 0)
    return r;
  res->has_class_id = r > 0;
  return ju_get_objarr(no, p, "priorities", sizeof(struct oci_net_priority),
                       parse_netprio, netprio_free,
                       (void **)&res->net_priorities, &res->n_net_priorities,
                       err);
}

static void rdma_free(void *e) {
  free(((struct oci_rdma_limit *)e)->device);
}

static int parse_rdma(json_object *e, const char *path, const char *key,
                      void *elem, struct minirt_error *err) {
  struct oci_rdma_limit *l = elem;
  if ((l->device = strdup(key)) == NULL)
    return ju_oom(err);
  int r = ju_get_u32(e, path, "hcaHandles", &l->hca_handles, err);
  if (r < 0)
    return r;
  l->has_hca_handles = r > 0;
  if ((r = ju_get_u32(e, path, "hcaObjects", &l->hca_objects, err)) < 0)
    return r;
  l->has_hca_objects = r > 0;
  return 0;
}

static int parse_all(json_object *o, const char *path,
                     struct oci_resources *res, struct minirt_error *err) {
  if (ju_get_objarr(o, path, "devices", sizeof(struct oci_device_cgroup),
                    parse_devcg, devcg_free, (void **)&res->devices,
                    &res->n_devices, err) < 0 ||
      parse_memory(o, path, res, err) < 0 || parse_cpu(o, path, res, err) < 0 ||
      parse_pids(o, path, res, err) < 0 || parse_blkio(o, path, res, err) < 0 ||
      ju_get_objarr(o, path, "hugepageLimits", sizeof(struct oci_hugepage_limit),
                    parse_hugepage, hugepage_free,
                    (void **)&res->hugepage_limits, &res->n_hugepage_limits,
                    err) < 0 ||
      parse_network(o, path, res, err) < 0 ||
      ju_get_objmap(o, path, "rdma", sizeof(struct oci_rdma_limit), parse_rdma,
                    rdma_free, (void **)&res->rdma, &res->n_rdma, err) < 0 ||
      ju_get_kv(o, path, "unified", &res->unified, err) < 0)
    return -EINVAL;
  return 0;
}

int spec_parse_resources(json_object *o, const char *path,
                         struct oci_resources **out, struct minirt_error *err) {
  struct oci_resources *res = calloc(1, sizeof(*res));
  if (res == NULL)
    return ju_oom(err);
  if (parse_all(o, path, res, err) < 0) {
    oci_resources_free(res);
    return err != NULL && err->errnum != 0 ? -err->errnum : -EINVAL;
  }
  *out = res;
  return 0;
}

int oci_resources_parse(const char *data, size_t len,
                        struct oci_resources **out, struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  int r = ju_parse_object(data, len, "resources", &o, err);
  if (r < 0)
    return r;
  return spec_parse_resources(o, "", out, err);
}

void oci_resources_free(struct oci_resources *r) {
  if (r == NULL)
    return;
  ju_free_array(r->devices, r->n_devices, sizeof(*r->devices), devcg_free);
  free(r->memory);
  if (r->cpu != NULL) {
    free(r->cpu->cpus);
    free(r->cpu->mems);
    free(r->cpu);
  }
  if (r->blkio != NULL) {
    free(r->blkio->weight_device);
    free(r->blkio->throttle_read_bps);
    free(r->blkio->throttle_write_bps);
    free(r->blkio->throttle_read_iops);
    free(r->blkio->throttle_write_iops);
    free(r->blkio);
  }
  ju_free_array(r->hugepage_limits, r->n_hugepage_limits,
                sizeof(*r->hugepage_limits), hugepage_free);
  ju_free_array(r->net_priorities, r->n_net_priorities,
                sizeof(*r->net_priorities), netprio_free);
  ju_free_array(r->rdma, r->n_rdma, sizeof(*r->rdma), rdma_free);
  ju_kv_free(&r->unified);
  free(r);
}
