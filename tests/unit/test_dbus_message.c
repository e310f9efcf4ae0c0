/* The D-Bus marshaller and parser (src/linux/dbus/): byte-exact encodings
 * worked out from the specification's alignment and length rules, round
 * trips, and malformed input that must be rejected (under ASan too: every
 * read is bounds-checked). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/dbus/message.h"

static void expect_bytes(const struct dbus_writer *w, const uint8_t *want,
                         size_t n) {
  cr_assert_eq(w->error, 0);
  cr_assert_eq(w->len, n, "length %zu, want %zu", w->len, n);
  for (size_t i = 0; i < n; i++)
    cr_assert_eq(w->p[i], want[i], "byte %zu: 0x%02x, want 0x%02x", i, w->p[i],
                 want[i]);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
  uint8_t *d = malloc(n);
  cr_assert_not_null(d);
  memcpy(d, p, n);
  return d;
}

/* ---- writing ---- */

Test(dbus_write, string_is_length_text_nul) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, "ab");
  const uint8_t want[] = {2, 0, 0, 0, 'a', 'b', 0};
  expect_bytes(&w, want, sizeof want);
  dbus_writer_free(&w);
}

Test(dbus_write, fixed_values_are_aligned_little_endian) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_byte(&w, 0x2a);
  dbus_put_u64(&w, 0x0102030405060708ull);
  dbus_put_bool(&w, true);
  dbus_put_u32(&w, 7);
  // clang-format off
  const uint8_t want[] = {0x2a, 0, 0, 0, 0, 0, 0, 0, /* y, pad to 8 */
                          8,    7, 6, 5, 4, 3, 2, 1, /* t */
                          1,    0, 0, 0,             /* b */
                          7,    0, 0, 0};            /* u */
  // clang-format on
  expect_bytes(&w, want, sizeof want);
  dbus_writer_free(&w);
}

Test(dbus_write, array_of_struct_sv) {
  /* a(sv) [("A", <uint32 5>)]: length 16 counts from the first element,
   * after the padding to 8. */
  struct dbus_writer w;
  dbus_writer_init(&w);
  struct dbus_array a = dbus_open_array(&w, 8);
  dbus_open_struct(&w);
  dbus_put_string(&w, "A");
  dbus_put_variant(&w, "u");
  dbus_put_u32(&w, 5);
  dbus_close_array(&w, a);
  // clang-format off
  const uint8_t want[] = {16,  0, 0,   0,   0, 0, 0, 0, /* length, pad */
                          1,   0, 0,   0,   'A', 0,   /* "A" */
                          1,   'u', 0,                /* signature u */
                          0,   0, 0,                  /* pad to 4 */
                          5,   0, 0,   0};            /* 5 */
  // clang-format on
  expect_bytes(&w, want, sizeof want);
  dbus_writer_free(&w);
}

Test(dbus_write, empty_array_keeps_its_padding) {
  /* "x" then an empty a(sv): the length at 8, padding to 16 although no
   * element follows (the spec says so). */
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, "x");
  dbus_close_array(&w, dbus_open_array(&w, 8));
  // clang-format off
  const uint8_t want[] = {1, 0, 0, 0, 'x', 0, 0, 0,
                          0, 0, 0, 0, 0,   0, 0, 0};
  // clang-format on
  expect_bytes(&w, want, sizeof want);
  dbus_writer_free(&w);
}

Test(dbus_write, byte_array_and_variant_of_au) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  const uint8_t bytes[] = {1, 2, 3};
  dbus_put_bytes(&w, bytes, 3);
  dbus_put_byte(&w, 0); /* to offset 8 */
  dbus_put_variant(&w, "au");
  struct dbus_array a = dbus_open_array(&w, 4);
  dbus_put_u32(&w, 7);
  dbus_close_array(&w, a);
  // clang-format off
  const uint8_t want[] = {3, 0,   0,   0, 1, 2, 3, 0, /* ay [1,2,3], y 0 */
                          2, 'a', 'u', 0,             /* signature au */
                          4, 0,   0,   0,             /* length 4 */
                          7, 0,   0,   0};            /* 7 */
  // clang-format on
  expect_bytes(&w, want, sizeof want);
  dbus_writer_free(&w);
}

