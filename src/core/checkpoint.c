/* checkpoint and restore: what runc's libcontainer decides (which mounts
 * are external, which namespaces criu must not dump, where the restored
 * tree goes) and the state around it; src/linux/criu.c runs criu.
 *
 * State: a full checkpoint (no --leave-running, no --pre-dump) ends the
 * container's processes; its state directory stays, the container is
 * `stopped` and marked `checkpointed`, and `delete` removes it. restore
 * reads the bundle's config.json as create does and saves it: the saved
 * config is again the source of truth for exec. An id that names a
 * stopped container is deleted first (runc's checkpoint destroys the
 * container, so restore always finds the id free there). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/lifecycle.h"
#include "core/log.h"
#include "core/runtime.h"
#include "core/state_store.h"
#include "linux/cgroup/cgroup.h"
#include "linux/criu.h"
#include "linux/namespaces.h"
#include "linux/procinfo.h"
#include "linux/supervise.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define MAX_EXTERNAL_NS 2 /* net and pid, the ones criu takes from outside */

/* A list of owned strings, NULL-terminated. */
struct strlist {
  char **v;
  size_t n;
};

static void strlist_free(struct strlist *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

static int strlist_add(struct strlist *l, char *s, struct minirt_error *err) {
  if (s == NULL)
    return minirt_fail(err, ENOMEM, "criu arguments");
  char **v = realloc(l->v, (l->n + 2) * sizeof *v);
  if (v == NULL) {
    free(s);
    return minirt_fail(err, ENOMEM, "criu arguments");
  }
  l->v = v;
  v[l->n++] = s;
  v[l->n] = NULL;
  return 0;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
  char *s = NULL;
  va_list ap;
  va_start(ap, f);
  int r = vasprintf(&s, f, ap);
  va_end(ap);
  return r < 0 ? NULL : s;
}

/* What minirt cannot checkpoint yet says so instead of failing in criu. */
static int check_supported(const char *what, const struct oci_config *cfg,
                           struct minirt_error *err) {
  const struct oci_linux *lx = cfg->linux_;
  bool mnt = false;
  for (size_t i = 0; lx != NULL && i < lx->n_namespaces; i++) {
    if (lx->namespaces[i].type == OCI_NS_MOUNT &&
        lx->namespaces[i].path == NULL)
      mnt = true;
    if (lx->namespaces[i].type == OCI_NS_USER)
      return minirt_fail_msg(err, ENOTSUP,
                             "unsupported for %s: linux.namespaces: a user "
                             "namespace (criu would have to restore its "
                             "mappings)",
                             what);
  }
  if (!mnt)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported for %s: a container without a mount "
                           "namespace of its own",
                           what);
  if (cfg->process != NULL && cfg->process->terminal)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported for %s: process.terminal (criu's "
                           "command line cannot hand the pty back)",
                           what);
  return 0;
}

static bool is_bind(const struct oci_mount *m) {
  if (m->type == NULL || strcmp(m->type, "bind") == 0)
    return true;
  for (size_t i = 0; i < m->options.n; i++)
    if (strcmp(m->options.v[i], "bind") == 0 ||
        strcmp(m->options.v[i], "rbind") == 0)
      return true;
  return false;
}

static bool has_ns(const struct oci_config *cfg, enum oci_ns_type t) {
  for (size_t i = 0; cfg->linux_ != NULL && i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].type == t)
      return true;
  return false;
}

/* A `cgroup` mount without a cgroup namespace is a bind of the host's
 * cgroup of the container (rootfs/cgroup_mount.c), external to criu as
 * runc's is. On v1 it is a tmpfs of one bind per hierarchy, which is not
 * mapped yet: refused by name. With a cgroup namespace the mounts are
 * fresh ones, which criu dumps itself. */
static int cgroup_ext_mount(const struct oci_mount *m, const char *cgpath,
                            bool restore, struct strlist *out,
                            struct minirt_error *err) {
  _cleanup_free_ char *src = NULL;
  struct minirt_error e = {0};
  if (cgroup_v2_bind_source(cgpath, &src, &e) < 0) {
    _cleanup_free_ char *why = steal_pointer(&e.msg);
    minirt_error_clear(&e);
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: mount `%s` of type cgroup without a "
                           "cgroup namespace (%s)",
                           m->destination, why ? why : "no cgroup");
  }
  return strlist_add(
      out, fmt("%s:%s", m->destination, restore ? src : m->destination), err);
}

