/* The container's filesystem view, built inside its new mount namespace. */
#ifndef MINIRT_LINUX_ROOTFS_H
#define MINIRT_LINUX_ROOTFS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/oci.h"

/* Before pivot_root, in the container's mount namespace, as root:
 * rootfsPropagation (default: make / rslave... as runc: rprivate), bind the
 * rootfs onto itself, every entry of `mounts` (all types and options,
 * idmapped where the kernel allows), /dev (default devices + configured
 * `devices`, /dev/pts + ptmx, /dev/shm, /dev/mqueue, the fd/stdin/stdout/
 * stderr links). Every destination is resolved inside the rootfs without
 * following a symlink out of it. `rootfs` is the absolute host path. */
int rootfs_prepare(const struct oci_config *cfg, const char *rootfs,
                   bool in_user_ns, struct minirt_error *err);

/* pivot_root into rootfs (or MS_MOVE + chroot with no_pivot), leaving the
 * old root unmounted and cwd at "/". */
int rootfs_pivot(const char *rootfs, bool no_pivot, struct minirt_error *err);

/* After pivot_root: maskedPaths (over a verified /dev/null or a read-only
 * tmpfs for directories), readonlyPaths, root.readonly. */
int rootfs_finalize(const struct oci_config *cfg, struct minirt_error *err);

/* Opens `path` inside the directory `root_fd` as if root_fd were "/":
 * symlinks and ".." never leave it (openat2 RESOLVE_IN_ROOT, with a
 * component-by-component fallback). flags always get O_CLOEXEC. */
int rootfs_open_in_root(int root_fd, const char *path, int flags, mode_t mode,
                        struct minirt_error *err);

#endif
