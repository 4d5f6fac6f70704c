#include "core/submission.h"

#include "core/error.h"

void
atx_submission_free(AtxSubmission *submission)
{
  if (!submission)
    return;
  g_free(submission->filename);
  atx_bundle_free(submission->bundle);
  atx_config_free(submission->config);
  atx_diag_list_free(submission->diags);
  g_free(submission);
}

AtxSubmission *
atx_submission_load(GBytes *data, const char *filename, const AtxBundleLimits *limits)
{
  AtxSubmission *submission = g_new0(AtxSubmission, 1);
  submission->diags = atx_diag_list_new();
  const char *shown = filename && *filename ? filename : "config.toml";
  g_autoptr(GError) error = NULL;
  submission->bundle = atx_bundle_read(data, filename, limits, &error);
  if (!submission->bundle) {
    submission->filename = g_strdup(shown);
    const char *code = g_error_matches(error, ATX_ERROR, ATX_ERROR_LIMIT) ? "bundle.limit" : "bundle.invalid";
    atx_diag_list_add_at(submission->diags, ATX_SEVERITY_ERROR, code, "", 0, 0, "%s", error->message);
    return submission;
  }
  submission->filename = submission->bundle->format == ATX_BUNDLE_PLAIN
                             ? g_strdup(shown)
                             : g_strconcat(shown, ":config.toml", NULL);
  submission->config = atx_config_load(submission->bundle->config_toml, submission->diags);
  atx_diag_list_sort(submission->diags);
  return submission;
}

gboolean
atx_submission_is_valid(const AtxSubmission *submission)
{
  return submission->config != NULL && !atx_diag_list_has_errors(submission->diags);
}

gboolean
atx_submission_path_supported(const char *path, GBytes *data, GError **error)
{
  g_autofree char *lower = g_ascii_strdown(path, -1);
  if (g_str_has_suffix(lower, ".toml") || atx_bundle_detect(path, data) != ATX_BUNDLE_PLAIN)
    return TRUE;
  g_set_error(error, ATX_ERROR, ATX_ERROR_UNSUPPORTED,
              "supported import inputs are config.toml, .tar.gz/.tgz, and .tar.zst/.tar.zstd/.tzst");
  return FALSE;
}
