/* Jobs: states, events, single flight, retention, durability across reopening
 * the journal, interrupted jobs. Time and ids come from a fake clock. */
#include <glib/gstdio.h>

#include "core/base/error.h"
#include "device/fs/fsutil.h"
#include "device/jobs/jobs.h"

typedef struct {
  gint64 wall_us;
  gint64 monotonic_us;
  guint next_id;
} FakeTime;

static gint64
fake_wall(gpointer data)
{
  return ((FakeTime *) data)->wall_us;
}

static gint64
fake_monotonic(gpointer data)
{
  return ((FakeTime *) data)->monotonic_us;
}

static char *
fake_id(gpointer data)
{
  return g_strdup_printf("job-%04u", ++((FakeTime *) data)->next_id);
}

typedef struct {
  char *dir;
  FakeTime time;
  AtxClock clock;
  AtxJournal *journal;
} Fixture;

static void
advance(Fixture *fixture, gint64 us)
{
  fixture->time.wall_us += us;
  fixture->time.monotonic_us += us;
}

static void
reopen(Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_clear_pointer(&fixture->journal, atx_journal_free);
  fixture->journal = atx_journal_open(fixture->dir, &fixture->clock, &error);
  g_assert_no_error(error);
}

static void
fixture_set_up(Fixture *fixture, gconstpointer data)
{
  g_autofree char *root = g_dir_make_tmp("atomix-jobs-XXXXXX", NULL);
  fixture->dir = g_build_filename(root, "jobs", NULL);
  /* 2026-11-26T10:00:00Z */
  fixture->time = (FakeTime) { .wall_us = G_GINT64_CONSTANT(1795687200) * G_USEC_PER_SEC, .monotonic_us = 1000 };
  fixture->clock = (AtxClock) { fake_wall, fake_monotonic, fake_id, &fixture->time };
  reopen(fixture);
}

static void
fixture_tear_down(Fixture *fixture, gconstpointer data)
{
  atx_journal_free(fixture->journal);
  g_autofree char *root = g_path_get_dirname(fixture->dir);
  g_assert_true(atx_fs_remove_tree(root, NULL, NULL));
  g_free(fixture->dir);
}

static AtxJob *
submit(Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  AtxJob *job = atx_journal_submit(fixture->journal, "import", &error);
  g_assert_no_error(error);
  g_assert_nonnull(job);
  return job;
}

static const char *
field(json_t *object, const char *key)
{
  return json_string_value(json_object_get(object, key));
}

static void
test_lifecycle_and_shape(Fixture *fixture, gconstpointer data)
{
  g_autoptr(AtxJob) job = submit(fixture);
  json_t *submitted = atx_job_to_json(job, 0);
  g_assert_cmpstr(field(submitted, "state"), ==, "submitted");
  g_assert_cmpstr(field(submitted, "current_step"), ==, "submitted");
  g_assert_cmpstr(field(submitted, "created_at"), ==, "2026-11-26T10:00:00.000000Z");
  g_assert_null(json_object_get(submitted, "events"));
  g_assert_null(json_object_get(submitted, "started_at"));
  json_decref(submitted);

  advance(fixture, 250000);
  atx_job_start(job);
  advance(fixture, 1500000);
  json_t *event = atx_job_event_begin(job, ATX_STEP_SERVICE_STATUS, "web.service (rootless) is active");
  atx_job_event_set(event, "service", json_string("web.service"));
  atx_job_event_commit(job, event);
  advance(fixture, 10000);
  atx_job_succeed(job, json_pack("{s:[], s:b}", "warnings", "reapply", 0));

  json_t *done = atx_job_to_json(job, 0);
  g_assert_cmpstr(field(done, "state"), ==, "succeeded");
  g_assert_cmpstr(field(done, "current_step"), ==, "completed");
  g_assert_cmpstr(field(done, "started_at"), ==, "2026-11-26T10:00:00.250000Z");
  g_assert_cmpstr(field(done, "finished_at"), ==, "2026-11-26T10:00:01.760000Z");
  g_assert_cmpfloat(json_number_value(json_object_get(done, "duration_seconds")), ==, 1.51);
  json_t *events = json_object_get(done, "events");
  g_assert_cmpuint(json_array_size(events), ==, 3);
  json_t *status = json_array_get(events, 1);
  g_assert_cmpint(json_integer_value(json_object_get(status, "seq")), ==, 2);
  g_assert_cmpstr(field(status, "step"), ==, "service-status");
  g_assert_cmpstr(field(status, "service"), ==, "web.service");
  g_assert_cmpstr(field(status, "time"), ==, "2026-11-26T10:00:01.750000Z");
  g_assert_cmpfloat(json_number_value(json_object_get(status, "elapsed_seconds")), ==, 1.75);
  g_assert_null(json_object_get(done, "error"));
  g_assert_nonnull(json_object_get(done, "result"));
  json_decref(done);

  /* Events after a sequence number, for resuming an event stream. */
  json_t *tail = atx_job_to_json(job, 2);
  g_assert_cmpuint(json_array_size(json_object_get(tail, "events")), ==, 1);
  json_decref(tail);
}

