/* The cache key of a seccomp profile: a SHA-256 over a canonical
 * serialization. Every string is written with a presence byte and a length,
 * every list with its count, so no two different profiles serialize alike
 * (["ab"] and ["a","b"], NULL and "" differ). Order is kept: a reordered
 * list may give the same program, but a miss costs only a compile. */
#include "linux/process/seccomp_cache.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/stat.h>

static void put_u32(struct sha256 *h, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                  (uint8_t)(v >> 24)};
  sha256_update(h, b, sizeof b);
}

static void put_u64(struct sha256 *h, uint64_t v) {
  put_u32(h, (uint32_t)v);
  put_u32(h, (uint32_t)(v >> 32));
}

static void put_str(struct sha256 *h, const char *s) {
  uint8_t present = s != NULL;
  sha256_update(h, &present, 1);
  if (s == NULL)
    return;
  size_t n = strlen(s);
  put_u64(h, n);
  sha256_update(h, s, n);
}

static void put_strv(struct sha256 *h, const struct oci_strv *v) {
  put_u64(h, v->n);
  for (size_t i = 0; i < v->n; i++)
    put_str(h, v->v[i]);
}

static void put_syscall(struct sha256 *h,
                        const struct oci_seccomp_syscall *sc) {
  put_strv(h, &sc->names);
  put_str(h, sc->action);
  put_u32(h, sc->has_errno_ret);
  put_u32(h, sc->errno_ret);
  put_u64(h, sc->n_args);
  for (size_t i = 0; i < sc->n_args; i++) {
    put_u32(h, sc->args[i].index);
    put_u64(h, sc->args[i].value);
    put_u64(h, sc->args[i].value_two);
    put_str(h, sc->args[i].op);
  }
}

void seccomp_cache_key(const struct oci_seccomp *s,
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
  put_u32(&h, env->api_level);
  put_u32(&h, env->native_arch);
  put_u64(&h, env->exe_dev);
  put_u64(&h, env->exe_ino);
  put_u64(&h, env->exe_size);
  put_u64(&h, (uint64_t)env->exe_mtime_sec);
  put_u64(&h, (uint64_t)env->exe_mtime_nsec);
  put_str(&h, s->default_action);
  put_u32(&h, s->has_default_errno_ret);
  put_u32(&h, s->default_errno_ret);
  put_strv(&h, &s->architectures);
  put_strv(&h, &s->flags);
  /* They do not change the program, but a key that ignores a field would
   * need a reason each time the spec grows one. */
  put_str(&h, s->listener_path);
  put_str(&h, s->listener_metadata);
  put_u64(&h, s->n_syscalls);
  for (size_t i = 0; i < s->n_syscalls; i++)
    put_syscall(&h, &s->syscalls[i]);
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
  env->api_level = seccomp_api_get();
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
