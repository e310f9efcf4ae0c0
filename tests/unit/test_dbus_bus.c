/* The D-Bus connection (src/linux/dbus/bus.c) against a real bus: each
 * test starts its own dbus-daemon on a socket in a temp dir and kills it
 * by pid afterwards (the daemon also gets SIGTERM if the test process
 * dies: PR_SET_PDEATHSIG). No systemd needed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/dbus/bus.h"

#define DAEMON "/usr/bin/dbus-daemon"

static char dir[64];
static char address[128];
static pid_t daemon_pid = -1;

static void start_daemon(void) {
  if (access(DAEMON, X_OK) != 0)
    return; /* each test skips */
  strcpy(dir, "/tmp/minirt-dbus-test.XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  /* A bus of our own configuration: EXTERNAL only (as Debian's system
   * bus), and no service directories, so that no name is activated (the
   * session bus would start systemd1 from systemd's .service file). */
  char conf[96], config[128];
  snprintf(conf, sizeof conf, "%s/bus.conf", dir);
  snprintf(config, sizeof config, "--config-file=%s", conf);
  FILE *f = fopen(conf, "w");
  cr_assert_not_null(f);
  fprintf(f,
          "<busconfig><type>session</type>"
          "<listen>unix:path=%s/bus</listen><auth>EXTERNAL</auth>"
          "<policy context=\"default\"><allow send_destination=\"*\"/>"
          "<allow receive_sender=\"*\"/><allow own=\"*\"/></policy>"
          "</busconfig>\n",
          dir);
  fclose(f);
  int p[2];
  cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
  daemon_pid = fork();
  cr_assert_geq(daemon_pid, 0);
  if (daemon_pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* fd 3, without CLOEXEC (dup2 clears it; fcntl when it is 3). */
    if (p[1] == 3)
      fcntl(3, F_SETFD, 0);
    else
      dup2(p[1], 3);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2); /* "Failed to set fd limit" and the like */
    execl(DAEMON, DAEMON, config, "--nofork", "--print-address=3",
          (char *)NULL);
    _exit(127);
  }
  close(p[1]);
  /* The address line says it listens. */
  ssize_t n = read(p[0], address, sizeof address - 1);
  close(p[0]);
  cr_assert_gt(n, 0, "dbus-daemon printed no address");
  address[n] = '\0';
  address[strcspn(address, "\n")] = '\0';
}

static void stop_daemon(void) {
  if (daemon_pid > 0) {
    kill(daemon_pid, SIGTERM);
    waitpid(daemon_pid, NULL, 0);
    daemon_pid = -1;
  }
  if (dir[0] != '\0') {
    char file[96];
    snprintf(file, sizeof file, "%s/bus", dir);
    unlink(file);
    snprintf(file, sizeof file, "%s/bus.conf", dir);
    unlink(file);
    rmdir(dir);
    dir[0] = '\0';
  }
}

static void need_daemon(void) {
  if (daemon_pid <= 0)
    cr_skip_test("no " DAEMON " (package dbus)");
}

TestSuite(dbus_bus, .init = start_daemon, .fini = stop_daemon);

static const struct dbus_call get_name_owner = {
    .destination = "org.freedesktop.DBus",
    .path = "/org/freedesktop/DBus",
    .interface = "org.freedesktop.DBus",
    .member = "GetNameOwner",
    .signature = "s"};

static int name_owner(struct dbus_bus *b, const char *name,
                      struct dbus_message *reply, struct dbus_error_reply *e,
                      struct minirt_error *err) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, name);
  struct dbus_call c = get_name_owner;
  c.body = &w;
  int r = dbus_bus_call(b, &c, 5000, reply, e, err);
  dbus_writer_free(&w);
  return r;
}

Test(dbus_bus, connect_authenticate_hello_and_a_call) {
  need_daemon();
  struct dbus_bus *b;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_bus_open(address, &b, &err), 0, "%s", err.msg);
  cr_assert_eq(dbus_bus_name(b)[0], ':', "unique name `%s`", dbus_bus_name(b));
  struct dbus_message reply;
  cr_assert_eq(name_owner(b, "org.freedesktop.DBus", &reply, NULL, &err), 0,
               "%s", err.msg);
  const char *owner;
  cr_assert_eq(dbus_read_string_body(&reply, 's', "GetNameOwner", &owner, &err),
               0);
  cr_assert_str_eq(owner, "org.freedesktop.DBus");
  dbus_message_free(&reply);
  /* Our own unique name is owned by us. */
  cr_assert_eq(name_owner(b, dbus_bus_name(b), &reply, NULL, &err), 0);
  cr_assert_eq(dbus_read_string_body(&reply, 's', "GetNameOwner", &owner, &err),
               0);
  cr_assert_str_eq(owner, dbus_bus_name(b));
  dbus_message_free(&reply);
  dbus_bus_close(b);
}

