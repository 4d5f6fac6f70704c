/* One listening socket served by its own libmicrohttpd daemon (epoll, one
 * internal thread): turns requests into AtxHttpRequest for the dispatcher,
 * streams upload bodies to a file in @upload_dir, and serves event streams
 * by suspending the connection until the hub has bytes for it.
 *
 * Only the thread that created a listener may free it; freeing ends its
 * event streams and closes its connections. */
#pragma once

#include "http/http.h"

typedef struct _AtxListener AtxListener;

/* What one client may hold: a slow client cannot keep a connection for ever,
 * and one address cannot take every connection the daemon can serve. */
typedef struct {
  guint connection_timeout_seconds; /* a connection idle this long is closed; 0 = 120 */
  guint connections_per_address;    /* more at once from one address are refused; 0 = 128 */
} AtxListenerLimits;

/* Serves @fd (taken, also on failure), a bound and listening socket, within
 * @limits. */
AtxListener *atx_listener_new(const AtxHttpContext *context, int fd, const char *upload_dir,
                              const AtxListenerLimits *limits, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* "127.0.0.1:8080", for logs. */
const char *atx_listener_address(const AtxListener *listener);
/* Stops accepting new connections (shutdown begins). */
void atx_listener_quiesce(AtxListener *listener);
void atx_listener_free(AtxListener *listener);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxListener, atx_listener_free)

/* A listening TCP socket on "ADDR:PORT" / "[ADDR]:PORT". */
int atx_listen_socket_open(const char *address, GError **error) G_GNUC_WARN_UNUSED_RESULT;
