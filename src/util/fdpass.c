/* Passing an fd over a unix socket (SCM_RIGHTS): the pty master to the
 * console socket or the runtime, the seccomp listener to its agent. */
#include "util/fdpass.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/fs.h"

int fdpass_send(int sock, int fd, const char *tag, struct minirt_error *err) {
  const char *data = tag != NULL && *tag ? tag : "fd";
  struct iovec iov = {(void *)data, strlen(data)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof(u));
  struct msghdr msg = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  ssize_t n;
  do
    n = sendmsg(sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return minirt_fail(err, errno, "send fd with `%.32s`", data);
  /* A stream socket may take the rest of a long payload in more writes. */
  if ((size_t)n < iov.iov_len &&
      write_all(sock, data + n, iov.iov_len - (size_t)n) < 0)
    return minirt_fail(err, errno, "send `%.32s`", data);
  return 0;
}

int fdpass_recv(int sock, int *fd, struct minirt_error *err) {
  char data[PATH_MAX];
  struct iovec iov = {data, sizeof(data)};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = u.buf,
                       .msg_controllen = sizeof(u.buf)};
  ssize_t n;
  do
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return minirt_fail(err, errno, "receive fd");
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (n == 0 || cm == NULL || cm->cmsg_level != SOL_SOCKET ||
      cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int))) {
    /* A bigger control message may have brought several fds: close them. */
    for (; cm != NULL; cm = CMSG_NXTHDR(&msg, cm))
      if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
        for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
             i++) {
          int extra;
          memcpy(&extra, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
          close(extra);
        }
    return minirt_fail_msg(err, EBADMSG, "receive fd: no fd in the message");
  }
  memcpy(fd, CMSG_DATA(cm), sizeof(int));
  return 0;
}
