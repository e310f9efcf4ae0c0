/* mounts[].options -> mount(2) flags, propagation, mount_setattr(2)
 * recursive attributes and the data string. Pure logic, no syscalls. */
#include "linux/rootfs/rootfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "util/cleanup.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct flag_opt {
  const char *name;
  bool clear;
  unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

struct prop_opt {
  const char *name;
  unsigned long flags;
};

static const struct prop_opt prop_opts[] = {
    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

/* Recursive variants, applied with mount_setattr(AT_RECURSIVE). An atime
 * mode must clear the whole MOUNT_ATTR__ATIME field, as the kernel asks. */
struct rec_opt {
  const char *name;
  uint64_t set, clr;
};

static const struct rec_opt rec_opts[] = {
    {"rro", MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, MOUNT_ATTR_NOSUID},
    {"rnodev", MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, MOUNT_ATTR_NODEV},
    {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
    {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

int mount_propagation_parse(const char *s, unsigned long *flags) {
  for (size_t i = 0; i < N_OF(prop_opts); i++)
    if (strcmp(s, prop_opts[i].name) == 0) {
      *flags = prop_opts[i].flags;
      return 0;
    }
  return -EINVAL;
}

static bool parse_flag(const char *s, struct mount_options *o) {
  for (size_t i = 0; i < N_OF(flag_opts); i++) {
    const struct flag_opt *f = &flag_opts[i];
    if (strcmp(s, f->name) != 0)
      continue;
    if (f->flag & MS_ATIME_MASK)
      o->atime_given = true;
    if (f->clear) {
      o->flags &= ~f->flag;
      o->clear |= f->flag;
    } else {
      o->flags |= f->flag;
      o->clear &= ~f->flag;
    }
    return true;
  }
  return false;
}

static bool parse_rec(const char *s, struct mount_options *o) {
  for (size_t i = 0; i < N_OF(rec_opts); i++) {
    if (strcmp(s, rec_opts[i].name) != 0)
      continue;
    o->rec_set =
        (o->rec_set & ~rec_opts[i].clr & ~rec_opts[i].set) | rec_opts[i].set;
    o->rec_clr = (o->rec_clr & ~rec_opts[i].set) | rec_opts[i].clr;
    return true;
  }
  return false;
}

static int append_data(struct mount_options *o, const char *s) {
  size_t old = o->data != NULL ? strlen(o->data) : 0;
  char *d = realloc(o->data, old + strlen(s) + 2);
  if (d == NULL)
    return -ENOMEM;
  if (old > 0)
    d[old++] = ',';
  strcpy(d + old, s);
  o->data = d;
  return 0;
}

static bool parse_special(const char *s, struct mount_options *o) {
  if (strcmp(s, "bind") == 0)
    o->bind = true;
  else if (strcmp(s, "rbind") == 0)
    o->bind = o->rbind = true;
  else if (strcmp(s, "idmap") == 0)
    o->idmap = true;
  else if (strcmp(s, "ridmap") == 0)
    o->idmap = o->ridmap = true;
  else if (strcmp(s, "tmpcopyup") == 0)
    o->tmpcopyup = true;
  else if (strcmp(s, "notmpcopyup") == 0)
    o->tmpcopyup = false;
  else
    return false;
  return true;
}

int mount_options_parse(const struct oci_strv *opts, struct mount_options *o,
                        struct minirt_error *err) {
  *o = (struct mount_options){.first_unknown = -1};
  for (size_t i = 0; i < opts->n; i++) {
    const char *s = opts->v[i];
    unsigned long prop;
    if (parse_special(s, o) || parse_flag(s, o) || parse_rec(s, o))
      continue;
    if (mount_propagation_parse(s, &prop) == 0) {
      if (o->n_propagation == N_OF(o->propagation))
        return minirt_fail_msg(err, EINVAL, "too many propagation options");
      o->propagation[o->n_propagation++] = prop;
      continue;
    }
    if (o->first_unknown < 0)
      o->first_unknown = (ssize_t)i;
    if (append_data(o, s) < 0) {
      mount_options_free(o);
      return minirt_fail(err, ENOMEM, "mount options");
    }
  }
  return 0;
}

void mount_options_free(struct mount_options *o) {
  free(o->data);
  o->data = NULL;
}
