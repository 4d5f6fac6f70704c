/* bench-validate FILE...: in-process cost of what `atomixctl validate` and the
 * device do with a submission, one JSON line per (input, op).
 *
 * Ops:
 *   validate         atx_submission_load (bundle unpacking when FILE is an
 *                    archive, TOML parse, schema, semantic checks)
 *   validate+render  atx_submission_load + atx_render_config (every derived
 *                    file of /data/config, in memory) */
#include "bench-common.h"

#include <stdio.h>

#include "core/render/render.h"
#include "core/bundle/submission.h"

static const char usage[] =
  "In-process benchmark of submission validation and rendering.\n"
  "Prints one JSON line per input and op (same fields as bench-parse).\n"
  "FILE is a config.toml or a bundle (.tar.gz/.tgz/.tar.zst), chosen by name\n"
  "exactly as atomixctl does. An invalid submission is an error (exit 1).";

static const BenchOpInfo ops[] = {
  { "validate", "atx_submission_load (bundle read, parse, schema, semantics)" },
  { "validate+render", "atx_submission_load + atx_render_config" },
  { NULL, NULL },
};

typedef struct {
  const char *input;
  GBytes *bytes;
  gboolean render;
} State;

static gboolean
op_validate(gpointer user_data)
{
  State *state = user_data;
  AtxSubmission *submission = atx_submission_load(state->bytes, state->input, NULL);
  if (!atx_submission_is_valid(submission)) {
    g_autofree char *text = atx_diag_list_format_text(submission->diags, submission->filename);
    g_printerr("%s: not valid:\n%s", state->input, text);
    atx_submission_free(submission);
    return FALSE;
  }
  if (state->render) {
    AtxRenderOptions options = { .config_dir = ATX_DEFAULT_CONFIG_DIR };
    GPtrArray *files = atx_render_config(submission->config, &options);
    g_ptr_array_unref(files);
  }
  atx_submission_free(submission);
  return TRUE;
}

int
main(int argc, char **argv)
{
  BenchOptions options = { 0 };
  if (!bench_parse_args(&argc, &argv, usage, ops, &options))
    return 2;
  int status = 0;
  for (guint i = 0; options.inputs[i]; i++) {
    g_autoptr(GBytes) bytes = bench_read_file(options.inputs[i]);
    State state = { options.inputs[i], bytes, FALSE };
    gsize len = g_bytes_get_size(bytes);
    if (bench_op_selected(&options, "validate") &&
        !bench_measure(&options, state.input, len, "validate", 1, op_validate, &state))
      status = 1;
    state.render = TRUE;
    if (bench_op_selected(&options, "validate+render") &&
        !bench_measure(&options, state.input, len, "validate+render", 1, op_validate, &state))
      status = 1;
  }
  bench_options_clear(&options);
  return status;
}
