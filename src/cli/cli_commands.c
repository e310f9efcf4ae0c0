/* Option tables of the lifecycle and query commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/signals.h"
#include "cli/values.h"

enum {
  O_BUNDLE = 1,
  O_PID_FILE,
  O_CONSOLE_SOCKET,
  O_PRESERVE_FDS,
  O_NO_PIVOT,
  O_NO_NEW_KEYRING,
  O_DETACH,
  O_KEEP,
  O_ALL,
  O_FORCE,
  O_FORMAT,
  O_QUIET,
  O_STATS,
  O_INTERVAL,
  O_ROOTLESS,
};

#define HELP_OPT                                                               \
  { "help", 'h', OPT_FLAG, OPT_ID_HELP, NULL, "show this help" }
#define END_OPT                                                                \
  { NULL, 0, 0, 0, NULL, NULL }

#define CREATE_OPTS                                                            \
  {"bundle",                                                                   \
   'b',                                                                        \
   OPT_VALUE,                                                                  \
   O_BUNDLE,                                                                   \
   "DIR",                                                                      \
   "bundle directory holding config.json (default: current directory)"},       \
      {"pid-file", 0,      OPT_VALUE,                                          \
       O_PID_FILE, "FILE", "write the container init's host pid to FILE"},     \
      {"console-socket",                                                       \
       0,                                                                      \
       OPT_VALUE,                                                              \
       O_CONSOLE_SOCKET,                                                       \
       "SOCKET",                                                               \
       "unix socket to send the pty master to (process.terminal)"},            \
      {"preserve-fds",                                                         \
       0,                                                                      \
       OPT_VALUE,                                                              \
       O_PRESERVE_FDS,                                                         \
       "N",                                                                    \
       "pass N extra fds (3 .. 3+N-1) to the container process"},              \
      {"no-pivot", 0,    OPT_FLAG,                                             \
       O_NO_PIVOT, NULL, "use chroot-like MS_MOVE instead of pivot_root"},     \
      {"no-new-keyring",                                                       \
       0,                                                                      \
       OPT_FLAG,                                                               \
       O_NO_NEW_KEYRING,                                                       \
       NULL,                                                                   \
       "keep the caller's session keyring instead of a new one"},              \
      HELP_OPT

static const struct opt_def create_opts[] = {CREATE_OPTS, END_OPT};
static const struct opt_def run_opts[] = {
    CREATE_OPTS,
    {"detach", 'd', OPT_FLAG, O_DETACH, NULL,
     "start the container and return without waiting"},
    {"keep", 0, OPT_FLAG, O_KEEP, NULL,
     "do not delete the container after it exits"},
    END_OPT};

static int parse_preserve_fds(const char *cmd, const char *v, int *out,
                              struct minirt_error *err) {
  uint64_t n;
  char flag[64];
  snprintf(flag, sizeof(flag), "%s: --preserve-fds", cmd);
  int r = cli_parse_u64(flag, v, 1024 * 1024, &n, err);
  if (r < 0)
    return r;
  *out = (int)n;
  return 0;
}

static int create_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  struct create_opts *o = &c->create;
  switch (h->id) {
  case O_BUNDLE:
    o->bundle = h->value;
    return 0;
  case O_PID_FILE:
    o->pid_file = h->value;
    return 0;
  case O_CONSOLE_SOCKET:
    o->console_socket = h->value;
    return 0;
  case O_PRESERVE_FDS:
    return parse_preserve_fds(c->cmd_def->name, h->value, &o->preserve_fds,
                              err);
  case O_NO_PIVOT:
    o->no_pivot = h->flag;
    return 0;
  case O_NO_NEW_KEYRING:
    o->no_new_keyring = h->flag;
    return 0;
  case O_DETACH:
    o->detach = h->flag;
    return 0;
  case O_KEEP:
    o->keep = h->flag;
    return 0;
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled option");
}

static int create_args(struct cli *c, char **pos, size_t n,
                       struct minirt_error *err) {
  int r = cli_args_id_only(c, pos, n, err);
  c->create.id = c->id;
  return r;
}

const struct cli_command_def cli_cmd_create = {
    "create",
    CMD_CREATE,
    "[OPTIONS] ID",
    "create a container from a bundle; its process waits for `start`",
    create_opts,
    true,
    create_opt,
    create_args,
    OPERANDS_NEW_ID};
const struct cli_command_def cli_cmd_run = {
    "run",          CMD_RUN,
    "[OPTIONS] ID", "create and start a container, wait for it and delete it",
    run_opts,       true,
    create_opt,     create_args,
    OPERANDS_NEW_ID};

static const struct opt_def help_only[] = {HELP_OPT, END_OPT};

static int no_opt(struct cli *c, const struct opt_hit *h,
                  struct minirt_error *err) {
  return minirt_fail_msg(err, EINVAL, "internal: unhandled option");
}

const struct cli_command_def cli_cmd_start = {
    "start",    CMD_START,
    "ID",       "run the user process of a created container",
    help_only,  true,
    no_opt,     cli_args_id_only,
    OPERANDS_ID};
const struct cli_command_def cli_cmd_state = {
    "state",    CMD_STATE, "ID",   "print the state of a container as JSON",
    help_only,  true,      no_opt, cli_args_id_only,
    OPERANDS_ID};
const struct cli_command_def cli_cmd_pause = {
    "pause",    CMD_PAUSE, "ID",   "freeze every process of a container",
    help_only,  true,      no_opt, cli_args_id_only,
    OPERANDS_ID};
const struct cli_command_def cli_cmd_resume = {
    "resume",   CMD_RESUME, "ID",   "thaw a paused container",
    help_only,  true,       no_opt, cli_args_id_only,
    OPERANDS_ID};
const struct cli_command_def cli_cmd_features = {
    "features",   CMD_FEATURES,
    "",           "print the features this build implements as JSON",
    help_only,    true,
    no_opt,       cli_args_none,
    OPERANDS_NONE};

static const struct opt_def kill_opts[] = {
    {"all", 'a', OPT_FLAG, O_ALL, NULL,
     "send the signal to every process of the container"},
    HELP_OPT,
    END_OPT};

static int kill_opt(struct cli *c, const struct opt_hit *h,
                    struct minirt_error *err) {
  c->kill_all = h->flag;
  return 0;
}

static int kill_args(struct cli *c, char **pos, size_t n,
                     struct minirt_error *err) {
  if (n == 0)
    return minirt_fail_msg(err, EINVAL, "missing container ID");
  if (n > 2)
    return minirt_fail_msg(err, EINVAL, "extra argument `%s`", pos[2]);
  c->id = pos[0];
  return n == 2 ? cli_parse_signal(pos[1], &c->signal, err) : 0;
}

const struct cli_command_def cli_cmd_kill = {
    "kill",
    CMD_KILL,
    "[OPTIONS] ID [SIGNAL]",
    "send a signal (default TERM) to the container's init process",
    kill_opts,
    true,
    kill_opt,
    kill_args,
    OPERANDS_ID_SIGNAL};

static const struct opt_def delete_opts[] = {
    {"force", 'f', OPT_FLAG, O_FORCE, NULL,
     "kill a running container with SIGKILL before deleting it"},
    HELP_OPT,
    END_OPT};

static int delete_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  c->force = h->flag;
  return 0;
}

const struct cli_command_def cli_cmd_delete = {
    "delete",       CMD_DELETE,
    "[OPTIONS] ID", "delete a stopped container and its state",
    delete_opts,    true,
    delete_opt,     cli_args_id_only,
    OPERANDS_ID};

static int parse_format(struct cli *c, const char *v,
                        struct minirt_error *err) {
  if (strcmp(v, "table") != 0 && strcmp(v, "json") != 0)
    return minirt_fail_msg(err, EINVAL, "--format `%s`: must be table or json",
                           v);
  c->format = v;
  return 0;
}

static const struct opt_def list_opts[] = {
    {"format", 'f', OPT_VALUE, O_FORMAT, "table|json",
     "output format (default table)"},
    {"quiet", 'q', OPT_FLAG, O_QUIET, NULL, "print only the container IDs"},
    HELP_OPT,
    END_OPT};

static int list_opt(struct cli *c, const struct opt_hit *h,
                    struct minirt_error *err) {
  if (h->id == O_QUIET) {
    c->quiet = h->flag;
    return 0;
  }
  return parse_format(c, h->value, err);
}

const struct cli_command_def cli_cmd_list = {
    "list",       CMD_LIST, "[OPTIONS]", "list the containers under --root",
    list_opts,    true,     list_opt,    cli_args_none,
    OPERANDS_NONE};

static const struct opt_def ps_opts[] = {
    {"format", 'f', OPT_VALUE, O_FORMAT, "table|json",
     "table: ps output; json: a JSON array of pids (default table)"},
    HELP_OPT,
    END_OPT};

static int ps_opt(struct cli *c, const struct opt_hit *h,
                  struct minirt_error *err) {
  return parse_format(c, h->value, err);
}

/* Like runc, everything after ID goes to ps(1), an optional "--" first. */
static int ps_args(struct cli *c, char **pos, size_t n,
                   struct minirt_error *err) {
  if (n == 0)
    return minirt_fail_msg(err, EINVAL, "missing container ID");
  c->id = pos[0];
  size_t first = (n > 1 && strcmp(pos[1], "--") == 0) ? 2 : 1;
  if (first >= n)
    return 0;
  char **v = calloc(n - first + 1, sizeof(*v));
  if (v == NULL)
    return minirt_fail(err, ENOMEM, "ps arguments");
  memcpy(v, pos + first, (n - first) * sizeof(*v));
  c->ps_args = v;
  return 0;
}

