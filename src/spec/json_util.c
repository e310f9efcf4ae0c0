#include "spec/json_util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

/* Deep enough for every real config (linux.resources.blockIO.weightDevice[0]
 * is 5 levels), small enough that hostile nesting fails fast. */
#define JU_MAX_DEPTH 64

char *ju_path_key(const char *path, const char *key) {
  char *s = NULL;
  if (path == NULL || path[0] == '\0')
    return strdup(key);
  if (asprintf(&s, "%s.%s", path, key) < 0)
    return NULL;
  return s;
}

char *ju_path_idx(const char *path, size_t i) {
  char *s = NULL;
  if (asprintf(&s, "%s[%zu]", path != NULL ? path : "", i) < 0)
    return NULL;
  return s;
}

int ju_oom(struct minirt_error *err) {
  return minirt_fail(err, ENOMEM, "spec");
}

int ju_fail(struct minirt_error *err, const char *path, const char *key,
            const char *fmt, ...) {
  _cleanup_free_ char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  int r = vasprintf(&msg, fmt, ap);
  va_end(ap);
  if (r < 0)
    return ju_oom(err);
  bool has_path = path != NULL && path[0] != '\0';
  bool has_key = key != NULL && key[0] != '\0';
  return minirt_fail_msg(err, EINVAL, "%s%s%s: %s", has_path ? path : "",
                         has_path && has_key ? "." : "", has_key ? key : "",
                         msg);
}

int ju_required(struct minirt_error *err, const char *path, const char *key) {
  return ju_fail(err, path, key, "required");
}

static void line_col(const char *data, size_t off, size_t *line, size_t *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (data[i] == '\n') {
      (*line)++;
      *col = 1;
    } else {
      (*col)++;
    }
  }
}

static bool all_space(const char *data, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!strchr(" \t\r\n", data[i]))
      return false;
  return true;
}

int ju_parse_object(const char *data, size_t len, const char *what,
                    json_object **out, struct minirt_error *err) {
  if (len > MINIRT_MAX_JSON_SIZE)
    return minirt_fail_msg(err, EFBIG, "%s: too large (%zu bytes, limit %u)",
                           what, len, (unsigned)MINIRT_MAX_JSON_SIZE);
  if (len == 0 || all_space(data, len))
    return minirt_fail_msg(err, EINVAL, "%s: empty document", what);
  if (len > INT32_MAX)
    return minirt_fail_msg(err, EFBIG, "%s: too large", what);
  struct json_tokener *tok = json_tokener_new_ex(JU_MAX_DEPTH);
  if (tok == NULL)
    return ju_oom(err);
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
  enum json_tokener_error jerr = json_tokener_get_error(tok);
  size_t end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);
  if (obj == NULL || jerr != json_tokener_success) {
    size_t line, col;
    const char *desc = jerr == json_tokener_continue
                           ? "unexpected end of data"
                           : json_tokener_error_desc(jerr);
    if (obj != NULL)
      json_object_put(obj);
    if (end > len)
      end = len;
    line_col(data, end, &line, &col);
    return minirt_fail_msg(err, EINVAL,
                           "%s: malformed JSON at line %zu, column %zu: %s",
                           what, line, col, desc);
  }
  if (end < len && !all_space(data + end, len - end)) {
    size_t line, col;
    json_object_put(obj);
    line_col(data, end, &line, &col);
    return minirt_fail_msg(
        err, EINVAL,
        "%s: malformed JSON at line %zu, column %zu: trailing data", what,
        line, col);
  }
  if (!json_object_is_type(obj, json_type_object)) {
    json_object_put(obj);
    return minirt_fail_msg(err, EINVAL, "%s: expected a JSON object", what);
  }
  *out = obj;
  return 0;
}

int ju_to_string(json_object *obj, bool pretty, char **out,
                 struct minirt_error *err) {
  int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
              (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                     : JSON_C_TO_STRING_PLAIN);
  const char *s = json_object_to_json_string_ext(obj, flags);
  if (s == NULL || (*out = strdup(s)) == NULL)
    return ju_oom(err);
  return 0;
}

json_object *ju_lookup(json_object *obj, const char *key) {
  json_object *v = NULL;
  if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
    return NULL;
  if (json_object_is_type(v, json_type_null))
    return NULL;
  return v;
}

static int get_typed(json_object *obj, const char *path, const char *key,
                     json_type type, const char *expect, json_object **out,
                     struct minirt_error *err) {
  json_object *v = ju_lookup(obj, key);
  if (v == NULL)
    return 0;
  if (!json_object_is_type(v, type))
    return ju_fail(err, path, key, "expected %s", expect);
  *out = v;
  return 1;
}

