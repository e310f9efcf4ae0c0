/* A clone3() child on its own stack, for CLONE_VM children (clone_vm.c). */
#ifndef MINIRT_UTIL_CLONE_VM_H
#define MINIRT_UTIL_CLONE_VM_H

#include <linux/sched.h>
#include <sys/types.h>

/* clone3(args); the child runs fn(arg) on args->stack and exits with what
 * it returns. Returns the child's pid, or -1 with errno (ENOSYS also where
 * this architecture has no trampoline). */
pid_t clone3_on_stack(struct clone_args *args, int (*fn)(void *), void *arg);

#endif
