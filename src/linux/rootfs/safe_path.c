/* Path resolution confined to the rootfs: a destination such as
 * "/etc/x" where /etc is a symlink to "../../../../tmp" must land inside the
 * rootfs, never on the host (CVE-2021-30465 and its relatives). Callers get
 * an O_PATH fd and mount onto /proc/self/fd/N of it, so nothing is looked up
 * again by name after the check. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define MAX_SYMLINKS 40

void fd_path(int fd, char buf[FD_PATH_MAX]) {
  snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static int openat2_in_root(int root_fd, const char *path, int flags,
                           mode_t mode) {
  struct open_how how = {
      .flags = (uint64_t)(flags | O_CLOEXEC),
      .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  /* EAGAIN: a rename raced with the lookup; the kernel asks us to retry. */
  for (int tries = 0; tries < 32; tries++) {
    long fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd >= 0)
      return (int)fd;
    if (errno != EAGAIN)
      return -errno;
  }
  return -EAGAIN;
}

/* Drops the last component of the resolved prefix `cur`. */
static void pop_component(char *cur) {
  char *slash = strrchr(cur, '/');
  if (slash != NULL)
    *slash = '\0';
  else
    cur[0] = '\0';
}

/* Fallback for kernels without openat2 (< 5.6): resolve lexically, reading
 * each symlink and re-rooting absolute targets at root_fd, so the path
 * handed to openat() has no symlink and no "..". A concurrent rename of a
 * component into a symlink is not caught here; openat2 closes that race. */
