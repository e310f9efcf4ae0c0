/* User namespaces as an unprivileged caller meets them: whether minirt runs
 * rootless, and writing a new user namespace's id maps, directly where the
 * kernel lets us and through newuidmap/newgidmap where it does not. */
#ifndef MINIRT_LINUX_USERNS_H
#define MINIRT_LINUX_USERNS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/oci.h"

/* `--rootless auto`: true when the effective uid is not 0, or when uid 0 of
 * the user namespace we run in is not uid 0 of its parent (rootless podman
 * runs the runtime as "root" of its own user namespace). */
bool userns_running_rootless(void);

/* Writes /proc/PID/{uid_map,gid_map} from linux.{uid,gid}Mappings. As root
 * the maps are written directly. Otherwise a map of one id onto the
 * caller's own is written directly (for gid_map the kernel then requires
 * setgroups to be denied: only then is it), and anything else goes through
 * the setuid helpers newuidmap/newgidmap, whose refusal is reported with
 * the range that was asked for. */
int userns_write_maps(pid_t pid, const struct oci_config *cfg,
                      struct minirt_error *err);

#endif
