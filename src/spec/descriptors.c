/* descriptors.json of a checkpoint, as runc writes it: a JSON array of
 * what the init's fds 0, 1 and 2 were ("pipe:[1234]", "/dev/null"), so
 * that restore can hand it new pipes in their place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json_util.h"
#include "spec/state.h"
#include "util/cleanup.h"

int oci_descriptors_to_json(char *const *v, size_t n, char **out,
                            struct minirt_error *err) {
  _cleanup_json_ json_object *a = json_object_new_array();
  if (a == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < n; i++) {
    json_object *s = json_object_new_string(v[i] != NULL ? v[i] : "");
    if (s == NULL || json_object_array_add(a, s) < 0) {
      json_object_put(s);
      return ju_oom(err);
    }
  }
  return ju_to_string(a, false, out, err);
}

int oci_descriptors_parse(const char *data, size_t len, char ***out, size_t *n,
                          struct minirt_error *err) {
  *out = NULL;
  *n = 0;
  _cleanup_free_ char *copy = strndup(data, len);
  if (copy == NULL)
    return ju_oom(err);
  enum json_tokener_error jerr;
  _cleanup_json_ json_object *a = json_tokener_parse_verbose(copy, &jerr);
  if (a == NULL || !json_object_is_type(a, json_type_array))
    return minirt_fail_msg(
        err, EINVAL, "descriptors.json: expected a JSON array of strings");
  size_t k = json_object_array_length(a);
  char **v = calloc(k + 1, sizeof *v);
  if (v == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < k; i++) {
    json_object *e = json_object_array_get_idx(a, i);
    if (!json_object_is_type(e, json_type_string) ||
        (v[i] = strdup(json_object_get_string(e))) == NULL) {
      for (size_t j = 0; j < i; j++)
        free(v[j]);
      free(v);
      return minirt_fail_msg(err, EINVAL,
                             "descriptors.json[%zu]: expected a string", i);
    }
  }
  *out = v;
  *n = k;
  return 0;
}
