/* The life of a container's cgroup directories in every hierarchy: create
 * (with rollback, then the resource writers), update, destroy. */
#include "linux/cgroup/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* ---- create ---- */

struct created {
  char **v; /* full paths, in creation order */
  size_t n;
};

static void created_rollback(struct created *c) {
  for (size_t i = c->n; i-- > 0;) {
    rmdir(c->v[i]);
    free(c->v[i]);
  }
  free(c->v);
  c->v = NULL;
  c->n = 0;
}

static void created_forget(struct created *c) {
  for (size_t i = 0; i < c->n; i++)
    free(c->v[i]);
  free(c->v);
  c->v = NULL;
  c->n = 0;
}

static bool blank(const char *s) {
  return strspn(s, " \n") == strlen(s);
}

/* v1 cpuset refuses tasks while cpuset.cpus/mems are empty, and a new
 * cpuset starts empty (unless the parent has cgroup.clone_children): fills
 * each from the parent's when empty. The leaf's file is read first, through
 * one O_RDWR fd that also takes the write, and the parent's is read only
 * when needed, relative to the leaf ("../"), so each file is read once and
 * no path under /sys/fs/cgroup is walked again from the top: those walks
 * contend on the kernfs locks when many containers start at once. `full`
 * is <mnt><path>; a parent that is empty too (made by someone else and
 * never filled) is filled first, up to the mount point, whose cpuset is
 * never empty. */
static int cpuset_fill(char *full, size_t mlen, int depth,
                       struct minirt_error *err) {
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  _cleanup_close_ int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "open cgroup `%s`", full);
  for (size_t i = 0; i < 2; i++) {
    /* A cgroup we may read but not write (someone else's, delegated
     * without its cpuset files) is fine as long as it needs no write. */
    bool rw = true;
    _cleanup_close_ int f = openat(fd, files[i], O_RDWR | O_CLOEXEC);
    if (f < 0 && (errno == EACCES || errno == EPERM)) {
      rw = false;
      f = openat(fd, files[i], O_RDONLY | O_CLOEXEC);
    }
    _cleanup_free_ char *cur = NULL, *parent = NULL;
    if (f < 0)
      return minirt_fail(err, errno, "open `%s/%s`", full, files[i]);
    int ret = read_fd_all(f, 1u << 20, &cur, NULL, err);
    if (ret < 0) {
      minirt_error_prefix(err, "`%s/%s`: ", full, files[i]);
      return ret;
    }
    if (!blank(cur))
      continue;
    char up[32];
    snprintf(up, sizeof up, "../%s", files[i]);
    if ((ret = cgroup_read(fd, up, &parent, err)) < 0)
      return ret;
    char *slash = strrchr(full, '/');
    if (blank(parent) && depth < 64 && slash != NULL &&
        (size_t)(slash - full) > mlen) {
      *slash = '\0';
      ret = cpuset_fill(full, mlen, depth + 1, err);
      *slash = '/';
      free(parent);
      parent = NULL;
      if (ret < 0 || (ret = cgroup_read(fd, up, &parent, err)) < 0)
        return ret;
    }
    parent[strcspn(parent, "\n")] = '\0';
    if (!rw) { /* the write fails and says why, or only O_RDWR was refused */
      if ((ret = cgroup_write(fd, files[i], parent, err)) < 0)
        return ret;
      continue;
    }
    size_t len = strlen(parent);
    ssize_t w = write(f, parent, len);
    if (w < 0 || (size_t)w != len)
      return minirt_fail(err, w < 0 ? errno : EIO, "write `%s` to `%s/%s`",
                         parent, full, files[i]);
  }
  return 0;
}

/* Enables the v2 controllers the children need: all available in pure v2
 * (as runc, so a later update can set any of them), only the requested
 * ones (hugetlb, rdma, ...) in hybrid, where v1 holds the others. */
static void enable_subtree(const char *dir, const char *const *want) {
  _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  _cleanup_free_ char *avail = NULL;
  struct minirt_error e = {0};
  if (fd < 0 || cgroup_read(fd, "cgroup.controllers", &avail, &e) < 0) {
    minirt_error_clear(&e);
    return;
  }
  _cleanup_free_ char *enabled = NULL;
  if (cgroup_read(fd, "cgroup.subtree_control", &enabled, &e) < 0)
    minirt_error_clear(&e);
  char *save = NULL;
  for (char *c = strtok_r(avail, " \n", &save); c != NULL;
       c = strtok_r(NULL, " \n", &save)) {
    bool wanted = want == NULL;
    for (size_t i = 0; want != NULL && want[i] != NULL; i++)
      wanted = wanted || strcmp(want[i], c) == 0;
    if (!wanted || (enabled != NULL && cgroup_controllers_has(enabled, c)))
      continue;
    char buf[64];
    snprintf(buf, sizeof buf, "+%s", c);
    /* A controller that cannot be enabled shows up later as a missing
     * file, with an error naming it, if the config needs it. */
    if (cgroup_write(fd, "cgroup.subtree_control", buf, &e) < 0)
      minirt_error_clear(&e);
  }
}

