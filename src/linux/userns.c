#include "linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

extern char **environ;

bool userns_running_rootless(void) {
  if (geteuid() != 0)
    return true;
  char buf[256];
  _cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (n <= 0)
    return false;
  buf[n] = '\0';
  /* Each line: first id inside, first id outside, count. Find the one
   * that holds uid 0 and see what it maps to. */
  for (char *line = buf; line != NULL && *line != '\0';) {
    uint32_t in, out, count;
    if (sscanf(line, "%" SCNu32 " %" SCNu32 " %" SCNu32, &in, &out, &count) ==
            3 &&
        in == 0 && count > 0)
      return out != 0;
    line = strchr(line, '\n');
    if (line != NULL)
      line++;
  }
  /* uid 0 is not mapped at all: we cannot be the host's root. */
  return true;
}

static int format_map(const struct oci_id_mapping *m, size_t n, char *buf,
                      size_t size, const char *sep) {
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    int w =
        snprintf(buf + off, size - off, "%s%" PRIu32 " %" PRIu32 " %" PRIu32,
                 i ? sep : "", m[i].container_id, m[i].host_id, m[i].size);
    if (w < 0 || (size_t)w >= size - off)
      return -E2BIG;
    off += (size_t)w;
  }
  return (int)off;
}

static int write_direct(pid_t pid, const char *file, const char *what,
                        const struct oci_id_mapping *m, size_t n,
                        struct minirt_error *err) {
  char buf[4096];
  int len = format_map(m, n, buf, sizeof buf - 1, "\n");
  if (len < 0)
    return minirt_fail_msg(err, E2BIG, "%s: too many mappings", what);
  buf[len++] = '\n';
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  return write_file_at(AT_FDCWD, path, buf, (size_t)len, err);
}

/* The helper as a user would find it: on PATH, else where Debian puts it. */
static int find_helper(const char *name, char *out, size_t size) {
  const char *path = getenv("PATH");
  _cleanup_free_ char *copy =
      strdup(path != NULL && *path ? path : "/usr/bin:/bin");
  if (copy == NULL)
    return -ENOMEM;
  char *save = NULL;
  for (char *d = strtok_r(copy, ":", &save); d != NULL;
       d = strtok_r(NULL, ":", &save)) {
    if (*d != '/')
      continue;
    if (snprintf(out, size, "%s/%s", d, name) < (int)size &&
        access(out, X_OK) == 0)
      return 0;
  }
  if (snprintf(out, size, "/usr/bin/%s", name) < (int)size &&
      access(out, X_OK) == 0)
    return 0;
  return -ENOENT;
}

/* Runs `helper PID id host size ...`; its stderr becomes the message. */
static int write_with_helper(pid_t pid, const char *helper, const char *what,
                             const struct oci_id_mapping *m, size_t n,
                             struct minirt_error *err) {
  char range[1024];
  if (format_map(m, n, range, sizeof range, ", ") < 0)
    return minirt_fail_msg(err, E2BIG, "%s: too many mappings", what);
  char exe[4096];
  if (find_helper(helper, exe, sizeof exe) < 0)
    return minirt_fail_msg(err, ENOENT,
                           "%s `%s`: mapping more than the caller's own id "
                           "needs `%s` (Debian package uidmap) on PATH",
                           what, range, helper);
  size_t argc = 2 + 3 * n + 1;
  _cleanup_free_ char **argv = calloc(argc, sizeof *argv);
  _cleanup_free_ char *nums = malloc(n * 3 * 12 + 12);
  if (argv == NULL || nums == NULL)
    return minirt_fail(err, ENOMEM, "%s", helper);
  char *p = nums;
  argv[0] = (char *)helper;
  argv[1] = p;
  p += sprintf(p, "%d", (int)pid) + 1;
  for (size_t i = 0; i < n; i++) {
    const uint32_t v[3] = {m[i].container_id, m[i].host_id, m[i].size};
    for (int k = 0; k < 3; k++) {
      argv[2 + 3 * i + (size_t)k] = p;
      p += sprintf(p, "%" PRIu32, v[k]) + 1;
    }
  }
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return minirt_fail(err, errno, "%s: pipe", helper);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t child;
  int rc = posix_spawn(&child, exe, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(pipefd[1]);
  _cleanup_close_ int rd = pipefd[0];
  if (rc != 0)
    return minirt_fail(err, rc, "run `%s`", exe);
  _cleanup_free_ char *msg = NULL;
  struct minirt_error ignored = {0};
  if (read_fd_all(rd, 4096, &msg, NULL, &ignored) < 0)
    msg = NULL;
  minirt_error_clear(&ignored);
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (msg != NULL) {
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
      msg[--len] = '\0';
  }
  return minirt_fail_msg(err, EPERM, "%s `%s`: %s refused: %s", what, range,
                         helper, msg != NULL && *msg ? msg : "no message");
}

static bool only_own_id(const struct oci_id_mapping *m, size_t n,
                        uint32_t own) {
  return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

int userns_write_maps(pid_t pid, const struct oci_config *cfg,
                      struct minirt_error *err) {
  const struct oci_linux *l = cfg->linux_;
  if (l == NULL)
    return 0;
  bool root = geteuid() == 0;
  int ret = 0;
  if (l->n_uid_mappings > 0) {
    if (root || only_own_id(l->uid_mappings, l->n_uid_mappings, geteuid()))
      ret = write_direct(pid, "uid_map", "linux.uidMappings", l->uid_mappings,
                         l->n_uid_mappings, err);
    else
      ret = write_with_helper(pid, "newuidmap", "linux.uidMappings",
                              l->uid_mappings, l->n_uid_mappings, err);
  }
  if (ret < 0 || l->n_gid_mappings == 0)
    return ret;
  if (root)
    return write_direct(pid, "gid_map", "linux.gidMappings", l->gid_mappings,
                        l->n_gid_mappings, err);
  if (only_own_id(l->gid_mappings, l->n_gid_mappings, getegid())) {
    /* The kernel takes an unprivileged gid_map only once setgroups is
     * denied, so that no one can drop a group that guards a file. */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
    ret = write_file_at(AT_FDCWD, path, "deny", 4, err);
    if (ret < 0)
      return ret;
    return write_direct(pid, "gid_map", "linux.gidMappings", l->gid_mappings,
                        l->n_gid_mappings, err);
  }
  return write_with_helper(pid, "newgidmap", "linux.gidMappings",
                           l->gid_mappings, l->n_gid_mappings, err);
}
