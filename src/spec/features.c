/* `features` (runtime-spec features.md) and `exec --explain` documents. */
#include <errno.h>
#include <stdlib.h>

#include "config.h"
#include "spec/json_util.h"
#include "spec/names.h"
#include "spec/spec_internal.h"
#include "spec/state.h"
#include "util/cleanup.h"

static json_object *new_child(json_object *o, const char *key) {
  json_object *c = json_object_new_object();
  return ju_add(o, key, c) < 0 ? NULL : c;
}

static int add_names(json_object *o, const char *key, const char *const *v) {
  size_t n = 0;
  while (v != NULL && v[n] != NULL)
    n++;
  return ju_add(o, key, ju_strv_array(v, n));
}

static int add_enabled(json_object *o, const char *key, bool enabled) {
  json_object *c = new_child(o, key);
  return c == NULL ? -ENOMEM : ju_add_bool(c, "enabled", enabled);
}

static int add_seccomp(json_object *l, const struct minirt_features_input *in) {
  json_object *s = new_child(l, "seccomp");
  const char *const *supported = in->seccomp_supported_flags != NULL
                                     ? in->seccomp_supported_flags
                                     : oci_seccomp_flag_names;
  if (s == NULL || ju_add_bool(s, "enabled", in->seccomp_enabled) < 0)
    return -ENOMEM;
  if (!in->seccomp_enabled)
    return 0;
  if (add_names(s, "actions", in->seccomp_actions != NULL ? in->seccomp_actions
                                                          : oci_seccomp_action_names) < 0 ||
      add_names(s, "operators", in->seccomp_operators != NULL
                                    ? in->seccomp_operators
                                    : oci_seccomp_op_names) < 0 ||
      add_names(s, "archs", in->seccomp_archs != NULL ? in->seccomp_archs
                                                      : oci_seccomp_arch_names) < 0 ||
      add_names(s, "knownFlags", oci_seccomp_flag_names) < 0 ||
      add_names(s, "supportedFlags", supported) < 0)
    return -ENOMEM;
  return 0;
}

static int add_linux(json_object *o, const struct minirt_features_input *in) {
  json_object *l = new_child(o, "linux"), *cg = NULL, *me = NULL;
  if (l == NULL || add_names(l, "namespaces", oci_ns_names) < 0 ||
      add_names(l, "capabilities", oci_capability_names) < 0 ||
      (cg = new_child(l, "cgroup")) == NULL || ju_add_bool(cg, "v1", true) < 0 ||
      ju_add_bool(cg, "v2", true) < 0 ||
      ju_add_bool(cg, "systemd", in->systemd_cgroup) < 0 ||
      ju_add_bool(cg, "systemdUser", in->systemd_cgroup) < 0 ||
      ju_add_bool(cg, "rdma", in->rdma) < 0 || add_seccomp(l, in) < 0 ||
      add_enabled(l, "apparmor", in->apparmor) < 0 ||
      add_enabled(l, "selinux", in->selinux) < 0 ||
      add_enabled(l, "intelRdt", in->intel_rdt) < 0 ||
      (me = new_child(l, "mountExtensions")) == NULL ||
      add_enabled(me, "idmap", in->idmap_mounts) < 0)
    return -ENOMEM;
  return 0;
}

int minirt_features_to_json(const struct minirt_features_input *in, char **out,
                            struct minirt_error *err) {
  _cleanup_json_ json_object *o = json_object_new_object();
  json_object *a = NULL;
  if (o == NULL || ju_add_str(o, "ociVersionMin", "1.0.0") < 0 ||
      ju_add_str(o, "ociVersionMax", MINIRT_OCI_VERSION) < 0 ||
      add_names(o, "hooks", oci_hook_names) < 0 ||
      add_names(o, "mountOptions", in->mount_options) < 0 ||
      add_linux(o, in) < 0 || (a = new_child(o, "annotations")) == NULL ||
      ju_add_str(a, "org.minirt.version", MINIRT_VERSION) < 0 ||
      ju_add_str(a, "org.minirt.commit", MINIRT_COMMIT) < 0 ||
      /* runc's key for the same fact: podman and containerd read it. */
      ju_add_str(a, "org.opencontainers.runc.checkpoint.enabled",
                 in->checkpoint ? "true" : "false") < 0)
    return ju_oom(err);
  return ju_to_string(o, true, out, err);
}

int oci_explain_to_json(const struct oci_process *p, const char *const *fields,
                        const char *const *sources, size_t n, char **out,
                        struct minirt_error *err) {
  _cleanup_json_ json_object *o = json_object_new_object();
  json_object *proc = NULL, *src = NULL;
  if (o == NULL || spec_write_process(p, &proc) < 0 ||
      ju_add(o, "process", proc) < 0 || (src = new_child(o, "sources")) == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < n; i++)
    if (fields[i] != NULL && ju_add_str(src, fields[i], sources[i]) < 0)
      return ju_oom(err);
  return ju_to_string(o, true, out, err);
}
