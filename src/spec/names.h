/* Name tables of the OCI spec (internal to src/spec/, plus the lookups
 * declared in oci.h). Every table is NULL-terminated. */
#ifndef MINIRT_SPEC_NAMES_H
#define MINIRT_SPEC_NAMES_H

#include <stdbool.h>

extern const char *const oci_ns_names[];
extern const char *const oci_rlimit_names[];
extern const char *const oci_capability_names[];
extern const char *const oci_seccomp_action_names[];
extern const char *const oci_seccomp_op_names[];
extern const char *const oci_seccomp_arch_names[];
extern const char *const oci_seccomp_flag_names[];
extern const char *const oci_propagation_names[];
extern const char *const oci_personality_domain_names[];
extern const char *const oci_personality_flag_names[];
extern const char *const oci_sched_policy_names[];
extern const char *const oci_sched_flag_names[];
extern const char *const oci_ioprio_class_names[];
extern const char *const oci_mpol_mode_names[];
extern const char *const oci_mpol_flag_names[];
extern const char *const oci_hook_names[];

bool oci_name_known(const char *const *table, const char *s);

#endif
