/* The systemd driver's pure parts: unit names from cgroupsPath and the
 * resource -> unit property mapping (src/linux/cgroup/systemd_props.c). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup/cgroup.h"

#define INF UINT64_MAX

static const struct cgroup_sd_prop *find(const struct cgroup_sd_props *p,
                                         const char *name, size_t nth) {
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, name) == 0 && nth-- == 0)
      return &p->v[i];
  return NULL;
}

static uint64_t u64(const struct cgroup_sd_props *p, const char *name) {
  const struct cgroup_sd_prop *x = find(p, name, 0);
  cr_assert_not_null(x, "no property %s", name);
  cr_assert_eq(x->type, CGROUP_SD_U64, "%s is not a u64", name);
  return x->u;
}

Test(systemd_names, scope_and_slice) {
  char *unit, *slice;
  cr_assert_eq(cgroup_systemd_unit_names("machine.slice:minirt-test:abc", "x",
                                         false, &unit, &slice, NULL),
               0);
  cr_assert_str_eq(unit, "minirt-test-abc.scope");
  cr_assert_str_eq(slice, "machine.slice");
  free(unit);
  free(slice);
  cr_assert_eq(
      cgroup_systemd_unit_names(NULL, "c1", false, &unit, &slice, NULL), 0);
  cr_assert_str_eq(unit, "minirt-c1.scope");
  cr_assert_str_eq(slice, "system.slice");
  free(unit);
  free(slice);
  /* The user instance defaults to user.slice, as runc rootless. */
  cr_assert_eq(cgroup_systemd_unit_names(NULL, "c1", true, &unit, &slice, NULL),
               0);
  cr_assert_str_eq(slice, "user.slice");
  free(unit);
  free(slice);
  cr_assert_eq(
      cgroup_systemd_unit_names(":p:n", "x", false, &unit, &slice, NULL), 0);
  cr_assert_str_eq(unit, "p-n.scope");
  cr_assert_str_eq(slice, "system.slice");
  free(unit);
  free(slice);
  cr_assert_eq(
      cgroup_systemd_unit_names("a.slice::n", "x", false, &unit, &slice, NULL),
      0);
  cr_assert_str_eq(unit, "n.scope");
  free(unit);
  free(slice);
  /* A name that is a slice is the unit itself. */
  cr_assert_eq(cgroup_systemd_unit_names("a.slice::a-b.slice", "x", false,
                                         &unit, &slice, NULL),
               0);
  cr_assert_str_eq(unit, "a-b.slice");
  free(unit);
  free(slice);
  struct minirt_error e = {0};
  cr_assert_lt(
      cgroup_systemd_unit_names("/abs/path", "x", false, &unit, &slice, &e), 0);
  cr_assert_null(unit);
  cr_assert(strstr(e.msg, "slice:prefix:name") != NULL, "%s", e.msg);
  minirt_error_clear(&e);
  cr_assert_lt(
      cgroup_systemd_unit_names("bad:p:n", "x", false, &unit, &slice, NULL), 0);
}

Test(systemd_props, shares_to_weight_is_runcs_formula) {
  /* 1 + (shares - 2) * 9999 / 262142, clamped, 0 unset */
  cr_assert_eq(cgroup_shares_to_weight(0), 0);
  cr_assert_eq(cgroup_shares_to_weight(1), 1);
  cr_assert_eq(cgroup_shares_to_weight(2), 1);
  cr_assert_eq(cgroup_shares_to_weight(1024), 39);
  cr_assert_eq(cgroup_shares_to_weight(2048), 79);
  cr_assert_eq(cgroup_shares_to_weight(262144), 10000);
  cr_assert_eq(cgroup_shares_to_weight(1000000), 10000);
  struct oci_cpu cpu = {.has_shares = true, .shares = 1024};
  struct oci_resources r = {.cpu = &cpu};
  struct cgroup_sd_props p;
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, true, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "CPUWeight"), 39);
  cr_assert_null(find(&p, "CPUShares", 0));
  cgroup_sd_props_free(&p);
  /* v1 hosts: systemd takes the shares themselves. */
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, false, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "CPUShares"), 1024);
  cr_assert_null(find(&p, "CPUWeight", 0));
  cgroup_sd_props_free(&p);
}

