/* libFuzzer target for the `update --resources FILE` loader: any input must
 * either fail with a message or parse into resources that serialise,
 * re-parse and serialise again to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"
#include "spec/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct oci_resources *r = NULL, *again = NULL;
  struct minirt_error err = {0, NULL};
  char *j1 = NULL, *j2 = NULL;
  if (oci_resources_parse((const char *)data, size, &r, &err) < 0) {
    if (err.msg == NULL)
      abort();
    minirt_error_clear(&err);
    return 0;
  }
  if (oci_resources_to_json(r, &j1, &err) < 0)
    abort();
  if (oci_resources_parse(j1, strlen(j1), &again, &err) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", err.msg, j1);
    abort();
  }
  if (oci_resources_to_json(again, &j2, &err) < 0 || strcmp(j1, j2) != 0) {
    fprintf(stderr, "round trip differs:\n%s\n%s\n", j1, j2);
    abort();
  }
  free(j1);
  free(j2);
  oci_resources_free(r);
  oci_resources_free(again);
  return 0;
}
