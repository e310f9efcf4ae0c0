/* --log / --log-format: one line per message, text or runc's JSON
 * ({"level":"error","msg":"...","time":"..."}); errors also go to stderr. */
#ifndef MINIRT_CORE_LOG_H
#define MINIRT_CORE_LOG_H

#include <time.h>

#include "core/runtime.h"

void minirt_log_error(const struct minirt_global *g, const char *msg);
/* A warning on stderr ("minirt: warning: ...") and in the --log file. */
void minirt_log_warn(const struct minirt_global *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void minirt_log_debug(const struct minirt_global *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* minirt_log_debug(g, "%s", msg) with g as a void *: the shape of the
 * note callbacks of the Linux layer (process_note_fn). */
void minirt_log_note(void *g, const char *msg);
/* RFC 3339 UTC time with nanoseconds, e.g. 2026-11-29T17:04:32.123456789Z. */
void minirt_now_rfc3339(char *buf, size_t len);
/* The same of a given time (tested against gmtime_r). */
void minirt_time_rfc3339(struct timespec ts, char *buf, size_t len);

#endif
