/* The rootfs of a container: propagation, the self-bind that pivot_root
 * needs, then mounts and devices (before pivot), and pivot_root itself. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Undoes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = '\0';
}

/* Finds mount `id` in mountinfo: its mount point and whether it is shared. */
static int find_mount(uint64_t id, char **point, bool *shared,
                      struct minirt_error *err) {
  _cleanup_free_ char *data = NULL;
  int ret = read_file("/proc/self/mountinfo", 64 << 20, &data, NULL, err);
  if (ret < 0)
    return ret;
  for (char *sp, *l = strtok_r(data, "\n", &sp); l != NULL;
       l = strtok_r(NULL, "\n", &sp)) {
    char mp[4096];
    unsigned long long mid;
    int off = 0;
    if (sscanf(l, "%llu %*u %*s %*s %4095s %*s%n", &mid, mp, &off) < 2 ||
        mid != id)
      continue;
    char *dash = strstr(l + off, " - ");
    if (dash != NULL)
      *dash = '\0';
    *shared = strstr(l + off, "shared:") != NULL;
    unescape(mp);
    *point = strdup(mp);
    return *point != NULL ? 0 : minirt_fail(err, ENOMEM, "mountinfo");
  }
  return minirt_fail_msg(err, ENOENT, "mount %llu not in mountinfo",
                         (unsigned long long)id);
}

/* pivot_root refuses a shared parent mount of the new root. */
static int make_parent_private(const char *rootfs, struct minirt_error *err) {
  struct statx stx;
  if (statx(AT_FDCWD, rootfs, 0, STATX_MNT_ID, &stx) < 0)
    return minirt_fail(err, errno, "stat `%s`", rootfs);
  if (!(stx.stx_mask & STATX_MNT_ID))
    return 0;
  _cleanup_free_ char *point = NULL;
  bool shared = false;
  int ret = find_mount(stx.stx_mnt_id, &point, &shared, err);
  if (ret < 0 || !shared)
    return ret;
  if (mount(NULL, point, NULL, MS_PRIVATE, NULL) < 0)
    return minirt_fail(err, errno, "make `%s` private", point);
  return 0;
}

static int root_propagation(const struct oci_config *cfg, unsigned long *flags,
                            struct minirt_error *err) {
  const char *s = cfg->linux_ != NULL ? cfg->linux_->rootfs_propagation : NULL;
  *flags = 0;
  if (s == NULL || s[0] == '\0')
    return 0;
  if (mount_propagation_parse(s, flags) < 0)
    return minirt_fail_msg(err, EINVAL, "linux.rootfsPropagation: `%s` unknown",
                           s);
  return 0;
}

static int bind_rootfs(const char *rootfs, unsigned long prop,
                       struct minirt_error *err) {
  /* Unbindable mounts cannot be bound: that setting is applied after the
   * pivot (rootfs_finalize) instead. Unless the config asks to share with
   * the host, this first step is recursive even for `slave`/`private`: a
   * shared mount left under `/` (the usual case on systemd hosts) would
   * carry every mount we make below the rootfs back to the host, and make
   * pivot_root fail. The exact setting is applied to `/` after the pivot. */
  unsigned long first = MS_SLAVE | MS_REC;
  if (prop & MS_SHARED)
    first = prop;
  else if (prop & MS_PRIVATE)
    first = MS_PRIVATE | MS_REC;
  if (mount(NULL, "/", NULL, first, NULL) < 0)
    return minirt_fail(err, errno, "set the propagation of `/`");
  if (first & MS_SHARED) {
    int ret = make_parent_private(rootfs, err);
    if (ret < 0)
      return ret;
  }
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on itself", rootfs);
  /* pivot_root also refuses a shared new root. */
  if ((first & MS_SHARED) && mount(NULL, rootfs, NULL, MS_PRIVATE, NULL) < 0)
    return minirt_fail(err, errno, "make `%s` private", rootfs);
  return 0;
}

/* linux.mountLabel is an SELinux context for the container's mounts. On a
 * host without SELinux no mount can carry one (runc and crun skip it too);
 * we say so instead of ignoring it silently. Labelling mounts on an SELinux
 * host is not implemented: refuse rather than run unlabelled. */
