/* The compactor of seccomp_bpf.h.
 *
 * libseccomp's program P compares the architecture and the syscall number
 * only with constants (JEQ, JGT, JGE), which the trace of the interpreter
 * verifies on every path it takes. So, with B the set {0, K, K+1} over all
 * constants K of P's comparisons, P's path is the same for every arch in
 * one interval between two consecutive points of B, and, for a fixed arch,
 * for every nr in one interval: running P once at an interval's start
 * tells the result for all of it. That result is a return value, or a
 * load of the arguments (the taint point), from which on P's result
 * depends on more than nr. The new program searches the intervals and
 * returns P's values at the leaves, or jumps into a copy of the part of P
 * reachable from the taint points, which runs exactly as in P as long as
 * it never reads X or M[] before writing them (checked). Finally the new
 * program is compared with P in the interpreter on every interval's ends
 * and on argument vectors made from P's constants; any difference, or any
 * program outside the analysis, keeps P. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/process/seccomp_bpf.h"
#include "util/cleanup.h"

#define MAX_ARCHES 16
#define MAX_JUMP 255

enum { LEAF_RET, LEAF_TAINT };

struct leaf {
  int kind;
  uint32_t v; /* the return value, or the taint point's index in P */
};

struct interval {
  uint32_t start;
  struct leaf leaf;
};

struct block {
  uint32_t arch;
  struct interval *iv;
  size_t n;
};

struct compact {
  const struct sock_filter *p;
  size_t n;
  uint32_t *bp; /* the sorted points of B */
  size_t nbp;
  struct block blocks[MAX_ARCHES];
  size_t nblocks;
  uint32_t bad_arch; /* P's result for an architecture it does not list */
  bool *copied;      /* P's instructions reachable from a taint point */
  size_t *newpos;    /* their index in the copy */
  size_t ncopy;
  struct sock_filter *out;
  size_t out_n;
  char *note;
  size_t note_len;
};

