/* The libmicrohttpd glue: one daemon per listening socket. */
#include "http/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gnetworking.h>
#include <microhttpd.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"

#define DEFAULT_CONNECTION_TIMEOUT_SECONDS 120
/* Above what a browser (6) or an operator's tools open to one device, and
 * above bench/http's 64 concurrent connections. */
#define DEFAULT_CONNECTIONS_PER_ADDRESS 128
#define STREAM_BLOCK_SIZE 4096

struct _AtxListener {
  const AtxHttpContext *context;
  char *upload_dir;
  char *address;
  struct MHD_Daemon *daemon;
  GThreadPool *handlers; /* upload handlers (validation), off the daemon's thread */
};

#define HANDLER_THREADS 2

/* Uploads being received or checked at once, in the whole process: each may
 * hold up to the upload limit on disk under ROOT/uploads, so the total is
 * bounded; more are refused with 503 and Retry-After. */
#define MAX_CONCURRENT_UPLOADS 16
static gint active_uploads;

/* One request from its first callback to its completion. */
typedef struct {
  AtxListener *listener;
  struct MHD_Connection *connection;
  const AtxHttpRoute *route;
  GHashTable *params;
  char *upload_path; /* the body file while it is written, NULL for other routes */
  int upload_fd;
  guint64 received;
  gboolean refused; /* the body exceeded the limit; the rest is discarded */
  char *method;
  char *url;
  AtxHttpResponse answer;
  gboolean answered;    /* the pool has filled answer; queue it */
  gboolean counted;     /* holds one of the MAX_CONCURRENT_UPLOADS slots */
  GChecksum *body_hash; /* SHA-256 of every body byte received, for the signature */
  char *client_address;
} Exchange;

static void
release_upload(Exchange *exchange)
{
  if (exchange->counted)
    g_atomic_int_add(&active_uploads, -1);
  exchange->counted = FALSE;
}

static void
exchange_free(Exchange *exchange)
{
  release_upload(exchange);
  if (exchange->upload_fd >= 0)
    close(exchange->upload_fd);
  if (exchange->upload_path)
    (void) unlink(exchange->upload_path);
  g_free(exchange->upload_path);
  g_free(exchange->method);
  g_free(exchange->url);
  g_free(exchange->client_address);
  g_clear_pointer(&exchange->body_hash, g_checksum_free);
  if (exchange->answered)
    atx_http_response_clear(&exchange->answer);
  g_clear_pointer(&exchange->params, g_hash_table_unref);
  g_free(exchange);
}

static const char *
lookup_header(gpointer data, const char *name)
{
  return MHD_lookup_connection_value(data, MHD_HEADER_KIND, name);
}

/* The event stream of a response: MHD calls this when it can send more. */
static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max);

static void
suspend_connection(gpointer data)
{
  MHD_suspend_connection(data);
}

static void
resume_connection(gpointer data)
{
  MHD_resume_connection(data);
}

typedef struct {
  AtxEventStream *stream;
  struct MHD_Connection *connection;
} StreamBody;

static ssize_t
read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
  StreamBody *body = cls;
  gboolean ended = FALSE;
  gsize n = atx_event_stream_read(body->stream, buf, max, &ended, suspend_connection, resume_connection,
                                  body->connection);
  if (ended)
    return MHD_CONTENT_READER_END_OF_STREAM;
  return (ssize_t) n;
}

static void
free_stream_body(void *cls)
{
  StreamBody *body = cls;
  atx_event_stream_close(body->stream);
  g_free(body);
}

static void
unref_body(void *cls)
{
  g_bytes_unref(cls);
}

static enum MHD_Result
queue(Exchange *exchange, AtxHttpResponse *result)
{
  struct MHD_Response *response;
  if (result->stream) {
    StreamBody *body = g_new0(StreamBody, 1);
    body->stream = g_steal_pointer(&result->stream);
    body->connection = exchange->connection;
    atx_event_stream_set_owner(body->stream, exchange->listener);
    response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK_SIZE, read_stream, body,
                                                 free_stream_body);
  } else {
    /* The body is referenced, not copied (cached job resources are shared). */
    GBytes *body = result->body ? g_bytes_ref(result->body) : g_bytes_new_static("", 0);
    gsize len = 0;
    const void *data = g_bytes_get_data(body, &len);
    response =
        MHD_create_response_from_buffer_with_free_callback_cls(len, (void *) (data ? data : ""), unref_body, body);
    if (!response)
      g_bytes_unref(body);
  }
  if (!response)
    return MHD_NO;
  if (result->content_type)
    MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, result->content_type);
  for (guint i = 0; i + 1 < result->headers->len; i += 2)
    MHD_add_response_header(response, g_ptr_array_index(result->headers, i),
                            g_ptr_array_index(result->headers, i + 1));
  enum MHD_Result ok = MHD_queue_response(exchange->connection, result->status, response);
  MHD_destroy_response(response);
  return ok;
}

