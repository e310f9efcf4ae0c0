/* A tiny static helper the integration tests copy into a container to look
 * at what busybox cannot show: raw syscalls and their errno, the session
 * keyring, the personality and the I/O priority of the calling process.
 *   probe sys NR [ARG...]  -> "ok RET" or "errno N"
 *   probe sys32 NR [ARG...] -> the same through int $0x80, the i386 entry
 *                              (seccomp sees AUDIT_ARCH_I386); x86_64 only
 *   probe keyring          -> the session keyring's serial
 *   probe personality      -> the personality as hex
 *   probe ioprio           -> "CLASS DATA" of this process */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

static int do_sys(int argc, char **argv) {
  long a[6] = {0};
  long nr = strtol(argv[2], NULL, 0);
  for (int i = 3; i < argc && i < 9; i++)
    a[i - 3] = (long)strtoul(argv[i], NULL, 0);
  errno = 0;
  long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (r == -1 && errno != 0)
    printf("errno %d\n", errno);
  else
    printf("ok %ld\n", r);
  return 0;
}

static int do_sys32(int argc, char **argv) {
#if defined(__x86_64__)
  long a[5] = {0};
  long nr = strtol(argv[2], NULL, 0);
  for (int i = 3; i < argc && i < 8; i++)
    a[i - 3] = (long)strtoul(argv[i], NULL, 0);
  long r;
  /* Five arguments: the sixth (ebp) would need saving the frame pointer. */
  __asm__ volatile("int $0x80"
                   : "=a"(r)
                   : "a"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]),
                     "D"(a[4])
                   : "memory");
  if (r < 0 && r > -4096)
    printf("errno %ld\n", -r);
  else
    printf("ok %ld\n", r);
  return 0;
#else
  (void)argc;
  (void)argv;
  fprintf(stderr, "probe: sys32 is for x86_64\n");
  return 2;
#endif
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "sys") == 0)
    return do_sys(argc, argv);
  if (argc >= 3 && strcmp(argv[1], "sys32") == 0)
    return do_sys32(argc, argv);
  if (argc == 2 && strcmp(argv[1], "keyring") == 0) {
    /* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, not creating it. */
    long id = syscall(SYS_keyctl, 0, -3, 0);
    if (id < 0) {
      printf("errno %d\n", errno);
      return 1;
    }
    printf("%ld\n", id);
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "personality") == 0) {
    printf("0x%x\n", (unsigned)personality(0xffffffff));
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "ioprio") == 0) {
    /* IOPRIO_WHO_PROCESS, this process. */
    long p = syscall(SYS_ioprio_get, 1, 0);
    if (p < 0) {
      printf("errno %d\n", errno);
      return 1;
    }
    printf("%ld %ld\n", p >> 13, p & 0x1fff);
    return 0;
  }
  fprintf(stderr, "usage: probe sys|sys32 NR [ARG...] | keyring | personality | ioprio\n");
  return 2;
}
