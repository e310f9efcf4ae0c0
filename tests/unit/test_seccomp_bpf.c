/* The cBPF interpreter of seccomp_bpf.h on hand-written programs: every
 * opcode seccomp allows, what the kernel would refuse, and the trace mode
 * the compactor relies on (taint point, the rule that nr and arch are only
 * compared with constants). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stddef.h>

#include "linux/process/seccomp_bpf.h"

#define N(p) (sizeof(p) / sizeof((p)[0]))
#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP offsetof(struct seccomp_data, instruction_pointer)
#define OFF_ARG(i) offsetof(struct seccomp_data, args[i])

static uint32_t run_ok(const struct sock_filter *p, size_t n,
                       const struct seccomp_data *d) {
  uint32_t ret = 0xdeadbeef;
  int r = seccomp_bpf_run(p, n, d, &ret);
  cr_assert_eq(r, SECCOMP_BPF_RETURNED, "run: %d", r);
  return ret;
}

static int run_err(const struct sock_filter *p, size_t n) {
  struct seccomp_data d = {0};
  uint32_t ret;
  return seccomp_bpf_run(p, n, &d, &ret);
}

Test(seccomp_bpf, loads_and_compares) {
  struct sock_filter p[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARCH),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 100, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 10, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
  };
  struct seccomp_data d = {.arch = 0xc000003e};
  for (int nr = 0; nr < 200; nr++) {
    d.nr = nr;
    uint32_t want = nr >= 100 ? (nr & 1 ? SECCOMP_RET_TRAP : SECCOMP_RET_LOG)
                    : nr > 10 ? SECCOMP_RET_ERRNO | 1
                              : SECCOMP_RET_ALLOW;
    cr_assert_eq(run_ok(p, N(p), &d), want, "nr %d", nr);
  }
  d.arch = 0x40000003;
  cr_assert_eq(run_ok(p, N(p), &d), SECCOMP_RET_KILL_PROCESS);
}

Test(seccomp_bpf, args_and_ip_words) {
  struct sock_filter p[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARG(2) + 4), /* high word */
      BPF_STMT(BPF_MISC | BPF_TAX, 0),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_IP),
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  struct seccomp_data d = {.instruction_pointer = 0x100000007,
                           .args = {0, 0, 0x500000009}};
  cr_assert_eq(run_ok(p, N(p), &d), 7 + 5);
}

Test(seccomp_bpf, alu) {
  static const struct {
    uint16_t op;
    uint32_t a, k, want;
  } cases[] = {
      {BPF_ADD, 0xffffffff, 2, 1},
      {BPF_SUB, 1, 2, 0xffffffff},
      {BPF_MUL, 0x10000, 0x10000, 0},
      {BPF_MUL, 7, 6, 42},
      {BPF_DIV, 43, 6, 7},
      {BPF_AND, 0xf0f0, 0xff00, 0xf000},
      {BPF_OR, 0xf0, 0x0f, 0xff},
      {BPF_XOR, 0xff, 0x0f, 0xf0},
      {BPF_LSH, 1, 31, 0x80000000},
      {BPF_RSH, 0x80000000, 31, 1},
  };
  for (size_t i = 0; i < N(cases); i++)
    for (int x = 0; x < 2; x++) {
      /* The same operation with K and with X. */
      struct sock_filter p[] = {
          BPF_STMT(BPF_LDX | BPF_IMM, cases[i].k),
          BPF_STMT(BPF_LD | BPF_IMM, cases[i].a),
          BPF_STMT(BPF_ALU | cases[i].op | (x ? BPF_X : BPF_K),
                   x ? 0 : cases[i].k),
          BPF_STMT(BPF_RET | BPF_A, 0),
      };
      struct seccomp_data d = {0};
      cr_assert_eq(run_ok(p, N(p), &d), cases[i].want, "case %zu x %d", i, x);
    }
  struct sock_filter neg[] = {
      BPF_STMT(BPF_LD | BPF_IMM, 5),
      BPF_STMT(BPF_ALU | BPF_NEG, 0),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  struct seccomp_data d = {0};
  cr_assert_eq(run_ok(neg, N(neg), &d), (uint32_t)-5);
  /* A shift by X uses X's low 5 bits (the kernel's 32-bit ALU). */
  struct sock_filter shx[] = {
      BPF_STMT(BPF_LDX | BPF_IMM, 33),
      BPF_STMT(BPF_LD | BPF_IMM, 1),
      BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  cr_assert_eq(run_ok(shx, N(shx), &d), 2);
  /* Division by X = 0 ends the program with 0. */
  struct sock_filter div0[] = {
      BPF_STMT(BPF_LDX | BPF_IMM, 0),
      BPF_STMT(BPF_LD | BPF_IMM, 9),
      BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  cr_assert_eq(run_ok(div0, N(div0), &d), 0);
}

Test(seccomp_bpf, memory_registers_and_len) {
  struct sock_filter p[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),  /* A = 64 */
      BPF_STMT(BPF_ST, 3),                    /* M[3] = 64 */
      BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), /* X = 64 */
      BPF_STMT(BPF_LDX | BPF_IMM, 5),         /* X = 5 */
      BPF_STMT(BPF_STX, 15),                  /* M[15] = 5 */
      BPF_STMT(BPF_LD | BPF_MEM, 15),         /* A = 5 */
      BPF_STMT(BPF_LDX | BPF_MEM, 3),         /* X = 64 */
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0), /* A = 69 */
      BPF_STMT(BPF_MISC | BPF_TAX, 0),        /* X = 69 */
      BPF_STMT(BPF_LD | BPF_IMM, 0),          /* A = 0 */
      BPF_STMT(BPF_MISC | BPF_TXA, 0),        /* A = 69 */
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 1),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, 2),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1),
      BPF_STMT(BPF_JMP | BPF_JA, 1),
      BPF_STMT(BPF_RET | BPF_K, 3),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1),
      BPF_STMT(BPF_RET | BPF_A, 0),
      BPF_STMT(BPF_RET | BPF_K, 4),
  };
  struct seccomp_data d = {0};
  cr_assert_eq(run_ok(p, N(p), &d), 69);
}