Test(systemd_props, quota_and_period) {
  int64_t q;
  cr_assert_eq(cgroup_sd_quota_per_sec(50000, 100000, &q), 500000);
  cr_assert_eq(q, 50000);
  /* period 0 is the kernel's 100 ms */
  cr_assert_eq(cgroup_sd_quota_per_sec(25000, 0, &q), 250000);
  cr_assert_eq(q, 25000);
  cr_assert_eq(cgroup_sd_quota_per_sec(10000, 50000, &q), 200000);
  /* 33.333 % is kept as 34 % by systemd: the files get the same */
  cr_assert_eq(cgroup_sd_quota_per_sec(33333, 100000, &q), 340000);
  cr_assert_eq(q, 34000);
  cr_assert_eq(cgroup_sd_quota_per_sec(1, 1000000, &q), 10000);
  cr_assert_eq(q, 10000);
  cr_assert_eq(cgroup_sd_quota_per_sec(-1, 100000, &q), INF);
  cr_assert_eq(q, -1);

  struct oci_cpu cpu = {
      .has_quota = true, .quota = 33333, .has_period = true, .period = 100000};
  struct oci_resources r = {.cpu = &cpu};
  struct cgroup_sd_props p;
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, true, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "CPUQuotaPeriodUSec"), 100000);
  cr_assert_eq(u64(&p, "CPUQuotaPerSecUSec"), 340000);
  cr_assert(p.quota_rounded);
  cr_assert_eq(p.quota, 34000);
  cgroup_sd_props_free(&p);
  /* An update of the period alone leaves systemd's quota alone. */
  cpu.has_quota = false;
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, true, true, &p, NULL), 0);
  cr_assert_eq(u64(&p, "CPUQuotaPeriodUSec"), 100000);
  cr_assert_null(find(&p, "CPUQuotaPerSecUSec", 0));
  cr_assert(!p.quota_rounded);
  cgroup_sd_props_free(&p);
}

static void mask_is(const char *list, const uint8_t *want, size_t n) {
  uint8_t *b = NULL;
  size_t nb = 0;
  cr_assert_eq(cgroup_sd_cpuset_mask(list, &b, &nb, NULL), 0, "%s", list);
  cr_assert_eq(nb, n, "%s: %zu bytes", list, nb);
  cr_assert_arr_eq(b, want, n, "%s", list);
  free(b);
}

Test(systemd_props, cpuset_bitmask) {
  mask_is("0", (const uint8_t[]){0x01}, 1);
  mask_is("0-2,5", (const uint8_t[]){0x27}, 1);
  mask_is("8", (const uint8_t[]){0x00, 0x01}, 2);
  mask_is("0,9-10", (const uint8_t[]){0x01, 0x06}, 2);
  mask_is("1, 3\n", (const uint8_t[]){0x0a}, 1);
  mask_is("0-15", (const uint8_t[]){0xff, 0xff}, 2);
  uint8_t *b = NULL;
  size_t nb = 0;
  struct minirt_error e = {0};
  cr_assert_lt(cgroup_sd_cpuset_mask("3-1", &b, &nb, &e), 0);
  cr_assert(strstr(e.msg, "`3-1`") != NULL, "%s", e.msg);
  minirt_error_clear(&e);
  cr_assert_lt(cgroup_sd_cpuset_mask("a", &b, &nb, NULL), 0);
  cr_assert_lt(cgroup_sd_cpuset_mask("", &b, &nb, NULL), 0);
  cr_assert_lt(cgroup_sd_cpuset_mask("1-", &b, &nb, NULL), 0);
  cr_assert_lt(cgroup_sd_cpuset_mask("99999", &b, &nb, NULL), 0);
  cr_assert_null(b);

  struct oci_cpu cpu = {.cpus = (char *)"0-1", .mems = (char *)"0"};
  struct oci_resources r = {.cpu = &cpu};
  struct cgroup_sd_props p;
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, true, false, &p, NULL), 0);
  const struct cgroup_sd_prop *x = find(&p, "AllowedCPUs", 0);
  cr_assert_not_null(x);
  cr_assert_eq(x->type, CGROUP_SD_BYTES);
  cr_assert_eq(x->n, 1);
  cr_assert_eq(x->bytes[0], 0x03);
  cr_assert_not_null(find(&p, "AllowedMemoryNodes", 0));
  cgroup_sd_props_free(&p);
  /* v1 cpuset is minirt's own, not systemd's */
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, false, false, &p, NULL), 0);
  cr_assert_null(find(&p, "AllowedCPUs", 0));
  cgroup_sd_props_free(&p);
  cpu.cpus = (char *)"x";
  struct minirt_error e2 = {0};
  cr_assert_lt(cgroup_sd_props_build(&r, NULL, 0, true, false, &p, &e2), 0);
  cr_assert(strstr(e2.msg, "linux.resources.cpu.cpus") != NULL, "%s", e2.msg);
  minirt_error_clear(&e2);
}

