/* libFuzzer target for what atomixctl reads from a device besides the event
 * stream framing: error bodies (problem+json diagnostics and messages), job
 * resources, job lists and job events, as src/client/problem.c and job_view.c
 * read them, and the nonce of GET /api/nonce (src/client/signer.c): a nonce
 * accepted as sane can never break the header it travels in. The text shown must never carry a control character other than the
 * newlines the formats themselves add. Any crash, leak or sanitizer report is a bug. */
#include <stdint.h>
#include <string.h>

#include "client/job_view.h"
#include "client/problem.h"
#include "client/signer.h"

static void
assert_printable(const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    g_assert((guchar) *c >= 0x20 || *c == '\n');
}

static void
show_job(const json_t *job)
{
  g_autofree char *summary = atx_job_format_summary(job);
  g_autofree char *row = atx_job_format_row(job);
  assert_printable(summary);
  assert_printable(row);
  (void) atx_job_exit_status(job);
  (void) atx_job_is_terminal(job);
  size_t index;
  const json_t *event;
  json_array_foreach (json_object_get(job, "events"), index, event) {
    AtxProgressStep step;
    (void) atx_job_event_seq(event);
    (void) atx_job_event_is_terminal(event);
    if (atx_job_event_to_step(event, &step)) {
      g_autofree char *line = atx_progress_format_step(&step);
      g_assert(strchr(line, '\n') == NULL);
      assert_printable(line);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *message = atx_problem_message((const char *) data, size);
  if (message != NULL)
    assert_printable(message);
  json_t *root = json_loadb((const char *) data, size, 0, NULL);
  if (root == NULL)
    return 0;
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(root);
  g_autofree char *text = atx_diag_list_format_text(diags, "config.toml");
  assert_printable(text);
  show_job(root);
  const json_t *items = atx_job_list_items(root);
  size_t index;
  const json_t *job;
  json_array_foreach (items, index, job)
    show_job(job);
  const char *nonce = json_string_value(json_object_get(root, "nonce"));
  if (nonce != NULL && atx_signature_nonce_is_sane(nonce)) {
    g_assert(strpbrk(nonce, "\r\n: ") == NULL);
    g_autofree char *signed_text = atx_signature_message(NULL, nonce, "/api/config", NULL);
    g_assert(g_str_has_prefix(signed_text, "atomixos-reapply-v1\nnonce:"));
  }
  json_decref(root);
  return 0;
}
