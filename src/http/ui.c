/* The Boot UI (reference §8, first boot only): GET / (the page), POST /apply
 * (the form), GET /ui/jobs/{job_id} (the job as an HTML fragment) and
 * GET /ui/jobs/{job_id}/events (its progress as Server-Sent Events).
 *
 * Before provisioning, GET / and POST /apply pass the browser-origin policy
 * (device/auth/origin.h) and POST /apply the per-process CSRF token
 * (device/auth/csrf.h). After provisioning they answer 404; the job routes
 * then serve only jobs submitted through POST /apply, and the terminal
 * fragment of such a job only once: the operator who provisioned the device
 * sees how it ended, nobody learns anything later. */
#include <string.h>

#include "core/base/error.h"
#include "device/auth/csrf.h"
#include "device/auth/origin.h"
#include "http/handlers_private.h"
#include "http/multipart.h"
#include "http/ui_html.h"

extern const char atx_boot_ui_page_html[];

#define TOKEN_PLACEHOLDER "{{bootstrap_token}}"
#define HTML "text/html; charset=utf-8"
#define NOT_AVAILABLE "not found: the Boot UI is only available before the device is provisioned"

/* One job slot is enough: jobs run one at a time, and once one provisions
 * the device POST /apply is closed, so the last job submitted through it is
 * the only one whose end may still be shown after provisioning. */
struct _AtxBootUi {
  char *csrf_token;
  GMutex lock;
  char *job_id; /* the last job submitted through POST /apply, until its end was shown after provisioning */
};

AtxBootUi *
atx_boot_ui_new(GError **error)
{
  g_autofree char *token = atx_csrf_token_new(error);
  if (!token) {
    g_prefix_error(error, "cannot make the Boot UI's CSRF token: ");
    return NULL;
  }
  AtxBootUi *ui = g_new0(AtxBootUi, 1);
  ui->csrf_token = g_steal_pointer(&token);
  g_mutex_init(&ui->lock);
  return ui;
}

void
atx_boot_ui_free(AtxBootUi *ui)
{
  if (!ui)
    return;
  g_free(ui->job_id);
  g_mutex_clear(&ui->lock);
  g_free(ui->csrf_token);
  g_free(ui);
}

/* Provisioned for the UI (reference §7.1): config.toml or admin-signers. */
static gboolean
ui_closed(const AtxHttpContext *context)
{
  if (!context->ui || atx_device_is_provisioned(context->device))
    return TRUE;
  g_autofree char *signers =
      g_build_filename(atx_store_config_dir(atx_device_store(context->device)), "admin-signers", NULL);
  return g_file_test(signers, G_FILE_TEST_EXISTS);
}

static const char *
header(const AtxHttpRequest *request, const char *name)
{
  return request->header(request->header_data, name);
}

/* The origin policy; FALSE with the 401 answered. */
static gboolean
origin_allowed(const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(GError) error = NULL;
  if (atx_browser_origin_check(header(request, "Host"), header(request, "Origin"), header(request, "Referer"),
                               &error))
    return TRUE;
  atx_http_response_error(response, 401, "%s", error->message);
  return FALSE;
}

/* Pages carry the CSRF token and job fragments a job's details: never
 * cached, never framed, no script or style but their own. */
static void
respond_html(AtxHttpResponse *response, guint status, GString *html)
{
  response->status = status;
  g_free(response->content_type);
  response->content_type = g_strdup(HTML);
  g_clear_pointer(&response->body, g_bytes_unref);
  response->body = g_string_free_to_bytes(html);
  atx_http_response_add_header(response, "Cache-Control", "no-store");
  atx_http_response_add_header(response, "X-Content-Type-Options", "nosniff");
  atx_http_response_add_header(response, "X-Frame-Options", "DENY");
  atx_http_response_add_header(response, "Content-Security-Policy",
                               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                               "img-src data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
                               "frame-ancestors 'none'");
}

static void
respond_message(AtxHttpResponse *response, guint status, const char *state, const char *message)
{
  respond_html(response, status, atx_ui_message_fragment(state, message));
}

void
atx_http_ui_page(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  if (ui_closed(context)) {
    atx_http_response_error(response, 404, NOT_AVAILABLE);
    return;
  }
  if (!origin_allowed(request, response))
    return;
  const char *page = atx_boot_ui_page_html;
  const char *slot = strstr(page, TOKEN_PLACEHOLDER);
  g_assert(slot); /* the page is compiled in */
  GString *html = g_string_new_len(page, slot - page);
  g_string_append(html, context->ui->csrf_token); /* URL-safe base64: nothing to escape */
  g_string_append(html, slot + strlen(TOKEN_PLACEHOLDER));
  respond_html(response, 200, html);
}

/* May this job be shown? Before provisioning, any job; after it, only one
 * submitted through POST /apply whose end was not shown yet. @consume: this
 * is the showing (the job's end is in the answer) and uses it up. */
