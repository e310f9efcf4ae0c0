/* __attribute__((cleanup)) helpers so that every early return releases what
 * the function took. Hand ownership on with steal_pointer()/steal_fd(). */
#ifndef MINIRT_UTIL_CLEANUP_H
#define MINIRT_UTIL_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"

static inline void cleanup_freep(void *p) {
  free(*(void **)p);
}
static inline void cleanup_closep(int *fd) {
  if (*fd >= 0) {
    int saved = errno;
    close(*fd);
    errno = saved;
  }
}
static inline void cleanup_fclosep(FILE **f) {
  if (*f != NULL)
    fclose(*f);
}
static inline void cleanup_strvp(char ***v) {
  if (*v == NULL)
    return;
  for (char **p = *v; *p != NULL; p++)
    free(*p);
  free(*v);
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_strv_ __attribute__((cleanup(cleanup_strvp)))
#define _cleanup_error_ __attribute__((cleanup(minirt_error_clear)))

static inline void *steal_pointer_impl(void *pp) {
  void **p = (void **)pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define steal_pointer(pp) ((__typeof__(*(pp)))steal_pointer_impl(pp))

static inline int steal_fd(int *fd) {
  int v = *fd;
  *fd = -1;
  return v;
}

#endif
