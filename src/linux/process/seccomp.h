/* linux.seccomp: builds a libseccomp filter from the typed spec and loads
 * it into the calling thread (all threads with SECCOMP_FILTER_FLAG_TSYNC). */
#ifndef MINIRT_LINUX_PROCESS_SECCOMP_H
#define MINIRT_LINUX_PROCESS_SECCOMP_H

#include <stdbool.h>

#include "spec/oci.h"

/* True if any rule (or the default action) is SCMP_ACT_NOTIFY. */
bool seccomp_uses_notify(const struct oci_seccomp *s);

/* Builds and loads the filter. The kernel requires CAP_SYS_ADMIN or
 * no_new_privs. When the filter uses SCMP_ACT_NOTIFY, *notify_fd receives the
 * listener fd (O_CLOEXEC), else -1. Unknown syscall names are skipped (they
 * may not exist on this architecture, as runc does); unknown actions,
 * operators, architectures and flags fail with "unsupported: ...". */
int seccomp_build_and_load(const struct oci_seccomp *s, int *notify_fd,
                           struct minirt_error *err);

/* Sends the notify fd with SCM_RIGHTS over the connected socket `sock`,
 * with `payload` (the container state JSON) as the message. */
int seccomp_send_notify_fd(int sock, int notify_fd, const char *payload,
                           struct minirt_error *err);

#endif
