/* libFuzzer target for the whole config pipeline, as POST /api/config and
 * `atomixctl validate` run it: bytes -> bundle or config.toml -> TOML -> schema
 * -> semantic checks; then, for a valid config, every renderer and the initial
 * change plan. Diagnostics are formatted both ways. Any crash, leak, sanitizer
 * report, GLib critical or broken invariant below is a bug. */
#include <stdint.h>
#include <string.h>

#include "core/render/change_plan.h"
#include "core/render/render.h"
#include "core/bundle/submission.h"

/* Small limits keep each run fast; the limits themselves are what is tested. */
static const AtxBundleLimits fuzz_limits = {
  .max_upload_bytes = 1024 * 1024,
  .max_decompressed_bytes = 1024 * 1024,
  .max_members = 256,
  .max_member_bytes = 256 * 1024,
};

static void
check_diagnostics(const AtxSubmission *submission)
{
  const AtxDiagList *diags = submission->diags;
  guint count = atx_diag_list_length(diags);
  guint previous_line = 0;
  for (guint i = 0; i < count; i++) {
    const AtxDiag *diag = atx_diag_list_index(diags, i);
    g_assert_true(diag->code && *diag->code);
    g_assert_nonnull(diag->pointer);
    g_assert_true(diag->pointer[0] == '\0' || diag->pointer[0] == '/');
    g_assert_true(g_utf8_validate(diag->message, -1, NULL));
    g_assert_true(diag->line > 0 || diag->column == 0);
    /* Sorted by position, unknown positions last. */
    guint line = diag->line ? diag->line : G_MAXUINT;
    g_assert_cmpuint(line, >=, previous_line);
    previous_line = line;
  }
  g_autofree char *text = atx_diag_list_format_text(diags, submission->filename);
  g_assert_true(g_utf8_validate(text, -1, NULL));

  json_t *json = atx_diag_list_to_json(diags);
  g_assert_cmpuint(json_array_size(json), ==, count);
  size_t index;
  json_t *item;
  json_array_foreach(json, index, item) {
    g_assert_true(json_is_string(json_object_get(item, "code")));
    g_assert_true(json_is_string(json_object_get(item, "severity")));
    g_assert_true(json_is_string(json_object_get(item, "pointer")));
    g_assert_true(json_is_string(json_object_get(item, "message")));
  }
  char *dumped = json_dumps(json, JSON_COMPACT | JSON_ENSURE_ASCII);
  g_assert_nonnull(dumped);
  free(dumped);
  json_decref(json);
}

static void
check_rendered(const AtxConfig *config)
{
  AtxRenderOptions options = { .config_dir = ATX_DEFAULT_CONFIG_DIR };
  g_autoptr(GPtrArray) files = atx_render_config(config, &options);
  for (guint i = 0; i < files->len; i++) {
    const AtxRenderedFile *file = g_ptr_array_index(files, i);
    /* Names come from the input (user and unit names): never a path escape. */
    g_assert_true(file->path[0] != '/' && !strstr(file->path, "..") && !strstr(file->path, "//"));
    gsize len = 0;
    const char *data = g_bytes_get_data(file->content, &len);
    if (g_str_has_suffix(file->path, ".json")) {
      g_assert_cmpuint(file->mode, ==, 0600);
      json_error_t error;
      json_t *json = json_loadb(data, len, 0, &error);
      g_assert_nonnull(json);
      json_decref(json);
    } else if (g_str_has_prefix(file->path, "quadlet/")) {
      g_assert_cmpuint(file->mode, ==, 0644);
      /* One directive per line: no value smuggled a line break or NUL in. */
      g_assert_true(len > 0 && data[len - 1] == '\n' && memchr(data, '\0', len) == NULL);
      g_assert_true(memchr(data, '\r', len) == NULL);
      g_assert_true(len < 2 || data[len - 2] != '\n');
    }
  }
  g_autoptr(GHashTable) tree = atx_rendered_files_to_tree(files);
  g_autoptr(GError) error = NULL;
  g_autoptr(AtxChangePlan) plan = atx_change_plan_compute(NULL, tree, ATX_DEFAULT_CONFIG_DIR "/files", &error);
  g_assert_no_error(error);
  g_assert_nonnull(plan);
  g_assert_cmpuint(plan->added->len, ==, files->len);
  g_autoptr(AtxChangePlan) same = atx_change_plan_compute(tree, tree, ATX_DEFAULT_CONFIG_DIR "/files", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(same->changed->len + same->added->len + same->removed->len, ==, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static(data, size);
  g_autoptr(AtxSubmission) submission = atx_submission_load(bytes, "config.toml", &fuzz_limits);
  g_assert_nonnull(submission);
  g_assert_nonnull(submission->diags);
  gboolean valid = atx_submission_is_valid(submission);
  g_assert_true(valid == (submission->config != NULL));
  check_diagnostics(submission);
  if (valid)
    check_rendered(submission->config);
  return 0;
}
