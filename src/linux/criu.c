#include "linux/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

void criu_argv_free(struct criu_argv *a) {
  for (size_t i = 0; i < a->n; i++)
    free(a->v[i]);
  free(a->v);
  memset(a, 0, sizeof *a);
}

static int push(struct criu_argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int push(struct criu_argv *a, const char *fmt, ...) {
  if (a->n + 2 > a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 32;
    char **v = realloc(a->v, cap * sizeof *v);
    if (v == NULL)
      return -ENOMEM;
    a->v = v;
    a->cap = cap;
  }
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&a->v[a->n], fmt, ap);
  va_end(ap);
  if (r < 0)
    return -ENOMEM;
  a->v[++a->n] = NULL;
  return 0;
}

static int push_flag(struct criu_argv *a, bool on, const char *flag) {
  return on ? push(a, "%s", flag) : 0;
}

static int push_list(struct criu_argv *a, const char *flag, char *const *v,
                     size_t n) {
  for (size_t i = 0; i < n; i++)
    if (push(a, "%s", flag) < 0 || push(a, "%s", v[i]) < 0)
      return -ENOMEM;
  return 0;
}

static bool valid_mode(const char *m) {
  return strcmp(m, "soft") == 0 || strcmp(m, "full") == 0 ||
         strcmp(m, "strict") == 0 || strcmp(m, "ignore") == 0;
}

/* The options a dump and a restore share, after the action. */
static int push_common(struct criu_argv *a, const struct criu_common *c,
                       struct minirt_error *err) {
  const char *mode = c->cgroups_mode != NULL ? c->cgroups_mode : "soft";
  if (!valid_mode(mode))
    return minirt_fail_msg(err, EINVAL,
                           "--manage-cgroups-mode `%s`: must be soft, full, "
                           "strict or ignore",
                           mode);
  if (c->images == NULL || c->root == NULL || c->log == NULL)
    return minirt_fail_msg(err, EINVAL,
                           "internal: criu without images, root or log");
  if (push(a, "-D") < 0 || push(a, "%s", c->images) < 0 ||
      (c->work != NULL && (push(a, "-W") < 0 || push(a, "%s", c->work) < 0)) ||
      push(a, "-o") < 0 || push(a, "%s", c->log) < 0 || push(a, "-v4") < 0 ||
      push(a, "--root") < 0 || push(a, "%s", c->root) < 0 ||
      push(a, "--manage-cgroups=%s", mode) < 0 ||
      push_flag(a, c->tcp_established, "--tcp-established") < 0 ||
      push_flag(a, c->ext_unix_sk, "--ext-unix-sk") < 0 ||
      push_flag(a, c->shell_job, "--shell-job") < 0 ||
      push_flag(a, c->file_locks, "--file-locks") < 0 ||
      push_flag(a, c->auto_dedup, "--auto-dedup") < 0 ||
      push_flag(a, c->lazy_pages, "--lazy-pages") < 0 ||
      (c->empty_ns_net && (push(a, "--empty-ns") < 0 || push(a, "net") < 0)) ||
      push_list(a, "--ext-mount-map", c->ext_mounts, c->n_ext_mounts) < 0)
    return minirt_fail(err, ENOMEM, "criu arguments");
  return 0;
}

int criu_dump_argv(const struct criu_dump *d, struct criu_argv *out,
                   struct minirt_error *err) {
  struct criu_argv a = {0};
  int ret = 0;
  if (d->pid <= 0)
    ret = minirt_fail_msg(err, EINVAL, "internal: criu dump without a pid");
  if (ret == 0 && (push(&a, "%s", d->c.criu) < 0 ||
                   push(&a, "%s", d->pre_dump ? "pre-dump" : "dump") < 0 ||
                   push(&a, "-t") < 0 || push(&a, "%d", (int)d->pid) < 0))
    ret = minirt_fail(err, ENOMEM, "criu arguments");
  if (ret == 0)
    ret = push_common(&a, &d->c, err);
  /* A pre-dump leaves the tasks running by itself (criu refuses the
   * flag there), and tracks memory so that the next dump writes only
   * what changed since. */
  if (ret == 0 &&
      (push_flag(&a, d->leave_running && !d->pre_dump, "--leave-running") < 0 ||
       push_flag(&a, d->tcp_skip_in_flight, "--skip-in-flight") < 0 ||
       push_flag(&a, d->link_remap, "--link-remap") < 0 ||
       push_flag(&a, d->pre_dump || d->parent != NULL, "--track-mem") < 0 ||
       (d->parent != NULL &&
        (push(&a, "--prev-images-dir") < 0 || push(&a, "%s", d->parent) < 0)) ||
       (d->freeze_cgroup != NULL && (push(&a, "--freeze-cgroup") < 0 ||
                                     push(&a, "%s", d->freeze_cgroup) < 0)) ||
       push_list(&a, "--external", d->externals, d->n_externals) < 0))
    ret = minirt_fail(err, ENOMEM, "criu arguments");
  if (ret < 0) {
    criu_argv_free(&a);
    return ret;
  }
  *out = a;
  return 0;
}

