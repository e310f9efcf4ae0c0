/* Pure helpers of the process setup: id lists, env lookup, PATH search. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process/process.h"
#include "util/cleanup.h"

static int parse_num(const char **s, unsigned long *out) {
  const char *p = *s;
  if (*p < '0' || *p > '9')
    return -1;
  errno = 0;
  char *end;
  *out = strtoul(p, &end, 10);
  if (errno != 0)
    return -1;
  *s = end;
  return 0;
}

int process_parse_id_list(const char *list, unsigned long *mask, size_t nbits,
                          const char *what, struct minirt_error *err) {
  const size_t word = 8 * sizeof(unsigned long);
  memset(mask, 0, (nbits + word - 1) / word * sizeof(unsigned long));
  const char *p = list;
  if (p == NULL || *p == '\0')
    return minirt_fail_msg(err, EINVAL, "%s: empty list", what);
  for (;;) {
    unsigned long lo, hi;
    if (parse_num(&p, &lo) < 0)
      goto bad;
    hi = lo;
    if (*p == '-') {
      p++;
      if (parse_num(&p, &hi) < 0 || hi < lo)
        goto bad;
    }
    if (hi >= nbits)
      return minirt_fail_msg(err, ERANGE, "%s: `%s`: %lu is too large", what,
                             list, hi);
    for (unsigned long i = lo; i <= hi; i++)
      mask[i / word] |= 1UL << (i % word);
    if (*p == '\0')
      return 0;
    if (*p++ != ',')
      goto bad;
  }
bad:
  return minirt_fail_msg(err, EINVAL, "%s: `%s` is not a list like `0-3,5`",
                         what, list);
}

const char *process_env_get(const struct oci_strv *env, const char *key) {
  size_t klen = strlen(key);
  for (size_t i = 0; env != NULL && i < env->n; i++)
    if (strncmp(env->v[i], key, klen) == 0 && env->v[i][klen] == '=')
      return env->v[i] + klen + 1;
  return NULL;
}

/* 0: runnable; -ENOENT: absent; -EISDIR: not a regular file; -EACCES:
 * exists but the caller may not execute it. */
static int check_executable(const char *path) {
  struct stat st;
  /* Other errors (a seccomp policy refusing stat, ENOSYS) say nothing about
   * the file: execve will decide. */
  if (stat(path, &st) < 0)
    return errno == EACCES                      ? -EACCES
           : errno == ENOENT || errno == ENOTDIR ? -ENOENT
                                                 : 0;
  if (!S_ISREG(st.st_mode))
    return -EISDIR;
  if (faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0 && errno == EACCES)
    return -EACCES;
  return 0;
}

int process_find_executable(const char *name, const char *path_env,
                            char **out, int *exit_code,
                            struct minirt_error *err) {
  if (name == NULL || *name == '\0') {
    *exit_code = 127;
    return minirt_fail_msg(err, ENOENT, "process.args: empty command");
  }
  if (strchr(name, '/') != NULL) {
    int r = check_executable(name);
    if (r == -ENOENT) {
      *exit_code = 127;
      /* Lower case on purpose: clients (podman, docker) match the text
       * "no such file or directory" to report 127. */
      return minirt_fail_msg(err, ENOENT, "exec `%s`: no such file or directory",
                             name);
    }
    if (r < 0) {
      *exit_code = 126;
      return minirt_fail_msg(err, EACCES, "exec `%s`: permission denied",
                             name);
    }
    *out = strdup(name);
    return *out != NULL ? 0 : minirt_fail(err, ENOMEM, "exec `%s`", name);
  }
  if (path_env == NULL)
    path_env = PROCESS_DEFAULT_PATH;
  bool denied = false;
  for (const char *p = path_env;; p++) {
    const char *end = strchrnul(p, ':');
    /* An empty entry means the current directory, as in execvp. */
    int dlen = (int)(end - p);
    _cleanup_free_ char *cand = NULL;
    if (asprintf(&cand, "%.*s%s%s", dlen, p, dlen ? "/" : "./", name) < 0)
      return minirt_fail(err, ENOMEM, "exec `%s`", name);
    int r = check_executable(cand);
    if (r == 0) {
      *out = steal_pointer(&cand);
      return 0;
    }
    if (r == -EACCES)
      denied = true;
    if (*end == '\0')
      break;
    p = end;
  }
  if (denied) {
    *exit_code = 126;
    return minirt_fail_msg(err, EACCES, "exec `%s`: permission denied", name);
  }
  *exit_code = 127;
  return minirt_fail_msg(err, ENOENT,
                         "executable file `%s` not found in $PATH: "
                         "no such file or directory", name);
}
