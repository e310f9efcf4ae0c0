/* oci_config_find_member(): the bytes of linux.seccomp without a parse, and
 * "not sure" wherever json-c could read the text differently. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"

static int find(const char *text, size_t *s, size_t *e) {
  return oci_config_find_member(text, strlen(text), "linux", "seccomp", s, e);
}

static void expect_value(const char *text, const char *value) {
  size_t s = 0, e = 0;
  cr_assert_eq(find(text, &s, &e), 1, "not found in %s", text);
  cr_assert_eq(e - s, strlen(value), "%s: got %.*s", text, (int)(e - s),
               text + s);
  cr_assert_eq(memcmp(text + s, value, e - s), 0);
}

Test(json_scan, finds_the_exact_bytes) {
  expect_value("{\"linux\": {\"seccomp\": {\"a\": [1, 2.5e3, -0.1]}}}",
               "{\"a\": [1, 2.5e3, -0.1]}");
  expect_value("{\"process\": {\"seccomp\": 1}, \"linux\": {\"x\": "
               "{\"seccomp\": 2}, \"seccomp\" :\n\t{ } , \"y\": null}}",
               "{ }");
  /* Escapes inside values are no reason for doubt. */
  expect_value("{\"a\": \"\\\"linux\\\"\", \"linux\": {\"seccomp\": "
               "{\"n\": \"x\\u0041\\\\\"}}}",
               "{\"n\": \"x\\u0041\\\\\"}");
}

Test(json_scan, absent_is_zero) {
  size_t s, e;
  cr_assert_eq(find("{}", &s, &e), 0);
  cr_assert_eq(find("{\"linux\": {}}", &s, &e), 0);
  cr_assert_eq(find("{\"linux\": {\"sec\": {}}}", &s, &e), 0);
  cr_assert_eq(find("{\"seccomp\": {}}", &s, &e), 0);
  /* Not objects: for the parse to report. */
  cr_assert_eq(find("{\"linux\": [\"seccomp\"]}", &s, &e), 0);
  cr_assert_eq(find("[]", &s, &e), 0);
}

Test(json_scan, unsure_when_json_c_could_differ) {
  size_t s, e;
  static const char *const texts[] = {
      /* duplicates: json-c keeps the last */
      "{\"linux\": {}, \"linux\": {\"seccomp\": {}}}",
      "{\"linux\": {\"seccomp\": {}, \"seccomp\": {}}}",
      /* a key with an escape may spell the one we look for */
      "{\"l\\u0069nux\": {\"seccomp\": {}}}",
      "{\"linux\": {\"secc\\u006fmp\": {}, \"seccomp\": {}}}",
      /* not standard JSON (json-c takes some of it) */
      "{\"linux\": {\"seccomp\": {}}} x",
      "{\"linux\": {\"seccomp\": {}} /* c */}",
      "{\"linux\": {\"seccomp\": {\"a\": NaN}}}",
      "{\"linux\": {\"seccomp\": {'a': 1}}}",
      "{\"linux\": {\"seccomp\": {\"a\": 01x}}}",
      "{\"linux\": {\"seccomp\": {\"a\": [1,]}}}",
      "{\"linux\": {\"seccomp\": {\"a\": \"\x01\"}}}",
      "{\"linux\": {\"seccomp\": {\"a\": \"\\q\"}}}",
      "{\"linux\": {\"seccomp\": {\"a\": tru}}}",
      "{\"linux\": {\"seccomp\": {",
      "{\"linux\": {\"seccomp\": \"",
  };
  for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
    cr_assert_eq(find(texts[i], &s, &e), -1, "sure about %s", texts[i]);
}

Test(json_scan, deep_nesting_is_unsure) {
  size_t n = 200, s, e;
  char *t = malloc(64 + 2 * n);
  cr_assert_not_null(t);
  strcpy(t, "{\"linux\": {\"seccomp\": ");
  size_t l = strlen(t);
  memset(t + l, '[', n);
  memset(t + l + n, ']', n);
  strcpy(t + l + 2 * n, "}}");
  cr_assert_eq(find(t, &s, &e), -1);
  free(t);
}

/* Blanked, the text parses to a config without linux.seccomp and with
 * everything else as it was. */
Test(json_scan, blanked_text_parses_without_the_profile) {
  char text[] =
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
      " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"},"
      " \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\"},"
      " \"cgroupsPath\": \"/a/b\"}}";
  size_t s, e;
  cr_assert_eq(find(text, &s, &e), 1);
  struct minirt_error err = {0};
  struct oci_config *cfg = NULL;
  cr_assert_eq(oci_config_parse(text, strlen(text), &cfg, &err), 0, "%s",
               err.msg);
  cr_assert_not_null(cfg->linux_->seccomp);
  oci_config_free(cfg);
  cr_assert(oci_config_blank_member(text, s, e));
  cr_assert_eq(find(text, &s, &e), 1); /* now `null` and spaces */
  cfg = NULL;
  cr_assert_eq(oci_config_parse(text, strlen(text), &cfg, &err), 0, "%s",
               err.msg);
  cr_assert_null(cfg->linux_->seccomp);
  cr_assert_str_eq(cfg->linux_->cgroups_path, "/a/b");
  cr_assert_str_eq(cfg->process->args.v[0], "sh");
  oci_config_free(cfg);
  char tiny[] = "{\"linux\": {\"seccomp\": {}}}";
  cr_assert_eq(find(tiny, &s, &e), 1);
  cr_assert_not(oci_config_blank_member(tiny, s, e));
  cr_assert_str_eq(tiny, "{\"linux\": {\"seccomp\": {}}}");
}
