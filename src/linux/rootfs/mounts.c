/* mounts[] of the config, applied below the rootfs before pivot_root. Each
 * destination is resolved (and created) inside the rootfs first; the mount
 * then goes onto /proc/self/fd/N of that O_PATH fd, so a symlink swapped in
 * after the check cannot redirect it to the host. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

static const char *mount_name(const struct oci_mount *m) {
  if (m->source != NULL && m->source[0] != '\0')
    return m->source;
  return m->type != NULL ? m->type : "none";
}

static bool path_is(const char *a, const char *b) {
  /* "/dev/" and "//dev" name /dev too. */
  while (*a == '/' && *b == '/') {
    while (*a == '/')
      a++;
    while (*b == '/')
      b++;
    size_t la = strcspn(a, "/"), lb = strcspn(b, "/");
    if (la != lb || strncmp(a, b, la) != 0)
      return false;
    a += la;
    b += lb;
  }
  return a[strspn(a, "/")] == '\0' && b[strspn(b, "/")] == '\0';
}

bool mounts_has(const struct oci_config *cfg, const char *dest,
                const char *type) {
  for (size_t i = 0; i < cfg->n_mounts; i++) {
    const struct oci_mount *m = &cfg->mounts[i];
    if (m->destination != NULL && path_is(m->destination, dest) &&
        m->type != NULL && strcmp(m->type, type) == 0)
      return true;
  }
  return false;
}

/* Re-resolves the destination: after a mount, the old fd still points
 * below it, while the new mount's root is what follow-up calls need. */
static int reopen_dest(int root_fd, const struct oci_mount *m, size_t idx,
                       struct minirt_error *err) {
  int fd = safe_open_in_root(root_fd, m->destination, O_PATH, 0);
  if (fd < 0)
    return minirt_fail(err, -fd, "mounts[%zu].destination `%s`", idx,
                       m->destination);
  return fd;
}

static int idmap_userns(const struct oci_config *cfg, const struct oci_mount *m,
                        size_t idx, int *out, struct minirt_error *err) {
  const struct oci_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
  size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
  /* "idmap" without mappings of its own uses the container's. */
  if (nu == 0 && ng == 0 && cfg->linux_ != NULL) {
    u = cfg->linux_->uid_mappings;
    nu = cfg->linux_->n_uid_mappings;
    g = cfg->linux_->gid_mappings;
    ng = cfg->linux_->n_gid_mappings;
  }
  if (nu == 0 || ng == 0)
    return minirt_fail_msg(err, EINVAL,
                           "mounts[%zu]: an idmapped mount needs both "
                           "uidMappings and gidMappings",
                           idx);
  return mount_make_userns_fd(u, nu, g, ng, out, err);
}

/* open_tree + MOUNT_ATTR_IDMAP + move_mount: the idmap must be set on a
 * detached tree, before it is attached. */
static int bind_idmapped(const struct oci_config *cfg,
                         const struct oci_mount *m, size_t idx, int dst_fd,
                         const struct mount_options *o,
                         struct minirt_error *err) {
  _cleanup_close_ int userns = -1;
  int ret = idmap_userns(cfg, m, idx, &userns, err);
  if (ret < 0)
    return ret;
  unsigned int tflags =
      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o->rbind ? AT_RECURSIVE : 0);
  _cleanup_close_ int tree = open_tree(AT_FDCWD, m->source, tflags);
  if (tree < 0)
    return minirt_fail(err, errno, "open_tree `%s`", m->source);
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP,
                            .userns_fd = (uint64_t)userns};
  if (mount_setattr(tree, "", AT_EMPTY_PATH | (o->ridmap ? AT_RECURSIVE : 0),
                    &attr, sizeof attr) < 0)
    return minirt_fail(err, errno, "idmap mount `%s` on `%s`", m->source,
                       m->destination);
  if (move_mount(tree, "", dst_fd, "",
                 MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return minirt_fail(err, errno, "move mount `%s` on `%s`", m->source,
                       m->destination);
  return 0;
}

static int do_bind(const struct oci_config *cfg, const struct oci_mount *m,
                   size_t idx, int root_fd, int dst_fd,
                   const struct mount_options *o, struct minirt_error *err) {
  bool idmap = o->idmap || m->n_uid_mappings > 0 || m->n_gid_mappings > 0;
  /* Data options reach mount(2) with the bind (as runc and crun do, and the
   * kernel ignores them there); the idmap path has no place for them. */
  if (idmap && o->first_unknown >= 0)
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: mounts[%zu].options: `%s`", idx,
                           m->options.v[o->first_unknown]);
  if (idmap) {
    int ret = bind_idmapped(cfg, m, idx, dst_fd, o, err);
    if (ret < 0)
      return ret;
  } else {
    char p[FD_PATH_MAX];
    fd_path(dst_fd, p);
    if (mount(m->source, p, NULL, MS_BIND | (o->rbind ? MS_REC : 0),
              o->data) < 0)
      return minirt_fail(err, errno, "bind mount `%s` on `%s`", m->source,
                         m->destination);
  }
  if (!(o->flags & MS_PER_MOUNT) && !o->clear)
    return 0;
  _cleanup_close_ int fd = reopen_dest(root_fd, m, idx, err);
  if (fd < 0)
    return fd;
  int ret = mount_remount_bind(fd, o->flags, o->clear, o->atime_given, false);
  if (ret < 0)
    return minirt_fail(err, -ret, "remount `%s` on `%s`", m->source,
                       m->destination);
  return 0;
}

