/* Cgroup helpers: pure parsing/conversion tests, and root-only tests that
 * make a real cgroup under /minirt-dev-cgroup-<pid> on this host. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/cgroup/internal.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char hybrid_mountinfo[] =
    "25 1 0:23 / /proc rw - proc proc rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:5 - cgroup cgroup "
    "rw,cpuacct,cpu,clone_children\n"
    "35 31 0:32 / /sys/fs/cgroup/my\\040mem rw - cgroup cgroup rw,memory\n"
    "36 31 0:32 / /other/memory rw - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup "
    "rw,xattr,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";

Test(cgroup_parse, mountinfo_hybrid) {
  struct cgroup_hierarchy *h = NULL;
  size_t n = 0;
  char *v2 = NULL;
  cr_assert_eq(cgroup_parse_mountinfo(hybrid_mountinfo, &h, &n, &v2, NULL), 0);
  cr_assert_eq(n, 4);
  cr_assert_str_eq(h[0].mountpoint, "/sys/fs/cgroup/cpu");
  cr_assert_str_eq(h[0].controllers, "cpu");
  cr_assert_str_eq(h[1].controllers, "cpuacct,cpu");
  cr_assert_str_eq(h[2].mountpoint, "/sys/fs/cgroup/my mem");
  cr_assert_str_eq(h[3].controllers, "name=systemd");
  cr_assert_str_eq(v2, "/sys/fs/cgroup/unified");
  cr_assert(cgroup_list_has(h[1].controllers, "cpu"));
  cr_assert(!cgroup_list_has(h[1].controllers, "cpuset"));
  cgroup_hierarchies_free(h, n);
  free(v2);
}

Test(cgroup_parse, mountinfo_v1_only_and_empty) {
  struct cgroup_hierarchy *h = NULL;
  size_t n = 9;
  char *v2 = (char *)"x";
  cr_assert_eq(cgroup_parse_mountinfo("garbage\n\n", &h, &n, &v2, NULL), 0);
  cr_assert_eq(n, 0);
  cr_assert_null(v2);
  cgroup_hierarchies_free(h, n);
}

Test(cgroup_parse, controllers_list) {
  cr_assert(
      cgroup_controllers_has("cpuset cpu io memory hugetlb pids\n", "hugetlb"));
  cr_assert(cgroup_controllers_has("hugetlb\n", "hugetlb"));
  cr_assert(!cgroup_controllers_has("hugetlbx\n", "hugetlb"));
  cr_assert(!cgroup_controllers_has("", "cpu"));
}

Test(cgroup_parse, own_cgroup) {
  char *own = NULL;
  cr_assert_eq(cgroup_parse_own("9:name=systemd:/sys\n4:memory:/m\n0::/v2\n",
                                &own, NULL),
               0);
  cr_assert_str_eq(own, "/v2");
  free(own);
  cr_assert_eq(cgroup_parse_own("4:memory:/m\n9:name=systemd:/s\n", &own, NULL),
               0);
  cr_assert_str_eq(own, "/s");
  free(own);
  cr_assert_eq(cgroup_parse_own("4:memory:/m\n", &own, NULL), 0);
  cr_assert_str_eq(own, "/m");
  free(own);
  struct minirt_error e = {0};
  cr_assert_lt(cgroup_parse_own("", &own, &e), 0);
  minirt_error_clear(&e);
}

static char *resolve(const char *p, const char *id, bool sd, const char *own) {
  char *out = NULL;
  struct minirt_error e = {0};
  int r = cgroup_resolve_path_in(p, id, sd, own, &out, &e);
  minirt_error_clear(&e);
  return r < 0 ? NULL : out;
}

Test(cgroup_parse, resolve_path) {
  char *s;
  cr_assert_str_eq(s = resolve(NULL, "c1", false, "/"), "/minirt/c1");
  free(s);
  cr_assert_str_eq(s = resolve("/a/b/", "c1", false, "/x"), "/a/b");
  free(s);
  cr_assert_str_eq(s = resolve("a/b", "c1", false, "/x/y"), "/x/y/a/b");
  free(s);
  cr_assert_str_eq(s = resolve("a", "c1", false, "/"), "/a");
  free(s);
  cr_assert_null(resolve("/a/../b", "c1", false, "/"));
  cr_assert_null(resolve("/", "c1", false, "/"));
  cr_assert_null(resolve(NULL, "../x", false, "/"));
}

Test(cgroup_parse, resolve_systemd) {
  char *s;
  cr_assert_str_eq(s = resolve("machine.slice:docker:abc", "x", true, NULL),
                   "/machine.slice/docker-abc.scope");
  free(s);
  cr_assert_str_eq(s = resolve("a-b.slice:p:n", "x", true, NULL),
                   "/a.slice/a-b.slice/p-n.scope");
  free(s);
  cr_assert_str_eq(s = resolve(":p:n", "x", true, NULL),
                   "/system.slice/p-n.scope");
  free(s);
  cr_assert_str_eq(s = resolve("-.slice:p:n", "x", true, NULL), "/p-n.scope");
  free(s);
  cr_assert_str_eq(s = resolve(NULL, "c1", true, NULL),
                   "/system.slice/minirt-c1.scope");
  free(s);
  cr_assert_str_eq(s = resolve("a.slice::a-b.slice", "x", true, NULL),
                   "/a.slice/a-b.slice");
  free(s);
  cr_assert_null(resolve("/abs/path", "x", true, NULL));
  cr_assert_null(resolve("bad:p:n", "x", true, NULL));
  cr_assert_null(resolve("a--b.slice:p:n", "x", true, NULL));
}

Test(cgroup_conv, shares_and_blkio) {
  cr_assert_eq(cgroup_shares_to_weight(0), 0);
  cr_assert_eq(cgroup_shares_to_weight(2), 1);
  cr_assert_eq(cgroup_shares_to_weight(1024), 39);
  cr_assert_eq(cgroup_shares_to_weight(262144), 10000);
  cr_assert_eq(cgroup_blkio_to_io_weight(10), 1);
  cr_assert_eq(cgroup_blkio_to_io_weight(500), 4950);
  cr_assert_eq(cgroup_blkio_to_io_weight(1000), 10000);
}

static int64_t swapv(bool hs, int64_t s, bool hl, int64_t l, bool *set,
                     int *rc) {
  int64_t out;
  struct minirt_error e = {0};
  *rc = cgroup_v2_swap_value(hs, s, hl, l, &out, set, &e);
  minirt_error_clear(&e);
  return out;
}

Test(cgroup_conv, v2_swap) {
  bool set;
  int rc;
  cr_assert_eq(swapv(true, 300, true, 100, &set, &rc), 200);
  cr_assert(set && rc == 0);
  cr_assert_eq(swapv(true, -1, true, 100, &set, &rc), -1);
  cr_assert(set);
  cr_assert_eq(swapv(false, 0, true, -1, &set, &rc), -1);
  cr_assert(set);
  swapv(false, 0, true, 100, &set, &rc);
  cr_assert(!set && rc == 0);
  swapv(true, 50, true, 100, &set, &rc);
  cr_assert_lt(rc, 0);
  swapv(true, 50, false, 0, &set, &rc);
  cr_assert_lt(rc, 0);
  cr_assert_eq(swapv(true, 100, true, 100, &set, &rc), 0);
  cr_assert(set);
}

Test(cgroup_conv, limits_and_pages) {
  char b[32];
  cgroup_format_limit(-1, false, b, sizeof b);
  cr_assert_str_eq(b, "max");
  cgroup_format_limit(-1, true, b, sizeof b);
  cr_assert_str_eq(b, "-1");
  cgroup_format_limit(4096, false, b, sizeof b);
  cr_assert_str_eq(b, "4096");
  cr_assert(cgroup_valid_page_size("2MB"));
  cr_assert(cgroup_valid_page_size("1GB"));
  cr_assert(!cgroup_valid_page_size("2MB/../x"));
  cr_assert(!cgroup_valid_page_size("MB"));
}

/* A tiny interpreter for the instructions cgroup_dev_bpf_build emits, to
 * check the program against the reference evaluation. */
