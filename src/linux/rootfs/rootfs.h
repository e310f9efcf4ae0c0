/* The container's filesystem view, built inside its new mount namespace. */
#ifndef MINIRT_LINUX_ROOTFS_ROOTFS_H
#define MINIRT_LINUX_ROOTFS_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"

/* Before pivot_root, in the container's mount namespace, as root:
 * rootfsPropagation (default: make / rslave... as runc: rprivate), bind the
 * rootfs onto itself, every entry of `mounts` (all types and options,
 * idmapped where the kernel allows), /dev (default devices + configured
 * `devices`, /dev/pts + ptmx, /dev/shm, /dev/mqueue, the fd/stdin/stdout/
 * stderr links). Every destination is resolved inside the rootfs without
 * following a symlink out of it. `rootfs` is the absolute host path. */
/* Without own_mount_ns (the config lists no mount namespace, as runc
 * allows) the mounts land in the runtime's mount namespace, under a private
 * bind of the rootfs that rootfs_host_cleanup() removes; `/` is not touched
 * and linux.rootfsPropagation is refused. */
int rootfs_prepare(const struct oci_config *cfg, const char *rootfs,
                   bool in_user_ns, bool own_mount_ns,
                   struct minirt_error *err);

/* pivot_root into rootfs (or MS_MOVE + chroot with no_pivot; a plain chroot
 * without own_mount_ns), leaving the old root unmounted and cwd at "/". */
int rootfs_pivot(const char *rootfs, bool no_pivot, bool own_mount_ns,
                 struct minirt_error *err);

/* A container without a mount namespace of its own (rootfs/host.c):
 * `base` is the id of the mount found at `rootfs` before the container was
 * made (rootfs_host_base). Cleanup detaches, in the runtime's mount
 * namespace, every mount stacked on `rootfs` above it: the container's
 * private bind and all below it. A rootfs that is no longer a mount point
 * is left alone. */
int rootfs_host_base(const char *rootfs, uint64_t *base,
                     struct minirt_error *err);
int rootfs_host_cleanup(const char *rootfs, uint64_t base,
                        struct minirt_error *err);

/* After pivot_root: maskedPaths (over a verified /dev/null or a read-only
 * tmpfs for directories), readonlyPaths, root.readonly. */
int rootfs_finalize(const struct oci_config *cfg, struct minirt_error *err);

/* After pivot: creates /dev/console (an empty file, never through a symlink)
 * and binds the pty slave `slave_path` (e.g. "/proc/self/fd/7") onto it,
 * after checking that the slave really is a devpts character device. */
int rootfs_bind_console(const char *slave_path, struct minirt_error *err);

/* Opens /proc/<path_under_proc> ("sys/net/ipv4/ip_forward",
 * "self/oom_score_adj") after checking that /proc is a real procfs: no
 * symlink (other than the leading "self"/"thread-self", resolved to our pid)
 * and no mount crossing is followed, and the file must be on procfs. */
int rootfs_open_proc_file(const char *path_under_proc, int flags, int *fd,
                          struct minirt_error *err);

/* ---- Internal to rootfs*.c, mount*.c, devices.c, rootfs/safe_path.c ---- */

/* Opens `path` inside the directory `root_fd` as if root_fd were "/":
 * symlinks and ".." never leave it (openat2 RESOLVE_IN_ROOT, with a
 * component-by-component fallback); O_CLOEXEC always. Returns the fd or
 * -errno. */
int safe_open_in_root(int root_fd, const char *path, int flags, mode_t mode);

/* Resolves `path` inside root_fd, creating missing directories (0755) and,
 * when is_file, the last component as an empty 0644 file. Returns an
 * O_PATH fd of the result. */
int safe_mkpath_in_root(int root_fd, const char *path, bool is_file,
                        struct minirt_error *err);

/* "/proc/self/fd/N" of fd, for the mount(2) calls that take a path. */
#define FD_PATH_MAX 32
void fd_path(int fd, char buf[FD_PATH_MAX]);

#define MS_ATIME_MASK (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
/* Per-mount flags a bind remount may change; the rest are fs data
 * (256 is MS_NOSYMFOLLOW, missing from older headers). */
#define MS_PER_MOUNT                                                           \
  (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME |              \
   MS_ATIME_MASK | 256)

/* Parsed mounts[].options. */
struct mount_options {
  unsigned long flags; /* MS_* to set (without MS_BIND/MS_REC) */
  unsigned long clear; /* MS_* explicitly cleared: rw, suid, dev, ... */
  bool atime_given;    /* an atime option was given */
  unsigned long propagation[8];
  size_t n_propagation;
  uint64_t rec_set, rec_clr; /* MOUNT_ATTR_* applied with AT_RECURSIVE */
  bool bind, rbind, idmap, ridmap;
  bool tmpcopyup;        /* tmpfs: copy what the destination held into it */
  char *data;            /* the other options, comma-joined; NULL if none */
  ssize_t first_unknown; /* index of the first option put in data, or -1 */
};
/* tmpcopyup: copies the tree under lower_fd (the destination before the
 * tmpfs covered it) into upper_fd (the new tmpfs), keeping modes, owners
 * and symlinks. */
int mount_copy_up(int lower_fd, int upper_fd, const char *what,
                  struct minirt_error *err);
int mount_options_parse(const struct oci_strv *opts, struct mount_options *out,
                        struct minirt_error *err);
void mount_options_free(struct mount_options *o);
/* Parses rootfsPropagation ("rslave", ...) into MS_* flags. */
int mount_propagation_parse(const char *s, unsigned long *flags);

/* Every entry of cfg->mounts, in order, below root_fd (the rootfs). */
int mounts_apply(const struct oci_config *cfg, int root_fd, bool in_user_ns,
                 struct minirt_error *err);
/* The `cgroup` mount type (see rootfs/cgroup_mount.c for the layout chosen). */
int mount_cgroup(const struct oci_config *cfg, size_t idx, int root_fd,
                 int dst_fd, const struct mount_options *o,
                 struct minirt_error *err);
/* A user namespace fd with the given mappings, for MOUNT_ATTR_IDMAP. */
int mount_make_userns_fd(const struct oci_id_mapping *uids, size_t n_uids,
                         const struct oci_id_mapping *gids, size_t n_gids,
                         int *out, struct minirt_error *err);
/* Bind-remounts the mount at fd with `set` added and `clear` removed from
 * its current flags (kept so that locked flags survive in a user ns).
 * remount.c, below mounts.c and cgroup_mount.c. */
int mount_remount_bind(int fd, unsigned long set, unsigned long clear,
                       bool atime_given, bool recursive);

/* Default and configured devices, the /dev symlinks, /dev/ptmx. */
int devices_setup(const struct oci_config *cfg, int root_fd, bool in_user_ns,
                  struct minirt_error *err);
/* True if a mounts[] entry of type `type` has destination `dest`. */
bool mounts_has(const struct oci_config *cfg, const char *dest,
                const char *type);

#endif
