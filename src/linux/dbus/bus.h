/* A D-Bus connection: unix socket, SASL EXTERNAL, Hello, then
 * synchronous method calls. Signals that arrive while a call waits for
 * its reply are queued for dbus_bus_wait_signal(). One thread, blocking. */
#ifndef MINIRT_LINUX_DBUS_BUS_H
#define MINIRT_LINUX_DBUS_BUS_H

#include <stdbool.h>

#include "linux/dbus/message.h"
#include "util/error.h"

struct dbus_bus;

/* An error reply: its name (org.freedesktop.DBus.Error.…) and message
 * (NULL when its body has none). */
struct dbus_error_reply {
  char *name, *message;
};
void dbus_error_reply_free(struct dbus_error_reply *e);

/* The address the bus is at (*out malloc'd): $DBUS_SYSTEM_BUS_ADDRESS or
 * the system bus socket; with `user`, $DBUS_SESSION_BUS_ADDRESS or
 * $XDG_RUNTIME_DIR/bus (-ENOENT when neither is set). */
int dbus_bus_default_address(bool user, char **out, struct minirt_error *err);

/* Connects to the first usable entry of `address`, authenticates with the
 * socket's credentials and says Hello, within 30 s for each of the
 * connect, the SASL exchange and Hello; every send on the connection,
 * also later, fails with -ETIMEDOUT after 30 s without progress. */
int dbus_bus_open(const char *address, struct dbus_bus **out,
                  struct minirt_error *err);
/* The same with timeout_ms instead of 30 s (<= 0: 30 s). */
int dbus_bus_open_timeout(const char *address, int timeout_ms,
                          struct dbus_bus **out, struct minirt_error *err);
void dbus_bus_close(struct dbus_bus *b);
/* Our unique name, from Hello. */
const char *dbus_bus_name(const struct dbus_bus *b);

/* Sends the call and waits up to timeout_ms for its reply (into *reply
 * when not NULL). An error reply returns its errno (-EREMOTEIO unless
 * the name has one) with *e filled (when e is not NULL) and err holding
 * "name: message". */
int dbus_bus_call(struct dbus_bus *b, const struct dbus_call *call,
                  int timeout_ms, struct dbus_message *reply,
                  struct dbus_error_reply *e, struct minirt_error *err);

/* The first signal (queued or still to come) for which match() is true,
 * waiting up to timeout_ms; signals that do not match are dropped.
 * -ETIMEDOUT (err says so) when none came. */
int dbus_bus_wait_signal(struct dbus_bus *b,
                         bool (*match)(const struct dbus_message *, void *),
                         void *data, int timeout_ms, struct dbus_message *out,
                         struct minirt_error *err);

#endif
