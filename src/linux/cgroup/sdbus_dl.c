/* libsystemd, loaded only when a command needs systemd (--systemd-cgroup).
 * Linking it would make every minirt call map it and its seven
 * libraries (about 0.8 million instructions of loading for a `state`
 * that needs 80 thousand in all); this file defines the sd-bus calls
 * systemd.c makes, each forwarding to the library opened on first use.
 * The definitions are not exported (the executable has no dynamic
 * symbols of its own), so libsystemd's calls to itself stay its own. */
#include "linux/cgroup/internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

#define LIBSYSTEMD "libsystemd.so.0"

#define SDB_FUNCS(X)                                                        \
  X(int, sd_bus_open_system, (sd_bus **)) \
  X(int, sd_bus_open_user, (sd_bus **)) \
  X(sd_bus *, sd_bus_flush_close_unref, (sd_bus *)) \
  X(int, sd_bus_message_appendv, (sd_bus_message *, const char *, va_list)) \
  X(int, sd_bus_message_readv, (sd_bus_message *, const char *, va_list)) \
  X(int, sd_bus_call_methodv, (sd_bus *, const char *, const char *,        \
                               const char *, const char *, sd_bus_error *,  \
                               sd_bus_message **, const char *, va_list))   \
  X(int, sd_bus_message_open_container, (sd_bus_message *, char, const char *)) \
  X(int, sd_bus_message_close_container, (sd_bus_message *)) \
  X(int, sd_bus_message_append_array, (sd_bus_message *, char, const void *, size_t)) \
  X(sd_bus_message *, sd_bus_message_unref, (sd_bus_message *)) \
  X(int, sd_bus_message_new_method_call, (sd_bus *, sd_bus_message **,      \
                                          const char *, const char *,       \
                                          const char *, const char *))      \
  X(int, sd_bus_call, (sd_bus *, sd_bus_message *, uint64_t, sd_bus_error *, \
                       sd_bus_message **))                                  \
  X(int, sd_bus_wait, (sd_bus *, uint64_t)) \
  X(int, sd_bus_process, (sd_bus *, sd_bus_message **)) \
  X(sd_bus_slot *, sd_bus_slot_unref, (sd_bus_slot *)) \
  X(int, sd_bus_match_signal, (sd_bus *, sd_bus_slot **, const char *,      \
                               const char *, const char *, const char *,    \
                               sd_bus_message_handler_t, void *))           \
  X(int, sd_bus_get_property_string, (sd_bus *, const char *, const char *, \
                                      const char *, const char *,           \
                                      sd_bus_error *, char **))             \
  X(void, sd_bus_error_free, (sd_bus_error *)) \
  X(int, sd_bus_error_has_name, (const sd_bus_error *, const char *)) \
  X(int, sd_bus_error_is_set, (const sd_bus_error *))

#define X(ret, name, args) ret(*name) args;
static struct {
  SDB_FUNCS(X)
} lib;
#undef X
static void *handle;

