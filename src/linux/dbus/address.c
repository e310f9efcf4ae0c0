/* D-Bus server addresses ("Server Addresses" in the spec):
 * "transport:key=value,key=value;transport:…", values %-escaped. We
 * connect over unix sockets only, by path or abstract name. */
#include "linux/dbus/message.h"

#include <errno.h>
#include <string.h>

static int hex(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* value[0..n) unescaped into out; -EINVAL for a bad escape, a NUL or a
 * value that does not fit. */
static int unescape(const char *v, size_t n, struct dbus_sockaddr *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int c = (unsigned char)v[i];
    if (c == '%') {
      int hi = i + 2 < n ? hex(v[i + 1]) : -1;
      int lo = hi >= 0 ? hex(v[i + 2]) : -1;
      if (lo < 0)
        return -EINVAL;
      c = hi << 4 | lo;
      i += 2;
    }
    if (c == '\0' || k >= sizeof out->path - 1)
      return -EINVAL;
    out->path[k++] = (char)c;
  }
  out->path[k] = '\0';
  out->len = k;
  return k > 0 ? 0 : -EINVAL;
}

/* One entry e[0..n): 1 when it gave *out, 0 when it is not ours. */
static int entry(const char *e, size_t n, struct dbus_sockaddr *out) {
  if (n < 5 || memcmp(e, "unix:", 5) != 0)
    return 0;
  const char *p = e + 5, *end = e + n;
  int found = 0;
  while (p < end) {
    const char *comma = memchr(p, ',', (size_t)(end - p));
    const char *kv_end = comma != NULL ? comma : end;
    const char *eq = memchr(p, '=', (size_t)(kv_end - p));
    if (eq == NULL)
      return -EINVAL;
    size_t klen = (size_t)(eq - p);
    bool path = klen == 4 && memcmp(p, "path", 4) == 0;
    bool abstract = klen == 8 && memcmp(p, "abstract", 8) == 0;
    if (path || abstract) {
      if (found)
        return -EINVAL; /* the spec allows one of them, once */
      int r = unescape(eq + 1, (size_t)(kv_end - eq - 1), out);
      if (r < 0)
        return r;
      out->abstract = abstract;
      found = 1;
    }
    p = kv_end + 1;
  }
  return found;
}

int dbus_address_parse(const char *address, struct dbus_sockaddr *out,
                       struct minirt_error *err) {
  memset(out, 0, sizeof *out);
  const char *p = address;
  while (*p != '\0') {
    const char *semi = strchr(p, ';');
    size_t n = semi != NULL ? (size_t)(semi - p) : strlen(p);
    int r = entry(p, n, out);
    if (r < 0)
      return minirt_fail_msg(err, EINVAL, "invalid D-Bus address `%.*s`",
                             (int)n, p);
    if (r > 0)
      return 0;
    p += n;
    if (*p == ';')
      p++;
  }
  return minirt_fail_msg(err, EAFNOSUPPORT,
                         "D-Bus address `%s`: no unix:path= or "
                         "unix:abstract= entry",
                         address);
}
