/* Builds the OpenAPI document: paths from the route table, components from
 * the schemas below and the embedded config schema. */
#include "http/openapi.h"

#include <string.h>

#include "core/config/config.h"
#include "http/handlers_private.h"

/* Every component schema except Config (the embedded config schema). */
static const char component_schemas[] =
    "{"
    "\"HealthResponseBody\": {\"type\": \"object\", \"required\": [\"status\"], \"additionalProperties\": false,"
    "  \"properties\": {\"status\": {\"const\": \"ok\"}}},"
    "\"NonceResponseBody\": {\"type\": \"object\", \"required\": [\"nonce\"], \"additionalProperties\": false,"
    "  \"properties\": {\"nonce\": {\"type\": \"string\", \"minLength\": 43}}},"
    "\"SubmitConfigResponseBody\": {\"type\": \"object\", \"required\": [\"job_id\", \"state\", \"job_url\"],"
    "  \"additionalProperties\": false, \"properties\": {\"job_id\": {\"type\": \"string\"},"
    "  \"state\": {\"const\": \"submitted\"}, \"job_url\": {\"type\": \"string\"}}},"
    "\"ApiErrorResponseBody\": {\"type\": \"object\", \"required\": [\"error\"], \"additionalProperties\": false,"
    "  \"properties\": {\"error\": {\"type\": \"string\"}}},"
    "\"Diagnostic\": {\"type\": \"object\", \"required\": [\"code\", \"severity\", \"pointer\", \"message\"],"
    "  \"additionalProperties\": false, \"properties\": {\"code\": {\"type\": \"string\"},"
    "  \"severity\": {\"enum\": [\"error\", \"warning\"]}, \"pointer\": {\"type\": \"string\"},"
    "  \"line\": {\"type\": \"integer\", \"minimum\": 1}, \"column\": {\"type\": \"integer\", \"minimum\": 1},"
    "  \"message\": {\"type\": \"string\"}, \"hint\": {\"type\": \"string\"}}},"
    "\"ProblemResponseBody\": {\"description\": \"RFC 9457 problem details with every diagnostic\","
    "  \"type\": \"object\", \"required\": [\"type\", \"title\", \"status\", \"detail\", \"error\", "
    "\"diagnostics\"],"
    "  \"additionalProperties\": false, \"properties\": {\"type\": {\"type\": \"string\"},"
    "  \"title\": {\"type\": \"string\"}, \"status\": {\"type\": \"integer\"}, \"detail\": {\"type\": \"string\"},"
    "  \"error\": {\"type\": \"string\"}, \"ok\": {\"const\": false},"
    "  \"diagnostics\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/Diagnostic\"}}}},"
    "\"ValidationResponseBody\": {\"type\": \"object\", \"required\": [\"ok\", \"warnings\", \"diagnostics\", "
    "\"files\"],"
    "  \"additionalProperties\": false, \"properties\": {\"ok\": {\"const\": true},"
    "  \"warnings\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
    "  \"diagnostics\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/Diagnostic\"}},"
    "  \"files\": {\"description\": \"Paths a render would write, relative to the config root\","
    "    \"type\": \"array\", \"items\": {\"type\": \"string\"}}}},"
    "\"JobEventResponseBody\": {\"type\": \"object\", \"required\": [\"seq\", \"step\", \"elapsed_seconds\"],"
    "  \"additionalProperties\": false, \"properties\": {\"seq\": {\"type\": \"integer\", \"minimum\": 1},"
    "  \"time\": {\"type\": \"string\"}, \"elapsed_seconds\": {\"type\": \"number\"}, \"step\": {\"type\": "
    "\"string\"},"
    "  \"message\": {\"type\": \"string\"}, \"service\": {\"type\": \"string\"},"
    "  \"mode\": {\"enum\": [\"rootful\", \"rootless\"]}, \"status\": {\"type\": \"string\"},"
    "  \"probe\": {\"type\": \"object\"}}},"
    "\"ProvisionResultResponseBody\": {\"type\": \"object\", \"required\": [\"warnings\"],"
    "  \"properties\": {\"warnings\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
    "  \"reapply\": {\"type\": \"boolean\"}, \"rolled_back\": {\"type\": \"boolean\"},"
    "  \"forwarding_url\": {\"type\": \"string\"}}},"
    "\"JobResponseBody\": {\"type\": \"object\", \"required\": [\"id\", \"state\", \"current_step\"],"
    "  \"additionalProperties\": false, \"properties\": {\"id\": {\"type\": \"string\"},"
    "  \"kind\": {\"type\": \"string\"}, \"state\": {\"enum\": [\"submitted\", \"running\", \"succeeded\", "
    "\"failed\"]},"
    "  \"current_step\": {\"type\": \"string\"}, \"created_at\": {\"type\": \"string\"},"
    "  \"started_at\": {\"type\": \"string\"}, \"finished_at\": {\"type\": \"string\"},"
    "  \"events\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/JobEventResponseBody\"}},"
    "  \"error\": {\"type\": \"string\"},"
    "  \"diagnostics\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/components/schemas/Diagnostic\"}},"
    "  \"recovery\": {\"description\": \"What crash recovery did, for a job a dead process left running\","
    "    \"type\": \"string\"},"
    "  \"result\": {\"$ref\": \"#/components/schemas/ProvisionResultResponseBody\"},"
    "  \"rollback_status\": {\"enum\": [\"completed\", \"failed\", \"skipped\", \"discarded\"]},"
    "  \"duration_seconds\": {\"type\": \"number\"}}},"
    "\"JobListResponseBody\": {\"type\": \"object\", \"required\": [\"jobs\"], \"additionalProperties\": false,"
    "  \"properties\": {\"jobs\": {\"type\": \"array\", \"items\": {\"$ref\": "
    "\"#/components/schemas/JobResponseBody\"}}}},"
    "\"OpenApiDocument\": {\"type\": \"object\", \"required\": [\"openapi\", \"info\", \"paths\"]},"
    /* Partial-edit bodies: the keys each may hold; their values are checked
   * with the merged config, diagnostics pointing into the full config. */
    "\"UserEditRequestBody\": {\"type\": \"object\", \"required\": [\"isAdmin\"], \"additionalProperties\": false,"
    "  \"properties\": {\"isAdmin\": {\"type\": \"boolean\"}, \"ssh_key\": {}, \"shell\": {}}},"
    "\"NetworkPatchRequestBody\": {\"description\": \"Merged into [network]: null deletes a key, objects merge\","
    "  \"type\": \"object\", \"additionalProperties\": false, \"properties\": {\"dns_servers\": {},"
    "  \"dns_search_domains\": {}, \"default_gateway\": {}, \"interfaces\": {}, \"dnsmasq\": {}, \"ntp\": {},"
    "  \"firewall\": {}}},"
    "\"ContainerEditRequestBody\": {\"type\": \"object\", \"required\": [\"privileged\", \"Container\"],"
    "  \"additionalProperties\": false, \"properties\": {\"privileged\": {\"type\": \"boolean\"},"
    "  \"Unit\": {\"type\": \"object\"}, \"Container\": {\"type\": \"object\"}, \"Install\": {\"type\": "
    "\"object\"}}},"
    "\"ContainerNetworkEditRequestBody\": {\"type\": \"object\", \"required\": [\"Network\"],"
    "  \"additionalProperties\": false, \"properties\": {\"Network\": {\"type\": \"object\"}}},"
    "\"ContainerVolumeEditRequestBody\": {\"type\": \"object\", \"required\": [\"Volume\"],"
    "  \"additionalProperties\": false, \"properties\": {\"Volume\": {\"type\": \"object\"}}}"
    "}";

