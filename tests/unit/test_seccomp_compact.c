/* The compactor on real libseccomp programs: for each profile, the
 * compacted program must return what libseccomp's returns, checked here
 * independently of the compactor's own self-check, by sweeps over nr
 * (0..1100, 0x40000000..0x40000400, random) for listed and unlisted
 * architectures, and argument vectors built from the program's constants
 * wherever the result depends on the arguments. Profiles: podman's default
 * (tests/data/seccomp-podman.json, made by bench/podman-seccomp.sh from
 * podman 4.3.1's /usr/share/containers/seccomp.json, Apache-2.0, for amd64
 * and podman's default capabilities), and hand-made ones for argument
 * operators, errnoRet, KILL and ALLOW defaults, several architectures. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/process/seccomp.h"
#include "linux/process/seccomp_bpf.h"
#include "spec/oci.h"
#include "util/fs.h"

#define N(p) (sizeof(p) / sizeof((p)[0]))

struct progs {
  struct oci_config *cfg;
  struct sock_filter *p, *c;
  size_t np, nc;
};

static void progs_of_text(const char *text, size_t len, struct progs *g) {
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_config_parse(text, len, &g->cfg, &err), 0, "parse: %s",
               err.msg);
  cr_assert_not_null(g->cfg->linux_);
  const struct oci_seccomp *s = g->cfg->linux_->seccomp;
  cr_assert_not_null(s);
  cr_assert_eq(seccomp_compile_bpf_libseccomp(s, &g->p, &g->np, &err), 0,
               "libseccomp: %s", err.msg);
  char note[256];
  int r = seccomp_compact(g->p, g->np, &g->c, &g->nc, note, sizeof note);
  cr_assert_eq(r, 0, "compact: %s", note);
  cr_assert_lt(g->nc, g->np);
  /* What minirt loads is the compacted program. */
  struct sock_filter *loaded;
  size_t nloaded;
  cr_assert_eq(seccomp_compile_bpf(s, &loaded, &nloaded, &err), 0);
  cr_assert_eq(nloaded, g->nc);
  cr_assert_eq(memcmp(loaded, g->c, nloaded * sizeof *loaded), 0);
  free(loaded);
}

static void progs_free(struct progs *g) {
  free(g->p);
  free(g->c);
  oci_config_free(g->cfg);
}

static uint32_t run_prog(const struct sock_filter *p, size_t n,
                         const struct seccomp_data *d) {
  uint32_t ret = 0;
  int r = seccomp_bpf_run(p, n, d, &ret);
  cr_assert_eq(r, SECCOMP_BPF_RETURNED, "run: %d at arch 0x%x nr %d", r,
               d->arch, d->nr);
  return ret;
}

static size_t checks;

static void same(const struct progs *g, const struct seccomp_data *d) {
  uint32_t want = run_prog(g->p, g->np, d);
  uint32_t got = run_prog(g->c, g->nc, d);
  checks++;
  if (want != got)
    cr_assert_fail(
        "arch 0x%x nr %d args %#llx %#llx %#llx %#llx %#llx "
        "%#llx: compacted 0x%x, libseccomp 0x%x",
        d->arch, d->nr, (unsigned long long)d->args[0],
        (unsigned long long)d->args[1], (unsigned long long)d->args[2],
        (unsigned long long)d->args[3], (unsigned long long)d->args[4],
        (unsigned long long)d->args[5], got, want);
}

static uint64_t rnd(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return *s >> 11 ^ *s << 29;
}

/* Argument values from libseccomp's program: 0, ~0, and every constant
 * it compares or masks with, +-1, in either word. */
struct values {
  uint64_t *v;
  size_t n;
};

static void values_of(const struct progs *g, struct values *vs) {
  vs->v = malloc((g->np * 15 + 4) * sizeof *vs->v);
  cr_assert_not_null(vs->v);
  vs->n = 0;
  vs->v[vs->n++] = 0;
  vs->v[vs->n++] = UINT64_MAX;
  vs->v[vs->n++] = 0xffffffff;
  vs->v[vs->n++] = 0xffffffff00000000ull;
  for (size_t i = 0; i < g->np; i++) {
    uint16_t code = g->p[i].code;
    bool cmp = BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
    bool alu = BPF_CLASS(code) == BPF_ALU;
    if (!(cmp || alu) || BPF_SRC(code) != BPF_K)
      continue;
    for (int dk = -1; dk <= 1; dk++) {
      uint64_t w = (uint32_t)(g->p[i].k + (uint32_t)dk);
      vs->v[vs->n++] = w;
      vs->v[vs->n++] = w | 0xffffffff00000000ull;
      vs->v[vs->n++] = w << 32;
      vs->v[vs->n++] = w << 32 | 0xffffffff;
      vs->v[vs->n++] = w << 32 | w;
    }
  }
}

