#include "device/jobs/jobs.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/base/json_writer.h"
#include "device/fs/fsutil.h"

struct _AtxJournal {
  char *dir;
  AtxClock clock;
  GMutex lock;         /* guards every job's fields and the two tables below; never held for I/O */
  GHashTable *jobs;    /* id -> AtxJob* (a reference) */
  GPtrArray *order;    /* AtxJob*, oldest first (borrowed from jobs) */
  /* Held while job files are written, so a file always ends up holding the
   * newest snapshot, while readers only wait for the short `lock`. */
  GMutex write_lock;
  /* Held while listeners run, so unlisten waits for a running callback and
   * none starts after it returns. Recursive: a listener may unlisten itself. */
  GRecMutex listeners_lock;
  GArray *listeners;   /* Listener */
  guint next_listener_id;
  AtxJournalWriteHook write_hook;
  gpointer write_hook_data;
};

typedef struct {
  guint id;
  AtxJobListener func;
  gpointer data;
} Listener;

struct _AtxJob {
  gint refcount;
  AtxJournal *journal; /* outlives its jobs */
  char *id;
  char *kind;
  AtxJobState state;
  char *current_step;
  gint64 created_wall, started_wall, finished_wall; /* 0 = not yet */
  gint64 created_mono;
  double duration_seconds;                          /* < 0 until finished */
  guint64 last_seq;
  json_t *events;
  char *error;
  char *rollback_status;
  char *recovery;
  json_t *result;
  json_t *diagnostics;
};

static gint64
system_wall(gpointer data)
{
  return g_get_real_time();
}

static gint64
system_monotonic(gpointer data)
{
  return g_get_monotonic_time();
}

static char *
system_new_id(gpointer data)
{
  return g_uuid_string_random();
}

const AtxClock *
atx_clock_system(void)
{
  static const AtxClock clock = { system_wall, system_monotonic, system_new_id, NULL };
  return &clock;
}

static const char *
atx_job_state_name(AtxJobState state)
{
  static const char *const names[] = {
    [ATX_JOB_SUBMITTED] = "submitted",
    [ATX_JOB_RUNNING] = "running",
    [ATX_JOB_SUCCEEDED] = "succeeded",
    [ATX_JOB_FAILED] = "failed",
  };
  if ((guint) state >= G_N_ELEMENTS(names))
    return "unknown";
  return names[state];
}

static gboolean
parse_state(const char *name, AtxJobState *state)
{
  for (AtxJobState s = ATX_JOB_SUBMITTED; s <= ATX_JOB_FAILED; s++) {
    if (g_strcmp0(name, atx_job_state_name(s)) == 0) {
      *state = s;
      return TRUE;
    }
  }
  return FALSE;
}

