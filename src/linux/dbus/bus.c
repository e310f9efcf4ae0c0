/* The D-Bus connection. Authentication is SASL EXTERNAL without an
 * identity ("AUTH EXTERNAL", the server says DATA, we send an empty DATA):
 * the server then takes the uid from the socket's peer credentials, which
 * is right inside a user namespace too, where our uid is not the one the
 * bus sees. Only servers that refuse that get our uid in hex. */
#include "linux/dbus/bus.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"

#define BUS_NAME "org.freedesktop.DBus"
#define BUS_PATH "/org/freedesktop/DBus"
/* Connecting, each send, the SASL lines and Hello (the bus itself answers
 * them): a bus that stops reading or accepting (a frozen PID 1 behind
 * systemd's socket) must not hang the runtime. */
#define OPEN_TIMEOUT_MS 30000
/* Signals kept while a call waits; more are dropped (only what our match
 * rules ask for is sent to us, so this is a bus gone mad). */
#define MAX_QUEUE 1024
/* A SASL line is short ("OK <32 hex digits>"). */
#define MAX_LINE 512

struct dbus_bus {
  int fd;
  int timeout_ms; /* of the open, and of every send (SO_SNDTIMEO) */
  uint32_t serial;
  char *name;
  uint8_t *in; /* read, not yet consumed */
  size_t in_len, in_cap;
  struct dbus_message *queue;
  size_t n_queue;
};

void dbus_error_reply_free(struct dbus_error_reply *e) {
  free(e->name);
  free(e->message);
  e->name = e->message = NULL;
}

