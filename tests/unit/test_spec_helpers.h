/* Shared helpers of the spec unit tests. */
#ifndef MINIRT_TEST_SPEC_HELPERS_H
#define MINIRT_TEST_SPEC_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"
#include "spec/state.h"
#include "util/fs.h"

static inline char *spec_test_read(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
  char *data = NULL;
  struct minirt_error err = {0, NULL};
  int r = read_file(path, 64u << 20, &data, len, &err);
  cr_assert_eq(r, 0, "read %s: %s", path, err.msg);
  return data;
}

static inline struct oci_config *spec_test_parse(const char *text) {
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_parse(text, strlen(text), &cfg, &err);
  cr_assert_eq(r, 0, "parse failed: %s", err.msg);
  return cfg;
}

/* Parses text that must fail and checks the message holds `want`. */
static inline void spec_test_expect_error(const char *text, size_t len,
                                          const char *want) {
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_parse(text, len, &cfg, &err);
  cr_assert_lt(r, 0, "parse should fail with \"%s\"", want);
  cr_assert_null(cfg);
  cr_assert_not_null(err.msg);
  cr_assert(strstr(err.msg, want) != NULL, "error \"%s\" lacks \"%s\"",
            err.msg, want);
  minirt_error_clear(&err);
}

#endif