static struct cgroup_dev_rule rule(bool allow, char type, int64_t maj,
                                   int64_t min, unsigned access) {
  return (struct cgroup_dev_rule){allow, type, maj, min, access};
}

enum {
  RWM = 7,
  M = CGROUP_DEV_MKNOD,
  R = CGROUP_DEV_READ,
  W = CGROUP_DEV_WRITE
};

static void allow_is(const struct cgroup_dev_rule *r, size_t n, bool all,
                     const char *const *want) {
  bool a;
  struct cgroup_sd_device *d = NULL;
  size_t nd = 99;
  cr_assert_eq(cgroup_sd_device_allow(r, n, &a, &d, &nd, NULL), 0);
  cr_assert_eq(a, all);
  size_t nw = 0;
  while (want[nw] != NULL)
    nw++;
  cr_assert_eq(nd, nw, "%zu entries, want %zu", nd, nw);
  for (size_t i = 0; i < nd; i++) {
    char s[64];
    snprintf(s, sizeof s, "%s %s", d[i].path, d[i].perms);
    cr_assert_str_eq(s, want[i]);
  }
  free(d);
}

Test(systemd_props, device_rules_to_device_allow) {
  /* runc's default: deny all, then the usual devices */
  struct cgroup_dev_rule a[] = {
      rule(false, 'a', -1, -1, RWM), rule(true, 'c', 1, 3, RWM),
      rule(true, 'c', 136, -1, RWM), rule(true, 'b', 8, 0, R),
      rule(true, 'c', -1, -1, M)};
  allow_is(a, 5, false,
           (const char *const[]){"/dev/char/1:3 rwm", "char-136 rwm",
                                 "/dev/block/8:0 r", "char-* m", NULL});
  /* allow all */
  struct cgroup_dev_rule b[] = {rule(true, 'a', -1, -1, RWM)};
  allow_is(b, 1, true, (const char *const[]){NULL});
  /* a deny inside allow-all: systemd cannot say it, our filter does; the
   * list must not take more than the rules */
  struct cgroup_dev_rule c[] = {rule(true, 'a', -1, -1, RWM),
                                rule(false, 'c', 1, 3, RWM)};
  allow_is(c, 2, true, (const char *const[]){NULL});
  /* all but mknod */
  struct cgroup_dev_rule d[] = {rule(true, 'a', -1, -1, RWM),
                                rule(false, 'a', -1, -1, M)};
  allow_is(d, 2, false, (const char *const[]){"char-* rw", "block-* rw", NULL});
  /* a deny that covers an entry takes its access; a later deny-all clears */
  struct cgroup_dev_rule e[] = {
      rule(false, 'a', -1, -1, RWM), rule(true, 'c', 1, 3, RWM),
      rule(true, 'c', 1, 5, RWM), rule(false, 'c', 1, 3, W),
      rule(false, 'c', 1, 5, RWM)};
  allow_is(e, 5, false, (const char *const[]){"/dev/char/1:3 rm", NULL});
  struct cgroup_dev_rule f[] = {rule(true, 'c', 1, 3, RWM),
                                rule(false, 'a', -1, -1, RWM)};
  allow_is(f, 2, false, (const char *const[]){NULL});
  /* "*:5" has no systemd spelling: allowed as "*:*" (never less) */
  struct cgroup_dev_rule g[] = {rule(false, 'a', -1, -1, RWM),
                                rule(true, 'c', -1, 5, R)};
  allow_is(g, 2, false, (const char *const[]){"char-* r", NULL});
  /* type a with a major: both kinds */
  struct cgroup_dev_rule h[] = {rule(false, 'a', -1, -1, RWM),
                                rule(true, 'a', 10, -1, R | W)};
  allow_is(h, 2, false,
           (const char *const[]){"char-10 rw", "block-10 rw", NULL});
}

