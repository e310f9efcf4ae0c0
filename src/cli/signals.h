/* Signal names for `kill`: "KILL", "SIGKILL", "kill", "9", "RTMIN+3",
 * "SIGRTMAX-1". Pure. */
#ifndef MINIRT_CLI_SIGNALS_H
#define MINIRT_CLI_SIGNALS_H

#include <stddef.h>

#include "util/error.h"

/* Fills *sig or fails with "kill: unknown signal `FOO`". */
int cli_parse_signal(const char *s, int *sig, struct minirt_error *err);

/* The i-th signal name without "SIG" (HUP, INT ...), NULL past the last:
 * the list `kill` completes. */
const char *cli_signal_name(size_t i);

#endif