static int run_prog(const struct bpf_insn *p, size_t n, uint32_t ctx[3]) {
  uint64_t r[11] = {0};
  for (size_t pc = 0; pc < n; pc++) {
    const struct bpf_insn *i = &p[pc];
    uint64_t src =
        (i->code & BPF_X) ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
    switch (i->code) {
    case BPF_LDX | BPF_W | BPF_MEM:
      r[i->dst_reg] = ctx[i->off / 4];
      break;
    case BPF_ALU64 | BPF_MOV | BPF_X:
    case BPF_ALU64 | BPF_MOV | BPF_K:
      r[i->dst_reg] = src;
      break;
    case BPF_ALU64 | BPF_AND | BPF_K:
      r[i->dst_reg] &= src;
      break;
    case BPF_ALU64 | BPF_RSH | BPF_K:
      r[i->dst_reg] >>= src;
      break;
    case BPF_JMP | BPF_JNE | BPF_K:
      if (r[i->dst_reg] != src)
        pc += (size_t)i->off;
      break;
    case BPF_JMP | BPF_EXIT:
      return (int)r[0];
    default:
      cr_assert_fail("unexpected insn %#x", i->code);
    }
  }
  cr_assert_fail("fell off the program");
  return -1;
}

static struct oci_device_cgroup rule(bool allow, const char *type, int64_t maj,
                                     int64_t min, const char *access) {
  struct oci_device_cgroup d = {0};
  d.allow = allow;
  d.type = (char *)type;
  d.has_major = maj >= 0;
  d.major = maj;
  d.has_minor = min >= 0;
  d.minor = min;
  d.access = (char *)access;
  return d;
}