/* METHOD_CALL serial 7, path "/a", member "M", body s "x". */
// clang-format off
static const uint8_t small_call[] = {
    'l', 1,   0,   1,   /* little endian, METHOD_CALL, no flags, v1 */
    6,   0,   0,   0,   /* body length */
    7,   0,   0,   0,   /* serial */
    39,  0,   0,   0,   /* header field array: 16..55 */
    1,   1,   'o', 0,   /* PATH, signature o */
    2,   0,   0,   0,   '/', 'a', 0, 0, 0, 0, 0, 0, /* "/a", pad to 32 */
    3,   1,   's', 0,   /* MEMBER, signature s */
    1,   0,   0,   0,   'M', 0, 0, 0, 0, 0, 0, 0, /* "M", pad to 48 */
    8,   1,   'g', 0,   /* SIGNATURE, signature g */
    1,   's', 0,        /* "s" */
    0,                  /* pad to 56: the body */
    1,   0,   0,   0,   'x', 0};
// clang-format on

Test(dbus_write, method_call_byte_exact) {
  struct dbus_writer body, msg;
  dbus_writer_init(&body);
  dbus_put_string(&body, "x");
  struct dbus_call c = {
      .path = "/a", .member = "M", .signature = "s", .body = &body};
  cr_assert_eq(dbus_message_method_call(&c, 7, &msg), 0);
  expect_bytes(&msg, small_call, sizeof small_call);
  dbus_writer_free(&msg);
  dbus_writer_free(&body);
}

Test(dbus_write, method_call_needs_path_member_and_a_signature_for_a_body) {
  struct dbus_writer body, msg;
  dbus_writer_init(&body);
  dbus_put_u32(&body, 1);
  struct dbus_call c = {.path = "/a", .member = "M", .body = &body};
  cr_assert_eq(dbus_message_method_call(&c, 1, &msg), -EINVAL);
  c.signature = "u";
  cr_assert_eq(dbus_message_method_call(&c, 0, &msg), -EINVAL);
  c.member = NULL;
  cr_assert_eq(dbus_message_method_call(&c, 1, &msg), -EINVAL);
  dbus_writer_free(&body);
}

Test(dbus_write, a_failed_body_fails_the_message) {
  struct dbus_writer body, msg;
  dbus_writer_init(&body);
  char sig[300];
  memset(sig, 'u', sizeof sig - 1);
  sig[sizeof sig - 1] = '\0';
  dbus_put_signature(&body, sig); /* longer than 255 */
  cr_assert_eq(body.error, -E2BIG);
  dbus_put_u32(&body, 1); /* no-op once failed */
  struct dbus_call c = {
      .path = "/a", .member = "M", .signature = "g", .body = &body};
  cr_assert_eq(dbus_message_method_call(&c, 1, &msg), -E2BIG);
  dbus_writer_free(&body);
}

/* ---- parsing ---- */

Test(dbus_parse, the_method_call_we_write) {
  struct dbus_message m;
  struct minirt_error err = {0};
  uint8_t *d = dup_bytes(small_call, sizeof small_call);
  cr_assert_eq(dbus_message_parse(d, sizeof small_call, &m, &err), 0, "%s",
               err.msg);
  cr_assert_eq(m.type, DBUS_METHOD_CALL);
  cr_assert_eq(m.serial, 7);
  cr_assert_str_eq(m.path, "/a");
  cr_assert_str_eq(m.member, "M");
  cr_assert_null(m.interface);
  cr_assert_str_eq(m.signature, "s");
  cr_assert_eq(m.body, 56);
  const char *s;
  cr_assert_eq(dbus_read_string_body(&m, 's', "t", &s, &err), 0);
  cr_assert_str_eq(s, "x");
  dbus_message_free(&m);
}

