/* The route table and the OpenAPI document agree in both directions, and the
 * router finds every route of the table (and nothing else) without a socket. */
#include <glib.h>
#include <jansson.h>

#include "http/http.h"
#include "http/openapi.h"

static json_t *
operation_of(json_t *document, const AtxHttpRoute *route)
{
  g_autofree char *method = g_ascii_strdown(route->method, -1);
  return json_object_get(json_object_get(json_object_get(document, "paths"), route->path), method);
}

static void
test_every_route_is_documented(void)
{
  json_t *document = atx_openapi_document();
  guint n = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n);
  g_assert_cmpuint(n, >, 0);
  for (guint i = 0; i < n; i++) {
    const AtxHttpRoute *route = &routes[i];
    json_t *operation = operation_of(document, route);
    g_assert_nonnull(operation);
    g_assert_cmpstr(json_string_value(json_object_get(operation, "operationId")), ==, route->operation_id);
    json_t *tags = json_object_get(operation, "tags");
    g_assert_cmpuint(json_array_size(tags), ==, 1);
    g_assert_cmpstr(json_string_value(json_array_get(tags, 0)), ==, route->tag);
    json_t *responses = json_object_get(operation, "responses");
    guint documented = 0;
    for (const AtxHttpResponseSpec *spec = route->responses; spec->status; spec++, documented++) {
      char status[8];
      g_snprintf(status, sizeof status, "%u", spec->status);
      json_t *content = json_object_get(json_object_get(responses, status), "content");
      g_assert_cmpuint(json_object_size(content), ==, 1);
      json_t *schema = json_object_get(json_object_get(content, spec->content_type), "schema");
      g_assert_nonnull(schema);
      if (spec->schema) {
        g_autofree char *ref = g_strconcat("#/components/schemas/", spec->schema, NULL);
        g_assert_cmpstr(json_string_value(json_object_get(schema, "$ref")), ==, ref);
        g_assert_nonnull(json_object_get(json_object_get(json_object_get(document, "components"), "schemas"),
                                         spec->schema));
      }
    }
    g_assert_cmpuint(json_object_size(responses), ==, documented);
    g_assert_true((json_object_get(operation, "requestBody") != NULL) == (route->body == ATX_BODY_UPLOAD));
  }
  json_decref(document);
}

static const AtxHttpRoute *
route_with(const char *path, const char *method)
{
  guint n = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal(routes[i].path, path) && g_ascii_strcasecmp(routes[i].method, method) == 0)
      return &routes[i];
  return NULL;
}

static void
test_every_documented_operation_is_a_route(void)
{
  json_t *document = atx_openapi_document();
  const char *path;
  json_t *item;
  g_autoptr(GHashTable) operation_ids = g_hash_table_new(g_str_hash, g_str_equal);
  guint operations = 0;
  json_object_foreach(json_object_get(document, "paths"), path, item)
  {
    const char *method;
    json_t *operation;
    json_object_foreach(item, method, operation)
    {
      const AtxHttpRoute *route = route_with(path, method);
      g_assert_nonnull(route);
      const char *id = json_string_value(json_object_get(operation, "operationId"));
      g_assert_false(g_hash_table_contains(operation_ids, id));
      g_hash_table_add(operation_ids, (gpointer) id);
      const char *status;
      json_t *response;
      json_object_foreach(json_object_get(operation, "responses"), status, response)
      {
        const AtxHttpResponseSpec *spec = route->responses;
        while (spec->status && g_ascii_strtoull(status, NULL, 10) != spec->status)
          spec++;
        g_assert_cmpuint(spec->status, !=, 0);
        const char *type;
        json_t *media;
        json_object_foreach(json_object_get(response, "content"), type, media)
          g_assert_cmpstr(type, ==, spec->content_type);
      }
      operations++;
    }
  }
  guint n = 0;
  (void) atx_http_routes(&n);
  g_assert_cmpuint(operations, ==, n);
  json_decref(document);
}

static void
test_router_finds_each_route_and_reports_allow(void)
{
  guint n = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n);
  for (guint i = 0; i < n; i++) {
    g_autoptr(GRegex) param = g_regex_new("\\{[^/]+\\}", 0, 0, NULL);
    g_autofree char *path = g_regex_replace_literal(param, routes[i].path, -1, 0, "abc", 0, NULL);
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_assert_true(atx_http_route_find(routes[i].method, path, params, NULL) == &routes[i]);
    if (g_strstr_len(routes[i].path, -1, "{job_id}"))
      g_assert_cmpstr(g_hash_table_lookup(params, "job_id"), ==, "abc");
  }
  g_autofree char *allow = NULL;
  g_assert_null(atx_http_route_find("DELETE", "/api/config", NULL, &allow));
  g_assert_cmpstr(allow, ==, "POST");
  g_autofree char *none = NULL;
  g_assert_null(atx_http_route_find("GET", "/api/jobs//events", NULL, &none));
  g_assert_null(none);
  g_assert_null(atx_http_route_find("GET", "/api/health/", NULL, NULL));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/http/routes/every-route-documented", test_every_route_is_documented);
  g_test_add_func("/http/routes/every-operation-is-a-route", test_every_documented_operation_is_a_route);
  g_test_add_func("/http/routes/router", test_router_finds_each_route_and_reports_allow);
  return g_test_run();
}
