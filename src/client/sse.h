/* Incremental Server-Sent Events parser (WHATWG "event stream interpretation").
 *
 * Pure: no I/O. Feed it bytes exactly as they arrive from the network, in chunks
 * of any size (a chunk may end inside a line, or between the CR and LF of a CRLF);
 * it calls on_event once per dispatched event and on_comment once per comment line
 * (heartbeats). Lines end with CRLF, LF or CR. Multi-line `data:` fields are joined
 * with "\n". The last event id persists across events, as the spec requires, and is
 * what a client sends as Last-Event-ID when it reconnects.
 *
 * Memory is bounded: a line or an event's data longer than ATX_SSE_MAX_EVENT_BYTES
 * makes atx_sse_parser_feed fail (ATX_ERROR) and the parser refuses further input.
 * Strings handed to the callbacks are valid only during the call. Not thread-safe. */
#pragma once

#include <glib.h>

#define ATX_SSE_MAX_EVENT_BYTES (1024 * 1024)

typedef struct {
  const char *id;     /* last event id after this event's fields, "" if never set */
  const char *event;  /* event type, "message" when the event had no `event:` field */
  const char *data;   /* data lines joined with "\n", without a trailing newline */
} AtxSseEvent;

typedef void (*AtxSseEventFunc)(const AtxSseEvent *event, gpointer user_data);
typedef void (*AtxSseCommentFunc)(const char *comment, gpointer user_data);

typedef struct _AtxSseParser AtxSseParser;

AtxSseParser *atx_sse_parser_new(AtxSseEventFunc on_event, AtxSseCommentFunc on_comment,
                                 gpointer user_data);
void atx_sse_parser_free(AtxSseParser *parser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxSseParser, atx_sse_parser_free)

/* Consumes len bytes. FALSE with error when a line or event exceeds the bound or
 * the input holds a NUL byte; the parser is then unusable. */
gboolean atx_sse_parser_feed(AtxSseParser *parser, const char *data, gsize len,
                             GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The id to resume from ("" when no event carried one). */
const char *atx_sse_parser_last_event_id(const AtxSseParser *parser);

/* The server's `retry:` hint in milliseconds, or -1 when it sent none. */
gint64 atx_sse_parser_retry_ms(const AtxSseParser *parser);
