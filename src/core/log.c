#include "core/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian, as
 * in Howard Hinnant's days_from_civil inverse). */
static void civil_from_days(long long z, int *y, unsigned *m, unsigned *d) {
  z += 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

void minirt_time_rfc3339(struct timespec ts, char *buf, size_t len) {
  /* Neither strftime nor gmtime_r: glibc initialises its time zone on the
   * first call of either, which opens and parses /etc/localtime on every
   * create for a time that is UTC anyway. */
  long long days = ts.tv_sec / 86400, secs = ts.tv_sec % 86400;
  if (secs < 0) {
    secs += 86400;
    days--;
  }
  int y;
  unsigned mo, d;
  civil_from_days(days, &y, &mo, &d);
  snprintf(buf, len, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, mo, d,
           secs / 3600, secs / 60 % 60, secs % 60, ts.tv_nsec);
}

void minirt_now_rfc3339(char *buf, size_t len) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  minirt_time_rfc3339(ts, buf, len);
}

/* JSON string escaping for the log line; the spec layer is not needed for a
 * flat three-key object. */
static void json_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c == '\n')
      fputs("\\n", f);
    else if (c == '\t')
      fputs("\\t", f);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
}

static void log_line(const struct minirt_global *g, const char *level,
                     const char *msg) {
  if (g == NULL || g->log == NULL)
    return;
  int fd = open(g->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return;
  char *line = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&line, &len);
  if (f != NULL) {
    char now[64];
    minirt_now_rfc3339(now, sizeof now);
    if (g->log_format != NULL && strcmp(g->log_format, "json") == 0) {
      fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level);
      json_escape(f, msg);
      fprintf(f, "\",\"time\":\"%s\"}\n", now);
    } else {
      fprintf(f, "time=\"%s\" level=%s msg=\"", now, level);
      json_escape(f, msg);
      fputs("\"\n", f);
    }
    fclose(f);
    (void)write_all(fd, line, len);
    free(line);
  }
  close(fd);
}

void minirt_log_error(const struct minirt_global *g, const char *msg) {
  fprintf(stderr, "minirt: %s\n", msg);
  log_line(g, "error", msg);
}

/* One printf-style message at `level`, on stderr and in the --log file. */
static void vlog(const struct minirt_global *g, const char *level,
                 const char *fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  fprintf(stderr, "minirt: %s: %s\n", level, buf);
  log_line(g, level, buf);
}

void minirt_log_debug(const struct minirt_global *g, const char *fmt, ...) {
  if (g == NULL || !g->debug)
    return;
  va_list ap;
  va_start(ap, fmt);
  vlog(g, "debug", fmt, ap);
  va_end(ap);
}

void minirt_log_note(void *g, const char *msg) {
  minirt_log_debug(g, "%s", msg);
}

void minirt_log_warn(const struct minirt_global *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vlog(g, "warning", fmt, ap);
  va_end(ap);
}
