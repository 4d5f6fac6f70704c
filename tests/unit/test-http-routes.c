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
    json_t *request_body = json_object_get(operation, "requestBody");
    g_assert_true((request_body != NULL) == (route->body != ATX_BODY_NONE));
    if (route->body == ATX_BODY_JSON) {
      g_autofree char *ref = g_strconcat("#/components/schemas/", route->request_schema, NULL);
      json_t *schema = json_object_get(json_object_get(json_object_get(request_body, "content"), "application/json"),
                                       "schema");
      g_assert_cmpstr(json_string_value(json_object_get(schema, "$ref")), ==, ref);
      g_assert_nonnull(json_object_get(json_object_get(json_object_get(document, "components"), "schemas"),
                                       route->request_schema));
    }
    g_assert_cmpstr(json_string_value(json_object_get(operation, "x-atomix-auth")), ==,
                    atx_http_auth_class_name(route->auth));
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

/* Reference §1.1/§1.2 and DESIGN §6.9: who may call what, from the table. */
static void
test_auth_classes(void)
{
  static const struct {
    const char *method;
    const char *path;
    AtxAuthClass auth;
  } expected[] = {
    { "GET", "/api/health", ATX_AUTH_NONE },
    { "GET", "/api/nonce", ATX_AUTH_NONE },
    { "GET", "/api/jobs", ATX_AUTH_NONE },
    { "GET", "/api/jobs/{job_id}", ATX_AUTH_NONE },
    { "GET", "/api/jobs/{job_id}/events", ATX_AUTH_NONE },
    { "GET", "/schema/openapi.json", ATX_AUTH_NONE },
    { "POST", "/api/config", ATX_AUTH_FIRST_BOOT_OR_SIGNED },
    { "POST", "/api/validate", ATX_AUTH_FIRST_BOOT_OR_SIGNED },
    { "GET", "/api/config/export", ATX_AUTH_SIGNED },
    { "PUT", "/api/config/users/{name}", ATX_AUTH_SIGNED },
    { "DELETE", "/api/config/users/{name}", ATX_AUTH_SIGNED },
    { "PATCH", "/api/config/network", ATX_AUTH_SIGNED },
    { "PUT", "/api/config/containers/{name}", ATX_AUTH_SIGNED },
    { "DELETE", "/api/config/containers/{name}", ATX_AUTH_SIGNED },
    { "PUT", "/api/config/container-networks/{name}", ATX_AUTH_SIGNED },
    { "DELETE", "/api/config/container-networks/{name}", ATX_AUTH_SIGNED },
    { "PUT", "/api/config/container-volumes/{name}", ATX_AUTH_SIGNED },
    { "DELETE", "/api/config/container-volumes/{name}", ATX_AUTH_SIGNED },
  };
  for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
    const AtxHttpRoute *route = route_with(expected[i].path, expected[i].method);
    g_assert_nonnull(route);
    g_assert_cmpint(route->auth, ==, expected[i].auth);
  }
  /* Every /api/config/... edit route is signed, whatever is added later. */
  guint n = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n);
  guint partial = 0;
  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix(routes[i].path, "/api/config/") && !g_str_equal(routes[i].method, "GET")) {
      g_assert_cmpint(routes[i].auth, ==, ATX_AUTH_SIGNED);
      partial++;
    }
  g_assert_cmpuint(partial, ==, 9);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/http/routes/every-route-documented", test_every_route_is_documented);
  g_test_add_func("/http/routes/every-operation-is-a-route", test_every_documented_operation_is_a_route);
  g_test_add_func("/http/routes/router", test_router_finds_each_route_and_reports_allow);
  g_test_add_func("/http/routes/auth-classes", test_auth_classes);
  return g_test_run();
}
