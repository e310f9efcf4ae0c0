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

struct item;

struct block {
  uint32_t arch;
  struct interval *iv; /* P's result per interval of nr */
  size_t n;
  struct item *items; /* the same, as the search's leaves */
  size_t nitems;
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

#define fail(c, ...) seccomp_bpf_note((c)->note, (c)->note_len, __VA_ARGS__)

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
    struct leaf leaf = {0};
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
    struct leaf leaf = {0};
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

/* The search. Its leaves are "items": an interval of nr with one leaf,
 * except at up to MAX_EXCEPTIONS single syscall numbers inside it (a
 * syscall with its own action among neighbours with another), tested by a
 * JEQ each; so an isolated syscall costs one JEQ, as in libseccomp's
 * program, instead of two interval bounds. The items are searched by a
 * balanced tree of JGE (jt: the upper half). Where a subtree fits in 8-bit
 * jumps it is a "scope": its nodes and JEQ chains, then a pool of its
 * distinct leaves (RET, or JA into the copy), which they jump to directly.
 * Above that, a node jumps to its upper half (through a JA when the lower
 * half is too long) and falls through to its lower half. */

#define MAX_EXCEPTIONS 3
#define MAX_POOL (MAX_JUMP + 1)

struct item {
  uint32_t start;
  struct leaf leaf;
  size_t nexc;
  uint32_t exc_nr[MAX_EXCEPTIONS];
  struct leaf exc[MAX_EXCEPTIONS];
};

static bool is_point(const struct block *b, size_t i) {
  return i + 1 < b->n && b->iv[i + 1].start == b->iv[i].start + 1;
}

/* Folds runs of single numbers between two intervals with the same leaf
 * into one item. */
static int make_items(struct compact *c, struct block *b) {
  b->items = malloc(b->n * sizeof *b->items);
  if (b->items == NULL)
    return fail(c, "out of memory");
  b->nitems = 0;
  size_t i = 0;
  while (i < b->n) {
    struct item *it = &b->items[b->nitems++];
    *it = (struct item){.start = b->iv[i].start, .leaf = b->iv[i].leaf};
    i++;
    for (;;) {
      size_t j = i;
      while (j < b->n && is_point(b, j) &&
             !same_leaf(&b->iv[j].leaf, &it->leaf) &&
             j - i < MAX_EXCEPTIONS - it->nexc)
        j++;
      if (j == i || j >= b->n || !same_leaf(&b->iv[j].leaf, &it->leaf))
        break;
      for (size_t k = i; k < j; k++) {
        it->exc_nr[it->nexc] = b->iv[k].start;
        it->exc[it->nexc++] = b->iv[k].leaf;
      }
      i = j + 1;
    }
  }
  return 0;
}

static bool add_distinct(struct leaf *pool, size_t *n, const struct leaf *l) {
  for (size_t j = 0; j < *n; j++)
    if (same_leaf(&pool[j], l))
      return true;
  if (*n == MAX_POOL)
    return false;
  pool[(*n)++] = *l;
  return true;
}

/* The distinct leaves of it[lo, hi) in pool, or false past MAX_POOL. */
static bool distinct_leaves(const struct item *it, size_t lo, size_t hi,
                            struct leaf *pool, size_t *n) {
  *n = 0;
  for (size_t i = lo; i < hi; i++) {
    if (!add_distinct(pool, n, &it[i].leaf))
      return false;
    for (size_t e = 0; e < it[i].nexc; e++)
      if (!add_distinct(pool, n, &it[i].exc[e]))
        return false;
  }
  return true;
}

/* An item that is a bare leaf: a pool entry, or one instruction. */
static bool bare(const struct item *it, size_t lo, size_t hi) {
  return hi - lo == 1 && it[lo].nexc == 0;
}

/* The size of it[lo, hi) as a scope, or 0 if it is none. */
static size_t scope_size(const struct item *it, size_t lo, size_t hi) {
  if (bare(it, lo, hi) || hi - lo - 1 > MAX_POOL)
    return 0;
  struct leaf pool[MAX_POOL];
  size_t npool;
  if (!distinct_leaves(it, lo, hi, pool, &npool))
    return 0;
  size_t size = hi - lo - 1 + npool;
  for (size_t i = lo; i < hi; i++)
    size += it[i].nexc;
  return size <= MAX_POOL ? size : 0;
}

static size_t tree_size(const struct item *it, size_t lo, size_t hi) {
  if (bare(it, lo, hi))
    return 1;
  size_t s = scope_size(it, lo, hi);
  if (s > 0)
    return s;
  /* An item whose chain and pool exceed 8-bit jumps cannot be made of
   * MAX_EXCEPTIONS JEQ; so here hi - lo >= 2. */
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(it, lo, mid);
  return 1 + (left > MAX_JUMP) + left + tree_size(it, mid, hi);
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
  /* The small layout: tainted leaves jump straight to the copy, at
   * copy_at + direct[pc]; NULL: they are JA in the pool. */
  const size_t *direct;
  size_t copy_at;
};

/* The offset from the instruction at `here` to leaf l in the pool. */
static uint8_t to_pool(const struct scope *sc, const struct leaf *l,
                       size_t here) {
  if (l->kind == LEAF_TAINT && sc->direct != NULL)
    return (uint8_t)(sc->copy_at + sc->direct[l->v] - (here + 1));
  size_t j = 0;
  while (!same_leaf(&sc->pool[j], l))
    j++;
  return (uint8_t)(sc->pool_at + j - (here + 1));
}

/* JEQ per exception, then the item's own leaf. */
static void chain_emit(struct compact *c, const struct scope *sc,
                       const struct item *it, size_t *pos) {
  for (size_t e = 0; e < it->nexc; e++) {
    size_t here = (*pos)++;
    c->out[here] = insn(BPF_JMP | BPF_JEQ | BPF_K,
                        to_pool(sc, &it->exc[e], here), 0, it->exc_nr[e]);
    if (e + 1 == it->nexc)
      c->out[here].jf = to_pool(sc, &it->leaf, here);
  }
}

static void inner_emit(struct compact *c, const struct scope *sc,
                       const struct item *it, size_t lo, size_t hi,
                       size_t *pos) {
  if (hi - lo == 1) {
    chain_emit(c, sc, &it[lo], pos);
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  size_t here = (*pos)++;
  /* c->out is not reallocated: node stays valid. */
  struct sock_filter *node = &c->out[here];
  *node = insn(BPF_JMP | BPF_JGE | BPF_K, 0, 0, it[mid].start);
  if (bare(it, lo, mid))
    node->jf = to_pool(sc, &it[lo].leaf, here);
  else
    inner_emit(c, sc, it, lo, mid, pos);
  if (bare(it, mid, hi)) {
    node->jt = to_pool(sc, &it[mid].leaf, here);
  } else {
    node->jt = (uint8_t)(*pos - (here + 1));
    inner_emit(c, sc, it, mid, hi, pos);
  }
}

/* Emits the search at c->out[*pos]; a tainted leaf jumps to its taint
 * point's place in the copy, which starts at `copy`. */
static void tree_emit(struct compact *c, const struct item *it, size_t lo,
                      size_t hi, size_t *pos, size_t copy) {
  if (bare(it, lo, hi)) {
    c->out[*pos] = leaf_insn(c, &it[lo].leaf, *pos, copy);
    (*pos)++;
    return;
  }
  size_t s = scope_size(it, lo, hi);
  if (s > 0) {
    struct scope sc;
    distinct_leaves(it, lo, hi, sc.pool, &sc.npool);
    sc.pool_at = *pos + s - sc.npool;
    sc.direct = NULL;
    inner_emit(c, &sc, it, lo, hi, pos);
    for (size_t j = 0; j < sc.npool; j++, (*pos)++)
      c->out[*pos] = leaf_insn(c, &sc.pool[j], *pos, copy);
    return;
  }
  size_t mid = lo + (hi - lo) / 2;
  size_t left = tree_size(it, lo, mid);
  uint32_t k = it[mid].start;
  if (left > MAX_JUMP) {
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JGE | BPF_K, 0, 1, k);
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JA, 0, 0, (uint32_t)left);
  } else {
    c->out[(*pos)++] = insn(BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, k);
  }
  tree_emit(c, it, lo, mid, pos, copy);
  tree_emit(c, it, mid, hi, pos, copy);
}

