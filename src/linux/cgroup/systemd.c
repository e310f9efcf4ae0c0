/* The systemd cgroup driver: the container's cgroup is a transient unit
 * that systemd makes over D-Bus (sd-bus), as runc and crun do. A scope
 * with Delegate=yes and the init's pid in PIDs (systemd moves it there),
 * the resources as unit properties (systemd_props.c) and in the files
 * (resources.c): the files are what the kernel enforces, the properties
 * keep systemd from resetting them when it re-applies the unit. */
#include "linux/cgroup/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "util/cleanup.h"

#if MINIRT_HAVE_SYSTEMD
#include <systemd/sd-bus.h>

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long a job may take (runc's figure). */
#define JOB_TIMEOUT_USEC (30ull * 1000 * 1000)
#define _cleanup_msg_ __attribute__((cleanup(sd_bus_message_unrefp)))

struct cgroup_systemd {
  sd_bus *bus;
  bool user;
};

bool cgroup_systemd_supported(void) {
  return true;
}

static const char *instance(const struct cgroup_systemd *sd) {
  return sd->user ? "user" : "system";
}

/* Where sd-bus looks, for the error message. */
static void bus_address(bool user, char *buf, size_t size) {
  const char *a =
      getenv(user ? "DBUS_SESSION_BUS_ADDRESS" : "DBUS_SYSTEM_BUS_ADDRESS");
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (a != NULL && a[0] != '\0')
    snprintf(buf, size, "%s", a);
  else if (!user)
    snprintf(buf, size, "unix:path=/run/dbus/system_bus_socket");
  else if (xdg != NULL && xdg[0] != '\0')
    snprintf(buf, size, "unix:path=%s/bus", xdg);
  else
    snprintf(buf, size, "$XDG_RUNTIME_DIR is not set");
}

int cgroup_systemd_connect(bool user, const char *unit,
                           struct cgroup_systemd **out,
                           struct minirt_error *err) {
  *out = NULL;
  struct cgroup_systemd *sd = calloc(1, sizeof *sd);
  if (sd == NULL)
    return minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  sd->user = user;
  int r = sdbus_load(err);
  if (r < 0) {
    free(sd);
    minirt_error_prefix(err, "systemd unit `%s`: ", unit);
    return r;
  }
  r = user ? sd_bus_open_user(&sd->bus) : sd_bus_open_system(&sd->bus);
  if (r < 0) {
    char addr[256];
    bus_address(user, addr, sizeof addr);
    free(sd);
    return minirt_fail(err, -r,
                       "systemd unit `%s`: connect to the systemd %s "
                       "instance over D-Bus (%s)",
                       unit, user ? "user" : "system", addr);
  }
  *out = sd;
  return 0;
}

void cgroup_systemd_disconnect(struct cgroup_systemd *sd) {
  if (sd == NULL)
    return;
  sd_bus_flush_close_unref(sd->bus);
  free(sd);
}

static int bus_fail(struct minirt_error *err, int r, const sd_bus_error *e,
                    const char *what, const char *unit) {
  int errnum = r < 0 ? -r : EIO;
  if (e != NULL && sd_bus_error_is_set(e))
    return minirt_fail_msg(err, errnum, "systemd unit `%s`: %s: %s", unit, what,
                           e->message != NULL ? e->message : e->name);
  return minirt_fail(err, errnum, "systemd unit `%s`: %s", unit, what);
}

static const char *unit_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

static bool is_slice(const char *unit) {
  size_t n = strlen(unit);
  return n > 6 && strcmp(unit + n - 6, ".slice") == 0;
}

/* ---- jobs ---- */

struct job_wait {
  char *job;    /* object path of our job, once the call returned it */
  char *result; /* "done", "failed", "timeout", ... */
};

static int on_job_removed(sd_bus_message *m, void *data, sd_bus_error *e) {
  struct job_wait *w = data;
  uint32_t id;
  const char *path, *unit, *result;
  if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->job != NULL && w->result == NULL && strcmp(path, w->job) == 0)
    w->result = strdup(result);
  return 0;
}