static gint64
content_length(struct MHD_Connection *connection)
{
  const char *text = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  guint64 value = 0;
  if (!text || !g_ascii_string_to_unsigned(text, 10, 0, G_MAXINT64, &value, NULL))
    return -1;
  return (gint64) value;
}

static gboolean
open_upload(Exchange *exchange, GError **error)
{
  if (g_atomic_int_add(&active_uploads, 1) >= MAX_CONCURRENT_UPLOADS) {
    g_atomic_int_add(&active_uploads, -1);
    g_set_error(error, ATX_ERROR, ATX_ERROR_BUSY, "too many uploads in progress (%d); retry shortly",
                MAX_CONCURRENT_UPLOADS);
    return FALSE;
  }
  exchange->counted = TRUE;
  exchange->upload_path = g_build_filename(exchange->listener->upload_dir, "body-XXXXXX", NULL);
  exchange->upload_fd = g_mkstemp_full(exchange->upload_path, O_RDWR | O_CLOEXEC, 0600);
  if (exchange->upload_fd < 0) {
    int saved = errno;
    g_clear_pointer(&exchange->upload_path, g_free);
    release_upload(exchange);
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot store the upload: %s", g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

static gboolean
write_all(int fd, const char *data, gsize len)
{
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (gsize) n;
  }
  return TRUE;
}

/* The peer's IP address ("127.0.0.1", "::1"), for nonce caps and rate limits. */
static char *
peer_address(struct MHD_Connection *connection)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr)
    return g_strdup("unknown");
  gsize len = info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  g_autoptr(GSocketAddress) address = g_socket_address_new_from_native(info->client_addr, len);
  if (!G_IS_INET_SOCKET_ADDRESS(address))
    return g_strdup("unknown");
  return g_inet_address_to_string(g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address)));
}

/* First callback of a request: route, authorise, check the announced size. */
static enum MHD_Result
begin_exchange(AtxListener *listener, struct MHD_Connection *connection, const char *url, const char *method,
               void **req_cls)
{
  Exchange *exchange = g_new0(Exchange, 1);
  exchange->listener = listener;
  exchange->connection = connection;
  exchange->upload_fd = -1;
  exchange->params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  exchange->body_hash = g_checksum_new(G_CHECKSUM_SHA256);
  exchange->client_address = peer_address(connection);
  *req_cls = exchange;
  AtxHttpResponse response;
  atx_http_response_init(&response);
  AtxHttpRequest head = {
    .method = method,
    .path = url,
    .header = lookup_header,
    .header_data = connection,
    .client_address = exchange->client_address,
  };
  gboolean admitted = atx_http_admit(listener->context, &head, content_length(connection), exchange->params,
                                     &exchange->route, &response);
  g_autoptr(GError) error = NULL;
  if (admitted && exchange->route->body != ATX_BODY_NONE && !open_upload(exchange, &error)) {
    gboolean busy = g_error_matches(error, ATX_ERROR, ATX_ERROR_BUSY);
    atx_http_response_error(&response, busy ? 503 : 500, "%s", error->message);
    if (busy)
      atx_http_response_add_header(&response, "Retry-After", "1");
    admitted = FALSE;
  }
  enum MHD_Result ok = admitted ? MHD_YES : queue(exchange, &response);
  atx_http_response_clear(&response);
  return ok;
}

/* The raw query string: MHD parses it into arguments, the handlers want it whole. */
static enum MHD_Result
collect_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  GString *query = cls;
  g_autofree char *k = g_uri_escape_string(key, NULL, FALSE);
  g_autofree char *v = value ? g_uri_escape_string(value, NULL, FALSE) : NULL;
  g_string_append_printf(query, "%s%s%s%s", query->len ? "&" : "", k, v ? "=" : "", v ? v : "");
  return MHD_YES;
}

/* Runs the route's handler (or the 413 of an oversized body) into
 * exchange->answer; on the listener's thread or in the handler pool. */
