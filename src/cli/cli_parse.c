/* The driver: global options, then the command's own table. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/values.h"
#include "spec/state.h"

enum {
  G_ROOT = 1,
  G_LOG,
  G_LOG_FORMAT,
  G_DEBUG,
  G_SYSTEMD_CGROUP,
  G_ROOTLESS,
  G_CRIU,
  G_VERSION,
};

const struct opt_def cli_global_opts[] = {
    {"root", 0, OPT_VALUE, G_ROOT, "DIR",
     "directory for container state (default " MINIRT_DEFAULT_ROOT
     ", or $XDG_RUNTIME_DIR/minirt when not root)"},
    {"log", 0, OPT_VALUE, G_LOG, "FILE",
     "also write errors to FILE (default: stderr only)"},
    {"log-format", 0, OPT_VALUE, G_LOG_FORMAT, "text|json",
     "format of the --log file: text (default) or json"},
    {"debug", 0, OPT_FLAG, G_DEBUG, NULL, "enable debug output"},
    {"systemd-cgroup", 0, OPT_FLAG, G_SYSTEMD_CGROUP, NULL,
     "manage cgroups through systemd (cgroupsPath is slice:prefix:name)"},
    {"rootless", 0, OPT_VALUE, G_ROOTLESS, "true|false|auto",
     "run as rootless: no cgroup unless one is writable "
     "(auto: when not root of the host)"},
    {"criu", 0, OPT_VALUE, G_CRIU, "PATH",
     "the criu binary of checkpoint and restore (default: criu in $PATH)"},
    {"help", 'h', OPT_FLAG, OPT_ID_HELP, NULL, "show this help"},
    {"version", 'v', OPT_FLAG, G_VERSION, NULL, "print the version"},
    {NULL, 0, 0, 0, NULL, NULL},
};

const struct cli_command_def *const cli_commands[] = {
    &cli_cmd_create,   &cli_cmd_start,
    &cli_cmd_run,      &cli_cmd_exec,
    &cli_cmd_state,    &cli_cmd_kill,
    &cli_cmd_delete,   &cli_cmd_list,
    &cli_cmd_ps,       &cli_cmd_pause,
    &cli_cmd_resume,   &cli_cmd_update,
    &cli_cmd_events,   &cli_cmd_spec,
    &cli_cmd_features, &cli_cmd_completion,
    &cli_cmd_help,     &cli_cmd_checkpoint,
    &cli_cmd_restore,  NULL,
};

const struct cli_command_def *cli_find_command(const char *name) {
  for (size_t i = 0; cli_commands[i] != NULL; i++)
    if (strcmp(cli_commands[i]->name, name) == 0)
      return cli_commands[i];
  return NULL;
}

int cli_args_id_only(struct cli *c, char **pos, size_t n,
                     struct minirt_error *err) {
  if (n == 0)
    return minirt_fail_msg(err, EINVAL, "missing container ID");
  if (n > 1)
    return minirt_fail_msg(err, EINVAL,
                           "expects exactly one container ID, got extra "
                           "argument `%s`",
                           pos[1]);
  c->id = pos[0];
  return 0;
}

int cli_args_none(struct cli *c, char **pos, size_t n,
                  struct minirt_error *err) {
  if (n > 0)
    return minirt_fail_msg(err, EINVAL, "takes no arguments, got `%s`", pos[0]);
  return 0;
}

static int global_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  switch (h->id) {
  case G_ROOT:
    c->global.root = h->value;
    return 0;
  case G_LOG:
    c->global.log = h->value;
    return 0;
  case G_LOG_FORMAT:
    if (strcmp(h->value, "text") != 0 && strcmp(h->value, "json") != 0)
      return minirt_fail_msg(
          err, EINVAL, "--log-format `%s`: must be text or json", h->value);
    c->global.log_format = h->value;
    return 0;
  case G_DEBUG:
    c->global.debug = h->flag;
    return 0;
  case G_SYSTEMD_CGROUP:
    c->global.systemd_cgroup = h->flag;
    return 0;
  case G_ROOTLESS: {
    bool b = false;
    if (strcmp(h->value, "auto") != 0 && opt_parse_bool(h->value, &b) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "--rootless `%s`: must be true, false or auto",
                             h->value);
    c->global.rootless_mode = strcmp(h->value, "auto") == 0 ? MINIRT_ROOTLESS_AUTO
                              : b                           ? MINIRT_ROOTLESS_TRUE
                                                            : MINIRT_ROOTLESS_FALSE;
    return 0;
  }
  case G_CRIU:
    c->criu = h->value;
    return 0;
  case OPT_ID_HELP:
    c->show_help = h->flag;
    return 0;
  case G_VERSION:
    c->show_version = h->flag;
    return 0;
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled global option");
}

/* Handlers name the command themselves ("kill: unknown signal ..."); the
 * rest gets "NAME: " in front. */
