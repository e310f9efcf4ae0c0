/* The command-line parser: every command's flags, defaults and errors. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/signals.h"
#include "cli/values.h"

static struct cli c;
static struct minirt_error err;

static void teardown(void) {
  cli_free(&c);
  minirt_error_clear(&err);
}

TestSuite(cli, .fini = teardown);
TestSuite(values, .fini = teardown);
TestSuite(signals, .fini = teardown);

#define ARGV(...) ((char *[]){"minirt", __VA_ARGS__, NULL})
#define ARGC(...)                                                              \
  ((int)(sizeof((char *[]){"minirt", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(...) cli_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &c, &err)

#define PARSE_FAILS(expected, ...)                                             \
  do {                                                                         \
    cr_assert_lt(PARSE(__VA_ARGS__), 0);                                       \
    cr_assert_not_null(err.msg);                                               \
    cr_assert_str_eq(err.msg, expected);                                       \
  } while (0)

Test(cli, global_defaults) {
  cr_assert_eq(PARSE("state", "c1"), 0);
  /* The default root depends on who runs minirt: core resolves it. */
  cr_assert_null(c.global.root);
  cr_assert_null(c.global.log);
  cr_assert_str_eq(c.global.log_format, "text");
  cr_assert(!c.global.debug && !c.global.systemd_cgroup);
  cr_assert_eq(c.global.rootless_mode, MINIRT_ROOTLESS_AUTO);
  cr_assert_eq(c.cmd, CMD_STATE);
  cr_assert_str_eq(c.id, "c1");
}

Test(cli, global_options) {
  cr_assert_eq(PARSE("--root", "/tmp/r", "--log=/tmp/l", "--log-format", "json",
                     "--debug", "--systemd-cgroup", "--rootless", "true",
                     "--criu", "/usr/sbin/criu", "start", "c1"),
               0);
  cr_assert_str_eq(c.global.root, "/tmp/r");
  cr_assert_str_eq(c.global.log, "/tmp/l");
  cr_assert_str_eq(c.global.log_format, "json");
  cr_assert(c.global.debug && c.global.systemd_cgroup);
  cr_assert_eq(c.global.rootless_mode, MINIRT_ROOTLESS_TRUE);
  cr_assert_str_eq(c.criu, "/usr/sbin/criu");
  cr_assert_eq(c.cmd, CMD_START);
}

Test(cli, rootless_auto_and_errors) {
  cr_assert_eq(PARSE("--rootless=auto", "list"), 0);
  cr_assert_eq(c.global.rootless_mode, MINIRT_ROOTLESS_AUTO);
  cli_free(&c);
  cr_assert_eq(PARSE("--rootless", "false", "list"), 0);
  cr_assert_eq(c.global.rootless_mode, MINIRT_ROOTLESS_FALSE);
  cli_free(&c);
  PARSE_FAILS("--rootless `maybe`: must be true, false or auto", "--rootless",
              "maybe", "list");
}

Test(cli, log_format_invalid) {
  PARSE_FAILS("--log-format `xml`: must be text or json", "--log-format", "xml",
              "list");
}

Test(cli, help_and_version) {
  cr_assert_eq(PARSE("--help"), 0);
  cr_assert(c.show_help);
  cli_free(&c);
  cr_assert_eq(PARSE("-v"), 0);
  cr_assert(c.show_version);
  cli_free(&c);
  cr_assert_eq(PARSE("create", "--help"), 0);
  cr_assert(c.cmd_help);
  cr_assert_eq(c.cmd, CMD_CREATE);
  cli_free(&c);
  cr_assert_eq(PARSE("help", "exec"), 0);
  cr_assert(c.cmd_help);
  cr_assert_eq(c.cmd, CMD_EXEC);
  cli_free(&c);
  cr_assert_eq(PARSE("help"), 0);
  cr_assert(c.show_help);
}

Test(cli, completion_shell) {
  cr_assert_eq(PARSE("completion", "zsh"), 0);
  cr_assert_eq(c.cmd, CMD_COMPLETION);
  cr_assert_str_eq(c.shell, "zsh");
  cli_free(&c);
  PARSE_FAILS("completion: unknown shell `csh`: expected bash, zsh or fish",
              "completion", "csh");
}

Test(cli, completion_one_shell) {
  PARSE_FAILS("completion: expects one shell: bash, zsh or fish", "completion",
              "bash", "zsh");
}

