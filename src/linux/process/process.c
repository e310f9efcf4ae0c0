/* The container process: applies a resolved oci_process in the order of
 * docs "exec semantics" and execve()s it. */
#include "linux/process/process.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process/capabilities.h"
#include "linux/process/seccomp.h"
#include "util/cleanup.h"

static const struct oci_seccomp *ctx_seccomp(const struct process_ctx *ctx) {
  return ctx->linux_ != NULL ? ctx->linux_->seccomp : NULL;
}

/* A compiled program may come without its profile: exec takes it from the
 * cache and leaves linux.seccomp unparsed. */
static bool ctx_has_seccomp(const struct process_ctx *ctx) {
  return (ctx->seccomp != NULL && ctx->seccomp->insns != NULL) ||
         ctx_seccomp(ctx) != NULL;
}

/* CVE-2024-21626: a cwd reached through a leaked host fd (for instance
 * /proc/self/fd/N) lies outside the container's root. getcwd() then reports
 * "(unreachable)" (or fails), and the same path opened from "/" is another
 * directory. */
static int verify_cwd(const char *cwd, struct minirt_error *err) {
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof(buf)) == NULL || buf[0] != '/')
    return minirt_fail_msg(err, EPERM,
                           "process.cwd `%s` is outside the container", cwd);
  struct stat here, there;
  if (stat(".", &here) < 0)
    return minirt_fail(err, errno, "stat process.cwd `%s`", cwd);
  _cleanup_close_ int fd = open(buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &there) < 0 || here.st_dev != there.st_dev ||
      here.st_ino != there.st_ino)
    return minirt_fail_msg(err, EPERM,
                           "process.cwd `%s` is outside the container", cwd);
  return 0;
}

/* Returns 1 when the directory is not reachable by the current user yet
 * (the caller retries after the identity switch, like runc). */
static int change_dir(const char *cwd, bool may_defer,
                      struct minirt_error *err) {
  if (chdir(cwd) < 0) {
    if (may_defer && errno == EACCES)
      return 1;
    return minirt_fail(err, errno, "chdir to process.cwd `%s`", cwd);
  }
  /* "/" is the root itself, by definition inside; only a path that can
   * pass through a leaked fd or a symlink needs the check. */
  if (strcmp(cwd, "/") == 0)
    return 0;
  return verify_cwd(cwd, err);
}

static int setgroups_allowed(void) {
  char buf[16] = {0};
  _cleanup_close_ int fd = process_open_proc_file("self/setgroups", O_RDONLY,
                                                  NULL);
  /* Without the file (kernels < 3.19) setgroups is always allowed. */
  if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
    return 1;
  return strncmp(buf, "deny", 4) != 0;
}

static int set_identity(const struct oci_user *u, struct minirt_error *err) {
  /* Exactly additionalGids, as runc: the primary gid is the gid. The call
   * is tried first: only its EPERM sends us to /proc/self/setgroups, to
   * tell a user namespace that denies it (then nothing to set is fine) from
   * a real failure. */
  int sg = setgroups(u->n_additional_gids, (const gid_t *)u->additional_gids);
  int sg_errno = errno;
  if (sg < 0 && (sg_errno != EPERM || setgroups_allowed())) {
    errno = sg_errno;
    return minirt_fail(err, errno, "setgroups process.user.additionalGids");
  } else if (sg < 0 && u->n_additional_gids > 0) {
    return minirt_fail_msg(err, EPERM,
                           "process.user.additionalGids: setgroups is denied "
                           "in this user namespace");
  }
  if (setresgid(u->gid, u->gid, u->gid) < 0)
    return minirt_fail(err, errno, "setresgid to gid %u", u->gid);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return minirt_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  if (setresuid(u->uid, u->uid, u->uid) < 0)
    return minirt_fail(err, errno, "setresuid to uid %u", u->uid);
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return minirt_fail(err, errno, "prctl PR_SET_KEEPCAPS");
  return 0;
}

static int load_seccomp(struct process_ctx *ctx, struct minirt_error *err) {
  const struct oci_seccomp *s = ctx_seccomp(ctx);
  if (ctx->seccomp != NULL && ctx->seccomp->insns != NULL)
    return seccomp_load_bpf(ctx->seccomp->insns, ctx->seccomp->n,
                            ctx->seccomp->flags, err);
  /* The agent gets the notify fd from the runtime, which knows our host
   * pid and the state and is still on the host to reach listenerPath. */
  return seccomp_build_and_load(s, &ctx->notify_fd, err);
}

/* A filter with SCMP_ACT_NOTIFY and nobody listening would block the
 * process forever at its first notified syscall: refuse it up front. */
static int check_seccomp_listener(const struct process_ctx *ctx,
                                  struct minirt_error *err) {
  const struct oci_seccomp *s = ctx_seccomp(ctx);
  if (!seccomp_uses_notify(s))
    return 0;
  if (s->listener_path == NULL || *s->listener_path == '\0')
    return minirt_fail_msg(err, EINVAL,
                           "linux.seccomp: SCMP_ACT_NOTIFY requires "
                           "linux.seccomp.listenerPath");
  return 0;
}

static int apply_attrs(const struct process_ctx *ctx,
                       struct minirt_error *err) {
  const struct oci_process *p = ctx->process;
  int ret;
  if ((ret = process_apply_rlimits(p, err)) < 0 ||
      (ret = process_apply_sched(p, err)) < 0 ||
      (ret = process_apply_personality(ctx->linux_, err)) < 0 ||
      (ret = process_apply_mempolicy(ctx->linux_, err)) < 0 ||
      (ret = process_apply_lsm(p, err)) < 0)
    return ret;
  return 0;
}

