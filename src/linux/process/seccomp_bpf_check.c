/* The comparison of seccomp_bpf.h: two programs run side by side in the
 * interpreter on the inputs where the reference can change its mind. It
 * knows nothing of how the second program was made: the points come from
 * the reference alone (its constants, where it depends on nr, where it
 * reads the arguments). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/process/seccomp_bpf.h"
#include "util/cleanup.h"

#define MAX_VALUES 2048
#define MAX_PAIR_VALUES 32
#define RANDOM_VECTORS 256
#define RANDOM_NRS 1024
#define MAX_TAINTED_ARCHES 16

struct cmp {
  const struct sock_filter *p, *q;
  size_t n, qn;
  char *note;
  size_t note_len;
  uint32_t *bp; /* 0, K and K + 1 for every constant K of p's compares */
  size_t nbp;
  bool *reach; /* p's instructions reachable from a load of the args */
  uint64_t v[MAX_VALUES]; /* argument values */
  size_t nv;
  uint64_t pair[MAX_PAIR_VALUES]; /* for two arguments at once */
  size_t npair;
  unsigned loaded; /* the arguments the argument checks load (bit i) */
  uint64_t seed;
};

#define fail(c, ...) seccomp_bpf_note((c)->note, (c)->note_len, __VA_ARGS__)

static int check_one(struct cmp *c, const struct seccomp_data *d) {
  uint32_t want = 0, got = 0;
  int r1 = seccomp_bpf_run(c->p, c->n, d, &want);
  int r2 = seccomp_bpf_run(c->q, c->qn, d, &got);
  if (r1 != SECCOMP_BPF_RETURNED || r2 != SECCOMP_BPF_RETURNED || want != got)
    return fail(c,
                "self-check: arch 0x%x nr %d args %#llx %#llx %#llx %#llx "
                "%#llx %#llx: 0x%x (%d), libseccomp's 0x%x (%d)",
                d->arch, d->nr, (unsigned long long)d->args[0],
                (unsigned long long)d->args[1], (unsigned long long)d->args[2],
                (unsigned long long)d->args[3], (unsigned long long)d->args[4],
                (unsigned long long)d->args[5], got, r2, want, r1);
  return 0;
}

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int breakpoints(struct cmp *c) {
  c->bp = malloc((2 * c->n + 1) * sizeof *c->bp);
  if (c->bp == NULL)
    return fail(c, "out of memory");
  size_t m = 0;
  c->bp[m++] = 0;
  for (size_t i = 0; i < c->n; i++) {
    uint16_t code = c->p[i].code;
    if (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA &&
        BPF_SRC(code) == BPF_K) {
      c->bp[m++] = c->p[i].k;
      if (c->p[i].k != UINT32_MAX)
        c->bp[m++] = c->p[i].k + 1;
    }
  }
  qsort(c->bp, m, sizeof *c->bp, cmp_u32);
  c->nbp = 1;
  for (size_t i = 1; i < m; i++)
    if (c->bp[i] != c->bp[c->nbp - 1])
      c->bp[c->nbp++] = c->bp[i];
  return 0;
}

/* The last number of the interval that starts at bp[i]. */
static uint32_t end_of(const struct cmp *c, size_t i) {
  return i + 1 < c->nbp ? c->bp[i + 1] - 1 : UINT32_MAX;
}

static void mark_reachable(struct cmp *c) {
  for (size_t i = 0; i < c->n; i++) {
    if (!c->reach[i])
      continue;
    const struct sock_filter *in = &c->p[i];
    if (BPF_CLASS(in->code) == BPF_RET)
      continue;
    size_t t[2] = {i + 1, i + 1};
    if (BPF_CLASS(in->code) == BPF_JMP) {
      if (BPF_OP(in->code) == BPF_JA) {
        t[0] = t[1] = i + 1 + in->k;
      } else {
        t[0] = i + 1 + in->jt;
        t[1] = i + 1 + in->jf;
      }
    }
    for (int j = 0; j < 2; j++)
      if (t[j] < c->n)
        c->reach[t[j]] = true;
  }
}