Test(dbus_bus, an_error_reply_gives_name_and_message) {
  need_daemon();
  struct dbus_bus *b;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_bus_open(address, &b, &err), 0, "%s", err.msg);
  struct dbus_error_reply e = {0};
  struct dbus_message reply;
  int r = name_owner(b, "org.example.Nobody", &reply, &e, &err);
  cr_assert_eq(r, -ENXIO);
  cr_assert_str_eq(e.name, "org.freedesktop.DBus.Error.NameHasNoOwner");
  cr_assert_not_null(e.message);
  cr_assert_not_null(strstr(e.message, "org.example.Nobody"), "%s", e.message);
  cr_assert_not_null(
      strstr(err.msg, "org.freedesktop.DBus.Error.NameHasNoOwner: "), "%s",
      err.msg);
  cr_assert_not_null(strstr(err.msg, e.message));
  dbus_error_reply_free(&e);
  minirt_error_clear(&err);
  /* A name nobody has: the bus answers for systemd's absence. */
  struct dbus_call c = {.destination = "org.freedesktop.systemd1",
                        .path = "/org/freedesktop/systemd1",
                        .interface = "org.freedesktop.systemd1.Manager",
                        .member = "GetUnit"};
  r = dbus_bus_call(b, &c, 5000, NULL, &e, &err);
  cr_assert_lt(r, 0);
  cr_assert_str_eq(e.name, "org.freedesktop.DBus.Error.ServiceUnknown");
  dbus_error_reply_free(&e);
  minirt_error_clear(&err);
  /* The connection still works after errors. */
  cr_assert_eq(name_owner(b, "org.freedesktop.DBus", NULL, NULL, &err), 0);
  dbus_bus_close(b);
}

static bool owner_changed(const struct dbus_message *m, void *data) {
  const char *want = data;
  struct dbus_reader r;
  const char *name;
  if (strcmp(m->member, "NameOwnerChanged") != 0 ||
      strcmp(m->signature, "sss") != 0)
    return false;
  dbus_message_body(m, &r);
  return dbus_get_string(&r, &name) == 0 && strcmp(name, want) == 0;
}

static void add_match(struct dbus_bus *b, const char *rule) {
  struct dbus_writer w;
  struct minirt_error err = {0};
  dbus_writer_init(&w);
  dbus_put_string(&w, rule);
  struct dbus_call c = get_name_owner;
  c.member = "AddMatch";
  c.body = &w;
  cr_assert_eq(dbus_bus_call(b, &c, 5000, NULL, NULL, &err), 0, "%s", err.msg);
  dbus_writer_free(&w);
}

Test(dbus_bus, signals_during_a_call_are_kept_for_the_wait) {
  need_daemon();
  struct dbus_bus *a, *b;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_bus_open(address, &a, &err), 0, "%s", err.msg);
  add_match(a, "type='signal',sender='org.freedesktop.DBus',"
               "member='NameOwnerChanged'");
  /* b's arrival is signalled to a before a makes its next call. */
  cr_assert_eq(dbus_bus_open(address, &b, &err), 0, "%s", err.msg);
  char *b_name = strdup(dbus_bus_name(b));
  cr_assert_eq(name_owner(a, "org.freedesktop.DBus", NULL, NULL, &err), 0);
  struct dbus_message m;
  cr_assert_eq(dbus_bus_wait_signal(a, owner_changed, b_name, 0, &m, &err), 0,
               "%s", err.msg);
  cr_assert_str_eq(m.interface, "org.freedesktop.DBus");
  dbus_message_free(&m);
  /* b leaves: a waits for that signal on the socket. */
  dbus_bus_close(b);
  cr_assert_eq(dbus_bus_wait_signal(a, owner_changed, b_name, 5000, &m, &err),
               0, "%s", err.msg);
  dbus_message_free(&m);
  /* Nothing more comes: the wait times out. */
  cr_assert_eq(dbus_bus_wait_signal(a, owner_changed, b_name, 200, &m, &err),
               -ETIMEDOUT);
  cr_assert_str_eq(err.msg, "D-Bus: no signal in 200 ms");
  minirt_error_clear(&err);
  free(b_name);
  dbus_bus_close(a);
}

