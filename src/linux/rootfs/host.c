/* A container that shares the runtime's mount namespace leaves its mounts
 * in that namespace when it dies: its init stacked one private bind on the
 * rootfs and mounted everything else below it. We know that bind by what it
 * is stacked on (the mount found at the rootfs before create), not by its
 * own id, so a create that died half-way is cleaned up the same way. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "linux/rootfs/rootfs.h"

static int top_mount_id(const char *rootfs, uint64_t *id,
                        struct minirt_error *err) {
  struct statx stx;
  if (statx(AT_FDCWD, rootfs, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
    return minirt_fail(err, errno, "stat `%s`", rootfs);
  if (!(stx.stx_mask & STATX_MNT_ID))
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: linux.namespaces without a mount "
                           "namespace: the kernel gives no mount ids (needs "
                           "Linux 5.8)");
  *id = stx.stx_mnt_id;
  return 0;
}

int rootfs_host_base(const char *rootfs, uint64_t *base,
                     struct minirt_error *err) {
  return top_mount_id(rootfs, base, err);
}

int rootfs_host_cleanup(const char *rootfs, uint64_t base,
                        struct minirt_error *err) {
  /* Bounded: something may keep mounting on the path while we detach. */
  for (int i = 0; i < 32; i++) {
    uint64_t id;
    int ret = top_mount_id(rootfs, &id, err);
    if (ret == -ENOENT) {
      minirt_error_clear(err);
      return 0;
    }
    if (ret < 0 || id == base)
      return ret;
    if (umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
      if (errno == EINVAL) /* not a mount point: nothing of ours is left */
        return 0;
      return minirt_fail(err, errno, "unmount `%s`", rootfs);
    }
  }
  return minirt_fail_msg(err, EBUSY, "unmount `%s`: still mounted over",
                         rootfs);
}
