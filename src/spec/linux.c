/* config.linux: parsing and freeing (resources and seccomp have their own
 * files). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/names.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

#define SUBPATH(var, path, key)                                                \
  _cleanup_free_ char *var = ju_path_key(path, key);                           \
  if (var == NULL)                                                             \
    return ju_oom(err)

static void ns_free(void *e) {
  free(((struct oci_namespace *)e)->path);
}

static int parse_ns(json_object *e, const char *path, void *elem,
                    struct minirt_error *err) {
  struct oci_namespace *ns = elem;
  _cleanup_free_ char *type = NULL;
  int r = ju_get_str(e, path, "type", &type, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "type");
  int t = oci_ns_type_from_string(type);
  if (t < 0)
    return ju_fail(err, path, "type", "unknown namespace type \"%s\"", type);
  ns->type = (enum oci_ns_type)t;
  if (ju_get_str(e, path, "path", &ns->path, err) < 0 ||
      ju_check_abs(ns->path, path, "path", err) < 0)
    return -EINVAL;
  return 0;
}

static int parse_namespaces(json_object *o, const char *path,
                            struct oci_linux *l, struct minirt_error *err) {
  int r = ju_get_objarr(o, path, "namespaces", sizeof(struct oci_namespace),
                        parse_ns, ns_free, (void **)&l->namespaces,
                        &l->n_namespaces, err);
  if (r <= 0)
    return r;
  for (size_t i = 0; i < l->n_namespaces; i++)
    for (size_t j = 0; j < i; j++)
      if (l->namespaces[i].type == l->namespaces[j].type) {
        SUBPATH(p, path, "namespaces");
        _cleanup_free_ char *pi = ju_path_idx(p, i);
        if (pi == NULL)
          return ju_oom(err);
        return ju_fail(err, pi, NULL, "duplicate \"%s\"",
                       oci_ns_type_to_string(l->namespaces[i].type));
      }
  return 1;
}

static int parse_offset(json_object *o, const char *path, const char *key,
                        struct oci_time_offset *t, struct minirt_error *err) {
  json_object *to = NULL;
  int r = ju_get_obj(o, path, key, &to, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, key);
  if (ju_get_i64(to, p, "secs", INT64_MIN, INT64_MAX, &t->secs, err) < 0)
    return -EINVAL;
  uint64_t ns = 0;
  if ((r = ju_get_u64(to, p, "nanosecs", 999999999, &ns, err)) < 0)
    return r;
  t->nanosecs = (uint32_t)ns;
  return 1;
}

static int parse_time_offsets(json_object *o, const char *path,
                              struct oci_linux *l, struct minirt_error *err) {
  json_object *to = NULL;
  int r = ju_get_obj(o, path, "timeOffsets", &to, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "timeOffsets");
  l->has_time_offsets = true;
  if ((r = parse_offset(to, p, "monotonic", &l->time_monotonic, err)) < 0)
    return r;
  l->has_monotonic = r > 0;
  if ((r = parse_offset(to, p, "boottime", &l->time_boottime, err)) < 0)
    return r;
  l->has_boottime = r > 0;
  return 1;
}

static void device_free(void *e) {
  free(((struct oci_device *)e)->path);
}

static int parse_device(json_object *e, const char *path, void *elem,
                        struct minirt_error *err) {
  struct oci_device *d = elem;
  _cleanup_free_ char *type = NULL;
  int r = ju_get_str(e, path, "path", &d->path, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "path");
  if (ju_check_abs(d->path, path, "path", err) < 0)
    return -EINVAL;
  if ((r = ju_get_str(e, path, "type", &type, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "type");
  if (strlen(type) != 1 || !strchr("cbup", type[0]))
    return ju_fail(err, path, "type", "unknown device type \"%s\"", type);
  d->type = type[0];
  bool need = d->type != 'p';
  if ((r = ju_get_i64(e, path, "major", 0, INT64_MAX, &d->major, err)) < 0)
    return r;
  if (r == 0 && need)
    return ju_required(err, path, "major");
  if ((r = ju_get_i64(e, path, "minor", 0, INT64_MAX, &d->minor, err)) < 0)
    return r;
  if (r == 0 && need)
    return ju_required(err, path, "minor");
  if ((r = ju_get_u32(e, path, "fileMode", &d->file_mode, err)) < 0)
    return r;
  d->has_file_mode = r > 0;
  if ((r = ju_get_u32(e, path, "uid", &d->uid, err)) < 0)
    return r;
  d->has_uid = r > 0;
  if ((r = ju_get_u32(e, path, "gid", &d->gid, err)) < 0)
    return r;
  d->has_gid = r > 0;
  return 0;
}

static int parse_rdt(json_object *o, const char *path, struct oci_linux *l,
                     struct minirt_error *err) {
  json_object *ro = NULL;
  int r = ju_get_obj(o, path, "intelRdt", &ro, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "intelRdt");
  struct oci_intel_rdt *rdt = l->intel_rdt = calloc(1, sizeof(*rdt));
  if (rdt == NULL)
    return ju_oom(err);
  if (ju_get_str(ro, p, "closID", &rdt->clos_id, err) < 0 ||
      ju_get_str(ro, p, "l3CacheSchema", &rdt->l3_cache_schema, err) < 0 ||
      ju_get_str(ro, p, "memBwSchema", &rdt->mem_bw_schema, err) < 0 ||
      ju_get_bool(ro, p, "enableCMT", &rdt->enable_cmt, err) < 0 ||
      ju_get_bool(ro, p, "enableMBM", &rdt->enable_mbm, err) < 0)
    return -EINVAL;
  return 1;
}

static int parse_personality(json_object *o, const char *path,
                             struct oci_linux *l, struct minirt_error *err) {
  json_object *po = NULL;
  int r = ju_get_obj(o, path, "personality", &po, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "personality");
  struct oci_personality *pe = l->personality = calloc(1, sizeof(*pe));
  if (pe == NULL)
    return ju_oom(err);
  if ((r = ju_get_str(po, p, "domain", &pe->domain, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "domain");
  if (!oci_name_known(oci_personality_domain_names, pe->domain))
    return ju_fail(err, p, "domain", "unknown personality domain \"%s\"",
                   pe->domain);
  return ju_get_strv(po, p, "flags", &pe->flags, err);
}

static void netdev_free(void *e) {
  struct oci_net_device *d = e;
  free(d->host_name);
  free(d->name);
}

static int parse_netdev(json_object *e, const char *path, const char *key,
                        void *elem, struct minirt_error *err) {
  struct oci_net_device *d = elem;
  if ((d->host_name = strdup(key)) == NULL)
    return ju_oom(err);
  return ju_get_str(e, path, "name", &d->name, err);
}

static int parse_mempolicy(json_object *o, const char *path,
                           struct oci_linux *l, struct minirt_error *err) {
  json_object *mo = NULL;
  int r = ju_get_obj(o, path, "memoryPolicy", &mo, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "memoryPolicy");
  struct oci_memory_policy *m = l->memory_policy = calloc(1, sizeof(*m));
  if (m == NULL)
    return ju_oom(err);
  if ((r = ju_get_str(mo, p, "mode", &m->mode, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "mode");
  if (!oci_name_known(oci_mpol_mode_names, m->mode))
    return ju_fail(err, p, "mode", "unknown memory policy mode \"%s\"", m->mode);
  if (ju_get_str(mo, p, "nodes", &m->nodes, err) < 0 ||
      ju_get_strv(mo, p, "flags", &m->flags, err) < 0)
    return -EINVAL;
  return ju_check_strv_names(&m->flags, oci_mpol_flag_names, p, "flags",
                             "memory policy flag", err);
}

static int parse_paths(json_object *o, const char *path, struct oci_linux *l,
                       struct minirt_error *err) {
  if (ju_get_strv(o, path, "maskedPaths", &l->masked_paths, err) < 0 ||
      ju_get_strv(o, path, "readonlyPaths", &l->readonly_paths, err) < 0)
    return -EINVAL;
  const char *keys[] = {"maskedPaths", "readonlyPaths"};
  const struct oci_strv *lists[] = {&l->masked_paths, &l->readonly_paths};
  for (size_t k = 0; k < 2; k++)
    for (size_t i = 0; i < lists[k]->n; i++)
      if (lists[k]->v[i][0] != '/') {
        SUBPATH(p, path, keys[k]);
        _cleanup_free_ char *pi = ju_path_idx(p, i);
        if (pi == NULL)
          return ju_oom(err);
        return ju_fail(err, pi, NULL, "must be an absolute path");
      }
  return 0;
}

static int parse_subobjects(json_object *o, const char *path,
                            struct oci_linux *l, struct minirt_error *err) {
  json_object *sub = NULL;
  int r = ju_get_obj(o, path, "resources", &sub, err);
  if (r < 0)
    return r;
  if (r > 0) {
    SUBPATH(p, path, "resources");
    if ((r = spec_parse_resources(sub, p, &l->resources, err)) < 0)
      return r;
  }
  sub = NULL;
  if ((r = ju_get_obj(o, path, "seccomp", &sub, err)) < 0)
    return r;
  if (r > 0) {
    SUBPATH(p, path, "seccomp");
    if ((r = spec_parse_seccomp(sub, p, &l->seccomp, err)) < 0)
      return r;
  }
  return 0;
}

static int parse_all(json_object *o, const char *path, struct oci_linux *l,
                     struct minirt_error *err) {
  if (parse_namespaces(o, path, l, err) < 0 ||
      ju_get_idmaps(o, path, "uidMappings", &l->uid_mappings,
                    &l->n_uid_mappings, err) < 0 ||
      ju_get_idmaps(o, path, "gidMappings", &l->gid_mappings,
                    &l->n_gid_mappings, err) < 0 ||
      parse_time_offsets(o, path, l, err) < 0 ||
      ju_get_objarr(o, path, "devices", sizeof(struct oci_device), parse_device,
                    device_free, (void **)&l->devices, &l->n_devices, err) < 0 ||
      ju_get_str(o, path, "cgroupsPath", &l->cgroups_path, err) < 0 ||
      parse_subobjects(o, path, l, err) < 0 || parse_rdt(o, path, l, err) < 0 ||
      ju_get_kv(o, path, "sysctl", &l->sysctl, err) < 0 ||
      ju_get_str(o, path, "rootfsPropagation", &l->rootfs_propagation, err) < 0)
    return -EINVAL;
  if (l->rootfs_propagation != NULL &&
      !oci_name_known(oci_propagation_names, l->rootfs_propagation))
    return ju_fail(err, path, "rootfsPropagation",
                   "unknown rootfs propagation \"%s\"", l->rootfs_propagation);
  if (parse_paths(o, path, l, err) < 0 ||
      ju_get_str(o, path, "mountLabel", &l->mount_label, err) < 0 ||
      parse_personality(o, path, l, err) < 0 ||
      ju_get_objmap(o, path, "netDevices", sizeof(struct oci_net_device),
                    parse_netdev, netdev_free, (void **)&l->net_devices,
                    &l->n_net_devices, err) < 0 ||
      parse_mempolicy(o, path, l, err) < 0)
    return -EINVAL;
  return 0;
}

int spec_parse_linux(json_object *o, const char *path, struct oci_linux **out,
                     struct minirt_error *err) {
  struct oci_linux *l = calloc(1, sizeof(*l));
  if (l == NULL)
    return ju_oom(err);
  if (parse_all(o, path, l, err) < 0) {
    spec_linux_free(l);
    return err != NULL && err->errnum != 0 ? -err->errnum : -EINVAL;
  }
  *out = l;
  return 0;
}

void spec_linux_free(struct oci_linux *l) {
  if (l == NULL)
    return;
  ju_free_array(l->namespaces, l->n_namespaces, sizeof(*l->namespaces),
                ns_free);
  free(l->uid_mappings);
  free(l->gid_mappings);
  ju_free_array(l->devices, l->n_devices, sizeof(*l->devices), device_free);
  free(l->cgroups_path);
  oci_resources_free(l->resources);
  if (l->intel_rdt != NULL) {
    free(l->intel_rdt->clos_id);
    free(l->intel_rdt->l3_cache_schema);
    free(l->intel_rdt->mem_bw_schema);
    free(l->intel_rdt);
  }
  ju_kv_free(&l->sysctl);
  spec_seccomp_free(l->seccomp);
  free(l->rootfs_propagation);
  ju_strv_free(&l->masked_paths);
  ju_strv_free(&l->readonly_paths);
  free(l->mount_label);
  if (l->personality != NULL) {
    free(l->personality->domain);
    ju_strv_free(&l->personality->flags);
    free(l->personality);
  }
  ju_free_array(l->net_devices, l->n_net_devices, sizeof(*l->net_devices),
                netdev_free);
  if (l->memory_policy != NULL) {
    free(l->memory_policy->mode);
    free(l->memory_policy->nodes);
    ju_strv_free(&l->memory_policy->flags);
    free(l->memory_policy);
  }
  free(l);
}