/* True if libseccomp's result for (arch, nr) reads the arguments. */
static bool reads_args(const struct progs *g, const struct seccomp_data *d) {
  struct seccomp_bpf_trace t;
  uint32_t ret;
  int r = seccomp_bpf_trace(g->p, g->np, d, &ret, &t);
  cr_assert_geq(r, 0);
  return r == SECCOMP_BPF_TAINTED;
}

static void check_args(const struct progs *g, struct seccomp_data d,
                       const struct values *vs, uint64_t *seed) {
  for (int i = 0; i < 6; i++)
    for (size_t j = 0; j < vs->n; j++) {
      memset(d.args, 0, sizeof d.args);
      d.args[i] = vs->v[j];
      same(g, &d);
      for (int a = 0; a < 6; a++)
        d.args[a] = a == i ? vs->v[j] : UINT64_MAX;
      same(g, &d);
    }
  for (int r = 0; r < 2000; r++) {
    for (int a = 0; a < 6; a++)
      d.args[a] = r & 1 ? rnd(seed) : vs->v[rnd(seed) % vs->n];
    same(g, &d);
  }
}

static const uint32_t arches[] = {
    AUDIT_ARCH_X86_64,
    AUDIT_ARCH_I386,
    AUDIT_ARCH_AARCH64,
    AUDIT_ARCH_ARM,
    AUDIT_ARCH_PPC64LE,
    AUDIT_ARCH_S390X,
    AUDIT_ARCH_RISCV64,
    0,
    1,
    0xc000003f,
    0xc000003d,
    UINT32_MAX,
};

static void sweep_nr(const struct progs *g, uint32_t arch, uint32_t nr,
                     const struct values *vs, uint64_t *seed) {
  struct seccomp_data d = {.arch = arch, .nr = (int)nr};
  same(g, &d);
  memset(d.args, 0xff, sizeof d.args);
  same(g, &d);
  memset(d.args, 0, sizeof d.args);
  if (reads_args(g, &d))
    check_args(g, d, vs, seed);
}

/* Same results as libseccomp's program everywhere the test looks. */
static void check_equivalent(const struct progs *g) {
  struct values vs;
  values_of(g, &vs);
  uint64_t seed = 42;
  checks = 0;
  for (size_t a = 0; a < N(arches); a++) {
    for (uint32_t nr = 0; nr <= 1100; nr++)
      sweep_nr(g, arches[a], nr, &vs, &seed);
    for (uint32_t nr = 0x40000000; nr <= 0x40000400; nr++)
      sweep_nr(g, arches[a], nr, &vs, &seed);
    for (int r = 0; r < 3000; r++)
      sweep_nr(g, arches[a], (uint32_t)rnd(&seed), &vs, &seed);
    uint32_t edges[] = {0x3fffffff, 0x7fffffff, 0x80000000, UINT32_MAX,
                        UINT32_MAX - 1};
    for (size_t e = 0; e < N(edges); e++)
      sweep_nr(g, arches[a], edges[e], &vs, &seed);
  }
  free(vs.v);
  cr_log_info("%zu comparisons, %zu -> %zu instructions", checks, g->np, g->nc);
}

static uint32_t result(const struct progs *g, uint32_t arch, int nr,
                       const uint64_t args[6]) {
  struct seccomp_data d = {.arch = arch, .nr = nr};
  if (args != NULL)
    memcpy(d.args, args, sizeof d.args);
  return run_prog(g->c, g->nc, &d);
}

static void progs_of(const char *seccomp_json, struct progs *g) {
  char *text = NULL;
  if (asprintf(&text,
               "{\"ociVersion\": \"1.0.0\", \"linux\": {\"seccomp\": %s}}",
               seccomp_json) < 0)
    cr_assert_fail("asprintf");
  progs_of_text(text, strlen(text), g);
  free(text);
}

