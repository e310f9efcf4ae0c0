/* The cache of compiled seccomp filters under the state root:
 * <root>/.seccomp-cache/<hex key>, one file per profile, each a header and
 * the BPF program. The key is a SHA-256 of everything that decides the
 * program (seccomp_key.c); the header is checked in full before a program
 * is used (seccomp_cache.c). docs/security.md has the trust rules. */
#ifndef MINIRT_LINUX_PROCESS_SECCOMP_CACHE_H
#define MINIRT_LINUX_PROCESS_SECCOMP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/oci.h"
#include "util/sha256.h"

#define SECCOMP_CACHE_DIR ".seccomp-cache"
/* Bumped whenever the file layout, the key's serialization or the
 * program made from a profile changes (2: compacted programs, keyed on
 * the profile's text, the load's flags in the header; 3: the kernel's
 * identity instead of libseccomp's API level). */
#define SECCOMP_CACHE_VERSION 3
/* magic[8] version:u32 flags:u32 key[32] length:u64 checksum[32]; flags
 * are the SECCOMP_FILTER_FLAG_* of the load, the checksum covers them and
 * the program. */
#define SECCOMP_CACHE_HEADER_SIZE 88
/* Entries kept; past this the least recently used go (seccomp_cache.c). */
#define SECCOMP_CACHE_MAX_ENTRIES 64

/* What besides the profile decides the program libseccomp generates. */
struct seccomp_key_env {
  uint32_t lib_major, lib_minor, lib_micro; /* seccomp_version() */
  /* The running kernel (uname release and version), standing for its
   * seccomp features: libseccomp's own probe, seccomp_api_get(), costs
   * nine seccomp() calls on every exec; the kernel's identity decides the
   * same and is one uname(). */
  char kernel_release[65], kernel_version[65];
  uint32_t native_arch; /* seccomp_arch_native(): seccomp_init() adds it */
  /* The running minirt binary (/proc/self/exe): its translation of the
   * profile into rules, and a static libseccomp, are part of it. */
  uint64_t exe_dev, exe_ino, exe_size;
  int64_t exe_mtime_sec, exe_mtime_nsec;
};

/* Fills env for this process. Fails only if /proc/self/exe cannot be
 * stat'ed (then no cache is used). */
int seccomp_key_env_current(struct seccomp_key_env *env);

/* key = SHA-256 of the exact JSON text of linux.seccomp (text, len) and of
 * `env`, each length-prefixed. Pure. */
void seccomp_cache_key(const char *text, size_t len,
                       const struct seccomp_key_env *env,
                       uint8_t key[SHA256_DIGEST_SIZE]);

/* Writes the header for `prog` (len bytes, loaded with `flags`) under
 * `key` into hdr. */
void seccomp_cache_header(uint8_t hdr[SECCOMP_CACHE_HEADER_SIZE],
                          const uint8_t key[SHA256_DIGEST_SIZE], uint32_t flags,
                          const void *prog, size_t len);

/* Checks a whole cache file (buf, len): magic, version, key, length (a
 * whole number of 1..BPF_MAXINSNS instructions, equal to what follows the
 * header) and the checksum of flags and program. NULL when it is good
 * (*prog, *n, *flags set), else why not. Pure. */
const char *seccomp_cache_verify(const void *buf, size_t len,
                                 const uint8_t key[SHA256_DIGEST_SIZE],
                                 const void **prog, size_t *n, uint32_t *flags);

typedef void (*seccomp_note_fn)(void *data, const char *msg);

struct seccomp_cache {
  int dirfd; /* <root>/.seccomp-cache, -1 when not usable */
  seccomp_note_fn note;
  void *data;
};

/* Opens (creating it 0700 if missing) the cache directory below `root`.
 * The directory is used only if it is a real directory (O_NOFOLLOW), owned
 * by our euid and not writable by group or others; otherwise c->dirfd is -1
 * and a note says why. Never fails the caller. */
void seccomp_cache_open(const char *root, struct seccomp_cache *c);
void seccomp_cache_close(struct seccomp_cache *c);

/* The program stored under key, malloc'd, and its load flags, or false
 * (missing, not ours, corrupt: each noted). */
bool seccomp_cache_read(struct seccomp_cache *c,
                        const uint8_t key[SHA256_DIGEST_SIZE], void **prog,
                        size_t *len, uint32_t *flags);

/* Stores a program (temp file + rename) and drops the entries past
 * SECCOMP_CACHE_MAX_ENTRIES. Failures are noted, never returned. */
void seccomp_cache_write(struct seccomp_cache *c,
                         const uint8_t key[SHA256_DIGEST_SIZE], uint32_t flags,
                         const void *prog, size_t len);

#endif
