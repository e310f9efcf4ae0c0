/* The `cgroup` mount type.
 *
 * Layout chosen (documented because runtimes differ):
 *  - pure cgroup v2 (/sys/fs/cgroup is cgroup2): with a new cgroup namespace
 *    a fresh cgroup2 fs is mounted (its root is the namespace root, i.e. the
 *    container's cgroup). Without one, a fresh mount would show the host's
 *    whole tree, so the host's /sys/fs/cgroup/<container cgroup> is bound
 *    instead.
 *  - v1 and hybrid: a tmpfs (mode 755) holding one directory per hierarchy
 *    the process is in (/proc/self/cgroup), named like on the host
 *    ("cpu,cpuacct", "systemd", "unified"), plus the host's comma-name
 *    symlinks ("cpu" -> "cpu,cpuacct"). With a cgroup namespace each is a
 *    fresh cgroup/cgroup2 mount; without, a bind of the host hierarchy's
 *    subdirectory of the container's cgroup. So the container sees only its
 *    own cgroup, at the root of each hierarchy.
 * The read-only/nosuid/... options apply to every mount, and to the tmpfs.
 * The container process must already be in its cgroup when this runs. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

#define HOST_CGROUP "/sys/fs/cgroup"

static bool has_cgroupns(const struct oci_config *cfg) {
  if (cfg->linux_ == NULL)
    return false;
  for (size_t i = 0; i < cfg->linux_->n_namespaces; i++)
    if (cfg->linux_->namespaces[i].type == OCI_NS_CGROUP)
      return true;
  return false;
}

/* Binds HOST_CGROUP/<dir><path> (or mounts a fresh fs) onto target. */
static int mount_hierarchy(const char *dir, const char *ctrls, const char *path,
                           int target_fd, bool fresh, unsigned long flags,
                           struct minirt_error *err) {
  char target[FD_PATH_MAX];
  fd_path(target_fd, target);
  if (fresh) {
    bool v2 = ctrls[0] == '\0';
    const char *data = v2 ? NULL : ctrls;
    _cleanup_free_ char *named = NULL;
    if (!v2 && strncmp(ctrls, "name=", 5) == 0) {
      if (asprintf(&named, "none,%s", ctrls) < 0)
        return minirt_fail(err, ENOMEM, "cgroup");
      data = named;
    }
    if (mount("cgroup", target, v2 ? "cgroup2" : "cgroup", flags, data) < 0)
      return minirt_fail(err, errno, "mount cgroup `%s`", ctrls);
    return 0;
  }
  _cleanup_free_ char *src = NULL;
  if (asprintf(&src, "%s%s%s%s", HOST_CGROUP, dir[0] ? "/" : "", dir, path) < 0)
    return minirt_fail(err, ENOMEM, "cgroup");
  /* The attributes go on the detached tree, before it is attached: no
   * second lookup of the target is needed. */
  _cleanup_close_ int tree = open_tree(
      AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0)
    return minirt_fail(err, errno, "open_tree `%s`", src);
  struct mount_attr attr = {0};
  if (flags & MS_RDONLY)
    attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID)
    attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV)
    attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC)
    attr.attr_set |= MOUNT_ATTR_NOEXEC;
  if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                    sizeof attr) < 0)
    return minirt_fail(err, errno, "set attributes of `%s`", src);
  if (move_mount(tree, "", target_fd, "",
                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return minirt_fail(err, errno, "bind `%s`", src);
  return 0;
}

/* One line of /proc/self/cgroup: "ID:CONTROLLERS:PATH". */
static int mount_v1_line(char *line, int tmp_fd, bool fresh,
                         unsigned long flags, struct minirt_error *err) {
  char *c1 = strchr(line, ':');
  char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
  if (c2 == NULL)
    return 0;
  *c1 = *c2 = '\0';
  char *ctrls = c1 + 1, *path = c2 + 1;
  const char *dir = ctrls[0] == '\0'                  ? "unified"
                    : strncmp(ctrls, "name=", 5) == 0 ? ctrls + 5
                                                      : ctrls;
  char host[512];
  snprintf(host, sizeof host, HOST_CGROUP "/%s", dir);
  struct stat st;
  if (strchr(dir, '/') != NULL || stat(host, &st) < 0)
    return 0; /* a hierarchy the host does not mount at the usual place */
  if (mkdirat(tmp_fd, dir, 0755) < 0 && errno != EEXIST)
    return minirt_fail(err, errno, "mkdir cgroup `%s`", dir);
  _cleanup_close_ int sub =
      openat(tmp_fd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return minirt_fail(err, errno, "open cgroup `%s`", dir);
  if (strcmp(path, "/") == 0)
    path = "";
  int ret = mount_hierarchy(dir, ctrls, path, sub, fresh, flags, err);
  if (ret < 0)
    return ret;
  /* "cpu,cpuacct": the host also offers "cpu" and "cpuacct" links. */
  if (strchr(dir, ',') != NULL) {
    _cleanup_free_ char *names = strdup(dir);
    if (names == NULL)
      return minirt_fail(err, ENOMEM, "cgroup");
    for (char *sp, *n = strtok_r(names, ",", &sp); n != NULL;
         n = strtok_r(NULL, ",", &sp))
      if (symlinkat(dir, tmp_fd, n) < 0 && errno != EEXIST)
        return minirt_fail(err, errno, "symlink cgroup `%s`", n);
  }
  return 0;
}

static int mount_v1(const struct oci_mount *m, size_t idx, int root_fd,
                    int dst_fd, bool fresh, unsigned long flags,
                    struct minirt_error *err) {
  char p[FD_PATH_MAX];
  fd_path(dst_fd, p);
  unsigned long tflags = flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (mount("tmpfs", p, "tmpfs", tflags, "mode=755") < 0)
    return minirt_fail(err, errno, "mount `tmpfs` on `%s`", m->destination);
  _cleanup_close_ int tmp =
      safe_open_in_root(root_fd, m->destination, O_RDONLY | O_DIRECTORY, 0);
  if (tmp < 0)
    return minirt_fail(err, -tmp, "open `%s`", m->destination);
  _cleanup_free_ char *data = NULL;
  int ret = read_file("/proc/self/cgroup", 1 << 20, &data, NULL, err);
  if (ret < 0)
    return ret;
  for (char *sp, *line = strtok_r(data, "\n", &sp); line != NULL;
       line = strtok_r(NULL, "\n", &sp)) {
    ret = mount_v1_line(line, tmp, fresh, flags, err);
    if (ret < 0) {
      minirt_error_prefix(err, "mounts[%zu] `%s`: ", idx, m->destination);
      return ret;
    }
  }
  if (!(flags & MS_RDONLY))
    return 0;
  ret = mount_remount_bind(tmp, MS_RDONLY, 0, false, false);
  if (ret < 0)
    return minirt_fail(err, -ret, "remount `%s` read-only", m->destination);
  return 0;
}

static int v2_path(char **out, struct minirt_error *err) {
  _cleanup_free_ char *data = NULL;
  int ret = read_file("/proc/self/cgroup", 1 << 20, &data, NULL, err);
  if (ret < 0)
    return ret;
  char *l = strstr(data, "0::");
  if (l == NULL || (l != data && l[-1] != '\n'))
    return minirt_fail_msg(err, ENOENT,
                           "no cgroup v2 entry in "
                           "/proc/self/cgroup");
  l += 3;
  l[strcspn(l, "\n")] = '\0';
  *out = strdup(strcmp(l, "/") == 0 ? "" : l);
  return *out == NULL ? minirt_fail(err, ENOMEM, "cgroup") : 0;
}

int mount_cgroup(const struct oci_config *cfg, size_t idx, int root_fd,
                 int dst_fd, const struct mount_options *o,
                 struct minirt_error *err) {
  const struct oci_mount *m = &cfg->mounts[idx];
  unsigned long flags =
      o->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
                  MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME);
  bool fresh = has_cgroupns(cfg);
  struct statfs sf;
  if (statfs(HOST_CGROUP, &sf) < 0)
    return minirt_fail(err, errno, "statfs `" HOST_CGROUP "`");
  if (sf.f_type != CGROUP2_SUPER_MAGIC)
    return mount_v1(m, idx, root_fd, dst_fd, fresh, flags, err);
  _cleanup_free_ char *path = NULL;
  int ret = fresh ? 0 : v2_path(&path, err);
  if (ret == 0)
    ret = mount_hierarchy("", "", path, dst_fd, fresh, flags, err);
  if (ret < 0)
    minirt_error_prefix(err, "mounts[%zu] `%s`: ", idx, m->destination);
  return ret;
}