Test(seccomp_compact, podman_default_profile) {
  char path[4096];
  snprintf(path, sizeof path, "%s/seccomp-podman.json", TEST_DATA_DIR);
  char *text = NULL;
  size_t len;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(read_file(path, 1 << 20, &text, &len, &err), 0, "%s", err.msg);
  struct progs g;
  progs_of_text(text, len, &g);
  free(text);
  /* The point of it: the kernel's load is linear in the length. */
  cr_assert_lt(g.nc * 2, g.np, "%zu -> %zu", g.np, g.nc);
  check_equivalent(&g);
  /* And the profile still means what it says. */
  const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS,
                 eperm = SECCOMP_RET_ERRNO | EPERM;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 0 /* read */, NULL),
               SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 165 /* mount */, NULL),
               SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 170 /* sethostname */, NULL),
               eperm);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 163 /* acct */, NULL), eperm);
  cr_assert_eq(result(&g, AUDIT_ARCH_I386, 51 /* acct */, NULL), eperm);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 1000, NULL), enosys);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 0x40000000 /* x32 read */, NULL),
               SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_I386, 3 /* read */, NULL),
               SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_AARCH64, 63, NULL),
               SECCOMP_RET_KILL_THREAD);
  uint64_t args[6] = {0x8}; /* personality(PER_LINUX32) is allowed */
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 135, args), SECCOMP_RET_ALLOW);
  args[0] = 0x0400000; /* ADDR_NO_RANDOMIZE is not */
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 135, args), enosys);
  /* socket(AF_NETLINK, _, NETLINK_AUDIT) gets EINVAL. */
  uint64_t sargs[6] = {16, 3, 9};
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 41, sargs),
               SECCOMP_RET_ERRNO | EINVAL);
  sargs[2] = 0;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 41, sargs), SECCOMP_RET_ALLOW);
  progs_free(&g);
}

Test(seccomp_compact, argument_operators) {
  struct progs g;
  progs_of(
      "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
      " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\","
      " \"SCMP_ARCH_X32\"], \"syscalls\": ["
      "{\"names\": [\"read\", \"write\", \"exit\", \"exit_group\","
      " \"openat\", \"close\"], \"action\": \"SCMP_ACT_ALLOW\"},"
      "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
      "{\"names\": [\"kill\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 1, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]},"
      "{\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 2, \"value\": 8, \"op\": \"SCMP_CMP_LT\"}]},"
      "{\"names\": [\"mprotect\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 2, \"value\": 4294967296, \"op\": "
      "\"SCMP_CMP_LE\"}]},"
      "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 1, \"value\": 21504, \"op\": "
      "\"SCMP_CMP_GT\"}]},"
      "{\"names\": [\"fcntl\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 1, \"value\": 18446744069414584320, "
      "\"op\": \"SCMP_CMP_GE\"}]},"
      "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0,"
      " \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
      "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\","
      " \"errnoRet\": 22, \"args\": [{\"index\": 0, \"value\": 16, \"op\":"
      " \"SCMP_CMP_EQ\"}, {\"index\": 2, \"value\": 9, \"op\": "
      "\"SCMP_CMP_EQ\"}]},"
      "{\"names\": [\"prctl\"], \"action\": \"SCMP_ACT_ALLOW\","
      " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"},"
      " {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}"
      "]}",
      &g);
  check_equivalent(&g);
  uint64_t args[6] = {0};
  args[2] = 7;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 9 /* mmap */, args),
               SECCOMP_RET_ALLOW);
  args[2] = 8;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 9, args),
               SECCOMP_RET_ERRNO | ENOSYS);
  args[0] = 16;
  args[2] = 9;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 41 /* socket */, args),
               SECCOMP_RET_ERRNO | EINVAL);
  args[0] = 0x10000000; /* CLONE_NEWUSER */
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 56 /* clone */, args),
               SECCOMP_RET_ERRNO | ENOSYS);
  args[0] = 0x11;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 56, args), SECCOMP_RET_ALLOW);
  progs_free(&g);
}