/* METHOD_RETURN serial 16 to 7, body o "/j/1"; `B` gives the big endian
 * spelling of the same message. */
static void method_return(uint8_t out[41], bool big) {
  // clang-format off
  const uint8_t le[41] = {
      'l', 2,   1,   1,   9, 0, 0, 0, 16, 0, 0, 0, 15, 0, 0, 0,
      5,   1,   'u', 0,   7, 0, 0, 0,                 /* REPLY_SERIAL 7 */
      8,   1,   'g', 0,   1, 'o', 0,                  /* SIGNATURE o */
      0,                                              /* pad to 32 */
      4,   0,   0,   0,   '/', 'j', '/', '1', 0};
  // clang-format on
  memcpy(out, le, 41);
  if (!big)
    return;
  out[0] = 'B';
  const size_t u32s[] = {4, 8, 12, 20, 32};
  for (size_t i = 0; i < 5; i++) {
    uint8_t *p = out + u32s[i];
    uint8_t t = p[0];
    p[0] = p[3];
    p[3] = t;
    t = p[1];
    p[1] = p[2];
    p[2] = t;
  }
}

static int parse_copy(const uint8_t *p, size_t n, struct dbus_message *m,
                      struct minirt_error *err) {
  uint8_t *d = dup_bytes(p, n);
  int r = dbus_message_parse(d, n, m, err);
  if (r < 0)
    free(d);
  return r;
}