static int created_add(struct created *c, const char *dir,
                       struct minirt_error *err) {
  char **nv = realloc(c->v, (c->n + 1) * sizeof *nv);
  if (nv == NULL)
    return minirt_fail(err, ENOMEM, "mkdir `%s`", dir);
  c->v = nv;
  if ((nv[c->n] = strdup(dir)) == NULL)
    return minirt_fail(err, ENOMEM, "mkdir `%s`", dir);
  c->n++;
  return 0;
}

/* mkdir -p of mnt+path, recording what it made, top down: in v2 each
 * parent gets its subtree controllers enabled before the child is made. */
static int mkdir_walk(char *full, size_t mlen, bool cpuset, bool v2,
                      const char *const *want, struct created *c,
                      struct minirt_error *err) {
  for (char *s = full + mlen + 1;; s++) {
    if (*s != '/' && *s != '\0')
      continue;
    char saved = *s;
    *s = '\0';
    if (v2) { /* the parent of the directory we are about to make */
      char *slash = strrchr(full, '/');
      *slash = '\0';
      enable_subtree(full, want);
      *slash = '/';
    }
    if (mkdir(full, 0755) == 0) {
      int ret = created_add(c, full, err);
      if (ret < 0)
        return ret;
    } else if (errno != EEXIST) {
      return minirt_fail(err, errno, "mkdir `%s`", full);
    }
    if (cpuset) {
      int ret = cpuset_fill(full, mlen, 0, err);
      if (ret < 0)
        return ret;
    }
    *s = saved;
    if (saved == '\0')
      return 0;
  }
}

static int mkdir_hier(const char *mnt, const char *path, bool cpuset, bool v2,
                      const char *const *want, struct created *c,
                      struct minirt_error *err) {
  _cleanup_free_ char *full = NULL;
  if (asprintf(&full, "%s%s", mnt, path) < 0)
    return minirt_fail(err, ENOMEM, "mkdir cgroup");
  size_t mlen = strlen(mnt);
  if (v2)
    return mkdir_walk(full, mlen, cpuset, v2, want, c, err);
  /* v1: the leaf first, one mkdir; its parents (and a mkdir per level)
   * only when they are missing. The parents that exist are left as they
   * are, except an empty cpuset parent, which cpuset_fill fills. */
  if (mkdir(full, 0755) == 0) {
    int ret = created_add(c, full, err);
    if (ret < 0)
      return ret;
  } else if (errno == ENOENT) {
    return mkdir_walk(full, mlen, cpuset, v2, want, c, err);
  } else if (errno != EEXIST) {
    return minirt_fail(err, errno, "mkdir `%s`", full);
  }
  return cpuset ? cpuset_fill(full, mlen, 0, err) : 0;
}

/* v2 controllers a hybrid host must enable because v1 lacks them. */
static void hybrid_wanted(const struct cgroup_layout *l,
                          const struct oci_resources *res, const char **want) {
  size_t k = 0;
  struct {
    const char *v1, *v2;
    bool asked;
  } m[] = {
      {"hugetlb", "hugetlb", res != NULL && res->n_hugepage_limits > 0},
      {"rdma", "rdma", res != NULL && res->n_rdma > 0},
      {"memory", "memory", res != NULL && res->memory != NULL},
      {"cpu", "cpu", res != NULL && res->cpu != NULL},
      {"cpuset", "cpuset",
       res != NULL && res->cpu != NULL &&
           (res->cpu->cpus != NULL || res->cpu->mems != NULL)},
      {"pids", "pids", res != NULL && res->has_pids},
      {"blkio", "io", res != NULL && res->blkio != NULL},
  };
  for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
    if (!m[i].asked)
      continue;
    bool in_v1 = false;
    for (size_t j = 0; j < l->n; j++)
      in_v1 = in_v1 || cgroup_list_has(l->h[j].controllers, m[i].v1);
    if (!in_v1)
      want[k++] = m[i].v2;
  }
  want[k] = NULL;
}

static int check_path(const char *path, struct minirt_error *err) {
  if (path == NULL || path[0] != '/' || path[1] == '\0' ||
      strstr(path, "/../") != NULL || strstr(path, "/./") != NULL)
    return minirt_fail_msg(err, EINVAL, "invalid cgroup path `%s`",
                           path != NULL ? path : "(null)");
  return 0;
}

