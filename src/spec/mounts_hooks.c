/* mounts and hooks of config.json: parsing, writing, freeing. */
#include <errno.h>
#include <stdlib.h>

#include "spec/json_util.h"
#include "spec/names.h"
#include "spec/spec_internal.h"
#include "util/cleanup.h"

void spec_mount_free(void *e) {
  struct oci_mount *m = e;
  free(m->destination);
  free(m->type);
  free(m->source);
  ju_strv_free(&m->options);
  free(m->uid_mappings);
  free(m->gid_mappings);
}

static int parse_mount(json_object *e, const char *path, void *elem,
                       struct minirt_error *err) {
  struct oci_mount *m = elem;
  int r = ju_get_str(e, path, "destination", &m->destination, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "destination");
  if (ju_check_abs(m->destination, path, "destination", err) < 0 ||
      ju_get_str(e, path, "type", &m->type, err) < 0 ||
      ju_get_str(e, path, "source", &m->source, err) < 0 ||
      ju_get_strv(e, path, "options", &m->options, err) < 0 ||
      ju_get_idmaps(e, path, "uidMappings", &m->uid_mappings,
                    &m->n_uid_mappings, err) < 0 ||
      ju_get_idmaps(e, path, "gidMappings", &m->gid_mappings,
                    &m->n_gid_mappings, err) < 0)
    return -EINVAL;
  return 0;
}

int spec_parse_mounts(json_object *cfg, struct oci_config *c,
                      struct minirt_error *err) {
  return ju_get_objarr(cfg, "", "mounts", sizeof(struct oci_mount),
                       parse_mount, spec_mount_free, (void **)&c->mounts,
                       &c->n_mounts, err);
}

static int write_mount(const void *elem, json_object *o) {
  const struct oci_mount *m = elem;
  if (ju_add_str(o, "destination", m->destination) < 0 ||
      ju_add_str(o, "type", m->type) < 0 ||
      ju_add_str(o, "source", m->source) < 0 ||
      ju_add_strv(o, "options", &m->options) < 0 ||
      ju_add_idmaps(o, "uidMappings", m->uid_mappings, m->n_uid_mappings) < 0 ||
      ju_add_idmaps(o, "gidMappings", m->gid_mappings, m->n_gid_mappings) < 0)
    return -ENOMEM;
  return 0;
}

int spec_write_mounts(json_object *o, const struct oci_config *c) {
  return ju_add_objarr(o, "mounts", c->mounts, c->n_mounts,
                       sizeof(struct oci_mount), write_mount);
}

/* ---- hooks ---- */

static void hook_free(void *e) {
  struct oci_hook *h = e;
  free(h->path);
  ju_strv_free(&h->args);
  ju_strv_free(&h->env);
}

static int parse_hook(json_object *e, const char *path, void *elem,
                      struct minirt_error *err) {
  struct oci_hook *h = elem;
  int64_t timeout = 0;
  int r = ju_get_str(e, path, "path", &h->path, err);
  if (r <= 0)
    return r < 0 ? r : ju_required(err, path, "path");
  if (ju_check_abs(h->path, path, "path", err) < 0 ||
      ju_get_strv(e, path, "args", &h->args, err) < 0 ||
      ju_get_strv(e, path, "env", &h->env, err) < 0)
    return -EINVAL;
  r = ju_get_i64(e, path, "timeout", INT32_MIN, INT32_MAX, &timeout, err);
  if (r < 0)
    return r;
  if (r > 0 && timeout <= 0)
    return ju_fail(err, path, "timeout", "must be greater than zero");
  h->has_timeout = r > 0;
  h->timeout = (int)timeout;
  return 0;
}

static struct oci_hook_list *hook_lists(struct oci_hooks *h, size_t i) {
  struct oci_hook_list *lists[] = {&h->prestart,        &h->create_runtime,
                                   &h->create_container, &h->start_container,
                                   &h->poststart,        &h->poststop};
  return lists[i];
}

void spec_hooks_free(struct oci_hooks *h) {
  if (h == NULL)
    return;
  for (size_t i = 0; oci_hook_names[i] != NULL; i++) {
    struct oci_hook_list *l = hook_lists(h, i);
    ju_free_array(l->v, l->n, sizeof(struct oci_hook), hook_free);
  }
  free(h);
}

int spec_parse_hooks(json_object *cfg, struct oci_config *c,
                     struct minirt_error *err) {
  json_object *ho = NULL;
  int r = ju_get_obj(cfg, "", "hooks", &ho, err);
  if (r <= 0)
    return r;
  c->hooks = calloc(1, sizeof(*c->hooks));
  if (c->hooks == NULL)
    return ju_oom(err);
  for (size_t i = 0; oci_hook_names[i] != NULL; i++) {
    struct oci_hook_list *l = hook_lists(c->hooks, i);
    r = ju_get_objarr(ho, "hooks", oci_hook_names[i], sizeof(struct oci_hook),
                      parse_hook, hook_free, (void **)&l->v, &l->n, err);
    if (r < 0)
      return r;
  }
  return 1;
}

static int write_hook(const void *elem, json_object *o) {
  const struct oci_hook *h = elem;
  if (ju_add_str(o, "path", h->path) < 0 || ju_add_strv(o, "args", &h->args) < 0 ||
      ju_add_strv(o, "env", &h->env) < 0 ||
      (h->has_timeout && ju_add_i64(o, "timeout", h->timeout) < 0))
    return -ENOMEM;
  return 0;
}

int spec_write_hooks(json_object *o, const struct oci_hooks *h) {
  if (h == NULL)
    return 0;
  json_object *ho = json_object_new_object();
  if (ju_add(o, "hooks", ho) < 0)
    return -ENOMEM;
  for (size_t i = 0; oci_hook_names[i] != NULL; i++) {
    const struct oci_hook_list *l = hook_lists((struct oci_hooks *)h, i);
    if (ju_add_objarr(ho, oci_hook_names[i], l->v, l->n,
                      sizeof(struct oci_hook), write_hook) < 0)
      return -ENOMEM;
  }
  return 0;
}
