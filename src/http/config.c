/* POST /api/config, POST /api/validate and GET /api/config/export. */
#include <errno.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/bundle/submission.h"
#include "core/render/render.h"
#include "http/handlers_private.h"

#define DEFAULT_FILENAME "config.toml"
#define MAX_FILENAME 255

char *
atx_http_config_filename(const char *name_hint)
{
  g_autofree char *name = g_strstrip(g_strdup(name_hint ? name_hint : ""));
  if (*name == '\0' || !g_utf8_validate(name, -1, NULL))
    return g_strdup(DEFAULT_FILENAME);
  if (g_utf8_strlen(name, -1) > MAX_FILENAME)
    *g_utf8_offset_to_pointer(name, MAX_FILENAME) = '\0';
  for (const char *p = name; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (!g_unichar_isalnum(c) && c != '_' && c != '-' && c != '.' && c != ' ')
      return g_strdup(DEFAULT_FILENAME);
  }
  return g_steal_pointer(&name);
}

static char *
upload_filename(const AtxHttpRequest *request)
{
  return atx_http_config_filename(request->header(request->header_data, "X-Config-Filename"));
}

/* The one function that reads an uploaded body: streamed from its file with
 * memory bounded by config.toml's size, whatever the bundle's size. */
static AtxSubmission *
load_upload(const AtxHttpContext *context, const AtxHttpRequest *request, const char *filename)
{
  if (request->body_path)
    return atx_submission_load_file(request->body_path, filename, context->limits);
  g_autoptr(GBytes) empty = g_bytes_new(NULL, 0);
  return atx_submission_load(empty, filename, context->limits);
}

/* The listener removes the body file once the handler returns; the job reads
 * it again later (files/ is inflated straight into the candidate), so it gets
 * its own name for the file, which the device removes when the job ends. */
static char *
hand_over_upload(const AtxHttpRequest *request, GError **error)
{
  if (!request->body_path) {
    /* Only an empty body has no file, and an empty config never validates. */
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO, "the upload has no body file");
    return NULL;
  }
  g_autofree char *path = g_strconcat(request->body_path, ".job", NULL);
  if (link(request->body_path, path) != 0) {
    (void) atx_set_errno_error(error, errno, "cannot keep the upload %s for its job", path);
    return NULL;
  }
  return g_steal_pointer(&path);
}

/* 422 application/problem+json (RFC 9457) with every diagnostic. */
static void
respond_invalid(AtxHttpResponse *response, const AtxSubmission *submission)
{
  guint errors = atx_diag_list_count(submission->diags, ATX_SEVERITY_ERROR);
  guint warnings = atx_diag_list_count(submission->diags, ATX_SEVERITY_WARNING);
  g_autofree char *first = NULL;
  for (guint i = 0; i < atx_diag_list_length(submission->diags) && !first; i++) {
    const AtxDiag *diag = atx_diag_list_index(submission->diags, i);
    if (diag->severity == ATX_SEVERITY_ERROR)
      first = g_strchomp(atx_diag_format_text(diag, submission->filename));
  }
  g_autofree char *detail = g_strdup_printf("%s is invalid: %u error%s, %u warning%s; nothing was written",
                                            submission->filename, errors, errors == 1 ? "" : "s", warnings,
                                            warnings == 1 ? "" : "s");
  json_t *body = json_pack("{ss ss si ss ss sb so}", "type", "https://atomixos.invalid/problems/invalid-config",
                           "title", "Invalid configuration", "status", 422, "detail", detail, "error",
                           first ? first : detail, "ok", 0, "diagnostics",
                           atx_diag_list_to_json(submission->diags));
  atx_http_response_json(response, 422, "application/problem+json", body);
}

/* Loads the upload, answering 422 (or 500) itself; NULL then. */
static AtxSubmission *
load_valid_upload(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response,
                  char **filename_out)
{
  g_autofree char *filename = upload_filename(request);
  g_autoptr(AtxSubmission) submission = load_upload(context, request, filename);
  if (!atx_submission_is_valid(submission)) {
    respond_invalid(response, submission);
    return NULL;
  }
  *filename_out = g_steal_pointer(&filename);
  return g_steal_pointer(&submission);
}

void
atx_http_config_submit(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autofree char *filename = NULL;
  g_autoptr(AtxSubmission) submission = load_valid_upload(context, request, response, &filename);
  if (!submission)
    return;
  g_autoptr(GError) error = NULL;
  g_autofree char *upload = hand_over_upload(request, &error);
  if (!upload) {
    atx_http_response_error(response, 500, "%s", error->message);
    return;
  }
  /* Unauthenticated (first boot): if the device got provisioned since
   * admission, the job refuses to re-apply. */
  AtxApplyRequest apply = {
    .upload_path = upload,
    .remove_upload = TRUE,
    .filename = filename,
    .allow_reapply = request->authenticated,
  };
  if (!atx_http_submit_job(context, "api", &apply, response))
    (void) unlink(upload); /* no job took it */
}

gboolean
atx_http_submit_job(const AtxHttpContext *context, const char *kind, const AtxApplyRequest *apply,
                    AtxHttpResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) job = atx_device_submit(context->device, kind, apply, &error);
  if (!job) {
    guint status = g_error_matches(error, ATX_ERROR, ATX_ERROR_BUSY) ? 409 : 500;
    atx_http_response_error(response, status, "%s", error->message);
    return FALSE;
  }
  g_autofree char *url = g_strconcat("/api/jobs/", atx_job_id(job), NULL);
  atx_http_response_json(response, 202, NULL,
                         json_pack("{ss ss ss}", "job_id", atx_job_id(job), "state", "submitted", "job_url", url));
  atx_http_response_add_header(response, "Location", url);
  return TRUE;
}

void
atx_http_config_validate(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autofree char *filename = NULL;
  g_autoptr(AtxSubmission) submission = load_valid_upload(context, request, response, &filename);
  if (!submission)
    return;
  AtxRenderOptions options = { .config_dir = atx_store_config_dir(atx_device_store(context->device)) };
  g_autoptr(GPtrArray) files = atx_render_config(submission->config, &options);
  json_t *paths = json_array();
  for (guint i = 0; i < files->len; i++)
    json_array_append_new(paths, json_string(((AtxRenderedFile *) g_ptr_array_index(files, i))->path));
  json_t *warnings = json_array();
  for (guint i = 0; i < atx_diag_list_length(submission->diags); i++) {
    const AtxDiag *diag = atx_diag_list_index(submission->diags, i);
    if (diag->severity == ATX_SEVERITY_WARNING)
      json_array_append_new(warnings, json_string(diag->message));
  }
  atx_http_response_json(response, 200, NULL,
                         json_pack("{sb so so so}", "ok", 1, "warnings", warnings, "diagnostics",
                                   atx_diag_list_to_json(submission->diags), "files", paths));
}

void
atx_http_config_export(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  AtxStore *store = atx_device_store(context->device);
  g_autofree char *path = g_build_filename(atx_store_config_dir(store), "config.toml", NULL);
  if (!atx_store_is_provisioned(store)) {
    atx_http_response_error(response, 404, "device is not provisioned: no config has been applied yet");
    return;
  }
  char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(path, &data, &len, &error)) {
    atx_http_response_error(response, 500, "cannot read the active config: %s", error->message);
    return;
  }
  response->status = 200;
  g_free(response->content_type);
  response->content_type = g_strdup("application/toml");
  response->body = g_bytes_new_take(data, len);
  atx_http_response_add_header(response, "Content-Disposition", "attachment; filename=\"config.toml\"");
}
