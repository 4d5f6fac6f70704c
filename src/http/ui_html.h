/* The Boot UI's HTML fragments: what fills the page's #job-status section.
 * Every fragment is one <section id="job-status" data-state="..."> so the
 * page's script can swap it in whole; every dynamic text is escaped.
 * Pure (no I/O) and thread-safe; the caller owns the returned strings. */
#pragma once

#include <glib.h>

#include "core/bundle/submission.h"
#include "device/jobs/jobs.h"

/* Appends @text (NULL = "") HTML-escaped; invalid UTF-8 is replaced. */
void atx_ui_append_escaped(GString *html, const char *text);

/* One paragraph, data-state @state ("failed", ...). */
GString *atx_ui_message_fragment(const char *state, const char *message);

/* An invalid submission: every diagnostic with line and column, then
 * @source (the operator's text) numbered, each diagnostic under its line
 * with a caret at its column; the listing is left out when @source is not
 * text (a bundle). */
GString *atx_ui_invalid_fragment(const AtxSubmission *submission, GBytes *source);

/* A job (reference §8.3): its state; running: the current step; succeeded:
 * forwarding URL and warnings; failed: error, rollback status, diagnostics;
 * then its last 40 events. *@finished_out says whether the fragment shows
 * the job's end (read from the same snapshot). */
GString *atx_ui_job_fragment(AtxJob *job, gboolean *finished_out);
