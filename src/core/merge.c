/* The exec merge: defaults < saved config process < --process file < flags.
 * Every field of the result is a deep copy, so the result outlives its
 * inputs and is freed with oci_process_free(). The rules are those of
 * ../shared/exec-semantics.md; docs/exec.md lists the decisions taken where
 * the contract is silent. Nothing here performs I/O. */
#include "core/merge.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/passwd.h"

#define SRC_DEFAULT "default"
#define SRC_CONFIG "config"
#define SRC_FILE "process-file"

/* Which lower layer supplied a field before the flags. */
enum layer { LAYER_DEFAULT, LAYER_CONFIG, LAYER_FILE };

static const char *const layer_source[] = {SRC_DEFAULT, SRC_CONFIG, SRC_FILE};

/* A flag that modifies (rather than replaces) an inherited value reports
 * both layers, so --explain shows where the rest of the value came from. */
static const char *const env_flag_source[] = {
    "flag --env", "config + flag --env", "process-file + flag --env"};
static const char *const gids_flag_source[] = {
    "flag --additional-gids", "config + flag --additional-gids",
    "process-file + flag --additional-gids"};
static const char *const cap_flag_source[] = {
    "flag --cap", "config + flag --cap", "process-file + flag --cap"};

static int oom(struct minirt_error *err) {
  return minirt_fail(err, ENOMEM, "exec: merge the process");
}

/* ---- deep copies of single fields ---- */

static int strv_copy(struct oci_strv *dst, const struct oci_strv *src) {
  dst->v = NULL;
  dst->n = 0;
  if (src->v == NULL)
    return 0;
  char **v = calloc(src->n + 1, sizeof *v);
  if (v == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < src->n; i++) {
    v[i] = strdup(src->v[i]);
    if (v[i] == NULL) {
      cleanup_strvp(&v);
      return -ENOMEM;
    }
  }
  dst->v = v;
  dst->n = src->n;
  return 0;
}

static int str_copy(char **dst, const char *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  *dst = strdup(src);
  return *dst == NULL ? -ENOMEM : 0;
}

static int user_copy(struct oci_user *dst, const struct oci_user *src) {
  *dst = *src;
  dst->additional_gids = NULL;
  dst->username = NULL;
  if (src->n_additional_gids > 0) {
    dst->additional_gids =
        malloc(src->n_additional_gids * sizeof *dst->additional_gids);
    if (dst->additional_gids == NULL)
      return -ENOMEM;
    memcpy(dst->additional_gids, src->additional_gids,
           src->n_additional_gids * sizeof *dst->additional_gids);
  }
  return str_copy(&dst->username, src->username);
}

static int caps_copy(struct oci_capabilities **dst,
                     const struct oci_capabilities *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  struct oci_capabilities *c = calloc(1, sizeof *c);
  if (c == NULL)
    return -ENOMEM;
  *dst = c; /* owned by the result from here on, freed with it on error */
  c->has_bounding = src->has_bounding;
  c->has_effective = src->has_effective;
  c->has_inheritable = src->has_inheritable;
  c->has_permitted = src->has_permitted;
  c->has_ambient = src->has_ambient;
  if (strv_copy(&c->bounding, &src->bounding) < 0 ||
      strv_copy(&c->effective, &src->effective) < 0 ||
      strv_copy(&c->inheritable, &src->inheritable) < 0 ||
      strv_copy(&c->permitted, &src->permitted) < 0 ||
      strv_copy(&c->ambient, &src->ambient) < 0)
    return -ENOMEM;
  return 0;
}