static uint64_t now_usec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The JobRemoved signal of w->job. The match was added before the call, and
 * sd-bus queues what arrives meanwhile, so a fast job is not missed. */
static int job_wait(struct cgroup_systemd *sd, struct job_wait *w,
                    const char *what, const char *unit,
                    struct minirt_error *err) {
  uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
  while (w->result == NULL) {
    int r = sd_bus_process(sd->bus, NULL);
    if (r < 0)
      return bus_fail(err, r, NULL, what, unit);
    if (r > 0)
      continue;
    uint64_t now = now_usec();
    if (now >= deadline)
      return minirt_fail_msg(err, ETIMEDOUT,
                             "systemd unit `%s`: %s: no answer from the "
                             "job in 30 s",
                             unit, what);
    r = sd_bus_wait(sd->bus, deadline - now);
    if (r < 0 && r != -EINTR)
      return bus_fail(err, r, NULL, what, unit);
  }
  return 0;
}

static int watch_jobs(struct cgroup_systemd *sd, struct job_wait *w,
                      sd_bus_slot **slot, const char *unit,
                      struct minirt_error *err) {
  int r = sd_bus_match_signal(sd->bus, slot, SD_DEST, SD_PATH, SD_MANAGER,
                              "JobRemoved", on_job_removed, w);
  return r < 0 ? bus_fail(err, r, NULL, "subscribe to JobRemoved", unit) : 0;
}

static void job_release(struct job_wait *w, sd_bus_slot *slot) {
  free(w->job);
  free(w->result);
  sd_bus_slot_unref(slot);
}

static int reply_job(sd_bus_message *reply, struct job_wait *w,
                     const char *what, const char *unit,
                     struct minirt_error *err) {
  const char *job;
  int r = sd_bus_message_read(reply, "o", &job);
  if (r < 0)
    return bus_fail(err, r, NULL, what, unit);
  if ((w->job = strdup(job)) == NULL)
    return minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  return 0;
}

/* ---- properties ---- */

static int append_devices(sd_bus_message *m, const struct cgroup_sd_prop *p) {
  int r = sd_bus_message_open_container(m, 'v', "a(ss)");
  if (r >= 0)
    r = sd_bus_message_open_container(m, 'a', "(ss)");
  for (size_t i = 0; r >= 0 && i < p->n; i++)
    r = sd_bus_message_append(m, "(ss)", p->devs[i].path, p->devs[i].perms);
  if (r >= 0)
    r = sd_bus_message_close_container(m);
  if (r >= 0)
    r = sd_bus_message_close_container(m);
  return r;
}

static int append_prop(sd_bus_message *m, const struct cgroup_sd_prop *p) {
  switch (p->type) {
  case CGROUP_SD_U64:
    return sd_bus_message_append(m, "(sv)", p->name, "t", p->u);
  case CGROUP_SD_BOOL:
    return sd_bus_message_append(m, "(sv)", p->name, "b", (int)p->u);
  case CGROUP_SD_STR:
    return sd_bus_message_append(m, "(sv)", p->name, "s", p->s);
  default:
    break;
  }
  int r = sd_bus_message_open_container(m, 'r', "sv");
  if (r >= 0)
    r = sd_bus_message_append(m, "s", p->name);
  if (r >= 0 && p->type == CGROUP_SD_BYTES) {
    r = sd_bus_message_open_container(m, 'v', "ay");
    if (r >= 0)
      r = sd_bus_message_append_array(m, 'y', p->bytes, p->n);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
  } else if (r >= 0) {
    r = append_devices(m, p);
  }
  if (r >= 0)
    r = sd_bus_message_close_container(m);
  return r;
}

static int append_props(sd_bus_message *m, const struct cgroup_sd_props *p) {
  int r = 0;
  for (size_t i = 0; r >= 0 && i < p->n; i++)
    r = append_prop(m, &p->v[i]);
  return r;
}

static bool unified(void) {
  const struct cgroup_layout *l;
  struct minirt_error e = {0};
  bool v2 = cgroup_layout_get(&l, &e) == 0 && l->mode == CGROUP_MODE_V2;
  minirt_error_clear(&e);
  return v2;
}

