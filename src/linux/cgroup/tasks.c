/* Operations on a running container's cgroup: freeze/thaw, listing its
 * pids, and signalling all of them. */
#include "linux/cgroup/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define FREEZE_TRIES 2000 /* x 1-5 ms: a few seconds */

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The directory holding the freezer: v1 freezer, else the v2 one (which
 * freezes natively). -ENODEV without *err when there is none. */
static int open_freezer(const char *path, int *fd, bool *v2,
                        struct minirt_error *err) {
  int ret = cgroup_open_controller(path, "freezer", NULL, fd, v2, err);
  if (ret != -ENODEV)
    return ret;
  const struct cgroup_layout *l;
  if ((ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  if (l->v2 == NULL)
    return -ENODEV;
  _cleanup_free_ char *full = NULL;
  if (asprintf(&full, "%s%s", l->v2, path) < 0)
    return minirt_fail(err, ENOMEM, "open cgroup");
  *fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    return minirt_fail(err, errno, "open cgroup `%s`", full);
  *v2 = true;
  return 0;
}

static int state_of(int fd, bool v2, bool *frozen, struct minirt_error *err) {
  _cleanup_free_ char *s = NULL;
  int ret = cgroup_read(fd, v2 ? "cgroup.events" : "freezer.state", &s, err);
  if (ret < 0)
    return ret;
  *frozen = v2 ? strstr(s, "frozen 1") != NULL : strncmp(s, "FROZEN", 6) == 0;
  return 0;
}

static int freeze_fd(int fd, bool v2, bool freeze, struct minirt_error *err) {
  const char *file = v2 ? "cgroup.freeze" : "freezer.state";
  const char *val = v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
  int ret = cgroup_write(fd, file, val, err);
  for (int i = 0; ret == 0; i++) {
    bool frozen;
    if ((ret = state_of(fd, v2, &frozen, err)) < 0)
      break;
    if (frozen == freeze)
      return 0;
    if (i >= FREEZE_TRIES) {
      ret = minirt_fail_msg(err, ETIMEDOUT,
                            "write `%s` to `%s`: the cgroup "
                            "did not reach that state",
                            val, file);
      break;
    }
    /* v1 can stay FREEZING while tasks fork: asking again helps (runc). */
    if (!v2 && freeze && i % 10 == 9)
      ret = cgroup_write(fd, file, val, err);
    sleep_ms(i < 100 ? 1 : 5);
  }
  if (freeze) /* never leave a half-frozen cgroup behind */
    cgroup_write(fd, file, v2 ? "0" : "THAWED", NULL);
  return ret;
}

int cgroup_freeze(const char *path, bool freeze, struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = open_freezer(path, &fd, &v2, err);
  if (ret == -ENODEV)
    return minirt_fail_msg(err, ENOTSUP, "no cgroup freezer on this host");
  if (ret < 0)
    return ret;
  return freeze_fd(fd, v2, freeze, err);
}

int cgroup_is_frozen(const char *path, bool *frozen, struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = open_freezer(path, &fd, &v2, err);
  if (ret == -ENODEV) {
    *frozen = false;
    return 0;
  }
  if (ret < 0)
    return ret;
  return state_of(fd, v2, frozen, err);
}

/* ---- pids ---- */

struct pidv {
  pid_t *v;
  size_t n, cap;
};

static int collect(int dirfd, const char *name, struct pidv *p, int depth,
                   struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  int ret = cgroup_read(dirfd, "cgroup.procs", &text, err);
  if (ret < 0)
    return ret;
  for (char *s = text; *s != '\0';) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s)
      break;
    if (p->n == p->cap) {
      size_t nc = p->cap ? p->cap * 2 : 64;
      pid_t *nv = realloc(p->v, nc * sizeof *nv);
      if (nv == NULL)
        return minirt_fail(err, ENOMEM, "list pids");
      p->v = nv;
      p->cap = nc;
    }
    p->v[p->n++] = (pid_t)v;
    s = end + strspn(end, "\n ");
  }
  int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (d == NULL) {
    if (dfd >= 0)
      close(dfd);
    return minirt_fail(err, errno, "open cgroup `%s`", name);
  }
  struct dirent *de;
  while (ret == 0 && depth < 64 && (de = readdir(d)) != NULL) {
    if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
        strcmp(de->d_name, "..") == 0)
      continue;
    _cleanup_close_ int sub =
        openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sub < 0)
      continue; /* removed meanwhile */
    ret = collect(sub, de->d_name, p, depth + 1, err);
  }
  closedir(d);
  return ret;
}

