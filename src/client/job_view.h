/* How atomixctl reads and shows the device's job resources and job events
 * (reference §2.2–§2.3 plus seq/time/kind of the durable journal).
 *
 * Pure: takes parsed JSON, returns text for the caller to print. Every field is
 * read defensively (a missing or mistyped field shows as absent) because the
 * JSON comes from the network. Text is free of control characters. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "client/progress.h"

/* Fills @step from an event; the strings point into @event. FALSE when the
 * event has no step name. */
gboolean atx_job_event_to_step(const json_t *event, AtxProgressStep *step);

/* The event's sequence number, or 0 when it has none. */
guint64 atx_job_event_seq(const json_t *event);

/* TRUE for the terminal events ("completed", "failed") and job states
 * ("succeeded", "failed"). */
gboolean atx_job_event_is_terminal(const json_t *event);
gboolean atx_job_is_terminal(const json_t *job);

/* 0 when the job succeeded without rolling back, 1 otherwise (failed, rolled
 * back, or not finished). */
int atx_job_exit_status(const json_t *job);

/* "Job ID succeeded in 4.20s" and what an operator needs next: warnings,
 * the error, the rollback status, the forwarding URL. Ends with a newline. */
char *atx_job_format_summary(const json_t *job);

/* One row of `atomixctl jobs`: id, state, current step, created time. */
char *atx_job_format_row(const json_t *job);
char *atx_job_format_header(void);

/* The jobs of a GET /api/jobs body: a bare array, or the "jobs" member of an
 * object. NULL when the body has neither. */
const json_t *atx_job_list_items(const json_t *body);
