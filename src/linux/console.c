#include "linux/console.h"

#include <stdio.h>

#include "linux/rootfs/rootfs.h"
#include "linux/sync.h"
#include "linux/terminal.h"
#include "util/cleanup.h"
#include "util/fdpass.h"

int console_setup_child(int sock, const struct oci_process *p,
                        bool bind_console, struct minirt_error *err) {
  _cleanup_close_ int master = -1, slave = -1;
  int ret = terminal_open_pty(&master, &slave, err);
  if (ret < 0)
    return ret;
  if (bind_console) {
    char slave_path[64];
    snprintf(slave_path, sizeof slave_path, "/proc/self/fd/%d", slave);
    ret = rootfs_bind_console(slave_path, err);
    if (ret < 0)
      return ret;
  }
  ret = sync_send(sock, SYNC_PTY, 0, NULL, err);
  if (ret == 0)
    ret = fdpass_send(sock, master, "pty", err);
  if (ret < 0)
    return ret;
  uint32_t h = 0, w = 0;
  if (p->present & OCI_PROC_CONSOLE_SIZE) {
    h = p->console_size.height;
    w = p->console_size.width;
  }
  return terminal_make_controlling(steal_fd(&slave), h, w, err);
}
