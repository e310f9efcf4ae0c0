/* The exec merge, one test per row of the contract table
 * (/work/shared/exec-semantics.md) and per flag, plus combinations.
 * Processes are built by hand so these tests do not depend on the JSON
 * loader. */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/merge.h"
#include "util/passwd.h"

/* ---- builders ---- */

static struct oci_strv strv(const char *first, ...) {
  struct oci_strv s = {calloc(1, sizeof(char *)), 0};
  va_list ap;
  va_start(ap, first);
  for (const char *x = first; x != NULL; x = va_arg(ap, const char *)) {
    s.v = realloc(s.v, (s.n + 2) * sizeof(char *));
    s.v[s.n++] = strdup(x);
    s.v[s.n] = NULL;
  }
  va_end(ap);
  return s;
}

static struct oci_process *proc(void) {
  return calloc(1, sizeof(struct oci_process));
}

static struct oci_capabilities *caps(struct oci_strv b, struct oci_strv e,
                                     struct oci_strv i, struct oci_strv p,
                                     struct oci_strv a) {
  struct oci_capabilities *c = calloc(1, sizeof *c);
  c->bounding = b;
  c->effective = e;
  c->inheritable = i;
  c->permitted = p;
  c->ambient = a;
  c->has_bounding = c->has_effective = c->has_inheritable = c->has_permitted =
      c->has_ambient = true;
  return c;
}

/* A config.process with every field set, as a full config.json gives. */
static struct oci_process *config(void) {
  struct oci_process *p = proc();
  p->present = 0xffff & ~(unsigned)OCI_PROC_COMMAND_LINE;
  p->terminal = true;
  p->console_size = (struct oci_console_size){.height = 50, .width = 200};
  p->user.uid = 1000;
  p->user.gid = 1000;
  p->user.has_umask = true;
  p->user.umask = 027;
  p->user.additional_gids = malloc(sizeof(uint32_t));
  p->user.additional_gids[0] = 10;
  p->user.n_additional_gids = 1;
  p->args = strv("/sbin/init", NULL);
  p->env = strv("PATH=/usr/bin:/bin", "TERM=xterm", "FOO=config", NULL);
  p->cwd = strdup("/srv");
  p->capabilities =
      caps(strv("CAP_CHOWN", "CAP_NET_RAW", NULL), strv("CAP_CHOWN", NULL),
           strv("CAP_NET_RAW", "CAP_SYS_TIME", NULL),
           strv("CAP_CHOWN", "CAP_NET_RAW", NULL), strv("CAP_NET_RAW", NULL));
  p->rlimits = calloc(1, sizeof *p->rlimits);
  p->rlimits[0] = (struct oci_rlimit){strdup("RLIMIT_NOFILE"), 7, 1024, 4096};
  p->n_rlimits = 1;
  p->no_new_privileges = true;
  p->apparmor_profile = strdup("cfg-aa");
  p->selinux_label = strdup("cfg-se");
  p->oom_score_adj = 100;
  p->scheduler = calloc(1, sizeof *p->scheduler);
  p->scheduler->policy = strdup("SCHED_BATCH");
  p->scheduler->nice = 5;
  p->scheduler->flags = strv("SCHED_FLAG_RESET_ON_FORK", NULL);
  p->io_priority = calloc(1, sizeof *p->io_priority);
  p->io_priority->class_ = strdup("IOPRIO_CLASS_BE");
  p->io_priority->priority = 4;
  p->exec_cpu_affinity = calloc(1, sizeof *p->exec_cpu_affinity);
  p->exec_cpu_affinity->initial = strdup("0-1");
  p->exec_cpu_affinity->final = strdup("1");
  return p;
}

static char *cmd_sh[] = {"sh", NULL};

static struct merge_result run_ok(const struct oci_process *saved,
                                  const struct oci_process *file,
                                  const struct exec_flags *fl) {
  struct merge_result r;
  struct minirt_error err = {0};
  int ret = merge_exec_process(saved, file, fl, &r, &err);
  cr_assert_eq(ret, 0, "merge failed: %s", err.msg ? err.msg : "?");
  cr_assert_not_null(r.process);
  minirt_error_clear(&err);
  return r;
}

static char *run_err(const struct oci_process *saved,
                     const struct oci_process *file,
                     const struct exec_flags *fl) {
  struct merge_result r;
  struct minirt_error err = {0};
  int ret = merge_exec_process(saved, file, fl, &r, &err);
  cr_assert_lt(ret, 0);
  cr_assert_null(r.process);
  cr_assert_not_null(err.msg);
  return err.msg;
}

static void assert_strv(const struct oci_strv *s, const char *first, ...) {
  va_list ap;
  va_start(ap, first);
  size_t i = 0;
  for (const char *x = first; x != NULL; x = va_arg(ap, const char *), i++) {
    cr_assert_lt(i, s->n, "list too short, missing `%s`", x);
    cr_assert_str_eq(s->v[i], x);
  }
  va_end(ap);
  cr_assert_eq(s->n, i, "list has %zu items, expected %zu", s->n, i);
  cr_assert_null(s->v[s->n]);
}

#define SRC(r, f, s) cr_assert_str_eq((r).source[f], s)

/* ---- args ---- */

