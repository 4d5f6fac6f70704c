/* How atomixctl reads and shows jobs (src/client/job_view.h). */
#include "client/job_view.h"

static json_t *
parse(const char *text)
{
  json_t *json = json_loads(text, 0, NULL);
  g_assert_nonnull(json);
  return json;
}

static void
test_event_to_step(void)
{
  json_t *event = parse("{\"seq\":7,\"step\":\"write-config\",\"elapsed_seconds\":1.5,\"message\":\"writing\"}");
  AtxProgressStep step;
  g_assert_true(atx_job_event_to_step(event, &step));
  g_assert_cmpstr(step.step, ==, "write-config");
  g_assert_cmpstr(step.message, ==, "writing");
  g_assert_cmpfloat(step.elapsed_seconds, ==, 1.5);
  g_assert_cmpuint(atx_job_event_seq(event), ==, 7);
  g_assert_false(atx_job_event_is_terminal(event));
  json_decref(event);

  json_t *odd = parse("{\"seq\":-1,\"step\":\"failed\",\"elapsed_seconds\":\"soon\"}");
  g_assert_true(atx_job_event_to_step(odd, &step));
  g_assert_cmpfloat(step.elapsed_seconds, ==, 0.0);
  g_assert_null(step.message);
  g_assert_cmpuint(atx_job_event_seq(odd), ==, 0);
  g_assert_true(atx_job_event_is_terminal(odd));
  json_decref(odd);

  json_t *nameless = parse("{\"seq\":1}");
  g_assert_false(atx_job_event_to_step(nameless, &step));
  json_decref(nameless);
}

static void
test_exit_status_by_outcome(void)
{
  static const struct {
    const char *job;
    int status;
    gboolean terminal;
  } cases[] = {
    { "{\"state\":\"succeeded\"}", 0, TRUE },
    { "{\"state\":\"succeeded\",\"result\":{\"rolled_back\":true}}", 1, TRUE },
    { "{\"state\":\"failed\",\"rollback_status\":\"completed\"}", 1, TRUE },
    { "{\"state\":\"failed\"}", 1, TRUE },
    { "{\"state\":\"running\"}", 1, FALSE },
    { "{}", 1, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    json_t *job = parse(cases[i].job);
    g_assert_cmpint(atx_job_exit_status(job), ==, cases[i].status);
    g_assert_cmpint(atx_job_is_terminal(job), ==, cases[i].terminal);
    json_decref(job);
  }
}

static void
test_summary(void)
{
  json_t *ok = parse("{\"id\":\"j1\",\"state\":\"succeeded\",\"duration_seconds\":4.2,\"result\":{\"warnings\":"
                     "[\"w1\"],\"forwarding_url\":\"http://172.20.30.1:8080\"}}");
  g_autofree char *ok_text = atx_job_format_summary(ok);
  g_assert_cmpstr(ok_text, ==,
                  "Job j1 succeeded in 4.20s\n  warning: w1\n  the API now answers at http://172.20.30.1:8080\n");
  json_decref(ok);

  json_t *failed = parse("{\"id\":\"j2\",\"state\":\"failed\",\"error\":\"activation failed:\\u001b[2J web\","
                         "\"rollback_status\":\"completed\",\"recovery\":\"rolled back\"}");
  g_autofree char *failed_text = atx_job_format_summary(failed);
  g_assert_cmpstr(failed_text, ==,
                  "Job j2 failed\n  error: activation failed: [2J web\n  rollback: completed\n"
                  "  recovery: rolled back\n");
  json_decref(failed);

  json_t *running = parse("{\"id\":\"j3\",\"state\":\"running\",\"current_step\":\"promote\"}");
  g_autofree char *running_text = atx_job_format_summary(running);
  g_assert_cmpstr(running_text, ==, "Job j3 running (at promote)\n");
  json_decref(running);
}

static void
test_job_list_shapes(void)
{
  json_t *object = parse("{\"jobs\":[{\"id\":\"a\"}]}");
  json_t *array = parse("[{\"id\":\"a\"}]");
  json_t *other = parse("{\"jobs\":{}}");
  g_assert_cmpuint(json_array_size(atx_job_list_items(object)), ==, 1);
  g_assert_true(atx_job_list_items(array) == array);
  g_assert_null(atx_job_list_items(other));
  g_assert_null(atx_job_list_items(NULL));
  g_autofree char *row = atx_job_format_row(json_array_get(array, 0));
  g_assert_true(g_str_has_prefix(row, "a "));
  json_decref(object);
  json_decref(array);
  json_decref(other);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/job-view/event", test_event_to_step);
  g_test_add_func("/job-view/exit-status", test_exit_status_by_outcome);
  g_test_add_func("/job-view/summary", test_summary);
  g_test_add_func("/job-view/list", test_job_list_shapes);
  return g_test_run();
}
