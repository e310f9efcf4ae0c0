#include "core/state_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup/cgroup.h"
#include "linux/procinfo.h"
#include "util/cleanup.h"
#include "util/fs.h"

const char *container_status_name(enum container_status s) {
  switch (s) {
  case CONTAINER_CREATED: return "created";
  case CONTAINER_RUNNING: return "running";
  case CONTAINER_PAUSED: return "paused";
  default: return "stopped";
  }
}

int store_validate_id(const char *id, struct minirt_error *err) {
  size_t n = id != NULL ? strlen(id) : 0;
  if (n == 0)
    return minirt_fail_msg(err, EINVAL, "container id must not be empty");
  if (n > 1024)
    return minirt_fail_msg(err, EINVAL, "container id is longer than 1024 characters");
  if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
    return minirt_fail_msg(err, EINVAL, "invalid container id `%s`", id);
  for (const char *p = id; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == '+';
    if (!ok)
      return minirt_fail_msg(err, EINVAL,
                             "invalid container id `%s`: only [A-Za-z0-9_.+-] allowed",
                             id);
  }
  return 0;
}

static int handle_init(const char *root, const char *id,
                       struct container_handle *h, struct minirt_error *err) {
  memset(h, 0, sizeof *h);
  h->dirfd = -1;
  h->fifo_fd = -1;
  int ret = store_validate_id(id, err);
  if (ret < 0)
    return ret;
  h->id = strdup(id);
  if (h->id == NULL || asprintf(&h->dir, "%s/%s", root, id) < 0) {
    h->dir = NULL;
    return minirt_fail(err, ENOMEM, "container `%s`", id);
  }
  return 0;
}

/* Opens and locks h->dir. A command that waited for the lock while a
 * delete removed the directory (and maybe a create made a new one of the
 * same id) holds the lock of a directory that is gone: it must look again,
 * or it would act on a half-deleted container. */
static int lock_dir(struct container_handle *h, struct minirt_error *err) {
  for (int tries = 0; tries < 100; tries++) {
    h->dirfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (h->dirfd < 0)
      return errno == ENOENT
                 ? minirt_fail_msg(err, ENOENT, "container `%s` does not exist", h->id)
                 : minirt_fail(err, errno, "open `%s`", h->dir);
    if (flock(h->dirfd, LOCK_EX) < 0)
      return minirt_fail(err, errno, "lock `%s`", h->dir);
    struct stat locked, now;
    if (fstat(h->dirfd, &locked) < 0)
      return minirt_fail(err, errno, "stat `%s`", h->dir);
    if (locked.st_nlink > 0 && stat(h->dir, &now) == 0 &&
        now.st_ino == locked.st_ino && now.st_dev == locked.st_dev)
      return 0;
    close(h->dirfd);
    h->dirfd = -1;
  }
  return minirt_fail_msg(err, EAGAIN, "lock `%s`: replaced again and again", h->dir);
}

#define CREATING_PREFIX ".creating."

/* Removes the temp directories of creates that were killed before they
 * could rename theirs (a live create holds the lock of its own). Runs at
 * every create, so the root is listed with getdents64 on its own fd, not
 * through a DIR (which costs a dup, an fstat, two fcntls and a close). */
