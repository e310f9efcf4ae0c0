/* libFuzzer target for status.json in the state directory: a corrupted or
 * hostile status file must fail with a message, never crash, and a parsed
 * one must serialise and re-parse to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct minirt_status *s = NULL, *again = NULL;
  struct minirt_error err = {0, NULL};
  char *j1 = NULL, *j2 = NULL;
  if (minirt_status_parse((const char *)data, size, &s, &err) < 0) {
    if (err.msg == NULL)
      abort();
    minirt_error_clear(&err);
    return 0;
  }
  if (minirt_status_to_json(s, &j1, &err) < 0)
    abort();
  if (minirt_status_parse(j1, strlen(j1), &again, &err) < 0) {
    fprintf(stderr, "re-parse failed: %s\n%s\n", err.msg, j1);
    abort();
  }
  if (minirt_status_to_json(again, &j2, &err) < 0 || strcmp(j1, j2) != 0) {
    fprintf(stderr, "round trip differs:\n%s\n%s\n", j1, j2);
    abort();
  }
  free(j1);
  free(j2);
  minirt_status_free(s);
  minirt_status_free(again);
  return 0;
}
