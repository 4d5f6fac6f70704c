/* The nine partial-edit routes (reference §1.2, §1.4, §4.6): one user, the
 * network section, one container, container network or container volume.
 * The edit is checked here, synchronously, against the active config
 * (core/edit); a valid one becomes the canonical TOML of the whole merged
 * document and runs the same job pipeline as a full submission. The job
 * carries the SHA-256 of the config the edit was computed from and, under
 * the store lock, changes nothing if another change landed in between. */
#include <string.h>

#include "core/base/error.h"
#include "core/edit/edit.h"
#include "http/handlers_private.h"

#define CONFIG_PREFIX "/api/config/"

/* "users" from "/api/config/users/alice", "network" from "/api/config/network". */
static char *
collection_of(const char *path)
{
  if (!g_str_has_prefix(path, CONFIG_PREFIX))
    return NULL;
  const char *rest = path + strlen(CONFIG_PREFIX);
  const char *slash = strchr(rest, '/');
  return slash ? g_strndup(rest, (gsize) (slash - rest)) : g_strdup(rest);
}

/* 422 application/problem+json with every diagnostic (pointers into the
 * full config); nothing was written and no job exists. */
static void
respond_invalid(AtxHttpResponse *response, const AtxDiagList *diags, const char *message)
{
  guint errors = atx_diag_list_count(diags, ATX_SEVERITY_ERROR);
  g_autofree char *detail = g_strdup_printf("the edit is invalid: %u error%s; nothing was written", errors,
                                            errors == 1 ? "" : "s");
  json_t *body = json_pack("{ss ss si ss ss sb so}", "type", "https://atomixos.invalid/problems/invalid-config",
                           "title", "Invalid configuration", "status", 422, "detail", detail, "error", message,
                           "ok", 0, "diagnostics", atx_diag_list_to_json(diags));
  atx_http_response_json(response, 422, "application/problem+json", body);
}

/* The request's JSON body (an empty one for deletes). */
static GBytes *
read_body(const AtxHttpRequest *request, GError **error)
{
  if (!request->body_path)
    return g_bytes_new(NULL, 0);
  g_autoptr(GMappedFile) file = g_mapped_file_new(request->body_path, FALSE, error);
  if (!file) {
    g_prefix_error(error, "cannot read the request body: ");
    return NULL;
  }
  return g_mapped_file_get_bytes(file);
}

/* The merged config's text, or NULL with @response answered. */
static char *
compute_edit(const AtxEdit *edit, const char *current, gsize current_len, AtxHttpResponse *response)
{
  g_autoptr(AtxDiagList) diags = atx_diag_list_new();
  g_autoptr(GError) error = NULL;
  char *merged = atx_edit_apply(current, current_len, edit, diags, &error);
  if (merged)
    return merged;
  if (g_error_matches(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_MALFORMED))
    atx_http_response_error(response, 400, "%s", error->message);
  else if (g_error_matches(error, ATX_EDIT_ERROR, ATX_EDIT_ERROR_INVALID))
    respond_invalid(response, diags, error->message);
  else
    atx_http_response_error(response, 500, "%s", error->message);
  return NULL;
}

static void
submit_merged(const AtxHttpContext *context, char *merged, const char *base_sha256, AtxHttpResponse *response)
{
  g_autoptr(GBytes) data = g_bytes_new_take(merged, strlen(merged));
  /* The route is signed, so re-applying is what the caller asked for. */
  AtxApplyRequest apply = {
    .data = data,
    .filename = "config.toml",
    .allow_reapply = TRUE,
    .expect_active_sha256 = base_sha256,
    .keep_active_files = TRUE,
  };
  (void) atx_http_submit_job(context, "partial", &apply, response);
}

void
atx_http_config_edit(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autofree char *collection = collection_of(request->path);
  AtxEditKind kind;
  if (!collection || !atx_edit_kind_for_route(request->method, collection, &kind)) {
    atx_http_response_error(response, 404, "no partial edit for %s %s", request->method, request->path);
    return;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = read_body(request, &error);
  if (!body) {
    atx_http_response_error(response, 500, "%s", error->message);
    return;
  }
  g_autofree char *path = g_build_filename(atx_store_config_dir(atx_device_store(context->device)), "config.toml",
                                           NULL);
  g_autofree char *current = NULL;
  gsize current_len = 0;
  if (!g_file_get_contents(path, &current, &current_len, &error)) {
    atx_http_response_error(response, 409, "nothing to edit: the device has no active config.toml (%s)",
                            error->message);
    return;
  }
  gsize body_len = 0;
  const char *body_data = g_bytes_get_data(body, &body_len);
  AtxEdit edit = {
    .kind = kind,
    .name = request->params ? g_hash_table_lookup(request->params, "name") : NULL,
    .body = body_data ? body_data : "",
    .body_len = body_len,
  };
  char *merged = compute_edit(&edit, current, current_len, response);
  if (!merged)
    return;
  g_autofree char *base_sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *) current,
                                                             current_len);
  submit_merged(context, merged, base_sha256, response);
}
