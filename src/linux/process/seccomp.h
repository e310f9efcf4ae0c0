/* linux.seccomp: builds a libseccomp filter from the typed spec and loads
 * it into the calling thread (all threads with SECCOMP_FILTER_FLAG_TSYNC),
 * either directly or as a raw BPF program compiled before the clone (and
 * kept in the cache of seccomp_cache.h). */
#ifndef MINIRT_LINUX_PROCESS_SECCOMP_H
#define MINIRT_LINUX_PROCESS_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "linux/process/process.h"
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

struct sock_filter;

/* Compiles the filter with libseccomp into its BPF program (malloc'd *insns
 * of *n instructions) and compacts that (seccomp_bpf.h): a shorter program
 * with the same result as what seccomp_build_and_load() would load, for
 * every input, or libseccomp's own when the compactor declines. Fails like
 * seccomp_build_and_load() for a profile it cannot build. Not for
 * SCMP_ACT_NOTIFY profiles: their listener fd comes from libseccomp's own
 * load. */
int seccomp_compile_bpf(const struct oci_seccomp *s, struct sock_filter **insns,
                        size_t *n, struct minirt_error *err);

/* libseccomp's program itself, not compacted (the reference of the tests
 * and of bench/seccomp-load.c). */
int seccomp_compile_bpf_libseccomp(const struct oci_seccomp *s,
                                   struct sock_filter **insns, size_t *n,
                                   struct minirt_error *err);

/* The same as seccomp_compile_bpf(), telling `note` (may be NULL) whether the
 * program was compacted and, if not, why. */
int seccomp_compile_bpf_noted(const struct oci_seccomp *s,
                              struct sock_filter **insns, size_t *n,
                              process_note_fn note, void *data,
                              struct minirt_error *err);

/* The SECCOMP_FILTER_FLAG_* bits for linux.seccomp.flags, as libseccomp's
 * load passes them. */
int seccomp_filter_flags(const struct oci_seccomp *s, unsigned *flags,
                         struct minirt_error *err);

/* Loads a raw program with seccomp(SECCOMP_SET_MODE_FILTER, flags). Same
 * privilege rule as seccomp_build_and_load(). */
int seccomp_load_bpf(const struct sock_filter *insns, size_t n, unsigned flags,
                     struct minirt_error *err);

#endif
