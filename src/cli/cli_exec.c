/* `exec`: options before ID only; everything after ID is the command. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/values.h"

enum {
  X_PROCESS = 1,
  X_DETACH,
  X_PID_FILE,
  X_CONSOLE_SOCKET,
  X_TTY,
  X_CWD,
  X_ENV,
  X_USER,
  X_ADDITIONAL_GIDS,
  X_CAP,
  X_NO_NEW_PRIVS,
  X_APPARMOR,
  X_PROCESS_LABEL,
  X_PRESERVE_FDS,
  X_CGROUP,
  X_IGNORE_PAUSED,
  X_EXPLAIN,
  X_FORMAT,
};

static const struct opt_def exec_opts[] = {
    {"process", 'p', OPT_VALUE, X_PROCESS, "FILE",
     "process.json whose fields replace the container's (see docs/exec.md)"},
    {"detach", 'd', OPT_FLAG, X_DETACH, NULL,
     "return once the process has started"},
    {"pid-file", 0, OPT_VALUE, X_PID_FILE, "FILE",
     "write the process's host pid to FILE"},
    {"console-socket", 0, OPT_VALUE, X_CONSOLE_SOCKET, "SOCKET",
     "unix socket to send the pty master to (with --tty)"},
    {"tty", 't', OPT_FLAG, X_TTY, NULL, "allocate a pseudo-terminal"},
    {"cwd", 0, OPT_VALUE, X_CWD, "DIR", "working directory in the container"},
    {"env", 'e', OPT_VALUE, X_ENV, "KEY=VALUE",
     "set an environment variable (repeatable)"},
    {"user", 'u', OPT_VALUE, X_USER, "UID[:GID]",
     "numeric user and optional group id"},
    {"additional-gids", 'g', OPT_VALUE, X_ADDITIONAL_GIDS, "GID",
     "add a supplementary group id (repeatable)"},
    {"cap", 'c', OPT_VALUE, X_CAP, "CAP",
     "add a capability, CAP_NET_ADMIN or NET_ADMIN (repeatable)"},
    {"no-new-privs", 0, OPT_FLAG, X_NO_NEW_PRIVS, NULL,
     "set no_new_privileges for the process"},
    {"apparmor", 0, OPT_VALUE, X_APPARMOR, "PROFILE", "AppArmor profile"},
    {"process-label", 0, OPT_VALUE, X_PROCESS_LABEL, "LABEL",
     "SELinux label of the process"},
    {"preserve-fds", 0, OPT_VALUE, X_PRESERVE_FDS, "N",
     "pass N extra fds (3 .. 3+N-1) to the process"},
    {"cgroup", 0, OPT_VALUE, X_CGROUP, "PATH",
     "run in this sub-cgroup of the container's cgroup"},
    {"ignore-paused", 0, OPT_FLAG, X_IGNORE_PAUSED, NULL,
     "allow exec into a paused container"},
    {"explain", 0, OPT_FLAG, X_EXPLAIN, NULL,
     "print the resolved process and each field's source; run nothing"},
    {"format", 0, OPT_VALUE, X_FORMAT, "json|table",
     "output format of --explain (default json)"},
    {"help", 'h', OPT_FLAG, OPT_ID_HELP, NULL, "show this help"},
    {NULL, 0, 0, 0, NULL, NULL},
};

/* Grows a NULL-terminated pointer array by one element. */
static int push_ptr(char ***v, size_t *n, char *item,
                    struct minirt_error *err) {
  char **nv = realloc(*v, (*n + 2) * sizeof(*nv));
  if (nv == NULL)
    return minirt_fail(err, ENOMEM, "exec: parse arguments");
  nv[(*n)++] = item;
  nv[*n] = NULL;
  *v = nv;
  return 0;
}

static int add_gid(struct exec_flags *f, const char *v,
                   struct minirt_error *err) {
  uint64_t g;
  int r = cli_parse_u64("exec: --additional-gids", v, UINT32_MAX - 1, &g, err);
  if (r < 0)
    return r;
  uint32_t *ng =
      realloc(f->additional_gids, (f->n_additional_gids + 1) * sizeof(*ng));
  if (ng == NULL)
    return minirt_fail(err, ENOMEM, "exec: --additional-gids");
  ng[f->n_additional_gids++] = (uint32_t)g;
  f->additional_gids = ng;
  return 0;
}

