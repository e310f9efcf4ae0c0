/* exec: the merge engine decides the process, the Linux layer runs it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/container_state.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/runtime.h"
#include "core/log.h"
#include "linux/exec_join.h"
#include "linux/process/process.h"
#include "linux/supervise.h"
#include "linux/terminal.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int explain(const struct merge_result *r, const char *format, FILE *out,
                   struct minirt_error *err) {
  _cleanup_free_ char *text = NULL;
  int ret;
  if (format != NULL && strcmp(format, "table") == 0) {
    ret = merge_explain_table(r, &text, err);
  } else if (format == NULL || strcmp(format, "json") == 0) {
    ret = merge_explain_json(r, &text, err);
  } else {
    return minirt_fail_msg(err, EINVAL, "exec: unknown --format `%s`", format);
  }
  if (ret == 0)
    fprintf(out, "%s\n", text);
  return ret;
}

static int check_state(struct container_handle *h, const struct exec_opts *o,
                       struct minirt_error *err) {
  enum container_status st;
  int ret = store_live_status(h, &st, err);
  if (ret < 0)
    return ret;
  if (st == CONTAINER_STOPPED)
    return minirt_fail_msg(err, EINVAL,
                           "cannot exec in container `%s`: container is %s",
                           o->id, container_status_name(st));
  if (st == CONTAINER_PAUSED && !o->ignore_paused)
    return minirt_fail_msg(err, EINVAL,
                           "cannot exec in container `%s`: container is paused "
                           "(use --ignore-paused)", o->id);
  return 0;
}

/* The saved config. podman's puts 15 of its 20 KB into linux.seccomp, and
 * an exec whose compiled filter is in the cache needs none of it: those
 * bytes are the cache key, so they are looked up as they are and blanked
 * before the parse. *seccomp_text is where the profile's text is (for
 * process_seccomp_prepare() after a miss), or NULL. */
static int load_config(const struct minirt_global *g,
                       struct container_handle *h, bool want_filter, char **raw,
                       struct oci_config **cfg, struct process_seccomp *sc,
                       const char **seccomp_text, size_t *seccomp_len,
                       struct minirt_error *err) {
  size_t len = 0, s, e;
  *seccomp_text = NULL;
  int ret = store_read_config(h, raw, &len, err);
  if (ret < 0)
    return ret;
  if (oci_config_find_member(*raw, len, "linux", "seccomp", &s, &e) == 1) {
    *seccomp_text = *raw + s;
    *seccomp_len = e - s;
    if (want_filter &&
        process_seccomp_cached(*seccomp_text, *seccomp_len, g->root, sc,
                               minirt_log_note, (void *)g) &&
        oci_config_blank_member(*raw, s, e))
      *seccomp_text = NULL;
  }
  return store_parse_config(h, *raw, len, cfg, err);
}

static int merge_for(const struct exec_opts *o, const struct oci_config *cfg,
                     struct merge_result *r, struct minirt_error *err) {
  struct oci_process *file = NULL;
  if (o->process_file != NULL) {
    int ret = oci_process_load_file(o->process_file, &file, err);
    if (ret < 0)
      return ret;
  }
  struct exec_flags flags = o->flags;
  uint32_t h = 0, w = 0;
  if (terminal_get_size(STDIN_FILENO, &h, &w)) {
    flags.has_caller_size = true;
    flags.caller_height = h;
    flags.caller_width = w;
  }
  int ret = merge_exec_process(cfg->process, file, &flags, r, err);
  oci_process_free(file);
  return ret;
}

static int exec_cgroup(const struct container_handle *h, const char *sub,
                       char **out, struct minirt_error *err) {
  if (h->status->cgroup_path == NULL) {
    /* Rootless without a cgroup: exec joins none, like the init. */
    *out = NULL;
    if (sub != NULL)
      return minirt_fail_msg(err, ENOTSUP,
                             "exec --cgroup `%s`: container `%s` has no "
                             "cgroup (rootless without a delegated cgroup)",
                             sub, h->id);
    return 0;
  }
  if (sub == NULL)
    *out = strdup(h->status->cgroup_path);
  else if (strstr(sub, "..") != NULL)
    return minirt_fail_msg(err, EINVAL, "exec --cgroup `%s`: must not contain ..", sub);
  else if (asprintf(out, "%s/%s", h->status->cgroup_path, sub) < 0)
    *out = NULL;
  return *out == NULL ? minirt_fail(err, ENOMEM, "cgroup") : 0;
}

