/* The systemd cgroup driver: the container's cgroup is a transient unit
 * that systemd makes over D-Bus (our own client, src/linux/dbus/), as runc
 * and crun do. A scope with Delegate=yes and the init's pid in PIDs
 * (systemd moves it there), the resources as unit properties
 * (systemd_props.c) and in the files (resources.c): the files are what the
 * kernel enforces, the properties keep systemd from resetting them when it
 * re-applies the unit. */
#include "linux/cgroup/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/dbus/bus.h"
#include "util/cleanup.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
/* How long a call or a job may take (runc's figure for jobs). */
#define TIMEOUT_MS 30000

struct cgroup_systemd {
  struct dbus_bus *bus;
  bool user;
  bool watching; /* the JobRemoved match is on the bus */
};

bool cgroup_systemd_supported(void) {
  return true;
}

static const char *instance(const struct cgroup_systemd *sd) {
  return sd->user ? "user" : "system";
}

int cgroup_systemd_connect(bool user, const char *unit,
                           struct cgroup_systemd **out,
                           struct minirt_error *err) {
  *out = NULL;
  _cleanup_free_ char *addr = NULL;
  int r = dbus_bus_default_address(user, &addr, err);
  if (r < 0) {
    minirt_error_prefix(err,
                        "systemd unit `%s`: connect to the systemd %s "
                        "instance over D-Bus: ",
                        unit, user ? "user" : "system");
    return r;
  }
  struct cgroup_systemd *sd = calloc(1, sizeof *sd);
  if (sd == NULL)
    return minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  sd->user = user;
  r = dbus_bus_open(addr, &sd->bus, err);
  if (r < 0) {
    free(sd);
    minirt_error_prefix(err,
                        "systemd unit `%s`: connect to the systemd %s "
                        "instance over D-Bus (%s): ",
                        unit, user ? "user" : "system", addr);
    return r;
  }
  *out = sd;
  return 0;
}

void cgroup_systemd_disconnect(struct cgroup_systemd *sd) {
  if (sd == NULL)
    return;
  dbus_bus_close(sd->bus);
  free(sd);
}

/* A method of systemd's Manager object. */
static int manager_call(struct cgroup_systemd *sd, const char *member,
                        const char *sig, const struct dbus_writer *body,
                        struct dbus_message *reply, struct dbus_error_reply *e,
                        struct minirt_error *err) {
  struct dbus_call c = {.destination = SD_DEST,
                        .path = SD_PATH,
                        .interface = SD_MANAGER,
                        .member = member,
                        .signature = sig,
                        .body = body};
  return dbus_bus_call(sd->bus, &c, TIMEOUT_MS, reply, e, err);
}

/* A Manager method taking one or two strings. */
static int manager_call_s(struct cgroup_systemd *sd, const char *member,
                          const char *a, const char *b,
                          struct dbus_message *reply,
                          struct dbus_error_reply *e,
                          struct minirt_error *err) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, a);
  if (b != NULL)
    dbus_put_string(&w, b);
  int r = manager_call(sd, member, b != NULL ? "ss" : "s", &w, reply, e, err);
  dbus_writer_free(&w);
  return r;
}

static void bus_prefix(struct minirt_error *err, const char *what,
                       const char *unit) {
  minirt_error_prefix(err, "systemd unit `%s`: %s: ", unit, what);
}

static const char *unit_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

static bool is_slice(const char *unit) {
  size_t n = strlen(unit);
  return n > 6 && strcmp(unit + n - 6, ".slice") == 0;
}

static bool has_name(const struct dbus_error_reply *e, const char *name) {
  return e->name != NULL && strcmp(e->name, name) == 0;
}

/* ---- jobs ---- */

struct job_wait {
  char *job;    /* object path of our job, once the call returned it */
  char *result; /* "done", "failed", "timeout", ... */
};

