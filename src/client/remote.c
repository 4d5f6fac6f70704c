#include "client/remote.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/job_follow.h"
#include "client/job_view.h"
#include "client/problem.h"
#include "client/remote_private.h"
#include "client/report.h"
#include "core/base/defaults.h"
#include "core/base/error.h"
#include "core/base/json_writer.h"

int
atx_remote_unreachable(const char *command, const GError *error)
{
  /* A request can also fail before it is sent: signing (nonce, ssh-keygen). */
  if (g_error_matches(error, ATX_ERROR, ATX_ERROR_IO))
    g_printerr("atomixctl %s: cannot reach the device: %s\n", command, error->message);
  else
    g_printerr("atomixctl %s: %s\n", command, error->message);
  return ATX_EXIT_USAGE;
}

int
atx_remote_refused(const char *command, const AtxRemoteOptions *options, const char *method, const char *path,
                   const AtxHttpResponse *response)
{
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  g_autofree char *message = atx_problem_message(body, len);
  g_printerr("atomixctl %s: %s %s%s answered %ld%s%s\n", command, method, options->base_url, path,
             response->status, message ? ": " : "", message ? message : "");
  if (response->status == 401 && options->key_path == NULL)
    g_printerr("atomixctl %s: the device requires a signed request: pass --key SSH_PRIVATE_KEY of an admin\n",
               command);
  return ATX_EXIT_FAILED;
}

int
atx_remote_busy(const char *command, const AtxHttpResponse *response)
{
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  g_autofree char *message = atx_problem_message(body, len);
  g_printerr("atomixctl %s: the device is busy: %s\n", command, message ? message : "another job is running");
  return ATX_EXIT_FAILED;
}

char *
atx_remote_accepted_job_id(const AtxHttpResponse *response)
{
  json_t *body = atx_remote_body_json(response);
  char *id = g_strdup(json_string_value(json_object_get(body, "job_id")));
  json_decref(body);
  if (id == NULL && response->location != NULL && g_str_has_prefix(response->location, "/api/jobs/"))
    id = g_strdup(response->location + strlen("/api/jobs/"));
  if (id != NULL && (*id == '\0' || strchr(id, '/') != NULL))
    g_clear_pointer(&id, g_free);
  return id;
}

int
atx_remote_invalid(const AtxRemoteOptions *options, const AtxHttpResponse *response, const AtxRemoteInput *input)
{
  json_t *problem = atx_remote_body_json(response);
  if (options->json && problem != NULL) {
    atx_remote_print_json(problem);
    json_decref(problem);
    return ATX_EXIT_FAILED;
  }
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(problem);
  json_decref(problem);
  if (atx_diag_list_length(diags) == 0) {
    gsize len = 0;
    const char *body = g_bytes_get_data(response->body, &len);
    g_autofree char *message = atx_problem_message(body, len);
    g_printerr("%s: error: %s\n", input->label, message ? message : input->refusal);
  }
  g_autofree char *filename = input->upload_path ? atx_report_filename(input->upload_path, input->is_bundle, diags)
                                                 : g_strdup("config.toml");
  return atx_report_diagnostics(diags, filename, input->label, FALSE);
}

json_t *
atx_remote_body_json(const AtxHttpResponse *response)
{
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  return len > 0 ? json_loadb(body, len, 0, NULL) : NULL;
}

void
atx_remote_print_json(const json_t *json)
{
  g_autofree char *text = atx_json_text(json);
  fputs(text, stdout);
  fflush(stdout);
}

AtxHttpSignFunc
atx_remote_signer(const AtxRemoteOptions *options, AtxSigner *signer)
{
  if (options->key_path == NULL)
    return NULL;
  *signer = (AtxSigner){ .base_url = options->base_url,
                         .key_path = options->key_path,
                         .bind_method = options->bind_method };
  return atx_signer_sign;
}

static int
job_error_status(const char *command, const GError *error)
{
  g_printerr("atomixctl %s: %s\n", command, error->message);
  return g_error_matches(error, ATX_ERROR, ATX_ERROR_IO) ? ATX_EXIT_USAGE : ATX_EXIT_FAILED;
}

/* A failed job's diagnostics (render-time checks) shown as validate shows them. */
static void
show_job_diagnostics(const json_t *job)
{
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(job);
  if (atx_diag_list_length(diags) == 0)
    return;
  g_autofree char *text = atx_diag_list_format_text(diags, "config.toml");
  g_printerr("%s", text);
}

static int
show_job(const json_t *job, const AtxRemoteOptions *options)
{
  if (options->json) {
    atx_remote_print_json(job);
    return atx_job_exit_status(job);
  }
  show_job_diagnostics(job);
  g_autofree char *summary = atx_job_format_summary(job);
  fputs(summary, stdout);
  return atx_job_exit_status(job);
}

