#include "core/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

void minirt_now_rfc3339(char *buf, size_t len) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  /* Not strftime: glibc's calls tzset(), which opens and parses
   * /etc/localtime on every create for a time that is UTC anyway. */
  snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           ts.tv_nsec);
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
