#include "linux/sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linux/process/process.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

int sync_pair(int fds[2], struct minirt_error *err) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return minirt_fail(err, errno, "socketpair");
  return 0;
}

static int send_msg(int fd, const struct sync_msg *m) {
  size_t len = offsetof(struct sync_msg, payload) + m->len;
  for (;;) {
    ssize_t w = send(fd, m, len, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    return w < 0 ? -errno : 0;
  }
}

int sync_send(int fd, enum sync_type type, int32_t pid, const char *payload,
              struct minirt_error *err) {
  struct sync_msg m = {.type = type, .pid = pid};
  if (payload != NULL) {
    size_t n = strlen(payload);
    if (n >= SYNC_PAYLOAD_MAX)
      return minirt_fail_msg(err, E2BIG, "sync message too large");
    memcpy(m.payload, payload, n + 1);
    m.len = (uint32_t)n + 1;
  }
  int ret = send_msg(fd, &m);
  if (ret < 0)
    return minirt_fail(err, -ret, "send to the container process");
  return 0;
}

void sync_send_error(int fd, const struct minirt_error *e, int exit_code) {
  struct sync_msg m = {.type = SYNC_ERROR,
                       .errnum = e != NULL ? e->errnum : EIO,
                       .exit_code = exit_code};
  const char *msg = e != NULL && e->msg != NULL ? e->msg : "unknown error";
  size_t n = strnlen(msg, SYNC_PAYLOAD_MAX - 1);
  memcpy(m.payload, msg, n);
  m.payload[n] = '\0';
  m.len = (uint32_t)n + 1;
  (void)send_msg(fd, &m);
}

int sync_recv(int fd, struct sync_msg *m, struct minirt_error *err) {
  for (;;) {
    ssize_t r = recv(fd, m, sizeof *m, MSG_CMSG_CLOEXEC);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return minirt_fail(err, errno, "receive from the container process");
    if (r == 0)
      return -EPIPE;
    if ((size_t)r < offsetof(struct sync_msg, payload))
      return minirt_fail_msg(err, EPROTO, "short sync message");
    size_t plen = (size_t)r - offsetof(struct sync_msg, payload);
    if (plen >= SYNC_PAYLOAD_MAX)
      plen = SYNC_PAYLOAD_MAX - 1;
    m->payload[plen] = '\0';
    return 0;
  }
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m,
                int *exit_code, struct minirt_error *err) {
  int ret = sync_recv(fd, m, err);
  if (ret == -EPIPE)
    return minirt_fail_msg(err, EPIPE,
                           "the container process exited unexpectedly");
  if (ret < 0)
    return ret;
  if (m->type == SYNC_ERROR) {
    if (exit_code != NULL)
      *exit_code = m->exit_code;
    return minirt_fail_msg(err, m->errnum > 0 ? m->errnum : EIO, "%s",
                           m->payload);
  }
  if (m->type != type)
    return minirt_fail_msg(err, EPROTO, "unexpected sync message %u (want %u)",
                           m->type, (unsigned)type);
  return 0;
}

int sync_hand_notify_fd(int sock, int *fd, struct minirt_error *err) {
  if (*fd < 0)
    return 0;
  int ret = sync_send(sock, SYNC_SECCOMP, 0, NULL, err);
  if (ret == 0)
    ret = fdpass_send(sock, *fd, "seccompFd", err);
  close(*fd);
  *fd = -1;
  struct sync_msg m;
  if (ret == 0)
    ret = sync_expect(sock, SYNC_SECCOMP_DONE, &m, NULL, err);
  return ret;
}

int sync_forward_notify_fd(int sock, const struct oci_linux *lx,
                           const char *state_json, pid_t pid,
                           struct minirt_error *err) {
  _cleanup_close_ int fd = -1;
  int ret = fdpass_recv(sock, &fd, err);
  if (ret == 0)
    ret = process_seccomp_notify_send(lx, state_json, pid, fd, err);
  if (ret == 0)
    ret = sync_send(sock, SYNC_SECCOMP_DONE, 0, NULL, err);
  return ret;
}
