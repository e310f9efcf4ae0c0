/* Device nodes under /dev: the default set on a tmpfs /dev, the configured
 * linux.devices, the fd/stdin/stdout/stderr links, /dev/ptmx, and the
 * console bind. In a user namespace, mknod is not allowed: the host's node
 * is bind-mounted onto an empty file instead. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/cleanup.h"

struct dev_spec {
  const char *path;
  char type;
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct dev_spec default_devices[] = {
    {"/dev/null", 'c', 1, 3, 0666, 0, 0},
    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
    {"/dev/full", 'c', 1, 7, 0666, 0, 0},
    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
    {"/dev/urandom", 'c', 1, 9, 0666, 0, 0},
    {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
};

/* Splits "/dev/a/b" into an O_PATH fd of "/dev/a" (created if missing) and
 * the name "b". */
static int open_parent(int root_fd, const char *path, const char **base,
                       struct minirt_error *err) {
  _cleanup_free_ char *dir = strdup(path);
  if (dir == NULL)
    return minirt_fail(err, ENOMEM, "device `%s`", path);
  size_t len = strlen(dir);
  while (len > 1 && dir[len - 1] == '/')
    dir[--len] = '\0';
  char *slash = strrchr(dir, '/');
  if (slash == NULL || slash[1] == '\0' || strcmp(slash + 1, "..") == 0 ||
      strcmp(slash + 1, ".") == 0)
    return minirt_fail_msg(err, EINVAL, "device path `%s`: invalid", path);
  *base = path + (slash + 1 - dir);
  *slash = '\0';
  return safe_mkpath_in_root(root_fd, dir[0] ? dir : "/", false, err);
}

