/* atx_http_request against a one-shot server on a loopback socket (port 0). */
#include <gio/gio.h>
#include <string.h>

#include "client/http_client.h"
#include "core/base/error.h"

static const char canned[] =
  "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nLocation: /api/jobs/j1\r\n"
  "Content-Length: 15\r\nConnection: close\r\n\r\n{\"job_id\":\"j1\"}";

static gpointer
serve_once(gpointer data)
{
  GSocketListener *listener = data;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept(listener, NULL, NULL, NULL);
  g_assert_nonnull(conn);
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  g_autoptr(GString) request = g_string_new(NULL);
  char buf[4096];
  while (strstr(request->str, "hello") == NULL) {
    gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, NULL);
    g_assert_cmpint(n, >, 0);
    g_string_append_len(request, buf, n);
  }
  g_assert_true(g_str_has_prefix(request->str, "POST /api/config HTTP/1.1\r\n"));
  g_assert_nonnull(strstr(request->str, "Content-Type: application/toml\r\n"));
  g_assert_nonnull(strstr(request->str, "X-AtomixOS-Nonce: n1\r\n"));
  g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), canned,
                                          strlen(canned), NULL, NULL, NULL));
  return NULL;
}

static gboolean
sign_with_nonce(const char *method, const char *path, GBytes *body, GPtrArray *headers,
                gpointer user_data, GError **error)
{
  g_assert_cmpstr(method, ==, "POST");
  g_assert_cmpstr(path, ==, "/api/config");
  g_assert_cmpuint(g_bytes_get_size(body), ==, 5);
  g_ptr_array_add(headers, g_strdup("X-AtomixOS-Nonce: n1"));
  return TRUE;
}

static void
test_post_with_signer_headers(void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_assert_true(g_socket_listener_add_address(listener, addr, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
  g_autofree char *base = g_strdup_printf("http://127.0.0.1:%u",
                                          g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  GThread *server = g_thread_new("server", serve_once, listener);
  g_autoptr(GBytes) body = g_bytes_new_static("hello", 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){
    .method = "POST", .base_url = base, .path = "/api/config", .body = body,
    .content_type = "application/toml", .sign = sign_with_nonce, .timeout_seconds = 10}, &error);
  g_thread_join(server);
  g_assert_no_error(error);
  g_assert_cmpint(response->status, ==, 202);
  g_assert_cmpstr(response->location, ==, "/api/jobs/j1");
  g_assert_cmpstr(response->content_type, ==, "application/json");
  g_assert_cmpuint(g_bytes_get_size(response->body), ==, 15);
}

typedef struct {
  GSocketListener *listener;
  const char *answer;
  gboolean hold; /* keep the connection open and silent after the answer */
} Canned;

/* Answers one request (whatever it is) with @answer and closes. */
static gpointer
answer_once(gpointer data)
{
  Canned *canned_answer = data;
  g_autoptr(GSocketConnection) conn = g_socket_listener_accept(canned_answer->listener, NULL, NULL, NULL);
  g_assert_nonnull(conn);
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  g_autoptr(GString) request = g_string_new(NULL);
  char buf[4096];
  while (strstr(request->str, "\r\n\r\n") == NULL) {
    gssize n = g_input_stream_read(in, buf, sizeof buf, NULL, NULL);
    g_assert_cmpint(n, >, 0);
    g_string_append_len(request, buf, n);
  }
  g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(G_IO_STREAM(conn)), canned_answer->answer,
                                          strlen(canned_answer->answer), NULL, NULL, NULL));
  if (canned_answer->hold)
    while (g_input_stream_read(in, buf, sizeof buf, NULL, NULL) > 0) /* until the client hangs up */
      ;
  return NULL;
}

static char *
listen_loopback(GSocketListener *listener)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_assert_true(g_socket_listener_add_address(listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                              &bound, NULL));
  return g_strdup_printf("http://127.0.0.1:%u", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
}

static gboolean
collect_chunk(const char *data, gsize len, gpointer user_data, GError **error)
{
  g_string_append_len(user_data, data, (gssize) len);
  return TRUE;
}

/* A stream request answered with an error: the body is the caller's to show,
 * not the stream parser's. */
static void
run_stream_request(const char *answer, GString *streamed, AtxHttpResponse **response)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new();
  g_autofree char *base = listen_loopback(listener);
  Canned canned_answer = { .listener = listener, .answer = answer };
  GThread *server = g_thread_new("server", answer_once, &canned_answer);
  g_autoptr(GError) error = NULL;
  *response = atx_http_request(&(AtxHttpRequest){ .method = "GET",
                                                  .base_url = base,
                                                  .path = "/api/jobs/j1/events",
                                                  .on_chunk = collect_chunk,
                                                  .chunk_data = streamed,
                                                  .idle_timeout_seconds = 10 },
                               &error);
  g_thread_join(server);
  g_assert_no_error(error);
}

static void
test_stream_gets_only_2xx_bodies(void)
{
  g_autoptr(GString) streamed = g_string_new(NULL);
  g_autoptr(AtxHttpResponse) refused = NULL;
  run_stream_request("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 25\r\n"
                     "Connection: close\r\n\r\n{\"error\": \"job not found\"}",
                     streamed, &refused);
  g_assert_cmpint(refused->status, ==, 404);
  g_assert_cmpstr(streamed->str, ==, "");
  g_assert_cmpmem(g_bytes_get_data(refused->body, NULL), g_bytes_get_size(refused->body),
                  "{\"error\": \"job not found\"}", 25);

  g_autoptr(AtxHttpResponse) streaming = NULL;
  run_stream_request("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\nid: 1\ndata: {}\n\n", streamed,
                     &streaming);
  g_assert_cmpint(streaming->status, ==, 200);
  g_assert_cmpstr(streamed->str, ==, "id: 1\ndata: {}\n\n");
  g_assert_cmpuint(g_bytes_get_size(streaming->body), ==, 0);
}

static void
test_silent_stream_times_out(void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new();
  g_autofree char *base = listen_loopback(listener);
  Canned canned_answer = { .listener = listener, .answer = "HTTP/1.0 200 OK\r\n\r\n: hello\n", .hold = TRUE };
  GThread *server = g_thread_new("server", answer_once, &canned_answer);
  g_autoptr(GString) streamed = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){ .method = "GET",
                                                                            .base_url = base,
                                                                            .path = "/api/jobs/j1/events",
                                                                            .on_chunk = collect_chunk,
                                                                            .chunk_data = streamed,
                                                                            .idle_timeout_seconds = 1 },
                                                         &error);
  g_thread_join(server);
  g_assert_null(response);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_IO);
  g_assert_cmpstr(streamed->str, ==, ": hello\n");
}

static void
test_refused_connection_names_url(void)
{
  /* Port 1 on loopback: nothing listens there on a test machine. */
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){
    .method = "GET", .base_url = "http://127.0.0.1:1", .path = "/api/jobs", .timeout_seconds = 5}, &error);
  g_assert_null(response);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_IO);
  g_assert_nonnull(strstr(error->message, "http://127.0.0.1:1/api/jobs"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/http-client/post-with-signer-headers", test_post_with_signer_headers);
  g_test_add_func("/http-client/refused-connection-names-url", test_refused_connection_names_url);
  g_test_add_func("/http-client/stream-gets-only-2xx-bodies", test_stream_gets_only_2xx_bodies);
  g_test_add_func("/http-client/silent-stream-times-out", test_silent_stream_times_out);
  return g_test_run();
}
