/* Cgroups v1 and v2, detected at run time (pure v1, pure v2, and the hybrid
 * layout with v2 at /sys/fs/cgroup/unified). A container's cgroup is named
 * by one path (e.g. "/minirt/c1") that is used in every hierarchy. */
#ifndef MINIRT_LINUX_CGROUP_CGROUP_H
#define MINIRT_LINUX_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/events.h"
#include "spec/oci.h"

enum cgroup_mode { CGROUP_MODE_V1, CGROUP_MODE_V2, CGROUP_MODE_HYBRID };

/* Reads /sys/fs/cgroup once per process (cached). */
int cgroup_detect(enum cgroup_mode *mode, struct minirt_error *err);

/* cgroupsPath from the config (may be NULL) -> the path used in every
 * hierarchy. Absolute paths are used as they are; relative ones are put
 * under the runtime's own cgroup; NULL gives "/minirt/<id>". With
 * systemd_cgroup, "slice:prefix:name" is turned into the systemd layout. */
int cgroup_resolve_path(const char *cgroups_path, const char *id,
                        bool systemd_cgroup, char **out,
                        struct minirt_error *err);

/* Creates the cgroup (with parents) in every hierarchy and applies
 * `res` (may be NULL). An error leaves nothing created. */
int cgroup_create(const char *path, const struct oci_resources *res,
                  struct minirt_error *err);
/* A new process joining its cgroup cheaply (cgroup/join.c): the parent
 * opens the cgroup before cloning, the child is born in it on v2 and
 * moves itself on v1. The child must be single-threaded. */
#define CGROUP_JOIN_MAX 16
struct cgroup_join {
  int tasks[CGROUP_JOIN_MAX]; /* v1 `tasks` files, opened for writing */
  size_t n_tasks;
  int v2_dir;   /* the cgroup in the v2 hierarchy, -1 when none */
  bool v2_done; /* set by cgroup_join_clone when CLONE_INTO_CGROUP worked */
};
void cgroup_join_init(struct cgroup_join *j);
/* A NULL path (a container without a cgroup) opens nothing. */
int cgroup_join_open(const char *path, struct cgroup_join *j,
                     struct minirt_error *err);
/* fork()-like clone with `flags` (namespaces; SIGCHLD is added): into the
 * v2 cgroup with clone3 where the kernel can, else a plain clone. Returns
 * the pid, 0 in the child, -1 with errno. */
pid_t cgroup_join_clone(struct cgroup_join *j, uint64_t flags);
/* posix_spawn's clone: CLONE_VM | CLONE_VFORK, fn(arg) on `stack`, into
 * the v2 cgroup where the kernel (and our clone3 trampoline) can. `j` must
 * be the child's own copy: it reads v2_done there, set before the clone. */
pid_t cgroup_join_clone_vm(struct cgroup_join *j, int (*fn)(void *), void *arg,
                           void *stack, size_t stack_size);
/* In the child: whatever cgroup_join_clone could not do. */
int cgroup_join_self(struct cgroup_join *j, struct minirt_error *err);
void cgroup_join_close(struct cgroup_join *j);
/* Applies resources to an existing cgroup (update). */
int cgroup_update(const char *path, const struct oci_resources *res,
                  struct minirt_error *err);
/* Removes the cgroup from every hierarchy, retrying while the kernel still
 * holds dying tasks; a missing cgroup is not an error. Also removes the
 * empty "/minirt" parent of a default path. */
int cgroup_destroy(const char *path, struct minirt_error *err);
int cgroup_freeze(const char *path, bool freeze, struct minirt_error *err);
int cgroup_is_frozen(const char *path, bool *frozen, struct minirt_error *err);
/* The host path of the cgroup in the hierarchy that freezes it (the v1
 * freezer, else cgroup2), for criu's --freeze-cgroup. */
