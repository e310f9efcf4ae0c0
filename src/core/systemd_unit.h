/* When a container's cgroup is a systemd unit (--systemd-cgroup): core's
 * side of the systemd driver (linux/cgroup/systemd.c does the D-Bus talk).
 * create connects before anything exists, makes the unit once the init is
 * cloned (container_spawn_opts.cgroup_place), and stops it when create
 * fails; update and delete reach the unit named by the recorded path. */
#ifndef MINIRT_CORE_SYSTEMD_UNIT_H
#define MINIRT_CORE_SYSTEMD_UNIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/runtime.h"
#include "spec/oci.h"
#include "spec/state.h"

struct cgroup_systemd; /* linux/cgroup/cgroup.h */

struct systemd_unit {
  struct cgroup_systemd *sd;
  char *unit, *slice;
  bool started; /* the unit exists: a failed create must stop it */
};

/* The system instance, or the caller's user instance when rootless (euid
 * not 0 or minirt's rootless mode), as runc. */
bool systemd_unit_user(const struct minirt_global *g);
/* Unit name and slice from cgroupsPath, and the bus connection. */
int systemd_unit_open(const struct minirt_global *g, const char *cgroups_path,
                      const char *id, struct systemd_unit *u,
                      struct minirt_error *err);
/* Makes the unit with `pid` in it; s->cgroup_path becomes the unit's. */
int systemd_unit_place(struct systemd_unit *u, struct minirt_status *s,
                       pid_t pid, const struct oci_linux *lx,
                       struct minirt_error *err);
/* A failed create, once the init is dead: stop the unit, remove its
 * cgroup. Errors are only warned about. */
void systemd_unit_abort(struct systemd_unit *u, const char *cgroup_path);
void systemd_unit_close(struct systemd_unit *u);
/* update and delete of a container made with --systemd-cgroup. */
int systemd_unit_update(const struct minirt_global *g, const char *cgroup_path,
                        const struct oci_resources *res,
                        struct minirt_error *err);
int systemd_unit_stop(const struct minirt_global *g, const char *cgroup_path,
                      struct minirt_error *err);

#endif
