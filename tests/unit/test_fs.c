/* canonical_path() against realpath(3): symlinks, "..", relative paths. */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"

static char dir[] = "/tmp/minirt-test-fs.XXXXXX";

static void setup(void) {
  cr_assert_not_null(mkdtemp(dir));
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/real", dir);
  cr_assert_eq(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/real/sub", dir);
  cr_assert_eq(mkdir(p, 0700), 0);
  snprintf(p, sizeof p, "%s/link", dir);
  cr_assert_eq(symlink("real/sub", p), 0);
}

static void teardown(void) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/link", dir);
  unlink(p);
  snprintf(p, sizeof p, "%s/real/sub", dir);
  rmdir(p);
  snprintf(p, sizeof p, "%s/real", dir);
  rmdir(p);
  rmdir(dir);
}

static void expect_like_realpath(const char *path) {
  char *want = realpath(path, NULL), *got = canonical_path(path);
  cr_assert_not_null(want, "realpath %s", path);
  cr_assert_not_null(got, "canonical_path %s", path);
  cr_assert_str_eq(got, want);
  free(want);
  free(got);
}

Test(fs, canonical_path_like_realpath, .init = setup, .fini = teardown) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/link", dir);
  expect_like_realpath(p);
  snprintf(p, sizeof p, "%s/real/sub/../sub/./", dir);
  expect_like_realpath(p);
  cr_assert_eq(chdir(dir), 0);
  expect_like_realpath("link");
  expect_like_realpath(".");
  expect_like_realpath("/");
}

Test(fs, canonical_path_of_a_missing_file, .init = setup, .fini = teardown) {
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/nothing", dir);
  errno = 0;
  cr_assert_null(canonical_path(p));
  cr_assert_eq(errno, ENOENT);
}
