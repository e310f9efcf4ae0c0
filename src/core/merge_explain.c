/* `minirt exec --explain --format table`: the merged process as a three
 * column table FIELD | SOURCE | VALUE, one row per merge field. A list value
 * continues on the following lines with the FIELD and SOURCE cells left
 * blank. */
#include "core/merge.h"
#include "spec/state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

static const char *const field_names[MF_COUNT] = {
    [MF_ARGS] = "args",
    [MF_ENV] = "env",
    [MF_CWD] = "cwd",
    [MF_UID] = "user.uid",
    [MF_GID] = "user.gid",
    [MF_ADDITIONAL_GIDS] = "user.additionalGids",
    [MF_UMASK] = "user.umask",
    [MF_CAPABILITIES] = "capabilities",
    [MF_RLIMITS] = "rlimits",
    [MF_NO_NEW_PRIVILEGES] = "noNewPrivileges",
    [MF_APPARMOR] = "apparmorProfile",
    [MF_SELINUX_LABEL] = "selinuxLabel",
    [MF_OOM_SCORE_ADJ] = "oomScoreAdj",
    [MF_SCHEDULER] = "scheduler",
    [MF_IO_PRIORITY] = "ioPriority",
    [MF_EXEC_CPU_AFFINITY] = "execCPUAffinity",
    [MF_TERMINAL] = "terminal",
    [MF_CONSOLE_SIZE] = "consoleSize",
};

const char *merge_field_name(enum merge_field f) {
  if ((int)f < 0 || f >= MF_COUNT)
    return "unknown";
  return field_names[f];
}

/* Long lists (capabilities) wrap at this many characters of value. */
#define WRAP 48

struct line {
  const char *field;  /* NULL on a continuation line */
  char *value;        /* owned */
  const char *source; /* NULL on a continuation line */
};

struct table {
  struct line *v;
  size_t n;
  const char *field, *source; /* of the row being added */
};

static void table_free(struct table *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->v[i].value);
  free(t->v);
}

/* Appends one line (taking value); the first line of a row carries the
 * row's field and source. */
static int add_line(struct table *t, char *value) {
  if (value == NULL)
    return -ENOMEM;
  struct line *v = realloc(t->v, (t->n + 1) * sizeof *v);
  if (v == NULL) {
    free(value);
    return -ENOMEM;
  }
  t->v = v;
  t->v[t->n++] = (struct line){t->field, value, t->source};
  t->field = t->source = NULL;
  return 0;
}

static int add_fmt(struct table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int add_fmt(struct table *t, const char *fmt, ...) {
  char *s = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&s, fmt, ap);
  va_end(ap);
  return add_line(t, n < 0 ? NULL : s);
}

static void row(struct table *t, const struct merge_result *r,
                enum merge_field f, const char *label) {
  t->field = label != NULL ? label : merge_field_name(f);
  t->source = r->source[f] != NULL ? r->source[f] : "default";
}

static bool needs_quotes(const char *s) {
  if (*s == '\0')
    return true;
  return s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_./:=@%+,-")] != '\0';
}

/* args as a shell would read them: sh -c 'echo hi'. */
static int add_args(struct table *t, const struct oci_strv *args) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < args->n; i++) {
    const char *a = args->v[i];
    if (i > 0)
      fputc(' ', f);
    if (!needs_quotes(a)) {
      fputs(a, f);
      continue;
    }
    fputc('\'', f);
    for (; *a != '\0'; a++)
      *a == '\'' ? fputs("'\\''", f) : fputc(*a, f);
    fputc('\'', f);
  }
  if (fclose(f) != 0) {
    free(buf);
    return -ENOMEM;
  }
  return add_line(t, buf);
}

/* A list with one item per line, or "-" when empty. */
static int add_list(struct table *t, const struct oci_strv *s) {
  if (s->n == 0)
    return add_line(t, strdup("-"));
  for (size_t i = 0; i < s->n; i++)
    if (add_line(t, strdup(s->v[i])) < 0)
      return -ENOMEM;
  return 0;
}

