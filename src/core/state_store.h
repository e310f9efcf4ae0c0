/* The state store: --root holds one directory per container with
 *   config.json  verbatim copy of the bundle's config at create
 *   status.json  minirt_status (temp file + rename)
 *   exec.fifo    present from create until start
 * A flock on the container directory serialises commands on one container
 * without blocking others. */
#ifndef MINIRT_CORE_STATE_STORE_H
#define MINIRT_CORE_STATE_STORE_H

#include <stdbool.h>

#include "spec/oci.h"
#include "spec/state.h"

enum container_status {
  CONTAINER_CREATED,
  CONTAINER_RUNNING,
  CONTAINER_PAUSED,
  CONTAINER_STOPPED,
};
const char *container_status_name(enum container_status s);

/* Ids: 1-1024 chars of [A-Za-z0-9_.+-], not "." or "..". Pure. */
int store_validate_id(const char *id, struct minirt_error *err);

struct container_handle {
  char *id;
  char *dir;   /* <root>/<id> */
  int dirfd;   /* O_DIRECTORY, locked with flock */
  struct minirt_status *status; /* NULL: a killed create or delete, or broken */
  bool broken; /* status.json unreadable (store_open_any only) */
  /* Set by the caller before store_live_status to keep exec.fifo open: a
   * created container's live status opens it for writing (the open is
   * how it sees the init waiting), and `start` writes to that same fd
   * instead of opening it again. -1 when not kept; store_close closes it. */
  bool keep_fifo;
  int fifo_fd;
};

/* Creates <root>/<id>, failing with "container `id` already exists". The
 * directory is made as a locked temp directory and renamed into place, so
 * nobody sees it before create holds its lock. */
int store_create(const char *root, const char *id, struct container_handle *h,
                 struct minirt_error *err);
/* Opens and locks an existing container, loading status.json. An
 * unreadable status.json fails with "container `id` is broken: ...". */
int store_open(const char *root, const char *id, struct container_handle *h,
               struct minirt_error *err);
/* The same, but a broken status only sets h->broken (for delete --force). */
int store_open_any(const char *root, const char *id,
                   struct container_handle *h, struct minirt_error *err);
void store_close(struct container_handle *h);
int store_write_status(struct container_handle *h, struct minirt_error *err);
int store_save_config(struct container_handle *h, const char *raw, size_t len,
                      struct minirt_error *err);
/* The saved config's bytes (NUL-terminated), and their parse; together
 * what store_load_config() does, apart for exec, which may blank the
 * seccomp profile before the parse (core/exec.c). */
int store_read_config(struct container_handle *h, char **buf, size_t *len,
                      struct minirt_error *err);
int store_parse_config(struct container_handle *h, const char *buf, size_t len,
                       struct oci_config **cfg, struct minirt_error *err);
int store_load_config(struct container_handle *h, struct oci_config **cfg,
                      struct minirt_error *err);
/* The same without linux.seccomp, for the commands that never load a
 * filter (state, start, delete): podman's profile is 3/4 of its config. */
int store_load_config_lean(struct container_handle *h, struct oci_config **cfg,
                           struct minirt_error *err);
/* A container without a mount namespace of its own: where its mounts are
 * stacked (rootfs_host_cleanup), written before its init exists so that
 * `delete --force` after a killed create still finds them. */
int store_write_host_mounts(struct container_handle *h, uint64_t base,
                            const char *rootfs, struct minirt_error *err);
/* -ENOENT (err not filled) when the container has no such record. */
int store_read_host_mounts(struct container_handle *h, uint64_t *base,
                           char **rootfs, struct minirt_error *err);
/* -EROFS when the container's directory cannot be changed: delete asks
 * first, so that it does not kill a container it cannot then remove. */
int store_check_writable(struct container_handle *h, struct minirt_error *err);
/* Removes every file of the container and its directory. */
int store_remove(struct container_handle *h, struct minirt_error *err);
/* The live status: the init's pid and start time, exec.fifo, the freezer. */
int store_live_status(struct container_handle *h, enum container_status *st,
                      struct minirt_error *err);
/* Ids of every container under root (sorted). Caller frees with free() of
 * each and of the array. */
int store_list_ids(const char *root, char ***ids, size_t *n,
                   struct minirt_error *err);

#endif