static void
test_failure_shape(Fixture *fixture, gconstpointer data)
{
  g_autoptr(AtxJob) job = submit(fixture);
  atx_job_start(job);
  atx_job_fail(job, "activation failed: web.service (rootless): failed", "completed", NULL);
  json_t *failed = atx_job_to_json(job, 0);
  g_assert_cmpstr(field(failed, "state"), ==, "failed");
  g_assert_cmpstr(field(failed, "error"), ==, "activation failed: web.service (rootless): failed");
  g_assert_cmpstr(field(failed, "rollback_status"), ==, "completed");
  g_assert_null(json_object_get(failed, "result"));
  json_decref(failed);
}

static void
test_single_flight(Fixture *fixture, gconstpointer data)
{
  g_autoptr(AtxJob) first = submit(fixture);
  g_autoptr(GError) error = NULL;
  AtxJob *second = atx_journal_submit(fixture->journal, "import", &error);
  g_assert_null(second);
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, atx_job_id(first)));
  atx_job_start(first);
  atx_job_fail(first, "boom", NULL, NULL);
  g_autoptr(AtxJob) third = submit(fixture);
  g_assert_nonnull(third);
}

static void
test_retention(Fixture *fixture, gconstpointer data)
{
  g_autofree char *first_id = NULL;
  for (guint i = 0; i < ATX_JOB_RETAIN_FINISHED + 6; i++) {
    advance(fixture, 1000);
    g_autoptr(AtxJob) job = submit(fixture);
    if (i == 0)
      first_id = g_strdup(atx_job_id(job));
    atx_job_start(job);
    atx_job_succeed(job, json_object());
  }
  g_autoptr(AtxJob) running = submit(fixture);
  g_assert_cmpint(atx_job_state(running), ==, ATX_JOB_SUBMITTED);
  g_autoptr(GPtrArray) ids = atx_journal_list(fixture->journal);
  /* 64 finished ones survive plus the active one. */
  g_assert_cmpuint(ids->len, ==, ATX_JOB_RETAIN_FINISHED + 1);
  g_autoptr(AtxJob) evicted = atx_journal_get(fixture->journal, first_id);
  g_assert_null(evicted);
  g_autofree char *file = g_strdup_printf("%s/%s.json", fixture->dir, first_id);
  g_assert_false(g_file_test(file, G_FILE_TEST_EXISTS));
  reopen(fixture);
  g_autoptr(GPtrArray) after = atx_journal_list(fixture->journal);
  g_assert_cmpuint(after->len, ==, ATX_JOB_RETAIN_FINISHED + 1);
}

static void
test_survives_reopen(Fixture *fixture, gconstpointer data)
{
  g_autofree char *id = NULL;
  {
    g_autoptr(AtxJob) job = submit(fixture);
    id = g_strdup(atx_job_id(job));
    atx_job_start(job);
    atx_job_event(job, ATX_STEP_VALIDATE, "parsing config");
    atx_job_succeed(job, json_pack("{s:[s]}", "warnings", "w1"));
  }
  reopen(fixture);
  g_autoptr(AtxJob) again = atx_journal_get(fixture->journal, id);
  g_assert_nonnull(again);
  json_t *resource = atx_job_to_json(again, 0);
  g_assert_cmpstr(field(resource, "state"), ==, "succeeded");
  g_assert_cmpuint(json_array_size(json_object_get(resource, "events")), ==, 3);
  g_assert_cmpstr(json_string_value(json_array_get(json_object_get(json_object_get(resource, "result"), "warnings"), 0)), ==, "w1");
  json_decref(resource);
  /* Sequence numbers continue after a reload. */
  g_autoptr(AtxJob) next = submit(fixture);
  atx_job_start(next);
  json_t *next_json = atx_job_to_json(next, 0);
  g_assert_cmpint(json_integer_value(json_object_get(json_array_get(json_object_get(next_json, "events"), 0), "seq")), ==, 1);
  json_decref(next_json);
}

