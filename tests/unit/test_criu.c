/* The criu command lines of checkpoint and restore (src/linux/criu.c) and
 * descriptors.json (src/spec/descriptors.c): pure, no criu needed. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "linux/criu.h"
#include "spec/state.h"

static char *joined(const struct criu_argv *a) {
  size_t len = 1;
  for (size_t i = 0; i < a->n; i++)
    len += strlen(a->v[i]) + 1;
  char *s = calloc(1, len);
  for (size_t i = 0; i < a->n; i++) {
    if (i)
      strcat(s, " ");
    strcat(s, a->v[i]);
  }
  return s;
}

Test(criu, dump_argv) {
  char *mounts[] = {"/data:/data", NULL};
  char *ext[] = {"net[4026532000]:extRootNetNS", NULL};
  struct criu_dump d = {.c = {.criu = "/usr/sbin/criu",
                              .images = "/img",
                              .log = "dump.log",
                              .root = "/b/rootfs",
                              .tcp_established = true,
                              .file_locks = true,
                              .empty_ns_net = true,
                              .ext_mounts = mounts,
                              .n_ext_mounts = 1},
                        .pid = 42,
                        .leave_running = true,
                        .freeze_cgroup = "/sys/fs/cgroup/minirt/c1",
                        .externals = ext,
                        .n_externals = 1};
  struct criu_argv a = {0};
  struct minirt_error err = {0};
  cr_assert_eq(criu_dump_argv(&d, &a, &err), 0);
  char *s = joined(&a);
  cr_assert_str_eq(s, "/usr/sbin/criu dump -t 42 -D /img -o dump.log -v4 "
                      "--root /b/rootfs --manage-cgroups=soft "
                      "--tcp-established --file-locks --empty-ns net "
                      "--ext-mount-map /data:/data --leave-running "
                      "--freeze-cgroup /sys/fs/cgroup/minirt/c1 "
                      "--external net[4026532000]:extRootNetNS");
  cr_assert_null(a.v[a.n]);
  free(s);
  criu_argv_free(&a);
}

Test(criu, pre_dump_and_parent) {
  struct criu_dump d = {.c = {.criu = "criu",
                              .images = "/img/pre",
                              .work = "/w",
                              .log = "pre-dump.log",
                              .root = "/r",
                              .cgroups_mode = "ignore"},
                        .pid = 7,
                        .pre_dump = true,
                        .leave_running = true};
  struct criu_argv a = {0};
  struct minirt_error err = {0};
  cr_assert_eq(criu_dump_argv(&d, &a, &err), 0);
  char *s = joined(&a);
  /* A pre-dump never gets --leave-running (criu refuses it there). */
  cr_assert_str_eq(s, "criu pre-dump -t 7 -D /img/pre -W /w -o pre-dump.log "
                      "-v4 --root /r --manage-cgroups=ignore --track-mem");
  free(s);
  criu_argv_free(&a);
  struct criu_dump full = {.c = {.criu = "criu",
                                 .images = "/img/full",
                                 .log = "dump.log",
                                 .root = "/r"},
                           .pid = 7,
                           .parent = "../pre"};
  cr_assert_eq(criu_dump_argv(&full, &a, &err), 0);
  s = joined(&a);
  cr_assert(strstr(s, " --track-mem --prev-images-dir ../pre") != NULL, "%s",
            s);
  free(s);
  criu_argv_free(&a);
}

Test(criu, restore_argv) {
  char *mounts[] = {"/data:/host/data", NULL};
  char *inherit[] = {"fd[1]:pipe:[1234]", "fd[3]:extRootNetNS", NULL};
  char *join[] = {"ipc:/run/ns/ipc", NULL};
  struct criu_restore r = {.c = {.criu = "criu",
                                 .images = "/img",
                                 .log = "restore.log",
                                 .root = "/state/c1/criu-root",
                                 .empty_ns_net = true,
                                 .ext_mounts = mounts,
                                 .n_ext_mounts = 1},
                           .pidfile = "/state/c1/criu.pid",
                           .cgroup_root = "/minirt/c1",
                           .inherit_fds = inherit,
                           .n_inherit_fds = 2,
                           .join_ns = join,
                           .n_join_ns = 1};
  struct criu_argv a = {0};
  struct minirt_error err = {0};
  cr_assert_eq(criu_restore_argv(&r, &a, &err), 0);
  char *s = joined(&a);
  cr_assert_str_eq(s, "criu restore -D /img -o restore.log -v4 "
                      "--root /state/c1/criu-root --manage-cgroups=soft "
                      "--empty-ns net --ext-mount-map /data:/host/data "
                      "--restore-detached --restore-sibling "
                      "--evasive-devices --pidfile /state/c1/criu.pid "
                      "--cgroup-root /minirt/c1 "
                      "--inherit-fd fd[1]:pipe:[1234] "
                      "--inherit-fd fd[3]:extRootNetNS "
                      "--join-ns ipc:/run/ns/ipc");
  free(s);
  criu_argv_free(&a);
}

Test(criu, bad_mode_fails) {
  struct criu_dump d = {.c = {.criu = "criu",
                              .images = "/i",
                              .log = "l",
                              .root = "/r",
                              .cgroups_mode = "hard"},
                        .pid = 1};
  struct criu_argv a = {0};
  struct minirt_error err = {0};
  cr_assert_lt(criu_dump_argv(&d, &a, &err), 0);
  cr_assert(strstr(err.msg, "--manage-cgroups-mode `hard`") != NULL);
  cr_assert_null(a.v);
  minirt_error_clear(&err);
}

Test(criu, resolve_missing) {
  char *p = NULL;
  struct minirt_error err = {0};
  cr_assert_lt(criu_resolve("/nonexistent/criu", &p, &err), 0);
  cr_assert(strstr(err.msg, "`/nonexistent/criu` cannot be run") != NULL, "%s",
            err.msg);
  minirt_error_clear(&err);
  cr_assert_lt(criu_resolve("no-such-criu-binary", &p, &err), 0);
  cr_assert(strstr(err.msg, "install criu or give --criu PATH") != NULL);
  minirt_error_clear(&err);
}

Test(criu, descriptors_roundtrip) {
  char *v[] = {"/dev/null", "pipe:[1234]", "pipe:[5678]"};
  char *json = NULL;
  struct minirt_error err = {0};
  cr_assert_eq(oci_descriptors_to_json(v, 3, &json, &err), 0);
  cr_assert_str_eq(json, "[\"/dev/null\",\"pipe:[1234]\",\"pipe:[5678]\"]");
  char **back = NULL;
  size_t n = 0;
  cr_assert_eq(oci_descriptors_parse(json, strlen(json), &back, &n, &err), 0);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(back[0], "/dev/null");
  cr_assert_str_eq(back[2], "pipe:[5678]");
  cr_assert_null(back[3]);
  for (size_t i = 0; i < n; i++)
    free(back[i]);
  free(back);
  free(json);
  cr_assert_lt(oci_descriptors_parse("{}", 2, &back, &n, &err), 0);
  minirt_error_clear(&err);
  cr_assert_lt(oci_descriptors_parse("[1]", 3, &back, &n, &err), 0);
  minirt_error_clear(&err);
}