/* The small layout, when everything fits in 8-bit jumps: ld arch; a JEQ
 * per architecture (the last one's jf: the unlisted result); per
 * architecture ld nr and its search; the copy; one pool of RET for all,
 * which the copy's jumps to a RET use too (its own RET go, unless an
 * instruction other than a jump falls through to one). */
struct small {
  struct scope sc;
  size_t *pos;   /* index in the copy of each kept instruction of P */
  bool *dropped; /* a copied RET replaced by the pool's */
  size_t kept, size;
};

static bool small_ret(const struct compact *c, size_t i) {
  if (c->p[i].code != (BPF_RET | BPF_K))
    return false;
  if (i == 0 || !c->copied[i - 1])
    return true;
  uint16_t cls = BPF_CLASS(c->p[i - 1].code);
  return cls == BPF_JMP || cls == BPF_RET;
}

static bool pool_add_ret(struct scope *sc, uint32_t v) {
  struct leaf l = {LEAF_RET, v};
  return add_distinct(sc->pool, &sc->npool, &l);
}

static bool pool_add_item(struct scope *sc, const struct item *it) {
  if (it->leaf.kind == LEAF_RET && !pool_add_ret(sc, it->leaf.v))
    return false;
  for (size_t e = 0; e < it->nexc; e++)
    if (it->exc[e].kind == LEAF_RET && !pool_add_ret(sc, it->exc[e].v))
      return false;
  return true;
}

