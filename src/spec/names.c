#include "spec/names.h"

#include <linux/capability.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/oci.h"

/* Same order as enum oci_ns_type. */
const char *const oci_ns_names[] = {"pid",  "network", "mount", "ipc", "uts",
                                    "user", "cgroup",  "time",  NULL};

struct rlimit_name {
  const char *name;
  int value;
};

static const struct rlimit_name rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

const char *const oci_rlimit_names[] = {
    "RLIMIT_CPU",     "RLIMIT_FSIZE",      "RLIMIT_DATA",     "RLIMIT_STACK",
    "RLIMIT_CORE",    "RLIMIT_RSS",        "RLIMIT_NPROC",    "RLIMIT_NOFILE",
    "RLIMIT_MEMLOCK", "RLIMIT_AS",         "RLIMIT_LOCKS",    "RLIMIT_SIGPENDING",
    "RLIMIT_MSGQUEUE", "RLIMIT_NICE",      "RLIMIT_RTPRIO",   "RLIMIT_RTTIME",
    NULL};

/* Indexed by capability number, as in <linux/capability.h>. */
const char *const oci_capability_names[] = {
    [CAP_CHOWN] = "CAP_CHOWN",
    [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
    [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
    [CAP_FOWNER] = "CAP_FOWNER",
    [CAP_FSETID] = "CAP_FSETID",
    [CAP_KILL] = "CAP_KILL",
    [CAP_SETGID] = "CAP_SETGID",
    [CAP_SETUID] = "CAP_SETUID",
    [CAP_SETPCAP] = "CAP_SETPCAP",
    [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
    [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
    [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
    [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
    [CAP_NET_RAW] = "CAP_NET_RAW",
    [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
    [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
    [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
    [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
    [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
    [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
    [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
    [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
    [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
    [CAP_SYS_NICE] = "CAP_SYS_NICE",
    [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
    [CAP_SYS_TIME] = "CAP_SYS_TIME",
    [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
    [CAP_MKNOD] = "CAP_MKNOD",
    [CAP_LEASE] = "CAP_LEASE",
    [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
    [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
    [CAP_SETFCAP] = "CAP_SETFCAP",
    [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
    [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
    [CAP_SYSLOG] = "CAP_SYSLOG",
    [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
    [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
    [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
    [CAP_PERFMON] = "CAP_PERFMON",
    [CAP_BPF] = "CAP_BPF",
    [CAP_CHECKPOINT_RESTORE] = "CAP_CHECKPOINT_RESTORE",
    [CAP_CHECKPOINT_RESTORE + 1] = NULL,
};

const char *const oci_seccomp_action_names[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
    NULL};

const char *const oci_seccomp_op_names[] = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL};

const char *const oci_seccomp_arch_names[] = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",         "SCMP_ARCH_AARCH64",   "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
    "SCMP_ARCH_MIPSEL64",    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",       "SCMP_ARCH_PPC64LE",   "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",       "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64",
    "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
    "SCMP_ARCH_SH",          "SCMP_ARCH_SHEB",      NULL};

const char *const oci_seccomp_flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL};

/* The spec names the first four; runc also accepts the recursive forms. */
const char *const oci_propagation_names[] = {
    "shared",  "slave",  "private",  "unbindable",  "rshared",
    "rslave",  "rprivate", "runbindable", NULL};

const char *const oci_personality_domain_names[] = {"LINUX", "LINUX32", NULL};
const char *const oci_personality_flag_names[] = {NULL};

const char *const oci_sched_policy_names[] = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
    "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL};

const char *const oci_sched_flag_names[] = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
    "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL};

const char *const oci_ioprio_class_names[] = {
    "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};

const char *const oci_mpol_mode_names[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",  "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL", NULL};

const char *const oci_mpol_flag_names[] = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES",
    NULL};

const char *const oci_hook_names[] = {
    "prestart",       "createRuntime", "createContainer",
    "startContainer", "poststart",     "poststop", NULL};

bool oci_name_known(const char *const *table, const char *s) {
  for (; *table != NULL; table++)
    if (strcmp(*table, s) == 0)
      return true;
  return false;
}

int oci_ns_type_from_string(const char *s) {
  for (int i = 0; i < OCI_NS_COUNT; i++)
    if (strcmp(oci_ns_names[i], s) == 0)
      return i;
  return -1;
}

const char *oci_ns_type_to_string(enum oci_ns_type t) {
  if ((int)t < 0 || t >= OCI_NS_COUNT)
    return NULL;
  return oci_ns_names[t];
}

int oci_rlimit_from_string(const char *s) {
  for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
    if (strcmp(rlimits[i].name, s) == 0)
      return rlimits[i].value;
  return -1;
}

int oci_capability_from_string(const char *s) {
  for (int i = 0; i <= CAP_CHECKPOINT_RESTORE; i++)
    if (strcmp(oci_capability_names[i], s) == 0)
      return i;
  return -1;
}

const char *oci_capability_to_string(int cap) {
  if (cap < 0 || cap > CAP_CHECKPOINT_RESTORE)
    return NULL;
  return oci_capability_names[cap];
}

int oci_capability_last(void) {
  return CAP_CHECKPOINT_RESTORE;
}
