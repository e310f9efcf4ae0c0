/* The cache key of a seccomp profile: a SHA-256 over the exact JSON text
 * of linux.seccomp as the config holds it, and everything else that decides
 * the program (struct seccomp_key_env). The same bytes always parse to the
 * same profile, so text is as good a key as the parsed profile and lets an
 * exec find its program without parsing those bytes; text that differs
 * only in spacing or order merely misses once. Every part is length-prefixed
 * so that no two inputs serialize alike. */
#include "linux/process/seccomp_cache.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

static void put_u32(struct sha256 *h, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                  (uint8_t)(v >> 24)};
  sha256_update(h, b, sizeof b);
}

static void put_u64(struct sha256 *h, uint64_t v) {
  put_u32(h, (uint32_t)v);
  put_u32(h, (uint32_t)(v >> 32));
}

static void put_str(struct sha256 *h, const char *s, size_t max) {
  size_t n = strnlen(s, max);
  put_u64(h, n);
  sha256_update(h, s, n);
}

void seccomp_cache_key(const char *text, size_t len,
                       const struct seccomp_key_env *env,
                       uint8_t key[SHA256_DIGEST_SIZE]) {
  struct sha256 h;
  sha256_init(&h);
  static const char domain[] = "minirt seccomp cache key";
  sha256_update(&h, domain, sizeof domain);
  put_u32(&h, SECCOMP_CACHE_VERSION);
  put_u32(&h, env->lib_major);
  put_u32(&h, env->lib_minor);
  put_u32(&h, env->lib_micro);
  put_str(&h, env->kernel_release, sizeof env->kernel_release);
  put_str(&h, env->kernel_version, sizeof env->kernel_version);
  put_u32(&h, env->native_arch);
  put_u64(&h, env->exe_dev);
  put_u64(&h, env->exe_ino);
  put_u64(&h, env->exe_size);
  put_u64(&h, (uint64_t)env->exe_mtime_sec);
  put_u64(&h, (uint64_t)env->exe_mtime_nsec);
  put_u64(&h, len);
  sha256_update(&h, text, len);
  sha256_final(&h, key);
}

int seccomp_key_env_current(struct seccomp_key_env *env) {
  memset(env, 0, sizeof *env);
  const struct scmp_version *v = seccomp_version();
  if (v != NULL) {
    env->lib_major = v->major;
    env->lib_minor = v->minor;
    env->lib_micro = v->micro;
  }
  struct utsname u;
  if (uname(&u) < 0)
    return -errno;
  snprintf(env->kernel_release, sizeof env->kernel_release, "%s", u.release);
  snprintf(env->kernel_version, sizeof env->kernel_version, "%s", u.version);
  env->native_arch = seccomp_arch_native();
  struct stat st;
  if (stat("/proc/self/exe", &st) < 0)
    return -errno;
  env->exe_dev = st.st_dev;
  env->exe_ino = st.st_ino;
  env->exe_size = (uint64_t)st.st_size;
  env->exe_mtime_sec = st.st_mtim.tv_sec;
  env->exe_mtime_nsec = st.st_mtim.tv_nsec;
  return 0;
}
