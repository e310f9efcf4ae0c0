/* The files of the seccomp cache. A cached program is loaded into a
 * container as its filter, so one we did not write must never be used:
 * the directory and each file are checked on their open fds (owner = our
 * euid, no group/other write, no symlink followed), and the header and the
 * checksum catch a torn or damaged file. Nothing here fails the container:
 * every problem is a note and a compile. */
#include "linux/process/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

static const uint8_t magic[8] = {'M', 'R', 'T', 'S', 'E', 'C', 'C', '\n'};
#define OFF_VERSION 8
#define OFF_FLAGS 12
#define OFF_KEY 16
#define OFF_LENGTH 48
#define OFF_CHECKSUM 56
/* A temp file older than this is a leftover of a killed runtime. */
#define STALE_TEMP_SECONDS 60
/* A hit younger than this does not touch the entry's mtime again. */
#define SECCOMP_CACHE_TOUCH_SECONDS 60

static void put_le(uint8_t *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

/* Over the flags and the program: a damaged flag word could drop
 * TSYNC or the speculation mitigation as surely as a damaged program. */
static void checksum(uint32_t flags, const void *prog, size_t len,
                     uint8_t out[SHA256_DIGEST_SIZE]) {
  uint8_t f[4];
  put_le(f, flags, 4);
  struct sha256 h;
  sha256_init(&h);
  sha256_update(&h, f, sizeof f);
  sha256_update(&h, prog, len);
  sha256_final(&h, out);
}

void seccomp_cache_header(uint8_t hdr[SECCOMP_CACHE_HEADER_SIZE],
                          const uint8_t key[SHA256_DIGEST_SIZE], uint32_t flags,
                          const void *prog, size_t len) {
  memset(hdr, 0, SECCOMP_CACHE_HEADER_SIZE);
  memcpy(hdr, magic, sizeof magic);
  put_le(hdr + OFF_VERSION, SECCOMP_CACHE_VERSION, 4);
  put_le(hdr + OFF_FLAGS, flags, 4);
  memcpy(hdr + OFF_KEY, key, SHA256_DIGEST_SIZE);
  put_le(hdr + OFF_LENGTH, len, 8);
  checksum(flags, prog, len, hdr + OFF_CHECKSUM);
}

const char *seccomp_cache_verify(const void *buf, size_t len,
                                 const uint8_t key[SHA256_DIGEST_SIZE],
                                 const void **prog, size_t *n,
                                 uint32_t *flags) {
  const uint8_t *p = buf;
  if (len < SECCOMP_CACHE_HEADER_SIZE)
    return "shorter than its header";
  if (memcmp(p, magic, sizeof magic) != 0)
    return "bad magic";
  if (get_le(p + OFF_VERSION, 4) != SECCOMP_CACHE_VERSION)
    return "another format version";
  if (memcmp(p + OFF_KEY, key, SHA256_DIGEST_SIZE) != 0)
    return "written for another key";
  uint64_t plen = get_le(p + OFF_LENGTH, 8);
  if (plen != len - SECCOMP_CACHE_HEADER_SIZE)
    return "length does not match the file";
  if (plen == 0 || plen % sizeof(struct sock_filter) != 0 ||
      plen / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return "not a whole number of 1 to 4096 instructions";
  uint32_t f = (uint32_t)get_le(p + OFF_FLAGS, 4);
  uint8_t sum[SHA256_DIGEST_SIZE];
  checksum(f, p + SECCOMP_CACHE_HEADER_SIZE, (size_t)plen, sum);
  if (memcmp(sum, p + OFF_CHECKSUM, SHA256_DIGEST_SIZE) != 0)
    return "checksum mismatch";
  *prog = p + SECCOMP_CACHE_HEADER_SIZE;
  *n = (size_t)plen / sizeof(struct sock_filter);
  *flags = f;
  return NULL;
}

static void notef(const struct seccomp_cache *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void notef(const struct seccomp_cache *c, const char *fmt, ...) {
  if (c->note == NULL)
    return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  c->note(c->data, buf);
}

/* Ours alone: owned by our euid, and nobody else may write to it (a
 * directory others can write lets them plant or swap entries). */
static const char *untrusted(const struct stat *st) {
  if (st->st_uid != geteuid())
    return "owned by another user";
  if (st->st_mode & (S_IWGRP | S_IWOTH))
    return "writable by group or others";
  return NULL;
}

static int open_dir(int rootfd) {
  int fd = openat(rootfd, SECCOMP_CACHE_DIR,
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (mkdirat(rootfd, SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST)
      return -errno;
    fd = openat(rootfd, SECCOMP_CACHE_DIR,
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  return fd < 0 ? -errno : fd;
}

void seccomp_cache_open(const char *root, struct seccomp_cache *c) {
  c->dirfd = -1;
  _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) {
    notef(c, "seccomp cache: not used: open `%s`: %s", root, strerror(errno));
    return;
  }
  _cleanup_close_ int fd = open_dir(rootfd);
  if (fd < 0) {
    notef(c, "seccomp cache: not used: `%s/%s`: %s", root, SECCOMP_CACHE_DIR,
          strerror(-fd));
    return;
  }
  struct stat st;
  if (fstat(fd, &st) < 0) {
    notef(c, "seccomp cache: not used: stat `%s/%s`: %s", root,
          SECCOMP_CACHE_DIR, strerror(errno));
    return;
  }
  const char *why = untrusted(&st);
  if (why != NULL) {
    notef(c, "seccomp cache: not used: `%s/%s` is %s (uid %u, mode %04o)", root,
          SECCOMP_CACHE_DIR, why, (unsigned)st.st_uid,
          (unsigned)(st.st_mode & 07777));
    return;
  }
  c->dirfd = steal_fd(&fd);
}

void seccomp_cache_close(struct seccomp_cache *c) {
  if (c->dirfd >= 0)
    close(c->dirfd);
  c->dirfd = -1;
}

bool seccomp_cache_read(struct seccomp_cache *c,
                        const uint8_t key[SHA256_DIGEST_SIZE], void **prog,
                        size_t *len, uint32_t *flags) {
  *prog = NULL;
  *len = 0;
  if (c->dirfd < 0)
    return false;
  char name[65];
  sha256_hex(key, name);
  /* O_NONBLOCK: whatever the name is, opening it must not block. */
  _cleanup_close_ int fd =
      openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    notef(c, "seccomp cache: miss %s: %s", name, strerror(errno));
    return false;
  }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    notef(c, "seccomp cache: %s ignored: not a regular file", name);
    return false;
  }
  const char *why = untrusted(&st);
  if (why == NULL &&
      st.st_size > (off_t)(SECCOMP_CACHE_HEADER_SIZE +
                           BPF_MAXINSNS * sizeof(struct sock_filter)))
    why = "too large";
  if (why != NULL) {
    notef(c, "seccomp cache: %s ignored: %s", name, why);
    return false;
  }
  _cleanup_free_ char *buf = NULL;
  size_t n = 0;
  if (read_fd_all(fd, (size_t)st.st_size + 1, &buf, &n, NULL) < 0) {
    notef(c, "seccomp cache: %s ignored: cannot read it", name);
    return false;
  }
  const void *p;
  size_t insns;
  why = seccomp_cache_verify(buf, n, key, &p, &insns, flags);
  if (why != NULL) {
    notef(c, "seccomp cache: %s ignored: %s", name, why);
    return false;
  }
  size_t bytes = insns * sizeof(struct sock_filter);
  void *out = malloc(bytes);
  if (out == NULL)
    return false;
  memcpy(out, p, bytes);
  /* The mtime is the entry's last use, for pruning. A read-only root
   * keeps the old one; that only ages the entry. Within a minute of the
   * last touch the order of use is kept well enough without another
   * inode write on every exec. */
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (now.tv_sec - st.st_mtim.tv_sec >= SECCOMP_CACHE_TOUCH_SECONDS ||
      now.tv_sec < st.st_mtim.tv_sec)
    (void)futimens(fd, NULL);
  notef(c, "seccomp cache: hit %s (%zu instructions)", name, insns);
  *prog = out;
  *len = bytes;
  return true;
}

struct entry {
  char name[65];
  struct timespec mtime;
};

static int by_age(const void *a, const void *b) {
  const struct entry *x = a, *y = b;
  if (x->mtime.tv_sec != y->mtime.tv_sec)
    return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
  if (x->mtime.tv_nsec != y->mtime.tv_nsec)
    return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
  return strcmp(x->name, y->name);
}

static bool is_key_name(const char *s) {
  size_t i = 0;
  for (; s[i]; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return i == 64;
}

/* Keeps the SECCOMP_CACHE_MAX_ENTRIES most recently used entries and
 * removes temp files left by killed runtimes. Names that are neither are
 * left alone: they are not ours to judge. */
static void prune(struct seccomp_cache *c) {
  int dfd = fcntl(c->dirfd, F_DUPFD_CLOEXEC, 3);
  DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
  if (d == NULL) {
    if (dfd >= 0)
      close(dfd);
    return;
  }
  struct entry *v = NULL;
  size_t n = 0, cap = 0;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    struct stat st;
    bool key = is_key_name(de->d_name);
    bool temp = strncmp(de->d_name, ".tmp.", 5) == 0;
    if ((!key && !temp) ||
        fstatat(c->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
      continue;
    if (temp) {
      if (now.tv_sec - st.st_mtim.tv_sec > STALE_TEMP_SECONDS)
        unlinkat(c->dirfd, de->d_name, 0);
      continue;
    }
    if (n == cap) {
      cap = cap ? 2 * cap : 2 * SECCOMP_CACHE_MAX_ENTRIES;
      struct entry *nv = realloc(v, cap * sizeof *v);
      if (nv == NULL)
        break;
      v = nv;
    }
    memcpy(v[n].name, de->d_name, sizeof v[n].name);
    v[n++].mtime = st.st_mtim;
  }
  closedir(d);
  if (n > SECCOMP_CACHE_MAX_ENTRIES) {
    qsort(v, n, sizeof *v, by_age);
    for (size_t i = 0; i < n - SECCOMP_CACHE_MAX_ENTRIES; i++)
      unlinkat(c->dirfd, v[i].name, 0);
    notef(c, "seccomp cache: removed %zu least recently used entries",
          n - SECCOMP_CACHE_MAX_ENTRIES);
  }
  free(v);
}

void seccomp_cache_write(struct seccomp_cache *c,
                         const uint8_t key[SHA256_DIGEST_SIZE], uint32_t flags,
                         const void *prog, size_t len) {
  if (c->dirfd < 0)
    return;
  char name[65], tmp[96];
  sha256_hex(key, name);
  /* Unique among concurrent writers: a pid and a random word. */
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  snprintf(tmp, sizeof tmp, ".tmp.%.16s.%d.%lx", name, (int)getpid(),
           (unsigned long)ts.tv_nsec);
  uint8_t hdr[SECCOMP_CACHE_HEADER_SIZE];
  seccomp_cache_header(hdr, key, flags, prog, len);
  int fd = openat(c->dirfd, tmp,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    notef(c, "seccomp cache: %s not written: create `%s`: %s", name, tmp,
          strerror(errno));
    return;
  }
  int r = write_all(fd, hdr, sizeof hdr);
  if (r == 0)
    r = write_all(fd, prog, len);
  if (close(fd) < 0 && r == 0)
    r = -errno;
  if (r == 0 && renameat(c->dirfd, tmp, c->dirfd, name) < 0)
    r = -errno;
  if (r < 0) {
    unlinkat(c->dirfd, tmp, 0);
    notef(c, "seccomp cache: %s not written: %s", name, strerror(-r));
    return;
  }
  notef(c, "seccomp cache: stored %s (%zu instructions)", name,
        len / sizeof(struct sock_filter));
  prune(c);
}