int dbus_bus_default_address(bool user, char **out, struct minirt_error *err) {
  const char *a =
      getenv(user ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
  *out = NULL;
  if (a != NULL && a[0] != '\0')
    *out = strdup(a);
  else if (!user)
    *out = strdup("unix:path=/run/dbus/system_bus_socket");
  else {
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg == NULL || xdg[0] == '\0')
      return minirt_fail_msg(err, ENOENT,
                             "no D-Bus user bus: neither "
                             "$DBUS_SESSION_BUS_ADDRESS nor $XDG_RUNTIME_DIR "
                             "is set");
    if (asprintf(out, "unix:path=%s/bus", xdg) < 0)
      *out = NULL;
  }
  return *out != NULL ? 0 : minirt_fail(err, ENOMEM, "D-Bus address");
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(struct dbus_bus *b, const void *p, size_t n,
                    struct minirt_error *err) {
  const char *c = p;
  while (n > 0) {
    ssize_t w = send(b->fd, c, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    /* SO_SNDTIMEO ran out: the bus has not read for that long. */
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return minirt_fail_msg(err, ETIMEDOUT,
                             "D-Bus: timed out sending to the bus (%d ms)",
                             b->timeout_ms);
    if (w < 0)
      return minirt_fail(err, errno, "D-Bus: send");
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads what the socket has (waiting until `deadline`) onto b->in. */
static int fill(struct dbus_bus *b, size_t want, int64_t deadline,
                struct minirt_error *err) {
  if (b->in_cap - b->in_len < want) {
    size_t cap = b->in_len + (want > 4096 ? want : 4096);
    uint8_t *p = realloc(b->in, cap);
    if (p == NULL)
      return minirt_fail(err, ENOMEM, "D-Bus: read buffer");
    b->in = p;
    b->in_cap = cap;
  }
  for (;;) {
    int64_t left = deadline - now_ms();
    if (left <= 0)
      return minirt_fail_msg(err, ETIMEDOUT,
                             "D-Bus: timed out waiting for the bus");
    struct pollfd pfd = {.fd = b->fd, .events = POLLIN};
    int r = poll(&pfd, 1, (int)left);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return minirt_fail(err, errno, "D-Bus: poll");
    if (r == 0)
      continue; /* the deadline check above reports it */
    ssize_t n = read(b->fd, b->in + b->in_len, b->in_cap - b->in_len);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0)
      return minirt_fail(err, errno, "D-Bus: read");
    if (n == 0)
      return minirt_fail_msg(err, ECONNRESET,
                             "D-Bus: the bus closed the connection");
    b->in_len += (size_t)n;
    return 0;
  }
}

static void consume(struct dbus_bus *b, size_t n) {
  memmove(b->in, b->in + n, b->in_len - n);
  b->in_len -= n;
}

/* ---- SASL ---- */

/* One "…\r\n" line of the server into line (without the CRLF). */
static int read_line(struct dbus_bus *b, char *line, int64_t deadline,
                     struct minirt_error *err) {
  for (;;) {
    size_t n = b->in_len < MAX_LINE ? b->in_len : MAX_LINE;
    for (size_t i = 0; i + 1 < n; i++)
      if (b->in[i] == '\r' && b->in[i + 1] == '\n') {
        memcpy(line, b->in, i);
        line[i] = '\0';
        consume(b, i + 2);
        return 0;
      }
    if (b->in_len >= MAX_LINE)
      return minirt_fail_msg(err, EPROTO,
                             "D-Bus authentication: line too long");
    int r = fill(b, MAX_LINE, deadline, err);
    if (r < 0)
      return r;
  }
}

static bool starts(const char *line, const char *word) {
  size_t n = strlen(word);
  return strncmp(line, word, n) == 0 && (line[n] == '\0' || line[n] == ' ');
}

static int authenticate(struct dbus_bus *b, struct minirt_error *err) {
  int64_t deadline = now_ms() + b->timeout_ms;
  char line[MAX_LINE];
  /* The NUL byte first: on Linux the server reads the credentials from
   * the socket (SO_PEERCRED). */
  int r = send_all(b, "\0AUTH EXTERNAL\r\n", 16, err);
  if (r == 0)
    r = read_line(b, line, deadline, err);
  if (r == 0 && starts(line, "DATA")) {
    r = send_all(b, "DATA\r\n", 6, err);
    if (r == 0)
      r = read_line(b, line, deadline, err);
  }
  if (r == 0 && starts(line, "REJECTED")) {
    /* An older server that wants the identity: our uid, in hex digits of
     * its decimal spelling. */
    char uid[32], msg[96];
    int n = snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
    int k = snprintf(msg, sizeof msg, "AUTH EXTERNAL ");
    for (int i = 0; i < n; i++)
      k += snprintf(msg + k, sizeof msg - (size_t)k, "%02x",
                    (unsigned char)uid[i]);
    k += snprintf(msg + k, sizeof msg - (size_t)k, "\r\n");
    r = send_all(b, msg, (size_t)k, err);
    if (r == 0)
      r = read_line(b, line, deadline, err);
  }
  if (r < 0)
    return r;
  if (!starts(line, "OK"))
    return minirt_fail_msg(
        err, EACCES, "D-Bus authentication (EXTERNAL) refused: `%s`", line);
  return send_all(b, "BEGIN\r\n", 7, err);
}

/* ---- messages ---- */

static int read_message(struct dbus_bus *b, struct dbus_message *m,
                        int64_t deadline, struct minirt_error *err) {
  int r = 0;
  while (r == 0 && b->in_len < DBUS_FIXED_HEADER)
    r = fill(b, DBUS_FIXED_HEADER, deadline, err);
  size_t total = 0;
  if (r == 0)
    r = dbus_message_size(b->in, b->in_len, &total, err);
  while (r == 0 && b->in_len < total)
    r = fill(b, total - b->in_len, deadline, err);
  if (r < 0)
    return r;
  uint8_t *data = malloc(total);
  if (data == NULL)
    return minirt_fail(err, ENOMEM, "D-Bus message");
  memcpy(data, b->in, total);
  consume(b, total);
  r = dbus_message_parse(data, total, m, err);
  if (r < 0)
    free(data);
  return r;
}

static int send_call(struct dbus_bus *b, const struct dbus_call *call,
                     uint32_t *serial, struct minirt_error *err) {
  if (++b->serial == 0)
    b->serial = 1;
  *serial = b->serial;
  struct dbus_writer w;
  int r = dbus_message_method_call(call, *serial, &w);
  if (r < 0)
    return minirt_fail(err, -r, "D-Bus: message `%s`", call->member);
  r = send_all(b, w.p, w.len, err);
  dbus_writer_free(&w);
  return r;
}

static void enqueue(struct dbus_bus *b, struct dbus_message *m) {
  struct dbus_message *q = NULL;
  if (b->n_queue < MAX_QUEUE)
    q = realloc(b->queue, (b->n_queue + 1) * sizeof *q);
  if (q == NULL) {
    dbus_message_free(m);
    return;
  }
  b->queue = q;
  b->queue[b->n_queue++] = *m;
}

static int error_errno(const char *name) {
  static const struct {
    const char *name;
    int errnum;
  } map[] = {
      {"org.freedesktop.DBus.Error.AccessDenied", EACCES},
      {"org.freedesktop.DBus.Error.ServiceUnknown", EHOSTUNREACH},
      {"org.freedesktop.DBus.Error.NameHasNoOwner", ENXIO},
      {"org.freedesktop.DBus.Error.NoReply", ETIMEDOUT},
      {"org.freedesktop.DBus.Error.Timeout", ETIMEDOUT},
      {"org.freedesktop.DBus.Error.InvalidArgs", EINVAL},
      {"org.freedesktop.DBus.Error.UnknownMethod", EBADR},
      {"org.freedesktop.DBus.Error.UnknownObject", EBADR},
      {"org.freedesktop.DBus.Error.UnknownInterface", EBADR},
      {"org.freedesktop.DBus.Error.UnknownProperty", EBADR},
      {"org.freedesktop.systemd1.NoSuchUnit", ENOENT},
      {"org.freedesktop.systemd1.UnitExists", EEXIST},
  };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(name, map[i].name) == 0)
      return map[i].errnum;
  return EREMOTEIO;
}

static int error_reply(const struct dbus_message *m, const char *member,
                       struct dbus_error_reply *e, struct minirt_error *err) {
  const char *text = NULL;
  if (m->signature[0] == 's') {
    struct dbus_reader r;
    dbus_message_body(m, &r);
    if (dbus_get_string(&r, &text) < 0)
      text = NULL;
  }
  int errnum = error_errno(m->error_name);
  if (e != NULL) {
    e->name = strdup(m->error_name);
    e->message = text != NULL ? strdup(text) : NULL;
    if (e->name == NULL || (text != NULL && e->message == NULL)) {
      dbus_error_reply_free(e);
      return minirt_fail(err, ENOMEM, "D-Bus error reply to `%s`", member);
    }
  }
  if (text != NULL)
    return minirt_fail_msg(err, errnum, "%s: %s", m->error_name, text);
  return minirt_fail_msg(err, errnum, "%s", m->error_name);
}

int dbus_bus_call(struct dbus_bus *b, const struct dbus_call *call,
                  int timeout_ms, struct dbus_message *reply,
                  struct dbus_error_reply *e, struct minirt_error *err) {
  uint32_t serial;
  int64_t deadline = now_ms() + timeout_ms;
  int r = send_call(b, call, &serial, err);
  if (r < 0)
    return r; /* a send that timed out says so itself */
  while (r == 0) {
    struct dbus_message m;
    if ((r = read_message(b, &m, deadline, err)) < 0)
      break;
    bool ours = (m.type == DBUS_METHOD_RETURN || m.type == DBUS_ERROR) &&
                m.reply_serial == serial;
    if (ours && m.type == DBUS_ERROR) {
      r = error_reply(&m, call->member, e, err);
      dbus_message_free(&m);
      return r;
    }
    if (ours) {
      if (reply != NULL)
        *reply = m;
      else
        dbus_message_free(&m);
      return 0;
    }
    /* Calls to us (Peer.Ping and the like) get no answer: nobody calls a
     * connection that owns no name and lives for one command. */
    if (m.type == DBUS_SIGNAL)
      enqueue(b, &m);
    else
      dbus_message_free(&m);
  }
  if (r == -ETIMEDOUT) {
    minirt_error_clear(err);
    return minirt_fail_msg(err, ETIMEDOUT, "D-Bus: no reply to `%s` in %d ms",
                           call->member, timeout_ms);
  }
  return r;
}

int dbus_bus_wait_signal(struct dbus_bus *b,
                         bool (*match)(const struct dbus_message *, void *),
                         void *data, int timeout_ms, struct dbus_message *out,
                         struct minirt_error *err) {
  /* The queue in order: what came first is looked at first. */
  for (size_t i = 0; i < b->n_queue; i++) {
    if (!match(&b->queue[i], data)) {
      dbus_message_free(&b->queue[i]);
      continue;
    }
    *out = b->queue[i];
    for (size_t k = i + 1; k < b->n_queue; k++)
      b->queue[k - i - 1] = b->queue[k];
    b->n_queue -= i + 1;
    return 0;
  }
  b->n_queue = 0;
  int64_t deadline = now_ms() + timeout_ms;
  for (;;) {
    struct dbus_message m;
    int r = read_message(b, &m, deadline, err);
    if (r == -ETIMEDOUT) {
      minirt_error_clear(err);
      return minirt_fail_msg(err, ETIMEDOUT, "D-Bus: no signal in %d ms",
                             timeout_ms);
    }
    if (r < 0)
      return r;
    if (m.type == DBUS_SIGNAL && match(&m, data)) {
      *out = m;
      return 0;
    }
    dbus_message_free(&m);
  }
}

/* ---- open, close ---- */

static int connect_to(const struct dbus_sockaddr *a, int timeout_ms, int *out,
                      struct minirt_error *err) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  size_t off = a->abstract ? 1 : 0;
  memcpy(sa.sun_path + off, a->path, a->len);
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + off +
                              a->len + (a->abstract ? 0 : 1));
  _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return minirt_fail(err, errno, "D-Bus: socket");
  /* Bounds the sends, and the connect too: a unix stream connect waits up
   * to the send timeout while the server's backlog is full. */
  struct timeval tv = {.tv_sec = timeout_ms / 1000,
                       .tv_usec = (timeout_ms % 1000) * 1000};
  if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
    return minirt_fail(err, errno, "D-Bus: set the send timeout");
  int r;
  do
    r = connect(fd, (struct sockaddr *)&sa, len);
  while (r < 0 && errno == EINTR);
  if (r < 0 && errno == EAGAIN)
    return minirt_fail_msg(err, ETIMEDOUT,
                           "connect to `%s%s`: timed out after %d ms (the bus "
                           "accepts no connection)",
                           a->abstract ? "@" : "", a->path, timeout_ms);
  if (r < 0)
    return minirt_fail(err, errno, "connect to `%s%s`", a->abstract ? "@" : "",
                       a->path);
  *out = steal_fd(&fd);
  return 0;
}