static gboolean
job_visible(const AtxHttpContext *context, AtxJob *job, gboolean consume)
{
  if (!context->ui)
    return FALSE;
  gboolean closed = ui_closed(context);
  g_mutex_lock(&context->ui->lock);
  gboolean listed = g_strcmp0(context->ui->job_id, atx_job_id(job)) == 0;
  if (listed && closed && consume)
    g_clear_pointer(&context->ui->job_id, g_free);
  g_mutex_unlock(&context->ui->lock);
  return !closed || listed;
}

void
atx_http_ui_job(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(AtxJob) job = atx_device_get(context->device, g_hash_table_lookup(request->params, "job_id"));
  gboolean finished = FALSE;
  g_autoptr(GString) html = job ? atx_ui_job_fragment(job, &finished) : NULL;
  /* A fragment that shows the job's end uses up its one showing. */
  if (!job || !job_visible(context, job, finished)) {
    atx_http_response_error(response, 404, "provisioning job not found");
    return;
  }
  respond_html(response, 200, g_steal_pointer(&html));
}

void
atx_http_ui_job_events(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(AtxJob) job = atx_device_get(context->device, g_hash_table_lookup(request->params, "job_id"));
  if (!job || !job_visible(context, job, FALSE)) {
    atx_http_response_error(response, 404, "provisioning job not found");
    return;
  }
  atx_http_jobs_events(context, request, response);
}

/* The submitted config: the file when one was chosen, else the pasted text. */
static gboolean
form_source(GPtrArray *parts, GBytes **bytes_out, char **filename_out)
{
  const AtxFormPart *file = atx_multipart_find(parts, "config_file");
  if (file && file->filename && *file->filename && g_bytes_get_size(file->data) > 0) {
    *bytes_out = g_bytes_ref(file->data);
    *filename_out = atx_http_config_filename(file->filename);
    return TRUE;
  }
  const AtxFormPart *text = atx_multipart_find(parts, "config");
  if (text && g_bytes_get_size(text->data) > 0) {
    *bytes_out = g_bytes_ref(text->data);
    *filename_out = g_strdup("config.toml");
    return TRUE;
  }
  return FALSE;
}

/* The form's parts; NULL with the 400 (or 500) answered. */
static GPtrArray *
read_form(const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *boundary = atx_multipart_boundary(header(request, "Content-Type"), &error);
  g_autoptr(GBytes) body = NULL;
  if (boundary && request->body_path) {
    g_autoptr(GMappedFile) file = g_mapped_file_new(request->body_path, FALSE, &error);
    if (!file) {
      respond_message(response, 500, "failed", error->message);
      return NULL;
    }
    body = g_mapped_file_get_bytes(file);
  } else if (boundary) {
    body = g_bytes_new(NULL, 0);
  }
  GPtrArray *parts = body ? atx_multipart_parse(body, boundary, &error) : NULL;
  if (!parts)
    respond_message(response, 400, "failed", error->message);
  return parts;
}

static void
remember_job(const AtxHttpContext *context, AtxJob *job)
{
  g_mutex_lock(&context->ui->lock);
  g_free(context->ui->job_id);
  context->ui->job_id = g_strdup(atx_job_id(job));
  g_mutex_unlock(&context->ui->lock);
}

/* Reference §8.2: closed (404), origin (401), form (400), token (403),
 * source (400), validation (422, synchronous as for POST /api/config), then
 * the job (409 busy, 202 with the running fragment). */
void
atx_http_ui_apply(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  if (ui_closed(context)) {
    atx_http_response_error(response, 404, NOT_AVAILABLE);
    return;
  }
  if (!origin_allowed(request, response))
    return;
  g_autoptr(GPtrArray) parts = read_form(request, response);
  if (!parts)
    return;
  const AtxFormPart *token = atx_multipart_find(parts, "bootstrap_token");
  g_autofree char *token_text = NULL;
  if (token)
    token_text = g_strndup(g_bytes_get_data(token->data, NULL), g_bytes_get_size(token->data));
  if (!atx_csrf_token_matches(context->ui->csrf_token, token_text)) {
    respond_message(response, 403, "failed", "Invalid bootstrap token: reload the page and try again.");
    return;
  }
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *filename = NULL;
  if (!form_source(parts, &bytes, &filename)) {
    respond_message(response, 400, "failed", "No config provided: choose a file or paste a config.");
    return;
  }
  g_autoptr(AtxSubmission) submission = atx_submission_load(bytes, filename, context->limits);
  if (!atx_submission_is_valid(submission)) {
    respond_html(response, 422, atx_ui_invalid_fragment(submission, bytes));
    return;
  }
  AtxApplyRequest apply = { .data = bytes, .filename = filename, .allow_reapply = FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxJob) job = atx_device_submit(context->device, "boot-ui", &apply, &error);
  if (!job) {
    gboolean busy = g_error_matches(error, ATX_ERROR, ATX_ERROR_BUSY);
    respond_message(response, busy ? 409 : 500, "failed", error->message);
    return;
  }
  remember_job(context, job);
  gboolean finished = FALSE;
  respond_html(response, 202, atx_ui_job_fragment(job, &finished));
  g_autofree char *url = g_strconcat("/ui/jobs/", atx_job_id(job), NULL);
  atx_http_response_add_header(response, "Location", url);
}