__attribute__((format(printf, 2, 3))) static int fail(struct compact *c,
                                                      const char *fmt, ...) {
  if (c->note != NULL && c->note_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->note, c->note_len, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static bool is_cmp_k(uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_SRC(code) == BPF_K &&
         (BPF_OP(code) == BPF_JEQ || BPF_OP(code) == BPF_JGT ||
          BPF_OP(code) == BPF_JGE);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static size_t sort_unique(uint32_t *v, size_t n) {
  if (n == 0)
    return 0;
  qsort(v, n, sizeof *v, cmp_u32);
  size_t w = 1;
  for (size_t i = 1; i < n; i++)
    if (v[i] != v[w - 1])
      v[w++] = v[i];
  return w;
}

static int collect_breakpoints(struct compact *c) {
  c->bp = malloc((2 * c->n + 1) * sizeof *c->bp);
  if (c->bp == NULL)
    return fail(c, "out of memory");
  size_t m = 0;
  c->bp[m++] = 0;
  for (size_t i = 0; i < c->n; i++)
    if (is_cmp_k(c->p[i].code)) {
      c->bp[m++] = c->p[i].k;
      if (c->p[i].k != UINT32_MAX)
        c->bp[m++] = c->p[i].k + 1;
    }
  c->nbp = sort_unique(c->bp, m);
  return 0;
}

static int trace_at(struct compact *c, uint32_t arch, uint32_t nr,
                    struct leaf *leaf, struct seccomp_bpf_trace *t) {
  struct seccomp_data d = {.nr = (int)nr, .arch = arch};
  uint32_t ret = 0;
  int r = seccomp_bpf_trace(c->p, c->n, &d, &ret, t);
  if (r < 0)
    return fail(c,
                "the program at arch 0x%x nr %u is outside the analysis "
                "(%s)",
                arch, nr,
                r == -ENOTSUP ? "nr or arch not only compared" : "invalid");
  *leaf = r == SECCOMP_BPF_TAINTED ? (struct leaf){LEAF_TAINT, (uint32_t)t->pc}
                                   : (struct leaf){LEAF_RET, ret};
  return 0;
}

/* The architectures whose result depends on nr (each must be a single
 * point of B) and the one result of all the others. */
static int analyse_arches(struct compact *c) {
  bool have_bad = false;
  for (size_t i = 0; i < c->nbp; i++) {
    uint32_t arch = c->bp[i];
    struct leaf leaf;
    struct seccomp_bpf_trace t;
    if (trace_at(c, arch, 0, &leaf, &t) < 0)
      return -1;
    if (leaf.kind == LEAF_RET && !t.branched_nr) {
      if (have_bad && leaf.v != c->bad_arch)
        return fail(c, "two results for unlisted architectures");
      c->bad_arch = leaf.v;
      have_bad = true;
      continue;
    }
    bool point = i + 1 < c->nbp ? c->bp[i + 1] == arch + 1 : arch == UINT32_MAX;
    if (!point)
      return fail(c, "the result depends on nr for a range of "
                     "architectures");
    if (c->nblocks == MAX_ARCHES)
      return fail(c, "more than %d architectures", MAX_ARCHES);
    c->blocks[c->nblocks++].arch = arch;
  }
  if (!have_bad)
    return fail(c, "no result for unlisted architectures");
  return 0;
}

static bool same_leaf(const struct leaf *a, const struct leaf *b) {
  return a->kind == b->kind && a->v == b->v;
}

/* The intervals of nr for one architecture, adjacent equal ones merged. */
static int analyse_nr(struct compact *c, struct block *b) {
  b->iv = malloc(c->nbp * sizeof *b->iv);
  if (b->iv == NULL)
    return fail(c, "out of memory");
  b->n = 0;
  for (size_t i = 0; i < c->nbp; i++) {
    struct leaf leaf;
    struct seccomp_bpf_trace t;
    if (trace_at(c, b->arch, c->bp[i], &leaf, &t) < 0)
      return -1;
    if (b->n > 0 && same_leaf(&b->iv[b->n - 1].leaf, &leaf))
      continue;
    b->iv[b->n++] = (struct interval){c->bp[i], leaf};
  }
  return 0;
}

/* Successors of P's instruction i (none for RET), in order. */
static size_t successors(const struct sock_filter *in, size_t i,
                         size_t succ[2]) {
  if (BPF_CLASS(in->code) == BPF_RET)
    return 0;
  if (BPF_CLASS(in->code) != BPF_JMP) {
    succ[0] = i + 1;
    return 1;
  }
  if (BPF_OP(in->code) == BPF_JA) {
    succ[0] = i + 1 + in->k;
    return 1;
  }
  succ[0] = i + 1 + in->jt;
  succ[1] = i + 1 + in->jf;
  return 2;
}

/* What of X (bit 0) and M[k] (bit k + 1) an instruction reads / writes. */
static uint32_t reads_of(const struct sock_filter *in) {
  uint16_t code = in->code;
  if (code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM))
    return 2u << in->k;
  if (code == (BPF_MISC | BPF_TXA) || code == BPF_STX)
    return 1;
  if ((BPF_CLASS(code) == BPF_ALU && BPF_OP(code) != BPF_NEG) ||
      (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA))
    return BPF_SRC(code) == BPF_X ? 1 : 0;
  return 0;
}

static uint32_t writes_of(const struct sock_filter *in) {
  uint16_t code = in->code;
  if (BPF_CLASS(code) == BPF_LDX || code == (BPF_MISC | BPF_TAX))
    return 1;
  if (code == BPF_ST || code == BPF_STX)
    return 2u << in->k;
  return 0;
}

/* Marks what the taint points reach, numbers it in P's order, and checks
 * that no path from a taint point reads X or M[] before writing it. */
static int plan_copy(struct compact *c) {
  c->copied = calloc(c->n, sizeof *c->copied);
  c->newpos = calloc(c->n, sizeof *c->newpos);
  _cleanup_free_ uint32_t *defined = malloc(c->n * sizeof *defined);
  if (c->copied == NULL || c->newpos == NULL || defined == NULL)
    return fail(c, "out of memory");
  for (size_t i = 0; i < c->n; i++)
    defined[i] = UINT32_MAX;
  for (size_t b = 0; b < c->nblocks; b++)
    for (size_t i = 0; i < c->blocks[b].n; i++)
      if (c->blocks[b].iv[i].leaf.kind == LEAF_TAINT) {
        uint32_t pc = c->blocks[b].iv[i].leaf.v;
        c->copied[pc] = true;
        defined[pc] = 0; /* entered with unknown X and M[] */
      }
  c->ncopy = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->copied[i])
      continue;
    c->newpos[i] = c->ncopy++;
    const struct sock_filter *in = &c->p[i];
    if ((in->code == (BPF_LD | BPF_MEM) || in->code == (BPF_LDX | BPF_MEM) ||
         in->code == BPF_ST || in->code == BPF_STX) &&
        in->k >= BPF_MEMWORDS)
      return fail(c, "memory slot %u at %zu", in->k, i);
    if ((reads_of(in) & ~defined[i]) != 0)
      return fail(c,
                  "instruction %zu may read X or M[] set before the "
                  "arguments are loaded",
                  i);
    uint32_t after = defined[i] | writes_of(in);
    size_t succ[2];
    size_t ns = successors(in, i, succ);
    for (size_t j = 0; j < ns; j++) {
      if (succ[j] >= c->n)
        return fail(c, "a jump out of the program at %zu", i);
      c->copied[succ[j]] = true;
      defined[succ[j]] &= after;
    }
  }
  return 0;
}

