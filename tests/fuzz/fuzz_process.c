/* libFuzzer target for the --process loader (`exec --process FILE`): any
 * input must either fail with a message or parse into a process that
 * serialises, re-parses and serialises again to the same text, and that
 * survives a deep copy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct oci_process *p = NULL, *again = NULL;
  struct minirt_error err = {0, NULL};
  char *j1 = NULL, *j2 = NULL;
  if (oci_process_parse((const char *)data, size, &p, &err) < 0) {
    if (err.msg == NULL)
      abort(); /* every failure must say why */
    minirt_error_clear(&err);
    return 0;
  }
  if (oci_process_to_json(p, false, &j1, &err) < 0)
    abort();
  if (oci_process_parse(j1, strlen(j1), &again, &err) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", err.msg, j1);
    abort();
  }
  if (oci_process_to_json(again, false, &j2, &err) < 0 || strcmp(j1, j2) != 0) {
    fprintf(stderr, "round trip differs:\n%s\n%s\n", j1, j2);
    abort();
  }
  oci_process_free(oci_process_dup(p));
  free(j1);
  free(j2);
  oci_process_free(p);
  oci_process_free(again);
  return 0;
}