static int add_cap(struct exec_flags *f, const char *v,
                   struct minirt_error *err) {
  char *cap = NULL;
  int r = cli_normalize_cap(v, &cap, err);
  if (r < 0)
    return r;
  if ((r = push_ptr(&f->caps, &f->n_caps, cap, err)) < 0)
    free(cap);
  return r;
}

static int add_env(struct exec_flags *f, char *v, struct minirt_error *err) {
  char *eq = strchr(v, '=');
  if (eq == NULL || eq == v)
    return minirt_fail_msg(err, EINVAL, "exec: --env `%s`: expected KEY=VALUE",
                           v);
  return push_ptr(&f->env, &f->n_env, v, err);
}

static int exec_opt_value(struct cli *c, const struct opt_hit *h,
                          struct minirt_error *err) {
  struct exec_opts *o = &c->exec;
  struct exec_flags *f = &o->flags;
  uint64_t n;
  int r;
  switch (h->id) {
  case X_PROCESS:
    o->process_file = h->value;
    return 0;
  case X_PID_FILE:
    o->pid_file = h->value;
    return 0;
  case X_CONSOLE_SOCKET:
    o->console_socket = h->value;
    return 0;
  case X_CWD:
    f->cwd = h->value;
    return 0;
  case X_ENV:
    /* The value points into argv, which is writable and outlives c. */
    return add_env(f, (char *)h->value, err);
  case X_USER:
    f->has_user = true;
    return cli_parse_user(h->value, &f->uid, &f->has_gid, &f->gid, err);
  case X_ADDITIONAL_GIDS:
    return add_gid(f, h->value, err);
  case X_CAP:
    return add_cap(f, h->value, err);
  case X_APPARMOR:
    f->apparmor = h->value;
    return 0;
  case X_PROCESS_LABEL:
    f->process_label = h->value;
    return 0;
  case X_PRESERVE_FDS:
    r = cli_parse_u64("exec: --preserve-fds", h->value, 1024 * 1024, &n, err);
    o->preserve_fds = (int)n;
    return r;
  case X_CGROUP:
    o->cgroup = h->value;
    return 0;
  case X_FORMAT:
    if (strcmp(h->value, "json") != 0 && strcmp(h->value, "table") != 0)
      return minirt_fail_msg(
          err, EINVAL, "exec: --format `%s`: must be json or table", h->value);
    o->explain_format = h->value;
    return 0;
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled exec option");
}

static int exec_opt(struct cli *c, const struct opt_hit *h,
                    struct minirt_error *err) {
  struct exec_opts *o = &c->exec;
  switch (h->id) {
  case X_DETACH:
    o->detach = h->flag;
    return 0;
  case X_TTY:
    o->flags.tty = h->flag;
    return 0;
  case X_NO_NEW_PRIVS:
    o->flags.no_new_privs = h->flag;
    return 0;
  case X_IGNORE_PAUSED:
    o->ignore_paused = h->flag;
    return 0;
  case X_EXPLAIN:
    o->explain = h->flag;
    return 0;
  }
  return exec_opt_value(c, h, err);
}

static int exec_args(struct cli *c, char **pos, size_t n,
                     struct minirt_error *err) {
  if (n == 0)
    return minirt_fail_msg(err, EINVAL, "missing container ID");
  c->id = c->exec.id = pos[0];
  /* `exec ID -- CMD` reads as `exec ID CMD`. */
  size_t first = (n > 1 && strcmp(pos[1], "--") == 0) ? 2 : 1;
  struct exec_flags *f = &c->exec.flags;
  for (size_t i = first; i < n; i++) {
    int r = push_ptr(&f->args, &f->n_args, pos[i], err);
    if (r < 0)
      return r;
  }
  return 0;
}

const struct cli_command_def cli_cmd_exec = {
    "exec",
    CMD_EXEC,
    "[OPTIONS] ID [COMMAND [ARG...]]",
    "run a new process in a running container",
    exec_opts,
    false,
    exec_opt,
    exec_args,
    OPERANDS_ID_COMMAND};