Test(args, from_positional) {
  struct oci_process *c = config();
  char *a[] = {"ls", "-l", NULL};
  struct exec_flags fl = {.args = a, .n_args = 2};
  struct merge_result r = run_ok(c, NULL, &fl);
  assert_strv(&r.process->args, "ls", "-l", NULL);
  SRC(r, MF_ARGS, "command line");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(args, from_file) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS;
  f->args = strv("top", "-b", NULL);
  struct merge_result r = run_ok(NULL, f, NULL);
  assert_strv(&r.process->args, "top", "-b", NULL);
  SRC(r, MF_ARGS, "process-file");
  merge_result_free(&r);
  oci_process_free(f);
}

Test(args, positional_replaces_file) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS;
  f->args = strv("top", NULL);
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(NULL, f, &fl);
  assert_strv(&r.process->args, "sh", NULL);
  merge_result_free(&r);
  oci_process_free(f);
}

Test(args, never_from_config) {
  struct oci_process *c = config();
  char *msg = run_err(c, NULL, NULL);
  cr_assert_str_eq(msg, "exec: no command given");
  free(msg);
  oci_process_free(c);
}

Test(args, no_command_anywhere) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS | OCI_PROC_CWD;
  f->args = strv(NULL, NULL);
  f->cwd = strdup("/");
  char *msg = run_err(NULL, f, NULL);
  cr_assert_str_eq(msg, "exec: no command given");
  free(msg);
  oci_process_free(f);
}

Test(args, null_terminated_without_count) {
  char *a[] = {"echo", "hi", NULL};
  struct exec_flags fl = {.args = a};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  assert_strv(&r.process->args, "echo", "hi", NULL);
  merge_result_free(&r);
}

/* ---- env ---- */

Test(env, inherited) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  assert_strv(&r.process->env, "PATH=/usr/bin:/bin", "TERM=xterm", "FOO=config",
              NULL);
  SRC(r, MF_ENV, "config");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(env, flag_replaces_in_place_and_appends) {
  struct oci_process *c = config();
  char *e[] = {"TERM=dumb", "NEW=1"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 2};
  struct merge_result r = run_ok(c, NULL, &fl);
  assert_strv(&r.process->env, "PATH=/usr/bin:/bin", "TERM=dumb", "FOO=config",
              "NEW=1", NULL);
  SRC(r, MF_ENV, "config + flag --env");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(env, repeated_flag_last_wins_in_place) {
  char *e[] = {"A=1", "B=2", "A=3", "C=", "B=4=x"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 5};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  assert_strv(&r.process->env, "A=3", "B=4=x", "C=", NULL);
  SRC(r, MF_ENV, "flag --env");
  merge_result_free(&r);
}

Test(env, flag_drops_later_duplicates) {
  struct oci_process *c = proc();
  c->present = OCI_PROC_ENV;
  c->env = strv("X=1", "Y=1", "X=2", "X", NULL);
  char *e[] = {"X=new"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  assert_strv(&r.process->env, "X=new", "Y=1", NULL);
  merge_result_free(&r);
  oci_process_free(c);
}

/* The rule applied one flag at a time, the way it is written in the
 * contract: the reference for the indexed merge. */
static void naive_env_set(struct oci_strv *env, const char *kv) {
  size_t klen = strcspn(kv, "=");
  bool replaced = false;
  for (size_t i = 0; i < env->n; i++) {
    if (strcspn(env->v[i], "=") != klen || strncmp(env->v[i], kv, klen) != 0)
      continue;
    if (!replaced) {
      replaced = true;
      free(env->v[i]);
      env->v[i] = strdup(kv);
      continue;
    }
    free(env->v[i]);
    memmove(&env->v[i], &env->v[i + 1], (env->n - i) * sizeof *env->v);
    env->n--;
    i--;
  }
  if (!replaced) {
    env->v = realloc(env->v, (env->n + 2) * sizeof *env->v);
    env->v[env->n++] = strdup(kv);
    env->v[env->n] = NULL;
  }
}

Test(env, many_flags_like_one_at_a_time) {
  /* A config env with duplicates and entries without '=', and 3000 flags
   * over 700 keys: replacements, appends, repeats, keys set in the config
   * more than once. */
  unsigned seed = 7;
  struct oci_process *c = proc();
  c->present = OCI_PROC_ENV;
  c->env = strv("K1=a", "K2=b", "K1=c", "K5", "K9=d", "K5=e", NULL);
  struct oci_strv want = strv("K1=a", "K2=b", "K1=c", "K5", "K9=d", "K5=e",
                              NULL);
  enum { N = 3000 };
  char **e = calloc(N, sizeof *e);
  for (size_t i = 0; i < N; i++) {
    cr_assert(asprintf(&e[i], "K%u=v%zu", (unsigned)(rand_r(&seed) % 700), i) >
              0);
    naive_env_set(&want, e[i]);
  }
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = N};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_eq(r.process->env.n, want.n);
  for (size_t i = 0; i < want.n; i++)
    cr_assert_str_eq(r.process->env.v[i], want.v[i], "entry %zu", i);
  cr_assert_null(r.process->env.v[want.n]);
  merge_result_free(&r);
  oci_process_free(c);
  for (size_t i = 0; i < N; i++)
    free(e[i]);
  free(e);
  for (size_t i = 0; i < want.n; i++)
    free(want.v[i]);
  free(want.v);
}

Test(env, flag_without_equals_fails) {
  char *e[] = {"FOO"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 1};
  char *msg = run_err(NULL, NULL, &fl);
  cr_assert_str_eq(msg, "--env `FOO`: expected KEY=VALUE");
  free(msg);
}

Test(env, flag_with_empty_key_fails) {
  char *e[] = {"=x"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 1};
  char *msg = run_err(NULL, NULL, &fl);
  cr_assert_str_eq(msg, "--env `=x`: expected KEY=VALUE");
  free(msg);
}

Test(env, file_replaces_whole) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_ENV;
  f->env = strv("ONLY=file", NULL);
  char *e[] = {"TERM=x"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 1};
  struct merge_result r = run_ok(c, f, &fl);
  assert_strv(&r.process->env, "ONLY=file", "TERM=x", NULL);
  SRC(r, MF_ENV, "process-file + flag --env");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(env, file_empty_env_clears) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_ENV | OCI_PROC_ARGS;
  f->env = strv(NULL, NULL);
  f->args = strv("true", NULL);
  struct merge_result r = run_ok(c, f, NULL);
  assert_strv(&r.process->env, NULL, NULL);
  SRC(r, MF_ENV, "process-file");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(env, default_empty) {
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  cr_assert_not_null(r.process->env.v);
  cr_assert_eq(r.process->env.n, 0);
  SRC(r, MF_ENV, "default");
  merge_result_free(&r);
}

/* ---- cwd ---- */

Test(cwd, inherited_flag_file_default) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_str_eq(r.process->cwd, "/srv");
  SRC(r, MF_CWD, "config");
  merge_result_free(&r);

  struct oci_process *f = proc();
  f->present = OCI_PROC_CWD;
  f->cwd = strdup("/tmp");
  r = run_ok(c, f, &fl);
  cr_assert_str_eq(r.process->cwd, "/tmp");
  SRC(r, MF_CWD, "process-file");
  merge_result_free(&r);

  fl.cwd = "/var";
  r = run_ok(c, f, &fl);
  cr_assert_str_eq(r.process->cwd, "/var");
  SRC(r, MF_CWD, "flag --cwd");
  merge_result_free(&r);

  fl.cwd = NULL;
  r = run_ok(NULL, NULL, &fl);
  cr_assert_str_eq(r.process->cwd, "/");
  SRC(r, MF_CWD, "default");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(cwd, relative_flag_fails) {
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .cwd = "tmp"};
  char *msg = run_err(NULL, NULL, &fl);
  cr_assert_str_eq(msg,
                   "cwd `tmp` (from flag --cwd): must be an absolute path");
  free(msg);
}