Test(cgroup_devices, rules_defaults_and_bpf) {
  struct oci_device_cgroup cfg[] = {
      rule(false, NULL, -1, -1, "rwm"),
      rule(false, "c", 1, 7, "rwm"),
      rule(true, "b", 8, -1, "r"),
  };
  struct oci_device extra = {
      .path = (char *)"/dev/fuse", .type = 'c', .major = 10, .minor = 229};
  struct cgroup_dev_rule *r = NULL;
  size_t n = 0;
  cr_assert_eq(cgroup_dev_rules_build(cfg, 3, &extra, 1, &r, &n, NULL), 0);
  cr_assert_eq(n, 3 + 8 + 1);
  char buf[64];
  cgroup_dev_rule_format(&r[0], buf, sizeof buf);
  cr_assert_str_eq(buf, "a");
  /* The config's rules first, in order (as crun), then the defaults. */
  cgroup_dev_rule_format(&r[1], buf, sizeof buf);
  cr_assert_str_eq(buf, "c 1:7 rwm");
  cgroup_dev_rule_format(&r[3], buf, sizeof buf);
  cr_assert_str_eq(buf, "b 8:* r");
  cgroup_dev_rule_format(&r[4], buf, sizeof buf);
  cr_assert_str_eq(buf, "c 1:3 rwm");
  cgroup_dev_rule_format(&r[10], buf, sizeof buf);
  cr_assert_str_eq(buf, "c 136:* rwm");
  unsigned rw = CGROUP_DEV_READ | CGROUP_DEV_WRITE;
  cr_assert(cgroup_dev_rules_allow(r, n, 'c', 1, 3, rw));
  cr_assert(!cgroup_dev_rules_allow(r, n, 'c', 1, 7, rw)); /* explicit */
  cr_assert(cgroup_dev_rules_allow(r, n, 'c', 136, 5, rw));
  cr_assert(cgroup_dev_rules_allow(r, n, 'b', 8, 1, CGROUP_DEV_READ));
  cr_assert(!cgroup_dev_rules_allow(r, n, 'b', 8, 1, rw));
  cr_assert(cgroup_dev_rules_allow(r, n, 'c', 10, 229, rw));
  cr_assert(!cgroup_dev_rules_allow(r, n, 'c', 4, 1, rw));

  void *insns = NULL;
  size_t ni = 0;
  cr_assert_eq(cgroup_dev_bpf_build(r, n, &insns, &ni, NULL), 0);
  const char types[] = {'c', 'b'};
  const int64_t majs[] = {1, 5, 8, 10, 136, 4};
  const int64_t mins[] = {3, 7, 0, 2, 229, 1};
  for (size_t t = 0; t < 2; t++)
    for (size_t a = 0; a < 6; a++)
      for (size_t b = 0; b < 6; b++)
        for (unsigned acc = 1; acc < 8; acc++) {
          uint32_t ctx[3] = {
              (acc << 16) |
                  (types[t] == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
              (uint32_t)majs[a], (uint32_t)mins[b]};
          bool want =
              cgroup_dev_rules_allow(r, n, types[t], majs[a], mins[b], acc);
          cr_assert_eq(run_prog(insns, ni, ctx), want, "%c %ld:%ld %u",
                       types[t], (long)majs[a], (long)mins[b], acc);
        }
  free(insns);
  free(r);
}

Test(cgroup_devices, bad_rules) {
  struct oci_device_cgroup cfg[] = {rule(true, "x", 1, 1, "rwm")};
  struct cgroup_dev_rule *r = NULL;
  size_t n = 0;
  struct minirt_error e = {0};
  cr_assert_lt(cgroup_dev_rules_build(cfg, 1, NULL, 0, &r, &n, &e), 0);
  minirt_error_clear(&e);
  cfg[0] = rule(true, "c", 1, 1, "rwq");
  cr_assert_lt(cgroup_dev_rules_build(cfg, 1, NULL, 0, &r, &n, &e), 0);
  cr_assert(strstr(e.msg, "access") != NULL);
  minirt_error_clear(&e);
}

/* ---- root-only: a real cgroup on this host ---- */

static char parent[64], path[96];
static pid_t child = -1;

static void root_setup(void) {
  snprintf(parent, sizeof parent, "/minirt-dev-cgroup-%d", (int)getpid());
  snprintf(path, sizeof path, "%s/c1", parent);
}

/* Removes whatever a failed test left: the child, then both levels. */
static void root_teardown(void) {
  if (child > 0) {
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    child = -1;
  }
  if (geteuid() != 0)
    return;
  struct minirt_error e = {0};
  cgroup_freeze(path, false, &e);
  minirt_error_clear(&e);
  cgroup_destroy(path, &e);
  minirt_error_clear(&e);
  cgroup_destroy(parent, &e);
  minirt_error_clear(&e);
}

static void skip_unless_root(void) {
  if (geteuid() != 0)
    cr_skip_test("needs root");
}

/* True if mnt+p exists in any hierarchy of the host. */
static bool exists_anywhere(const char *p) {
  const struct cgroup_layout *l;
  cr_assert_eq(cgroup_layout_get(&l, NULL), 0);
  for (size_t i = 0; i <= l->n; i++) {
    const char *mnt = i < l->n ? l->h[i].mountpoint : l->v2;
    if (mnt == NULL)
      continue;
    char full[512];
    snprintf(full, sizeof full, "%s%s", mnt, p);
    if (access(full, F_OK) == 0)
      return true;
  }
  return false;
}

static char *read_ctl(const char *ctl, const char *v2ctl, const char *file,
                      bool *v2) {
  _cleanup_close_ int fd = -1;
  char *s = NULL;
  cr_assert_eq(cgroup_open_controller(path, ctl, v2ctl, &fd, v2, NULL), 0);
  cr_assert_eq(cgroup_read(fd, file, &s, NULL), 0, "read %s", file);
  return s;
}

/* The child waits on a pipe, then tries the devices and sleeps. */
/* A child that joins the cgroup `cgpath` the way a container init does
 * (cgroup/join.c), says so, then waits for `go`. */
static pid_t spawn(const char *cgpath, int *go, int *report) {
  int p1[2], p2[2];
  struct minirt_error e = {0};
  struct cgroup_join cg;
  cr_assert_eq(pipe2(p1, O_CLOEXEC), 0);
  cr_assert_eq(pipe2(p2, O_CLOEXEC), 0);
  cr_assert_eq(cgroup_join_open(cgpath, &cg, &e), 0, "%s", e.msg);
  pid_t pid = cgroup_join_clone(&cg, 0);
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    char c = cgroup_join_self(&cg, &e) == 0 ? 'j' : 'f';
    if (write(p2[1], &c, 1) != 1 || read(p1[0], &c, 1) != 1)
      _exit(1);
    int a = open("/dev/null", O_RDWR | O_CLOEXEC);
    int b = open("/dev/full", O_RDWR | O_CLOEXEC);
    char res[2] = {a >= 0 ? 'y' : 'n', b >= 0 ? 'y' : 'n'};
    if (write(p2[1], res, 2) != 2)
      _exit(1);
    for (;;)
      pause();
  }
  cgroup_join_close(&cg);
  close(p1[0]);
  close(p2[1]);
  char joined = 0;
  cr_assert_eq(read(p2[0], &joined, 1), 1);
  cr_assert_eq(joined, 'j', "the child could not join `%s`", cgpath);
  *go = p1[1];
  *report = p2[0];
  return pid;
}

