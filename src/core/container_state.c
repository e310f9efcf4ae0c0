#include "core/container_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/runtime.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/passwd.h"

int container_state_json(const struct container_handle *h,
                         const struct oci_config *cfg,
                         enum container_status st, bool pretty, char **out,
                         struct minirt_error *err) {
  const struct minirt_status *s = h->status;
  struct oci_state state = {
      .oci_version = (char *)MINIRT_OCI_VERSION,
      .id = h->id,
      .status = (char *)container_status_name(st),
      .pid = s != NULL && st != CONTAINER_STOPPED ? s->pid : 0,
      .bundle = s != NULL ? s->bundle : NULL,
      .rootfs = s != NULL ? s->rootfs : NULL,
      .created = s != NULL ? s->created : NULL,
      .owner = s != NULL ? s->owner : (char *)"",
  };
  if (cfg != NULL)
    state.annotations = cfg->annotations;
  return oci_state_to_json(&state, pretty, out, err);
}

int minirt_state(const struct minirt_global *g, const char *id, FILE *out,
                 struct minirt_error *err) {
  struct container_handle h;
  int ret = store_open(g->root, id, &h, err);
  if (ret < 0) {
    store_close(&h);
    return ret;
  }
  enum container_status st;
  struct oci_config *cfg = NULL;
  _cleanup_free_ char *json = NULL;
  ret = store_live_status(&h, &st, err);
  if (ret == 0) {
    struct minirt_error ignored = {0};
    if (store_load_config_lean(&h, &cfg, &ignored) < 0)
      cfg = NULL;
    minirt_error_clear(&ignored);
    ret = container_state_json(&h, cfg, st, true, &json, err);
  }
  if (ret == 0)
    fprintf(out, "%s\n", json);
  oci_config_free(cfg);
  store_close(&h);
  return ret;
}

/* As runc: the owner is whoever owns the state directory, by name from
 * the host's /etc/passwd, else by number. */
static char *owner_name(int dirfd) {
  struct stat st;
  if (fstat(dirfd, &st) < 0)
    return NULL;
  _cleanup_free_ char *text = NULL;
  struct minirt_error e = {0};
  char *name = NULL;
  if (read_file("/etc/passwd", 1u << 22, &text, NULL, &e) == 0)
    name = passwd_field(text, st.st_uid, PASSWD_NAME);
  minirt_error_clear(&e);
  if (name == NULL && asprintf(&name, "%u", (unsigned)st.st_uid) < 0)
    name = NULL;
  return name;
}

static int list_one(const struct minirt_global *g, const char *id,
                    const char *format, bool *first, FILE *out) {
  struct container_handle h;
  struct minirt_error e = {0};
  int ret = store_open(g->root, id, &h, &e);
  enum container_status st = CONTAINER_STOPPED;
  if (ret == 0)
    ret = store_live_status(&h, &st, &e);
  if (ret < 0) {
    /* Removed since we read the directory: not listed. A broken one is
     * named on stderr, as runc does, and the others are still listed. */
    if (ret != -ENOENT)
      fprintf(stderr, "minirt: list: %s\n", e.msg ? e.msg : id);
    minirt_error_clear(&e);
    store_close(&h);
    return 0;
  }
  /* A killed create or delete has no status: listed as stopped, so that
   * `delete` finds it. */
  static const struct minirt_status none = {.pid = 0};
  const struct minirt_status *s = h.status != NULL ? h.status : &none;
  int pid = st == CONTAINER_STOPPED ? 0 : s->pid;
  if (strcmp(format, "json") == 0) {
    _cleanup_free_ char *json = NULL;
    if (container_state_json(&h, NULL, st, false, &json, &e) == 0)
      fprintf(out, "%s%s", *first ? "" : ",", json);
    *first = false;
  } else {
    _cleanup_free_ char *owner = owner_name(h.dirfd);
    fprintf(out, "%-12s %-10d %-10s %-40s %-30s %s\n", id, pid,
            container_status_name(st), s->bundle ? s->bundle : "",
            s->created ? s->created : "", owner != NULL ? owner : "?");
  }
  minirt_error_clear(&e);
  store_close(&h);
  return 0;
}

int minirt_list(const struct minirt_global *g, const char *format, bool quiet,
                FILE *out, struct minirt_error *err) {
  char **ids = NULL;
  size_t n = 0;
  int ret = store_list_ids(g->root, &ids, &n, err);
  if (ret < 0)
    return ret;
  if (format == NULL)
    format = "table";
  bool json = strcmp(format, "json") == 0;
  if (!json && strcmp(format, "table") != 0)
    ret = minirt_fail_msg(err, EINVAL, "list: unknown format `%s`", format);
  if (ret == 0) {
    if (quiet) {
      for (size_t i = 0; i < n; i++)
        fprintf(out, "%s\n", ids[i]);
    } else {
      bool first = true;
      if (json)
        fputc('[', out);
      else
        fprintf(out, "%-12s %-10s %-10s %-40s %-30s %s\n", "ID", "PID",
                "STATUS", "BUNDLE", "CREATED", "OWNER");
      for (size_t i = 0; i < n; i++)
        list_one(g, ids[i], format, &first, out);
      if (json)
        fputs("]\n", out);
    }
  }
  for (size_t i = 0; i < n; i++)
    free(ids[i]);
  free(ids);
  return ret;
}
