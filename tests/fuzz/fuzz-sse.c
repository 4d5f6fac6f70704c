/* libFuzzer target for the Server-Sent Events parser atomixctl uses on a job's
 * event stream: the first byte picks a chunk size, the rest is fed in chunks of
 * that size, and the events seen must equal those of feeding it in one piece
 * (chunking is invisible). Any crash, leak, sanitizer report or mismatch is a bug. */
#include <stdint.h>
#include <string.h>

#include "client/sse.h"

static void
record_event(const AtxSseEvent *event, gpointer user_data)
{
  GString *log = user_data;
  g_string_append_printf(log, "E%zu:%s|%zu:%s|%zu:%s\n", strlen(event->id), event->id,
                         strlen(event->event), event->event, strlen(event->data), event->data);
}

static void
record_comment(const char *comment, gpointer user_data)
{
  GString *log = user_data;
  g_string_append_printf(log, "C%zu:%s\n", strlen(comment), comment);
}

static GString *
parse(const uint8_t *data, size_t size, size_t chunk, gboolean *ok)
{
  GString *log = g_string_new(NULL);
  AtxSseParser *parser = atx_sse_parser_new(record_event, record_comment, log);
  *ok = TRUE;
  for (size_t off = 0; off < size && *ok; off += chunk) {
    GError *error = NULL;
    *ok = atx_sse_parser_feed(parser, (const char *)data + off, MIN(chunk, size - off), &error);
    g_assert(*ok == (error == NULL));
    g_clear_error(&error);
  }
  if (*ok)
    g_string_append_printf(log, "last=%s retry=%" G_GINT64_FORMAT "\n",
                           atx_sse_parser_last_event_id(parser), atx_sse_parser_retry_ms(parser));
  atx_sse_parser_free(parser);
  return log;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1)
    return 0;
  size_t chunk = 1 + data[0] % 17;
  gboolean whole_ok, chunked_ok;
  g_autoptr(GString) whole = parse(data + 1, size - 1, size, &whole_ok);
  g_autoptr(GString) chunked = parse(data + 1, size - 1, chunk, &chunked_ok);
  g_assert(whole_ok == chunked_ok);
  if (whole_ok)
    g_assert(g_str_equal(whole->str, chunked->str));
  return 0;
}
