/* Device access rules: the effective rule list (config + runtime defaults),
 * the v1 devices.allow/deny syntax, and the v2 eBPF program written by
 * hand (BPF_PROG_TYPE_CGROUP_DEVICE; no libbpf). */
#include "linux/cgroup/cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"

/* The devices every container gets (as runc and crun). They follow the
 * config's rules (as crun: devices.list then shows the config's allows in
 * their order, which the OCI validation suite checks), except a default
 * that a config deny after the last deny-all touches: that one stays right
 * after the deny-all so the config's deny still wins. */
static const struct cgroup_dev_rule default_rules[] = {
    {true, 'c', 1, 3, 7},    /* /dev/null */
    {true, 'c', 1, 5, 7},    /* /dev/zero */
    {true, 'c', 1, 7, 7},    /* /dev/full */
    {true, 'c', 1, 8, 7},    /* /dev/random */
    {true, 'c', 1, 9, 7},    /* /dev/urandom */
    {true, 'c', 5, 0, 7},    /* /dev/tty */
    {true, 'c', 5, 2, 7},    /* /dev/ptmx */
    {true, 'c', 136, -1, 7}, /* /dev/pts/N */
};
#define N_DEFAULT (sizeof default_rules / sizeof default_rules[0])

static int parse_access(const char *s, unsigned *out, struct minirt_error *err,
                        size_t idx) {
  *out = 0;
  if (s == NULL) {
    *out = CGROUP_DEV_MKNOD | CGROUP_DEV_READ | CGROUP_DEV_WRITE;
    return 0;
  }
  for (const char *p = s; *p != '\0'; p++) {
    switch (*p) {
    case 'r':
      *out |= CGROUP_DEV_READ;
      break;
    case 'w':
      *out |= CGROUP_DEV_WRITE;
      break;
    case 'm':
      *out |= CGROUP_DEV_MKNOD;
      break;
    default:
      return minirt_fail_msg(err, EINVAL,
                             "linux.resources.devices[%zu].access: invalid "
                             "`%s`",
                             idx, s);
    }
  }
  return 0;
}

static int convert_rule(const struct oci_device_cgroup *d, size_t idx,
                        struct cgroup_dev_rule *r, struct minirt_error *err) {
  r->allow = d->allow;
  r->type = d->type == NULL ? 'a' : d->type[0];
  if ((r->type != 'a' && r->type != 'c' && r->type != 'b') ||
      (d->type != NULL && d->type[1] != '\0'))
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.devices[%zu].type: invalid `%s`",
                           idx, d->type);
  r->major = d->has_major ? d->major : -1;
  r->minor = d->has_minor ? d->minor : -1;
  if (r->major < -1 || r->minor < -1 || r->major > UINT32_MAX ||
      r->minor > UINT32_MAX)
    return minirt_fail_msg(err, EINVAL,
                           "linux.resources.devices[%zu]: invalid device "
                           "number",
                           idx);
  return parse_access(d->access, &r->access, err, idx);
}

static bool overlaps(const struct cgroup_dev_rule *a,
                     const struct cgroup_dev_rule *b) {
  if (a->type != 'a' && b->type != 'a' && a->type != b->type)
    return false;
  if (a->type == 'a' || b->type == 'a')
    return (a->access & b->access) != 0;
  if (a->major >= 0 && b->major >= 0 && a->major != b->major)
    return false;
  if (a->minor >= 0 && b->minor >= 0 && a->minor != b->minor)
    return false;
  return (a->access & b->access) != 0;
}

/* Whether a config deny after the last deny-all touches default rule d. */
static bool denied_later(const struct cgroup_dev_rule *conf, size_t from,
                         size_t n, const struct cgroup_dev_rule *d) {
  for (size_t i = from; i < n; i++)
    if (!conf[i].allow && overlaps(&conf[i], d))
      return true;
  return false;
}

static bool is_deny_all(const struct cgroup_dev_rule *r) {
  return !r->allow && r->type == 'a' && r->major == -1 && r->minor == -1 &&
         r->access == 7;
}

int cgroup_dev_rules_build(const struct oci_device_cgroup *rules, size_t n,
                           const struct oci_device *devices, size_t n_devices,
                           struct cgroup_dev_rule **out, size_t *n_out,
                           struct minirt_error *err) {
  size_t total = n + N_DEFAULT + n_devices;
  _cleanup_free_ struct cgroup_dev_rule *conf = calloc(n + 1, sizeof *conf);
  _cleanup_free_ struct cgroup_dev_rule *v = calloc(total, sizeof *v);
  if (v == NULL || conf == NULL)
    return minirt_fail(err, ENOMEM, "device rules");
  size_t insert_at = 0; /* after the last deny-all */
  for (size_t i = 0; i < n; i++) {
    int ret = convert_rule(&rules[i], i, &conf[i], err);
    if (ret < 0)
      return ret;
    if (is_deny_all(&conf[i]))
      insert_at = i + 1;
  }
  size_t k = 0;
  for (size_t i = 0; i < insert_at; i++)
    v[k++] = conf[i];
  for (size_t i = 0; i < N_DEFAULT; i++)
    if (denied_later(conf, insert_at, n, &default_rules[i]))
      v[k++] = default_rules[i];
  for (size_t i = insert_at; i < n; i++)
    v[k++] = conf[i];
  for (size_t i = 0; i < N_DEFAULT; i++)
    if (!denied_later(conf, insert_at, n, &default_rules[i]))
      v[k++] = default_rules[i];
  for (size_t i = 0; i < n_devices; i++) {
    const struct oci_device *d = &devices[i];
    if (d->type != 'c' && d->type != 'b' && d->type != 'u')
      continue; /* fifos need no device access */
    v[k++] = (struct cgroup_dev_rule){true, d->type == 'b' ? 'b' : 'c',
                                      d->major, d->minor, 7};
  }
  *out = steal_pointer(&v);
  *n_out = k;
  return 0;
}

