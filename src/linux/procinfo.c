#include "linux/procinfo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

int proc_stat(pid_t pid, uint64_t *start_time, char *state,
              struct minirt_error *err) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  _cleanup_free_ char *buf = NULL;
  struct minirt_error e = {0};
  int ret = read_file(path, 8192, &buf, NULL, &e);
  minirt_error_clear(&e);
  if (ret < 0)
    return ret == -ENOENT ? -ESRCH : minirt_fail(err, -ret, "read `%s`", path);
  /* comm may hold spaces and parentheses: parse after the last ')'. */
  char *p = strrchr(buf, ')');
  if (p == NULL || p[1] != ' ')
    return minirt_fail_msg(err, EINVAL, "`%s`: unexpected format", path);
  p += 2;
  if (state != NULL)
    *state = *p;
  /* p is field 3; start time is field 22. */
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (p == NULL)
      return minirt_fail_msg(err, EINVAL, "`%s`: unexpected format", path);
    p++;
  }
  if (start_time != NULL)
    *start_time = strtoull(p, NULL, 10);
  return 0;
}

bool proc_is_same_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0)
    return false;
  uint64_t st;
  char state;
  if (proc_stat(pid, &st, &state, NULL) < 0)
    return false;
  return st == start_time && state != 'Z' && state != 'X';
}

int proc_pidfd(pid_t pid, uint64_t start_time, int *fd,
               struct minirt_error *err) {
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0)
    return minirt_fail(err, errno, "pidfd_open %d", (int)pid);
  /* Checked after opening: the pidfd pins this very process. */
  if (!proc_is_same_alive(pid, start_time)) {
    close(pfd);
    return minirt_fail_msg(err, ESRCH, "process %d is gone", (int)pid);
  }
  *fd = pfd;
  return 0;
}

int proc_wait_gone(pid_t pid, uint64_t start_time, int timeout_ms) {
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0)
    return 0; /* already gone */
  int ret = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (proc_is_same_alive(pid, start_time)) {
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    /* A zombie makes the pidfd readable; proc_is_same_alive sees 'Z'. */
    int r = poll(&p, 1, 20);
    (void)r;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long ms = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
    if (ms > timeout_ms) {
      ret = -ETIMEDOUT;
      break;
    }
  }
  close(pfd);
  return ret;
}

static int pidns_of(const char *pid, char *buf, size_t size) {
  char path[300];
  snprintf(path, sizeof path, "/proc/%.255s/ns/pid", pid);
  ssize_t n = readlink(path, buf, size - 1);
  if (n < 0)
    return -errno;
  buf[n] = '\0';
  return 0;
}

static int cmp_pid(const void *a, const void *b) {
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

int proc_pidns_members(pid_t init, pid_t **pids, size_t *n,
                       struct minirt_error *err) {
  *pids = NULL;
  *n = 0;
  char want[64], self[64], init_s[16];
  snprintf(init_s, sizeof init_s, "%d", (int)init);
  if (pidns_of(init_s, want, sizeof want) < 0)
    return minirt_fail(err, errno, "read the pid namespace of %d", (int)init);
  bool shared = pidns_of("self", self, sizeof self) == 0 &&
                strcmp(self, want) == 0;
  size_t cap = 16;
  pid_t *v = malloc(cap * sizeof *v);
  if (v == NULL)
    return minirt_fail(err, ENOMEM, "pid list");
  v[(*n)++] = init;
  /* Sharing our pid namespace, "its processes" would be every process of
   * the host: the init alone is the container's then. */
  DIR *d = shared ? NULL : opendir("/proc");
  if (!shared && d == NULL) {
    free(v);
    *n = 0;
    return minirt_fail(err, errno, "open `/proc`");
  }
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
    char *end;
    long p = strtol(e->d_name, &end, 10);
    char ns[64];
    if (*end != '\0' || p <= 0 || p == init ||
        pidns_of(e->d_name, ns, sizeof ns) < 0 || strcmp(ns, want) != 0)
      continue;
    if (*n == cap) {
      pid_t *nv = realloc(v, 2 * cap * sizeof *v);
      if (nv == NULL) {
        closedir(d);
        free(v);
        *n = 0;
        return minirt_fail(err, ENOMEM, "pid list");
      }
      v = nv;
      cap *= 2;
    }
    v[(*n)++] = (pid_t)p;
  }
  if (d != NULL)
    closedir(d);
  qsort(v, *n, sizeof *v, cmp_pid);
  *pids = v;
  return 0;
}