static int rlimits_copy(struct oci_process *dst,
                        const struct oci_process *src) {
  dst->rlimits = NULL;
  dst->n_rlimits = 0;
  if (src->rlimits == NULL)
    return 0;
  /* An empty list stays an allocated empty array so it is written as []. */
  dst->rlimits = calloc(src->n_rlimits + 1, sizeof *dst->rlimits);
  if (dst->rlimits == NULL)
    return -ENOMEM;
  dst->n_rlimits = src->n_rlimits;
  for (size_t i = 0; i < src->n_rlimits; i++) {
    dst->rlimits[i] = src->rlimits[i];
    dst->rlimits[i].type = NULL;
    if (str_copy(&dst->rlimits[i].type, src->rlimits[i].type) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int scheduler_copy(struct oci_scheduler **dst,
                          const struct oci_scheduler *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  struct oci_scheduler *s = calloc(1, sizeof *s);
  if (s == NULL)
    return -ENOMEM;
  *dst = s;
  *s = *src;
  s->policy = NULL;
  s->flags.v = NULL;
  s->flags.n = 0;
  if (str_copy(&s->policy, src->policy) < 0 ||
      strv_copy(&s->flags, &src->flags) < 0)
    return -ENOMEM;
  return 0;
}

static int io_priority_copy(struct oci_io_priority **dst,
                            const struct oci_io_priority *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  struct oci_io_priority *io = calloc(1, sizeof *io);
  if (io == NULL)
    return -ENOMEM;
  *dst = io;
  io->priority = src->priority;
  return str_copy(&io->class_, src->class_);
}

static int affinity_copy(struct oci_cpu_affinity **dst,
                         const struct oci_cpu_affinity *src) {
  *dst = NULL;
  if (src == NULL)
    return 0;
  struct oci_cpu_affinity *a = calloc(1, sizeof *a);
  if (a == NULL)
    return -ENOMEM;
  *dst = a;
  if (str_copy(&a->initial, src->initial) < 0 ||
      str_copy(&a->final, src->final) < 0)
    return -ENOMEM;
  return 0;
}

/* ---- which layer holds a field ---- */

/* The spec layer records the keys of both objects in `present`; the value
 * tests are a second line so that a config.process built by hand (or by a
 * loader that only marks --process files) is not read as empty. */
static bool saved_holds(const struct oci_process *s, uint32_t bit) {
  if (s == NULL)
    return false;
  if (s->present & bit)
    return true;
  switch (bit) {
  case OCI_PROC_ENV:
    return s->env.v != NULL;
  case OCI_PROC_CWD:
    return s->cwd != NULL;
  case OCI_PROC_USER:
    return s->user.uid != 0 || s->user.gid != 0 || s->user.has_umask ||
           s->user.n_additional_gids > 0 || s->user.username != NULL;
  case OCI_PROC_CAPABILITIES:
    return s->capabilities != NULL;
  case OCI_PROC_RLIMITS:
    return s->n_rlimits > 0;
  case OCI_PROC_NO_NEW_PRIVILEGES:
    return s->no_new_privileges;
  case OCI_PROC_APPARMOR:
    return s->apparmor_profile != NULL;
  case OCI_PROC_SELINUX_LABEL:
    return s->selinux_label != NULL;
  case OCI_PROC_SCHEDULER:
    return s->scheduler != NULL;
  case OCI_PROC_IO_PRIORITY:
    return s->io_priority != NULL;
  case OCI_PROC_EXEC_CPU_AFFINITY:
    return s->exec_cpu_affinity != NULL;
  default:
    return false;
  }
}

static bool file_holds(const struct oci_process *f, uint32_t bit) {
  return f != NULL && (f->present & bit) != 0;
}

/* The layer whose value a field inherits before the flags apply. */
static enum layer pick(const struct oci_process *saved,
                       const struct oci_process *file, uint32_t bit,
                       const struct oci_process **from) {
  if (file_holds(file, bit)) {
    *from = file;
    return LAYER_FILE;
  }
  if (saved_holds(saved, bit)) {
    *from = saved;
    return LAYER_CONFIG;
  }
  *from = NULL;
  return LAYER_DEFAULT;
}

/* ---- the fields ---- */

/* The positional args are documented as NULL-terminated as well as counted;
 * accept a caller that only terminates them. */
static size_t args_count(char *const *v, size_t n) {
  if (n > 0 || v == NULL)
    return n;
  while (v[n] != NULL)
    n++;
  return n;
}

/* args are never inherited from the config: its args belong to init. */
static int merge_args(struct oci_process *p, const struct oci_process *file,
                      const struct exec_flags *fl, struct merge_result *out,
                      struct minirt_error *err) {
  size_t n = args_count(fl->args, fl->n_args);
  if (n > 0) {
    struct oci_strv given = {.v = fl->args, .n = n};
    if (strv_copy(&p->args, &given) < 0)
      return oom(err);
    out->source[MF_ARGS] = "command line";
  } else if (file_holds(file, OCI_PROC_ARGS) && file->args.n > 0) {
    if (strv_copy(&p->args, &file->args) < 0)
      return oom(err);
    out->source[MF_ARGS] = SRC_FILE;
  } else {
    return minirt_fail_msg(err, EINVAL, "exec: no command given");
  }
  if (p->args.v[0][0] == '\0')
    return minirt_fail_msg(err, EINVAL, "exec: the command name is empty");
  p->present |= OCI_PROC_ARGS;
  return 0;
}

/* Length of the key of an env entry: up to '=' or the whole entry. */
static size_t env_key_len(const char *e) {
  const char *eq = strchr(e, '=');
  return eq != NULL ? (size_t)(eq - e) : strlen(e);
}

static bool env_key_is(const char *e, const char *key, size_t klen) {
  return env_key_len(e) == klen && strncmp(e, key, klen) == 0;
}

/* An index of env entries by key (open addressing, linear probing), so
 * that applying N --env flags to an env of M entries is O(N + M), not
 * O(N * M): a key maps to the first entry that has it. */
struct env_index {
  size_t *slot; /* entry index + 1; 0 is empty */
  size_t mask;
};

static size_t env_hash(const char *e, size_t klen) {
  size_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < klen; i++)
    h = (h ^ (unsigned char)e[i]) * 1099511628211ull;
  return h;
}

/* The slot of key: the one holding an entry with that key, or the empty
 * one where it would go. */
static size_t *env_slot(const struct env_index *x, const struct oci_strv *env,
                        const char *key, size_t klen) {
  for (size_t h = env_hash(key, klen);; h++) {
    size_t *s = &x->slot[h & x->mask];
    if (*s == 0 || env_key_is(env->v[*s - 1], key, klen))
      return s;
  }
}

/* Applies KEY=VALUE flags in order: the first entry with a key is replaced
 * in place and any later duplicates of it dropped, so no libc can pick a
 * stale value; a key no entry has is appended. Keys no flag sets keep their
 * entries as they are, duplicates included. */
static int env_apply(struct oci_strv *env, const char *const *kv, size_t n) {
  size_t base = env->n, cap = 16;
  while (cap < 2 * (base + n))
    cap *= 2;
  _cleanup_free_ size_t *slots = calloc(cap, sizeof *slots);
  /* first[i]: the first base entry with entry i's key; set[j]: a flag
   * replaced entry j (so its later duplicates go). */
  _cleanup_free_ size_t *first = calloc(base + 1, sizeof *first);
  _cleanup_free_ bool *set = calloc(base + 1, sizeof *set);
  char **v = realloc(env->v, (base + n + 1) * sizeof *v);
  if (v != NULL)
    env->v = v;
  if (slots == NULL || first == NULL || set == NULL || v == NULL)
    return -ENOMEM;
  struct env_index x = {.slot = slots, .mask = cap - 1};
  for (size_t i = 0; i < base; i++) {
    size_t *s = env_slot(&x, env, env->v[i], env_key_len(env->v[i]));
    if (*s == 0)
      *s = i + 1;
    first[i] = *s - 1;
  }
  for (size_t f = 0; f < n; f++) {
    char *copy = strdup(kv[f]);
    if (copy == NULL)
      return -ENOMEM;
    size_t *s = env_slot(&x, env, kv[f], env_key_len(kv[f]));
    if (*s != 0) {
      free(env->v[*s - 1]);
      env->v[*s - 1] = copy;
      if (*s - 1 < base)
        set[*s - 1] = true;
      continue;
    }
    env->v[env->n] = copy;
    *s = ++env->n;
  }
  size_t k = 0;
  for (size_t i = 0; i < env->n; i++) {
    if (i < base && first[i] != i && set[first[i]])
      free(env->v[i]);
    else
      env->v[k++] = env->v[i];
  }
  env->n = k;
  env->v[k] = NULL;
  return 0;
}

static int merge_env(struct oci_process *p, const struct oci_process *saved,
                     const struct oci_process *file,
                     const struct exec_flags *fl, struct merge_result *out,
                     struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l = pick(saved, file, OCI_PROC_ENV, &from);
  if (from != NULL && strv_copy(&p->env, &from->env) < 0)
    return oom(err);
  out->source[MF_ENV] = layer_source[l];
  size_t n = fl->n_env;
  for (size_t i = 0; i < n; i++) {
    const char *kv = fl->env[i];
    const char *eq = strchr(kv, '=');
    if (eq == NULL || eq == kv)
      return minirt_fail_msg(err, EINVAL, "--env `%s`: expected KEY=VALUE", kv);
  }
  if (n > 0) {
    if (env_apply(&p->env, (const char *const *)fl->env, n) < 0)
      return oom(err);
    out->source[MF_ENV] = env_flag_source[l];
  }
  /* An exec process always has an env list, even an empty one. */
  if (p->env.v == NULL) {
    p->env.v = calloc(1, sizeof *p->env.v);
    if (p->env.v == NULL)
      return oom(err);
  }
  p->present |= OCI_PROC_ENV;
  return 0;
}

static int merge_cwd(struct oci_process *p, const struct oci_process *saved,
                     const struct oci_process *file,
                     const struct exec_flags *fl, struct merge_result *out,
                     struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l = pick(saved, file, OCI_PROC_CWD, &from);
  const char *cwd = from != NULL && from->cwd != NULL ? from->cwd : "/";
  out->source[MF_CWD] =
      from != NULL && from->cwd != NULL ? layer_source[l] : SRC_DEFAULT;
  if (fl->cwd != NULL) {
    cwd = fl->cwd;
    out->source[MF_CWD] = "flag --cwd";
  }
  if (cwd[0] != '/')
    return minirt_fail_msg(err, EINVAL,
                           "cwd `%s` (from %s): must be an absolute path", cwd,
                           out->source[MF_CWD]);
  if (str_copy(&p->cwd, cwd) < 0)
    return oom(err);
  p->present |= OCI_PROC_CWD;
  return 0;
}

static bool gid_listed(const struct oci_user *u, uint32_t gid) {
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (u->additional_gids[i] == gid)
      return true;
  return false;
}

/* user is one field for the file layer: a file that sets it replaces uid,
 * gid, additionalGids and umask together. */
static int merge_user(struct oci_process *p, const struct oci_process *saved,
                      const struct oci_process *file,
                      const struct exec_flags *fl, struct merge_result *out,
                      struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l = pick(saved, file, OCI_PROC_USER, &from);
  if (from != NULL && user_copy(&p->user, &from->user) < 0)
    return oom(err);
  for (int f = MF_UID; f <= MF_UMASK; f++)
    out->source[f] = layer_source[l];
  if (!p->user.has_umask)
    out->source[MF_UMASK] = SRC_DEFAULT;
  if (fl->has_user) {
    p->user.uid = fl->uid;
    out->source[MF_UID] = "flag --user";
  }
  if (fl->has_gid) {
    p->user.gid = fl->gid;
    out->source[MF_GID] = "flag --user";
  }
  size_t want = p->user.n_additional_gids + fl->n_additional_gids;
  if (fl->n_additional_gids > 0) {
    uint32_t *g = realloc(p->user.additional_gids, want * sizeof *g);
    if (g == NULL)
      return oom(err);
    p->user.additional_gids = g;
    for (size_t i = 0; i < fl->n_additional_gids; i++)
      if (!gid_listed(&p->user, fl->additional_gids[i]))
        g[p->user.n_additional_gids++] = fl->additional_gids[i];
    out->source[MF_ADDITIONAL_GIDS] = gids_flag_source[l];
  }
  p->present |= OCI_PROC_USER;
  return 0;
}

static bool strv_has(const struct oci_strv *s, const char *name) {
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], name) == 0)
      return true;
  return false;
}

