/* The one module of atomixctl that talks to libcurl: every HTTP request of the
 * client goes through here. libcurl is loaded on the first request
 * (curl_dl.h); when it is missing the request fails naming the package.
 *
 * Blocking, one request per call, no shared state (each call has its own curl
 * easy handle). A signer callback, when set, is called once per request with the
 * method, path and body and may add headers (X-AtomixOS-Nonce and
 * X-AtomixOS-Signature; it can itself call atx_http_request to fetch
 * GET /api/nonce). Connection failures are ATX_ERROR_IO errors naming the URL;
 * any HTTP status is a successful call (the caller decides what 4xx/5xx mean).
 * Streaming: on_chunk sees only the body of a 2xx response; any other status's
 * body is collected into response->body so the caller can show the error. */
#pragma once

#include <glib.h>

typedef gboolean (*AtxHttpSignFunc)(const char *method, const char *path, GBytes *body,
                                    GPtrArray *headers /* "Name: value" strings, append */,
                                    gpointer user_data, GError **error);

/* Called with each chunk of the response body as it arrives; return FALSE (with
 * error set) to abort the transfer. */
typedef gboolean (*AtxHttpChunkFunc)(const char *data, gsize len, gpointer user_data,
                                     GError **error);

/* Called several times a second while a transfer is in progress, data or not
 * (drives a spinner). */
typedef void (*AtxHttpTickFunc)(gpointer user_data);

typedef struct {
  const char *method;       /* "GET", "POST" */
  const char *base_url;     /* "http://127.0.0.1:8080" */
  const char *path;         /* "/api/config" */
  GBytes *body;             /* NULL for none */
  const char *content_type; /* NULL for none */
  const char *const *extra_headers; /* NULL-terminated "Name: value", may be NULL */
  AtxHttpSignFunc sign;     /* may be NULL */
  gpointer sign_data;
  AtxHttpChunkFunc on_chunk; /* streaming (SSE); NULL collects the body */
  gpointer chunk_data;
  AtxHttpTickFunc on_tick;  /* may be NULL; gets chunk_data */
  long timeout_seconds;     /* 0 = no overall timeout (streams) */
  long idle_timeout_seconds; /* > 0: fail when no byte arrives for this long */
} AtxHttpRequest;

typedef struct {
  long status;
  char *content_type; /* may be NULL */
  char *location;     /* may be NULL */
  GBytes *body;       /* empty when on_chunk consumed it */
} AtxHttpResponse;

void atx_http_response_free(AtxHttpResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxHttpResponse, atx_http_response_free)

AtxHttpResponse *atx_http_request(const AtxHttpRequest *request,
                                  GError **error) G_GNUC_WARN_UNUSED_RESULT;