/* The identity switch keeps the permitted set (PR_SET_KEEPCAPS) and raises
 * it again, so that a seccomp filter can still be loaded with CAP_SYS_ADMIN
 * after it; capabilities_apply() then sets the final sets. */
static int switch_identity(struct process_ctx *ctx, const char *cwd,
                           bool cwd_pending, struct minirt_error *err) {
  const struct oci_process *p = ctx->process;
  int ret;
  if ((ret = capabilities_apply_bounding(p->capabilities, err)) < 0 ||
      (ret = set_identity(&p->user, err)) < 0 ||
      (ret = capabilities_raise_effective(err)) < 0)
    return ret;
  if (cwd_pending && (ret = change_dir(cwd, false, err)) < 0)
    return ret;
  if (!p->no_new_privileges && ctx_has_seccomp(ctx) &&
      (ret = load_seccomp(ctx, err)) < 0)
    return ret;
  return capabilities_apply(p->capabilities, err);
}

int process_prepare(struct process_ctx *ctx, struct minirt_error *err) {
  const struct oci_process *p = ctx->process;
  const char *cwd = p->cwd != NULL && *p->cwd ? p->cwd : "/";
  int ret;
  ctx->exit_code = 1;
  ctx->notify_fd = -1;
  if (p->args.n == 0)
    return minirt_fail_msg(err, EINVAL, "process.args: empty command");
  if ((ret = check_seccomp_listener(ctx, err)) < 0 ||
      (ret = apply_attrs(ctx, err)) < 0)
    return ret;
  int deferred = change_dir(cwd, true, err);
  if (deferred < 0)
    return deferred;
  if ((ret = switch_identity(ctx, cwd, deferred == 1, err)) < 0)
    return ret;
  free(ctx->exe_path);
  ctx->exe_path = NULL;
  ret = process_find_executable(p->args.v[0],
                                process_env_get(&p->env, "PATH"),
                                &ctx->exe_path, &ctx->exit_code, err);
  if (ret < 0)
    return ret;
  if (p->user.has_umask)
    umask((mode_t)p->user.umask);
  if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return minirt_fail(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  /* A notify filter is loaded while the channel to the runtime is still
   * open (the init closes it at READY), since its fd goes to the agent
   * through the runtime; runc does the same. */
  if (p->no_new_privileges && seccomp_uses_notify(ctx_seccomp(ctx)) &&
      (ret = load_seccomp(ctx, err)) < 0)
    return ret;
  return 0;
}

/* Marks every fd from `first` on close-on-exec; close_range needs Linux
 * 5.11, older kernels get the /proc/self/fd walk. */
static int cloexec_from(int first, struct minirt_error *err) {
  if (close_range((unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  int dfd = process_open_proc_file("self/fd", O_RDONLY | O_DIRECTORY, err);
  if (dfd < 0)
    return dfd;
  DIR *d = fdopendir(dfd);
  if (d == NULL) {
    close(dfd);
    return minirt_fail(err, errno, "opendir `/proc/self/fd`");
  }
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    int fd = atoi(de->d_name);
    if (de->d_name[0] == '.' || fd < first || fd == dirfd(d))
      continue;
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && !(fl & FD_CLOEXEC))
      fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
  }
  closedir(d);
  return 0;
}

/* fds 3..3+preserve_fds-1 pass as they are. What the caller handed us
 * survived its execve, so is not close-on-exec; every fd of ours is. A gap
 * in that range (the caller passed fewer fds than it said) may since hold
 * one of ours, such as the state directory: it keeps its flag and closes at
 * execve instead of giving the container a door to the host. */
static int prepare_fds(int preserve_fds, struct minirt_error *err) {
  return cloexec_from(3 + preserve_fds, err);
}

int process_exec(struct process_ctx *ctx, struct minirt_error *err) {
  const struct oci_process *p = ctx->process;
  int ret;
  ctx->exit_code = 1;
  if (p->exec_cpu_affinity != NULL && p->exec_cpu_affinity->final != NULL &&
      (ret = process_set_affinity(p->exec_cpu_affinity->final,
                                  "process.execCPUAffinity.final", err)) < 0)
    return ret;
  if ((ret = prepare_fds(ctx->preserve_fds, err)) < 0)
    return ret;
  /* With no_new_privs the filter needs no privilege, so it goes last: it
   * then constrains the container process and nothing of ours. */
  if (p->no_new_privileges && ctx_has_seccomp(ctx) &&
      !seccomp_uses_notify(ctx_seccomp(ctx)) &&
      (ret = load_seccomp(ctx, err)) < 0)
    return ret;
  const char *exe = ctx->exe_path != NULL ? ctx->exe_path : p->args.v[0];
  static char *const empty_env[] = {NULL};
  execve(exe, p->args.v, p->env.v != NULL ? p->env.v : empty_env);
  int e = errno;
  ctx->exit_code = (e == ENOENT || e == ENOTDIR) ? 127 : 126;
  return minirt_fail(err, e, "exec `%s`", p->args.v[0]);
}

void process_ctx_release(struct process_ctx *ctx) {
  free(ctx->exe_path);
  ctx->exe_path = NULL;
}
