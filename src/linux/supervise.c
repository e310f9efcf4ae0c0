#include "linux/supervise.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/terminal.h"
#include "util/cleanup.h"

static void forwarded_set(sigset_t *set) {
  sigfillset(set);
  /* Signals that are about the runtime itself, not for the container. */
  sigdelset(set, SIGCHLD);
  sigdelset(set, SIGSEGV);
  sigdelset(set, SIGBUS);
  sigdelset(set, SIGILL);
  sigdelset(set, SIGFPE);
  sigdelset(set, SIGABRT);
  sigdelset(set, SIGWINCH);
  sigdelset(set, SIGTTIN);
  sigdelset(set, SIGTTOU);
  sigdelset(set, SIGPIPE);
}

void supervise_block_signals(void) {
  sigset_t set;
  forwarded_set(&set);
  sigprocmask(SIG_BLOCK, &set, NULL);
}

void supervise_unblock_signals(void) {
  sigset_t set;
  forwarded_set(&set);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void supervise_child_start(void) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void supervise_abort_child(pid_t pid, int *pty_master) {
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  if (*pty_master >= 0)
    close(*pty_master);
  *pty_master = -1;
}

static int decode(int wstatus) {
  if (WIFEXITED(wstatus))
    return WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus))
    return 128 + WTERMSIG(wstatus);
  return 1;
}

int supervise_wait(pid_t pid, int pty_master, int *status,
                   struct minirt_error *err) {
  if (pty_master >= 0) {
    /* The proxy returns when the pty hangs up, i.e. the process is gone
     * (or closed its terminal); then reap. */
    struct minirt_error e = {0};
    terminal_proxy(pty_master, &e);
    minirt_error_clear(&e);
    close(pty_master);
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
      if (errno != EINTR)
        return minirt_fail(err, errno, "wait for %d", (int)pid);
    *status = decode(ws);
    return 0;
  }
  sigset_t set;
  forwarded_set(&set);
  _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    return minirt_fail(err, errno, "signalfd");
  _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0)
    return minirt_fail(err, errno, "pidfd_open %d", (int)pid);
  for (;;) {
    struct pollfd p[2] = {{.fd = pfd, .events = POLLIN},
                          {.fd = sfd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return minirt_fail(err, errno, "poll");
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        syscall(SYS_pidfd_send_signal, pfd, (int)si.ssi_signo, NULL, 0);
    }
    if (p[0].revents & POLLIN) {
      int ws;
      if (waitpid(pid, &ws, 0) < 0)
        return minirt_fail(err, errno, "wait for %d", (int)pid);
      *status = decode(ws);
      return 0;
    }
  }
}
