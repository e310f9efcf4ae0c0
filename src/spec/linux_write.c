/* config.linux -> JSON. */
#include <errno.h>
#include <stdlib.h>

#include "spec/json_util.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

static json_object *new_child(json_object *o, const char *key) {
  json_object *c = json_object_new_object();
  return ju_add(o, key, c) < 0 ? NULL : c;
}

static int write_ns(const void *elem, json_object *o) {
  const struct oci_namespace *ns = elem;
  if (ju_add_str(o, "type", oci_ns_type_to_string(ns->type)) < 0 ||
      ju_add_str(o, "path", ns->path) < 0)
    return -ENOMEM;
  return 0;
}

static int write_offset(json_object *o, const char *key,
                        const struct oci_time_offset *t) {
  json_object *c = new_child(o, key);
  if (c == NULL || ju_add_i64(c, "secs", t->secs) < 0 ||
      ju_add_u64(c, "nanosecs", t->nanosecs) < 0)
    return -ENOMEM;
  return 0;
}

static int write_time_offsets(json_object *o, const struct oci_linux *l) {
  if (!l->has_time_offsets && !l->has_monotonic && !l->has_boottime)
    return 0;
  json_object *c = new_child(o, "timeOffsets");
  if (c == NULL ||
      (l->has_monotonic && write_offset(c, "monotonic", &l->time_monotonic) < 0) ||
      (l->has_boottime && write_offset(c, "boottime", &l->time_boottime) < 0))
    return -ENOMEM;
  return 0;
}

static int write_device(const void *elem, json_object *o) {
  const struct oci_device *d = elem;
  char type[2] = {d->type, '\0'};
  bool numbers = d->type != 'p' || d->major != 0 || d->minor != 0;
  if (ju_add_str(o, "path", d->path) < 0 || ju_add_str(o, "type", type) < 0 ||
      (numbers && (ju_add_i64(o, "major", d->major) < 0 ||
                   ju_add_i64(o, "minor", d->minor) < 0)) ||
      (d->has_file_mode && ju_add_u64(o, "fileMode", d->file_mode) < 0) ||
      (d->has_uid && ju_add_u64(o, "uid", d->uid) < 0) ||
      (d->has_gid && ju_add_u64(o, "gid", d->gid) < 0))
    return -ENOMEM;
  return 0;
}

static int write_subobjects(json_object *o, const struct oci_linux *l) {
  json_object *sub = NULL;
  if (l->resources != NULL &&
      (spec_write_resources(l->resources, &sub) < 0 ||
       ju_add(o, "resources", sub) < 0))
    return -ENOMEM;
  if (l->intel_rdt != NULL) {
    const struct oci_intel_rdt *r = l->intel_rdt;
    json_object *c = new_child(o, "intelRdt");
    if (c == NULL || ju_add_str(c, "closID", r->clos_id) < 0 ||
        ju_add_str(c, "l3CacheSchema", r->l3_cache_schema) < 0 ||
        ju_add_str(c, "memBwSchema", r->mem_bw_schema) < 0 ||
        (r->enable_cmt && ju_add_bool(c, "enableCMT", true) < 0) ||
        (r->enable_mbm && ju_add_bool(c, "enableMBM", true) < 0))
      return -ENOMEM;
  }
  if (ju_add_kv(o, "sysctl", &l->sysctl) < 0)
    return -ENOMEM;
  sub = NULL;
  if (l->seccomp != NULL &&
      (spec_write_seccomp(l->seccomp, &sub) < 0 || ju_add(o, "seccomp", sub) < 0))
    return -ENOMEM;
  return 0;
}

static int write_tail(json_object *o, const struct oci_linux *l) {
  if (l->personality != NULL) {
    json_object *c = new_child(o, "personality");
    if (c == NULL || ju_add_str(c, "domain", l->personality->domain) < 0 ||
        ju_add_strv(c, "flags", &l->personality->flags) < 0)
      return -ENOMEM;
  }
  if (l->net_devices != NULL) {
    json_object *c = new_child(o, "netDevices");
    if (c == NULL)
      return -ENOMEM;
    for (size_t i = 0; i < l->n_net_devices; i++) {
      json_object *d = new_child(c, l->net_devices[i].host_name);
      if (d == NULL || ju_add_str(d, "name", l->net_devices[i].name) < 0)
        return -ENOMEM;
    }
  }
  if (l->memory_policy != NULL) {
    json_object *c = new_child(o, "memoryPolicy");
    if (c == NULL || ju_add_str(c, "mode", l->memory_policy->mode) < 0 ||
        ju_add_str(c, "nodes", l->memory_policy->nodes) < 0 ||
        ju_add_strv(c, "flags", &l->memory_policy->flags) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int write_all(json_object *o, const struct oci_linux *l) {
  if (ju_add_objarr(o, "namespaces", l->namespaces, l->n_namespaces,
                    sizeof(*l->namespaces), write_ns) < 0 ||
      ju_add_idmaps(o, "uidMappings", l->uid_mappings, l->n_uid_mappings) < 0 ||
      ju_add_idmaps(o, "gidMappings", l->gid_mappings, l->n_gid_mappings) < 0 ||
      write_time_offsets(o, l) < 0 ||
      ju_add_objarr(o, "devices", l->devices, l->n_devices,
                    sizeof(*l->devices), write_device) < 0 ||
      ju_add_str(o, "cgroupsPath", l->cgroups_path) < 0 ||
      write_subobjects(o, l) < 0 ||
      ju_add_str(o, "rootfsPropagation", l->rootfs_propagation) < 0 ||
      ju_add_strv(o, "maskedPaths", &l->masked_paths) < 0 ||
      ju_add_strv(o, "readonlyPaths", &l->readonly_paths) < 0 ||
      ju_add_str(o, "mountLabel", l->mount_label) < 0 || write_tail(o, l) < 0)
    return -ENOMEM;
  return 0;
}

int spec_write_linux(const struct oci_linux *l, json_object **out) {
  json_object *o = json_object_new_object();
  if (o == NULL)
    return -ENOMEM;
  if (write_all(o, l) < 0) {
    json_object_put(o);
    return -ENOMEM;
  }
  *out = o;
  return 0;
}
