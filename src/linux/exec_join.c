#include "linux/exec_join.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/cgroup/cgroup.h"
#include "linux/console.h"
#include "linux/exec_ns.h"
#include "linux/namespaces.h"
#include "linux/process/process.h"
#include "linux/procinfo.h"
#include "linux/supervise.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"

static int derive_home(const struct exec_join_opts *o,
                       struct minirt_error *err) {
  if (o->derive_home == NULL)
    return 0;
  /* A container without a usable /etc/passwd still gets HOME=/. */
  _cleanup_free_ char *passwd = passwd_read_container();
  return o->derive_home(o->process, passwd, err);
}

static int child_setup(const struct exec_join_opts *o, struct exec_ns *ns,
                       int root_fd, struct cgroup_join *cg, int sock,
                       struct process_ctx *ctx, struct minirt_error *err) {
  int ret = cgroup_join_self(cg, err);
  cgroup_join_close(cg);
  if (ret < 0)
    return ret;
  ret = exec_ns_join(ns, err);
  if (ret < 0)
    return ret;
  /* Not joining a mount namespace (the container shares ours): the init's
   * root is a chroot, so is ours. */
  if (root_fd >= 0 && (fchdir(root_fd) < 0 || chroot(".") < 0))
    return minirt_fail(err, errno, "chroot to the container's root");
  if (root_fd >= 0)
    close(root_fd);
  if (chdir("/") < 0)
    return minirt_fail(err, errno, "chdir `/`");
  ret = derive_home(o, err);
  if (ret < 0)
    return ret;
  if (o->want_pty) {
    ret = console_setup_child(sock, o->process, false, err);
    if (ret < 0)
      return ret;
  }
  ret = process_prepare(ctx, err);
  if (ret == 0)
    ret = sync_hand_notify_fd(sock, &ctx->notify_fd, err);
  return ret;
}

static __attribute__((noreturn)) void
child_main(const struct exec_join_opts *o, struct exec_ns *ns, int root_fd,
           struct cgroup_join *cg, int sock) {
  struct minirt_error err = {0};
  struct process_ctx ctx = {.process = o->process,
                            .linux_ = o->cfg->linux_,
                            .preserve_fds = o->preserve_fds,
                            .state_json = o->state_json,
                            .seccomp = o->seccomp,
                            .exit_code = 1};
  supervise_child_start();
  int ret = child_setup(o, ns, root_fd, cg, sock, &ctx, &err);
  /* The death signal would survive execve and kill a detached process
   * when the runtime exits. */
  if (ret == 0)
    prctl(PR_SET_PDEATHSIG, 0);
  if (ret == 0)
    ret = process_exec(&ctx, &err);
  sync_send_error(sock, &err, ctx.exit_code > 0 ? ctx.exit_code : 1);
  _exit(ctx.exit_code > 0 ? ctx.exit_code : 1);
}

/* Rootless exec into a container with its own pid namespace: we
 * may join its pid namespace only from inside its user namespace, and once
 * there we could not come back. So a middle child joins both and forks the
 * exec process, reports its pid and exits; the process, reparented to us
 * (we are its subreaper), waits for GO so that its death signal is tied to
 * us rather than to the middle child. */
static __attribute__((noreturn)) void
middle_main(const struct exec_join_opts *o, struct exec_ns *ns, int root_fd,
            struct cgroup_join *cg, int sock) {
  struct minirt_error err = {0};
  supervise_child_start();
  int ret = cgroup_join_self(cg, &err);
  cgroup_join_close(cg);
  static const enum oci_ns_type first[] = {OCI_NS_USER, OCI_NS_PID};
  for (size_t i = 0; ret == 0 && i < 2; i++) {
    enum oci_ns_type t = first[i];
    if (ns->fds[t] < 0)
      continue; /* already ours (root of our user namespace) */
    if (setns(ns->fds[t], ns_clone_flag(t)) < 0)
      ret = minirt_fail(&err, errno, "join the container's %s namespace",
                        ns_proc_name(t));
    close(ns->fds[t]);
    ns->fds[t] = -1;
  }
  pid_t pid = ret == 0 ? fork() : -1;
  if (ret == 0 && pid < 0)
    ret = minirt_fail(&err, errno, "fork into the container's pid namespace");
  if (pid == 0) {
    struct sync_msg m;
    struct cgroup_join none;
    cgroup_join_init(&none);
    if (sync_expect(sock, SYNC_GO, &m, NULL, &err) < 0)
      _exit(1);
    child_main(o, ns, root_fd, &none, sock);
  }
  if (ret == 0 && sync_send(sock, SYNC_PID, pid, NULL, &err) == 0)
    _exit(0);
  sync_send_error(sock, &err, 1);
  _exit(1);
}

