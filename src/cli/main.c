/* minirt's entry point: parse, run the command through core, report. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/log.h"
#include "util/cleanup.h"

static void report(const struct cli *c, const char *msg) {
  minirt_log_error(&c->global, msg);
}

/* The exit status of run/exec is the container process's (set by core even
 * when it fails with 126/127); otherwise 0 or 1. */
static int exit_code(int r, int status) {
  if (status >= 0 && status <= 255 && (r == 0 || status != 0))
    return status;
  return r < 0 ? 1 : 0;
}

int main(int argc, char **argv) {
  struct cli c;
  _cleanup_error_ struct minirt_error err = {0, NULL};
  int r = cli_parse(argc, argv, &c, &err);
  if (r < 0) {
    report(&c, err.msg);
    if (!c.no_hint)
      fprintf(stderr, "Run 'minirt%s%s --help' for usage.\n",
              c.cmd_def != NULL ? " " : "",
              c.cmd_def != NULL ? c.cmd_def->name : "");
    cli_free(&c);
    return 1;
  }
  if (c.show_version) {
    cli_print_version(stdout);
  } else if (c.show_help) {
    cli_print_usage(stdout, NULL);
  } else if (c.cmd_help) {
    cli_print_usage(stdout, c.cmd_def);
  } else if (c.cmd == CMD_COMPLETION) {
    cli_print_completion(stdout, c.shell);
  } else {
    int status = -1;
    r = cli_dispatch(&c, &status, &err);
    if (r < 0)
      report(&c, err.msg != NULL ? err.msg : "unknown error");
    fflush(stdout);
    cli_free(&c);
    return exit_code(r, status);
  }
  cli_free(&c);
  return fflush(stdout) == 0 ? 0 : 1;
}
