/* Live job event streams (GET /api/jobs/{id}/events) as Server-Sent Events.
 *
 * Wire format, one SSE event per job event, in sequence order:
 *
 *   id: <seq>\n
 *   data: <the job event as one line of JSON>\n
 *   \n
 *
 * The stream ends (the server closes it) after the job's terminal event
 * (step "completed" or "failed"); a client that connects after the end gets
 * the whole history and the end. `Last-Event-ID: N` resumes after event N.
 * ": keepalive" comment lines are sent while nothing happens.
 *
 * The hub listens on the device once and fans events out to every open
 * stream of their job. Threads: the device's worker appends, the server's
 * thread reads; a reader that finds nothing to read registers a waiter
 * (called under the stream's lock, so it cannot miss the wake-up) and is
 * woken (again under the lock) when bytes arrive or the stream ends. */
#pragma once

#include <glib.h>

#include "device/device.h"

typedef struct _AtxEventHub AtxEventHub;
typedef struct _AtxEventStream AtxEventStream;

AtxEventHub *atx_event_hub_new(AtxDevice *device);
/* Ends every stream first; the device must still be open. */
void atx_event_hub_free(AtxEventHub *hub);

/* A stream of the job with @job_id after event @after_seq, or NULL when
 * there is no such job. */
AtxEventStream *atx_event_hub_open(AtxEventHub *hub, const char *job_id, guint64 after_seq);
/* Adds a keepalive comment to every open stream (call every few seconds). */
void atx_event_hub_heartbeat(AtxEventHub *hub);
/* Ends every open stream whose owner is @owner (NULL = every stream): used
 * before a listener closes and at shutdown. */
void atx_event_hub_end_streams(AtxEventHub *hub, gconstpointer owner);

typedef void (*AtxEventWaiter)(gpointer data);

/* Tags the stream with the listener serving it (for end_streams). */
void atx_event_stream_set_owner(AtxEventStream *stream, gconstpointer owner);
/* Copies up to @max pending bytes into @buffer and returns how many. Returns
 * 0 with *@ended TRUE at the end of the stream; returns 0 with *@ended FALSE
 * after calling @wait(@data) when nothing is pending yet: @wake(@data) is
 * then called once when there is. */
gsize atx_event_stream_read(AtxEventStream *stream, char *buffer, gsize max, gboolean *ended, AtxEventWaiter wait,
                            AtxEventWaiter wake, gpointer data);
/* Unregisters and frees the stream (never call from a waiter). */
void atx_event_stream_close(AtxEventStream *stream);
