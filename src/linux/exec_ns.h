/* The namespaces of a running container that an exec joins: opened by the
 * runtime before it forks, joined by the child. */
#ifndef MINIRT_LINUX_EXEC_NS_H
#define MINIRT_LINUX_EXEC_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec/oci.h"
#include "util/error.h"

struct exec_ns {
  /* Namespaces joined through their /proc/<init>/ns file; -1: not so (the
   * same as ours, not in the config, or joined through the pidfd). */
  int fds[OCI_NS_COUNT];
  /* The init's pidfd and the CLONE_NEW* flags of the namespaces the child
   * joins through it in one setns; -1 and 0 when unused. */
  int pidfd;
  int pidfd_flags;
  /* Our own pid namespace once the parent has joined the container's for
   * its children (exec_ns_join_pid), to come back to; else -1. */
  int own_pidns;
  /* Whether /proc/<init> was opened by path: the caller must check that
   * the init is still the same process afterwards. */
  bool by_path;
};

/* Opens what joining the init's namespaces takes. The namespaces the init
 * made itself (no path in the config) go through its pidfd: one
 * pidfd_open and one setns instead of an open and two stats per namespace.
 * User and time namespaces, namespaces given by path, rootless runs and
 * kernels before 5.8 (setns on a pidfd) use the /proc files. When the pid
 * namespace goes through the pidfd, the parent's join of it (see
 * exec_ns_join_pid) has been done already; the pidfd also pins the init,
 * so no start-time check is needed for it. */
int exec_ns_open(pid_t init, uint64_t init_start_time,
                 const struct oci_config *cfg, bool rootless,
                 struct exec_ns *ns, struct minirt_error *err);
/* The parent's join of the pid namespace by its file, for its children
 * only; exec_ns_close brings it back. No-op when already done. */
int exec_ns_join_pid(struct exec_ns *ns, struct minirt_error *err);
/* In the child: joins the rest (user first: it grants the rights to join
 * the others) and closes what was opened. */
int exec_ns_join(struct exec_ns *ns, struct minirt_error *err);
/* Closes the fds; in the parent (back_to_own_pidns) also returns to our
 * pid namespace. False when that return failed. */
bool exec_ns_close(struct exec_ns *ns, bool back_to_own_pidns);
/* Whether the child joins the container's mount namespace (else it shares
 * ours and chroots to the init's root). */
bool exec_ns_joins_mount(const struct exec_ns *ns);

#endif
