/* Replays every committed fuzz corpus file through the loader its target
 * fuzzes, so CI checks the corpus under ASan+UBSan without libFuzzer: no
 * input may crash, and every failure must carry a message. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"
#include "spec/state.h"
#include "util/fs.h"

#define FUZZ_DIR TEST_DATA_DIR "/../fuzz"

typedef int (*loader_fn)(const char *data, size_t len);

static void check_err(int r, struct minirt_error *err) {
  if (r < 0)
    cr_assert_not_null(err->msg, "a failure without a message");
  minirt_error_clear(err);
}

static int load_config(const char *data, size_t len) {
  struct oci_config *c = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_config_parse(data, len, &c, &err);
  check_err(r, &err);
  if (r == 0) {
    char *j = NULL;
    cr_assert_eq(oci_config_to_json(c, false, &j, &err), 0);
    free(j);
    oci_config_free(c);
  }
  return r;
}

static int load_process(const char *data, size_t len) {
  struct oci_process *p = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_process_parse(data, len, &p, &err);
  check_err(r, &err);
  if (r == 0) {
    char *j = NULL;
    cr_assert_eq(oci_process_to_json(p, false, &j, &err), 0);
    free(j);
    oci_process_free(oci_process_dup(p));
    oci_process_free(p);
  }
  return r;
}

static int load_resources(const char *data, size_t len) {
  struct oci_resources *res = NULL;
  struct minirt_error err = {0, NULL};
  int r = oci_resources_parse(data, len, &res, &err);
  check_err(r, &err);
  if (r == 0) {
    char *j = NULL;
    cr_assert_eq(oci_resources_to_json(res, &j, &err), 0);
    free(j);
    oci_resources_free(res);
  }
  return r;
}

static int load_state(const char *data, size_t len) {
  struct minirt_status *s = NULL;
  struct minirt_error err = {0, NULL};
  int r = minirt_status_parse(data, len, &s, &err);
  check_err(r, &err);
  if (r == 0) {
    char *j = NULL;
    cr_assert_eq(minirt_status_to_json(s, &j, &err), 0);
    free(j);
    minirt_status_free(s);
  }
  return r;
}

static void replay(const char *target, loader_fn fn) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/corpus/%s", FUZZ_DIR, target);
  DIR *d = opendir(dir);
  cr_assert_not_null(d, "no corpus dir %s", dir);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    char *buf = NULL;
    size_t len = 0;
    struct minirt_error err = {0, NULL};
    cr_assert_eq(read_file(path, 1u << 24, &buf, &len, &err), 0, "%s", path);
    fn(buf, len);
    free(buf);
    n++;
  }
  closedir(d);
  cr_assert_gt(n, 0, "empty corpus %s", dir);
}

Test(fuzz_replay, config) { replay("config", load_config); }
Test(fuzz_replay, process) { replay("process", load_process); }
Test(fuzz_replay, resources) { replay("resources", load_resources); }
Test(fuzz_replay, state) { replay("state", load_state); }