static void add_value(struct cmp *c, uint64_t v) {
  if (c->nv < MAX_VALUES)
    c->v[c->nv++] = v;
}

/* Argument values from the constants of the argument checks: each, +-1,
 * as the low word under a high word of 0 or ~0, and as the high word. */
static void arg_values(struct cmp *c) {
  c->nv = c->npair = 0;
  c->loaded = 0;
  for (size_t i = 0; i < c->n; i++)
    if (c->reach[i] && c->p[i].code == (BPF_LD | BPF_W | BPF_ABS) &&
        c->p[i].k >= offsetof(struct seccomp_data, args) &&
        c->p[i].k < sizeof(struct seccomp_data))
      c->loaded |= 1u << ((c->p[i].k - offsetof(struct seccomp_data, args)) /
                          sizeof(uint64_t));
  add_value(c, 0);
  add_value(c, UINT64_MAX);
  c->pair[c->npair++] = 0;
  for (size_t i = 0; i < c->n; i++) {
    uint16_t code = c->p[i].code;
    if (!c->reach[i] || BPF_SRC(code) != BPF_K ||
        (BPF_CLASS(code) != BPF_JMP && BPF_CLASS(code) != BPF_ALU &&
         code != (BPF_LD | BPF_IMM)) ||
        (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) == BPF_JA))
      continue;
    uint32_t k = c->p[i].k;
    if (c->npair < MAX_PAIR_VALUES)
      c->pair[c->npair++] = k;
    for (int64_t dk = -1; dk <= 1; dk++) {
      uint32_t w = (uint32_t)((int64_t)k + dk);
      add_value(c, w);
      add_value(c, 0xffffffff00000000ull | w);
      add_value(c, (uint64_t)w << 32);
      add_value(c, ((uint64_t)w << 32) | 0xffffffffu);
      add_value(c, ((uint64_t)w << 32) | w);
    }
  }
}

/* Arguments p never loads cannot change its result: the sweeps vary the
 * loaded ones (the random vectors all six). */
static int check_args(struct cmp *c, struct seccomp_data d) {
  for (int bg = 0; bg < 2; bg++)
    for (int i = 0; i < 6; i++)
      for (size_t j = 0; j < c->nv && (c->loaded & (1u << i)); j++) {
        for (int a = 0; a < 6; a++)
          d.args[a] = bg ? UINT64_MAX : 0;
        d.args[i] = c->v[j];
        if (check_one(c, &d) < 0)
          return -1;
      }
  memset(d.args, 0, sizeof d.args);
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++)
      for (size_t x = 0;
           x < c->npair && (c->loaded & (1u << i)) && (c->loaded & (1u << j));
           x++)
        for (size_t y = 0; y < c->npair; y++) {
          d.args[i] = c->pair[x];
          d.args[j] = c->pair[y];
          if (check_one(c, &d) < 0)
            return -1;
          d.args[i] = d.args[j] = 0;
        }
  for (int r = 0; r < RANDOM_VECTORS; r++) {
    for (int a = 0; a < 6; a++)
      d.args[a] = c->v[xorshift(&c->seed) % c->nv];
    d.instruction_pointer = xorshift(&c->seed);
    if (check_one(c, &d) < 0)
      return -1;
  }
  return 0;
}

/* Where p at (arch, nr) loads the arguments, or -1; -2 on error. */
static int taint_at(struct cmp *c, uint32_t arch, uint32_t nr,
                    bool *branched_nr) {
  struct seccomp_data d = {.nr = (int)nr, .arch = arch};
  struct seccomp_bpf_trace t;
  uint32_t ret;
  int r = seccomp_bpf_trace(c->p, c->n, &d, &ret, &t);
  if (r < 0)
    return fail(c,
                "self-check: the program at arch 0x%x nr %u cannot be "
                "traced",
                arch, nr) -
           1;
  if (branched_nr != NULL)
    *branched_nr = t.branched_nr;
  return r == SECCOMP_BPF_TAINTED ? t.pc : -1;
}