Test(seccomp_compact, kill_default_with_errno_trap_log) {
  struct progs g;
  progs_of("{\"defaultAction\": \"SCMP_ACT_KILL\", \"architectures\": "
           "[\"SCMP_ARCH_X86_64\"], \"syscalls\": ["
           "{\"names\": [\"read\", \"write\", \"exit_group\", \"brk\", "
           "\"mmap\", \"munmap\", \"rt_sigreturn\", \"futex\", \"getpid\"],"
           " \"action\": \"SCMP_ACT_ALLOW\"},"
           "{\"names\": [\"open\", \"stat\"], \"action\": \"SCMP_ACT_ERRNO\","
           " \"errnoRet\": 13},"
           "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRAP\"},"
           "{\"names\": [\"uname\"], \"action\": \"SCMP_ACT_LOG\"},"
           "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_TRACE\","
           " \"errnoRet\": 7},"
           "{\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
           "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\","
           " \"args\": [{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}"
           "]}",
           &g);
  check_equivalent(&g);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 2 /* open */, NULL),
               SECCOMP_RET_ERRNO | EACCES);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 500, NULL),
               SECCOMP_RET_KILL_THREAD);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 169 /* reboot */, NULL),
               SECCOMP_RET_KILL_PROCESS);
  progs_free(&g);
}

Test(seccomp_compact, allow_default_with_deny_list) {
  struct progs g;
  progs_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
           "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],"
           " \"syscalls\": ["
           "{\"names\": [\"mount\", \"umount2\", \"unshare\", \"setns\","
           " \"pivot_root\", \"keyctl\", \"add_key\", \"bpf\"],"
           " \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1},"
           "{\"names\": [\"reboot\", \"kexec_load\"], \"action\": "
           "\"SCMP_ACT_KILL_PROCESS\"},"
           "{\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ERRNO\","
           " \"args\": [{\"index\": 0, \"value\": 268435456, \"valueTwo\": "
           "268435456, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"
           "]}",
           &g);
  check_equivalent(&g);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 1000, NULL), SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 165, NULL),
               SECCOMP_RET_ERRNO | EPERM);
  uint64_t args[6] = {0x10000011};
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 56, args),
               SECCOMP_RET_ERRNO | EPERM);
  args[0] = 0x11;
  cr_assert_eq(result(&g, AUDIT_ARCH_X86_64, 56, args), SECCOMP_RET_ALLOW);
  progs_free(&g);
}

Test(seccomp_compact, foreign_architectures) {
  struct progs g;
  progs_of("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
           "[\"SCMP_ARCH_AARCH64\", \"SCMP_ARCH_ARM\", \"SCMP_ARCH_X86\","
           " \"SCMP_ARCH_X32\", \"SCMP_ARCH_RISCV64\"], \"syscalls\": ["
           "{\"names\": [\"read\", \"write\", \"openat\", \"close\", "
           "\"exit_group\", \"clock_gettime\", \"ppoll\", \"io_uring_setup\"],"
           " \"action\": \"SCMP_ACT_ALLOW\"},"
           "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
           " \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}"
           "]}",
           &g);
  check_equivalent(&g);
  cr_assert_eq(result(&g, AUDIT_ARCH_AARCH64, 63 /* read */, NULL),
               SECCOMP_RET_ALLOW);
  cr_assert_eq(result(&g, AUDIT_ARCH_S390X, 3, NULL), SECCOMP_RET_KILL_THREAD);
  progs_free(&g);
}

/* Programs outside the analysis are declined with a reason, never
 * rewritten. */
Test(seccomp_compact, declines) {
  struct sock_filter *out = (struct sock_filter *)1;
  size_t n = 1;
  char note[256];
  struct sock_filter nr_alu[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
  };
  cr_assert_eq(seccomp_compact(nr_alu, N(nr_alu), &out, &n, note, sizeof note),
               -1);
  cr_assert_null(out);
  cr_assert_eq(n, 0);
  cr_assert(strstr(note, "outside the analysis") != NULL, "%s", note);
  /* Already minimal: not shorter. */
  struct sock_filter tiny[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  cr_assert_eq(seccomp_compact(tiny, N(tiny), &out, &n, note, sizeof note), -1);
  cr_assert(strstr(note, "not shorter") != NULL, "%s", note);
  /* No architecture check: a range of arch values depends on nr. */
  struct sock_filter no_arch[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
  };
  cr_assert_eq(
      seccomp_compact(no_arch, N(no_arch), &out, &n, note, sizeof note), -1);
  cr_assert(strstr(note, "range of architectures") != NULL, "%s", note);
  /* The argument check reads M[0], stored from nr before the arguments:
   * not the same state in a copy. */
  struct sock_filter mem[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
      BPF_STMT(BPF_ST, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 4),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
      BPF_STMT(BPF_LDX | BPF_MEM, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
  };
  cr_assert_eq(seccomp_compact(mem, N(mem), &out, &n, note, sizeof note), -1);
  cr_assert(strstr(note, "may read X or M[]") != NULL, "%s", note);
}
