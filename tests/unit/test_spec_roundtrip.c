/* load -> write -> load gives the same struct (compared through a second
 * serialisation), for config, process, state, status, resources; plus the
 * default spec, features and explain documents. */
#include <unistd.h>

#include "test_spec_helpers.h"

static char *config_json(const struct oci_config *c, bool pretty) {
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_config_to_json(c, pretty, &out, &err), 0, "%s", err.msg);
  return out;
}

static void config_round_trip(const char *text) {
  struct oci_config *a = spec_test_parse(text);
  char *j1 = config_json(a, true);
  struct oci_config *b = spec_test_parse(j1);
  char *j2 = config_json(b, true);
  cr_assert_str_eq(j1, j2);
  char *p1 = config_json(b, false);
  struct oci_config *c = spec_test_parse(p1);
  char *j3 = config_json(c, true);
  cr_assert_str_eq(j1, j3);
  free(j1);
  free(j2);
  free(j3);
  free(p1);
  oci_config_free(a);
  oci_config_free(b);
  oci_config_free(c);
}

Test(spec_roundtrip, full_config) {
  size_t len = 0;
  char *text = spec_test_read("config-full.json", &len);
  config_round_trip(text);
  /* Every key of the input is written back: no field dropped. */
  struct oci_config *a = spec_test_parse(text);
  char *out = config_json(a, false);
  const char *keys[] = {"\"consoleSize\"", "\"umask\"", "\"additionalGids\"",
                        "\"username\"", "\"commandLine\"", "\"inheritable\":[]",
                        "\"oomScoreAdj\":-500", "\"execCPUAffinity\"",
                        "\"ioPriority\"", "\"valueTwo\":4", "\"listenerMetadata\"",
                        "\"timeOffsets\"", "\"nanosecs\":500", "\"hcaHandles\":3",
                        "\"unified\"", "\"netDevices\"", "\"ens4\":{}",
                        "\"memoryPolicy\"", "\"enableMBM\":true", "\"fileMode\":438",
                        "\"minor\":-1", "\"checkBeforeUpdate\":true", "\"idle\":0",
                        "\"classID\":1048577", "\"createRuntime\"", "\"timeout\":5",
                        "\"uidMappings\"", "\"rootfsPropagation\":\"slave\"",
                        "\"flags\":[]", "\"hard\":18446744073709551615",
                        "\"domainname\"", "\"mountLabel\""};
  for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    cr_expect(strstr(out, keys[i]) != NULL, "%s missing from output", keys[i]);
  free(out);
  oci_config_free(a);
  free(text);
}

Test(spec_roundtrip, minimal_and_empty_lists) {
  config_round_trip("{\"ociVersion\": \"1.0.0\"}");
  config_round_trip("{\"ociVersion\": \"1.0.0\", \"mounts\": [], \"annotations\": {},"
                    " \"hooks\": {\"prestart\": []}, \"process\": {\"env\": []},"
                    " \"linux\": {\"namespaces\": [], \"resources\": {\"network\": {}}}}");
}

Test(spec_roundtrip, default_specs) {
  for (int rootless = 0; rootless < 2; rootless++) {
    struct oci_config *d = oci_config_default(rootless);
    cr_assert_not_null(d);
    char *j = config_json(d, true);
    config_round_trip(j);
    struct minirt_error err = {0, NULL};
    cr_assert_eq(oci_config_validate_for_create(d, &err), 0, "%s", err.msg);
    free(j);
    oci_config_free(d);
  }
}

static bool has_ns(const struct oci_config *c, enum oci_ns_type t) {
  for (size_t i = 0; i < c->linux_->n_namespaces; i++)
    if (c->linux_->namespaces[i].type == t)
      return true;
  return false;
}

