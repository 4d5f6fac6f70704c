#include "client/job_follow.h"

#include <string.h>

#include "client/http_client.h"
#include "client/job_view.h"
#include "client/problem.h"
#include "client/progress.h"
#include "client/sse.h"
#include "core/base/defaults.h"
#include "core/base/error.h"

#define TICK_INTERVAL_US (100 * 1000)
#define FIRST_BACKOFF_MS 250
#define MAX_BACKOFF_MS 5000

typedef struct {
  const AtxJobFollow *follow;
  AtxProgress *progress;
  AtxSseParser *parser; /* one per connection: a drop discards a half-received event */
  guint64 last_seq;     /* highest event printed */
  gboolean terminal_seen;
  gboolean progressed; /* this connection brought a new event */
  gint64 last_tick_us;
  gint64 retry_ms; /* the server's `retry:` hint, -1 without one */
} Follower;

static void
emit(Follower *follower, GString *text)
{
  if (follower->follow->out == NULL || text->len == 0)
    return;
  fputs(text->str, follower->follow->out);
  fflush(follower->follow->out);
}

/* Prints @event unless it was printed already; @fallback_seq numbers events
 * that carry no seq (a polled reference server). */
static void
show_event(Follower *follower, const json_t *event, guint64 fallback_seq)
{
  guint64 seq = atx_job_event_seq(event);
  if (seq == 0)
    seq = fallback_seq;
  if (seq != 0 && seq <= follower->last_seq)
    return;
  AtxProgressStep step;
  if (!atx_job_event_to_step(event, &step))
    return;
  if (seq != 0)
    follower->last_seq = seq;
  follower->progressed = TRUE;
  if (atx_job_event_is_terminal(event))
    follower->terminal_seen = TRUE;
  g_autoptr(GString) text = g_string_new(NULL);
  atx_progress_step(follower->progress, &step, text);
  emit(follower, text);
}

static void
on_sse_event(const AtxSseEvent *sse, gpointer user_data)
{
  Follower *follower = user_data;
  json_t *event = json_loads(sse->data, 0, NULL);
  if (json_is_object(event))
    show_event(follower, event, g_ascii_strtoull(sse->id, NULL, 10));
  json_decref(event);
}

static gboolean
on_chunk(const char *data, gsize len, gpointer user_data, GError **error)
{
  Follower *follower = user_data;
  return atx_sse_parser_feed(follower->parser, data, len, error);
}

static void
on_tick(gpointer user_data)
{
  Follower *follower = user_data;
  gint64 now = g_get_monotonic_time();
  if (!follower->follow->tty || now - follower->last_tick_us < TICK_INTERVAL_US)
    return;
  follower->last_tick_us = now;
  g_autoptr(GString) text = g_string_new(NULL);
  atx_progress_tick(follower->progress, text);
  emit(follower, text);
}

static char *
job_path(const char *job_id, const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string(job_id, NULL, FALSE);
  return g_strconcat("/api/jobs/", escaped, suffix, NULL);
}

static void
set_refusal(GError **error, const AtxHttpResponse *response, const char *what)
{
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  g_autofree char *message = atx_problem_message(body, len);
  g_set_error(error, ATX_ERROR, response->status == 404 ? ATX_ERROR_NOT_FOUND : ATX_ERROR_FAILED,
              "%s answered %ld%s%s", what, response->status, message ? ": " : "", message ? message : "");
}

json_t *
atx_job_fetch(const char *base_url, const char *job_id, GError **error)
{
  g_autofree char *path = job_path(job_id, "");
  g_autoptr(AtxHttpResponse) response = atx_http_request(
      &(AtxHttpRequest){ .method = "GET", .base_url = base_url, .path = path, .timeout_seconds = 60 }, error);
  if (response == NULL)
    return NULL;
  g_autofree char *what = g_strdup_printf("GET %s", path);
  if (response->status != 200) {
    set_refusal(error, response, what);
    return NULL;
  }
  gsize len = 0;
  const char *body = g_bytes_get_data(response->body, &len);
  json_t *job = json_loadb(body != NULL ? body : "", len, 0, NULL);
  if (!json_is_object(job)) {
    json_decref(job);
    g_set_error(error, ATX_ERROR, ATX_ERROR_FAILED, "%s did not return a job object", what);
    return NULL;
  }
  return job;
}

typedef enum { STREAM_ENDED, STREAM_DROPPED, STREAM_UNSUPPORTED, STREAM_FAILED } StreamOutcome;

