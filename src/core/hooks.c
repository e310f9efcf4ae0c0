#include "core/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Enough of the hook's stderr to explain a failure in the error message. */
#define HOOK_STDERR_MAX 4096

struct hook_run {
  pid_t pid;
  int pidfd;      /* -1 when pidfd_open is unavailable */
  int stdin_fd;   /* write end of the hook's stdin */
  int stderr_fd;  /* read end of the hook's stderr */
  char errbuf[HOOK_STDERR_MAX + 1];
  size_t errlen;
};

static char *const empty_env[] = {NULL};

/* In the child between fork and execve: only async-signal-safe calls. */
static void __attribute__((noreturn))
hook_child(const struct oci_hook *h, int in_rd, int err_wr) {
  if (dup2(in_rd, 0) < 0 || dup2(err_wr, 2) < 0)
    _exit(127);
  /* Belt and braces: nothing of the runtime but these pipes reaches it. */
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);
  signal(SIGPIPE, SIG_DFL);
  char *fallback[] = {h->path, NULL};
  char *const *argv = h->args.n > 0 ? h->args.v : fallback;
  execve(h->path, argv, h->env.v != NULL ? h->env.v : empty_env);
  /* The parent reads this line back as the reason. */
  const char msg[] = "exec failed: ";
  const char *es = strerror(errno);
  if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, es, strlen(es)) < 0)
    _exit(127);
  _exit(127);
}

static int hook_start(const struct oci_hook *h, struct hook_run *r,
                      struct minirt_error *err) {
  int in[2], er[2];
  if (pipe2(in, O_CLOEXEC) < 0)
    return minirt_fail(err, errno, "pipe");
  if (pipe2(er, O_CLOEXEC) < 0) {
    close(in[0]);
    close(in[1]);
    return minirt_fail(err, errno, "pipe");
  }
  r->pid = fork();
  if (r->pid == 0)
    hook_child(h, in[0], er[1]);
  int e = errno;
  close(in[0]);
  close(er[1]);
  r->stdin_fd = in[1];
  r->stderr_fd = er[0];
  if (r->pid < 0) {
    close(in[1]);
    close(er[0]);
    r->stdin_fd = r->stderr_fd = -1;
    return minirt_fail(err, e, "fork");
  }
  r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
  fcntl(r->stderr_fd, F_SETFL, O_NONBLOCK);
  return 0;
}

/* The hook may exit without reading its stdin: a write error is not its
 * failure, its exit status says how it went. SIGPIPE is ignored around the
 * write so it cannot kill the runtime. */
static void hook_feed(struct hook_run *r, const char *state_json) {
  struct sigaction ign = {.sa_handler = SIG_IGN}, old;
  sigaction(SIGPIPE, &ign, &old);
  if (state_json != NULL)
    write_all(r->stdin_fd, state_json, strlen(state_json));
  sigaction(SIGPIPE, &old, NULL);
  close(r->stdin_fd);
  r->stdin_fd = -1;
}

static void drain_stderr(struct hook_run *r) {
  for (;;) {
    char tmp[1024]; /* smaller than errbuf */
    ssize_t n = read(r->stderr_fd, tmp, sizeof(tmp));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    /* Keep the tail: the last lines say why it failed. */
    if (r->errlen + (size_t)n > HOOK_STDERR_MAX) {
      size_t drop = r->errlen + (size_t)n - HOOK_STDERR_MAX;
      memmove(r->errbuf, r->errbuf + drop, r->errlen - drop);
      r->errlen -= drop;
    }
    memcpy(r->errbuf + r->errlen, tmp, (size_t)n);
    r->errlen += (size_t)n;
  }
}

static long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Waits for the hook, collecting its stderr. Returns 1 on timeout (the
 * hook is then killed and reaped), 0 when *status is set. */
static int hook_wait(struct hook_run *r, int timeout_s, int *status) {
  long deadline = timeout_s > 0 ? now_ms() + timeout_s * 1000L : -1;
  bool err_open = true;
  for (;;) {
    pid_t w = waitpid(r->pid, status, WNOHANG);
    if (w == r->pid) {
      drain_stderr(r);
      return 0;
    }
    long left = deadline < 0 ? -1 : deadline - now_ms();
    if (deadline >= 0 && left <= 0) {
      kill(r->pid, SIGKILL);
      while (waitpid(r->pid, status, 0) < 0 && errno == EINTR)
        ;
      drain_stderr(r);
      return 1;
    }
    /* Without a pidfd nothing wakes us at the exit: look every 50 ms. */
    int wait_ms = (int)left;
    if (r->pidfd < 0 && (left < 0 || left > 50))
      wait_ms = 50;
    struct pollfd fds[2] = {
        {.fd = err_open ? r->stderr_fd : -1, .events = POLLIN},
        {.fd = r->pidfd, .events = POLLIN}};
    if (poll(fds, 2, wait_ms) > 0 && fds[0].revents != 0) {
      drain_stderr(r);
      if (!(fds[0].revents & POLLIN))
        err_open = false;
    }
  }
}

/* The last non-empty line of what the hook wrote to stderr. */
static const char *last_line(struct hook_run *r) {
  r->errbuf[r->errlen] = '\0';
  while (r->errlen > 0 && (r->errbuf[r->errlen - 1] == '\n' ||
                           r->errbuf[r->errlen - 1] == '\r'))
    r->errbuf[--r->errlen] = '\0';
  char *nl = strrchr(r->errbuf, '\n');
  const char *line = nl != NULL ? nl + 1 : r->errbuf;
  size_t len = strlen(line);
  return len > 256 ? line + len - 256 : line;
}

static int hook_run_one(const char *kind, size_t i, const struct oci_hook *h,
                        const char *state_json, struct minirt_error *err) {
  struct hook_run r = {.pid = -1, .pidfd = -1, .stdin_fd = -1,
                       .stderr_fd = -1};
  int ret = hook_start(h, &r, err);
  if (ret < 0) {
    minirt_error_prefix(err, "%s hook %zu `%s`: ", kind, i, h->path);
    return ret;
  }
  hook_feed(&r, state_json);
  int status = 0;
  int timed_out = hook_wait(&r, h->has_timeout ? h->timeout : 0, &status);
  close(r.stderr_fd);
  if (r.pidfd >= 0)
    close(r.pidfd);
  const char *why = last_line(&r);
  const char *sep = *why ? ": " : "";
  if (timed_out)
    return minirt_fail_msg(err, ETIMEDOUT, "%s hook %zu `%s`: timed out after "
                                           "%ds%s%s",
                           kind, i, h->path, h->timeout, sep, why);
  if (WIFSIGNALED(status))
    return minirt_fail_msg(err, ECANCELED,
                           "%s hook %zu `%s`: killed by signal %d%s%s", kind,
                           i, h->path, WTERMSIG(status), sep, why);
  if (WEXITSTATUS(status) != 0)
    return minirt_fail_msg(err, ECANCELED,
                           "%s hook %zu `%s`: exited with status %d%s%s",
                           kind, i, h->path, WEXITSTATUS(status), sep, why);
  /* A successful hook's diagnostics still belong to the user. */
  if (r.errlen > 0)
    fprintf(stderr, "%s\n", r.errbuf);
  return 0;
}

int hooks_run(const char *kind, const struct oci_hook_list *hooks,
              const char *state_json, struct minirt_error *err) {
  for (size_t i = 0; hooks != NULL && i < hooks->n; i++) {
    int ret = hook_run_one(kind, i, &hooks->v[i], state_json, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}
