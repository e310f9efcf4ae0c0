#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"

int terminal_open_pty(int *master, int *slave, struct minirt_error *err) {
  _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0)
    return minirt_fail(err, errno, "open `/dev/ptmx`");
  if (grantpt(m) < 0 || unlockpt(m) < 0)
    return minirt_fail(err, errno, "unlock the pty of `/dev/ptmx`");
  /* TIOCGPTPEER opens the peer of this very master, immune to a /dev/pts
   * that is not the one the master came from; ptsname is the fallback. */
  int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0) {
    char name[PATH_MAX];
    if (ptsname_r(m, name, sizeof(name)) != 0)
      return minirt_fail(err, errno, "ptsname of `/dev/ptmx`");
    s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0)
      return minirt_fail(err, errno, "open `%s`", name);
  }
  *slave = s;
  *master = steal_fd(&m);
  return 0;
}

int terminal_make_controlling(int slave, uint32_t height, uint32_t width,
                              struct minirt_error *err) {
  if (setsid() < 0)
    return minirt_fail(err, errno, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return minirt_fail(err, errno, "make the pty the controlling terminal");
  if (height > 0 || width > 0) {
    struct winsize ws = {.ws_row = (unsigned short)height,
                         .ws_col = (unsigned short)width};
    if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
      return minirt_fail(err, errno, "set the terminal size");
  }
  for (int fd = 0; fd <= 2; fd++)
    if (slave != fd && dup2(slave, fd) < 0)
      return minirt_fail(err, errno, "dup the pty to fd %d", fd);
  if (slave > 2)
    close(slave);
  return 0;
}

int terminal_send_to_console_socket(const char *path, int master,
                                    struct minirt_error *err) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path))
    return minirt_fail_msg(err, ENAMETOOLONG,
                           "console socket `%s`: path too long", path);
  strcpy(addr.sun_path, path);
  _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return minirt_fail(err, errno, "console socket `%s`: socket", path);
  int r;
  do
    r = connect(sock, (struct sockaddr *)&addr, sizeof(addr));
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return minirt_fail(err, errno, "connect to console socket `%s`", path);
  char name[PATH_MAX];
  if (ptsname_r(master, name, sizeof(name)) != 0)
    strcpy(name, "/dev/ptmx");
  int ret = fdpass_send(sock, master, name, err);
  if (ret < 0)
    minirt_error_prefix(err, "console socket `%s`: ", path);
  return ret;
}

bool terminal_get_size(int fd, uint32_t *height, uint32_t *width) {
  struct winsize ws;
  if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) < 0)
    return false;
  *height = ws.ws_row;
  *width = ws.ws_col;
  return true;
}

/* One direction of the proxy: bytes read from a source wait here until the
 * destination takes them, so a slow side never blocks the other one. */
struct pump {
  char buf[8192];
  size_t off, len;
};

static void copy_size(int from, int master) {
  struct winsize ws;
  if (ioctl(from, TIOCGWINSZ, &ws) == 0)
    ioctl(master, TIOCSWINSZ, &ws);
}

/* Reads what is available on fd into p. Returns 0, or -1 at EOF/hangup. */
static int pump_fill(struct pump *p, int fd) {
  ssize_t n;
  do
    n = read(fd, p->buf, sizeof(p->buf));
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN)
    return 0;
  if (n <= 0)
    return -1;
  p->off = 0;
  p->len = (size_t)n;
  return 0;
}

/* Writes what p holds to the non-blocking master. */
static int pump_flush_nonblock(struct pump *p, int fd) {
  while (p->off < p->len) {
    ssize_t n = write(fd, p->buf + p->off, p->len - p->off);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN ? 0 : -errno;
    }
    p->off += (size_t)n;
  }
  p->off = p->len = 0;
  return 0;
}

struct proxy {
  int master, sigfd, size_fd;
  bool stdin_open, stdin_tty;
  struct pump in; /* stdin -> master */
  struct pump out; /* master -> stdout */
};

