#include "core/bundle/submission.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"

void
atx_submission_free(AtxSubmission *submission)
{
  if (!submission)
    return;
  /* submission->filename lives in the same allocation (submission_new). */
  atx_bundle_free(submission->bundle);
  atx_config_free(submission->config);
  atx_diag_list_free(submission->diags);
  g_free(submission);
}

/* One allocation for the submission and its filename, @shown followed by
 * @suffix. */
static AtxSubmission *
submission_new(const char *shown, const char *suffix)
{
  gsize shown_len = strlen(shown), suffix_size = strlen(suffix) + 1;
  AtxSubmission *submission = g_malloc0(sizeof *submission + shown_len + suffix_size);
  submission->filename = (char *) (submission + 1);
  memcpy(submission->filename, shown, shown_len);
  memcpy(submission->filename + shown_len, suffix, suffix_size);
  submission->diags = atx_diag_list_new();
  return submission;
}

static const char *
diag_code(const GError *error)
{
  if (g_error_matches(error, ATX_ERROR, ATX_ERROR_LIMIT))
    return "bundle.limit";
  if (g_error_matches(error, ATX_ERROR, ATX_ERROR_IO))
    return "bundle.io";
  return "bundle.invalid";
}

/* Takes @bundle (NULL when @error says why it could not be read). */
static AtxSubmission *
submission_from_bundle(const char *filename, AtxBundle *bundle, const GError *error)
{
  const char *shown = filename && *filename ? filename : "config.toml";
  if (!bundle) {
    AtxSubmission *submission = submission_new(shown, "");
    atx_diag_list_add_at(submission->diags, ATX_SEVERITY_ERROR, diag_code(error), "", 0, 0, "%s", error->message);
    return submission;
  }
  AtxSubmission *submission = submission_new(shown, bundle->format == ATX_BUNDLE_PLAIN ? "" : ":config.toml");
  submission->bundle = bundle;
  submission->config = atx_config_load(submission->bundle->config_toml, submission->diags);
  atx_diag_list_sort(submission->diags);
  return submission;
}

AtxSubmission *
atx_submission_load(GBytes *data, const char *filename, const AtxBundleLimits *limits)
{
  g_autoptr(GError) error = NULL;
  AtxBundle *bundle = atx_bundle_read(data, filename, limits, &error);
  return submission_from_bundle(filename, bundle, error);
}

AtxSubmission *
atx_submission_load_file(const char *path, const char *filename, const AtxBundleLimits *limits)
{
  g_autoptr(GError) error = NULL;
  AtxBundle *bundle = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int saved = errno;
    g_set_error(&error, ATX_ERROR, ATX_ERROR_IO, "cannot open %s: %s", path, g_strerror(saved));
  } else {
    bundle = atx_bundle_read_fd(fd, filename, limits, NULL, NULL, &error);
    close(fd);
  }
  return submission_from_bundle(filename, bundle, error);
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
