#include "core/state_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/cgroup/cgroup.h"
#include "linux/procinfo.h"
#include "util/cleanup.h"
#include "util/fs.h"

const char *container_status_name(enum container_status s) {
  switch (s) {
  case CONTAINER_CREATING: return "creating";
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

static int lock_dir(struct container_handle *h, struct minirt_error *err) {
  h->dirfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h->dirfd < 0)
    return errno == ENOENT
               ? minirt_fail_msg(err, ENOENT, "container `%s` does not exist", h->id)
               : minirt_fail(err, errno, "open `%s`", h->dir);
  if (flock(h->dirfd, LOCK_EX) < 0)
    return minirt_fail(err, errno, "lock `%s`", h->dir);
  return 0;
}

int store_create(const char *root, const char *id, struct container_handle *h,
                 struct minirt_error *err) {
  int ret = handle_init(root, id, h, err);
  if (ret < 0)
    return ret;
  ret = mkdir_p(root, 0700, err);
  if (ret < 0)
    return ret;
  if (mkdir(h->dir, 0700) < 0)
    return errno == EEXIST
               ? minirt_fail_msg(err, EEXIST, "container `%s` already exists", id)
               : minirt_fail(err, errno, "mkdir `%s`", h->dir);
  ret = lock_dir(h, err);
  if (ret < 0)
    rmdir(h->dir);
  return ret;
}

int store_open(const char *root, const char *id, struct container_handle *h,
               struct minirt_error *err) {
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
    minirt_error_clear(&e);
    return 0; /* creating: create holds the lock until status exists */
  }
  if (ret < 0) {
    minirt_fail_msg(err, -ret, "container `%s`: %s", id, e.msg);
    minirt_error_clear(&e);
    return ret;
  }
  ret = minirt_status_parse(buf, len, &h->status, err);
  if (ret < 0)
    minirt_error_prefix(err, "container `%s`: status.json: ", id);
  return ret;
}

void store_close(struct container_handle *h) {
  if (h->dirfd >= 0)
    close(h->dirfd); /* releases the flock */
  h->dirfd = -1;
  free(h->id);
  free(h->dir);
  minirt_status_free(h->status);
  h->id = h->dir = NULL;
  h->status = NULL;
}

int store_write_status(struct container_handle *h, struct minirt_error *err) {
  _cleanup_free_ char *json = NULL;
  int ret = minirt_status_to_json(h->status, &json, err);
  if (ret < 0)
    return ret;
  return write_file_atomic(h->dirfd, "status.json", json, strlen(json), 0600, err);
}

int store_save_config(struct container_handle *h, const char *raw, size_t len,
                      struct minirt_error *err) {
  return write_file_atomic(h->dirfd, "config.json", raw, len, 0600, err);
}

int store_load_config(struct container_handle *h, struct oci_config **cfg,
                      struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  int ret = read_file_at(h->dirfd, "config.json", MINIRT_MAX_JSON_SIZE, &buf, &len, err);
  if (ret < 0)
    return ret;
  ret = oci_config_parse(buf, len, cfg, err);
  if (ret < 0)
    minirt_error_prefix(err, "saved config of `%s`: ", h->id);
  return ret;
}

int store_write_host_mounts(struct container_handle *h, uint64_t base,
                            const char *rootfs, struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  if (asprintf(&text, "%llu\n%s\n", (unsigned long long)base, rootfs) < 0)
    return minirt_fail(err, ENOMEM, "host-mounts");
  return write_file_atomic(h->dirfd, "host-mounts", text, strlen(text), 0600,
                           err);
}

int store_read_host_mounts(struct container_handle *h, uint64_t *base,
                           char **rootfs, struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  if (faccessat(h->dirfd, "host-mounts", F_OK, 0) < 0 && errno == ENOENT)
    return -ENOENT;
  int ret = read_file_at(h->dirfd, "host-mounts", 8192, &buf, &len, err);
  if (ret < 0)
    return ret;
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

int store_remove(struct container_handle *h, struct minirt_error *err) {
  static const char *const files[] = {"exec.fifo", "status.json", "config.json",
                                      "host-mounts"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    if (unlinkat(h->dirfd, files[i], 0) < 0 && errno != ENOENT)
      return minirt_fail(err, errno, "remove `%s/%s`", h->dir, files[i]);
  /* Anything else (temp files of an interrupted write) goes too. */
  _cleanup_close_ int fd = openat(h->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(steal_fd(&fd)) : NULL;
  if (d != NULL) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
        unlinkat(h->dirfd, de->d_name, 0);
    closedir(d);
  }
  if (rmdir(h->dir) < 0 && errno != ENOENT)
    return minirt_fail(err, errno, "remove `%s`", h->dir);
  return 0;
}

int store_live_status(struct container_handle *h, enum container_status *st,
                      struct minirt_error *err) {
  if (h->status == NULL) {
    *st = CONTAINER_CREATING;
    return 0;
  }
  if (!proc_is_same_alive(h->status->pid, h->status->pid_start_time)) {
    *st = CONTAINER_STOPPED;
    return 0;
  }
  struct stat sb;
  if (fstatat(h->dirfd, "exec.fifo", &sb, 0) == 0) {
    *st = CONTAINER_CREATED;
    return 0;
  }
  bool frozen = false;
  struct minirt_error e = {0};
  if (h->status->cgroup_path != NULL &&
      cgroup_is_frozen(h->status->cgroup_path, &frozen, &e) < 0)
    frozen = false; /* no freezer: cannot be paused */
  minirt_error_clear(&e);
  (void)err;
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
