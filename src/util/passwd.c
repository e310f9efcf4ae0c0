/* passwd(5) text, parsed without NSS (minirt is linked statically, and the
 * file read is often the container's, not the host's). */
#include "util/passwd.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Parses a decimal uid with no sign, spaces or overflow. */
static bool parse_id(const char *s, size_t len, uint32_t *out) {
  if (len == 0 || len > 10)
    return false;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return false;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > UINT32_MAX)
    return false;
  *out = (uint32_t)v;
  return true;
}

char *passwd_field(const char *text, uint32_t uid, enum passwd_field want) {
  for (const char *line = text; line != NULL && *line != '\0';) {
    const char *end = strchrnul(line, '\n');
    const char *field[7];
    size_t flen[7];
    size_t nf = 0;
    for (const char *f = line; nf < 7;) {
      const char *colon = memchr(f, ':', (size_t)(end - f));
      field[nf] = f;
      flen[nf] = (size_t)((colon != NULL ? colon : end) - f);
      nf++;
      if (colon == NULL)
        break;
      f = colon + 1;
    }
    uint32_t id;
    bool ok =
        nf == 7 && memchr(field[6], ':', (size_t)(end - field[6])) == NULL;
    if (ok && parse_id(field[2], flen[2], &id) && id == uid && flen[want] > 0)
      return strndup(field[want], flen[want]);
    line = *end == '\n' ? end + 1 : NULL;
  }
  return NULL;
}
