#include "linux/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/cgroup/cgroup.h"
#include "linux/console.h"
#include "linux/namespaces.h"
#include "linux/userns.h"
#include "linux/process/process.h"
#include "linux/rootfs/rootfs.h"
#include "linux/supervise.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct init_args {
  const struct container_spawn_opts *o;
  struct ns_plan *plan;
  struct cgroup_join *cg;
  int sock;
  pid_t parent;
};

static int set_hostnames(const struct oci_config *cfg, bool have_uts,
                         struct minirt_error *err) {
  if ((cfg->hostname != NULL || cfg->domainname != NULL) && !have_uts)
    return minirt_fail_msg(err, EINVAL,
                           "hostname: setting it needs a uts namespace");
  if (cfg->hostname != NULL &&
      sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
    return minirt_fail(err, errno, "sethostname `%s`", cfg->hostname);
  if (cfg->domainname != NULL &&
      setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
    return minirt_fail(err, errno, "setdomainname `%s`", cfg->domainname);
  return 0;
}

static bool has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Only sysctls that live in a namespace the container has: any other would
 * change the host's kernel (the rule runc applies too). `..` would walk out
 * of /proc/sys past this check. */
static int check_sysctl(const char *key, const bool *wanted,
                        struct minirt_error *err) {
  static const char *const ipc_keys[] = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",         "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  char k[256];
  if ((size_t)snprintf(k, sizeof k, "%s", key) >= sizeof k)
    return minirt_fail_msg(err, ENAMETOOLONG, "linux.sysctl: `%s`", key);
  for (char *p = k; *p; p++)
    if (*p == '/')
      *p = '.';
  if (strstr(k, "..") != NULL || k[0] == '.')
    return minirt_fail_msg(err, EINVAL, "linux.sysctl: `%s`: invalid name",
                           key);
  enum oci_ns_type ns = OCI_NS_COUNT;
  if (has_prefix(k, "net."))
    ns = OCI_NS_NETWORK;
  else if (has_prefix(k, "fs.mqueue."))
    ns = OCI_NS_IPC;
  else if (strcmp(k, "kernel.hostname") == 0 ||
           strcmp(k, "kernel.domainname") == 0)
    ns = OCI_NS_UTS;
  for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
    if (strcmp(k, ipc_keys[i]) == 0)
      ns = OCI_NS_IPC;
  if (ns == OCI_NS_COUNT)
    return minirt_fail_msg(err, EINVAL,
                           "linux.sysctl: `%s` is not in a separate kernel "
                           "namespace",
                           key);
  if (!wanted[ns])
    return minirt_fail_msg(err, EINVAL,
                           "linux.sysctl: `%s` needs a %s namespace of the "
                           "container's own",
                           key, ns_proc_name(ns));
  return 0;
}

static int apply_sysctl(const struct oci_config *cfg, const bool *wanted,
                        struct minirt_error *err) {
  if (cfg->linux_ == NULL)
    return 0;
  const struct oci_kv *kv = &cfg->linux_->sysctl;
  for (size_t i = 0; i < kv->n; i++) {
    int ret = check_sysctl(kv->keys[i], wanted, err);
    if (ret < 0)
      return ret;
    char rel[512];
    int n = snprintf(rel, sizeof rel, "sys/%s", kv->keys[i]);
    if (n < 0 || (size_t)n >= sizeof rel)
      return minirt_fail_msg(err, ENAMETOOLONG, "linux.sysctl: `%s`",
                             kv->keys[i]);
    /* net.ipv4.ip_forward -> sys/net/ipv4/ip_forward; a key may also be
     * written with slashes already. */
    for (char *p = rel + 4; *p; p++)
      if (*p == '.')
        *p = '/';
    _cleanup_close_ int fd = -1;
    ret = rootfs_open_proc_file(rel, O_WRONLY, &fd, err);
    if (ret < 0)
      return ret;
    if (write_all(fd, kv->values[i], strlen(kv->values[i])) < 0)
      return minirt_fail(err, errno, "sysctl `%s` = `%s`", kv->keys[i],
                         kv->values[i]);
  }
  return 0;
}

/* Like exec (and runc): a process without HOME gets the one of its user in
 * the container's /etc/passwd. The copy lives until execve. */
static int derive_init_home(const struct container_spawn_opts *o,
                            struct process_ctx *ctx,
                            struct minirt_error *err) {
  if (o->derive_home == NULL)
    return 0;
  struct oci_process *p = oci_process_dup(ctx->process);
  if (p == NULL)
    return minirt_fail(err, ENOMEM, "process");
  _cleanup_free_ char *passwd = passwd_read_container();
  int ret = o->derive_home(p, passwd, err);
  if (ret < 0) {
    oci_process_free(p);
    return ret;
  }
  ctx->process = p;
  return 0;
}

static void exit_on_signal(int sig) {
  _exit(128 + sig);
}

/* Until start, the init is pid 1 of its namespace and would ignore every
 * signal without a handler: give the usual ones their default effect. */
static void install_waiting_handlers(void) {
  static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1,
                             SIGUSR2, SIGALRM};
  struct sigaction sa = {.sa_handler = exit_on_signal};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction(sigs[i], &sa, NULL);
}

static int wait_for_start(int fifo_fd, struct minirt_error *err) {
  char c;
  for (;;) {
    ssize_t r = read(fifo_fd, &c, 1);
    if (r == 1)
      return 0;
    if (r < 0 && errno == EINTR)
      continue;
    return minirt_fail(err, r < 0 ? errno : EPIPE, "wait for start");
  }
}

static int init_setup(struct init_args *a, struct process_ctx *ctx,
                      struct minirt_error *err) {
  const struct container_spawn_opts *o = a->o;
  const struct oci_config *cfg = o->cfg;
  struct sync_msg m;
  int ret = sync_expect(a->sock, SYNC_GO, &m, NULL, err);
  /* Dumpable until now only when rootless (see container_spawn). */
  if (ret == 0 && prctl(PR_SET_DUMPABLE, 0) < 0)
    ret = minirt_fail(err, errno, "prctl PR_SET_DUMPABLE");
  if (ret == 0)
    ret = cgroup_join_self(a->cg, err);
  cgroup_join_close(a->cg);
  if (ret < 0)
    return ret;
  bool in_userns = a->plan->wanted[OCI_NS_USER];
  if (in_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
    return minirt_fail(err, errno, "become root in the user namespace");
  ret = ns_join_paths(a->plan, err);
  if (ret < 0)
    return ret;
  /* Only now, after the runtime has moved us into our cgroup (SYNC_GO), so
   * that the namespace's root is the container's cgroup, not the runtime's. */
  if ((a->plan->new_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
    return minirt_fail(err, errno, "unshare cgroup namespace");
  if (a->plan->new_time) {
    if (unshare(CLONE_NEWTIME) < 0)
      return minirt_fail(err, errno, "unshare time namespace");
    ret = ns_write_time_offsets(cfg, err);
    if (ret < 0)
      return ret;
  } else if (cfg->linux_ != NULL && cfg->linux_->has_time_offsets) {
    return minirt_fail_msg(err, EINVAL,
                           "linux.timeOffsets: needs a new time namespace");
  }
  bool own_mntns = a->plan->wanted[OCI_NS_MOUNT];
  /* Without a user namespace of its own, a container made by root of a
   * user namespace that is not the host's (rootless podman) cannot mknod
   * either: its devices are bind-mounted too. */
  ret = rootfs_prepare(cfg, o->rootfs, in_userns || o->rootless, own_mntns,
                       err);
  if (ret < 0)
    return ret;
  ret = sync_send(a->sock, SYNC_HOOKS, 0, NULL, err);
  if (ret < 0)
    return ret;
  ret = sync_expect(a->sock, SYNC_HOOKS_DONE, &m, NULL, err);
  if (ret < 0)
    return ret;
  ctx->state_json = strdup(m.payload);
  if (ctx->state_json == NULL)
    return minirt_fail(err, ENOMEM, "state");
  ret = o->container_hooks(o->data, "createContainer", ctx->state_json, err);
  if (ret < 0)
    return ret;
  ret = rootfs_pivot(o->rootfs, o->no_pivot, own_mntns, err);
  if (ret < 0)
    return ret;
  ret = set_hostnames(cfg, a->plan->wanted[OCI_NS_UTS], err);
  if (ret < 0)
    return ret;
  ret = apply_sysctl(cfg, a->plan->wanted, err);
  if (ret < 0)
    return ret;
  ret = rootfs_finalize(cfg, err);
  if (ret < 0)
    return ret;
  ret = derive_init_home(o, ctx, err);
  if (ret < 0)
    return ret;
  if (!o->no_new_keyring &&
      syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0 &&
      errno != ENOSYS)
    return minirt_fail(err, errno, "join a new session keyring");
  if (cfg->process->terminal) {
    ret = console_setup_child(a->sock, cfg->process, true, err);
    if (ret < 0)
      return ret;
  } else if (setsid() < 0) {
    /* As runc's init: a session of its own also without a terminal, so
     * that the container shares no session with its caller (criu refuses
     * to dump a tree whose session leader is outside its pid namespace). */
    return minirt_fail(err, errno, "setsid");
  }
  ret = process_prepare(ctx, err);
  if (ret == 0)
    ret = sync_hand_notify_fd(a->sock, &ctx->notify_fd, err);
  return ret;
}

static int cmp_int(const void *a, const void *b) {
  return *(const int *)a - *(const int *)b;
}

static bool kept(const int *keep, size_t n, int fd) {
  for (size_t i = 0; i < n; i++)
    if (keep[i] == fd)
      return true;
  return false;
}

/* The init waits for `start` for an unbounded time: it must not keep the
 * runtime's fds open meanwhile (the state directory's flock would stay held
 * and block every later command on the container). Keeps 0-2, the
 * preserved fds and the ones the init still needs. */
static void close_runtime_fds(const struct init_args *a) {
  int keep[OCI_NS_COUNT + CGROUP_JOIN_MAX + 3];
  size_t n = 0;
  keep[n++] = a->sock;
  keep[n++] = a->o->fifo_fd;
  for (size_t i = 0; i < a->cg->n_tasks; i++)
    keep[n++] = a->cg->tasks[i];
  keep[n++] = a->cg->v2_dir;
  for (int t = 0; t < OCI_NS_COUNT; t++)
    if (a->plan->path_fd[t] >= 0)
      keep[n++] = a->plan->path_fd[t];
  qsort(keep, n, sizeof keep[0], cmp_int);
  /* A gap in the preserved range (the caller passed fewer fds than it
   * said) may hold one of ours, such as the state directory: ours are
   * close-on-exec, the caller's cannot be (they survived its execve). Left
   * open, `run --preserve-fds` with a gap waited on its own lock forever. */
  for (int fd = 3; fd < 3 + a->o->preserve_fds; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC) && !kept(keep, n, fd))
      close(fd);
  }
  unsigned first = 3u + (unsigned)a->o->preserve_fds;
  for (size_t i = 0; i < n; i++) {
    if (keep[i] < 0 || (unsigned)keep[i] < first)
      continue;
    if ((unsigned)keep[i] > first)
      syscall(SYS_close_range, first, (unsigned)keep[i] - 1, 0);
    first = (unsigned)keep[i] + 1;
  }
  syscall(SYS_close_range, first, ~0U, 0);
}

static __attribute__((noreturn)) void init_main(struct init_args *a) {
  const struct container_spawn_opts *o = a->o;
  struct minirt_error err = {0};
  struct process_ctx ctx = {.process = o->cfg->process,
                            .linux_ = o->cfg->linux_,
                            .preserve_fds = o->preserve_fds,
                            .seccomp = o->seccomp,
                            .exit_code = 1};
  /* If the runtime dies before READY, so do we: nothing half-made stays.
   * (A runtime that died before this call closed its end of the socket:
   * waiting for GO sees EOF and we exit.) */
  supervise_child_start();
  close_runtime_fds(a);
  int ret = init_setup(a, &ctx, &err);
  if (ret < 0) {
    sync_send_error(a->sock, &err, ctx.exit_code);
    _exit(ctx.exit_code > 0 ? ctx.exit_code : 1);
  }
  install_waiting_handlers();
  /* Cleared before READY: the runtime may exit as soon as it reads it. */
  prctl(PR_SET_PDEATHSIG, 0);
  if (sync_send(a->sock, SYNC_READY, 0, NULL, &err) < 0)
    _exit(1);
  close(a->sock);
  ret = wait_for_start(o->fifo_fd, &err);
  if (ret == 0)
    ret = o->container_hooks(o->data, "startContainer", ctx.state_json, &err);
  if (ret == 0)
    ret = process_exec(&ctx, &err);
  fprintf(stderr, "minirt: %s\n", err.msg ? err.msg : "init failed");
  _exit(ctx.exit_code > 0 ? ctx.exit_code : 1);
}

static int join_pid_ns(struct ns_plan *plan, int *saved,
                       struct minirt_error *err) {
  *saved = -1;
  if (plan->path_fd[OCI_NS_PID] < 0)
    return 0;
  *saved = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
  if (*saved < 0)
    return minirt_fail(err, errno, "open `/proc/self/ns/pid`");
  if (setns(plan->path_fd[OCI_NS_PID], CLONE_NEWPID) < 0)
    return minirt_fail(err, errno, "join pid namespace");
  return 0;
}

static int parent_loop(const struct container_spawn_opts *o, pid_t pid,
                       int sock, struct container_spawned *out,
                       struct minirt_error *err) {
  _cleanup_free_ char *state = NULL;
  for (;;) {
    struct sync_msg m;
    int ret = sync_recv(sock, &m, err);
    if (ret == -EPIPE)
      return minirt_fail_msg(err, EPIPE, "container init exited during setup");
    if (ret < 0)
      return ret;
    switch (m.type) {
    case SYNC_HOOKS:
      free(state);
      state = NULL;
      ret = o->runtime_hooks(o->data, pid, &state, err);
      if (ret < 0)
        return ret;
      ret = sync_send(sock, SYNC_HOOKS_DONE, 0, state, err);
      if (ret < 0)
        return ret;
      break;
    case SYNC_SECCOMP:
      if (state == NULL)
        return minirt_fail_msg(err, EPROTO, "seccomp notify fd before the state");
      ret = sync_forward_notify_fd(sock, o->cfg->linux_, state, pid, err);
      if (ret < 0)
        return ret;
      break;
    case SYNC_PTY:
      ret = fdpass_recv(sock, &out->pty_master, err);
      if (ret < 0)
        return ret;
      break;
    case SYNC_READY:
      return 0;
    case SYNC_ERROR:
      out->exit_code = m.exit_code > 0 ? m.exit_code : 1;
      return minirt_fail_msg(err, m.errnum > 0 ? m.errnum : EIO, "%s",
                             m.payload);
    default:
      return minirt_fail_msg(err, EPROTO, "unexpected message %u", m.type);
    }
  }
}

int container_spawn(const struct container_spawn_opts *o,
                    struct container_spawned *out, struct minirt_error *err) {
  out->pid = -1;
  out->pty_master = -1;
  out->exit_code = 1;
  struct ns_plan plan;
  int ret = ns_plan_make(o->cfg, &plan, err);
  if (ret < 0)
    return ret;
  /* Not dumpable from here on: the init (a copy of us) enters the
   * container's namespaces, where its /proc/PID/exe must not be reachable
   * (CVE-2019-5736). execve() of the user program resets this. Rootless,
   * /proc/PID/uid_map of a non-dumpable init belongs to the host's root, so
   * neither we nor newuidmap could write it: the init stays dumpable until
   * GO, while it still waits outside the container, and drops it then. */
  bool late = geteuid() != 0 && (plan.new_flags & CLONE_NEWUSER);
  if (!late && prctl(PR_SET_DUMPABLE, 0) < 0) {
    ns_plan_release(&plan);
    return minirt_fail(err, errno, "prctl PR_SET_DUMPABLE");
  }
  bool shares_mntns = !plan.wanted[OCI_NS_MOUNT];
  int sv[2];
  ret = sync_pair(sv, err);
  if (ret < 0) {
    ns_plan_release(&plan);
    return ret;
  }
  _cleanup_close_ int parent_sock = sv[0];
  _cleanup_close_ int saved_pidns = -1;
  ret = join_pid_ns(&plan, &saved_pidns, err);
  if (ret < 0) {
    close(sv[1]);
    ns_plan_release(&plan);
    return ret;
  }
  struct cgroup_join cg;
  ret = cgroup_join_open(o->cgroup_path, &cg, err);
  if (ret < 0) {
    close(sv[1]);
    if (saved_pidns >= 0)
      setns(saved_pidns, CLONE_NEWPID);
    ns_plan_release(&plan);
    return ret;
  }
  struct init_args a = {.o = o, .plan = &plan, .cg = &cg, .sock = sv[1],
                        .parent = getpid()};
  /* The cgroup namespace is made by the init once it is in its cgroup. */
  pid_t pid = cgroup_join_clone(
      &cg, (uint64_t)(unsigned)(plan.new_flags & ~CLONE_NEWCGROUP));
  if (pid == 0) {
    close(sv[0]);
    init_main(&a);
  }
  int clone_errno = errno;
  cgroup_join_close(&cg);
  close(sv[1]);
  if (saved_pidns >= 0)
    setns(saved_pidns, CLONE_NEWPID);
  ns_plan_release(&plan);
  if (pid < 0)
    return minirt_fail(err, clone_errno, "clone the container init");
  if (o->cgroup_place != NULL)
    ret = o->cgroup_place(o->data, pid, err);
  if (ret == 0 && plan.wanted[OCI_NS_USER] && plan.new_flags & CLONE_NEWUSER)
    ret = userns_write_maps(pid, o->cfg, err);
  if (ret == 0 && late && prctl(PR_SET_DUMPABLE, 0) < 0)
    ret = minirt_fail(err, errno, "prctl PR_SET_DUMPABLE");
  if (ret == 0)
    ret = sync_send(parent_sock, SYNC_GO, 0, NULL, err);
  if (ret == 0)
    ret = parent_loop(o, pid, parent_sock, out, err);
  if (ret < 0) {
    supervise_abort_child(pid, &out->pty_master);
    struct minirt_error e = {0};
    if (shares_mntns &&
        rootfs_host_cleanup(o->rootfs, o->host_mount_base, &e) < 0)
      fprintf(stderr, "minirt: warning: %s\n", e.msg);
    minirt_error_clear(&e);
    return ret;
  }
  out->pid = pid;
  return 0;
}