int minirt_exec(const struct minirt_global *g, const struct exec_opts *o,
                int *status, FILE *out, struct minirt_error *err) {
  *status = 1;
  struct container_handle h;
  struct oci_config *cfg = NULL;
  struct merge_result r = {0};
  _cleanup_free_ char *state = NULL, *cgroup = NULL, *raw = NULL;
  struct process_seccomp sc
      __attribute__((cleanup(process_seccomp_release))) = {0};
  const char *seccomp_text = NULL;
  size_t seccomp_len = 0;
  int ret = store_open(g->root, o->id, &h, err);
  if (ret == 0 && !o->explain)
    ret = check_state(&h, o, err);
  if (ret == 0)
    ret = load_config(g, &h, !o->explain, &raw, &cfg, &sc, &seccomp_text,
                      &seccomp_len, err);
  if (ret == 0)
    ret = merge_for(o, cfg, &r, err);
  char names[512];
  /* create warned already; an exec repeats it only under --debug. */
  if (ret == 0 &&
      oci_ambient_unraisable(r.process->capabilities, names, sizeof names) > 0)
    minirt_log_debug(g, "process.capabilities.ambient: %s not raised", names);
  if (ret == 0 && o->explain) {
    ret = explain(&r, o->explain_format, out, err);
    if (ret == 0)
      *status = 0;
    goto done;
  }
  /* Only a notify listener gets the state (with the listener's fd). */
  if (ret == 0 && process_seccomp_uses_notify(cfg->linux_))
    ret = container_state_json(&h, cfg, CONTAINER_RUNNING, false, &state, err);
  if (ret == 0)
    ret = exec_cgroup(&h, o->cgroup, &cgroup, err);
  /* Before the fork, so that the child only loads it. */
  if (ret == 0 && sc.insns == NULL)
    ret =
        process_seccomp_prepare(cfg->linux_, seccomp_text, seccomp_len, g->root,
                                &sc, minirt_log_note, (void *)g, err);
  struct exec_joined j = {.pid = -1, .pty_master = -1, .exit_code = 1};
  if (ret == 0) {
    struct exec_join_opts jo = {
        .init_pid = h.status->pid,
        .init_start_time = h.status->pid_start_time,
        .cfg = cfg,
        .process = r.process,
        .cgroup_path = cgroup,
        .preserve_fds = o->preserve_fds,
        .state_json = state,
        .want_pty = r.process->terminal,
        .seccomp = &sc,
        .derive_home = merge_has_home(r.process) ? NULL : merge_derive_home,
        .rootless = g->rootless};
    if (!o->detach)
      supervise_block_signals();
    ret = exec_join_spawn(&jo, &j, err);
    if (ret < 0)
      *status = j.exit_code;
  }
  /* Commands on this container must not wait for our process. */
  store_close(&h);
  if (ret == 0 && j.pty_master >= 0 && o->console_socket != NULL) {
    ret = terminal_send_to_console_socket(o->console_socket, j.pty_master, err);
    close(j.pty_master);
    j.pty_master = -1;
  }
  if (ret == 0 && o->pid_file != NULL) {
    ret = write_pid_file(o->pid_file, j.pid, err);
  }
  if (ret == 0 && o->detach) {
    if (j.pty_master >= 0)
      close(j.pty_master);
    *status = 0;
  } else if (ret == 0) {
    ret = supervise_wait(j.pid, j.pty_master, status, err);
  }
  oci_config_free(cfg);
  merge_result_free(&r);
  return ret;
done:
  oci_config_free(cfg);
  merge_result_free(&r);
  store_close(&h);
  return ret;
}