Test(spec_default, runc_like) {
  struct oci_config *d = oci_config_default(false);
  struct oci_process *p = d->process;
  cr_assert_str_eq(d->oci_version, MINIRT_OCI_VERSION);
  cr_assert(p->terminal);
  cr_assert_eq(p->args.n, 1);
  cr_assert_str_eq(p->args.v[0], "sh");
  cr_assert_str_eq(p->env.v[1], "TERM=xterm");
  cr_assert(strncmp(p->env.v[0], "PATH=", 5) == 0);
  cr_assert_str_eq(p->cwd, "/");
  cr_assert_eq(p->capabilities->bounding.n, 3);
  cr_assert_str_eq(p->capabilities->permitted.v[0], "CAP_AUDIT_WRITE");
  cr_assert_str_eq(p->capabilities->effective.v[2], "CAP_NET_BIND_SERVICE");
  cr_assert_eq(p->n_rlimits, 1);
  cr_assert_eq(p->rlimits[0].soft, 1024);
  cr_assert(p->no_new_privileges);
  cr_assert_str_eq(d->root->path, "rootfs");
  cr_assert(d->root->readonly);
  cr_assert_str_eq(d->hostname, "minirt");
  cr_assert_eq(d->n_mounts, 6);
  cr_assert_str_eq(d->mounts[5].destination, "/sys");
  cr_assert_str_eq(d->mounts[5].type, "sysfs");
  cr_assert(has_ns(d, OCI_NS_NETWORK) && has_ns(d, OCI_NS_PID) &&
            has_ns(d, OCI_NS_MOUNT) && has_ns(d, OCI_NS_CGROUP));
  cr_assert_not(has_ns(d, OCI_NS_USER));
  cr_assert_eq(d->linux_->masked_paths.n, 10);
  cr_assert_eq(d->linux_->readonly_paths.n, 5);
  oci_config_free(d);
}

Test(spec_default, rootless) {
  struct oci_config *d = oci_config_default(true);
  cr_assert(has_ns(d, OCI_NS_USER));
  cr_assert_not(has_ns(d, OCI_NS_NETWORK));
  cr_assert_eq(d->linux_->n_uid_mappings, 1);
  cr_assert_eq(d->linux_->uid_mappings[0].host_id, geteuid());
  cr_assert_eq(d->linux_->uid_mappings[0].container_id, 0);
  cr_assert_eq(d->linux_->gid_mappings[0].host_id, getegid());
  cr_assert_str_eq(d->mounts[5].source, "/sys");
  cr_assert_str_eq(d->mounts[5].options.v[0], "rbind");
  for (size_t i = 0; i < d->mounts[2].options.n; i++)
    cr_assert(strncmp(d->mounts[2].options.v[i], "gid=", 4) != 0);
  cr_assert_null(d->linux_->resources);
  oci_config_free(d);
}

static struct oci_process *parse_process(const char *t) {
  struct oci_process *p = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_process_parse(t, strlen(t), &p, &err), 0, "%s", err.msg);
  return p;
}

Test(spec_process, present_bits) {
  struct oci_process *p = parse_process("{\"env\": [\"A=1\"], \"user\": {\"uid\": 5}}");
  cr_assert_eq(p->present, OCI_PROC_ENV | OCI_PROC_USER);
  cr_assert_eq(p->user.uid, 5);
  cr_assert_eq(p->user.gid, 0);
  oci_process_free(p);
  p = parse_process("{}");
  cr_assert_eq(p->present, 0);
  oci_process_free(p);
  p = parse_process(
      "{\"terminal\": false, \"consoleSize\": {\"height\": 1, \"width\": 2},"
      " \"args\": [], \"commandLine\": \"x\", \"cwd\": \"/\","
      " \"capabilities\": {}, \"rlimits\": [], \"noNewPrivileges\": false,"
      " \"apparmorProfile\": \"a\", \"oomScoreAdj\": 0,"
      " \"scheduler\": {\"policy\": \"SCHED_OTHER\"}, \"selinuxLabel\": \"s\","
      " \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\"},"
      " \"execCPUAffinity\": {}}");
  cr_assert_eq(p->present, 0xffffu & ~(OCI_PROC_USER | OCI_PROC_ENV), "%#x",
               p->present);
  oci_process_free(p);
}

Test(spec_process, config_process_present_bits) {
  struct oci_config *c = spec_test_parse(
      "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\","
      " \"oomScoreAdj\": 0}}");
  cr_assert_eq(c->process->present,
               OCI_PROC_ARGS | OCI_PROC_CWD | OCI_PROC_OOM_SCORE_ADJ);
  oci_config_free(c);
}

static char *process_json(const struct oci_process *p) {
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_process_to_json(p, true, &out, &err), 0, "%s", err.msg);
  return out;
}

Test(spec_process, round_trip_keeps_present_false_values) {
  const char *t = "{\"terminal\": false, \"noNewPrivileges\": false,"
                  " \"oomScoreAdj\": 0, \"args\": []}";
  struct oci_process *p = parse_process(t);
  char *j = process_json(p);
  struct oci_process *q = parse_process(j);
  cr_assert_eq(q->present, p->present);
  char *j2 = process_json(q);
  cr_assert_str_eq(j, j2);
  cr_assert(strstr(j, "\"oomScoreAdj\":0") || strstr(j, "\"oomScoreAdj\": 0"), "%s", j);
  free(j);
  free(j2);
  oci_process_free(p);
  oci_process_free(q);
}

