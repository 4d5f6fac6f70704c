#include "client/sse.h"

#include <string.h>

#include "core/base/error.h"

struct _AtxSseParser {
  AtxSseEventFunc on_event;
  AtxSseCommentFunc on_comment;
  gpointer user_data;
  GString *line;
  GString *data;
  GString *event_type;
  GString *last_id;
  gint64 retry_ms;
  gboolean after_cr; /* the previous byte was a CR: a following LF ends nothing */
  gboolean has_data;
  gboolean broken;
};

AtxSseParser *
atx_sse_parser_new(AtxSseEventFunc on_event, AtxSseCommentFunc on_comment, gpointer user_data)
{
  AtxSseParser *parser = g_new0(AtxSseParser, 1);
  *parser = (AtxSseParser){
    .on_event = on_event,
    .on_comment = on_comment,
    .user_data = user_data,
    .line = g_string_new(NULL),
    .data = g_string_new(NULL),
    .event_type = g_string_new(NULL),
    .last_id = g_string_new(NULL),
    .retry_ms = -1,
  };
  return parser;
}

void
atx_sse_parser_free(AtxSseParser *parser)
{
  if (parser == NULL)
    return;
  g_string_free(parser->line, TRUE);
  g_string_free(parser->data, TRUE);
  g_string_free(parser->event_type, TRUE);
  g_string_free(parser->last_id, TRUE);
  g_free(parser);
}

static void
dispatch(AtxSseParser *parser)
{
  if (parser->has_data && parser->on_event != NULL) {
    AtxSseEvent event = {
      .id = parser->last_id->str,
      .event = parser->event_type->len > 0 ? parser->event_type->str : "message",
      .data = parser->data->str,
    };
    parser->on_event(&event, parser->user_data);
  }
  g_string_truncate(parser->data, 0);
  g_string_truncate(parser->event_type, 0);
  parser->has_data = FALSE;
}

static void
parse_retry(AtxSseParser *parser, const char *value)
{
  if (*value == '\0' || strspn(value, "0123456789") != strlen(value))
    return;
  guint64 ms = g_ascii_strtoull(value, NULL, 10);
  parser->retry_ms = ms > G_MAXINT32 ? G_MAXINT32 : (gint64)ms;
}

static gboolean
process_line(AtxSseParser *parser, GError **error)
{
  const char *line = parser->line->str;
  if (*line == '\0') {
    dispatch(parser);
    return TRUE;
  }
  if (*line == ':') {
    if (parser->on_comment != NULL)
      parser->on_comment(line + 1, parser->user_data);
    return TRUE;
  }
  const char *colon = strchr(line, ':');
  g_autofree char *field = colon ? g_strndup(line, colon - line) : g_strdup(line);
  const char *value = colon ? colon + 1 : "";
  if (*value == ' ')
    value++;

  if (g_str_equal(field, "data")) {
    if (parser->data->len + strlen(value) + 1 > ATX_SSE_MAX_EVENT_BYTES) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT,
                  "event stream: event data exceeds %d bytes", ATX_SSE_MAX_EVENT_BYTES);
      return FALSE;
    }
    if (parser->has_data)
      g_string_append_c(parser->data, '\n');
    g_string_append(parser->data, value);
    parser->has_data = TRUE;
  } else if (g_str_equal(field, "event")) {
    g_string_assign(parser->event_type, value);
  } else if (g_str_equal(field, "id")) {
    g_string_assign(parser->last_id, value);
  } else if (g_str_equal(field, "retry")) {
    parse_retry(parser, value);
  }
  /* Unknown fields are ignored, as the spec requires. */
  return TRUE;
}

static gboolean
end_line(AtxSseParser *parser, GError **error)
{
  gboolean ok = process_line(parser, error);
  g_string_truncate(parser->line, 0);
  return ok;
}

gboolean
atx_sse_parser_feed(AtxSseParser *parser, const char *data, gsize len, GError **error)
{
  if (parser->broken) {
    g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "event stream: parser already failed");
    return FALSE;
  }
  for (gsize i = 0; i < len; i++) {
    char c = data[i];
    gboolean skip_lf = parser->after_cr && c == '\n';
    parser->after_cr = c == '\r';
    if (skip_lf)
      continue;
    if (c == '\r' || c == '\n') {
      if (!end_line(parser, error))
        goto broken;
      continue;
    }
    if (c == '\0') {
      g_set_error(error, ATX_ERROR, ATX_ERROR_INVALID, "event stream: NUL byte in stream");
      goto broken;
    }
    if (parser->line->len >= ATX_SSE_MAX_EVENT_BYTES) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_LIMIT,
                  "event stream: line exceeds %d bytes", ATX_SSE_MAX_EVENT_BYTES);
      goto broken;
    }
    g_string_append_c(parser->line, c);
  }
  return TRUE;

broken:
  parser->broken = TRUE;
  return FALSE;
}

const char *
atx_sse_parser_last_event_id(const AtxSseParser *parser)
{
  return parser->last_id->str;
}

gint64
atx_sse_parser_retry_ms(const AtxSseParser *parser)
{
  return parser->retry_ms;
}