Test(dbus_bus, no_socket_fails_naming_it) {
  need_daemon();
  char addr[160];
  snprintf(addr, sizeof addr, "unix:path=%s/nosuch", dir);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_bus_open(addr, &b, &err), -ENOENT);
  cr_assert_null(b);
  cr_assert_not_null(strstr(err.msg, "/nosuch"), "%s", err.msg);
  minirt_error_clear(&err);
}

Test(dbus_bus, default_addresses) {
  struct minirt_error err = {0};
  setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/x", 1);
  char *a;
  cr_assert_eq(dbus_bus_default_address(false, &a, &err), 0);
  cr_assert_str_eq(a, "unix:path=/x");
  free(a);
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  cr_assert_eq(dbus_bus_default_address(false, &a, &err), 0);
  cr_assert_str_eq(a, "unix:path=/run/dbus/system_bus_socket");
  free(a);
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  cr_assert_eq(dbus_bus_default_address(true, &a, &err), 0);
  cr_assert_str_eq(a, "unix:path=/run/user/7/bus");
  free(a);
  unsetenv("XDG_RUNTIME_DIR");
  cr_assert_eq(dbus_bus_default_address(true, &a, &err), -ENOENT);
  cr_assert_null(a);
  cr_assert_not_null(strstr(err.msg, "XDG_RUNTIME_DIR"));
  minirt_error_clear(&err);
}

/* ---- a fake bus: a child that answers with canned bytes ---- */

struct step {
  const char *expect; /* read until the input holds this ("": no read) */
  const void *reply;
  size_t len;
};

/* Serves one connection on <dir>/fake with `steps`, then waits for the
 * client to close (with `stall`: then reads nothing more). */