Test(cgroup_root, full_cycle, .init = root_setup, .fini = root_teardown,
     .timeout = 60) {
  skip_unless_root();
  struct oci_memory mem = {.has_limit = true, .limit = 64 << 20};
  struct oci_cpu cpu = {.has_shares = true, .shares = 512};
  struct oci_device_cgroup devs[] = {rule(false, NULL, -1, -1, "rwm"),
                                     rule(false, "c", 1, 7, "rwm")};
  struct oci_resources res = {.memory = &mem,
                              .cpu = &cpu,
                              .has_pids = true,
                              .pids_limit = 50,
                              .devices = devs,
                              .n_devices = 2};
  struct minirt_error e = {0};
  cr_assert_eq(cgroup_create(path, &res, &e), 0, "%s", e.msg);
  bool v2;
  _cleanup_free_ char *m =
      read_ctl("memory", "memory", "memory.limit_in_bytes", &v2);
  cr_assert_eq(strtoll(m, NULL, 10), 64 << 20);
  _cleanup_free_ char *p = read_ctl("pids", "pids", "pids.max", &v2);
  cr_assert_str_eq(p, "50\n");
  _cleanup_free_ char *s =
      read_ctl("cpu", "cpu", v2 ? "cpu.weight" : "cpu.shares", &v2);
  cr_assert_str_eq(s, "512\n");
  _cleanup_free_ char *d = read_ctl("devices", NULL, "devices.list", &v2);
  cr_assert(strstr(d, "c 1:3 rwm") != NULL, "%s", d);
  cr_assert(strstr(d, "c 1:7") == NULL, "%s", d);

  /* Update: a 0 memory limit leaves the limit alone. */
  struct oci_memory mem0 = {.has_limit = true, .limit = 0};
  struct oci_cpu cpu2 = {.has_shares = true, .shares = 1024};
  struct oci_resources upd = {.memory = &mem0, .cpu = &cpu2};
  cr_assert_eq(cgroup_update(path, &upd, &e), 0, "%s", e.msg);
  free(m);
  m = read_ctl("memory", "memory", "memory.limit_in_bytes", &v2);
  cr_assert_eq(strtoll(m, NULL, 10), 64 << 20);
  free(s);
  s = read_ctl("cpu", "cpu", "cpu.shares", &v2);
  cr_assert_str_eq(s, "1024\n");

  int go, report;
  child = spawn(path, &go, &report);
  cr_assert_eq(write(go, "x", 1), 1);
  char got[2];
  cr_assert_eq(read(report, got, 2), 2);
  cr_assert_eq(got[0], 'y', "/dev/null must be allowed");
  cr_assert_eq(got[1], 'n', "/dev/full must be denied");
  close(go);
  close(report);

  bool frozen = true;
  cr_assert_eq(cgroup_is_frozen(path, &frozen, &e), 0, "%s", e.msg);
  cr_assert(!frozen);
  cr_assert_eq(cgroup_freeze(path, true, &e), 0, "%s", e.msg);
  cr_assert_eq(cgroup_is_frozen(path, &frozen, &e), 0);
  cr_assert(frozen);
  cr_assert_eq(cgroup_freeze(path, false, &e), 0, "%s", e.msg);
  cr_assert_eq(cgroup_is_frozen(path, &frozen, &e), 0);
  cr_assert(!frozen);

  _cleanup_free_ pid_t *pids = NULL;
  size_t n = 0;
  cr_assert_eq(cgroup_pids(path, &pids, &n, &e), 0, "%s", e.msg);
  cr_assert_eq(n, 1);
  cr_assert_eq(pids[0], child);

  cr_assert_eq(cgroup_kill_all(path, SIGKILL, &e), 0, "%s", e.msg);
  int st;
  cr_assert_eq(waitpid(child, &st, 0), child);
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  child = -1;

  cr_assert_eq(cgroup_destroy(path, &e), 0, "%s", e.msg);
  cr_assert(!exists_anywhere(path));
  cr_assert_eq(cgroup_destroy(path, &e), 0, "missing is fine");
  cr_assert_eq(cgroup_destroy(parent, &e), 0, "%s", e.msg);
  cr_assert(!exists_anywhere(parent));
}

