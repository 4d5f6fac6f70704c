/* atomixctl's offline commands: everything an operator can check on a laptop
 * without a device, using the same core code the device runs.
 *
 * Each returns the process exit status: 0 success (warnings allowed), 1 the
 * input is invalid, 2 usage or I/O error. Output goes to stdout, problems to
 * stderr. */
#pragma once

#include <glib.h>

int atx_cmd_validate(const char *path, gboolean json);
int atx_cmd_render(const char *path, const char *out_dir, const char *config_dir);
int atx_cmd_diff(const char *old_path, const char *new_path, const char *config_dir, gboolean json);
int atx_cmd_schema(void);