Test(seccomp_bpf, refuses_what_the_kernel_refuses) {
  struct sock_filter off_end[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR)};
  cr_assert_eq(run_err(off_end, N(off_end)), -EINVAL);
  struct sock_filter jump_out[] = {
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(jump_out, N(jump_out)), -EINVAL);
  struct sock_filter ja_out[] = {
      BPF_STMT(BPF_JMP | BPF_JA, 0xffffffff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(ja_out, N(ja_out)), -EINVAL);
  struct sock_filter unaligned[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(unaligned, N(unaligned)), -EINVAL);
  struct sock_filter beyond[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(beyond, N(beyond)), -EINVAL);
  struct sock_filter byte_load[] = {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(byte_load, N(byte_load)), -EINVAL);
  struct sock_filter mod[] = {
      BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(mod, N(mod)), -EINVAL);
  struct sock_filter shift32[] = {
      BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(shift32, N(shift32)), -EINVAL);
  struct sock_filter div0[] = {
      BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(div0, N(div0)), -EINVAL);
  struct sock_filter slot[] = {
      BPF_STMT(BPF_ST, BPF_MEMWORDS),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  cr_assert_eq(run_err(slot, N(slot)), -EINVAL);
  cr_assert_eq(run_err(slot, 0), -EINVAL);
}

Test(seccomp_bpf, trace_stops_at_the_arguments) {
  struct sock_filter p[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARCH),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xc000003e, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_STMT(BPF_MISC | BPF_TAX, 0), /* moves keep the origin */
      BPF_STMT(BPF_STX, 2),
      BPF_STMT(BPF_LD | BPF_MEM, 2),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 41, 0, 1),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARG(0)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct seccomp_data d = {.arch = 0xc000003e, .nr = 41};
  struct seccomp_bpf_trace t;
  uint32_t ret;
  cr_assert_eq(seccomp_bpf_trace(p, N(p), &d, &ret, &t), SECCOMP_BPF_TAINTED);
  cr_assert_eq(t.pc, 8);
  cr_assert(t.branched_nr && t.branched_arch);
  d.nr = 42;
  cr_assert_eq(seccomp_bpf_trace(p, N(p), &d, &ret, &t), SECCOMP_BPF_RETURNED);
  cr_assert_eq(ret, SECCOMP_RET_ALLOW);
  d.arch = 1;
  cr_assert_eq(seccomp_bpf_trace(p, N(p), &d, &ret, &t), SECCOMP_BPF_RETURNED);
  cr_assert(!t.branched_nr && t.branched_arch);
  /* Without the trace the arguments are just read. */
  d.arch = 0xc000003e;
  d.nr = 41;
  cr_assert_eq(run_ok(p, N(p), &d), SECCOMP_RET_ALLOW);
}

Test(seccomp_bpf, trace_refuses_nr_used_otherwise) {
  struct sock_filter alu[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_filter jset[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 0, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_filter cmp_x[] = {
      BPF_STMT(BPF_LDX | BPF_IMM, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_ARCH),
      BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_filter x_from_nr[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_STMT(BPF_MISC | BPF_TAX, 0),
      BPF_STMT(BPF_LD | BPF_IMM, 1),
      BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_filter ret_a[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, OFF_NR),
      BPF_STMT(BPF_RET | BPF_A, 0),
  };
  struct {
    const struct sock_filter *p;
    size_t n;
  } progs[] = {{alu, N(alu)},
               {jset, N(jset)},
               {cmp_x, N(cmp_x)},
               {x_from_nr, N(x_from_nr)},
               {ret_a, N(ret_a)}};
  for (size_t i = 0; i < N(progs); i++) {
    struct seccomp_data d = {0};
    struct seccomp_bpf_trace t;
    uint32_t ret;
    cr_assert_eq(seccomp_bpf_trace(progs[i].p, progs[i].n, &d, &ret, &t),
                 -ENOTSUP, "program %zu", i);
    /* The plain run has no such rule. */
    cr_assert_eq(seccomp_bpf_run(progs[i].p, progs[i].n, &d, &ret),
                 SECCOMP_BPF_RETURNED, "program %zu", i);
  }
}
