/* Reading the device's error bodies (src/client/problem.h). */
#include "client/problem.h"

#include <string.h>

static json_t *
parse(const char *text)
{
  json_t *json = json_loads(text, 0, NULL);
  g_assert_nonnull(json);
  return json;
}

static void
test_problem_diagnostics_keep_every_field(void)
{
  json_t *problem = parse(
      "{\"type\":\"about:blank\",\"title\":\"Invalid\",\"status\":422,\"error\":\"x\",\"diagnostics\":["
      "{\"code\":\"schema.type\",\"severity\":\"error\",\"pointer\":\"/users/a/isAdmin\",\"line\":4,\"column\":11,"
      "\"message\":\"expected a boolean\",\"hint\":\"write true or false\"},"
      "{\"code\":\"ports.wan\",\"severity\":\"warning\",\"pointer\":\"/network\",\"message\":\"open\"}]}");
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(problem);
  json_decref(problem);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 2);
  g_autofree char *text = atx_diag_list_format_text(diags, "config.toml");
  g_assert_cmpstr(text, ==,
                  "config.toml:4:11: error[schema.type]: expected a boolean\n"
                  "  hint: write true or false\n"
                  "config.toml: warning[ports.wan]: open (at /network)\n");
}

static void
test_problem_diagnostics_skip_malformed_entries(void)
{
  json_t *problem = parse("{\"diagnostics\":[1,\"x\",{},{\"code\":\"a\"},{\"message\":\"m\"},"
                          "{\"code\":\"c\",\"message\":\"m\",\"line\":-3,\"column\":\"7\",\"pointer\":5,"
                          "\"severity\":\"fatal\"}]}");
  g_autoptr(AtxDiagList) diags = atx_problem_diagnostics(problem);
  json_decref(problem);
  g_assert_cmpuint(atx_diag_list_length(diags), ==, 1);
  const AtxDiag *diag = atx_diag_list_index(diags, 0);
  g_assert_cmpuint(diag->line, ==, 0);
  g_assert_cmpuint(diag->column, ==, 0);
  g_assert_cmpstr(diag->pointer, ==, "");
  g_assert_cmpint(diag->severity, ==, ATX_SEVERITY_ERROR);

  g_autoptr(AtxDiagList) none = atx_problem_diagnostics(NULL);
  g_assert_cmpuint(atx_diag_list_length(none), ==, 0);
}

static void
test_problem_message_of_each_body_shape(void)
{
  static const struct {
    const char *body;
    const char *message;
  } cases[] = {
    { "{\"error\": \"a provision job is already running: j1\"}", "a provision job is already running: j1" },
    { "{\"error\": \"two\\nlines\\u001b[2J\"}", "two lines [2J" },
    { "{\"ok\": false, \"error\": \"bad toml\"}", "bad toml" },
    { "{\"status_code\": 401, \"detail\": \"invalid or expired nonce\"}", "invalid or expired nonce" },
    { "{\"title\": \"Payload Too Large\", \"status\": 413}", "Payload Too Large" },
    { "  upstream broke\r\n\x1b[31m", "upstream broke   [31m" },
    { "   ", NULL },
    { "", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *message = atx_problem_message(cases[i].body, strlen(cases[i].body));
    g_assert_cmpstr(message, ==, cases[i].message);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/problem/diagnostics", test_problem_diagnostics_keep_every_field);
  g_test_add_func("/problem/malformed", test_problem_diagnostics_skip_malformed_entries);
  g_test_add_func("/problem/message", test_problem_message_of_each_body_shape);
  return g_test_run();
}
