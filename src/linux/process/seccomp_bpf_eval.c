/* The classic BPF interpreter of seccomp_bpf.h. It follows the kernel's
 * seccomp_check_filter() and bpf_check_classic() for what a program may
 * hold, and its BPF conversion for what each opcode computes (32-bit
 * unsigned arithmetic, a division by X = 0 ends the program with 0, a
 * shift by X uses its low 5 bits). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "linux/process/seccomp_bpf.h"

struct vm {
  uint32_t a, x, m[BPF_MEMWORDS];
  /* With a trace: SECCOMP_DEP_* of each register. */
  unsigned da, dx, dm[BPF_MEMWORDS];
};

static uint32_t load_word(const struct seccomp_data *d, uint32_t off) {
  uint32_t w;
  memcpy(&w, (const char *)d + off, sizeof w);
  return w;
}

/* ALU on A; -EINVAL for what the kernel refuses, 1 for the division by
 * X = 0 that ends the program. */
static int alu(struct vm *v, uint16_t code, uint32_t k) {
  uint32_t src = BPF_SRC(code) == BPF_X ? v->x : k;
  switch (BPF_OP(code)) {
  case BPF_ADD:
    v->a += src;
    break;
  case BPF_SUB:
    v->a -= src;
    break;
  case BPF_MUL:
    v->a *= src;
    break;
  case BPF_DIV:
    if (src == 0)
      return BPF_SRC(code) == BPF_X ? 1 : -EINVAL;
    v->a /= src;
    break;
  case BPF_AND:
    v->a &= src;
    break;
  case BPF_OR:
    v->a |= src;
    break;
  case BPF_XOR:
    v->a ^= src;
    break;
  case BPF_LSH:
  case BPF_RSH:
    if (BPF_SRC(code) == BPF_K && k >= 32)
      return -EINVAL;
    src &= 31;
    v->a = BPF_OP(code) == BPF_LSH ? v->a << src : v->a >> src;
    break;
  case BPF_NEG:
    if (BPF_SRC(code) != BPF_K)
      return -EINVAL;
    v->a = -v->a;
    break;
  default:
    return -EINVAL;
  }
  return 0;
}

/* The offset of the next instruction after a jump at pc, or -EINVAL. */
static int jump(const struct sock_filter *in, int pc, size_t n, struct vm *v,
                struct seccomp_bpf_trace *t) {
  uint16_t code = in->code;
  if (BPF_OP(code) == BPF_JA) {
    if (BPF_SRC(code) != BPF_K)
      return -EINVAL;
    return (size_t)pc + 1 + in->k < n ? (int)(pc + 1 + (int)in->k) : -EINVAL;
  }
  uint32_t src = BPF_SRC(code) == BPF_X ? v->x : in->k;
  if (t != NULL) {
    /* Only a raw nr or arch compared with a constant keeps the path a
     * function of intervals of nr and arch. */
    if (BPF_SRC(code) == BPF_X ? (v->da | v->dx) != 0
                               : (v->da != 0 && BPF_OP(code) == BPF_JSET))
      return -ENOTSUP;
    if (v->da & SECCOMP_DEP_NR)
      t->branched_nr = true;
    if (v->da & SECCOMP_DEP_ARCH)
      t->branched_arch = true;
  }
  bool taken;
  switch (BPF_OP(code)) {
  case BPF_JEQ:
    taken = v->a == src;
    break;
  case BPF_JGT:
    taken = v->a > src;
    break;
  case BPF_JGE:
    taken = v->a >= src;
    break;
  case BPF_JSET:
    taken = (v->a & src) != 0;
    break;
  default:
    return -EINVAL;
  }
  size_t next = (size_t)pc + 1 + (taken ? in->jt : in->jf);
  return next < n ? (int)next : -EINVAL;
}

