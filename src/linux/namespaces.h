/* Namespaces: clone flags, joining by path, time offsets (id maps:
 * userns.h). */
#ifndef MINIRT_LINUX_NAMESPACES_H
#define MINIRT_LINUX_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/oci.h"

int ns_clone_flag(enum oci_ns_type t);
const char *ns_proc_name(enum oci_ns_type t); /* "pid", "net", "mnt" ... */

/* The container's namespaces, from linux.namespaces. */
struct ns_plan {
  bool wanted[OCI_NS_COUNT];  /* listed in the config */
  int path_fd[OCI_NS_COUNT];  /* opened `path` (join), else -1 */
  int new_flags;              /* CLONE_NEW* to create (no TIME, see below) */
  bool new_time;              /* created with unshare in the child */
};
int ns_plan_make(const struct oci_config *cfg, struct ns_plan *plan,
                 struct minirt_error *err);
void ns_plan_release(struct ns_plan *plan);
/* In the child: joins the namespaces given by path, the user namespace
 * first (pid is joined by the runtime before clone: it applies to
 * children only). */
int ns_join_paths(struct ns_plan *plan, struct minirt_error *err);
/* Writes linux.timeOffsets to /proc/self/timens_offsets (after
 * unshare(CLONE_NEWTIME), before anything enters the namespace). */
int ns_write_time_offsets(const struct oci_config *cfg,
                          struct minirt_error *err);

#endif
