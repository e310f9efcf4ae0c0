/* create, start, run, kill, delete. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/container_state.h"
#include "core/hooks.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/merge.h"
#include "core/runtime.h"
#include "core/systemd_unit.h"
#include "linux/cgroup/cgroup.h"
#include "linux/container.h"
#include "linux/procinfo.h"
#include "linux/process/process.h"
#include "linux/rootfs/rootfs.h"
#include "linux/supervise.h"
#include "linux/terminal.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct create_ctx {
  const struct minirt_global *g;
  struct container_handle *h;
  const struct oci_config *cfg;
  struct systemd_unit *unit; /* --systemd-cgroup, else NULL */
};

/* container_spawn_opts.cgroup_place: systemd makes the unit with the
 * init's pid, before the init goes on. */
static int place_in_unit(void *data, pid_t pid, struct minirt_error *err) {
  struct create_ctx *c = data;
  return systemd_unit_place(c->unit, c->h->status, pid, c->cfg->linux_, err);
}

static const struct oci_hook_list *hook_list(const struct oci_config *cfg,
                                             const char *kind) {
  static const struct oci_hook_list empty;
  const struct oci_hooks *k = cfg != NULL ? cfg->hooks : NULL;
  if (k == NULL)
    return &empty;
  if (strcmp(kind, "prestart") == 0) return &k->prestart;
  if (strcmp(kind, "createRuntime") == 0) return &k->create_runtime;
  if (strcmp(kind, "createContainer") == 0) return &k->create_container;
  if (strcmp(kind, "startContainer") == 0) return &k->start_container;
  if (strcmp(kind, "poststart") == 0) return &k->poststart;
  if (strcmp(kind, "poststop") == 0) return &k->poststop;
  return &empty;
}

static int runtime_hooks(void *data, pid_t pid, char **state_json,
                         struct minirt_error *err) {
  struct create_ctx *c = data;
  c->h->status->pid = pid;
  int ret = container_state_json(c->h, c->cfg, CONTAINER_CREATED, false,
                                 state_json, err);
  if (ret < 0)
    return ret;
  ret = hooks_run("prestart", hook_list(c->cfg, "prestart"), *state_json, err);
  if (ret < 0)
    return ret;
  return hooks_run("createRuntime", hook_list(c->cfg, "createRuntime"),
                   *state_json, err);
}

static int container_hooks(void *data, const char *kind,
                           const char *state_json, struct minirt_error *err) {
  struct create_ctx *c = data;
  return hooks_run(kind, hook_list(c->cfg, kind), state_json, err);
}

int write_pid_file(const char *path, pid_t pid,
                          struct minirt_error *err) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d", (int)pid);
  return write_file_atomic(AT_FDCWD, path, buf, (size_t)n, 0644, err);
}

