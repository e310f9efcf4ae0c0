/* Pure cgroup helpers: mountinfo and /proc/self/cgroup parsing, path
 * resolution, and the v1 <-> v2 value conversions. Nothing here makes a
 * syscall, so the unit tests reach all of it by passing text. */
#include "linux/cgroup/cgroup.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/* v1 controllers a `cgroup` mount's super options may name; other options
 * (rw, clone_children, xattr, ...) are not controllers. */
static const char *const v1_controllers[] = {
    "cpu",     "cpuacct",  "cpuset", "memory",     "devices", "freezer",
    "net_cls", "net_prio", "blkio",  "perf_event", "hugetlb", "pids",
    "rdma",    "misc",     "debug",  NULL};

static bool is_v1_controller(const char *opt) {
  if (strncmp(opt, "name=", 5) == 0)
    return true;
  for (size_t i = 0; v1_controllers[i] != NULL; i++)
    if (strcmp(opt, v1_controllers[i]) == 0)
      return true;
  return false;
}

bool cgroup_list_has(const char *list, const char *name) {
  size_t len = strlen(name);
  for (const char *p = list; p != NULL && *p != '\0';) {
    const char *e = strchr(p, ',');
    size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
    if (n == len && strncmp(p, name, len) == 0)
      return true;
    p = e != NULL ? e + 1 : NULL;
  }
  return false;
}

bool cgroup_controllers_has(const char *text, const char *name) {
  size_t len = strlen(name);
  const char *p = text;
  while (p != NULL && *p != '\0') {
    while (isspace((unsigned char)*p))
      p++;
    size_t n = strcspn(p, " \t\n");
    if (n == len && strncmp(p, name, len) == 0)
      return true;
    p += n;
  }
  return false;
}

/* Decodes mountinfo's \ooo escapes in place. */
static void unescape_octal(char *s) {
  char *w = s;
  for (char *r = s; *r != '\0';) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
        r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 4;
    } else {
      *w++ = *r++;
    }
  }
  *w = '\0';
}

/* Keeps only the controller names of a super-options list, in order. */
static char *controllers_of(const char *superopts) {
  size_t len = strlen(superopts);
  char *out = calloc(1, len + 1);
  if (out == NULL)
    return NULL;
  _cleanup_free_ char *copy = strdup(superopts);
  if (copy == NULL) {
    free(out);
    return NULL;
  }
  char *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t != NULL;
       t = strtok_r(NULL, ",", &save)) {
    if (!is_v1_controller(t))
      continue;
    if (out[0] != '\0')
      strcat(out, ",");
    strcat(out, t);
  }
  return out;
}

void cgroup_hierarchies_free(struct cgroup_hierarchy *h, size_t n) {
  for (size_t i = 0; h != NULL && i < n; i++) {
    free(h[i].mountpoint);
    free(h[i].controllers);
  }
  free(h);
}

/* Splits one mountinfo line into mount point, fs type and super options;
 * returns false for a malformed line. Pointers point into `line`. */
static bool split_mountinfo_line(char *line, char **mnt, char **fstype,
                                 char **superopts) {
  char *f[6];
  char *save = NULL, *t = strtok_r(line, " ", &save);
  for (int i = 0; i < 6; i++) {
    if (t == NULL)
      return false;
    f[i] = t;
    t = strtok_r(NULL, " ", &save);
  }
  while (t != NULL && strcmp(t, "-") != 0) /* optional fields */
    t = strtok_r(NULL, " ", &save);
  if (t == NULL)
    return false;
  *fstype = strtok_r(NULL, " ", &save);
  char *source = strtok_r(NULL, " ", &save);
  *superopts = strtok_r(NULL, " ", &save);
  *mnt = f[4];
  return *fstype != NULL && source != NULL && *superopts != NULL;
}