int cgroup_freezer_path(const char *path, char **out, struct minirt_error *err);
/* On a pure v2 host, what a `cgroup` mount without a cgroup namespace
 * binds (rootfs/cgroup_mount.c): <cgroup2 mount><path>. -ENOTSUP on v1
 * and hybrid hosts, where it is a tmpfs of per-hierarchy binds. */
int cgroup_v2_bind_source(const char *path, char **out,
                          struct minirt_error *err);
/* Pids (host view) of every process in the cgroup. Caller frees *pids. */
int cgroup_pids(const char *path, pid_t **pids, size_t *n,
                struct minirt_error *err);
/* Sends sig to every process of the cgroup (kill --all, delete --force). */
int cgroup_kill_all(const char *path, int sig, struct minirt_error *err);
/* (-ENOTSUP is returned without filling *err, so callers can fall back.) */

/* Statistics for `events` (cgroup/stats.c): every controller found in any
 * hierarchy; files the kernel does not offer leave zeros. Free with
 * minirt_stats_free(). */
int cgroup_stats_read(const char *path, struct minirt_stats *s,
                      struct minirt_error *err);
/* The oom_kill counter: v1 memory.oom_control, v2 memory.events; 0 when
 * there is no memory controller. */
int cgroup_oom_kill_count(const char *path, uint64_t *count,
                          struct minirt_error *err);

/* Like cgroup_create, plus an allow rule (rwm) for each of `devices`
 * (linux.devices): runc allows the devices it creates in the container.
 * cgroup_create(p, r, e) is cgroup_create_with_devices(p, r, NULL, 0, e). */
int cgroup_create_with_devices(const char *path,
                               const struct oci_resources *res,
                               const struct oci_device *devices,
                               size_t n_devices, struct minirt_error *err);

/* ---- The systemd driver (cgroup/systemd.c): --systemd-cgroup. ----
 * The container's cgroup is a transient unit (a scope, Delegate=yes) that
 * systemd makes with the init's pid in it; the resources are set as unit
 * properties (so systemd never resets them) and written to the files. */
struct cgroup_systemd; /* a D-Bus connection to systemd */
/* Always true: the driver is built in (src/linux/dbus/ is our own D-Bus
 * client); kept for `features`. */
bool cgroup_systemd_supported(void);
/* cgroupsPath "slice:prefix:name" (NULL: "system.slice:minirt:<id>", the
 * user instance defaults to user.slice) -> the unit ("prefix-name.scope",
 * or the name when it ends in .slice) and its parent slice. Pure. */
int cgroup_systemd_unit_names(const char *cgroups_path, const char *id,
                              bool user, char **unit, char **slice,
                              struct minirt_error *err);
/* The system instance, or with `user` the caller's own (as runc:
 * rootless). The error names `unit` and the bus address. */
int cgroup_systemd_connect(bool user, const char *unit,
                           struct cgroup_systemd **out,
                           struct minirt_error *err);
void cgroup_systemd_disconnect(struct cgroup_systemd *sd);
/* StartTransientUnit of `unit` in `slice` with `pid` (not yet exec'd), the
 * resources as properties; waits for the job ("done"), then writes the
 * files (cgroup v1: also puts the pid into the hierarchies systemd does not
 * manage). *path: the unit's cgroup as systemd reports it. *started is set
 * once the unit exists: on error the caller stops it (after killing pid). */
int cgroup_systemd_start(struct cgroup_systemd *sd, const char *unit,
                         const char *slice, pid_t pid,
                         const struct oci_resources *res,
                         const struct oci_device *devices, size_t n_devices,
                         char **path, bool *started, struct minirt_error *err);
/* update: SetUnitProperties (runtime) of the unit of `path`, then the files. */
int cgroup_systemd_update(struct cgroup_systemd *sd, const char *path,
                          const struct oci_resources *res,
                          struct minirt_error *err);
/* StopUnit of the unit of `path` (its last component), waiting for the job,
 * then ResetFailedUnit; a unit that is gone already is no error. */
