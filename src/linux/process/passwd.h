#ifndef MINIRT_LINUX_PROCESS_PASSWD_H
#define MINIRT_LINUX_PROCESS_PASSWD_H

/* The text of the current root's /etc/passwd (call it inside the
 * container), or NULL when there is none or it is not a regular file: a
 * FIFO or device planted there must not block or feed the runtime. */
char *passwd_read_container(void);

#endif
