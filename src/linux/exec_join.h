/* exec: a new process inside a running container. The runtime joins the
 * container's pid namespace for its children, forks once, and the child
 * joins the cgroup and every other namespace of the init before applying
 * the merged process (process.h). */
#ifndef MINIRT_LINUX_EXEC_JOIN_H
#define MINIRT_LINUX_EXEC_JOIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"

struct process_seccomp; /* linux/process/process.h */

struct exec_join_opts {
  pid_t init_pid;
  uint64_t init_start_time; /* the init's, from the state: pid reuse check */
  const struct oci_config *cfg; /* the config saved at create */
  struct oci_process *process;  /* the merged process (HOME is derived here) */
  const char *cgroup_path;      /* container cgroup or --cgroup sub-cgroup */
  int preserve_fds;
  const char *state_json;
  bool want_pty; /* process->terminal */
  /* Rootless, as core resolved it (--rootless, minirt_global_resolve). */
  bool rootless;
  /* linux.seccomp compiled before the fork; NULL: the child builds it. */
  const struct process_seccomp *seccomp;
  /* The merge engine's one rule that needs the container's files (HOME from
   * its /etc/passwd, core/merge.h merge_derive_home): called in the child
   * once it is inside the container's root, with that file's text (NULL
   * when there is none). Handed in so that the executor needs no core.
   * NULL when the process has HOME already: nothing to read. */
  int (*derive_home)(struct oci_process *p, const char *passwd_text,
                     struct minirt_error *err);
};

struct exec_joined {
  pid_t pid;      /* host pid of the exec'd process */
  int pty_master; /* -1 without terminal */
  int exit_code;  /* on failure: 127, 126 or 1 */
};

/* Returns after the process has execve()d (or failed: then nothing is left
 * running and err says why). The process is a child of the caller. */
int exec_join_spawn(const struct exec_join_opts *o, struct exec_joined *out,
                    struct minirt_error *err);

#endif