static json_t *
schema_ref(const char *name)
{
  g_autofree char *ref = g_strconcat("#/components/schemas/", name, NULL);
  return json_pack("{ss}", "$ref", ref);
}

/* The headers of a signed request (reference §7.2), on every route that may need one. */
static const struct {
  const char *name;
  const char *description;
} signature_headers[] = {
  { "X-AtomixOS-Nonce", "A nonce from GET /api/nonce (single use)" },
  { "X-AtomixOS-Signature",
    "Base64 of the armored SSH signature (namespace atomixos-reapply) of the signed message" },
  { "X-AtomixOS-Signed-Message", "Base64 of the signed message when it is v2 (binds the HTTP method)" },
};

static json_t *
parameters_json(const AtxHttpRoute *route)
{
  json_t *params = json_array();
  g_auto(GStrv) segments = g_strsplit(route->path, "/", -1);
  for (guint i = 0; segments[i]; i++) {
    gsize len = strlen(segments[i]);
    if (len > 2 && segments[i][0] == '{') {
      g_autofree char *name = g_strndup(segments[i] + 1, len - 2);
      json_array_append_new(params, json_pack("{ss ss sb s{ss}}", "name", name, "in", "path", "required", 1,
                                              "schema", "type", "string"));
    }
  }
  if (route->auth != ATX_AUTH_NONE)
    for (guint i = 0; i < G_N_ELEMENTS(signature_headers); i++)
      json_array_append_new(params, json_pack("{ss ss sb ss s{ss}}", "name", signature_headers[i].name, "in",
                                              "header", "required", 0, "description",
                                              signature_headers[i].description, "schema", "type", "string"));
  for (const AtxHttpParamSpec *p = route->params; p && p->name; p++)
    json_array_append_new(params, json_pack("{ss ss sb ss s{ss}}", "name", p->name, "in", p->in, "required", 0,
                                            "description", p->description, "schema", "type", p->type));
  return params;
}

