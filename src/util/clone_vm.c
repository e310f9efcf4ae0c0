/* clone3() for a child that shares our memory and runs on a stack of its
 * own, i.e. posix_spawn's CLONE_VM | CLONE_VFORK, but with clone3's
 * fields (CLONE_INTO_CGROUP). glibc 2.36 has no public clone3, and a raw
 * syscall() cannot do it: the child would return from syscall() onto the
 * new, empty stack. So the child's first instructions are ours: call
 * fn(arg) on the new stack and exit with its result, never returning.
 *
 * Only x86_64 has the trampoline; elsewhere clone3_on_stack() says ENOSYS
 * and the caller takes its older path. */
#include "util/clone_vm.h"

#include <errno.h>

#if defined(__x86_64__)
/* rdi = args, rsi = size (clone3's two arguments), rdx = fn, rcx = arg.
 * The kernel gives the child our registers but rax (0) and rsp (the top
 * of the new stack, 16-byte aligned as `call` expects); rcx and r11 are
 * the only ones `syscall` clobbers, so fn and arg travel in r8 and r9. */
__asm__(".text\n"
        ".globl minirt_clone3_trampoline\n"
        ".hidden minirt_clone3_trampoline\n"
        ".type minirt_clone3_trampoline,@function\n"
        "minirt_clone3_trampoline:\n"
        "  mov %rdx, %r8\n"
        "  mov %rcx, %r9\n"
        "  mov $435, %eax\n" /* __NR_clone3 */
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n" /* the end of the child's frame chain */
        "  mov %r9, %rdi\n"
        "  call *%r8\n"
        "  mov %eax, %edi\n"
        "  mov $60, %eax\n" /* __NR_exit */
        "  syscall\n"
        "  hlt\n"
        "1:\n"
        "  ret\n"
        ".size minirt_clone3_trampoline, .-minirt_clone3_trampoline\n");

long minirt_clone3_trampoline(struct clone_args *args, size_t size,
                              int (*fn)(void *), void *arg);

pid_t clone3_on_stack(struct clone_args *args, int (*fn)(void *), void *arg) {
  long r = minirt_clone3_trampoline(args, sizeof *args, fn, arg);
  if (r < 0) {
    errno = (int)-r;
    return -1;
  }
  return (pid_t)r;
}
#else
pid_t clone3_on_stack(struct clone_args *args, int (*fn)(void *), void *arg) {
  (void)args, (void)fn, (void)arg;
  errno = ENOSYS;
  return -1;
}
#endif