/* What the child of spawn_sharing_memory() works on: its own copies of the
 * fd numbers, since what it closes and clears must not be what the parent
 * closes afterwards. */
struct shared_child {
  const struct exec_join_opts *o;
  struct exec_ns ns;
  int root_fd;
  struct cgroup_join cg;
  int sock, parent_sock;
};

static int shared_child_main(void *p) {
  struct shared_child *c = p;
  close(c->parent_sock);
  child_main(c->o, &c->ns, c->root_fd, &c->cg, c->sock);
}

/* The exec child as posix_spawn makes one: sharing our memory, on a stack
 * of its own, while we wait until it has called execve or exited
 * (CLONE_VFORK). A fork would copy our page tables and make both of us pay
 * copy-on-write faults for every page either writes before the execve;
 * podman-like exec spent ~0.2 ms of its 3 there. Only where the child may
 * run so: it must not need an answer from us before execve (a notify
 * listener's fd does), nor join a user or time namespace (the kernel wants
 * a process with an mm of its own for those). Under AddressSanitizer, whose
 * bookkeeping of the thread's stack this would confuse, we always fork. */
static bool may_share_memory(const struct exec_join_opts *o,
                             const struct exec_ns *ns, bool via_middle) {
#if defined(__SANITIZE_ADDRESS__)
  (void)o, (void)ns, (void)via_middle;
  return false;
#else
  return !via_middle && ns->fds[OCI_NS_USER] < 0 && ns->fds[OCI_NS_TIME] < 0 &&
         !process_seccomp_uses_notify(o->cfg->linux_);
#endif
}

#define SHARED_CHILD_STACK (1024 * 1024)