Test(spec_process, dup_is_deep_and_equal) {
  size_t len = 0;
  char *text = spec_test_read("config-full.json", &len);
  struct oci_config *c = spec_test_parse(text);
  struct oci_process *d = oci_process_dup(c->process);
  cr_assert_not_null(d);
  char *j1 = process_json(c->process);
  oci_config_free(c); /* the copy must not share anything */
  char *j2 = process_json(d);
  cr_assert_str_eq(j1, j2);
  cr_assert_eq(d->present, 0xffffu);
  free(j1);
  free(j2);
  free(text);
  oci_process_free(d);
  cr_assert_null(oci_process_dup(NULL));
}

Test(spec_state, state_json) {
  char *keys[] = {"org.a", NULL};
  char *vals[] = {"1", NULL};
  struct oci_state st = {.oci_version = NULL, .id = "c1", .status = "running",
                         .pid = 42, .bundle = "/b", .rootfs = "/b/rootfs",
                         .created = "2024-01-01T00:00:00.000000001Z",
                         .owner = "", .annotations = {keys, vals, 1}};
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_state_to_json(&st, false, &out, &err), 0);
  cr_assert_str_eq(out, "{\"ociVersion\":\"" MINIRT_OCI_VERSION "\",\"id\":\"c1\","
                        "\"status\":\"running\",\"pid\":42,\"bundle\":\"/b\","
                        "\"rootfs\":\"/b/rootfs\",\"created\":"
                        "\"2024-01-01T00:00:00.000000001Z\",\"owner\":\"\","
                        "\"annotations\":{\"org.a\":\"1\"}}");
  free(out);
}

Test(spec_state, process_state_for_the_seccomp_agent) {
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_process_state_to_json("{\"id\":\"c1\",\"pid\":7}", 4422,
                                         "m=1", &out, &err), 0, "%s", err.msg);
  cr_assert_str_eq(out, "{\"ociVersion\":\"" MINIRT_OCI_VERSION "\","
                        "\"fds\":[\"seccompFd\"],\"pid\":4422,"
                        "\"metadata\":\"m=1\",\"state\":{\"id\":\"c1\",\"pid\":7}}");
  free(out);
  out = NULL;
  cr_assert_eq(oci_process_state_to_json("{}", 1, NULL, &out, &err), 0);
  cr_assert_null(strstr(out, "metadata"));
  free(out);
  cr_assert_lt(oci_process_state_to_json("not json", 1, NULL, &out, &err), 0);
  minirt_error_clear(&err);
}

Test(spec_state, status_round_trip) {
  struct minirt_status s = {.id = "c1", .bundle = "/b", .rootfs = "/b/r",
                            .pid = 1234, .pid_start_time = 987654321,
                            .created = "2024", .owner = "",
                            .cgroup_path = "/minirt/c1", .systemd_cgroup = false,
                            .has_user_ns = true};
  char *j = NULL, *j2 = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(minirt_status_to_json(&s, &j, &err), 0);
  struct minirt_status *p = NULL;
  cr_assert_eq(minirt_status_parse(j, strlen(j), &p, &err), 0, "%s", err.msg);
  cr_assert_str_eq(p->id, "c1");
  cr_assert_eq(p->pid, 1234);
  cr_assert_eq(p->pid_start_time, 987654321);
  cr_assert_str_eq(p->cgroup_path, "/minirt/c1");
  cr_assert(p->has_user_ns && !p->systemd_cgroup);
  cr_assert_str_eq(p->owner, "");
  cr_assert_eq(minirt_status_to_json(p, &j2, &err), 0);
  cr_assert_str_eq(j, j2);
  free(j);
  free(j2);
  minirt_status_free(p);
  const char *bad = "{\"id\": \"x\"}";
  cr_assert_lt(minirt_status_parse(bad, strlen(bad), &p, &err), 0);
  cr_assert(strstr(err.msg, "pid: required"), "%s", err.msg);
  minirt_error_clear(&err);
}

