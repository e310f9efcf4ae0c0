/* The pure parts of the seccomp cache: SHA-256 against the FIPS 180-4 /
 * NIST vectors, the cache key (same profile, same key; any field changed,
 * another key) and the check of a cache file's header and program. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "linux/process/seccomp_cache.h"
#include "util/sha256.h"

static void hex_of(const void *data, size_t len, char out[65]) {
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256(data, len, d);
  sha256_hex(d, out);
}

static void known_vectors(void) {
  char h[65];
  hex_of("", 0, h);
  cr_assert_str_eq(
      h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  hex_of("abc", 3, h);
  cr_assert_str_eq(
      h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  hex_of(two, strlen(two), h);
  cr_assert_str_eq(
      h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const char *four = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  hex_of(four, strlen(four), h);
  cr_assert_str_eq(
      h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void one_million_a(void) {
  struct sha256 s;
  sha256_init(&s);
  char chunk[997];
  memset(chunk, 'a', sizeof chunk);
  size_t left = 1000000;
  while (left > 0) {
    size_t n = left < sizeof chunk ? left : sizeof chunk;
    sha256_update(&s, chunk, n);
    left -= n;
  }
  uint8_t d[SHA256_DIGEST_SIZE];
  char h[65];
  sha256_final(&s, d);
  sha256_hex(d, h);
  cr_assert_str_eq(
      h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Both block functions: the x86 SHA extensions where the CPU has them, and
 * the portable code, which the tests force on such a CPU. */
static void portable_on(void) {
  sha256_portable_only = true;
}
static void portable_off(void) {
  sha256_portable_only = false;
}

Test(sha256, known_vectors) {
  known_vectors();
}

Test(sha256, one_million_a_fed_in_odd_pieces) {
  one_million_a();
}

Test(sha256, known_vectors_portable, .init = portable_on, .fini = portable_off) {
  known_vectors();
  one_million_a();
}

Test(sha256, accelerated_equals_portable) {
  if (!sha256_accelerated())
    cr_skip_test("no SHA extensions on this CPU");
  uint8_t msg[700], fast[SHA256_DIGEST_SIZE], slow[SHA256_DIGEST_SIZE];
  unsigned seed = 12345;
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (uint8_t)(rand_r(&seed) >> 7);
  for (size_t len = 0; len <= sizeof msg; len++) {
    sha256_portable_only = false;
    sha256(msg, len, fast);
    sha256_portable_only = true;
    sha256(msg, len, slow);
    sha256_portable_only = false;
    cr_assert_arr_eq(fast, slow, sizeof fast, "length %zu", len);
  }
}

Test(sha256, every_split_equals_one_shot) {
  uint8_t msg[200], one[SHA256_DIGEST_SIZE], two[SHA256_DIGEST_SIZE];
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (uint8_t)(i * 7 + 3);
  for (size_t len = 0; len <= sizeof msg; len += 13) {
    sha256(msg, len, one);
    for (size_t cut = 0; cut <= len; cut++) {
      struct sha256 s;
      sha256_init(&s);
      sha256_update(&s, msg, cut);
      sha256_update(&s, msg + cut, len - cut);
      sha256_final(&s, two);
      cr_assert_eq(memcmp(one, two, sizeof one), 0, "len %zu cut %zu", len,
                   cut);
    }
  }
}

/* The key is of the profile's exact JSON text and of the environment. */
static const struct seccomp_key_env env0 = {
    .lib_major = 2,
    .lib_minor = 5,
    .lib_micro = 4,
    .kernel_release = "6.1.0-27-amd64",
    .kernel_version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1",
    .native_arch = 0xc000003e,
    .exe_dev = 1,
    .exe_ino = 2,
    .exe_size = 3,
    .exe_mtime_sec = 4,
    .exe_mtime_nsec = 5};