static void prefix_command(struct minirt_error *err, const char *name) {
  size_t len = strlen(name);
  if (err->msg == NULL ||
      (strncmp(err->msg, name, len) == 0 && err->msg[len] == ':'))
    return;
  minirt_error_prefix(err, "%s: ", name);
}

static int parse_command(struct cli *c, const struct cli_command_def *def,
                         int argc, char **argv, struct minirt_error *err) {
  if (def->cmd == CMD_UNSUPPORTED) {
    /* podman takes a zero exit of `checkpoint --help` to mean support. */
    c->no_hint = true;
    return minirt_fail_msg(err, ENOTSUP, "%s is not supported", def->name);
  }
  struct opt_parser p;
  struct opt_hit h;
  int r;
  opt_init(&p, argc, argv, def->opts, def->permute);
  while ((r = opt_next(&p, &h, err)) > 0) {
    if (h.id == OPT_ID_HELP)
      c->cmd_help = h.flag;
    else if ((r = def->on_opt(c, &h, err)) < 0)
      break;
  }
  if (r == 0 && !c->cmd_help)
    r = def->on_args(c, p.positional, p.n_positional, err);
  opt_fini(&p);
  if (r < 0)
    prefix_command(err, def->name);
  return r < 0 ? r : 0;
}

static void set_defaults(struct cli *c) {
  memset(c, 0, sizeof(*c));
  c->global.log_format = "text";
  c->create.bundle = ".";
  c->exec.explain_format = "json";
  c->signal = SIGTERM;
  c->format = "table";
  c->interval_sec = 5;
  c->bundle = ".";
  c->restore.bundle = ".";
}

int cli_parse(int argc, char **argv, struct cli *c, struct minirt_error *err) {
  set_defaults(c);
  struct opt_parser p;
  struct opt_hit h;
  int r;
  opt_init(&p, argc > 0 ? argc - 1 : 0, argc > 0 ? argv + 1 : argv,
           cli_global_opts, false);
  while ((r = opt_next(&p, &h, err)) > 0)
    if ((r = global_opt(c, &h, err)) < 0)
      break;
  if (r < 0 || c->show_help || c->show_version)
    goto out;
  if (p.n_positional == 0) {
    r = minirt_fail_msg(err, EINVAL, "no command given");
    goto out;
  }
  const struct cli_command_def *def = cli_find_command(p.positional[0]);
  if (def == NULL) {
    r = minirt_fail_msg(err, EINVAL, "unknown command `%s`", p.positional[0]);
    goto out;
  }
  c->cmd = def->cmd;
  c->cmd_def = def;
  r = parse_command(c, def, (int)p.n_positional - 1, p.positional + 1, err);
out:
  opt_fini(&p);
  return r;
}

void cli_free(struct cli *c) {
  struct exec_flags *f = &c->exec.flags;
  free(f->args);
  free(f->env);
  free(f->additional_gids);
  for (size_t i = 0; i < f->n_caps; i++)
    free(f->caps[i]);
  free(f->caps);
  memset(f, 0, sizeof(*f));
  free(c->ps_args);
  c->ps_args = NULL;
  if (c->resources != NULL)
    oci_resources_free(c->resources);
  c->resources = NULL;
}