static char *
format_time(gint64 wall_us)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc(wall_us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) precise = g_date_time_add(time, wall_us % G_USEC_PER_SEC);
  return g_date_time_format(precise, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static gint64
parse_time(const char *text)
{
  g_autoptr(GDateTime) time = text ? g_date_time_new_from_iso8601(text, NULL) : NULL;
  return time ? g_date_time_to_unix(time) * G_USEC_PER_SEC + g_date_time_get_microsecond(time) : 0;
}

static double
round2(double value)
{
  return round(value * 100.0) / 100.0;
}

AtxJob *
atx_job_ref(AtxJob *job)
{
  g_atomic_int_inc(&job->refcount);
  return job;
}

void
atx_job_unref(AtxJob *job)
{
  if (!job || !g_atomic_int_dec_and_test(&job->refcount))
    return;
  g_free(job->id);
  g_free(job->kind);
  g_free(job->current_step);
  json_decref(job->events);
  g_free(job->error);
  g_free(job->rollback_status);
  g_free(job->recovery);
  json_decref(job->result);
  json_decref(job->diagnostics);
  g_free(job);
}

const char *
atx_job_id(const AtxJob *job)
{
  return job->id;
}

AtxJobState
atx_job_state(AtxJob *job)
{
  g_mutex_lock(&job->journal->lock);
  AtxJobState state = job->state;
  g_mutex_unlock(&job->journal->lock);
  return state;
}

static void
set_time(json_t *object, const char *key, gint64 wall_us)
{
  if (wall_us > 0) {
    g_autofree char *text = format_time(wall_us);
    json_object_set_new(object, key, json_string(text));
  }
}

static void
set_string(json_t *object, const char *key, const char *value)
{
  if (value)
    json_object_set_new(object, key, json_string(value));
}

/* Caller holds the journal lock. */
static json_t *
job_to_json_locked(const AtxJob *job, guint64 after_seq)
{
  json_t *root = json_object();
  set_string(root, "id", job->id);
  set_string(root, "kind", job->kind);
  set_string(root, "state", atx_job_state_name(job->state));
  set_string(root, "current_step", job->current_step);
  set_time(root, "created_at", job->created_wall);
  set_time(root, "started_at", job->started_wall);
  set_time(root, "finished_at", job->finished_wall);
  json_t *events = json_array();
  size_t index;
  json_t *event;
  json_array_foreach(job->events, index, event)
  {
    if (json_integer_value(json_object_get(event, "seq")) > (json_int_t) after_seq)
      json_array_append(events, event);
  }
  if (json_array_size(events) > 0 || after_seq > 0)
    json_object_set_new(root, "events", events);
  else
    json_decref(events);
  set_string(root, "error", job->error);
  if (job->diagnostics)
    json_object_set(root, "diagnostics", job->diagnostics);
  set_string(root, "recovery", job->recovery);
  if (job->result && json_object_size(job->result) > 0)
    json_object_set(root, "result", job->result);
  set_string(root, "rollback_status", job->rollback_status);
  if (job->duration_seconds >= 0)
    json_object_set_new(root, "duration_seconds", json_real(job->duration_seconds));
  return root;
}

json_t *
atx_job_to_json(AtxJob *job, guint64 after_seq)
{
  g_mutex_lock(&job->journal->lock);
  json_t *json = job_to_json_locked(job, after_seq);
  g_mutex_unlock(&job->journal->lock);
  return json;
}

/* Caller must not hold the journal lock: the snapshot is taken under it, the
 * disk write happens outside it. State changes are durable; progress events
 * are only atomic (losing the last events in a power cut is harmless, losing
 * a state change is not). */
static void
persist(AtxJob *job, gboolean durable)
{
  AtxJournal *journal = job->journal;
  g_mutex_lock(&journal->write_lock);
  g_mutex_lock(&journal->lock);
  json_t *json = job_to_json_locked(job, 0);
  g_mutex_unlock(&journal->lock);
  char *text = atx_json_text(json);
  json_decref(json);
  g_autoptr(GBytes) bytes = g_bytes_new_take(text, strlen(text));
  g_autofree char *name = g_strconcat(job->id, ".json", NULL);
  g_autofree char *path = g_build_filename(journal->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  if (journal->write_hook)
    journal->write_hook(path, journal->write_hook_data);
  gboolean ok = atx_fs_write_file(path, bytes, 0600, (uid_t) -1, (gid_t) -1,
                                  durable ? ATX_FS_SYNC_NOW : ATX_FS_SYNC_LATER, &error);
  g_mutex_unlock(&journal->write_lock);
  if (!ok)
    g_warning("cannot record job %s: %s, ignoring", job->id, error->message);
}

static AtxJob *
job_new(AtxJournal *journal, const char *id)
{
  AtxJob *job = g_new0(AtxJob, 1);
  job->refcount = 1;
  job->journal = journal;
  job->id = g_strdup(id);
  job->events = json_array();
  job->duration_seconds = -1;
  return job;
}

/* A job as the journal file recorded it; NULL for anything unreadable. */
static AtxJob *
job_load(AtxJournal *journal, const char *path)
{
  json_t *root = json_load_file(path, 0, NULL);
  const char *id = json_string_value(json_object_get(root, "id"));
  AtxJobState state;
  if (!id || !parse_state(json_string_value(json_object_get(root, "state")), &state)) {
    json_decref(root);
    return NULL;
  }
  AtxJob *job = job_new(journal, id);
  job->state = state;
  job->kind = g_strdup(json_string_value(json_object_get(root, "kind")));
  job->current_step = g_strdup(json_string_value(json_object_get(root, "current_step")));
  job->created_wall = parse_time(json_string_value(json_object_get(root, "created_at")));
  job->started_wall = parse_time(json_string_value(json_object_get(root, "started_at")));
  job->finished_wall = parse_time(json_string_value(json_object_get(root, "finished_at")));
  json_t *events = json_object_get(root, "events");
  if (json_is_array(events))
    json_array_extend(job->events, events);
  job->last_seq = json_array_size(job->events);
  job->error = g_strdup(json_string_value(json_object_get(root, "error")));
  job->rollback_status = g_strdup(json_string_value(json_object_get(root, "rollback_status")));
  job->recovery = g_strdup(json_string_value(json_object_get(root, "recovery")));
  job->result = json_incref(json_object_get(root, "result"));
  job->diagnostics = json_incref(json_object_get(root, "diagnostics"));
  json_t *duration = json_object_get(root, "duration_seconds");
  if (json_is_number(duration))
    job->duration_seconds = json_number_value(duration);
  json_decref(root);
  return job;
}

static gint
compare_created(gconstpointer a, gconstpointer b)
{
  const AtxJob *x = *(AtxJob *const *) a, *y = *(AtxJob *const *) b;
  if (x->created_wall != y->created_wall)
    return x->created_wall < y->created_wall ? -1 : 1;
  return strcmp(x->id, y->id);
}

static void
load_jobs(AtxJournal *journal)
{
  g_autoptr(GDir) dir = g_dir_open(journal->dir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir))) {
    g_autofree char *path = g_build_filename(journal->dir, name, NULL);
    if (name[0] == '.') {
      unlink(path); /* a temp file a crash left behind */
      continue;
    }
    if (!g_str_has_suffix(name, ".json"))
      continue;
    AtxJob *job = job_load(journal, path);
    if (!job) {
      g_warning("ignoring unreadable job record %s", path);
      continue;
    }
    g_hash_table_replace(journal->jobs, job->id, job);
    g_ptr_array_add(journal->order, job);
  }
  g_ptr_array_sort(journal->order, compare_created);
}

