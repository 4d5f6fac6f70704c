/* Progress display of a job's events for atomixctl apply/job --watch.
 *
 * Pure: it appends to a GString the caller writes out. One line per step with its
 * elapsed time. On a TTY a spinner line (ending without newline) follows the last
 * step and is erased with "\r\033[K" before the next line; piped output gets plain
 * lines only, no control characters. Not thread-safe. */
#pragma once

#include <glib.h>

typedef struct {
  const char *step;        /* required */
  double elapsed_seconds;  /* since submission */
  const char *message;     /* may be NULL */
} AtxProgressStep;

typedef struct _AtxProgress AtxProgress;

AtxProgress *atx_progress_new(gboolean tty);
void atx_progress_free(AtxProgress *progress);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AtxProgress, atx_progress_free)

/* "[   1.25s] write-config: writing config.toml" (no newline); control
 * characters in step or message become spaces. */
char *atx_progress_format_step(const AtxProgressStep *step);

/* Appends the step's line (and on a TTY a fresh spinner line) to out. */
void atx_progress_step(AtxProgress *progress, const AtxProgressStep *step, GString *out);

/* On a TTY advances the spinner in place; piped, appends nothing. */
void atx_progress_tick(AtxProgress *progress, GString *out);

/* Erases the spinner line on a TTY so the final summary starts on a clean line. */
void atx_progress_finish(AtxProgress *progress, GString *out);