/* Adds name to a set unless it is there; creates the set if absent. */
static int capset_add(struct oci_strv *s, bool *has, const char *name) {
  *has = true;
  if (strv_has(s, name))
    return 0;
  char **v = realloc(s->v, (s->n + 2) * sizeof *v);
  if (v == NULL)
    return -ENOMEM;
  s->v = v;
  s->v[s->n] = strdup(name);
  if (s->v[s->n] == NULL)
    return -ENOMEM;
  s->v[++s->n] = NULL;
  return 0;
}

static int cap_add(struct oci_capabilities *c, const char *name) {
  if (capset_add(&c->bounding, &c->has_bounding, name) < 0 ||
      capset_add(&c->effective, &c->has_effective, name) < 0 ||
      capset_add(&c->permitted, &c->has_permitted, name) < 0)
    return -ENOMEM;
  /* An ambient capability must also be inheritable, and exec must not widen
   * the inheritable set the container was given. */
  if (c->has_inheritable && strv_has(&c->inheritable, name))
    return capset_add(&c->ambient, &c->has_ambient, name);
  return 0;
}

static int merge_caps(struct oci_process *p, const struct oci_process *saved,
                      const struct oci_process *file,
                      const struct exec_flags *fl, struct merge_result *out,
                      struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l = pick(saved, file, OCI_PROC_CAPABILITIES, &from);
  if (from != NULL && caps_copy(&p->capabilities, from->capabilities) < 0)
    return oom(err);
  out->source[MF_CAPABILITIES] = layer_source[l];
  for (size_t i = 0; i < fl->n_caps; i++)
    if (oci_capability_from_string(fl->caps[i]) < 0)
      return minirt_fail_msg(err, EINVAL, "--cap `%s`: unknown capability",
                             fl->caps[i]);
  if (fl->n_caps > 0 && p->capabilities == NULL) {
    p->capabilities = calloc(1, sizeof *p->capabilities);
    if (p->capabilities == NULL)
      return oom(err);
    l = LAYER_DEFAULT;
  }
  for (size_t i = 0; i < fl->n_caps; i++) {
    if (cap_add(p->capabilities, fl->caps[i]) < 0)
      return oom(err);
    out->source[MF_CAPABILITIES] = cap_flag_source[l];
  }
  if (p->capabilities != NULL)
    p->present |= OCI_PROC_CAPABILITIES;
  return 0;
}