void cgroup_dev_rule_format(const struct cgroup_dev_rule *r, char *buf,
                            size_t size) {
  char maj[24] = "*", min[24] = "*", acc[4];
  size_t a = 0;
  if (r->major >= 0)
    snprintf(maj, sizeof maj, "%" PRId64, r->major);
  if (r->minor >= 0)
    snprintf(min, sizeof min, "%" PRId64, r->minor);
  if (r->access & CGROUP_DEV_READ)
    acc[a++] = 'r';
  if (r->access & CGROUP_DEV_WRITE)
    acc[a++] = 'w';
  if (r->access & CGROUP_DEV_MKNOD)
    acc[a++] = 'm';
  acc[a] = '\0';
  if (r->type == 'a')
    snprintf(buf, size, "a");
  else
    snprintf(buf, size, "%c %s:%s %s", r->type, maj, min, acc);
}

static bool rule_matches(const struct cgroup_dev_rule *r, char type,
                         int64_t major, int64_t minor, unsigned access) {
  if (r->type != 'a' && r->type != type)
    return false;
  if ((access & ~r->access) != 0)
    return false;
  if (r->type != 'a' && r->major >= 0 && r->major != major)
    return false;
  if (r->type != 'a' && r->minor >= 0 && r->minor != minor)
    return false;
  return true;
}

bool cgroup_dev_rules_allow(const struct cgroup_dev_rule *r, size_t n,
                            char type, int64_t major, int64_t minor,
                            unsigned access) {
  for (size_t i = n; i-- > 0;)
    if (rule_matches(&r[i], type, major, minor, access))
      return r[i].allow;
  return false;
}

#define INSN(c, d, s, o, i)                                                    \
  ((struct bpf_insn){                                                          \
      .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

/* Emits the test of one rule: conditional jumps to the end of the block
 * when it does not match, then "return allow". */
static size_t emit_rule(const struct cgroup_dev_rule *r, struct bpf_insn *o) {
  size_t k = 0;
  size_t jumps[4], nj = 0;
  if (r->type != 'a') {
    int t = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    jumps[nj++] = k;
    o[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0, t);
  }
  if (r->access != 7) {
    /* Deny the request if it asks for any access the rule lacks. */
    o[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_2, 0, 0);
    o[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_6, 0, 0,
                  (int32_t)(~r->access & 7));
    jumps[nj++] = k;
    o[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, 0);
  }
  if (r->type != 'a' && r->major >= 0) {
    jumps[nj++] = k;
    o[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0,
                  (int32_t)(uint32_t)r->major);
  }
  if (r->type != 'a' && r->minor >= 0) {
    jumps[nj++] = k;
    o[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0,
                  (int32_t)(uint32_t)r->minor);
  }
  o[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow);
  o[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  for (size_t j = 0; j < nj; j++)
    o[jumps[j]].off = (int16_t)(k - jumps[j] - 1);
  return k;
}

int cgroup_dev_bpf_build(const struct cgroup_dev_rule *r, size_t n,
                         void **insns, size_t *n_insns,
                         struct minirt_error *err) {
  /* 6 to load the context, at most 8 per rule, 2 for the default. */
  size_t cap = 6 + 8 * n + 2;
  if (cap > 1000000)
    return minirt_fail_msg(err, E2BIG, "too many device rules");
  struct bpf_insn *o = calloc(cap, sizeof *o);
  if (o == NULL)
    return minirt_fail(err, ENOMEM, "device program");
  size_t k = 0;
  /* r2 = access, r3 = type, r4 = major, r5 = minor (bpf_cgroup_dev_ctx). */
  o[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
  o[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
  o[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
  o[k++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
  o[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
  o[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
  /* The last matching rule decides, so test them from the end. */
  bool total = false;
  for (size_t i = n; i-- > 0 && !total;) {
    k += emit_rule(&r[i], o + k);
    /* A rule that matches everything hides the rules before it, and the
     * verifier rejects unreachable instructions. */
    total = r[i].type == 'a' && r[i].access == 7;
  }
  if (!total) {
    o[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
    o[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  }
  *insns = o;
  *n_insns = k;
  return 0;
}