AtxJournal *
atx_journal_open(const char *dir, const AtxClock *clock, GError **error)
{
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    atx_set_errno_error(error, errno, "cannot create %s", dir);
    return NULL;
  }
  AtxJournal *journal = g_new0(AtxJournal, 1);
  journal->dir = g_strdup(dir);
  journal->clock = clock ? *clock : *atx_clock_system();
  g_mutex_init(&journal->lock);
  g_mutex_init(&journal->write_lock);
  g_rec_mutex_init(&journal->listeners_lock);
  journal->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) atx_job_unref);
  journal->order = g_ptr_array_new();
  journal->listeners = g_array_new(FALSE, FALSE, sizeof(Listener));
  load_jobs(journal);
  return journal;
}

void
atx_journal_free(AtxJournal *journal)
{
  if (!journal)
    return;
  g_ptr_array_unref(journal->order);
  g_hash_table_unref(journal->jobs);
  g_array_unref(journal->listeners);
  g_mutex_clear(&journal->lock);
  g_mutex_clear(&journal->write_lock);
  g_rec_mutex_clear(&journal->listeners_lock);
  g_free(journal->dir);
  g_free(journal);
}

static gboolean
is_active(const AtxJob *job)
{
  return job->state == ATX_JOB_SUBMITTED || job->state == ATX_JOB_RUNNING;
}

static void
finish_locked(AtxJob *job, AtxJobState state)
{
  AtxClock *clock = &job->journal->clock;
  job->state = state;
  job->finished_wall = clock->wall_us(clock->data);
  gint64 started = job->started_wall ? job->started_wall : job->created_wall;
  job->duration_seconds = round2((double) (job->finished_wall - started) / G_USEC_PER_SEC);
}

guint
atx_journal_mark_interrupted(AtxJournal *journal, const char *recovery)
{
  g_autoptr(GPtrArray) marked = g_ptr_array_new_with_free_func((GDestroyNotify) atx_job_unref);
  g_mutex_lock(&journal->lock);
  for (guint i = 0; i < journal->order->len; i++) {
    AtxJob *job = g_ptr_array_index(journal->order, i);
    if (!is_active(job))
      continue;
    g_free(job->error);
    job->error = g_strdup("interrupted");
    g_free(job->recovery);
    job->recovery = g_strdup(recovery);
    finish_locked(job, ATX_JOB_FAILED);
    g_ptr_array_add(marked, atx_job_ref(job));
  }
  g_mutex_unlock(&journal->lock);
  for (guint i = 0; i < marked->len; i++)
    persist(g_ptr_array_index(marked, i), TRUE);
  return marked->len;
}

