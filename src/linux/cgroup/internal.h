/* What the files of src/linux/cgroup/ share among themselves, not for other
 * folders: the detected layout and cgroup file I/O (layout.c, at the
 * bottom), and the resource writers that dirs.c calls. */
#ifndef MINIRT_LINUX_CGROUP_INTERNAL_H
#define MINIRT_LINUX_CGROUP_INTERNAL_H

#include "linux/cgroup/cgroup.h"

struct cgroup_layout {
  enum cgroup_mode mode;
  struct cgroup_hierarchy *h; /* v1 hierarchies (none in pure v2) */
  size_t n;
  char *v2;             /* cgroup2 mount point, NULL in pure v1 */
  char *v2_controllers; /* its root cgroup.controllers */
};
/* The host's layout, detected once per process. */
int cgroup_layout_get(const struct cgroup_layout **out,
                      struct minirt_error *err);
/* Opens `path` in the hierarchy holding a controller: the v1 one named
 * v1name, else the v2 one when v2name is in its cgroup.controllers.
 * Returns -ENODEV without filling *err when no hierarchy has it. */
/* Opens <mnt><path> as a directory (O_CLOEXEC); the error names it. */
int cgroup_open_dir(const char *mnt, const char *path, int *fd,
                    struct minirt_error *err);
int cgroup_open_controller(const char *path, const char *v1name,
                           const char *v2name, int *fd, bool *v2,
                           struct minirt_error *err);
/* "write `value` to `file`: strerror" on failure. */
int cgroup_write(int dirfd, const char *file, const char *value,
                 struct minirt_error *err);
int cgroup_read(int dirfd, const char *file, char **out,
                struct minirt_error *err);
/* Applies resources; with `update`, only fields set and non-zero. */
int cgroup_apply_resources(const char *path, const struct oci_resources *res,
                           const struct oci_device *devices, size_t n_devices,
                           bool update, struct minirt_error *err);
int cgroup_apply_blkio(const char *path, const struct oci_blkio *b,
                       struct minirt_error *err);
/* Loads the device program and attaches it to the cgroup dirfd, replacing
 * programs attached before by us. */
int cgroup_devices_attach_bpf(int dirfd, const struct cgroup_dev_rule *r,
                              size_t n, struct minirt_error *err);

/* The systemd driver (systemd.c), once the unit exists: puts `pid` into
 * `path` in the hierarchies systemd does not manage (every v1 one, made
 * with parents when missing; where systemd put it already the write
 * changes nothing), enables the v2 controllers `res` needs that systemd
 * left off (hugetlb, rdma) and, with `v2_pid`, puts `pid` into the v2
 * cgroup too (a .slice unit gets no PIDs from systemd). */
int cgroup_adopt_pid(const char *path, pid_t pid,
                     const struct oci_resources *res, bool v2_pid,
                     struct minirt_error *err);

#endif