int cgroup_create_with_devices(const char *path,
                               const struct oci_resources *res,
                               const struct oci_device *devices,
                               size_t n_devices, struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = check_path(path, err);
  if (ret < 0 || (ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  struct created c = {0};
  for (size_t i = 0; i < l->n && ret == 0; i++)
    ret = mkdir_hier(l->h[i].mountpoint, path,
                     cgroup_list_has(l->h[i].controllers, "cpuset"), false,
                     NULL, &c, err);
  if (ret == 0 && l->v2 != NULL) {
    const char *want[8];
    hybrid_wanted(l, res, want);
    ret = mkdir_hier(l->v2, path, false, true,
                     l->mode == CGROUP_MODE_V2 ? NULL : want, &c, err);
  }
  if (ret == 0 && (res != NULL || n_devices > 0))
    ret = cgroup_apply_resources(path, res, devices, n_devices, false, err);
  if (ret < 0) {
    created_rollback(&c);
    minirt_error_prefix(err, "create cgroup `%s`: ", path);
    return ret;
  }
  created_forget(&c);
  return 0;
}

int cgroup_create(const char *path, const struct oci_resources *res,
                  struct minirt_error *err) {
  return cgroup_create_with_devices(path, res, NULL, 0, err);
}

int cgroup_update(const char *path, const struct oci_resources *res,
                  struct minirt_error *err) {
  int ret = check_path(path, err);
  if (ret < 0 || res == NULL)
    return ret;
  ret = cgroup_apply_resources(path, res, NULL, 0, true, err);
  if (ret < 0)
    minirt_error_prefix(err, "update cgroup `%s`: ", path);
  return ret;
}

static int write_pid(const char *mnt, const char *path, pid_t pid,
                     struct minirt_error *err) {
  _cleanup_free_ char *dir = NULL;
  if (asprintf(&dir, "%s%s", mnt, path) < 0)
    return minirt_fail(err, ENOMEM, "join cgroup");
  _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "open cgroup `%s`", dir);
  char buf[32];
  snprintf(buf, sizeof buf, "%d", (int)pid);
  int ret = cgroup_write(fd, "cgroup.procs", buf, err);
  if (ret < 0)
    minirt_error_prefix(err, "`%s`: ", dir);
  return ret;
}

int cgroup_adopt_pid(const char *path, pid_t pid,
                     const struct oci_resources *res, bool v2_pid,
                     struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = check_path(path, err);
  if (ret < 0 || (ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  struct created c = {0};
  for (size_t i = 0; i < l->n && ret == 0; i++) {
    ret = mkdir_hier(l->h[i].mountpoint, path,
                     cgroup_list_has(l->h[i].controllers, "cpuset"), false,
                     NULL, &c, err);
    if (ret == 0)
      ret = write_pid(l->h[i].mountpoint, path, pid, err);
  }
  /* systemd enables above the unit only the controllers it knows: the
   * others the config needs (hugetlb, rdma) are enabled here, as runc's
   * CreateCgroupPath does; the ones enabled already are left alone. */
  if (ret == 0 && l->v2 != NULL) {
    const char *want[8];
    hybrid_wanted(l, res, want);
    ret = mkdir_hier(l->v2, path, false, true, want, &c, err);
    if (ret == 0 && v2_pid)
      ret = write_pid(l->v2, path, pid, err);
  }
  if (ret < 0) {
    created_rollback(&c);
    return ret;
  }
  created_forget(&c);
  return 0;
}

/* ---- enter, destroy, open ---- */

/* rmdir, retrying while the kernel still releases dying tasks. */
static int rmdir_retry(const char *dir, struct minirt_error *err) {
  for (int i = 0;; i++) {
    if (rmdir(dir) == 0 || errno == ENOENT)
      return 0;
    if (errno != EBUSY || i >= 50)
      return minirt_fail(err, errno, "rmdir `%s`", dir);
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* Removes sub-cgroups (made by the container) depth first, then dir. */
static int rmdir_tree(const char *dir, int depth, struct minirt_error *err) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : minirt_fail(err, errno, "open `%s`", dir);
  int ret = 0;
  struct dirent *de;
  while (ret == 0 && depth < 64 && (de = readdir(d)) != NULL) {
    if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
        strcmp(de->d_name, "..") == 0)
      continue;
    _cleanup_free_ char *sub = NULL;
    if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
      ret = minirt_fail(err, ENOMEM, "rmdir `%s`", dir);
    else
      ret = rmdir_tree(sub, depth + 1, err);
  }
  closedir(d);
  return ret < 0 ? ret : rmdir_retry(dir, err);
}

int cgroup_destroy(const char *path, struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = check_path(path, err);
  if (ret < 0 || (ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  /* A default path "/minirt/<id>" also drops its parent when empty. */
  bool dflt = strncmp(path, "/minirt/", 8) == 0 &&
              strchr(path + 8, '/') == NULL && path[8] != '\0';
  int first = 0;
  for (size_t i = 0; i <= l->n; i++) {
    const char *mnt = i < l->n ? l->h[i].mountpoint : l->v2;
    if (mnt == NULL)
      continue;
    _cleanup_free_ char *full = NULL, *parent = NULL;
    if (asprintf(&full, "%s%s", mnt, path) < 0 ||
        asprintf(&parent, "%s/minirt", mnt) < 0)
      return minirt_fail(err, ENOMEM, "destroy cgroup");
    /* Most containers make no sub-cgroups: one rmdir, and the walk (open,
     * getdents of a kernfs directory of 10-30 files, close) only when it
     * fails (EBUSY: sub-cgroups or tasks still leaving). */
    ret = rmdir(full) == 0 || errno == ENOENT ? 0 : rmdir_tree(full, 0, err);
    if (ret < 0 && first == 0)
      first = ret; /* go on: remove what can be removed */
    if (ret == 0 && dflt)
      rmdir(parent); /* ENOTEMPTY/EBUSY: other containers still there */
  }
  return first;
}
