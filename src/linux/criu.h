/* Checkpoint and restore through the criu binary, driven by its command
 * line (no RPC, no protobuf): the argv is built here from what core
 * decided (pure, unit-tested), then criu runs as our child and its log
 * is quoted when it fails. */
#ifndef MINIRT_LINUX_CRIU_H
#define MINIRT_LINUX_CRIU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "linux/cgroup/cgroup.h"
#include "util/error.h"

/* A growing NULL-terminated argv (every string owned). */
struct criu_argv {
  char **v;
  size_t n, cap;
};
void criu_argv_free(struct criu_argv *a);

/* What both a dump and a restore take. */
struct criu_common {
  const char *criu;         /* binary, resolved (criu_resolve) */
  const char *images;       /* -D */
  const char *work;         /* -W or NULL (criu: the images dir) */
  const char *log;          /* -o: a file name, relative to the work dir */
  const char *root;         /* --root: the container's root on the host */
  const char *cgroups_mode; /* --manage-cgroups=MODE or NULL (soft) */
  bool tcp_established, ext_unix_sk, shell_job, file_locks, auto_dedup,
      lazy_pages, empty_ns_net;
  /* --ext-mount-map KEY:VAL, one "KEY:VAL" each. */
  char *const *ext_mounts;
  size_t n_ext_mounts;
};

struct criu_dump {
  struct criu_common c;
  pid_t pid;     /* -t */
  bool pre_dump; /* `criu pre-dump` */
  bool leave_running, tcp_skip_in_flight, link_remap;
  const char *parent;        /* --prev-images-dir (relative to images) */
  const char *freeze_cgroup; /* --freeze-cgroup: host path, or NULL */
  char *const *externals; /* --external, e.g. "net[4026531992]:extRootNetNS" */
  size_t n_externals;
};

struct criu_restore {
  struct criu_common c;
  const char *pidfile;      /* --pidfile: the restored init's host pid */
  const char *cgroup_root;  /* --cgroup-root: the container's cgroup path */
  char *const *inherit_fds; /* --inherit-fd, e.g. "fd[1]:pipe:[1234]" */
  size_t n_inherit_fds;
  char *const *join_ns; /* --join-ns, e.g. "ipc:/run/ns/ipc" */
  size_t n_join_ns;
};

/* Pure: the command lines. */
int criu_dump_argv(const struct criu_dump *d, struct criu_argv *out,
                   struct minirt_error *err);
int criu_restore_argv(const struct criu_restore *r, struct criu_argv *out,
                      struct minirt_error *err);

/* `criu` or --criu PATH -> an executable path, searching $PATH for a bare
 * name. A missing binary fails with a message that says how to get one. */
int criu_resolve(const char *name, char **out, struct minirt_error *err);

/* Runs argv (argv[0] the resolved binary) as our child and waits for it:
 * stdio is /dev/null, or ours with keep_stdio (restore: criu hands it to
 * the restored process); in the cgroup of `join` when not NULL; the
 * extra fds become fds 3, 4 ... in criu (external namespaces). A
 * non-zero exit fails with the "Error" lines of log_path quoted. */
#define CRIU_MAX_EXTRA_FDS 4
struct criu_run_opts {
  struct cgroup_join *join;
  bool keep_stdio;
  int extra_fds[CRIU_MAX_EXTRA_FDS];
  size_t n_extra_fds;
  const char *log_path; /* full path of criu's -o */
  const char *what;     /* "dump", "restore": for the messages */
};
int criu_run(const struct criu_argv *argv, const struct criu_run_opts *o,
             struct minirt_error *err);

/* A recursive bind of the container's rootfs on `dir` (made), as criu
 * restores into a mount point; criu_root_unbind detaches and removes it. */
int criu_root_bind(const char *rootfs, const char *dir,
                   struct minirt_error *err);
void criu_root_unbind(const char *dir);

#endif
