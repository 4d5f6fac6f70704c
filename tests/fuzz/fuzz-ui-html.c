/* libFuzzer target for the Boot UI's diagnostics page: the input is what an
 * operator pastes. Whatever it holds, an invalid submission's fragment must
 * be valid UTF-8, hold no raw '<' of the input (everything escaped) and be
 * one #job-status section. fuzz-http cannot get here: POST /apply checks
 * the CSRF token first. */
#include <stdint.h>
#include <string.h>

#include "http/ui_html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Counts "<" that open a tag the fragment writes itself. */
static guint
count(const char *haystack, const char *needle)
{
  guint n = 0;
  for (const char *p = haystack; (p = strstr(p, needle)); p++)
    n++;
  return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) source = g_bytes_new(data, size);
  g_autoptr(AtxSubmission) submission = atx_submission_load(source, "config.toml", NULL);
  if (atx_submission_is_valid(submission))
    return 0;
  g_autoptr(GString) html = atx_ui_invalid_fragment(submission, source);
  g_assert_true(g_utf8_validate(html->str, (gssize) html->len, NULL));
  g_assert_true(g_str_has_prefix(html->str, "<section id=\"job-status\""));
  g_assert_cmpuint(count(html->str, "<section"), ==, 1);
  g_assert_cmpuint(count(html->str, "</section>"), ==, 1);
  g_assert_cmpuint(count(html->str, "<script"), ==, 0);
  g_assert_cmpuint(count(html->str, "<span"), ==, count(html->str, "</span>"));
  return 0;
}
