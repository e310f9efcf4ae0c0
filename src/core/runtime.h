/* The commands, as core functions the CLI calls after parsing. Each returns
 * 0 or a negative errno with *err filled; output goes to `out`. */
#ifndef MINIRT_CORE_RUNTIME_H
#define MINIRT_CORE_RUNTIME_H

#include <stdbool.h>
#include <stdio.h>

#include "core/merge.h"
#include "spec/oci.h"

#define MINIRT_DEFAULT_ROOT "/run/minirt"

enum minirt_rootless {
  MINIRT_ROOTLESS_AUTO, /* rootless when not root (userns_running_rootless) */
  MINIRT_ROOTLESS_TRUE,
  MINIRT_ROOTLESS_FALSE,
};

struct minirt_global {
  /* --root; NULL until minirt_global_resolve: MINIRT_DEFAULT_ROOT for
   * root, $XDG_RUNTIME_DIR/minirt for anyone else (as runc). */
  const char *root;
  const char *log;        /* --log FILE or NULL (stderr only) */
  const char *log_format; /* "text" | "json" */
  bool debug;
  bool systemd_cgroup;
  enum minirt_rootless rootless_mode; /* --rootless true|false|auto */
  bool rootless;                      /* resolved by minirt_global_resolve */
};

/* Resolves what the global options leave open: rootless for `auto`, and
 * the default --root (in *owned, for the caller to free). Fails when a
 * non-root caller gave no --root and has no usable XDG_RUNTIME_DIR. */
int minirt_global_resolve(struct minirt_global *g, char **owned,
                          struct minirt_error *err);

struct create_opts {
  const char *id;
  const char *bundle;          /* default "." */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool no_pivot;
  bool no_new_keyring;
  bool detach;                 /* run -d */
  bool keep;                   /* run --keep: no delete after exit */
  bool proxy_terminal;         /* set by run: it proxies the pty itself */
};

int minirt_create(const struct minirt_global *g, const struct create_opts *o,
                  struct minirt_error *err);
int minirt_start(const struct minirt_global *g, const char *id,
                 struct minirt_error *err);
/* create + start (+ wait + delete unless detached); *status is the exit
 * status minirt should exit with (128+N for signal N). */
int minirt_run(const struct minirt_global *g, const struct create_opts *o,
               int *status, struct minirt_error *err);
int minirt_state(const struct minirt_global *g, const char *id, FILE *out,
                 struct minirt_error *err);
int minirt_kill(const struct minirt_global *g, const char *id, int sig,
                bool all, struct minirt_error *err);
int minirt_delete(const struct minirt_global *g, const char *id, bool force,
                  struct minirt_error *err);
int minirt_list(const struct minirt_global *g, const char *format, bool quiet,
                FILE *out, struct minirt_error *err);

struct exec_opts {
  const char *id;
  const char *process_file; /* --process */
  bool detach;
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  const char *cgroup;       /* --cgroup: a sub-cgroup of the container's */
  bool ignore_paused;
  bool explain;             /* --explain: print the resolved process, run nothing */
  const char *explain_format; /* "json" (default) | "table" */
  struct exec_flags flags;
};
int minirt_exec(const struct minirt_global *g, const struct exec_opts *o,
                int *status, FILE *out, struct minirt_error *err);

int minirt_ps(const struct minirt_global *g, const char *id,
              const char *format, char *const *ps_args, FILE *out,
              struct minirt_error *err);
int minirt_pause(const struct minirt_global *g, const char *id,
                 struct minirt_error *err);
int minirt_resume(const struct minirt_global *g, const char *id,
                  struct minirt_error *err);
/* resources_file: path or "-" for stdin or NULL; flags: the values given on
 * the command line (fields set only where a flag was given). */
int minirt_update(const struct minirt_global *g, const char *id,
                  const char *resources_file,
                  const struct oci_resources *flags, struct minirt_error *err);
int minirt_events(const struct minirt_global *g, const char *id, bool stats,
                  int interval_sec, FILE *out, struct minirt_error *err);

/* Options both checkpoint and restore take (runc's names). */
struct criu_opts {
  const char *criu;       /* --criu PATH (global), default "criu" */
  const char *image_path; /* default ./checkpoint, as runc */
  const char *work_path;  /* logs and work files; default the image dir */
  const char *manage_cgroups_mode; /* soft (default) | full | strict | ignore */
  bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup,
      lazy_pages;
  /* --empty-ns network; like runc the network namespace is never dumped
   * (the engine owns it), so this only restates the default. */
  bool empty_ns_net;
};

struct checkpoint_opts {
  const char *id;
  struct criu_opts c;
  const char *parent_path; /* --parent-path, relative to the image dir */
  bool leave_running, pre_dump, tcp_skip_in_flight, link_remap;
};
int minirt_checkpoint(const struct minirt_global *g,
                      const struct checkpoint_opts *o,
                      struct minirt_error *err);

struct restore_opts {
  const char *id;
  struct criu_opts c;
  const char *bundle; /* default "." */
  const char *pid_file;
  const char *console_socket;
  bool detach, no_subreaper, no_pivot;
};
/* *status: as run's (the restored init's exit status) without --detach. */
int minirt_restore(const struct minirt_global *g, const struct restore_opts *o,
                   int *status, struct minirt_error *err);

int minirt_spec(const char *bundle, bool rootless, struct minirt_error *err);
int minirt_features(FILE *out, struct minirt_error *err);

#endif