/* Keeps every active job and the newest ATX_JOB_RETAIN_FINISHED finished ones. */
static void
prune_locked(AtxJournal *journal)
{
  guint finished = 0;
  for (guint i = 0; i < journal->order->len; i++)
    finished += !is_active(g_ptr_array_index(journal->order, i));
  for (guint i = 0; i < journal->order->len && finished > ATX_JOB_RETAIN_FINISHED;) {
    AtxJob *job = g_ptr_array_index(journal->order, i);
    if (is_active(job)) {
      i++;
      continue;
    }
    g_autofree char *name = g_strconcat(job->id, ".json", NULL);
    g_autofree char *path = g_build_filename(journal->dir, name, NULL);
    if (unlink(path) != 0 && errno != ENOENT)
      g_warning("cannot remove old job record %s: %s, ignoring", path, g_strerror(errno));
    g_ptr_array_remove_index(journal->order, i);
    g_hash_table_remove(journal->jobs, job->id);
    finished--;
  }
}

AtxJob *
atx_journal_submit(AtxJournal *journal, const char *kind, GError **error)
{
  g_mutex_lock(&journal->lock);
  for (guint i = 0; i < journal->order->len; i++) {
    const AtxJob *active = g_ptr_array_index(journal->order, i);
    if (is_active(active)) {
      g_set_error(error, ATX_ERROR, ATX_ERROR_BUSY, "a provision job is already running: %s", active->id);
      g_mutex_unlock(&journal->lock);
      return NULL;
    }
  }
  prune_locked(journal);
  AtxClock *clock = &journal->clock;
  g_autofree char *id = clock->new_id(clock->data);
  AtxJob *job = job_new(journal, id);
  job->kind = g_strdup(kind);
  job->state = ATX_JOB_SUBMITTED;
  job->current_step = g_strdup(atx_step_name(ATX_STEP_SUBMITTED));
  job->created_wall = clock->wall_us(clock->data);
  job->created_mono = clock->monotonic_us(clock->data);
  g_hash_table_replace(journal->jobs, job->id, atx_job_ref(job));
  g_ptr_array_add(journal->order, job);
  g_mutex_unlock(&journal->lock);
  persist(job, TRUE);
  return job;
}

AtxJob *
atx_journal_get(AtxJournal *journal, const char *id)
{
  g_mutex_lock(&journal->lock);
  AtxJob *job = g_hash_table_lookup(journal->jobs, id);
  if (job)
    atx_job_ref(job);
  g_mutex_unlock(&journal->lock);
  return job;
}

GPtrArray *
atx_journal_list(AtxJournal *journal)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
  g_mutex_lock(&journal->lock);
  for (guint i = 0; i < journal->order->len; i++)
    g_ptr_array_add(ids, g_strdup(((AtxJob *) g_ptr_array_index(journal->order, i))->id));
  g_mutex_unlock(&journal->lock);
  return ids;
}

guint
atx_journal_listen(AtxJournal *journal, AtxJobListener listener, gpointer user_data)
{
  g_rec_mutex_lock(&journal->listeners_lock);
  Listener entry = { .id = ++journal->next_listener_id, .func = listener, .data = user_data };
  g_array_append_val(journal->listeners, entry);
  g_rec_mutex_unlock(&journal->listeners_lock);
  return entry.id;
}

void
atx_journal_unlisten(AtxJournal *journal, guint listener_id)
{
  g_rec_mutex_lock(&journal->listeners_lock);
  for (guint i = 0; i < journal->listeners->len; i++)
    if (g_array_index(journal->listeners, Listener, i).id == listener_id)
      g_array_remove_index(journal->listeners, i--);
  g_rec_mutex_unlock(&journal->listeners_lock);
}

static json_t *event_newv(AtxJob *job, AtxStep step, const char *format, va_list args) G_GNUC_PRINTF(3, 0);

static json_t *
event_newv(AtxJob *job, AtxStep step, const char *format, va_list args)
{
  AtxClock *clock = &job->journal->clock;
  g_autofree char *time = format_time(clock->wall_us(clock->data));
  double elapsed = (double) (clock->monotonic_us(clock->data) - job->created_mono) / G_USEC_PER_SEC;
  json_t *event = json_object();
  json_object_set_new(event, "seq", json_integer(0)); /* numbered on commit; first for readers */
  json_object_set_new(event, "time", json_string(time));
  json_object_set_new(event, "step", json_string(atx_step_name(step)));
  json_object_set_new(event, "elapsed_seconds", json_real(round2(elapsed)));
  if (format) {
    g_autofree char *message = g_strdup_vprintf(format, args);
    json_object_set_new(event, "message", json_string(message));
  }
  return event;
}