static const char profile[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
    "[\"SCMP_ARCH_X86_64\"], \"syscalls\": [{\"names\": [\"read\"], "
    "\"action\": \"SCMP_ACT_ALLOW\"}]}";

static void key_of(const char *text, size_t len,
                   const struct seccomp_key_env *e,
                   uint8_t k[SHA256_DIGEST_SIZE]) {
  seccomp_cache_key(text, len, e, k);
}

Test(seccomp_key, same_text_same_key) {
  char copy[sizeof profile];
  memcpy(copy, profile, sizeof profile);
  uint8_t ka[32], kb[32];
  key_of(profile, strlen(profile), &env0, ka);
  key_of(copy, strlen(copy), &env0, kb);
  cr_assert_eq(memcmp(ka, kb, 32), 0);
}

Test(seccomp_key, every_changed_byte_changes_the_key) {
  size_t n = strlen(profile);
  uint8_t base[32], k[32];
  key_of(profile, n, &env0, base);
  char t[sizeof profile];
  for (size_t i = 0; i < n; i++) {
    memcpy(t, profile, sizeof profile);
    t[i] ^= 0x20;
    key_of(t, n, &env0, k);
    cr_assert_neq(memcmp(base, k, 32), 0, "byte %zu changed, same key", i);
  }
  /* A prefix is another text. */
  key_of(profile, n - 1, &env0, k);
  cr_assert_neq(memcmp(base, k, 32), 0);
}

/* Each change of the environment must give a key unlike the base's. */
typedef void (*change_fn)(struct seccomp_key_env *e);
#define CHANGE(name, body)                                                     \
  static void name(struct seccomp_key_env *e) { body; }
CHANGE(c_lib_major, e->lib_major = 3)
CHANGE(c_lib_minor, e->lib_minor = 6)
CHANGE(c_lib_micro, e->lib_micro = 5)
CHANGE(c_release, e->kernel_release[0] = 'x')
CHANGE(c_version, e->kernel_version[3] = 'x')
CHANGE(c_native, e->native_arch = 0xc00000b7)
CHANGE(c_exe_dev, e->exe_dev = 9)
CHANGE(c_exe_ino, e->exe_ino = 99)
CHANGE(c_exe_size, e->exe_size = 7)
CHANGE(c_exe_mtime_sec, e->exe_mtime_sec = 8)
CHANGE(c_exe_mtime, e->exe_mtime_nsec = 6)

Test(seccomp_key, any_changed_env_field_changes_the_key) {
  static const change_fn changes[] = {
      c_lib_major, c_lib_minor,     c_lib_micro, c_release,
      c_version,   c_native,        c_exe_dev,   c_exe_ino,
      c_exe_size,  c_exe_mtime_sec, c_exe_mtime,
  };
  size_t n = sizeof changes / sizeof changes[0];
  uint8_t keys[sizeof changes / sizeof changes[0] + 1][32];
  key_of(profile, strlen(profile), &env0, keys[0]);
  for (size_t i = 0; i < n; i++) {
    struct seccomp_key_env e = env0;
    changes[i](&e);
    key_of(profile, strlen(profile), &e, keys[i + 1]);
    for (size_t j = 0; j <= i; j++)
      cr_assert_neq(memcmp(keys[i + 1], keys[j], 32), 0,
                    "change %zu gives the key of %zu", i, j);
  }
}

/* A cache file: header + a program of `insns` instructions. */
static uint8_t *make_entry(const uint8_t key[32], size_t insns, size_t *len) {
  size_t plen = insns * 8;
  *len = SECCOMP_CACHE_HEADER_SIZE + plen;
  uint8_t *buf = malloc(*len);
  cr_assert_not_null(buf);
  for (size_t i = 0; i < plen; i++)
    buf[SECCOMP_CACHE_HEADER_SIZE + i] = (uint8_t)(i * 31 + 1);
  seccomp_cache_header(buf, key, 0x5, buf + SECCOMP_CACHE_HEADER_SIZE, plen);
  return buf;
}

static const uint8_t key_a[32] = {1, 2, 3};
static const uint8_t key_b[32] = {1, 2, 4};

Test(seccomp_cache_file, good_entry_is_accepted) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog = NULL;
  size_t n = 0;
  uint32_t flags = 0;
  cr_assert_null(seccomp_cache_verify(buf, len, key_a, &prog, &n, &flags));
  cr_assert_eq(n, 10);
  cr_assert_eq(flags, 0x5);
  cr_assert_eq(prog, buf + SECCOMP_CACHE_HEADER_SIZE);
  free(buf);
}

Test(seccomp_cache_file, wrong_key_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog;
  size_t n;
  uint32_t flags;
  cr_assert_str_eq(seccomp_cache_verify(buf, len, key_b, &prog, &n, &flags),
                   "written for another key");
  free(buf);
}

Test(seccomp_cache_file, every_truncation_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog;
  size_t n;
  uint32_t flags;
  for (size_t cut = 0; cut < len; cut++)
    cr_assert_not_null(seccomp_cache_verify(buf, cut, key_a, &prog, &n, &flags),
                       "accepted %zu of %zu bytes", cut, len);
  free(buf);
}

Test(seccomp_cache_file, trailing_bytes_are_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  uint8_t *longer = calloc(1, len + 8);
  memcpy(longer, buf, len);
  const void *prog;
  size_t n;
  uint32_t flags;
  cr_assert_str_eq(seccomp_cache_verify(longer, len + 8, key_a, &prog, &n, &flags),
                   "length does not match the file");
  free(longer);
  free(buf);
}

Test(seccomp_cache_file, every_flipped_bit_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 6, &len);
  const void *prog;
  size_t n;
  uint32_t flags;
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit++) {
      buf[i] ^= (uint8_t)(1u << bit);
      cr_assert_not_null(seccomp_cache_verify(buf, len, key_a, &prog, &n, &flags),
                         "byte %zu bit %d flipped and accepted", i, bit);
      buf[i] ^= (uint8_t)(1u << bit);
    }
  cr_assert_null(seccomp_cache_verify(buf, len, key_a, &prog, &n, &flags));
  free(buf);
}

Test(seccomp_cache_file, bad_program_sizes_are_rejected) {
  const void *prog;
  size_t n, len;
  uint32_t flags;
  /* Empty, and more than BPF_MAXINSNS (4096) instructions. */
  uint8_t *empty = make_entry(key_a, 0, &len);
  cr_assert_not_null(seccomp_cache_verify(empty, len, key_a, &prog, &n, &flags));
  free(empty);
  uint8_t *big = make_entry(key_a, 4097, &len);
  cr_assert_not_null(seccomp_cache_verify(big, len, key_a, &prog, &n, &flags));
  free(big);
  /* Not a whole number of instructions, with a consistent checksum. */
  uint8_t odd[SECCOMP_CACHE_HEADER_SIZE + 12] = {0};
  seccomp_cache_header(odd, key_a, 0, odd + SECCOMP_CACHE_HEADER_SIZE, 12);
  cr_assert_str_eq(seccomp_cache_verify(odd, sizeof odd, key_a, &prog, &n, &flags),
                   "not a whole number of 1 to 4096 instructions");
}

Test(seccomp_cache_file, another_version_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 3, &len);
  buf[8] = SECCOMP_CACHE_VERSION + 1;
  const void *prog;
  size_t n;
  uint32_t flags;
  cr_assert_str_eq(seccomp_cache_verify(buf, len, key_a, &prog, &n, &flags),
                   "another format version");
  free(buf);
}