/* Fields no flag touches: inherited whole from the file or the config. */
static int merge_inherited(struct oci_process *p,
                           const struct oci_process *saved,
                           const struct oci_process *file,
                           struct merge_result *out, struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l;

  l = pick(saved, file, OCI_PROC_RLIMITS, &from);
  out->source[MF_RLIMITS] = layer_source[l];
  if (from != NULL) {
    if (rlimits_copy(p, from) < 0)
      return oom(err);
    p->present |= OCI_PROC_RLIMITS;
  }
  l = pick(saved, file, OCI_PROC_OOM_SCORE_ADJ, &from);
  out->source[MF_OOM_SCORE_ADJ] = layer_source[l];
  if (from != NULL) {
    p->oom_score_adj = from->oom_score_adj;
    p->present |= OCI_PROC_OOM_SCORE_ADJ;
  }
  l = pick(saved, file, OCI_PROC_SCHEDULER, &from);
  out->source[MF_SCHEDULER] = layer_source[l];
  if (from != NULL && scheduler_copy(&p->scheduler, from->scheduler) < 0)
    return oom(err);
  l = pick(saved, file, OCI_PROC_IO_PRIORITY, &from);
  out->source[MF_IO_PRIORITY] = layer_source[l];
  if (from != NULL && io_priority_copy(&p->io_priority, from->io_priority) < 0)
    return oom(err);
  l = pick(saved, file, OCI_PROC_EXEC_CPU_AFFINITY, &from);
  out->source[MF_EXEC_CPU_AFFINITY] = layer_source[l];
  if (from != NULL &&
      affinity_copy(&p->exec_cpu_affinity, from->exec_cpu_affinity) < 0)
    return oom(err);
  if (p->scheduler != NULL)
    p->present |= OCI_PROC_SCHEDULER;
  if (p->io_priority != NULL)
    p->present |= OCI_PROC_IO_PRIORITY;
  if (p->exec_cpu_affinity != NULL)
    p->present |= OCI_PROC_EXEC_CPU_AFFINITY;
  return 0;
}

