/* Cgroups v1 and v2, detected at run time (pure v1, pure v2, and the hybrid
 * layout with v2 at /sys/fs/cgroup/unified). A container's cgroup is named
 * by one path (e.g. "/minirt/c1") that is used in every hierarchy. */
#ifndef MINIRT_LINUX_CGROUP_H
#define MINIRT_LINUX_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/oci.h"

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_V2, CGROUP_MODE_HYBRID };

/* Reads /sys/fs/cgroup once per process (cached). */
int cgroup_detect(enum cgroup_mode *mode, struct minirt_error *err);

/* cgroupsPath from the config (may be NULL) -> the path used in every
 * hierarchy. Absolute paths are used as they are; relative ones are put
 * under the runtime's own cgroup; NULL gives "/minirt/<id>". With
 * systemd_cgroup, "slice:prefix:name" is turned into the systemd layout. */
int cgroup_resolve_path(const char *cgroups_path, const char *id,
                        bool systemd_cgroup, char **out,
                        struct minirt_error *err);

/* Creates the cgroup (with parents) in every hierarchy and applies
 * `res` (may be NULL). An error leaves nothing created. */
int cgroup_create(const char *path, const struct oci_resources *res,
                  struct minirt_error *err);
/* Moves pid into the cgroup in every hierarchy. */
int cgroup_enter(const char *path, pid_t pid, struct minirt_error *err);
/* Applies resources to an existing cgroup (update). */
int cgroup_update(const char *path, const struct oci_resources *res,
                  struct minirt_error *err);
/* Removes the cgroup from every hierarchy, retrying while the kernel still
 * holds dying tasks; a missing cgroup is not an error. Also removes the
 * empty "/minirt" parent of a default path. */
int cgroup_destroy(const char *path, struct minirt_error *err);
int cgroup_freeze(const char *path, bool freeze, struct minirt_error *err);
int cgroup_is_frozen(const char *path, bool *frozen, struct minirt_error *err);
/* Pids (host view) of every process in the cgroup. Caller frees *pids. */
int cgroup_pids(const char *path, pid_t **pids, size_t *n,
                struct minirt_error *err);
/* Sends sig to every process of the cgroup (kill --all, delete --force). */
int cgroup_kill_all(const char *path, int sig, struct minirt_error *err);
/* Opens the container's v2 cgroup directory (for clone3 CLONE_INTO_CGROUP);
 * -ENOTSUP when the unified hierarchy does not hold the cgroup's
 * controllers (v1, hybrid). */
int cgroup_open_v2_dir(const char *path, int *fd, struct minirt_error *err);

#endif
