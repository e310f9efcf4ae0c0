/* linux.seccomp: parsing, writing, freeing. The names are checked here; the
 * Linux layer maps them to libseccomp values. */
#include <errno.h>
#include <stdlib.h>

#include "spec/json_util.h"
#include "spec/names.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

static void arg_free(void *e) {
  free(((struct oci_seccomp_arg *)e)->op);
}

static int parse_arg(json_object *e, const char *path, void *elem,
                     struct minirt_error *err) {
  struct oci_seccomp_arg *a = elem;
  uint64_t idx = 0;
  int r = ju_get_u64(e, path, "index", 5, &idx, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "index");
  a->index = (uint32_t)idx;
  if ((r = ju_get_u64(e, path, "value", UINT64_MAX, &a->value, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "value");
  if ((r = ju_get_u64(e, path, "valueTwo", UINT64_MAX, &a->value_two, err)) < 0)
    return r;
  if ((r = ju_get_str(e, path, "op", &a->op, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "op");
  if (!oci_name_known(oci_seccomp_op_names, a->op))
    return ju_fail(err, path, "op", "unknown seccomp operator \"%s\"", a->op);
  return 0;
}

static void syscall_free(void *e) {
  struct oci_seccomp_syscall *s = e;
  ju_strv_free(&s->names);
  free(s->action);
  ju_free_array(s->args, s->n_args, sizeof(*s->args), arg_free);
}

static int parse_syscall(json_object *e, const char *path, void *elem,
                         struct minirt_error *err) {
  struct oci_seccomp_syscall *s = elem;
  int r = ju_get_strv(e, path, "names", &s->names, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "names");
  if (s->names.n == 0)
    return ju_fail(err, path, "names", "must not be empty");
  if ((r = ju_get_str(e, path, "action", &s->action, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "action");
  if (!oci_name_known(oci_seccomp_action_names, s->action))
    return ju_fail(err, path, "action", "unknown seccomp action \"%s\"",
                   s->action);
  if ((r = ju_get_u32(e, path, "errnoRet", &s->errno_ret, err)) < 0)
    return r;
  s->has_errno_ret = r > 0;
  return ju_get_objarr(e, path, "args", sizeof(struct oci_seccomp_arg),
                       parse_arg, arg_free, (void **)&s->args, &s->n_args, err);
}

static int parse_all(json_object *o, const char *path, struct oci_seccomp *s,
                     struct minirt_error *err) {
  int r = ju_get_str(o, path, "defaultAction", &s->default_action, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "defaultAction");
  if (!oci_name_known(oci_seccomp_action_names, s->default_action))
    return ju_fail(err, path, "defaultAction", "unknown seccomp action \"%s\"",
                   s->default_action);
  if ((r = ju_get_u32(o, path, "defaultErrnoRet", &s->default_errno_ret,
                      err)) < 0)
    return r;
  s->has_default_errno_ret = r > 0;
  if (ju_get_strv(o, path, "architectures", &s->architectures, err) < 0 ||
      ju_check_strv_names(&s->architectures, oci_seccomp_arch_names, path,
                          "architectures", "seccomp architecture", err) < 0 ||
      ju_get_strv(o, path, "flags", &s->flags, err) < 0 ||
      ju_check_strv_names(&s->flags, oci_seccomp_flag_names, path, "flags",
                          "seccomp flag", err) < 0 ||
      ju_get_str(o, path, "listenerPath", &s->listener_path, err) < 0 ||
      ju_check_abs(s->listener_path, path, "listenerPath", err) < 0 ||
      ju_get_str(o, path, "listenerMetadata", &s->listener_metadata, err) < 0)
    return -EINVAL;
  return ju_get_objarr(o, path, "syscalls", sizeof(struct oci_seccomp_syscall),
                       parse_syscall, syscall_free, (void **)&s->syscalls,
                       &s->n_syscalls, err);
}

int spec_parse_seccomp(json_object *o, const char *path,
                       struct oci_seccomp **out, struct minirt_error *err) {
  struct oci_seccomp *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return ju_oom(err);
  if (parse_all(o, path, s, err) < 0) {
    spec_seccomp_free(s);
    return err != NULL && err->errnum != 0 ? -err->errnum : -EINVAL;
  }
  *out = s;
  return 0;
}

void spec_seccomp_free(struct oci_seccomp *s) {
  if (s == NULL)
    return;
  free(s->default_action);
  ju_strv_free(&s->architectures);
  ju_strv_free(&s->flags);
  free(s->listener_path);
  free(s->listener_metadata);
  ju_free_array(s->syscalls, s->n_syscalls, sizeof(*s->syscalls), syscall_free);
  free(s);
}

static int write_arg(const void *elem, json_object *o) {
  const struct oci_seccomp_arg *a = elem;
  if (ju_add_u64(o, "index", a->index) < 0 || ju_add_u64(o, "value", a->value) < 0 ||
      (a->value_two != 0 && ju_add_u64(o, "valueTwo", a->value_two) < 0) ||
      ju_add_str(o, "op", a->op) < 0)
    return -ENOMEM;
  return 0;
}

static int write_syscall(const void *elem, json_object *o) {
  const struct oci_seccomp_syscall *s = elem;
  if (ju_add_strv(o, "names", &s->names) < 0 ||
      ju_add_str(o, "action", s->action) < 0 ||
      (s->has_errno_ret && ju_add_u64(o, "errnoRet", s->errno_ret) < 0) ||
      ju_add_objarr(o, "args", s->args, s->n_args, sizeof(*s->args),
                    write_arg) < 0)
    return -ENOMEM;
  return 0;
}

int spec_write_seccomp(const struct oci_seccomp *s, json_object **out) {
  _cleanup_json_ json_object *o = json_object_new_object();
  if (o == NULL || ju_add_str(o, "defaultAction", s->default_action) < 0 ||
      (s->has_default_errno_ret &&
       ju_add_u64(o, "defaultErrnoRet", s->default_errno_ret) < 0) ||
      ju_add_strv(o, "architectures", &s->architectures) < 0 ||
      ju_add_strv(o, "flags", &s->flags) < 0 ||
      ju_add_str(o, "listenerPath", s->listener_path) < 0 ||
      ju_add_str(o, "listenerMetadata", s->listener_metadata) < 0 ||
      ju_add_objarr(o, "syscalls", s->syscalls, s->n_syscalls,
                    sizeof(*s->syscalls), write_syscall) < 0)
    return -ENOMEM;
  *out = steal_pointer(&o);
  return 0;
}