/* At EOF of a non-terminal stdin, the process reading the pty gets an EOF
 * too: one VEOF character ends a read in canonical mode. */
static void queue_veof(struct proxy *px) {
  struct termios t;
  px->stdin_open = false;
  if (px->stdin_tty || tcgetattr(px->master, &t) < 0)
    return;
  px->in.buf[0] = (char)t.c_cc[VEOF];
  px->in.off = 0;
  px->in.len = 1;
}

/* One round of poll. Returns 1 while the master is open, 0 at its hangup,
 * < 0 on error. */
static int proxy_step(struct proxy *px, struct minirt_error *err) {
  struct pollfd fds[3] = {
      {.fd = -1}, {.fd = px->master, .events = 0}, {.fd = px->sigfd,
                                                    .events = POLLIN}};
  if (px->in.len == 0 && px->stdin_open)
    fds[0] = (struct pollfd){.fd = 0, .events = POLLIN};
  fds[1].events = (short)(POLLIN | (px->in.len > 0 ? POLLOUT : 0));
  if (poll(fds, 3, -1) < 0)
    return errno == EINTR ? 1 : minirt_fail(err, errno, "terminal: poll");
  if (fds[2].revents & POLLIN) {
    struct signalfd_siginfo si;
    while (read(px->sigfd, &si, sizeof(si)) > 0)
      ;
    if (px->size_fd >= 0)
      copy_size(px->size_fd, px->master);
  }
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
    if (pump_fill(&px->in, 0) < 0)
      queue_veof(px);
  }
  if (px->in.len > 0) {
    int r = pump_flush_nonblock(&px->in, px->master);
    if (r < 0 && r != -EIO)
      return minirt_fail(err, -r, "terminal: write to the pty");
  }
  if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
    /* After a hangup, read until EIO so no output is lost. */
    if (pump_fill(&px->out, px->master) < 0)
      return 0;
    if (px->out.len > 0 && write_all(1, px->out.buf, px->out.len) < 0 &&
        errno != EPIPE)
      return minirt_fail(err, errno, "terminal: write to stdout");
    px->out.len = 0;
  }
  return 1;
}

int terminal_proxy(int master, struct minirt_error *err) {
  struct proxy px = {.master = master, .size_fd = -1, .stdin_open = true};
  px.stdin_tty = isatty(0);
  px.size_fd = px.stdin_tty ? 0 : isatty(1) ? 1 : -1;
  sigset_t winch, old_mask;
  sigemptyset(&winch);
  sigaddset(&winch, SIGWINCH);
  if (sigprocmask(SIG_BLOCK, &winch, &old_mask) < 0)
    return minirt_fail(err, errno, "terminal: block SIGWINCH");
  px.sigfd = signalfd(-1, &winch, SFD_CLOEXEC | SFD_NONBLOCK);
  int ret = px.sigfd < 0 ? minirt_fail(err, errno, "terminal: signalfd") : 0;
  int fl = fcntl(master, F_GETFL);
  if (ret == 0 && (fl < 0 || fcntl(master, F_SETFL, fl | O_NONBLOCK) < 0))
    ret = minirt_fail(err, errno, "terminal: make the pty non-blocking");
  struct termios saved;
  bool raw = false;
  if (ret == 0 && px.stdin_tty && tcgetattr(0, &saved) == 0) {
    struct termios t = saved;
    cfmakeraw(&t);
    raw = tcsetattr(0, TCSANOW, &t) == 0;
  }
  if (ret == 0 && px.size_fd >= 0)
    copy_size(px.size_fd, master);
  for (int r = 1; ret == 0 && r > 0;) {
    r = proxy_step(&px, err);
    if (r < 0)
      ret = r;
  }
  if (raw)
    tcsetattr(0, TCSANOW, &saved);
  if (fl >= 0)
    fcntl(master, F_SETFL, fl);
  if (px.sigfd >= 0)
    close(px.sigfd);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  return ret;
}
