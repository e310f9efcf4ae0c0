/* Pure helpers of the process setup: kernel id lists (cpus, NUMA nodes),
 * env lookup and the PATH search with its 127/126 exit codes. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process/process.h"

static bool bit(const unsigned long *m, size_t i) {
  const size_t w = 8 * sizeof(unsigned long);
  return (m[i / w] >> (i % w)) & 1UL;
}

Test(id_list, ranges_and_singles) {
  unsigned long m[4];
  struct minirt_error err = {0};
  cr_assert_eq(process_parse_id_list("0-3,5,70-71", m, 256, "x", &err), 0);
  for (size_t i = 0; i < 256; i++)
    cr_assert_eq(bit(m, i), i <= 3 || i == 5 || i == 70 || i == 71, "bit %zu",
                 i);
}

Test(id_list, single_number) {
  unsigned long m[1];
  cr_assert_eq(process_parse_id_list("7", m, 64, "x", NULL), 0);
  cr_assert_eq(m[0], 1UL << 7);
}

Test(id_list, malformed) {
  const char *bad[] = {"", "a", "1-", "-1", "3-1", "1,,2", "1,", "1 2", "0x1"};
  unsigned long m[1];
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct minirt_error err = {0};
    cr_assert_lt(process_parse_id_list(bad[i], m, 64, "linux.x", &err), 0,
                 "`%s` accepted", bad[i]);
    cr_assert_not_null(strstr(err.msg, "linux.x"));
    minirt_error_clear(&err);
  }
}

Test(id_list, out_of_range) {
  unsigned long m[1];
  struct minirt_error err = {0};
  cr_assert_eq(process_parse_id_list("0-64", m, 64, "nodes", &err), -ERANGE);
  cr_assert_not_null(strstr(err.msg, "64 is too large"));
  minirt_error_clear(&err);
}

Test(env, get) {
  char *v[] = {"PATH=/a:/b", "PATHX=no", "EMPTY=", NULL};
  struct oci_strv env = {v, 3};
  cr_assert_str_eq(process_env_get(&env, "PATH"), "/a:/b");
  cr_assert_str_eq(process_env_get(&env, "EMPTY"), "");
  cr_assert_null(process_env_get(&env, "PAT"));
  cr_assert_null(process_env_get(NULL, "PATH"));
}

static char dir[64];

static void make_file(const char *name, mode_t mode) {
  char p[128];
  snprintf(p, sizeof(p), "%s/%s", dir, name);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, "#!/bin/sh\n", 10), 10);
  close(fd);
  chmod(p, mode);
}

static void setup_dir(void) {
  strcpy(dir, "/tmp/minirt-test-process-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  char sub[128];
  snprintf(sub, sizeof(sub), "%s/sub", dir);
  mkdir(sub, 0755);
  make_file("tool", 0755);
  make_file("data", 0644);
  make_file("sub/tool2", 0755);
  snprintf(sub, sizeof(sub), "%s/isdir", dir);
  mkdir(sub, 0755);
}

static void teardown_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

TestSuite(find, .init = setup_dir, .fini = teardown_dir);

Test(find, in_path_order) {
  char path[256];
  snprintf(path, sizeof(path), "/nonexistent:%s/sub:%s", dir, dir);
  char *out = NULL;
  int code = 0;
  cr_assert_eq(process_find_executable("tool", path, &out, &code, NULL), 0);
  char want[128];
  snprintf(want, sizeof(want), "%s/tool", dir);
  cr_assert_str_eq(out, want);
  free(out);
  out = NULL;
  cr_assert_eq(process_find_executable("tool2", path, &out, &code, NULL), 0);
  free(out);
}

Test(find, not_found_is_127) {
  char *out = NULL;
  int code = 0;
  struct minirt_error err = {0};
  cr_assert_lt(process_find_executable("nope", dir, &out, &code, &err), 0);
  cr_assert_eq(code, 127);
  cr_assert_str_eq(err.msg, "executable file `nope` not found in $PATH: "
                            "no such file or directory");
  minirt_error_clear(&err);
  /* A directory of that name is skipped like a missing file. */
  cr_assert_lt(process_find_executable("isdir", dir, &out, &code, &err), 0);
  cr_assert_eq(code, 127);
  minirt_error_clear(&err);
}

Test(find, not_executable_is_126) {
  char *out = NULL;
  int code = 0;
  struct minirt_error err = {0};
  cr_assert_lt(process_find_executable("data", dir, &out, &code, &err), 0);
  cr_assert_eq(code, 126);
  cr_assert_str_eq(err.msg, "exec `data`: permission denied");
  minirt_error_clear(&err);
}

Test(find, with_slash_is_not_searched) {
  char p[128];
  snprintf(p, sizeof(p), "%s/tool", dir);
  char *out = NULL;
  int code = 0;
  cr_assert_eq(process_find_executable(p, "/nonexistent", &out, &code, NULL),
               0);
  cr_assert_str_eq(out, p);
  free(out);
  struct minirt_error err = {0};
  snprintf(p, sizeof(p), "%s/isdir", dir);
  cr_assert_lt(process_find_executable(p, NULL, &out, &code, &err), 0);
  cr_assert_eq(code, 126);
  minirt_error_clear(&err);
  cr_assert_lt(process_find_executable("./missing", NULL, &out, &code, &err),
               0);
  cr_assert_eq(code, 127);
  minirt_error_clear(&err);
}

Test(find, default_path) {
  char *out = NULL;
  int code = 0;
  cr_assert_eq(process_find_executable("sh", NULL, &out, &code, NULL), 0);
  cr_assert_not_null(strstr(out, "/sh"));
  free(out);
}
