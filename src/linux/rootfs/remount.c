/* The bind remount that changes a mount's flags while keeping the ones a
 * user namespace may not drop: used by mounts, the cgroup mount and the
 * read-only rootfs, so it sits below all of them. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

int mount_remount_bind(int fd, unsigned long set, unsigned long clear,
                       bool atime_given, bool recursive) {
  char p[FD_PATH_MAX];
  fd_path(fd, p);
  struct statvfs sv;
  if (statvfs(p, &sv) < 0)
    return -errno;
  /* A user namespace may not drop flags locked by its parent, so the
   * current ones are kept unless the config clears them explicitly. */
  static const struct {
    unsigned long st, ms;
  } map[] = {
      {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},
      {ST_NODEV, MS_NODEV},       {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME},   {ST_NODIRATIME, MS_NODIRATIME},
      {ST_RELATIME, MS_RELATIME}, {8192 /* ST_NOSYMFOLLOW */, 256},
  };
  unsigned long cur = 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st)
      cur |= map[i].ms;
  if (!(cur & (MS_NOATIME | MS_RELATIME)))
    cur |= MS_STRICTATIME;
  if (atime_given)
    cur &= ~MS_ATIME_MASK;
  unsigned long flags = ((cur & ~clear) | set) & MS_PER_MOUNT;
  flags |= MS_BIND | MS_REMOUNT | (recursive ? MS_REC : 0);
  if (mount(NULL, p, NULL, flags, NULL) < 0)
    return -errno;
  return 0;
}
