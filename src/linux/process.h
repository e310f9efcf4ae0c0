/* Turns the calling process into the container process: applies a resolved
 * oci_process in the order the kernel requires and execve()s it. Shared by
 * the init (after pivot_root) and by exec (after setns). */
#ifndef MINIRT_LINUX_PROCESS_H
#define MINIRT_LINUX_PROCESS_H

#include <stdbool.h>

#include "spec/oci.h"

struct process_ctx {
  const struct oci_process *process; /* resolved */
  const struct oci_linux *linux_;    /* seccomp, personality, memoryPolicy; may be NULL */
  int preserve_fds;                  /* fds 3 .. 3+preserve_fds-1 survive execve */
  const char *state_json;            /* sent with the seccomp listener fd */
  /* Filled by process_prepare(): the executable found by the PATH search. */
  char *exe_path;
  /* Exit status the runtime should report for a failure: 127 not found,
   * 126 not executable, 1 otherwise. */
  int exit_code;
};

/* Everything that can fail for a reason the user should see, up to and
 * including the identity switch: rlimits, oom_score_adj, scheduler,
 * ioPriority, CPU affinity, personality, memory policy, LSM labels for exec,
 * chdir (checked to be inside the container), the PATH lookup of args[0] as
 * the final user, setgroups/setresgid/setresuid keeping capabilities,
 * capabilities, umask, no_new_privs, and seccomp when it must be loaded while
 * still privileged (noNewPrivileges false). */
int process_prepare(struct process_ctx *ctx, struct minirt_error *err);

/* The last steps: seccomp (when noNewPrivileges is true), every fd but 0-2
 * and the preserved ones marked close-on-exec, execve. Returns only on
 * failure. */
int process_exec(struct process_ctx *ctx, struct minirt_error *err);

void process_ctx_release(struct process_ctx *ctx);

/* Sets rlimits/oom/... only; used where a step must run separately. */
int process_apply_rlimits(const struct oci_process *p, struct minirt_error *err);

#endif