static pid_t fake_bus_stalling(const char *path, const struct step *steps,
                               size_t n, bool stall) {
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_geq(l, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
  cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
  cr_assert_eq(listen(l, 1), 0);
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid > 0) {
    close(l);
    return pid;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  alarm(10);
  int c = accept(l, NULL, NULL);
  char in[4096];
  size_t got = 0;
  for (size_t i = 0; c >= 0 && i < n; i++) {
    while (memmem(in, got, steps[i].expect, strlen(steps[i].expect)) == NULL) {
      ssize_t r = read(c, in + got, sizeof in - got);
      if (r <= 0)
        _exit(1);
      got += (size_t)r;
    }
    got = 0;
    if (steps[i].reply == NULL)
      _exit(0); /* closes the connection */
    if (write(c, steps[i].reply, steps[i].len) != (ssize_t)steps[i].len)
      _exit(1);
  }
  if (stall)
    pause(); /* keeps the connection, reads no more: until reap() or alarm */
  while (c >= 0 && read(c, in, sizeof in) > 0)
    ;
  _exit(0);
}

static pid_t fake_bus(const char *path, const struct step *steps, size_t n) {
  return fake_bus_stalling(path, steps, n, false);
}

static void reap(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* A METHOD_RETURN to `serial` (Hello is our serial 1), body s. */
static size_t string_reply(uint8_t *out, uint32_t serial, const char *name) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_byte(&w, 'l');
  dbus_put_byte(&w, DBUS_METHOD_RETURN);
  dbus_put_byte(&w, 0);
  dbus_put_byte(&w, 1);
  dbus_put_u32(&w, 0); /* body length, below */
  dbus_put_u32(&w, 99);
  struct dbus_array a = dbus_open_array(&w, 8);
  dbus_open_struct(&w);
  dbus_put_byte(&w, 5); /* REPLY_SERIAL */
  dbus_put_variant(&w, "u");
  dbus_put_u32(&w, serial);
  dbus_open_struct(&w);
  dbus_put_byte(&w, 8); /* SIGNATURE */
  dbus_put_variant(&w, "g");
  dbus_put_signature(&w, "s");
  dbus_close_array(&w, a);
  dbus_open_struct(&w); /* the body starts 8-aligned */
  size_t body = w.len;
  dbus_put_string(&w, name);
  cr_assert_eq(w.error, 0);
  w.p[4] = (uint8_t)(w.len - body);
  memcpy(out, w.p, w.len);
  size_t n = w.len;
  dbus_writer_free(&w);
  return n;
}

#define S(x) x, sizeof x - 1

Test(dbus_bus, a_server_refusing_the_empty_identity_gets_our_uid) {
  need_daemon(); /* for the temp dir */
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/fake", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  char auth[64] = "AUTH EXTERNAL ", uid[16];
  int n = snprintf(uid, sizeof uid, "%u", (unsigned)geteuid());
  for (int i = 0; i < n; i++)
    snprintf(auth + strlen(auth), 4, "%02x", (unsigned char)uid[i]);
  strcat(auth, "\r\n");
  uint8_t hello[128];
  size_t hn = string_reply(hello, 1, ":1.42");
  const struct step steps[] = {
      {"AUTH EXTERNAL\r\n", S("DATA\r\n")},
      {"DATA\r\n", S("REJECTED EXTERNAL\r\n")},
      {auth, S("OK 0123456789abcdef0123456789abcdef\r\n")},
      {"Hello", hello, hn},
  };
  pid_t pid = fake_bus(path, steps, 4);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  int r = dbus_bus_open(addr, &b, &err);
  reap(pid);
  unlink(path);
  cr_assert_eq(r, 0, "%s", err.msg);
  cr_assert_str_eq(dbus_bus_name(b), ":1.42");
  dbus_bus_close(b);
}

static void expect_open_fails(const struct step *steps, size_t n, int errnum,
                              const char *msg_part) {
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/fake", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  pid_t pid = fake_bus(path, steps, n);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  int r = dbus_bus_open(addr, &b, &err);
  reap(pid);
  unlink(path);
  cr_assert_eq(r, -errnum, "%d: %s", r, err.msg);
  cr_assert_null(b);
  cr_assert_not_null(strstr(err.msg, msg_part), "`%s` lacks `%s`", err.msg,
                     msg_part);
  minirt_error_clear(&err);
}

Test(dbus_bus, a_hostile_or_broken_server_fails_the_open_cleanly) {
  need_daemon();
  const struct step refused[] = {{"AUTH EXTERNAL\r\n", S("ERROR\r\n")}};
  expect_open_fails(refused, 1, EACCES, "refused: `ERROR`");
  const struct step closed[] = {{"AUTH EXTERNAL\r\n", NULL, 0}};
  expect_open_fails(closed, 1, ECONNRESET, "closed the connection");
  char longline[600];
  memset(longline, 'A', sizeof longline);
  const struct step flood[] = {
      {"AUTH EXTERNAL\r\n", longline, sizeof longline}};
  expect_open_fails(flood, 1, EPROTO, "line too long");
  const struct step garbage[] = {{"AUTH EXTERNAL\r\n", S("OK 0123\r\n")},
                                 {"Hello", S("xxxxxxxxxxxxxxxxxxxxxxxx")}};
  expect_open_fails(garbage, 2, EBADMSG, "invalid endianness byte 0x78");
  /* A reply to Hello that says it is bigger than it is: the bus then
   * closes, and the open fails instead of reading past what came. */
  uint8_t hello[128];
  size_t hn = string_reply(hello, 1, ":1.42");
  hello[4] = 0x40;
  const struct step short_reply[] = {{"AUTH EXTERNAL\r\n", S("OK 0123\r\n")},
                                     {"Hello", hello, hn},
                                     {"", NULL, 0}};
  expect_open_fails(short_reply, 3, ECONNRESET, "closed the connection");
}

static bool any_signal(const struct dbus_message *m, void *data) {
  return strcmp(m->member, data) == 0;
}

Test(dbus_bus, a_reply_to_another_serial_is_skipped_and_a_signal_kept) {
  need_daemon();
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/fake", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  /* Before the Hello reply: a signal, and a reply to serial 7. */
  uint8_t in[512];
  struct dbus_writer sig;
  struct dbus_writer body;
  dbus_writer_init(&body);
  dbus_put_string(&body, "payload");
  struct dbus_call c = {.path = "/x",
                        .interface = "org.example.X",
                        .member = "Ping",
                        .signature = "s",
                        .body = &body};
  cr_assert_eq(dbus_message_method_call(&c, 5, &sig), 0);
  dbus_writer_free(&body);
  sig.p[1] = DBUS_SIGNAL;
  memcpy(in, sig.p, sig.len);
  size_t n = sig.len;
  dbus_writer_free(&sig);
  n += string_reply(in + n, 7, ":not.ours");
  n += string_reply(in + n, 1, ":1.42");
  const struct step steps[] = {{"AUTH EXTERNAL\r\n", S("OK 0123\r\n")},
                               {"Hello", in, n}};
  pid_t pid = fake_bus(path, steps, 2);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  int r = dbus_bus_open(addr, &b, &err);
  cr_assert_eq(r, 0, "%s", err.msg);
  cr_assert_str_eq(dbus_bus_name(b), ":1.42");
  struct dbus_message m;
  cr_assert_eq(dbus_bus_wait_signal(b, any_signal, "Ping", 0, &m, &err), 0,
               "%s", err.msg);
  cr_assert_str_eq(m.path, "/x");
  dbus_message_free(&m);
  dbus_bus_close(b);
  reap(pid);
  unlink(path);
}

/* ---- timeouts: a bus that stops accepting, answering or reading ---- */

static long ms_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

Test(dbus_bus, a_bus_whose_backlog_is_full_times_the_connect_out) {
  need_daemon(); /* for the temp dir */
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/stuck", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_geq(l, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
  cr_assert_eq(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
  /* Backlog 0 holds one connection that nobody accepts; the next waits. */
  cr_assert_eq(listen(l, 0), 0);
  int filler = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cr_assert_eq(connect(filler, (struct sockaddr *)&sa, sizeof sa), 0);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = dbus_bus_open_timeout(addr, 300, &b, &err);
  long took = ms_since(&t0);
  close(filler);
  close(l);
  unlink(path);
  cr_assert_eq(r, -ETIMEDOUT, "%d: %s", r, err.msg);
  cr_assert_null(b);
  cr_assert_not_null(strstr(err.msg, "timed out after 300 ms"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
  cr_assert(took >= 250 && took < 5000, "took %ld ms", took);
  minirt_error_clear(&err);
}

Test(dbus_bus, a_bus_that_never_answers_times_the_open_out) {
  need_daemon();
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/fake", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  /* Accepts, reads our AUTH, says nothing. */
  const struct step silent[] = {{"AUTH EXTERNAL\r\n", "", 0}};
  pid_t pid = fake_bus_stalling(path, silent, 1, true);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int r = dbus_bus_open_timeout(addr, 300, &b, &err);
  long took = ms_since(&t0);
  reap(pid);
  unlink(path);
  cr_assert_eq(r, -ETIMEDOUT, "%d: %s", r, err.msg);
  cr_assert_null(b);
  cr_assert_not_null(strstr(err.msg, "timed out"), "%s", err.msg);
  cr_assert(took >= 250 && took < 5000, "took %ld ms", took);
  minirt_error_clear(&err);
}

Test(dbus_bus, a_bus_that_stops_reading_times_a_send_out) {
  need_daemon();
  char path[96], addr[112];
  snprintf(path, sizeof path, "%s/fake", dir);
  snprintf(addr, sizeof addr, "unix:path=%s", path);
  uint8_t hello[128];
  size_t hn = string_reply(hello, 1, ":1.42");
  /* A proper open, then the bus reads no more. */
  const struct step steps[] = {
      {"AUTH EXTERNAL\r\n", S("OK 0123456789abcdef0123456789abcdef\r\n")},
      {"Hello", hello, hn},
  };
  pid_t pid = fake_bus_stalling(path, steps, 2, true);
  struct dbus_bus *b;
  struct minirt_error err = {0};
  int r = dbus_bus_open_timeout(addr, 300, &b, &err);
  cr_assert_eq(r, 0, "%s", err.msg);
  /* More than the socket buffers hold: the send must block. */
  struct dbus_writer body;
  dbus_writer_init(&body);
  size_t big = 8u << 20;
  char *s = malloc(big + 1);
  cr_assert_not_null(s);
  memset(s, 'x', big);
  s[big] = '\0';
  dbus_put_string(&body, s);
  free(s);
  cr_assert_eq(body.error, 0);
  const struct dbus_call call = {.destination = "org.example",
                                 .path = "/",
                                 .interface = "org.example",
                                 .member = "Big",
                                 .signature = "s",
                                 .body = &body};
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  r = dbus_bus_call(b, &call, 60000, NULL, NULL, &err);
  long took = ms_since(&t0);
  dbus_writer_free(&body);
  dbus_bus_close(b);
  reap(pid);
  unlink(path);
  cr_assert_eq(r, -ETIMEDOUT, "%d: %s", r, err.msg);
  cr_assert_not_null(strstr(err.msg, "timed out sending to the bus (300 ms)"),
                     "%s", err.msg);
  cr_assert(took >= 250 && took < 10000, "took %ld ms", took);
  minirt_error_clear(&err);
}
