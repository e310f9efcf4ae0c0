/* Facts about a capabilities object that the runtime reports to the user
 * before the executor acts on them. Pure: no I/O. */
#include <stdio.h>
#include <string.h>

#include "spec/oci.h"

static bool strv_has(const struct oci_strv *v, const char *name) {
  for (size_t i = 0; i < v->n; i++)
    if (strcmp(v->v[i], name) == 0)
      return true;
  return false;
}

size_t oci_ambient_unraisable(const struct oci_capabilities *caps, char *buf,
                              size_t len) {
  size_t n = 0, used = 0;
  if (len > 0)
    buf[0] = '\0';
  if (caps == NULL)
    return 0;
  for (size_t i = 0; i < caps->ambient.n; i++) {
    const char *name = caps->ambient.v[i];
    /* Unknown names are the executor's error, not a warning. */
    if (oci_capability_from_string(name) < 0 ||
        (strv_has(&caps->permitted, name) &&
         strv_has(&caps->inheritable, name)))
      continue;
    n++;
    if (used < len) {
      int w = snprintf(buf + used, len - used, "%s%s", n > 1 ? ", " : "", name);
      used = w < 0 ? len : used + (size_t)w;
    }
  }
  return n;
}
