/* linux.resources -> JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/resources_fields.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

static int write_devcg(const void *elem, json_object *o) {
  const struct oci_device_cgroup *d = elem;
  if (ju_add_bool(o, "allow", d->allow) < 0 || ju_add_str(o, "type", d->type) < 0 ||
      (d->has_major && ju_add_i64(o, "major", d->major) < 0) ||
      (d->has_minor && ju_add_i64(o, "minor", d->minor) < 0) ||
      ju_add_str(o, "access", d->access) < 0)
    return -ENOMEM;
  return 0;
}

static json_object *new_child(json_object *o, const char *key) {
  json_object *c = json_object_new_object();
  return ju_add(o, key, c) < 0 ? NULL : c;
}

static int write_weight_dev(const void *elem, json_object *o) {
  return ju_add_fields(o, elem, weight_dev_fields, NFIELDS(weight_dev_fields));
}

static int write_throttle(const void *elem, json_object *o) {
  return ju_add_fields(o, elem, throttle_fields, NFIELDS(throttle_fields));
}

static int write_blkio(json_object *o, const struct oci_blkio *b) {
  json_object *bo = new_child(o, "blockIO");
  if (bo == NULL ||
      ju_add_fields(bo, b, blkio_fields, NFIELDS(blkio_fields)) < 0 ||
      ju_add_objarr(bo, "weightDevice", b->weight_device, b->n_weight_device,
                    sizeof(*b->weight_device), write_weight_dev) < 0)
    return -ENOMEM;
  for (size_t i = 0; i < NFIELDS(throttle_lists); i++) {
    const void *arr =
        *(void *const *)((const char *)b + throttle_lists[i].arr_off);
    size_t n = *(const size_t *)((const char *)b + throttle_lists[i].n_off);
    if (ju_add_objarr(bo, throttle_lists[i].key, arr, n,
                      sizeof(struct oci_throttle_device), write_throttle) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int write_hugepage(const void *elem, json_object *o) {
  const struct oci_hugepage_limit *h = elem;
  if (ju_add_str(o, "pageSize", h->page_size) < 0 ||
      ju_add_u64(o, "limit", h->limit) < 0)
    return -ENOMEM;
  return 0;
}

static int write_netprio(const void *elem, json_object *o) {
  const struct oci_net_priority *n = elem;
  if (ju_add_str(o, "name", n->name) < 0 ||
      ju_add_u64(o, "priority", n->priority) < 0)
    return -ENOMEM;
  return 0;
}

static int write_network(json_object *o, const struct oci_resources *r) {
  if (!r->has_network && !r->has_class_id && r->net_priorities == NULL)
    return 0;
  json_object *no = new_child(o, "network");
  if (no == NULL || (r->has_class_id && ju_add_u64(no, "classID", r->class_id) < 0) ||
      ju_add_objarr(no, "priorities", r->net_priorities, r->n_net_priorities,
                    sizeof(*r->net_priorities), write_netprio) < 0)
    return -ENOMEM;
  return 0;
}

static int write_rdma(json_object *o, const struct oci_resources *r) {
  if (r->rdma == NULL)
    return 0;
  json_object *ro = new_child(o, "rdma");
  if (ro == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < r->n_rdma; i++) {
    const struct oci_rdma_limit *l = &r->rdma[i];
    json_object *e = new_child(ro, l->device);
    if (e == NULL ||
        (l->has_hca_handles && ju_add_u64(e, "hcaHandles", l->hca_handles) < 0) ||
        (l->has_hca_objects && ju_add_u64(e, "hcaObjects", l->hca_objects) < 0))
      return -ENOMEM;
  }
  return 0;
}

static int write_all(json_object *o, const struct oci_resources *r) {
  json_object *c;
  if (ju_add_objarr(o, "devices", r->devices, r->n_devices,
                    sizeof(*r->devices), write_devcg) < 0)
    return -ENOMEM;
  if (r->memory != NULL &&
      ((c = new_child(o, "memory")) == NULL ||
       ju_add_fields(c, r->memory, memory_fields, NFIELDS(memory_fields)) < 0))
    return -ENOMEM;
  if (r->cpu != NULL &&
      ((c = new_child(o, "cpu")) == NULL ||
       ju_add_fields(c, r->cpu, cpu_fields, NFIELDS(cpu_fields)) < 0 ||
       ju_add_str(c, "cpus", r->cpu->cpus) < 0 ||
       ju_add_str(c, "mems", r->cpu->mems) < 0))
    return -ENOMEM;
  if (r->has_pids && ((c = new_child(o, "pids")) == NULL ||
                      ju_add_i64(c, "limit", r->pids_limit) < 0))
    return -ENOMEM;
  if (r->blkio != NULL && write_blkio(o, r->blkio) < 0)
    return -ENOMEM;
  if (ju_add_objarr(o, "hugepageLimits", r->hugepage_limits,
                    r->n_hugepage_limits, sizeof(*r->hugepage_limits),
                    write_hugepage) < 0 ||
      write_network(o, r) < 0 || write_rdma(o, r) < 0 ||
      ju_add_kv(o, "unified", &r->unified) < 0)
    return -ENOMEM;
  return 0;
}

int spec_write_resources(const struct oci_resources *r, json_object **out) {
  json_object *o = json_object_new_object();
  if (o == NULL)
    return -ENOMEM;
  if (write_all(o, r) < 0) {
    json_object_put(o);
    return -ENOMEM;
  }
  *out = o;
  return 0;
}

int oci_resources_to_json(const struct oci_resources *r, char **out,
                          struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  if (spec_write_resources(r, &o) < 0)
    return ju_oom(err);
  return ju_to_string(o, true, out, err);
}

/* The path of the first leaf under `o`, appended to `buf`. */
static bool first_leaf(json_object *o, char *buf, size_t size) {
  size_t len = strlen(buf);
  if (json_object_is_type(o, json_type_object)) {
    json_object_object_foreach(o, key, val) {
      snprintf(buf + len, size - len, ".%s", key);
      if (first_leaf(val, buf, size))
        return true;
      buf[len] = '\0';
    }
    return false;
  }
  if (json_object_is_type(o, json_type_array)) {
    if (json_object_array_length(o) == 0)
      return false;
    snprintf(buf + len, size - len, "[0]");
    if (first_leaf(json_object_array_get_idx(o, 0), buf, size))
      return true;
    buf[len] = '\0';
    return false;
  }
  return true;
}

int oci_resources_first_set(const struct oci_resources *r, char **path,
                            struct minirt_error *err) {
  *path = NULL;
  if (r == NULL)
    return 0;
  /* Read back from the writer, so that no field can be set without being
   * named here. */
  _cleanup_json_ json_object *o = NULL;
  if (spec_write_resources(r, &o) < 0)
    return ju_oom(err);
  char buf[256] = "linux.resources";
  if (!first_leaf(o, buf, sizeof buf))
    return 0;
  *path = strdup(buf);
  return *path != NULL ? 1 : ju_oom(err);
}
