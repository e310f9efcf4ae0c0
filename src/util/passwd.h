#ifndef MINIRT_UTIL_PASSWD_H
#define MINIRT_UTIL_PASSWD_H

#include <stdint.h>

enum passwd_field { PASSWD_NAME = 0, PASSWD_HOME = 5 };

/* A field of uid's entry in passwd text ("name:x:uid:gid:gecos:home:
 * shell"), malloc'd, or NULL. Lines without seven fields, with a
 * non-numeric uid or with that field empty are skipped; the first valid
 * match wins, as with getpwuid(). */
char *passwd_field(const char *text, uint32_t uid, enum passwd_field want);

#endif