/* The files get the quota systemd will keep (props->quota when rounded). */
static int write_files(const char *path, const struct oci_resources *res,
                       const struct oci_device *devices, size_t n_devices,
                       const struct cgroup_sd_props *props, bool update,
                       struct minirt_error *err) {
  if (res == NULL)
    return 0;
  struct oci_resources r = *res;
  struct oci_cpu cpu;
  if (props->quota_rounded && res->cpu != NULL) {
    cpu = *res->cpu;
    cpu.quota = props->quota;
    r.cpu = &cpu;
  }
  return cgroup_apply_resources(path, &r, devices, n_devices, update, err);
}

/* ---- start ---- */

static int start_message(struct cgroup_systemd *sd, const char *unit,
                         const char *slice, pid_t pid,
                         const struct cgroup_sd_props *props,
                         sd_bus_message **out) {
  _cleanup_msg_ sd_bus_message *m = NULL;
  bool v2 = unified();
  int r = sd_bus_message_new_method_call(sd->bus, &m, SD_DEST, SD_PATH,
                                         SD_MANAGER, "StartTransientUnit");
  /* "fail": never replace a job someone else queued for this name. */
  if (r >= 0)
    r = sd_bus_message_append(m, "ss", unit, "fail");
  if (r >= 0)
    r = sd_bus_message_open_container(m, 'a', "(sv)");
  if (r >= 0)
    r = sd_bus_message_append(m, "(sv)", "Description", "s",
                              "minirt container");
  if (r >= 0 && !is_slice(unit)) {
    /* A slice's parent is in its name; a scope says it and holds the init. */
    r = sd_bus_message_append(m, "(sv)", "Slice", "s", slice);
    if (r >= 0)
      r = sd_bus_message_append(m, "(sv)", "Delegate", "b", 1);
    if (r >= 0)
      r = sd_bus_message_append(m, "(sv)", "PIDs", "au", 1, (uint32_t)pid);
  }
  /* No ordering against shutdown.target & co: the container's life is
   * minirt's business. Accounting on: stats work without limits. */
  if (r >= 0)
    r = sd_bus_message_append(m, "(sv)", "DefaultDependencies", "b", 0);
  static const char *const accounting[] = {"MemoryAccounting", "CPUAccounting",
                                           "TasksAccounting"};
  for (size_t i = 0; r >= 0 && i < 3; i++)
    r = sd_bus_message_append(m, "(sv)", accounting[i], "b", 1);
  if (r >= 0)
    r = sd_bus_message_append(
        m, "(sv)", v2 ? "IOAccounting" : "BlockIOAccounting", "b", 1);
  if (r >= 0)
    r = append_props(m, props);
  if (r >= 0)
    r = sd_bus_message_close_container(m);
  if (r >= 0) /* no auxiliary units */
    r = sd_bus_message_append(m, "a(sa(sv))", 0);
  if (r >= 0)
    *out = steal_pointer(&m);
  return r;
}

static int reset_failed(struct cgroup_systemd *sd, const char *unit) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER,
                             "ResetFailedUnit", &e, NULL, "s", unit);
  sd_bus_error_free(&e);
  return r;
}

static int start_call(struct cgroup_systemd *sd, const char *unit,
                      const char *slice, pid_t pid,
                      const struct cgroup_sd_props *props, struct job_wait *w,
                      struct minirt_error *err) {
  for (int attempt = 0;; attempt++) {
    _cleanup_msg_ sd_bus_message *m = NULL, *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = start_message(sd, unit, slice, pid, props, &m);
    if (r < 0)
      return bus_fail(err, r, NULL, "StartTransientUnit message", unit);
    r = sd_bus_call(sd->bus, m, 0, &e, &reply);
    if (r >= 0) {
      sd_bus_error_free(&e);
      return reply_job(reply, w, "StartTransientUnit", unit, err);
    }
    bool exists =
        sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists");
    /* A unit of that name may be a failed leftover: reset it (systemd then
     * drops it) and try once more, as runc does. */
    if (exists && attempt == 0 && reset_failed(sd, unit) >= 0) {
      sd_bus_error_free(&e);
      continue;
    }
    if (exists) {
      sd_bus_error_free(&e);
      return minirt_fail_msg(err, EEXIST,
                             "systemd unit `%s` already exists (in the "
                             "systemd %s instance)",
                             unit, instance(sd));
    }
    r = bus_fail(err, r, &e, "StartTransientUnit", unit);
    sd_bus_error_free(&e);
    return r;
  }
}