int resolve_paths(const struct create_opts *o,
                         const struct oci_config *cfg, char **bundle,
                         char **rootfs, struct minirt_error *err) {
  const char *b = o->bundle != NULL ? o->bundle : ".";
  *bundle = canonical_path(b);
  if (*bundle == NULL)
    return minirt_fail(err, errno, "bundle `%s`", b);
  _cleanup_free_ char *joined = NULL;
  const char *r = cfg->root->path;
  if (r[0] != '/') {
    if (asprintf(&joined, "%s/%s", *bundle, r) < 0)
      return minirt_fail(err, ENOMEM, "root.path");
    r = joined;
  }
  *rootfs = canonical_path(r);
  if (*rootfs == NULL)
    return minirt_fail(err, errno, "root.path `%s`", cfg->root->path);
  struct stat st;
  if (stat(*rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
    return minirt_fail_msg(err, ENOTDIR, "root.path `%s`: not a directory",
                           cfg->root->path);
  return 0;
}

int fill_status(struct container_handle *h, const struct minirt_global *g,
                       char *bundle, char *rootfs, char *cgroup_path,
                       const struct oci_config *cfg, struct minirt_error *err) {
  struct minirt_status *s = calloc(1, sizeof *s);
  if (s == NULL)
    return minirt_fail(err, ENOMEM, "status");
  h->status = s;
  char now[64];
  minirt_now_rfc3339(now, sizeof now);
  s->id = strdup(h->id);
  s->bundle = bundle;
  s->rootfs = rootfs;
  s->cgroup_path = cgroup_path;
  s->created = strdup(now);
  s->owner = strdup("");
  s->systemd_cgroup = g->systemd_cgroup;
  for (size_t i = 0; cfg->linux_ && i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].type == OCI_NS_USER)
      s->has_user_ns = true;
  if (s->id == NULL || s->created == NULL || s->owner == NULL)
    return minirt_fail(err, ENOMEM, "status");
  return 0;
}

static int make_fifo(struct container_handle *h, int *fd,
                     struct minirt_error *err) {
  if (mkfifoat(h->dirfd, "exec.fifo", 0600) < 0)
    return minirt_fail(err, errno, "mkfifo `%s/exec.fifo`", h->dir);
  /* O_RDWR never blocks and keeps a writer, so the init's read() waits for
   * start's byte instead of seeing EOF. */
  *fd = openat(h->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
  if (*fd < 0)
    return minirt_fail(err, errno, "open `%s/exec.fifo`", h->dir);
  return 0;
}

/* No mount namespace in the config: the container's mounts will be in
 * ours. Recorded before the init exists (see store_write_host_mounts). */
static int record_host_mounts(struct container_handle *h,
                              const struct oci_config *cfg, bool *shares,
                              uint64_t *base, struct minirt_error *err) {
  const struct oci_linux *lx = cfg->linux_;
  *shares = false;
  for (size_t i = 0; lx != NULL && i < lx->n_namespaces; i++)
    if (lx->namespaces[i].type == OCI_NS_MOUNT)
      return 0;
  *shares = true;
  int ret = rootfs_host_base(h->status->rootfs, base, err);
  if (ret < 0)
    return ret;
  return store_write_host_mounts(h, *base, h->status->rootfs, err);
}

/* After the container's processes are gone (delete). */
static int cleanup_host_mounts(struct container_handle *h,
                               struct minirt_error *err) {
  uint64_t base;
  _cleanup_free_ char *rootfs = NULL;
  int ret = store_read_host_mounts(h, &base, &rootfs, err);
  if (ret == -ENOENT)
    return 0;
  return ret < 0 ? ret : rootfs_host_cleanup(rootfs, base, err);
}

static int env_append(struct oci_strv *env, const char *key, int value) {
  char **v = realloc(env->v, (env->n + 2) * sizeof *v);
  if (v == NULL)
    return -ENOMEM;
  env->v = v;
  if (asprintf(&v[env->n], "%s=%d", key, value) < 0)
    return -ENOMEM;
  v[++env->n] = NULL;
  return 0;
}

/* systemd socket activation, as runc: when minirt itself was given
 * LISTEN_FDS sockets (LISTEN_PID is our pid), they are passed on as fds
 * 3..3+N-1, before the --preserve-fds ones, and the container's process is
 * told so with LISTEN_FDS=N and LISTEN_PID=1. */
static int socket_activation(struct oci_process *p, int *n,
                             struct minirt_error *err) {
  *n = 0;
  const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
  if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != (long)getpid())
    return 0;
  long k = strtol(fds, NULL, 10);
  if (k <= 0 || k > 1024)
    return 0;
  *n = (int)k;
  if (env_append(&p->env, "LISTEN_FDS", *n) < 0 ||
      env_append(&p->env, "LISTEN_PID", 1) < 0)
    return minirt_fail(err, ENOMEM, "LISTEN_FDS");
  return 0;
}

/* Makes the container's cgroup. Rootless, the cgroup is used where the
 * caller may write it (a delegated subtree); elsewhere the container goes
 * without one, unless its config asks for resources, which then cannot be
 * had: that fails, naming the first such field. */
int make_cgroup(const struct minirt_global *g, struct minirt_status *s,
                       const struct oci_linux *lx, bool *made,
                       struct minirt_error *err) {
  *made = false;
  /* linux.devices entries are also allowed in the device cgroup, or
   * their mknod would hit the default deny-all. */
  int ret = cgroup_create_with_devices(s->cgroup_path,
                                       lx ? lx->resources : NULL,
                                       lx ? lx->devices : NULL,
                                       lx ? lx->n_devices : 0, err);
  if (ret == 0) {
    *made = true;
    return 0;
  }
  if (!g->rootless || (ret != -EACCES && ret != -EPERM && ret != -EROFS))
    return ret;
  _cleanup_free_ char *field = NULL;
  struct minirt_error e = {0};
  int r = oci_resources_first_set(lx ? lx->resources : NULL, &field, &e);
  if (r < 0) {
    minirt_error_clear(err);
    *err = e;
    return r;
  }
  if (r > 0) {
    _cleanup_free_ char *why = steal_pointer(&err->msg);
    minirt_error_clear(err);
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported when rootless without a delegated "
                           "cgroup: %s (%s)",
                           field, why != NULL ? why : "no cgroup");
  }
  minirt_log_debug(g, "rootless: the container has no cgroup (%s)",
                   err->msg != NULL ? err->msg : "");
  minirt_error_clear(err);
  free(s->cgroup_path);
  s->cgroup_path = NULL;
  return 0;
}