Test(dbus_parse, method_return_either_byte_order) {
  for (int big = 0; big < 2; big++) {
    uint8_t b[41];
    method_return(b, big);
    struct dbus_message m;
    struct minirt_error err = {0};
    cr_assert_eq(parse_copy(b, sizeof b, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.type, DBUS_METHOD_RETURN);
    cr_assert_eq(m.flags, 1);
    cr_assert_eq(m.serial, 16);
    cr_assert(m.has_reply_serial);
    cr_assert_eq(m.reply_serial, 7);
    cr_assert_eq(m.big_endian, big);
    const char *job;
    cr_assert_eq(dbus_read_string_body(&m, 'o', "t", &job, &err), 0);
    cr_assert_str_eq(job, "/j/1");
    /* The wrong shape is named. */
    cr_assert_eq(dbus_read_string_body(&m, 's', "GetUnit", &job, &err),
                 -EBADMSG);
    cr_assert_str_eq(err.msg, "GetUnit: reply has signature `o`, not `s`");
    minirt_error_clear(&err);
    dbus_message_free(&m);
  }
}

static void expect_bad(const uint8_t *p, size_t n, const char *msg_part) {
  struct dbus_message m;
  struct minirt_error err = {0};
  cr_assert_eq(parse_copy(p, n, &m, &err), -EBADMSG, "accepted (%s)", msg_part);
  cr_assert_not_null(strstr(err.msg, msg_part), "`%s` lacks `%s`", err.msg,
                     msg_part);
  minirt_error_clear(&err);
}

Test(dbus_parse, truncated_input_is_rejected) {
  uint8_t b[41];
  method_return(b, false);
  for (size_t n = 0; n < sizeof b; n++)
    expect_bad(b, n, "D-Bus message");
}

Test(dbus_parse, malformed_headers_are_rejected) {
  uint8_t b[41];
  method_return(b, false);
  b[0] = 'x';
  expect_bad(b, sizeof b, "endianness");
  method_return(b, false);
  b[3] = 2;
  expect_bad(b, sizeof b, "protocol version 2");
  method_return(b, false);
  b[8] = 0; /* serial 0 */
  expect_bad(b, sizeof b, "serial 0");
  method_return(b, false);
  b[1] = 9;
  expect_bad(b, sizeof b, "unknown type 9");
  method_return(b, false);
  b[18] = 's'; /* REPLY_SERIAL as a string */
  expect_bad(b, sizeof b, "field 5 has type `s`, not `u`");
  method_return(b, false);
  b[16] = 0x77; /* an unknown field (u) is skipped: then REPLY_SERIAL lacks */
  expect_bad(b, sizeof b, "without the REPLY_SERIAL header field");
  method_return(b, false);
  b[30] = 'x'; /* the signature's NUL */
  expect_bad(b, sizeof b, "NUL");
  method_return(b, false);
  b[28] = 200; /* a signature longer than the header */
  expect_bad(b, sizeof b, "truncated");
  method_return(b, false);
  b[4] = 0; /* a body without... the signature says o: sizes disagree */
  expect_bad(b, sizeof b, "bytes where its header says");
  /* A claimed size past 128 MiB. */
  method_return(b, false);
  b[7] = 0x10;
  expect_bad(b, sizeof b, "more than 128 MiB");
}

Test(dbus_parse, malformed_bodies_are_rejected) {
  uint8_t b[41];
  struct dbus_message m;
  struct minirt_error err = {0};
  const char *s;
  /* The string's length runs past the body. */
  method_return(b, false);
  b[32] = 0xff;
  b[35] = 0xff;
  cr_assert_eq(parse_copy(b, sizeof b, &m, &err), 0);
  cr_assert_eq(dbus_read_string_body(&m, 'o', "StopUnit", &s, &err), -EBADMSG);
  cr_assert_str_eq(err.msg, "StopUnit: malformed reply: truncated string");
  minirt_error_clear(&err);
  dbus_message_free(&m);
  /* No NUL at its end. */
  method_return(b, false);
  b[40] = '2';
  cr_assert_eq(parse_copy(b, sizeof b, &m, &err), 0);
  cr_assert_eq(dbus_read_string_body(&m, 'o', "x", &s, &err), -EBADMSG);
  minirt_error_clear(&err);
  dbus_message_free(&m);
  /* A NUL inside. */
  method_return(b, false);
  b[37] = '\0';
  cr_assert_eq(parse_copy(b, sizeof b, &m, &err), 0);
  cr_assert_eq(dbus_read_string_body(&m, 'o', "x", &s, &err), -EBADMSG);
  cr_assert_not_null(strstr(err.msg, "NUL inside"));
  minirt_error_clear(&err);
  dbus_message_free(&m);
  /* An object path must start with '/'. */
  method_return(b, false);
  b[36] = 'j';
  cr_assert_eq(parse_copy(b, sizeof b, &m, &err), 0);
  cr_assert_eq(dbus_read_string_body(&m, 'o', "x", &s, &err), -EBADMSG);
  minirt_error_clear(&err);
  dbus_message_free(&m);
}

/* An ERROR reply and a signal, built with our writer (the header is the
 * same marshalling whatever the type), then patched to their type. */
static size_t build(uint8_t type, const char *sig, struct dbus_writer *body,
                    uint8_t **out) {
  struct dbus_writer msg;
  struct dbus_call c = {.path = "/org/freedesktop/systemd1",
                        .interface = "org.freedesktop.systemd1.Manager",
                        .member = "JobRemoved",
                        .signature = sig,
                        .body = body};
  cr_assert_eq(dbus_message_method_call(&c, 3, &msg), 0);
  msg.p[1] = type;
  *out = msg.p;
  return msg.len;
}

Test(dbus_parse, job_removed_signal_uoss) {
  struct dbus_writer body;
  dbus_writer_init(&body);
  dbus_put_u32(&body, 42);
  dbus_put_string(&body, "/org/freedesktop/systemd1/job/42");
  dbus_put_string(&body, "x.scope");
  dbus_put_string(&body, "done");
  uint8_t *d;
  size_t n = build(DBUS_SIGNAL, "uoss", &body, &d);
  dbus_writer_free(&body);
  struct dbus_message m;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_message_parse(d, n, &m, &err), 0, "%s", err.msg);
  cr_assert_eq(m.type, DBUS_SIGNAL);
  cr_assert_str_eq(m.interface, "org.freedesktop.systemd1.Manager");
  cr_assert_str_eq(m.member, "JobRemoved");
  struct dbus_reader r;
  dbus_message_body(&m, &r);
  uint32_t id;
  const char *job, *unit, *result;
  cr_assert_eq(dbus_get_u32(&r, &id), 0);
  cr_assert_eq(dbus_get_path(&r, &job), 0);
  cr_assert_eq(dbus_get_string(&r, &unit), 0);
  cr_assert_eq(dbus_get_string(&r, &result), 0);
  cr_assert_eq(id, 42);
  cr_assert_str_eq(job, "/org/freedesktop/systemd1/job/42");
  cr_assert_str_eq(unit, "x.scope");
  cr_assert_str_eq(result, "done");
  cr_assert_eq(r.pos, r.end);
  cr_assert_eq(dbus_get_u32(&r, &id), -EBADMSG); /* nothing past the end */
  dbus_message_free(&m);
}

