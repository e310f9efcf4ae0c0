#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

/* A regular file's size is known: one buffer of that size (and a byte to
 * see the end) instead of doubling from 4 KiB, which for a 20 KB config
 * meant 60 KB of buffers, three copies and their page faults. Files of
 * /proc and cgroupfs say 0 or a page and keep the doubling. */
static size_t first_capacity(int fd, size_t max) {
  struct stat st;
  size_t cap = 4096;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      (unsigned long long)st.st_size < max)
    cap = (size_t)st.st_size + 1;
  return cap < max ? cap : max;
}

int read_fd_all(int fd, size_t max, char **out, size_t *len,
                struct minirt_error *err) {
  size_t cap = first_capacity(fd, max), n = 0;
  _cleanup_free_ char *buf = malloc(cap + 1);
  if (buf == NULL)
    return minirt_fail(err, ENOMEM, "read");
  for (;;) {
    if (n == cap) {
      if (cap >= max)
        return minirt_fail_msg(err, EFBIG, "file larger than %zu bytes", max);
      size_t ncap = cap * 2 > max ? max : cap * 2;
      char *nb = realloc(buf, ncap + 1);
      if (nb == NULL)
        return minirt_fail(err, ENOMEM, "read");
      buf = nb;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      return minirt_fail(err, errno, "read");
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  buf[n] = '\0';
  if (len != NULL)
    *len = n;
  *out = steal_pointer(&buf);
  return 0;
}

int read_file_at(int dirfd, const char *name, size_t max, char **out,
                 size_t *len, struct minirt_error *err) {
  _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "open `%s`", name);
  int ret = read_fd_all(fd, max, out, len, err);
  if (ret < 0)
    minirt_error_prefix(err, "`%s`: ", name);
  return ret;
}

int read_file(const char *path, size_t max, char **out, size_t *len,
              struct minirt_error *err) {
  return read_file_at(AT_FDCWD, path, max, out, len, err);
}

int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

int write_file_at(int dirfd, const char *name, const char *data, size_t len,
                  struct minirt_error *err) {
  _cleanup_close_ int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "open `%s`", name);
  /* One write() call: cgroup and /proc files take a value per write. */
  ssize_t w = write(fd, data, len);
  if (w < 0)
    return minirt_fail(err, errno, "write `%.*s` to `%s`",
                       (int)(len > 64 ? 64 : len), data, name);
  if ((size_t)w != len)
    return minirt_fail(err, EIO, "short write to `%s`", name);
  return 0;
}

int write_file_atomic(int dirfd, const char *name, const char *data,
                      size_t len, mode_t mode, struct minirt_error *err) {
  /* The temp file sits next to the target so that rename() is atomic. */
  char tmp[4096];
  const char *slash = strrchr(name, '/');
  int dlen = slash != NULL ? (int)(slash - name + 1) : 0;
  int n = snprintf(tmp, sizeof tmp, "%.*s.%s.tmp.%d", dlen, name,
                   name + dlen, (int)getpid());
  if (n < 0 || (size_t)n >= sizeof tmp)
    return minirt_fail(err, ENAMETOOLONG, "temp name for `%s`", name);
  _cleanup_close_ int fd =
      openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    return minirt_fail(err, errno, "create `%s`", tmp);
  int ret = write_all(fd, data, len);
  if (ret < 0) {
    unlinkat(dirfd, tmp, 0);
    return minirt_fail(err, -ret, "write `%s`", tmp);
  }
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    int e = errno;
    unlinkat(dirfd, tmp, 0);
    return minirt_fail(err, e, "rename `%s` to `%s`", tmp, name);
  }
  return 0;
}

int mkdir_p(const char *path, mode_t mode, struct minirt_error *err) {
  /* Usually the whole path exists (a state root): one call, not one per
   * component. */
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return minirt_fail(err, errno, "mkdir `%s`", path);
  _cleanup_free_ char *p = strdup(path);
  if (p == NULL)
    return minirt_fail(err, ENOMEM, "mkdir `%s`", path);
  for (char *s = p + 1;; s++) {
    if (*s == '/' || *s == '\0') {
      char c = *s;
      *s = '\0';
      if (mkdir(p, mode) < 0 && errno != EEXIST)
        return minirt_fail(err, errno, "mkdir `%s`", p);
      *s = c;
      if (c == '\0')
        break;
    }
  }
  return 0;
}

char *canonical_path(const char *path) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  char link[32], buf[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, sizeof buf - 1);
  close(fd);
  /* Not an absolute path: no /proc, or something that is not a file in the
   * tree (the kernel would say "anon_inode:..."). */
  if (n <= 0 || (size_t)n >= sizeof buf - 1 || buf[0] != '/')
    return realpath(path, NULL);
  buf[n] = '\0';
  return strdup(buf);
}
