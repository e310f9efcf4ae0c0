#include "util/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vfail(struct minirt_error *err, int errnum, int with_strerror,
                 const char *fmt, va_list ap) {
  int ret = errnum > 0 ? -errnum : -EINVAL;
  if (err == NULL || err->msg != NULL)
    return ret;
  char *base = NULL;
  if (vasprintf(&base, fmt, ap) < 0)
    base = NULL;
  if (base != NULL && with_strerror && errnum > 0) {
    char *full = NULL;
    if (asprintf(&full, "%s: %s", base, strerror(errnum)) >= 0) {
      free(base);
      base = full;
    }
  }
  err->errnum = -ret;
  err->msg = base != NULL ? base : strdup("out of memory");
  return ret;
}

int minirt_fail(struct minirt_error *err, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int ret = vfail(err, errnum, 1, fmt, ap);
  va_end(ap);
  return ret;
}

int minirt_fail_msg(struct minirt_error *err, int errnum, const char *fmt,
                    ...) {
  va_list ap;
  va_start(ap, fmt);
  int ret = vfail(err, errnum, 0, fmt, ap);
  va_end(ap);
  return ret;
}

void minirt_error_prefix(struct minirt_error *err, const char *fmt, ...) {
  if (err == NULL || err->msg == NULL)
    return;
  char *prefix = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&prefix, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  char *full = NULL;
  if (asprintf(&full, "%s%s", prefix, err->msg) >= 0) {
    free(err->msg);
    err->msg = full;
  }
  free(prefix);
}

void minirt_error_clear(struct minirt_error *err) {
  if (err == NULL)
    return;
  free(err->msg);
  err->msg = NULL;
  err->errnum = 0;
}