/* The search over iv[lo, hi) is a balanced tree of JGE (jt: the upper
 * half). Where a subtree fits in 8-bit jumps it is a "scope": its inner
 * nodes, then a pool of its distinct leaves (RET, or JA into the copy),
 * which every node jumps to directly, so a leaf costs nothing per
 * interval. Above that, a node jumps to its upper half (through a JA when
 * the lower half is too long) and falls through to its lower half. */

static size_t distinct_leaves(const struct interval *iv, size_t lo, size_t hi,
                              struct leaf *pool, size_t max) {
  size_t n = 0;
  for (size_t i = lo; i < hi; i++) {
    size_t j = 0;
    while (j < n && !same_leaf(&pool[j], &iv[i].leaf))
      j++;
    if (j == n) {
      if (n == max)
        return max + 1;
      pool[n++] = iv[i].leaf;
    }
  }
  return n;
}

#define MAX_POOL (MAX_JUMP + 1)

/* The size of iv[lo, hi) as a scope, or 0 if it is none. */
static size_t scope_size(const struct interval *iv, size_t lo, size_t hi) {
  struct leaf pool[MAX_POOL];
  if (hi - lo < 2 || hi - lo - 1 > MAX_POOL)
    return 0;
  size_t size = hi - lo - 1 + distinct_leaves(iv, lo, hi, pool, MAX_POOL);
  return size <= MAX_POOL ? size : 0;
}

static size_t tree_size(const struct interval *iv, size_t lo, size_t hi) {
  if (hi - lo == 1)
    return 1;
  size_t s = scope_size(iv, lo, hi);
  if (s > 0)
    return s;
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(iv, lo, mid);
  return 1 + (left > MAX_JUMP) + left + tree_size(iv, mid, hi);
}

static struct sock_filter insn(uint16_t code, uint8_t jt, uint8_t jf,
                               uint32_t k) {
  return (struct sock_filter){code, jt, jf, k};
}

static struct sock_filter leaf_insn(const struct compact *c,
                                    const struct leaf *l, size_t pos,
                                    size_t copy) {
  if (l->kind == LEAF_RET)
    return insn(BPF_RET | BPF_K, 0, 0, l->v);
  return insn(BPF_JMP | BPF_JA, 0, 0,
              (uint32_t)(copy + c->newpos[l->v] - (pos + 1)));
}

