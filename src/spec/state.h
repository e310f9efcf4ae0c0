/* JSON documents other than config.json: the runtime-spec state (printed by
 * `state`, fed to hooks), minirt's own per-container status file, the
 * `update --resources` document and `features`. */
#ifndef MINIRT_SPEC_STATE_H
#define MINIRT_SPEC_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"

/* runtime-spec state.md, plus runc's extra keys rootfs/created/owner. */
struct oci_state {
  char *oci_version;
  char *id;
  char *status; /* creating | created | running | paused | stopped */
  pid_t pid;    /* 0 when stopped */
  char *bundle;
  struct oci_kv annotations; /* borrowed or owned, see free */
  char *rootfs;
  char *created; /* RFC 3339 with nanoseconds */
  char *owner;
};
int oci_state_to_json(const struct oci_state *st, bool pretty, char **out,
                      struct minirt_error *err);

/* The runtime-spec's containerProcessState: what goes with the seccomp
 * notify fd to linux.seccomp.listenerPath. `state_json` is the container's
 * state document, `pid` the process's host pid, `metadata` may be NULL. */
int oci_process_state_to_json(const char *state_json, pid_t pid,
                              const char *metadata, char **out,
                              struct minirt_error *err);

/* minirt's status file in the state directory (written to a temp file and
 * renamed). Everything `state`, `kill`, `exec`, `delete` need without
 * re-reading the bundle. */
struct minirt_status {
  char *id;
  char *bundle;     /* absolute */
  char *rootfs;     /* absolute host path */
  pid_t pid;        /* init pid on the host */
  uint64_t pid_start_time; /* field 22 of /proc/PID/stat, guards pid reuse */
  char *created;    /* RFC 3339 */
  char *owner;      /* "" for root, as runc */
  char *cgroup_path; /* resolved cgroup path, relative to each hierarchy */
  bool systemd_cgroup;
  bool has_user_ns; /* container made or joined a user namespace */
};
int minirt_status_to_json(const struct minirt_status *s, char **out,
                          struct minirt_error *err);
int minirt_status_parse(const char *data, size_t len, struct minirt_status **out,
                        struct minirt_error *err);
void minirt_status_free(struct minirt_status *s);

/* `update --resources FILE`: a linux.resources object. */
int oci_resources_parse(const char *data, size_t len,
                        struct oci_resources **out, struct minirt_error *err);
int oci_resources_to_json(const struct oci_resources *r, char **out,
                          struct minirt_error *err);
void oci_resources_free(struct oci_resources *r);
/* The JSON path of the first field `r` sets ("linux.resources.memory.limit")
 * in *path (malloc'd): returns 1, or 0 with *path NULL when r sets nothing. */
int oci_resources_first_set(const struct oci_resources *r, char **path,
                            struct minirt_error *err);

/* `features` (runtime-spec features.md). The lists describe what this build
 * of minirt implements; the caller passes in what only it knows. */
struct minirt_features_input {
  const char *const *mount_options; /* NULL-terminated */
  const char *const *seccomp_actions, *const *seccomp_operators,
      *const *seccomp_archs;
  bool seccomp_enabled, apparmor, selinux;
  /* Added by the spec layer; all default to false / NULL. */
  const char *const *seccomp_supported_flags; /* NULL: every known flag */
  bool systemd_cgroup, rdma, intel_rdt, idmap_mounts;
  bool checkpoint; /* checkpoint/restore through criu are built in */
};
int minirt_features_to_json(const struct minirt_features_input *in,
                            char **out, struct minirt_error *err);

/* descriptors.json of a checkpoint (src/spec/descriptors.c): the init's
 * fds 0..2 as /proc/PID/fd shows them. *out is NULL-terminated, freed
 * string by string and then itself. */
int oci_descriptors_to_json(char *const *v, size_t n, char **out,
                            struct minirt_error *err);
int oci_descriptors_parse(const char *data, size_t len, char ***out, size_t *n,
                          struct minirt_error *err);

/* `exec --explain`: the resolved process and the source of each field. */
int oci_explain_to_json(const struct oci_process *p,
                        const char *const *fields, const char *const *sources,
                        size_t n, char **out, struct minirt_error *err);

#endif
