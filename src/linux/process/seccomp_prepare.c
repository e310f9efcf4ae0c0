/* linux.seccomp compiled once in the runtime: from the cache when a good
 * entry exists, else with libseccomp (then stored). The child of the clone
 * or fork inherits the program and only loads it. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linux/process/process.h"
#include "linux/process/seccomp.h"
#include "linux/process/seccomp_cache.h"
#include "util/cleanup.h"

static void cleanup_cache(struct seccomp_cache *c) {
  seccomp_cache_close(c);
}

static long usec_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000000L +
         (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* The debug note of what the filter cost this command. */
static void note_ready(process_note_fn note, void *data,
                       const struct timespec *t0, size_t n, const char *how) {
  if (note == NULL)
    return;
  char msg[128];
  snprintf(msg, sizeof msg, "seccomp: %zu instructions ready in %ld us (%s)", n,
           usec_since(t0), how);
  note(data, msg);
}

/* The key of `text` under the running binary, and the cache opened; false
 * when there is no text or the binary cannot be identified. */
static bool open_keyed(const char *text, size_t len, const char *cache_root,
                       struct seccomp_cache *cache,
                       uint8_t key[SHA256_DIGEST_SIZE]) {
  struct seccomp_key_env env;
  if (text == NULL || cache_root == NULL || seccomp_key_env_current(&env) < 0)
    return false;
  seccomp_cache_key(text, len, &env, key);
  seccomp_cache_open(cache_root, cache);
  return true;
}

static bool take_cached(struct seccomp_cache *cache,
                        const uint8_t key[SHA256_DIGEST_SIZE],
                        struct process_seccomp *out, process_note_fn note,
                        void *data, const struct timespec *t0) {
  void *prog;
  size_t len;
  uint32_t flags;
  if (!seccomp_cache_read(cache, key, &prog, &len, &flags))
    return false;
  out->insns = prog;
  out->n = len / sizeof(struct sock_filter);
  out->flags = flags;
  note_ready(note, data, t0, out->n, "from the cache");
  return true;
}

bool process_seccomp_cached(const char *text, size_t len,
                            const char *cache_root, struct process_seccomp *out,
                            process_note_fn note, void *data) {
  memset(out, 0, sizeof *out);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct seccomp_cache cache __attribute__((cleanup(cleanup_cache))) = {
      .dirfd = -1, .note = note, .data = data};
  uint8_t key[SHA256_DIGEST_SIZE];
  return open_keyed(text, len, cache_root, &cache, key) &&
         take_cached(&cache, key, out, note, data, &t0);
}

int process_seccomp_prepare(const struct oci_linux *lx, const char *text,
                            size_t text_len, const char *cache_root,
                            struct process_seccomp *out, process_note_fn note,
                            void *data, struct minirt_error *err) {
  memset(out, 0, sizeof *out);
  const struct oci_seccomp *s = lx != NULL ? lx->seccomp : NULL;
  /* The notify listener is created by the load itself (libseccomp asks for
   * SECCOMP_FILTER_FLAG_NEW_LISTENER and keeps the fd), so such a profile
   * bypasses the raw path and the cache: the child builds and loads it.
   * Nothing of it is stored, so process_seccomp_cached() never finds one. */
  if (s == NULL || seccomp_uses_notify(s))
    return 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  unsigned flags;
  int ret = seccomp_filter_flags(s, &flags, err);
  if (ret < 0)
    return ret;
  struct seccomp_cache cache __attribute__((cleanup(cleanup_cache))) = {
      .dirfd = -1, .note = note, .data = data};
  uint8_t key[SHA256_DIGEST_SIZE];
  bool keyed = open_keyed(text, text_len, cache_root, &cache, key);
  if (keyed && take_cached(&cache, key, out, note, data, &t0))
    return 0;
  ret = seccomp_compile_bpf_noted(s, &out->insns, &out->n, note, data, err);
  if (ret < 0)
    return ret;
  out->flags = flags;
  if (keyed)
    seccomp_cache_write(&cache, key, flags, out->insns,
                        out->n * sizeof(struct sock_filter));
  note_ready(note, data, &t0, out->n, "compiled");
  return 0;
}

bool process_seccomp_uses_notify(const struct oci_linux *lx) {
  return lx != NULL && seccomp_uses_notify(lx->seccomp);
}

void process_seccomp_release(struct process_seccomp *p) {
  free(p->insns);
  p->insns = NULL;
  p->n = 0;
}