static void
test_interrupted(Fixture *fixture, gconstpointer data)
{
  g_autofree char *id = NULL;
  {
    g_autoptr(AtxJob) job = submit(fixture);
    id = g_strdup(atx_job_id(job));
    atx_job_start(job);
    atx_job_event(job, ATX_STEP_PROMOTE, "swapping active config root");
  } /* the process "dies" here: the job stays running on disk */
  reopen(fixture);
  g_autoptr(GError) error = NULL;
  g_assert_null(atx_journal_submit(fixture->journal, "import", &error));
  g_assert_error(error, ATX_ERROR, ATX_ERROR_BUSY);
  g_assert_cmpuint(atx_journal_mark_interrupted(fixture->journal, "restored the previous config"), ==, 1);
  g_autoptr(AtxJob) job = atx_journal_get(fixture->journal, id);
  json_t *resource = atx_job_to_json(job, 0);
  g_assert_cmpstr(field(resource, "state"), ==, "failed");
  g_assert_cmpstr(field(resource, "error"), ==, "interrupted");
  g_assert_cmpstr(field(resource, "recovery"), ==, "restored the previous config");
  g_assert_nonnull(json_object_get(resource, "finished_at"));
  json_decref(resource);
  g_autoptr(AtxJob) next = submit(fixture);
  g_assert_nonnull(next);
}

