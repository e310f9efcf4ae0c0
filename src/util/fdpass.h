/* Passing an fd over a unix socket. */
#ifndef MINIRT_UTIL_FDPASS_H
#define MINIRT_UTIL_FDPASS_H

#include "util/error.h"

/* Sends fd over a connected unix socket with SCM_RIGHTS, with `tag` as the
 * payload (runc sends the pty's name). */
int fdpass_send(int sock, int fd, const char *tag, struct minirt_error *err);
/* Receives one fd (O_CLOEXEC) from a unix socket. */
int fdpass_recv(int sock, int *fd, struct minirt_error *err);

#endif
