/* recvtty SOCKET [INPUT]: test helper for --console-socket. Listens on the
 * unix socket SOCKET, receives one pty master over SCM_RIGHTS, writes
 * INPUT (if given) to it, then copies everything the container prints to
 * stdout until the pty is closed (EIO once every slave fd is gone). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what) {
  fprintf(stderr, "recvtty: %s: %s\n", what, strerror(errno));
  return 1;
}

static int recv_fd(int conn) {
  char byte, cbuf[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
  if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c == NULL || c->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(fd));
  return fd;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: recvtty SOCKET [INPUT]\n");
    return 2;
  }
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof(sa.sun_path))
    return die("socket path too long");
  strcpy(sa.sun_path, argv[1]);
  int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
      listen(ls, 1) < 0)
    return die("listen");
  int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    return die("accept");
  int master = recv_fd(conn);
  if (master < 0)
    return die("receive the pty master");
  close(conn);
  close(ls);
  unlink(argv[1]);
  fprintf(stderr, "recvtty: got the master\n");
  if (argc > 2 && write(master, argv[2], strlen(argv[2])) < 0)
    return die("write input");
  char buf[4096];
  for (;;) {
    ssize_t n = read(master, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break; /* EIO: the container closed its side */
    if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
      return die("write stdout");
    fflush(stdout);
  }
  return 0;
}
