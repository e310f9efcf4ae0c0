/* Opening files under /proc for writing (sysctl, oom_score_adj) only on a
 * real procfs: a container could have bind-mounted another file over
 * /proc/sys/... or replaced /proc (CVE-2025-52881). */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

static bool on_procfs(int fd) {
  struct statfs sf;
  return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* "self/x" -> "<pid>/x", read from the verified procfs itself, so that no
 * symlink needs to be followed below. */
static int expand_self(int proc, const char *path, char *out, size_t len) {
  const char *rest = NULL;
  char link[32];
  if (strncmp(path, "self/", 5) == 0 || strcmp(path, "self") == 0)
    rest = path + 4;
  else if (strncmp(path, "thread-self/", 12) == 0)
    rest = path + 11;
  if (rest == NULL) {
    if ((size_t)snprintf(out, len, "%s", path) >= len)
      return -ENAMETOOLONG;
    return 0;
  }
  ssize_t n = readlinkat(proc, rest == path + 4 ? "self" : "thread-self", link,
                         sizeof link - 1);
  if (n < 0)
    return -errno;
  link[n] = '\0';
  if ((size_t)snprintf(out, len, "%s%s", link, rest) >= len)
    return -ENAMETOOLONG;
  return 0;
}

static uint64_t mount_id(int fd) {
  struct statx stx;
  if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
      !(stx.stx_mask & STATX_MNT_ID))
    return 0;
  return stx.stx_mnt_id;
}

/* Without openat2: one component at a time, never following a symlink nor
 * entering another mount (the checks RESOLVE_NO_XDEV would make). */
static int walk_nofollow(int proc, const char *path, int flags) {
  uint64_t proc_mnt = mount_id(proc);
  char buf[4096];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf)
    return -ENAMETOOLONG;
  _cleanup_close_ int cur = fcntl(proc, F_DUPFD_CLOEXEC, 3);
  if (cur < 0)
    return -errno;
  char *sp = NULL;
  char *c = strtok_r(buf, "/", &sp);
  while (c != NULL) {
    char *next = strtok_r(NULL, "/", &sp);
    if (strcmp(c, "..") == 0)
      return -EPERM;
    int f = next != NULL ? O_PATH | O_DIRECTORY : flags;
    int fd = openat(cur, c, f | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return -errno;
    if (mount_id(fd) != proc_mnt) {
      close(fd);
      return -EXDEV;
    }
    close(cur);
    cur = fd;
    c = next;
  }
  return steal_fd(&cur);
}

int rootfs_open_proc_file(const char *path_under_proc, int flags, int *fd,
                          struct minirt_error *err) {
  _cleanup_close_ int proc =
      open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (proc < 0)
    return minirt_fail(err, errno, "open `/proc`");
  if (!on_procfs(proc))
    return minirt_fail_msg(err, EPERM, "`/proc` is not a procfs");
  char rel[4096];
  int ret = expand_self(proc, path_under_proc, rel, sizeof rel);
  if (ret < 0)
    return minirt_fail(err, -ret, "open `/proc/%s`", path_under_proc);
  /* RESOLVE_NO_XDEV: a file bind-mounted over the target is refused. */
  struct open_how how = {
      .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
                 RESOLVE_NO_MAGICLINKS,
  };
  long r = syscall(SYS_openat2, proc, rel, &how, sizeof how);
  int f = r >= 0 ? (int)r : -errno;
  if (f == -ENOSYS)
    f = walk_nofollow(proc, rel, flags);
  if (f < 0)
    return minirt_fail(err, -f, "open `/proc/%s`", path_under_proc);
  if (!on_procfs(f)) {
    close(f);
    return minirt_fail_msg(err, EPERM, "`/proc/%s` is not on procfs",
                           path_under_proc);
  }
  *fd = f;
  return 0;
}