static bool small_layout(const struct compact *c, struct small *sm) {
  struct scope *sc = &sm->sc;
  if (c->nblocks == 0)
    return false;
  size_t total = 1 + c->nblocks;
  sc->npool = 0;
  if (!pool_add_ret(sc, c->bad_arch))
    return false;
  for (size_t b = 0; b < c->nblocks; b++) {
    const struct block *blk = &c->blocks[b];
    if (!bare(blk->items, 0, blk->nitems))
      total += blk->nitems; /* ld nr, the JGE nodes */
    for (size_t i = 0; i < blk->nitems; i++) {
      total += blk->items[i].nexc;
      if (!pool_add_item(sc, &blk->items[i]))
        return false;
    }
  }
  sc->copy_at = total;
  sm->kept = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->copied[i])
      continue;
    sm->dropped[i] = small_ret(c, i);
    if (sm->dropped[i] && !pool_add_ret(sc, c->p[i].k))
      return false;
    if (!sm->dropped[i])
      sm->pos[i] = sm->kept++;
  }
  total += sm->kept;
  sc->pool_at = total;
  total += sc->npool;
  if (total > MAX_POOL)
    return false;
  sc->direct = sm->pos;
  sm->size = total;
  return true;
}

/* Where a jump of the copy to P's instruction t lands. */
static size_t small_target(const struct compact *c, const struct small *sm,
                           size_t t) {
  if (!sm->dropped[t])
    return sm->sc.copy_at + sm->pos[t];
  struct leaf l = {LEAF_RET, c->p[t].k};
  return sm->sc.pool_at + to_pool(&sm->sc, &l, sm->sc.pool_at - 1);
}

static void small_emit(struct compact *c, const struct small *sm) {
  const struct scope *sc = &sm->sc;
  size_t at = 1 + c->nblocks; /* where the next block starts */
  for (size_t b = 0; b < c->nblocks; b++) {
    const struct block *blk = &c->blocks[b];
    size_t here = 1 + b;
    c->out[here] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, blk->arch);
    if (bare(blk->items, 0, blk->nitems)) {
      c->out[here].jt = to_pool(sc, &blk->items[0].leaf, here);
    } else {
      c->out[here].jt = (uint8_t)(at - (here + 1));
      at += blk->nitems;
      for (size_t i = 0; i < blk->nitems; i++)
        at += blk->items[i].nexc;
    }
  }
  struct leaf bad = {LEAF_RET, c->bad_arch};
  c->out[c->nblocks].jf = to_pool(sc, &bad, c->nblocks);
  size_t pos = 1 + c->nblocks;
  for (size_t b = 0; b < c->nblocks; b++) {
    const struct block *blk = &c->blocks[b];
    if (bare(blk->items, 0, blk->nitems))
      continue;
    c->out[pos++] =
        insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    inner_emit(c, sc, blk->items, 0, blk->nitems, &pos);
  }
  for (size_t i = 0; i < c->n; i++) {
    if (!c->copied[i] || sm->dropped[i])
      continue;
    struct sock_filter in = c->p[i];
    if (BPF_CLASS(in.code) == BPF_JMP) {
      if (BPF_OP(in.code) == BPF_JA) {
        in.k = (uint32_t)(small_target(c, sm, i + 1 + in.k) - (pos + 1));
      } else {
        in.jt = (uint8_t)(small_target(c, sm, i + 1 + in.jt) - (pos + 1));
        in.jf = (uint8_t)(small_target(c, sm, i + 1 + in.jf) - (pos + 1));
      }
    }
    c->out[pos++] = in;
  }
  for (size_t j = 0; j < sc->npool; j++, pos++)
    c->out[pos] = insn(BPF_RET | BPF_K, 0, 0, sc->pool[j].v);
  c->out_n = pos;
}

