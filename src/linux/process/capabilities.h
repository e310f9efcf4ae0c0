/* process.capabilities: the bounding, effective, permitted, inheritable and
 * ambient sets of a container process. */
#ifndef MINIRT_LINUX_PROCESS_CAPABILITIES_H
#define MINIRT_LINUX_PROCESS_CAPABILITIES_H

#include "spec/oci.h"

/* Before the identity switch, while CAP_SETPCAP is still effective: reduce
 * the bounding set to caps->bounding (emptied when caps is NULL, as runc
 * does for a process without a capabilities object). */
int capabilities_apply_bounding(const struct oci_capabilities *caps,
                                struct minirt_error *err);

/* After setresuid with PR_SET_KEEPCAPS: makes every permitted capability
 * effective again (setresuid to a non-zero uid clears the effective set) so
 * that the steps between the identity switch and capabilities_apply() keep
 * their privileges. */
int capabilities_raise_effective(struct minirt_error *err);

/* Sets effective, permitted, inheritable and ambient to exactly the sets of
 * caps (all empty when caps is NULL). Unknown names fail; names the running
 * kernel does not know are skipped, as runc does. */
int capabilities_apply(const struct oci_capabilities *caps,
                       struct minirt_error *err);

#endif
