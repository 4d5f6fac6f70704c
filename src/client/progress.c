#include "client/progress.h"

static const char *const spinner_frames[] = {"|", "/", "-", "\\"};

struct _AtxProgress {
  gboolean tty;
  gboolean spinner_shown;
  guint frame;
  char *last_step;
};

AtxProgress *
atx_progress_new(gboolean tty)
{
  AtxProgress *progress = g_new0(AtxProgress, 1);
  progress->tty = tty;
  return progress;
}

void
atx_progress_free(AtxProgress *progress)
{
  if (progress == NULL)
    return;
  g_free(progress->last_step);
  g_free(progress);
}

char *
atx_progress_format_step(const AtxProgressStep *step)
{
  char *line = step->message != NULL && *step->message != '\0'
                   ? g_strdup_printf("[%7.2fs] %s: %s", step->elapsed_seconds, step->step, step->message)
                   : g_strdup_printf("[%7.2fs] %s", step->elapsed_seconds, step->step);
  /* Steps and messages come from the network: they must not drive the terminal. */
  for (char *c = line; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      *c = ' ';
  return line;
}

static void
erase_spinner(AtxProgress *progress, GString *out)
{
  if (progress->spinner_shown)
    g_string_append(out, "\r\033[K");
  progress->spinner_shown = FALSE;
}

static void
draw_spinner(AtxProgress *progress, GString *out)
{
  g_string_append_printf(out, "%s %s ...", spinner_frames[progress->frame % G_N_ELEMENTS(spinner_frames)],
                         progress->last_step != NULL ? progress->last_step : "waiting");
  progress->spinner_shown = TRUE;
}

void
atx_progress_step(AtxProgress *progress, const AtxProgressStep *step, GString *out)
{
  g_autofree char *line = atx_progress_format_step(step);
  erase_spinner(progress, out);
  g_string_append_printf(out, "%s\n", line);
  g_free(progress->last_step);
  progress->last_step = g_strdup(step->step);
  if (progress->tty)
    draw_spinner(progress, out);
}

void
atx_progress_tick(AtxProgress *progress, GString *out)
{
  if (!progress->tty)
    return;
  progress->frame++;
  erase_spinner(progress, out);
  draw_spinner(progress, out);
}

void
atx_progress_finish(AtxProgress *progress, GString *out)
{
  erase_spinner(progress, out);
}