static void sweep_creating(const char *root) {
  _cleanup_close_ int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (rfd < 0)
    return;
  char buf[16384] __attribute__((aligned(8)));
  for (;;) {
    long n = syscall(SYS_getdents64, rfd, buf, sizeof buf);
    if (n <= 0)
      return;
    for (long off = 0; off < n;) {
      struct dirent64 *de = (struct dirent64 *)(buf + off);
      off += de->d_reclen;
      if (strncmp(de->d_name, CREATING_PREFIX, strlen(CREATING_PREFIX)) != 0)
        continue;
      _cleanup_close_ int fd =
          openat(rfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        unlinkat(rfd, de->d_name, AT_REMOVEDIR); /* empty until renamed */
    }
  }
}

/* One attempt: a locked temp directory renamed to <root>/<id>, so that no
 * other command ever finds the container's directory unlocked and empty.
 * -EAGAIN (err not filled): a sweep took the temp directory away. */
static int create_locked(const char *root, struct container_handle *h,
                         struct minirt_error *err) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  char tmp[PATH_MAX];
  int n = snprintf(tmp, sizeof tmp, "%s/" CREATING_PREFIX "%d.%ld", root,
                   (int)getpid(), (long)ts.tv_nsec);
  if (n < 0 || (size_t)n >= sizeof tmp)
    return minirt_fail_msg(err, ENAMETOOLONG, "--root `%s`: path too long", root);
  if (mkdir(tmp, 0700) < 0)
    return minirt_fail(err, errno, "mkdir `%s`", tmp);
  h->dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h->dirfd < 0)
    return errno == ENOENT ? -EAGAIN : minirt_fail(err, errno, "open `%s`", tmp);
  if (flock(h->dirfd, LOCK_EX) < 0) {
    int e = errno;
    rmdir(tmp);
    return minirt_fail(err, e, "lock `%s`", tmp);
  }
  if (renameat2(AT_FDCWD, tmp, AT_FDCWD, h->dir, RENAME_NOREPLACE) == 0)
    return 0;
  int e = errno;
  rmdir(tmp);
  if (e == ENOENT)
    return -EAGAIN;
  if (e == EINVAL)
    return -EOPNOTSUPP; /* a file system without RENAME_NOREPLACE */
  if (e == EEXIST)
    return minirt_fail_msg(err, EEXIST, "container `%s` already exists", h->id);
  return minirt_fail(err, e, "rename `%s` to `%s`", tmp, h->dir);
}

int store_create(const char *root, const char *id, struct container_handle *h,
                 struct minirt_error *err) {
  int ret = handle_init(root, id, h, err);
  if (ret < 0)
    return ret;
  ret = mkdir_p(root, 0700, err);
  if (ret < 0)
    return ret;
  sweep_creating(root);
  /* No lstat of <root>/<id> first: the rename below fails with EEXIST
   * when it exists, with the same message. */
  for (int tries = 0; tries < 10; tries++) {
    ret = create_locked(root, h, err);
    if (ret < 0 && ret != -EAGAIN && ret != -EOPNOTSUPP && ret != -EEXIST)
      minirt_error_prefix(err, "create `%s`: ", h->dir);
    if (ret == -EOPNOTSUPP)
      break;
    if (ret != -EAGAIN)
      return ret;
    if (h->dirfd >= 0)
      close(h->dirfd);
    h->dirfd = -1;
  }
  if (ret == -EAGAIN)
    return minirt_fail_msg(err, EAGAIN,
                           "create `%s`: temp directory removed again and again",
                           h->dir);
  /* Without an atomic rename: mkdir, then lock (a command in between sees
   * an empty directory: a stopped container). */
  if (mkdir(h->dir, 0700) < 0)
    return errno == EEXIST
               ? minirt_fail_msg(err, EEXIST, "container `%s` already exists", id)
               : minirt_fail(err, errno, "mkdir `%s`", h->dir);
  ret = lock_dir(h, err);
  if (ret < 0)
    rmdir(h->dir);
  return ret;
}

static int open_impl(const char *root, const char *id, bool any,
                     struct container_handle *h, struct minirt_error *err) {
  int ret = handle_init(root, id, h, err);
  if (ret < 0)
    return ret;
  ret = lock_dir(h, err);
  if (ret < 0)
    return ret;
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  struct minirt_error e = {0};
  ret = read_file_at(h->dirfd, "status.json", MINIRT_MAX_JSON_SIZE, &buf, &len, &e);
  if (ret == -ENOENT) {
    /* A create or delete killed half-way: we hold the lock, so none runs. */
    minirt_error_clear(&e);
    return 0;
  }
  if (ret == 0)
    ret = minirt_status_parse(buf, len, &h->status, &e);
  if (ret < 0) {
    h->broken = true;
    if (!any)
      minirt_fail_msg(err, EUCLEAN,
                      "container `%s` is broken: `%s/status.json`: %s "
                      "(`delete --force` removes it)",
                      id, h->dir, e.msg ? e.msg : "unreadable");
    minirt_error_clear(&e);
    return any ? 0 : -EUCLEAN;
  }
  return 0;
}

int store_open(const char *root, const char *id, struct container_handle *h,
               struct minirt_error *err) {
  return open_impl(root, id, false, h, err);
}

int store_open_any(const char *root, const char *id,
                   struct container_handle *h, struct minirt_error *err) {
  return open_impl(root, id, true, h, err);
}