Test(dbus_parse, variant_holding_a_string_and_not_another_type) {
  struct dbus_writer body;
  dbus_writer_init(&body);
  dbus_put_variant(&body, "s");
  dbus_put_string(&body, "/machine.slice/x.scope");
  uint8_t *d;
  size_t n = build(DBUS_METHOD_CALL, "v", &body, &d);
  dbus_writer_free(&body);
  struct dbus_message m;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_message_parse(d, n, &m, &err), 0, "%s", err.msg);
  const char *s;
  cr_assert_eq(dbus_read_string_body(&m, 'v', "Get", &s, &err), 0);
  cr_assert_str_eq(s, "/machine.slice/x.scope");
  dbus_message_free(&m);

  dbus_writer_init(&body);
  dbus_put_variant(&body, "u");
  dbus_put_u32(&body, 1);
  n = build(DBUS_METHOD_CALL, "v", &body, &d);
  dbus_writer_free(&body);
  cr_assert_eq(dbus_message_parse(d, n, &m, &err), 0, "%s", err.msg);
  cr_assert_eq(dbus_read_string_body(&m, 'v', "Get", &s, &err), -EBADMSG);
  cr_assert_str_eq(err.msg, "Get: reply holds a `u`, not a string");
  minirt_error_clear(&err);
  dbus_message_free(&m);
}

Test(dbus_parse, error_reply_needs_its_name) {
  struct dbus_writer body;
  dbus_writer_init(&body);
  dbus_put_string(&body, "nope");
  uint8_t *d;
  size_t n = build(DBUS_ERROR, "s", &body, &d);
  dbus_writer_free(&body);
  struct dbus_message m;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_message_parse(d, n, &m, &err), -EBADMSG);
  cr_assert_not_null(strstr(err.msg, "ERROR_NAME"));
  minirt_error_clear(&err);
  free(d);
}