/* The general layout: ld arch; per architecture a JEQ to its block (with
 * a JA when that is too far); ret for the unlisted ones; per architecture
 * ld nr and its search, pools per scope; the copy. */
static size_t large_size(const struct compact *c, bool far[MAX_ARCHES],
                         size_t start[MAX_ARCHES]) {
  for (size_t b = 0; b < c->nblocks; b++)
    far[b] = false;
  for (;;) {
    size_t head = 1 + c->nblocks + 1, total;
    for (size_t b = 0; b < c->nblocks; b++)
      head += far[b];
    total = head;
    for (size_t b = 0; b < c->nblocks; b++) {
      start[b] = total;
      total += 1 + tree_size(c->blocks[b].items, 0, c->blocks[b].nitems);
    }
    /* Growing the head only moves the blocks further: at most nblocks
     * rounds. */
    bool changed = false;
    size_t here = 1;
    for (size_t b = 0; b < c->nblocks; b++) {
      if (!far[b] && start[b] - (here + 1) > MAX_JUMP) {
        far[b] = true;
        changed = true;
      }
      here += 1 + far[b];
    }
    if (!changed)
      return total + c->ncopy;
  }
}

static void large_emit(struct compact *c, const bool far[MAX_ARCHES],
                       const size_t start[MAX_ARCHES], size_t copy) {
  size_t pos = 1;
  for (size_t b = 0; b < c->nblocks; b++) {
    size_t here = pos++;
    if (far[b]) {
      c->out[here] = insn(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, c->blocks[b].arch);
      c->out[pos] =
          insn(BPF_JMP | BPF_JA, 0, 0, (uint32_t)(start[b] - (pos + 1)));
      pos++;
    } else {
      c->out[here] =
          insn(BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(start[b] - (here + 1)), 0,
               c->blocks[b].arch);
    }
  }
  c->out[pos++] = insn(BPF_RET | BPF_K, 0, 0, c->bad_arch);
  for (size_t b = 0; b < c->nblocks; b++) {
    c->out[pos++] =
        insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
    tree_emit(c, c->blocks[b].items, 0, c->blocks[b].nitems, &pos, copy);
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
}

static int emit(struct compact *c) {
  _cleanup_free_ struct small *sm = calloc(1, sizeof *sm);
  _cleanup_free_ size_t *pos = calloc(c->n, sizeof *pos);
  _cleanup_free_ bool *dropped = calloc(c->n, sizeof *dropped);
  if (sm == NULL || pos == NULL || dropped == NULL)
    return fail(c, "out of memory");
  sm->pos = pos;
  sm->dropped = dropped;
  bool far[MAX_ARCHES];
  size_t start[MAX_ARCHES];
  bool small = small_layout(c, sm);
  size_t total = small ? sm->size : large_size(c, far, start);
  if (total >= c->n)
    return fail(c, "not shorter (%zu instructions, libseccomp's %zu)", total,
                c->n);
  c->out = calloc(total, sizeof *c->out);
  if (c->out == NULL)
    return fail(c, "out of memory");
  c->out[0] =
      insn(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
  if (small)
    small_emit(c, sm);
  else
    large_emit(c, far, start, total - c->ncopy);
  if (c->out_n != total)
    return fail(c, "internal: %zu instructions emitted, %zu planned", c->out_n,
                total);

  return 0;
}

static void compact_free(struct compact *c) {
  free(c->bp);
  for (size_t b = 0; b < c->nblocks; b++) {
    free(c->blocks[b].iv);
    free(c->blocks[b].items);
  }
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
    if (analyse_nr(&c, &c.blocks[b]) < 0 || make_items(&c, &c.blocks[b]) < 0)
      return -1;
  if (plan_copy(&c) < 0 || emit(&c) < 0 ||
      seccomp_bpf_compare(p, n, c.out, c.out_n, note, note_len) < 0)
    return -1;
  *out = steal_pointer(&c.out);
  *out_n = c.out_n;
  return 0;
}