/* The executor skips ambient capabilities the kernel would refuse, as runc
 * does; the user hears about it once, here, not on every exec (a config
 * made by `runc spec` has ambient without inheritable). */
static void warn_unraisable_ambient(const struct minirt_global *g,
                                    const struct oci_process *p) {
  char names[512];
  if (oci_ambient_unraisable(p->capabilities, names, sizeof names) > 0)
    minirt_log_warn(g,
                    "process.capabilities.ambient: %s not raised: an "
                    "ambient capability must also be permitted and "
                    "inheritable",
                    names);
}

int create_container(const struct minirt_global *g, const struct create_opts *o,
                     struct created_container *out, struct minirt_error *err) {
  memset(out, 0, sizeof *out);
  out->pty_master = -1;
  out->exit_code = 1;
  struct oci_config *cfg = NULL;
  _cleanup_free_ char *raw = NULL, *bundle = NULL, *rootfs = NULL,
                      *cgpath = NULL;
  size_t raw_len = 0;
  int ret = store_validate_id(o->id, err);
  if (ret < 0)
    return ret;
  _cleanup_free_ char *cfg_path = NULL;
  if (asprintf(&cfg_path, "%s/config.json", o->bundle ? o->bundle : ".") < 0)
    return minirt_fail(err, ENOMEM, "config path");
  ret = oci_config_load_file(cfg_path, &cfg, &raw, &raw_len, err);
  if (ret == 0)
    ret = oci_config_validate_for_create(cfg, err);
  if (ret == 0)
    warn_unraisable_ambient(g, cfg->process);
  /* Like runc and crun: a terminal's master must go somewhere. `run`
   * proxies it itself. */
  if (ret == 0 && cfg->process->terminal && o->console_socket == NULL &&
      !o->proxy_terminal)
    ret = minirt_fail_msg(err, EINVAL,
                          "process.terminal is true: --console-socket is required");
  if (ret == 0)
    ret = resolve_paths(o, cfg, &bundle, &rootfs, err);
  if (ret == 0)
    ret = cgroup_resolve_path(cfg->linux_ ? cfg->linux_->cgroups_path : NULL,
                              o->id, g->systemd_cgroup, &cgpath, err);
  /* The bus first: without systemd nothing is made. */
  struct systemd_unit unit = {0};
  if (ret == 0 && g->systemd_cgroup)
    ret = systemd_unit_open(g, cfg->linux_ ? cfg->linux_->cgroups_path : NULL,
                            o->id, &unit, err);
  if (ret < 0) {
    oci_config_free(cfg);
    return ret;
  }
  struct container_handle h;
  ret = store_create(g->root, o->id, &h, err);
  if (ret < 0) {
    systemd_unit_close(&unit);
    store_close(&h);
    oci_config_free(cfg);
    return ret;
  }
  bool cgroup_made = false;
  _cleanup_close_ int fifo = -1;
  struct process_seccomp sc
      __attribute__((cleanup(process_seccomp_release))) = {0};
  ret = store_save_config(&h, raw, raw_len, err);
  /* Compiled (or taken from the cache) here, before the clone: the init
   * only loads it, and a profile that cannot be built fails first. */
  size_t sc_start = 0, sc_end = 0;
  bool sc_text =
      ret == 0 && oci_config_find_member(raw, raw_len, "linux", "seccomp",
                                         &sc_start, &sc_end) == 1;
  if (ret == 0)
    ret = process_seccomp_prepare(cfg->linux_, sc_text ? raw + sc_start : NULL,
                                  sc_end - sc_start, g->root, &sc,
                                  minirt_log_note, (void *)g, err);
  if (ret == 0)
    ret = fill_status(&h, g, steal_pointer(&bundle), steal_pointer(&rootfs),
                      steal_pointer(&cgpath), cfg, err);
  if (ret == 0 && unit.sd == NULL) {
    /* linux.devices entries are also allowed in the device cgroup, or
     * their mknod would hit the default deny-all. */
    ret = make_cgroup(g, h.status, cfg->linux_, &cgroup_made, err);
  }
  if (ret == 0)
    ret = make_fifo(&h, &fifo, err);
  uint64_t host_mount_base = 0;
  bool shares_mntns = false;
  if (ret == 0)
    ret = record_host_mounts(&h, cfg, &shares_mntns, &host_mount_base, err);
  int n_listen = 0;
  if (ret == 0)
    ret = socket_activation(cfg->process, &n_listen, err);
  struct create_ctx cc = {.g = g, .h = &h, .cfg = cfg,
                          .unit = unit.sd != NULL ? &unit : NULL};
  struct container_spawned sp = {.pid = -1, .pty_master = -1};
  if (ret == 0) {
    struct container_spawn_opts so = {
        .cfg = cfg,
        .rootfs = h.status->rootfs,
        .cgroup_path = unit.sd == NULL ? h.status->cgroup_path : NULL,
        .cgroup_place = unit.sd != NULL ? place_in_unit : NULL,
        .fifo_fd = fifo,
        .no_pivot = o->no_pivot,
        .no_new_keyring = o->no_new_keyring,
        .rootless = g->rootless,
        .preserve_fds = o->preserve_fds + n_listen,
        .seccomp = &sc,
        .host_mount_base = host_mount_base,
        .runtime_hooks = runtime_hooks,
        .container_hooks = container_hooks,
        .data = &cc,
        .derive_home = merge_has_home(cfg->process) ? NULL : merge_derive_home};
    ret = container_spawn(&so, &sp, err);
    out->exit_code = sp.exit_code;
  }
  if (ret == 0) {
    h.status->pid = sp.pid;
    ret = proc_stat(sp.pid, &h.status->pid_start_time, NULL, err);
  }
  if (ret == 0 && sp.pty_master >= 0 && o->console_socket != NULL) {
    ret = terminal_send_to_console_socket(o->console_socket, sp.pty_master, err);
    close(sp.pty_master);
    sp.pty_master = -1;
  }
  if (ret == 0)
    ret = store_write_status(&h, err);
  if (ret == 0 && o->pid_file != NULL)
    ret = write_pid_file(o->pid_file, sp.pid, err);
  if (ret < 0) {
    struct minirt_error e = {0};
    if (sp.pid > 0) {
      kill(sp.pid, SIGKILL);
      waitpid(sp.pid, NULL, 0);
    }
    if (sp.pty_master >= 0)
      close(sp.pty_master);
    if (sp.pid > 0 && shares_mntns)
      rootfs_host_cleanup(h.status->rootfs, host_mount_base, &e);
    minirt_error_clear(&e);
    if (cgroup_made)
      cgroup_destroy(h.status->cgroup_path, &e);
    minirt_error_clear(&e);
    systemd_unit_abort(&unit, h.status != NULL ? h.status->cgroup_path : NULL);
    systemd_unit_close(&unit);
    store_remove(&h, &e);
    minirt_error_clear(&e);
    store_close(&h);
    oci_config_free(cfg);
    return ret;
  }
  systemd_unit_close(&unit);
  out->pid = sp.pid;
  out->pty_master = sp.pty_master;
  out->cfg = cfg;
  store_close(&h);
  return 0;
}