static int add_hierarchy(struct cgroup_hierarchy **h, size_t *n,
                         const char *mnt, char *controllers) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*h)[i].controllers, controllers) == 0) {
      free(controllers); /* bind-mounted again: the first one wins */
      return 0;
    }
  struct cgroup_hierarchy *nh = realloc(*h, (*n + 1) * sizeof **h);
  if (nh == NULL) {
    free(controllers);
    return -ENOMEM;
  }
  *h = nh;
  nh[*n].mountpoint = strdup(mnt);
  nh[*n].controllers = controllers;
  nh[*n].v2 = false;
  if (nh[*n].mountpoint == NULL) {
    free(controllers);
    return -ENOMEM;
  }
  (*n)++;
  return 0;
}

int cgroup_parse_mountinfo(const char *text, struct cgroup_hierarchy **out,
                           size_t *n, char **v2_mountpoint,
                           struct minirt_error *err) {
  _cleanup_free_ char *copy = strdup(text);
  struct cgroup_hierarchy *h = NULL;
  size_t nh = 0;
  _cleanup_free_ char *v2 = NULL;
  if (copy == NULL)
    return minirt_fail(err, ENOMEM, "parse `mountinfo`");
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char *mnt, *fstype, *superopts;
    if (!split_mountinfo_line(line, &mnt, &fstype, &superopts))
      continue;
    unescape_octal(mnt);
    if (strcmp(fstype, "cgroup2") == 0) {
      if (v2 == NULL && (v2 = strdup(mnt)) == NULL)
        goto nomem;
      continue;
    }
    if (strcmp(fstype, "cgroup") != 0)
      continue;
    char *ctl = controllers_of(superopts);
    if (ctl == NULL)
      goto nomem;
    if (ctl[0] == '\0') { /* a hierarchy without controllers: not ours */
      free(ctl);
      continue;
    }
    if (add_hierarchy(&h, &nh, mnt, ctl) < 0)
      goto nomem;
  }
  *out = h;
  *n = nh;
  *v2_mountpoint = steal_pointer(&v2);
  return 0;
nomem:
  cgroup_hierarchies_free(h, nh);
  return minirt_fail(err, ENOMEM, "parse `mountinfo`");
}

int cgroup_parse_own(const char *text, char **out, struct minirt_error *err) {
  const char *best = NULL;
  int best_rank = 0; /* 3: v2 line, 2: name=systemd, 1: first line */
  for (const char *line = text; line != NULL && *line != '\0';) {
    const char *nl = strchr(line, '\n');
    const char *c1 = strchr(line, ':');
    const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
    if (c2 != NULL && (nl == NULL || c2 < nl)) {
      int rank = 1;
      if (c2 == c1 + 1 && strncmp(line, "0:", 2) == 0)
        rank = 3;
      else if (strncmp(c1 + 1, "name=systemd:", 13) == 0)
        rank = 2;
      if (rank > best_rank) {
        best_rank = rank;
        best = c2 + 1;
      }
    }
    line = nl != NULL ? nl + 1 : NULL;
  }
  if (best == NULL)
    return minirt_fail_msg(err, EINVAL,
                           "parse `/proc/self/cgroup`: no "
                           "cgroup line");
  size_t len = strcspn(best, "\n");
  if (len == 0 || best[0] != '/')
    return minirt_fail_msg(err, EINVAL,
                           "parse `/proc/self/cgroup`: bad path `%.*s`",
                           (int)len, best);
  *out = strndup(best, len);
  if (*out == NULL)
    return minirt_fail(err, ENOMEM, "parse `/proc/self/cgroup`");
  return 0;
}

/* Rejects "..", "." and empty components so a config cannot climb out of
 * the cgroup mount. */
static bool path_is_clean(const char *p) {
  for (const char *s = p; *s != '\0';) {
    while (*s == '/')
      s++;
    size_t n = strcspn(s, "/");
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
      return false;
    s += n;
  }
  return true;
}

static bool valid_unit_part(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == '/' || s[i] == '\0')
      return false;
  return n > 0;
}