struct scope {
  struct leaf pool[MAX_POOL];
  size_t npool, pool_at;
};

/* The offset from the node at `here` to the leaf of iv[lo] in the pool. */
static uint8_t to_pool(const struct scope *sc, const struct interval *iv,
                       size_t lo, size_t here) {
  size_t j = 0;
  while (!same_leaf(&sc->pool[j], &iv[lo].leaf))
    j++;
  return (uint8_t)(sc->pool_at + j - (here + 1));
}

static void inner_emit(struct compact *c, const struct scope *sc,
                       const struct interval *iv, size_t lo, size_t hi,
                       size_t *pos) {
  size_t mid = lo + (hi - lo) / 2;
  size_t here = (*pos)++;
  struct sock_filter *node = &c->out[here];
  *node = insn(BPF_JMP | BPF_JGE | BPF_K, 0, 0, iv[mid].start);
  if (mid - lo == 1)
    node->jf = to_pool(sc, iv, lo, here);
  else
    inner_emit(c, sc, iv, lo, mid, pos);
  /* c->out is not reallocated: node stays valid. */
  if (hi - mid == 1) {
    node->jt = to_pool(sc, iv, mid, here);
  } else {
    node->jt = (uint8_t)(*pos - (here + 1));
    inner_emit(c, sc, iv, mid, hi, pos);
  }
}

/* Emits the search at c->out[*pos]; a tainted leaf jumps to its taint
 * point's place in the copy, which starts at `copy`. */
static void tree_emit(struct compact *c, const struct interval *iv, size_t lo,
                      size_t hi, size_t *pos, size_t copy) {
  if (hi - lo == 1) {
    c->out[*pos] = leaf_insn(c, &iv[lo].leaf, *pos, copy);
    (*pos)++;
    return;
  }
  size_t s = scope_size(iv, lo, hi);
  if (s > 0) {
    struct scope sc;
    sc.npool = distinct_leaves(iv, lo, hi, sc.pool, MAX_POOL);
    sc.pool_at = *pos + (hi - lo - 1);
    inner_emit(c, &sc, iv, lo, hi, pos);
    for (size_t j = 0; j < sc.npool; j++, (*pos)++)
      c->out[*pos] = leaf_insn(c, &sc.pool[j], *pos, copy);
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(iv, lo, mid);
  uint32_t k = iv[mid].start;
  if (left > MAX_JUMP) {
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JGE | BPF_K, 0, 1, k);
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JA, 0, 0, (uint32_t)left);
  } else {
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, k);
  }
  tree_emit(c, iv, lo, mid, pos, copy);
  tree_emit(c, iv, mid, hi, pos, copy);
}

/* ld arch; per architecture: jeq -> its block; ret bad_arch; the blocks
 * (ld nr; search); the copy of P's argument checks. */
static int emit(struct compact *c) {
  size_t head = 1 + 2 * c->nblocks + 1;
  size_t total = head, start[MAX_ARCHES];
  for (size_t b = 0; b < c->nblocks; b++) {
    start[b] = total;
    total += 1 + tree_size(c->blocks[b].iv, 0, c->blocks[b].n);
  }
  size_t copy = total;
  total += c->ncopy;
  if (total >= c->n)
    return fail(c, "not shorter (%zu instructions, libseccomp's %zu)", total,
                c->n);
  c->out = calloc(total, sizeof *c->out);
  if (c->out == NULL)
    return fail(c, "out of memory");
  size_t pos = 0;
  c->out[pos++] =
      insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
  for (size_t b = 0; b < c->nblocks; b++) {
    c->out[pos++] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, c->blocks[b].arch);
    c->out[pos] =
        insn(BPF_JMP | BPF_JA, 0, 0, (uint32_t)(start[b] - (pos + 1)));
    pos++;
  }
  c->out[pos++] = insn(BPF_RET | BPF_K, 0, 0, c->bad_arch);
  for (size_t b = 0; b < c->nblocks; b++) {
    c->out[pos++] =
        insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    tree_emit(c, c->blocks[b].iv, 0, c->blocks[b].n, &pos, copy);
  }
  /* The copy: P's order kept, so its jumps stay forward and only shrink
   * (an 8-bit offset still fits). */
  for (size_t i = 0; i < c->n; i++) {
    if (!c->copied[i])
      continue;
    struct sock_filter in = c->p[i];
    size_t here = copy + c->newpos[i];
    if (BPF_CLASS(in.code) == BPF_JMP) {
      if (BPF_OP(in.code) == BPF_JA) {
        in.k = (uint32_t)(copy + c->newpos[i + 1 + in.k] - (here + 1));
      } else {
        in.jt = (uint8_t)(copy + c->newpos[i + 1 + in.jt] - (here + 1));
        in.jf = (uint8_t)(copy + c->newpos[i + 1 + in.jf] - (here + 1));
      }
    }
    c->out[pos++] = in;
  }
  c->out_n = pos;
  return 0;
}