int criu_restore_argv(const struct criu_restore *r, struct criu_argv *out,
                      struct minirt_error *err) {
  struct criu_argv a = {0};
  int ret = 0;
  if (r->pidfile == NULL)
    ret = minirt_fail_msg(err, EINVAL,
                          "internal: criu restore without a pidfile");
  if (ret == 0 && (push(&a, "%s", r->c.criu) < 0 || push(&a, "restore") < 0))
    ret = minirt_fail(err, ENOMEM, "criu arguments");
  if (ret == 0)
    ret = push_common(&a, &r->c, err);
  /* --restore-sibling: the restored init becomes our child (not criu's),
   * so that we can wait for it in the foreground, and, detached, it is
   * reparented to our parent's subreaper as a created init is.
   * --restore-detached: criu exits once the tree runs. */
  if (ret == 0 &&
      (push(&a, "--restore-detached") < 0 ||
       push(&a, "--restore-sibling") < 0 || push(&a, "--evasive-devices") < 0 ||
       push(&a, "--pidfile") < 0 || push(&a, "%s", r->pidfile) < 0 ||
       (r->cgroup_root != NULL && (push(&a, "--cgroup-root") < 0 ||
                                   push(&a, "%s", r->cgroup_root) < 0)) ||
       push_list(&a, "--inherit-fd", r->inherit_fds, r->n_inherit_fds) < 0 ||
       push_list(&a, "--join-ns", r->join_ns, r->n_join_ns) < 0))
    ret = minirt_fail(err, ENOMEM, "criu arguments");
  if (ret < 0) {
    criu_argv_free(&a);
    return ret;
  }
  *out = a;
  return 0;
}

