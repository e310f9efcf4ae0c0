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

#endif
