/* The Boot UI's HTML fragments (ui_html.h). */
#include "http/ui_html.h"

#include <string.h>

#define MAX_LOG_EVENTS 40

void
atx_ui_append_escaped(GString *html, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
  g_autofree char *escaped = g_markup_escape_text(valid, -1);
  g_string_append(html, escaped);
}

/* "line 3, column 7: /pointer: message (hint)" as list items. */
static void
append_diagnostics(GString *html, json_t *diagnostics)
{
  if (json_array_size(diagnostics) == 0)
    return;
  g_string_append(html, "<ol class=\"diagnostics\">\n");
  size_t i;
  json_t *diag;
  json_array_foreach (diagnostics, i, diag) {
    json_int_t line = json_integer_value(json_object_get(diag, "line"));
    json_int_t column = json_integer_value(json_object_get(diag, "column"));
    g_string_append(html, "<li class=\"diag-");
    atx_ui_append_escaped(html, json_string_value(json_object_get(diag, "severity")));
    g_string_append_c(html, '"');
    if (line > 0)
      g_string_append_printf(html,
                             " data-line=\"%" JSON_INTEGER_FORMAT "\" data-column=\"%" JSON_INTEGER_FORMAT
                             "\"><span class=\"where\">line %" JSON_INTEGER_FORMAT ", column %" JSON_INTEGER_FORMAT
                             "</span> ",
                             line, column, line, column);
    else
      g_string_append(html, "><span class=\"where\">whole document</span> ");
    g_string_append(html, "<code class=\"pointer\">");
    atx_ui_append_escaped(html, json_string_value(json_object_get(diag, "pointer")));
    g_string_append(html, "</code> <span class=\"text\">");
    atx_ui_append_escaped(html, json_string_value(json_object_get(diag, "message")));
    g_string_append(html, "</span>");
    const char *hint = json_string_value(json_object_get(diag, "hint"));
    if (hint) {
      g_string_append(html, " <em class=\"hint\">");
      atx_ui_append_escaped(html, hint);
      g_string_append(html, "</em>");
    }
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ol>\n");
}

/* The operator's text, numbered, each diagnostic under its line with a
 * caret at its column. Only for text (a bundle is not shown). */
static void
append_annotated_source(GString *html, GBytes *source, json_t *diagnostics)
{
  gsize len = 0;
  const char *data = g_bytes_get_data(source, &len);
  if (len == 0 || memchr(data, '\0', len) || !g_utf8_validate_len(data, len, NULL))
    return;
  g_autofree char *text = g_strndup(data, len);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  g_string_append(html, "<pre class=\"source\">");
  for (guint n = 0; lines[n]; n++) {
    gboolean marked = FALSE;
    size_t i;
    json_t *diag;
    json_array_foreach (diagnostics, i, diag)
      marked |= json_integer_value(json_object_get(diag, "line")) == n + 1;
    if (!lines[n + 1] && lines[n][0] == '\0' && !marked)
      break; /* the text's final newline, unless a diagnostic points at the end */
    g_strchomp(lines[n]);
    g_string_append_printf(html, "<span class=\"line%s\" data-line=\"%u\"><span class=\"ln\">%4u</span> ",
                           marked ? " has-diag" : "", n + 1, n + 1);
    atx_ui_append_escaped(html, lines[n]);
    g_string_append(html, "</span>\n");
    json_array_foreach (diagnostics, i, diag) {
      if (json_integer_value(json_object_get(diag, "line")) != n + 1)
        continue;
      json_int_t column = json_integer_value(json_object_get(diag, "column"));
      g_string_append_printf(html, "<span class=\"note\" data-line=\"%u\">     %*s^ ", n + 1,
                             (int) CLAMP(column - 1, 0, 200), "");
      g_string_append_printf(html, "%u:%" JSON_INTEGER_FORMAT " ", n + 1, column);
      atx_ui_append_escaped(html, json_string_value(json_object_get(diag, "message")));
      g_string_append(html, "</span>\n");
    }
  }
  g_string_append(html, "</pre>\n");
}

GString *
atx_ui_invalid_fragment(const AtxSubmission *submission, GBytes *source)
{
  json_t *diagnostics = atx_diag_list_to_json(submission->diags);
  guint errors = atx_diag_list_count(submission->diags, ATX_SEVERITY_ERROR);
  GString *html =
      g_string_new("<section id=\"job-status\" class=\"message status-invalid\" data-state=\"invalid\">"
                   "<p class=\"summary\">");
  atx_ui_append_escaped(html, submission->filename);
  g_string_append_printf(html, " is invalid: %u error%s; nothing was written.</p>\n", errors,
                         errors == 1 ? "" : "s");
  append_diagnostics(html, diagnostics);
  append_annotated_source(html, source, diagnostics);
  g_string_append(html, "</section>\n");
  json_decref(diagnostics);
  return html;
}

/* The last MAX_LOG_EVENTS events as "step: message". */
static void
append_event_log(GString *html, json_t *events)
{
  size_t count = json_array_size(events);
  g_string_append(html, "<ol class=\"event-log\" id=\"event-log\">\n");
  for (size_t i = count > MAX_LOG_EVENTS ? count - MAX_LOG_EVENTS : 0; i < count; i++) {
    json_t *event = json_array_get(events, i);
    g_string_append(html, "<li><code>");
    atx_ui_append_escaped(html, json_string_value(json_object_get(event, "step")));
    g_string_append(html, "</code>");
    const char *message = json_string_value(json_object_get(event, "message"));
    if (message) {
      g_string_append(html, ": ");
      atx_ui_append_escaped(html, message);
    }
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ol>\n");
}

static void
append_result(GString *html, json_t *job)
{
  json_t *result = json_object_get(job, "result");
  const char *url = json_string_value(json_object_get(result, "forwarding_url"));
  g_string_append(html, "<p>Configuration applied.</p>\n");
  if (url) {
    g_string_append(html, "<p>Continue at <a href=\"");
    atx_ui_append_escaped(html, url);
    g_string_append(html, "\">");
    atx_ui_append_escaped(html, url);
    g_string_append(html, "</a>.</p>\n");
  }
  json_t *warnings = json_object_get(result, "warnings");
  if (json_array_size(warnings) == 0)
    return;
  g_string_append(html, "<h3>Warnings</h3>\n<ul class=\"warnings\">\n");
  size_t i;
  json_t *warning;
  json_array_foreach (warnings, i, warning) {
    g_string_append(html, "<li>");
    atx_ui_append_escaped(html, json_string_value(warning));
    g_string_append(html, "</li>\n");
  }
  g_string_append(html, "</ul>\n");
}

static void
append_failure(GString *html, json_t *job)
{
  g_string_append(html, "<p>Configuration failed.</p>\n<p class=\"error\">");
  const char *error = json_string_value(json_object_get(job, "error"));
  atx_ui_append_escaped(html, error ? error : "unknown error");
  g_string_append(html, "</p>\n");
  const char *rollback = json_string_value(json_object_get(job, "rollback_status"));
  if (rollback) {
    g_string_append(html, "<p><strong>Rollback status:</strong> ");
    atx_ui_append_escaped(html, rollback);
    g_string_append(html, "</p>\n");
  }
  append_diagnostics(html, json_object_get(job, "diagnostics"));
}

GString *
atx_ui_job_fragment(AtxJob *job, gboolean *finished_out)
{
  json_t *resource = atx_job_to_json(job, 0);
  const char *state = json_string_value(json_object_get(resource, "state"));
  gboolean succeeded = g_strcmp0(state, "succeeded") == 0;
  gboolean failed = g_strcmp0(state, "failed") == 0;
  *finished_out = succeeded || failed;
  GString *html = g_string_new(NULL);
  g_string_append_printf(html,
                         "<section id=\"job-status\" class=\"message status-%s\" data-job-id=\"%s\" "
                         "data-state=\"%s\">\n",
                         state, atx_job_id(job), state);
  g_string_append(html, "<p>State: <strong class=\"state\">");
  atx_ui_append_escaped(html, state);
  g_string_append(html, "</strong></p>\n");
  if (succeeded) {
    append_result(html, resource);
  } else if (failed) {
    append_failure(html, resource);
  } else {
    g_string_append(html, "<p>Applying configuration...</p>\n<p>Current stage: <code class=\"current-step\">");
    atx_ui_append_escaped(html, json_string_value(json_object_get(resource, "current_step")));
    g_string_append(html, "</code></p>\n");
  }
  append_event_log(html, json_object_get(resource, "events"));
  g_string_append(html, "</section>\n");
  json_decref(resource);
  return html;
}

GString *
atx_ui_message_fragment(const char *state, const char *message)
{
  GString *html = g_string_new(NULL);
  g_string_append_printf(html, "<section id=\"job-status\" class=\"message status-%s\" data-state=\"%s\"><p>",
                         state, state);
  atx_ui_append_escaped(html, message);
  g_string_append(html, "</p></section>\n");
  return html;
}
