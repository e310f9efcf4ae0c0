/* Parsers, writers and destructors of the parts of config.json, shared
 * between the files of src/spec/. `path` is the JSON path of the object
 * being parsed ("linux.resources"), used in error messages. */
#ifndef MINIRT_SPEC_INTERNAL_H
#define MINIRT_SPEC_INTERNAL_H

#include "spec/json_util.h"
#include "spec/oci.h"
#include "spec/state.h"

/* process.c: no key is required; validate_for_create() checks the rest. */
int spec_parse_process(json_object *o, const char *path,
                       struct oci_process **out, struct minirt_error *err);
int spec_write_process(const struct oci_process *p, json_object **out);

/* mounts_hooks.c */
int spec_parse_mounts(json_object *cfg, struct oci_config *c,
                      struct minirt_error *err);
int spec_parse_hooks(json_object *cfg, struct oci_config *c,
                     struct minirt_error *err);
int spec_write_mounts(json_object *o, const struct oci_config *c);
int spec_write_hooks(json_object *o, const struct oci_hooks *h);
void spec_mount_free(void *m);
void spec_hooks_free(struct oci_hooks *h);

/* linux.c / linux_write.c */
int spec_parse_linux(json_object *o, const char *path, struct oci_linux **out,
                     struct minirt_error *err);
int spec_write_linux(const struct oci_linux *l, json_object **out);
void spec_linux_free(struct oci_linux *l);

/* resources.c / resources_write.c */
int spec_parse_resources(json_object *o, const char *path,
                         struct oci_resources **out, struct minirt_error *err);
int spec_write_resources(const struct oci_resources *r, json_object **out);

/* seccomp.c */
int spec_parse_seccomp(json_object *o, const char *path,
                       struct oci_seccomp **out, struct minirt_error *err);
int spec_write_seccomp(const struct oci_seccomp *s, json_object **out);
void spec_seccomp_free(struct oci_seccomp *s);

#endif
