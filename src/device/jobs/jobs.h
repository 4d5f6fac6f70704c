/* Jobs: one per change, with every step recorded as an event.
 *
 * A job moves submitted -> running -> succeeded | failed. Jobs are kept as JSON
 * files under a directory (ROOT/jobs) so they survive daemon restarts: state
 * changes are written durably, progress events atomically but without fsync.
 * At most one job is submitted or running at a time (single flight). A job
 * found running when the journal is opened belonged to a process that died; it
 * is reported failed with error "interrupted" and what crash recovery did.
 *
 * All functions are thread-safe: the HTTP server reads jobs while a worker
 * thread runs one. Time comes from an injectable clock. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "core/base/steps.h"

typedef enum {
  ATX_JOB_SUBMITTED,
  ATX_JOB_RUNNING,
  ATX_JOB_SUCCEEDED,
  ATX_JOB_FAILED,
} AtxJobState;


typedef struct {
  gint64 (*wall_us)(gpointer data);      /* microseconds since the epoch */
  gint64 (*monotonic_us)(gpointer data);
  char *(*new_id)(gpointer data);        /* a new job id (UUID) */
  gpointer data;
} AtxClock;

/* The real clock and g_uuid_string_random(). */
const AtxClock *atx_clock_system(void);

#define ATX_JOB_RETAIN_FINISHED 64

typedef struct _AtxJournal AtxJournal;
typedef struct _AtxJob AtxJob;

/* Called (from the job's thread) after each event is appended. */
typedef void (*AtxJobListener)(AtxJob *job, const json_t *event, gpointer user_data);

/* Opens (creating) the journal directory and loads its jobs. @clock may be NULL. */
AtxJournal *atx_journal_open(const char *dir, const AtxClock *clock, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void atx_journal_free(AtxJournal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJournal, atx_journal_free)

/* Marks jobs left submitted/running by a dead process as failed, error
 * "interrupted", recording @recovery (what crash recovery did). Returns how
 * many were marked. */
guint atx_journal_mark_interrupted(AtxJournal *journal, const char *recovery);

/* A new submitted job, or NULL with ATX_ERROR_BUSY naming the active job.
 * Prunes finished jobs beyond ATX_JOB_RETAIN_FINISHED. */
AtxJob *atx_journal_submit(AtxJournal *journal, const char *kind, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A new reference to the job with @id, or NULL. */
AtxJob *atx_journal_get(AtxJournal *journal, const char *id);
/* Ids of every retained job, oldest first. */
GPtrArray *atx_journal_list(AtxJournal *journal);
guint atx_journal_listen(AtxJournal *journal, AtxJobListener listener, gpointer user_data);
void atx_journal_unlisten(AtxJournal *journal, guint listener_id);
/* For tests: @hook runs before each job file is written. */
typedef void (*AtxJournalWriteHook)(const char *path, gpointer user_data);
void atx_journal_set_write_hook(AtxJournal *journal, AtxJournalWriteHook hook, gpointer user_data);

AtxJob *atx_job_ref(AtxJob *job);
void atx_job_unref(AtxJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxJob, atx_job_unref)

const char *atx_job_id(const AtxJob *job);
AtxJobState atx_job_state(AtxJob *job);

void atx_job_start(AtxJob *job);
/* Appends an event {seq, time, elapsed_seconds, step, message?} and returns it
 * (owned by the job) so optional fields (service, mode, status, probe) can be
 * set with atx_job_event_set() before atx_job_event_commit() publishes it. */
json_t *atx_job_event_begin(AtxJob *job, AtxStep step, const char *format, ...) G_GNUC_PRINTF(3, 4);
void atx_job_event_set(json_t *event, const char *key, json_t *value);
void atx_job_event_commit(AtxJob *job, json_t *event);
/* begin + commit for events without optional fields. */
void atx_job_event(AtxJob *job, AtxStep step, const char *format, ...) G_GNUC_PRINTF(3, 4);

/* Terminal transitions; @result and @diagnostics are taken. */
void atx_job_succeed(AtxJob *job, json_t *result);
void atx_job_fail(AtxJob *job, const char *error, const char *rollback_status, json_t *diagnostics);

/* The job resource as the API serves it; absent fields are omitted. Events
 * with seq <= @after_seq are left out (0 = all). */
json_t *atx_job_to_json(AtxJob *job, guint64 after_seq);