int sdbus_load(struct minirt_error *err) {
  if (handle != NULL)
    return 0;
  void *h = dlopen(LIBSYSTEMD, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return minirt_fail_msg(err, ELIBACC,
                           "systemd cgroup driver: load `" LIBSYSTEMD "`: %s",
                           dlerror());
#define X(ret, name, args)                                                   \
  if ((*(void **)&lib.name = dlsym(h, #name)) == NULL) {                     \
    dlclose(h);                                                              \
    return minirt_fail_msg(err, ELIBACC,                                     \
                           "systemd cgroup driver: `" LIBSYSTEMD             \
                           "` has no `%s`",                                  \
                           #name);                                           \
  }
  SDB_FUNCS(X)
#undef X
  handle = h;
  return 0;
}

/* ---- the calls systemd.c makes, forwarded (without the library they
 * fail with -ELIBACC; sdbus_load() said why first) ---- */

#define LOADED(name) (handle != NULL && lib.name != NULL)

int sd_bus_open_system(sd_bus **ret) {
  return LOADED(sd_bus_open_system) ? lib.sd_bus_open_system(ret) : -ELIBACC;
}

int sd_bus_open_user(sd_bus **ret) {
  return LOADED(sd_bus_open_user) ? lib.sd_bus_open_user(ret) : -ELIBACC;
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus) {
  return bus != NULL && LOADED(sd_bus_flush_close_unref)
             ? lib.sd_bus_flush_close_unref(bus)
             : NULL;
}

int sd_bus_message_append(sd_bus_message *m, const char *types, ...) {
  if (!LOADED(sd_bus_message_appendv))
    return -ELIBACC;
  va_list ap;
  va_start(ap, types);
  int r = lib.sd_bus_message_appendv(m, types, ap);
  va_end(ap);
  return r;
}

int sd_bus_message_read(sd_bus_message *m, const char *types, ...) {
  if (!LOADED(sd_bus_message_readv))
    return -ELIBACC;
  va_list ap;
  va_start(ap, types);
  int r = lib.sd_bus_message_readv(m, types, ap);
  va_end(ap);
  return r;
}

int sd_bus_call_method(sd_bus *bus, const char *destination, const char *path,
                       const char *interface, const char *member,
                       sd_bus_error *ret_error, sd_bus_message **reply,
                       const char *types, ...) {
  if (!LOADED(sd_bus_call_methodv))
    return -ELIBACC;
  va_list ap;
  va_start(ap, types);
  int r = lib.sd_bus_call_methodv(bus, destination, path, interface, member,
                                  ret_error, reply, types, ap);
  va_end(ap);
  return r;
}

int sd_bus_message_open_container(sd_bus_message *m, char type,
                                  const char *contents) {
  return LOADED(sd_bus_message_open_container)
             ? lib.sd_bus_message_open_container(m, type, contents)
             : -ELIBACC;
}

int sd_bus_message_close_container(sd_bus_message *m) {
  return LOADED(sd_bus_message_close_container)
             ? lib.sd_bus_message_close_container(m)
             : -ELIBACC;
}

int sd_bus_message_append_array(sd_bus_message *m, char type, const void *ptr,
                                size_t size) {
  return LOADED(sd_bus_message_append_array)
             ? lib.sd_bus_message_append_array(m, type, ptr, size)
             : -ELIBACC;
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m) {
  return m != NULL && LOADED(sd_bus_message_unref) ? lib.sd_bus_message_unref(m)
                                                   : NULL;
}

int sd_bus_message_new_method_call(sd_bus *bus, sd_bus_message **m,
                                   const char *destination, const char *path,
                                   const char *interface, const char *member) {
  return LOADED(sd_bus_message_new_method_call)
             ? lib.sd_bus_message_new_method_call(bus, m, destination, path,
                                                  interface, member)
             : -ELIBACC;
}

int sd_bus_call(sd_bus *bus, sd_bus_message *m, uint64_t usec,
                sd_bus_error *ret_error, sd_bus_message **reply) {
  return LOADED(sd_bus_call) ? lib.sd_bus_call(bus, m, usec, ret_error, reply)
                             : -ELIBACC;
}

int sd_bus_wait(sd_bus *bus, uint64_t timeout_usec) {
  return LOADED(sd_bus_wait) ? lib.sd_bus_wait(bus, timeout_usec) : -ELIBACC;
}

int sd_bus_process(sd_bus *bus, sd_bus_message **r) {
  return LOADED(sd_bus_process) ? lib.sd_bus_process(bus, r) : -ELIBACC;
}

sd_bus_slot *sd_bus_slot_unref(sd_bus_slot *slot) {
  return slot != NULL && LOADED(sd_bus_slot_unref) ? lib.sd_bus_slot_unref(slot)
                                                   : NULL;
}

int sd_bus_match_signal(sd_bus *bus, sd_bus_slot **ret, const char *sender,
                        const char *path, const char *interface,
                        const char *member, sd_bus_message_handler_t callback,
                        void *userdata) {
  return LOADED(sd_bus_match_signal)
             ? lib.sd_bus_match_signal(bus, ret, sender, path, interface,
                                       member, callback, userdata)
             : -ELIBACC;
}

int sd_bus_get_property_string(sd_bus *bus, const char *destination,
                               const char *path, const char *interface,
                               const char *member, sd_bus_error *ret_error,
                               char **ret) {
  return LOADED(sd_bus_get_property_string)
             ? lib.sd_bus_get_property_string(bus, destination, path,
                                              interface, member, ret_error,
                                              ret)
             : -ELIBACC;
}

void sd_bus_error_free(sd_bus_error *e) {
  if (LOADED(sd_bus_error_free))
    lib.sd_bus_error_free(e);
}

int sd_bus_error_has_name(const sd_bus_error *e, const char *name) {
  return LOADED(sd_bus_error_has_name) ? lib.sd_bus_error_has_name(e, name) : 0;
}

int sd_bus_error_is_set(const sd_bus_error *e) {
  return LOADED(sd_bus_error_is_set) ? lib.sd_bus_error_is_set(e) : 0;
}