/* sysfs and mqueue cannot be mounted in a user namespace that does not own
 * the network / IPC namespace; like runc, fall back to a bind of the host's
 * instance, with the requested flags. */
static const char *userns_fallback(const char *type) {
  if (strcmp(type, "sysfs") == 0)
    return "/sys";
  if (strcmp(type, "mqueue") == 0)
    return "/dev/mqueue";
  return NULL;
}

static int do_fs(const struct oci_mount *m, size_t idx, int root_fd, int dst_fd,
                 const struct mount_options *o, bool in_user_ns,
                 struct minirt_error *err) {
  char p[FD_PATH_MAX];
  fd_path(dst_fd, p);
  const char *src = m->source != NULL ? m->source : m->type;
  bool copy_up = o->tmpcopyup && m->type != NULL && strcmp(m->type, "tmpfs") == 0;
  /* Opened before the mount: it keeps reaching what the tmpfs covers. */
  _cleanup_close_ int lower = copy_up ? open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (copy_up && lower < 0 && errno != ENOTDIR)
    return minirt_fail(err, errno, "tmpcopyup: open `%s`", m->destination);
  if (mount(src, p, m->type, o->flags, o->data) == 0) {
    if (lower < 0)
      return 0;
    /* The old fd's path stays below the new mount: resolve it again. */
    _cleanup_close_ int top = reopen_dest(root_fd, m, idx, err);
    if (top < 0)
      return top;
    _cleanup_close_ int upper = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (upper < 0)
      return minirt_fail(err, errno, "tmpcopyup: open `%s`", m->destination);
    return mount_copy_up(lower, upper, m->destination, err);
  }
  int e = errno;
  const char *host = userns_fallback(m->type);
  if (e != EPERM || !in_user_ns || host == NULL) {
    /* EINVAL is most often a filesystem option the kernel refused: show
     * the options the filesystem was given. */
    if (e == ENODEV && m->type != NULL)
      return minirt_fail(err, e, "mount `%s` on `%s`: filesystem type `%s`",
                         mount_name(m), m->destination, m->type);
    if (o->data != NULL && o->data[0] != '\0')
      return minirt_fail(err, e, "mount `%s` on `%s` with data `%s`",
                         mount_name(m), m->destination, o->data);
    return minirt_fail(err, e, "mount `%s` on `%s`", mount_name(m),
                       m->destination);
  }
  if (mount(host, p, NULL, MS_BIND | MS_REC, NULL) < 0)
    return minirt_fail(err, errno, "bind mount `%s` on `%s`", host,
                       m->destination);
  _cleanup_close_ int fd = reopen_dest(root_fd, m, idx, err);
  if (fd < 0)
    return fd;
  int ret = mount_remount_bind(fd, o->flags, o->clear, o->atime_given, false);
  if (ret < 0)
    return minirt_fail(err, -ret, "remount `%s` on `%s`", host, m->destination);
  return 0;
}

static bool source_is_dir(const struct oci_mount *m) {
  struct stat st;
  /* A missing source fails later, at mount(), with a clear message. */
  return stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
}