static int walk_in_root(int root_fd, const char *path, int flags, mode_t mode) {
  char cur[PATH_MAX] = "";
  _cleanup_free_ char *rem = strdup(path);
  if (rem == NULL)
    return -ENOMEM;
  int links = 0;
  char *p = rem;
  while (*p != '\0') {
    while (*p == '/')
      p++;
    if (*p == '\0')
      break;
    char *end = strchrnul(p, '/');
    size_t len = (size_t)(end - p);
    bool last = end[strspn(end, "/")] == '\0';
    if (len == 1 && p[0] == '.') {
      p = end;
      continue;
    }
    if (len == 2 && p[0] == '.' && p[1] == '.') {
      pop_component(cur);
      p = end;
      continue;
    }
    size_t cl = strlen(cur);
    if (cl + 1 + len + 1 > sizeof cur)
      return -ENAMETOOLONG;
    if (cl > 0)
      cur[cl++] = '/';
    memcpy(cur + cl, p, len);
    cur[cl + len] = '\0';
    struct stat st;
    if (fstatat(root_fd, cur, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT && last)
        break; /* may be created by O_CREAT below */
      return -errno;
    }
    if (!S_ISLNK(st.st_mode) || (last && (flags & O_NOFOLLOW))) {
      p = end;
      continue;
    }
    if (++links > MAX_SYMLINKS)
      return -ELOOP;
    char target[PATH_MAX];
    ssize_t n = readlinkat(root_fd, cur, target, sizeof target - 1);
    if (n < 0)
      return -errno;
    target[n] = '\0';
    pop_component(cur);
    if (target[0] == '/')
      cur[0] = '\0';
    char *nrem = NULL;
    if (asprintf(&nrem, "%s/%s", target, end) < 0)
      return -ENOMEM;
    free(rem);
    rem = nrem;
    p = rem;
  }
  int fd =
      openat(root_fd, cur[0] ? cur : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
  return fd < 0 ? -errno : fd;
}

int safe_open_in_root(int root_fd, const char *path, int flags, mode_t mode) {
  static bool no_openat2;
  if (!no_openat2) {
    int fd = openat2_in_root(root_fd, path, flags, mode);
    if (fd != -ENOSYS)
      return fd;
    no_openat2 = true;
  }
  return walk_in_root(root_fd, path, flags, mode);
}

/* Creates `name` in the already-resolved parent. Since `name` does not
 * exist, resolving "prefix/name" in the root gives exactly parent/name.
 * 1: a directory made here; 0: made by someone else or a file; -errno. */
static int create_component(int parent, const char *name, bool file) {
  if (file) {
    int fd = openat(parent, name,
                    O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
      return errno == EEXIST ? 0 : -errno;
    close(fd);
    return 0;
  }
  if (mkdirat(parent, name, 0755) == 0)
    return 1;
  return errno == EEXIST ? 0 : -errno;
}

/* A component that exists as a dangling symlink: continue with its target
 * (relative to the component's directory, or to the root) followed by the
 * rest of the path, as the kernel would resolve it inside the root. */
static int follow_dangling(int parent, const char *buf, const char *comp,
                           const char *rest, char **out) {
  /* comp is NUL-terminated here; rest is what followed it. */
  struct stat st;
  if (fstatat(parent, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return -errno;
  if (!S_ISLNK(st.st_mode))
    return -ENOENT;
  char target[PATH_MAX];
  ssize_t n = readlinkat(parent, comp, target, sizeof target - 1);
  if (n < 0)
    return -errno;
  target[n] = '\0';
  int dir_len = target[0] == '/' ? 0 : (int)(comp - buf);
  if (asprintf(out, "%.*s%s/%s", dir_len, buf, target, rest) < 0)
    return -ENOMEM;
  return 0;
}

static int mkpath_walk(int root_fd, const char *path, bool is_file, int depth,
                       struct minirt_error *err) {
  _cleanup_free_ char *buf = strdup(path);
  if (buf == NULL)
    return minirt_fail(err, ENOMEM, "open `%s`", path);
  _cleanup_close_ int parent =
      openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return minirt_fail(err, errno, "open the rootfs");
  for (char *p = buf; *p != '\0';) {
    while (*p == '/')
      p++;
    if (*p == '\0')
      break;
    char *end = strchrnul(p, '/');
    bool last = end[strspn(end, "/")] == '\0';
    char saved = *end;
    *end = '\0';
    int flags = O_PATH | (last && is_file ? 0 : O_DIRECTORY);
    int cfd = safe_open_in_root(root_fd, buf, flags, 0);
    if (cfd == -ENOENT) {
      int r = create_component(parent, p, last && is_file);
      if (r < 0)
        return minirt_fail(err, -r, "create `%s` in the rootfs", buf);
      /* A directory we just made (r == 1) is opened where it is: with
       * O_NOFOLLOW|O_DIRECTORY a swap for a symlink cannot be followed.
       * Anything else is resolved in the root again. */
      cfd = r == 1 ? openat(parent, p, flags | O_NOFOLLOW | O_CLOEXEC) : -1;
      if (cfd < 0)
        cfd = safe_open_in_root(root_fd, buf, flags, 0);
    }
    if (cfd == -ENOENT && depth < MAX_SYMLINKS) {
      _cleanup_free_ char *next = NULL;
      int r = follow_dangling(parent, buf, p, saved ? end + 1 : end, &next);
      if (r == 0)
        return mkpath_walk(root_fd, next, is_file, depth + 1, err);
    }
    if (cfd < 0)
      return minirt_fail(err, -cfd, "open `%s` in the rootfs", buf);
    close(parent);
    parent = cfd;
    *end = saved;
    p = end;
  }
  return steal_fd(&parent);
}

/* The common case of a missing path, a last component missing under a
 * parent that exists (/dev/pts in a new /dev tmpfs): the parent is resolved
 * in the root once and the component made and opened in it, as
 * mkpath_walk does for each level. -1 for anything else (the parent is
 * missing, the name exists now, as a dangling symlink or made by someone
 * else, or a failure): the caller walks, which redoes what is needed and
 * fails, if it does, with the error it always gave. */
static int mkpath_last(int root_fd, const char *path, bool is_file) {
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  size_t b = len;
  while (b > 0 && path[b - 1] != '/')
    b--;
  char name[NAME_MAX + 1], dir[PATH_MAX];
  size_t nlen = len - b;
  if (nlen == 0 || nlen > NAME_MAX || b >= sizeof dir ||
      (nlen == 1 && path[b] == '.') ||
      (nlen == 2 && path[b] == '.' && path[b + 1] == '.'))
    return -1;
  memcpy(name, path + b, nlen);
  name[nlen] = '\0';
  memcpy(dir, path, b);
  dir[b] = '\0';
  _cleanup_close_ int parent =
      safe_open_in_root(root_fd, b > 0 ? dir : "/", O_PATH | O_DIRECTORY, 0);
  if (parent < 0)
    return -1;
  int r = create_component(parent, name, is_file);
  if (r < 0 || (r == 0 && !is_file))
    return -1;
  int flags = O_PATH | (is_file ? 0 : O_DIRECTORY);
  int fd = r == 1 ? openat(parent, name, flags | O_NOFOLLOW | O_CLOEXEC) : -1;
  if (fd < 0)
    fd = safe_open_in_root(root_fd, path, flags, 0);
  return fd >= 0 ? fd : -1;
}

int safe_mkpath_in_root(int root_fd, const char *path, bool is_file,
                        struct minirt_error *err) {
  int fd = safe_open_in_root(root_fd, path, O_PATH, 0);
  if (fd >= 0)
    return fd;
  if (fd != -ENOENT)
    return minirt_fail(err, -fd, "open `%s` in the rootfs", path);
  fd = mkpath_last(root_fd, path, is_file);
  if (fd >= 0)
    return fd;
  return mkpath_walk(root_fd, path, is_file, 0, err);
}