/* StartTransientUnit's body, as the driver writes it, read back. */
Test(dbus_roundtrip, start_transient_unit_body) {
  struct dbus_writer w;
  dbus_writer_init(&w);
  dbus_put_string(&w, "u.scope");
  dbus_put_string(&w, "fail");
  struct dbus_array a = dbus_open_array(&w, 8);
  dbus_open_struct(&w);
  dbus_put_string(&w, "Delegate");
  dbus_put_variant(&w, "b");
  dbus_put_bool(&w, true);
  dbus_open_struct(&w);
  dbus_put_string(&w, "MemoryMax");
  dbus_put_variant(&w, "t");
  dbus_put_u64(&w, UINT64_MAX);
  dbus_open_struct(&w);
  dbus_put_string(&w, "AllowedCPUs");
  dbus_put_variant(&w, "ay");
  const uint8_t mask[] = {0x07};
  dbus_put_bytes(&w, mask, 1);
  dbus_open_struct(&w);
  dbus_put_string(&w, "DeviceAllow");
  dbus_put_variant(&w, "a(ss)");
  struct dbus_array devs = dbus_open_array(&w, 8);
  dbus_open_struct(&w);
  dbus_put_string(&w, "/dev/char/1:3");
  dbus_put_string(&w, "rwm");
  dbus_close_array(&w, devs);
  dbus_open_struct(&w);
  dbus_put_string(&w, "PIDs");
  dbus_put_variant(&w, "au");
  struct dbus_array pids = dbus_open_array(&w, 4);
  dbus_put_u32(&w, 1234);
  dbus_close_array(&w, pids);
  dbus_close_array(&w, a);
  dbus_close_array(&w, dbus_open_array(&w, 8));
  cr_assert_eq(w.error, 0);

  struct dbus_reader r = {.p = w.p, .end = w.len};
  const char *s;
  size_t end;
  cr_assert_eq(dbus_get_string(&r, &s), 0);
  cr_assert_str_eq(s, "u.scope");
  cr_assert_eq(dbus_get_string(&r, &s), 0);
  cr_assert_str_eq(s, "fail");
  cr_assert_eq(dbus_enter_array(&r, 8, &end), 0);
  const char *names[] = {"Delegate", "MemoryMax", "AllowedCPUs", "DeviceAllow",
                         "PIDs"};
  const char *sigs[] = {"b", "t", "ay", "a(ss)", "au"};
  for (size_t i = 0; i < 5; i++) {
    cr_assert_lt(r.pos, end);
    cr_assert_eq(dbus_enter_struct(&r), 0);
    cr_assert_eq(dbus_get_string(&r, &s), 0);
    cr_assert_str_eq(s, names[i]);
    const char *sig;
    cr_assert_eq(dbus_get_signature(&r, &sig), 0);
    cr_assert_str_eq(sig, sigs[i]);
    if (i == 1) {
      uint64_t v;
      cr_assert_eq(dbus_get_u64(&r, &v), 0);
      cr_assert_eq(v, UINT64_MAX);
      continue;
    }
    const char *rest = sig;
    cr_assert_eq(dbus_skip(&r, &rest), 0, "%s", r.why);
    cr_assert_eq(*rest, '\0');
  }
  cr_assert_eq(r.pos, end);
  /* The aux array: empty, its padding there. */
  cr_assert_eq(dbus_enter_array(&r, 8, &end), 0);
  cr_assert_eq(r.pos, end);
  cr_assert_eq(r.pos, w.len);
  /* The whole body skips by its signature too. */
  r = (struct dbus_reader){.p = w.p, .end = w.len};
  const char *sig = "ssa(sv)a(sa(sv))";
  while (*sig != '\0')
    cr_assert_eq(dbus_skip(&r, &sig), 0, "%s", r.why);
  cr_assert_eq(r.pos, w.len);
  dbus_writer_free(&w);
}

Test(dbus_skip, rejects_bad_signatures_and_deep_nesting) {
  const uint8_t zero[64] = {0};
  struct dbus_reader r = {.p = zero, .end = sizeof zero};
  const char *bad[] = {"(", "()", "a", "a)", "(u", "z", "{u"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r.pos = 0;
    const char *s = bad[i];
    cr_assert_eq(dbus_skip(&r, &s), -EBADMSG, "`%s` accepted", bad[i]);
  }
  char deep[80];
  memset(deep, 'a', 70);
  strcpy(deep + 70, "u");
  r.pos = 0;
  const char *s = deep;
  cr_assert_eq(dbus_skip(&r, &s), -EBADMSG);
  /* A variant that claims a type its bytes do not hold. */
  const uint8_t v[] = {1, 's', 0, 0, 0xff, 0xff, 0xff, 0x7f};
  r = (struct dbus_reader){.p = v, .end = sizeof v};
  s = "v";
  cr_assert_eq(dbus_skip(&r, &s), -EBADMSG);
}

