/* A seccomp notify agent for the tests: listens on a unix socket (what
 * linux.seccomp.listenerPath names), takes each runtime's notify fd with
 * its containerProcessState message, writes that message to PREFIX.N (N:
 * 0, 1, ... per connection) and answers every notified syscall with
 * EPERM, so that a test sees the agent at work (a mkdir that root could
 * do fails). Exits after SIGTERM, or once every notify fd it got is hung
 * up and it has served MAX connections.
 *
 *   seccomp-agent SOCKET PREFIX MAX
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 16

static int recv_fd(int conn, char *buf, size_t size, ssize_t *len) {
  struct iovec iov = {buf, size - 1};
  union {
    char b[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.b, .msg_controllen = sizeof(u.b)};
  *len = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
  if (*len <= 0 || cm == NULL || cm->cmsg_type != SCM_RIGHTS)
    return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  /* The message may be longer than one read. */
  ssize_t n;
  while ((size_t)*len < size - 1 &&
         (n = read(conn, buf + *len, size - 1 - (size_t)*len)) > 0)
    *len += n;
  buf[*len] = '\0';
  return fd;
}

static void answer(int nfd) {
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  memset(&req, 0, sizeof req);
  if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    return;
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -EPERM;
  resp.val = 0;
  ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: seccomp-agent SOCKET PREFIX MAX\n");
    return 2;
  }
  int max = atoi(argv[3]), served = 0;
  int lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
  if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof sa) < 0 ||
      listen(lsock, 4) < 0) {
    perror("seccomp-agent: listen");
    return 1;
  }
  struct pollfd p[MAX_FDS + 1];
  int n = 0;
  for (;;) {
    p[0] = (struct pollfd){.fd = served < max ? lsock : -1, .events = POLLIN};
    if (served >= max && n == 0)
      break;
    if (poll(p, (nfds_t)n + 1, -1) < 0) {
      if (errno == EINTR)
        continue;
      perror("seccomp-agent: poll");
      return 1;
    }
    if (p[0].revents & POLLIN) {
      int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
      char buf[65536];
      ssize_t len = 0;
      int fd = conn >= 0 ? recv_fd(conn, buf, sizeof buf, &len) : -1;
      if (conn >= 0)
        close(conn);
      if (fd >= 0 && n < MAX_FDS) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%d", argv[2], served);
        FILE *f = fopen(path, "w");
        if (f != NULL) {
          fwrite(buf, 1, (size_t)len, f);
          fclose(f);
        }
        p[++n] = (struct pollfd){.fd = fd, .events = POLLIN};
      }
      served++;
    }
    for (int i = 1; i <= n; i++) {
      if (p[i].revents & POLLIN)
        answer(p[i].fd);
      if (p[i].revents & (POLLHUP | POLLERR | POLLNVAL)) {
        close(p[i].fd);
        p[i] = p[n--];
        i--;
      }
    }
  }
  unlink(argv[1]);
  return 0;
}
