/* process -> JSON. A key is written when the parsed object held it
 * (`present`) or when the struct holds a value for it, so load -> write ->
 * load keeps everything. */
#include <errno.h>
#include <stdlib.h>

#include "spec/json_util.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

static int write_user(json_object *o, const struct oci_process *p) {
  const struct oci_user *u = &p->user;
  if (!(p->present & OCI_PROC_USER) && u->uid == 0 && u->gid == 0 &&
      !u->has_umask && u->additional_gids == NULL && u->username == NULL)
    return 0;
  json_object *uo = json_object_new_object();
  if (ju_add(o, "user", uo) < 0)
    return -ENOMEM;
  if (ju_add_u64(uo, "uid", u->uid) < 0 || ju_add_u64(uo, "gid", u->gid) < 0 ||
      (u->has_umask && ju_add_u64(uo, "umask", u->umask) < 0))
    return -ENOMEM;
  if (u->additional_gids != NULL) {
    json_object *a = json_object_new_array();
    if (ju_add(uo, "additionalGids", a) < 0)
      return -ENOMEM;
    for (size_t i = 0; i < u->n_additional_gids; i++) {
      json_object *g = json_object_new_uint64(u->additional_gids[i]);
      if (g == NULL || json_object_array_add(a, g) < 0) {
        json_object_put(g);
        return -ENOMEM;
      }
    }
  }
  return ju_add_str(uo, "username", u->username);
}

static int write_caps(json_object *o, const struct oci_capabilities *c) {
  if (c == NULL)
    return 0;
  json_object *co = json_object_new_object();
  if (ju_add(o, "capabilities", co) < 0)
    return -ENOMEM;
  static const char *const keys[] = {"bounding", "effective", "inheritable",
                                     "permitted", "ambient"};
  const struct oci_strv *sets[] = {&c->bounding, &c->effective,
                                   &c->inheritable, &c->permitted, &c->ambient};
  const bool has[] = {c->has_bounding, c->has_effective, c->has_inheritable,
                      c->has_permitted, c->has_ambient};
  for (size_t i = 0; i < 5; i++) {
    if (!has[i] && sets[i]->v == NULL)
      continue;
    if (ju_add(co, keys[i],
               ju_strv_array((const char *const *)sets[i]->v, sets[i]->n)) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int write_rlimit(const void *elem, json_object *o) {
  const struct oci_rlimit *r = elem;
  if (ju_add_str(o, "type", r->type) < 0 || ju_add_u64(o, "hard", r->hard) < 0 ||
      ju_add_u64(o, "soft", r->soft) < 0)
    return -ENOMEM;
  return 0;
}

static int write_scheduler(json_object *o, const struct oci_scheduler *s) {
  if (s == NULL)
    return 0;
  json_object *so = json_object_new_object();
  if (ju_add(o, "scheduler", so) < 0 || ju_add_str(so, "policy", s->policy) < 0 ||
      ju_add_i64(so, "nice", s->nice) < 0 ||
      ju_add_i64(so, "priority", s->priority) < 0 ||
      ju_add_strv(so, "flags", &s->flags) < 0 ||
      ju_add_u64(so, "runtime", s->runtime) < 0 ||
      ju_add_u64(so, "deadline", s->deadline) < 0 ||
      ju_add_u64(so, "period", s->period) < 0)
    return -ENOMEM;
  return 0;
}

static int write_small(json_object *o, const struct oci_process *p) {
  if (p->io_priority != NULL) {
    json_object *io = json_object_new_object();
    if (ju_add(o, "ioPriority", io) < 0 ||
        ju_add_str(io, "class", p->io_priority->class_) < 0 ||
        ju_add_i64(io, "priority", p->io_priority->priority) < 0)
      return -ENOMEM;
  }
  if (p->exec_cpu_affinity != NULL) {
    json_object *a = json_object_new_object();
    if (ju_add(o, "execCPUAffinity", a) < 0 ||
        ju_add_str(a, "initial", p->exec_cpu_affinity->initial) < 0 ||
        ju_add_str(a, "final", p->exec_cpu_affinity->final) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int write_all_fields(json_object *o, const struct oci_process *p) {
  if ((p->present & OCI_PROC_TERMINAL) || p->terminal)
    if (ju_add_bool(o, "terminal", p->terminal) < 0)
      return -ENOMEM;
  if (p->present & OCI_PROC_CONSOLE_SIZE) {
    json_object *cs = json_object_new_object();
    if (ju_add(o, "consoleSize", cs) < 0 ||
        ju_add_u64(cs, "height", p->console_size.height) < 0 ||
        ju_add_u64(cs, "width", p->console_size.width) < 0)
      return -ENOMEM;
  }
  if (write_user(o, p) < 0 || ju_add_strv(o, "args", &p->args) < 0 ||
      ju_add_str(o, "commandLine", p->command_line) < 0 ||
      ju_add_strv(o, "env", &p->env) < 0 || ju_add_str(o, "cwd", p->cwd) < 0 ||
      write_caps(o, p->capabilities) < 0 ||
      ju_add_objarr(o, "rlimits", p->rlimits, p->n_rlimits,
                    sizeof(struct oci_rlimit), write_rlimit) < 0)
    return -ENOMEM;
  if ((p->present & OCI_PROC_NO_NEW_PRIVILEGES) || p->no_new_privileges)
    if (ju_add_bool(o, "noNewPrivileges", p->no_new_privileges) < 0)
      return -ENOMEM;
  if (ju_add_str(o, "apparmorProfile", p->apparmor_profile) < 0)
    return -ENOMEM;
  if ((p->present & OCI_PROC_OOM_SCORE_ADJ) &&
      ju_add_i64(o, "oomScoreAdj", p->oom_score_adj) < 0)
    return -ENOMEM;
  if (write_scheduler(o, p->scheduler) < 0 ||
      ju_add_str(o, "selinuxLabel", p->selinux_label) < 0 ||
      write_small(o, p) < 0)
    return -ENOMEM;
  return 0;
}

int spec_write_process(const struct oci_process *p, json_object **out) {
  json_object *o = json_object_new_object();
  if (o == NULL)
    return -ENOMEM;
  if (write_all_fields(o, p) < 0) {
    json_object_put(o);
    return -ENOMEM;
  }
  *out = o;
  return 0;
}

int oci_process_to_json(const struct oci_process *p, bool pretty, char **out,
                        struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  if (spec_write_process(p, &o) < 0)
    return ju_oom(err);
  return ju_to_string(o, pretty, out, err);
}
