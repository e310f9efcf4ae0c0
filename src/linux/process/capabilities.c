/* process.capabilities with capget/capset and prctl. Not libcap-ng: its
 * constructor probes /proc and prctl in every minirt command, and it reads
 * /proc/<tid>/status five times while one container process gets its
 * capabilities (~60 us); what is needed here is three system calls. */
#include "linux/process/capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Bits of one set, as the kernel's two 32-bit words. */
struct capmask {
  uint32_t w[2];
};

static void mask_add(struct capmask *m, int cap) {
  m->w[cap / 32] |= 1u << (cap % 32);
}

static bool mask_has(const struct capmask *m, int cap) {
  return (m->w[cap / 32] >> (cap % 32)) & 1u;
}

static bool kernel_knows(int cap) {
  return prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) >= 0 ||
         errno != EINVAL;
}

/* Highest capability the running kernel knows; names above it are skipped
 * like runc does, so one config works on older kernels, and a newer
 * kernel's capabilities that no name gives are dropped from the bounding
 * set too. PR_CAPBSET_READ answers EINVAL above it, so no /proc file is
 * read: usually two calls. */
static int kernel_last_cap(void) {
  static int last = -1;
  if (last >= 0)
    return last;
  int c = CAP_LAST_CAP;
  if (kernel_knows(c)) {
    while (c < 63 && kernel_knows(c + 1))
      c++;
  } else {
    while (c > 0 && !kernel_knows(c))
      c--;
  }
  last = c;
  return last;
}

static int caps_get(struct __user_cap_data_struct d[2]) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  return (int)syscall(SYS_capget, &h, d);
}

static int caps_set(const struct __user_cap_data_struct d[2]) {
  struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
  return (int)syscall(SYS_capset, &h, d);
}

/* The mask of one config set; unknown names fail, names the kernel does not
 * know are left out. */
static int mask_of(const struct oci_strv *set, const char *field,
                   struct capmask *m, struct minirt_error *err) {
  memset(m, 0, sizeof *m);
  for (size_t i = 0; set != NULL && i < set->n; i++) {
    int cap = oci_capability_from_string(set->v[i]);
    if (cap < 0)
      return minirt_fail_msg(err, EINVAL,
                             "process.capabilities.%s: unknown capability `%s`",
                             field, set->v[i]);
    if (cap <= kernel_last_cap())
      mask_add(m, cap);
  }
  return 0;
}

int capabilities_apply_bounding(const struct oci_capabilities *caps,
                                struct minirt_error *err) {
  struct capmask keep;
  int ret = mask_of(caps != NULL ? &caps->bounding : NULL, "bounding", &keep,
                    err);
  if (ret < 0)
    return ret;
  for (int cap = 0; cap <= kernel_last_cap(); cap++) {
    if (mask_has(&keep, cap))
      continue;
    /* Dropping needs CAP_SETPCAP; one that is already gone needs nothing. */
    if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 &&
        prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) != 0)
      return minirt_fail(err, errno == EINVAL ? EINVAL : EPERM,
                         "drop capabilities from the bounding set");
  }
  return 0;
}

int capabilities_raise_effective(struct minirt_error *err) {
  struct __user_cap_data_struct d[2];
  if (caps_get(d) < 0)
    return minirt_fail(err, errno, "read the process capabilities");
  d[0].effective = d[0].permitted;
  d[1].effective = d[1].permitted;
  if (caps_set(d) < 0)
    return minirt_fail(err, errno, "raise the effective capabilities");
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
static int ambient_of(const struct oci_capabilities *caps, struct capmask *m,
                      struct minirt_error *err) {
  memset(m, 0, sizeof *m);
  for (size_t i = 0; caps != NULL && i < caps->ambient.n; i++) {
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
    mask_add(m, cap);
  }
  return 0;
}

static int apply_ambient(const struct capmask *amb, struct minirt_error *err) {
  bool any = amb->w[0] != 0 || amb->w[1] != 0;
  /* A kernel without ambient capabilities (before 4.3) has none to clear. */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
      (errno != EINVAL || any))
    return minirt_fail(err, errno, "set ambient capabilities");
  for (int cap = 0; any && cap <= kernel_last_cap(); cap++)
    if (mask_has(amb, cap) &&
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0,
              0) < 0)
      return minirt_fail(err, errno,
                         "set ambient capabilities (each must also be "
                         "permitted and inheritable)");
  return 0;
}

int capabilities_apply(const struct oci_capabilities *caps,
                       struct minirt_error *err) {
  struct capmask eff, prm, inh, amb;
  int ret;
  if ((ret = mask_of(caps != NULL ? &caps->effective : NULL, "effective", &eff,
                     err)) < 0 ||
      (ret = mask_of(caps != NULL ? &caps->permitted : NULL, "permitted", &prm,
                     err)) < 0 ||
      (ret = mask_of(caps != NULL ? &caps->inheritable : NULL, "inheritable",
                     &inh, err)) < 0 ||
      (ret = ambient_of(caps, &amb, err)) < 0)
    return ret;
  struct __user_cap_data_struct d[2];
  for (int i = 0; i < 2; i++)
    d[i] = (struct __user_cap_data_struct){
        .effective = eff.w[i], .permitted = prm.w[i], .inheritable = inh.w[i]};
  if (caps_set(d) < 0)
    return minirt_fail(err, errno, "set capabilities");
  return apply_ambient(&amb, err);
}
