/* The parsed command line: global options, the command and its options,
 * ready to hand to the core functions of core/runtime.h. Parsing is pure
 * (no I/O) so that tests/unit/test_cli.c covers it. */
#ifndef MINIRT_CLI_CLI_H
#define MINIRT_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/optparse.h"
#include "core/runtime.h"
#include "spec/oci.h"

enum cli_cmd {
  CMD_NONE,
  CMD_HELP,
  CMD_CREATE,
  CMD_START,
  CMD_RUN,
  CMD_EXEC,
  CMD_STATE,
  CMD_KILL,
  CMD_DELETE,
  CMD_LIST,
  CMD_PS,
  CMD_PAUSE,
  CMD_RESUME,
  CMD_UPDATE,
  CMD_EVENTS,
  CMD_SPEC,
  CMD_FEATURES,
  CMD_COMPLETION,
  CMD_CHECKPOINT,
  CMD_RESTORE,
  CMD_UNSUPPORTED, /* a command that always fails (none at present) */
};

struct cli {
  struct minirt_global global;
  bool show_help;    /* minirt --help, or `minirt help` */
  bool show_version; /* minirt --version */
  const char *criu;  /* --criu PATH: the criu binary of checkpoint/restore */

  enum cli_cmd cmd;
  const struct cli_command_def *cmd_def; /* NULL before the command is known */
  bool cmd_help; /* COMMAND --help, or `minirt help COMMAND` */
  bool no_hint;  /* error needs no "see --help" hint */

  const char *id;
  struct create_opts create; /* create, run */
  struct exec_opts exec;     /* exec; arrays owned (see cli_free) */
  struct checkpoint_opts checkpoint;
  struct restore_opts restore;
  int signal;                /* kill, default SIGTERM */
  bool kill_all;
  bool force;         /* delete --force */
  const char *format; /* list, ps: "table" (default) | "json" */
  bool quiet;         /* list -q */
  char **ps_args;     /* ps: NULL-terminated or NULL; pointers into argv */
  const char *resources_file;      /* update -r */
  struct oci_resources *resources; /* update flags, owned; NULL if none */
  const char *l3_cache_schema, *mem_bw_schema; /* update (intelRdt) */
  bool stats;                                  /* events --stats */
  int interval_sec;   /* events --interval, default 5 */
  const char *bundle; /* spec -b, default "." */
  bool spec_rootless; /* spec --rootless */
  const char *shell;  /* completion: bash, zsh or fish */
};

/* What a command takes after its options, for the shell completion (the
 * on_args handler is what checks them). */
enum cli_operands {
  OPERANDS_NONE,
  OPERANDS_NEW_ID,     /* create, run: a new container's name */
  OPERANDS_ID,         /* an existing container */
  OPERANDS_ID_SIGNAL,  /* kill */
  OPERANDS_ID_ARGS,    /* ps: ID, then arguments of ps(1) */
  OPERANDS_ID_COMMAND, /* exec: ID, then a command in the container */
  OPERANDS_COMMAND,    /* help: a minirt command */
  OPERANDS_SHELL,      /* completion: bash, zsh or fish */
};

/* One entry per command: its option table and how to take its options and
 * positional arguments. */
struct cli_command_def {
  const char *name;
  enum cli_cmd cmd;
  const char *synopsis; /* after "minirt NAME " */
  const char *summary;
  const struct opt_def *opts; /* terminated by name == NULL */
  bool permute;               /* options may follow the positionals */
  int (*on_opt)(struct cli *c, const struct opt_hit *h,
                struct minirt_error *err);
  int (*on_args)(struct cli *c, char **pos, size_t n, struct minirt_error *err);
  enum cli_operands operands;
};

/* Parses argv (argv[0] is the program). On error, *err holds a message
 * without the "minirt: " prefix; c->cmd_def says which command's --help to
 * suggest. argv must outlive c (c points into it). */
int cli_parse(int argc, char **argv, struct cli *c, struct minirt_error *err);
void cli_free(struct cli *c);

const struct cli_command_def *cli_find_command(const char *name);
extern const struct cli_command_def *const cli_commands[]; /* NULL-terminated */
extern const struct opt_def cli_global_opts[];

/* --help output: the global usage when cmd is NULL. */
void cli_print_usage(FILE *out, const struct cli_command_def *cmd);
void cli_print_version(FILE *out);
/* `minirt completion SHELL`: a completion script generated from the same
 * tables (src/cli/completion.c). */
void cli_print_completion(FILE *out, const char *shell);

/* Runs the parsed command through core; *exit_status is what minirt exits
 * with (run/exec: the container process's status). */
int cli_dispatch(const struct cli *c, int *exit_status,
                 struct minirt_error *err);

/* ---- per-command tables, defined in cli_commands.c, cli_exec.c,
 * cli_update.c, cli_checkpoint.c ---- */
extern const struct cli_command_def cli_cmd_create, cli_cmd_run, cli_cmd_start,
    cli_cmd_state, cli_cmd_kill, cli_cmd_delete, cli_cmd_list, cli_cmd_ps,
    cli_cmd_pause, cli_cmd_resume, cli_cmd_events, cli_cmd_spec,
    cli_cmd_features, cli_cmd_exec, cli_cmd_update, cli_cmd_checkpoint,
    cli_cmd_restore, cli_cmd_help, cli_cmd_completion;

/* Positional-argument helpers shared by the command tables. */
int cli_args_id_only(struct cli *c, char **pos, size_t n,
                     struct minirt_error *err);
int cli_args_none(struct cli *c, char **pos, size_t n,
                  struct minirt_error *err);

#endif