static json_t *
responses_json(const AtxHttpRoute *route)
{
  json_t *responses = json_object();
  for (const AtxHttpResponseSpec *r = route->responses; r->status; r++) {
    json_t *schema = r->schema ? schema_ref(r->schema) : json_pack("{ss}", "type", "string");
    json_t *response =
        json_pack("{ss s{s{so}}}", "description", r->description, "content", r->content_type, "schema", schema);
    if (r->status == 202)
      json_object_set_new(
          response, "headers",
          json_pack("{s{ss s{ss}}}", "Location", "description", "The job's URL", "schema", "type", "string"));
    if (r->status == 405)
      json_object_set_new(response, "headers", json_pack("{s{s{ss}}}", "Allow", "schema", "type", "string"));
    char status[8];
    g_snprintf(status, sizeof status, "%u", r->status);
    json_object_set_new(responses, status, response);
  }
  return responses;
}

/* Who may call an operation, in words (reference §1.1): the auth column,
 * for readers of the document that do not know x-atomix-auth. */
static const char *
auth_description(AtxAuthClass auth)
{
  switch (auth) {
  case ATX_AUTH_NONE:
    return "Open: no signature needed.";
  case ATX_AUTH_SIGNED:
    return "Needs an admin SSH signature (X-AtomixOS-Nonce, X-AtomixOS-Signature).";
  case ATX_AUTH_FIRST_BOOT_OR_SIGNED:
    return "Open on first boot, while the device has no admin key and no config (a browser's request must "
           "pass the Host/Origin/Referer policy); needs an admin SSH signature once it is provisioned.";
  case ATX_AUTH_SIGNED_ONCE_PROVISIONED:
    return "A read. Open before the device is provisioned, when there is nothing to read (404); needs an "
           "admin SSH signature once it is provisioned.";
  }
  return "Unknown auth class.";
}

