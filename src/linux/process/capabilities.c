#include "linux/process/capabilities.h"

#include <cap-ng.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

/* Highest capability the running kernel knows; names above it are skipped
 * like runc does, so one config works on older kernels. */
static int kernel_last_cap(void) {
  static int last = -1;
  if (last >= 0)
    return last;
  unsigned long v = CAP_LAST_CAP;
  FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
  if (f != NULL) {
    if (fscanf(f, "%lu", &v) != 1)
      v = CAP_LAST_CAP;
    fclose(f);
  }
  last = (int)v;
  return last;
}

/* Adds every capability of `set` to libcap-ng's pending state for `type`. */
static int add_set(const struct oci_strv *set, capng_type_t type,
                   const char *field, struct minirt_error *err) {
  for (size_t i = 0; i < set->n; i++) {
    int cap = oci_capability_from_string(set->v[i]);
    if (cap < 0)
      return minirt_fail_msg(err, EINVAL,
                             "process.capabilities.%s: unknown capability `%s`",
                             field, set->v[i]);
    if (cap > kernel_last_cap())
      continue;
    if (capng_update(CAPNG_ADD, type, (unsigned)cap) < 0)
      return minirt_fail_msg(err, EINVAL,
                             "process.capabilities.%s: cannot add `%s`", field,
                             set->v[i]);
  }
  return 0;
}

int capabilities_apply_bounding(const struct oci_capabilities *caps,
                                struct minirt_error *err) {
  capng_clear(CAPNG_SELECT_BOUNDS);
  if (caps != NULL) {
    int ret = add_set(&caps->bounding, CAPNG_BOUNDING_SET, "bounding", err);
    if (ret < 0)
      return ret;
  }
  /* libcap-ng drops the bounding set only if CAP_SETPCAP is effective now;
   * it reports that as -4 rather than through errno. */
  int rc = capng_apply(CAPNG_SELECT_BOUNDS);
  if (rc < 0)
    return minirt_fail(err, rc == -4 ? EPERM : (errno ? errno : EPERM),
                       "drop capabilities from the bounding set");
  return 0;
}

int capabilities_raise_effective(struct minirt_error *err) {
  capng_clear(CAPNG_SELECT_BOTH);
  if (capng_get_caps_process() < 0)
    return minirt_fail(err, errno, "read the process capabilities");
  for (int cap = 0; cap <= kernel_last_cap(); cap++)
    if (capng_have_capability(CAPNG_PERMITTED, (unsigned)cap))
      capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, (unsigned)cap);
  if (capng_apply(CAPNG_SELECT_CAPS) < 0)
    return minirt_fail(err, errno ? errno : EPERM,
                       "raise the effective capabilities");
  return 0;
}

static bool strv_has(const struct oci_strv *v, const char *name) {
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->v[i], name) == 0)
      return true;
  return false;
}

/* The kernel takes an ambient capability only if it is also permitted and
 * inheritable. Like runc, one that is not is skipped rather than failing
 * the container (buildah and `runc spec` ask for such sets). It is skipped
 * silently: core warns once at create (oci_ambient_unraisable()), not on
 * every exec. */
static int add_ambient(const struct oci_capabilities *caps,
                       struct minirt_error *err) {
  for (size_t i = 0; i < caps->ambient.n; i++) {
    const char *name = caps->ambient.v[i];
    int cap = oci_capability_from_string(name);
    if (cap < 0)
      return minirt_fail_msg(err, EINVAL,
                             "process.capabilities.ambient: unknown `%s`", name);
    if (cap > kernel_last_cap())
      continue; /* unknown to this kernel, as for the other sets */
    if (!strv_has(&caps->permitted, name) ||
        !strv_has(&caps->inheritable, name))
      continue;
    capng_update(CAPNG_ADD, CAPNG_AMBIENT, (unsigned)cap);
  }
  return 0;
}

int capabilities_apply(const struct oci_capabilities *caps,
                       struct minirt_error *err) {
  /* Start from the current bounding set so that capng_apply below does not
   * try to change it again (it is already final). */
  capng_clear(CAPNG_SELECT_CAPS);
  capng_clear(CAPNG_SELECT_AMBIENT);
  if (caps != NULL) {
    static const struct {
      size_t off;
      capng_type_t type;
      const char *field;
    } sets[] = {
        {offsetof(struct oci_capabilities, effective), CAPNG_EFFECTIVE,
         "effective"},
        {offsetof(struct oci_capabilities, permitted), CAPNG_PERMITTED,
         "permitted"},
        {offsetof(struct oci_capabilities, inheritable), CAPNG_INHERITABLE,
         "inheritable"},
    };
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
      const struct oci_strv *set =
          (const struct oci_strv *)((const char *)caps + sets[i].off);
      int ret = add_set(set, sets[i].type, sets[i].field, err);
      if (ret < 0)
        return ret;
    }
    int ret = add_ambient(caps, err);
    if (ret < 0)
      return ret;
  }
  errno = 0;
  if (capng_apply(CAPNG_SELECT_CAPS) < 0)
    return minirt_fail(err, errno ? errno : EPERM, "set capabilities");
  /* Ambient capabilities must also be permitted and inheritable; the kernel
   * refuses the others with EPERM, which names the config error. */
  errno = 0;
  if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
    return minirt_fail(err, errno ? errno : EPERM,
                       "set ambient capabilities (each must also be "
                       "permitted and inheritable)");
  return 0;
}