int minirt_create(const struct minirt_global *g, const struct create_opts *o,
                  struct minirt_error *err) {
  struct created_container c;
  int ret = create_container(g, o, &c, err);
  if (ret == 0 && c.pty_master >= 0)
    close(c.pty_master); /* terminal without --console-socket: nobody reads */
  if (ret == 0)
    oci_config_free(c.cfg);
  return ret;
}

/* `loaded`: the saved config when the caller has it already (run). */
static int start_container(const struct minirt_global *g, const char *id,
                           const struct oci_config *loaded,
                           struct minirt_error *err) {
  struct container_handle h;
  struct oci_config *own = NULL;
  const struct oci_config *cfg = loaded;
  enum container_status st;
  int ret = store_open(g->root, id, &h, err);
  h.keep_fifo = true; /* the live status's open of exec.fifo is ours */
  if (ret == 0)
    ret = store_live_status(&h, &st, err);
  if (ret == 0 && st != CONTAINER_CREATED)
    ret = minirt_fail_msg(err, EINVAL,
                          "cannot start container `%s`: it is %s, not created",
                          id, container_status_name(st));
  if (ret == 0 && cfg == NULL) {
    ret = store_load_config_lean(&h, &own, err);
    cfg = own;
  }
  if (ret == 0) {
    _cleanup_close_ int fd = steal_fd(&h.fifo_fd);
    if (fd < 0)
      fd = openat(h.dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
      ret = minirt_fail(err, errno, "start `%s`: the init is not waiting", id);
    else if (write(fd, "0", 1) != 1)
      ret = minirt_fail(err, errno, "start `%s`: write `exec.fifo`", id);
  }
  /* No status write: a missing exec.fifo is what says "started". */
  if (ret == 0)
    unlinkat(h.dirfd, "exec.fifo", 0);
  /* The state is built only for hooks that read it. */
  if (ret == 0 && hook_list(cfg, "poststart")->n > 0) {
    _cleanup_free_ char *state = NULL;
    struct minirt_error e = {0};
    /* A failing poststart hook is only a warning (runtime-spec). */
    if (container_state_json(&h, cfg, CONTAINER_RUNNING, false, &state, &e) < 0 ||
        hooks_run("poststart", hook_list(cfg, "poststart"), state, &e) < 0) {
      fprintf(stderr, "minirt: warning: %s\n", e.msg ? e.msg : "poststart");
      minirt_log_error(g, e.msg ? e.msg : "poststart");
    }
    minirt_error_clear(&e);
  }
  oci_config_free(own);
  store_close(&h);
  return ret;
}

int minirt_start(const struct minirt_global *g, const char *id,
                 struct minirt_error *err) {
  return start_container(g, id, NULL, err);
}

static int delete_container(const struct minirt_global *g, const char *id,
                            bool force, const struct oci_config *loaded,
                            struct minirt_error *err);

int minirt_run(const struct minirt_global *g, const struct create_opts *o,
               int *status, struct minirt_error *err) {
  struct created_container c;
  *status = 1;
  if (!o->detach)
    supervise_block_signals();
  struct create_opts co = *o;
  co.proxy_terminal = !o->detach;
  int ret = create_container(g, &co, &c, err);
  if (ret < 0) {
    *status = c.exit_code;
    if (!o->detach)
      supervise_unblock_signals();
    return ret; /* create undid itself; the id may belong to another */
  }
  ret = start_container(g, o->id, c.cfg, err);
  if (ret < 0) {
    struct minirt_error e = {0};
    if (c.pty_master >= 0)
      close(c.pty_master);
    delete_container(g, o->id, true, c.cfg, &e);
    minirt_error_clear(&e);
    oci_config_free(c.cfg);
    return ret;
  }
  if (o->detach) {
    if (c.pty_master >= 0)
      close(c.pty_master);
    oci_config_free(c.cfg);
    *status = 0;
    return 0;
  }
  ret = supervise_wait(c.pid, c.pty_master, status, err);
  supervise_unblock_signals();
  if (!o->keep) {
    struct minirt_error e = {0};
    if (delete_container(g, o->id, true, c.cfg, &e) < 0 && ret == 0)
      ret = minirt_fail_msg(err, e.errnum, "%s", e.msg);
    minirt_error_clear(&e);
  }
  oci_config_free(c.cfg);
  return ret;
}

/* kill --all of a container without a cgroup (rootless): every process of
 * its pid namespace. */
static int kill_pidns(const struct minirt_status *s, int sig,
                      struct minirt_error *err) {
  pid_t *pids = NULL;
  size_t n = 0;
  int ret = proc_pidns_members(s->pid, &pids, &n, err);
  for (size_t i = 0; ret == 0 && i < n; i++)
    if (kill(pids[i], sig) < 0 && errno != ESRCH)
      ret = minirt_fail(err, errno, "kill %d", (int)pids[i]);
  free(pids);
  return ret;
}

int minirt_kill(const struct minirt_global *g, const char *id, int sig,
                bool all, struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  int ret = store_open(g->root, id, &h, err);
  if (ret == 0)
    ret = store_live_status(&h, &st, err);
  if (ret == 0 && st == CONTAINER_STOPPED)
    ret = minirt_fail_msg(err, ESRCH, "kill `%s`: container not running", id);
  if (ret == 0 && all && h.status->cgroup_path != NULL) {
    ret = cgroup_kill_all(h.status->cgroup_path, sig, err);
  } else if (ret == 0 && all) {
    ret = kill_pidns(h.status, sig, err);
  } else if (ret == 0) {
    int pfd = -1;
    ret = proc_pidfd(h.status->pid, h.status->pid_start_time, &pfd, err);
    if (ret < 0)
      ret = minirt_fail_msg(err, ESRCH, "kill `%s`: container not running", id);
    else if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0)
      ret = minirt_fail(err, errno, "kill `%s`", id);
    if (pfd >= 0)
      close(pfd);
  }
  store_close(&h);
  return ret;
}