static int bind_host_node(int parent, const char *base, const char *host,
                          struct minirt_error *err) {
  _cleanup_close_ int f = openat(
      parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (f < 0)
    return errno == EEXIST ? 0 : minirt_fail(err, errno, "create `%s`", host);
  close(f);
  f = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (f < 0)
    return minirt_fail(err, errno, "open `%s`", host);
  char p[FD_PATH_MAX];
  fd_path(f, p);
  if (mount(host, p, NULL, MS_BIND, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on `%s`", host, host);
  return 0;
}

/* What makes the chmod and chown after a mknod needless: the umask, and
 * who we are (a new node is ours, its group ours unless the directory is
 * setgid). */
struct dev_ids {
  mode_t umask;
  uid_t uid;
  gid_t gid;
};

/* Whether `parent` is setgid (a new node would take its group): -1 until
 * asked, then 0 or 1, so a directory that gets many nodes is looked at
 * once. */
static bool dir_setgid(int parent, int *cached) {
  if (*cached < 0) {
    struct stat dir;
    *cached = fstat(parent, &dir) < 0 || (dir.st_mode & S_ISGID) != 0;
  }
  return *cached == 1;
}

static int create_device_at(int parent, int *parent_sgid, const char *base,
                            const struct dev_spec *d, bool in_user_ns,
                            const struct dev_ids *ids,
                            struct minirt_error *err) {
  if (in_user_ns && d->type != 'p')
    return bind_host_node(parent, base, d->path, err);
  mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
  dev_t dev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
  mode_t mode = d->mode & 07777;
  if (mknodat(parent, base, kind | mode, dev) < 0) {
    /* An existing node (a bind-mounted host /dev, or a configured device
     * that replaces a default one) is kept as it is. */
    if (errno == EEXIST)
      return 0;
    return minirt_fail(err, errno, "mknod `%s`", d->path);
  }
  /* mknod obeys the umask; the config's mode does not. */
  if ((mode & ids->umask) != 0 && fchmodat(parent, base, mode, 0) < 0)
    return minirt_fail(err, errno, "chmod `%s`", d->path);
  bool owned = d->uid == ids->uid && d->gid == ids->gid &&
               !dir_setgid(parent, parent_sgid);
  if (!owned && fchownat(parent, base, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return minirt_fail(err, errno, "chown `%s`", d->path);
  return 0;
}

static int create_device(int root_fd, const struct dev_spec *d, bool in_user_ns,
                         const struct dev_ids *ids, struct minirt_error *err) {
  const char *base = NULL;
  _cleanup_close_ int parent = open_parent(root_fd, d->path, &base, err);
  if (parent < 0)
    return parent;
  int sgid = -1;
  return create_device_at(parent, &sgid, base, d, in_user_ns, ids, err);
}

static int configured_devices(const struct oci_config *cfg, int root_fd,
                              bool in_user_ns, const struct dev_ids *ids,
                              struct minirt_error *err) {
  if (cfg->linux_ == NULL)
    return 0;
  for (size_t i = 0; i < cfg->linux_->n_devices; i++) {
    const struct oci_device *od = &cfg->linux_->devices[i];
    if (od->path == NULL || od->path[0] != '/')
      return minirt_fail_msg(err, EINVAL,
                             "linux.devices[%zu].path: must be absolute", i);
    if (!strchr("cbup", od->type) || od->type == '\0')
      return minirt_fail_msg(
          err, EINVAL, "linux.devices[%zu].type: `%c` unknown", i, od->type);
    struct dev_spec d = {
        .path = od->path,
        .type = od->type == 'u' ? 'c' : od->type,
        .major = (unsigned)od->major,
        .minor = (unsigned)od->minor,
        .mode = od->has_file_mode ? od->file_mode : 0666,
        .uid = od->has_uid ? od->uid : 0,
        .gid = od->has_gid ? od->gid : 0,
    };
    int ret = create_device(root_fd, &d, in_user_ns, ids, err);
    if (ret < 0) {
      minirt_error_prefix(err, "linux.devices[%zu]: ", i);
      return ret;
    }
  }
  return 0;
}

static int dev_links(int dev_fd, bool devpts, struct minirt_error *err) {
  static const char *const links[][2] = {
      {"fd", "/proc/self/fd"},
      {"stdin", "/proc/self/fd/0"},
      {"stdout", "/proc/self/fd/1"},
      {"stderr", "/proc/self/fd/2"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i][1], dev_fd, links[i][0]) < 0 && errno != EEXIST)
      return minirt_fail(err, errno, "symlink `/dev/%s`", links[i][0]);
  struct stat st;
  if (stat("/proc/kcore", &st) == 0 &&
      symlinkat("/proc/kcore", dev_fd, "core") < 0 && errno != EEXIST)
    return minirt_fail(err, errno, "symlink `/dev/core`");
  if (!devpts)
    return 0;
  /* The new devpts instance has its own ptmx; /dev/ptmx must lead there.
   * A fresh /dev has none: the link is tried first, and what is there
   * (a configured /dev/ptmx node) removed only on EEXIST. */
  if (symlinkat("pts/ptmx", dev_fd, "ptmx") == 0)
    return 0;
  if (errno != EEXIST)
    return minirt_fail(err, errno, "symlink `/dev/ptmx`");
  if (unlinkat(dev_fd, "ptmx", 0) < 0 && errno != ENOENT)
    return minirt_fail(err, errno, "remove `/dev/ptmx`");
  if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0)
    return minirt_fail(err, errno, "symlink `/dev/ptmx`");
  return 0;
}

static void umask_restore(mode_t *saved) {
  umask(*saved);
}

int devices_setup(const struct oci_config *cfg, int root_fd, bool in_user_ns,
                  struct minirt_error *err) {
  /* The nodes are made with a umask of 0, so that their mode is the one
   * asked for without a chmod per node; the init is single-threaded, so
   * nothing else creates a file meanwhile. The configured devices, whose
   * parents may be made here too, get the process's umask back (and the
   * chmod when it would strip their mode), so their directories are as
   * before. */
  __attribute__((cleanup(umask_restore))) mode_t saved = umask(0);
  struct dev_ids ids = {.umask = saved, .uid = geteuid(), .gid = getegid()};
  if (cfg->linux_ != NULL && cfg->linux_->n_devices > 0) {
    umask(saved);
    int ret = configured_devices(cfg, root_fd, in_user_ns, &ids, err);
    umask(0);
    if (ret < 0)
      return ret;
  }
  if (!mounts_has(cfg, "/dev", "tmpfs"))
    return 0;
  /* The default nodes all live in /dev: it is resolved once. It exists
   * (the tmpfs is mounted on it), so nothing is made with the umask 0. */
  _cleanup_close_ int dev = safe_mkpath_in_root(root_fd, "/dev", false, err);
  if (dev < 0)
    return dev;
  ids.umask = 0;
  int sgid = -1;
  for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0];
       i++) {
    const struct dev_spec *d = &default_devices[i];
    int ret = create_device_at(dev, &sgid, d->path + strlen("/dev/"), d,
                               in_user_ns, &ids, err);
    if (ret < 0)
      return ret;
  }
  return dev_links(dev, mounts_has(cfg, "/dev/pts", "devpts"), err);
}

int rootfs_bind_console(const char *slave_path, struct minirt_error *err) {
  _cleanup_close_ int slave = open(slave_path, O_PATH | O_CLOEXEC);
  if (slave < 0)
    return minirt_fail(err, errno, "open `%s`", slave_path);
  struct statfs sf;
  struct stat st;
  if (fstatfs(slave, &sf) < 0 || fstat(slave, &st) < 0)
    return minirt_fail(err, errno, "stat `%s`", slave_path);
  if (sf.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode))
    return minirt_fail_msg(
        err, EPERM, "console `%s`: not a devpts character device", slave_path);
  _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return minirt_fail(err, errno, "open `/`");
  _cleanup_close_ int dev = safe_mkpath_in_root(root, "/dev", false, err);
  if (dev < 0)
    return dev;
  /* Anything but a regular file (a symlink, or a device node that opening
   * would reach) is replaced by an empty file; nothing here is opened for
   * I/O. */
  if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG(st.st_mode) && unlinkat(dev, "console", 0) < 0)
    return minirt_fail(err, errno, "remove `/dev/console`");
  if (mknodat(dev, "console", S_IFREG | 0600, 0) < 0 && errno != EEXIST)
    return minirt_fail(err, errno, "create `/dev/console`");
  _cleanup_close_ int target =
      openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return minirt_fail(err, errno, "open `/dev/console`");
  char src[FD_PATH_MAX], dst[FD_PATH_MAX];
  fd_path(slave, src);
  fd_path(target, dst);
  if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on `/dev/console`",
                       slave_path);
  return 0;
}
