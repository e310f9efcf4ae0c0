/* Field tables of linux.resources shared by its parser and writer. */
#ifndef MINIRT_SPEC_RESOURCES_FIELDS_H
#define MINIRT_SPEC_RESOURCES_FIELDS_H

#include <stddef.h>

#include "spec/json_util.h"

#define F(k, kind, type, has, val)                                             \
  { k, kind, offsetof(type, has), offsetof(type, val) }
#define FN(k, kind, type, val)                                                 \
  { k, kind, JU_NO_HAS, offsetof(type, val) }

static const struct ju_field memory_fields[] = {
    F("limit", JU_I64, struct oci_memory, has_limit, limit),
    F("reservation", JU_I64, struct oci_memory, has_reservation, reservation),
    F("swap", JU_I64, struct oci_memory, has_swap, swap),
    F("kernel", JU_I64, struct oci_memory, has_kernel, kernel),
    F("kernelTCP", JU_I64, struct oci_memory, has_kernel_tcp, kernel_tcp),
    F("swappiness", JU_U64, struct oci_memory, has_swappiness, swappiness),
    F("disableOOMKiller", JU_BOOL, struct oci_memory, has_disable_oom_killer,
      disable_oom_killer),
    F("useHierarchy", JU_BOOL, struct oci_memory, has_use_hierarchy,
      use_hierarchy),
    F("checkBeforeUpdate", JU_BOOL, struct oci_memory, has_check_before_update,
      check_before_update),
};

static const struct ju_field cpu_fields[] = {
    F("shares", JU_U64, struct oci_cpu, has_shares, shares),
    F("quota", JU_I64, struct oci_cpu, has_quota, quota),
    F("burst", JU_U64, struct oci_cpu, has_burst, burst),
    F("period", JU_U64, struct oci_cpu, has_period, period),
    F("realtimeRuntime", JU_I64, struct oci_cpu, has_realtime_runtime,
      realtime_runtime),
    F("realtimePeriod", JU_U64, struct oci_cpu, has_realtime_period,
      realtime_period),
    F("idle", JU_I64, struct oci_cpu, has_idle, idle),
};

static const struct ju_field blkio_fields[] = {
    F("weight", JU_U16, struct oci_blkio, has_weight, weight),
    F("leafWeight", JU_U16, struct oci_blkio, has_leaf_weight, leaf_weight),
};

static const struct ju_field weight_dev_fields[] = {
    FN("major", JU_I64, struct oci_weight_device, major),
    FN("minor", JU_I64, struct oci_weight_device, minor),
    F("weight", JU_U16, struct oci_weight_device, has_weight, weight),
    F("leafWeight", JU_U16, struct oci_weight_device, has_leaf_weight,
      leaf_weight),
};

static const struct ju_field throttle_fields[] = {
    FN("major", JU_I64, struct oci_throttle_device, major),
    FN("minor", JU_I64, struct oci_throttle_device, minor),
    FN("rate", JU_U64, struct oci_throttle_device, rate),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

#undef F
#undef FN

/* Offsets of the four throttle lists, parsed and written alike. */
static const struct {
  const char *key;
  size_t arr_off, n_off;
} throttle_lists[] = {
    {"throttleReadBpsDevice", offsetof(struct oci_blkio, throttle_read_bps),
     offsetof(struct oci_blkio, n_throttle_read_bps)},
    {"throttleWriteBpsDevice", offsetof(struct oci_blkio, throttle_write_bps),
     offsetof(struct oci_blkio, n_throttle_write_bps)},
    {"throttleReadIOPSDevice", offsetof(struct oci_blkio, throttle_read_iops),
     offsetof(struct oci_blkio, n_throttle_read_iops)},
    {"throttleWriteIOPSDevice", offsetof(struct oci_blkio, throttle_write_iops),
     offsetof(struct oci_blkio, n_throttle_write_iops)},
};

#endif
