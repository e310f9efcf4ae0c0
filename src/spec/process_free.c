/* Destruction and deep copy of struct oci_process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/oci.h"
#include "util/cleanup.h"

static void caps_free(struct oci_capabilities *c) {
  if (c == NULL)
    return;
  ju_strv_free(&c->bounding);
  ju_strv_free(&c->effective);
  ju_strv_free(&c->inheritable);
  ju_strv_free(&c->permitted);
  ju_strv_free(&c->ambient);
  free(c);
}

void oci_process_free(struct oci_process *p) {
  if (p == NULL)
    return;
  free(p->user.additional_gids);
  free(p->user.username);
  ju_strv_free(&p->args);
  free(p->command_line);
  ju_strv_free(&p->env);
  free(p->cwd);
  caps_free(p->capabilities);
  for (size_t i = 0; i < p->n_rlimits; i++)
    free(p->rlimits[i].type);
  free(p->rlimits);
  free(p->apparmor_profile);
  if (p->scheduler != NULL) {
    free(p->scheduler->policy);
    ju_strv_free(&p->scheduler->flags);
    free(p->scheduler);
  }
  free(p->selinux_label);
  if (p->io_priority != NULL) {
    free(p->io_priority->class_);
    free(p->io_priority);
  }
  if (p->exec_cpu_affinity != NULL) {
    free(p->exec_cpu_affinity->initial);
    free(p->exec_cpu_affinity->final);
    free(p->exec_cpu_affinity);
  }
  free(p);
}

/* strdup that keeps NULL and reports failure through *ok. */
static char *dup_str(const char *s, bool *ok) {
  if (s == NULL)
    return NULL;
  char *d = strdup(s);
  if (d == NULL)
    *ok = false;
  return d;
}

static void *dup_mem(const void *src, size_t size, bool *ok) {
  if (src == NULL)
    return NULL;
  void *d = malloc(size ? size : 1);
  if (d == NULL) {
    *ok = false;
    return NULL;
  }
  memcpy(d, src, size);
  return d;
}

static void dup_strv(struct oci_strv *dst, const struct oci_strv *src,
                     bool *ok) {
  if (ju_strv_dup(dst, src) < 0)
    *ok = false;
}

static struct oci_capabilities *dup_caps(const struct oci_capabilities *c,
                                         bool *ok) {
  if (c == NULL)
    return NULL;
  struct oci_capabilities *d = calloc(1, sizeof(*d));
  if (d == NULL) {
    *ok = false;
    return NULL;
  }
  d->has_bounding = c->has_bounding;
  d->has_effective = c->has_effective;
  d->has_inheritable = c->has_inheritable;
  d->has_permitted = c->has_permitted;
  d->has_ambient = c->has_ambient;
  dup_strv(&d->bounding, &c->bounding, ok);
  dup_strv(&d->effective, &c->effective, ok);
  dup_strv(&d->inheritable, &c->inheritable, ok);
  dup_strv(&d->permitted, &c->permitted, ok);
  dup_strv(&d->ambient, &c->ambient, ok);
  return d;
}

static void dup_small(struct oci_process *d, const struct oci_process *p,
                      bool *ok) {
  if (p->scheduler != NULL && (d->scheduler = calloc(1, sizeof(*d->scheduler))) != NULL) {
    *d->scheduler = *p->scheduler;
    d->scheduler->policy = dup_str(p->scheduler->policy, ok);
    dup_strv(&d->scheduler->flags, &p->scheduler->flags, ok);
  } else if (p->scheduler != NULL) {
    *ok = false;
  }
  if (p->io_priority != NULL &&
      (d->io_priority = calloc(1, sizeof(*d->io_priority))) != NULL) {
    d->io_priority->priority = p->io_priority->priority;
    d->io_priority->class_ = dup_str(p->io_priority->class_, ok);
  } else if (p->io_priority != NULL) {
    *ok = false;
  }
  if (p->exec_cpu_affinity != NULL &&
      (d->exec_cpu_affinity = calloc(1, sizeof(*d->exec_cpu_affinity))) != NULL) {
    d->exec_cpu_affinity->initial = dup_str(p->exec_cpu_affinity->initial, ok);
    d->exec_cpu_affinity->final = dup_str(p->exec_cpu_affinity->final, ok);
  } else if (p->exec_cpu_affinity != NULL) {
    *ok = false;
  }
}

struct oci_process *oci_process_dup(const struct oci_process *p) {
  if (p == NULL)
    return NULL;
  bool ok = true;
  struct oci_process *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return NULL;
  d->present = p->present;
  d->terminal = p->terminal;
  d->console_size = p->console_size;
  d->user = p->user;
  d->user.additional_gids =
      dup_mem(p->user.additional_gids,
              p->user.n_additional_gids * sizeof(uint32_t), &ok);
  d->user.username = dup_str(p->user.username, &ok);
  dup_strv(&d->args, &p->args, &ok);
  d->command_line = dup_str(p->command_line, &ok);
  dup_strv(&d->env, &p->env, &ok);
  d->cwd = dup_str(p->cwd, &ok);
  d->capabilities = dup_caps(p->capabilities, &ok);
  if (p->rlimits != NULL) {
    d->rlimits = dup_mem(p->rlimits, p->n_rlimits * sizeof(*p->rlimits), &ok);
    if (d->rlimits != NULL) {
      d->n_rlimits = p->n_rlimits;
      for (size_t i = 0; i < p->n_rlimits; i++)
        d->rlimits[i].type = dup_str(p->rlimits[i].type, &ok);
    }
  }
  d->no_new_privileges = p->no_new_privileges;
  d->apparmor_profile = dup_str(p->apparmor_profile, &ok);
  d->oom_score_adj = p->oom_score_adj;
  d->selinux_label = dup_str(p->selinux_label, &ok);
  dup_small(d, p, &ok);
  if (!ok) {
    oci_process_free(d);
    return NULL;
  }
  return d;
}
