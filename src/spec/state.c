/* The runtime-spec state document and minirt's own status file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/state.h"
#include "util/cleanup.h"

int oci_state_to_json(const struct oci_state *st, bool pretty, char **out,
                      struct minirt_error *err) {
  _cleanup_json_ json_object *o = json_object_new_object();
  if (o == NULL ||
      ju_add_str(o, "ociVersion",
                 st->oci_version != NULL ? st->oci_version : MINIRT_OCI_VERSION) < 0 ||
      ju_add_str(o, "id", st->id) < 0 || ju_add_str(o, "status", st->status) < 0 ||
      ju_add_i64(o, "pid", st->pid) < 0 || ju_add_str(o, "bundle", st->bundle) < 0 ||
      ju_add_str(o, "rootfs", st->rootfs) < 0 ||
      ju_add_str(o, "created", st->created) < 0 ||
      ju_add_str(o, "owner", st->owner) < 0 ||
      ju_add_kv(o, "annotations", &st->annotations) < 0)
    return ju_oom(err);
  return ju_to_string(o, pretty, out, err);
}

int oci_process_state_to_json(const char *state_json, pid_t pid,
                               const char *metadata, char **out,
                               struct minirt_error *err) {
  _cleanup_json_ json_object *state = NULL;
  int ret = ju_parse_object(state_json, strlen(state_json), "container state",
                            &state, err);
  if (ret < 0)
    return ret;
  _cleanup_json_ json_object *o = json_object_new_object();
  static const char *const fds[] = {"seccompFd"};
  if (o == NULL || ju_add_str(o, "ociVersion", MINIRT_OCI_VERSION) < 0 ||
      ju_add(o, "fds", ju_strv_array(fds, 1)) < 0 ||
      ju_add_i64(o, "pid", pid) < 0 || ju_add_str(o, "metadata", metadata) < 0 ||
      ju_add(o, "state", json_object_get(state)) < 0)
    return ju_oom(err);
  return ju_to_string(o, false, out, err);
}

int minirt_status_to_json(const struct minirt_status *s, char **out,
                          struct minirt_error *err) {
  _cleanup_json_ json_object *o = json_object_new_object();
  if (o == NULL || ju_add_str(o, "id", s->id) < 0 ||
      ju_add_str(o, "bundle", s->bundle) < 0 ||
      ju_add_str(o, "rootfs", s->rootfs) < 0 || ju_add_i64(o, "pid", s->pid) < 0 ||
      ju_add_u64(o, "pidStartTime", s->pid_start_time) < 0 ||
      ju_add_str(o, "created", s->created) < 0 ||
      ju_add_str(o, "owner", s->owner) < 0 ||
      ju_add_str(o, "cgroupPath", s->cgroup_path) < 0 ||
      ju_add_bool(o, "systemdCgroup", s->systemd_cgroup) < 0 ||
      ju_add_bool(o, "hasUserNs", s->has_user_ns) < 0)
    return ju_oom(err);
  return ju_to_string(o, true, out, err);
}

void minirt_status_free(struct minirt_status *s) {
  if (s == NULL)
    return;
  free(s->id);
  free(s->bundle);
  free(s->rootfs);
  free(s->created);
  free(s->owner);
  free(s->cgroup_path);
  free(s);
}

static int parse_status(json_object *o, struct minirt_status *s,
                        struct minirt_error *err) {
  int64_t pid = 0;
  int r = ju_get_str(o, "", "id", &s->id, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, "", "id");
  if ((r = ju_get_i64(o, "", "pid", 0, INT32_MAX, &pid, err)) <= 0)
    return r < 0 ? r : ju_required(err, "", "pid");
  s->pid = (pid_t)pid;
  if (ju_get_str(o, "", "bundle", &s->bundle, err) < 0 ||
      ju_get_str(o, "", "rootfs", &s->rootfs, err) < 0 ||
      ju_get_u64(o, "", "pidStartTime", UINT64_MAX, &s->pid_start_time, err) < 0 ||
      ju_get_str(o, "", "created", &s->created, err) < 0 ||
      ju_get_str(o, "", "owner", &s->owner, err) < 0 ||
      ju_get_str(o, "", "cgroupPath", &s->cgroup_path, err) < 0 ||
      ju_get_bool(o, "", "systemdCgroup", &s->systemd_cgroup, err) < 0 ||
      ju_get_bool(o, "", "hasUserNs", &s->has_user_ns, err) < 0)
    return -EINVAL;
  return 0;
}

int minirt_status_parse(const char *data, size_t len, struct minirt_status **out,
                        struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  int r = ju_parse_object(data, len, "status", &o, err);
  if (r < 0)
    return r;
  struct minirt_status *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return ju_oom(err);
  if ((r = parse_status(o, s, err)) < 0) {
    minirt_status_free(s);
    return r;
  }
  *out = s;
  return 0;
}