static int check_mount_label(const struct oci_config *cfg,
                             struct minirt_error *err) {
  const char *label = cfg->linux_ != NULL ? cfg->linux_->mount_label : NULL;
  if (label == NULL || label[0] == '\0')
    return 0;
  struct stat st;
  if (stat("/sys/fs/selinux/enforce", &st) == 0)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.mountLabel on an SELinux host");
  fprintf(stderr,
          "minirt: warning: linux.mountLabel `%s` not applied: SELinux is "
          "not enabled on this host\n", label);
  return 0;
}

/* Without a mount namespace of its own the container's mounts are made in
 * the runtime's (the host's): `/` is left alone, and the rootfs gets a
 * private bind of its own, so that nothing mounted below it reaches other
 * namespaces and one detach of that bind (rootfs_host_cleanup) removes them
 * all. */
static int bind_rootfs_shared_ns(const struct oci_config *cfg,
                                 const char *rootfs,
                                 struct minirt_error *err) {
  const char *s = cfg->linux_ != NULL ? cfg->linux_->rootfs_propagation : NULL;
  if (s != NULL && s[0] != '\0')
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: linux.rootfsPropagation: the "
                           "container has no mount namespace of its own");
  if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on itself", rootfs);
  if (mount(NULL, rootfs, NULL, MS_PRIVATE | MS_REC, NULL) < 0) {
    int e = errno;
    umount2(rootfs, MNT_DETACH);
    return minirt_fail(err, e, "make `%s` private", rootfs);
  }
  return 0;
}

int rootfs_prepare(const struct oci_config *cfg, const char *rootfs,
                   bool in_user_ns, bool own_mount_ns,
                   struct minirt_error *err) {
  if (rootfs == NULL || rootfs[0] != '/')
    return minirt_fail_msg(err, EINVAL, "rootfs `%s`: must be absolute",
                           rootfs != NULL ? rootfs : "");
  int ret = check_mount_label(cfg, err);
  if (ret < 0)
    return ret;
  if (own_mount_ns) {
    unsigned long prop;
    ret = root_propagation(cfg, &prop, err);
    if (ret == 0)
      ret = bind_rootfs(rootfs, prop, err);
  } else {
    ret = bind_rootfs_shared_ns(cfg, rootfs, err);
  }
  if (ret < 0)
    return ret;
  _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return minirt_fail(err, errno, "open `%s`", rootfs);
  ret = mounts_apply(cfg, root, in_user_ns, err);
  if (ret == 0)
    ret = devices_setup(cfg, root, in_user_ns, err);
  return ret;
}

static int do_pivot(int newroot, struct minirt_error *err) {
  _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return minirt_fail(err, errno, "open `/`");
  if (fchdir(newroot) < 0)
    return minirt_fail(err, errno, "chdir to the rootfs");
  /* pivot_root(".", ".") stacks the old root on top of the new one, where
   * it can be detached without needing a directory for it in the rootfs. */
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return minirt_fail(err, errno, "pivot_root");
  if (fchdir(oldroot) < 0)
    return minirt_fail(err, errno, "chdir to the old root");
  /* Unmounting must not propagate to the host. */
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return minirt_fail(err, errno, "make the old root rslave");
  if (umount2(".", MNT_DETACH) < 0)
    return minirt_fail(err, errno, "unmount the old root");
  return 0;
}

int rootfs_pivot(const char *rootfs, bool no_pivot, bool own_mount_ns,
                 struct minirt_error *err) {
  _cleanup_close_ int newroot =
      open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return minirt_fail(err, errno, "open `%s`", rootfs);
  if (!own_mount_ns) {
    /* The host's mount table: neither pivot_root nor a move of `/`. */
    if (fchdir(newroot) < 0)
      return minirt_fail(err, errno, "chdir `%s`", rootfs);
    if (chroot(".") < 0)
      return minirt_fail(err, errno, "chroot `%s`", rootfs);
  } else if (no_pivot) {
    if (fchdir(newroot) < 0)
      return minirt_fail(err, errno, "chdir `%s`", rootfs);
    if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
      return minirt_fail(err, errno, "move `%s` to `/`", rootfs);
    if (chroot(".") < 0)
      return minirt_fail(err, errno, "chroot `%s`", rootfs);
  } else {
    int ret = do_pivot(newroot, err);
    if (ret < 0)
      return ret;
  }
  if (chdir("/") < 0)
    return minirt_fail(err, errno, "chdir `/`");
  return 0;
}
