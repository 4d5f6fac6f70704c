#include "client/job_view.h"

static const char *
string_member(const json_t *object, const char *key)
{
  return json_string_value(json_object_get(object, key));
}

/* Network text on the operator's terminal: control characters become spaces. */
static char *
printable(const char *text)
{
  char *copy = g_strdup(text != NULL ? text : "");
  for (char *c = copy; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  return copy;
}

gboolean
atx_job_event_to_step(const json_t *event, AtxProgressStep *step)
{
  const char *name = string_member(event, "step");
  if (name == NULL)
    return FALSE;
  const json_t *elapsed = json_object_get(event, "elapsed_seconds");
  *step = (AtxProgressStep){
    .step = name,
    .elapsed_seconds = json_is_number(elapsed) ? json_number_value(elapsed) : 0.0,
    .message = string_member(event, "message"),
  };
  return TRUE;
}

guint64
atx_job_event_seq(const json_t *event)
{
  const json_t *seq = json_object_get(event, "seq");
  return json_is_integer(seq) && json_integer_value(seq) > 0 ? (guint64) json_integer_value(seq) : 0;
}

gboolean
atx_job_event_is_terminal(const json_t *event)
{
  const char *step = string_member(event, "step");
  return g_strcmp0(step, "completed") == 0 || g_strcmp0(step, "failed") == 0;
}

gboolean
atx_job_is_terminal(const json_t *job)
{
  const char *state = string_member(job, "state");
  return g_strcmp0(state, "succeeded") == 0 || g_strcmp0(state, "failed") == 0;
}

static gboolean
rolled_back(const json_t *job)
{
  return json_is_true(json_object_get(json_object_get(job, "result"), "rolled_back")) ||
         string_member(job, "rollback_status") != NULL;
}

int
atx_job_exit_status(const json_t *job)
{
  return g_strcmp0(string_member(job, "state"), "succeeded") == 0 && !rolled_back(job) ? 0 : 1;
}

static void
append_warnings(GString *out, const json_t *job)
{
  size_t index;
  const json_t *warning;
  json_array_foreach (json_object_get(json_object_get(job, "result"), "warnings"), index, warning) {
    g_autofree char *text = printable(json_string_value(warning));
    g_string_append_printf(out, "  warning: %s\n", text);
  }
}

char *
atx_job_format_summary(const json_t *job)
{
  g_autofree char *id = printable(string_member(job, "id"));
  g_autofree char *state = printable(string_member(job, "state"));
  GString *out = g_string_new(NULL);
  g_string_append_printf(out, "Job %s %s", id, *state ? state : "(no state)");
  const json_t *duration = json_object_get(job, "duration_seconds");
  if (json_is_number(duration))
    g_string_append_printf(out, " in %.2fs", json_number_value(duration));
  if (!atx_job_is_terminal(job)) {
    g_autofree char *step = printable(string_member(job, "current_step"));
    if (*step)
      g_string_append_printf(out, " (at %s)", step);
  }
  g_string_append_c(out, '\n');
  if (string_member(job, "error") != NULL) {
    g_autofree char *error = printable(string_member(job, "error"));
    g_string_append_printf(out, "  error: %s\n", error);
  }
  if (string_member(job, "rollback_status") != NULL) {
    g_autofree char *rollback = printable(string_member(job, "rollback_status"));
    g_string_append_printf(out, "  rollback: %s\n", rollback);
  }
  if (string_member(job, "recovery") != NULL) {
    g_autofree char *recovery = printable(string_member(job, "recovery"));
    g_string_append_printf(out, "  recovery: %s\n", recovery);
  }
  append_warnings(out, job);
  const char *forwarding = string_member(json_object_get(job, "result"), "forwarding_url");
  if (forwarding != NULL) {
    g_autofree char *url = printable(forwarding);
    g_string_append_printf(out, "  the API now answers at %s\n", url);
  }
  return g_string_free(out, FALSE);
}

char *
atx_job_format_header(void)
{
  return g_strdup_printf("%-36s  %-9s  %-24s  %s", "ID", "STATE", "STEP", "CREATED");
}

char *
atx_job_format_row(const json_t *job)
{
  g_autofree char *id = printable(string_member(job, "id"));
  g_autofree char *state = printable(string_member(job, "state"));
  g_autofree char *step = printable(string_member(job, "current_step"));
  g_autofree char *created = printable(string_member(job, "created_at"));
  return g_strdup_printf("%-36s  %-9s  %-24s  %s", id, state, step, created);
}

const json_t *
atx_job_list_items(const json_t *body)
{
  if (json_is_array(body))
    return body;
  const json_t *jobs = json_object_get(body, "jobs");
  return json_is_array(jobs) ? jobs : NULL;
}
