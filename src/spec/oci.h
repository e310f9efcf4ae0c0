/* Typed model of the OCI runtime-spec config.json (v1.0 - v1.3).
 *
 * Only src/spec/ walks json-c objects; everything else uses these structs.
 * Conventions:
 *  - strings are heap-allocated, NULL when absent;
 *  - string lists are `char **` NULL-terminated plus a count (NULL/0 when
 *    absent);
 *  - optional scalars have a `has_` flag next to them;
 *  - every struct has exactly one owner; oci_config_free() frees the tree.
 */
#ifndef MINIRT_SPEC_OCI_H
#define MINIRT_SPEC_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MINIRT_OCI_VERSION "1.2.0"

struct oci_strv {
  char **v; /* NULL-terminated */
  size_t n;
};

struct oci_kv { /* annotations, sysctl, unified, ... (order kept) */
  char **keys;
  char **values;
  size_t n;
};

/* ---- process ---- */

struct oci_rlimit {
  char *type; /* "RLIMIT_NOFILE" ... */
  int resource; /* RLIMIT_* value resolved by the loader */
  uint64_t soft;
  uint64_t hard;
};

struct oci_user {
  uint32_t uid;
  uint32_t gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username; /* Windows only; kept for round trips */
};

struct oci_capabilities {
  /* Each set: list of names ("CAP_CHOWN"); has_ tells if the key was set. */
  struct oci_strv bounding, effective, inheritable, permitted, ambient;
  bool has_bounding, has_effective, has_inheritable, has_permitted, has_ambient;
};

struct oci_console_size {
  uint32_t height;
  uint32_t width;
};

struct oci_scheduler {
  char *policy; /* "SCHED_OTHER" ... */
  int32_t nice;
  int32_t priority;
  struct oci_strv flags;
  uint64_t runtime, deadline, period;
};

struct oci_io_priority {
  char *class_; /* "IOPRIO_CLASS_RT" | "IOPRIO_CLASS_BE" | "IOPRIO_CLASS_IDLE" */
  int32_t priority;
};

struct oci_cpu_affinity {
  char *initial; /* "0-3,7" */
  char *final;
};

/* Bits of oci_process.present: which keys the JSON object held. The
 * --process merge layer needs this ("a field present in the file replaces
 * the inherited value as a whole"). */
enum oci_process_field {
  OCI_PROC_TERMINAL = 1u << 0,
  OCI_PROC_CONSOLE_SIZE = 1u << 1,
  OCI_PROC_USER = 1u << 2,
  OCI_PROC_ARGS = 1u << 3,
  OCI_PROC_COMMAND_LINE = 1u << 4,
  OCI_PROC_ENV = 1u << 5,
  OCI_PROC_CWD = 1u << 6,
  OCI_PROC_CAPABILITIES = 1u << 7,
  OCI_PROC_RLIMITS = 1u << 8,
  OCI_PROC_NO_NEW_PRIVILEGES = 1u << 9,
  OCI_PROC_APPARMOR = 1u << 10,
  OCI_PROC_OOM_SCORE_ADJ = 1u << 11,
  OCI_PROC_SCHEDULER = 1u << 12,
  OCI_PROC_SELINUX_LABEL = 1u << 13,
  OCI_PROC_IO_PRIORITY = 1u << 14,
  OCI_PROC_EXEC_CPU_AFFINITY = 1u << 15,
};

struct oci_process {
  uint32_t present; /* OCI_PROC_* bits */
  bool terminal;
  struct oci_console_size console_size; /* valid if OCI_PROC_CONSOLE_SIZE */
  struct oci_user user;                 /* valid if OCI_PROC_USER */
  struct oci_strv args;
  char *command_line; /* Windows only */
  struct oci_strv env;
  char *cwd;
  struct oci_capabilities *capabilities; /* NULL if absent */
  struct oci_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  int oom_score_adj; /* valid if OCI_PROC_OOM_SCORE_ADJ */
  struct oci_scheduler *scheduler;
  char *selinux_label;
  struct oci_io_priority *io_priority;
  struct oci_cpu_affinity *exec_cpu_affinity;
};

/* ---- root, mounts, hooks ---- */

struct oci_root {
  char *path;
  bool readonly;
};

