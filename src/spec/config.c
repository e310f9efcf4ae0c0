/* config.json: the top level object, loading, writing and the checks that
 * only hold for a config that is to be run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

void oci_config_free(struct oci_config *c) {
  if (c == NULL)
    return;
  free(c->oci_version);
  oci_process_free(c->process);
  if (c->root != NULL) {
    free(c->root->path);
    free(c->root);
  }
  free(c->hostname);
  free(c->domainname);
  ju_free_array(c->mounts, c->n_mounts, sizeof(struct oci_mount),
                spec_mount_free);
  spec_hooks_free(c->hooks);
  ju_kv_free(&c->annotations);
  spec_linux_free(c->linux_);
  free(c);
}

static int parse_root(json_object *cfg, struct oci_config *c,
                      struct minirt_error *err) {
  json_object *ro = NULL;
  int r = ju_get_obj(cfg, "", "root", &ro, err);
  if (r <= 0)
    return r;
  if ((c->root = calloc(1, sizeof(*c->root))) == NULL)
    return ju_oom(err);
  if ((r = ju_get_str(ro, "root", "path", &c->root->path, err)) <= 0)
    return r < 0 ? r : ju_required(err, "root", "path");
  return ju_get_bool(ro, "root", "readonly", &c->root->readonly, err);
}

static int parse_sections(json_object *o, struct oci_config *c,
                          struct minirt_error *err) {
  json_object *sub = NULL;
  int r = ju_get_str(o, "", "ociVersion", &c->oci_version, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, "", "ociVersion");
  if ((r = ju_get_obj(o, "", "process", &sub, err)) < 0)
    return r;
  if (r > 0 && (r = spec_parse_process(sub, "process", &c->process, err)) < 0)
    return r;
  if (parse_root(o, c, err) < 0 ||
      ju_get_str(o, "", "hostname", &c->hostname, err) < 0 ||
      ju_get_str(o, "", "domainname", &c->domainname, err) < 0 ||
      spec_parse_mounts(o, c, err) < 0 || spec_parse_hooks(o, c, err) < 0 ||
      ju_get_kv(o, "", "annotations", &c->annotations, err) < 0)
    return -err->errnum;
  sub = NULL;
  if ((r = ju_get_obj(o, "", "linux", &sub, err)) < 0)
    return r;
  if (r > 0 && (r = spec_parse_linux(sub, "linux", &c->linux_, err)) < 0)
    return r;
  return 0;
}

int oci_config_parse(const char *data, size_t len, struct oci_config **out,
                     struct minirt_error *err) {
  _cleanup_json_ json_object *o = NULL;
  struct minirt_error local = {0, NULL};
  struct minirt_error *e = err != NULL ? err : &local;
  int r = ju_parse_object(data, len, "config", &o, e);
  if (r < 0)
    goto fail;
  struct oci_config *c = calloc(1, sizeof(*c));
  if (c == NULL) {
    r = ju_oom(e);
    goto fail;
  }
  r = parse_sections(o, c, e);
  if (r < 0) {
    oci_config_free(c);
    goto fail;
  }
  *out = c;
  return 0;
fail:
  minirt_error_clear(&local);
  return r < 0 ? r : -EINVAL;
}

int oci_config_load_file(const char *path, struct oci_config **out, char **raw,
                         size_t *raw_len, struct minirt_error *err) {
  _cleanup_free_ char *data = NULL;
  size_t len = 0;
  int r = read_file(path, MINIRT_MAX_JSON_SIZE, &data, &len, err);
  if (r < 0)
    return r;
  r = oci_config_parse(data, len, out, err);
  if (r < 0) {
    minirt_error_prefix(err, "`%s`: ", path);
    return r;
  }
  if (raw != NULL)
    *raw = steal_pointer(&data);
  if (raw_len != NULL)
    *raw_len = len;
  return 0;
}

static int write_config(json_object *o, const struct oci_config *c) {
  json_object *sub = NULL;
  if (ju_add_str(o, "ociVersion", c->oci_version) < 0)
    return -ENOMEM;
  if (c->process != NULL &&
      (spec_write_process(c->process, &sub) < 0 || ju_add(o, "process", sub) < 0))
    return -ENOMEM;
  if (c->root != NULL) {
    json_object *ro = json_object_new_object();
    if (ju_add(o, "root", ro) < 0 || ju_add_str(ro, "path", c->root->path) < 0 ||
        ((c->root->readonly) && ju_add_bool(ro, "readonly", true) < 0))
      return -ENOMEM;
  }
  if (ju_add_str(o, "hostname", c->hostname) < 0 ||
      ju_add_str(o, "domainname", c->domainname) < 0 ||
      spec_write_mounts(o, c) < 0 || spec_write_hooks(o, c->hooks) < 0 ||
      ju_add_kv(o, "annotations", &c->annotations) < 0)
    return -ENOMEM;
  sub = NULL;
  if (c->linux_ != NULL &&
      (spec_write_linux(c->linux_, &sub) < 0 || ju_add(o, "linux", sub) < 0))
    return -ENOMEM;
  return 0;
}

int oci_config_to_json(const struct oci_config *cfg, bool pretty, char **out,
                       struct minirt_error *err) {
  _cleanup_json_ json_object *o = json_object_new_object();
  if (o == NULL || write_config(o, cfg) < 0)
    return ju_oom(err);
  return ju_to_string(o, pretty, out, err);
}

int oci_config_validate_for_create(const struct oci_config *cfg,
                                   struct minirt_error *err) {
  const struct oci_process *p = cfg->process;
  if (cfg->root == NULL || cfg->root->path == NULL)
    return ju_required(err, "", "root.path");
  if (cfg->root->path[0] == '\0')
    return ju_fail(err, "root", "path", "must not be empty");
  if (p == NULL)
    return ju_required(err, "", "process");
  if (p->args.n == 0)
    return ju_fail(err, "process", "args", "must not be empty");
  if (p->args.v[0][0] == '\0')
    return ju_fail(err, "process", "args[0]", "must not be empty");
  if (p->cwd == NULL)
    return ju_required(err, "process", "cwd");
  return ju_check_abs(p->cwd, "process", "cwd", err);
}