/* The unit's cgroup as systemd has it: the path in the user instance is
 * below user@UID.service, which only systemd knows. */
static int control_group(struct cgroup_systemd *sd, const char *unit,
                         char **path, struct minirt_error *err) {
  _cleanup_msg_ sd_bus_message *reply = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  const char *obj;
  int r = sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit",
                             &e, &reply, "s", unit);
  if (r >= 0)
    r = sd_bus_message_read(reply, "o", &obj);
  if (r >= 0)
    r = sd_bus_get_property_string(sd->bus, SD_DEST, obj,
                                   is_slice(unit)
                                       ? "org.freedesktop.systemd1.Slice"
                                       : "org.freedesktop.systemd1.Scope",
                                   "ControlGroup", &e, path);
  if (r < 0) {
    r = bus_fail(err, r, &e, "read its ControlGroup", unit);
    sd_bus_error_free(&e);
    return r;
  }
  sd_bus_error_free(&e);
  if ((*path)[0] != '/' || (*path)[1] == '\0') {
    r = minirt_fail_msg(err, EPROTO,
                        "systemd unit `%s`: unexpected ControlGroup `%s`", unit,
                        *path);
    free(*path);
    *path = NULL;
  }
  return r;
}

int cgroup_systemd_start(struct cgroup_systemd *sd, const char *unit,
                         const char *slice, pid_t pid,
                         const struct oci_resources *res,
                         const struct oci_device *devices, size_t n_devices,
                         char **path, bool *started, struct minirt_error *err) {
  *path = NULL;
  *started = false;
  struct cgroup_sd_props props;
  int ret = cgroup_sd_props_build(res, devices, n_devices, unified(), false,
                                  &props, err);
  if (ret < 0) {
    minirt_error_prefix(err, "systemd unit `%s`: ", unit);
    return ret;
  }
  struct job_wait w = {0};
  sd_bus_slot *slot = NULL;
  ret = watch_jobs(sd, &w, &slot, unit, err);
  if (ret == 0)
    ret = start_call(sd, unit, slice, pid, &props, &w, err);
  if (ret == 0) {
    *started = true;
    ret = job_wait(sd, &w, "start", unit, err);
  }
  if (ret == 0 && strcmp(w.result, "done") != 0)
    ret = minirt_fail_msg(err, EIO,
                          "systemd unit `%s`: start job finished with "
                          "`%s` (see `journalctl -u %s`)",
                          unit, w.result, unit);
  job_release(&w, slot);
  if (ret == 0)
    ret = control_group(sd, unit, path, err);
  /* What systemd does not do: cgroup v1 hierarchies it does not manage,
   * v2 controllers it does not know, the pid of a slice (slices hold no
   * PIDs in systemd's view). */
  if (ret == 0)
    ret = cgroup_adopt_pid(*path, pid, res, is_slice(unit), err);
  if (ret == 0)
    ret = write_files(*path, res, devices, n_devices, &props, false, err);
  if (ret < 0 && *path != NULL)
    minirt_error_prefix(err, "systemd unit `%s`: ", unit);
  cgroup_sd_props_free(&props);
  return ret;
}

/* ---- update, stop ---- */