static int kill_and_wait(struct container_handle *h, enum container_status st,
                         struct minirt_error *err) {
  const struct minirt_status *s = h->status;
  struct minirt_error e = {0};
  if (s->cgroup_path != NULL)
    cgroup_kill_all(s->cgroup_path, SIGKILL, &e);
  minirt_error_clear(&e);
  /* By pidfd: a recycled pid is never signalled. */
  int pfd = -1;
  if (proc_pidfd(s->pid, s->pid_start_time, &pfd, &e) == 0) {
    syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
    close(pfd);
  }
  minirt_error_clear(&e);
  /* Frozen tasks die only once thawed (cgroup v1). */
  if (st == CONTAINER_PAUSED && s->cgroup_path != NULL)
    cgroup_freeze(s->cgroup_path, false, &e);
  minirt_error_clear(&e);
  if (proc_wait_gone(s->pid, s->pid_start_time, 10000) < 0)
    return minirt_fail_msg(err, ETIMEDOUT, "delete `%s`: init %d did not exit",
                           h->id, (int)s->pid);
  return 0;
}

/* --force goes on without the unit (systemd unreachable): its cgroup is
 * removed by hand and the warning says what is left. */
static int delete_unit(const struct minirt_global *g, const char *path,
                       bool force, struct minirt_error *err) {
  int ret = systemd_unit_stop(g, path, err);
  if (ret < 0 && force) {
    fprintf(stderr, "minirt: warning: %s\n", err->msg);
    minirt_error_clear(err);
    ret = 0;
  }
  return ret;
}