/* One connection to the event stream, read until the server closes it. */
static StreamOutcome
stream_once(Follower *follower, GError **error)
{
  g_autofree char *path = job_path(follower->follow->job_id, "/events");
  g_autofree char *resume = g_strdup_printf("Last-Event-ID: %" G_GUINT64_FORMAT, follower->last_seq);
  const char *headers[] = { "Accept: text/event-stream", follower->last_seq > 0 ? resume : NULL, NULL };
  g_autoptr(AtxSseParser) parser = atx_sse_parser_new(on_sse_event, NULL, follower);
  follower->parser = parser;
  follower->progressed = FALSE;
  g_autoptr(GError) local = NULL;
  g_autoptr(AtxHttpResponse) response =
      atx_http_request(&(AtxHttpRequest){ .method = "GET",
                                          .base_url = follower->follow->base_url,
                                          .path = path,
                                          .extra_headers = headers,
                                          .on_chunk = on_chunk,
                                          .chunk_data = follower,
                                          .on_tick = on_tick,
                                          .idle_timeout_seconds = ATX_FOLLOW_IDLE_TIMEOUT_SECONDS },
                       &local);
  follower->parser = NULL;
  if (atx_sse_parser_retry_ms(parser) >= 0)
    follower->retry_ms = atx_sse_parser_retry_ms(parser);
  if (response == NULL) {
    gboolean dropped = g_error_matches(local, ATX_ERROR, ATX_ERROR_IO);
    g_propagate_error(error, g_steal_pointer(&local));
    return dropped ? STREAM_DROPPED : STREAM_FAILED;
  }
  if (response->status == 200)
    return STREAM_ENDED;
  if (response->status == 404 || response->status == 405 || response->status == 501)
    return STREAM_UNSUPPORTED;
  g_autofree char *what = g_strdup_printf("GET %s", path);
  set_refusal(error, response, what);
  return response->status >= 500 ? STREAM_DROPPED : STREAM_FAILED;
}

static void
show_polled_events(Follower *follower, const json_t *job)
{
  size_t index;
  const json_t *event;
  json_array_foreach (json_object_get(job, "events"), index, event)
    show_event(follower, event, index + 1);
}

/* Waits between attempts: the server's retry hint when it gave one, else a
 * doubling backoff. */
static void
backoff(gint64 retry_ms, guint attempt)
{
  gint64 ms = retry_ms >= 0 ? retry_ms : FIRST_BACKOFF_MS << MIN(attempt, 8u);
  g_usleep((gulong) MIN(ms, MAX_BACKOFF_MS) * 1000);
}

/* Counts a failed or fruitless attempt; FALSE (error set) once the bound is hit. */
static gboolean
note_failure(const Follower *follower, guint *failures, GError **last, GError **error)
{
  const AtxJobFollow *follow = follower->follow;
  guint bound = follow->max_reconnects ? follow->max_reconnects : ATX_FOLLOW_MAX_RECONNECTS;
  if (++*failures <= bound) {
    backoff(follower->retry_ms, *failures - 1);
    g_clear_error(last);
    return TRUE;
  }
  if (*last != NULL) {
    g_propagate_prefixed_error(error, g_steal_pointer(last),
                               "following job %s (gave up after %u attempts): ", follow->job_id, *failures);
  } else {
    g_set_error(error, ATX_ERROR, ATX_ERROR_IO,
                "following job %s: the event stream ended %u times without news and the job has not ended",
                follow->job_id, *failures);
  }
  return FALSE;
}

/* Fetches the job; a terminal one also delivers events the stream missed. */
static json_t *
fetch_and_show(Follower *follower, GError **error)
{
  json_t *job = atx_job_fetch(follower->follow->base_url, follower->follow->job_id, error);
  if (job != NULL && atx_job_is_terminal(job))
    show_polled_events(follower, job);
  return job;
}

static json_t *
poll_until_terminal(Follower *follower, GError **error)
{
  guint failures = 0;
  for (;;) {
    g_autoptr(GError) local = NULL;
    json_t *job = atx_job_fetch(follower->follow->base_url, follower->follow->job_id, &local);
    if (job != NULL) {
      failures = 0;
      show_polled_events(follower, job);
      if (atx_job_is_terminal(job))
        return job;
      json_decref(job);
      g_usleep(ATX_DEFAULT_POLL_INTERVAL_MS * 1000);
      continue;
    }
    if (!g_error_matches(local, ATX_ERROR, ATX_ERROR_IO) || !note_failure(follower, &failures, &local, error)) {
      if (local != NULL)
        g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
  }
}

static json_t *
follow_stream(Follower *follower, GError **error)
{
  guint failures = 0;
  for (;;) {
    g_autoptr(GError) local = NULL;
    StreamOutcome outcome = stream_once(follower, &local);
    if (outcome == STREAM_UNSUPPORTED)
      return poll_until_terminal(follower, error);
    if (outcome == STREAM_FAILED) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    if (outcome == STREAM_ENDED || follower->terminal_seen) {
      /* The stream ends when the job ends; the resource is the authority. */
      g_autoptr(GError) fetch_error = NULL;
      json_t *job = fetch_and_show(follower, &fetch_error);
      if (job != NULL && atx_job_is_terminal(job))
        return job;
      json_decref(job);
      if (fetch_error != NULL && !g_error_matches(fetch_error, ATX_ERROR, ATX_ERROR_IO)) {
        g_propagate_error(error, g_steal_pointer(&fetch_error));
        return NULL;
      }
      if (local == NULL)
        local = g_steal_pointer(&fetch_error);
    }
    if (follower->progressed)
      failures = 0;
    if (!note_failure(follower, &failures, &local, error))
      return NULL;
  }
}

json_t *
atx_job_follow(const AtxJobFollow *follow, GError **error)
{
  g_autoptr(AtxProgress) progress = atx_progress_new(follow->tty);
  Follower follower = { .follow = follow, .progress = progress, .retry_ms = -1 };
  json_t *job = follow_stream(&follower, error);
  g_autoptr(GString) text = g_string_new(NULL);
  atx_progress_finish(progress, text);
  emit(&follower, text);
  return job;
}