Test(systemd_props, devices_memory_pids_io) {
  struct oci_device_cgroup dev[] = {{.allow = false, .access = (char *)"rwm"}};
  struct oci_memory mem = {.has_limit = true,
                           .limit = 67108864,
                           .has_swap = true,
                           .swap = 100663296,
                           .has_reservation = true,
                           .reservation = 33554432};
  struct oci_blkio io = {.has_weight = true, .weight = 500};
  struct oci_resources r = {.devices = dev,
                            .n_devices = 1,
                            .memory = &mem,
                            .has_pids = true,
                            .pids_limit = 42,
                            .blkio = &io};
  struct cgroup_sd_props p;
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, true, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "MemoryMax"), 67108864);
  cr_assert_eq(u64(&p, "MemoryLow"), 33554432);
  /* OCI swap is memory+swap; MemorySwapMax is the swap part */
  cr_assert_eq(u64(&p, "MemorySwapMax"), 33554432);
  cr_assert_eq(u64(&p, "TasksMax"), 42);
  cr_assert_eq(u64(&p, "IOWeight"), cgroup_blkio_to_io_weight(500));
  /* an empty DeviceAllow resets the list, then the policy and the list */
  const struct cgroup_sd_prop *d0 = find(&p, "DeviceAllow", 0);
  const struct cgroup_sd_prop *d1 = find(&p, "DeviceAllow", 1);
  const struct cgroup_sd_prop *pol = find(&p, "DevicePolicy", 0);
  cr_assert(d0 != NULL && d1 != NULL && pol != NULL);
  cr_assert(d0 < pol && pol < d1);
  cr_assert_eq(d0->n, 0);
  cr_assert_str_eq(pol->s, "strict");
  /* the runtime's default devices follow the deny-all */
  cr_assert_eq(d1->n, 8);
  cr_assert_str_eq(d1->devs[0].path, "/dev/char/1:3");
  cr_assert_str_eq(d1->devs[0].perms, "rwm");
  cr_assert_str_eq(d1->devs[7].path, "char-136");
  cgroup_sd_props_free(&p);

  /* v1 names; swap and reservation stay in the files */
  cr_assert_eq(cgroup_sd_props_build(&r, NULL, 0, false, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "MemoryLimit"), 67108864);
  cr_assert_eq(u64(&p, "BlockIOWeight"), 500);
  cr_assert_null(find(&p, "MemoryMax", 0));
  cr_assert_null(find(&p, "MemorySwapMax", 0));
  cgroup_sd_props_free(&p);

  /* unlimited is infinity; pids 0 at create is "max" like the file */
  mem = (struct oci_memory){.has_limit = true, .limit = -1};
  struct oci_resources u = {.memory = &mem, .has_pids = true, .pids_limit = 0};
  cr_assert_eq(cgroup_sd_props_build(&u, NULL, 0, true, false, &p, NULL), 0);
  cr_assert_eq(u64(&p, "MemoryMax"), INF);
  cr_assert_eq(u64(&p, "MemorySwapMax"), INF);
  cr_assert_eq(u64(&p, "TasksMax"), INF);
  cgroup_sd_props_free(&p);
  /* an update's zeros leave everything alone */
  mem = (struct oci_memory){.has_limit = true, .limit = 0};
  cr_assert_eq(cgroup_sd_props_build(&u, NULL, 0, true, true, &p, NULL), 0);
  cr_assert_eq(p.n, 0);
  cgroup_sd_props_free(&p);
  /* swap below the limit fails like the files would */
  mem = (struct oci_memory){
      .has_limit = true, .limit = 100, .has_swap = true, .swap = 50};
  struct minirt_error e = {0};
  cr_assert_lt(cgroup_sd_props_build(&u, NULL, 0, true, false, &p, &e), 0);
  cr_assert(strstr(e.msg, "swap") != NULL, "%s", e.msg);
  minirt_error_clear(&e);
  cr_assert_eq(cgroup_sd_props_build(NULL, NULL, 0, true, false, &p, NULL), 0);
  cr_assert_eq(p.n, 0);
}
