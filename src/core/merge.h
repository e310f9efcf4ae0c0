/* The exec merge engine: the one place that decides every field of an exec
 * process. A pure function (no I/O) of the process saved at create, an
 * optional --process file and the command-line flags. The contract is
 * ../shared/exec-semantics.md, documented in docs/exec.md. */
#ifndef MINIRT_CORE_MERGE_H
#define MINIRT_CORE_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/oci.h"

/* Layer 4: flags, each applies only when given. */
struct exec_flags {
  char **args; /* positional COMMAND [ARG...]; NULL-terminated or NULL */
  size_t n_args;
  char **env; /* --env K=V, in order given */
  size_t n_env;
  const char *cwd; /* --cwd */
  bool has_user;   /* --user UID[:GID] */
  uint32_t uid;
  bool has_gid; /* the :GID part */
  uint32_t gid;
  uint32_t *additional_gids; /* --additional-gids, in order */
  size_t n_additional_gids;
  char **caps; /* --cap CAP_X (normalised to the CAP_ prefix by the CLI) */
  size_t n_caps;
  bool no_new_privs;         /* --no-new-privs */
  const char *apparmor;      /* --apparmor */
  const char *process_label; /* --process-label */
  bool tty;                  /* --tty */
  /* Caller's terminal size, used for consoleSize when the file gives none. */
  bool has_caller_size;
  uint32_t caller_height, caller_width;
};

enum merge_field {
  MF_ARGS,
  MF_ENV,
  MF_CWD,
  MF_UID,
  MF_GID,
  MF_ADDITIONAL_GIDS,
  MF_UMASK,
  MF_CAPABILITIES,
  MF_RLIMITS,
  MF_NO_NEW_PRIVILEGES,
  MF_APPARMOR,
  MF_SELINUX_LABEL,
  MF_OOM_SCORE_ADJ,
  MF_SCHEDULER,
  MF_IO_PRIORITY,
  MF_EXEC_CPU_AFFINITY,
  MF_TERMINAL,
  MF_CONSOLE_SIZE,
  MF_COUNT
};

struct merge_result {
  struct oci_process *process; /* owned */
  /* "default", "config", "process-file", "flag --env", ... (static strings) */
  const char *source[MF_COUNT];
};

/* Field names as in the JSON ("user.uid", "env" ...), for --explain. */
const char *merge_field_name(enum merge_field f);

/* saved: the config's process (may be NULL: then layer 2 is empty);
 * file: the --process file (NULL when not given). Fails when no layer gives
 * args ("exec: no command given") or a --cap names an unknown capability. */
int merge_exec_process(const struct oci_process *saved,
                       const struct oci_process *file,
                       const struct exec_flags *flags, struct merge_result *out,
                       struct minirt_error *err);
void merge_result_free(struct merge_result *r);

/* Derived after the merge: HOME from the container's /etc/passwd text (may
 * be NULL) when env has no HOME or an empty one, else "/". Pure. */
int merge_derive_home(struct oci_process *p, const char *passwd_text,
                      struct minirt_error *err);
/* True when env already has a non-empty HOME: merge_derive_home would
 * change nothing, so the container's /etc/passwd need not be read. */
bool merge_has_home(const struct oci_process *p);

/* The value of KEY in p's env ("" for an entry "KEY" or "KEY="), or NULL
 * when absent. Points into p. */
const char *merge_env_get(const struct oci_process *p, const char *key);

/* Where args[0] without a '/' is searched: the final env's PATH, or
 * MERGE_DEFAULT_PATH when PATH is absent or empty. The env is not changed. */
#define MERGE_DEFAULT_PATH                                                     \
  "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
const char *merge_exec_search_path(const struct oci_process *p);

/* `exec --explain` (JSON, the default format): an object with "process"
 * (the merged process as oci_process_to_json writes it) and "sources" (merge
 * field name -> source). Caller frees *out. */
int merge_explain_json(const struct merge_result *r, char **out,
                       struct minirt_error *err);

/* `exec --explain --format table`: FIELD | SOURCE | VALUE. */
int merge_explain_table(const struct merge_result *r, char **out,
                        struct minirt_error *err);

#endif
