/* linux.resources.blockIO: v1 blkio.* files, v2 io.weight / io.max. The
 * BFQ scheduler's files (blkio.bfq.weight, io.bfq.weight) take the blkio
 * scale (10..1000) unconverted; io.weight takes 1..10000. */
#include "linux/cgroup/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/cleanup.h"

static bool has_file(int fd, const char *f) {
  return faccessat(fd, f, F_OK, 0) == 0;
}

/* Writes a weight ("N" or "maj:min N"): v1 blkio.weight, else
 * blkio.bfq.weight; v2 io.bfq.weight (raw) when BFQ is there, else
 * io.weight (converted). */
static int write_weight(int fd, bool v2, const char *dev, uint16_t w,
                        struct minirt_error *err) {
  char buf[64];
  const char *file;
  uint64_t v = w;
  if (!v2) {
    file = dev != NULL ? "blkio.weight_device" : "blkio.weight";
    if (!has_file(fd, file) &&
        has_file(fd,
                 dev != NULL ? "blkio.bfq.weight_device" : "blkio.bfq.weight"))
      file = dev != NULL ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
  } else if (has_file(fd, "io.bfq.weight")) {
    file = "io.bfq.weight";
  } else {
    file = "io.weight";
    v = cgroup_blkio_to_io_weight(w);
  }
  if (dev != NULL)
    snprintf(buf, sizeof buf, "%s %" PRIu64, dev, v);
  else if (v2 && strcmp(file, "io.weight") == 0)
    snprintf(buf, sizeof buf, "default %" PRIu64, v);
  else
    snprintf(buf, sizeof buf, "%" PRIu64, v);
  return cgroup_write(fd, file, buf, err);
}

static int throttle(int fd, bool v2, const struct oci_throttle_device *d,
                    size_t n, const char *v1file, const char *v2key,
                    struct minirt_error *err) {
  for (size_t i = 0; i < n; i++) {
    char buf[96];
    if (v2 && d[i].rate == 0) /* 0 lifts the limit, as writing 0 does on v1 */
      snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=max", d[i].major,
               d[i].minor, v2key);
    else if (v2)
      snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
               d[i].major, d[i].minor, v2key, d[i].rate);
    else
      snprintf(buf, sizeof buf, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major,
               d[i].minor, d[i].rate);
    int ret = cgroup_write(fd, v2 ? "io.max" : v1file, buf, err);
    if (ret < 0)
      return ret;
  }
  return 0;
}

static int weights(int fd, bool v2, const struct oci_blkio *b,
                   struct minirt_error *err) {
  int ret = 0;
  if (b->has_weight && b->weight != 0)
    ret = write_weight(fd, v2, NULL, b->weight, err);
  if (ret == 0 && b->has_leaf_weight && b->leaf_weight != 0) {
    char buf[16];
    snprintf(buf, sizeof buf, "%u", (unsigned)b->leaf_weight);
    ret = cgroup_write(fd, "blkio.leaf_weight", buf, err);
  }
  for (size_t i = 0; ret == 0 && i < b->n_weight_device; i++) {
    const struct oci_weight_device *d = &b->weight_device[i];
    char dev[48];
    snprintf(dev, sizeof dev, "%" PRId64 ":%" PRId64, d->major, d->minor);
    if (d->has_weight && d->weight != 0)
      ret = write_weight(fd, v2, dev, d->weight, err);
    if (ret == 0 && d->has_leaf_weight && d->leaf_weight != 0) {
      char buf[64];
      snprintf(buf, sizeof buf, "%s %u", dev, (unsigned)d->leaf_weight);
      ret = cgroup_write(fd, "blkio.leaf_weight_device", buf, err);
    }
  }
  return ret;
}

static bool has_leaf(const struct oci_blkio *b) {
  if (b->has_leaf_weight && b->leaf_weight != 0)
    return true;
  for (size_t i = 0; i < b->n_weight_device; i++)
    if (b->weight_device[i].has_leaf_weight &&
        b->weight_device[i].leaf_weight != 0)
      return true;
  return false;
}

int cgroup_apply_blkio(const char *path, const struct oci_blkio *b,
                       struct minirt_error *err) {
  bool any = (b->has_weight && b->weight != 0) || has_leaf(b) ||
             b->n_weight_device > 0 || b->n_throttle_read_bps > 0 ||
             b->n_throttle_write_bps > 0 || b->n_throttle_read_iops > 0 ||
             b->n_throttle_write_iops > 0;
  if (!any)
    return 0;
  _cleanup_close_ int fd = -1;
  bool v2;
  int ret = cgroup_open_controller(path, "blkio", "io", &fd, &v2, err);
  if (ret == -ENODEV)
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: "
                           "linux.resources.blockIO: no "
                           "`blkio`/`io` cgroup controller");
  if (ret < 0)
    return ret;
  if (v2 && has_leaf(b))
    return minirt_fail_msg(err, ENOTSUP,
                           "unsupported: "
                           "linux.resources.blockIO.leafWeight "
                           "on cgroup v2");
  if ((ret = weights(fd, v2, b, err)) < 0)
    return ret;
  if ((ret = throttle(fd, v2, b->throttle_read_bps, b->n_throttle_read_bps,
                      "blkio.throttle.read_bps_device", "rbps", err)) < 0 ||
      (ret = throttle(fd, v2, b->throttle_write_bps, b->n_throttle_write_bps,
                      "blkio.throttle.write_bps_device", "wbps", err)) < 0 ||
      (ret = throttle(fd, v2, b->throttle_read_iops, b->n_throttle_read_iops,
                      "blkio.throttle.read_iops_device", "riops", err)) < 0)
    return ret;
  return throttle(fd, v2, b->throttle_write_iops, b->n_throttle_write_iops,
                  "blkio.throttle.write_iops_device", "wiops", err);
}
