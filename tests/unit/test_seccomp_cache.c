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

/* A profile with every field set, built by hand so a test can change one
 * field at a time. */
struct profile {
  char *arch[3], *flags[2], *names0[3], *names1[2];
  struct oci_seccomp_arg args[2];
  struct oci_seccomp_syscall sc[2];
  struct oci_seccomp s;
};

static void make_profile(struct profile *p) {
  memset(p, 0, sizeof *p);
  p->arch[0] = "SCMP_ARCH_X86_64";
  p->arch[1] = "SCMP_ARCH_X86";
  p->flags[0] = "SECCOMP_FILTER_FLAG_LOG";
  p->names0[0] = "mkdir";
  p->names0[1] = "mkdirat";
  p->names1[0] = "personality";
  p->args[0] = (struct oci_seccomp_arg){0, 2048, 0, "SCMP_CMP_EQ"};
  p->args[1] = (struct oci_seccomp_arg){1, 255, 4, "SCMP_CMP_MASKED_EQ"};
  p->sc[0] = (struct oci_seccomp_syscall){
      {p->names0, 2}, "SCMP_ACT_ERRNO", true, 71, NULL, 0};
  p->sc[1] = (struct oci_seccomp_syscall){
      {p->names1, 1}, "SCMP_ACT_ERRNO", false, 0, p->args, 2};
  p->s = (struct oci_seccomp){.default_action = "SCMP_ACT_ALLOW",
                              .has_default_errno_ret = true,
                              .default_errno_ret = 38,
                              .architectures = {p->arch, 2},
                              .flags = {p->flags, 1},
                              .listener_path = NULL,
                              .listener_metadata = NULL,
                              .syscalls = p->sc,
                              .n_syscalls = 2};
}

static const struct seccomp_key_env env0 = {2, 5, 4, 6, 0xc000003e,
                                            1, 2, 3, 4, 5};

static void key_of(const struct profile *p, const struct seccomp_key_env *e,
                   uint8_t k[SHA256_DIGEST_SIZE]) {
  seccomp_cache_key(&p->s, e, k);
}

Test(seccomp_key, same_profile_same_key) {
  struct profile a, b;
  make_profile(&a);
  make_profile(&b);
  /* Equal content in other memory: the key is of the values. */
  char other[] = "mkdirat";
  b.names0[1] = other;
  uint8_t ka[32], kb[32];
  key_of(&a, &env0, ka);
  key_of(&b, &env0, kb);
  cr_assert_eq(memcmp(ka, kb, 32), 0);
}

/* Each change must give a key unlike the base's. */
typedef void (*change_fn)(struct profile *p, struct seccomp_key_env *e);
#define CHANGE(name, body)                                                     \
  static void name(struct profile *p, struct seccomp_key_env *e) {             \
    (void)p;                                                                   \
    (void)e;                                                                   \
    body;                                                                      \
  }
CHANGE(c_default, p->s.default_action = "SCMP_ACT_ERRNO")
CHANGE(c_has_def_ret, p->s.has_default_errno_ret = false)
CHANGE(c_def_ret, p->s.default_errno_ret = 1)
CHANGE(c_arch_count, p->s.architectures.n = 1)
CHANGE(c_arch_name, p->arch[1] = "SCMP_ARCH_X32")
CHANGE(c_arch_order, {
  p->arch[0] = "SCMP_ARCH_X86";
  p->arch[1] = "SCMP_ARCH_X86_64";
})
CHANGE(c_flags, p->s.flags.n = 0)
CHANGE(c_flag_name, p->flags[0] = "SECCOMP_FILTER_FLAG_TSYNC")
CHANGE(c_listener, p->s.listener_path = "/run/l.sock")
CHANGE(c_listener_empty, p->s.listener_path = "")
CHANGE(c_metadata, p->s.listener_metadata = "x")
CHANGE(c_n_syscalls, p->s.n_syscalls = 1)
CHANGE(c_names, p->names0[0] = "rmdir")
CHANGE(c_names_split, {
  /* ["mkdir","mkdirat"] against ["mkdirmkdirat"]: lengths are hashed. */
  p->names0[0] = "mkdirmkdirat";
  p->sc[0].names.n = 1;
})
CHANGE(c_action, p->sc[0].action = "SCMP_ACT_KILL")
CHANGE(c_has_ret, p->sc[0].has_errno_ret = false)
CHANGE(c_ret, p->sc[0].errno_ret = 72)
CHANGE(c_n_args, p->sc[1].n_args = 1)
CHANGE(c_arg_index, p->args[1].index = 2)
CHANGE(c_arg_value, p->args[0].value = 4096)
CHANGE(c_arg_value_two, p->args[1].value_two = 8)
CHANGE(c_arg_op, p->args[0].op = "SCMP_CMP_NE")
CHANGE(c_rule_order, {
  struct oci_seccomp_syscall t = p->sc[0];
  p->sc[0] = p->sc[1];
  p->sc[1] = t;
})
CHANGE(c_lib_major, e->lib_major = 3)
CHANGE(c_lib_minor, e->lib_minor = 6)
CHANGE(c_lib_micro, e->lib_micro = 5)
CHANGE(c_api, e->api_level = 7)
CHANGE(c_native, e->native_arch = 0xc00000b7)
CHANGE(c_exe_ino, e->exe_ino = 99)
CHANGE(c_exe_mtime, e->exe_mtime_nsec = 6)