/* Each interval of nr at both ends for one architecture whose result
 * depends on nr; pass 0 collects the loads of the arguments, pass 1 checks
 * argument vectors there. */
static int check_arch(struct cmp *c, uint32_t arch, int pass) {
  for (size_t i = 0; i < c->nbp; i++) {
    uint32_t ends[2] = {c->bp[i], end_of(c, i)};
    for (int e = 0; e < 2; e++) {
      int pc = taint_at(c, arch, ends[e], NULL);
      if (pc < -1)
        return -1;
      struct seccomp_data d = {.nr = (int)ends[e], .arch = arch};
      if (pass == 0) {
        if (check_one(c, &d) < 0)
          return -1;
        if (pc >= 0)
          c->reach[pc] = true;
      } else if (pc >= 0 && check_args(c, d) < 0) {
        return -1;
      }
    }
  }
  for (int r = 0; pass == 0 && r < RANDOM_NRS; r++) {
    uint64_t x = xorshift(&c->seed);
    struct seccomp_data d = {.nr = (int)(uint32_t)(r & 1 ? x : x % 2048),
                             .arch = arch};
    if (check_one(c, &d) < 0)
      return -1;
  }
  return 0;
}

static int compare(struct cmp *c) {
  static const uint32_t nrs[] = {0, 1, 0x3fffffff, 0x40000000, UINT32_MAX};
  uint32_t by_nr_arches[MAX_TAINTED_ARCHES];
  size_t narches = 0;
  c->reach = calloc(c->n, sizeof *c->reach);
  if (c->reach == NULL)
    return fail(c, "out of memory");
  if (breakpoints(c) < 0)
    return -1;
  /* Every interval of arch at both ends; those where p depends on nr are
   * swept by nr. */
  for (size_t i = 0; i < c->nbp; i++) {
    uint32_t ends[2] = {c->bp[i], end_of(c, i)};
    for (int e = 0; e < 2; e++) {
      for (size_t j = 0; j < sizeof nrs / sizeof nrs[0]; j++) {
        struct seccomp_data d = {.nr = (int)nrs[j], .arch = ends[e]};
        if (check_one(c, &d) < 0)
          return -1;
      }
      bool by_nr = false;
      if (taint_at(c, ends[e], 0, &by_nr) < -1)
        return -1;
      if (!by_nr || (narches > 0 && by_nr_arches[narches - 1] == ends[e]))
        continue;
      if (narches == MAX_TAINTED_ARCHES)
        return fail(c, "self-check: more than %d architectures",
                    MAX_TAINTED_ARCHES);
      by_nr_arches[narches++] = ends[e];
    }
  }
  for (size_t a = 0; a < narches; a++)
    if (check_arch(c, by_nr_arches[a], 0) < 0)
      return -1;
  mark_reachable(c);
  arg_values(c);
  for (size_t a = 0; a < narches; a++)
    if (check_arch(c, by_nr_arches[a], 1) < 0)
      return -1;
  return 0;
}

static void cleanup_cmp(struct cmp **c) {
  if (*c == NULL)
    return;
  free((*c)->bp);
  free((*c)->reach);
  free(*c);
}

int seccomp_bpf_compare(const struct sock_filter *p, size_t n,
                        const struct sock_filter *q, size_t qn, char *note,
                        size_t note_len) {
  struct cmp *c __attribute__((cleanup(cleanup_cmp))) = calloc(1, sizeof *c);
  if (c == NULL)
    return -1;
  *c = (struct cmp){.p = p,
                    .n = n,
                    .q = q,
                    .qn = qn,
                    .note = note,
                    .note_len = note_len,
                    .seed = 0x9e3779b97f4a7c15ull};
  return compare(c);
}