static void
run_handler(Exchange *exchange)
{
  AtxListener *listener = exchange->listener;
  atx_http_response_init(&exchange->answer);
  if (exchange->refused) {
    atx_http_response_error(&exchange->answer, 413, "config upload exceeds %" G_GSIZE_FORMAT " byte limit",
                            atx_http_upload_limit(listener->context));
  } else {
    g_autoptr(GString) query = g_string_new(NULL);
    MHD_get_connection_values(exchange->connection, MHD_GET_ARGUMENT_KIND, collect_argument, query);
    AtxHttpRequest request = {
      .method = exchange->method,
      .path = exchange->url,
      .query = query->len ? query->str : NULL,
      .body_path = exchange->upload_path,
      .header = lookup_header,
      .header_data = exchange->connection,
      .params = exchange->params,
      .client_address = exchange->client_address,
      .body_sha256 = g_checksum_get_string(exchange->body_hash),
    };
    atx_http_run(listener->context, exchange->route, &request, &exchange->answer);
  }
  /* The handler has what it needs (a mapping outlives the name): the body
   * is gone before the client sees the answer. */
  if (exchange->upload_path) {
    close(exchange->upload_fd);
    exchange->upload_fd = -1;
    (void) unlink(exchange->upload_path);
    g_clear_pointer(&exchange->upload_path, g_free);
  }
  release_upload(exchange);
}

/* Handler pool: the connection is suspended meanwhile; resuming it makes
 * libmicrohttpd call on_request again, which queues the answer. */
static void
run_handler_in_pool(gpointer data, gpointer user_data)
{
  Exchange *exchange = data;
  run_handler(exchange);
  exchange->answered = TRUE;
  MHD_resume_connection(exchange->connection);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method, const char *version,
           const char *upload_data, size_t *upload_data_size, void **req_cls)
{
  AtxListener *listener = cls;
  if (!*req_cls)
    return begin_exchange(listener, connection, url, method, req_cls);
  Exchange *exchange = *req_cls;
  if (!exchange->route) /* refused at the first callback: the answer is queued */
    return MHD_YES;
  if (*upload_data_size > 0) {
    gsize len = *upload_data_size;
    *upload_data_size = 0;
    exchange->received += len;
    g_checksum_update(exchange->body_hash, (const guchar *) upload_data, len);
    /* A body nobody reads (refused, or sent to a route that takes none) is
     * discarded, up to a bound. */
    if (exchange->refused || exchange->upload_fd < 0)
      return exchange->received > 2 * (guint64) atx_http_upload_limit(listener->context) ? MHD_NO : MHD_YES;
    if (exchange->received > atx_http_upload_limit(listener->context)) {
      /* Without a Content-Length the size shows only now. libmicrohttpd
       * cannot answer in the middle of a body, so the rest is discarded and
       * the 413 sent at its end; a body that goes on past twice the limit
       * gets its connection closed instead. */
      exchange->refused = TRUE;
      if (ftruncate(exchange->upload_fd, 0) < 0)
        return MHD_NO;
      return MHD_YES;
    }
    return write_all(exchange->upload_fd, upload_data, len) ? MHD_YES : MHD_NO;
  }
  if (exchange->answered) { /* resumed after the pool ran the handler */
    enum MHD_Result ok = queue(exchange, &exchange->answer);
    atx_http_response_clear(&exchange->answer);
    exchange->answered = FALSE;
    return ok;
  }
  if (exchange->route->body != ATX_BODY_NONE && !exchange->refused) {
    /* Validating a bundle (or a signature) takes a while: off this thread, so the listener
     * keeps answering (health, job polls, event streams) meanwhile. */
    exchange->method = g_strdup(method);
    exchange->url = g_strdup(url);
    MHD_suspend_connection(connection);
    g_thread_pool_push(listener->handlers, exchange, NULL);
    return MHD_YES;
  }
  exchange->method = g_strdup(method);
  exchange->url = g_strdup(url);
  run_handler(exchange);
  enum MHD_Result ok = queue(exchange, &exchange->answer);
  atx_http_response_clear(&exchange->answer);
  return ok;
}

static void
on_completed(void *cls, struct MHD_Connection *connection, void **req_cls, enum MHD_RequestTerminationCode toe)
{
  if (*req_cls)
    exchange_free(*req_cls);
  *req_cls = NULL;
}


static int take_fd_error(int fd, GError **error, const char *format, ...) G_GNUC_PRINTF(3, 4);

static int
take_fd_error(int fd, GError **error, const char *format, ...)
{
  int saved = errno;
  va_list args;
  va_start(args, format);
  g_autofree char *message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "%s: %s", message, g_strerror(saved));
  if (fd >= 0)
    close(fd);
  return -1;
}

