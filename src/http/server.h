/* `atomixd serve`: the bootstrap API on libmicrohttpd (one epoll thread per
 * listening socket), in front of an open device.
 *
 * Listeners: before provisioning the server listens on every configured
 * address (or the sockets systemd passed, LISTEN_FDS). Once the device is
 * provisioned — at start, or rebind_delay_seconds after a job succeeds — it
 * listens on the LAN gateway address of config/lan-settings.json (same port)
 * only, closing the others without a restart (a wildcard listener on the
 * port is closed before that bind, and reopened when it fails); when that
 * address cannot be bound yet, the old listeners stay and the bind is retried
 * every heartbeat. Sockets systemd passed are never narrowed (the socket unit
 * keeps listening on them whatever the daemon closes): the server keeps
 * serving them and logs why; the shipped units have no socket unit.
 *
 * Uploads are streamed to ROOT/uploads/ while they arrive and removed when
 * the request ends, however it ends; an accepted submission's upload is
 * handed to its job first (a second name for the file), which the device
 * removes when the job ends, and a restart removes whatever is left.
 *
 * atx_http_serve() runs until SIGTERM or SIGINT: it then stops accepting,
 * ends the event streams, closes the listeners and returns; the caller
 * closes the device, which lets a running job reach a safe point. */
#pragma once

#include <glib.h>

#include "device/device.h"
#include "http/listener.h"

typedef struct {
  AtxDevice *device;
  const char *root;           /* state root: uploads go to ROOT/uploads */
  const char *const *listen;  /* "ADDR:PORT" or "[ADDR]:PORT"; NULL/empty = 0.0.0.0:ATX_BOOTSTRAP_PORT */
  gboolean socket_activation; /* use LISTEN_FDS when systemd passed sockets */
  guint heartbeat_seconds;    /* SSE keepalive comments; 0 = 15 */
  guint rebind_delay_seconds; /* grace after the provisioning job, so clients see its end */
  AtxListenerLimits limits;   /* what one client may hold (http/listener.h) */
  guint nonce_ttl_seconds;    /* a nonce expires after this; 0 = 300 */
} AtxHttpServeOptions;

/* Serves until SIGTERM/SIGINT. FALSE when no listener could be opened. */
gboolean atx_http_serve(const AtxHttpServeOptions *options, GError **error) G_GNUC_WARN_UNUSED_RESULT;