Test(spec_resources, parse_and_round_trip) {
  const char *t =
      "{\"memory\": {\"limit\": 1048576, \"swap\": -1}, \"cpu\": {\"shares\": 512,"
      " \"cpus\": \"0\"}, \"pids\": {\"limit\": -1}, \"blockIO\": {\"weight\": 100},"
      " \"unified\": {\"memory.max\": \"max\"}, \"rdma\": {\"d\": {\"hcaObjects\": 1}}}";
  struct oci_resources *r = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_resources_parse(t, strlen(t), &r, &err), 0, "%s", err.msg);
  cr_assert(r->memory->has_limit && r->memory->has_swap && !r->memory->has_kernel);
  cr_assert_eq(r->memory->swap, -1);
  cr_assert_eq(r->cpu->shares, 512);
  cr_assert_not(r->cpu->has_quota);
  cr_assert(r->has_pids);
  cr_assert_eq(r->pids_limit, -1);
  cr_assert_eq(r->blkio->weight, 100);
  cr_assert_str_eq(r->unified.keys[0], "memory.max");
  char *j = NULL, *j2 = NULL;
  cr_assert_eq(oci_resources_to_json(r, &j, &err), 0);
  struct oci_resources *r2 = NULL;
  cr_assert_eq(oci_resources_parse(j, strlen(j), &r2, &err), 0, "%s", err.msg);
  cr_assert_eq(oci_resources_to_json(r2, &j2, &err), 0);
  cr_assert_str_eq(j, j2);
  free(j);
  free(j2);
  oci_resources_free(r);
  oci_resources_free(r2);
}

Test(spec_features, document) {
  const char *const opts[] = {"bind", "rbind", "ro", NULL};
  const char *const acts[] = {"SCMP_ACT_ALLOW", NULL};
  struct minirt_features_input in = {.mount_options = opts,
                                     .seccomp_actions = acts,
                                     .seccomp_enabled = true};
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(minirt_features_to_json(&in, &out, &err), 0);
  const char *want[] = {"\"ociVersionMin\": \"1.0.0\"", "\"ociVersionMax\"",
                        "\"createRuntime\"", "\"rbind\"", "\"namespaces\"",
                        "\"time\"", "\"CAP_CHECKPOINT_RESTORE\"", "\"cgroup\"",
                        "\"v2\": true", "\"systemdUser\"", "\"rdma\"",
                        "\"SCMP_ACT_ALLOW\"", "\"SCMP_CMP_MASKED_EQ\"",
                        "\"SCMP_ARCH_X86_64\"", "\"knownFlags\"",
                        "\"supportedFlags\"", "\"apparmor\"", "\"selinux\"",
                        "\"intelRdt\"", "\"mountExtensions\"", "\"idmap\"",
                        "\"annotations\""};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    cr_expect(strstr(out, want[i]) != NULL, "%s missing:\n%s", want[i], out);
  free(out);
}

Test(spec_explain, document) {
  struct oci_process *p = parse_process("{\"args\": [\"ls\"], \"cwd\": \"/\"}");
  const char *const fields[] = {"args", "cwd"};
  const char *const sources[] = {"flag", "default"};
  char *out = NULL;
  struct minirt_error err = {0, NULL};
  cr_assert_eq(oci_explain_to_json(p, fields, sources, 2, &out, &err), 0);
  cr_assert(strstr(out, "\"sources\"") && strstr(out, "\"cwd\": \"default\"") &&
                strstr(out, "\"process\""),
            "%s", out);
  free(out);
  oci_process_free(p);
}

/* Rootless without a cgroup: the error names the first field set. */
Test(resources, first_set_names_the_field) {
  struct minirt_error err = {0};
  struct oci_resources *r = NULL;
  char *path = NULL;
  cr_assert_eq(oci_resources_first_set(NULL, &path, &err), 0);
  cr_assert_null(path);
  const char *empty = "{}";
  cr_assert_eq(oci_resources_parse(empty, strlen(empty), &r, &err), 0);
  cr_assert_eq(oci_resources_first_set(r, &path, &err), 0);
  cr_assert_null(path);
  oci_resources_free(r);
  const char *mem = "{\"memory\": {\"limit\": 1048576}}";
  cr_assert_eq(oci_resources_parse(mem, strlen(mem), &r, &err), 0);
  cr_assert_eq(oci_resources_first_set(r, &path, &err), 1);
  cr_assert_str_eq(path, "linux.resources.memory.limit");
  free(path);
  oci_resources_free(r);
  const char *dev = "{\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}";
  cr_assert_eq(oci_resources_parse(dev, strlen(dev), &r, &err), 0);
  cr_assert_eq(oci_resources_first_set(r, &path, &err), 1);
  cr_assert_str_eq(path, "linux.resources.devices[0].allow");
  free(path);
  oci_resources_free(r);
  const char *pids = "{\"pids\": {\"limit\": 10}}";
  cr_assert_eq(oci_resources_parse(pids, strlen(pids), &r, &err), 0);
  cr_assert_eq(oci_resources_first_set(r, &path, &err), 1);
  cr_assert_str_eq(path, "linux.resources.pids.limit");
  free(path);
  oci_resources_free(r);
}
