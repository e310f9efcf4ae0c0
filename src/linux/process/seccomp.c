#include "linux/process/seccomp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "linux/process/process.h"
#include "linux/process/seccomp_bpf.h"
#include "spec/state.h"
#include "util/cleanup.h"
#include "util/fdpass.h"
#include "util/fs.h"

static void cleanup_seccomp_ctx(scmp_filter_ctx *c) {
  if (*c != NULL)
    seccomp_release(*c);
}
#define _cleanup_seccomp_ __attribute__((cleanup(cleanup_seccomp_ctx)))

/* Maps an OCI action name to a libseccomp action value. Only ERRNO and
 * TRACE carry errnoRet; EPERM is their default, as in runc. */
static int parse_action(const char *name, bool has_ret, uint32_t ret,
                        uint32_t *out, const char *field,
                        struct minirt_error *err) {
  uint32_t r = has_ret ? ret : EPERM;
  if (name == NULL)
    return minirt_fail_msg(err, EINVAL, "%s: missing action", field);
  if (strcmp(name, "SCMP_ACT_KILL") == 0 ||
      strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO(r);
  else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE(r);
  else if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp(name, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp(name, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return minirt_fail_msg(err, EINVAL, "unsupported: %s: `%s`", field, name);
  if (has_ret && strcmp(name, "SCMP_ACT_ERRNO") != 0 &&
      strcmp(name, "SCMP_ACT_TRACE") != 0)
    return minirt_fail_msg(err, EINVAL,
                           "%s: errnoRet is only valid with SCMP_ACT_ERRNO "
                           "and SCMP_ACT_TRACE, not `%s`",
                           field, name);
  return 0;
}

static int parse_op(const char *name, enum scmp_compare *out,
                    struct minirt_error *err) {
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  };
  for (size_t i = 0; name != NULL && i < sizeof(ops) / sizeof(ops[0]); i++)
    if (strcmp(ops[i].name, name) == 0) {
      *out = ops[i].op;
      return 0;
    }
  return minirt_fail_msg(err, EINVAL,
                         "unsupported: linux.seccomp.syscalls.args.op: `%s`",
                         name != NULL ? name : "(null)");
}

static int add_architectures(scmp_filter_ctx c, const struct oci_strv *archs,
                             struct minirt_error *err) {
  for (size_t i = 0; i < archs->n; i++) {
    const char *name = archs->v[i];
    const char *p = strncmp(name, "SCMP_ARCH_", 10) == 0 ? name + 10 : name;
    char lower[64];
    size_t n = strlen(p);
    if (n >= sizeof(lower))
      n = sizeof(lower) - 1;
    for (size_t j = 0; j < n; j++)
      lower[j] = (char)tolower((unsigned char)p[j]);
    lower[n] = '\0';
    uint32_t arch = seccomp_arch_resolve_name(lower);
    if (arch == 0)
      return minirt_fail_msg(
          err, EINVAL, "unsupported: linux.seccomp.architectures: `%s`", name);
    int r = seccomp_arch_add(c, arch);
    if (r < 0 && r != -EEXIST)
      return minirt_fail(err, -r, "seccomp: add architecture `%s`", name);
  }
  return 0;
}

static int set_flags(scmp_filter_ctx c, const struct oci_strv *flags,
                     struct minirt_error *err) {
  for (size_t i = 0; i < flags->n; i++) {
    const char *f = flags->v[i];
    enum scmp_filter_attr attr;
    if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
      attr = SCMP_FLTATR_CTL_TSYNC;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
      attr = SCMP_FLTATR_CTL_LOG;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
      attr = SCMP_FLTATR_CTL_SSB;
    else
      /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs libseccomp >= 2.6. */
      return minirt_fail_msg(err, EINVAL,
                             "unsupported: linux.seccomp.flags: `%s`", f);
    int r = seccomp_attr_set(c, attr, 1);
    if (r < 0)
      return minirt_fail(err, -r, "linux.seccomp.flags: `%s`", f);
  }
  return 0;
}

/* runc's rule: arguments with distinct indices form one rule (all must
 * match); if two share an index, each argument becomes its own rule (any
 * may match), since one rule cannot test an argument twice. */
static int add_syscall_rules(scmp_filter_ctx c, int nr, uint32_t action,
                             const struct oci_seccomp_syscall *sc,
                             const char *name, struct minirt_error *err) {
  if (sc->n_args > 6)
    return minirt_fail_msg(
        err, EINVAL, "linux.seccomp: syscall `%s`: more than 6 args", name);
  struct scmp_arg_cmp cmps[6];
  bool same_index = false;
  for (size_t i = 0; i < sc->n_args; i++) {
    enum scmp_compare op = SCMP_CMP_EQ;
    int ret = parse_op(sc->args[i].op, &op, err);
    if (ret < 0)
      return ret;
    if (sc->args[i].index > 5)
      return minirt_fail_msg(err, EINVAL,
                             "linux.seccomp: syscall `%s`: arg index %u > 5",
                             name, sc->args[i].index);
    cmps[i] = (struct scmp_arg_cmp){sc->args[i].index, op, sc->args[i].value,
                                    sc->args[i].value_two};
    for (size_t j = 0; j < i; j++)
      if (sc->args[j].index == sc->args[i].index)
        same_index = true;
  }
  int r;
  if (!same_index) {
    r = seccomp_rule_add_array(c, action, nr, (unsigned)sc->n_args, cmps);
  } else {
    r = 0;
    for (size_t i = 0; i < sc->n_args && r >= 0; i++)
      r = seccomp_rule_add_array(c, action, nr, 1, &cmps[i]);
  }
  if (r < 0)
    return minirt_fail(err, -r, "linux.seccomp: add rule for syscall `%s`",
                       name);
  return 0;
}

static int add_rules(scmp_filter_ctx c, const struct oci_seccomp *s,
                     uint32_t default_action, struct minirt_error *err) {
  for (size_t i = 0; i < s->n_syscalls; i++) {
    const struct oci_seccomp_syscall *sc = &s->syscalls[i];
    uint32_t action;
    int ret = parse_action(sc->action, sc->has_errno_ret, sc->errno_ret,
                           &action, "linux.seccomp.syscalls.action", err);
    if (ret < 0)
      return ret;
    /* libseccomp refuses a rule equal to the default; it changes nothing. */
    if (action == default_action)
      continue;
    for (size_t j = 0; j < sc->names.n; j++) {
      int nr = seccomp_syscall_resolve_name(sc->names.v[j]);
      if (nr == __NR_SCMP_ERROR)
        continue;
      ret = add_syscall_rules(c, nr, action, sc, sc->names.v[j], err);
      if (ret < 0)
        return ret;
    }
  }
  return 0;
}

bool seccomp_uses_notify(const struct oci_seccomp *s) {
  if (s == NULL)
    return false;
  if (s->default_action != NULL &&
      strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
    return true;
  for (size_t i = 0; i < s->n_syscalls; i++)
    if (s->syscalls[i].action != NULL &&
        strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

/* The libseccomp filter for `s`, not loaded yet. */
static int build_ctx(const struct oci_seccomp *s, scmp_filter_ctx *out,
                     struct minirt_error *err) {
  uint32_t def;
  int ret = parse_action(s->default_action, s->has_default_errno_ret,
                         s->default_errno_ret, &def,
                         "linux.seccomp.defaultAction", err);
  if (ret < 0)
    return ret;
  _cleanup_seccomp_ scmp_filter_ctx c = seccomp_init(def);
  if (c == NULL)
    return minirt_fail_msg(err, EINVAL,
                           "seccomp: cannot create a filter "
                           "with the default action");
  /* no_new_privs is the process's business (process.noNewPrivileges), not
   * a side effect of loading the filter. */
  ret = seccomp_attr_set(c, SCMP_FLTATR_CTL_NNP, 0);
  if (ret < 0)
    return minirt_fail(err, -ret, "seccomp: clear the NNP attribute");
  /* A binary tree of syscall numbers instead of a linear list: podman's
   * profile becomes 1,426 instructions instead of 1,144, but the kernel
   * loads it in ~0.45 ms instead of ~1.1 ms (it runs the program for every
   * syscall number to fill its action cache) and a syscall walks ~10
   * comparisons instead of hundreds. The compile is slower, but the cache
   * (seccomp_cache.c) pays that once per profile. Same semantics; a
   * libseccomp without the attribute keeps the linear layout. */
  (void)seccomp_attr_set(c, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if ((ret = add_architectures(c, &s->architectures, err)) < 0 ||
      (ret = set_flags(c, &s->flags, err)) < 0 ||
      (ret = add_rules(c, s, def, err)) < 0)
    return ret;
  *out = steal_pointer(&c);
  return 0;
}

int seccomp_build_and_load(const struct oci_seccomp *s, int *notify_fd,
                           struct minirt_error *err) {
  *notify_fd = -1;
  _cleanup_seccomp_ scmp_filter_ctx c = NULL;
  int ret = build_ctx(s, &c, err);
  if (ret < 0)
    return ret;
  ret = seccomp_load(c);
  if (ret < 0)
    return minirt_fail(err, -ret, "seccomp: load the filter");
  if (seccomp_uses_notify(s)) {
    int fd = seccomp_notify_fd(c);
    if (fd < 0)
      return minirt_fail(err, fd == -1 ? EINVAL : -fd,
                         "seccomp: get the notify fd");
    /* The fd is owned by the filter context; keep our own copy. */
    *notify_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (*notify_fd < 0)
      return minirt_fail(err, errno, "seccomp: dup the notify fd");
  }
  return 0;
}

/* libseccomp 2.5 exports only to an fd: a memfd, read back whole. The
 * program is the one seccomp_load() would load (both come from
 * gen_bpf_generate()). */
int seccomp_compile_bpf_libseccomp(const struct oci_seccomp *s,
                                   struct sock_filter **insns, size_t *n,
                                   struct minirt_error *err) {
  *insns = NULL;
  *n = 0;
  _cleanup_seccomp_ scmp_filter_ctx c = NULL;
  int ret = build_ctx(s, &c, err);
  if (ret < 0)
    return ret;
  _cleanup_close_ int fd = memfd_create("minirt-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return minirt_fail(err, errno, "seccomp: memfd_create");
  ret = seccomp_export_bpf(c, fd);
  if (ret < 0)
    return minirt_fail(err, -ret, "seccomp: export the filter");
  struct stat st;
  if (fstat(fd, &st) < 0)
    return minirt_fail(err, errno, "seccomp: stat the exported filter");
  size_t len = (size_t)st.st_size;
  if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
      len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return minirt_fail_msg(err, E2BIG,
                           "seccomp: the filter has %zu bytes, not 1 to %d "
                           "instructions",
                           len, BPF_MAXINSNS);
  _cleanup_free_ struct sock_filter *p = malloc(len);
  if (p == NULL)
    return minirt_fail(err, ENOMEM, "seccomp: filter");
  ssize_t r = pread(fd, p, len, 0);
  if (r != (ssize_t)len)
    return minirt_fail(err, r < 0 ? errno : EIO,
                       "seccomp: read the exported filter");
  *insns = steal_pointer(&p);
  *n = len / sizeof(struct sock_filter);
  return 0;
}

int seccomp_compile_bpf_noted(const struct oci_seccomp *s,
                              struct sock_filter **insns, size_t *n,
                              process_note_fn note, void *data,
                              struct minirt_error *err) {
  int ret = seccomp_compile_bpf_libseccomp(s, insns, n, err);
  if (ret < 0)
    return ret;
  /* The kernel's load (its BPF conversion and JIT) is linear in the
   * program's length and paid by every run and exec; the compactor
   * (seccomp_compact.c) returns a program with libseccomp's results for
   * every input, checked, or keeps libseccomp's. */
  struct sock_filter *shorter;
  size_t shorter_n;
  char why[256];
  if (seccomp_compact(*insns, *n, &shorter, &shorter_n, why, sizeof why) < 0) {
    if (note != NULL) {
      char msg[320];
      snprintf(msg, sizeof msg,
               "seccomp: libseccomp's %zu instructions kept: %s", *n, why);
      note(data, msg);
    }
    return 0;
  }
  if (note != NULL) {
    char msg[128];
    snprintf(msg, sizeof msg, "seccomp: %zu instructions compacted to %zu", *n,
             shorter_n);
    note(data, msg);
  }
  free(*insns);
  *insns = shorter;
  *n = shorter_n;
  return 0;
}

int seccomp_compile_bpf(const struct oci_seccomp *s, struct sock_filter **insns,
                        size_t *n, struct minirt_error *err) {
  return seccomp_compile_bpf_noted(s, insns, n, NULL, NULL, err);
}

/* The SECCOMP_FILTER_FLAG_* that seccomp_load() of libseccomp 2.5 passes
 * for these linux.seccomp.flags (sys_filter_load(); without a notify
 * listener, which never reaches the raw path). */
int seccomp_filter_flags(const struct oci_seccomp *s, unsigned *flags,
                         struct minirt_error *err) {
  *flags = 0;
  for (size_t i = 0; i < s->flags.n; i++) {
    const char *f = s->flags.v[i];
    if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
      *flags |= SECCOMP_FILTER_FLAG_TSYNC;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0)
      *flags |= SECCOMP_FILTER_FLAG_LOG;
    else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
      *flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    else
      return minirt_fail_msg(err, EINVAL,
                             "unsupported: linux.seccomp.flags: `%s`", f);
  }
  return 0;
}

int seccomp_load_bpf(const struct sock_filter *insns, size_t n, unsigned flags,
                     struct minirt_error *err) {
  struct sock_fprog prog = {.len = (unsigned short)n,
                            .filter = (struct sock_filter *)insns};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  /* With TSYNC a positive value is the thread that could not be synced;
   * libseccomp reports it as ESRCH. */
  if (r > 0)
    return minirt_fail(err, ESRCH, "seccomp: load the filter (thread %ld)", r);
  if (r < 0)
    return minirt_fail(err, errno, "seccomp: load the filter");
  return 0;
}

int process_seccomp_notify_send(const struct oci_linux *lx,
                                const char *state_json, pid_t pid,
                                int notify_fd, struct minirt_error *err) {
  const struct oci_seccomp *s = lx != NULL ? lx->seccomp : NULL;
  if (s == NULL || s->listener_path == NULL)
    return minirt_fail_msg(
        err, EINVAL, "linux.seccomp.listenerPath: not set for a notify fd");
  _cleanup_free_ char *payload = NULL;
  int ret = oci_process_state_to_json(state_json, pid, s->listener_metadata,
                                      &payload, err);
  if (ret < 0)
    return ret;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(s->listener_path) >= sizeof(sa.sun_path))
    return minirt_fail_msg(err, ENAMETOOLONG,
                           "linux.seccomp.listenerPath `%s`: too long",
                           s->listener_path);
  strcpy(sa.sun_path, s->listener_path);
  _cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return minirt_fail(err, errno, "linux.seccomp.listenerPath: socket");
  if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
    return minirt_fail(err, errno, "linux.seccomp.listenerPath: connect `%s`",
                       s->listener_path);
  ret = fdpass_send(sock, notify_fd, payload, err);
  if (ret < 0)
    minirt_error_prefix(err, "linux.seccomp.listenerPath: ");
  return ret;
}
