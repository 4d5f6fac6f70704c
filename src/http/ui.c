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
#include "core/bundle/submission.h"
#include "device/auth/csrf.h"
#include "device/auth/origin.h"
#include "http/handlers_private.h"
#include "http/multipart.h"

extern const char atx_boot_ui_page_html[];

#define TOKEN_PLACEHOLDER "{{bootstrap_token}}"
#define HTML "text/html; charset=utf-8"
#define MAX_LOG_EVENTS 40
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
append_escaped(GString *html, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
  g_autofree char *escaped = g_markup_escape_text(valid, -1);
  g_string_append(html, escaped);
}

/* A one-paragraph fragment in the #job-status slot. */
static void
respond_message(AtxHttpResponse *response, guint status, const char *state, const char *message)
{
  GString *html = g_string_new(NULL);
  g_string_append_printf(html, "<section id=\"job-status\" class=\"message status-%s\" data-state=\"%s\"><p>", state,
                         state);
  append_escaped(html, message);
  g_string_append(html, "</p></section>\n");
  respond_html(response, status, html);
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

/* "line 3, column 7: /pointer: message (hint)" as list items. */
static void
append_diagnostics(GString *html, json_t *diagnostics)
{
  if (json_array_size(diagnostics) == 0)
    return;
  g_string_append(html, "<ol class=\"diagnostics\">\n");
  size_t i;
  json_t *diag;
  json_array_foreach(diagnostics, i, diag)
  {
    json_int_t line = json_integer_value(json_object_get(diag, "line"));
    json_int_t column = json_integer_value(json_object_get(diag, "column"));
    g_string_append(html, "<li class=\"diag-");
    append_escaped(html, json_string_value(json_object_get(diag, "severity")));
    g_string_append_c(html, '"');
    if (line > 0)
      g_string_append_printf(html, " data-line=\"%" JSON_INTEGER_FORMAT "\" data-column=\"%" JSON_INTEGER_FORMAT
                             "\"><span class=\"where\">line %" JSON_INTEGER_FORMAT ", column %" JSON_INTEGER_FORMAT
                             "</span> ", line, column, line, column);
    else
      g_string_append(html, "><span class=\"where\">whole document</span> ");
    g_string_append(html, "<code class=\"pointer\">");
    append_escaped(html, json_string_value(json_object_get(diag, "pointer")));
    g_string_append(html, "</code> <span class=\"text\">");
    append_escaped(html, json_string_value(json_object_get(diag, "message")));
    g_string_append(html, "</span>");
    const char *hint = json_string_value(json_object_get(diag, "hint"));
    if (hint) {
      g_string_append(html, " <em class=\"hint\">");
      append_escaped(html, hint);
      g_string_append(html, "</em>");
    }
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ol>\n");
}

/* The operator's text, numbered, each diagnostic under its line with a
 * caret at its column. Only for text (a bundle is not shown). */
static void
append_annotated_source(GString *html, GBytes *source, json_t *diagnostics)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(source, &len);
  if (len == 0 || memchr(data, '\0', len) || !g_utf8_validate_len(data, len, NULL))
    return;
  g_autofree char *text = g_strndup(data, len);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_string_append(html, "<pre class=\"source\">");
  for (guint n = 0; lines[n]; n++) {
    gboolean marked = FALSE;
    size_t i;
    json_t *diag;
    json_array_foreach(diagnostics, i, diag) marked |= json_integer_value(json_object_get(diag, "line")) == n + 1;
    if (!lines[n + 1] && lines[n][0] == '\0' && !marked)
      break; /* the text's final newline, unless a diagnostic points at the end */
    g_strchomp(lines[n]);
    g_string_append_printf(html, "<span class=\"line%s\" data-line=\"%u\"><span class=\"ln\">%4u</span> ",
                           marked ? " has-diag" : "", n + 1, n + 1);
    append_escaped(html, lines[n]);
    g_string_append(html, "</span>\n");
    json_array_foreach(diagnostics, i, diag)
    {
      if (json_integer_value(json_object_get(diag, "line")) != n + 1)
        continue;
      json_int_t column = json_integer_value(json_object_get(diag, "column"));
      g_string_append_printf(html, "<span class=\"note\" data-line=\"%u\">     %*s^ ", n + 1,
                             (int) CLAMP(column - 1, 0, 200), "");
      g_string_append_printf(html, "%u:%" JSON_INTEGER_FORMAT " ", n + 1, column);
      append_escaped(html, json_string_value(json_object_get(diag, "message")));
      g_string_append(html, "</span>\n");
    }
  }
  g_string_append(html, "</pre>\n");
}

/* 422: every diagnostic, and the text they point into; nothing was written. */
static void
respond_invalid(AtxHttpResponse *response, const AtxSubmission *submission, GBytes *source)
{
  json_t *diagnostics = atx_diag_list_to_json(submission->diags);
  guint errors = atx_diag_list_count(submission->diags, ATX_SEVERITY_ERROR);
  GString *html = g_string_new("<section id=\"job-status\" class=\"message status-invalid\" data-state=\"invalid\">"
                               "<p class=\"summary\">");
  append_escaped(html, submission->filename);
  g_string_append_printf(html, " is invalid: %u error%s; nothing was written.</p>\n", errors, errors == 1 ? "" : "s");
  append_diagnostics(html, diagnostics);
  append_annotated_source(html, source, diagnostics);
  g_string_append(html, "</section>\n");
  json_decref(diagnostics);
  respond_html(response, 422, html);
}

/* The last MAX_LOG_EVENTS events as "step: message". */
static void
append_event_log(GString *html, json_t *events)
{
  size_t count = json_array_size(events);
  g_string_append(html, "<ol class=\"event-log\" id=\"event-log\">\n");
  for (size_t i = count > MAX_LOG_EVENTS ? count - MAX_LOG_EVENTS : 0; i < count; i++) {
    json_t *event = json_array_get(events, i);
    g_string_append(html, "<li><code>");
    append_escaped(html, json_string_value(json_object_get(event, "step")));
    g_string_append(html, "</code>");
    const char *message = json_string_value(json_object_get(event, "message"));
    if (message) {
      g_string_append(html, ": ");
      append_escaped(html, message);
    }
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ol>\n");
}

static void
append_result(GString *html, json_t *job)
{
  json_t *result = json_object_get(job, "result");
  const char *url = json_string_value(json_object_get(result, "forwarding_url"));
  g_string_append(html, "<p>Configuration applied.</p>\n");
  if (url) {
    g_string_append(html, "<p>Continue at <a href=\"");
    append_escaped(html, url);
    g_string_append(html, "\">");
    append_escaped(html, url);
    g_string_append(html, "</a>.</p>\n");
  }
  json_t *warnings = json_object_get(result, "warnings");
  if (json_array_size(warnings) == 0)
    return;
  g_string_append(html, "<h3>Warnings</h3>\n<ul class=\"warnings\">\n");
  size_t i;
  json_t *warning;
  json_array_foreach(warnings, i, warning)
  {
    g_string_append(html, "<li>");
    append_escaped(html, json_string_value(warning));
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ul>\n");
}

static void
append_failure(GString *html, json_t *job)
{
  g_string_append(html, "<p>Configuration failed.</p>\n<p class=\"error\">");
  const char *error = json_string_value(json_object_get(job, "error"));
  append_escaped(html, error ? error : "unknown error");
  g_string_append(html, "</p>\n");
  const char *rollback = json_string_value(json_object_get(job, "rollback_status"));
  if (rollback) {
    g_string_append(html, "<p><strong>Rollback status:</strong> ");
    append_escaped(html, rollback);
    g_string_append(html, "</p>\n");
  }
  append_diagnostics(html, json_object_get(job, "diagnostics"));
}

/* The #job-status fragment of a job (reference §8.3). */
static GString *
job_fragment(AtxJob *job, gboolean *finished_out)
{
  json_t *resource = atx_job_to_json(job, 0);
  const char *state = json_string_value(json_object_get(resource, "state"));
  gboolean succeeded = g_strcmp0(state, "succeeded") == 0;
  gboolean failed = g_strcmp0(state, "failed") == 0;
  *finished_out = succeeded || failed;
  GString *html = g_string_new(NULL);
  g_string_append_printf(html, "<section id=\"job-status\" class=\"message status-%s\" data-job-id=\"%s\" "
                         "data-state=\"%s\">\n", state, atx_job_id(job), state);
  g_string_append(html, "<p>State: <strong class=\"state\">");
  append_escaped(html, state);
  g_string_append(html, "</strong></p>\n");
  if (succeeded) {
    append_result(html, resource);
  } else if (failed) {
    append_failure(html, resource);
  } else {
    g_string_append(html, "<p>Applying configuration...</p>\n<p>Current stage: <code class=\"current-step\">");
    append_escaped(html, json_string_value(json_object_get(resource, "current_step")));
    g_string_append(html, "</code></p>\n");
  }
  append_event_log(html, json_object_get(resource, "events"));
  g_string_append(html, "</section>\n");
  json_decref(resource);
  return html;
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
  g_autoptr(GString) html = job ? job_fragment(job, &finished) : NULL;
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
  g_autofree char *token_text = token ? g_strndup(g_bytes_get_data(token->data, NULL), g_bytes_get_size(token->data)) : NULL;
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
    respond_invalid(response, submission, bytes);
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
  respond_html(response, 202, job_fragment(job, &finished));
  g_autofree char *url = g_strconcat("/ui/jobs/", atx_job_id(job), NULL);
  atx_http_response_add_header(response, "Location", url);
}