static int run(const struct sock_filter *p, size_t n,
               const struct seccomp_data *d, uint32_t *ret,
               struct seccomp_bpf_trace *t) {
  struct vm v;
  memset(&v, 0, sizeof v);
  if (n == 0 || n > BPF_MAXINSNS)
    return -EINVAL;
  if (t != NULL)
    *t = (struct seccomp_bpf_trace){.pc = -1};
  int pc = 0;
  /* Jumps go forward only, so at most n steps. */
  for (;;) {
    const struct sock_filter *in = &p[pc];
    uint32_t k = in->k;
    int next = pc + 1;
    switch (in->code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (k >= sizeof(struct seccomp_data) || (k & 3) != 0)
        return -EINVAL;
      if (t != NULL &&
          k >= offsetof(struct seccomp_data, instruction_pointer)) {
        t->pc = pc;
        return SECCOMP_BPF_TAINTED;
      }
      v.a = load_word(d, k);
      v.da = k == offsetof(struct seccomp_data, nr)     ? SECCOMP_DEP_NR
             : k == offsetof(struct seccomp_data, arch) ? SECCOMP_DEP_ARCH
                                                        : 0;
      break;
    case BPF_LD | BPF_W | BPF_LEN:
      v.a = sizeof(struct seccomp_data);
      v.da = 0;
      break;
    case BPF_LDX | BPF_W | BPF_LEN:
      v.x = sizeof(struct seccomp_data);
      v.dx = 0;
      break;
    case BPF_LD | BPF_IMM:
      v.a = k;
      v.da = 0;
      break;
    case BPF_LDX | BPF_IMM:
      v.x = k;
      v.dx = 0;
      break;
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
      if (k >= BPF_MEMWORDS)
        return -EINVAL;
      if (in->code == (BPF_LD | BPF_MEM)) {
        v.a = v.m[k];
        v.da = v.dm[k];
      } else if (in->code == (BPF_LDX | BPF_MEM)) {
        v.x = v.m[k];
        v.dx = v.dm[k];
      } else if (in->code == BPF_ST) {
        v.m[k] = v.a;
        v.dm[k] = v.da;
      } else {
        v.m[k] = v.x;
        v.dm[k] = v.dx;
      }
      break;
    case BPF_MISC | BPF_TAX:
      v.x = v.a;
      v.dx = v.da;
      break;
    case BPF_MISC | BPF_TXA:
      v.a = v.x;
      v.da = v.dx;
      break;
    case BPF_RET | BPF_K:
      *ret = k;
      return SECCOMP_BPF_RETURNED;
    case BPF_RET | BPF_A:
      if (t != NULL && v.da != 0)
        return -ENOTSUP;
      *ret = v.a;
      return SECCOMP_BPF_RETURNED;
    default:
      if (BPF_CLASS(in->code) == BPF_ALU) {
        if (t != NULL &&
            (v.da != 0 || (BPF_SRC(in->code) == BPF_X &&
                           BPF_OP(in->code) != BPF_NEG && v.dx != 0)))
          return -ENOTSUP;
        int r = alu(&v, in->code, k);
        if (r < 0)
          return r;
        if (r == 1) {
          *ret = 0;
          return SECCOMP_BPF_RETURNED;
        }
      } else if (BPF_CLASS(in->code) == BPF_JMP) {
        next = jump(in, pc, n, &v, t);
        if (next < 0)
          return next;
      } else {
        return -EINVAL;
      }
    }
    if ((size_t)next >= n)
      return -EINVAL;
    pc = next;
  }
}

int seccomp_bpf_run(const struct sock_filter *p, size_t n,
                    const struct seccomp_data *d, uint32_t *ret) {
  return run(p, n, d, ret, NULL);
}

int seccomp_bpf_trace(const struct sock_filter *p, size_t n,
                      const struct seccomp_data *d, uint32_t *ret,
                      struct seccomp_bpf_trace *t) {
  return run(p, n, d, ret, t);
}

int seccomp_bpf_note(char *note, size_t note_len, const char *fmt, ...) {
  if (note != NULL && note_len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(note, note_len, fmt, ap);
    va_end(ap);
  }
  return -1;
}