/* JobRemoved(u id, o job, s unit, s result). */
static int job_removed(const struct dbus_message *m, const char **job,
                       const char **result) {
  if (m->interface == NULL || strcmp(m->interface, SD_MANAGER) != 0 ||
      m->member == NULL || strcmp(m->member, "JobRemoved") != 0 ||
      strcmp(m->signature, "uoss") != 0)
    return -ENOMSG;
  struct dbus_reader r;
  uint32_t id;
  const char *unit;
  dbus_message_body(m, &r);
  int ret = dbus_get_u32(&r, &id);
  if (ret == 0)
    ret = dbus_get_path(&r, job);
  if (ret == 0)
    ret = dbus_get_string(&r, &unit);
  if (ret == 0)
    ret = dbus_get_string(&r, result);
  return ret;
}

static bool is_our_job(const struct dbus_message *m, void *data) {
  const struct job_wait *w = data;
  const char *job, *result;
  return job_removed(m, &job, &result) == 0 && strcmp(job, w->job) == 0;
}

/* The JobRemoved signal of w->job. The match was added before the call,
 * and what arrives meanwhile is queued, so a fast job is not missed. */
static int job_wait(struct cgroup_systemd *sd, struct job_wait *w,
                    const char *what, const char *unit,
                    struct minirt_error *err) {
  struct dbus_message m;
  int r = dbus_bus_wait_signal(sd->bus, is_our_job, w, TIMEOUT_MS, &m, err);
  if (r == -ETIMEDOUT) {
    minirt_error_clear(err);
    return minirt_fail_msg(err, ETIMEDOUT,
                           "systemd unit `%s`: %s: no answer from the "
                           "job in 30 s",
                           unit, what);
  }
  if (r < 0) {
    bus_prefix(err, what, unit);
    return r;
  }
  const char *job, *result;
  job_removed(&m, &job, &result);
  w->result = strdup(result);
  dbus_message_free(&m);
  if (w->result == NULL)
    return minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  return 0;
}

/* Once per connection, before the first call that makes a job. */
static int watch_jobs(struct cgroup_systemd *sd, const char *unit,
                      struct minirt_error *err) {
  if (sd->watching)
    return 0;
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w,
                  "type='signal',sender='" SD_DEST "',interface='" SD_MANAGER
                  "',member='JobRemoved',path='" SD_PATH "'");
  struct dbus_call c = {.destination = "org.freedesktop.DBus",
                        .path = "/org/freedesktop/DBus",
                        .interface = "org.freedesktop.DBus",
                        .member = "AddMatch",
                        .signature = "s",
                        .body = &w};
  int r = dbus_bus_call(sd->bus, &c, TIMEOUT_MS, NULL, NULL, err);
  dbus_writer_free(&w);
  if (r < 0) {
    bus_prefix(err, "subscribe to JobRemoved", unit);
    return r;
  }
  sd->watching = true;
  return 0;
}

static void job_release(struct job_wait *w) {
  free(w->job);
  free(w->result);
  w->job = w->result = NULL;
}

static int reply_job(const struct dbus_message *reply, struct job_wait *w,
                     const char *what, const char *unit,
                     struct minirt_error *err) {
  const char *job;
  int r = dbus_read_string_body(reply, 'o', what, &job, err);
  if (r < 0) {
    minirt_error_prefix(err, "systemd unit `%s`: ", unit);
    return r;
  }
  if ((w->job = strdup(job)) == NULL)
    return minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  return 0;
}

/* ---- properties ---- */

/* One (sv) of an a(sv): the name and the variant's signature; the value
 * follows. */
static void prop_begin(struct dbus_writer *w, const char *name,
                       const char *sig) {
  dbus_open_struct(w);
  dbus_put_string(w, name);
  dbus_put_variant(w, sig);
}

static void put_bool_prop(struct dbus_writer *w, const char *name, bool v) {
  prop_begin(w, name, "b");
  dbus_put_bool(w, v);
}

static void put_string_prop(struct dbus_writer *w, const char *name,
                            const char *v) {
  prop_begin(w, name, "s");
  dbus_put_string(w, v);
}