Test(cgroup_root, kill_all_with_sigterm_freezes, .init = root_setup,
     .fini = root_teardown, .timeout = 60) {
  skip_unless_root();
  struct minirt_error e = {0};
  cr_assert_eq(cgroup_create(path, NULL, &e), 0, "%s", e.msg);
  int go, report;
  child = spawn(path, &go, &report);
  cr_assert_eq(cgroup_kill_all(path, SIGTERM, &e), 0, "%s", e.msg);
  int st;
  cr_assert_eq(waitpid(child, &st, 0), child);
  cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
  child = -1;
  bool frozen = true;
  cr_assert_eq(cgroup_is_frozen(path, &frozen, &e), 0);
  cr_assert(!frozen, "thawed again after the signal");
  close(go);
  close(report);
}

Test(cgroup_root, failure_rolls_back, .init = root_setup,
     .fini = root_teardown) {
  skip_unless_root();
  const struct cgroup_layout *l;
  cr_assert_eq(cgroup_layout_get(&l, NULL), 0);
  /* A value the kernel refuses, after the directories were made. */
  struct oci_memory mem = {.has_swappiness = true,
                           .swappiness = 100,
                           .has_limit = true,
                           .limit = 1 << 20,
                           .has_swap = true,
                           .swap = 1 << 10};
  struct oci_resources res = {.memory = &mem};
  struct minirt_error e = {0};
  cr_assert_lt(cgroup_create(path, &res, &e), 0);
  /* Refused before the kernel sees it, naming the field and value. */
  cr_assert(strstr(e.msg, "memory.swap: 1024") != NULL, "%s", e.msg);
  minirt_error_clear(&e);
  cr_assert(!exists_anywhere(parent), "rollback removes made parents");

  /* A controller the host lacks is an error only when asked for. */
  struct oci_resources net = {.has_class_id = true, .class_id = 0x100001};
  int r = cgroup_create(path, &net, &e);
  bool has_net_cls = false;
  for (size_t i = 0; i < l->n; i++)
    has_net_cls =
        has_net_cls || cgroup_list_has(l->h[i].controllers, "net_cls");
  if (!has_net_cls) {
    cr_assert_lt(r, 0);
    cr_assert(strstr(e.msg, "unsupported: linux.resources.network.classID") !=
                  NULL,
              "%s", e.msg);
    cr_assert(!exists_anywhere(parent));
  }
  minirt_error_clear(&e);
}

