/* Strict parsing of option values: numbers (full string, no sign where none
 * is allowed, overflow checked), sizes with k/m/g suffixes, durations,
 * --user and --cap. Pure functions; errors name the flag and the value. */
#ifndef MINIRT_CLI_VALUES_H
#define MINIRT_CLI_VALUES_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* Decimal digits only, no sign, no spaces, <= max. */
int cli_parse_u64(const char *flag, const char *s, uint64_t max, uint64_t *out,
                  struct minirt_error *err);
/* Optional leading '-', decimal digits, within [min, max]. */
int cli_parse_i64(const char *flag, const char *s, int64_t min, int64_t max,
                  int64_t *out, struct minirt_error *err);
/* Like docker's units.RAMInBytes: "512m", "1.5g", "1024", "2 GiB"; binary
 * units k m g t p (case-insensitive, optional "i" and "b"); "-1" is
 * unlimited. */
int cli_parse_size(const char *flag, const char *s, int64_t *out,
                   struct minirt_error *err);
/* A duration in whole seconds: "5", "5s", "2m", "1h30m"; must be > 0. */
int cli_parse_duration_sec(const char *flag, const char *s, int *out,
                           struct minirt_error *err);
/* "UID" or "UID:GID", numbers only. */
int cli_parse_user(const char *s, uint32_t *uid, bool *has_gid, uint32_t *gid,
                   struct minirt_error *err);
/* "NET_ADMIN", "cap_net_admin" -> "CAP_NET_ADMIN" (allocated). Only the
 * shape is checked here; whether the capability exists is core's check. */
int cli_normalize_cap(const char *s, char **out, struct minirt_error *err);

#endif