static int cmp_pid(const void *a, const void *b) {
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

/* The hierarchy whose cgroup.procs lists the container: pids (v1), else
 * the first v1 hierarchy, else v2. */
static int open_listing(const char *path, int *fd, struct minirt_error *err) {
  bool v2;
  int ret = cgroup_open_controller(path, "pids", NULL, fd, &v2, err);
  if (ret != -ENODEV)
    return ret;
  const struct cgroup_layout *l;
  if ((ret = cgroup_layout_get(&l, err)) < 0)
    return ret;
  const char *mnt = l->n > 0 ? l->h[0].mountpoint : l->v2;
  return cgroup_open_dir(mnt, path, fd, err);
}

int cgroup_pids(const char *path, pid_t **pids, size_t *n,
                struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  int ret = open_listing(path, &fd, err);
  if (ret < 0)
    return ret;
  struct pidv p = {0};
  if ((ret = collect(fd, path, &p, 0, err)) < 0) {
    free(p.v);
    return ret;
  }
  /* v1 cgroup.procs may repeat a pid. */
  if (p.n > 0)
    qsort(p.v, p.n, sizeof *p.v, cmp_pid);
  size_t k = 0;
  for (size_t i = 0; i < p.n; i++)
    if (k == 0 || p.v[k - 1] != p.v[i])
      p.v[k++] = p.v[i];
  *pids = p.v;
  *n = k;
  return 0;
}

/* ---- kill ---- */

/* cgroup.kill (v2, Linux 5.14+) kills every task atomically; also usable
 * in hybrid mode, where the tasks joined the v2 cgroup too (cgroup/join.c). */
static int try_cgroup_kill(const char *path, bool *done,
                           struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  *done = false;
  if (ret < 0 || l->v2 == NULL)
    return ret;
  _cleanup_free_ char *full = NULL;
  if (asprintf(&full, "%s%s", l->v2, path) < 0)
    return minirt_fail(err, ENOMEM, "kill cgroup");
  _cleanup_close_ int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || faccessat(fd, "cgroup.kill", F_OK, 0) < 0)
    return 0;
  if ((ret = cgroup_write(fd, "cgroup.kill", "1", err)) < 0)
    return ret;
  *done = true;
  return 0;
}

int cgroup_kill_all(const char *path, int sig, struct minirt_error *err) {
  int ret;
  if (sig == SIGKILL) {
    bool done;
    if ((ret = try_cgroup_kill(path, &done, err)) < 0 || done)
      return ret;
  }
  /* Freeze so no task forks past the listing (runc does the same). */
  _cleanup_close_ int ffd = -1;
  bool v2 = false, was_frozen = false, froze = false;
  if (open_freezer(path, &ffd, &v2, NULL) == 0 &&
      state_of(ffd, v2, &was_frozen, NULL) == 0)
    froze = !was_frozen && freeze_fd(ffd, v2, true, NULL) == 0;
  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  ret = cgroup_pids(path, &pids, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (kill(pids[i], sig) < 0 && errno != ESRCH)
      ret = minirt_fail(err, errno, "kill pid `%d` with signal %d",
                        (int)pids[i], sig);
  /* A frozen task dies of SIGKILL only once thawed. */
  if (froze || (was_frozen && sig == SIGKILL))
    freeze_fd(ffd, v2, false, NULL);
  return ret;
}

int cgroup_freezer_path(const char *path, char **out,
                        struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  const char *mnt = l->v2;
  for (size_t i = 0; i < l->n; i++)
    if (!l->h[i].v2 && cgroup_list_has(l->h[i].controllers, "freezer"))
      mnt = l->h[i].mountpoint;
  if (mnt == NULL)
    return minirt_fail_msg(err, ENOTSUP, "no cgroup freezer on this host");
  if (asprintf(out, "%s%s", mnt, path) < 0)
    return minirt_fail(err, ENOMEM, "freezer path");
  return 0;
}

int cgroup_v2_bind_source(const char *path, char **out,
                          struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  if (l->mode != CGROUP_MODE_V2)
    return minirt_fail_msg(err, ENOTSUP,
                           "not a pure cgroup v2 host");
  if (asprintf(out, "%s%s", l->v2, path != NULL ? path : "") < 0)
    return minirt_fail(err, ENOMEM, "cgroup path");
  return 0;
}
