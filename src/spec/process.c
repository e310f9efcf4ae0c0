/* process: the object of config.process and of `exec --process` files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/names.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const struct {
  const char *key;
  uint32_t bit;
} present_keys[] = {
    {"terminal", OCI_PROC_TERMINAL},
    {"consoleSize", OCI_PROC_CONSOLE_SIZE},
    {"user", OCI_PROC_USER},
    {"args", OCI_PROC_ARGS},
    {"commandLine", OCI_PROC_COMMAND_LINE},
    {"env", OCI_PROC_ENV},
    {"cwd", OCI_PROC_CWD},
    {"capabilities", OCI_PROC_CAPABILITIES},
    {"rlimits", OCI_PROC_RLIMITS},
    {"noNewPrivileges", OCI_PROC_NO_NEW_PRIVILEGES},
    {"apparmorProfile", OCI_PROC_APPARMOR},
    {"oomScoreAdj", OCI_PROC_OOM_SCORE_ADJ},
    {"scheduler", OCI_PROC_SCHEDULER},
    {"selinuxLabel", OCI_PROC_SELINUX_LABEL},
    {"ioPriority", OCI_PROC_IO_PRIORITY},
    {"execCPUAffinity", OCI_PROC_EXEC_CPU_AFFINITY},
};

/* Runs a sub-object parser on o[key] with its path; 0 when absent. */
#define SUBPATH(var, path, key)                                                \
  _cleanup_free_ char *var = ju_path_key(path, key);                           \
  if (var == NULL)                                                             \
    return ju_oom(err)