static int post_mount(int root_fd, const struct oci_mount *m, size_t idx,
                      const struct mount_options *o, struct minirt_error *err) {
  if (o->n_propagation == 0 && o->rec_set == 0 && o->rec_clr == 0)
    return 0;
  _cleanup_close_ int fd = reopen_dest(root_fd, m, idx, err);
  if (fd < 0)
    return fd;
  char p[FD_PATH_MAX];
  fd_path(fd, p);
  if (o->rec_set != 0 || o->rec_clr != 0) {
    struct mount_attr attr = {.attr_set = o->rec_set, .attr_clr = o->rec_clr};
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
                      sizeof attr) < 0)
      return minirt_fail(err, errno, "set recursive attributes of `%s`",
                         m->destination);
  }
  for (size_t i = 0; i < o->n_propagation; i++)
    if (mount(NULL, p, NULL, o->propagation[i], NULL) < 0)
      return minirt_fail(err, errno, "set propagation of `%s`", m->destination);
  return 0;
}

/* "/x/../.." resolves to the rootfs itself: mounting there would hide the
 * whole rootfs, which no valid config means. `root` is the rootfs fd's
 * stat, taken once for all mounts: that fd's inode is the same whatever is
 * mounted below it (and nothing is mounted on it, by this check). */
static int check_not_root(const struct stat *root, int dst,
                          const struct oci_mount *m, size_t idx,
                          struct minirt_error *err) {
  struct stat b;
  if (fstat(dst, &b) < 0)
    return minirt_fail(err, errno, "mounts[%zu].destination `%s`", idx,
                       m->destination);
  if (root->st_dev == b.st_dev && root->st_ino == b.st_ino)
    return minirt_fail_msg(err, EINVAL,
                           "mounts[%zu].destination `%s`: is the root of "
                           "the container",
                           idx, m->destination);
  return 0;
}

static int mount_one(const struct oci_config *cfg, size_t idx, int root_fd,
                     const struct stat *root, bool in_user_ns,
                     struct minirt_error *err) {
  const struct oci_mount *m = &cfg->mounts[idx];
  if (m->destination == NULL || m->destination[0] != '/')
    return minirt_fail_msg(
        err, EINVAL, "mounts[%zu].destination: must be an absolute path", idx);
  struct mount_options o;
  int ret = mount_options_parse(&m->options, &o, err);
  if (ret < 0)
    return ret;
  bool bind = m->type == NULL || strcmp(m->type, "bind") == 0 || o.bind;
  bool cgroup = !bind && strcmp(m->type, "cgroup") == 0;
  if (!bind && (o.idmap || m->n_uid_mappings > 0 || m->n_gid_mappings > 0)) {
    mount_options_free(&o);
    return minirt_fail_msg(err, EINVAL,
                           "unsupported: mounts[%zu]: idmap on a non-bind "
                           "mount",
                           idx);
  }
  if (bind && m->source == NULL) {
    mount_options_free(&o);
    return minirt_fail_msg(err, EINVAL,
                           "mounts[%zu].source: required for "
                           "a bind mount",
                           idx);
  }
  _cleanup_close_ int dst = safe_mkpath_in_root(root_fd, m->destination,
                                                bind && !source_is_dir(m), err);
  if (dst < 0) {
    mount_options_free(&o);
    minirt_error_prefix(err, "mounts[%zu].destination `%s`: ", idx,
                        m->destination);
    return dst;
  }
  ret = check_not_root(root, dst, m, idx, err);
  if (ret < 0)
    ;
  else if (bind)
    ret = do_bind(cfg, m, idx, root_fd, dst, &o, err);
  else if (cgroup)
    ret = mount_cgroup(cfg, idx, root_fd, dst, &o, err);
  else
    ret = do_fs(m, idx, root_fd, dst, &o, in_user_ns, err);
  if (ret == 0)
    ret = post_mount(root_fd, m, idx, &o, err);
  mount_options_free(&o);
  return ret;
}

int mounts_apply(const struct oci_config *cfg, int root_fd, bool in_user_ns,
                 struct minirt_error *err) {
  struct stat root;
  if (cfg->n_mounts > 0 && fstat(root_fd, &root) < 0)
    return minirt_fail(err, errno, "stat the rootfs");
  for (size_t i = 0; i < cfg->n_mounts; i++) {
    int ret = mount_one(cfg, i, root_fd, &root, in_user_ns, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}
