#include "client/progress.h"

static const AtxProgressStep steps[] = {
  {.step = "running", .elapsed_seconds = 0.0},
  {.step = "write-config", .elapsed_seconds = 1.25, .message = "writing config.toml"},
};

static void
test_format_step(void)
{
  g_autofree char *a = atx_progress_format_step(&steps[0]);
  g_autofree char *b = atx_progress_format_step(&steps[1]);
  g_assert_cmpstr(a, ==, "[   0.00s] running");
  g_assert_cmpstr(b, ==, "[   1.25s] write-config: writing config.toml");
}

static void
test_piped_output_is_plain_lines(void)
{
  g_autoptr(AtxProgress) progress = atx_progress_new(FALSE);
  g_autoptr(GString) out = g_string_new(NULL);
  atx_progress_step(progress, &steps[0], out);
  atx_progress_tick(progress, out);
  atx_progress_step(progress, &steps[1], out);
  atx_progress_tick(progress, out);
  atx_progress_finish(progress, out);
  g_assert_cmpstr(out->str, ==, "[   0.00s] running\n[   1.25s] write-config: writing config.toml\n");
}

static void
test_tty_output_has_spinner_erased_before_lines(void)
{
  g_autoptr(AtxProgress) progress = atx_progress_new(TRUE);
  g_autoptr(GString) out = g_string_new(NULL);
  atx_progress_step(progress, &steps[0], out);
  atx_progress_tick(progress, out);
  atx_progress_step(progress, &steps[1], out);
  atx_progress_finish(progress, out);
  g_assert_cmpstr(out->str, ==,
                  "[   0.00s] running\n"
                  "| running ..."
                  "\r\033[K/ running ..."
                  "\r\033[K[   1.25s] write-config: writing config.toml\n"
                  "/ write-config ..."
                  "\r\033[K");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/progress/format-step", test_format_step);
  g_test_add_func("/progress/piped-plain", test_piped_output_is_plain_lines);
  g_test_add_func("/progress/tty-spinner", test_tty_output_has_spinner_erased_before_lines);
  return g_test_run();
}