/* A list joined by ", " and wrapped at WRAP characters. */
static int add_wrapped(struct table *t, const struct oci_strv *s, bool has) {
  if (!has || s->n == 0)
    return add_line(t, strdup(has ? "(empty)" : "-"));
  size_t i = 0;
  while (i < s->n) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
      return -ENOMEM;
    size_t used = 0;
    do {
      fprintf(f, "%s%s", s->v[i], i + 1 < s->n ? "," : "");
      used += strlen(s->v[i]) + 2;
      i++;
      if (i < s->n && used + strlen(s->v[i]) <= WRAP)
        fputc(' ', f);
      else
        break;
    } while (true);
    if (fclose(f) != 0) {
      free(buf);
      return -ENOMEM;
    }
    if (add_line(t, buf) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int add_user(struct table *t, const struct merge_result *r) {
  const struct oci_user *u = &r->process->user;
  row(t, r, MF_UID, NULL);
  if (add_fmt(t, "%u", u->uid) < 0)
    return -ENOMEM;
  row(t, r, MF_GID, NULL);
  if (add_fmt(t, "%u", u->gid) < 0)
    return -ENOMEM;
  row(t, r, MF_ADDITIONAL_GIDS, NULL);
  if (u->n_additional_gids == 0 && add_line(t, strdup("-")) < 0)
    return -ENOMEM;
  for (size_t i = 0; i < u->n_additional_gids; i++)
    if (add_fmt(t, "%u", u->additional_gids[i]) < 0)
      return -ENOMEM;
  row(t, r, MF_UMASK, NULL);
  return u->has_umask ? add_fmt(t, "%04o", u->umask) : add_line(t, strdup("-"));
}

static int add_caps(struct table *t, const struct merge_result *r) {
  const struct oci_capabilities *c = r->process->capabilities;
  if (c == NULL) {
    row(t, r, MF_CAPABILITIES, NULL);
    return add_line(t, strdup("-"));
  }
  const struct {
    const char *label;
    const struct oci_strv *set;
    bool has;
  } sets[] = {
      {"capabilities.bounding", &c->bounding, c->has_bounding},
      {"capabilities.effective", &c->effective, c->has_effective},
      {"capabilities.inheritable", &c->inheritable, c->has_inheritable},
      {"capabilities.permitted", &c->permitted, c->has_permitted},
      {"capabilities.ambient", &c->ambient, c->has_ambient},
  };
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
    row(t, r, MF_CAPABILITIES, sets[i].label);
    if (add_wrapped(t, sets[i].set, sets[i].has) < 0)
      return -ENOMEM;
  }
  return 0;
}

static int add_rlimits(struct table *t, const struct merge_result *r) {
  const struct oci_process *p = r->process;
  row(t, r, MF_RLIMITS, NULL);
  if (p->n_rlimits == 0)
    return add_line(t, strdup("-"));
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (add_fmt(t, "%s soft=%llu hard=%llu",
                p->rlimits[i].type != NULL ? p->rlimits[i].type : "?",
                (unsigned long long)p->rlimits[i].soft,
                (unsigned long long)p->rlimits[i].hard) < 0)
      return -ENOMEM;
  return 0;
}

static int add_opt_str(struct table *t, const struct merge_result *r,
                       enum merge_field f, const char *s) {
  row(t, r, f, NULL);
  return add_line(t, strdup(s != NULL ? s : "-"));
}

static int add_sched(struct table *t, const struct merge_result *r) {
  const struct oci_process *p = r->process;
  row(t, r, MF_OOM_SCORE_ADJ, NULL);
  int ret = (p->present & OCI_PROC_OOM_SCORE_ADJ)
                ? add_fmt(t, "%d", p->oom_score_adj)
                : add_line(t, strdup("-"));
  row(t, r, MF_SCHEDULER, NULL);
  const struct oci_scheduler *s = p->scheduler;
  if (ret >= 0)
    ret = s != NULL ? add_fmt(t, "%s nice=%d priority=%d",
                              s->policy != NULL ? s->policy : "?", s->nice,
                              s->priority)
                    : add_line(t, strdup("-"));
  row(t, r, MF_IO_PRIORITY, NULL);
  const struct oci_io_priority *io = p->io_priority;
  if (ret >= 0)
    ret = io != NULL
              ? add_fmt(t, "%s %d", io->class_ != NULL ? io->class_ : "?",
                        io->priority)
              : add_line(t, strdup("-"));
  row(t, r, MF_EXEC_CPU_AFFINITY, NULL);
  const struct oci_cpu_affinity *a = p->exec_cpu_affinity;
  if (ret >= 0)
    ret = a != NULL ? add_fmt(t, "initial=%s final=%s",
                              a->initial != NULL ? a->initial : "-",
                              a->final != NULL ? a->final : "-")
                    : add_line(t, strdup("-"));
  return ret;
}

static int build(struct table *t, const struct merge_result *r) {
  const struct oci_process *p = r->process;
  row(t, r, MF_ARGS, NULL);
  if (add_args(t, &p->args) < 0)
    return -ENOMEM;
  row(t, r, MF_ENV, NULL);
  if (add_list(t, &p->env) < 0)
    return -ENOMEM;
  if (add_opt_str(t, r, MF_CWD, p->cwd) < 0 || add_user(t, r) < 0 ||
      add_caps(t, r) < 0 || add_rlimits(t, r) < 0)
    return -ENOMEM;
  if (add_opt_str(t, r, MF_NO_NEW_PRIVILEGES,
                  p->no_new_privileges ? "true" : "false") < 0 ||
      add_opt_str(t, r, MF_APPARMOR, p->apparmor_profile) < 0 ||
      add_opt_str(t, r, MF_SELINUX_LABEL, p->selinux_label) < 0 ||
      add_sched(t, r) < 0 ||
      add_opt_str(t, r, MF_TERMINAL, p->terminal ? "true" : "false") < 0)
    return -ENOMEM;
  row(t, r, MF_CONSOLE_SIZE, NULL);
  if (p->present & OCI_PROC_CONSOLE_SIZE)
    return add_fmt(t, "height=%u width=%u", p->console_size.height,
                   p->console_size.width);
  return add_line(t, strdup("-"));
}

/* SOURCE comes before VALUE so that long values (PATH, capability lists)
 * never push a column out of line and stay whole for copy and paste. */
static int render(const struct table *t, char **out) {
  size_t wf = strlen("FIELD"), ws = strlen("SOURCE");
  for (size_t i = 0; i < t->n; i++) {
    if (t->v[i].field != NULL && strlen(t->v[i].field) > wf)
      wf = strlen(t->v[i].field);
    if (t->v[i].source != NULL && strlen(t->v[i].source) > ws)
      ws = strlen(t->v[i].source);
  }
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return -ENOMEM;
  fprintf(f, "%-*s  %-*s  %s\n", (int)wf, "FIELD", (int)ws, "SOURCE", "VALUE");
  for (size_t i = 0; i < t->n; i++) {
    const struct line *l = &t->v[i];
    fprintf(f, "%-*s  %-*s  %s\n", (int)wf, l->field != NULL ? l->field : "",
            (int)ws, l->source != NULL ? l->source : "", l->value);
  }
  if (fclose(f) != 0) {
    free(buf);
    return -ENOMEM;
  }
  *out = buf;
  return 0;
}

int merge_explain_table(const struct merge_result *r, char **out,
                        struct minirt_error *err) {
  *out = NULL;
  if (r == NULL || r->process == NULL)
    return minirt_fail_msg(err, EINVAL, "exec --explain: nothing merged");
  struct table t = {0};
  int ret = build(&t, r);
  if (ret >= 0)
    ret = render(&t, out);
  table_free(&t);
  if (ret < 0)
    return minirt_fail(err, ENOMEM, "exec --explain: format the table");
  return 0;
}

/* The spec layer writes the process; the sources are static ASCII names
 * without quotes or backslashes, so they are written here as they are. */
int merge_explain_json(const struct merge_result *r, char **out,
                       struct minirt_error *err) {
  *out = NULL;
  if (r == NULL || r->process == NULL)
    return minirt_fail_msg(err, EINVAL, "exec --explain: nothing merged");
  /* JSON is written by the spec layer; we only supply the names. */
  const char *fields[MF_COUNT], *sources[MF_COUNT];
  for (int f = 0; f < MF_COUNT; f++) {
    fields[f] = merge_field_name((enum merge_field)f);
    sources[f] = r->source[f] != NULL ? r->source[f] : "default";
  }
  return oci_explain_to_json(r->process, fields, sources, MF_COUNT, out, err);
}
