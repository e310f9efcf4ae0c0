/* The bottom of the cgroup code: the host's layout (detected once), the
 * container's path in it, and opening, reading and writing cgroup files.
 * Everything else in this folder builds on these; they call nothing above. */
#include "linux/cgroup/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static struct cgroup_layout layout;
static bool layout_ready;

static int layout_load(struct minirt_error *err) {
  struct statfs st;
  if (statfs(CGROUP_ROOT, &st) < 0)
    return minirt_fail(err, errno, "statfs `%s`", CGROUP_ROOT);
  if (st.f_type == CGROUP2_SUPER_MAGIC) {
    layout.mode = CGROUP_MODE_V2;
    layout.v2 = strdup(CGROUP_ROOT);
    if (layout.v2 == NULL)
      return minirt_fail(err, ENOMEM, "cgroup layout");
  } else {
    _cleanup_free_ char *mi = NULL;
    int ret = read_file("/proc/self/mountinfo", 1u << 22, &mi, NULL, err);
    if (ret < 0)
      return ret;
    ret = cgroup_parse_mountinfo(mi, &layout.h, &layout.n, &layout.v2, err);
    if (ret < 0)
      return ret;
    if (layout.n == 0)
      return minirt_fail_msg(err, ENOENT,
                             "no cgroup hierarchy is mounted "
                             "(`/proc/self/mountinfo`)");
    layout.mode = layout.v2 != NULL ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
  }
  if (layout.v2 != NULL) {
    _cleanup_free_ char *p = NULL;
    if (asprintf(&p, "%s/cgroup.controllers", layout.v2) < 0)
      return minirt_fail(err, ENOMEM, "cgroup layout");
    int ret = read_file(p, 65536, &layout.v2_controllers, NULL, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

int cgroup_layout_get(const struct cgroup_layout **out,
                      struct minirt_error *err) {
  if (!layout_ready) {
    int ret = layout_load(err);
    if (ret < 0) {
      cgroup_hierarchies_free(layout.h, layout.n);
      free(layout.v2);
      free(layout.v2_controllers);
      memset(&layout, 0, sizeof layout);
      return ret;
    }
    layout_ready = true;
  }
  *out = &layout;
  return 0;
}

int cgroup_detect(enum cgroup_mode *mode, struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  *mode = l->mode;
  return 0;
}

int cgroup_resolve_path(const char *cgroups_path, const char *id,
                        bool systemd_cgroup, char **out,
                        struct minirt_error *err) {
  _cleanup_free_ char *own = NULL;
  if (!systemd_cgroup && cgroups_path != NULL && cgroups_path[0] != '\0' &&
      cgroups_path[0] != '/') {
    _cleanup_free_ char *text = NULL;
    int ret = read_file("/proc/self/cgroup", 1u << 20, &text, NULL, err);
    if (ret < 0)
      return ret;
    if ((ret = cgroup_parse_own(text, &own, err)) < 0)
      return ret;
  }
  return cgroup_resolve_path_in(cgroups_path, id, systemd_cgroup, own, out,
                                err);
}

int cgroup_write(int dirfd, const char *file, const char *value,
                 struct minirt_error *err) {
  _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "write `%s` to `%s`", value, file);
  size_t len = strlen(value);
  ssize_t w = write(fd, value, len);
  if (w < 0)
    return minirt_fail(err, errno, "write `%s` to `%s`", value, file);
  if ((size_t)w != len)
    return minirt_fail(err, EIO, "write `%s` to `%s`", value, file);
  return 0;
}

int cgroup_read(int dirfd, const char *file, char **out,
                struct minirt_error *err) {
  return read_file_at(dirfd, file, 1u << 20, out, NULL, err);
}

int cgroup_open_dir(const char *mnt, const char *path, int *fd,
                    struct minirt_error *err) {
  _cleanup_free_ char *full = NULL;
  if (asprintf(&full, "%s%s", mnt, path) < 0)
    return minirt_fail(err, ENOMEM, "open cgroup");
  *fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0)
    return minirt_fail(err, errno, "open cgroup `%s`", full);
  return 0;
}

int cgroup_open_controller(const char *path, const char *v1name,
                           const char *v2name, int *fd, bool *v2,
                           struct minirt_error *err) {
  const struct cgroup_layout *l;
  int ret = cgroup_layout_get(&l, err);
  if (ret < 0)
    return ret;
  for (size_t i = 0; v1name != NULL && i < l->n; i++)
    if (cgroup_list_has(l->h[i].controllers, v1name)) {
      *v2 = false;
      return cgroup_open_dir(l->h[i].mountpoint, path, fd, err);
    }
  if (l->v2 != NULL && v2name != NULL &&
      cgroup_controllers_has(l->v2_controllers, v2name)) {
    *v2 = true;
    return cgroup_open_dir(l->v2, path, fd, err);
  }
  return -ENODEV;
}
