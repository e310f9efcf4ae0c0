/* Option tables of checkpoint and restore, runc's flags. */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"

enum {
  O_IMAGE_PATH = 1,
  O_WORK_PATH,
  O_PARENT_PATH,
  O_LEAVE_RUNNING,
  O_TCP_ESTABLISHED,
  O_TCP_SKIP_IN_FLIGHT,
  O_LINK_REMAP,
  O_EXT_UNIX_SK,
  O_SHELL_JOB,
  O_LAZY_PAGES,
  O_STATUS_FD,
  O_PAGE_SERVER,
  O_FILE_LOCKS,
  O_PRE_DUMP,
  O_MANAGE_CGROUPS_MODE,
  O_EMPTY_NS,
  O_AUTO_DEDUP,
  O_BUNDLE,
  O_DETACH,
  O_PID_FILE,
  O_CONSOLE_SOCKET,
  O_NO_SUBREAPER,
  O_NO_PIVOT,
  O_LSM_PROFILE,
  O_LSM_MOUNT_CONTEXT,
};

#define HELP_OPT                                                               \
  { "help", 'h', OPT_FLAG, OPT_ID_HELP, NULL, "show this help" }
#define END_OPT                                                                \
  { NULL, 0, 0, 0, NULL, NULL }

/* Both commands take these. */
#define CRIU_OPTS                                                              \
  {"image-path", 0,     OPT_VALUE,                                             \
   O_IMAGE_PATH, "DIR", "criu image directory (default ./checkpoint)"},        \
      {"work-path",                                                            \
       0,                                                                      \
       OPT_VALUE,                                                              \
       O_WORK_PATH,                                                            \
       "DIR",                                                                  \
       "directory for criu's log and work files (default: the image dir)"},    \
      {"tcp-established", 0,    OPT_FLAG,                                      \
       O_TCP_ESTABLISHED, NULL, "allow open TCP connections"},                 \
      {"ext-unix-sk", 0,    OPT_FLAG,                                          \
       O_EXT_UNIX_SK, NULL, "allow external unix sockets"},                    \
      {"shell-job", 0, OPT_FLAG, O_SHELL_JOB, NULL, "allow shell jobs"},       \
      {"file-locks", 0, OPT_FLAG, O_FILE_LOCKS, NULL, "handle file locks"},    \
      {"manage-cgroups-mode",                                                  \
       0,                                                                      \
       OPT_VALUE,                                                              \
       O_MANAGE_CGROUPS_MODE,                                                  \
       "soft|full|strict|ignore",                                              \
       "criu's cgroup mode (default soft)"},                                   \
      {"empty-ns",                                                             \
       0,                                                                      \
       OPT_VALUE,                                                              \
       O_EMPTY_NS,                                                             \
       "network",                                                              \
       "create the namespace but do not dump or restore its contents "         \
       "(network always is, as in runc)"},                                     \
      {"auto-dedup", 0,    OPT_FLAG,                                           \
       O_AUTO_DEDUP, NULL, "deduplicate memory images"},                       \
  {                                                                            \
    "lazy-pages", 0, OPT_FLAG, O_LAZY_PAGES, NULL,                             \
        "restore memory lazily through userfaultfd"                            \
  }

static const struct opt_def checkpoint_opts[] = {
    CRIU_OPTS,
    {"parent-path", 0, OPT_VALUE, O_PARENT_PATH, "DIR",
     "images of a previous pre-dump, relative to --image-path"},
    {"leave-running", 0, OPT_FLAG, O_LEAVE_RUNNING, NULL,
     "leave the container running after the checkpoint"},
    {"pre-dump", 0, OPT_FLAG, O_PRE_DUMP, NULL,
     "dump only the memory; the container keeps running"},
    {"tcp-skip-in-flight", 0, OPT_FLAG, O_TCP_SKIP_IN_FLIGHT, NULL,
     "skip in-flight TCP connections"},
    {"link-remap", 0, OPT_FLAG, O_LINK_REMAP, NULL,
     "link unlinked open files back where possible"},
    {"status-fd", 0, OPT_VALUE, O_STATUS_FD, "FD",
     "not supported (lazy-pages page server status)"},
    {"page-server", 0, OPT_VALUE, O_PAGE_SERVER, "ADDRESS:PORT",
     "not supported (send pages to a page server)"},
    HELP_OPT,
    END_OPT};

static const struct opt_def restore_opts[] = {
    CRIU_OPTS,
    {"bundle", 'b', OPT_VALUE, O_BUNDLE, "DIR",
     "bundle directory holding config.json (default: current directory)"},
    {"detach", 'd', OPT_FLAG, O_DETACH, NULL,
     "return once the container runs instead of waiting for it"},
    {"pid-file", 0, OPT_VALUE, O_PID_FILE, "FILE",
     "write the restored init's host pid to FILE"},
    {"console-socket", 0, OPT_VALUE, O_CONSOLE_SOCKET, "SOCKET",
     "accepted for runc compatibility (a terminal container cannot be "
     "checkpointed)"},
    {"no-subreaper", 0, OPT_FLAG, O_NO_SUBREAPER, NULL,
     "do not become the subreaper of the restored processes"},
    {"no-pivot", 0, OPT_FLAG, O_NO_PIVOT, NULL,
     "accepted for runc compatibility (criu sets up the root)"},
    {"lsm-profile", 0, OPT_VALUE, O_LSM_PROFILE, "TYPE:NAME",
     "not supported (LSM profile for the restored process)"},
    {"lsm-mount-context", 0, OPT_VALUE, O_LSM_MOUNT_CONTEXT, "CONTEXT",
     "not supported (LSM mount context)"},
    HELP_OPT,
    END_OPT};