static void
count_event(AtxJob *job, const json_t *event, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_listeners(Fixture *fixture, gconstpointer data)
{
  guint seen = 0;
  guint id = atx_journal_listen(fixture->journal, count_event, &seen);
  g_autoptr(AtxJob) job = submit(fixture);
  atx_job_start(job);
  atx_job_event(job, ATX_STEP_VALIDATE, NULL);
  g_assert_cmpuint(seen, ==, 2);
  atx_journal_unlisten(fixture->journal, id);
  atx_job_event(job, ATX_STEP_PROMOTE, NULL);
  g_assert_cmpuint(seen, ==, 2);
}

/* A listener that closes an event stream on the terminal event reads the job
 * then: it must already show the final state and result. */
typedef struct {
  char *state_at_terminal;
  gboolean result_at_terminal;
} TerminalSeen;

static void
record_terminal(AtxJob *job, const json_t *event, gpointer user_data)
{
  TerminalSeen *seen = user_data;
  const char *step = json_string_value(json_object_get(event, "step"));
  if (g_strcmp0(step, "completed") != 0 && g_strcmp0(step, "failed") != 0)
    return;
  json_t *resource = atx_job_to_json(job, 0);
  g_free(seen->state_at_terminal);
  seen->state_at_terminal = g_strdup(field(resource, "state"));
  seen->result_at_terminal = json_object_get(resource, "result") || json_object_get(resource, "error");
  json_decref(resource);
}

static void
test_terminal_event_sees_final_state(Fixture *fixture, gconstpointer data)
{
  TerminalSeen seen = { 0 };
  guint id = atx_journal_listen(fixture->journal, record_terminal, &seen);
  g_autoptr(AtxJob) job = submit(fixture);
  atx_job_start(job);
  atx_job_succeed(job, json_pack("{s:[]}", "warnings"));
  g_assert_cmpstr(seen.state_at_terminal, ==, "succeeded");
  g_assert_true(seen.result_at_terminal);

  g_autoptr(AtxJob) failing = submit(fixture);
  atx_job_start(failing);
  atx_job_fail(failing, "boom", NULL, NULL);
  g_assert_cmpstr(seen.state_at_terminal, ==, "failed");
  g_assert_true(seen.result_at_terminal);
  atx_journal_unlisten(fixture->journal, id);
  g_free(seen.state_at_terminal);
}

/* An HTTP client that disconnects unlistens and frees its state at once; a
 * callback already running must finish before unlisten returns, and none may
 * start afterwards. */
typedef struct {
  gint entered;
  gint freed;
  gint used_after_free;
} SlowListener;

static void
slow_listener(AtxJob *job, const json_t *event, gpointer user_data)
{
  SlowListener *listener = user_data;
  g_atomic_int_set(&listener->entered, 1);
  g_usleep(100 * 1000);
  if (g_atomic_int_get(&listener->freed))
    g_atomic_int_set(&listener->used_after_free, 1);
}

static gpointer
emit_events(gpointer job)
{
  for (guint i = 0; i < 3; i++)
    atx_job_event(job, ATX_STEP_VALIDATE, NULL);
  return NULL;
}

static void
test_unlisten_waits_for_running_callback(Fixture *fixture, gconstpointer data)
{
  SlowListener listener = { 0 };
  guint id = atx_journal_listen(fixture->journal, slow_listener, &listener);
  g_autoptr(AtxJob) job = submit(fixture);
  GThread *worker = g_thread_new("events", emit_events, job);
  for (guint i = 0; i < 500 && !g_atomic_int_get(&listener.entered); i++)
    g_usleep(10 * 1000);
  g_assert_true(g_atomic_int_get(&listener.entered));
  atx_journal_unlisten(fixture->journal, id);
  g_atomic_int_set(&listener.freed, 1);
  g_thread_join(worker);
  g_assert_false(g_atomic_int_get(&listener.used_after_free));
}

/* A reader (an HTTP poll) must not wait while an event is being written to
 * disk. The write hook holds the writer inside its file write until the
 * reader has read the job; if reads waited on writes this would time out. */
typedef struct {
  GMutex lock;
  GCond cond;
  gboolean writing;
  gboolean read_done;
  gboolean timed_out;
} BlockedWrite;

static void
block_write(const char *path, gpointer user_data)
{
  BlockedWrite *blocked = user_data;
  g_mutex_lock(&blocked->lock);
  blocked->writing = TRUE;
  g_cond_broadcast(&blocked->cond);
  gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
  while (!blocked->read_done && !blocked->timed_out)
    blocked->timed_out = !g_cond_wait_until(&blocked->cond, &blocked->lock, deadline);
  g_mutex_unlock(&blocked->lock);
}

static void
test_reads_do_not_wait_for_writes(Fixture *fixture, gconstpointer data)
{
  g_autoptr(AtxJob) job = submit(fixture);
  BlockedWrite blocked = { 0 };
  g_mutex_init(&blocked.lock);
  g_cond_init(&blocked.cond);
  atx_journal_set_write_hook(fixture->journal, block_write, &blocked);
  GThread *worker = g_thread_new("events", emit_events, job);
  g_mutex_lock(&blocked.lock);
  while (!blocked.writing)
    g_cond_wait(&blocked.cond, &blocked.lock);
  g_mutex_unlock(&blocked.lock);

  json_t *resource = atx_job_to_json(job, 0);
  g_autoptr(AtxJob) same = atx_journal_get(fixture->journal, atx_job_id(job));
  json_decref(resource);

  g_mutex_lock(&blocked.lock);
  gboolean timed_out = blocked.timed_out;
  blocked.read_done = TRUE;
  g_cond_broadcast(&blocked.cond);
  g_mutex_unlock(&blocked.lock);
  g_thread_join(worker);
  atx_journal_set_write_hook(fixture->journal, NULL, NULL);
  g_assert_false(timed_out);
  g_assert_nonnull(same);
  g_mutex_clear(&blocked.lock);
  g_cond_clear(&blocked.cond);
}

#define ADD(name, func) g_test_add(name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  ADD("/jobs/lifecycle-and-shape", test_lifecycle_and_shape);
  ADD("/jobs/failure-shape", test_failure_shape);
  ADD("/jobs/single-flight", test_single_flight);
  ADD("/jobs/retention", test_retention);
  ADD("/jobs/survives-reopen", test_survives_reopen);
  ADD("/jobs/interrupted", test_interrupted);
  ADD("/jobs/listeners", test_listeners);
  ADD("/jobs/terminal-event-sees-final-state", test_terminal_event_sees_final_state);
  ADD("/jobs/unlisten-waits-for-running-callback", test_unlisten_waits_for_running_callback);
  ADD("/jobs/reads-do-not-wait-for-writes", test_reads_do_not_wait_for_writes);
  return g_test_run();
}