static pid_t spawn_sharing_memory(struct shared_child *c) {
  /* Untouched pages cost nothing; the child uses a few dozen KiB. */
  void *stack =
      mmap(NULL, SHARED_CHILD_STACK, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  pid_t pid = cgroup_join_clone_vm(&c->cg, shared_child_main, c, stack,
                                   SHARED_CHILD_STACK);
  int e = errno;
  munmap(stack, SHARED_CHILD_STACK);
  errno = e;
  return pid;
}

/* After middle_main: reaps it, takes the exec process's pid and lets it go. */
static int adopt_exec_process(pid_t middle, int sock, pid_t *pid,
                              struct exec_joined *out,
                              struct minirt_error *err) {
  while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
    ;
  struct sync_msg m;
  int ret = sync_expect(sock, SYNC_PID, &m, &out->exit_code, err);
  if (ret < 0)
    return ret;
  *pid = m.pid;
  return sync_send(sock, SYNC_GO, 0, NULL, err);
}

static int wait_exec(const struct exec_join_opts *o, pid_t pid, int sock,
                     struct exec_joined *out, struct minirt_error *err) {
  for (;;) {
    struct sync_msg m;
    int ret = sync_recv(sock, &m, err);
    if (ret == -EPIPE)
      return 0; /* close-on-exec fired: the program runs */
    if (ret < 0)
      return ret;
    if (m.type == SYNC_PTY) {
      ret = fdpass_recv(sock, &out->pty_master, err);
      if (ret < 0)
        return ret;
      continue;
    }
    if (m.type == SYNC_SECCOMP) {
      ret = sync_forward_notify_fd(sock, o->cfg->linux_, o->state_json, pid,
                                   err);
      if (ret < 0)
        return ret;
      continue;
    }
    if (m.type == SYNC_ERROR) {
      out->exit_code = m.exit_code;
      return minirt_fail_msg(err, m.errnum > 0 ? m.errnum : EIO, "%s",
                             m.payload);
    }
    return minirt_fail_msg(err, EPROTO, "unexpected message %u", m.type);
  }
}

int exec_join_spawn(const struct exec_join_opts *o, struct exec_joined *out,
                    struct minirt_error *err) {
  out->pid = -1;
  out->pty_master = -1;
  out->exit_code = 1;
  /* CVE-2019-5736: once our child joins the container's namespaces, a
   * process in there could open /proc/<child>/exe — our binary on the host —
   * and write to it after we exit. A non-dumpable process's /proc files
   * belong to root and need CAP_SYS_PTRACE over us; execve of the container
   * program resets the flag. Set before the first setns so the fork
   * inherits it. */
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return minirt_fail(err, errno, "prctl `PR_SET_DUMPABLE`");
  struct exec_ns ns;
  int ret = exec_ns_open(o->init_pid, o->init_start_time, o->cfg, o->rootless,
                         &ns, err);
  if (ret < 0)
    return ret;
  /* Joining the pid namespace changes only where our children are born;
   * we go back right after the fork so that nothing else we start (e.g.
   * LeakSanitizer's tracer at exit) lands in the container. Rootless, the
   * pid namespace we would come back to belongs to a user namespace above
   * ours, where we have no rights: joining it ourselves would be for
   * good. */
  bool via_middle =
      ns.fds[OCI_NS_PID] >= 0 &&
      ((ns.fds[OCI_NS_USER] >= 0 && geteuid() != 0) || o->rootless);
  if (via_middle && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
    ret = minirt_fail(err, errno, "prctl `PR_SET_CHILD_SUBREAPER`");
  if (ret == 0 && !via_middle)
    ret = exec_ns_join_pid(&ns, err);
  _cleanup_close_ int root_fd = -1;
  if (ret == 0 && !exec_ns_joins_mount(&ns)) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/root", (int)o->init_pid);
    root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
      ret = minirt_fail(err, errno, "open `%s`", path);
    ns.by_path = true;
  }
  /* Checked after opening: if the init had died and its pid been reused
   * before, the fds could be another process's namespaces. */
  if (ret == 0 && ns.by_path &&
      !proc_is_same_alive(o->init_pid, o->init_start_time))
    ret = minirt_fail_msg(err, ESRCH, "the container's init %d is gone",
                          (int)o->init_pid);
  struct cgroup_join cg;
  cgroup_join_init(&cg);
  if (ret == 0)
    ret = cgroup_join_open(o->cgroup_path, &cg, err);
  int sv[2] = {-1, -1};
  if (ret == 0)
    ret = sync_pair(sv, err);
  if (ret < 0) {
    cgroup_join_close(&cg);
    exec_ns_close(&ns, true);
    return ret;
  }
  pid_t pid;
  if (may_share_memory(o, &ns, via_middle)) {
    struct shared_child c = {.o = o,
                             .ns = ns,
                             .root_fd = root_fd,
                             .cg = cg,
                             .sock = sv[1],
                             .parent_sock = sv[0]};
    pid = spawn_sharing_memory(&c);
  } else {
    pid = cgroup_join_clone(&cg, 0);
    if (pid == 0) {
      close(sv[0]);
      if (via_middle)
        middle_main(o, &ns, root_fd, &cg, sv[1]);
      child_main(o, &ns, root_fd, &cg, sv[1]);
    }
  }
  int fork_errno = errno;
  cgroup_join_close(&cg);
  if (!exec_ns_close(&ns, true) && pid > 0)
    fprintf(stderr, "minirt: warning: cannot return to our pid namespace\n");
  close(sv[1]);
  _cleanup_close_ int sock = sv[0];
  if (pid < 0)
    return minirt_fail(err, fork_errno, "fork");
  if (via_middle) {
    pid_t middle = pid;
    pid = -1;
    ret = adopt_exec_process(middle, sock, &pid, out, err);
    if (ret < 0) {
      if (pid > 0)
        supervise_abort_child(pid, &out->pty_master);
      return ret;
    }
  }
  ret = wait_exec(o, pid, sock, out, err);
  if (ret < 0) {
    supervise_abort_child(pid, &out->pty_master);
    return ret;
  }
  out->pid = pid;
  return 0;
}
