#ifndef MINIRT_CORE_LIFECYCLE_H
#define MINIRT_CORE_LIFECYCLE_H

#include <sys/types.h>

#include "core/runtime.h"
#include "core/state_store.h"

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

/* Steps of create that restore (core/checkpoint.c) takes too: the
 * bundle's and root.path's absolute paths, the status of a new container
 * (takes bundle, rootfs and cgroup_path), and its cgroup (*made false
 * when a rootless container goes without one). */
int resolve_paths(const struct create_opts *o, const struct oci_config *cfg,
                  char **bundle, char **rootfs, struct minirt_error *err);
int fill_status(struct container_handle *h, const struct minirt_global *g,
                char *bundle, char *rootfs, char *cgroup_path,
                const struct oci_config *cfg, struct minirt_error *err);
int make_cgroup(const struct minirt_global *g, struct minirt_status *s,
                const struct oci_linux *lx, bool *made,
                struct minirt_error *err);

/* Writes the decimal pid atomically (temp file + rename). */
int write_pid_file(const char *path, pid_t pid, struct minirt_error *err);

#endif
