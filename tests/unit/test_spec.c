/* Parsing of every field family of config.json (tests/data/config-full.json). */
#include <linux/capability.h>
#include <sys/resource.h>

#include "test_spec_helpers.h"

static struct oci_config *cfg;

static void load_full(void) {
  size_t len = 0;
  char *text = spec_test_read("config-full.json", &len);
  cfg = spec_test_parse(text);
  free(text);
}

static void free_full(void) {
  oci_config_free(cfg);
  cfg = NULL;
}

TestSuite(spec_full, .init = load_full, .fini = free_full);

Test(spec_full, top_level) {
  cr_assert_str_eq(cfg->oci_version, "1.2.0");
  cr_assert_str_eq(cfg->root->path, "rootfs");
  cr_assert(cfg->root->readonly);
  cr_assert_str_eq(cfg->hostname, "box");
  cr_assert_str_eq(cfg->domainname, "example.org");
  cr_assert_eq(cfg->annotations.n, 2);
  cr_assert_str_eq(cfg->annotations.keys[1], "com.example.key2");
  cr_assert_str_eq(cfg->annotations.values[1], "value2");
}

Test(spec_full, process_basics) {
  struct oci_process *p = cfg->process;
  cr_assert(p->terminal);
  cr_assert_eq(p->console_size.height, 25);
  cr_assert_eq(p->console_size.width, 80);
  cr_assert_eq(p->args.n, 3);
  cr_assert_str_eq(p->args.v[2], "echo hi");
  cr_assert_null(p->args.v[3]);
  cr_assert_str_eq(p->command_line, "sh -c 'echo hi'");
  cr_assert_eq(p->env.n, 2);
  cr_assert_str_eq(p->env.v[1], "TERM=xterm");
  cr_assert_str_eq(p->cwd, "/work");
  cr_assert(p->no_new_privileges);
  cr_assert_str_eq(p->apparmor_profile, "acme_secure_profile");
  cr_assert_eq(p->oom_score_adj, -500);
  cr_assert_str_eq(p->selinux_label,
                   "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  cr_assert_eq(p->present, 0xffffu, "present %#x", p->present);
}

Test(spec_full, process_user) {
  struct oci_user *u = &cfg->process->user;
  cr_assert_eq(u->uid, 1000);
  cr_assert_eq(u->gid, 1001);
  cr_assert(u->has_umask);
  cr_assert_eq(u->umask, 18);
  cr_assert_eq(u->n_additional_gids, 2);
  cr_assert_eq(u->additional_gids[1], 6);
  cr_assert_str_eq(u->username, "alice");
}

Test(spec_full, process_capabilities) {
  struct oci_capabilities *c = cfg->process->capabilities;
  cr_assert_not_null(c);
  cr_assert(c->has_bounding && c->has_effective && c->has_inheritable &&
            c->has_permitted && c->has_ambient);
  cr_assert_eq(c->bounding.n, 2);
  cr_assert_str_eq(c->bounding.v[0], "CAP_CHOWN");
  cr_assert_eq(c->inheritable.n, 0);
  cr_assert_not_null(c->inheritable.v);
  cr_assert_str_eq(c->ambient.v[0], "CAP_CHECKPOINT_RESTORE");
}

Test(spec_full, process_rlimits) {
  struct oci_process *p = cfg->process;
  cr_assert_eq(p->n_rlimits, 2);
  cr_assert_str_eq(p->rlimits[0].type, "RLIMIT_NOFILE");
  cr_assert_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
  cr_assert_eq(p->rlimits[0].soft, 512);
  cr_assert_eq(p->rlimits[0].hard, 1024);
  cr_assert_eq(p->rlimits[1].resource, RLIMIT_CORE);
  cr_assert_eq(p->rlimits[1].hard, UINT64_MAX);
}

Test(spec_full, process_scheduler_io_affinity) {
  struct oci_process *p = cfg->process;
  cr_assert_str_eq(p->scheduler->policy, "SCHED_DEADLINE");
  cr_assert_eq(p->scheduler->nice, -5);
  cr_assert_eq(p->scheduler->priority, 3);
  cr_assert_str_eq(p->scheduler->flags.v[0], "SCHED_FLAG_RESET_ON_FORK");
  cr_assert_eq(p->scheduler->runtime, 10000000);
  cr_assert_eq(p->scheduler->deadline, 20000000);
  cr_assert_eq(p->scheduler->period, 30000000);
  cr_assert_str_eq(p->io_priority->class_, "IOPRIO_CLASS_RT");
  cr_assert_eq(p->io_priority->priority, 4);
  cr_assert_str_eq(p->exec_cpu_affinity->initial, "0-3,7");
  cr_assert_str_eq(p->exec_cpu_affinity->final, "5");
}

Test(spec_full, mounts) {
  cr_assert_eq(cfg->n_mounts, 2);
  cr_assert_str_eq(cfg->mounts[0].destination, "/proc");
  cr_assert_str_eq(cfg->mounts[0].type, "proc");
  cr_assert_null(cfg->mounts[0].options.v);
  struct oci_mount *m = &cfg->mounts[1];
  cr_assert_str_eq(m->source, "/srv/data");
  cr_assert_eq(m->options.n, 3);
  cr_assert_str_eq(m->options.v[2], "idmap");
  cr_assert_eq(m->n_uid_mappings, 1);
  cr_assert_eq(m->uid_mappings[0].host_id, 100000);
  cr_assert_eq(m->uid_mappings[0].size, 65536);
  cr_assert_eq(m->gid_mappings[0].host_id, 200000);
}

Test(spec_full, hooks) {
  struct oci_hooks *h = cfg->hooks;
  cr_assert_eq(h->prestart.n, 1);
  cr_assert_str_eq(h->prestart.v[0].path, "/usr/bin/fix-mounts");
  cr_assert_str_eq(h->prestart.v[0].args.v[1], "arg1");
  cr_assert_str_eq(h->prestart.v[0].env.v[0], "key1=value1");
  cr_assert_not(h->prestart.v[0].has_timeout);
  cr_assert(h->create_runtime.v[0].has_timeout);
  cr_assert_eq(h->create_runtime.v[0].timeout, 5);
  cr_assert_str_eq(h->create_container.v[0].path, "/usr/bin/cc");
  cr_assert_str_eq(h->start_container.v[0].path, "/usr/bin/refresh-ldcache");
  cr_assert_eq(h->poststart.v[0].timeout, 5);
  cr_assert_str_eq(h->poststop.v[0].args.v[1], "-f");
}

Test(spec_full, linux_namespaces_mappings_time) {
  struct oci_linux *l = cfg->linux_;
  cr_assert_eq(l->n_namespaces, 8);
  cr_assert_eq(l->namespaces[0].type, OCI_NS_PID);
  cr_assert_eq(l->namespaces[1].type, OCI_NS_NETWORK);
  cr_assert_str_eq(l->namespaces[1].path, "/var/run/netns/neta");
  cr_assert_eq(l->namespaces[7].type, OCI_NS_TIME);
  cr_assert_eq(l->n_uid_mappings, 1);
  cr_assert_eq(l->uid_mappings[0].size, 32000);
  cr_assert_eq(l->gid_mappings[0].host_id, 1000);
  cr_assert(l->has_time_offsets && l->has_monotonic && l->has_boottime);
  cr_assert_eq(l->time_monotonic.secs, -86400);
  cr_assert_eq(l->time_monotonic.nanosecs, 500);
  cr_assert_eq(l->time_boottime.secs, 3600);
}

Test(spec_full, linux_devices) {
  struct oci_linux *l = cfg->linux_;
  cr_assert_eq(l->n_devices, 3);
  cr_assert_eq(l->devices[0].type, 'c');
  cr_assert_eq(l->devices[0].major, 10);
  cr_assert_eq(l->devices[0].minor, 229);
  cr_assert(l->devices[0].has_file_mode && l->devices[0].has_uid &&
            l->devices[0].has_gid);
  cr_assert_eq(l->devices[0].file_mode, 0666);
  cr_assert_eq(l->devices[1].type, 'b');
  cr_assert_not(l->devices[1].has_file_mode);
  cr_assert_eq(l->devices[2].type, 'p');
  cr_assert_str_eq(l->cgroups_path, "/myRuntime/myContainer");
}

Test(spec_full, linux_misc) {
  struct oci_linux *l = cfg->linux_;
  cr_assert_str_eq(l->intel_rdt->clos_id, "guaranteed_group");
  cr_assert_str_eq(l->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f");
  cr_assert_str_eq(l->intel_rdt->mem_bw_schema, "MB:0=20;1=70");
  cr_assert(l->intel_rdt->enable_cmt && l->intel_rdt->enable_mbm);
  cr_assert_eq(l->sysctl.n, 2);
  cr_assert_str_eq(l->sysctl.keys[0], "net.ipv4.ip_forward");
  cr_assert_str_eq(l->sysctl.values[0], "1");
  cr_assert_str_eq(l->rootfs_propagation, "slave");
  cr_assert_eq(l->masked_paths.n, 2);
  cr_assert_str_eq(l->readonly_paths.v[1], "/proc/sysrq-trigger");
  cr_assert_str_eq(l->mount_label,
                   "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  cr_assert_str_eq(l->personality->domain, "LINUX32");
  cr_assert_eq(l->personality->flags.n, 0);
  cr_assert_eq(l->n_net_devices, 2);
  cr_assert_str_eq(l->net_devices[0].host_name, "eth0");
  cr_assert_str_eq(l->net_devices[0].name, "container_eth0");
  cr_assert_str_eq(l->net_devices[1].host_name, "ens4");
  cr_assert_null(l->net_devices[1].name);
  cr_assert_str_eq(l->memory_policy->mode, "MPOL_INTERLEAVE");
  cr_assert_str_eq(l->memory_policy->nodes, "0-3");
  cr_assert_str_eq(l->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
}

Test(spec_full, seccomp) {
  struct oci_seccomp *s = cfg->linux_->seccomp;
  cr_assert_str_eq(s->default_action, "SCMP_ACT_ERRNO");
  cr_assert(s->has_default_errno_ret);
  cr_assert_eq(s->default_errno_ret, 1);
  cr_assert_eq(s->architectures.n, 3);
  cr_assert_str_eq(s->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
  cr_assert_str_eq(s->listener_path, "/run/seccomp-agent.socket");
  cr_assert_str_eq(s->listener_metadata, "metadata");
  cr_assert_eq(s->n_syscalls, 2);
  cr_assert_str_eq(s->syscalls[0].names.v[1], "chmod");
  cr_assert_not(s->syscalls[0].has_errno_ret);
  cr_assert_null(s->syscalls[0].args);
  struct oci_seccomp_syscall *sc = &s->syscalls[1];
  cr_assert(sc->has_errno_ret);
  cr_assert_eq(sc->errno_ret, 38);
  cr_assert_eq(sc->n_args, 2);
  cr_assert_eq(sc->args[1].index, 1);
  cr_assert_eq(sc->args[1].value, 255);
  cr_assert_eq(sc->args[1].value_two, 4);
  cr_assert_str_eq(sc->args[1].op, "SCMP_CMP_MASKED_EQ");
}

Test(spec_full, resources_devices_memory_cpu_pids) {
  struct oci_resources *r = cfg->linux_->resources;
  cr_assert_eq(r->n_devices, 3);
  cr_assert_not(r->devices[0].allow);
  cr_assert_null(r->devices[0].type);
  cr_assert_not(r->devices[0].has_major);
  cr_assert_str_eq(r->devices[0].access, "rwm");
  cr_assert_str_eq(r->devices[1].type, "c");
  cr_assert_eq(r->devices[2].minor, -1);
  struct oci_memory *m = r->memory;
  cr_assert(m->has_limit && m->has_reservation && m->has_swap &&
            m->has_kernel && m->has_kernel_tcp && m->has_swappiness &&
            m->has_disable_oom_killer && m->has_use_hierarchy &&
            m->has_check_before_update);
  cr_assert_eq(m->limit, 536870912);
  cr_assert_eq(m->kernel, -1);
  cr_assert_eq(m->swappiness, 0);
  cr_assert(m->use_hierarchy && m->check_before_update);
  cr_assert_not(m->disable_oom_killer);
  struct oci_cpu *c = r->cpu;
  cr_assert(c->has_shares && c->has_quota && c->has_burst && c->has_period &&
            c->has_realtime_runtime && c->has_realtime_period && c->has_idle);
  cr_assert_eq(c->shares, 1024);
  cr_assert_eq(c->quota, 1000000);
  cr_assert_eq(c->burst, 1000);
  cr_assert_eq(c->realtime_runtime, 950000);
  cr_assert_str_eq(c->cpus, "2-3");
  cr_assert_str_eq(c->mems, "0-7");
  cr_assert(r->has_pids);
  cr_assert_eq(r->pids_limit, 32771);
}

Test(spec_full, resources_blkio_hugepages_network_rdma_unified) {
  struct oci_resources *r = cfg->linux_->resources;
  struct oci_blkio *b = r->blkio;
  cr_assert(b->has_weight && b->has_leaf_weight);
  cr_assert_eq(b->weight, 10);
  cr_assert_eq(b->n_weight_device, 2);
  cr_assert_eq(b->weight_device[0].leaf_weight, 300);
  cr_assert_not(b->weight_device[1].has_leaf_weight);
  cr_assert_eq(b->throttle_read_bps[0].rate, 600);
  cr_assert_eq(b->throttle_write_bps[0].minor, 1);
  cr_assert_eq(b->throttle_read_iops[0].rate, 800);
  cr_assert_eq(b->throttle_write_iops[0].minor, 16);
  cr_assert_eq(r->n_hugepage_limits, 2);
  cr_assert_str_eq(r->hugepage_limits[1].page_size, "64KB");
  cr_assert_eq(r->hugepage_limits[0].limit, 209715200);
  cr_assert(r->has_network && r->has_class_id);
  cr_assert_eq(r->class_id, 1048577);
  cr_assert_eq(r->n_net_priorities, 2);
  cr_assert_str_eq(r->net_priorities[1].name, "eth1");
  cr_assert_eq(r->net_priorities[1].priority, 1000);
  cr_assert_eq(r->n_rdma, 2);
  cr_assert_str_eq(r->rdma[0].device, "mlx5_1");
  cr_assert_eq(r->rdma[0].hca_handles, 3);
  cr_assert_eq(r->rdma[0].hca_objects, 10000);
  cr_assert_not(r->rdma[1].has_hca_handles);
  cr_assert_eq(r->unified.n, 2);
  cr_assert_str_eq(r->unified.values[0], "259:0 rbps=2097152");
}

Test(spec_names, tables) {
  cr_assert_eq(oci_capability_from_string("CAP_CHOWN"), CAP_CHOWN);
  cr_assert_eq(oci_capability_from_string("CAP_CHECKPOINT_RESTORE"), 40);
  cr_assert_eq(oci_capability_from_string("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  cr_assert_eq(oci_capability_from_string("CAP_NOPE"), -1);
  cr_assert_eq(oci_capability_last(), CAP_LAST_CAP);
  for (int i = 0; i <= oci_capability_last(); i++)
    cr_assert_eq(oci_capability_from_string(oci_capability_to_string(i)), i);
  cr_assert_null(oci_capability_to_string(41));
  cr_assert_eq(oci_rlimit_from_string("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  cr_assert_eq(oci_rlimit_from_string("RLIMIT_AS"), RLIMIT_AS);
  cr_assert_eq(oci_rlimit_from_string("RLIMIT_X"), -1);
  cr_assert_eq(oci_ns_type_from_string("network"), OCI_NS_NETWORK);
  cr_assert_eq(oci_ns_type_from_string("net"), -1);
  for (int i = 0; i < OCI_NS_COUNT; i++)
    cr_assert_eq(oci_ns_type_from_string(oci_ns_type_to_string(i)), i);
}

Test(spec_minimal, no_process_parses) {
  struct oci_config *c = spec_test_parse("{\"ociVersion\": \"1.0.0\"}");
  cr_assert_null(c->process);
  cr_assert_null(c->linux_);
  cr_assert_null(c->root);
  struct minirt_error err = {0, NULL};
  cr_assert_lt(oci_config_validate_for_create(c, &err), 0);
  cr_assert(strstr(err.msg, "root.path: required"), "%s", err.msg);
  minirt_error_clear(&err);
  oci_config_free(c);
}

Test(spec_minimal, unknown_fields_allowed) {
  struct oci_config *c = spec_test_parse(
      "{\"ociVersion\": \"1.0.0\", \"vm\": {\"x\": 1}, "
      "\"process\": {\"cwd\": \"/\", \"future\": true}, "
      "\"linux\": {\"newThing\": [1, 2]}}");
  cr_assert_str_eq(c->process->cwd, "/");
  oci_config_free(c);
}

Test(spec_minimal, null_is_absent) {
  struct oci_config *c = spec_test_parse(
      "{\"ociVersion\": \"1.0.0\", \"hostname\": null, \"process\": "
      "{\"env\": null}}");
  cr_assert_null(c->hostname);
  cr_assert_null(c->process->env.v);
  cr_assert_eq(c->process->present, 0);
  oci_config_free(c);
}

/* `runc spec` lists ambient without inheritable: all three are named once,
 * in order; one in both sets, and an unknown name, are not. */
Test(spec_caps, ambient_unraisable) {
  char *amb[] = {"CAP_KILL", "CAP_CHOWN", "CAP_NOPE", "CAP_NET_RAW"};
  char *prm[] = {"CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"};
  char *inh[] = {"CAP_CHOWN"};
  struct oci_capabilities c = {0};
  c.ambient = (struct oci_strv){amb, 4};
  c.permitted = (struct oci_strv){prm, 3};
  c.inheritable = (struct oci_strv){inh, 1};
  char buf[64];
  cr_assert_eq(oci_ambient_unraisable(&c, buf, sizeof buf), 2);
  cr_assert_str_eq(buf, "CAP_KILL, CAP_NET_RAW");
  char small[6];
  cr_assert_eq(oci_ambient_unraisable(&c, small, sizeof small), 2);
  cr_assert_str_eq(small, "CAP_K");
  cr_assert_eq(oci_ambient_unraisable(NULL, buf, sizeof buf), 0);
  cr_assert_str_eq(buf, "");
}