struct oci_id_mapping {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_mount {
  char *destination;
  char *type;   /* may be NULL (bind) */
  char *source; /* may be NULL */
  struct oci_strv options;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

struct oci_hook {
  char *path;
  struct oci_strv args;
  struct oci_strv env;
  bool has_timeout;
  int timeout; /* seconds, > 0 */
};

struct oci_hook_list {
  struct oci_hook *v;
  size_t n;
};

struct oci_hooks {
  struct oci_hook_list prestart, create_runtime, create_container,
      start_container, poststart, poststop;
};

/* ---- linux ---- */

enum oci_ns_type {
  OCI_NS_PID,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS_COUNT
};

struct oci_namespace {
  enum oci_ns_type type;
  char *path; /* NULL: create a new one */
};

struct oci_time_offset {
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_device {
  char *path;
  char type; /* 'c', 'b', 'u', 'p' */
  int64_t major, minor;
  bool has_file_mode;
  uint32_t file_mode;
  bool has_uid, has_gid;
  uint32_t uid, gid;
};

struct oci_device_cgroup {
  bool allow;
  char *type; /* "a", "c", "b" or NULL (= all) */
  bool has_major, has_minor;
  int64_t major, minor;
  char *access; /* "rwm" subset or NULL */
};

struct oci_memory {
  bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp,
      has_swappiness, has_disable_oom_killer, has_use_hierarchy,
      has_check_before_update;
  int64_t limit, reservation, swap, kernel, kernel_tcp;
  uint64_t swappiness;
  bool disable_oom_killer, use_hierarchy, check_before_update;
};

struct oci_cpu {
  bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
      has_realtime_period, has_idle;
  uint64_t shares;
  int64_t quota;
  uint64_t burst;
  uint64_t period;
  int64_t realtime_runtime;
  uint64_t realtime_period;
  char *cpus, *mems;
  int64_t idle;
};

struct oci_weight_device {
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct oci_throttle_device {
  int64_t major, minor;
  uint64_t rate;
};

struct oci_blkio {
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
  struct oci_weight_device *weight_device;
  size_t n_weight_device;
  struct oci_throttle_device *throttle_read_bps, *throttle_write_bps,
      *throttle_read_iops, *throttle_write_iops;
  size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
      n_throttle_write_iops;
};

struct oci_hugepage_limit {
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct oci_net_priority {
  char *name;
  uint32_t priority;
};

struct oci_rdma_limit {
  char *device;
  bool has_hca_handles, has_hca_objects;
  uint32_t hca_handles, hca_objects;
};

struct oci_resources {
  struct oci_device_cgroup *devices;
  size_t n_devices;
  struct oci_memory *memory; /* NULL if absent */
  struct oci_cpu *cpu;
  bool has_pids;
  int64_t pids_limit;
  struct oci_blkio *blkio;
  struct oci_hugepage_limit *hugepage_limits;
  size_t n_hugepage_limits;
  bool has_network;
  bool has_class_id;
  uint32_t class_id;
  struct oci_net_priority *net_priorities;
  size_t n_net_priorities;
  struct oci_rdma_limit *rdma;
  size_t n_rdma;
  struct oci_kv unified;
};

struct oci_seccomp_arg {
  uint32_t index;
  uint64_t value, value_two;
  char *op; /* "SCMP_CMP_EQ" ... */
};

struct oci_seccomp_syscall {
  struct oci_strv names;
  char *action; /* "SCMP_ACT_ERRNO" ... */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct oci_seccomp_arg *args;
  size_t n_args;
};

struct oci_seccomp {
  char *default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  struct oci_strv architectures;
  struct oci_strv flags;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct oci_intel_rdt {
  char *clos_id, *l3_cache_schema, *mem_bw_schema;
  bool enable_cmt, enable_mbm;
};

struct oci_personality {
  char *domain; /* "LINUX" | "LINUX32" */
  struct oci_strv flags;
};

struct oci_net_device {
  char *host_name; /* key of the netDevices map */
  char *name;
};

struct oci_memory_policy {
  char *mode; /* "MPOL_DEFAULT" ... */
  char *nodes;
  struct oci_strv flags;
};

struct oci_linux {
  struct oci_namespace *namespaces;
  size_t n_namespaces;
  struct oci_id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct oci_id_mapping *gid_mappings;
  size_t n_gid_mappings;
  bool has_time_offsets;
  struct oci_time_offset time_monotonic, time_boottime;
  bool has_monotonic, has_boottime;
  struct oci_device *devices;
  size_t n_devices;
  char *cgroups_path;
  struct oci_resources *resources; /* NULL if absent */
  struct oci_intel_rdt *intel_rdt;
  struct oci_kv sysctl;
  struct oci_seccomp *seccomp;
  char *rootfs_propagation;
  struct oci_strv masked_paths;
  struct oci_strv readonly_paths;
  char *mount_label;
  struct oci_personality *personality;
  struct oci_net_device *net_devices;
  size_t n_net_devices;
  struct oci_memory_policy *memory_policy;
};

struct oci_config {
  char *oci_version;
  struct oci_process *process; /* NULL if absent (allowed for create? no: see validate) */
  struct oci_root *root;
  char *hostname;
  char *domainname;
  struct oci_mount *mounts;
  size_t n_mounts;
  struct oci_hooks *hooks;
  struct oci_kv annotations;
  struct oci_linux *linux_; /* NULL if absent */
};

/* ---- loading, validating, writing ---- */

/* Parses a whole config.json held in memory. On error the message names the
 * JSON path ("process.user.uid: expected a non-negative integer") or, for
 * malformed JSON, the line and column. Validation of the values (absolute
 * paths, known enum strings, duplicates) is part of loading. */
int oci_config_parse(const char *data, size_t len, struct oci_config **out,
                     struct minirt_error *err);
/* The exact text of member `inner` of the top-level object's member `outer`
 * (e.g. linux.seccomp), found without parsing: 1 and its value's [*start,
 * *end) when it is there once; 0 when it is not; -1 when the text is not
 * plain enough to be sure (not standard JSON, a duplicate key or a key with
 * an escape on the way): then only a parse can tell. Pure (json_scan.c). */
int oci_config_find_member(const char *text, size_t len, const char *outer,
                           const char *inner, size_t *start, size_t *end);
/* Overwrites the value at [start, end) with `null` and spaces, so that a
 * parse of the text sees the member as absent; false (text unchanged) when
 * the value is shorter than `null`. */
bool oci_config_blank_member(char *text, size_t start, size_t end);
/* Reads and parses a file (size-capped). *raw, if not NULL, receives the
 * exact bytes read (NUL-terminated) so the caller can save a verbatim copy. */
int oci_config_load_file(const char *path, struct oci_config **out,
                         char **raw, size_t *raw_len, struct minirt_error *err);
/* Serialises to JSON text (pretty when `pretty`); caller frees *out. */
int oci_config_to_json(const struct oci_config *cfg, bool pretty, char **out,
                       struct minirt_error *err);
void oci_config_free(struct oci_config *cfg);

/* A --process file: the same object as config.process, with `present`
 * recording which keys it held. Unlike config.process, no key is required. */
int oci_process_parse(const char *data, size_t len, struct oci_process **out,
                      struct minirt_error *err);
int oci_process_load_file(const char *path, struct oci_process **out,
                          struct minirt_error *err);
int oci_process_to_json(const struct oci_process *p, bool pretty, char **out,
                        struct minirt_error *err);
struct oci_process *oci_process_dup(const struct oci_process *p);
void oci_process_free(struct oci_process *p);

/* Requirements that only hold for a config that is to be run (create):
 * process and root present, args non-empty, ... */
int oci_config_validate_for_create(const struct oci_config *cfg,
                                   struct minirt_error *err);

/* The default config written by `minirt spec` (like `runc spec`). */
struct oci_config *oci_config_default(bool rootless);

/* Name tables shared with the Linux layer. Return -1 when unknown. */
int oci_ns_type_from_string(const char *s);
const char *oci_ns_type_to_string(enum oci_ns_type t);
int oci_rlimit_from_string(const char *s);
int oci_capability_from_string(const char *s); /* "CAP_CHOWN" -> 0 */
const char *oci_capability_to_string(int cap);
int oci_capability_last(void); /* highest capability number known */

/* The ambient capabilities the kernel will not raise because they are not
 * in both the permitted and the inheritable set (a config made by `runc
 * spec` lists ambient without inheritable). Returns how many; their names,
 * comma-separated, go into buf (truncated to len). */
size_t oci_ambient_unraisable(const struct oci_capabilities *caps, char *buf,
                              size_t len);

#endif