/* ---- user ---- */

Test(user, inherited_by_partial_file) {
  /* The crun bug: a --process file without `user` must not run as root. */
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS | OCI_PROC_ENV;
  f->args = strv("id", NULL);
  f->env = strv("A=b", NULL);
  struct merge_result r = run_ok(c, f, NULL);
  cr_assert_eq(r.process->user.uid, 1000);
  cr_assert_eq(r.process->user.gid, 1000);
  cr_assert_eq(r.process->user.n_additional_gids, 1);
  cr_assert(r.process->user.has_umask);
  cr_assert_eq(r.process->user.umask, 027);
  SRC(r, MF_UID, "config");
  SRC(r, MF_GID, "config");
  SRC(r, MF_UMASK, "config");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(user, flag_uid_keeps_gid) {
  struct oci_process *c = config();
  struct exec_flags fl = {
      .args = cmd_sh, .n_args = 1, .has_user = true, .uid = 0};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_eq(r.process->user.uid, 0);
  cr_assert_eq(r.process->user.gid, 1000);
  SRC(r, MF_UID, "flag --user");
  SRC(r, MF_GID, "config");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(user, flag_uid_gid_replaces_both) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh,
                          .n_args = 1,
                          .has_user = true,
                          .uid = 5,
                          .has_gid = true,
                          .gid = 6};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_eq(r.process->user.uid, 5);
  cr_assert_eq(r.process->user.gid, 6);
  SRC(r, MF_UID, "flag --user");
  SRC(r, MF_GID, "flag --user");
  /* additionalGids and umask are not part of --user. */
  cr_assert_eq(r.process->user.n_additional_gids, 1);
  cr_assert_eq(r.process->user.umask, 027);
  merge_result_free(&r);
  oci_process_free(c);
}

Test(user, file_replaces_whole) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_USER;
  f->user.uid = 7;
  f->user.gid = 8;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, f, &fl);
  cr_assert_eq(r.process->user.uid, 7);
  cr_assert_eq(r.process->user.gid, 8);
  cr_assert_eq(r.process->user.n_additional_gids, 0);
  cr_assert_not(r.process->user.has_umask);
  SRC(r, MF_UID, "process-file");
  SRC(r, MF_ADDITIONAL_GIDS, "process-file");
  SRC(r, MF_UMASK, "default");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(user, default_root) {
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  cr_assert_eq(r.process->user.uid, 0);
  cr_assert_eq(r.process->user.gid, 0);
  cr_assert_not(r.process->user.has_umask);
  SRC(r, MF_UID, "default");
  SRC(r, MF_GID, "default");
  merge_result_free(&r);
}

