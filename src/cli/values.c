#include "cli/values.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/cleanup.h"

static int parse_digits(const char *s, uint64_t *out) {
  if (*s == '\0')
    return -EINVAL;
  uint64_t v = 0;
  for (const char *p = s; *p != '\0'; p++) {
    if (*p < '0' || *p > '9')
      return -EINVAL;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return -ERANGE;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int cli_parse_u64(const char *flag, const char *s, uint64_t max, uint64_t *out,
                  struct minirt_error *err) {
  uint64_t v = 0;
  int r = parse_digits(s, &v);
  if (r == -EINVAL)
    return minirt_fail_msg(err, EINVAL, "%s `%s`: not a non-negative integer",
                           flag, s);
  if (r < 0 || v > max)
    return minirt_fail_msg(err, ERANGE, "%s `%s`: out of range (max %llu)",
                           flag, s, (unsigned long long)max);
  *out = v;
  return 0;
}

int cli_parse_i64(const char *flag, const char *s, int64_t min, int64_t max,
                  int64_t *out, struct minirt_error *err) {
  bool neg = s[0] == '-';
  uint64_t mag = 0;
  int r = parse_digits(neg ? s + 1 : s, &mag);
  if (r == -EINVAL)
    return minirt_fail_msg(err, EINVAL, "%s `%s`: not an integer", flag, s);
  int64_t v;
  if (r < 0 || (!neg && mag > (uint64_t)INT64_MAX) ||
      (neg && mag > (uint64_t)INT64_MAX + 1))
    goto range;
  v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
  if (v < min || v > max)
    goto range;
  *out = v;
  return 0;
range:
  return minirt_fail_msg(err, ERANGE, "%s `%s`: out of range [%lld, %lld]",
                         flag, s, (long long)min, (long long)max);
}

static int unit_shift(char c) {
  switch (tolower((unsigned char)c)) {
  case 'k':
    return 10;
  case 'm':
    return 20;
  case 'g':
    return 30;
  case 't':
    return 40;
  case 'p':
    return 50;
  default:
    return -1;
  }
}

/* The suffix after the number: [space] [kmgtp] [i] [b]. */
static int parse_unit(const char *u, int *shift) {
  *shift = 0;
  if (*u == ' ')
    u++;
  if (*u != '\0' && unit_shift(*u) >= 0)
    *shift = unit_shift(*u++);
  if (*shift > 0 && (*u == 'i' || *u == 'I'))
    u++;
  if (*u == 'b' || *u == 'B')
    u++;
  return *u == '\0' ? 0 : -EINVAL;
}

int cli_parse_size(const char *flag, const char *s, int64_t *out,
                   struct minirt_error *err) {
  if (strcmp(s, "-1") == 0) {
    *out = -1;
    return 0;
  }
  const char *p = s;
  uint64_t whole = 0, frac = 0, frac_div = 1;
  while (*p >= '0' && *p <= '9') {
    if (whole > (UINT64_MAX - 9) / 10)
      goto range;
    whole = whole * 10 + (uint64_t)(*p++ - '0');
  }
  if (p == s)
    goto invalid;
  if (*p == '.') {
    const char *start = ++p;
    while (*p >= '0' && *p <= '9') {
      /* Digits past 18 cannot change a byte count below 2^63. */
      if (frac_div < 1000000000000000000ULL) {
        frac = frac * 10 + (uint64_t)(*p - '0');
        frac_div *= 10;
      }
      p++;
    }
    if (p == start)
      goto invalid;
  }
  int shift;
  if (parse_unit(p, &shift) < 0)
    goto invalid;
  if (shift > 0 && whole > ((uint64_t)INT64_MAX >> shift))
    goto range;
  unsigned __int128 bytes = ((unsigned __int128)whole << shift) +
                            (((unsigned __int128)frac << shift) / frac_div);
  if (bytes > (unsigned __int128)INT64_MAX)
    goto range;
  *out = (int64_t)bytes;
  return 0;
invalid:
  return minirt_fail_msg(err, EINVAL,
                         "%s `%s`: not a size (e.g. 1024, 512k, 64m, 1.5g, -1)",
                         flag, s);
range:
  return minirt_fail_msg(err, ERANGE, "%s `%s`: size too large", flag, s);
}

int cli_parse_duration_sec(const char *flag, const char *s, int *out,
                           struct minirt_error *err) {
  const char *p = s;
  uint64_t total = 0;
  if (*p == '\0')
    goto invalid;
  while (*p != '\0') {
    uint64_t n = 0;
    const char *start = p;
    while (*p >= '0' && *p <= '9') {
      n = n * 10 + (uint64_t)(*p++ - '0');
      if (n > INT32_MAX)
        goto invalid;
    }
    if (p == start)
      goto invalid;
    uint64_t mult = 1;
    if (*p == 'h')
      mult = 3600, p++;
    else if (*p == 'm' && p[1] != 's')
      mult = 60, p++;
    else if (*p == 's')
      p++;
    else if (*p != '\0')
      goto invalid;
    total += n * mult;
    if (total > INT32_MAX)
      goto invalid;
  }
  if (total == 0)
    goto invalid;
  *out = (int)total;
  return 0;
invalid:
  return minirt_fail_msg(err, EINVAL,
                         "%s `%s`: not a duration in whole seconds (e.g. 5s, "
                         "1m, 1h30m)",
                         flag, s);
}

int cli_parse_user(const char *s, uint32_t *uid, bool *has_gid, uint32_t *gid,
                   struct minirt_error *err) {
  _cleanup_free_ char *copy = strdup(s);
  if (copy == NULL)
    return minirt_fail(err, ENOMEM, "exec: --user `%s`", s);
  char *colon = strchr(copy, ':');
  if (colon != NULL)
    *colon = '\0';
  uint64_t u = 0, g = 0;
  if (parse_digits(copy, &u) == -EINVAL ||
      (colon != NULL && parse_digits(colon + 1, &g) == -EINVAL))
    return minirt_fail_msg(err, EINVAL,
                           "exec: --user `%s`: only numeric UID[:GID] is "
                           "supported",
                           s);
  /* (uint32_t)-1 is the "no change" id of setresuid, never a real user. */
  if (parse_digits(copy, &u) < 0 || u >= UINT32_MAX ||
      (colon != NULL && (parse_digits(colon + 1, &g) < 0 || g >= UINT32_MAX)))
    return minirt_fail_msg(err, ERANGE, "exec: --user `%s`: id out of range",
                           s);
  *uid = (uint32_t)u;
  *has_gid = colon != NULL;
  *gid = colon != NULL ? (uint32_t)g : 0;
  return 0;
}

int cli_normalize_cap(const char *s, char **out, struct minirt_error *err) {
  const char *name = s;
  if (strncasecmp(name, "CAP_", 4) == 0)
    name += 4;
  if (*name == '\0')
    goto invalid;
  for (const char *p = name; *p != '\0'; p++)
    if (!isalnum((unsigned char)*p) && *p != '_')
      goto invalid;
  char *v = NULL;
  if (asprintf(&v, "CAP_%s", name) < 0)
    return minirt_fail(err, ENOMEM, "exec: --cap `%s`", s);
  for (char *p = v; *p != '\0'; p++)
    *p = (char)toupper((unsigned char)*p);
  *out = v;
  return 0;
invalid:
  return minirt_fail_msg(err, EINVAL, "exec: --cap `%s`: not a capability name",
                         s);
}