static int hello(struct dbus_bus *b, struct minirt_error *err) {
  struct dbus_call call = {.destination = BUS_NAME,
                           .path = BUS_PATH,
                           .interface = BUS_NAME,
                           .member = "Hello"};
  struct dbus_message reply;
  int r = dbus_bus_call(b, &call, b->timeout_ms, &reply, NULL, err);
  if (r < 0)
    return r;
  const char *name;
  r = dbus_read_string_body(&reply, 's', "D-Bus Hello", &name, err);
  if (r == 0 && (b->name = strdup(name)) == NULL)
    r = minirt_fail(err, ENOMEM, "D-Bus Hello");
  dbus_message_free(&reply);
  return r;
}

int dbus_bus_open(const char *address, struct dbus_bus **out,
                  struct minirt_error *err) {
  return dbus_bus_open_timeout(address, OPEN_TIMEOUT_MS, out, err);
}

int dbus_bus_open_timeout(const char *address, int timeout_ms,
                          struct dbus_bus **out, struct minirt_error *err) {
  *out = NULL;
  struct dbus_sockaddr a;
  int r = dbus_address_parse(address, &a, err);
  if (r < 0)
    return r;
  struct dbus_bus *b = calloc(1, sizeof *b);
  if (b == NULL)
    return minirt_fail(err, ENOMEM, "D-Bus connection");
  b->fd = -1;
  b->timeout_ms = timeout_ms > 0 ? timeout_ms : OPEN_TIMEOUT_MS;
  r = connect_to(&a, b->timeout_ms, &b->fd, err);
  if (r == 0)
    r = authenticate(b, err);
  if (r == 0)
    r = hello(b, err);
  if (r < 0) {
    dbus_bus_close(b);
    return r;
  }
  *out = b;
  return 0;
}

void dbus_bus_close(struct dbus_bus *b) {
  if (b == NULL)
    return;
  if (b->fd >= 0)
    close(b->fd);
  for (size_t i = 0; i < b->n_queue; i++)
    dbus_message_free(&b->queue[i]);
  free(b->queue);
  free(b->in);
  free(b->name);
  free(b);
}

const char *dbus_bus_name(const struct dbus_bus *b) {
  return b->name;
}
