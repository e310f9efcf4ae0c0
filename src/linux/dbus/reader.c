/* The D-Bus reader: what comes from the bus is not trusted. Every value is
 * checked against the bytes left before it is read; lengths are compared
 * with what remains, never added to a position first. */
#include "linux/dbus/message.h"

#include <errno.h>
#include <string.h>

static int bad(struct dbus_reader *r, const char *why) {
  r->why = why;
  return -EBADMSG;
}

static int align(struct dbus_reader *r, unsigned n) {
  size_t pad = (n - r->pos % n) % n;
  if (pad > r->end - r->pos)
    return bad(r, "truncated (padding)");
  r->pos += pad;
  return 0;
}

static uint64_t get_uint(const struct dbus_reader *r, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) {
    unsigned k = r->big_endian ? i : n - 1 - i;
    v = v << 8 | r->p[r->pos + k];
  }
  return v;
}

static int fixed(struct dbus_reader *r, unsigned n, uint64_t *v) {
  int ret = align(r, n);
  if (ret < 0)
    return ret;
  if (n > r->end - r->pos)
    return bad(r, "truncated");
  *v = get_uint(r, n);
  r->pos += n;
  return 0;
}

int dbus_get_byte(struct dbus_reader *r, uint8_t *v) {
  uint64_t x;
  int ret = fixed(r, 1, &x);
  if (ret == 0)
    *v = (uint8_t)x;
  return ret;
}

int dbus_get_u32(struct dbus_reader *r, uint32_t *v) {
  uint64_t x;
  int ret = fixed(r, 4, &x);
  if (ret == 0)
    *v = (uint32_t)x;
  return ret;
}

int dbus_get_u64(struct dbus_reader *r, uint64_t *v) {
  return fixed(r, 8, v);
}

int dbus_get_bool(struct dbus_reader *r, bool *v) {
  uint32_t x;
  int ret = dbus_get_u32(r, &x);
  if (ret < 0)
    return ret;
  if (x > 1)
    return bad(r, "boolean neither 0 nor 1");
  *v = x == 1;
  return 0;
}

/* n bytes and a NUL at pos, none inside. */
static int text(struct dbus_reader *r, size_t n, const char **s) {
  if (n >= r->end - r->pos)
    return bad(r, "truncated string");
  const char *p = (const char *)r->p + r->pos;
  if (p[n] != '\0')
    return bad(r, "string without its NUL");
  if (memchr(p, '\0', n) != NULL)
    return bad(r, "string with a NUL inside");
  *s = p;
  r->pos += n + 1;
  return 0;
}

int dbus_get_string(struct dbus_reader *r, const char **s) {
  uint32_t n;
  int ret = dbus_get_u32(r, &n);
  return ret < 0 ? ret : text(r, n, s);
}

int dbus_get_path(struct dbus_reader *r, const char **s) {
  int ret = dbus_get_string(r, s);
  if (ret == 0 && (*s)[0] != '/')
    return bad(r, "object path not starting with /");
  return ret;
}

int dbus_get_signature(struct dbus_reader *r, const char **s) {
  uint8_t n;
  int ret = dbus_get_byte(r, &n);
  return ret < 0 ? ret : text(r, n, s);
}

int dbus_enter_struct(struct dbus_reader *r) {
  return align(r, 8);
}

int dbus_enter_array(struct dbus_reader *r, unsigned elem_align, size_t *end) {
  uint32_t n;
  int ret = dbus_get_u32(r, &n);
  if (ret == 0)
    ret = align(r, elem_align);
  if (ret < 0)
    return ret;
  if (n > DBUS_MAX_ARRAY)
    return bad(r, "array longer than 64 MiB");
  if (n > r->end - r->pos)
    return bad(r, "truncated array");
  *end = r->pos + n;
  return 0;
}

/* ---- skipping by signature ---- */

/* The spec's nesting limit: 32 arrays and 32 structs. */
#define MAX_DEPTH 64

