/* Following a job on the device until it ends.
 *
 * Reads GET /api/jobs/{id}/events (Server-Sent Events) and prints one progress
 * line per job event. When the stream drops, it reconnects with Last-Event-ID =
 * the last sequence number printed, so no line is lost or printed twice (events
 * at or below it are skipped even if a server resends them); a connection that
 * brought nothing new counts towards a bound of consecutive failures. A server
 * without the events route (404/405/501) is polled instead (GET /api/jobs/{id}
 * every ATX_DEFAULT_POLL_INTERVAL_MS). Blocking; one job per call. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdio.h>

#include "client/signer.h"

#define ATX_FOLLOW_MAX_RECONNECTS 5
#define ATX_FOLLOW_IDLE_TIMEOUT_SECONDS 60 /* no byte, not even a heartbeat, for this long: reconnect */

typedef struct {
  const char *base_url;
  const char *job_id;
  FILE *out;            /* progress lines; NULL prints nothing */
  gboolean tty;         /* a spinner on @out between steps */
  guint max_reconnects; /* 0 = ATX_FOLLOW_MAX_RECONNECTS */
} AtxJobFollow;

/* Returns the final job resource (state succeeded or failed), or NULL with
 * ATX_ERROR_IO when the device stayed unreachable, ATX_ERROR_NOT_FOUND when it
 * does not know the job, ATX_ERROR_FAILED for any other refusal. */
json_t *atx_job_follow(const AtxJobFollow *follow, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* One GET /api/jobs/{id}: the job resource, or NULL with the same error codes. */
json_t *atx_job_fetch(const char *base_url, const char *job_id, GError **error) G_GNUC_WARN_UNUSED_RESULT;
