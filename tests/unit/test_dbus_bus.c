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
#include <sys/wait.h>
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
  char *a = dbus_bus_default_address(false, &err);
  cr_assert_str_eq(a, "unix:path=/x");
  free(a);
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  a = dbus_bus_default_address(false, &err);
  cr_assert_str_eq(a, "unix:path=/run/dbus/system_bus_socket");
  free(a);
  unsetenv("DBUS_SESSION_BUS_ADDRESS");
  setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  a = dbus_bus_default_address(true, &err);
  cr_assert_str_eq(a, "unix:path=/run/user/7/bus");
  free(a);
  unsetenv("XDG_RUNTIME_DIR");
  cr_assert_null(dbus_bus_default_address(true, &err));
  cr_assert_not_null(strstr(err.msg, "XDG_RUNTIME_DIR"));
  minirt_error_clear(&err);
}