/* Every byte of a valid message changed to a few values: parse and read
 * what parses, by its signature. Nothing may read out of bounds (ASan). */
Test(dbus_parse, mutations_never_read_out_of_bounds) {
  struct dbus_writer body;
  dbus_writer_init(&body);
  dbus_put_u32(&body, 42);
  dbus_put_string(&body, "/j/42");
  struct dbus_array a = dbus_open_array(&body, 8);
  dbus_open_struct(&body);
  dbus_put_string(&body, "k");
  dbus_put_variant(&body, "as");
  struct dbus_array b = dbus_open_array(&body, 4);
  dbus_put_string(&body, "v");
  dbus_close_array(&body, b);
  dbus_close_array(&body, a);
  uint8_t *orig;
  size_t n = build(DBUS_SIGNAL, "uoa(sv)", &body, &orig);
  dbus_writer_free(&body);
  const uint8_t values[] = {0, 1, 0x7f, 0xff, 'a', '(', 'v'};
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < sizeof values; k++) {
      uint8_t *d = dup_bytes(orig, n);
      d[i] = values[k];
      struct dbus_message m;
      struct minirt_error err = {0};
      if (dbus_message_parse(d, n, &m, &err) < 0) {
        free(d);
        minirt_error_clear(&err);
        continue;
      }
      struct dbus_reader r;
      dbus_message_body(&m, &r);
      const char *sig = m.signature;
      while (*sig != '\0' && dbus_skip(&r, &sig) == 0)
        ;
      dbus_message_free(&m);
    }
  free(orig);
}

/* ---- addresses ---- */

Test(dbus_address, unix_path_and_abstract) {
  struct dbus_sockaddr a;
  cr_assert_eq(
      dbus_address_parse("unix:path=/run/dbus/system_bus_socket", &a, NULL), 0);
  cr_assert_str_eq(a.path, "/run/dbus/system_bus_socket");
  cr_assert_eq(a.len, strlen(a.path));
  cr_assert(!a.abstract);
  cr_assert_eq(
      dbus_address_parse("unix:abstract=/tmp/dbus-x,guid=0123", &a, NULL), 0);
  cr_assert_str_eq(a.path, "/tmp/dbus-x");
  cr_assert(a.abstract);
}

Test(dbus_address, first_usable_entry_unescaped) {
  struct dbus_sockaddr a;
  cr_assert_eq(dbus_address_parse("tcp:host=localhost,port=1;unix:guid=1;"
                                  "unix:path=/a%20b%2c;unix:path=/second",
                                  &a, NULL),
               0);
  cr_assert_str_eq(a.path, "/a b,");
}

Test(dbus_address, unusable_or_malformed) {
  struct dbus_sockaddr a;
  struct minirt_error err = {0};
  cr_assert_eq(dbus_address_parse("tcp:host=x", &a, &err), -EAFNOSUPPORT);
  cr_assert_str_eq(err.msg, "D-Bus address `tcp:host=x`: no unix:path= or "
                            "unix:abstract= entry");
  minirt_error_clear(&err);
  cr_assert_eq(dbus_address_parse("", &a, NULL), -EAFNOSUPPORT);
  const char *bad[] = {"unix:path=/a%2", "unix:path=/a%zz",
                       "unix:path=",     "unix:path=/a,abstract=b",
                       "unix:path",      "unix:path=%00"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    cr_assert_eq(dbus_address_parse(bad[i], &a, NULL), -EINVAL, "`%s`", bad[i]);
  char longp[200] = "unix:path=/";
  memset(longp + 11, 'x', 150);
  longp[161] = '\0';
  cr_assert_eq(dbus_address_parse(longp, &a, &err), -EINVAL);
  cr_assert_not_null(strstr(err.msg, "invalid D-Bus address"));
  minirt_error_clear(&err);
}
