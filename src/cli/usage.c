/* --help and --version text, generated from the option tables so that the
 * help always lists every flag the parser accepts. */
#include <string.h>

#include "cli/cli.h"
#include "config.h"
#include "spec/oci.h"

static void print_opts(FILE *out, const struct opt_def *opts) {
  for (const struct opt_def *d = opts; d->name != NULL; d++) {
    char left[64];
    char shortpart[8] = "";
    if (d->short_name != 0)
      snprintf(shortpart, sizeof(shortpart), "-%c, ", d->short_name);
    snprintf(left, sizeof(left), "%s--%s%s%s", shortpart, d->name,
             d->kind == OPT_VALUE ? " " : "",
             d->kind == OPT_VALUE && d->metavar ? d->metavar : "");
    fprintf(out, "  %-30s %s\n", left, d->help);
  }
}

static void print_global(FILE *out) {
  fprintf(out, "Usage: minirt [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS...]\n\n"
               "minirt is an OCI container runtime.\n\nCommands:\n");
  for (size_t i = 0; cli_commands[i] != NULL; i++) {
    const struct cli_command_def *d = cli_commands[i];
    if (d->cmd != CMD_UNSUPPORTED)
      fprintf(out, "  %-10s %s\n", d->name, d->summary);
  }
  fprintf(out, "\nGlobal options (before COMMAND):\n");
  print_opts(out, cli_global_opts);
  fprintf(out, "\nRun 'minirt COMMAND --help' for the options of a "
               "command.\n");
}

void cli_print_usage(FILE *out, const struct cli_command_def *cmd) {
  if (cmd == NULL) {
    print_global(out);
    return;
  }
  fprintf(out, "Usage: minirt [GLOBAL OPTIONS] %s%s%s\n\n%s.\n", cmd->name,
          cmd->synopsis[0] != '\0' ? " " : "", cmd->synopsis, cmd->summary);
  if (cmd->cmd == CMD_EXEC)
    fprintf(out, "\nOptions must come before ID: everything after ID is the "
                 "command.\n--user takes numeric ids only.\n");
  if (cmd->cmd == CMD_KILL)
    fprintf(out, "\nSIGNAL: a name (KILL, SIGKILL, kill, RTMIN+3) or a number "
                 "(1-64); default TERM.\n");
  if (cmd->cmd == CMD_PS)
    fprintf(out, "\nArguments after ID are passed to ps(1) (default -ef).\n");
  fprintf(out, "\nOptions:\n");
  print_opts(out, cmd->opts);
}

void cli_print_version(FILE *out) {
  /* runc's layout (version, commit, spec, libseccomp), then crun's line of
   * features; both lists come from meson.build. */
  fprintf(out,
          "minirt version %s\ncommit: %s\nspec: %s\nlibseccomp: %s\n"
          "json-c: %s\n%s\n",
          MINIRT_VERSION, MINIRT_COMMIT, MINIRT_OCI_VERSION,
          MINIRT_LIBSECCOMP_VERSION, MINIRT_JSONC_VERSION, MINIRT_FEATURES);
}
