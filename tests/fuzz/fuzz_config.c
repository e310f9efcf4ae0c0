/* libFuzzer target for the spec loader: any input must either fail with a
 * message or parse into a config that serialises, re-parses and serialises
 * again to the same text. Also feeds the --process and --resources
 * parsers. Leaks and UB are caught by the sanitizers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"
#include "spec/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_config(const char *text, size_t len) {
  struct oci_config *cfg = NULL, *again = NULL;
  struct minirt_error err = {0, NULL};
  char *j1 = NULL, *j2 = NULL;
  if (oci_config_parse(text, len, &cfg, &err) < 0) {
    if (err.msg == NULL)
      abort(); /* every failure must say why */
    minirt_error_clear(&err);
    return;
  }
  if (oci_config_validate_for_create(cfg, &err) < 0)
    minirt_error_clear(&err);
  if (oci_config_to_json(cfg, false, &j1, &err) < 0)
    abort();
  if (oci_config_parse(j1, strlen(j1), &again, &err) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", err.msg, j1);
    abort();
  }
  if (oci_config_to_json(again, false, &j2, &err) < 0 || strcmp(j1, j2) != 0) {
    fprintf(stderr, "round trip differs:\n%s\n%s\n", j1, j2);
    abort();
  }
  if (cfg->process != NULL)
    oci_process_free(oci_process_dup(cfg->process));
  free(j1);
  free(j2);
  oci_config_free(cfg);
  oci_config_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  struct minirt_error err = {0, NULL};
  check_config(text, size);

  struct oci_process *p = NULL;
  if (oci_process_parse(text, size, &p, &err) == 0) {
    char *j = NULL;
    if (oci_process_to_json(p, true, &j, &err) < 0)
      abort();
    free(j);
    oci_process_free(p);
  }
  minirt_error_clear(&err);

  struct oci_resources *r = NULL;
  if (oci_resources_parse(text, size, &r, &err) == 0) {
    char *j = NULL;
    if (oci_resources_to_json(r, &j, &err) < 0)
      abort();
    free(j);
    oci_resources_free(r);
  }
  minirt_error_clear(&err);

  struct minirt_status *s = NULL;
  if (minirt_status_parse(text, size, &s, &err) == 0)
    minirt_status_free(s);
  minirt_error_clear(&err);
  return 0;
}
