/* tmpcopyup (podman, buildah): a tmpfs that starts with what the directory
 * it covers held. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/rootfs/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int copy_file(int lower, int upper, const char *name,
                     const struct stat *st, const char *what,
                     struct minirt_error *err) {
  _cleanup_close_ int in = openat(lower, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0)
    return minirt_fail(err, errno, "tmpcopyup `%s/%s`", what, name);
  _cleanup_close_ int out = openat(upper, name,
      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st->st_mode & 07777);
  if (out < 0)
    return minirt_fail(err, errno, "tmpcopyup `%s/%s`", what, name);
  char buf[65536];
  for (;;) {
    ssize_t r = read(in, buf, sizeof buf);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return minirt_fail(err, errno, "tmpcopyup read `%s/%s`", what, name);
    if (r == 0)
      break;
    if (write_all(out, buf, (size_t)r) < 0)
      return minirt_fail(err, errno, "tmpcopyup write `%s/%s`", what, name);
  }
  return 0;
}

static int copy_entry(int lower, int upper, const char *name, const char *what,
                      int depth, struct minirt_error *err) {
  struct stat st;
  if (fstatat(lower, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return minirt_fail(err, errno, "tmpcopyup stat `%s/%s`", what, name);
  int ret = 0;
  if (S_ISDIR(st.st_mode)) {
    if (depth > 64)
      return minirt_fail_msg(err, ELOOP, "tmpcopyup `%s`: too deep", what);
    if (mkdirat(upper, name, st.st_mode & 07777) < 0)
      return minirt_fail(err, errno, "tmpcopyup mkdir `%s/%s`", what, name);
    _cleanup_close_ int l = openat(lower, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    _cleanup_close_ int u = openat(upper, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (l < 0 || u < 0)
      return minirt_fail(err, errno, "tmpcopyup open `%s/%s`", what, name);
    DIR *d = fdopendir(fcntl(l, F_DUPFD_CLOEXEC, 0));
    if (d == NULL)
      return minirt_fail(err, errno, "tmpcopyup list `%s/%s`", what, name);
    struct dirent *de;
    while (ret == 0 && (de = readdir(d)) != NULL)
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
        ret = copy_entry(l, u, de->d_name, what, depth + 1, err);
    closedir(d);
  } else if (S_ISREG(st.st_mode)) {
    ret = copy_file(lower, upper, name, &st, what, err);
  } else if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(lower, name, target, sizeof target - 1);
    if (n < 0)
      return minirt_fail(err, errno, "tmpcopyup readlink `%s/%s`", what, name);
    target[n] = '\0';
    if (symlinkat(target, upper, name) < 0)
      return minirt_fail(err, errno, "tmpcopyup symlink `%s/%s`", what, name);
  } else if (mknodat(upper, name, st.st_mode, st.st_rdev) < 0) {
    return minirt_fail(err, errno, "tmpcopyup mknod `%s/%s`", what, name);
  }
  if (ret == 0 &&
      fchownat(upper, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return minirt_fail(err, errno, "tmpcopyup chown `%s/%s`", what, name);
  return ret;
}

int mount_copy_up(int lower_fd, int upper_fd, const char *what,
                  struct minirt_error *err) {
  struct stat st;
  if (fstat(lower_fd, &st) < 0)
    return minirt_fail(err, errno, "tmpcopyup stat `%s`", what);
  /* The tmpfs root takes the covered directory's owner and mode. */
  if (fchown(upper_fd, st.st_uid, st.st_gid) < 0 ||
      fchmod(upper_fd, st.st_mode & 07777) < 0)
    return minirt_fail(err, errno, "tmpcopyup chown `%s`", what);
  DIR *d = fdopendir(fcntl(lower_fd, F_DUPFD_CLOEXEC, 0));
  if (d == NULL)
    return minirt_fail(err, errno, "tmpcopyup list `%s`", what);
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && (de = readdir(d)) != NULL)
    if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
      ret = copy_entry(lower_fd, upper_fd, de->d_name, what, 0, err);
  closedir(d);
  return ret;
}
