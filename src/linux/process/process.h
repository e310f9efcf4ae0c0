/* Turns the calling process into the container process: applies a resolved
 * oci_process in the order the kernel requires and execve()s it. Shared by
 * the init (after pivot_root) and by exec (after setns). */
#ifndef MINIRT_LINUX_PROCESS_PROCESS_H
#define MINIRT_LINUX_PROCESS_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec/oci.h"

struct sock_filter;

/* A seccomp filter compiled in the runtime, before the clone or fork, so
 * that the child only loads it (process/seccomp_prepare.c). */
struct process_seccomp {
  struct sock_filter *insns; /* malloc'd; NULL: the child builds the filter */
  size_t n;                  /* instructions */
  unsigned flags;            /* SECCOMP_FILTER_FLAG_* for the load */
};

/* Receives the debug notes of the seccomp cache (hits, misses, entries
 * ignored or not written). */
typedef void (*process_note_fn)(void *data, const char *msg);

/* Compiles lx->seccomp, or takes it from the cache under `cache_root` (the
 * state root; NULL: no cache). The cache key is `text`, the exact JSON text
 * of linux.seccomp in the config (oci_config_find_member()); NULL, when it
 * could not be found, means no cache. Leaves out->insns NULL when there is
 * no filter or when it uses SCMP_ACT_NOTIFY (the listener fd comes from
 * libseccomp's own load, in the child). Fails only for a profile that
 * cannot be built; the cache never fails it. */
int process_seccomp_prepare(const struct oci_linux *lx, const char *text,
                            size_t text_len, const char *cache_root,
                            struct process_seccomp *out, process_note_fn note,
                            void *data, struct minirt_error *err);
/* The program of linux.seccomp `text` from the cache alone: true (out
 * filled) when a good entry is there. Lets exec skip parsing the profile. */
bool process_seccomp_cached(const char *text, size_t len,
                            const char *cache_root, struct process_seccomp *out,
                            process_note_fn note, void *data);
void process_seccomp_release(struct process_seccomp *p);
/* True when lx->seccomp uses SCMP_ACT_NOTIFY: the container process then
 * waits for the runtime to pass its listener fd on. */
bool process_seccomp_uses_notify(const struct oci_linux *lx);

/* In the runtime, on the host: connects to linux.seccomp.listenerPath and
 * sends the notify fd of the process `pid` with the runtime-spec's
 * containerProcessState (built from `state_json`) as the message. */
int process_seccomp_notify_send(const struct oci_linux *lx,
                                const char *state_json, pid_t pid,
                                int notify_fd, struct minirt_error *err);

struct process_ctx {
  const struct oci_process *process; /* resolved */
  const struct oci_linux *linux_;    /* seccomp, personality, memoryPolicy; may be NULL */
  int preserve_fds;                  /* fds 3 .. 3+preserve_fds-1 survive execve */
  const char *state_json;            /* sent with the seccomp listener fd */
  /* Filled by process_prepare() when the filter uses SCMP_ACT_NOTIFY: the
   * notify fd (O_CLOEXEC), which the caller hands to the runtime (it goes
   * to linux.seccomp.listenerPath from the host); else -1. */
  int notify_fd;
  /* The filter compiled before the clone (process_seccomp_prepare()), or
   * NULL / insns NULL: build it from linux_->seccomp here. */
  const struct process_seccomp *seccomp;
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

/* The text of the current root's /etc/passwd (call it inside the
 * container), or NULL when there is none or it is not a regular file: a
 * FIFO or device planted there must not block or feed the runtime.
 * (process/passwd.c) */
char *passwd_read_container(void);

/* Sets rlimits/oom/... only; used where a step must run separately. */
int process_apply_rlimits(const struct oci_process *p, struct minirt_error *err);

/* ---- the steps of process_prepare(), exposed for tests and callers that
 * need one of them alone (process/attrs.c, process/path.c) ---- */

/* oom_score_adj, scheduler, ioPriority, execCPUAffinity.initial. */
int process_apply_sched(const struct oci_process *p, struct minirt_error *err);
/* linux.personality and linux.memoryPolicy; lx may be NULL. */
int process_apply_personality(const struct oci_linux *lx,
                              struct minirt_error *err);
int process_apply_mempolicy(const struct oci_linux *lx,
                            struct minirt_error *err);
/* apparmorProfile / selinuxLabel for the next execve. */
int process_apply_lsm(const struct oci_process *p, struct minirt_error *err);
/* Sets the CPU affinity from a list such as "0-3,7". `what` names the JSON
 * field for errors. */
int process_set_affinity(const char *list, const char *what,
                         struct minirt_error *err);

/* Opens /proc/<file> (e.g. "self/oom_score_adj") on a verified procfs: /proc
 * must be a real procfs and no symlink or mount may redirect the path. */
int process_open_proc_file(const char *file, int flags,
                           struct minirt_error *err);

/* Writes data in one write() to a file opened by process_open_proc_file(). */
int process_write_proc_file(const char *file, const char *data,
                            struct minirt_error *err);

/* Parses a kernel list ("0-3,5,7-8") into the bitmask `mask` of `nbits`
 * bits (zeroed first). Fails naming `what` for a malformed list or a number
 * >= nbits. */
int process_parse_id_list(const char *list, unsigned long *mask, size_t nbits,
                          const char *what, struct minirt_error *err);

/* The value of KEY in a "KEY=VALUE" list, NULL if absent. */
const char *process_env_get(const struct oci_strv *env, const char *key);

/* Resolves args[0] as execve will run it: a name with a '/' is taken as is
 * (relative to the cwd); otherwise every entry of path_env (the default PATH
 * when NULL) is tried in order. Checks run with the caller's effective
 * credentials (faccessat AT_EACCESS), so call it as the final user. Not
 * found: "executable file `NAME` not found in $PATH", *exit_code 127; found
 * but not executable: "exec `NAME`: permission denied", *exit_code 126. */
int process_find_executable(const char *name, const char *path_env,
                            char **out, int *exit_code,
                            struct minirt_error *err);

#define PROCESS_DEFAULT_PATH \
  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#endif
