/* SHA-256 (FIPS 180-4), small and self-contained: the key and the checksum
 * of the seccomp cache (linux/process/seccomp_cache.c). Not constant-time;
 * nothing secret is hashed. */
#ifndef MINIRT_UTIL_SHA256_H
#define MINIRT_UTIL_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
  uint32_t h[8];
  uint64_t bytes; /* total length hashed so far */
  uint8_t buf[64];
  size_t used; /* bytes waiting in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);
/* One call: out = SHA-256(data). */
void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);
/* Whether the x86 SHA extensions are used on this CPU. */
bool sha256_accelerated(void);
/* Tests set it to check the portable code on a CPU with the extensions. */
extern bool sha256_portable_only;
/* Lower-case hex of a digest into hex[65] (NUL-terminated). */
void sha256_hex(const uint8_t d[SHA256_DIGEST_SIZE], char hex[65]);

#endif
