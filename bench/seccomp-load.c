/* The kernel's cost of loading a seccomp filter: libseccomp's program for
 * a profile against minirt's compacted one (src/linux/process/
 * seccomp_compact.c), each loaded by seccomp(SECCOMP_SET_MODE_FILTER) in
 * a fresh forked child, interleaved, timed around the call alone.
 *
 *   build/bench/seccomp-load CONFIG.json [ROUNDS]
 *
 * CONFIG.json is a bundle's config (its linux.seccomp is used), e.g. made
 * by bench/podman-config.sh. Prints the instruction counts and the median
 * and mean load time of each program, then what a syscall costs under
 * each (the best of 5 x 200,000 calls, in a child with the filter loaded):
 * getppid, which the kernel's action cache answers without the filter on
 * podman-like profiles, personality(0xffffffff), whose result depends on
 * an argument, and add_key(NULL), which podman's profile refuses by its
 * default. Built by meson, not installed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/process/seccomp.h"
#include "util/fs.h"

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The ns one load took in a child, or -1. */
static long long load_once(const struct sock_filter *p, size_t n) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0)
    return -1;
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    struct sock_fprog prog = {.len = (unsigned short)n,
                              .filter = (struct sock_filter *)p};
    long long r = -1;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
      long long t0 = now_ns();
      long ok = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
      long long t1 = now_ns();
      r = ok == 0 ? t1 - t0 : -1;
    }
    /* write and _exit are allowed by any profile worth measuring; if not,
     * the parent sees a short read. */
    if (write(fds[1], &r, sizeof r) != sizeof r)
      _exit(1);
    _exit(0);
  }
  close(fds[1]);
  long long r = -1;
  if (read(fds[0], &r, sizeof r) != sizeof r)
    r = -1;
  close(fds[0]);
  int st;
  waitpid(pid, &st, 0);
  return r;
}

/* Prints the ns per call of a few syscalls under the program. */
static void syscall_cost(const char *what, const struct sock_filter *p,
                         size_t n) {
  static const struct {
    long nr, arg;
    const char *name;
  } calls[] = {
      {SYS_getppid, 0, "getppid"},
      {SYS_personality, 0xffffffff, "personality(query)"},
      {SYS_add_key, 0, "add_key(NULL)"},
  };
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0)
    return;
  if (pid == 0) {
    struct sock_fprog prog = {.len = (unsigned short)n,
                              .filter = (struct sock_filter *)p};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      _exit(1);
    for (size_t c = 0; c < sizeof calls / sizeof calls[0]; c++) {
      long long best = -1;
      for (int rep = 0; rep < 5; rep++) {
        long long t0 = now_ns();
        for (int i = 0; i < 200000; i++)
          syscall(calls[c].nr, calls[c].arg, 0, 0, 0, 0);
        long long t = now_ns() - t0;
        if (best < 0 || t < best)
          best = t;
      }
      printf("%-12s %-20s %6.1f ns per call\n", what, calls[c].name,
             best / 200000.0);
    }
    fflush(stdout);
    _exit(0);
  }
  int st;
  waitpid(pid, &st, 0);
}

static int cmp_ll(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, size_t n, long long *t, int rounds) {
  qsort(t, (size_t)rounds, sizeof *t, cmp_ll);
  long long sum = 0;
  for (int i = 0; i < rounds; i++)
    sum += t[i];
  printf("%-12s %5zu instructions: median %7.1f us, mean %7.1f us, "
         "min %7.1f us (%d loads)\n",
         what, n, t[rounds / 2] / 1000.0, sum / 1000.0 / rounds, t[0] / 1000.0,
         rounds);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: seccomp-load CONFIG.json [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? atoi(argv[2]) : 200;
  if (rounds < 1)
    rounds = 1;
  char *data;
  size_t len;
  struct minirt_error err = {0, NULL};
  struct oci_config *cfg;
  if (read_file(argv[1], 64u << 20, &data, &len, &err) < 0 ||
      oci_config_parse(data, len, &cfg, &err) < 0) {
    fprintf(stderr, "seccomp-load: %s\n", err.msg);
    return 1;
  }
  if (cfg->linux_ == NULL || cfg->linux_->seccomp == NULL) {
    fprintf(stderr, "seccomp-load: `%s` has no linux.seccomp\n", argv[1]);
    return 1;
  }
  struct sock_filter *p, *c;
  size_t np, nc;
  if (seccomp_compile_bpf_libseccomp(cfg->linux_->seccomp, &p, &np, &err) < 0 ||
      seccomp_compile_bpf(cfg->linux_->seccomp, &c, &nc, &err) < 0) {
    fprintf(stderr, "seccomp-load: %s\n", err.msg);
    return 1;
  }
  long long *tp = calloc((size_t)rounds, sizeof *tp);
  long long *tc = calloc((size_t)rounds, sizeof *tc);
  if (tp == NULL || tc == NULL)
    return 1;
  for (int i = 0; i < rounds; i++) {
    /* Interleaved, so both see the same machine. */
    tp[i] = load_once(p, np);
    tc[i] = load_once(c, nc);
    if (tp[i] < 0 || tc[i] < 0) {
      fprintf(stderr, "seccomp-load: a load failed (round %d)\n", i);
      return 1;
    }
  }
  report("libseccomp", np, tp, rounds);
  report("compacted", nc, tc, rounds);
  syscall_cost("libseccomp", p, np);
  syscall_cost("compacted", c, nc);
  free(tp);
  free(tc);
  free(p);
  free(c);
  oci_config_free(cfg);
  free(data);
  return 0;
}
