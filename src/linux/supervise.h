/* Foreground run/exec: wait for the container process, forward the
 * signals the runtime receives, and turn its end into an exit status. */
#ifndef MINIRT_LINUX_SUPERVISE_H
#define MINIRT_LINUX_SUPERVISE_H

#include <sys/types.h>

#include "util/error.h"

/* Blocks the forwarded signals; call before the child can run so that no
 * signal is lost between spawn and supervise_wait(). */
void supervise_block_signals(void);
void supervise_unblock_signals(void);
/* First thing in a child that becomes a container process: no signal
 * blocked (a foreground run/exec blocks those it forwards), and killed if
 * the runtime dies while it is being set up (clear PR_SET_PDEATHSIG before
 * it may outlive the runtime). */
void supervise_child_start(void);
/* A child that failed before it became the container process: killed,
 * reaped, and the pty master it may have handed over closed (-1 after). */
void supervise_abort_child(pid_t pid, int *pty_master);
/* pid must be a child of the caller. With pty_master >= 0 the terminal is
 * proxied (see terminal_proxy) and the master closed. *status: the exit
 * code, or 128+N when killed by signal N. */
int supervise_wait(pid_t pid, int pty_master, int *status,
                   struct minirt_error *err);

#endif
