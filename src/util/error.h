/* One error type for the whole runtime: an errno and a message that names
 * the object and the step, e.g. "mount `proc` on `/proc`: Operation not
 * permitted". Every fallible function returns int (< 0 on failure, the
 * negative errno) and fills a struct minirt_error. */
#ifndef MINIRT_UTIL_ERROR_H
#define MINIRT_UTIL_ERROR_H

#include <stdarg.h>

struct minirt_error {
  int errnum;
  char *msg;
};

/* Sets *err (if err is not NULL and not already set) to the formatted
 * message followed by ": strerror(errnum)" when errnum > 0. Returns
 * -errnum, or -EINVAL when errnum is 0, so callers can write
 * `return minirt_fail(err, errno, "open `%s`", path);`. */
int minirt_fail(struct minirt_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like minirt_fail but never appends strerror: for validation errors whose
 * message already says everything ("process.cwd: must be an absolute path"). */
int minirt_fail_msg(struct minirt_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes an existing message: "create `c1`: " + old message. */
void minirt_error_prefix(struct minirt_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void minirt_error_clear(struct minirt_error *err);

#endif