Test(cgroup_root, v2_device_bpf, .init = root_setup, .fini = root_teardown,
     .timeout = 60) {
  skip_unless_root();
  const struct cgroup_layout *l;
  cr_assert_eq(cgroup_layout_get(&l, NULL), 0);
  if (l->v2 == NULL)
    cr_skip_test("no cgroup2 mount");
  struct minirt_error e = {0};
  cr_assert_eq(cgroup_create(path, NULL, &e), 0, "%s", e.msg);
  char full[256];
  snprintf(full, sizeof full, "%s%s", l->v2, path);
  _cleanup_close_ int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cr_assert_geq(fd, 0);
  struct oci_device_cgroup devs[] = {rule(false, NULL, -1, -1, "rwm"),
                                     rule(false, "c", 1, 7, NULL)};
  struct cgroup_dev_rule *r = NULL;
  size_t n;
  cr_assert_eq(cgroup_dev_rules_build(devs, 2, NULL, 0, &r, &n, NULL), 0);
  /* Twice: the second replaces the first (update path). */
  cr_assert_eq(cgroup_devices_attach_bpf(fd, r, n, &e), 0, "%s", e.msg);
  cr_assert_eq(cgroup_devices_attach_bpf(fd, r, n, &e), 0, "%s", e.msg);
  free(r);
  int go, report;
  child = spawn(path, &go, &report);
  cr_assert_eq(write(go, "x", 1), 1);
  char got[2];
  cr_assert_eq(read(report, got, 2), 2);
  cr_assert_eq(got[0], 'y');
  cr_assert_eq(got[1], 'n');
  close(go);
  close(report);
}