Test(user, additional_gids_append_no_dupes) {
  struct oci_process *c = config();
  uint32_t g[] = {20, 10, 30, 20};
  struct exec_flags fl = {.args = cmd_sh,
                          .n_args = 1,
                          .additional_gids = g,
                          .n_additional_gids = 4};
  struct merge_result r = run_ok(c, NULL, &fl);
  const struct oci_user *u = &r.process->user;
  cr_assert_eq(u->n_additional_gids, 3);
  cr_assert_eq(u->additional_gids[0], 10);
  cr_assert_eq(u->additional_gids[1], 20);
  cr_assert_eq(u->additional_gids[2], 30);
  SRC(r, MF_ADDITIONAL_GIDS, "config + flag --additional-gids");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(user, additional_gids_without_config) {
  uint32_t g[] = {4};
  struct exec_flags fl = {.args = cmd_sh,
                          .n_args = 1,
                          .additional_gids = g,
                          .n_additional_gids = 1};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  cr_assert_eq(r.process->user.n_additional_gids, 1);
  cr_assert_eq(r.process->user.additional_gids[0], 4);
  SRC(r, MF_ADDITIONAL_GIDS, "flag --additional-gids");
  merge_result_free(&r);
}

/* ---- capabilities ---- */

Test(caps, inherited) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  const struct oci_capabilities *k = r.process->capabilities;
  cr_assert_not_null(k);
  cr_assert_neq(k, c->capabilities);
  assert_strv(&k->bounding, "CAP_CHOWN", "CAP_NET_RAW", NULL);
  assert_strv(&k->ambient, "CAP_NET_RAW", NULL);
  SRC(r, MF_CAPABILITIES, "config");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(caps, flag_adds_and_ambient_rule) {
  struct oci_process *c = config();
  /* CAP_SYS_TIME is inheritable in the config: it also becomes ambient.
   * CAP_KILL is not: it does not. CAP_CHOWN is there already: no dupes. */
  char *k[] = {"CAP_SYS_TIME", "CAP_KILL", "CAP_CHOWN", "CAP_KILL"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .caps = k, .n_caps = 4};
  struct merge_result r = run_ok(c, NULL, &fl);
  const struct oci_capabilities *x = r.process->capabilities;
  assert_strv(&x->bounding, "CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_TIME",
              "CAP_KILL", NULL);
  assert_strv(&x->effective, "CAP_CHOWN", "CAP_SYS_TIME", "CAP_KILL", NULL);
  assert_strv(&x->permitted, "CAP_CHOWN", "CAP_NET_RAW", "CAP_SYS_TIME",
              "CAP_KILL", NULL);
  assert_strv(&x->inheritable, "CAP_NET_RAW", "CAP_SYS_TIME", NULL);
  assert_strv(&x->ambient, "CAP_NET_RAW", "CAP_SYS_TIME", NULL);
  SRC(r, MF_CAPABILITIES, "config + flag --cap");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(caps, flag_on_config_without_capabilities) {
  struct oci_process *c = proc();
  c->present = OCI_PROC_CWD;
  c->cwd = strdup("/");
  char *k[] = {"CAP_KILL", "CAP_KILL"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .caps = k, .n_caps = 2};
  struct merge_result r = run_ok(c, NULL, &fl);
  const struct oci_capabilities *x = r.process->capabilities;
  cr_assert_not_null(x);
  assert_strv(&x->bounding, "CAP_KILL", NULL);
  assert_strv(&x->effective, "CAP_KILL", NULL);
  assert_strv(&x->permitted, "CAP_KILL", NULL);
  cr_assert_not(x->has_inheritable);
  cr_assert_not(x->has_ambient);
  cr_assert_eq(x->inheritable.n, 0);
  cr_assert_eq(x->ambient.n, 0);
  SRC(r, MF_CAPABILITIES, "flag --cap");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(caps, none_by_default) {
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  cr_assert_null(r.process->capabilities);
  SRC(r, MF_CAPABILITIES, "default");
  merge_result_free(&r);
}

Test(caps, unknown_flag_fails) {
  char *k[] = {"CAP_NOPE"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .caps = k, .n_caps = 1};
  char *msg = run_err(NULL, NULL, &fl);
  cr_assert_str_eq(msg, "--cap `CAP_NOPE`: unknown capability");
  free(msg);
}

Test(caps, file_replaces_whole) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_CAPABILITIES;
  f->capabilities =
      caps(strv("CAP_KILL", NULL), strv(NULL, NULL), strv(NULL, NULL),
           strv("CAP_KILL", NULL), strv(NULL, NULL));
  char *k[] = {"CAP_NET_RAW"}; /* inheritable in the config, not the file */
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .caps = k, .n_caps = 1};
  struct merge_result r = run_ok(c, f, &fl);
  const struct oci_capabilities *x = r.process->capabilities;
  assert_strv(&x->bounding, "CAP_KILL", "CAP_NET_RAW", NULL);
  assert_strv(&x->ambient, NULL, NULL);
  assert_strv(&x->inheritable, NULL, NULL);
  SRC(r, MF_CAPABILITIES, "process-file + flag --cap");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(caps, file_without_capabilities_key_object) {
  /* "capabilities" present but null in the file: no capabilities at all. */
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_CAPABILITIES;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, f, &fl);
  cr_assert_null(r.process->capabilities);
  SRC(r, MF_CAPABILITIES, "process-file");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

/* ---- rlimits, oomScoreAdj, scheduler, ioPriority, execCPUAffinity ---- */

Test(inherited, rlimits_and_friends) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  const struct oci_process *p = r.process;
  cr_assert_eq(p->n_rlimits, 1);
  cr_assert_str_eq(p->rlimits[0].type, "RLIMIT_NOFILE");
  cr_assert_neq(p->rlimits[0].type, c->rlimits[0].type);
  cr_assert_eq(p->rlimits[0].soft, 1024);
  cr_assert_eq(p->rlimits[0].hard, 4096);
  cr_assert(p->present & OCI_PROC_OOM_SCORE_ADJ);
  cr_assert_eq(p->oom_score_adj, 100);
  cr_assert_str_eq(p->scheduler->policy, "SCHED_BATCH");
  cr_assert_eq(p->scheduler->nice, 5);
  assert_strv(&p->scheduler->flags, "SCHED_FLAG_RESET_ON_FORK", NULL);
  cr_assert_str_eq(p->io_priority->class_, "IOPRIO_CLASS_BE");
  cr_assert_eq(p->io_priority->priority, 4);
  cr_assert_str_eq(p->exec_cpu_affinity->initial, "0-1");
  cr_assert_str_eq(p->exec_cpu_affinity->final, "1");
  for (int f = MF_RLIMITS; f <= MF_EXEC_CPU_AFFINITY; f++)
    if (f != MF_NO_NEW_PRIVILEGES && f != MF_APPARMOR && f != MF_SELINUX_LABEL)
      SRC(r, f, "config");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(inherited, file_replaces_rlimits_and_friends) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_RLIMITS | OCI_PROC_OOM_SCORE_ADJ | OCI_PROC_SCHEDULER |
               OCI_PROC_IO_PRIORITY | OCI_PROC_EXEC_CPU_AFFINITY;
  f->rlimits = calloc(2, sizeof *f->rlimits);
  f->rlimits[0] = (struct oci_rlimit){strdup("RLIMIT_CORE"), 4, 0, 0};
  f->rlimits[1] = (struct oci_rlimit){strdup("RLIMIT_NPROC"), 6, 10, 20};
  f->n_rlimits = 2;
  f->oom_score_adj = -5;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, f, &fl);
  const struct oci_process *p = r.process;
  cr_assert_eq(p->n_rlimits, 2);
  cr_assert_str_eq(p->rlimits[0].type, "RLIMIT_CORE");
  cr_assert_str_eq(p->rlimits[1].type, "RLIMIT_NPROC");
  cr_assert_eq(p->oom_score_adj, -5);
  /* present but null in the file: replaced by nothing */
  cr_assert_null(p->scheduler);
  cr_assert_null(p->io_priority);
  cr_assert_null(p->exec_cpu_affinity);
  SRC(r, MF_RLIMITS, "process-file");
  SRC(r, MF_OOM_SCORE_ADJ, "process-file");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(inherited, file_empty_rlimits) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_RLIMITS;
  f->rlimits = calloc(1, sizeof *f->rlimits);
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, f, &fl);
  cr_assert_eq(r.process->n_rlimits, 0);
  cr_assert(r.process->present & OCI_PROC_RLIMITS);
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