/* noNewPrivileges and the LSM labels. */
static int merge_security(struct oci_process *p,
                          const struct oci_process *saved,
                          const struct oci_process *file,
                          const struct exec_flags *fl, struct merge_result *out,
                          struct minirt_error *err) {
  const struct oci_process *from;
  enum layer l;

  /* The file may clear it (it replaces the inherited value); a flag never
   * does. */
  l = pick(saved, file, OCI_PROC_NO_NEW_PRIVILEGES, &from);
  p->no_new_privileges = from != NULL && from->no_new_privileges;
  out->source[MF_NO_NEW_PRIVILEGES] = layer_source[l];
  if (fl->no_new_privs) {
    p->no_new_privileges = true;
    out->source[MF_NO_NEW_PRIVILEGES] = "flag --no-new-privs";
  }
  p->present |= OCI_PROC_NO_NEW_PRIVILEGES;

  l = pick(saved, file, OCI_PROC_APPARMOR, &from);
  const char *aa = from != NULL ? from->apparmor_profile : NULL;
  out->source[MF_APPARMOR] = aa != NULL ? layer_source[l] : SRC_DEFAULT;
  if (fl->apparmor != NULL) {
    aa = fl->apparmor;
    out->source[MF_APPARMOR] = "flag --apparmor";
  }
  if (str_copy(&p->apparmor_profile, aa) < 0)
    return oom(err);

  l = pick(saved, file, OCI_PROC_SELINUX_LABEL, &from);
  const char *se = from != NULL ? from->selinux_label : NULL;
  out->source[MF_SELINUX_LABEL] = se != NULL ? layer_source[l] : SRC_DEFAULT;
  if (fl->process_label != NULL) {
    se = fl->process_label;
    out->source[MF_SELINUX_LABEL] = "flag --process-label";
  }
  if (str_copy(&p->selinux_label, se) < 0)
    return oom(err);
  if (p->apparmor_profile != NULL)
    p->present |= OCI_PROC_APPARMOR;
  if (p->selinux_label != NULL)
    p->present |= OCI_PROC_SELINUX_LABEL;
  return 0;
}

