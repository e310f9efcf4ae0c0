/* ps, pause, resume, update, events, spec, features. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/container_state.h"
#include "core/runtime.h"
#include "core/systemd_unit.h"
#include "linux/cgroup/cgroup.h"
#include "linux/procinfo.h"
#include "spec/events.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int open_running(const struct minirt_global *g, const char *id,
                        struct container_handle *h, enum container_status *st,
                        struct minirt_error *err) {
  int ret = store_open(g->root, id, h, err);
  if (ret == 0)
    ret = store_live_status(h, st, err);
  if (ret == 0 && *st == CONTAINER_STOPPED)
    ret = minirt_fail_msg(err, EINVAL, "container `%s` is not running", id);
  if (ret < 0)
    store_close(h); /* idempotent: callers may close again */
  return ret;
}

static int ps_table(pid_t *pids, size_t n, char *const *ps_args, FILE *out,
                    struct minirt_error *err) {
  /* Like runc: run the host's ps and keep the header and our pids' lines. */
  _cleanup_free_ char *cmd = strdup("ps");
  if (cmd == NULL)
    return minirt_fail(err, ENOMEM, "ps");
  bool any = ps_args != NULL && ps_args[0] != NULL;
  for (size_t i = 0; any && ps_args[i] != NULL; i++) {
    for (const char *c = ps_args[i]; *c; c++)
      if (!(*c == '-' || *c == ',' || *c == '=' || (*c >= 'a' && *c <= 'z') ||
            (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
        return minirt_fail_msg(err, EINVAL, "ps: unsupported argument `%s`",
                               ps_args[i]);
    char *nc = NULL;
    if (asprintf(&nc, "%s %s", cmd, ps_args[i]) < 0)
      return minirt_fail(err, ENOMEM, "ps");
    free(cmd);
    cmd = nc;
  }
  if (!any) {
    free(cmd);
    cmd = strdup("ps -ef");
  }
  FILE *p = popen(cmd, "re");
  if (p == NULL)
    return minirt_fail(err, errno, "run `%s`", cmd);
  char *line = NULL;
  size_t cap = 0;
  int pid_col = -1;
  bool header = true;
  while (getline(&line, &cap, p) > 0) {
    if (header) {
      /* Find the PID column in the header. */
      char *save = NULL, *copy = strdup(line);
      int col = 0;
      for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t;
           t = strtok_r(NULL, " \t\n", &save), col++)
        if (strcmp(t, "PID") == 0)
          pid_col = col;
      free(copy);
      fputs(line, out);
      header = false;
      continue;
    }
    char *save = NULL, *copy = strdup(line);
    int col = 0;
    long pid = -1;
    for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t;
         t = strtok_r(NULL, " \t\n", &save), col++)
      if (col == pid_col)
        pid = strtol(t, NULL, 10);
    free(copy);
    for (size_t i = 0; i < n; i++)
      if (pids[i] == pid)
        fputs(line, out);
  }
  free(line);
  int st = pclose(p);
  if (pid_col < 0)
    return minirt_fail_msg(err, EINVAL, "ps: no PID column in the output of `%s`", cmd);
  if (st != 0)
    return minirt_fail_msg(err, EIO, "`%s` failed", cmd);
  return 0;
}

int minirt_ps(const struct minirt_global *g, const char *id,
              const char *format, char *const *ps_args, FILE *out,
              struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  pid_t *pids = NULL;
  size_t n = 0;
  int ret = open_running(g, id, &h, &st, err);
  if (ret == 0 && h.status->cgroup_path != NULL)
    ret = cgroup_pids(h.status->cgroup_path, &pids, &n, err);
  else if (ret == 0)
    ret = proc_pidns_members(h.status->pid, &pids, &n, err);
  store_close(&h);
  if (ret == 0 && format != NULL && strcmp(format, "json") == 0) {
    fputc('[', out);
    for (size_t i = 0; i < n; i++)
      fprintf(out, "%s%d", i ? "," : "", (int)pids[i]);
    fputs("]\n", out);
  } else if (ret == 0 && (format == NULL || strcmp(format, "table") == 0)) {
    ret = ps_table(pids, n, ps_args, out, err);
  } else if (ret == 0) {
    ret = minirt_fail_msg(err, EINVAL, "ps: unknown format `%s`", format);
  }
  free(pids);
  return ret;
}

/* Freezing, updating and statistics work on the cgroup: a rootless
 * container may have none. */
static int need_cgroup(const struct container_handle *h, const char *what,
                       struct minirt_error *err) {
  if (h->status->cgroup_path != NULL)
    return 0;
  return minirt_fail_msg(err, ENOTSUP,
                         "%s `%s`: the container has no cgroup (rootless "
                         "without a delegated cgroup)",
                         what, h->id);
}

static int set_frozen(const struct minirt_global *g, const char *id,
                      bool freeze, struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  int ret = open_running(g, id, &h, &st, err);
  if (ret == 0 && freeze && st == CONTAINER_PAUSED)
    ret = minirt_fail_msg(err, EINVAL, "container `%s` is already paused", id);
  if (ret == 0 && !freeze && st != CONTAINER_PAUSED)
    ret = minirt_fail_msg(err, EINVAL, "container `%s` is not paused", id);
  if (ret == 0)
    ret = need_cgroup(&h, freeze ? "pause" : "resume", err);
  if (ret == 0)
    ret = cgroup_freeze(h.status->cgroup_path, freeze, err);
  store_close(&h);
  return ret;
}

int minirt_pause(const struct minirt_global *g, const char *id,
                 struct minirt_error *err) {
  return set_frozen(g, id, true, err);
}

int minirt_resume(const struct minirt_global *g, const char *id,
                  struct minirt_error *err) {
  return set_frozen(g, id, false, err);
}

int minirt_update(const struct minirt_global *g, const char *id,
                  const char *resources_file, const struct oci_resources *flags,
                  struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  struct oci_resources *file = NULL;
  int ret = open_running(g, id, &h, &st, err);
  if (ret == 0)
    ret = need_cgroup(&h, "update", err);
  if (ret == 0 && resources_file != NULL) {
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    if (strcmp(resources_file, "-") == 0)
      ret = read_fd_all(STDIN_FILENO, MINIRT_MAX_JSON_SIZE, &buf, &len, err);
    else
      ret = read_file(resources_file, MINIRT_MAX_JSON_SIZE, &buf, &len, err);
    if (ret == 0)
      ret = oci_resources_parse(buf, len, &file, err);
    if (ret < 0)
      minirt_error_prefix(err, "update --resources `%s`: ", resources_file);
  }
  /* The file first, then the flags, as runc: a flag wins. A systemd unit
   * gets the values as properties too. */
  int (*apply)(const struct minirt_global *, const char *,
               const struct oci_resources *, struct minirt_error *) =
      ret == 0 && h.status->systemd_cgroup ? systemd_unit_update : NULL;
  if (ret == 0 && file != NULL)
    ret = apply != NULL ? apply(g, h.status->cgroup_path, file, err)
                        : cgroup_update(h.status->cgroup_path, file, err);
  if (ret == 0 && flags != NULL)
    ret = apply != NULL ? apply(g, h.status->cgroup_path, flags, err)
                        : cgroup_update(h.status->cgroup_path, flags, err);
  oci_resources_free(file);
  store_close(&h);
  return ret;
}

static int print_event(FILE *out, const char *type, const char *id,
                       const struct minirt_stats *s,
                       struct minirt_error *err) {
  _cleanup_free_ char *json = NULL;
  int ret = minirt_event_to_json(type, id, s, &json, err);
  if (ret == 0 && (fprintf(out, "%s\n", json) < 0 || fflush(out) != 0))
    ret = minirt_fail(err, errno, "events: write");
  return ret;
}

static int print_stats(FILE *out, const char *id, const char *cgroup,
                       struct minirt_error *err) {
  struct minirt_stats s;
  int ret = cgroup_stats_read(cgroup, &s, err);
  if (ret == 0)
    ret = print_event(out, "stats", id, &s, err);
  minirt_stats_free(&s);
  return ret;
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The stream: stats every interval, an "oom" event as soon as the
 * oom_kill counter grows (polled, because v1 eventfd notification needs a
 * registration the container could outlive), until the init is gone. */
static int events_stream(FILE *out, const char *id, const char *cgroup,
                         pid_t pid, uint64_t start, int interval_sec,
                         struct minirt_error *err) {
  uint64_t ooms = 0, n, next = now_ms();
  int ret = cgroup_oom_kill_count(cgroup, &ooms, err);
  while (ret == 0 && proc_is_same_alive(pid, start)) {
    if (now_ms() >= next) {
      ret = print_stats(out, id, cgroup, err);
      next += (uint64_t)interval_sec * 1000;
    }
    if (ret == 0 && (ret = cgroup_oom_kill_count(cgroup, &n, err)) == 0 &&
        n > ooms) {
      ooms = n;
      ret = print_event(out, "oom", id, NULL, err);
    }
    if (ret == 0) {
      struct timespec ts = {0, 200 * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  /* A cgroup removed under us by delete ends the stream, not an error. */
  if (ret < 0 && !proc_is_same_alive(pid, start)) {
    minirt_error_clear(err);
    ret = 0;
  }
  return ret;
}

int minirt_events(const struct minirt_global *g, const char *id, bool stats,
                  int interval_sec, FILE *out, struct minirt_error *err) {
  struct container_handle h;
  enum container_status st;
  int ret = open_running(g, id, &h, &st, err);
  if (ret < 0)
    return ret;
  /* Copy what we need and drop the lock: the stream must not block
   * delete, kill or pause. */
  /* Every event (stats, oom) is read from the cgroup. */
  if ((ret = need_cgroup(&h, "events", err)) < 0) {
    store_close(&h);
    return ret;
  }
  _cleanup_free_ char *cgroup = strdup(h.status->cgroup_path);
  pid_t pid = h.status->pid;
  uint64_t start = h.status->pid_start_time;
  store_close(&h);
  if (cgroup == NULL)
    return minirt_fail(err, ENOMEM, "events");
  if (stats)
    return print_stats(out, id, cgroup, err);
  return events_stream(out, id, cgroup, pid, start,
                       interval_sec > 0 ? interval_sec : 5, err);
}

int minirt_spec(const char *bundle, bool rootless, struct minirt_error *err) {
  _cleanup_free_ char *path = NULL, *json = NULL;
  if (asprintf(&path, "%s/config.json", bundle ? bundle : ".") < 0)
    return minirt_fail(err, ENOMEM, "spec");
  struct stat st;
  if (stat(path, &st) == 0)
    return minirt_fail_msg(err, EEXIST, "spec: `%s` already exists", path);
  struct oci_config *cfg = oci_config_default(rootless);
  if (cfg == NULL)
    return minirt_fail(err, ENOMEM, "spec");
  int ret = oci_config_to_json(cfg, true, &json, err);
  oci_config_free(cfg);
  if (ret < 0)
    return ret;
  _cleanup_close_ int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    return minirt_fail(err, errno, "spec: create `%s`", path);
  if (write_all(fd, json, strlen(json)) < 0 || write_all(fd, "\n", 1) < 0)
    return minirt_fail(err, errno, "spec: write `%s`", path);
  return 0;
}

int minirt_features(FILE *out, struct minirt_error *err) {
  static const char *const mount_options[] = {
      "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync",
      "exec", "idmap", "lazytime", "loud", "mand", "noatime", "nodev",
      "nodiratime", "noexec", "nolazytime", "nomand", "norelatime",
      "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "relatime",
      "remount", "ridmap", "ro", "rprivate", "rro", "rshared", "rslave",
      "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid",
      "symfollow", "sync", "unbindable", NULL};
  static const char *const actions[] = {
      "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
      "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
      "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP", NULL};
  static const char *const ops[] = {
      "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE",
      "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", NULL};
  static const char *const archs[] = {
      "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
      "SCMP_ARCH_X86_64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X",
      "SCMP_ARCH_RISCV64", NULL};
  struct stat st;
  struct minirt_features_input in = {
      .mount_options = mount_options, .seccomp_actions = actions,
      .seccomp_operators = ops, .seccomp_archs = archs,
      .seccomp_enabled = true,
      .systemd_cgroup = cgroup_systemd_supported(),
      .apparmor = stat("/sys/kernel/security/apparmor", &st) == 0,
      .selinux = stat("/sys/fs/selinux/enforce", &st) == 0,
      .checkpoint = true};
  _cleanup_free_ char *json = NULL;
  int ret = minirt_features_to_json(&in, &json, err);
  if (ret == 0)
    fprintf(out, "%s\n", json);
  return ret;
}
