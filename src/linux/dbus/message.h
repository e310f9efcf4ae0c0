/* D-Bus messages, pure (no syscalls): the marshaller that builds a
 * METHOD_CALL and the bounds-checked reader that parses what comes back
 * (D-Bus specification, "Message Protocol"). Only what the systemd cgroup
 * driver needs: we write little endian, and read either byte order. */
#ifndef MINIRT_LINUX_DBUS_MESSAGE_H
#define MINIRT_LINUX_DBUS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum dbus_type {
  DBUS_METHOD_CALL = 1,
  DBUS_METHOD_RETURN = 2,
  DBUS_ERROR = 3,
  DBUS_SIGNAL = 4,
};

/* The spec's limits: a whole message, and one array. */
#define DBUS_MAX_MESSAGE (128u * 1024 * 1024)
#define DBUS_MAX_ARRAY (64u * 1024 * 1024)
/* The fixed part of every header: endianness, type, flags, version, body
 * length, serial, and the length of the header field array. */
#define DBUS_FIXED_HEADER 16

/* ---- writing ---- */

/* A growing buffer of marshalled values. Offsets (and so alignment) count
 * from its start, which is a message's body start (8-aligned) or the
 * message itself. The first failure (-ENOMEM, -E2BIG) sticks in `error`
 * and makes later puts no-ops, so a caller checks once at the end. */
struct dbus_writer {
  uint8_t *p;
  size_t len, cap;
  int error;
};
/* An open array: where its length goes and where its elements begin. */
struct dbus_array {
  size_t len_at, start;
};

void dbus_writer_init(struct dbus_writer *w);
void dbus_writer_free(struct dbus_writer *w);
void dbus_put_byte(struct dbus_writer *w, uint8_t v);          /* y */
void dbus_put_bool(struct dbus_writer *w, bool v);             /* b */
void dbus_put_u32(struct dbus_writer *w, uint32_t v);          /* u */
void dbus_put_u64(struct dbus_writer *w, uint64_t v);          /* t */
void dbus_put_string(struct dbus_writer *w, const char *s);    /* s, o */
void dbus_put_signature(struct dbus_writer *w, const char *s); /* g */
/* A variant's signature; its value follows with the puts of that type. */
void dbus_put_variant(struct dbus_writer *w, const char *sig);
/* Structs and dict entries start 8-aligned. */
void dbus_open_struct(struct dbus_writer *w);
/* elem_align: 1 (y), 4 (u, s, o, b, a), 8 (t, structs). */
struct dbus_array dbus_open_array(struct dbus_writer *w, unsigned elem_align);
void dbus_close_array(struct dbus_writer *w, struct dbus_array a);
void dbus_put_bytes(struct dbus_writer *w, const void *p, size_t n); /* ay */

struct dbus_call {
  const char *destination, *path, *interface, *member;
  const char *signature;          /* of the body; NULL or "" for none */
  const struct dbus_writer *body; /* NULL for none */
};
/* The whole METHOD_CALL message (header and body) into *out (initialised
 * here). Header fields in the order PATH, INTERFACE, MEMBER, DESTINATION,
 * SIGNATURE; interface and destination may be NULL. */
int dbus_message_method_call(const struct dbus_call *c, uint32_t serial,
                             struct dbus_writer *out);

/* ---- reading ---- */

/* Reads p[pos..end). Every get checks the bounds and the value's form;
 * on failure it returns -EBADMSG and leaves a static reason in `why`. */
struct dbus_reader {
  const uint8_t *p;
  size_t pos, end;
  bool big_endian;
  const char *why;
};

int dbus_get_byte(struct dbus_reader *r, uint8_t *v);
int dbus_get_bool(struct dbus_reader *r, bool *v);
int dbus_get_u32(struct dbus_reader *r, uint32_t *v);
int dbus_get_u64(struct dbus_reader *r, uint64_t *v);
/* s and o; *s points into the message, NUL-terminated, no NUL inside. */
int dbus_get_string(struct dbus_reader *r, const char **s);
int dbus_get_path(struct dbus_reader *r, const char **s);
int dbus_get_signature(struct dbus_reader *r, const char **s);
int dbus_enter_struct(struct dbus_reader *r);
/* Reads the length and the padding; *end: where the elements stop. */
int dbus_enter_array(struct dbus_reader *r, unsigned elem_align, size_t *end);
/* Skips one complete type whose signature starts at *sig, and moves *sig
 * past it (any type of the spec except unix fds). */
int dbus_skip(struct dbus_reader *r, const char **sig);

/* A received message: `data` (owned) holds it all; the strings point into
 * it. NULL when the header did not have the field. */
struct dbus_message {
  uint8_t *data;
  size_t len;
  uint8_t type, flags;
  bool big_endian;
  uint32_t serial, reply_serial;
  bool has_reply_serial;
  const char *path, *interface, *member, *error_name, *destination, *sender;
  const char *signature; /* "" when the header has none */
  size_t body;           /* offset of the body in data */
  uint32_t body_len;
};

/* From the first DBUS_FIXED_HEADER bytes: the message's total length.
 * -EBADMSG (err says why) for a bad endianness byte, version or size. */
int dbus_message_size(const uint8_t *p, size_t n, size_t *total,
                      struct minirt_error *err);
/* Parses data[0..len) (ownership passes to *m only on success). Checks
 * every header field's type, the fields each message type requires, and
 * that the body lies inside. */
int dbus_message_parse(uint8_t *data, size_t len, struct dbus_message *m,
                       struct minirt_error *err);
void dbus_message_free(struct dbus_message *m);
/* A reader over the body (a body has the message's byte order). */
void dbus_message_body(const struct dbus_message *m, struct dbus_reader *r);
/* The body's one value when the signature is exactly `s`/`o`, or `v`
 * holding an `s`: -EBADMSG with err naming `what` otherwise. */
int dbus_read_string_body(const struct dbus_message *m, char kind,
                          const char *what, const char **out,
                          struct minirt_error *err);

/* ---- addresses ---- */

struct dbus_sockaddr {
  char path[108]; /* sun_path; abstract names without the leading NUL */
  size_t len;     /* bytes of path */
  bool abstract;
};
/* The first usable entry of a server address list "a;b;…": unix:path=
 * or unix:abstract= (values %-unescaped); other transports are skipped.
 * -EAFNOSUPPORT when none is usable, -EINVAL for a malformed entry. */
int dbus_address_parse(const char *address, struct dbus_sockaddr *out,
                       struct minirt_error *err);

#endif