/* ---- noNewPrivileges ---- */

Test(nnp, inherited_and_flag) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert(r.process->no_new_privileges);
  SRC(r, MF_NO_NEW_PRIVILEGES, "config");
  merge_result_free(&r);

  r = run_ok(NULL, NULL, &fl);
  cr_assert_not(r.process->no_new_privileges);
  SRC(r, MF_NO_NEW_PRIVILEGES, "default");
  merge_result_free(&r);

  fl.no_new_privs = true;
  r = run_ok(NULL, NULL, &fl);
  cr_assert(r.process->no_new_privileges);
  SRC(r, MF_NO_NEW_PRIVILEGES, "flag --no-new-privs");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(nnp, flag_never_clears_file_false_plus_flag) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_NO_NEW_PRIVILEGES;
  f->no_new_privileges = false;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  /* The file replaces the config's true with its false ... */
  struct merge_result r = run_ok(c, f, &fl);
  cr_assert_not(r.process->no_new_privileges);
  SRC(r, MF_NO_NEW_PRIVILEGES, "process-file");
  merge_result_free(&r);
  /* ... and the flag sets it again. */
  fl.no_new_privs = true;
  r = run_ok(c, f, &fl);
  cr_assert(r.process->no_new_privileges);
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

/* ---- LSM labels ---- */

Test(lsm, apparmor_and_selinux) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_str_eq(r.process->apparmor_profile, "cfg-aa");
  cr_assert_str_eq(r.process->selinux_label, "cfg-se");
  SRC(r, MF_APPARMOR, "config");
  SRC(r, MF_SELINUX_LABEL, "config");
  merge_result_free(&r);

  fl.apparmor = "flag-aa";
  fl.process_label = "flag-se";
  r = run_ok(c, NULL, &fl);
  cr_assert_str_eq(r.process->apparmor_profile, "flag-aa");
  cr_assert_str_eq(r.process->selinux_label, "flag-se");
  SRC(r, MF_APPARMOR, "flag --apparmor");
  SRC(r, MF_SELINUX_LABEL, "flag --process-label");
  merge_result_free(&r);

  fl.apparmor = fl.process_label = NULL;
  r = run_ok(NULL, NULL, &fl);
  cr_assert_null(r.process->apparmor_profile);
  cr_assert_null(r.process->selinux_label);
  SRC(r, MF_APPARMOR, "default");
  merge_result_free(&r);
  oci_process_free(c);
}

/* ---- terminal, consoleSize ---- */