static unsigned type_align(char c) {
  switch (c) {
  case 'y':
  case 'g':
  case 'v':
    return 1;
  case 'n':
  case 'q':
    return 2;
  case 'b':
  case 'i':
  case 'u':
  case 'h':
  case 's':
  case 'o':
  case 'a':
    return 4;
  case 'x':
  case 't':
  case 'd':
  case '(':
  case '{':
    return 8;
  default:
    return 0;
  }
}

/* One complete type at s, from the signature alone: where it ends, or
 * NULL when it is not one. */
static const char *type_end(const char *s, unsigned depth) {
  if (depth > MAX_DEPTH || type_align(*s) == 0)
    return NULL;
  if (*s == 'a')
    return type_end(s + 1, depth + 1);
  if (*s != '(' && *s != '{')
    return s + 1;
  char close = *s == '(' ? ')' : '}';
  s++;
  if (*s == close)
    return NULL;
  while (s != NULL && *s != close)
    s = type_end(s, depth + 1);
  return s != NULL ? s + 1 : NULL;
}

static int skip(struct dbus_reader *r, const char **sig, unsigned depth);

/* The elements of an array, each of the type at `elem`, until `end`. */
static int skip_elements(struct dbus_reader *r, const char *elem,
                         const char **after, size_t end, unsigned depth) {
  const char *e_end = type_end(elem, depth);
  if (e_end == NULL)
    return bad(r, "invalid array element type");
  size_t saved_end = r->end;
  r->end = end;
  int ret = 0;
  while (ret == 0 && r->pos < end) {
    const char *e = elem;
    ret = skip(r, &e, depth);
  }
  r->end = saved_end;
  if (ret < 0)
    return ret;
  *after = e_end;
  return 0;
}

static int skip(struct dbus_reader *r, const char **sig, unsigned depth) {
  if (depth > MAX_DEPTH)
    return bad(r, "values nested too deep");
  char c = **sig;
  const char *s;
  uint64_t x;
  int ret;
  switch (c) {
  case 'y':
  case 'n':
  case 'q':
  case 'b':
  case 'i':
  case 'u':
  case 'x':
  case 't':
  case 'd':
    ret = fixed(r, type_align(c), &x);
    if (ret == 0 && c == 'b' && x > 1)
      ret = bad(r, "boolean neither 0 nor 1");
    break;
  case 's':
  case 'o':
    ret = dbus_get_string(r, &s);
    break;
  case 'g':
    ret = dbus_get_signature(r, &s);
    break;
  case 'v': {
    ret = dbus_get_signature(r, &s);
    if (ret < 0)
      break;
    const char *inner = s;
    ret = skip(r, &inner, depth + 1);
    if (ret == 0 && *inner != '\0')
      ret = bad(r, "variant signature holds more than one type");
    break;
  }
  case 'a': {
    unsigned a = type_align((*sig)[1]);
    size_t end;
    if (a == 0)
      return bad(r, "invalid array element type");
    ret = dbus_enter_array(r, a, &end);
    if (ret == 0)
      return skip_elements(r, *sig + 1, sig, end, depth + 1);
    return ret;
  }
  case '(':
  case '{': {
    char close = c == '(' ? ')' : '}';
    ret = dbus_enter_struct(r);
    s = *sig + 1;
    if (ret == 0 && *s == close)
      ret = bad(r, "empty struct");
    while (ret == 0 && *s != close) {
      if (*s == '\0')
        ret = bad(r, "unterminated struct signature");
      else
        ret = skip(r, &s, depth + 1);
    }
    if (ret == 0)
      *sig = s + 1;
    return ret;
  }
  default:
    return bad(r, "unknown type in signature");
  }
  if (ret == 0)
    (*sig)++;
  return ret;
}

int dbus_skip(struct dbus_reader *r, const char **sig) {
  return skip(r, sig, 0);
}
