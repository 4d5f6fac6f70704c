/* The route table: the one place that says which routes exist, who may call
 * them and what they answer. The router and the OpenAPI document both read it. */
#include "http/handlers_private.h"

#define JSON "application/json"
#define PROBLEM "application/problem+json"

#define ERR_400                                                                                                   \
  {                                                                                                               \
    400, JSON, "ApiErrorResponseBody", "The body is not a JSON object"                                            \
  }
#define ERR_401                                                                                                   \
  {                                                                                                               \
    401, JSON, "ApiErrorResponseBody", "No valid admin signature (the message says why)"                          \
  }
#define ERR_429                                                                                                   \
  {                                                                                                               \
    429, JSON, "ApiErrorResponseBody",                                                                            \
        "Too many failed attempts from this address; retry after Retry-After seconds"                             \
  }
#define ERR_404                                                                                                   \
  {                                                                                                               \
    404, JSON, "ApiErrorResponseBody", "Not found"                                                                \
  }
#define ERR_409                                                                                                   \
  {                                                                                                               \
    409, JSON, "ApiErrorResponseBody", "Another job is submitted or running; the message names it"                \
  }
#define ERR_413                                                                                                   \
  {                                                                                                               \
    413, JSON, "ApiErrorResponseBody", "The body exceeds the upload limit"                                        \
  }
#define ERR_422                                                                                                   \
  {                                                                                                               \
    422, PROBLEM, "ProblemResponseBody", "Invalid config or bundle: every diagnostic; nothing was written"        \
  }
#define ERR_503                                                                                                   \
  {                                                                                                               \
    503, JSON, "ApiErrorResponseBody", "Too many uploads in progress; retry after Retry-After seconds"            \
  }
#define END                                                                                                       \
  {                                                                                                               \
    0                                                                                                             \
  }

static const AtxHttpResponseSpec health_responses[] = {
  { 200, JSON, "HealthResponseBody", "The server is up" },
  END,
};
static const AtxHttpResponseSpec nonce_responses[] = {
  { 200, JSON, "NonceResponseBody", "A fresh single-use nonce" },
  END,
};
static const AtxHttpResponseSpec submit_responses[] = {
  { 202, JSON, "SubmitConfigResponseBody", "Accepted; the job runs in the background" },
  ERR_401,
  ERR_409,
  ERR_413,
  ERR_422,
  ERR_429,
  ERR_503,
  END,
};
static const AtxHttpResponseSpec validate_responses[] = {
  { 200, JSON, "ValidationResponseBody", "Valid; warnings and the files a render would write" },
  ERR_401,
  ERR_413,
  ERR_422,
  ERR_429,
  ERR_503,
  END,
};
static const AtxHttpResponseSpec export_responses[] = {
  { 200, "application/toml", "Config", "The active config.toml, byte for byte" },
  ERR_401,
  { 404, JSON, "ApiErrorResponseBody", "Not provisioned: there is no config.toml to export" },
  ERR_429,
  END,
};
static const AtxHttpResponseSpec edit_responses[] = {
  { 202, JSON, "SubmitConfigResponseBody", "Accepted; the merged config runs through the job pipeline" },
  ERR_400,
  ERR_401,
  ERR_409,
  ERR_413,
  ERR_422,
  ERR_429,
  ERR_503,
  END,
};
static const AtxHttpResponseSpec delete_responses[] = {
  { 202, JSON, "SubmitConfigResponseBody", "Accepted (also when the entry is absent); the job applies the rest" },
  ERR_401,
  ERR_409,
  ERR_422,
  ERR_429,
  END,
};
static const AtxHttpResponseSpec jobs_list_responses[] = {
  { 200, JSON, "JobListResponseBody", "Retained jobs, newest first" },
  { 400, JSON, "ApiErrorResponseBody", "A malformed limit" },
  END,
};
static const AtxHttpResponseSpec jobs_get_responses[] = {
  { 200, JSON, "JobResponseBody", "The job" },
  ERR_404,
  END,
};
static const AtxHttpResponseSpec jobs_events_responses[] = {
  { 200, "text/event-stream", NULL,
    "One SSE event per job event (id = seq, data = the event as JSON); ends after the job ends" },
  { 400, JSON, "ApiErrorResponseBody", "A malformed Last-Event-ID" },
  ERR_404,
  END,
};
static const AtxHttpResponseSpec openapi_responses[] = {
  { 200, JSON, "OpenApiDocument", "This document" },
  END,
};

