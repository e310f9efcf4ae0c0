/* After pivot_root: rootfsPropagation, readonlyPaths, maskedPaths,
 * root.readonly. Paths are resolved inside "/" without following a
 * symlink out of it, and every mount goes onto /proc/self/fd/N of the
 * resolved fd. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/cleanup.h"

/* An absent path (or one under a non-directory) is not an error: images
 * differ and the kernel may lack the file. */
static bool is_absent(int e) {
  return e == ENOENT || e == ENOTDIR;
}

static int readonly_path(int root, const char *path, struct minirt_error *err) {
  _cleanup_close_ int fd = safe_open_in_root(root, path, O_PATH, 0);
  if (fd < 0)
    return is_absent(-fd) ? 0 : minirt_fail(err, -fd, "open `%s`", path);
  char p[FD_PATH_MAX];
  fd_path(fd, p);
  if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on itself", path);
  _cleanup_close_ int top = safe_open_in_root(root, path, O_PATH, 0);
  if (top < 0)
    return minirt_fail(err, -top, "open `%s`", path);
  /* mount_setattr changes only the read-only bit, on every submount, so
   * the flags a user namespace may not clear stay as they are. */
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  if (mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                    sizeof attr) == 0)
    return 0;
  if (errno != ENOSYS)
    return minirt_fail(err, errno, "make `%s` read-only", path);
  int ret = mount_remount_bind(top, MS_RDONLY, 0, false, true);
  if (ret < 0)
    return minirt_fail(err, -ret, "remount `%s` read-only", path);
  return 0;
}

/* The /dev/null that masks files must be the real one (1:3): a container
 * image or a racing process could put something else there
 * (CVE-2025-31133). The returned O_PATH fd is what gets bound. */
static int open_dev_null(int root, struct minirt_error *err) {
  _cleanup_close_ int fd = safe_open_in_root(root, "/dev/null", O_PATH, 0);
  if (fd < 0)
    return minirt_fail(err, -fd, "open `/dev/null`");
  struct stat st;
  if (fstat(fd, &st) < 0)
    return minirt_fail(err, errno, "stat `/dev/null`");
  if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
    return minirt_fail_msg(err, EPERM,
                           "`/dev/null` is not the null device (1:3)");
  return steal_fd(&fd);
}

static int mask_path(int root, int *null_fd, const char *path,
                     struct minirt_error *err) {
  _cleanup_close_ int fd = safe_open_in_root(root, path, O_PATH, 0);
  if (fd < 0)
    return is_absent(-fd) ? 0 : minirt_fail(err, -fd, "open `%s`", path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return minirt_fail(err, errno, "stat `%s`", path);
  char p[FD_PATH_MAX];
  fd_path(fd, p);
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0,mode=555") < 0)
      return minirt_fail(err, errno, "mount `tmpfs` on `%s`", path);
    return 0;
  }
  if (*null_fd < 0) {
    *null_fd = open_dev_null(root, err);
    if (*null_fd < 0)
      return *null_fd;
  }
  char src[FD_PATH_MAX];
  fd_path(*null_fd, src);
  if (mount(src, p, NULL, MS_BIND, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `/dev/null` on `%s`", path);
  return 0;
}

static int apply_paths(const struct oci_linux *l, int root,
                       struct minirt_error *err) {
  for (size_t i = 0; i < l->readonly_paths.n; i++) {
    int ret = readonly_path(root, l->readonly_paths.v[i], err);
    if (ret < 0) {
      minirt_error_prefix(err, "linux.readonlyPaths[%zu]: ", i);
      return ret;
    }
  }
  _cleanup_close_ int null_fd = -1;
  for (size_t i = 0; i < l->masked_paths.n; i++) {
    int ret = mask_path(root, &null_fd, l->masked_paths.v[i], err);
    if (ret < 0) {
      minirt_error_prefix(err, "linux.maskedPaths[%zu]: ", i);
      return ret;
    }
  }
  return 0;
}

/* Last, since an unbindable tree would refuse the binds above. */
static int apply_propagation(const struct oci_linux *l,
                             struct minirt_error *err) {
  if (l == NULL || l->rootfs_propagation == NULL ||
      l->rootfs_propagation[0] == '\0')
    return 0;
  unsigned long prop;
  if (mount_propagation_parse(l->rootfs_propagation, &prop) < 0)
    return minirt_fail_msg(err, EINVAL, "linux.rootfsPropagation: `%s` unknown",
                           l->rootfs_propagation);
  if (mount(NULL, "/", NULL, prop, NULL) < 0)
    return minirt_fail(err, errno, "set the propagation of `/` to `%s`",
                       l->rootfs_propagation);
  return 0;
}

int rootfs_finalize(const struct oci_config *cfg, struct minirt_error *err) {
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return minirt_fail(err, errno, "open `/`");
  const struct oci_linux *l = cfg->linux_;
  if (l != NULL) {
    int ret = apply_paths(l, root, err);
    if (ret < 0)
      return ret;
  }
  if (cfg->root != NULL && cfg->root->readonly) {
    /* Only the read-only bit, on the root mount alone (its submounts keep
     * theirs), as the bind remount does, but in one call and without a
     * statfs to learn the flags to keep. */
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    int ret = mount_setattr(root, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0
                  ? 0
                  : -errno;
    if (ret == -ENOSYS)
      ret = mount_remount_bind(root, MS_RDONLY, 0, false, false);
    if (ret < 0)
      return minirt_fail(err, -ret, "remount `/` read-only");
  }
  return apply_propagation(l, err);
}