/* The self-check. */

static int check_one(struct compact *c, const struct seccomp_data *d) {
  uint32_t want = 0, got = 0;
  int r1 = seccomp_bpf_run(c->p, c->n, d, &want);
  int r2 = seccomp_bpf_run(c->out, c->out_n, d, &got);
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

#define MAX_VALUES 2048
#define MAX_PAIR_VALUES 32
#define RANDOM_VECTORS 256

/* Argument values made from the constants of the copied part: each, +-1,
 * as the low word under a high word of 0 or ~0 and as the high word. */
struct values {
  uint64_t v[MAX_VALUES];
  size_t n;
  uint64_t pair[MAX_PAIR_VALUES]; /* for two arguments at once */
  size_t npair;
};

static void add_value(struct values *vs, uint64_t v) {
  if (vs->n < MAX_VALUES)
    vs->v[vs->n++] = v;
}

static void arg_values(const struct compact *c, struct values *vs) {
  vs->n = vs->npair = 0;
  add_value(vs, 0);
  add_value(vs, UINT64_MAX);
  vs->pair[vs->npair++] = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->copied[i])
      continue;
    uint16_t code = c->p[i].code;
    if (BPF_SRC(code) != BPF_K ||
        (BPF_CLASS(code) != BPF_JMP && BPF_CLASS(code) != BPF_ALU &&
         code != (BPF_LD | BPF_IMM)) ||
        (BPF_CLASS(code) == BPF_JMP && BPF_OP(code) == BPF_JA))
      continue;
    uint32_t k = c->p[i].k;
    if (vs->npair < MAX_PAIR_VALUES)
      vs->pair[vs->npair++] = k;
    for (int64_t dk = -1; dk <= 1; dk++) {
      uint32_t w = (uint32_t)((int64_t)k + dk);
      add_value(vs, w);
      add_value(vs, 0xffffffff00000000ull | w);
      add_value(vs, (uint64_t)w << 32);
      add_value(vs, ((uint64_t)w << 32) | 0xffffffffu);
      add_value(vs, ((uint64_t)w << 32) | w);
    }
  }
}

static int check_args(struct compact *c, struct seccomp_data d,
                      const struct values *vs, uint64_t *seed) {
  for (int bg = 0; bg < 2; bg++)
    for (int i = 0; i < 6; i++)
      for (size_t j = 0; j < vs->n; j++) {
        for (int a = 0; a < 6; a++)
          d.args[a] = bg ? UINT64_MAX : 0;
        d.args[i] = vs->v[j];
        if (check_one(c, &d) < 0)
          return -1;
      }
  memset(d.args, 0, sizeof d.args);
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++)
      for (size_t x = 0; x < vs->npair; x++)
        for (size_t y = 0; y < vs->npair; y++) {
          d.args[i] = vs->pair[x];
          d.args[j] = vs->pair[y];
          if (check_one(c, &d) < 0)
            return -1;
          d.args[i] = d.args[j] = 0;
        }
  for (int r = 0; r < RANDOM_VECTORS; r++) {
    for (int a = 0; a < 6; a++)
      d.args[a] = vs->v[xorshift(seed) % vs->n];
    d.instruction_pointer = xorshift(seed);
    if (check_one(c, &d) < 0)
      return -1;
  }
  return 0;
}

