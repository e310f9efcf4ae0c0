/* core's side of the systemd cgroup driver (see systemd_unit.h). */
#include "core/systemd_unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/cgroup/cgroup.h"
#include "util/cleanup.h"

bool systemd_unit_user(const struct minirt_global *g) {
  return geteuid() != 0 || g->rootless;
}

int systemd_unit_open(const struct minirt_global *g, const char *cgroups_path,
                      const char *id, struct systemd_unit *u,
                      struct minirt_error *err) {
  memset(u, 0, sizeof *u);
  bool user = systemd_unit_user(g);
  int ret = cgroup_systemd_unit_names(cgroups_path, id, user, &u->unit,
                                      &u->slice, err);
  if (ret == 0)
    ret = cgroup_systemd_connect(user, u->unit, &u->sd, err);
  if (ret < 0)
    systemd_unit_close(u);
  return ret;
}

int systemd_unit_place(struct systemd_unit *u, struct minirt_status *s,
                       pid_t pid, const struct oci_linux *lx,
                       struct minirt_error *err) {
  char *path = NULL;
  int ret = cgroup_systemd_start(
      u->sd, u->unit, u->slice, pid, lx ? lx->resources : NULL,
      lx ? lx->devices : NULL, lx ? lx->n_devices : 0, &path, &u->started, err);
  if (path != NULL) {
    free(s->cgroup_path);
    s->cgroup_path = path;
  }
  return ret;
}

void systemd_unit_abort(struct systemd_unit *u, const char *cgroup_path) {
  struct minirt_error e = {0};
  if (!u->started)
    return;
  if (cgroup_systemd_stop(u->sd, u->unit, &e) < 0)
    fprintf(stderr, "minirt: warning: %s\n", e.msg);
  minirt_error_clear(&e);
  /* Sub-cgroups and the v1 hierarchies systemd does not manage. */
  if (cgroup_path != NULL && cgroup_destroy(cgroup_path, &e) < 0)
    fprintf(stderr, "minirt: warning: %s\n", e.msg);
  minirt_error_clear(&e);
  u->started = false;
}

void systemd_unit_close(struct systemd_unit *u) {
  cgroup_systemd_disconnect(u->sd);
  free(u->unit);
  free(u->slice);
  memset(u, 0, sizeof *u);
}

static const char *unit_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

int systemd_unit_update(const struct minirt_global *g, const char *cgroup_path,
                        const struct oci_resources *res,
                        struct minirt_error *err) {
  struct cgroup_systemd *sd = NULL;
  int ret = cgroup_systemd_connect(systemd_unit_user(g), unit_of(cgroup_path),
                                   &sd, err);
  if (ret == 0)
    ret = cgroup_systemd_update(sd, cgroup_path, res, err);
  cgroup_systemd_disconnect(sd);
  return ret;
}

int systemd_unit_stop(const struct minirt_global *g, const char *cgroup_path,
                      struct minirt_error *err) {
  struct cgroup_systemd *sd = NULL;
  int ret = cgroup_systemd_connect(systemd_unit_user(g), unit_of(cgroup_path),
                                   &sd, err);
  if (ret == 0)
    ret = cgroup_systemd_stop(sd, cgroup_path, err);
  cgroup_systemd_disconnect(sd);
  return ret;
}