int cgroup_expand_slice(const char *slice, char **out,
                        struct minirt_error *err) {
  size_t len = strlen(slice);
  const char *suffix = ".slice";
  if (strcmp(slice, "-.slice") == 0) {
    *out = strdup("");
    return *out != NULL ? 0 : minirt_fail(err, ENOMEM, "expand slice");
  }
  if (len <= 6 || strcmp(slice + len - 6, suffix) != 0 ||
      !valid_unit_part(slice, len) || slice[0] == '-' ||
      strstr(slice, "--") != NULL || slice[len - 7] == '-')
    return minirt_fail_msg(err, EINVAL, "invalid systemd slice `%s`", slice);
  size_t base = len - 6;
  /* Each '-' starts a new level: a-b.slice lives in a.slice. */
  char *res = malloc((len + 7) * (len + 1));
  if (res == NULL)
    return minirt_fail(err, ENOMEM, "expand slice");
  res[0] = '\0';
  for (size_t i = 0; i <= base; i++) {
    if (i == base || slice[i] == '-') {
      strcat(res, "/");
      strncat(res, slice, i);
      strcat(res, suffix);
    }
  }
  *out = res;
  return 0;
}

static int resolve_systemd(const char *p, const char *id, char **out,
                           struct minirt_error *err) {
  _cleanup_free_ char *dflt = NULL;
  if (p == NULL) {
    if (asprintf(&dflt, "system.slice:minirt:%s", id) < 0)
      return minirt_fail(err, ENOMEM, "resolve cgroup path");
    p = dflt;
  }
  const char *c1 = strchr(p, ':');
  const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
  if (c2 == NULL || strchr(c2 + 1, ':') != NULL)
    return minirt_fail_msg(err, EINVAL,
                           "linux.cgroupsPath: `%s` is not "
                           "\"slice:prefix:name\" (systemd cgroup)",
                           p);
  _cleanup_free_ char *slice = strndup(p, (size_t)(c1 - p));
  _cleanup_free_ char *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
  const char *name = c2 + 1;
  if (slice == NULL || prefix == NULL)
    return minirt_fail(err, ENOMEM, "resolve cgroup path");
  if (!valid_unit_part(name, strlen(name)) || strchr(prefix, '/') != NULL)
    return minirt_fail_msg(err, EINVAL,
                           "linux.cgroupsPath: bad unit name "
                           "in `%s`",
                           p);
  _cleanup_free_ char *exp = NULL;
  int ret =
      cgroup_expand_slice(slice[0] != '\0' ? slice : "system.slice", &exp, err);
  if (ret < 0)
    return ret;
  size_t nl = strlen(name);
  int r;
  if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0) {
    /* The name is itself a slice: systemd nests it by its dashes. */
    _cleanup_free_ char *sub = NULL;
    if ((ret = cgroup_expand_slice(name, &sub, err)) < 0)
      return ret;
    const char *last = strrchr(sub, '/');
    r = asprintf(out, "%s%s", exp, last);
  } else if (prefix[0] == '\0') {
    r = asprintf(out, "%s/%s.scope", exp, name);
  } else {
    r = asprintf(out, "%s/%s-%s.scope", exp, prefix, name);
  }
  return r < 0 ? minirt_fail(err, ENOMEM, "resolve cgroup path") : 0;
}

int cgroup_systemd_unit_names(const char *cgroups_path, const char *id,
                              bool user, char **unit, char **slice,
                              struct minirt_error *err) {
  *unit = *slice = NULL;
  _cleanup_free_ char *dflt = NULL, *checked = NULL;
  if (cgroups_path == NULL || cgroups_path[0] == '\0') {
    if (asprintf(&dflt, "%s:minirt:%s", user ? "user.slice" : "system.slice",
                 id) < 0)
      return minirt_fail(err, ENOMEM, "systemd unit name");
    cgroups_path = dflt;
  }
  /* The same checks as the path: one parser decides what is valid. */
  int ret = resolve_systemd(cgroups_path, id, &checked, err);
  if (ret < 0)
    return ret;
  const char *c1 = strchr(cgroups_path, ':');
  const char *c2 = strchr(c1 + 1, ':');
  const char *name = c2 + 1;
  size_t nl = strlen(name);
  int r;
  if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0)
    r = asprintf(unit, "%s", name);
  else if (c2 == c1 + 1)
    r = asprintf(unit, "%s.scope", name);
  else
    r = asprintf(unit, "%.*s-%s.scope", (int)(c2 - c1 - 1), c1 + 1, name);
  if (r < 0) {
    *unit = NULL;
    return minirt_fail(err, ENOMEM, "systemd unit name");
  }
  if (c1 == cgroups_path)
    r = asprintf(slice, "%s", user ? "user.slice" : "system.slice");
  else
    r = asprintf(slice, "%.*s", (int)(c1 - cgroups_path), cgroups_path);
  if (r < 0) {
    *slice = NULL;
    free(*unit);
    *unit = NULL;
    return minirt_fail(err, ENOMEM, "systemd unit name");
  }
  return 0;
}