Test(seccomp_key, any_changed_field_changes_the_key) {
  static const change_fn changes[] = {
      c_default,       c_has_def_ret,    c_def_ret,    c_arch_count,
      c_arch_name,     c_arch_order,     c_flags,      c_flag_name,
      c_listener,      c_listener_empty, c_metadata,   c_n_syscalls,
      c_names,         c_names_split,    c_action,     c_has_ret,
      c_ret,           c_n_args,         c_arg_index,  c_arg_value,
      c_arg_value_two, c_arg_op,         c_rule_order, c_lib_major,
      c_lib_minor,     c_lib_micro,      c_api,        c_native,
      c_exe_ino,       c_exe_mtime,
  };
  size_t n = sizeof changes / sizeof changes[0];
  uint8_t keys[sizeof changes / sizeof changes[0] + 1][32];
  struct profile base;
  make_profile(&base);
  key_of(&base, &env0, keys[0]);
  for (size_t i = 0; i < n; i++) {
    struct profile p;
    struct seccomp_key_env e = env0;
    make_profile(&p);
    changes[i](&p, &e);
    key_of(&p, &e, keys[i + 1]);
    /* Unlike the base and unlike every other change. */
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
  seccomp_cache_header(buf, key, buf + SECCOMP_CACHE_HEADER_SIZE, plen);
  return buf;
}

static const uint8_t key_a[32] = {1, 2, 3};
static const uint8_t key_b[32] = {1, 2, 4};

Test(seccomp_cache_file, good_entry_is_accepted) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog = NULL;
  size_t n = 0;
  cr_assert_null(seccomp_cache_verify(buf, len, key_a, &prog, &n));
  cr_assert_eq(n, 10);
  cr_assert_eq(prog, buf + SECCOMP_CACHE_HEADER_SIZE);
  free(buf);
}

Test(seccomp_cache_file, wrong_key_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog;
  size_t n;
  cr_assert_str_eq(seccomp_cache_verify(buf, len, key_b, &prog, &n),
                   "written for another key");
  free(buf);
}

Test(seccomp_cache_file, every_truncation_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 10, &len);
  const void *prog;
  size_t n;
  for (size_t cut = 0; cut < len; cut++)
    cr_assert_not_null(seccomp_cache_verify(buf, cut, key_a, &prog, &n),
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
  cr_assert_str_eq(seccomp_cache_verify(longer, len + 8, key_a, &prog, &n),
                   "length does not match the file");
  free(longer);
  free(buf);
}

Test(seccomp_cache_file, every_flipped_bit_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 6, &len);
  const void *prog;
  size_t n;
  for (size_t i = 0; i < len; i++)
    for (int bit = 0; bit < 8; bit++) {
      buf[i] ^= (uint8_t)(1u << bit);
      cr_assert_not_null(seccomp_cache_verify(buf, len, key_a, &prog, &n),
                         "byte %zu bit %d flipped and accepted", i, bit);
      buf[i] ^= (uint8_t)(1u << bit);
    }
  cr_assert_null(seccomp_cache_verify(buf, len, key_a, &prog, &n));
  free(buf);
}

Test(seccomp_cache_file, bad_program_sizes_are_rejected) {
  const void *prog;
  size_t n, len;
  /* Empty, and more than BPF_MAXINSNS (4096) instructions. */
  uint8_t *empty = make_entry(key_a, 0, &len);
  cr_assert_not_null(seccomp_cache_verify(empty, len, key_a, &prog, &n));
  free(empty);
  uint8_t *big = make_entry(key_a, 4097, &len);
  cr_assert_not_null(seccomp_cache_verify(big, len, key_a, &prog, &n));
  free(big);
  /* Not a whole number of instructions, with a consistent checksum. */
  uint8_t odd[SECCOMP_CACHE_HEADER_SIZE + 12] = {0};
  seccomp_cache_header(odd, key_a, odd + SECCOMP_CACHE_HEADER_SIZE, 12);
  cr_assert_str_eq(seccomp_cache_verify(odd, sizeof odd, key_a, &prog, &n),
                   "not a whole number of 1 to 4096 instructions");
}

Test(seccomp_cache_file, another_version_is_rejected) {
  size_t len;
  uint8_t *buf = make_entry(key_a, 3, &len);
  buf[8] = SECCOMP_CACHE_VERSION + 1;
  const void *prog;
  size_t n;
  cr_assert_str_eq(seccomp_cache_verify(buf, len, key_a, &prog, &n),
                   "another format version");
  free(buf);
}
