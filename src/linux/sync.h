/* The one channel between the runtime and a process it is turning into a
 * container process: a SOCK_SEQPACKET socketpair, CLOEXEC on both ends, so
 * a successful execve shows up as EOF and every error before it reaches the
 * runtime with its message. */
#ifndef MINIRT_LINUX_SYNC_H
#define MINIRT_LINUX_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"
#include "util/error.h"

enum sync_type {
  SYNC_GO = 1,      /* runtime -> child: maps written, cgroup joined */
  SYNC_HOOKS,       /* child -> runtime: run prestart/createRuntime now */
  SYNC_HOOKS_DONE,  /* runtime -> child: payload is the state JSON */
  SYNC_PTY,         /* child -> runtime: pty master follows (SCM_RIGHTS) */
  SYNC_READY,       /* child -> runtime: waiting for start */
  SYNC_PID,         /* child -> runtime: a pid (exec) */
  SYNC_SECCOMP,     /* child -> runtime: seccomp notify fd follows */
  SYNC_SECCOMP_DONE, /* runtime -> child: it went to listenerPath */
  SYNC_ERROR,       /* either way: errnum, exit code and message */
};

#define SYNC_PAYLOAD_MAX 8000

struct sync_msg {
  uint32_t type;
  int32_t errnum;
  int32_t exit_code;
  int32_t pid;
  uint32_t len;
  char payload[SYNC_PAYLOAD_MAX];
};

int sync_pair(int fds[2], struct minirt_error *err);
int sync_send(int fd, enum sync_type type, int32_t pid, const char *payload,
              struct minirt_error *err);
/* Reports err (and the exit code the runtime should use) to the peer. */
void sync_send_error(int fd, const struct minirt_error *e, int exit_code);
/* Receives one message; EOF gives -EPIPE. */
int sync_recv(int fd, struct sync_msg *m, struct minirt_error *err);
/* Receives one message and requires `type`; a SYNC_ERROR becomes *err with
 * the peer's message, and *exit_code (if not NULL) its exit code. */
int sync_expect(int fd, enum sync_type type, struct sync_msg *m,
                int *exit_code, struct minirt_error *err);

/* In the child: hands the seccomp notify fd *fd (if >= 0) to the runtime,
 * closes it and waits until the runtime has passed it on. */
int sync_hand_notify_fd(int sock, int *fd, struct minirt_error *err);
/* In the runtime, after SYNC_SECCOMP: receives that fd and sends it on,
 * from the host where listenerPath is, with the process's host pid and the
 * container state (process_seccomp_notify_send), then SYNC_SECCOMP_DONE. */
int sync_forward_notify_fd(int sock, const struct oci_linux *lx,
                           const char *state_json, pid_t pid,
                           struct minirt_error *err);

#endif