int ju_get_obj(json_object *obj, const char *path, const char *key,
               json_object **out, struct minirt_error *err) {
  return get_typed(obj, path, key, json_type_object, "an object", out, err);
}

int ju_get_arr(json_object *obj, const char *path, const char *key,
               json_object **out, struct minirt_error *err) {
  return get_typed(obj, path, key, json_type_array, "an array", out, err);
}

int ju_get_str(json_object *obj, const char *path, const char *key, char **out,
               struct minirt_error *err) {
  json_object *v = NULL;
  int r = get_typed(obj, path, key, json_type_string, "a string", &v, err);
  if (r <= 0)
    return r;
  char *s = strdup(json_object_get_string(v));
  if (s == NULL)
    return ju_oom(err);
  free(*out);
  *out = s;
  return 1;
}

int ju_get_bool(json_object *obj, const char *path, const char *key, bool *out,
                struct minirt_error *err) {
  json_object *v = NULL;
  int r = get_typed(obj, path, key, json_type_boolean, "a boolean", &v, err);
  if (r <= 0)
    return r;
  *out = json_object_get_boolean(v);
  return 1;
}

int ju_value_u64(json_object *v, const char *path, uint64_t max,
                 uint64_t *out, struct minirt_error *err) {
  if (!json_object_is_type(v, json_type_int))
    return ju_fail(err, path, NULL, "expected a non-negative integer");
  int64_t s = json_object_get_int64(v);
  if (s < 0)
    return ju_fail(err, path, NULL,
                   "expected a non-negative integer, got %" PRId64, s);
  uint64_t u = json_object_get_uint64(v);
  if (u > max)
    return ju_fail(err, path, NULL, "%" PRIu64 " out of range (max %" PRIu64 ")",
                   u, max);
  *out = u;
  return 1;
}