const struct cli_command_def cli_cmd_ps = {
    "ps",
    CMD_PS,
    "[OPTIONS] ID [-- PS_ARGS...]",
    "list the processes running in a container",
    ps_opts,
    false,
    ps_opt,
    ps_args,
    OPERANDS_ID_ARGS};

static const struct opt_def events_opts[] = {
    {"stats", 0, OPT_FLAG, O_STATS, NULL,
     "print the resource statistics once and exit"},
    {"interval", 0, OPT_VALUE, O_INTERVAL, "DURATION",
     "statistics interval, whole seconds: 5, 5s, 1m (default 5s)"},
    HELP_OPT,
    END_OPT};

static int events_opt(struct cli *c, const struct opt_hit *h,
                      struct minirt_error *err) {
  if (h->id == O_STATS) {
    c->stats = h->flag;
    return 0;
  }
  return cli_parse_duration_sec("--interval", h->value, &c->interval_sec, err);
}

const struct cli_command_def cli_cmd_events = {
    "events",       CMD_EVENTS,
    "[OPTIONS] ID", "print container statistics (and OOM events) as JSON lines",
    events_opts,    true,
    events_opt,     cli_args_id_only,
    OPERANDS_ID};

static const struct opt_def spec_opts[] = {
    {"bundle", 'b', OPT_VALUE, O_BUNDLE, "DIR",
     "directory to write config.json in (default: current directory)"},
    {"rootless", 0, OPT_FLAG, O_ROOTLESS, NULL,
     "write a config for a rootless container"},
    HELP_OPT,
    END_OPT};

