/* The config written by `minirt spec`, modelled on `runc spec`. It is kept
 * as JSON text and parsed, so the default always passes the same checks as
 * a user's config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/oci.h"
#include "util/cleanup.h"

#define CAPS "[\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]"

static const char process_json[] =
    "\"process\": {\"terminal\": true, \"user\": {\"uid\": 0, \"gid\": 0},"
    " \"args\": [\"sh\"],"
    " \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    " \"TERM=xterm\"], \"cwd\": \"/\","
    " \"capabilities\": {\"bounding\": " CAPS ", \"effective\": " CAPS
    ", \"permitted\": " CAPS "},"
    " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
    " \"noNewPrivileges\": true}";

/* %s: gid= option of devpts (dropped when rootless, as runc does). */
static const char mounts_head[] =
    "\"mounts\": ["
    "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
    "{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
    " \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
    "{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
    " \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\","
    " \"mode=0620\"%s]},"
    "{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
    " \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
    "{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
    " \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},";

static const char sys_mount[] =
    "{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
    " \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}]";

static const char sys_bind[] =
    "{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\","
    " \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]}]";

static const char paths_json[] =
    "\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\","
    " \"/proc/keys\", \"/proc/latency_stats\", \"/proc/timer_list\","
    " \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\","
    " \"/proc/scsi\"],"
    " \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\","
    " \"/proc/sys\", \"/proc/sysrq-trigger\"]";

static char *default_json(bool rootless) {
  char *mounts = NULL, *linux_ = NULL, *all = NULL;
  if (asprintf(&mounts, mounts_head, rootless ? "" : ", \"gid=5\"") < 0)
    return NULL;
  int r;
  if (rootless)
    r = asprintf(&linux_,
                 "\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": %u,"
                 " \"size\": 1}], \"gidMappings\": [{\"containerID\": 0,"
                 " \"hostID\": %u, \"size\": 1}],"
                 " \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"},"
                 " {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": \"cgroup\"},"
                 " {\"type\": \"user\"}], %s}",
                 (unsigned)geteuid(), (unsigned)getegid(), paths_json);
  else
    r = asprintf(&linux_,
                 "\"linux\": {\"resources\": {\"devices\": [{\"allow\": false,"
                 " \"access\": \"rwm\"}]},"
                 " \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
                 " {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"},"
                 " {\"type\": \"cgroup\"}], %s}",
                 paths_json);
  if (r >= 0)
    r = asprintf(&all,
                 "{\"ociVersion\": \"%s\", %s, \"root\": {\"path\": \"rootfs\","
                 " \"readonly\": true}, \"hostname\": \"minirt\", %s%s, %s}",
                 MINIRT_OCI_VERSION, process_json, mounts,
                 rootless ? sys_bind : sys_mount, linux_);
  free(mounts);
  free(linux_);
  return r < 0 ? NULL : all;
}

struct oci_config *oci_config_default(bool rootless) {
  _cleanup_free_ char *text = default_json(rootless);
  struct oci_config *cfg = NULL;
  if (text == NULL)
    return NULL;
  struct minirt_error err = {0, NULL};
  if (oci_config_parse(text, strlen(text), &cfg, &err) < 0) {
    minirt_error_clear(&err);
    return NULL;
  }
  return cfg;
}