int minirt_delete(const struct minirt_global *g, const char *id, bool force,
                  struct minirt_error *err) {
  return delete_container(g, id, force, NULL, err);
}

static int delete_container(const struct minirt_global *g, const char *id,
                            bool force, const struct oci_config *loaded,
                            struct minirt_error *err) {
  struct container_handle h;
  enum container_status st = CONTAINER_STOPPED;
  struct oci_config *own = NULL;
  const struct oci_config *cfg = loaded;
  int ret = store_open_any(g->root, id, &h, err);
  if (ret == -ENOENT && force) {
    minirt_error_clear(err);
    store_close(&h);
    return 0;
  }
  if (ret == 0 && h.broken && !force)
    ret = minirt_fail_msg(err, EUCLEAN,
                          "container `%s` is broken: `%s/status.json` is unreadable "
                          "(`delete --force` removes it)",
                          id, h.dir);
  if (ret == 0)
    ret = store_check_writable(&h, err);
  if (ret == 0)
    ret = store_live_status(&h, &st, err);
  if (ret == 0 && cfg == NULL) {
    struct minirt_error e = {0};
    if (store_load_config_lean(&h, &own, &e) == 0)
      cfg = own;
    minirt_error_clear(&e);
  }
  if (ret == 0 && st != CONTAINER_STOPPED && st != CONTAINER_CREATED && !force)
    ret = minirt_fail_msg(err, EBUSY,
                          "cannot delete container `%s` that is not stopped: %s",
                          id, container_status_name(st));
  if (ret == 0 && h.status != NULL && st != CONTAINER_STOPPED)
    ret = kill_and_wait(&h, st, err);
  /* The unit first: systemd removes its cgroup; what is left (sub-cgroups,
   * v1 hierarchies systemd does not manage) goes next. */
  if (ret == 0 && h.status != NULL && h.status->cgroup_path != NULL &&
      h.status->systemd_cgroup)
    ret = delete_unit(g, h.status->cgroup_path, force, err);
  if (ret == 0 && h.status != NULL && h.status->cgroup_path != NULL)
    ret = cgroup_destroy(h.status->cgroup_path, err);
  if (ret == 0 && h.status == NULL) {
    /* An interrupted create (we hold the lock, so no create is running) or
     * a broken status: the cgroup may exist without a status, and an init
     * that had already reported READY may be waiting in it. Without a
     * readable config the cgroup can only be the default one of the id. */
    _cleanup_free_ char *cg = NULL;
    struct minirt_error e = {0};
    const char *cgp = cfg != NULL && cfg->linux_ ? cfg->linux_->cgroups_path : NULL;
    if (cgroup_resolve_path(cgp, id, g->systemd_cgroup, &cg, &e) == 0) {
      cgroup_kill_all(cg, SIGKILL, &e);
      minirt_error_clear(&e);
      if (g->systemd_cgroup)
        delete_unit(g, cg, true, &e);
      minirt_error_clear(&e);
      cgroup_destroy(cg, &e);
    }
    minirt_error_clear(&e);
  }
  /* Once nothing of the container runs any more. */
  if (ret == 0)
    ret = cleanup_host_mounts(&h, err);
  if (ret < 0 && force && h.broken) {
    /* A broken container must still go; what could not be undone is said. */
    fprintf(stderr, "minirt: warning: %s\n", err->msg ? err->msg : "host mounts");
    minirt_error_clear(err);
    ret = 0;
  }
  if (ret == 0 && h.status != NULL && hook_list(cfg, "poststop")->n > 0) {
    _cleanup_free_ char *state = NULL;
    struct minirt_error e = {0};
    if (container_state_json(&h, cfg, CONTAINER_STOPPED, false, &state, &e) < 0 ||
        hooks_run("poststop", hook_list(cfg, "poststop"), state, &e) < 0)
      fprintf(stderr, "minirt: warning: %s\n", e.msg ? e.msg : "poststop");
    minirt_error_clear(&e);
  }
  if (ret == 0)
    ret = store_remove(&h, err);
  oci_config_free(own);
  store_close(&h);
  return ret;
}
