/* Every error class of the spec loader: the malformed corpus in
 * tests/data/malformed (X.json must fail with the text of X.err), plus the
 * cases that need code (size cap, validate_for_create, files). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "test_spec_helpers.h"

static void check_corpus_file(const char *name) {
  char rel[512], want_rel[512];
  snprintf(rel, sizeof(rel), "malformed/%s", name);
  snprintf(want_rel, sizeof(want_rel), "malformed/%.*s.err",
           (int)(strlen(name) - 5), name);
  size_t len = 0, wlen = 0;
  char *text = spec_test_read(rel, &len);
  char *want = spec_test_read(want_rel, &wlen);
  while (wlen > 0 && want[wlen - 1] == '\n')
    want[--wlen] = '\0';
  cr_assert_gt(wlen, 0, "%s: empty .err", name);
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_parse(text, len, &cfg, &err);
  cr_expect_lt(r, 0, "%s: parse should fail", name);
  cr_expect(err.msg != NULL && strstr(err.msg, want) != NULL,
            "%s: error \"%s\" lacks \"%s\"", name, err.msg, want);
  oci_config_free(cfg);
  minirt_error_clear(&err);
  free(text);
  free(want);
}

Test(spec_errors, malformed_corpus) {
  DIR *d = opendir(TEST_DATA_DIR "/malformed");
  cr_assert_not_null(d);
  struct dirent *de;
  int n = 0;
  while ((de = readdir(d)) != NULL) {
    size_t l = strlen(de->d_name);
    if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
      check_corpus_file(de->d_name);
      n++;
    }
  }
  closedir(d);
  cr_assert_gt(n, 50, "only %d corpus files", n);
}

Test(spec_errors, line_and_column) {
  const char *t = "{\n  \"ociVersion\": \"1.0\",\n  \"hostname\": ,\n}";
  spec_test_expect_error(t, strlen(t), "config: malformed JSON at line 3, column 15");
}

Test(spec_errors, nul_byte_inside) {
  const char t[] = "{\"ociVersion\": \"1.0\"\0}";
  spec_test_expect_error(t, sizeof(t) - 1, "malformed JSON at line 1");
}

Test(spec_errors, size_cap_in_memory) {
  size_t len = 50u << 20;
  char *big = malloc(len);
  cr_assert_not_null(big);
  memset(big, ' ', len);
  big[0] = '{';
  big[len - 1] = '}';
  spec_test_expect_error(big, len, "too large");
  free(big);
}

Test(spec_errors, size_cap_file) {
  char path[] = "/tmp/minirt-spec-big-XXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  cr_assert_eq(ftruncate(fd, 50 << 20), 0);
  close(fd);
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_load_file(path, &cfg, NULL, NULL, &err);
  unlink(path);
  cr_assert_lt(r, 0);
  cr_assert(strstr(err.msg, "file larger than") != NULL, "%s", err.msg);
  cr_assert(strstr(err.msg, path) != NULL, "%s", err.msg);
  minirt_error_clear(&err);
}

Test(spec_errors, missing_file) {
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_load_file("/nonexistent/config.json", &cfg, NULL, NULL, &err);
  cr_assert_eq(r, -ENOENT);
  cr_assert(strstr(err.msg, "/nonexistent/config.json") != NULL, "%s", err.msg);
  minirt_error_clear(&err);
}

Test(spec_errors, load_file_prefixes_path_and_keeps_raw) {
  char path[] = "/tmp/minirt-spec-cfg-XXXXXX";
  int fd = mkstemp(path);
  const char *bad = "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"x\"}}";
  cr_assert_eq(write(fd, bad, strlen(bad)), (ssize_t)strlen(bad));
  close(fd);
  struct oci_config *cfg = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_lt(oci_config_load_file(path, &cfg, NULL, NULL, &err), 0);
  cr_assert(strstr(err.msg, path) && strstr(err.msg, "process.cwd: must be an absolute path"),
            "%s", err.msg);
  minirt_error_clear(&err);
  const char *good = "{\"ociVersion\": \"1\"}";
  fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  cr_assert_eq(write(fd, good, strlen(good)), (ssize_t)strlen(good));
  close(fd);
  char *raw = NULL;
  size_t raw_len = 0;
  cr_assert_eq(oci_config_load_file(path, &cfg, &raw, &raw_len, &err), 0);
  unlink(path);
  cr_assert_str_eq(raw, good);
  cr_assert_eq(raw_len, strlen(good));
  free(raw);
  oci_config_free(cfg);
}

static void expect_create_error(const char *text, const char *want) {
  struct oci_config *cfg = spec_test_parse(text);
  struct minirt_error err = {0, NULL};
  cr_assert_lt(oci_config_validate_for_create(cfg, &err), 0, "%s", text);
  cr_assert(strstr(err.msg, want) != NULL, "error \"%s\" lacks \"%s\"", err.msg,
            want);
  minirt_error_clear(&err);
  oci_config_free(cfg);
}

Test(spec_errors, validate_for_create) {
  expect_create_error("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}}",
                      "process: required");
  expect_create_error("{\"ociVersion\": \"1\", \"process\": {\"args\": [\"sh\"], "
                      "\"cwd\": \"/\"}}",
                      "root.path: required");
  expect_create_error("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, "
                      "\"process\": {\"cwd\": \"/\"}}",
                      "process.args: must not be empty");
  expect_create_error("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, "
                      "\"process\": {\"args\": [], \"cwd\": \"/\"}}",
                      "process.args: must not be empty");
  expect_create_error("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, "
                      "\"process\": {\"args\": [\"sh\"]}}",
                      "process.cwd: required");
  struct oci_config *ok = spec_test_parse(
      "{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, "
      "\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}");
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_config_validate_for_create(ok, &err), 0, "%s", err.msg);
  oci_config_free(ok);
}

Test(spec_errors, process_file_errors) {
  struct oci_process *p = NULL;
  struct minirt_error err = {0, NULL};
  const char *t = "{\"user\": {\"uid\": 4294967296}}";
  cr_assert_lt(oci_process_parse(t, strlen(t), &p, &err), 0);
  cr_assert(strstr(err.msg, "user.uid: 4294967296 out of range") == err.msg,
            "%s", err.msg);
  minirt_error_clear(&err);
  t = "{\"args\": [\"sh\"],";
  cr_assert_lt(oci_process_parse(t, strlen(t), &p, &err), 0);
  cr_assert(strstr(err.msg, "process: malformed JSON at line 1") != NULL, "%s",
            err.msg);
  minirt_error_clear(&err);
  cr_assert_lt(oci_process_load_file("/nonexistent/p.json", &p, &err), 0);
  minirt_error_clear(&err);
}

Test(spec_errors, null_error_pointer_is_safe) {
  struct oci_config *cfg = NULL;
  const char *t = "{\"process\": 1}";
  cr_assert_lt(oci_config_parse(t, strlen(t), &cfg, NULL), 0);
  cr_assert_null(cfg);
}

Test(spec_errors, resources_errors) {
  struct oci_resources *r = NULL;
  struct minirt_error err = {0, NULL};
  const char *t = "{\"memory\": {\"limit\": true}}";
  cr_assert_lt(oci_resources_parse(t, strlen(t), &r, &err), 0);
  cr_assert(strstr(err.msg, "memory.limit: expected an integer") == err.msg,
            "%s", err.msg);
  minirt_error_clear(&err);
}
