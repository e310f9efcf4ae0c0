/* Facts about host processes read from /proc. */
#ifndef MINIRT_LINUX_PROCINFO_H
#define MINIRT_LINUX_PROCINFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* Start time (field 22 of /proc/PID/stat) and state letter. -ESRCH when the
 * process does not exist. */
int proc_stat(pid_t pid, uint64_t *start_time, char *state,
              struct minirt_error *err);
/* True when pid is alive (not a zombie) and started at start_time: a
 * recycled pid is never mistaken for the container. */
bool proc_is_same_alive(pid_t pid, uint64_t start_time);
/* Waits until pid is gone (pidfd + poll), at most timeout_ms. */
int proc_wait_gone(pid_t pid, uint64_t start_time, int timeout_ms);
/* pidfd_open() with a start-time check. */
int proc_pidfd(pid_t pid, uint64_t start_time, int *fd,
               struct minirt_error *err);

/* Host pids of init and of every process in its pid namespace (sorted), for
 * a container without a cgroup. A container sharing our pid namespace has
 * only its init listed. Caller frees *pids. */
int proc_pidns_members(pid_t init, pid_t **pids, size_t *n,
                       struct minirt_error *err);

#endif