Test(terminal, config_value_is_for_init) {
  struct oci_process *c = config(); /* terminal: true, consoleSize 50x200 */
  struct exec_flags fl = {.args = cmd_sh,
                          .n_args = 1,
                          .has_caller_size = true,
                          .caller_height = 24,
                          .caller_width = 80};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_not(r.process->terminal);
  SRC(r, MF_TERMINAL, "default");
  /* no terminal: no console size */
  cr_assert_not(r.process->present & OCI_PROC_CONSOLE_SIZE);
  SRC(r, MF_CONSOLE_SIZE, "default");
  merge_result_free(&r);
  oci_process_free(c);
}

Test(terminal, tty_flag_and_caller_size) {
  struct oci_process *c = config();
  struct exec_flags fl = {.args = cmd_sh,
                          .n_args = 1,
                          .tty = true,
                          .has_caller_size = true,
                          .caller_height = 24,
                          .caller_width = 80};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert(r.process->terminal);
  SRC(r, MF_TERMINAL, "flag --tty");
  cr_assert(r.process->present & OCI_PROC_CONSOLE_SIZE);
  cr_assert_eq(r.process->console_size.height, 24);
  cr_assert_eq(r.process->console_size.width, 80);
  SRC(r, MF_CONSOLE_SIZE, "caller terminal");
  merge_result_free(&r);

  fl.has_caller_size = false;
  r = run_ok(c, NULL, &fl);
  cr_assert_not(r.process->present & OCI_PROC_CONSOLE_SIZE);
  merge_result_free(&r);
  oci_process_free(c);
}

Test(terminal, from_file_with_size) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_TERMINAL | OCI_PROC_CONSOLE_SIZE | OCI_PROC_ARGS;
  f->terminal = true;
  f->console_size = (struct oci_console_size){.height = 10, .width = 20};
  f->args = strv("sh", NULL);
  struct exec_flags fl = {
      .has_caller_size = true, .caller_height = 24, .caller_width = 80};
  struct merge_result r = run_ok(NULL, f, &fl);
  cr_assert(r.process->terminal);
  SRC(r, MF_TERMINAL, "process-file");
  cr_assert_eq(r.process->console_size.height, 10);
  cr_assert_eq(r.process->console_size.width, 20);
  SRC(r, MF_CONSOLE_SIZE, "process-file");
  merge_result_free(&r);
  oci_process_free(f);
}

Test(terminal, tty_flag_over_file_false) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_TERMINAL;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .tty = true};
  struct merge_result r = run_ok(NULL, f, &fl);
  cr_assert(r.process->terminal);
  merge_result_free(&r);
  oci_process_free(f);
}

/* ---- whole merges ---- */

Test(whole, defaults_when_saved_is_null) {
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(NULL, NULL, &fl);
  const struct oci_process *p = r.process;
  cr_assert_str_eq(p->cwd, "/");
  cr_assert_eq(p->env.n, 0);
  cr_assert_eq(p->user.uid, 0);
  cr_assert_null(p->capabilities);
  cr_assert_eq(p->n_rlimits, 0);
  cr_assert_not(p->no_new_privileges);
  cr_assert_not(p->terminal);
  cr_assert_null(p->scheduler);
  cr_assert_not(p->present & OCI_PROC_OOM_SCORE_ADJ);
  for (int f = 0; f < MF_COUNT; f++)
    if (f != MF_ARGS)
      cr_assert_str_eq(r.source[f], "default", "%s", merge_field_name(f));
  merge_result_free(&r);
}

Test(whole, file_and_flags) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS | OCI_PROC_ENV | OCI_PROC_CWD;
  f->args = strv("/bin/app", "--serve", NULL);
  f->env = strv("PATH=/opt/bin", "MODE=file", NULL);
  f->cwd = strdup("/app");
  char *e[] = {"MODE=flag"};
  uint32_t g[] = {99};
  char *k[] = {"CAP_SYS_TIME"};
  struct exec_flags fl = {.env = e,
                          .n_env = 1,
                          .has_user = true,
                          .uid = 0,
                          .additional_gids = g,
                          .n_additional_gids = 1,
                          .caps = k,
                          .n_caps = 1,
                          .tty = true};
  struct merge_result r = run_ok(c, f, &fl);
  const struct oci_process *p = r.process;
  assert_strv(&p->args, "/bin/app", "--serve", NULL);
  assert_strv(&p->env, "PATH=/opt/bin", "MODE=flag", NULL);
  cr_assert_str_eq(p->cwd, "/app");
  cr_assert_eq(p->user.uid, 0);
  cr_assert_eq(p->user.gid, 1000);
  cr_assert_eq(p->user.n_additional_gids, 2);
  cr_assert(p->no_new_privileges);
  cr_assert(p->terminal);
  assert_strv(&p->capabilities->ambient, "CAP_NET_RAW", "CAP_SYS_TIME", NULL);
  SRC(r, MF_ARGS, "process-file");
  SRC(r, MF_ENV, "process-file + flag --env");
  SRC(r, MF_CWD, "process-file");
  SRC(r, MF_UID, "flag --user");
  SRC(r, MF_GID, "config");
  SRC(r, MF_RLIMITS, "config");
  merge_result_free(&r);
  oci_process_free(f);
  oci_process_free(c);
}

