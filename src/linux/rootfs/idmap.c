/* A user namespace fd carrying given uid/gid mappings, for idmapped mounts
 * (MOUNT_ATTR_IDMAP). A short-lived child unshares a user namespace and
 * waits; we write its maps, open its ns/user, and let it go. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static int format_map(const struct oci_id_mapping *m, size_t n, char **out) {
  size_t cap = n * 40 + 1;
  char *buf = malloc(cap);
  if (buf == NULL)
    return -ENOMEM;
  size_t len = 0;
  for (size_t i = 0; i < n; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n",
                            m[i].container_id, m[i].host_id, m[i].size);
  *out = buf;
  return 0;
}

static int write_map(const char *pid, const char *file,
                     const struct oci_id_mapping *m, size_t n,
                     struct minirt_error *err) {
  _cleanup_free_ char *data = NULL;
  if (format_map(m, n, &data) < 0)
    return minirt_fail(err, ENOMEM, "idmap");
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/%s", pid, file);
  return write_file_at(AT_FDCWD, path, data, strlen(data), err);
}

/* The child tells us its pid as /proc (which may belong to an ancestor pid
 * namespace) sees it, then blocks until we close the pipe. */
static __attribute__((noreturn)) void helper_child(int report, int wait_fd) {
  char buf[32];
  if (unshare(CLONE_NEWUSER) < 0)
    _exit(1);
  ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
  if (n <= 0)
    _exit(1);
  if (write(report, buf, (size_t)n) != n)
    _exit(1);
  close(report);
  char c;
  while (read(wait_fd, &c, 1) < 0 && errno == EINTR)
    ;
  _exit(0);
}

static int read_child_pid(int fd, char *buf, size_t len) {
  ssize_t n;
  do
    n = read(fd, buf, len - 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return -EIO;
  buf[n] = '\0';
  return 0;
}

static int setup_helper(const char *pid, const struct oci_id_mapping *uids,
                        size_t n_uids, const struct oci_id_mapping *gids,
                        size_t n_gids, int *out, struct minirt_error *err) {
  int ret = write_map(pid, "uid_map", uids, n_uids, err);
  if (ret == 0)
    ret = write_map(pid, "gid_map", gids, n_gids, err);
  if (ret < 0)
    return ret;
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/ns/user", pid);
  *out = open(path, O_RDONLY | O_CLOEXEC);
  if (*out < 0)
    return minirt_fail(err, errno, "open `%s`", path);
  return 0;
}

int mount_make_userns_fd(const struct oci_id_mapping *uids, size_t n_uids,
                         const struct oci_id_mapping *gids, size_t n_gids,
                         int *out, struct minirt_error *err) {
  int report[2], hold[2];
  if (pipe2(report, O_CLOEXEC) < 0)
    return minirt_fail(err, errno, "pipe");
  if (pipe2(hold, O_CLOEXEC) < 0) {
    close(report[0]);
    close(report[1]);
    return minirt_fail(err, errno, "pipe");
  }
  pid_t child = fork();
  if (child < 0) {
    int e = errno;
    close(report[0]), close(report[1]), close(hold[0]), close(hold[1]);
    return minirt_fail(err, e, "fork the idmap helper");
  }
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(report[0]);
    close(hold[1]);
    helper_child(report[1], hold[0]);
  }
  close(report[1]);
  close(hold[0]);
  char pid[32];
  int ret = read_child_pid(report[0], pid, sizeof pid);
  if (ret < 0)
    minirt_fail(err, -ret, "idmap helper: create a user namespace");
  else
    ret = setup_helper(pid, uids, n_uids, gids, n_gids, out, err);
  close(report[0]);
  close(hold[1]);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
    ;
  return ret;
}