/* The config's terminal and consoleSize describe init's console, so exec
 * takes them from the file or the caller only. */
static void merge_terminal(struct oci_process *p,
                           const struct oci_process *file,
                           const struct exec_flags *fl,
                           struct merge_result *out) {
  bool from_file = file_holds(file, OCI_PROC_TERMINAL);
  p->terminal = from_file && file->terminal;
  out->source[MF_TERMINAL] = from_file ? SRC_FILE : SRC_DEFAULT;
  if (fl->tty) {
    p->terminal = true;
    out->source[MF_TERMINAL] = "flag --tty";
  }
  p->present |= OCI_PROC_TERMINAL;

  out->source[MF_CONSOLE_SIZE] = SRC_DEFAULT;
  if (file_holds(file, OCI_PROC_CONSOLE_SIZE)) {
    p->console_size = file->console_size;
    p->present |= OCI_PROC_CONSOLE_SIZE;
    out->source[MF_CONSOLE_SIZE] = SRC_FILE;
  } else if (p->terminal && fl->has_caller_size) {
    p->console_size.height = fl->caller_height;
    p->console_size.width = fl->caller_width;
    p->present |= OCI_PROC_CONSOLE_SIZE;
    out->source[MF_CONSOLE_SIZE] = "caller terminal";
  }
}

