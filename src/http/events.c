/* Job event streams: the hub's device listener appends SSE text to the open
 * streams of the event's job and wakes their readers. */
#include "http/events.h"

#include <string.h>

struct _AtxEventHub {
  AtxDevice *device;
  guint listener_id;
  GMutex lock; /* guards streams; taken before a stream's lock */
  GPtrArray *streams;
};

struct _AtxEventStream {
  AtxEventHub *hub;
  char *job_id;
  gconstpointer owner;
  GMutex lock; /* guards everything below */
  GString *pending;
  guint64 last_seq; /* newest event already in pending or sent */
  gboolean ended;
  gboolean waiting;
  AtxEventWaiter wake;
  gpointer wake_data;
};

static gboolean
is_terminal_step(const char *step)
{
  return g_strcmp0(step, "completed") == 0 || g_strcmp0(step, "failed") == 0;
}

static void
wake_locked(AtxEventStream *stream)
{
  if (!stream->waiting)
    return;
  stream->waiting = FALSE;
  stream->wake(stream->wake_data);
}

/* Appends @event unless it was already delivered; the stream's lock is held. */
static void
append_event_locked(AtxEventStream *stream, const json_t *event)
{
  guint64 seq = (guint64) json_integer_value(json_object_get(event, "seq"));
  if (stream->ended || seq <= stream->last_seq)
    return;
  g_autofree char *data = json_dumps(event, JSON_COMPACT);
  g_string_append_printf(stream->pending, "id: %" G_GUINT64_FORMAT "\ndata: %s\n\n", seq, data);
  stream->last_seq = seq;
  if (is_terminal_step(json_string_value(json_object_get(event, "step"))))
    stream->ended = TRUE;
  wake_locked(stream);
}

static void
on_job_event(AtxJob *job, const json_t *event, gpointer user_data)
{
  AtxEventHub *hub = user_data;
  g_mutex_lock(&hub->lock);
  for (guint i = 0; i < hub->streams->len; i++) {
    AtxEventStream *stream = g_ptr_array_index(hub->streams, i);
    if (!g_str_equal(stream->job_id, atx_job_id(job)))
      continue;
    g_mutex_lock(&stream->lock);
    append_event_locked(stream, event);
    g_mutex_unlock(&stream->lock);
  }
  g_mutex_unlock(&hub->lock);
}

AtxEventHub *
atx_event_hub_new(AtxDevice *device)
{
  AtxEventHub *hub = g_new0(AtxEventHub, 1);
  hub->device = device;
  g_mutex_init(&hub->lock);
  hub->streams = g_ptr_array_new();
  hub->listener_id = atx_device_listen(device, on_job_event, hub);
  return hub;
}

void
atx_event_hub_free(AtxEventHub *hub)
{
  if (!hub)
    return;
  atx_device_unlisten(hub->device, hub->listener_id);
  atx_event_hub_end_streams(hub, NULL);
  /* Streams still open belong to connections that are closing; they
   * unregister themselves, so the hub must outlive them. */
  g_mutex_lock(&hub->lock);
  guint left = hub->streams->len;
  g_mutex_unlock(&hub->lock);
  if (left > 0) {
    g_warning("%u event streams still open at shutdown, leaking the hub", left);
    return;
  }
  g_ptr_array_unref(hub->streams);
  g_mutex_clear(&hub->lock);
  g_free(hub);
}

/* The history after @after_seq, and the end when the job has finished. The
 * stream's lock is held, and the stream is already registered, so an event
 * appended meanwhile is either in this history or delivered by the listener
 * afterwards (append_event_locked drops the duplicate). */
static void
append_history_locked(AtxEventStream *stream, AtxJob *job)
{
  json_t *resource = atx_job_to_json(job, stream->last_seq);
  json_t *events = json_object_get(resource, "events");
  for (gsize i = 0; i < json_array_size(events); i++)
    append_event_locked(stream, json_array_get(events, i));
  /* The state of the same snapshot as the events: a state read separately
   * could already be final while the snapshot lacks the terminal event,
   * which would then never be sent. */
  const char *state = json_string_value(json_object_get(resource, "state"));
  if (g_strcmp0(state, "succeeded") == 0 || g_strcmp0(state, "failed") == 0)
    stream->ended = TRUE;
  json_decref(resource);
}

AtxEventStream *
atx_event_hub_open(AtxEventHub *hub, const char *job_id, guint64 after_seq)
{
  g_autoptr(AtxJob) job = atx_device_get(hub->device, job_id);
  if (!job)
    return NULL;
  AtxEventStream *stream = g_new0(AtxEventStream, 1);
  stream->hub = hub;
  stream->job_id = g_strdup(atx_job_id(job));
  stream->pending = g_string_new(NULL);
  stream->last_seq = after_seq;
  g_mutex_init(&stream->lock);
  g_mutex_lock(&stream->lock);
  g_mutex_lock(&hub->lock);
  g_ptr_array_add(hub->streams, stream);
  g_mutex_unlock(&hub->lock);
  append_history_locked(stream, job);
  g_mutex_unlock(&stream->lock);
  return stream;
}

void
atx_event_hub_heartbeat(AtxEventHub *hub)
{
  g_mutex_lock(&hub->lock);
  for (guint i = 0; i < hub->streams->len; i++) {
    AtxEventStream *stream = g_ptr_array_index(hub->streams, i);
    g_mutex_lock(&stream->lock);
    if (!stream->ended) {
      g_string_append(stream->pending, ": keepalive\n\n");
      wake_locked(stream);
    }
    g_mutex_unlock(&stream->lock);
  }
  g_mutex_unlock(&hub->lock);
}

void
atx_event_hub_end_streams(AtxEventHub *hub, gconstpointer owner)
{
  g_mutex_lock(&hub->lock);
  for (guint i = 0; i < hub->streams->len; i++) {
    AtxEventStream *stream = g_ptr_array_index(hub->streams, i);
    g_mutex_lock(&stream->lock);
    if (!owner || stream->owner == owner) {
      stream->ended = TRUE;
      wake_locked(stream);
    }
    g_mutex_unlock(&stream->lock);
  }
  g_mutex_unlock(&hub->lock);
}

void
atx_event_stream_set_owner(AtxEventStream *stream, gconstpointer owner)
{
  g_mutex_lock(&stream->lock);
  stream->owner = owner;
  g_mutex_unlock(&stream->lock);
}

gsize
atx_event_stream_read(AtxEventStream *stream, char *buffer, gsize max, gboolean *ended, AtxEventWaiter wait,
                      AtxEventWaiter wake, gpointer data)
{
  g_mutex_lock(&stream->lock);
  gsize n = MIN(max, stream->pending->len);
  memcpy(buffer, stream->pending->str, n);
  g_string_erase(stream->pending, 0, (gssize) n);
  *ended = n == 0 && stream->ended;
  if (n == 0 && !stream->ended) {
    stream->waiting = TRUE;
    stream->wake = wake;
    stream->wake_data = data;
    wait(data);
  }
  g_mutex_unlock(&stream->lock);
  return n;
}

void
atx_event_stream_close(AtxEventStream *stream)
{
  if (!stream)
    return;
  AtxEventHub *hub = stream->hub;
  g_mutex_lock(&hub->lock);
  g_ptr_array_remove(hub->streams, stream);
  g_mutex_unlock(&hub->lock);
  g_string_free(stream->pending, TRUE);
  g_free(stream->job_id);
  g_mutex_clear(&stream->lock);
  g_free(stream);
}
