/* The D-Bus marshaller: values in little endian, each aligned to its size
 * from the start of the buffer (structs to 8), strings with a u32 length
 * and a NUL, signatures with a byte length, arrays with a u32 byte length
 * that does not count the padding before the first element. */
#include "linux/dbus/message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void dbus_writer_init(struct dbus_writer *w) {
  memset(w, 0, sizeof *w);
}

void dbus_writer_free(struct dbus_writer *w) {
  free(w->p);
  dbus_writer_init(w);
}

static uint8_t *reserve(struct dbus_writer *w, size_t n) {
  if (w->error != 0)
    return NULL;
  if (n > DBUS_MAX_MESSAGE - w->len) {
    w->error = -E2BIG;
    return NULL;
  }
  if (w->len + n > w->cap) {
    size_t cap = w->cap != 0 ? w->cap : 256;
    while (cap < w->len + n)
      cap *= 2;
    uint8_t *p = realloc(w->p, cap);
    if (p == NULL) {
      w->error = -ENOMEM;
      return NULL;
    }
    w->p = p;
    w->cap = cap;
  }
  uint8_t *at = w->p + w->len;
  w->len += n;
  return at;
}

static void pad(struct dbus_writer *w, unsigned align) {
  size_t n = (align - w->len % align) % align;
  uint8_t *at = reserve(w, n);
  if (at != NULL)
    memset(at, 0, n);
}

static void put_le(uint8_t *at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    at[i] = (uint8_t)(v >> (8 * i));
}

void dbus_put_byte(struct dbus_writer *w, uint8_t v) {
  uint8_t *at = reserve(w, 1);
  if (at != NULL)
    *at = v;
}

void dbus_put_u32(struct dbus_writer *w, uint32_t v) {
  pad(w, 4);
  uint8_t *at = reserve(w, 4);
  if (at != NULL)
    put_le(at, v, 4);
}

void dbus_put_bool(struct dbus_writer *w, bool v) {
  dbus_put_u32(w, v ? 1 : 0);
}

void dbus_put_u64(struct dbus_writer *w, uint64_t v) {
  pad(w, 8);
  uint8_t *at = reserve(w, 8);
  if (at != NULL)
    put_le(at, v, 8);
}

void dbus_put_string(struct dbus_writer *w, const char *s) {
  size_t n = strlen(s);
  if (n > DBUS_MAX_ARRAY) {
    if (w->error == 0)
      w->error = -E2BIG;
    return;
  }
  dbus_put_u32(w, (uint32_t)n);
  uint8_t *at = reserve(w, n + 1);
  if (at != NULL)
    memcpy(at, s, n + 1);
}

void dbus_put_signature(struct dbus_writer *w, const char *s) {
  size_t n = strlen(s);
  if (n > 255) {
    if (w->error == 0)
      w->error = -E2BIG;
    return;
  }
  dbus_put_byte(w, (uint8_t)n);
  uint8_t *at = reserve(w, n + 1);
  if (at != NULL)
    memcpy(at, s, n + 1);
}

void dbus_put_variant(struct dbus_writer *w, const char *sig) {
  dbus_put_signature(w, sig);
}

void dbus_open_struct(struct dbus_writer *w) {
  pad(w, 8);
}

struct dbus_array dbus_open_array(struct dbus_writer *w, unsigned elem_align) {
  struct dbus_array a;
  dbus_put_u32(w, 0); /* the length, filled by dbus_close_array */
  a.len_at = w->len - 4;
  /* The padding to the first element is there even when there is none. */
  pad(w, elem_align);
  a.start = w->len;
  return a;
}

void dbus_close_array(struct dbus_writer *w, struct dbus_array a) {
  if (w->error != 0)
    return;
  size_t n = w->len - a.start;
  if (n > DBUS_MAX_ARRAY) {
    w->error = -E2BIG;
    return;
  }
  put_le(w->p + a.len_at, n, 4);
}

void dbus_put_bytes(struct dbus_writer *w, const void *p, size_t n) {
  struct dbus_array a = dbus_open_array(w, 1);
  uint8_t *at = reserve(w, n);
  if (at != NULL && n > 0)
    memcpy(at, p, n);
  dbus_close_array(w, a);
}

/* ---- the message ---- */

enum {
  FIELD_PATH = 1,
  FIELD_INTERFACE = 2,
  FIELD_MEMBER = 3,
  FIELD_DESTINATION = 6,
  FIELD_SIGNATURE = 8,
};

static void header_field(struct dbus_writer *w, uint8_t code, const char *sig,
                         const char *value) {
  if (value == NULL)
    return;
  dbus_open_struct(w);
  dbus_put_byte(w, code);
  dbus_put_variant(w, sig);
  if (sig[0] == 'g')
    dbus_put_signature(w, value);
  else
    dbus_put_string(w, value);
}

int dbus_message_method_call(const struct dbus_call *c, uint32_t serial,
                             struct dbus_writer *out) {
  dbus_writer_init(out);
  const struct dbus_writer *body = c->body;
  size_t body_len = body != NULL ? body->len : 0;
  if (body != NULL && body->error != 0)
    return body->error;
  if (serial == 0 || c->path == NULL || c->member == NULL)
    return -EINVAL;
  bool has_sig = c->signature != NULL && c->signature[0] != '\0';
  if (body_len > 0 && !has_sig)
    return -EINVAL;
  dbus_put_byte(out, 'l');
  dbus_put_byte(out, DBUS_METHOD_CALL);
  dbus_put_byte(out, 0); /* flags: a reply is wanted */
  dbus_put_byte(out, 1); /* protocol version */
  dbus_put_u32(out, (uint32_t)body_len);
  dbus_put_u32(out, serial);
  struct dbus_array fields = dbus_open_array(out, 8);
  header_field(out, FIELD_PATH, "o", c->path);
  header_field(out, FIELD_INTERFACE, "s", c->interface);
  header_field(out, FIELD_MEMBER, "s", c->member);
  header_field(out, FIELD_DESTINATION, "s", c->destination);
  header_field(out, FIELD_SIGNATURE, "g", has_sig ? c->signature : NULL);
  dbus_close_array(out, fields);
  pad(out, 8); /* the body starts 8-aligned */
  uint8_t *at = reserve(out, body_len);
  if (at != NULL && body_len > 0)
    memcpy(at, body->p, body_len);
  if (out->error != 0) {
    int r = out->error;
    dbus_writer_free(out);
    return r;
  }
  return 0;
}