Test(whole, result_is_a_deep_copy) {
  struct oci_process *c = config();
  struct oci_process *f = proc();
  f->present = OCI_PROC_ARGS;
  f->args = strv("x", NULL);
  struct merge_result r = run_ok(c, f, NULL);
  oci_process_free(c);
  oci_process_free(f);
  /* Under ASan, any pointer shared with the inputs is a use after free. */
  cr_assert_str_eq(r.process->args.v[0], "x");
  cr_assert_str_eq(r.process->env.v[2], "FOO=config");
  cr_assert_str_eq(r.process->cwd, "/srv");
  cr_assert_str_eq(r.process->capabilities->bounding.v[1], "CAP_NET_RAW");
  cr_assert_str_eq(r.process->rlimits[0].type, "RLIMIT_NOFILE");
  cr_assert_eq(r.process->user.additional_gids[0], 10);
  cr_assert_str_eq(r.process->scheduler->flags.v[0],
                   "SCHED_FLAG_RESET_ON_FORK");
  cr_assert_str_eq(r.process->exec_cpu_affinity->final, "1");
  merge_result_free(&r);
}

Test(whole, saved_without_present_bits) {
  /* A hand-built config.process with no `present` bits still counts. */
  struct oci_process *c = config();
  c->present = 0;
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  cr_assert_eq(r.process->user.uid, 1000);
  cr_assert_str_eq(r.process->cwd, "/srv");
  cr_assert_eq(r.process->env.n, 3);
  merge_result_free(&r);
  oci_process_free(c);
}

Test(whole, file_command_line_unsupported) {
  struct oci_process *f = proc();
  f->present = OCI_PROC_COMMAND_LINE;
  f->command_line = strdup("cmd.exe");
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1};
  char *msg = run_err(NULL, f, &fl);
  cr_assert_str_eq(msg, "unsupported: process.commandLine (Windows only)");
  free(msg);
  oci_process_free(f);
}

Test(whole, field_names) {
  cr_assert_str_eq(merge_field_name(MF_ARGS), "args");
  cr_assert_str_eq(merge_field_name(MF_ADDITIONAL_GIDS), "user.additionalGids");
  cr_assert_str_eq(merge_field_name(MF_EXEC_CPU_AFFINITY), "execCPUAffinity");
  cr_assert_str_eq(merge_field_name(MF_CONSOLE_SIZE), "consoleSize");
  for (int f = 0; f < MF_COUNT; f++)
    cr_assert_not_null(merge_field_name(f));
  cr_assert_str_eq(merge_field_name(MF_COUNT), "unknown");
}

/* ---- derived: HOME and PATH ---- */

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
                             "broken line\n"
                             "bad:x:notanumber:0::/bad:/bin/sh\n"
                             "empty:x:1001:0:::/bin/sh\n"
                             "short:x:1002:0:/short\n"
                             "app:x:1000:1000:App:/home/app:/bin/sh\n"
                             "dup:x:1000:1000::/home/dup:/bin/sh";

static struct oci_process *with_env(uint32_t uid, struct oci_strv env) {
  struct oci_process *p = proc();
  p->user.uid = uid;
  p->env = env;
  return p;
}

static void assert_home(uint32_t uid, struct oci_strv env, const char *text,
                        const char *want_last) {
  struct oci_process *p = with_env(uid, env);
  struct minirt_error err = {0};
  cr_assert_eq(merge_derive_home(p, text, &err), 0);
  cr_assert_str_eq(merge_env_get(p, "HOME"), want_last);
  oci_process_free(p);
}

Test(home, kept_when_set) {
  assert_home(1000, strv("HOME=/x", NULL), passwd, "/x");
}

/* The executor skips reading /etc/passwd exactly when this says so. */
Test(home, has_home_only_when_non_empty) {
  struct oci_process *p = with_env(0, strv("HOME=/x", NULL));
  cr_assert(merge_has_home(p));
  oci_process_free(p);
  p = with_env(0, strv("HOME=", NULL));
  cr_assert_not(merge_has_home(p));
  oci_process_free(p);
  p = with_env(0, strv("HOMEX=/x", "A=1", NULL));
  cr_assert_not(merge_has_home(p));
  oci_process_free(p);
  p = proc(); /* env.v == NULL */
  cr_assert_not(merge_has_home(p));
  oci_process_free(p);
}

Test(home, from_passwd_when_missing) {
  struct oci_process *p = with_env(1000, strv("A=1", NULL));
  struct minirt_error err = {0};
  cr_assert_eq(merge_derive_home(p, passwd, &err), 0);
  assert_strv(&p->env, "A=1", "HOME=/home/app", NULL);
  oci_process_free(p);
}

Test(home, empty_replaced_in_place) {
  struct oci_process *p = with_env(0, strv("HOME=", "A=1", NULL));
  struct minirt_error err = {0};
  cr_assert_eq(merge_derive_home(p, passwd, &err), 0);
  assert_strv(&p->env, "HOME=/root", "A=1", NULL);
  oci_process_free(p);
}

Test(home, root_when_uid_unknown_or_malformed) {
  assert_home(4242, strv(NULL, NULL), passwd, "/");
  assert_home(1001, strv(NULL, NULL), passwd, "/"); /* empty home field */
  assert_home(1002, strv(NULL, NULL), passwd, "/"); /* too few fields */
  assert_home(0, strv(NULL, NULL), NULL, "/");      /* no /etc/passwd */
  assert_home(0, strv(NULL, NULL), "", "/");
}

