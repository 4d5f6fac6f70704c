/* GET /api/jobs, GET /api/jobs/{job_id} and its event stream. */
#include <errno.h>

#include "http/handlers_private.h"

/* The value of @key in a query string, or NULL. */
static char *
query_value(const char *query, const char *key)
{
  if (!query)
    return NULL;
  g_auto(GStrv) pairs = g_strsplit(query, "&", -1);
  for (guint i = 0; pairs[i]; i++) {
    const char *eq = strchr(pairs[i], '=');
    gsize klen = eq ? (gsize) (eq - pairs[i]) : strlen(pairs[i]);
    if (klen == strlen(key) && strncmp(pairs[i], key, klen) == 0)
      return g_uri_unescape_string(eq ? eq + 1 : "", NULL);
  }
  return NULL;
}

static gboolean
parse_count(const char *text, guint64 max, guint64 *out)
{
  return text && g_ascii_string_to_unsigned(text, 10, 0, max, out, NULL);
}

void
atx_http_jobs_list(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  g_autofree char *limit_text = query_value(request->query, "limit");
  guint64 limit = 0;
  if (limit_text && (!parse_count(limit_text, G_MAXUINT, &limit) || limit == 0)) {
    atx_http_response_error(response, 400, "limit must be a positive integer, not '%s'", limit_text);
    return;
  }
  g_autoptr(GPtrArray) jobs = atx_device_list(context->device, (guint) limit);
  json_t *array = json_array();
  for (guint i = 0; i < jobs->len; i++)
    json_array_append_new(array, atx_job_to_json(g_ptr_array_index(jobs, i), 0));
  atx_http_response_json(response, 200, NULL, json_pack("{so}", "jobs", array));
}

/* Bounded by the journal's retention: finished jobs beyond it are pruned
 * there, and the cache simply starts over when it holds twice as many. */
#define JOB_CACHE_MAX (2 * ATX_JOB_RETAIN_FINISHED)

struct _AtxJobCache {
  GMutex lock;
  GHashTable *bodies; /* job id -> GBytes */
};

AtxJobCache *
atx_job_cache_new(void)
{
  AtxJobCache *cache = g_new0(AtxJobCache, 1);
  g_mutex_init(&cache->lock);
  cache->bodies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  return cache;
}

void
atx_job_cache_free(AtxJobCache *cache)
{
  if (!cache)
    return;
  g_hash_table_unref(cache->bodies);
  g_mutex_clear(&cache->lock);
  g_free(cache);
}

static GBytes *
cached_body(AtxJobCache *cache, const char *id)
{
  if (!cache)
    return NULL;
  g_mutex_lock(&cache->lock);
  GBytes *body = g_hash_table_lookup(cache->bodies, id);
  if (body)
    g_bytes_ref(body);
  g_mutex_unlock(&cache->lock);
  return body;
}

static void
remember_body(AtxJobCache *cache, const char *id, GBytes *body)
{
  if (!cache)
    return;
  g_mutex_lock(&cache->lock);
  if (g_hash_table_size(cache->bodies) >= JOB_CACHE_MAX)
    g_hash_table_remove_all(cache->bodies);
  g_hash_table_replace(cache->bodies, g_strdup(id), g_bytes_ref(body));
  g_mutex_unlock(&cache->lock);
}

void
atx_http_jobs_get(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  const char *id = g_hash_table_lookup(request->params, "job_id");
  GBytes *cached = cached_body(context->job_cache, id);
  if (cached) {
    response->status = 200;
    g_free(response->content_type);
    response->content_type = g_strdup("application/json");
    g_clear_pointer(&response->body, g_bytes_unref);
    response->body = cached;
    return;
  }
  g_autoptr(AtxJob) job = atx_device_get(context->device, id);
  if (!job) {
    atx_http_response_error(response, 404, "job not found");
    return;
  }
  /* The state is read before the resource: a job seen finished here is
   * finished in the resource too, so only final bodies are cached. */
  AtxJobState state = atx_job_state(job);
  atx_http_response_json(response, 200, NULL, atx_job_to_json(job, 0));
  if ((state == ATX_JOB_SUCCEEDED || state == ATX_JOB_FAILED) && response->status == 200)
    remember_body(context->job_cache, atx_job_id(job), response->body);
}

void
atx_http_jobs_events(const AtxHttpContext *context, const AtxHttpRequest *request, AtxHttpResponse *response)
{
  const char *last_id = request->header(request->header_data, "Last-Event-ID");
  g_autofree char *last_id_copy = g_strstrip(g_strdup(last_id ? last_id : ""));
  guint64 after = 0;
  if (*last_id_copy && !parse_count(last_id_copy, G_MAXINT64, &after)) {
    atx_http_response_error(response, 400, "Last-Event-ID must be an event seq, not '%s'", last_id);
    return;
  }
  AtxEventStream *stream =
      atx_event_hub_open(context->events, g_hash_table_lookup(request->params, "job_id"), after);
  if (!stream) {
    atx_http_response_error(response, 404, "job not found");
    return;
  }
  response->status = 200;
  g_free(response->content_type);
  response->content_type = g_strdup("text/event-stream");
  atx_http_response_add_header(response, "Cache-Control", "no-cache");
  response->stream = stream;
}
