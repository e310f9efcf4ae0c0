/* Calls the core function of the parsed command. */
#include <errno.h>

#include "cli/cli.h"
#include "util/cleanup.h"

static int dispatch_query(const struct cli *c, const struct minirt_global *g,
                          struct minirt_error *err) {
  switch (c->cmd) {
  case CMD_STATE:
    return minirt_state(g, c->id, stdout, err);
  case CMD_LIST:
    return minirt_list(g, c->format, c->quiet, stdout, err);
  case CMD_PS:
    return minirt_ps(g, c->id, c->format, c->ps_args, stdout, err);
  case CMD_EVENTS:
    return minirt_events(g, c->id, c->stats, c->interval_sec, stdout, err);
  case CMD_SPEC:
    return minirt_spec(c->bundle, c->spec_rootless, err);
  case CMD_FEATURES:
    return minirt_features(stdout, err);
  default:
    return minirt_fail_msg(err, EINVAL, "internal: no command to run");
  }
}

static int dispatch(const struct cli *c, const struct minirt_global *g,
                    int *exit_status, struct minirt_error *err) {
  int r;
  switch (c->cmd) {
  case CMD_CREATE:
    r = minirt_create(g, &c->create, err);
    break;
  case CMD_START:
    r = minirt_start(g, c->id, err);
    break;
  case CMD_RUN:
    return minirt_run(g, &c->create, exit_status, err);
  case CMD_RESTORE:
    return minirt_restore(g, &c->restore, exit_status, err);
  case CMD_CHECKPOINT:
    r = minirt_checkpoint(g, &c->checkpoint, err);
    break;
  case CMD_EXEC:
    return minirt_exec(g, &c->exec, exit_status, stdout, err);
  case CMD_KILL:
    r = minirt_kill(g, c->id, c->signal, c->kill_all, err);
    break;
  case CMD_DELETE:
    r = minirt_delete(g, c->id, c->force, err);
    break;
  case CMD_PAUSE:
    r = minirt_pause(g, c->id, err);
    break;
  case CMD_RESUME:
    r = minirt_resume(g, c->id, err);
    break;
  case CMD_UPDATE:
    r = minirt_update(g, c->id, c->resources_file, c->resources, err);
    break;
  default:
    r = dispatch_query(c, g, err);
    break;
  }
  *exit_status = r < 0 ? 1 : 0;
  return r;
}

int cli_dispatch(const struct cli *c, int *exit_status,
                 struct minirt_error *err) {
  *exit_status = -1;
  /* spec and features touch no state: they work without a --root. */
  if (c->cmd == CMD_SPEC || c->cmd == CMD_FEATURES)
    return dispatch_query(c, &c->global, err);
  struct minirt_global g = c->global;
  _cleanup_free_ char *root = NULL;
  int r = minirt_global_resolve(&g, &root, err);
  if (r < 0) {
    *exit_status = 1;
    return r;
  }
  return dispatch(c, &g, exit_status, err);
}