static void append_prop(struct dbus_writer *w, const struct cgroup_sd_prop *p) {
  switch (p->type) {
  case CGROUP_SD_U64:
    prop_begin(w, p->name, "t");
    dbus_put_u64(w, p->u);
    return;
  case CGROUP_SD_BOOL:
    put_bool_prop(w, p->name, p->u != 0);
    return;
  case CGROUP_SD_STR:
    put_string_prop(w, p->name, p->s);
    return;
  case CGROUP_SD_BYTES:
    prop_begin(w, p->name, "ay");
    dbus_put_bytes(w, p->bytes, p->n);
    return;
  case CGROUP_SD_DEVICES: {
    prop_begin(w, p->name, "a(ss)");
    struct dbus_array a = dbus_open_array(w, 8);
    for (size_t i = 0; i < p->n; i++) {
      dbus_open_struct(w);
      dbus_put_string(w, p->devs[i].path);
      dbus_put_string(w, p->devs[i].perms);
    }
    dbus_close_array(w, a);
    return;
  }
  }
}

static void append_props(struct dbus_writer *w,
                         const struct cgroup_sd_props *p) {
  for (size_t i = 0; i < p->n; i++)
    append_prop(w, &p->v[i]);
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

/* StartTransientUnit(s name, s mode, a(sv) properties, a(sa(sv)) aux). */
static void start_message(struct dbus_writer *w, const char *unit,
                          const char *slice, pid_t pid,
                          const struct cgroup_sd_props *props) {
  bool v2 = unified();
  dbus_writer_init(w);
  dbus_put_string(w, unit);
  /* "fail": never replace a job someone else queued for this name. */
  dbus_put_string(w, "fail");
  struct dbus_array a = dbus_open_array(w, 8);
  put_string_prop(w, "Description", "minirt container");
  if (!is_slice(unit)) {
    /* A slice's parent is in its name; a scope says it and holds the init. */
    put_string_prop(w, "Slice", slice);
    put_bool_prop(w, "Delegate", true);
    prop_begin(w, "PIDs", "au");
    struct dbus_array pids = dbus_open_array(w, 4);
    dbus_put_u32(w, (uint32_t)pid);
    dbus_close_array(w, pids);
  }
  /* No ordering against shutdown.target & co: the container's life is
   * minirt's business. Accounting on: stats work without limits. */
  put_bool_prop(w, "DefaultDependencies", false);
  put_bool_prop(w, "MemoryAccounting", true);
  put_bool_prop(w, "CPUAccounting", true);
  put_bool_prop(w, "TasksAccounting", true);
  put_bool_prop(w, v2 ? "IOAccounting" : "BlockIOAccounting", true);
  append_props(w, props);
  dbus_close_array(w, a);
  /* no auxiliary units */
  dbus_close_array(w, dbus_open_array(w, 8));
}

static void reset_failed(struct cgroup_systemd *sd, const char *unit) {
  struct minirt_error e = {0};
  manager_call_s(sd, "ResetFailedUnit", unit, NULL, NULL, NULL, &e);
  minirt_error_clear(&e);
}

static int start_call(struct cgroup_systemd *sd, const char *unit,
                      const char *slice, pid_t pid,
                      const struct cgroup_sd_props *props, struct job_wait *w,
                      struct minirt_error *err) {
  for (int attempt = 0;; attempt++) {
    struct dbus_writer body;
    struct dbus_message reply;
    struct dbus_error_reply e = {0};
    start_message(&body, unit, slice, pid, props);
    int r = manager_call(sd, "StartTransientUnit", "ssa(sv)a(sa(sv))", &body,
                         &reply, &e, err);
    dbus_writer_free(&body);
    if (r == 0) {
      r = reply_job(&reply, w, "StartTransientUnit", unit, err);
      dbus_message_free(&reply);
      return r;
    }
    bool exists = has_name(&e, "org.freedesktop.systemd1.UnitExists");
    dbus_error_reply_free(&e);
    if (!exists) {
      bus_prefix(err, "StartTransientUnit", unit);
      return r;
    }
    minirt_error_clear(err);
    /* A unit of that name may be a failed leftover: reset it (systemd then
     * drops it) and try once more, as runc does. */
    if (attempt == 0) {
      reset_failed(sd, unit);
      continue;
    }
    return minirt_fail_msg(err, EEXIST,
                           "systemd unit `%s` already exists (in the "
                           "systemd %s instance)",
                           unit, instance(sd));
  }
}

/* The unit's cgroup as systemd has it: the path in the user instance is
 * below user@UID.service, which only systemd knows. */
static int control_group(struct cgroup_systemd *sd, const char *unit,
                         char **path, struct minirt_error *err) {
  struct dbus_message reply;
  const char *what = "read its ControlGroup";
  int r = manager_call_s(sd, "GetUnit", unit, NULL, &reply, NULL, err);
  if (r < 0) {
    bus_prefix(err, what, unit);
    return r;
  }
  const char *obj;
  _cleanup_free_ char *object = NULL;
  r = dbus_read_string_body(&reply, 'o', "GetUnit", &obj, err);
  if (r == 0 && (object = strdup(obj)) == NULL)
    r = minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
  dbus_message_free(&reply);
  if (r < 0) {
    bus_prefix(err, what, unit);
    return r;
  }
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, is_slice(unit) ? "org.freedesktop.systemd1.Slice"
                                     : "org.freedesktop.systemd1.Scope");
  dbus_put_string(&w, "ControlGroup");
  struct dbus_call c = {.destination = SD_DEST,
                        .path = object,
                        .interface = "org.freedesktop.DBus.Properties",
                        .member = "Get",
                        .signature = "ss",
                        .body = &w};
  r = dbus_bus_call(sd->bus, &c, TIMEOUT_MS, &reply, NULL, err);
  dbus_writer_free(&w);
  const char *cg = NULL;
  if (r == 0) {
    r = dbus_read_string_body(&reply, 'v', "Properties.Get", &cg, err);
    if (r == 0 && (*path = strdup(cg)) == NULL)
      r = minirt_fail(err, ENOMEM, "systemd unit `%s`", unit);
    dbus_message_free(&reply);
  }
  if (r < 0) {
    bus_prefix(err, what, unit);
    return r;
  }
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
  ret = watch_jobs(sd, unit, err);
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
  job_release(&w);
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
    struct dbus_writer w;
    dbus_writer_init(&w);
    dbus_put_string(&w, unit);
    /* runtime: the change lives as long as the transient unit */
    dbus_put_bool(&w, true);
    struct dbus_array a = dbus_open_array(&w, 8);
    append_props(&w, &props);
    dbus_close_array(&w, a);
    ret = manager_call(sd, "SetUnitProperties", "sba(sv)", &w, NULL, NULL, err);
    dbus_writer_free(&w);
    if (ret < 0)
      bus_prefix(err, "SetUnitProperties", unit);
  }
  if (ret == 0)
    ret = write_files(path, res, NULL, 0, &props, true, err);
  if (ret < 0)
    minirt_error_prefix(err, "update cgroup `%s`: ", path);
  cgroup_sd_props_free(&props);
  return ret;
}

