/* A received D-Bus message: the fixed header, the header fields (each a
 * code and a variant; unknown codes are skipped, as the spec asks), and
 * where the body is. */
#include "linux/dbus/message.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum {
  FIELD_PATH = 1,
  FIELD_INTERFACE = 2,
  FIELD_MEMBER = 3,
  FIELD_ERROR_NAME = 4,
  FIELD_REPLY_SERIAL = 5,
  FIELD_DESTINATION = 6,
  FIELD_SENDER = 7,
  FIELD_SIGNATURE = 8,
};

static uint32_t u32_at(const uint8_t *p, bool big) {
  return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                   (uint32_t)p[2] << 8 | p[3]
             : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
                   (uint32_t)p[1] << 8 | p[0];
}

int dbus_message_size(const uint8_t *p, size_t n, size_t *total,
                      struct minirt_error *err) {
  if (n < DBUS_FIXED_HEADER)
    return minirt_fail_msg(err, EBADMSG, "D-Bus message: truncated header");
  if (p[0] != 'l' && p[0] != 'B')
    return minirt_fail_msg(
        err, EBADMSG, "D-Bus message: invalid endianness byte 0x%02x", p[0]);
  if (p[3] != 1)
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message: protocol version %u, not 1", p[3]);
  bool big = p[0] == 'B';
  uint64_t body = u32_at(p + 4, big);
  uint64_t fields = u32_at(p + 12, big);
  uint64_t t = DBUS_FIXED_HEADER + (fields + 7) / 8 * 8 + body;
  if (t > DBUS_MAX_MESSAGE)
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message: %llu bytes, more than 128 MiB",
                           (unsigned long long)t);
  *total = (size_t)t;
  return 0;
}

/* Which variant type each known field must have. */
static const char *field_type(uint8_t code) {
  switch (code) {
  case FIELD_PATH:
    return "o";
  case FIELD_INTERFACE:
  case FIELD_MEMBER:
  case FIELD_ERROR_NAME:
  case FIELD_DESTINATION:
  case FIELD_SENDER:
    return "s";
  case FIELD_REPLY_SERIAL:
    return "u";
  case FIELD_SIGNATURE:
    return "g";
  default:
    return NULL;
  }
}

static int read_field(struct dbus_reader *r, struct dbus_message *m,
                      struct minirt_error *err) {
  uint8_t code;
  const char *sig;
  int ret = dbus_enter_struct(r);
  if (ret == 0)
    ret = dbus_get_byte(r, &code);
  if (ret == 0)
    ret = dbus_get_signature(r, &sig);
  if (ret < 0)
    return minirt_fail_msg(err, EBADMSG, "D-Bus message header: %s", r->why);
  const char *want = field_type(code);
  if (want == NULL) {
    const char *s = sig;
    ret = dbus_skip(r, &s);
    if (ret == 0 && *s != '\0') {
      ret = -EBADMSG;
      r->why = "variant signature holds more than one type";
    }
    if (ret < 0)
      return minirt_fail_msg(err, EBADMSG, "D-Bus message header field %u: %s",
                             code, r->why);
    return 0;
  }
  if (strcmp(sig, want) != 0)
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message header field %u has type `%s`, "
                           "not `%s`",
                           code, sig, want);
  const char **slot = NULL;
  switch (code) {
  case FIELD_PATH:
    ret = dbus_get_path(r, &m->path);
    break;
  case FIELD_REPLY_SERIAL:
    ret = dbus_get_u32(r, &m->reply_serial);
    m->has_reply_serial = true;
    break;
  case FIELD_SIGNATURE:
    ret = dbus_get_signature(r, &m->signature);
    break;
  case FIELD_INTERFACE:
    slot = &m->interface;
    break;
  case FIELD_MEMBER:
    slot = &m->member;
    break;
  case FIELD_ERROR_NAME:
    slot = &m->error_name;
    break;
  case FIELD_DESTINATION:
    slot = &m->destination;
    break;
  default:
    slot = &m->sender;
    break;
  }
  if (slot != NULL)
    ret = dbus_get_string(r, slot);
  if (ret < 0)
    return minirt_fail_msg(err, EBADMSG, "D-Bus message header field %u: %s",
                           code, r->why);
  return 0;
}

