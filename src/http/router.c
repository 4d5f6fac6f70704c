/* Routing, admission (404, 405, 401/429, 413) and the response helpers. */
#include "http/handlers_private.h"

#include <string.h>

#include "core/base/error.h"

#define DEFAULT_UPLOAD_LIMIT (32u * 1024 * 1024)

const char *
atx_http_auth_class_name(AtxAuthClass auth)
{
  switch (auth) {
  case ATX_AUTH_NONE:
    return "none";
  case ATX_AUTH_SIGNED:
    return "signed";
  case ATX_AUTH_FIRST_BOOT_OR_SIGNED:
    return "first-boot-or-signed";
  case ATX_AUTH_SIGNED_ONCE_PROVISIONED:
    return "signed-once-provisioned";
  }
  return "unknown";
}

void
atx_http_response_init(AtxHttpResponse *response)
{
  *response = (AtxHttpResponse){ .status = 500, .headers = g_ptr_array_new_with_free_func(g_free) };
}

void
atx_http_response_clear(AtxHttpResponse *response)
{
  g_clear_pointer(&response->content_type, g_free);
  g_clear_pointer(&response->body, g_bytes_unref);
  g_clear_pointer(&response->headers, g_ptr_array_unref);
  g_clear_pointer(&response->stream, atx_event_stream_close);
}

void
atx_http_response_add_header(AtxHttpResponse *response, const char *name, const char *value)
{
  g_ptr_array_add(response->headers, g_strdup(name));
  g_ptr_array_add(response->headers, g_strdup(value));
}

void
atx_http_response_json(AtxHttpResponse *response, guint status, const char *content_type, json_t *body)
{
  /* A body that cannot be serialised is a bug, but the client still gets JSON. */
  char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  if (!text) {
    status = 500;
    content_type = NULL;
    text = strdup("{\"error\":\"internal error: cannot serialise the response\"}");
  }
  gsize len = strlen(text);
  response->status = status;
  g_free(response->content_type);
  response->content_type = g_strdup(content_type ? content_type : "application/json");
  g_clear_pointer(&response->body, g_bytes_unref);
  response->body = g_bytes_new_with_free_func(text, len, free, text);
}

void
atx_http_response_error(AtxHttpResponse *response, guint status, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *raw = g_strdup_vprintf(format, args);
  va_end(args);
  /* Messages quote request paths and headers, which need not be UTF-8. */
  g_autofree char *message = g_utf8_make_valid(raw, -1);
  atx_http_response_json(response, status, NULL, json_pack("{ss}", "error", message));
}

gsize
atx_http_upload_limit(const AtxHttpContext *context)
{
  if (context->limits && context->limits->max_upload_bytes)
    return context->limits->max_upload_bytes;
  return DEFAULT_UPLOAD_LIMIT;
}

/* Matches @path against @pattern segment by segment; {name} takes one
 * non-empty segment into @params. */
static gboolean
path_matches(const char *pattern, const char *path, GHashTable *params)
{
  g_auto(GStrv) want = g_strsplit(pattern, "/", -1);
  g_auto(GStrv) got = g_strsplit(path, "/", -1);
  if (g_strv_length(want) != g_strv_length(got))
    return FALSE;
  for (guint i = 0; want[i]; i++) {
    gsize len = strlen(want[i]);
    if (len > 2 && want[i][0] == '{' && want[i][len - 1] == '}') {
      if (got[i][0] == '\0')
        return FALSE;
      if (params)
        g_hash_table_insert(params, g_strndup(want[i] + 1, len - 2), g_strdup(got[i]));
    } else if (!g_str_equal(want[i], got[i])) {
      return FALSE;
    }
  }
  return TRUE;
}

const AtxHttpRoute *
atx_http_route_find(const char *method, const char *path, GHashTable *params, char **allow_out)
{
  guint n_routes = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n_routes);
  g_autoptr(GString) allow = g_string_new(NULL);
  for (guint i = 0; i < n_routes; i++) {
    if (!path_matches(routes[i].path, path, NULL))
      continue;
    if (g_str_equal(routes[i].method, method)) {
      if (params)
        (void) path_matches(routes[i].path, path, params);
      return &routes[i];
    }
    g_string_append_printf(allow, "%s%s", allow->len ? ", " : "", routes[i].method);
  }
  if (allow_out)
    *allow_out = allow->len ? g_strdup(allow->str) : NULL;
  return NULL;
}

gboolean
atx_http_admit(const AtxHttpContext *context, const AtxHttpRequest *request, gint64 content_length,
               GHashTable *params, const AtxHttpRoute **route_out, AtxHttpResponse *response)
{
  const char *method = request->method;
  const char *path = request->path;
  g_autofree char *allow = NULL;
  const AtxHttpRoute *route = atx_http_route_find(method, path, params, &allow);
  if (!route && allow) {
    atx_http_response_error(response, 405, "method %s is not allowed on %s (allowed: %s)", method, path, allow);
    atx_http_response_add_header(response, "Allow", allow);
    return FALSE;
  }
  if (!route) {
    atx_http_response_error(response, 404, "no route for %s %s", method, path);
    return FALSE;
  }
  if (!atx_http_admit_auth(context, route, request, response))
    return FALSE;
  if (route->body != ATX_BODY_NONE && content_length > (gint64) atx_http_upload_limit(context)) {
    atx_http_response_error(response, 413, "config upload exceeds %" G_GSIZE_FORMAT " byte limit",
                            atx_http_upload_limit(context));
    return FALSE;
  }
  *route_out = route;
  return TRUE;
}

/* Lowercase hex SHA-256 of the body file, or of nothing: what the listener
 * computes while a body streams in. */
static char *
hash_body_file(const char *path, GError **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new(G_CHECKSUM_SHA256);
  if (path) {
    g_autoptr(GMappedFile) file = g_mapped_file_new(path, FALSE, error);
    if (!file) {
      g_prefix_error(error, "cannot read the request body: ");
      return NULL;
    }
    g_checksum_update(checksum, (const guchar *) g_mapped_file_get_contents(file), g_mapped_file_get_length(file));
  }
  return g_strdup(g_checksum_get_string(checksum));
}

void
atx_http_dispatch(const AtxHttpContext *context, AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const AtxHttpRoute *route = NULL;
  if (!atx_http_admit(context, request, -1, params, &route, response))
    return;
  g_autoptr(GError) error = NULL;
  g_autofree char *body_sha256 = hash_body_file(request->body_path, &error);
  if (!body_sha256) {
    atx_http_response_error(response, 500, "%s", error->message);
    return;
  }
  request->params = params;
  request->body_sha256 = body_sha256;
  atx_http_run(context, route, request, response);
  request->params = NULL;
  request->body_sha256 = NULL;
}
