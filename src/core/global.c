/* The global options that depend on who runs minirt. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/runtime.h"
#include "linux/userns.h"

static int default_root(char **owned, struct minirt_error *err) {
  const char *xdg = getenv("XDG_RUNTIME_DIR");
  if (xdg == NULL || xdg[0] == '\0')
    return minirt_fail_msg(err, EINVAL,
                           "no --root given and XDG_RUNTIME_DIR is not set: "
                           "a caller other than root needs one of them for "
                           "the state directory");
  struct stat st;
  if (xdg[0] != '/' || stat(xdg, &st) < 0 || !S_ISDIR(st.st_mode) ||
      access(xdg, W_OK | X_OK) < 0)
    return minirt_fail_msg(err, EINVAL,
                           "no --root given and XDG_RUNTIME_DIR `%s` is not "
                           "a writable directory",
                           xdg);
  if (asprintf(owned, "%s/minirt", xdg) < 0) {
    *owned = NULL;
    return minirt_fail(err, ENOMEM, "state directory");
  }
  return 0;
}

int minirt_global_resolve(struct minirt_global *g, char **owned,
                          struct minirt_error *err) {
  *owned = NULL;
  switch (g->rootless_mode) {
  case MINIRT_ROOTLESS_TRUE:
    g->rootless = true;
    break;
  case MINIRT_ROOTLESS_FALSE:
    g->rootless = false;
    break;
  default:
    g->rootless = userns_running_rootless();
    break;
  }
  if (g->root != NULL)
    return 0;
  /* Root of a user namespace that is not the host's (rootless podman runs
   * us so) owns nothing in /run: like runc, take XDG_RUNTIME_DIR when it is
   * set, unless USER says this really is root. */
  const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
  bool userns_root = g->rootless && xdg != NULL && xdg[0] != '\0' &&
                     (user == NULL || strcmp(user, "root") != 0);
  if (geteuid() == 0 && !userns_root) {
    g->root = MINIRT_DEFAULT_ROOT;
    return 0;
  }
  int ret = default_root(owned, err);
  if (ret == 0)
    g->root = *owned;
  return ret;
}