static int check_required(const struct dbus_message *m,
                          struct minirt_error *err) {
  const char *missing = NULL;
  switch (m->type) {
  case DBUS_METHOD_CALL:
    missing = m->path == NULL ? "PATH" : m->member == NULL ? "MEMBER" : NULL;
    break;
  case DBUS_METHOD_RETURN:
    missing = !m->has_reply_serial ? "REPLY_SERIAL" : NULL;
    break;
  case DBUS_ERROR:
    missing = m->error_name == NULL  ? "ERROR_NAME"
              : !m->has_reply_serial ? "REPLY_SERIAL"
                                     : NULL;
    break;
  case DBUS_SIGNAL:
    missing = m->path == NULL        ? "PATH"
              : m->interface == NULL ? "INTERFACE"
              : m->member == NULL    ? "MEMBER"
                                     : NULL;
    break;
  default:
    return minirt_fail_msg(err, EBADMSG, "D-Bus message of unknown type %u",
                           m->type);
  }
  if (missing != NULL)
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message (type %u, serial %u) without the "
                           "%s header field",
                           m->type, m->serial, missing);
  return 0;
}

int dbus_message_parse(uint8_t *data, size_t len, struct dbus_message *out,
                       struct minirt_error *err) {
  size_t total;
  int ret = dbus_message_size(data, len, &total, err);
  if (ret < 0)
    return ret;
  if (total != len)
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message: %zu bytes where its header says "
                           "%zu",
                           len, total);
  struct dbus_message m = {.data = data, .len = len, .signature = ""};
  m.big_endian = data[0] == 'B';
  m.type = data[1];
  m.flags = data[2];
  m.body_len = u32_at(data + 4, m.big_endian);
  m.serial = u32_at(data + 8, m.big_endian);
  if (m.serial == 0)
    return minirt_fail_msg(err, EBADMSG, "D-Bus message with serial 0");
  struct dbus_reader r = {.p = data,
                          .pos = 12,
                          .end = len - m.body_len,
                          .big_endian = m.big_endian};
  size_t end;
  ret = dbus_enter_array(&r, 8, &end);
  if (ret < 0)
    return minirt_fail_msg(err, EBADMSG, "D-Bus message header: %s", r.why);
  r.end = end;
  while (ret == 0 && r.pos < end)
    ret = read_field(&r, &m, err);
  if (ret < 0)
    return ret;
  m.body = (end + 7) / 8 * 8;
  if ((m.body_len > 0) != (m.signature[0] != '\0'))
    return minirt_fail_msg(err, EBADMSG,
                           "D-Bus message: body of %u bytes with signature "
                           "`%s`",
                           m.body_len, m.signature);
  if ((ret = check_required(&m, err)) < 0)
    return ret;
  *out = m;
  return 0;
}

void dbus_message_free(struct dbus_message *m) {
  if (m == NULL)
    return;
  free(m->data);
  memset(m, 0, sizeof *m);
}

void dbus_message_body(const struct dbus_message *m, struct dbus_reader *r) {
  *r = (struct dbus_reader){.p = m->data,
                            .pos = m->body,
                            .end = m->body + m->body_len,
                            .big_endian = m->big_endian};
}

int dbus_read_string_body(const struct dbus_message *m, char kind,
                          const char *what, const char **out,
                          struct minirt_error *err) {
  struct dbus_reader r;
  dbus_message_body(m, &r);
  const char *want = kind == 'o' ? "o" : kind == 'v' ? "v" : "s";
  if (strcmp(m->signature, want) != 0)
    return minirt_fail_msg(err, EBADMSG,
                           "%s: reply has signature `%s`, not `%s`", what,
                           m->signature, want);
  int ret = 0;
  if (kind == 'v') {
    const char *sig;
    ret = dbus_get_signature(&r, &sig);
    if (ret == 0 && strcmp(sig, "s") != 0)
      return minirt_fail_msg(err, EBADMSG,
                             "%s: reply holds a `%s`, not a string", what, sig);
  }
  if (ret == 0)
    ret = kind == 'o' ? dbus_get_path(&r, out) : dbus_get_string(&r, out);
  if (ret < 0)
    return minirt_fail_msg(err, EBADMSG, "%s: malformed reply: %s", what,
                           r.why);
  return 0;
}
