/* atomixctl apply and validate --url: send a config.toml or bundle to the device. */
#include "client/remote.h"

#include <string.h>

#include "client/job_view.h"
#include "client/problem.h"
#include "client/remote_private.h"
#include "client/report.h"
#include "core/base/defaults.h"
#include "core/bundle/bundle.h"
#include "core/bundle/submission.h"

typedef struct {
  const char *path;
  GBytes *data;
  gboolean is_bundle;
  const char *content_type;
  char *filename_header; /* "X-Config-Filename: NAME", NULL when the name would be refused */
} Upload;

static void
upload_clear(Upload *upload)
{
  g_clear_pointer(&upload->data, g_bytes_unref);
  g_clear_pointer(&upload->filename_header, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Upload, upload_clear)

/* The hint must match ^[\w\-. ]+$ on the device (reference §1.1); a name it
 * would replace is not sent, the device then detects the format by content. */
static char *
filename_header(const char *path)
{
  g_autofree char *name = g_path_get_basename(path);
  if (strlen(name) > 255)
    return NULL;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum(*c) && strchr("_-. ", *c) == NULL)
      return NULL;
  return g_strdup_printf("X-Config-Filename: %s", name);
}

static gboolean
upload_read(Upload *upload, const char *command, const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, &error)) {
    g_printerr("atomixctl %s: %s\n", command, error->message);
    return FALSE;
  }
  upload->path = path;
  upload->data = g_bytes_new_take(data, len);
  if (!atx_submission_path_supported(path, upload->data, &error)) {
    g_printerr("atomixctl %s: %s: %s\n", command, path, error->message);
    return FALSE;
  }
  AtxBundleFormat format = atx_bundle_detect(path, upload->data);
  upload->is_bundle = format != ATX_BUNDLE_PLAIN;
  upload->content_type = format == ATX_BUNDLE_TAR_GZIP   ? "application/gzip"
                         : format == ATX_BUNDLE_TAR_ZSTD ? "application/zstd"
                                                         : "application/toml";
  upload->filename_header = filename_header(path);
  return TRUE;
}

static AtxHttpResponse *
upload_send(const Upload *upload, const AtxRemoteOptions *options, const char *route, GError **error)
{
  AtxSigner signer;
  AtxHttpSignFunc sign = atx_remote_signer(options, &signer);
  const char *headers[] = { upload->filename_header, NULL };
  return atx_http_request(&(AtxHttpRequest){ .method = "POST",
                                             .base_url = options->base_url,
                                             .path = route,
                                             .body = upload->data,
                                             .content_type = upload->content_type,
                                             .extra_headers = headers,
                                             .sign = sign,
                                             .sign_data = &signer,
                                             .timeout_seconds = 300 },
                          error);
}

/* A 422's diagnostics are named as the offline validate names them. */
static AtxRemoteInput
upload_input(const Upload *upload)
{
  return (AtxRemoteInput){ .label = upload->path,
                           .upload_path = upload->path,
                           .is_bundle = upload->is_bundle,
                           .refusal = "the device refused the input (422)" };
}

int
atx_cmd_apply(const char *path, const AtxRemoteOptions *options)
{
  g_auto(Upload) upload = { 0 };
  if (!upload_read(&upload, "apply", path))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = upload_send(&upload, options, "/api/config", &error);
  if (response == NULL)
    return atx_remote_unreachable("apply", error);
  AtxRemoteInput input = upload_input(&upload);
  return atx_remote_follow_submission("apply", options, "POST", "/api/config", response, &input);
}

/* A device that answers only {"ok": true, "warnings": [text...]} (the reference
 * service): its warnings shown in the same format, under a code saying so. */
static void
add_warning_strings(const json_t *body, AtxDiagList *diags)
{
  if (atx_diag_list_length(diags) > 0)
    return;
  size_t index;
  const json_t *warning;
  json_array_foreach (json_object_get(body, "warnings"), index, warning)
    if (json_is_string(warning))
      atx_diag_list_add_at(diags, ATX_SEVERITY_WARNING, "device.warning", "", 0, 0, "%s",
                           json_string_value(warning));
}

static int
report_validation(const Upload *upload, const AtxRemoteOptions *options, const AtxHttpResponse *response)
{
  json_t *body = atx_remote_body_json(response);
  if (options->json) {
    if (body != NULL)
      atx_remote_print_json(body);
    json_decref(body);
    return ATX_EXIT_OK;
  }
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(body);
  add_warning_strings(body, diags);
  json_decref(body);
  g_autofree char *filename = atx_report_filename(upload->path, upload->is_bundle, diags);
  return atx_report_diagnostics(diags, filename, upload->path, TRUE);
}

int
atx_cmd_validate_remote(const char *path, const AtxRemoteOptions *options)
{
  g_auto(Upload) upload = { 0 };
  if (!upload_read(&upload, "validate", path))
    return ATX_EXIT_USAGE;
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxHttpResponse) response = upload_send(&upload, options, "/api/validate", &error);
  if (response == NULL)
    return atx_remote_unreachable("validate", error);
  if (response->status == 200)
    return report_validation(&upload, options, response);
  if (response->status == 422 || response->status == 400) {
    AtxRemoteInput input = upload_input(&upload);
    return atx_remote_invalid(options, response, &input);
  }
  return atx_remote_refused("validate", options, "POST", "/api/validate", response);
}
