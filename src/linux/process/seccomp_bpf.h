/* Classic BPF as seccomp runs it, in pure C (no syscalls): an interpreter
 * over struct seccomp_data, and the compactor that rewrites libseccomp's
 * program into a shorter one with the same result for every input. Both
 * serve seccomp_compile_bpf() (seccomp.c); the unit tests drive them
 * directly. docs/security.md says why the rewrite is exact. */
#ifndef MINIRT_LINUX_PROCESS_SECCOMP_BPF_H
#define MINIRT_LINUX_PROCESS_SECCOMP_BPF_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a value in A, X or M[] was loaded from, for the compactor's
 * analysis: the raw syscall number, the raw architecture, or neither. */
enum {
  SECCOMP_DEP_NR = 1,
  SECCOMP_DEP_ARCH = 2,
};

/* Filled by seccomp_bpf_trace(). */
struct seccomp_bpf_trace {
  int pc;             /* the taint point: the load of ip or args */
  bool branched_nr;   /* a jump was decided by the syscall number */
  bool branched_arch; /* ... by the architecture */
};

enum {
  SECCOMP_BPF_RETURNED = 0, /* *ret holds the program's result */
  SECCOMP_BPF_TAINTED = 1,  /* stopped at a load of ip or args (trace) */
};

/* Writes the reason into note (note_len bytes; nothing when NULL or 0) and
 * returns -1: how the compactor and its check say why P is kept. */
int seccomp_bpf_note(char *note, size_t note_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Runs the program on `d` as the kernel would (after its
 * seccomp_check_filter(): only the opcodes it allows, LD LEN as
 * sizeof(struct seccomp_data), aligned 32-bit loads inside it). Returns
 * SECCOMP_BPF_RETURNED with *ret set, or -EINVAL for a program the kernel
 * would refuse or that leaves its end (a jump out of it, an opcode seccomp
 * does not allow, a shift of 32 or more, a constant division by zero). */
int seccomp_bpf_run(const struct sock_filter *p, size_t n,
                    const struct seccomp_data *d, uint32_t *ret);

/* Like seccomp_bpf_run(), but stops (SECCOMP_BPF_TAINTED, t->pc set) at
 * the first load of instruction_pointer or args, and follows where every
 * value came from: a value loaded from `nr` or `arch` may only be moved
 * (TAX, TXA, ST, STX, LD/LDX MEM) and compared with a constant by JEQ, JGT
 * or JGE; anything else done with it (ALU, JSET, a compare with X, RET A)
 * fails with -ENOTSUP. Under that rule the path taken depends on nr and
 * arch only through those comparisons. */
int seccomp_bpf_trace(const struct sock_filter *p, size_t n,
                      const struct seccomp_data *d, uint32_t *ret,
                      struct seccomp_bpf_trace *t);

/* The compactor. Given libseccomp's program p (n instructions), builds a
 * program (malloc'd *out, *out_n instructions) that returns what p returns
 * for every seccomp_data: a search on the architecture, then per
 * architecture a balanced binary search on the syscall number over the
 * intervals on which p's path does not change, with p's own return values
 * as leaves, and for the syscalls whose result depends on their arguments
 * a jump into a relocated copy of the part of p that decides it. Every
 * result is checked against p in the interpreter before it is returned.
 * Returns 0 with the new program, or -1 with a reason in note (then p is to
 * be used as it is). Pure: no syscalls. */
int seccomp_compact(const struct sock_filter *p, size_t n,
                    struct sock_filter **out, size_t *out_n, char *note,
                    size_t note_len);

/* Runs p and q side by side in the interpreter: every interval of arch
 * between p's constants at both ends; for each arch where p depends on nr,
 * every interval of nr at both ends and random nrs; where p loads the
 * arguments, argument vectors made from the constants of p's argument
 * checks (each, +-1, in either 32-bit half, one or two arguments at a time,
 * the others 0 or ~0, and random ones). 0 if they agree, else -1 with the
 * first difference in note. Pure. */
int seccomp_bpf_compare(const struct sock_filter *p, size_t n,
                        const struct sock_filter *q, size_t qn, char *note,
                        size_t note_len);

#endif
