/* The HTTP layer's socket-free core: a request, a response, the route table
 * and the dispatcher. The libmicrohttpd glue (server.c) turns network bytes
 * into an AtxHttpRequest and an AtxHttpResponse back into bytes; everything
 * between — routing, 404/405, authorisation, handlers — runs here, so the
 * fuzz target and the server exercise exactly the same code.
 *
 * Handlers parse, authorise and translate; every state change goes through
 * atx_device_submit(). Handlers run on the server's thread and never wait
 * for a job.
 *
 * Thread-safety: a context may be used from several threads at once (one
 * per listener daemon); requests and responses belong to one thread. */
#pragma once

#include <gio/gio.h>
#include <jansson.h>

#include "core/bundle/bundle.h"
#include "device/auth/auth.h"
#include "device/device.h"
#include "http/events.h"

/* Who may call a route: the AtxAuthClass of device/auth/auth.h, checked by
 * atx_http_run() with the context's AtxAuth against ROOT/config/admin-signers
 * (read per request). A request without both signature headers is refused
 * at admission, before its body is read; a signed one after its body, whose
 * SHA-256 the signature binds, has arrived. */
const char *atx_http_auth_class_name(AtxAuthClass auth);

typedef enum {
  ATX_BODY_NONE,   /* a request body is ignored */
  ATX_BODY_UPLOAD, /* raw bytes streamed to a file before the handler runs */
  ATX_BODY_JSON,   /* a JSON object (route->request_schema), streamed to a file like an upload */
} AtxBodyKind;

/* One documented response of a route; the table is the OpenAPI truth. */
typedef struct {
  guint status;
  const char *content_type; /* "application/json", "application/problem+json", ... */
  const char *schema;       /* component schema name, or NULL for a plain string body */
  const char *description;
} AtxHttpResponseSpec;

/* A documented header or query parameter (path parameters come from the path). */
typedef struct {
  const char *in; /* "header" or "query" */
  const char *name;
  const char *type; /* JSON Schema type: "string", "integer" */
  const char *description;
} AtxHttpParamSpec;

typedef struct {
  const char *method;
  const char *path;      /* "/api/jobs/{job_id}": {name} matches one non-empty segment */
  const char *query;     /* raw query string, NULL when there is none */
  const char *body_path; /* the uploaded body (ATX_BODY_UPLOAD), NULL otherwise */
  /* Case-insensitive header lookup; NULL when absent. */
  const char *(*header)(gpointer data, const char *name);
  gpointer header_data;
  GHashTable *params;         /* path parameters, filled by the dispatcher */
  const char *client_address; /* peer IP, for nonce caps and rate limits; NULL = unknown */
  /* Lowercase hex SHA-256 of the exact body bytes received (of nothing when
   * there are none), required by atx_http_run(): the listener hashes a body
   * while it streams in, atx_http_dispatch() hashes body_path. */
  const char *body_sha256;
  gboolean authenticated; /* set by atx_http_run(): a signature was verified */
} AtxHttpRequest;

typedef struct {
  guint status;
  char *content_type;
  GBytes *body;           /* NULL = empty */
  GPtrArray *headers;     /* name, value, name, value ... (char*, owned) */
  AtxEventStream *stream; /* when set, the body is this event stream */
} AtxHttpResponse;

void atx_http_response_init(AtxHttpResponse *response);
void atx_http_response_clear(AtxHttpResponse *response);
void atx_http_response_add_header(AtxHttpResponse *response, const char *name, const char *value);
/* Sets status, content type and body (@body taken: serialised, then decref'd). */
void atx_http_response_json(AtxHttpResponse *response, guint status, const char *content_type, json_t *body);
/* {"error": message} with @status. */
void atx_http_response_error(AtxHttpResponse *response, guint status, const char *format, ...) G_GNUC_PRINTF(3, 4);

/* Serialised resources of finished jobs, which never change again, so the
 * most polled route does not rebuild the same JSON (thread-safe). */
typedef struct _AtxJobCache AtxJobCache;
AtxJobCache *atx_job_cache_new(void);
void atx_job_cache_free(AtxJobCache *cache);

/* The Boot UI's per-process state (ui.c): its CSRF token (device/auth/csrf.h)
 * and the jobs submitted through POST /apply. Thread-safe. */
typedef struct _AtxBootUi AtxBootUi;
AtxBootUi *atx_boot_ui_new(GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_boot_ui_free(AtxBootUi *ui);

typedef struct {
  AtxDevice *device;
  AtxEventHub *events;
  AtxBootUi *ui;                 /* NULL = no Boot UI: its routes answer 404 */
  const AtxBundleLimits *limits; /* NULL = defaults */
  AtxJobCache *job_cache;        /* NULL = no caching */
  AtxAuth *auth;                 /* nonces, signatures, rate limits; required */
} AtxHttpContext;

typedef void (*AtxHttpHandler)(const AtxHttpContext *context, const AtxHttpRequest *request,
                               AtxHttpResponse *response);

typedef struct {
  const char *method;
  const char *path;
  const char *operation_id;
  const char *tag;
  const char *summary;
  AtxAuthClass auth;
  AtxBodyKind body;
  const AtxHttpParamSpec *params;       /* optional ones; ends with name NULL; may be NULL */
  const AtxHttpResponseSpec *responses; /* ends with status 0 */
  AtxHttpHandler handler;
  const char *request_schema; /* ATX_BODY_JSON: component schema of the body */
} AtxHttpRoute;

/* The route table: every route the server answers, in documentation order. */
const AtxHttpRoute *atx_http_routes(guint *n_routes);

/* The route for @method and @path, filling @params (may be NULL). When none
 * matches, NULL and @allow_out (optional) receives the methods the path
 * does accept ("GET, POST"), or NULL when the path is unknown. */
const AtxHttpRoute *atx_http_route_find(const char *method, const char *path, GHashTable *params,
                                        char **allow_out);

/* The answer to a request before its body is read: 404/405; 401 (or 429)
 * when the route needs a signature and @request (method, path, headers,
 * client address) lacks a signature header; 413 when @content_length (-1 =
 * unknown) is over the upload limit. Returns FALSE with @response filled
 * when the request is refused; TRUE with *@route_out set when the body may
 * be read. */
gboolean atx_http_admit(const AtxHttpContext *context, const AtxHttpRequest *request, gint64 content_length,
                        GHashTable *params, const AtxHttpRoute **route_out, AtxHttpResponse *response);

/* Authorises @request for @route — the signature over method, path and
 * body, which has been received whole — and runs the handler: the one place
 * the auth column of the table is enforced. Consumes the request's nonce. */
void atx_http_run(const AtxHttpContext *context, const AtxHttpRoute *route, AtxHttpRequest *request,
                  AtxHttpResponse *response);

/* Routes and runs @request to a response (admission included); its body is
 * the file body_path (NULL = none), which is hashed into body_sha256 for the
 * call. For the fuzz target and tests: the server streams bodies instead. */
void atx_http_dispatch(const AtxHttpContext *context, AtxHttpRequest *request, AtxHttpResponse *response);

/* The upload limit in effect. */
gsize atx_http_upload_limit(const AtxHttpContext *context);