static bool gone(const struct dbus_error_reply *e) {
  return has_name(e, "org.freedesktop.systemd1.NoSuchUnit") ||
         has_name(e, "org.freedesktop.systemd1.LoadFailed");
}

int cgroup_systemd_stop(struct cgroup_systemd *sd, const char *path,
                        struct minirt_error *err) {
  const char *unit = unit_of(path);
  struct job_wait w = {0};
  int ret = watch_jobs(sd, unit, err);
  if (ret == 0) {
    struct dbus_message reply;
    struct dbus_error_reply e = {0};
    int r = manager_call_s(sd, "StopUnit", unit, "replace", &reply, &e, err);
    /* An empty scope is stopped and dropped by systemd itself: the unit
     * of a container whose processes all exited is gone already. */
    if (r < 0 && gone(&e)) {
      minirt_error_clear(err);
    } else if (r < 0) {
      bus_prefix(err, "StopUnit", unit);
      ret = r;
    } else {
      ret = reply_job(&reply, &w, "StopUnit", unit, err);
      dbus_message_free(&reply);
      if (ret == 0)
        ret = job_wait(sd, &w, "stop", unit, err);
    }
    dbus_error_reply_free(&e);
  }
  job_release(&w);
  /* A failed unit stays loaded until reset: let systemd drop it. */
  reset_failed(sd, unit);
  return ret;
}