/* The merged interval that holds nr. */
static const struct leaf *leaf_of(const struct block *b, uint32_t nr) {
  size_t lo = 0, hi = b->n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (nr >= b->iv[mid].start)
      lo = mid;
    else
      hi = mid;
  }
  return &b->iv[lo].leaf;
}

static int self_check(struct compact *c) {
  static const uint32_t nrs[] = {0, 1, 0x3fffffff, 0x40000000, UINT32_MAX};
  _cleanup_free_ struct values *vs = malloc(sizeof *vs);
  if (vs == NULL)
    return fail(c, "out of memory");
  arg_values(c, vs);
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  /* Every interval of arch, at both ends. */
  for (size_t i = 0; i < c->nbp; i++) {
    uint32_t ends[2] = {c->bp[i],
                        i + 1 < c->nbp ? c->bp[i + 1] - 1 : UINT32_MAX};
    for (int e = 0; e < 2; e++)
      for (size_t j = 0; j < sizeof nrs / sizeof nrs[0]; j++) {
        struct seccomp_data d = {.nr = (int)nrs[j], .arch = ends[e]};
        if (check_one(c, &d) < 0)
          return -1;
      }
  }
  /* Per listed architecture, every interval of nr at both ends, with
   * argument vectors where the result depends on them, and random nrs. */
  for (size_t b = 0; b < c->nblocks; b++) {
    const struct block *blk = &c->blocks[b];
    for (size_t i = 0; i < c->nbp; i++) {
      uint32_t ends[2] = {c->bp[i],
                          i + 1 < c->nbp ? c->bp[i + 1] - 1 : UINT32_MAX};
      for (int e = 0; e < 2; e++) {
        struct seccomp_data d = {.nr = (int)ends[e], .arch = blk->arch};
        if (check_one(c, &d) < 0)
          return -1;
        if (leaf_of(blk, ends[e])->kind == LEAF_TAINT &&
            check_args(c, d, vs, &seed) < 0)
          return -1;
      }
    }
    for (int r = 0; r < 1024; r++) {
      uint64_t x = xorshift(&seed);
      struct seccomp_data d = {.nr = (int)(uint32_t)(r & 1 ? x : x % 2048),
                               .arch = blk->arch};
      if (check_one(c, &d) < 0)
        return -1;
    }
  }
  return 0;
}

static void compact_free(struct compact *c) {
  free(c->bp);
  for (size_t b = 0; b < c->nblocks; b++)
    free(c->blocks[b].iv);
  free(c->copied);
  free(c->newpos);
  free(c->out);
}

int seccomp_compact(const struct sock_filter *p, size_t n,
                    struct sock_filter **out, size_t *out_n, char *note,
                    size_t note_len) {
  *out = NULL;
  *out_n = 0;
  if (note != NULL && note_len > 0)
    note[0] = '\0';
  struct compact c __attribute__((cleanup(compact_free))) = {
      .p = p, .n = n, .note = note, .note_len = note_len};
  if (n == 0 || n > BPF_MAXINSNS)
    return fail(&c, "a program of %zu instructions", n);
  if (collect_breakpoints(&c) < 0 || analyse_arches(&c) < 0)
    return -1;
  for (size_t b = 0; b < c.nblocks; b++)
    if (analyse_nr(&c, &c.blocks[b]) < 0)
      return -1;
  if (plan_copy(&c) < 0 || emit(&c) < 0 || self_check(&c) < 0)
    return -1;
  *out = steal_pointer(&c.out);
  *out_n = c.out_n;
  return 0;
}