int ju_value_i64(json_object *v, const char *path, int64_t min, int64_t max,
                 int64_t *out, struct minirt_error *err) {
  if (!json_object_is_type(v, json_type_int))
    return ju_fail(err, path, NULL, "expected an integer");
  int64_t s = json_object_get_int64(v);
  /* json-c keeps values above INT64_MAX as uint64 and clamps get_int64. */
  if (s == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
    return ju_fail(err, path, NULL, "%" PRIu64 " out of range (max %" PRId64 ")",
                   json_object_get_uint64(v), max);
  if (s < min || s > max)
    return ju_fail(err, path, NULL,
                   "%" PRId64 " out of range [%" PRId64 ", %" PRId64 "]", s, min,
                   max);
  *out = s;
  return 1;
}

int ju_get_u64(json_object *obj, const char *path, const char *key,
               uint64_t max, uint64_t *out, struct minirt_error *err) {
  json_object *v = ju_lookup(obj, key);
  if (v == NULL)
    return 0;
  _cleanup_free_ char *p = ju_path_key(path, key);
  if (p == NULL)
    return ju_oom(err);
  return ju_value_u64(v, p, max, out, err);
}

int ju_get_i64(json_object *obj, const char *path, const char *key, int64_t min,
               int64_t max, int64_t *out, struct minirt_error *err) {
  json_object *v = ju_lookup(obj, key);
  if (v == NULL)
    return 0;
  _cleanup_free_ char *p = ju_path_key(path, key);
  if (p == NULL)
    return ju_oom(err);
  return ju_value_i64(v, p, min, max, out, err);
}

int ju_get_u32(json_object *obj, const char *path, const char *key,
               uint32_t *out, struct minirt_error *err) {
  uint64_t v = 0;
  int r = ju_get_u64(obj, path, key, UINT32_MAX, &v, err);
  if (r > 0)
    *out = (uint32_t)v;
  return r;
}

int ju_get_u16(json_object *obj, const char *path, const char *key,
               uint16_t *out, struct minirt_error *err) {
  uint64_t v = 0;
  int r = ju_get_u64(obj, path, key, UINT16_MAX, &v, err);
  if (r > 0)
    *out = (uint16_t)v;
  return r;
}

int ju_get_i32(json_object *obj, const char *path, const char *key,
               int32_t *out, struct minirt_error *err) {
  int64_t v = 0;
  int r = ju_get_i64(obj, path, key, INT32_MIN, INT32_MAX, &v, err);
  if (r > 0)
    *out = (int32_t)v;
  return r;
}

int ju_get_strv(json_object *obj, const char *path, const char *key,
                struct oci_strv *out, struct minirt_error *err) {
  json_object *arr = NULL;
  int r = ju_get_arr(obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  size_t n = json_object_array_length(arr);
  _cleanup_strv_ char **v = calloc(n + 1, sizeof(char *));
  if (v == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_array_get_idx(arr, i);
    if (!json_object_is_type(e, json_type_string)) {
      _cleanup_free_ char *p = ju_path_key(path, key);
      _cleanup_free_ char *pi = p != NULL ? ju_path_idx(p, i) : NULL;
      if (pi == NULL)
        return ju_oom(err);
      return ju_fail(err, pi, NULL, "expected a string");
    }
    if ((v[i] = strdup(json_object_get_string(e))) == NULL)
      return ju_oom(err);
  }
  ju_strv_free(out);
  out->v = steal_pointer(&v);
  out->n = n;
  return 1;
}

void ju_kv_free(struct oci_kv *kv) {
  for (size_t i = 0; i < kv->n; i++) {
    free(kv->keys[i]);
    free(kv->values[i]);
  }
  free(kv->keys);
  free(kv->values);
  kv->keys = kv->values = NULL;
  kv->n = 0;
}

int ju_get_kv(json_object *obj, const char *path, const char *key,
              struct oci_kv *out, struct minirt_error *err) {
  json_object *map = NULL;
  int r = ju_get_obj(obj, path, key, &map, err);
  if (r <= 0)
    return r;
  size_t n = (size_t)json_object_object_length(map);
  struct oci_kv kv = {calloc(n + 1, sizeof(char *)),
                      calloc(n + 1, sizeof(char *)), 0};
  if (kv.keys == NULL || kv.values == NULL) {
    ju_kv_free(&kv);
    return ju_oom(err);
  }
  json_object_object_foreach(map, k, v) {
    if (!json_object_is_type(v, json_type_string)) {
      _cleanup_free_ char *p = ju_path_key(path, key);
      ju_kv_free(&kv);
      if (p == NULL)
        return ju_oom(err);
      return ju_fail(err, p, k, "expected a string");
    }
    kv.keys[kv.n] = strdup(k);
    kv.values[kv.n] = strdup(json_object_get_string(v));
    kv.n++;
    if (kv.keys[kv.n - 1] == NULL || kv.values[kv.n - 1] == NULL) {
      ju_kv_free(&kv);
      return ju_oom(err);
    }
  }
  ju_kv_free(out);
  *out = kv;
  return 1;
}

int ju_get_idmaps(json_object *obj, const char *path, const char *key,
                  struct oci_id_mapping **out, size_t *n,
                  struct minirt_error *err) {
  json_object *arr = NULL;
  int r = ju_get_arr(obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = ju_path_key(path, key);
  size_t len = json_object_array_length(arr);
  _cleanup_free_ struct oci_id_mapping *m =
      calloc(len ? len : 1, sizeof(*m));
  if (p == NULL || m == NULL)
    return ju_oom(err);
  for (size_t i = 0; i < len; i++) {
    json_object *e = json_object_array_get_idx(arr, i);
    _cleanup_free_ char *pi = ju_path_idx(p, i);
    if (pi == NULL)
      return ju_oom(err);
    if (!json_object_is_type(e, json_type_object))
      return ju_fail(err, pi, NULL, "expected an object");
    static const char *const keys[] = {"containerID", "hostID", "size"};
    uint32_t *dst[] = {&m[i].container_id, &m[i].host_id, &m[i].size};
    for (size_t k = 0; k < 3; k++) {
      r = ju_get_u32(e, pi, keys[k], dst[k], err);
      if (r < 0)
        return r;
      if (r == 0)
        return ju_required(err, pi, keys[k]);
    }
  }
  free(*out);
  *out = steal_pointer(&m);
  *n = len;
  return 1;
}

int ju_check_abs(const char *s, const char *path, const char *key,
                 struct minirt_error *err) {
  if (s != NULL && s[0] != '/')
    return ju_fail(err, path, key, "must be an absolute path");
  return 0;
}

int ju_check_strv_names(const struct oci_strv *v, const char *const *table,
                        const char *path, const char *key, const char *what,
                        struct minirt_error *err) {
  for (size_t i = 0; i < v->n; i++) {
    bool found = false;
    for (const char *const *t = table; *t != NULL && !found; t++)
      found = strcmp(*t, v->v[i]) == 0;
    if (!found) {
      _cleanup_free_ char *p = ju_path_key(path, key);
      _cleanup_free_ char *pi = p != NULL ? ju_path_idx(p, i) : NULL;
      if (pi == NULL)
        return ju_oom(err);
      return ju_fail(err, pi, NULL, "unknown %s \"%s\"", what, v->v[i]);
    }
  }
  return 0;
}

/* ---- writers ---- */

int ju_add(json_object *obj, const char *key, json_object *val) {
  if (val == NULL)
    return -ENOMEM;
  if (json_object_object_add(obj, key, val) < 0) {
    json_object_put(val);
    return -ENOMEM;
  }
  return 0;
}

int ju_add_str(json_object *obj, const char *key, const char *s) {
  if (s == NULL)
    return 0;
  return ju_add(obj, key, json_object_new_string(s));
}

int ju_add_bool(json_object *obj, const char *key, bool b) {
  return ju_add(obj, key, json_object_new_boolean(b));
}

int ju_add_u64(json_object *obj, const char *key, uint64_t v) {
  return ju_add(obj, key, json_object_new_uint64(v));
}

int ju_add_i64(json_object *obj, const char *key, int64_t v) {
  return ju_add(obj, key, json_object_new_int64(v));
}

json_object *ju_strv_array(const char *const *v, size_t n) {
  json_object *arr = json_object_new_array();
  if (arr == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    json_object *s = json_object_new_string(v[i]);
    if (s == NULL || json_object_array_add(arr, s) < 0) {
      json_object_put(s);
      json_object_put(arr);
      return NULL;
    }
  }
  return arr;
}

int ju_add_strv(json_object *obj, const char *key, const struct oci_strv *v) {
  if (v->v == NULL)
    return 0;
  return ju_add(obj, key, ju_strv_array((const char *const *)v->v, v->n));
}

int ju_add_kv(json_object *obj, const char *key, const struct oci_kv *kv) {
  if (kv->keys == NULL)
    return 0;
  json_object *map = json_object_new_object();
  if (map == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < kv->n; i++) {
    if (ju_add_str(map, kv->keys[i], kv->values[i]) < 0) {
      json_object_put(map);
      return -ENOMEM;
    }
  }
  return ju_add(obj, key, map);
}

int ju_add_idmaps(json_object *obj, const char *key,
                  const struct oci_id_mapping *m, size_t n) {
  if (m == NULL)
    return 0;
  json_object *arr = json_object_new_array();
  if (arr == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_new_object();
    if (e == NULL || json_object_array_add(arr, e) < 0) {
      json_object_put(e);
      json_object_put(arr);
      return -ENOMEM;
    }
    if (ju_add_u64(e, "containerID", m[i].container_id) < 0 ||
        ju_add_u64(e, "hostID", m[i].host_id) < 0 ||
        ju_add_u64(e, "size", m[i].size) < 0) {
      json_object_put(arr);
      return -ENOMEM;
    }
  }
  return ju_add(obj, key, arr);
}

/* ---- plain containers ---- */

void ju_strv_free(struct oci_strv *v) {
  if (v->v != NULL)
    for (size_t i = 0; i < v->n; i++)
      free(v->v[i]);
  free(v->v);
  v->v = NULL;
  v->n = 0;
}

int ju_strv_dup(struct oci_strv *dst, const struct oci_strv *src) {
  dst->v = NULL;
  dst->n = 0;
  if (src->v == NULL)
    return 0;
  return ju_strv_set(dst, (const char *const *)src->v) < 0 ? -ENOMEM : 0;
}

int ju_strv_set(struct oci_strv *dst, const char *const *src) {
  size_t n = 0;
  while (src[n] != NULL)
    n++;
  char **v = calloc(n + 1, sizeof(char *));
  if (v == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if ((v[i] = strdup(src[i])) == NULL) {
      struct oci_strv tmp = {v, i};
      ju_strv_free(&tmp);
      return -ENOMEM;
    }
  }
  dst->v = v;
  dst->n = n;
  return 0;
}

/* ---- arrays of structs ---- */

void ju_free_array(void *arr, size_t n, size_t elem_size,
                   void (*elem_free)(void *)) {
  if (arr == NULL)
    return;
  if (elem_free != NULL)
    for (size_t i = 0; i < n; i++)
      elem_free((char *)arr + i * elem_size);
  free(arr);
}

int ju_get_objarr(json_object *obj, const char *path, const char *key,
                  size_t elem_size, ju_elem_fn fn, void (*elem_free)(void *),
                  void **out, size_t *n, struct minirt_error *err) {
  json_object *arr = NULL;
  int r = ju_get_arr(obj, path, key, &arr, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = ju_path_key(path, key);
  size_t len = json_object_array_length(arr);
  char *v = calloc(len ? len : 1, elem_size);
  if (p == NULL || v == NULL) {
    free(v);
    return ju_oom(err);
  }
  for (size_t i = 0; i < len; i++) {
    json_object *e = json_object_array_get_idx(arr, i);
    _cleanup_free_ char *pi = ju_path_idx(p, i);
    if (pi == NULL)
      r = ju_oom(err);
    else if (!json_object_is_type(e, json_type_object))
      r = ju_fail(err, pi, NULL, "expected an object");
    else
      r = fn(e, pi, v + i * elem_size, err);
    if (r < 0) {
      ju_free_array(v, i + 1, elem_size, elem_free);
      return r;
    }
  }
  ju_free_array(*out, *n, elem_size, elem_free);
  *out = v;
  *n = len;
  return 1;
}

int ju_get_objmap(json_object *obj, const char *path, const char *key,
                  size_t elem_size, ju_map_fn fn, void (*elem_free)(void *),
                  void **out, size_t *n, struct minirt_error *err) {
  json_object *map = NULL;
  int r = ju_get_obj(obj, path, key, &map, err);
  if (r <= 0)
    return r;
  _cleanup_free_ char *p = ju_path_key(path, key);
  size_t len = (size_t)json_object_object_length(map), i = 0;
  char *v = calloc(len ? len : 1, elem_size);
  if (p == NULL || v == NULL) {
    free(v);
    return ju_oom(err);
  }
  json_object_object_foreach(map, k, e) {
    _cleanup_free_ char *pk = ju_path_key(p, k);
    if (pk == NULL)
      r = ju_oom(err);
    else if (!json_object_is_type(e, json_type_object))
      r = ju_fail(err, pk, NULL, "expected an object");
    else
      r = fn(e, pk, k, v + i * elem_size, err);
    i++;
    if (r < 0) {
      ju_free_array(v, i, elem_size, elem_free);
      return r;
    }
  }
  ju_free_array(*out, *n, elem_size, elem_free);
  *out = v;
  *n = len;
  return 1;
}

int ju_add_objarr(json_object *obj, const char *key, const void *arr, size_t n,
                  size_t elem_size, ju_write_fn fn) {
  if (arr == NULL)
    return 0;
  json_object *a = json_object_new_array();
  if (a == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < n; i++) {
    json_object *e = json_object_new_object();
    if (e == NULL || json_object_array_add(a, e) < 0) {
      json_object_put(e);
      json_object_put(a);
      return -ENOMEM;
    }
    if (fn((const char *)arr + i * elem_size, e) < 0) {
      json_object_put(a);
      return -ENOMEM;
    }
  }
  return ju_add(obj, key, a);
}

/* ---- table-driven scalars ---- */

int ju_get_fields(json_object *o, const char *path, void *base,
                  const struct ju_field *f, size_t n, struct minirt_error *err) {
  char *b = base;
  for (size_t i = 0; i < n; i++) {
    void *val = b + f[i].val_off;
    int r = 0;
    switch (f[i].kind) {
    case JU_I64:
      r = ju_get_i64(o, path, f[i].key, INT64_MIN, INT64_MAX, val, err);
      break;
    case JU_U64:
      r = ju_get_u64(o, path, f[i].key, UINT64_MAX, val, err);
      break;
    case JU_U32:
      r = ju_get_u32(o, path, f[i].key, val, err);
      break;
    case JU_U16:
      r = ju_get_u16(o, path, f[i].key, val, err);
      break;
    case JU_BOOL:
      r = ju_get_bool(o, path, f[i].key, val, err);
      break;
    }
    if (r < 0)
      return r;
    if (f[i].has_off != JU_NO_HAS)
      *(bool *)(b + f[i].has_off) = r > 0;
  }
  return 0;
}

int ju_add_fields(json_object *o, const void *base, const struct ju_field *f,
                  size_t n) {
  const char *b = base;
  for (size_t i = 0; i < n; i++) {
    const void *val = b + f[i].val_off;
    int r = 0;
    if (f[i].has_off != JU_NO_HAS && !*(const bool *)(b + f[i].has_off))
      continue;
    switch (f[i].kind) {
    case JU_I64:
      r = ju_add_i64(o, f[i].key, *(const int64_t *)val);
      break;
    case JU_U64:
      r = ju_add_u64(o, f[i].key, *(const uint64_t *)val);
      break;
    case JU_U32:
      r = ju_add_u64(o, f[i].key, *(const uint32_t *)val);
      break;
    case JU_U16:
      r = ju_add_u64(o, f[i].key, *(const uint16_t *)val);
      break;
    case JU_BOOL:
      r = ju_add_bool(o, f[i].key, *(const bool *)val);
      break;
    }
    if (r < 0)
      return r;
  }
  return 0;
}
