/* Loading and attaching the v2 device filter (BPF_CGROUP_DEVICE) with the
 * bpf(2) syscall directly. An update attaches the new program before it
 * detaches the old ones, so the cgroup is never left without a filter. */
#include "linux/cgroup/internal.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/cleanup.h"

#define MAX_OLD_PROGS 64

static int sys_bpf(int cmd, union bpf_attr *attr) {
  return (int)syscall(__NR_bpf, cmd, attr, sizeof *attr);
}

static int load_prog(const void *insns, size_t n, int *fd,
                     struct minirt_error *err) {
  static char log[16384];
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  a.insns = (uint64_t)(uintptr_t)insns;
  a.insn_cnt = (uint32_t)n;
  a.license = (uint64_t)(uintptr_t) "Apache-2.0";
  *fd = sys_bpf(BPF_PROG_LOAD, &a);
  if (*fd >= 0)
    return 0;
  int e = errno;
  /* Load again with the verifier log so the error says why. */
  a.log_buf = (uint64_t)(uintptr_t)log;
  a.log_size = sizeof log;
  a.log_level = 1;
  log[0] = '\0';
  int fd2 = sys_bpf(BPF_PROG_LOAD, &a);
  if (fd2 >= 0)
    close(fd2);
  return minirt_fail(err, e, "load the device cgroup eBPF program (%.200s)",
                     log);
}

static size_t query_old(int dirfd, uint32_t *ids) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.query.target_fd = (uint32_t)dirfd;
  a.query.attach_type = BPF_CGROUP_DEVICE;
  a.query.prog_ids = (uint64_t)(uintptr_t)ids;
  a.query.prog_cnt = MAX_OLD_PROGS;
  if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
    return 0;
  return a.query.prog_cnt > MAX_OLD_PROGS ? MAX_OLD_PROGS : a.query.prog_cnt;
}

static int detach_id(int dirfd, uint32_t id, struct minirt_error *err) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_id = id;
  _cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
  if (fd < 0)
    return errno == ENOENT
               ? 0
               : minirt_fail(err, errno, "get eBPF program %u", (unsigned)id);
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)dirfd;
  a.attach_bpf_fd = (uint32_t)fd;
  a.attach_type = BPF_CGROUP_DEVICE;
  if (sys_bpf(BPF_PROG_DETACH, &a) < 0 && errno != ENOENT)
    return minirt_fail(err, errno, "detach the old device eBPF program %u",
                       (unsigned)id);
  return 0;
}

int cgroup_devices_attach_bpf(int dirfd, const struct cgroup_dev_rule *r,
                              size_t n, struct minirt_error *err) {
  _cleanup_free_ void *insns = NULL;
  size_t n_insns;
  int ret = cgroup_dev_bpf_build(r, n, &insns, &n_insns, err);
  if (ret < 0)
    return ret;
  _cleanup_close_ int prog = -1;
  if ((ret = load_prog(insns, n_insns, &prog, err)) < 0)
    return ret;
  uint32_t old[MAX_OLD_PROGS];
  size_t n_old = query_old(dirfd, old);
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)dirfd;
  a.attach_bpf_fd = (uint32_t)prog;
  a.attach_type = BPF_CGROUP_DEVICE;
  a.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
    return minirt_fail(err, errno,
                       "attach the device eBPF program "
                       "(BPF_CGROUP_DEVICE)");
  for (size_t i = 0; i < n_old; i++)
    if ((ret = detach_id(dirfd, old[i], err)) < 0)
      return ret;
  return 0;
}
