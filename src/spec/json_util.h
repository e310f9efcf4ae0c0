/* Typed getters and setters over json-c objects, shared by every parser and
 * writer of src/spec/. Internal to the spec layer.
 *
 * Getters take the object, the JSON path of that object ("" for the top
 * level) and a key. They return 0 when the key is absent (or null), 1 when a
 * value was stored, and a negative errno with `err` naming the JSON path
 * ("process.user.uid: expected a non-negative integer") on a bad value.
 *
 * "Present" for lists and arrays of structs means a non-NULL pointer: an
 * empty JSON array is stored as an allocated, empty array so that writing it
 * back gives `[]` again. */
#ifndef MINIRT_SPEC_JSON_UTIL_H
#define MINIRT_SPEC_JSON_UTIL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "spec/oci.h"

static inline void cleanup_jsonp(json_object **o) {
  if (*o != NULL)
    json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_jsonp)))

/* "a.b" / "b" (path empty) and "a[3]"; NULL when out of memory. */
char *ju_path_key(const char *path, const char *key);
char *ju_path_idx(const char *path, size_t i);

/* Fails with "<path>.<key>: <message>" (key may be NULL). */
int ju_fail(struct minirt_error *err, const char *path, const char *key,
            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int ju_oom(struct minirt_error *err);

/* Parses text into a JSON object (strict, depth-limited); malformed input
 * fails with its line and column. */
int ju_parse_object(const char *data, size_t len, const char *what,
                    json_object **out, struct minirt_error *err);
/* Serialises obj to a malloc'ed string. */
int ju_to_string(json_object *obj, bool pretty, char **out,
                 struct minirt_error *err);

/* Lookup with null treated as absent. */
json_object *ju_lookup(json_object *obj, const char *key);

int ju_get_obj(json_object *obj, const char *path, const char *key,
               json_object **out, struct minirt_error *err);
int ju_get_arr(json_object *obj, const char *path, const char *key,
               json_object **out, struct minirt_error *err);
int ju_get_str(json_object *obj, const char *path, const char *key, char **out,
               struct minirt_error *err);
int ju_get_bool(json_object *obj, const char *path, const char *key, bool *out,
                struct minirt_error *err);
int ju_get_u64(json_object *obj, const char *path, const char *key,
               uint64_t max, uint64_t *out, struct minirt_error *err);
int ju_get_i64(json_object *obj, const char *path, const char *key, int64_t min,
               int64_t max, int64_t *out, struct minirt_error *err);
int ju_get_u32(json_object *obj, const char *path, const char *key,
               uint32_t *out, struct minirt_error *err);
int ju_get_u16(json_object *obj, const char *path, const char *key,
               uint16_t *out, struct minirt_error *err);
int ju_get_i32(json_object *obj, const char *path, const char *key,
               int32_t *out, struct minirt_error *err);
int ju_get_strv(json_object *obj, const char *path, const char *key,
                struct oci_strv *out, struct minirt_error *err);
/* A map of strings (annotations, sysctl, unified). */
int ju_get_kv(json_object *obj, const char *path, const char *key,
              struct oci_kv *out, struct minirt_error *err);
/* [{containerID, hostID, size}] */
int ju_get_idmaps(json_object *obj, const char *path, const char *key,
                  struct oci_id_mapping **out, size_t *n,
                  struct minirt_error *err);

/* An array of objects parsed into an array of structs. `fn` fills one
 * element (zeroed) from its object and path ("<path>.<key>[i]"); on failure
 * the elements parsed so far, and the failing one, are released with
 * `elem_free` (which must accept a partly filled element). */
typedef int (*ju_elem_fn)(json_object *e, const char *path, void *elem,
                          struct minirt_error *err);
int ju_get_objarr(json_object *obj, const char *path, const char *key,
                  size_t elem_size, ju_elem_fn fn, void (*elem_free)(void *),
                  void **out, size_t *n, struct minirt_error *err);
/* Writes an array of structs, one object per element, when arr != NULL. */
typedef int (*ju_write_fn)(const void *elem, json_object *o);
int ju_add_objarr(json_object *obj, const char *key, const void *arr, size_t n,
                  size_t elem_size, ju_write_fn fn);
/* A JSON object whose values are objects (rdma, netDevices): `fn` gets each
 * member's key. */
typedef int (*ju_map_fn)(json_object *e, const char *path, const char *key,
                         void *elem, struct minirt_error *err);
int ju_get_objmap(json_object *obj, const char *path, const char *key,
                  size_t elem_size, ju_map_fn fn, void (*elem_free)(void *),
                  void **out, size_t *n, struct minirt_error *err);
void ju_free_array(void *arr, size_t n, size_t elem_size,
                   void (*elem_free)(void *));

/* Table-driven scalar members: `has_off` is the offset of the bool telling
 * the key was present (JU_NO_HAS: none, the key is always written). */
enum ju_kind { JU_I64, JU_U64, JU_U32, JU_U16, JU_BOOL };
#define JU_NO_HAS ((size_t)-1)
struct ju_field {
  const char *key;
  enum ju_kind kind;
  size_t has_off;
  size_t val_off;
};
int ju_get_fields(json_object *o, const char *path, void *base,
                  const struct ju_field *f, size_t n, struct minirt_error *err);
int ju_add_fields(json_object *o, const void *base, const struct ju_field *f,
                  size_t n);

/* Value checks on an already fetched value; `path` is the full path. */
int ju_value_u64(json_object *v, const char *path, uint64_t max,
                 uint64_t *out, struct minirt_error *err);
int ju_value_i64(json_object *v, const char *path, int64_t min, int64_t max,
                 int64_t *out, struct minirt_error *err);

/* Missing required key: "<path>.<key>: required". */
int ju_required(struct minirt_error *err, const char *path, const char *key);

/* Checks that a string is an absolute path. */
int ju_check_abs(const char *s, const char *path, const char *key,
                 struct minirt_error *err);
/* Checks every entry of a list against a NULL-terminated name table:
 * "<path>.<key>[i]: unknown <what> \"X\"". */
int ju_check_strv_names(const struct oci_strv *v, const char *const *table,
                        const char *path, const char *key, const char *what,
                        struct minirt_error *err);

/* Writers: each adds key only when the value is present. All return 0 or
 * -ENOMEM. */
int ju_add(json_object *obj, const char *key, json_object *val);
int ju_add_str(json_object *obj, const char *key, const char *s);
int ju_add_bool(json_object *obj, const char *key, bool b);
int ju_add_u64(json_object *obj, const char *key, uint64_t v);
int ju_add_i64(json_object *obj, const char *key, int64_t v);
int ju_add_strv(json_object *obj, const char *key, const struct oci_strv *v);
int ju_add_kv(json_object *obj, const char *key, const struct oci_kv *kv);
int ju_add_idmaps(json_object *obj, const char *key,
                  const struct oci_id_mapping *m, size_t n);
json_object *ju_strv_array(const char *const *v, size_t n);

/* Freeing and copying helpers for the plain containers. */
void ju_strv_free(struct oci_strv *v);
void ju_kv_free(struct oci_kv *kv);
int ju_strv_dup(struct oci_strv *dst, const struct oci_strv *src);
int ju_strv_set(struct oci_strv *dst, const char *const *src);

#endif
