#ifndef MINIRT_CORE_CONTAINER_STATE_H
#define MINIRT_CORE_CONTAINER_STATE_H

#include "core/state_store.h"

/* The runtime-spec state JSON of a container, for `state`, `list` and the
 * hooks' stdin. cfg may be NULL (no annotations then). */
int container_state_json(const struct container_handle *h,
                         const struct oci_config *cfg,
                         enum container_status st, bool pretty, char **out,
                         struct minirt_error *err);

#endif