/* What the completion scripts are generated from: every listed command
 * says what it takes after its options. */
Test(cli, command_operands) {
  cr_assert_eq(cli_find_command("exec")->operands, OPERANDS_ID_COMMAND);
  cr_assert_eq(cli_find_command("kill")->operands, OPERANDS_ID_SIGNAL);
  cr_assert_eq(cli_find_command("create")->operands, OPERANDS_NEW_ID);
  cr_assert_eq(cli_find_command("delete")->operands, OPERANDS_ID);
  cr_assert_eq(cli_find_command("list")->operands, OPERANDS_NONE);
}

Test(cli, unknown_command_and_flags) {
  PARSE_FAILS("unknown command `frobnicate`", "frobnicate");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("no command given", "--debug");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("unknown flag `--bogus`", "--bogus", "list");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("create: unknown flag `--bogus`", "create", "--bogus", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("create: unknown flag `-x`", "create", "-x", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("create: flag `--bundle` needs a value", "create", "c1",
              "--bundle");
}

Test(cli, missing_and_extra_id) {
  PARSE_FAILS("start: missing container ID", "start");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("delete: expects exactly one container ID, got extra argument "
              "`c2`",
              "delete", "c1", "c2");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("list: takes no arguments, got `x`", "list", "x");
}

Test(cli, checkpoint_flags) {
  cr_assert_eq(PARSE("--criu", "/opt/criu", "checkpoint", "--image-path", "/i",
                     "--work-path=/w", "--leave-running", "--tcp-established",
                     "--ext-unix-sk", "--shell-job", "--file-locks",
                     "--pre-dump", "--parent-path", "../p",
                     "--manage-cgroups-mode", "full", "--empty-ns", "network",
                     "--auto-dedup", "--lazy-pages", "c1"),
               0);
  cr_assert_eq(c.cmd, CMD_CHECKPOINT);
  const struct checkpoint_opts *o = &c.checkpoint;
  cr_assert_str_eq(o->id, "c1");
  cr_assert_str_eq(o->c.criu, "/opt/criu");
  cr_assert_str_eq(o->c.image_path, "/i");
  cr_assert_str_eq(o->c.work_path, "/w");
  cr_assert_str_eq(o->parent_path, "../p");
  cr_assert_str_eq(o->c.manage_cgroups_mode, "full");
  cr_assert(o->leave_running && o->pre_dump && o->c.tcp_established &&
            o->c.ext_unix_sk && o->c.shell_job && o->c.file_locks &&
            o->c.empty_ns_net && o->c.auto_dedup && o->c.lazy_pages);
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("checkpoint: --manage-cgroups-mode `hard`: must be soft, full, "
              "strict or ignore",
              "checkpoint", "--manage-cgroups-mode", "hard", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("checkpoint: --empty-ns `ipc`: only `network` is supported",
              "checkpoint", "--empty-ns", "ipc", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("checkpoint: unsupported: --page-server", "checkpoint",
              "--page-server", "1.2.3.4:5", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  /* podman probes `checkpoint --help`: it must succeed now. */
  cr_assert_eq(PARSE("checkpoint", "--help"), 0);
  cr_assert(c.cmd_help);
}

Test(cli, restore_flags) {
  cr_assert_eq(PARSE("restore", "-d", "-b", "/b", "--pid-file", "/p",
                     "--console-socket", "/s", "--no-subreaper", "--no-pivot",
                     "--image-path", "/i", "c1"),
               0);
  cr_assert_eq(c.cmd, CMD_RESTORE);
  const struct restore_opts *o = &c.restore;
  cr_assert_str_eq(o->id, "c1");
  cr_assert_null(o->c.criu);
  cr_assert_str_eq(o->bundle, "/b");
  cr_assert_str_eq(o->pid_file, "/p");
  cr_assert_str_eq(o->console_socket, "/s");
  cr_assert_str_eq(o->c.image_path, "/i");
  cr_assert(o->detach && o->no_subreaper && o->no_pivot);
  cli_free(&c);
  minirt_error_clear(&err);
  cr_assert_eq(PARSE("restore", "c2"), 0);
  cr_assert_str_eq(c.restore.bundle, ".");
  cr_assert(!c.restore.detach);
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("restore: missing container ID", "restore");
}

Test(cli, create_defaults) {
  cr_assert_eq(PARSE("create", "c1"), 0);
  cr_assert_str_eq(c.create.id, "c1");
  cr_assert_str_eq(c.create.bundle, ".");
  cr_assert_null(c.create.pid_file);
  cr_assert_null(c.create.console_socket);
  cr_assert_eq(c.create.preserve_fds, 0);
  cr_assert(!c.create.no_pivot && !c.create.no_new_keyring);
}

Test(cli, create_all_flags) {
  cr_assert_eq(PARSE("create", "-b", "/b", "--pid-file=/p", "--console-socket",
                     "/s", "--preserve-fds", "3", "--no-pivot",
                     "--no-new-keyring", "c1"),
               0);
  cr_assert_str_eq(c.create.bundle, "/b");
  cr_assert_str_eq(c.create.pid_file, "/p");
  cr_assert_str_eq(c.create.console_socket, "/s");
  cr_assert_eq(c.create.preserve_fds, 3);
  cr_assert(c.create.no_pivot && c.create.no_new_keyring);
}

Test(cli, create_options_after_id_and_attached_short) {
  cr_assert_eq(PARSE("create", "c1", "-b/x", "--bundle=/y"), 0);
  cr_assert_str_eq(c.create.bundle, "/y");
  cr_assert_str_eq(c.id, "c1");
}

Test(cli, create_preserve_fds_strict) {
  PARSE_FAILS("create: --preserve-fds `-1`: not a non-negative integer",
              "create", "--preserve-fds", "-1", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("create: --preserve-fds `3x`: not a non-negative integer",
              "create", "--preserve-fds", "3x", "c1");
}

Test(cli, double_dash_ends_options) {
  cr_assert_eq(PARSE("delete", "--", "-weird"), 0);
  cr_assert_str_eq(c.id, "-weird");
}

Test(cli, run_flags) {
  cr_assert_eq(PARSE("run", "-d", "--keep", "-b", "/b", "c1"), 0);
  cr_assert_eq(c.cmd, CMD_RUN);
  cr_assert(c.create.detach && c.create.keep);
  cr_assert_str_eq(c.create.bundle, "/b");
  cr_assert_str_eq(c.create.id, "c1");
}

Test(cli, bool_flag_values) {
  cr_assert_eq(PARSE("run", "--detach=true", "--keep=false", "c1"), 0);
  cr_assert(c.create.detach);
  cr_assert(!c.create.keep);
  cli_free(&c);
  PARSE_FAILS("run: flag `--detach` takes true or false, not `yes`", "run",
              "--detach=yes", "c1");
}

Test(cli, create_has_no_detach) {
  PARSE_FAILS("create: unknown flag `-d`", "create", "-d", "c1");
}

Test(cli, kill_defaults_and_signal) {
  cr_assert_eq(PARSE("kill", "c1"), 0);
  cr_assert_eq(c.signal, SIGTERM);
  cr_assert(!c.kill_all);
  cli_free(&c);
  cr_assert_eq(PARSE("kill", "--all", "c1", "KILL"), 0);
  cr_assert_eq(c.signal, SIGKILL);
  cr_assert(c.kill_all);
  cli_free(&c);
  cr_assert_eq(PARSE("kill", "c1", "9", "-a"), 0);
  cr_assert_eq(c.signal, 9);
  cr_assert(c.kill_all);
  cli_free(&c);
  PARSE_FAILS("kill: unknown signal `FOO`", "kill", "c1", "FOO");
}

Test(cli, delete_force) {
  cr_assert_eq(PARSE("delete", "-f", "c1"), 0);
  cr_assert(c.force);
  cli_free(&c);
  cr_assert_eq(PARSE("delete", "c1", "--force"), 0);
  cr_assert(c.force);
  cli_free(&c);
  cr_assert_eq(PARSE("delete", "c1"), 0);
  cr_assert(!c.force);
}

Test(cli, list_flags) {
  cr_assert_eq(PARSE("list"), 0);
  cr_assert_str_eq(c.format, "table");
  cr_assert(!c.quiet);
  cli_free(&c);
  cr_assert_eq(PARSE("list", "-f", "json", "-q"), 0);
  cr_assert_str_eq(c.format, "json");
  cr_assert(c.quiet);
  cli_free(&c);
  PARSE_FAILS("list: --format `yaml`: must be table or json", "list",
              "--format=yaml");
}

Test(cli, ps_args) {
  cr_assert_eq(PARSE("ps", "c1"), 0);
  cr_assert_null(c.ps_args);
  cr_assert_str_eq(c.format, "table");
  cli_free(&c);
  cr_assert_eq(PARSE("ps", "--format", "json", "c1", "--", "-ef"), 0);
  cr_assert_str_eq(c.format, "json");
  cr_assert_str_eq(c.ps_args[0], "-ef");
  cr_assert_null(c.ps_args[1]);
  cli_free(&c);
  cr_assert_eq(PARSE("ps", "c1", "-o", "pid,comm"), 0);
  cr_assert_str_eq(c.ps_args[0], "-o");
  cr_assert_str_eq(c.ps_args[1], "pid,comm");
  cr_assert_null(c.ps_args[2]);
}

Test(cli, pause_resume_start_state_features) {
  cr_assert_eq(PARSE("pause", "c1"), 0);
  cr_assert_eq(c.cmd, CMD_PAUSE);
  cli_free(&c);
  cr_assert_eq(PARSE("resume", "c1"), 0);
  cr_assert_eq(c.cmd, CMD_RESUME);
  cli_free(&c);
  cr_assert_eq(PARSE("features"), 0);
  cr_assert_eq(c.cmd, CMD_FEATURES);
}

Test(cli, events_flags) {
  cr_assert_eq(PARSE("events", "c1"), 0);
  cr_assert_eq(c.interval_sec, 5);
  cr_assert(!c.stats);
  cli_free(&c);
  cr_assert_eq(PARSE("events", "--stats", "--interval", "1m30s", "c1"), 0);
  cr_assert(c.stats);
  cr_assert_eq(c.interval_sec, 90);
  cli_free(&c);
  PARSE_FAILS("events: --interval `0s`: not a duration in whole seconds (e.g. "
              "5s, 1m, 1h30m)",
              "events", "--interval=0s", "c1");
}

Test(cli, spec_flags) {
  cr_assert_eq(PARSE("spec"), 0);
  cr_assert_str_eq(c.bundle, ".");
  cr_assert(!c.spec_rootless);
  cli_free(&c);
  cr_assert_eq(PARSE("spec", "--rootless", "-b", "/b"), 0);
  cr_assert_str_eq(c.bundle, "/b");
  cr_assert(c.spec_rootless);
}

Test(cli, exec_defaults) {
  cr_assert_eq(PARSE("exec", "c1", "ls", "-l"), 0);
  struct exec_opts *o = &c.exec;
  cr_assert_str_eq(o->id, "c1");
  cr_assert_eq(o->flags.n_args, 2);
  cr_assert_str_eq(o->flags.args[0], "ls");
  cr_assert_str_eq(o->flags.args[1], "-l");
  cr_assert_null(o->flags.args[2]);
  cr_assert_str_eq(o->explain_format, "json");
  cr_assert(!o->detach && !o->flags.tty && !o->flags.has_user);
  cr_assert(!o->ignore_paused && !o->explain && !o->flags.no_new_privs);
  cr_assert_eq(o->flags.n_env, 0);
  cr_assert_null(o->process_file);
}

Test(cli, exec_options_after_id_are_the_command) {
  cr_assert_eq(PARSE("exec", "-t", "c1", "sh", "--tty", "-u", "5"), 0);
  struct exec_flags *f = &c.exec.flags;
  cr_assert(f->tty);
  cr_assert(!f->has_user);
  cr_assert_eq(f->n_args, 4);
  cr_assert_str_eq(f->args[1], "--tty");
  cr_assert_str_eq(f->args[3], "5");
  cli_free(&c);
  cr_assert_eq(PARSE("exec", "c1", "--", "ls"), 0);
  cr_assert_eq(c.exec.flags.n_args, 1);
  cr_assert_str_eq(c.exec.flags.args[0], "ls");
}

Test(cli, exec_no_command_is_core_business) {
  cr_assert_eq(PARSE("exec", "-p", "/proc.json", "c1"), 0);
  cr_assert_str_eq(c.exec.process_file, "/proc.json");
  cr_assert_eq(c.exec.flags.n_args, 0);
  cr_assert_null(c.exec.flags.args);
}

Test(cli, exec_all_flags) {
  cr_assert_eq(PARSE("exec", "--process=/p.json", "-d", "--pid-file", "/pid",
                     "--console-socket", "/sock", "-t", "--cwd", "/w", "-e",
                     "A=1", "--env=B=2", "-u", "1000:100", "-g", "5",
                     "--additional-gids=7", "-c", "net_admin", "--cap",
                     "CAP_SYS_TIME", "--no-new-privs", "--apparmor", "prof",
                     "--process-label", "lbl", "--preserve-fds", "2",
                     "--cgroup", "sub", "--ignore-paused", "--explain",
                     "--format", "table", "c1", "true"),
               0);
  struct exec_opts *o = &c.exec;
  struct exec_flags *f = &o->flags;
  cr_assert_str_eq(o->process_file, "/p.json");
  cr_assert(o->detach);
  cr_assert_str_eq(o->pid_file, "/pid");
  cr_assert_str_eq(o->console_socket, "/sock");
  cr_assert(f->tty);
  cr_assert_str_eq(f->cwd, "/w");
  cr_assert_eq(f->n_env, 2);
  cr_assert_str_eq(f->env[0], "A=1");
  cr_assert_str_eq(f->env[1], "B=2");
  cr_assert(f->has_user && f->has_gid);
  cr_assert_eq(f->uid, 1000);
  cr_assert_eq(f->gid, 100);
  cr_assert_eq(f->n_additional_gids, 2);
  cr_assert_eq(f->additional_gids[0], 5);
  cr_assert_eq(f->additional_gids[1], 7);
  cr_assert_eq(f->n_caps, 2);
  cr_assert_str_eq(f->caps[0], "CAP_NET_ADMIN");
  cr_assert_str_eq(f->caps[1], "CAP_SYS_TIME");
  cr_assert(f->no_new_privs);
  cr_assert_str_eq(f->apparmor, "prof");
  cr_assert_str_eq(f->process_label, "lbl");
  cr_assert_eq(o->preserve_fds, 2);
  cr_assert_str_eq(o->cgroup, "sub");
  cr_assert(o->ignore_paused && o->explain);
  cr_assert_str_eq(o->explain_format, "table");
  cr_assert_str_eq(f->args[0], "true");
}

Test(cli, exec_user_1_gives_uid_1) {
  cr_assert_eq(PARSE("exec", "-u", "1", "c1", "id"), 0);
  cr_assert(c.exec.flags.has_user);
  cr_assert_eq(c.exec.flags.uid, 1);
  cr_assert(!c.exec.flags.has_gid);
  cli_free(&c);
  cr_assert_eq(PARSE("exec", "-u1", "c1", "id"), 0);
  cr_assert_eq(c.exec.flags.uid, 1);
  cli_free(&c);
  cr_assert_eq(PARSE("exec", "--user=0:0", "c1", "id"), 0);
  cr_assert_eq(c.exec.flags.uid, 0);
  cr_assert(c.exec.flags.has_gid);
  cr_assert_eq(c.exec.flags.gid, 0);
}

Test(cli, exec_user_errors) {
  PARSE_FAILS("exec: --user `bob`: only numeric UID[:GID] is supported", "exec",
              "-u", "bob", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --user `-1`: only numeric UID[:GID] is supported", "exec",
              "--user=-1", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --user `1000:`: only numeric UID[:GID] is supported",
              "exec", "-u", "1000:", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --user `4294967295`: id out of range", "exec", "-u",
              "4294967295", "c1", "id");
}

Test(cli, exec_env_and_gid_errors) {
  PARSE_FAILS("exec: --env `NOVALUE`: expected KEY=VALUE", "exec", "-e",
              "NOVALUE", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --additional-gids `x`: not a non-negative integer", "exec",
              "-g", "x", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --cap `NET-ADMIN`: not a capability name", "exec", "-c",
              "NET-ADMIN", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: --format `xml`: must be json or table", "exec", "--format",
              "xml", "c1", "id");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("exec: missing container ID", "exec", "-t");
}

Test(cli, exec_bundled_shorts) {
  cr_assert_eq(PARSE("exec", "-dt", "c1", "top"), 0);
  cr_assert(c.exec.detach && c.exec.flags.tty);
}

Test(cli, update_flags) {
  cr_assert_eq(PARSE("update", "--memory", "512m", "--memory-swap=-1",
                     "--memory-reservation", "1g", "--kernel-memory", "4k",
                     "--kernel-memory-tcp", "1024", "--cpu-shares", "512",
                     "--cpu-quota", "-1", "--cpu-period", "100000",
                     "--cpu-rt-runtime", "950", "--cpu-rt-period", "1000",
                     "--cpuset-cpus", "0-1", "--cpuset-mems", "0",
                     "--pids-limit", "100", "--blkio-weight", "500", "c1"),
               0);
  struct oci_resources *r = c.resources;
  cr_assert_not_null(r);
  cr_assert(r->memory->has_limit);
  cr_assert_eq(r->memory->limit, 512LL << 20);
  cr_assert(r->memory->has_swap);
  cr_assert_eq(r->memory->swap, -1);
  cr_assert_eq(r->memory->reservation, 1LL << 30);
  cr_assert_eq(r->memory->kernel, 4096);
  cr_assert_eq(r->memory->kernel_tcp, 1024);
  cr_assert(!r->memory->has_swappiness);
  cr_assert(r->cpu->has_shares && r->cpu->shares == 512);
  cr_assert(r->cpu->has_quota && r->cpu->quota == -1);
  cr_assert(r->cpu->has_period && r->cpu->period == 100000);
  cr_assert(r->cpu->has_realtime_runtime && r->cpu->realtime_runtime == 950);
  cr_assert(r->cpu->has_realtime_period && r->cpu->realtime_period == 1000);
  cr_assert_str_eq(r->cpu->cpus, "0-1");
  cr_assert_str_eq(r->cpu->mems, "0");
  cr_assert(r->has_pids && r->pids_limit == 100);
  cr_assert(r->blkio->has_weight && r->blkio->weight == 500);
  cr_assert_null(c.resources_file);
}

Test(cli, update_only_given_fields) {
  cr_assert_eq(PARSE("update", "--pids-limit", "10", "c1"), 0);
  cr_assert_not_null(c.resources);
  cr_assert_null(c.resources->memory);
  cr_assert_null(c.resources->cpu);
  cr_assert_null(c.resources->blkio);
  cli_free(&c);
  cr_assert_eq(PARSE("update", "-r", "-", "c1"), 0);
  cr_assert_str_eq(c.resources_file, "-");
  cr_assert_null(c.resources);
}

Test(cli, update_errors) {
  PARSE_FAILS("update: --memory `12q`: not a size (e.g. 1024, 512k, 64m, 1.5g, "
              "-1)",
              "update", "--memory", "12q", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("update: --blkio-weight `2000`: out of range (max 1000)",
              "update", "--blkio-weight", "2000", "c1");
  cli_free(&c);
  minirt_error_clear(&err);
  PARSE_FAILS("update: unsupported: --l3-cache-schema (linux.intelRdt)",
              "update", "--l3-cache-schema", "L3:0=f", "c1");
}

Test(values, sizes) {
  int64_t v;
  cr_assert_eq(cli_parse_size("--m", "512m", &v, &err), 0);
  cr_assert_eq(v, 512LL * 1024 * 1024);
  cr_assert_eq(cli_parse_size("--m", "1.5g", &v, &err), 0);
  cr_assert_eq(v, 3LL << 29);
  cr_assert_eq(cli_parse_size("--m", "2 GiB", &v, &err), 0);
  cr_assert_eq(v, 2LL << 30);
  cr_assert_eq(cli_parse_size("--m", "100KB", &v, &err), 0);
  cr_assert_eq(v, 102400);
  cr_assert_eq(cli_parse_size("--m", "7", &v, &err), 0);
  cr_assert_eq(v, 7);
  cr_assert_eq(cli_parse_size("--m", "10b", &v, &err), 0);
  cr_assert_eq(v, 10);
  cr_assert_eq(cli_parse_size("--m", "-1", &v, &err), 0);
  cr_assert_eq(v, -1);
  cr_assert_eq(cli_parse_size("--m", "8191p", &v, &err), 0);
  cr_assert_lt(cli_parse_size("--m", "8192p", &v, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_size("--m", "99999999999999999999", &v, &err), 0);
  minirt_error_clear(&err);
  const char *bad[] = {"", "m", "-2", "1.m", "1x", "1mm", ".5m", " 1", "1  "};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cr_assert_lt(cli_parse_size("--m", bad[i], &v, &err), 0, "%s", bad[i]);
    minirt_error_clear(&err);
  }
}

Test(values, integers) {
  uint64_t u;
  int64_t i;
  cr_assert_eq(
      cli_parse_u64("--n", "18446744073709551615", UINT64_MAX, &u, &err), 0);
  cr_assert_eq(u, UINT64_MAX);
  cr_assert_lt(
      cli_parse_u64("--n", "18446744073709551616", UINT64_MAX, &u, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_u64("--n", "+1", UINT64_MAX, &u, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_u64("--n", " 1", UINT64_MAX, &u, &err), 0);
  minirt_error_clear(&err);
  cr_assert_eq(cli_parse_i64("--n", "-9223372036854775808", INT64_MIN,
                             INT64_MAX, &i, &err),
               0);
  cr_assert_eq(i, INT64_MIN);
  cr_assert_lt(cli_parse_i64("--n", "9223372036854775808", INT64_MIN, INT64_MAX,
                             &i, &err),
               0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_i64("--n", "-2", -1, 10, &i, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_i64("--n", "-", -1, 10, &i, &err), 0);
}

Test(values, durations) {
  int s;
  cr_assert_eq(cli_parse_duration_sec("--i", "5", &s, &err), 0);
  cr_assert_eq(s, 5);
  cr_assert_eq(cli_parse_duration_sec("--i", "2m", &s, &err), 0);
  cr_assert_eq(s, 120);
  cr_assert_eq(cli_parse_duration_sec("--i", "1h1s", &s, &err), 0);
  cr_assert_eq(s, 3601);
  cr_assert_lt(cli_parse_duration_sec("--i", "500ms", &s, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_duration_sec("--i", "", &s, &err), 0);
}

Test(values, caps) {
  char *cap = NULL;
  cr_assert_eq(cli_normalize_cap("net_admin", &cap, &err), 0);
  cr_assert_str_eq(cap, "CAP_NET_ADMIN");
  free(cap);
  cr_assert_eq(cli_normalize_cap("Cap_Chown", &cap, &err), 0);
  cr_assert_str_eq(cap, "CAP_CHOWN");
  free(cap);
  cr_assert_lt(cli_normalize_cap("CAP_", &cap, &err), 0);
}

Test(signals, names_and_numbers) {
  int s;
  const char *kill_names[] = {"KILL", "SIGKILL", "kill",
                              "9",    "sigkill", "SigKill"};
  for (size_t i = 0; i < sizeof(kill_names) / sizeof(kill_names[0]); i++) {
    s = 0;
    cr_assert_eq(cli_parse_signal(kill_names[i], &s, &err), 0, "%s",
                 kill_names[i]);
    cr_assert_eq(s, SIGKILL);
  }
  cr_assert_eq(cli_parse_signal("HUP", &s, &err), 0);
  cr_assert_eq(s, SIGHUP);
  cr_assert_eq(cli_parse_signal("sigwinch", &s, &err), 0);
  cr_assert_eq(s, SIGWINCH);
  cr_assert_eq(cli_parse_signal("CLD", &s, &err), 0);
  cr_assert_eq(s, SIGCHLD);
  cr_assert_eq(cli_parse_signal("64", &s, &err), 0);
  cr_assert_eq(s, 64);
  cr_assert_eq(cli_parse_signal("1", &s, &err), 0);
  cr_assert_eq(s, 1);
}

Test(signals, realtime) {
  int s;
  cr_assert_eq(cli_parse_signal("RTMIN", &s, &err), 0);
  cr_assert_eq(s, SIGRTMIN);
  cr_assert_eq(cli_parse_signal("SIGRTMIN+3", &s, &err), 0);
  cr_assert_eq(s, SIGRTMIN + 3);
  cr_assert_eq(cli_parse_signal("rtmax-1", &s, &err), 0);
  cr_assert_eq(s, SIGRTMAX - 1);
  cr_assert_eq(cli_parse_signal("RTMAX", &s, &err), 0);
  cr_assert_eq(s, SIGRTMAX);
  cr_assert_lt(cli_parse_signal("RTMAX+1", &s, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_signal("RTMIN-1", &s, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(cli_parse_signal("RTMIN+", &s, &err), 0);
}

Test(signals, zero_checks_liveness) {
  int s = -1;
  cr_assert_eq(cli_parse_signal("0", &s, &err), 0);
  cr_assert_eq(s, 0);
}

Test(signals, unknown) {
  int s;
  const char *bad[] = {"FOO", "65", "-9", "", "SIG", "KILLX", "9x"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cr_assert_lt(cli_parse_signal(bad[i], &s, &err), 0, "%s", bad[i]);
    minirt_error_clear(&err);
  }
  cr_assert_lt(cli_parse_signal("FOO", &s, &err), 0);
  cr_assert_str_eq(err.msg, "kill: unknown signal `FOO`");
}