int cgroup_resolve_path_in(const char *cgroups_path, const char *id,
                           bool systemd_cgroup, const char *own_cgroup,
                           char **out, struct minirt_error *err) {
  if (systemd_cgroup)
    return resolve_systemd(cgroups_path, id, out, err);
  int r;
  if (cgroups_path == NULL || cgroups_path[0] == '\0') {
    if (id == NULL || id[0] == '\0' || strchr(id, '/') != NULL ||
        !path_is_clean(id))
      return minirt_fail_msg(err, EINVAL,
                             "invalid container id for a "
                             "cgroup path");
    r = asprintf(out, "/minirt/%s", id);
  } else if (!path_is_clean(cgroups_path)) {
    return minirt_fail_msg(err, EINVAL,
                           "linux.cgroupsPath: `%s` has a `.` or `..` "
                           "component",
                           cgroups_path);
  } else if (cgroups_path[0] == '/') {
    r = asprintf(out, "%s", cgroups_path);
  } else {
    const char *own = own_cgroup != NULL ? own_cgroup : "/";
    r = asprintf(out, "%s%s%s", own, own[strlen(own) - 1] == '/' ? "" : "/",
                 cgroups_path);
  }
  if (r < 0)
    return minirt_fail(err, ENOMEM, "resolve cgroup path");
  /* Drop trailing slashes so "/a/" and "/a" name one cgroup. */
  size_t len = strlen(*out);
  while (len > 1 && (*out)[len - 1] == '/')
    (*out)[--len] = '\0';
  if (strcmp(*out, "/") == 0) {
    free(*out);
    *out = NULL;
    return minirt_fail_msg(err, EINVAL,
                           "linux.cgroupsPath: the root cgroup "
                           "cannot be a container's cgroup");
  }
  return 0;
}

uint64_t cgroup_shares_to_weight(uint64_t shares) {
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_blkio_to_io_weight(uint64_t weight) {
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

int cgroup_v2_swap_value(bool has_swap, int64_t swap, bool has_limit,
                         int64_t limit, int64_t *out, bool *set,
                         struct minirt_error *err) {
  int64_t mem = has_limit ? limit : 0;
  int64_t sw = has_swap ? swap : 0;
  *set = false;
  *out = 0;
  /* v1 compatibility: an unlimited memory without a swap value means
   * unlimited swap too. */
  if (mem == -1 && sw == 0) {
    *set = true;
    *out = -1;
    return 0;
  }
  if (sw == -1) {
    *set = true;
    *out = -1;
    return 0;
  }
  if (sw == 0)
    return 0; /* 0 is "unset" in docker's vocabulary */
  if (mem == 0 || mem == -1)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.memory.swap: "
                           "cannot set swap without a memory "
                           "limit");
  if (mem < 0 || sw < 0)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.memory: invalid "
                           "limit %" PRId64 " or swap %" PRId64,
                           mem, sw);
  if (sw < mem)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.memory.swap: %" PRId64
                           " (memory+swap) is below the limit %" PRId64,
                           sw, mem);
  *set = true;
  *out = sw - mem;
  return 0;
}

void cgroup_format_limit(int64_t v, bool v1, char *buf, size_t size) {
  if (v < 0)
    snprintf(buf, size, "%s", v1 ? "-1" : "max");
  else
    snprintf(buf, size, "%" PRId64, v);
}

bool cgroup_valid_page_size(const char *s) {
  size_t d = 0;
  while (isdigit((unsigned char)s[d]))
    d++;
  if (d == 0 || d > 10)
    return false;
  return strcmp(s + d, "KB") == 0 || strcmp(s + d, "MB") == 0 ||
         strcmp(s + d, "GB") == 0;
}
