#include "cli/optparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void opt_init(struct opt_parser *p, int argc, char **argv,
              const struct opt_def *defs, bool permute) {
  memset(p, 0, sizeof(*p));
  p->argc = argc;
  p->argv = argv;
  p->defs = defs;
  p->permute = permute;
}

void opt_fini(struct opt_parser *p) {
  free(p->positional);
  p->positional = NULL;
  p->n_positional = 0;
}

int opt_parse_bool(const char *s, bool *out) {
  static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
  static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
    if (strcmp(s, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcmp(s, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -EINVAL;
}

static int push_positional(struct opt_parser *p, char *arg,
                           struct minirt_error *err) {
  char **v = realloc(p->positional, (p->n_positional + 2) * sizeof(*v));
  if (v == NULL)
    return minirt_fail(err, ENOMEM, "parse arguments");
  v[p->n_positional++] = arg;
  v[p->n_positional] = NULL;
  p->positional = v;
  return 0;
}

static const struct opt_def *find_long(const struct opt_def *defs,
                                       const char *name, size_t len) {
  for (const struct opt_def *d = defs; d->name != NULL; d++)
    if (strlen(d->name) == len && strncmp(d->name, name, len) == 0)
      return d;
  return NULL;
}

static const struct opt_def *find_short(const struct opt_def *defs, char c) {
  for (const struct opt_def *d = defs; d->name != NULL; d++)
    if (d->short_name != 0 && d->short_name == c)
      return d;
  return NULL;
}

/* Takes the value of a value option from the next argv element. */
static int take_next(struct opt_parser *p, struct opt_hit *hit,
                     const char *spelled, struct minirt_error *err) {
  if (p->index >= p->argc)
    return minirt_fail_msg(err, EINVAL, "flag `%s` needs a value", spelled);
  hit->value = p->argv[p->index++];
  return 1;
}

static int parse_long(struct opt_parser *p, const char *arg,
                      struct opt_hit *hit, struct minirt_error *err) {
  const char *name = arg + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
  const struct opt_def *d = find_long(p->defs, name, len);
  if (d == NULL)
    return minirt_fail_msg(err, EINVAL, "unknown flag `--%.*s`", (int)len,
                           name);
  hit->id = d->id;
  hit->def = d;
  if (d->kind == OPT_FLAG) {
    hit->flag = true;
    if (eq != NULL && opt_parse_bool(eq + 1, &hit->flag) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "flag `--%s` takes true or false, not `%s`",
                             d->name, eq + 1);
    return 1;
  }
  if (eq != NULL) {
    hit->value = eq + 1;
    return 1;
  }
  char spelled[128];
  snprintf(spelled, sizeof(spelled), "--%s", d->name);
  return take_next(p, hit, spelled, err);
}

static int parse_short(struct opt_parser *p, struct opt_hit *hit,
                       struct minirt_error *err) {
  char c = *p->rest++;
  const struct opt_def *d = find_short(p->defs, c);
  if (d == NULL) {
    p->rest = NULL;
    return minirt_fail_msg(err, EINVAL, "unknown flag `-%c`", c);
  }
  hit->id = d->id;
  hit->def = d;
  if (d->kind == OPT_FLAG) {
    hit->flag = true;
    if (*p->rest == '\0')
      p->rest = NULL;
    return 1;
  }
  if (*p->rest != '\0') {
    hit->value = p->rest; /* -bDIR */
    p->rest = NULL;
    return 1;
  }
  p->rest = NULL;
  char spelled[3] = {'-', c, '\0'};
  return take_next(p, hit, spelled, err);
}

int opt_next(struct opt_parser *p, struct opt_hit *hit,
             struct minirt_error *err) {
  memset(hit, 0, sizeof(*hit));
  if (p->rest != NULL)
    return parse_short(p, hit, err);
  while (p->index < p->argc) {
    char *arg = p->argv[p->index++];
    int r;
    if (p->ended || arg[0] != '-' || arg[1] == '\0') {
      /* A positional ("-" alone is one too, e.g. stdin). */
      if (!p->permute)
        p->ended = true;
      if ((r = push_positional(p, arg, err)) < 0)
        return r;
      continue;
    }
    if (strcmp(arg, "--") == 0) {
      p->ended = true;
      continue;
    }
    if (arg[1] == '-')
      return parse_long(p, arg, hit, err);
    p->rest = arg + 1;
    return parse_short(p, hit, err);
  }
  return 0;
}