/* The Boot UI (ui.c; reference §8). Its 404s mean "the device is
 * provisioned" (or, for jobs, "not one you may see"). */
#define HTML "text/html"
static const AtxHttpResponseSpec ui_page_responses[] = {
  { 200, HTML, NULL, "The Boot UI page, with this process's CSRF token in its form" },
  { 401, JSON, "ApiErrorResponseBody", "Refused by the first-boot Host/Origin/Referer policy" },
  { 404, JSON, "ApiErrorResponseBody", "Not found: the device is provisioned (Boot UI closed)" },
  END,
};
static const AtxHttpResponseSpec ui_apply_responses[] = {
  { 202, HTML, NULL, "Accepted: the job's running fragment (data-job-id); follow /ui/jobs/{job_id}/events" },
  { 400, HTML, NULL, "Not a well-formed multipart form, or no config in it" },
  { 401, JSON, "ApiErrorResponseBody", "Refused by the first-boot Host/Origin/Referer policy" },
  { 403, HTML, NULL, "Missing or wrong bootstrap_token (CSRF)" },
  { 404, JSON, "ApiErrorResponseBody", "Not found: the device is provisioned (Boot UI closed)" },
  { 409, HTML, NULL, "Another job is submitted or running" },
  ERR_413,
  { 422, HTML, NULL, "Invalid config or bundle: every diagnostic with line and column, beside the pasted text" },
  ERR_503,
  END,
};
static const AtxHttpResponseSpec ui_job_responses[] = {
  { 200, HTML, NULL, "The job as a fragment; after provisioning, the end of the provisioning job, once" },
  { 404, JSON, "ApiErrorResponseBody", "No such job, or not one the Boot UI may show any more" },
  END,
};
static const AtxHttpResponseSpec ui_job_events_responses[] = {
  { 200, "text/event-stream", NULL, "The job's events as for /api/jobs/{job_id}/events" },
  { 400, JSON, "ApiErrorResponseBody", "A malformed Last-Event-ID" },
  { 404, JSON, "ApiErrorResponseBody", "No such job, or not one the Boot UI may show any more" },
  END,
};
static const AtxHttpParamSpec ui_origin_params[] = {
  { "header", "Origin", "string", "Checked by the first-boot origin policy when present" },
  { NULL },
};

static const AtxHttpParamSpec upload_params[] = {
  { "header", "X-Config-Filename", "string", "The client's file name: picks plain TOML or a bundle format" },
  { NULL },
};
static const AtxHttpParamSpec jobs_list_params[] = {
  { "query", "limit", "integer", "At most this many jobs (default: all retained)" },
  { NULL },
};
static const AtxHttpParamSpec jobs_events_params[] = {
  { "header", "Last-Event-ID", "string", "Resume after the event with this seq" },
  { NULL },
};

/* Validate changes nothing, so it is open before provisioning (DESIGN §6.9)
 * and signed after; export, a read, is open only while there is nothing to
 * export; the partial edits are signed always. */
