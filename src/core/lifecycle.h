#ifndef MINIRT_CORE_LIFECYCLE_H
#define MINIRT_CORE_LIFECYCLE_H

#include <sys/types.h>

#include "core/runtime.h"

struct created_container {
  pid_t pid;
  int pty_master; /* terminal without --console-socket (run proxies it) */
  int exit_code;  /* on failure: what `run` exits with (127, 126 or 1) */
  /* The config as loaded at create, for `run` to start and delete with
   * (no second parse); the caller frees it with oci_config_free(). */
  struct oci_config *cfg;
};

int create_container(const struct minirt_global *g, const struct create_opts *o,
                     struct created_container *out, struct minirt_error *err);

/* Writes the decimal pid atomically (temp file + rename). */
int write_pid_file(const char *path, pid_t pid, struct minirt_error *err);

#endif