int
atx_listen_socket_open(const char *address, GError **error)
{
  g_autoptr(GSocketConnectable) connectable = g_network_address_parse(address, 0, error);
  if (!connectable) {
    g_prefix_error(error, "invalid listen address '%s': ", address);
    return -1;
  }
  const char *host = g_network_address_get_hostname(G_NETWORK_ADDRESS(connectable));
  guint16 port = g_network_address_get_port(G_NETWORK_ADDRESS(connectable));
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string(host);
  if (!inet || port == 0) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "invalid listen address '%s': want IP:PORT or [IPv6]:PORT",
                address);
    return -1;
  }
  g_autoptr(GSocketAddress) socket_address = g_inet_socket_address_new(inet, port);
  struct sockaddr_storage native;
  gsize native_len = g_socket_address_get_native_size(socket_address);
  if (!g_socket_address_to_native(socket_address, &native, sizeof native, error))
    return -1;
  int fd = socket(native.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return take_fd_error(fd, error, "cannot open a socket for %s", address);
  int on = 1;
  (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (native.ss_family == AF_INET6)
    (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (bind(fd, (struct sockaddr *) &native, (socklen_t) native_len) < 0)
    return take_fd_error(fd, error, "cannot listen on %s", address);
  if (listen(fd, 128) < 0)
    return take_fd_error(fd, error, "cannot listen on %s", address);
  return fd;
}

static char *
describe_socket(int fd)
{
  struct sockaddr_storage native;
  socklen_t len = sizeof native;
  if (getsockname(fd, (struct sockaddr *) &native, &len) < 0)
    return g_strdup_printf("fd %d", fd);
  g_autoptr(GSocketAddress) address = g_socket_address_new_from_native(&native, len);
  if (!G_IS_INET_SOCKET_ADDRESS(address))
    return g_strdup_printf("fd %d", fd);
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS(address);
  g_autofree char *host = g_inet_address_to_string(g_inet_socket_address_get_address(inet));
  gboolean v6 = g_inet_address_get_family(g_inet_socket_address_get_address(inet)) == G_SOCKET_FAMILY_IPV6;
  return g_strdup_printf(v6 ? "[%s]:%u" : "%s:%u", host, g_inet_socket_address_get_port(inet));
}

AtxListener *
atx_listener_new(const AtxHttpContext *context, int fd, const char *upload_dir, const AtxListenerLimits *limits,
                 GError **error)
{
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    take_fd_error(fd, error, "cannot use listening socket %d", fd);
    return NULL;
  }
  AtxListener *listener = g_new0(AtxListener, 1);
  listener->context = context;
  listener->upload_dir = g_strdup(upload_dir);
  listener->address = describe_socket(fd);
  listener->handlers = g_thread_pool_new(run_handler_in_pool, NULL, HANDLER_THREADS, FALSE, NULL);
  listener->daemon =
      MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, on_request,
                       listener, MHD_OPTION_LISTEN_SOCKET, (MHD_socket) fd, MHD_OPTION_NOTIFY_COMPLETED,
                       on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                       (unsigned int) (limits->connection_timeout_seconds ? limits->connection_timeout_seconds
                                                                          : DEFAULT_CONNECTION_TIMEOUT_SECONDS),
                       MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                       (unsigned int) (limits->connections_per_address ? limits->connections_per_address
                                                                       : DEFAULT_CONNECTIONS_PER_ADDRESS),
                       MHD_OPTION_END);
  if (!listener->daemon) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "cannot start the HTTP server on %s", listener->address);
    close(fd);
    atx_listener_free(listener);
    return NULL;
  }
  return listener;
}

const char *
atx_listener_address(const AtxListener *listener)
{
  return listener->address;
}

void
atx_listener_quiesce(AtxListener *listener)
{
  MHD_socket fd = MHD_quiesce_daemon(listener->daemon);
  if (fd != MHD_INVALID_SOCKET)
    close(fd);
}

void
atx_listener_free(AtxListener *listener)
{
  if (!listener)
    return;
  /* Suspended connections must be resumed before the daemon stops: the
   * pool's (by finishing its handlers) and the event streams'. */
  if (listener->handlers)
    g_thread_pool_free(listener->handlers, FALSE, TRUE);
  if (listener->daemon) {
    atx_event_hub_end_streams(listener->context->events, listener);
    MHD_stop_daemon(listener->daemon);
  }
  g_free(listener->upload_dir);
  g_free(listener->address);
  g_free(listener);
}