int merge_exec_process(const struct oci_process *saved,
                       const struct oci_process *file,
                       const struct exec_flags *flags, struct merge_result *out,
                       struct minirt_error *err) {
  static const struct exec_flags no_flags;
  const struct exec_flags *fl = flags != NULL ? flags : &no_flags;
  memset(out, 0, sizeof *out);
  for (int f = 0; f < MF_COUNT; f++)
    out->source[f] = SRC_DEFAULT;

  if (file_holds(file, OCI_PROC_COMMAND_LINE))
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: process.commandLine (Windows only)");
  struct oci_process *p = calloc(1, sizeof *p);
  if (p == NULL)
    return oom(err);
  int r = merge_args(p, file, fl, out, err);
  if (r >= 0)
    r = merge_env(p, saved, file, fl, out, err);
  if (r >= 0)
    r = merge_cwd(p, saved, file, fl, out, err);
  if (r >= 0)
    r = merge_user(p, saved, file, fl, out, err);
  if (r >= 0)
    r = merge_caps(p, saved, file, fl, out, err);
  if (r >= 0)
    r = merge_inherited(p, saved, file, out, err);
  if (r >= 0)
    r = merge_security(p, saved, file, fl, out, err);
  if (r < 0) {
    oci_process_free(p);
    for (int f = 0; f < MF_COUNT; f++)
      out->source[f] = NULL;
    return r;
  }
  merge_terminal(p, file, fl, out);
  out->process = p;
  return 0;
}

void merge_result_free(struct merge_result *r) {
  if (r == NULL)
    return;
  oci_process_free(r->process);
  r->process = NULL;
}

/* ---- derived after the merge ---- */

static const char *env_lookup(const struct oci_strv *env, const char *key,
                              size_t *index) {
  size_t klen = strlen(key);
  for (size_t i = 0; i < env->n; i++) {
    if (env_key_is(env->v[i], key, klen)) {
      if (index != NULL)
        *index = i;
      return env->v[i][klen] == '=' ? env->v[i] + klen + 1 : "";
    }
  }
  return NULL;
}

const char *merge_env_get(const struct oci_process *p, const char *key) {
  return env_lookup(&p->env, key, NULL);
}

const char *merge_exec_search_path(const struct oci_process *p) {
  const char *path = merge_env_get(p, "PATH");
  return path != NULL && path[0] != '\0' ? path : MERGE_DEFAULT_PATH;
}

bool merge_has_home(const struct oci_process *p) {
  const char *home = env_lookup(&p->env, "HOME", NULL);
  return home != NULL && home[0] != '\0';
}

int merge_derive_home(struct oci_process *p, const char *passwd_text,
                      struct minirt_error *err) {
  if (merge_has_home(p))
    return 0;
  _cleanup_free_ char *dir = passwd_field(passwd_text, p->user.uid, PASSWD_HOME);
  _cleanup_free_ char *kv = NULL;
  if (asprintf(&kv, "HOME=%s", dir != NULL ? dir : "/") < 0)
    return oom(err);
  const char *one[] = {kv};
  if (env_apply(&p->env, one, 1) < 0)
    return oom(err);
  p->present |= OCI_PROC_ENV;
  return 0;
}