int
atx_remote_wait_job(const char *command, const AtxRemoteOptions *options, const char *job_id)
{
  FILE *out = options->watch ? (options->json ? stderr : stdout) : NULL;
  AtxJobFollow follow = {
    .base_url = options->base_url,
    .job_id = job_id,
    .out = out,
    .tty = out != NULL && isatty(fileno(out)),
  };
  g_autoptr(GError) error = NULL;
  json_t *job = atx_job_follow(&follow, &error);
  if (job == NULL)
    return job_error_status(command, error);
  int status = show_job(job, options);
  json_decref(job);
  return status;
}

int
atx_cmd_export(const AtxRemoteOptions *options)
{
  g_autoptr(GError) error = NULL;
  AtxSigner signer;
  AtxHttpSignFunc sign = atx_remote_signer(options, &signer);
  g_autoptr(AtxHttpResponse) response = atx_http_request(&(AtxHttpRequest){ .method = "GET",
                                                                            .base_url = options->base_url,
                                                                            .path = "/api/config/export",
                                                                            .sign = sign,
                                                                            .sign_data = &signer,
                                                                            .timeout_seconds = 60 },
                                                         &error);
  if (response == NULL)
    return atx_remote_unreachable("export", error);
  if (response->status == 404) {
    g_printerr("atomixctl export: device is not provisioned (%s/api/config/export answered 404)\n",
               options->base_url);
    return ATX_EXIT_FAILED;
  }
  if (response->status != 200)
    return atx_remote_refused("export", options, "GET", "/api/config/export", response);
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  if (len > 0 && fwrite(body, 1, len, stdout) != len) {
    g_printerr("atomixctl export: writing to stdout failed\n");
    return ATX_EXIT_USAGE;
  }
  return ATX_EXIT_OK;
}

static void
print_job_table(const json_t *items)
{
  g_autofree char *header = atx_job_format_header();
  g_print("%s\n", header);
  size_t index;
  const json_t *job;
  json_array_foreach (items, index, job) {
    g_autofree char *row = atx_job_format_row(job);
    g_print("%s\n", row);
  }
}

int
atx_cmd_jobs(const AtxRemoteOptions *options, guint limit)
{
  g_autofree char *path = limit > 0 ? g_strdup_printf("/api/jobs?limit=%u", limit) : g_strdup("/api/jobs");
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = atx_http_request(
      &(AtxHttpRequest){ .method = "GET", .base_url = options->base_url, .path = path, .timeout_seconds = 60 },
      &error);
  if (response == NULL)
    return atx_remote_unreachable("jobs", error);
  if (response->status != 200)
    return atx_remote_refused("jobs", options, "GET", path, response);
  json_t *body = atx_remote_body_json(response);
  const json_t *items = atx_job_list_items(body);
  if (items == NULL) {
    json_decref(body);
    g_printerr("atomixctl jobs: GET %s%s did not return a list of jobs\n", options->base_url, path);
    return ATX_EXIT_FAILED;
  }
  if (options->json)
    atx_remote_print_json(body);
  else
    print_job_table(items);
  json_decref(body);
  return ATX_EXIT_OK;
}

static void
print_job_events(const json_t *job)
{
  g_autoptr(AtxProgress) progress = atx_progress_new(FALSE);
  g_autoptr(GString) text = g_string_new(NULL);
  size_t index;
  const json_t *event;
  json_array_foreach (json_object_get(job, "events"), index, event) {
    AtxProgressStep step;
    if (atx_job_event_to_step(event, &step))
      atx_progress_step(progress, &step, text);
  }
  fputs(text->str, stdout);
}

int
atx_cmd_job(const char *job_id, const AtxRemoteOptions *options)
{
  g_autoptr(GError) error = NULL;
  json_t *job = atx_job_fetch(options->base_url, job_id, &error);
  if (job == NULL) {
    if (g_error_matches(error, ATX_ERROR, ATX_ERROR_IO))
      return atx_remote_unreachable("job", error);
    g_printerr("atomixctl job: %s (device %s)\n", error->message, options->base_url);
    return ATX_EXIT_FAILED;
  }
  if (options->watch) {
    json_decref(job);
    return atx_remote_wait_job("job", options, job_id);
  }
  if (options->json) {
    atx_remote_print_json(job);
  } else {
    print_job_events(job);
    show_job_diagnostics(job);
    g_autofree char *summary = atx_job_format_summary(job);
    fputs(summary, stdout);
  }
  json_decref(job);
  return ATX_EXIT_OK;
}

int
atx_remote_follow_submission(const char *command, const AtxRemoteOptions *options, const char *method,
                             const char *route, const AtxHttpResponse *response, const AtxRemoteInput *input)
{
  if (response->status == 422)
    return atx_remote_invalid(options, response, input);
  if (response->status == 409)
    return atx_remote_busy(command, response);
  if (response->status != 202)
    return atx_remote_refused(command, options, method, route, response);
  g_autofree char *job_id = atx_remote_accepted_job_id(response);
  if (job_id == NULL) {
    g_printerr("atomixctl %s: the device accepted %s but named no job (no job_id, no Location)\n", command,
               input->label);
    return ATX_EXIT_FAILED;
  }
  if (!options->json)
    g_print("Accepted: %s as job %s\n", input->label, job_id);
  return atx_remote_wait_job(command, options, job_id);
}