int criu_resolve(const char *name, char **out, struct minirt_error *err) {
  const char *n = name != NULL ? name : "criu";
  if (strchr(n, '/') != NULL) {
    if (access(n, X_OK) < 0)
      return minirt_fail(err, errno, "criu `%s` cannot be run", n);
    *out = strdup(n);
    return *out != NULL ? 0 : minirt_fail(err, ENOMEM, "criu");
  }
  const char *path = getenv("PATH");
  _cleanup_free_ char *copy =
      strdup(path != NULL ? path
                          : "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                            "/usr/bin:/sbin:/bin");
  if (copy == NULL)
    return minirt_fail(err, ENOMEM, "criu");
  char *save = NULL;
  for (char *d = strtok_r(copy, ":", &save); d != NULL;
       d = strtok_r(NULL, ":", &save)) {
    char *p = NULL;
    if (asprintf(&p, "%s/%s", d, n) < 0)
      return minirt_fail(err, ENOMEM, "criu");
    if (access(p, X_OK) == 0) {
      *out = p;
      return 0;
    }
    free(p);
  }
  return minirt_fail_msg(err, ENOENT,
                         "`%s` not found in $PATH: install criu or give "
                         "--criu PATH",
                         n);
}

/* The lines of criu's log that say what went wrong ("Error (...)"), at
 * most the last 4, joined by "; ". */
static char *log_errors(const char *path) {
  _cleanup_free_ char *buf = NULL;
  size_t len = 0;
  struct minirt_error e = {0};
  if (path == NULL || read_file(path, 4 << 20, &buf, &len, &e) < 0) {
    minirt_error_clear(&e);
    return NULL;
  }
  const char *last[4] = {0};
  size_t lens[4] = {0}, n = 0;
  for (char *line = buf; line < buf + len;) {
    char *nl = memchr(line, '\n', (size_t)(buf + len - line));
    size_t l = nl ? (size_t)(nl - line) : (size_t)(buf + len - line);
    if (memmem(line, l, "Error", 5) != NULL) {
      last[n % 4] = line;
      lens[n % 4] = l;
      n++;
    }
    line += l + 1;
  }
  if (n == 0)
    return NULL;
  char *out = NULL;
  size_t size = 0;
  FILE *f = open_memstream(&out, &size);
  if (f == NULL)
    return NULL;
  size_t first = n > 4 ? n - 4 : 0;
  for (size_t i = first; i < n; i++) {
    /* criu's lines start with a timestamp "(00.001234) ": drop it. */
    const char *s = last[i % 4];
    size_t l = lens[i % 4];
    const char *p = memchr(s, ')', l);
    if (s[0] == '(' && p != NULL && (size_t)(p - s) + 2 <= l) {
      l -= (size_t)(p - s) + 2;
      s = p + 2;
    }
    /* Restore lines name the task: "     1: Error ...". */
    const char *t = s;
    while (t < s + l && (*t == ' ' || (*t >= '0' && *t <= '9')))
      t++;
    if (t < s + l && *t == ':' && t + 2 <= s + l) {
      l -= (size_t)(t + 2 - s);
      s = t + 2;
    }
    fprintf(f, "%s%.*s", i > first ? "; " : "", (int)l, s);
  }
  fclose(f);
  return out;
}

static void child_exec(const struct criu_argv *argv,
                       const struct criu_run_opts *o) {
  struct minirt_error e = {0};
  /* A foreground restore blocks the signals it forwards: not for criu. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (o->join != NULL && cgroup_join_self(o->join, &e) < 0)
    _exit(126);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (!o->keep_stdio && null >= 0)
    for (int fd = 0; fd < 3; fd++)
      dup2(null, fd);
  /* Out of the way first, so that no target overwrites a source. */
  int high[CRIU_MAX_EXTRA_FDS];
  for (size_t i = 0; i < o->n_extra_fds; i++)
    if ((high[i] = fcntl(o->extra_fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
      _exit(126);
  for (size_t i = 0; i < o->n_extra_fds; i++)
    if (dup2(high[i], 3 + (int)i) < 0)
      _exit(126);
  execv(argv->v[0], argv->v);
  _exit(127);
}

int criu_run(const struct criu_argv *argv, const struct criu_run_opts *o,
             struct minirt_error *err) {
  struct cgroup_join none;
  cgroup_join_init(&none);
  pid_t pid = cgroup_join_clone(o->join != NULL ? o->join : &none, 0);
  if (pid < 0)
    return minirt_fail(err, errno, "fork `%s`", argv->v[0]);
  if (pid == 0)
    child_exec(argv, o);
  int ws;
  while (waitpid(pid, &ws, 0) < 0)
    if (errno != EINTR)
      return minirt_fail(err, errno, "wait for criu %d", (int)pid);
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
    return 0;
  _cleanup_free_ char *why = log_errors(o->log_path);
  char how[64];
  if (WIFEXITED(ws))
    snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(ws));
  else
    snprintf(how, sizeof how, "killed by signal %d", WTERMSIG(ws));
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127 && why == NULL)
    return minirt_fail_msg(err, ENOEXEC, "criu %s: cannot execute `%s`",
                           o->what, argv->v[0]);
  return minirt_fail_msg(err, EIO, "criu %s failed (%s): %s (log: `%s`)",
                         o->what, how,
                         why != NULL ? why : "no error in its log",
                         o->log_path != NULL ? o->log_path : "none");
}

int criu_root_bind(const char *rootfs, const char *dir,
                   struct minirt_error *err) {
  if (mkdir(dir, 0755) < 0 && errno != EEXIST)
    return minirt_fail(err, errno, "mkdir `%s`", dir);
  if (mount(rootfs, dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
    int e = errno;
    rmdir(dir);
    return minirt_fail(err, e, "bind `%s` on `%s`", rootfs, dir);
  }
  return 0;
}

void criu_root_unbind(const char *dir) {
  umount2(dir, MNT_DETACH);
  rmdir(dir);
}
