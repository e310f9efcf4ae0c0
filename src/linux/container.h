/* The container's init: cloned into its namespaces, it builds the
 * container's world, reports READY, then waits on exec.fifo for `start`
 * before it execve()s the user program. No re-exec of the runtime. */
#ifndef MINIRT_LINUX_CONTAINER_H
#define MINIRT_LINUX_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"

struct process_seccomp; /* linux/process/process.h */

struct container_spawn_opts {
  const struct oci_config *cfg;
  const char *rootfs;      /* absolute host path */
  const char *cgroup_path; /* already created by the caller; NULL: none, or
                              made by cgroup_place */
  int fifo_fd;             /* exec.fifo, O_RDWR: the init blocks reading it */
  bool no_pivot;
  bool no_new_keyring;
  /* Rootless, as core resolved it (--rootless, minirt_global_resolve). */
  bool rootless;
  int preserve_fds;
  /* linux.seccomp compiled before the clone (process_seccomp_prepare());
   * NULL: the init builds it. */
  const struct process_seccomp *seccomp;
  /* The config lists no mount namespace: the id of the mount at rootfs
   * before create (rootfs_host_base), so that a failure detaches only ours. */
  uint64_t host_mount_base;
  /* In the runtime, with the init's host pid: prestart and createRuntime
   * hooks. Fills *state_json (malloc'd) for the hooks run in the container. */
  int (*runtime_hooks)(void *data, pid_t pid, char **state_json,
                       struct minirt_error *err);
  /* In the runtime, right after the clone, before the init goes on (GO):
   * puts the init, which has not exec'd anything yet, into its cgroup
   * when that cannot be done beforehand (the systemd driver makes the unit
   * with the init's pid). NULL: nothing to do. */
  int (*cgroup_place)(void *data, pid_t pid, struct minirt_error *err);
  /* In the init: createContainer ("createContainer") before pivot_root and
   * startContainer ("startContainer") after start. */
  int (*container_hooks)(void *data, const char *kind, const char *state_json,
                         struct minirt_error *err);
  void *data;
  /* The merge engine's one rule that needs the container's files (HOME from
   * its /etc/passwd, core/merge.h merge_derive_home): called in the child
   * once it is inside the container's root, with that file's text (NULL
   * when there is none). Handed in so that the executor needs no core.
   * NULL when the process has HOME already: nothing to read. */
  int (*derive_home)(struct oci_process *p, const char *passwd_text,
                     struct minirt_error *err);
};

struct container_spawned {
  pid_t pid;      /* host pid of the init */
  int pty_master; /* process.terminal: the pty master, else -1 */
  int exit_code;  /* on failure: 127/126 when the program cannot be run */
};

/* On error nothing is left running: the init is killed and reaped. */
int container_spawn(const struct container_spawn_opts *o,
                    struct container_spawned *out, struct minirt_error *err);

#endif