static int spec_opt(struct cli *c, const struct opt_hit *h,
                    struct minirt_error *err) {
  if (h->id == O_ROOTLESS) {
    c->spec_rootless = h->flag;
    return 0;
  }
  c->bundle = h->value;
  return 0;
}

const struct cli_command_def cli_cmd_spec = {
    "spec",       CMD_SPEC, "[OPTIONS]", "write a default config.json",
    spec_opts,    true,     spec_opt,    cli_args_none,
    OPERANDS_NONE};

static int help_args(struct cli *c, char **pos, size_t n,
                     struct minirt_error *err) {
  if (n == 0) {
    c->show_help = true;
    return 0;
  }
  const struct cli_command_def *def = cli_find_command(pos[0]);
  if (def == NULL || def->cmd == CMD_UNSUPPORTED)
    return minirt_fail_msg(err, EINVAL, "unknown command `%s`", pos[0]);
  c->cmd_def = def;
  c->cmd = def->cmd;
  c->cmd_help = true;
  return 0;
}

const struct cli_command_def cli_cmd_help = {
    "help",          CMD_HELP,
    "[COMMAND]",     "show the help of minirt or of a command",
    help_only,       true,
    no_opt,          help_args,
    OPERANDS_COMMAND};

static int completion_args(struct cli *c, char **pos, size_t n,
                           struct minirt_error *err) {
  if (n != 1)
    return minirt_fail_msg(err, EINVAL, "expects one shell: bash, zsh or fish");
  if (strcmp(pos[0], "bash") != 0 && strcmp(pos[0], "zsh") != 0 &&
      strcmp(pos[0], "fish") != 0)
    return minirt_fail_msg(
        err, EINVAL, "unknown shell `%s`: expected bash, zsh or fish", pos[0]);
  c->shell = pos[0];
  return 0;
}

const struct cli_command_def cli_cmd_completion = {
    "completion",    CMD_COMPLETION,
    "bash|zsh|fish", "print a shell completion script for minirt",
    help_only,       true,
    no_opt,          completion_args,
    OPERANDS_SHELL};