int cgroup_systemd_update(struct cgroup_systemd *sd, const char *path,
                          const struct oci_resources *res,
                          struct minirt_error *err) {
  const char *unit = unit_of(path);
  struct cgroup_sd_props props;
  if (res == NULL)
    return 0;
  int ret = cgroup_sd_props_build(res, NULL, 0, unified(), true, &props, err);
  if (ret < 0) {
    minirt_error_prefix(err, "systemd unit `%s`: ", unit);
    return ret;
  }
  if (props.n > 0) {
    _cleanup_msg_ sd_bus_message *m = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_message_new_method_call(sd->bus, &m, SD_DEST, SD_PATH,
                                           SD_MANAGER, "SetUnitProperties");
    /* runtime: the change lives as long as the transient unit */
    if (r >= 0)
      r = sd_bus_message_append(m, "sb", unit, 1);
    if (r >= 0)
      r = sd_bus_message_open_container(m, 'a', "(sv)");
    if (r >= 0)
      r = append_props(m, &props);
    if (r >= 0)
      r = sd_bus_message_close_container(m);
    if (r >= 0)
      r = sd_bus_call(sd->bus, m, 0, &e, NULL);
    if (r < 0)
      ret = bus_fail(err, r, &e, "SetUnitProperties", unit);
    sd_bus_error_free(&e);
  }
  if (ret == 0)
    ret = write_files(path, res, NULL, 0, &props, true, err);
  if (ret < 0)
    minirt_error_prefix(err, "update cgroup `%s`: ", path);
  cgroup_sd_props_free(&props);
  return ret;
}

static bool gone(const sd_bus_error *e) {
  return sd_bus_error_has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
         sd_bus_error_has_name(e, "org.freedesktop.systemd1.LoadFailed");
}

int cgroup_systemd_stop(struct cgroup_systemd *sd, const char *path,
                        struct minirt_error *err) {
  const char *unit = unit_of(path);
  struct job_wait w = {0};
  sd_bus_slot *slot = NULL;
  int ret = watch_jobs(sd, &w, &slot, unit, err);
  if (ret == 0) {
    _cleanup_msg_ sd_bus_message *reply = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    int r = sd_bus_call_method(sd->bus, SD_DEST, SD_PATH, SD_MANAGER,
                               "StopUnit", &e, &reply, "ss", unit, "replace");
    /* An empty scope is stopped and dropped by systemd itself: the unit
     * of a container whose processes all exited is gone already. */
    if (r < 0 && !gone(&e))
      ret = bus_fail(err, r, &e, "StopUnit", unit);
    else if (r >= 0 && (ret = reply_job(reply, &w, "StopUnit", unit, err)) == 0)
      ret = job_wait(sd, &w, "stop", unit, err);
    sd_bus_error_free(&e);
  }
  job_release(&w, slot);
  /* A failed unit stays loaded until reset: let systemd drop it. */
  reset_failed(sd, unit);
  return ret;
}

#else /* without sd-bus */

struct cgroup_systemd {
  int unused;
};

bool cgroup_systemd_supported(void) {
  return false;
}

int cgroup_systemd_connect(bool user, const char *unit,
                           struct cgroup_systemd **out,
                           struct minirt_error *err) {
  *out = NULL;
  return minirt_fail_msg(err, ENOTSUP,
                         "--systemd-cgroup (unit `%s`): minirt was built "
                         "without systemd support",
                         unit);
}

void cgroup_systemd_disconnect(struct cgroup_systemd *sd) {
  free(sd);
}

static int unsupported(struct minirt_error *err) {
  return minirt_fail_msg(err, ENOTSUP,
                         "minirt was built without systemd support");
}

int cgroup_systemd_start(struct cgroup_systemd *sd, const char *unit,
                         const char *slice, pid_t pid,
                         const struct oci_resources *res,
                         const struct oci_device *devices, size_t n_devices,
                         char **path, bool *started, struct minirt_error *err) {
  *path = NULL;
  *started = false;
  return unsupported(err);
}

int cgroup_systemd_update(struct cgroup_systemd *sd, const char *path,
                          const struct oci_resources *res,
                          struct minirt_error *err) {
  return unsupported(err);
}

int cgroup_systemd_stop(struct cgroup_systemd *sd, const char *path,
                        struct minirt_error *err) {
  return unsupported(err);
}

#endif