int cgroup_systemd_stop(struct cgroup_systemd *sd, const char *path,
                        struct minirt_error *err);

/* ---- Pure helpers (no syscalls), exposed for unit tests. ---- */

/* One cgroup hierarchy mounted on this host. */
struct cgroup_hierarchy {
  char *mountpoint;  /* "/sys/fs/cgroup/memory" */
  char *controllers; /* v1: "cpu,cpuacct" or "name=systemd"; v2: NULL */
  bool v2;
};

/* Parses /proc/self/mountinfo text: every cgroup (v1) mount, one per set
 * of controllers (the first mount wins), and the first cgroup2 mount
 * (*v2_mountpoint, NULL when none). Caller frees with
 * cgroup_hierarchies_free(). Octal escapes (\040) are decoded. */
int cgroup_parse_mountinfo(const char *text, struct cgroup_hierarchy **out,
                           size_t *n, char **v2_mountpoint,
                           struct minirt_error *err);
void cgroup_hierarchies_free(struct cgroup_hierarchy *h, size_t n);
/* True when the comma list `list` holds `name` ("cpu" in "cpu,cpuacct"). */
bool cgroup_list_has(const char *list, const char *name);
/* True when the space-separated list (cgroup.controllers) holds `name`. */
bool cgroup_controllers_has(const char *text, const char *name);
/* The cgroup of this process from /proc/self/cgroup text: the v2 ("0::")
 * line when there is one, else the "name=systemd" line, else the first
 * line. *out is an absolute path. */
int cgroup_parse_own(const char *text, char **out, struct minirt_error *err);
/* cgroup_resolve_path with the runtime's own cgroup given (pure). */
int cgroup_resolve_path_in(const char *cgroups_path, const char *id,
                           bool systemd_cgroup, const char *own_cgroup,
                           char **out, struct minirt_error *err);
/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "". */
int cgroup_expand_slice(const char *slice, char **out,
                        struct minirt_error *err);
/* cpu.shares (2..262144) -> cpu.weight (1..10000), as runc; 0 -> 0. */
uint64_t cgroup_shares_to_weight(uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000), as runc; 0 -> 0. */
uint64_t cgroup_blkio_to_io_weight(uint64_t weight);
/* OCI swap (memory+swap) and limit -> memory.swap.max value: -1 is "max",
 * 0 with *set false means "leave unchanged". Fails like runc on
 * swap < limit or swap without limit. */
int cgroup_v2_swap_value(bool has_swap, int64_t swap, bool has_limit,
                         int64_t limit, int64_t *out, bool *set,
                         struct minirt_error *err);
/* Formats a limit: negative -> "max" (or "-1" when v1), else the number. */
void cgroup_format_limit(int64_t v, bool v1, char *buf, size_t size);
/* "2MB" -> valid (digits then KB/MB/GB): guards the file name. */
bool cgroup_valid_page_size(const char *s);

/* Device rules as the kernel sees them; major/minor -1 = any. */
struct cgroup_dev_rule {
  bool allow;
  char type; /* 'a', 'c', 'b' */
  int64_t major, minor;
  unsigned access; /* CGROUP_DEV_* bits */
};
enum { CGROUP_DEV_MKNOD = 1, CGROUP_DEV_READ = 2, CGROUP_DEV_WRITE = 4 };
/* Builds the effective list: the config's rules in order, with the
 * runtime's default devices (null, zero, full, random, urandom, tty, ptmx,
 * pts) inserted after the last deny-all rule (or first when there is
 * none), then an allow rule for each of `devices`. Caller frees *out. */
int cgroup_dev_rules_build(const struct oci_device_cgroup *rules, size_t n,
                           const struct oci_device *devices, size_t n_devices,
                           struct cgroup_dev_rule **out, size_t *n_out,
                           struct minirt_error *err);
/* "c 1:3 rwm", "a *:* rwm" (v1 devices.allow / devices.deny syntax). */
void cgroup_dev_rule_format(const struct cgroup_dev_rule *r, char *buf,
                            size_t size);
