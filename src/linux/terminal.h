/* Pseudo-terminals and the console socket (fd passing: util/fdpass.h). */
#ifndef MINIRT_LINUX_TERMINAL_H
#define MINIRT_LINUX_TERMINAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* Opens a new pty pair from /dev/ptmx of the current mount namespace (the
 * container's, after pivot_root). Both fds are O_CLOEXEC. */
int terminal_open_pty(int *master, int *slave, struct minirt_error *err);
/* In the child: new session, slave as controlling terminal and fds 0-2,
 * optional size (0 = leave). Closes slave if it is > 2. */
int terminal_make_controlling(int slave, uint32_t height, uint32_t width,
                              struct minirt_error *err);
/* Connects to the --console-socket path and sends the pty master. */
int terminal_send_to_console_socket(const char *path, int master,
                                    struct minirt_error *err);
/* The caller's terminal size on fd, false if fd is not a terminal. */
bool terminal_get_size(int fd, uint32_t *height, uint32_t *width);
/* Foreground run/exec without a console socket: copies stdin -> master and
 * master -> stdout until the master hangs up, resizes on SIGWINCH, puts the
 * caller's terminal in raw mode while it runs (restored on return). */
int terminal_proxy(int master, struct minirt_error *err);

#endif
