/* OCI hooks: run with the state JSON on stdin, their own args/env, and an
 * optional timeout after which they are killed. */
#ifndef MINIRT_CORE_HOOKS_H
#define MINIRT_CORE_HOOKS_H

#include "spec/oci.h"

/* Runs every hook of the list in order; stops at the first failure (non-zero
 * exit, signal, timeout, exec failure) with an error naming the hook kind,
 * index and path: "prestart hook 0 `/bin/x`: exited with status 1". */
int hooks_run(const char *kind, const struct oci_hook_list *hooks,
              const char *state_json, struct minirt_error *err);

#endif