static int parse_console(json_object *o, const char *path,
                         struct oci_console_size *cs, struct minirt_error *err) {
  json_object *c = NULL;
  int r = ju_get_obj(o, path, "consoleSize", &c, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "consoleSize");
  if ((r = ju_get_u32(c, p, "height", &cs->height, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "height");
  if ((r = ju_get_u32(c, p, "width", &cs->width, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "width");
  return 1;
}

static int parse_user(json_object *o, const char *path, struct oci_user *u,
                      struct minirt_error *err) {
  json_object *uo = NULL, *gids = NULL;
  int r = ju_get_obj(o, path, "user", &uo, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "user");
  /* uid and gid default to 0 when left out, as in runc and crun. */
  if (ju_get_u32(uo, p, "uid", &u->uid, err) < 0 ||
      ju_get_u32(uo, p, "gid", &u->gid, err) < 0)
    return -EINVAL;
  if ((r = ju_get_u32(uo, p, "umask", &u->umask, err)) < 0)
    return r;
  u->has_umask = r > 0;
  if ((r = ju_get_str(uo, p, "username", &u->username, err)) < 0)
    return r;
  if ((r = ju_get_arr(uo, p, "additionalGids", &gids, err)) <= 0)
    return r < 0 ? r : 1;
  size_t n = json_object_array_length(gids);
  u->additional_gids = calloc(n ? n : 1, sizeof(uint32_t));
  if (u->additional_gids == NULL)
    return ju_oom(err);
  SUBPATH(pg, p, "additionalGids");
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *pi = ju_path_idx(pg, i);
    uint64_t v = 0;
    if (pi == NULL)
      return ju_oom(err);
    if ((r = ju_value_u64(json_object_array_get_idx(gids, i), pi, UINT32_MAX,
                          &v, err)) < 0)
      return r;
    u->additional_gids[i] = (uint32_t)v;
    u->n_additional_gids = i + 1;
  }
  return 1;
}

static int parse_caps(json_object *o, const char *path,
                      struct oci_capabilities **out, struct minirt_error *err) {
  json_object *co = NULL;
  int r = ju_get_obj(o, path, "capabilities", &co, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "capabilities");
  struct oci_capabilities *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return ju_oom(err);
  *out = c;
  static const char *const keys[] = {"bounding", "effective", "inheritable",
                                     "permitted", "ambient"};
  struct oci_strv *sets[] = {&c->bounding, &c->effective, &c->inheritable,
                             &c->permitted, &c->ambient};
  bool *has[] = {&c->has_bounding, &c->has_effective, &c->has_inheritable,
                 &c->has_permitted, &c->has_ambient};
  for (size_t i = 0; i < 5; i++) {
    if ((r = ju_get_strv(co, p, keys[i], sets[i], err)) < 0)
      return r;
    *has[i] = r > 0;
    if ((r = ju_check_strv_names(sets[i], oci_capability_names, p, keys[i],
                                 "capability", err)) < 0)
      return r;
  }
  return 1;
}

static void rlimit_free(void *e) {
  free(((struct oci_rlimit *)e)->type);
}

static int parse_rlimit(json_object *e, const char *path, void *elem,
                        struct minirt_error *err) {
  struct oci_rlimit *rl = elem;
  int r = ju_get_str(e, path, "type", &rl->type, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "type");
  rl->resource = oci_rlimit_from_string(rl->type);
  if (rl->resource < 0)
    return ju_fail(err, path, "type", "unknown rlimit \"%s\"", rl->type);
  if ((r = ju_get_u64(e, path, "soft", UINT64_MAX, &rl->soft, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "soft");
  if ((r = ju_get_u64(e, path, "hard", UINT64_MAX, &rl->hard, err)) <= 0)
    return r < 0 ? r : ju_required(err, path, "hard");
  return 0;
}

static int parse_rlimits(json_object *o, const char *path,
                         struct oci_process *proc, struct minirt_error *err) {
  int r = ju_get_objarr(o, path, "rlimits", sizeof(struct oci_rlimit),
                        parse_rlimit, rlimit_free, (void **)&proc->rlimits,
                        &proc->n_rlimits, err);
  if (r <= 0)
    return r;
  for (size_t i = 0; i < proc->n_rlimits; i++)
    for (size_t j = 0; j < i; j++)
      if (proc->rlimits[i].resource == proc->rlimits[j].resource) {
        SUBPATH(p, path, "rlimits");
        _cleanup_free_ char *pi = ju_path_idx(p, i);
        if (pi == NULL)
          return ju_oom(err);
        return ju_fail(err, pi, NULL, "duplicate \"%s\"",
                       proc->rlimits[i].type);
      }
  return 1;
}

static int parse_scheduler(json_object *o, const char *path,
                           struct oci_scheduler **out,
                           struct minirt_error *err) {
  json_object *so = NULL;
  int r = ju_get_obj(o, path, "scheduler", &so, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "scheduler");
  struct oci_scheduler *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return ju_oom(err);
  *out = s;
  if ((r = ju_get_str(so, p, "policy", &s->policy, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "policy");
  if (!oci_name_known(oci_sched_policy_names, s->policy))
    return ju_fail(err, p, "policy", "unknown scheduler policy \"%s\"",
                   s->policy);
  if (ju_get_i32(so, p, "nice", &s->nice, err) < 0 ||
      ju_get_i32(so, p, "priority", &s->priority, err) < 0 ||
      ju_get_strv(so, p, "flags", &s->flags, err) < 0 ||
      ju_check_strv_names(&s->flags, oci_sched_flag_names, p, "flags",
                          "scheduler flag", err) < 0 ||
      ju_get_u64(so, p, "runtime", UINT64_MAX, &s->runtime, err) < 0 ||
      ju_get_u64(so, p, "deadline", UINT64_MAX, &s->deadline, err) < 0 ||
      ju_get_u64(so, p, "period", UINT64_MAX, &s->period, err) < 0)
    return -EINVAL;
  if (s->nice < -20 || s->nice > 19)
    return ju_fail(err, p, "nice", "%d out of range [-20, 19]", s->nice);
  return 1;
}

static int parse_ioprio(json_object *o, const char *path,
                        struct oci_io_priority **out, struct minirt_error *err) {
  json_object *io = NULL;
  int r = ju_get_obj(o, path, "ioPriority", &io, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "ioPriority");
  struct oci_io_priority *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return ju_oom(err);
  *out = s;
  if ((r = ju_get_str(io, p, "class", &s->class_, err)) <= 0)
    return r < 0 ? r : ju_required(err, p, "class");
  if (!oci_name_known(oci_ioprio_class_names, s->class_))
    return ju_fail(err, p, "class", "unknown ioPriority class \"%s\"",
                   s->class_);
  int64_t prio = 0;
  if ((r = ju_get_i64(io, p, "priority", 0, 7, &prio, err)) < 0)
    return r;
  s->priority = (int32_t)prio;
  return 1;
}

static int parse_affinity(json_object *o, const char *path,
                          struct oci_cpu_affinity **out,
                          struct minirt_error *err) {
  json_object *ao = NULL;
  int r = ju_get_obj(o, path, "execCPUAffinity", &ao, err);
  if (r <= 0)
    return r;
  SUBPATH(p, path, "execCPUAffinity");
  struct oci_cpu_affinity *a = calloc(1, sizeof(*a));
  if (a == NULL)
    return ju_oom(err);
  *out = a;
  if (ju_get_str(ao, p, "initial", &a->initial, err) < 0 ||
      ju_get_str(ao, p, "final", &a->final, err) < 0)
    return -EINVAL;
  return 1;
}

static int parse_scalars(json_object *o, const char *path,
                         struct oci_process *p, struct minirt_error *err) {
  int64_t oom = 0;
  int r;
  if (ju_get_bool(o, path, "terminal", &p->terminal, err) < 0 ||
      ju_get_strv(o, path, "args", &p->args, err) < 0 ||
      ju_get_str(o, path, "commandLine", &p->command_line, err) < 0 ||
      ju_get_strv(o, path, "env", &p->env, err) < 0 ||
      ju_get_str(o, path, "cwd", &p->cwd, err) < 0 ||
      ju_check_abs(p->cwd, path, "cwd", err) < 0 ||
      ju_get_bool(o, path, "noNewPrivileges", &p->no_new_privileges, err) < 0 ||
      ju_get_str(o, path, "apparmorProfile", &p->apparmor_profile, err) < 0 ||
      ju_get_str(o, path, "selinuxLabel", &p->selinux_label, err) < 0)
    return -EINVAL;
  if ((r = ju_get_i64(o, path, "oomScoreAdj", -1000, 1000, &oom, err)) < 0)
    return r;
  p->oom_score_adj = (int)oom;
  return 0;
}

int spec_parse_process(json_object *o, const char *path,
                       struct oci_process **out, struct minirt_error *err) {
  struct oci_process *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < sizeof(present_keys) / sizeof(present_keys[0]); i++)
    if (ju_lookup(o, present_keys[i].key) != NULL)
      p->present |= present_keys[i].bit;
  if (parse_scalars(o, path, p, err) < 0 ||
      parse_console(o, path, &p->console_size, err) < 0 ||
      parse_user(o, path, &p->user, err) < 0 ||
      parse_caps(o, path, &p->capabilities, err) < 0 ||
      parse_rlimits(o, path, p, err) < 0 ||
      parse_scheduler(o, path, &p->scheduler, err) < 0 ||
      parse_ioprio(o, path, &p->io_priority, err) < 0 ||
      parse_affinity(o, path, &p->exec_cpu_affinity, err) < 0) {
    oci_process_free(p);
    return err != NULL && err->errnum != 0 ? -err->errnum : -EINVAL;
  }
  *out = p;
  return 0;
}

int oci_process_parse(const char *data, size_t len, struct oci_process **out,
                      struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  int r = ju_parse_object(data, len, "process", &o, err);
  if (r < 0)
    return r;
  return spec_parse_process(o, "", out, err);
}

int oci_process_load_file(const char *path, struct oci_process **out,
                          struct minirt_error *err) {
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = read_file(path, MINIRT_MAX_JSON_SIZE, &data, &len, err);
  if (r < 0)
    return r;
  r = oci_process_parse(data, len, out, err);
  if (r < 0)
    minirt_error_prefix(err, "`%s`: ", path);
  return r;
}