void store_close(struct container_handle *h) {
  if (h->fifo_fd >= 0)
    close(h->fifo_fd);
  h->fifo_fd = -1;
  h->keep_fifo = false;
  if (h->dirfd >= 0)
    close(h->dirfd); /* releases the flock */
  h->dirfd = -1;
  free(h->id);
  free(h->dir);
  minirt_status_free(h->status);
  h->id = h->dir = NULL;
  h->status = NULL;
  h->broken = false;
}

int store_write_status(struct container_handle *h, struct minirt_error *err) {
  _cleanup_free_ char *json = NULL;
  int ret = minirt_status_to_json(h->status, &json, err);
  if (ret < 0)
    return ret;
  ret = write_file_atomic(h->dirfd, "status.json", json, strlen(json), 0600, err);
  if (ret < 0)
    minirt_error_prefix(err, "state of `%s` in `%s`: ", h->id, h->dir);
  return ret;
}

int store_save_config(struct container_handle *h, const char *raw, size_t len,
                      struct minirt_error *err) {
  int ret = write_file_atomic(h->dirfd, "config.json", raw, len, 0600, err);
  if (ret < 0)
    minirt_error_prefix(err, "state of `%s` in `%s`: ", h->id, h->dir);
  return ret;
}

int store_read_config(struct container_handle *h, char **buf, size_t *len,
                      struct minirt_error *err) {
  int ret = read_file_at(h->dirfd, "config.json", MINIRT_MAX_JSON_SIZE, buf,
                         len, err);
  if (ret < 0)
    minirt_error_prefix(err, "container `%s` is broken: ", h->id);
  return ret;
}

int store_parse_config(struct container_handle *h, const char *buf, size_t len,
                       struct oci_config **cfg, struct minirt_error *err) {
  int ret = oci_config_parse(buf, len, cfg, err);
  if (ret < 0)
    minirt_error_prefix(err, "container `%s` is broken: saved config `%s/config.json`: ",
                        h->id, h->dir);
  return ret;
}

int store_load_config(struct container_handle *h, struct oci_config **cfg,
                      struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  int ret = store_read_config(h, &buf, &len, err);
  return ret < 0 ? ret : store_parse_config(h, buf, len, cfg, err);
}

int store_load_config_lean(struct container_handle *h, struct oci_config **cfg,
                           struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0, s, e;
  int ret = store_read_config(h, &buf, &len, err);
  if (ret < 0)
    return ret;
  if (oci_config_find_member(buf, len, "linux", "seccomp", &s, &e) == 1)
    oci_config_blank_member(buf, s, e);
  return store_parse_config(h, buf, len, cfg, err);
}

int store_write_host_mounts(struct container_handle *h, uint64_t base,
                            const char *rootfs, struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  if (asprintf(&text, "%llu\n%s\n", (unsigned long long)base, rootfs) < 0)
    return minirt_fail(err, ENOMEM, "host-mounts");
  int ret = write_file_atomic(h->dirfd, "host-mounts", text, strlen(text), 0600,
                              err);
  if (ret < 0)
    minirt_error_prefix(err, "state of `%s` in `%s`: ", h->id, h->dir);
  return ret;
}

int store_read_host_mounts(struct container_handle *h, uint64_t *base,
                           char **rootfs, struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  /* Absent for every container with a mount namespace of its own: the
   * open says so, no access() first. */
  struct minirt_error e = {0};
  int ret = read_file_at(h->dirfd, "host-mounts", 8192, &buf, &len, &e);
  if (ret == -ENOENT) {
    minirt_error_clear(&e);
    return -ENOENT;
  }
  if (ret < 0) {
    minirt_fail_msg(err, -ret, "%s", e.msg != NULL ? e.msg : "host-mounts");
    minirt_error_clear(&e);
    return ret;
  }
  char *nl = memchr(buf, '\n', len);
  char *end = NULL;
  unsigned long long v = strtoull(buf, &end, 10);
  if (nl == NULL || end != nl || buf[len - 1] != '\n' || nl[1] != '/')
    return minirt_fail_msg(err, EINVAL, "`%s/host-mounts`: malformed", h->dir);
  buf[len - 1] = '\0';
  *base = v;
  *rootfs = strdup(nl + 1);
  return *rootfs != NULL ? 0 : minirt_fail(err, ENOMEM, "host-mounts");
}