Test(home, last_line_without_newline_and_no_env_list) {
  assert_home(1000, strv(NULL, NULL), "dup:x:1000:1000::/home/dup:/bin/sh",
              "/home/dup");
  struct oci_process *p = proc(); /* env.v == NULL */
  p->user.uid = 0;
  struct minirt_error err = {0};
  cr_assert_eq(merge_derive_home(p, passwd, &err), 0);
  assert_strv(&p->env, "HOME=/root", NULL);
  oci_process_free(p);
}

Test(home, uid_overflow_is_malformed) {
  assert_home(0, strv(NULL, NULL), "big:x:4294967296:0::/big:/bin/sh\n", "/");
}

Test(path, search_path) {
  struct oci_process *p = with_env(0, strv("PATH=/opt/bin", NULL));
  cr_assert_str_eq(merge_exec_search_path(p), "/opt/bin");
  oci_process_free(p);
  p = with_env(0, strv("PATH=", NULL));
  cr_assert_str_eq(merge_exec_search_path(p), MERGE_DEFAULT_PATH);
  oci_process_free(p);
  p = with_env(0, strv("X=1", NULL));
  cr_assert_str_eq(merge_exec_search_path(p), MERGE_DEFAULT_PATH);
  cr_assert_null(merge_env_get(p, "PATH"));
  oci_process_free(p);
}

/* ---- explain table ---- */

Test(explain, table) {
  struct oci_process *c = config();
  char *a[] = {"sh", "-c", "echo 'hi there'", NULL};
  char *e[] = {"TERM=dumb"};
  struct exec_flags fl = {.args = a, .n_args = 3, .env = e, .n_env = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  char *out = NULL;
  struct minirt_error err = {0};
  cr_assert_eq(merge_explain_table(&r, &out, &err), 0);
  cr_assert_not_null(out);
  cr_assert(strncmp(out, "FIELD", 5) == 0, "%s", out);
  cr_assert_not_null(strstr(out, "sh -c 'echo '\\''hi there'\\'''"), "%s", out);
  cr_assert_not_null(strstr(out, "TERM=dumb"), "%s", out);
  cr_assert_not_null(strstr(out, "config + flag --env"), "%s", out);
  cr_assert_not_null(strstr(out, "user.uid"), "%s", out);
  cr_assert_not_null(strstr(out, "capabilities.ambient"), "%s", out);
  cr_assert_not_null(strstr(out, "RLIMIT_NOFILE soft=1024 hard=4096"), "%s",
                     out);
  cr_assert_not_null(strstr(out, "0027"), "%s", out);
  cr_assert_not_null(strstr(out, "command line"), "%s", out);
  /* every line ends with a newline and has no trailing blanks */
  for (char *l = out; *l != '\0';) {
    char *nl = strchr(l, '\n');
    cr_assert_not_null(nl);
    cr_assert(nl == l || nl[-1] != ' ', "trailing blank in: %.*s",
              (int)(nl - l), l);
    l = nl + 1;
  }
  free(out);
  merge_result_free(&r);
  oci_process_free(c);
}

Test(explain, nothing_merged_fails) {
  struct merge_result r = {0};
  char *out = NULL;
  struct minirt_error err = {0};
  cr_assert_lt(merge_explain_table(&r, &out, &err), 0);
  cr_assert_null(out);
  minirt_error_clear(&err);
}

Test(explain, json_has_process_and_sources) {
  struct oci_process *c = config();
  char *e[] = {"TERM=dumb"};
  struct exec_flags fl = {.args = cmd_sh, .n_args = 1, .env = e, .n_env = 1};
  struct merge_result r = run_ok(c, NULL, &fl);
  char *out = NULL;
  struct minirt_error err = {0};
  cr_assert_eq(merge_explain_json(&r, &out, &err), 0, "%s", err.msg);
  /* Checked with json-c directly: this test is about the text's shape. */
  json_object *o = json_tokener_parse(out);
  cr_assert_not_null(o, "not JSON: %s", out);
  json_object *proc = NULL, *src = NULL, *v = NULL;
  cr_assert(json_object_object_get_ex(o, "process", &proc));
  cr_assert(json_object_object_get_ex(o, "sources", &src));
  cr_assert(json_object_object_get_ex(proc, "cwd", &v));
  cr_assert_str_eq(json_object_get_string(v), "/srv");
  cr_assert(json_object_object_get_ex(src, "env", &v));
  cr_assert_str_eq(json_object_get_string(v), "config + flag --env");
  cr_assert(json_object_object_get_ex(src, "user.uid", &v));
  cr_assert_str_eq(json_object_get_string(v), "config");
  cr_assert_eq(json_object_object_length(src), MF_COUNT);
  json_object_put(o);
  free(out);
  merge_result_free(&r);
  oci_process_free(c);
}

/* The parser behind HOME also names the owner in `list`. */
Test(passwd, name_and_home_by_uid) {
  const char *t = "root:x:0:0:root:/root:/bin/sh\n"
                  "broken line\n"
                  "alice:x:1000:1000::/home/alice:/bin/sh\n"
                  "noname::1001:1001:::\n";
  char *s = passwd_field(t, 1000, PASSWD_NAME);
  cr_assert_str_eq(s, "alice");
  free(s);
  s = passwd_field(t, 0, PASSWD_HOME);
  cr_assert_str_eq(s, "/root");
  free(s);
  cr_assert_null(passwd_field(t, 1001, PASSWD_HOME)); /* empty field */
  cr_assert_null(passwd_field(t, 4242, PASSWD_NAME));
}
