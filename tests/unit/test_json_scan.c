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

/* The claim exec relies on, over mutated texts: whenever the scanner is
 * sure and the text parses, the blanked text parses to the same config
 * without linux.seccomp. (A text that does not parse in full never reaches
 * the blanking: exec blanks only bytes that a cache entry was compiled
 * from, and those parsed.) */
#include <json-c/json.h>

static json_object *config_json(const char *text, size_t len) {
  struct minirt_error err = {0};
  struct oci_config *cfg = NULL;
  if (oci_config_parse(text, len, &cfg, &err) < 0) {
    minirt_error_clear(&err);
    return NULL;
  }
  char *out = NULL;
  cr_assert_eq(oci_config_to_json(cfg, false, &out, &err), 0);
  oci_config_free(cfg);
  json_object *o = json_tokener_parse(out);
  free(out);
  cr_assert_not_null(o);
  return o;
}

Test(json_scan, blanking_keeps_everything_else_over_mutations) {
  static const char base[] =
      "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},\n"
      " \"process\": {\"args\": [\"sh\", \"-c\", \"a\\\"b\"], \"cwd\": \"/\","
      " \"env\": [\"A=1\", \"B=\\u00e9\"]},\n"
      " \"annotations\": {\"seccomp\": \"x\", \"linux\": \"y\"},\n"
      " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}],"
      " \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\":"
      " [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"}]},"
      " \"cgroupsPath\": \"/a/b\", \"sysctl\": {\"net.x\": \"1\"}}}";
  static const char pool[] = "\"\\{}[],: u0n/*x\n-e.";
  unsigned seed = 4242;
  int sure = 0, checked = 0;
  for (int i = 0; i < 4000; i++) {
    char t[sizeof base + 8];
    size_t n = sizeof base - 1;
    memcpy(t, base, n + 1);
    int k = 1 + rand_r(&seed) % 3;
    for (int j = 0; j < k; j++) {
      size_t at = (size_t)rand_r(&seed) % n;
      char ch = pool[rand_r(&seed) % (sizeof pool - 1)];
      switch (rand_r(&seed) % 3) {
      case 0: /* replace */
        t[at] = ch;
        break;
      case 1: /* insert */
        memmove(t + at + 1, t + at, n - at + 1);
        t[at] = ch;
        n++;
        break;
      default: /* delete */
        memmove(t + at, t + at + 1, n - at);
        n--;
      }
    }
    size_t s, e;
    if (oci_config_find_member(t, n, "linux", "seccomp", &s, &e) != 1)
      continue;
    sure++;
    json_object *full = config_json(t, n);
    if (full == NULL)
      continue;
    if (!oci_config_blank_member(t, s, e)) {
      json_object_put(full);
      continue;
    }
    json_object *blanked = config_json(t, n);
    cr_assert_not_null(blanked, "blanked text does not parse: %.*s", (int)n, t);
    json_object *lx = NULL;
    if (json_object_object_get_ex(full, "linux", &lx))
      json_object_object_del(lx, "seccomp");
    cr_assert(json_object_equal(full, blanked), "differs: %s\nvs %s",
              json_object_to_json_string(full),
              json_object_to_json_string(blanked));
    json_object_put(full);
    json_object_put(blanked);
    checked++;
  }
  /* The mutations must exercise both sides, or the test proves nothing. */
  cr_assert_gt(sure, 500, "only %d texts were plain", sure);
  cr_assert_gt(checked, 200, "only %d texts were compared", checked);
}