static int criu_opt(struct criu_opts *o, const struct opt_hit *h,
                    struct minirt_error *err) {
  switch (h->id) {
  case O_IMAGE_PATH:
    o->image_path = h->value;
    return 0;
  case O_WORK_PATH:
    o->work_path = h->value;
    return 0;
  case O_TCP_ESTABLISHED:
    o->tcp_established = h->flag;
    return 0;
  case O_EXT_UNIX_SK:
    o->ext_unix_sk = h->flag;
    return 0;
  case O_SHELL_JOB:
    o->shell_job = h->flag;
    return 0;
  case O_FILE_LOCKS:
    o->file_locks = h->flag;
    return 0;
  case O_AUTO_DEDUP:
    o->auto_dedup = h->flag;
    return 0;
  case O_LAZY_PAGES:
    o->lazy_pages = h->flag;
    return 0;
  case O_MANAGE_CGROUPS_MODE:
    if (strcmp(h->value, "soft") != 0 && strcmp(h->value, "full") != 0 &&
        strcmp(h->value, "strict") != 0 && strcmp(h->value, "ignore") != 0)
      return minirt_fail_msg(err, EINVAL,
                             "--manage-cgroups-mode `%s`: must be soft, full, "
                             "strict or ignore",
                             h->value);
    o->manage_cgroups_mode = h->value;
    return 0;
  case O_EMPTY_NS:
    /* runc's table has only the network namespace. */
    if (strcmp(h->value, "network") != 0)
      return minirt_fail_msg(err, EINVAL,
                             "--empty-ns `%s`: only `network` is supported",
                             h->value);
    o->empty_ns_net = true;
    return 0;
  }
  return 1; /* not one of the shared options */
}

static int unsupported(const struct opt_hit *h, struct minirt_error *err) {
  return minirt_fail_msg(err, ENOTSUP, "unsupported: --%s", h->def->name);
}

static int checkpoint_opt(struct cli *c, const struct opt_hit *h,
                          struct minirt_error *err) {
  struct checkpoint_opts *o = &c->checkpoint;
  int r = criu_opt(&o->c, h, err);
  if (r <= 0)
    return r;
  switch (h->id) {
  case O_PARENT_PATH:
    o->parent_path = h->value;
    return 0;
  case O_LEAVE_RUNNING:
    o->leave_running = h->flag;
    return 0;
  case O_PRE_DUMP:
    o->pre_dump = h->flag;
    return 0;
  case O_TCP_SKIP_IN_FLIGHT:
    o->tcp_skip_in_flight = h->flag;
    return 0;
  case O_LINK_REMAP:
    o->link_remap = h->flag;
    return 0;
  case O_STATUS_FD:
    /* runc's default; anything else needs criu's RPC notifications. */
    return strcmp(h->value, "-1") == 0 ? 0 : unsupported(h, err);
  case O_PAGE_SERVER:
    return h->value[0] == '\0' ? 0 : unsupported(h, err);
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled option");
}

static int restore_opt(struct cli *c, const struct opt_hit *h,
                       struct minirt_error *err) {
  struct restore_opts *o = &c->restore;
  int r = criu_opt(&o->c, h, err);
  if (r <= 0)
    return r;
  switch (h->id) {
  case O_BUNDLE:
    o->bundle = h->value;
    return 0;
  case O_DETACH:
    o->detach = h->flag;
    return 0;
  case O_PID_FILE:
    o->pid_file = h->value;
    return 0;
  case O_CONSOLE_SOCKET:
    o->console_socket = h->value;
    return 0;
  case O_NO_SUBREAPER:
    o->no_subreaper = h->flag;
    return 0;
  case O_NO_PIVOT:
    o->no_pivot = h->flag;
    return 0;
  case O_LSM_PROFILE:
  case O_LSM_MOUNT_CONTEXT:
    return h->value[0] == '\0' ? 0 : unsupported(h, err);
  }
  return minirt_fail_msg(err, EINVAL, "internal: unhandled option");
}

static int checkpoint_args(struct cli *c, char **pos, size_t n,
                           struct minirt_error *err) {
  int r = cli_args_id_only(c, pos, n, err);
  c->checkpoint.id = c->id;
  c->checkpoint.c.criu = c->criu;
  return r;
}

static int restore_args(struct cli *c, char **pos, size_t n,
                        struct minirt_error *err) {
  int r = cli_args_id_only(c, pos, n, err);
  c->restore.id = c->id;
  c->restore.c.criu = c->criu;
  return r;
}

const struct cli_command_def cli_cmd_checkpoint = {
    "checkpoint",    CMD_CHECKPOINT,
    "[OPTIONS] ID",  "checkpoint a running container with criu",
    checkpoint_opts, true,
    checkpoint_opt,  checkpoint_args,
    OPERANDS_ID};
const struct cli_command_def cli_cmd_restore = {
    "restore",      CMD_RESTORE,
    "[OPTIONS] ID", "restore a container from a checkpoint with criu",
    restore_opts,   true,
    restore_opt,    restore_args,
    OPERANDS_NEW_ID};
