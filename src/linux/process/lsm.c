/* LSM labels for the next execve: AppArmor profile or SELinux label. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "linux/process/process.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

static bool apparmor_enabled(void) {
  char buf[4] = {0};
  _cleanup_close_ int fd =
      open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  return read(fd, buf, sizeof(buf) - 1) > 0 && buf[0] == 'Y';
}

static bool selinux_enabled(void) {
  struct statfs sfs;
  return statfs("/sys/fs/selinux", &sfs) == 0 &&
         (unsigned long)sfs.f_type == (unsigned long)SELINUX_MAGIC;
}

static int apply_apparmor(const char *profile, struct minirt_error *err) {
  if (!apparmor_enabled())
    return minirt_fail_msg(err, EOPNOTSUPP,
                           "apparmor profile `%s` requested but AppArmor is "
                           "not enabled on this host",
                           profile);
  _cleanup_free_ char *cmd = NULL;
  if (asprintf(&cmd, "exec %s", profile) < 0)
    return minirt_fail(err, ENOMEM, "apparmor profile `%s`", profile);
  /* The per-LSM directory exists since Linux 5.1; older kernels only have
   * the shared attr/exec. */
  int ret = process_write_proc_file("self/attr/apparmor/exec", cmd, err);
  if (ret == -ENOENT) {
    minirt_error_clear(err);
    ret = process_write_proc_file("self/attr/exec", cmd, err);
  }
  if (ret < 0)
    minirt_error_prefix(err, "apparmor profile `%s`: ", profile);
  return ret;
}

static int apply_selinux(const char *label, struct minirt_error *err) {
  if (!selinux_enabled())
    return minirt_fail_msg(err, EOPNOTSUPP,
                           "selinux label `%s` requested but SELinux is not "
                           "enabled on this host",
                           label);
  int ret = process_write_proc_file("self/attr/exec", label, err);
  if (ret < 0)
    minirt_error_prefix(err, "selinux label `%s`: ", label);
  return ret;
}

int process_apply_lsm(const struct oci_process *p, struct minirt_error *err) {
  int ret = 0;
  if (p->apparmor_profile != NULL && *p->apparmor_profile != '\0')
    ret = apply_apparmor(p->apparmor_profile, err);
  if (ret == 0 && p->selinux_label != NULL && *p->selinux_label != '\0')
    ret = apply_selinux(p->selinux_label, err);
  return ret;
}