/* Every bind mount is external to criu: dumped under its destination as
 * its key, restored by binding its source again (runc's ext-mount-map). */
static int ext_mounts(const struct oci_config *cfg, const char *bundle,
                      const char *cgpath, bool restore, struct strlist *out,
                      struct minirt_error *err) {
  bool cgroupns = has_ns(cfg, OCI_NS_CGROUP);
  for (size_t i = 0; i < cfg->n_mounts; i++) {
    const struct oci_mount *m = &cfg->mounts[i];
    if (!cgroupns && m->type != NULL && strcmp(m->type, "cgroup") == 0) {
      int ret = cgroup_ext_mount(m, cgpath, restore, out, err);
      if (ret < 0)
        return ret;
      continue;
    }
    if (!is_bind(m) || m->source == NULL)
      continue;
    char *s;
    if (!restore)
      s = fmt("%s:%s", m->destination, m->destination);
    else if (m->source[0] == '/')
      s = fmt("%s:%s", m->destination, m->source);
    else {
      char *src = fmt("%s/%s", bundle, m->source);
      s = src != NULL ? fmt("%s:%s", m->destination, src) : NULL;
      free(src);
    }
    int ret = strlist_add(out, s, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static const char *ns_key(enum oci_ns_type t) {
  return t == OCI_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
}

/* Namespaces the config joins by path: net and pid are external to the
 * dump (criu records their inode and takes an fd at restore); the others
 * are joined again at restore. */
/* What dump and restore pass alike: the user's options and our paths;
 * the network namespace is never dumped (runc: it is the host's or made
 * again by the caller). */
static struct criu_common criu_common_of(const struct criu_opts *c,
                                         const char *criu, const char *images,
                                         const char *work, const char *log,
                                         const char *root,
                                         const struct strlist *mounts) {
  return (struct criu_common){.criu = criu,
                              .images = images,
                              .work = work,
                              .log = log,
                              .root = root,
                              .cgroups_mode = c->manage_cgroups_mode,
                              .tcp_established = c->tcp_established,
                              .ext_unix_sk = c->ext_unix_sk,
                              .shell_job = c->shell_job,
                              .file_locks = c->file_locks,
                              .auto_dedup = c->auto_dedup,
                              .lazy_pages = c->lazy_pages,
                              .empty_ns_net = true,
                              .ext_mounts = mounts->v,
                              .n_ext_mounts = mounts->n};
}

static int dump_externals(const struct oci_config *cfg, struct strlist *out,
                          struct minirt_error *err) {
  const struct oci_linux *lx = cfg->linux_;
  for (size_t i = 0; lx != NULL && i < lx->n_namespaces; i++) {
    const struct oci_namespace *ns = &lx->namespaces[i];
    if (ns->path == NULL ||
        (ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_PID))
      continue;
    struct stat st;
    if (stat(ns->path, &st) < 0)
      return minirt_fail(err, errno, "linux.namespaces: `%s`", ns->path);
    char *s = NULL;
    if (asprintf(&s, "%s[%llu]:%s", ns_proc_name(ns->type),
                 (unsigned long long)st.st_ino, ns_key(ns->type)) < 0)
      s = NULL;
    int ret = strlist_add(out, s, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

/* The image directory: given or ./checkpoint (runc's default), made when
 * a checkpoint needs it. */
static int image_dir(const char *given, bool make, char **out,
                     struct minirt_error *err) {
  const char *p = given != NULL && given[0] != '\0' ? given : "checkpoint";
  int ret = make ? mkdir_p(p, 0700, err) : 0;
  if (ret < 0)
    return ret;
  *out = canonical_path(p);
  if (*out == NULL)
    return minirt_fail(err, errno, "image path `%s`", p);
  struct stat st;
  if (stat(*out, &st) < 0 || !S_ISDIR(st.st_mode))
    return minirt_fail_msg(err, ENOTDIR, "image path `%s`: not a directory", p);
  return 0;
}

static int work_dir(const char *given, char **out, struct minirt_error *err) {
  *out = NULL;
  if (given == NULL || given[0] == '\0')
    return 0;
  int ret = mkdir_p(given, 0700, err);
  if (ret < 0)
    return ret;
  *out = canonical_path(given);
  return *out != NULL ? 0 : minirt_fail(err, errno, "work path `%s`", given);
}

/* runc's rule: relative to the image directory, and it must exist. */
static int check_parent(const char *images, const char *parent,
                        struct minirt_error *err) {
  if (parent == NULL || parent[0] == '\0')
    return 0;
  if (parent[0] == '/')
    return minirt_fail_msg(err, EINVAL, "--parent-path `%s`: must be relative",
                           parent);
  _cleanup_free_ char *p = fmt("%s/%s", images, parent);
  struct stat st;
  if (p == NULL)
    return minirt_fail(err, ENOMEM, "parent path");
  if (stat(p, &st) < 0)
    return minirt_fail(err, errno, "--parent-path `%s`", p);
  if (!S_ISDIR(st.st_mode))
    return minirt_fail_msg(err, ENOTDIR, "--parent-path `%s`: not a directory",
                           p);
  return 0;
}

/* The mount id of the init's fd (its fdinfo), and whether that mount is
 * one of the container's (the init's mountinfo). */
static bool fd_mount_outside(pid_t pid, int fd, unsigned *mnt_id) {
  char path[64];
  _cleanup_free_ char *info = NULL, *mounts = NULL;
  size_t len = 0;
  struct minirt_error e = {0};
  snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)pid, fd);
  if (read_file(path, 1 << 16, &info, &len, &e) < 0) {
    minirt_error_clear(&e);
    return false;
  }
  const char *m = strstr(info, "mnt_id:");
  if (m == NULL)
    return false;
  *mnt_id = (unsigned)strtoul(m + 7, NULL, 10);
  snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)pid);
  if (read_file(path, 4 << 20, &mounts, &len, &e) < 0) {
    minirt_error_clear(&e);
    return false;
  }
  for (const char *l = mounts; l != NULL && *l; l = strchr(l, '\n')) {
    if (*l == '\n')
      l++;
    if (strtoul(l, NULL, 10) == *mnt_id)
      return false;
  }
  return true;
}

/* What the init's stdio is (runc's descriptors.json), for restore to put
 * ours in its place: pipes by their "pipe:[INODE]" name, as runc; a file
 * on a mount outside the container (conmon's /dev/null, a log file of
 * the caller) by criu's external key "file[MNT:INODE]", which also goes
 * to the dump as --external, since criu cannot reach it from the
 * container's mounts. */
static int write_descriptors(pid_t pid, const char *images,
                             struct strlist *externals,
                             struct minirt_error *err) {
  char *v[3] = {0};
  int ret = 0;
  for (int fd = 0; fd < 3 && ret == 0; fd++) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    unsigned mnt = 0;
    struct stat st;
    if (target[0] == '/' && fd_mount_outside(pid, fd, &mnt) &&
        stat(link, &st) == 0) {
      if (asprintf(&v[fd], "file[%x:%llx]", mnt,
                   (unsigned long long)st.st_ino) < 0)
        v[fd] = NULL;
      else if ((ret = strlist_add(externals, strdup(v[fd]), err)) < 0)
        break;
    } else {
      v[fd] = strdup(target);
    }
    if (v[fd] == NULL)
      ret = minirt_fail(err, ENOMEM, "descriptors");
  }
  _cleanup_free_ char *json = NULL;
  if (ret == 0)
    ret = oci_descriptors_to_json(v, 3, &json, err);
  for (int i = 0; i < 3; i++)
    free(v[i]);
  if (ret < 0)
    return ret;
  _cleanup_close_ int dfd = open(images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return minirt_fail(err, errno, "open `%s`", images);
  return write_file_atomic(dfd, "descriptors.json", json, strlen(json), 0600,
                           err);
}

static int dump(const struct minirt_global *g, const struct checkpoint_opts *o,
                struct container_handle *h, const struct oci_config *cfg,
                const char *criu, struct minirt_error *err) {
  _cleanup_free_ char *images = NULL, *work = NULL, *freezer = NULL,
                      *log_path = NULL;
  struct strlist mounts = {0}, ext = {0};
  int ret = image_dir(o->c.image_path, true, &images, err);
  if (ret == 0)
    ret = work_dir(o->c.work_path, &work, err);
  if (ret == 0)
    ret = check_parent(images, o->parent_path, err);
  if (ret == 0 && !o->pre_dump)
    ret = ext_mounts(cfg, h->status->bundle, h->status->cgroup_path, false,
                     &mounts, err);
  if (ret == 0)
    ret = dump_externals(cfg, &ext, err);
  if (ret == 0 && h->status->cgroup_path != NULL)
    ret = cgroup_freezer_path(h->status->cgroup_path, &freezer, err);
  if (ret == 0 && !o->pre_dump)
    ret = write_descriptors(h->status->pid, images, &ext, err);
  const char *log = o->pre_dump ? "pre-dump.log" : "dump.log";
  if (ret == 0 && (log_path = fmt("%s/%s", work ? work : images, log)) == NULL)
    ret = minirt_fail(err, ENOMEM, "log path");
  struct criu_argv argv = {0};
  if (ret == 0) {
    struct criu_dump d = {.c = criu_common_of(&o->c, criu, images, work, log,
                                              h->status->rootfs, &mounts),
                          .pid = h->status->pid,
                          .pre_dump = o->pre_dump,
                          .leave_running = o->leave_running,
                          .tcp_skip_in_flight = o->tcp_skip_in_flight,
                          .link_remap = o->link_remap,
                          .parent = o->parent_path != NULL && o->parent_path[0]
                                        ? o->parent_path
                                        : NULL,
                          .freeze_cgroup = freezer,
                          .externals = ext.v,
                          .n_externals = ext.n};
    ret = criu_dump_argv(&d, &argv, err);
  }
  if (ret == 0) {
    minirt_log_debug(g, "checkpoint `%s`: %s, log `%s`", h->id, argv.v[0],
                     log_path);
    struct criu_run_opts ro = {.log_path = log_path,
                               .what = o->pre_dump ? "pre-dump" : "dump"};
    ret = criu_run(&argv, &ro, err);
  }
  criu_argv_free(&argv);
  strlist_free(&mounts);
  strlist_free(&ext);
  return ret;
}

int minirt_checkpoint(const struct minirt_global *g,
                      const struct checkpoint_opts *o,
                      struct minirt_error *err) {
  _cleanup_free_ char *criu = NULL;
  struct container_handle h;
  enum container_status st;
  struct oci_config *cfg = NULL;
  int ret = store_open(g->root, o->id, &h, err);
  if (ret == 0)
    ret = store_live_status(&h, &st, err);
  if (ret == 0 && st != CONTAINER_RUNNING && st != CONTAINER_PAUSED)
    ret = minirt_fail_msg(err, EINVAL, "the container is %s, not running",
                          container_status_name(st));
  if (ret == 0)
    ret = store_load_config(&h, &cfg, err);
  if (ret == 0)
    ret = check_supported("checkpoint", cfg, err);
  if (ret == 0)
    ret = criu_resolve(o->c.criu, &criu, err);
  if (ret == 0)
    ret = dump(g, o, &h, cfg, criu, err);
  if (ret == 0 && !o->pre_dump && !o->leave_running) {
    /* criu ended every process: the container is stopped, and says that
     * it was checkpointed rather than that it exited. */
    ret = write_file_atomic(h.dirfd, "checkpointed", "", 0, 0600, err);
  }
  if (ret < 0)
    minirt_error_prefix(err, "checkpoint `%s`: ", o->id);
  oci_config_free(cfg);
  store_close(&h);
  return ret;
}

/* ---- restore ---- */

struct restore_plan {
  struct strlist mounts, inherit, join;
  int ns_fds[MAX_EXTERNAL_NS];
  size_t n_ns_fds;
};

static void plan_free(struct restore_plan *p) {
  strlist_free(&p->mounts);
  strlist_free(&p->inherit);
  strlist_free(&p->join);
  for (size_t i = 0; i < p->n_ns_fds; i++)
    close(p->ns_fds[i]);
  p->n_ns_fds = 0;
}

/* Hooks other than poststop would have to run at points of criu's restore
 * that its command line does not stop at. */
static int check_hooks(const struct oci_config *cfg, struct minirt_error *err) {
  const struct oci_hooks *k = cfg->hooks;
  if (k == NULL)
    return 0;
  const char *bad = k->prestart.n           ? "prestart"
                    : k->create_runtime.n   ? "createRuntime"
                    : k->create_container.n ? "createContainer"
                    : k->start_container.n  ? "startContainer"
                    : k->poststart.n        ? "poststart"
                                            : NULL;
  if (bad != NULL)
    return minirt_fail_msg(err, ENOTSUP, "unsupported for restore: hooks.%s",
                           bad);
  return 0;
}

/* The checkpoint's stdio pipes and outside files get ours
 * (descriptors.json), the
 * namespaces joined by path are joined again, net and pid through fds. */
static int plan_restore(const struct oci_config *cfg, const char *bundle,
                        const char *cgpath, const char *images,
                        struct restore_plan *p, struct minirt_error *err) {
  int ret = ext_mounts(cfg, bundle, cgpath, true, &p->mounts, err);
  _cleanup_free_ char *buf = NULL,
                      *path = fmt("%s/%s", images, "descriptors.json");
  size_t len = 0;
  char **desc = NULL;
  size_t n = 0;
  if (ret == 0 && path == NULL)
    ret = minirt_fail(err, ENOMEM, "descriptors");
  if (ret == 0)
    ret = read_file(path, 1 << 20, &buf, &len, err);
  if (ret == 0)
    ret = oci_descriptors_parse(buf, len, &desc, &n, err);
  for (size_t i = 0; ret == 0 && i < n && i < 3; i++) {
    if (strncmp(desc[i], "pipe:", 5) != 0 && strncmp(desc[i], "file[", 5) != 0)
      continue;
    char *s = NULL;
    if (asprintf(&s, "fd[%zu]:%s", i, desc[i]) < 0)
      s = NULL;
    ret = strlist_add(&p->inherit, s, err);
  }
  for (size_t i = 0; desc != NULL && i < n; i++)
    free(desc[i]);
  free(desc);
  const struct oci_linux *lx = cfg->linux_;
  for (size_t i = 0; ret == 0 && lx != NULL && i < lx->n_namespaces; i++) {
    const struct oci_namespace *ns = &lx->namespaces[i];
    if (ns->path == NULL)
      continue;
    if (ns->type == OCI_NS_CGROUP)
      return minirt_fail_msg(err, ENOTSUP,
                             "unsupported for restore: joining a cgroup "
                             "namespace by path");
    if (ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_PID) {
      ret = strlist_add(&p->join,
                        fmt("%s:%s", ns_proc_name(ns->type), ns->path), err);
      continue;
    }
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return minirt_fail(err, errno, "linux.namespaces: `%s`", ns->path);
    p->ns_fds[p->n_ns_fds] = fd;
    char *s = NULL;
    if (asprintf(&s, "fd[%zu]:%s", 3 + p->n_ns_fds, ns_key(ns->type)) < 0)
      s = NULL;
    p->n_ns_fds++;
    ret = strlist_add(&p->inherit, s, err);
  }
  return ret;
}

static int read_restored_pid(const char *pidfile, pid_t *pid,
                             struct minirt_error *err) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  int ret = read_file(pidfile, 64, &buf, &len, err);
  if (ret < 0)
    return ret;
  long v = strtol(buf, NULL, 10);
  if (v <= 0)
    return minirt_fail_msg(err, EINVAL, "criu's pidfile `%s`: no pid", pidfile);
  *pid = (pid_t)v;
  return 0;
}

/* criu restore into the new container's state and cgroup. On success the
 * status has the restored init's pid. */
static int run_restore(const struct minirt_global *g,
                       const struct restore_opts *o, struct container_handle *h,
                       const struct oci_config *cfg, const char *criu,
                       const char *images, struct minirt_error *err) {
  _cleanup_free_ char *work = NULL, *log_path = NULL, *root = NULL,
                      *pidfile = NULL;
  struct restore_plan plan = {0};
  struct cgroup_join join;
  cgroup_join_init(&join);
  int ret = work_dir(o->c.work_path, &work, err);
  if (ret == 0)
    ret = plan_restore(cfg, h->status->bundle, h->status->cgroup_path, images,
                       &plan, err);
  if (ret == 0 &&
      ((root = fmt("%s/%s", h->dir, "criu-root")) == NULL ||
       (pidfile = fmt("%s/%s", h->dir, "criu.pid")) == NULL ||
       (log_path = fmt("%s/%s", work ? work : images, "restore.log")) == NULL))
    ret = minirt_fail(err, ENOMEM, "restore paths");
  if (ret == 0)
    ret = cgroup_join_open(h->status->cgroup_path, &join, err);
  bool bound = false;
  if (ret == 0 && (ret = criu_root_bind(h->status->rootfs, root, err)) == 0)
    bound = true;
  struct criu_argv argv = {0};
  if (ret == 0) {
    struct criu_restore r = {.c = criu_common_of(&o->c, criu, images, work,
                                                 "restore.log", root,
                                                 &plan.mounts),
                             .pidfile = pidfile,
                             .cgroup_root = h->status->cgroup_path,
                             .inherit_fds = plan.inherit.v,
                             .n_inherit_fds = plan.inherit.n,
                             .join_ns = plan.join.v,
                             .n_join_ns = plan.join.n};
    ret = criu_restore_argv(&r, &argv, err);
  }
  if (ret == 0) {
    minirt_log_debug(g, "restore `%s`: %s, log `%s`", h->id, argv.v[0],
                     log_path);
    struct criu_run_opts ro = {.join = h->status->cgroup_path ? &join : NULL,
                               .keep_stdio = true,
                               .log_path = log_path,
                               .what = "restore",
                               .n_extra_fds = plan.n_ns_fds};
    memcpy(ro.extra_fds, plan.ns_fds, plan.n_ns_fds * sizeof(int));
    ret = criu_run(&argv, &ro, err);
  }
  /* The restored tree has its own copy of the mounts. */
  if (bound)
    criu_root_unbind(root);
  if (ret == 0)
    ret = read_restored_pid(pidfile, &h->status->pid, err);
  if (pidfile != NULL)
    unlink(pidfile);
  if (ret == 0)
    ret = proc_stat(h->status->pid, &h->status->pid_start_time, NULL, err);
  criu_argv_free(&argv);
  cgroup_join_close(&join);
  plan_free(&plan);
  return ret;
}

/* A stopped container of the same id (a checkpointed one, say) makes way,
 * as `delete` would remove it; anything else keeps the id. */
static int free_id(const struct minirt_global *g, const char *id,
                   struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  int ret = store_open(g->root, id, &h, err);
  if (ret == -ENOENT) {
    minirt_error_clear(err);
    store_close(&h);
    return 0;
  }
  if (ret == 0)
    ret = store_live_status(&h, &st, err);
  store_close(&h);
  if (ret < 0)
    return ret;
  if (st != CONTAINER_STOPPED)
    return minirt_fail_msg(err, EEXIST,
                           "container `%s` already exists and is %s", id,
                           container_status_name(st));
  return minirt_delete(g, id, false, err);
}

static int load_bundle(const struct restore_opts *o, struct oci_config **cfg,
                       char **raw, size_t *raw_len, char **bundle,
                       char **rootfs, char **cgpath, bool systemd,
                       struct minirt_error *err) {
  _cleanup_free_ char *cfg_path =
      fmt("%s/%s", o->bundle ? o->bundle : ".", "config.json");
  if (cfg_path == NULL)
    return minirt_fail(err, ENOMEM, "config path");
  int ret = oci_config_load_file(cfg_path, cfg, raw, raw_len, err);
  if (ret == 0)
    ret = oci_config_validate_for_create(*cfg, err);
  if (ret == 0)
    ret = check_supported("restore", *cfg, err);
  if (ret == 0)
    ret = check_hooks(*cfg, err);
  struct create_opts co = {.id = o->id, .bundle = o->bundle};
  if (ret == 0)
    ret = resolve_paths(&co, *cfg, bundle, rootfs, err);
  if (ret == 0)
    ret = cgroup_resolve_path((*cfg)->linux_ ? (*cfg)->linux_->cgroups_path
                                             : NULL,
                              o->id, systemd, cgpath, err);
  return ret;
}

static int restore_container(const struct minirt_global *g,
                             const struct restore_opts *o,
                             struct minirt_error *err) {
  _cleanup_free_ char *criu = NULL, *images = NULL, *raw = NULL, *bundle = NULL,
                      *rootfs = NULL, *cgpath = NULL, *inventory = NULL;
  struct oci_config *cfg = NULL;
  size_t raw_len = 0;
  struct stat st;
  int ret = store_validate_id(o->id, err);
  if (ret == 0)
    ret = criu_resolve(o->c.criu, &criu, err);
  if (ret == 0)
    ret = image_dir(o->c.image_path, false, &images, err);
  if (ret == 0 &&
      ((inventory = fmt("%s/%s", images, "inventory.img")) == NULL ||
       stat(inventory, &st) < 0))
    ret = minirt_fail_msg(
        err, ENOENT, "image path `%s` holds no checkpoint (no inventory.img)",
        images);
  /* criu restores into a cgroup made beforehand; a systemd unit for a
   * process criu has yet to make is not written. */
  if (ret == 0 && g->systemd_cgroup)
    ret = minirt_fail_msg(err, ENOTSUP,
                          "restore `%s`: unsupported: --systemd-cgroup "
                          "(the restored init gets no systemd unit)",
                          o->id);
  if (ret == 0)
    ret = load_bundle(o, &cfg, &raw, &raw_len, &bundle, &rootfs, &cgpath,
                      g->systemd_cgroup, err);
  if (ret == 0)
    ret = free_id(g, o->id, err);
  if (ret < 0) {
    oci_config_free(cfg);
    return ret;
  }
  struct container_handle h;
  bool cgroup_made = false;
  ret = store_create(g->root, o->id, &h, err);
  bool created = ret == 0;
  if (ret == 0)
    ret = store_save_config(&h, raw, raw_len, err);
  if (ret == 0)
    ret = fill_status(&h, g, steal_pointer(&bundle), steal_pointer(&rootfs),
                      steal_pointer(&cgpath), cfg, err);
  if (ret == 0)
    ret = make_cgroup(g, h.status, cfg->linux_, &cgroup_made, err);
  if (ret == 0)
    ret = run_restore(g, o, &h, cfg, criu, images, err);
  if (ret == 0)
    ret = store_write_status(&h, err);
  if (ret == 0 && o->pid_file != NULL)
    ret = write_pid_file(o->pid_file, h.status->pid, err);
  if (ret < 0 && created && h.status != NULL) {
    /* Nothing half-made: whatever criu restored dies with the cgroup. */
    struct minirt_error e = {0};
    if (h.status->cgroup_path != NULL)
      cgroup_kill_all(h.status->cgroup_path, SIGKILL, &e);
    minirt_error_clear(&e);
    if (h.status->pid > 0 && h.status->pid_start_time > 0) {
      int pfd = -1;
      if (proc_pidfd(h.status->pid, h.status->pid_start_time, &pfd, &e) == 0) {
        kill(h.status->pid, SIGKILL);
        close(pfd);
      }
      minirt_error_clear(&e);
      proc_wait_gone(h.status->pid, h.status->pid_start_time, 5000);
    }
    if (cgroup_made)
      cgroup_destroy(h.status->cgroup_path, &e);
    minirt_error_clear(&e);
  }
  if (ret < 0 && created) {
    struct minirt_error e = {0};
    store_remove(&h, &e);
    minirt_error_clear(&e);
  }
  store_close(&h);
  oci_config_free(cfg);
  return ret;
}

int minirt_restore(const struct minirt_global *g, const struct restore_opts *o,
                   int *status, struct minirt_error *err) {
  *status = 1;
  if (o->console_socket != NULL)
    minirt_log_debug(g,
                     "restore: --console-socket `%s` unused: a terminal "
                     "container cannot be checkpointed",
                     o->console_socket);
  /* The restored init is our child (criu's --restore-sibling): in the
   * foreground we wait for it as run does, and reap what it orphans. */
  if (!o->detach) {
    supervise_block_signals();
    if (!o->no_subreaper)
      prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  int ret = restore_container(g, o, err);
  if (ret < 0) {
    minirt_error_prefix(err, "restore `%s`: ", o->id);
    if (!o->detach)
      supervise_unblock_signals();
    return ret;
  }
  if (o->detach) {
    *status = 0;
    return 0;
  }
  struct container_handle h;
  pid_t pid = -1;
  if (store_open(g->root, o->id, &h, err) == 0)
    pid = h.status->pid;
  store_close(&h);
  if (pid > 0)
    ret = supervise_wait(pid, -1, status, err);
  supervise_unblock_signals();
  struct minirt_error e = {0};
  if (minirt_delete(g, o->id, true, &e) < 0 && ret == 0)
    ret = minirt_fail_msg(err, e.errnum, "%s", e.msg);
  minirt_error_clear(&e);
  return ret;
}
