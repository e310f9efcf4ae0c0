/* The pty of a container process, made in the container and handed to the
 * runtime (which passes it on to --console-socket or proxies it). */
#ifndef MINIRT_LINUX_CONSOLE_H
#define MINIRT_LINUX_CONSOLE_H

#include <stdbool.h>

#include "spec/oci.h"

/* In the process that is becoming the container process: opens a pty from
 * the container's /dev/ptmx, sends the master over the sync socket
 * (SYNC_PTY + SCM_RIGHTS), and makes the slave the controlling terminal and
 * fds 0-2, sized from process.consoleSize. With bind_console (the init),
 * /dev/console becomes the slave too. */
int console_setup_child(int sock, const struct oci_process *p,
                        bool bind_console, struct minirt_error *err);

#endif