int store_check_writable(struct container_handle *h, struct minirt_error *err) {
  struct statvfs sv;
  if (fstatvfs(h->dirfd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
    return minirt_fail_msg(err, EROFS,
                           "container `%s`: `%s` is on a read-only file system",
                           h->id, h->dir);
  return 0;
}

int store_remove(struct container_handle *h, struct minirt_error *err) {
  static const char *const files[] = {"exec.fifo", "status.json", "config.json",
                                      "host-mounts"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (unlinkat(h->dirfd, files[i], 0) < 0 && errno != ENOENT)
      return minirt_fail(err, errno, "remove `%s/%s`", h->dir, files[i]);
  if (rmdir(h->dir) == 0 || errno == ENOENT)
    return 0;
  /* Anything else (temp files of an interrupted write) goes too; the
   * directory is listed only when the rmdir says something is left. */
  if (errno == ENOTEMPTY || errno == EEXIST) {
    _cleanup_close_ int fd =
        openat(h->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(steal_fd(&fd)) : NULL;
    if (d != NULL) {
      struct dirent *de;
      while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
          unlinkat(h->dirfd, de->d_name, 0);
      closedir(d);
    }
    if (rmdir(h->dir) == 0 || errno == ENOENT)
      return 0;
  }
  return minirt_fail(err, errno, "remove `%s`", h->dir);
}

/* Opens exec.fifo for writing, as `start` does. 1: it has a reader, which
 * only the container's init can be (it got the fd at create, and closes it
 * at exec or exit): the init is alive and waits. 0: no fifo (started).
 * -ENXIO: no reader. -errno else. A missing fifo needs no stat first. */
static int open_fifo(struct container_handle *h) {
  int fd = openat(h->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : -errno;
  if (h->keep_fifo && h->fifo_fd < 0)
    h->fifo_fd = fd;
  else
    close(fd);
  return 1;
}

int store_live_status(struct container_handle *h, enum container_status *st,
                      struct minirt_error *err) {
  (void)err;
  /* No status: a create or delete that was killed (we hold the lock, so
   * none is running); it can only be deleted. */
  if (h->status == NULL) {
    *st = CONTAINER_STOPPED;
    return 0;
  }
  /* The fifo first: an init waiting at it is alive by definition, and
   * `start` (whose check this is) needs no read of /proc/PID/stat. */
  int fifo = open_fifo(h);
  if (fifo == 1) {
    *st = CONTAINER_CREATED;
    return 0;
  }
  if (!proc_is_same_alive(h->status->pid, h->status->pid_start_time)) {
    *st = CONTAINER_STOPPED;
    return 0;
  }
  /* exec.fifo is left behind when `start` was killed between its write
   * and the unlink: the init went on and exec'd, which closed its end, so
   * nobody reads it (ENXIO). */
  if (fifo == -ENXIO) {
    unlinkat(h->dirfd, "exec.fifo", 0); /* repair; we hold the lock */
  } else if (fifo < 0) {
    *st = CONTAINER_CREATED; /* cannot tell: keep what the file says */
    return 0;
  }
  bool frozen = false;
  struct minirt_error e = {0};
  if (h->status->cgroup_path != NULL &&
      cgroup_is_frozen(h->status->cgroup_path, &frozen, &e) < 0)
    frozen = false; /* no freezer: cannot be paused */
  minirt_error_clear(&e);
  *st = frozen ? CONTAINER_PAUSED : CONTAINER_RUNNING;
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int store_list_ids(const char *root, char ***ids, size_t *n,
                   struct minirt_error *err) {
  *ids = NULL;
  *n = 0;
  sweep_creating(root);
  DIR *d = opendir(root);
  if (d == NULL)
    return errno == ENOENT ? 0 : minirt_fail(err, errno, "open `%s`", root);
  size_t cap = 0;
  char **v = NULL;
  struct dirent *de;
  int ret = 0;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] == '.' || store_validate_id(de->d_name, NULL) < 0)
      continue;
    if (*n + 1 >= cap) {
      cap = cap ? cap * 2 : 16;
      char **nv = realloc(v, cap * sizeof *v);
      if (nv == NULL) {
        ret = minirt_fail(err, ENOMEM, "list");
        break;
      }
      v = nv;
    }
    v[(*n)++] = strdup(de->d_name);
    v[*n] = NULL;
  }
  closedir(d);
  if (v != NULL)
    qsort(v, *n, sizeof *v, cmp_str);
  *ids = v;
  return ret;
}