static const AtxHttpRoute routes[] = {
  { "GET", "/api/health", "systemHealth", "system", "Report that the server is up", ATX_AUTH_NONE, ATX_BODY_NONE,
    NULL, health_responses, atx_http_system_health },
  { "GET", "/api/nonce", "authIssueNonce", "auth", "Issue a nonce for a signed request", ATX_AUTH_NONE,
    ATX_BODY_NONE, NULL, nonce_responses, atx_http_auth_nonce },
  { "POST", "/api/config", "configSubmit", "config", "Submit a config.toml or bundle for asynchronous apply",
    ATX_AUTH_FIRST_BOOT_OR_SIGNED, ATX_BODY_UPLOAD, upload_params, submit_responses, atx_http_config_submit },
  { "GET", "/api/config/export", "configExport", "config", "Download the active config.toml",
    ATX_AUTH_SIGNED_ONCE_PROVISIONED, ATX_BODY_NONE, NULL, export_responses, atx_http_config_export },
  /* Partial edits (partial.c), reference §1.2. */
  { "PUT", "/api/config/users/{name}", "configUsersPut", "config", "Create or replace one user", ATX_AUTH_SIGNED,
    ATX_BODY_JSON, NULL, edit_responses, atx_http_config_edit, "UserEditRequestBody" },
  { "DELETE", "/api/config/users/{name}", "configUsersDelete", "config", "Remove one user", ATX_AUTH_SIGNED,
    ATX_BODY_NONE, NULL, delete_responses, atx_http_config_edit },
  { "PATCH", "/api/config/network", "configNetworkPatch", "config", "Merge-patch the network section",
    ATX_AUTH_SIGNED, ATX_BODY_JSON, NULL, edit_responses, atx_http_config_edit, "NetworkPatchRequestBody" },
  { "PUT", "/api/config/containers/{name}", "configContainersPut", "config", "Create or replace one container",
    ATX_AUTH_SIGNED, ATX_BODY_JSON, NULL, edit_responses, atx_http_config_edit, "ContainerEditRequestBody" },
  { "DELETE", "/api/config/containers/{name}", "configContainersDelete", "config", "Remove one container",
    ATX_AUTH_SIGNED, ATX_BODY_NONE, NULL, delete_responses, atx_http_config_edit },
  { "PUT", "/api/config/container-networks/{name}", "configContainerNetworksPut", "config",
    "Create or replace one container network", ATX_AUTH_SIGNED, ATX_BODY_JSON, NULL, edit_responses,
    atx_http_config_edit, "ContainerNetworkEditRequestBody" },
  { "DELETE", "/api/config/container-networks/{name}", "configContainerNetworksDelete", "config",
    "Remove one container network", ATX_AUTH_SIGNED, ATX_BODY_NONE, NULL, delete_responses, atx_http_config_edit },
  { "PUT", "/api/config/container-volumes/{name}", "configContainerVolumesPut", "config",
    "Create or replace one container volume", ATX_AUTH_SIGNED, ATX_BODY_JSON, NULL, edit_responses,
    atx_http_config_edit, "ContainerVolumeEditRequestBody" },
  { "DELETE", "/api/config/container-volumes/{name}", "configContainerVolumesDelete", "config",
    "Remove one container volume", ATX_AUTH_SIGNED, ATX_BODY_NONE, NULL, delete_responses, atx_http_config_edit },
  { "POST", "/api/validate", "configValidate", "config", "Validate a config.toml or bundle and dry-run its render",
    ATX_AUTH_FIRST_BOOT_OR_SIGNED, ATX_BODY_UPLOAD, upload_params, validate_responses, atx_http_config_validate },
  { "GET", "/api/jobs", "jobsList", "jobs", "List retained jobs, newest first", ATX_AUTH_NONE, ATX_BODY_NONE,
    jobs_list_params, jobs_list_responses, atx_http_jobs_list },
  { "GET", "/api/jobs/{job_id}", "jobsGet", "jobs", "Get a job", ATX_AUTH_NONE, ATX_BODY_NONE, NULL,
    jobs_get_responses, atx_http_jobs_get },
  { "GET", "/api/jobs/{job_id}/events", "jobsEvents", "jobs", "Follow a job's events as Server-Sent Events",
    ATX_AUTH_NONE, ATX_BODY_NONE, jobs_events_params, jobs_events_responses, atx_http_jobs_events },
  { "GET", "/schema/openapi.json", "openapiGet", "system", "This OpenAPI document", ATX_AUTH_NONE, ATX_BODY_NONE,
    NULL, openapi_responses, atx_http_openapi_get },
  /* The Boot UI: first boot only, enforced by its handlers (auth "none"
   * here, so that a provisioned device answers 404, not 401). */
  { "GET", "/", "uiPage", "ui", "The Boot UI page (first boot only)", ATX_AUTH_NONE, ATX_BODY_NONE,
    ui_origin_params, ui_page_responses, atx_http_ui_page },
  { "POST", "/apply", "uiApply", "ui", "Submit the Boot UI form: a config file, bundle or pasted config.toml",
    ATX_AUTH_NONE, ATX_BODY_UPLOAD, ui_origin_params, ui_apply_responses, atx_http_ui_apply },
  { "GET", "/ui/jobs/{job_id}", "uiJob", "ui", "A Boot UI job as an HTML fragment", ATX_AUTH_NONE, ATX_BODY_NONE,
    NULL, ui_job_responses, atx_http_ui_job },
  { "GET", "/ui/jobs/{job_id}/events", "uiJobEvents", "ui", "Follow a Boot UI job's events as Server-Sent Events",
    ATX_AUTH_NONE, ATX_BODY_NONE, jobs_events_params, ui_job_events_responses, atx_http_ui_job_events },
};

const AtxHttpRoute *
atx_http_routes(guint *n_routes)
{
  *n_routes = G_N_ELEMENTS(routes);
  return routes;
}
