/* Small file helpers; every fd they open is O_CLOEXEC. */
#ifndef MINIRT_UTIL_FS_H
#define MINIRT_UTIL_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

#define MINIRT_MAX_JSON_SIZE (16u << 20) /* config/process/state files */

/* Reads a whole file (at most max bytes, else -EFBIG) into a NUL-terminated
 * buffer. */
int read_file(const char *path, size_t max, char **out, size_t *len,
              struct minirt_error *err);
int read_file_at(int dirfd, const char *name, size_t max, char **out,
                 size_t *len, struct minirt_error *err);
int read_fd_all(int fd, size_t max, char **out, size_t *len,
                struct minirt_error *err);
/* Writes data to an existing file (cgroup, /proc, sysfs): O_WRONLY, no
 * create, one write. */
int write_file_at(int dirfd, const char *name, const char *data, size_t len,
                  struct minirt_error *err);
/* Creates or replaces dirfd/name atomically: temp file, fsync-less write,
 * rename. */
int write_file_atomic(int dirfd, const char *name, const char *data,
                      size_t len, mode_t mode, struct minirt_error *err);
/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct minirt_error *err);
/* The canonical absolute path of an existing file, like realpath(3) but in
 * three system calls (open O_PATH, readlink of /proc/self/fd/N, close)
 * instead of a readlink per component; realpath(3) where /proc is missing.
 * Returns a malloc'd path or NULL with errno set. */
char *canonical_path(const char *path);
/* Writes all of buf to fd, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

#endif
