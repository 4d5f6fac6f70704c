#include <string.h>

#include "client/sse.h"
#include "core/base/error.h"

typedef struct {
  GString *log; /* one "id|event|data" or "#comment" per line */
} Recorder;

static void
on_event(const AtxSseEvent *event, gpointer user_data)
{
  Recorder *rec = user_data;
  g_string_append_printf(rec->log, "%s|%s|%s\n", event->id, event->event, event->data);
}

static void
on_comment(const char *comment, gpointer user_data)
{
  Recorder *rec = user_data;
  g_string_append_printf(rec->log, "#%s\n", comment);
}

/* Feeds input in chunks of chunk bytes and returns the log. */
static char *
parse_chunked(const char *input, gsize chunk, char **last_id)
{
  Recorder rec = {.log = g_string_new(NULL)};
  g_autoptr(AtxSseParser) parser = atx_sse_parser_new(on_event, on_comment, &rec);
  gsize len = strlen(input);
  for (gsize off = 0; off < len; off += chunk) {
    g_autoptr(GError) error = NULL;
    g_assert_true(atx_sse_parser_feed(parser, input + off, MIN(chunk, len - off), &error));
    g_assert_no_error(error);
  }
  if (last_id != NULL)
    *last_id = g_strdup(atx_sse_parser_last_event_id(parser));
  return g_string_free(rec.log, FALSE);
}

static const char job_stream[] =
  ": heartbeat\n"
  "id: 1\n"
  "data: {\"step\":\"running\"}\n"
  "\n"
  "id: 2\n"
  "event: job\n"
  "data: {\"step\":\"prepare\",\n"
  "data: \"message\":\"unpacking config.toml\"}\n"
  "\n";

static const char job_log[] =
  "# heartbeat\n"
  "1|message|{\"step\":\"running\"}\n"
  "2|job|{\"step\":\"prepare\",\n\"message\":\"unpacking config.toml\"}\n";

static void
test_events_ids_comments_multiline(void)
{
  g_autofree char *last_id = NULL;
  g_autofree char *log = parse_chunked(job_stream, 4096, &last_id);
  g_assert_cmpstr(log, ==, job_log);
  g_assert_cmpstr(last_id, ==, "2");
}

static void
test_every_chunk_size_gives_same_events(void)
{
  for (gsize chunk = 1; chunk <= sizeof job_stream; chunk++) {
    g_autofree char *log = parse_chunked(job_stream, chunk, NULL);
    g_assert_cmpstr(log, ==, job_log);
  }
}

static void
test_crlf_and_cr_line_endings(void)
{
  g_autofree char *crlf = g_strjoinv("\r\n", (char *[]){"id: 7", "data: a", "data: b", "", "", NULL});
  g_autofree char *cr = g_strjoinv("\r", (char *[]){"id: 7", "data: a", "data: b", "", "", NULL});
  /* A CRLF split across two chunks must end one line, not two (chunk size 1
   * splits every CRLF). */
  for (gsize chunk = 1; chunk <= 3; chunk++) {
    g_autofree char *log_crlf = parse_chunked(crlf, chunk, NULL);
    g_autofree char *log_cr = parse_chunked(cr, chunk, NULL);
    g_assert_cmpstr(log_crlf, ==, "7|message|a\nb\n");
    g_assert_cmpstr(log_cr, ==, "7|message|a\nb\n");
  }
}

static void
test_field_edge_cases(void)
{
  /* No space after the colon, only one space stripped, a bare "data" line is an
   * empty data line, unknown fields ignored, an event without data is not
   * dispatched but its id is kept, a trailing unterminated event is not dispatched. */
  g_autofree char *last_id = NULL;
  g_autofree char *log = parse_chunked(
    "data:x\n\n"
    "data:  two\n\n"
    "data\ndata\n\n"
    "foo: bar\nid: 9\n\n"
    "data: after\n\n"
    "id: 10\ndata: unterminated\n",
    5, &last_id);
  g_assert_cmpstr(log, ==, "|message|x\n|message| two\n|message|\n\n9|message|after\n");
  g_assert_cmpstr(last_id, ==, "10");
}

static void
test_retry_hint(void)
{
  g_autoptr(AtxSseParser) parser = atx_sse_parser_new(NULL, NULL, NULL);
  g_assert_cmpint(atx_sse_parser_retry_ms(parser), ==, -1);
  g_assert_true(atx_sse_parser_feed(parser, "retry: 12x\n", 11, NULL));
  g_assert_cmpint(atx_sse_parser_retry_ms(parser), ==, -1);
  g_assert_true(atx_sse_parser_feed(parser, "retry: 1500\n", 12, NULL));
  g_assert_cmpint(atx_sse_parser_retry_ms(parser), ==, 1500);
}

static void
test_limits_and_nul_refused(void)
{
  g_autoptr(AtxSseParser) parser = atx_sse_parser_new(NULL, NULL, NULL);
  g_autofree char *big = g_malloc(ATX_SSE_MAX_EVENT_BYTES + 1);
  memset(big, 'a', ATX_SSE_MAX_EVENT_BYTES + 1);
  g_autoptr(GError) error = NULL;
  g_assert_false(atx_sse_parser_feed(parser, big, ATX_SSE_MAX_EVENT_BYTES + 1, &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_LIMIT);
  g_clear_error(&error);
  g_assert_false(atx_sse_parser_feed(parser, "\n", 1, &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);

  /* Many data lines each under the line bound still hit the event bound. */
  g_autoptr(AtxSseParser) parser2 = atx_sse_parser_new(NULL, NULL, NULL);
  g_autofree char *line = g_strnfill(1000, 'b');
  g_autofree char *data_line = g_strdup_printf("data: %s\n", line);
  gboolean ok = TRUE;
  g_clear_error(&error);
  for (int i = 0; i < 2000 && ok; i++)
    ok = atx_sse_parser_feed(parser2, data_line, strlen(data_line), &error);
  g_assert_false(ok);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_LIMIT);

  g_autoptr(AtxSseParser) parser3 = atx_sse_parser_new(NULL, NULL, NULL);
  g_clear_error(&error);
  g_assert_false(atx_sse_parser_feed(parser3, "data: a\0b\n", 10, &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sse/events-ids-comments-multiline", test_events_ids_comments_multiline);
  g_test_add_func("/sse/every-chunk-size", test_every_chunk_size_gives_same_events);
  g_test_add_func("/sse/crlf-and-cr", test_crlf_and_cr_line_endings);
  g_test_add_func("/sse/field-edge-cases", test_field_edge_cases);
  g_test_add_func("/sse/retry-hint", test_retry_hint);
  g_test_add_func("/sse/limits-and-nul", test_limits_and_nul_refused);
  return g_test_run();
}
