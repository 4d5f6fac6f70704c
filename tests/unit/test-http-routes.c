/* The route table and the OpenAPI document agree in both directions, and the
 * router finds every route of the table (and nothing else) without a socket. */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "device/fs/fsutil.h"
#include "http/http.h"
#include "http/openapi.h"
#include "testutil.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

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
        g_assert_nonnull(
            json_object_get(json_object_get(json_object_get(document, "components"), "schemas"), spec->schema));
      }
    }
    g_assert_cmpuint(json_object_size(responses), ==, documented);
    json_t *request_body = json_object_get(operation, "requestBody");
    g_assert_true((request_body != NULL) == (route->body != ATX_BODY_NONE));
    if (route->body == ATX_BODY_JSON) {
      g_autofree char *ref = g_strconcat("#/components/schemas/", route->request_schema, NULL);
      json_t *schema =
          json_object_get(json_object_get(json_object_get(request_body, "content"), "application/json"), "schema");
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
  json_object_foreach (json_object_get(document, "paths"), path, item) {
    const char *method;
    json_t *operation;
    json_object_foreach (item, method, operation) {
      const AtxHttpRoute *route = route_with(path, method);
      g_assert_nonnull(route);
      const char *id = json_string_value(json_object_get(operation, "operationId"));
      g_assert_false(g_hash_table_contains(operation_ids, id));
      g_hash_table_add(operation_ids, (gpointer) id);
      const char *status;
      json_t *response;
      json_object_foreach (json_object_get(operation, "responses"), status, response) {
        const AtxHttpResponseSpec *spec = route->responses;
        while (spec->status && g_ascii_strtoull(status, NULL, 10) != spec->status)
          spec++;
        g_assert_cmpuint(spec->status, !=, 0);
        const char *type;
        json_t *media;
        json_object_foreach (json_object_get(response, "content"), type, media)
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
    { "GET", "/api/config/export", ATX_AUTH_SIGNED_ONCE_PROVISIONED },
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
  /* Open before provisioning is for reads only. */
  for (guint i = 0; i < n; i++)
    if (routes[i].auth == ATX_AUTH_SIGNED_ONCE_PROVISIONED)
      g_assert_cmpstr(routes[i].method, ==, "GET");
}

static void
answer_ran(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  atx_http_response_json(response, 200, NULL, json_pack("{sb}", "ran", 1));
}

/* The status of @route run for an unsigned request with an empty body. */
static guint
run_unsigned(const AtxHttpContext *context, const AtxHttpRoute *route)
{
  AtxHttpRequest request = {
    .method = route->method, .path = route->path, .client_address = "test", .body_sha256 = EMPTY_SHA256
  };
  AtxHttpResponse response;
  atx_http_response_init(&response);
  atx_http_run(context, route, &request, &response);
  guint status = response.status;
  atx_http_response_clear(&response);
  return status;
}

/* The status and "error" of an unsigned GET dispatched through the table. */
static guint
dispatch_unsigned_get(const AtxHttpContext *context, const char *path, char **error_out)
{
  AtxHttpRequest request = { .method = "GET", .path = path, .client_address = "test" };
  AtxHttpResponse response;
  atx_http_response_init(&response);
  atx_http_dispatch(context, &request, &response);
  json_t *body = json_loadb(g_bytes_get_data(response.body, NULL), g_bytes_get_size(response.body), 0, NULL);
  *error_out = g_strdup(json_string_value(json_object_get(body, "error")));
  json_decref(body);
  guint status = response.status;
  atx_http_response_clear(&response);
  return status;
}

/* The auth column alone decides who may call a route: two routes that
 * differ only in it, and the table's export route, before and after a real
 * device is provisioned. */
static void
test_signed_once_provisioned_comes_from_the_table(void)
{
  g_autofree char *root = g_dir_make_tmp("test-http-routes-XXXXXX", NULL);
  g_assert_nonnull(root);
  AtxDeviceOptions options = { .root = root,
                               .svcmgr = atx_svcmgr_sim_new(&(AtxSvcMgrSimOptions){ 0 }),
                               .app_user = g_get_user_name() };
  g_autoptr(GError) error = NULL;
  AtxDevice *device = atx_device_open(&options, &error);
  g_assert_no_error(error);
  AtxAuth *auth = atx_auth_new(NULL);
  AtxHttpContext context = { .device = device, .auth = auth };
  static const AtxHttpResponseSpec responses[] = { { 200, "application/json", NULL, "ran" }, { 0 } };
  AtxHttpRoute open_read = { .method = "GET",
                             .path = "/read",
                             .operation_id = "read",
                             .tag = "test",
                             .summary = "A read",
                             .auth = ATX_AUTH_SIGNED_ONCE_PROVISIONED,
                             .body = ATX_BODY_NONE,
                             .responses = responses,
                             .handler = answer_ran };
  AtxHttpRoute signed_read = open_read;
  signed_read.auth = ATX_AUTH_SIGNED;

  g_assert_cmpuint(run_unsigned(&context, &open_read), ==, 200);
  g_assert_cmpuint(run_unsigned(&context, &signed_read), ==, 401);
  g_autofree char *before = NULL;
  g_assert_cmpuint(dispatch_unsigned_get(&context, "/api/config/export", &before), ==, 404);
  g_assert_nonnull(strstr(before, "not provisioned"));

  g_autofree char *config = atx_test_config((const char *const[]){ "web", NULL }, NULL);
  atx_test_provision(atx_device_store(device), config);
  g_assert_cmpuint(run_unsigned(&context, &open_read), ==, 401);
  g_assert_cmpuint(run_unsigned(&context, &signed_read), ==, 401);
  g_autofree char *after = NULL;
  g_assert_cmpuint(dispatch_unsigned_get(&context, "/api/config/export", &after), ==, 401);
  g_assert_nonnull(strstr(after, "authentication required"));

  atx_auth_free(auth);
  atx_device_close(device);
  g_assert_true(atx_fs_remove_tree(root, NULL, NULL));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/http/routes/every-route-documented", test_every_route_is_documented);
  g_test_add_func("/http/routes/every-operation-is-a-route", test_every_documented_operation_is_a_route);
  g_test_add_func("/http/routes/router", test_router_finds_each_route_and_reports_allow);
  g_test_add_func("/http/routes/auth-classes", test_auth_classes);
  g_test_add_func("/http/routes/signed-once-provisioned-comes-from-the-table",
                  test_signed_once_provisioned_comes_from_the_table);
  return g_test_run();
}