static json_t *
operation_json(const AtxHttpRoute *route)
{
  json_t *operation =
      json_pack("{ss ss ss s[s] so so sb ss}", "operationId", route->operation_id, "summary", route->summary,
                "description", auth_description(route->auth), "tags", route->tag, "parameters",
                parameters_json(route), "responses", responses_json(route), "x-atomix-signed-when-provisioned",
                route->auth != ATX_AUTH_NONE, "x-atomix-auth", atx_http_auth_class_name(route->auth));
  if (route->body == ATX_BODY_JSON)
    json_object_set_new(operation, "requestBody",
                        json_pack("{sb s{s{so}}}", "required", 1, "content", "application/json", "schema",
                                  schema_ref(route->request_schema)));
  if (route->body == ATX_BODY_UPLOAD && g_str_equal(route->tag, "ui"))
    json_object_set_new(
        operation, "requestBody",
        json_pack("{sb ss s{s{s{ss s{s{ss} s{ss ss} s{ss}} s[s]}}}}", "required", 1, "description",
                  "The Boot UI form: bootstrap_token, and config_file (a config.toml or bundle) or "
                  "config (pasted config.toml)",
                  "content", "multipart/form-data", "schema", "type", "object", "properties", "bootstrap_token",
                  "type", "string", "config_file", "type", "string", "format", "binary", "config", "type",
                  "string", "required", "bootstrap_token"));
  else if (route->body == ATX_BODY_UPLOAD)
    json_object_set_new(operation, "requestBody",
                        json_pack("{sb ss s{s{s{ss ss}}}}", "required", 1, "description",
                                  "Raw config.toml or compressed config bundle bytes (.tar.gz, .tar.zst).",
                                  "content", "application/octet-stream", "schema", "type", "string", "format",
                                  "binary"));
  return operation;
}

static json_t *
components_json(void)
{
  json_error_t error;
  json_t *schemas = json_loads(component_schemas, 0, &error);
  json_t *config = json_loads(atx_config_schema_text(), 0, &error);
  g_assert(schemas && config); /* both are compiled in */
  json_object_set_new(schemas, "Config", config);
  return json_pack("{so}", "schemas", schemas);
}

static json_t *
build_document(void)
{
  json_t *paths = json_object();
  guint n_routes = 0;
  const AtxHttpRoute *routes = atx_http_routes(&n_routes);
  for (guint i = 0; i < n_routes; i++) {
    json_t *item = json_object_get(paths, routes[i].path);
    if (!item) {
      item = json_object();
      json_object_set_new(paths, routes[i].path, item);
    }
    g_autofree char *method = g_ascii_strdown(routes[i].method, -1);
    json_object_set_new(item, method, operation_json(&routes[i]));
  }
  json_t *tags = json_pack("[{ss ss} {ss ss} {ss ss} {ss ss} {ss ss}]", "name", "system", "description",
                           "Server status and this document", "name", "auth", "description",
                           "Nonces for signed requests", "name", "config", "description",
                           "Submitting, validating and exporting the device config", "name", "jobs", "description",
                           "Jobs: one per change, with every step as an event", "name", "ui", "description",
                           "The first-boot Boot UI: HTML page, form and progress (404 once "
                           "the device is provisioned)");
  return json_pack("{ss s{ss ss ss} so so so}", "openapi", "3.1.0", "info", "title", "AtomixOS bootstrap API",
                   "version", "1", "description",
                   "Provisioning API of an AtomixOS device. Routes marked x-atomix-signed-when-provisioned "
                   "need an admin SSH signature once the device is provisioned.",
                   "tags", tags, "paths", paths, "components", components_json());
}

json_t *
atx_openapi_document(void)
{
  static gsize once = 0;
  static json_t *document;
  if (g_once_init_enter(&once)) {
    document = build_document();
    g_once_init_leave(&once, 1);
  }
  return json_incref(document);
}

void
atx_http_openapi_get(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  atx_http_response_json(response, 200, NULL, atx_openapi_document());
}