/* Evaluates the rules like the v2 eBPF program does (last match wins,
 * default deny): for tests and for checking the generated program. */
bool cgroup_dev_rules_allow(const struct cgroup_dev_rule *r, size_t n,
                            char type, int64_t major, int64_t minor,
                            unsigned access);
/* Builds the BPF_PROG_TYPE_CGROUP_DEVICE program (struct bpf_insn array,
 * returned as void* to keep <linux/bpf.h> out of this header). */
int cgroup_dev_bpf_build(const struct cgroup_dev_rule *r, size_t n,
                         void **insns, size_t *n_insns,
                         struct minirt_error *err);

/* Resources -> systemd unit properties (cgroup/systemd_props.c), as runc
 * maps them. Values systemd reads as "infinity" are UINT64_MAX. */
enum cgroup_sd_type {
  CGROUP_SD_U64,     /* "t" */
  CGROUP_SD_BOOL,    /* "b" */
  CGROUP_SD_STR,     /* "s" */
  CGROUP_SD_BYTES,   /* "ay" (AllowedCPUs, AllowedMemoryNodes) */
  CGROUP_SD_DEVICES, /* "a(ss)" (DeviceAllow) */
};
struct cgroup_sd_device {
  char path[48]; /* "/dev/char/1:3", "char-136", "block-*" */
  char perms[4]; /* "rwm" subset */
};
struct cgroup_sd_prop {
  const char *name;
  enum cgroup_sd_type type;
  uint64_t u;                    /* U64; BOOL as 0/1 */
  const char *s;                 /* STR (static) */
  uint8_t *bytes;                /* BYTES */
  struct cgroup_sd_device *devs; /* DEVICES */
  size_t n;                      /* bytes or devs */
};
struct cgroup_sd_props {
  struct cgroup_sd_prop *v;
  size_t n;
  /* systemd keeps the quota in 1% steps (CPUQuotaPerSecUSec rounded up to
   * 10 ms): the quota the files must get so that they agree. */
  bool quota_rounded;
  int64_t quota;
};
/* `v2`: the property names of the unified hierarchy (MemoryMax, CPUWeight,
 * IOWeight) instead of v1's (MemoryLimit, CPUShares, BlockIOWeight).
 * `update`: zeros leave a value alone (as cgroup_update). */
int cgroup_sd_props_build(const struct oci_resources *res,
                          const struct oci_device *devices, size_t n_devices,
                          bool v2, bool update, struct cgroup_sd_props *out,
                          struct minirt_error *err);
void cgroup_sd_props_free(struct cgroup_sd_props *p);
/* quota (us per period; -1 unlimited) and period (0: the kernel's 100000)
 * -> CPUQuotaPerSecUSec, rounded up to 10000 as systemd stores it, and the
 * quota that rounding gives back. */
uint64_t cgroup_sd_quota_per_sec(int64_t quota, uint64_t period,
                                 int64_t *rounded_quota);
/* "0-2,5" (cpuset list) -> the bitmask systemd takes for AllowedCPUs:
 * byte i holds cpus 8i..8i+7, lowest bit first. */
int cgroup_sd_cpuset_mask(const char *list, uint8_t **bytes, size_t *n,
                          struct minirt_error *err);
/* The effective device rules (cgroup_dev_rules_build) -> DevicePolicy and
 * DeviceAllow. systemd has only allow lists; the rules' exact answer is
 * our eBPF program / devices files, attached beside systemd's: this list
 * must never deny what the rules allow, so it errs on allowing (an allow
 * *:N is char-*, a deny inside an allow-all leaves allow-all). *allow_all:
 * DevicePolicy=auto with an empty list. */
int cgroup_sd_device_allow(const struct cgroup_dev_rule *r, size_t n,
                           bool *allow_all, struct cgroup_sd_device **out,
                           size_t *n_out, struct minirt_error *err);

#endif