json_t *
atx_job_event_begin(AtxJob *job, AtxStep step, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  json_t *event = event_newv(job, step, format, args);
  va_end(args);
  return event;
}

void
atx_job_event_set(json_t *event, const char *key, json_t *value)
{
  json_object_set_new(event, key, value);
}

/* Listeners may unlisten (themselves or others) while this runs: the loop
 * re-reads the array each round instead of caching its length. */
static void
notify_listeners(AtxJob *job, const json_t *event)
{
  AtxJournal *journal = job->journal;
  g_rec_mutex_lock(&journal->listeners_lock);
  guint last_id = journal->next_listener_id;
  for (guint i = 0; i < journal->listeners->len; i++) {
    Listener listener = g_array_index(journal->listeners, Listener, i);
    if (listener.id > last_id)
      continue;
    listener.func(job, event, listener.data);
    if (i < journal->listeners->len && g_array_index(journal->listeners, Listener, i).id != listener.id)
      i--; /* the current entry was removed; the next one moved into its slot */
  }
  g_rec_mutex_unlock(&journal->listeners_lock);
}

/* Caller holds the lock. */
static void
append_event_locked(AtxJob *job, json_t *event)
{
  json_object_set_new(event, "seq", json_integer((json_int_t) ++job->last_seq));
  g_free(job->current_step);
  job->current_step = g_strdup(json_string_value(json_object_get(event, "step")));
  json_array_append(job->events, event);
}

void
atx_job_event_commit(AtxJob *job, json_t *event)
{
  g_mutex_lock(&job->journal->lock);
  append_event_locked(job, event);
  g_mutex_unlock(&job->journal->lock);
  persist(job, FALSE);
  notify_listeners(job, event);
  json_decref(event);
}

void
atx_job_event(AtxJob *job, AtxStep step, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  json_t *event = event_newv(job, step, format, args);
  va_end(args);
  atx_job_event_commit(job, event);
}

void
atx_job_start(AtxJob *job)
{
  g_mutex_lock(&job->journal->lock);
  job->state = ATX_JOB_RUNNING;
  job->started_wall = job->journal->clock.wall_us(job->journal->clock.data);
  g_mutex_unlock(&job->journal->lock);
  persist(job, TRUE);
  atx_job_event(job, ATX_STEP_RUNNING, NULL);
}

/* Caller holds the lock and has set the outcome. The terminal event is
 * appended in the same critical section as the final state, so a listener
 * closing a stream on it reads the finished job; see publish_terminal(). */
static void
finish_with_event_locked(AtxJob *job, json_t *terminal_event, AtxJobState state)
{
  append_event_locked(job, terminal_event);
  finish_locked(job, state);
}

static void
publish_terminal(AtxJob *job, json_t *terminal_event)
{
  persist(job, TRUE);
  notify_listeners(job, terminal_event);
  json_decref(terminal_event);
}

void
atx_job_succeed(AtxJob *job, json_t *result)
{
  json_t *event = atx_job_event_begin(job, ATX_STEP_COMPLETED, NULL);
  g_mutex_lock(&job->journal->lock);
  json_decref(job->result);
  job->result = result;
  finish_with_event_locked(job, event, ATX_JOB_SUCCEEDED);
  g_mutex_unlock(&job->journal->lock);
  publish_terminal(job, event);
}

void
atx_job_fail(AtxJob *job, const char *error, const char *rollback_status, json_t *diagnostics)
{
  /* A terminal event on failure too, so a client following the event stream
   * learns the outcome without polling the job. */
  json_t *event = atx_job_event_begin(job, ATX_STEP_FAILED, "%s", error);
  g_mutex_lock(&job->journal->lock);
  g_free(job->error);
  job->error = g_strdup(error);
  g_free(job->rollback_status);
  job->rollback_status = g_strdup(rollback_status);
  json_decref(job->diagnostics);
  job->diagnostics = diagnostics;
  finish_with_event_locked(job, event, ATX_JOB_FAILED);
  g_mutex_unlock(&job->journal->lock);
  publish_terminal(job, event);
}

void
atx_journal_set_write_hook(AtxJournal *journal, AtxJournalWriteHook hook, gpointer user_data)
{
  journal->write_hook = hook;
  journal->write_hook_data = user_data;
}
